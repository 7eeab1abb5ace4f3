/*
 * test-chart.c - unit tests of the charts (headroom/render chart.c) and of
 * the downsampled series under them (headroom/analyze series.c): value
 * formatting, format by file name, gaps break the line (checked on the
 * pixels), an empty chart says "no data", the series query's buckets,
 * min/max and gap marks over a database written through hr_store, and the
 * batch query against per-panel queries and the GROUP BY query it replaced
 * over raw and rolled-up samples.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cairo.h>

#include "hr_analyze.h"
#include "hr_chart.h"
#include "hr_series.h"
#include "hr_store.h"
#include "hr_test.h"
#include "banned.h"

static void test_format(void)
{
	char buf[64];
	enum hr_image_format f;

	hr_chart_format(90, "%", buf, sizeof(buf));
	CHECK(!strcmp(buf, "90%"));
	hr_chart_format(1536.0 * 1024 * 1024, "B", buf, sizeof(buf));
	CHECK(!strcmp(buf, "1.50 GiB"));
	hr_chart_format(12000, "/s", buf, sizeof(buf));
	CHECK(!strcmp(buf, "12k/s"));
	CHECK(hr_image_format_from_path("a.PNG", &f) == 0 && f == HR_IMAGE_PNG);
	CHECK(hr_image_format_from_path("a.svg", &f) == 0 && f == HR_IMAGE_SVG);
	CHECK(hr_image_format_from_path("x/a.pdf", &f) == 0 && f == HR_IMAGE_PDF);
	CHECK(hr_image_format_from_path("a.jpg", &f) == -EINVAL);
	CHECK(hr_image_format_from_path("png", &f) == -EINVAL);
}

/* Is there a pixel of the first palette colour (blue) in column X? */
static bool blue_in_column(cairo_surface_t *s, int x)
{
	unsigned char *d = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s), h = cairo_image_surface_get_height(s);

	for (int y = 0; y < h; y++) {
		uint32_t px;
		memcpy(&px, d + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
		unsigned r = (px >> 16) & 255, g = (px >> 8) & 255, b = px & 255;
		if (b > 140 && r < 90 && g > 80 && g < 160)
			return true;
	}
	return false;
}

static void test_gap_pixels(void)
{
	enum { N = 40 };
	int64_t ts[N];
	bool brk[N] = {0};
	double v[N];
	struct hr_chart_series se = {.label = "value", .avg = v, .min = v, .max = v};
	struct hr_chart c = {
	    .title = "gap",
	    .unit = "%",
	    .from_ms = 0,
	    .to_ms = 4000 * 1000LL,
	    .npoints = N,
	    .ts = ts,
	    .brk = brk,
	    .series = &se,
	    .nseries = 1,
	    .ymax = 100,
	};
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1090, 300);
	cairo_t *cr = cairo_create(s);

	/* a point every 60 s over 0..1200 s and 2800..4000 s: a gap between */
	for (int i = 0; i < N; i++) {
		ts[i] = (i < N / 2 ? 60LL * (i + 1) : 2800 + 60LL * (i - N / 2 + 1)) * 1000;
		v[i] = 50;
	}
	brk[N / 2] = true;
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	hr_chart_draw(cr, 0, 0, 1090, 300, &c);
	cairo_surface_flush(s);
	/* plot from x = 72 to 1072: 1000 px for 4000 s */
	CHECK(blue_in_column(s, 72 + 150));  /* 600 s: data */
	CHECK(!blue_in_column(s, 72 + 500)); /* 2000 s: the gap */
	CHECK(blue_in_column(s, 72 + 850));  /* 3400 s: data */
	cairo_destroy(cr);
	cairo_surface_destroy(s);
}

