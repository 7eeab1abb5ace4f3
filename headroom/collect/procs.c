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
 * processes we may not read (not root) counts as no I/O. A kernel thread,
 * once identified by its stat, is followed through /proc/PID/schedstat (its
 * run time in ns: a quarter of the cost of stat, and they are most pids);
 * its name is read again from /proc/PID/comm only when it is listed.
 *
 * The recorder never lists itself (its pid as /proc/self names it, when
 * /proc is procfs). /proc/PID/io of a process includes the I/O of the
 * children it reaped, added at once when it waits for them: a shell that
 * ran a backup would be charged the backup's bytes in one interval. So a
 * child that is gone has its last-seen counters taken off its parent's
 * delta (what it did after its last sample stays with the parent, as the
 * kernel counts it).
 * Depends on common/ only.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
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
		case 4: ps.ppid = v; break;
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
	uint32_t pid, ppid;
	int fd_stat, fd_io, fd_status, fd_sched, fd_comm;	/* kept open, or -1 */
	bool ns;		/* a kernel thread followed through schedstat: ticks are ns */
	uint64_t start, ticks, rbytes, wbytes, rss_kb, swap_kb;
	double cpu, rd, wr;	/* rates of this interval */
	uint64_t reaped_r, reaped_w;	/* last-seen I/O of its children gone since */
	char comm[HR_NAME_MAX];
};

/*
 * Per-process files are kept open from one sample to the next when /proc
 * is procfs: a pread() from offset 0 of /proc/PID/stat costs less than half
 * of openat + read + read(EOF) + close, and most processes live across many
 * samples. The open file is tied to the process, not to the number: once
 * the process is gone its reads fail (-ESRCH) even if the pid was reused,
 * and the file is opened again by name. Each open file holds about 4 kB of
 * kernel memory, so their number is capped (HR_PROC_FDS_MAX, and half of
 * RLIMIT_NOFILE); processes beyond the cap are read by open/read/close.
 */
#define HR_PROC_FDS_MAX 1024

struct procs_state {
	struct pinfo *p;	/* previous sample, sorted by pid */
	size_t n;
	DIR *dir;		/* /proc, kept open (and rewound) when procfs */
	bool pseudo;		/* /proc is procfs: keep per-process files open */
	bool sched;		/* and /proc/PID/schedstat counts run time */
	size_t nfds, maxfds;	/* per-process files open, and the cap */
	uint32_t self_pid;	/* the recorder as /proc names it; 0 unknown */
};

static void close_pid_fd(struct procs_state *st, int *fd)
{
	if (*fd >= 0) {
		close(*fd);
		*fd = -1;
		st->nfds--;
	}
}

static void close_pid_fds(struct procs_state *st, struct pinfo *arr, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		close_pid_fd(st, &arr[i].fd_stat);
		close_pid_fd(st, &arr[i].fd_io);
		close_pid_fd(st, &arr[i].fd_status);
		close_pid_fd(st, &arr[i].fd_sched);
		close_pid_fd(st, &arr[i].fd_comm);
	}
}

void hr_procs_free(void *state)
{
	struct procs_state *st = state;

	if (st) {
		close_pid_fds(st, st->p, st->n);
		free(st->p);
		if (st->dir)
			closedir(st->dir);
	}
	free(st);
}

/*
 * Read /proc/PID/NAME into buf[cap] (NUL-terminated) through *fd: the file
 * kept open from the last sample if any, else opened by name (and kept when
 * the budget allows). One read is enough: these files are produced by a
 * single seq_file show, so a read shorter than asked is the whole file.
 * Returns the length or -errno (-ENOENT, -ESRCH: the process is gone).
 */
