/*
 * fs.h - the mounted filesystem: forward mode, reverse mode, and EncFS
 * volumes read-only (sealfs FUSE layer).
 *
 * The glue between libfuse3's low-level API and the core: one inode per
 * ciphertext object the kernel knows, every operation relative to its
 * parent's descriptor, one struct sfs_file per open ciphertext inode, and
 * -errno exactly as the core returns it. It logs (once per path) the files that
 * fail authentication; it never exits.
 *
 * Calling sequence: sfs_fs_new() (opens CIPHERDIR's root), sfs_fs_run() with
 * the master key, which mounts, optionally daemonises, derives the keys in
 * the serving process, serves until unmounted and returns, sfs_fs_free().
 */
#ifndef SEALFS_FS_H
#define SEALFS_FS_H

#include <stdbool.h>
#include <stdint.h>

#include "keys.h"

struct sfs_fs;
struct efs_volume;

struct sfs_mount_opts {
	const char *cipherdir;
	const char *mountpoint;
	const char *fuse_opts;	/* -o string from the user, or NULL */
	bool read_only;
	bool foreground;
	bool debug;
	uint64_t idle_seconds; /* 0: never unmount when idle */
	/* Reverse mode: cipherdir is the PLAINTEXT directory, the view is read-only. */
	bool reverse;
	/* Forward mode: others change CIPHERDIR too, so the kernel caches nothing. */
	bool shared_storage;
	/* An opened EncFS volume in CIPHERDIR (read-only; ownership stays the
	   caller's, and no master key is passed to sfs_fs_run). */
	struct efs_volume *encfs;
	const char *const *excludes; /* NULL-terminated globs (reverse mode) */
};

/* The volume config of a reverse-mode volume, inside PLAINDIR. */
#define SFS_REVERSE_CONFIG_NAME ".sealfs.reverse.conf"

/* Open CIPHERDIR's root (*ret owns it). */
int sfs_fs_new(const struct sfs_mount_opts *o, struct sfs_fs **ret);

/*
 * Mount, daemonise unless foreground (the parent process exits 0 once the
 * mount exists, so the caller returns only when the mount is usable), derive
 * the keys from MASTER (wiped here) in the serving process, and serve.
 * Returns 0 after a clean unmount, -errno when the mount could not be made
 * (nothing is mounted then); *ret_stage says which step failed.
 */
int sfs_fs_run(struct sfs_fs *fs, uint8_t master[SFS_MASTER_KEY_LEN], const char **ret_stage);

void sfs_fs_free(struct sfs_fs *fs);

#endif
