/*
 * rfs.c - libfuse3 operations for reverse mode: a read-only, deterministic,
 * encrypted view of a plaintext tree (sealfs FUSE layer).
 *
 * A view path is translated back component by component: each encrypted name
 * is decrypted with its directory's derived IV (long-name stand-ins are found
 * by encrypting the directory's names). The view also shows, as virtual read-
 * only files, the volume config at the root, every directory's sealfs.diriv
 * and the side files of long names and long symlink targets, so that a copy
 * of the view is a complete forward-mode volume. Contents are encrypted on
 * the fly with derived file IDs and synthetic nonces (core/reverse.h).
 */
#define FUSE_USE_VERSION 314
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <fuse.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "crypto.h"
#include "meta.h"
#include "names.h"
#include "reverse.h"
#include "fs-internal.h"
#include "banned.h"

enum rkind {
	R_REAL,	    /* a plaintext object */
	R_CONF,	    /* /sealfs.conf */
	R_DIRIV,    /* DIR/sealfs.diriv */
	R_NAMESIDE, /* DIR/sealfs.longname.X.name */
	R_LINKSIDE, /* DIR/X.link */
};

/* A view path resolved to the plaintext tree. */
struct rloc {
	enum rkind kind;
	char ppath[PATH_MAX];  /* plaintext path relative to the root ("" = root) */
	char pname[SFS_NAME_MAX + 1];
	uint8_t diriv[SFS_DIRIV_LEN]; /* IV of the directory containing ppath */
};

/* Open handle of a view file. */
struct rfile {
	int fd; /* plaintext file, or -1 for virtual files */
	uint8_t id[SFS_FILE_ID_LEN];
	uint8_t key[32];
	uint8_t header[SFS_HDR_LEN];
	uint64_t size; /* plaintext size at open */
	char *virt;    /* virtual file content */
	size_t virt_len;
};

static struct sfs_fs *RFS(void)
{
	return fuse_get_context()->private_data;
}

