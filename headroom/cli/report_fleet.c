/*
 * report_fleet.c - `headroom report --html FILE --all-hosts` (headroom/cli):
 * one self-contained page for every host (hosts.c): a summary of hosts by
 * resource with their verdicts, worst first, each linking to its section;
 * then per host its verdict and evidence, the headline charts of the four
 * resources (CPU, memory, disk utilisation, network traffic; the host's own
 * page, `report --host NAME --html`, has every chart) and its top
 * processes. Hosts are read two at a time (a thread each, a connection
 * each: analyze is reentrant per connection), each into its own section
 * buffer, so twenty hosts' month takes seconds. Glue only.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_advise.h"
#include "hr_advise_render.h"
#include "hr_analyze.h"
#include "hr_cli.h"
#include "hr_graph.h"
#include "hr_hosts.h"
#include "hr_page.h"
#include "hr_report.h"
#include "cleanup.h"
#include "log.h"
#include "banned.h"

#define FLEET_THREADS 2

/* the charts of a host's section, by title (hr_panels[]) */
static const char *const headline[] = {"CPU utilisation (all cores)", "Memory",
				       "Disk utilisation", "Network traffic"};

struct fleet_host {
	const struct hr_hostdb *h;
	struct hr_advice *adv;
	int64_t from, to;
	int code;		/* HR_EXIT_OK, or why the host has no section */
	int err;		/* reading its charts failed (-errno) */
	struct hr_buf sec;	/* its section */
};

struct fleet {
	struct fleet_host *fh;
	size_t n;
	const char *from, *to;
	const struct hr_thresholds *th;
	pthread_mutex_t lock;
	size_t next;
};

static int cmp_fleet(const void *x, const void *y)
{
	const struct fleet_host *a = x, *b = y;
	int va = a->adv ? (int)a->adv->worst : -1, vb = b->adv ? (int)b->adv->worst : -1;

	return va != vb ? vb - va : strcmp(a->h->name, b->h->name);
}

/* The worst verdict among A's resources of KIND, with its name ("sda"), or -1. */
static int worst_of(const struct hr_advice *a, enum hr_res_kind kind, const char **ret_name)
{
	int w = -1;

	*ret_name = "";
	for (size_t i = 0; a && i < a->nres; i++)
		if (a->res[i].s.kind == kind && (int)a->res[i].verdict > w) {
			w = (int)a->res[i].verdict;
			*ret_name = a->res[i].s.name;
		}
	return w;
}

static int summary(struct hr_buf *b, const struct fleet_host *fh, size_t n)
{
	static const struct {
		enum hr_res_kind kind;
		const char *title;
	} cols[] = {{HR_RES_CPU, "CPU"}, {HR_RES_MEM, "memory"}, {HR_RES_DISK, "disks"},
		    {HR_RES_NET, "network"}};
	int r = hr_buf_puts(b, "<section><h2>Hosts, worst first</h2><div class=\"tbl\"><table "
			       "class=\"fleet\"><thead><tr><th>host</th><th>verdict</th>");

	for (size_t c = 0; c < ARRAY_SIZE(cols) && r == 0; c++)
		r = hr_buf_printf(b, "<th>%s</th>", cols[c].title);
	r = r ?: hr_buf_puts(b, "<th>samples</th></tr></thead><tbody>");
	for (size_t i = 0; i < n && r == 0; i++) {
		const struct hr_advice *a = fh[i].adv;
		r = hr_buf_puts(b, "<tr><td><a href=\"#host-");
		r = r ?: hr_buf_esc(b, fh[i].h->name);
		r = r ?: hr_buf_puts(b, "\">");
		r = r ?: hr_buf_esc(b, fh[i].h->name);
		r = r ?: hr_buf_puts(b, "</a></td>");
		if (!a) {
			r = r ?: hr_buf_printf(b, "<td colspan=\"6\" class=\"note\">%s</td></tr>",
					       fh[i].code == HR_EXIT_NODATA ? "no data in the range"
									     : "cannot read its database");
			continue;
		}
		r = r ?: hr_buf_printf(b, "<td><span class=\"v v-%s\">%s</span></td>",
				       hr_verdict_name(a->worst), hr_verdict_name(a->worst));
		for (size_t c = 0; c < ARRAY_SIZE(cols) && r == 0; c++) {
			const char *name;
			int w = worst_of(a, cols[c].kind, &name);
			if (w < 0) {
				r = hr_buf_puts(b, "<td class=\"note\">-</td>");
				continue;
			}
			r = hr_buf_printf(b, "<td><span class=\"v v-%s\">%s</span>",
					  hr_verdict_name((enum hr_verdict)w),
					  hr_verdict_name((enum hr_verdict)w));
			if (*name && w > HR_OK) {
				r = r ?: hr_buf_puts(b, " ");
				r = r ?: hr_buf_esc(b, name);
			}
			r = r ?: hr_buf_puts(b, "</td>");
		}
		r = r ?: hr_buf_printf(b, "<td>%lld</td></tr>", (long long)a->nsamples);
	}
	return r ?: hr_buf_puts(b, "</tbody></table></div></section>\n");
}

