/*
 * store.c - open/lock/migrate, per-sample transactions, retention and
 * roll-up of the headroom database (headroom/store). Depends on common/ and
 * SQLite only. See hr_store.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hr_schema.h"
#include "hr_store.h"
#include "hr_store_int.h"
#include "cleanup.h"
#include "io.h"
#include "banned.h"

void hr_store_set_err(struct hr_store *s, const char *what)
{
	snprintf(s->errmsg, sizeof(s->errmsg), "%s%s%s", what, s->db ? ": " : "",
		 s->db ? sqlite3_errmsg(s->db) : "");
}

/* Map an SQLite result to -errno. */
int hr_store_sql_errno(struct hr_store *s, int rc)
{
	int sys = s->db ? sqlite3_system_errno(s->db) : 0;

	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EMEDIUMTYPE;
	case SQLITE_CANTOPEN:
		return sys ? -sys : -ENOENT;
	case SQLITE_IOERR:
		return sys == ENOSPC || sys == EDQUOT ? -ENOSPC : sys ? -sys : -EIO;
	case SQLITE_ERROR:
	case SQLITE_RANGE:
	case SQLITE_MISMATCH:
	case SQLITE_CONSTRAINT:
		return -EINVAL;
	default:
		return -EIO;
	}
}

int hr_store_exec(struct hr_store *s, const char *sql)
{
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	if (rc != SQLITE_OK) {
		hr_store_set_err(s, "sql");
		return hr_store_sql_errno(s, rc);
	}
	return 0;
}

/* Run a one-value query; *ret gets the integer. */
int hr_store_query_int(struct hr_store *s, const char *sql, int64_t *ret)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc == SQLITE_OK) {
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*ret = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK)
		hr_store_set_err(s, "query");
	sqlite3_finalize(st);
	return hr_store_sql_errno(s, rc);
}

const char *hr_store_errmsg(const struct hr_store *s)
{
	return s ? s->errmsg : "";
}

static void free_puts(struct hr_store *s)
{
	while (s->puts) {
		struct put_stmt *p = s->puts;
		s->puts = p->next;
		sqlite3_finalize(p->st);
		free(p);
	}
}

void hr_store_free(struct hr_store *s)
{
	if (!s)
		return;
	if (s->in_sample)
		hr_store_rollback(s);
	free_puts(s);
	hr_store_xfer_release(s);
	for (size_t i = 0; s->roll && i < hr_schema_ntables; i++) {
		for (int k = 0; k < 3; k++)
			sqlite3_finalize(s->roll[i].ins[k]);
		sqlite3_finalize(s->roll[i].prune);
		sqlite3_finalize(s->roll[i].del);
		sqlite3_finalize(s->roll[i].expire);
	}
	free(s->roll);
	sqlite3_finalize(s->ins_sample);
	sqlite3_finalize(s->ins_boot);
	sqlite3_finalize(s->get_boot);
	sqlite3_finalize(s->begin);
	sqlite3_finalize(s->commit);
	if (s->db)
		sqlite3_close_v2(s->db);
	if (s->lockfd >= 0)
		close(s->lockfd);	/* releases the flock */
	free(s->path);
	free(s);
}

/* Take the writer lock PATH.lock; on -EBUSY *ret_pid is the holder's pid. */
static int take_lock(struct hr_store *s, int *ret_pid)
{
	_cleanup_free_ char *lp = NULL;
	char buf[32];
	int n;

	if (asprintf(&lp, "%s.lock", s->path) < 0)
		return -ENOMEM;
	s->lockfd = open(lp, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
	if (s->lockfd < 0)
		return -errno;
	if (flock(s->lockfd, LOCK_EX | LOCK_NB) < 0) {
		int r = errno == EWOULDBLOCK ? -EBUSY : -errno;
		ssize_t got = io_pread_full(s->lockfd, buf, sizeof(buf) - 1, 0);
		if (r == -EBUSY && ret_pid && got > 0) {
			buf[got] = '\0';
			*ret_pid = (int)strtol(buf, NULL, 10);
		}
		return r;
	}
	n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(s->lockfd, 0) == 0)
		(void)io_pwrite_full(s->lockfd, buf, (size_t)n, 0);
	return 0;
}

