/*
 * series.c - downsampled time series of the chart panels (headroom/analyze).
 * Panels reading the same rows (same table, join, condition and key) share
 * one scan. The scan streams per-sample rows without GROUP BY: SQLite could
 * only group by a computed bucket through a temporary B-tree sort, which
 * cost seconds over a month of raw samples. The rows are aggregated here
 * into arrays indexed by pixel bucket, with the same arithmetic as the
 * aggregate SQL this replaced: span-weighted average of the average rows,
 * min/max over raw rows and the roll-ups' min/max rows, so a 10 s spike
 * survives a 31-day chart. Depends on SQLite and query.c's handle; see
 * hr_series.h for the contract.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_series.h"
#include "cleanup.h"
#include "banned.h"

#define SQL_MAX 8192
/* Callers ask for about one bucket per pixel column: a few thousand. */
#define MAX_BUCKETS (1 << 20)
/* Bytes of aggregation cells of one scan, all keys (a month: about 1 MB). */
#define MAX_CELL_BYTES (512 * 1024 * 1024)
/* Below this share of sample ids in the range, seek samples by time. */
#define DENSE_PCT 50
/* Most sample ids whose time and span are held in memory (16 bytes each). */
#define MAX_IDS (4 * 1024 * 1024)

/*
 * One bucket of one key: the times and spans of its rows, then for each
 * column of the scan sum(v * span) over stat 0, min over stat 0/1, max
 * over stat 0/2. NAN = no value (SQLite never returns a NaN).
 */
struct cell {
	int64_t tmin, tmax; /* tmin > tmax: no row */
	int64_t span;	    /* largest span */
	int64_t sspan;	    /* sum of spans of stat 0 rows */
	double v[];	    /* 3 per column */
};

/* One key (the only one of an unkeyed scan): a window of buckets. */
struct kagg {
	char *name;    /* NULL for unkeyed scans */
	int64_t first; /* first bucket holding a row of this key */
	int64_t lo, n; /* the cells cover buckets [lo, lo + n) */
	unsigned char *cells;
};

/*
 * Time and span of the samples with ids [lo, lo + n), when the ids of the
 * range are dense: read once, they spare every scan a join with sample.
 * ts == INT64_MIN: not in the range (or no such sample).
 */
struct samples {
	int64_t lo, n;
	int64_t *ts, *span;
};

/* The panels of one scan and its aggregation state. */
struct scan {
	const struct hr_panel *p; /* table, join, where and key come from this one */
	size_t *members;	  /* indexes into the caller's panels */
	size_t *col;		  /* first value column of each member */
	size_t nmembers, ncols;
	size_t stride; /* bytes per cell */
	int64_t nbuckets;
	size_t ncells; /* allocated over all keys */
	struct kagg *keys;
	size_t nkeys, capkeys;
	uint32_t *hash; /* open addressing: key index + 1, 0 = free */
	size_t hashcap;
};

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* Do P and Q read the same rows with the same key? */
static bool same_rows(const struct hr_panel *p, const struct hr_panel *q)
{
	return !strcmp(p->table, q->table) && same_str(p->join, q->join) &&
	       same_str(p->where, q->where) && same_str(p->key, q->key);
}

/*
 * Rows of every sample with ts in [?1, ?2], never sorted. With IDS (the
 * range's sample ids are dense and in memory), the metric table alone is
 * walked in primary-key order over the ids [?3, ?4], which beats seeking
 * each sample's rows and then joining sample; the caller drops the ids
 * outside the range (roll-up samples get later ids than the raw samples of
 * their time). The columns: sample id, or ts and span; stat; key; values.
 */
