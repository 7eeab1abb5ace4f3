/*
 * report.c - `headroom report`: sar-style tables over any time range and
 * any number of days (headroom/cli).
 *
 * Glue only: parses sar's activity options into a set of activities of
 * headroom/analyze, turns --from/--to/-s/-e into a local-time range, runs
 * one aggregate query per activity (plus one for its "Average:" rows) and
 * streams the rows into a headroom/render writer. This is the only place
 * that logs; every error is one line and one of the documented exit codes.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hr_analyze.h"
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_advise.h"
#include "hr_advise_cmd.h"
#include "hr_graph.h"
#include "hr_hosts.h"
#include "hr_render.h"
#include "hr_report.h"
#include "cleanup.h"
#include "log.h"
#include "banned.h"

#define MAX_CPUS 4096
#define MAX_COLS 32

struct report {
	const char *db_path, *config_path;
	bool config_explicit;
	bool want[64];		/* by index in hr_activities[] */
	bool any;
	bool cpu_total;		/* -u (or -P ALL): the "all" row */
	bool cpu_all;		/* -P ALL */
	bool cpu_fields;	/* -u ALL: cpu-all instead of cpu */
	bool cpu_keys;		/* -P given */
	char **cpus;		/* -P N,M as text */
	size_t ncpus;
	const char *from, *to, *start, *end;
	const char *html, *pdf;	/* --html FILE, --pdf FILE: report_html.c */
	const char *tharg[64];	/* --threshold NAME=VALUE, for the verdict of --html/--pdf */
	size_t ntharg;
	double minsus;		/* --min-sustained in seconds, or -1 */
	int64_t bucket_ms;
	int top_n;
	enum hr_format fmt;
	const char *host;	/* --host NAME: that host's database (hosts.c) */
	bool all_hosts;		/* --all-hosts: the fleet page (--html) */
	char dbbuf[4096], hostbuf[4096];
};

static void help(void)
{
	printf("usage: headroom report [--db PATH] [ACTIVITIES] [-s HH:MM[:SS]] [-e HH:MM[:SS]]\n"
	       "                       [--from DATE[ TIME]] [--to DATE[ TIME]] [-i SECONDS]\n"
	       "                       [--format text|csv|json]\n"
	       "\n"
	       "sar-style tables of what 'headroom record' stored, over any range of days.\n"
	       "\n"
	       "activities (sar's letters; default -u):\n"
	       "  -u [ALL]          CPU utilisation (all CPUs); ALL: irq and softirq apart\n"
	       "  -P ALL | N[,M..]  per CPU\n"
	       "  -q [LOAD|CPU|IO|MEM|PSI|ALL]  run queue and load; pressure (PSI)\n"
	       "  -r                memory          -S  swap space\n"
	       "  -W                swapping        -B  paging\n"
	       "  -b                I/O totals      -d  per disk\n"
	       "  -n DEV|EDEV|SOCK|SOCK6|TCP|ETCP|UDP|ALL[,...]  network\n"
	       "  -w                task creation and context switches\n"
	       "  -F [MOUNT]        filesystems by device; with the word MOUNT, by mount point\n"
	       "      --psi         pressure stall information (= -q PSI)\n"
	       "      --top[=N]     top N processes by CPU per interval (default 5)\n"
	       "  -A                everything above (-u ALL -P ALL ...)\n"
	       "\n"
	       "range (local time, as TZ says; default today):\n"
	       "      --from DATE[ TIME]  YYYY-MM-DD[ HH:MM[:SS]], today, yesterday,\n"
	       "                          or a moment before now: -2h, -30m, '3 days ago'\n"
	       "      --to DATE[ TIME]    a date alone includes that whole day\n"
	       "  -s HH:MM[:SS]           each day, from this time of day\n"
	       "  -e HH:MM[:SS]           each day, up to this time of day\n"
	       "  -i SECONDS              average into buckets this wide (10m, 1h, up to 1d),\n"
	       "                          aligned on local midnight\n"
	       "\n"
	       "  -f, --db PATH           database (default %s, or DATABASE\n"
	       "                          from the config file)\n"
	       "  -c, --config FILE       config file (default %s)\n"
	       "      --host NAME         the database of host NAME (pulled or imported:\n"
	       "                          DIR/hosts/NAME.db beside the database)\n"
	       "      --format FORMAT     text (default), csv (like sadf -d), json\n"
	       "      --html FILE         every chart and the top processes as one\n"
	       "                          self-contained HTML page (default range: the\n"
	       "                          last 24 hours, narrowed to the data;\n"
	       "                          activities are ignored)\n"
	       "      --all-hosts         with --html: one page for every host, a summary\n"
	       "                          of hosts x resources (worst first), then a\n"
	       "                          section per host\n"
	       "      --pdf FILE          the same as a multi-page PDF\n"
	       "      --threshold NAME=VALUE, --min-sustained DURATION\n"
	       "                          for the verdict of --html/--pdf, as for advise\n"
	       "  -h, --help              this text\n"
	       "\n"
	       "Times are 24-hour HH:MM:SS (sar's S_TIME_FORMAT=ISO), dates YYYY-MM-DD,\n"
	       "with the zone abbreviation on the header and on a date line whenever the\n"
	       "date or the zone (DST) changes; CSV and JSON use ISO 8601 with the offset.\n"
	       "\n"
	       "exit codes: 0 ok, 1 failure, 2 usage, 3 database refused, 5 no data in range\n",
	       HR_DEFAULT_DB, HR_DEFAULT_CONFIG);
}

