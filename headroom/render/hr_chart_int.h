/*
 * hr_chart_int.h - what the two chart writers share (headroom/render
 * internal: chart.c draws with cairo, chart-svg.c writes SVG text): the
 * palette, the local-time ticks, value labels and the y scale, so a PNG
 * and an HTML chart of the same data have the same axes. Not for use
 * outside headroom/render.
 */
#ifndef HR_CHART_INT_H
#define HR_CHART_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "hr_chart.h"

struct rgb {
	double r, g, b;
};

#define HR_CHART_NCOLORS 10
extern const struct rgb hr_chart_palette[HR_CHART_NCOLORS];
/* the colour of series I */
const struct rgb *hr_chart_color(size_t i);
/* the dash of each threshold line (on, off) */
extern const double hr_chart_th_dash[HR_CHART_THRESHOLDS][2];
extern const char *const hr_chart_wday[7];

struct tick {
	int64_t ms;
	char label[32];	 /* first row */
	char label2[32]; /* second row ("" = none) */
	bool major;	 /* a day (or month) boundary: stronger grid line */
};

/* localtime_r of MS; false when out of range */
bool hr_chart_local_tm(int64_t ms, struct tm *tm);
/* Ticks at local-time steps chosen so that at most MAXN fit. Returns count. */
size_t hr_chart_ticks(int64_t from, int64_t to, size_t maxn, struct tick *tk, size_t cap);
bool hr_chart_binary_unit(const char *unit);
int hr_chart_prefix(double v, double base);
void hr_chart_format_k(double v, const char *unit, int k, int decimals, char *buf, size_t size);
double hr_chart_nice_step(double top, int n);
double hr_chart_data_top(const struct hr_chart *c, bool *any);
void hr_chart_yscale(const struct hr_chart *c, double *ret_top, double *ret_step, int *ret_k,
		     int *ret_n, bool *ret_any);

#endif
