/*
 * test-store.c - the SQLite store on real database files (tests/headroom):
 * every collector table fits the schema, one transaction per sample, a
 * newer or foreign database is refused byte-for-byte untouched, one writer
 * per database, readers are not blocked by an open write transaction, and
 * retention + roll-up keep a month with min/avg/max so a spike survives.
 * Links hr_store and hr_collect (for the table descriptions) and sqlite3.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hr_collect.h"
#include "hr_store.h"
#include "hr_test.h"

static char dir[2048];

static void path_of(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", dir, name);
}

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

static double q_dbl(const char *db, const char *sql)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	double v = -1;

	if (sqlite3_open_v2(db, &h, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
	    sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_double(st, 0);
	else
		fprintf(stderr, "query failed: %s\n", sql);
	sqlite3_finalize(st);
	sqlite3_close(h);
	return v;
}

static void exec_raw(const char *db, const char *sql)
{
	sqlite3 *h = NULL;

	CHECK(sqlite3_open(db, &h) == SQLITE_OK);
	CHECK(sqlite3_exec(h, sql, NULL, NULL, NULL) == SQLITE_OK);
	sqlite3_close(h);
}

static char *slurp(const char *p, size_t *len)
{
	FILE *f = fopen(p, "rb");
	char *buf;

	if (!f)
		return NULL;
	buf = malloc(1 << 20);
	*len = fread(buf, 1, 1 << 20, f);
	fclose(f);
	return buf;
}

/* Put one row of zeros into every table every collector fills. */
static int put_all_tables(struct hr_store *s)
{
	double v[HR_MAX_COLS] = {0};

	for (size_t i = 0; i < hr_ncollectors; i++)
		for (const struct hr_table *const *t = hr_collectors[i].tables; *t; t++) {
			int r = hr_store_put(s, (*t)->name, (*t)->key, "k", (*t)->label, "l",
					     (*t)->cols, (*t)->ncols, v);
			if (r < 0) {
				fprintf(stderr, "table %s: %s (%s)\n", (*t)->name, strerror(-r),
					hr_store_errmsg(s));
				return r;
			}
		}
	return 0;
}

static void test_schema_and_transactions(void)
{
	char db[2200];
	struct hr_store *s = NULL, *s2 = NULL;
	int ver = -1;

	path_of(db, sizeof(db), "a.db");
	CHECK_INT(hr_store_open(db, HR_STORE_WRITER, &s, &ver), 0);
	CHECK_INT(ver, 0);
	CHECK_INT(q_int(db, "PRAGMA user_version"), HR_SCHEMA_VERSION);
	CHECK_INT(q_int(db, "PRAGMA application_id"), HR_APPLICATION_ID);
	{
		sqlite3 *h;
		sqlite3_stmt *st;
		CHECK(sqlite3_open(db, &h) == SQLITE_OK);
		CHECK(sqlite3_prepare_v2(h, "PRAGMA journal_mode", -1, &st, NULL) == SQLITE_OK);
		CHECK(sqlite3_step(st) == SQLITE_ROW);
		CHECK(!strcmp((const char *)sqlite3_column_text(st, 0), "wal"));
		sqlite3_finalize(st);
		sqlite3_close(h);
	}
	/* Every collector's columns exist in the schema. */
	CHECK_INT(hr_store_begin(s, 1000, 10000, "boot-a"), 0);
	CHECK_INT(put_all_tables(s), 0);
	CHECK_INT(hr_store_commit(s), 0);
	CHECK_INT(q_int(db, "SELECT count(*) FROM sample"), 1);
	CHECK_INT(q_int(db, "SELECT count(*) FROM proc WHERE pid = 'k'"), 1);
	/* A table or column the schema lacks is an error, not a silent loss. */
	{
		static const char *const bad[] = {"nope", NULL};
		double v = 1;
		CHECK_INT(hr_store_begin(s, 2000, 10000, "boot-a"), 0);
		CHECK_INT(hr_store_put(s, "cpu", "cpu", "0", NULL, NULL, bad, 1, &v), -EINVAL);
		hr_store_rollback(s);
	}
	/* A rolled-back sample leaves nothing, not even its sample row. */
	CHECK_INT(hr_store_begin(s, 3000, 10000, "boot-a"), 0);
	CHECK_INT(put_all_tables(s), 0);
	/* Meanwhile a reader is not blocked by the open write transaction (WAL). */
	CHECK_INT(q_int(db, "SELECT count(*) FROM sample"), 1);
	hr_store_rollback(s);
	CHECK_INT(q_int(db, "SELECT count(*) FROM sample"), 1);
	CHECK_INT(q_int(db, "SELECT count(*) FROM cpu"), 1);
	/* A second boot id gets its own boot row. */
	CHECK_INT(hr_store_begin(s, 4000, 10000, "boot-b"), 0);
	CHECK_INT(hr_store_commit(s), 0);
	CHECK_INT(q_int(db, "SELECT count(*) FROM boot"), 2);
	CHECK_INT(hr_store_set_meta(s, "hostname", "test"), 0);
	/* One writer per database. */
	ver = 0;
	CHECK_INT(hr_store_open(db, HR_STORE_WRITER, &s2, &ver), -EBUSY);
	CHECK_INT(ver, getpid());
	/* Readers may open it. */
	CHECK_INT(hr_store_open(db, HR_STORE_READONLY, &s2, &ver), 0);
	hr_store_free(s2);
	hr_store_free(s);
	/* After the writer closed, the next one opens it and keeps the data. */
	CHECK_INT(hr_store_open(db, HR_STORE_WRITER, &s, &ver), 0);
	CHECK_INT(ver, HR_SCHEMA_VERSION);
	hr_store_free(s);
	CHECK_INT(q_int(db, "PRAGMA integrity_check") == -1, 0);
}

