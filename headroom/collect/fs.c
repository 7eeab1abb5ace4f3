/*
 * fs.c - the "fs" collector: /proc/mounts, /proc/filesystems and statvfs()
 * of each mounted filesystem on storage (headroom/collect).
 *
 * Table fs, key = mount point, label = device, gauges: size, free (to
 * root) and available (to users) in kB, used_pct as df computes it
 * (used / (used + avail)), inodes total and free, iused_pct. Only types
 * /proc/filesystems lists without "nodev" count (so no proc, tmpfs, cgroup,
 * overlay, nor network filesystems, whose statvfs can hang); a device
 * mounted twice (bind mounts) is reported at its first mount point.
 * Mount points are opened under the root prefix. Depends on common/ only.
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "util.h"
#include "banned.h"

#define HR_MAX_MOUNTS 1024
#define HR_MAX_FS_REPORTED 256

static const char *const fs_cols[] = {"size_kb", "free_kb", "avail_kb", "used_pct",
				      "files",	 "ffree",   "iused_pct", NULL};
static const struct hr_table fs_table = {
	.name = "fs", .key = "mount", .label = "device", .cols = fs_cols,
	.ncols = ARRAY_SIZE(fs_cols) - 1,
};
const struct hr_table *const hr_fs_tables[] = {&fs_table, NULL};

/* Copy a mounts field, decoding \ooo octal escapes, truncating at cap-1. */
static void unescape(const char *in, char *out, size_t cap)
{
	size_t n = 0;

	while (*in && n < cap - 1) {
		if (in[0] == '\\' && in[1] >= '0' && in[1] <= '3' && in[2] >= '0' && in[2] <= '7' &&
		    in[3] >= '0' && in[3] <= '7') {
			char c = (char)((in[1] - '0') * 64 + (in[2] - '0') * 8 + (in[3] - '0'));
			if (c == '\0')
				break;
			out[n++] = c;
			in += 4;
		} else {
			out[n++] = *in++;
		}
	}
	out[n] = '\0';
}

int hr_parse_mounts(const char *buf, size_t len, struct hr_mount **ret, size_t *ret_n)
{
	struct hr_mount *arr = NULL;
	size_t n = 0, cap = 0;
	struct hr_scan s;
	char line[HR_LINE_MAX], dev[1024], dir[1024], type[32];

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		const char *p = line;
		struct hr_mount m;

		if (!hr_scan_word(&p, dev, sizeof(dev)) || !hr_scan_word(&p, dir, sizeof(dir)) ||
		    !hr_scan_word(&p, type, sizeof(type)) || dir[0] != '/')
			continue;
		unescape(dev, m.device, sizeof(m.device));
		unescape(dir, m.dir, sizeof(m.dir));
		snprintf(m.type, sizeof(m.type), "%s", type);
		int r = array_reserve((void **)&arr, &cap, n, sizeof(*arr), 16, HR_MAX_MOUNTS);
		if (r) {
			free(arr);
			return r;
		}
		arr[n++] = m;
	}
	if (n == 0) {
		free(arr);
		return -EINVAL;
	}
	*ret = arr;
	*ret_n = n;
	return 0;
}

bool hr_fs_is_real(const char *buf, size_t len, const char *type)
{
	struct hr_scan s;
	char line[256];

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		const char *p = line;
		char w1[64], w2[64];

		if (!hr_scan_word(&p, w1, sizeof(w1)))
			continue;
		if (!strcmp(w1, "nodev"))
			continue;	/* virtual: not on storage */
		if (!hr_scan_word(&p, w2, sizeof(w2)) && !strcmp(w1, type))
			return true;
	}
	return false;
}

/*
 * The mount table is read again only when it changed: poll() on an open
 * /proc/mounts reports POLLPRI once after every mount or unmount in our
 * namespace (what systemd and libmount watch). Reading and parsing it costs
 * about as much as the rest of this collector, and hosts with containers
 * have hundreds of mounts. A captured tree (not procfs) is read every time.
 */
struct fs_state {
	int watch_fd;		/* proc/mounts, polled for changes; -1 if none */
	bool unwatchable;	/* proc/mounts is a plain file */
	bool loaded;		/* the list below is that of the current table */
	struct hr_mount *m;	/* the candidates: real filesystems, first mount per device */
	size_t n;
};

void hr_fs_free(void *state)
{
	struct fs_state *st = state;

	if (st) {
		if (st->watch_fd >= 0)
			close(st->watch_fd);
		free(st->m);
	}
	free(st);
}

