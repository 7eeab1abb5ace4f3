/*
 * cmd_decrypt.c - `sealfs decrypt` and `sealfs cat`: restore a ciphertext
 * tree (or chosen plaintext paths) into a plain directory, or one file to
 * standard output, offline and without FUSE (sealfs CLI layer). Built on the
 * core walker (walk.h) and sfs_file_read. The volume is only read; every
 * object is written under a temporary name in DESTDIR and renamed into place
 * once complete, so a damaged file never leaves a partial copy behind.
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
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "content.h"
#include "crypto.h"
#include "file.h"
#include "io.h"
#include "keys.h"
#include "log.h"
#include "meta.h"
#include "tree.h"
#include "walk.h"
#include "cli.h"
#include "progress.h"
#include "util.h"
#include "unlock.h"
#include "banned.h"

#define CHUNK (256u * SFS_BLOCK) /* plaintext bytes per sfs_file_read */
#define TMP_SUFFIX ".sealfs-tmp"
#define TMP_TRIES 16
#define CIPHER_PATH_MAX (1u << 20)
#define MAX_PATHS 4096 /* PATH arguments of one decrypt */

/* A directory made on the way to a chosen path: its metadata is set at the end. */
struct fixup {
	char *rel;
	struct stat st;
};

struct restore {
	const struct sfs_keys *k;
	bool force, owners, quiet;
	int destfd;
	uint64_t dirs, files, symlinks, other, bytes;
	uint64_t damage, errors;
	struct sfs_progress *prog;	/* NULL unless on a terminal (whole-volume restores) */
	struct sfs_walk_path plain;  /* "/a/b", for messages */
	struct sfs_walk_path rel;    /* "a/b", relative to DESTDIR (hard links) */
	struct sfs_walk_path cipher; /* ciphertext path, for messages */
	struct sfs_walk_links *links;
	uint8_t *buf; /* CHUNK bytes of plaintext scratch */
	struct fixup *fix;
	size_t nfix, capfix;
};

/*
 * Copy S into out (outlen >= 8) for a message: control characters, '\' and
 * bytes that are not UTF-8 as \xNN; cut with "..." when out is too small.
 */
static const char *esc(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), o = 0;

	while (left) {
		size_t n = utf8_char_len(p, left);
		if (o + 8 > outlen) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (n > 1 || (n == 1 && *p >= 0x20 && *p != 0x7f && *p != '\\')) {
			memcpy(out + o, p, n);
			o += n;
		} else {
			snprintf(out + o, outlen - o, "\\x%02x", *p);
			o += 4;
			n = 1;
		}
		p += n;
		left -= n;
	}
	out[o] = '\0';
	return out;
}

/* One problem with PATH (plaintext, or ciphertext when unknown); DAMAGE or error. */
static void __attribute__((format(printf, 4, 5)))
problem(struct restore *r, const char *path, bool damage, const char *fmt, ...)
{
	char msg[1024], p[4096];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sfs_progress_clear(r->prog);
	log_error("%s: %s", esc(path, p, sizeof(p)), msg);
	if (damage)
		r->damage++;
	else
		r->errors++;
}

/* "block N fails ..." from the why of a failed read of block N. */
static const char *block_msg(uint64_t block, const char *why, char *out, size_t len)
{
	if (!why)
		why = "block fails authentication";
	if (!strncmp(why, "block ", 6))
		snprintf(out, len, "block %llu %s", (unsigned long long)block, why + 6);
	else
		snprintf(out, len, "block %llu: %s", (unsigned long long)block, why);
	return out;
}

