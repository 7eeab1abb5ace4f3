/*
 * restore.c - the restore engine shared by decrypt, import and encrypt
 * (sealfs CLI layer): walks a source (restore.h) and rebuilds its tree in a
 * sink, object by object under temporary names renamed into place, with
 * modes, times, owners (as root), symlinks, hard links, special files and
 * user xattrs. Problems are reported one line each and counted.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "io.h"
#include "log.h"
#include "walk.h"
#include "cli.h"
#include "progress.h"
#include "restore.h"
#include "util.h"
#include "banned.h"

#define CHUNK (1024u * 1024u) /* plaintext bytes per read */
#define HOLE 4096u	      /* all-zero runs of this size stay holes */
#define TMP_SUFFIX ".sealfs-tmp"
#define TMP_TRIES 16
#define SRC_PATH_MAX (1u << 20)

struct fixup {
	char *rel;
	struct stat st;
};

struct eng {
	const struct rs_source *src;
	const struct rs_sink *snk;
	const struct rs_opts *o;
	struct rs_counts c;
	struct sfs_progress *prog;
	struct sfs_walk_path plain; /* "/a/b", for messages */
	struct sfs_walk_path rel;   /* sink on-disk path relative to its root (hard links) */
	struct sfs_walk_path spath; /* source on-disk path, for messages */
	struct sfs_walk_links *links;
	uint8_t *buf;
	struct fixup *fix;
	size_t nfix, capfix;
};

static void __attribute__((format(printf, 4, 5)))
problem(struct eng *r, const char *path, bool damage, const char *fmt, ...)
{
	char msg[1024], p[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sfs_progress_clear(r->prog);
	log_error("%s: %s", rs_esc(path, p, sizeof(p)), msg);
	if (damage)
		r->c.damage++;
	else
		r->c.errors++;
}

/*
 * The temporary name of attempt I for NAME: ".NAME.sealfs-tmp", then random
 * ones; with a sink prefix always the prefix and random hex.
 */
static int tmp_name(const char *prefix, const char *name, unsigned i, char out[NAME_MAX + 1])
{
	uint8_t rnd[8];
	char hex[17];
	int n;

	if (prefix) {
		if (sfs_random(rnd, sizeof(rnd)))
			return -EIO;
		for (size_t j = 0; j < sizeof(rnd); j++)
			snprintf(hex + 2 * j, 3, "%02x", rnd[j]);
		snprintf(out, NAME_MAX + 1, "%s%s", prefix, hex);
		return 0;
	}
	if (i == 0 && strlen(name) + 1 + sizeof(TMP_SUFFIX) <= NAME_MAX + 1) {
		n = snprintf(out, NAME_MAX + 1, ".%s" TMP_SUFFIX, name);
		return n > 0 && n <= NAME_MAX ? 0 : -ENAMETOOLONG;
	}
	if (sfs_random(rnd, sizeof(rnd)))
		return -EIO;
	for (size_t j = 0; j < sizeof(rnd); j++)
		snprintf(hex + 2 * j, 3, "%02x", rnd[j]);
	snprintf(out, NAME_MAX + 1, TMP_SUFFIX ".%s", hex);
	return 0;
}

/* Move DFD/TMP to DFD/NAME; without FORCE never replaces anything (-EEXIST). */
static int commit(int dfd, const char *tmp, const char *name, bool force)
{
	struct stat st;

	if (!force) {
		if (!renameat2(dfd, tmp, dfd, name, RENAME_NOREPLACE))
			return 0;
		if (errno != EINVAL && errno != ENOSYS)
			return -errno;
		if (!fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW))
			return -EEXIST;
	}
	return renameat(dfd, tmp, dfd, name) < 0 ? -errno : 0;
}

