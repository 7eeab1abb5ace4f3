/*
 * keys.h - the volume's key hierarchy (sealfs core layer).
 *
 * One random 256-bit master key; every key used on disk is derived from it
 * with HKDF-SHA256 under its own label, so no key serves two purposes:
 *
 *   "sealfs v1 content"     base of the per-file content keys
 *   "sealfs v1 file"+id     per-file AES-256-GCM key (HKDF of the content base)
 *   "sealfs v1 header"      HMAC key of file headers
 *   "sealfs v1 names"       AES-256-SIV key of file names
 *   "sealfs v1 symlinks"    AES-256-SIV key of symlink targets
 *   "sealfs v1 xattrs"      AES-256-SIV key of extended attribute names and values
 *   "sealfs v1 config"      HMAC key of the config file
 *   "sealfs v1 reverse"     PRF key of reverse mode (derived IVs and nonces)
 *
 * struct sfs_keys lives in locked, non-dumpable memory (sfs_secure_alloc).
 */
#ifndef SEALFS_KEYS_H
#define SEALFS_KEYS_H

#include <stdint.h>

#define SFS_MASTER_KEY_LEN 32
#define SFS_FILE_ID_LEN 16

struct sfs_keys {
	uint8_t master[SFS_MASTER_KEY_LEN];
	uint8_t content[32];
	uint8_t header[32];
	uint8_t names[64];
	uint8_t symlinks[64];
	uint8_t xattrs[64];
	uint8_t config[32];
	uint8_t reverse[32];
};

/* Derive all subkeys from MASTER. *ret is owned by the caller (sfs_keys_free). */
int sfs_keys_new(const uint8_t master[SFS_MASTER_KEY_LEN], struct sfs_keys **ret);
/* Wipe and release; accepts NULL. */
void sfs_keys_free(struct sfs_keys *k);
/* The AES-256-GCM key of one file, from its 16-byte file ID. */
int sfs_keys_file_key(const struct sfs_keys *k, const uint8_t id[SFS_FILE_ID_LEN],
		      uint8_t out[32]);

#endif
