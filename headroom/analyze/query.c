/*
 * query.c - read-only access to the headroom database for reports
 * (headroom/analyze): opening (identity and version checked by hr_store),
 * local-time buckets (in C, and as the SQL function hr_b() for custom
 * queries), and the per-activity queries: SQL streams one row per sample
 * and key in time order without sorting, and the buckets are summed here
 * as SQL's GROUP BY would, bucket by bucket. Where the range's sample ids
 * are dense and walking them meets the samples in time order (raw data,
 * not a range with roll-ups), the generic query walks the metric table
 * alone by primary key, the samples' times and spans read into memory
 * once (struct smap, as series.c does): no join with sample, no seek per
 * sample. Uses SQLite directly for reading: hr_store has no read API
 * (yet), and this layer is allowed to depend on it. Never logs.
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

/* Below this share of sample ids in the range, seek samples by time (as series.c). */
#define DENSE_PCT 50
/* Most sample ids whose time and span are held in memory (16 bytes each). */
#define MAX_IDS (4 * 1024 * 1024)

/*
 * The time and span of the samples with ids [lo, lo + n) of one range
 * (and time of day), when walking them by id visits them in time order:
 * read once, they spare every generic query its join with sample.
 * ts == INT64_MIN: not in the range (or no such sample). Shared by the
 * rows of the range and the db's cache (refs).
 */
struct smap {
	int refs;
	struct hr_range rg;
	int64_t lo, n;
	int64_t *ts, *span;
};

struct hr_db {
	sqlite3 *db;
	bool empty;		/* schema version 0: no tables yet */
	char errmsg[256];
	/* the local day of the last hr_b() call, so most calls skip mktime() */
	int64_t day_start, day_end;
	/* the sample map of the last range asked for, or NULL */
	struct smap *map;
};

/*
 * How the generic query's bucket merges one column of the per-sample rows:
 * the fragment of struct hr_activity/hr_column names it (see split_agg).
 */
enum agg {
	AGG_ANY,		/* plain expression: constant over a bucket, any row's */
	AGG_SUM,		/* sum(X), as SQLite's sum() adds */
	AGG_MAX,		/* max(X), as SQLite's max() orders */
	AGG_MIN,		/* min(X) */
};

/*
 * One column of one key over the current bucket. A sum mirrors SQLite's
 * sum() (func.c sumStep/sumFinalize): an exact integer sum until a real
 * value comes, and a plain double sum beside it in row order, so a bucket
 * gives the very bits the SQL GROUP BY gave.
 */
struct cell {
	int type;		/* SQLITE_NULL: no value yet (sum: no non-NULL row) */
	bool set;		/* AGG_ANY: taken from the first row */
	bool approx;		/* sum: some real value was added */
	int64_t i;		/* integer value or integer sum */
	double r;		/* real value or double sum */
	char *s;		/* text of a label/tail (NUL-terminated), len bytes */
	size_t len, cap;
};

/*
 * One result column of the generic query from 2 on: a distinct per-row
 * expression and how it merges. The den sum(span) of every W() column and
 * the row's own span are one slot: one column to read, one sum to keep.
 */
struct slot {
	enum agg agg;
	const char *expr;	/* in the activity's fragment, len bytes */
	int len;
	bool text;		/* shown as text (label, tail) */
	bool mul_span;		/* sum((expr) * span): C multiplies by the map's span */
};

/*
 * One key: its cells in the current bucket, and the sums of the bucket
 * values over the whole range for its average row.
 */
struct acc {
	bool is_int;		/* ordering: integer keys first, numerically */
	int64_t ikey;
	char *key, *label, *tail;	/* label/tail: of the key's first bucket */
	double *num, *den;	/* ncols each */
	bool *seen;		/* some non-NULL numerator */
	bool labelled;		/* label and tail taken */
	bool in_bucket;		/* has rows in the current bucket */
	struct cell *cells;	/* one per slot */
	struct cell *wcells;	/* top: the same over the whole range */
};

struct hr_rows {
	struct hr_db *db;
	const struct hr_activity *act;
	sqlite3_stmt *st;	/* the rows; then, for a custom query, its averages */
	struct smap *map;	/* the generic query walks ids: its samples; or NULL */
	int64_t span;		/* with map: the span of the current row's sample */
	enum { ROWS, EMIT, AVG_QUERY, AVG_ACC, AVG_TOP, DONE } state;
	struct hr_query q;
	double *v;
	bool *null;
	struct acc *accs;
	size_t naccs, last, next_avg, nrows;
	/* the generic query: its result columns from 2 on, and which of them
	   holds span (cell 0), label (1), tail (2), num and den of column i
	   (3 + 2i, 4 + 2i) */
	struct slot *slots;
	size_t nslots;
	size_t *slot_of;	/* 3 + 2 * ncols */
	bool have_row;		/* st holds a row not yet added to a bucket */
	bool eof;		/* st is done */
	bool open;		/* rows->bucket has had rows */
	int64_t bucket, last_ts;
	/* top: the span of every sample of the bucket / the range, and the
	   longest one, whether or not a process was listed in it */
	struct cell bspan, bmspan, wspan, wmspan;
	int64_t last_sid;
	size_t nout;		/* top: rows of the bucket shown */
	size_t *bkeys;		/* indexes into accs of the bucket's keys, in key order */
	size_t nbkeys, cbkeys, next_out;
};

static void reset_cell(struct cell *c);

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

/* The bucket of TS in MODE: TS itself (0), its bucket start (> 0), 0 (< 0). */
static int64_t bucket_in_mode(struct hr_db *db, int64_t ts, int64_t mode)
{
	if (mode == 0)
		return ts;
	if (mode < 0)
		return 0;
	return bucket_of(db, ts, mode);
}

/* hr_b(ts, mode), for the custom queries: bucket_in_mode() in SQL. */
static void fn_bucket(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	struct hr_db *db = sqlite3_user_data(ctx);

	sqlite3_result_int64(ctx, bucket_in_mode(db, sqlite3_value_int64(argv[0]),
						 sqlite3_value_int64(argv[1])));
}

