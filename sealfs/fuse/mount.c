/*
 * mount.c - set up, mount, daemonise and serve a volume on libfuse's
 * low-level API, with the signal and --idle threads (sealfs FUSE layer).
 * See fs.h for the calling sequence.
 *
 * SIGTERM, SIGINT and SIGHUP are taken by one thread, which first syncs the
 * mounted filesystem (the kernel writes back its cached pages through the
 * still running loop), then ends the loop; open files' headers are written
 * before the mount goes.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "log.h"
#include "tree.h"
#include "io.h"
#include "config.h"
#include "reverse.h"
#include "fs-internal.h"
#include "banned.h"

int sfs_fs_new(const struct sfs_mount_opts *o, struct sfs_fs **ret)
{
	struct sfs_fs *fs = calloc(1, sizeof(*fs));
	struct stat st;
	int r;

	if (!fs)
		return -ENOMEM;
	fs->opts = *o;
	fs->ro = o->read_only;
	fs->euid = geteuid();
	pthread_mutex_init(&fs->report_lock, NULL);
	pthread_mutex_init(&fs->table_lock, NULL);
	fs->handles.next = fs->handles.prev = &fs->handles;
	fs->rootfd = open(o->cipherdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->rootfd < 0 || fstat(fs->rootfd, &st) < 0) {
		r = -errno;
		if (fs->rootfd >= 0)
			close(fs->rootfd);
		free(fs);
		return r;
	}
	fs->root.dev = st.st_dev;
	fs->root.ino = st.st_ino;
	fs->root.type = S_IFDIR;
	fs->root.fd = fs->rootfd;
	fs->root.name = NULL;
	if (o->encfs) {
		fs->ro = true;
		fs->efs = o->encfs;
		pthread_mutex_init(&fs->efs_lock, NULL);
		fs->timeout = 3600;
		fs->root.eiv = 0; /* EFS_ROOT_IV */
		*ret = fs;
		return 0;
	}
	if (o->reverse) {
		fs->ro = true;
		/* A live tree that others change: nothing cached (see rops.c). */
		fs->timeout = 0;
		r = io_read_file_at(fs->rootfd, SFS_REVERSE_CONFIG_NAME, SFS_CONFIG_MAX, &fs->rev_conf,
				    &fs->rev_conf_len);
		if (r) {
			close(fs->rootfd);
			free(fs);
			return r;
		}
		*ret = fs;
		return 0;
	}
	/* The volume owns its CIPHERDIR: the kernel may cache for long. */
	fs->timeout = o->shared_storage ? 0 : 3600;
	r = sfs_diriv_read(fs->rootfd, fs->rootiv);
	if (r) {
		close(fs->rootfd);
		free(fs);
		return r == -ENOENT ? -ENOENT : -EIO;
	}
	memcpy(fs->root.diriv, fs->rootiv, SFS_DIRIV_LEN);
	fs->root.has_iv = true;
	*ret = fs;
	return 0;
}

void sfs_fs_free(struct sfs_fs *fs)
{
	if (!fs)
		return;
	inode_table_free(fs);
	sfs_keys_free(fs->keys);
	free(fs->rev_conf);
	if (fs->rootfd >= 0)
		close(fs->rootfd);
	free(fs);
}

/* Make the loop notice fuse_session_exit: it does on its next request, and
   statfs is one the kernel never answers from its cache. */
static void wake_loop(struct sfs_fs *fs)
{
	struct statvfs sv;

	(void)statvfs(fs->opts.mountpoint, &sv);
}

/*
 * The helper threads stop when asked (never cancelled: a cancelled thread's
 * unwinding leaves its stack poisoned for the sanitizers).
 */
static pthread_mutex_t stop_lock = PTHREAD_MUTEX_INITIALIZER;
static bool stopping;
static int stop_pipe[2] = {-1, -1}; /* written once to wake the idle thread */

