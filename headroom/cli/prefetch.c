/*
 * prefetch.c - a second core for `headroom report` with several tables
 * (headroom/cli): the tables of a report are independent queries over the
 * same range, and on a month of raw 10 s data each takes a few tenths of
 * a second inside SQLite. The report prints them in order from the first;
 * a worker thread, on a connection of its own, runs them from the last
 * backwards and keeps their rows in memory until the report gets there.
 * The two meet in the middle. A table whose rows outgrow MAX_ROWS is
 * handed back (its rows dropped) and run by the report itself, so memory
 * stays bounded whatever the range (the environment variable
 * HEADROOM_PREFETCH_ROWS lowers the limit: the tests hand tables back with
 * it). Never logs.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_report.h"
#include "banned.h"

#define MAX_ROWS 200000

enum job_state { QUEUED, RUNNING, DONE, GIVEN_BACK, FAILED };

struct job {
	const struct hr_activity *act;
	struct hr_query q;
	enum job_state state;
	struct hr_rowbuf buf;
	int r;
	char err[256];
};

struct hr_prefetch {
	pthread_t thread;
	bool started;
	pthread_mutex_t lock;
	pthread_cond_t done;
	char *path;
	struct job *jobs;
	size_t n;
	size_t lo; /* jobs below lo are the report's */
	size_t hi; /* jobs from hi on are the worker's */
	bool stop;
	size_t max_rows;
};

static void buf_free(struct hr_rowbuf *b)
{
	for (size_t i = 0; i < b->n; i++) {
		free(b->rows[i].key);
		free(b->rows[i].tail);
		free(b->rows[i].v);
		free(b->rows[i].null);
	}
	free(b->rows);
	memset(b, 0, sizeof(*b));
}

static int buf_add(struct hr_rowbuf *b, const struct hr_row *row)
{
	struct hr_bufrow *x;

	if (b->n == b->cap) {
		size_t cap = b->cap ? 2 * b->cap : 256;
		struct hr_bufrow *g = realloc(b->rows, cap * sizeof(*g));
		if (!g)
			return -ENOMEM;
		b->rows = g;
		b->cap = cap;
	}
	x = &b->rows[b->n];
	memset(x, 0, sizeof(*x));
	x->average = row->average;
	x->ts_ms = row->ts_ms;
	x->span_ms = row->span_ms;
	x->n = row->n;
	x->key = row->key ? strdup(row->key) : NULL;
	x->tail = row->tail ? strdup(row->tail) : NULL;
	x->v = malloc((row->n ? row->n : 1) * sizeof(*x->v));
	x->null = malloc((row->n ? row->n : 1) * sizeof(*x->null));
	b->n++; /* counted now, so buf_free() releases whatever was allocated */
	if ((row->key && !x->key) || (row->tail && !x->tail) || !x->v || !x->null)
		return -ENOMEM;
	memcpy(x->v, row->v, row->n * sizeof(*x->v));
	memcpy(x->null, row->null, row->n * sizeof(*x->null));
	return 0;
}

/* Run job J on DB into its buffer: 1 done, 0 more than MAX rows (handed back), -errno. */
static int run_job(struct hr_db *db, struct job *j, size_t max)
{
	struct hr_rows *rows = NULL;
	struct hr_row row;
	int r;

	r = hr_rows_open(db, j->act, &j->q, &rows);
	while (r == 0 && (r = hr_rows_next(rows, &row)) > 0) {
		if (j->buf.n >= max) {
			r = 0;
			break;
		}
		r = buf_add(&j->buf, &row);
	}
	hr_rows_free(rows);
	if (r < 0) {
		snprintf(j->err, sizeof(j->err), "%s", hr_db_errmsg(db));
		return r;
	}
	return j->buf.n >= max ? 0 : 1;
}

static void *worker(void *arg)
{
	struct hr_prefetch *p = arg;
	struct hr_db *db = NULL;

	if (hr_db_open(p->path, &db) < 0)
		return NULL; /* the report runs every table itself */
	pthread_mutex_lock(&p->lock);
	while (!p->stop && p->hi > p->lo) {
		struct job *j = &p->jobs[--p->hi];
		int r;

		j->state = RUNNING;
		pthread_mutex_unlock(&p->lock);
		r = run_job(db, j, p->max_rows);
		pthread_mutex_lock(&p->lock);
		if (r == 0)
			buf_free(&j->buf);
		j->r = r;
		j->state = r > 0 ? DONE : r == 0 ? GIVEN_BACK : FAILED;
		pthread_cond_broadcast(&p->done);
	}
	pthread_mutex_unlock(&p->lock);
	hr_db_free(db);
	return NULL;
}

int hr_prefetch_start(const char *path, const struct hr_activity *const *acts,
		      const struct hr_query *qs, size_t n, struct hr_prefetch **ret)
{
	struct hr_prefetch *p = calloc(1, sizeof(*p));

	if (!p)
		return -ENOMEM;
	p->path = strdup(path);
	p->jobs = calloc(n ? n : 1, sizeof(*p->jobs));
	if (!p->path || !p->jobs) {
		free(p->path);
		free(p->jobs);
		free(p);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		p->jobs[i].act = acts[i];
		p->jobs[i].q = qs[i];
	}
	p->n = p->hi = n;
	p->max_rows = MAX_ROWS;
	{
		const char *e = getenv("HEADROOM_PREFETCH_ROWS");
		long v = e ? strtol(e, NULL, 10) : 0;
		if (v > 0 && v < MAX_ROWS)
			p->max_rows = (size_t)v;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->done, NULL);
	/* no thread to be had: the report runs every table itself */
	p->started = pthread_create(&p->thread, NULL, worker, p) == 0;
	if (!p->started)
		p->hi = 0;
	*ret = p;
	return 0;
}

int hr_prefetch_take(struct hr_prefetch *p, size_t k, const struct hr_rowbuf **ret_rows, char *err,
		     size_t errsize)
{
	struct job *j;
	int r = 0;

	*ret_rows = NULL;
	if (!p || k >= p->n)
		return 0;
	j = &p->jobs[k];
	pthread_mutex_lock(&p->lock);
	if (k >= p->hi) {
		while (j->state == QUEUED || j->state == RUNNING)
			pthread_cond_wait(&p->done, &p->lock);
		if (j->state == DONE)
			*ret_rows = &j->buf;
		else if (j->state == FAILED) {
			r = j->r;
			snprintf(err, errsize, "%s", j->err);
		}
	} else if (p->lo <= k) {
		p->lo = k + 1;
	}
	pthread_mutex_unlock(&p->lock);
	return r;
}

void hr_prefetch_free(struct hr_prefetch *p)
{
	if (!p)
		return;
	if (p->started) {
		pthread_mutex_lock(&p->lock);
		p->stop = true;
		pthread_mutex_unlock(&p->lock);
		pthread_join(p->thread, NULL);
	}
	for (size_t i = 0; i < p->n; i++)
		buf_free(&p->jobs[i].buf);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->done);
	free(p->jobs);
	free(p->path);
	free(p);
}
