/*
 * mounts.h - what is mounted where, from /proc/self/mountinfo (sealfs CLI
 * layer): the checks `sealfs mount` makes before mounting and `sealfs
 * umount` before unmounting. Paths are compared as the kernel shows them
 * (absolute, resolved; mountinfo's octal escapes undone). No FUSE here.
 */
#ifndef SEALFS_MOUNTS_H
#define SEALFS_MOUNTS_H

#include <limits.h>
#include <stdbool.h>

struct sfs_mount_entry {
	char mountpoint[PATH_MAX];
	char fstype[64];	/* "fuse.sealfs", "ext4", ... */
	char source[PATH_MAX];	/* sealfs: "sealfs:CIPHERDIR" (or PLAINDIR in reverse mode) */
	bool read_only;
};

/*
 * The mount on top at PATH (absolute, resolved). Returns 0 and fills *ret,
 * -ENOENT when nothing is mounted there, or -errno when mountinfo cannot be
 * read. *ret untouched unless 0 is returned.
 */
int sfs_mounts_at(const char *path, struct sfs_mount_entry *ret);

/*
 * The first sealfs mount of the volume at DIR (absolute, resolved): a mount
 * whose fstype is fuse.sealfs and whose source is "sealfs:DIR". Returns as
 * sfs_mounts_at().
 */
int sfs_mounts_of_volume(const char *dir, struct sfs_mount_entry *ret);

/* Whether a mount entry is a sealfs mount. */
bool sfs_mount_is_sealfs(const struct sfs_mount_entry *m);

/*
 * Make PATH absolute without touching its last component: realpath() of
 * the directory it is in, then the last name. Works where realpath() of
 * PATH itself fails, as on a dead FUSE mount (ENOTCONN). Returns 0 or
 * -errno (of the directory), *ret untouched on failure.
 */
int sfs_abs_path(const char *path, char ret[PATH_MAX]);

/* Whether absolute, resolved path INNER is OUTER or lies below it. */
bool sfs_path_within(const char *inner, const char *outer);

#endif