static void test_refusals(void)
{
	char db[2200], *before, *after;
	size_t lb, la;
	struct hr_store *s = NULL;
	int ver = 0;

	/* A database of a newer headroom: refused, not one byte changed. */
	path_of(db, sizeof(db), "newer.db");
	CHECK_INT(hr_store_open(db, HR_STORE_WRITER, &s, &ver), 0);
	hr_store_free(s);
	exec_raw(db, "PRAGMA journal_mode=DELETE; PRAGMA user_version=7; CREATE TABLE future(x);");
	before = slurp(db, &lb);
	CHECK_INT(hr_store_open(db, HR_STORE_WRITER, &s, &ver), -EPROTONOSUPPORT);
	CHECK_INT(ver, 7);
	after = slurp(db, &la);
	CHECK(before && after && lb == la && memcmp(before, after, lb) == 0);
	free(before);
	free(after);
	/* Another application's database. */
	path_of(db, sizeof(db), "other.db");
	exec_raw(db, "CREATE TABLE customers(id, name); INSERT INTO customers VALUES(1, 'x');");
	before = slurp(db, &lb);
	CHECK_INT(hr_store_open(db, HR_STORE_WRITER, &s, &ver), -EMEDIUMTYPE);
	after = slurp(db, &la);
	CHECK(before && after && lb == la && memcmp(before, after, lb) == 0);
	free(before);
	free(after);
	/* Not a database at all. */
	path_of(db, sizeof(db), "garbage.db");
	{
		FILE *f = fopen(db, "w");
		for (int i = 0; i < 500; i++)
			fputs("this is not sqlite ", f);
		fclose(f);
	}
	before = slurp(db, &lb);
	CHECK_INT(hr_store_open(db, HR_STORE_WRITER, &s, &ver), -EMEDIUMTYPE);
	after = slurp(db, &la);
	CHECK(before && after && lb == la && memcmp(before, after, lb) == 0);
	free(before);
	free(after);
	/* A directory that does not exist. */
	CHECK_INT(hr_store_open("/nonexistent/dir/x.db", HR_STORE_WRITER, &s, &ver), -ENOENT);
}

/* Insert a raw sample with only a cpu row, user = USER. */
static void put_cpu(struct hr_store *s, int64_t ts, double user)
{
	static const char *const cols[] = {"user", "idle", NULL};
	double v[2] = {user, 100 - user};

	CHECK_INT(hr_store_begin(s, ts, 10000, "boot"), 0);
	CHECK_INT(hr_store_put(s, "cpu", "cpu", "-1", NULL, NULL, cols, 2, v), 0);
	CHECK_INT(hr_store_commit(s), 0);
}

