/*
 * hr-mkfixture.c - builds deterministic headroom databases for the report
 * tests and benchmarks (tests/headroom). Writes through hr_store itself
 * (schema creation, per-sample transactions, roll-up), so a fixture always
 * has the recorder's real schema and cannot drift from it. Timestamps are
 * absolute (Unix ms), so the databases do not depend on TZ; the tests read
 * them with TZ=Europe/Berlin.
 *
 *   hr-mkfixture SCENARIO PATH
 *	idle	2026-11-26..28 (Berlin), a sample a minute, a quiet machine;
 *		the first two days rolled up into 5-minute buckets as the
 *		recorder does after ROLLUP_AFTER
 *	busy	2026-11-28, a sample a minute, CPU pegged 09:00-13:00 by
 *		"stress" (and memory, load, disk, network busier then)
 *	dst	every 5 minutes over the two DST changes of 2026 in Berlin:
 *		2026-03-28 22:00 CET - 03-29 06:00 CEST and 2026-10-24 22:00
 *		CEST - 10-25 06:00 CET
 *	empty	the schema and meta, no sample
 *	month	31 days from 2026-10-01 at 10 s (267,840 samples), raw
 *	month-rolled  the same, then retention as the recorder applies it
 *		on 2026-11-01 (2 days raw, the rest in 5-minute buckets)
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_store.h"
#include "banned.h"

#define MIN_MS 60000LL
#define HOUR_MS 3600000LL
#define DAY_MS 86400000LL

/* Local midnights in Europe/Berlin (CET, +01:00), as Unix ms. */
#define T_2026_10_01 1790805600000LL /* CEST */
#define T_2026_11_26 1795647600000LL
#define T_2026_11_28 1795820400000LL
#define T_2026_11_29 1795906800000LL
#define T_2026_03_28_22 1774731600000LL
#define T_2026_10_24_22 1792872000000LL

static const char *const cpu_c[] = {"user", "nice", "system", "iowait", "steal", "irq", "soft", "idle"};
static const char *const sched_c[] = {"runq_sz", "blocked", "proc_s", "cswch_s", "intr_s"};
static const char *const load_c[] = {"ldavg_1", "ldavg_5", "ldavg_15", "plist_sz"};
static const char *const mem_c[] = {"total_kb", "free_kb", "avail_kb", "used_kb", "buffers_kb",
				    "cached_kb", "commit_kb", "commit_pct", "dirty_kb", "slab_kb",
				    "shmem_kb", "swap_total_kb", "swap_used_kb", "swap_cached_kb"};
static const char *const paging_c[] = {"pgpgin_s", "pgpgout_s", "fault_s", "majflt_s",
				       "pgfree_s", "pgscank_s", "pgscand_s", "pgsteal_s",
				       "pswpin_s", "pswpout_s"};
static const char *const disk_c[] = {"tps", "rkbps", "wkbps", "dkbps", "await_ms", "aqu_sz", "util_pct"};
static const char *const net_c[] = {"rxpck_s", "txpck_s", "rxkbps", "txkbps", "ifutil_pct",
				    "rxerr_s", "txerr_s", "rxdrop_s", "txdrop_s", "coll_s"};
static const char *const sock_c[] = {"totsck", "tcpsck", "tcp6sck", "tcp_tw", "tcp_orphan",
				     "udpsck", "udp6sck", "rawsck"};
static const char *const tcp_c[] = {"active_s", "passive_s", "atmptf_s", "estres_s", "iseg_s",
				    "oseg_s", "retrans_s", "retrans_pct", "inerr_s", "orsts_s",
				    "estab", "idgm_s", "odgm_s", "noport_s", "idgmerr_s"};
static const char *const psi_c[] = {"some_pct", "full_pct", "some_avg60", "full_avg60"};
static const char *const fs_c[] = {"size_kb", "free_kb", "avail_kb", "used_pct", "files", "ffree",
				   "iused_pct"};
static const char *const proc_c[] = {"cpu_pct", "rss_kb", "swap_kb", "rkbps", "wkbps", "top"};

#define PUT(table, keycol, key, labcol, lab, cols, ...)                                           \
	do {                                                                                      \
		const double v_[] = {__VA_ARGS__};                                                \
		_Static_assert(sizeof(v_) / sizeof(v_[0]) == sizeof(cols) / sizeof(cols[0]),     \
			       "value count");                                                    \
		r = hr_store_put(s, table, keycol, key, labcol, lab, cols,                        \
				 sizeof(cols) / sizeof(cols[0]), v_);                             \
		if (r < 0)                                                                        \
			return r;                                                                 \
	} while (0)