/* The temporary name of attempt I for NAME: ".NAME.sealfs-tmp", then random ones. */
static int tmp_name(const char *name, unsigned i, char out[NAME_MAX + 1])
{
	uint8_t rnd[8];
	char hex[17];
	int n;

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

/*
 * Move DFD/TMP to DFD/NAME. Without FORCE never replaces anything
 * (RENAME_NOREPLACE, or a check where the file system lacks it): -EEXIST.
 */
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

/* Ownership (as root), mode (not for symlinks) and times of ST onto FD, or DFD/NAME. */
static int apply_meta(const struct restore *r, int fd, int dfd, const char *name,
		      const struct stat *st)
{
	struct timespec ts[2] = {st->st_atim, st->st_mtim};
	bool lnk = S_ISLNK(st->st_mode);

	if (r->owners) {
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

struct xattr_copy {
	struct restore *r;
	int fd;
	int err;
};

static int copy_xattr(void *arg, const struct sfs_walk_xattr *x)
{
	struct xattr_copy *c = arg;

	if (!x->name || !x->value) {
		problem(c->r, c->r->plain.buf, true,
			"extended attribute %s fails authentication, "
			"not restored",
			x->name ? x->name : x->disk);
		return 0;
	}
	if (fsetxattr(c->fd, x->name, x->value, x->len, 0) < 0 && !c->err)
		c->err = -errno;
	return 0;
}

/* Copy the user xattrs of the ciphertext object SFD to the restored object FD. */
static void restore_xattrs(struct restore *r, int sfd, int fd)
{
	struct xattr_copy c = {.r = r, .fd = fd};
	int e = sfs_walk_xattrs(r->k, sfd, copy_xattr, &c);

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

/*
 * Decrypt the open file F into the new file FD (all-zero blocks stay holes).
 * *ret_src tells whether a failure was reading the volume (else writing FD).
 */
static int copy_content(struct restore *r, struct sfs_file *f, int fd, bool *ret_src)
{
	uint64_t off = 0;
	int e = 0;

	while (off < f->size) {
		ssize_t n = sfs_file_read(f, r->buf, CHUNK, off);
		*ret_src = true;
		if (n <= 0) {
			e = n ? (int)n : -EIO;
			break;
		}
		*ret_src = false;
		for (size_t o = 0; o < (size_t)n; o += SFS_BLOCK) {
			size_t len = (size_t)n - o < SFS_BLOCK ? (size_t)n - o : SFS_BLOCK;
			if (all_zero(r->buf + o, len))
				continue;
			e = io_pwrite_full(fd, r->buf + o, len, (off_t)(off + o));
			if (e)
				break;
		}
		if (e)
			break;
		off += (uint64_t)n;
	}
	sfs_wipe(r->buf, CHUNK);
	if (!e && ftruncate(fd, (off_t)f->size) < 0)
		e = -errno;
	if (!e)
		r->bytes += f->size;
	sfs_progress_update(r->prog, r->files, r->bytes);
	return e;
}

/* Restore the regular file SRCDIR/e->disk as DFD/TMP (created here). */
static int restore_file(struct restore *r, int srcdir, const uint8_t diriv[SFS_DIRIV_LEN],
			const struct sfs_walk_entry *e, int dfd, char tmp[NAME_MAX + 1])
{
	_cleanup_close_ int sfd = sfs_walk_openat(srcdir, e->disk, 0);
	_cleanup_close_ int fd = -1;
	struct sfs_binding b = {.name = e->name, .namelen = e->namelen};
	struct sfs_file f;
	bool src = false;
	int err;

	if (sfd < 0) {
		problem(r, r->plain.buf, false, "cannot open: %s", strerror(-sfd));
		return sfd;
	}
	memcpy(b.diriv, diriv, SFS_DIRIV_LEN);
	err = sfs_file_open(&f, &sfs_fd_backend, SFS_FD_HANDLE(sfd), r->k, &b);
	if (err) {
		if (err == -EIO && f.why)
			problem(r, r->plain.buf, true, "%s, not restored", f.why);
		else
			problem(r, r->plain.buf, false, "cannot read: %s", strerror(-err));
		sfs_file_release(&f);
		return err;
	}
	for (unsigned i = 0; i < TMP_TRIES; i++) {
		err = tmp_name(e->name, i, tmp);
		if (err)
			break;
		fd = openat(dfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		err = fd < 0 ? -errno : 0;
		if (err != -EEXIST)
			break;
	}
	if (err) {
		problem(r, r->plain.buf, false, "cannot create a temporary file: %s",
			strerror(-err));
		sfs_file_release(&f);
		return err;
	}
	err = copy_content(r, &f, fd, &src);
	if (err == -EIO && src) {
		char msg[256];
		problem(r, r->plain.buf, true, "%s, not restored",
			block_msg(f.bad_block, f.why, msg, sizeof(msg)));
	} else if (err) {
		problem(r, r->plain.buf, false, "cannot %s: %s", src ? "read" : "write",
			strerror(-err));
	}
	sfs_file_release(&f);
	if (!err) {
		restore_xattrs(r, sfd, fd);
		err = apply_meta(r, fd, dfd, tmp, &e->st);
		if (err)
			problem(r, r->plain.buf, false, "cannot set owner, mode or times: %s",
				strerror(-err));
	}
	if (err)
		unlinkat(dfd, tmp, 0);
	return err;
}

/* Make a symlink, FIFO, socket or device node for e as DFD/TMP. */
static int restore_special(struct restore *r, int srcdir, const struct sfs_walk_entry *e, int dfd,
			   char tmp[NAME_MAX + 1])
{
	_cleanup_free_ char *target = NULL;
	int err = 0;

	if (S_ISLNK(e->st.st_mode)) {
		long n;
		target = malloc(SFS_LINK_MAX + 1);
		if (!target)
			return -ENOMEM;
		n = sfs_tree_readlink(r->k, srcdir, e->disk, target);
		if (n == -EIO) {
			problem(r, r->plain.buf, true,
				"symlink target fails authentication (or "
				"its .link side file is missing or damaged), not restored");
			return (int)n;
		}
		if (n < 0) {
			problem(r, r->plain.buf, false, "cannot read symlink: %s",
				strerror((int)-n));
			return (int)n;
		}
	}
	for (unsigned i = 0; i < TMP_TRIES; i++) {
		err = tmp_name(e->name, i, tmp);
		if (err)
			break;
		if (target)
			err = symlinkat(target, dfd, tmp) < 0 ? -errno : 0;
		else
			err = mknodat(dfd, tmp, e->st.st_mode & (S_IFMT | 07777), e->st.st_rdev) < 0
				  ? -errno
				  : 0;
		if (err != -EEXIST)
			break;
	}
	if (target)
		sfs_wipe(target, SFS_LINK_MAX + 1);
	if (err) {
		problem(r, r->plain.buf, false, "cannot create: %s", strerror(-err));
		return err;
	}
	err = apply_meta(r, -1, dfd, tmp, &e->st);
	if (err) {
		problem(r, r->plain.buf, false, "cannot set owner, mode or times: %s",
			strerror(-err));
		unlinkat(dfd, tmp, 0);
	}
	return err;
}

/* Another name of an inode already restored at REL (relative to DESTDIR). */
static void restore_link(struct restore *r, const char *rel, int dfd, const char *name)
{
	char tmp[NAME_MAX + 1];
	int err;

	if (!linkat(r->destfd, rel, dfd, name, 0))
		return;
	err = -errno;
	if (err == -EEXIST && r->force) {
		for (unsigned i = 0; i < TMP_TRIES; i++) {
			err = tmp_name(name, i, tmp);
			if (!err)
				err = linkat(r->destfd, rel, dfd, tmp, 0) < 0 ? -errno : 0;
			if (err != -EEXIST)
				break;
		}
		if (!err) {
			err = commit(dfd, tmp, name, true);
			/* Renaming a name onto another name of the same inode does nothing. */
			unlinkat(dfd, tmp, 0);
			if (!err)
				return;
		}
	}
	if (err == -EEXIST)
		problem(r, r->plain.buf, false, "exists in DESTDIR, not overwritten (use --force)");
	else
		problem(r, r->plain.buf, false, "cannot make hard link: %s", strerror(-err));
}

/* Restore a non-directory entry e of SRCDIR as DFD/e->name. */
static void restore_nondir(struct restore *r, int srcdir, const uint8_t diriv[SFS_DIRIV_LEN],
			   const struct sfs_walk_entry *e, int dfd)
{
	char tmp[NAME_MAX + 1];
	struct stat dst;
	bool multi = e->st.st_nlink > 1;
	const char *rel;
	int err;

	if (multi && sfs_walk_links_find(r->links, e->st.st_dev, e->st.st_ino, &rel)) {
		restore_link(r, rel, dfd, e->name);
		return;
	}
	if (!fstatat(dfd, e->name, &dst, AT_SYMLINK_NOFOLLOW)) {
		if (!r->force) {
			problem(r, r->plain.buf, false,
				"exists in DESTDIR, not overwritten (use --force)");
			return;
		}
		if (S_ISDIR(dst.st_mode)) {
			problem(r, r->plain.buf, false,
				"is a directory in DESTDIR, not replaced by a file");
			return;
		}
	} else if (errno != ENOENT) {
		problem(r, r->plain.buf, false, "cannot examine in DESTDIR: %s", strerror(errno));
		return;
	}
	if (S_ISREG(e->st.st_mode))
		err = restore_file(r, srcdir, diriv, e, dfd, tmp);
	else
		err = restore_special(r, srcdir, e, dfd, tmp);
	if (!err) {
		err = commit(dfd, tmp, e->name, r->force);
		if (err) {
			unlinkat(dfd, tmp, 0);
			if (err == -EEXIST)
				problem(r, r->plain.buf, false,
					"exists in DESTDIR, not overwritten (use --force)");
			else
				problem(r, r->plain.buf, false, "cannot rename into place: %s",
					strerror(-err));
		}
	}
	if (!err) {
		if (S_ISREG(e->st.st_mode))
			r->files++;
		else if (S_ISLNK(e->st.st_mode))
			r->symlinks++;
		else
			r->other++;
	}
	/* A failed name is not remembered: the next name of the inode tries again. */
	if (multi && !err) {
		int ar = sfs_walk_links_add(r->links, e->st.st_dev, e->st.st_ino, r->rel.buf);
		if (ar && ar != -EEXIST)
			problem(r, r->plain.buf, false, "cannot remember hard link: %s",
				strerror(-ar));
	}
}

/* Open (making it when absent) the directory DPARENT/NAME in DESTDIR. fd or -errno. */
static int dest_dir(struct restore *r, int dparent, const char *name, bool *ret_created)
{
	int fd;

	*ret_created = false;
	if (!mkdirat(dparent, name, 0700)) {
		*ret_created = true;
	} else if (errno != EEXIST) {
		return -errno;
	}
	fd = openat(dparent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0 && (errno == ENOTDIR || errno == ELOOP) && r->force) {
		if (unlinkat(dparent, name, 0) < 0 || mkdirat(dparent, name, 0700) < 0)
			return -errno;
		*ret_created = true;
		fd = openat(dparent, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	}
	if (fd < 0)
		return errno == ENOTDIR || errno == ELOOP ? -EEXIST : -errno;
	return fd;
}

static void restore_entry(struct restore *r, int srcdir, const uint8_t diriv[SFS_DIRIV_LEN],
			  const struct sfs_walk_entry *e, int dfd);

/* Restore every entry of the open ciphertext directory W into DFD. */
static void restore_children(struct restore *r, struct sfs_walk *w, int dfd)
{
	struct sfs_walk_entry e;
	uint8_t diriv[SFS_DIRIV_LEN];
	uint64_t lost = 0;
	int err, iverr = sfs_walk_diriv(w, diriv);

	while ((err = sfs_walk_next(w, &e)) > 0) {
		size_t plen = r->plain.len, rlen = r->rel.len, clen = r->cipher.len;

		if (sfs_walk_path_push(&r->cipher, e.disk, strlen(e.disk))) {
			problem(r, r->plain.buf, false, "path too long below here, not restored");
			continue;
		}
		switch (e.status) {
		case SFS_WALK_OK:
			if (sfs_walk_path_push(&r->plain, e.name, e.namelen) ||
			    sfs_walk_path_push(&r->rel, e.name, e.namelen))
				problem(r, r->cipher.buf, false,
					"plaintext path too long, not restored");
			else
				restore_entry(r, sfs_walk_fd(w), diriv, &e, dfd);
			break;
		case SFS_WALK_NO_DIRIV:
			lost++;
			break;
		case SFS_WALK_ORPHAN:
			break;
		case SFS_WALK_FOREIGN:
			log_warn("%s: %s, skipped", r->cipher.buf, sfs_walk_status_str(e.status));
			break;
		case SFS_WALK_ERROR:
			problem(r, r->cipher.buf, false, "cannot examine: %s", strerror(-e.err));
			break;
		default:
			problem(r, r->cipher.buf, true, "%s, not restored",
				sfs_walk_status_str(e.status));
			break;
		}
		sfs_walk_path_pop(&r->plain, plen);
		sfs_walk_path_pop(&r->rel, rlen);
		sfs_walk_path_pop(&r->cipher, clen);
	}
	if (err < 0)
		problem(r, r->plain.buf, false, "cannot read directory: %s", strerror(-err));
	if (iverr && lost)
		problem(r, r->plain.buf, true,
			"directory IV (%s) missing or damaged: %llu entries cannot be restored",
			SFS_DIRIV_NAME, (unsigned long long)lost);
}

/* Restore the directory SRCDIR/e->disk as DFD/e->name, contents first, then metadata. */
static void restore_dir(struct restore *r, int srcdir, const struct sfs_walk_entry *e, int dfd)
{
	struct sfs_walk *w = NULL;
	_cleanup_close_ int fd = -1;
	bool created;
	int err;

	err = sfs_walk_open(r->k, srcdir, e->disk, &w);
	if (err) {
		problem(r, r->plain.buf, false, "cannot open directory: %s", strerror(-err));
		return;
	}
	fd = dest_dir(r, dfd, e->name, &created);
	if (fd < 0) {
		if (fd == -EEXIST)
			problem(r, r->plain.buf, false,
				"exists in DESTDIR and is not a directory, "
				"not overwritten (use --force)");
		else
			problem(r, r->plain.buf, false, "cannot make directory: %s", strerror(-fd));
		sfs_walk_free(w);
		return;
	}
	r->dirs++;
	restore_children(r, w, fd);
	restore_xattrs(r, sfs_walk_fd(w), fd);
	err = apply_meta(r, fd, -1, NULL, &e->st);
	if (err)
		problem(r, r->plain.buf, false, "cannot set owner, mode or times: %s",
			strerror(-err));
	sfs_walk_free(w);
}

static void restore_entry(struct restore *r, int srcdir, const uint8_t diriv[SFS_DIRIV_LEN],
			  const struct sfs_walk_entry *e, int dfd)
{
	if (S_ISDIR(e->st.st_mode))
		restore_dir(r, srcdir, e, dfd);
	else
		restore_nondir(r, srcdir, diriv, e, dfd);
}

/* Remember the directory at r->rel, just made, with the metadata ST. */
static int add_fixup(struct restore *r, const struct stat *st)
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

/*
 * Restore the plaintext path PATH (normalized: "a/b", no empty components)
 * from ROOTFD, making the directories on the way in DESTDIR.
 */
static void restore_path(struct restore *r, int rootfd, const char *path)
{
	_cleanup_close_ int sdir = sfs_walk_openat(rootfd, ".", O_DIRECTORY);
	_cleanup_close_ int ddir = -1;
	struct sfs_walk_entry e = {.status = SFS_WALK_OK};
	char disk[SFS_ENC_NAME_MAX + 1];
	uint8_t diriv[SFS_DIRIV_LEN];
	const char *p = path;
	int err;

	sfs_walk_path_pop(&r->plain, 1);
	sfs_walk_path_pop(&r->rel, 0);
	ddir = openat(r->destfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (sdir < 0 || ddir < 0) {
		problem(r, path, false, "cannot open: %s", strerror(sdir < 0 ? -sdir : errno));
		return;
	}
	for (;;) {
		const char *slash = strchr(p, '/');
		size_t n = slash ? (size_t)(slash - p) : strlen(p);
		bool created;
		int fd;

		err = sfs_diriv_read(sdir, diriv);
		if (err) {
			problem(r, r->plain.buf, err == -ENOENT || err == -EIO,
				"directory IV (%s) %s: cannot look up '%.*s'", SFS_DIRIV_NAME,
				err == -ENOENT ? "missing"
				: err == -EIO  ? "damaged"
					       : strerror(-err),
				(int)n, p);
			return;
		}
		if (n > SFS_NAME_MAX || sfs_walk_path_push(&r->plain, p, n) ||
		    sfs_walk_path_push(&r->rel, p, n)) {
			problem(r, path, false, "path too long");
			return;
		}
		err = sfs_walk_lookup(r->k, sdir, diriv, p, n, disk, &e.st);
		if (err) {
			problem(r, r->plain.buf, false, "cannot find in the volume: %s",
				strerror(-err));
			return;
		}
		memcpy(e.name, p, n);
		e.name[n] = '\0';
		e.namelen = n;
		e.disk = disk;
		if (!slash) {
			restore_entry(r, sdir, diriv, &e, ddir);
			return;
		}
		if (!S_ISDIR(e.st.st_mode)) {
			problem(r, r->plain.buf, false, "not a directory in the volume");
			return;
		}
		fd = sfs_walk_openat(sdir, disk, O_DIRECTORY);
		if (fd < 0) {
			problem(r, r->plain.buf, false, "cannot open directory: %s", strerror(-fd));
			return;
		}
		close(sdir);
		sdir = fd;
		fd = dest_dir(r, ddir, e.name, &created);
		if (fd < 0) {
			problem(r, r->plain.buf, false, "cannot make directory in DESTDIR: %s",
				fd == -EEXIST ? "exists and is not a directory" : strerror(-fd));
			return;
		}
		close(ddir);
		ddir = fd;
		if (created && add_fixup(r, &e.st)) {
			problem(r, r->plain.buf, false, "out of memory");
			return;
		}
		p = slash + 1;
	}
}

/* Normalize a PATH argument in place: no leading, trailing or doubled '/'. */
static int normalize(char *s)
{
	char *o = s;

	for (char *p = s; *p;) {
		char *q;
		size_t n;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		q = strchrnul(p, '/');
		n = (size_t)(q - p);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		if (o != s)
			*o++ = '/';
		memmove(o, p, n);
		o += n;
		p = q;
	}
	*o = '\0';
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* true when PATH is CHOSEN or below it. */
static bool covered(const char *chosen, const char *path)
{
	size_t n = strlen(chosen);

	return n == 0 || (!strncmp(chosen, path, n) && (path[n] == '\0' || path[n] == '/'));
}

/* Deep trees need one fd per level (two while restoring): allow the hard limit. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* Load the config and keys of DIR; exit code, *ret_keys the caller's. */
static int open_volume(const char *dir, const struct pw_opts *pw, const char *mkfile,
		       struct sfs_keys **ret_keys, int *ret_rootfd)
{
	uint8_t master[SFS_MASTER_KEY_LEN];
	struct sfs_config conf;
	bool no_config;
	int r, fd;

	r = unlock_load_config(dir, mkfile, &conf, &no_config);
	if (r)
		return r;
	fd = io_open_dir(dir);
	if (fd < 0) {
		log_error("cannot open '%s': %s", dir, strerror(-fd));
		return EXIT_FAIL;
	}
	r = unlock_master(dir, &conf, no_config, pw, mkfile, master);
	if (r) {
		close(fd);
		return r;
	}
	r = sfs_keys_new(master, ret_keys);
	sfs_wipe(master, sizeof(master));
	if (r) {
		close(fd);
		log_error("cannot derive keys: %s", strerror(-r));
		return EXIT_FAIL;
	}
	*ret_rootfd = fd;
	return 0;
}

static void decrypt_help(void)
{
	printf("usage: sealfs decrypt [password options] [--masterkey FILE] [--force] [-q]\n"
	       "                      CIPHERDIR DESTDIR [PATH...]\n\n"
	       "Restore the volume in CIPHERDIR offline (no FUSE) into DESTDIR, which is made\n"
	       "when absent: the whole tree, or only the given plaintext PATHs (files or\n"
	       "directories, relative to the volume root, leading '/' optional). Modes,\n"
	       "times, symlinks, hard links, FIFOs, device nodes and user extended attributes\n"
	       "are restored, ownership too when run as root. Every object is written under a\n"
	       "temporary name and renamed into place: a damaged file is reported and leaves\n"
	       "nothing behind, and the rest is restored. An existing file in DESTDIR is never\n"
	       "replaced without --force: it is reported and skipped.\n\n"
	       "  -f, --force          replace existing files in DESTDIR\n"
	       "  -q, --quiet          no summary line\n"
	       "      --masterkey FILE take the master key from FILE ('-' for stdin)\n\n" PW_HELP
	       "\nexit codes: 0 all restored, 1 something not restored (exists, I/O error),\n"
	       "  3 wrong password, 4 config missing or corrupt, 7 damage found\n");
}

int cmd_decrypt(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"force", no_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"masterkey", required_argument, NULL, 'M'},
	    PW_LONG_OPTIONS,
	    {0},
	};
	struct restore r = {.destfd = -1};
	struct pw_opts pw = {0};
	struct sfs_keys *keys = NULL;
	_cleanup_close_ int rootfd = -1;
	_cleanup_free_ char **paths = NULL;
	const char *mkfile = NULL, *dir, *dest;
	size_t npaths = 0;
	bool created = false, whole = false;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "+hfqS", longopts, NULL)) != -1) {
		if (pw_opt(&pw, opt, optarg))
			continue;
		switch (opt) {
		case 'M':
			mkfile = optarg;
			continue;
		case 'f':
			r.force = true;
			continue;
		case 'q':
			r.quiet = true;
			continue;
		case 'h':
			decrypt_help();
			return EXIT_OK;
		}
		return usage_error("decrypt ", "unknown option or missing argument: '%s'",
				   argv[optind - 1]);
	}
	if (argc - optind < 2)
		return usage_error("decrypt ", "expected CIPHERDIR DESTDIR [PATH...]");
	if (argc - optind - 2 > MAX_PATHS)
		return usage_error("decrypt ", "too many PATHs (at most %d)", MAX_PATHS);
	dir = argv[optind];
	dest = argv[optind + 1];
	paths = calloc((size_t)(argc - optind - 2) + 1, sizeof(*paths));
	if (!paths)
		return EXIT_FAIL;
	for (int i = optind + 2; i < argc; i++) {
		if (strnlen(argv[i], PATH_MAX) >= PATH_MAX || normalize(argv[i]))
			return usage_error("decrypt ",
					   "bad PATH '%s' (no '.' or '..', at most %d "
					   "bytes)",
					   argv[i], PATH_MAX - 1);
		paths[npaths++] = argv[i];
	}
	whole = npaths == 0;
	/* Sorted, a path below another chosen one comes after it and is dropped. */
	qsort(paths, npaths, sizeof(*paths), cmp_str);
	{
		size_t kept = 0;
		for (size_t i = 0; i < npaths; i++) {
			bool dup = false;
			for (size_t j = 0; j < kept && !dup; j++)
				dup = covered(paths[j], paths[i]);
			if (!dup)
				paths[kept++] = paths[i];
		}
		npaths = kept;
		if (npaths && !paths[0][0])
			whole = true;
	}

	ret = open_volume(dir, &pw, mkfile, &keys, &rootfd);
	if (ret)
		return ret;
	if (mkdir(dest, 0700) == 0)
		created = true;
	else if (errno != EEXIST) {
		log_error("cannot make '%s': %s", dest, strerror(errno));
		ret = EXIT_FAIL;
		goto out;
	}
	r.destfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r.destfd < 0) {
		log_error("cannot open '%s': %s", dest, strerror(errno));
		ret = EXIT_FAIL;
		goto out;
	}
	raise_nofile();
	r.k = keys;
	r.owners = geteuid() == 0;
	r.links = sfs_walk_links_new();
	r.buf = malloc(CHUNK);
	if (!r.links || !r.buf || sfs_walk_path_init(&r.plain, "/", PATH_MAX - 1) ||
	    sfs_walk_path_init(&r.rel, "", PATH_MAX - 1) ||
	    sfs_walk_path_init(&r.cipher, dir, CIPHER_PATH_MAX)) {
		log_error("out of memory");
		ret = EXIT_FAIL;
		goto out;
	}
	if (whole) {
		struct sfs_walk *w = NULL;
		int err = sfs_walk_open(keys, rootfd, ".", &w);
		if (err) {
			log_error("cannot open '%s': %s", dir, strerror(-err));
			ret = EXIT_FAIL;
			goto out;
		}
		r.dirs++;
		if (!r.quiet)
			r.prog = sfs_progress_new("restored", rootfd);
		restore_children(&r, w, r.destfd);
		sfs_progress_free(r.prog);
		r.prog = NULL;
		if (created) {
			struct stat st;
			int e2 = fstat(sfs_walk_fd(w), &st) < 0 ? -errno : 0;
			restore_xattrs(&r, sfs_walk_fd(w), r.destfd);
			if (!e2)
				e2 = apply_meta(&r, r.destfd, -1, NULL, &st);
			if (e2)
				problem(&r, "/", false, "cannot set owner, mode or times: %s",
					strerror(-e2));
		}
		sfs_walk_free(w);
	} else {
		for (size_t i = 0; i < npaths; i++)
			restore_path(&r, rootfd, paths[i]);
		/* Directories made on the way get their metadata after all writes. */
		for (size_t i = r.nfix; i-- > 0;) {
			_cleanup_close_ int fd =
			    openat(r.destfd, r.fix[i].rel,
				   O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			int err = fd < 0 ? -errno : apply_meta(&r, fd, -1, NULL, &r.fix[i].st);
			if (err)
				problem(&r, r.fix[i].rel, false,
					"cannot set owner, mode or times: %s", strerror(-err));
		}
	}
	if (syncfs(r.destfd) < 0)
		problem(&r, dest, false, "cannot sync: %s", strerror(errno));
	if (!r.quiet)
		printf("%llu %s, %llu %s, %llu %s, %llu other restored (%llu %s); %llu %s\n",
		       (unsigned long long)r.dirs, PLURAL(r.dirs, "directory", "directories"),
		       (unsigned long long)r.files, PLURAL(r.files, "file", "files"),
		       (unsigned long long)r.symlinks, PLURAL(r.symlinks, "symlink", "symlinks"),
		       (unsigned long long)r.other, (unsigned long long)r.bytes,
		       PLURAL(r.bytes, "byte", "bytes"), (unsigned long long)(r.damage + r.errors),
		       PLURAL(r.damage + r.errors, "problem", "problems"));
	ret = r.damage ? EXIT_DAMAGE : r.errors ? EXIT_FAIL : EXIT_OK;
out:
	for (size_t i = 0; i < r.nfix; i++)
		free(r.fix[i].rel);
	free(r.fix);
	if (r.destfd >= 0)
		close(r.destfd);
	free(r.buf);
	sfs_walk_links_free(r.links);
	sfs_walk_path_release(&r.plain);
	sfs_walk_path_release(&r.rel);
	sfs_walk_path_release(&r.cipher);
	sfs_keys_free(keys);
	return ret;
}

int cmd_cat(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"masterkey", required_argument, NULL, 'M'},
	    PW_LONG_OPTIONS,
	    {0},
	};
	struct pw_opts pw = {0};
	struct sfs_keys *keys = NULL;
	struct sfs_walk_loc loc = {.dirfd = -1};
	struct sfs_binding b;
	struct sfs_file f;
	_cleanup_close_ int rootfd = -1, fd = -1;
	_cleanup_free_ uint8_t *buf = NULL;
	const char *mkfile = NULL, *dir, *path;
	char p[4096];
	uint64_t off = 0;
	int opt, ret, err;

	while ((opt = getopt_long(argc, argv, "+hS", longopts, NULL)) != -1) {
		if (pw_opt(&pw, opt, optarg))
			continue;
		if (opt == 'M') {
			mkfile = optarg;
			continue;
		}
		if (opt == 'h') {
			printf(
			    "usage: sealfs cat [password options] [--masterkey FILE] CIPHERDIR "
			    "PATH\n\n"
			    "Decrypt the file PATH (relative to the volume root, leading '/'\n"
			    "optional) of the volume in CIPHERDIR to standard output, offline (no\n"
			    "FUSE). A block that fails authentication stops it with a message and\n"
			    "exit code 7; what was written before is good data.\n\n"
			    "      --masterkey FILE take the master key from FILE ('-' for "
			    "stdin)\n\n" PW_HELP);
			return EXIT_OK;
		}
		return usage_error("cat ", "unknown option or missing argument: '%s'",
				   argv[optind - 1]);
	}
	if (argc - optind != 2)
		return usage_error("cat ", "expected CIPHERDIR PATH");
	dir = argv[optind];
	path = argv[optind + 1];
	esc(path, p, sizeof(p));
	buf = malloc(CHUNK);
	if (!buf)
		return EXIT_FAIL;
	ret = open_volume(dir, &pw, mkfile, &keys, &rootfd);
	if (ret)
		return ret;
	err = sfs_walk_resolve(keys, rootfd, path, &loc);
	if (err) {
		if (err == -EIO)
			log_error("%s: a directory IV on the way is missing or damaged", p);
		else
			log_error("%s: %s", p, err == -EINVAL ? "not a file path" : strerror(-err));
		sfs_keys_free(keys);
		return err == -EIO ? EXIT_DAMAGE : EXIT_FAIL;
	}
	ret = EXIT_OK;
	if (!S_ISREG(loc.st.st_mode)) {
		log_error("%s: not a regular file", p);
		ret = EXIT_FAIL;
		goto out;
	}
	fd = sfs_walk_openat(loc.dirfd, loc.disk, 0);
	if (fd < 0) {
		log_error("%s: cannot open: %s", p, strerror(-fd));
		ret = EXIT_FAIL;
		goto out;
	}
	memcpy(b.diriv, loc.diriv, SFS_DIRIV_LEN);
	b.name = loc.name;
	b.namelen = loc.namelen;
	err = sfs_file_open(&f, &sfs_fd_backend, SFS_FD_HANDLE(fd), keys, &b);
	if (err) {
		if (err == -EIO && f.why)
			log_error("%s: %s", p, f.why);
		else
			log_error("%s: cannot read: %s", p, strerror(-err));
		ret = err == -EIO ? EXIT_DAMAGE : EXIT_FAIL;
		sfs_file_release(&f);
		goto out;
	}
	while (off < f.size) {
		ssize_t n = sfs_file_read(&f, buf, CHUNK, off);
		if (n == -EIO && f.bad_block > off / SFS_BLOCK &&
		    f.bad_block - off / SFS_BLOCK < CHUNK / SFS_BLOCK) {
			/* Give the good blocks before the bad one, then stop at it. */
			uint64_t bad = f.bad_block;
			const char *why = f.why;
			n = sfs_file_read(&f, buf, (size_t)(bad * SFS_BLOCK - off), off);
			if (n >= 0)
				n = io_write_full(STDOUT_FILENO, buf, (size_t)n);
			sfs_wipe(buf, CHUNK);
			f.bad_block = bad;
			f.why = why;
			n = -EIO;
		}
		if (n <= 0) {
			if (n == -EIO) {
				char msg[256];
				log_error("%s: %s", p,
					  block_msg(f.bad_block, f.why, msg, sizeof(msg)));
				ret = EXIT_DAMAGE;
			} else {
				log_error("%s: cannot read: %s", p, strerror(n ? (int)-n : EIO));
				ret = EXIT_FAIL;
			}
			break;
		}
		err = io_write_full(STDOUT_FILENO, buf, (size_t)n);
		sfs_wipe(buf, (size_t)n);
		if (err) {
			log_error("cannot write to standard output: %s", strerror(-err));
			ret = EXIT_FAIL;
			break;
		}
		off += (uint64_t)n;
	}
	sfs_file_release(&f);
out:
	if (loc.dirfd >= 0)
		close(loc.dirfd);
	sfs_keys_free(keys);
	return ret;
}
