/*
 * advise.c - the upgrade advisor (headroom/analyze): the threshold table,
 * the rule table, the pure evaluation over series (scan, verdicts, cross-
 * resource conclusions, least-squares trends) and the query glue that
 * fills the series with analyze's bucket queries and names the top
 * processes of the intervals where a rule fired. See hr_advise.h.
 * Depends on hr_analyze (query.c, time.c), SQLite and libc (libm);
 * never on render or cli. Never logs.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_advise.h"
#include "hr_analyze.h"
#include "cleanup.h"
#include "banned.h"

#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL
#define WEEK_MS (7 * DAY_MS)

/*
 * The thresholds, one table, each with where its number comes from. The
 * names are the config keys after THRESHOLD_ (contrib/headroom.conf and
 * docs/headroom.1 list them).
 */
/* clang-format off */
const struct hr_threshold_def hr_threshold_defs[HR_TH_COUNT] = {
	[HR_TH_CPU_BUSY_PCT] = {.name = "CPU_BUSY_PCT", .def = 90, .unit = "%",
		.what = "CPU busy (100 - %idle) at or above this is saturated",
		.source = "headroom default; USE method: 100% is a bottleneck, above 70% can hurt (Gregg); awesome-prometheus-alerts HostHighCpuLoad >80% for 10m; netdata 10min_cpu_usage warns >85%"},
	[HR_TH_CPU_SUSTAINED_MIN] = {.name = "CPU_SUSTAINED_MIN", .def = 15, .unit = "min",
		.what = "CPU rules fire only for stretches at least this long",
		.source = "headroom default; netdata 10min_cpu_usage averages 10 min; awesome-prometheus-alerts HostHighCpuLoad for: 10m"},
	[HR_TH_CPU_RUNQ_PCT] = {.name = "CPU_RUNQ_PCT", .def = 100, .unit = "% of CPUs",
		.what = "run queue above this share of the CPU count is CPU saturation",
		.source = "USE method CPU saturation: vmstat r / sar -q runq-sz > CPU count (Brendan Gregg)"},
	[HR_TH_CPU_PSI_PCT] = {.name = "CPU_PSI_PCT", .def = 20, .unit = "%",
		.what = "CPU pressure (PSI some) at or above this is saturation",
		.source = "headroom default; the kernel's psi.rst recommends no threshold (only example triggers)"},
	[HR_TH_CPU_STEAL_PCT] = {.name = "CPU_STEAL_PCT", .def = 10, .unit = "%",
		.what = "steal time at or above this means an oversold host",
		.source = "awesome-prometheus-alerts HostCpuStealNoisyNeighbor: steal >10%; netdata 20min_steal_cpu warns >10% (20-min average)"},
	[HR_TH_MEM_AVAIL_PCT] = {.name = "MEM_AVAIL_PCT", .def = 10, .unit = "%",
		.what = "available memory (MemAvailable) at or below this is little",
		.source = "awesome-prometheus-alerts HostOutOfMemory: MemAvailable <10% for 2m; netdata ram_available warns <10%"},
	[HR_TH_MEM_SWAP_PGS] = {.name = "MEM_SWAP_PGS", .def = 10, .unit = "pages/s",
		.what = "swap-ins + swap-outs at or above this is swapping",
		.source = "USE method memory saturation: vmstat si/so, any non-zero (Gregg); the 10 pages/s noise floor is headroom's"},
	[HR_TH_MEM_MAJFLT_S] = {.name = "MEM_MAJFLT_S", .def = 100, .unit = "/s",
		.what = "major page faults at or above this confirm memory starvation",
		.source = "awesome-prometheus-alerts HostMemoryUnderMemoryPressure: pgmajfault >1000/s for 2m; lowered for small servers"},
	[HR_TH_MEM_SCAN_PGS] = {.name = "MEM_SCAN_PGS", .def = 1000, .unit = "pages/s",
		.what = "page scanning (kswapd + direct) at or above this is reclaim pressure",
		.source = "USE method memory saturation: sar -B pgscank + pgscand (Gregg, no number); 1000/s is headroom's"},
	[HR_TH_MEM_PSI_PCT] = {.name = "MEM_PSI_PCT", .def = 10, .unit = "%",
		.what = "memory pressure (PSI some) at or above this is saturation",
		.source = "headroom default; the kernel's psi.rst recommends no threshold (only example triggers)"},
	[HR_TH_MEM_SUSTAINED_MIN] = {.name = "MEM_SUSTAINED_MIN", .def = 5, .unit = "min",
		.what = "memory rules fire only for stretches at least this long",
		.source = "awesome-prometheus-alerts HostOutOfMemory and HostMemoryUnderMemoryPressure fire after 2m; headroom waits 5"},
	[HR_TH_DISK_UTIL_PCT] = {.name = "DISK_UTIL_PCT", .def = 80, .unit = "%",
		.what = "disk %util at or above this is busy",
		.source = "headroom default; USE method: disk %util above 70% brings queueing (Gregg); netdata warns only >98% (10-min average)"},
	[HR_TH_DISK_AQU_SZ] = {.name = "DISK_AQU_SZ", .def = 2, .unit = "requests",
		.what = "average queue at or above this (with high await) is saturation",
		.source = "USE method disk saturation: avgqu-sz > 1 or high await (Gregg); headroom asks 2 together with a high await"},
	[HR_TH_DISK_AWAIT_MS] = {.name = "DISK_AWAIT_MS", .def = 50, .unit = "ms",
		.what = "await at or above this (with a queue) is a slow disk",
		.source = "headroom default; USE method: high await (no number); awesome-prometheus-alerts disk latency alerts fire >100 ms per operation for 2m"},
	[HR_TH_IO_PSI_PCT] = {.name = "IO_PSI_PCT", .def = 20, .unit = "%",
		.what = "I/O pressure (PSI some) at or above this, with a busy disk, is saturation",
		.source = "headroom default; the kernel's psi.rst recommends no threshold (only example triggers)"},
	[HR_TH_DISK_SUSTAINED_MIN] = {.name = "DISK_SUSTAINED_MIN", .def = 10, .unit = "min",
		.what = "disk rules fire only for stretches at least this long",
		.source = "netdata 10min_disk_utilization averages 10 min"},
	[HR_TH_IFUTIL_PCT] = {.name = "IFUTIL_PCT", .def = 70, .unit = "%",
		.what = "interface traffic at or above this share of the link speed is saturated",
		.source = "headroom default; USE method: above 70% utilisation can hurt (Gregg); awesome-prometheus-alerts HostNetworkInterfaceSaturated >80%; netdata >90%"},
	[HR_TH_NET_SUSTAINED_MIN] = {.name = "NET_SUSTAINED_MIN", .def = 10, .unit = "min",
		.what = "network saturation fires only for stretches at least this long",
		.source = "headroom default, as DISK_SUSTAINED_MIN"},
	[HR_TH_NET_ERRORS_S] = {.name = "NET_ERRORS_S", .def = 1, .unit = "/s",
		.what = "interface errors (rx + tx) at or above this point at the link",
		.source = "awesome-prometheus-alerts HostNetworkReceiveErrors/TransmitErrors (node-exporter; errors > 1% of packets for 2m); headroom counts per second"},
	[HR_TH_NET_DROPS_S] = {.name = "NET_DROPS_S", .def = 1, .unit = "/s",
		.what = "interface drops (rx + tx) at or above this point at the link or its queues",
		.source = "USE method network saturation: drops in /proc/net/dev (Gregg); netdata's drop-ratio alarms warn at 2% of packets over 10 min"},
	[HR_TH_TCP_RETRANS_PCT] = {.name = "TCP_RETRANS_PCT", .def = 2, .unit = "%",
		.what = "TCP retransmitted segments at or above this share of sent ones",
		.source = "headroom default; USE method lists TCP retransmits as network saturation (Gregg, no number)"},
	[HR_TH_NET_GROWTH_PCT] = {.name = "NET_GROWTH_PCT", .def = 10, .unit = "% a week",
		.what = "sockets or traffic growing this much a week (of their average) is a leading indicator",
		.source = "headroom default (sockets and traffic as leading indicators; no published number)"},
	[HR_TH_FORECAST_WEEKS] = {.name = "FORECAST_WEEKS", .def = 8, .unit = "weeks",
		.what = "a trend reaching its threshold within this many weeks is worth a watch",
		.source = "headroom default (two months: time to order hardware)"},
};
/* clang-format on */

