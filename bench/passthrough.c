/*
 * passthrough.c - the FUSE ceiling for bench/fs.sh: a minimal low-level
 * passthrough filesystem without any crypto, built only for the benchmark
 * (`ninja -C build bench/fuse-passthrough`), never installed.
 *
 *   fuse-passthrough SOURCE MOUNTPOINT     (foreground; fusermount3 -u to stop)
 *
 * It is shaped like sealfs's forward mode so that the difference between the
 * two is the cost of sealfs's own work: one inode per (dev, ino) with an
 * O_PATH descriptor, *at() calls, the same caching (entries and attributes
 * for an hour, readdirplus, no writeback cache), the same thread pool.
 * Not a test, not a product: no locks, errors passed through.
 */
#define FUSE_USE_VERSION 314
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fuse_lowlevel.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

#define TIMEOUT 3600.0
#define BUCKETS 65536

struct ino {
	struct ino *next;
	dev_t dev;
	ino_t ino;
	uint64_t nlookup;
	int fd;
};

static struct ino root;
static struct ino *table[BUCKETS];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

static struct ino *I(fuse_ino_t n)
{
	return n == FUSE_ROOT_ID ? &root : (struct ino *)(uintptr_t)n;
}

static unsigned bucket(dev_t d, ino_t i)
{
	return (unsigned)(((uint64_t)i * 0x9E3779B97F4A7C15ull ^ d) >> 40) % BUCKETS;
}

static int entry(fuse_ino_t parent, const char *name, struct fuse_entry_param *e)
{
	struct stat st;
	struct ino *in;
	int fd = openat(I(parent)->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return errno;
	if (fstatat(fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0) {
		int r = errno;
		close(fd);
		return r;
	}
	pthread_mutex_lock(&lock);
	for (in = table[bucket(st.st_dev, st.st_ino)]; in; in = in->next)
		if (in->dev == st.st_dev && in->ino == st.st_ino)
			break;
	if (in) {
		in->nlookup++;
		close(fd);
	} else {
		in = calloc(1, sizeof(*in));
		if (!in) {
			pthread_mutex_unlock(&lock);
			close(fd);
			return ENOMEM;
		}
		in->dev = st.st_dev;
		in->ino = st.st_ino;
		in->fd = fd;
		in->nlookup = 1;
		in->next = table[bucket(st.st_dev, st.st_ino)];
		table[bucket(st.st_dev, st.st_ino)] = in;
	}
	pthread_mutex_unlock(&lock);
	memset(e, 0, sizeof(*e));
	e->ino = (fuse_ino_t)(uintptr_t)in;
	e->attr = st;
	e->attr_timeout = e->entry_timeout = TIMEOUT;
	return 0;
}

static void forget_one(fuse_ino_t n, uint64_t k)
{
	struct ino *in = I(n), **pp;

	if (in == &root)
		return;
	pthread_mutex_lock(&lock);
	in->nlookup -= k > in->nlookup ? in->nlookup : k;
	if (in->nlookup) {
		pthread_mutex_unlock(&lock);
		return;
	}
	for (pp = &table[bucket(in->dev, in->ino)]; *pp; pp = &(*pp)->next)
		if (*pp == in) {
			*pp = in->next;
			break;
		}
	pthread_mutex_unlock(&lock);
	close(in->fd);
	free(in);
}

static void reply_entry(fuse_req_t req, fuse_ino_t parent, const char *name, int r)
{
	struct fuse_entry_param e;

	if (!r)
		r = entry(parent, name, &e);
	if (r)
		fuse_reply_err(req, r);
	else
		fuse_reply_entry(req, &e);
}

static void pt_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e;
	int r = entry(parent, name, &e);

	if (r == ENOENT) {
		memset(&e, 0, sizeof(e));
		e.entry_timeout = TIMEOUT;
		fuse_reply_entry(req, &e);
	} else if (r) {
		fuse_reply_err(req, r);
	} else {
		fuse_reply_entry(req, &e);
	}
}

static void pt_forget(fuse_req_t req, fuse_ino_t ino, uint64_t n)
{
	forget_one(ino, n);
	fuse_reply_none(req);
}

static void pt_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *f)
{
	for (size_t i = 0; i < count; i++)
		forget_one(f[i].ino, f[i].nlookup);
	fuse_reply_none(req);
}

