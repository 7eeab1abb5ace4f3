/*
 * marks.c - what the charts mark on their time axis (headroom/cli): the
 * reboots of the range as dashed lines on every chart, and the intervals
 * where the advisor found a rule held (its longest sustained stretches) as
 * shading on the charts of that resource. Glue between hr_advise.h and
 * hr_chart.h; never logs.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_advise.h"
#include "hr_graph.h"
#include "banned.h"

/* Charts where the findings of a resource kind are shaded (by panel name). */
static bool panel_shows(enum hr_res_kind kind, const char *panel)
{
	static const char *const cpu[] = {"cpu", "load", NULL};
	static const char *const mem[] = {"memory", "swap", "paging", NULL};
	static const char *const disk[] = {"disk", NULL};
	static const char *const net[] = {"net", "neterr", NULL};
	const char *const *names = kind == HR_RES_CPU	 ? cpu
				   : kind == HR_RES_MEM	 ? mem
				   : kind == HR_RES_DISK ? disk
							 : net;

	for (; *names; names++)
		if (!strcmp(*names, panel))
			return true;
	return false;
}

struct acc {
	struct hr_chart_mark *m;
	char (*label)[64];
	size_t n, cap;
};

static int add(struct acc *x, int64_t from, int64_t to, const char *l1, const char *l2)
{
	if (x->n == x->cap) {
		size_t cap = x->cap ? 2 * x->cap : 32;
		struct hr_chart_mark *m = realloc(x->m, cap * sizeof(*m));
		char(*label)[64];

		if (!m)
			return -ENOMEM;
		x->m = m;
		label = realloc(x->label, cap * sizeof(*label));
		if (!label)
			return -ENOMEM;
		x->label = label;
		x->cap = cap;
	}
	snprintf(x->label[x->n], sizeof(x->label[x->n]), "%s%s%s", l1, *l1 && *l2 ? " " : "", l2);
	x->m[x->n] = (struct hr_chart_mark){.from_ms = from, .to_ms = to};
	x->n++;
	return 0;
}

/* True when [FROM, TO] lies inside a mark of this chart already (from index FIRST). */
static bool covered(const struct acc *x, size_t first, int64_t from, int64_t to)
{
	for (size_t i = first; i < x->n; i++)
		if (x->m[i].from_ms != x->m[i].to_ms && x->m[i].from_ms <= from &&
		    x->m[i].to_ms >= to)
			return true;
	return false;
}

/* The intervals of resource R's findings, worst verdict first, overlaps skipped. */
static int add_findings(struct acc *x, size_t first, const struct hr_resource *r)
{
	for (int v = HR_UPGRADE; v > HR_OK; v--)
		for (size_t j = 0; j < r->nfind; j++) {
			const struct hr_finding *f = &r->find[j];

			if ((int)f->verdict != v)
				continue;
			for (size_t k = 0; k < f->ep.nint; k++) {
				int r2;

				if (covered(x, first, f->ep.int_from[k], f->ep.int_to[k]))
					continue;
				r2 = add(x, f->ep.int_from[k], f->ep.int_to[k], r->s.name, f->rule);
				if (r2 < 0)
					return r2;
			}
		}
	return 0;
}

/* The advisor's threshold for chart C (panel P), with its label; false: keep the panel's. */
static bool advisor_threshold(const struct hr_panel *p, const struct hr_thresholds *th,
			      double *ret, char *label, size_t size)
{
	if (p->threshold <= 0)
		return false;
	if (!strcmp(p->name, "cpu") || !strcmp(p->name, "disk")) {
		*ret = th->v[!strcmp(p->name, "cpu") ? HR_TH_CPU_BUSY_PCT : HR_TH_DISK_UTIL_PCT];
		snprintf(label, size, "%g%% busy", *ret);
		return true;
	}
	if (!strcmp(p->name, "psi")) {
		double c = th->v[HR_TH_CPU_PSI_PCT], m = th->v[HR_TH_MEM_PSI_PCT];
		double io = th->v[HR_TH_IO_PSI_PCT];
		*ret = c < m ? (c < io ? c : io) : (m < io ? m : io);
		snprintf(label, size, "%g%% stalled (cpu %g, memory %g, io %g)", *ret, c, m, io);
		return true;
	}
	return false;
}

int hr_graph_mark(struct hr_graph *g, const struct hr_advice *a, const struct hr_restart *rs,
		  size_t nrs)
{
	struct acc x = {0};
	size_t *first = calloc(g->ncharts + 1, sizeof(*first));
	int r = 0;

	if (!first)
		return -ENOMEM;
	for (size_t c = 0; c < g->ncharts && r == 0; c++) {
		double v;

		first[c] = x.n;
		if (a && advisor_threshold(g->panels[c], &a->th, &v, g->th_labels[c],
					   sizeof(g->th_labels[c]))) {
			g->charts[c].threshold = v;
			g->charts[c].threshold_label = g->th_labels[c];
		}
		for (size_t i = 0; a && i < a->nres && r == 0; i++)
			if (panel_shows(a->res[i].s.kind, g->panels[c]->name))
				r = add_findings(&x, first[c], &a->res[i]);
		for (size_t i = 0; i < nrs && r == 0; i++)
			r = add(&x, rs[i].ts_ms, rs[i].ts_ms, "reboot", "");
	}
	first[g->ncharts] = x.n;
	if (r < 0) {
		free(x.m);
		free(x.label);
		free(first);
		return r;
	}
	free(g->marks);
	free(g->mark_labels);
	g->marks = x.m;
	g->mark_labels = x.label;
	for (size_t i = 0; i < x.n; i++)
		x.m[i].label = x.label[i];
	for (size_t c = 0; c < g->ncharts; c++) {
		g->charts[c].marks = x.n ? &x.m[first[c]] : NULL;
		g->charts[c].nmarks = first[c + 1] - first[c];
	}
	free(first);
	return 0;
}