static int apply_meta(const struct eng *r, int fd, int dfd, const char *name, const struct stat *st)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	bool lnk = S_ISLNK(st->st_mode);

	if (r->o->owners) {
		if (fd >= 0 ? fchown(fd, st->st_uid, st->st_gid)
			    : fchownat(dfd, name, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW))
			return -errno;
	}
	if (!lnk && (fd >= 0 ? fchmod(fd, st->st_mode & 07777)
			     : fchmodat(dfd, name, st->st_mode & 07777, 0)))
		return -errno;
	if (fd >= 0 ? futimens(fd, ts) : utimensat(dfd, name, ts, AT_SYMLINK_NOFOLLOW))
		return -errno;
	return 0;
}

struct xcopy {
	struct eng *r;
	int fd, err;
};

static int copy_xattr(void *arg, const char *disk, const char *name, const void *value, size_t len)
{
	struct xcopy *c = arg;

	if (!name || !value) {
		problem(c->r, c->r->plain.buf, true,
			"extended attribute %s fails authentication, not restored",
			name ? name : disk);
		return 0;
	}
	int e = c->r->snk->ops->setxattr(c->r->snk->ctx, c->fd, name, value, len);
	if (e && !c->err)
		c->err = e;
	return 0;
}

static void copy_xattrs(struct eng *r, int sfd, int fd)
{
	struct xcopy c = {.r = r, .fd = fd};
	int e = r->src->ops->xattrs(r->src->ctx, sfd, copy_xattr, &c);

	if (e || c.err)
		problem(r, r->plain.buf, false, "cannot copy extended attributes: %s",
			strerror(e ? -e : -c.err));
}

static bool all_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Copy the open source file SF (SIZE bytes) into the sink file OF. */
static int copy_content(struct eng *r, void *sf, uint64_t size, void *of, bool *ret_src,
			uint64_t *ret_bad, const char **ret_why, struct sfs_sha256_ctx *h)
{
	const struct rs_source_ops *so = r->src->ops;
	const struct rs_sink_ops *ko = r->snk->ops;
	uint64_t off = 0;
	int e = 0;

	while (off < size) {
		size_t want = size - off < CHUNK ? (size_t)(size - off) : CHUNK;
		ssize_t n = so->read(r->src->ctx, sf, r->buf, want, off, ret_bad, ret_why);
		*ret_src = true;
		if (n <= 0) {
			e = n ? (int)n : -EIO;
			break;
		}
		*ret_src = false;
		if (h && sfs_sha256_update(h, r->buf, (size_t)n)) {
			e = -EIO;
			break;
		}
		for (size_t o = 0; o < (size_t)n; o += HOLE) {
			size_t len = (size_t)n - o < HOLE ? (size_t)n - o : HOLE;
			if (all_zero(r->buf + o, len))
				continue;
			e = ko->file_write(r->snk->ctx, of, r->buf + o, len, off + o);
			if (e)
				break;
		}
		if (e)
			break;
		off += (uint64_t)n;
		sfs_progress_update(r->prog, r->c.files, r->c.bytes + off);
	}
	sfs_wipe(r->buf, CHUNK);
	return e;
}

