/*
 * content.c - header MAC and content block AEAD (sealfs core layer).
 * See content.h for the layout and docs/FORMAT.md for the argument.
 */
#include <endian.h>
#include <errno.h>
#include <string.h>

#include "crypto.h"
#include "content.h"
#include "banned.h"

static const uint8_t magic[4] = {'s', 'f', 's', '1'};

int sfs_header_seal(const struct sfs_keys *k, const struct sfs_header *h,
		    const struct sfs_binding *b, uint8_t out[SFS_HDR_LEN])
{
	uint16_t flags = h->flags;
	uint8_t mac[32];
	uint64_t be;
	int r;

	if (flags & ~SFS_HDR_KNOWN)
		return -EINVAL;
	if (!b)
		flags |= SFS_HDR_UNBOUND;
	memcpy(out, magic, 4);
	out[4] = (uint8_t)(flags >> 8);
	out[5] = (uint8_t)flags;
	out[6] = out[7] = 0;
	memcpy(out + 8, h->id, SFS_FILE_ID_LEN);
	be = htobe64(h->size);
	memcpy(out + 24, &be, 8);
	if (flags & SFS_HDR_UNBOUND)
		r = sfs_hmac(k->header, out, 32, NULL, 0, NULL, 0, mac);
	else
		r = sfs_hmac(k->header, out, 32, b->diriv, SFS_DIRIV_LEN, b->name, b->namelen, mac);
	if (r)
		return r;
	memcpy(out + 32, mac, 16);
	return 0;
}

int sfs_header_open(const struct sfs_keys *k, const uint8_t in[SFS_HDR_LEN],
		    const struct sfs_binding *b, struct sfs_header *ret)
{
	uint16_t flags;
	uint8_t mac[32];
	uint64_t be;
	int r;

	if (memcmp(in, magic, 4) || in[6] || in[7])
		return -EINVAL;
	flags = (uint16_t)(in[4] << 8 | in[5]);
	if (flags & ~SFS_HDR_KNOWN)
		return -EINVAL;
	if ((flags & SFS_HDR_UNBOUND) || !b)
		r = sfs_hmac(k->header, in, 32, NULL, 0, NULL, 0, mac);
	else
		r = sfs_hmac(k->header, in, 32, b->diriv, SFS_DIRIV_LEN, b->name, b->namelen, mac);
	if (r)
		return r;
	if (sfs_memeq_ct(mac, in + 32, 16))
		return -EBADMSG;
	ret->flags = flags;
	memcpy(ret->id, in + 8, SFS_FILE_ID_LEN);
	memcpy(&be, in + 24, 8);
	ret->size = be64toh(be);
	return 0;
}

uint64_t sfs_cipher_size(uint64_t plain)
{
	uint64_t full = plain / SFS_BLOCK, rem = plain % SFS_BLOCK;

	return SFS_HDR_LEN + full * SFS_CBLOCK + (rem ? rem + SFS_BLOCK_OVERHEAD : 0);
}

int sfs_plain_size(uint64_t cipher, uint64_t *ret)
{
	uint64_t body, full, rem;

	if (cipher < SFS_HDR_LEN)
		return -EINVAL;
	body = cipher - SFS_HDR_LEN;
	full = body / SFS_CBLOCK;
	rem = body % SFS_CBLOCK;
	if (rem && rem <= SFS_BLOCK_OVERHEAD)
		return -EINVAL;
	*ret = full * SFS_BLOCK + (rem ? rem - SFS_BLOCK_OVERHEAD : 0);
	return 0;
}

static void block_ad(const uint8_t id[SFS_FILE_ID_LEN], uint64_t block, uint8_t ad[24])
{
	uint64_t be = htobe64(block);

	memcpy(ad, id, SFS_FILE_ID_LEN);
	memcpy(ad + SFS_FILE_ID_LEN, &be, 8);
}

int sfs_block_seal(const uint8_t file_key[32], const uint8_t id[SFS_FILE_ID_LEN], uint64_t block,
		   const uint8_t *pt, size_t n, uint8_t *out)
{
	uint8_t ad[24];
	int r;

	if (n == 0 || n > SFS_BLOCK)
		return -EINVAL;
	r = sfs_random(out, SFS_GCM_NONCE);
	if (r)
		return r;
	block_ad(id, block, ad);
	return sfs_gcm_seal(file_key, out, ad, sizeof(ad), pt, n, out + SFS_GCM_NONCE,
			    out + SFS_GCM_NONCE + n);
}

static bool all_zero(const uint8_t *p, size_t n)
{
	uint8_t acc = 0;

	for (size_t i = 0; i < n; i++)
		acc |= p[i];
	return acc == 0;
}

int sfs_block_open(const uint8_t file_key[32], const uint8_t id[SFS_FILE_ID_LEN], uint64_t block,
		   const uint8_t *in, size_t clen, bool sparse_ok, uint8_t *out)
{
	uint8_t ad[24];
	size_t n;
	int r;

	if (clen <= SFS_BLOCK_OVERHEAD || clen > SFS_CBLOCK)
		return -EINVAL;
	n = clen - SFS_BLOCK_OVERHEAD;
	block_ad(id, block, ad);
	r = sfs_gcm_open(file_key, in, ad, sizeof(ad), in + SFS_GCM_NONCE, n,
			 in + SFS_GCM_NONCE + n, out);
	if (r == -EBADMSG && sparse_ok && all_zero(in, clen)) {
		memset(out, 0, n);
		return 0;
	}
	return r;
}