static int build_sql(const struct scan *sc, const struct hr_panel *const *panels, bool ids,
		     char *buf, size_t size)
{
	const struct hr_panel *p = sc->p;
	size_t len;
	int n;

	n = snprintf(buf, size, "SELECT %s, t.stat, %s", ids ? "t.sample" : "s.ts, s.span",
		     p->key ? p->key : "NULL");
	if (n < 0 || (size_t)n >= size)
		return -E2BIG;
	len = (size_t)n;
	for (size_t m = 0; m < sc->nmembers; m++) {
		const struct hr_panel *q = panels[sc->members[m]];
		for (size_t i = 0; i < q->nseries; i++) {
			n = snprintf(buf + len, size - len, ", (%s)", q->series[i].expr);
			if (n < 0 || (size_t)n >= size - len)
				return -E2BIG;
			len += (size_t)n;
		}
	}
	if (ids)
		n = snprintf(buf + len, size - len,
			     " FROM %s t %s WHERE t.sample BETWEEN ?3 AND ?4%s%s%s", p->table,
			     p->join ? p->join : "", p->where ? " AND (" : "",
			     p->where ? p->where : "", p->where ? ")" : "");
	else
		n = snprintf(buf + len, size - len,
			     " FROM sample s JOIN %s t ON t.sample = s.id %s"
			     " WHERE s.ts BETWEEN ?1 AND ?2%s%s%s",
			     p->table, p->join ? p->join : "", p->where ? " AND (" : "",
			     p->where ? p->where : "", p->where ? ")" : "");
	if (n < 0 || (size_t)n >= size - len)
		return -E2BIG;
	return 0;
}

static void scan_release(struct scan *sc)
{
	for (size_t i = 0; i < sc->nkeys; i++) {
		free(sc->keys[i].name);
		free(sc->keys[i].cells);
	}
	free(sc->keys);
	free(sc->hash);
	free(sc->members);
	free(sc->col);
	memset(sc, 0, sizeof(*sc));
}

static struct cell *cell_at(const struct scan *sc, const struct kagg *k, int64_t b)
{
	return (struct cell *)(k->cells + (size_t)(b - k->lo) * sc->stride);
}

static void cells_init(const struct scan *sc, unsigned char *cells, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		struct cell *c = (struct cell *)(cells + i * sc->stride);
		c->tmin = INT64_MAX;
		c->tmax = INT64_MIN;
		c->span = 0;
		c->sspan = 0;
		for (size_t j = 0; j < 3 * sc->ncols; j++)
			c->v[j] = NAN;
	}
}

/*
 * Make K's window cover bucket B. Windows grow by doubling towards B, so
 * a key seen for an hour of a month (a container's veth) costs an hour's
 * worth of cells, and rows in time order cost amortised O(1).
 */
static int kagg_cover(struct scan *sc, struct kagg *k, int64_t b)
{
	int64_t lo, hi, grow;
	unsigned char *cells;

	if (k->cells && b >= k->lo && b < k->lo + k->n)
		return 0;
	if (!k->cells) {
		lo = b;
		hi = b + 1;
		grow = 16;
	} else {
		lo = b < k->lo ? b : k->lo;
		hi = b >= k->lo + k->n ? b + 1 : k->lo + k->n;
		grow = k->n;
	}
	/* slack in the direction of B */
	if (!k->cells || b >= k->lo)
		hi = hi + grow > sc->nbuckets ? sc->nbuckets : hi + grow;
	else
		lo = lo - grow < 0 ? 0 : lo - grow;
	if ((sc->ncells - (size_t)k->n + (size_t)(hi - lo)) > MAX_CELL_BYTES / sc->stride)
		return -E2BIG;
	cells = malloc((size_t)(hi - lo) * sc->stride);
	if (!cells)
		return -ENOMEM;
	cells_init(sc, cells, (size_t)(hi - lo));
	if (k->cells)
		memcpy(cells + (size_t)(k->lo - lo) * sc->stride, k->cells,
		       (size_t)k->n * sc->stride);
	free(k->cells);
	sc->ncells = sc->ncells - (size_t)k->n + (size_t)(hi - lo);
	k->cells = cells;
	k->lo = lo;
	k->n = hi - lo;
	return 0;
}

static uint32_t hash_str(const char *s)
{
	uint32_t h = 2166136261u;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 16777619u;
	return h;
}

