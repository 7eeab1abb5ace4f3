/*
 * encfs-names.c - EncFS name coding and symlink targets (sealfs core
 * layer; no FUSE, no logging). See encfs-names.h for the contract and
 * docs/FORMAT.md ("EncFS volumes") for the format.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "encfs-names.h"
#include "banned.h"

static const char b64_alpha[] = ",-0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
static const char b32_alpha[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

static size_t encode_bits(const uint8_t *in, size_t n, unsigned bits, const char *alpha, char *out)
{
	uint32_t acc = 0, mask = (1u << bits) - 1;
	unsigned have = 0;
	size_t o = 0;

	for (size_t i = 0; i < n; i++) {
		acc |= (uint32_t)in[i] << have;
		have += 8;
		while (have >= bits) {
			out[o++] = alpha[acc & mask];
			acc >>= bits;
			have -= bits;
		}
	}
	if (have)
		out[o++] = alpha[acc & mask];
	out[o] = '\0';
	return o;
}

static int b64_value(unsigned char ch)
{
	if (ch == ',')
		return 0;
	if (ch == '-')
		return 1;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 2;
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A' + 12;
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 38;
	return -1;
}

static int b32_value(unsigned char ch)
{
	if (ch >= 'a' && ch <= 'z')
		ch = (unsigned char)(ch - 'a' + 'A');
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= '2' && ch <= '7')
		return ch - '2' + 26;
	return -1;
}

static long decode_bits(const char *in, size_t len, unsigned bits, int (*val)(unsigned char),
			uint8_t *out)
{
	uint32_t acc = 0;
	unsigned have = 0;
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		int v = val((unsigned char)in[i]);
		if (v < 0)
			return -EINVAL;
		acc |= (uint32_t)v << have;
		have += bits;
		while (have >= 8) {
			out[o++] = (uint8_t)acc;
			acc >>= 8;
			have -= 8;
		}
	}
	return (long)o;
}

size_t efs_b64_encode(const uint8_t *in, size_t n, char *out)
{
	return encode_bits(in, n, 6, b64_alpha, out);
}

long efs_b64_decode(const char *in, size_t len, uint8_t *out)
{
	return decode_bits(in, len, 6, b64_value, out);
}

size_t efs_b32_encode(const uint8_t *in, size_t n, char *out)
{
	return encode_bits(in, n, 5, b32_alpha, out);
}

long efs_b32_decode(const char *in, size_t len, uint8_t *out)
{
	return decode_bits(in, len, 5, b32_value, out);
}

static bool is_block(const struct efs_namer *nm)
{
	return nm->kind == EFS_NAMES_BLOCK || nm->kind == EFS_NAMES_BLOCK32;
}

/*
 * Decode one coded name into out (cap bytes with the NUL); SLASH allows '/'
 * in the result (absolute symlink targets are coded as one name).
 */
