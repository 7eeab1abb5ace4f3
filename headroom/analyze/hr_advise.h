/*
 * hr_advise.h - the upgrade advisor (headroom/analyze): a table of rules
 * in the USE tradition (utilisation, saturation, errors per resource) over
 * aggregated series, one verdict per resource with its evidence, and a
 * least-squares growth forecast.
 *
 * Two halves:
 *  - pure logic (hr_thresholds_*, hr_advise_scan, hr_advise_eval): works on
 *    struct hr_aseries filled by anyone, so unit tests need no database;
 *  - query glue (hr_advise_load): fills the series from the database with
 *    the bucket queries of hr_analyze.h (aggregation in SQL) and looks up
 *    the top processes of the intervals where a rule fired.
 * Depends on hr_analyze (and through it hr_store, SQLite, common); never on
 * render or cli. Never logs.
 *
 * Calling sequence:
 *	struct hr_thresholds th; hr_thresholds_defaults(&th);
 *	hr_thresholds_set(&th, "CPU_BUSY_PCT", 85)...	(config, options)
 *	struct hr_advice *a = NULL;
 *	hr_advise_load(db, &range, &th, &a);	(series + verdicts + processes)
 *	... read a->res[0..a->nres) ...
 *	hr_advice_free(a);
 */
#ifndef HR_ADVISE_H
#define HR_ADVISE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hr_analyze.h"

/* ---- thresholds ------------------------------------------------------------ */

enum hr_th {
	HR_TH_CPU_BUSY_PCT,
	HR_TH_CPU_SUSTAINED_MIN,
	HR_TH_CPU_RUNQ_PCT,
	HR_TH_CPU_PSI_PCT,
	HR_TH_CPU_STEAL_PCT,
	HR_TH_MEM_AVAIL_PCT,
	HR_TH_MEM_SWAP_PGS,
	HR_TH_MEM_MAJFLT_S,
	HR_TH_MEM_SCAN_PGS,
	HR_TH_MEM_PSI_PCT,
	HR_TH_MEM_SUSTAINED_MIN,
	HR_TH_DISK_UTIL_PCT,
	HR_TH_DISK_AQU_SZ,
	HR_TH_DISK_AWAIT_MS,
	HR_TH_IO_PSI_PCT,
	HR_TH_DISK_SUSTAINED_MIN,
	HR_TH_IFUTIL_PCT,
	HR_TH_NET_SUSTAINED_MIN,
	HR_TH_NET_ERRORS_S,
	HR_TH_NET_DROPS_S,
	HR_TH_TCP_RETRANS_PCT,
	HR_TH_NET_GROWTH_PCT,
	HR_TH_FORECAST_WEEKS,
	HR_TH_COUNT
};

/* One row of the threshold table: config name (after THRESHOLD_), default, source. */
struct hr_threshold_def {
	const char *name;	/* "CPU_BUSY_PCT" */
	double def;
	const char *unit;	/* "%", "min", "/s"... */
	const char *what;	/* one line for --help and the man page */
	const char *source;	/* where the number comes from */
};

extern const struct hr_threshold_def hr_threshold_defs[HR_TH_COUNT];

struct hr_thresholds {
	double v[HR_TH_COUNT];
	/* when >= 0, replaces every *_SUSTAINED_MIN (seconds; --min-sustained) */
	double min_sustained_s;
};

void hr_thresholds_defaults(struct hr_thresholds *th);
/* NAME without the THRESHOLD_ prefix. Returns 0, -ENOENT (unknown name), -ERANGE (< 0). */
int hr_thresholds_set(struct hr_thresholds *th, const char *name, double value);

/* ---- series (the pure logic's input) ---------------------------------------- */

enum hr_res_kind { HR_RES_CPU, HR_RES_MEM, HR_RES_DISK, HR_RES_NET };

/* Per-kind metric columns of a series (HR_SERIES_COLS at most). */
enum { HR_CPU_BUSY, HR_CPU_STEAL, HR_CPU_RUNQ_PCT, HR_CPU_PSI };
enum { HR_MEM_AVAIL_PCT, HR_MEM_SWAP, HR_MEM_MAJFLT, HR_MEM_SCAN, HR_MEM_PSI };
enum { HR_DISK_UTIL, HR_DISK_AQU, HR_DISK_AWAIT, HR_DISK_PSI, HR_DISK_KBPS };
enum { HR_NET_IFUTIL, HR_NET_ERRORS, HR_NET_DROPS, HR_NET_RETRANS, HR_NET_KBPS, HR_NET_SOCK,
       HR_NET_TXDROPS, HR_NET_TXERRORS };