void hr_thresholds_defaults(struct hr_thresholds *th)
{
	for (size_t i = 0; i < HR_TH_COUNT; i++)
		th->v[i] = hr_threshold_defs[i].def;
	th->min_sustained_s = -1;
}

int hr_thresholds_set(struct hr_thresholds *th, const char *name, double value)
{
	if (!(value >= 0))
		return -ERANGE;
	for (size_t i = 0; i < HR_TH_COUNT; i++) {
		if (!strcmp(hr_threshold_defs[i].name, name)) {
			th->v[i] = value;
			return 0;
		}
	}
	return -ENOENT;
}

const char *hr_verdict_name(enum hr_verdict v)
{
	static const char *const names[] = {
	    [HR_OK] = "ok",
	    [HR_WATCH] = "watch",
	    [HR_INVESTIGATE] = "investigate",
	    [HR_UPGRADE] = "upgrade",
	};

	return (unsigned)v < ARRAY_SIZE(names) ? names[v] : "?";
}

int hr_verdict_exit(enum hr_verdict v)
{
	switch (v) {
	case HR_WATCH:
		return 10;
	case HR_INVESTIGATE:
		return 11;
	case HR_UPGRADE:
		return 12;
	case HR_OK:
	default:
		return 0;
	}
}

/* ---- series ------------------------------------------------------------------ */

int hr_aseries_add(struct hr_aseries *s, int64_t start, int64_t len, const double *vals)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 256;
		int64_t *st = realloc(s->start, cap * sizeof(*st));
		if (!st)
			return -ENOMEM;
		s->start = st;
		int64_t *ln = realloc(s->len, cap * sizeof(*ln));
		if (!ln)
			return -ENOMEM;
		s->len = ln;
		double *v = realloc(s->v, cap * HR_SERIES_COLS * sizeof(*v));
		if (!v)
			return -ENOMEM;
		s->v = v;
		s->cap = cap;
	}
	s->start[s->n] = start;
	s->len[s->n] = len;
	memcpy(&s->v[s->n * HR_SERIES_COLS], vals, HR_SERIES_COLS * sizeof(*vals));
	s->n++;
	return 0;
}

void hr_aseries_release(struct hr_aseries *s)
{
	free(s->start);
	free(s->len);
	free(s->v);
	s->start = s->len = NULL;
	s->v = NULL;
	s->n = s->cap = 0;
}

static double val(const struct hr_aseries *s, size_t i, int c)
{
	return s->v[i * HR_SERIES_COLS + c];
}

/* ---- scanning ---------------------------------------------------------------- */

static bool contiguous(const struct hr_aseries *s, size_t prev, size_t i)
{
	int64_t gap = s->start[i] - (s->start[prev] + s->len[prev]);
	int64_t l = s->len[i] > s->len[prev] ? s->len[i] : s->len[prev];

	return gap <= l / 2;
}

/* Keep the HR_MAX_INTERVALS longest stretches (from, to) in EP. */
static void keep_interval(struct hr_episode *ep, int64_t from, int64_t to)
{
	size_t k = ep->nint;

	if (k == HR_MAX_INTERVALS) {
		size_t shortest = 0;
		for (size_t j = 1; j < k; j++)
			if (ep->int_to[j] - ep->int_from[j] <
			    ep->int_to[shortest] - ep->int_from[shortest])
				shortest = j;
		if (ep->int_to[shortest] - ep->int_from[shortest] >= to - from)
			return;
		k = shortest;
	} else {
		ep->nint++;
	}
	ep->int_from[k] = from;
	ep->int_to[k] = to;
}

/* Day accounting: local days with time held; a small open-addressed list. */
struct dayacc {
	int64_t day[64], ms[64];
	size_t n;
	int64_t cache_start, cache_end;
};

static void day_add(struct dayacc *d, int64_t ts, int64_t ms)
{
	if (ts < d->cache_start || ts >= d->cache_end) {
		if (hr_time_day(ts, &d->cache_start, &d->cache_end) < 0) {
			d->cache_start = ts - ts % DAY_MS;
			d->cache_end = d->cache_start + DAY_MS;
		}
	}
	for (size_t i = 0; i < d->n; i++) {
		if (d->day[i] == d->cache_start) {
			d->ms[i] += ms;
			return;
		}
	}
	if (d->n < ARRAY_SIZE(d->day)) {
		d->day[d->n] = d->cache_start;
		d->ms[d->n++] = ms;
	}
}

