/*
 * advise-query.c - the advisor's query glue (headroom/analyze): fills the
 * series of hr_advise.h from the database with analyze's bucket queries
 * (hr_rows_open over advisor-specific activities), runs the pure
 * evaluation of advise.c, then asks which processes
 * ran during the intervals where a rule fired. Depends on hr_analyze
 * (query.c) and libc; never on render or cli. Never logs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_advise.h"
#include "hr_analyze.h"
#include "cleanup.h"
#include "banned.h"

/* At most this many samples in the range are read one by one; else 1-minute buckets. */
#define PER_SAMPLE_MAX 5000
#define BUCKET_MS 60000LL

/* clang-format off */
/* Span-weighted mean; the nullable variant ignores samples where X is NULL. */
#define W(x) .num = "sum((" x ") * span)", .den = "sum(span)", .scale = 1
#define WN(x) .num = "sum((" x ") * span)", .den = "sum(CASE WHEN (" x ") IS NULL THEN NULL ELSE span END)", .scale = 1
#define PCT(a, b) .num = "sum((" a ") * span)", .den = "sum((" b ") * span)", .scale = 100
#define RATIO(a, b) .num = "sum((" a ") * span)", .den = "sum((" b ") * span)", .scale = 1
/* the last column of every series query: the time the bucket's samples cover */
#define COVER {.name = "cover", .num = "sum(span)", .den = "1", .scale = 1}
#define COLS(a) .cols = a, .ncols = ARRAY_SIZE(a)

static const struct hr_column cpu_cols[] = {
	[HR_CPU_BUSY] = {.name = "busy", W("100 - idle")},
	[HR_CPU_STEAL] = {.name = "steal", W("steal")},
	[HR_CPU_RUNQ_PCT] = {.name = "runq", WN("runq_sz")},	/* scaled by 100/ncpu later */
	[HR_CPU_PSI] = {.name = "psi", WN("psi")},
	[4] = {.name = "unused", .num = "NULL", .den = "1", .scale = 1},
	[5] = {.name = "unused", .num = "NULL", .den = "1", .scale = 1},
	[6] = {.name = "unused", .num = "NULL", .den = "1", .scale = 1},
	[7] = {.name = "unused", .num = "NULL", .den = "1", .scale = 1},
	COVER,
};
static const struct hr_column mem_cols[] = {
	[HR_MEM_AVAIL_PCT] = {.name = "avail", PCT("avail_kb", "total_kb")},
	[HR_MEM_SWAP] = {.name = "swap", WN("swp")},
	[HR_MEM_MAJFLT] = {.name = "majflt", WN("majflt")},
	[HR_MEM_SCAN] = {.name = "scan", WN("scan")},
	[HR_MEM_PSI] = {.name = "psi", WN("psi")},
	[5] = {.name = "unused", .num = "NULL", .den = "1", .scale = 1},
	[6] = {.name = "unused", .num = "NULL", .den = "1", .scale = 1},
	[7] = {.name = "unused", .num = "NULL", .den = "1", .scale = 1},
	COVER,
};
static const struct hr_column disk_cols[] = {
	[HR_DISK_UTIL] = {.name = "util", W("util_pct")},
	[HR_DISK_AQU] = {.name = "aqu", W("aqu_sz")},
	[HR_DISK_AWAIT] = {.name = "await", RATIO("await_ms * tps", "tps")},
	[HR_DISK_PSI] = {.name = "psi", WN("psi")},
	[HR_DISK_KBPS] = {.name = "kbps", W("rkbps + wkbps")},
	[5] = {.name = "unused", .num = "NULL", .den = "1", .scale = 1},
	[6] = {.name = "unused", .num = "NULL", .den = "1", .scale = 1},
	[7] = {.name = "unused", .num = "NULL", .den = "1", .scale = 1},
	COVER,
};
static const struct hr_column net_cols[] = {
	/* NULL where the link speed is unknown or not real (netdev.c) */
	[HR_NET_IFUTIL] = {.name = "ifutil", WN("ifutil_pct")},
	[HR_NET_ERRORS] = {.name = "errors", W("rxerr_s + txerr_s")},
	[HR_NET_DROPS] = {.name = "drops", W("rxdrop_s + txdrop_s")},
	[HR_NET_RETRANS] = {.name = "retrans", WN("retr")},
	[HR_NET_KBPS] = {.name = "kbps", W("rxkbps + txkbps")},
	[HR_NET_SOCK] = {.name = "sockets", WN("socks")},
	[HR_NET_TXDROPS] = {.name = "txdrops", W("txdrop_s")},
	[HR_NET_TXERRORS] = {.name = "txerrors", W("txerr_s")},
	COVER,
};
_Static_assert(ARRAY_SIZE(cpu_cols) == HR_SERIES_COLS + 1, "cpu columns");
_Static_assert(ARRAY_SIZE(mem_cols) == HR_SERIES_COLS + 1, "memory columns");
_Static_assert(ARRAY_SIZE(disk_cols) == HR_SERIES_COLS + 1, "disk columns");
_Static_assert(ARRAY_SIZE(net_cols) == HR_SERIES_COLS + 1, "net columns");

