/*
 * activities.c - the table of report activities (headroom/analyze): for
 * each, the database table it reads and its columns under sar's names,
 * as aggregate SQL over the per-sample rows. Adding an activity = one
 * array of columns + one entry in hr_activities[]. Columns sar has but
 * the recorder does not collect are left out (docs/headroom.1 lists them).
 * Depends on nothing.
 */
#include <string.h>

#include "hr_analyze.h"
#include "banned.h"

/*
 * A column is scale * sum(num) / sum(den) over a bucket, so the average of
 * the whole range is the same ratio of the sums of every bucket (the
 * library accumulates those; no second scan). 0 when the denominator is 0.
 */
/* Span-weighted mean of a per-sample expression (rates, %, gauges). */
#define W(x) .num = "sum((" x ") * span)", .den = "sum(span)", .scale = 1
/* 100 * a / b of span-weighted sums (%memused, %vmeff...). */
#define PCT(a, b) .num = "sum((" a ") * span)", .den = "sum((" b ") * span)", .scale = 100
/* a / b of span-weighted sums (await weighted by transfers...). */
#define RATIO(a, b) .num = "sum((" a ") * span)", .den = "sum((" b ") * span)", .scale = 1

#define N(a) (sizeof(a) / sizeof((a)[0]))

/* sar -u: %system includes irq and softirq time, as sar's does. */
static const struct hr_column cpu_cols[] = {
	{.name = "%user", W("user"), .decimals = 2},
	{.name = "%nice", W("nice"), .decimals = 2},
	{.name = "%system", W("system + irq + soft"), .decimals = 2},
	{.name = "%iowait", W("iowait"), .decimals = 2},
	{.name = "%steal", W("steal"), .decimals = 2},
	{.name = "%idle", W("idle"), .decimals = 2},
};

/*
 * sar -u ALL: irq and softirq apart. No %guest/%gnice: the kernel counts
 * guest time inside user (and the recorder keeps user whole), so %usr here
 * is sar's %usr + %guest.
 */
static const struct hr_column cpu_all_cols[] = {
	{.name = "%usr", W("user"), .decimals = 2},
	{.name = "%nice", W("nice"), .decimals = 2},
	{.name = "%sys", W("system"), .decimals = 2},
	{.name = "%iowait", W("iowait"), .decimals = 2},
	{.name = "%steal", W("steal"), .decimals = 2},
	{.name = "%irq", W("irq"), .decimals = 2},
	{.name = "%soft", W("soft"), .decimals = 2},
	{.name = "%idle", W("idle"), .decimals = 2},
};

/* sar -w */
static const struct hr_column sched_cols[] = {
	{.name = "proc/s", W("proc_s"), .decimals = 2},
	{.name = "cswch/s", W("cswch_s"), .decimals = 2},
};

/* sar -W */
static const struct hr_column swapping_cols[] = {
	{.name = "pswpin/s", W("pswpin_s"), .decimals = 2},
	{.name = "pswpout/s", W("pswpout_s"), .decimals = 2},
};

/* sar -B */
static const struct hr_column paging_cols[] = {
	{.name = "pgpgin/s", W("pgpgin_s"), .decimals = 2},
	{.name = "pgpgout/s", W("pgpgout_s"), .decimals = 2},
	{.name = "fault/s", W("fault_s"), .decimals = 2},
	{.name = "majflt/s", W("majflt_s"), .decimals = 2},
	{.name = "pgfree/s", W("pgfree_s"), .decimals = 2},
	{.name = "pgscank/s", W("pgscank_s"), .decimals = 2},
	{.name = "pgscand/s", W("pgscand_s"), .decimals = 2},
	{.name = "pgsteal/s", W("pgsteal_s"), .decimals = 2},
	{.name = "%vmeff", PCT("pgsteal_s", "pgscank_s + pgscand_s"), .decimals = 2},
};

/* sar -b: sums over the whole disks; blocks are 512 bytes. No rtps/wtps/dtps. */
static const struct hr_column io_cols[] = {
	{.name = "tps", W("tps"), .decimals = 2},
	{.name = "bread/s", W("rkbps * 2"), .decimals = 2},
	{.name = "bwrtn/s", W("wkbps * 2"), .decimals = 2},
	{.name = "bdscd/s", W("dkbps * 2"), .decimals = 2},
};

