/*
 * sockstat.c - the "sockets" collector: /proc/net/sockstat and sockstat6
 * (headroom/collect).
 *
 * Table sock, gauges: sockets in use, TCP (IPv4 and IPv6) in use, TCP in
 * TIME_WAIT, orphaned TCP, UDP (IPv4, IPv6) and raw sockets in use.
 * sockstat6 is optional (kernels without IPv6). Depends on common/ only.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "banned.h"

static const char *const sock_cols[] = {"totsck", "tcpsck", "tcp6sck", "tcp_tw", "tcp_orphan",
					"udpsck", "udp6sck", "rawsck", NULL};
static const struct hr_table sock_table = {
	.name = "sock", .cols = sock_cols, .ncols = ARRAY_SIZE(sock_cols) - 1,
};
const struct hr_table *const hr_sockstat_tables[] = {&sock_table, NULL};

/* Find " KEY N" after the "PROTO:" tag of a line and store N. */
static void field(const char *p, const char *key, uint64_t *dst)
{
	char word[32];

	while (hr_scan_word(&p, word, sizeof(word))) {
		uint64_t v;
		if (!strcmp(word, key) && hr_scan_u64(&p, &v)) {
			*dst = v;
			return;
		}
	}
}

int hr_parse_sockstat(const char *buf, size_t len, struct hr_sockstat *ss)
{
	struct hr_scan s;
	char line[512];
	bool any = false;

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		const char *p = line;

		if (hr_scan_skip(&p, "sockets:")) {
			field(p, "used", &ss->used);
		} else if (hr_scan_skip(&p, "TCP:")) {
			field(p, "inuse", &ss->tcp_inuse);
			field(p, "orphan", &ss->tcp_orphan);
			field(p, "tw", &ss->tcp_tw);
			field(p, "alloc", &ss->tcp_alloc);
		} else if (hr_scan_skip(&p, "UDP:")) {
			field(p, "inuse", &ss->udp_inuse);
		} else if (hr_scan_skip(&p, "RAW:")) {
			field(p, "inuse", &ss->raw_inuse);
		} else if (hr_scan_skip(&p, "TCP6:")) {
			field(p, "inuse", &ss->tcp6_inuse);
		} else if (hr_scan_skip(&p, "UDP6:")) {
			field(p, "inuse", &ss->udp6_inuse);
		} else if (hr_scan_skip(&p, "RAW6:")) {
			field(p, "inuse", &ss->raw6_inuse);
		} else {
			continue;
		}
		any = true;
	}
	return any ? 0 : -EINVAL;
}

void hr_sockstat_free(void *state)
{
}

int hr_sockstat_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
		       struct hr_rows *out)
{
	struct hr_sockstat ss = {0};
	struct hr_row *row;
	const char *buf;
	size_t len;

	if (!have_prev || hr_ctx_read(ctx, "proc/net/sockstat", &buf, &len) < 0 ||
	    hr_parse_sockstat(buf, len, &ss) < 0)
		return 0;
	if (hr_ctx_read(ctx, "proc/net/sockstat6", &buf, &len) == 0)
		(void)hr_parse_sockstat(buf, len, &ss);
	row = hr_rows_add(out, &sock_table, NULL, NULL);
	if (!row)
		return -ENOMEM;
	row->v[0] = (double)ss.used;
	row->v[1] = (double)ss.tcp_inuse;
	row->v[2] = (double)ss.tcp6_inuse;
	row->v[3] = (double)ss.tcp_tw;
	row->v[4] = (double)ss.tcp_orphan;
	row->v[5] = (double)ss.udp_inuse;
	row->v[6] = (double)ss.udp6_inuse;
	row->v[7] = (double)(ss.raw_inuse + ss.raw6_inuse);
	return 0;
}