void hr_advise_scan(const struct hr_aseries *s,
		    bool (*held)(const struct hr_aseries *, size_t, const void *), const void *ctx,
		    int64_t min_ms, int peak_col, bool peak_low, struct hr_episode *ret)
{
	struct dayacc days = {.n = 0};
	/* the short stretches too, in case no stretch is sustained */
	struct hr_episode shorts = {.nint = 0};
	/*
	 * A stretch's length is the time its points cover, as for the total:
	 * the small slips between one sample's end and the next one's start
	 * (the recorder's timer) would otherwise make a stretch longer than
	 * the total it is part of.
	 */
	int64_t run_from = 0, run_to = 0, run_len = 0;
	bool in_run = false, any = false;
	double wsum = 0;
	size_t prev = 0;

	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i <= s->n; i++) {
		bool h = i < s->n && held(s, i, ctx);
		bool cont = i < s->n && in_run && contiguous(s, prev, i);

		if (in_run && (!h || !cont)) {
			int64_t l = run_len;
			if (l >= min_ms) {
				ret->sustained_ms += l;
				keep_interval(ret, run_from, run_to);
			} else {
				keep_interval(&shorts, run_from, run_to);
			}
			if (l > ret->longest_ms) {
				ret->longest_ms = l;
				ret->longest_start = run_from;
			}
			in_run = false;
		}
		if (!h)
			continue;
		double v = val(s, i, peak_col);
		if (!in_run) {
			in_run = true;
			run_from = s->start[i];
			run_len = 0;
		}
		run_len += s->len[i];
		run_to = s->start[i] + s->len[i];
		prev = i;
		ret->total_ms += s->len[i];
		day_add(&days, s->start[i], s->len[i]);
		if (!isnan(v)) {
			if (!any || (peak_low ? v < ret->peak : v > ret->peak))
				ret->peak = v;
			any = true;
			ret->mean += v * (double)s->len[i];
			wsum += (double)s->len[i];
		}
	}
	ret->mean = wsum > 0 ? ret->mean / wsum : 0;
	for (size_t i = 0; i < days.n; i++) {
		if (days.ms[i] > ret->worst_day_ms) {
			ret->worst_day_ms = days.ms[i];
			ret->worst_day = days.day[i];
		}
	}
	if (ret->nint == 0) {
		ret->nint = shorts.nint;
		memcpy(ret->int_from, shorts.int_from, sizeof(ret->int_from));
		memcpy(ret->int_to, shorts.int_to, sizeof(ret->int_to));
	}
}

/* ---- rules ------------------------------------------------------------------ */

/* One condition of a rule: column COL compared with threshold TH (times SCALE). */
struct hr_cond {
	int col;
	int th;
	bool below;   /* held when value <= threshold (else >=) */
	double scale; /* 0 means 1 */
};

struct hr_rule {
	const char *id;
	enum hr_res_kind kind;
	const char *metric; /* name of the figure the evidence quotes */
	const char *text;   /* what it means when it fires */
	struct hr_cond cond[3];
	size_t ncond;
	int sustain; /* HR_TH_*_SUSTAINED_MIN, or -1: any time counts */
	enum hr_verdict verdict;
	int top_by; /* 0 none, 1 CPU, 2 memory, 3 I/O */
	bool peak_low;
};

/* clang-format off */
#define C_GE(c, t) {.col = (c), .th = (t)}
#define C_LE(c, t) {.col = (c), .th = (t), .below = true}

/* The rules in the USE tradition: utilisation, saturation, errors per resource. */
static const struct hr_rule rules[] = {
	{.id = "cpu-busy", .kind = HR_RES_CPU, .metric = "busy %",
	 .text = "CPU busy sustained: the CPU is the bottleneck",
	 .cond = {C_GE(HR_CPU_BUSY, HR_TH_CPU_BUSY_PCT)}, .ncond = 1,
	 .sustain = HR_TH_CPU_SUSTAINED_MIN, .verdict = HR_UPGRADE, .top_by = 1},
	{.id = "cpu-steal", .kind = HR_RES_CPU, .metric = "steal %",
	 .text = "CPU time stolen by the hypervisor: the host is oversold, not this server",
	 .cond = {C_GE(HR_CPU_STEAL, HR_TH_CPU_STEAL_PCT)}, .ncond = 1,
	 .sustain = HR_TH_CPU_SUSTAINED_MIN, .verdict = HR_INVESTIGATE},
	{.id = "cpu-runqueue", .kind = HR_RES_CPU, .metric = "run queue % of CPUs",
	 .text = "more runnable tasks than CPUs: CPU saturation",
	 .cond = {C_GE(HR_CPU_RUNQ_PCT, HR_TH_CPU_RUNQ_PCT)}, .ncond = 1,
	 .sustain = HR_TH_CPU_SUSTAINED_MIN, .verdict = HR_WATCH, .top_by = 1},
	{.id = "cpu-pressure", .kind = HR_RES_CPU, .metric = "PSI cpu some %",
	 .text = "tasks stalled waiting for a CPU (pressure): CPU saturation",
	 .cond = {C_GE(HR_CPU_PSI, HR_TH_CPU_PSI_PCT)}, .ncond = 1,
	 .sustain = HR_TH_CPU_SUSTAINED_MIN, .verdict = HR_WATCH, .top_by = 1},
	{.id = "mem-starved", .kind = HR_RES_MEM, .metric = "available %",
	 .text = "swapping with little available memory and major faults: memory is short",
	 .cond = {C_LE(HR_MEM_AVAIL_PCT, HR_TH_MEM_AVAIL_PCT), C_GE(HR_MEM_SWAP, HR_TH_MEM_SWAP_PGS),
		  C_GE(HR_MEM_MAJFLT, HR_TH_MEM_MAJFLT_S)}, .ncond = 3,
	 .sustain = HR_TH_MEM_SUSTAINED_MIN, .verdict = HR_UPGRADE, .top_by = 2, .peak_low = true},
	{.id = "mem-low", .kind = HR_RES_MEM, .metric = "available %",
	 .text = "little available memory: the page cache is squeezed",
	 .cond = {C_LE(HR_MEM_AVAIL_PCT, HR_TH_MEM_AVAIL_PCT)}, .ncond = 1,
	 .sustain = HR_TH_MEM_SUSTAINED_MIN, .verdict = HR_WATCH, .top_by = 2, .peak_low = true},
	{.id = "mem-swapping", .kind = HR_RES_MEM, .metric = "swap pages/s",
	 .text = "swapping: memory saturation",
	 .cond = {C_GE(HR_MEM_SWAP, HR_TH_MEM_SWAP_PGS)}, .ncond = 1,
	 .sustain = HR_TH_MEM_SUSTAINED_MIN, .verdict = HR_WATCH, .top_by = 2},
	{.id = "mem-scanning", .kind = HR_RES_MEM, .metric = "scan pages/s",
	 .text = "the kernel scans pages to reclaim memory: memory saturation",
	 .cond = {C_GE(HR_MEM_SCAN, HR_TH_MEM_SCAN_PGS)}, .ncond = 1,
	 .sustain = HR_TH_MEM_SUSTAINED_MIN, .verdict = HR_WATCH, .top_by = 2},
	{.id = "mem-pressure", .kind = HR_RES_MEM, .metric = "PSI memory some %",
	 .text = "tasks stalled waiting for memory (pressure): memory saturation",
	 .cond = {C_GE(HR_MEM_PSI, HR_TH_MEM_PSI_PCT)}, .ncond = 1,
	 .sustain = HR_TH_MEM_SUSTAINED_MIN, .verdict = HR_WATCH, .top_by = 2},
	{.id = "disk-busy", .kind = HR_RES_DISK, .metric = "util %",
	 .text = "disk busy sustained: the disk is the bottleneck",
	 .cond = {C_GE(HR_DISK_UTIL, HR_TH_DISK_UTIL_PCT)}, .ncond = 1,
	 .sustain = HR_TH_DISK_SUSTAINED_MIN, .verdict = HR_UPGRADE, .top_by = 3},
	{.id = "disk-queue", .kind = HR_RES_DISK, .metric = "aqu-sz",
	 .text = "requests queue and wait long: disk saturation",
	 .cond = {C_GE(HR_DISK_AQU, HR_TH_DISK_AQU_SZ), C_GE(HR_DISK_AWAIT, HR_TH_DISK_AWAIT_MS)},
	 .ncond = 2, .sustain = HR_TH_DISK_SUSTAINED_MIN, .verdict = HR_UPGRADE, .top_by = 3},
	{.id = "disk-pressure", .kind = HR_RES_DISK, .metric = "PSI io some %",
	 .text = "tasks stalled on I/O (pressure) while this disk is busy",
	 .cond = {C_GE(HR_DISK_PSI, HR_TH_IO_PSI_PCT),
		  {.col = HR_DISK_UTIL, .th = HR_TH_DISK_UTIL_PCT, .scale = 0.5}}, .ncond = 2,
	 .sustain = HR_TH_DISK_SUSTAINED_MIN, .verdict = HR_WATCH, .top_by = 3},
	{.id = "net-saturated", .kind = HR_RES_NET, .metric = "ifutil %",
	 .text = "traffic near the link speed: the interface is the bottleneck",
	 .cond = {C_GE(HR_NET_IFUTIL, HR_TH_IFUTIL_PCT)}, .ncond = 1,
	 .sustain = HR_TH_NET_SUSTAINED_MIN, .verdict = HR_UPGRADE},
	{.id = "net-errors", .kind = HR_RES_NET, .metric = "errors/s",
	 .text = "interface errors: a bad cable or connector, a duplex mismatch, or the driver",
	 .cond = {C_GE(HR_NET_ERRORS, HR_TH_NET_ERRORS_S)}, .ncond = 1,
	 .sustain = -1, .verdict = HR_INVESTIGATE},
	{.id = "net-drops", .kind = HR_RES_NET, .metric = "drops/s",
	 .text = "dropped packets: full queues, frames larger than the MTU, or a shaped link",
	 .cond = {C_GE(HR_NET_DROPS, HR_TH_NET_DROPS_S)}, .ncond = 1,
	 .sustain = -1, .verdict = HR_INVESTIGATE},
	{.id = "tcp-retransmits", .kind = HR_RES_NET, .metric = "retrans %",
	 .text = "TCP retransmits (all interfaces): loss on the path",
	 .cond = {C_GE(HR_NET_RETRANS, HR_TH_TCP_RETRANS_PCT)}, .ncond = 1,
	 .sustain = HR_TH_NET_SUSTAINED_MIN, .verdict = HR_WATCH},
};
/* clang-format on */

