/*
 * schema.c - the SQL of every schema version and the migrations between
 * them (headroom/store). migrations[i] turns version i into version i+1;
 * docs/headroom-schema.md describes the result. Never edit a released
 * step: add one. Depends on nothing.
 */
#include <stddef.h>

#include "hr_schema.h"
#include "banned.h"

/* Common leading columns of every metric table. */
#define HEAD "sample INTEGER NOT NULL, stat INTEGER NOT NULL DEFAULT 0"

static const char v1[] =
	"CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE boot(id INTEGER PRIMARY KEY, boot_id TEXT NOT NULL UNIQUE,"
	" first_ts INTEGER NOT NULL);"
	"CREATE TABLE sample(id INTEGER PRIMARY KEY, ts INTEGER NOT NULL, span INTEGER NOT NULL,"
	" level INTEGER NOT NULL DEFAULT 0, boot INTEGER REFERENCES boot(id));"
	"CREATE INDEX sample_level_ts ON sample(level, ts);"
	"CREATE INDEX sample_ts ON sample(ts);"
	"CREATE TABLE cpu(" HEAD ", cpu INTEGER NOT NULL, user REAL, nice REAL, system REAL,"
	" iowait REAL, steal REAL, irq REAL, soft REAL, idle REAL,"
	" PRIMARY KEY(sample, stat, cpu)) WITHOUT ROWID;"
	"CREATE TABLE sched(" HEAD ", runq_sz REAL, blocked REAL, proc_s REAL, cswch_s REAL,"
	" intr_s REAL, PRIMARY KEY(sample, stat)) WITHOUT ROWID;"
	"CREATE TABLE load(" HEAD ", ldavg_1 REAL, ldavg_5 REAL, ldavg_15 REAL, plist_sz REAL,"
	" PRIMARY KEY(sample, stat)) WITHOUT ROWID;"
	"CREATE TABLE mem(" HEAD ", total_kb INTEGER, free_kb INTEGER, avail_kb INTEGER,"
	" used_kb INTEGER, buffers_kb INTEGER, cached_kb INTEGER, commit_kb INTEGER,"
	" commit_pct REAL, dirty_kb INTEGER, slab_kb INTEGER, shmem_kb INTEGER,"
	" swap_total_kb INTEGER, swap_used_kb INTEGER, swap_cached_kb INTEGER,"
	" PRIMARY KEY(sample, stat)) WITHOUT ROWID;"
	"CREATE TABLE paging(" HEAD ", pgpgin_s REAL, pgpgout_s REAL, fault_s REAL, majflt_s REAL,"
	" pgfree_s REAL, pgscank_s REAL, pgscand_s REAL, pgsteal_s REAL, pswpin_s REAL,"
	" pswpout_s REAL, PRIMARY KEY(sample, stat)) WITHOUT ROWID;"
	"CREATE TABLE disk(" HEAD ", dev TEXT NOT NULL, tps REAL, rkbps REAL, wkbps REAL,"
	" dkbps REAL, await_ms REAL, aqu_sz REAL, util_pct REAL,"
	" PRIMARY KEY(sample, stat, dev)) WITHOUT ROWID;"
	"CREATE TABLE net(" HEAD ", iface TEXT NOT NULL, rxpck_s REAL, txpck_s REAL, rxkbps REAL,"
	" txkbps REAL, ifutil_pct REAL, rxerr_s REAL, txerr_s REAL, rxdrop_s REAL, txdrop_s REAL,"
	" coll_s REAL, PRIMARY KEY(sample, stat, iface)) WITHOUT ROWID;"
	"CREATE TABLE sock(" HEAD ", totsck REAL, tcpsck REAL, tcp6sck REAL, tcp_tw REAL,"
	" tcp_orphan REAL, udpsck REAL, udp6sck REAL, rawsck REAL,"
	" PRIMARY KEY(sample, stat)) WITHOUT ROWID;"
	"CREATE TABLE tcp(" HEAD ", active_s REAL, passive_s REAL, atmptf_s REAL, estres_s REAL,"
	" iseg_s REAL, oseg_s REAL, retrans_s REAL, retrans_pct REAL, inerr_s REAL, orsts_s REAL,"
	" estab REAL, idgm_s REAL, odgm_s REAL, noport_s REAL, idgmerr_s REAL,"
	" PRIMARY KEY(sample, stat)) WITHOUT ROWID;"
	"CREATE TABLE psi(" HEAD ", resource TEXT NOT NULL, some_pct REAL, full_pct REAL,"
	" some_avg60 REAL, full_avg60 REAL, PRIMARY KEY(sample, stat, resource)) WITHOUT ROWID;"
	"CREATE TABLE fs(" HEAD ", mount TEXT NOT NULL, device TEXT, size_kb INTEGER,"
	" free_kb INTEGER, avail_kb INTEGER, used_pct REAL, files INTEGER, ffree INTEGER,"
	" iused_pct REAL, PRIMARY KEY(sample, stat, mount)) WITHOUT ROWID;"
	"CREATE TABLE proc(" HEAD ", pid INTEGER NOT NULL, comm TEXT, cpu_pct REAL,"
	" rss_kb INTEGER, swap_kb INTEGER, rkbps REAL, wkbps REAL, top INTEGER,"
	" PRIMARY KEY(sample, stat, pid)) WITHOUT ROWID;";

/*
 * Version 2: where a sample came from (0 recorded here by headroom record,
 * 1 imported from a sysstat file; a pulled sample keeps its remote origin),
 * so an import never replaces a recorded interval and reports can say which
 * stretches lack what sysstat does not collect.
 */
static const char v2[] =
	"ALTER TABLE sample ADD COLUMN source INTEGER NOT NULL DEFAULT 0;";

const char *const hr_schema_migrations[HR_SCHEMA_STEPS] = {
	[0] = v1,
	[1] = v2,
};

const struct hr_schema_table hr_schema_tables[] = {
	{.name = "cpu", .key = "cpu"},
	{.name = "sched"},
	{.name = "load"},
	{.name = "mem"},
	{.name = "paging"},
	{.name = "disk", .key = "dev"},
	{.name = "net", .key = "iface"},
	{.name = "sock"},
	{.name = "tcp"},
	{.name = "psi", .key = "resource"},
	{.name = "fs", .key = "mount", .label = "device"},
	{.name = "proc", .key = "pid", .label = "comm", .top_only = true},
};

const size_t hr_schema_ntables = sizeof(hr_schema_tables) / sizeof(hr_schema_tables[0]);
