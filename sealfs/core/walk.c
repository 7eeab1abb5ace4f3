/*
 * walk.c - the offline walker over a ciphertext tree: directory cursor with
 * name decryption, path lookup, xattr listing, hard-link map and capped
 * paths (sealfs core layer; read-only, no FUSE, no logging). See walk.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "meta.h"
#include "tree.h"
#include "walk.h"
#include "banned.h"

/* Linux caps: XATTR_LIST_MAX and XATTR_SIZE_MAX. */
#define WALK_XATTR_LIST_MAX 65536
#define WALK_XATTR_SIZE_MAX 65536

struct sfs_walk {
	const struct sfs_keys *k;
	DIR *dir;
	int fd; /* dirfd(dir), owned through dir */
	int diriv_err;
	uint8_t diriv[SFS_DIRIV_LEN];
};

int sfs_walk_openat(int dirfd, const char *name, int flags)
{
	int fl = O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NOCTTY | O_NONBLOCK | flags;
	int fd = openat(dirfd, name, fl | O_NOATIME);

	if (fd < 0 && errno == EPERM)
		fd = openat(dirfd, name, fl);
	return fd < 0 ? -errno : fd;
}

int sfs_walk_open(const struct sfs_keys *k, int atfd, const char *path, struct sfs_walk **ret)
{
	_cleanup_close_ int fd = sfs_walk_openat(atfd, path, O_DIRECTORY);
	struct sfs_walk *w;

	if (fd < 0)
		return fd;
	w = calloc(1, sizeof(*w));
	if (!w)
		return -ENOMEM;
	w->k = k;
	w->diriv_err = sfs_diriv_read(fd, w->diriv);
	w->dir = fdopendir(fd);
	if (!w->dir) {
		int r = -errno;
		free(w);
		return r;
	}
	w->fd = TAKE_FD(fd);
	*ret = w;
	return 0;
}

int sfs_walk_fd(const struct sfs_walk *w)
{
	return w->fd;
}

int sfs_walk_diriv(const struct sfs_walk *w, uint8_t out[SFS_DIRIV_LEN])
{
	if (w->diriv_err)
		return w->diriv_err;
	memcpy(out, w->diriv, SFS_DIRIV_LEN);
	return 0;
}

void sfs_walk_free(struct sfs_walk *w)
{
	if (!w)
		return;
	if (w->dir)
		closedir(w->dir);
	sfs_wipe(w->diriv, sizeof(w->diriv));
	free(w);
}

static bool ends_with(const char *s, size_t len, const char *suffix)
{
	size_t sl = strlen(suffix);

	return len >= sl && !memcmp(s + len - sl, suffix, sl);
}

/*
 * An internal name is an orphan when it is a side file ("X.name", "X.link")
 * whose entry X is gone, or (for .link) X is no longer a long symlink.
 */