/* Is this a database we may touch, and at which version? Reads only. */
static int check_identity(struct hr_store *s, int64_t *ret_version)
{
	int64_t app = 0, ver = 0, nobj = 0;
	int r;

	r = hr_store_query_int(s, "PRAGMA application_id", &app);
	if (r < 0)
		return r;
	r = hr_store_query_int(s, "PRAGMA user_version", &ver);
	if (r < 0)
		return r;
	r = hr_store_query_int(s, "SELECT count(*) FROM sqlite_master", &nobj);
	if (r < 0)
		return r;
	*ret_version = ver;
	if ((app != 0 && app != HR_APPLICATION_ID) || (app == 0 && nobj > 0)) {
		snprintf(s->errmsg, sizeof(s->errmsg), "not a headroom database");
		return -EMEDIUMTYPE;
	}
	if (ver > HR_SCHEMA_VERSION) {
		snprintf(s->errmsg, sizeof(s->errmsg),
			 "schema version %lld is newer than this headroom's (%d)", (long long)ver,
			 HR_SCHEMA_VERSION);
		return -EPROTONOSUPPORT;
	}
	return 0;
}

static int migrate(struct hr_store *s, int64_t from)
{
	for (int64_t v = from; v < HR_SCHEMA_VERSION; v++) {
		char tail[128];
		int r;

		r = hr_store_exec(s, "BEGIN IMMEDIATE");
		if (r < 0)
			return r;
		r = hr_store_exec(s, hr_schema_migrations[v]);
		snprintf(tail, sizeof(tail), "PRAGMA user_version=%lld; PRAGMA application_id=%d;",
			 (long long)(v + 1), HR_APPLICATION_ID);
		if (r == 0)
			r = hr_store_exec(s, tail);
		if (r == 0)
			r = hr_store_exec(s, "COMMIT");
		if (r < 0) {
			sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
			return r;
		}
	}
	return 0;
}

int hr_store_prepare(struct hr_store *s, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, st, NULL);

	if (rc != SQLITE_OK) {
		hr_store_set_err(s, "prepare");
		return hr_store_sql_errno(s, rc);
	}
	return 0;
}

int hr_store_open(const char *path, int flags, struct hr_store **ret, int *ret_version)
{
	struct hr_store *s;
	bool writer = flags & HR_STORE_WRITER;
	int64_t ver = 0;
	struct stat st;
	int r, rc;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->lockfd = -1;
	s->path = strdup(path);
	if (!s->path) {
		hr_store_free(s);
		return -ENOMEM;
	}
	if (writer && !(flags & HR_STORE_NOLOCK)) {
		int pid = 0;
		r = take_lock(s, &pid);
		if (r < 0) {
			if (r == -EBUSY && ret_version)
				*ret_version = pid;
			hr_store_free(s);
			return r;
		}
	}
	rc = sqlite3_open_v2(path, &s->db,
			     (writer ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
				     : SQLITE_OPEN_READONLY) |
				     SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW,
			     NULL);
	if (rc != SQLITE_OK) {
		hr_store_set_err(s, "open");
		r = hr_store_sql_errno(s, rc);
		hr_store_free(s);
		return r;
	}
	sqlite3_extended_result_codes(s->db, 1);
	sqlite3_busy_timeout(s->db, 5000);
	r = check_identity(s, &ver);
	if (ret_version)
		*ret_version = (int)ver;
	s->version = (int)ver;
	if (r == 0 && writer) {
		/* Only now do we write: the file is ours (or empty). */
		r = hr_store_exec(s, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
			    "PRAGMA wal_autocheckpoint=256; PRAGMA journal_size_limit=4194304;"
			    "PRAGMA foreign_keys=OFF;");
		if (r == 0)
			r = migrate(s, ver);
		if (r == 0)
			s->version = HR_SCHEMA_VERSION;
		if (r == 0)
			r = hr_store_prepare(s, "INSERT INTO sample(ts, span, level, boot) VALUES(?, ?, 0, ?)",
				    &s->ins_sample);
		if (r == 0)
			r = hr_store_prepare(s, "INSERT OR IGNORE INTO boot(boot_id, first_ts) VALUES(?, ?)",
				    &s->ins_boot);
		if (r == 0)
			r = hr_store_prepare(s, "SELECT id FROM boot WHERE boot_id = ?", &s->get_boot);
		if (r == 0)
			r = hr_store_prepare(s, "BEGIN IMMEDIATE", &s->begin);
		if (r == 0)
			r = hr_store_prepare(s, "COMMIT", &s->commit);
	}
	if (r == 0 && stat(path, &st) == 0) {
		s->dev = st.st_dev;
		s->ino = st.st_ino;
	}
	if (r < 0) {
		*ret = NULL;
		/* keep the message for the caller through errno-only API: none */
		hr_store_free(s);
		return r;
	}
	*ret = s;
	return 0;
}

