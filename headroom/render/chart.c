/*
 * chart.c - time-series charts and chart documents with cairo
 * (headroom/render). Layout of one chart: title, legend rows, the plot
 * (light grid, y labels on the left), two rows of time labels (times or
 * days, then dates or months, and the zone). Values are drawn as stacked
 * areas or as lines over a min/max band; a gap in the data breaks them.
 * Depends on cairo, libc and libm; see hr_chart.h for the contract.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cairo-pdf.h>
#include <fontconfig/fontconfig.h>
#include <cairo-svg.h>

#include "hr_chart.h"
#include "hr_chart_int.h"
#include "banned.h"

#define FONT "sans-serif"
#define HEADER_H 40.0
#define MAX_TICKS 64

/* the dash of each threshold line, so lines at different heights tell apart
   in the legend too */
const double hr_chart_th_dash[HR_CHART_THRESHOLDS][2] = {{6, 4}, {2, 3}, {10, 3}};

const struct rgb hr_chart_palette[HR_CHART_NCOLORS] = {
    {0.12, 0.47, 0.71}, {1.00, 0.50, 0.05}, {0.84, 0.15, 0.16}, {0.58, 0.40, 0.74},
    {0.17, 0.63, 0.17}, {0.55, 0.34, 0.29}, {0.89, 0.47, 0.76}, {0.50, 0.50, 0.50},
    {0.74, 0.74, 0.13}, {0.09, 0.75, 0.81},
};

const struct rgb *hr_chart_color(size_t i)
{
	return &hr_chart_palette[i % HR_CHART_NCOLORS];
}

/* ---- local time --------------------------------------------------------- */

bool hr_chart_local_tm(int64_t ms, struct tm *tm)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));

	return localtime_r(&t, tm) != NULL;
}

const char *const hr_chart_wday[7] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};

/* Ticks at local-time steps chosen so that at most MAXN fit. Returns count. */
size_t hr_chart_ticks(int64_t from, int64_t to, size_t maxn, struct tick *tk, size_t cap)
{
	static const int64_t steps[] = {60,   120,   300,   600,   900,	  1800,	  3600,
					7200, 10800, 21600, 43200, 86400, 172800, 604800};
	int64_t range = (to - from) / 1000, step = steps[sizeof(steps) / sizeof(steps[0]) - 1];
	size_t n = 0;

	if (maxn < 2)
		maxn = 2;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (range / steps[i] <= (int64_t)maxn) {
			step = steps[i];
			break;
		}
	if (step < 86400) {
		/*
		 * UTC instants on quarter hours (every zone offset is a multiple
		 * of 15 minutes) whose local time of day is a multiple of the
		 * step: both 02:00 of a DST autumn night get a tick, and the
		 * second one names its zone.
		 */
		int64_t q = step < 900 ? step : 900;
		int64_t t = from >= 0 ? (from / 1000 + q - 1) / q * q : from / 1000 / q * q;
		long prev_off = 0;
		bool have_prev = false;
		for (; n < cap && t * 1000 <= to; t += q) {
			struct tm tm;
			long sod;
			if (t * 1000 < from || !hr_chart_local_tm(t * 1000, &tm))
				continue;
			sod = tm.tm_hour * 3600L + tm.tm_min * 60L + tm.tm_sec;
			if (sod % step)
				continue;
			tk[n].ms = t * 1000;
			if (have_prev && tm.tm_gmtoff != prev_off)
				snprintf(tk[n].label, sizeof(tk[n].label), "%02d:%02d %s",
					 tm.tm_hour, tm.tm_min, tm.tm_zone ? tm.tm_zone : "");
			else
				snprintf(tk[n].label, sizeof(tk[n].label), "%02d:%02d", tm.tm_hour,
					 tm.tm_min);
			prev_off = tm.tm_gmtoff;
			have_prev = true;
			tk[n].major = tm.tm_hour == 0 && tm.tm_min == 0;
			tk[n].label2[0] = 0;
			if (tk[n].major)
				snprintf(tk[n].label2, sizeof(tk[n].label2), "%s %04d-%02d-%02d",
					 hr_chart_wday[tm.tm_wday % 7], tm.tm_year + 1900, tm.tm_mon + 1,
					 tm.tm_mday);
			n++;
		}
	} else {
		int every = (int)(step / 86400);
		struct tm tm;
		int last_mon = -1;
		if (!hr_chart_local_tm(from, &tm))
			return 0;
		last_mon = tm.tm_mon; /* the left edge names the first month */
		tm.tm_hour = tm.tm_min = tm.tm_sec = 0;
		tm.tm_isdst = -1;
		for (int guard = 0; n < cap && guard < 4000; guard++) {
			struct tm d = tm;
			time_t t = mktime(&d);
			if (t == (time_t)-1)
				break;
			if ((int64_t)t * 1000 > to)
				break;
			tm.tm_mday++;
			if ((int64_t)t * 1000 < from)
				continue;
			if (every == 7 ? d.tm_wday != 1 : (every == 2 && d.tm_yday % 2))
				continue;
			tk[n].ms = (int64_t)t * 1000;
			tk[n].major = d.tm_mon != last_mon;
			if (every == 1)
				snprintf(tk[n].label, sizeof(tk[n].label), "%s %d",
					 hr_chart_wday[d.tm_wday % 7], d.tm_mday);
			else
				snprintf(tk[n].label, sizeof(tk[n].label), "%02d-%02d",
					 d.tm_mon + 1, d.tm_mday);
			tk[n].label2[0] = 0;
			if (d.tm_mon != last_mon)
				snprintf(tk[n].label2, sizeof(tk[n].label2), "%04d-%02d",
					 d.tm_year + 1900, d.tm_mon + 1);
			last_mon = d.tm_mon;
			n++;
		}
		for (size_t i = 0; i < n; i++)
			tk[i].major = false; /* every tick is a day: no stronger lines */
	}
	return n;
}

