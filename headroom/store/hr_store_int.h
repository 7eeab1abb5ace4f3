/*
 * hr_store_int.h - the store's insides, shared by its own files only
 * (headroom/store: store.c, xfer.c); never included outside this folder.
 * Like SQLite's sqliteInt.h: the struct callers see as opaque, and the
 * helpers every file of the layer uses. The helpers return 0 or -errno and
 * leave SQLite's words in s->errmsg.
 */
#ifndef HR_STORE_INT_H
#define HR_STORE_INT_H

#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "hr_store.h"

struct put_stmt {
	struct put_stmt *next;
	const char *const *cols;
	char table[32];
	sqlite3_stmt *st;
};

struct xput_stmt;	/* xfer.c: generic row inserts, by table and column list */

struct hr_store {
	sqlite3 *db;
	char *path;
	int lockfd;
	dev_t dev;
	ino_t ino;
	int version;		/* schema version after open (migrated: HR_SCHEMA_VERSION) */
	bool in_sample;
	bool in_batch;		/* xfer.c: samples share one transaction */
	int64_t sample_id;
	int64_t boot_rowid;
	char boot_id[64];
	char errmsg[256];
	struct put_stmt *puts;
	struct xput_stmt *xputs;
	sqlite3_stmt *ins_sample, *ins_boot, *get_boot;
	sqlite3_stmt *begin, *commit;	/* of the per-sample transaction */
	sqlite3_stmt *xins_sample;	/* xfer.c: with level and source */
	sqlite3_stmt *xfind_ts, *xfind_rec;	/* xfer.c: hr_xfer_find */
	sqlite3_stmt *xcovered;			/* xfer.c: hr_xfer_covered */
	struct rollup_stmts *roll;	/* hr_schema_ntables entries, prepared lazily */
};

/* The prepared roll-up statements of one metric table. */
struct rollup_stmts {
	sqlite3_stmt *ins[3];	/* by HR_STAT_*; NULL when not kept */
	sqlite3_stmt *prune, *del, *expire;
};

void hr_store_set_err(struct hr_store *s, const char *what);
int hr_store_sql_errno(struct hr_store *s, int rc);
int hr_store_exec(struct hr_store *s, const char *sql);
int hr_store_prepare(struct hr_store *s, const char *sql, sqlite3_stmt **st);
int hr_store_step_done(struct hr_store *s, sqlite3_stmt *st, const char *what);
int hr_store_query_int(struct hr_store *s, const char *sql, int64_t *ret);
/* Make BOOT_ID (first seen at TS_MS) the current boot: s->boot_rowid. */
int hr_store_boot_rowid(struct hr_store *s, const char *boot_id, int64_t ts_ms);
/* xfer.c: finalize the generic inserts (from hr_store_free). */
void hr_store_xfer_release(struct hr_store *s);

#endif