/* Whether the local wall-clock time of day of TS is in [LO, HI] (< 0: open). */
static bool in_tod(int64_t ts, int64_t lo, int64_t hi)
{
	struct hr_tm lt;
	int tod;

	if (lo < 0 && hi < 0)
		return true;
	if (hr_time_local(ts, &lt) < 0)
		return false;
	tod = lt.hour * 3600 + lt.min * 60 + lt.sec;
	return (lo < 0 || tod >= lo) && (hi < 0 || tod <= hi);
}

/* hr_in_tod(ts, lo, hi): in_tod() in SQL. */
static void fn_in_tod(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	sqlite3_result_int(ctx, in_tod(sqlite3_value_int64(argv[0]), sqlite3_value_int64(argv[1]),
				       sqlite3_value_int64(argv[2])));
}

/*
 * hr_smap(map, id, what): the ts (what 0) or span (1) of sample ID from
 * the sample map bound as a pointer; NULL outside it. The generic query's
 * fragments name ts and span; walking ids, this is where they come from.
 */
static void fn_smap(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const struct smap *m = sqlite3_value_pointer(argv[0], "hr_smap");
	int64_t i;

	if (!m) {
		sqlite3_result_null(ctx);
		return;
	}
	i = sqlite3_value_int64(argv[1]) - m->lo;
	if (i < 0 || i >= m->n || m->ts[i] == INT64_MIN)
		sqlite3_result_null(ctx);
	else
		sqlite3_result_int64(ctx, sqlite3_value_int(argv[2]) ? m->span[i] : m->ts[i]);
}

const char *hr_db_errmsg(const struct hr_db *db)
{
	return db ? db->errmsg : "";
}

static void smap_unref(struct smap *m)
{
	if (!m || --m->refs > 0)
		return;
	free(m->ts);
	free(m->span);
	free(m);
}

void hr_db_free(struct hr_db *db)
{
	if (!db)
		return;
	smap_unref(db->map);
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
	if (rc == SQLITE_OK)
		rc = sqlite3_create_function(db->db, "hr_smap", 3,
					     SQLITE_UTF8 | SQLITE_DETERMINISTIC, db, fn_smap,
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

/* Whether RG limits the time of day (-s/-e): else no row needs hr_in_tod(). */
static bool has_tod(const struct hr_range *rg)
{
	return rg->tod_from >= 0 || rg->tod_to >= 0;
}

/* Bind the range to the parameters ?1..?4 that ST has. */
static void bind_range(sqlite3_stmt *st, const struct hr_range *rg)
{
	int n = sqlite3_bind_parameter_count(st);

	sqlite3_bind_int64(st, 1, rg->from_ms);
	sqlite3_bind_int64(st, 2, rg->to_ms);
	if (n >= 3)
		sqlite3_bind_int(st, 3, rg->tod_from);
	if (n >= 4)
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
				has_tod(rg) ? "SELECT count(*) FROM sample WHERE ts BETWEEN ?1 AND ?2"
					      " AND hr_in_tod(ts, ?3, ?4)"
					    : "SELECT count(*) FROM sample WHERE ts BETWEEN ?1 AND ?2",
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

int hr_db_extent(struct hr_db *db, const struct hr_range *rg, int64_t *ret_first,
		 int64_t *ret_last)
{
	sqlite3_stmt *st = NULL;
	int rc, r;

	if (db->empty)
		return -ENOENT;
	rc = sqlite3_prepare_v2(db->db, "SELECT min(ts - span), max(ts) FROM sample WHERE ts BETWEEN ?1 AND ?2",
				-1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, rg->from_ms);
		sqlite3_bind_int64(st, 2, rg->to_ms);
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW) {
			rc = SQLITE_OK;
			if (sqlite3_column_type(st, 0) == SQLITE_NULL) {
				sqlite3_finalize(st);
				return -ENOENT;
			}
			*ret_first = sqlite3_column_int64(st, 0);
			*ret_last = sqlite3_column_int64(st, 1);
		}
	}
	if (rc != SQLITE_OK)
		set_err(db, "find the range's samples");
	r = sql_errno(rc);
	sqlite3_finalize(st);
	return r;
}

static bool same_range(const struct hr_range *a, const struct hr_range *b)
{
	return a->from_ms == b->from_ms && a->to_ms == b->to_ms && a->tod_from == b->tod_from &&
	       a->tod_to == b->tod_to;
}

/*
 * Read the samples of RG (ts in range, time of day too) into *RET, as
 * series.c does, when their ids are dense (at least DENSE_PCT of those
 * between the smallest and the largest, at most MAX_IDS) and walking them
 * by id meets them in the generic query's order, ts then id: roll-up
 * samples are written after the raw samples of their time, so a range
 * holding both mostly fails this. Else *RET gets no samples (n 0: the
 * queries join sample), kept all the same so the next activity does not
 * ask again. Returns 0 or -errno.
 */
static int smap_load(struct hr_db *db, const struct hr_range *rg, struct smap **ret)
{
	sqlite3_stmt *st = NULL;
	int64_t count, lo, hi, last = INT64_MIN;
	struct smap *m = NULL;
	bool tod = has_tod(rg);
	int rc;

	*ret = NULL;
	rc = sqlite3_prepare_v2(db->db,
				"SELECT count(*), min(id), max(id) FROM sample WHERE ts BETWEEN ?1 AND ?2",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, rg->from_ms);
	sqlite3_bind_int64(st, 2, rg->to_ms);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		goto fail;
	count = sqlite3_column_int64(st, 0);
	lo = sqlite3_column_int64(st, 1);
	hi = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	st = NULL;
	m = calloc(1, sizeof(*m));
	if (!m)
		return -ENOMEM;
	m->refs = 1;
	m->rg = *rg;
	*ret = m;
	if (count == 0 || hi - lo >= MAX_IDS || count * 100 < (hi - lo + 1) * DENSE_PCT)
		return 0;
	m->lo = lo;
	m->n = hi - lo + 1;
	m->ts = malloc((size_t)m->n * sizeof(*m->ts));
	m->span = malloc((size_t)m->n * sizeof(*m->span));
	if (!m->ts || !m->span) {
		*ret = NULL;
		smap_unref(m);
		return -ENOMEM;
	}
	for (int64_t i = 0; i < m->n; i++)
		m->ts[i] = INT64_MIN;
	rc = sqlite3_prepare_v2(db->db, "SELECT id, ts, span FROM sample WHERE id BETWEEN ?1 AND ?2",
				-1, &st, NULL);
	if (rc != SQLITE_OK)
		goto fail;
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	/* rowid order: ids ascending */
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t i = sqlite3_column_int64(st, 0) - lo, ts = sqlite3_column_int64(st, 1);

		if (i < 0 || i >= m->n || ts < rg->from_ms || ts > rg->to_ms)
			continue;
		if (tod && !in_tod(ts, rg->tod_from, rg->tod_to))
			continue;
		if (ts < last || sqlite3_column_type(st, 1) != SQLITE_INTEGER ||
		    sqlite3_column_type(st, 2) != SQLITE_INTEGER) {
			/* an older sample after a newer one: ids are not time order;
			   or a time or span SQL would not multiply as an integer */
			sqlite3_finalize(st);
			m->n = 0;
			return 0;
		}
		last = ts;
		m->ts[i] = ts;
		m->span[i] = sqlite3_column_int64(st, 2);
	}
	if (rc != SQLITE_DONE)
		goto fail;
	sqlite3_finalize(st);
	return 0;
fail:
	set_err(db, "sample");
	sqlite3_finalize(st);
	*ret = NULL;
	smap_unref(m);
	return sql_errno(rc) ? sql_errno(rc) : -EIO;
}

