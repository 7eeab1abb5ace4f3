/*
 * mounts.c - reading /proc/self/mountinfo for `sealfs mount` and `sealfs
 * umount` (sealfs CLI layer). See mounts.h. Depends on libc only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "mounts.h"
#include "banned.h"

/* Undo mountinfo's octal escapes (\040 space, \011 tab, \012 newline, \134
   backslash) from IN into OUT (size OUTSZ); -ENAMETOOLONG if it does not fit. */
static int unescape(const char *in, char *out, size_t outsz)
{
	size_t n = 0;

	for (const char *p = in; *p; p++) {
		char c = *p;

		if (c == '\\' && p[1] >= '0' && p[1] <= '3' && p[2] >= '0' && p[2] <= '7' &&
		    p[3] >= '0' && p[3] <= '7') {
			c = (char)((p[1] - '0') * 64 + (p[2] - '0') * 8 + (p[3] - '0'));
			p += 3;
		}
		if (n + 1 >= outsz)
			return -ENAMETOOLONG;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

/* One mountinfo line into *m; -EINVAL if it does not have the fields. */
static int parse_line(char *line, struct sfs_mount_entry *m)
{
	char *save = NULL, *tok, *mp = NULL, *opts = NULL, *fstype = NULL, *source = NULL;
	bool after_sep = false;
	int field = 0, tail = 0;

	line[strcspn(line, "\n")] = '\0';
	for (tok = strtok_r(line, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		field++;
		if (after_sep) {
			if (++tail == 1)
				fstype = tok;
			else if (tail == 2)
				source = tok;
			continue;
		}
		if (field == 5)
			mp = tok;
		else if (field == 6)
			opts = tok;
		else if (field > 6 && !strcmp(tok, "-"))
			after_sep = true;
	}
	if (!mp || !opts || !fstype || !source)
		return -EINVAL;
	if (unescape(mp, m->mountpoint, sizeof(m->mountpoint)) < 0 ||
	    unescape(fstype, m->fstype, sizeof(m->fstype)) < 0 ||
	    unescape(source, m->source, sizeof(m->source)) < 0)
		return -EINVAL;
	m->read_only = !strncmp(opts, "ro", 2) && (opts[2] == ',' || opts[2] == '\0');
	return 0;
}

/* Walk mountinfo; MATCH decides. LAST: keep the last match (the mount on top). */
static int find(bool (*match)(const struct sfs_mount_entry *, const char *), const char *key,
		bool last, struct sfs_mount_entry *ret)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/mountinfo", "re");
	_cleanup_free_ char *line = NULL;
	_cleanup_free_ struct sfs_mount_entry *m = NULL, *hit = NULL;
	size_t cap = 0;
	bool found = false;

	if (!f)
		return -errno;
	m = malloc(sizeof(*m));
	hit = malloc(sizeof(*hit));
	if (!m || !hit)
		return -ENOMEM;
	while (getline(&line, &cap, f) > 0) {
		if (parse_line(line, m) < 0 || !match(m, key))
			continue;
		*hit = *m;
		found = true;
		if (!last)
			break;
	}
	if (!found)
		return -ENOENT;
	*ret = *hit;
	return 0;
}

static bool match_path(const struct sfs_mount_entry *m, const char *path)
{
	return !strcmp(m->mountpoint, path);
}

static bool match_volume(const struct sfs_mount_entry *m, const char *dir)
{
	return sfs_mount_is_sealfs(m) && !strncmp(m->source, "sealfs:", 7) &&
	       !strcmp(m->source + 7, dir);
}

int sfs_mounts_at(const char *path, struct sfs_mount_entry *ret)
{
	return find(match_path, path, true, ret);
}

int sfs_mounts_of_volume(const char *dir, struct sfs_mount_entry *ret)
{
	return find(match_volume, dir, false, ret);
}

bool sfs_mount_is_sealfs(const struct sfs_mount_entry *m)
{
	return !strcmp(m->fstype, "fuse.sealfs");
}

int sfs_abs_path(const char *path, char ret[PATH_MAX])
{
	char dir[PATH_MAX], real[PATH_MAX];
	char base[NAME_MAX + 1];
	size_t len = strlen(path);
	int n;

	if (len == 0 || len >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(dir, path, len + 1);
	while (len > 1 && dir[len - 1] == '/')	/* "mnt/" is "mnt" */
		dir[--len] = '\0';
	char *slash = strrchr(dir, '/');
	const char *last = slash ? slash + 1 : dir;
	if (strlen(last) > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(base, last, strlen(last) + 1);
	if (!slash) {
		if (!realpath(".", real))
			return -errno;
	} else if (slash == dir) {
		snprintf(real, sizeof(real), "/");
	} else {
		*slash = '\0';
		if (!realpath(dir, real))
			return -errno;
	}
	if (!*base || !strcmp(base, ".") || !strcmp(base, "..")) {
		/* nothing to keep apart: resolve the whole path */
		if (!realpath(path, real))
			return -errno;
		memcpy(ret, real, strlen(real) + 1);
		return 0;
	}
	n = snprintf(dir, sizeof(dir), "%s%s%s", real, strcmp(real, "/") ? "/" : "", base);
	if (n < 0 || n >= PATH_MAX)
		return -ENAMETOOLONG;
	memcpy(ret, dir, (size_t)n + 1);
	return 0;
}

bool sfs_path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	if (!strcmp(outer, "/"))
		return true;
	return !strncmp(inner, outer, n) && (inner[n] == '\0' || inner[n] == '/');
}