int hr_store_check_file(const struct hr_store *s)
{
	struct stat st;

	if (stat(s->path, &st) < 0)
		return -errno == -ENOENT ? -ENOENT : 0;	/* other errors: assume fine */
	return st.st_dev == s->dev && st.st_ino == s->ino ? 0 : -ENOENT;
}

void hr_store_rollback(struct hr_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_sample = false;
}

int hr_store_step_done(struct hr_store *s, sqlite3_stmt *st, const char *what)
{
	int rc = sqlite3_step(st);

	sqlite3_reset(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
		hr_store_set_err(s, what);
		return hr_store_sql_errno(s, rc);
	}
	return 0;
}

int hr_store_boot_rowid(struct hr_store *s, const char *boot_id, int64_t ts_ms)
{
	int rc, r;

	if (s->boot_rowid > 0 && strcmp(boot_id, s->boot_id) == 0)
		return 0;
	sqlite3_bind_text(s->ins_boot, 1, boot_id, -1, SQLITE_STATIC);
	sqlite3_bind_int64(s->ins_boot, 2, ts_ms);
	r = hr_store_step_done(s, s->ins_boot, "boot");
	sqlite3_clear_bindings(s->ins_boot);
	if (r < 0)
		return r;
	sqlite3_bind_text(s->get_boot, 1, boot_id, -1, SQLITE_STATIC);
	rc = sqlite3_step(s->get_boot);
	if (rc == SQLITE_ROW)
		s->boot_rowid = sqlite3_column_int64(s->get_boot, 0);
	else
		hr_store_set_err(s, "boot");
	sqlite3_reset(s->get_boot);
	sqlite3_clear_bindings(s->get_boot);
	if (rc != SQLITE_ROW)
		return rc == SQLITE_DONE ? -EIO : hr_store_sql_errno(s, rc);
	snprintf(s->boot_id, sizeof(s->boot_id), "%s", boot_id);
	return 0;
}

