/*
 * unlock.h - load a volume config and unlock its master key (sealfs CLI
 * layer). Both functions print their own one-line message and return an
 * exit code (0 on success).
 */
#ifndef SEALFS_UNLOCK_H
#define SEALFS_UNLOCK_H

#include <stdint.h>

#include "config.h"
#include "cli.h"

int unlock_load_config(const char *dir, struct sfs_config *c);
/* The config file name of DIR: sealfs.conf, or .sealfs.reverse.conf for a
 * PLAINDIR prepared by `init --reverse` (passwd and info accept both). */
const char *unlock_config_name(const char *dir);
/* The same for a config file of another name in DIR (reverse mode). */
int unlock_load_config_named(const char *dir, const char *name, struct sfs_config *c);
/*
 * The master key from --masterkey FILE ('-' = stdin; 64 hex digits, dashes
 * and spaces ignored) when masterkey_file is set, else from the password.
 * master is the caller's to wipe.
 */
int unlock_master(const char *dir, const struct sfs_config *c, const struct pw_opts *pw,
		  const char *masterkey_file, uint8_t master[SFS_MASTER_KEY_LEN]);

#endif