/* Names of the series columns, per kind, for the evidence. */
/* clang-format off */
static const char *const col_names[][HR_SERIES_COLS] = {
	[HR_RES_CPU] = {[HR_CPU_BUSY] = "busy %", [HR_CPU_STEAL] = "steal %",
			[HR_CPU_RUNQ_PCT] = "run queue % of CPUs", [HR_CPU_PSI] = "PSI cpu some %"},
	[HR_RES_MEM] = {[HR_MEM_AVAIL_PCT] = "available %", [HR_MEM_SWAP] = "swap pages/s",
			[HR_MEM_MAJFLT] = "major faults/s", [HR_MEM_SCAN] = "scan pages/s",
			[HR_MEM_PSI] = "PSI memory some %"},
	[HR_RES_DISK] = {[HR_DISK_UTIL] = "util %", [HR_DISK_AQU] = "aqu-sz",
			 [HR_DISK_AWAIT] = "await ms", [HR_DISK_PSI] = "PSI io some %",
			 [HR_DISK_KBPS] = "kB/s"},
	[HR_RES_NET] = {[HR_NET_IFUTIL] = "ifutil %", [HR_NET_ERRORS] = "errors/s",
			[HR_NET_DROPS] = "drops/s", [HR_NET_RETRANS] = "TCP retrans %",
			[HR_NET_KBPS] = "kB/s", [HR_NET_SOCK] = "sockets"},
};
/* clang-format on */

struct rule_ctx {
	const struct hr_rule *rule;
	const struct hr_thresholds *th;
};

static bool rule_held(const struct hr_aseries *s, size_t i, const void *p)
{
	const struct rule_ctx *c = p;

	for (size_t k = 0; k < c->rule->ncond; k++) {
		const struct hr_cond *cd = &c->rule->cond[k];
		double v = val(s, i, cd->col);
		double t = c->th->v[cd->th] * (cd->scale > 0 ? cd->scale : 1);

		if (isnan(v) || (cd->below ? !(v <= t) : !(v >= t)))
			return false;
	}
	return true;
}

static int64_t sustain_ms(const struct hr_thresholds *th, int which)
{
	if (which < 0)
		return 0;
	if (th->min_sustained_s >= 0)
		return (int64_t)(th->min_sustained_s * 1000);
	return (int64_t)(th->v[which] * MIN_MS);
}

/* ---- trends -------------------------------------------------------------------- */

static int main_col(enum hr_res_kind k)
{
	return k == HR_RES_CPU	  ? HR_CPU_BUSY
	       : k == HR_RES_MEM  ? HR_MEM_AVAIL_PCT
	       : k == HR_RES_DISK ? HR_DISK_UTIL
				  : HR_NET_IFUTIL;
}

/* The main metric of point i, as it grows toward trouble (memory: used %). */
static double main_val(const struct hr_aseries *s, size_t i)
{
	double v = val(s, i, main_col(s->kind));

	return s->kind == HR_RES_MEM && !isnan(v) ? 100 - v : v;
}