/*
 * The sample map of RG for a generic query (a reference to drop with
 * smap_unref()), or NULL when the query must join sample. The last one is
 * kept: report -A asks for the same range activity after activity. It
 * stays true while the recorder writes: new samples get greater ids, which
 * no query of the kept range walks.
 */
static int smap_get(struct hr_db *db, const struct hr_range *rg, struct smap **ret)
{
	struct smap *m = db->map;
	int r;

	*ret = NULL;
	if (!m || !same_range(&m->rg, rg)) {
		r = smap_load(db, rg, &m);
		if (r < 0)
			return r;
		smap_unref(db->map);
		db->map = m;
	}
	if (m->n > 0) {
		m->refs++;
		*ret = m;
	}
	return 0;
}

/*
 * Split FRAG ("sum((x) * span)", "max(device)", "1"...) into how a bucket
 * merges it and the per-row expression: *ret_expr, *ret_len is X of
 * sum(X), max(X), min(X), else FRAG itself (AGG_ANY). max(a, b) with two
 * arguments is SQL's scalar max, so AGG_ANY too.
 */
static enum agg split_agg(const char *frag, const char **ret_expr, int *ret_len)
{
	static const struct {
		const char *name;
		enum agg agg;
	} fns[] = {{"sum(", AGG_SUM}, {"max(", AGG_MAX}, {"min(", AGG_MIN}};
	const char *p = frag;

	*ret_expr = frag;
	*ret_len = (int)strlen(frag);
	while (*p == ' ')
		p++;
	for (size_t f = 0; f < sizeof(fns) / sizeof(fns[0]); f++) {
		const char *open = p + 3, *c;
		int depth = 0;
		char quote = 0;

		if (sqlite3_strnicmp(p, fns[f].name, 4))
			continue;
		for (c = open; *c; c++) {
			if (quote) {
				if (*c == quote)
					quote = 0;	/* '' re-opens at once: still inside */
			} else if (*c == '\'' || *c == '"') {
				quote = *c;
			} else if (*c == '(') {
				depth++;
			} else if (*c == ')') {
				if (--depth == 0)
					break;
			} else if (*c == ',' && depth == 1) {
				return AGG_ANY;
			}
		}
		if (!*c)
			return AGG_ANY;
		for (const char *e = c + 1; *e; e++)
			if (*e != ' ')
				return AGG_ANY;	/* sum(a) / sum(b): not one aggregate */
		*ret_expr = open + 1;
		*ret_len = (int)(c - open - 1);
		return fns[f].agg;
	}
	return AGG_ANY;
}

/*
 * Whether the per-row expression EXPR (LEN bytes) calls an aggregate: it
 * would turn the query into one row, so such a fragment is refused.
 * (max()/min() with two arguments are scalar; not looked for.)
 */
static bool has_aggregate(const char *expr, int len)
{
	static const char *const names[] = {"sum(", "count(", "avg(", "total(", "group_concat("};

	for (int p = 0; p < len; p++)
		for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (!sqlite3_strnicmp(expr + p, names[i], (int)strlen(names[i])))
				return true;
	return false;
}

/*
 * With a sample map, span is a function call per use in SQL (hr_smap());
 * the sums of the fragments, "(X) * span" (an identifier or a whole
 * parenthesised X) and "span", are most of them: SQL gives X (1 for span
 * alone) and add_row() multiplies, as SQL's * does (add_sum_span()).
 */
static void split_span(struct slot *sl)
{
	static const char mul[] = " * span";
	const int ml = (int)sizeof(mul) - 1;
	const char *e = sl->expr;
	int n = sl->len - ml, depth = 0;

	if (sl->len == 4 && !memcmp(e, "span", 4)) {
		sl->expr = "1";
		sl->len = 1;
		sl->mul_span = true;
		return;
	}
	if (n <= 0 || memcmp(e + n, mul, (size_t)ml))
		return;
	if (e[0] == '(' && e[n - 1] == ')') {
		/* the first '(' must close at the end: "(a) + (b)" is no factor */
		char quote = 0;

		for (int p = 0; p < n; p++) {
			if (quote) {
				if (e[p] == quote)
					quote = 0;
			} else if (e[p] == '\'' || e[p] == '"') {
				quote = e[p];
			} else if (e[p] == '(') {
				depth++;
			} else if (e[p] == ')' && --depth == 0 && p != n - 1) {
				return;
			}
		}
		if (depth || quote)
			return;
	} else {
		for (int p = 0; p < n; p++)
			if (!(e[p] == '_' || (e[p] >= 'a' && e[p] <= 'z') ||
			      (e[p] >= 'A' && e[p] <= 'Z') || (e[p] >= '0' && e[p] <= '9')))
				return;
	}
	sl->len = n;
	sl->mul_span = true;
}