/* Plaintext path of NAME in DIR ("" = root). */
static int pjoin(char *out, const char *dir, const char *name)
{
	int n = *dir ? snprintf(out, PATH_MAX, "%s/%s", dir, name) : snprintf(out, PATH_MAX, "%s", name);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* fstatat/openat need "." for the root. */
static const char *at_path(const char *ppath)
{
	return *ppath ? ppath : ".";
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

/* The encoded (and on-disk) name of plaintext NAME in the dir with IV. */
static int enc_name(struct sfs_fs *fs, const uint8_t iv[SFS_DIRIV_LEN], const char *name,
		    char *enc, char *disk, bool *islong)
{
	return sfs_name_encrypt(fs->keys, iv, name, strlen(name), enc, disk, islong);
}

/* Find the plaintext entry of DIR whose long-name stand-in is STANDIN. */
static int find_longname(struct sfs_fs *fs, const char *dir, const uint8_t iv[SFS_DIRIV_LEN],
			 const char *standin, char out[SFS_NAME_MAX + 1])
{
	char enc[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1];
	struct dirent *de;
	bool islong;
	int fd, r = -ENOENT;
	DIR *d;

	fd = openat(fs->rootfd, at_path(dir), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
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

/* Plaintext name of on-disk name DISK in DIR, or -ENOENT. */
static int plain_name(struct sfs_fs *fs, const char *dir, const uint8_t iv[SFS_DIRIV_LEN],
		      const char *disk, char out[SFS_NAME_MAX + 1])
{
	size_t len;

	switch (sfs_dirent_classify(disk)) {
	case SFS_DIRENT_NAME:
		return sfs_name_decrypt(fs->keys, iv, disk, strlen(disk), out, &len) ? -ENOENT : 0;
	case SFS_DIRENT_LONGNAME:
		return find_longname(fs, dir, iv, disk, out);
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

static int rresolve(struct sfs_fs *fs, const char *path, struct rloc *l)
{
	char comp[SFS_ENC_NAME_MAX + 8], next[PATH_MAX];
	const char *p = path;

	memset(l, 0, sizeof(*l));
	l->kind = R_REAL;
	memcpy(l->diriv, fs->rootiv, SFS_DIRIV_LEN);
	while (*p == '/')
		p++;
	while (*p) {
		const char *slash = strchr(p, '/');
		size_t len = slash ? (size_t)(slash - p) : strlen(p), stem;
		bool last = !slash || !slash[1];
		uint8_t iv[SFS_DIRIV_LEN];
		int r;

		if (l->kind != R_REAL || len >= sizeof(comp))
			return -ENOENT;
		memcpy(comp, p, len);
		comp[len] = '\0';
		p += len;
		while (*p == '/')
			p++;
		/* The IV of the directory we are in (the current ppath). */
		r = sfs_rev_diriv(fs->keys, l->ppath, iv);
		if (r)
			return r;
		if (!strcmp(comp, SFS_DIRIV_NAME) && last) {
			l->kind = R_DIRIV;
			memcpy(l->diriv, iv, SFS_DIRIV_LEN);
			return 0;
		}
		if (!*l->ppath && !strcmp(comp, SFS_CONFIG_NAME) && last) {
			l->kind = R_CONF;
			return 0;
		}
		if (last && (has_suffix(comp, SFS_NAME_SUFFIX, &stem) ||
			     has_suffix(comp, SFS_LINK_SUFFIX, &stem))) {
			bool is_link = !strcmp(comp + stem, SFS_LINK_SUFFIX);
			comp[stem] = '\0';
			if (!is_link && sfs_dirent_classify(comp) != SFS_DIRENT_LONGNAME)
				return -ENOENT;
			r = plain_name(fs, l->ppath, iv, comp, l->pname);
			if (r)
				return r;
			r = pjoin(next, l->ppath, l->pname);
			if (r)
				return r;
			if (excluded(fs, next))
				return -ENOENT;
			snprintf(l->ppath, PATH_MAX, "%s", next);
			memcpy(l->diriv, iv, SFS_DIRIV_LEN);
			l->kind = is_link ? R_LINKSIDE : R_NAMESIDE;
			return 0;
		}
		r = plain_name(fs, l->ppath, iv, comp, l->pname);
		if (r)
			return r;
		r = pjoin(next, l->ppath, l->pname);
		if (r)
			return r;
		if (excluded(fs, next))
			return -ENOENT;
		snprintf(l->ppath, PATH_MAX, "%s", next);
		memcpy(l->diriv, iv, SFS_DIRIV_LEN);
	}
	return 0;
}

/* Whether a plaintext regular file is hard-linked: then its header is unbound
 * and its file ID derived from the inode, so all its names show the same bytes. */
static int file_identity(struct sfs_fs *fs, const struct rloc *l, const struct stat *st,
			 uint8_t id[SFS_FILE_ID_LEN], bool *unbound)
{
	char ino[64];

	if (st->st_nlink > 1) {
		snprintf(ino, sizeof(ino), "\001ino:%llu:%llu", (unsigned long long)st->st_dev,
			 (unsigned long long)st->st_ino);
		*unbound = true;
		return sfs_rev_file_id(fs->keys, ino, id);
	}
	*unbound = false;
	return sfs_rev_file_id(fs->keys, l->ppath, id);
}

/* The encoded symlink target of the plaintext symlink at l. */
static long link_enc(struct sfs_fs *fs, const struct rloc *l, char *enc)
{
	char target[SFS_LINK_MAX + 2];
	uint8_t nonce[16];
	ssize_t n;
	int r;

	n = readlinkat(fs->rootfd, l->ppath, target, sizeof(target) - 1);
	if (n < 0)
		return -errno;
	if (n == 0 || n > SFS_LINK_MAX)
		return -ENAMETOOLONG;
	target[n] = '\0';
	r = sfs_rev_link_nonce(fs->keys, l->ppath, nonce);
	if (r)
		return r;
	return sfs_link_encrypt(fs->keys, target, (size_t)n, nonce, enc);
}

/* Build the content of a virtual file into *ret (malloc'd). */
static int virt_content(struct sfs_fs *fs, const struct rloc *l, char **ret, size_t *ret_len)
{
	char *buf = malloc(SFS_ENC_LINK_MAX + 2);
	char disk[SFS_ENC_NAME_MAX + 1];
	bool islong;
	long n;
	int r;

	if (!buf)
		return -ENOMEM;
	switch (l->kind) {
	case R_CONF:
		free(buf);
		buf = malloc(fs->rev_conf_len + 1);
		if (!buf)
			return -ENOMEM;
		memcpy(buf, fs->rev_conf, fs->rev_conf_len);
		*ret_len = fs->rev_conf_len;
		break;
	case R_DIRIV:
		memcpy(buf, l->diriv, SFS_DIRIV_LEN);
		*ret_len = SFS_DIRIV_LEN;
		break;
	case R_NAMESIDE:
		r = enc_name(fs, l->diriv, l->pname, buf, disk, &islong);
		if (r) {
			free(buf);
			return r;
		}
		*ret_len = strlen(buf);
		break;
	case R_LINKSIDE:
		n = link_enc(fs, l, buf);
		if (n < 0 || n <= SFS_LINK_DIRECT_MAX) {
			free(buf);
			return n < 0 ? (int)n : -ENOENT;
		}
		*ret_len = (size_t)n;
		break;
	default:
		free(buf);
		return -EINVAL;
	}
	*ret = buf;
	return 0;
}

static int r_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = RFS();
	struct rloc l;
	int r = rresolve(fs, path, &l);

	if (r)
		return r;
	if (l.kind == R_REAL) {
		if (fstatat(fs->rootfd, at_path(l.ppath), st, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		if (S_ISREG(st->st_mode)) {
			st->st_size = (off_t)sfs_cipher_size((uint64_t)st->st_size);
			st->st_blocks = (st->st_size + 511) / 512;
		} else if (S_ISLNK(st->st_mode)) {
			_cleanup_free_ char *enc = malloc(SFS_ENC_LINK_MAX + 1);
			long n = enc ? link_enc(fs, &l, enc) : -ENOMEM;
			if (n < 0)
				return (int)n;
			st->st_size = n > SFS_LINK_DIRECT_MAX ? (off_t)strlen(SFS_LONGLINK_TARGET) : n;
		}
		return 0;
	}
	/* Virtual files take the times of their directory (or of the config). */
	{
		_cleanup_free_ char *content = NULL;
		char dir[PATH_MAX];
		size_t len = 0;
		const char *slash;

		r = virt_content(fs, &l, &content, &len);
		if (r)
			return r;
		snprintf(dir, sizeof(dir), "%s", l.ppath);
		if (l.kind == R_NAMESIDE || l.kind == R_LINKSIDE) {
			slash = strrchr(dir, '/');
			if (slash)
				dir[slash - dir] = '\0';
			else
				dir[0] = '\0';
		}
		if (fstatat(fs->rootfd, l.kind == R_CONF ? SFS_REVERSE_CONFIG_NAME : at_path(dir), st,
			    AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
		/* the config is the owner's alone, as forward mode writes it */
		st->st_mode = S_IFREG | (l.kind == R_CONF ? 0400 : 0444);
		st->st_nlink = 1;
		st->st_size = (off_t)len;
		st->st_blocks = (st->st_size + 511) / 512;
		st->st_ino ^= (uint64_t)(l.kind + 1) << 60;
	}
	return 0;
}

static int r_readlink(const char *path, char *buf, size_t size)
{
	struct sfs_fs *fs = RFS();
	_cleanup_free_ char *enc = malloc(SFS_ENC_LINK_MAX + 1);
	struct rloc l;
	long n;
	int r;

	if (!enc)
		return -ENOMEM;
	r = rresolve(fs, path, &l);
	if (r)
		return r;
	if (l.kind != R_REAL)
		return -EINVAL;
	n = link_enc(fs, &l, enc);
	if (n < 0)
		return (int)n;
	if (n > SFS_LINK_DIRECT_MAX) {
		n = (long)strlen(SFS_LONGLINK_TARGET);
		memcpy(enc, SFS_LONGLINK_TARGET, (size_t)n + 1);
	}
	if (size == 0)
		return -EINVAL;
	if ((size_t)n >= size)
		n = (long)size - 1;
	memcpy(buf, enc, (size_t)n);
	buf[n] = '\0';
	return 0;
}

static int r_readdir(const char *path, void *buf, fuse_fill_dir_t filler, off_t off,
		     struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	struct sfs_fs *fs = RFS();
	_cleanup_free_ char *lenc = malloc(SFS_ENC_LINK_MAX + 1);
	char enc[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1], side[SFS_ENC_NAME_MAX + 8];
	uint8_t iv[SFS_DIRIV_LEN];
	struct dirent *de;
	struct rloc l;
	DIR *d;
	int fd, r;

	if (!lenc)
		return -ENOMEM;
	r = rresolve(fs, path, &l);
	if (r)
		return r;
	if (l.kind != R_REAL)
		return -ENOTDIR;
	r = sfs_rev_diriv(fs->keys, l.ppath, iv);
	if (r)
		return r;
	fd = openat(fs->rootfd, at_path(l.ppath), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	filler(buf, ".", NULL, 0, 0);
	filler(buf, "..", NULL, 0, 0);
	filler(buf, SFS_DIRIV_NAME, NULL, 0, 0);
	if (!*l.ppath)
		filler(buf, SFS_CONFIG_NAME, NULL, 0, 0);
	while ((de = readdir(d))) {
		char child[PATH_MAX];
		bool islong;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (pjoin(child, l.ppath, de->d_name) || excluded(fs, child))
			continue;
		if (enc_name(fs, iv, de->d_name, enc, disk, &islong))
			continue;
		if (filler(buf, disk, NULL, 0, 0))
			break;
		if (islong) {
			snprintf(side, sizeof(side), "%s%s", disk, SFS_NAME_SUFFIX);
			filler(buf, side, NULL, 0, 0);
		}
		if (de->d_type == DT_LNK) {
			struct rloc ll = l;
			snprintf(ll.ppath, PATH_MAX, "%s", child);
			if (link_enc(fs, &ll, lenc) > SFS_LINK_DIRECT_MAX) {
				snprintf(side, sizeof(side), "%s%s", disk, SFS_LINK_SUFFIX);
				filler(buf, side, NULL, 0, 0);
			}
		}
	}
	closedir(d);
	return 0;
}

static int r_open(const char *path, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = RFS();
	struct rfile *f;
	struct rloc l;
	struct stat st;
	int r;

	if ((fi->flags & O_ACCMODE) != O_RDONLY)
		return -EROFS;
	r = rresolve(fs, path, &l);
	if (r)
		return r;
	f = calloc(1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	f->fd = -1;
	if (l.kind != R_REAL) {
		r = virt_content(fs, &l, &f->virt, &f->virt_len);
		goto done;
	}
	f->fd = openat(fs->rootfd, l.ppath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (f->fd < 0) {
		r = -errno;
		goto done;
	}
	if (fstat(f->fd, &st) < 0) {
		r = -errno;
		goto done;
	}
	if (!S_ISREG(st.st_mode)) {
		r = -EINVAL;
		goto done;
	}
	{
		struct sfs_header h = {.flags = 0, .size = (uint64_t)st.st_size};
		struct sfs_binding b;
		bool unbound;

		r = file_identity(fs, &l, &st, f->id, &unbound);
		if (!r)
			r = sfs_keys_file_key(fs->keys, f->id, f->key);
		if (r)
			goto done;
		memcpy(h.id, f->id, SFS_FILE_ID_LEN);
		memcpy(b.diriv, l.diriv, SFS_DIRIV_LEN);
		b.name = l.pname;
		b.namelen = strlen(l.pname);
		r = sfs_header_seal(fs->keys, &h, unbound ? NULL : &b, f->header);
		f->size = (uint64_t)st.st_size;
	}
done:
	if (r) {
		if (f->fd >= 0)
			close(f->fd);
		free(f->virt);
		sfs_wipe(f->key, sizeof(f->key));
		free(f);
		return r;
	}
	fi->fh = (uintptr_t)f;
	fi->keep_cache = 1;
	return 0;
}

static int r_read(const char *path, char *buf, size_t size, off_t offset,
		  struct fuse_file_info *fi)
{
	struct sfs_fs *fs = RFS();
	struct rfile *f = (struct rfile *)(uintptr_t)fi->fh;
	uint64_t off = (uint64_t)offset, csize, done = 0;
	_cleanup_free_ uint8_t *pt = NULL, *ct = NULL;

	if (f->fd < 0) {
		if (off >= f->virt_len)
			return 0;
		if (size > f->virt_len - off)
			size = f->virt_len - (size_t)off;
		memcpy(buf, f->virt + off, size);
		return (int)size;
	}
	csize = sfs_cipher_size(f->size);
	if (off >= csize)
		return 0;
	if (size > csize - off)
		size = (size_t)(csize - off);
	if (off < SFS_HDR_LEN) {
		size_t n = SFS_HDR_LEN - (size_t)off < size ? SFS_HDR_LEN - (size_t)off : size;
		memcpy(buf, f->header + off, n);
		done = n;
	}
	pt = malloc(SFS_BLOCK);
	ct = malloc(SFS_CBLOCK);
	if (!pt || !ct)
		return -ENOMEM;
	while (done < size) {
		uint64_t pos = off + done - SFS_HDR_LEN;
		uint64_t b = pos / SFS_CBLOCK, in = pos % SFS_CBLOCK;
		size_t want = SFS_BLOCK, take;
		ssize_t n;
		int r;

		if (b * SFS_BLOCK + want > f->size)
			want = (size_t)(f->size - b * SFS_BLOCK);
		n = pread(f->fd, pt, want, (off_t)(b * SFS_BLOCK));
		if (n < 0)
			return -errno;
		if ((size_t)n < want) /* the file shrank since it was opened */
			memset(pt + n, 0, want - (size_t)n);
		r = sfs_rev_block_seal(fs->keys, f->key, f->id, b, pt, want, ct);
		if (r)
			return r;
		take = want + SFS_BLOCK_OVERHEAD - (size_t)in;
		if (take > size - done)
			take = (size_t)(size - done);
		memcpy(buf + done, ct + in, take);
		done += take;
	}
	sfs_wipe(pt, SFS_BLOCK);
	return (int)done;
}

static int r_release(const char *path, struct fuse_file_info *fi)
{
	struct rfile *f = (struct rfile *)(uintptr_t)fi->fh;

	if (f->fd >= 0)
		close(f->fd);
	free(f->virt);
	sfs_wipe(f->key, sizeof(f->key));
	free(f);
	return 0;
}

static int r_statfs(const char *path, struct statvfs *st)
{
	if (fstatvfs(RFS()->rootfd, st) < 0)
		return -errno;
	st->f_namemax = SFS_NAME_MAX;
	return 0;
}

static void *r_init(struct fuse_conn_info *conn, struct fuse_config *cfg)
{
	cfg->use_ino = 1;
	cfg->readdir_ino = 0;
	cfg->entry_timeout = 1.0;
	cfg->attr_timeout = 1.0;
	cfg->negative_timeout = 1.0;
	cfg->kernel_cache = 0;
	return fuse_get_context()->private_data;
}

const struct fuse_operations sfs_reverse_ops = {
	.init = r_init,
	.getattr = r_getattr,
	.readlink = r_readlink,
	.readdir = r_readdir,
	.open = r_open,
	.read = r_read,
	.release = r_release,
	.statfs = r_statfs,
};
