/*
 * hr_cli.h - the subcommands of the `headroom` executable and its exit
 * codes (headroom/cli). main.c dispatches through a table of struct
 * hr_command; each subcommand lives in its own file (record.c; report,
 * advise and graph later) and returns one of the HR_EXIT_* codes, which
 * docs/headroom.1 documents. Subcommands log their own one-line errors.
 */
#ifndef HR_CLI_H
#define HR_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum {
	HR_EXIT_OK = 0,
	HR_EXIT_FAILURE = 1,	/* runtime failure: cannot open or create the database... */
	HR_EXIT_USAGE = 2,	/* bad option, bad config file */
	HR_EXIT_DATABASE = 3,	/* database refused: newer schema, not headroom's, corrupt */
	HR_EXIT_LOCKED = 4,	/* another recorder holds the database */
	/* 5 is HR_EXIT_NODATA (hr_report.h) */
	HR_EXIT_INPUT = 6,	/* import/pull: a file or stream refused (not sysstat's, cut short) */
};

struct hr_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);	/* argv[0] is the subcommand name */
};

int hr_cmd_record(int argc, char **argv);
int hr_cmd_import(int argc, char **argv);	/* ingest.c */
int hr_cmd_export(int argc, char **argv);	/* ingest.c */
int hr_cmd_pull(int argc, char **argv);		/* pull.c */

struct hr_store;
/* --db, else DATABASE of the config file, else the default, into BUF (ingest.c). */
int hr_cli_db_path(const char *db, const char *config, bool explicit, char *buf, size_t size);
/* Open PATH with HR_STORE_WRITER | FLAGS; logs, returns an HR_EXIT_* code (ingest.c). */
int hr_cli_open_writer(const char *path, int flags, struct hr_store **ret);

/* strerror() of -NEG_ERRNO (or NEG_ERRNO) starting lowercase, for one-line
   messages ("cannot write 'x': no such file or directory"); main.c. */
const char *hr_errstr(int neg_errno);

/* The present in Unix ms, from hr_time_now() (HEADROOM_NOW, the test-only
   clock knob, included); main() has refused a bad HEADROOM_NOW already.
   Every subcommand takes "now" from here. main.c. */
int64_t hr_cli_now(void);

struct hr_config;
/*
 * Fill CFG from the config file PATH over the defaults; a missing file is
 * fine (the defaults stay) unless EXPLICIT (named with --config). Logs a
 * bad file in one line; returns HR_EXIT_OK or HR_EXIT_USAGE. main.c.
 */
int hr_cli_config(const char *path, bool explicit, struct hr_config *cfg);

#endif
