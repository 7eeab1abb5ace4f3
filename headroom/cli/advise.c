/*
 * advise.c - `headroom advise`: one verdict per resource (CPU, memory,
 * each disk, each interface) with its evidence, over any time range
 * (headroom/cli).
 *
 * Glue only: thresholds from the table of headroom/analyze/advise.c, then
 * THRESHOLD_* of the config file, then --threshold and --min-sustained;
 * the analysis is hr_advise_load(), the output a headroom/render advise
 * writer. The exit status carries the worst verdict for cron and
 * monitoring: 0 ok, 10 watch, 11 investigate, 12 upgrade (above the error
 * codes 1-5 of hr_cli.h). This is the only place that logs.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hr_advise.h"
#include "hr_advise_cmd.h"
#include "hr_advise_render.h"
#include "hr_analyze.h"
#include "hr_cli.h"
#include "hr_config.h"
#include "hr_report.h"
#include "cleanup.h"
#include "hr_hosts.h"
#include "log.h"
#include "banned.h"

struct advise {
	const char *db_path, *config_path, *from, *to;
	bool config_explicit, json;
	const char *host;	/* --host NAME */
	bool all_hosts;		/* --all-hosts */
	int njson;		/* --all-hosts --format json: objects written so far */
	struct hr_thresholds th;
	char dbbuf[4096], hostbuf[4096];
};

static void help(void)
{
	printf("usage: headroom advise [--db PATH] [--from DATE[ TIME]] [--to DATE[ TIME]]\n"
	       "                       [--format text|json] [--threshold NAME=VALUE]...\n"
	       "                       [--min-sustained DURATION] [--list-thresholds]\n"
	       "\n"
	       "One verdict per resource - CPU, memory, each disk, each interface - from\n"
	       "ok, watch, investigate, upgrade, with its evidence: the rule that fired, how\n"
	       "long and when, the figures, the top processes of those intervals, and the\n"
	       "growth trend with a forecast.\n"
	       "\n"
	       "      --from DATE[ TIME]      YYYY-MM-DD[ HH:MM[:SS]], today, yesterday, or\n"
	       "                              -2h, '3 days ago' (local time; default: the\n"
	       "                              first sample recorded)\n"
	       "      --to DATE[ TIME]        a date alone includes that whole day (default now)\n"
	       "  -f, --db PATH               database (default %s, or DATABASE\n"
	       "                              from the config file)\n"
	       "  -c, --config FILE           config file (default %s); its\n"
	       "                              THRESHOLD_<NAME>=N lines set thresholds\n"
	       "      --format FORMAT         text (default) or json\n"
	       "  -t, --threshold NAME=VALUE  override one threshold (after the config file)\n"
	       "      --min-sustained DURATION  replace every *_SUSTAINED_MIN (e.g. 10s, 2m),\n"
	       "                              for short recordings and tests\n"
	       "      --list-thresholds       the thresholds in effect, with their sources\n"
	       "      --host NAME             the database of host NAME (pulled or imported)\n"
	       "      --all-hosts             every host: this one and DIR/hosts/ *.db, a\n"
	       "                              verdict per host and resource, then a summary\n"
	       "                              (JSON: an array); exit status the worst\n"
	       "  -h, --help                  this text\n"
	       "\n"
	       "exit codes: 0 all ok, 10 watch, 11 investigate, 12 upgrade (the worst verdict\n"
	       "wins); 1 failure, 2 usage, 3 database refused, 5 no data in the range\n",
	       HR_DEFAULT_DB, HR_DEFAULT_CONFIG);
}

int hr_advise_apply_config(const struct hr_config *cfg, const char *path,
			   struct hr_thresholds *th)
{
	for (size_t i = 0; i < cfg->nthresholds; i++) {
		if (hr_thresholds_set(th, cfg->thresholds[i].name,
				      (double)cfg->thresholds[i].value) < 0) {
			log_error("bad config '%s': unknown threshold 'THRESHOLD_%s' (see headroom "
				  "advise --list-thresholds)",
				  path, cfg->thresholds[i].name);
			return HR_EXIT_USAGE;
		}
	}
	return HR_EXIT_OK;
}

