/*
 * test-collect-golden.c - the collectors against captured /proc and /sys
 * trees (tests/headroom/fixtures/<kernel>/t0, t1; hand-made in the formats
 * of a 6.x kernel with PSI and of a 3.2 kernel without PSI, MemAvailable or
 * /sys), sampled 10 s apart on a fixed clock. Checks hand-computed values,
 * then the whole output against fixtures/<kernel>/expected.txt (golden; set
 * HR_REGEN=1 to rewrite it after checking the diff by hand). Also: reboot
 * (boot id change) and counters that went backwards give no rows and no
 * negative value. Links hr_collect only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_collect.h"
#include "hr_parse.h"
#include "hr_test.h"

static char root[2048], src[2048];

static void load_tree(const char *fixture, const char *snap)
{
	char cmd[20000];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s' && mkdir -p '%s' && cp -a '%s/tests/headroom/fixtures/%s/%s/.' '%s/'",
		 root, root, src, fixture, snap, root);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot copy fixture %s/%s\n", fixture, snap);
		exit(1);
	}
}

/* Replace the tree's contents in place: the collector keeps its root fd. */
static void swap_tree(const char *fixture, const char *snap)
{
	char cmd[20000];

	snprintf(cmd, sizeof(cmd), "find '%s' -mindepth 1 -delete && cp -a '%s/tests/headroom/fixtures/%s/%s/.' '%s/'",
		 root, src, fixture, snap, root);
	if (system(cmd) != 0) {
		fprintf(stderr, "cannot swap fixture %s/%s\n", fixture, snap);
		exit(1);
	}
}

static const struct hr_row *find(const struct hr_rows *rows, const char *table, const char *key)
{
	for (size_t i = 0; i < rows->n; i++)
		if (!strcmp(rows->row[i].table->name, table) && !strcmp(rows->row[i].key, key))
			return &rows->row[i];
	return NULL;
}

static double get(const struct hr_rows *rows, const char *table, const char *key, const char *col)
{
	const struct hr_row *r = find(rows, table, key);

	if (!r) {
		fprintf(stderr, "no row %s[%s]\n", table, key);
		test_failures++;
		return -1e9;
	}
	for (size_t i = 0; i < r->table->ncols; i++)
		if (!strcmp(r->table->cols[i], col))
			return r->v[i];
	fprintf(stderr, "no column %s.%s\n", table, col);
	test_failures++;
	return -1e9;
}

static void no_negative(const struct hr_rows *rows)
{
	for (size_t i = 0; i < rows->n; i++)
		for (size_t c = 0; c < rows->row[i].table->ncols; c++)
			if (rows->row[i].v[c] < 0) {
				fprintf(stderr, "negative %s[%s].%s = %f\n", rows->row[i].table->name,
					rows->row[i].key, rows->row[i].table->cols[c], rows->row[i].v[c]);
				test_failures++;
			}
}

/* Text form of the rows; fs values depend on the disk the test runs on. */
static void dump(const struct hr_rows *rows, FILE *f)
{
	for (size_t i = 0; i < rows->n; i++) {
		const struct hr_row *r = &rows->row[i];
		bool mask = !strcmp(r->table->name, "fs");

		fprintf(f, "%s[%s]%s%s", r->table->name, r->key, r->label[0] ? " " : "", r->label);
		for (size_t c = 0; c < r->table->ncols; c++) {
			if (mask)
				fprintf(f, " %s=%s", r->table->cols[c], r->v[c] > 0 ? "+" : "0");
			else
				fprintf(f, " %s=%.2f", r->table->cols[c], r->v[c]);
		}
		fputc('\n', f);
	}
}

static void golden(const char *fixture, const struct hr_rows *rows)
{
	char exp[8192], act[8192], cmd[20000];
	FILE *f;

	snprintf(exp, sizeof(exp), "%s/tests/headroom/fixtures/%s/expected.txt", src, fixture);
	snprintf(act, sizeof(act), "%s/%s.actual", getenv("TEST_TMP"), fixture);
	f = fopen(getenv("HR_REGEN") ? exp : act, "w");
	if (!f) {
		perror("golden");
		test_failures++;
		return;
	}
	dump(rows, f);
	fclose(f);
	if (getenv("HR_REGEN"))
		return;
	snprintf(cmd, sizeof(cmd), "diff -u '%s' '%s'", exp, act);
	if (system(cmd) != 0) {
		fprintf(stderr, "golden output of %s differs (above)\n", fixture);
		test_failures++;
	}
}