/* Wait SECONDS or until asked to stop (a relative poll timeout: no clock
   arithmetic for a faked or stepped clock to get wrong). */
static bool wait_stop(uint64_t seconds)
{
	struct pollfd p = {.fd = stop_pipe[0], .events = POLLIN};
	bool stop;

	(void)poll(&p, 1, (int)(seconds * 1000));
	pthread_mutex_lock(&stop_lock);
	stop = stopping;
	pthread_mutex_unlock(&stop_lock);
	return stop;
}

/* Unmount after opts.idle_seconds without activity and without open files. */
static void *idle_thread(void *arg)
{
	struct sfs_fs *fs = arg;
	uint64_t step = fs->opts.idle_seconds / 10;

	if (step < 1)
		step = 1;
	if (step > 60)
		step = 60;
	while (!wait_stop(step)) {
		int64_t last = __atomic_load_n(&fs->last_activity, __ATOMIC_RELAXED);
		unsigned open;

		pthread_mutex_lock(&fs->table_lock);
		open = fs->open_handles;
		pthread_mutex_unlock(&fs->table_lock);
		if (open == 0 && sfs_mono_ms() - last >= (int64_t)fs->opts.idle_seconds * 1000) {
			log_info("'%s': idle for %llu s, unmounting", fs->opts.mountpoint,
				 (unsigned long long)fs->opts.idle_seconds);
			fuse_session_exit(fs->se);
			wake_loop(fs);
			return NULL;
		}
	}
	return NULL;
}

static sigset_t stop_signals(void)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	return set;
}

/* Wait for a stop signal: sync what the kernel holds, then end the loop. */
static void *signal_thread(void *arg)
{
	struct sfs_fs *fs = arg;
	sigset_t set = stop_signals();
	int sig = 0, fd;
	bool stop;

	if (sigwait(&set, &sig))
		return NULL;
	pthread_mutex_lock(&stop_lock);
	stop = stopping;
	pthread_mutex_unlock(&stop_lock);
	if (stop)
		return NULL; /* the loop ended by itself: this is the wake-up */
	log_info("'%s': signal %d, writing back and unmounting", fs->opts.mountpoint, sig);
	fd = open(fs->opts.mountpoint, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		(void)syncfs(fd);
		close(fd);
	}
	fuse_session_exit(fs->se);
	wake_loop(fs);
	return NULL;
}

static void stop_helpers(pthread_t *idle, pthread_t *sig)
{
	pthread_mutex_lock(&stop_lock);
	stopping = true;
	pthread_mutex_unlock(&stop_lock);
	if (stop_pipe[1] >= 0)
		(void)!write(stop_pipe[1], "x", 1);
	if (sig) {
		pthread_kill(*sig, SIGHUP); /* a no-op when it has returned already */
		pthread_join(*sig, NULL);
	}
	if (idle)
		pthread_join(*idle, NULL);
	for (int i = 0; i < 2; i++) {
		if (stop_pipe[i] >= 0)
			close(stop_pipe[i]);
		stop_pipe[i] = -1;
	}
}

