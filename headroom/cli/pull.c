/*
 * pull.c - `headroom pull [USER@]HOST...` (headroom/cli): fetch each
 * host's new samples through the system's ssh (or -e COMMAND, as rsync's
 * -e), so known_hosts, the agent and ~/.ssh/config apply; no SSH code here.
 * The remote runs `headroom export --after ID` (read-only, one
 * snapshot); the stream goes into that host's database (hosts.c) with the
 * watermark committed beside each batch (headroom/ingest/stream.c), so a
 * pull cut short is resumed by the next one with nothing lost or doubled.
 * A host without headroom (the remote shell cannot find it: exit 127) is
 * asked for its sysstat files instead, which are fetched with cat and
 * imported. Nothing is ever written on the remote.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "hr_cli.h"
#include "hr_config.h"
#include "hr_hosts.h"
#include "hr_ingest.h"
#include "hr_store.h"
#include "hr_xfer.h"
#include "cleanup.h"
#include "log.h"
#include "banned.h"

extern char **environ;

#define MAX_ARGS 64
#define BATCH 500
#define SA_DIR "/var/log/sysstat"

struct pull {
	const char *ssh;		/* -e COMMAND */
	const char *remote_hr;		/* --remote-headroom */
	const char *remote_db;		/* --remote-db */
	const char *sa_dir;		/* --sysstat-dir */
	char local[4096];
};

/* 'S' quoted for a POSIX shell into *ret (malloc'd). */
static char *shell_quote(const char *s)
{
	size_t n = strlen(s), o = 0;
	char *q = malloc(4 * n + 3);

	if (!q)
		return NULL;
	q[o++] = '\'';
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '\'') {
			memcpy(q + o, "'\\''", 4);
			o += 4;
		} else {
			q[o++] = s[i];
		}
	}
	q[o++] = '\'';
	q[o] = 0;
	return q;
}

/*
 * Run COMMAND (split on blanks) HOST REMOTE with stdout into a pipe:
 * *ret_fd and *ret_pid. 0 or -errno.
 */
static int run_remote(const struct pull *p, const char *host, const char *remote, int *ret_fd,
		      pid_t *ret_pid)
{
	/* compressed by default: the stream shrinks some twentyfold (bench/fleet.sh) */
	_cleanup_free_ char *cmd = strdup(p->ssh ? p->ssh : "ssh -C");
	posix_spawn_file_actions_t fa;
	char *argv[MAX_ARGS + 3], *save = NULL;
	int fds[2], devnull, r;
	size_t k = 0;

	if (!cmd)
		return -ENOMEM;
	for (char *w = strtok_r(cmd, " \t", &save); w && k < MAX_ARGS; w = strtok_r(NULL, " \t", &save))
		argv[k++] = w;
	if (k == 0)
		return -EINVAL;
	argv[k++] = (char *)host;
	argv[k++] = (char *)remote;
	argv[k] = NULL;
	devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (devnull < 0)
		return -errno;
	if (pipe2(fds, O_CLOEXEC) < 0) {
		r = -errno;
		close(devnull);
		return r;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, devnull, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 1);
	r = -posix_spawnp(ret_pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(devnull);
	close(fds[1]);
	if (r < 0) {
		close(fds[0]);
		return r;
	}
	*ret_fd = fds[0];
	return 0;
}

static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 255;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* The stream of `headroom export` into S. *ret_status: the remote command's. */
static int pull_stream(const struct pull *p, const char *host, struct hr_store *s,
		       struct hr_ingest_stats *st, int *ret_status, bool *ret_header, char *err,
		       size_t errsize)
{
	_cleanup_free_ char *qhr = shell_quote(p->remote_hr ? p->remote_hr : "headroom");
	_cleanup_free_ char *qdb = p->remote_db ? shell_quote(p->remote_db) : NULL;
	char remote[8192], rhost[256] = "";
	int64_t wid;
	FILE *in;
	pid_t pid;
	int fd, r;

	if (!qhr || (p->remote_db && !qdb))
		return -ENOMEM;
	hr_stream_watermark(s, &wid);
	snprintf(remote, sizeof(remote), "%s export --after %" PRId64 "%s%s", qhr, wid,
		 qdb ? " --db " : "", qdb ? qdb : "");
	r = run_remote(p, host, remote, &fd, &pid);
	if (r < 0) {
		snprintf(err, errsize, "cannot run '%s': %s", p->ssh ? p->ssh : "ssh -C",
			 hr_errstr(r));
		return r;
	}
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		reap(pid);
		return -ENOMEM;
	}
	r = hr_stream_receive(in, s, BATCH, st, rhost, sizeof(rhost), err, errsize);
	*ret_header = st->bytes > 0;
	if (r < 0 && r != -EPIPE)	/* at the stream's end the command ends by itself */
		kill(pid, SIGTERM);
	fclose(in);
	*ret_status = reap(pid);
	return r;
}

