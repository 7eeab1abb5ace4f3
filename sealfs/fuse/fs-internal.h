/*
 * fs-internal.h - state shared by the files of the FUSE layer: the mounted
 * volume, its inode table and the open-file state. Not for use outside
 * sealfs/fuse/.
 *
 * The layer is built on libfuse's low-level API. Each object the kernel
 * knows is one struct inode, keyed by the (device, inode) of its ciphertext
 * object (reverse mode: of the plaintext object, plus a kind for the view's
 * virtual files) and holding an O_PATH descriptor of it. Every operation
 * works relative to those descriptors with *at() calls that never follow a
 * symlink, so no ciphertext path is ever built and a hard-linked file is one
 * inode with one link count.
 *
 * Files: inode.c (the table, lookup counts, open handles), nodes.c (open
 * regular files: header state and lock), ops-entry.c and ops-file.c
 * (forward mode), rops.c and rops-file.c (reverse mode), eops.c (EncFS
 * volumes, read-only), mount.c (session, signals, --idle).
 */
#ifndef SEALFS_FS_INTERNAL_H
#define SEALFS_FS_INTERNAL_H

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "content.h"
#include "entry.h"
#include "file.h"
#include "fs.h"
#include "keys.h"
#include "names.h"

#define INODE_BUCKETS 65536

/* Kinds of inodes: the forward mode's and reverse mode's real objects, and the
   reverse view's virtual files. */
enum ikind {
	I_REAL = 0,
	I_CONF,	    /* reverse: /sealfs.conf */
	I_DIRIV,    /* reverse: DIR/sealfs.diriv */
	I_NAMESIDE, /* reverse: DIR/sealfs.longname.X.name */
	I_LINKSIDE, /* reverse: DIR/X.link */
};

struct node;

/* An open handle that is not a regular file: see handle_open below. */
struct handle {
	struct handle *prev, *next;
	void (*free)(struct handle *h);
};

struct inode {
	struct inode *next; /* hash chain */
	dev_t dev;
	ino_t ino;
	enum ikind kind;
	mode_t type;	  /* S_IFMT bits */
	uint64_t nlookup; /* the kernel's references (lookup/forget) */
	unsigned refs;	  /* ours: children's parent pointers, open handles, calls */
	int fd;		  /* O_PATH | O_NOFOLLOW, or -1 for virtual files */
	uint8_t diriv[SFS_DIRIV_LEN]; /* a directory's own IV, once has_iv */
	uint64_t eiv; /* EncFS: a directory's chain IV, a file's path IV */
	bool has_iv;

	/*
	 * Where it was last seen: the parent directory, its plaintext name and
	 * on-disk name there. Under the table lock. For a hard-linked file,
	 * any one of its names.
	 */
	struct inode *parent;
	char *name;
	char *disk;

	struct node *node; /* open regular file, under the table lock */
};

struct sfs_fs {
	struct sfs_mount_opts opts;
	int rootfd;
	struct sfs_keys *keys;
	bool ro;
	uid_t euid;
	uint8_t rootiv[SFS_DIRIV_LEN];
	int64_t last_activity; /* CLOCK_MONOTONIC ms of the last request (--idle) */
	unsigned open_handles; /* files and directories open, under table lock */
	struct handle handles; /* list head of struct handle, under table lock */
	struct fuse_session *se;
	double timeout;	/* entry and attribute cache, seconds */
	bool writeback; /* the kernel's writeback cache is on */

	pthread_mutex_t report_lock;
	uint32_t reported[1024];
	size_t nreported;

	pthread_mutex_t table_lock;
	struct inode root;
	struct inode *table[INODE_BUCKETS];

	/* an EncFS volume, mounted read-only (eops.c); its calls one at a time */
	struct efs_volume *efs;
	pthread_mutex_t efs_lock;

	/* reverse mode */
	char *rev_conf; /* the config's bytes, shown as /sealfs.conf */
	size_t rev_conf_len;
};

extern const struct fuse_lowlevel_ops sfs_ll_ops;
extern const struct fuse_lowlevel_ops sfs_rev_ops;
extern const struct fuse_lowlevel_ops sfs_encfs_ops;

/* inode.c */
struct sfs_fs *fs_of(fuse_req_t req);
struct inode *inode_of(struct sfs_fs *fs, fuse_ino_t ino);
/* Find or add the inode of the object FD (O_PATH, ownership passes) with
   lstat ST, one kernel lookup more; update where it was seen. */
int inode_get(struct sfs_fs *fs, int fd, const struct stat *st, enum ikind kind,
	      struct inode *parent, const char *name, size_t namelen, const char *disk,
	      struct inode **ret);
/* The inode of (dev, ino, kind) if the table has it, with a reference (inode_put). */
struct inode *inode_find(struct sfs_fs *fs, dev_t dev, ino_t ino, enum ikind kind);
void inode_hold(struct sfs_fs *fs, struct inode *in);
void inode_put(struct sfs_fs *fs, struct inode *in);
void inode_forget(struct sfs_fs *fs, struct inode *in, uint64_t n);
/* Update where IN lives (after a rename). */
void inode_move(struct sfs_fs *fs, struct inode *in, struct inode *parent, const char *name,
		size_t namelen, const char *disk);
