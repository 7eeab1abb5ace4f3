/*
 * eops.c - a read-only mount of an EncFS volume on libfuse's low-level API,
 * over the read API of core/encfs-vol.h (sealfs FUSE layer).
 *
 * Inodes are keyed by the ciphertext objects as in forward mode; each holds
 * the EncFS IV that goes with it (a directory's chain IV, a file's path IV).
 * The EncFS volume is one set of cipher contexts, so calls into it are made
 * one at a time (efs_lock). Damage reads as EIO and is logged once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "encfs-vol.h"
#include "fs-internal.h"
#include "banned.h"

#define E_TIMEOUT 3600.0 /* read-only, and the store changes only between mounts */

static void elock(struct sfs_fs *fs)
{
	pthread_mutex_lock(&fs->efs_lock);
}

static void eunlock(struct sfs_fs *fs)
{
	pthread_mutex_unlock(&fs->efs_lock);
}

/* The view's st_size of IN (lstat ST) from the volume. */
static int esize(struct sfs_fs *fs, struct inode *in, struct stat *st)
{
	char disk[SFS_ENC_NAME_MAX + 1];
	struct efs_entry e = {0};
	struct inode *parent;
	uint64_t size;
	int r;

	if (S_ISDIR(st->st_mode))
		return 0;
	if (S_ISREG(st->st_mode)) {
		r = efs_plain_size(efs_volume_config(fs->efs), (uint64_t)st->st_size, &size);
		st->st_size = r ? 0 : (off_t)size; /* an impossible size reads as EIO */
		return 0;
	}
	if (inode_where(fs, in, &parent, disk))
		return S_ISLNK(st->st_mode) ? -EIO : 0;
	e.disk = disk;
	e.st = *st;
	e.iv = in->eiv;
	elock(fs);
	r = efs_stat_size(fs->efs, parent->fd, &e, &size);
	eunlock(fs);
	inode_put(fs, parent);
	if (!r)
		st->st_size = (off_t)size;
	return r;
}

static void e_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *dir = inode_of(fs, parent), *in;
	char disk[EFS_ENC_NAME_MAX + 1];
	struct fuse_entry_param e;
	struct efs_entry ent;
	struct stat st;
	int fd, r;

	fs_touch(fs);
	if (strlen(name) > EFS_NAME_MAX) {
		fuse_reply_err(req, ENAMETOOLONG);
		return;
	}
	if (dir->type != S_IFDIR) {
		fuse_reply_err(req, ENOTDIR);
		return;
	}
	elock(fs);
	r = efs_lookup(fs->efs, dir->fd, dir->eiv, name, strlen(name), disk, &ent);
	eunlock(fs);
	if (r == -ENOENT) {
		memset(&e, 0, sizeof(e));
		e.entry_timeout = E_TIMEOUT;
		fuse_reply_entry(req, &e);
		return;
	}
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	if (strlen(disk) > SFS_ENC_NAME_MAX) {
		fuse_reply_err(req, ENAMETOOLONG); /* the inode keeps on-disk names of this size */
		return;
	}
	fd = openat(dir->fd, disk, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 || fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		r = errno;
		if (fd >= 0)
			close(fd);
		fuse_reply_err(req, r);
		return;
	}
	fd = dir_fd(fd, &st);
	r = inode_get(fs, fd, &st, I_REAL, dir, name, strlen(name), disk, &in);
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	in->eiv = ent.iv;
	r = esize(fs, in, &st);
	if (r == -EIO)
		fs_report(fs, in, NULL, "symlink target does not decode", 0, false);
	memset(&e, 0, sizeof(e));
	e.ino = (fuse_ino_t)(uintptr_t)in;
	e.attr = st;
	e.attr_timeout = e.entry_timeout = E_TIMEOUT;
	fuse_reply_entry(req, &e);
}

static void e_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	struct stat st;

	fs_touch(fs);
	if (fstatat(in->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	(void)esize(fs, in, &st);
	fuse_reply_attr(req, &st, E_TIMEOUT);
}

static void e_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino), *parent;
	char disk[SFS_ENC_NAME_MAX + 1], target[EFS_LINK_MAX + 1];
	long n;

	fs_touch(fs);
	if (inode_where(fs, in, &parent, disk)) {
		fuse_reply_err(req, EIO);
		return;
	}
	elock(fs);
	n = efs_readlink(fs->efs, parent->fd, disk, target);
	eunlock(fs);
	inode_put(fs, parent);
	if (n == -EIO)
		fs_report(fs, in, NULL, "symlink target does not decode", 0, false);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_readlink(req, target);
}

