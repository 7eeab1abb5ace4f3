/*
 * hr-slowdisk.c - a disk of known speed for the live advisor test (tests
 * only). A FUSE file system with one file, "disk", of SIZE MiB that reads
 * as zeros and forgets what is written, where every read and write takes
 * DELAY ms (requests are answered one at a time, direct I/O, no page cache).
 * A loop device over that file is a real block device whose every request
 * lasts at least DELAY ms whatever the machine's speed: with a process
 * keeping requests queued it is busy all the time (%util near 100) and its
 * await is at least DELAY, as dm-delay would make it where device-mapper
 * is missing.
 *
 *   hr-slowdisk MOUNTPOINT SIZE_MIB DELAY_MS [keep]   (stays in the foreground)
 *
 * With "keep" it remembers what is written (in memory, SIZE MiB at most),
 * so it can hold a swap area: a swap device of known speed.
 *
 * Depends on libfuse3 only. Exit 0 after unmount, 2 on bad arguments.
 */
#define FUSE_USE_VERSION 35
#include <errno.h>
#include <fuse.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

static off_t disk_size;
static long delay_ms;
static char *store;	/* "keep": the disk's contents, else NULL */

static void wait_delay(void)
{
	struct timespec ts = {.tv_sec = delay_ms / 1000, .tv_nsec = (delay_ms % 1000) * 1000000L};

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static int sd_getattr(const char *path, struct stat *st, struct fuse_file_info *fi)
{
	(void)fi;
	memset(st, 0, sizeof(*st));
	if (!strcmp(path, "/")) {
		st->st_mode = S_IFDIR | 0755;
		st->st_nlink = 2;
	} else if (!strcmp(path, "/disk")) {
		st->st_mode = S_IFREG | 0600;
		st->st_nlink = 1;
		st->st_size = disk_size;
	} else {
		return -ENOENT;
	}
	return 0;
}

static int sd_readdir(const char *path, void *buf, fuse_fill_dir_t fill, off_t off,
		      struct fuse_file_info *fi, enum fuse_readdir_flags flags)
{
	(void)off;
	(void)fi;
	(void)flags;
	if (strcmp(path, "/") != 0)
		return -ENOTDIR;
	fill(buf, ".", NULL, 0, 0);
	fill(buf, "..", NULL, 0, 0);
	fill(buf, "disk", NULL, 0, 0);
	return 0;
}

static int sd_open(const char *path, struct fuse_file_info *fi)
{
	if (strcmp(path, "/disk") != 0)
		return -ENOENT;
	fi->direct_io = 1;	/* every request reaches us: no page cache */
	return 0;
}

static int sd_read(const char *path, char *buf, size_t size, off_t off, struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	wait_delay();
	if (off >= disk_size)
		return 0;
	if ((off_t)size > disk_size - off)
		size = (size_t)(disk_size - off);
	if (store)
		memcpy(buf, store + off, size);
	else
		memset(buf, 0, size);
	return (int)size;
}

static int sd_write(const char *path, const char *buf, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	(void)path;
	(void)fi;
	wait_delay();
	if (off >= disk_size)
		return -ENOSPC;
	if ((off_t)size > disk_size - off)
		size = (size_t)(disk_size - off);
	if (store)
		memcpy(store + off, buf, size);
	return (int)size;
}

static int sd_fsync(const char *path, int datasync, struct fuse_file_info *fi)
{
	(void)path;
	(void)datasync;
	(void)fi;
	return 0;
}

static const struct fuse_operations sd_ops = {
	.getattr = sd_getattr,
	.readdir = sd_readdir,
	.open = sd_open,
	.read = sd_read,
	.write = sd_write,
	.fsync = sd_fsync,
};

int main(int argc, char **argv)
{
	char *end;
	long mib;

	if (argc != 4 && !(argc == 5 && !strcmp(argv[4], "keep"))) {
		fprintf(stderr, "usage: hr-slowdisk MOUNTPOINT SIZE_MIB DELAY_MS [keep]\n");
		return 2;
	}
	mib = strtol(argv[2], &end, 10);
	if (*end || mib < 1 || mib > 4096) {
		fprintf(stderr, "hr-slowdisk: bad size '%s' (1-4096 MiB)\n", argv[2]);
		return 2;
	}
	delay_ms = strtol(argv[3], &end, 10);
	if (*end || delay_ms < 0 || delay_ms > 10000) {
		fprintf(stderr, "hr-slowdisk: bad delay '%s' (0-10000 ms)\n", argv[3]);
		return 2;
	}
	disk_size = (off_t)mib << 20;
	if (argc == 5) {
		/* zero pages until written: only what is used costs memory */
		store = calloc(1, (size_t)disk_size);
		if (!store) {
			fprintf(stderr, "hr-slowdisk: cannot keep %ld MiB\n", mib);
			return 1;
		}
	}
	/* foreground, one thread: requests are answered one after the other */
	char *fargv[] = {argv[0], "-f", "-s", "-o", "fsname=hr-slowdisk", argv[1], NULL};
	return fuse_main(6, fargv, &sd_ops, NULL) == 0 ? 0 : 1;
}
