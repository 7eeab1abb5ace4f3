/*
 * rs_sealfs.c - a sealfs volume as a source of the restore engine (read
 * through the core walker: names, headers, blocks, symlinks, xattrs all
 * authenticated) and as a sink written offline without FUSE (sealfs CLI
 * layer). The sink writes what the mount writes: encrypted names with
 * their long-name side files, a directory IV per directory, files whose
 * headers are bound to their name (unbound when hard-linked), encrypted
 * symlinks and user xattrs; objects appear by rename, so a crash leaves
 * the old object or the new one.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "content.h"
#include "crypto.h"
#include "file.h"
#include "meta.h"
#include "names.h"
#include "tree.h"
#include "walk.h"
#include "rs_sources.h"
#include "banned.h"

/* ---- source ---- */

static int ssrc_root(void *ctx, void **ret)
{
	struct rs_sealfs_src *s = ctx;

	return sfs_walk_open(s->k, s->rootfd, ".", (struct sfs_walk **)ret);
}

static int ssrc_open_dir(void *ctx, void *parent, const struct rs_entry *e, void **ret)
{
	struct rs_sealfs_src *s = ctx;

	return sfs_walk_open(s->k, sfs_walk_fd(parent), e->disk, (struct sfs_walk **)ret);
}

static int ssrc_next(void *ctx, void *dir, struct rs_entry *e)
{
	struct sfs_walk_entry we;
	int r = sfs_walk_next(dir, &we);

	if (r <= 0)
		return r;
	memset(e, 0, sizeof(*e));
	e->disk = we.disk;
	e->st = we.st;
	e->err = we.err;
	memcpy(e->name, we.name, we.namelen + 1);
	e->namelen = we.namelen;
	switch (we.status) {
	case SFS_WALK_OK:
		e->status = RS_OK;
		break;
	case SFS_WALK_NO_DIRIV:
		e->status = RS_LOST;
		break;
	case SFS_WALK_ORPHAN:
		e->status = RS_HIDE;
		break;
	case SFS_WALK_FOREIGN:
		e->status = RS_WARN;
		break;
	case SFS_WALK_ERROR:
		e->status = RS_ERROR;
		break;
	default:
		e->status = RS_DAMAGE;
		break;
	}
	e->why = sfs_walk_status_str(we.status);
	return 1;
}

static const char *ssrc_problem(void *ctx, void *dir)
{
	uint8_t iv[SFS_DIRIV_LEN];

	return sfs_walk_diriv(dir, iv) ? "directory IV (" SFS_DIRIV_NAME ") missing or damaged"
				       : NULL;
}

static int ssrc_fd(void *dir)
{
	return sfs_walk_fd(dir);
}

static void ssrc_close_dir(void *ctx, void *dir)
{
	sfs_walk_free(dir);
}

static int ssrc_lookup(void *ctx, void *dir, const char *name, size_t n, char *disk,
		       struct rs_entry *e)
{
	struct rs_sealfs_src *s = ctx;
	uint8_t iv[SFS_DIRIV_LEN];
	int err;

	memset(e, 0, sizeof(*e));
	if (n > SFS_NAME_MAX)
		return -ENAMETOOLONG;
	err = sfs_walk_diriv(dir, iv);
	if (err) {
		e->why = "directory IV (" SFS_DIRIV_NAME ") missing or damaged: cannot look it up";
		return err == -ENOENT || err == -EIO ? -EIO : err;
	}
	err = sfs_walk_lookup(s->k, sfs_walk_fd(dir), iv, name, n, disk, &e->st);
	if (err)
		return err;
	memcpy(e->name, name, n);
	e->name[n] = '\0';
	e->namelen = n;
	e->disk = disk;
	return 0;
}

struct ssrc_file {
	struct sfs_file f;
	int fd;
};

static int ssrc_open_file(void *ctx, void *dir, const struct rs_entry *e, void **ret,
			  uint64_t *ret_size, const char **why)
{
	struct rs_sealfs_src *s = ctx;
	struct sfs_binding b = {.name = e->name, .namelen = e->namelen};
	struct ssrc_file *f;
	int err;

	err = sfs_walk_diriv(dir, b.diriv);
	if (err)
		return err;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = sfs_walk_openat(sfs_walk_fd(dir), e->disk, 0);
	if (f->fd < 0) {
		err = f->fd;
		free(f);
		return err;
	}
	err = sfs_file_open(&f->f, &sfs_fd_backend, SFS_FD_HANDLE(f->fd), s->k, &b);
	if (err) {
		*why = f->f.why;
		sfs_file_release(&f->f);
		close(f->fd);
		free(f);
		return err;
	}
	*ret_size = f->f.size;
	*ret = f;
	return 0;
}