/* Pixels of column X whose colour passes KIND: 'o' pale orange shade, 'b' dark blue line. */
static int count_in_column(cairo_surface_t *s, int x, char kind)
{
	unsigned char *d = cairo_image_surface_get_data(s);
	int stride = cairo_image_surface_get_stride(s), h = cairo_image_surface_get_height(s);
	int n = 0;

	for (int y = 0; y < h; y++) {
		uint32_t px;
		memcpy(&px, d + (size_t)y * (size_t)stride + (size_t)x * 4, 4);
		int r = (px >> 16) & 255, g = (px >> 8) & 255, b = px & 255;
		if (kind == 'o' ? r > 200 && r - b > 25 && g > b : b > 120 && b - r > 60 && g < 120)
			n++;
	}
	return n;
}

/* A shaded stretch and a reboot line land where their times say, and nowhere else. */
static void test_mark_pixels(void)
{
	enum { N = 60 };
	int64_t ts[N];
	bool brk[N] = {0};
	double v[N];
	struct hr_chart_series se = {.label = "value", .avg = v, .min = v, .max = v};
	const struct hr_chart_mark marks[] = {
	    {.from_ms = 1000 * 1000LL, .to_ms = 1500 * 1000LL, .label = "cpu-busy"},
	    {.from_ms = 3000 * 1000LL, .to_ms = 3000 * 1000LL, .label = "reboot"},
	};
	struct hr_chart c = {
	    .title = "marks", .unit = "%", .from_ms = 0, .to_ms = 4000 * 1000LL,
	    .npoints = N, .ts = ts, .brk = brk, .series = &se, .nseries = 1, .ymax = 100,
	    .marks = marks, .nmarks = 2,
	};
	cairo_surface_t *s = cairo_image_surface_create(CAIRO_FORMAT_RGB24, 1090, 300);
	cairo_t *cr = cairo_create(s);

	for (int i = 0; i < N; i++) {
		ts[i] = 60LL * (i + 1) * 1000;
		v[i] = 5;
	}
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
	hr_chart_draw(cr, 0, 0, 1090, 300, &c);
	cairo_surface_flush(s);
	/* plot from x = 72 to 1072: 1000 px for 4000 s */
	CHECK(count_in_column(s, 72 + 300, 'o') > 100); /* 1200 s: shaded */
	CHECK(count_in_column(s, 72 + 200, 'o') == 0);	 /* 800 s: not */
	CHECK(count_in_column(s, 72 + 450, 'o') == 0);	 /* 1800 s: not */
	CHECK(count_in_column(s, 72 + 750, 'b') > 40);	 /* 3000 s: the dashed line */
	CHECK(count_in_column(s, 72 + 700, 'b') == 0);
	cairo_destroy(cr);
	cairo_surface_destroy(s);
}

struct mem {
	char buf[1 << 20];
	size_t len;
};

static int mem_write(void *closure, const unsigned char *d, size_t n)
{
	struct mem *m = closure;

	if (n > sizeof(m->buf) - 1 - m->len)
		return -E2BIG;
	memcpy(m->buf + m->len, d, n);
	m->len += n;
	m->buf[m->len] = 0;
	return 0;
}

static void test_no_data(void)
{
	static struct mem m;
	struct hr_chart c = {.title = "Empty one", .unit = "%", .from_ms = 0, .to_ms = 3600000};
	struct hr_chart_doc doc = {
	    .title = "host", .charts = &c, .ncharts = 1, .width = 800, .chart_height = 200};

	CHECK(hr_chart_doc_write(HR_IMAGE_SVG, &doc, mem_write, &m) == 0);
	CHECK(strstr(m.buf, "<svg") != NULL);
	CHECK(strstr(m.buf, "Empty one: no data") != NULL);
	m.len = 0;
	CHECK(hr_chart_doc_write(HR_IMAGE_PNG, &doc, mem_write, &m) == 0);
	CHECK(m.len > 8 && !memcmp(m.buf, "\x89PNG", 4));
	doc.width = 10;
	CHECK(hr_chart_doc_write(HR_IMAGE_PNG, &doc, mem_write, &m) == -EINVAL);
}

static const char *const cpu_c[] = {"user",  "nice", "system", "iowait",
				    "steal", "irq",  "soft",   "idle"};

