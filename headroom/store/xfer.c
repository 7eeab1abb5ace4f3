/*
 * xfer.c - samples in bulk (headroom/store): batched inserts of whole
 * samples by column name for import and pull, and the snapshot cursor of
 * export. Depends on SQLite and common/ only. See hr_xfer.h.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_schema.h"
#include "hr_store.h"
#include "hr_store_int.h"
#include "hr_xfer.h"
#include "cleanup.h"
#include "banned.h"

#define MAX_COLS 64

/* A cached insert: table and its column list ("a,b,c"). */
struct xput_stmt {
	struct xput_stmt *next;
	char *key;		/* "table(c1,c2...)" */
	char *table;
	char **cols;		/* n names, matched with strcmp before building a key */
	size_t n;
	sqlite3_stmt *st;
};

static void xput_free(struct xput_stmt *p)
{
	if (!p)
		return;
	for (size_t i = 0; p->cols && i < p->n; i++)
		free(p->cols[i]);
	free(p->cols);
	free(p->table);
	free(p->key);
	free(p);
}

/* The cached insert of exactly TABLE(COLS), or NULL. */
static struct xput_stmt *find_xput(struct hr_store *s, const char *table, const char *const *cols,
				   size_t n)
{
	for (struct xput_stmt *p = s->xputs; p; p = p->next) {
		size_t i = 0;
		if (p->n != n || strcmp(p->table, table))
			continue;
		while (i < n && !strcmp(p->cols[i], cols[i]))
			i++;
		if (i == n)
			return p;
	}
	return NULL;
}

void hr_store_xfer_release(struct hr_store *s)
{
	while (s->xputs) {
		struct xput_stmt *p = s->xputs;
		s->xputs = p->next;
		sqlite3_finalize(p->st);
		xput_free(p);
	}
	sqlite3_finalize(s->xins_sample);
	sqlite3_finalize(s->xfind_ts);
	sqlite3_finalize(s->xfind_rec);
	sqlite3_finalize(s->xcovered);
	s->xins_sample = s->xfind_ts = s->xfind_rec = s->xcovered = NULL;
}

int hr_xfer_batch_begin(struct hr_store *s)
{
	int r;

	if (s->in_batch || s->in_sample || !s->begin)
		return -EINVAL;
	r = hr_store_exec(s, "BEGIN IMMEDIATE");
	if (r == 0)
		s->in_batch = true;
	return r;
}

