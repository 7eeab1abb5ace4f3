/*
 * advise_job.c - the advisor run beside the charts (headroom/cli): `graph`
 * and `report --html/--pdf` need both the chart series and the verdict,
 * two independent reads of the same range, so the advisor runs in a
 * thread of its own on a connection of its own (SQLite connections are
 * not shared between threads here; analyze keeps no global state) while
 * the caller queries the charts. On a month of raw 10 s data that halves
 * the wall-clock time on two cores. Never logs: the caller decides what a
 * failed advisor means (the charts come regardless).
 */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "hr_advise.h"
#include "hr_graph.h"
#include "banned.h"

struct hr_advise_job {
	pthread_t thread;
	bool started;
	char *path;
	struct hr_range range;
	struct hr_thresholds th;
	struct hr_advice *advice;
	int r;
};

static void *run(void *arg)
{
	struct hr_advise_job *j = arg;
	struct hr_db *db = NULL;

	j->r = hr_db_open(j->path, &db);
	if (j->r == 0)
		j->r = hr_advise_load(db, &j->range, &j->th, &j->advice);
	hr_db_free(db);
	return NULL;
}

int hr_advise_job_start(const char *path, const struct hr_range *range,
			const struct hr_thresholds *th, struct hr_advise_job **ret)
{
	struct hr_advise_job *j = calloc(1, sizeof(*j));

	if (!j)
		return -ENOMEM;
	j->path = strdup(path);
	if (!j->path) {
		free(j);
		return -ENOMEM;
	}
	j->range = *range;
	j->th = *th;
	if (pthread_create(&j->thread, NULL, run, j) == 0) {
		j->started = true;
	} else {
		/* no thread to be had: run it here, the result is the same */
		run(j);
	}
	*ret = j;
	return 0;
}

int hr_advise_job_finish(struct hr_advise_job *j, struct hr_advice **ret)
{
	int r;

	*ret = NULL;
	if (!j)
		return -EINVAL;
	if (j->started)
		pthread_join(j->thread, NULL);
	r = j->r;
	if (r == 0)
		*ret = j->advice;
	else
		hr_advice_free(j->advice);
	free(j->path);
	free(j);
	return r;
}