/*
 * Give cell CELL the slot of FRAG, a new one (a column appended to S) if
 * none has it. -EINVAL for a fragment the buckets cannot merge.
 */
static int add_slot(struct hr_rows *rows, sqlite3_str *s, size_t cell, const char *frag, bool text)
{
	struct slot sl = {.text = text};
	size_t i;

	sl.agg = split_agg(frag, &sl.expr, &sl.len);
	if (has_aggregate(sl.expr, sl.len)) {
		snprintf(rows->db->errmsg, sizeof(rows->db->errmsg),
			 "%s: '%s' is no single sum(), max() or min()", rows->act->name, frag);
		return -EINVAL;
	}
	if (rows->map && sl.agg == AGG_SUM)
		split_span(&sl);
	for (i = 0; i < rows->nslots; i++) {
		struct slot *o = &rows->slots[i];
		if (o->agg == sl.agg && o->len == sl.len && o->mul_span == sl.mul_span &&
		    !memcmp(o->expr, sl.expr, sl.len)) {
			o->text |= text;
			break;
		}
	}
	if (i == rows->nslots) {
		rows->slots[rows->nslots++] = sl;
		sqlite3_str_appendf(s, ", (%.*s)", sl.len, sl.expr);
	}
	rows->slot_of[cell] = i;
	return 0;
}

/*
 * The generic query of ROWS's activity (see hr_analyze.h): one row per
 * sample and key in time order, read straight off the sample_ts index and
 * the metric table's primary key (no temporary B-tree: no sort, no spill
 * to temp files); the buckets are made in C (add_row). With a sample map
 * (rows->map), the metric table alone is walked in primary-key order over
 * the ids [?1, ?2], which beats seeking each sample's rows through the
 * join; ts and span come from the map bound as ?3 (hr_smap()), the first
 * column is the sample id, and fill_bucket() drops the ids the map has
 * not. Fills rows->slots and *ret_sql (sqlite3_free() it). Returns 0,
 * -EINVAL or -ENOMEM.
 */
static int build_sql(struct hr_rows *rows, char **ret_sql)
{
	const struct hr_activity *act = rows->act;
	const struct hr_query *q = &rows->q;
	sqlite3_str *s = sqlite3_str_new(NULL);
	const char *key = act->key;
	/* label and tail only where a column shows them */
	const char *label = act->label ? act->label : key ? key : "NULL";
	const char *tail = act->tail ? act->tail : "NULL";
	int r;

	rows->nslots = 0;
	sqlite3_str_appendf(s, "SELECT %s, %s AS k", rows->map ? "sid" : "ts", key ? key : "NULL");
	r = add_slot(rows, s, 0, "sum(span)", false);
	if (r >= 0)
		r = add_slot(rows, s, 1, act->keyname ? label : "NULL", act->keyname);
	if (r >= 0)
		r = add_slot(rows, s, 2, act->tailname ? tail : "NULL", act->tailname);
	for (size_t i = 0; i < act->ncols && r >= 0; i++) {
		r = add_slot(rows, s, 3 + 2 * i, act->cols[i].num, false);
		if (r >= 0)
			r = add_slot(rows, s, 4 + 2 * i, act->cols[i].den, false);
	}
	if (r < 0) {
		sqlite3_free(sqlite3_str_finish(s));
		return r;
	}
	if (rows->map)
		sqlite3_str_appendf(s,
				    " FROM (SELECT hr_smap(?3, t.sample, 0) AS ts, t.sample AS sid,"
				    " hr_smap(?3, t.sample, 1) AS span, %s"
				    " FROM %s WHERE t.sample BETWEEN ?1 AND ?2 AND t.stat = 0",
				    act->select ? act->select : "t.*", act->from);
	else
		sqlite3_str_appendf(s,
				    " FROM (SELECT s.ts AS ts, s.id AS sid, s.span AS span, %s"
				    " FROM sample s JOIN %s"
				    " WHERE t.sample = s.id AND t.stat = 0 AND s.ts BETWEEN ?1 AND ?2",
				    act->select ? act->select : "t.*", act->from);
	/* a function call per row, for nothing when every time of day is in;
	   the map holds only the samples of the times of day asked for */
	if (has_tod(&q->range) && !rows->map)
		sqlite3_str_appendall(s, " AND hr_in_tod(s.ts, ?3, ?4)");
	if (act->where)
		sqlite3_str_appendf(s, " AND %s", act->where);
	if (key && q->keys) {
		sqlite3_str_appendf(s, " AND t.%s IN (", key);
		for (size_t i = 0; i < q->nkeys; i++)
			sqlite3_str_appendf(s, "%s%Q", i ? ", " : "", q->keys[i]);
		sqlite3_str_appendall(s, ")");
	}
	/*
	 * An aggregate subquery is not flattened into the outer one, so an
	 * outer ORDER BY would sort its rows: order them inside, where the
	 * index gives that order for free; the outer query only reads them.
	 */
	if (act->sum_keys && rows->map)
		sqlite3_str_appendall(s, " GROUP BY t.sample ORDER BY t.sample)");
	else if (act->sum_keys)
		sqlite3_str_appendall(s, " GROUP BY s.ts, s.id ORDER BY s.ts, s.id)");
	else if (rows->map)
		/* not "sid, k": SQLite would sort each sample's rows, as the
		   primary key has stat between. A key has one row per sample,
		   which comes in sample order, and add_row() orders the keys. */
		sqlite3_str_appendall(s, ") ORDER BY sid");
	else
		sqlite3_str_appendf(s, ") ORDER BY ts, sid%s", key ? ", k" : "");
	*ret_sql = sqlite3_str_finish(s);
	return *ret_sql ? 0 : -ENOMEM;
}

