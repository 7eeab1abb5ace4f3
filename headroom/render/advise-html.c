/*
 * advise-html.c - the verdict of `headroom advise` as part of a web page
 * (headroom/render), for `headroom report --html`: the page a customer is
 * shown to justify (or refuse) an upgrade, so it reads as a summary first
 * (one row per resource: verdict, main figure, why) rather than as the
 * terminal output. The rules that did not fire are left out here; the
 * page keeps the full text below it. Reads struct hr_advice; never logs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hr_advise_render.h"
#include "banned.h"

static void esc(FILE *out, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<':
			fputs("&lt;", out);
			break;
		case '>':
			fputs("&gt;", out);
			break;
		case '&':
			fputs("&amp;", out);
			break;
		case '"':
			fputs("&quot;", out);
			break;
		default:
			if ((unsigned char)*s >= 0x20)
				fputc(*s, out);
		}
	}
}

static void verdict(FILE *out, enum hr_verdict v)
{
	fprintf(out, "<span class=\"v v-%s\">%s</span>", hr_verdict_name(v), hr_verdict_name(v));
}

/*
 * One rule that fired: what it means, how long and when, the figures, the
 * processes. PREV is the resource's previous finding shown (or NULL): a
 * note or process list it already gave is not repeated.
 */
static void finding(FILE *out, const struct hr_finding *f, const struct hr_finding *prev)
{
	const struct hr_episode *e = &f->ep;
	char a[64], b[64], c[64];

	fputs("<li>", out);
	verdict(out, f->verdict);
	fputs(" <b>", out);
	esc(out, f->rule);
	fputs("</b>: ", out);
	esc(out, f->text);
	if (e->total_ms > 0) {
		hr_advise_fmt_dur(e->total_ms, a, sizeof(a));
		hr_advise_fmt_dur(e->longest_ms, b, sizeof(b));
		hr_advise_fmt_time(e->longest_start, c, sizeof(c));
		fputs(".<br/>When ", out);
		esc(out, f->cond);
		fprintf(out, ": %s in total, the longest %s from %s; %s ", a, b, c,
			strstr(f->cond, "<=") ? "lowest" : "peak");
		esc(out, f->metric);
		fprintf(out, " %.2f, mean %.2f.", e->peak, e->mean);
	}
	if (f->note[0] && !(prev && !strcmp(prev->note, f->note))) {
		fputs("<br/>", out);
		esc(out, f->note);
	}
	if (f->evidence[0] && !(prev && !strcmp(prev->evidence, f->evidence))) {
		fputs("<br/>", out);
		esc(out, f->evidence);
	}
	if (f->ntop && prev && prev->ntop && prev->top_by == f->top_by) {
		fputs("<br/>Top processes: as above.</li>", out);
		return;
	}
	for (size_t i = 0; i < f->ntop; i++) {
		const struct hr_proc_use *p = &f->top[i];

		if (i == 0)
			fprintf(out, "<br/>%s%s then: ",
				f->cause == HR_CAUSE_MEMORY ? "Processes faulting" : "Top processes by ",
				f->cause == HR_CAUSE_MEMORY ? ""
				: f->top_by == 1	    ? "CPU"
				: f->top_by == 2	    ? "memory"
							    : "I/O");
		fputs(i ? ", " : "", out);
		esc(out, p->comm);
		fprintf(out, " (pid %lld: CPU %.1f%%, memory %.0f MiB, I/O %.0f kB/s)",
			(long long)p->pid, p->cpu_pct, p->mem_mb, p->io_kbps);
	}
	fputs("</li>", out);
}

int hr_advise_write_html(FILE *out, const struct hr_advice *a)
{
	char title[96], t[64];
	bool first = true;

	if (!out || !a)
		return -EINVAL;
	fputs("<p class=\"worst\">", out);
	verdict(out, a->worst);
	if (a->worst == HR_OK)
		fputs(" \xe2\x80\x94 no resource is the bottleneck in this period", out);
	for (size_t i = 0; i < a->nres && a->worst != HR_OK; i++) {
		if (a->res[i].verdict != a->worst)
			continue;
		fputs(first ? " \xe2\x80\x94 " : ", ", out);
		esc(out, hr_advise_res_title(&a->res[i], title, sizeof(title)));
		first = false;
	}
	fputs("</p>\n", out);
	char shortr[256];
	if (hr_advise_too_short(a, shortr, sizeof(shortr))) {
		fputs("<p class=\"note\">Too short to judge a sustained load: ", out);
		esc(out, shortr);
		fputs(".</p>\n", out);
	}
	for (size_t i = 0; i < a->nrestarts; i++) {
		hr_advise_fmt_time(a->restarts[i].ts_ms, t, sizeof(t));
		fprintf(out, "<p class=\"note\">Rebooted %s", t);
		if (a->restarts[i].ncpu > 0)
			fprintf(out, " (%d CPUs after)", a->restarts[i].ncpu);
		fputs(": the stretches end there.</p>\n", out);
	}
	fputs("<div class=\"tbl\"><table class=\"verdict\"><tr><th>resource</th><th>verdict</th>"
	      "<th>average</th><th>peak</th><th>why</th></tr>\n",
	      out);
	for (size_t i = 0; i < a->nres; i++) {
		const struct hr_resource *r = &a->res[i];
		const struct hr_finding *prev = NULL;

		fputs("<tr><td>", out);
		esc(out, hr_advise_res_title(r, title, sizeof(title)));
		fputs("</td><td>", out);
		verdict(out, r->verdict);
		fprintf(out, "</td><td>%.2f ", r->avg);
		esc(out, r->main_metric);
		fprintf(out, "</td><td>%.2f</td><td class=\"why\">", r->peak);
		for (size_t j = 0; j < r->nfind; j++) {
			if (r->find[j].verdict == HR_OK)
				continue;
			fputs(prev ? "" : "<ul>", out);
			finding(out, &r->find[j], prev);
			prev = &r->find[j];
		}
		fputs(prev ? "</ul>" : "no rule fired", out);
		if (r->note[0]) {
			fputs("<br/>", out);
			esc(out, r->note);
		}
		if (r->trend.valid && r->trend.weeks >= 0 && r->trend.weeks <= 520) {
			fputs("<br/>Trend: ", out);
			esc(out, r->main_metric);
			fprintf(out, " %+.2f a week, now %.2f: at this rate it reaches %g in about %.0f "
				     "weeks.",
				fabs(r->trend.per_week) < 0.005 ? 0 : r->trend.per_week, r->trend.level,
				r->trend.threshold, ceil(r->trend.weeks));
		}
		fputs("</td></tr>\n", out);
	}
	fputs("</table></div>\n", out);
	return fflush(out) == 0 && !ferror(out) ? 0 : -EIO;
}
