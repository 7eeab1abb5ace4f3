/*
 * report_html.c - `headroom report --html FILE` and `--pdf FILE`
 * (headroom/cli): every chart panel of a range plus the top processes, as
 * one self-contained HTML page (inline CSS, charts as inline SVG whose
 * labels are real text; no script, nothing fetched) readable on a phone
 * (one chart a row, larger chart text) and a wide screen (two a row),
 * or as a multi-page PDF. Glue only: the charts come from graph.c and
 * headroom/render, the process ranking from headroom/analyze's "top".
 */
#include <errno.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_advise.h"
#include "hr_advise_render.h"
#include "hr_analyze.h"
#include "hr_chart.h"
#include "hr_cli.h"
#include "hr_graph.h"
#include "hr_page.h"
#include "hr_report.h"
#include "cleanup.h"
#include "log.h"
#include "banned.h"

#define PDF_WIDTH 595.0 /* A4 portrait, points */
#define PDF_CHART_H 200.0
#define PDF_PER_PAGE 4
#define BUF_MAX (512u << 20)


int hr_buf_add(void *closure, const unsigned char *data, size_t len)
{
	struct hr_buf *b = closure;

	if (len > BUF_MAX - b->len)
		return -E2BIG;
	if (b->len + len + 1 > b->cap) {
		size_t ncap = b->cap ? b->cap : 4096;
		char *g;
		while (ncap < b->len + len + 1)
			ncap *= 2;
		g = realloc(b->p, ncap);
		if (!g)
			return -ENOMEM;
		b->p = g;
		b->cap = ncap;
	}
	memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = 0;
	return 0;
}

int hr_buf_puts(struct hr_buf *b, const char *s)
{
	return hr_buf_add(b, (const unsigned char *)s, strlen(s));
}