/*
 * sar -r (no kbactive/kbinact: not recorded), plus kbslab of sar -r ALL.
 * kbmemused is sar's: total - free - buffers - cached - all of Slab (the
 * stored used_kb is free(1)'s, which keeps the unreclaimable slab in).
 */
#define SAR_USED "max(total_kb - free_kb - buffers_kb - cached_kb - slab_kb, 0)"
static const struct hr_column mem_cols[] = {
	{.name = "kbmemfree", W("free_kb"), .decimals = 0},
	{.name = "kbavail", W("avail_kb"), .decimals = 0},
	{.name = "kbmemused", W(SAR_USED), .decimals = 0},
	{.name = "%memused", PCT(SAR_USED, "total_kb"), .decimals = 2},
	{.name = "kbbuffers", W("buffers_kb"), .decimals = 0},
	{.name = "kbcached", W("cached_kb"), .decimals = 0},
	{.name = "kbcommit", W("commit_kb"), .decimals = 0},
	{.name = "%commit", W("commit_pct"), .decimals = 2},
	{.name = "kbdirty", W("dirty_kb"), .decimals = 0},
	{.name = "kbslab", W("slab_kb"), .decimals = 0},
};

/* sar -S */
static const struct hr_column swap_cols[] = {
	{.name = "kbswpfree", W("swap_total_kb - swap_used_kb"), .decimals = 0},
	{.name = "kbswpused", W("swap_used_kb"), .decimals = 0},
	{.name = "%swpused", PCT("swap_used_kb", "swap_total_kb"), .decimals = 2},
	{.name = "kbswpcad", W("swap_cached_kb"), .decimals = 0},
	{.name = "%swpcad", PCT("swap_cached_kb", "swap_used_kb"), .decimals = 2},
};

/* sar -q */
static const struct hr_column load_cols[] = {
	{.name = "runq-sz", W("runq_sz"), .decimals = 0},
	{.name = "plist-sz", W("plist_sz"), .decimals = 0},
	{.name = "ldavg-1", W("ldavg_1"), .decimals = 2},
	{.name = "ldavg-5", W("ldavg_5"), .decimals = 2},
	{.name = "ldavg-15", W("ldavg_15"), .decimals = 2},
	{.name = "blocked", W("blocked"), .decimals = 0},
};

/* sar -d: await weighted by transfers, areq-sz from the sums. */
static const struct hr_column disk_cols[] = {
	{.name = "tps", W("tps"), .decimals = 2},
	{.name = "rkB/s", W("rkbps"), .decimals = 2},
	{.name = "wkB/s", W("wkbps"), .decimals = 2},
	{.name = "dkB/s", W("dkbps"), .decimals = 2},
	{.name = "areq-sz", RATIO("rkbps + wkbps + dkbps", "tps"), .decimals = 2},
	{.name = "aqu-sz", W("aqu_sz"), .decimals = 2},
	{.name = "await", RATIO("await_ms * tps", "tps"), .decimals = 2},
	{.name = "%util", W("util_pct"), .decimals = 2},
};

/* sar -n DEV (no rxcmp/s txcmp/s rxmcst/s: not recorded) */
static const struct hr_column netdev_cols[] = {
	{.name = "rxpck/s", W("rxpck_s"), .decimals = 2},
	{.name = "txpck/s", W("txpck_s"), .decimals = 2},
	{.name = "rxkB/s", W("rxkbps"), .decimals = 2},
	{.name = "txkB/s", W("txkbps"), .decimals = 2},
	{.name = "%ifutil", W("ifutil_pct"), .decimals = 2},
};

/* sar -n EDEV (no txcarr/s rxfram/s rxfifo/s txfifo/s) */
static const struct hr_column netedev_cols[] = {
	{.name = "rxerr/s", W("rxerr_s"), .decimals = 2},
	{.name = "txerr/s", W("txerr_s"), .decimals = 2},
	{.name = "coll/s", W("coll_s"), .decimals = 2},
	{.name = "rxdrop/s", W("rxdrop_s"), .decimals = 2},
	{.name = "txdrop/s", W("txdrop_s"), .decimals = 2},
};

