/*
 * rops.c - reverse mode on libfuse's low-level API: a read-only,
 * deterministic, encrypted view of a plaintext tree (sealfs FUSE layer).
 *
 * Each view name is turned back into a plaintext name within its parent
 * directory's descriptor: encrypted names are decrypted with the directory's
 * derived IV, long-name stand-ins are found by encrypting the directory's
 * names. The view also shows, as virtual read-only files, the volume config
 * at the root, every directory's sealfs.diriv and the side files of long
 * names and long symlink targets, so that a copy of the view is a complete
 * forward-mode volume. Contents are encrypted on the fly with derived file
 * IDs and synthetic nonces (core/reverse.h), in rops-file.c.
 *
 * The tree is live: others change it while a backup reads it. So the kernel
 * caches neither entries nor attributes (timeouts 0, no readdirplus): a
 * reader that starts after a change sees it. What is cheap per request makes
 * that affordable: an inode's descriptor answers stat without a path walk.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "crypto.h"
#include "meta.h"
#include "names.h"
#include "reverse.h"
#include "fs-internal.h"
#include "banned.h"

/* Plaintext path of NAME in DIR ("" = root), malloc'd. */
static char *pjoin(const char *dir, const char *name)
{
	size_t a = strlen(dir), b = strlen(name);
	char *out = malloc(a + b + 2);

	if (!out)
		return NULL;
	if (a) {
		memcpy(out, dir, a);
		out[a] = '/';
		memcpy(out + a + 1, name, b + 1);
	} else {
		memcpy(out, name, b + 1);
	}
	return out;
}

static bool excluded(struct sfs_fs *fs, const char *ppath)
{
	const char *base = strrchr(ppath, '/');

	if (!*ppath)
		return false;
	if (!strcmp(ppath, SFS_REVERSE_CONFIG_NAME))
		return true;
	base = base ? base + 1 : ppath;
	for (const char *const *e = fs->opts.excludes; e && *e; e++) {
		const char *pat = *e;
		if (pat[0] == '/') {
			if (!fnmatch(pat + 1, ppath, FNM_PATHNAME))
				return true;
		} else if (strchr(pat, '/')) {
			if (!fnmatch(pat, ppath, FNM_PATHNAME))
				return true;
		} else if (!fnmatch(pat, base, 0)) {
			return true;
		}
	}
	return false;
}

/* The derived IV of directory D (from its path: never cached, the tree moves). */
int rev_dir_iv(struct sfs_fs *fs, struct inode *d, uint8_t iv[SFS_DIRIV_LEN], char **path)
{
	char *p;
	int r;

	if (d->kind != I_REAL || d->type != S_IFDIR)
		return -ENOTDIR;
	p = inode_path(fs, d);
	if (!p)
		return -ENOMEM;
	r = d == &fs->root ? (memcpy(iv, fs->rootiv, SFS_DIRIV_LEN), 0) : sfs_rev_diriv(fs->keys, p, iv);
	if (r || !path)
		free(p);
	else
		*path = p;
	return r;
}

static int enc_name(struct sfs_fs *fs, const uint8_t iv[SFS_DIRIV_LEN], const char *name,
		    char *enc, char *disk, bool *islong)
{
	return sfs_name_encrypt(fs->keys, iv, name, strlen(name), enc, disk, islong);
}

/* Find the entry of directory fd DFD whose long-name stand-in is STANDIN. */
static int find_longname(struct sfs_fs *fs, int dfd, const uint8_t iv[SFS_DIRIV_LEN],
			 const char *standin, char out[SFS_NAME_MAX + 1])
{
	char enc[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1];
	struct dirent *de;
	bool islong;
	int fd, r = -ENOENT;
	DIR *d;

	fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		if (!sfs_name_is_long(strlen(de->d_name)))
			continue; /* short names never need a stand-in */
		if (enc_name(fs, iv, de->d_name, enc, disk, &islong) || !islong)
			continue;
		if (!strcmp(disk, standin)) {
			snprintf(out, SFS_NAME_MAX + 1, "%s", de->d_name);
			r = 0;
			break;
		}
	}
	closedir(d);
	return r;
}