/* One host's section into fh->sec (its verdict already in fh->adv). */
static int section(struct fleet_host *fh, struct hr_db *db)
{
	struct hr_buf *b = &fh->sec;
	struct hr_graph *g = NULL;
	struct hr_proc procs[TOP_POOL];
	bool want[256] = {false};
	char a[64], z[64], *vh = NULL;
	size_t np = 0, hlen = 0;
	int r;

	r = hr_buf_puts(b, "<section class=\"host\" id=\"host-");
	r = r ?: hr_buf_esc(b, fh->h->name);
	r = r ?: hr_buf_puts(b, "\"><h2>");
	r = r ?: hr_buf_esc(b, fh->h->name);
	r = r ?: hr_buf_puts(b, "</h2>");
	if (r || !fh->adv)
		return r ?: hr_buf_puts(b, "<p class=\"note\">no data in the range</p></section>\n");
	for (size_t i = 0; i < hr_npanels && i < 256; i++)
		for (size_t k = 0; k < ARRAY_SIZE(headline); k++)
			want[i] = want[i] || !strcmp(hr_panels[i].title, headline[k]);
	hr_graph_fmt_time(fh->from, a, sizeof(a));
	hr_graph_fmt_time(fh->to, z, sizeof(z));
	r = hr_buf_printf(b, "<p class=\"note\">%s to %s, %lld samples; every chart: "
			     "<code>headroom report --host ", a, z, (long long)fh->adv->nsamples);
	r = r ?: hr_buf_esc(b, fh->h->name);
	r = r ?: hr_buf_puts(b, " --html FILE</code></p>");
	{
		FILE *mf = open_memstream(&vh, &hlen);
		if (mf) {
			if (hr_advise_write_html(mf, fh->adv) != 0)
				hlen = 0;
			fclose(mf);
		}
	}
	r = r ?: hr_buf_puts(b, hlen && vh ? vh : "");
	free(vh);
	if (r == 0)
		r = hr_graph_build(db, want, fh->from, fh->to, HTML_PLOT_W, &g);
	if (r == 0)
		r = hr_page_top_procs(db, fh->from, fh->to, procs, &np);
	if (r == 0 && hr_graph_mark(g, fh->adv, fh->adv->restarts, fh->adv->nrestarts) < 0)
		r = -ENOMEM;
	if (r < 0 && r != -ENOMEM && r != -E2BIG)
		fh->err = r;
	r = r ?: hr_buf_puts(b, "<div class=\"charts\">\n");
	for (size_t i = 0; g && i < g->ncharts && r == 0; i++)
		r = hr_page_chart(b, &g->charts[i]);
	r = r ?: hr_buf_puts(b, "</div><h2>Top processes by CPU over the range</h2>");
	r = r ?: hr_page_imported_note(b, db, fh->from, fh->to);
	r = r ?: hr_page_procs(b, procs, np < TOP_N ? np : TOP_N);
	hr_graph_free(g);
	return r ?: hr_buf_puts(b, "</section>\n");
}

/* A host: its range, verdict and section. Logs a database it cannot read. */
static void one_host(struct fleet *f, struct fleet_host *fh)
{
	struct hr_db *db = NULL;

	fh->code = hr_graph_range(f->from, f->to, &fh->from, &fh->to);
	if (fh->code == HR_EXIT_OK)
		fh->code = hr_graph_open_db(fh->h->path, &db);
	if (fh->code == HR_EXIT_OK)
		fh->code = hr_graph_fit(db, f->from, f->to, &fh->from, &fh->to);
	if (fh->code == HR_EXIT_OK) {
		struct hr_range rg = {.from_ms = fh->from, .to_ms = fh->to, .tod_from = -1,
				      .tod_to = -1};
		if (hr_advise_load(db, &rg, f->th, &fh->adv) < 0 || !fh->adv->nsamples) {
			hr_advice_free(fh->adv);
			fh->adv = NULL;
			fh->code = HR_EXIT_NODATA;
		}
	}
	if (section(fh, db) < 0 && !fh->err)
		fh->err = -ENOMEM;
	hr_db_free(db);
}