int hr_xfer_batch_commit(struct hr_store *s)
{
	int r;

	if (!s->in_batch)
		return -EINVAL;
	r = hr_store_exec(s, "COMMIT");
	if (r < 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_batch = false;
	s->sample_id = 0;
	s->boot_rowid = 0;	/* a rolled-back boot row must not be reused */
	return r;
}

void hr_xfer_batch_rollback(struct hr_store *s)
{
	if (!sqlite3_get_autocommit(s->db))
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	s->in_batch = false;
	s->sample_id = 0;
	s->boot_rowid = 0;
}

/* Run the cached ST (bound by the caller) for one integer, then reset it. */
static int cached_int(struct hr_store *s, sqlite3_stmt *st, int64_t *ret)
{
	int rc = sqlite3_step(st), r = 0;

	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	else {
		hr_store_set_err(s, "query");
		r = rc == SQLITE_DONE ? -EIO : hr_store_sql_errno(s, rc);
	}
	sqlite3_reset(st);
	return r;
}

int hr_xfer_find(struct hr_store *s, int64_t ts, int64_t span, int *ret_where)
{
	int64_t n = 0;
	int r = 0;

	if (!s->xfind_ts)
		r = hr_store_prepare(s, "SELECT count(*) FROM sample WHERE ts = ?1", &s->xfind_ts);
	/*
	 * Overlap of (ts - span, ts] with a recorded sample's interval: a
	 * recorded sample ends after our start and starts before our end. Raw
	 * spans are short, so look only at samples ending up to a day later.
	 */
	if (r == 0 && !s->xfind_rec)
		r = hr_store_prepare(s, s->version >= 2
			? "SELECT count(*) FROM sample WHERE ts > ?1 - ?2 AND ts < ?1 + 86400000"
			  " AND ts - span < ?1 AND source = 0"
			: "SELECT count(*) FROM sample WHERE ts > ?1 - ?2 AND ts < ?1 + 86400000"
			  " AND ts - span < ?1", &s->xfind_rec);
	if (r < 0)
		return r;
	sqlite3_bind_int64(s->xfind_ts, 1, ts);
	r = cached_int(s, s->xfind_ts, &n);
	if (r < 0)
		return r;
	if (n > 0) {
		*ret_where = HR_XFER_DUPLICATE;
		return 0;
	}
	sqlite3_bind_int64(s->xfind_rec, 1, ts);
	sqlite3_bind_int64(s->xfind_rec, 2, span);
	r = cached_int(s, s->xfind_rec, &n);
	if (r < 0)
		return r;
	*ret_where = n > 0 ? HR_XFER_RECORDED : HR_XFER_NEW;
	return 0;
}

int hr_xfer_covered(struct hr_store *s, int64_t ts, int64_t span, int level, bool *ret_yes)
{
	int64_t n = 0;
	int r = 0;

	if (!s->xcovered)
		r = hr_store_prepare(s, "SELECT (SELECT count(*) FROM sample WHERE ?3 = 0 AND ts = ?1"
					" AND span = ?2 AND level = 0) + (SELECT count(*) FROM sample"
					" WHERE ?3 > 0 AND ((ts > ?1 - ?2 AND ts <= ?1 AND level = 0)"
					" OR (ts = ?1 AND level = ?3)))", &s->xcovered);
	if (r < 0)
		return r;
	sqlite3_bind_int64(s->xcovered, 1, ts);
	sqlite3_bind_int64(s->xcovered, 2, span);
	sqlite3_bind_int(s->xcovered, 3, level);
	r = cached_int(s, s->xcovered, &n);
	if (r == 0)
		*ret_yes = n > 0;
	return r;
}

int hr_xfer_sample(struct hr_store *s, const struct hr_xsample *x)
{
	int r;

	if (!s->in_batch || s->version < 2)
		return -EINVAL;
	if (x->boot_id && strlen(x->boot_id) >= sizeof(s->boot_id))
		return -ENAMETOOLONG;
	r = hr_store_boot_rowid(s, x->boot_id ? x->boot_id : "", x->ts_ms);
	if (r < 0)
		return r;
	if (!s->xins_sample) {
		r = hr_store_prepare(s, "INSERT INTO sample(ts, span, level, boot, source)"
					" VALUES(?, ?, ?, ?, ?)", &s->xins_sample);
		if (r < 0)
			return r;
	}
	sqlite3_bind_int64(s->xins_sample, 1, x->ts_ms);
	sqlite3_bind_int64(s->xins_sample, 2, x->span_ms);
	sqlite3_bind_int(s->xins_sample, 3, x->level);
	sqlite3_bind_int64(s->xins_sample, 4, s->boot_rowid);
	sqlite3_bind_int(s->xins_sample, 5, x->source);
	r = hr_store_step_done(s, s->xins_sample, "sample");
	if (r < 0)
		return r;
	s->sample_id = sqlite3_last_insert_rowid(s->db);
	return 0;
}

static struct xput_stmt *get_xput(struct hr_store *s, const char *table, const char *const *cols,
				  size_t n, int *ret_err)
{
	struct xput_stmt *p = find_xput(s, table, cols, n);
	char *key, *names, *qs, *sql;

	if (p)
		return p;
	key = sqlite3_mprintf("%s(", table);
	for (size_t i = 0; key && i < n; i++) {
		char *k2 = sqlite3_mprintf("%s%s\"%w\"", key, i ? "," : "", cols[i]);
		sqlite3_free(key);
		key = k2;
	}
	if (!key) {
		*ret_err = -ENOMEM;
		return NULL;
	}
	for (p = s->xputs; p; p = p->next)
		if (!strcmp(p->key, key)) {
			sqlite3_free(key);
			return p;
		}
	names = sqlite3_mprintf("%s", strchr(key, '(') + 1);
	qs = sqlite3_mprintf("?");
	for (size_t i = 0; qs && i < n; i++) {
		char *q2 = sqlite3_mprintf("%s, ?", qs);
		sqlite3_free(qs);
		qs = q2;
	}
	sql = names && qs ? sqlite3_mprintf("INSERT INTO \"%w\"(sample%s%s) VALUES(%s)", table,
					    n ? ", " : "", names, qs)
			  : NULL;
	sqlite3_free(names);
	sqlite3_free(qs);
	p = calloc(1, sizeof(*p));
	if (p) {
		p->key = strdup(key);
		p->table = strdup(table);
		p->cols = calloc(n + 1, sizeof(*p->cols));
		for (size_t i = 0; p->cols && i < n; i++, p->n++)
			if (!(p->cols[i] = strdup(cols[i])))
				break;
	}
	sqlite3_free(key);
	if (!sql || !p || !p->key || !p->table || !p->cols || p->n != n) {
		sqlite3_free(sql);
		xput_free(p);
		*ret_err = -ENOMEM;
		return NULL;
	}
	*ret_err = hr_store_prepare(s, sql, &p->st);
	sqlite3_free(sql);
	if (*ret_err < 0) {
		xput_free(p);
		return NULL;
	}
	p->next = s->xputs;
	s->xputs = p;
	return p;
}

int hr_xfer_row(struct hr_store *s, const char *table, const char *const *cols,
		const struct hr_value *v, size_t n)
{
	struct xput_stmt *p;
	int err = 0;

	if (!s->in_batch || !s->sample_id || n > MAX_COLS)
		return -EINVAL;
	p = get_xput(s, table, cols, n, &err);
	if (!p)
		return err;
	sqlite3_bind_int64(p->st, 1, s->sample_id);
	for (size_t i = 0; i < n; i++) {
		int k = (int)i + 2;
		switch (v[i].type) {
		case HR_V_INT:
			sqlite3_bind_int64(p->st, k, v[i].i);
			break;
		case HR_V_REAL:
			sqlite3_bind_double(p->st, k, v[i].r);
			break;
		case HR_V_TEXT:
			sqlite3_bind_text(p->st, k, v[i].s ? v[i].s : "", -1, SQLITE_STATIC);
			break;
		default:
			sqlite3_bind_null(p->st, k);
		}
	}
	return hr_store_step_done(s, p->st, table);
}

bool hr_xfer_has_column(struct hr_store *s, const char *table, const char *col)
{
	sqlite3_stmt *st = NULL;
	bool found = false;

	if (sqlite3_prepare_v2(s->db, "SELECT 1 FROM pragma_table_info(?1) WHERE name = ?2", -1,
			       &st, NULL) != SQLITE_OK)
		return false;
	sqlite3_bind_text(st, 1, table, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, col, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int one_text(struct hr_store *s, sqlite3_stmt *st, char *buf, size_t size)
{
	int rc = sqlite3_step(st), r = 0;

	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL)
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
	else if (rc == SQLITE_ROW || rc == SQLITE_DONE)
		r = -ENOENT;
	else {
		hr_store_set_err(s, "query");
		r = hr_store_sql_errno(s, rc);
	}
	sqlite3_finalize(st);
	return r;
}

int hr_xfer_boot_before(struct hr_store *s, int64_t ts, char *buf, size_t size)
{
	sqlite3_stmt *st = NULL;
	int r = hr_store_prepare(s, "SELECT b.boot_id FROM sample s JOIN boot b ON b.id = s.boot"
				    " WHERE s.ts <= ?1 ORDER BY s.ts DESC LIMIT 1", &st);

	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, ts);
	return one_text(s, st, buf, size);
}

int hr_xfer_last(struct hr_store *s, int64_t *ret_ts, int64_t *ret_id)
{
	sqlite3_stmt *st = NULL;
	int rc, r = hr_store_prepare(s, "SELECT ts, id FROM sample ORDER BY ts DESC, id DESC"
					" LIMIT 1", &st);

	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*ret_ts = sqlite3_column_int64(st, 0);
		*ret_id = sqlite3_column_int64(st, 1);
	} else if (rc == SQLITE_DONE) {
		r = -ENOENT;
	} else {
		hr_store_set_err(s, "query");
		r = hr_store_sql_errno(s, rc);
	}
	sqlite3_finalize(st);
	return r;
}

