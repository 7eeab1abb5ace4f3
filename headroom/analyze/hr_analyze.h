/*
 * hr_analyze.h - reading the headroom database back (headroom/analyze):
 * local-time ranges, buckets, and the per-activity queries that return
 * aggregated rows for `headroom report` (and later advise/graph).
 *
 * Depends on hr_store (identity and version checks of the file), SQLite
 * and common/ only; never on collect or render. SQL returns one row per
 * sample and key in time order, straight off the indexes (no sort), and
 * query.c adds them up into buckets as it steps: rows are streamed, and
 * memory stays bounded by the keys of one bucket.
 *
 * Time: stored timestamps are Unix milliseconds (UTC). Everything a person
 * types or reads is local time, as the TZ environment variable says
 * (localtime_r/mktime); a "day" is a local calendar day, which may be 23 or
 * 25 hours long across a DST change.
 *
 * Averages: every stored value is a rate, a percentage or a gauge over the
 * sample's span, so a bucket (or the whole range) averages them weighted by
 * span: sum(v * span) / sum(span). Raw samples and 5-minute roll-ups
 * (stat 0 = average rows) mix correctly that way.
 *
 * Calling sequence:
 *	hr_db_open(path, &db);
 *	hr_db_count(db, &range, &n);	(n == 0: nothing to report)
 *	for each activity: hr_rows_open(db, act, &q, &rows);
 *		while ((r = hr_rows_next(rows, &row)) > 0) use row;
 *		hr_rows_free(rows);
 *	hr_db_free(db);
 * Errors are -errno: -ENOENT (no such file), -EACCES, -EMEDIUMTYPE (not a
 * headroom database, or corrupt), -EPROTONOSUPPORT (newer schema), -EINVAL
 * (bad argument), -ENOMEM, -EIO; hr_db_errmsg() has SQLite's words.
 */
#ifndef HR_ANALYZE_H
#define HR_ANALYZE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- local time ---------------------------------------------------------- */

/* A broken-down local time, with the zone abbreviation and UTC offset. */
struct hr_tm {
	int year, mon, mday;	/* 2026, 1..12, 1..31 */
	int hour, min, sec;
	long gmtoff;		/* seconds east of UTC */
	char zone[16];		/* "CET", "CEST", "UTC", "+0530"... */
};

/*
 * The present in Unix ms. Every command that defaults to "now" or "today"
 * (report, advise, graph, the HTML and PDF pages, the recorder's samples and
 * retention) asks here, so one test-only knob moves them all: where the
 * environment variable HEADROOM_NOW is set, to "YYYY-MM-DD HH:MM:SS" (local
 * time, as TZ says) or "@SECONDS" (Unix time), the clock reads that
 * moment on the first call that asks for the time and runs on with CLOCK_MONOTONIC, so a recorder
 * under the knob still takes its samples seconds apart. Unset or empty: the
 * real clock (CLOCK_REALTIME). Returns 0, or -EINVAL for a HEADROOM_NOW that
 * does not parse (*ret_ms untouched). RET_MS NULL only checks the variable
 * (the clock does not start). Make the first call before starting
 * threads. docs/headroom.1 documents the variable.
 */
int hr_time_now(int64_t *ret_ms);

/* Break TS_MS down in local time. Returns 0 or -EINVAL (out of range). */
int hr_time_local(int64_t ts_ms, struct hr_tm *ret);

/*
 * Parse a local date with an optional time: "YYYY-MM-DD", "YYYY-MM-DD
 * HH:MM[:SS]", "YYYY-MM-DDTHH:MM[:SS]", "today", "yesterday", or a moment
 * before NOW_MS (the present): "-2h", "-30m", "-7d", "-600" (seconds), "3
 * hours ago", "1 day ago" (second, minute, hour, day, week). A date alone means its first millisecond, or with END its
 * last one (so --to 2026-03-29 includes that whole day). A local time that
 * does not exist (in a DST gap) is moved forward by the gap; one that
 * exists twice is taken as mktime() chooses. *ret_ms untouched on error.
 * Returns 0 or -EINVAL.
 */
int hr_time_parse(const char *s, bool end, int64_t now_ms, int64_t *ret_ms);
/* What hr_time_parse() takes, for error messages. */
#define HR_TIME_FORMS "YYYY-MM-DD[ HH:MM[:SS]], today, yesterday, -2h or '3 hours ago'"

/* Parse a time of day "HH:MM" or "HH:MM:SS" into seconds since 00:00:00. */
int hr_time_parse_tod(const char *s, int *ret_secs);

/* The local day containing TS_MS: [*ret_start, *ret_end) in Unix ms. */
int hr_time_day(int64_t ts_ms, int64_t *ret_start, int64_t *ret_end);

/* ---- the time range of a report ------------------------------------------ */

struct hr_range {
	int64_t from_ms, to_ms;	/* inclusive, Unix ms */
	int tod_from, tod_to;	/* -s/-e: seconds since local midnight, inclusive;
				   -1 = no limit */
};

