/*
 * ingest.c - `headroom import` (sysstat's daily files) and `headroom
 * export` (the stream `headroom pull` reads over ssh) (headroom/cli).
 * Glue only: headroom/ingest reads and writes, hosts.c says which
 * database a host's samples go to. Logs one line per problem.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "hr_cli.h"
#include "hr_config.h"
#include "hr_hosts.h"
#include "hr_ingest.h"
#include "hr_store.h"
#include "hr_xfer.h"
#include "cleanup.h"
#include "log.h"
#include "banned.h"

/* --db, else DATABASE of the config file, else the default, into BUF. */
int hr_cli_db_path(const char *db, const char *config, bool explicit, char *buf, size_t size)
{
	struct hr_config cfg;
	int code;

	if (db) {
		snprintf(buf, size, "%s", db);
		return HR_EXIT_OK;
	}
	code = hr_cli_config(config, explicit, &cfg);
	if (code == HR_EXIT_OK)
		snprintf(buf, size, "%s", cfg.database);
	return code;
}

/* Open PATH as a writer beside a running recorder; logs, returns an HR_EXIT_* code. */
int hr_cli_open_writer(const char *path, int flags, struct hr_store **ret)
{
	int ver = 0, r = hr_store_open(path, HR_STORE_WRITER | flags, ret, &ver);

	switch (r) {
	case 0:
		return HR_EXIT_OK;
	case -EMEDIUMTYPE:
		log_error("'%s' is not a headroom database (or is corrupt)", path);
		return HR_EXIT_DATABASE;
	case -EPROTONOSUPPORT:
		log_error("database '%s' has schema version %d, newer than this headroom's (%d); "
			  "upgrade headroom", path, ver, HR_SCHEMA_VERSION);
		return HR_EXIT_DATABASE;
	case -EBUSY:
		log_error("database '%s' is in use by another pull or import (pid %d)", path, ver);
		return HR_EXIT_LOCKED;
	default:
		log_error("cannot open database '%s': %s", path, hr_errstr(r));
		return HR_EXIT_FAILURE;
	}
}

static void import_help(void)
{
	printf("usage: headroom import [--db PATH] [--host NAME] FILE...\n"
	       "\n"
	       "Load sysstat's daily files (saDD, saYYYYMMDD, and their .gz, .xz, .zst or\n"
	       ".bz2 rotations) as samples at their original times, read through sysstat's\n"
	       "own 'sadf -j'. A file of this machine goes into its database; a file of\n"
	       "another host into that host's database beside it (DIR/hosts/NAME.db, as\n"
	       "'headroom pull' writes). Samples already there, and samples overlapping\n"
	       "what 'headroom record' recorded, are skipped and counted: importing a file\n"
	       "twice changes nothing. Give the files oldest first.\n"
	       "\n"
	       "  -f, --db PATH      this machine's database (default %s,\n"
	       "                     or DATABASE from the config file)\n"
	       "  -c, --config FILE  config file (default %s)\n"
	       "      --host NAME    store every file as host NAME's, whatever it says\n"
	       "      --sadf PROG    the sadf to run (default: sadf on PATH)\n"
	       "  -h, --help         this text\n"
	       "\n"
	       "exit codes: 0 ok, 1 failure, 2 usage, 3 database refused,\n"
	       "            6 a file refused (not sysstat's, or unreadable; the others load)\n",
	       HR_DEFAULT_DB, HR_DEFAULT_CONFIG);
}

