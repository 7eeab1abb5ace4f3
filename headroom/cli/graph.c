/*
 * graph.c - `headroom graph`: the chart panels of headroom/analyze drawn by
 * headroom/render into one PNG, SVG or PDF, panels stacked vertically
 * (headroom/cli). Glue only: options, range, one downsampled batch query
 * for all charts, then the renderer. Also builds the charts for report --html/--pdf.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hr_advise.h"
#include "hr_advise_cmd.h"
#include "hr_analyze.h"
#include "hr_chart.h"
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_graph.h"
#include "hr_report.h"
#include "hr_series.h"
#include "cleanup.h"
#include "log.h"
#include "banned.h"

#define MAX_KEYS 8
#define MAX_CHARTS 64

void hr_graph_fmt_time(int64_t ms, char *buf, size_t size)
{
	struct hr_tm lt;

	if (hr_time_local(ms, &lt) < 0) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d %s", lt.year, lt.mon, lt.mday, lt.hour,
		 lt.min, lt.zone);
}

void hr_graph_free(struct hr_graph *g)
{
	if (!g)
		return;
	for (size_t i = 0; i < g->ncharts; i++) {
		hr_series_free(g->sets[i]);
		free(g->cs[i]);
	}
	free(g->sets);
	free(g->cs);
	free(g->charts);
	free(g->panels);
	free(g->titles);
	free(g->marks);
	free(g->th_labels);
	free(g->mark_labels);
	free(g);
}

int hr_graph_build(struct hr_db *db, const bool *want, int64_t from_ms, int64_t to_ms,
		   double plot_width, struct hr_graph **ret)
{
	struct hr_range rg = {.from_ms = from_ms, .to_ms = to_ms, .tod_from = -1, .tod_to = -1};
	struct hr_graph *g;
	int64_t bucket;
	size_t n = 0;
	char a[64], b[64];
	int r;

	if (plot_width < 10 || from_ms > to_ms)
		return -EINVAL;
	bucket = (int64_t)((double)(to_ms - from_ms + 1) / plot_width) + 1;
	g = calloc(1, sizeof(*g));
	if (!g)
		return -ENOMEM;
	for (size_t i = 0; i < hr_npanels; i++)
		n += want[i];
	g->charts = calloc(n ? n : 1, sizeof(*g->charts));
	g->sets = calloc(n ? n : 1, sizeof(*g->sets));
	g->cs = calloc(n ? n : 1, sizeof(*g->cs));
	g->panels = calloc(n ? n : 1, sizeof(*g->panels));
	g->titles = calloc(n ? n : 1, sizeof(*g->titles));
	g->th_labels = calloc(n ? n : 1, sizeof(*g->th_labels));
	if (!g->charts || !g->sets || !g->cs || !g->panels || !g->titles || !g->th_labels) {
		hr_graph_free(g);
		return -ENOMEM;
	}
	r = hr_db_count(db, &rg, &g->nsamples);
	if (r < 0) {
		hr_graph_free(g);
		return r;
	}
	if (hr_db_meta(db, "hostname", g->host, sizeof(g->host)) < 0)
		snprintf(g->host, sizeof(g->host), "unknown host");
	/* one call: panels reading the same table share its scan */
	n = 0;
	for (size_t i = 0; i < hr_npanels; i++)
		if (want[i])
			g->panels[n++] = &hr_panels[i];
	r = hr_series_query_many(db, g->panels, n, from_ms, to_ms, bucket, MAX_KEYS, g->sets);
	if (r < 0) {
		hr_graph_free(g);
		return r;
	}
	g->ncharts = n;
	for (size_t i = 0; i < n; i++) {
		const struct hr_panel *p = g->panels[i];
		struct hr_series_set *set = g->sets[i];
		struct hr_chart_series *cs;

		cs = calloc(set->nseries ? set->nseries : 1, sizeof(*cs));
		if (!cs) {
			hr_graph_free(g);
			return -ENOMEM;
		}
		g->cs[i] = cs;
		for (size_t s = 0; s < set->nseries; s++)
			cs[s] = (struct hr_chart_series){
			    .label = set->series[s].label,
			    .avg = set->series[s].avg,
			    .min = set->series[s].min,
			    .max = set->series[s].max,
			    .peak = set->series[s].peak,
			};
		/* a keyed chart with more devices than it draws says so */
		if (set->nkeys_dropped > 0 && p->nseries > 0) {
			size_t kept = set->nseries / p->nseries;
			snprintf(g->titles[i], sizeof(g->titles[i]), "%s (%zu of %zu shown)", p->title,
				 kept, kept + set->nkeys_dropped);
		} else {
			snprintf(g->titles[i], sizeof(g->titles[i]), "%s", p->title);
		}
		g->charts[i] = (struct hr_chart){
		    .title = g->titles[i],
		    .unit = p->unit,
		    .from_ms = from_ms,
		    .to_ms = to_ms,
		    .npoints = set->npoints,
		    .ts = set->ts,
		    .brk = set->brk,
		    .series = cs,
		    .nseries = set->nseries,
		    .stacked = p->stacked,
		    .ymax = p->ymax,
		    .threshold = {p->threshold},
		    .threshold_label = {p->threshold_label},
		};
	}
	hr_graph_fmt_time(from_ms, a, sizeof(a));
	hr_graph_fmt_time(to_ms, b, sizeof(b));
	snprintf(g->title, sizeof(g->title), "%s  \xe2\x80\x94  %s  to  %s", g->host, a, b);
	*ret = g;
	return 0;
}