/* The aggregate of key NAME (NULL: the unkeyed scan's one), added when new. */
static int key_get(struct scan *sc, const char *name, int64_t b, struct kagg **ret)
{
	struct kagg *k;
	size_t i;

	if (!name) {
		i = 0;
		if (sc->nkeys)
			goto found;
	} else if (sc->hashcap) {
		for (i = hash_str(name) & (sc->hashcap - 1); sc->hash[i];
		     i = (i + 1) & (sc->hashcap - 1))
			if (!strcmp(sc->keys[sc->hash[i] - 1].name, name)) {
				i = sc->hash[i] - 1;
				goto found;
			}
	}
	if (sc->nkeys >= UINT32_MAX - 1)
		return -E2BIG;
	if (name && 2 * (sc->nkeys + 1) > sc->hashcap) {
		size_t ncap = sc->hashcap ? 2 * sc->hashcap : 16;
		uint32_t *h = calloc(ncap, sizeof(*h));
		if (!h)
			return -ENOMEM;
		for (size_t j = 0; j < sc->nkeys; j++) {
			size_t s = hash_str(sc->keys[j].name) & (ncap - 1);
			while (h[s])
				s = (s + 1) & (ncap - 1);
			h[s] = (uint32_t)j + 1;
		}
		free(sc->hash);
		sc->hash = h;
		sc->hashcap = ncap;
	}
	if (sc->nkeys == sc->capkeys) {
		size_t ncap = sc->capkeys ? 2 * sc->capkeys : 8;
		struct kagg *g = realloc(sc->keys, ncap * sizeof(*g));
		if (!g)
			return -ENOMEM;
		sc->keys = g;
		sc->capkeys = ncap;
	}
	k = &sc->keys[sc->nkeys];
	*k = (struct kagg){.first = b};
	if (name) {
		size_t s = hash_str(name) & (sc->hashcap - 1);
		k->name = strdup(name);
		if (!k->name)
			return -ENOMEM;
		while (sc->hash[s])
			s = (s + 1) & (sc->hashcap - 1);
		sc->hash[s] = (uint32_t)sc->nkeys + 1;
	}
	i = sc->nkeys++;
found:
	k = &sc->keys[i];
	if (b < k->first)
		k->first = b;
	*ret = k;
	return 0;
}

/* Fold one row of the scan, sample time TS and span SPAN, into its cell;
 * its stat is column COL, then the key, then the values. */
static int add_row(struct scan *sc, sqlite3_stmt *st, int col, int64_t ts, int64_t span,
		   int64_t from_ms, int64_t bucket_ms)
{
	int64_t stat = sqlite3_column_int64(st, col), b;
	const char *name = NULL;
	struct kagg *k;
	struct cell *c;
	int r;

	b = (ts - from_ms) / bucket_ms; /* ts is in [from, to]: checked by the caller */
	if (b < 0 || b >= sc->nbuckets)
		return 0;
	if (sc->p->key) {
		name = (const char *)sqlite3_column_text(st, col + 1);
		if (!name)
			name = "?";
	}
	r = key_get(sc, name, b, &k);
	if (r < 0)
		return r;
	r = kagg_cover(sc, k, b);
	if (r < 0)
		return r;
	c = cell_at(sc, k, b);
	if (ts < c->tmin)
		c->tmin = ts;
	if (ts > c->tmax)
		c->tmax = ts;
	if (span > c->span)
		c->span = span;
	if (stat == 0)
		c->sspan += span;
	for (size_t i = 0; i < sc->ncols; i++) {
		/* one sqlite3_column_*() call per value: each takes the db mutex */
		sqlite3_value *sv = sqlite3_column_value(st, col + 2 + (int)i);
		double v, *a = &c->v[3 * i];
		if (sqlite3_value_type(sv) == SQLITE_NULL)
			continue;
		v = sqlite3_value_double(sv);
		if (stat == 0)
			a[0] = isnan(a[0]) ? v * (double)span : a[0] + v * (double)span;
		if ((stat == 0 || stat == 1) && (isnan(a[1]) || v < a[1]))
			a[1] = v;
		if ((stat == 0 || stat == 2) && (isnan(a[2]) || v > a[2]))
			a[2] = v;
	}
	return 0;
}

/* Keys by first bucket, then name: the order the GROUP BY b, k query met them. */
static int cmp_first(const void *a, const void *b)
{
	const struct kagg *x = *(struct kagg *const *)a, *y = *(struct kagg *const *)b;

	if (x->first != y->first)
		return x->first < y->first ? -1 : 1;
	return strcmp(x->name, y->name);
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp((*(struct kagg *const *)a)->name, (*(struct kagg *const *)b)->name);
}

static const struct cell *cell_of(const struct scan *sc, const struct kagg *k, int64_t b)
{
	const struct cell *c;

	if (!k->cells || b < k->lo || b >= k->lo + k->n)
		return NULL;
	c = cell_at(sc, k, b);
	return c->tmin <= c->tmax ? c : NULL;
}

static struct hr_series_set *set_new(size_t np, size_t ns)
{
	struct hr_series_set *set = calloc(1, sizeof(*set));

