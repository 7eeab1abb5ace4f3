/*
 * output.c - how `graph` and `report --html/--pdf` write their files
 * (headroom/cli): never over the database they read (a slip of the finger
 * on --html would otherwise replace a month of history with a web page),
 * and atomically (rendered in memory, then a temp file, fsync, rename), so
 * a full disk or a crash leaves the old file whole. Never logs, except
 * hr_output_check(), which returns an HR_EXIT_* code.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hr_cli.h"
#include "hr_graph.h"
#include "cleanup.h"
#include "io.h"
#include "log.h"
#include "banned.h"

#define OUT_MAX (1024u << 20)

/* True when PATH names the same file as DB plus SUFFIX ("" for DB itself). */
static bool same_file(const struct stat *out, const char *db, const char *suffix)
{
	char name[4096];
	struct stat st;

	if ((size_t)snprintf(name, sizeof(name), "%s%s", db, suffix) >= sizeof(name))
		return false;
	return stat(name, &st) == 0 && st.st_dev == out->st_dev && st.st_ino == out->st_ino;
}

int hr_output_check(const char *out, const char *db_path)
{
	static const char *const suffixes[] = {"", "-wal", "-shm", "-journal", ".lock"};
	struct stat st;

	if (stat(out, &st) < 0)
		return HR_EXIT_OK; /* a new file cannot be the database */
	for (size_t i = 0; i < sizeof(suffixes) / sizeof(suffixes[0]); i++)
		if (same_file(&st, db_path, suffixes[i])) {
			log_error("refusing to write '%s': it is the database%s%s (pick another "
				  "output file)",
				  out, *suffixes[i] ? "'s " : "",
				  *suffixes[i] ? suffixes[i] + (suffixes[i][0] == '-') : "");
			return HR_EXIT_USAGE;
		}
	return HR_EXIT_OK;
}

int hr_output_write(const char *path, const void *data, size_t len)
{
	_cleanup_free_ char *d = strdup(path), *b = strdup(path);
	mode_t mask;
	int dfd, r;

	if (!d || !b)
		return -ENOMEM;
	/* the file a plain creat() would make: 0666 less the umask */
	mask = umask(0);
	umask(mask);
	dfd = io_open_dir(dirname(d));
	if (dfd < 0)
		return dfd;
	r = io_write_file_atomic_at(dfd, basename(b), data, len, 0666 & ~mask);
	close(dfd);
	return r;
}

struct membuf {
	unsigned char *p;
	size_t len, cap;
};

static int mem_add(void *closure, const unsigned char *data, size_t len)
{
	struct membuf *m = closure;

	if (len > OUT_MAX - m->len)
		return -E2BIG;
	if (m->len + len > m->cap) {
		size_t cap = m->cap ? m->cap : 65536;
		unsigned char *g;
		while (cap < m->len + len)
			cap *= 2;
		g = realloc(m->p, cap);
		if (!g)
			return -ENOMEM;
		m->p = g;
		m->cap = cap;
	}
	memcpy(m->p + m->len, data, len);
	m->len += len;
	return 0;
}

int hr_output_chart_doc(enum hr_image_format fmt, const struct hr_chart_doc *doc, const char *path)
{
	struct membuf m = {0};
	int r = hr_chart_doc_write(fmt, doc, mem_add, &m);

	if (r == 0)
		r = hr_output_write(path, m.p, m.len);
	free(m.p);
	return r;
}