/* ---- value formatting ----------------------------------------------------- */

bool hr_chart_binary_unit(const char *unit)
{
	return unit && unit[0] == 'B';
}

/* Prefix exponent for V: 0 (none), 1 (k/Ki), 2 (M/Mi)... */
int hr_chart_prefix(double v, double base)
{
	int k = 0;

	v = fabs(v);
	while (v >= base && k < 5) {
		v /= base;
		k++;
	}
	return k;
}

void hr_chart_format_k(double v, const char *unit, int k, int decimals, char *buf, size_t size)
{
	static const char *const si[] = {"", "k", "M", "G", "T", "P"};
	static const char *const bin[] = {"", "Ki", "Mi", "Gi", "Ti", "Pi"};
	bool b = hr_chart_binary_unit(unit);
	double base = b ? 1024 : 1000;

	if (!unit)
		unit = "";
	v /= pow(base, k);
	if (!strcmp(unit, "%"))
		snprintf(buf, size, "%.*f%%", decimals, v);
	else if (b)
		snprintf(buf, size, "%.*f %s%s", decimals, v, bin[k], unit);
	else
		snprintf(buf, size, "%.*f%s%s", decimals, v, si[k], unit);
}

void hr_chart_format(double v, const char *unit, char *buf, size_t size)
{
	double base = hr_chart_binary_unit(unit) ? 1024 : 1000;
	int k = hr_chart_prefix(v, base);
	double s = fabs(v) / pow(base, k);

	hr_chart_format_k(v, unit, k, s == floor(s) ? 0 : s < 10 ? 2 : 1, buf, size);
}

/* A "nice" step (1, 2, 2.5, 5 x 10^n) for about N intervals up to TOP (scaled). */
double hr_chart_nice_step(double top, int n)
{
	double raw = top / n, mag = pow(10, floor(log10(raw))), f = raw / mag;

	if (f <= 1)
		return mag;
	if (f <= 2)
		return 2 * mag;
	if (f <= 2.5)
		return 2.5 * mag;
	if (f <= 5)
		return 5 * mag;
	return 10 * mag;
}

/* ---- drawing ---------------------------------------------------------------- */

static void text_at(cairo_t *cr, double x, double y, const char *s, double align)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	cairo_move_to(cr, x - align * (e.x_advance), y);
	cairo_show_text(cr, s);
}

static double text_w(cairo_t *cr, const char *s)
{
	cairo_text_extents_t e;

	cairo_text_extents(cr, s, &e);
	return e.x_advance;
}

struct plot {
	double x0, y0, x1, y1; /* plot rectangle: left, top, right, bottom */
	int64_t from, to;
	double top;
};

static double px(const struct plot *p, int64_t ms)
{
	return p->x0 + (double)(ms - p->from) / (double)(p->to - p->from) * (p->x1 - p->x0);
}

static double py(const struct plot *p, double v)
{
	if (v < 0)
		v = 0;
	if (v > p->top * 1.02)
		v = p->top * 1.02;
	return p->y1 - v / p->top * (p->y1 - p->y0);
}

/* The stacked base below series S at point I (sum of the earlier non-peak series). */
static double stack_base(const struct hr_chart *c, size_t s, size_t i)
{
	double b = 0;

	for (size_t k = 0; k < s; k++)
		if (!c->series[k].peak && isfinite(c->series[k].avg[i]))
			b += c->series[k].avg[i];
	return b;
}

