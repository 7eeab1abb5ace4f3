/*
 * progress.c - the progress line of fsck and decrypt on a terminal (sealfs
 * CLI layer). See progress.h. Depends on libc only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "progress.h"
#include "banned.h"

struct sfs_progress {
	const char *verb;
	uint64_t total_files, total_bytes;	/* plaintext estimate */
	int64_t start_ms, last_ms;
	int width;				/* of the last line drawn */
};

static int64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Regular files and their bytes under DIRFD (not following symlinks; side
   files and the volume's own files counted too: an estimate). */
static void count_tree(int dirfd, unsigned depth, uint64_t *files, uint64_t *bytes)
{
	DIR *d;
	struct dirent *de;
	int fd;

	if (depth > 4096)
		return;
	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((de = readdir(d))) {
		struct stat st;

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISREG(st.st_mode) && strchr(de->d_name, '.') == NULL) {
			(*files)++;
			*bytes += (uint64_t)st.st_size;
		} else if (S_ISDIR(st.st_mode)) {
			int sub = openat(dirfd, de->d_name,
					 O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0) {
				count_tree(sub, depth + 1, files, bytes);
				close(sub);
			}
		}
	}
	closedir(d);
}

struct sfs_progress *sfs_progress_new(const char *verb, int rootfd)
{
	struct sfs_progress *p;
	uint64_t files = 0, bytes = 0;

	if (!isatty(STDERR_FILENO))
		return NULL;
	p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	count_tree(rootfd, 0, &files, &bytes);
	p->verb = verb;
	p->total_files = files;
	/* ciphertext to plaintext: a 48-byte header, 16 bytes per 4 KiB block */
	p->total_bytes = bytes > files * 48 ? (bytes - files * 48) / 4112 * 4096 : 0;
	p->start_ms = mono_ms();
	p->last_ms = 0;	/* the first update draws at once */
	return p;
}

/* "12.3 MB" into BUF. */
static void human(uint64_t v, char *buf, size_t size)
{
	static const char *const unit[] = {"B", "kB", "MB", "GB", "TB", "PB"};
	double x = (double)v;
	int u = 0;

	while (x >= 1000 && u < 5) {
		x /= 1000;
		u++;
	}
	snprintf(buf, size, u ? "%.1f %s" : "%.0f %s", x, unit[u]);
}

void sfs_progress_update(struct sfs_progress *p, uint64_t files, uint64_t bytes)
{
	char done[32], total[32], rate[32], left[32] = "";
	int64_t now, el;
	double bps;
	int n;

	if (!p)
		return;
	now = mono_ms();
	if (now - p->last_ms < 250)
		return;
	p->last_ms = now;
	el = now - p->start_ms;
	bps = el > 0 ? (double)bytes * 1000 / (double)el : 0;
	human(bytes, done, sizeof(done));
	human(p->total_bytes > bytes ? p->total_bytes : bytes, total, sizeof(total));
	human((uint64_t)bps, rate, sizeof(rate));
	if (bps > 0 && p->total_bytes > bytes) {
		uint64_t s = (uint64_t)((double)(p->total_bytes - bytes) / bps);
		snprintf(left, sizeof(left), ", %lu:%02lu:%02lu left", (unsigned long)(s / 3600),
			 (unsigned long)(s / 60 % 60), (unsigned long)(s % 60));
	}
	n = fprintf(stderr, "\r%llu of about %llu files %s, %s of %s, %s/s%s",
		    (unsigned long long)files,
		    (unsigned long long)(p->total_files > files ? p->total_files : files), p->verb,
		    done, total, rate, left);
	if (n > 0 && n < p->width)
		fprintf(stderr, "%*s", p->width - n, "");
	if (n > 0)
		p->width = n;
	fflush(stderr);
}

void sfs_progress_clear(struct sfs_progress *p)
{
	if (!p || !p->width)
		return;
	fprintf(stderr, "\r%*s\r", p->width, "");
	fflush(stderr);
	p->width = 0;
	p->last_ms = 0;	/* redraw at the next update */
}

void sfs_progress_free(struct sfs_progress *p)
{
	sfs_progress_clear(p);
	free(p);
}
