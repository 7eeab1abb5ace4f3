/*
 * loadavg.c - the "load" collector: /proc/loadavg (headroom/collect).
 * Table load: 1, 5 and 15 minute load averages and the number of tasks
 * (threads) in the system, less the recorder's own one (it is counted
 * while it reads the file; runq_sz does the same). Gauges. Depends on
 * common/ only.
 */
#include <errno.h>
#include <stdlib.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "banned.h"

static const char *const load_cols[] = {"ldavg_1", "ldavg_5", "ldavg_15", "plist_sz", NULL};
static const struct hr_table load_table = {
	.name = "load", .cols = load_cols, .ncols = ARRAY_SIZE(load_cols) - 1,
};
const struct hr_table *const hr_loadavg_tables[] = {&load_table, NULL};

int hr_parse_loadavg(const char *buf, size_t len, struct hr_loadavg *ret)
{
	struct hr_loadavg la = {0};
	struct hr_scan s;
	char line[256];
	const char *p = line;

	hr_scan_init(&s, buf, len);
	if (!hr_scan_line(&s, line, sizeof(line)))
		return -EINVAL;
	if (!hr_scan_double(&p, &la.avg1) || !hr_scan_double(&p, &la.avg5) ||
	    !hr_scan_double(&p, &la.avg15) || !hr_scan_u64(&p, &la.runnable) ||
	    !hr_scan_skip(&p, "/") || !hr_scan_u64(&p, &la.threads))
		return -EINVAL;
	*ret = la;
	return 0;
}

void hr_loadavg_free(void *state)
{
}

int hr_loadavg_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
		      struct hr_rows *out)
{
	struct hr_loadavg la;
	struct hr_row *row;
	const char *buf;
	size_t len;

	if (!have_prev || hr_ctx_read(ctx, "proc/loadavg", &buf, &len) < 0 ||
	    hr_parse_loadavg(buf, len, &la) < 0)
		return 0;
	row = hr_rows_add(out, &load_table, NULL, NULL);
	if (!row)
		return -ENOMEM;
	row->v[0] = la.avg1;
	row->v[1] = la.avg5;
	row->v[2] = la.avg15;
	row->v[3] = la.threads > 0 ? (double)(la.threads - 1) : 0;
	return 0;
}
