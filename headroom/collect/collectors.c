/*
 * collectors.c - the registration table of headroom's collectors
 * (headroom/collect), in the spirit of sysstat's act[]: one entry per /proc
 * or /sys source. Order matters only in that meminfo runs before procs (the
 * procs collector skips per-process swap reads while no swap is in use).
 */
#include "hr_collect.h"
#include "hr_sources.h"
#include "cleanup.h"
#include "banned.h"

#define ENTRY(n, x, src)                                                                         \
	{                                                                                        \
		.name = n, .source = src, .tables = hr_##x##_tables, .sample = hr_##x##_sample,  \
		.free_state = hr_##x##_free,                                                     \
	}

const struct hr_collector hr_collectors[] = {
	ENTRY("cpu", stat, "/proc/stat"),
	ENTRY("load", loadavg, "/proc/loadavg"),
	ENTRY("memory", meminfo, "/proc/meminfo"),
	ENTRY("paging", vmstat, "/proc/vmstat"),
	ENTRY("disk", diskstats, "/proc/diskstats, /sys/block"),
	ENTRY("net", netdev, "/proc/net/dev, /sys/class/net/*/speed"),
	ENTRY("sockets", sockstat, "/proc/net/sockstat, /proc/net/sockstat6"),
	ENTRY("snmp", snmp, "/proc/net/snmp"),
	ENTRY("psi", pressure, "/proc/pressure/{cpu,memory,io}"),
	ENTRY("fs", fs, "/proc/mounts, /proc/filesystems, statvfs()"),
	ENTRY("procs", procs, "/proc/PID/{stat,status,io}"),
};

const size_t hr_ncollectors = ARRAY_SIZE(hr_collectors);
