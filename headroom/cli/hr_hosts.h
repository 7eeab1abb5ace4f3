/*
 * hr_hosts.h - where each host's samples live (headroom/cli/hosts.c).
 *
 * One database per host: the local one (DATABASE, default
 * /var/lib/headroom/headroom.db) holds what this machine recorded (and the
 * sysstat files of this machine imported); every other host has its own
 * file, DIR/hosts/NAME.db, beside it, written by `headroom pull` and
 * `headroom import`. Each is a complete headroom database of the same
 * schema, so every reader works on it unchanged (`--host NAME` only picks
 * the file) and a host's history is copied, archived or removed as a file.
 */
#ifndef HR_HOSTS_H
#define HR_HOSTS_H

#include <stddef.h>

/* A host name as a file name: [A-Za-z0-9._-], 1-253 bytes, not starting with '.' or '-'. */
int hr_host_name_ok(const char *name);

/*
 * The database of host NAME beside LOCAL_DB into BUF: DIR/hosts/NAME.db.
 * Returns 0, -EINVAL (bad name) or -ENAMETOOLONG.
 */
int hr_host_db(const char *local_db, const char *name, char *buf, size_t size);

/* Make DIR/hosts (mode 0755) if missing. 0 or -errno. */
int hr_host_dir_make(const char *local_db);

struct hr_hostdb {
	char name[256];		/* "NAME"; the local one: its recorded hostname, or "local" */
	char path[4096];
	int local;		/* 1 for LOCAL_DB itself */
};

/*
 * Every host: LOCAL_DB first when it exists, then DIR/hosts/ *.db by name.
 * *ret is the caller's (free()). Returns 0, -ENOENT (no host at all) or -errno.
 */
int hr_hosts_list(const char *local_db, struct hr_hostdb **ret, size_t *ret_n);

/*
 * --host NAME: the path to read, into BUF. NAME naming the local host (its
 * recorded hostname, or "local") gives LOCAL_DB. Logs; returns an HR_EXIT_*
 * code (usage for a bad name, failure when the host has no database).
 */
int hr_host_resolve(const char *local_db, const char *name, char *buf, size_t size);

#endif