/* A small deterministic wobble in [0, n) from the sample number. */
static double wob(long i, int n)
{
	return (double)((unsigned long)(i * 2654435761UL) % (unsigned long)n);
}

/* One sample: BUSY (0..1) scales the load. */
static int put_sample(struct hr_store *s, long i, int64_t ts, int64_t span, double busy)
{
	double user = 1 + wob(i, 3) + busy * 90, sys = 0.5 + busy * 4, iow = 0.1 * wob(i, 2);
	double idle = 100 - user - sys - iow - 0.2;
	int r;

	r = hr_store_begin(s, ts, span, "fixture-boot");
	if (r < 0)
		return r;
	PUT("cpu", "cpu", "-1", NULL, NULL, cpu_c, user, 0, sys, iow, 0, 0.1, 0.1, idle);
	PUT("cpu", "cpu", "0", NULL, NULL, cpu_c, user + 1, 0, sys, iow, 0, 0.1, 0.1, idle - 1);
	PUT("cpu", "cpu", "1", NULL, NULL, cpu_c, user - 1, 0, sys, iow, 0, 0.1, 0.1, idle + 1);
	PUT("sched", NULL, NULL, NULL, NULL, sched_c, busy * 3 + wob(i, 2), wob(i, 2) * busy,
	    2 + wob(i, 4), 400 + busy * 4000 + wob(i, 50), 300 + busy * 1000);
	PUT("load", NULL, NULL, NULL, NULL, load_c, 0.05 + busy * 2.5, 0.04 + busy * 2,
	    0.03 + busy * 1.5, 180 + wob(i, 5));
	PUT("mem", NULL, NULL, NULL, NULL, mem_c, 4030000, 2500000 - busy * 1000000,
	    3200000 - busy * 1000000, 600000 + busy * 1000000, 40000, 700000, 900000 + busy * 1e6,
	    10.5 + busy * 12, 100 + wob(i, 40), 90000, 12000, 1048572, busy * 20000, busy * 5000);
	PUT("paging", NULL, NULL, NULL, NULL, paging_c, 1 + busy * 900, 20 + busy * 3000,
	    300 + busy * 60000, busy * 2, 400 + busy * 50000, busy * 900, busy * 100, busy * 800,
	    0, busy * 12);
	PUT("disk", "dev", "sda", NULL, NULL, disk_c, 2 + busy * 150, 4 + busy * 2000,
	    30 + busy * 6000, 0, 0.8 + busy * 4, 0.01 + busy * 0.9, 0.5 + busy * 60);
	PUT("disk", "dev", "nvme0n1", NULL, NULL, disk_c, 1 + wob(i, 2), 2, 8 + wob(i, 3), 0, 0.2,
	    0, 0.1);
	PUT("net", "iface", "eth0", NULL, NULL, net_c, 10 + busy * 9000, 8 + busy * 8000,
	    2 + busy * 11000, 1 + busy * 600, 0.02 + busy * 9, busy * 0.5, 0, busy * 1.5, 0, 0);
	PUT("net", "iface", "lo", NULL, NULL, net_c, 1, 1, 0.1, 0.1, 0, 0, 0, 0, 0, 0);
	PUT("sock", NULL, NULL, NULL, NULL, sock_c, 150 + busy * 300, 12 + busy * 250, 3, 4 + busy * 40,
	    0, 5, 2, 0);
	PUT("tcp", NULL, NULL, NULL, NULL, tcp_c, 0.1 + busy * 20, 0.2 + busy * 40, 0, busy * 0.3,
	    10 + busy * 9000, 9 + busy * 8500, busy * 3, busy * 0.04, 0, busy * 0.5, 12 + busy * 250,
	    1, 1, 0, 0);
	PUT("psi", "resource", "cpu", NULL, NULL, psi_c, busy * 35, 0, busy * 30, 0);
	PUT("psi", "resource", "io", NULL, NULL, psi_c, 0.1 + busy * 6, busy * 2, busy * 5, busy * 1.5);
	PUT("psi", "resource", "memory", NULL, NULL, psi_c, busy * 1, 0, busy * 0.8, 0);
	PUT("fs", "mount", "/", "device", "/dev/sda1", fs_c, 41152736, 20576368 - i * 2,
	    18476368 - i * 2, 55.1, 2621440, 2400000 - i, 8.45);
	PUT("fs", "mount", "/home", "device", "/dev/sda2", fs_c, 102400000, 81920000, 76800000,
	    25.0, 6400000, 6300000, 1.56);
	PUT("proc", "pid", "1", "comm", "systemd", proc_c, 0.1, 12000, 0, 0, 0.1, 2);
	PUT("proc", "pid", "812", "comm", "postgres", proc_c, 1 + wob(i, 3), 250000, 0, 1,
	    12 + wob(i, 5), 7);
	if (busy > 0)
		PUT("proc", "pid", "4242", "comm", "stress", proc_c, 180 + wob(i, 10),
		    1000000, 0, 0, 5800, 7);
	PUT("proc", "pid", "555", "comm", "sshd, \"admin\"", proc_c, 0.2 * wob(i, 2), 8000, 0, 0,
	    0, 1);
	return hr_store_commit(s);
}