/* sar -n SOCK (no ip-frag) */
static const struct hr_column sock_cols[] = {
	{.name = "totsck", W("totsck"), .decimals = 0},
	{.name = "tcpsck", W("tcpsck"), .decimals = 0},
	{.name = "udpsck", W("udpsck"), .decimals = 0},
	{.name = "rawsck", W("rawsck"), .decimals = 0},
	{.name = "tcp-tw", W("tcp_tw"), .decimals = 0},
};

/* sar -n SOCK6 (no raw6sck, ip6-frag) */
static const struct hr_column sock6_cols[] = {
	{.name = "tcp6sck", W("tcp6sck"), .decimals = 0},
	{.name = "udp6sck", W("udp6sck"), .decimals = 0},
};

/* sar -n TCP */
static const struct hr_column tcp_cols[] = {
	{.name = "active/s", W("active_s"), .decimals = 2},
	{.name = "passive/s", W("passive_s"), .decimals = 2},
	{.name = "iseg/s", W("iseg_s"), .decimals = 2},
	{.name = "oseg/s", W("oseg_s"), .decimals = 2},
};

/* sar -n ETCP */
static const struct hr_column etcp_cols[] = {
	{.name = "atmptf/s", W("atmptf_s"), .decimals = 2},
	{.name = "estres/s", W("estres_s"), .decimals = 2},
	{.name = "retrans/s", W("retrans_s"), .decimals = 2},
	{.name = "isegerr/s", W("inerr_s"), .decimals = 2},
	{.name = "orsts/s", W("orsts_s"), .decimals = 2},
};

/* sar -n UDP */
static const struct hr_column udp_cols[] = {
	{.name = "idgm/s", W("idgm_s"), .decimals = 2},
	{.name = "odgm/s", W("odgm_s"), .decimals = 2},
	{.name = "noport/s", W("noport_s"), .decimals = 2},
	{.name = "idgmerr/s", W("idgmerr_s"), .decimals = 2},
};

/*
 * sar -q CPU/IO/MEM (pressure): the kernel's 60 s average and the share of
 * the interval stalled; the recorder keeps neither avg10 nor avg300.
 */
static const struct hr_column psi_cpu_cols[] = {
	{.name = "%scpu-60", W("some_avg60"), .decimals = 2},
	{.name = "%scpu", W("some_pct"), .decimals = 2},
};
static const struct hr_column psi_io_cols[] = {
	{.name = "%sio-60", W("some_avg60"), .decimals = 2},
	{.name = "%sio", W("some_pct"), .decimals = 2},
	{.name = "%fio-60", W("full_avg60"), .decimals = 2},
	{.name = "%fio", W("full_pct"), .decimals = 2},
};
static const struct hr_column psi_mem_cols[] = {
	{.name = "%smem-60", W("some_avg60"), .decimals = 2},
	{.name = "%smem", W("some_pct"), .decimals = 2},
	{.name = "%fmem-60", W("full_avg60"), .decimals = 2},
	{.name = "%fmem", W("full_pct"), .decimals = 2},
};

/* sar -F (MB = 1024 kB, as sar) */
static const struct hr_column fs_cols[] = {
	{.name = "MBfsfree", W("free_kb / 1024.0"), .decimals = 0},
	{.name = "MBfsused", W("(size_kb - free_kb) / 1024.0"), .decimals = 0},
	{.name = "%fsused", PCT("size_kb - free_kb", "size_kb"), .decimals = 2},
	{.name = "%ufsused", PCT("size_kb - avail_kb", "size_kb"), .decimals = 2},
	{.name = "Ifree", W("ffree"), .decimals = 0},
	{.name = "Iused", W("files - ffree"), .decimals = 0},
	{.name = "%Iused", PCT("files - ffree", "files"), .decimals = 2},
};

/*
 * --top: pidstat's names. A process is charged 0 in the samples where it
 * was in no top list, so its average is over the whole bucket: per bucket
 * the sum of value * span is divided by the span of every sample in the
 * bucket, then the top N by CPU are kept.
 */
static const struct hr_column top_cols[] = {
	{.name = "%CPU", .scale = 1, .decimals = 2},
	{.name = "RSS", .scale = 1, .decimals = 0},	/* maximum over the bucket */
	{.name = "SWAP", .scale = 1, .decimals = 0},	/* maximum over the bucket */
	{.name = "kB_rd/s", .scale = 1, .decimals = 2},
	{.name = "kB_wr/s", .scale = 1, .decimals = 2},
};

