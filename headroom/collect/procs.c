/*
 * procs.c - the "procs" collector: /proc/PID/{stat,status,io}
 * (headroom/collect).
 *
 * Table proc, key = pid, label = command name: each interval, the top N
 * processes by CPU, by resident memory + swap, and by disk I/O (bytes the
 * process made the storage layer read or write), merged; top is a bit mask
 * of the lists a row is in (1 cpu, 2 memory, 4 io). cpu_pct is of one core
 * (a process using two cores shows 200), rkbps/wkbps are kB/s. A process
 * born during the interval is charged all its counters; one that died is
 * not listed (the system-wide collectors still count its work). Per-process
 * VmSwap is read only while the system has swap in use, and neither it nor
 * /proc/PID/io for kernel threads (PF_KTHREAD); /proc/PID/io of
 * processes we may not read (not root) counts as no I/O.
 * Depends on common/ only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "io.h"
#include "banned.h"

#define HR_MAX_PIDS (1u << 22)
#define HR_TOP_MAX 100

static const char *const proc_cols[] = {"cpu_pct", "rss_kb", "swap_kb", "rkbps",
					"wkbps",   "top",    NULL};
static const struct hr_table proc_table = {
	.name = "proc", .key = "pid", .label = "comm", .cols = proc_cols,
	.ncols = ARRAY_SIZE(proc_cols) - 1,
};
const struct hr_table *const hr_procs_tables[] = {&proc_table, NULL};

int hr_parse_pid_stat(const char *buf, size_t len, struct hr_pid_stat *ret)
{
	struct hr_pid_stat ps = {0};
	const char *open, *close = NULL, *p;
	char tail[1024];
	uint64_t v;
	size_t n;

	open = memchr(buf, '(', len);
	if (!open)
		return -EINVAL;
	/* The command may itself contain ')': the last one closes it. */
	for (const char *q = open; q < buf + len; q++)
		if (*q == ')')
			close = q;
	if (!close)
		return -EINVAL;
	n = (size_t)(close - open - 1);
	if (n >= sizeof(ps.comm))
		n = sizeof(ps.comm) - 1;
	memcpy(ps.comm, open + 1, n);
	ps.comm[n] = '\0';
	for (char *c = ps.comm; *c; c++)	/* keep labels printable */
		if ((unsigned char)*c < 0x20 || *c == 0x7f)
			*c = '?';
	n = (size_t)(buf + len - (close + 1));
	if (n >= sizeof(tail))
		n = sizeof(tail) - 1;
	memcpy(tail, close + 1, n);
	tail[n] = '\0';
	p = tail;
	/* field 3 is the state letter; fields 4.. are numbers (1-based, man proc) */
	char state[8];
	if (!hr_scan_word(&p, state, sizeof(state)))
		return -EINVAL;
	for (int field = 4; field <= 24; field++) {
		int64_t sv;
		if (!hr_scan_i64(&p, &sv))
			return -EINVAL;
		v = sv < 0 ? 0 : (uint64_t)sv;
		switch (field) {
		case 9: ps.flags = v; break;
		case 14: ps.utime = v; break;
		case 15: ps.stime = v; break;
		case 22: ps.starttime = v; break;
		case 24: ps.rss_pages = v; break;
		default: break;
		}
	}
	*ret = ps;
	return 0;
}

int hr_parse_pid_status_swap(const char *buf, size_t len, uint64_t *ret_kb)
{
	struct hr_scan s;
	char line[256];

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		const char *p = line;
		uint64_t v;
		if (hr_scan_skip(&p, "VmSwap:") && hr_scan_u64(&p, &v)) {
			*ret_kb = v;
			return 0;
		}
	}
	*ret_kb = 0;
	return 0;
}

int hr_parse_pid_io(const char *buf, size_t len, struct hr_pid_io *ret)
{
	struct hr_pid_io io = {0};
	struct hr_scan s;
	char line[256];
	int got = 0;

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		const char *p = line;
		if (hr_scan_skip(&p, "read_bytes:") && hr_scan_u64(&p, &io.read_bytes))
			got |= 1;
		else if (hr_scan_skip(&p, "write_bytes:") && hr_scan_u64(&p, &io.write_bytes))
			got |= 2;
	}
	if (got != 3)
		return -EINVAL;
	*ret = io;
	return 0;
}

