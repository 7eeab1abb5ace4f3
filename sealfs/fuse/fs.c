/*
 * fs.c - libfuse3 operations for forward mode (sealfs FUSE layer).
 *
 * Thin: each operation resolves the plaintext path to a ciphertext location
 * (dircache.c), calls the core (file.c, tree.c, names.c, meta.c) and returns
 * 0 or -errno. Open regular files share one struct node per ciphertext inode
 * (nodes.c), whose rwlock serialises writers. See fs.h.
 */
#define FUSE_USE_VERSION 314
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "file.h"
#include "log.h"
#include "meta.h"
#include "names.h"
#include "tree.h"
#include "fs.h"
#include "fs-internal.h"
#include "banned.h"

static struct sfs_fs *FS(void)
{
	return fuse_get_context()->private_data;
}

/* Log a damaged file once per path (the kernel may retry many times). */
void fs_report(struct sfs_fs *fs, const char *path, const char *why, uint64_t block, bool has_block)
{
	uint8_t h[32];
	uint32_t key;
	bool seen = false;

	sfs_sha256(path, strlen(path), h);
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
		log_error("'%s': %s (block %llu)", path, why, (unsigned long long)block);
	else
		log_error("'%s': %s", path, why);
}

static void touch_activity(struct sfs_fs *fs)
{
	__atomic_store_n(&fs->last_activity, sfs_mono_ms(), __ATOMIC_RELAXED);
}

/*
 * When the filesystem runs as root, objects it creates for another user must
 * belong to that user. The group follows the usual rule: the caller's, or
 * the directory's when the directory is setgid (the kernel already gave the
 * ciphertext object that group, and a setgid bit to a new directory).
 */
