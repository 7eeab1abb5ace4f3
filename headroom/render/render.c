/*
 * render.c - text, CSV and JSON report writers (headroom/render). One
 * struct of operations per format; the text writer follows sar's layout
 * (time column of 11, key right-aligned, values in " %9.2f", "Average:").
 * Depends on libc only; see hr_render.h for the contract.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hr_render.h"
#include "banned.h"

struct ltime {
	int year, mon, mday, hour, min, sec;
	long gmtoff;
	char zone[16];
};

struct hr_render {
	enum hr_format fmt;
	FILE *out;
	struct hr_render_info info;
	const struct hr_render_table *t;
	size_t nrows, navg, ntables;
	size_t next_restart;	/* in the current table: the first not yet shown */
	int64_t last_end;	/* the last millisecond the table's last row stands for */
	struct ltime day;	/* text: date and zone of the last line printed */
	struct ltime start;	/* text: date and zone of the header line */
};

static void local(int64_t ms, struct ltime *lt)
{
	time_t t = (time_t)(ms >= 0 ? ms / 1000 : -((-ms + 999) / 1000));
	struct tm tm;

	memset(lt, 0, sizeof(*lt));
	if (!localtime_r(&t, &tm))
		return;
	lt->year = tm.tm_year + 1900;
	lt->mon = tm.tm_mon + 1;
	lt->mday = tm.tm_mday;
	lt->hour = tm.tm_hour;
	lt->min = tm.tm_min;
	lt->sec = tm.tm_sec;
	lt->gmtoff = tm.tm_gmtoff;
	snprintf(lt->zone, sizeof(lt->zone), "%s", tm.tm_zone ? tm.tm_zone : "");
}

/* "2026-10-25T02:30:00+01:00" */
static void iso8601(int64_t ms, char *buf, size_t size)
{
	struct ltime lt;
	long off;

	local(ms, &lt);
	off = lt.gmtoff < 0 ? -lt.gmtoff : lt.gmtoff;
	snprintf(buf, size, "%04d-%02d-%02dT%02d:%02d:%02d%c%02ld:%02ld", lt.year, lt.mon, lt.mday,
		 lt.hour, lt.min, lt.sec, lt.gmtoff < 0 ? '-' : '+', off / 3600, off / 60 % 60);
}

int hr_format_parse(const char *s, enum hr_format *ret)
{
	if (!strcmp(s, "text"))
		*ret = HR_FORMAT_TEXT;
	else if (!strcmp(s, "csv"))
		*ret = HR_FORMAT_CSV;
	else if (!strcmp(s, "json"))
		*ret = HR_FORMAT_JSON;
	else
		return -EINVAL;
	return 0;
}

/* ---- text ------------------------------------------------------------------ */

static bool same_day(const struct ltime *a, const struct ltime *b)
{
	return a->year == b->year && a->mon == b->mon && a->mday == b->mday &&
	       !strcmp(a->zone, b->zone);
}

static void text_dateline(struct hr_render *r, const struct ltime *lt)
{
	fprintf(r->out, "%04d-%02d-%02d %s\n", lt->year, lt->mon, lt->mday, lt->zone);
}

static void text_header(struct hr_render *r, const char *first)
{
	const struct hr_render_table *t = r->t;

	fprintf(r->out, "\n%-11s", first);
	if (t->keyname)
		fprintf(r->out, " %*s", t->keywidth, t->keyname);
	for (size_t i = 0; i < t->ncols; i++)
		fprintf(r->out, " %9s", t->cols[i].name);
	if (t->tailname)
		fprintf(r->out, " %s", t->tailname);
	fputc('\n', r->out);
}

static void text_values(struct hr_render *r, const char *first, const char *key, const char *tail,
			const double *v, const bool *nul)
{
	const struct hr_render_table *t = r->t;

	fprintf(r->out, "%-11s", first);
	if (t->keyname)
		fprintf(r->out, " %*s", t->keywidth, key ? key : "-");
	for (size_t i = 0; i < t->ncols; i++) {
		if (nul[i] || !isfinite(v[i]))
			fprintf(r->out, " %9s", "-");
		else
			fprintf(r->out, " %9.*f", t->cols[i].decimals, v[i]);
	}
	if (t->tailname)
		fprintf(r->out, " %s", tail ? tail : "-");
	fputc('\n', r->out);
}