static ssize_t ssrc_read(void *ctx, void *file, void *buf, size_t n, uint64_t off, uint64_t *bad,
			 const char **why)
{
	struct ssrc_file *f = file;
	ssize_t r = sfs_file_read(&f->f, buf, n, off);

	if (r == -EIO) {
		*bad = f->f.bad_block;
		*why = f->f.why;
	}
	return r;
}

static int ssrc_file_fd(void *file)
{
	return ((struct ssrc_file *)file)->fd;
}

static void ssrc_close_file(void *ctx, void *file)
{
	struct ssrc_file *f = file;

	if (!f)
		return;
	sfs_file_release(&f->f);
	close(f->fd);
	free(f);
}

static long ssrc_readlink(void *ctx, void *dir, const struct rs_entry *e, char *out)
{
	struct rs_sealfs_src *s = ctx;

	return sfs_tree_readlink(s->k, sfs_walk_fd(dir), e->disk, out);
}

struct xa {
	rs_xattr_fn fn;
	void *arg;
};

static int ssrc_xattr(void *arg, const struct sfs_walk_xattr *x)
{
	struct xa *a = arg;

	return a->fn(a->arg, x->disk, x->name, x->value, x->len);
}

static int ssrc_xattrs(void *ctx, int fd, rs_xattr_fn fn, void *arg)
{
	struct rs_sealfs_src *s = ctx;
	struct xa a = {fn, arg};

	return sfs_walk_xattrs(s->k, fd, ssrc_xattr, &a);
}

const struct rs_source_ops rs_sealfs_source = {
    .open_root = ssrc_root,
    .open_dir = ssrc_open_dir,
    .next = ssrc_next,
    .dir_problem = ssrc_problem,
    .dir_fd = ssrc_fd,
    .close_dir = ssrc_close_dir,
    .lookup = ssrc_lookup,
    .open_file = ssrc_open_file,
    .read = ssrc_read,
    .file_fd = ssrc_file_fd,
    .close_file = ssrc_close_file,
    .readlink = ssrc_readlink,
    .xattrs = ssrc_xattrs,
};

/* ---- sink ---- */

static int ssnk_root(void *ctx, struct rs_ddir *ret)
{
	struct rs_sealfs_snk *s = ctx;
	int fd = fcntl(s->rootfd, F_DUPFD_CLOEXEC, 3), err;

	if (fd < 0)
		return -errno;
	err = sfs_diriv_read(fd, ret->diriv);
	if (err) {
		close(fd);
		return err;
	}
	ret->fd = fd;
	return 0;
}

static int ssnk_disk(void *ctx, const struct rs_ddir *d, const char *name, size_t n, char *disk)
{
	struct rs_sealfs_snk *s = ctx;
	char enc[SFS_ENC_NAME_MAX + 1];
	bool lng;

	return sfs_tree_disk_name(s->k, d->diriv, name, n, disk, enc, &lng);
}

static int ssnk_prepare(void *ctx, const struct rs_ddir *d, const char *name, size_t n,
			const char *disk)
{
	struct rs_sealfs_snk *s = ctx;
	char enc[SFS_ENC_NAME_MAX + 1], dk[SFS_ENC_NAME_MAX + 1];
	bool lng;
	int err = sfs_tree_disk_name(s->k, d->diriv, name, n, dk, enc, &lng);

	if (err || !lng)
		return err;
	return sfs_tree_longname_write(d->fd, dk, enc);
}

/* Open D/DISK as a sealfs directory; a directory without its IV (a crash between
 * mkdir and writing the IV) gets one. */
static int open_cdir(int dfd, const char *disk, bool created, struct rs_ddir *ret)
{
	int fd = openat(dfd, disk, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC), err;

	if (fd < 0)
		return errno == ENOTDIR || errno == ELOOP ? -EEXIST : -errno;
	err = sfs_diriv_read(fd, ret->diriv);
	if (err == -ENOENT || created)
		err = sfs_diriv_create(fd, ret->diriv);
	if (err) {
		close(fd);
		return err;
	}
	ret->fd = fd;
	return 0;
}

