/*
 * hr_series.h - time series for charts (headroom/analyze): the one table of
 * chart panels (what each chart plots, from which table, with which
 * thresholds) and the query that downsamples panels' series into about
 * one bucket per pixel column, keeping min/avg/max per bucket so a spike
 * never disappears, and marking gaps (recorder stopped, reboot). SQLite
 * streams the per-sample rows (one scan per group of panels reading the
 * same rows, never a sort); the buckets are aggregated in C.
 *
 * Depends on hr_analyze.h (the database handle) and SQLite; never on
 * render: the caller (headroom/cli) turns a struct hr_series_set into a
 * chart of headroom/render.
 *
 * Calling sequence:
 *	panels[j] = &hr_panels[i];	(every entry wanted, e.g. by --panel)
 *	hr_series_query_many(db, panels, n, from_ms, to_ms, bucket_ms, max_keys, sets);
 *	use sets[j]->ts[], ->brk[], ->series[k].avg/min/max[];
 *	hr_series_free(sets[j]) for each j;
 * or hr_series_query() for a single panel.
 */
#ifndef HR_SERIES_H
#define HR_SERIES_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hr_analyze.h"

#define HR_PANEL_MAXSERIES 5

/* One plotted quantity: a per-sample SQL expression over the panel's tables. */
struct hr_series_def {
	const char *label; /* legend text ("user", "read") */
	const char *expr;  /* per-sample value, e.g. "t.system + t.irq + t.soft" */
	bool peak;	   /* drawn as its per-bucket maximum only, over the stack */
};

/*
 * One chart. Several charts may share a panel name ("disk" has three); the
 * SQL fragments are fixed strings of this library, never user input.
 */
struct hr_panel {
	const char *name;  /* what --panel selects: "cpu", "disk"... */
	const char *title; /* chart title */
	const char *unit;  /* "%", "B", "B/s", "/s", "ms", "" (the renderer formats by it) */
	const char *table; /* main table, aliased t */
	const char *join;  /* extra JOIN fragment (may use t), or NULL */
	const char *where; /* extra condition, or NULL */
	const char *key;   /* per-key column ("t.dev"): one series per key and def */
	bool stacked;	   /* the non-peak series are stacked areas */
	double ymax;	   /* fixed top of the y axis (100 for %), 0 = from the data */
	double threshold;  /* dashed line at this value, 0 = none */
	const char *threshold_label;
	struct hr_series_def series[HR_PANEL_MAXSERIES];
	size_t nseries;
};

/* The charts in display order. */
extern const struct hr_panel hr_panels[];
extern const size_t hr_npanels;
/* true when NAME is the .name of at least one entry of hr_panels[]. */
bool hr_panel_known(const char *name);

struct hr_series {
	char label[96]; /* "user", or "sda read" for keyed panels */
	bool peak;
	double *avg, *min, *max; /* npoints each; NAN where there is no value */
};

struct hr_series_set {
	size_t npoints;
	int64_t *ts; /* point time (ms): middle of the time its samples cover */
	bool *brk;   /* the line is broken before this point (a gap) */
	size_t nseries;
	struct hr_series *series;
	size_t nkeys_dropped; /* distinct keys beyond MAX_KEYS left out */
};

/*
 * Query the N panels PANELS[] over [FROM_MS, TO_MS] in buckets BUCKET_MS
 * wide (>= 1), bucket b holding the samples with (ts - FROM_MS) / BUCKET_MS
 * == b. Per bucket, key and definition: the span-weighted average of the
 * stat 0 rows (sum(v * span) / sum(span) in floating point; rows whose v is
 * NULL count in the divisor only), the minimum over stat 0 and 1 rows and
 * the maximum over stat 0 and 2 rows (the roll-ups' min/max rows); NAN
 * where there is no value.
 *
 * Points are the buckets holding a row of a kept key, in time order; ts[i]
 * is the middle of the time their samples cover; brk[i] is set when point i
 * starts more than two sample spans after point i - 1 ended. Keyed panels
 * give one series per key and definition (key-major): the first MAX_KEYS
 * keys met in bucket order (by name within a bucket) are kept, then sorted
 * by name; nkeys_dropped counts the others. Unkeyed panels give one series
 * per definition.
 *
 * Panels reading the same rows (equal table, join, where and key) share
 * one scan; the result is the same as querying each alone. On success
 * RET_SETS[i] is the set of PANELS[i], the caller's (hr_series_free each);
 * an empty database or range gives npoints == 0. On failure RET_SETS is
 * untouched. At most 2^20 buckets. Returns 0, -EINVAL (bad argument),
 * -E2BIG (too many buckets or keys x buckets), -ENOMEM or -EIO
 * (hr_db_errmsg() says more).
 */
int hr_series_query_many(struct hr_db *db, const struct hr_panel *const *panels, size_t n,
			 int64_t from_ms, int64_t to_ms, int64_t bucket_ms, size_t max_keys,
			 struct hr_series_set **ret_sets);
/* hr_series_query_many() of the one panel P into *RET. */
int hr_series_query(struct hr_db *db, const struct hr_panel *p, int64_t from_ms, int64_t to_ms,
		    int64_t bucket_ms, size_t max_keys, struct hr_series_set **ret);
void hr_series_free(struct hr_series_set *set); /* NULL allowed */

/* Layer-internal (query.c): the SQLite handle (-ENOENT: no schema yet), and
 * recording SQLite's message for hr_db_errmsg(). */
int hr_db_sqlite(struct hr_db *db, sqlite3 **ret);
void hr_db_set_error(struct hr_db *db, const char *what);

#endif