/* One query per kind of resource, in output order. */
static const struct {
	enum hr_res_kind kind;
	struct hr_activity act;
} series_acts[] = {
	{HR_RES_CPU, {.name = "advise-cpu",
		.from = "cpu t LEFT JOIN sched u ON u.sample = t.sample AND u.stat = 0"
			" LEFT JOIN psi p ON p.sample = t.sample AND p.stat = 0 AND p.resource = 'cpu'",
		.select = "t.idle AS idle, t.steal AS steal, u.runq_sz AS runq_sz, p.some_pct AS psi",
		.where = "t.cpu = -1", COLS(cpu_cols)}},
	{HR_RES_MEM, {.name = "advise-memory",
		.from = "mem t LEFT JOIN paging u ON u.sample = t.sample AND u.stat = 0"
			" LEFT JOIN psi p ON p.sample = t.sample AND p.stat = 0"
			" AND p.resource = 'memory'",
		.select = "t.avail_kb AS avail_kb, t.total_kb AS total_kb,"
			  " u.pswpin_s + u.pswpout_s AS swp, u.majflt_s AS majflt,"
			  " u.pgscank_s + u.pgscand_s AS scan, p.some_pct AS psi",
		COLS(mem_cols)}},
	{HR_RES_DISK, {.name = "advise-disk",
		.from = "disk t LEFT JOIN psi p ON p.sample = t.sample AND p.stat = 0"
			" AND p.resource = 'io'",
		.select = "t.*, p.some_pct AS psi", .key = "dev", .keyname = "DEV",
		COLS(disk_cols)}},
	{HR_RES_NET, {.name = "advise-net",
		.from = "net t LEFT JOIN tcp u ON u.sample = t.sample AND u.stat = 0"
			" LEFT JOIN sock k ON k.sample = t.sample AND k.stat = 0",
		.select = "t.*, u.retrans_pct AS retr, k.totsck AS socks",
		.where = "t.iface <> 'lo'", .key = "iface", .keyname = "IFACE", COLS(net_cols)}},
};

/* The processes of one interval: read as one bucket (bucket_ms -1), by pid. */
static const struct hr_column proc_cols[] = {
	{.name = "cpu", .num = "sum(cpu_pct * span)", .den = "1", .scale = 1},
	{.name = "io", .num = "sum((rkbps + wkbps) * span)", .den = "1", .scale = 1},
	{.name = "mem", .num = "max(rss_kb + swap_kb)", .den = "1", .scale = 1},
};
static const struct hr_activity proc_act = {
	.name = "advise-proc", .from = "proc t",
	.key = "pid", .keyname = "PID", .tailname = "Command", .tail = "max(comm)",
	COLS(proc_cols),
};
/* clang-format on */

static struct hr_resource *res_of(struct hr_advice *a, enum hr_res_kind kind, const char *name)
{
	for (size_t i = 0; i < a->nres; i++)
		if (a->res[i].s.kind == kind && !strcmp(a->res[i].s.name, name ? name : ""))
			return &a->res[i];
	return hr_advice_add(a, kind, name);
}

/*
 * The CPU count at TS: that of the boot it falls in, when the range holds
 * a reboot (a machine may come back with more CPUs: the run queue before
 * and after is measured against different counts), else the recorder's.
 */
static int ncpu_at(const struct hr_advice *a, int64_t ts)
{
	int n = 0;

	for (size_t i = 0; i < a->nrestarts; i++) {
		if (ts < a->restarts[i].ts_ms) {
			if (i == 0)
				n = a->restarts[0].ncpu_before;
			break;
		}
		n = a->restarts[i].ncpu;
	}
	return n > 0 ? n : a->ncpu;
}