static void pt_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct stat st;

	if (fstatat(I(ino)->fd, "", &st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_attr(req, &st, TIMEOUT);
}

static void pt_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *a, int set,
		       struct fuse_file_info *fi)
{
	char proc[64];
	int r = 0;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", I(ino)->fd);
	if ((set & FUSE_SET_ATTR_MODE) && chmod(proc, a->st_mode & 07777) < 0)
		r = errno;
	if (!r && (set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) &&
	    fchownat(I(ino)->fd, "", set & FUSE_SET_ATTR_UID ? a->st_uid : (uid_t)-1,
		     set & FUSE_SET_ATTR_GID ? a->st_gid : (gid_t)-1,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW) < 0)
		r = errno;
	if (!r && (set & FUSE_SET_ATTR_SIZE) &&
	    (fi ? ftruncate((int)fi->fh, a->st_size) : truncate(proc, a->st_size)) < 0)
		r = errno;
	if (!r && (set & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME | FUSE_SET_ATTR_ATIME_NOW |
			  FUSE_SET_ATTR_MTIME_NOW))) {
		struct timespec tv[2] = {{.tv_nsec = UTIME_OMIT}, {.tv_nsec = UTIME_OMIT}};
		if (set & FUSE_SET_ATTR_ATIME_NOW)
			tv[0].tv_nsec = UTIME_NOW;
		else if (set & FUSE_SET_ATTR_ATIME)
			tv[0] = a->st_atim;
		if (set & FUSE_SET_ATTR_MTIME_NOW)
			tv[1].tv_nsec = UTIME_NOW;
		else if (set & FUSE_SET_ATTR_MTIME)
			tv[1] = a->st_mtim;
		if (utimensat(AT_FDCWD, proc, tv, 0) < 0)
			r = errno;
	}
	if (r)
		fuse_reply_err(req, r);
	else
		pt_getattr(req, ino, fi);
}

static void pt_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[PATH_MAX + 1];
	ssize_t n = readlinkat(I(ino)->fd, "", buf, sizeof(buf) - 1);

	if (n < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	buf[n] = '\0';
	fuse_reply_readlink(req, buf);
}

static void pt_mkdir(fuse_req_t req, fuse_ino_t p, const char *name, mode_t mode)
{
	reply_entry(req, p, name, mkdirat(I(p)->fd, name, mode) < 0 ? errno : 0);
}

static void pt_mknod(fuse_req_t req, fuse_ino_t p, const char *name, mode_t mode, dev_t rdev)
{
	reply_entry(req, p, name, mknodat(I(p)->fd, name, mode, rdev) < 0 ? errno : 0);
}

static void pt_symlink(fuse_req_t req, const char *link, fuse_ino_t p, const char *name)
{
	reply_entry(req, p, name, symlinkat(link, I(p)->fd, name) < 0 ? errno : 0);
}

static void pt_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t p, const char *name)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", I(ino)->fd);
	reply_entry(req, p, name,
		    linkat(AT_FDCWD, proc, I(p)->fd, name, AT_SYMLINK_FOLLOW) < 0 ? errno : 0);
}

static void pt_unlink(fuse_req_t req, fuse_ino_t p, const char *name)
{
	fuse_reply_err(req, unlinkat(I(p)->fd, name, 0) < 0 ? errno : 0);
}

static void pt_rmdir(fuse_req_t req, fuse_ino_t p, const char *name)
{
	fuse_reply_err(req, unlinkat(I(p)->fd, name, AT_REMOVEDIR) < 0 ? errno : 0);
}

static void pt_rename(fuse_req_t req, fuse_ino_t p, const char *name, fuse_ino_t np,
		      const char *nn, unsigned flags)
{
	fuse_reply_err(req, renameat2(I(p)->fd, name, I(np)->fd, nn, flags) < 0 ? errno : 0);
}

static void pt_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	char proc[64];
	int fd;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", I(ino)->fd);
	fd = open(proc, fi->flags & ~O_NOFOLLOW);
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	fi->fh = (uint64_t)fd;
	fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