/* Restore regular file E of SDIR as D/TMP (made here). */
static int restore_file(struct eng *r, void *sdir, const struct rs_entry *e,
			const struct rs_ddir *d, char tmp[NAME_MAX + 1], const char *disk)
{
	const struct rs_source_ops *so = r->src->ops;
	const struct rs_sink_ops *ko = r->snk->ops;
	_cleanup_close_ int fd = -1;
	void *sf = NULL, *of = NULL;
	struct sfs_sha256_ctx *h = NULL;
	const char *why = NULL;
	uint64_t size = 0, bad = 0;
	bool src = false;
	int err;

	err = so->open_file(r->src->ctx, sdir, e, &sf, &size, &why);
	if (err) {
		if (err == -EIO && why)
			problem(r, r->plain.buf, true, "%s, not restored", why);
		else
			problem(r, r->plain.buf, false, "cannot read: %s", strerror(-err));
		return err;
	}
	for (unsigned i = 0; i < TMP_TRIES; i++) {
		err = tmp_name(r->snk->ops->tmp_prefix, disk, i, tmp);
		if (err)
			break;
		fd = openat(d->fd, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		err = fd < 0 ? -errno : 0;
		/* Ours, left by an interrupted run: take it over. */
		if (err == -EEXIST && i == 0 && r->o->skip_existing && !unlinkat(d->fd, tmp, 0)) {
			i--;
			continue;
		}
		if (err != -EEXIST)
			break;
	}
	if (err) {
		problem(r, r->plain.buf, false, "cannot create a temporary file: %s",
			strerror(-err));
		so->close_file(r->src->ctx, sf);
		return err;
	}
	err = ko->file_new(r->snk->ctx, d, e->name, e->namelen, fd, e->st.st_nlink > 1, &of);
	if (!err && ko->file_verify && !(h = sfs_sha256_new())) {
		ko->file_free(r->snk->ctx, of);
		err = -ENOMEM;
	}
	if (!err) {
		err = copy_content(r, sf, size, of, &src, &bad, &why, h);
		if (err == -EIO && src) {
			char msg[256];
			problem(r, r->plain.buf, true, "%s, not restored",
				rs_block_msg(bad, why, msg, sizeof(msg)));
		} else if (err) {
			problem(r, r->plain.buf, false, "cannot %s: %s", src ? "read" : "write",
				strerror(-err));
		}
		if (!err) {
			err = ko->file_finish(r->snk->ctx, of, size);
			if (err)
				problem(r, r->plain.buf, false, "cannot write: %s", strerror(-err));
		}
		if (!err && h) {
			uint8_t sha[32];
			err = sfs_sha256_final(h, sha);
			h = NULL;
			if (!err)
				err = ko->file_verify(r->snk->ctx, of, size, sha);
			if (err)
				problem(r, r->plain.buf, false,
					"the written copy does not read back as written: %s",
					strerror(-err));
		}
		ko->file_free(r->snk->ctx, of);
		sfs_sha256_free(h);
	} else {
		problem(r, r->plain.buf, false, "cannot write: %s", strerror(-err));
	}
	if (!err) {
		r->c.bytes += size;
		copy_xattrs(r, so->file_fd(sf), fd);
		err = apply_meta(r, fd, d->fd, tmp, &e->st);
		if (err)
			problem(r, r->plain.buf, false, "cannot set owner, mode or times: %s",
				strerror(-err));
	}
	so->close_file(r->src->ctx, sf);
	if (err)
		unlinkat(d->fd, tmp, 0);
	return err;
}

/* A symlink, FIFO, socket or device node for E as D/TMP. */
static int restore_special(struct eng *r, void *sdir, const struct rs_entry *e,
			   const struct rs_ddir *d, char tmp[NAME_MAX + 1], const char *disk)
{
	_cleanup_free_ char *target = NULL;
	int err = 0;

	if (S_ISLNK(e->st.st_mode)) {
		long n;
		target = malloc(RS_LINK_MAX + 1);
		if (!target)
			return -ENOMEM;
		n = r->src->ops->readlink(r->src->ctx, sdir, e, target);
		if (n == -EIO) {
			problem(r, r->plain.buf, true,
				"symlink target fails authentication, not restored");
			return (int)n;
		}
		if (n < 0) {
			problem(r, r->plain.buf, false, "cannot read symlink: %s",
				strerror((int)-n));
			return (int)n;
		}
	} else if (!r->snk->ops->special) {
		problem(r, r->plain.buf, false, "special file not kept by this volume, skipped");
		return -EOPNOTSUPP;
	}
	for (unsigned i = 0; i < TMP_TRIES; i++) {
		err = tmp_name(r->snk->ops->tmp_prefix, disk, i, tmp);
		if (err)
			break;
		if (target)
			err =
			    r->snk->ops->symlink(r->snk->ctx, d, e->name, e->namelen, tmp, target);
		else
			err =
			    mknodat(d->fd, tmp, e->st.st_mode & (S_IFMT | 07777), e->st.st_rdev) < 0
				? -errno
				: 0;
		if (err == -EEXIST && i == 0 && r->o->skip_existing && !unlinkat(d->fd, tmp, 0)) {
			i--;
			continue;
		}
		if (err != -EEXIST)
			break;
	}
	if (target)
		sfs_wipe(target, RS_LINK_MAX + 1);
	if (err) {
		problem(r, r->plain.buf, false, "cannot create: %s", strerror(-err));
		return err;
	}
	err = apply_meta(r, -1, d->fd, tmp, &e->st);
	if (err) {
		problem(r, r->plain.buf, false, "cannot set owner, mode or times: %s",
			strerror(-err));
		unlinkat(d->fd, tmp, 0);
	}
	return err;
}

/* Another name of an inode already restored at REL (sink root relative). */
static void restore_link(struct eng *r, const char *rel, const struct rs_ddir *d, const char *disk)
{
	char tmp[NAME_MAX + 1];
	int err;

	if (!linkat(r->snk->rootfd, rel, d->fd, disk, 0))
		return;
	err = -errno;
	if (err == -EEXIST && r->o->skip_existing) {
		r->c.skipped++;
		return;
	}
	if (err == -EEXIST && r->o->force) {
		for (unsigned i = 0; i < TMP_TRIES; i++) {
			err = tmp_name(r->snk->ops->tmp_prefix, disk, i, tmp);
			if (!err)
				err = linkat(r->snk->rootfd, rel, d->fd, tmp, 0) < 0 ? -errno : 0;
			if (err != -EEXIST)
				break;
		}
		if (!err) {
			err = commit(d->fd, tmp, disk, true);
			unlinkat(d->fd, tmp, 0);
			if (!err)
				return;
		}
	}
	if (err == -EEXIST)
		problem(r, r->plain.buf, false, "exists in DESTDIR, not overwritten (use --force)");
	else
		problem(r, r->plain.buf, false, "cannot make hard link: %s", strerror(-err));
}

static void restore_nondir(struct eng *r, void *sdir, const struct rs_entry *e,
			   const struct rs_ddir *d, const char *disk)
{
	char tmp[NAME_MAX + 1];
	struct stat dst;
	bool multi = e->st.st_nlink > 1, replace = false;
	const char *rel;
	int err;

	if (multi && sfs_walk_links_find(r->links, e->st.st_dev, e->st.st_ino, &rel)) {
		err = r->snk->ops->prepare(r->snk->ctx, d, e->name, e->namelen, disk);
		if (err)
			problem(r, r->plain.buf, false, "cannot write: %s", strerror(-err));
		else
			restore_link(r, rel, d, disk);
		return;
	}
	if (!fstatat(d->fd, disk, &dst, AT_SYMLINK_NOFOLLOW)) {
		if (r->o->skip_existing && !S_ISDIR(dst.st_mode)) {
			if (!S_ISREG(dst.st_mode) || !S_ISREG(e->st.st_mode) ||
			    !r->snk->ops->check ||
			    !r->snk->ops->check(r->snk->ctx, d, e->name, e->namelen, disk)) {
				r->c.skipped++;
				goto remember;
			}
			replace = true; /* left damaged by the interrupted run: make it again */
		} else if (!r->o->force) {
			problem(r, r->plain.buf, false,
				"exists in DESTDIR, not overwritten (use --force)");
			return;
		} else if (S_ISDIR(dst.st_mode)) {
			problem(r, r->plain.buf, false,
				"is a directory in DESTDIR, not replaced by a file");
			return;
		}
	} else if (errno != ENOENT) {
		problem(r, r->plain.buf, false, "cannot examine in DESTDIR: %s", strerror(errno));
		return;
	}
	if (S_ISREG(e->st.st_mode))
		err = restore_file(r, sdir, e, d, tmp, disk);
	else
		err = restore_special(r, sdir, e, d, tmp, disk);
	if (!err) {
		err = r->snk->ops->prepare(r->snk->ctx, d, e->name, e->namelen, disk);
		if (!err)
			err = commit(d->fd, tmp, disk, r->o->force || replace);
		if (err) {
			unlinkat(d->fd, tmp, 0);
			if (err == -EEXIST)
				problem(r, r->plain.buf, false,
					"exists in DESTDIR, not overwritten (use --force)");
			else
				problem(r, r->plain.buf, false, "cannot rename into place: %s",
					strerror(-err));
		}
	}
	if (err)
		return;
	if (S_ISREG(e->st.st_mode))
		r->c.files++;
	else if (S_ISLNK(e->st.st_mode))
		r->c.symlinks++;
	else
		r->c.other++;
remember:
	if (multi) {
		int ar = sfs_walk_links_add(r->links, e->st.st_dev, e->st.st_ino, r->rel.buf);
		if (ar && ar != -EEXIST)
			problem(r, r->plain.buf, false, "cannot remember hard link: %s",
				strerror(-ar));
	}
}

static void restore_entry(struct eng *r, void *sdir, const struct rs_entry *e,
			  const struct rs_ddir *d);

static void restore_children(struct eng *r, void *sdir, const struct rs_ddir *d)
{
	const struct rs_source_ops *so = r->src->ops;
	struct rs_entry e;
	uint64_t lost = 0;
	const char *why;
	int err;

	while ((err = so->next(r->src->ctx, sdir, &e)) > 0) {
		size_t plen = r->plain.len, rlen = r->rel.len, slen = r->spath.len;

		if (sfs_walk_path_push(&r->spath, e.disk, strlen(e.disk))) {
			problem(r, r->plain.buf, false, "path too long below here, not restored");
			continue;
		}
		switch (e.status) {
		case RS_OK:
			if (sfs_walk_path_push(&r->plain, e.name, e.namelen))
				problem(r, r->spath.buf, false,
					"plaintext path too long, not restored");
			else
				restore_entry(r, sdir, &e, d);
			break;
		case RS_LOST:
			lost++;
			break;
		case RS_HIDE:
			break;
		case RS_WARN:
			sfs_progress_clear(r->prog);
			log_warn("%s: %s, skipped", r->spath.buf, e.why);
			break;
		case RS_ERROR:
			problem(r, r->spath.buf, false, "cannot examine: %s", strerror(-e.err));
			break;
		case RS_DAMAGE:
			problem(r, r->spath.buf, true, "%s, not restored", e.why);
			break;
		}
		sfs_walk_path_pop(&r->plain, plen);
		sfs_walk_path_pop(&r->rel, rlen);
		sfs_walk_path_pop(&r->spath, slen);
	}
	if (err < 0)
		problem(r, r->plain.buf, false, "cannot read directory: %s", strerror(-err));
	why = so->dir_problem(r->src->ctx, sdir);
	if (why && lost)
		problem(r, r->plain.buf, true, "%s: %llu entries cannot be restored", why,
			(unsigned long long)lost);
}

/* Open or make the sink directory for E in D: into *ret; false after a problem. */
static bool sink_dir(struct eng *r, const struct rs_entry *e, const struct rs_ddir *d,
		     const char *disk, struct rs_ddir *ret, bool *ret_created)
{
	int err = r->snk->ops->prepare(r->snk->ctx, d, e->name, e->namelen, disk);

	if (!err)
		err = r->snk->ops->dir(r->snk->ctx, d, e->name, e->namelen, disk, r->o->force, ret,
				       ret_created);
	if (err == -EEXIST)
		problem(r, r->plain.buf, false,
			"exists in DESTDIR and is not a directory, not overwritten (use --force)");
	else if (err)
		problem(r, r->plain.buf, false, "cannot make directory: %s", strerror(-err));
	return !err;
}

static void restore_dir(struct eng *r, void *sdir, const struct rs_entry *e,
			const struct rs_ddir *d, const char *disk)
{
	const struct rs_source_ops *so = r->src->ops;
	struct rs_ddir nd;
	void *w = NULL;
	bool created;
	int err;

	err = so->open_dir(r->src->ctx, sdir, e, &w);
	if (err) {
		problem(r, r->plain.buf, false, "cannot open directory: %s", strerror(-err));
		return;
	}
	if (!sink_dir(r, e, d, disk, &nd, &created)) {
		so->close_dir(r->src->ctx, w);
		return;
	}
	r->c.dirs++;
	restore_children(r, w, &nd);
	copy_xattrs(r, so->dir_fd(w), nd.fd);
	err = apply_meta(r, nd.fd, -1, NULL, &e->st);
	if (err)
		problem(r, r->plain.buf, false, "cannot set owner, mode or times: %s",
			strerror(-err));
	close(nd.fd);
	so->close_dir(r->src->ctx, w);
}

static void restore_entry(struct eng *r, void *sdir, const struct rs_entry *e,
			  const struct rs_ddir *d)
{
	char disk[RS_DISK_MAX + 1];
	int err = r->snk->ops->disk(r->snk->ctx, d, e->name, e->namelen, disk);

	if (!err)
		err = sfs_walk_path_push(&r->rel, disk, strlen(disk));
	if (err) {
		problem(r, r->plain.buf, false, "cannot name in DESTDIR: %s", strerror(-err));
		return;
	}
	if (S_ISDIR(e->st.st_mode))
		restore_dir(r, sdir, e, d, disk);
	else
		restore_nondir(r, sdir, e, d, disk);
}

static int add_fixup(struct eng *r, const struct stat *st)
{
	if (r->nfix == r->capfix) {
		size_t ncap = r->capfix ? 2 * r->capfix : 16;
		struct fixup *nf = reallocarray(r->fix, ncap, sizeof(*nf));
		if (!nf)
			return -ENOMEM;
		r->fix = nf;
		r->capfix = ncap;
	}
	r->fix[r->nfix].rel = strdup(r->rel.buf);
	if (!r->fix[r->nfix].rel)
		return -ENOMEM;
	r->fix[r->nfix++].st = *st;
	return 0;
}

/* Restore plaintext PATH ("a/b"), making the directories on the way. */
static void restore_path(struct eng *r, void *sroot, const struct rs_ddir *droot, const char *path)
{
	const struct rs_source_ops *so = r->src->ops;
	struct rs_entry e;
	struct rs_ddir d = *droot, nd;
	char sdisk[RS_DISK_MAX + 1], disk[RS_DISK_MAX + 1];
	void *sdir = sroot, *next;
	const char *p = path;
	bool own_d = false;
	int err;

	sfs_walk_path_pop(&r->plain, 1);
	sfs_walk_path_pop(&r->rel, 0);
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		bool created;

		if (n > RS_NAME_MAX || sfs_walk_path_push(&r->plain, p, n)) {
			problem(r, path, false, "path too long");
			break;
		}
		err = so->lookup(r->src->ctx, sdir, p, n, sdisk, &e);
		if (err) {
			if (err == -EIO && e.why)
				problem(r, r->plain.buf, true, "%s", e.why);
			else
				problem(r, r->plain.buf, false, "cannot find in the volume: %s",
					strerror(-err));
			break;
		}
		if (!slash) {
			restore_entry(r, sdir, &e, &d);
			break;
		}
		if (!S_ISDIR(e.st.st_mode)) {
			problem(r, r->plain.buf, false, "not a directory in the volume");
			break;
		}
		err = so->open_dir(r->src->ctx, sdir, &e, &next);
		if (err) {
			problem(r, r->plain.buf, false, "cannot open directory: %s",
				strerror(-err));
			break;
		}
		if (sdir != sroot)
			so->close_dir(r->src->ctx, sdir);
		sdir = next;
		err = r->snk->ops->disk(r->snk->ctx, &d, e.name, e.namelen, disk);
		if (!err)
			err = sfs_walk_path_push(&r->rel, disk, strlen(disk));
		if (err || !sink_dir(r, &e, &d, disk, &nd, &created)) {
			if (err)
				problem(r, r->plain.buf, false, "cannot name in DESTDIR: %s",
					strerror(-err));
			break;
		}
		if (own_d)
			close(d.fd);
		d = nd;
		own_d = true;
		if (created && add_fixup(r, &e.st)) {
			problem(r, r->plain.buf, false, "out of memory");
			break;
		}
		p = slash + 1;
	}
	if (own_d)
		close(d.fd);
	if (sdir != sroot)
		so->close_dir(r->src->ctx, sdir);
}

