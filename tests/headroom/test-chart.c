/*
 * test-chart.c - unit tests of the charts (headroom/render chart.c) and of
 * the downsampled series under them (headroom/analyze series.c): value
 * formatting, format by file name, gaps break the line (checked on the
 * pixels), an empty chart says "no data", and the series query's buckets,
 * min/max and gap marks over a database written through hr_store.
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

int main(void)
{
	const char *tmp = getenv("TEST_TMP");

	test_format();
	test_gap_pixels();
	test_mark_pixels();
	test_no_data();
	test_series(tmp && *tmp ? tmp : "/tmp");
	hr_chart_cleanup();
	return test_result("test-chart");
}
