/*
 * diskstats.c - the "disk" collector: /proc/diskstats (headroom/collect).
 *
 * Table disk, key = device name, per interval: tps (I/Os completed per
 * second), rkbps/wkbps/dkbps (kB/s read, written, discarded), await_ms
 * (average time per I/O, queueing included), aqu_sz (average queue length)
 * and util_pct (time the device was busy). Partitions (no /sys/block/NAME
 * entry; or, without /sys, a name that extends another listed device) and
 * loop/ram/zram devices are skipped unless enabled; so are devices that
 * never did an I/O. A device that appears is a baseline for one interval; a
 * device whose counters went back (re-plugged) is skipped for one interval.
 * Depends on common/ only.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "util.h"
#include "banned.h"

static const char *const disk_cols[] = {"tps",	    "rkbps",  "wkbps",	  "dkbps",
					"await_ms", "aqu_sz", "util_pct", NULL};
static const struct hr_table disk_table = {
	.name = "disk", .key = "dev", .cols = disk_cols, .ncols = ARRAY_SIZE(disk_cols) - 1,
};
const struct hr_table *const hr_diskstats_tables[] = {&disk_table, NULL};

/* Whether a device is a partition, as /sys/block said (it cannot change). */
struct dev_kind {
	char name[HR_NAME_MAX];
	unsigned major, minor;
	bool partition;
};

struct disk_state {
	struct hr_disk *d;	/* devices kept in the last sample */
	size_t n;
	struct dev_kind *kind;	/* /sys/block answers of the last sample */
	size_t nkind;
};

int hr_parse_diskstats(const char *buf, size_t len, struct hr_disk **ret, size_t *ret_n)
{
	struct hr_disk *arr = NULL;
	size_t n = 0, cap = 0;
	struct hr_scan s;
	char line[512];

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		const char *p = line;
		uint64_t maj, min, v[17];
		size_t nv = 0;
		struct hr_disk d = {0};

		if (!hr_scan_u64(&p, &maj) || !hr_scan_u64(&p, &min) ||
		    !hr_scan_word(&p, d.name, sizeof(d.name)) || maj > UINT32_MAX || min > UINT32_MAX)
			continue;
		while (nv < 17 && hr_scan_u64(&p, &v[nv]))
			nv++;
		d.major = (unsigned)maj;
		d.minor = (unsigned)min;
		if (nv >= 11) {
			d.extended = true;
			d.rd_ios = v[0];
			d.rd_sectors = v[2];
			d.rd_ticks = v[3];
			d.wr_ios = v[4];
			d.wr_sectors = v[6];
			d.wr_ticks = v[7];
			d.io_ticks = v[9];
			d.time_in_queue = v[10];
			if (nv >= 15) {
				d.dc_ios = v[11];
				d.dc_sectors = v[13];
				d.dc_ticks = v[14];
			}
		} else if (nv == 4) {
			/* 2.6 partition line: reads, read sectors, writes, write sectors */
			d.rd_ios = v[0];
			d.rd_sectors = v[1];
			d.wr_ios = v[2];
			d.wr_sectors = v[3];
		} else {
			continue;
		}
		int r = array_reserve((void **)&arr, &cap, n, sizeof(*arr), 16, HR_MAX_DEVS);
		if (r) {
			free(arr);
			return r;
		}
		arr[n++] = d;
	}
	if (n == 0) {
		free(arr);
		return -EINVAL;
	}
	*ret = arr;
	*ret_n = n;
	return 0;
}

static bool is_virtual(const char *name)
{
	return !strncmp(name, "loop", 4) || !strncmp(name, "ram", 3) || !strncmp(name, "zram", 4);
}

/* Without /sys: sda1 extends sda, nvme0n1p1 extends nvme0n1, mmcblk0p1 mmcblk0. */
static bool looks_like_partition(const struct hr_disk *d, size_t n, const char *name)
{
	size_t len = strlen(name);

	for (size_t i = 0; i < n; i++) {
		size_t l = strlen(d[i].name);
		const char *rest = name + l;

		if (l >= len || strncmp(d[i].name, name, l) != 0)
			continue;
		if (*rest == 'p')
			rest++;
		if (*rest >= '0' && *rest <= '9' && strspn(rest, "0123456789") == strlen(rest))
			return true;
	}
	return false;
}

static bool is_partition(struct hr_ctx *ctx, const struct hr_disk *d, size_t n, const char *name,
			 bool have_sys)
{
	char path[HR_NAME_MAX + 16], fixed[HR_NAME_MAX];

	if (!have_sys)
		return looks_like_partition(d, n, name);
	/* /sys/block names carry '!' where the device name has '/' (cciss/c0d0). */
	snprintf(fixed, sizeof(fixed), "%s", name);
	for (char *c = fixed; *c; c++)
		if (*c == '/')
			*c = '!';
	snprintf(path, sizeof(path), "sys/block/%s", fixed);
	return faccessat(ctx->rootfd, path, F_OK, 0) != 0;
}

/* The answer of the last sample for device D (same name and number), or NULL. */
static const struct dev_kind *find_kind(const struct disk_state *st, size_t hint,
					const struct hr_disk *d)
{
	for (size_t k = 0; k <= st->nkind; k++) {
		size_t i = k == 0 ? hint : k - 1;
		const struct dev_kind *dk = &st->kind[i];

		if (i < st->nkind && dk->major == d->major && dk->minor == d->minor &&
		    !strcmp(dk->name, d->name))
			return dk;
	}
	return NULL;
}