static bool side_is_orphan(int dirfd, const char *disk)
{
	char owner[NAME_MAX + 1], target[sizeof(SFS_LONGLINK_TARGET) + 1];
	size_t len = strlen(disk);
	struct stat st;
	bool link;
	ssize_t n;

	if (ends_with(disk, len, SFS_NAME_SUFFIX))
		link = false;
	else if (ends_with(disk, len, SFS_LINK_SUFFIX))
		link = true;
	else
		return false; /* sealfs.conf, sealfs.diriv */
	len -= 5;
	if (len == 0 || len >= sizeof(owner))
		return true;
	memcpy(owner, disk, len);
	owner[len] = '\0';
	if (fstatat(dirfd, owner, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT;
	if (!link)
		return false;
	if (!S_ISLNK(st.st_mode))
		return true;
	n = readlinkat(dirfd, owner, target, sizeof(target));
	if (n < 0)
		return errno == ENOENT;
	return (size_t)n != sizeof(SFS_LONGLINK_TARGET) - 1 ||
	       memcmp(target, SFS_LONGLINK_TARGET, (size_t)n);
}

/* Why the long name DISK did not decrypt: its side file is missing or damaged. */
static enum sfs_walk_status side_status(int dirfd, const char *disk)
{
	char side[NAME_MAX + 8];
	struct stat st;
	size_t len = strlen(disk);

	if (len + sizeof(SFS_NAME_SUFFIX) > sizeof(side))
		return SFS_WALK_BAD_SIDE;
	memcpy(side, disk, len);
	memcpy(side + len, SFS_NAME_SUFFIX, sizeof(SFS_NAME_SUFFIX));
	if (fstatat(dirfd, side, &st, AT_SYMLINK_NOFOLLOW) < 0 && errno == ENOENT)
		return SFS_WALK_NO_SIDE;
	return SFS_WALK_BAD_SIDE;
}

int sfs_walk_next(struct sfs_walk *w, struct sfs_walk_entry *ret)
{
	for (;;) {
		enum sfs_dirent_kind kind;
		struct dirent *de;
		const char *disk;
		int r;

		errno = 0;
		de = readdir(w->dir);
		if (!de)
			return errno ? -errno : 0;
		disk = de->d_name;
		if (!strcmp(disk, ".") || !strcmp(disk, ".."))
			continue;
		kind = sfs_dirent_classify(disk);
		if (kind == SFS_DIRENT_INTERNAL && !side_is_orphan(w->fd, disk))
			continue;
		ret->disk = disk;
		ret->err = 0;
		ret->name[0] = '\0';
		ret->namelen = 0;
		if (fstatat(w->fd, disk, &ret->st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* removed while we walk */
			ret->status = SFS_WALK_ERROR;
			ret->err = -errno;
			return 1;
		}
		if (kind == SFS_DIRENT_INTERNAL) {
			ret->status = SFS_WALK_ORPHAN;
			return 1;
		}
		if (kind == SFS_DIRENT_FOREIGN) {
			ret->status = SFS_WALK_FOREIGN;
			return 1;
		}
		if (w->diriv_err) {
			ret->status = SFS_WALK_NO_DIRIV;
			return 1;
		}
		r = sfs_tree_entry_name(w->k, w->fd, w->diriv, disk, ret->name, &ret->namelen);
		switch (r) {
		case 0:
			ret->status = SFS_WALK_OK;
			break;
		case -EINVAL:
			ret->status =
			    kind == SFS_DIRENT_LONGNAME ? SFS_WALK_BAD_SIDE : SFS_WALK_FOREIGN;
			break;
		case -EBADMSG:
			ret->status = SFS_WALK_BAD_NAME;
			break;
		case -EIO:
			ret->status = side_status(w->fd, disk);
			break;
		default:
			ret->status = SFS_WALK_ERROR;
			ret->err = r;
			break;
		}
		if (ret->status != SFS_WALK_OK) {
			ret->name[0] = '\0';
			ret->namelen = 0;
		}
		return 1;
	}
}

const char *sfs_walk_status_str(enum sfs_walk_status s)
{
	switch (s) {
	case SFS_WALK_OK:
		return "ok";
	case SFS_WALK_NO_DIRIV:
		return "name cannot be decrypted: the directory IV is missing or damaged";
	case SFS_WALK_BAD_NAME:
		return "name fails authentication";
	case SFS_WALK_NO_SIDE:
		return "long name without its .name side file";
	case SFS_WALK_BAD_SIDE:
		return "long name side file is damaged";
	case SFS_WALK_FOREIGN:
		return "foreign file (not part of the volume)";
	case SFS_WALK_ORPHAN:
		return "orphan side file (its entry is gone)";
	case SFS_WALK_ERROR:
		return "cannot be examined";
	}
	return "unknown";
}

int sfs_walk_lookup(const struct sfs_keys *k, int dirfd, const uint8_t diriv[SFS_DIRIV_LEN],
		    const char *name, size_t namelen, char disk[SFS_ENC_NAME_MAX + 1],
		    struct stat *ret_st)
{
	char d[SFS_ENC_NAME_MAX + 1], enc[SFS_ENC_NAME_MAX + 1];
	struct stat st;
	bool islong;
	int r;

	r = sfs_tree_disk_name(k, diriv, name, namelen, d, enc, &islong);
	if (r)
		return r;
	if (fstatat(dirfd, d, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	memcpy(disk, d, strlen(d) + 1);
	*ret_st = st;
	return 0;
}

int sfs_walk_resolve(const struct sfs_keys *k, int rootfd, const char *path,
		     struct sfs_walk_loc *ret)
{
	_cleanup_close_ int dirfd = -1;
	char disk[SFS_ENC_NAME_MAX + 1];
	uint8_t iv[SFS_DIRIV_LEN];
	size_t plen = strnlen(path, PATH_MAX);
	const char *p = path, *end = path + plen;
	struct stat st;
	int r;

	if (plen >= PATH_MAX)
		return -ENAMETOOLONG;
	while (p < end && *p == '/')
		p++;
	if (p == end)
		return -EINVAL;
	dirfd = sfs_walk_openat(rootfd, ".", O_DIRECTORY);
	if (dirfd < 0)
		return dirfd;
	for (;;) {
		const char *slash = memchr(p, '/', (size_t)(end - p));
		size_t n = slash ? (size_t)(slash - p) : (size_t)(end - p);
		const char *next = p + n;
		bool last;
		int fd;

		while (next < end && *next == '/')
			next++;
		last = next == end;
		if (n > SFS_NAME_MAX)
			return -ENAMETOOLONG;
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		r = sfs_diriv_read(dirfd, iv);
		if (r)
			return r == -ENOENT ? -EIO : r;
		r = sfs_walk_lookup(k, dirfd, iv, p, n, disk, &st);
		if (r)
			return r;
		if (last) {
			memcpy(ret->diriv, iv, SFS_DIRIV_LEN);
			memcpy(ret->disk, disk, sizeof(disk));
			memcpy(ret->name, p, n);
			ret->name[n] = '\0';
			ret->namelen = n;
			ret->st = st;
			ret->dirfd = TAKE_FD(dirfd);
			return 0;
		}
		if (!S_ISDIR(st.st_mode))
			return -ENOTDIR;
		fd = sfs_walk_openat(dirfd, disk, O_DIRECTORY);
		if (fd < 0)
			return fd;
		close(dirfd);
		dirfd = fd;
		p = next;
	}
}

int sfs_walk_xattrs(const struct sfs_keys *k, int fd,
		    int (*fn)(void *arg, const struct sfs_walk_xattr *x), void *arg)
{
	_cleanup_free_ char *list = malloc(WALK_XATTR_LIST_MAX);
	_cleanup_free_ uint8_t *val = malloc(WALK_XATTR_SIZE_MAX);
	_cleanup_free_ uint8_t *plain = malloc(WALK_XATTR_SIZE_MAX);
	size_t plen = sizeof(SFS_XATTR_PREFIX) - 1;
	ssize_t n;
	int r = 0;

	if (!list || !val || !plain)
		return -ENOMEM;
	n = flistxattr(fd, list, WALK_XATTR_LIST_MAX);
	if (n < 0)
		return errno == ENOTSUP ? 0 : -errno;
	for (char *p = list; p < list + n;) {
		size_t len = strnlen(p, (size_t)(list + n - p));
		char name[SFS_NAME_MAX + 8];
		struct sfs_walk_xattr x = {.disk = p};
		ssize_t vn;

		if (p + len == list + n)
			break; /* not NUL-terminated: cannot happen on Linux */
		if (strncmp(p, SFS_XATTR_PREFIX, plen))
			goto next;
		if (!sfs_xattr_name_decrypt(k, p, name, sizeof(name))) {
			x.name = name;
			vn = fgetxattr(fd, p, val, WALK_XATTR_SIZE_MAX);
			if (vn < 0) {
				if (errno == ENODATA)
					goto next; /* removed meanwhile */
				r = -errno;
				break;
			}
			if (vn >= (ssize_t)SFS_XATTR_OVERHEAD &&
			    !sfs_xattr_value_decrypt(k, name, val, (size_t)vn, plain)) {
				x.value = plain;
				x.len = (size_t)vn - SFS_XATTR_OVERHEAD;
			}
		}
		r = fn(arg, &x);
		sfs_wipe(plain, x.len);
		sfs_wipe(name, sizeof(name));
		if (r)
			break;
	next:
		p += len + 1;
	}
	return r;
}

struct link_slot {
	dev_t dev;
	ino_t ino;
	char *val;
	bool used;
};

struct sfs_walk_links {
	struct link_slot *slots;
	size_t cap, used; /* cap is a power of two */
};

struct sfs_walk_links *sfs_walk_links_new(void)
{
	struct sfs_walk_links *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	m->cap = 64;
	m->slots = calloc(m->cap, sizeof(*m->slots));
	if (!m->slots) {
		free(m);
		return NULL;
	}
	return m;
}

void sfs_walk_links_free(struct sfs_walk_links *m)
{
	if (!m)
		return;
	for (size_t i = 0; i < m->cap; i++)
		free(m->slots[i].val);
	free(m->slots);
	free(m);
}

static size_t link_hash(dev_t dev, ino_t ino)
{
	uint64_t h = (uint64_t)ino * 0x9e3779b97f4a7c15ULL ^ (uint64_t)dev * 0xc2b2ae3d27d4eb4fULL;

	return (size_t)(h ^ (h >> 29));
}

static struct link_slot *link_slot(struct link_slot *slots, size_t cap, dev_t dev, ino_t ino)
{
	size_t i = link_hash(dev, ino) & (cap - 1);

	while (slots[i].used && (slots[i].dev != dev || slots[i].ino != ino))
		i = (i + 1) & (cap - 1);
	return &slots[i];
}

static int links_grow(struct sfs_walk_links *m)
{
	size_t ncap = m->cap * 2;
	struct link_slot *ns;

	if (ncap < m->cap || ncap > SIZE_MAX / sizeof(*ns))
		return -ENOMEM;
	ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	for (size_t i = 0; i < m->cap; i++)
		if (m->slots[i].used)
			*link_slot(ns, ncap, m->slots[i].dev, m->slots[i].ino) = m->slots[i];
	free(m->slots);
	m->slots = ns;
	m->cap = ncap;
	return 0;
}

int sfs_walk_links_add(struct sfs_walk_links *m, dev_t dev, ino_t ino, const char *val)
{
	struct link_slot *s;
	char *copy = NULL;

	if ((m->used + 1) * 2 > m->cap) {
		int r = links_grow(m);
		if (r)
			return r;
	}
	s = link_slot(m->slots, m->cap, dev, ino);
	if (s->used)
		return -EEXIST;
	if (val) {
		copy = strdup(val);
		if (!copy)
			return -ENOMEM;
	}
	s->dev = dev;
	s->ino = ino;
	s->val = copy;
	s->used = true;
	m->used++;
	return 0;
}

bool sfs_walk_links_find(const struct sfs_walk_links *m, dev_t dev, ino_t ino, const char **ret_val)
{
	struct link_slot *s = link_slot(m->slots, m->cap, dev, ino);

	if (!s->used)
		return false;
	if (ret_val)
		*ret_val = s->val;
	return true;
}

int sfs_walk_path_init(struct sfs_walk_path *p, const char *start, size_t max)
{
	size_t len = strlen(start);
	size_t cap = len + 256;

	if (len > max)
		return -ENAMETOOLONG;
	p->buf = malloc(cap);
	if (!p->buf)
		return -ENOMEM;
	memcpy(p->buf, start, len + 1);
	p->len = len;
	p->cap = cap;
	p->max = max;
	return 0;
}

int sfs_walk_path_push(struct sfs_walk_path *p, const char *name, size_t n)
{
	bool slash = p->len > 0 && p->buf[p->len - 1] != '/';
	size_t need = p->len + slash + n;

	if (need < n || need > p->max)
		return -ENAMETOOLONG;
	if (need + 1 > p->cap) {
		size_t ncap = p->cap;
		char *nb;
		while (ncap < need + 1)
			ncap *= 2;
		nb = realloc(p->buf, ncap);
		if (!nb)
			return -ENOMEM;
		p->buf = nb;
		p->cap = ncap;
	}
	if (slash)
		p->buf[p->len++] = '/';
	memcpy(p->buf + p->len, name, n);
	p->len += n;
	p->buf[p->len] = '\0';
	return 0;
}

void sfs_walk_path_pop(struct sfs_walk_path *p, size_t len)
{
	if (len < p->len) {
		p->len = len;
		p->buf[len] = '\0';
	}
}

void sfs_walk_path_release(struct sfs_walk_path *p)
{
	free(p->buf);
	p->buf = NULL;
	p->len = p->cap = 0;
}
