/*
 * crypto.c - AES-GCM, AES-SIV, HKDF, HMAC, scrypt and secret memory over
 * OpenSSL 3.0 EVP (sealfs core layer). See crypto.h for the contract.
 * Cipher objects are fetched once; cipher contexts are per thread.
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>

#include "crypto.h"
#include "banned.h"

static pthread_once_t fetch_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *siv256, *siv128;
static EVP_MAC *hmac_alg, *cmac_alg;
static EVP_KDF *hkdf_alg;

static void fetch_all(void)
{
	siv256 = EVP_CIPHER_fetch(NULL, "AES-256-SIV", NULL);
	siv128 = EVP_CIPHER_fetch(NULL, "AES-128-SIV", NULL);
	hmac_alg = EVP_MAC_fetch(NULL, "HMAC", NULL);
	cmac_alg = EVP_MAC_fetch(NULL, "CMAC", NULL);
	hkdf_alg = EVP_KDF_fetch(NULL, "HKDF", NULL);
}

static __thread EVP_CIPHER_CTX *gcm_ctx;
static __thread EVP_CIPHER_CTX *siv_ctx;
static pthread_key_t ctx_key;
static pthread_once_t ctx_key_once = PTHREAD_ONCE_INIT;

struct thread_ctxs {
	EVP_CIPHER_CTX **gcm, **siv;
};

static void free_thread_ctxs(void *p)
{
	struct thread_ctxs *t = p;
	EVP_CIPHER_CTX_free(*t->gcm);
	EVP_CIPHER_CTX_free(*t->siv);
	*t->gcm = *t->siv = NULL;
	free(t);
}

static void make_ctx_key(void)
{
	pthread_key_create(&ctx_key, free_thread_ctxs);
}

/* Per-thread contexts, freed when the thread exits. */
static EVP_CIPHER_CTX *thread_ctx(EVP_CIPHER_CTX **slot)
{
	if (!*slot) {
		pthread_once(&ctx_key_once, make_ctx_key);
		if (!pthread_getspecific(ctx_key)) {
			struct thread_ctxs *t = malloc(sizeof(*t));
			if (!t)
				return NULL;
			t->gcm = &gcm_ctx;
			t->siv = &siv_ctx;
			pthread_setspecific(ctx_key, t);
		}
		*slot = EVP_CIPHER_CTX_new();
	}
	return *slot;
}

int sfs_random(void *buf, size_t n)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = getrandom((char *)buf + done, n - done, 0);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		done += (size_t)r;
	}
	return 0;
}

int sfs_hkdf(const uint8_t *ikm, size_t ikmlen, const char *label, const uint8_t *info2,
	     size_t info2len, uint8_t *out, size_t outlen)
{
	uint8_t info[256];
	size_t llen = strlen(label);
	EVP_KDF_CTX *kctx;
	OSSL_PARAM params[4];
	int ok;

	if (llen + info2len > sizeof(info))
		return -EINVAL;
	pthread_once(&fetch_once, fetch_all);
	if (!hkdf_alg)
		return -EIO;
	memcpy(info, label, llen);
	if (info2len)
		memcpy(info + llen, info2, info2len);
	kctx = EVP_KDF_CTX_new(hkdf_alg);
	if (!kctx)
		return -ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY, (void *)ikm, ikmlen);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO, info, llen + info2len);
	params[3] = OSSL_PARAM_construct_end();
	ok = EVP_KDF_derive(kctx, out, outlen, params);
	EVP_KDF_CTX_free(kctx);
	sfs_wipe(info, sizeof(info));
	return ok == 1 ? 0 : -EIO;
}

int sfs_hmac(const uint8_t key[32], const void *a, size_t alen, const void *b, size_t blen,
	     const void *c, size_t clen, uint8_t out[32])
{
	EVP_MAC_CTX *mctx;
	OSSL_PARAM params[2];
	size_t outl = 0;
	int ok;

	pthread_once(&fetch_once, fetch_all);
	if (!hmac_alg)
		return -EIO;
	mctx = EVP_MAC_CTX_new(hmac_alg);
	if (!mctx)
		return -ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, (char *)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = EVP_MAC_init(mctx, key, 32, params) == 1;
	if (ok && a && alen)
		ok = EVP_MAC_update(mctx, a, alen) == 1;
	if (ok && b && blen)
		ok = EVP_MAC_update(mctx, b, blen) == 1;
	if (ok && c && clen)
		ok = EVP_MAC_update(mctx, c, clen) == 1;
	if (ok)
		ok = EVP_MAC_final(mctx, out, &outl, 32) == 1 && outl == 32;
	EVP_MAC_CTX_free(mctx);
	return ok ? 0 : -EIO;
}