static void pt_create(fuse_req_t req, fuse_ino_t p, const char *name, mode_t mode,
		      struct fuse_file_info *fi)
{
	struct fuse_entry_param e;
	int fd = openat(I(p)->fd, name, (fi->flags | O_CREAT) & ~O_NOFOLLOW, mode), r;

	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	r = entry(p, name, &e);
	if (r) {
		close(fd);
		fuse_reply_err(req, r);
		return;
	}
	fi->fh = (uint64_t)fd;
	fuse_reply_create(req, &e, fi);
}

static void pt_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	char *buf = malloc(size ? size : 1);
	ssize_t n = buf ? pread((int)fi->fh, buf, size, off) : -1;

	if (n < 0)
		fuse_reply_err(req, buf ? errno : ENOMEM);
	else
		fuse_reply_buf(req, buf, (size_t)n);
	free(buf);
}

static void pt_write(fuse_req_t req, fuse_ino_t ino, const char *buf, size_t size, off_t off,
		     struct fuse_file_info *fi)
{
	ssize_t n = pwrite((int)fi->fh, buf, size, off);

	if (n < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_write(req, (size_t)n);
}

static void pt_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static void pt_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	close((int)fi->fh);
	fuse_reply_err(req, 0);
}

static void pt_fsync(fuse_req_t req, fuse_ino_t ino, int ds, struct fuse_file_info *fi)
{
	fuse_reply_err(req, (ds ? fdatasync((int)fi->fh) : fsync((int)fi->fh)) < 0 ? errno : 0);
}

struct dirh {
	DIR *d;
	off_t off;
	struct dirent *ent;
};

static void pt_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dirh *h = calloc(1, sizeof(*h));
	int fd = h ? openat(I(ino)->fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC) : -1;

	if (fd < 0 || !(h->d = fdopendir(fd))) {
		int r = errno;
		if (fd >= 0)
			close(fd);
		free(h);
		fuse_reply_err(req, r ? r : ENOMEM);
		return;
	}
	fi->fh = (uintptr_t)h;
	fi->cache_readdir = fi->keep_cache = 1;
	fuse_reply_open(req, fi);
}

static void list(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		 struct fuse_file_info *fi, int plus)
{
	struct dirh *h = (struct dirh *)(uintptr_t)fi->fh;
	char *buf = malloc(size), *p = buf;
	size_t rem = size;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (off != h->off) {
		seekdir(h->d, off);
		h->ent = NULL;
		h->off = off;
	}
	for (;;) {
		struct fuse_entry_param e;
		size_t used;
		int dot;

		if (!h->ent && !(h->ent = readdir(h->d)))
			break;
		dot = !strcmp(h->ent->d_name, ".") || !strcmp(h->ent->d_name, "..");
		memset(&e, 0, sizeof(e));
		e.attr.st_ino = h->ent->d_ino;
		e.attr.st_mode = (mode_t)DTTOIF(h->ent->d_type);
		if (plus && !dot && entry(ino, h->ent->d_name, &e))
			break;
		used = plus ? fuse_add_direntry_plus(req, p, rem, h->ent->d_name, &e, h->ent->d_off)
			    : fuse_add_direntry(req, p, rem, h->ent->d_name, &e.attr, h->ent->d_off);
		if (used > rem) {
			if (plus && !dot)
				forget_one(e.ino, 1);
			break;
		}
		p += used;
		rem -= used;
		h->off = h->ent->d_off;
		h->ent = NULL;
	}
	fuse_reply_buf(req, buf, size - rem);
	free(buf);
}

static void pt_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	list(req, ino, size, off, fi, 0);
}

static void pt_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
			   struct fuse_file_info *fi)
{
	list(req, ino, size, off, fi, 1);
}

static void pt_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct dirh *h = (struct dirh *)(uintptr_t)fi->fh;

	closedir(h->d);
	free(h);
	fuse_reply_err(req, 0);
}

static void pt_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs st;

	if (fstatvfs(root.fd, &st) < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_statfs(req, &st);
}

