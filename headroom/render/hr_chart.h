/*
 * hr_chart.h - time-series charts with cairo (headroom/render): one chart
 * per panel (stacked areas or lines, min/max bands, gaps, a dashed
 * threshold, a legend, a local-time axis readable from an hour to a month),
 * and documents that stack charts vertically into a PNG, an SVG or a
 * multi-page PDF.
 *
 * Depends on cairo, libc and libm only: it knows nothing of SQLite or of
 * the panels; the caller fills struct hr_chart from its own data. No
 * logging: errors come back as -errno.
 *
 * Time: the axis is drawn in local time (TZ), with dates on day boundaries
 * and the zone abbreviation(s) under the axis.
 */
#ifndef HR_CHART_H
#define HR_CHART_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hr_text.h"

#include <cairo.h>

struct hr_chart_series {
	const char *label;
	const double *avg, *min, *max; /* npoints each; NAN = no value */
	bool peak;		       /* only its max is drawn, as a thin line over the stack */
};

/*
 * Something marked on the time axis: a shaded interval (where the advisor
 * found a rule held, sustained) or, when from_ms == to_ms, a vertical
 * dashed line (a reboot).
 */
struct hr_chart_mark {
	int64_t from_ms, to_ms;
	const char *label; /* short text at the top of the plot, or NULL */
};

#define HR_CHART_THRESHOLDS 3

struct hr_chart {
	const char *title;
	const char *unit;	/* "%", "B", "B/s", "/s", "ms", "" */
	int64_t from_ms, to_ms; /* the x axis */
	size_t npoints;
	const int64_t *ts; /* point times (ms), increasing */
	const bool *brk;   /* the line breaks before point i (gap in the data) */
	const struct hr_chart_series *series;
	size_t nseries;
	bool stacked;	  /* non-peak series as stacked areas */
	double ymax;	  /* fixed top (0: from the data) */
	/* dashed lines, each with its legend label (0: none); the PSI panel has
	   one per resource whose threshold differs */
	double threshold[HR_CHART_THRESHOLDS];
	const char *threshold_label[HR_CHART_THRESHOLDS];
	const struct hr_chart_mark *marks; /* drawn under (intervals) or over (lines) the data */
	size_t nmarks;
};

/*
 * Draw chart C into the rectangle (X, Y, W, H) of CR (user units; about
 * 1 unit = 1 px). A chart without any value says "no data". The cairo
 * state of CR is saved and restored.
 */
void hr_chart_draw(cairo_t *cr, double x, double y, double w, double h, const struct hr_chart *c);

/* Format V with UNIT for an axis label ("1.5 GiB", "12k/s", "90%") into BUF. */
void hr_chart_format(double v, const char *unit, char *buf, size_t size);

enum hr_image_format { HR_IMAGE_PNG, HR_IMAGE_SVG, HR_IMAGE_PDF };

/* By the file name's extension (.png, .svg, .pdf; any case). -EINVAL otherwise. */
int hr_image_format_from_path(const char *path, enum hr_image_format *ret);

struct hr_chart_doc {
	const char *title; /* header line (host, range, zone); NULL: none */
	const struct hr_chart *charts;
	size_t ncharts;
	double width;	     /* of the image or PDF page */
	double chart_height; /* of each chart */
	size_t per_page;     /* PDF: charts per page (0: all on one page) */
	/* PDF only: pages of text (hr_text.h: the verdict, the process table)
	 * after the charts or first, or NULL */
	const struct hr_text *text;
	bool text_first; /* PDF: the text pages before the charts, not after */
};

/* Receives the encoded image in pieces; returns 0 or -errno. */
typedef int (*hr_chart_write_fn)(void *closure, const unsigned char *data, size_t len);

/*
 * Render DOC as FMT (charts stacked vertically under the header; a PDF
 * gets DOC->per_page charts per page) and pass the bytes to WRITE.
 * Returns 0, -EINVAL (bad size), -ENOMEM, -EIO (cairo failed) or the
 * first error WRITE returned.
 */
int hr_chart_doc_write(enum hr_image_format fmt, const struct hr_chart_doc *doc,
		       hr_chart_write_fn write, void *closure);

/*
 * Chart C as one inline <svg> element (chart-svg.c) of W x H user units
 * (viewBox; the page scales it; no xmlns: it is meant to be inline in HTML), for HTML pages: labels are <text>, data
 * paths compact; no title or legend (the page writes them as HTML). The
 * page's CSS styles it by class: bg (plot background), grid, major (day
 * lines), ax (axes), yl/xl (label groups; text classes s = start, e = end
 * anchored, d = dates, z = zone), mk/mkt (shaded stretches and their
 * labels), rb/rbt (reboot lines and labels), band, ln (lines), pk (peak
 * lines), th th0..2 (threshold lines), nd ("no data"). Returns 0, -EINVAL
 * (bad size), -ENOMEM or WRITE's error.
 */
int hr_chart_svg(const struct hr_chart *c, double w, double h, hr_chart_write_fn write,
		 void *closure);
/* The colour of series I (as a stacked area or a line) as "#rrggbb" into BUF[8]. */
const char *hr_chart_svg_color(size_t i, bool stacked, char *buf);

/*
 * Release cairo's and fontconfig's process-wide caches (font lookups stay
 * cached otherwise, which leak checkers report). Call once, after every
 * surface is gone, just before the program ends; nothing may draw after.
 */
void hr_chart_cleanup(void);

#endif
