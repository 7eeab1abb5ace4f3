/*
 * mount.c - set up, mount, daemonise and serve a forward-mode volume (sealfs
 * FUSE layer). See fs.h for the calling sequence.
 */
#define FUSE_USE_VERSION 314
#include <errno.h>
#include <fcntl.h>
#include <fuse.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
	int r;

	if (!fs)
		return -ENOMEM;
	fs->opts = *o;
	fs->ro = o->read_only;
	fs->euid = geteuid();
	pthread_mutex_init(&fs->report_lock, NULL);
	pthread_mutex_init(&fs->dc_lock, NULL);
	pthread_mutex_init(&fs->nodes_lock, NULL);
	pthread_mutex_init(&fs->links_lock, NULL);
	fs->rootfd = open(o->cipherdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fs->rootfd < 0) {
		r = -errno;
		free(fs);
		return r;
	}
	if (o->reverse) {
		fs->ro = true;
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
	r = sfs_diriv_read(fs->rootfd, fs->rootiv);
	if (r) {
		close(fs->rootfd);
		free(fs);
		return r == -ENOENT ? -ENOENT : -EIO;
	}
	*ret = fs;
	return 0;
}

void sfs_fs_free(struct sfs_fs *fs)
{
	if (!fs)
		return;
	dircache_clear(fs);
	links_clear(fs);
	sfs_keys_free(fs->keys);
	free(fs->rev_conf);
	if (fs->rootfd >= 0)
		close(fs->rootfd);
	free(fs);
}

struct idle_watch {
	struct sfs_fs *fs;
	struct fuse *fuse;
};

/* Unmount after opts.idle_seconds without activity and without open files. */
static void *idle_thread(void *arg)
{
	struct idle_watch *w = arg;
	struct sfs_fs *fs = w->fs;
	uint64_t step = fs->opts.idle_seconds / 10;

	if (step < 1)
		step = 1;
	if (step > 60)
		step = 60;
	for (;;) {
		int64_t last;
		unsigned open;

		sleep((unsigned)step);
		last = __atomic_load_n(&fs->last_activity, __ATOMIC_RELAXED);
		pthread_mutex_lock(&fs->nodes_lock);
		open = fs->open_nodes;
		pthread_mutex_unlock(&fs->nodes_lock);
		if (open == 0 && sfs_mono_ms() - last >= (int64_t)fs->opts.idle_seconds * 1000) {
			log_info("'%s': idle for %llu s, unmounting", fs->opts.mountpoint,
				 (unsigned long long)fs->opts.idle_seconds);
			fuse_exit(w->fuse);
			/* Wake the loop: it only notices fuse_exit on its next request. */
			{
				struct stat st;
				(void)!stat(fs->opts.mountpoint, &st);
			}
			return NULL;
		}
	}
}

int sfs_fs_run(struct sfs_fs *fs, uint8_t master[SFS_MASTER_KEY_LEN], const char **ret_stage)
{
	struct fuse_args args = FUSE_ARGS_INIT(0, NULL);
	struct fuse_loop_config *lc = NULL;
	struct idle_watch watch;
	pthread_t idle_tid;
	bool idle_started = false;
	struct fuse *fuse = NULL;
	char opts[8192], dir[2 * 4096 + 1];
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
	fuse = fuse_new(&args, fs->opts.reverse ? &sfs_reverse_ops : &sfs_fuse_ops,
			sizeof(struct fuse_operations), fs);
	if (!fuse) {
		*ret_stage = "fuse options";
		r = -EINVAL;
		goto out;
	}
	if (fuse_mount(fuse, fs->opts.mountpoint) != 0) {
		*ret_stage = "mount";
		r = -EIO;
		goto out;
	}
	if (!fs->opts.foreground) {
		log_use_syslog(true);
		if (fuse_daemonize(0) != 0) {
			*ret_stage = "daemonize";
			r = -ECHILD;
			fuse_unmount(fuse);
			goto out;
		}
	}
	/* The keys are derived in the serving process, in locked memory. */
	r = sfs_keys_new(master, &fs->keys);
	sfs_wipe(master, SFS_MASTER_KEY_LEN);
	if (!r && fs->opts.reverse)
		r = sfs_rev_diriv(fs->keys, "", fs->rootiv);
	if (r) {
		*ret_stage = "keys";
		fuse_unmount(fuse);
		goto out;
	}
	if (fuse_set_signal_handlers(fuse_get_session(fuse)) != 0) {
		*ret_stage = "signals";
		r = -EIO;
		fuse_unmount(fuse);
		goto out;
	}
	fs->last_activity = sfs_mono_ms();
	if (fs->opts.idle_seconds) {
		watch.fs = fs;
		watch.fuse = fuse;
		idle_started = pthread_create(&idle_tid, NULL, idle_thread, &watch) == 0;
	}
	lc = fuse_loop_cfg_create();
	if (lc) {
		fuse_loop_cfg_set_clone_fd(lc, 0);
		fuse_loop_cfg_set_max_threads(lc, 16);
		fuse_loop_cfg_set_idle_threads(lc, 4);
	}
	r = fuse_loop_mt(fuse, lc);
	if (r > 0)
		r = 0; /* terminated by a signal: a clean stop */
	fuse_remove_signal_handlers(fuse_get_session(fuse));
	fuse_unmount(fuse);
	if (idle_started) {
		pthread_cancel(idle_tid);
		pthread_join(idle_tid, NULL);
	}
	*ret_stage = "serve";
out:
	if (lc)
		fuse_loop_cfg_destroy(lc);
	if (fuse)
		fuse_destroy(fuse);
	fuse_opt_free_args(&args);
	return r;
}
