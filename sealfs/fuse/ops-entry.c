/*
 * ops-entry.c - forward mode's directory operations on libfuse's low-level
 * API: lookup, create, remove, rename, link, symlinks and listings (sealfs
 * FUSE layer).
 *
 * Thin: each operation turns (parent inode, plaintext name) into a place
 * (core/entry.h) inside the parent's descriptor and lets the core do the
 * work and its bookkeeping. See fs-internal.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "log.h"
#include "meta.h"
#include "tree.h"
#include "fs-internal.h"
#include "banned.h"

void fs_touch(struct sfs_fs *fs)
{
	__atomic_store_n(&fs->last_activity, sfs_mono_ms(), __ATOMIC_RELAXED);
}

/* Log a damaged object once (the kernel may retry many times). */
void fs_report(struct sfs_fs *fs, struct inode *in, const char *name, const char *why,
	       uint64_t block, bool has_block)
{
	_cleanup_free_ char *path = in ? inode_path(fs, in) : NULL;
	char where[PATH_MAX + 300];
	uint8_t h[32];
	uint32_t key;
	bool seen = false;

	snprintf(where, sizeof(where), "/%s%s%s", path ? path : "", path && *path && name ? "/" : "",
		 name ? name : "");
	sfs_sha256(where, strlen(where), h);
	memcpy(&key, h, sizeof(key));
	pthread_mutex_lock(&fs->report_lock);
	for (size_t i = 0; i < fs->nreported; i++)
		if (fs->reported[i] == key)
			seen = true;
	if (!seen && fs->nreported < ARRAY_SIZE(fs->reported))
		fs->reported[fs->nreported++] = key;
	pthread_mutex_unlock(&fs->report_lock);
	if (seen)
		return;
	if (has_block)
		log_error("'%s': %s (block %llu)", where, why, (unsigned long long)block);
	else
		log_error("'%s': %s", where, why);
}

/* A directory's own IV, read once from its sealfs.diriv. */
static int dir_iv(struct sfs_fs *fs, struct inode *d, uint8_t iv[SFS_DIRIV_LEN])
{
	int r;

	if (d->type != S_IFDIR)
		return -ENOTDIR;
	if (__atomic_load_n(&d->has_iv, __ATOMIC_ACQUIRE)) {
		memcpy(iv, d->diriv, SFS_DIRIV_LEN);
		return 0;
	}
	r = sfs_diriv_read(d->fd, iv);
	if (r == -ENOENT || r == -EIO) {
		fs_report(fs, d, NULL, "directory IV (sealfs.diriv) missing or damaged", 0, false);
		return -EIO;
	}
	if (r)
		return r;
	pthread_mutex_lock(&fs->table_lock);
	memcpy(d->diriv, iv, SFS_DIRIV_LEN);
	__atomic_store_n(&d->has_iv, true, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&fs->table_lock);
	return 0;
}

static int place(struct sfs_fs *fs, struct inode *dir, const char *name, struct sfs_place *p)
{
	uint8_t iv[SFS_DIRIV_LEN];
	int r = dir_iv(fs, dir, iv);

	if (r)
		return r;
	return sfs_place_init(fs->keys, dir->fd, iv, name, strlen(name), p);
}

/* The plaintext target of the symlink inode IN into out (SFS_LINK_MAX + 1). */
static long link_target(struct sfs_fs *fs, struct inode *in, char *out)
{
	char disk[SFS_ENC_NAME_MAX + 1];
	struct inode *parent;
	long n;

	if (inode_where(fs, in, &parent, disk))
		return -EIO;
	n = sfs_tree_readlink(fs->keys, parent->fd, disk, out);
	inode_put(fs, parent);
	return n;
}

