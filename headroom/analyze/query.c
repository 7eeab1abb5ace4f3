/*
 * query.c - read-only access to the headroom database for reports
 * (headroom/analyze): opening (identity and version checked by hr_store),
 * the SQL functions that put samples into local-time buckets, and the
 * per-activity aggregate queries, streamed one row per step. Uses SQLite
 * directly for reading: hr_store has no read API (yet), and this layer is
 * allowed to depend on it. Never logs.
 */
#include <errno.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_analyze.h"
#include "hr_series.h"
#include "hr_store.h"
#include "cleanup.h"
#include "banned.h"

struct hr_db {
	sqlite3 *db;
	bool empty;		/* schema version 0: no tables yet */
	char errmsg[256];
	/* the local day of the last hr_b() call, so most calls skip mktime() */
	int64_t day_start, day_end;
};

/* Sums of one key over the whole range, for its average row. */
struct acc {
	bool is_int;		/* ordering: integer keys first, numerically */
	int64_t ikey;
	char *key, *label, *tail;
	double *num, *den;	/* ncols each */
	bool *seen;		/* some non-NULL numerator */
};

struct hr_rows {
	struct hr_db *db;
	const struct hr_activity *act;
	sqlite3_stmt *st;	/* the rows; then, for a custom query, its averages */
	enum { ROWS, AVG_QUERY, AVG_ACC, DONE } state;
	struct hr_query q;
	double *v;
	bool *null;
	struct acc *accs;
	size_t naccs, last, next_avg, nrows;
};

static void set_err(struct hr_db *db, const char *what)
{
	snprintf(db->errmsg, sizeof(db->errmsg), "%s: %s", what, sqlite3_errmsg(db->db));
}

static int sql_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_ROW:
	case SQLITE_DONE:
		return 0;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return -EMEDIUMTYPE;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	case SQLITE_ERROR:
		return -EINVAL;
	default:
		return -EIO;
	}
}

/* The start of the local-time bucket of width W_MS that holds TS_MS. */
static int64_t bucket_of(struct hr_db *db, int64_t ts, int64_t w)
{
	int64_t b;

	if (ts < db->day_start || ts >= db->day_end) {
		if (hr_time_day(ts, &db->day_start, &db->day_end) < 0) {
			db->day_start = db->day_end = 0;
			return ts - ts % w;
		}
	}
	b = db->day_start + (ts - db->day_start) / w * w;
	return b;
}

/* hr_b(ts, mode): ts itself (mode 0), its bucket start (mode > 0), 0 (mode < 0). */
static void fn_bucket(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct hr_db *db = sqlite3_user_data(ctx);
	int64_t ts = sqlite3_value_int64(argv[0]);
	int64_t w = sqlite3_value_int64(argv[1]);

	if (w == 0)
		sqlite3_result_int64(ctx, ts);
	else if (w < 0)
		sqlite3_result_int64(ctx, 0);
	else
		sqlite3_result_int64(ctx, bucket_of(db, ts, w));
}

/* hr_in_tod(ts, lo, hi): 1 when the local wall-clock time of day is in [lo, hi]. */
static void fn_in_tod(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	int64_t lo = sqlite3_value_int64(argv[1]);
	int64_t hi = sqlite3_value_int64(argv[2]);
	struct hr_tm lt;
	int tod;

	if (lo < 0 && hi < 0) {
		sqlite3_result_int(ctx, 1);
		return;
	}
	if (hr_time_local(sqlite3_value_int64(argv[0]), &lt) < 0) {
		sqlite3_result_int(ctx, 0);
		return;
	}
	tod = lt.hour * 3600 + lt.min * 60 + lt.sec;
	sqlite3_result_int(ctx, (lo < 0 || tod >= lo) && (hi < 0 || tod <= hi));
}

const char *hr_db_errmsg(const struct hr_db *db)
{
	return db ? db->errmsg : "";
}

void hr_db_free(struct hr_db *db)
{
	if (!db)
		return;
	if (db->db)
		sqlite3_close_v2(db->db);
	free(db);
}

