/*
 * encfs-names.h - EncFS name coding: its base64/base32 alphabets, the
 * nameio/block, nameio/block32, nameio/stream and nameio/null coders, and
 * whole paths with IV chaining (sealfs core layer; no FUSE, no logging).
 *
 * A name coder is the config's naming interface. A chain IV is passed as a
 * pointer: NULL means "not chained" (nothing is mixed into the MAC), a value
 * is the running IV of the directory (0 at the root), replaced on success by
 * the IV of the coded name (the directory's IV if it names a directory, the
 * path IV used by external IV chaining if it names a file). On failure the
 * chain IV is left untouched.
 *
 * Errors: -EINVAL the text is not a coded name at all (bad characters or
 * length), -EBADMSG the name fails its 16-bit checksum (wrong key, damage,
 * or a foreign file), -ENAMETOOLONG the output would not fit.
 */
#ifndef SEALFS_ENCFS_NAMES_H
#define SEALFS_ENCFS_NAMES_H

#include <stddef.h>
#include <stdint.h>

#include "encfs-crypto.h"

enum efs_naming {
	EFS_NAMES_BLOCK,   /* nameio/block: CBC + padding, base64 */
	EFS_NAMES_BLOCK32, /* nameio/block32: the same, base32 */
	EFS_NAMES_STREAM,  /* nameio/stream: stream mode, base64 */
	EFS_NAMES_NULL,	   /* nameio/null: names in clear */
};

struct efs_namer {
	enum efs_naming kind;
	unsigned ver;	     /* the interface's current version */
	struct efs_key *key; /* the volume key, borrowed */
};

/* Longest plaintext and coded name handled (one directory entry). */
#define EFS_NAME_MAX 255
#define EFS_ENC_NAME_MAX 512

/* EncFS base64 (",-0-9A-Za-z", little-endian bits): out needs ceil(8n/6)+1. */
size_t efs_b64_encode(const uint8_t *in, size_t n, char *out);
/* Decoded length, or -EINVAL for a character outside the alphabet. out >= 6*len/8. */
long efs_b64_decode(const char *in, size_t len, uint8_t *out);
/* EncFS base32 ("A-Z2-7", case-insensitive on input). */
size_t efs_b32_encode(const uint8_t *in, size_t n, char *out);
long efs_b32_decode(const char *in, size_t len, uint8_t *out);

/*
 * Decode the coded name ENC (len bytes) into out (EFS_NAME_MAX + 1 bytes,
 * NUL added); *ret_len its length. Plaintext names containing '/' or NUL,
 * or "." / "..", are refused (-EBADMSG).
 */
int efs_name_decode(const struct efs_namer *nm, const char *enc, size_t len, uint64_t *chain,
		    char *out, size_t *ret_len);
/* Encode NAME (1..EFS_NAME_MAX bytes) into out (EFS_ENC_NAME_MAX + 1 bytes, NUL added). */
int efs_name_encode(const struct efs_namer *nm, const char *name, size_t len, uint64_t *chain,
		    char *out, size_t *ret_len);

/*
 * Decode a stored symlink target (EncFS's plainPath): "+X" is "/" followed by
 * X decoded as one unchained name; anything else is a relative path whose
 * components ("." and ".." kept) are decoded with a chain IV starting at 0
 * (CHAINED) or none. out gets up to cap-1 bytes and a NUL; length or -errno.
 */
long efs_link_decode(const struct efs_namer *nm, int chained, const char *stored, size_t len,
		     char *out, size_t cap);
/* The inverse (for tests and writers). */
long efs_link_encode(const struct efs_namer *nm, int chained, const char *target, size_t len,
		     char *out, size_t cap);

#endif
