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
 *	gap	2026-11-28 like busy, but the recorder stopped 14:00-16:30
 *		(charts must break their lines there)
 *	month-5m  31 days to 2026-11-28 24:00 every 5 minutes, busy on
 *		2026-11-28 09:00-13:00 (charts over a month)
 *	reboot	2026-10-24 12:00 CEST - 10-25 12:00 CET every 5 minutes, with
 *		the DST change and a reboot inside: the machine (2 CPUs) goes
 *		down after the 01:10 CEST sample and records again from 01:25
 *		CEST with 4 CPUs; CPU pegged 22:00 CEST - 02:30 CET, across
 *		both the reboot and the DST change
 *	reboot-rolled  the same, all of it rolled up into 5-minute buckets
 *
 *   Advisor scenarios (headroom advise), 2026-11-28 a sample a minute
 *   unless said otherwise, a quiet machine outside the events:
 *	adv-cpu		CPU pegged 09:00-13:00 by "encoder", and 5-minute spikes
 *			every half hour 15:00-18:00 (too short to count)
 *	adv-cpu-10s	the same every 10 s (8640 samples: advise reads
 *			1-minute buckets)
 *	adv-steal	CPU busy 10:00-13:00, a third of it stolen by the host
 *	adv-mem		memory starvation 14:00-16:00 ("java"): little available,
 *			a swap storm, major faults
 *	adv-disk	disk sda hammered 10:00-12:30 by "backup-tar", memory fine
 *	adv-swapdisk	sda busy 13:00-15:00 because the system swaps ("java")
 *	adv-nic		eth0 near its link speed 18:00-22:00
 *	adv-nicerr	eth0 with errors and drops all day, little traffic
 *	adv-growth	2026-11-01..28 every 10 minutes, CPU use growing
 *			steadily (about 10 points a week)
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

/* The boot put_sample() records in, and its number of CPUs (the reboot scenario). */
static const char *cur_boot = "fixture-boot";
static int cur_ncpu = 2;