/* ---- activities ------------------------------------------------------------ */

/*
 * One output column: sar's name and how to compute it from the per-sample
 * rows of a bucket: scale * NUM / DEN, two aggregates (sums) whose sums
 * over all buckets give the average of the range; 0 when DEN is 0, NULL
 * when NUM is NULL (no data). Each of NUM and DEN is sum(X) of one per-row
 * expression X, or an expression with the same value in every row of a
 * bucket ("1", "NULL"); see struct hr_activity.
 */
struct hr_column {
	const char *name;	/* "%user", "kbmemfree", ... */
	const char *num;	/* aggregate SQL over the per-sample columns */
	const char *den;
	double scale;
	int decimals;		/* as sar prints it: 0 or 2 */
};

/*
 * One activity (one table of the report): a table (or join) of the
 * database, an optional key (CPU, DEV, IFACE...) and the columns. The SQL
 * fragments are fixed strings of this library, never user input.
 *
 * The query is built as
 *	SELECT ts, key, X(span), X(label), X(tail), X(num0), X(den0)... FROM (
 *		SELECT s.ts AS ts, s.id AS sid, s.span AS span, SELECT
 *		 FROM sample s JOIN FROM
 *		 WHERE t.sample = s.id AND t.stat = 0 AND s.ts BETWEEN ?1 AND ?2
 *		 [AND hr_in_tod(s.ts, ?3, ?4) when -s/-e] [AND WHERE]
 *		 [GROUP BY s.ts, s.id ORDER BY s.ts, s.id when sum_keys])
 *	 [ORDER BY ts, sid, key unless sum_keys]
 * where X(sum(e)) = X(max(e)) = X(min(e)) = e, and any other fragment is
 * itself (each distinct expression once): one row per sample and key, in
 * the order of the sample_ts index and the table's primary key, so SQLite
 * never sorts. query.c then merges the rows of a bucket (local midnight
 * aligned; per sample: rows of equal ts) per key as SQL's GROUP BY bucket,
 * key would: sum() as SQLite adds (integers exactly, reals in row order),
 * max()/min() keep the greatest/least value, and a plain expression must
 * be the same in every row of the bucket (the key, "1", "NULL"): its first
 * row's value is taken. So NUM, DEN, LABEL and TAIL are each one sum(e),
 * max(e) or min(e) over the whole fragment, or such a constant; another
 * aggregate in it (sum(a) / sum(b), count(*)) makes hr_rows_open fail
 * with -EINVAL.
 *
 * When the samples of the range (and time of day) have dense ids that
 * grow with ts (raw data; not with roll-ups, written later than the raw
 * samples of their time), query.c reads their (id, ts, span) once and
 * walks the table alone instead: FROM WHERE t.sample BETWEEN the ids AND
 * t.stat = 0 [AND WHERE] ORDER BY t.sample (sum_keys: GROUP BY t.sample),
 * ts and span from that map (hr_smap()), the ids outside the range
 * dropped, and "(e) * span" / "span" under sum() multiplied in C as SQL
 * multiplies; the same rows in the same order, the same bits. So FROM,
 * SELECT and WHERE must not name the sample table (s); FROM may join
 * other tables on t.sample.
 *
 * .top is pidstat's ranking over the proc table, made by query.c from the
 * rows of .sql (ts, pid, span, sample id, comm, cpu_pct * span, rss_kb,
 * swap_kb, rkbps * span, wkbps * span in time order, a NULL pid for a
 * sample without processes) as SQL's GROUP BY did: per bucket, and over the
 * whole range for the average rows, the q->top_n (default 5) processes
 * with the most CPU time; %CPU, kB_rd/s and kB_wr/s are sums of
 * value * span over the span of every sample of the bucket (a process
 * missing from a sample's list counts 0), RSS and SWAP the maxima, the
 * command max(comm); its five columns in that order, no fragments.
 *
 * A custom .sql gives the whole query instead and its rows are returned as
 * they come (parameters: ?1 from_ms, ?2 to_ms, ?3 tod_from, ?4 tod_to,
 * ?5 bucket mode (0 per sample, >0 width in ms, -1 whole range), ?6 top N;
 * SQL functions hr_b(ts, ?5) and hr_in_tod(ts, ?3, ?4); result columns
 * bucket, key, span, label, tail, num0, den0, num1, den1...).
 */
struct hr_activity {
	const char *name;	/* "cpu", "load", ... (CSV/JSON, --help) */
	const char *from;	/* FROM fragment; the main table is aliased t */
	const char *select;	/* per-sample columns (default "t.*") */
	const char *where;	/* extra condition or NULL */
	const char *sql;	/* the whole query instead (see above), or NULL */
	bool sum_keys;		/* per-sample sums over every key (sar -b) */
	bool top;		/* the process ranking of --top (see below) */
	const char *key;	/* key column of the per-sample rows, NULL: none */
	const char *keyname;	/* header of the key shown first: "CPU", "DEV", or NULL */
	const char *label;	/* aggregate shown there (default: the key) */
	bool key_all;		/* key -1 is shown as "all" (cpu) */
	int keywidth;		/* text column width of that key */
	const char *tailname;	/* header of a text column shown last ("FILESYSTEM") */
	const char *tail;	/* its aggregate, or NULL */
	const struct hr_column *cols;
	size_t ncols;
};