static struct hr_collect *sample_pair_speed(const char *fixture, struct hr_rows *rows,
					     const char *link_speed)
{
	struct hr_collect_opts o = {.root = root};
	struct hr_collect *c = NULL;
	enum hr_sample_kind kind;

	snprintf(o.link_speed, sizeof(o.link_speed), "%s", link_speed);
	load_tree(fixture, "t0");
	CHECK_INT(hr_collect_new(&o, &c), 0);
	CHECK_INT(hr_collect_sample(c, 1000000000ULL, rows, &kind), 0);
	CHECK_INT(kind, HR_SAMPLE_BASELINE);
	CHECK_INT(rows->n, 0);
	swap_tree(fixture, "t1");
	CHECK_INT(hr_collect_sample(c, 11000000000ULL, rows, &kind), 0);
	CHECK_INT(kind, HR_SAMPLE_RATES);
	no_negative(rows);
	return c;
}

static struct hr_collect *sample_pair(const char *fixture, struct hr_rows *rows)
{
	return sample_pair_speed(fixture, rows, "");
}

static void test_linux61(void)
{
	struct hr_rows rows = {0};
	struct hr_collect *c = sample_pair("linux-6.1", &rows);
	enum hr_sample_kind kind;

	/* cpu0: +600 user +200 system +100 idle +50 iowait +50 soft of 1000 ticks */
	CHECK_NEAR(get(&rows, "cpu", "0", "user"), 60, 0.001);
	CHECK_NEAR(get(&rows, "cpu", "0", "system"), 20, 0.001);
	CHECK_NEAR(get(&rows, "cpu", "0", "idle"), 10, 0.001);
	CHECK_NEAR(get(&rows, "cpu", "0", "iowait"), 5, 0.001);
	CHECK_NEAR(get(&rows, "cpu", "0", "soft"), 5, 0.001);
	/* cpu1: iowait went back by 10 (NO_HZ): counted as 0, not negative */
	CHECK_NEAR(get(&rows, "cpu", "1", "iowait"), 0, 0.001);
	CHECK_NEAR(get(&rows, "cpu", "1", "idle"), 80, 0.001);
	/* all: 700 user of 1990 ticks */
	CHECK_NEAR(get(&rows, "cpu", "-1", "user"), 35.18, 0.001);
	CHECK_NEAR(get(&rows, "cpu", "-1", "idle"), 45.23, 0.001);
	CHECK_NEAR(get(&rows, "sched", "", "cswch_s"), 5000, 0.001);
	CHECK_NEAR(get(&rows, "sched", "", "proc_s"), 10, 0.001);
	CHECK_NEAR(get(&rows, "sched", "", "intr_s"), 2000, 0.001);
	CHECK_NEAR(get(&rows, "sched", "", "runq_sz"), 4, 0.001); /* procs_running 5, less the reader */
	CHECK_NEAR(get(&rows, "sched", "", "blocked"), 2, 0.001);
	CHECK_NEAR(get(&rows, "load", "", "ldavg_1"), 2.5, 0.001);
	CHECK_NEAR(get(&rows, "load", "", "plist_sz"), 259, 0.001); /* 260 threads, less the reader */
	CHECK_NEAR(get(&rows, "mem", "", "used_kb"), 3600000, 0.5);
	CHECK_NEAR(get(&rows, "mem", "", "avail_kb"), 5000000, 0.5);
	CHECK_NEAR(get(&rows, "mem", "", "commit_pct"), 40, 0.001);
	CHECK_NEAR(get(&rows, "mem", "", "swap_used_kb"), 500000, 0.5);
	CHECK_NEAR(get(&rows, "paging", "", "pgpgin_s"), 1024, 0.001);
	CHECK_NEAR(get(&rows, "paging", "", "pgscank_s"), 100, 0.001);
	CHECK_NEAR(get(&rows, "paging", "", "pgscand_s"), 20, 0.001);	/* throttle not counted */
	CHECK_NEAR(get(&rows, "paging", "", "pgsteal_s"), 100, 0.001);	/* anon/file not counted */
	CHECK_NEAR(get(&rows, "paging", "", "majflt_s"), 5, 0.001);
	/* sda: 1000 I/Os, 3000 kB read, 7000 kB written, 2000 ms waited, 5 s busy */
	CHECK_NEAR(get(&rows, "disk", "sda", "tps"), 100, 0.001);
	CHECK_NEAR(get(&rows, "disk", "sda", "rkbps"), 300, 0.001);
	CHECK_NEAR(get(&rows, "disk", "sda", "wkbps"), 700, 0.001);
	CHECK_NEAR(get(&rows, "disk", "sda", "await_ms"), 2, 0.001);
	CHECK_NEAR(get(&rows, "disk", "sda", "aqu_sz"), 2, 0.001);
	CHECK_NEAR(get(&rows, "disk", "sda", "util_pct"), 50, 0.001);
	CHECK(!find(&rows, "disk", "sda1"));	/* partition */
	CHECK(!find(&rows, "disk", "loop0"));	/* virtual */
	CHECK(!find(&rows, "disk", "sdb"));	/* never used */
	/* eth0: 12.5 MB/s in on a 1000 Mb/s link = 10 % */
	CHECK_NEAR(get(&rows, "net", "eth0", "ifutil_pct"), 10, 0.001);
	CHECK_NEAR(get(&rows, "net", "eth0", "rxpck_s"), 10000, 0.001);
	CHECK_NEAR(get(&rows, "net", "eth0", "txkbps"), 1000, 0.001);
	CHECK_NEAR(get(&rows, "net", "eth0", "rxdrop_s"), 0.5, 0.001);
	/* wlan0: 32-bit counters wrapped: 296 + 1000 bytes, 6 + 10 packets */
	CHECK_NEAR(get(&rows, "net", "wlan0", "rxpck_s"), 1.6, 0.001);
	CHECK_NEAR(get(&rows, "net", "wlan0", "rxkbps"), 0.13, 0.001);
	CHECK(isnan(get(&rows, "net", "wlan0", "ifutil_pct")));	/* speed -1: unknown */
	CHECK(isnan(get(&rows, "net", "lo", "ifutil_pct")));	/* no device: not a real speed */
	CHECK_NEAR(get(&rows, "sock", "", "tcp_tw"), 17, 0.001);
	CHECK_NEAR(get(&rows, "sock", "", "tcp6sck"), 8, 0.001);
	CHECK_NEAR(get(&rows, "tcp", "", "retrans_s"), 20, 0.001);
	CHECK_NEAR(get(&rows, "tcp", "", "retrans_pct"), 2, 0.001);
	CHECK_NEAR(get(&rows, "tcp", "", "estab"), 42, 0.001);
	CHECK_NEAR(get(&rows, "tcp", "", "idgm_s"), 50, 0.001);
	CHECK_NEAR(get(&rows, "psi", "cpu", "some_pct"), 10, 0.001);
	CHECK_NEAR(get(&rows, "psi", "memory", "full_pct"), 2.5, 0.001);
	CHECK_NEAR(get(&rows, "psi", "io", "some_pct"), 20, 0.001);
	CHECK_NEAR(get(&rows, "psi", "io", "some_avg60"), 5, 0.001);
	/* fs: / once (the /home bind of the same device is not repeated) */
	CHECK(find(&rows, "fs", "/") != NULL);
	CHECK(!find(&rows, "fs", "/home"));
	CHECK(!find(&rows, "fs", "/run"));
	CHECK(get(&rows, "fs", "/", "size_kb") > 0);
	/* procs: 200 ticks of 100 Hz in 10 s = 20 %, 10 MiB written = 1024 kB/s */
	CHECK_NEAR(get(&rows, "proc", "4242", "cpu_pct"), 20, 0.001);
	CHECK_NEAR(get(&rows, "proc", "4242", "wkbps"), 1024, 0.001);
	CHECK_NEAR(get(&rows, "proc", "4242", "swap_kb"), 2048, 0.001);
	CHECK(!strcmp(find(&rows, "proc", "4242")->label, "my (weird) cmd"));
	CHECK_NEAR(get(&rows, "proc", "5000", "cpu_pct"), 5, 0.001);	/* born in the interval */
	CHECK_NEAR(get(&rows, "proc", "5000", "rkbps"), 2, 0.001);
	CHECK_NEAR(get(&rows, "proc", "7000", "cpu_pct"), 1, 0.001);	/* pid reused */
	CHECK(!find(&rows, "proc", "6000"));	/* gone */
	CHECK_INT((int)get(&rows, "proc", "4242", "top"), 1 | 2 | 4);
	golden("linux-6.1", &rows);

	/* Counters that went back without a reboot: no rows, nothing negative. */
	swap_tree("linux-6.1", "t0");
	CHECK_INT(hr_collect_sample(c, 21000000000ULL, &rows, &kind), 0);
	CHECK_INT(kind, HR_SAMPLE_RATES);
	no_negative(&rows);
	CHECK(!find(&rows, "cpu", "-1"));
	CHECK(!find(&rows, "disk", "sda"));
	CHECK(!find(&rows, "net", "eth0"));

	/* A reboot: the boot id changes, counters restart lower. */
	FILE *f;
	char path[4200];
	snprintf(path, sizeof(path), "%s/proc/sys/kernel/random/boot_id", root);
	f = fopen(path, "w");
	CHECK(f != NULL);
	if (f) {
		fputs("99999999-0000-4000-8000-000000000000\n", f);
		fclose(f);
	}
	CHECK_INT(hr_collect_sample(c, 31000000000ULL, &rows, &kind), 0);
	CHECK_INT(kind, HR_SAMPLE_REBOOT);
	CHECK_INT(rows.n, 0);
	CHECK(!strcmp(hr_collect_boot_id(c), "99999999-0000-4000-8000-000000000000"));
	/* Same time again is refused; the next interval gives rates again. */
	CHECK_INT(hr_collect_sample(c, 31000000000ULL, &rows, &kind), -EINVAL);
	CHECK_INT(hr_collect_sample(c, 41000000000ULL, &rows, &kind), 0);
	CHECK_INT(kind, HR_SAMPLE_RATES);
	CHECK(!find(&rows, "cpu", "-1"));	/* no tick moved: no cpu row */
	CHECK_NEAR(get(&rows, "disk", "sda", "tps"), 0, 0.001);	/* idle disk: zeros */
	no_negative(&rows);
	hr_collect_free(c);
	hr_rows_release(&rows);
}