/* Config file: DATABASE (unless --db) and THRESHOLD_* lines. */
static int load_config(struct advise *ad)
{
	struct hr_config cfg;
	int r;

	r = hr_cli_config(ad->config_path, ad->config_explicit, &cfg);
	if (r != HR_EXIT_OK)
		return r;
	r = hr_advise_apply_config(&cfg, ad->config_path, &ad->th);
	if (r != HR_EXIT_OK)
		return r;
	if (!ad->db_path) {
		snprintf(ad->dbbuf, sizeof(ad->dbbuf), "%s", cfg.database);
		ad->db_path = ad->dbbuf;
	}
	return HR_EXIT_OK;
}

/* --threshold [THRESHOLD_]NAME=VALUE */
int hr_advise_parse_threshold(struct hr_thresholds *th, const char *arg)
{
	char name[64];
	const char *eq = strchr(arg, '=');
	char *end;
	double v;
	size_t n;

	if (!strncmp(arg, "THRESHOLD_", 10))
		arg += 10;
	n = eq ? (size_t)(eq - arg) : 0;
	if (!eq || n == 0 || n >= sizeof(name)) {
		log_error("bad --threshold '%s': expected NAME=VALUE", arg);
		return -EINVAL;
	}
	memcpy(name, arg, n);
	name[n] = '\0';
	errno = 0;
	v = strtod(eq + 1, &end);
	if (errno || end == eq + 1 || *end || hr_thresholds_set(th, name, v) == -ERANGE) {
		log_error("bad --threshold value '%s' for %s", eq + 1, name);
		return -EINVAL;
	}
	if (hr_thresholds_set(th, name, v) < 0) {
		log_error("unknown threshold '%s' (see headroom advise --list-thresholds)", name);
		return -EINVAL;
	}
	return 0;
}

int hr_advise_parse_min_sustained(const char *arg, double *ret_s)
{
	uint64_t ms;

	if (!strcmp(arg, "0")) {
		*ret_s = 0;
		return 0;
	}
	if (hr_parse_interval_ms(arg, &ms) < 0) {
		log_error("bad --min-sustained '%s': expected a duration like 10s or 2m", arg);
		return -EINVAL;
	}
	*ret_s = (double)ms / 1000;
	return 0;
}

static void list_thresholds(const struct hr_thresholds *th)
{
	for (size_t i = 0; i < HR_TH_COUNT; i++) {
		const struct hr_threshold_def *d = &hr_threshold_defs[i];
		printf("THRESHOLD_%s=%g\t%s (default %g %s)\n\tsource: %s\n", d->name, th->v[i],
		       d->what, d->def, d->unit, d->source);
	}
	if (th->min_sustained_s >= 0)
		printf("--min-sustained %gs replaces every *_SUSTAINED_MIN\n", th->min_sustained_s);
}

static int make_range(struct advise *ad, struct hr_range *rg)
{
	int64_t now_ms;

	now_ms = hr_cli_now();
	*rg = (struct hr_range){.from_ms = 0, .to_ms = now_ms, .tod_from = -1, .tod_to = -1};
	if (ad->from && hr_time_parse(ad->from, false, now_ms, &rg->from_ms) < 0) {
		log_error("bad --from '%s': expected " HR_TIME_FORMS,
			  ad->from);
		return HR_EXIT_USAGE;
	}
	if (ad->to && hr_time_parse(ad->to, true, now_ms, &rg->to_ms) < 0) {
		log_error("bad --to '%s': expected " HR_TIME_FORMS,
			  ad->to);
		return HR_EXIT_USAGE;
	}
	if (rg->from_ms > rg->to_ms) {
		char a[64], b[64];
		hr_advise_fmt_time(rg->from_ms, a, sizeof(a));
		hr_advise_fmt_time(rg->to_ms, b, sizeof(b));
		log_error("inverted range: --from %s is after --to %s", a, b);
		return HR_EXIT_USAGE;
	}
	return HR_EXIT_OK;
}