/* Fetch the remote file PATH with cat into a local temporary file; its fd. */
static int fetch_file(const struct pull *p, const char *host, const char *path, char *tpath,
		      size_t tsize)
{
	_cleanup_free_ char *qp = shell_quote(path);
	char remote[8192], buf[65536];
	const char *base = strrchr(path, '/'), *td = getenv("TMPDIR");
	int fd, out, st;
	pid_t pid;
	ssize_t n;

	base = base ? base + 1 : path;
	snprintf(tpath, tsize, "%s/headroom-pull-XXXXXX-%s", td && *td ? td : "/tmp", base);
	out = mkostemps(tpath, (int)strlen(base) + 1, O_CLOEXEC);
	if (out < 0 || !qp)
		return out < 0 ? -errno : -ENOMEM;
	snprintf(remote, sizeof(remote), "cat -- %s", qp);
	if (run_remote(p, host, remote, &fd, &pid) < 0) {
		close(out);
		unlink(tpath);
		return -EIO;
	}
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || write(out, buf, (size_t)n) != n)
			break;
	}
	close(fd);
	st = reap(pid);
	if (n != 0 || st != 0 || fsync(out) < 0) {
		close(out);
		unlink(tpath);
		return -EIO;
	}
	return out;
}

/* A host with sysstat only: list its sa files, fetch the changed ones, import them. */
static int pull_sysstat(const struct pull *p, const char *host, struct hr_store *s,
			struct hr_ingest_stats *st, char *err, size_t errsize)
{
	_cleanup_free_ char *qd = shell_quote(p->sa_dir ? p->sa_dir : SA_DIR);
	char remote[8192], *line = NULL;
	size_t cap = 0, nfiles = 0;
	FILE *in;
	pid_t pid;
	int fd, r = 0, status;

	if (!qd)
		return -ENOMEM;
	snprintf(remote, sizeof(remote), "find %s -maxdepth 2 -type f -name 'sa[0-9]*' "
		 "-printf '%%T@ %%s %%p\\n' | sort -k3", qd);
	r = run_remote(p, host, remote, &fd, &pid);
	if (r < 0)
		return r;
	in = fdopen(fd, "r");
	if (!in) {
		close(fd);
		reap(pid);
		return -ENOMEM;
	}
	while (r == 0 && getline(&line, &cap, in) > 0) {
		char *path = strchr(line, ' '), key[4200], seen[128] = "", tpath[4200], stamp[128];
		struct hr_sa *sa = NULL;
		int tfd;

		if (path)
			path = strchr(path + 1, ' ');
		if (!path || strlen(path) < 3)
			continue;
		*path++ = 0;
		path[strcspn(path, "\n")] = 0;
		snprintf(stamp, sizeof(stamp), "%s", line);
		snprintf(key, sizeof(key), "sa:%s", path);
		if (hr_xfer_get_meta(s, key, seen, sizeof(seen)) == 0 && !strcmp(seen, stamp))
			continue;	/* unchanged since the last pull */
		tfd = fetch_file(p, host, path, tpath, sizeof(tpath));
		if (tfd < 0) {
			snprintf(err, errsize, "cannot fetch '%s'", path);
			r = -EIO;
			break;
		}
		close(tfd);
		r = hr_sa_read(tpath, NULL, &sa, err, errsize);
		unlink(tpath);
		if (r == 0)
			r = hr_sa_store(sa, s, st, err, errsize);
		if (r == 0)
			r = hr_store_set_meta(s, key, stamp);
		hr_sa_free(sa);
		nfiles++;
	}
	free(line);
	fclose(in);
	status = reap(pid);
	if (r == 0 && status != 0) {
		snprintf(err, errsize, "listing %s on the remote failed (exit %d)",
			 p->sa_dir ? p->sa_dir : SA_DIR, status);
		r = -EIO;
	}
	return r;
}

static int pull_one(const struct pull *p, const char *arg)
{
	const char *at = strrchr(arg, '@'), *name = at ? at + 1 : arg;
	struct hr_ingest_stats st = {0};
	struct hr_store *s = NULL;
	char db[4096], err[512] = "";
	bool header = false;
	int code, status = 0, r;

	if (hr_host_db(p->local, name, db, sizeof(db)) < 0) {
		log_error("bad host '%s': letters, digits, '.', '_' and '-' only after USER@", arg);
		return HR_EXIT_USAGE;
	}
	if (hr_host_dir_make(p->local) < 0) {
		log_error("cannot make the hosts directory beside '%s': %s", p->local,
			  hr_errstr(errno));
		return HR_EXIT_FAILURE;
	}
	code = hr_cli_open_writer(db, 0, &s);
	if (code != HR_EXIT_OK)
		return code;
	r = pull_stream(p, arg, s, &st, &status, &header, err, sizeof(err));
	if (r == -EPIPE && !header && status == 127) {
		/* no headroom there: its sysstat files */
		*err = 0;
		r = pull_sysstat(p, arg, s, &st, err, sizeof(err));
		if (r == 0)
			printf("%s: sysstat files, %" PRId64 " samples into %s; skipped %" PRId64
			       " already there\n", name, st.added, db, st.duplicate);
	} else if (r == 0) {
		printf("%s: %" PRId64 " new samples into %s (%" PRId64 " bytes read)\n", name,
		       st.added, db, st.bytes);
	}
	if (r < 0) {
		if (!header && status)
			log_error("cannot pull from '%s': the remote command failed (exit %d)%s%s",
				  arg, status, *err ? ": " : "", err);
		else
			log_error("pull from '%s' stopped after %" PRId64 " new samples: %s (they "
				  "are kept; pull again to resume)", arg, st.added,
				  *err ? err : hr_errstr(r));
		code = !header && status ? HR_EXIT_FAILURE
		       : r == -EPROTO || r == -EPIPE ? HR_EXIT_INPUT : HR_EXIT_FAILURE;
	}
	hr_store_free(s);
	return code;
}