static const struct hr_disk *find_disk(const struct disk_state *st, size_t hint, const char *name)
{
	if (hint < st->n && !strcmp(st->d[hint].name, name))
		return &st->d[hint];
	for (size_t i = 0; i < st->n; i++)
		if (!strcmp(st->d[i].name, name))
			return &st->d[i];
	return NULL;
}

void hr_diskstats_free(void *state)
{
	struct disk_state *st = state;

	if (st) {
		free(st->d);
		free(st->kind);
	}
	free(st);
}

static int emit(struct hr_rows *out, const struct hr_disk *p, const struct hr_disk *c, double dt)
{
	uint64_t rio, wio, dio, rs, ws, ds, rt, wt, dtk, busy, q;
	struct hr_row *row;

	if (!hr_counter_delta(p->rd_ios, c->rd_ios, &rio) ||
	    !hr_counter_delta(p->wr_ios, c->wr_ios, &wio) ||
	    !hr_counter_delta(p->dc_ios, c->dc_ios, &dio) ||
	    !hr_counter_delta(p->rd_sectors, c->rd_sectors, &rs) ||
	    !hr_counter_delta(p->wr_sectors, c->wr_sectors, &ws) ||
	    !hr_counter_delta(p->dc_sectors, c->dc_sectors, &ds) ||
	    !hr_counter_delta(p->rd_ticks, c->rd_ticks, &rt) ||
	    !hr_counter_delta(p->wr_ticks, c->wr_ticks, &wt) ||
	    !hr_counter_delta(p->dc_ticks, c->dc_ticks, &dtk) ||
	    !hr_counter_delta(p->io_ticks, c->io_ticks, &busy) ||
	    !hr_counter_delta(p->time_in_queue, c->time_in_queue, &q))
		return 0;	/* reset: skip one interval */
	row = hr_rows_add(out, &disk_table, c->name, NULL);
	if (!row)
		return -ENOMEM;
	uint64_t ios = rio + wio + dio;
	double util = 100.0 * (double)busy / (dt * 1000.0);
	row->v[0] = hr_round2((double)ios / dt);
	row->v[1] = hr_round2((double)rs / 2.0 / dt);
	row->v[2] = hr_round2((double)ws / 2.0 / dt);
	row->v[3] = hr_round2((double)ds / 2.0 / dt);
	row->v[4] = ios ? hr_round2((double)(rt + wt + dtk) / (double)ios) : 0;
	row->v[5] = hr_round2((double)q / (dt * 1000.0));
	row->v[6] = hr_round2(util > 100.0 ? 100.0 : util);
	return 0;
}

int hr_diskstats_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
			struct hr_rows *out)
{
	struct disk_state *st = *state;
	struct hr_disk *cur;
	const char *buf;
	size_t len, n, kept = 0;
	int r;

	if (hr_ctx_read(ctx, "proc/diskstats", &buf, &len) < 0)
		return 0;
	r = hr_parse_diskstats(buf, len, &cur, &n);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st) {
			free(cur);
			return -ENOMEM;
		}
		*state = st;
		have_prev = false;
	}
	/* Decide first (the partition test looks at every name), then compact.
	 * The /sys/block lookups are done once per device, not per sample. */
	_cleanup_free_ bool *keep = calloc(n, sizeof(*keep));
	struct dev_kind *kind = calloc(n, sizeof(*kind));
	size_t nkind = 0;
	int have_sys = -1;	/* not looked yet */
	if (!keep || !kind) {
		free(kind);
		free(cur);
		return -ENOMEM;
	}
	for (size_t i = 0; i < n; i++) {
		const struct hr_disk *d = &cur[i];
		const struct dev_kind *dk;
		bool part = false;

		if (!ctx->opts.disk_virtual && is_virtual(d->name))
			continue;
		if (d->rd_ios + d->wr_ios + d->dc_ios == 0)
			continue;	/* never used: skip */
		if (!ctx->opts.disk_partitions) {
			dk = find_kind(st, nkind, d);
			if (dk) {
				part = dk->partition;
			} else {
				if (have_sys < 0)
					have_sys = faccessat(ctx->rootfd, "sys/block", F_OK, 0) == 0;
				part = is_partition(ctx, cur, n, d->name, have_sys);
			}
			if (dk || have_sys) {	/* a guess from the names is not kept */
				struct dev_kind *k = &kind[nkind++];

				memcpy(k->name, d->name, sizeof(k->name));
				k->major = d->major;
				k->minor = d->minor;
				k->partition = part;
			}
		}
		keep[i] = !part;
	}
	free(st->kind);
	st->kind = kind;
	st->nkind = nkind;
	for (size_t i = 0; i < n; i++)
		if (keep[i])
			cur[kept++] = cur[i];
	if (have_prev) {
		for (size_t i = 0; i < kept; i++) {
			const struct hr_disk *p = find_disk(st, i, cur[i].name);
			if (p && (r = emit(out, p, &cur[i], dt)) < 0) {
				free(cur);
				return r;
			}
		}
	}
	free(st->d);
	st->d = cur;
	st->n = kept;
	return 0;
}