static int chown_to_caller(struct sfs_fs *fs, const struct loc *l)
{
	struct fuse_context *ctx = fuse_get_context();
	struct stat pst;
	gid_t gid = ctx->gid;

	if (fs->euid != 0 || (ctx->uid == 0 && ctx->gid == 0))
		return 0;
	if (fstatat(fs->rootfd, l->cparent, &pst, 0) == 0 && (pst.st_mode & S_ISGID))
		gid = (gid_t)-1;
	if (fchownat(fs->rootfd, l->cpath, ctx->uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

/* A new directory in a setgid directory is setgid too. */
static mode_t dir_mode(struct sfs_fs *fs, const struct loc *l, mode_t mode)
{
	struct stat pst;

	if (fstatat(fs->rootfd, l->cparent, &pst, 0) == 0 && (pst.st_mode & S_ISGID))
		mode |= S_ISGID;
	return mode & 07777;
}

/*
 * Turn the stat of a ciphertext object into the plaintext view's: regular
 * files get their plaintext size, symlinks their target's length (DFD/DISK
 * locate the symlink). A regular file whose length no ciphertext can have
 * shows size 0 (reading it gives EIO).
 */
static int plain_stat(struct sfs_fs *fs, int dfd, const char *disk, struct stat *st)
{
	if (S_ISREG(st->st_mode)) {
		uint64_t plain;
		if (sfs_plain_size((uint64_t)st->st_size, &plain))
			plain = 0;
		st->st_size = (off_t)plain;
	} else if (S_ISLNK(st->st_mode) && disk) {
		_cleanup_free_ char *target = malloc(SFS_LINK_MAX + 1);
		long n;
		if (!target)
			return -ENOMEM;
		n = sfs_tree_readlink(fs->keys, dfd, disk, target);
		st->st_size = n < 0 ? 0 : n;
	}
	return 0;
}

static int sfs_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = FS();
	struct loc l;
	int r;

	if (fi && fi->fh) {
		struct node *n = (struct node *)(uintptr_t)fi->fh;
		if (fstat(n->fd, st) < 0)
			return -errno;
		pthread_rwlock_rdlock(&n->lock);
		st->st_size = (off_t)n->f.size;
		pthread_rwlock_unlock(&n->lock);
		return 0;
	}
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	if (fstatat(fs->rootfd, l.cpath, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	links_note(fs, st, path);
	if (S_ISLNK(st->st_mode)) {
		_cleanup_close_ int dfd = loc_parent_fd(fs, &l);
		if (dfd < 0)
			return dfd;
		return plain_stat(fs, dfd, l.disk, st);
	}
	return plain_stat(fs, -1, NULL, st);
}

static int sfs_readlink(const char *path, char *buf, size_t size)
{
	struct sfs_fs *fs = FS();
	_cleanup_free_ char *target = malloc(SFS_LINK_MAX + 1);
	_cleanup_close_ int dfd = -1;
	struct loc l;
	long n;
	int r;

	if (!target)
		return -ENOMEM;
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	dfd = loc_parent_fd(fs, &l);
	if (dfd < 0)
		return dfd;
	n = sfs_tree_readlink(fs->keys, dfd, l.disk, target);
	if (n == -EIO)
		fs_report(fs, path, "symlink target fails authentication", 0, false);
	if (n < 0)
		return (int)n;
	if (size == 0)
		return -EINVAL;
	if ((size_t)n >= size)
		n = (long)size - 1;
	memcpy(buf, target, (size_t)n);
	buf[n] = '\0';
	return 0;
}

static int sfs_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
		       struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct sfs_fs *fs = FS();
	uint8_t diriv[SFS_DIRIV_LEN];
	struct dirent *de;
	DIR *d;
	char cdir[PATH_MAX];
	int r, fd;

	r = dir_resolve(fs, path, cdir, diriv);
	if (r)
		return r;
	fd = openat(fs->rootfd, cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		r = -errno;
		close(fd);
		return r;
	}
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	while ((errno = 0, de = readdir(d))) {
		char name[SFS_NAME_MAX + 1];
		size_t len;
		struct stat st = {0};

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		r = sfs_tree_entry_name(fs->keys, fd, diriv, de->d_name, name, &len);
		if (r == -ENOENT)
			continue; /* internal file */
		if (r) {
			char where[PATH_MAX + 300];
			snprintf(where, sizeof(where), "%s%s%s", path, strcmp(path, "/") ? "/" : "",
				 de->d_name);
			fs_report(fs, where,
				  r == -EINVAL ? "not a sealfs name (foreign file), hidden"
					       : "name fails authentication, hidden",
				  0, false);
			continue;
		}
		if ((flags & FUSE_READDIR_PLUS) &&
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    plain_stat(fs, fd, de->d_name, &st) == 0) {
			if (filler(buf, name, &st, 0, FUSE_FILL_DIR_PLUS))
				break;
			continue;
		}
		memset(&st, 0, sizeof(st));
		st.st_ino = de->d_ino;
		st.st_mode = (mode_t)DTTOIF(de->d_type);
		if (filler(buf, name, &st, 0, 0))
			break;
	}
	closedir(d);
	return 0;
}

static int make_file(struct sfs_fs *fs, const char *path, mode_t mode, int oflags,
		     struct fuse_file_info *fi)
{
	struct loc l;
	struct node *n = NULL;
	int fd, r;

	if (fs->ro)
		return -EROFS;
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	r = loc_write_side(fs, &l);
	if (r)
		return r;
	fd = openat(fs->rootfd, l.cpath, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		    mode & 07777);
	if (fd < 0) {
		r = -errno;
		if (r == -EEXIST && !(oflags & O_EXCL) && fi)
			return -EEXIST; /* the kernel retries with open */
		return r;
	}
	r = chown_to_caller(fs, &l);
	if (!r)
		r = node_create(fs, fd, &l, &n);
	if (r) {
		unlinkat(fs->rootfd, l.cpath, 0);
		loc_remove_side(fs, &l, S_IFREG);
		close(fd);
		return r;
	}
	if (fi)
		fi->fh = (uintptr_t)n;
	else
		node_put(fs, n);
	return 0;
}

static int sfs_create(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	touch_activity(FS());
	return make_file(FS(), path, mode, fi->flags, fi);
}

static int sfs_open(const char *path, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = FS();
	struct node *n;
	int r;

	touch_activity(fs);
	if (fs->ro && (fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	r = node_open_path(fs, path, &n);
	if (r)
		return r;
	if ((fi->flags & O_TRUNC) && (fi->flags & O_ACCMODE) != O_RDONLY) {
		/* libfuse asks the kernel for atomic O_TRUNC: it is ours to do. */
		pthread_rwlock_wrlock(&n->lock);
		r = sfs_file_truncate(&n->f, 0);
		if (!r)
			r = node_flush(n);
		pthread_rwlock_unlock(&n->lock);
		if (r) {
			node_put(fs, n);
			return r;
		}
	}
	fi->fh = (uintptr_t)n;
	return 0;
}

static int sfs_read(const char *path, char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	struct node *n = (struct node *)(uintptr_t)fi->fh;
	ssize_t r;

	pthread_rwlock_rdlock(&n->lock);
	r = sfs_file_read(&n->f, buf, size, (uint64_t)off);
	pthread_rwlock_unlock(&n->lock);
	if (r == -EIO && n->f.why)
		fs_report(FS(), path ? path : "?", n->f.why, n->f.bad_block, true);
	return (int)r;
}

static int sfs_write(const char *path, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	struct node *n = (struct node *)(uintptr_t)fi->fh;
	ssize_t r;

	if (FS()->ro)
		return -EROFS;
	pthread_rwlock_wrlock(&n->lock);
	if (fi->flags & O_APPEND)
		off = (off_t)n->f.size;
	r = sfs_file_write(&n->f, buf, size, (uint64_t)off);
	pthread_rwlock_unlock(&n->lock);
	if (r == -EIO && n->f.why)
		fs_report(FS(), path ? path : "?", n->f.why, n->f.bad_block, true);
	return (int)r;
}

static int sfs_flush(const char *path, struct fuse_file_info *fi)
{
	struct node *n = (struct node *)(uintptr_t)fi->fh;
	int r;

	pthread_rwlock_wrlock(&n->lock);
	r = node_flush(n);
	pthread_rwlock_unlock(&n->lock);
	return r;
}

static int sfs_release(const char *path, struct fuse_file_info *fi)
{
	struct node *n = (struct node *)(uintptr_t)fi->fh;

	node_put(FS(), n);
	touch_activity(FS());
	return 0;
}

static int sfs_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	struct node *n = (struct node *)(uintptr_t)fi->fh;
	int r;

	pthread_rwlock_wrlock(&n->lock);
	r = node_flush(n);
	pthread_rwlock_unlock(&n->lock);
	if (!r && (datasync ? fdatasync(n->fd) : fsync(n->fd)) < 0)
		r = -errno;
	return r;
}

static int sfs_truncate(const char *path, off_t size, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = FS();
	struct node *n;
	int r;

	if (fs->ro)
		return -EROFS;
	if (size < 0)
		return -EINVAL;
	if (fi && fi->fh) {
		n = (struct node *)(uintptr_t)fi->fh;
	} else {
		r = node_open_path(fs, path, &n);
		if (r)
			return r;
	}
	pthread_rwlock_wrlock(&n->lock);
	r = sfs_file_truncate(&n->f, (uint64_t)size);
	if (!r)
		r = node_flush(n);
	pthread_rwlock_unlock(&n->lock);
	if (r == -EIO && n->f.why)
		fs_report(fs, path ? path : "?", n->f.why, n->f.bad_block, true);
	if (!(fi && fi->fh))
		node_put(fs, n);
	return r;
}

static int sfs_fallocate(const char *path, int mode, off_t off, off_t len,
			 struct fuse_file_info *fi)
{
	struct node *n = (struct node *)(uintptr_t)fi->fh;
	int r = 0;

	if (FS()->ro)
		return -EROFS;
	if (mode & ~FALLOC_FL_KEEP_SIZE)
		return -EOPNOTSUPP;
	if (off < 0 || len <= 0)
		return -EINVAL;
	if (mode & FALLOC_FL_KEEP_SIZE)
		return 0;
	pthread_rwlock_wrlock(&n->lock);
	if ((uint64_t)off + (uint64_t)len > n->f.size)
		r = sfs_file_truncate(&n->f, (uint64_t)off + (uint64_t)len);
	pthread_rwlock_unlock(&n->lock);
	return r;
}

static int sfs_mkdir(const char *path, mode_t mode)
{
	struct sfs_fs *fs = FS();
	_cleanup_close_ int dfd = -1;
	uint8_t iv[SFS_DIRIV_LEN];
	struct loc l;
	int r;

	if (fs->ro)
		return -EROFS;
	touch_activity(fs);
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	r = loc_write_side(fs, &l);
	if (r)
		return r;
	if (mkdirat(fs->rootfd, l.cpath, 0700) < 0) {
		r = -errno;
		if (r != -EEXIST)
			loc_remove_side(fs, &l, S_IFDIR);
		return r;
	}
	dfd = openat(fs->rootfd, l.cpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	r = dfd < 0 ? -errno : sfs_diriv_create(dfd, iv);
	if (!r && fchmod(dfd, dir_mode(fs, &l, mode)) < 0)
		r = -errno;
	if (!r)
		r = chown_to_caller(fs, &l);
	if (r) {
		if (dfd >= 0)
			unlinkat(dfd, SFS_DIRIV_NAME, 0);
		unlinkat(fs->rootfd, l.cpath, AT_REMOVEDIR);
		loc_remove_side(fs, &l, S_IFDIR);
	}
	return r;
}

/* Remove an empty ciphertext directory (only its diriv left). */
static int remove_cdir(struct sfs_fs *fs, const char *cpath)
{
	_cleanup_close_ int dfd = -1;
	uint8_t iv[SFS_DIRIV_LEN];
	struct dirent *de;
	DIR *d;
	int r = 0, fd2;

	dfd = openat(fs->rootfd, cpath, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return -errno;
	fd2 = dup(dfd);
	if (fd2 < 0)
		return -errno;
	d = fdopendir(fd2);
	if (!d) {
		close(fd2);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, SFS_DIRIV_NAME)) {
			r = -ENOTEMPTY;
			break;
		}
	}
	closedir(d);
	if (r)
		return r;
	if (sfs_diriv_read(dfd, iv))
		memset(iv, 0, sizeof(iv));
	if (unlinkat(dfd, SFS_DIRIV_NAME, 0) < 0 && errno != ENOENT)
		return -errno;
	if (unlinkat(fs->rootfd, cpath, AT_REMOVEDIR) < 0) {
		_cleanup_close_ int fd = -1;
		r = -errno;
		/* Put the IV back so the directory stays readable. */
		fd = openat(dfd, SFS_DIRIV_NAME, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0440);
		if (fd >= 0)
			(void)!write(fd, iv, sizeof(iv));
		return r;
	}
	return 0;
}

static int sfs_rmdir(const char *path)
{
	struct sfs_fs *fs = FS();
	struct loc l;
	int r;

	if (fs->ro)
		return -EROFS;
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	r = remove_cdir(fs, l.cpath);
	if (r)
		return r;
	loc_remove_side(fs, &l, S_IFDIR);
	dircache_clear(fs);
	return 0;
}

static int sfs_unlink(const char *path)
{
	struct sfs_fs *fs = FS();
	struct loc l;
	int r;

	if (fs->ro)
		return -EROFS;
	touch_activity(fs);
	struct stat st;
	int linked;

	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	/* -1: unknown, 0: one name, 1: a hard-linked regular file */
	linked = fstatat(fs->rootfd, l.cpath, &st, AT_SYMLINK_NOFOLLOW) < 0 ? -1
		 : S_ISREG(st.st_mode) && st.st_nlink > 1;
	if (unlinkat(fs->rootfd, l.cpath, 0) < 0)
		return -errno;
	loc_remove_side(fs, &l, linked >= 0 ? st.st_mode : 0);
	if (linked == 1)
		links_changed(fs, st.st_dev, st.st_ino, path);
	return 0;
}

static int sfs_symlink(const char *target, const char *path)
{
	struct sfs_fs *fs = FS();
	_cleanup_close_ int dfd = -1;
	struct loc l;
	int r;

	if (fs->ro)
		return -EROFS;
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	dfd = loc_parent_fd(fs, &l);
	if (dfd < 0)
		return dfd;
	r = loc_write_side(fs, &l);
	if (r)
		return r;
	r = sfs_tree_symlink(fs->keys, dfd, l.disk, target, NULL);
	if (!r)
		r = chown_to_caller(fs, &l);
	if (r && r != -EEXIST) {
		unlinkat(dfd, l.disk, 0);
		loc_remove_side(fs, &l, S_IFLNK);
	}
	return r;
}

static int sfs_mknod(const char *path, mode_t mode, dev_t rdev)
{
	struct sfs_fs *fs = FS();
	struct loc l;
	int r;

	if (fs->ro)
		return -EROFS;
	if (S_ISREG(mode))
		return make_file(fs, path, mode, O_EXCL, NULL);
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	r = loc_write_side(fs, &l);
	if (r)
		return r;
	if (mknodat(fs->rootfd, l.cpath, mode, rdev) < 0) {
		r = -errno;
		if (r != -EEXIST)
			loc_remove_side(fs, &l, mode & S_IFMT);
		return r;
	}
	return chown_to_caller(fs, &l);
}

/*
 * Bind the header of the regular file now at AT, whose header is bound to
 * WAS, to TO (or unbind it when TO is NULL).
 */
static int rebind(struct sfs_fs *fs, const struct loc *at, const struct loc *was,
		  const struct loc *to)
{
	struct node *n;
	int r;

	const char *why = NULL;

	r = node_open_loc(fs, at, was, &n, &why);
	if (r == -EIO)
		fs_report(fs, was->name, why ? why : "file header fails authentication", 0, false);
	if (r)
		return r;
	pthread_rwlock_wrlock(&n->lock);
	{
		/* A rename or link is not a change of content: keep the times. */
		struct stat st;
		bool keep = fstat(n->fd, &st) == 0;
		if (to) {
			struct sfs_binding b;
			loc_binding(to, &b);
			r = sfs_file_rebind(&n->f, &b);
		} else {
			r = sfs_file_rebind(&n->f, NULL);
		}
		if (keep) {
			struct timespec ts[2] = {st.st_atim, st.st_mtim};
			(void)futimens(n->fd, ts);
		}
	}
	pthread_rwlock_unlock(&n->lock);
	node_put(fs, n);
	return r;
}

static int sfs_rename(const char *from, const char *to, unsigned int flags)
{
	struct sfs_fs *fs = FS();
	struct loc lf, lt;
	struct stat sf, stt;
	bool to_exists;
	int r;

	if (fs->ro)
		return -EROFS;
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	touch_activity(fs);
	r = loc_resolve(fs, from, &lf);
	if (!r)
		r = loc_resolve(fs, to, &lt);
	if (r)
		return r;
	if (fstatat(fs->rootfd, lf.cpath, &sf, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	to_exists = fstatat(fs->rootfd, lt.cpath, &stt, AT_SYMLINK_NOFOLLOW) == 0;
	if (to_exists && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (to_exists && S_ISDIR(sf.st_mode) && S_ISDIR(stt.st_mode) &&
	    !(flags & RENAME_EXCHANGE) && sf.st_ino != stt.st_ino) {
		/* The kernel would see the target's diriv and refuse: empty it ourselves. */
		r = remove_cdir(fs, lt.cpath);
		if (r)
			return r;
	}
	r = loc_write_side(fs, &lt);
	if (r)
		return r;
	if (renameat2(fs->rootfd, lf.cpath, fs->rootfd, lt.cpath, flags) < 0) {
		r = -errno;
		if (!to_exists)
			loc_remove_side(fs, &lt, S_IFREG);
		return r;
	}
	if (flags & RENAME_EXCHANGE) {
		r = loc_write_side(fs, &lf);
		if (!r && (S_ISLNK(sf.st_mode) || S_ISLNK(stt.st_mode)))
			r = loc_move_link_side(fs, &lf, &lt, true);
		if (!r && S_ISREG(stt.st_mode))
			r = rebind(fs, &lf, &lt, &lf);
	} else if (strcmp(lf.disk, lt.disk) || strcmp(lf.cparent, lt.cparent)) {
		/* A replaced long symlink's target goes; a moved one's follows it. */
		if (to_exists && S_ISLNK(stt.st_mode))
			loc_remove_side(fs, &lt, S_IFLNK);
		if (S_ISLNK(sf.st_mode))
			r = loc_move_link_side(fs, &lf, &lt, false);
		loc_remove_side(fs, &lf, S_IFDIR);
	}
	if (!r && S_ISREG(sf.st_mode) && sf.st_nlink == 1)
		r = rebind(fs, &lt, &lf, &lt);
	if (S_ISDIR(sf.st_mode) || (to_exists && S_ISDIR(stt.st_mode)))
		dircache_clear(fs);
	return r;
}

static int sfs_link(const char *from, const char *to)
{
	struct sfs_fs *fs = FS();
	struct loc lf, lt;
	int r;

	if (fs->ro)
		return -EROFS;
	r = loc_resolve(fs, from, &lf);
	if (!r)
		r = loc_resolve(fs, to, &lt);
	if (r)
		return r;
	/* A file with two names cannot be bound to one of them. */
	{
		struct stat sst;
		if (fstatat(fs->rootfd, lf.cpath, &sst, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (S_ISREG(sst.st_mode)) {
			r = rebind(fs, &lf, &lf, NULL);
			if (r)
				return r;
		}
	}
	r = loc_write_side(fs, &lt);
	if (r)
		return r;
	if (linkat(fs->rootfd, lf.cpath, fs->rootfd, lt.cpath, 0) < 0) {
		r = -errno;
		loc_remove_side(fs, &lt, S_IFREG);
		return r;
	}
	{
		struct stat st;
		if (fstatat(fs->rootfd, lt.cpath, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		    S_ISLNK(st.st_mode)) {
			/* A long symlink's target lives in a side file: link it too. */
			char a[PATH_MAX + 8], b[PATH_MAX + 8];
			snprintf(a, sizeof(a), "%s%s", lf.cpath, SFS_LINK_SUFFIX);
			snprintf(b, sizeof(b), "%s%s", lt.cpath, SFS_LINK_SUFFIX);
			if (linkat(fs->rootfd, a, fs->rootfd, b, 0) < 0 && errno != ENOENT)
				r = -errno;
		}
		if (fstatat(fs->rootfd, lt.cpath, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			links_note(fs, &st, from);
			links_note(fs, &st, to);
			links_changed(fs, st.st_dev, st.st_ino, to);
		}
	}
	return r;
}

static int sfs_chmod(const char *path, mode_t mode, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = FS();
	struct loc l;
	struct stat st;
	int r;

	if (fs->ro)
		return -EROFS;
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	if (fstatat(fs->rootfd, l.cpath, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISLNK(st.st_mode))
		return -EOPNOTSUPP;
	if (fchmodat(fs->rootfd, l.cpath, mode & 07777, 0) < 0)
		return -errno;
	return 0;
}

static int sfs_chown(const char *path, uid_t uid, gid_t gid, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = FS();
	struct loc l;
	int r;

	if (fs->ro)
		return -EROFS;
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	if (fchownat(fs->rootfd, l.cpath, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int sfs_utimens(const char *path, const struct timespec tv[2], struct fuse_file_info *fi)
{
	struct sfs_fs *fs = FS();
	struct loc l;
	int r;

	if (fs->ro)
		return -EROFS;
	if (fi && fi->fh) {
		struct node *n = (struct node *)(uintptr_t)fi->fh;
		pthread_rwlock_wrlock(&n->lock);
		r = node_flush(n);
		pthread_rwlock_unlock(&n->lock);
		if (r)
			return r;
		return futimens(n->fd, tv) < 0 ? -errno : 0;
	}
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	node_flush_at(fs, l.cpath);
	if (utimensat(fs->rootfd, l.cpath, tv, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	return 0;
}

static int sfs_statfs(const char *path, struct statvfs *st)
{
	if (fstatvfs(FS()->rootfd, st) < 0)
		return -errno;
	st->f_namemax = SFS_NAME_MAX;
	return 0;
}

static int sfs_setxattr(const char *path, const char *name, const char *value, size_t size,
			int flags)
{
	struct sfs_fs *fs = FS();
	_cleanup_free_ uint8_t *enc = NULL;
	char ename[256], proc[PATH_MAX + 32];
	struct loc l;
	int r;

	if (fs->ro)
		return -EROFS;
	r = sfs_xattr_name_encrypt(fs->keys, name, ename, sizeof(ename));
	if (r)
		return r;
	if (size > 65536 - SFS_XATTR_OVERHEAD)
		return -E2BIG;
	enc = malloc(size + SFS_XATTR_OVERHEAD);
	if (!enc)
		return -ENOMEM;
	r = sfs_xattr_value_encrypt(fs->keys, name, value, size, enc);
	if (!r)
		r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	loc_proc_path(fs, &l, proc, sizeof(proc));
	if (lsetxattr(proc, ename, enc, size + SFS_XATTR_OVERHEAD, flags) < 0)
		return -errno;
	return 0;
}

static int sfs_getxattr(const char *path, const char *name, char *value, size_t size)
{
	struct sfs_fs *fs = FS();
	_cleanup_free_ uint8_t *enc = malloc(65536);
	char ename[256], proc[PATH_MAX + 32];
	struct loc l;
	ssize_t n;
	int r;

	if (!enc)
		return -ENOMEM;
	r = sfs_xattr_name_encrypt(fs->keys, name, ename, sizeof(ename));
	if (r == -ENOTSUP || r == -ERANGE || r == -EINVAL)
		return -ENODATA;
	if (!r)
		r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	loc_proc_path(fs, &l, proc, sizeof(proc));
	n = lgetxattr(proc, ename, enc, 65536);
	if (n < 0)
		return -errno;
	if (n < (ssize_t)SFS_XATTR_OVERHEAD)
		return -EIO;
	if (size == 0)
		return (int)(n - SFS_XATTR_OVERHEAD);
	if ((size_t)(n - SFS_XATTR_OVERHEAD) > size)
		return -ERANGE;
	{
		_cleanup_free_ uint8_t *plain = malloc((size_t)n);
		if (!plain)
			return -ENOMEM;
		r = sfs_xattr_value_decrypt(fs->keys, name, enc, (size_t)n, plain);
		if (r) {
			fs_report(fs, path, "extended attribute fails authentication", 0, false);
			return -EIO;
		}
		memcpy(value, plain, (size_t)n - SFS_XATTR_OVERHEAD);
	}
	return (int)(n - SFS_XATTR_OVERHEAD);
}

static int sfs_listxattr(const char *path, char *list, size_t size)
{
	struct sfs_fs *fs = FS();
	_cleanup_free_ char *raw = malloc(65536);
	char proc[PATH_MAX + 32];
	struct loc l;
	size_t out = 0;
	ssize_t n;
	int r;

	if (!raw)
		return -ENOMEM;
	r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	loc_proc_path(fs, &l, proc, sizeof(proc));
	n = llistxattr(proc, raw, 65536);
	if (n < 0)
		return -errno;
	for (char *p = raw; p < raw + n; p += strlen(p) + 1) {
		char name[300];
		size_t len;
		if (sfs_xattr_name_decrypt(fs->keys, p, name, sizeof(name)))
			continue;
		len = strlen(name) + 1;
		if (size) {
			if (out + len > size)
				return -ERANGE;
			memcpy(list + out, name, len);
		}
		out += len;
	}
	return (int)out;
}

static int sfs_removexattr(const char *path, const char *name)
{
	struct sfs_fs *fs = FS();
	char ename[256], proc[PATH_MAX + 32];
	struct loc l;
	int r;

	if (fs->ro)
		return -EROFS;
	r = sfs_xattr_name_encrypt(fs->keys, name, ename, sizeof(ename));
	if (r == -ENOTSUP || r == -ERANGE || r == -EINVAL)
		return -ENODATA;
	if (!r)
		r = loc_resolve(fs, path, &l);
	if (r)
		return r;
	loc_proc_path(fs, &l, proc, sizeof(proc));
	if (lremovexattr(proc, ename) < 0)
		return -errno;
	return 0;
}

static void *sfs_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{

	cfg->use_ino = 1;
	cfg->readdir_ino = 1;
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 1.0;
	cfg->negative_timeout = 1.0;
	cfg->hard_remove = 1; /* unlinked-but-open files keep working: nodes hold an fd */
	if (conn->capable & FUSE_CAP_EXPORT_SUPPORT)
		conn->want |= FUSE_CAP_EXPORT_SUPPORT;
	/*
	 * No writeback cache: with it the kernel sends time updates for files
	 * already closed or unlinked, which libfuse's path API answers with
	 * ESTALE (syncfs then fails). Writes go straight through.
	 */
	conn->max_write = 1 << 20;
	return fuse_get_context()->private_data;
}

const struct fuse_operations sfs_fuse_ops = {
	.init = sfs_init,
	.getattr = sfs_getattr,
	.readlink = sfs_readlink,
	.readdir = sfs_readdir,
	.mknod = sfs_mknod,
	.mkdir = sfs_mkdir,
	.symlink = sfs_symlink,
	.unlink = sfs_unlink,
	.rmdir = sfs_rmdir,
	.rename = sfs_rename,
	.link = sfs_link,
	.chmod = sfs_chmod,
	.chown = sfs_chown,
	.truncate = sfs_truncate,
	.open = sfs_open,
	.create = sfs_create,
	.read = sfs_read,
	.write = sfs_write,
	.statfs = sfs_statfs,
	.flush = sfs_flush,
	.release = sfs_release,
	.fsync = sfs_fsync,
	.fallocate = sfs_fallocate,
	.setxattr = sfs_setxattr,
	.getxattr = sfs_getxattr,
	.listxattr = sfs_listxattr,
	.removexattr = sfs_removexattr,
	.utimens = sfs_utimens,
};