int hr_graph_range(const char *from, const char *to, int64_t *ret_from, int64_t *ret_to)
{
	int64_t now_ms, f = 0, t = 0, ds, de;

	now_ms = hr_cli_now();
	if (from && hr_time_parse(from, false, now_ms, &f) < 0) {
		log_error("bad --from '%s': expected " HR_TIME_FORMS,
			  from);
		return HR_EXIT_USAGE;
	}
	if (to && hr_time_parse(to, true, now_ms, &t) < 0) {
		log_error("bad --to '%s': expected " HR_TIME_FORMS,
			  to);
		return HR_EXIT_USAGE;
	}
	if (!from && !to) {
		t = now_ms;
		f = now_ms - 86400000LL;
	} else if (!from || !to) {
		if (hr_time_day(to ? t : f, &ds, &de) < 0) {
			log_error("cannot compute the local day (check TZ)");
			return HR_EXIT_FAILURE;
		}
		if (!from)
			f = ds;
		if (!to)
			t = de - 1;
	}
	if (f > t) {
		char a[64], b[64];
		hr_graph_fmt_time(f, a, sizeof(a));
		hr_graph_fmt_time(t, b, sizeof(b));
		log_error("inverted range: --from %s is after --to %s", a, b);
		return HR_EXIT_USAGE;
	}
	*ret_from = f;
	*ret_to = t;
	return HR_EXIT_OK;
}

int hr_graph_fit(struct hr_db *db, const char *from, const char *to, int64_t *from_ms,
		 int64_t *to_ms)
{
	struct hr_range rg = {.from_ms = *from_ms, .to_ms = *to_ms, .tod_from = -1, .tod_to = -1};
	int64_t first, last;
	int r;

	if (from || to)
		return HR_EXIT_OK;
	r = hr_db_extent(db, &rg, &first, &last);
	if (r == -ENOENT)
		return HR_EXIT_OK;
	if (r < 0) {
		log_error("cannot read the database: %s",
			  *hr_db_errmsg(db) ? hr_db_errmsg(db) : hr_errstr(r));
		return HR_EXIT_FAILURE;
	}
	if (last - first < 10000)	/* a few seconds: still an axis */
		first = last - 10000;
	*from_ms = first > *from_ms ? first : *from_ms;
	*to_ms = last;
	return HR_EXIT_OK;
}

int hr_graph_open_db(const char *path, struct hr_db **ret)
{
	int r = hr_db_open(path, ret);

	switch (r) {
	case 0:
		return HR_EXIT_OK;
	case -EMEDIUMTYPE:
		log_error("'%s' is not a headroom database (or is corrupt)", path);
		return HR_EXIT_DATABASE;
	case -EPROTONOSUPPORT:
		log_error("database '%s' has a schema newer than this headroom's; upgrade headroom",
			  path);
		return HR_EXIT_DATABASE;
	default:
		log_error("cannot open database '%s': %s%s", path, hr_errstr(r),
			  r == -ENOENT ? " (nothing recorded yet? start 'headroom record')" : "");
		return HR_EXIT_FAILURE;
	}
}