int sfs_sha256(const void *data, size_t len, uint8_t out[32])
{
	unsigned int outl = 0;

	if (EVP_Digest(data, len, out, &outl, EVP_sha256(), NULL) != 1 || outl != 32)
		return -EIO;
	return 0;
}

struct sfs_sha256_ctx *sfs_sha256_new(void)
{
	EVP_MD_CTX *x = EVP_MD_CTX_new();

	if (x && EVP_DigestInit_ex(x, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(x);
		x = NULL;
	}
	return (struct sfs_sha256_ctx *)x;
}

int sfs_sha256_update(struct sfs_sha256_ctx *h, const void *data, size_t len)
{
	return EVP_DigestUpdate((EVP_MD_CTX *)h, data, len) == 1 ? 0 : -EIO;
}

int sfs_sha256_final(struct sfs_sha256_ctx *h, uint8_t out[32])
{
	unsigned int outl = 0;
	int ok = EVP_DigestFinal_ex((EVP_MD_CTX *)h, out, &outl) == 1 && outl == 32;

	EVP_MD_CTX_free((EVP_MD_CTX *)h);
	return ok ? 0 : -EIO;
}

void sfs_sha256_free(struct sfs_sha256_ctx *h)
{
	EVP_MD_CTX_free((EVP_MD_CTX *)h);
}

int sfs_scrypt(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen, unsigned logn,
	       uint32_t r, uint32_t p, uint8_t *out, size_t outlen)
{
	uint64_t n, maxmem;

	if (logn < 1 || logn > 24 || r < 1 || r > 64 || p < 1 || p > 64)
		return -EINVAL;
	n = 1ULL << logn;
	maxmem = 128ULL * r * (n + p + 2) + (1ULL << 20);
	if (EVP_PBE_scrypt(pw, pwlen, salt, saltlen, n, r, p, maxmem, out, outlen) != 1)
		return -ENOMEM;
	return 0;
}

int sfs_gcm_seal(const uint8_t key[32], const uint8_t nonce[SFS_GCM_NONCE], const uint8_t *ad,
		 size_t adlen, const uint8_t *pt, size_t n, uint8_t *ct, uint8_t tag[SFS_GCM_TAG])
{
	EVP_CIPHER_CTX *ctx = thread_ctx(&gcm_ctx);
	int outl;

	if (!ctx || n > INT32_MAX || adlen > INT32_MAX)
		return -ENOMEM;
	if (EVP_EncryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) != 1)
		return -EIO;
	if (adlen && EVP_EncryptUpdate(ctx, NULL, &outl, ad, (int)adlen) != 1)
		return -EIO;
	if (n && EVP_EncryptUpdate(ctx, ct, &outl, pt, (int)n) != 1)
		return -EIO;
	if (EVP_EncryptFinal_ex(ctx, ct + n, &outl) != 1)
		return -EIO;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, SFS_GCM_TAG, tag) != 1)
		return -EIO;
	return 0;
}

int sfs_gcm_open(const uint8_t key[32], const uint8_t nonce[SFS_GCM_NONCE], const uint8_t *ad,
		 size_t adlen, const uint8_t *ct, size_t n, const uint8_t tag[SFS_GCM_TAG],
		 uint8_t *pt)
{
	EVP_CIPHER_CTX *ctx = thread_ctx(&gcm_ctx);
	int outl;

	if (!ctx || n > INT32_MAX || adlen > INT32_MAX)
		return -ENOMEM;
	if (EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) != 1)
		return -EIO;
	if (adlen && EVP_DecryptUpdate(ctx, NULL, &outl, ad, (int)adlen) != 1)
		return -EIO;
	if (n && EVP_DecryptUpdate(ctx, pt, &outl, ct, (int)n) != 1)
		return -EIO;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, SFS_GCM_TAG, (void *)tag) != 1)
		return -EIO;
	if (EVP_DecryptFinal_ex(ctx, pt + n, &outl) != 1)
		return -EBADMSG;
	return 0;
}