struct pinfo {
	uint32_t pid;
	uint64_t start, ticks, rbytes, wbytes, rss_kb, swap_kb;
	double cpu, rd, wr;	/* rates of this interval */
	char comm[HR_NAME_MAX];
};

struct procs_state {
	struct pinfo *p;
	size_t n;
};

void hr_procs_free(void *state)
{
	struct procs_state *st = state;

	if (st)
		free(st->p);
	free(st);
}

/* Read a small /proc/PID file into buf[cap] (NUL-terminated). */
static ssize_t read_small(int dirfd, const char *name, char *buf, size_t cap)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = io_read_full(fd, buf, cap - 1);
	if (n < 0)
		return n;
	buf[n] = '\0';
	return n;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct pinfo *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

static const struct pinfo *find_pid(const struct procs_state *st, uint32_t pid)
{
	struct pinfo key = {.pid = pid};
	return st->p ? bsearch(&key, st->p, st->n, sizeof(key), cmp_pid) : NULL;
}

/* Insert index i into top[] (size *n, max cap) ordered by value, descending. */
static void top_insert(size_t *top, size_t *n, size_t cap, const double *val, size_t i)
{
	size_t pos = *n;

	if (val[i] <= 0)
		return;
	if (*n == cap && val[i] <= val[top[cap - 1]])
		return;
	if (*n < cap)
		(*n)++;
	pos = *n - 1;
	while (pos > 0 && val[top[pos - 1]] < val[i]) {
		top[pos] = top[pos - 1];
		pos--;
	}
	top[pos] = i;
}

static int gather(struct hr_ctx *ctx, struct pinfo **ret, size_t *ret_n)
{
	_cleanup_free_ struct pinfo *arr = NULL;
	size_t n = 0, cap = 0;
	bool want_swap = !ctx->swap_known || ctx->swap_used_kb > 0;
	int procfd;
	DIR *d;
	struct dirent *de;

	procfd = openat(ctx->rootfd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return -errno;
	d = fdopendir(procfd);
	if (!d) {
		int r = -errno;
		close(procfd);
		return r;
	}
	while ((de = readdir(d))) {
		char path[300], buf[2048];
		struct hr_pid_stat ps;
		struct hr_pid_io io = {0};
		uint64_t pid, swap = 0;
		const char *p = de->d_name;
		ssize_t len;

		if (!hr_scan_u64(&p, &pid) || *p || pid == 0 || pid > UINT32_MAX)
			continue;
		snprintf(path, sizeof(path), "%s/stat", de->d_name);
		len = read_small(procfd, path, buf, sizeof(buf));
		if (len <= 0 || hr_parse_pid_stat(buf, (size_t)len, &ps) < 0)
			continue;	/* gone meanwhile */
		/* Kernel threads own no I/O (writeback is charged to the dirtier)
		 * and no memory: two reads saved per kthread, half of all pids. */
		bool kthread = ps.flags & HR_PF_KTHREAD;
		snprintf(path, sizeof(path), "%s/io", de->d_name);
		len = kthread ? 0 : read_small(procfd, path, buf, sizeof(buf));
		if (len > 0)
			(void)hr_parse_pid_io(buf, (size_t)len, &io);
		if (want_swap && !kthread) {
			snprintf(path, sizeof(path), "%s/status", de->d_name);
			len = read_small(procfd, path, buf, sizeof(buf));
			if (len > 0)
				(void)hr_parse_pid_status_swap(buf, (size_t)len, &swap);
		}
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct pinfo *na;
			if (ncap > HR_MAX_PIDS)
				break;
			na = realloc(arr, ncap * sizeof(*na));
			if (!na) {
				closedir(d);
				return -ENOMEM;
			}
			arr = na;
			cap = ncap;
		}
		struct pinfo *pi = &arr[n++];
		memset(pi, 0, sizeof(*pi));
		pi->pid = (uint32_t)pid;
		pi->start = ps.starttime;
		pi->ticks = ps.utime + ps.stime;
		pi->rbytes = io.read_bytes;
		pi->wbytes = io.write_bytes;
		pi->rss_kb = ps.rss_pages * (uint64_t)ctx->page_kb;
		pi->swap_kb = swap;
		memcpy(pi->comm, ps.comm, sizeof(pi->comm));
	}
	closedir(d);
	if (n > 1)
		qsort(arr, n, sizeof(*arr), cmp_pid);
	*ret = TAKE_PTR(arr);
	*ret_n = n;
	return 0;
}

