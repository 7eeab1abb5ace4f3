/*
 * hr_parse.h - pure parsers of the /proc and /sys formats the collectors
 * read (headroom/collect). No I/O, no globals: each takes (buf, len), never
 * reads past len, and fills a caller-provided struct. They are what the
 * golden tests check against captured trees and what the fuzz targets feed.
 *
 * Conventions: return 0 or -EINVAL when not one line of the expected shape
 * was found (-ENOMEM/-E2BIG for the allocating ones); unknown lines and
 * fields are skipped, so newer kernels with more fields and older ones with
 * fewer both parse. A field absent from the input is left 0 and its bit in
 * ->have stays clear where the difference matters. Arrays returned through
 * ret_* are malloc'd, owned by the caller (free()).
 */
#ifndef HR_PARSE_H
#define HR_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hr_collect.h"

#define HR_MAX_CPUS 8192
#define HR_MAX_DEVS 4096
#define HR_NAME_MAX 64

/* ---- /proc/stat ---- */
struct hr_cpu_ticks {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
};
struct hr_stat_cpu {
	int id;			/* -1 for the "cpu" total line */
	struct hr_cpu_ticks t;
};
struct hr_stat {
	struct hr_stat_cpu *cpu;	/* [0] is the total when present */
	size_t ncpu;
	uint64_t ctxt, intr, processes, procs_running, procs_blocked, btime;
};
/* On success st->cpu is malloc'd (free it, or hr_stat_release). */
int hr_parse_stat(const char *buf, size_t len, struct hr_stat *st);
void hr_stat_release(struct hr_stat *st);
/*
 * Percentages user nice system iowait steal irq soft idle (in that order)
 * between two readings of one cpu. A field that went backwards (iowait does
 * on NO_HZ kernels) counts as 0; a total that went backwards or did not move
 * is a reset: returns false and leaves pct untouched.
 */
bool hr_cpu_pct(const struct hr_cpu_ticks *prev, const struct hr_cpu_ticks *cur, double pct[8]);

/* ---- /proc/loadavg ---- */
struct hr_loadavg {
	double avg1, avg5, avg15;
	uint64_t runnable, threads;
};
int hr_parse_loadavg(const char *buf, size_t len, struct hr_loadavg *la);

/* ---- /proc/meminfo (kB) ---- */
enum {
	HR_MI_TOTAL, HR_MI_FREE, HR_MI_AVAILABLE, HR_MI_BUFFERS, HR_MI_CACHED, HR_MI_SWAPCACHED,
	HR_MI_SWAPTOTAL, HR_MI_SWAPFREE, HR_MI_DIRTY, HR_MI_SLAB, HR_MI_SRECLAIMABLE,
	HR_MI_COMMITTED, HR_MI_COMMITLIMIT, HR_MI_SHMEM, HR_MI_COUNT
};
struct hr_meminfo {
	uint64_t kb[HR_MI_COUNT];
	uint32_t have;		/* bit i set when kb[i] was in the input */
};
int hr_parse_meminfo(const char *buf, size_t len, struct hr_meminfo *mi);

/* ---- /proc/vmstat ---- */
struct hr_vmstat {
	uint64_t pgpgin, pgpgout, pswpin, pswpout, pgfault, pgmajfault, pgfree;
	uint64_t pgscan_kswapd, pgscan_direct, pgsteal;
};
int hr_parse_vmstat(const char *buf, size_t len, struct hr_vmstat *vm);

/* ---- /proc/diskstats ---- */
struct hr_disk {
	char name[HR_NAME_MAX];
	unsigned major, minor;
	uint64_t rd_ios, rd_sectors, rd_ticks, wr_ios, wr_sectors, wr_ticks;
	uint64_t io_ticks, time_in_queue, dc_ios, dc_sectors, dc_ticks;
	bool extended;		/* had the 11 classic fields (not a 2.6 partition line) */
};
int hr_parse_diskstats(const char *buf, size_t len, struct hr_disk **ret, size_t *ret_n);