static void help(void)
{
	printf("usage: headroom graph [--db PATH] [--panel NAME[,NAME...]] [--from DATE[ TIME]]\n"
	       "                      [--to DATE[ TIME]] [--width PX] [--height PX] -o FILE\n"
	       "\n"
	       "Charts of what 'headroom record' stored, stacked in one image. The format\n"
	       "comes from the name of FILE: .png, .svg or .pdf.\n"
	       "\n"
	       "  -p, --panel LIST     panels to draw (default all):\n"
	       "                       cpu load procs memory swap paging disk sockets net\n"
	       "                       neterr psi\n"
	       "      --from, --to     range in local time, as for 'headroom report'\n"
	       "                       (default: the last 24 hours, narrowed to the data)\n"
	       "  -W, --width PX       image width (default 1200)\n"
	       "  -H, --height PX      height of each chart (default 240)\n"
	       "  -o, --output FILE    where to write the image\n"
	       "  -f, --db PATH        database (default %s, or DATABASE\n"
	       "                       from the config file)\n"
	       "  -c, --config FILE    config file (default %s)\n"
	       "  -h, --help           this text\n"
	       "\n"
	       "Long ranges are averaged into about one bucket per pixel column; the band\n"
	       "around a line shows the minimum and maximum of each bucket, so short spikes\n"
	       "stay visible. A gap in the recording breaks the lines.\n"
	       "\n"
	       "exit codes: 0 ok, 1 failure, 2 usage, 3 database refused\n",
	       HR_DEFAULT_DB, HR_DEFAULT_CONFIG);
}

/* --panel a,b,c -> want[] */
static int parse_panels(const char *arg, bool *want)
{
	_cleanup_free_ char *copy = strdup(arg);
	char *save = NULL;
	bool any = false;

	if (!copy)
		return -ENOMEM;
	for (char *name = strtok_r(copy, ",", &save); name; name = strtok_r(NULL, ",", &save)) {
		if (!strcmp(name, "all")) {
			for (size_t i = 0; i < hr_npanels; i++)
				want[i] = true;
			any = true;
			continue;
		}
		if (!hr_panel_known(name)) {
			log_error(
			    "unknown panel '%s' (cpu, load, procs, memory, swap, paging, disk, "
			    "sockets, net, neterr, psi or all)",
			    name);
			return -EINVAL;
		}
		for (size_t i = 0; i < hr_npanels; i++)
			if (!strcmp(hr_panels[i].name, name))
				want[i] = true;
		any = true;
	}
	if (!any) {
		log_error("empty --panel list");
		return -EINVAL;
	}
	return 0;
}

/*
 * The config file (absent is fine unless named with --config): the
 * database path when there is no --db (into BUF), and the advisor's
 * THRESHOLD_* lines, so the shaded stretches are the ones advise reports.
 */
static int load_config(const char *config_path, bool explicit, char *buf, size_t size,
		       struct hr_thresholds *th)
{
	struct hr_config cfg;
	int r = hr_cli_config(config_path, explicit, &cfg);

	if (r != HR_EXIT_OK)
		return r;
	snprintf(buf, size, "%s", cfg.database);
	return hr_advise_apply_config(&cfg, config_path, th);
}

static int parse_px(const char *what, const char *arg, long min, long max, double *ret)
{
	char *endp;
	long v;

	errno = 0;
	v = strtol(arg, &endp, 10);
	if (errno || *endp || endp == arg || v < min || v > max) {
		log_error("bad %s '%s': expected pixels from %ld to %ld", what, arg, min, max);
		return -EINVAL;
	}
	*ret = (double)v;
	return 0;
}

