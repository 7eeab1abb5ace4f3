/*
 * inode.c - the inode table of the FUSE layer: one struct inode per object
 * the kernel knows, with its lookup count and an O_PATH descriptor (sealfs
 * FUSE layer). See fs-internal.h.
 *
 * An inode leaves the table when the kernel has forgotten every lookup and
 * nothing of ours (a child's parent pointer, an open handle, a running call)
 * holds it.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-internal.h"
#include "banned.h"

struct sfs_fs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

struct inode *inode_of(struct sfs_fs *fs, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? &fs->root : (struct inode *)(uintptr_t)ino;
}

static unsigned bucket_of(dev_t dev, ino_t ino, enum ikind kind)
{
	uint64_t h = (uint64_t)ino * 0x9E3779B97F4A7C15ull ^ (uint64_t)dev ^ ((uint64_t)kind << 56);
	return (unsigned)(h >> 40) % INODE_BUCKETS;
}

static struct inode *find_locked(struct sfs_fs *fs, dev_t dev, ino_t ino, enum ikind kind)
{
	if (fs->root.dev == dev && fs->root.ino == ino && kind == I_REAL)
		return &fs->root;
	for (struct inode *in = fs->table[bucket_of(dev, ino, kind)]; in; in = in->next)
		if (in->dev == dev && in->ino == ino && in->kind == kind)
			return in;
	return NULL;
}

/* Set where IN lives; returns the parent it held before (to put, unlocked). */
static struct inode *set_where_locked(struct inode *in, struct inode *parent, const char *name,
				      size_t namelen, const char *disk)
{
	struct inode *old = NULL;
	char *n = NULL, *d = NULL;

	if (in->parent == parent && in->name && strlen(in->name) == namelen &&
	    !memcmp(in->name, name, namelen) && (!disk || (in->disk && !strcmp(in->disk, disk))))
		return NULL;
	n = strndup(name, namelen);
	d = disk ? strdup(disk) : NULL;
	if (!n || (disk && !d)) {
		free(n);
		free(d);
		return NULL; /* keep the old place: only logs and side files use it */
	}
	free(in->name);
	free(in->disk);
	in->name = n;
	in->disk = d;
	if (in->parent != parent) {
		old = in->parent;
		in->parent = parent;
		if (parent)
			parent->refs++;
	}
	return old;
}

int inode_get(struct sfs_fs *fs, int fd, const struct stat *st, enum ikind kind,
	      struct inode *parent, const char *name, size_t namelen, const char *disk,
	      struct inode **ret)
{
	struct inode *in, *old = NULL;

	pthread_mutex_lock(&fs->table_lock);
	in = find_locked(fs, st->st_dev, st->st_ino, kind);
	if (in) {
		in->nlookup++;
		if (name && in != &fs->root)
			old = set_where_locked(in, parent, name, namelen, disk);
		pthread_mutex_unlock(&fs->table_lock);
		if (fd >= 0)
			close(fd);
		if (old)
			inode_put(fs, old);
		*ret = in;
		return 0;
	}
	in = calloc(1, sizeof(*in));
	if (!in) {
		pthread_mutex_unlock(&fs->table_lock);
		if (fd >= 0)
			close(fd);
		return -ENOMEM;
	}
	in->dev = st->st_dev;
	in->ino = st->st_ino;
	in->kind = kind;
	in->type = st->st_mode & S_IFMT;
	in->fd = fd;
	in->nlookup = 1;
	if (name)
		(void)set_where_locked(in, parent, name, namelen, disk);
	{
		unsigned b = bucket_of(in->dev, in->ino, kind);
		in->next = fs->table[b];
		fs->table[b] = in;
	}
	pthread_mutex_unlock(&fs->table_lock);
	*ret = in;
	return 0;
}

struct inode *inode_find(struct sfs_fs *fs, dev_t dev, ino_t ino, enum ikind kind)
{
	struct inode *in;

	pthread_mutex_lock(&fs->table_lock);
	in = find_locked(fs, dev, ino, kind);
	if (in)
		in->refs++;
	pthread_mutex_unlock(&fs->table_lock);
	return in;
}

void inode_hold(struct sfs_fs *fs, struct inode *in)
{
	pthread_mutex_lock(&fs->table_lock);
	in->refs++;
	pthread_mutex_unlock(&fs->table_lock);
}

/* Take IN out of the table if nothing holds it; the caller frees what is returned. */
static bool unused_locked(struct sfs_fs *fs, struct inode *in)
{
	struct inode **pp;

	if (in == &fs->root || in->nlookup > 0 || in->refs > 0)
		return false;
	for (pp = &fs->table[bucket_of(in->dev, in->ino, in->kind)]; *pp; pp = &(*pp)->next) {
		if (*pp == in) {
			*pp = in->next;
			break;
		}
	}
	return true;
}

