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
enum { HR_NET_IFUTIL, HR_NET_ERRORS, HR_NET_DROPS, HR_NET_RETRANS, HR_NET_KBPS, HR_NET_SOCK };
#define HR_SERIES_COLS 6

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

/* Enough for every rule of one kind plus growth and leading indicators. */
#define HR_MAX_FINDINGS 8
#define HR_MAX_TOP 3

struct hr_finding {
	const char *rule;	/* rule id: "cpu-busy" (static string) */
	const char *text;	/* what it means, one sentence */
	const char *metric;	/* name of the figure: "busy %" */
	enum hr_verdict verdict;
	double threshold;
	struct hr_episode ep;
	char cond[160];		/* the condition: "busy % >= 90 for 15min" */
	char note[200];		/* extra conclusion ("symptom of swapping"...) or "" */
	int top_by;		/* 0 none, 1 CPU, 2 memory, 3 I/O */
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
 * findings, verdicts, cross-resource conclusions (disk load caused by
 * swapping), trends, A->worst. No processes (those need the database).
 * Returns 0.
 */
int hr_advise_eval(struct hr_advice *a);

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
