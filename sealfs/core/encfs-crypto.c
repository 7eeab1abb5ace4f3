/*
 * encfs-crypto.c - EncFS's ciphers, IV derivation, MACs, stream and block
 * modes and key wrap over OpenSSL 3 (sealfs core layer; no FUSE, no
 * logging). Written from docs/FORMAT.md's EncFS section; see
 * encfs-crypto.h for the contract. Everything is fetched from a private
 * library context that holds the default and legacy providers.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/provider.h>

#include "encfs-crypto.h"
#include "banned.h"

static const struct efs_cipher ciphers[] = {
    {.name = "ssl/aes", .bs = 16, .min_bits = 128, .max_bits = 256, .step_bits = 64},
    {.name = "ssl/blowfish",
     .bs = 8,
     .min_bits = 128,
     .max_bits = 448,
     .step_bits = 32,
     .legacy = true},
    {.name = "ssl/camellia", .bs = 16, .min_bits = 128, .max_bits = 256, .step_bits = 64},
};

struct efs_key {
	const struct efs_cipher *c;
	unsigned iface;
	size_t keylen;
	uint8_t key[EFS_KEY_MAX];
	uint8_t iv[EFS_IV_MAX];
	EVP_CIPHER_CTX *cbc_e, *cbc_d, *cfb_e, *cfb_d;
	EVP_MAC_CTX *mac;
};

static pthread_once_t lib_once = PTHREAD_ONCE_INIT;
static OSSL_LIB_CTX *lib;
static bool have_legacy;

static void lib_init(void)
{
	lib = OSSL_LIB_CTX_new();
	if (!lib)
		return;
	/* Loading any provider turns off the implicit default one: load both. */
	if (!OSSL_PROVIDER_load(lib, "default")) {
		OSSL_LIB_CTX_free(lib);
		lib = NULL;
		return;
	}
	have_legacy = OSSL_PROVIDER_load(lib, "legacy") != NULL;
}

bool efs_legacy_available(void)
{
	pthread_once(&lib_once, lib_init);
	return lib && have_legacy;
}

const struct efs_cipher *efs_cipher_lookup(const char *name)
{
	for (size_t i = 0; i < sizeof(ciphers) / sizeof(ciphers[0]); i++)
		if (!strcmp(ciphers[i].name, name))
			return &ciphers[i];
	return NULL;
}

bool efs_cipher_key_ok(const struct efs_cipher *c, unsigned bits)
{
	return bits >= c->min_bits && bits <= c->max_bits &&
	       (bits - c->min_bits) % c->step_bits == 0;
}

/* Fetch the CBC or CFB cipher of C for a key of KEYLEN bytes. */
static EVP_CIPHER *fetch(const struct efs_cipher *c, size_t keylen, bool cfb)
{
	char name[32];

	pthread_once(&lib_once, lib_init);
	if (!lib)
		return NULL;
	if (c->bs == 8)
		snprintf(name, sizeof(name), "BF-%s", cfb ? "CFB" : "CBC");
	else
		snprintf(name, sizeof(name), "%s-%zu-%s", c->name[4] == 'a' ? "AES" : "CAMELLIA",
			 keylen * 8, cfb ? "CFB" : "CBC");
	return EVP_CIPHER_fetch(lib, name, NULL);
}

static EVP_CIPHER_CTX *ctx_new(EVP_CIPHER *ciph, const uint8_t *key, size_t keylen, int enc)
{
	EVP_CIPHER_CTX *x = EVP_CIPHER_CTX_new();

	if (!x)
		return NULL;
	if (!EVP_CipherInit_ex(x, ciph, NULL, NULL, NULL, enc) ||
	    !EVP_CIPHER_CTX_set_key_length(x, (int)keylen) ||
	    !EVP_CipherInit_ex(x, NULL, NULL, key, NULL, enc) ||
	    !EVP_CIPHER_CTX_set_padding(x, 0)) {
		EVP_CIPHER_CTX_free(x);
		return NULL;
	}
	return x;
}