static int ssnk_dir(void *ctx, const struct rs_ddir *d, const char *name, size_t n,
		    const char *disk, bool force, struct rs_ddir *ret, bool *ret_created)
{
	int err;

	*ret_created = false;
	if (!mkdirat(d->fd, disk, 0700))
		*ret_created = true;
	else if (errno != EEXIST)
		return -errno;
	err = open_cdir(d->fd, disk, *ret_created, ret);
	if (err == -EEXIST && force) {
		if (unlinkat(d->fd, disk, 0) < 0 || mkdirat(d->fd, disk, 0700) < 0)
			return -errno;
		*ret_created = true;
		err = open_cdir(d->fd, disk, true, ret);
	}
	return err;
}

int rs_sealfs_base(const struct sfs_keys *k, int vrootfd, const char *path, struct rs_ddir *ret)
{
	struct rs_sealfs_snk s = {.k = k, .rootfd = vrootfd};
	struct rs_ddir d, nd;
	int err = ssnk_root(&s, &d);

	while (!err && *path) {
		const char *slash = strchr(path, '/');
		size_t n = slash ? (size_t)(slash - path) : strlen(path);
		char disk[RS_DISK_MAX + 1];
		bool created;

		err = ssnk_disk(&s, &d, path, n, disk);
		if (!err)
			err = ssnk_prepare(&s, &d, path, n, disk);
		if (!err)
			err = ssnk_dir(&s, &d, path, n, disk, false, &nd, &created);
		close(d.fd);
		if (err)
			return err == -EEXIST ? -ENOTDIR : err;
		if (created) {
			/* As mkdir -p would: the umask's mode. */
			mode_t um = umask(0);
			umask(um);
			(void)fchmod(nd.fd, 0777 & ~um);
		}
		d = nd;
		path = slash ? slash + 1 : path + n;
	}
	if (!err)
		*ret = d;
	return err;
}

struct ssnk_file {
	struct sfs_file f;
	int fd;
};

static int ssnk_file_new(void *ctx, const struct rs_ddir *d, const char *name, size_t n, int fd,
			 bool multi, void **ret)
{
	struct rs_sealfs_snk *s = ctx;
	struct sfs_binding b = {.name = name, .namelen = n};
	struct ssnk_file *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	memcpy(b.diriv, d->diriv, SFS_DIRIV_LEN);
	f->fd = fd;
	err = sfs_file_create(&f->f, &sfs_fd_backend, SFS_FD_HANDLE(fd), s->k, &b);
	/* A file with several names cannot be bound to one of them. */
	if (!err && multi)
		err = sfs_file_rebind(&f->f, NULL);
	if (err) {
		sfs_file_release(&f->f);
		free(f);
		return err;
	}
	*ret = f;
	return 0;
}

static int ssnk_write(void *ctx, void *file, const void *buf, size_t n, uint64_t off)
{
	struct ssnk_file *f = file;
	ssize_t r = sfs_file_write(&f->f, buf, n, off);

	return r < 0 ? (int)r : (size_t)r == n ? 0 : -EIO;
}

static int ssnk_finish(void *ctx, void *file, uint64_t size)
{
	struct ssnk_file *f = file;
	int err = 0;

	if (f->f.size != size)
		err = sfs_file_truncate(&f->f, size);
	if (!err)
		err = sfs_file_flush(&f->f);
	if (!err && ((struct rs_sealfs_snk *)ctx)->fsync_each && fsync(f->fd) < 0)
		err = -errno;
	return err;
}