static int run(struct advise *ad)
{
	struct hr_db *db = NULL;
	struct hr_advice *a = NULL;
	struct hr_range rg;
	char host[256] = "", kernel[256] = "";
	int code, r;

	code = make_range(ad, &rg);
	if (code != HR_EXIT_OK)
		return code;
	r = hr_db_open(ad->db_path, &db);
	if (r == -EMEDIUMTYPE || r == -EPROTONOSUPPORT) {
		log_error("'%s' is not a headroom database this version reads (or is corrupt)",
			  ad->db_path);
		return HR_EXIT_DATABASE;
	} else if (r < 0) {
		log_error("cannot open database '%s': %s%s", ad->db_path, hr_errstr(r),
			  r == -ENOENT ? " (nothing recorded yet? start 'headroom record')" : "");
		return HR_EXIT_FAILURE;
	}
	r = hr_advise_load(db, &rg, &ad->th, &a);
	if (r < 0) {
		log_error("cannot read database '%s': %s", ad->db_path,
			  *hr_db_errmsg(db) ? hr_db_errmsg(db) : hr_errstr(r));
		hr_db_free(db);
		return r == -EMEDIUMTYPE ? HR_EXIT_DATABASE : HR_EXIT_FAILURE;
	}
	if (a->nsamples == 0) {
		char t1[64], t2[64];
		hr_advise_fmt_time(rg.from_ms, t1, sizeof(t1));
		hr_advise_fmt_time(rg.to_ms, t2, sizeof(t2));
		if (ad->from || ad->to)
			log_error("no data between %s and %s in '%s'", t1, t2, ad->db_path);
		else
			log_error("no data up to %s in '%s' (nothing recorded yet)", t2,
				  ad->db_path);
		hr_advice_free(a);
		hr_db_free(db);
		return HR_EXIT_NODATA;
	}
	(void)hr_db_meta(db, "hostname", host, sizeof(host));
	(void)hr_db_meta(db, "kernel", kernel, sizeof(kernel));
	struct hr_advise_meta m = {.host = host, .kernel = kernel};
	if (ad->json && ad->all_hosts && ad->njson++)
		fputs(",", stdout);
	r = ad->json ? hr_advise_write_json(stdout, a, &m) : hr_advise_write_text(stdout, a, &m);
	if (r < 0) {
		log_error("cannot write the advice: %s", hr_errstr(r));
		code = HR_EXIT_FAILURE;
	} else {
		code = hr_verdict_exit(a->worst);
	}
	hr_advice_free(a);
	hr_db_free(db);
	return code;
}

/* How bad an exit code of run() is, for the worst over the hosts. */
static int badness(int code)
{
	switch (code) {
	case HR_EXIT_OK:
		return 0;
	case HR_EXIT_NODATA:
		return 1;
	case 10: case 11: case 12:	/* watch, investigate, upgrade */
		return code - 8;
	default:
		return 10;		/* failure, database refused */
	}
}

/* --all-hosts: each host's verdict in turn, a summary, the worst exit status. */
static int run_all(struct advise *ad)
{
	struct hr_hostdb *hosts = NULL;
	size_t n = 0;
	int worst = HR_EXIT_OK, *codes, r;
	const char *local = ad->db_path;

	r = hr_hosts_list(local, &hosts, &n);
	if (r < 0) {
		log_error("no host has data beside '%s' (record, pull or import first)", local);
		return HR_EXIT_FAILURE;
	}
	codes = calloc(n, sizeof(*codes));
	if (!codes) {
		free(hosts);
		return HR_EXIT_FAILURE;
	}
	if (ad->json)
		fputs("[", stdout);
	for (size_t i = 0; i < n; i++) {
		if (!ad->json)
			printf("%s==== host %s ====\n\n", i ? "\n" : "", hosts[i].name);
		fflush(stdout);
		ad->db_path = hosts[i].path;
		codes[i] = run(ad);
		if (badness(codes[i]) > badness(worst))
			worst = codes[i];
	}
	if (ad->json) {
		fputs("]\n", stdout);
	} else {
		printf("\n==== hosts, worst first ====\n");
		for (int b = 10; b >= 0; b--)
			for (size_t i = 0; i < n; i++) {
				static const char *const word[] = {"ok", "no data", "watch",
								   "investigate", "upgrade"};
				if (badness(codes[i]) != b)
					continue;
				printf("%-24s %s\n", hosts[i].name, b < 5 ? word[b] : "failed");
			}
	}
	ad->db_path = local;
	free(codes);
	free(hosts);
	return worst;
}

