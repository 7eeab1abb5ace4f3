/*
 * vmstat.c - the "paging" collector: /proc/vmstat (headroom/collect).
 *
 * Table paging, all per second: pgpgin/pgpgout in kB, faults, major faults,
 * pages freed, scanned by kswapd and directly, stolen (reclaimed), swapped
 * in and out. Zoned counters of old kernels (pgscan_kswapd_normal...,
 * pgsteal_dma...) are summed. Depends on common/ only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "banned.h"

static const char *const paging_cols[] = {"pgpgin_s", "pgpgout_s", "fault_s", "majflt_s",
					  "pgfree_s", "pgscank_s", "pgscand_s", "pgsteal_s",
					  "pswpin_s", "pswpout_s", NULL};
static const struct hr_table paging_table = {
	.name = "paging", .cols = paging_cols, .ncols = ARRAY_SIZE(paging_cols) - 1,
};
const struct hr_table *const hr_vmstat_tables[] = {&paging_table, NULL};

static bool starts(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

int hr_parse_vmstat(const char *buf, size_t len, struct hr_vmstat *ret)
{
	struct hr_vmstat vm = {0};
	uint64_t zoned_steal = 0;
	bool any = false, new_steal = false;
	struct hr_scan s;
	char line[256], name[64];

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		const char *p = line;
		uint64_t v;

		if (!hr_scan_word(&p, name, sizeof(name)) || !hr_scan_u64(&p, &v))
			continue;
		any = true;
		if (!strcmp(name, "pgpgin"))
			vm.pgpgin = v;
		else if (!strcmp(name, "pgpgout"))
			vm.pgpgout = v;
		else if (!strcmp(name, "pswpin"))
			vm.pswpin = v;
		else if (!strcmp(name, "pswpout"))
			vm.pswpout = v;
		else if (!strcmp(name, "pgfault"))
			vm.pgfault = v;
		else if (!strcmp(name, "pgmajfault"))
			vm.pgmajfault = v;
		else if (!strcmp(name, "pgfree"))
			vm.pgfree = v;
		else if (starts(name, "pgscan_kswapd"))
			vm.pgscan_kswapd += v;
		else if (starts(name, "pgscan_direct") && strcmp(name, "pgscan_direct_throttle"))
			vm.pgscan_direct += v;
		else if (starts(name, "pgsteal_kswapd") || starts(name, "pgsteal_direct")) {
			vm.pgsteal += v;
			new_steal = true;
		} else if (starts(name, "pgsteal_dma") || starts(name, "pgsteal_normal") ||
			   starts(name, "pgsteal_high") || starts(name, "pgsteal_movable"))
			zoned_steal += v;	/* 2.6 kernels: per zone only */
	}
	if (!any)
		return -EINVAL;
	if (!new_steal)
		vm.pgsteal = zoned_steal;
	*ret = vm;
	return 0;
}

void hr_vmstat_free(void *state)
{
	free(state);
}

int hr_vmstat_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
		     struct hr_rows *out)
{
	struct hr_vmstat *prev = *state, cur;
	struct hr_row *row;
	const char *buf;
	size_t len;

	if (hr_ctx_read(ctx, "proc/vmstat", &buf, &len) < 0 || hr_parse_vmstat(buf, len, &cur) < 0)
		return 0;
	if (!prev) {
		prev = malloc(sizeof(*prev));
		if (!prev)
			return -ENOMEM;
		*state = prev;
		have_prev = false;
	}
	if (have_prev) {
		row = hr_rows_add(out, &paging_table, NULL, NULL);
		if (!row)
			return -ENOMEM;
		row->v[0] = hr_rate(prev->pgpgin, cur.pgpgin, dt);
		row->v[1] = hr_rate(prev->pgpgout, cur.pgpgout, dt);
		row->v[2] = hr_rate(prev->pgfault, cur.pgfault, dt);
		row->v[3] = hr_rate(prev->pgmajfault, cur.pgmajfault, dt);
		row->v[4] = hr_rate(prev->pgfree, cur.pgfree, dt);
		row->v[5] = hr_rate(prev->pgscan_kswapd, cur.pgscan_kswapd, dt);
		row->v[6] = hr_rate(prev->pgscan_direct, cur.pgscan_direct, dt);
		row->v[7] = hr_rate(prev->pgsteal, cur.pgsteal, dt);
		row->v[8] = hr_rate(prev->pswpin, cur.pswpin, dt);
		row->v[9] = hr_rate(prev->pswpout, cur.pswpout, dt);
	}
	*prev = cur;
	return 0;
}