static double trend_threshold(const struct hr_thresholds *th, enum hr_res_kind k)
{
	switch (k) {
	case HR_RES_CPU:
		return th->v[HR_TH_CPU_BUSY_PCT];
	case HR_RES_MEM:
		return 100 - th->v[HR_TH_MEM_AVAIL_PCT];
	case HR_RES_DISK:
		return th->v[HR_TH_DISK_UTIL_PCT];
	case HR_RES_NET:
	default:
		return th->v[HR_TH_IFUTIL_PCT];
	}
}

/* A least-squares line through the hourly averages of one column. */
struct fit {
	bool valid;		/* at least 3 days and 3 hours of data */
	double per_week, level; /* slope, fitted value at the end */
	double avg, peak;
};

/* COL < 0: the main metric (main_val). */
static void fit_hourly(const struct hr_aseries *s, int col, struct fit *ret)
{
	double sx = 0, sy = 0, sxx = 0, sxy = 0, n = 0;
	double hsum = 0, hw = 0, sum = 0, w = 0;
	int64_t hour = INT64_MIN, t0, last = 0;

	memset(ret, 0, sizeof(*ret));
	if (s->n == 0)
		return;
	t0 = s->start[0];
	for (size_t i = 0; i <= s->n; i++) {
		int64_t h = i < s->n ? s->start[i] / HOUR_MS : INT64_MAX;
		double v = i == s->n ? NAN : col < 0 ? main_val(s, i) : val(s, i, col);

		if (h != hour && hw > 0) {
			double x = (double)(hour * HOUR_MS + HOUR_MS / 2 - t0) / (double)WEEK_MS;
			double y = hsum / hw;
			sx += x;
			sy += y;
			sxx += x * x;
			sxy += x * y;
			n++;
			hsum = hw = 0;
		}
		hour = h;
		if (i == s->n || isnan(v))
			continue;
		hsum += v * (double)s->len[i];
		hw += (double)s->len[i];
		sum += v * (double)s->len[i];
		w += (double)s->len[i];
		if (v > ret->peak)
			ret->peak = v;
		last = s->start[i] + s->len[i];
	}
	ret->avg = w > 0 ? sum / w : 0;
	if (n < 3 || last - t0 < 3 * DAY_MS || n * sxx - sx * sx <= 0)
		return;
	double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
	double a = (sy - b * sx) / n;
	ret->valid = true;
	ret->per_week = b;
	ret->level = a + b * (double)(last - t0) / (double)WEEK_MS;
}

/* The main metric's trend and forecast; needs 3 days of data. */
static void trend(struct hr_resource *r, const struct hr_thresholds *th)
{
	struct fit f;

	memset(&r->trend, 0, sizeof(r->trend));
	r->trend.threshold = trend_threshold(th, r->s.kind);
	r->trend.weeks = -1;
	fit_hourly(&r->s, -1, &f);
	r->avg = f.avg;
	r->peak = f.peak;
	if (!f.valid)
		return;
	r->trend.valid = true;
	r->trend.per_week = f.per_week;
	r->trend.level = f.level;
	if (f.per_week > 0 && f.level < r->trend.threshold)
		r->trend.weeks = (r->trend.threshold - f.level) / f.per_week;
}

/* ---- evaluation ------------------------------------------------------------------ */

/* "available % <= 10 and swap pages/s >= 10 for 5min" */
static void describe(struct hr_finding *f, const struct hr_rule *ru, const struct hr_thresholds *th,
		     int64_t min)
{
	size_t n = 0;
	char d[32];

	f->cond[0] = '\0';
	for (size_t k = 0; k < ru->ncond && n < sizeof(f->cond); k++) {
		const struct hr_cond *c = &ru->cond[k];
		const char *name = col_names[ru->kind][c->col];
		int w =
		    snprintf(f->cond + n, sizeof(f->cond) - n, "%s%s %s %g", k ? " and " : "",
			     name ? name : "?",
			     c->below ? "<=" : ">=", th->v[c->th] * (c->scale > 0 ? c->scale : 1));
		if (w < 0)
			return;
		n += (size_t)w;
	}
	if (ru->sustain >= 0 && n < sizeof(f->cond)) {
		hr_dur_fmt(min, d, sizeof(d));
		snprintf(f->cond + n, sizeof(f->cond) - n, " for %s or longer", d);
	}
}

static struct hr_finding *add_finding(struct hr_resource *r)
{
	if (r->nfind == HR_MAX_FINDINGS)
		return NULL;
	struct hr_finding *f = &r->find[r->nfind++];
	memset(f, 0, sizeof(*f));
	return f;
}

int64_t hr_dur_s(int64_t ms)
{
	return ms <= 0 ? 0 : (ms + 500) / 1000;
}

void hr_dur_fmt(int64_t ms, char *buf, size_t size)
{
	int64_t sec = hr_dur_s(ms), m = (sec + 30) / 60;

	if (sec < 60)
		snprintf(buf, size, "%llds", (long long)sec);
	else if (m < 60)
		snprintf(buf, size, "%lldmin", (long long)m);
	else if (m < 48 * 60)
		snprintf(buf, size, "%lldh%02lldmin", (long long)(m / 60), (long long)(m % 60));
	else
		snprintf(buf, size, "%lldd%02lldh", (long long)(m / 1440),
			 (long long)(m / 60 % 24));
}

static struct hr_resource *find_res(struct hr_advice *a, enum hr_res_kind k)
{
	for (size_t i = 0; i < a->nres; i++)
		if (a->res[i].s.kind == k)
			return &a->res[i];
	return NULL;
}

static const struct hr_finding *fired(const struct hr_resource *r, const char *id)
{
	for (size_t i = 0; r && i < r->nfind; i++)
		if (!strcmp(r->find[i].rule, id) && r->find[i].verdict > HR_OK)
			return &r->find[i];
	return NULL;
}

/* Memory point J swapped, or was short and faulted pages back in: I/O of its own. */
static bool mem_io(const struct hr_aseries *m, size_t j, const struct hr_thresholds *th,
		   bool *ret_swap)
{
	double swp = val(m, j, HR_MEM_SWAP), av = val(m, j, HR_MEM_AVAIL_PCT);
	double mf = val(m, j, HR_MEM_MAJFLT);

	*ret_swap = swp >= th->v[HR_TH_MEM_SWAP_PGS];
	return *ret_swap || (av <= th->v[HR_TH_MEM_AVAIL_PCT] && mf >= th->v[HR_TH_MEM_MAJFLT_S]);
}

/*
 * Share of the time RULE held on DISK while memory swapped or was short
 * (*ret_swap: swapping was most of that).
 */
