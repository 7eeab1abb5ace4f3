/*
 * content.h - file header and content block layout (sealfs core layer).
 *
 * A ciphertext file is a 48-byte header followed by blocks, each holding up to
 * 4096 plaintext bytes as nonce(12) | AES-256-GCM ciphertext | tag(16):
 *
 *   header: magic "sfs1" | flags u16 | zero u16 | file id (16) |
 *           size u64 (a lower bound of the plaintext size) | mac (16)
 *
 * The header MAC is HMAC-SHA256 under the header key over the first 32 bytes
 * and, unless SFS_HDR_UNBOUND, the directory IV and plaintext name the file
 * lives under (so a file copied over another is detected). Block i is
 * encrypted under the file's own key with associated data file id | be64(i).
 * A block region that is entirely zero on disk is a hole (reads as zeros)
 * only in files flagged SFS_HDR_SPARSE; elsewhere it is tampering.
 * Pure functions: no I/O. Errors: -EINVAL bad sizes, -EBADMSG auth failure.
 */
#ifndef SEALFS_CONTENT_H
#define SEALFS_CONTENT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define SFS_BLOCK 4096u
#define SFS_BLOCK_OVERHEAD 28u
#define SFS_CBLOCK (SFS_BLOCK + SFS_BLOCK_OVERHEAD)
#define SFS_HDR_LEN 48u
#define SFS_DIRIV_LEN 16u

#define SFS_HDR_SPARSE 0x1u  /* the file has had holes made in it */
#define SFS_HDR_UNBOUND 0x2u /* not bound to a name (hard-linked files) */
#define SFS_HDR_KNOWN (SFS_HDR_SPARSE | SFS_HDR_UNBOUND)

/* Largest plaintext size sealfs accepts: 2^60 bytes (1 EiB). */
#define SFS_MAX_FILE_SIZE (1ULL << 60)

struct sfs_header {
	uint16_t flags;
	uint8_t id[SFS_FILE_ID_LEN];
	uint64_t size;
};

/* Where a file lives: what its header is bound to. */
struct sfs_binding {
	uint8_t diriv[SFS_DIRIV_LEN];
	const char *name; /* plaintext name, not NUL-terminated necessarily */
	size_t namelen;
};

/* Serialize H (computing the MAC over B, or unbound when B is NULL or H is). */
int sfs_header_seal(const struct sfs_keys *k, const struct sfs_header *h,
		    const struct sfs_binding *b, uint8_t out[SFS_HDR_LEN]);
/*
 * Parse and authenticate a header. -EINVAL for bad magic or unknown flags,
 * -EBADMSG when the MAC fails (tampered, or the file belongs elsewhere).
 */
int sfs_header_open(const struct sfs_keys *k, const uint8_t in[SFS_HDR_LEN],
		    const struct sfs_binding *b, struct sfs_header *ret);

/* Ciphertext size of a plaintext size, and back (-EINVAL for sizes no file can have). */
uint64_t sfs_cipher_size(uint64_t plain);
int sfs_plain_size(uint64_t cipher, uint64_t *ret);

/* Encrypt n (1..4096) bytes of block number BLOCK into out (n + 28 bytes). */
int sfs_block_seal(const uint8_t file_key[32], const uint8_t id[SFS_FILE_ID_LEN], uint64_t block,
		   const uint8_t *pt, size_t n, uint8_t *out);
/*
 * Decrypt a block of clen (29..4124) bytes into out (clen - 28 bytes).
 * An all-zero block is a hole when SPARSE_OK (out zeroed), else -EBADMSG.
 */
int sfs_block_open(const uint8_t file_key[32], const uint8_t id[SFS_FILE_ID_LEN], uint64_t block,
		   const uint8_t *in, size_t clen, bool sparse_ok, uint8_t *out);

#endif