int hr_db_open(const char *path, struct hr_db **ret)
{
	struct hr_store *s = NULL;
	struct hr_db *db;
	int ver = 0, r, rc;

	db = calloc(1, sizeof(*db));
	if (!db)
		return -ENOMEM;
	/* The store decides whether the file is ours and readable by us. */
	r = hr_store_open(path, HR_STORE_READONLY, &s, &ver);
	if (r < 0) {
		snprintf(db->errmsg, sizeof(db->errmsg), "%s", s ? hr_store_errmsg(s) : "");
		hr_store_free(s);
		hr_db_free(db);
		return r;
	}
	hr_store_free(s);
	db->empty = ver == 0;
	rc = sqlite3_open_v2(path, &db->db,
			     SQLITE_OPEN_READONLY | SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_NOFOLLOW, NULL);
	if (rc != SQLITE_OK) {
		r = sql_errno(rc);
		hr_db_free(db);
		return r;
	}
	sqlite3_busy_timeout(db->db, 5000);
	rc = sqlite3_create_function(db->db, "hr_b", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC, db,
				     fn_bucket, NULL, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db->db, "hr_in_tod", 3,
					     SQLITE_UTF8 | SQLITE_DETERMINISTIC, db, fn_in_tod,
					     NULL, NULL);
	if (rc != SQLITE_OK) {
		set_err(db, "register functions");
		r = sql_errno(rc);
		hr_db_free(db);
		return r;
	}
	*ret = db;
	return 0;
}

int hr_db_meta(struct hr_db *db, const char *key, char *buf, size_t size)
{
	sqlite3_stmt *st = NULL;
	int rc, r = -ENOENT;

	if (db->empty)
		return -ENOENT;
	rc = sqlite3_prepare_v2(db->db, "SELECT value FROM meta WHERE key = ?", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		set_err(db, "meta");
		return sql_errno(rc);
	}
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		snprintf(buf, size, "%s", (const char *)sqlite3_column_text(st, 0));
		r = 0;
	} else if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		set_err(db, "meta");
		r = sql_errno(rc);
	}
	sqlite3_finalize(st);
	return r;
}

static void bind_range(sqlite3_stmt *st, const struct hr_range *rg)
{
	sqlite3_bind_int64(st, 1, rg->from_ms);
	sqlite3_bind_int64(st, 2, rg->to_ms);
	sqlite3_bind_int(st, 3, rg->tod_from);
	sqlite3_bind_int(st, 4, rg->tod_to);
}

int hr_db_count(struct hr_db *db, const struct hr_range *rg, int64_t *ret_n)
{
	sqlite3_stmt *st = NULL;
	int rc;

	if (db->empty) {
		*ret_n = 0;
		return 0;
	}
	rc = sqlite3_prepare_v2(db->db,
				"SELECT count(*) FROM sample WHERE ts BETWEEN ?1 AND ?2"
				" AND hr_in_tod(ts, ?3, ?4)",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		bind_range(st, rg);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			*ret_n = sqlite3_column_int64(st, 0);
			rc = SQLITE_OK;
		}
	}
	if (rc != SQLITE_OK)
		set_err(db, "count samples");
	sqlite3_finalize(st);
	return sql_errno(rc);
}

/* The generic query of ACT (see hr_analyze.h); sqlite3_free() the result. */
static char *build_sql(const struct hr_activity *act, const struct hr_query *q)
{
	sqlite3_str *s = sqlite3_str_new(NULL);
	const char *key = act->key;

	/* Per sample, plain ts lets SQLite group in index order without sorting. */
	sqlite3_str_appendf(s, "SELECT %s AS b, %s AS k, ",
			    q->bucket_ms > 0 ? "hr_b(ts, ?5)" : "ts", key ? key : "NULL");
	sqlite3_str_appendf(s, "%s, ", q->bucket_ms > 0 ? "?5" : "sum(span)");
	sqlite3_str_appendf(s, "%s, %s", act->label ? act->label : key ? key : "NULL",
			    act->tail ? act->tail : "NULL");
	for (size_t i = 0; i < act->ncols; i++)
		sqlite3_str_appendf(s, ", %s, %s", act->cols[i].num, act->cols[i].den);
	sqlite3_str_appendf(s,
			    " FROM (SELECT s.ts AS ts, s.span AS span, %s FROM sample s JOIN %s"
			    " WHERE t.sample = s.id AND t.stat = 0 AND s.ts BETWEEN ?1 AND ?2"
			    " AND hr_in_tod(s.ts, ?3, ?4)",
			    act->select ? act->select : "t.*", act->from);
	if (act->where)
		sqlite3_str_appendf(s, " AND %s", act->where);
	if (key && q->keys) {
		sqlite3_str_appendf(s, " AND t.%s IN (", key);
		for (size_t i = 0; i < q->nkeys; i++)
			sqlite3_str_appendf(s, "%s%Q", i ? ", " : "", q->keys[i]);
		sqlite3_str_appendall(s, ")");
	}
	if (act->sum_keys)
		sqlite3_str_appendall(s, " GROUP BY s.id");
	sqlite3_str_appendf(s, ") GROUP BY b%s ORDER BY b%s", key ? ", k" : "", key ? ", k" : "");
	return sqlite3_str_finish(s);
}

