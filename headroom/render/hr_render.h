/*
 * hr_render.h - report writers (headroom/render): sar-like text tables,
 * CSV (like sadf -d) and JSON, streamed row by row to a FILE.
 *
 * Depends on common/ and libc only: it knows nothing of SQLite or of the
 * activities; the caller describes each table (column names, decimals)
 * and feeds values. No logging: write errors come back from
 * hr_render_finish() as -errno.
 *
 * Time: every timestamp is shown in local time (TZ), marked with its zone.
 * Text: the header line carries the date(s) and zone abbreviation, rows
 * carry 24-hour HH:MM:SS (sar with S_TIME_FORMAT=ISO); a line "YYYY-MM-DD
 * ZONE" is printed inside a table whenever the local date or the zone (DST)
 * changes, so every row's time is unambiguous. CSV and JSON carry ISO 8601
 * timestamps with the UTC offset ("2026-10-25T02:30:00+01:00").
 *
 * Calling sequence:
 *	hr_render_new(fmt, stdout, &info, &r);
 *	per table: hr_render_begin(r, &table);
 *		   hr_render_row(r, ...)...; hr_render_average(r, ...)...;
 *		   hr_render_end(r);
 *	hr_render_finish(r); hr_render_free(r);
 * A table that gets no row prints nothing in text and CSV, and an empty
 * "rows" list in JSON.
 */
#ifndef HR_RENDER_H
#define HR_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

enum hr_format { HR_FORMAT_TEXT, HR_FORMAT_CSV, HR_FORMAT_JSON };

/* "text", "csv" or "json" -> *ret. Returns 0 or -EINVAL. */
int hr_format_parse(const char *s, enum hr_format *ret);

/* A reboot inside the range (the first sample of the new boot). */
struct hr_render_restart {
	int64_t ts_ms;
	int ncpu;		/* 0 if unknown */
};

struct hr_render_info {
	const char *host;	/* "" if unknown */
	const char *kernel;	/* "" if unknown */
	int ncpu;		/* 0 if unknown */
	int64_t from_ms, to_ms;	/* the range reported (inclusive) */
	int64_t bucket_ms;	/* -i, 0 when rows are samples */
	/* reboots, in time order: shown as sar's "LINUX RESTART (N CPU)" lines
	   inside every table, before the first row at or after their time (for
	   buckets: after the rows of the bucket that holds it); CSV rows with
	   interval -1, as sadf -d; JSON a top-level "restarts" list */
	const struct hr_render_restart *restarts;
	size_t nrestarts;
};

struct hr_render_col {
	const char *name;
	int decimals;
};

struct hr_render_table {
	const char *name;	/* activity name (CSV/JSON) */
	const char *keyname;	/* first text column ("CPU") or NULL */
	int keywidth;		/* its text width */
	const char *tailname;	/* last text column ("FILESYSTEM") or NULL */
	const struct hr_render_col *cols;
	size_t ncols;
};

struct hr_render;

/* OUT stays the caller's. INFO is copied (its strings must outlive R). */
int hr_render_new(enum hr_format fmt, FILE *out, const struct hr_render_info *info,
		  struct hr_render **ret);
void hr_render_free(struct hr_render *r);	/* NULL allowed */

/* TABLE (and its arrays) must stay valid until hr_render_end(). */
int hr_render_begin(struct hr_render *r, const struct hr_render_table *table);
/*
 * One row at TS_MS covering SPAN_MS; KEY/TAIL NULL when the table has no
 * such column; V[i] with NUL[i] true printed as missing ("-", empty, null).
 */
int hr_render_row(struct hr_render *r, int64_t ts_ms, int64_t span_ms, const char *key,
		  const char *tail, const double *v, const bool *nul);
/* The "Average:" row(s), after every row of the table. */
int hr_render_average(struct hr_render *r, const char *key, const char *tail, const double *v,
		      const bool *nul);
int hr_render_end(struct hr_render *r);
/* Close the document and flush. Returns 0 or -errno of a failed write. */
int hr_render_finish(struct hr_render *r);

#endif