int hr_xfer_get_meta(struct hr_store *s, const char *key, char *buf, size_t size)
{
	sqlite3_stmt *st = NULL;
	int r = hr_store_prepare(s, "SELECT value FROM meta WHERE key = ?1", &st);

	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	return one_text(s, st, buf, size);
}

/* ---- export ---- */

struct xtable {
	const char *name;
	char **cols;
	size_t ncols;
	sqlite3_stmt *rows;	/* SELECT cols FROM t WHERE sample = ? ORDER BY stat, key */
};

struct hr_export {
	sqlite3 *db;
	int version;
	sqlite3_stmt *samples, *count;
	int64_t after_id, cur;
	struct xtable t[16];
	size_t nt;
	char boot[64];
	struct hr_value v[MAX_COLS];
	char errmsg[256];
};

static void x_err(struct hr_export *x, const char *what)
{
	snprintf(x->errmsg, sizeof(x->errmsg), "%s: %s", what, sqlite3_errmsg(x->db));
}

const char *hr_export_errmsg(const struct hr_export *x)
{
	return x ? x->errmsg : "";
}

void hr_export_free(struct hr_export *x)
{
	if (!x)
		return;
	for (size_t i = 0; i < x->nt; i++) {
		for (size_t c = 0; c < x->t[i].ncols; c++)
			free(x->t[i].cols[c]);
		free(x->t[i].cols);
		sqlite3_finalize(x->t[i].rows);
	}
	sqlite3_finalize(x->samples);
	sqlite3_finalize(x->count);
	if (x->db) {
		sqlite3_exec(x->db, "COMMIT", NULL, NULL, NULL);
		sqlite3_close_v2(x->db);
	}
	free(x);
}