static void text_start(struct hr_render *r)
{
	struct ltime a, b;

	local(r->info.from_ms, &a);
	local(r->info.to_ms, &b);
	fprintf(r->out, "Linux %s (%s) \t%04d-%02d-%02d %s", *r->info.kernel ? r->info.kernel : "?",
		*r->info.host ? r->info.host : "?", a.year, a.mon, a.mday, a.zone);
	if (!same_day(&a, &b))
		fprintf(r->out, " .. %04d-%02d-%02d %s", b.year, b.mon, b.mday, b.zone);
	if (r->info.ncpu > 0)
		fprintf(r->out, " \t(%d CPU)", r->info.ncpu);
	fputc('\n', r->out);
	r->start = a;
}

/* The last millisecond a row at TS covering SPAN stands for. */
static int64_t row_end(const struct hr_render *r, int64_t ts, int64_t span)
{
	return r->info.bucket_ms > 0 ? ts + span - 1 : ts;
}

/*
 * The restarts to show before a row at TS: those up to its sample (a
 * sample row), or before its bucket began (a bucket row: a reboot inside
 * a bucket follows that bucket's rows, so times never go backwards).
 */
static int64_t restarts_before(const struct hr_render *r, int64_t ts)
{
	return r->info.bucket_ms > 0 ? ts - 1 : ts;
}

/* sar's restart line, under the time of the first sample after the reboot. */
static void text_restarts(struct hr_render *r, int64_t until)
{
	while (r->next_restart < r->info.nrestarts &&
	       r->info.restarts[r->next_restart].ts_ms <= until) {
		const struct hr_render_restart *rs = &r->info.restarts[r->next_restart++];
		struct ltime lt;
		char hms[16];

		local(rs->ts_ms, &lt);
		if (!same_day(&lt, &r->day))
			text_dateline(r, &lt);
		r->day = lt;
		snprintf(hms, sizeof(hms), "%02d:%02d:%02d", lt.hour, lt.min, lt.sec);
		fprintf(r->out, "%-11s     LINUX RESTART", hms);
		if (rs->ncpu > 0)
			fprintf(r->out, "\t(%d CPU)", rs->ncpu);
		fputc('\n', r->out);
	}
}

static void text_row(struct hr_render *r, int64_t ts, int64_t span, const char *key,
		     const char *tail, const double *v, const bool *nul)
{
	struct ltime lt;
	char hms[16];

	local(ts, &lt);
	snprintf(hms, sizeof(hms), "%02d:%02d:%02d", lt.hour, lt.min, lt.sec);
	if (r->nrows == 0) {
		if (!same_day(&lt, &r->day)) {
			fputc('\n', r->out);
			text_dateline(r, &lt);
			r->day = lt;
		}
		text_header(r, hms);
	}
	text_restarts(r, restarts_before(r, ts));
	r->last_end = row_end(r, ts, span);
	if (!same_day(&lt, &r->day))
		text_dateline(r, &lt);
	r->day = lt;
	text_values(r, hms, key, tail, v, nul);
}

static void text_average(struct hr_render *r, const char *key, const char *tail, const double *v,
			 const bool *nul)
{
	if (r->nrows == 0)
		return;
	text_restarts(r, r->last_end); /* inside the last bucket */
	text_values(r, "Average:", key, tail, v, nul);
}

/* ---- CSV --------------------------------------------------------------------- */