static void release_chain(struct sfs_fs *fs, struct inode *in)
{
	while (in) {
		struct inode *parent = in->parent;
		bool gone = false;

		if (in->fd >= 0)
			close(in->fd);
		free(in->name);
		free(in->disk);
		free(in);
		if (!parent)
			return;
		pthread_mutex_lock(&fs->table_lock);
		parent->refs--;
		gone = unused_locked(fs, parent);
		pthread_mutex_unlock(&fs->table_lock);
		in = gone ? parent : NULL;
	}
}

void inode_put(struct sfs_fs *fs, struct inode *in)
{
	bool gone;

	pthread_mutex_lock(&fs->table_lock);
	in->refs--;
	gone = unused_locked(fs, in);
	pthread_mutex_unlock(&fs->table_lock);
	if (gone)
		release_chain(fs, in);
}

void inode_forget(struct sfs_fs *fs, struct inode *in, uint64_t n)
{
	bool gone;

	pthread_mutex_lock(&fs->table_lock);
	in->nlookup = n > in->nlookup ? 0 : in->nlookup - n;
	gone = unused_locked(fs, in);
	pthread_mutex_unlock(&fs->table_lock);
	if (gone)
		release_chain(fs, in);
}

void inode_move(struct sfs_fs *fs, struct inode *in, struct inode *parent, const char *name,
		size_t namelen, const char *disk)
{
	struct inode *old;

	pthread_mutex_lock(&fs->table_lock);
	old = set_where_locked(in, parent, name, namelen, disk);
	pthread_mutex_unlock(&fs->table_lock);
	if (old)
		inode_put(fs, old);
}

char *inode_path(struct sfs_fs *fs, struct inode *in)
{
	const char *parts[PATH_MAX / 2];
	size_t n = 0, len = 0;
	char *out, *p;

	pthread_mutex_lock(&fs->table_lock);
	for (struct inode *i = in; i && i != &fs->root && i->name && n < PATH_MAX / 2; i = i->parent) {
		parts[n++] = i->name;
		len += strlen(i->name) + 1;
	}
	out = malloc(len + 1);
	if (out) {
		p = out;
		while (n-- > 0) {
			size_t l = strlen(parts[n]);
			memcpy(p, parts[n], l);
			p += l;
			if (n)
				*p++ = '/';
		}
		*p = '\0';
	}
	pthread_mutex_unlock(&fs->table_lock);
	return out;
}

int inode_where(struct sfs_fs *fs, struct inode *in, struct inode **parent,
		char disk[SFS_ENC_NAME_MAX + 1])
{
	int r = -ENOENT;

	pthread_mutex_lock(&fs->table_lock);
	if (in->parent && in->disk) {
		*parent = in->parent;
		in->parent->refs++;
		snprintf(disk, SFS_ENC_NAME_MAX + 1, "%s", in->disk);
		r = 0;
	}
	pthread_mutex_unlock(&fs->table_lock);
	return r;
}

void inode_proc(const struct inode *in, char out[64])
{
	snprintf(out, 64, "/proc/self/fd/%d", in->fd);
}

void handle_open(struct sfs_fs *fs, struct handle *h, void (*free_fn)(struct handle *h))
{
	h->free = free_fn;
	pthread_mutex_lock(&fs->table_lock);
	h->next = fs->handles.next;
	h->prev = &fs->handles;
	h->next->prev = h;
	fs->handles.next = h;
	fs->open_handles++;
	pthread_mutex_unlock(&fs->table_lock);
}

void handle_close(struct sfs_fs *fs, struct handle *h)
{
	pthread_mutex_lock(&fs->table_lock);
	h->prev->next = h->next;
	h->next->prev = h->prev;
	fs->open_handles--;
	pthread_mutex_unlock(&fs->table_lock);
	h->free(h);
}

void handles_free_all(struct sfs_fs *fs)
{
	while (fs->handles.next != &fs->handles)
		handle_close(fs, fs->handles.next);
}

void inode_table_free(struct sfs_fs *fs)
{
	handles_free_all(fs);
	nodes_free_all(fs);
	for (size_t b = 0; b < INODE_BUCKETS; b++) {
		struct inode *in = fs->table[b];
		while (in) {
			struct inode *next = in->next;
			if (in->fd >= 0)
				close(in->fd);
			free(in->name);
			free(in->disk);
			free(in);
			in = next;
		}
		fs->table[b] = NULL;
	}
}
