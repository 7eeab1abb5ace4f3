/*
 * hosts.c - one database per host: names, paths and the list of hosts
 * (headroom/cli). See hr_hosts.h.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "hr_analyze.h"
#include "hr_cli.h"
#include "hr_hosts.h"
#include "log.h"
#include "banned.h"

int hr_host_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > 253 || name[0] == '.' || name[0] == '-')
		return 0;
	for (size_t i = 0; i < n; i++) {
		char c = name[i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-'))
			return 0;
	}
	return 1;
}

/* The directory of LOCAL_DB ("." when it has none) into BUF. */
static int dir_of(const char *local_db, char *buf, size_t size)
{
	const char *slash = strrchr(local_db, '/');
	int n;

	if (!slash)
		n = snprintf(buf, size, ".");
	else if (slash == local_db)
		n = snprintf(buf, size, "/");
	else
		n = snprintf(buf, size, "%.*s", (int)(slash - local_db), local_db);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int hr_host_db(const char *local_db, const char *name, char *buf, size_t size)
{
	char dir[4096];
	int n, r;

	if (!hr_host_name_ok(name))
		return -EINVAL;
	r = dir_of(local_db, dir, sizeof(dir));
	if (r < 0)
		return r;
	n = snprintf(buf, size, "%s/hosts/%s.db", dir, name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

int hr_host_dir_make(const char *local_db)
{
	char dir[4096], sub[4200];
	int r = dir_of(local_db, dir, sizeof(dir));

	if (r < 0)
		return r;
	snprintf(sub, sizeof(sub), "%s/hosts", dir);
	if (mkdir(sub, 0755) < 0 && errno != EEXIST)
		return -errno;
	return 0;
}

/* The hostname recorded in the database at PATH, or "". */
static void recorded_name(const char *path, char *buf, size_t size)
{
	struct hr_db *db = NULL;

	*buf = 0;
	if (hr_db_open(path, &db) == 0)
		(void)hr_db_meta(db, "hostname", buf, size);
	hr_db_free(db);
}

static int cmp_host(const void *a, const void *b)
{
	const struct hr_hostdb *x = a, *y = b;

	if (x->local != y->local)
		return y->local - x->local;
	return strcmp(x->name, y->name);
}

int hr_hosts_list(const char *local_db, struct hr_hostdb **ret, size_t *ret_n)
{
	struct hr_hostdb *v = NULL;
	size_t n = 0, cap = 0;
	char dir[4096], sub[4200];
	struct dirent *de;
	struct stat st;
	DIR *d;
	int r = dir_of(local_db, dir, sizeof(dir));

	if (r < 0)
		return r;
	if (stat(local_db, &st) == 0) {
		v = calloc(1, sizeof(*v));
		if (!v)
			return -ENOMEM;
		cap = 1;
		recorded_name(local_db, v->name, sizeof(v->name));
		if (!*v->name)
			snprintf(v->name, sizeof(v->name), "local");
		snprintf(v->path, sizeof(v->path), "%s", local_db);
		v->local = 1;
		n = 1;
	}
	snprintf(sub, sizeof(sub), "%s/hosts", dir);
	d = opendir(sub);
	while (d && (de = readdir(d))) {
		size_t len = strlen(de->d_name);
		struct hr_hostdb *h;

		if (len < 4 || strcmp(de->d_name + len - 3, ".db") || len - 3 >= sizeof(h->name))
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 16;
			struct hr_hostdb *g = realloc(v, nc * sizeof(*g));
			if (!g) {
				closedir(d);
				free(v);
				return -ENOMEM;
			}
			v = g;
			cap = nc;
		}
		h = &v[n];
		memset(h, 0, sizeof(*h));
		snprintf(h->name, sizeof(h->name), "%.*s", (int)(len - 3), de->d_name);
		if (!hr_host_name_ok(h->name))
			continue;
		if (snprintf(h->path, sizeof(h->path), "%s/%s", sub, de->d_name) >=
		    (int)sizeof(h->path))
			continue;
		n++;
	}
	if (d)
		closedir(d);
	if (n == 0) {
		free(v);
		return -ENOENT;
	}
	qsort(v, n, sizeof(*v), cmp_host);
	*ret = v;
	*ret_n = n;
	return 0;
}

int hr_host_resolve(const char *local_db, const char *name, char *buf, size_t size)
{
	char rec[256];
	struct stat st;
	int r;

	if (!hr_host_name_ok(name)) {
		log_error("bad host name '%s': letters, digits, '.', '_' and '-' only", name);
		return HR_EXIT_USAGE;
	}
	r = hr_host_db(local_db, name, buf, size);
	if (r == 0 && stat(buf, &st) == 0)
		return HR_EXIT_OK;
	recorded_name(local_db, rec, sizeof(rec));
	if (!strcmp(name, "local") || (*rec && !strcmp(name, rec))) {
		snprintf(buf, size, "%s", local_db);
		return HR_EXIT_OK;
	}
	log_error("no data for host '%s': no '%s' (pull or import it first)", name,
		  r == 0 ? buf : name);
	return HR_EXIT_FAILURE;
}