static void csv_field(FILE *f, const char *s)
{
	if (!s)
		return;
	if (!strpbrk(s, ",\"\r\n")) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

/* sadf -d's restart line, for the restarts up to UNTIL not yet shown. */
static void csv_restarts(struct hr_render *r, int64_t until)
{
	char when[40];

	while (r->next_restart < r->info.nrestarts &&
	       r->info.restarts[r->next_restart].ts_ms <= until) {
		const struct hr_render_restart *rs = &r->info.restarts[r->next_restart++];

		iso8601(rs->ts_ms, when, sizeof(when));
		csv_field(r->out, r->info.host);
		fprintf(r->out, ",-1,%s,LINUX-RESTART", when);
		if (rs->ncpu > 0)
			fprintf(r->out, " (%d CPU)", rs->ncpu);
		fputc('\n', r->out);
	}
}

static void csv_row(struct hr_render *r, int64_t ts, int64_t span, const char *key,
		    const char *tail, const double *v, const bool *nul)
{
	const struct hr_render_table *t = r->t;
	char when[40];

	if (r->nrows == 0) {
		if (r->ntables > 0)
			fputc('\n', r->out);
		fputs("hostname,interval,timestamp", r->out);
		if (t->keyname) {
			fputc(',', r->out);
			csv_field(r->out, t->keyname);
		}
		for (size_t i = 0; i < t->ncols; i++) {
			fputc(',', r->out);
			csv_field(r->out, t->cols[i].name);
		}
		if (t->tailname) {
			fputc(',', r->out);
			csv_field(r->out, t->tailname);
		}
		fputc('\n', r->out);
	}
	csv_restarts(r, restarts_before(r, ts));
	r->last_end = row_end(r, ts, span);
	iso8601(ts, when, sizeof(when));
	csv_field(r->out, r->info.host);
	fprintf(r->out, ",%lld,%s", (long long)((span + 500) / 1000), when);
	if (t->keyname) {
		fputc(',', r->out);
		csv_field(r->out, key);
	}
	for (size_t i = 0; i < t->ncols; i++) {
		if (nul[i] || !isfinite(v[i]))
			fputc(',', r->out);
		else
			fprintf(r->out, ",%.*f", t->cols[i].decimals, v[i]);
	}
	if (t->tailname) {
		fputc(',', r->out);
		csv_field(r->out, tail);
	}
	fputc('\n', r->out);
}

/* ---- JSON ------------------------------------------------------------------- */

static void json_str(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		if (*p == '"' || *p == '\\')
			fprintf(f, "\\%c", *p);
		else if (*p < 0x20)
			fprintf(f, "\\u%04x", *p);
		else
			fputc(*p, f);
	}
	fputc('"', f);
}

static void json_start(struct hr_render *r)
{
	char a[40], b[40];

	iso8601(r->info.from_ms, a, sizeof(a));
	iso8601(r->info.to_ms, b, sizeof(b));
	fputs("{\"host\": {\"nodename\": ", r->out);
	json_str(r->out, r->info.host);
	fputs(", \"kernel\": ", r->out);
	json_str(r->out, r->info.kernel);
	if (r->info.ncpu > 0)
		fprintf(r->out, ", \"ncpu\": %d}", r->info.ncpu);
	else
		fputs(", \"ncpu\": null}", r->out);
	fprintf(r->out, ",\n \"from\": \"%s\", \"to\": \"%s\", \"interval\": ", a, b);
	if (r->info.bucket_ms > 0)
		fprintf(r->out, "%lld", (long long)(r->info.bucket_ms / 1000));
	else
		fputs("null", r->out);
	fputs(",\n \"restarts\": [", r->out);
	for (size_t i = 0; i < r->info.nrestarts; i++) {
		iso8601(r->info.restarts[i].ts_ms, a, sizeof(a));
		fprintf(r->out, "%s{\"timestamp\": \"%s\", \"ncpu\": ", i ? ", " : "", a);
		if (r->info.restarts[i].ncpu > 0)
			fprintf(r->out, "%d}", r->info.restarts[i].ncpu);
		else
			fputs("null}", r->out);
	}
	fputs("],\n \"tables\": [", r->out);
}

static void json_begin(struct hr_render *r)
{
	const struct hr_render_table *t = r->t;
	bool first = true;

	fputs(r->ntables ? ",\n" : "\n", r->out);
	fputs("  {\"activity\": ", r->out);
	json_str(r->out, t->name);
	fputs(", \"columns\": [", r->out);
	if (t->keyname) {
		json_str(r->out, t->keyname);
		first = false;
	}
	for (size_t i = 0; i < t->ncols; i++) {
		fputs(first ? "" : ", ", r->out);
		json_str(r->out, t->cols[i].name);
		first = false;
	}
	if (t->tailname) {
		fputs(first ? "" : ", ", r->out);
		json_str(r->out, t->tailname);
	}
	fputs("],\n   \"rows\": [", r->out);
}

static void json_values(struct hr_render *r, const char *key, const char *tail, const double *v,
			const bool *nul)
{
	const struct hr_render_table *t = r->t;

	if (t->keyname) {
		fputs(", ", r->out);
		json_str(r->out, t->keyname);
		fputs(": ", r->out);
		json_str(r->out, key);
	}
	for (size_t i = 0; i < t->ncols; i++) {
		fputs(", ", r->out);
		json_str(r->out, t->cols[i].name);
		if (nul[i] || !isfinite(v[i]))
			fputs(": null", r->out);
		else
			fprintf(r->out, ": %.*f", t->cols[i].decimals, v[i]);
	}
	if (t->tailname) {
		fputs(", ", r->out);
		json_str(r->out, t->tailname);
		fputs(": ", r->out);
		json_str(r->out, tail);
	}
	fputc('}', r->out);
}