static double mem_overlap(const struct hr_resource *disk, const struct hr_resource *mem,
			  const struct hr_thresholds *th, const struct hr_rule *rule,
			  bool *ret_swap)
{
	struct rule_ctx c = {.rule = rule, .th = th};
	double both = 0, swapped = 0, all = 0;
	size_t j = 0;

	for (size_t i = 0; i < disk->s.n; i++) {
		bool swp;

		if (!rule_held(&disk->s, i, &c))
			continue;
		all += (double)disk->s.len[i];
		while (j + 1 < mem->s.n && mem->s.start[j + 1] <= disk->s.start[i])
			j++;
		if (j < mem->s.n && mem->s.start[j] <= disk->s.start[i] + disk->s.len[i] / 2 &&
		    mem_io(&mem->s, j, th, &swp)) {
			both += (double)disk->s.len[i];
			swapped += swp ? (double)disk->s.len[i] : 0;
		}
	}
	*ret_swap = swapped * 2 >= both;
	return all > 0 ? both / all : 0;
}

/*
 * DISK's finding F was swapping's doing: memory carries the upgrade (once),
 * even when no memory rule alone reached it.
 */
static void blame_memory(struct hr_resource *mem, const struct hr_resource *disk,
			 const struct hr_finding *f)
{
	if (fired(mem, "mem-swap-disk") || fired(mem, "mem-starved"))
		return;
	struct hr_finding *m = add_finding(mem);
	if (!m)
		return;
	m->rule = "mem-swap-disk";
	m->text = "swapping saturates a disk: memory is short";
	m->metric = f->metric;
	m->threshold = f->threshold;
	m->verdict = HR_UPGRADE;
	m->ep = f->ep;
	snprintf(m->cond, sizeof(m->cond), "swapping while disk %s: %s", disk->s.name, f->cond);
	m->top_by = 0;
}

static const struct hr_rule *rule_of(const char *id)
{
	for (size_t j = 0; j < ARRAY_SIZE(rules); j++)
		if (!strcmp(rules[j].id, id))
			return &rules[j];
	return NULL;
}

/* Span-weighted mean of COL where RU holds on S; NaN if never (or no data). */
static double held_mean(const struct hr_aseries *s, const struct hr_rule *ru,
			const struct hr_thresholds *th, int col)
{
	struct rule_ctx c = {.rule = ru, .th = th};
	double sum = 0, w = 0;

	for (size_t i = 0; i < s->n; i++) {
		double v = val(s, i, col);
		if (isnan(v) || !rule_held(s, i, &c))
			continue;
		sum += v * (double)s->len[i];
		w += (double)s->len[i];
	}
	return w > 0 ? sum / w : NAN;
}

/* The time S's points span, first start to last end (ms). */
static int64_t series_span(const struct hr_aseries *s)
{
	return s->n ? s->start[s->n - 1] + s->len[s->n - 1] - s->start[0] : 0;
}

/* The time S's points cover (ms). */
static int64_t series_cover(const struct hr_aseries *s)
{
	int64_t c = 0;

	for (size_t i = 0; i < s->n; i++)
		c += s->len[i];
	return c;
}

/* Whether any point of S has a value in COL. */
static bool has_col(const struct hr_aseries *s, int col)
{
	for (size_t i = 0; i < s->n; i++)
		if (!isnan(val(s, i, col)))
			return true;
	return false;
}

/*
 * What drops and errors can mean, and which one the recorded figures point
 * at: a link full at its speed fills its queues; drops at any traffic level
 * with the link far from full are frames larger than the other end's MTU,
 * a shaper, or a filter; errors are the physical layer or the driver.
 */
static void net_evidence(struct hr_resource *r, struct hr_finding *f,
			 const struct hr_thresholds *th)
{
	const struct hr_rule *ru = rule_of(f->rule);
	double kb, u, all, tx;
	char util[48];

	if (!ru)
		return;
	kb = held_mean(&r->s, ru, th, HR_NET_KBPS);
	u = held_mean(&r->s, ru, th, HR_NET_IFUTIL);
	if (isnan(u))
		snprintf(util, sizeof(util), "link speed unknown");
	else
		snprintf(util, sizeof(util), "ifutil %.0f%%", u);
	if (!strcmp(f->rule, "net-drops")) {
		all = held_mean(&r->s, ru, th, HR_NET_DROPS);
		tx = held_mean(&r->s, ru, th, HR_NET_TXDROPS);
		f->cause = HR_CAUSE_NONE;
		if (!isnan(u) && u >= th->v[HR_TH_IFUTIL_PCT])
			snprintf(
			    f->evidence, sizeof(f->evidence),
			    "while dropping: %.1f drops/s (%.0f%% on transmit) at %.0f kB/s, %s: "
			    "full queues at the link speed; the link is too small for the "
			    "traffic",
			    all, all > 0 ? 100 * tx / all : 0, kb, util);
		else
			snprintf(
			    f->evidence, sizeof(f->evidence),
			    "while dropping: %.1f drops/s (%.0f%% on transmit) at %.0f kB/s, %s: "
			    "not a full link; frames over the other end's MTU drop at any "
			    "traffic (compare ip link mtu), a tc shaper at its rate (tc -s qdisc)",
			    all, all > 0 ? 100 * tx / all : 0, kb, util);
	} else if (!strcmp(f->rule, "net-errors")) {
		all = held_mean(&r->s, ru, th, HR_NET_ERRORS);
		tx = held_mean(&r->s, ru, th, HR_NET_TXERRORS);
		snprintf(f->evidence, sizeof(f->evidence),
			 "while erring: %.1f errors/s (%.0f%% on receive) at %.0f kB/s, %s: "
			 "receive errors (CRC, frame) point at the cable, connector or a duplex "
			 "mismatch (ethtool, ethtool -S), transmit errors at the driver or carrier",
			 all, all > 0 ? 100 * (all - tx) / all : 0, kb, util);
	}
}

