/*
 * fuzz-block.c - fuzz target: content block and file header parsing on
 * arbitrary bytes with a fixed key (tests layer; sealfs/core/content.h).
 *
 * Input: byte 0 = options (bit 0: sparse_ok, bit 1: open the header bound to
 * a fixed name, bit 2: use block number 0 instead of bytes 1..8), bytes 1..8 =
 * block number (big-endian), the rest = the block (and its first 48 bytes the
 * header). Checks: documented error codes only; a block that opens re-seals
 * and opens to the same plaintext; an all-zero block opens only as a hole; a
 * header that opens re-seals to the same 48 bytes; the size mappings are
 * inverse on valid sizes. Corpus: fuzz/corpus/block/.
 */
#include <endian.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "content.h"
#include "keys.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzz key: master key 0..31, file id 0xa0..0xaf (as in the corpus). */
static struct sfs_keys *keys;
static uint8_t file_key[32];
static const uint8_t file_id[SFS_FILE_ID_LEN] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
						 0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};

static void setup(void)
{
	uint8_t master[SFS_MASTER_KEY_LEN];

	if (keys)
		return;
	for (int i = 0; i < SFS_MASTER_KEY_LEN; i++)
		master[i] = (uint8_t)i;
	if (sfs_keys_new(master, &keys) || sfs_keys_file_key(keys, file_id, file_key))
		abort();
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void fuzz_header(const uint8_t *in, bool bound)
{
	static const uint8_t diriv[SFS_DIRIV_LEN] = {1, 2,  3,	4,  5,	6,  7,	8,
						     9, 10, 11, 12, 13, 14, 15, 16};
	struct sfs_binding b = {.name = "fuzz.txt", .namelen = 8};
	struct sfs_header h;
	uint8_t again[SFS_HDR_LEN];
	int r;

	memcpy(b.diriv, diriv, sizeof(diriv));
	r = sfs_header_open(keys, in, bound ? &b : NULL, &h);
	if (r != 0 && r != -EINVAL && r != -EBADMSG)
		abort();
	if (r)
		return;
	if (h.flags & ~SFS_HDR_KNOWN)
		abort();
	/* What opens is exactly what sealing the parsed header gives. */
	if (sfs_header_seal(keys, &h, (h.flags & SFS_HDR_UNBOUND) || !bound ? NULL : &b, again))
		abort();
	if (memcmp(again, in, SFS_HDR_LEN))
		abort();
}

static void fuzz_sizes(uint64_t x)
{
	uint64_t p;

	if (sfs_plain_size(x, &p) == 0) {
		if (sfs_cipher_size(p) != x)
			abort();
	}
	p = x & (SFS_MAX_FILE_SIZE * 2 - 1);
	if (p <= SFS_MAX_FILE_SIZE) {
		uint64_t back;
		if (sfs_plain_size(sfs_cipher_size(p), &back) || back != p)
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint8_t out[SFS_BLOCK], back[SFS_BLOCK], again[SFS_CBLOCK];
	uint64_t block = 0, be;
	bool sparse_ok;
	uint8_t opts;
	size_t clen;
	int r;

	setup();
	if (size < 9)
		return 0;
	opts = data[0];
	sparse_ok = opts & 1;
	memcpy(&be, data + 1, 8);
	if (!(opts & 4))
		block = be64toh(be);
	fuzz_sizes(be64toh(be));
	data += 9;
	size -= 9;
	if (size >= SFS_HDR_LEN)
		fuzz_header(data, opts & 2);

	r = sfs_block_open(file_key, file_id, block, data, size, sparse_ok, out);
	if (size <= SFS_BLOCK_OVERHEAD || size > SFS_CBLOCK) {
		if (r != -EINVAL)
			abort();
		return 0;
	}
	clen = size - SFS_BLOCK_OVERHEAD;
	if (r == -EBADMSG)
		return 0;
	if (r)
		abort();
	if (all_zero(data, size)) {
		/* Only a hole may be all zero, and it reads as zeros. */
		if (!sparse_ok || !all_zero(out, clen))
			abort();
		return 0;
	}
	/* A block that opened seals and opens again to the same plaintext. */
	if (sfs_block_seal(file_key, file_id, block, out, clen, again))
		abort();
	if (sfs_block_open(file_key, file_id, block, again, size, false, back) ||
	    memcmp(back, out, clen))
		abort();
	/* And it belongs to this block number only. */
	if (sfs_block_open(file_key, file_id, block + 1, data, size, false, back) != -EBADMSG)
		abort();
	return 0;
}