int hr_store_begin(struct hr_store *s, int64_t ts_ms, int64_t span_ms, const char *boot_id)
{
	int r;

	if (s->in_sample)
		hr_store_rollback(s);
	if (!s->begin)
		return -EINVAL;	/* not opened as the writer */
	r = hr_store_step_done(s, s->begin, "begin");
	if (r < 0)
		return r;
	s->in_sample = true;
	r = hr_store_boot_rowid(s, boot_id ? boot_id : "", ts_ms);
	if (r < 0) {
		s->boot_rowid = 0;
		hr_store_rollback(s);
		return r;
	}
	sqlite3_bind_int64(s->ins_sample, 1, ts_ms);
	sqlite3_bind_int64(s->ins_sample, 2, span_ms);
	sqlite3_bind_int64(s->ins_sample, 3, s->boot_rowid);
	r = hr_store_step_done(s, s->ins_sample, "sample");
	if (r < 0) {
		hr_store_rollback(s);
		return r;
	}
	s->sample_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static struct put_stmt *get_put(struct hr_store *s, const char *table, const char *keycol,
				const char *labelcol, const char *const *cols, size_t ncols,
				int *ret_err)
{
	struct put_stmt *p;
	_cleanup_free_ char *sql = NULL;
	char *names = NULL, *qs = NULL;
	int r;

	for (p = s->puts; p; p = p->next)
		if (p->cols == cols && strcmp(p->table, table) == 0)
			return p;
	if (strlen(table) >= sizeof(p->table)) {
		*ret_err = -EINVAL;
		return NULL;
	}
	names = sqlite3_mprintf("sample");
	qs = sqlite3_mprintf("?");
	if (keycol) {
		char *n2 = sqlite3_mprintf("%s, \"%w\"", names, keycol);
		char *q2 = sqlite3_mprintf("%s, ?", qs);
		sqlite3_free(names);
		sqlite3_free(qs);
		names = n2;
		qs = q2;
	}
	if (labelcol) {
		char *n2 = sqlite3_mprintf("%s, \"%w\"", names, labelcol);
		char *q2 = sqlite3_mprintf("%s, ?", qs);
		sqlite3_free(names);
		sqlite3_free(qs);
		names = n2;
		qs = q2;
	}
	for (size_t i = 0; i < ncols && names && qs; i++) {
		char *n2 = sqlite3_mprintf("%s, \"%w\"", names, cols[i]);
		char *q2 = sqlite3_mprintf("%s, ?", qs);
		sqlite3_free(names);
		sqlite3_free(qs);
		names = n2;
		qs = q2;
	}
	if (names && qs) {
		char *q = sqlite3_mprintf("INSERT INTO \"%w\"(%s) VALUES(%s)", table, names, qs);
		sql = q ? strdup(q) : NULL;
		sqlite3_free(q);
	}
	sqlite3_free(names);
	sqlite3_free(qs);
	p = calloc(1, sizeof(*p));
	if (!sql || !p) {
		free(p);
		*ret_err = -ENOMEM;
		return NULL;
	}
	r = hr_store_prepare(s, sql, &p->st);
	if (r < 0) {
		free(p);
		*ret_err = r;
		return NULL;
	}
	p->cols = cols;
	snprintf(p->table, sizeof(p->table), "%s", table);
	p->next = s->puts;
	s->puts = p;
	return p;
}

int hr_store_put(struct hr_store *s, const char *table, const char *keycol, const char *key,
		 const char *labelcol, const char *label, const char *const *cols, size_t ncols,
		 const double *v)
{
	struct put_stmt *p;
	int err = 0, i = 1;

	if (!s->in_sample)
		return -EINVAL;
	p = get_put(s, table, keycol, labelcol, cols, ncols, &err);
	if (!p)
		return err;
	sqlite3_bind_int64(p->st, i++, s->sample_id);
	if (keycol)
		sqlite3_bind_text(p->st, i++, key ? key : "", -1, SQLITE_STATIC);
	if (labelcol)
		sqlite3_bind_text(p->st, i++, label ? label : "", -1, SQLITE_STATIC);
	for (size_t c = 0; c < ncols; c++)
		sqlite3_bind_double(p->st, i++, v[c]);
	/* Every parameter is bound on every call: no sqlite3_clear_bindings(). */
	return hr_store_step_done(s, p->st, table);
}

int hr_store_commit(struct hr_store *s)
{
	int r;

	if (!s->in_sample)
		return -EINVAL;
	r = hr_store_step_done(s, s->commit, "commit");
	if (r < 0)
		hr_store_rollback(s);
	s->in_sample = false;
	return r;
}

int hr_store_set_meta(struct hr_store *s, const char *key, const char *value)
{
	sqlite3_stmt *st = NULL;
	int r, rc;

	/* Most starts find the value already there: then write nothing. */
	r = hr_store_prepare(s, "SELECT value = ?2 FROM meta WHERE key = ?1", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	r = rc == SQLITE_ROW && sqlite3_column_int(st, 0) == 1;
	sqlite3_finalize(st);
	st = NULL;
	if (r)
		return 0;
	r = hr_store_prepare(s, "INSERT OR REPLACE INTO meta(key, value) VALUES(?, ?)", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, value, -1, SQLITE_STATIC);
	r = hr_store_step_done(s, st, "meta");
	sqlite3_finalize(st);
	return r;
}

/* ---- retention and roll-up ---- */

/* "c1, c2, ..." of TABLE's value columns, with fmt applied to each ("avg(%w)"). */
static char *value_cols(struct hr_store *s, const struct hr_schema_table *t, const char *fmt)
{
	sqlite3_stmt *st = NULL;
	char *sql = sqlite3_mprintf("PRAGMA table_info(\"%w\")", t->name), *out = NULL;
	bool first = true;

	if (!sql || sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
		sqlite3_free(sql);
		return NULL;
	}
	sqlite3_free(sql);
	out = sqlite3_mprintf("");
	while (out && sqlite3_step(st) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 1);
		char *item, *n2;

		if (!c || !strcmp(c, "sample") || !strcmp(c, "stat") ||
		    (t->key && !strcmp(c, t->key)) || (t->label && !strcmp(c, t->label)))
			continue;
		item = sqlite3_mprintf(fmt, c, c);
		n2 = item ? sqlite3_mprintf("%s%s%s", out, first ? "" : ", ", item) : NULL;
		sqlite3_free(item);
		sqlite3_free(out);
		out = n2;
		first = false;
	}
	sqlite3_finalize(st);
	return out;
}

static int run_bound(struct hr_store *s, sqlite3_stmt *st, int64_t a, int64_t b, int64_t c,
		     int64_t d)
{
	const int64_t v[4] = {a, b, c, d};
	int n = sqlite3_bind_parameter_count(st), rc;

	for (int i = 0; i < n && i < 4; i++)
		sqlite3_bind_int64(st, i + 1, v[i]);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_DONE || rc == SQLITE_ROW)
		return 0;
	hr_store_set_err(s, "maintain");
	return hr_store_sql_errno(s, rc);
}

