/*
 * record.c - `headroom record`: the collector daemon (headroom/cli).
 *
 * Glue only: reads the config, opens the store (one writer per database),
 * then samples every INTERVAL on CLOCK_MONOTONIC (rates) stamping rows with
 * CLOCK_REALTIME (timestamps), one transaction per sample. Normal events are
 * handled here and logged once: a full disk (keep sampling, drop samples,
 * say so once, resume when space returns), a deleted database (start a new
 * one), SIGTERM/SIGINT (finish the sample being written, exit 0), SIGHUP
 * (re-read the config). This is the only place that logs.
 */
#include <errno.h>
#include <sys/stat.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "hr_cli.h"
#include "hr_collect.h"
#include "hr_config.h"
#include "hr_store.h"
#include "cleanup.h"
#include "log.h"
#include "util.h"
#include "banned.h"

static volatile sig_atomic_t got_stop, got_reload;

/* strerror() with a lowercase first letter, as our messages are. */
static void on_signal(int sig)
{
	if (sig == SIGHUP)
		got_reload = 1;
	else
		got_stop = 1;
}

struct recorder {
	struct hr_config cfg;
	const char *config_path;
	bool config_explicit;
	/* command-line overrides */
	const char *opt_interval, *opt_db;
	uint64_t count;
	bool foreground, verbose;
	const char *root;

	char db[4096];
	struct hr_collect *col;
	struct hr_store *store;
	struct hr_rows rows;
	bool full;		/* last write hit a full disk */
	int last_err;		/* last write error logged, 0 if none */
	uint64_t lost, written;
	int reopen_err;
};

static void help(void)
{
	printf("usage: headroom record [--interval SECONDS] [--db PATH] [--config FILE]\n"
	       "                       [--count N] [--foreground] [--verbose]\n"
	       "\n"
	       "Sample CPU, load, memory, swap, paging, disks, interfaces, sockets, PSI,\n"
	       "filesystems and the top processes every interval into an SQLite database.\n"
	       "\n"
	       "  -i, --interval SECONDS  time between samples (default 10; 0.5, 2m allowed)\n"
	       "      --db PATH           database (default %s)\n"
	       "  -c, --config FILE       config file (default %s)\n"
	       "  -n, --count N           take N samples after a baseline, then exit\n"
	       "      --foreground        do not detach (implied by --count)\n"
	       "  -v, --verbose           log every sample written\n"
	       "  -h, --help              this text\n"
	       "\n"
	       "exit codes: 0 ok, 1 failure, 2 usage, 3 database refused, 4 database locked\n",
	       HR_DEFAULT_DB, HR_DEFAULT_CONFIG);
}

/* Config file, then command line over it. Logs and returns an exit code. */
static int load_config(struct recorder *rc)
{
	char err[512] = "";
	int r;

	hr_config_defaults(&rc->cfg);
	r = hr_config_load(rc->config_path, &rc->cfg, err, sizeof(err));
	if (r == -ENOENT && !rc->config_explicit) {
		hr_config_defaults(&rc->cfg);
	} else if (r < 0) {
		log_error("bad config '%s': %s", rc->config_path, err);
		return HR_EXIT_USAGE;
	}
	if (rc->opt_interval) {
		r = hr_parse_interval_ms(rc->opt_interval, &rc->cfg.interval_ms);
		if (r < 0) {
			log_error("bad interval '%s': expected seconds from 0.1 to 86400",
				  rc->opt_interval);
			return HR_EXIT_USAGE;
		}
	}
	if (rc->opt_db)
		snprintf(rc->cfg.database, sizeof(rc->cfg.database), "%s", rc->opt_db);
	return HR_EXIT_OK;
}

static int new_collector(struct recorder *rc, struct hr_collect **ret)
{
	struct hr_collect_opts o = {
		.root = rc->root,
		.enabled = rc->cfg.collectors,
		.disk_partitions = rc->cfg.disk_partitions,
		.disk_virtual = rc->cfg.disk_virtual,
		.top_n = (unsigned)rc->cfg.top_processes,
	};
	snprintf(o.link_speed, sizeof(o.link_speed), "%s", rc->cfg.link_speed);
	int r = hr_collect_new(&o, ret);

	if (r < 0)
		log_error("cannot read system statistics under '%s': %s", rc->root ? rc->root : "/",
			  hr_errstr(r));
	return r;
}