static const EVP_CIPHER *siv_for(size_t keylen)
{
	pthread_once(&fetch_once, fetch_all);
	if (keylen == 64)
		return siv256;
	if (keylen == 32)
		return siv128;
	return NULL;
}

/* AES-CMAC under key (16 or 32 bytes). */
static int cmac(const uint8_t *key, size_t keylen, const void *data, size_t n, uint8_t out[16])
{
	EVP_MAC_CTX *mctx;
	OSSL_PARAM params[2];
	size_t outl = 0;
	int ok;

	if (!cmac_alg)
		return -EIO;
	mctx = EVP_MAC_CTX_new(cmac_alg);
	if (!mctx)
		return -ENOMEM;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_CIPHER,
						     keylen == 16 ? (char *)"AES-128-CBC"
								  : (char *)"AES-256-CBC", 0);
	params[1] = OSSL_PARAM_construct_end();
	ok = EVP_MAC_init(mctx, key, keylen, params) == 1 &&
	     EVP_MAC_update(mctx, data, n) == 1 && EVP_MAC_final(mctx, out, &outl, 16) == 1 &&
	     outl == 16;
	EVP_MAC_CTX_free(mctx);
	return ok ? 0 : -EIO;
}

/* Doubling in GF(2^128), RFC 5297 §2.3. */
static void dbl(uint8_t b[16])
{
	uint8_t carry = b[0] >> 7;

	for (int i = 0; i < 15; i++)
		b[i] = (uint8_t)(b[i] << 1 | b[i + 1] >> 7);
	b[15] = (uint8_t)((b[15] << 1) ^ (carry ? 0x87 : 0));
}

/*
 * The SIV tag of an empty plaintext: S2V (RFC 5297 §2.4) computed here,
 * because OpenSSL >= 3.0.10 skips empty plaintext updates in AES-SIV (the
 * CVE-2023-2975 fix), so EVP cannot produce it.
 */
static int siv_empty_tag(const uint8_t *key, size_t keylen, const uint8_t *ad1, size_t ad1len,
			 const uint8_t *ad2, size_t ad2len, uint8_t v[16])
{
	static const uint8_t zero[16];
	const uint8_t *ad[2] = {ad1, ad2};
	size_t adlen[2] = {ad1len, ad2len}, half = keylen / 2;
	uint8_t d[16], m[16];
	int r = cmac(key, half, zero, sizeof(zero), d);

	for (int i = 0; !r && i < 2; i++) {
		if (!ad[i])
			continue;
		dbl(d);
		r = cmac(key, half, ad[i], adlen[i], m);
		for (int j = 0; j < 16; j++)
			d[j] ^= m[j];
	}
	if (!r) {
		dbl(d);
		d[0] ^= 0x80; /* pad(empty) */
		r = cmac(key, half, d, sizeof(d), v);
	}
	sfs_wipe(d, sizeof(d));
	sfs_wipe(m, sizeof(m));
	return r;
}

int sfs_siv_seal(const uint8_t *key, size_t keylen, const uint8_t *ad1, size_t ad1len,
		 const uint8_t *ad2, size_t ad2len, const uint8_t *pt, size_t n, uint8_t *out)
{
	const EVP_CIPHER *c = siv_for(keylen);
	EVP_CIPHER_CTX *ctx = thread_ctx(&siv_ctx);
	int outl;

	if (!c)
		return -EINVAL;
	if (n == 0)
		return siv_empty_tag(key, keylen, ad1, ad1len, ad2, ad2len, out);
	if (!ctx || n > INT32_MAX)
		return -ENOMEM;
	if (EVP_EncryptInit_ex2(ctx, c, key, NULL, NULL) != 1)
		return -EIO;
	if (ad1 && EVP_EncryptUpdate(ctx, NULL, &outl, ad1, (int)ad1len) != 1)
		return -EIO;
	if (ad2 && EVP_EncryptUpdate(ctx, NULL, &outl, ad2, (int)ad2len) != 1)
		return -EIO;
	if (EVP_EncryptUpdate(ctx, out + SFS_SIV_TAG, &outl, pt, (int)n) != 1)
		return -EIO;
	if (EVP_EncryptFinal_ex(ctx, out + SFS_SIV_TAG + n, &outl) != 1)
		return -EIO;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, SFS_SIV_TAG, out) != 1)
		return -EIO;
	return 0;
}