/* Plaintext name of view name VIEW in directory fd DFD, or -ENOENT. */
static int plain_name(struct sfs_fs *fs, int dfd, const uint8_t iv[SFS_DIRIV_LEN],
		      const char *view, char out[SFS_NAME_MAX + 1])
{
	size_t len;

	switch (sfs_dirent_classify(view)) {
	case SFS_DIRENT_NAME:
		return sfs_name_decrypt(fs->keys, iv, view, strlen(view), out, &len) ? -ENOENT : 0;
	case SFS_DIRENT_LONGNAME:
		return find_longname(fs, dfd, iv, view, out);
	default:
		return -ENOENT;
	}
}

static bool has_suffix(const char *s, const char *suf, size_t *stem)
{
	size_t l = strlen(s), k = strlen(suf);

	if (l <= k || strcmp(s + l - k, suf))
		return false;
	*stem = l - k;
	return true;
}

/* The encoded target of plaintext symlink NAME in DFD whose path is PATH. */
static long link_enc(struct sfs_fs *fs, int dfd, const char *name, const char *path, char *enc)
{
	char target[SFS_LINK_MAX + 2];
	uint8_t nonce[16];
	ssize_t n;
	int r;

	n = readlinkat(dfd, name, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	if (n == 0 || n > SFS_LINK_MAX)
		return -ENAMETOOLONG;
	target[n] = '\0';
	r = sfs_rev_link_nonce(fs->keys, path, nonce);
	if (r)
		return r;
	return sfs_link_encrypt(fs->keys, target, (size_t)n, nonce, enc);
}

/* The encoded target of the symlink inode IN (its own descriptor). */
static long inode_link_enc(struct sfs_fs *fs, struct inode *in, char *enc)
{
	_cleanup_free_ char *path = inode_path(fs, in);

	if (!path)
		return -ENOMEM;
	return link_enc(fs, in->fd, "", path, enc);
}

/* The content of virtual inode IN into *ret (malloc'd). */
int rev_virt_content(struct sfs_fs *fs, struct inode *in, char **ret, size_t *ret_len)
{
	_cleanup_free_ char *buf = malloc(SFS_ENC_LINK_MAX + 2);
	char disk[SFS_ENC_NAME_MAX + 1];
	uint8_t iv[SFS_DIRIV_LEN];
	struct inode *dir = in->parent;
	bool islong;
	long n;
	int r;

	if (!buf || !dir)
		return buf ? -EIO : -ENOMEM;
	switch (in->kind) {
	case I_CONF:
		free(buf);
		buf = malloc(fs->rev_conf_len + 1);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, fs->rev_conf, fs->rev_conf_len);
		*ret_len = fs->rev_conf_len;
		break;
	case I_DIRIV:
		r = rev_dir_iv(fs, dir, iv, NULL);
		if (r)
			return r;
		memcpy(buf, iv, SFS_DIRIV_LEN);
		*ret_len = SFS_DIRIV_LEN;
		break;
	case I_NAMESIDE:
		r = rev_dir_iv(fs, dir, iv, NULL);
		if (!r)
			r = enc_name(fs, iv, in->name, buf, disk, &islong);
		if (r)
			return r;
		*ret_len = strlen(buf);
		break;
	case I_LINKSIDE: {
		_cleanup_free_ char *dp = inode_path(fs, dir), *path = NULL;
		if (!dp || !(path = pjoin(dp, in->name)))
			return -ENOMEM;
		n = link_enc(fs, dir->fd, in->name, path, buf);
		if (n < 0 || n <= SFS_LINK_DIRECT_MAX)
			return n < 0 ? (int)n : -ENOENT;
		*ret_len = (size_t)n;
		break;
	}
	default:
		return -EINVAL;
	}
	*ret = TAKE_PTR(buf);
	return 0;
}