/* Every inode holds a descriptor: allow as many as the hard limit does. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		(void)setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int sfs_fs_run(struct sfs_fs *fs, uint8_t master[SFS_MASTER_KEY_LEN], const char **ret_stage)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *lc = NULL;
	pthread_t idle_tid, sig_tid;
	bool idle_started = false, sig_started = false, mounted = false;
	char opts[8192], dir[2 * 4096 + 1];
	sigset_t set = stop_signals(), old;
	size_t o = 0;
	int r = 0, n;

	/* libfuse splits -o at commas: escape them (and backslashes) in the path. */
	for (const char *p = fs->opts.cipherdir; *p && o + 2 < sizeof(dir); p++) {
		if (*p == ',' || *p == '\\')
			dir[o++] = '\\';
		dir[o++] = *p;
	}
	dir[o] = '\0';
	n = snprintf(opts, sizeof(opts), "default_permissions,fsname=sealfs:%s,subtype=sealfs%s%s%s",
		     dir, fs->ro ? ",ro" : "",
		     fs->opts.fuse_opts ? "," : "", fs->opts.fuse_opts ? fs->opts.fuse_opts : "");
	if (n < 0 || (size_t)n >= sizeof(opts)) {
		*ret_stage = "options";
		return -E2BIG;
	}
	if (fuse_opt_add_arg(&args, "sealfs") || fuse_opt_add_arg(&args, "-o") ||
	    fuse_opt_add_arg(&args, opts) || (fs->opts.debug && fuse_opt_add_arg(&args, "-d"))) {
		*ret_stage = "options";
		r = -ENOMEM;
		goto out;
	}
	raise_fd_limit();
	fs->se = fuse_session_new(&args, fs->efs ? &sfs_encfs_ops
					 : fs->opts.reverse ? &sfs_rev_ops : &sfs_ll_ops,
				  sizeof(struct fuse_lowlevel_ops), fs);
	if (!fs->se) {
		*ret_stage = "fuse options";
		r = -EINVAL;
		goto out;
	}
	if (fuse_session_mount(fs->se, fs->opts.mountpoint) != 0) {
		*ret_stage = "mount";
		r = -EIO;
		goto out;
	}
	mounted = true;
	if (!fs->opts.foreground) {
		log_use_syslog(true);
		if (fuse_daemonize(0) != 0) {
			*ret_stage = "daemonize";
			r = -ECHILD;
			goto out;
		}
	}
	/* The keys are derived in the serving process, in locked memory. */
	r = fs->efs ? 0 : sfs_keys_new(master, &fs->keys);
	if (master)
		sfs_wipe(master, SFS_MASTER_KEY_LEN);
	if (!r && fs->opts.reverse) {
		r = sfs_rev_diriv(fs->keys, "", fs->rootiv);
		memcpy(fs->root.diriv, fs->rootiv, SFS_DIRIV_LEN);
		fs->root.has_iv = true;
	}
	if (r) {
		*ret_stage = "keys";
		goto out;
	}
	/* Only the signal thread takes the stop signals; every other thread,
	   the loop's workers included, inherits this mask. */
	signal(SIGPIPE, SIG_IGN);
	pthread_sigmask(SIG_BLOCK, &set, &old);
	if (pipe2(stop_pipe, O_CLOEXEC) < 0)
		stop_pipe[0] = stop_pipe[1] = -1;
	sig_started = pthread_create(&sig_tid, NULL, signal_thread, fs) == 0;
	fs->last_activity = sfs_mono_ms();
	if (fs->opts.idle_seconds)
		idle_started = pthread_create(&idle_tid, NULL, idle_thread, fs) == 0;
	lc = fuse_loop_cfg_create();
	if (lc) {
		fuse_loop_cfg_set_clone_fd(lc, 0);
		fuse_loop_cfg_set_max_threads(lc, 16);
		fuse_loop_cfg_set_idle_threads(lc, 4);
	}
	r = fuse_session_loop_mt(fs->se, lc);
	if (r > 0)
		r = 0; /* ended by a signal: a clean stop */
	/* The kernel may still hold open handles: their headers go out now. */
	if (!fs->opts.reverse && !fs->efs)
		nodes_flush_all(fs);
	/* Unmounting closes the device: the request that woke the loop (which
	   it dropped) returns, so the threads that made it can be joined. */
	fuse_session_unmount(fs->se);
	mounted = false;
	stop_helpers(idle_started ? &idle_tid : NULL, sig_started ? &sig_tid : NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	*ret_stage = "serve";
out:
	if (fs->se) {
		if (mounted)
			fuse_session_unmount(fs->se);
		fuse_session_destroy(fs->se);
		fs->se = NULL;
	}
	if (lc)
		fuse_loop_cfg_destroy(lc);
	fuse_opt_free_args(&args);
	return r;
}
