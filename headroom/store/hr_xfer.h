/*
 * hr_xfer.h - samples in bulk, in and out of a headroom database
 * (headroom/store): the write side of `headroom import` and `headroom
 * pull`, and the read side of `headroom export`. Depends on SQLite and
 * common/ only; knows nothing of JSON, sysstat or ssh (headroom/ingest
 * does). Every row goes by table and column name, so a sample crosses
 * between schema versions: a column one side lacks is left out.
 *
 * Writing (on a store opened HR_STORE_WRITER, usually | HR_STORE_NOLOCK):
 *	hr_xfer_batch_begin(s);
 *	per sample: hr_xfer_find(s, ts, span, &where)  (skip unless HR_XFER_NEW)
 *		    hr_xfer_sample(s, &x); hr_xfer_row(s, ...)...
 *	hr_xfer_batch_commit(s)   (or hr_xfer_batch_rollback: none of the batch stays)
 * A batch is one SQLite transaction: an interrupted import or pull keeps
 * the batches committed before, whole, and nothing of the one in flight.
 *
 * Reading: hr_export_open() takes a read transaction, so everything it
 * returns is one consistent snapshot, whatever a recorder writes meanwhile;
 * it never writes to the database.
 */
#ifndef HR_XFER_H
#define HR_XFER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hr_store.h"

/* sample.source (schema version 2) */
enum { HR_SOURCE_RECORDED = 0, HR_SOURCE_SYSSTAT = 1 };

/* One sample's own row. */
struct hr_xsample {
	int64_t id;		/* export: the id in the exporting database; ignored on write */
	int64_t ts_ms, span_ms;
	int level;		/* 0 raw, 1 roll-up */
	int source;		/* HR_SOURCE_* */
	const char *boot_id;	/* "" when unknown; at most 63 bytes */
};

/* One value of a row; text is NUL-terminated and owned by whoever made it. */
enum hr_vtype { HR_V_NULL = 0, HR_V_INT, HR_V_REAL, HR_V_TEXT };
struct hr_value {
	enum hr_vtype type;
	int64_t i;
	double r;
	const char *s;
};

int hr_xfer_batch_begin(struct hr_store *s);
int hr_xfer_batch_commit(struct hr_store *s);
void hr_xfer_batch_rollback(struct hr_store *s);

/* Where a sample ending at TS_MS and covering SPAN_MS would go. */
enum {
	HR_XFER_NEW = 0,	/* no sample at that time */
	HR_XFER_DUPLICATE = 1,	/* a sample with the same end time is there */
	HR_XFER_RECORDED = 2,	/* its interval overlaps a recorded sample's */
};
int hr_xfer_find(struct hr_store *s, int64_t ts_ms, int64_t span_ms, int *ret_where);

/* Add a sample to the open batch; its rows follow. Returns 0 or -errno. */
int hr_xfer_sample(struct hr_store *s, const struct hr_xsample *x);
/*
 * Add one row to TABLE of the sample just added: COLS[i] gets V[i] (the
 * "sample" column is filled in; give "stat" and the key like any column).
 * The statement is cached by TABLE and the column names. -EINVAL for a
 * table or column the schema lacks (hr_xfer_has_column() tells first).
 */
int hr_xfer_row(struct hr_store *s, const char *table, const char *const *cols,
		const struct hr_value *v, size_t n);
/* Does TABLE of this database have column COL? */
bool hr_xfer_has_column(struct hr_store *s, const char *table, const char *col);

/*
 * The boot id of the latest sample ending at or before TS_MS, into BUF.
 * -ENOENT when there is none.
 */
int hr_xfer_boot_before(struct hr_store *s, int64_t ts_ms, char *buf, size_t size);
/* The latest sample time (Unix ms) and its id; -ENOENT for an empty database. */
int hr_xfer_last(struct hr_store *s, int64_t *ret_ts, int64_t *ret_id);
/*
 * Does S hold what a pulled sample of LEVEL ending at TS_MS covering
 * SPAN_MS says already? A raw sample: one with the same time and span. A
 * roll-up (made on the remote after an earlier pull): any raw sample in
 * its interval, or a roll-up ending at the same time (S rolls its own up).
 * *ret_yes set accordingly. Returns 0 or -errno.
 */
int hr_xfer_covered(struct hr_store *s, int64_t ts_ms, int64_t span_ms, int level, bool *ret_yes);
/* The meta value KEY into BUF; -ENOENT when absent. */
int hr_xfer_get_meta(struct hr_store *s, const char *key, char *buf, size_t size);

/* ---- export ---- */

struct hr_export;

/*
 * Open PATH read-only (as hr_store_open checks it) for the samples with
 * an id above AFTER_ID, in id order: the order they were written in, so a
 * sample written later with an older time (an import, a roll-up, a clock
 * set back) still comes after the last one a puller has. 0 and *ret
 * (hr_export_free), or -errno as hr_store_open; ERRBUF gets SQLite's words.
 */
int hr_export_open(const char *path, int64_t after_id, struct hr_export **ret, char *errbuf,
		   size_t errsize);
void hr_export_free(struct hr_export *x);	/* NULL allowed; ends the snapshot */
/* The meta value KEY into BUF; -ENOENT when absent. */
int hr_export_meta(struct hr_export *x, const char *key, char *buf, size_t size);
/* The metric tables: name and column names ("stat", key, label, values). */
size_t hr_export_ntables(const struct hr_export *x);
const char *hr_export_table(const struct hr_export *x, size_t ti, const char *const **ret_cols,
			    size_t *ret_ncols);
/* Number of samples the export will return. */
int hr_export_count(struct hr_export *x, int64_t *ret_n);
/* Step to the next sample: 1 and *ret (valid until the next call), 0 at the end, -errno. */
int hr_export_next(struct hr_export *x, struct hr_xsample *ret);
/*
 * Call FN(CLOSURE, values, ncols) for every row of table TI of the current
 * sample (values in the order of hr_export_table's columns, valid during
 * the call). Stops at FN's first nonzero return and returns it; else 0 or -errno.
 */
int hr_export_rows(struct hr_export *x, size_t ti,
		   int (*fn)(void *closure, const struct hr_value *v, size_t n), void *closure);
/* SQLite's words for the last failure. */
const char *hr_export_errmsg(const struct hr_export *x);

#endif