int hr_advise_eval(struct hr_advice *a)
{
	const struct hr_thresholds *th = &a->th;
	struct hr_resource *mem = NULL;
	char d1[32], d2[32];

	a->worst = HR_OK;
	for (size_t k = 0; k < a->nres; k++) {
		struct hr_resource *r = &a->res[k];

		r->nfind = 0;
		r->verdict = HR_OK;
		r->main_metric = r->s.kind == HR_RES_CPU    ? "busy %"
				 : r->s.kind == HR_RES_MEM  ? "used %"
				 : r->s.kind == HR_RES_DISK ? "util %"
							    : "ifutil %";
		for (size_t i = 0; i < ARRAY_SIZE(rules); i++) {
			const struct hr_rule *ru = &rules[i];
			struct rule_ctx c = {.rule = ru, .th = th};
			struct hr_episode ep;
			int64_t min = sustain_ms(th, ru->sustain);

			if (ru->kind != r->s.kind)
				continue;
			hr_advise_scan(&r->s, rule_held, &c, min, ru->cond[0].col, ru->peak_low,
				       &ep);
			if (ep.total_ms == 0)
				continue;
			struct hr_finding *f = add_finding(r);
			if (!f)
				break;
			f->rule = ru->id;
			f->text = ru->text;
			f->metric = ru->metric;
			f->threshold = th->v[ru->cond[0].th];
			f->ep = ep;
			describe(f, ru, th, min);
			f->top_by = ru->top_by;
			if (ru->sustain < 0 || ep.sustained_ms > 0) {
				f->verdict = ru->verdict;
				if (ru->sustain >= 0 && ep.total_ms > ep.sustained_ms) {
					hr_dur_fmt(ep.total_ms - ep.sustained_ms, d1, sizeof(d1));
					snprintf(f->note, sizeof(f->note),
						 "plus %s in shorter spikes, not counted", d1);
				}
			} else if (ep.longest_ms * 10 >= series_cover(&r->s) * 9 &&
				   series_span(&r->s) < min) {
				/*
				 * It held for (nearly) all of a range shorter than the
				 * minimum: the range cannot prove it sustained, nor
				 * clear it. Watch, and say why.
				 */
				f->verdict = ru->verdict < HR_WATCH ? ru->verdict : HR_WATCH;
				hr_dur_fmt(series_span(&r->s), d1, sizeof(d1));
				hr_dur_fmt(min, d2, sizeof(d2));
				snprintf(
				    f->note, sizeof(f->note),
				    "held for the whole recorded range, but recorded range (%s) "
				    "shorter than the sustained minimum (%s): record longer to "
				    "judge",
				    d1, d2);
			} else {
				/* Short spikes: evidence, not a verdict. */
				f->verdict = HR_OK;
				f->top_by = 0;
				hr_dur_fmt(ep.longest_ms, d1, sizeof(d1));
				hr_dur_fmt(min, d2, sizeof(d2));
				snprintf(f->note, sizeof(f->note),
					 "short spikes only (longest %s, under the %s sustained "
					 "minimum): ignored",
					 d1, d2);
			}
		}
		for (size_t i = 0; r->s.kind == HR_RES_NET && i < r->nfind; i++)
			net_evidence(r, &r->find[i], th);
		r->note[0] = '\0';
		trend(r, th);
		if (r->s.kind == HR_RES_NET && r->s.n && !has_col(&r->s, HR_NET_IFUTIL)) {
			/* No real link speed: judge no utilisation, show the traffic. */
			struct fit kb;

			fit_hourly(&r->s, HR_NET_KBPS, &kb);
			r->main_metric = "kB/s";
			r->avg = kb.avg;
			r->peak = kb.peak;
			memset(&r->trend, 0, sizeof(r->trend));
			r->trend.weeks = -1;
			snprintf(r->note, sizeof(r->note),
				 "ifutil unknown: the link speed of %s is unknown or not real (a "
				 "virtual "
				 "link, a shaped one); LINK_SPEED=%s:MBIT in the config gives it",
				 r->s.name, r->s.name);
		}
		if (r->trend.weeks >= 0 && r->trend.weeks <= th->v[HR_TH_FORECAST_WEEKS]) {
			struct hr_finding *f = add_finding(r);
			if (f) {
				f->rule = "growth";
				f->text = "the trend reaches the threshold soon";
				f->metric = r->main_metric;
				f->threshold = r->trend.threshold;
				f->verdict = HR_WATCH;
				snprintf(
				    f->note, sizeof(f->note),
				    "at this rate %s reaches %g%s (hourly average) in about %.0f "
				    "week%s",
				    r->s.kind == HR_RES_CPU    ? "CPU busy"
				    : r->s.kind == HR_RES_MEM  ? "memory used"
				    : r->s.kind == HR_RES_DISK ? "disk util"
							       : "interface util",
				    r->trend.threshold, "%", ceil(r->trend.weeks),
				    ceil(r->trend.weeks) == 1 ? "" : "s");
			}
		}
	}
	/* Leading indicators: sockets and traffic growing fast (network). */
	for (size_t k = 0; k < a->nres; k++) {
		struct hr_resource *r = &a->res[k];
		static const struct {
			int col;
			const char *what;
		} lead[] = {{HR_NET_SOCK, "sockets"}, {HR_NET_KBPS, "traffic"}};

		if (r->s.kind != HR_RES_NET)
			continue;
		for (size_t i = 0; i < ARRAY_SIZE(lead); i++) {
			struct fit f;
			fit_hourly(&r->s, lead[i].col, &f);
			if (!f.valid || f.avg <= 0)
				continue;
			double pct = 100 * f.per_week / f.avg;
			if (pct < th->v[HR_TH_NET_GROWTH_PCT])
				continue;
			struct hr_finding *fd = add_finding(r);
			if (!fd)
				break;
			fd->rule = i == 0 ? "sockets-growth" : "traffic-growth";
			fd->text = "a leading indicator grows fast: load is coming";
			fd->metric = lead[i].what;
			fd->threshold = th->v[HR_TH_NET_GROWTH_PCT];
			fd->verdict = HR_WATCH;
			snprintf(fd->cond, sizeof(fd->cond),
				 "%s growth >= %g%% of its average per week", lead[i].what,
				 th->v[HR_TH_NET_GROWTH_PCT]);
			snprintf(fd->note, sizeof(fd->note),
				 "%s: %+.0f%% of the average a week (%+.1f%s a week, average %.1f, "
				 "now %.1f)",
				 lead[i].what, pct, f.per_week, i == 0 ? "" : " kB/s", f.avg,
				 f.level);
		}
	}
	/* Cross-resource conclusions. */
	mem = find_res(a, HR_RES_MEM);
	for (size_t k = 0; k < a->nres; k++) {
		struct hr_resource *r = &a->res[k];

		if (r->s.kind == HR_RES_CPU && fired(r, "cpu-steal")) {
			for (size_t i = 0; i < r->nfind; i++) {
				struct hr_finding *f = &r->find[i];
				if (f->verdict == HR_UPGRADE) {
					f->verdict = HR_INVESTIGATE;
					snprintf(f->note, sizeof(f->note),
						 "steal time is high too: ask the host for the CPU "
						 "you pay for before upgrading");
				}
			}
		}
		/*
		 * Cause before symptom, over every disk finding that fired at
		 * any level: the I/O of swapping (or of a memory shortage
		 * faulting pages back in) is memory's problem; the processes it
		 * names are the ones faulting, not disk hogs.
		 */
		for (size_t i = 0; r->s.kind == HR_RES_DISK && mem && i < r->nfind; i++) {
			struct hr_finding *f = &r->find[i];
			const struct hr_rule *ru = rule_of(f->rule);
			bool swp;

			if (!ru || f->verdict == HR_OK)
				continue;
			double ov = mem_overlap(r, mem, th, ru, &swp);
			if (ov < 0.5)
				continue;
			f->cause = HR_CAUSE_MEMORY;
			snprintf(f->evidence, sizeof(f->evidence),
				 "%.0f%% of it while the system was %s: this is the %s I/O, a "
				 "symptom; the processes named are the ones faulting, and the "
				 "cause is memory: add memory first",
				 ov * 100, swp ? "swapping" : "short of memory and faulting",
				 swp ? "swapping's" : "page faults'");
			if (f->verdict > HR_WATCH) {
				f->verdict = HR_WATCH;
				blame_memory(mem, r, f);
			}
		}
	}
	return hr_advise_conclude(a);
}