/* Segments: runs of points [i, j) with finite V and no break inside. */
static size_t seg_end(const struct hr_chart *c, const double *v, size_t i)
{
	size_t j = i + 1;

	while (j < c->npoints && !c->brk[j] && isfinite(v[j]))
		j++;
	return j;
}

/*
 * The marks of C: intervals as a pale shade behind the data (OVER false),
 * at least a pixel wide so a short one over a month still shows; then
 * (OVER true) instants as dashed lines over the data, and every label at
 * the top left of its mark, when it fits before the previous one's end.
 */
static void draw_marks(cairo_t *cr, const struct plot *p, const struct hr_chart *c, bool over)
{
	double label_end[2] = {-1e9, -1e9};

	for (size_t i = 0; i < c->nmarks; i++) {
		const struct hr_chart_mark *m = &c->marks[i];
		bool instant = m->from_ms == m->to_ms;
		double a, b;

		if (m->to_ms < p->from || m->from_ms > p->to)
			continue;
		a = px(p, m->from_ms < p->from ? p->from : m->from_ms);
		b = px(p, m->to_ms > p->to ? p->to : m->to_ms);
		if (!over) {
			if (instant)
				continue;
			if (b - a < 1.5)
				b = a + 1.5;
			cairo_set_source_rgba(cr, 0.95, 0.55, 0.1, 0.16);
			cairo_rectangle(cr, a, p->y0, b - a, p->y1 - p->y0);
			cairo_fill(cr);
			continue;
		}
		if (instant) {
			double xx = floor(a) + 0.5;
			cairo_set_source_rgb(cr, 0.15, 0.25, 0.6);
			cairo_set_line_width(cr, 1.2);
			cairo_set_dash(cr, (double[]){3, 3}, 2, 0);
			cairo_move_to(cr, xx, p->y0);
			cairo_line_to(cr, xx, p->y1);
			cairo_stroke(cr);
			cairo_set_dash(cr, NULL, 0, 0);
		}
		if (m->label && a > label_end[instant]) {
			/* reboots on the first line, stretches on the second, on a
			   light box so they read over a full stacked area */
			double ly = p->y0 + (instant ? 11 : 24), lw;

			cairo_set_font_size(cr, 9);
			lw = text_w(cr, m->label);
			cairo_set_source_rgba(cr, 1, 1, 1, 0.8);
			cairo_rectangle(cr, a + 2, ly - 9, lw + 3, 11);
			cairo_fill(cr);
			if (instant)
				cairo_set_source_rgb(cr, 0.15, 0.25, 0.6);
			else
				cairo_set_source_rgb(cr, 0.6, 0.3, 0.0);
			text_at(cr, a + 3, ly, m->label, 0);
			label_end[instant] = a + 3 + lw + 6;
			cairo_set_font_size(cr, 11);
		}
	}
}

static void draw_band(cairo_t *cr, const struct plot *p, const struct hr_chart *c,
		      const struct hr_chart_series *s, const struct rgb *col)
{
	for (size_t i = 0; i < c->npoints;) {
		size_t j;
		if (!isfinite(s->min[i]) || !isfinite(s->max[i])) {
			i++;
			continue;
		}
		j = i + 1;
		while (j < c->npoints && !c->brk[j] && isfinite(s->min[j]) && isfinite(s->max[j]))
			j++;
		if (j - i >= 2) {
			cairo_move_to(cr, px(p, c->ts[i]), py(p, s->max[i]));
			for (size_t k = i + 1; k < j; k++)
				cairo_line_to(cr, px(p, c->ts[k]), py(p, s->max[k]));
			for (size_t k = j; k-- > i;)
				cairo_line_to(cr, px(p, c->ts[k]), py(p, s->min[k]));
			cairo_close_path(cr);
			cairo_set_source_rgba(cr, col->r, col->g, col->b, 0.2);
			cairo_fill(cr);
		}
		i = j;
	}
}

static void draw_line(cairo_t *cr, const struct plot *p, const struct hr_chart *c, const double *v,
		      const struct rgb *col, double width, double alpha)
{
	cairo_set_source_rgba(cr, col->r, col->g, col->b, alpha);
	cairo_set_line_width(cr, width);
	cairo_set_line_join(cr, CAIRO_LINE_JOIN_ROUND);
	for (size_t i = 0; i < c->npoints;) {
		size_t j;
		if (!isfinite(v[i])) {
			i++;
			continue;
		}
		j = seg_end(c, v, i);
		if (j - i == 1) {
			cairo_arc(cr, px(p, c->ts[i]), py(p, v[i]), width + 0.5, 0, 2 * M_PI);
			cairo_fill(cr);
		} else {
			cairo_move_to(cr, px(p, c->ts[i]), py(p, v[i]));
			for (size_t k = i + 1; k < j; k++)
				cairo_line_to(cr, px(p, c->ts[k]), py(p, v[k]));
			cairo_stroke(cr);
		}
		i = j;
	}
}