#define HR_SERIES_COLS 8

/*
 * A time series of one resource: point i covers [start[i], start[i] +
 * len[i]) (ms) with the span-weighted averages v[i * HR_SERIES_COLS + c];
 * NaN = no data. Points are in time order. Two points are one continuous
 * stretch when the gap between them is at most half the longer one.
 */
struct hr_aseries {
	enum hr_res_kind kind;
	char name[64];		/* "sda", "eth0"; "" for cpu and memory */
	size_t n, cap;
	int64_t *start, *len;
	double *v;
};

/* Append a point (VALS: HR_SERIES_COLS values). Returns 0 or -ENOMEM. */
int hr_aseries_add(struct hr_aseries *s, int64_t start, int64_t len, const double *vals);
void hr_aseries_release(struct hr_aseries *s);	/* frees the arrays, keeps *s */

/* ---- scanning one condition ------------------------------------------------- */

#define HR_MAX_INTERVALS 16

/* Where a per-point condition held. Times in ms. */
struct hr_episode {
	int64_t total_ms;	/* time the condition held, all stretches */
	int64_t sustained_ms;	/* in stretches at least MIN_MS long */
	int64_t longest_ms, longest_start;
	int64_t worst_day;	/* local midnight of the day with most time held, 0 none */
	int64_t worst_day_ms;
	double peak;		/* the worst value of the first metric while held */
	double mean;		/* its time-weighted mean while held */
	size_t nint;		/* the longest sustained stretches (or all, if none is) */
	int64_t int_from[HR_MAX_INTERVALS], int_to[HR_MAX_INTERVALS];
};

/*
 * Scan S with the per-point predicate HELD(series, i, ctx); statistics go
 * to *ret (which is zeroed first). PEAK_COL is the column peak/mean report,
 * PEAK_LOW: the worst value is the lowest (available memory).
 */
void hr_advise_scan(const struct hr_aseries *s, bool (*held)(const struct hr_aseries *, size_t,
							   const void *),
		    const void *ctx, int64_t min_ms, int peak_col, bool peak_low,
		    struct hr_episode *ret);

/* ---- rules and verdicts ------------------------------------------------------ */

/* Ordered: a worse verdict compares greater. */
enum hr_verdict { HR_OK, HR_WATCH, HR_INVESTIGATE, HR_UPGRADE };
const char *hr_verdict_name(enum hr_verdict v);	/* "ok", "watch"... */
/* Exit status of `headroom advise` for the worst verdict: 0, 10, 11, 12. */
int hr_verdict_exit(enum hr_verdict v);

struct hr_rule;	/* the table lives in advise.c */

struct hr_proc_use {
	int64_t pid;
	char comm[32];
	double cpu_pct;		/* average % of one core over the intervals */
	double io_kbps;		/* average read + write kB/s over the intervals */
	double io_mb;		/* MB read + written in the intervals */
	double mem_mb;		/* largest rss + swap */
};

/* Enough for every rule of one kind plus growth, leading indicators, conclusions. */
#define HR_MAX_FINDINGS 10
#define HR_MAX_TOP 3

/* What a disk finding's load was found to be (the cause-before-symptom pass). */
enum hr_cause {
	HR_CAUSE_NONE,
	HR_CAUSE_MEMORY,	/* the I/O of swapping or of a memory shortage: a symptom */
	HR_CAUSE_ROGUE,		/* one program does most of the processes' I/O */
};

/*
 * The program that did the most I/O in a finding's intervals, all its pids
 * together (filled by the query glue, judged by hr_advise_conclude).
 */
struct hr_culprit {
	char comm[32];		/* "" none */
	int64_t pid;		/* its busiest pid */
	size_t npid;		/* how many pids of that name */
	double kbps;		/* its read + write kB/s over the intervals */
	double all_kbps;	/* every process's, the same way */
	double disk_kbps;	/* what the disk itself moved then (series mean), NaN unknown */
};

