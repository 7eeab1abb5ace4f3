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

/*
 * The advisor's thresholds for panel P into V[] with their labels (at most
 * HR_CHART_THRESHOLDS); false: keep the panel's own. The PSI panel gets one
 * line per distinct value, naming the resources it holds for.
 */
static bool advisor_thresholds(const struct hr_panel *p, const struct hr_thresholds *th,
			       double v[HR_CHART_THRESHOLDS], char label[HR_CHART_THRESHOLDS][96])
{
	if (p->threshold <= 0)
		return false;
	if (!strcmp(p->name, "cpu") || !strcmp(p->name, "disk")) {
		v[0] = th->v[!strcmp(p->name, "cpu") ? HR_TH_CPU_BUSY_PCT : HR_TH_DISK_UTIL_PCT];
		snprintf(label[0], 96, "%g%% busy", v[0]);
		return true;
	}
	if (!strcmp(p->name, "psi")) {
		static const char *const name[3] = {"cpu", "memory", "io"};
		double psi[3] = {th->v[HR_TH_CPU_PSI_PCT], th->v[HR_TH_MEM_PSI_PCT],
				 th->v[HR_TH_IO_PSI_PCT]};
		bool done[3] = {false, false, false};
		size_t n = 0;

		/* lowest first; equal values share a line */
		while (n < HR_CHART_THRESHOLDS) {
			int lo = -1;
			size_t len;

			for (int i = 0; i < 3; i++)
				if (!done[i] && (lo < 0 || psi[i] < psi[lo]))
					lo = i;
			if (lo < 0)
				break;
			v[n] = psi[lo];
			len = (size_t)snprintf(label[n], 96, "%g%% stalled:", psi[lo]);
			for (int i = 0, k = 0; i < 3; i++)
				if (!done[i] && psi[i] == v[n]) {
					done[i] = true;
					len += (size_t)snprintf(label[n] + len, len < 96 ? 96 - len : 0,
								"%s %s", k++ ? "," : "", name[i]);
				}
			n++;
		}
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
		double v[HR_CHART_THRESHOLDS] = {0};

		first[c] = x.n;
		if (a && advisor_thresholds(g->panels[c], &a->th, v, g->th_labels[c])) {
			for (size_t t = 0; t < HR_CHART_THRESHOLDS; t++) {
				g->charts[c].threshold[t] = v[t];
				g->charts[c].threshold_label[t] = v[t] > 0 ? g->th_labels[c][t] : NULL;
			}
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
