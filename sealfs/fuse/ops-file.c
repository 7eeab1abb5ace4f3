/*
 * ops-file.c - forward mode's operations on one inode on libfuse's low-level
 * API: attributes, open files, extended attributes, and the operations table
 * (sealfs FUSE layer). Open regular files share one struct node per inode
 * (nodes.c), whose rwlock serialises writers. See fs-internal.h.
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
#include "log.h"
#include "meta.h"
#include "fs-internal.h"
#include "banned.h"

static int stat_inode(struct sfs_fs *fs, struct inode *in, struct stat *st)
{
	if (fstatat(in->fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	fs_plain_stat(fs, in, st);
	return 0;
}

static void reply_attr(fuse_req_t req, struct inode *in)
{
	struct sfs_fs *fs = fs_of(req);
	struct stat st;
	int r = stat_inode(fs, in, &st);

	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, fs->timeout);
}

static void fw_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fs_touch(fs_of(req));
	reply_attr(req, inode_of(fs_of(req), ino));
}

/* The node of an open handle, or NULL. */
static struct node *node_of(struct fuse_file_info *fi)
{
	return fi ? (struct node *)(uintptr_t)fi->fh : NULL;
}

static int set_size(struct sfs_fs *fs, struct inode *in, struct fuse_file_info *fi, off_t size)
{
	struct node *n = node_of(fi);
	bool temp = false;
	int r;

	if (size < 0)
		return -EINVAL;
	if (!n) {
		r = node_open(fs, in, &n);
		if (r)
			return r;
		temp = true;
	}
	pthread_rwlock_wrlock(&n->lock);
	r = sfs_file_truncate(&n->f, (uint64_t)size);
	if (!r)
		r = node_flush(n);
	pthread_rwlock_unlock(&n->lock);
	if (r == -EIO && n->f.why)
		fs_report(fs, in, NULL, n->f.why, n->f.bad_block, true);
	if (temp)
		node_close(fs, in);
	return r;
}

static int set_times(struct sfs_fs *fs, struct inode *in, struct fuse_file_info *fi,
		     const struct stat *attr, int to_set)
{
	struct timespec tv[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_OMIT}};
	struct node *n;
	char proc[64];

	if (to_set & FUSE_SET_ATTR_ATIME_NOW)
		tv[0].tv_nsec = UTIME_NOW;
	else if (to_set & FUSE_SET_ATTR_ATIME)
		tv[0] = attr->st_atim;
	if (to_set & FUSE_SET_ATTR_MTIME_NOW)
		tv[1].tv_nsec = UTIME_NOW;
	else if (to_set & FUSE_SET_ATTR_MTIME)
		tv[1] = attr->st_mtim;
	/* A pending header write would change the times again: do it first. */
	pthread_mutex_lock(&fs->table_lock);
	n = in->node;
	if (n) {
		pthread_rwlock_wrlock(&n->lock);
		(void)node_flush(n);
		pthread_rwlock_unlock(&n->lock);
		if (futimens(n->fd, tv) < 0) {
			pthread_mutex_unlock(&fs->table_lock);
			return -errno;
		}
		if (fs->writeback && tv[1].tv_nsec != UTIME_OMIT) {
			struct stat st;
			pthread_rwlock_wrlock(&n->lock);
			if (fstat(n->fd, &st) == 0) {
				n->mtime = st.st_mtim;
				n->kernel_mtime = true;
			}
			pthread_rwlock_unlock(&n->lock);
		}
		pthread_mutex_unlock(&fs->table_lock);
		return 0;
	}
	pthread_mutex_unlock(&fs->table_lock);
	(void)fi;
	if (in->type == S_IFLNK) {
		char disk[SFS_ENC_NAME_MAX + 1];
		struct inode *parent;
		int r;

		if (inode_where(fs, in, &parent, disk))
			return -EIO;
		r = utimensat(parent->fd, disk, tv, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
		inode_put(fs, parent);
		return r;
	}
	inode_proc(in, proc);
	return utimensat(AT_FDCWD, proc, tv, 0) < 0 ? -errno : 0;
}

