/*
 * series.c - downsampled time series of one chart panel (headroom/analyze).
 * One aggregate query per panel: GROUP BY pixel bucket (and key), with the
 * span-weighted average of the average rows and the min/max over raw rows
 * and the roll-ups' min/max rows, so a 10 s spike survives a 31-day chart.
 * Depends on SQLite and query.c's handle; see hr_series.h for the contract.
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
#define MAX_ROWS (64 * 1024 * 1024)

struct srow {
	int64_t b, tmin, tmax, span;
	size_t key;
	double v[3 * HR_PANEL_MAXSERIES]; /* avg, min, max per definition */
	bool have[3 * HR_PANEL_MAXSERIES];
};

static int build_sql(const struct hr_panel *p, char *buf, size_t size)
{
	size_t len;
	int n;

	n = snprintf(buf, size,
		     "SELECT (s.ts - ?1) / ?3 AS b, %s AS k, min(s.ts), max(s.ts), "
		     "max(s.span)",
		     p->key ? p->key : "NULL");
	if (n < 0 || (size_t)n >= size)
		return -E2BIG;
	len = (size_t)n;
	for (size_t i = 0; i < p->nseries; i++) {
		const char *e = p->series[i].expr;
		n = snprintf(buf + len, size - len,
			     ", sum(CASE WHEN t.stat = 0 THEN (%s) * s.span END) /"
			     " sum(CASE WHEN t.stat = 0 THEN s.span END),"
			     " min(CASE WHEN t.stat IN (0, 1) THEN (%s) END),"
			     " max(CASE WHEN t.stat IN (0, 2) THEN (%s) END)",
			     e, e, e);
		if (n < 0 || (size_t)n >= size - len)
			return -E2BIG;
		len += (size_t)n;
	}
	n = snprintf(buf + len, size - len,
		     " FROM sample s JOIN %s t ON t.sample = s.id %s"
		     " WHERE s.ts BETWEEN ?1 AND ?2%s%s%s"
		     " GROUP BY b, k ORDER BY b, k",
		     p->table, p->join ? p->join : "", p->where ? " AND (" : "",
		     p->where ? p->where : "", p->where ? ")" : "");
	if (n < 0 || (size_t)n >= size - len)
		return -E2BIG;
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

static void free_keys(char **keys, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(keys[i]);
	free(keys);
}

/* Index of KEY in KEYS (appended when new and there is room); SIZE_MAX: dropped. */
static int key_index(char ***keys, size_t *nkeys, size_t max_keys, const char *key, size_t *ret,
		     size_t *dropped)
{
	char **grown;

	for (size_t i = 0; i < *nkeys; i++)
		if (!strcmp((*keys)[i], key)) {
			*ret = i;
			return 0;
		}
	if (*nkeys >= max_keys) {
		(*dropped)++;
		*ret = SIZE_MAX;
		return 0;
	}
	grown = realloc(*keys, (*nkeys + 1) * sizeof(**keys));
	if (!grown)
		return -ENOMEM;
	*keys = grown;
	grown[*nkeys] = strdup(key);
	if (!grown[*nkeys])
		return -ENOMEM;
	*ret = (*nkeys)++;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int hr_series_query(struct hr_db *db, const struct hr_panel *p, int64_t from_ms, int64_t to_ms,
		    int64_t bucket_ms, size_t max_keys, struct hr_series_set **ret)
{
	_cleanup_free_ char *sql = NULL;
	_cleanup_free_ struct srow *rows = NULL;
	struct hr_series_set *set = NULL;
	char **keys = NULL;
	size_t nrows = 0, cap = 0, nkeys = 0, dropped = 0, ns, np;
	size_t *remap = NULL;
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int rc, r;

	if (!p || p->nseries == 0 || p->nseries > HR_PANEL_MAXSERIES || bucket_ms < 1 ||
	    from_ms > to_ms || max_keys < 1)
		return -EINVAL;
	set = calloc(1, sizeof(*set));
	if (!set)
		return -ENOMEM;
	r = hr_db_sqlite(db, &h);
	if (r == -ENOENT) {
		*ret = set; /* no schema yet: no data */
		return 0;
	}
	sql = malloc(SQL_MAX);
	if (!sql) {
		r = -ENOMEM;
		goto fail;
	}
	r = build_sql(p, sql, SQL_MAX);
	if (r < 0)
		goto fail;
	rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		hr_db_set_error(db, p->name);
		r = -EIO;
		goto fail;
	}
	sqlite3_bind_int64(st, 1, from_ms);
	sqlite3_bind_int64(st, 2, to_ms);
	sqlite3_bind_int64(st, 3, bucket_ms);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct srow *row;
		size_t k = 0;
		const char *key = (const char *)sqlite3_column_text(st, 1);

		if (p->key) {
			r = key_index(&keys, &nkeys, max_keys, key ? key : "?", &k, &dropped);
			if (r < 0)
				goto fail;
			if (k == SIZE_MAX)
				continue;
		}
		if (nrows == cap) {
			size_t ncap = cap ? cap * 2 : 256;
			struct srow *g;
			if (ncap > MAX_ROWS) {
				r = -E2BIG;
				goto fail;
			}
			g = realloc(rows, ncap * sizeof(*rows));
			if (!g) {
				r = -ENOMEM;
				goto fail;
			}
			rows = g;
			cap = ncap;
		}
		row = &rows[nrows++];
		row->b = sqlite3_column_int64(st, 0);
		row->key = k;
		row->tmin = sqlite3_column_int64(st, 2);
		row->tmax = sqlite3_column_int64(st, 3);
		row->span = sqlite3_column_int64(st, 4);
		for (size_t i = 0; i < 3 * p->nseries; i++) {
			row->have[i] = sqlite3_column_type(st, 5 + (int)i) != SQLITE_NULL;
			row->v[i] = sqlite3_column_double(st, 5 + (int)i);
		}
	}
	if (rc != SQLITE_DONE) {
		hr_db_set_error(db, p->name);
		r = -EIO;
		goto fail;
	}
	sqlite3_finalize(st);
	st = NULL;

	/* Keys in name order (they were numbered in order of appearance). */
	if (nkeys > 1) {
		char **sorted = malloc(nkeys * sizeof(*sorted));
		remap = malloc(nkeys * sizeof(*remap));
		if (!sorted || !remap) {
			free(sorted);
			r = -ENOMEM;
			goto fail;
		}
		memcpy(sorted, keys, nkeys * sizeof(*sorted));
		qsort(sorted, nkeys, sizeof(*sorted), cmp_str);
		for (size_t i = 0; i < nkeys; i++)
			for (size_t j = 0; j < nkeys; j++)
				if (keys[i] == sorted[j])
					remap[i] = j;
		free(keys);
		keys = sorted;
	}

	/* Points: distinct buckets (rows come ordered by bucket). */
	np = 0;
	for (size_t i = 0; i < nrows; i++)
		if (i == 0 || rows[i].b != rows[i - 1].b)
			np++;
	ns = p->nseries * (p->key ? nkeys : 1);
	set->npoints = np;
	set->nseries = ns;
	set->nkeys_dropped = dropped;
	set->ts = calloc(np ? np : 1, sizeof(*set->ts));
	set->brk = calloc(np ? np : 1, sizeof(*set->brk));
	set->series = calloc(ns ? ns : 1, sizeof(*set->series));
	if (!set->ts || !set->brk || !set->series) {
		r = -ENOMEM;
		goto fail;
	}
	for (size_t s = 0; s < ns; s++) {
		struct hr_series *se = &set->series[s];
		const struct hr_series_def *d = &p->series[s % p->nseries];
		se->avg = malloc((np ? np : 1) * sizeof(double));
		se->min = malloc((np ? np : 1) * sizeof(double));
		se->max = malloc((np ? np : 1) * sizeof(double));
		if (!se->avg || !se->min || !se->max) {
			r = -ENOMEM;
			goto fail;
		}
		for (size_t i = 0; i < np; i++)
			se->avg[i] = se->min[i] = se->max[i] = NAN;
		se->peak = d->peak;
		if (p->key)
			snprintf(se->label, sizeof(se->label), "%s %s", keys[s / p->nseries],
				 d->label);
		else
			snprintf(se->label, sizeof(se->label), "%s", d->label);
	}
	{
		size_t pi = 0, i = 0;
		int64_t prev_end = 0, prev_span = 0;

		while (i < nrows) {
			int64_t b = rows[i].b, tmin = rows[i].tmin, tmax = rows[i].tmax;
			int64_t span = rows[i].span;
			for (; i < nrows && rows[i].b == b; i++) {
				const struct srow *row = &rows[i];
				size_t k = remap ? remap[row->key] : row->key;
				if (row->tmin < tmin)
					tmin = row->tmin;
				if (row->tmax > tmax)
					tmax = row->tmax;
				if (row->span > span)
					span = row->span;
				for (size_t d = 0; d < p->nseries; d++) {
					struct hr_series *se = &set->series[k * p->nseries + d];
					if (row->have[3 * d])
						se->avg[pi] = row->v[3 * d];
					if (row->have[3 * d + 1])
						se->min[pi] = row->v[3 * d + 1];
					if (row->have[3 * d + 2])
						se->max[pi] = row->v[3 * d + 2];
				}
			}
			/* A sample at ts covers (ts - span, ts]. */
			set->ts[pi] = (tmin - span + tmax) / 2;
			if (pi > 0) {
				int64_t lim = 2 * (span > prev_span ? span : prev_span);
				set->brk[pi] = tmin - prev_end > lim;
			}
			prev_end = tmax;
			prev_span = span;
			pi++;
		}
	}
	free(remap);
	free_keys(keys, nkeys);
	*ret = set;
	return 0;
fail:
	sqlite3_finalize(st);
	free(remap);
	free_keys(keys, nkeys);
	hr_series_free(set);
	return r;
}