static void test_linux32(void)
{
	struct hr_rows rows = {0};
	struct hr_collect *c = sample_pair("linux-3.2-nopsi", &rows);

	CHECK_NEAR(get(&rows, "cpu", "-1", "user"), 25, 0.001);
	CHECK_NEAR(get(&rows, "cpu", "0", "iowait"), 25, 0.001);
	CHECK_NEAR(get(&rows, "sched", "", "blocked"), 3, 0.001);
	/* no MemAvailable: free + buffers + cached */
	CHECK_NEAR(get(&rows, "mem", "", "avail_kb"), 450000, 0.5);
	CHECK_NEAR(get(&rows, "mem", "", "used_kb"), 534000, 0.5);
	CHECK_NEAR(get(&rows, "mem", "", "commit_pct"), 75, 0.001);
	/* zoned vmstat counters summed */
	CHECK_NEAR(get(&rows, "paging", "", "pgscank_s"), 20, 0.001);
	CHECK_NEAR(get(&rows, "paging", "", "pgscand_s"), 1, 0.001);
	CHECK_NEAR(get(&rows, "paging", "", "pgsteal_s"), 10, 0.001);
	/* 11-field diskstats; no /sys: partitions found by name */
	CHECK_NEAR(get(&rows, "disk", "sda", "tps"), 20, 0.001);
	CHECK_NEAR(get(&rows, "disk", "sda", "rkbps"), 100, 0.001);
	CHECK_NEAR(get(&rows, "disk", "sda", "await_ms"), 2, 0.001);
	CHECK_NEAR(get(&rows, "disk", "sda", "util_pct"), 20, 0.001);
	CHECK_NEAR(get(&rows, "disk", "sda", "aqu_sz"), 0.22, 0.001);
	CHECK(find(&rows, "disk", "vda") != NULL);
	CHECK(!find(&rows, "disk", "vda1"));
	CHECK(!find(&rows, "disk", "sda1"));
	CHECK(!find(&rows, "disk", "ram0"));
	CHECK_NEAR(get(&rows, "net", "eth0", "rxkbps"), 20, 0.001);
	CHECK(isnan(get(&rows, "net", "eth0", "ifutil_pct")));	/* no /sys: unknown */
	CHECK_NEAR(get(&rows, "net", "eth0", "coll_s"), 0.2, 0.001);
	CHECK_NEAR(get(&rows, "tcp", "", "retrans_pct"), 10, 0.001);
	CHECK_NEAR(get(&rows, "tcp", "", "odgm_s"), 2, 0.001);
	CHECK_NEAR(get(&rows, "sock", "", "tcp6sck"), 0, 0.001);	/* no sockstat6 */
	CHECK(!find(&rows, "psi", "cpu"));	/* no /proc/pressure */
	CHECK_NEAR(get(&rows, "proc", "300", "cpu_pct"), 25, 0.001);
	CHECK_NEAR(get(&rows, "proc", "300", "rss_kb"), 84000, 0.001);
	golden("linux-3.2-nopsi", &rows);
	hr_collect_free(c);
	hr_rows_release(&rows);
}

