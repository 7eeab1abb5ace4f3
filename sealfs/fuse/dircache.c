/*
 * dircache.c - plaintext path -> ciphertext path resolution, with a cache of
 * directory IVs (sealfs FUSE layer). Directory renames and removals clear
 * the cache. See fs-internal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "tree.h"
#include "fs-internal.h"
#include "banned.h"

static unsigned slot_of(const char *path)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++)
		h = (h ^ *p) * 16777619u;
	return h % DIRCACHE_SLOTS;
}

void dircache_clear(struct sfs_fs *fs)
{
	pthread_mutex_lock(&fs->dc_lock);
	for (size_t i = 0; i < DIRCACHE_SLOTS; i++) {
		free(fs->dc[i].path);
		free(fs->dc[i].cpath);
		fs->dc[i].path = fs->dc[i].cpath = NULL;
	}
	pthread_mutex_unlock(&fs->dc_lock);
}

static bool cache_get(struct sfs_fs *fs, const char *path, char cdir[PATH_MAX],
		      uint8_t iv[SFS_DIRIV_LEN])
{
	struct dc_entry *e = &fs->dc[slot_of(path)];
	bool hit = false;

	pthread_mutex_lock(&fs->dc_lock);
	if (e->path && !strcmp(e->path, path)) {
		snprintf(cdir, PATH_MAX, "%s", e->cpath);
		memcpy(iv, e->iv, SFS_DIRIV_LEN);
		hit = true;
	}
	pthread_mutex_unlock(&fs->dc_lock);
	return hit;
}

static void cache_put(struct sfs_fs *fs, const char *path, const char *cdir,
		      const uint8_t iv[SFS_DIRIV_LEN])
{
	struct dc_entry *e = &fs->dc[slot_of(path)];
	char *p = strdup(path), *c = strdup(cdir);

	if (!p || !c) {
		free(p);
		free(c);
		return;
	}
	pthread_mutex_lock(&fs->dc_lock);
	free(e->path);
	free(e->cpath);
	e->path = p;
	e->cpath = c;
	memcpy(e->iv, iv, SFS_DIRIV_LEN);
	pthread_mutex_unlock(&fs->dc_lock);
}

static int join(char *out, const char *parent, const char *name)
{
	int n;

	if (!strcmp(parent, "."))
		n = snprintf(out, PATH_MAX, "%s", name);
	else
		n = snprintf(out, PATH_MAX, "%s/%s", parent, name);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

/* Split "/a/b/c" into parent "/a/b" (in buf) and name "c". */
static int split(const char *path, char parent[PATH_MAX], const char **name, size_t *namelen)
{
	const char *slash = strrchr(path, '/');
	size_t plen;

	if (!slash || strlen(path) >= PATH_MAX)
		return -EINVAL;
	plen = (size_t)(slash - path);
	if (plen == 0)
		plen = 1; /* the root */
	memcpy(parent, path, plen);
	parent[plen] = '\0';
	*name = slash + 1;
	*namelen = strlen(slash + 1);
	return 0;
}