static void want(struct report *rp, const char *name)
{
	const struct hr_activity *a = hr_activity_find(name);

	if (a && (size_t)(a - hr_activities) < ARRAY_SIZE(rp->want)) {
		rp->want[a - hr_activities] = true;
		rp->any = true;
	}
}

/* -n KEYWORD[,KEYWORD...] */
static int parse_net(struct report *rp, const char *arg)
{
	static const struct {
		const char *kw;
		const char *act;
	} map[] = {
		{"DEV", "net-dev"}, {"EDEV", "net-edev"}, {"SOCK", "sock"}, {"SOCK6", "sock6"},
		{"TCP", "tcp"},	    {"ETCP", "etcp"},	  {"UDP", "udp"},
	};
	_cleanup_free_ char *copy = strdup(arg);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	for (char *kw = strtok_r(copy, ",", &save); kw; kw = strtok_r(NULL, ",", &save)) {
		bool found = false;
		for (size_t i = 0; i < ARRAY_SIZE(map); i++) {
			if (!strcmp(kw, map[i].kw) || !strcmp(kw, "ALL")) {
				want(rp, map[i].act);
				found = true;
			}
		}
		if (!found) {
			log_error("unknown -n keyword '%s' (DEV, EDEV, SOCK, SOCK6, TCP, ETCP, UDP "
				  "or ALL)",
				  kw);
			return -EINVAL;
		}
	}
	if (!*arg || arg[strlen(arg) - 1] == ',') {
		log_error("bad -n list '%s'", arg);
		return -EINVAL;
	}
	return 0;
}

/* -P ALL | N[,M...] */
static int parse_cpus(struct report *rp, const char *arg)
{
	_cleanup_free_ char *copy = strdup(arg);
	char *save = NULL;

	if (!copy)
		return -ENOMEM;
	rp->cpu_keys = true;
	rp->any = true;
	if (!strcmp(arg, "ALL")) {
		rp->cpu_all = true;
		rp->cpu_total = true;
		return 0;
	}
	for (char *kw = strtok_r(copy, ",", &save); kw; kw = strtok_r(NULL, ",", &save)) {
		char *endp;
		long n;
		char **grown;

		errno = 0;
		n = strtol(kw, &endp, 10);
		if (errno || *endp || endp == kw || n < 0 || n >= MAX_CPUS || kw[0] == '+') {
			log_error("bad -P value '%s': expected ALL or CPU numbers like 0,1", kw);
			return -EINVAL;
		}
		grown = realloc(rp->cpus, (rp->ncpus + 1) * sizeof(*rp->cpus));
		if (!grown)
			return -ENOMEM;
		rp->cpus = grown;
		rp->cpus[rp->ncpus] = strdup(kw);
		if (!rp->cpus[rp->ncpus])
			return -ENOMEM;
		rp->ncpus++;
	}
	if (!rp->ncpus) {
		log_error("bad -P value '%s': expected ALL or CPU numbers like 0,1", arg);
		return -EINVAL;
	}
	return 0;
}