static void fw_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int to_set,
		       struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	char proc[64];
	int r = 0;

	fs_touch(fs);
	if (fs->ro) {
		fuse_reply_err(req, EROFS);
		return;
	}
	inode_proc(in, proc);
	if (to_set & FUSE_SET_ATTR_MODE) {
		if (in->type == S_IFLNK)
			r = -EOPNOTSUPP;
		else if (fchmodat(AT_FDCWD, proc, attr->st_mode & 07777, 0) < 0)
			r = -errno;
	}
	if (!r && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))) {
		uid_t uid = to_set & FUSE_SET_ATTR_UID ? attr->st_uid : (uid_t)-1;
		gid_t gid = to_set & FUSE_SET_ATTR_GID ? attr->st_gid : (gid_t)-1;
		if (fchownat(in->fd, "", uid, gid, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
	}
	if (!r && (to_set & FUSE_SET_ATTR_SIZE))
		r = in->type == S_IFREG ? set_size(fs, in, fi, attr->st_size)
		    : in->type == S_IFDIR ? -EISDIR : -EINVAL;
	if (!r && (to_set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
			     FUSE_SET_ATTR_MTIME_NOW)))
		r = set_times(fs, in, fi, attr, to_set);
	if (r)
		fuse_reply_err(req, -r);
	else
		reply_attr(req, in);
}

static void fw_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	struct node *n;
	int r;

	fs_touch(fs);
	if (fs->ro && (fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EROFS);
		return;
	}
	r = node_open(fs, in, &n);
	if (!r && (fi->flags & O_TRUNC) && (fi->flags & O_ACCMODE) != O_RDONLY) {
		pthread_rwlock_wrlock(&n->lock);
		r = sfs_file_truncate(&n->f, 0);
		if (!r)
			r = node_flush(n);
		pthread_rwlock_unlock(&n->lock);
		if (r)
			node_close(fs, in);
	}
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)n;
	fi->keep_cache = fs->timeout > 0 && !(fi->flags & O_TRUNC);
	if (fuse_reply_open(req, fi) == -ENOENT)
		node_close(fs, in);
}

static void fw_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct node *n = node_of(fi);
	_cleanup_free_ char *buf = malloc(size ? size : 1);
	ssize_t r;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	pthread_rwlock_rdlock(&n->lock);
	r = sfs_file_read(&n->f, buf, size, (uint64_t)off);
	pthread_rwlock_unlock(&n->lock);
	if (r == -EIO && n->f.why)
		fs_report(fs, inode_of(fs, ino), NULL, n->f.why, n->f.bad_block, true);
	if (r < 0)
		fuse_reply_err(req, (int)-r);
	else
		fuse_reply_buf(req, buf, (size_t)r);
}

static void fw_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct node *n = node_of(fi);
	ssize_t r;

	if (fs->ro) {
		fuse_reply_err(req, EROFS);
		return;
	}
	pthread_rwlock_wrlock(&n->lock);
	/* With the writeback cache the kernel places appends itself. */
	if ((fi->flags & O_APPEND) && !fs->writeback)
		off = (off_t)n->f.size;
	r = sfs_file_write(&n->f, buf, size, (uint64_t)off);
	if (r >= 0 && n->kernel_mtime) {
		struct timespec tv[2] = {{.tv_nsec = UTIME_OMIT}, n->mtime};
		(void)futimens(n->fd, tv);
	}
	pthread_rwlock_unlock(&n->lock);
	if (r == -EIO && n->f.why)
		fs_report(fs, inode_of(fs, ino), NULL, n->f.why, n->f.bad_block, true);
	if (r < 0)
		fuse_reply_err(req, (int)-r);
	else
		fuse_reply_write(req, (size_t)r);
}