static void draw_stack(cairo_t *cr, const struct plot *p, const struct hr_chart *c, size_t s,
		       const struct rgb *col)
{
	const double *v = c->series[s].avg;

	for (size_t i = 0; i < c->npoints;) {
		size_t j;
		if (!isfinite(v[i])) {
			i++;
			continue;
		}
		j = seg_end(c, v, i);
		if (j - i >= 2) {
			cairo_move_to(cr, px(p, c->ts[i]), py(p, stack_base(c, s, i) + v[i]));
			for (size_t k = i + 1; k < j; k++)
				cairo_line_to(cr, px(p, c->ts[k]),
					      py(p, stack_base(c, s, k) + v[k]));
			for (size_t k = j; k-- > i;)
				cairo_line_to(cr, px(p, c->ts[k]), py(p, stack_base(c, s, k)));
			cairo_close_path(cr);
			cairo_set_source_rgba(cr, col->r, col->g, col->b, 0.75);
			cairo_fill(cr);
		}
		i = j;
	}
}

double hr_chart_data_top(const struct hr_chart *c, bool *any)
{
	double top = 0;

	*any = false;
	for (size_t i = 0; i < c->npoints; i++) {
		double sum = 0;
		for (size_t s = 0; s < c->nseries; s++) {
			const struct hr_chart_series *se = &c->series[s];
			double v = se->peak || !c->stacked ? se->max[i] : se->avg[i];
			if (!isfinite(v))
				v = se->avg[i];
			if (!isfinite(v))
				continue;
			*any = true;
			if (c->stacked && !se->peak)
				sum += v;
			else if (v > top)
				top = v;
		}
		if (sum > top)
			top = sum;
	}
	return top;
}

/*
 * The y axis of C: *ret_top (the axis top, nlabels * step), the label
 * STEP, the prefix K of the labels and their number; *ret_any: C has data.
 */
void hr_chart_yscale(const struct hr_chart *c, double *ret_top, double *ret_step, int *ret_k,
		     int *ret_n, bool *ret_any)
{
	double top, step, base;
	int k, nlabels;
	bool any;

	top = hr_chart_data_top(c, &any);
	if (c->ymax > 0 && top <= c->ymax * 1.001)
		top = c->ymax;
	for (size_t t = 0; t < HR_CHART_THRESHOLDS; t++)
		if (c->threshold[t] > 0 && top >= 0.3 * c->threshold[t] && top < c->threshold[t] * 1.1)
			top = c->threshold[t] * 1.1;
	if (!(top > 0))
		top = c->ymax > 0 ? c->ymax : 1;
	if (hr_chart_binary_unit(c->unit) && top < 1024 * 1024)
		top = 1024 * 1024;	/* bytes: no axis finer than 256 KiB steps */
	base = hr_chart_binary_unit(c->unit) ? 1024 : 1000;
	k = hr_chart_prefix(top, base);
	step = hr_chart_nice_step(top / pow(base, k), 4) * pow(base, k);
	if (c->ymax > 0 && top == c->ymax)
		step = c->ymax / 4;
	nlabels = (int)ceil(top / step - 1e-9);
	/* data right at the top would run along the frame: one step more */
	if (!(c->ymax > 0 && top == c->ymax) && any && nlabels * step - top < 0.03 * nlabels * step)
		nlabels++;
	*ret_top = nlabels * step;
	*ret_step = step;
	*ret_k = k;
	*ret_n = nlabels;
	*ret_any = any;
}