/* The columns of table T->name but "sample", and its rows statement. */
static int load_table(struct hr_export *x, struct xtable *t, const struct hr_schema_table *def)
{
	sqlite3_stmt *st = NULL;
	char *list = NULL, *sql;
	int rc;

	if (sqlite3_prepare_v2(x->db, "SELECT name FROM pragma_table_info(?1) ORDER BY cid", -1,
			       &st, NULL) != SQLITE_OK) {
		x_err(x, "schema");
		return -EIO;
	}
	sqlite3_bind_text(st, 1, def->name, -1, SQLITE_STATIC);
	t->name = def->name;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 0);
		char **g;

		if (!c || !strcmp(c, "sample"))
			continue;
		if (t->ncols == MAX_COLS)
			break;
		g = realloc(t->cols, (t->ncols + 1) * sizeof(*g));
		if (!g)
			break;
		t->cols = g;
		t->cols[t->ncols] = strdup(c);
		if (!t->cols[t->ncols])
			break;
		t->ncols++;
		sql = sqlite3_mprintf("%s%s\"%w\"", list ? list : "", list ? ", " : "", c);
		sqlite3_free(list);
		list = sql;
		if (!list)
			break;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || !list) {
		sqlite3_free(list);
		if (rc == SQLITE_DONE)
			return -ENOENT;	/* no such table: skip it */
		x_err(x, "schema");
		return -ENOMEM;
	}
	sql = sqlite3_mprintf("SELECT %s FROM \"%w\" WHERE sample = ?1", list, def->name);
	sqlite3_free(list);
	if (!sql)
		return -ENOMEM;
	rc = sqlite3_prepare_v2(x->db, sql, -1, &t->rows, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		x_err(x, "prepare");
		return -EIO;
	}
	return 0;
}

int hr_export_open(const char *path, int64_t after_id, struct hr_export **ret, char *errbuf,
		   size_t errsize)
{
	struct hr_store *s = NULL;
	struct hr_export *x;
	int ver = 0, r, rc;

	/* identity and version checked by the store, read-only */
	r = hr_store_open(path, HR_STORE_READONLY, &s, &ver);
	if (r < 0) {
		snprintf(errbuf, errsize, "%s", hr_store_errmsg(s));
		return r;
	}
	hr_store_free(s);
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->version = ver;
	x->after_id = after_id;
	rc = sqlite3_open_v2(path, &x->db, SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX |
					   SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errsize, "%s", x->db ? sqlite3_errmsg(x->db) : "open");
		hr_export_free(x);
		return -EIO;
	}
	sqlite3_busy_timeout(x->db, 5000);
	/* one read transaction: every query below sees the same snapshot */
	rc = sqlite3_exec(x->db, "BEGIN", NULL, NULL, NULL);
	if (rc == SQLITE_OK && ver > 0)
		rc = sqlite3_prepare_v2(x->db, ver >= 2
			? "SELECT s.id, s.ts, s.span, s.level, s.source, ifnull(b.boot_id, '')"
			  " FROM sample s LEFT JOIN boot b ON b.id = s.boot"
			  " WHERE s.id > ?1 ORDER BY s.id"
			: "SELECT s.id, s.ts, s.span, s.level, 0, ifnull(b.boot_id, '')"
			  " FROM sample s LEFT JOIN boot b ON b.id = s.boot"
			  " WHERE s.id > ?1 ORDER BY s.id",
			-1, &x->samples, NULL);
	if (rc == SQLITE_OK && ver > 0)
		rc = sqlite3_prepare_v2(x->db, "SELECT count(*) FROM sample WHERE id > ?1", -1, &x->count, NULL);
	if (rc != SQLITE_OK) {
		snprintf(errbuf, errsize, "%s", sqlite3_errmsg(x->db));
		hr_export_free(x);
		return -EIO;
	}
	/* the first read opens the snapshot */
	if (x->count)
		sqlite3_bind_int64(x->count, 1, after_id);
	for (size_t i = 0; ver > 0 && i < hr_schema_ntables && x->nt < ARRAY_SIZE(x->t); i++) {
		r = load_table(x, &x->t[x->nt], &hr_schema_tables[i]);
		if (r == -ENOENT)
			continue;
		if (r < 0) {
			snprintf(errbuf, errsize, "%s", x->errmsg);
			x->nt++;
			hr_export_free(x);
			return r;
		}
		x->nt++;
	}
	if (x->samples)
		sqlite3_bind_int64(x->samples, 1, after_id);
	*ret = x;
	return 0;
}