static ssize_t read_pid_file(struct procs_state *st, int procfd, const char *pid,
			     const char *name, int *fd, char *buf, size_t cap)
{
	char path[64];
	size_t lp = strlen(pid), ln = strlen(name);
	ssize_t n;

	if (*fd >= 0) {
		do
			n = pread(*fd, buf, cap - 1, 0);
		while (n < 0 && errno == EINTR);
		if (n >= 0) {
			buf[n] = '\0';
			return n;
		}
		close_pid_fd(st, fd);	/* process gone (pid maybe reused): by name */
	}
	if (lp + ln + 2 > sizeof(path))
		return -ENAMETOOLONG;
	memcpy(path, pid, lp);
	path[lp] = '/';
	memcpy(path + lp + 1, name, ln + 1);
	_cleanup_close_ int nfd = openat(procfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (nfd < 0)
		return -errno;
	do
		n = pread(nfd, buf, cap - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (st->pseudo && st->nfds < st->maxfds) {
		*fd = TAKE_FD(nfd);
		st->nfds++;
	}
	return n;
}

static int cmp_pid(const void *a, const void *b)
{
	const struct pinfo *x = a, *y = b;
	return x->pid < y->pid ? -1 : x->pid > y->pid;
}

/* The entry of PID in the previous sample, or NULL. HINT: where to look first. */
static struct pinfo *find_pid(const struct procs_state *st, size_t hint, uint32_t pid)
{
	struct pinfo key = {.pid = pid};

	if (hint < st->n && st->p[hint].pid == pid)
		return &st->p[hint];
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

/* The run time in ns: first field of /proc/PID/schedstat. */
static int parse_runtime(const char *buf, ssize_t len, uint64_t *ret_ns)
{
	const char *p = buf;

	if (len < 0)
		return (int)len;
	return hr_scan_u64(&p, ret_ns) ? 0 : -EINVAL;
}

/*
 * The run time of kernel thread PID in ns, through *FD (opened by name if
 * -1, and kept when the budget allows). 0 or -errno: -ENOENT without
 * CONFIG_SCHED_INFO, -ESRCH once it is gone.
 */
static int read_runtime(struct procs_state *st, int procfd, const char *pid, int *fd,
			uint64_t *ret_ns)
{
	char buf[128];

	return parse_runtime(buf, read_pid_file(st, procfd, pid, "schedstat", fd, buf, sizeof(buf)),
			     ret_ns);
}

/* Same through the file kept open only: never another process of that pid. */
static int reread_runtime(int fd, uint64_t *ret_ns)
{
	char buf[128];
	ssize_t n;

	do
		n = pread(fd, buf, sizeof(buf) - 1, 0);
	while (n < 0 && errno == EINTR);
	if (n >= 0)
		buf[n] = '\0';
	return parse_runtime(buf, n < 0 ? -errno : n, ret_ns);
}

/*
 * A kernel thread followed through schedstat is listed: read its name again
 * from /proc/PID/comm (a kworker's name tells the work queue it serves now;
 * the file is kept open for threads that are listed often). The name stays
 * as it was if the thread is gone.
 */
static void refresh_comm(struct procs_state *st, struct pinfo *pi)
{
	char buf[HR_NAME_MAX + 2], pid[16];
	uint64_t rt;
	ssize_t len;

	if (!st->dir || pi->fd_sched < 0)
		return;
	snprintf(pid, sizeof(pid), "%u", pi->pid);
	len = read_pid_file(st, dirfd(st->dir), pid, "comm", &pi->fd_comm, buf, sizeof(buf));
	/* If opened by name, it is our thread's only if that one still runs. */
	if (len <= 0 || reread_runtime(pi->fd_sched, &rt) < 0) {
		close_pid_fd(st, &pi->fd_comm);
		return;
	}
	if (buf[len - 1] == '\n')
		buf[--len] = '\0';
	if ((size_t)len >= sizeof(pi->comm))
		len = sizeof(pi->comm) - 1;
	for (ssize_t i = 0; i < len; i++)	/* as hr_parse_pid_stat does */
		pi->comm[i] = (unsigned char)buf[i] < 0x20 || buf[i] == 0x7f ? '?' : buf[i];
	pi->comm[len] = '\0';
}

/* Open /proc for this sample (rewind the kept one). NULL with errno set. */
static DIR *open_proc(struct hr_ctx *ctx, struct procs_state *st)
{
	int procfd;
	DIR *d;

	if (st->dir) {
		rewinddir(st->dir);
		return st->dir;
	}
	procfd = openat(ctx->rootfd, "proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (procfd < 0)
		return NULL;
	d = fdopendir(procfd);
	if (!d) {
		int e = errno;
		close(procfd);
		errno = e;
		return NULL;
	}
	/* A captured tree is replaced between samples: reopen it every time. */
	st->pseudo = hr_fd_is_pseudo(procfd);
	if (st->pseudo) {
		uint64_t rt = 0;
		int fd = -1;

		st->dir = d;
		/* We have run: a zero here means the kernel does not count (no sched_info). */
		st->sched = read_runtime(st, procfd, "self", &fd, &rt) == 0 && rt > 0;
		close_pid_fd(st, &fd);
		/* Our pid in this /proc's PID namespace (not getpid()'s). */
		char self[16];
		ssize_t l = readlinkat(procfd, "self", self, sizeof(self) - 1);
		uint64_t sp;
		const char *q = self;
		if (l > 0) {
			self[l] = '\0';
			if (hr_scan_u64(&q, &sp) && !*q && sp <= UINT32_MAX)
				st->self_pid = (uint32_t)sp;
		}
	}
	return d;
}

static int gather(struct hr_ctx *ctx, struct procs_state *st, struct pinfo **ret, size_t *ret_n)
{
	_cleanup_free_ struct pinfo *arr = NULL;
	size_t n = 0, cap = 0;
	bool want_swap = !ctx->swap_known || ctx->swap_used_kb > 0;
	int procfd, r = 0;
	DIR *d;
	struct dirent *de;

	d = open_proc(ctx, st);
	if (!d)
		return -errno;
	procfd = dirfd(d);
	while ((de = readdir(d))) {
		char buf[2048];
		struct hr_pid_stat ps;
		struct hr_pid_io io = {0};
		struct pinfo *prev, *pi;
		uint64_t pid, swap = 0;
		const char *p = de->d_name;
		ssize_t len;

		if (!hr_scan_u64(&p, &pid) || *p || pid == 0 || pid > UINT32_MAX ||
		    (st->self_pid && pid == st->self_pid))
			continue;
		if (n == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct pinfo *na;
			if (ncap > HR_MAX_PIDS)
				break;
			na = realloc(arr, ncap * sizeof(*na));
			if (!na) {
				r = -ENOMEM;
				break;
			}
			arr = na;
			cap = ncap;
		}
		pi = &arr[n];
		memset(pi, 0, sizeof(*pi));
		pi->pid = (uint32_t)pid;
		pi->fd_stat = pi->fd_io = pi->fd_status = pi->fd_sched = pi->fd_comm = -1;
		/* Take over the files kept open for this pid (readdir goes in pid order). */
		prev = find_pid(st, n, pi->pid);
		if (prev) {
			pi->fd_stat = TAKE_FD(prev->fd_stat);
			pi->fd_io = TAKE_FD(prev->fd_io);
			pi->fd_status = TAKE_FD(prev->fd_status);
			pi->fd_sched = TAKE_FD(prev->fd_sched);
			pi->fd_comm = TAKE_FD(prev->fd_comm);
		}
		/* A kernel thread seen before: its run time is all that changes. */
		if (prev && prev->ns && pi->fd_sched >= 0) {
			uint64_t rt;

			if (reread_runtime(pi->fd_sched, &rt) == 0) {
				pi->ns = true;
				pi->start = prev->start;
				pi->ticks = rt;
				memcpy(pi->comm, prev->comm, sizeof(pi->comm));
				n++;
				continue;
			}
			close_pid_fd(st, &pi->fd_sched);	/* gone, maybe reused: afresh */
			close_pid_fd(st, &pi->fd_comm);
		}
		len = read_pid_file(st, procfd, de->d_name, "stat", &pi->fd_stat, buf, sizeof(buf));
		if (len <= 0 || hr_parse_pid_stat(buf, (size_t)len, &ps) < 0) {
			close_pid_fds(st, pi, 1);	/* gone meanwhile */
			continue;
		}
		/* Kernel threads own no I/O (writeback is charged to the dirtier)
		 * and no memory: two reads saved per kthread, half of all pids. */
		bool kthread = ps.flags & HR_PF_KTHREAD;
		if (!kthread) {
			len = read_pid_file(st, procfd, de->d_name, "io", &pi->fd_io, buf, sizeof(buf));
			if (len > 0)
				(void)hr_parse_pid_io(buf, (size_t)len, &io);
		}
		if (want_swap && !kthread) {
			len = read_pid_file(st, procfd, de->d_name, "status", &pi->fd_status, buf,
					    sizeof(buf));
			if (len > 0)
				(void)hr_parse_pid_status_swap(buf, (size_t)len, &swap);
		} else {
			close_pid_fd(st, &pi->fd_status);
		}
		pi->start = ps.starttime;
		pi->ticks = ps.utime + ps.stime;
		if (kthread && st->sched) {
			uint64_t rt;

			if (read_runtime(st, procfd, de->d_name, &pi->fd_sched, &rt) == 0 &&
			    pi->fd_sched >= 0) {
				pi->ns = true;
				pi->ticks = rt;
				close_pid_fd(st, &pi->fd_stat);	/* its name: from comm */
			} else {
				close_pid_fd(st, &pi->fd_sched);
			}
		}
		pi->ppid = (uint32_t)(ps.ppid > UINT32_MAX ? 0 : ps.ppid);
		pi->rbytes = io.read_bytes;
		pi->wbytes = io.write_bytes;
		pi->rss_kb = ps.rss_pages * (uint64_t)ctx->page_kb;
		pi->swap_kb = swap;
		memcpy(pi->comm, ps.comm, sizeof(pi->comm));
		n++;
	}
	if (d != st->dir)
		closedir(d);
	if (r < 0) {
		close_pid_fds(st, arr, n);
		return r;
	}
	if (n > 1)
		qsort(arr, n, sizeof(*arr), cmp_pid);
	*ret = TAKE_PTR(arr);
	*ret_n = n;
	return 0;
}

/* PREV (an entry of the last sample) in CUR as the same process, or NULL. */
static struct pinfo *alive(const struct pinfo *prev, struct pinfo *cur, size_t n)
{
	struct pinfo key = {.pid = prev->pid}, *now;

	now = n ? bsearch(&key, cur, n, sizeof(key), cmp_pid) : NULL;
	return now && now->start == prev->start ? now : NULL;
}

/*
 * Each process of the previous sample that is gone now (or whose pid is
 * another process's): credit its last-seen I/O counters to its nearest
 * ancestor still alive (reaped_r/w of cur[]). A parent that is gone too
 * reaped it first and was reaped in turn, so its bytes climb the chain: a
 * fio job reaped by the fio main process, reaped by the shell.
 */
static void reaped_io(const struct procs_state *st, struct pinfo *cur, size_t n)
{
	for (size_t i = 0; i < st->n; i++) {
		const struct pinfo *gone = &st->p[i], *up = gone;
		struct pinfo *anc = NULL;

		if ((!gone->rbytes && !gone->wbytes) || alive(gone, cur, n))
			continue;
		for (int depth = 0; depth < 64 && up->ppid; depth++) {
			const struct pinfo *pp = find_pid(st, st->n, up->ppid);
			if (!pp)
				break;
			anc = alive(pp, cur, n);
			if (anc)
				break;
			up = pp;	/* gone as well: on to its parent */
		}
		if (anc) {
			anc->reaped_r += gone->rbytes;
			anc->reaped_w += gone->wbytes;
		}
	}
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

	if (!st) {
		struct rlimit rl;

		st = calloc(1, sizeof(*st));
		if (!st)
			return -ENOMEM;
		st->maxfds = HR_PROC_FDS_MAX;
		if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
		    rl.rlim_cur / 2 < st->maxfds)
			st->maxfds = (size_t)(rl.rlim_cur / 2);
		*state = st;
		have_prev = false;
	}
	r = gather(ctx, st, &cur, &n);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	if (have_prev && n > 0) {
		vc = malloc(n * sizeof(double));
		vm = malloc(n * sizeof(double));
		vi = malloc(n * sizeof(double));
		if (!vc || !vm || !vi) {
			r = -ENOMEM;
			goto out;
		}
		reaped_io(st, cur, n);
		for (size_t i = 0; i < n; i++) {
			struct pinfo *c = &cur[i];
			const struct pinfo *p = find_pid(st, i, c->pid);
			uint64_t dticks = c->ticks, drd = c->rbytes, dwr = c->wbytes;

			if (p && p->start == c->start) {
				dticks = c->ticks >= p->ticks && p->ns == c->ns ? c->ticks - p->ticks : 0;
				drd = c->rbytes >= p->rbytes ? c->rbytes - p->rbytes : 0;
				dwr = c->wbytes >= p->wbytes ? c->wbytes - p->wbytes : 0;
				/* not the I/O of the children it reaped meanwhile */
				drd = drd > c->reaped_r ? drd - c->reaped_r : 0;
				dwr = dwr > c->reaped_w ? dwr - c->reaped_w : 0;
			}
			c->cpu = hr_round2(100.0 * (double)dticks / (c->ns ? 1e9 : ctx->clk_tck) / dt);
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
			if (cur[i].ns)
				refresh_comm(st, &cur[i]);
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
	close_pid_fds(st, st->p, st->n);	/* processes that are gone */
	free(st->p);
	st->p = cur;
	st->n = n;
	return r;
}