void fs_plain_stat(struct sfs_fs *fs, struct inode *in, struct stat *st)
{
	if (S_ISREG(st->st_mode)) {
		struct node *n;
		uint64_t plain;

		pthread_mutex_lock(&fs->table_lock);
		n = in->node;
		if (n)
			plain = __atomic_load_n(&n->f.size, __ATOMIC_RELAXED);
		pthread_mutex_unlock(&fs->table_lock);
		if (!n && sfs_plain_size((uint64_t)st->st_size, &plain))
			plain = 0; /* no ciphertext has this length: reading gives EIO */
		st->st_size = (off_t)plain;
	} else if (S_ISLNK(st->st_mode)) {
		_cleanup_free_ char *target = malloc(SFS_LINK_MAX + 1);
		long n = target ? link_target(fs, in, target) : -ENOMEM;
		st->st_size = n < 0 ? 0 : n;
	}
}

static void fill_entry(struct sfs_fs *fs, struct inode *in, const struct stat *st,
		       struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = (fuse_ino_t)(uintptr_t)in;
	e->attr = *st;
	fs_plain_stat(fs, in, &e->attr);
	e->attr_timeout = fs->timeout;
	e->entry_timeout = fs->timeout;
}

/*
 * A directory's descriptor is opened for reading (fsync, listings and the
 * core's *at() calls all take it); an O_PATH one stays where reading is
 * not allowed (the daemon is not root and the mode denies it).
 */
int dir_fd(int fd, const struct stat *st)
{
	int dfd;

	if (!S_ISDIR(st->st_mode))
		return fd;
	dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return fd;
	close(fd);
	return dfd;
}

/* The entry of on-disk DISK (plaintext NAME) in PARENT; one kernel lookup. */
static int entry_at(struct sfs_fs *fs, struct inode *parent, const char *name, const char *disk,
		    struct fuse_entry_param *e)
{
	struct inode *in;
	struct stat st;
	int fd, r;

	fd = openat(parent->fd, disk, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	fd = dir_fd(fd, &st);
	r = inode_get(fs, fd, &st, I_REAL, parent, name, strlen(name), disk, &in);
	if (r)
		return r;
	fill_entry(fs, in, &st, e);
	return 0;
}

int fs_entry(fuse_req_t req, struct inode *parent, const char *name, struct fuse_entry_param *e)
{
	struct sfs_fs *fs = fs_of(req);
	struct sfs_place p;
	int r = place(fs, parent, name, &p);

	return r ? r : entry_at(fs, parent, name, p.disk, e);
}

void fw_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sfs_fs *fs = fs_of(req);
	struct fuse_entry_param e;
	int r;

