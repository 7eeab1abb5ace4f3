/*
 * password.c - reading passwords: terminal without echo, standard input,
 * a passfile, or an external program (sealfs CLI layer). Passwords live in
 * locked memory and are wiped when freed; they never appear in argv.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "log.h"
#include "cli.h"
#include "banned.h"

#define PW_MAX 1024
#define PW_ALLOC 4096

bool pw_opt(struct pw_opts *o, int c, const char *arg)
{
	switch (c) {
	case PW_OPT_STDIN:
		o->use_stdin = true;
		return true;
	case PW_OPT_PASSFILE:
		o->passfile = arg;
		return true;
	case PW_OPT_EXTPASS:
		o->extpass = arg;
		return true;
	case PW_OPT_NEW_PASSFILE:
		o->new_passfile = arg;
		return true;
	}
	return false;
}

void pw_free(char *pw)
{
	sfs_secure_free(pw, PW_ALLOC);
}

void harden_process(void)
{
	struct rlimit no_core = {0, 0};

	prctl(PR_SET_DUMPABLE, 0);
	setrlimit(RLIMIT_CORE, &no_core);
}

/* Read one line (without its newline) from fd, byte by byte so nothing after it is consumed. */
static int read_line(int fd, char *buf, size_t *ret_len, const char *what, bool log_empty)
{
	size_t len = 0;

	for (;;) {
		char c;
		ssize_t n = read(fd, &c, 1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			log_error("cannot read password from %s: %s", what, strerror(errno));
			return -errno;
		}
		if (n == 0 || c == '\n')
			break;
		if (len == PW_MAX) {
			log_error("password from %s is longer than %d bytes", what, PW_MAX);
			return -E2BIG;
		}
		buf[len++] = c;
	}
	if (len && buf[len - 1] == '\r')
		len--;
	buf[len] = '\0';
	if (len == 0) {
		if (log_empty)
			log_error("empty password from %s", what);
		return -ENODATA;
	}
	*ret_len = len;
	return 0;
}

static int from_file(const char *path, char *buf, size_t *ret_len)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	char what[PATH_MAX + 16];
	struct stat st;

	if (fd < 0) {
		log_error("cannot open passfile '%s': %s", path, strerror(errno));
		return -errno;
	}
	if (fstat(fd, &st) == 0 && (st.st_mode & 077))
		log_warn("passfile '%s' is readable by others (mode %04o); chmod 600 it",
			 path, (unsigned)(st.st_mode & 07777));
	snprintf(what, sizeof(what), "passfile '%s'", path);
	return read_line(fd, buf, ret_len, what, true);
}

static int from_program(const char *cmd, char *buf, size_t *ret_len)
{
	int pfd[2], status, r;
	pid_t pid;

	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		close(pfd[0]);
		close(pfd[1]);
		return -errno;
	}
	if (pid == 0) {
		dup2(pfd[1], STDOUT_FILENO);
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	close(pfd[1]);
	r = read_line(pfd[0], buf, ret_len, "--extpass program", false);
	/* Only the first line counts, but let the program finish writing (no SIGPIPE). */
	{
		char sink[4096];
		size_t total = 0;
		ssize_t n;
		while (total < (1u << 20) && ((n = read(pfd[0], sink, sizeof(sink))) > 0 ||
					       (n < 0 && errno == EINTR)))
			total += n > 0 ? (size_t)n : 0;
		sfs_wipe(sink, sizeof(sink));
	}
	close(pfd[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	/* a failed program first: its empty output is a symptom */
	if ((!r || r == -ENODATA) && !(WIFEXITED(status) && WEXITSTATUS(status) == 0)) {
		if (WIFEXITED(status))
			log_error("--extpass program failed (exit status %d)", WEXITSTATUS(status));
		else
			log_error("--extpass program failed (killed by signal %d)",
				  WIFSIGNALED(status) ? WTERMSIG(status) : 0);
		return -EIO;
	}
	if (r == -ENODATA)
		log_error("empty password from --extpass program");
	return r;
}

static int from_tty(const char *prompt, char *buf, size_t *ret_len)
{
	_cleanup_close_ int fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY);
	struct termios old, quiet;
	int r;

	if (fd < 0) {
		log_error("no terminal to ask for the password on; use -S, --passfile or --extpass");
		return -ENOTTY;
	}
	if (tcgetattr(fd, &old) < 0) {
		log_error("no terminal to ask for the password on; use -S, --passfile or --extpass");
		return -ENOTTY;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	/* echo off before the prompt: whoever answers it is never echoed */
	tcsetattr(fd, TCSAFLUSH, &quiet);
	(void)!write(fd, prompt, strlen(prompt));
	r = read_line(fd, buf, ret_len, "the terminal", true);
	tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	return r;
}

static int read_one(const struct pw_opts *o, const char *prompt, bool confirm, char *buf,
		    size_t *len)
{
	int r;

	if (o->passfile)
		return from_file(o->passfile, buf, len);
	if (o->extpass)
		return from_program(o->extpass, buf, len);
	if (o->use_stdin)
		return read_line(STDIN_FILENO, buf, len, "standard input", true);
	r = from_tty(prompt, buf, len);
	if (!r && confirm) {
		char *again = sfs_secure_alloc(PW_ALLOC);
		size_t alen = 0;
		if (!again)
			return -ENOMEM;
		r = from_tty("Repeat password: ", again, &alen);
		if (!r && (alen != *len || sfs_memeq_ct(again, buf, alen))) {
			log_error("passwords do not match");
			r = -EINVAL;
		}
		pw_free(again);
	}
	return r;
}

int pw_read(const struct pw_opts *o, const char *prompt, bool confirm, char **ret_pw,
	    size_t *ret_len)
{
	char *buf = sfs_secure_alloc(PW_ALLOC);
	size_t len = 0;
	int r, sources = !!o->passfile + !!o->extpass + !!o->use_stdin;

	if (!buf)
		return -ENOMEM;
	if (sources > 1) {
		log_error("use only one of -S, --passfile and --extpass");
		pw_free(buf);
		return -EINVAL;
	}
	r = read_one(o, prompt, confirm, buf, &len);
	if (r) {
		pw_free(buf);
		return r;
	}
	*ret_pw = buf;
	*ret_len = len;
	return 0;
}

int pw_read_new(const struct pw_opts *o, char **ret_pw, size_t *ret_len)
{
	struct pw_opts n = {0};

	if (o->new_passfile)
		n.passfile = o->new_passfile;
	else if (o->use_stdin)
		n.use_stdin = true;
	return pw_read(&n, "New password: ", true, ret_pw, ret_len);
}