/* sar -q takes an optional keyword list as the next word: LOAD, CPU, IO, MEM, PSI, ALL. */
static bool parse_q_keywords(struct report *rp, const char *arg)
{
	_cleanup_free_ char *copy = strdup(arg);
	char *save = NULL;
	bool any = false;

	if (!copy)
		return false;
	/* Only consume the word when every item is a keyword. */
	for (char *kw = strtok_r(copy, ",", &save); kw; kw = strtok_r(NULL, ",", &save)) {
		if (strcmp(kw, "LOAD") && strcmp(kw, "CPU") && strcmp(kw, "IO") &&
		    strcmp(kw, "MEM") && strcmp(kw, "PSI") && strcmp(kw, "ALL"))
			return false;
		any = true;
	}
	if (!any)
		return false;
	if (strstr(arg, "LOAD") || strstr(arg, "ALL"))
		want(rp, "load");
	if (strstr(arg, "CPU") || strstr(arg, "PSI") || strstr(arg, "ALL"))
		want(rp, "psi-cpu");
	if (strstr(arg, "IO") || strstr(arg, "PSI") || strstr(arg, "ALL"))
		want(rp, "psi-io");
	if (strstr(arg, "MEM") || strstr(arg, "PSI") || strstr(arg, "ALL"))
		want(rp, "psi-mem");
	return true;
}

static void free_cpus(struct report *rp)
{
	for (size_t i = 0; i < rp->ncpus; i++)
		free(rp->cpus[i]);
	free(rp->cpus);
}

/* The database path: --db, else DATABASE of the config file, else the default. */
static int resolve_db(struct report *rp)
{
	struct hr_config cfg;
	int r;

	if (!rp->db_path) {
		r = hr_cli_config(rp->config_path, rp->config_explicit, &cfg);
		if (r != HR_EXIT_OK)
			return r;
		snprintf(rp->dbbuf, sizeof(rp->dbbuf), "%s", cfg.database);
		rp->db_path = rp->dbbuf;
	}
	if (rp->host) {
		r = hr_host_resolve(rp->db_path, rp->host, rp->hostbuf, sizeof(rp->hostbuf));
		if (r != HR_EXIT_OK)
			return r;
		rp->db_path = rp->hostbuf;
	}
	return HR_EXIT_OK;
}

/*
 * For --html/--pdf: the advisor's thresholds, defaults then THRESHOLD_* of
 * the config file, as `headroom advise` takes them.
 */
static int load_thresholds(struct report *rp, struct hr_thresholds *th)
{
	struct hr_config cfg;

	hr_thresholds_defaults(th);
	if (hr_cli_config(rp->config_path, rp->config_explicit, &cfg) != HR_EXIT_OK)
		return HR_EXIT_USAGE;
	/* as advise: the config file, then --threshold, then --min-sustained */
	if (hr_advise_apply_config(&cfg, rp->config_path, th) != HR_EXIT_OK)
		return HR_EXIT_USAGE;
	for (size_t i = 0; i < rp->ntharg; i++)
		if (hr_advise_parse_threshold(th, rp->tharg[i]) < 0)
			return HR_EXIT_USAGE;
	th->min_sustained_s = rp->minsus;
	return HR_EXIT_OK;
}

static void fmt_time(int64_t ms, char *buf, size_t size)
{
	struct hr_tm lt;

	if (hr_time_local(ms, &lt) < 0) {
		snprintf(buf, size, "?");
		return;
	}
	snprintf(buf, size, "%04d-%02d-%02d %02d:%02d:%02d %s", lt.year, lt.mon, lt.mday, lt.hour,
		 lt.min, lt.sec, lt.zone);
}