/* One sample: BUSY (0..1) scales the load. */
static int put_sample(struct hr_store *s, long i, int64_t ts, int64_t span, double busy)
{
	double user = 1 + wob(i, 3) + busy * 90, sys = 0.5 + busy * 4, iow = 0.1 * wob(i, 2);
	double idle = 100 - user - sys - iow - 0.2;
	int r;

	r = hr_store_begin(s, ts, span, cur_boot);
	if (r < 0)
		return r;
	PUT("cpu", "cpu", "-1", NULL, NULL, cpu_c, user, 0, sys, iow, 0, 0.1, 0.1, idle);
	for (int c = 0; c < cur_ncpu; c++) {
		char key[16];
		double d = c % 2 ? -1 : 1;

		snprintf(key, sizeof(key), "%d", c);
		PUT("cpu", "cpu", key, NULL, NULL, cpu_c, user + d, 0, sys, iow, 0, 0.1, 0.1,
		    idle - d);
	}
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

/* ---- advisor scenarios ---------------------------------------------------- */

#define T_2026_11_01 1793487600000LL

/* The load of one advisor sample; adv_quiet() is the baseline. */
struct adv {
	double busy, steal, runq, psi_cpu;
	double avail_pct, swap, majflt, scan, psi_mem;
	double util, aqu, await, rkb, wkb, psi_io;
	double ifutil, kbps, errs, drops, retrans, socks;
	const char *hog;
	double hog_cpu, hog_rss_kb, hog_io;
};

static struct adv adv_quiet(long i)
{
	return (struct adv){.busy = 4 + wob(i, 3), .runq = 0.3, .psi_cpu = 0.5, .avail_pct = 60,
			    .util = 3 + wob(i, 2), .aqu = 0.02, .await = 1.5, .rkb = 20,
			    .wkb = 40, .psi_io = 0.2, .ifutil = 1, .kbps = 120, .retrans = 0.1,
			    .socks = 150};
}

static int put_adv(struct hr_store *s, long i, int64_t ts, int64_t span, const struct adv *L)
{
	const double total = 8000000, avail = total * L->avail_pct / 100;
	double user = L->busy - L->steal - 2, sys = 2, idle = 100 - L->busy;
	int r;

	if (user < 0)
		user = 0;
	r = hr_store_begin(s, ts, span, "fixture-boot");
	if (r < 0)
		return r;
	PUT("cpu", "cpu", "-1", NULL, NULL, cpu_c, user, 0, sys, 0, L->steal, 0, 0, idle);
	PUT("sched", NULL, NULL, NULL, NULL, sched_c, L->runq, 0, 3, 800, 400);
	PUT("load", NULL, NULL, NULL, NULL, load_c, L->runq, L->runq, L->runq, 200);
	PUT("mem", NULL, NULL, NULL, NULL, mem_c, total, avail * 0.3, avail, total - avail,
	    50000, avail * 0.6, total * 0.5, 40, 300, 120000, 20000, 2097148,
	    L->swap > 0 ? 1500000 : 0, 0);
	PUT("paging", NULL, NULL, NULL, NULL, paging_c, 10 + L->rkb, 30 + L->wkb, 400,
	    L->majflt, 500, L->scan * 0.8, L->scan * 0.2, L->scan * 0.7, L->swap / 2,
	    L->swap / 2);
	PUT("disk", "dev", "sda", NULL, NULL, disk_c, 5 + L->util * 3, L->rkb, L->wkb, 0,
	    L->await, L->aqu, L->util);
	PUT("net", "iface", "eth0", NULL, NULL, net_c, L->kbps, L->kbps * 0.8, L->kbps,
	    L->kbps * 0.1, L->ifutil, L->errs * 0.7, L->errs * 0.3, L->drops, 0, 0);
	PUT("net", "iface", "lo", NULL, NULL, net_c, 5, 5, 1, 1, 0, 0, 0, 0, 0, 0);
	PUT("sock", NULL, NULL, NULL, NULL, sock_c, L->socks, L->socks * 0.4, 2, 10, 0, 4, 1, 0);
	PUT("tcp", NULL, NULL, NULL, NULL, tcp_c, 1, 2, 0, 0, L->kbps, L->kbps,
	    L->kbps * L->retrans / 100, L->retrans, 0, 0, L->socks * 0.2, 1, 1, 0, 0);
	PUT("psi", "resource", "cpu", NULL, NULL, psi_c, L->psi_cpu, 0, L->psi_cpu, 0);
	PUT("psi", "resource", "io", NULL, NULL, psi_c, L->psi_io, L->psi_io / 2, L->psi_io, 0);
	PUT("psi", "resource", "memory", NULL, NULL, psi_c, L->psi_mem, L->psi_mem / 3,
	    L->psi_mem, 0);
	PUT("proc", "pid", "1", "comm", "systemd", proc_c, 0.1, 12000, 0, 0, 0.5, 2);
	PUT("proc", "pid", "812", "comm", "postgres", proc_c, 2 + wob(i, 2), 400000, 0, 5, 30, 7);
	PUT("proc", "pid", "901", "comm", "nginx", proc_c, 1, 60000, 0, 1, 2, 1);
	if (L->hog)
		PUT("proc", "pid", "4242", "comm", L->hog, proc_c, L->hog_cpu, L->hog_rss_kb, 0,
		    L->hog_io * 0.1, L->hog_io * 0.9, 7);
	return hr_store_commit(s);
}

/* Minutes since local midnight of 2026-11-28 of TS. */
static double mins(int64_t ts)
{
	return (double)(ts - T_2026_11_28) / MIN_MS;
}

static bool within(int64_t ts, double h0, double h1)
{
	return mins(ts) > h0 * 60 && mins(ts) <= h1 * 60;
}

static int adv_day(struct hr_store *s, const char *sc, int64_t step)
{
	long i = 0;
	int r = 0;

	for (int64_t ts = T_2026_11_28 + step; ts <= T_2026_11_29 && r == 0; ts += step, i++) {
		struct adv L = adv_quiet(i);
		double m = mins(ts);

		if (!strcmp(sc, "adv-cpu") || !strcmp(sc, "adv-cpu-10s")) {
			if (within(ts, 9, 13)) {
				L.busy = 96 + wob(i, 3);
				L.runq = 3;
				L.psi_cpu = 30;
				L.hog = "encoder";
				L.hog_cpu = 185 + wob(i, 5);
				L.hog_rss_kb = 300000;
			} else if (within(ts, 15, 18) && (long)m % 30 < 5) {
				L.busy = 98;
				L.hog = "cron-job";
				L.hog_cpu = 190;
				L.hog_rss_kb = 20000;
			}
		} else if (!strcmp(sc, "adv-steal")) {
			if (within(ts, 10, 13)) {
				L.busy = 95;
				L.steal = 30 + wob(i, 4);
				L.runq = 2.5;
			}
		} else if (!strcmp(sc, "adv-mem") || !strcmp(sc, "adv-swapdisk")) {
			bool disk = !strcmp(sc, "adv-swapdisk");
			if (disk ? within(ts, 13, 15) : within(ts, 14, 16)) {
				L.avail_pct = 3 + wob(i, 2);
				L.swap = disk ? 1500 : 800;
				L.majflt = disk ? 900 : 600;
				L.scan = 5000;
				L.psi_mem = 25;
				L.util = disk ? 95 : 45;
				L.aqu = disk ? 6 : 0.8;
				L.await = disk ? 90 : 12;
				L.rkb = disk ? 3000 : 1600;
				L.wkb = disk ? 3000 : 1600;
				L.psi_io = disk ? 35 : 8;
				L.hog = "java";
				L.hog_cpu = 40;
				L.hog_rss_kb = 7000000;
				L.hog_io = 50;
			}
		} else if (!strcmp(sc, "adv-disk")) {
			if (within(ts, 10, 12.5)) {
				L.util = 97 + wob(i, 3);
				L.aqu = 8;
				L.await = 120;
				L.rkb = 20000;
				L.wkb = 160000;
				L.psi_io = 40;
				L.hog = "backup-tar";
				L.hog_cpu = 15;
				L.hog_rss_kb = 30000;
				L.hog_io = 180000;
			}
		} else if (!strcmp(sc, "adv-nic")) {
			if (within(ts, 18, 22)) {
				L.ifutil = 92 + wob(i, 4);
				L.kbps = 115000;
				L.retrans = 0.5;
				L.socks = 900;
			}
		} else if (!strcmp(sc, "adv-nicerr")) {
			L.errs = 3;
			L.drops = 2;
			L.ifutil = 0.3;
		}
		r = put_adv(s, i, ts, step, &L);
	}
	return r;
}

/* 27 days every 10 minutes: CPU use grows about 10 points a week, with a daily wave. */
static int adv_growth(struct hr_store *s)
{
	long i = 0;
	int r = 0;

	for (int64_t ts = T_2026_11_01 + 10 * MIN_MS; ts <= T_2026_11_28 && r == 0;
	     ts += 10 * MIN_MS, i++) {
		struct adv L = adv_quiet(i);
		double days = (double)(ts - T_2026_11_01) / DAY_MS;
		int tod = (int)((ts - T_2026_11_01) % DAY_MS / HOUR_MS);

		L.busy = 20 + days * 10 / 7 + (tod >= 9 && tod < 18 ? 8 : -8) + wob(i, 3);
		L.socks = 150 + days * 5;
		L.kbps = 120 + days * 20;
		r = put_adv(s, i, ts, 10 * MIN_MS, &L);
	}
	return r;
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

/* The reboot scenario (see the top of this file). */
static int reboot_day(struct hr_store *s)
{
	const int64_t t0 = T_2026_10_24_22 - 10 * HOUR_MS, down = T_2026_10_24_22 + 190 * MIN_MS;
	const int64_t up = T_2026_10_24_22 + 205 * MIN_MS, end = T_2026_10_24_22 + 15 * HOUR_MS;
	const int64_t step = 5 * MIN_MS;
	long i = 0;
	int r = 0;

	for (int64_t ts = t0 + step; ts <= end && r == 0; ts += step, i++) {
		if (ts > down && ts < up)
			continue;
		if (ts >= up) {
			cur_boot = "fixture-boot-2";
			cur_ncpu = 4;
		}
		r = put_sample(s, i, ts, step,
			       ts > T_2026_10_24_22 && ts <= T_2026_10_24_22 + 330 * MIN_MS ? 1.0
											: 0.0);
	}
	if (r == 0)
		r = hr_store_set_meta(s, "ncpu", "4");
	return r;
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
		fprintf(stderr, "usage: hr-mkfixture idle|busy|dst|empty|month|month-rolled|gap|month-5m|reboot|reboot-rolled|\n"
				"       adv-cpu|adv-cpu-10s|adv-steal|adv-mem|adv-disk|adv-swapdisk|adv-nic|adv-nicerr|adv-growth PATH\n");
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
	} else if (!strcmp(sc, "adv-growth")) {
		r = adv_growth(s);
	} else if (!strncmp(sc, "adv-", 4) && (!strcmp(sc, "adv-cpu") || !strcmp(sc, "adv-steal") ||
		   !strcmp(sc, "adv-mem") || !strcmp(sc, "adv-swapdisk") || !strcmp(sc, "adv-disk") ||
		   !strcmp(sc, "adv-nic") || !strcmp(sc, "adv-nicerr"))) {
		r = adv_day(s, sc, MIN_MS);
	} else if (!strcmp(sc, "adv-cpu-10s")) {
		r = adv_day(s, sc, 10000);
	} else if (!strcmp(sc, "gap")) {
		r = span_of(s, &i, T_2026_11_28, T_2026_11_28 + 14 * HOUR_MS, MIN_MS, true);
		if (r == 0)
			r = span_of(s, &i, T_2026_11_28 + 16 * HOUR_MS + 30 * MIN_MS, T_2026_11_29,
				    MIN_MS, true);
	} else if (!strcmp(sc, "month-5m")) {
		r = span_of(s, &i, T_2026_11_29 - 31 * DAY_MS, T_2026_11_29, 5 * MIN_MS, true);
	} else if (!strcmp(sc, "reboot") || !strcmp(sc, "reboot-rolled")) {
		r = reboot_day(s);
		if (r == 0 && !strcmp(sc, "reboot-rolled"))
			r = roll(s, T_2026_10_24_22 + 15 * HOUR_MS + DAY_MS, DAY_MS);
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