static void set_meta(struct recorder *rc)
{
	struct utsname u;
	char buf[64];

	if (uname(&u) == 0) {
		(void)hr_store_set_meta(rc->store, "hostname", u.nodename);
		(void)hr_store_set_meta(rc->store, "kernel", u.release);
	}
	snprintf(buf, sizeof(buf), "%ld", sysconf(_SC_NPROCESSORS_CONF));
	(void)hr_store_set_meta(rc->store, "ncpu", buf);
	(void)hr_store_set_meta(rc->store, "writer", "headroom " PROJECT_VERSION);
}

/*
 * The default database's directory (/var/lib/headroom), made when missing:
 * a fresh machine has none until the recorder first runs (the systemd unit
 * makes it too). A --db or DATABASE path is taken as given: a typo there
 * makes no directory.
 */
static void make_db_dir(const char *db)
{
	char dir[sizeof(HR_DEFAULT_DB)];

	if (strcmp(db, HR_DEFAULT_DB) != 0)
		return;
	memcpy(dir, HR_DEFAULT_DB, sizeof(dir));
	*strrchr(dir, '/') = '\0';
	if (mkdir(dir, 0755) == 0)
		log_info("created directory '%s' for the database", dir);
}

/* Open the database; logs and returns an exit code. */
static int open_store(struct recorder *rc)
{
	int ver = 0, r;

	make_db_dir(rc->db);
	r = hr_store_open(rc->db, HR_STORE_WRITER, &rc->store, &ver);
	switch (r) {
	case 0:
		set_meta(rc);
		return HR_EXIT_OK;
	case -EBUSY:
		if (ver > 0)
			log_error("database '%s' is already being recorded by pid %d", rc->db, ver);
		else
			log_error("database '%s' is already being recorded by another process",
				  rc->db);
		return HR_EXIT_LOCKED;
	case -EPROTONOSUPPORT:
		log_error("database '%s' has schema version %d, newer than this headroom's (%d); "
			  "refusing to touch it",
			  rc->db, ver, HR_SCHEMA_VERSION);
		return HR_EXIT_DATABASE;
	case -EMEDIUMTYPE:
		log_error("'%s' is not a headroom database (or is corrupt); refusing to touch it",
			  rc->db);
		return HR_EXIT_DATABASE;
	default:
		log_error("cannot open database '%s': %s", rc->db, hr_errstr(r));
		return HR_EXIT_FAILURE;
	}
}

/* Reopen after the file was deleted or a reopen failed; logs once. */
static void check_store(struct recorder *rc)
{
	int ver, r;

	if (rc->store && hr_store_check_file(rc->store) == 0)
		return;
	if (rc->store) {
		log_warn("database '%s' was removed; starting a new one", rc->db);
		hr_store_free(rc->store);
		rc->store = NULL;
	}
	r = hr_store_open(rc->db, HR_STORE_WRITER, &rc->store, &ver);
	if (r < 0) {
		rc->store = NULL;
		if (r != rc->reopen_err)
			log_error("cannot open database '%s': %s", rc->db, hr_errstr(r));
		rc->reopen_err = r;
		return;
	}
	if (rc->reopen_err)
		log_info("database '%s' open again", rc->db);
	rc->reopen_err = 0;
	set_meta(rc);
}

static uint64_t mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
}

static int write_sample(struct recorder *rc, int64_t ts, int64_t span)
{
	int r = hr_store_begin(rc->store, ts, span, hr_collect_boot_id(rc->col));

	for (size_t i = 0; r == 0 && i < rc->rows.n; i++) {
		const struct hr_row *row = &rc->rows.row[i];
		const struct hr_table *t = row->table;

		r = hr_store_put(rc->store, t->name, t->key, row->key, t->label, row->label,
				 t->cols, t->ncols, row->v);
	}
	if (r == 0)
		r = hr_store_commit(rc->store);
	else
		hr_store_rollback(rc->store);
	return r;
}

static void store_sample(struct recorder *rc, int64_t ts, int64_t span)
{
	int r;

	check_store(rc);
	if (!rc->store) {
		rc->lost++;
		return;
	}
	r = write_sample(rc, ts, span);
	if (r == 0) {
		if (rc->full || rc->last_err)
			log_info("database '%s' is written again; %llu sample(s) were lost meanwhile",
				 rc->db, (unsigned long long)rc->lost);
		rc->full = false;
		rc->last_err = 0;
		rc->lost = 0;
		rc->written++;
		if (rc->verbose)
			log_info("sample %llu committed (%zu rows)", (unsigned long long)rc->written,
				 rc->rows.n);
		return;
	}
	rc->lost++;
	if (r == -ENOSPC) {
		if (!rc->full)
			log_warn("database '%s': disk full; sampling goes on, samples are dropped "
				 "until space returns",
				 rc->db);
		rc->full = true;
	} else if (r != rc->last_err) {
		log_error("cannot write a sample to database '%s': %s (%s)", rc->db, hr_errstr(r),
			  hr_store_errmsg(rc->store));
	}
	rc->last_err = r;
}

