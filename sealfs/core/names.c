/*
 * names.c - AES-SIV name encryption and long-name stand-ins (sealfs core
 * layer). See names.h.
 */
#include <errno.h>
#include <string.h>

#include "crypto.h"
#include "names.h"
#include "banned.h"

static bool valid_name(const char *name, size_t len)
{
	if (len == 0 || memchr(name, '/', len) || memchr(name, '\0', len))
		return false;
	if ((len == 1 && name[0] == '.') || (len == 2 && name[0] == '.' && name[1] == '.'))
		return false;
	return true;
}

void sfs_longname_standin(const char *enc, size_t enclen, char *out)
{
	uint8_t digest[32];
	size_t plen = sizeof(SFS_LONGNAME_PREFIX) - 1;

	sfs_sha256(enc, enclen, digest);
	memcpy(out, SFS_LONGNAME_PREFIX, plen);
	sfs_b64_encode(digest, sizeof(digest), out + plen);
}

int sfs_name_encrypt(const struct sfs_keys *k, const uint8_t diriv[SFS_DIRIV_LEN],
		     const char *name, size_t namelen, char enc[SFS_ENC_NAME_MAX + 1],
		     char disk[SFS_ENC_NAME_MAX + 1], bool *ret_long)
{
	uint8_t ct[SFS_SIV_TAG + SFS_NAME_MAX];
	size_t elen;
	int r;

	if (namelen > SFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (!valid_name(name, namelen))
		return -EINVAL;
	r = sfs_siv_seal(k->names, sizeof(k->names), diriv, SFS_DIRIV_LEN, NULL, 0,
			 (const uint8_t *)name, namelen, ct);
	if (r)
		return r;
	elen = sfs_b64_encode(ct, SFS_SIV_TAG + namelen, enc);
	if (elen > SFS_NAME_DIRECT_MAX) {
		sfs_longname_standin(enc, elen, disk);
		*ret_long = true;
	} else {
		memcpy(disk, enc, elen + 1);
		*ret_long = false;
	}
	return 0;
}

int sfs_name_decrypt(const struct sfs_keys *k, const uint8_t diriv[SFS_DIRIV_LEN],
		     const char *enc, size_t enclen, char out[SFS_NAME_MAX + 1], size_t *ret_len)
{
	uint8_t ct[SFS_SIV_TAG + SFS_NAME_MAX + 3];
	long n;
	int r;

	if (enclen < 2 || enclen > SFS_ENC_NAME_MAX)
		return -EINVAL;
	n = sfs_b64_decode(enc, enclen, ct);
	if (n < 0)
		return -EINVAL;
	if (n <= SFS_SIV_TAG || n > SFS_SIV_TAG + SFS_NAME_MAX)
		return -EINVAL;
	r = sfs_siv_open(k->names, sizeof(k->names), diriv, SFS_DIRIV_LEN, NULL, 0, ct,
			 (size_t)n, (uint8_t *)out);
	if (r)
		return r;
	n -= SFS_SIV_TAG;
	out[n] = '\0';
	if (!valid_name(out, (size_t)n))
		return -EBADMSG;
	*ret_len = (size_t)n;
	return 0;
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);
	return len >= sl && !memcmp(s + len - sl, suffix, sl);
}

enum sfs_dirent_kind sfs_dirent_classify(const char *disk)
{
	size_t len = strlen(disk);
	size_t plen = sizeof(SFS_LONGNAME_PREFIX) - 1;

	if (!strncmp(disk, SFS_LONGNAME_PREFIX, plen)) {
		if (len == plen + 43)
			return SFS_DIRENT_LONGNAME;
		if (ends_with(disk, len, SFS_NAME_SUFFIX) || ends_with(disk, len, SFS_LINK_SUFFIX))
			return SFS_DIRENT_INTERNAL;
		return SFS_DIRENT_FOREIGN;
	}
	if (!strcmp(disk, "sealfs.conf") || !strcmp(disk, SFS_DIRIV_NAME) ||
	    !strncmp(disk, SFS_TMP_PREFIX, sizeof(SFS_TMP_PREFIX) - 1))
		return SFS_DIRENT_INTERNAL;
	if (!strchr(disk, '.'))
		return SFS_DIRENT_NAME;
	if (ends_with(disk, len, SFS_LINK_SUFFIX) && !memchr(disk, '.', len - 5))
		return SFS_DIRENT_INTERNAL;
	return SFS_DIRENT_FOREIGN;
}
