/*
 * fuzz-encfs.c - fuzz target: everything of the EncFS reader that parses
 * bytes from a volume, with a fixed key (tests layer; sealfs/core
 * encfs-config.h, encfs-names.h).
 *
 * The first input byte picks the parser, the rest is its input: 'X' the V6
 * XML config, '5' / '4' the V5 / V4 binary config, 'b' 'B' 's' 'n' a name
 * for the block, block32, stream and null coders (chained from IV 0), 'l' a
 * stored symlink target. Checks: documented error codes only; a config that
 * parses is valid by efs_config_validate and its V5 serialisation parses to
 * the same fields; a name or target that decodes re-encodes to a string that
 * decodes to the same plaintext. Corpus: fuzz/corpus/encfs/.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encfs-config.h"
#include "encfs-crypto.h"
#include "encfs-names.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct efs_key *key;

static void setup(void)
{
	uint8_t k[32], iv[16];

	if (key)
		return;
	for (int i = 0; i < 32; i++)
		k[i] = (uint8_t)i;
	for (int i = 0; i < 16; i++)
		iv[i] = (uint8_t)(0xa0 + i);
	if (efs_key_new(efs_cipher_lookup("ssl/aes"), 3, k, 32, iv, &key))
		abort();
}

static void config(unsigned type, const char *in, size_t n)
{
	struct efs_config c, c2;
	const char *why = NULL;
	uint8_t buf[4096];
	int r = efs_config_parse(type, in, n, &c, &why);
	long w;

	if (r != 0 && r != -EINVAL && r != -ENOTSUP)
		abort();
	if (r) {
		if (!why)
			abort();
		return;
	}
	if (efs_config_validate(&c, &why))
		abort();
	if (c.type != 5 || c.subversion < 20040813)
		return;
	w = efs_config_write_v5(&c, buf, sizeof(buf));
	if (w < 0 || efs_config_parse(5, (const char *)buf, (size_t)w, &c2, &why))
		abort();
	if (c2.key_bits != c.key_bits || c2.block_size != c.block_size ||
	    c2.keydata_len != c.keydata_len || memcmp(c2.keydata, c.keydata, c.keydata_len) ||
	    strcmp(c2.cipher.name, c.cipher.name) || c2.unique_iv != c.unique_iv)
		abort();
}

static void name(enum efs_naming kind, const char *in, size_t n)
{
	struct efs_namer nm = {.kind = kind, .ver = kind == EFS_NAMES_STREAM ? 2 : 4, .key = key};
	char out[EFS_NAME_MAX + 1], enc[EFS_ENC_NAME_MAX + 1], back[EFS_NAME_MAX + 1];
	uint64_t c1 = 0, c2 = 0, c3 = 0;
	size_t ol, el, bl;
	int r = efs_name_decode(&nm, in, n, &c1, out, &ol);

	if (r != 0 && r != -EINVAL && r != -EBADMSG && r != -ENAMETOOLONG)
		abort();
	if (r)
		return;
	if (efs_name_encode(&nm, out, ol, &c2, enc, &el))
		return; /* a name longer than the coders write */
	if (efs_name_decode(&nm, enc, el, &c3, back, &bl) || bl != ol || memcmp(back, out, ol) ||
	    c1 != c2 || c2 != c3)
		abort();
}

static void link_target(const char *in, size_t n)
{
	struct efs_namer nm = {.kind = EFS_NAMES_BLOCK, .ver = 4, .key = key};
	static char out[8192], enc[16384], back[8192];
	long r = efs_link_decode(&nm, 1, in, n, out, sizeof(out)), e;

	if (r < 0 && r != -EINVAL && r != -EBADMSG && r != -ENAMETOOLONG)
		abort();
	if (r <= 0)
		return;
	e = efs_link_encode(&nm, 1, out, (size_t)r, enc, sizeof(enc));
	if (e <= 0)
		return;
	if (efs_link_decode(&nm, 1, enc, (size_t)e, back, sizeof(back)) != r ||
	    memcmp(back, out, (size_t)r))
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *in = (const char *)data + 1;
	size_t n = size ? size - 1 : 0;

	setup();
	if (!size || n > 65536)
		return 0;
	switch (data[0]) {
	case 'X':
		config(6, in, n);
		break;
	case '5':
		config(5, in, n);
		break;
	case '4':
		config(4, in, n);
		break;
	case 'b':
		name(EFS_NAMES_BLOCK, in, n);
		break;
	case 'B':
		name(EFS_NAMES_BLOCK32, in, n);
		break;
	case 's':
		name(EFS_NAMES_STREAM, in, n);
		break;
	case 'n':
		name(EFS_NAMES_NULL, in, n);
		break;
	case 'l':
		link_target(in, n);
		break;
	}
	return 0;
}