static int decode_one(const struct efs_namer *nm, const char *enc, size_t len, uint64_t *chain,
		      char *out, size_t cap, size_t *ret_len, bool slash)
{
	uint8_t *raw;
	size_t bs = 0, n, plen;
	uint64_t tmpiv = 0, c = chain ? *chain : 0, m;
	uint16_t mac;
	long r;
	int err;

	if (!len || len > 8192)
		return -EINVAL;
	if (nm->kind == EFS_NAMES_NULL) {
		if (len >= cap)
			return -ENAMETOOLONG;
		memcpy(out, enc, len);
		out[len] = '\0';
		*ret_len = len;
		return 0;
	}
	raw = malloc(len + 8);
	if (!raw)
		return -ENOMEM;
	r = nm->kind == EFS_NAMES_BLOCK32 ? efs_b32_decode(enc, len, raw)
					  : efs_b64_decode(enc, len, raw);
	err = r < 0 ? (int)r : 0;
	if (!err && r <= 2)
		err = -EINVAL;
	if (err)
		goto out;
	n = (size_t)r - 2;
	if (is_block(nm)) {
		bs = efs_key_block_size(nm->key);
		if (n < bs || n % bs) {
			err = -EINVAL;
			goto out;
		}
		if (chain && nm->ver >= 3)
			tmpiv = c;
	} else if (chain && nm->ver >= 2) {
		tmpiv = c;
	}
	if (is_block(nm) || nm->ver >= 1) {
		mac = (uint16_t)(raw[0] << 8 | raw[1]);
		memmove(raw, raw + 2, n);
	} else {
		mac = (uint16_t)(raw[n] << 8 | raw[n + 1]);
	}
	err = is_block(nm) ? efs_block_decode(nm->key, raw, n, (uint64_t)mac ^ tmpiv)
			   : efs_stream_decode(nm->key, raw, n, (uint64_t)mac ^ tmpiv);
	if (err)
		goto out;
	plen = n;
	if (is_block(nm)) {
		unsigned pad = raw[n - 1];
		if (pad < 1 || pad > bs) {
			err = -EBADMSG;
			goto out;
		}
		plen = n - pad;
	}
	err = efs_mac64(nm->key, raw, n, chain ? &c : NULL, &m);
	if (err)
		goto out;
	{
		uint16_t want = efs_fold16(m);
		uint8_t a[2] = {(uint8_t)(want >> 8), (uint8_t)want};
		uint8_t b[2] = {(uint8_t)(mac >> 8), (uint8_t)mac};
		if (CRYPTO_memcmp(a, b, 2)) {
			err = -EBADMSG;
			goto out;
		}
	}
	if (!plen || memchr(raw, '\0', plen) || (!slash && memchr(raw, '/', plen)) ||
	    (!slash &&
	     ((plen == 1 && raw[0] == '.') || (plen == 2 && raw[0] == '.' && raw[1] == '.')))) {
		err = -EBADMSG;
		goto out;
	}
	if (plen >= cap) {
		err = -ENAMETOOLONG;
		goto out;
	}
	memcpy(out, raw, plen);
	out[plen] = '\0';
	*ret_len = plen;
	if (chain)
		*chain = c;
out:
	OPENSSL_cleanse(raw, len + 8);
	free(raw);
	return err;
}

int efs_name_decode(const struct efs_namer *nm, const char *enc, size_t len, uint64_t *chain,
		    char *out, size_t *ret_len)
{
	return decode_one(nm, enc, len, chain, out, EFS_NAME_MAX + 1, ret_len, false);
}

static int encode_one(const struct efs_namer *nm, const char *name, size_t len, uint64_t *chain,
		      char *out, size_t cap, size_t *ret_len)
{
	uint8_t *raw;
	size_t bs, n = len, olen;
	uint64_t tmpiv = 0, c = chain ? *chain : 0, m;
	uint16_t mac;
	int err;

	if (!len || len > 6000)
		return -EINVAL;
	if (nm->kind == EFS_NAMES_NULL) {
		if (len >= cap)
			return -ENAMETOOLONG;
		memcpy(out, name, len);
		out[len] = '\0';
		*ret_len = len;
		return 0;
	}
	raw = malloc(len + 2 + 16);
	if (!raw)
		return -ENOMEM;
	memcpy(raw + 2, name, len);
	if (is_block(nm)) {
		bs = efs_key_block_size(nm->key);
		unsigned pad = (unsigned)(bs - len % bs);
		memset(raw + 2 + len, (int)pad, pad);
		n = len + pad;
		if (chain && nm->ver >= 3)
			tmpiv = c;
	} else if (chain && nm->ver >= 2) {
		tmpiv = c;
	}
	err = efs_mac64(nm->key, raw + 2, n, chain ? &c : NULL, &m);
	if (err)
		goto out;
	mac = efs_fold16(m);
	err = is_block(nm) ? efs_block_encode(nm->key, raw + 2, n, (uint64_t)mac ^ tmpiv)
			   : efs_stream_encode(nm->key, raw + 2, n, (uint64_t)mac ^ tmpiv);
	if (err)
		goto out;
	if (is_block(nm) || nm->ver >= 1) {
		raw[0] = (uint8_t)(mac >> 8);
		raw[1] = (uint8_t)mac;
	} else {
		memmove(raw, raw + 2, n);
		raw[n] = (uint8_t)(mac >> 8);
		raw[n + 1] = (uint8_t)mac;
	}
	olen = nm->kind == EFS_NAMES_BLOCK32 ? (8 * (n + 2) + 4) / 5 : (8 * (n + 2) + 5) / 6;
	if (olen >= cap) {
		err = -ENAMETOOLONG;
		goto out;
	}
	*ret_len = nm->kind == EFS_NAMES_BLOCK32 ? efs_b32_encode(raw, n + 2, out)
						 : efs_b64_encode(raw, n + 2, out);
	if (chain)
		*chain = c;
out:
	OPENSSL_cleanse(raw, len + 2 + 16);
	free(raw);
	return err;
}

