/*
 * nodes.c - open regular files of the forward mode: one struct node per
 * inode while any handle is open, holding a read-write descriptor, the
 * authenticated header state and an rwlock (sealfs FUSE layer).
 *
 * The header's recorded size is brought up to date when the last handle
 * closes, on flush and fsync, before times are set, and at unmount. See
 * fs-internal.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "log.h"
#include "fs-internal.h"
#include "banned.h"

bool node_binding(struct sfs_fs *fs, struct inode *in, uint8_t diriv[SFS_DIRIV_LEN],
		  char name[SFS_NAME_MAX + 1], size_t *namelen)
{
	bool ok = false;

	pthread_mutex_lock(&fs->table_lock);
	if (in->parent && in->parent->has_iv && in->name && strlen(in->name) <= SFS_NAME_MAX) {
		memcpy(diriv, in->parent->diriv, SFS_DIRIV_LEN);
		*namelen = strlen(in->name);
		memcpy(name, in->name, *namelen + 1);
		ok = true;
	}
	pthread_mutex_unlock(&fs->table_lock);
	return ok;
}

static int reopen(struct sfs_fs *fs, struct inode *in)
{
	char proc[64];
	int fd;

	inode_proc(in, proc);
	fd = open(proc, (fs->ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EROFS) && !fs->ro)
		fd = open(proc, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

static void node_free(struct node *n)
{
	sfs_file_release(&n->f);
	if (n->fd >= 0)
		close(n->fd);
	pthread_rwlock_destroy(&n->lock);
	free(n);
}

static struct node *node_alloc(int fd)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n)
		return NULL;
	n->fd = fd;
	n->opens = 1;
	pthread_rwlock_init(&n->lock, NULL);
	return n;
}

/* Put N in as IN's open state, or take another handle on one that won a race. */
static struct node *install(struct sfs_fs *fs, struct inode *in, struct node *n)
{
	struct node *have;

	pthread_mutex_lock(&fs->table_lock);
	have = in->node;
	if (have) {
		have->opens++;
	} else {
		in->node = n;
		in->refs++;
	}
	fs->open_handles++;
	pthread_mutex_unlock(&fs->table_lock);
	if (have)
		node_free(n);
	return have ? have : n;
}

int node_open(struct sfs_fs *fs, struct inode *in, struct node **ret)
{
	uint8_t diriv[SFS_DIRIV_LEN];
	char name[SFS_NAME_MAX + 1];
	struct sfs_binding b;
	struct node *n;
	bool bound;
	int fd, r;

	if (in->type != S_IFREG)
		return in->type == S_IFDIR ? -EISDIR : -EINVAL;
	pthread_mutex_lock(&fs->table_lock);
	n = in->node;
	if (n) {
		n->opens++;
		fs->open_handles++;
	}
	pthread_mutex_unlock(&fs->table_lock);
	if (n) {
		*ret = n;
		return 0;
	}
	fd = reopen(fs, in);
	if (fd < 0)
		return fd;
	n = node_alloc(fd);
	if (!n) {
		close(fd);
		return -ENOMEM;
	}
	bound = node_binding(fs, in, diriv, name, &b.namelen);
	memcpy(b.diriv, diriv, SFS_DIRIV_LEN);
	b.name = name;
	r = sfs_file_open(&n->f, &sfs_fd_backend, SFS_FD_HANDLE(fd), fs->keys, bound ? &b : NULL);
	if (r) {
		if (r == -EIO)
			fs_report(fs, in, NULL, n->f.why ? n->f.why : "file header fails authentication",
				  0, false);
		node_free(n);
		return r;
	}
	*ret = install(fs, in, n);
	return 0;
}

int node_new(struct sfs_fs *fs, int fd, const struct sfs_place *p, struct node **ret)
{
	struct sfs_binding b;
	struct node *n = node_alloc(fd);
	int r;

	if (!n)
		return -ENOMEM;
	sfs_place_binding(p, &b);
	r = sfs_file_create(&n->f, &sfs_fd_backend, SFS_FD_HANDLE(fd), fs->keys, &b);
	if (r) {
		n->fd = -1; /* the caller closes and removes it */
		node_free(n);
		return r;
	}
	*ret = n;
	return 0;
}

struct node *node_install(struct sfs_fs *fs, struct inode *in, struct node *n)
{
	return install(fs, in, n);
}

void node_discard(struct node *n)
{
	n->fd = -1;
	node_free(n);
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

void node_close(struct sfs_fs *fs, struct inode *in)
{
	struct node *n;

	pthread_mutex_lock(&fs->table_lock);
	n = in->node;
	fs->open_handles--;
	if (!n || --n->opens > 0) {
		pthread_mutex_unlock(&fs->table_lock);
		return;
	}
	/* The last handle: its header is current before another open reads it. */
	pthread_rwlock_wrlock(&n->lock);
	(void)node_flush(n);
	pthread_rwlock_unlock(&n->lock);
	in->node = NULL;
	pthread_mutex_unlock(&fs->table_lock);
	node_free(n);
	inode_put(fs, in);
}

int node_rebind(struct sfs_fs *fs, struct inode *in, const struct sfs_place *at,
		const struct sfs_place *was, const struct sfs_place *to)
{
	struct sfs_binding b;
	struct stat st;
	struct node *n = NULL;
	bool keep;
	int r;

	if (in) {
		r = node_open(fs, in, &n);
		if (r)
			return r;
	} else {
		/* Not known to the kernel: open it where it is, bound where it was. */
		_cleanup_close_ int fd = openat(at->dirfd, at->disk, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
		struct sfs_file f;

		if (fd < 0)
			return -errno;
		sfs_place_binding(was, &b);
		r = sfs_file_open(&f, &sfs_fd_backend, SFS_FD_HANDLE(fd), fs->keys, &b);
		if (!r) {
			keep = fstat(fd, &st) == 0;
			if (to)
				sfs_place_binding(to, &b);
			r = sfs_file_rebind(&f, to ? &b : NULL);
			if (keep) {
				struct timespec ts[2] = {st.st_atim, st.st_mtim};
				(void)futimens(fd, ts);
			}
		}
		sfs_file_release(&f);
		return r;
	}
	pthread_rwlock_wrlock(&n->lock);
	/* A rename or link is not a change of content: keep the times. */
	keep = fstat(n->fd, &st) == 0;
	if (to)
		sfs_place_binding(to, &b);
	r = sfs_file_rebind(&n->f, to ? &b : NULL);
	if (keep) {
		struct timespec ts[2] = {st.st_atim, st.st_mtim};
		(void)futimens(n->fd, ts);
	}
	pthread_rwlock_unlock(&n->lock);
	node_close(fs, in);
	return r;
}

void nodes_flush_all(struct sfs_fs *fs)
{
	pthread_mutex_lock(&fs->table_lock);
	for (size_t b = 0; b < INODE_BUCKETS; b++) {
		for (struct inode *in = fs->table[b]; in; in = in->next) {
			struct node *n = in->node;
			if (!n)
				continue;
			pthread_rwlock_wrlock(&n->lock);
			if (node_flush(n))
				log_error("'%s': could not write the file header at unmount",
					  in->name ? in->name : "?");
			pthread_rwlock_unlock(&n->lock);
		}
	}
	pthread_mutex_unlock(&fs->table_lock);
}

void nodes_free_all(struct sfs_fs *fs)
{
	for (size_t b = 0; b < INODE_BUCKETS; b++) {
		for (struct inode *in = fs->table[b]; in; in = in->next) {
			if (in->node) {
				node_free(in->node);
				in->node = NULL;
			}
		}
	}
}
