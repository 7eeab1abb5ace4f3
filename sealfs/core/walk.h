/*
 * walk.h - walking a ciphertext tree without FUSE (sealfs core layer; *at()
 * calls relative to directory fds, read-only, no logging). Used by the
 * offline commands `sealfs fsck`, `sealfs decrypt` and `sealfs cat`.
 *
 * One struct sfs_walk is one open ciphertext directory: its fd, its IV (or
 * why the IV is unusable) and a readdir cursor. sfs_walk_next hands out one
 * entry at a time with its on-disk name, its lstat and, when it can be had,
 * its plaintext name; the volume's own files (sealfs.conf, sealfs.diriv and
 * side files that belong to an entry) are skipped, side files whose entry is
 * gone are handed out as orphans. Recursion is the caller's: open a
 * subdirectory with sfs_walk_open(sfs_walk_fd(parent), entry.disk).
 *
 * Also here: plaintext path lookup (sfs_walk_lookup, sfs_walk_resolve), the
 * user xattrs of an open object (sfs_walk_xattrs), a hard-link map keyed by
 * inode (sfs_walk_links_*) and a capped growable path (sfs_walk_path_*).
 * Nothing here ever writes to the ciphertext tree: everything is opened
 * O_RDONLY (with O_NOATIME when allowed). All functions return 0 or -errno
 * unless said otherwise; out-parameters are untouched on failure.
 */
#ifndef SEALFS_WALK_H
#define SEALFS_WALK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "content.h"
#include "keys.h"
#include "names.h"

/* What sfs_walk_next found out about an entry. */
enum sfs_walk_status {
	SFS_WALK_OK,	   /* plaintext name in entry.name */
	SFS_WALK_NO_DIRIV, /* the directory's IV is missing or damaged: name unknown */
	SFS_WALK_BAD_NAME, /* the name fails authentication */
	SFS_WALK_NO_SIDE,  /* a long-name stand-in without its .name side file */
	SFS_WALK_BAD_SIDE, /* the .name side file is damaged (empty, too long) */
	SFS_WALK_FOREIGN,  /* not a sealfs name at all */
	SFS_WALK_ORPHAN,   /* a .name/.link side file whose entry is gone */
	SFS_WALK_ERROR,	   /* could not be examined: entry.err says why */
};

struct sfs_walk_entry {
	const char *disk; /* on-disk name; valid until the next sfs_walk_next/free */
	enum sfs_walk_status status;
	int err;		     /* -errno when status is SFS_WALK_ERROR, else 0 */
	char name[SFS_NAME_MAX + 1]; /* plaintext name (status SFS_WALK_OK), NUL-terminated */
	size_t namelen;
	struct stat st; /* lstat of the on-disk entry (not valid for SFS_WALK_ERROR) */
};

struct sfs_walk;

/*
 * Open the ciphertext directory ATFD/PATH (PATH "." for ATFD itself; a final
 * symlink is not followed) and read its IV. Fails only when the directory
 * cannot be opened; an unusable IV is reported by sfs_walk_diriv and makes
 * every encrypted name in it SFS_WALK_NO_DIRIV. K is borrowed and must
 * outlive the walk. *ret is the caller's (sfs_walk_free).
 */
int sfs_walk_open(const struct sfs_keys *k, int atfd, const char *path, struct sfs_walk **ret);

/* The directory's fd (owned by the walk; valid until sfs_walk_free). */
int sfs_walk_fd(const struct sfs_walk *w);

/*
 * The directory IV: 0 and the 16 bytes in out, or the error reading it:
 * -ENOENT missing, -EIO damaged (not 16 bytes), other -errno.
 */
int sfs_walk_diriv(const struct sfs_walk *w, uint8_t out[SFS_DIRIV_LEN]);

/*
 * Next entry into *ret. Returns 1 with an entry, 0 at the end, -errno when
 * reading the directory fails. Entries that vanish while walking (a live
 * volume) are skipped.
 */
int sfs_walk_next(struct sfs_walk *w, struct sfs_walk_entry *ret);

/* Close the directory; accepts NULL. */
void sfs_walk_free(struct sfs_walk *w);

/* A lowercase description of a status, for reports ("name fails authentication"). */
const char *sfs_walk_status_str(enum sfs_walk_status s);

/*
 * Open NAME relative to DIRFD read-only with O_NOATIME when the kernel lets
 * us (owner or CAP_FOWNER), never following a final symlink, never becoming
 * the controlling tty, non-blocking (so a FIFO swapped in cannot hang us).
 * FLAGS may add O_DIRECTORY. Returns the fd or -errno.
 */