static int exec_bound(struct hr_store *s, const char *sql, int64_t a, int64_t b, int64_t c,
		      int64_t d)
{
	sqlite3_stmt *st = NULL;
	int r = hr_store_prepare(s, sql, &st);

	if (r == 0)
		r = run_bound(s, st, a, b, c, d);
	sqlite3_finalize(st);
	return r;
}

/* Prepare SQL (an sqlite3_mprintf result, freed here) into *st. */
static int prep_owned(struct hr_store *s, char *sql, sqlite3_stmt **st)
{
	int r = sql ? hr_store_prepare(s, sql, st) : -ENOMEM;

	sqlite3_free(sql);
	return r;
}

static int prepare_rollup(struct hr_store *s, size_t ti)
{
	static const struct {
		int stat;
		const char *fmt;
	} kinds[] = {
		{HR_STAT_AVG, "avg(\"%w\")"},
		{HR_STAT_MIN, "min(\"%w\")"},
		{HR_STAT_MAX, "max(\"%w\")"},
	};
	const struct hr_schema_table *t = &hr_schema_tables[ti];
	struct rollup_stmts *rs = &s->roll[ti];
	const char *raw = "sample IN (SELECT id FROM sample WHERE level = 0 AND ts >= ?1 "
			  "AND ts < ?2) AND stat = 0";
	int r = 0;

	for (size_t k = 0; r == 0 && k < ARRAY_SIZE(kinds); k++) {
		const char *fmt = kinds[k].fmt;
		char *vals, *names;

		if (t->top_only) {
			if (kinds[k].stat == HR_STAT_MIN)
				continue;	/* min of a top list says nothing */
			if (kinds[k].stat == HR_STAT_AVG)
				fmt = "total(\"%w\") / ?4";	/* average over the bucket */
		}
		vals = value_cols(s, t, fmt);
		names = value_cols(s, t, "\"%w\"");
		r = prep_owned(s, vals && names
			? sqlite3_mprintf(
				"INSERT INTO \"%w\"(sample, stat%s%s%s%s, %s) "
				"SELECT ?3, %d%s%s%s%s%s, %s FROM \"%w\" WHERE %s %s%s "
				"HAVING count(*) > 0",
				t->name, t->key ? ", " : "", t->key ? t->key : "",
				t->label ? ", " : "", t->label ? t->label : "", names,
				kinds[k].stat, t->key ? ", " : "", t->key ? t->key : "",
				t->label ? ", max(" : "", t->label ? t->label : "",
				t->label ? ")" : "", vals, t->name, raw,
				t->key ? "GROUP BY " : "", t->key ? t->key : "")
			: NULL, &rs->ins[kinds[k].stat]);
		sqlite3_free(vals);
		sqlite3_free(names);
	}
	if (r == 0 && t->top_only)
		/* Keep the processes of the three top lists of this bucket only. */
		r = prep_owned(s, sqlite3_mprintf(
			"DELETE FROM \"%w\" WHERE sample = ?3 AND pid NOT IN ("
			"SELECT pid FROM (SELECT pid FROM \"%w\" WHERE sample = ?3 AND stat = 2 "
			"ORDER BY cpu_pct DESC LIMIT 10) UNION "
			"SELECT pid FROM (SELECT pid FROM \"%w\" WHERE sample = ?3 AND stat = 2 "
			"ORDER BY rss_kb + swap_kb DESC LIMIT 10) UNION "
			"SELECT pid FROM (SELECT pid FROM \"%w\" WHERE sample = ?3 AND stat = 2 "
			"ORDER BY rkbps + wkbps DESC LIMIT 10))",
			t->name, t->name, t->name, t->name), &rs->prune);
	if (r == 0)
		r = prep_owned(s, sqlite3_mprintf("DELETE FROM \"%w\" WHERE %s", t->name, raw),
			       &rs->del);
	if (r == 0)
		r = prep_owned(s, sqlite3_mprintf("DELETE FROM \"%w\" WHERE sample IN "
						  "(SELECT id FROM sample WHERE ts < ?1)", t->name),
			       &rs->expire);
	return r;
}