/* ---- /proc/net/dev ---- */
struct hr_netdev {
	char name[HR_NAME_MAX];
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop, rx_multicast;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop, tx_colls;
};
int hr_parse_netdev(const char *buf, size_t len, struct hr_netdev **ret, size_t *ret_n);
/* /sys/class/net/X/speed: Mb/s, or 0 when unknown (-1, empty, EINVAL). */
uint64_t hr_parse_speed(const char *buf, size_t len);
/*
 * The ifindexes (at most CAP) of the calling process's network namespace
 * that carry a shaping qdisc (tbf, htb, hfsc, cbq), from an rtnetlink dump.
 * Returns 0 (*ret_n set) or -errno. Live only: no root prefix.
 */
#define HR_SHAPED_MAX 64
int hr_net_shaped(int *ret, size_t cap, size_t *ret_n);
/* The Mb/s LIST ("eth0:1000 veth0:10", LINK_SPEED) gives NAME, or 0. */
uint64_t hr_link_speed_opt(const char *list, const char *name);

/* ---- /proc/net/sockstat and sockstat6 ---- */
struct hr_sockstat {
	uint64_t used, tcp_inuse, tcp_orphan, tcp_tw, tcp_alloc, udp_inuse, raw_inuse;
	uint64_t tcp6_inuse, udp6_inuse, raw6_inuse;
};
/* Both files parse into the same struct; fields of the other stay as they were. */
int hr_parse_sockstat(const char *buf, size_t len, struct hr_sockstat *ss);

/* ---- /proc/net/snmp ---- */
struct hr_snmp {
	uint64_t active_opens, passive_opens, attempt_fails, estab_resets, curr_estab;
	uint64_t in_segs, out_segs, retrans_segs, in_errs, out_rsts;
	uint64_t udp_in, udp_out, udp_noports, udp_in_errors;
	bool have_tcp, have_udp;
};
int hr_parse_snmp(const char *buf, size_t len, struct hr_snmp *sn);

/* ---- /proc/pressure/{cpu,memory,io} ---- */
struct hr_psi {
	double some_avg10, some_avg60, full_avg10, full_avg60;
	uint64_t some_total, full_total;	/* microseconds stalled */
	bool have_some, have_full;
};
int hr_parse_pressure(const char *buf, size_t len, struct hr_psi *psi);

/* ---- /proc/mounts and /proc/filesystems ---- */
struct hr_mount {
	char device[HR_NAME_MAX];
	char dir[256];		/* octal escapes (\040) decoded */
	char type[32];
};
int hr_parse_mounts(const char *buf, size_t len, struct hr_mount **ret, size_t *ret_n);
/*
 * True if TYPE names a filesystem on storage: listed in /proc/filesystems
 * (BUF) without "nodev", or a network filesystem (nfs, nfs4, cifs, smb3).
 */
bool hr_fs_is_real(const char *buf, size_t len, const char *type);

/* ---- /proc/PID/stat, status, io ---- */
struct hr_pid_stat {
	char comm[HR_NAME_MAX];
	uint64_t ppid, flags, utime, stime, starttime, rss_pages;
};
#define HR_PF_KTHREAD 0x00200000u	/* flags: a kernel thread */
int hr_parse_pid_stat(const char *buf, size_t len, struct hr_pid_stat *ps);
/* VmSwap in kB (0 if absent, e.g. kernel threads). */
int hr_parse_pid_status_swap(const char *buf, size_t len, uint64_t *ret_kb);
struct hr_pid_io {
	uint64_t read_bytes, write_bytes;
};
int hr_parse_pid_io(const char *buf, size_t len, struct hr_pid_io *io);

/* ---- /proc/sys/kernel/random/boot_id ---- */
/* Copy the first line (at most HR_BOOT_ID_MAX-1 bytes) into out. */
int hr_parse_boot_id(const char *buf, size_t len, char out[HR_BOOT_ID_MAX]);

#endif
