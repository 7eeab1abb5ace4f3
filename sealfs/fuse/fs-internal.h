/*
 * fs-internal.h - state shared by the files of the FUSE layer: the mounted
 * volume, resolved locations, the directory cache and the open-node table.
 * Not for use outside sealfs/fuse/.
 */
#ifndef SEALFS_FS_INTERNAL_H
#define SEALFS_FS_INTERNAL_H

#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "content.h"
#include "file.h"
#include "fs.h"
#include "keys.h"
#include "names.h"

#define DIRCACHE_SLOTS 1024
#define NODE_BUCKETS 1024
#define LINKNAMES 512

struct dc_entry {
	char *path;  /* plaintext directory path */
	char *cpath; /* ciphertext path relative to the root ("." for the root) */
	uint8_t iv[SFS_DIRIV_LEN];
};

struct node {
	struct node *next;
	dev_t dev;
	ino_t ino;
	int refs;
	int fd;
	pthread_rwlock_t lock;
	struct sfs_file f;
};

struct sfs_fs {
	struct sfs_mount_opts opts;
	int rootfd;
	struct sfs_keys *keys;
	bool ro;
	uid_t euid;
	uint8_t rootiv[SFS_DIRIV_LEN];
	int64_t last_activity;	/* CLOCK_MONOTONIC ms of the last request (--idle) */
	unsigned open_nodes;

	pthread_mutex_t report_lock;
	uint32_t reported[1024];
	size_t nreported;

	pthread_mutex_t dc_lock;
	struct dc_entry dc[DIRCACHE_SLOTS];

	pthread_mutex_t nodes_lock;
	struct node *nodes[NODE_BUCKETS];

	/*
	 * Names seen for hard-linked files. libfuse's path API gives each name
	 * its own kernel inode, so when the link count changes the attributes
	 * cached for the other names are invalidated by hand (links.c).
	 */
	pthread_mutex_t links_lock;
	struct linkname {
		dev_t dev;
		ino_t ino;
		char *path;
	} links[LINKNAMES];
	size_t links_next;

	/* reverse mode */
	char *rev_conf; /* the config's bytes, shown as /sealfs.conf */
	size_t rev_conf_len;
};

/* A plaintext path resolved to its place in the ciphertext tree. */
struct loc {
	char cpath[PATH_MAX];	/* ciphertext path relative to the root fd */
	char cparent[PATH_MAX]; /* its directory ("." for the root) */
	char disk[SFS_ENC_NAME_MAX + 1];
	char enc[SFS_ENC_NAME_MAX + 1];
	bool islong;
	uint8_t diriv[SFS_DIRIV_LEN];
	char name[SFS_NAME_MAX + 1];
	size_t namelen;
};

extern const struct fuse_operations sfs_fuse_ops;
extern const struct fuse_operations sfs_reverse_ops;

/* dircache.c */
int dir_resolve(struct sfs_fs *fs, const char *path, char cdir[PATH_MAX],
		uint8_t iv[SFS_DIRIV_LEN]);
int loc_resolve(struct sfs_fs *fs, const char *path, struct loc *l);
int loc_parent_fd(struct sfs_fs *fs, const struct loc *l);
int loc_write_side(struct sfs_fs *fs, const struct loc *l);
/* Remove the side files of a removed entry: its .name when long, its .link
 * when MODE is a symlink's (or 0: unknown). */
void loc_remove_side(struct sfs_fs *fs, const struct loc *l, mode_t mode);
/* Move (or swap) the .link side file of a long symlink target along with a rename. */
int loc_move_link_side(struct sfs_fs *fs, const struct loc *from, const struct loc *to,
		       bool exchange);
void loc_binding(const struct loc *l, struct sfs_binding *b);
void loc_proc_path(struct sfs_fs *fs, const struct loc *l, char *out, size_t len);
void dircache_clear(struct sfs_fs *fs);

/* nodes.c */
/* Open (or take another reference to) the node of the regular file at AT, whose
 * header must be bound to BOUND_TO. On -EIO *ret_why (if given) says why. */
int node_open_loc(struct sfs_fs *fs, const struct loc *at, const struct loc *bound_to,
		  struct node **ret, const char **ret_why);
int node_open_path(struct sfs_fs *fs, const char *path, struct node **ret);
int node_create(struct sfs_fs *fs, int fd, const struct loc *l, struct node **ret);
void node_put(struct sfs_fs *fs, struct node *n);
/*
 * Write N's pending header (its recorded size), keeping the file's times:
 * the header is bookkeeping, not a change of content. Caller holds n->lock.
 */
int node_flush(struct node *n);
/* If the regular file at CPATH is open, write its pending header now (before
 * its times are set, so that closing it later does not change them). */
void node_flush_at(struct sfs_fs *fs, const char *cpath);

/* links.c */
void links_note(struct sfs_fs *fs, const struct stat *st, const char *path);
void links_changed(struct sfs_fs *fs, dev_t dev, ino_t ino, const char *except);
void links_clear(struct sfs_fs *fs);

/* fs.c */
void fs_report(struct sfs_fs *fs, const char *path, const char *why, uint64_t block,
	       bool has_block);

/* CLOCK_MONOTONIC in ms: --idle measures time this way, so a clock step
   (NTP, date -s) neither fires it early nor holds it off. */
static inline int64_t sfs_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