int sfs_siv_open(const uint8_t *key, size_t keylen, const uint8_t *ad1, size_t ad1len,
		 const uint8_t *ad2, size_t ad2len, const uint8_t *in, size_t inlen, uint8_t *out)
{
	const EVP_CIPHER *c = siv_for(keylen);
	EVP_CIPHER_CTX *ctx = thread_ctx(&siv_ctx);
	int outl;

	if (!c || inlen < SFS_SIV_TAG)
		return -EINVAL;
	if (inlen == SFS_SIV_TAG) {
		uint8_t v[16];
		int r = siv_empty_tag(key, keylen, ad1, ad1len, ad2, ad2len, v);
		if (r)
			return r;
		return sfs_memeq_ct(v, in, SFS_SIV_TAG) ? -EBADMSG : 0;
	}
	if (!ctx || inlen > INT32_MAX)
		return -ENOMEM;
	if (EVP_DecryptInit_ex2(ctx, c, key, NULL, NULL) != 1)
		return -EIO;
	if (EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, SFS_SIV_TAG, (void *)in) != 1)
		return -EIO;
	if (ad1 && EVP_DecryptUpdate(ctx, NULL, &outl, ad1, (int)ad1len) != 1)
		return -EIO;
	if (ad2 && EVP_DecryptUpdate(ctx, NULL, &outl, ad2, (int)ad2len) != 1)
		return -EIO;
	if (EVP_DecryptUpdate(ctx, out, &outl, in + SFS_SIV_TAG, (int)(inlen - SFS_SIV_TAG)) != 1)
		return -EBADMSG;
	if (EVP_DecryptFinal_ex(ctx, out + inlen - SFS_SIV_TAG, &outl) != 1)
		return -EBADMSG;
	return 0;
}

int sfs_memeq_ct(const void *a, const void *b, size_t n)
{
	return CRYPTO_memcmp(a, b, n);
}

void sfs_wipe(void *p, size_t n)
{
	if (p)
		OPENSSL_cleanse(p, n);
}

void *sfs_secure_alloc(size_t n)
{
	void *p = mmap(NULL, n, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED)
		return NULL;
	(void)mlock(p, n);
	(void)madvise(p, n, MADV_DONTDUMP);
	return p;
}

void sfs_secure_free(void *p, size_t n)
{
	if (!p)
		return;
	OPENSSL_cleanse(p, n);
	munlock(p, n);
	munmap(p, n);
}

static const char b64chars[] =
	"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

size_t sfs_b64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0, i = 0;

	for (; i + 3 <= n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
		out[o++] = b64chars[v & 63];
	}
	if (n - i == 1) {
		uint32_t v = (uint32_t)in[i] << 16;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
	} else if (n - i == 2) {
		uint32_t v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[o++] = b64chars[v >> 18];
		out[o++] = b64chars[(v >> 12) & 63];
		out[o++] = b64chars[(v >> 6) & 63];
	}
	out[o] = '\0';
	return o;
}

static int b64val(unsigned char c)
{
	if (c >= 'A' && c <= 'Z')
		return c - 'A';
	if (c >= 'a' && c <= 'z')
		return c - 'a' + 26;
	if (c >= '0' && c <= '9')
		return c - '0' + 52;
	if (c == '-')
		return 62;
	if (c == '_')
		return 63;
	return -1;
}

long sfs_b64_decode(const char *in, size_t len, uint8_t *out)
{
	size_t o = 0, i = 0;
	uint32_t acc = 0;
	int bits = 0;

	if (len % 4 == 1)
		return -EINVAL;
	for (; i < len; i++) {
		int v = b64val((unsigned char)in[i]);
		if (v < 0)
			return -EINVAL;
		acc = acc << 6 | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			out[o++] = (uint8_t)(acc >> bits);
			acc &= (1u << bits) - 1;
		}
	}
	/* Canonical form only: leftover bits must be zero. */
	if (acc != 0)
		return -EINVAL;
	return (long)o;
}
