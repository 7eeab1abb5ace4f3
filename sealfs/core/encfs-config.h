/*
 * encfs-config.h - EncFS volume configs: detection, the V4/V5 binary
 * format, the V6 XML format, validation, and a V5 writer for test fixtures
 * (sealfs core layer; no FUSE, no logging, no crypto beyond lookups).
 *
 * Calling sequence: efs_config_detect (is DIR an EncFS volume, which file?),
 * efs_config_load (read, parse, validate). Parsers never trust the input:
 * every length is capped, every field is checked against what EncFS can
 * have written. Errors: -ENOENT no config file, -EINVAL corrupt (bad syntax,
 * a field missing or out of range), -ENOTSUP valid but not supported (a
 * format version, cipher or name coding sealfs does not read); *ret_why
 * then names the problem (a static string).
 */
#ifndef SEALFS_ENCFS_CONFIG_H
#define SEALFS_ENCFS_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "encfs-crypto.h"
#include "encfs-names.h"

#define EFS_CONFIG_MAX (64 * 1024) /* bytes of a config file */
#define EFS_KEYDATA_MAX (4 + EFS_KEY_MAX + EFS_IV_MAX)
#define EFS_SALT_MAX 256

struct efs_iface {
	char name[32];
	unsigned cur, rev, age;
};

struct efs_config {
	unsigned type;	   /* 4, 5 or 6 */
	const char *file;  /* ".encfs6.xml", ".encfs5", ".encfs4" */
	char creator[128]; /* informational */
	unsigned subversion;
	struct efs_iface cipher, naming;
	unsigned key_bits, block_size;
	bool unique_iv, chained_iv, external_iv, allow_holes, plain_data;
	unsigned mac_bytes, rand_bytes;
	uint8_t keydata[EFS_KEYDATA_MAX];
	size_t keydata_len;
	uint8_t salt[EFS_SALT_MAX];
	size_t salt_len;
	unsigned iterations, kdf_ms;
	/* Resolved by validation: */
	const struct efs_cipher *ciph;
	enum efs_naming names;
};

/* The config file names, in the order EncFS tries them. */
extern const char *const efs_config_files[3];

/* Which config file DIRFD holds: its name, or NULL when none (not EncFS). */
const char *efs_config_detect(int dirfd);

/* Read, parse and validate DIRFD's config into *c. */
int efs_config_load(int dirfd, struct efs_config *c, const char **ret_why);

/* Parse a config from memory: TYPE 4/5 (binary) or 6 (XML). Also validates. */
int efs_config_parse(unsigned type, const char *buf, size_t len, struct efs_config *c,
		     const char **ret_why);

/* Check a parsed config against what EncFS writes and sealfs reads. */
int efs_config_validate(struct efs_config *c, const char **ret_why);

/*
 * Serialise C as a V5 binary config (.encfs5) into buf (cap bytes);
 * returns its length or -ENOSPC. For fixtures and tests.
 */
long efs_config_write_v5(const struct efs_config *c, uint8_t *buf, size_t cap);
/* The same as a V4 config (.encfs4): cipher, keySize, blockSize, keyData only. */
long efs_config_write_v4(const struct efs_config *c, uint8_t *buf, size_t cap);

#endif