	fs_touch(fs);
	r = fs_entry(req, inode_of(fs, parent), name, &e);
	if (r == -ENOENT && fs->timeout > 0) {
		memset(&e, 0, sizeof(e)); /* a cached negative entry */
		e.entry_timeout = fs->timeout;
		fuse_reply_entry(req, &e);
		return;
	}
	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

/*
 * When the filesystem runs as root, objects it creates for another user must
 * belong to that user. The group follows the usual rule: the caller's, or
 * the directory's when the directory is setgid (the kernel gave it already).
 */
static int own(fuse_req_t req, struct inode *parent, const struct sfs_place *p)
{
	struct sfs_fs *fs = fs_of(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct stat pst;
	gid_t gid = ctx->gid;

	if (fs->euid != 0 || (ctx->uid == 0 && ctx->gid == 0))
		return 0;
	if (fstatat(parent->fd, "", &pst, AT_EMPTY_PATH) == 0 && (pst.st_mode & S_ISGID))
		gid = (gid_t)-1;
	return sfs_entry_chown(p, ctx->uid, gid);
}

/* Finish a create-like call: own it, reply its entry, or undo it. */
static void made(fuse_req_t req, struct inode *parent, const char *name, const struct sfs_place *p,
		 mode_t type, int r)
{
	struct sfs_fs *fs = fs_of(req);
	struct fuse_entry_param e;

	if (!r)
		r = own(req, parent, p);
	if (!r)
		r = entry_at(fs, parent, name, p->disk, &e);
	if (r) {
		if (r != -EEXIST) {
			if (S_ISDIR(type))
				(void)sfs_entry_rmdir(p);
			else
				(void)sfs_entry_unlink(p, NULL);
		}
		fuse_reply_err(req, -r);
		return;
	}
	fuse_reply_entry(req, &e);
}

/* Every call that changes the tree: counts as activity, and a read-only
   mount answers EROFS (true: the reply is sent). */
static bool refuse_write(fuse_req_t req, struct sfs_fs *fs)
{
	fs_touch(fs);
	if (!fs->ro)
		return false;
	fuse_reply_err(req, EROFS);
	return true;
}

void fw_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *dir = inode_of(fs, parent);
	struct sfs_place p;
	int r;

	if (refuse_write(req, fs))
		return;
	r = place(fs, dir, name, &p);
	if (!r)
		r = sfs_entry_mkdir(&p, mode, NULL);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	made(req, dir, name, &p, S_IFDIR, 0);
}

/* A regular file with its header and nothing open on it. */
static int make_regular(struct sfs_fs *fs, const struct sfs_place *p, mode_t mode)
{
	struct sfs_binding b;
	struct sfs_file f;
	int fd = sfs_entry_create(p, mode), r;

	if (fd < 0)
		return fd;
	sfs_place_binding(p, &b);
	r = sfs_file_create(&f, &sfs_fd_backend, SFS_FD_HANDLE(fd), fs->keys, &b);
	sfs_file_release(&f);
	close(fd);
	if (r)
		(void)sfs_entry_unlink(p, NULL);
	return r;
}

void fw_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *dir = inode_of(fs, parent);
	struct sfs_place p;
	int r;

	if (refuse_write(req, fs))
		return;
	r = place(fs, dir, name, &p);
	if (!r)
		r = S_ISREG(mode) ? make_regular(fs, &p, mode) : sfs_entry_mknod(&p, mode, rdev);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	made(req, dir, name, &p, mode & S_IFMT, 0);
}

void fw_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *dir = inode_of(fs, parent);
	struct sfs_place p;
	int r;

	if (refuse_write(req, fs))
		return;
	r = place(fs, dir, name, &p);
	if (!r)
		r = sfs_entry_symlink(fs->keys, &p, link);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	made(req, dir, name, &p, S_IFLNK, 0);
}

void fw_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
	       struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *dir = inode_of(fs, parent), *in;
	struct fuse_entry_param e;
	struct sfs_place p;
	struct node *n;
	int fd, r;

	if (refuse_write(req, fs))
		return;
	r = place(fs, dir, name, &p);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	fd = sfs_entry_create(&p, mode);
	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return;
	}
	/* The header first: the attributes the kernel gets are those after it. */
	r = node_new(fs, fd, &p, &n);
	if (r) {
		close(fd);
		(void)sfs_entry_unlink(&p, NULL);
		fuse_reply_err(req, -r);
		return;
	}
	r = own(req, dir, &p);
	if (!r)
		r = entry_at(fs, dir, name, p.disk, &e);
	if (r) {
		node_discard(n);
		close(fd);
		(void)sfs_entry_unlink(&p, NULL);
		fuse_reply_err(req, -r);
		return;
	}
	in = inode_of(fs, e.ino);
	n = node_install(fs, in, n);
	fi->fh = (uintptr_t)n;
	fi->keep_cache = fs->timeout > 0;
	if (fuse_reply_create(req, &e, fi) == -ENOENT) {
		/* the caller was interrupted: the kernel holds no handle */
		node_close(fs, in);
		inode_forget(fs, in, 1);
	}
}

static void remove_entry(fuse_req_t req, fuse_ino_t parent, const char *name, bool dir)
{
	struct sfs_fs *fs = fs_of(req);
	struct sfs_place p;
	int r;

	if (refuse_write(req, fs))
		return;
	r = place(fs, inode_of(fs, parent), name, &p);
	if (!r)
		r = dir ? sfs_entry_rmdir(&p) : sfs_entry_unlink(&p, NULL);
	fuse_reply_err(req, -r);
}