int dir_resolve(struct sfs_fs *fs, const char *path, char cdir[PATH_MAX],
		uint8_t iv[SFS_DIRIV_LEN])
{
	char parent[PATH_MAX], pc[PATH_MAX], enc[SFS_ENC_NAME_MAX + 1],
		disk[SFS_ENC_NAME_MAX + 1];
	uint8_t piv[SFS_DIRIV_LEN];
	_cleanup_close_ int fd = -1;
	const char *name;
	size_t namelen;
	bool islong;
	int r;

	if (!strcmp(path, "/")) {
		snprintf(cdir, PATH_MAX, ".");
		memcpy(iv, fs->rootiv, SFS_DIRIV_LEN);
		return 0;
	}
	if (cache_get(fs, path, cdir, iv))
		return 0;
	r = split(path, parent, &name, &namelen);
	if (!r)
		r = dir_resolve(fs, parent, pc, piv);
	if (!r)
		r = sfs_tree_disk_name(fs->keys, piv, name, namelen, disk, enc, &islong);
	if (!r)
		r = join(cdir, pc, disk);
	if (r)
		return r;
	fd = openat(fs->rootfd, cdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	r = sfs_diriv_read(fd, iv);
	if (r == -ENOENT || r == -EIO) {
		fs_report(fs, path, "directory IV (sealfs.diriv) missing or damaged", 0, false);
		return -EIO;
	}
	if (r)
		return r;
	cache_put(fs, path, cdir, iv);
	return 0;
}

int loc_resolve(struct sfs_fs *fs, const char *path, struct loc *l)
{
	char parent[PATH_MAX];
	const char *name;
	int r;

	if (!strcmp(path, "/")) {
		memset(l, 0, sizeof(*l));
		snprintf(l->cpath, PATH_MAX, ".");
		snprintf(l->cparent, PATH_MAX, ".");
		return 0;
	}
	r = split(path, parent, &name, &l->namelen);
	if (r)
		return r;
	if (l->namelen > SFS_NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(l->name, name, l->namelen + 1);
	r = dir_resolve(fs, parent, l->cparent, l->diriv);
	if (!r)
		r = sfs_tree_disk_name(fs->keys, l->diriv, l->name, l->namelen, l->disk, l->enc,
				       &l->islong);
	if (!r)
		r = join(l->cpath, l->cparent, l->disk);
	return r;
}

int loc_parent_fd(struct sfs_fs *fs, const struct loc *l)
{
	int fd = openat(fs->rootfd, l->cparent, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	return fd < 0 ? -errno : fd;
}

int loc_write_side(struct sfs_fs *fs, const struct loc *l)
{
	_cleanup_close_ int dfd = -1;

	if (!l->islong)
		return 0;
	dfd = openat(fs->rootfd, l->cparent, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return -errno;
	return sfs_tree_longname_write(dfd, l->disk, l->enc);
}

/* "<cpath><suffix>" relative to the root fd. */
static int side_path(const struct loc *l, const char *suffix, char out[PATH_MAX])
{
	int n = snprintf(out, PATH_MAX, "%s%s", l->cpath, suffix);
	return n < 0 || n >= PATH_MAX ? -ENAMETOOLONG : 0;
}

void loc_remove_side(struct sfs_fs *fs, const struct loc *l, mode_t mode)
{
	char side[PATH_MAX];

	if (l->islong && !side_path(l, SFS_NAME_SUFFIX, side))
		unlinkat(fs->rootfd, side, 0);
	if ((mode == 0 || S_ISLNK(mode)) && !side_path(l, SFS_LINK_SUFFIX, side))
		unlinkat(fs->rootfd, side, 0);
}

int loc_move_link_side(struct sfs_fs *fs, const struct loc *from, const struct loc *to,
		       bool exchange)
{
	char a[PATH_MAX], b[PATH_MAX];
	int r;

	if (side_path(from, SFS_LINK_SUFFIX, a) || side_path(to, SFS_LINK_SUFFIX, b))
		return -ENAMETOOLONG;
	if (exchange) {
		r = renameat2(fs->rootfd, a, fs->rootfd, b, RENAME_EXCHANGE);
		if (r == 0 || errno != ENOENT)
			return r < 0 ? -errno : 0;
		/* Only one of them exists: move it across. */
		if (renameat(fs->rootfd, a, fs->rootfd, b) == 0)
			return 0;
		if (errno == ENOENT && renameat(fs->rootfd, b, fs->rootfd, a) == 0)
			return 0;
		return errno == ENOENT ? 0 : -errno;
	}
	if (renameat(fs->rootfd, a, fs->rootfd, b) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

void loc_binding(const struct loc *l, struct sfs_binding *b)
{
	memcpy(b->diriv, l->diriv, SFS_DIRIV_LEN);
	b->name = l->name;
	b->namelen = l->namelen;
}

void loc_proc_path(struct sfs_fs *fs, const struct loc *l, char *out, size_t len)
{
	snprintf(out, len, "/proc/self/fd/%d/%s", fs->rootfd, l->cpath);
}
