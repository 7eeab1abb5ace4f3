/*
 * hr_page.h - the pieces of headroom's HTML pages (headroom/cli,
 * report_html.c), shared by the one-host page and the fleet page
 * (report_fleet.c): a capped growable buffer with escaping, the page's CSS,
 * a chart as a figure (HTML title and legend, inline SVG), the process
 * tables and the note on imported samples. Each returns 0 or -errno and
 * does not log.
 */
#ifndef HR_PAGE_H
#define HR_PAGE_H

#include <stddef.h>
#include <stdint.h>

#include "hr_analyze.h"
#include "hr_chart.h"

#define TOP_N 10
/* processes read (by CPU over the range), to rank the top TOP_N by I/O among */
#define TOP_POOL 50
/* a chart's SVG units: two charts a row on a wide screen, one on a phone,
   where the CSS enlarges its text */
#define HTML_WIDTH 600.0
#define HTML_CHART_H 220.0
#define HTML_PLOT_W (HTML_WIDTH - 76)

/* A growable byte buffer (at most 512 MiB); p is the owner's (free()), NUL-terminated. */
struct hr_buf {
	char *p;
	size_t len, cap;
};
/* Append LEN bytes (an hr_chart_write_fn: CLOSURE is the struct hr_buf). */
int hr_buf_add(void *closure, const unsigned char *data, size_t len);
int hr_buf_puts(struct hr_buf *b, const char *s);
int hr_buf_printf(struct hr_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* S with &, <, >, " escaped and control characters as '?'. */
int hr_buf_esc(struct hr_buf *b, const char *s);

/* The CSS of every page. */
extern const char hr_page_css[];

/* One process over a range, as the tables show it. */
struct hr_proc {
	char pid[32], comm[64];
	double cpu, rss, swp, rd, wr;
};
/* The top processes of [FROM, TO] by CPU (at most TOP_POOL) into RET[*N], by CPU. */
int hr_page_top_procs(struct hr_db *db, int64_t from, int64_t to, struct hr_proc *ret, size_t *n);
/* A table of the first N processes of P (at most TOP_N), or "no data". */
int hr_page_procs(struct hr_buf *b, const struct hr_proc *p, size_t n);
/* "N samples of this range were imported from sysstat..." when some were; else nothing. */
int hr_page_imported_note(struct hr_buf *b, struct hr_db *db, int64_t from, int64_t to);
/* Chart C as a <figure>: its title and legend as HTML text, the plot as inline SVG. */
int hr_page_chart(struct hr_buf *b, const struct hr_chart *c);

#endif
