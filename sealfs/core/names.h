/*
 * names.h - file name encryption (sealfs core layer).
 *
 * A plaintext name (1..255 bytes, no '/', not "." or "..") is encrypted with
 * AES-256-SIV under the names key, with the directory's 16-byte IV as
 * associated data, and written as base64url: deterministic within a
 * directory (so lookups need no listing), different across directories,
 * authenticated (a flipped or foreign name fails to decrypt).
 *
 * An encoded name longer than SFS_NAME_DIRECT_MAX is stored under a stand-in
 * "sealfs.longname.<base64url(SHA-256(encoded))>" and the encoded name is
 * kept in the side file "<stand-in>.name". Names with a '.' are never
 * encrypted names, so the side files ("*.name", "*.link") and the volume's
 * own files ("sealfs.conf", "sealfs.diriv") cannot collide with them.
 */
#ifndef SEALFS_NAMES_H
#define SEALFS_NAMES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "content.h"
#include "crypto.h"
#include "keys.h"

#define SFS_NAME_MAX 255
#define SFS_NAME_DIRECT_MAX 200
/* Longest encoded name: base64url of 16 + 255 bytes. */
#define SFS_ENC_NAME_MAX 362
/*
 * Whether a plaintext name of NAMELEN bytes is stored under a stand-in: its
 * encoding, base64url of SFS_SIV_TAG + NAMELEN bytes without padding, is
 * longer than SFS_NAME_DIRECT_MAX. True from 135 bytes on.
 */
static inline bool sfs_name_is_long(size_t namelen)
{
	return (4 * (SFS_SIV_TAG + namelen) + 2) / 3 > SFS_NAME_DIRECT_MAX;
}

#define SFS_DIRIV_NAME "sealfs.diriv"
#define SFS_LONGNAME_PREFIX "sealfs.longname."
#define SFS_NAME_SUFFIX ".name"
#define SFS_LINK_SUFFIX ".link"
/* Temporary names of the offline writer (sealfs encrypt/put/import): an
 * object being written, renamed to its on-disk name once complete. A crash
 * can leave one behind; it is internal (hidden) and may be deleted. */
#define SFS_TMP_PREFIX "sealfs.tmp."

/*
 * Encrypt NAME for the directory whose IV is DIRIV. enc gets the encoded name
 * (up to SFS_ENC_NAME_MAX chars + NUL); disk gets the on-disk name, which is
 * enc itself or the long-name stand-in (size >= 64). *ret_long tells which.
 * -EINVAL for an invalid name, -ENAMETOOLONG above 255 bytes.
 */
int sfs_name_encrypt(const struct sfs_keys *k, const uint8_t diriv[SFS_DIRIV_LEN],
		     const char *name, size_t namelen, char enc[SFS_ENC_NAME_MAX + 1],
		     char disk[SFS_ENC_NAME_MAX + 1], bool *ret_long);

/*
 * Decrypt an encoded name (not a stand-in) into out (>= 256 bytes, NUL added).
 * -EINVAL when it is not an encoded name, -EBADMSG when it fails authentication.
 */
int sfs_name_decrypt(const struct sfs_keys *k, const uint8_t diriv[SFS_DIRIV_LEN],
		     const char *enc, size_t enclen, char out[SFS_NAME_MAX + 1], size_t *ret_len);

/* The long-name stand-in for an encoded name (out >= 64 bytes). */
void sfs_longname_standin(const char *enc, size_t enclen, char *out);

enum sfs_dirent_kind {
	SFS_DIRENT_NAME,     /* an encrypted name: decrypt it */
	SFS_DIRENT_LONGNAME, /* a stand-in: read its .name side file */
	SFS_DIRENT_INTERNAL, /* sealfs.conf, sealfs.diriv, side files: hide */
	SFS_DIRENT_FOREIGN,  /* anything else: not ours, report */
};
/* Classify an on-disk directory entry name. */
enum sfs_dirent_kind sfs_dirent_classify(const char *disk);

#endif
