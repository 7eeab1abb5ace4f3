/*
 * advise-pdf.c - the verdict of `headroom advise` as text paragraphs for
 * the PDF report (headroom/render), laid out like the HTML page's verdict
 * table: the overall verdict, then one block per resource (verdict and main
 * figure, the rules that fired with their evidence and processes, the
 * trend). The same sentences as advise-html.c, without markup. Reads
 * struct hr_advice; never logs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hr_advise_render.h"
#include "banned.h"

/* "UPGRADE": the verdict as the text output and the page's badges show it. */
static const char *upper(enum hr_verdict v, char *buf, size_t size)
{
	size_t i = 0;

	for (const char *s = hr_verdict_name(v); *s && i + 1 < size; s++)
		buf[i++] = (char)(*s >= 'a' && *s <= 'z' ? *s - 'a' + 'A' : *s);
	buf[i] = '\0';
	return buf;
}

/* One rule that fired, as advise-html.c's finding(), into BUF. */
static void finding(const struct hr_finding *f, const struct hr_finding *prev, char *buf,
		    size_t size)
{
	const struct hr_episode *e = &f->ep;
	char a[64], b[64], c[64];
	size_t n;

	n = (size_t)snprintf(buf, size, "[%s] %s: %s", hr_verdict_name(f->verdict), f->rule, f->text);
	if (e->total_ms > 0 && n < size) {
		hr_advise_fmt_dur(e->total_ms, a, sizeof(a));
		hr_advise_fmt_dur(e->longest_ms, b, sizeof(b));
		hr_advise_fmt_time(e->longest_start, c, sizeof(c));
		n += (size_t)snprintf(buf + n, size - n,
				      ". When %s: %s in total, the longest %s from %s; %s %s %.2f, "
				      "mean %.2f.",
				      f->cond, a, b, c, strstr(f->cond, "<=") ? "lowest" : "peak",
				      f->metric, e->peak, e->mean);
	}
	if (f->note[0] && !(prev && !strcmp(prev->note, f->note)) && n < size)
		n += (size_t)snprintf(buf + n, size - n, " %s", f->note);
	if (f->evidence[0] && !(prev && !strcmp(prev->evidence, f->evidence)) && n < size)
		n += (size_t)snprintf(buf + n, size - n, " %s.", f->evidence);
	if (f->ntop && prev && prev->ntop && prev->top_by == f->top_by) {
		if (n < size)
			snprintf(buf + n, size - n, " Top processes: as above.");
		return;
	}
	for (size_t i = 0; i < f->ntop && n < size; i++) {
		const struct hr_proc_use *p = &f->top[i];

		if (i == 0)
			n += (size_t)snprintf(buf + n, size - n, " Top processes by %s then:",
					      f->top_by == 1   ? "CPU"
					      : f->top_by == 2 ? "memory"
							       : "I/O");
		if (n < size)
			n += (size_t)snprintf(buf + n, size - n,
					      "%s %s (pid %lld: CPU %.1f%%, memory %.0f MiB, I/O "
					      "%.0f kB/s)",
					      i ? "," : "", p->comm, (long long)p->pid, p->cpu_pct,
					      p->mem_mb, p->io_kbps);
	}
}

int hr_advise_text_pars(struct hr_text *t, const struct hr_advice *a, unsigned *block)
{
	char title[96], tm[64], line[4096], v[16];
	size_t n;
	int r;

	if (!t || !a || !block)
		return -EINVAL;
	n = (size_t)snprintf(line, sizeof(line), "Verdict: %s", upper(a->worst, v, sizeof(v)));
	if (a->worst == HR_OK)
		snprintf(line + n, sizeof(line) - n, " \xe2\x80\x94 no resource is the bottleneck in "
						     "this period");
	for (size_t i = 0, k = 0; i < a->nres && a->worst != HR_OK && n < sizeof(line); i++) {
		if (a->res[i].verdict != a->worst)
			continue;
		n += (size_t)snprintf(line + n, sizeof(line) - n, "%s%s", k++ ? ", " : " \xe2\x80\x94 ",
				      hr_advise_res_title(&a->res[i], title, sizeof(title)));
	}
	r = hr_text_add(t, HR_TEXT_HEADING, ++*block, "%s", line);
	char shortr[256];
	if (r == 0 && hr_advise_too_short(a, shortr, sizeof(shortr)))
		r = hr_text_add(t, HR_TEXT_BODY, *block, "Too short to judge a sustained load: %s.",
				shortr);
	for (size_t i = 0; r == 0 && i < a->nrestarts; i++) {
		hr_advise_fmt_time(a->restarts[i].ts_ms, tm, sizeof(tm));
		if (a->restarts[i].ncpu > 0)
			r = hr_text_add(t, HR_TEXT_BODY, *block,
					"Rebooted %s (%d CPUs after): the stretches end there.", tm,
					a->restarts[i].ncpu);
		else
			r = hr_text_add(t, HR_TEXT_BODY, *block,
					"Rebooted %s: the stretches end there.", tm);
	}
	for (size_t i = 0; r == 0 && i < a->nres; i++) {
		const struct hr_resource *res = &a->res[i];
		const struct hr_finding *prev = NULL;

		++*block;
		r = hr_text_add(t, HR_TEXT_SUBHEAD, *block, "%s: %s \xe2\x80\x94 average %.2f %s, peak %.2f",
				hr_advise_res_title(res, title, sizeof(title)),
				upper(res->verdict, v, sizeof(v)), res->avg, res->main_metric, res->peak);
		for (size_t j = 0; r == 0 && j < res->nfind; j++) {
			if (res->find[j].verdict == HR_OK)
				continue;
			finding(&res->find[j], prev, line, sizeof(line));
			r = hr_text_add(t, HR_TEXT_ITEM, *block, "%s", line);
			prev = &res->find[j];
		}
		if (r == 0 && !prev)
			r = hr_text_add(t, HR_TEXT_BODY, *block, "No rule fired.");
		if (r == 0 && res->note[0])
			r = hr_text_add(t, HR_TEXT_BODY, *block, "%s.", res->note);
		if (r == 0 && res->trend.valid && res->trend.weeks >= 0 && res->trend.weeks <= 520)
			r = hr_text_add(t, HR_TEXT_BODY, *block,
					"Trend: %s %+.2f a week, now %.2f: at this rate it reaches %g "
					"in about %.0f weeks.",
					res->main_metric,
					fabs(res->trend.per_week) < 0.005 ? 0 : res->trend.per_week,
					res->trend.level, res->trend.threshold, ceil(res->trend.weeks));
	}
	return r;
}
