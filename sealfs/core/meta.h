/*
 * meta.h - encryption of symlink targets and extended attributes (sealfs
 * core layer).
 *
 * Symlink target: AES-256-SIV under the symlinks key with a 16-byte nonce as
 * associated data (random in forward mode, derived in reverse mode), stored
 * as base64url(nonce | tag | ciphertext). When that is longer than
 * SFS_LINK_DIRECT_MAX (a target near PATH_MAX grows past it) the on-disk
 * symlink points at SFS_LONGLINK_TARGET and the encoded target is kept in
 * the side file "<on-disk name>.link".
 *
 * User xattrs: the name after "user." is encrypted deterministically
 * (AES-256-SIV, xattrs key, associated data "xattr-name") and stored as
 * "user.sealfs.<base64url>"; the value as nonce(16) | tag(16) | ciphertext
 * with associated data nonce and the plaintext attribute name.
 */
#ifndef SEALFS_META_H
#define SEALFS_META_H

#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define SFS_LINK_MAX 4095
#define SFS_LINK_DIRECT_MAX 4000
#define SFS_ENC_LINK_MAX 5504 /* base64url of 32 + 4095 bytes, rounded up */
#define SFS_LONGLINK_TARGET "sealfs.longlink"
#define SFS_XATTR_PREFIX "user.sealfs."
#define SFS_XATTR_OVERHEAD 32

/*
 * Encrypt TARGET (1..4095 bytes). NONCE is 16 bytes or NULL for random.
 * enc must hold SFS_ENC_LINK_MAX + 1 bytes; returns encoded length or -errno.
 */
long sfs_link_encrypt(const struct sfs_keys *k, const char *target, size_t len,
		      const uint8_t *nonce, char *enc);
/* Decrypt into out (SFS_LINK_MAX + 1 bytes, NUL added). Length or -errno. */
long sfs_link_decrypt(const struct sfs_keys *k, const char *enc, size_t enclen, char *out);

/* "user.X" -> "user.sealfs.<enc>" into out (outlen >= 256). -ENOTSUP for other
 * namespaces, -ERANGE when the result would exceed 255 bytes. */
int sfs_xattr_name_encrypt(const struct sfs_keys *k, const char *name, char *out, size_t outlen);
/* Inverse; -EINVAL for a name that is not one of ours (then hide it). */
int sfs_xattr_name_decrypt(const struct sfs_keys *k, const char *disk, char *out, size_t outlen);
/* Value: out gets n + SFS_XATTR_OVERHEAD bytes. */
int sfs_xattr_value_encrypt(const struct sfs_keys *k, const char *name, const void *v, size_t n,
			    uint8_t *out);
/* Value: in is n >= SFS_XATTR_OVERHEAD bytes, out gets n - SFS_XATTR_OVERHEAD. */
int sfs_xattr_value_decrypt(const struct sfs_keys *k, const char *name, const uint8_t *in,
			    size_t n, uint8_t *out);

#endif
