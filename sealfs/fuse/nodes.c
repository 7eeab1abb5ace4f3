/*
 * nodes.c - the table of open ciphertext inodes (sealfs FUSE layer).
 *
 * One struct node per (device, inode) while any handle is open, holding the
 * file's fd, its authenticated header state and an rwlock. The header's size
 * is brought up to date before the node leaves the table, so a later open
 * never races with a stale header write. See fs-internal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "fs-internal.h"
#include "banned.h"

static unsigned bucket_of(dev_t dev, ino_t ino)
{
	return (unsigned)((ino * 2654435761u) ^ dev) % NODE_BUCKETS;
}

static struct node *find(struct sfs_fs *fs, dev_t dev, ino_t ino)
{
	for (struct node *n = fs->nodes[bucket_of(dev, ino)]; n; n = n->next)
		if (n->dev == dev && n->ino == ino)
			return n;
	return NULL;
}

static struct node *node_alloc(int fd, const struct stat *st)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->dev = st->st_dev;
	n->ino = st->st_ino;
	n->fd = fd;
	n->refs = 1;
	pthread_rwlock_init(&n->lock, NULL);
	return n;
}

static void node_free(struct node *n)
{
	sfs_file_release(&n->f);
	close(n->fd);
	pthread_rwlock_destroy(&n->lock);
	free(n);
}

static void insert(struct sfs_fs *fs, struct node *n)
{
	unsigned b = bucket_of(n->dev, n->ino);

	n->next = fs->nodes[b];
	fs->nodes[b] = n;
	fs->open_nodes++;
}

int node_open_loc(struct sfs_fs *fs, const struct loc *at, const struct loc *bound_to,
		  struct node **ret, const char **ret_why)
{
	_cleanup_close_ int fd = -1;
	struct sfs_binding b;
	struct stat st;
	struct node *n;
	int r;

	fd = openat(fs->rootfd, at->cpath, (fs->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == EACCES && !fs->ro)
		fd = openat(fs->rootfd, at->cpath, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return errno == ELOOP ? -EINVAL : -errno;
	if (fstat(fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return S_ISDIR(st.st_mode) ? -EISDIR : -EINVAL;
	pthread_mutex_lock(&fs->nodes_lock);
	n = find(fs, st.st_dev, st.st_ino);
	if (n) {
		n->refs++;
		pthread_mutex_unlock(&fs->nodes_lock);
		*ret = n;
		return 0;
	}
	n = node_alloc(fd, &st);
	if (!n) {
		pthread_mutex_unlock(&fs->nodes_lock);
		return -ENOMEM;
	}
	loc_binding(bound_to, &b);
	r = sfs_file_open(&n->f, &sfs_fd_backend, SFS_FD_HANDLE(fd), fs->keys, &b);
	if (r) {
		pthread_mutex_unlock(&fs->nodes_lock);
		n->fd = -1;
		if (ret_why)
			*ret_why = n->f.why;
		sfs_file_release(&n->f);
		pthread_rwlock_destroy(&n->lock);
		free(n);
		return r;
	}
	TAKE_FD(fd);
	insert(fs, n);
	pthread_mutex_unlock(&fs->nodes_lock);
	*ret = n;
	return 0;
}

int node_open_path(struct sfs_fs *fs, const char *path, struct node **ret)
{
	const char *why = NULL;
	struct loc l;
	int r = loc_resolve(fs, path, &l);

	if (r)
		return r;
	r = node_open_loc(fs, &l, &l, ret, &why);
	if (r == -EIO)
		fs_report(fs, path, why ? why : "file header fails authentication", 0, false);
	return r;
}

int node_create(struct sfs_fs *fs, int fd, const struct loc *l, struct node **ret)
{
	struct sfs_binding b;
	struct stat st;
	struct node *n;
	int r;

	if (fstat(fd, &st) < 0)
		return -errno;
	n = node_alloc(fd, &st);
	if (!n)
		return -ENOMEM;
	loc_binding(l, &b);
	r = sfs_file_create(&n->f, &sfs_fd_backend, SFS_FD_HANDLE(fd), fs->keys, &b);
	if (r) {
		n->fd = -1;
		sfs_file_release(&n->f);
		pthread_rwlock_destroy(&n->lock);
		free(n);
		return r;
	}
	pthread_mutex_lock(&fs->nodes_lock);
	insert(fs, n);
	pthread_mutex_unlock(&fs->nodes_lock);
	*ret = n;
	return 0;
}

int node_flush(struct node *n)
{
	struct stat st;
	bool keep;
	int r;

	if (!n->f.hdr_dirty)
		return 0;
	keep = fstat(n->fd, &st) == 0;
	r = sfs_file_flush(&n->f);
	if (keep) {
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		(void)futimens(n->fd, ts);
	}
	return r;
}

void node_put(struct sfs_fs *fs, struct node *n)
{
	struct node **pp;

	pthread_mutex_lock(&fs->nodes_lock);
	if (--n->refs > 0) {
		pthread_mutex_unlock(&fs->nodes_lock);
		return;
	}
	pthread_rwlock_wrlock(&n->lock);
	(void)node_flush(n);
	pthread_rwlock_unlock(&n->lock);
	for (pp = &fs->nodes[bucket_of(n->dev, n->ino)]; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	fs->open_nodes--;
	pthread_mutex_unlock(&fs->nodes_lock);
	node_free(n);
}

void node_flush_at(struct sfs_fs *fs, const char *cpath)
{
	struct stat st;
	struct node *n;

	if (fstatat(fs->rootfd, cpath, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
		return;
	pthread_mutex_lock(&fs->nodes_lock);
	n = find(fs, st.st_dev, st.st_ino);
	if (n) {
		pthread_rwlock_wrlock(&n->lock);
		(void)node_flush(n);
		pthread_rwlock_unlock(&n->lock);
	}
	pthread_mutex_unlock(&fs->nodes_lock);
}