/* --from/--to/-s/-e -> range; logs and returns an exit code. */
static int make_range(struct report *rp, struct hr_range *rg)
{
	int64_t now_ms, ds, de;

	now_ms = hr_cli_now();
	rg->tod_from = rg->tod_to = -1;
	if (rp->from && hr_time_parse(rp->from, false, now_ms, &rg->from_ms) < 0) {
		log_error("bad --from '%s': expected " HR_TIME_FORMS,
			  rp->from);
		return HR_EXIT_USAGE;
	}
	if (rp->to && hr_time_parse(rp->to, true, now_ms, &rg->to_ms) < 0) {
		log_error("bad --to '%s': expected " HR_TIME_FORMS,
			  rp->to);
		return HR_EXIT_USAGE;
	}
	if (!rp->from || !rp->to) {
		/* The missing end: the day of the other one, or today (like sar). */
		if (hr_time_day(rp->to ? rg->to_ms : now_ms, &ds, &de) < 0) {
			log_error("cannot compute the local day (check TZ)");
			return HR_EXIT_FAILURE;
		}
		if (!rp->from)
			rg->from_ms = ds;
		if (!rp->to)
			rg->to_ms = de - 1;
		if (rp->from && !rp->to && rg->from_ms > rg->to_ms) {
			/* --from in the future: up to the end of that day. */
			if (hr_time_day(rg->from_ms, &ds, &de) == 0)
				rg->to_ms = de - 1;
		}
	}
	if (rp->start && hr_time_parse_tod(rp->start, &rg->tod_from) < 0) {
		log_error("bad -s '%s': expected HH:MM or HH:MM:SS", rp->start);
		return HR_EXIT_USAGE;
	}
	if (rp->end && hr_time_parse_tod(rp->end, &rg->tod_to) < 0) {
		log_error("bad -e '%s': expected HH:MM or HH:MM:SS", rp->end);
		return HR_EXIT_USAGE;
	}
	if (rg->from_ms > rg->to_ms) {
		char a[64], b[64];
		fmt_time(rg->from_ms, a, sizeof(a));
		fmt_time(rg->to_ms, b, sizeof(b));
		log_error("inverted range: --from %s is after --to %s", a, b);
		return HR_EXIT_USAGE;
	}
	if (rg->tod_from >= 0 && rg->tod_to >= 0 && rg->tod_from > rg->tod_to) {
		log_error("inverted range: -s %s is after -e %s", rp->start, rp->end);
		return HR_EXIT_USAGE;
	}
	return HR_EXIT_OK;
}

static int open_db(struct report *rp, struct hr_db **db)
{
	int r = hr_db_open(rp->db_path, db);

	switch (r) {
	case 0:
		return HR_EXIT_OK;
	case -EMEDIUMTYPE:
		log_error("'%s' is not a headroom database (or is corrupt)", rp->db_path);
		return HR_EXIT_DATABASE;
	case -EPROTONOSUPPORT:
		log_error("database '%s' has a schema newer than this headroom's; upgrade headroom",
			  rp->db_path);
		return HR_EXIT_DATABASE;
	default:
		log_error("cannot open database '%s': %s%s", rp->db_path, hr_errstr(r),
			  r == -ENOENT ? " (nothing recorded yet? start 'headroom record')" : "");
		return HR_EXIT_FAILURE;
	}
}