static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int rs_run(const struct rs_source *src, const struct rs_sink *sink, const struct rs_opts *o,
	   char *const *paths, size_t npaths, bool meta_root, struct rs_counts *ret)
{
	struct eng r = {.src = src, .snk = sink, .o = o};
	struct rs_ddir root = {.fd = -1};
	void *sroot = NULL;
	int err = 0;

	raise_nofile();
	r.links = sfs_walk_links_new();
	r.buf = malloc(CHUNK);
	if (!r.links || !r.buf || sfs_walk_path_init(&r.plain, "/", PATH_MAX - 1) ||
	    sfs_walk_path_init(&r.rel, "", SRC_PATH_MAX) ||
	    sfs_walk_path_init(&r.spath, o->src_label, SRC_PATH_MAX)) {
		err = -ENOMEM;
		goto out;
	}
	err = src->ops->open_root(src->ctx, &sroot);
	if (err) {
		problem(&r, o->src_label, false, "cannot open: %s", strerror(-err));
		err = 0;
		goto out;
	}
	err = sink->ops->open_root(sink->ctx, &root);
	if (err) {
		problem(&r, "/", false, "cannot open the destination: %s", strerror(-err));
		err = 0;
		goto out;
	}
	if (!npaths) {
		r.c.dirs++;
		if (o->progress)
			r.prog = sfs_progress_new(o->verb, o->progress_fd);
		restore_children(&r, sroot, &root);
		sfs_progress_free(r.prog);
		r.prog = NULL;
		if (meta_root) {
			struct stat st;
			int e2 = fstat(src->ops->dir_fd(sroot), &st) < 0 ? -errno : 0;
			copy_xattrs(&r, src->ops->dir_fd(sroot), root.fd);
			if (!e2)
				e2 = apply_meta(&r, root.fd, -1, NULL, &st);
			if (e2)
				problem(&r, "/", false, "cannot set owner, mode or times: %s",
					strerror(-e2));
		}
	} else {
		for (size_t i = 0; i < npaths; i++)
			restore_path(&r, sroot, &root, paths[i]);
		for (size_t i = r.nfix; i-- > 0;) {
			_cleanup_close_ int fd =
			    openat(sink->rootfd, r.fix[i].rel,
				   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int e2 = fd < 0 ? -errno : apply_meta(&r, fd, -1, NULL, &r.fix[i].st);
			if (e2)
				problem(&r, r.fix[i].rel, false,
					"cannot set owner, mode or times: %s", strerror(-e2));
		}
	}
	if (syncfs(root.fd) < 0)
		problem(&r, "/", false, "cannot sync: %s", strerror(errno));
out:
	if (root.fd >= 0)
		close(root.fd);
	if (sroot)
		src->ops->close_dir(src->ctx, sroot);
	for (size_t i = 0; i < r.nfix; i++)
		free(r.fix[i].rel);
	free(r.fix);
	free(r.buf);
	sfs_walk_links_free(r.links);
	sfs_walk_path_release(&r.plain);
	sfs_walk_path_release(&r.rel);
	sfs_walk_path_release(&r.spath);
	*ret = r.c;
	return err;
}