static void free_accs(struct hr_rows *rows)
{
	for (size_t i = 0; i < rows->naccs; i++) {
		struct acc *a = &rows->accs[i];
		free(a->key);
		free(a->label);
		free(a->tail);
		free(a->num);
		free(a->den);
		free(a->seen);
	}
	free(rows->accs);
	rows->accs = NULL;
	rows->naccs = 0;
}

void hr_rows_free(struct hr_rows *rows)
{
	if (!rows)
		return;
	sqlite3_finalize(rows->st);
	free_accs(rows);
	free(rows->v);
	free(rows->null);
	free(rows);
}

static int prepare_rows(struct hr_rows *rows, bool average)
{
	const struct hr_activity *act = rows->act;
	char *sql = NULL;
	int rc;

	if (!act->sql) {
		sql = build_sql(act, &rows->q);
		if (!sql)
			return -ENOMEM;
	}
	sqlite3_finalize(rows->st);
	rows->st = NULL;
	rc = sqlite3_prepare_v2(rows->db->db, act->sql ? act->sql : sql, -1, &rows->st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		set_err(rows->db, act->name);
		return sql_errno(rc);
	}
	bind_range(rows->st, &rows->q.range);
	sqlite3_bind_int64(rows->st, 5, average ? -1 : rows->q.bucket_ms);
	if (sqlite3_bind_parameter_count(rows->st) >= 6)
		sqlite3_bind_int(rows->st, 6, rows->q.top_n > 0 ? rows->q.top_n : 5);
	return 0;
}

int hr_rows_open(struct hr_db *db, const struct hr_activity *act, const struct hr_query *q,
		 struct hr_rows **ret)
{
	struct hr_rows *rows;
	size_t n = act->ncols ? act->ncols : 1;
	int r;

	if (q->bucket_ms < 0 || q->bucket_ms > 86400000LL || (q->keys && !q->nkeys))
		return -EINVAL;
	if (db->empty)
		return -ENOENT;
	rows = calloc(1, sizeof(*rows));
	if (!rows)
		return -ENOMEM;
	rows->db = db;
	rows->act = act;
	rows->q = *q;
	rows->v = calloc(n, sizeof(*rows->v));
	rows->null = calloc(n, sizeof(*rows->null));
	if (!rows->v || !rows->null) {
		hr_rows_free(rows);
		return -ENOMEM;
	}
	r = prepare_rows(rows, false);
	rows->q.keys = NULL;	/* the caller's; only build_sql read them */
	if (r < 0) {
		hr_rows_free(rows);
		return r;
	}
	*ret = rows;
	return 0;
}

static char *dup_col(sqlite3_stmt *st, int i)
{
	const char *t = (const char *)sqlite3_column_text(st, i);

	return strdup(t ? t : "");
}

/* The accumulator of the current row's key; NULL on ENOMEM. */
static struct acc *acc_of(struct hr_rows *rows)
{
	sqlite3_stmt *st = rows->st;
	const struct hr_activity *act = rows->act;
	bool is_int = sqlite3_column_type(st, 1) == SQLITE_INTEGER;
	int64_t ik = sqlite3_column_int64(st, 1);
	const char *sk = (const char *)sqlite3_column_text(st, 1);
	struct acc *a, *grown;

	sk = sk ? sk : "";
	/* Keys come in the same order bucket after bucket: try the next one first. */
	for (size_t n = 0; n < rows->naccs; n++) {
		size_t i = (rows->last + 1 + n) % rows->naccs;
		a = &rows->accs[i];
		if (a->is_int == is_int && (is_int ? a->ikey == ik : !strcmp(a->key, sk))) {
			rows->last = i;
			return a;
		}
	}
	grown = realloc(rows->accs, (rows->naccs + 1) * sizeof(*grown));
	if (!grown)
		return NULL;
	rows->accs = grown;
	a = &rows->accs[rows->naccs];
	memset(a, 0, sizeof(*a));
	a->is_int = is_int;
	a->ikey = ik;
	a->key = strdup(sk);
	a->label = act->keyname ? dup_col(st, 3) : NULL;
	a->tail = act->tailname ? dup_col(st, 4) : NULL;
	a->num = calloc(act->ncols + 1, sizeof(double));
	a->den = calloc(act->ncols + 1, sizeof(double));
	a->seen = calloc(act->ncols + 1, sizeof(bool));
	rows->last = rows->naccs++;
	if (!a->key || (act->keyname && !a->label) || (act->tailname && !a->tail) || !a->num ||
	    !a->den || !a->seen)
		return NULL;
	return a;
}