void hr_chart_draw(cairo_t *cr, double x, double y, double w, double h, const struct hr_chart *c)
{
	struct tick tk[MAX_TICKS];
	struct plot p;
	double lx, ly, top, step, base;
	size_t ntk;
	int k, nlabels;
	bool any;
	char buf[64];

	cairo_save(cr);
	cairo_rectangle(cr, x, y, w, h);
	cairo_clip(cr);

	/* title */
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	cairo_set_font_size(cr, 13);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	text_at(cr, x + 12, y + 18, c->title ? c->title : "", 0);

	/* legend, wrapping under the title */
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
	cairo_set_font_size(cr, 11);
	lx = x + 12;
	ly = y + 36;
	for (size_t s = 0; s < c->nseries; s++) {
		const struct rgb *col =
		    c->series[s].peak ? &(struct rgb){0.2, 0.2, 0.2} : hr_chart_color(s);
		double tw = text_w(cr, c->series[s].label) + 30;
		if (lx + tw > x + w - 8 && lx > x + 12) {
			lx = x + 12;
			ly += 15;
		}
		cairo_set_source_rgb(cr, col->r, col->g, col->b);
		if (c->series[s].peak) {
			cairo_set_line_width(cr, 1.2);
			cairo_move_to(cr, lx, ly - 4);
			cairo_line_to(cr, lx + 12, ly - 4);
			cairo_stroke(cr);
		} else {
			cairo_rectangle(cr, lx, ly - 9, 12, 10);
			cairo_fill(cr);
		}
		cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
		text_at(cr, lx + 16, ly, c->series[s].label, 0);
		lx += tw;
	}
	for (size_t t = 0; t < HR_CHART_THRESHOLDS; t++) {
		double tw;

		if (!(c->threshold[t] > 0) || !c->threshold_label[t])
			continue;
		tw = text_w(cr, c->threshold_label[t]) + 30;
		if (lx + tw > x + w - 8 && lx > x + 12) {
			lx = x + 12;
			ly += 15;
		}
		cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
		cairo_set_line_width(cr, 1.2);
		cairo_set_dash(cr, hr_chart_th_dash[t], 2, 0);
		cairo_move_to(cr, lx, ly - 4);
		cairo_line_to(cr, lx + 12, ly - 4);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
		cairo_set_source_rgb(cr, 0.2, 0.2, 0.2);
		text_at(cr, lx + 16, ly, c->threshold_label[t], 0);
		lx += tw;
	}

	p.x0 = x + 72;
	p.x1 = x + w - 18;
	p.y0 = ly + 10;
	p.y1 = y + h - 34;
	p.from = c->from_ms;
	p.to = c->to_ms > c->from_ms ? c->to_ms : c->from_ms + 1;
	if (p.y1 - p.y0 < 20 || p.x1 - p.x0 < 40) {
		cairo_restore(cr);
		return;
	}

	/* y scale */
	hr_chart_yscale(c, &top, &step, &k, &nlabels, &any);
	base = hr_chart_binary_unit(c->unit) ? 1024 : 1000;
	p.top = top;

	/* frame, grid, y labels */
	cairo_set_source_rgb(cr, 0.985, 0.985, 0.985);
	cairo_rectangle(cr, p.x0, p.y0, p.x1 - p.x0, p.y1 - p.y0);
	cairo_fill(cr);
	cairo_set_line_width(cr, 1);
	for (int i = 0; i <= nlabels; i++) {
		double v = i * step, yy = floor(py(&p, v)) + 0.5;
		double s = v / pow(base, k);
		cairo_set_source_rgb(cr, 0.88, 0.88, 0.88);
		cairo_move_to(cr, p.x0, yy);
		cairo_line_to(cr, p.x1, yy);
		cairo_stroke(cr);
		hr_chart_format_k(v, c->unit, k,
			 s == floor(s)			       ? 0
			 : fabs(s * 10 - round(s * 10)) < 1e-6 ? 1
							       : 2,
			 buf, sizeof(buf));
		cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
		text_at(cr, p.x0 - 6, i == 0 ? yy : yy + 4, buf, 1);
	}

	/* time grid and labels */
	ntk = hr_chart_ticks(p.from, p.to, (size_t)((p.x1 - p.x0) / 60), tk, MAX_TICKS);
	{
		double last2 = -1e9, last1 = -1e9;
		for (size_t i = 0; i < ntk; i++) {
			double xx = floor(px(&p, tk[i].ms)) + 0.5;
			cairo_set_source_rgb(cr, tk[i].major ? 0.65 : 0.88,
					     tk[i].major ? 0.65 : 0.88, tk[i].major ? 0.65 : 0.88);
			cairo_move_to(cr, xx, p.y0);
			cairo_line_to(cr, xx, p.y1);
			cairo_stroke(cr);
			cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
			if (xx - last1 > text_w(cr, tk[i].label) + 4) {
				/* flush left at the axis, so it clears the y labels */
				text_at(cr, xx, p.y1 + 15, tk[i].label,
					xx - p.x0 < 20	 ? 0
					: p.x1 - xx < 20 ? 1
							 : 0.5);
				last1 = xx;
			}
			if (tk[i].label2[0] && xx - last2 > text_w(cr, tk[i].label2) + 8) {
				cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
						       CAIRO_FONT_WEIGHT_BOLD);
				text_at(cr, xx, p.y1 + 28, tk[i].label2, 0.5);
				cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
						       CAIRO_FONT_WEIGHT_NORMAL);
				last2 = xx + text_w(cr, tk[i].label2) / 2;
			}
		}
		/* the first date at the left edge when no day boundary is near */
		{
			struct tm a, b;
			if (hr_chart_local_tm(p.from, &a) && hr_chart_local_tm(p.to, &b)) {
				bool days = p.to - p.from > 2 * 86400000LL;
				if (days)
					snprintf(buf, sizeof(buf), "%04d-%02d", a.tm_year + 1900,
						 a.tm_mon + 1);
				else
					snprintf(buf, sizeof(buf), "%s %04d-%02d-%02d",
						 hr_chart_wday[a.tm_wday % 7], a.tm_year + 1900,
						 a.tm_mon + 1, a.tm_mday);
				cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
						       CAIRO_FONT_WEIGHT_BOLD);
				cairo_set_source_rgb(cr, 0.3, 0.3, 0.3);
				if (ntk == 0 || !tk[0].label2[0] ||
				    px(&p, tk[0].ms) - p.x0 > text_w(cr, buf) + 10)
					text_at(cr, p.x0 - 60, p.y1 + 28, buf, 0);
				cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL,
						       CAIRO_FONT_WEIGHT_NORMAL);
				/* the zone(s), right-aligned */
				if (strcmp(a.tm_zone ? a.tm_zone : "", b.tm_zone ? b.tm_zone : ""))
					snprintf(buf, sizeof(buf), "time zone %s / %s",
						 a.tm_zone ? a.tm_zone : "",
						 b.tm_zone ? b.tm_zone : "");
				else
					snprintf(buf, sizeof(buf), "time zone %s",
						 a.tm_zone ? a.tm_zone : "");
				cairo_set_font_size(cr, 10);
				cairo_set_source_rgb(cr, 0.45, 0.45, 0.45);
				text_at(cr, p.x1, p.y1 + 28, buf, 1);
				cairo_set_font_size(cr, 11);
			}
		}
	}

	/* data, clipped to the plot */
	cairo_save(cr);
	cairo_rectangle(cr, p.x0, p.y0 - 2, p.x1 - p.x0, p.y1 - p.y0 + 2);
	cairo_clip(cr);
	draw_marks(cr, &p, c, false);
	if (c->stacked) {
		for (size_t s = 0; s < c->nseries; s++)
			if (!c->series[s].peak)
				draw_stack(cr, &p, c, s, hr_chart_color(s));
	} else {
		for (size_t s = 0; s < c->nseries; s++)
			if (!c->series[s].peak)
				draw_band(cr, &p, c, &c->series[s], hr_chart_color(s));
		for (size_t s = 0; s < c->nseries; s++)
			if (!c->series[s].peak)
				draw_line(cr, &p, c, c->series[s].avg, hr_chart_color(s), 1.5, 1);
	}
	for (size_t s = 0; s < c->nseries; s++)
		if (c->series[s].peak)
			draw_line(cr, &p, c, c->series[s].max, &(struct rgb){0.2, 0.2, 0.2}, 0.8,
				  0.8);
	for (size_t t = 0; t < HR_CHART_THRESHOLDS; t++) {
		double yy;

		if (!(c->threshold[t] > 0) || c->threshold[t] > p.top)
			continue;
		yy = floor(py(&p, c->threshold[t])) + 0.5;
		cairo_set_source_rgb(cr, 0.8, 0.1, 0.1);
		cairo_set_line_width(cr, 1.2);
		cairo_set_dash(cr, hr_chart_th_dash[t], 2, 0);
		cairo_move_to(cr, p.x0, yy);
		cairo_line_to(cr, p.x1, yy);
		cairo_stroke(cr);
		cairo_set_dash(cr, NULL, 0, 0);
	}
	draw_marks(cr, &p, c, true);
	cairo_restore(cr);

	/* axes */
	cairo_set_source_rgb(cr, 0.55, 0.55, 0.55);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, floor(p.x0) + 0.5, p.y0);
	cairo_line_to(cr, floor(p.x0) + 0.5, floor(p.y1) + 0.5);
	cairo_line_to(cr, p.x1, floor(p.y1) + 0.5);
	cairo_stroke(cr);

	if (!any) {
		cairo_set_font_size(cr, 16);
		cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
		text_at(cr, (p.x0 + p.x1) / 2, (p.y0 + p.y1) / 2 + 6, "no data", 0.5);
	}
	cairo_restore(cr);
}

