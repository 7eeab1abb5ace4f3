/*
 * refcrypto.h - independent reference implementations of the constructions
 * sealfs uses, for the known-answer tests (tests layer).
 *
 * Built from OpenSSL's lowest-level pieces only (HMAC-SHA256, AES-CMAC,
 * AES-CTR through EVP_Q_mac / EVP ciphers), never from sealfs/core, so a
 * value pinned by a test agrees with a second, separately written
 * computation and is not merely "what the code printed". Each function is
 * itself checked against its RFC vectors in test-crypto.c.
 * All return 0 on success, -1 when OpenSSL fails.
 */
#ifndef SEALFS_TESTS_REFCRYPTO_H
#define SEALFS_TESTS_REFCRYPTO_H

#include <stddef.h>
#include <stdint.h>

/* HMAC-SHA256 of the concatenation of up to 3 parts (NULL/0 parts skipped). */
int ref_hmac(const void *key, size_t keylen, const void *a, size_t alen, const void *b, size_t blen,
	     const void *c, size_t clen, uint8_t out[32]);

/* HKDF-SHA256 (RFC 5869 §2.2 extract, §2.3 expand), written out by hand. */
int ref_hkdf(const void *salt, size_t saltlen, const void *ikm, size_t ikmlen, const void *info,
	     size_t infolen, uint8_t *out, size_t outlen);

/* One associated-data component of S2V. */
struct ref_ad {
	const void *p;
	size_t n;
};

/*
 * AES-SIV (RFC 5297 §2.4/2.6): S2V over nad components then the plaintext
 * with AES-CMAC under the first half of the key, AES-CTR under the second
 * half. keylen 32 (AES-128) or 64 (AES-256). out = V (16) | C (n).
 */
int ref_siv_seal(const uint8_t *key, size_t keylen, const struct ref_ad *ad, size_t nad,
		 const uint8_t *pt, size_t n, uint8_t *out);

/* AES-256-GCM open with a 16-byte tag; 0 when the tag verifies, -1 otherwise. */
int ref_gcm_open(const uint8_t key[32], const uint8_t nonce[12], const void *ad, size_t adlen,
		 const uint8_t *ct, size_t n, const uint8_t tag[16], uint8_t *pt);

/* base64url without padding, written independently of sfs_b64_encode. */
size_t ref_b64url(const uint8_t *in, size_t n, char *out);

#endif