int hr_cmd_graph(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'f'},     {"config", required_argument, NULL, 'c'},
	    {"panel", required_argument, NULL, 'p'},  {"from", required_argument, NULL, 'F'},
	    {"to", required_argument, NULL, 'T'},     {"width", required_argument, NULL, 'W'},
	    {"height", required_argument, NULL, 'H'}, {"output", required_argument, NULL, 'o'},
	    {"help", no_argument, NULL, 'h'},	      {0},
	};
	bool want[MAX_CHARTS] = {0}, any = false, config_explicit = false;
	struct hr_thresholds th;
	struct hr_advise_job *job = NULL;
	struct hr_advice *adv = NULL;
	const char *db_path = NULL, *config_path = HR_DEFAULT_CONFIG, *from = NULL, *to = NULL;
	const char *out = NULL;
	double width = 1200, height = 240;
	char dbbuf[4096];
	enum hr_image_format fmt = HR_IMAGE_PNG;
	struct hr_db *db = NULL;
	struct hr_graph *g = NULL;
	int64_t f, t;
	int c, r, code = HR_EXIT_OK;

	if (hr_npanels > MAX_CHARTS)
		return HR_EXIT_FAILURE;
	opterr = 0;
	optind = 1;
	while (code == HR_EXIT_OK &&
	       (c = getopt_long(argc, argv, "+:f:c:p:W:H:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			if (!*optarg) {
				log_error("empty database path");
				code = HR_EXIT_USAGE;
			}
			db_path = optarg;
			break;
		case 'c':
			config_path = optarg;
			config_explicit = true;
			break;
		case 'p':
			if (parse_panels(optarg, want) < 0)
				code = HR_EXIT_USAGE;
			any = true;
			break;
		case 'F':
			from = optarg;
			break;
		case 'T':
			to = optarg;
			break;
		case 'W':
			if (parse_px("--width", optarg, 300, 10000, &width) < 0)
				code = HR_EXIT_USAGE;
			break;
		case 'H':
			if (parse_px("--height", optarg, 120, 2000, &height) < 0)
				code = HR_EXIT_USAGE;
			break;
		case 'o':
			out = optarg;
			break;
		case 'h':
			help();
			return HR_EXIT_OK;
		case ':':
			log_error("option '%s' needs a value", argv[optind - 1]);
			code = HR_EXIT_USAGE;
			break;
		default:
			log_error("unknown option '%s' (try 'headroom graph --help')",
				  argv[optind - 1]);
			code = HR_EXIT_USAGE;
			break;
		}
	}
	if (code != HR_EXIT_OK)
		return code;
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return HR_EXIT_USAGE;
	}
	if (!out) {
		log_error("no output file (-o FILE.png, FILE.svg or FILE.pdf)");
		return HR_EXIT_USAGE;
	}
	if (hr_image_format_from_path(out, &fmt) < 0) {
		log_error("cannot tell the format of '%s': name it .png, .svg or .pdf", out);
		return HR_EXIT_USAGE;
	}
	if (!any)
		for (size_t i = 0; i < hr_npanels; i++)
			want[i] = true;
	hr_thresholds_defaults(&th);
	code = load_config(config_path, config_explicit, dbbuf, sizeof(dbbuf), &th);
	if (code != HR_EXIT_OK)
		return code;
	if (!db_path)
		db_path = dbbuf;
	code = hr_output_check(out, db_path);
	if (code != HR_EXIT_OK)
		return code;
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
	/* The advisor's stretches and the reboots, computed beside the charts. */
	{
		struct hr_range rg = {.from_ms = f, .to_ms = t, .tod_from = -1, .tod_to = -1};
		if (hr_advise_job_start(db_path, &rg, &th, &job) < 0)
			job = NULL;
	}
	r = hr_graph_build(db, want, f, t, width - 90, &g);
	if (job && (r < 0 || hr_advise_job_finish(job, &adv) < 0)) {
		if (r < 0)
			(void)hr_advise_job_finish(job, &adv);
		else
			log_warn("cannot run the advisor over '%s'", db_path);
		hr_advice_free(adv);
		adv = NULL;
	}
	if (r < 0) {
		log_error("cannot read database '%s': %s", db_path,
			  *hr_db_errmsg(db) ? hr_db_errmsg(db) : hr_errstr(r));
		hr_db_free(db);
		return r == -EMEDIUMTYPE ? HR_EXIT_DATABASE : HR_EXIT_FAILURE;
	}
	/* Best effort: the charts come regardless. */
	if (hr_graph_mark(g, adv, adv ? adv->restarts : NULL, adv ? adv->nrestarts : 0) < 0)
		log_warn("cannot mark the charts: %s", hr_errstr(-ENOMEM));
	hr_advice_free(adv);
	{
		struct hr_chart_doc doc = {
		    .title = g->title,
		    .charts = g->charts,
		    .ncharts = g->ncharts,
		    .width = width,
		    .chart_height = height,
		};
		r = hr_output_chart_doc(fmt, &doc, out);
		if (r < 0) {
			log_error("cannot write '%s': %s", out, hr_errstr(r));
			code = HR_EXIT_FAILURE;
		}
	}
	hr_graph_free(g);
	hr_db_free(db);
	hr_chart_cleanup();
	return code;
}