/* Which database the samples of host HOST go to, into BUF. Logs; HR_EXIT_*. */
static int target_db(const char *local_db, const char *host, char *buf, size_t size)
{
	struct utsname u;
	struct hr_store *s = NULL;
	char rec[256] = "";
	int ver = 0;

	if (uname(&u) == 0 && !strcmp(u.nodename, host)) {
		snprintf(buf, size, "%s", local_db);
		return HR_EXIT_OK;
	}
	if (hr_store_open(local_db, HR_STORE_READONLY, &s, &ver) == 0 && ver >= 1 &&
	    hr_xfer_get_meta(s, "hostname", rec, sizeof(rec)) == 0 && !strcmp(rec, host)) {
		hr_store_free(s);
		snprintf(buf, size, "%s", local_db);
		return HR_EXIT_OK;
	}
	hr_store_free(s);
	if (hr_host_db(local_db, host, buf, size) < 0) {
		log_error("host name '%s' cannot name a database file (use --host NAME)", host);
		return HR_EXIT_INPUT;
	}
	if (hr_host_dir_make(local_db) < 0) {
		log_error("cannot make the hosts directory beside '%s': %s", local_db,
			  hr_errstr(errno));
		return HR_EXIT_FAILURE;
	}
	return HR_EXIT_OK;
}

static int import_one(const char *file, const char *local_db, const char *host, const char *sadf)
{
	struct hr_ingest_stats st = {0};
	struct hr_store *s = NULL;
	struct hr_sa *sa = NULL;
	char err[512] = "", db[4096];
	int code, r;

	r = hr_sa_read(file, sadf, &sa, err, sizeof(err));
	if (r < 0) {
		log_error("cannot import '%s': %s", file, *err ? err : hr_errstr(r));
		return r == -ENOMEM ? HR_EXIT_FAILURE : HR_EXIT_INPUT;
	}
	if (host) {
		code = target_db(local_db, host, db, sizeof(db));
	} else if (!*hr_sa_host(sa)) {
		log_error("cannot import '%s': the file names no host (use --host NAME)", file);
		code = HR_EXIT_INPUT;
	} else {
		code = target_db(local_db, hr_sa_host(sa), db, sizeof(db));
	}
	if (code == HR_EXIT_OK)
		code = hr_cli_open_writer(db, HR_STORE_NOLOCK, &s);
	if (code == HR_EXIT_OK) {
		r = hr_sa_store(sa, s, &st, err, sizeof(err));
		if (r < 0) {
			log_error("cannot import '%s' into '%s': %s", file, db,
				  *err ? err : hr_errstr(r));
			code = r == -EMEDIUMTYPE ? HR_EXIT_DATABASE : HR_EXIT_FAILURE;
		} else {
			printf("%s: host %s, %" PRId64 " samples imported into %s; skipped %" PRId64
			       " already there, %" PRId64 " overlapping recorded ones; %" PRId64
			       " reboot%s\n",
			       file, host ? host : hr_sa_host(sa), st.added, db, st.duplicate,
			       st.recorded, st.restarts, st.restarts == 1 ? "" : "s");
		}
	}
	hr_store_free(s);
	hr_sa_free(sa);
	return code;
}

int hr_cmd_import(int argc, char **argv)
{
	enum { OPT_HOST = 256, OPT_SADF };
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'f'},
		{"config", required_argument, NULL, 'c'},
		{"host", required_argument, NULL, OPT_HOST},
		{"sadf", required_argument, NULL, OPT_SADF},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *db = NULL, *config = HR_DEFAULT_CONFIG, *host = NULL, *sadf = NULL;
	bool explicit = false;
	char local[4096];
	int c, code = HR_EXIT_OK;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:f:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			db = optarg;
			break;
		case 'c':
			config = optarg;
			explicit = true;
			break;
		case OPT_HOST:
			if (!hr_host_name_ok(optarg)) {
				log_error("bad host name '%s': letters, digits, '.', '_' and '-' only",
					  optarg);
				return HR_EXIT_USAGE;
			}
			host = optarg;
			break;
		case OPT_SADF:
			sadf = optarg;
			break;
		case 'h':
			import_help();
			return HR_EXIT_OK;
		case ':':
			log_error("option '%s' needs a value", argv[optind - 1]);
			return HR_EXIT_USAGE;
		default:
			log_error("unknown option '%s' (try 'headroom import --help')",
				  argv[optind - 1]);
			return HR_EXIT_USAGE;
		}
	}
	if (optind == argc) {
		log_error("no file to import (try 'headroom import --help')");
		return HR_EXIT_USAGE;
	}
	code = hr_cli_db_path(db, config, explicit, local, sizeof(local));
	for (int i = optind; code != HR_EXIT_USAGE && i < argc; i++) {
		int one = import_one(argv[i], local, host, sadf);
		/* the worst wins; a refused file does not stop the others */
		if (one != HR_EXIT_OK && (code == HR_EXIT_OK || code == HR_EXIT_INPUT))
			code = one;
		if (one == HR_EXIT_FAILURE || one == HR_EXIT_DATABASE || one == HR_EXIT_LOCKED)
			break;
	}
	if (fflush(stdout) == EOF && code == HR_EXIT_OK) {
		log_error("cannot write the summary: %s", hr_errstr(errno));
		code = HR_EXIT_FAILURE;
	}
	return code;
}