static void test_series(const char *dir)
{
	char path[4096];
	struct hr_store *s = NULL;
	struct hr_db *db = NULL;
	struct hr_series_set *set = NULL;
	const struct hr_panel *cpu = NULL;
	int64_t t0 = 1795820400000LL;

	snprintf(path, sizeof(path), "%s/series.db", dir);
	unlink(path);
	CHECK(hr_store_open(path, HR_STORE_WRITER, &s, NULL) == 0);
	if (!s)
		return;
	/* 10 samples at 10 s, a 5-minute stop, 10 more; one spike of 99% user */
	for (int i = 0; i < 20; i++) {
		int64_t ts = t0 + (i < 10 ? i * 10000LL : 400000LL + i * 10000LL);
		double user = i == 3 ? 99 : 10;
		double v[] = {user, 0, 5, 0, 0, 0, 0, 100 - user - 5};
		CHECK(hr_store_begin(s, ts, 10000, "b") == 0);
		CHECK(hr_store_put(s, "cpu", "cpu", "-1", NULL, NULL, cpu_c, 8, v) == 0);
		CHECK(hr_store_commit(s) == 0);
	}
	hr_store_free(s);
	for (size_t i = 0; i < hr_npanels; i++)
		if (!strcmp(hr_panels[i].name, "cpu"))
			cpu = &hr_panels[i];
	CHECK(cpu != NULL);
	CHECK(hr_db_open(path, &db) == 0);
	if (!db || !cpu)
		return;
	/* one bucket per sample */
	CHECK(hr_series_query(db, cpu, t0 - 60000, t0 + 3600000, 1000, 8, &set) == 0);
	if (set) {
		CHECK_INT(set->npoints, 20);
		for (size_t i = 1; i < set->npoints; i++)
			CHECK(set->brk[i] == (i == 10));
		CHECK_NEAR(set->series[0].avg[3], 99, 1e-9);
		CHECK(!strcmp(set->series[4].label, "busy (peak)"));
	}
	hr_series_free(set);
	set = NULL;
	/* 60 s buckets: the spike survives as the bucket maximum */
	CHECK(hr_series_query(db, cpu, t0, t0 + 3600000, 60000, 8, &set) == 0);
	if (set) {
		CHECK(set->npoints >= 3 && set->npoints <= 5);
		CHECK_NEAR(set->series[0].max[0], 99, 1e-9);
		CHECK(set->series[0].avg[0] < 99);
		CHECK(set->series[0].min[0] == 10);
	}
	hr_series_free(set);
	set = NULL;
	/* an empty range */
	CHECK(hr_series_query(db, cpu, t0 - 7200000, t0 - 3600000, 1000, 8, &set) == 0);
	if (set)
		CHECK_INT(set->npoints, 0);
	hr_series_free(set);
	CHECK(hr_series_query(db, cpu, t0, t0 - 1, 1000, 8, &set) == -EINVAL);
	hr_db_free(db);
	unlink(path);
}

/* ---- the batch query against the GROUP BY query it replaced ---------------- */

/* Same double, both NaN, or within rounding of a different summation order. */
static bool same_value(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) && isnan(b);
	return fabs(a - b) <= 1e-9 * (fabs(a) + fabs(b)) + 1e-12;
}

static bool same_set(const struct hr_series_set *a, const struct hr_series_set *b)
{
	if (a->npoints != b->npoints || a->nseries != b->nseries ||
	    a->nkeys_dropped != b->nkeys_dropped)
		return false;
	for (size_t i = 0; i < a->npoints; i++)
		if (a->ts[i] != b->ts[i] || a->brk[i] != b->brk[i])
			return false;
	for (size_t s = 0; s < a->nseries; s++) {
		const struct hr_series *x = &a->series[s], *y = &b->series[s];
		if (strcmp(x->label, y->label) || x->peak != y->peak)
			return false;
		for (size_t i = 0; i < a->npoints; i++)
			if (memcmp(&x->avg[i], &y->avg[i], sizeof(double)) ||
			    memcmp(&x->min[i], &y->min[i], sizeof(double)) ||
			    memcmp(&x->max[i], &y->max[i], sizeof(double)))
				return false;
	}
	return true;
}