/* ---- documents ---------------------------------------------------------------- */

int hr_image_format_from_path(const char *path, enum hr_image_format *ret)
{
	const char *dot = path ? strrchr(path, '.') : NULL;

	if (!dot)
		return -EINVAL;
	if (!strcasecmp(dot, ".png"))
		*ret = HR_IMAGE_PNG;
	else if (!strcasecmp(dot, ".svg"))
		*ret = HR_IMAGE_SVG;
	else if (!strcasecmp(dot, ".pdf"))
		*ret = HR_IMAGE_PDF;
	else
		return -EINVAL;
	return 0;
}

struct sink {
	hr_chart_write_fn write;
	void *closure;
	int err;
};

static cairo_status_t sink_write(void *closure, const unsigned char *data, unsigned int len)
{
	struct sink *k = closure;
	int r;

	if (k->err)
		return CAIRO_STATUS_WRITE_ERROR;
	r = k->write(k->closure, data, len);
	if (r < 0) {
		k->err = r;
		return CAIRO_STATUS_WRITE_ERROR;
	}
	return CAIRO_STATUS_SUCCESS;
}

static void draw_header(cairo_t *cr, const struct hr_chart_doc *doc)
{
	if (!doc->title)
		return;
	cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_BOLD);
	cairo_set_font_size(cr, 15);
	cairo_set_source_rgb(cr, 0.1, 0.1, 0.1);
	text_at(cr, 12, 26, doc->title, 0);
	cairo_set_source_rgb(cr, 0.8, 0.8, 0.8);
	cairo_set_line_width(cr, 1);
	cairo_move_to(cr, 0, HEADER_H - 0.5);
	cairo_line_to(cr, doc->width, HEADER_H - 0.5);
	cairo_stroke(cr);
}

