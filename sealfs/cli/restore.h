/*
 * restore.h - the one restore engine of the offline commands (sealfs CLI
 * layer): it copies a tree from a SOURCE (a sealfs volume, an EncFS volume,
 * or a plain directory) into a SINK (a plain directory, or a sealfs volume
 * written without FUSE), every object under a temporary name renamed into
 * place once complete, so a damaged or interrupted file never leaves a
 * partial copy. Used by decrypt (sealfs/EncFS -> dir), import (EncFS ->
 * sealfs), encrypt (dir -> sealfs).
 *
 * A source hands out directories and entries (struct rs_entry) with their
 * plaintext names and statuses, opens files for reading by plaintext range,
 * reads symlinks and user xattrs. A sink maps names to on-disk names, makes
 * directories, creates files from an fd the engine opened under a temporary
 * name, makes symlinks and sets xattrs. Handles (void *) are the
 * implementation's; every op returns 0 or -errno unless said.
 */
#ifndef SEALFS_RESTORE_H
#define SEALFS_RESTORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#define RS_NAME_MAX 255
#define RS_DISK_MAX 1023 /* an on-disk name in a source or sink */
#define RS_LINK_MAX 4095

enum rs_status {
	RS_OK,	   /* name known: restore it */
	RS_HIDE,   /* not part of the tree (side files): skip silently */
	RS_LOST,   /* name unknown because of the directory (counted, reported once) */
	RS_WARN,   /* foreign, skipped with a warning (why) */
	RS_DAMAGE, /* damage (why): reported, counts as damage */
	RS_ERROR,  /* cannot be examined (err) */
};

struct rs_entry {
	const char *disk; /* source on-disk name, for messages; valid until the next next() */
	enum rs_status status;
	const char *why;
	int err;
	char name[RS_NAME_MAX + 1];
	size_t namelen;
	struct stat st; /* lstat of the source object (st_size is not the plaintext size) */
	uint64_t aux;	/* the source's own (EncFS: the IV after the name) */
};

/* A user extended attribute handed out by a source; name or value NULL: damaged. */
typedef int (*rs_xattr_fn)(void *arg, const char *disk, const char *name, const void *value,
			   size_t len);

struct rs_source_ops {
	int (*open_root)(void *ctx, void **ret_dir);
	int (*open_dir)(void *ctx, void *parent, const struct rs_entry *e, void **ret_dir);
	/* 1 with an entry, 0 at the end, -errno. */
	int (*next)(void *ctx, void *dir, struct rs_entry *ret);
	/* Why RS_LOST entries of DIR have no name (NULL: none were lost). */
	const char *(*dir_problem)(void *ctx, void *dir);
	int (*dir_fd)(void *dir);
	void (*close_dir)(void *ctx, void *dir);
	/* Look up NAME in DIR; ret->disk points into disk (RS_DISK_MAX + 1). -ENOENT absent. */
	int (*lookup)(void *ctx, void *dir, const char *name, size_t n, char *disk,
		      struct rs_entry *ret);
	/* Open regular file E of DIR: *ret_size its plaintext size; -EIO with *why: damage. */
	int (*open_file)(void *ctx, void *dir, const struct rs_entry *e, void **ret_file,
			 uint64_t *ret_size, const char **why);
	/* Read; -EIO with *ret_bad (block index) and *why: damage. */
	ssize_t (*read)(void *ctx, void *file, void *buf, size_t n, uint64_t off, uint64_t *ret_bad,
			const char **why);
	int (*file_fd)(void *file);
	void (*close_file)(void *ctx, void *file);
	/* Symlink target into out (RS_LINK_MAX + 1); length, -EIO: damage. */
	long (*readlink)(void *ctx, void *dir, const struct rs_entry *e, char *out);
	/* Call fn for every user xattr of the open object FD. */
	int (*xattrs)(void *ctx, int fd, rs_xattr_fn fn, void *arg);
};

struct rs_source {
	const struct rs_source_ops *ops;
	void *ctx;
	size_t block; /* plaintext bytes per block, for "block N" messages */
};

/* A sink directory: its fd and (sealfs) its directory IV. */
struct rs_ddir {
	int fd;
	uint8_t diriv[16];
};

