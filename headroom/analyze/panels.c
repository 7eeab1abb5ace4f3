/*
 * panels.c - the one table of chart panels (headroom/analyze): for each
 * chart, the table it reads, the per-sample expressions it plots, its unit,
 * and the threshold drawn as a dashed line. Adding a chart = one entry.
 * `headroom graph --panel NAME` selects every entry with that name.
 * Depends on nothing; hr_series.h documents the fields.
 */
#include <string.h>

#include "hr_series.h"
#include "banned.h"

#define N(a) (sizeof(a) / sizeof((a)[0]))
#define S(...) .series = {__VA_ARGS__}, .nseries = N(((struct hr_series_def[]){__VA_ARGS__}))

const struct hr_panel hr_panels[] = {
	{.name = "cpu", .title = "CPU utilisation (all cores)", .unit = "%", .table = "cpu",
	 .where = "t.cpu = -1", .stacked = true, .ymax = 100, .threshold = 90,
	 .threshold_label = "90% busy",
	 S({.label = "user", .expr = "t.user + t.nice"},
	   {.label = "system", .expr = "t.system + t.irq + t.soft"},
	   {.label = "iowait", .expr = "t.iowait"},
	   {.label = "steal", .expr = "t.steal"},
	   {.label = "busy (peak)", .expr = "100 - t.idle", .peak = true})},
	{.name = "load", .title = "Load average and run queue", .unit = "", .table = "load",
	 .join = "JOIN sched u ON u.sample = t.sample AND u.stat = t.stat",
	 S({.label = "ldavg-1", .expr = "t.ldavg_1"},
	   {.label = "ldavg-5", .expr = "t.ldavg_5"},
	   {.label = "ldavg-15", .expr = "t.ldavg_15"},
	   {.label = "runq-sz", .expr = "u.runq_sz"})},
	{.name = "procs", .title = "Process creations", .unit = "/s", .table = "sched",
	 S({.label = "proc/s", .expr = "t.proc_s"})},
	{.name = "procs", .title = "Context switches", .unit = "/s", .table = "sched",
	 S({.label = "cswch/s", .expr = "t.cswch_s"})},
	{.name = "memory", .title = "Memory", .unit = "B", .table = "mem",
	 S({.label = "used", .expr = "t.used_kb * 1024.0"},
	   {.label = "cached", .expr = "t.cached_kb * 1024.0"},
	   {.label = "buffers", .expr = "t.buffers_kb * 1024.0"},
	   {.label = "available", .expr = "t.avail_kb * 1024.0"})},
	{.name = "swap", .title = "Swap used", .unit = "B", .table = "mem",
	 S({.label = "swap used", .expr = "t.swap_used_kb * 1024.0"})},
	{.name = "swap", .title = "Swapping (pages)", .unit = "/s", .table = "paging",
	 S({.label = "pswpin/s", .expr = "t.pswpin_s"},
	   {.label = "pswpout/s", .expr = "t.pswpout_s"})},
	{.name = "paging", .title = "Page faults", .unit = "/s", .table = "paging",
	 S({.label = "fault/s", .expr = "t.fault_s"})},
	{.name = "paging", .title = "Major faults and page scans", .unit = "/s",
	 .table = "paging",
	 S({.label = "majflt/s", .expr = "t.majflt_s"},
	   {.label = "pgscan/s", .expr = "t.pgscank_s + t.pgscand_s"})},
	{.name = "disk", .title = "Disk throughput", .unit = "B/s", .table = "disk",
	 .key = "t.dev",
	 S({.label = "read", .expr = "t.rkbps * 1024.0"},
	   {.label = "write", .expr = "t.wkbps * 1024.0"})},
	{.name = "disk", .title = "Disk await (queue + service time)", .unit = "ms",
	 .table = "disk", .key = "t.dev", S({.label = "await", .expr = "t.await_ms"})},
	{.name = "disk", .title = "Disk utilisation", .unit = "%", .table = "disk",
	 .key = "t.dev", .ymax = 100, .threshold = 80, .threshold_label = "80% busy",
	 S({.label = "%util", .expr = "t.util_pct"})},
	{.name = "sockets", .title = "Sockets", .unit = "", .table = "sock",
	 S({.label = "tcp", .expr = "t.tcpsck + t.tcp6sck"},
	   {.label = "udp", .expr = "t.udpsck + t.udp6sck"},
	   {.label = "tcp-tw", .expr = "t.tcp_tw"})},
	{.name = "net", .title = "Network traffic", .unit = "B/s", .table = "net",
	 .key = "t.iface", .where = "t.iface <> 'lo'",
	 S({.label = "rx", .expr = "t.rxkbps * 1024.0"},
	   {.label = "tx", .expr = "t.txkbps * 1024.0"})},
	{.name = "neterr", .title = "Network errors and drops", .unit = "/s", .table = "net",
	 .key = "t.iface", .where = "t.iface <> 'lo'",
	 S({.label = "errors", .expr = "t.rxerr_s + t.txerr_s + t.coll_s"},
	   {.label = "drops", .expr = "t.rxdrop_s + t.txdrop_s"})},
	{.name = "psi", .title = "Pressure stall (some, share of time)", .unit = "%",
	 .table = "psi", .key = "t.resource", .threshold = 10,
	 .threshold_label = "10% stalled",
	 S({.label = "some", .expr = "t.some_pct"})},
};

const size_t hr_npanels = N(hr_panels);

bool hr_panel_known(const char *name)
{
	for (size_t i = 0; i < hr_npanels; i++)
		if (!strcmp(hr_panels[i].name, name))
			return true;
	return false;
}
