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
 * A link shaped by tc (a tbf, htb, hfsc or cbq qdisc on it, asked of the
 * kernel over rtnetlink when the root is the live "/") carries less than
 * its speed says: unknown too, unless LINK_SPEED gives it.
 * Without a real speed ifutil_pct is NaN (stored as NULL: unknown, not 0):
 * lo, virtual links, shaped links, containers without /sys. Interfaces that appear start
 * with a baseline interval; counters that went back are read as a 32-bit
 * wrap when plausible, else as a reset (see hr_counter_delta).
 * Depends on common/ only.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <math.h>
#include <net/if.h>
#include <sys/socket.h>
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
	int shaped[HR_SHAPED_MAX];	/* ifindexes with a shaping qdisc, this sample */
	size_t nshaped;
};

static bool shaper(const char *kind)
{
	static const char *const kinds[] = {"tbf", "htb", "hfsc", "cbq"};

	for (size_t i = 0; i < ARRAY_SIZE(kinds); i++)
		if (!strcmp(kind, kinds[i]))
			return true;
	return false;
}

int hr_net_shaped(int *ret, size_t cap, size_t *ret_n)
{
	struct {
		struct nlmsghdr nh;
		struct tcmsg tc;
	} req = {
		.nh = {.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg)),
		       .nlmsg_type = RTM_GETQDISC,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		       .nlmsg_seq = 1},
		.tc = {.tcm_family = AF_UNSPEC},
	};
	struct sockaddr_nl sa = {.nl_family = AF_NETLINK};
	/* aligned for struct nlmsghdr; a dump comes in messages of a page or so */
	static __thread long buf[8192 / sizeof(long)];
	size_t n = 0;
	int r = 0;

	_cleanup_close_ int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (sendto(fd, &req, req.nh.nlmsg_len, 0, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return -errno;
	for (int msgs = 0; msgs < 4096; msgs++) {
		ssize_t len;

		do
			len = recv(fd, buf, sizeof(buf), 0);
		while (len < 0 && errno == EINTR);
		if (len < 0)
			return -errno;
		for (struct nlmsghdr *nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, (size_t)len);
		     nh = NLMSG_NEXT(nh, len)) {
			if (nh->nlmsg_type == NLMSG_DONE)
				goto done;
			if (nh->nlmsg_type == NLMSG_ERROR) {
				r = -EPROTO;
				goto done;
			}
			if (nh->nlmsg_type != RTM_NEWQDISC ||
			    nh->nlmsg_len < NLMSG_LENGTH(sizeof(struct tcmsg)))
				continue;
			struct tcmsg *tc = NLMSG_DATA(nh);
			int alen = (int)(nh->nlmsg_len - NLMSG_LENGTH(sizeof(*tc)));
			for (struct rtattr *a = (struct rtattr *)((char *)tc + NLMSG_ALIGN(sizeof(*tc)));
			     RTA_OK(a, alen); a = RTA_NEXT(a, alen)) {
				char kind[16];
				size_t kl = RTA_PAYLOAD(a);

				if (a->rta_type != TCA_KIND || kl == 0)
					continue;
				if (kl >= sizeof(kind))
					kl = sizeof(kind) - 1;
				memcpy(kind, RTA_DATA(a), kl);
				kind[kl] = '\0';
				if (shaper(kind) && n < cap)
					ret[n++] = tc->tcm_ifindex;
			}
		}
	}
done:
	*ret_n = n;
	return r;
}

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

static uint64_t link_speed(struct hr_ctx *ctx, const struct net_state *st, const char *name)
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
	if (st->nshaped) {
		int idx = (int)if_nametoindex(name);
		for (size_t i = 0; idx > 0 && i < st->nshaped; i++)
			if (st->shaped[i] == idx)
				return 0;	/* shaped: its speed is not what it carries */
	}
	/* no hardware behind it: its speed is nominal (veth says 10000) */
	snprintf(path, sizeof(path), "sys/class/net/%s/device", name);
	if (faccessat(ctx->rootfd, path, F_OK, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	snprintf(path, sizeof(path), "sys/class/net/%s/speed", name);
	if (hr_ctx_read(ctx, path, &buf, &len) < 0)
		return 0;
	return hr_parse_speed(buf, len);
}

static int emit(struct hr_ctx *ctx, const struct net_state *st, struct hr_rows *out,
		const struct hr_netdev *p, const struct hr_netdev *c, double dt)
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
	speed = link_speed(ctx, st, c->name);
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
		/* the live system only: a captured tree has no kernel to ask */
		st->nshaped = 0;
		if (!ctx->opts.root || !strcmp(ctx->opts.root, "/"))
			(void)hr_net_shaped(st->shaped, HR_SHAPED_MAX, &st->nshaped);
		for (size_t i = 0; i < n; i++) {
			const struct hr_netdev *p = find_dev(st, i, cur[i].name);
			if (p && (r = emit(ctx, st, out, p, &cur[i], dt)) < 0) {
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