int sfs_walk_openat(int dirfd, const char *name, int flags);

/*
 * Look up plaintext NAME (namelen bytes) in the directory DIRFD whose IV is
 * DIRIV: disk gets the on-disk name (SFS_ENC_NAME_MAX + 1 bytes), *ret_st
 * its lstat. -ENOENT when absent, -EINVAL for an invalid name.
 */
int sfs_walk_lookup(const struct sfs_keys *k, int dirfd, const uint8_t diriv[SFS_DIRIV_LEN],
		    const char *name, size_t namelen, char disk[SFS_ENC_NAME_MAX + 1],
		    struct stat *ret_st);

/* Where a plaintext path lives in the ciphertext tree. */
struct sfs_walk_loc {
	int dirfd;			 /* parent directory, owned: close it */
	uint8_t diriv[SFS_DIRIV_LEN];	 /* IV of the parent */
	char disk[SFS_ENC_NAME_MAX + 1]; /* on-disk name in the parent */
	char name[SFS_NAME_MAX + 1];	 /* plaintext name (last component) */
	size_t namelen;
	struct stat st; /* lstat of the entry */
};

/*
 * Resolve the plaintext PATH ("a/b/c", leading and repeated '/' allowed, no
 * "." or ".." components, at most PATH_MAX - 1 bytes) below ROOTFD. The
 * volume root itself ("" or "/") has no parent: -EINVAL. Errors: -ENOENT
 * absent, -ENOTDIR a component is not a directory, -EIO a directory IV on
 * the way is missing or damaged, -EINVAL a bad path, -ENAMETOOLONG.
 * On success ret->dirfd is the caller's to close.
 */
int sfs_walk_resolve(const struct sfs_keys *k, int rootfd, const char *path,
		     struct sfs_walk_loc *ret);

/* One user extended attribute of an object, as sfs_walk_xattrs found it. */
struct sfs_walk_xattr {
	const char *disk;     /* on-disk attribute name "user.sealfs.<...>" */
	const char *name;     /* plaintext "user.X"; NULL when the name fails authentication */
	const uint8_t *value; /* plaintext value; NULL when it fails (or the name did) */
	size_t len;	      /* bytes at value */
};

/*
 * Call FN for every sealfs attribute (user.sealfs.*) of the open object FD
 * (a regular file or directory). Other attributes are not ours and skipped.
 * Values live in a scratch buffer wiped after FN returns. Returns 0, the
 * first non-zero value FN returns, or -errno listing/reading failed; a file
 * system without xattr support has none (0).
 */
int sfs_walk_xattrs(const struct sfs_keys *k, int fd,
		    int (*fn)(void *arg, const struct sfs_walk_xattr *x), void *arg);

/*
 * Hard-link map: remembers inodes (dev, ino) seen with a link count above
 * one, each with a copy of a string (the path it was restored to; NULL
 * allowed, e.g. for "restoring it failed"). Grows as needed.
 */
struct sfs_walk_links;

/* New empty map; NULL when out of memory. Free with sfs_walk_links_free. */
struct sfs_walk_links *sfs_walk_links_new(void);
void sfs_walk_links_free(struct sfs_walk_links *m);
/* Remember (dev, ino) with a copy of VAL (may be NULL). -EEXIST when known. */
int sfs_walk_links_add(struct sfs_walk_links *m, dev_t dev, ino_t ino, const char *val);
/* true when (dev, ino) is known; *ret_val (may be NULL) gets its string, owned by the map. */
bool sfs_walk_links_find(const struct sfs_walk_links *m, dev_t dev, ino_t ino,
			 const char **ret_val);

/*
 * A path that grows as a walk descends and shrinks as it returns. buf is
 * always NUL-terminated; push refuses (-ENAMETOOLONG) to grow beyond max
 * bytes (without the NUL), -ENOMEM when out of memory.
 */
struct sfs_walk_path {
	char *buf;
	size_t len, cap, max;
};

/* Start PATH with the string START (copied); max is the length cap. */
int sfs_walk_path_init(struct sfs_walk_path *p, const char *start, size_t max);
/* Append "/" (unless the path ends in one) and the n bytes of NAME. */
int sfs_walk_path_push(struct sfs_walk_path *p, const char *name, size_t n);
/* Cut the path back to LEN bytes (a length saved before a push). */
void sfs_walk_path_pop(struct sfs_walk_path *p, size_t len);
void sfs_walk_path_release(struct sfs_walk_path *p);

#endif
