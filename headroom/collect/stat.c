/*
 * stat.c - the "cpu" collector: /proc/stat (headroom/collect).
 *
 * Tables: cpu (per core, key -1 = all cores: % user nice system iowait
 * steal irq soft idle of the interval; user includes guest time, as the
 * kernel counts it) and sched (run queue, blocked tasks, process creations,
 * context switches and interrupts per second). Depends on common/ only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "util.h"
#include "banned.h"

static const char *const cpu_cols[] = {"user", "nice", "system", "iowait", "steal",
				       "irq",  "soft", "idle",	 NULL};
static const struct hr_table cpu_table = {
	.name = "cpu", .key = "cpu", .cols = cpu_cols, .ncols = ARRAY_SIZE(cpu_cols) - 1,
};
static const char *const sched_cols[] = {"runq_sz", "blocked", "proc_s", "cswch_s", "intr_s",
					 NULL};
static const struct hr_table sched_table = {
	.name = "sched", .cols = sched_cols, .ncols = ARRAY_SIZE(sched_cols) - 1,
};
const struct hr_table *const hr_stat_tables[] = {&cpu_table, &sched_table, NULL};

static int parse_cpu_line(const char *p, struct hr_stat_cpu *c)
{
	uint64_t v[8] = {0};
	size_t n = 0;

	if (p[0] == ' ') {
		c->id = -1;
	} else {
		uint64_t id;
		if (!hr_scan_u64(&p, &id) || id >= HR_MAX_CPUS)
			return -EINVAL;
		c->id = (int)id;
	}
	/* user nice system idle [iowait irq softirq [steal [guest [guest_nice]]]] */
	while (n < 8 && hr_scan_u64(&p, &v[n]))
		n++;
	if (n < 4)
		return -EINVAL;
	c->t = (struct hr_cpu_ticks){
		.user = v[0], .nice = v[1], .system = v[2], .idle = v[3],
		.iowait = v[4], .irq = v[5], .softirq = v[6], .steal = v[7],
	};
	return 0;
}

void hr_stat_release(struct hr_stat *st)
{
	free(st->cpu);
	st->cpu = NULL;
	st->ncpu = 0;
}

int hr_parse_stat(const char *buf, size_t len, struct hr_stat *ret)
{
	struct hr_stat st = {0};
	struct hr_scan s;
	char line[HR_LINE_MAX];
	size_t cap = 0;
	bool any = false;

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		const char *p = line;
		uint64_t *dst = NULL;

		if (hr_scan_skip(&p, "cpu")) {
			struct hr_stat_cpu c;
			if (parse_cpu_line(p, &c) < 0)
				continue;
			int r = array_reserve((void **)&st.cpu, &cap, st.ncpu, sizeof(*st.cpu), 8, HR_MAX_CPUS + 1);
			if (r) {
				hr_stat_release(&st);
				return r;
			}
			st.cpu[st.ncpu++] = c;
			any = true;
			continue;
		}
		if (hr_scan_skip(&p, "ctxt "))
			dst = &st.ctxt;
		else if (hr_scan_skip(&p, "intr "))
			dst = &st.intr;
		else if (hr_scan_skip(&p, "processes "))
			dst = &st.processes;
		else if (hr_scan_skip(&p, "procs_running "))
			dst = &st.procs_running;
		else if (hr_scan_skip(&p, "procs_blocked "))
			dst = &st.procs_blocked;
		else if (hr_scan_skip(&p, "btime "))
			dst = &st.btime;
		if (dst && hr_scan_u64(&p, dst))
			any = true;
	}
	if (!any) {
		hr_stat_release(&st);
		return -EINVAL;
	}
	*ret = st;
	return 0;
}

static uint64_t tick_sum(const struct hr_cpu_ticks *t)
{
	return t->user + t->nice + t->system + t->idle + t->iowait + t->irq + t->softirq + t->steal;
}

bool hr_cpu_pct(const struct hr_cpu_ticks *prev, const struct hr_cpu_ticks *cur, double pct[8])
{
	const uint64_t a[8] = {prev->user,  prev->nice, prev->system,  prev->iowait,
			       prev->steal, prev->irq,	prev->softirq, prev->idle};
	const uint64_t b[8] = {cur->user,  cur->nice, cur->system,  cur->iowait,
			       cur->steal, cur->irq,  cur->softirq, cur->idle};
	uint64_t d[8], total = 0;

	if (tick_sum(cur) <= tick_sum(prev))
		return false;
	for (int i = 0; i < 8; i++) {
		d[i] = b[i] >= a[i] ? b[i] - a[i] : 0;
		total += d[i];
	}
	if (total == 0)
		return false;
	for (int i = 0; i < 8; i++)
		pct[i] = hr_round2(100.0 * (double)d[i] / (double)total);
	return true;
}

static const struct hr_stat_cpu *find_cpu(const struct hr_stat *st, size_t hint, int id)
{
	if (hint < st->ncpu && st->cpu[hint].id == id)
		return &st->cpu[hint];
	for (size_t i = 0; i < st->ncpu; i++)
		if (st->cpu[i].id == id)
			return &st->cpu[i];
	return NULL;
}

void hr_stat_free(void *state)
{
	struct hr_stat *st = state;

	if (st)
		hr_stat_release(st);
	free(st);
}

int hr_stat_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
		   struct hr_rows *out)
{
	struct hr_stat *prev = *state, cur;
	const char *buf;
	size_t len;
	int r;

	if (hr_ctx_read(ctx, "proc/stat", &buf, &len) < 0)
		return 0;
	r = hr_parse_stat(buf, len, &cur);
	if (r < 0)
		return r == -ENOMEM ? r : 0;
	if (!prev) {
		prev = calloc(1, sizeof(*prev));
		if (!prev) {
			hr_stat_release(&cur);
			return -ENOMEM;
		}
		*state = prev;
		have_prev = false;
	}
	if (have_prev) {
		for (size_t i = 0; i < cur.ncpu; i++) {
			const struct hr_stat_cpu *p = find_cpu(prev, i, cur.cpu[i].id);
			double pct[8];
			char key[16];
			struct hr_row *row;

			if (!p || !hr_cpu_pct(&p->t, &cur.cpu[i].t, pct))
				continue;	/* new core, or reset */
			snprintf(key, sizeof(key), "%d", cur.cpu[i].id);
			row = hr_rows_add(out, &cpu_table, key, NULL);
			if (!row) {
				hr_stat_release(&cur);
				return -ENOMEM;
			}
			memcpy(row->v, pct, sizeof(pct));
		}
		struct hr_row *row = hr_rows_add(out, &sched_table, NULL, NULL);
		if (!row) {
			hr_stat_release(&cur);
			return -ENOMEM;
		}
		/* the recorder itself is running while it reads /proc/stat: not
		   counted, as sar does (an idle machine reads 0, not 1) */
		row->v[0] = cur.procs_running > 0 ? (double)(cur.procs_running - 1) : 0;
		row->v[1] = (double)cur.procs_blocked;
		row->v[2] = hr_rate(prev->processes, cur.processes, dt);
		row->v[3] = hr_rate(prev->ctxt, cur.ctxt, dt);
		row->v[4] = hr_rate(prev->intr, cur.intr, dt);
	}
	hr_stat_release(prev);
	*prev = cur;
	return 0;
}