/* The view's attributes of IN. */
static int rstat(struct sfs_fs *fs, struct inode *in, struct stat *st)
{
	if (in->kind == I_REAL) {
		if (fstatat(in->fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (S_ISREG(st->st_mode)) {
			st->st_size = (off_t)sfs_cipher_size((uint64_t)st->st_size);
			st->st_blocks = (st->st_size + 511) / 512;
		} else if (S_ISLNK(st->st_mode)) {
			_cleanup_free_ char *enc = malloc(SFS_ENC_LINK_MAX + 1);
			long n = enc ? inode_link_enc(fs, in, enc) : -ENOMEM;
			if (n < 0)
				return (int)n;
			st->st_size = n > SFS_LINK_DIRECT_MAX ? (off_t)strlen(SFS_LONGLINK_TARGET) : n;
		}
		return 0;
	}
	/* Virtual files take the times of their directory (the config its own). */
	{
		_cleanup_free_ char *content = NULL;
		size_t len = 0;
		int r = rev_virt_content(fs, in, &content, &len);

		if (r)
			return r;
		if (in->kind == I_CONF) {
			if (fstatat(fs->rootfd, SFS_REVERSE_CONFIG_NAME, st, AT_SYMLINK_NOFOLLOW) < 0)
				return -errno;
		} else if (fstatat(in->parent->fd, "", st, AT_EMPTY_PATH) < 0) {
			return -errno;
		}
		/* the config is the owner's alone, as forward mode writes it */
		st->st_mode = S_IFREG | (in->kind == I_CONF ? 0400 : 0444);
		st->st_nlink = 1;
		st->st_size = (off_t)len;
		st->st_blocks = (st->st_size + 511) / 512;
		st->st_ino = in->ino ^ ((uint64_t)in->kind << 60);
	}
	return 0;
}

static int reply_inode(struct sfs_fs *fs, struct inode *in, struct fuse_entry_param *e)
{
	int r = rstat(fs, in, &e->attr);

	if (r) {
		inode_forget(fs, in, 1);
		return r;
	}
	e->ino = (fuse_ino_t)(uintptr_t)in;
	e->attr_timeout = 0;
	/* A file's name is looked up again at every open or stat, so a file
	   replaced under its name shows at once. A directory's stays cached
	   for a second: otherwise every stat walks the whole path again. */
	e->entry_timeout = S_ISDIR(e->attr.st_mode) ? 1.0 : 0;
	return 0;
}

/* A virtual inode of KIND for DIR (NAME: the long entry its side file serves). */
static int virt_inode(struct sfs_fs *fs, struct inode *dir, enum ikind kind, const char *name,
		      struct fuse_entry_param *e)
{
	struct stat key = {0};
	struct inode *in;
	int r;

	if (fstatat(dir->fd, name ? name : "", &key, name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH) < 0)
		return -errno;
	r = inode_get(fs, -1, &key, kind, dir, name ? name : "", name ? strlen(name) : 0, NULL, &in);
	if (r)
		return r;
	return reply_inode(fs, in, e);
}

static int rlookup(struct sfs_fs *fs, struct inode *dir, const char *view,
		   struct fuse_entry_param *e)
{
	char pname[SFS_NAME_MAX + 1], comp[SFS_ENC_NAME_MAX + 8];
	_cleanup_free_ char *dpath = NULL, *child = NULL;
	uint8_t iv[SFS_DIRIV_LEN];
	struct inode *in;
	struct stat st;
	size_t stem;
	int r, fd;

	memset(e, 0, sizeof(*e));
	r = rev_dir_iv(fs, dir, iv, &dpath);
	if (r)
		return r;
	if (!strcmp(view, SFS_DIRIV_NAME))
		return virt_inode(fs, dir, I_DIRIV, NULL, e);
	if (dir == &fs->root && !strcmp(view, SFS_CONFIG_NAME))
		return virt_inode(fs, dir, I_CONF, NULL, e);
	if (strlen(view) >= sizeof(comp))
		return -ENOENT;
	snprintf(comp, sizeof(comp), "%s", view);
	if (has_suffix(comp, SFS_NAME_SUFFIX, &stem) || has_suffix(comp, SFS_LINK_SUFFIX, &stem)) {
		bool is_link = !strcmp(comp + stem, SFS_LINK_SUFFIX);
		comp[stem] = '\0';
		if (!is_link && sfs_dirent_classify(comp) != SFS_DIRENT_LONGNAME)
			return -ENOENT;
		r = plain_name(fs, dir->fd, iv, comp, pname);
		if (r)
			return r;
		child = pjoin(dpath, pname);
		if (!child)
			return -ENOMEM;
		if (excluded(fs, child))
			return -ENOENT;
		if (is_link) {
			_cleanup_free_ char *enc = malloc(SFS_ENC_LINK_MAX + 1);
			long n = enc ? link_enc(fs, dir->fd, pname, child, enc) : -ENOMEM;
			if (n < 0)
				return n == -EINVAL ? -ENOENT : (int)n;
			if (n <= SFS_LINK_DIRECT_MAX)
				return -ENOENT;
		}
		return virt_inode(fs, dir, is_link ? I_LINKSIDE : I_NAMESIDE, pname, e);
	}
	r = plain_name(fs, dir->fd, iv, view, pname);
	if (r)
		return r;
	child = pjoin(dpath, pname);
	if (!child)
		return -ENOMEM;
	if (excluded(fs, child))
		return -ENOENT;
	fd = openat(dir->fd, pname, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	fd = dir_fd(fd, &st);
	r = inode_get(fs, fd, &st, I_REAL, dir, pname, strlen(pname), NULL, &in);
	if (r)
		return r;
	return reply_inode(fs, in, e);
}

static void r_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct sfs_fs *fs = fs_of(req);
	struct fuse_entry_param e;
	int r;

	fs_touch(fs);
	r = rlookup(fs, inode_of(fs, parent), name, &e);
	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

static void r_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct stat st;
	int r;

	fs_touch(fs);
	r = rstat(fs, inode_of(fs, ino), &st);
	if (r)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, 0);
}

static void r_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	_cleanup_free_ char *enc = malloc(SFS_ENC_LINK_MAX + 1);
	long n;

	fs_touch(fs);
	if (in->kind != I_REAL || in->type != S_IFLNK) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	n = enc ? inode_link_enc(fs, in, enc) : -ENOMEM;
	if (n < 0) {
		fuse_reply_err(req, (int)-n);
		return;
	}
	if (n > SFS_LINK_DIRECT_MAX)
		snprintf(enc, SFS_ENC_LINK_MAX + 1, "%s", SFS_LONGLINK_TARGET);
	else
		enc[n] = '\0';
	fuse_reply_readlink(req, enc);
}

