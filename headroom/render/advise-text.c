/*
 * advise-text.c - `headroom advise` for people (headroom/render): one
 * block per resource with its verdict, the rules that fired and their
 * evidence (how long, when, the figures, the processes), the trend, then
 * the overall verdict. Reads struct hr_advice (hr_advise.h); never logs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hr_advise_render.h"
#include "hr_analyze.h"
#include "cleanup.h"
#include "banned.h"

void hr_advise_fmt_time(int64_t ms, char *buf, size_t size)
{
	struct hr_tm lt;

	if (hr_time_local(ms, &lt) < 0)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d %s", lt.year, lt.mon, lt.mday,
			 lt.hour, lt.min, lt.sec, lt.zone);
}

static void t_day(int64_t ms, char *buf, size_t size)
{
	struct hr_tm lt;

	if (hr_time_local(ms, &lt) < 0)
		snprintf(buf, size, "?");
	else
		snprintf(buf, size, "%04d-%02d-%02d", lt.year, lt.mon, lt.mday);
}

void hr_advise_fmt_dur(int64_t ms, char *buf, size_t size)
{
	hr_dur_fmt(ms, buf, size); /* the advisor's one rounding rule */
}

const char *hr_advise_res_title(const struct hr_resource *r, char *buf, size_t size)
{
	switch (r->s.kind) {
	case HR_RES_CPU:
		return "CPU";
	case HR_RES_MEM:
		return "memory";
	case HR_RES_DISK:
		snprintf(buf, size, "disk %s", r->s.name);
		return buf;
	case HR_RES_NET:
	default:
		snprintf(buf, size, "network %s", r->s.name);
		return buf;
	}
}

/* No "-0.00" from a slope that is zero but for rounding. */
static double z(double v)
{
	return fabs(v) < 0.005 ? 0 : v;
}

static void upper(const char *s, char *buf, size_t size)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < size; i++)
		buf[i] = (s[i] >= 'a' && s[i] <= 'z') ? (char)(s[i] - 'a' + 'A') : s[i];
	buf[i] = '\0';
}

/* SHOW_TOP: the resource's first finding with processes; later ones say so. */
static void finding(FILE *out, const struct hr_finding *f, bool show_top)
{
	const struct hr_episode *e = &f->ep;
	char a[64], b[64], c[64], d[64];

	/* a rule that did not fire must not read as if its conclusion held */
	if (f->verdict == HR_OK)
		fprintf(out, "  [ok] %s: not met (it would mean: %s)\n", f->rule, f->text);
	else
		fprintf(out, "  [%s] %s: %s\n", hr_verdict_name(f->verdict), f->rule, f->text);
	if (e->total_ms > 0) {
		hr_advise_fmt_dur(e->longest_ms, a, sizeof(a));
		hr_advise_fmt_time(e->longest_start, b, sizeof(b));
		hr_advise_fmt_dur(e->total_ms, c, sizeof(c));
		fprintf(out, "    when %s\n", f->cond);
		fprintf(out, "    longest %s from %s; %s in total", a, b, c);
		if (e->sustained_ms > 0 && e->sustained_ms != e->total_ms) {
			hr_advise_fmt_dur(e->sustained_ms, d, sizeof(d));
			fprintf(out, " (%s sustained)", d);
		}
		fprintf(out, "\n");
		t_day(e->worst_day, a, sizeof(a));
		hr_advise_fmt_dur(e->worst_day_ms, b, sizeof(b));
		fprintf(out, "    worst day %s (%s); %s %s %.2f, mean %.2f while held\n", a, b,
			f->metric, strstr(f->cond, "<=") ? "lowest" : "peak", e->peak, e->mean);
	}
	if (f->note[0])
		fprintf(out, "    %s\n", f->note);
	if (f->evidence[0])
		fprintf(out, "    %s\n", f->evidence);
	if (f->ntop && !show_top) {
		fprintf(out, "    top processes: as above\n");
		return;
	}
	for (size_t i = 0; i < f->ntop; i++) {
		const struct hr_proc_use *p = &f->top[i];
		if (i == 0 && f->cause == HR_CAUSE_MEMORY)
			fprintf(out,
				"    processes faulting then (swap-ins and page-ins are charged to "
				"them as reads):\n");
		else if (i == 0)
			fprintf(out, "    top processes by %s then:\n",
				f->top_by == 1	 ? "CPU"
				: f->top_by == 2 ? "memory"
						 : "I/O");
		fprintf(
		    out,
		    "      %-16s pid %-7lld cpu %6.1f%%  mem %8.1f MiB io %8.1f kB/s (%.1f %s)\n",
		    p->comm, (long long)p->pid, p->cpu_pct, p->mem_mb, p->io_kbps,
		    p->io_mb >= 10240 ? p->io_mb / 1024 : p->io_mb,
		    p->io_mb >= 10240 ? "GiB" : "MiB");
	}
}

