/*
 * fuzz-name.c - fuzz target: everything that decodes names and metadata read
 * from the ciphertext tree, on arbitrary bytes with a fixed key (tests layer;
 * sealfs/core/names.h, meta.h, crypto.h base64url).
 *
 * The input goes whole to sfs_name_decrypt, sfs_dirent_classify (as a C
 * string), sfs_link_decrypt, sfs_b64_decode, sfs_xattr_name_decrypt and
 * sfs_xattr_value_decrypt. Checks: documented error codes only, and whatever
 * decodes is canonical: re-encoding it gives back the input byte for byte (a
 * name or xattr name re-encrypts to the same string, base64url re-encodes to
 * the same text, a symlink re-encrypts under its own nonce to the same text).
 * Corpus: fuzz/corpus/name/.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "keys.h"
#include "meta.h"
#include "names.h"
#include "banned.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The fuzz key: master key 0..31 and directory IV 0x10..0x1f (as in the corpus). */
static struct sfs_keys *keys;
static const uint8_t diriv[SFS_DIRIV_LEN] = {0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17,
					     0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f};

static void setup(void)
{
	uint8_t master[SFS_MASTER_KEY_LEN];

	if (keys)
		return;
	for (int i = 0; i < SFS_MASTER_KEY_LEN; i++)
		master[i] = (uint8_t)i;
	if (sfs_keys_new(master, &keys))
		abort();
}

static void fuzz_name(const char *in, size_t n)
{
	char out[SFS_NAME_MAX + 1], enc[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1];
	size_t len = 0;
	bool lng;
	int r = sfs_name_decrypt(keys, diriv, in, n, out, &len);

	if (r != 0 && r != -EINVAL && r != -EBADMSG)
		abort();
	if (r)
		return;
	if (len == 0 || len > SFS_NAME_MAX || out[len] || memchr(out, '/', len) ||
	    strlen(out) != len)
		abort();
	if (sfs_name_encrypt(keys, diriv, out, len, enc, disk, &lng))
		abort();
	if (strlen(enc) != n || memcmp(enc, in, n))
		abort();
}

static void fuzz_classify(const char *s)
{
	enum sfs_dirent_kind k = sfs_dirent_classify(s);

	if (k != SFS_DIRENT_NAME && k != SFS_DIRENT_LONGNAME && k != SFS_DIRENT_INTERNAL &&
	    k != SFS_DIRENT_FOREIGN)
		abort();
	/* Names with a '.' are never encrypted names. */
	if (k == SFS_DIRENT_NAME && strchr(s, '.'))
		abort();
}

static void fuzz_link(const char *in, size_t n)
{
	static char out[SFS_LINK_MAX + 1], enc[SFS_ENC_LINK_MAX + 1];
	static uint8_t raw[SFS_ENC_LINK_MAX];
	long r = sfs_link_decrypt(keys, in, n, out), e;

	if (r < 0) {
		if (r != -EINVAL && r != -EBADMSG)
			abort();
		return;
	}
	if (r == 0 || r > SFS_LINK_MAX || out[r])
		abort();
	/* Re-encrypt under the nonce it carries: the same text comes back. */
	if (sfs_b64_decode(in, n, raw) < 16)
		abort();
	e = sfs_link_encrypt(keys, out, (size_t)r, raw, enc);
	if (e != (long)n || memcmp(enc, in, n))
		abort();
}

static void fuzz_b64(const char *in, size_t n)
{
	uint8_t *out = malloc(3 * n / 4 + 1);
	char *enc = malloc(n + 4);
	long r;

	if (!out || !enc)
		abort();
	r = sfs_b64_decode(in, n, out);
	if (r >= 0) {
		if ((size_t)r > 3 * n / 4 || sfs_b64_encode(out, (size_t)r, enc) != n ||
		    memcmp(enc, in, n))
			abort();
	} else if (r != -EINVAL) {
		abort();
	}
	free(out);
	free(enc);
}

static void fuzz_xattr(const char *s, const uint8_t *data, size_t size)
{
	char out[256], again[256];
	uint8_t *val;
	int r = sfs_xattr_name_decrypt(keys, s, out, sizeof(out));

	if (r != 0 && r != -EINVAL)
		abort();
	if (r == 0) {
		if (strncmp(out, "user.", 5) || strlen(out) <= 5)
			abort();
		if (sfs_xattr_name_encrypt(keys, out, again, sizeof(again)) || strcmp(again, s))
			abort();
	}
	val = malloc(size + 1);
	if (!val)
		abort();
	r = sfs_xattr_value_decrypt(keys, "user.fuzz", data, size, val);
	if (r != 0 && r != -EBADMSG)
		abort();
	free(val);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s;

	setup();
	if (size > 8192)
		return 0;
	s = malloc(size + 1);
	if (!s)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';

	fuzz_name((const char *)data, size);
	fuzz_classify(s);
	fuzz_link((const char *)data, size);
	fuzz_b64((const char *)data, size);
	fuzz_xattr(s, data, size);
	free(s);
	return 0;
}
