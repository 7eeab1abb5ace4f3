/*
 * test-xfer.c - samples in bulk through the store (tests/headroom): a
 * version-1 database (as headroom 0.1 wrote it) is migrated to version 2
 * in place, its samples kept and marked recorded; a batch is all or
 * nothing; duplicate and recorded-overlap detection; a pulled roll-up of
 * samples held raw counts as covered; the export cursor returns every
 * sample in write order, rows by name, from one snapshot;
 * a NOLOCK writer works beside the lock holder. Links hr_store and sqlite3.
 */
#include <errno.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hr_schema.h"
#include "hr_store.h"
#include "hr_xfer.h"
#include "hr_test.h"

static char dir[2048];

static long long q_int(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	long long v = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	else
		fprintf(stderr, "query failed: %s: %s\n", sql, h ? sqlite3_errmsg(h) : "?");
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

/* A version-1 database with two recorded samples, written without the store. */
static void make_v1(const char *path)
{
	sqlite3 *h = NULL;
	char *err = NULL;

	unlink(path);
	CHECK(sqlite3_open(path, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, hr_schema_migrations[0], NULL, NULL, &err) == SQLITE_OK);
	CHECK(sqlite3_exec(h,
			   "PRAGMA user_version=1; PRAGMA application_id=1752330093;"
			   "INSERT INTO boot(boot_id, first_ts) VALUES('b1', 1000);"
			   "INSERT INTO sample(ts, span, level, boot) VALUES(10000, 10000, 0, 1);"
			   "INSERT INTO sample(ts, span, level, boot) VALUES(20000, 10000, 0, 1);"
			   "INSERT INTO cpu(sample, stat, cpu, user, idle) VALUES(1, 0, -1, 10, 90);"
			   "INSERT INTO cpu(sample, stat, cpu, user, idle) VALUES(2, 0, -1, 30, 70);",
			   NULL, NULL, &err) == SQLITE_OK);
	if (err)
		fprintf(stderr, "v1: %s\n", err);
	sqlite3_free(err);
	sqlite3_close(h);
}

static void test_migration(void)
{
	char path[2100];
	struct hr_store *s = NULL;
	int ver = -1;

	snprintf(path, sizeof(path), "%s/v1.db", dir);
	make_v1(path);
	CHECK_INT(q_int(path, "PRAGMA user_version"), 1);
	/* a reader leaves it as it is */
	CHECK_INT(hr_store_open(path, HR_STORE_READONLY, &s, &ver), 0);
	CHECK_INT(ver, 1);
	hr_store_free(s);
	CHECK_INT(q_int(path, "PRAGMA user_version"), 1);
	/* a writer upgrades it in place */
	CHECK_INT(hr_store_open(path, HR_STORE_WRITER, &s, &ver), 0);
	CHECK_INT(ver, 1);
	hr_store_free(s);
	CHECK_INT(q_int(path, "PRAGMA user_version"), HR_SCHEMA_VERSION);
	CHECK_INT(q_int(path, "SELECT count(*) FROM sample WHERE source = 0"), 2);
	CHECK_INT(q_int(path, "SELECT sum(user) FROM cpu"), 40);
}

static int count_rows(void *closure, const struct hr_value *v, size_t n)
{
	int *c = closure;

	(*c)++;
	return n >= 3 && v[0].type == HR_V_INT ? 0 : -EINVAL;
}

static void test_batches_and_export(void)
{
	char path[2100];
	struct hr_store *s = NULL, *rec = NULL;
	struct hr_export *x = NULL;
	struct hr_xsample xs;
	char err[256] = "";
	int where = -1, ver = 0;
	bool cov = true;
	int64_t n = 0, last_id = 0;
	static const char *const cols[] = {"stat", "cpu", "user", "idle"};

	snprintf(path, sizeof(path), "%s/v1.db", dir);
	/* the recorder holds the lock; an importer writes beside it */
	CHECK_INT(hr_store_open(path, HR_STORE_WRITER, &rec, &ver), 0);
	CHECK_INT(hr_store_open(path, HR_STORE_WRITER, &s, &ver), -EBUSY);
	CHECK_INT(hr_store_open(path, HR_STORE_WRITER | HR_STORE_NOLOCK, &s, &ver), 0);
	/* duplicates and overlaps with recorded samples */
	CHECK_INT(hr_xfer_find(s, 20000, 10000, &where), 0);
	CHECK_INT(where, HR_XFER_DUPLICATE);
	CHECK_INT(hr_xfer_find(s, 15000, 10000, &where), 0);
	CHECK_INT(where, HR_XFER_RECORDED);
	CHECK_INT(hr_xfer_find(s, 40000, 10000, &where), 0);
	CHECK_INT(where, HR_XFER_NEW);
	/* a batch rolled back leaves nothing */
	CHECK_INT(hr_xfer_batch_begin(s), 0);
	xs = (struct hr_xsample){.ts_ms = 40000, .span_ms = 10000, .source = HR_SOURCE_SYSSTAT,
				 .boot_id = "sysstat-1"};
	CHECK_INT(hr_xfer_sample(s, &xs), 0);
	struct hr_value v[4] = {{.type = HR_V_INT, .i = 0}, {.type = HR_V_INT, .i = -1},
				{.type = HR_V_REAL, .r = 55.5}, {.type = HR_V_NULL}};
	CHECK_INT(hr_xfer_row(s, "cpu", cols, v, 4), 0);
	static const char *const bad[] = {"stat", "nonesuch"};
	CHECK(hr_xfer_row(s, "cpu", bad, v, 2) < 0);
	hr_xfer_batch_rollback(s);
	CHECK_INT(q_int(path, "SELECT count(*) FROM sample"), 2);
	CHECK_INT(q_int(path, "SELECT count(*) FROM boot"), 1);
	/* committed: there, with its source, boot and a NULL kept NULL */
	CHECK_INT(hr_xfer_batch_begin(s), 0);
	CHECK_INT(hr_xfer_sample(s, &xs), 0);
	CHECK_INT(hr_xfer_row(s, "cpu", cols, v, 4), 0);
	xs.ts_ms = 50000;
	CHECK_INT(hr_xfer_sample(s, &xs), 0);
	CHECK_INT(hr_xfer_row(s, "cpu", cols, v, 4), 0);
	CHECK_INT(hr_xfer_batch_commit(s), 0);
	CHECK_INT(q_int(path, "SELECT count(*) FROM sample WHERE source = 1"), 2);
	CHECK_INT(q_int(path, "SELECT count(*) FROM cpu WHERE idle IS NULL"), 2);
	CHECK_INT(q_int(path, "SELECT count(*) FROM boot"), 2);
	/* a pulled roll-up of [10000, 20000] is covered by the raw samples held */
	CHECK_INT(hr_xfer_covered(s, 20000, 20000, 1, &cov), 0);
	CHECK(cov);
	CHECK_INT(hr_xfer_covered(s, 300000, 20000, 1, &cov), 0);
	CHECK(!cov);
	CHECK_INT(hr_xfer_covered(s, 20000, 10000, 0, &cov), 0);
	CHECK(cov);
	hr_store_free(s);
	hr_store_free(rec);

	/* export: every sample in write order from one snapshot */
	CHECK_INT(hr_export_open(path, 0, &x, err, sizeof(err)), 0);
	CHECK_INT(hr_export_count(x, &n), 0);
	CHECK_INT(n, 4);
	/* a sample written now is not in the snapshot */
	CHECK_INT(hr_store_open(path, HR_STORE_WRITER | HR_STORE_NOLOCK, &s, &ver), 0);
	CHECK_INT(hr_xfer_batch_begin(s), 0);
	xs.ts_ms = 5000;	/* older than all, written last */
	CHECK_INT(hr_xfer_sample(s, &xs), 0);
	CHECK_INT(hr_xfer_batch_commit(s), 0);
	hr_store_free(s);
	n = 0;
	while (hr_export_next(x, &xs) > 0) {
		CHECK(xs.id > last_id);
		last_id = xs.id;
		for (size_t t = 0; t < hr_export_ntables(x); t++) {
			const char *const *c;
			size_t nc;
			int rows = 0;
			const char *name = hr_export_table(x, t, &c, &nc);
			CHECK_INT(hr_export_rows(x, t, count_rows, &rows), 0);
			if (!strcmp(name, "cpu")) {
				CHECK_INT(rows, 1);
				CHECK(nc >= 3 && !strcmp(c[0], "stat") && !strcmp(c[1], "cpu"));
			}
		}
		n++;
	}
	CHECK_INT(n, 4);
	hr_export_free(x);
	/* after it, the new sample comes: it was written after id 4 */
	CHECK_INT(hr_export_open(path, last_id, &x, err, sizeof(err)), 0);
	CHECK_INT(hr_export_next(x, &xs), 1);
	CHECK_INT(xs.ts_ms, 5000);
	CHECK_INT(hr_export_next(x, &xs), 0);
	hr_export_free(x);
	/* a file that is no headroom database is refused */
	snprintf(path, sizeof(path), "%s/not.db", dir);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs("not a database at all, just text, long enough to be a header....", f);
		fclose(f);
	}
	CHECK(hr_export_open(path, 0, &x, err, sizeof(err)) < 0);
}

int main(void)
{
	const char *tmp = getenv("TEST_TMP");

	if (!tmp) {
		fprintf(stderr, "TEST_TMP must be set (run through tests/run-tests.sh)\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", tmp);
	test_migration();
	test_batches_and_export();
	return test_result("test-xfer");
}