	if (!set)
		return NULL;
	set->ts = calloc(np ? np : 1, sizeof(*set->ts));
	set->brk = calloc(np ? np : 1, sizeof(*set->brk));
	set->series = calloc(ns ? ns : 1, sizeof(*set->series));
	if (!set->ts || !set->brk || !set->series) {
		hr_series_free(set);
		return NULL;
	}
	set->npoints = np;
	set->nseries = ns;
	for (size_t s = 0; s < ns; s++) {
		struct hr_series *se = &set->series[s];
		se->avg = malloc((np ? np : 1) * sizeof(double));
		se->min = malloc((np ? np : 1) * sizeof(double));
		se->max = malloc((np ? np : 1) * sizeof(double));
		if (!se->avg || !se->min || !se->max) {
			hr_series_free(set);
			return NULL;
		}
	}
	return set;
}

/*
 * The sets of SC's panels from its cells: keys numbered by first bucket
 * and name, the first MAX_KEYS kept, then sorted by name; a point per
 * bucket holding a row of a kept key.
 */
static int scan_sets(const struct scan *sc, const struct hr_panel *const *panels, size_t max_keys,
		     struct hr_series_set **ret_sets)
{
	_cleanup_free_ struct kagg **kept = NULL;
	_cleanup_free_ int64_t *pb = NULL;
	size_t nkept = sc->nkeys, np = 0, dropped = 0;
	int64_t lo = INT64_MAX, hi = INT64_MIN;

	kept = malloc((sc->nkeys ? sc->nkeys : 1) * sizeof(*kept));
	if (!kept)
		return -ENOMEM;
	for (size_t i = 0; i < sc->nkeys; i++)
		kept[i] = &sc->keys[i];
	if (sc->p->key) {
		qsort(kept, nkept, sizeof(*kept), cmp_first);
		if (nkept > max_keys) {
			dropped = nkept - max_keys;
			nkept = max_keys;
		}
		qsort(kept, nkept, sizeof(*kept), cmp_name);
	}
	for (size_t i = 0; i < nkept; i++) {
		if (kept[i]->lo < lo)
			lo = kept[i]->lo;
		if (kept[i]->lo + kept[i]->n > hi)
			hi = kept[i]->lo + kept[i]->n;
	}
	/* the buckets that make points */
	pb = malloc((nkept && hi > lo ? (size_t)(hi - lo) : 1) * sizeof(*pb));
	if (!pb)
		return -ENOMEM;
	for (int64_t b = lo; nkept && b < hi; b++)
		for (size_t i = 0; i < nkept; i++)
			if (cell_of(sc, kept[i], b)) {
				pb[np++] = b;
				break;
			}

	for (size_t m = 0; m < sc->nmembers; m++) {
		const struct hr_panel *p = panels[sc->members[m]];
		size_t nk = p->key ? nkept : 1, ns = p->nseries * nk;
		int64_t prev_end = 0, prev_span = 0;
		struct hr_series_set *set = set_new(np, ns);

		if (!set)
			return -ENOMEM;
		ret_sets[sc->members[m]] = set;
		set->nkeys_dropped = dropped;
		for (size_t s = 0; s < ns; s++) {
			struct hr_series *se = &set->series[s];
			const struct hr_series_def *d = &p->series[s % p->nseries];
			se->peak = d->peak;
			if (p->key)
				snprintf(se->label, sizeof(se->label), "%s %s",
					 kept[s / p->nseries]->name, d->label);
			else
				snprintf(se->label, sizeof(se->label), "%s", d->label);
		}
		for (size_t pi = 0; pi < np; pi++) {
			int64_t tmin = INT64_MAX, tmax = INT64_MIN, span = 0;
			for (size_t k = 0; k < nkept; k++) {
				const struct cell *c = cell_of(sc, kept[k], pb[pi]);
				for (size_t d = 0; d < p->nseries; d++) {
					struct hr_series *se = &set->series[k * p->nseries + d];
					const double *a = c ? &c->v[3 * (sc->col[m] + d)] : NULL;
					se->avg[pi] = se->min[pi] = se->max[pi] = NAN;
					if (!a)
						continue;
					/* SQLite's x / 0 is NULL */
					if (!isnan(a[0]) && c->sspan != 0)
						se->avg[pi] = a[0] / (double)c->sspan;
					se->min[pi] = a[1];
					se->max[pi] = a[2];
				}
				if (!c)
					continue;
				if (c->tmin < tmin)
					tmin = c->tmin;
				if (c->tmax > tmax)
					tmax = c->tmax;
				if (c->span > span)
					span = c->span;
			}
			/* A sample at ts covers (ts - span, ts]. */
			set->ts[pi] = (tmin - span + tmax) / 2;
			if (pi > 0) {
				int64_t lim = 2 * (span > prev_span ? span : prev_span);
				set->brk[pi] = tmin - prev_end > lim;
			}
			prev_end = tmax;
			prev_span = span;
		}
	}
	return 0;
}