/*
 * The slots of the rows of the process ranking (act->top, its .sql):
 * result columns ts, pid, then these.
 */
static void top_slots(struct hr_rows *rows)
{
	static const struct slot slots[] = {
		{AGG_SUM, "span", 4, false},	/* unused: the bucket's span counts */
		{AGG_ANY, "id", 2, false},
		{AGG_MAX, "comm", 4, true},	/* tail: max(comm) */
		{AGG_SUM, "c", 1, false},	/* %CPU: sum(cpu_pct * span) / bucket span */
		{AGG_MAX, "rss", 3, false},	/* RSS: max(rss_kb) */
		{AGG_MAX, "swp", 3, false},	/* SWAP: max(swap_kb) */
		{AGG_SUM, "r", 1, false},	/* kB_rd/s: sum(rkbps * span) / bucket span */
		{AGG_SUM, "w", 1, false},	/* kB_wr/s */
	};

	memcpy(rows->slots, slots, sizeof(slots));
	rows->nslots = sizeof(slots) / sizeof(slots[0]);
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
		for (size_t c = 0; a->cells && c < rows->nslots; c++)
			free(a->cells[c].s);
		for (size_t c = 0; a->wcells && c < rows->nslots; c++)
			free(a->wcells[c].s);
		free(a->cells);
		free(a->wcells);
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
	smap_unref(rows->map);
	free_accs(rows);
	free(rows->slots);
	free(rows->slot_of);
	free(rows->bkeys);
	free(rows->v);
	free(rows->null);
	free(rows);
}