static void maintain(struct recorder *rc, bool *more)
{
	struct hr_retention rt = {
		.history_ms = (int64_t)rc->cfg.history_days * 86400000,
		.raw_ms = (int64_t)rc->cfg.rollup_after_days * 86400000,
		.bucket_ms = (int64_t)rc->cfg.rollup_interval_s * 1000,
	};
	int r;

	*more = false;
	if (!rc->store || rc->full)
		return;
	r = hr_store_maintain(rc->store, hr_cli_now(), &rt, 12, more);
	if (r < 0 && r != -ENOSPC && rc->verbose)
		log_warn("retention on database '%s': %s (%s)", rc->db, hr_errstr(r),
			 hr_store_errmsg(rc->store));
}

static void reload(struct recorder *rc)
{
	struct hr_config old = rc->cfg;
	struct hr_collect *c;

	if (load_config(rc) != HR_EXIT_OK) {
		rc->cfg = old;
		log_warn("keeping the previous configuration");
		return;
	}
	if (strcmp(old.database, rc->cfg.database) != 0) {
		log_warn("a new database path takes effect on restart; still writing '%s'", rc->db);
		snprintf(rc->cfg.database, sizeof(rc->cfg.database), "%s", old.database);
	}
	if (old.collectors != rc->cfg.collectors || old.disk_partitions != rc->cfg.disk_partitions ||
	    old.disk_virtual != rc->cfg.disk_virtual || old.top_processes != rc->cfg.top_processes ||
	    strcmp(old.link_speed, rc->cfg.link_speed) != 0) {
		if (new_collector(rc, &c) == 0) {
			hr_collect_free(rc->col);
			rc->col = c;
		}
	}
	log_info("configuration reloaded (interval %.1f s, history %llu days)",
		 (double)rc->cfg.interval_ms / 1000.0, (unsigned long long)rc->cfg.history_days);
}

/* Detach; the parent exits with the child's start-up code once it is known. */
static int daemonize(int *ret_notify)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid > 0) {
		unsigned char code = HR_EXIT_FAILURE;
		close(p[1]);
		if (read(p[0], &code, 1) != 1)
			code = HR_EXIT_FAILURE;
		_exit(code);
	}
	close(p[0]);
	if (setsid() < 0)
		return -errno;
	if (chdir("/") < 0)
		return -errno;
	*ret_notify = p[1];
	return 0;
}

static void notify(int *fd, int code)
{
	unsigned char c = (unsigned char)code;

	if (*fd < 0)
		return;
	if (write(*fd, &c, 1) != 1) {
		/* parent gone: nothing to tell */
	}
	close(*fd);
	*fd = -1;
	if (code == HR_EXIT_OK) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		log_use_syslog(true);
		if (null >= 0) {
			dup2(null, 0);
			dup2(null, 1);
			dup2(null, 2);
			close(null);
		}
	}
}

static int run(struct recorder *rc)
{
	uint64_t interval_ns, next, last, taken = 0, since_maint = 0;
	enum hr_sample_kind kind;
	bool more = false;
	int r;

	maintain(rc, &more);
	last = mono_ns();
	r = hr_collect_sample(rc->col, last, &rc->rows, &kind);	/* baseline */
	if (r < 0) {
		log_error("cannot take a sample: %s", hr_errstr(r));
		return HR_EXIT_FAILURE;
	}
	interval_ns = rc->cfg.interval_ms * 1000000ULL;
	next = last + interval_ns;
	while (!got_stop) {
		struct timespec ts = {.tv_sec = (time_t)(next / 1000000000ULL),
				      .tv_nsec = (long)(next % 1000000000ULL)};
		uint64_t now;

		r = clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
		if (got_stop)
			break;
		if (got_reload) {
			got_reload = 0;
			reload(rc);
			interval_ns = rc->cfg.interval_ms * 1000000ULL;
		}
		if (r == EINTR)
			continue;
		now = mono_ns();
		if (now < next)
			continue;
		r = hr_collect_sample(rc->col, now, &rc->rows, &kind);
		if (r < 0) {
			log_error("cannot take a sample: %s", hr_errstr(r));
			return HR_EXIT_FAILURE;
		}
		if (kind == HR_SAMPLE_RATES) {
			store_sample(rc, hr_cli_now(), (int64_t)((now - last) / 1000000));
			taken++;
		} else if (kind == HR_SAMPLE_REBOOT) {
			log_info("boot id changed: counters restarted");
		}
		last = now;
		if (rc->count && taken >= rc->count)
			break;
		if (more || ++since_maint * rc->cfg.interval_ms >= 300000) {
			since_maint = 0;
			maintain(rc, &more);
		}
		/* Next tick on the grid; after a stall (suspend, overload) skip missed ones. */
		next += interval_ns;
		now = mono_ns();
		if (next <= now)
			next = now + interval_ns - (now - next) % interval_ns;
	}
	return HR_EXIT_OK;
}