static int set_meta(struct hr_store *s)
{
	int r = hr_store_set_meta(s, "hostname", "fixture");

	if (r == 0)
		r = hr_store_set_meta(s, "kernel", "6.1.0");
	if (r == 0)
		r = hr_store_set_meta(s, "ncpu", "2");
	if (r == 0)
		r = hr_store_set_meta(s, "writer", "hr-mkfixture");
	return r;
}

/* Samples every STEP from START (exclusive) to END (inclusive). */
static int span_of(struct hr_store *s, long *i, int64_t start, int64_t end, int64_t step,
		   bool busy_hours)
{
	for (int64_t ts = start + step; ts <= end; ts += step, (*i)++) {
		double busy = busy_hours && ts > T_2026_11_28 + 9 * HOUR_MS &&
					      ts <= T_2026_11_28 + 13 * HOUR_MS
				      ? 1.0
				      : 0.0;
		int r;

		r = put_sample(s, *i, ts, step, busy);
		if (r < 0)
			return r;
	}
	return 0;
}

static int roll(struct hr_store *s, int64_t now, int64_t raw_ms)
{
	struct hr_retention rt = {.history_ms = 400 * DAY_MS, .raw_ms = raw_ms,
				  .bucket_ms = 5 * MIN_MS};
	bool more = true;
	int r = 0;

	while (more && r == 0)
		r = hr_store_maintain(s, now, &rt, 1000, &more);
	return r;
}

int main(int argc, char **argv)
{
	struct hr_store *s = NULL;
	const char *sc;
	long i = 0;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: hr-mkfixture idle|busy|dst|empty|month|month-rolled PATH\n");
		return 2;
	}
	sc = argv[1];
	r = hr_store_open(argv[2], HR_STORE_WRITER, &s, NULL);
	if (r < 0) {
		fprintf(stderr, "hr-mkfixture: cannot create '%s': %s\n", argv[2], strerror(-r));
		return 1;
	}
	r = set_meta(s);
	if (r < 0) {
	} else if (!strcmp(sc, "idle")) {
		r = span_of(s, &i, T_2026_11_26, T_2026_11_29, MIN_MS, false);
		if (r == 0)
			r = roll(s, T_2026_11_29, DAY_MS);
	} else if (!strcmp(sc, "busy")) {
		r = span_of(s, &i, T_2026_11_28, T_2026_11_29, MIN_MS, true);
	} else if (!strcmp(sc, "dst")) {
		r = span_of(s, &i, T_2026_03_28_22, T_2026_03_28_22 + 7 * HOUR_MS, 5 * MIN_MS, false);
		if (r == 0)
			r = span_of(s, &i, T_2026_10_24_22, T_2026_10_24_22 + 9 * HOUR_MS,
				    5 * MIN_MS, false);
	} else if (!strcmp(sc, "empty")) {
		r = 0;
	} else if (!strcmp(sc, "month") || !strcmp(sc, "month-rolled")) {
		r = span_of(s, &i, T_2026_10_01, T_2026_10_01 + 31 * DAY_MS, 10000, false);
		if (r == 0 && !strcmp(sc, "month-rolled"))
			r = roll(s, T_2026_10_01 + 31 * DAY_MS, 2 * DAY_MS);
	} else {
		fprintf(stderr, "hr-mkfixture: unknown scenario '%s'\n", sc);
		hr_store_free(s);
		return 2;
	}
	if (r < 0)
		fprintf(stderr, "hr-mkfixture: %s: %s (%s)\n", sc, strerror(-r), hr_store_errmsg(s));
	hr_store_free(s);
	return r < 0 ? 1 : 0;
}