int hr_export_meta(struct hr_export *x, const char *key, char *buf, size_t size)
{
	sqlite3_stmt *st = NULL;
	int rc, r = -ENOENT;

	if (x->version == 0 ||
	    sqlite3_prepare_v2(x->db, "SELECT value FROM meta WHERE key = ?1", -1, &st, NULL) !=
		    SQLITE_OK)
		return -ENOENT;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
		r = 0;
	}
	sqlite3_finalize(st);
	return r;
}

size_t hr_export_ntables(const struct hr_export *x)
{
	return x->nt;
}

const char *hr_export_table(const struct hr_export *x, size_t ti, const char *const **ret_cols,
			    size_t *ret_ncols)
{
	if (ti >= x->nt)
		return NULL;
	*ret_cols = (const char *const *)x->t[ti].cols;
	*ret_ncols = x->t[ti].ncols;
	return x->t[ti].name;
}

int hr_export_count(struct hr_export *x, int64_t *ret_n)
{
	int rc;

	*ret_n = 0;
	if (!x->count)
		return 0;
	rc = sqlite3_step(x->count);
	if (rc == SQLITE_ROW)
		*ret_n = sqlite3_column_int64(x->count, 0);
	sqlite3_reset(x->count);
	if (rc != SQLITE_ROW) {
		x_err(x, "count");
		return -EIO;
	}
	return 0;
}

int hr_export_next(struct hr_export *x, struct hr_xsample *ret)
{
	int rc;

	if (!x->samples)
		return 0;
	rc = sqlite3_step(x->samples);
	if (rc == SQLITE_DONE)
		return 0;
	if (rc != SQLITE_ROW) {
		x_err(x, "samples");
		return rc == SQLITE_CORRUPT || rc == SQLITE_NOTADB ? -EMEDIUMTYPE : -EIO;
	}
	x->cur = sqlite3_column_int64(x->samples, 0);
	snprintf(x->boot, sizeof(x->boot), "%s", (const char *)sqlite3_column_text(x->samples, 5));
	*ret = (struct hr_xsample){
		.id = x->cur,
		.ts_ms = sqlite3_column_int64(x->samples, 1),
		.span_ms = sqlite3_column_int64(x->samples, 2),
		.level = sqlite3_column_int(x->samples, 3),
		.source = sqlite3_column_int(x->samples, 4),
		.boot_id = x->boot,
	};
	return 1;
}

int hr_export_rows(struct hr_export *x, size_t ti,
		   int (*fn)(void *closure, const struct hr_value *v, size_t n), void *closure)
{
	struct xtable *t;
	int rc, r = 0;

	if (ti >= x->nt)
		return -EINVAL;
	t = &x->t[ti];
	sqlite3_bind_int64(t->rows, 1, x->cur);
	while (r == 0 && (rc = sqlite3_step(t->rows)) == SQLITE_ROW) {
		for (size_t c = 0; c < t->ncols; c++) {
			struct hr_value *v = &x->v[c];
			switch (sqlite3_column_type(t->rows, (int)c)) {
			case SQLITE_INTEGER:
				*v = (struct hr_value){.type = HR_V_INT,
						       .i = sqlite3_column_int64(t->rows, (int)c)};
				break;
			case SQLITE_FLOAT:
				*v = (struct hr_value){.type = HR_V_REAL,
						       .r = sqlite3_column_double(t->rows, (int)c)};
				break;
			case SQLITE_NULL:
				*v = (struct hr_value){.type = HR_V_NULL};
				break;
			default:
				*v = (struct hr_value){
				    .type = HR_V_TEXT,
				    .s = (const char *)sqlite3_column_text(t->rows, (int)c)};
			}
		}
		r = fn(closure, x->v, t->ncols);
	}
	if (r == 0 && rc != SQLITE_DONE) {
		x_err(x, t->name);
		r = -EIO;
	}
	sqlite3_reset(t->rows);
	return r;
}
