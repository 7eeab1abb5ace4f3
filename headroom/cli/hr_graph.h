/*
 * hr_graph.h - `headroom graph` and the chart documents of `headroom report
 * --html/--pdf` (headroom/cli/graph.c, report_html.c): turning the panels
 * of headroom/analyze into charts of headroom/render. Functions that
 * return an HR_EXIT_* code log their own one-line error; the others
 * return 0 or -errno and do not log.
 */
#ifndef HR_GRAPH_H
#define HR_GRAPH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hr_analyze.h"
#include "hr_chart.h"
#include "hr_series.h"

/* The charts of a range: charts[i] points into sets[i] and cs. */
struct hr_graph {
	struct hr_chart *charts;
	struct hr_series_set **sets;
	struct hr_chart_series **cs;
	const struct hr_panel **panels; /* the panel of each chart */
	char (*titles)[160];		/* of each chart ("... (8 of 12 shown)") */
	size_t ncharts;
	struct hr_chart_mark *marks;	/* of every chart (hr_graph_mark) */
	char (*mark_labels)[64];
	char (*th_labels)[HR_CHART_THRESHOLDS][96]; /* threshold labels set by hr_graph_mark */
	int64_t nsamples; /* samples in the range (0: every chart says "no data") */
	char title[512];  /* "host fixture - 2026-11-28 00:00 to 23:59 CET" */
	char host[256];
};

/*
 * Query every entry of hr_panels[] with WANT[i] set over [FROM_MS, TO_MS],
 * downsampled to about one bucket per pixel of PLOT_WIDTH. *ret is the
 * caller's (hr_graph_free). Returns 0 or -errno (hr_db_errmsg() says more).
 */
int hr_graph_build(struct hr_db *db, const bool *want, int64_t from_ms, int64_t to_ms,
		   double plot_width, struct hr_graph **ret);
void hr_graph_free(struct hr_graph *g); /* NULL allowed */

struct hr_advice;
struct hr_thresholds;

/*
 * The advisor over RANGE of the database at PATH, with thresholds TH, in a
 * thread of its own on its own connection (advise_job.c), so the caller
 * can query the charts meanwhile. hr_advise_job_finish() waits for it and
 * hands over the result (*ret the caller's, hr_advice_free) and frees the
 * job. Both return 0 or -errno (start: -ENOMEM; finish: what
 * hr_db_open/hr_advise_load returned).
 */
struct hr_advise_job;
int hr_advise_job_start(const char *path, const struct hr_range *range,
			const struct hr_thresholds *th, struct hr_advise_job **ret);
int hr_advise_job_finish(struct hr_advise_job *j, struct hr_advice **ret);

/*
 * Mark the charts of G (marks.c): the reboots RS as dashed lines on every
 * chart, and where A's findings (verdict above ok) held as shading on the
 * charts of their resource (CPU: cpu, load; memory: memory, swap, paging;
 * disks: disk; interfaces: net, neterr). A may be NULL. Replaces earlier
 * marks. With A, the dashed threshold lines are the advisor's (A->th):
 * CPU busy, disk %util and the lowest PSI threshold, so a chart and the
 * verdict beside it never disagree. Returns 0 or -ENOMEM.
 */
int hr_graph_mark(struct hr_graph *g, const struct hr_advice *a, const struct hr_restart *rs,
		  size_t nrs);

/*
 * --from/--to (either may be NULL) into *ret_from and *ret_to: with neither,
 * the last 24 hours up to now (hr_graph_fit() then narrows them to the
 * data); otherwise as `headroom report`. Logs and
 * returns an HR_EXIT_* code.
 */
int hr_graph_range(const char *from, const char *to, int64_t *ret_from, int64_t *ret_to);
/* Open the database at PATH; logs and returns an HR_EXIT_* code. */
int hr_graph_open_db(const char *path, struct hr_db **ret);
/*
 * With neither --from nor --to (FROM and TO NULL), narrow the last 24 hours
 * in *from_ms, *to_ms to the samples recorded in them, so a recording of a
 * minute fills the charts instead of a sliver at their right edge (never
 * under 10 s wide). Otherwise, or without samples there, nothing
 * changes. Logs a database error and returns an HR_EXIT_* code.
 */
int hr_graph_fit(struct hr_db *db, const char *from, const char *to, int64_t *from_ms,
		 int64_t *to_ms);
/* "local date time zone" of MS into BUF. */
void hr_graph_fmt_time(int64_t ms, char *buf, size_t size);

int hr_cmd_graph(int argc, char **argv);

/* ---- output.c: writing charts and pages ------------------------------------ */

/*
 * Refuse OUT when it is the database at DB_PATH or one of its -wal, -shm,
 * -journal or .lock files. Logs; returns HR_EXIT_OK or HR_EXIT_USAGE.
 */
int hr_output_check(const char *out, const char *db_path);
/* Replace PATH atomically with LEN bytes of DATA (mode 0666 & ~umask). 0 or -errno. */
int hr_output_write(const char *path, const void *data, size_t len);
/* Render DOC as FMT in memory, then hr_output_write() it. 0 or -errno. */
int hr_output_chart_doc(enum hr_image_format fmt, const struct hr_chart_doc *doc, const char *path);

struct hr_thresholds;

/*
 * `headroom report --html FILE` / `--pdf FILE` (report_html.c): the header,
 * the advisor's verdict under thresholds TH, every panel, the top processes
 * of the range. Either path may be NULL. Logs and returns an HR_EXIT_* code.
 */
int hr_report_doc(const char *db_path, const char *from, const char *to, const char *html,
		  const char *pdf, const struct hr_thresholds *th);

/*
 * `headroom report --html FILE --all-hosts` (report_html.c): every host of
 * hr_hosts_list(LOCAL_DB) on one page: a summary of hosts x resources,
 * worst first, then a section per host (verdict, charts, processes).
 * Logs and returns an HR_EXIT_* code.
 */
int hr_report_fleet(const char *local_db, const char *from, const char *to, const char *html,
		    const struct hr_thresholds *th);

#endif