static void test_retention(void)
{
	const int64_t day = 86400000, now = 1700000000000LL - 1700000000000LL % 300000;
	char db[2200];
	struct hr_store *s = NULL;
	struct hr_retention rt = {.history_ms = 31 * day, .raw_ms = 2 * day, .bucket_ms = 300000};
	bool more = true;
	int ver, rounds = 0;

	path_of(db, sizeof(db), "ret.db");
	CHECK_INT(hr_store_open(db, HR_STORE_WRITER, &s, &ver), 0);
	/* 40 days of history, one sample per 5 min (keeps the test quick)... */
	for (int64_t ts = now - 40 * day; ts < now; ts += 300000)
		put_cpu(s, ts, 10);
	/* ...and one bucket 3 days ago with a spike among quiet samples. */
	const int64_t b = now - 3 * day;	/* bucket start: a multiple of 5 min */
	for (int i = 0; i < 30; i++)
		put_cpu(s, b + 10000 * i + 5, i == 17 ? 100 : 0);
	const long long total = q_int(db, "SELECT count(*) FROM sample");
	while (more && rounds++ < 10000) {
		int r = hr_store_maintain(s, now, &rt, 100, &more);
		if (r < 0) {
			fprintf(stderr, "maintain: %s (%s)\n", strerror(-r), hr_store_errmsg(s));
			test_failures++;
			break;
		}
	}
	CHECK(!more);
	/* Nothing older than HISTORY. */
	{
		char q[200];
		snprintf(q, sizeof(q), "SELECT count(*) FROM sample WHERE ts < %lld",
			 (long long)(now - 31 * day));
		CHECK_INT(q_int(db, q), 0);
		/* No raw sample older than 2 days; raw ones younger are all there. */
		snprintf(q, sizeof(q), "SELECT count(*) FROM sample WHERE level = 0 AND ts < %lld",
			 (long long)(now - 2 * day));
		CHECK_INT(q_int(db, q), 0);
		snprintf(q, sizeof(q), "SELECT count(*) FROM sample WHERE level = 0 AND ts >= %lld",
			 (long long)(now - 2 * day));
		CHECK_INT(q_int(db, q), 2 * 288);
		/* The spike bucket: avg 100/30, min 0, max 100. */
		snprintf(q, sizeof(q),
			 "SELECT user FROM cpu JOIN sample ON id = sample WHERE level = 1 AND ts = %lld "
			 "AND stat = 2", (long long)(b + 300000));
		CHECK_NEAR(q_dbl(db, q), 100, 1e-9);
		snprintf(q, sizeof(q),
			 "SELECT user FROM cpu JOIN sample ON id = sample WHERE level = 1 AND ts = %lld "
			 "AND stat = 1", (long long)(b + 300000));
		CHECK_NEAR(q_dbl(db, q), 0, 1e-9);
		snprintf(q, sizeof(q),
			 "SELECT user FROM cpu JOIN sample ON id = sample WHERE level = 1 AND ts = %lld "
			 "AND stat = 0", (long long)(b + 300000));
		/* 30 spike-bucket samples + 1 of the regular ones (user 10) */
		CHECK_NEAR(q_dbl(db, q), (100.0 + 10) / 31, 0.01);
		/* Each level-1 sample covers what its raw samples covered. */
		snprintf(q, sizeof(q), "SELECT span FROM sample WHERE level = 1 AND ts = %lld",
			 (long long)(b + 300000));
		CHECK_INT(q_int(db, q), 31 * 10000);
	}
	/* Every bucket of the rolled-up range exists once: 29 days of 288. */
	CHECK_INT(q_int(db, "SELECT count(*) FROM sample WHERE level = 1"), 29 * 288);
	CHECK_INT(q_int(db, "SELECT count(*) FROM cpu WHERE sample IN "
			    "(SELECT id FROM sample WHERE level = 1)"), 29 * 288 * 3);
	CHECK(q_int(db, "SELECT count(*) FROM sample") < total);
	CHECK_INT(q_int(db, "SELECT count(*) FROM cpu WHERE sample NOT IN (SELECT id FROM sample)"), 0);
	hr_store_free(s);
}

static void test_proc_rollup(void)
{
	static const char *const cols[] = {"cpu_pct", "rss_kb", "swap_kb", "rkbps", "wkbps", "top", NULL};
	const int64_t day = 86400000, now = 1700000100000LL - 1700000100000LL % 300000;
	struct hr_retention rt = {.history_ms = 31 * day, .raw_ms = 2 * day, .bucket_ms = 300000};
	char db[2200], key[16];
	struct hr_store *s = NULL;
	bool more = true;
	int ver;

	path_of(db, sizeof(db), "proc.db");
	CHECK_INT(hr_store_open(db, HR_STORE_WRITER, &s, &ver), 0);
	/* One old bucket, 30 samples with 40 different processes in total. */
	for (int i = 0; i < 30; i++) {
		CHECK_INT(hr_store_begin(s, now - 3 * day + 10000 * i, 10000, "b"), 0);
		for (int p = 0; p < 4; p++) {
			int pid = 100 + (i * 4 + p) % 40;
			double v[6] = {pid == 111 ? 90 : 1, pid == 122 ? 1e6 : 100, 0, 0, 0, 1};
			snprintf(key, sizeof(key), "%d", pid);
			CHECK_INT(hr_store_put(s, "proc", "pid", key, "comm", "x", cols, 6, v), 0);
		}
		CHECK_INT(hr_store_commit(s), 0);
	}
	while (more)
		CHECK_INT(hr_store_maintain(s, now, &rt, 100, &more), 0);
	/* At most 3 top lists of 10, avg + max rows each; the hogs are kept. */
	CHECK(q_int(db, "SELECT count(DISTINCT pid) FROM proc") <= 30);
	CHECK_INT(q_int(db, "SELECT count(*) FROM proc WHERE stat = 1"), 0);
	CHECK_NEAR(q_dbl(db, "SELECT cpu_pct FROM proc WHERE pid = 111 AND stat = 2"), 90, 1e-9);
	CHECK_NEAR(q_dbl(db, "SELECT rss_kb FROM proc WHERE pid = 122 AND stat = 2"), 1e6, 1e-9);
	/* pid 111 was listed in 3 of 30 samples at 90 %: 9 % over the bucket */
	CHECK_NEAR(q_dbl(db, "SELECT cpu_pct FROM proc WHERE pid = 111 AND stat = 0"), 9, 1e-9);
	hr_store_free(s);
}

int main(void)
{
	const char *tmp = getenv("TEST_TMP");

	if (!tmp) {
		fprintf(stderr, "TEST_TMP must be set (run through tests/run-tests.sh)\n");
		return 1;
	}
	snprintf(dir, sizeof(dir), "%s", tmp);
	test_schema_and_transactions();
	test_refusals();
	test_retention();
	test_proc_rollup();
	return test_result("test-store");
}
