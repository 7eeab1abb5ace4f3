/*
 * snmp.c - the "snmp" collector: /proc/net/snmp (headroom/collect).
 *
 * Table tcp, per second unless said: active and passive opens, failed
 * attempts, resets of established connections, segments in and out,
 * retransmitted segments, retrans_pct (retransmitted / sent in the
 * interval), input errors, resets sent, estab (gauge: connections now
 * established); plus UDP datagrams in/out, to closed ports and in error.
 * The file pairs a header line of names with a line of values; columns are
 * found by name, so kernels that add fields still parse.
 * Depends on common/ only.
 */
#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "banned.h"

static const char *const tcp_cols[] = {
	"active_s",  "passive_s", "atmptf_s", "estres_s", "iseg_s",	  "oseg_s",
	"retrans_s", "retrans_pct", "inerr_s", "orsts_s", "estab",	  "idgm_s",
	"odgm_s",    "noport_s",  "idgmerr_s", NULL};
static const struct hr_table tcp_table = {
	.name = "tcp", .cols = tcp_cols, .ncols = ARRAY_SIZE(tcp_cols) - 1,
};
const struct hr_table *const hr_snmp_tables[] = {&tcp_table, NULL};

struct name_map {
	const char *name;
	size_t off;
};

#define M(n, f) {n, offsetof(struct hr_snmp, f)}
static const struct name_map tcp_map[] = {
	M("ActiveOpens", active_opens), M("PassiveOpens", passive_opens),
	M("AttemptFails", attempt_fails), M("EstabResets", estab_resets),
	M("CurrEstab", curr_estab), M("InSegs", in_segs), M("OutSegs", out_segs),
	M("RetransSegs", retrans_segs), M("InErrs", in_errs), M("OutRsts", out_rsts),
};
static const struct name_map udp_map[] = {
	M("InDatagrams", udp_in), M("OutDatagrams", udp_out), M("NoPorts", udp_noports),
	M("InErrors", udp_in_errors),
};
#undef M

/* HEAD and VALS are the two lines after "Tcp:"; match names to values. */
static void pair(const char *head, const char *vals, const struct name_map *map, size_t nmap,
		 struct hr_snmp *sn)
{
	char name[64];

	while (hr_scan_word(&head, name, sizeof(name))) {
		int64_t v;
		/* CurrEstab/MaxConn may be -1: a signed field, clamped at 0. */
		if (!hr_scan_i64(&vals, &v))
			return;
		for (size_t i = 0; i < nmap; i++)
			if (!strcmp(name, map[i].name))
				*(uint64_t *)((char *)sn + map[i].off) = v < 0 ? 0 : (uint64_t)v;
	}
}

int hr_parse_snmp(const char *buf, size_t len, struct hr_snmp *ret)
{
	struct hr_snmp sn = {0};
	struct hr_scan s;
	char head[HR_LINE_MAX], line[HR_LINE_MAX];

	hr_scan_init(&s, buf, len);
	head[0] = '\0';
	while (hr_scan_line(&s, line, sizeof(line))) {
		const char *p = line, *h = head;
		bool tcp = !strncmp(line, "Tcp:", 4), udp = !strncmp(line, "Udp:", 4);

		if (!tcp && !udp) {
			head[0] = '\0';
			continue;
		}
		/* A header line starts with a name, a value line with a number. */
		p += 4;
		while (*p == ' ')
			p++;
		if (!(*p >= '0' && *p <= '9') && *p != '-') {
			snprintf(head, sizeof(head), "%s", line);
			continue;
		}
		if (strncmp(head, line, 4) != 0)
			continue;
		h = head + 4;
		if (tcp) {
			pair(h, p, tcp_map, ARRAY_SIZE(tcp_map), &sn);
			sn.have_tcp = true;
		} else {
			pair(h, p, udp_map, ARRAY_SIZE(udp_map), &sn);
			sn.have_udp = true;
		}
		head[0] = '\0';
	}
	if (!sn.have_tcp && !sn.have_udp)
		return -EINVAL;
	*ret = sn;
	return 0;
}

void hr_snmp_free(void *state)
{
	free(state);
}

int hr_snmp_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
		   struct hr_rows *out)
{
	struct hr_snmp *prev = *state, cur;
	struct hr_row *row;
	const char *buf;
	size_t len;
	uint64_t dout, dre;

	if (hr_ctx_read(ctx, "proc/net/snmp", &buf, &len) < 0 || hr_parse_snmp(buf, len, &cur) < 0)
		return 0;
	if (!prev) {
		prev = malloc(sizeof(*prev));
		if (!prev)
			return -ENOMEM;
		*state = prev;
		have_prev = false;
	}
	if (have_prev) {
		row = hr_rows_add(out, &tcp_table, NULL, NULL);
		if (!row)
			return -ENOMEM;
		row->v[0] = hr_rate(prev->active_opens, cur.active_opens, dt);
		row->v[1] = hr_rate(prev->passive_opens, cur.passive_opens, dt);
		row->v[2] = hr_rate(prev->attempt_fails, cur.attempt_fails, dt);
		row->v[3] = hr_rate(prev->estab_resets, cur.estab_resets, dt);
		row->v[4] = hr_rate(prev->in_segs, cur.in_segs, dt);
		row->v[5] = hr_rate(prev->out_segs, cur.out_segs, dt);
		row->v[6] = hr_rate(prev->retrans_segs, cur.retrans_segs, dt);
		if (hr_counter_delta(prev->out_segs, cur.out_segs, &dout) && dout > 0 &&
		    hr_counter_delta(prev->retrans_segs, cur.retrans_segs, &dre))
			row->v[7] = hr_round2(100.0 * (double)dre / (double)dout);
		row->v[8] = hr_rate(prev->in_errs, cur.in_errs, dt);
		row->v[9] = hr_rate(prev->out_rsts, cur.out_rsts, dt);
		row->v[10] = (double)cur.curr_estab;
		row->v[11] = hr_rate(prev->udp_in, cur.udp_in, dt);
		row->v[12] = hr_rate(prev->udp_out, cur.udp_out, dt);
		row->v[13] = hr_rate(prev->udp_noports, cur.udp_noports, dt);
		row->v[14] = hr_rate(prev->udp_in_errors, cur.udp_in_errors, dt);
	}
	*prev = cur;
	return 0;
}