static void help(void)
{
	printf("usage: headroom pull [--db PATH] [-e COMMAND] [USER@]HOST...\n"
	       "\n"
	       "Fetch each host's samples recorded since the last pull, over ssh, into its\n"
	       "own database beside this machine's (DIR/hosts/HOST.db); then\n"
	       "'headroom report --host HOST', 'advise --all-hosts', 'report --html FILE\n"
	       "--all-hosts' read it. The remote runs 'headroom export' (read-only, one\n"
	       "snapshot); a host without headroom sends its sysstat files instead. A pull\n"
	       "cut short keeps what it got and the next one resumes.\n"
	       "\n"
	       "  -f, --db PATH              this machine's database (default %s)\n"
	       "  -c, --config FILE          config file (default %s)\n"
	       "  -e, --rsh COMMAND          the remote shell (default 'ssh -C'), split on blanks:\n"
	       "                             -e 'ssh -p 2222 -i key'\n"
	       "      --remote-headroom PATH headroom on the remote (default headroom)\n"
	       "      --remote-db PATH       the remote's database (default its own default)\n"
	       "      --sysstat-dir DIR      where a sysstat-only host keeps its files\n"
	       "                             (default " SA_DIR ")\n"
	       "  -h, --help                 this text\n"
	       "\n"
	       "exit codes: 0 ok, 1 failure, 2 usage, 3 database refused, 4 another pull runs,\n"
	       "            6 the stream was cut short or garbled (what came is kept)\n",
	       HR_DEFAULT_DB, HR_DEFAULT_CONFIG);
}

int hr_cmd_pull(int argc, char **argv)
{
	enum { OPT_RHR = 256, OPT_RDB, OPT_SADIR };
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'f'},
		{"config", required_argument, NULL, 'c'},
		{"rsh", required_argument, NULL, 'e'},
		{"remote-headroom", required_argument, NULL, OPT_RHR},
		{"remote-db", required_argument, NULL, OPT_RDB},
		{"sysstat-dir", required_argument, NULL, OPT_SADIR},
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct pull p = {0};
	const char *db = NULL, *config = HR_DEFAULT_CONFIG;
	bool explicit = false;
	int c, code = HR_EXIT_OK, ret = HR_EXIT_OK;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+:f:c:e:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'f':
			db = optarg;
			break;
		case 'c':
			config = optarg;
			explicit = true;
			break;
		case 'e':
			p.ssh = optarg;
			break;
		case OPT_RHR:
			p.remote_hr = optarg;
			break;
		case OPT_RDB:
			p.remote_db = optarg;
			break;
		case OPT_SADIR:
			p.sa_dir = optarg;
			break;
		case 'h':
			help();
			return HR_EXIT_OK;
		case ':':
			log_error("option '%s' needs a value", argv[optind - 1]);
			return HR_EXIT_USAGE;
		default:
			log_error("unknown option '%s' (try 'headroom pull --help')", argv[optind - 1]);
			return HR_EXIT_USAGE;
		}
	}
	if (optind == argc) {
		log_error("no host to pull from (try 'headroom pull --help')");
		return HR_EXIT_USAGE;
	}
	if (p.ssh && !strpbrk(p.ssh, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ/.")) {
		log_error("bad -e '%s': expected a command such as 'ssh -p 2222'", p.ssh);
		return HR_EXIT_USAGE;
	}
	code = hr_cli_db_path(db, config, explicit, p.local, sizeof(p.local));
	signal(SIGPIPE, SIG_IGN);
	/* every host, even after one failed; the first failure's code */
	for (int i = optind; code == HR_EXIT_OK && i < argc; i++) {
		int one = pull_one(&p, argv[i]);
		if (one != HR_EXIT_OK && ret == HR_EXIT_OK)
			ret = one;
	}
	if (code == HR_EXIT_OK)
		code = ret;
	fflush(stdout);
	return code;
}
