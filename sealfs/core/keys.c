/*
 * keys.c - HKDF subkey derivation from the master key (sealfs core layer).
 * See keys.h for the labels.
 */
#include <errno.h>
#include <string.h>

#include "crypto.h"
#include "keys.h"
#include "banned.h"

int sfs_keys_new(const uint8_t master[SFS_MASTER_KEY_LEN], struct sfs_keys **ret)
{
	struct sfs_keys *k = sfs_secure_alloc(sizeof(*k));
	const uint8_t *m = master;
	int r = 0;

	if (!k)
		return -ENOMEM;
	memcpy(k->master, master, SFS_MASTER_KEY_LEN);
	if (!r)
		r = sfs_hkdf(m, 32, "sealfs v1 content", NULL, 0, k->content, sizeof(k->content));
	if (!r)
		r = sfs_hkdf(m, 32, "sealfs v1 header", NULL, 0, k->header, sizeof(k->header));
	if (!r)
		r = sfs_hkdf(m, 32, "sealfs v1 names", NULL, 0, k->names, sizeof(k->names));
	if (!r)
		r = sfs_hkdf(m, 32, "sealfs v1 symlinks", NULL, 0, k->symlinks, sizeof(k->symlinks));
	if (!r)
		r = sfs_hkdf(m, 32, "sealfs v1 xattrs", NULL, 0, k->xattrs, sizeof(k->xattrs));
	if (!r)
		r = sfs_hkdf(m, 32, "sealfs v1 config", NULL, 0, k->config, sizeof(k->config));
	if (!r)
		r = sfs_hkdf(m, 32, "sealfs v1 reverse", NULL, 0, k->reverse, sizeof(k->reverse));
	if (r) {
		sfs_keys_free(k);
		return r;
	}
	*ret = k;
	return 0;
}

void sfs_keys_free(struct sfs_keys *k)
{
	sfs_secure_free(k, sizeof(*k));
}

int sfs_keys_file_key(const struct sfs_keys *k, const uint8_t id[SFS_FILE_ID_LEN],
		      uint8_t out[32])
{
	return sfs_hkdf(k->content, sizeof(k->content), "sealfs v1 file", id, SFS_FILE_ID_LEN,
			out, 32);
}