static void json_row(struct hr_render *r, int64_t ts, int64_t span, const char *key,
		     const char *tail, const double *v, const bool *nul)
{
	char when[40];

	iso8601(ts, when, sizeof(when));
	fprintf(r->out, "%s\n    {\"timestamp\": \"%s\", \"interval\": %lld", r->nrows ? "," : "",
		when, (long long)((span + 500) / 1000));
	json_values(r, key, tail, v, nul);
}

static void json_average(struct hr_render *r, const char *key, const char *tail, const double *v,
			 const bool *nul)
{
	if (r->navg == 0)
		fputs(r->nrows ? "\n   ],\n   \"average\": [" : "],\n   \"average\": [", r->out);
	fprintf(r->out, "%s\n    {\"average\": true", r->navg ? "," : "");
	json_values(r, key, tail, v, nul);
}

static void json_end(struct hr_render *r)
{
	if (r->navg)
		fputs("\n   ]}", r->out);
	else
		fputs(r->nrows ? "\n   ],\n   \"average\": []}" : "],\n   \"average\": []}", r->out);
}

/* ---- dispatch ---------------------------------------------------------------- */

int hr_render_new(enum hr_format fmt, FILE *out, const struct hr_render_info *info,
		  struct hr_render **ret)
{
	struct hr_render *r = calloc(1, sizeof(*r));

	if (!r)
		return -ENOMEM;
	r->fmt = fmt;
	r->out = out;
	r->info = *info;
	if (!r->info.host)
		r->info.host = "";
	if (!r->info.kernel)
		r->info.kernel = "";
	if (fmt == HR_FORMAT_TEXT)
		text_start(r);
	else if (fmt == HR_FORMAT_JSON)
		json_start(r);
	*ret = r;
	return 0;
}

void hr_render_free(struct hr_render *r)
{
	free(r);
}

int hr_render_begin(struct hr_render *r, const struct hr_render_table *table)
{
	if (r->t)
		return -EINVAL;
	r->t = table;
	r->nrows = r->navg = 0;
	r->next_restart = 0;
	r->day = r->start;
	if (r->fmt == HR_FORMAT_JSON)
		json_begin(r);
	return 0;
}

int hr_render_row(struct hr_render *r, int64_t ts_ms, int64_t span_ms, const char *key,
		  const char *tail, const double *v, const bool *nul)
{
	if (!r->t || r->navg)
		return -EINVAL;
	switch (r->fmt) {
	case HR_FORMAT_TEXT:
		text_row(r, ts_ms, span_ms, key, tail, v, nul);
		break;
	case HR_FORMAT_CSV:
		csv_row(r, ts_ms, span_ms, key, tail, v, nul);
		break;
	case HR_FORMAT_JSON:
		json_row(r, ts_ms, span_ms, key, tail, v, nul);
		break;
	}
	r->nrows++;
	return 0;
}

int hr_render_average(struct hr_render *r, const char *key, const char *tail, const double *v,
		      const bool *nul)
{
	if (!r->t)
		return -EINVAL;
	if (r->fmt == HR_FORMAT_TEXT)
		text_average(r, key, tail, v, nul);
	else if (r->fmt == HR_FORMAT_JSON)
		json_average(r, key, tail, v, nul);
	/* CSV: one line per row only, as sadf -d; no average lines. */
	r->navg++;
	return 0;
}

int hr_render_end(struct hr_render *r)
{
	if (!r->t)
		return -EINVAL;
	if (r->fmt == HR_FORMAT_JSON) {
		json_end(r);
		r->ntables++;
	} else if (r->nrows) {
		/* a reboot inside the last bucket, when there was no average line */
		if (r->fmt == HR_FORMAT_TEXT && r->navg == 0)
			text_restarts(r, r->last_end);
		else if (r->fmt == HR_FORMAT_CSV)
			csv_restarts(r, r->last_end);
		r->ntables++;
	}
	r->t = NULL;
	return 0;
}

int hr_render_finish(struct hr_render *r)
{
	if (r->fmt == HR_FORMAT_JSON)
		fputs(r->ntables ? "\n ]}\n" : "]}\n", r->out);
	if (fflush(r->out) != 0 || ferror(r->out))
		return errno ? -errno : -EIO;
	return 0;
}
