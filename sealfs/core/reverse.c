/*
 * reverse.c - keyed-PRF derivations of IVs, file IDs and nonces for reverse
 * mode (sealfs core layer). See reverse.h for the argument.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "crypto.h"
#include "reverse.h"
#include "banned.h"

static int prf(const struct sfs_keys *k, const char *label, const char *path, uint8_t *out,
	       size_t outlen)
{
	uint8_t mac[32];
	int r = sfs_hmac(k->reverse, label, strlen(label) + 1, path, strlen(path), NULL, 0, mac);

	if (!r)
		memcpy(out, mac, outlen);
	sfs_wipe(mac, sizeof(mac));
	return r;
}

int sfs_rev_diriv(const struct sfs_keys *k, const char *path, uint8_t out[SFS_DIRIV_LEN])
{
	return prf(k, "diriv", path, out, SFS_DIRIV_LEN);
}

int sfs_rev_file_id(const struct sfs_keys *k, const char *path, uint8_t out[SFS_FILE_ID_LEN])
{
	return prf(k, "fileid", path, out, SFS_FILE_ID_LEN);
}

int sfs_rev_link_nonce(const struct sfs_keys *k, const char *path, uint8_t out[16])
{
	return prf(k, "link", path, out, 16);
}

int sfs_rev_block_seal(const struct sfs_keys *k, const uint8_t file_key[32],
		       const uint8_t id[SFS_FILE_ID_LEN], uint64_t block, const uint8_t *pt,
		       size_t n, uint8_t *out)
{
	uint8_t pre[6 + SFS_FILE_ID_LEN + 8], mac[32], ad[SFS_FILE_ID_LEN + 8];
	uint64_t be = htobe64(block);
	int r;

	if (n == 0 || n > SFS_BLOCK)
		return -EINVAL;
	memcpy(pre, "nonce", 6);
	memcpy(pre + 6, id, SFS_FILE_ID_LEN);
	memcpy(pre + 6 + SFS_FILE_ID_LEN, &be, 8);
	r = sfs_hmac(k->reverse, pre, sizeof(pre), pt, n, NULL, 0, mac);
	if (r)
		return r;
	memcpy(out, mac, SFS_GCM_NONCE);
	memcpy(ad, id, SFS_FILE_ID_LEN);
	memcpy(ad + SFS_FILE_ID_LEN, &be, 8);
	return sfs_gcm_seal(file_key, out, ad, sizeof(ad), pt, n, out + SFS_GCM_NONCE,
			    out + SFS_GCM_NONCE + n);
}