struct hr_finding {
	const char *rule;	/* rule id: "cpu-busy" (static string) */
	const char *text;	/* what it means, one sentence */
	const char *metric;	/* name of the figure: "busy %" */
	enum hr_verdict verdict;
	double threshold;
	struct hr_episode ep;
	char cond[160];		/* the condition: "busy % >= 90 for 15min" */
	char note[200];		/* extra conclusion ("shorter spikes"...) or "" */
	/* the cause-before-symptom sentence (swapping's I/O, the rogue process):
	 * a field of its own so no other note pushes it out; "" none */
	char evidence[400];
	enum hr_cause cause;
	struct hr_culprit culprit;
	int top_by;		/* 0 none, 1 CPU, 2 memory, 3 I/O (HR_CAUSE_MEMORY: faulting) */
	size_t ntop;
	struct hr_proc_use top[HR_MAX_TOP];
};

struct hr_trend {
	bool valid;		/* at least 3 days of data */
	double per_week;	/* slope of the main metric, units per week */
	double level;		/* fitted value at the end of the range */
	double weeks;		/* until it reaches the threshold; < 0: not heading there */
	double threshold;
};

struct hr_resource {
	struct hr_aseries s;
	enum hr_verdict verdict;
	const char *main_metric;	/* "busy %", "used %", "util %", "ifutil %" */
	double avg, peak;		/* of the main metric over the range */
	char note[256];			/* about the resource as a whole ("link speed unknown"), or "" */
	struct hr_trend trend;
	size_t nfind;
	struct hr_finding find[HR_MAX_FINDINGS];
};

struct hr_advice {
	int64_t from_ms, to_ms;	/* the range asked for */
	int64_t first_ms, last_ms;	/* the data found */
	int64_t nsamples;
	int64_t bucket_ms;	/* 0: per sample */
	int ncpu;
	struct hr_thresholds th;
	enum hr_verdict worst;
	size_t nres;
	struct hr_resource *res;
	struct hr_restart *restarts;	/* reboots in the range (hr_db_restarts) */
	size_t nrestarts;
};

/*
 * Evaluate every rule over A->res[] (series filled, verdicts not yet):
 * findings, verdicts, trends, then one pass of cross-resource conclusions
 * over all findings (cause before symptom: disk findings in stretches
 * where memory swapped or was short become that I/O, HR_CAUSE_MEMORY,
 * capped at watch, and memory takes the upgrade a saturated disk would
 * have had), A->worst. No processes (those need the database). Returns 0.
 */
int hr_advise_eval(struct hr_advice *a);

/*
 * The second pass, once each finding's culprit is known (hr_advise_load
 * fills it; tests may by hand): a disk finding whose culprit did at least
 * half of the processes' I/O is HR_CAUSE_ROGUE, its evidence names the
 * program, an upgrade there becomes "investigate" (upgrade is kept for a
 * disk saturated by the sum of the work), and the disk gets a finding
 * "disk-rogue" (investigate) of its own. Recomputes the verdicts and
 * A->worst. Idempotent. Returns 0.
 */
int hr_advise_conclude(struct hr_advice *a);

/*
 * When the recorded range (A->first_ms..last_ms) is shorter than the
 * sustained minimum of a resource present: writes "the recorded range
 * (2min) is shorter than the sustained minimums (CPU 15min, ...)" to BUF
 * and returns true; else BUF is "" and false.
 */
bool hr_advise_too_short(const struct hr_advice *a, char *buf, size_t size);

/*
 * Durations, one rounding rule for every writer (text, JSON, HTML, PDF,
 * and the advisor's own sentences): to the nearest second, and from one
 * minute on to the nearest minute. hr_dur_s: the whole seconds the JSON
 * gives; hr_dur_fmt: "40s", "15min", "2h30min", "3d04h".
 */
int64_t hr_dur_s(int64_t ms);
void hr_dur_fmt(int64_t ms, char *buf, size_t size);

/*
 * Add an empty resource of KIND named NAME (copied); returns it or NULL
 * (ENOMEM). A->res may move: earlier struct hr_resource pointers go stale.
 */
struct hr_resource *hr_advice_add(struct hr_advice *a, enum hr_res_kind kind, const char *name);

/*
 * Everything: count samples in RANGE, read the series (per sample for up
 * to 5000 samples, else 1-minute buckets aligned on local midnight), eval,
 * then the top processes of each finding's intervals. *ret is the
 * caller's (hr_advice_free); with no sample in the range it has nres 0
 * and nsamples 0. Returns 0 or -errno (hr_db_errmsg() explains).
 */
int hr_advise_load(struct hr_db *db, const struct hr_range *range, const struct hr_thresholds *th,
		   struct hr_advice **ret);
void hr_advice_free(struct hr_advice *a);	/* NULL allowed */

#endif