static int cmp_acc(const void *x, const void *y)
{
	const struct acc *a = x, *b = y;

	if (a->is_int != b->is_int)
		return a->is_int ? -1 : 1;
	if (a->is_int)
		return a->ikey < b->ikey ? -1 : a->ikey > b->ikey;
	return strcmp(a->key, b->key);
}

static double ratio(double scale, double num, double den)
{
	return den != 0 ? scale * num / den : 0;
}

/* Fill *ret from the current row of rows->st; accumulate when ACC. */
static int take_row(struct hr_rows *rows, struct hr_row *ret, bool accumulate, bool average)
{
	sqlite3_stmt *st = rows->st;
	const struct hr_activity *act = rows->act;
	struct acc *a = NULL;

	if (accumulate) {
		a = acc_of(rows);
		if (!a)
			return -ENOMEM;
	}
	if (!average)
		rows->nrows++;
	ret->average = average;
	ret->ts_ms = average ? 0 : sqlite3_column_int64(st, 0);
	ret->span_ms = sqlite3_column_int64(st, 2);
	ret->key = NULL;
	ret->tail = NULL;
	if (act->keyname && sqlite3_column_type(st, 3) != SQLITE_NULL) {
		if (act->key_all && sqlite3_column_int64(st, 3) < 0)
			ret->key = "all";
		else
			ret->key = (const char *)sqlite3_column_text(st, 3);
	}
	if (act->tailname && sqlite3_column_type(st, 4) != SQLITE_NULL)
		ret->tail = (const char *)sqlite3_column_text(st, 4);
	for (size_t i = 0; i < act->ncols; i++) {
		int c = 5 + 2 * (int)i;
		double num = sqlite3_column_double(st, c), den = sqlite3_column_double(st, c + 1);

		rows->null[i] = sqlite3_column_type(st, c) == SQLITE_NULL;
		rows->v[i] = rows->null[i] ? 0 : ratio(act->cols[i].scale, num, den);
		if (a && !rows->null[i]) {
			a->num[i] += num;
			a->den[i] += den;
			a->seen[i] = true;
		}
	}
	ret->v = rows->v;
	ret->null = rows->null;
	ret->n = act->ncols;
	return 1;
}

static int step(struct hr_rows *rows)
{
	int rc = sqlite3_step(rows->st);

	if (rc == SQLITE_ROW)
		return 1;
	if (rc == SQLITE_DONE)
		return 0;
	set_err(rows->db, rows->act->name);
	return sql_errno(rc) ? sql_errno(rc) : -EIO;
}

int hr_rows_next(struct hr_rows *rows, struct hr_row *ret)
{
	const struct hr_activity *act = rows->act;
	int r;

	switch (rows->state) {
	case ROWS:
		r = step(rows);
		if (r != 0)
			return r < 0 ? r : take_row(rows, ret, !act->sql, false);
		if (act->sql) {
			/* Rankings do not add up: ask again over the whole range. */
			rows->state = rows->nrows ? AVG_QUERY : DONE;
			r = rows->nrows ? prepare_rows(rows, true) : 0;
			if (r < 0)
				return r;
			return hr_rows_next(rows, ret);
		}
		rows->state = AVG_ACC;
		if (rows->naccs > 1)
			qsort(rows->accs, rows->naccs, sizeof(*rows->accs), cmp_acc);
		return hr_rows_next(rows, ret);
	case AVG_QUERY:
		r = step(rows);
		if (r <= 0) {
			rows->state = DONE;
			return r;
		}
		return take_row(rows, ret, false, true);
	case AVG_ACC:
		if (rows->next_avg >= rows->naccs) {
			rows->state = DONE;
			return 0;
		}
		{
			struct acc *a = &rows->accs[rows->next_avg++];
			ret->average = true;
			ret->ts_ms = 0;
			ret->span_ms = 0;
			ret->key = a->label;
			if (act->key_all && a->is_int && a->ikey < 0)
				ret->key = "all";
			ret->tail = a->tail;
			for (size_t i = 0; i < act->ncols; i++) {
				rows->null[i] = !a->seen[i];
				rows->v[i] = ratio(act->cols[i].scale, a->num[i], a->den[i]);
			}
			ret->v = rows->v;
			ret->null = rows->null;
			ret->n = act->ncols;
			return 1;
		}
	case DONE:
	default:
		return 0;
	}
}

/* For the other queries of this layer (series.c): the handle, or -ENOENT
 * when the database has no schema yet (no samples). */
int hr_db_sqlite(struct hr_db *db, sqlite3 **ret)
{
	if (db->empty)
		return -ENOENT;
	*ret = db->db;
	return 0;
}

/* Record SQLite's words for a failure of series.c. */
void hr_db_set_error(struct hr_db *db, const char *what)
{
	set_err(db, what);
}