int efs_key_new(const struct efs_cipher *c, unsigned iface, const uint8_t *key, size_t keylen,
		const uint8_t *iv, struct efs_key **ret)
{
	struct efs_key *k;
	EVP_CIPHER *cbc, *cfb;
	EVP_MAC *mac;
	OSSL_PARAM params[2];
	int err = 0;

	if (!c || keylen > EFS_KEY_MAX || !efs_cipher_key_ok(c, (unsigned)keylen * 8) ||
	    iface < 1 || iface > 3)
		return -EINVAL;
	cbc = fetch(c, keylen, false);
	cfb = fetch(c, keylen, true);
	if (!cbc || !cfb) {
		EVP_CIPHER_free(cbc);
		EVP_CIPHER_free(cfb);
		return -ENOPROTOOPT;
	}
	k = OPENSSL_secure_zalloc(sizeof(*k));
	if (!k) {
		EVP_CIPHER_free(cbc);
		EVP_CIPHER_free(cfb);
		return -ENOMEM;
	}
	k->c = c;
	k->iface = iface;
	k->keylen = keylen;
	memcpy(k->key, key, keylen);
	memcpy(k->iv, iv, c->bs);
	k->cbc_e = ctx_new(cbc, key, keylen, 1);
	k->cbc_d = ctx_new(cbc, key, keylen, 0);
	k->cfb_e = ctx_new(cfb, key, keylen, 1);
	k->cfb_d = ctx_new(cfb, key, keylen, 0);
	EVP_CIPHER_free(cbc);
	EVP_CIPHER_free(cfb);
	mac = EVP_MAC_fetch(lib, "HMAC", NULL);
	if (mac)
		k->mac = EVP_MAC_CTX_new(mac);
	EVP_MAC_free(mac);
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA1", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!k->cbc_e || !k->cbc_d || !k->cfb_e || !k->cfb_d || !k->mac ||
	    !EVP_MAC_init(k->mac, key, keylen, params))
		err = -EIO;
	if (err) {
		efs_key_free(k);
		return err;
	}
	*ret = k;
	return 0;
}

void efs_key_free(struct efs_key *k)
{
	if (!k)
		return;
	EVP_CIPHER_CTX_free(k->cbc_e);
	EVP_CIPHER_CTX_free(k->cbc_d);
	EVP_CIPHER_CTX_free(k->cfb_e);
	EVP_CIPHER_CTX_free(k->cfb_d);
	EVP_MAC_CTX_free(k->mac);
	OPENSSL_secure_clear_free(k, sizeof(*k));
}

unsigned efs_key_block_size(const struct efs_key *k)
{
	return k->c->bs;
}

size_t efs_key_bytes(const struct efs_key *k, const uint8_t **ret_key, const uint8_t **ret_iv)
{
	*ret_key = k->key;
	*ret_iv = k->iv;
	return k->keylen;
}

/* HMAC-SHA1 under the key part over a || b. */
static int hmac(struct efs_key *k, const uint8_t *a, size_t alen, const uint8_t *b, size_t blen,
		uint8_t out[20])
{
	size_t outl = 0;

	if (!EVP_MAC_init(k->mac, NULL, 0, NULL) || !EVP_MAC_update(k->mac, a, alen) ||
	    (blen && !EVP_MAC_update(k->mac, b, blen)) || !EVP_MAC_final(k->mac, out, &outl, 20) ||
	    outl != 20)
		return -EIO;
	return 0;
}

static void le64(uint64_t v, uint8_t out[8])
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (8 * i));
}

int efs_mac64(struct efs_key *k, const uint8_t *data, size_t n, uint64_t *chain, uint64_t *ret)
{
	uint8_t m[20], h[8] = {0}, c[8];
	uint64_t v = 0;
	int err;

	if (chain)
		le64(*chain, c);
	err = hmac(k, data, n, c, chain ? 8 : 0, m);
	if (err)
		return err;
	for (int i = 0; i < 19; i++)
		h[i % 8] ^= m[i];
	for (int i = 0; i < 8; i++)
		v = v << 8 | h[i];
	if (chain)
		*chain = v;
	*ret = v;
	return 0;
}

