/*
 * chart-svg.c - one chart as compact SVG text for HTML pages
 * (headroom/render): the same axes, ticks, scale, marks and thresholds as
 * chart.c draws with cairo (hr_chart_int.h), but written by hand so that
 * every label is a real <text> (searchable, selectable, scalable) and the
 * data paths cost a few bytes a point: integer coordinates, relative moves,
 * stacked areas painted top series first down to the axis (one edge each).
 * Styling comes from the page's CSS classes (hr_chart.h lists them), so a
 * chart repeats no style. The title and legend are the caller's (HTML
 * text). Depends on libc and libm only; no cairo.
 */
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_chart.h"
#include "hr_chart_int.h"
#include "banned.h"

#define MAX_TICKS 64
#define OUT_MAX (64u << 20)

struct out {
	char *p;
	size_t len, cap;
	int err;
};

static void put(struct out *o, const char *s, size_t n)
{
	if (o->err)
		return;
	if (n > OUT_MAX - o->len) {
		o->err = -E2BIG;
		return;
	}
	if (o->len + n + 1 > o->cap) {
		size_t nc = o->cap ? o->cap * 2 : 16384;
		char *g;
		while (nc < o->len + n + 1)
			nc *= 2;
		g = realloc(o->p, nc);
		if (!g) {
			o->err = -ENOMEM;
			return;
		}
		o->p = g;
		o->cap = nc;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
}

static void pf(struct out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void pf(struct out *o, const char *fmt, ...)
{
	char tmp[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

static void esc(struct out *o, const char *s)
{
	for (; s && *s; s++) {
		if (*s == '&')
			put(o, "&amp;", 5);
		else if (*s == '<')
			put(o, "&lt;", 4);
		else if (*s == '>')
			put(o, "&gt;", 4);
		else if (*s == '"')
			put(o, "&quot;", 6);
		else if ((unsigned char)*s >= 0x20)
			put(o, s, 1);
	}
}

struct plot {
	double x0, y0, x1, y1;
	int64_t from, to;
	double top;
};

static long px(const struct plot *p, int64_t ms)
{
	return lround(p->x0 + (double)(ms - p->from) / (double)(p->to - p->from) * (p->x1 - p->x0));
}

static long py(const struct plot *p, double v)
{
	if (v < 0)
		v = 0;
	if (v > p->top * 1.02)
		v = p->top * 1.02;
	return lround(p->y1 - v / p->top * (p->y1 - p->y0));
}

/* A polyline through (X[i], Y[i]) as "Mx yl dx dy dx dy..." (relative, integers). */
static void path_pts(struct out *o, const long *x, const long *y, size_t n, bool move)
{
	pf(o, "%c%ld %ld", move ? 'M' : 'L', x[0], y[0]);
	if (n > 1)
		put(o, "l", 1);
	for (size_t i = 1; i < n; i++) {
		long dx = x[i] - x[i - 1], dy = y[i] - y[i - 1];
		/* a minus sign separates by itself */
		pf(o, i == 1 ? "%ld" : " %ld", dx);
		pf(o, dy < 0 ? "%ld" : " %ld", dy);
	}
}

static const char *hex(const struct rgb *c, double lighten, char *buf)
{
	int r = (int)lround((c->r + (1 - c->r) * lighten) * 255);
	int g = (int)lround((c->g + (1 - c->g) * lighten) * 255);
	int b = (int)lround((c->b + (1 - c->b) * lighten) * 255);

	snprintf(buf, 8, "#%02x%02x%02x", r & 255, g & 255, b & 255);
	return buf;
}

/* Segments of V: runs [i, j) of finite values without a break. */
static size_t seg_end(const struct hr_chart *c, const double *v, size_t i)
{
	size_t j = i + 1;

	while (j < c->npoints && !c->brk[j] && isfinite(v[j]))
		j++;
	return j;
}

/* The cumulative value of the non-peak series 0..S at point I (NAN: S has none). */
static double cum(const struct hr_chart *c, size_t s, size_t i)
{
	double b = 0;

	if (!isfinite(c->series[s].avg[i]))
		return NAN;
	for (size_t k = 0; k <= s; k++)
		if (!c->series[k].peak && isfinite(c->series[k].avg[i]))
			b += c->series[k].avg[i];
	return b;
}

static void series_paths(struct out *o, const struct plot *p, const struct hr_chart *c, long *xs,
			 long *ys, long *ys2)
{
	char col[8];

	if (c->stacked) {
		/* top series first, each down to the axis: later ones cover the base */
		for (size_t s = c->nseries; s-- > 0;) {
			double *v;
			if (c->series[s].peak)
				continue;
			v = malloc(c->npoints * sizeof(*v));
			if (!v) {
				o->err = -ENOMEM;
				return;
			}
			for (size_t i = 0; i < c->npoints; i++)
				v[i] = cum(c, s, i);
			pf(o, "<path fill=\"%s\" d=\"", hex(hr_chart_color(s), 0.25, col));
			for (size_t i = 0; i < c->npoints;) {
				size_t j, n = 0;
				if (!isfinite(v[i])) {
					i++;
					continue;
				}
				j = seg_end(c, v, i);
				for (size_t k = i; k < j; k++, n++) {
					xs[n] = px(p, c->ts[k]);
					ys[n] = py(p, v[k]);
				}
				if (n >= 2) {
					path_pts(o, xs, ys, n, true);
					pf(o, "V%ldH%ldZ", lround(p->y1), xs[0]);
				}
				i = j;
			}
			put(o, "\"/>", 3);
			free(v);
		}
	} else {
		for (size_t s = 0; s < c->nseries; s++) {
			const struct hr_chart_series *se = &c->series[s];
			bool any = false;
			if (se->peak || !se->min || !se->max)
				continue;
			for (size_t i = 0; i < c->npoints;) {
				size_t j, n = 0;
				if (!isfinite(se->min[i]) || !isfinite(se->max[i])) {
					i++;
					continue;
				}
				j = i + 1;
				while (j < c->npoints && !c->brk[j] && isfinite(se->min[j]) &&
				       isfinite(se->max[j]))
					j++;
				/* a band only where it is wider than the line */
				for (size_t k = i; k < j; k++, n++) {
					xs[n] = px(p, c->ts[k]);
					ys[n] = py(p, se->max[k]);
					ys2[n] = py(p, se->min[k]);
				}
				bool wide = false;
				for (size_t k = 0; k < n; k++)
					wide = wide || ys2[k] - ys[k] >= 2;
				if (n >= 2 && wide) {
					if (!any)
						pf(o, "<path class=\"band\" fill=\"%s\" d=\"",
						   hex(hr_chart_color(s), 0, col));
					any = true;
					path_pts(o, xs, ys, n, true);
					/* back along the minimum */
					for (size_t a = 0, b = n - 1; a < b; a++, b--) {
						long t = xs[a];
						xs[a] = xs[b];
						xs[b] = t;
						t = ys2[a];
						ys2[a] = ys2[b];
						ys2[b] = t;
					}
					path_pts(o, xs, ys2, n, false);
					put(o, "Z", 1);
				}
				i = j;
			}
			if (any)
				put(o, "\"/>", 3);
		}
	}
	/* lines: the series of a line chart, the peaks over a stack */
	for (size_t s = 0; s < c->nseries; s++) {
		const struct hr_chart_series *se = &c->series[s];
		const double *v = se->peak ? se->max : se->avg;
		bool any = false;

		if ((c->stacked && !se->peak) || !v)
			continue;
		for (size_t i = 0; i < c->npoints;) {
			size_t j, n = 0;
			if (!isfinite(v[i])) {
				i++;
				continue;
			}
			j = seg_end(c, v, i);
			if (!any)
				pf(o, "<path class=\"%s\" stroke=\"%s\" d=\"", se->peak ? "pk" : "ln",
				   se->peak ? "#333" : hex(hr_chart_color(s), 0, col));
			any = true;
			for (size_t k = i; k < j; k++, n++) {
				xs[n] = px(p, c->ts[k]);
				ys[n] = py(p, v[k]);
			}
			if (n == 1) /* a lone point: a short dash */
				pf(o, "M%ld %ldh2", xs[0] - 1, ys[0]);
			else
				path_pts(o, xs, ys, n, true);
			i = j;
		}
		if (any)
			put(o, "\"/>", 3);
	}
}

static void marks(struct out *o, const struct plot *p, const struct hr_chart *c, bool over)
{
	long label_end[2] = {-100000, -100000};

	for (size_t i = 0; i < c->nmarks; i++) {
		const struct hr_chart_mark *m = &c->marks[i];
		bool instant = m->from_ms == m->to_ms;
		long a, b;

		if (m->to_ms < p->from || m->from_ms > p->to)
			continue;
		a = px(p, m->from_ms < p->from ? p->from : m->from_ms);
		b = px(p, m->to_ms > p->to ? p->to : m->to_ms);
		if (!over) {
			if (!instant)
				pf(o, "<rect class=\"mk\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\"/>",
				   a, lround(p->y0), b - a < 2 ? 2 : b - a, lround(p->y1 - p->y0));
			continue;
		}
		if (instant)
			pf(o, "<path class=\"rb\" d=\"M%ld %ldV%ld\"/>", a, lround(p->y0),
			   lround(p->y1));
		if (m->label && a > label_end[instant]) {
			pf(o, "<text class=\"%s\" x=\"%ld\" y=\"%ld\">", instant ? "rbt" : "mkt",
			   a + 3, lround(p->y0) + (instant ? 11 : 24));
			esc(o, m->label);
			put(o, "</text>", 7);
			label_end[instant] = a + 3 + (long)(strlen(m->label) * 5.5) + 6;
		}
	}
}

int hr_chart_svg(const struct hr_chart *c, double w, double h, hr_chart_write_fn write,
		 void *closure)
{
	struct tick tk[MAX_TICKS];
	struct out o = {0};
	struct plot p;
	double top, step, base;
	long *xs = NULL, *ys = NULL, *ys2 = NULL;
	size_t ntk;
	int k, nlabels, r;
	bool any;
	char buf[64];

	if (!(w >= 200 && h >= 100 && w <= 10000 && h <= 10000))
		return -EINVAL;
	p.x0 = 64;
	p.x1 = w - 12;
	p.y0 = 8;
	p.y1 = h - 34;
	p.from = c->from_ms;
	p.to = c->to_ms > c->from_ms ? c->to_ms : c->from_ms + 1;
	hr_chart_yscale(c, &top, &step, &k, &nlabels, &any);
	base = hr_chart_binary_unit(c->unit) ? 1024 : 1000;
	p.top = top;
	pf(&o, "<svg class=\"chart\" viewBox=\"0 0 %d %d\" "
	       "role=\"img\" aria-label=\"", (int)w, (int)h);
	esc(&o, c->title);
	put(&o, any ? "\">" : ": no data\">", any ? 2 : 11);
	pf(&o, "<rect class=\"bg\" x=\"%ld\" y=\"%ld\" width=\"%ld\" height=\"%ld\"/>", lround(p.x0),
	   lround(p.y0), lround(p.x1 - p.x0), lround(p.y1 - p.y0));
	/* y grid and labels */
	put(&o, "<path class=\"grid\" d=\"", 22);
	for (int i = 0; i <= nlabels; i++)
		pf(&o, "M%ld %ldH%ld", lround(p.x0), py(&p, i * step), lround(p.x1));
	ntk = hr_chart_ticks(p.from, p.to, (size_t)((p.x1 - p.x0) / 60), tk, MAX_TICKS);
	for (size_t i = 0; i < ntk; i++)
		if (!tk[i].major)
			pf(&o, "M%ld %ldV%ld", px(&p, tk[i].ms), lround(p.y0), lround(p.y1));
	put(&o, "\"/><path class=\"major\" d=\"", 26);
	for (size_t i = 0; i < ntk; i++)
		if (tk[i].major)
			pf(&o, "M%ld %ldV%ld", px(&p, tk[i].ms), lround(p.y0), lround(p.y1));
	put(&o, "\"/><g class=\"yl\">", 17);
	for (int i = 0; i <= nlabels; i++) {
		double v = i * step, s = v / pow(base, k);
		hr_chart_format_k(v, c->unit, k,
				  s == floor(s) ? 0 : fabs(s * 10 - round(s * 10)) < 1e-6 ? 1 : 2,
				  buf, sizeof(buf));
		pf(&o, "<text x=\"%ld\" y=\"%ld\">%s</text>", lround(p.x0) - 5,
		   py(&p, v) + (i == 0 ? 0 : 4), buf);
	}
	put(&o, "</g><g class=\"xl\">", 18);
	{
		long last1 = -100000, last2 = -100000;
		for (size_t i = 0; i < ntk; i++) {
			long xx = px(&p, tk[i].ms), tw = (long)(strlen(tk[i].label) * 6.2);
			if (xx - last1 > tw + 4) {
				const char *anchor = xx - p.x0 < 20 ? " class=\"s\"" :
						     p.x1 - xx < 20 ? " class=\"e\"" : "";
				pf(&o, "<text x=\"%ld\" y=\"%ld\"%s>%s</text>", xx, lround(p.y1) + 15,
				   anchor, tk[i].label);
				last1 = xx;
			}
			if (tk[i].label2[0] &&
			    xx - last2 > (long)(strlen(tk[i].label2) * 6.5) + 8) {
				pf(&o, "<text class=\"d\" x=\"%ld\" y=\"%ld\">%s</text>", xx,
				   lround(p.y1) + 28, tk[i].label2);
				last2 = xx + (long)(strlen(tk[i].label2) * 3.3);
			}
		}
		struct tm a, b;
		if (hr_chart_local_tm(p.from, &a) && hr_chart_local_tm(p.to, &b)) {
			if (p.to - p.from > 2 * 86400000LL)
				snprintf(buf, sizeof(buf), "%04d-%02d", a.tm_year + 1900, a.tm_mon + 1);
			else
				snprintf(buf, sizeof(buf), "%s %04d-%02d-%02d",
					 hr_chart_wday[a.tm_wday % 7], a.tm_year + 1900,
					 a.tm_mon + 1, a.tm_mday);
			if (ntk == 0 || !tk[0].label2[0] ||
			    px(&p, tk[0].ms) - p.x0 > (long)(strlen(buf) * 9) + 10)
				pf(&o, "<text class=\"d s\" x=\"4\" y=\"%ld\">%s</text>",
				   lround(p.y1) + 28, buf);
			if (strcmp(a.tm_zone ? a.tm_zone : "", b.tm_zone ? b.tm_zone : ""))
				snprintf(buf, sizeof(buf), "time zone %s / %s",
					 a.tm_zone ? a.tm_zone : "", b.tm_zone ? b.tm_zone : "");
			else
				snprintf(buf, sizeof(buf), "time zone %s", a.tm_zone ? a.tm_zone : "");
			pf(&o, "<text class=\"z e\" x=\"%ld\" y=\"%ld\">", lround(p.x1),
			   lround(p.y1) + 28);
			esc(&o, buf);
			put(&o, "</text>", 7);
		}
	}
	put(&o, "</g>", 4);
	marks(&o, &p, c, false);
	if (c->npoints) {
		xs = calloc(c->npoints, sizeof(*xs));
		ys = calloc(c->npoints, sizeof(*ys));
		ys2 = calloc(c->npoints, sizeof(*ys2));
		if (!xs || !ys || !ys2)
			o.err = -ENOMEM;
		else
			series_paths(&o, &p, c, xs, ys, ys2);
	}
	for (size_t t = 0; t < HR_CHART_THRESHOLDS; t++)
		if (c->threshold[t] > 0 && c->threshold[t] <= p.top)
			pf(&o, "<path class=\"th th%zu\" d=\"M%ld %ldH%ld\"/>", t, lround(p.x0),
			   py(&p, c->threshold[t]), lround(p.x1));
	marks(&o, &p, c, true);
	pf(&o, "<path class=\"ax\" d=\"M%ld %ldV%ldH%ld\"/>", lround(p.x0), lround(p.y0),
	   lround(p.y1), lround(p.x1));
	if (!any)
		pf(&o, "<text class=\"nd\" x=\"%ld\" y=\"%ld\">no data</text>",
		   lround((p.x0 + p.x1) / 2), lround((p.y0 + p.y1) / 2) + 6);
	put(&o, "</svg>", 6);
	free(xs);
	free(ys);
	free(ys2);
	r = o.err;
	if (r == 0)
		r = write(closure, (const unsigned char *)o.p, o.len);
	free(o.p);
	return r;
}

const char *hr_chart_svg_color(size_t i, bool stacked, char *buf)
{
	return hex(hr_chart_color(i), stacked ? 0.25 : 0, buf);
}
