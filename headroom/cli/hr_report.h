/*
 * hr_report.h - `headroom report` (headroom/cli/report.c): sar-style
 * tables over any time range. Besides the HR_EXIT_* codes of hr_cli.h it
 * returns HR_EXIT_NODATA when the range holds no sample, so scripts can
 * tell "nothing recorded then" from a failure.
 */
#ifndef HR_REPORT_H
#define HR_REPORT_H

enum {
	HR_EXIT_NODATA = 5,	/* the database has no sample in the range asked for */
};

int hr_cmd_report(int argc, char **argv);

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hr_analyze.h"

/* ---- prefetch.c: the tables of a report, read ahead by a second thread ---- */

/* A row of struct hr_row, kept (strings and values copied). */
struct hr_bufrow {
	bool average;
	int64_t ts_ms, span_ms;
	char *key, *tail;
	double *v;
	bool *null;
	size_t n;
};

struct hr_rowbuf {
	struct hr_bufrow *rows;
	size_t n, cap;
};

struct hr_prefetch;

/*
 * Start a worker that runs, on its own connection to the database at PATH,
 * the tables ACTS[i] over QS[i] (the arrays and the strings they point to
 * must outlive P; QS[i].keys too) from the last one backwards, keeping
 * their rows. Returns 0 or -ENOMEM.
 */
int hr_prefetch_start(const char *path, const struct hr_activity *const *acts,
		      const struct hr_query *qs, size_t n, struct hr_prefetch **ret);
/*
 * Table K, asked for in increasing K: *ret_rows the worker's rows (waiting
 * for them if need be; valid until hr_prefetch_free), or NULL: the caller
 * runs it itself (the worker has not got there, or handed it back for
 * having too many rows). Returns 0, or the worker's -errno for that table
 * with SQLite's words in ERR.
 */
int hr_prefetch_take(struct hr_prefetch *p, size_t k, const struct hr_rowbuf **ret_rows,
		     char *err, size_t errsize);
/* Stop the worker (it finishes its table), wait for it, free. NULL allowed. */
void hr_prefetch_free(struct hr_prefetch *p);

#endif
