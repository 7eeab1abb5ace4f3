/*
 * rs_dir.c - the plain-directory ends of the restore engine (sealfs CLI
 * layer): a sink that writes a plain tree (decrypt) and a source that reads
 * one (encrypt). Also the clear-text xattr lister the EncFS source shares.
 * Everything by *at() calls relative to directory fds, never following a
 * final symlink.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "io.h"
#include "restore.h"
#include "rs_sources.h"
#include "walk.h"
#include "banned.h"

#define XATTR_LIST_MAX_BYTES (64 * 1024)
#define XATTR_VALUE_MAX_BYTES (64 * 1024)

/* ---- sink ---- */

static int dsnk_root(void *ctx, struct rs_ddir *ret)
{
	struct rs_dir_snk *s = ctx;
	int fd = fcntl(s->rootfd, F_DUPFD_CLOEXEC, 3);

	if (fd < 0)
		return -errno;
	ret->fd = fd;
	memset(ret->diriv, 0, sizeof(ret->diriv));
	return 0;
}

static int dsnk_disk(void *ctx, const struct rs_ddir *d, const char *name, size_t n, char *disk)
{
	if (n > RS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(disk, name, n);
	disk[n] = '\0';
	return 0;
}

static int dsnk_prepare(void *ctx, const struct rs_ddir *d, const char *name, size_t n,
			const char *disk)
{
	return 0;
}

static int dsnk_dir(void *ctx, const struct rs_ddir *d, const char *name, size_t n,
		    const char *disk, bool force, struct rs_ddir *ret, bool *ret_created)
{
	int fd;

	*ret_created = false;
	if (!mkdirat(d->fd, disk, 0700))
		*ret_created = true;
	else if (errno != EEXIST)
		return -errno;
	fd = openat(d->fd, disk, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP) && force) {
		if (unlinkat(d->fd, disk, 0) < 0 || mkdirat(d->fd, disk, 0700) < 0)
			return -errno;
		*ret_created = true;
		fd = openat(d->fd, disk, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == ENOTDIR || errno == ELOOP ? -EEXIST : -errno;
	ret->fd = fd;
	memset(ret->diriv, 0, sizeof(ret->diriv));
	return 0;
}

static int dsnk_file_new(void *ctx, const struct rs_ddir *d, const char *name, size_t n, int fd,
			 bool multi, void **ret)
{
	*ret = (void *)(intptr_t)(fd + 1);
	return 0;
}

static int dsnk_write(void *ctx, void *f, const void *buf, size_t n, uint64_t off)
{
	return io_pwrite_full((int)(intptr_t)f - 1, buf, n, (off_t)off);
}

static int dsnk_finish(void *ctx, void *f, uint64_t size)
{
	return ftruncate((int)(intptr_t)f - 1, (off_t)size) < 0 ? -errno : 0;
}

static void dsnk_free(void *ctx, void *f)
{
}

static int dsnk_symlink(void *ctx, const struct rs_ddir *d, const char *name, size_t n,
			const char *tmp, const char *target)
{
	return symlinkat(target, d->fd, tmp) < 0 ? -errno : 0;
}

static int dsnk_setxattr(void *ctx, int fd, const char *name, const void *v, size_t len)
{
	return fsetxattr(fd, name, v, len, 0) < 0 ? -errno : 0;
}

const struct rs_sink_ops rs_dir_sink = {
    .open_root = dsnk_root,
    .disk = dsnk_disk,
    .prepare = dsnk_prepare,
    .dir = dsnk_dir,
    .file_new = dsnk_file_new,
    .file_write = dsnk_write,
    .file_finish = dsnk_finish,
    .file_free = dsnk_free,
    .symlink = dsnk_symlink,
    .setxattr = dsnk_setxattr,
    .special = true,
};

/* ---- clear-text xattrs (plain trees and EncFS volumes) ---- */

int rs_plain_xattrs(int fd, rs_xattr_fn fn, void *arg)
{
	char *list = NULL, *val = NULL;
	ssize_t n;
	int err = 0;

	n = flistxattr(fd, NULL, 0);
	if (n < 0)
		return errno == ENOTSUP || errno == EPERM ? 0 : -errno;
	if (!n)
		return 0;
	if (n > XATTR_LIST_MAX_BYTES)
		return -E2BIG;
	list = malloc((size_t)n + 1);
	val = malloc(XATTR_VALUE_MAX_BYTES);
	if (!list || !val) {
		err = -ENOMEM;
		goto out;
	}
	n = flistxattr(fd, list, (size_t)n);
	if (n < 0) {
		err = -errno;
		goto out;
	}
	list[n] = '\0';
	for (char *p = list; p < list + n; p += strlen(p) + 1) {
		ssize_t vl;
		if (strncmp(p, "user.", 5))
			continue;
		vl = fgetxattr(fd, p, val, XATTR_VALUE_MAX_BYTES);
		if (vl < 0) {
			if (errno == ENODATA)
				continue;
			err = -errno;
			break;
		}
		err = fn(arg, p, p, val, (size_t)vl);
		if (err)
			break;
	}
out:
	free(list);
	free(val);
	return err;
}

/* ---- source ---- */

struct dsrc_dir {
	DIR *d;
};

static int dsrc_wrap(int fd, void **ret)
{
	struct dsrc_dir *d = calloc(1, sizeof(*d));

	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	d->d = fdopendir(fd);
	if (!d->d) {
		int e = -errno;
		close(fd);
		free(d);
		return e;
	}
	*ret = d;
	return 0;
}

static int dsrc_root(void *ctx, void **ret)
{
	struct rs_dir_src *s = ctx;
	int fd = openat(s->rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : dsrc_wrap(fd, ret);
}

static int dsrc_fd(void *dir)
{
	return dirfd(((struct dsrc_dir *)dir)->d);
}

static int dsrc_open_dir(void *ctx, void *parent, const struct rs_entry *e, void **ret)
{
	int fd = sfs_walk_openat(dsrc_fd(parent), e->disk, O_DIRECTORY);

	return fd < 0 ? fd : dsrc_wrap(fd, ret);
}

static int dsrc_next(void *ctx, void *dir, struct rs_entry *e)
{
	struct dsrc_dir *d = dir;

	for (;;) {
		struct dirent *de;
		size_t n;
		errno = 0;
		de = readdir(d->d);
		if (!de)
			return errno ? -errno : 0;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		memset(e, 0, sizeof(*e));
		e->disk = de->d_name;
		if (fstatat(dirfd(d->d), de->d_name, &e->st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			e->status = RS_ERROR;
			e->err = -errno;
			return 1;
		}
		n = strlen(de->d_name);
		memcpy(e->name, de->d_name, n + 1);
		e->namelen = n;
		e->status = RS_OK;
		return 1;
	}
}

static const char *dsrc_problem(void *ctx, void *dir)
{
	return NULL;
}

static void dsrc_close_dir(void *ctx, void *dir)
{
	struct dsrc_dir *d = dir;

	if (d) {
		closedir(d->d);
		free(d);
	}
}

static int dsrc_lookup(void *ctx, void *dir, const char *name, size_t n, char *disk,
		       struct rs_entry *e)
{
	memset(e, 0, sizeof(*e));
	if (n > RS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(disk, name, n);
	disk[n] = '\0';
	if (fstatat(dsrc_fd(dir), disk, &e->st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	memcpy(e->name, name, n);
	e->name[n] = '\0';
	e->namelen = n;
	e->disk = disk;
	return 0;
}

static int dsrc_open_file(void *ctx, void *dir, const struct rs_entry *e, void **ret,
			  uint64_t *ret_size, const char **why)
{
	int fd = sfs_walk_openat(dsrc_fd(dir), e->disk, 0);
	struct stat st;

	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0) {
		int err = -errno;
		close(fd);
		return err;
	}
	*ret_size = (uint64_t)st.st_size;
	*ret = (void *)(intptr_t)(fd + 1);
	return 0;
}

static ssize_t dsrc_read(void *ctx, void *f, void *buf, size_t n, uint64_t off, uint64_t *bad,
			 const char **why)
{
	return io_pread_full((int)(intptr_t)f - 1, buf, n, (off_t)off);
}

static int dsrc_file_fd(void *f)
{
	return (int)(intptr_t)f - 1;
}

static void dsrc_close_file(void *ctx, void *f)
{
	if (f)
		close((int)(intptr_t)f - 1);
}

static long dsrc_readlink(void *ctx, void *dir, const struct rs_entry *e, char *out)
{
	ssize_t n = readlinkat(dsrc_fd(dir), e->disk, out, RS_LINK_MAX + 1);

	if (n < 0)
		return -errno;
	if (n > RS_LINK_MAX)
		return -ENAMETOOLONG;
	out[n] = '\0';
	return n;
}

static int dsrc_xattrs(void *ctx, int fd, rs_xattr_fn fn, void *arg)
{
	return rs_plain_xattrs(fd, fn, arg);
}

const struct rs_source_ops rs_dir_source = {
    .open_root = dsrc_root,
    .open_dir = dsrc_open_dir,
    .next = dsrc_next,
    .dir_problem = dsrc_problem,
    .dir_fd = dsrc_fd,
    .close_dir = dsrc_close_dir,
    .lookup = dsrc_lookup,
    .open_file = dsrc_open_file,
    .read = dsrc_read,
    .file_fd = dsrc_file_fd,
    .close_file = dsrc_close_file,
    .readlink = dsrc_readlink,
    .xattrs = dsrc_xattrs,
};