/* The activities in report order; hr_activity_find by name or NULL. */
extern const struct hr_activity hr_activities[];
extern const size_t hr_nactivities;
const struct hr_activity *hr_activity_find(const char *name);

/* ---- the database and its rows --------------------------------------------- */

struct hr_db;

/*
 * Open PATH read-only (it must exist), after hr_store has checked that it
 * is a headroom database of a version this program reads. An empty file
 * (no schema yet) opens and has no samples. On success *ret is the
 * caller's (hr_db_free). Returns 0 or -errno as above.
 */
int hr_db_open(const char *path, struct hr_db **ret);
void hr_db_free(struct hr_db *db);	/* NULL allowed */
/* SQLite's (or the store's) words for the last failure, "" if none. */
const char *hr_db_errmsg(const struct hr_db *db);

/*
 * Copy the meta value KEY (hostname, kernel, ncpu) into BUF (truncated,
 * NUL-terminated). -ENOENT when absent.
 */
int hr_db_meta(struct hr_db *db, const char *key, char *buf, size_t size);

/* Number of samples in RANGE (raw and roll-up). */
int hr_db_count(struct hr_db *db, const struct hr_range *range, int64_t *ret_n);

/*
 * What the samples in RANGE (time of day ignored) cover: the start of the
 * first one's interval (its time less its span) into *ret_first, the last
 * one's time into *ret_last. -ENOENT when RANGE holds no sample (both
 * untouched), else 0 or -errno as above.
 */
int hr_db_extent(struct hr_db *db, const struct hr_range *range, int64_t *ret_first,
		 int64_t *ret_last);

struct hr_query {
	struct hr_range range;
	int64_t bucket_ms;	/* 0: one row per sample; -1: one bucket over the
				   whole range (ts_ms 0, span_ms the samples'
				   spans); else buckets this wide, aligned on
				   local midnight, at most one day */
	const char *const *keys;	/* only these key values (as text: "-1", "sda");
					   NULL = every key */
	size_t nkeys;
	int top_n;		/* processes per row group for the "top" activity */
};

struct hr_row {
	bool average;		/* an "Average:" row (after every other row) */
	int64_t ts_ms;		/* sample time, or the bucket start; 0 for an average */
	int64_t span_ms;	/* time the row covers (sample span or bucket width) */
	const char *key;	/* key label ("all", "sda", "1234") or NULL */
	const char *tail;	/* last text column ("/dev/vda1", "nginx") or NULL */
	const double *v;	/* ncols values... */
	const bool *null;	/* ...and which of them are NULL (no data) */
	size_t n;
};

struct hr_rows;

/* Prepare the query of ACT over Q. *ret is the caller's (hr_rows_free). */
int hr_rows_open(struct hr_db *db, const struct hr_activity *act, const struct hr_query *q,
		 struct hr_rows **ret);
/*
 * Step: 1 and *ret filled (valid until the next call), 0 at the end, or
 * -errno. Rows come ordered by time, then key; then the average rows of the
 * whole range (one per key, in key order; row.average set), computed from
 * the same scan (the top processes: by a second query, ranked over the
 * whole range). Besides SQLite's errors: -ERANGE when an integer sum
 * overflows (SQL's sum() fails so too), -EIO when the rows of the generic
 * query do not come in time order (never with SQLite's plan).
 */
int hr_rows_next(struct hr_rows *rows, struct hr_row *ret);
void hr_rows_free(struct hr_rows *rows);	/* NULL allowed */

/* ---- reboots ----------------------------------------------------------------- */

/* A reboot inside a range: the first sample recorded in the new boot. */
struct hr_restart {
	int64_t ts_ms;		/* time of that sample */
	int ncpu;		/* CPUs it saw (0 if it has no per-core rows) */
	int ncpu_before;	/* CPUs of the last sample before it (0 likewise) */
};

/*
 * The reboots in RANGE (-s/-e included), in time order: boots whose first
 * recorded sample lies in the range and that follow a sample of another
 * boot. *ret is the caller's (free()); NULL when there is none. Returns 0,
 * -ENOMEM or -EIO (hr_db_errmsg() says more).
 */
int hr_db_restarts(struct hr_db *db, const struct hr_range *range, struct hr_restart **ret,
		   size_t *ret_n);

/*
 * How many samples in RANGE (time of day ignored) were imported from
 * sysstat (sample.source 1, schema version 2): sysstat records no
 * processes, so reports say their process tables leave those out. 0 for a
 * database without the column. Returns 0 or -EIO.
 */
int hr_db_count_imported(struct hr_db *db, const struct hr_range *range, int64_t *ret_n);

#endif