/* The plaintext path of IN from the root ("" for the root), malloc'd or NULL. */
char *inode_path(struct sfs_fs *fs, struct inode *in);
/* Copies of IN's parent (held: inode_put) and on-disk name, under the lock. */
int inode_where(struct sfs_fs *fs, struct inode *in, struct inode **parent,
		char disk[SFS_ENC_NAME_MAX + 1]);
void inode_table_free(struct sfs_fs *fs);
/* "/proc/self/fd/N" of IN's descriptor. */
void inode_proc(const struct inode *in, char out[64]);
/*
 * Open handles other than regular files (listings, reverse-mode files): each
 * embeds a struct handle, registered while the kernel holds it, so --idle
 * never unmounts with one open and a stop with some still open frees them.
 */
void handle_open(struct sfs_fs *fs, struct handle *h, void (*free_fn)(struct handle *h));
void handle_close(struct sfs_fs *fs, struct handle *h); /* unregisters and frees */
void handles_free_all(struct sfs_fs *fs);
/* Free the open-file state of every inode (the kernel is gone). */
void nodes_free_all(struct sfs_fs *fs);

/* nodes.c: open regular files (forward mode) */
struct node {
	int fd; /* O_RDWR, or O_RDONLY on a read-only mount */
	unsigned opens;
	pthread_rwlock_t lock;
	struct sfs_file f;
	/*
	 * With the writeback cache the kernel owns the mtime and sends it in a
	 * setattr that may overtake writes still in flight: once it has, every
	 * write puts that mtime back (under lock).
	 */
	bool kernel_mtime;
	struct timespec mtime;
};
/* Open IN's file state (another handle on it when already open). */
int node_open(struct sfs_fs *fs, struct inode *in, struct node **ret);
/* A fresh file: FD was just created at P; writes its header. Then
   node_install makes it IN's open state (or node_discard drops it; the
   caller closes FD). */
int node_new(struct sfs_fs *fs, int fd, const struct sfs_place *p, struct node **ret);
struct node *node_install(struct sfs_fs *fs, struct inode *in, struct node *n);
void node_discard(struct node *n);
void node_close(struct sfs_fs *fs, struct inode *in);
/* Write N's pending header, keeping the file's times. Caller holds n->lock. */
int node_flush(struct node *n);
/* The binding of IN's header at its current place (false: none known). */
bool node_binding(struct sfs_fs *fs, struct inode *in, uint8_t diriv[SFS_DIRIV_LEN],
		  char name[SFS_NAME_MAX + 1], size_t *namelen);
/* Bind the header of the file now at AT, bound to WAS, to TO (NULL: unbind,
   for a second name). IN is its inode when the kernel knows it (AT and WAS
   are then unused). */
int node_rebind(struct sfs_fs *fs, struct inode *in, const struct sfs_place *at,
		const struct sfs_place *was, const struct sfs_place *to);
/* Flush every open file's header (unmount, signals). */
void nodes_flush_all(struct sfs_fs *fs);

/* ops-file.c / ops-entry.c */
void fs_report(struct sfs_fs *fs, struct inode *in, const char *name, const char *why,
	       uint64_t block, bool has_block);
void fs_touch(struct sfs_fs *fs);
/* The plaintext view of a ciphertext lstat (sizes of files and symlinks). */
void fs_plain_stat(struct sfs_fs *fs, struct inode *in, struct stat *st);
/* Reply with the entry of NAME in PARENT (a lookup the kernel counts). */
int fs_entry(fuse_req_t req, struct inode *parent, const char *name, struct fuse_entry_param *e);
void fw_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void fw_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode);
void fw_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev);
void fw_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name);
void fw_unlink(fuse_req_t req, fuse_ino_t parent, const char *name);
void fw_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void fw_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
	       const char *newname, unsigned int flags);
void fw_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname);
void fw_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	       struct fuse_file_info *fi);
void fw_readlink(fuse_req_t req, fuse_ino_t ino);
void fw_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fw_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi);
void fw_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi);
void fw_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup);
void fs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets);
void fs_statfs(fuse_req_t req, fuse_ino_t ino);
/* FD (O_PATH) of an object with lstat ST; a directory's is reopened for reading. */
int dir_fd(int fd, const struct stat *st);

/* rops.c / rops-file.c: reverse mode */
/* The derived IV of directory D; *path (may be NULL) gets its path, malloc'd. */
int rev_dir_iv(struct sfs_fs *fs, struct inode *d, uint8_t iv[SFS_DIRIV_LEN], char **path);
/* The content of the virtual inode IN (malloc'd). */
int rev_virt_content(struct sfs_fs *fs, struct inode *in, char **ret, size_t *ret_len);
void rev_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void rev_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, struct fuse_file_info *fi);
void rev_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);

/* CLOCK_MONOTONIC in ms: --idle measures time this way, so a clock step
   (NTP, date -s) neither fires it early nor holds it off. */
static inline int64_t sfs_mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

#endif