enum { OPT_DB = 1000, OPT_FOREGROUND };

int hr_cmd_record(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"interval", required_argument, NULL, 'i'},
		{"db", required_argument, NULL, OPT_DB},
		{"config", required_argument, NULL, 'c'},
		{"count", required_argument, NULL, 'n'},
		{"foreground", no_argument, NULL, OPT_FOREGROUND},
		{"verbose", no_argument, NULL, 'v'},
		{"root", required_argument, NULL, 'R'},	/* hidden: replay a captured tree */
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct recorder rc = {.config_path = HR_DEFAULT_CONFIG};
	struct sigaction sa = {.sa_handler = on_signal};
	int notify_fd = -1, c, code;

	rc.root = getenv("HEADROOM_ROOT");
	optind = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:d:c:n:fvh", longopts, NULL)) != -1) {
		switch (c) {
		case 'i':
			rc.opt_interval = optarg;
			break;
		case 'd':
			/* the old spelling, kept for one release (headroom.1) */
			log_warn("'-d' is deprecated: use --db (-f is the database in report, "
				 "advise and graph, as in sar)");
			/* fall through */
		case OPT_DB:
			if (!*optarg) {
				log_error("empty database path");
				return HR_EXIT_USAGE;
			}
			rc.opt_db = optarg;
			break;
		case 'c':
			rc.config_path = optarg;
			rc.config_explicit = true;
			break;
		case 'n':
			if (parse_u64(optarg, 1, UINT32_MAX, &rc.count) < 0) {
				log_error("bad count '%s': expected a number from 1", optarg);
				return HR_EXIT_USAGE;
			}
			break;
		case 'f':
			log_warn("'-f' is deprecated: use --foreground (-f is the database in report, "
				 "advise and graph)");
			/* fall through */
		case OPT_FOREGROUND:
			rc.foreground = true;
			break;
		case 'v':
			rc.verbose = true;
			break;
		case 'R':
			rc.root = optarg;
			break;
		case 'h':
			help();
			return HR_EXIT_OK;
		case ':':
			log_error("option '%s' needs a value", argv[optind - 1]);
			return HR_EXIT_USAGE;
		default:
			log_error("unknown option '%s' (try 'headroom record --help')",
				  argv[optind - 1]);
			return HR_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		log_error("unexpected argument '%s'", argv[optind]);
		return HR_EXIT_USAGE;
	}
	code = load_config(&rc);
	if (code != HR_EXIT_OK)
		return code;
	snprintf(rc.db, sizeof(rc.db), "%s", rc.cfg.database);

	if (!rc.foreground && !rc.count && daemonize(&notify_fd) < 0) {
		log_error("cannot detach: %s", hr_errstr(errno));
		return HR_EXIT_FAILURE;
	}
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	code = open_store(&rc);
	if (code == HR_EXIT_OK && new_collector(&rc, &rc.col) < 0)
		code = HR_EXIT_FAILURE;
	notify(&notify_fd, code);
	if (code == HR_EXIT_OK) {
		/* one line at start and one at stop, for the journal (no more unless -v) */
		log_info("recording every %gs into '%s'%s", (double)rc.cfg.interval_ms / 1000, rc.db,
			 rc.count ? "" : " until stopped");
		code = run(&rc);
		log_info("stopped after %llu samples into '%s'%s", (unsigned long long)rc.written,
			 rc.db, code == HR_EXIT_OK ? "" : " (on an error, see above)");
	}
	hr_collect_free(rc.col);
	hr_store_free(rc.store);
	hr_rows_release(&rc.rows);
	return code;
}