static void fw_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct node *n = node_of(fi);
	int r;

	pthread_rwlock_wrlock(&n->lock);
	r = node_flush(n);
	pthread_rwlock_unlock(&n->lock);
	fuse_reply_err(req, -r);
}

static void fw_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);

	fs_touch(fs); /* first: --idle must not see the handle gone and old activity */
	node_close(fs, inode_of(fs, ino));
	fuse_reply_err(req, 0);
}

static void fw_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct node *n = node_of(fi);
	int r;

	pthread_rwlock_wrlock(&n->lock);
	r = node_flush(n);
	pthread_rwlock_unlock(&n->lock);
	if (!r && (datasync ? fdatasync(n->fd) : fsync(n->fd)) < 0)
		r = -errno;
	fuse_reply_err(req, -r);
}

static void fw_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct inode *in = inode_of(fs_of(req), ino);
	_cleanup_close_ int fd = openat(in->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int r = 0;

	if (fd < 0 || (datasync ? fdatasync(fd) : fsync(fd)) < 0)
		r = errno;
	fuse_reply_err(req, r);
}

static void fw_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
			 struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct node *n = node_of(fi);
	int r = 0;

	if (fs->ro) {
		fuse_reply_err(req, EROFS);
		return;
	}
	if (mode & ~FALLOC_FL_KEEP_SIZE) {
		fuse_reply_err(req, EOPNOTSUPP);
		return;
	}
	if (off < 0 || len <= 0) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	if (!(mode & FALLOC_FL_KEEP_SIZE)) {
		pthread_rwlock_wrlock(&n->lock);
		if ((uint64_t)off + (uint64_t)len > n->f.size)
			r = sfs_file_truncate(&n->f, (uint64_t)off + (uint64_t)len);
		pthread_rwlock_unlock(&n->lock);
	}
	fuse_reply_err(req, -r);
}

/* Extended attributes live on the ciphertext object; symlinks have none. */
static void fw_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	_cleanup_free_ uint8_t *enc = NULL;
	char ename[256], proc[64];
	int r;

	fs_touch(fs);
	if (fs->ro) {
		fuse_reply_err(req, EROFS);
		return;
	}
	r = sfs_xattr_name_encrypt(fs->keys, name, ename, sizeof(ename));
	if (!r && size > 65536 - SFS_XATTR_OVERHEAD)
		r = -E2BIG;
	if (!r && in->type == S_IFLNK)
		r = -EPERM;
	if (!r && !(enc = malloc(size + SFS_XATTR_OVERHEAD)))
		r = -ENOMEM;
	if (!r)
		r = sfs_xattr_value_encrypt(fs->keys, name, value, size, enc);
	if (!r) {
		inode_proc(in, proc);
		if (setxattr(proc, ename, enc, size + SFS_XATTR_OVERHEAD, flags) < 0)
			r = -errno;
	}
	fuse_reply_err(req, -r);
}

static void fw_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	_cleanup_free_ uint8_t *enc = NULL, *plain = NULL;
	char ename[256], proc[64];
	ssize_t n;
	int r;

	/* security.capability is asked for on every write: answer without I/O. */
	r = sfs_xattr_name_encrypt(fs->keys, name, ename, sizeof(ename));
	if (r == -ENOTSUP || r == -ERANGE || r == -EINVAL || in->type == S_IFLNK) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	if (!r && !(enc = malloc(65536)))
		r = -ENOMEM;
	if (r) {
		fuse_reply_err(req, -r);
		return;
	}
	inode_proc(in, proc);
	n = getxattr(proc, ename, enc, 65536);
	if (n < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	if (n < (ssize_t)SFS_XATTR_OVERHEAD) {
		fuse_reply_err(req, EIO);
		return;
	}
	if (size == 0) {
		fuse_reply_xattr(req, (size_t)n - SFS_XATTR_OVERHEAD);
		return;
	}
	if ((size_t)n - SFS_XATTR_OVERHEAD > size) {
		fuse_reply_err(req, ERANGE);
		return;
	}
	plain = malloc((size_t)n);
	if (!plain) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (sfs_xattr_value_decrypt(fs->keys, name, enc, (size_t)n, plain)) {
		fs_report(fs, in, NULL, "extended attribute fails authentication", 0, false);
		fuse_reply_err(req, EIO);
		return;
	}
	fuse_reply_buf(req, (const char *)plain, (size_t)n - SFS_XATTR_OVERHEAD);
}