int hr_procs_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
		    struct hr_rows *out)
{
	struct procs_state *st = *state;
	struct pinfo *cur = NULL;
	size_t n = 0, topn = ctx->opts.top_n > HR_TOP_MAX ? HR_TOP_MAX : ctx->opts.top_n;
	size_t tc[HR_TOP_MAX], tm[HR_TOP_MAX], ti[HR_TOP_MAX], nc = 0, nm = 0, ni = 0;
	_cleanup_free_ double *vc = NULL, *vm = NULL, *vi = NULL;
	int r;

	if (gather(ctx, &cur, &n) < 0)
		return 0;
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st) {
			free(cur);
			return -ENOMEM;
		}
		*state = st;
		have_prev = false;
	}
	r = 0;
	if (have_prev && n > 0) {
		vc = malloc(n * sizeof(double));
		vm = malloc(n * sizeof(double));
		vi = malloc(n * sizeof(double));
		if (!vc || !vm || !vi) {
			r = -ENOMEM;
			goto out;
		}
		for (size_t i = 0; i < n; i++) {
			struct pinfo *c = &cur[i];
			const struct pinfo *p = find_pid(st, c->pid);
			uint64_t dticks = c->ticks, drd = c->rbytes, dwr = c->wbytes;

			if (p && p->start == c->start) {
				dticks = c->ticks >= p->ticks ? c->ticks - p->ticks : 0;
				drd = c->rbytes >= p->rbytes ? c->rbytes - p->rbytes : 0;
				dwr = c->wbytes >= p->wbytes ? c->wbytes - p->wbytes : 0;
			}
			c->cpu = hr_round2(100.0 * (double)dticks / ctx->clk_tck / dt);
			c->rd = hr_round2((double)drd / 1024.0 / dt);
			c->wr = hr_round2((double)dwr / 1024.0 / dt);
			vc[i] = c->cpu;
			vm[i] = (double)(c->rss_kb + c->swap_kb);
			vi[i] = c->rd + c->wr;
			top_insert(tc, &nc, topn, vc, i);
			top_insert(tm, &nm, topn, vm, i);
			top_insert(ti, &ni, topn, vi, i);
		}
		/* Emit the union, in pid order, with the list bits. */
		for (size_t i = 0; i < n; i++) {
			unsigned bits = 0;
			struct hr_row *row;
			char key[16];

			for (size_t j = 0; j < nc; j++)
				bits |= tc[j] == i ? 1u : 0;
			for (size_t j = 0; j < nm; j++)
				bits |= tm[j] == i ? 2u : 0;
			for (size_t j = 0; j < ni; j++)
				bits |= ti[j] == i ? 4u : 0;
			if (!bits)
				continue;
			snprintf(key, sizeof(key), "%u", cur[i].pid);
			row = hr_rows_add(out, &proc_table, key, cur[i].comm);
			if (!row) {
				r = -ENOMEM;
				goto out;
			}
			row->v[0] = cur[i].cpu;
			row->v[1] = (double)cur[i].rss_kb;
			row->v[2] = (double)cur[i].swap_kb;
			row->v[3] = cur[i].rd;
			row->v[4] = cur[i].wr;
			row->v[5] = bits;
		}
	}
out:
	free(st->p);
	st->p = cur;
	st->n = n;
	return r;
}