/* LINK_SPEED gives the real speed, over /sys and where /sys has none. */
static void test_link_speed(void)
{
	struct hr_rows rows = {0};
	struct hr_collect *c = sample_pair_speed("linux-6.1", &rows, "wlan0:1, eth0:2000");

	CHECK_NEAR(get(&rows, "net", "eth0", "ifutil_pct"), 5, 0.001);
	/* 1296 bytes in 10 s on 1 Mb/s */
	CHECK_NEAR(get(&rows, "net", "wlan0", "ifutil_pct"), 0.1, 0.001);
	CHECK(isnan(get(&rows, "net", "lo", "ifutil_pct")));
	hr_collect_free(c);
	hr_rows_release(&rows);
	CHECK_INT(hr_link_speed_opt("eth0:1000 veth-a:10", "veth-a"), 10);
	CHECK_INT(hr_link_speed_opt("eth0:1000 veth-a:10", "eth"), 0);
	CHECK_INT(hr_link_speed_opt("", "eth0"), 0);
}

static void test_disabled_and_missing(void)
{
	struct hr_rows rows = {0};
	struct hr_collect *c = NULL;
	struct hr_collect_opts o = {.root = root};
	enum hr_sample_kind kind;
	int cpu = hr_collector_find("cpu");

	CHECK(cpu >= 0);
	CHECK_INT(hr_collector_find("nope"), -ENOENT);
	/* An empty root (a container without /proc access): no rows, no error. */
	load_tree("linux-6.1", "t0");
	{
		char cmd[8400];
		snprintf(cmd, sizeof(cmd), "find '%s' -mindepth 1 -delete", root);
		CHECK_INT(system(cmd), 0);
	}
	CHECK_INT(hr_collect_new(&o, &c), 0);
	CHECK_INT(hr_collect_sample(c, 1, &rows, &kind), 0);
	CHECK_INT(hr_collect_sample(c, 2, &rows, &kind), 0);
	CHECK_INT(rows.n, 0);
	hr_collect_free(c);
	/* Only the cpu collector enabled: only cpu and sched rows. */
	o.enabled = 1ULL << cpu;
	load_tree("linux-6.1", "t0");
	CHECK_INT(hr_collect_new(&o, &c), 0);
	CHECK_INT(hr_collect_sample(c, 1, &rows, &kind), 0);
	swap_tree("linux-6.1", "t1");
	CHECK_INT(hr_collect_sample(c, 10000000001ULL, &rows, &kind), 0);
	for (size_t i = 0; i < rows.n; i++)
		CHECK(!strcmp(rows.row[i].table->name, "cpu") ||
		      !strcmp(rows.row[i].table->name, "sched"));
	CHECK_INT(rows.n, 4);
	hr_collect_free(c);
	hr_rows_release(&rows);
	/* A root that does not exist. */
	o.root = "/nonexistent/headroom-root";
	CHECK_INT(hr_collect_new(&o, &c), -ENOENT);
}

int main(void)
{
	const char *tmp = getenv("TEST_TMP"), *s = getenv("SRC_DIR");

	if (!tmp || !s) {
		fprintf(stderr, "TEST_TMP and SRC_DIR must be set (run through tests/run-tests.sh)\n");
		return 1;
	}
	snprintf(root, sizeof(root), "%s/root", tmp);
	snprintf(src, sizeof(src), "%s", s);
	test_linux61();
	test_linux32();
	test_link_speed();
	test_disabled_and_missing();
	return test_result("test-collect-golden");
}
