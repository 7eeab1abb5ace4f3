/*
 * refcrypto.c - reference HMAC, HKDF, AES-SIV, AES-GCM and base64url for the
 * known-answer tests (tests layer). See refcrypto.h. Deliberately naive and
 * written from the RFCs: clarity over speed, no shared code with sealfs/core.
 */
#include <stdlib.h>
#include <string.h>
#include <openssl/evp.h>

#include "refcrypto.h"
#include "banned.h"

int ref_hmac(const void *key, size_t keylen, const void *a, size_t alen, const void *b, size_t blen,
	     const void *c, size_t clen, uint8_t out[32])
{
	size_t total = alen + blen + clen, outlen = 0;
	uint8_t *buf = malloc(total ? total : 1);
	int r = -1;

	if (!buf)
		return -1;
	if (alen)
		memcpy(buf, a, alen);
	if (blen)
		memcpy(buf + alen, b, blen);
	if (clen)
		memcpy(buf + alen + blen, c, clen);
	if (EVP_Q_mac(NULL, "HMAC", NULL, "SHA256", NULL, key, keylen, buf, total, out, 32,
		      &outlen) &&
	    outlen == 32)
		r = 0;
	free(buf);
	return r;
}

int ref_hkdf(const void *salt, size_t saltlen, const void *ikm, size_t ikmlen, const void *info,
	     size_t infolen, uint8_t *out, size_t outlen)
{
	static const uint8_t zeros[32];
	uint8_t prk[32], t[32];
	size_t tlen = 0, done = 0;
	uint8_t ctr = 1;

	/* Extract: PRK = HMAC(salt or HashLen zeros, IKM). */
	if (saltlen == 0) {
		salt = zeros;
		saltlen = sizeof(zeros);
	}
	if (ref_hmac(salt, saltlen, ikm, ikmlen, NULL, 0, NULL, 0, prk))
		return -1;
	/* Expand: T(i) = HMAC(PRK, T(i-1) | info | i). */
	if (outlen > 255 * 32)
		return -1;
	while (done < outlen) {
		size_t take;
		if (ref_hmac(prk, 32, t, tlen, info, infolen, &ctr, 1, t))
			return -1;
		tlen = 32;
		take = outlen - done < 32 ? outlen - done : 32;
		memcpy(out + done, t, take);
		done += take;
		ctr++;
	}
	return 0;
}

static int cmac(const uint8_t *key, size_t keylen, const void *data, size_t n, uint8_t out[16])
{
	const char *cbc = keylen == 16 ? "AES-128-CBC" : "AES-256-CBC";
	size_t outlen = 0;

	if (!EVP_Q_mac(NULL, "CMAC", NULL, cbc, NULL, key, keylen, data, n, out, 16, &outlen) ||
	    outlen != 16)
		return -1;
	return 0;
}

/* Doubling in GF(2^128) as RFC 5297 §2.3 defines it. */
static void dbl(uint8_t b[16])
{
	uint8_t carry = b[0] >> 7;

	for (int i = 0; i < 15; i++)
		b[i] = (uint8_t)(b[i] << 1 | b[i + 1] >> 7);
	b[15] = (uint8_t)(b[15] << 1);
	if (carry)
		b[15] ^= 0x87;
}

static int s2v(const uint8_t *k1, size_t klen, const struct ref_ad *ad, size_t nad,
	       const uint8_t *pt, size_t n, uint8_t v[16])
{
	static const uint8_t zero[16];
	uint8_t d[16], m[16];
	uint8_t *t;
	int r;

	if (cmac(k1, klen, zero, 16, d))
		return -1;
	for (size_t i = 0; i < nad; i++) {
		dbl(d);
		if (cmac(k1, klen, ad[i].p, ad[i].n, m))
			return -1;
		for (int j = 0; j < 16; j++)
			d[j] ^= m[j];
	}
	t = malloc(n < 16 ? 16 : n);
	if (!t)
		return -1;
	if (n >= 16) {
		/* T = Sn xorend D */
		memcpy(t, pt, n);
		for (int j = 0; j < 16; j++)
			t[n - 16 + j] ^= d[j];
		r = cmac(k1, klen, t, n, v);
	} else {
		/* T = dbl(D) xor pad(Sn) */
		dbl(d);
		memset(t, 0, 16);
		if (n)
			memcpy(t, pt, n);
		t[n] = 0x80;
		for (int j = 0; j < 16; j++)
			t[j] ^= d[j];
		r = cmac(k1, klen, t, 16, v);
	}
	free(t);
	return r;
}

int ref_siv_seal(const uint8_t *key, size_t keylen, const struct ref_ad *ad, size_t nad,
		 const uint8_t *pt, size_t n, uint8_t *out)
{
	size_t half = keylen / 2;
	const EVP_CIPHER *ctr = half == 16 ? EVP_aes_128_ctr() : EVP_aes_256_ctr();
	EVP_CIPHER_CTX *ctx;
	uint8_t q[16];
	int outl, ok;

	if (keylen != 32 && keylen != 64)
		return -1;
	if (s2v(key, half, ad, nad, pt, n, out))
		return -1;
	/* Q = V with bits 31 and 63 (counting from the right) cleared. */
	memcpy(q, out, 16);
	q[8] &= 0x7f;
	q[12] &= 0x7f;
	ctx = EVP_CIPHER_CTX_new();
	if (!ctx)
		return -1;
	ok = EVP_EncryptInit_ex(ctx, ctr, NULL, key + half, q) == 1;
	if (ok && n)
		ok = EVP_EncryptUpdate(ctx, out + 16, &outl, pt, (int)n) == 1;
	if (ok)
		ok = EVP_EncryptFinal_ex(ctx, out + 16 + n, &outl) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

int ref_gcm_open(const uint8_t key[32], const uint8_t nonce[12], const void *ad, size_t adlen,
		 const uint8_t *ct, size_t n, const uint8_t tag[16], uint8_t *pt)
{
	EVP_CIPHER_CTX *ctx = EVP_CIPHER_CTX_new();
	int outl, ok;

	if (!ctx)
		return -1;
	ok = EVP_DecryptInit_ex(ctx, EVP_aes_256_gcm(), NULL, key, nonce) == 1;
	if (ok && adlen)
		ok = EVP_DecryptUpdate(ctx, NULL, &outl, ad, (int)adlen) == 1;
	if (ok && n)
		ok = EVP_DecryptUpdate(ctx, pt, &outl, ct, (int)n) == 1;
	if (ok)
		ok = EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, 16, (void *)tag) == 1;
	if (ok)
		ok = EVP_DecryptFinal_ex(ctx, pt + n, &outl) == 1;
	EVP_CIPHER_CTX_free(ctx);
	return ok ? 0 : -1;
}

size_t ref_b64url(const uint8_t *in, size_t n, char *out)
{
	/* Standard base64 with padding, then the RFC 4648 §5 alphabet, no '='. */
	int len = EVP_EncodeBlock((unsigned char *)out, in, (int)n);
	size_t o = 0;

	for (int i = 0; i < len; i++) {
		char c = out[i];
		if (c == '=')
			break;
		out[o++] = c == '+' ? '-' : c == '/' ? '_' : c;
	}
	out[o] = '\0';
	return o;
}