void fw_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_entry(req, parent, name, false);
}

void fw_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	remove_entry(req, parent, name, true);
}

/* After a rename: the object that was WAS (lstat) now lives at AT, bound as before to
   BOUND; rebind a single-named regular file, and move its inode. */
static int moved(struct sfs_fs *fs, const struct stat *was, struct inode *newdir,
		 const struct sfs_place *at, const struct sfs_place *bound)
{
	struct inode *in = inode_find(fs, was->st_dev, was->st_ino, I_REAL);
	int r = 0;

	if (S_ISREG(was->st_mode) && was->st_nlink == 1)
		r = node_rebind(fs, in, at, bound, at);
	if (in) {
		inode_move(fs, in, newdir, at->name, at->namelen, at->disk);
		inode_put(fs, in);
	}
	return r;
}

void fw_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
	       const char *newname, unsigned int flags)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *from_dir = inode_of(fs, parent), *to_dir = inode_of(fs, newparent);
	struct sfs_place pf, pt;
	struct stat sf, st;
	int r;

	if (refuse_write(req, fs))
		return;
	r = place(fs, from_dir, name, &pf);
	if (!r)
		r = place(fs, to_dir, newname, &pt);
	if (!r)
		r = sfs_entry_rename(&pf, &pt, flags, &sf, &st);
	if (!r && !(sf.st_dev == st.st_dev && sf.st_ino == st.st_ino)) {
		r = moved(fs, &sf, to_dir, &pt, &pf);
		if (!r && (flags & RENAME_EXCHANGE))
			r = moved(fs, &st, from_dir, &pf, &pt);
	}
	fuse_reply_err(req, -r);
}

void fw_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino), *dir = inode_of(fs, newparent), *old;
	struct fuse_entry_param e;
	struct sfs_place from = {0}, to;
	int r;

	if (refuse_write(req, fs))
		return;
	r = place(fs, dir, newname, &to);
	if (!r && in->type == S_IFREG) {
		/* A file with two names cannot be bound to one of them. */
		r = node_rebind(fs, in, NULL, NULL, NULL);
		if (!r)
			r = sfs_entry_link_fd(in->fd, &to);
	} else if (!r) {
		/* Others (a long symlink's side file goes with it) by their name. */
		r = inode_where(fs, in, &old, from.disk);
		if (r == -ENOENT)
			r = -EIO;
		if (!r) {
			from.dirfd = old->fd;
			r = sfs_entry_link(&from, &to);
			inode_put(fs, old);
		}
	}
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	r = entry_at(fs, dir, newname, to.disk, &e);
	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

void fw_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	_cleanup_free_ char *target = malloc(SFS_LINK_MAX + 1);
	long n;

	fs_touch(fs);
	n = target ? link_target(fs, in, target) : -ENOMEM;
	if (n == -EIO)
		fs_report(fs, in, NULL, "symlink target fails authentication", 0, false);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_readlink(req, target);
}

/* An open directory listing. */
struct dirh {
	struct handle h; /* first: the handle is the listing */
	DIR *d;
	off_t off;
	struct dirent *ent;
	uint8_t iv[SFS_DIRIV_LEN];
};

static void dirh_free(struct handle *h)
{
	struct dirh *d = (struct dirh *)h;

	closedir(d->d);
	free(d);
}

void fw_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	struct dirh *h = calloc(1, sizeof(*h));
	int fd, r;

	fs_touch(fs);
	if (!h) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	r = dir_iv(fs, in, h->iv);
	fd = r ? -1 : openat(in->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!r && fd < 0)
		r = -errno;
	if (!r && !(h->d = fdopendir(fd))) {
		r = -errno;
		close(fd);
	}
	if (r) {
		free(h);
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)h;
	fi->cache_readdir = fs->timeout > 0;
	fi->keep_cache = fs->timeout > 0;
	handle_open(fs, &h->h, dirh_free);
	if (fuse_reply_open(req, fi) == -ENOENT)
		handle_close(fs, &h->h);
}