/* One table: its rows, then its averages. Returns 0 or -errno. */
/* One table: its rows from BUF (read ahead by prefetch.c) or, when NULL, from DB. */
static int report_one(struct hr_db *db, struct hr_render *out, const struct hr_activity *act,
		      const struct hr_query *q, const struct hr_rowbuf *buf)
{
	struct hr_render_col cols[MAX_COLS];
	struct hr_render_table t = {
		.name = act->name,
		.keyname = act->keyname,
		.keywidth = act->keywidth,
		.tailname = act->tailname,
		.cols = cols,
		.ncols = act->ncols,
	};
	struct hr_rows *rows = NULL;
	struct hr_row row;
	int r;

	if (act->ncols > MAX_COLS)
		return -E2BIG;
	for (size_t i = 0; i < act->ncols; i++)
		cols[i] = (struct hr_render_col){act->cols[i].name, act->cols[i].decimals};
	r = hr_render_begin(out, &t);
	if (r < 0)
		return r;
	for (size_t i = 0; buf && i < buf->n; i++) {
		const struct hr_bufrow *b = &buf->rows[i];
		if (b->average)
			r = hr_render_average(out, b->key, b->tail, b->v, b->null);
		else
			r = hr_render_row(out, b->ts_ms, b->span_ms, b->key, b->tail, b->v, b->null);
		if (r < 0)
			return r;
	}
	if (buf)
		return hr_render_end(out);
	r = hr_rows_open(db, act, q, &rows);
	if (r < 0)
		return r;
	while ((r = hr_rows_next(rows, &row)) > 0) {
		if (row.average)
			r = hr_render_average(out, row.key, row.tail, row.v, row.null);
		else
			r = hr_render_row(out, row.ts_ms, row.span_ms, row.key, row.tail, row.v,
					  row.null);
		if (r < 0)
			break;
	}
	hr_rows_free(rows);
	if (r < 0)
		return r;
	return hr_render_end(out);
}