static bool seen_device(const struct hr_mount *m, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (!strcmp(m[j].device, m[i].device) && m[j].type[0] != '\0')
			return true;
	return false;
}

/*
 * True if the mount table may have changed since the list was loaded. The
 * watch is opened before the table is read, so a change made while reading
 * is seen at the next call.
 */
static bool mounts_changed(struct hr_ctx *ctx, struct fs_state *st)
{
	struct pollfd pfd;
	int fd;

	if (st->watch_fd >= 0 && st->loaded) {
		pfd = (struct pollfd){.fd = st->watch_fd, .events = POLLPRI};
		if (poll(&pfd, 1, 0) != 1)
			return false;
		return pfd.revents & (POLLERR | POLLPRI | POLLNVAL);
	}
	if (st->watch_fd < 0 && !st->unwatchable) {
		fd = openat(ctx->rootfd, "proc/mounts", O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd >= 0 && hr_fd_is_pseudo(fd)) {
			st->watch_fd = fd;
		} else if (fd >= 0) {
			st->unwatchable = true;	/* a captured tree: read every time */
			close(fd);
		}
	}
	return true;
}

/* Read /proc/filesystems and /proc/mounts into the list of candidates. */
static int load_mounts(struct hr_ctx *ctx, struct fs_state *st)
{
	_cleanup_free_ struct hr_mount *m = NULL;
	_cleanup_free_ char *fsbuf = NULL;
	const char *buf;
	size_t len, n, fslen, kept = 0;

	if (hr_ctx_read(ctx, "proc/filesystems", &buf, &len) < 0)
		return -ENOENT;
	fsbuf = strndup(buf, len);
	if (!fsbuf)
		return -ENOMEM;
	fslen = len;
	if (hr_ctx_read(ctx, "proc/mounts", &buf, &len) < 0)
		return -ENOENT;
	if (hr_parse_mounts(buf, len, &m, &n) < 0)
		return -EINVAL;
	_cleanup_free_ bool *keep = calloc(n, sizeof(*keep));
	if (!keep)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++)
		if (!hr_fs_is_real(fsbuf, fslen, m[i].type))
			m[i].type[0] = '\0';	/* not a candidate for seen_device() */
	for (size_t i = 0; i < n; i++)
		keep[i] = m[i].type[0] != '\0' && !seen_device(m, i);	/* bind mounts: once */
	for (size_t i = 0; i < n; i++)
		if (keep[i])
			m[kept++] = m[i];
	free(st->m);
	st->m = TAKE_PTR(m);
	st->n = kept;
	return 0;
}

int hr_fs_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
		 struct hr_rows *out)
{
	struct fs_state *st = *state;
	size_t reported = 0;
	int r;

	if (!have_prev)
		return 0;
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st)
			return -ENOMEM;
		st->watch_fd = -1;
		*state = st;
	}
	if (mounts_changed(ctx, st)) {
		r = load_mounts(ctx, st);
		st->loaded = r == 0 && st->watch_fd >= 0;
		if (r < 0)
			return r == -ENOMEM ? r : 0;
	}
	for (size_t i = 0; i < st->n && reported < HR_MAX_FS_REPORTED; i++) {
		_cleanup_close_ int fd = -1;
		const struct hr_mount *m = &st->m[i];
		struct statvfs sv;
		struct hr_row *row;
		const char *rel = m->dir + 1;	/* under the root prefix */

		fd = openat(ctx->rootfd, *rel ? rel : ".", O_PATH | O_CLOEXEC | O_DIRECTORY);
		if (fd < 0 || fstatvfs(fd, &sv) < 0 || sv.f_blocks == 0)
			continue;
		double k = (double)sv.f_frsize / 1024.0;
		double size = (double)sv.f_blocks * k, fre = (double)sv.f_bfree * k;
		double avail = (double)sv.f_bavail * k, used = size - fre;
		row = hr_rows_add(out, &fs_table, m->dir, m->device);
		if (!row)
			return -ENOMEM;
		row->v[0] = size;
		row->v[1] = fre;
		row->v[2] = avail;
		row->v[3] = used + avail > 0 ? hr_round2(100.0 * used / (used + avail)) : 0;
		row->v[4] = (double)sv.f_files;
		row->v[5] = (double)sv.f_ffree;
		row->v[6] = sv.f_files ? hr_round2(100.0 * (double)(sv.f_files - sv.f_ffree) /
						   (double)sv.f_files)
				       : 0;
		reported++;
	}
	return 0;
}
