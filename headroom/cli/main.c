/*
 * main.c - the `headroom` executable: global options and the subcommand
 * table (headroom/cli). Adding a subcommand = one file + one entry below.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_cli.h"
#include "hr_config.h"
#include "hr_report.h"
#include "hr_advise_cmd.h"
#include "hr_graph.h"
#include "hr_analyze.h"
#include "log.h"
#include "cleanup.h"
#include "banned.h"

static const struct hr_command commands[] = {
	{.name = "record", .summary = "sample system activity into the database", .run = hr_cmd_record},
	{.name = "report", .summary = "sar-style tables over any time range", .run = hr_cmd_report},
	{.name = "advise", .summary = "a verdict per resource: ok, watch, investigate, upgrade", .run = hr_cmd_advise},
	{.name = "graph", .summary = "charts of any time range (PNG, SVG, PDF)", .run = hr_cmd_graph},
	{.name = "import", .summary = "load sysstat's daily files (saDD) as samples", .run = hr_cmd_import},
	{.name = "pull", .summary = "fetch other hosts' new samples over ssh", .run = hr_cmd_pull},
	{.name = "export", .summary = "write samples as the stream pull reads", .run = hr_cmd_export},
};

const char *hr_errstr(int neg_errno)
{
	static char buf[128];

	snprintf(buf, sizeof(buf), "%s", strerror(neg_errno < 0 ? -neg_errno : neg_errno));
	if (buf[0] >= 'A' && buf[0] <= 'Z' && !(buf[1] >= 'A' && buf[1] <= 'Z'))
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return buf;
}

int hr_cli_config(const char *path, bool explicit, struct hr_config *cfg)
{
	char err[512] = "";
	int r;

	hr_config_defaults(cfg);
	r = hr_config_load(path, cfg, err, sizeof(err));
	if (r == -ENOENT && !explicit) {
		hr_config_defaults(cfg);
	} else if (r < 0) {
		log_error("bad config '%s': %s", path, *err ? err : hr_errstr(r));
		return HR_EXIT_USAGE;
	}
	return HR_EXIT_OK;
}

int64_t hr_cli_now(void)
{
	int64_t ms = 0;

	if (hr_time_now(&ms) < 0)
		abort();	/* main() has checked HEADROOM_NOW */
	return ms;
}

static void usage(FILE *f)
{
	fprintf(f, "usage: headroom COMMAND [OPTIONS]\n"
		   "       headroom --help | --version\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-10s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\nrun 'headroom COMMAND --help' for the options of a command\n"
		   "exit codes: 0 ok, 1 failure, 2 usage, 3 database refused, 4 database locked,\n"
		   "            5 no data in the range (report, advise),\n"
		   "            6 a file or stream refused (import, pull)\n"
		   "advise: 0 all ok, 10 watch, 11 investigate, 12 upgrade (worst verdict wins)\n");
}

int main(int argc, char **argv)
{
	log_init("headroom");
	if (argc < 2) {
		log_error("no command given (try 'headroom --help')");
		return HR_EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return HR_EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("headroom %s\n", PROJECT_VERSION);
		return HR_EXIT_OK;
	}
	if (hr_time_now(NULL) < 0) {
		log_error("bad HEADROOM_NOW '%s': expected YYYY-MM-DD HH:MM:SS or @SECONDS",
			  getenv("HEADROOM_NOW"));
		return HR_EXIT_USAGE;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	log_error("unknown command '%s' (try 'headroom --help')", argv[1]);
	return HR_EXIT_USAGE;
}
