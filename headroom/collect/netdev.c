/*
 * netdev.c - the "net" collector: /proc/net/dev and /sys/class/net/X/speed
 * (headroom/collect).
 *
 * Table net, key = interface, per second: packets and kB received and
 * sent, errors and drops; ifutil_pct is the busier direction against the
 * link speed (full duplex, as sar). The speed is LINK_SPEED's for the
 * interface (opts.link_speed) if given, else /sys/class/net/X/speed of a
 * device with hardware behind it (/sys/class/net/X/device); a veth, tun,
 * bond or bridge reports a nominal speed that says nothing of its capacity.
 * Without a real speed ifutil_pct is NaN (stored as NULL: unknown, not 0):
 * lo, virtual links, containers without /sys. Interfaces that appear start
 * with a baseline interval; counters that went back are read as a 32-bit
 * wrap when plausible, else as a reset (see hr_counter_delta).
 * Depends on common/ only.
 */
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <unistd.h>
#include <stdlib.h>
#include <string.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "util.h"
#include "banned.h"

static const char *const net_cols[] = {"rxpck_s", "txpck_s",	"rxkbps",   "txkbps",
				       "ifutil_pct", "rxerr_s", "txerr_s", "rxdrop_s",
				       "txdrop_s", "coll_s", NULL};
static const struct hr_table net_table = {
	.name = "net", .key = "iface", .cols = net_cols, .ncols = ARRAY_SIZE(net_cols) - 1,
};
const struct hr_table *const hr_netdev_tables[] = {&net_table, NULL};

struct net_state {
	struct hr_netdev *d;
	size_t n;
};

