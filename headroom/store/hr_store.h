/*
 * hr_store.h - headroom's SQLite store (headroom/store layer).
 *
 * Depends on common/ and SQLite only; knows nothing of /proc. The schema
 * (docs/headroom-schema.md) is versioned with PRAGMA user_version and marked
 * with PRAGMA application_id; the store upgrades older databases in place
 * (one transaction per migration step) and refuses, without writing a
 * byte, a database of a newer version or of another application.
 *
 * One writer, many readers: the writer holds an flock() on "PATH.lock" for
 * its lifetime (a second writer gets -EBUSY), the database runs in WAL mode
 * so readers never block it (nor it them), with synchronous=NORMAL: a
 * committed sample survives a crash or kill -9 of the recorder; a power cut
 * may lose the last few, never the database.
 *
 * Calling sequence of the recorder:
 *	hr_store_open(path, HR_STORE_WRITER, &s, &ver);
 *	per sample: hr_store_begin(s, ...); hr_store_put(s, ...)...;
 *		    hr_store_commit(s)  (or hr_store_rollback on error)
 *	now and then: hr_store_maintain(s, now, &retention, ...)
 *	hr_store_free(s);
 *
 * Errors are -errno: -ENOSPC (disk full: nothing of the sample was kept,
 * the database is intact, try again later), -EPROTONOSUPPORT (newer schema),
 * -EMEDIUMTYPE (not a headroom database, or corrupt), -EBUSY (another writer
 * holds the lock), -EROFS, -EACCES, -ENOENT, -EIO, -ENOMEM, -EINVAL (a table
 * or column the schema does not have). hr_store_errmsg() gives SQLite's
 * words for the last failure, for the caller's log line.
 */
#ifndef HR_STORE_H
#define HR_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#define HR_SCHEMA_VERSION 2
#define HR_APPLICATION_ID 0x68726f6d	/* "hrom" */

struct hr_store;

enum {
	HR_STORE_READONLY = 0,
	HR_STORE_WRITER = 1,	/* lock, create, migrate, write */
	/*
	 * With HR_STORE_WRITER: write without taking PATH.lock, beside a
	 * recorder that may hold it (import, pull): SQLite's own locking
	 * (busy timeout 5 s) orders the transactions. For writers whose
	 * transactions are batches of past samples, never the recorder.
	 */
	HR_STORE_NOLOCK = 2,
};

/* Values of the stat column: a raw sample has one row with stat 0. */
enum { HR_STAT_AVG = 0, HR_STAT_MIN = 1, HR_STAT_MAX = 2 };

/*
 * Open (and with HR_STORE_WRITER create or upgrade) the database at PATH.
 * *ret_version gets the schema version found on disk (0 for a new file)
 * whenever it could be read, also on -EPROTONOSUPPORT; NULL allowed.
 * On -EBUSY, *ret_version gets the pid of the lock holder if known.
 * On success *ret is the caller's (hr_store_free). Returns 0 or -errno.
 */
int hr_store_open(const char *path, int flags, struct hr_store **ret, int *ret_version);
/* Close; a sample still open is rolled back. NULL allowed. */
void hr_store_free(struct hr_store *s);
/* SQLite's message for the last failure ("" if none). Valid until the next call. */
const char *hr_store_errmsg(const struct hr_store *s);

/*
 * Start a sample: TS_MS is the wall-clock time (Unix ms) at its end,
 * SPAN_MS the time it covers, BOOT_ID the kernel's boot id ("" if
 * unknown). Opens the transaction the puts and the commit belong to.
 */
int hr_store_begin(struct hr_store *s, int64_t ts_ms, int64_t span_ms, const char *boot_id);
/*
 * Add one row to TABLE of the open sample: KEY goes to column KEYCOL and
 * LABEL to LABELCOL (either NULL when the table has none), V[i] to COLS[i].
 * COLS must be the same array (same pointer) on every call for a table:
 * the prepared statement is cached by it. Returns 0 or -errno.
 */
int hr_store_put(struct hr_store *s, const char *table, const char *keycol, const char *key,
		 const char *labelcol, const char *label, const char *const *cols, size_t ncols,
		 const double *v);
/* Commit the sample. On failure it is rolled back and nothing of it stays. */
int hr_store_commit(struct hr_store *s);
void hr_store_rollback(struct hr_store *s);

/* Store a key/value pair in the meta table (hostname, ncpu...). */
int hr_store_set_meta(struct hr_store *s, const char *key, const char *value);

struct hr_retention {
	int64_t history_ms;	/* drop everything older (default 31 days) */
	int64_t raw_ms;		/* keep raw samples this long (default 2 days)... */
	int64_t bucket_ms;	/* ...then roll them up into buckets this wide (5 min) */
};

/*
 * Apply retention at wall time NOW_MS: delete samples older than
 * history_ms, then roll raw samples older than raw_ms up into one sample
 * per bucket (level 1) holding avg/min/max rows (stat 0/1/2; the proc table
 * keeps avg and max of the processes that were in a top list, up to 3x10
 * per bucket). Does at most MAX_BUCKETS buckets, each in its own
 * transaction, so the recorder is never held up long; *ret_more is set
 * when work remains. Returns 0 or -errno.
 */
int hr_store_maintain(struct hr_store *s, int64_t now_ms, const struct hr_retention *r,
		      unsigned max_buckets, bool *ret_more);

/*
 * 0 while PATH still names the file this store has open, -ENOENT when it
 * was deleted or replaced (the recorder then reopens, starting anew).
 */
int hr_store_check_file(const struct hr_store *s);

#endif