int efs_ivec(struct efs_key *k, uint64_t seed, uint8_t out[EFS_IV_MAX])
{
	unsigned bs = k->c->bs;

	if (k->iface >= 3) {
		uint8_t m[20], s[8];
		int err;
		le64(seed, s);
		err = hmac(k, k->iv, bs, s, 8, m);
		if (err)
			return err;
		memcpy(out, m, bs);
		return 0;
	}
	/* The old derivation: a 32-bit seed mixed into the volume IV. */
	uint32_t s = (uint32_t)seed;
	uint32_t v1 = 0x060a4011u * s;
	uint32_t v2 = 0x0221040du * (s ^ 0xD3FEA11Cu);
	memcpy(out, k->iv, bs);
	out[0] ^= (uint8_t)(v1 >> 24);
	out[1] ^= (uint8_t)(v2 >> 16);
	out[2] ^= (uint8_t)(v1 >> 8);
	out[3] ^= (uint8_t)v2;
	out[4] ^= (uint8_t)(v2 >> 24);
	out[5] ^= (uint8_t)(v1 >> 16);
	out[6] ^= (uint8_t)(v2 >> 8);
	out[7] ^= (uint8_t)v1;
	if (bs > 8) {
		out[8] ^= (uint8_t)v1;
		out[9] ^= (uint8_t)(v2 >> 8);
		out[10] ^= (uint8_t)(v1 >> 16);
		out[11] ^= (uint8_t)(v2 >> 24);
		out[12] ^= (uint8_t)(v1 >> 24);
		out[13] ^= (uint8_t)(v2 >> 16);
		out[14] ^= (uint8_t)(v1 >> 8);
		out[15] ^= (uint8_t)v2;
	}
	return 0;
}

static int run(struct efs_key *k, EVP_CIPHER_CTX *x, uint8_t *buf, size_t n, uint64_t seed)
{
	uint8_t iv[EFS_IV_MAX];
	int outl = 0, err;

	if (n > (size_t)1 << 30)
		return -EINVAL;
	err = efs_ivec(k, seed, iv);
	if (err)
		return err;
	if (!EVP_CipherInit_ex(x, NULL, NULL, NULL, iv, -1) ||
	    !EVP_CipherUpdate(x, buf, &outl, buf, (int)n) || (size_t)outl != n)
		err = -EIO;
	OPENSSL_cleanse(iv, sizeof(iv));
	return err;
}

static void shuffle(uint8_t *b, size_t n)
{
	for (size_t i = 0; i + 1 < n; i++)
		b[i + 1] ^= b[i];
}

static void unshuffle(uint8_t *b, size_t n)
{
	for (size_t i = n - 1; i > 0; i--)
		b[i] ^= b[i - 1];
}

/* Reverse the bytes in consecutive 64-byte chunks. */
static void flip(uint8_t *b, size_t n)
{
	for (size_t off = 0; off < n; off += 64) {
		size_t len = n - off < 64 ? n - off : 64;
		for (size_t i = 0; i < len / 2; i++) {
			uint8_t t = b[off + i];
			b[off + i] = b[off + len - 1 - i];
			b[off + len - 1 - i] = t;
		}
	}
}

int efs_stream_encode(struct efs_key *k, uint8_t *buf, size_t n, uint64_t iv64)
{
	int err;

	if (!n)
		return -EINVAL;
	shuffle(buf, n);
	err = run(k, k->cfb_e, buf, n, iv64);
	if (err)
		return err;
	flip(buf, n);
	shuffle(buf, n);
	return run(k, k->cfb_e, buf, n, iv64 + 1);
}

int efs_stream_decode(struct efs_key *k, uint8_t *buf, size_t n, uint64_t iv64)
{
	int err;

	if (!n)
		return -EINVAL;
	err = run(k, k->cfb_d, buf, n, iv64 + 1);
	if (err)
		return err;
	unshuffle(buf, n);
	flip(buf, n);
	err = run(k, k->cfb_d, buf, n, iv64);
	if (err)
		return err;
	unshuffle(buf, n);
	return 0;
}

int efs_block_encode(struct efs_key *k, uint8_t *buf, size_t n, uint64_t iv64)
{
	if (!n || n % k->c->bs)
		return -EINVAL;
	return run(k, k->cbc_e, buf, n, iv64);
}

int efs_block_decode(struct efs_key *k, uint8_t *buf, size_t n, uint64_t iv64)
{
	if (!n || n % k->c->bs)
		return -EINVAL;
	return run(k, k->cbc_d, buf, n, iv64);
}