/* A directory listing, made whole at opendir. */
struct rdir {
	struct handle h; /* first */
	size_t n, cap;
	struct rent {
		char *name;
		ino_t ino;
		unsigned char type;
	} *ents;
};

static int rdir_add(struct rdir *d, const char *name, ino_t ino, unsigned char type)
{
	if (d->n == d->cap) {
		size_t cap = d->cap ? 2 * d->cap : 64;
		struct rent *e = realloc(d->ents, cap * sizeof(*e));
		if (!e)
			return -ENOMEM;
		d->ents = e;
		d->cap = cap;
	}
	d->ents[d->n].name = strdup(name);
	if (!d->ents[d->n].name)
		return -ENOMEM;
	d->ents[d->n].ino = ino;
	d->ents[d->n].type = type;
	d->n++;
	return 0;
}

static void rdir_free(struct rdir *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->ents[i].name);
	free(d->ents);
	free(d);
}

static void rdir_handle_free(struct handle *h)
{
	rdir_free((struct rdir *)h);
}

static int rdir_fill(struct sfs_fs *fs, struct inode *in, struct rdir *out)
{
	_cleanup_free_ char *lenc = malloc(SFS_ENC_LINK_MAX + 1), *dpath = NULL;
	char enc[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1], side[SFS_ENC_NAME_MAX + 8];
	uint8_t iv[SFS_DIRIV_LEN];
	struct dirent *de;
	DIR *d;
	int fd, r;

	if (!lenc)
		return -ENOMEM;
	r = rev_dir_iv(fs, in, iv, &dpath);
	if (r)
		return r;
	fd = openat(in->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	r = rdir_add(out, ".", in->ino, DT_DIR);
	if (!r)
		r = rdir_add(out, "..", 0, DT_DIR);
	if (!r)
		r = rdir_add(out, SFS_DIRIV_NAME, in->ino ^ ((uint64_t)I_DIRIV << 60), DT_REG);
	if (!r && in == &fs->root)
		r = rdir_add(out, SFS_CONFIG_NAME, in->ino ^ ((uint64_t)I_CONF << 60), DT_REG);
	while (!r && (de = readdir(d))) {
		_cleanup_free_ char *child = NULL;
		bool islong;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		child = pjoin(dpath, de->d_name);
		if (!child) {
			r = -ENOMEM;
			break;
		}
		if (excluded(fs, child) || enc_name(fs, iv, de->d_name, enc, disk, &islong))
			continue;
		r = rdir_add(out, disk, de->d_ino, de->d_type);
		if (!r && islong) {
			snprintf(side, sizeof(side), "%s%s", disk, SFS_NAME_SUFFIX);
			r = rdir_add(out, side, de->d_ino ^ ((uint64_t)I_NAMESIDE << 60), DT_REG);
		}
		if (!r && de->d_type == DT_LNK &&
		    link_enc(fs, fd, de->d_name, child, lenc) > SFS_LINK_DIRECT_MAX) {
			snprintf(side, sizeof(side), "%s%s", disk, SFS_LINK_SUFFIX);
			r = rdir_add(out, side, de->d_ino ^ ((uint64_t)I_LINKSIDE << 60), DT_REG);
		}
	}
	closedir(d);
	return r;
}

static void r_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct rdir *d = calloc(1, sizeof(*d));
	int r;

	fs_touch(fs);
	if (!d) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	r = rdir_fill(fs, inode_of(fs, ino), d);
	if (r) {
		rdir_free(d);
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)d;
	handle_open(fs, &d->h, rdir_handle_free);
	if (fuse_reply_open(req, fi) == -ENOENT)
		handle_close(fs, &d->h);
}