/* Run SC's query over [FROM_MS, TO_MS], by sample id when SM has ids. */
static int scan_run(struct hr_db *db, sqlite3 *h, struct scan *sc,
		    const struct hr_panel *const *panels, int64_t from_ms, int64_t to_ms,
		    int64_t bucket_ms, const struct samples *sm)
{
	_cleanup_free_ char *sql = malloc(SQL_MAX);
	bool use_ids = sm->ts != NULL;
	sqlite3_stmt *st = NULL;
	int rc, r;

	if (!sql)
		return -ENOMEM;
	r = build_sql(sc, panels, use_ids, sql, SQL_MAX);
	if (r < 0)
		return r;
	rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		hr_db_set_error(db, sc->p->name);
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	if (use_ids) {
		sqlite3_bind_int64(st, 3, sm->lo);
		sqlite3_bind_int64(st, 4, sm->lo + sm->n - 1);
	}
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (use_ids) {
			int64_t i = sqlite3_column_int64(st, 0) - sm->lo;
			if (i < 0 || i >= sm->n || sm->ts[i] == INT64_MIN)
				continue;
			r = add_row(sc, st, 1, sm->ts[i], sm->span[i], from_ms, bucket_ms);
		} else {
			r = add_row(sc, st, 2, sqlite3_column_int64(st, 0),
				    sqlite3_column_int64(st, 1), from_ms, bucket_ms);
		}
		if (r < 0) {
			sqlite3_finalize(st);
			return r;
		}
	}
	if (rc != SQLITE_DONE) {
		hr_db_set_error(db, sc->p->name);
		sqlite3_finalize(st);
		return -EIO;
	}
	sqlite3_finalize(st);
	return 0;
}

/* How many samples are in [FROM_MS, TO_MS], and their smallest and largest id. */
static int sample_ids(struct hr_db *db, sqlite3 *h, int64_t from_ms, int64_t to_ms,
		      int64_t *ret_count, int64_t *ret_lo, int64_t *ret_hi)
{
	sqlite3_stmt *st = NULL;
	int rc;

	rc = sqlite3_prepare_v2(h,
				"SELECT count(*), min(id), max(id) FROM sample"
				" WHERE ts BETWEEN ?1 AND ?2",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		hr_db_set_error(db, "sample");
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		hr_db_set_error(db, "sample");
		sqlite3_finalize(st);
		return -EIO;
	}
	*ret_count = sqlite3_column_int64(st, 0);
	*ret_lo = sqlite3_column_int64(st, 1);
	*ret_hi = sqlite3_column_int64(st, 2);
	sqlite3_finalize(st);
	return 0;
}

/*
 * When the samples of [FROM_MS, TO_MS] make at least DENSE_PCT of the ids
 * between their smallest and largest, and not too many, read their times
 * and spans into SM; otherwise leave SM empty (the scans join sample).
 */
static int samples_load(struct hr_db *db, sqlite3 *h, int64_t from_ms, int64_t to_ms,
			struct samples *sm)
{
	int64_t count = 0, lo = 0, hi = 0;
	sqlite3_stmt *st = NULL;
	int rc, r;

	r = sample_ids(db, h, from_ms, to_ms, &count, &lo, &hi);
	if (r < 0)
		return r;
	if (count == 0 || hi - lo >= MAX_IDS || count * 100 < (hi - lo + 1) * DENSE_PCT)
		return 0;
	sm->lo = lo;
	sm->n = hi - lo + 1;
	sm->ts = malloc((size_t)sm->n * sizeof(*sm->ts));
	sm->span = malloc((size_t)sm->n * sizeof(*sm->span));
	if (!sm->ts || !sm->span)
		return -ENOMEM;
	for (int64_t i = 0; i < sm->n; i++)
		sm->ts[i] = INT64_MIN;
	rc = sqlite3_prepare_v2(h, "SELECT id, ts, span FROM sample WHERE id BETWEEN ?1 AND ?2", -1,
				&st, NULL);
	if (rc != SQLITE_OK) {
		hr_db_set_error(db, "sample");
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, lo);
	sqlite3_bind_int64(st, 2, hi);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t i = sqlite3_column_int64(st, 0) - lo, ts = sqlite3_column_int64(st, 1);
		if (i < 0 || i >= sm->n || ts < from_ms || ts > to_ms)
			continue;
		sm->ts[i] = ts;
		sm->span[i] = sqlite3_column_int64(st, 2);
	}
	if (rc != SQLITE_DONE) {
		hr_db_set_error(db, "sample");
		sqlite3_finalize(st);
		return -EIO;
	}
	sqlite3_finalize(st);
	return 0;
}