int hr_cmd_advise(int argc, char **argv)
{
	enum { OPT_FROM = 256, OPT_TO, OPT_MINSUS, OPT_LIST, OPT_FORMAT, OPT_HOST, OPT_ALL };
	static const struct option longopts[] = {
	    {"db", required_argument, NULL, 'f'},
	    {"config", required_argument, NULL, 'c'},
	    {"format", required_argument, NULL, OPT_FORMAT},
	    {"from", required_argument, NULL, OPT_FROM},
	    {"to", required_argument, NULL, OPT_TO},
	    {"threshold", required_argument, NULL, 't'},
	    {"min-sustained", required_argument, NULL, OPT_MINSUS},
	    {"list-thresholds", no_argument, NULL, OPT_LIST},
	    {"host", required_argument, NULL, OPT_HOST},
	    {"all-hosts", no_argument, NULL, OPT_ALL},
	    {"help", no_argument, NULL, 'h'},
	    {0},
	};
	struct advise ad = {.config_path = HR_DEFAULT_CONFIG};
	/* --threshold must apply after the config file: keep them for later. */
	_cleanup_free_ const char **tharg = calloc((size_t)argc + 1, sizeof(*tharg));
	size_t ntharg = 0;
	double minsus = -1;
	bool list = false;
	int c, code;

	if (!tharg) {
		log_error("out of memory");
		return HR_EXIT_FAILURE;
	}
	hr_thresholds_defaults(&ad.th);
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:f:c:o:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			ad.db_path = optarg;
			break;
		case 'c':
			ad.config_path = optarg;
			ad.config_explicit = true;
			break;
		case 'o':
			/* the old spelling, kept for one release (headroom.1) */
			log_warn("'-o' for the format is deprecated: use --format (-o names the "
				 "output file in graph)");
			/* fall through */
		case OPT_FORMAT:
			if (!strcmp(optarg, "json")) {
				ad.json = true;
			} else if (strcmp(optarg, "text")) {
				log_error("bad --format '%s': expected text or json", optarg);
				return HR_EXIT_USAGE;
			}
			break;
		case OPT_FROM:
			ad.from = optarg;
			break;
		case OPT_TO:
			ad.to = optarg;
			break;
		case 't':
			tharg[ntharg++] = optarg;
			break;
		case OPT_MINSUS:
			if (hr_advise_parse_min_sustained(optarg, &minsus) < 0)
				return HR_EXIT_USAGE;
			break;
		case OPT_LIST:
			list = true;
			break;
		case OPT_HOST:
			ad.host = optarg;
			break;
		case OPT_ALL:
			ad.all_hosts = true;
			break;
		case 'h':
			help();
			return HR_EXIT_OK;
		case ':':
			log_error("option '%s' needs a value", argv[optind - 1]);
			return HR_EXIT_USAGE;
		default:
			log_error("unknown option '%s' (try 'headroom advise --help')",
				  argv[optind - 1]);
			return HR_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (try 'headroom advise --help')", argv[optind]);
		return HR_EXIT_USAGE;
	}
	code = load_config(&ad);
	if (code != HR_EXIT_OK)
		return code;
	for (size_t i = 0; i < ntharg; i++)
		if (hr_advise_parse_threshold(&ad.th, tharg[i]) < 0)
			return HR_EXIT_USAGE;
	ad.th.min_sustained_s = minsus;
	if (list) {
		list_thresholds(&ad.th);
		return HR_EXIT_OK;
	}
	if (ad.host && ad.all_hosts) {
		log_error("options --host and --all-hosts exclude each other");
		return HR_EXIT_USAGE;
	}
	if (ad.all_hosts)
		return run_all(&ad);
	if (ad.host) {
		code = hr_host_resolve(ad.db_path, ad.host, ad.hostbuf, sizeof(ad.hostbuf));
		if (code != HR_EXIT_OK)
			return code;
		ad.db_path = ad.hostbuf;
	}
	return run(&ad);
}
