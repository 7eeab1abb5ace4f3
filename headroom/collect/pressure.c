/*
 * pressure.c - the "psi" collector: /proc/pressure/{cpu,memory,io}
 * (headroom/collect).
 *
 * Table psi, key = resource: some_pct and full_pct are the share of the
 * interval during which some (resp. all non-idle) tasks were stalled on the
 * resource, from the kernel's cumulative stall time; some_avg60/full_avg60
 * are the kernel's own one-minute averages. Kernels before 4.20, or booted
 * with psi=0, have no /proc/pressure: then this collector writes nothing.
 * Depends on common/ only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "banned.h"

static const char *const psi_cols[] = {"some_pct", "full_pct", "some_avg60", "full_avg60", NULL};
static const struct hr_table psi_table = {
	.name = "psi", .key = "resource", .cols = psi_cols, .ncols = ARRAY_SIZE(psi_cols) - 1,
};
const struct hr_table *const hr_pressure_tables[] = {&psi_table, NULL};

static const char *const resources[] = {"cpu", "memory", "io"};

static bool parse_line(const char *p, double *avg10, double *avg60, uint64_t *total)
{
	char word[64];
	bool got = false;

	while (hr_scan_word(&p, word, sizeof(word))) {
		const char *w = word;
		if (hr_scan_skip(&w, "avg10="))
			got |= hr_scan_double(&w, avg10);
		else if (hr_scan_skip(&w, "avg60="))
			(void)hr_scan_double(&w, avg60);
		else if (hr_scan_skip(&w, "total="))
			got |= hr_scan_u64(&w, total);
	}
	return got;
}

int hr_parse_pressure(const char *buf, size_t len, struct hr_psi *ret)
{
	struct hr_psi psi = {0};
	struct hr_scan s;
	char line[256];

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		const char *p = line;
		if (hr_scan_skip(&p, "some "))
			psi.have_some = parse_line(p, &psi.some_avg10, &psi.some_avg60, &psi.some_total);
		else if (hr_scan_skip(&p, "full "))
			psi.have_full = parse_line(p, &psi.full_avg10, &psi.full_avg60, &psi.full_total);
	}
	if (!psi.have_some)
		return -EINVAL;
	*ret = psi;
	return 0;
}

struct psi_state {
	struct hr_psi r[ARRAY_SIZE(resources)];
	bool have[ARRAY_SIZE(resources)];
};

void hr_pressure_free(void *state)
{
	free(state);
}

static double stall_pct(uint64_t prev, uint64_t cur, double dt)
{
	uint64_t d;
	double v;

	if (!hr_counter_delta(prev, cur, &d))
		return 0;
	v = 100.0 * (double)d / (dt * 1e6);
	return hr_round2(v > 100.0 ? 100.0 : v);
}

int hr_pressure_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
		       struct hr_rows *out)
{
	struct psi_state *st = *state;

	if (!st) {
		st = calloc(1, sizeof(*st));
		if (!st)
			return -ENOMEM;
		*state = st;
	}
	for (size_t i = 0; i < ARRAY_SIZE(resources); i++) {
		char path[64];
		const char *buf;
		size_t len;
		struct hr_psi cur;
		struct hr_row *row;

		snprintf(path, sizeof(path), "proc/pressure/%s", resources[i]);
		if (hr_ctx_read(ctx, path, &buf, &len) < 0 || hr_parse_pressure(buf, len, &cur) < 0) {
			st->have[i] = false;
			continue;
		}
		if (have_prev && st->have[i]) {
			const struct hr_psi *p = &st->r[i];
			row = hr_rows_add(out, &psi_table, resources[i], NULL);
			if (!row)
				return -ENOMEM;
			row->v[0] = stall_pct(p->some_total, cur.some_total, dt);
			row->v[1] = cur.have_full ? stall_pct(p->full_total, cur.full_total, dt) : 0;
			row->v[2] = hr_round2(cur.some_avg60);
			row->v[3] = hr_round2(cur.full_avg60);
		}
		st->r[i] = cur;
		st->have[i] = true;
	}
	return 0;
}