void hr_series_free(struct hr_series_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->nseries; i++) {
		free(set->series[i].avg);
		free(set->series[i].min);
		free(set->series[i].max);
	}
	free(set->series);
	free(set->ts);
	free(set->brk);
	free(set);
}

int hr_series_query_many(struct hr_db *db, const struct hr_panel *const *panels, size_t n,
			 int64_t from_ms, int64_t to_ms, int64_t bucket_ms, size_t max_keys,
			 struct hr_series_set **ret_sets)
{
	_cleanup_free_ struct hr_series_set **sets = NULL;
	_cleanup_free_ bool *done = NULL;
	struct samples sm = {0};
	int64_t nbuckets, range;
	sqlite3 *h = NULL;
	int r;

	if ((n > 0 && (!panels || !ret_sets)) || bucket_ms < 1 || from_ms > to_ms || max_keys < 1)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (!panels[i] || panels[i]->nseries == 0 ||
		    panels[i]->nseries > HR_PANEL_MAXSERIES)
			return -EINVAL;
	if (__builtin_sub_overflow(to_ms, from_ms, &range) || range / bucket_ms >= MAX_BUCKETS)
		return -E2BIG;
	if (n == 0)
		return 0;
	nbuckets = range / bucket_ms + 1;
	sets = calloc(n ? n : 1, sizeof(*sets));
	done = calloc(n ? n : 1, sizeof(*done));
	if (!sets || !done)
		return -ENOMEM;

	r = hr_db_sqlite(db, &h);
	if (r == -ENOENT) {
		/* no schema yet: no data, not even series */
		for (size_t i = 0; i < n; i++) {
			sets[i] = calloc(1, sizeof(**sets));
			if (!sets[i]) {
				r = -ENOMEM;
				goto fail;
			}
		}
		memcpy(ret_sets, sets, n * sizeof(*sets));
		return 0;
	}
	r = samples_load(db, h, from_ms, to_ms, &sm);
	if (r < 0)
		goto fail;

	for (size_t i = 0; i < n; i++) {
		struct scan sc = {.p = panels[i], .nbuckets = nbuckets};

		if (done[i])
			continue;
		sc.members = calloc(n, sizeof(*sc.members));
		sc.col = calloc(n, sizeof(*sc.col));
		if (!sc.members || !sc.col) {
			r = -ENOMEM;
			goto fail;
		}
		for (size_t j = i; j < n; j++) {
			if (done[j] || !same_rows(panels[i], panels[j]))
				continue;
			done[j] = true;
			sc.members[sc.nmembers] = j;
			sc.col[sc.nmembers++] = sc.ncols;
			sc.ncols += panels[j]->nseries;
		}
		sc.stride = sizeof(struct cell) + 3 * sc.ncols * sizeof(double);
		r = scan_run(db, h, &sc, panels, from_ms, to_ms, bucket_ms, &sm);
		if (r == 0)
			r = scan_sets(&sc, panels, max_keys, sets);
		scan_release(&sc);
		if (r < 0)
			goto fail;
	}
	free(sm.ts);
	free(sm.span);
	memcpy(ret_sets, sets, n * sizeof(*sets));
	return 0;
fail:
	free(sm.ts);
	free(sm.span);
	for (size_t i = 0; i < n; i++)
		hr_series_free(sets[i]);
	return r;
}

int hr_series_query(struct hr_db *db, const struct hr_panel *p, int64_t from_ms, int64_t to_ms,
		    int64_t bucket_ms, size_t max_keys, struct hr_series_set **ret)
{
	return hr_series_query_many(db, &p, 1, from_ms, to_ms, bucket_ms, max_keys, ret);
}