static void white(cairo_t *cr)
{
	cairo_set_source_rgb(cr, 1, 1, 1);
	cairo_paint(cr);
}

/* A new page of DOC (ARG): white, with the header. */
static void fresh_page(cairo_t *cr, const void *arg)
{
	white(cr);
	draw_header(cr, arg);
}

static int doc_write(enum hr_image_format fmt, const struct hr_chart_doc *doc,
		     hr_chart_write_fn write, void *closure)
{
	struct sink k = {.write = write, .closure = closure};
	double head = doc->title ? HEADER_H : 0, height;
	size_t per = doc->per_page && fmt == HR_IMAGE_PDF ? doc->per_page : doc->ncharts;
	cairo_surface_t *sf;
	cairo_status_t st;
	cairo_t *cr;

	if (per == 0)
		per = 1;
	height = head + (double)per * doc->chart_height;
	if (!(doc->width >= 100 && doc->width <= 20000 && doc->chart_height >= 60 &&
	      doc->chart_height <= 5000 && height <= 32000))
		return -EINVAL;
	switch (fmt) {
	case HR_IMAGE_PNG:
		sf = cairo_image_surface_create(CAIRO_FORMAT_RGB24, (int)ceil(doc->width),
						(int)ceil(height));
		break;
	case HR_IMAGE_SVG:
		sf = cairo_svg_surface_create_for_stream(sink_write, &k, doc->width, height);
		break;
	case HR_IMAGE_PDF:
		sf = cairo_pdf_surface_create_for_stream(sink_write, &k, doc->width, height);
		break;
	default:
		return -EINVAL;
	}
	if (cairo_surface_status(sf) != CAIRO_STATUS_SUCCESS) {
		cairo_surface_destroy(sf);
		return -ENOMEM;
	}
	cr = cairo_create(sf);
	white(cr);
	draw_header(cr, doc);
	if (fmt == HR_IMAGE_PDF && doc->text && doc->text_first) {
		hr_text_draw(cr, doc->text, doc->width, head, height, fresh_page, doc);
		cairo_show_page(cr);
		white(cr);
		draw_header(cr, doc);
	}
	for (size_t i = 0; i < doc->ncharts; i++) {
		if (i > 0 && i % per == 0) {
			cairo_show_page(cr);
			white(cr);
			draw_header(cr, doc);
		}
		hr_chart_draw(cr, 0, head + (double)(i % per) * doc->chart_height, doc->width,
			      doc->chart_height, &doc->charts[i]);
	}
	if (doc->ncharts == 0) {
		cairo_select_font_face(cr, FONT, CAIRO_FONT_SLANT_NORMAL, CAIRO_FONT_WEIGHT_NORMAL);
		cairo_set_font_size(cr, 16);
		cairo_set_source_rgb(cr, 0.5, 0.5, 0.5);
		text_at(cr, doc->width / 2, head + doc->chart_height / 2, "no data", 0.5);
	}
	if (fmt == HR_IMAGE_PDF && doc->text && !doc->text_first) {
		cairo_show_page(cr);
		white(cr);
		draw_header(cr, doc);
		hr_text_draw(cr, doc->text, doc->width, head, height, fresh_page, doc);
	}
	st = cairo_status(cr);
	cairo_destroy(cr);
	if (fmt == HR_IMAGE_PNG && st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_write_to_png_stream(sf, sink_write, &k);
	cairo_surface_finish(sf);
	if (st == CAIRO_STATUS_SUCCESS)
		st = cairo_surface_status(sf);
	cairo_surface_destroy(sf);
	if (k.err)
		return k.err;
	if (st == CAIRO_STATUS_NO_MEMORY)
		return -ENOMEM;
	return st == CAIRO_STATUS_SUCCESS ? 0 : -EIO;
}

/* An in-memory copy of the SVG, so a <title>/<desc> can go in after <svg>. */
struct mem {
	unsigned char *p;
	size_t len, cap;
};

#define SVG_MAX (256u << 20)

static int mem_write(void *closure, const unsigned char *data, size_t len)
{
	struct mem *m = closure;

	if (len > SVG_MAX - m->len)
		return -E2BIG;
	if (m->len + len > m->cap) {
		size_t ncap = m->cap ? m->cap : 65536;
		unsigned char *g;
		while (ncap < m->len + len)
			ncap *= 2;
		g = realloc(m->p, ncap);
		if (!g)
			return -ENOMEM;
		m->p = g;
		m->cap = ncap;
	}
	memcpy(m->p + m->len, data, len);
	m->len += len;
	return 0;
}

static int mem_puts_esc(struct mem *m, const char *s)
{
	int r = 0;

	for (; s && *s && r == 0; s++) {
		switch (*s) {
		case '&':
			r = mem_write(m, (const unsigned char *)"&amp;", 5);
			break;
		case '<':
			r = mem_write(m, (const unsigned char *)"&lt;", 4);
			break;
		case '>':
			r = mem_write(m, (const unsigned char *)"&gt;", 4);
			break;
		default:
			r = mem_write(m, (const unsigned char *)s, 1);
		}
	}
	return r;
}

static bool chart_empty(const struct hr_chart *c)
{
	for (size_t s = 0; s < c->nseries; s++)
		for (size_t i = 0; i < c->npoints; i++)
			if (isfinite(c->series[s].avg[i]) || isfinite(c->series[s].max[i]))
				return false;
	return true;
}

/*
 * The text of a chart document for <title>/<desc> (cairo draws text as
 * glyph outlines): the header, then per chart its title, ": no data" when
 * it has none.
 */
static int svg_text(struct mem *m, const struct hr_chart_doc *doc)
{
	int r = mem_write(m, (const unsigned char *)"<title>", 7);

	if (r == 0)
		r = mem_puts_esc(m, doc->title	   ? doc->title
				    : doc->ncharts ? doc->charts[0].title
						   : "no data");
	if (r == 0)
		r = mem_write(m, (const unsigned char *)"</title><desc>", 14);
	for (size_t i = 0; i < doc->ncharts && r == 0; i++) {
		r = mem_puts_esc(m, doc->charts[i].title);
		if (r == 0 && chart_empty(&doc->charts[i]))
			r = mem_puts_esc(m, ": no data");
		if (r == 0)
			r = mem_puts_esc(m, i + 1 < doc->ncharts ? "; " : "");
	}
	if (r == 0 && doc->ncharts == 0)
		r = mem_puts_esc(m, "no data");
	if (r == 0)
		r = mem_write(m, (const unsigned char *)"</desc>\n", 8);
	return r;
}

int hr_chart_doc_write(enum hr_image_format fmt, const struct hr_chart_doc *doc,
		       hr_chart_write_fn write, void *closure)
{
	struct mem m = {0}, t = {0};
	const unsigned char *svg, *gt = NULL;
	int r;

	if (fmt != HR_IMAGE_SVG)
		return doc_write(fmt, doc, write, closure);
	r = doc_write(fmt, doc, mem_write, &m);
	if (r == 0)
		r = svg_text(&t, doc);
	if (r == 0) {
		svg = m.len >= 4 ? memmem(m.p, m.len, "<svg", 4) : NULL;
		if (svg)
			gt = memchr(svg, '>', m.len - (size_t)(svg - m.p));
		if (!gt)
			r = -EIO;
	}
	if (r == 0)
		r = write(closure, m.p, (size_t)(gt + 1 - m.p));
	if (r == 0)
		r = write(closure, (const unsigned char *)"\n", 1);
	if (r == 0)
		r = write(closure, t.p, t.len);
	if (r == 0)
		r = write(closure, gt + 1, m.len - (size_t)(gt + 1 - m.p));
	free(m.p);
	free(t.p);
	return r;
}

void hr_chart_cleanup(void)
{
	cairo_debug_reset_static_data();
	FcFini();
}