/* Extended attributes pass through (as libfuse's passthrough_hp does): the
   kernel asks for some on every ls -l and write, so they are part of the cost. */
static void pt_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	char proc[64], *buf = size ? malloc(size) : NULL;
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", I(ino)->fd);
	n = getxattr(proc, name, buf, size);
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (size)
		fuse_reply_buf(req, buf, (size_t)n);
	else
		fuse_reply_xattr(req, (size_t)n);
	free(buf);
}

static void pt_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	char proc[64], *buf = size ? malloc(size) : NULL;
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", I(ino)->fd);
	n = listxattr(proc, buf, size);
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (size)
		fuse_reply_buf(req, buf, (size_t)n);
	else
		fuse_reply_xattr(req, (size_t)n);
	free(buf);
}

static void pt_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
			size_t size, int flags)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", I(ino)->fd);
	fuse_reply_err(req, setxattr(proc, name, value, size, flags) < 0 ? errno : 0);
}

static void pt_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	char proc[64];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", I(ino)->fd);
	fuse_reply_err(req, removexattr(proc, name) < 0 ? errno : 0);
}

static void pt_init(void *u, struct fuse_conn_info *conn)
{
	conn->want &= ~(unsigned)FUSE_CAP_WRITEBACK_CACHE;
	if (conn->capable & FUSE_CAP_READDIRPLUS)
		conn->want |= FUSE_CAP_READDIRPLUS | FUSE_CAP_READDIRPLUS_AUTO;
	if (conn->capable & FUSE_CAP_PARALLEL_DIROPS)
		conn->want |= FUSE_CAP_PARALLEL_DIROPS;
	conn->want &= ~(unsigned)(FUSE_CAP_SPLICE_READ | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE);
	conn->max_write = 1 << 20;
	conn->max_readahead = 1 << 20;
}

static const struct fuse_lowlevel_ops ops = {
	.init = pt_init,
	.lookup = pt_lookup,
	.forget = pt_forget,
	.forget_multi = pt_forget_multi,
	.getattr = pt_getattr,
	.setattr = pt_setattr,
	.readlink = pt_readlink,
	.mknod = pt_mknod,
	.mkdir = pt_mkdir,
	.unlink = pt_unlink,
	.rmdir = pt_rmdir,
	.symlink = pt_symlink,
	.rename = pt_rename,
	.link = pt_link,
	.open = pt_open,
	.read = pt_read,
	.write = pt_write,
	.flush = pt_flush,
	.release = pt_release,
	.fsync = pt_fsync,
	.opendir = pt_opendir,
	.readdir = pt_readdir,
	.readdirplus = pt_readdirplus,
	.releasedir = pt_releasedir,
	.statfs = pt_statfs,
	.create = pt_create,
	.getxattr = pt_getxattr,
	.listxattr = pt_listxattr,
	.setxattr = pt_setxattr,
	.removexattr = pt_removexattr,
};

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *lc;
	struct fuse_session *se;
	struct rlimit rl;
	struct stat st;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: fuse-passthrough SOURCE MOUNTPOINT\n");
		return 2;
	}
	root.fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (root.fd < 0 || fstat(root.fd, &st) < 0) {
		perror(argv[1]);
		return 1;
	}
	root.dev = st.st_dev;
	root.ino = st.st_ino;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	if (fuse_opt_add_arg(&args, "fuse-passthrough") || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, "default_permissions,fsname=passthrough,subtype=passthrough"))
		return 1;
	se = fuse_session_new(&args, &ops, sizeof(ops), NULL);
	if (!se || fuse_set_signal_handlers(se) || fuse_session_mount(se, argv[2]))
		return 1;
	lc = fuse_loop_cfg_create();
	fuse_loop_cfg_set_clone_fd(lc, 0);
	fuse_loop_cfg_set_max_threads(lc, 16);
	fuse_loop_cfg_set_idle_threads(lc, 4);
	r = fuse_session_loop_mt(se, lc);
	fuse_session_unmount(se);
	fuse_remove_signal_handlers(se);
	fuse_session_destroy(se);
	fuse_loop_cfg_destroy(lc);
	fuse_opt_free_args(&args);
	return r ? 1 : 0;
}