struct rs_sink_ops {
	int (*open_root)(void *ctx, struct rs_ddir *ret);
	/* On-disk name of NAME in D into disk (RS_DISK_MAX + 1). */
	int (*disk)(void *ctx, const struct rs_ddir *d, const char *name, size_t n, char *disk);
	/* Before DISK appears in D under NAME: side files (sealfs long names). */
	int (*prepare)(void *ctx, const struct rs_ddir *d, const char *name, size_t n,
		       const char *disk);
	/* Open or make directory D/DISK (named NAME): *ret_created; -EEXIST not a directory. */
	int (*dir)(void *ctx, const struct rs_ddir *d, const char *name, size_t n, const char *disk,
		   bool force, struct rs_ddir *ret, bool *ret_created);
	/* Content into the new empty file FD that will be renamed to D/NAME. */
	int (*file_new)(void *ctx, const struct rs_ddir *d, const char *name, size_t n, int fd,
			bool multi_link, void **ret);
	int (*file_write)(void *ctx, void *f, const void *buf, size_t n, uint64_t off);
	/* Set the size (holes), flush and fsync; then free (also after failures). */
	int (*file_finish)(void *ctx, void *f, uint64_t size);
	/* Read the finished file back and check it hashes to SHA (SHA-256 of its
	 * SIZE plaintext bytes): -EIO when not. NULL: the sink needs no check. */
	int (*file_verify)(void *ctx, void *f, uint64_t size, const uint8_t sha[32]);
	void (*file_free)(void *ctx, void *f);
	/* Make symlink D/TMP -> TARGET (plaintext target, named NAME in the end). */
	int (*symlink)(void *ctx, const struct rs_ddir *d, const char *name, size_t n,
		       const char *tmp, const char *target);
	int (*setxattr)(void *ctx, int fd, const char *name, const void *value, size_t len);
	/*
	 * An interrupted run again (skip_existing): whether the regular file
	 * D/DISK, named NAME, left by the earlier run is whole (0), or damaged
	 * (-EIO: a crash before its data reached the disk) and to be made again.
	 * NULL: existing files are trusted.
	 */
	int (*check)(void *ctx, const struct rs_ddir *d, const char *name, size_t n,
		     const char *disk);
	/* Whether the sink keeps FIFOs, sockets and device nodes. */
	bool special;
	/* Temporary names: NULL for ".NAME.sealfs-tmp" (then random), else this
	 * prefix and random hex (names the sink's format keeps hidden). */
	const char *tmp_prefix;
};

struct rs_sink {
	const struct rs_sink_ops *ops;
	void *ctx;
	int rootfd; /* for hard links: paths relative to it */
};

struct rs_opts {
	bool force;	       /* replace existing objects in the sink */
	bool skip_existing;    /* an existing object is done already (an interrupted run again) */
	bool quiet;	       /* no summary line */
	bool owners;	       /* restore ownership (root) */
	bool progress;	       /* a progress line on a terminal */
	const char *verb;      /* "restored", "imported", "encrypted" */
	const char *src_label; /* the source path, for messages about unnamed entries */
	int progress_fd;       /* the source root, for the progress line's totals */
};

struct rs_counts {
	uint64_t dirs, files, symlinks, other, bytes, skipped;
	uint64_t damage, errors;
};

/*
 * Copy the whole source tree into the sink's root (META_ROOT: give the root
 * the source root's metadata), or only the plaintext PATHS (normalized "a/b",
 * sorted, none below another; directories on the way are made). Problems are
 * reported one line each (path: what) and counted; the counts come back in
 * *ret. Returns 0, or -ENOMEM when the engine itself could not run.
 */
int rs_run(const struct rs_source *src, const struct rs_sink *sink, const struct rs_opts *o,
	   char *const *paths, size_t npaths, bool meta_root, struct rs_counts *ret);

/* Print the summary line of counts C with VERB ("restored"). */
void rs_summary(const struct rs_counts *c, const char *verb);

/* Escape S for a message into out (control chars, bad UTF-8 as \xNN). */
const char *rs_esc(const char *s, char *out, size_t outlen);

/* "block N fails ..." from the why of a failed read of block N. */
const char *rs_block_msg(uint64_t block, const char *why, char *out, size_t len);

/* Normalize a PATH argument in place (no leading/trailing/doubled '/'); -EINVAL for . or .. */
int rs_normalize(char *s);
/* Sort PATHS and drop those below another one; returns the new count (0 = whole tree). */
size_t rs_prune_paths(char **paths, size_t n, bool *ret_whole);

/* The plain-directory sink (decrypt) and source (encrypt) over an open directory fd. */
extern const struct rs_sink_ops rs_dir_sink;
extern const struct rs_source_ops rs_dir_source;
/* The context of rs_dir_source: the root fd of the plain tree. */
struct rs_dir_src {
	int rootfd;
};
struct rs_dir_snk {
	int rootfd;
};

#endif
