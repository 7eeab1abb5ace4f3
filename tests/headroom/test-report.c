/*
 * test-report.c - the analyze and render layers of `headroom report`
 * (tests/headroom): local-time parsing and days across both DST changes
 * of Europe/Berlin, the activity table, span-weighted averages and buckets
 * on a small database written through hr_store, every activity's SQL run
 * against the real schema, and CSV/JSON quoting. Links hr_analyze and
 * hr_render (and hr_store through hr_analyze).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "hr_analyze.h"
#include "hr_render.h"
#include "hr_store.h"
#include "hr_test.h"

#define H 3600000LL
/* 2026-10-25 00:00 CEST and 2026-03-29 00:00 CET, Unix ms */
#define OCT25 1792879200000LL
#define MAR29 1774738800000LL

static void test_time(void)
{
	int64_t ms = 0, a = 0, b = 0;
	int tod = 0;
	struct hr_tm lt;

	CHECK_INT(hr_time_parse("2026-10-25", false, 0, &ms), 0);
	CHECK_INT(ms, OCT25);
	CHECK_INT(hr_time_parse("2026-10-25", true, 0, &ms), 0);
	CHECK_INT(ms, OCT25 + 25 * H - 1);	/* the autumn day has 25 hours */
	CHECK_INT(hr_time_day(OCT25 + 3 * H, &a, &b), 0);
	CHECK_INT(a, OCT25);
	CHECK_INT(b - a, 25 * H);
	CHECK_INT(hr_time_day(MAR29 + 5 * H, &a, &b), 0);
	CHECK_INT(a, MAR29);
	CHECK_INT(b - a, 23 * H);	/* the spring day has 23 */
	CHECK_INT(hr_time_parse("2026-03-29 01:59:59", false, 0, &ms), 0);
	CHECK_INT(ms, MAR29 + 2 * H - 1000);
	CHECK_INT(hr_time_parse("2026-03-29T03:00", false, 0, &ms), 0);
	CHECK_INT(ms, MAR29 + 2 * H);	/* 03:00 CEST is 2 h after midnight CET */
	CHECK_INT(hr_time_parse("2026-03-29 10:00", true, 0, &ms), 0);
	CHECK_INT(ms, MAR29 + 9 * H + 999);
	CHECK_INT(hr_time_parse("today", false, OCT25 + 12 * H, &ms), 0);
	CHECK_INT(ms, OCT25);
	CHECK_INT(hr_time_parse("yesterday", true, OCT25 + 12 * H, &ms), 0);
	CHECK_INT(ms, OCT25 - 1);
	/* moments before the present, across the DST change (plain elapsed time) */
	CHECK_INT(hr_time_parse("-2h", false, OCT25 + 12 * H, &ms), 0);
	CHECK_INT(ms, OCT25 + 10 * H);
	CHECK_INT(hr_time_parse("-90m", true, OCT25 + 12 * H, &ms), 0);
	CHECK_INT(ms, OCT25 + 12 * H - 90 * 60000);
	CHECK_INT(hr_time_parse("-1d", false, OCT25 + 12 * H, &ms), 0);
	CHECK_INT(ms, OCT25 - 12 * H);
	CHECK_INT(hr_time_parse("-600", false, OCT25, &ms), 0);
	CHECK_INT(ms, OCT25 - 600000);
	CHECK_INT(hr_time_parse("1 hour ago", false, OCT25 + 12 * H, &ms), 0);
	CHECK_INT(ms, OCT25 + 11 * H);
	CHECK_INT(hr_time_parse("3 days ago", false, OCT25 + 12 * H, &ms), 0);
	CHECK_INT(ms, OCT25 + 12 * H - 72 * H);
	CHECK_INT(hr_time_parse("2 weeks ago", false, OCT25, &ms), 0);
	CHECK_INT(ms, OCT25 - 14 * 24 * H);
	CHECK_INT(hr_time_parse("45 seconds ago", false, OCT25, &ms), 0);
	CHECK_INT(ms, OCT25 - 45000);
	ms = 42;
	static const char *const bad[] = {"", "2026", "2026-1-01", "2026-01-01x", "2026-02-29",
					  "2026-00-10", "2026-01-01 24:00", "2026-01-01 10:60",
					  "2026-01-01 10", "2026-01-01  10:00", "1969-12-31",
					  "today ", "Today", "-", "-2x", "-0h", "--2h", "-2 h",
					  "ago", " ago", "2 ago", "0 days ago", "2 dayz ago",
					  "2 days  ago", "two days ago", "2days ago", "-2h ago"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CHECK_INT(hr_time_parse(bad[i], false, 0, &ms), -EINVAL);
	CHECK_INT(ms, 42);	/* untouched on error */
	CHECK_INT(hr_time_parse("2028-02-29", false, 0, &ms), 0);
	CHECK_INT(hr_time_parse_tod("07:05", &tod), 0);
	CHECK_INT(tod, 7 * 3600 + 5 * 60);
	CHECK_INT(hr_time_parse_tod("23:59:59", &tod), 0);
	CHECK_INT(tod, 86399);
	CHECK_INT(hr_time_parse_tod("7:05", &tod), -EINVAL);
	CHECK_INT(hr_time_parse_tod("07:05:", &tod), -EINVAL);
	CHECK_INT(hr_time_local(OCT25 + 3 * H + 30 * 60000, &lt), 0);	/* the 2nd 02:30 */
	CHECK_INT(lt.hour, 2);
	CHECK_INT(lt.gmtoff, 3600);
	CHECK(!strcmp(lt.zone, "CET"));
	CHECK_INT(hr_time_local(OCT25 + 2 * H + 30 * 60000, &lt), 0);	/* the 1st */
	CHECK_INT(lt.hour, 2);
	CHECK(!strcmp(lt.zone, "CEST"));
}

static void test_table(void)
{
	CHECK(hr_nactivities >= 20);
	for (size_t i = 0; i < hr_nactivities; i++) {
		const struct hr_activity *a = &hr_activities[i];
		CHECK(a->name && (a->from || a->sql) && a->ncols > 0);
		CHECK(hr_activity_find(a->name) == a);
		CHECK(!a->keyname || a->key);
		for (size_t j = 0; j < a->ncols; j++) {
			CHECK(a->cols[j].name && a->cols[j].scale > 0);
			CHECK(a->sql || (a->cols[j].num && a->cols[j].den));
		}
	}
	CHECK(hr_activity_find("nosuch") == NULL);
}

static const char *const cpu_c[] = {"user", "idle"};
static const char *const disk_c[] = {"tps", "await_ms"};
static const char *const proc_c[] = {"cpu_pct", "rss_kb"};

/* Three samples: 10 % over 1 s, 40 % over 3 s, and one an hour later. */
static void make_db(const char *path)
{
	struct hr_store *s = NULL;
	const int64_t ts[] = {OCT25 + H + 1000, OCT25 + H + 4000, OCT25 + 2 * H + 1000};
	const int64_t span[] = {1000, 3000, 1000};
	const double user[] = {10, 40, 70};

	CHECK_INT(hr_store_open(path, HR_STORE_WRITER, &s, NULL), 0);
	if (!s)
		return;
	for (int i = 0; i < 3; i++) {
		double v[2] = {user[i], 100 - user[i]};
		double d1[2] = {10, 2}, d2[2] = {30, 6};
		double p[2] = {user[i] * 2, 1000 * (i + 1)};
		CHECK_INT(hr_store_begin(s, ts[i], span[i], "b"), 0);
		CHECK_INT(hr_store_put(s, "cpu", "cpu", "-1", NULL, NULL, cpu_c, 2, v), 0);
		CHECK_INT(hr_store_put(s, "cpu", "cpu", "0", NULL, NULL, cpu_c, 2, v), 0);
		CHECK_INT(hr_store_put(s, "disk", "dev", "sda", NULL, NULL, disk_c, 2, d1), 0);
		CHECK_INT(hr_store_put(s, "disk", "dev", "sdb", NULL, NULL, disk_c, 2, d2), 0);
		CHECK_INT(hr_store_put(s, "proc", "pid", "7", "comm", "x,\"y\"", proc_c, 2, p), 0);
		CHECK_INT(hr_store_commit(s), 0);
	}
	hr_store_free(s);
}

/* Run ACT over Q; the rows' first value into V (up to N), the average into AVG. */
static int collect(struct hr_db *db, const char *act, const struct hr_query *q, double *v, int n,
		   double *avg)
{
	struct hr_rows *rows = NULL;
	struct hr_row row;
	int got = 0, r;

	r = hr_rows_open(db, hr_activity_find(act), q, &rows);
	CHECK_INT(r, 0);
	if (r < 0)
		return -1;
	while ((r = hr_rows_next(rows, &row)) > 0) {
		if (row.average)
			*avg = row.v[0];
		else if (got < n)
			v[got++] = row.v[0];
	}
	CHECK_INT(r, 0);
	hr_rows_free(rows);
	return got;
}

static void test_queries(const char *dir)
{
	char path[4200];
	struct hr_db *db = NULL;
	struct hr_query q = {.range = {OCT25, OCT25 + 25 * H - 1, -1, -1}};
	const char *const total[] = {"-1"};
	double v[8] = {0}, avg = -1;
	int64_t n = 0;

	snprintf(path, sizeof(path), "%s/t.db", dir);
	make_db(path);
	CHECK_INT(hr_db_open(path, &db), 0);
	if (!db)
		return;
	CHECK_INT(hr_db_count(db, &q.range, &n), 0);
	CHECK_INT(n, 3);
	/* every activity's SQL runs against the real schema, in every mode */
	for (size_t i = 0; i < hr_nactivities; i++) {
		for (int mode = 0; mode < 2; mode++) {
			struct hr_query qq = q;
			struct hr_rows *rows = NULL;
			struct hr_row row;
			int r;
			qq.bucket_ms = mode ? H : 0;
			qq.range.tod_from = mode ? 3600 : -1;
			r = hr_rows_open(db, &hr_activities[i], &qq, &rows);
			CHECK_INT(r, 0);
			if (r < 0) {
				fprintf(stderr, "%s: %s\n", hr_activities[i].name, hr_db_errmsg(db));
				continue;
			}
			while ((r = hr_rows_next(rows, &row)) > 0)
				;
			CHECK_INT(r, 0);
			hr_rows_free(rows);
		}
	}
	/* per sample, only the total */
	q.keys = total;
	q.nkeys = 1;
	CHECK_INT(collect(db, "cpu", &q, v, 8, &avg), 3);
	CHECK_NEAR(v[1], 40, 1e-9);
	CHECK_NEAR(avg, (10 * 1 + 40 * 3 + 70 * 1) / 5.0, 1e-9);	/* weighted by span */
	/* hourly buckets aligned on the local hour: 01:00 CEST holds the first two */
	q.bucket_ms = H;
	CHECK_INT(collect(db, "cpu", &q, v, 8, &avg), 2);
	CHECK_NEAR(v[0], 32.5, 1e-9);
	CHECK_NEAR(v[1], 70, 1e-9);
	CHECK_NEAR(avg, 40, 1e-9);
	/* -s/-e in local wall time: 02:00 CEST and later */
	q.range.tod_from = 2 * 3600;
	CHECK_INT(collect(db, "cpu", &q, v, 8, &avg), 1);
	CHECK_NEAR(v[0], 70, 1e-9);
	q.range.tod_from = -1;
	/* sar -b sums over disks; sar -d weights await by transfers */
	q.keys = NULL;
	q.nkeys = 0;
	q.bucket_ms = 0;
	CHECK_INT(collect(db, "io", &q, v, 8, &avg), 3);
	CHECK_NEAR(v[0], 40, 1e-9);
	CHECK_INT(collect(db, "top", &q, v, 8, &avg), 3);
	CHECK_NEAR(avg, 2 * (10 + 120 + 70) / 5.0, 1e-9);
	{
		struct hr_rows *rows = NULL;
		struct hr_row row;
		q.bucket_ms = 24 * H;
		CHECK_INT(hr_rows_open(db, hr_activity_find("disk"), &q, &rows), 0);
		while (rows && hr_rows_next(rows, &row) > 0)
			if (row.average && !strcmp(row.key, "sda"))
				CHECK_NEAR(row.v[6], 2, 1e-9);	/* await */
		hr_rows_free(rows);
		q.bucket_ms = 0;
	}
	/* bad queries */
	{
		struct hr_rows *rows = NULL;
		q.bucket_ms = 25 * H;
		CHECK_INT(hr_rows_open(db, hr_activity_find("cpu"), &q, &rows), -EINVAL);
		q.bucket_ms = 0;
	}
	hr_db_free(db);
	snprintf(path, sizeof(path), "%s/missing.db", dir);
	CHECK_INT(hr_db_open(path, &db), -ENOENT);
}

static const char *const fs_c[] = {"size_kb", "free_kb"};

/*
 * The buckets query.c makes from the streamed rows: two samples with the
 * same ts merge in per-sample mode, keys come out in key order whatever
 * order the samples had them in, max(device) is per bucket (the average
 * row keeps the first bucket's), and the process ranking divides by the
 * span of every sample of the bucket, even one that listed no process.
 */
static void test_buckets(const char *dir)
{
	struct {
		int64_t ts, span;
		const char *dev, *fsdev;
		double tps, cpu;
		const char *pid;
	} smp[] = {
		{OCT25 + 1000, 1000, "sdb", "/dev/b", 10, 10, "7"},
		{OCT25 + 1000, 3000, "sda", "/dev/a", 20, 50, "9"},
		{OCT25 + H + 1000, 1000, "sda", "/dev/c", 30, 0, NULL},
	};
	struct hr_query q = {.range = {OCT25, OCT25 + 3 * H, -1, -1}};
	struct hr_store *s = NULL;
	struct hr_db *db = NULL;
	struct hr_rows *rows = NULL;
	struct hr_row row;
	char path[4200];
	int n, r;

	snprintf(path, sizeof(path), "%s/b.db", dir);
	CHECK_INT(hr_store_open(path, HR_STORE_WRITER, &s, NULL), 0);
	if (!s)
		return;
	for (size_t i = 0; i < sizeof(smp) / sizeof(smp[0]); i++) {
		double d[2] = {smp[i].tps, 1}, f[2] = {100, 50}, p[2] = {smp[i].cpu, 1000};
		CHECK_INT(hr_store_begin(s, smp[i].ts, smp[i].span, "b"), 0);
		CHECK_INT(hr_store_put(s, "disk", "dev", smp[i].dev, NULL, NULL, disk_c, 2, d), 0);
		CHECK_INT(hr_store_put(s, "fs", "mount", "/", "device", smp[i].fsdev, fs_c, 2, f),
			  0);
		if (smp[i].pid)
			CHECK_INT(hr_store_put(s, "proc", "pid", smp[i].pid, "comm", "x", proc_c, 2,
					       p),
				  0);
		CHECK_INT(hr_store_commit(s), 0);
	}
	hr_store_free(s);
	CHECK_INT(hr_db_open(path, &db), 0);
	if (!db)
		return;

	/* per sample: sda (3 s) before sdb, then sda; averages by key */
	CHECK_INT(hr_rows_open(db, hr_activity_find("disk"), &q, &rows), 0);
	for (n = 0; rows && (r = hr_rows_next(rows, &row)) > 0; n++) {
		static const struct {
			bool average;
			int64_t ts, span;
			const char *key;
			double tps;
		} want[] = {
			{false, OCT25 + 1000, 3000, "sda", 20},
			{false, OCT25 + 1000, 1000, "sdb", 10},
			{false, OCT25 + H + 1000, 1000, "sda", 30},
			{true, 0, 0, "sda", 22.5},
			{true, 0, 0, "sdb", 10},
		};
		if (n >= 5)
			continue;
		CHECK(row.average == want[n].average);
		CHECK(row.ts_ms == want[n].ts);
		CHECK(row.span_ms == want[n].span);
		CHECK(row.key && !strcmp(row.key, want[n].key));
		CHECK_NEAR(row.v[0], want[n].tps, 1e-9);
	}
	CHECK_INT(n, 5);
	hr_rows_free(rows);
	rows = NULL;

	/* hourly: the greatest device of each bucket */
	q.bucket_ms = H;
	CHECK_INT(hr_rows_open(db, hr_activity_find("fs"), &q, &rows), 0);
	for (n = 0; rows && (r = hr_rows_next(rows, &row)) > 0; n++) {
		static const char *const want[] = {"/dev/b", "/dev/c", "/dev/b"};
		if (n < 3)
			CHECK(row.tail && !strcmp(row.tail, want[n]));
		CHECK(row.average == (n == 2));
	}
	CHECK_INT(n, 3);
	hr_rows_free(rows);
	rows = NULL;

	/* top 1 per hour: pid 9 over 4 s; the range: 5 s, the last sample empty */
	q.top_n = 1;
	CHECK_INT(hr_rows_open(db, hr_activity_find("top"), &q, &rows), 0);
	for (n = 0; rows && (r = hr_rows_next(rows, &row)) > 0; n++) {
		CHECK(row.key && !strcmp(row.key, "9"));
		CHECK(row.tail && !strcmp(row.tail, "x"));
		CHECK(row.average == (n == 1));
		CHECK_NEAR(row.v[0], n == 0 ? 50 * 3000 / 4000.0 : 50 * 3000 / 5000.0, 1e-9);
	}
	CHECK_INT(n, 2);
	hr_rows_free(rows);
	rows = NULL;

	/* a fragment the buckets cannot merge is refused, not run per row */
	{
		static const struct hr_column bad_cols[] = {
			{.name = "x", .num = "sum(tps) / sum(span)", .den = "1", .scale = 1},
		};
		static const struct hr_activity bad = {
			.name = "bad", .from = "disk t", .cols = bad_cols, .ncols = 1};
		CHECK_INT(hr_rows_open(db, &bad, &q, &rows), -EINVAL);
		CHECK(rows == NULL);
	}
	hr_db_free(db);
}

static void test_render(void)
{
	static const struct hr_render_col cols[] = {{"%x", 2}};
	const struct hr_render_table t = {.name = "t", .keyname = "K", .keywidth = 3,
					  .tailname = "Command", .cols = cols, .ncols = 1};
	const struct hr_render_info info = {.host = "h,1", .kernel = "k", .ncpu = 1,
					    .from_ms = OCT25, .to_ms = OCT25 + H};
	const double v[] = {1.005};
	const bool nul[] = {false}, isnull[] = {true};
	char *buf = NULL;
	size_t len = 0;
	FILE *f;
	struct hr_render *r = NULL;

	f = open_memstream(&buf, &len);
	CHECK_INT(hr_render_new(HR_FORMAT_CSV, f, &info, &r), 0);
	CHECK_INT(hr_render_begin(r, &t), 0);
	CHECK_INT(hr_render_row(r, OCT25 + 2 * H, 60000, "a", "x,\"y\"", v, nul), 0);
	CHECK_INT(hr_render_row(r, OCT25 + 2 * H, 60000, "b", NULL, v, isnull), 0);
	CHECK_INT(hr_render_average(r, "a", NULL, v, nul), 0);
	CHECK_INT(hr_render_end(r), 0);
	CHECK_INT(hr_render_finish(r), 0);
	hr_render_free(r);
	fclose(f);
	CHECK(!strcmp(buf, "hostname,interval,timestamp,K,%x,Command\n"
			   "\"h,1\",60,2026-10-25T02:00:00+02:00,a,1.00,\"x,\"\"y\"\"\"\n"
			   "\"h,1\",60,2026-10-25T02:00:00+02:00,b,,\n"));
	free(buf);

	buf = NULL;
	f = open_memstream(&buf, &len);
	CHECK_INT(hr_render_new(HR_FORMAT_JSON, f, &info, &r), 0);
	CHECK_INT(hr_render_begin(r, &t), 0);
	CHECK_INT(hr_render_row(r, OCT25 + 3 * H, 60000, "a", "q\"\\\n", v, nul), 0);
	CHECK_INT(hr_render_end(r), 0);
	CHECK_INT(hr_render_finish(r), 0);
	hr_render_free(r);
	fclose(f);
	CHECK(strstr(buf, "\"Command\": \"q\\\"\\\\\\u000a\"") != NULL);
	CHECK(strstr(buf, "\"timestamp\": \"2026-10-25T02:00:00+01:00\"") != NULL);
	CHECK(strstr(buf, "\"average\": []") != NULL);
	free(buf);
}

/*
 * Walking sample ids instead of joining sample: only where the ids meet
 * the samples in time order. A sample written last with an older time (as
 * a roll-up is) makes the whole range join sample; ranges that leave it
 * out, or hold only it and older ids, walk the ids and drop those outside
 * the range (or the time of day). Every way gives the same rows.
 */
static void test_id_walk(const char *dir)
{
	/* ids 1..4; id 4 is older than ids 2 and 3 */
	const int64_t ts[] = {OCT25 + H + 1000, OCT25 + H + 4000, OCT25 + 2 * H + 1000,
			      OCT25 + H + 2000};
	const int64_t span[] = {1000, 3000, 1000, 2000};
	const double user[] = {10, 40, 70, 20};
	const char *const total[] = {"-1"};
	struct hr_query q = {.range = {OCT25, OCT25 + 25 * H - 1, -1, -1}, .keys = total,
			     .nkeys = 1};
	struct hr_store *s = NULL;
	struct hr_db *db = NULL;
	double v[8] = {0}, avg = -1;
	char path[4200];

	snprintf(path, sizeof(path), "%s/w.db", dir);
	CHECK_INT(hr_store_open(path, HR_STORE_WRITER, &s, NULL), 0);
	if (!s)
		return;
	for (int i = 0; i < 4; i++) {
		double c[2] = {user[i], 100 - user[i]}, d[2] = {user[i], 1};
		CHECK_INT(hr_store_begin(s, ts[i], span[i], "b"), 0);
		CHECK_INT(hr_store_put(s, "cpu", "cpu", "-1", NULL, NULL, cpu_c, 2, c), 0);
		CHECK_INT(hr_store_put(s, "disk", "dev", "sda", NULL, NULL, disk_c, 2, d), 0);
		CHECK_INT(hr_store_put(s, "disk", "dev", "sdb", NULL, NULL, disk_c, 2, d), 0);
		CHECK_INT(hr_store_commit(s), 0);
	}
	hr_store_free(s);
	CHECK_INT(hr_db_open(path, &db), 0);
	if (!db)
		return;
	/* the whole day: ids out of time order, joined; in time order all the same */
	CHECK_INT(collect(db, "cpu", &q, v, 8, &avg), 4);
	CHECK_NEAR(v[0], 10, 1e-9);
	CHECK_NEAR(v[1], 20, 1e-9);
	CHECK_NEAR(v[2], 40, 1e-9);
	CHECK_NEAR(v[3], 70, 1e-9);
	CHECK_NEAR(avg, (10 * 1 + 20 * 2 + 40 * 3 + 70 * 1) / 7.0, 1e-12);
	CHECK_INT(collect(db, "io", &q, v, 8, &avg), 4);
	CHECK_NEAR(v[1], 40, 1e-9);	/* tps of both disks */
	q.bucket_ms = H;
	CHECK_INT(collect(db, "cpu", &q, v, 8, &avg), 2);
	CHECK_NEAR(v[0], (10 * 1 + 20 * 2 + 40 * 3) / 6.0, 1e-12);
	CHECK_NEAR(v[1], 70, 1e-9);
	/* ids 1 and 4 (2 and 3 between them dropped), walked */
	q.bucket_ms = 0;
	q.range.to_ms = OCT25 + H + 3000;
	CHECK_INT(collect(db, "cpu", &q, v, 8, &avg), 2);
	CHECK_NEAR(v[0], 10, 1e-9);
	CHECK_NEAR(v[1], 20, 1e-9);
	CHECK_NEAR(avg, (10 * 1 + 20 * 2) / 3.0, 1e-12);
	q.keys = NULL;
	q.nkeys = 0;
	CHECK_INT(collect(db, "disk", &q, v, 8, &avg), 4);
	CHECK_NEAR(v[0], 10, 1e-9);	/* sda, then sdb, per sample */
	CHECK_NEAR(v[1], 10, 1e-9);
	CHECK_NEAR(v[2], 20, 1e-9);
	CHECK_NEAR(v[3], 20, 1e-9);
	q.keys = total;
	q.nkeys = 1;
	/* ids 2 and 3, walked */
	q.range.from_ms = OCT25 + H + 3000;
	q.range.to_ms = OCT25 + 25 * H - 1;
	CHECK_INT(collect(db, "cpu", &q, v, 8, &avg), 2);
	CHECK_NEAR(v[0], 40, 1e-9);
	CHECK_NEAR(v[1], 70, 1e-9);
	/* the whole day from 02:00 on: only id 3 is left, so walked */
	q.range.from_ms = OCT25;
	q.range.tod_from = 2 * 3600;
	CHECK_INT(collect(db, "cpu", &q, v, 8, &avg), 1);
	CHECK_NEAR(v[0], 70, 1e-9);
	CHECK_NEAR(avg, 70, 1e-9);
	/* and until 01:59:59: ids 1, 2 and 4, out of time order, joined */
	q.range.tod_from = -1;
	q.range.tod_to = 2 * 3600 - 1;
	CHECK_INT(collect(db, "cpu", &q, v, 8, &avg), 3);
	CHECK_NEAR(v[1], 20, 1e-9);
	CHECK_NEAR(avg, (10 * 1 + 20 * 2 + 40 * 3) / 6.0, 1e-12);
	hr_db_free(db);
}

int main(void)
{
	const char *tmp = getenv("TEST_TMP");
	char dir[4096];

	if (access("/usr/share/zoneinfo/Europe/Berlin", R_OK) != 0) {
		printf("skip: no tzdata for Europe/Berlin\n");
		return 77;
	}
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	snprintf(dir, sizeof(dir), "%s", tmp ? tmp : "/tmp");
	test_time();
	test_table();
	test_queries(dir);
	test_buckets(dir);
	test_id_walk(dir);
	test_render();
	return test_result("test-report");
}