static int run(struct report *rp)
{
	struct hr_db *db = NULL;
	struct hr_render *out = NULL;
	struct hr_render_info info = {0};
	struct hr_query q = {.bucket_ms = rp->bucket_ms, .top_n = rp->top_n};
	char host[256] = "", kernel[256] = "", ncpu[32] = "";
	_cleanup_free_ const char **cpukeys = NULL;
	_cleanup_free_ struct hr_restart *boots = NULL;
	_cleanup_free_ struct hr_render_restart *restarts = NULL;
	const struct hr_activity *acts[64];
	struct hr_query qs[64];
	struct hr_prefetch *pf = NULL;
	char err[256] = "";
	size_t nboots = 0, njobs = 0;
	int64_t n = 0;
	int code, r;

	code = make_range(rp, &q.range);
	if (code != HR_EXIT_OK)
		return code;
	code = open_db(rp, &db);
	if (code != HR_EXIT_OK)
		return code;
	r = hr_db_count(db, &q.range, &n);
	if (r < 0) {
		log_error("cannot read database '%s': %s", rp->db_path, hr_db_errmsg(db));
		hr_db_free(db);
		return r == -EMEDIUMTYPE ? HR_EXIT_DATABASE : HR_EXIT_FAILURE;
	}
	if (n == 0) {
		char a[64], b[64];
		fmt_time(q.range.from_ms, a, sizeof(a));
		fmt_time(q.range.to_ms, b, sizeof(b));
		if (rp->start || rp->end)
			log_error("no data between %s and %s in '%s' (each day from %s to %s)", a,
				  b, rp->db_path, rp->start ? rp->start : "00:00",
				  rp->end ? rp->end : "23:59:59");
		else
			log_error("no data between %s and %s in '%s'", a, b, rp->db_path);
		hr_db_free(db);
		return HR_EXIT_NODATA;
	}
	(void)hr_db_meta(db, "hostname", host, sizeof(host));
	(void)hr_db_meta(db, "kernel", kernel, sizeof(kernel));
	(void)hr_db_meta(db, "ncpu", ncpu, sizeof(ncpu));
	{
		/* sysstat records no processes: say the process table leaves its samples out */
		const struct hr_activity *top = hr_activity_find("top");
		int64_t nimp = 0;
		if (top && rp->want[top - hr_activities] &&
		    hr_db_count_imported(db, &q.range, &nimp) == 0 && nimp > 0)
			log_warn("%lld of the %lld samples in the range were imported from sysstat, "
				 "which records no processes: the process tables leave them out",
				 (long long)nimp, (long long)n);
	}
	r = hr_db_restarts(db, &q.range, &boots, &nboots);
	if (r == 0 && nboots) {
		restarts = calloc(nboots, sizeof(*restarts));
		if (!restarts)
			r = -ENOMEM;
		for (size_t i = 0; restarts && i < nboots; i++)
			restarts[i] = (struct hr_render_restart){boots[i].ts_ms, boots[i].ncpu};
	}
	if (r < 0) {
		log_error("cannot read database '%s': %s", rp->db_path,
			  *hr_db_errmsg(db) ? hr_db_errmsg(db) : hr_errstr(r));
		hr_db_free(db);
		return HR_EXIT_FAILURE;
	}
	/* -P N of a CPU the machine never had: say so, as sar does */
	{
		int most = (int)strtol(ncpu, NULL, 10);
		for (size_t i = 0; i < nboots; i++) {
			most = boots[i].ncpu > most ? boots[i].ncpu : most;
			most = boots[i].ncpu_before > most ? boots[i].ncpu_before : most;
		}
		for (size_t i = 0; most > 0 && i < rp->ncpus; i++)
			if (strtol(rp->cpus[i], NULL, 10) >= most) {
				log_error("no CPU %s on '%s': it has %d CPU%s (0-%d)", rp->cpus[i],
					  *host ? host : rp->db_path, most, most == 1 ? "" : "s",
					  most - 1);
				hr_db_free(db);
				return HR_EXIT_USAGE;
			}
	}
	info = (struct hr_render_info){
		.host = host,
		.kernel = kernel,
		.ncpu = (int)strtol(ncpu, NULL, 10),
		.from_ms = q.range.from_ms,
		.to_ms = q.range.to_ms,
		.bucket_ms = rp->bucket_ms,
		.restarts = restarts,
		.nrestarts = restarts ? nboots : 0,
	};
	/* the tables, in report order */
	for (size_t i = 0; i < hr_nactivities && i < ARRAY_SIZE(rp->want); i++) {
		const struct hr_activity *act = &hr_activities[i];
		if (!rp->want[i] || njobs == ARRAY_SIZE(acts))
			continue;
		acts[njobs] = act;
		qs[njobs] = q;
		if (!strncmp(act->name, "cpu", 3) && !rp->cpu_all && !cpukeys) {
			size_t k = 0;
			cpukeys = calloc(rp->ncpus + 1, sizeof(*cpukeys));
			if (!cpukeys) {
				r = -ENOMEM;
				break;
			}
			if (rp->cpu_total)
				cpukeys[k++] = "-1";
			for (size_t j = 0; j < rp->ncpus; j++)
				cpukeys[k++] = rp->cpus[j];
			qs[njobs].keys = cpukeys;
			qs[njobs].nkeys = k;
		}
		njobs++;
	}
	/*
	 * Several tables in buckets (-A -i 1h over a month: seconds of SQLite):
	 * a second thread reads ahead from the last table. Rows per sample are
	 * many and cheap to print, so those tables stay on this one.
	 */
	if (r == 0 && njobs > 1 && rp->bucket_ms > 0 &&
	    hr_prefetch_start(rp->db_path, acts, qs, njobs, &pf) < 0)
		pf = NULL;
	if (r == 0)
		r = hr_render_new(rp->fmt, stdout, &info, &out);
	for (size_t k = 0; r == 0 && k < njobs; k++) {
		const struct hr_rowbuf *buf = NULL;

		r = hr_prefetch_take(pf, k, &buf, err, sizeof(err));
		if (r == 0)
			r = report_one(db, out, acts[k], &qs[k], buf);
	}
	hr_prefetch_free(pf);
	if (r < 0) {
		log_error("cannot read database '%s': %s", rp->db_path,
			  *err ? err : *hr_db_errmsg(db) ? hr_db_errmsg(db) : hr_errstr(r));
		code = HR_EXIT_FAILURE;
	} else if ((r = hr_render_finish(out)) < 0) {
		log_error("cannot write the report: %s", hr_errstr(r));
		code = HR_EXIT_FAILURE;
	}
	hr_render_free(out);
	hr_db_free(db);
	return code;
}