static void *worker(void *arg)
{
	struct fleet *f = arg;

	for (;;) {
		size_t i;
		pthread_mutex_lock(&f->lock);
		i = f->next++;
		pthread_mutex_unlock(&f->lock);
		if (i >= f->n)
			return NULL;
		one_host(f, &f->fh[i]);
	}
}

int hr_report_fleet(const char *local_db, const char *from, const char *to, const char *html,
		    const struct hr_thresholds *th)
{
	struct hr_hostdb *hosts = NULL;
	struct fleet f = {.from = from, .to = to, .th = th};
	struct hr_buf out = {0};
	pthread_t tid[FLEET_THREADS];
	size_t nt = 0;
	int64_t probe;
	int code = HR_EXIT_OK, r;

	/* a bad --from/--to: one message, before any thread */
	code = hr_graph_range(from, to, &probe, &probe);
	if (code != HR_EXIT_OK)
		return code;
	if (hr_hosts_list(local_db, &hosts, &f.n) < 0) {
		log_error("no host has data beside '%s' (record, pull or import first)", local_db);
		return HR_EXIT_FAILURE;
	}
	f.fh = calloc(f.n, sizeof(*f.fh));
	if (!f.fh) {
		free(hosts);
		return HR_EXIT_FAILURE;
	}
	for (size_t i = 0; i < f.n; i++)
		f.fh[i].h = &hosts[i];
	/* the clock's first reading (HEADROOM_NOW pins it there) before any thread */
	(void)hr_cli_now();
	pthread_mutex_init(&f.lock, NULL);
	for (; nt < FLEET_THREADS && nt < f.n; nt++)
		if (pthread_create(&tid[nt], NULL, worker, &f) != 0)
			break;
	if (nt == 0)
		worker(&f);
	for (size_t i = 0; i < nt; i++)
		pthread_join(tid[i], NULL);
	pthread_mutex_destroy(&f.lock);
	qsort(f.fh, f.n, sizeof(*f.fh), cmp_fleet);
	r = hr_buf_puts(&out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"/>"
			      "<meta name=\"viewport\" content=\"width=device-width, "
			      "initial-scale=1\"/><title>headroom: fleet</title><style>");
	r = r ?: hr_buf_puts(&out, hr_page_css);
	r = r ?: hr_buf_puts(&out, "table.fleet td,table.fleet th{text-align:left}"
				   "table.fleet td:last-child,table.fleet th:last-child{text-align:right}"
				   "section.host>h2{font-size:1.3em;border-bottom:2px solid #ddd;"
				   "padding-bottom:4px}</style></head>\n<body><main>\n"
				   "<header><h1>headroom fleet: ");
	r = r ?: hr_buf_printf(&out, "%zu host%s</h1>", f.n, f.n == 1 ? "" : "s");
	r = r ?: hr_buf_puts(&out, "<p class=\"note\">A verdict per host and resource, worst first; "
				   "each host's section follows with its evidence, the headline "
				   "charts and its processes.</p></header>\n");
	r = r ?: summary(&out, f.fh, f.n);
	for (size_t i = 0; i < f.n && r == 0; i++) {
		if (f.fh[i].err) {
			log_error("cannot read database '%s': %s", f.fh[i].h->path,
				  hr_errstr(f.fh[i].err));
			code = HR_EXIT_FAILURE;
		}
		r = hr_buf_add(&out, (const unsigned char *)(f.fh[i].sec.p ? f.fh[i].sec.p : ""),
			       f.fh[i].sec.len);
	}
	r = r ?: hr_buf_puts(&out, "<p class=\"note\">made by headroom " PROJECT_VERSION
				   "</p>\n</main></body></html>\n");
	if (r == 0 && code == HR_EXIT_OK)
		r = hr_output_write(html, out.p, out.len);
	if (r < 0) {
		log_error("cannot write '%s': %s", html, hr_errstr(r));
		code = HR_EXIT_FAILURE;
	}
	for (size_t i = 0; i < f.n; i++) {
		hr_advice_free(f.fh[i].adv);
		free(f.fh[i].sec.p);
	}
	free(out.p);
	free(f.fh);
	free(hosts);
	hr_chart_cleanup();
	return code;
}