#define REF_ROWS 20000

struct ref_row {
	int64_t b, tmin, tmax, span;
	char key[32];
	double v[3 * HR_PANEL_MAXSERIES];
};

/*
 * Check SET of panel P against the aggregate query series.c used to run
 * (GROUP BY bucket and key in SQL): keys numbered in order of appearance,
 * the first MAX_KEYS kept and sorted by name, a point per bucket.
 */
static void check_ref(struct hr_db *db, const struct hr_panel *p, int64_t from, int64_t to,
		      int64_t bucket, size_t max_keys, const struct hr_series_set *set)
{
	static struct ref_row rows[REF_ROWS];
	char sql[8192], keys[16][32], sorted[16][32];
	size_t len, nrows = 0, nkeys = 0, np = 0, nvals = 0, nonnan = 0;
	int64_t prev_b = INT64_MIN, prev_end = 0, prev_span = 0;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;

	CHECK(max_keys <= 16);
	CHECK(hr_db_sqlite(db, &h) == 0);
	len = (size_t)snprintf(sql, sizeof(sql),
			       "SELECT (s.ts - ?1) / ?3 AS b, %s AS k, min(s.ts), max(s.ts), "
			       "max(s.span)",
			       p->key ? p->key : "NULL");
	for (size_t i = 0; i < p->nseries; i++) {
		const char *e = p->series[i].expr;
		len += (size_t)snprintf(sql + len, sizeof(sql) - len,
					", sum(CASE WHEN t.stat = 0 THEN (%s) * s.span END) /"
					" sum(CASE WHEN t.stat = 0 THEN s.span END),"
					" min(CASE WHEN t.stat IN (0, 1) THEN (%s) END),"
					" max(CASE WHEN t.stat IN (0, 2) THEN (%s) END)",
					e, e, e);
	}
	snprintf(sql + len, sizeof(sql) - len,
		 " FROM sample s JOIN %s t ON t.sample = s.id %s"
		 " WHERE s.ts BETWEEN ?1 AND ?2%s%s%s GROUP BY b, k ORDER BY b, k",
		 p->table, p->join ? p->join : "", p->where ? " AND (" : "",
		 p->where ? p->where : "", p->where ? ")" : "");
	CHECK(h && sqlite3_prepare_v2(h, sql, -1, &st, NULL) == SQLITE_OK);
	if (!st)
		return;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, to);
	sqlite3_bind_int64(st, 3, bucket);
	while (sqlite3_step(st) == SQLITE_ROW && nrows < REF_ROWS) {
		struct ref_row *r = &rows[nrows];
		const char *k = (const char *)sqlite3_column_text(st, 1);
		size_t ki = 0;

		snprintf(r->key, sizeof(r->key), "%s", k ? k : "?");
		if (p->key) {
			while (ki < nkeys && strcmp(keys[ki], r->key))
				ki++;
			if (ki == nkeys && nkeys < max_keys)
				snprintf(keys[nkeys++], sizeof(keys[0]), "%s", r->key);
			if (ki == nkeys)
				continue; /* dropped */
		}
		r->b = sqlite3_column_int64(st, 0);
		r->tmin = sqlite3_column_int64(st, 2);
		r->tmax = sqlite3_column_int64(st, 3);
		r->span = sqlite3_column_int64(st, 4);
		for (size_t i = 0; i < 3 * p->nseries; i++)
			r->v[i] = sqlite3_column_type(st, 5 + (int)i) == SQLITE_NULL
				      ? NAN
				      : sqlite3_column_double(st, 5 + (int)i);
		nrows++;
	}
	sqlite3_finalize(st);
	CHECK(nrows < REF_ROWS);
	memcpy(sorted, keys, sizeof(keys));
	qsort(sorted, nkeys, sizeof(sorted[0]), (int (*)(const void *, const void *))strcmp);
	CHECK_INT(set->nseries, p->nseries * (p->key ? nkeys : 1));
	for (size_t i = 0; i < nrows; i++)
		if (rows[i].b != prev_b) {
			prev_b = rows[i].b;
			np++;
		}
	CHECK_INT(set->npoints, np);
	if (set->npoints != np || set->nseries != p->nseries * (p->key ? nkeys : 1))
		return;
	for (size_t i = 0, pi = 0; i < nrows; pi++) {
		int64_t b = rows[i].b, tmin = rows[i].tmin, tmax = rows[i].tmax;
		int64_t span = rows[i].span;

		for (; i < nrows && rows[i].b == b; i++) {
			const struct ref_row *r = &rows[i];
			size_t k = 0;
			if (p->key)
				while (strcmp(sorted[k], r->key))
					k++;
			tmin = r->tmin < tmin ? r->tmin : tmin;
			tmax = r->tmax > tmax ? r->tmax : tmax;
			span = r->span > span ? r->span : span;
			for (size_t d = 0; d < p->nseries; d++) {
				const struct hr_series *se = &set->series[k * p->nseries + d];
				char want[128];
				snprintf(want, sizeof(want), "%s%s%s", p->key ? r->key : "",
					 p->key ? " " : "", p->series[d].label);
				CHECK(!strcmp(se->label, want));
				CHECK(same_value(se->avg[pi], r->v[3 * d]));
				CHECK(same_value(se->min[pi], r->v[3 * d + 1]));
				CHECK(same_value(se->max[pi], r->v[3 * d + 2]));
				nvals += !isnan(r->v[3 * d]) + !isnan(r->v[3 * d + 1]) +
					 !isnan(r->v[3 * d + 2]);
			}
		}
		CHECK(set->ts[pi] == (tmin - span + tmax) / 2);
		if (pi > 0)
			CHECK(set->brk[pi] ==
			      (tmin - prev_end > 2 * (span > prev_span ? span : prev_span)));
		prev_end = tmax;
		prev_span = span;
	}
	/* and nothing where the query had nothing */
	for (size_t s = 0; s < set->nseries; s++)
		for (size_t i = 0; i < set->npoints; i++)
			nonnan += !isnan(set->series[s].avg[i]) + !isnan(set->series[s].min[i]) +
				  !isnan(set->series[s].max[i]);
	CHECK_INT(nonnan, nvals);
}