static int prepare_rollups(struct hr_store *s)
{
	int r = 0;

	if (s->roll)
		return 0;
	s->roll = calloc(hr_schema_ntables, sizeof(*s->roll));
	if (!s->roll)
		return -ENOMEM;
	for (size_t i = 0; r == 0 && i < hr_schema_ntables; i++)
		r = prepare_rollup(s, i);
	if (r < 0) {
		for (size_t i = 0; i < hr_schema_ntables; i++) {
			for (int k = 0; k < 3; k++)
				sqlite3_finalize(s->roll[i].ins[k]);
			sqlite3_finalize(s->roll[i].prune);
			sqlite3_finalize(s->roll[i].del);
			sqlite3_finalize(s->roll[i].expire);
		}
		free(s->roll);
		s->roll = NULL;
	}
	return r;
}

/* Delete every row of samples older than CUTOFF (all levels). */
static int expire(struct hr_store *s, int64_t cutoff)
{
	int r = hr_store_exec(s, "BEGIN IMMEDIATE");

	for (size_t i = 0; r == 0 && i < hr_schema_ntables; i++)
		r = run_bound(s, s->roll[i].expire, cutoff, 0, 0, 0);
	if (r == 0)
		r = exec_bound(s, "DELETE FROM sample WHERE ts < ?1", cutoff, 0, 0, 0);
	if (r == 0)
		r = exec_bound(s, "DELETE FROM boot WHERE id NOT IN (SELECT boot FROM sample "
				  "WHERE boot IS NOT NULL)", 0, 0, 0, 0);
	if (r == 0)
		r = hr_store_exec(s, "COMMIT");
	if (r < 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

static int rollup_table(struct hr_store *s, size_t ti, int64_t lo, int64_t hi, int64_t rid,
			int64_t nraw)
{
	struct rollup_stmts *rs = &s->roll[ti];
	int r = 0;

	for (int k = 0; r == 0 && k < 3; k++)
		if (rs->ins[k])
			r = run_bound(s, rs->ins[k], lo, hi, rid, nraw);
	if (r == 0 && rs->prune)
		r = run_bound(s, rs->prune, lo, hi, rid, nraw);
	if (r == 0)
		r = run_bound(s, rs->del, lo, hi, rid, nraw);
	return r;
}

/* Roll up the raw samples of [lo, hi) into one level-1 sample. */
static int rollup_bucket(struct hr_store *s, int64_t lo, int64_t hi)
{
	int64_t nraw = 0, span = 0, rid;
	char q[256];
	int r;

	r = hr_store_exec(s, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	snprintf(q, sizeof(q),
		 "SELECT count(*) FROM sample WHERE level = 0 AND ts >= %lld AND ts < %lld",
		 (long long)lo, (long long)hi);
	r = hr_store_query_int(s, q, &nraw);
	snprintf(q, sizeof(q),
		 "SELECT total(span) FROM sample WHERE level = 0 AND ts >= %lld AND ts < %lld",
		 (long long)lo, (long long)hi);
	if (r == 0)
		r = hr_store_query_int(s, q, &span);
	if (r == 0 && nraw > 0) {
		r = exec_bound(s,
			       "INSERT INTO sample(ts, span, level, boot) SELECT ?2, ?3, 1, "
			       "max(boot) FROM sample WHERE level = 0 AND ts >= ?1 AND ts < ?2",
			       lo, hi, span, 0);
		rid = sqlite3_last_insert_rowid(s->db);
		for (size_t i = 0; r == 0 && i < hr_schema_ntables; i++)
			r = rollup_table(s, i, lo, hi, rid, nraw);
		if (r == 0)
			r = exec_bound(s, "DELETE FROM sample WHERE level = 0 AND ts >= ?1 AND ts < ?2",
				       lo, hi, 0, 0);
	}
	if (r == 0)
		r = hr_store_exec(s, "COMMIT");
	if (r < 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

/* Delete boot rows no sample refers to any more (after deleting samples). */
static int prune_boots(struct hr_store *s)
{
	int r = hr_store_exec(s, "BEGIN IMMEDIATE");

	if (r == 0)
		r = hr_store_exec(s, "DELETE FROM boot WHERE id NOT IN (SELECT boot FROM sample "
			    "WHERE boot IS NOT NULL)");
	if (r == 0)
		r = hr_store_exec(s, "COMMIT");
	if (r < 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	return r;
}

int hr_store_maintain(struct hr_store *s, int64_t now_ms, const struct hr_retention *ret,
		      unsigned max_buckets, bool *ret_more)
{
	struct hr_retention rt = *ret;
	int64_t oldest = 0, cutoff;
	unsigned done = 0;
	int r;

	if (s->in_sample)
		return -EINVAL;
	if (rt.history_ms <= 0)
		rt.history_ms = 31LL * 86400000;
	if (rt.raw_ms <= 0)
		rt.raw_ms = 2LL * 86400000;
	if (rt.bucket_ms <= 0)
		rt.bucket_ms = 300000;
	*ret_more = false;
	/*
	 * Most calls find nothing to do: ask the (level, ts) and (ts) indexes
	 * for the oldest samples first, and prepare the roll-up statements
	 * (some 60 of them) only when there is work.
	 */
	r = hr_store_query_int(s, "SELECT ifnull(min(ts), 9223372036854775807) FROM sample", &oldest);
	if (r < 0)
		return r;
	if (oldest < now_ms - rt.history_ms) {
		r = prepare_rollups(s);
		if (r == 0)
			r = expire(s, now_ms - rt.history_ms);
		if (r < 0)
			return r;
	}
	cutoff = now_ms - rt.raw_ms;
	while (done < max_buckets) {
		int64_t lo;

		r = hr_store_query_int(s, "SELECT ifnull(min(ts), 9223372036854775807) FROM sample "
				 "WHERE level = 0", &oldest);
		if (r < 0)
			return r;
		if (oldest >= cutoff)
			break;	/* no raw sample is old enough */
		lo = oldest - ((oldest % rt.bucket_ms) + rt.bucket_ms) % rt.bucket_ms;
		if (lo + rt.bucket_ms > cutoff)
			break;	/* that bucket is not entirely old yet */
		r = prepare_rollups(s);
		if (r == 0)
			r = rollup_bucket(s, lo, lo + rt.bucket_ms);
		if (r < 0)
			return r;
		done++;
	}
	if (done == max_buckets)
		*ret_more = true;
	/* A roll-up may leave the boot of the raw samples it replaced unused. */
	return done > 0 ? prune_boots(s) : 0;
}
