/*
 * config.h - the volume config file, sealfs.conf (sealfs core layer).
 *
 * A small text file (docs/FORMAT.md gives its grammar) holding the format
 * version, feature flags, cipher parameters, the scrypt parameters and salt,
 * the master key wrapped (AES-256-GCM) under the password-derived key, an
 * HMAC of all settings under a key derived from the master key, and a plain
 * SHA-256 checksum that tells accidental corruption from a wrong password.
 *
 * Error codes used by every function here:
 *   -ENOENT            no config file
 *   -EINVAL            malformed (why[] says where)
 *   -EBADMSG           checksum or MAC mismatch: the file is corrupt or was edited
 *   -EPROTONOSUPPORT   a newer format version or an unknown feature flag
 *   -ERANGE            KDF parameters below the enforced minimums
 *   -EKEYREJECTED      wrong password (or wrong master key)
 */
#ifndef SEALFS_CONFIG_H
#define SEALFS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "keys.h"

#define SFS_CONFIG_NAME "sealfs.conf"
#define SFS_CONFIG_MAX 8192
#define SFS_CONFIG_VERSION 1
#define SFS_SALT_LEN 32
#define SFS_WRAPPED_LEN (12 + SFS_MASTER_KEY_LEN + 16)

/* Feature flags, written by name in the config. */
#define SFS_FEAT_REVERSE 0x1u /* volume made by `init --reverse` (config inside PLAINDIR) */
#define SFS_FEAT_KNOWN (SFS_FEAT_REVERSE)

/* Minimums enforced when loading: N >= 2^10, r >= 8, p >= 1. */
#define SFS_KDF_MIN_LOGN 10
#define SFS_KDF_MIN_R 8
#define SFS_KDF_MAX_LOGN 24
/* scrypt memory at logn 24, r 8: the most a config may ask for */
#define SFS_KDF_MAX_MEM (128ULL * SFS_KDF_MIN_R << SFS_KDF_MAX_LOGN)

struct sfs_kdf {
	unsigned logn; /* scrypt N = 2^logn */
	uint32_t r, p;
};

/* Default: N=2^16 (64 MiB, ~0.2 s); --paranoia: N=2^20 (1 GiB, a few seconds). */
#define SFS_KDF_DEFAULT ((struct sfs_kdf){.logn = 16, .r = 8, .p = 1})
#define SFS_KDF_PARANOIA ((struct sfs_kdf){.logn = 20, .r = 8, .p = 1})

struct sfs_config {
	unsigned version;
	unsigned features;
	uint32_t block_size;
	struct sfs_kdf kdf;
	uint8_t salt[SFS_SALT_LEN];
	uint8_t wrapped[SFS_WRAPPED_LEN]; /* nonce(12) | encrypted master key(32) | tag(16) */
	uint8_t mac[32];
};

/*
 * Make a new volume config: a fresh random master key wrapped under PW.
 * On success the serialized file is in *ret_text (malloc'd, caller frees)
 * and the master key in master_out (caller wipes).
 */
int sfs_config_create(const char *pw, size_t pwlen, const struct sfs_kdf *kdf, unsigned features,
		      uint8_t master_out[SFS_MASTER_KEY_LEN], char **ret_text, size_t *ret_len);

/*
 * As sfs_config_create, for a volume whose master key MASTER exists already
 * (`init --masterkey`: a new config for data whose sealfs.conf was lost).
 */
int sfs_config_create_for(const char *pw, size_t pwlen, const struct sfs_kdf *kdf,
			  unsigned features, const uint8_t master[SFS_MASTER_KEY_LEN],
			  char **ret_text, size_t *ret_len);

/*
 * The settings a lost config held, for opening a volume with its master key
 * alone: format 1 has nothing else the data depends on (4 KiB blocks, and
 * the features only say where the config lives). No wrapped key, no MAC.
 */
void sfs_config_defaults(struct sfs_config *c, unsigned features);

/* Parse and check the structure and checksum; no key needed. */
int sfs_config_parse(const char *text, size_t len, struct sfs_config *ret, char *why,
		     size_t whylen);

/* Read DIRFD/sealfs.conf and parse it. */
int sfs_config_load_at(int dirfd, const char *name, struct sfs_config *ret, char *why,
		       size_t whylen);

/* Unwrap the master key with the password, then verify the config MAC. */
int sfs_config_unlock(const struct sfs_config *c, const char *pw, size_t pwlen,
		      uint8_t master_out[SFS_MASTER_KEY_LEN]);

/* Verify that MASTER is this volume's key (config MAC), for --masterkey. */
int sfs_config_check_master(const struct sfs_config *c, const uint8_t master[SFS_MASTER_KEY_LEN]);

/*
 * Re-wrap MASTER under a new password with fresh salt (passwd). Keeps the
 * other settings of C. Output as for sfs_config_create.
 */
int sfs_config_rewrap(const struct sfs_config *c, const uint8_t master[SFS_MASTER_KEY_LEN],
		      const char *pw, size_t pwlen, const struct sfs_kdf *kdf, char **ret_text,
		      size_t *ret_len);

/* Comma-separated feature names of FEATURES into buf ("none" when empty). */
void sfs_config_features_str(unsigned features, char *buf, size_t len);

#endif
