/*
 * encfs-crypto.h - the cryptographic primitives of the EncFS format, for
 * reading (and, for tests and fixtures, writing) EncFS volumes (sealfs core
 * layer; OpenSSL libcrypto 3.0, no FUSE, no logging, no paths).
 *
 * EncFS ciphers (ssl/aes, ssl/blowfish, ssl/camellia) are fetched from a
 * private OSSL_LIB_CTX holding the "default" and "legacy" providers: the
 * legacy provider (Blowfish) is never loaded for sealfs's own format nor
 * through the user's OpenSSL configuration. The context is made on first use
 * and lives for the process.
 *
 * A key object (struct efs_key) is the EncFS "key || iv" pair with its
 * OpenSSL contexts (CBC and CFB, both directions, and HMAC-SHA1 keyed with the
 * key part). It is not thread-safe: one thread at a time per key object.
 *
 * Calling sequence: efs_cipher_lookup, efs_key_new (from raw bytes, or with
 * efs_password_key from a password), then the primitives, then efs_key_free.
 * All functions return 0 or -errno: -EINVAL bad sizes or arguments, -EBADMSG
 * a check value does not match, -ENOPROTOOPT the cipher is not available
 * (legacy provider missing), -ENOMEM/-EIO when OpenSSL fails.
 */
#ifndef SEALFS_ENCFS_CRYPTO_H
#define SEALFS_ENCFS_CRYPTO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define EFS_KEY_MAX 56 /* Blowfish 448 bits */
#define EFS_IV_MAX 16

/* What a cipher interface name and key size resolve to (immutable, static). */
struct efs_cipher {
	const char *name; /* "ssl/aes", "ssl/blowfish", "ssl/camellia" */
	unsigned bs;	  /* cipher block size = IV length: 8 or 16 */
	unsigned min_bits, max_bits, step_bits;
	bool legacy; /* needs OpenSSL's legacy provider */
};

/*
 * The cipher called NAME (config interface name). NULL when unknown. A key
 * size is valid when efs_cipher_key_ok says so.
 */
const struct efs_cipher *efs_cipher_lookup(const char *name);
bool efs_cipher_key_ok(const struct efs_cipher *c, unsigned bits);

struct efs_key;

/*
 * A key object for cipher C with interface version IFACE (the config's
 * "current": 1..3; < 3 selects EncFS's old IV derivation), from KEYLEN key
 * bytes and C->bs IV bytes. *ret is the caller's (efs_key_free).
 */
int efs_key_new(const struct efs_cipher *c, unsigned iface, const uint8_t *key, size_t keylen,
		const uint8_t *iv, struct efs_key **ret);
/* Wipe and free; accepts NULL. */
void efs_key_free(struct efs_key *k);
/* The cipher block size (= IV length) of K: 8 or 16. */
unsigned efs_key_block_size(const struct efs_key *k);
/* The raw bytes (for a writer: wrapping a volume key). */
size_t efs_key_bytes(const struct efs_key *k, const uint8_t **ret_key, const uint8_t **ret_iv);

/*
 * The user key from a password: PBKDF2-HMAC-SHA1(pw, salt, iterations) when
 * SALT is given (saltlen > 0), else EncFS's BytesToKey (SHA-1, 16 rounds).
 * out gets keylen + ivlen bytes (key first).
 */
int efs_password_key(const char *pw, size_t pwlen, const uint8_t *salt, size_t saltlen,
		     unsigned iterations, uint8_t *out, size_t keylen, size_t ivlen);

/* The IV for a use with SEED (EncFS setIVec); out gets the IV length. */
int efs_ivec(struct efs_key *k, uint64_t seed, uint8_t out[EFS_IV_MAX]);

/*
 * EncFS's 64-bit MAC of DATA (HMAC-SHA1 folded): with CHAIN non-NULL its
 * value is appended (LE64) to the input and then replaced by the result.
 */
int efs_mac64(struct efs_key *k, const uint8_t *data, size_t n, uint64_t *chain, uint64_t *ret);
static inline uint32_t efs_fold32(uint64_t m)
{
	return (uint32_t)(m >> 32) ^ (uint32_t)m;
}
static inline uint16_t efs_fold16(uint64_t m)
{
	uint32_t h = efs_fold32(m);
	return (uint16_t)((h >> 16) ^ (h & 0xffff));
}

/* Stream mode (partial blocks, stream names, key wrap), in place, n > 0. */
int efs_stream_decode(struct efs_key *k, uint8_t *buf, size_t n, uint64_t iv64);
int efs_stream_encode(struct efs_key *k, uint8_t *buf, size_t n, uint64_t iv64);
/* Block mode (CBC, no padding), in place; n a multiple of the block size. */
int efs_block_decode(struct efs_key *k, uint8_t *buf, size_t n, uint64_t iv64);
int efs_block_encode(struct efs_key *k, uint8_t *buf, size_t n, uint64_t iv64);

/*
 * Unwrap an encoded volume key KD (4 + keylen + ivlen bytes) with the user
 * key U: *ret gets the volume key object (interface IFACE). -EBADMSG when
 * the checksum does not match (a wrong password).
 */
int efs_key_unwrap(struct efs_key *u, const struct efs_cipher *c, unsigned iface, const uint8_t *kd,
		   size_t kdlen, size_t keylen, struct efs_key **ret);
/* The inverse, for writers: kd gets 4 + keylen + ivlen bytes. */
int efs_key_wrap(struct efs_key *u, const uint8_t *vkey, size_t keylen, const uint8_t *viv,
		 size_t ivlen, uint8_t *kd);

/* Whether the legacy provider could be loaded (Blowfish volumes need it). */
bool efs_legacy_available(void);

#endif
