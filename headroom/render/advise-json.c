/*
 * advise-json.c - `headroom advise --format json` (headroom/render): the
 * same verdicts and evidence as advise-text.c, for monitoring and scripts.
 * Durations in seconds, times ISO 8601 with the UTC offset, numbers with
 * two decimals. Reads struct hr_advice (hr_advise.h); never logs.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "hr_advise_render.h"
#include "hr_analyze.h"
#include "cleanup.h"
#include "banned.h"

static void j_str(FILE *out, const char *s)
{
	fputc('"', out);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\')
			fprintf(out, "\\%c", c);
		else if (c < 0x20)
			fprintf(out, "\\u%04x", c);
		else
			fputc(c, out);
	}
	fputc('"', out);
}

static void j_time(FILE *out, int64_t ms)
{
	struct hr_tm lt;
	long off;

	if (ms == 0 || hr_time_local(ms, &lt) < 0) {
		fputs("null", out);
		return;
	}
	off = lt.gmtoff < 0 ? -lt.gmtoff : lt.gmtoff;
	fprintf(out, "\"%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld\"", lt.year, lt.mon, lt.mday,
		lt.hour, lt.min, lt.sec, lt.gmtoff < 0 ? '-' : '+', off / 3600, off / 60 % 60);
}

static void j_day(FILE *out, int64_t ms)
{
	struct hr_tm lt;

	if (ms == 0 || hr_time_local(ms, &lt) < 0)
		fputs("null", out);
	else
		fprintf(out, "\"%04d-%02d-%02d\"", lt.year, lt.mon, lt.mday);
}

static void j_num(FILE *out, double v)
{
	if (isnan(v) || isinf(v))
		fputs("null", out);
	else
		fprintf(out, "%.2f", fabs(v) < 0.005 ? 0 : v);
}

static const char *kind_name(enum hr_res_kind k)
{
	return k == HR_RES_CPU	  ? "cpu"
	       : k == HR_RES_MEM  ? "memory"
	       : k == HR_RES_DISK ? "disk"
				  : "network";
}

static void j_finding(FILE *out, const struct hr_finding *f)
{
	const struct hr_episode *e = &f->ep;

	fputs("{\"rule\": ", out);
	j_str(out, f->rule);
	fputs(", \"verdict\": ", out);
	j_str(out, hr_verdict_name(f->verdict));
	fputs(", \"text\": ", out);
	j_str(out, f->text);
	fputs(", \"metric\": ", out);
	j_str(out, f->metric);
	fputs(", \"condition\": ", out);
	j_str(out, f->cond);
	fputs(", \"threshold\": ", out);
	j_num(out, f->threshold);
	fprintf(out, ", \"total_s\": %lld, \"sustained_s\": %lld, \"longest_s\": %lld",
		(long long)hr_dur_s(e->total_ms), (long long)hr_dur_s(e->sustained_ms),
		(long long)hr_dur_s(e->longest_ms));
	fputs(", \"longest_from\": ", out);
	j_time(out, e->total_ms ? e->longest_start : 0);
	fputs(", \"worst_day\": ", out);
	j_day(out, e->worst_day);
	fprintf(out, ", \"worst_day_s\": %lld, \"peak\": ", (long long)hr_dur_s(e->worst_day_ms));
	j_num(out, e->peak);
	fputs(", \"mean\": ", out);
	j_num(out, e->mean);
	fputs(", \"note\": ", out);
	j_str(out, f->note);
	fputs(", \"evidence\": ", out);
	j_str(out, f->evidence);
	fputs(", \"cause\": ", out);
	j_str(out, f->cause == HR_CAUSE_MEMORY	? "memory"
		   : f->cause == HR_CAUSE_ROGUE ? "process"
						: "");
	fputs(", \"top_by\": ", out);
	j_str(out, f->top_by == 1 ? "cpu" : f->top_by == 2 ? "memory" : f->top_by == 3 ? "io" : "");
	fputs(", \"top\": [", out);
	for (size_t i = 0; i < f->ntop; i++) {
		const struct hr_proc_use *p = &f->top[i];
		fprintf(out, "%s{\"pid\": %lld, \"comm\": ", i ? ", " : "", (long long)p->pid);
		j_str(out, p->comm);
		fputs(", \"cpu_pct\": ", out);
		j_num(out, p->cpu_pct);
		fputs(", \"mem_mb\": ", out);
		j_num(out, p->mem_mb);
		fputs(", \"io_kbps\": ", out);
		j_num(out, p->io_kbps);
		fputs(", \"io_mb\": ", out);
		j_num(out, p->io_mb);
		fputs("}", out);
	}
	fputs("]}", out);
}

int hr_advise_write_json(FILE *out, const struct hr_advice *a, const struct hr_advise_meta *m)
{
	if (!out || !a || !m)
		return -EINVAL;
	fputs("{\"host\": ", out);
	j_str(out, m->host);
	fputs(", \"kernel\": ", out);
	j_str(out, m->kernel);
	fprintf(out, ", \"ncpu\": %d, \"from\": ", a->ncpu);
	j_time(out, a->from_ms);
	fputs(", \"to\": ", out);
	j_time(out, a->to_ms);
	fputs(", \"first\": ", out);
	j_time(out, a->first_ms);
	fputs(", \"last\": ", out);
	j_time(out, a->last_ms);
	fprintf(out,
		", \"samples\": %lld, \"bucket_s\": %lld,\n \"verdict\": ", (long long)a->nsamples,
		(long long)(a->bucket_ms / 1000));
	j_str(out, hr_verdict_name(a->worst));
	char shortr[256];
	bool too_short = hr_advise_too_short(a, shortr, sizeof(shortr));
	fprintf(out, ", \"exit_status\": %d, \"too_short\": %s, \"too_short_why\": ",
		hr_verdict_exit(a->worst), too_short ? "true" : "false");
	j_str(out, shortr);
	fputs(",\n \"restarts\": [", out);
	for (size_t i = 0; i < a->nrestarts; i++) {
		fputs(i ? ", {\"timestamp\": " : "{\"timestamp\": ", out);
		j_time(out, a->restarts[i].ts_ms);
		if (a->restarts[i].ncpu > 0)
			fprintf(out, ", \"ncpu\": %d}", a->restarts[i].ncpu);
		else
			fputs(", \"ncpu\": null}", out);
	}
	fputs("],\n \"resources\": [", out);
	for (size_t i = 0; i < a->nres; i++) {
		const struct hr_resource *r = &a->res[i];
		fprintf(out, "%s\n  {\"resource\": ", i ? "," : "");
		j_str(out, kind_name(r->s.kind));
		fputs(", \"name\": ", out);
		j_str(out, r->s.name);
		fputs(", \"verdict\": ", out);
		j_str(out, hr_verdict_name(r->verdict));
		fputs(", \"metric\": ", out);
		j_str(out, r->main_metric);
		fputs(", \"average\": ", out);
		j_num(out, r->avg);
		fputs(", \"peak\": ", out);
		j_num(out, r->peak);
		fputs(", \"note\": ", out);
		j_str(out, r->note);
		fputs(",\n   \"trend\": ", out);
		if (r->trend.valid) {
			fputs("{\"per_week\": ", out);
			j_num(out, r->trend.per_week);
			fputs(", \"level\": ", out);
			j_num(out, r->trend.level);
			fputs(", \"threshold\": ", out);
			j_num(out, r->trend.threshold);
			fputs(", \"weeks_to_threshold\": ", out);
			j_num(out, r->trend.weeks >= 0 ? r->trend.weeks : NAN);
			fputs("}", out);
		} else {
			fputs("null", out);
		}
		fputs(",\n   \"findings\": [", out);
		for (size_t j = 0; j < r->nfind; j++) {
			fputs(j ? ",\n    " : "\n    ", out);
			j_finding(out, &r->find[j]);
		}
		fputs("]}", out);
	}
	fputs("],\n \"thresholds\": {", out);
	for (size_t i = 0; i < HR_TH_COUNT; i++) {
		fprintf(out, "%s\"%s\": ", i ? ", " : "", hr_threshold_defs[i].name);
		j_num(out, a->th.v[i]);
	}
	fputs("}}\n", out);
	if (fflush(out) != 0 || ferror(out))
		return -EIO;
	return 0;
}
