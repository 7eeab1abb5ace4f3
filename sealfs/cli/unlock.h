/*
 * unlock.h - load a volume config and unlock its master key (sealfs CLI
 * layer). Both functions print their own one-line message and return an
 * exit code (0 on success).
 */
#ifndef SEALFS_UNLOCK_H
#define SEALFS_UNLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "config.h"
#include "cli.h"

/*
 * DIR/sealfs.conf into *c. With MASTERKEY_FILE set (--masterkey), a missing
 * config is no error: *c gets the defaults (sfs_config_defaults), a warning
 * says so, and *ret_missing is set, for unlock_master to check the key
 * against the names instead. ret_missing may be NULL when mkfile is.
 */
int unlock_load_config(const char *dir, const char *masterkey_file, struct sfs_config *c,
		       bool *ret_missing);
/* The config file name of DIR: sealfs.conf, or .sealfs.reverse.conf for a
 * PLAINDIR prepared by `init --reverse` (passwd and info accept both). */
const char *unlock_config_name(const char *dir);
/* The same for a config file of another name in DIR (reverse mode). */
int unlock_load_config_named(const char *dir, const char *name, struct sfs_config *c);
/*
 * The master key from --masterkey FILE ('-' = stdin; 64 hex digits, dashes
 * and spaces ignored) when masterkey_file is set, else from the password.
 * The key is checked against the config's MAC, or with NO_CONFIG (the
 * config is lost) against the names in DIR's root (sfs_tree_check_key).
 * master is the caller's to wipe.
 */
int unlock_master(const char *dir, const struct sfs_config *c, bool no_config,
		  const struct pw_opts *pw, const char *masterkey_file,
		  uint8_t master[SFS_MASTER_KEY_LEN]);
/* Read and parse a --masterkey FILE; logs; 0 or -errno. */
int unlock_read_master(const char *file, uint8_t out[SFS_MASTER_KEY_LEN]);
/*
 * Check MASTER against the names in DIR's root (no config): prints a
 * message and returns an exit code; a root without names gives a warning
 * and 0.
 */
int unlock_check_key_by_names(const char *dir, const uint8_t master[SFS_MASTER_KEY_LEN]);

#endif