/* Authenticate the whole file D/DISK (header bound to NAME, every block). */
static int ssnk_check(void *ctx, const struct rs_ddir *d, const char *name, size_t n,
		      const char *disk)
{
	struct rs_sealfs_snk *s = ctx;
	struct sfs_binding b = {.name = name, .namelen = n};
	struct sfs_file f;
	uint8_t *buf;
	uint64_t off = 0;
	int fd, err;

	memcpy(b.diriv, d->diriv, SFS_DIRIV_LEN);
	fd = sfs_walk_openat(d->fd, disk, 0);
	if (fd < 0)
		return -EIO;
	buf = malloc(1u << 20);
	err = buf ? sfs_file_open(&f, &sfs_fd_backend, SFS_FD_HANDLE(fd), s->k, &b) : -ENOMEM;
	while (!err && off < f.size) {
		ssize_t r = sfs_file_read(&f, buf, 1u << 20, off);
		if (r <= 0)
			err = r ? (int)r : -EIO;
		off += r > 0 ? (uint64_t)r : 0;
	}
	if (buf) {
		sfs_file_release(&f);
		sfs_wipe(buf, 1u << 20);
		free(buf);
	}
	close(fd);
	return err ? -EIO : 0;
}

static int ssnk_verify(void *ctx, void *file, uint64_t size, const uint8_t sha[32])
{
	struct ssnk_file *f = file;
	struct sfs_sha256_ctx *h = sfs_sha256_new();
	uint8_t *buf = malloc(1u << 20), got[32];
	uint64_t off = 0;
	int err = h && buf ? 0 : -ENOMEM;

	while (!err && off < size) {
		ssize_t n = sfs_file_read(&f->f, buf, 1u << 20, off);
		if (n <= 0)
			err = n ? (int)n : -EIO;
		else
			err = sfs_sha256_update(h, buf, (size_t)n);
		off += n > 0 ? (uint64_t)n : 0;
	}
	if (!err) {
		err = sfs_sha256_final(h, got);
		h = NULL;
		if (!err && f->f.size != size)
			err = -EIO;
		if (!err && sfs_memeq_ct(got, sha, 32))
			err = -EIO;
	}
	sfs_sha256_free(h);
	if (buf) {
		sfs_wipe(buf, 1u << 20);
		free(buf);
	}
	return err;
}

static void ssnk_free(void *ctx, void *file)
{
	struct ssnk_file *f = file;

	if (f) {
		sfs_file_release(&f->f);
		free(f);
	}
}

static int ssnk_symlink(void *ctx, const struct rs_ddir *d, const char *name, size_t n,
			const char *tmp, const char *target)
{
	struct rs_sealfs_snk *s = ctx;
	char disk[RS_DISK_MAX + 1], a[NAME_MAX + 8], b[RS_DISK_MAX + 8];
	struct stat st;
	int err = ssnk_disk(ctx, d, name, n, disk);

	if (!err)
		err = sfs_tree_symlink(s->k, d->fd, tmp, target, NULL);
	if (err)
		return err;
	/* A long target lives in "<on-disk name>.link": give it its final name. */
	snprintf(a, sizeof(a), "%s%s", tmp, SFS_LINK_SUFFIX);
	snprintf(b, sizeof(b), "%s%s", disk, SFS_LINK_SUFFIX);
	if (!fstatat(d->fd, a, &st, AT_SYMLINK_NOFOLLOW) && renameat(d->fd, a, d->fd, b) < 0) {
		err = -errno;
		unlinkat(d->fd, a, 0);
		unlinkat(d->fd, tmp, 0);
	}
	return err;
}

static int ssnk_setxattr(void *ctx, int fd, const char *name, const void *v, size_t len)
{
	struct rs_sealfs_snk *s = ctx;
	char disk[256];
	uint8_t *enc;
	int err = sfs_xattr_name_encrypt(s->k, name, disk, sizeof(disk));

	if (err)
		return err;
	enc = malloc(len + SFS_XATTR_OVERHEAD);
	if (!enc)
		return -ENOMEM;
	err = sfs_xattr_value_encrypt(s->k, name, v, len, enc);
	if (!err && fsetxattr(fd, disk, enc, len + SFS_XATTR_OVERHEAD, 0) < 0)
		err = -errno;
	free(enc);
	return err;
}

const struct rs_sink_ops rs_sealfs_sink = {
    .open_root = ssnk_root,
    .disk = ssnk_disk,
    .prepare = ssnk_prepare,
    .dir = ssnk_dir,
    .file_new = ssnk_file_new,
    .file_write = ssnk_write,
    .file_finish = ssnk_finish,
    .file_verify = ssnk_verify,
    .file_free = ssnk_free,
    .symlink = ssnk_symlink,
    .setxattr = ssnk_setxattr,
    .check = ssnk_check,
    .special = true,
    .tmp_prefix = SFS_TMP_PREFIX,
};
