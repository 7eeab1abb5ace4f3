/*
 * rs_encfs.c - an EncFS volume as a source of the restore engine (sealfs
 * CLI layer), over the core's EncFS read API (encfs-vol.h). Names that are
 * not EncFS names at all are skipped with a warning; names that fail their
 * checksum are damage. Xattrs are in clear in EncFS volumes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "encfs-vol.h"
#include "walk.h"
#include "rs_sources.h"
#include "banned.h"

static int esrc_root(void *ctx, void **ret)
{
	struct rs_encfs_src *s = ctx;

	return efs_dir_open(s->v, efs_volume_rootfd(s->v), ".", EFS_ROOT_IV, true,
			    (struct efs_dir **)ret);
}

static int esrc_open_dir(void *ctx, void *parent, const struct rs_entry *e, void **ret)
{
	struct rs_encfs_src *s = ctx;

	return efs_dir_open(s->v, efs_dir_fd(parent), e->disk, e->aux, false,
			    (struct efs_dir **)ret);
}

static void from_efs(const struct efs_entry *x, struct rs_entry *e)
{
	memset(e, 0, sizeof(*e));
	e->disk = x->disk;
	e->st = x->st;
	e->aux = x->iv;
	memcpy(e->name, x->name, x->namelen + 1);
	e->namelen = x->namelen;
	if (!x->status) {
		e->status = RS_OK;
	} else if (x->status == -EINVAL) {
		e->status = RS_WARN;
		e->why = "not an EncFS name";
	} else if (x->status == -EBADMSG) {
		e->status = RS_DAMAGE;
		e->why = "name fails its EncFS checksum (damaged, or not of this volume)";
	} else {
		e->status = RS_ERROR;
		e->err = x->status;
	}
}

static int esrc_next(void *ctx, void *dir, struct rs_entry *e)
{
	struct efs_entry x;
	int r = efs_dir_next(dir, &x);

	if (r > 0)
		from_efs(&x, e);
	return r;
}

static const char *esrc_problem(void *ctx, void *dir)
{
	return NULL;
}

static int esrc_fd(void *dir)
{
	return efs_dir_fd(dir);
}

static void esrc_close_dir(void *ctx, void *dir)
{
	efs_dir_free(dir);
}

static int esrc_lookup(void *ctx, void *dir, const char *name, size_t n, char *disk,
		       struct rs_entry *e)
{
	struct rs_encfs_src *s = ctx;
	char enc[EFS_ENC_NAME_MAX + 1];
	struct efs_entry x;
	int err = efs_lookup(s->v, efs_dir_fd(dir), efs_dir_iv(dir), name, n, enc, &x);

	if (err)
		return err;
	if (strlen(enc) > RS_DISK_MAX)
		return -ENAMETOOLONG;
	memcpy(disk, enc, strlen(enc) + 1);
	x.disk = disk;
	from_efs(&x, e);
	return 0;
}

struct esrc_file {
	struct efs_file f;
	int fd;
};

static int esrc_open_file(void *ctx, void *dir, const struct rs_entry *e, void **ret,
			  uint64_t *ret_size, const char **why)
{
	struct rs_encfs_src *s = ctx;
	struct esrc_file *f = calloc(1, sizeof(*f));
	int err;

	if (!f)
		return -ENOMEM;
	f->fd = sfs_walk_openat(efs_dir_fd(dir), e->disk, 0);
	if (f->fd < 0) {
		err = f->fd;
		free(f);
		return err;
	}
	err = efs_file_open(s->v, f->fd, e->aux, &f->f);
	if (err) {
		*why = f->f.why;
		efs_file_release(&f->f);
		close(f->fd);
		free(f);
		return err;
	}
	*ret_size = f->f.size;
	*ret = f;
	return 0;
}

static ssize_t esrc_read(void *ctx, void *file, void *buf, size_t n, uint64_t off, uint64_t *bad,
			 const char **why)
{
	struct esrc_file *f = file;
	ssize_t r = efs_file_read(&f->f, buf, n, off);

	if (r == -EIO) {
		*bad = f->f.bad_block;
		*why = f->f.why;
	}
	return r;
}

static int esrc_file_fd(void *file)
{
	return ((struct esrc_file *)file)->fd;
}

static void esrc_close_file(void *ctx, void *file)
{
	struct esrc_file *f = file;

	if (!f)
		return;
	efs_file_release(&f->f);
	close(f->fd);
	free(f);
}

static long esrc_readlink(void *ctx, void *dir, const struct rs_entry *e, char *out)
{
	struct rs_encfs_src *s = ctx;

	return efs_readlink(s->v, efs_dir_fd(dir), e->disk, out);
}

static int esrc_xattrs(void *ctx, int fd, rs_xattr_fn fn, void *arg)
{
	return rs_plain_xattrs(fd, fn, arg);
}

const struct rs_source_ops rs_encfs_source = {
    .open_root = esrc_root,
    .open_dir = esrc_open_dir,
    .next = esrc_next,
    .dir_problem = esrc_problem,
    .dir_fd = esrc_fd,
    .close_dir = esrc_close_dir,
    .lookup = esrc_lookup,
    .open_file = esrc_open_file,
    .read = esrc_read,
    .file_fd = esrc_file_fd,
    .close_file = esrc_close_file,
    .readlink = esrc_readlink,
    .xattrs = esrc_xattrs,
};