/* ---- export ---- */

static void export_help(void)
{
	printf("usage: headroom export [--db PATH] [--host NAME] [--after ID]\n"
	       "\n"
	       "Write the samples of the database to standard output as the stream\n"
	       "'headroom pull' reads (JSON lines; docs/headroom-schema.md). One read\n"
	       "transaction, so a consistent snapshot while the recorder runs; the\n"
	       "database is opened read-only and never written.\n"
	       "\n"
	       "  -f, --db PATH      database (default %s, or DATABASE from the\n"
	       "                     config file)\n"
	       "  -c, --config FILE  config file (default %s)\n"
	       "      --host NAME    the database of host NAME (pulled or imported) instead\n"
	       "      --after ID     only the samples written after sample ID (as pull asks)\n"
	       "  -h, --help         this text\n"
	       "\n"
	       "exit codes: 0 ok, 1 failure (the reader went away), 2 usage, 3 database refused\n",
	       HR_DEFAULT_DB, HR_DEFAULT_CONFIG);
}

int hr_cmd_export(int argc, char **argv)
{
	enum { OPT_HOST = 256, OPT_AFTER };
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'f'},
		{"config", required_argument, NULL, 'c'},
		{"host", required_argument, NULL, OPT_HOST},
		{"after", required_argument, NULL, OPT_AFTER},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	const char *db = NULL, *config = HR_DEFAULT_CONFIG, *host = NULL;
	bool explicit = false;
	char path[4096], local[4096], err[512] = "";
	long long aid = 0;
	int64_t n = 0;
	int c, code, r;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:f:c:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			db = optarg;
			break;
		case 'c':
			config = optarg;
			explicit = true;
			break;
		case OPT_HOST:
			host = optarg;
			break;
		case OPT_AFTER: {
			char extra;
			if (sscanf(optarg, "%lld%c", &aid, &extra) != 1 || aid < 0) {
				log_error("bad --after '%s': expected a sample id (a number)", optarg);
				return HR_EXIT_USAGE;
			}
			break;
		}
		case 'h':
			export_help();
			return HR_EXIT_OK;
		case ':':
			log_error("option '%s' needs a value", argv[optind - 1]);
			return HR_EXIT_USAGE;
		default:
			log_error("unknown option '%s' (try 'headroom export --help')",
				  argv[optind - 1]);
			return HR_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s' (try 'headroom export --help')", argv[optind]);
		return HR_EXIT_USAGE;
	}
	code = hr_cli_db_path(db, config, explicit, local, sizeof(local));
	if (code != HR_EXIT_OK)
		return code;
	snprintf(path, sizeof(path), "%s", local);
	if (host && (code = hr_host_resolve(local, host, path, sizeof(path))) != HR_EXIT_OK)
		return code;
	r = hr_stream_export(path, aid, stdout, &n, err, sizeof(err));
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
		log_error("cannot export '%s': %s", path, *err ? err : hr_errstr(r));
		return HR_EXIT_FAILURE;
	}
}