/* A listing: the volume's directory reader plus an entry that did not fit. */
struct edir {
	struct handle h; /* first */
	struct efs_dir *d;
	off_t next;	/* entries shown so far ("." and ".." included) */
	bool pending;
	char name[EFS_NAME_MAX + 1];
	struct stat st;
	struct sfs_fs *fs;
};

static void edir_free(struct handle *h)
{
	struct edir *d = (struct edir *)h;

	pthread_mutex_lock(&d->fs->efs_lock);
	efs_dir_free(d->d);
	pthread_mutex_unlock(&d->fs->efs_lock);
	free(d);
}

static int edir_open(struct sfs_fs *fs, struct inode *in, struct edir *d)
{
	int r;

	elock(fs);
	r = efs_dir_open(fs->efs, in->fd, ".", in->eiv, in == &fs->root, &d->d);
	eunlock(fs);
	d->next = 0;
	d->pending = false;
	return r;
}

static void e_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct edir *d = calloc(1, sizeof(*d));
	int r;

	fs_touch(fs);
	if (!d) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	d->fs = fs;
	r = edir_open(fs, inode_of(fs, ino), d);
	if (r) {
		free(d);
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)d;
	fi->cache_readdir = fi->keep_cache = 1;
	handle_open(fs, &d->h, edir_free);
	if (fuse_reply_open(req, fi) == -ENOENT)
		handle_close(fs, &d->h);
}

static void e_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *dir = inode_of(fs, ino);
	struct edir *d = (struct edir *)(uintptr_t)fi->fh;
	_cleanup_free_ char *buf = malloc(size);
	size_t used = 0;
	int r = 0;

	fs_touch(fs);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	/*
	 * Offsets count the entries shown: "." and ".." are 0 and 1, the
	 * volume's from 2 (hidden ones do not count). Anything but "go on
	 * from where the last call stopped" lists again from the start.
	 */
	if (off != d->next) {
		elock(fs);
		efs_dir_free(d->d);
		d->d = NULL;
		eunlock(fs);
		r = edir_open(fs, dir, d);
		for (off_t i = 2; !r && i < off;) {
			struct efs_entry e;
			elock(fs);
			r = efs_dir_next(d->d, &e);
			eunlock(fs);
			if (r == 0)
				break;
			if (r > 0) {
				r = 0;
				if (!e.status)
					i++;
			}
		}
		if (r) {
			fuse_reply_err(req, -r);
			return;
		}
		d->next = off;
	}
	for (;;) {
		struct stat st = {0};
		const char *name;
		size_t n;

		if (d->next == 0 || d->next == 1) {
			name = d->next == 0 ? "." : "..";
			st.st_mode = S_IFDIR;
			st.st_ino = d->next == 0 ? dir->ino : 0;
		} else if (d->pending) {
			name = d->name;
			st = d->st;
		} else {
			struct efs_entry e;
			elock(fs);
			r = efs_dir_next(d->d, &e);
			eunlock(fs);
			if (r <= 0)
				break;
			if (e.status) {
				if (e.status == -EBADMSG || e.status == -EINVAL)
					fs_report(fs, dir, e.disk, "name does not decode, hidden", 0, false);
				continue;
			}
			snprintf(d->name, sizeof(d->name), "%s", e.name);
			d->st.st_ino = e.st.st_ino;
			d->st.st_mode = e.st.st_mode & S_IFMT;
			d->pending = true;
			name = d->name;
			st = d->st;
		}
		n = fuse_add_direntry(req, buf + used, size - used, name, &st, d->next + 1);
		if (n > size - used)
			break;
		used += n;
		d->next++;
		d->pending = false;
	}
	if (r < 0 && used == 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_buf(req, buf, used);
}

static void e_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fs_touch(fs_of(req)); /* before the handle stops counting (--idle) */
	handle_close(fs_of(req), &((struct edir *)(uintptr_t)fi->fh)->h);
	fuse_reply_err(req, 0);
}