/*
 * Its rows, ranked by query.c (.top, see hr_analyze.h): one per sample and
 * listed process in time order, straight off the indexes, and one with a
 * NULL pid for a sample that listed none (its span still counts).
 */
static const char top_sql[] =
	"SELECT s.ts, t.pid, s.span, s.id, t.comm, t.cpu_pct * s.span, t.rss_kb, t.swap_kb,"
	" t.rkbps * s.span, t.wkbps * s.span"
	" FROM sample s LEFT JOIN proc t ON t.sample = s.id AND t.stat = 0"
	" WHERE s.ts BETWEEN ?1 AND ?2 AND hr_in_tod(s.ts, ?3, ?4)"
	" ORDER BY s.ts, s.id, t.pid";

#define COLS(a) .cols = a, .ncols = N(a)

const struct hr_activity hr_activities[] = {
	{.name = "cpu", .from = "cpu t", .key = "cpu", .keyname = "CPU", .key_all = true,
	 .keywidth = 7, COLS(cpu_cols)},
	{.name = "cpu-all", .from = "cpu t", .key = "cpu", .keyname = "CPU", .key_all = true,
	 .keywidth = 7, COLS(cpu_all_cols)},
	{.name = "sched", .from = "sched t", COLS(sched_cols)},
	{.name = "swapping", .from = "paging t", COLS(swapping_cols)},
	{.name = "paging", .from = "paging t", COLS(paging_cols)},
	{.name = "io", .from = "disk t", .sum_keys = true,
	 .select = "sum(t.tps) AS tps, sum(t.rkbps) AS rkbps, sum(t.wkbps) AS wkbps,"
		   " sum(t.dkbps) AS dkbps",
	 COLS(io_cols)},
	{.name = "memory", .from = "mem t", COLS(mem_cols)},
	{.name = "swap", .from = "mem t", COLS(swap_cols)},
	{.name = "load", .from = "load t JOIN sched u ON u.sample = t.sample AND u.stat = 0",
	 .select = "t.*, u.runq_sz AS runq_sz, u.blocked AS blocked", COLS(load_cols)},
	{.name = "psi-cpu", .from = "psi t", .where = "t.resource = 'cpu'", COLS(psi_cpu_cols)},
	{.name = "psi-io", .from = "psi t", .where = "t.resource = 'io'", COLS(psi_io_cols)},
	{.name = "psi-mem", .from = "psi t", .where = "t.resource = 'memory'",
	 COLS(psi_mem_cols)},
	{.name = "disk", .from = "disk t", .key = "dev", .keyname = "DEV", .keywidth = 9,
	 COLS(disk_cols)},
	{.name = "net-dev", .from = "net t", .key = "iface", .keyname = "IFACE", .keywidth = 9,
	 COLS(netdev_cols)},
	{.name = "net-edev", .from = "net t", .key = "iface", .keyname = "IFACE", .keywidth = 9,
	 COLS(netedev_cols)},
	{.name = "sock", .from = "sock t", COLS(sock_cols)},
	{.name = "sock6", .from = "sock t", COLS(sock6_cols)},
	{.name = "tcp", .from = "tcp t", COLS(tcp_cols)},
	{.name = "etcp", .from = "tcp t", COLS(etcp_cols)},
	{.name = "udp", .from = "tcp t", COLS(udp_cols)},
	{.name = "fs", .from = "fs t", .key = "mount", .tailname = "FILESYSTEM",
	 .tail = "max(device)", COLS(fs_cols)},
	{.name = "fs-mount", .from = "fs t", .key = "mount", .tailname = "FILESYSTEM",
	 .tail = "mount", COLS(fs_cols)},
	{.name = "top", .sql = top_sql, .top = true, .key = "pid", .keyname = "PID", .keywidth = 9,
	 .tailname = "Command", .tail = "comm", COLS(top_cols)},
};

const size_t hr_nactivities = N(hr_activities);

const struct hr_activity *hr_activity_find(const char *name)
{
	for (size_t i = 0; i < hr_nactivities; i++)
		if (!strcmp(hr_activities[i].name, name))
			return &hr_activities[i];
	return NULL;
}