static void fw_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	_cleanup_free_ char *raw = malloc(65536), *out = NULL;
	char proc[64];
	size_t used = 0;
	ssize_t n;

	if (!raw) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (in->type == S_IFLNK) {
		n = 0;
	} else {
		inode_proc(in, proc);
		n = listxattr(proc, raw, 65536);
		if (n < 0) {
			fuse_reply_err(req, errno);
			return;
		}
	}
	out = malloc(n > 0 ? (size_t)n : 1);
	if (!out) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (char *p = raw; p < raw + n; p += strlen(p) + 1) {
		char name[300];
		size_t len;
		if (sfs_xattr_name_decrypt(fs->keys, p, name, sizeof(name)))
			continue;
		len = strlen(name) + 1;
		if (used + len > (size_t)n)
			break; /* plaintext names are shorter than their encryption */
		memcpy(out + used, name, len);
		used += len;
	}
	if (size == 0)
		fuse_reply_xattr(req, used);
	else if (used > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, out, used);
}

static void fw_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	char ename[256], proc[64];
	int r;

	if (fs->ro) {
		fuse_reply_err(req, EROFS);
		return;
	}
	r = sfs_xattr_name_encrypt(fs->keys, name, ename, sizeof(ename));
	if (r == -ENOTSUP || r == -ERANGE || r == -EINVAL || in->type == S_IFLNK) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	inode_proc(in, proc);
	fuse_reply_err(req, removexattr(proc, ename) < 0 ? errno : 0);
}

static void fw_init(void *userdata, struct fuse_conn_info *conn)
{
	struct sfs_fs *fs = userdata;

	/*
	 * No writeback cache: with it the kernel keeps its own mtime for files
	 * it wrote (stamped when write(2) was called) and the ciphertext keeps
	 * the time the daemon wrote, so times change across a remount. Writes
	 * go through; data is still cached for reading.
	 */
	conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
	fs->writeback = false;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO;
	if (conn->capable & FUSE_CAP_EXPORT_SUPPORT)
		conn->want |= FUSE_CAP_EXPORT_SUPPORT;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	conn->want &= ~(unsigned)(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
	conn->max_write = 1 << 20;
	conn->max_readahead = 1 << 20;
}

static void fw_destroy(void *userdata)
{
	nodes_flush_all(userdata);
}

const struct fuse_lowlevel_ops sfs_ll_ops = {
	.init = fw_init,
	.destroy = fw_destroy,
	.lookup = fw_lookup,
	.forget = fs_forget,
	.forget_multi = fs_forget_multi,
	.getattr = fw_getattr,
	.setattr = fw_setattr,
	.readlink = fw_readlink,
	.mknod = fw_mknod,
	.mkdir = fw_mkdir,
	.unlink = fw_unlink,
	.rmdir = fw_rmdir,
	.symlink = fw_symlink,
	.rename = fw_rename,
	.link = fw_link,
	.open = fw_open,
	.read = fw_read,
	.write = fw_write,
	.flush = fw_flush,
	.release = fw_release,
	.fsync = fw_fsync,
	.opendir = fw_opendir,
	.readdir = fw_readdir,
	.readdirplus = fw_readdirplus,
	.releasedir = fw_releasedir,
	.fsyncdir = fw_fsyncdir,
	.statfs = fs_statfs,
	.setxattr = fw_setxattr,
	.getxattr = fw_getxattr,
	.listxattr = fw_listxattr,
	.removexattr = fw_removexattr,
	.create = fw_create,
	.fallocate = fw_fallocate,
};
