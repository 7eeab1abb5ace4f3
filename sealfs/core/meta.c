/*
 * meta.c - symlink target and xattr encryption (sealfs core layer). See meta.h.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "crypto.h"
#include "meta.h"
#include "banned.h"

long sfs_link_encrypt(const struct sfs_keys *k, const char *target, size_t len,
		      const uint8_t *nonce, char *enc)
{
	uint8_t buf[32 + SFS_LINK_MAX];
	int r;

	if (len == 0 || len > SFS_LINK_MAX)
		return -ENAMETOOLONG;
	if (nonce)
		memcpy(buf, nonce, 16);
	else if ((r = sfs_random(buf, 16)))
		return r;
	r = sfs_siv_seal(k->symlinks, sizeof(k->symlinks), buf, 16, NULL, 0,
			 (const uint8_t *)target, len, buf + 16);
	if (r)
		return r;
	return (long)sfs_b64_encode(buf, 32 + len, enc);
}

long sfs_link_decrypt(const struct sfs_keys *k, const char *enc, size_t enclen, char *out)
{
	uint8_t buf[32 + SFS_LINK_MAX + 3];
	long n;
	int r;

	if (enclen > SFS_ENC_LINK_MAX)
		return -EINVAL;
	n = sfs_b64_decode(enc, enclen, buf);
	if (n <= 32 || n > 32 + SFS_LINK_MAX)
		return -EINVAL;
	r = sfs_siv_open(k->symlinks, sizeof(k->symlinks), buf, 16, NULL, 0, buf + 16,
			 (size_t)n - 16, (uint8_t *)out);
	if (r)
		return r;
	out[n - 32] = '\0';
	return n - 32;
}

static const char xname_ad[] = "xattr-name";

int sfs_xattr_name_encrypt(const struct sfs_keys *k, const char *name, char *out, size_t outlen)
{
	uint8_t ct[16 + 256];
	size_t plen = sizeof(SFS_XATTR_PREFIX) - 1, len;
	int r;

	if (strncmp(name, "user.", 5))
		return -ENOTSUP;
	name += 5;
	len = strlen(name);
	if (len == 0)
		return -EINVAL;
	if (len > 255 || plen + (16 + len + 2) / 3 * 4 > 255 || outlen < 256)
		return -ERANGE;
	r = sfs_siv_seal(k->xattrs, sizeof(k->xattrs), (const uint8_t *)xname_ad,
			 sizeof(xname_ad) - 1, NULL, 0, (const uint8_t *)name, len, ct);
	if (r)
		return r;
	memcpy(out, SFS_XATTR_PREFIX, plen);
	sfs_b64_encode(ct, 16 + len, out + plen);
	return 0;
}

int sfs_xattr_name_decrypt(const struct sfs_keys *k, const char *disk, char *out, size_t outlen)
{
	uint8_t ct[16 + 256 + 3];
	size_t plen = sizeof(SFS_XATTR_PREFIX) - 1, elen;
	long n;
	int r;

	if (strncmp(disk, SFS_XATTR_PREFIX, plen))
		return -EINVAL;
	disk += plen;
	elen = strlen(disk);
	if (elen > 256 * 4 / 3 + 4)
		return -EINVAL;
	n = sfs_b64_decode(disk, elen, ct);
	if (n <= 16 || (size_t)n - 16 + 6 > outlen)
		return -EINVAL;
	r = sfs_siv_open(k->xattrs, sizeof(k->xattrs), (const uint8_t *)xname_ad,
			 sizeof(xname_ad) - 1, NULL, 0, ct, (size_t)n, (uint8_t *)out + 5);
	if (r)
		return -EINVAL;
	memcpy(out, "user.", 5);
	out[5 + n - 16] = '\0';
	return 0;
}

int sfs_xattr_value_encrypt(const struct sfs_keys *k, const char *name, const void *v, size_t n,
			    uint8_t *out)
{
	int r = sfs_random(out, 16);

	if (r)
		return r;
	return sfs_siv_seal(k->xattrs, sizeof(k->xattrs), out, 16, (const uint8_t *)name,
			    strlen(name), v, n, out + 16);
}

int sfs_xattr_value_decrypt(const struct sfs_keys *k, const char *name, const uint8_t *in,
			    size_t n, uint8_t *out)
{
	if (n < SFS_XATTR_OVERHEAD)
		return -EBADMSG;
	return sfs_siv_open(k->xattrs, sizeof(k->xattrs), in, 16, (const uint8_t *)name,
			    strlen(name), in + 16, n - 16, out);
}