static void list(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi, bool plus)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *dir = inode_of(fs, ino);
	struct dirh *h = (struct dirh *)(uintptr_t)fi->fh;
	_cleanup_free_ char *buf = calloc(1, size);
	char *p = buf;
	size_t rem = size;

	fs_touch(fs);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (off != h->off) {
		seekdir(h->d, off);
		h->ent = NULL;
		h->off = off;
	}
	for (;;) {
		char name[SFS_NAME_MAX + 1];
		struct fuse_entry_param e;
		const char *shown;
		size_t len, used;
		off_t next;
		int r;

		if (!h->ent) {
			errno = 0;
			h->ent = readdir(h->d);
			if (!h->ent) {
				if (errno && rem == size) {
					fuse_reply_err(req, errno);
					return;
				}
				break;
			}
		}
		next = h->ent->d_off;
		if (!strcmp(h->ent->d_name, ".") || !strcmp(h->ent->d_name, "..")) {
			shown = h->ent->d_name;
			memset(&e, 0, sizeof(e));
			e.attr.st_ino = h->ent->d_ino;
			e.attr.st_mode = (mode_t)DTTOIF(h->ent->d_type);
		} else {
			r = sfs_tree_entry_name(fs->keys, dirfd(h->d), h->iv, h->ent->d_name, name, &len);
			if (r) {
				if (r != -ENOENT) /* -ENOENT: an internal file */
					fs_report(fs, dir, h->ent->d_name,
						  r == -EINVAL ? "not a sealfs name (foreign file), hidden"
							       : "name fails authentication, hidden",
						  0, false);
				h->ent = NULL;
				h->off = next;
				continue;
			}
			shown = name;
			memset(&e, 0, sizeof(e));
			e.attr.st_ino = h->ent->d_ino;
			e.attr.st_mode = (mode_t)DTTOIF(h->ent->d_type);
			if (plus) {
				r = entry_at(fs, dir, name, h->ent->d_name, &e);
				if (r == -ENOENT) { /* gone since readdir */
					h->ent = NULL;
					h->off = next;
					continue;
				}
				if (r) {
					if (rem == size) {
						fuse_reply_err(req, -r);
						return;
					}
					break;
				}
			}
		}
		used = plus ? fuse_add_direntry_plus(req, p, rem, shown, &e, next)
			    : fuse_add_direntry(req, p, rem, shown, &e.attr, next);
		if (used > rem) {
			if (plus && e.ino)
				inode_forget(fs, inode_of(fs, e.ino), 1);
			break;
		}
		p += used;
		rem -= used;
		h->ent = NULL;
		h->off = next;
	}
	fuse_reply_buf(req, buf, size - rem);
}

void fw_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		struct fuse_file_info *fi)
{
	list(req, ino, size, off, fi, false);
}

void fw_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	list(req, ino, size, off, fi, true);
}

void fw_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dirh *h = (struct dirh *)(uintptr_t)fi->fh;

	fs_touch(fs_of(req)); /* before the handle stops counting (--idle) */
	handle_close(fs_of(req), &h->h);
	fuse_reply_err(req, 0);
}

void fs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct sfs_fs *fs = fs_of(req);

	inode_forget(fs, inode_of(fs, ino), nlookup);
	fuse_reply_none(req);
}

void fs_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct sfs_fs *fs = fs_of(req);

	for (size_t i = 0; i < count; i++)
		inode_forget(fs, inode_of(fs, forgets[i].ino), forgets[i].nlookup);
	fuse_reply_none(req);
}

void fs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st;

	if (fstatvfs(fs_of(req)->rootfd, &st) < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	st.f_namemax = SFS_NAME_MAX;
	fuse_reply_statfs(req, &st);
}