int hr_cmd_report(int argc, char **argv)
{
	enum { OPT_FROM = 256, OPT_TO, OPT_PSI, OPT_TOP, OPT_HTML, OPT_PDF, OPT_TH, OPT_MINSUS, OPT_FORMAT,
	       OPT_HOST, OPT_ALLHOSTS };
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'f'},
		{"config", required_argument, NULL, 'c'},
		{"format", required_argument, NULL, OPT_FORMAT},
		{"from", required_argument, NULL, OPT_FROM},
		{"to", required_argument, NULL, OPT_TO},
		{"interval", required_argument, NULL, 'i'},
		{"psi", no_argument, NULL, OPT_PSI},
		{"top", optional_argument, NULL, OPT_TOP},
		{"html", required_argument, NULL, OPT_HTML},
		{"pdf", required_argument, NULL, OPT_PDF},
		{"threshold", required_argument, NULL, OPT_TH},
		{"min-sustained", required_argument, NULL, OPT_MINSUS},
		{"host", required_argument, NULL, OPT_HOST},
		{"all-hosts", no_argument, NULL, OPT_ALLHOSTS},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct report rp = {
		.config_path = HR_DEFAULT_CONFIG,
		.fmt = HR_FORMAT_TEXT,
		.top_n = 5,
		.minsus = -1,
	};
	uint64_t ms;
	int c, code = HR_EXIT_OK;

	opterr = 0;
	optind = 1;
	while (code == HR_EXIT_OK &&
	       (c = getopt_long(argc, argv, "+:uP:qrSWBbdn:wAFs:e:i:f:c:o:h", longopts, NULL)) !=
		       -1) {
		switch (c) {
		case 'u':
			/* -u ALL, like sar: every CPU field (an optional word, as for -q) */
			if (optind < argc && !strcmp(argv[optind], "ALL")) {
				optind++;
				rp.cpu_fields = true;
			}
			rp.cpu_total = true;
			rp.any = true;
			break;
		case 'P':
			if (parse_cpus(&rp, optarg) < 0)
				code = HR_EXIT_USAGE;
			break;
		case 'q':
			if (optind < argc && parse_q_keywords(&rp, argv[optind]))
				optind++;
			else
				want(&rp, "load");
			break;
		case 'r':
			want(&rp, "memory");
			break;
		case 'S':
			want(&rp, "swap");
			break;
		case 'W':
			want(&rp, "swapping");
			break;
		case 'B':
			want(&rp, "paging");
			break;
		case 'b':
			want(&rp, "io");
			break;
		case 'd':
			want(&rp, "disk");
			break;
		case 'n':
			if (parse_net(&rp, optarg) < 0)
				code = HR_EXIT_USAGE;
			break;
		case 'w':
			want(&rp, "sched");
			break;
		case 'F':
			if (optind < argc && !strcmp(argv[optind], "MOUNT")) {
				optind++;
				want(&rp, "fs-mount");
			} else {
				want(&rp, "fs");
			}
			break;
		case OPT_PSI:
			want(&rp, "psi-cpu");
			want(&rp, "psi-io");
			want(&rp, "psi-mem");
			break;
		case OPT_TOP:
			if (optarg) {
				char *endp;
				long n = strtol(optarg, &endp, 10);
				if (*endp || endp == optarg || n < 1 || n > 1000) {
					log_error("bad --top '%s': expected a number from 1 to 1000",
						  optarg);
					code = HR_EXIT_USAGE;
					break;
				}
				rp.top_n = (int)n;
			}
			want(&rp, "top");
			break;
		case 'A':
			/* sar -A: -u ALL -P ALL and every other table */
			for (size_t i = 0; i < hr_nactivities && i < ARRAY_SIZE(rp.want); i++)
				if (strcmp(hr_activities[i].name, "fs-mount") &&
				    strncmp(hr_activities[i].name, "cpu", 3))
					rp.want[i] = true;
			rp.any = rp.cpu_all = rp.cpu_total = rp.cpu_fields = true;
			break;
		case 's':
			rp.start = optarg;
			break;
		case 'e':
			rp.end = optarg;
			break;
		case OPT_HTML:
			rp.html = optarg;
			break;
		case OPT_PDF:
			rp.pdf = optarg;
			break;
		case OPT_TH:
			if (rp.ntharg == ARRAY_SIZE(rp.tharg)) {
				log_error("too many --threshold options");
				code = HR_EXIT_USAGE;
			} else {
				rp.tharg[rp.ntharg++] = optarg;
			}
			break;
		case OPT_MINSUS:
			if (hr_advise_parse_min_sustained(optarg, &rp.minsus) < 0)
				code = HR_EXIT_USAGE;
			break;
		case OPT_HOST:
			rp.host = optarg;
			break;
		case OPT_ALLHOSTS:
			rp.all_hosts = true;
			break;
		case OPT_FROM:
			rp.from = optarg;
			break;
		case OPT_TO:
			rp.to = optarg;
			break;
		case 'i':
			if (hr_parse_interval_ms(optarg, &ms) < 0 || ms < 1000 || ms % 1000 ||
			    ms > 86400000) {
				log_error("bad interval '%s': expected whole seconds from 1 to 86400 "
					  "(or 10m, 1h, 1d)",
					  optarg);
				code = HR_EXIT_USAGE;
			}
			rp.bucket_ms = (int64_t)ms;
			break;
		case 'f':
			if (!*optarg) {
				log_error("empty database path");
				code = HR_EXIT_USAGE;
			}
			rp.db_path = optarg;
			break;
		case 'c':
			rp.config_path = optarg;
			rp.config_explicit = true;
			break;
		case 'o':
			/* the old spelling, kept for one release (headroom.1) */
			log_warn("'-o' for the format is deprecated: use --format (-o names the "
				 "output file in graph)");
			/* fall through */
		case OPT_FORMAT:
			if (hr_format_parse(optarg, &rp.fmt) < 0) {
				log_error("unknown format '%s': expected text, csv or json", optarg);
				code = HR_EXIT_USAGE;
			}
			break;
		case 'h':
			help();
			free_cpus(&rp);
			return HR_EXIT_OK;
		case ':':
			log_error("option '%s' needs a value", argv[optind - 1]);
			code = HR_EXIT_USAGE;
			break;
		default:
			if (optopt && optopt != '?')
				log_error("unknown activity or option '-%c' (try 'headroom report "
					  "--help')",
					  optopt);
			else
				log_error("unknown option '%s' (try 'headroom report --help')",
					  argv[optind - 1]);
			code = HR_EXIT_USAGE;
			break;
		}
	}
	if (code == HR_EXIT_OK && optind < argc) {
		log_error("unexpected argument '%s' (try 'headroom report --help')", argv[optind]);
		code = HR_EXIT_USAGE;
	}
	if (code == HR_EXIT_OK && !rp.any)
		rp.cpu_total = true;	/* like sar: -u by default */
	/* -u, -P, -A: one CPU table, with every field for -u ALL */
	if (rp.cpu_total || rp.cpu_keys)
		want(&rp, rp.cpu_fields ? "cpu-all" : "cpu");
	if (code == HR_EXIT_OK && rp.all_hosts && (!rp.html || rp.pdf || rp.host)) {
		log_error("option --all-hosts takes --html FILE alone (no --pdf, no --host)");
		code = HR_EXIT_USAGE;
	}
	if (code == HR_EXIT_OK)
		code = resolve_db(&rp);
	if (code == HR_EXIT_OK && (rp.html || rp.pdf)) {
		struct hr_thresholds th;
		if (rp.html)
			code = hr_output_check(rp.html, rp.db_path);
		if (code == HR_EXIT_OK && rp.pdf)
			code = hr_output_check(rp.pdf, rp.db_path);
		if (code == HR_EXIT_OK)
			code = load_thresholds(&rp, &th);
		if (code == HR_EXIT_OK && rp.all_hosts)
			code = hr_report_fleet(rp.db_path, rp.from, rp.to, rp.html, &th);
		else if (code == HR_EXIT_OK)
			code = hr_report_doc(rp.db_path, rp.from, rp.to, rp.html, rp.pdf, &th);
	}
	else if (code == HR_EXIT_OK)
		code = run(&rp);
	free_cpus(&rp);
	return code;
}