int efs_name_encode(const struct efs_namer *nm, const char *name, size_t len, uint64_t *chain,
		    char *out, size_t *ret_len)
{
	if (len > EFS_NAME_MAX || memchr(name, '/', len))
		return -EINVAL;
	return encode_one(nm, name, len, chain, out, EFS_ENC_NAME_MAX + 1, ret_len);
}

typedef int (*coder_fn)(const struct efs_namer *nm, const char *in, size_t len, uint64_t *chain,
			char *out, size_t cap, size_t *ret_len, bool slash);

static int dec_adapter(const struct efs_namer *nm, const char *in, size_t len, uint64_t *chain,
		       char *out, size_t cap, size_t *ret_len, bool slash)
{
	return decode_one(nm, in, len, chain, out, cap, ret_len, slash);
}

static int enc_adapter(const struct efs_namer *nm, const char *in, size_t len, uint64_t *chain,
		       char *out, size_t cap, size_t *ret_len, bool slash)
{
	(void)slash;
	return encode_one(nm, in, len, chain, out, cap, ret_len);
}

/* The path coding of symlink targets, in either direction. */
static long link_code(const struct efs_namer *nm, int chained, const char *in, size_t len,
		      char *out, size_t cap, bool decode)
{
	coder_fn fn = decode ? dec_adapter : enc_adapter;
	uint64_t iv = 0;
	size_t o = 0, n;
	int err;

	if (!len || cap < 2)
		return -EINVAL;
	if (decode ? in[0] == '+' : in[0] == '/') {
		out[0] = decode ? '/' : '+';
		if (len == 1)
			return -EINVAL;
		err = fn(nm, in + 1, len - 1, NULL, out + 1, cap - 1, &n, true);
		return err ? err : (long)(n + 1);
	}
	for (size_t i = 0; i < len;) {
		const char *p = in + i;
		const char *slash = memchr(p, '/', len - i);
		size_t cl = slash ? (size_t)(slash - p) : len - i;
		i += cl + 1;
		if (!cl)
			continue;
		if (o) {
			if (o + 1 >= cap)
				return -ENAMETOOLONG;
			out[o++] = '/';
		}
		if ((cl == 1 && p[0] == '.') || (cl == 2 && p[0] == '.' && p[1] == '.')) {
			if (o + cl >= cap)
				return -ENAMETOOLONG;
			memcpy(out + o, p, cl);
			o += cl;
			continue;
		}
		err = fn(nm, p, cl, chained ? &iv : NULL, out + o, cap - o, &n, false);
		if (err)
			return err;
		o += n;
	}
	if (!o)
		return -EINVAL;
	out[o] = '\0';
	return (long)o;
}

long efs_link_decode(const struct efs_namer *nm, int chained, const char *stored, size_t len,
		     char *out, size_t cap)
{
	return link_code(nm, chained, stored, len, out, cap, true);
}

long efs_link_encode(const struct efs_namer *nm, int chained, const char *target, size_t len,
		     char *out, size_t cap)
{
	return link_code(nm, chained, target, len, out, cap, false);
}