static int load_series(struct hr_db *db, struct hr_advice *a, const struct hr_query *q,
		       enum hr_res_kind kind, const struct hr_activity *act)
{
	struct hr_rows *rows = NULL;
	struct hr_row row;
	int r;

	r = hr_rows_open(db, act, q, &rows);
	if (r < 0)
		return r;
	while ((r = hr_rows_next(rows, &row)) > 0) {
		double v[HR_SERIES_COLS];
		int64_t start, len, cover;
		struct hr_resource *res;

		if (row.average)
			break;
		for (size_t c = 0; c < HR_SERIES_COLS; c++)
			v[c] = row.null[c] ? NAN : row.v[c];
		if (kind == HR_RES_CPU && !isnan(v[HR_CPU_RUNQ_PCT])) {
			int n = ncpu_at(a, row.ts_ms);
			v[HR_CPU_RUNQ_PCT] = n > 0 ? v[HR_CPU_RUNQ_PCT] * 100 / n : NAN;
		}
		cover = (int64_t)row.v[HR_SERIES_COLS];
		if (q->bucket_ms == 0) {
			len = cover;
			start = row.ts_ms - len;
		} else {
			/* A roll-up bucket covers more than its 1-minute bucket. */
			len = cover > q->bucket_ms ? cover : q->bucket_ms;
			start = row.ts_ms + q->bucket_ms - len;
		}
		res = res_of(a, kind, row.key);
		if (!res) {
			r = -ENOMEM;
			break;
		}
		r = hr_aseries_add(&res->s, start, len, v);
		if (r < 0)
			break;
	}
	hr_rows_free(rows);
	return r < 0 ? r : 0;
}

struct pacc {
	int64_t pid;
	char comm[32];
	double cpu, io, mem;
};

static int cmp_pacc_cpu(const void *x, const void *y)
{
	const struct pacc *a = x, *b = y;
	return a->cpu < b->cpu ? 1 : a->cpu > b->cpu ? -1 : (a->pid > b->pid) - (a->pid < b->pid);
}
static int cmp_pacc_mem(const void *x, const void *y)
{
	const struct pacc *a = x, *b = y;
	return a->mem < b->mem ? 1 : a->mem > b->mem ? -1 : (a->pid > b->pid) - (a->pid < b->pid);
}
static int cmp_pacc_io(const void *x, const void *y)
{
	const struct pacc *a = x, *b = y;
	return a->io < b->io ? 1 : a->io > b->io ? -1 : (a->pid > b->pid) - (a->pid < b->pid);
}