/* An open file. */
struct efile {
	struct handle h; /* first */
	int fd;
	struct efs_file f;
	struct sfs_fs *fs;
};

static void efile_free(struct handle *h)
{
	struct efile *f = (struct efile *)h;

	pthread_mutex_lock(&f->fs->efs_lock);
	efs_file_release(&f->f);
	pthread_mutex_unlock(&f->fs->efs_lock);
	close(f->fd);
	free(f);
}

static void e_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	struct efile *f;
	char proc[64];
	int r;

	fs_touch(fs);
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (in->type != S_IFREG) {
		fuse_reply_err(req, in->type == S_IFDIR ? EISDIR : EINVAL);
		return;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	f->fs = fs;
	inode_proc(in, proc);
	f->fd = open(proc, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0) {
		r = errno;
		free(f);
		fuse_reply_err(req, r);
		return;
	}
	elock(fs);
	r = efs_file_open(fs->efs, f->fd, in->eiv, &f->f);
	eunlock(fs);
	if (r) {
		if (r == -EIO)
			fs_report(fs, in, NULL, f->f.why ? f->f.why : "damaged file header", 0, false);
		efile_free(&f->h);
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)f;
	fi->keep_cache = 1;
	handle_open(fs, &f->h, efile_free);
	if (fuse_reply_open(req, fi) == -ENOENT)
		handle_close(fs, &f->h);
}

static void e_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		   struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct efile *f = (struct efile *)(uintptr_t)fi->fh;
	_cleanup_free_ char *buf = malloc(size ? size : 1);
	ssize_t n;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	elock(fs);
	n = efs_file_read(&f->f, buf, size, (uint64_t)off);
	eunlock(fs);
	if (n == -EIO)
		fs_report(fs, inode_of(fs, ino), NULL, f->f.why ? f->f.why : "block fails its MAC",
			  f->f.bad_block, true);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

static void e_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fs_touch(fs_of(req)); /* before the handle stops counting (--idle) */
	handle_close(fs_of(req), &((struct efile *)(uintptr_t)fi->fh)->h);
	fuse_reply_err(req, 0);
}

/* EncFS keeps extended attributes as they are, on the ciphertext object:
   the user.* ones are shown (those are what EncFS passes through). */
static void e_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct inode *in = inode_of(fs_of(req), ino);
	_cleanup_free_ char *buf = NULL;
	char proc[64];
	ssize_t n;

	if (strncmp(name, "user.", 5) || in->type == S_IFLNK) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	if (size && !(buf = malloc(size))) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	inode_proc(in, proc);
	n = getxattr(proc, name, buf, size);
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (size)
		fuse_reply_buf(req, buf, (size_t)n);
	else
		fuse_reply_xattr(req, (size_t)n);
}

static void e_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct inode *in = inode_of(fs_of(req), ino);
	_cleanup_free_ char *raw = malloc(65536), *out = malloc(65536);
	char proc[64];
	size_t used = 0;
	ssize_t n = 0;

	if (!raw || !out) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (in->type != S_IFLNK) {
		inode_proc(in, proc);
		n = listxattr(proc, raw, 65536);
		if (n < 0) {
			fuse_reply_err(req, errno);
			return;
		}
	}
	for (char *p = raw; p < raw + n; p += strlen(p) + 1) {
		size_t len = strlen(p) + 1;
		if (strncmp(p, "user.", 5))
			continue;
		memcpy(out + used, p, len);
		used += len;
	}
	if (size == 0)
		fuse_reply_xattr(req, used);
	else if (used > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, out, used);
}

static void e_init(void *userdata, struct fuse_conn_info *conn)
{
	conn->want &= ~(unsigned)(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
	conn->max_readahead = 1 << 20;
}

const struct fuse_lowlevel_ops sfs_encfs_ops = {
	.init = e_init,
	.lookup = e_lookup,
	.forget = fs_forget,
	.forget_multi = fs_forget_multi,
	.getattr = e_getattr,
	.readlink = e_readlink,
	.opendir = e_opendir,
	.readdir = e_readdir,
	.releasedir = e_releasedir,
	.open = e_open,
	.read = e_read,
	.release = e_release,
	.statfs = fs_statfs,
	.getxattr = e_getxattr,
	.listxattr = e_listxattr,
};
