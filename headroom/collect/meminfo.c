/*
 * meminfo.c - the "memory" collector: /proc/meminfo (headroom/collect).
 *
 * Table mem, all gauges in kB except commit_pct: used is what free(1)
 * calls used (total - free - buffers - cached - reclaimable slab); avail is
 * MemAvailable, or free + buffers + cached on kernels before 3.14; commit_pct
 * is Committed_AS against RAM + swap (as sar -r). Also tells the procs
 * collector whether swap is in use. Depends on common/ only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "banned.h"

static const char *const mem_cols[] = {
	"total_kb", "free_kb", "avail_kb",  "used_kb", "buffers_kb",  "cached_kb",    "commit_kb",
	"commit_pct", "dirty_kb", "slab_kb", "shmem_kb", "swap_total_kb", "swap_used_kb",
	"swap_cached_kb", NULL};
static const struct hr_table mem_table = {
	.name = "mem", .cols = mem_cols, .ncols = ARRAY_SIZE(mem_cols) - 1,
};
const struct hr_table *const hr_meminfo_tables[] = {&mem_table, NULL};

static const char *const mi_names[HR_MI_COUNT] = {
	[HR_MI_TOTAL] = "MemTotal:",	     [HR_MI_FREE] = "MemFree:",
	[HR_MI_AVAILABLE] = "MemAvailable:", [HR_MI_BUFFERS] = "Buffers:",
	[HR_MI_CACHED] = "Cached:",	     [HR_MI_SWAPCACHED] = "SwapCached:",
	[HR_MI_SWAPTOTAL] = "SwapTotal:",    [HR_MI_SWAPFREE] = "SwapFree:",
	[HR_MI_DIRTY] = "Dirty:",	     [HR_MI_SLAB] = "Slab:",
	[HR_MI_SRECLAIMABLE] = "SReclaimable:", [HR_MI_COMMITTED] = "Committed_AS:",
	[HR_MI_COMMITLIMIT] = "CommitLimit:", [HR_MI_SHMEM] = "Shmem:",
};

int hr_parse_meminfo(const char *buf, size_t len, struct hr_meminfo *ret)
{
	struct hr_meminfo mi = {0};
	struct hr_scan s;
	char line[256];

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		for (int i = 0; i < HR_MI_COUNT; i++) {
			const char *p = line;
			if (hr_scan_skip(&p, mi_names[i])) {
				if (hr_scan_u64(&p, &mi.kb[i]))
					mi.have |= 1u << i;
				break;
			}
		}
	}
	if (!(mi.have & (1u << HR_MI_TOTAL)))
		return -EINVAL;
	*ret = mi;
	return 0;
}

void hr_meminfo_free(void *state)
{
}

static uint64_t sub0(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

int hr_meminfo_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
		      struct hr_rows *out)
{
	struct hr_meminfo mi;
	struct hr_row *row;
	const char *buf;
	size_t len;
	const uint64_t *k = mi.kb;
	uint64_t avail, used, swap_used;

	if (hr_ctx_read(ctx, "proc/meminfo", &buf, &len) < 0 || hr_parse_meminfo(buf, len, &mi) < 0)
		return 0;
	swap_used = sub0(k[HR_MI_SWAPTOTAL], k[HR_MI_SWAPFREE]);
	ctx->swap_used_kb = swap_used;
	ctx->swap_known = true;
	if (!have_prev)
		return 0;
	avail = mi.have & (1u << HR_MI_AVAILABLE)
			? k[HR_MI_AVAILABLE]
			: k[HR_MI_FREE] + k[HR_MI_BUFFERS] + k[HR_MI_CACHED];
	used = sub0(k[HR_MI_TOTAL], k[HR_MI_FREE] + k[HR_MI_BUFFERS] + k[HR_MI_CACHED] +
					    k[HR_MI_SRECLAIMABLE]);
	row = hr_rows_add(out, &mem_table, NULL, NULL);
	if (!row)
		return -ENOMEM;
	row->v[0] = (double)k[HR_MI_TOTAL];
	row->v[1] = (double)k[HR_MI_FREE];
	row->v[2] = (double)avail;
	row->v[3] = (double)used;
	row->v[4] = (double)k[HR_MI_BUFFERS];
	row->v[5] = (double)k[HR_MI_CACHED];
	row->v[6] = (double)k[HR_MI_COMMITTED];
	if (k[HR_MI_TOTAL] + k[HR_MI_SWAPTOTAL] > 0)
		row->v[7] = hr_round2(100.0 * (double)k[HR_MI_COMMITTED] /
				      (double)(k[HR_MI_TOTAL] + k[HR_MI_SWAPTOTAL]));
	row->v[8] = (double)k[HR_MI_DIRTY];
	row->v[9] = (double)k[HR_MI_SLAB];
	row->v[10] = (double)k[HR_MI_SHMEM];
	row->v[11] = (double)k[HR_MI_SWAPTOTAL];
	row->v[12] = (double)swap_used;
	row->v[13] = (double)k[HR_MI_SWAPCACHED];
	return 0;
}
