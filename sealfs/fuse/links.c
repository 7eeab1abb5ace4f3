/*
 * links.c - keep the link counts of hard-linked files right in the kernel's
 * attribute cache (sealfs FUSE layer).
 *
 * With libfuse's path-based API every name of a hard-linked file is its own
 * kernel inode with its own cached attributes. The names seen for files with
 * more than one link are remembered here (a small ring, best effort); when a
 * link is added or removed, the cached attributes of the other names are
 * invalidated so that stat shows the new count at once.
 */
#define FUSE_USE_VERSION 314
#include <fuse.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "fs-internal.h"
#include "banned.h"

void links_note(struct sfs_fs *fs, const struct stat *st, const char *path)
{
	struct linkname *e;
	char *copy;

	if (!S_ISREG(st->st_mode) || st->st_nlink < 2)
		return;
	pthread_mutex_lock(&fs->links_lock);
	for (size_t i = 0; i < LINKNAMES; i++) {
		e = &fs->links[i];
		if (e->path && e->ino == st->st_ino && e->dev == st->st_dev && !strcmp(e->path, path)) {
			pthread_mutex_unlock(&fs->links_lock);
			return;
		}
	}
	copy = strdup(path);
	if (copy) {
		e = &fs->links[fs->links_next++ % LINKNAMES];
		free(e->path);
		e->dev = st->st_dev;
		e->ino = st->st_ino;
		e->path = copy;
	}
	pthread_mutex_unlock(&fs->links_lock);
}

void links_changed(struct sfs_fs *fs, dev_t dev, ino_t ino, const char *except)
{
	char *paths[LINKNAMES];
	size_t n = 0;
	struct fuse *f = fuse_get_context()->fuse;

	pthread_mutex_lock(&fs->links_lock);
	for (size_t i = 0; i < LINKNAMES; i++) {
		struct linkname *e = &fs->links[i];
		if (e->path && e->ino == ino && e->dev == dev && (!except || strcmp(e->path, except)))
			paths[n++] = strdup(e->path);
	}
	pthread_mutex_unlock(&fs->links_lock);
	for (size_t i = 0; i < n; i++) {
		if (paths[i])
			(void)fuse_invalidate_path(f, paths[i]);
		free(paths[i]);
	}
}

void links_clear(struct sfs_fs *fs)
{
	pthread_mutex_lock(&fs->links_lock);
	for (size_t i = 0; i < LINKNAMES; i++) {
		free(fs->links[i].path);
		fs->links[i].path = NULL;
	}
	pthread_mutex_unlock(&fs->links_lock);
}