static const char *const disk_c[] = {"tps",	 "rkbps",  "wkbps",   "dkbps",
				     "await_ms", "aqu_sz", "util_pct"};
static const char *const net_c[] = {"rxpck_s", "txpck_s", "rxkbps",   "txkbps",	  "ifutil_pct",
				    "rxerr_s", "txerr_s", "rxdrop_s", "txdrop_s", "coll_s"};

static void test_batch(const char *dir)
{
	/* more disks than MAX_KEYS, first seen in an order that is not name order */
	static const char *const devs[] = {"sdj",  "sda", "nvme1", "sdc", "loop0",
					   "dm-3", "sdb", "nvme0", "md9", "xvda"};
	const struct hr_panel *all[64];
	struct hr_series_set *many[64], *one;
	char path[4096];
	struct hr_store *s = NULL;
	struct hr_db *db = NULL;
	int64_t t0 = 1795820400000LL, end = t0 + 2 * 3600000LL;
	uint32_t rnd = 12345;
	struct hr_retention rt = {
	    .history_ms = 86400000LL * 31, .raw_ms = 3600000, .bucket_ms = 300000};
	bool more = true;
	struct {
		int64_t from, to, bucket;
		size_t max_keys;
	} q[] = {
	    {t0, end, 60000, 4},
	    {t0 - 3600000, end + 3600000, 7000, 8},
	    {t0 + 1800000, end, 3600000, 3},
	    {t0 + 3000000, t0 + 4000000, 10000, 16},
	    {t0 + 5000, t0 + 5000, 1, 2},
	};

	snprintf(path, sizeof(path), "%s/batch.db", dir);
	unlink(path);
	CHECK(hr_store_open(path, HR_STORE_WRITER, &s, NULL) == 0);
	if (!s)
		return;
	for (int i = 0; i < 720; i++) {
		int64_t ts = t0 + 10000LL * (i + 1) + (i > 400 && i < 430 ? 600000 : 0);
		double c[8] = {0}, n[10] = {0};
		CHECK(hr_store_begin(s, ts, i % 50 == 7 ? 20000 : 10000, "b") == 0);
		for (size_t d = 0; d < sizeof(devs) / sizeof(devs[0]); d++) {
			double v[7];
			/* devices come and go: d appears at sample 37 * d */
			if (i < 37 * (int)d || (d == 4 && i > 500))
				continue;
			for (size_t j = 0; j < 7; j++) {
				rnd = rnd * 1103515245u + 12345u;
				v[j] = (double)(rnd >> 8 & 0xffff) / 64.0;
			}
			if (i % 13 == 0)
				v[4] = NAN; /* a missing await */
			CHECK(hr_store_put(s, "disk", "dev", devs[d], NULL, NULL, disk_c, 7, v) ==
			      0);
		}
		c[0] = (double)(i % 97);
		c[7] = 100 - c[0];
		CHECK(hr_store_put(s, "cpu", "cpu", "-1", NULL, NULL, cpu_c, 8, c) == 0);
		n[2] = (double)i;
		n[5] = (double)(i % 3);
		CHECK(hr_store_put(s, "net", "iface", "eth0", NULL, NULL, net_c, 10, n) == 0);
		CHECK(hr_store_put(s, "net", "iface", "lo", NULL, NULL, net_c, 10, n) == 0);
		CHECK(hr_store_commit(s) == 0);
	}
	/* roll the first hour up: level 1 samples with later ids, stat 1/2 rows */
	for (int i = 0; more && i < 100; i++)
		CHECK(hr_store_maintain(s, end + 3600000 + 1, &rt, 1000, &more) == 0);
	hr_store_free(s);
	CHECK(hr_db_open(path, &db) == 0);
	if (!db)
		return;
	for (size_t i = 0; i < hr_npanels; i++)
		all[i] = &hr_panels[i];
	for (size_t t = 0; t < sizeof(q) / sizeof(q[0]); t++) {
		CHECK(hr_series_query_many(db, all, hr_npanels, q[t].from, q[t].to, q[t].bucket,
					   q[t].max_keys, many) == 0);
		for (size_t i = 0; i < hr_npanels; i++) {
			one = NULL;
			CHECK(hr_series_query(db, all[i], q[t].from, q[t].to, q[t].bucket,
					      q[t].max_keys, &one) == 0);
			if (one)
				CHECK(same_set(many[i], one));
			check_ref(db, all[i], q[t].from, q[t].to, q[t].bucket, q[t].max_keys,
				  many[i]);
			hr_series_free(one);
		}
		for (size_t i = 0; i < hr_npanels; i++)
			hr_series_free(many[i]);
	}
	/* the disk panels saw all ten disks; only MAX_KEYS of them are drawn */
	CHECK(hr_series_query_many(db, all, hr_npanels, t0, end, 60000, 4, many) == 0);
	for (size_t i = 0; i < hr_npanels; i++) {
		if (!strcmp(all[i]->table, "disk")) {
			CHECK_INT(many[i]->nkeys_dropped, 6);
			CHECK(!strncmp(many[i]->series[0].label, "nvme1 ", 6));
		}
		hr_series_free(many[i]);
	}
	CHECK(hr_series_query_many(db, all, hr_npanels, 0, INT64_MAX, 1, 8, many) == -E2BIG);
	CHECK(hr_series_query_many(db, all, 0, t0, end, 1000, 8, many) == 0);
	hr_db_free(db);
	unlink(path);
}

int main(void)
{
	const char *tmp = getenv("TEST_TMP");

	test_format();
	test_gap_pixels();
	test_mark_pixels();
	test_no_data();
	test_series(tmp && *tmp ? tmp : "/tmp");
	test_batch(tmp && *tmp ? tmp : "/tmp");
	hr_chart_cleanup();
	return test_result("test-chart");
}