int efs_password_key(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
		     unsigned iterations, uint8_t *out, size_t keylen, size_t ivlen)
{
	size_t need = keylen + ivlen, have = 0;
	uint8_t d[20];
	unsigned dlen = 0;
	int err = 0;

	if (!pwlen || pwlen > (size_t)1 << 20 || need > EFS_KEY_MAX + EFS_IV_MAX)
		return -EINVAL;
	if (saltlen) {
		if (!iterations || iterations > (1u << 30))
			return -EINVAL;
		return PKCS5_PBKDF2_HMAC_SHA1(pw, (int)pwlen, salt, (int)saltlen, (int)iterations,
					      (int)need, out)
			   ? 0
			   : -EIO;
	}
	/* BytesToKey: D_i = SHA1^16(D_{i-1} || pw), concatenated. */
	EVP_MD_CTX *md = EVP_MD_CTX_new();
	EVP_MD *sha1 = EVP_MD_fetch(NULL, "SHA1", NULL);
	if (!md || !sha1) {
		err = -EIO;
		goto out;
	}
	while (have < need) {
		if (!EVP_DigestInit_ex(md, sha1, NULL) ||
		    (dlen && !EVP_DigestUpdate(md, d, dlen)) || !EVP_DigestUpdate(md, pw, pwlen) ||
		    !EVP_DigestFinal_ex(md, d, &dlen)) {
			err = -EIO;
			goto out;
		}
		for (int i = 1; i < 16; i++)
			if (!EVP_Digest(d, dlen, d, &dlen, sha1, NULL)) {
				err = -EIO;
				goto out;
			}
		size_t take = need - have < dlen ? need - have : dlen;
		memcpy(out + have, d, take);
		have += take;
	}
out:
	OPENSSL_cleanse(d, sizeof(d));
	EVP_MD_free(sha1);
	EVP_MD_CTX_free(md);
	return err;
}

int efs_key_unwrap(struct efs_key *u, const struct efs_cipher *c, unsigned iface, const uint8_t *kd,
		   size_t kdlen, size_t keylen, struct efs_key **ret)
{
	uint8_t buf[EFS_KEY_MAX + EFS_IV_MAX], want[4];
	size_t n = keylen + c->bs;
	uint32_t check;
	uint64_t m;
	int err;

	if (kdlen != 4 + n || keylen > EFS_KEY_MAX)
		return -EINVAL;
	check = (uint32_t)kd[0] << 24 | (uint32_t)kd[1] << 16 | (uint32_t)kd[2] << 8 | kd[3];
	memcpy(buf, kd + 4, n);
	err = efs_stream_decode(u, buf, n, check);
	if (!err)
		err = efs_mac64(u, buf, n, NULL, &m);
	if (!err) {
		uint32_t got = efs_fold32(m);
		want[0] = (uint8_t)(got >> 24);
		want[1] = (uint8_t)(got >> 16);
		want[2] = (uint8_t)(got >> 8);
		want[3] = (uint8_t)got;
		if (CRYPTO_memcmp(want, kd, 4))
			err = -EBADMSG;
	}
	if (!err)
		err = efs_key_new(c, iface, buf, keylen, buf + keylen, ret);
	OPENSSL_cleanse(buf, sizeof(buf));
	return err;
}

int efs_key_wrap(struct efs_key *u, const uint8_t *vkey, size_t keylen, const uint8_t *viv,
		 size_t ivlen, uint8_t *kd)
{
	size_t n = keylen + ivlen;
	uint64_t m;
	uint32_t check;
	int err;

	if (n > EFS_KEY_MAX + EFS_IV_MAX)
		return -EINVAL;
	memcpy(kd + 4, vkey, keylen);
	memcpy(kd + 4 + keylen, viv, ivlen);
	err = efs_mac64(u, kd + 4, n, NULL, &m);
	if (err)
		return err;
	check = efs_fold32(m);
	kd[0] = (uint8_t)(check >> 24);
	kd[1] = (uint8_t)(check >> 16);
	kd[2] = (uint8_t)(check >> 8);
	kd[3] = (uint8_t)check;
	return efs_stream_encode(u, kd + 4, n, check);
}