static int prepare_rows(struct hr_rows *rows, bool average)
{
	const struct hr_activity *act = rows->act;
	char *sql = NULL;
	int rc;

	if (act->top) {
		top_slots(rows);
	} else if (!act->sql) {
		int r = smap_get(rows->db, &rows->q.range, &rows->map);
		if (r >= 0)
			r = build_sql(rows, &sql);
		if (r < 0)
			return r;
	}
	sqlite3_finalize(rows->st);
	rows->st = NULL;
	rc = sqlite3_prepare_v2(rows->db->db, sql ? sql : act->sql, -1, &rows->st, NULL);
	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		set_err(rows->db, act->name);
		return sql_errno(rc);
	}
	if (rows->map) {
		sqlite3_bind_int64(rows->st, 1, rows->map->lo);
		sqlite3_bind_int64(rows->st, 2, rows->map->lo + rows->map->n - 1);
		sqlite3_bind_pointer(rows->st, 3, rows->map, "hr_smap", NULL);
		return 0;
	}
	bind_range(rows->st, &rows->q.range);
	if (sqlite3_bind_parameter_count(rows->st) >= 5)
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

	if (q->bucket_ms < -1 || q->bucket_ms > 86400000LL || (q->keys && !q->nkeys) ||
	    (act->top && act->ncols != 5))
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
	/* the generic query's slots, or the 8 of top_slots() */
	rows->slots = calloc(3 + 2 * act->ncols + 8, sizeof(*rows->slots));
	rows->slot_of = calloc(3 + 2 * act->ncols, sizeof(*rows->slot_of));
	rows->last_ts = INT64_MIN;
	reset_cell(&rows->wspan);
	reset_cell(&rows->wmspan);
	if (!rows->v || !rows->null || !rows->slots || !rows->slot_of) {
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

/* The accumulator of the key of the current row of rows->st; NULL on ENOMEM. */
static struct acc *acc_of(struct hr_rows *rows)
{
	const struct hr_activity *act = rows->act;
	sqlite3_value *k = sqlite3_column_value(rows->st, 1);
	bool is_int = sqlite3_value_type(k) == SQLITE_INTEGER;
	int64_t ik = is_int ? sqlite3_value_int64(k) : 0;
	const char *sk = is_int ? NULL : (const char *)sqlite3_value_text(k);
	struct acc *a, *grown;

	sk = sk ? sk : "";
	/* Keys come in the same order sample after sample: try the next one first. */
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
	if (is_int)
		sk = (const char *)sqlite3_value_text(k);
	a->key = sk ? strdup(sk) : NULL;
	a->num = calloc(act->ncols + 1, sizeof(double));
	a->den = calloc(act->ncols + 1, sizeof(double));
	a->seen = calloc(act->ncols + 1, sizeof(bool));
	a->cells = calloc(rows->nslots, sizeof(*a->cells));
	if (act->top)
		a->wcells = calloc(rows->nslots, sizeof(*a->wcells));
	rows->last = rows->naccs++;
	if (!a->key || !a->num || !a->den || !a->seen || !a->cells || (act->top && !a->wcells))
		return NULL;
	for (size_t c = 0; a->wcells && c < rows->nslots; c++)
		reset_cell(&a->wcells[c]);
	return a;
}

/* SQL's ORDER BY k: integer keys first, numerically, then text bytewise. */
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

/* Fill *ret from the current row of a custom query (rows->st). */
static int take_row(struct hr_rows *rows, struct hr_row *ret, bool average)
{
	sqlite3_stmt *st = rows->st;
	const struct hr_activity *act = rows->act;

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

/* ---- buckets of the generic query ------------------------------------------ */

/*
 * The cells read the row through sqlite3_column_value(): one call per
 * column instead of three, and sqlite3_value_*() skip the per-call error
 * bookkeeping of sqlite3_column_*(). Those values are "unprotected", which
 * only matters to a connection shared between threads; ours is not
 * (SQLITE_OPEN_NOMUTEX), and each value is read before the next step.
 */

/* SQLite's order of values (sqlite3MemCompare): numbers, then text bytewise. */
static int cmp_cell(const struct cell *c, sqlite3_value *v)
{
	int type = sqlite3_value_type(v);
	bool cnum = c->type == SQLITE_INTEGER || c->type == SQLITE_FLOAT;
	bool num = type == SQLITE_INTEGER || type == SQLITE_FLOAT;

	if (cnum != num)
		return cnum ? -1 : 1;
	if (num) {
		if (c->type == SQLITE_INTEGER && type == SQLITE_INTEGER) {
			int64_t i = sqlite3_value_int64(v);
			return c->i < i ? -1 : c->i > i;
		} else {
			double r = sqlite3_value_double(v);
			double cr = c->type == SQLITE_INTEGER ? (double)c->i : c->r;
			return cr < r ? -1 : cr > r;
		}
	}
	{
		const void *t = sqlite3_value_text(v);
		size_t len = (size_t)sqlite3_value_bytes(v);
		size_t n = len < c->len ? len : c->len;
		int d = n ? memcmp(c->s, t, n) : 0;
		return d ? d : c->len < len ? -1 : c->len > len;
	}
}

/* Empty C for a new bucket; its text buffer stays for reuse. */
static void reset_cell(struct cell *c)
{
	c->type = SQLITE_NULL;
	c->set = false;
	c->approx = false;
	c->i = 0;
	c->r = 0;
	c->len = 0;
}

/* Make C the value V (its text too when TEXT). */
static int set_cell(struct cell *c, sqlite3_value *v, bool text)
{
	c->type = sqlite3_value_type(v);
	c->i = sqlite3_value_int64(v);
	c->r = sqlite3_value_double(v);
	c->len = 0;
	if (c->type != SQLITE_NULL && text) {
		const char *t = (const char *)sqlite3_value_text(v);
		size_t len = (size_t)sqlite3_value_bytes(v);

		if (!t)
			return -ENOMEM;
		if (len + 1 > c->cap) {
			char *g = realloc(c->s, len + 1);
			if (!g)
				return -ENOMEM;
			c->s = g;
			c->cap = len + 1;
		}
		memcpy(c->s, t, len);
		c->s[len] = '\0';
		c->len = len;
	}
	return 0;
}

/* Add the integer I (IS_INT) or the real R to the sum C, as sum() does. */
static int add_sum(struct hr_rows *rows, struct cell *c, bool is_int, int64_t i, double r)
{
	if (is_int) {
		c->r += (double)i;
		if (!c->approx && __builtin_add_overflow(c->i, i, &c->i)) {
			/* sum() fails the statement so; never over real data */
			snprintf(rows->db->errmsg, sizeof(rows->db->errmsg), "%s: integer overflow",
				 rows->act->name);
			return -ERANGE;
		}
	} else {
		c->r += r;
		c->approx = true;
	}
	c->type = SQLITE_INTEGER;	/* some value: not NULL */
	return 0;
}

/*
 * Add V * SPAN to the sum C, with the value SQL's V * span gives
 * (sqlite3VdbeExec, OP_Multiply): integers multiply exactly unless that
 * overflows, else as doubles; a NaN product is NULL; text is a number
 * first, as arithmetic makes it.
 */
static int add_sum_span(struct hr_rows *rows, struct cell *c, sqlite3_value *v, int64_t span)
{
	int type = sqlite3_value_type(v);
	int64_t i;
	double r;

	if (type == SQLITE_NULL)
		return 0;
	if (type == SQLITE_TEXT || type == SQLITE_BLOB)
		type = sqlite3_value_numeric_type(v) == SQLITE_FLOAT ? SQLITE_FLOAT : SQLITE_INTEGER;
	if (type == SQLITE_INTEGER) {
		if (!__builtin_mul_overflow(sqlite3_value_int64(v), span, &i))
			return add_sum(rows, c, true, i, 0);
		r = (double)sqlite3_value_int64(v) * (double)span;
	} else {
		r = sqlite3_value_double(v) * (double)span;
	}
	if (r != r)
		return 0;	/* NaN: NULL */
	return add_sum(rows, c, false, 0, r);
}

/* Merge the value V of the current row into C, as SQL's AGG would. */
static int add_cell(struct hr_rows *rows, struct cell *c, enum agg agg, sqlite3_value *v,
		    bool text)
{
	int type = sqlite3_value_type(v);

	switch (agg) {
	case AGG_SUM:
		if (type == SQLITE_NULL)
			return 0;
		if (type == SQLITE_INTEGER)
			return add_sum(rows, c, true, sqlite3_value_int64(v), 0);
		return add_sum(rows, c, false, 0, sqlite3_value_double(v));
	case AGG_MAX:
	case AGG_MIN:
		if (type == SQLITE_NULL)
			return 0;
		if (c->type != SQLITE_NULL) {
			int d = cmp_cell(c, v);
			/* the first of equal values stays, as in SQLite's minmaxStep */
			if (agg == AGG_MAX ? d >= 0 : d <= 0)
				return 0;
		}
		return set_cell(c, v, text);
	case AGG_ANY:
	default:
		if (c->set)
			return 0;
		c->set = true;
		return set_cell(c, v, text);
	}
}

/* The value SQL's aggregate gave as sqlite3_column_double() read it. */
static double cell_double(const struct cell *c, enum agg agg)
{
	if (c->type == SQLITE_NULL)
		return 0;
	if (agg == AGG_SUM)
		return c->approx ? c->r : (double)c->i;
	return c->type == SQLITE_INTEGER ? (double)c->i : c->r;
}

/* Add the current row of rows->st to the bucket of its key. */
static int add_row(struct hr_rows *rows)
{
	struct acc *a;
	size_t ai, at;
	int r;

	if (rows->act->top) {
		sqlite3_value *span = sqlite3_column_value(rows->st, 2);
		int64_t sid = sqlite3_column_int64(rows->st, 3);

		/* a sample's rows come together: count its span once */
		if (sid != rows->last_sid || rows->bspan.type == SQLITE_NULL) {
			rows->last_sid = sid;
			r = add_cell(rows, &rows->bspan, AGG_SUM, span, false);
			if (r >= 0)
				r = add_cell(rows, &rows->bmspan, AGG_MAX, span, false);
			if (r >= 0)
				r = add_cell(rows, &rows->wspan, AGG_SUM, span, false);
			if (r >= 0)
				r = add_cell(rows, &rows->wmspan, AGG_MAX, span, false);
			if (r < 0)
				return r;
		}
		if (sqlite3_column_type(rows->st, 1) == SQLITE_NULL)
			return 0;	/* no process listed */
	}
	a = acc_of(rows);
	if (!a)
		return -ENOMEM;
	ai = (size_t)(a - rows->accs);
	if (!a->in_bucket) {
		/* Keep the bucket's keys in key order; they mostly come in it. */
		if (rows->nbkeys == rows->cbkeys) {
			size_t nc = rows->cbkeys ? 2 * rows->cbkeys : 16;
			size_t *g = reallocarray(rows->bkeys, nc, sizeof(*g));
			if (!g)
				return -ENOMEM;
			rows->bkeys = g;
			rows->cbkeys = nc;
		}
		for (at = rows->nbkeys; at > 0; at--)
			if (cmp_acc(&rows->accs[rows->bkeys[at - 1]], a) < 0)
				break;
		memmove(&rows->bkeys[at + 1], &rows->bkeys[at],
			(rows->nbkeys - at) * sizeof(*rows->bkeys));
		rows->bkeys[at] = ai;
		rows->nbkeys++;
		a->in_bucket = true;
		for (size_t c = 0; c < rows->nslots; c++)
			reset_cell(&a->cells[c]);
	}
	for (size_t c = 0; c < rows->nslots; c++) {
		sqlite3_value *v = sqlite3_column_value(rows->st, 2 + (int)c);

		if (rows->slots[c].mul_span) {
			/* only the generic query's sums, never top's (no wcells) */
			r = add_sum_span(rows, &a->cells[c], v, rows->span);
			if (r < 0)
				return r;
			continue;
		}
		r = add_cell(rows, &a->cells[c], rows->slots[c].agg, v, rows->slots[c].text);
		if (r >= 0 && a->wcells)
			r = add_cell(rows, &a->wcells[c], rows->slots[c].agg, v,
				     rows->slots[c].text);
		if (r < 0)
			return r;
	}
	return 0;
}

/*
 * Read rows into the current bucket until one of another bucket comes
 * (kept in rows->st for the next call) or the end. Returns 1 when a bucket
 * is complete (rows->nbkeys > 0), 0 at the end with none, or -errno.
 */
static int fill_bucket(struct hr_rows *rows)
{
	int r;

	for (;;) {
		int64_t ts, b;

		if (!rows->have_row) {
			if (rows->eof)
				return rows->nbkeys ? 1 : 0;
			r = step(rows);
			if (r < 0)
				return r;
			if (r == 0) {
				rows->eof = true;
				continue;
			}
			rows->have_row = true;
		}
		if (rows->map) {
			int64_t i = sqlite3_column_int64(rows->st, 0) - rows->map->lo;

			/* walking ids: those of other times are not the range's */
			ts = i >= 0 && i < rows->map->n ? rows->map->ts[i] : INT64_MIN;
			if (ts == INT64_MIN) {
				rows->have_row = false;
				continue;
			}
			rows->span = rows->map->span[i];
		} else {
			ts = sqlite3_column_int64(rows->st, 0);
		}
		if (ts < rows->last_ts) {
			snprintf(rows->db->errmsg, sizeof(rows->db->errmsg),
				 "%s: rows out of time order", rows->act->name);
			return -EIO;
		}
		rows->last_ts = ts;
		b = bucket_in_mode(rows->db, ts, rows->q.bucket_ms);
		if (rows->open && b != rows->bucket) {
			if (rows->nbkeys)
				return 1;
			rows->open = false;	/* top: no process in it, no row */
		}
		if (!rows->open) {
			rows->open = true;
			rows->bucket = b;
			reset_cell(&rows->bspan);
			reset_cell(&rows->bmspan);
		}
		r = add_row(rows);
		if (r < 0)
			return r;
		rows->have_row = false;
	}
}
/* Fill *ret with the next key of the complete bucket; add it to the key's sums. */
static int emit_row(struct hr_rows *rows, struct hr_row *ret)
{
	const struct hr_activity *act = rows->act;
	struct acc *a = &rows->accs[rows->bkeys[rows->next_out++]];
	const struct cell *span = &a->cells[rows->slot_of[0]];
	const struct cell *label = &a->cells[rows->slot_of[1]];
	const struct cell *tail = &a->cells[rows->slot_of[2]];

	if (!a->labelled) {
		/* the average row shows what the key's first bucket showed */
		a->label = act->keyname ? strdup(label->type != SQLITE_NULL ? label->s : "") : NULL;
		a->tail = act->tailname ? strdup(tail->type != SQLITE_NULL ? tail->s : "") : NULL;
		if ((act->keyname && !a->label) || (act->tailname && !a->tail))
			return -ENOMEM;
		a->labelled = true;
	}
	rows->nrows++;
	ret->average = false;
	ret->ts_ms = rows->bucket;
	if (rows->q.bucket_ms > 0)
		ret->span_ms = rows->q.bucket_ms;
	else
		ret->span_ms = span->approx ? (int64_t)span->r : span->i;
	ret->key = NULL;
	ret->tail = NULL;
	if (act->keyname && label->type != SQLITE_NULL)
		ret->key = act->key_all && label->i < 0 ? "all" : label->s;
	if (act->tailname && tail->type != SQLITE_NULL)
		ret->tail = tail->s;
	for (size_t i = 0; i < act->ncols; i++) {
		size_t sn = rows->slot_of[3 + 2 * i], sd = rows->slot_of[4 + 2 * i];
		const struct cell *cn = &a->cells[sn];
		double num = cell_double(cn, rows->slots[sn].agg);
		double den = cell_double(&a->cells[sd], rows->slots[sd].agg);

		rows->null[i] = cn->type == SQLITE_NULL;
		rows->v[i] = rows->null[i] ? 0 : ratio(act->cols[i].scale, num, den);
		if (!rows->null[i]) {
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

/* The bucket's rows are out: the next row starts a new one. */
static void end_bucket(struct hr_rows *rows)
{
	for (size_t i = 0; i < rows->nbkeys; i++)
		rows->accs[rows->bkeys[i]].in_bucket = false;
	rows->nbkeys = 0;
	rows->next_out = 0;
	rows->open = false;
}

/* The ranking's ORDER BY c DESC, pid (SQL's: a NULL sum last). */
static bool top_before(const struct cell *x, const struct acc *ax, const struct cell *y,
		       const struct acc *ay)
{
	if ((x->type == SQLITE_NULL) != (y->type == SQLITE_NULL))
		return y->type == SQLITE_NULL;
	if (x->type != SQLITE_NULL) {
		double cx = cell_double(x, AGG_SUM), cy = cell_double(y, AGG_SUM);
		if (cx != cy)
			return cx > cy;
	}
	return ax->ikey < ay->ikey;
}

/* Move the top N of rows->bkeys (by the bucket's or the WHOLE range's sums) first. */
static size_t select_top(struct hr_rows *rows, bool whole)
{
	size_t n = rows->q.top_n > 0 ? (size_t)rows->q.top_n : 5;
	size_t *k = rows->bkeys;

	if (n > rows->nbkeys)
		n = rows->nbkeys;
	for (size_t i = 0; i < n; i++) {
		size_t best = i;
		for (size_t j = i + 1; j < rows->nbkeys; j++) {
			const struct acc *aj = &rows->accs[k[j]], *ab = &rows->accs[k[best]];
			if (top_before(whole ? &aj->wcells[3] : &aj->cells[3], aj,
				       whole ? &ab->wcells[3] : &ab->cells[3], ab))
				best = j;
		}
		size_t t = k[i];
		k[i] = k[best];
		k[best] = t;
	}
	return n;
}

/* Fill *ret with the next process of the ranking of the bucket (or the range). */
static int top_row(struct hr_rows *rows, struct hr_row *ret, bool average)
{
	const struct hr_activity *act = rows->act;
	const struct acc *a = &rows->accs[rows->bkeys[rows->next_out++]];
	const struct cell *c = average ? a->wcells : a->cells;
	double span = cell_double(average ? &rows->wspan : &rows->bspan, AGG_SUM);
	const struct cell *mspan = average ? &rows->wmspan : &rows->bmspan;
	/* %CPU, kB_rd/s, kB_wr/s are over the whole bucket; RSS and SWAP maxima */
	static const bool per_span[5] = {true, false, false, true, true};

	if (!average)
		rows->nrows++;
	ret->average = average;
	ret->ts_ms = average ? 0 : rows->bucket;
	ret->span_ms = !average && rows->q.bucket_ms > 0 ? rows->q.bucket_ms : mspan->i;
	ret->key = a->key;
	ret->tail = c[2].type != SQLITE_NULL ? c[2].s : NULL;
	for (size_t i = 0; i < 5; i++) {
		const struct cell *cn = &c[3 + i];
		double num = cell_double(cn, rows->slots[3 + i].agg);

		rows->null[i] = cn->type == SQLITE_NULL;
		rows->v[i] = rows->null[i] ? 0
					   : ratio(act->cols[i].scale, num, per_span[i] ? span : 1);
	}
	ret->v = rows->v;
	ret->null = rows->null;
	ret->n = act->ncols;
	return 1;
}

int hr_rows_next(struct hr_rows *rows, struct hr_row *ret)
{
	const struct hr_activity *act = rows->act;
	int r;

	switch (rows->state) {
	case ROWS:
		if (act->top) {
			r = fill_bucket(rows);
			if (r < 0)
				return r;
			if (r > 0) {
				rows->nout = select_top(rows, false);
				rows->state = EMIT;
				return hr_rows_next(rows, ret);
			}
			/* Rankings do not add up: rank again over the whole range. */
			rows->state = rows->nrows ? AVG_TOP : DONE;
			if (rows->naccs > rows->cbkeys) {
				size_t *g = reallocarray(rows->bkeys, rows->naccs, sizeof(*g));
				if (!g)
					return -ENOMEM;
				rows->bkeys = g;
				rows->cbkeys = rows->naccs;
			}
			for (size_t i = 0; i < rows->naccs; i++)
				rows->bkeys[i] = i;
			rows->nbkeys = rows->naccs;
			rows->next_out = 0;
			rows->nout = select_top(rows, true);
			return hr_rows_next(rows, ret);
		}
		if (!act->sql) {
			r = fill_bucket(rows);
			if (r < 0)
				return r;
			if (r > 0) {
				rows->nout = rows->nbkeys;
				rows->state = EMIT;
				return emit_row(rows, ret);
			}
			rows->state = AVG_ACC;
			if (rows->naccs > 1)
				qsort(rows->accs, rows->naccs, sizeof(*rows->accs), cmp_acc);
			return hr_rows_next(rows, ret);
		}
		r = step(rows);
		if (r != 0)
			return r < 0 ? r : take_row(rows, ret, false);
		/* Rankings do not add up: ask again over the whole range. */
		rows->state = rows->nrows ? AVG_QUERY : DONE;
		r = rows->nrows ? prepare_rows(rows, true) : 0;
		if (r < 0)
			return r;
		return hr_rows_next(rows, ret);
	case EMIT:
		if (rows->next_out < rows->nout)
			return act->top ? top_row(rows, ret, false) : emit_row(rows, ret);
		end_bucket(rows);
		rows->state = ROWS;
		return hr_rows_next(rows, ret);
	case AVG_TOP:
		if (rows->next_out < rows->nout)
			return top_row(rows, ret, true);
		rows->state = DONE;
		return 0;
	case AVG_QUERY:
		r = step(rows);
		if (r <= 0) {
			rows->state = DONE;
			return r;
		}
		return take_row(rows, ret, true);
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