static void r_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		      struct fuse_file_info *fi)
{
	struct rdir *d = (struct rdir *)(uintptr_t)fi->fh;
	_cleanup_free_ char *buf = malloc(size);
	size_t used = 0;

	fs_touch(fs_of(req));
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t i = (size_t)off; i < d->n; i++) {
		struct stat st = {.st_ino = d->ents[i].ino, .st_mode = (mode_t)DTTOIF(d->ents[i].type)};
		size_t n = fuse_add_direntry(req, buf + used, size - used, d->ents[i].name, &st,
					     (off_t)(i + 1));
		if (n > size - used)
			break;
		used += n;
	}
	fuse_reply_buf(req, buf, used);
}

static void r_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fs_touch(fs_of(req)); /* before the handle stops counting (--idle) */
	handle_close(fs_of(req), &((struct rdir *)(uintptr_t)fi->fh)->h);
	fuse_reply_err(req, 0);
}

static void r_init(void *userdata, struct fuse_conn_info *conn)
{
	conn->want &= ~(unsigned)(FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO);
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	conn->max_readahead = 1 << 20;
}

const struct fuse_lowlevel_ops sfs_rev_ops = {
	.init = r_init,
	.lookup = r_lookup,
	.forget = fs_forget,
	.forget_multi = fs_forget_multi,
	.getattr = r_getattr,
	.readlink = r_readlink,
	.opendir = r_opendir,
	.readdir = r_readdir,
	.releasedir = r_releasedir,
	.open = rev_open,
	.read = rev_read,
	.release = rev_release,
	.statfs = fs_statfs,
};
