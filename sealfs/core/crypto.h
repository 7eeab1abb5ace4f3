/*
 * crypto.h - the cryptographic primitives sealfs uses, as it uses them
 * (sealfs core layer; OpenSSL libcrypto 3.0 only, no FUSE, no logging).
 *
 *   AES-256-GCM   content blocks and the key wrap (12-byte nonce, 16-byte tag)
 *   AES-256-SIV   names, symlink targets, xattrs (64-byte key, 16-byte tag in front)
 *   HKDF-SHA256   subkeys from the master key, one label per purpose
 *   HMAC-SHA256   file headers and the config MAC
 *   scrypt        password -> key-encryption key
 *
 * All functions return 0 or -errno: -EBADMSG when authentication fails,
 * -EINVAL for bad sizes, -ENOMEM/-EIO when OpenSSL itself fails. Buffers
 * may not overlap unless said. Thread-safe (contexts are per thread).
 */
#ifndef SEALFS_CRYPTO_H
#define SEALFS_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define SFS_GCM_NONCE 12
#define SFS_GCM_TAG 16
#define SFS_SIV_TAG 16
#define SFS_SIV_KEY 64

/* Fill buf with n bytes from the OS CSPRNG (getrandom). */
int sfs_random(void *buf, size_t n);

/* HKDF-SHA256 (RFC 5869) with an empty salt and info = label. */
int sfs_hkdf(const uint8_t *ikm, size_t ikmlen, const char *label, const uint8_t *info2,
	     size_t info2len, uint8_t *out, size_t outlen);

/* HMAC-SHA256 over the concatenation of up to 3 parts (NULL parts skipped). */
int sfs_hmac(const uint8_t key[32], const void *a, size_t alen, const void *b, size_t blen,
	     const void *c, size_t clen, uint8_t out[32]);

/* SHA-256. */
int sfs_sha256(const void *data, size_t len, uint8_t out[32]);

/* Streaming SHA-256 (checking what the offline writer wrote): new, update,
 * final (also frees); sfs_sha256_free for an abandoned one (accepts NULL). */
struct sfs_sha256_ctx;
struct sfs_sha256_ctx *sfs_sha256_new(void);
int sfs_sha256_update(struct sfs_sha256_ctx *h, const void *data, size_t len);
int sfs_sha256_final(struct sfs_sha256_ctx *h, uint8_t out[32]);
void sfs_sha256_free(struct sfs_sha256_ctx *h);

/* scrypt (RFC 7914) with N = 2^logn. */
int sfs_scrypt(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen, unsigned logn,
	       uint32_t r, uint32_t p, uint8_t *out, size_t outlen);

/* AES-256-GCM: ct and tag out; ct may equal pt (in place). */
int sfs_gcm_seal(const uint8_t key[32], const uint8_t nonce[SFS_GCM_NONCE], const uint8_t *ad,
		 size_t adlen, const uint8_t *pt, size_t n, uint8_t *ct,
		 uint8_t tag[SFS_GCM_TAG]);
/* AES-256-GCM open; -EBADMSG when the tag does not verify (pt then undefined). */
int sfs_gcm_open(const uint8_t key[32], const uint8_t nonce[SFS_GCM_NONCE], const uint8_t *ad,
		 size_t adlen, const uint8_t *ct, size_t n, const uint8_t tag[SFS_GCM_TAG],
		 uint8_t *pt);

/*
 * AES-SIV (RFC 5297) with up to two associated-data components (NULL to skip).
 * keylen is 64 (AES-256-SIV) or 32 (AES-128-SIV, used only by the known-answer
 * test of RFC 5297). Output: tag (16) followed by n ciphertext bytes.
 */
int sfs_siv_seal(const uint8_t *key, size_t keylen, const uint8_t *ad1, size_t ad1len,
		 const uint8_t *ad2, size_t ad2len, const uint8_t *pt, size_t n, uint8_t *out);
/* Inverse of sfs_siv_seal: in is tag||ct (inlen >= 16), out gets inlen-16 bytes. */
int sfs_siv_open(const uint8_t *key, size_t keylen, const uint8_t *ad1, size_t ad1len,
		 const uint8_t *ad2, size_t ad2len, const uint8_t *in, size_t inlen, uint8_t *out);

/* Constant-time compare; 0 when equal. */
int sfs_memeq_ct(const void *a, const void *b, size_t n);
/* Wipe memory the compiler may not optimise away. */
void sfs_wipe(void *p, size_t n);

/*
 * Memory for secrets: page-aligned, mlock'ed (best effort), excluded from core
 * dumps, zeroed. sfs_secure_free wipes before unmapping and accepts NULL.
 */
void *sfs_secure_alloc(size_t n);
void sfs_secure_free(void *p, size_t n);

/* base64url without padding (RFC 4648 §5). enc: out needs 4*ceil(n/3)+1 bytes. */
size_t sfs_b64_encode(const uint8_t *in, size_t n, char *out);
/* Returns decoded length or -EINVAL for a character outside the alphabet, a
 * length that cannot occur, or non-zero trailing bits. out needs 3*len/4 bytes. */
long sfs_b64_decode(const char *in, size_t len, uint8_t *out);

#endif