int hr_parse_netdev(const char *buf, size_t len, struct hr_netdev **ret, size_t *ret_n)
{
	struct hr_netdev *arr = NULL;
	size_t n = 0, cap = 0;
	struct hr_scan s;
	char line[512];

	hr_scan_init(&s, buf, len);
	while (hr_scan_line(&s, line, sizeof(line))) {
		struct hr_netdev d = {0};
		char *colon = strrchr(line, ':');
		const char *p, *name = line;
		uint64_t v[16];
		size_t nv = 0, nl;

		if (!colon)
			continue;
		*colon = '\0';
		while (*name == ' ')
			name++;
		nl = strlen(name);
		if (nl == 0 || nl >= sizeof(d.name) || strchr(name, ' ') || strchr(name, '|'))
			continue;
		memcpy(d.name, name, nl + 1);
		p = colon + 1;
		while (nv < 16 && hr_scan_u64(&p, &v[nv]))
			nv++;
		if (nv < 16)
			continue;
		d.rx_bytes = v[0];
		d.rx_packets = v[1];
		d.rx_errs = v[2];
		d.rx_drop = v[3];
		d.rx_multicast = v[7];
		d.tx_bytes = v[8];
		d.tx_packets = v[9];
		d.tx_errs = v[10];
		d.tx_drop = v[11];
		d.tx_colls = v[13];
		int r = array_reserve((void **)&arr, &cap, n, sizeof(*arr), 8, HR_MAX_DEVS);
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

uint64_t hr_parse_speed(const char *buf, size_t len)
{
	struct hr_scan s;
	char line[64];
	const char *p = line;
	int64_t v;

	hr_scan_init(&s, buf, len);
	if (!hr_scan_line(&s, line, sizeof(line)) || !hr_scan_i64(&p, &v) || v <= 0)
		return 0;
	return (uint64_t)v;
}

static const struct hr_netdev *find_dev(const struct net_state *st, size_t hint, const char *name)
{
	if (hint < st->n && !strcmp(st->d[hint].name, name))
		return &st->d[hint];
	for (size_t i = 0; i < st->n; i++)
		if (!strcmp(st->d[i].name, name))
			return &st->d[i];
	return NULL;
}

void hr_netdev_free(void *state)
{
	struct net_state *st = state;

	if (st)
		free(st->d);
	free(st);
}

uint64_t hr_link_speed_opt(const char *list, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = list; p && *p;) {
		while (*p == ' ' || *p == ',')
			p++;
		const char *colon = strchr(p, ':');
		if (!colon)
			break;
		if ((size_t)(colon - p) == nl && !memcmp(p, name, nl)) {
			uint64_t v;
			const char *q = colon + 1;
			return hr_scan_u64(&q, &v) ? v : 0;
		}
		p = colon + 1;
		while (*p && *p != ' ' && *p != ',')
			p++;
	}
	return 0;
}

static uint64_t link_speed(struct hr_ctx *ctx, const char *name)
{
	char path[HR_NAME_MAX + 32];
	const char *buf;
	size_t len;
	uint64_t v;

	if (strchr(name, '/') || !strcmp(name, "..") || !strcmp(name, "."))
		return 0;
	v = hr_link_speed_opt(ctx->opts.link_speed, name);
	if (v)
		return v;
	/* no hardware behind it: its speed is nominal (veth says 10000) */
	snprintf(path, sizeof(path), "sys/class/net/%s/device", name);
	if (faccessat(ctx->rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	snprintf(path, sizeof(path), "sys/class/net/%s/speed", name);
	if (hr_ctx_read(ctx, path, &buf, &len) < 0)
		return 0;
	return hr_parse_speed(buf, len);
}

static int emit(struct hr_ctx *ctx, struct hr_rows *out, const struct hr_netdev *p,
		const struct hr_netdev *c, double dt)
{
	uint64_t d[10];
	const uint64_t a[10] = {p->rx_packets, p->tx_packets, p->rx_bytes, p->tx_bytes, p->rx_errs,
				p->tx_errs,    p->rx_drop,    p->tx_drop,  p->tx_colls, 0};
	const uint64_t b[10] = {c->rx_packets, c->tx_packets, c->rx_bytes, c->tx_bytes, c->rx_errs,
				c->tx_errs,    c->rx_drop,    c->tx_drop,  c->tx_colls, 0};
	struct hr_row *row;
	uint64_t speed;
	double rx, tx;

	for (int i = 0; i < 10; i++)
		if (!hr_counter_delta(a[i], b[i], &d[i]))
			return 0;
	row = hr_rows_add(out, &net_table, c->name, NULL);
	if (!row)
		return -ENOMEM;
	rx = (double)d[2] / dt;
	tx = (double)d[3] / dt;
	row->v[0] = hr_round2((double)d[0] / dt);
	row->v[1] = hr_round2((double)d[1] / dt);
	row->v[2] = hr_round2(rx / 1024.0);
	row->v[3] = hr_round2(tx / 1024.0);
	speed = link_speed(ctx, c->name);
	if (speed) {
		double u = 100.0 * (rx > tx ? rx : tx) * 8.0 / ((double)speed * 1e6);
		row->v[4] = hr_round2(u > 100.0 ? 100.0 : u);
	} else {
		row->v[4] = NAN;	/* unknown */
	}
	row->v[5] = hr_round2((double)d[4] / dt);
	row->v[6] = hr_round2((double)d[5] / dt);
	row->v[7] = hr_round2((double)d[6] / dt);
	row->v[8] = hr_round2((double)d[7] / dt);
	row->v[9] = hr_round2((double)d[8] / dt);
	return 0;
}

int hr_netdev_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt,
		     struct hr_rows *out)
{
	struct net_state *st = *state;
	struct hr_netdev *cur;
	const char *buf;
	size_t len, n;
	int r;

	if (hr_ctx_read(ctx, "proc/net/dev", &buf, &len) < 0)
		return 0;
	r = hr_parse_netdev(buf, len, &cur, &n);
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
	if (have_prev) {
		for (size_t i = 0; i < n; i++) {
			const struct hr_netdev *p = find_dev(st, i, cur[i].name);
			if (p && (r = emit(ctx, out, p, &cur[i], dt)) < 0) {
				free(cur);
				return r;
			}
		}
	}
	free(st->d);
	st->d = cur;
	st->n = n;
	return 0;
}