/* "pid 4242", "pid 4242 and 2 more" */
static void culprit_pids(const struct hr_culprit *c, char *buf, size_t size)
{
	if (c->npid > 1)
		snprintf(buf, size, "pid %lld and %zu more", (long long)c->pid, c->npid - 1);
	else
		snprintf(buf, size, "pid %lld", (long long)c->pid);
}

int hr_advise_conclude(struct hr_advice *a)
{
	const struct hr_thresholds *th = &a->th;

	a->worst = HR_OK;
	for (size_t k = 0; k < a->nres; k++) {
		struct hr_resource *r = &a->res[k];
		struct hr_finding *rogue = NULL;

		if (r->s.kind != HR_RES_DISK)
			continue;
		for (size_t i = 0; i < r->nfind; i++) {
			struct hr_finding *f = &r->find[i];
			const struct hr_culprit *c = &f->culprit;
			const struct hr_rule *ru = rule_of(f->rule);
			char pids[48], disk[64] = "";

			if (!ru || f->verdict == HR_OK || f->cause != HR_CAUSE_NONE ||
			    !c->comm[0] || c->all_kbps <= 0 || c->kbps < 0.5 * c->all_kbps)
				continue;
			f->cause = HR_CAUSE_ROGUE;
			culprit_pids(c, pids, sizeof(pids));
			if (f->verdict > HR_INVESTIGATE)
				f->verdict = HR_INVESTIGATE;
			if (rogue) {
				snprintf(f->evidence, sizeof(f->evidence),
					 "one process's load: %s (%s), see disk-rogue", c->comm,
					 pids);
				continue;
			}
			double dk = held_mean(&r->s, ru, th, HR_DISK_KBPS);
			if (!isnan(dk))
				snprintf(disk, sizeof(disk), "; the disk moved %.0f kB/s", dk);
			snprintf(f->evidence, sizeof(f->evidence),
				 "%s (%s) is doing %.0f%% of the disk's I/O (%.0f of the %.0f kB/s "
				 "the processes did%s): look at that process before buying a disk",
				 c->comm, pids, 100 * c->kbps / c->all_kbps, c->kbps, c->all_kbps,
				 disk);
			rogue = f;
		}
		if (rogue && !fired(r, "disk-rogue")) {
			const struct hr_finding src = *rogue;
			struct hr_finding *g = add_finding(r);
			if (g) {
				*g = src;
				g->rule = "disk-rogue";
				g->text =
				    "one process does most of the disk's I/O: investigate it, the "
				    "disk is not what to upgrade";
				g->verdict = HR_INVESTIGATE;
				g->note[0] = '\0';
				/* the source keeps a pointer to the sentence, not a copy */
				char pids[48];
				culprit_pids(&src.culprit, pids, sizeof(pids));
				snprintf(rogue->evidence, sizeof(rogue->evidence),
					 "one process's load: %s (%s), see disk-rogue",
					 src.culprit.comm, pids);
			}
		}
	}
	for (size_t k = 0; k < a->nres; k++) {
		struct hr_resource *r = &a->res[k];

		r->verdict = HR_OK;
		for (size_t i = 0; i < r->nfind; i++)
			if (r->find[i].verdict > r->verdict)
				r->verdict = r->find[i].verdict;
		if (r->verdict > a->worst)
			a->worst = r->verdict;
	}
	return 0;
}

bool hr_advise_too_short(const struct hr_advice *a, char *buf, size_t size)
{
	static const struct {
		enum hr_res_kind kind;
		int th;
		const char *name;
	} mins[] = {{HR_RES_CPU, HR_TH_CPU_SUSTAINED_MIN, "CPU"},
		    {HR_RES_MEM, HR_TH_MEM_SUSTAINED_MIN, "memory"},
		    {HR_RES_DISK, HR_TH_DISK_SUSTAINED_MIN, "disk"},
		    {HR_RES_NET, HR_TH_NET_SUSTAINED_MIN, "network"}};
	int64_t span = a->last_ms - a->first_ms;
	char d[32];
	size_t n;
	bool any = false;

	if (size == 0)
		return false;
	buf[0] = '\0';
	if (a->nres == 0 || span < 0)
		return false;
	hr_dur_fmt(span, d, sizeof(d));
	n = (size_t)snprintf(buf, size,
			     "the recorded range (%s) is shorter than the sustained minimum", d);
	for (size_t i = 0; i < ARRAY_SIZE(mins) && n < size; i++) {
		int64_t min = sustain_ms(&a->th, mins[i].th);
		bool present = false;

		for (size_t k = 0; k < a->nres; k++)
			present = present || a->res[k].s.kind == mins[i].kind;
		if (!present || span >= min)
			continue;
		hr_dur_fmt(min, d, sizeof(d));
		n += (size_t)snprintf(buf + n, size - n, "%s %s %s", any ? "," : " of",
				      mins[i].name, d);
		any = true;
	}
	if (!any)
		buf[0] = '\0';
	return any;
}

struct hr_resource *hr_advice_add(struct hr_advice *a, enum hr_res_kind kind, const char *name)
{
	struct hr_resource *grown = realloc(a->res, (a->nres + 1) * sizeof(*grown));

	if (!grown)
		return NULL;
	a->res = grown;
	struct hr_resource *r = &a->res[a->nres++];
	memset(r, 0, sizeof(*r));
	r->s.kind = kind;
	snprintf(r->s.name, sizeof(r->s.name), "%s", name ? name : "");
	return r;
}

void hr_advice_free(struct hr_advice *a)
{
	if (!a)
		return;
	for (size_t i = 0; i < a->nres; i++)
		hr_aseries_release(&a->res[i].s);
	free(a->res);
	free(a->restarts);
	free(a);
}
