/*
 * volume.h - the one place the offline commands open a volume (sealfs CLI
 * layer): detects the format (a sealfs volume, or an EncFS volume by its
 * .encfs6.xml / .encfs5 / .encfs4), reads the password (or --masterkey for
 * sealfs), unlocks it and hands out a restore-engine source for it. Used by
 * decrypt, cat, fsck and import. Every function prints its own one-line
 * message and returns an exit code (0 on success).
 */
#ifndef SEALFS_VOLUME_H
#define SEALFS_VOLUME_H

#include <stdbool.h>

#include "encfs-vol.h"
#include "keys.h"
#include "cli.h"
#include "restore.h"
#include "rs_sources.h"

enum vol_kind { VOL_SEALFS, VOL_ENCFS };

struct vol {
	enum vol_kind kind;
	const char *dir;
	int rootfd;
	struct sfs_keys *keys;	/* sealfs */
	bool no_config;		/* sealfs opened with --masterkey alone */
	struct efs_volume *efs; /* EncFS */
	struct efs_config ecfg; /* EncFS */
	struct rs_sealfs_src ssrc;
	struct rs_encfs_src esrc;
};

/* Whether DIR holds an EncFS config (and no sealfs.conf). */
bool vol_is_encfs(const char *dir);

/*
 * Load and check DIR's EncFS config (exit 4 with a message when corrupt or
 * unsupported); *ret_rootfd is the caller's to close.
 */
int vol_encfs_config(const char *dir, struct efs_config *c, int *ret_rootfd);

/*
 * Open DIR, whichever format it is, with the password options PW (and, for
 * sealfs only, --masterkey MKFILE). Exit codes: 3 wrong password, 4 config
 * missing/corrupt/unsupported, 1 other. Close with vol_close (also after a
 * failure).
 */
int vol_open(const char *dir, const struct pw_opts *pw, const char *mkfile, struct vol *ret);
/*
 * With an already read password (import --same-password needs it twice).
 * PW is not wiped here.
 */
int vol_open_encfs_pw(const char *dir, const char *pw, size_t pwlen, struct vol *ret);
void vol_close(struct vol *v);

/* The restore-engine source of V (pointing into V). */
void vol_source(struct vol *v, struct rs_source *ret);

/* `sealfs fsck` of an opened EncFS volume (cmd_encfs.c); exit code. */
int fsck_encfs(struct vol *v, bool quiet, bool json);
/* `sealfs info` of the EncFS volume in DIR (cmd_encfs.c); exit code. */
int info_encfs(const char *dir);

#endif