/* The top processes of F's intervals, by F->top_by. */
static int top_procs(struct hr_db *db, struct hr_finding *f)
{
	_cleanup_free_ struct pacc *acc = NULL;
	size_t nacc = 0, cap = 0;
	double total_ms = 0;
	int r = 0;

	for (size_t k = 0; k < f->ep.nint && r >= 0; k++) {
		struct hr_query q = {.range = {.from_ms = f->ep.int_from[k] + 1,
					       .to_ms = f->ep.int_to[k],
					       .tod_from = -1,
					       .tod_to = -1},
				     .bucket_ms = -1};
		struct hr_rows *rows = NULL;
		struct hr_row row;

		total_ms += (double)(f->ep.int_to[k] - f->ep.int_from[k]);
		r = hr_rows_open(db, &proc_act, &q, &rows);
		if (r < 0)
			return r;
		while ((r = hr_rows_next(rows, &row)) > 0 && !row.average) {
			int64_t pid = strtoll(row.key ? row.key : "0", NULL, 10);
			struct pacc *p = NULL;

			for (size_t i = 0; i < nacc; i++)
				if (acc[i].pid == pid)
					p = &acc[i];
			if (!p) {
				if (nacc == cap) {
					size_t nc = cap ? cap * 2 : 32;
					struct pacc *g = realloc(acc, nc * sizeof(*g));
					if (!g) {
						r = -ENOMEM;
						break;
					}
					acc = g;
					cap = nc;
				}
				p = &acc[nacc++];
				memset(p, 0, sizeof(*p));
				p->pid = pid;
				snprintf(p->comm, sizeof(p->comm), "%s", row.tail ? row.tail : "");
			}
			p->cpu += row.v[0];
			p->io += row.v[1];
			if (row.v[2] > p->mem)
				p->mem = row.v[2];
		}
		hr_rows_free(rows);
	}
	if (r < 0)
		return r;
	double all_io = 0;
	for (size_t i = 0; i < nacc; i++)
		all_io += acc[i].io;
	/* no process at all (samples imported from sysstat): nothing to sort */
	if (nacc)
		qsort(acc, nacc, sizeof(*acc),
		      f->top_by == 1   ? cmp_pacc_cpu
		      : f->top_by == 2 ? cmp_pacc_mem
				       : cmp_pacc_io);
	f->ntop = 0;
	for (size_t i = 0; i < nacc && f->ntop < HR_MAX_TOP; i++) {
		struct hr_proc_use *u = &f->top[f->ntop];
		if ((f->top_by == 1 && acc[i].cpu <= 0) || (f->top_by == 2 && acc[i].mem <= 0) ||
		    (f->top_by == 3 && acc[i].io <= 0))
			break;
		u->pid = acc[i].pid;
		snprintf(u->comm, sizeof(u->comm), "%s", acc[i].comm);
		u->cpu_pct = total_ms > 0 ? acc[i].cpu / total_ms : 0;
		u->io_kbps = total_ms > 0 ? acc[i].io / total_ms : 0;
		u->io_mb = acc[i].io / 1000 / 1024;
		u->mem_mb = acc[i].mem / 1024;
		f->ntop++;
	}
	/* The program (all its pids) that did the most I/O: hr_advise_conclude judges it. */
	memset(&f->culprit, 0, sizeof(f->culprit));
	f->culprit.disk_kbps = NAN;
	if (f->top_by == 3 && f->ntop && all_io > 0 && total_ms > 0) {
		struct hr_culprit *c = &f->culprit;
		double io = 0;

		snprintf(c->comm, sizeof(c->comm), "%s", f->top[0].comm);
		c->pid = f->top[0].pid;
		for (size_t i = 0; i < nacc; i++) {
			if (!strcmp(acc[i].comm, c->comm)) {
				io += acc[i].io;
				c->npid++;
			}
		}
		c->kbps = io / total_ms;
		c->all_kbps = all_io / total_ms;
	}
	return 0;
}

int hr_advise_load(struct hr_db *db, const struct hr_range *range, const struct hr_thresholds *th,
		   struct hr_advice **ret)
{
	struct hr_advice *a = calloc(1, sizeof(*a));
	struct hr_query q = {.range = *range};
	char ncpu[32] = "";
	int r;

	if (!a)
		return -ENOMEM;
	a->from_ms = range->from_ms;
	a->to_ms = range->to_ms;
	a->th = *th;
	r = hr_db_count(db, range, &a->nsamples);
	if (r < 0 || a->nsamples == 0)
		goto out;
	(void)hr_db_meta(db, "ncpu", ncpu, sizeof(ncpu));
	a->ncpu = (int)strtol(ncpu, NULL, 10);
	r = hr_db_restarts(db, range, &a->restarts, &a->nrestarts);
	if (r < 0)
		goto out;
	q.bucket_ms = a->nsamples <= PER_SAMPLE_MAX ? 0 : BUCKET_MS;
	a->bucket_ms = q.bucket_ms;
	for (size_t i = 0; i < ARRAY_SIZE(series_acts) && r >= 0; i++)
		r = load_series(db, a, &q, series_acts[i].kind, &series_acts[i].act);
	if (r < 0)
		goto out;
	a->first_ms = INT64_MAX;
	for (size_t i = 0; i < a->nres; i++) {
		const struct hr_aseries *s = &a->res[i].s;
		if (s->n && s->start[0] < a->first_ms)
			a->first_ms = s->start[0];
		if (s->n && s->start[s->n - 1] + s->len[s->n - 1] > a->last_ms)
			a->last_ms = s->start[s->n - 1] + s->len[s->n - 1];
	}
	if (a->first_ms == INT64_MAX)
		a->first_ms = 0;
	r = hr_advise_eval(a);
	for (size_t i = 0; i < a->nres && r >= 0; i++)
		for (size_t j = 0; j < a->res[i].nfind && r >= 0; j++)
			if (a->res[i].find[j].top_by && a->res[i].find[j].verdict > HR_OK)
				r = top_procs(db, &a->res[i].find[j]);
	if (r >= 0)
		r = hr_advise_conclude(a);
out:
	if (r < 0) {
		hr_advice_free(a);
		return r;
	}
	*ret = a;
	return 0;
}