int hr_advise_write_text(FILE *out, const struct hr_advice *a, const struct hr_advise_meta *m)
{
	char t1[64], t2[64], title[96], up[32];
	size_t bottlenecks = 0;

	if (!out || !a || !m)
		return -EINVAL;
	hr_advise_fmt_time(a->from_ms, t1, sizeof(t1));
	hr_advise_fmt_time(a->to_ms, t2, sizeof(t2));
	fprintf(out, "headroom advise: %s (%s, %d CPU%s)\n", *m->host ? m->host : "?",
		*m->kernel ? m->kernel : "?", a->ncpu, a->ncpu == 1 ? "" : "s");
	if (a->from_ms <= 0)
		fprintf(out, "range everything recorded up to %s\n", t2);
	else
		fprintf(out, "range %s - %s\n", t1, t2);
	hr_advise_fmt_time(a->first_ms, t1, sizeof(t1));
	hr_advise_fmt_time(a->last_ms, t2, sizeof(t2));
	fprintf(out, "data  %s - %s, %lld samples, %s\n", t1, t2, (long long)a->nsamples,
		a->bucket_ms ? "read in 1-minute buckets" : "read sample by sample");
	/* A reboot splits every stretch; one into another CPU count changes the
	 * meaning of the figures before it. */
	for (size_t i = 0; i < a->nrestarts; i++) {
		hr_advise_fmt_time(a->restarts[i].ts_ms, t1, sizeof(t1));
		fprintf(out, "%s %s", i ? "     " : "boot ", t1);
		if (a->restarts[i].ncpu > 0)
			fprintf(out, " (rebooted, %d CPU%s)", a->restarts[i].ncpu,
				a->restarts[i].ncpu == 1 ? "" : "s");
		else
			fputs(" (rebooted)", out);
		fputc('\n', out);
	}
	fputc('\n', out);
	for (size_t i = 0; i < a->nres; i++) {
		const struct hr_resource *r = &a->res[i];
		upper(hr_verdict_name(r->verdict), up, sizeof(up));
		fprintf(out, "%s: %s\n", hr_advise_res_title(r, title, sizeof(title)), up);
		fprintf(out, "  %s average %.2f, peak %.2f\n", r->main_metric, r->avg, r->peak);
		if (r->note[0])
			fprintf(out, "  %s\n", r->note);
		bool shown = false;
		for (size_t j = 0; j < r->nfind; j++) {
			finding(out, &r->find[j], !shown);
			shown = shown || r->find[j].ntop;
		}
		if (r->trend.valid && r->trend.weeks >= 0 && r->trend.weeks <= 520)
			fprintf(out,
				"  trend: %+.2f %s per week, now %.2f (reaches %g in about %.0f "
				"weeks)\n",
				z(r->trend.per_week), r->main_metric, r->trend.level,
				r->trend.threshold, ceil(r->trend.weeks));
		else if (r->trend.valid)
			fprintf(out, "  trend: %+.2f %s per week, now %.2f (not heading for %g)\n",
				z(r->trend.per_week), r->main_metric, r->trend.level,
				r->trend.threshold);
		fprintf(out, "\n");
		if (r->verdict >= HR_INVESTIGATE)
			bottlenecks++;
	}
	upper(hr_verdict_name(a->worst), up, sizeof(up));
	char shortr[256];
	bool too_short = hr_advise_too_short(a, shortr, sizeof(shortr));
	if (a->worst == HR_OK && too_short) {
		fprintf(out, "verdict: OK so far - too short to judge: %s\n", shortr);
	} else if (a->worst == HR_OK) {
		fprintf(out, "verdict: OK - no resource is the bottleneck in this period\n");
	} else {
		fprintf(out, "verdict: %s (", up);
		bool first = true;
		for (size_t i = 0; i < a->nres; i++) {
			if (a->res[i].verdict != a->worst)
				continue;
			fprintf(out, "%s%s", first ? "" : ", ",
				hr_advise_res_title(&a->res[i], title, sizeof(title)));
			first = false;
		}
		fprintf(out, ")\n");
		if (bottlenecks == 0)
			fprintf(out, "no resource is the bottleneck in this period; the above is "
				     "worth watching\n");
		if (too_short)
			fprintf(out, "too short to judge a sustained load: %s\n", shortr);
	}
	fprintf(out, "exit status %d\n", hr_verdict_exit(a->worst));
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return 0;
}