int hr_buf_printf(struct hr_buf *b, const char *fmt, ...)
{
	char tmp[1024];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return hr_buf_add(b, (const unsigned char *)tmp,
		       (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Text with &, <, >, " escaped (bytes that are not printable ASCII or UTF-8 kept). */
int hr_buf_esc(struct hr_buf *b, const char *s)
{
	int r = 0;

	for (; *s && r == 0; s++) {
		switch (*s) {
		case '&':
			r = hr_buf_puts(b, "&amp;");
			break;
		case '<':
			r = hr_buf_puts(b, "&lt;");
			break;
		case '>':
			r = hr_buf_puts(b, "&gt;");
			break;
		case '"':
			r = hr_buf_puts(b, "&quot;");
			break;
		default:
			if ((unsigned char)*s < 0x20)
				r = hr_buf_puts(b, "?");
			else
				r = hr_buf_add(b, (const unsigned char *)s, 1);
		}
	}
	return r;
}


static int cmp_proc(const void *x, const void *y)
{
	const struct hr_proc *a = x, *b = y;

	return a->cpu < b->cpu ? 1 : a->cpu > b->cpu ? -1 : strcmp(a->pid, b->pid);
}

static int cmp_proc_io(const void *x, const void *y)
{
	const struct hr_proc *a = x, *b = y;
	double ia = a->rd + a->wr, ib = b->rd + b->wr;

	return ia < ib ? 1 : ia > ib ? -1 : strcmp(a->pid, b->pid);
}

/* The top processes of the whole range by CPU (at most TOP_POOL), by CPU. */
int hr_page_top_procs(struct hr_db *db, int64_t from, int64_t to, struct hr_proc *ret, size_t *n)
{
	const struct hr_activity *act = hr_activity_find("top");
	struct hr_query q = {
	    .range = {.from_ms = from, .to_ms = to, .tod_from = -1, .tod_to = -1},
	    .bucket_ms = 86400000LL,
	    .top_n = TOP_POOL,
	};
	struct hr_rows *rows = NULL;
	struct hr_row row;
	int r;

	*n = 0;
	if (!act)
		return -ENOENT;
	r = hr_rows_open(db, act, &q, &rows);
	if (r == -ENOENT)
		return 0; /* no schema: no process */
	if (r < 0)
		return r;
	while ((r = hr_rows_next(rows, &row)) > 0) {
		struct hr_proc *p;
		if (!row.average || *n >= TOP_POOL || row.n < 5)
			continue;
		p = &ret[(*n)++];
		snprintf(p->pid, sizeof(p->pid), "%s", row.key ? row.key : "");
		snprintf(p->comm, sizeof(p->comm), "%s", row.tail ? row.tail : "");
		p->cpu = row.null[0] ? 0 : row.v[0];
		p->rss = row.null[1] ? 0 : row.v[1];
		p->swp = row.null[2] ? 0 : row.v[2];
		p->rd = row.null[3] ? 0 : row.v[3];
		p->wr = row.null[4] ? 0 : row.v[4];
	}
	hr_rows_free(rows);
	if (r < 0)
		return r;
	qsort(ret, *n, sizeof(*ret), cmp_proc);
	return 0;
}

const char hr_page_css[] =
    "body{margin:0;background:#f4f5f7;color:#1a1a1a;"
    "font-family:-apple-system,'Segoe UI',Roboto,'DejaVu Sans',sans-serif;font-size:15px}"
    "main{max-width:1160px;margin:0 auto;padding:12px}"
    "header{background:#fff;border:1px solid #ddd;border-radius:6px;padding:12px 16px;"
    "margin-bottom:12px}"
    "h1{font-size:1.35em;margin:0 0 6px}h2{font-size:1.1em;margin:0 0 8px}"
    "dl{display:grid;grid-template-columns:max-content auto;gap:2px 12px;margin:0}"
    "dt{color:#666}dd{margin:0}"
    "section{background:#fff;border:1px solid #ddd;border-radius:6px;padding:8px;"
    "margin-bottom:12px}"
    ".charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(500px,1fr));gap:12px;"
    "margin-bottom:12px}"
    "figure{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;padding:6px 8px}"
    "figcaption{font-size:.88em;color:#333}figcaption b{display:block;font-size:1.05em;"
    "margin-bottom:2px;color:#1a1a1a}"
    ".lg{display:inline-block;margin-right:10px;white-space:nowrap}"
    ".lg i{display:inline-block;width:11px;height:9px;margin-right:4px}"
    ".lg i.pk{height:0;border-top:2px solid #333;vertical-align:middle}"
    ".lg i.th{height:0;border-top:2px dashed #cc1a1a;vertical-align:middle}"
    "svg.chart{display:block;width:100%;height:auto;font:11px 'DejaVu Sans',sans-serif}"
    ".chart .bg{fill:#fbfbfb}.chart .grid{stroke:#e0e0e0;fill:none}"
    ".chart .major{stroke:#a6a6a6;fill:none}.chart .ax{stroke:#8c8c8c;fill:none}"
    ".yl text{text-anchor:end;fill:#4d4d4d}.xl text{text-anchor:middle;fill:#4d4d4d}"
    ".xl .s{text-anchor:start}.xl .e{text-anchor:end}.xl .d{font-weight:bold}"
    ".xl .z{font-size:10px;fill:#737373}"
    ".chart .mk{fill:#f28c1a;fill-opacity:.16}.mkt{font-size:9px;fill:#994d00}"
    ".chart .rb{stroke:#26408f;stroke-width:1.2;stroke-dasharray:3 3}.rbt{font-size:9px;"
    "fill:#26408f}.chart .band{opacity:.2}"
    ".chart .ln{fill:none;stroke-width:1.5;stroke-linejoin:round}"
    ".chart .pk{fill:none;stroke-width:.8;opacity:.8}"
    ".chart .th{stroke:#cc1a1a;stroke-width:1.2;fill:none}.th0{stroke-dasharray:6 4}"
    ".th1{stroke-dasharray:2 3}.th2{stroke-dasharray:10 3}"
    ".chart .nd{font-size:16px;fill:#808080;text-anchor:middle}"
    ".tbl{overflow-x:auto}table{border-collapse:collapse;width:100%;font-size:.92em}"
    "th,td{padding:4px 8px;border-bottom:1px solid #eee;text-align:right;white-space:nowrap}"
    "th:nth-child(2),td:nth-child(2){text-align:left}th{background:#fafafa}"
    ".note{color:#666;font-size:.9em}"
    ".worst{font-size:1.15em;font-weight:600}"
    ".v{display:inline-block;padding:1px 7px;border-radius:9px;color:#fff;font-size:.85em;"
    "font-weight:600;text-transform:uppercase}"
    ".v-ok{background:#2e7d32}.v-watch{background:#b26a00}.v-investigate{background:#6a1b9a}"
    ".v-upgrade{background:#c62828}"
    "table.verdict td{vertical-align:top}table.verdict td:first-child,"
    "table.verdict th:first-child,table.verdict th:last-child{text-align:left}"
    "table.verdict td.why{text-align:left;"
    "white-space:normal;min-width:18em}td.why ul{margin:0;padding-left:1.1em}"
    "td.why li{margin-bottom:6px}details{margin-top:8px}summary{cursor:pointer;color:#444}"
    /* phones: one resource per block instead of a wide table */
    "@media (max-width:700px){table.verdict,table.verdict tbody,table.verdict tr,"
    "table.verdict td{display:block;width:auto}table.verdict th{display:none}"
    "table.verdict td{text-align:left;border:0;padding:2px 4px}"
    "table.verdict tr{border-bottom:1px solid #ddd;padding:6px 0}"
    "table.verdict td.why{min-width:0}"
    ".charts{grid-template-columns:1fr}svg.chart{font-size:18px}.xl .z{font-size:14px}"
    ".mkt,.rbt{font-size:13px}main{padding:6px}}";

/*
 * The advisor's verdict over the same range: the summary table (ADVICE_HTML,
 * advise-html.c), then the full text evidence (ADVICE) folded away.
 */
static int verdict_section(struct hr_buf *b, const char *advice, const char *advice_html,
			   const struct hr_advice *a)
{
	int r;

	r = hr_buf_puts(b, "<section><h2>Verdict</h2>");
	if (!advice || !a) {
		r = r ?: hr_buf_puts(b, "<p class=\"note\">no verdict: no data in this range</p>");
	} else {
		r = r ?: hr_buf_puts(b, advice_html ? advice_html : "");
		r = r ?: hr_buf_puts(b, "<details><summary>The advisor's full evidence, as "
				     "<code>headroom advise</code> prints it</summary>"
				     "<div class=\"tbl\"><pre>");
		/* line by line: hr_buf_esc() masks control characters, newlines included */
		for (const char *p = advice; *p && r == 0;) {
			const char *nl = strchr(p, '\n');
			size_t len = nl ? (size_t)(nl - p) : strlen(p);
			char *line = strndup(p, len);
			if (!line)
				return -ENOMEM;
			r = hr_buf_esc(b, line);
			r = r ?: hr_buf_puts(b, "\n");
			free(line);
			p += len + (nl ? 1 : 0);
		}
		r = r ?: hr_buf_puts(b, "</pre></div></details><p class=\"note\">thresholds: the "
				     "defaults and THRESHOLD_* of headroom.conf; <code>headroom "
				     "advise --list-thresholds</code> explains every one.</p>");
	}
	return r ?: hr_buf_puts(b, "</section>\n");
}

/* The note under a process table when some samples came from sysstat. */
int hr_page_imported_note(struct hr_buf *b, struct hr_db *db, int64_t from, int64_t to)
{
	struct hr_range rg = {.from_ms = from, .to_ms = to, .tod_from = -1, .tod_to = -1};
	int64_t n = 0;

	if (hr_db_count_imported(db, &rg, &n) < 0 || n == 0)
		return 0;
	return hr_buf_printf(b, "<p class=\"note\">%lld samples of this range were imported from "
			     "sysstat, which records no processes: the process tables leave them "
			     "out.</p>", (long long)n);
}

/* A table of processes (at most TOP_N), as ordered in P. */
int hr_page_procs(struct hr_buf *b, const struct hr_proc *p, size_t n)
{
	int r;

	if (n == 0)
		return hr_buf_puts(b, "<p class=\"note\">no data</p>");
	r = hr_buf_puts(b, "<div class=\"tbl\"><table><thead><tr><th>PID</th><th>Command</th>"
			"<th>%CPU</th><th>RSS max (MiB)</th><th>swap max (MiB)</th>"
			"<th>read kB/s</th><th>write kB/s</th></tr></thead><tbody>");
	for (size_t i = 0; i < n && r == 0; i++) {
		r = hr_buf_puts(b, "<tr><td>");
		r = r ?: hr_buf_esc(b, p[i].pid);
		r = r ?: hr_buf_puts(b, "</td><td>");
		r = r ?: hr_buf_esc(b, p[i].comm);
		r = r ?: hr_buf_printf(b,
				    "</td><td>%.2f</td><td>%.1f</td><td>%.1f</td>"
				    "<td>%.2f</td><td>%.2f</td></tr>",
				    p[i].cpu, p[i].rss / 1024, p[i].swp / 1024, p[i].rd, p[i].wr);
	}
	return r ?: hr_buf_puts(b, "</tbody></table></div><p class=\"note\">%CPU is of one core, "
				"averaged over the whole range.</p>");
}

/* One chart: its title and legend as HTML text, the plot as inline SVG. */
int hr_page_chart(struct hr_buf *b, const struct hr_chart *c)
{
	char col[8];
	int r;

	r = hr_buf_puts(b, "<figure><figcaption><b>");
	r = r ?: hr_buf_esc(b, c->title);
	r = r ?: hr_buf_puts(b, "</b>");
	for (size_t s = 0; s < c->nseries && r == 0; s++) {
		if (c->series[s].peak)
			r = hr_buf_puts(b, "<span class=\"lg\"><i class=\"pk\"></i>");
		else
			r = hr_buf_printf(b, "<span class=\"lg\"><i style=\"background:%s\"></i>",
				       hr_chart_svg_color(s, c->stacked, col));
		r = r ?: hr_buf_esc(b, c->series[s].label);
		r = r ?: hr_buf_puts(b, "</span> ");
	}
	for (size_t t = 0; t < HR_CHART_THRESHOLDS && r == 0; t++) {
		if (!(c->threshold[t] > 0) || !c->threshold_label[t])
			continue;
		r = hr_buf_puts(b, "<span class=\"lg\"><i class=\"th\"></i>");
		r = r ?: hr_buf_esc(b, c->threshold_label[t]);
		r = r ?: hr_buf_puts(b, "</span> ");
	}
	r = r ?: hr_buf_puts(b, "</figcaption>");
	r = r ?: hr_chart_svg(c, HTML_WIDTH, HTML_CHART_H, hr_buf_add, b);
	return r ?: hr_buf_puts(b, "</figure>\n");
}

static int write_html(struct hr_buf *b, const struct hr_graph *g, const char *from_s, const char *to_s,
		      const char *zone, const struct hr_proc *procs, size_t np, const char *advice,
		      const char *advice_html, const struct hr_advice *a, const char *note)
{
	int r = 0;

	r = hr_buf_puts(b, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
			"<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\"/>"
			"<title>headroom: ");
	r = r ?: hr_buf_esc(b, g->host);
	r = r ?: hr_buf_puts(b, "</title><style>");
	r = r ?: hr_buf_puts(b, hr_page_css);
	r = r ?: hr_buf_puts(b, "</style></head>\n<body><main>\n<header><h1>headroom report: ");
	r = r ?: hr_buf_esc(b, g->host);
	r = r ?: hr_buf_puts(b, "</h1><dl><dt>from</dt><dd>");
	r = r ?: hr_buf_esc(b, from_s);
	r = r ?: hr_buf_puts(b, "</dd><dt>to</dt><dd>");
	r = r ?: hr_buf_esc(b, to_s);
	r = r ?: hr_buf_puts(b, "</dd><dt>time zone</dt><dd>");
	r = r ?: hr_buf_esc(b, zone);
	r = r
		?: hr_buf_printf(b, "</dd><dt>samples</dt><dd>%lld</dd></dl></header>\n",
			      (long long)g->nsamples);
	r = r ?: hr_buf_puts(b, "<!-- headroom-advise: verdict section -->\n");
	r = r ?: verdict_section(b, advice, advice_html, a);
	if (g->marks)
		r = r ?: hr_buf_puts(b, "<p class=\"note\">On the charts: shaded, where a rule of the "
				     "verdict held (named at the top); a dashed blue line, a "
				     "reboot.</p>\n");
	r = r ?: hr_buf_puts(b, "<div class=\"charts\">\n");
	for (size_t i = 0; i < g->ncharts && r == 0; i++)
		r = hr_page_chart(b, &g->charts[i]);
	r = r ?: hr_buf_puts(b, "</div>\n");
	r = r ?: hr_buf_printf(b, "<section><h2>Top processes by CPU over the range</h2>");
	r = r ?: hr_buf_puts(b, note ? note : "");
	r = r ?: hr_page_procs(b, procs, np < TOP_N ? np : TOP_N);
	/* by storage I/O too: the process that hammers a disk may use little CPU */
	if (r == 0 && np) {
		struct hr_proc byio[TOP_POOL];
		size_t nio = 0;

		memcpy(byio, procs, np * sizeof(*byio));
		qsort(byio, np, sizeof(*byio), cmp_proc_io);
		while (nio < np && nio < TOP_N && byio[nio].rd + byio[nio].wr > 0)
			nio++;
		if (nio) {
			r = hr_buf_puts(b, "<h2>Top processes by storage I/O over the range</h2>");
			r = r ?: hr_page_procs(b, byio, nio);
		}
	}
	r = r
		?: hr_buf_puts(b, "</section>\n<p class=\"note\">made by headroom " PROJECT_VERSION
			       "</p>\n</main></body></html>\n");
	return r;
}

int hr_report_doc(const char *db_path, const char *from, const char *to, const char *html,
		  const char *pdf, const struct hr_thresholds *th)
{
	struct hr_db *db = NULL;
	struct hr_graph *g = NULL;
	struct hr_proc procs[TOP_POOL];
	bool want[256];
	size_t np = 0;
	int64_t f, t;
	char a[64], b2[64], zone[64] = "";
	struct hr_tm lf, lt;
	int code, r;

	for (size_t i = 0; i < hr_npanels && i < 256; i++)
		want[i] = true;
	code = hr_graph_range(from, to, &f, &t);
	if (code != HR_EXIT_OK)
		return code;
	code = hr_graph_open_db(db_path, &db);
	if (code != HR_EXIT_OK)
		return code;
	code = hr_graph_fit(db, from, to, &f, &t);
	if (code != HR_EXIT_OK) {
		hr_db_free(db);
		return code;
	}
	/* The advisor's verdict (best effort: the charts come regardless),
	   computed while the charts are queried. */
	struct hr_advice *adv = NULL;
	struct hr_advise_job *job = NULL;
	{
		struct hr_range rg = {.from_ms = f, .to_ms = t, .tod_from = -1, .tod_to = -1};
		if (hr_advise_job_start(db_path, &rg, th, &job) < 0)
			job = NULL;
	}
	r = hr_graph_build(db, want, f, t, html ? HTML_PLOT_W : PDF_WIDTH - 90, &g);
	if (r == 0)
		r = hr_page_top_procs(db, f, t, procs, &np);
	if (job && hr_advise_job_finish(job, &adv) < 0)
		adv = NULL;
	if (r < 0) {
		log_error("cannot read database '%s': %s", db_path,
			  *hr_db_errmsg(db) ? hr_db_errmsg(db) : hr_errstr(r));
		hr_advice_free(adv);
		hr_graph_free(g);
		hr_db_free(db);
		return HR_EXIT_FAILURE;
	}
	hr_graph_fmt_time(f, a, sizeof(a));
	hr_graph_fmt_time(t, b2, sizeof(b2));
	if (hr_time_local(f, &lf) == 0 && hr_time_local(t, &lt) == 0) {
		const char *tz = getenv("TZ");
		if (strcmp(lf.zone, lt.zone))
			snprintf(zone, sizeof(zone), "%s / %s%s%s%s", lf.zone, lt.zone,
				 tz ? " (" : "", tz ? tz : "", tz ? ")" : "");
		else
			snprintf(zone, sizeof(zone), "%s%s%s%s", lf.zone, tz ? " (" : "",
				 tz ? tz : "", tz ? ")" : "");
	}
	/* The verdict as text and as the page's summary, when there is one. */
	char *text = NULL, *html_text = NULL;
	if (html && adv && adv->nsamples > 0) {
		size_t hlen = 0;
		FILE *mf = open_memstream(&html_text, &hlen);
		if (mf) {
			int wr = hr_advise_write_html(mf, adv);
			fclose(mf);
			if (wr != 0) {
				free(html_text);
				html_text = NULL;
			}
		}
	}
	{
		char host[256] = "", kernel[256] = "";
		size_t tlen = 0;

		if (adv && adv->nsamples > 0) {
			FILE *mf = open_memstream(&text, &tlen);
			struct hr_advise_meta m = {.host = host, .kernel = kernel};
			(void)hr_db_meta(db, "hostname", host, sizeof(host));
			(void)hr_db_meta(db, "kernel", kernel, sizeof(kernel));
			if (mf) {
				int wr = hr_advise_write_text(mf, adv, &m);
				fclose(mf);
				if (wr != 0) {
					free(text);
					text = NULL;
				}
			}
		}
	}
	/* Reboots and the advisor's stretches on the charts: best effort too. */
	if (hr_graph_mark(g, adv, adv ? adv->restarts : NULL, adv ? adv->nrestarts : 0) < 0)
		log_warn("cannot mark the charts: %s", hr_errstr(-ENOMEM));
	if (html) {
		struct hr_buf out = {0}, note = {0};
		r = hr_page_imported_note(&note, db, f, t);
		r = r ?: write_html(&out, g, a, b2, zone, procs, np, text, html_text,
				    text ? adv : NULL, note.p);
		free(note.p);
		if (r == 0)
			r = hr_output_write(html, out.p, out.len);
		free(out.p);
		if (r < 0) {
			log_error("cannot write '%s': %s", html, hr_errstr(r));
			code = HR_EXIT_FAILURE;
		}
	}
	if (pdf && code == HR_EXIT_OK) {
		struct hr_graph *gp = g;
		struct hr_chart_doc doc;
		struct hr_text tx = {0};
		unsigned block = 0;
		int tr = 0;

		if (html) { /* the PDF's own, narrower downsampling */
			r = hr_graph_build(db, want, f, t, PDF_WIDTH - 90, &gp);
			if (r < 0) {
				log_error("cannot read database '%s': %s", db_path,
					  hr_db_errmsg(db));
				code = HR_EXIT_FAILURE;
				gp = NULL;
			}
			if (gp && hr_graph_mark(gp, adv, adv ? adv->restarts : NULL,
						adv ? adv->nrestarts : 0) < 0)
				log_warn("cannot mark the charts: %s", hr_errstr(-ENOMEM));
		}
		/* The verdict first, as the HTML page's table, then the process table. */
		if (adv)
			tr = hr_advise_text_pars(&tx, adv, &block);
		else
			tr = hr_text_add(&tx, HR_TEXT_HEADING, ++block, "Verdict: not available");
		if (!tr)
			tr = hr_text_add(&tx, HR_TEXT_HEADING, ++block,
					 np ? "Top processes by CPU over the range"
					    : "Top processes: no data");
		if (!tr && np)
			tr = hr_text_add(&tx, HR_TEXT_MONO, block, "%8s  %-16s %8s %10s %10s %10s %10s",
					 "PID", "Command", "%CPU", "RSS MiB", "swap MiB", "rd kB/s",
					 "wr kB/s");
		for (size_t i = 0; !tr && i < np && i < TOP_N; i++)
			tr = hr_text_add(&tx, HR_TEXT_MONO, block,
					 "%8.8s  %-16.16s %8.2f %10.1f %10.1f %10.2f %10.2f",
					 procs[i].pid, procs[i].comm, procs[i].cpu, procs[i].rss / 1024,
					 procs[i].swp / 1024, procs[i].rd, procs[i].wr);
		if (tr) {
			log_error("cannot write '%s': %s", pdf, hr_errstr(tr));
			code = HR_EXIT_FAILURE;
		} else if (gp) {
			doc = (struct hr_chart_doc){
			    .title = gp->title,
			    .charts = gp->charts,
			    .ncharts = gp->ncharts,
			    .width = PDF_WIDTH,
			    .chart_height = PDF_CHART_H,
			    .per_page = PDF_PER_PAGE,
			    .text = &tx,
			    .text_first = true, /* the verdict is what the reader wants first */
			};
			r = hr_output_chart_doc(HR_IMAGE_PDF, &doc, pdf);
			if (r < 0) {
				log_error("cannot write '%s': %s", pdf, hr_errstr(r));
				code = HR_EXIT_FAILURE;
			}
		}
		hr_text_release(&tx);
		if (gp != g)
			hr_graph_free(gp);
	}
	free(text);
	free(html_text);
	hr_advice_free(adv);
	hr_graph_free(g);
	hr_db_free(db);
	hr_chart_cleanup();
	return code;
}
