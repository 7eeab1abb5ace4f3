/*
 * test-advise.c - unit tests of the advisor's pure logic (headroom/analyze
 * advise.c) over hand-made series, no database: sustained stretches versus
 * short spikes, gaps that break a stretch, thresholds overridden as the
 * config file does, steal demoting an upgrade, disk load blamed on
 * swapping, the least-squares forecast, verdict exit codes.
 */
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hr_advise.h"
#include "hr_config.h"
#include "hr_test.h"
#include "banned.h"

#define MIN 60000LL
#define T0 1795820400000LL /* 2026-11-28 00:00 CET */

static void point(struct hr_resource *r, int64_t start, int64_t len, int col, double v)
{
	double vals[HR_SERIES_COLS];

	for (int i = 0; i < HR_SERIES_COLS; i++)
		vals[i] = 0;
	if (r->s.kind == HR_RES_MEM)
		vals[HR_MEM_AVAIL_PCT] = 60;
	vals[col] = v;
	CHECK_INT(hr_aseries_add(&r->s, start, len, vals), 0);
}

/* CPU busy: BASE everywhere, HIGH for the minutes in [a, b) of each range given. */
static struct hr_advice *cpu_day(const int (*ranges)[2], size_t n, const struct hr_thresholds *th)
{
	struct hr_advice *a = calloc(1, sizeof(*a));
	struct hr_resource *r;

	a->th = *th;
	a->ncpu = 2;
	r = hr_advice_add(a, HR_RES_CPU, "");
	for (int m = 0; m < 24 * 60; m++) {
		double v = 10;
		for (size_t k = 0; k < n; k++)
			if (m >= ranges[k][0] && m < ranges[k][1])
				v = 95;
		point(r, T0 + m * MIN, MIN, HR_CPU_BUSY, v);
	}
	hr_advise_eval(a);
	return a;
}

static const struct hr_finding *find(const struct hr_resource *r, const char *rule)
{
	for (size_t i = 0; i < r->nfind; i++)
		if (!strcmp(r->find[i].rule, rule))
			return &r->find[i];
	return NULL;
}

static void test_sustained_vs_spikes(void)
{
	struct hr_thresholds th;
	const int pegged[][2] = {{540, 780}, {900, 905}, {960, 965}};
	const int spikes[][2] = {{600, 610}, {700, 714}, {800, 805}};
	const int gap[][2] = {{600, 610}, {613, 623}}; /* 3 missing... no: 3 low minutes */
	struct hr_advice *a;
	const struct hr_finding *f;

	hr_thresholds_defaults(&th);
	a = cpu_day(pegged, 3, &th);
	CHECK_INT(a->worst, HR_UPGRADE);
	f = find(&a->res[0], "cpu-busy");
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->ep.longest_ms, 240 * MIN);
		CHECK_INT(f->ep.sustained_ms, 240 * MIN);
		CHECK_INT(f->ep.total_ms, 250 * MIN);
		CHECK_INT(f->ep.longest_start, T0 + 540 * MIN);
		CHECK_INT(f->ep.worst_day, T0);
		CHECK_NEAR(f->ep.peak, 95, 1e-9);
		CHECK_INT(f->ep.nint, 1);
	}
	CHECK_INT(hr_verdict_exit(a->worst), 12);
	hr_advice_free(a);

	/* Spikes of 10, 14 and 5 minutes: evidence, verdict ok. */
	a = cpu_day(spikes, 3, &th);
	CHECK_INT(a->worst, HR_OK);
	f = find(&a->res[0], "cpu-busy");
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->verdict, HR_OK);
		CHECK_INT(f->ep.longest_ms, 14 * MIN);
		CHECK_INT(f->ep.sustained_ms, 0);
		CHECK(strstr(f->note, "short spikes") != NULL);
	}
	CHECK_INT(hr_verdict_exit(a->worst), 0);
	hr_advice_free(a);

	/* Two 10-minute stretches 3 minutes apart are two stretches. */
	a = cpu_day(gap, 2, &th);
	CHECK_INT(a->worst, HR_OK);
	hr_advice_free(a);

	/* The same spikes with a 5-minute minimum (CPU_SUSTAINED_MIN=5) count. */
	CHECK_INT(hr_thresholds_set(&th, "CPU_SUSTAINED_MIN", 5), 0);
	a = cpu_day(spikes, 3, &th);
	CHECK_INT(a->worst, HR_UPGRADE);
	f = find(&a->res[0], "cpu-busy");
	if (f)
		CHECK_INT(f->ep.sustained_ms, 29 * MIN);
	hr_advice_free(a);

	/* --min-sustained in seconds replaces every minimum. */
	hr_thresholds_defaults(&th);
	th.min_sustained_s = 600;
	a = cpu_day(spikes, 3, &th);
	f = find(&a->res[0], "cpu-busy");
	if (f)
		CHECK_INT(f->ep.sustained_ms, 24 * MIN);
	hr_advice_free(a);
}

static void test_thresholds(void)
{
	struct hr_thresholds th;
	const int pegged[][2] = {{540, 780}};
	struct hr_advice *a;

	hr_thresholds_defaults(&th);
	CHECK_NEAR(th.v[HR_TH_CPU_BUSY_PCT], 90, 0);
	CHECK_INT(hr_thresholds_set(&th, "NO_SUCH", 1), -ENOENT);
	CHECK_INT(hr_thresholds_set(&th, "CPU_BUSY_PCT", -1), -ERANGE);
	/* Every row of the table has a name, a unit and a source. */
	for (size_t i = 0; i < HR_TH_COUNT; i++) {
		CHECK(hr_threshold_defs[i].name && hr_threshold_defs[i].source &&
		      hr_threshold_defs[i].unit && hr_threshold_defs[i].what);
		if (hr_threshold_defs[i].name)
			CHECK_INT(hr_thresholds_set(&th, hr_threshold_defs[i].name,
						    hr_threshold_defs[i].def),
				  0);
	}
	/* THRESHOLD_CPU_BUSY_PCT=99 from the config: 95% is no longer busy. */
	CHECK_INT(hr_thresholds_set(&th, "CPU_BUSY_PCT", 99), 0);
	a = cpu_day(pegged, 1, &th);
	CHECK_INT(a->worst, HR_OK);
	CHECK_INT(a->res[0].nfind, 0);
	hr_advice_free(a);
	CHECK_INT(hr_verdict_exit(HR_WATCH), 10);
	CHECK_INT(hr_verdict_exit(HR_INVESTIGATE), 11);
	CHECK(strcmp(hr_verdict_name(HR_UPGRADE), "upgrade") == 0);
}

/* THRESHOLD_* lines of the config file reach the table (as advise applies them). */
static void test_config(void)
{
	static const char conf[] =
	    "# advise\nTHRESHOLD_CPU_BUSY_PCT=85\nTHRESHOLD_CPU_BUSY_PCT=99\n"
	    "THRESHOLD_DISK_UTIL_PCT=60\nTHRESHOLD_NOPE=3\n";
	struct hr_config cfg;
	struct hr_thresholds th;
	char err[256] = "";
	int unknown = 0;

	hr_config_defaults(&cfg);
	CHECK_INT(hr_config_parse(conf, sizeof(conf) - 1, &cfg, err, sizeof(err)), 0);
	CHECK_INT(cfg.nthresholds, 3);
	hr_thresholds_defaults(&th);
	for (size_t i = 0; i < cfg.nthresholds; i++)
		if (hr_thresholds_set(&th, cfg.thresholds[i].name,
				      (double)cfg.thresholds[i].value) == -ENOENT)
			unknown++;
	CHECK_INT(unknown, 1);			     /* NOPE: advise refuses the file */
	CHECK_NEAR(th.v[HR_TH_CPU_BUSY_PCT], 99, 0); /* the last line wins */
	CHECK_NEAR(th.v[HR_TH_DISK_UTIL_PCT], 60, 0);
	CHECK_NEAR(th.v[HR_TH_MEM_AVAIL_PCT], 10, 0);
	/* a threshold is an integer */
	hr_config_defaults(&cfg);
	const char *bad = "THRESHOLD_CPU_BUSY_PCT=9x\n";
	CHECK(hr_config_parse(bad, strlen(bad), &cfg, err, sizeof(err)) < 0);
	/* LINK_SPEED: IFACE:MBIT, space- or comma-separated, each > 0 */
	hr_config_defaults(&cfg);
	const char *ls = "LINK_SPEED=eth0:1000, veth-a:10\n";
	CHECK_INT(hr_config_parse(ls, strlen(ls), &cfg, err, sizeof(err)), 0);
	CHECK_STR(cfg.link_speed, "eth0:1000, veth-a:10");
	static const char *const bad_ls[] = {"LINK_SPEED=eth0\n", "LINK_SPEED=eth0:0\n",
					     "LINK_SPEED=eth0:1g\n", "LINK_SPEED=:100\n",
					     "LINK_SPEED=eth0:\n"};
	for (size_t i = 0; i < sizeof(bad_ls) / sizeof(bad_ls[0]); i++) {
		hr_config_defaults(&cfg);
		CHECK(hr_config_parse(bad_ls[i], strlen(bad_ls[i]), &cfg, err, sizeof(err)) < 0);
		CHECK(strstr(err, "LINK_SPEED") != NULL);
	}
}

static void test_steal_and_swap(void)
{
	struct hr_thresholds th;
	struct hr_advice *a = calloc(1, sizeof(*a));
	struct hr_resource *cpu, *mem, *disk;

	hr_thresholds_defaults(&th);
	a->th = th;
	a->ncpu = 2;
	cpu = hr_advice_add(a, HR_RES_CPU, "");
	mem = hr_advice_add(a, HR_RES_MEM, "");
	disk = hr_advice_add(a, HR_RES_DISK, "sda");
	/* hr_advice_add may move earlier resources: look them up again after adding. */
	cpu = &a->res[0];
	mem = &a->res[1];
	disk = &a->res[2];
	for (int m = 0; m < 120; m++) {
		double vc[HR_SERIES_COLS] = {95, m >= 30 ? 30 : 0, 0, 0, 0, 0};
		double vm[HR_SERIES_COLS] = {
		    m >= 60 ? 3 : 50, m >= 60 ? 500 : 0, m >= 60 ? 300 : 0, 0, 0, 0};
		double vd[HR_SERIES_COLS] = {m >= 60 ? 96 : 5, 0, 0, 0, 0, 0};
		hr_aseries_add(&cpu->s, T0 + m * MIN, MIN, vc);
		hr_aseries_add(&mem->s, T0 + m * MIN, MIN, vm);
		hr_aseries_add(&disk->s, T0 + m * MIN, MIN, vd);
	}
	hr_advise_eval(a);
	CHECK_INT(cpu->verdict, HR_INVESTIGATE); /* steal: ask the host, not an upgrade */
	CHECK_INT(mem->verdict, HR_UPGRADE);
	CHECK_INT(disk->verdict, HR_WATCH); /* a symptom of swapping */
	const struct hr_finding *f = find(disk, "disk-busy");
	CHECK(f && f->cause == HR_CAUSE_MEMORY && strstr(f->evidence, "the swapping's I/O"));
	CHECK_INT(a->worst, HR_UPGRADE);
	hr_advice_free(a);
}

/* Swapping without little available memory still takes the blame for a busy disk. */
static void test_swap_blame(void)
{
	struct hr_thresholds th;
	struct hr_advice *a = calloc(1, sizeof(*a));

	hr_thresholds_defaults(&th);
	a->th = th;
	hr_advice_add(a, HR_RES_MEM, "");
	hr_advice_add(a, HR_RES_DISK, "sda");
	for (int m = 0; m < 60; m++) {
		double vm[HR_SERIES_COLS] = {40, 200, 5, 0, 0, 0};
		double vd[HR_SERIES_COLS] = {90, 0, 0, 0, 0, 0};
		hr_aseries_add(&a->res[0].s, T0 + m * MIN, MIN, vm);
		hr_aseries_add(&a->res[1].s, T0 + m * MIN, MIN, vd);
	}
	hr_advise_eval(a);
	CHECK_INT(a->res[1].verdict, HR_WATCH);
	CHECK_INT(a->res[0].verdict, HR_UPGRADE);
	CHECK(find(&a->res[0], "mem-swap-disk") != NULL);
	CHECK(find(&a->res[0], "mem-starved") == NULL);
	hr_advice_free(a);
}

/*
 * Cause before symptom at any level: a disk only at "watch" (I/O pressure,
 * 50% busy) while memory swaps says it is the swapping's I/O, names its
 * processes as faulting, and never as a rogue even when one did it all;
 * memory is not escalated for a disk that was not saturated.
 */
static void test_swap_watch(void)
{
	struct hr_thresholds th;
	struct hr_advice *a = calloc(1, sizeof(*a));

	hr_thresholds_defaults(&th);
	a->th = th;
	hr_advice_add(a, HR_RES_MEM, "");
	hr_advice_add(a, HR_RES_DISK, "sda");
	for (int m = 0; m < 60; m++) {
		double vm[HR_SERIES_COLS] = {40, 200, 150, 0, 0, 0};
		double vd[HR_SERIES_COLS] = {50, 0, 0, 30, 900, 0};
		hr_aseries_add(&a->res[0].s, T0 + m * MIN, MIN, vm);
		hr_aseries_add(&a->res[1].s, T0 + m * MIN, MIN, vd);
	}
	hr_advise_eval(a);
	struct hr_finding *f = (struct hr_finding *)find(&a->res[1], "disk-pressure");
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->verdict, HR_WATCH);
		CHECK_INT(f->cause, HR_CAUSE_MEMORY);
		CHECK(strstr(f->evidence, "100% of it while the system was swapping") != NULL);
		/* one program did all the processes' I/O: still the faulting one */
		snprintf(f->culprit.comm, sizeof(f->culprit.comm), "stress-ng-vm");
		f->culprit.pid = 77;
		f->culprit.npid = 1;
		f->culprit.kbps = f->culprit.all_kbps = 900;
		hr_advise_conclude(a);
		CHECK(strstr(f->evidence, "hammering") == NULL &&
		      strstr(f->evidence, "is doing") == NULL);
		CHECK(find(&a->res[1], "disk-rogue") == NULL);
	}
	CHECK_INT(a->res[1].verdict, HR_WATCH);
	CHECK_INT(a->res[0].verdict, HR_WATCH); /* swapping, no saturated disk: no upgrade */
	CHECK(find(&a->res[0], "mem-swap-disk") == NULL);
	hr_advice_free(a);
}

/* A disk busy for an hour; SHARE of the processes' I/O is one program's. */
static struct hr_advice *busy_disk(double share)
{
	struct hr_thresholds th;
	struct hr_advice *a = calloc(1, sizeof(*a));

	hr_thresholds_defaults(&th);
	a->th = th;
	hr_advice_add(a, HR_RES_MEM, "");
	hr_advice_add(a, HR_RES_DISK, "sda");
	/* busy 0-50 min, idle 50-52, a 3-minute spike 52-55 (a note: shorter spikes) */
	for (int m = 0; m < 60; m++) {
		bool busy = m < 50 || (m >= 52 && m < 55);
		double vm[HR_SERIES_COLS] = {60, 0, 0, 0, 0, 0};
		double vd[HR_SERIES_COLS] = {
		    busy ? 97 : 5, busy ? 8 : 0, busy ? 120 : 1, 10, 1000, 0};
		hr_aseries_add(&a->res[0].s, T0 + m * MIN, MIN, vm);
		hr_aseries_add(&a->res[1].s, T0 + m * MIN, MIN, vd);
	}
	hr_advise_eval(a);
	for (size_t i = 0; i < a->res[1].nfind; i++) {
		struct hr_culprit *c = &a->res[1].find[i].culprit;
		snprintf(c->comm, sizeof(c->comm), "fio");
		c->pid = 4242;
		c->npid = 1;
		c->kbps = 1000 * share;
		c->all_kbps = 1000;
	}
	hr_advise_conclude(a);
	return a;
}

/* One program doing the I/O: investigate it; the sum of many: upgrade. */
static void test_rogue(void)
{
	struct hr_advice *a = busy_disk(0.97);
	const struct hr_finding *f = find(&a->res[1], "disk-rogue");

	CHECK_INT(a->res[1].verdict, HR_INVESTIGATE);
	CHECK_INT(a->worst, HR_INVESTIGATE);
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->verdict, HR_INVESTIGATE);
		CHECK(strstr(f->evidence, "fio (pid 4242) is doing 97% of the disk's I/O") != NULL);
	}
	f = find(&a->res[1], "disk-busy");
	CHECK(f && f->verdict == HR_INVESTIGATE && strstr(f->evidence, "see disk-rogue"));
	/* the note slot holds the spikes; the evidence is not pushed out by it */
	CHECK(f && strstr(f->note, "plus 3min in shorter spikes") && f->evidence[0]);
	/* idempotent: a second pass adds nothing */
	size_t n = a->res[1].nfind;
	hr_advise_conclude(a);
	CHECK_INT(a->res[1].nfind, n);
	hr_advice_free(a);

	a = busy_disk(0.34);
	CHECK_INT(a->res[1].verdict, HR_UPGRADE);
	CHECK(find(&a->res[1], "disk-rogue") == NULL);
	f = find(&a->res[1], "disk-busy");
	CHECK(f && f->verdict == HR_UPGRADE && f->evidence[0] == '\0');
	hr_advice_free(a);
}

/*
 * 40 s with both CPUs at 100%, the whole range: watch (not ok), saying the
 * range is shorter than the minimum; the summary says so too. 40 s of
 * which the first 10 are idle: short spikes, ok.
 */
static void test_short_range(void)
{
	struct hr_thresholds th;
	struct hr_advice *a = calloc(1, sizeof(*a));
	struct hr_resource *r;
	char buf[256];

	hr_thresholds_defaults(&th);
	a->th = th;
	r = hr_advice_add(a, HR_RES_CPU, "");
	for (int i = 0; i < 40; i++)
		point(r, T0 + i * 1000LL, 999, HR_CPU_BUSY, 100);
	a->first_ms = T0;
	a->last_ms = T0 + 40000;
	hr_advise_eval(a);
	const struct hr_finding *f = find(r, "cpu-busy");
	CHECK(f != NULL);
	if (f) {
		CHECK_INT(f->verdict, HR_WATCH);
		CHECK(strstr(f->note,
			     "recorded range (40s) shorter than the sustained minimum (15min)"));
	}
	CHECK_INT(a->worst, HR_WATCH);
	CHECK(hr_advise_too_short(a, buf, sizeof(buf)));
	CHECK(strstr(
	    buf, "the recorded range (40s) is shorter than the sustained minimum of CPU 15min"));
	hr_advice_free(a);

	a = calloc(1, sizeof(*a));
	a->th = th;
	r = hr_advice_add(a, HR_RES_CPU, "");
	for (int i = 0; i < 40; i++)
		point(r, T0 + i * 1000LL, 1000, HR_CPU_BUSY, i < 10 ? 5 : 100);
	hr_advise_eval(a);
	f = find(r, "cpu-busy");
	CHECK(f && f->verdict == HR_OK && strstr(f->note, "short spikes only (longest 30s"));
	hr_advice_free(a);

	/* a day of data is not too short */
	a = cpu_day(NULL, 0, &th);
	a->first_ms = T0;
	a->last_ms = T0 + 24 * 60 * MIN;
	CHECK(!hr_advise_too_short(a, buf, sizeof(buf)) && buf[0] == '\0');
	hr_advice_free(a);
}

/* One rounding rule: to the second, from a minute on to the minute. */
static void test_durations(void)
{
	char b[32];

	hr_dur_fmt(6500, b, sizeof(b));
	CHECK_STR(b, "7s");
	hr_dur_fmt(6499, b, sizeof(b));
	CHECK_STR(b, "6s");
	CHECK_INT(hr_dur_s(600), 1);
	CHECK_INT(hr_dur_s(6500), 7);
	hr_dur_fmt(39600, b, sizeof(b));
	CHECK_STR(b, "40s");
	hr_dur_fmt(90 * 60000LL, b, sizeof(b));
	CHECK_STR(b, "1h30min");
	hr_dur_fmt(15 * 60000LL - 20000, b, sizeof(b));
	CHECK_STR(b, "15min");
}

/* A link of unknown speed: ifutil not judged, traffic shown, drops explained. */
static void test_net_unknown(void)
{
	struct hr_thresholds th;
	struct hr_advice *a = calloc(1, sizeof(*a));
	struct hr_resource *r;

	hr_thresholds_defaults(&th);
	a->th = th;
	r = hr_advice_add(a, HR_RES_NET, "veth0");
	for (int m = 0; m < 30; m++) {
		double v[HR_SERIES_COLS] = {NAN, 0, 50, NAN, 1200, NAN, 50, 0};
		CHECK_INT(hr_aseries_add(&r->s, T0 + m * MIN, MIN, v), 0);
	}
	hr_advise_eval(a);
	CHECK_STR(r->main_metric, "kB/s");
	CHECK_NEAR(r->avg, 1200, 1e-9);
	CHECK(strstr(r->note, "ifutil unknown") && strstr(r->note, "LINK_SPEED=veth0:"));
	const struct hr_finding *f = find(r, "net-drops");
	CHECK(f && f->verdict == HR_INVESTIGATE);
	CHECK(f && strstr(f->evidence, "50.0 drops/s (100% on transmit)") &&
	      strstr(f->evidence, "link speed unknown") && strstr(f->evidence, "MTU"));
	CHECK(find(r, "net-saturated") == NULL);
	hr_advice_free(a);
}

static void test_trend(void)
{
	struct hr_thresholds th;
	struct hr_advice *a = calloc(1, sizeof(*a));
	struct hr_resource *r;

	hr_thresholds_defaults(&th);
	a->th = th;
	r = hr_advice_add(a, HR_RES_CPU, "");
	/* 28 days, hourly points, 20% growing 10 points a week: 60% at the end. */
	for (int h = 0; h < 28 * 24; h++)
		point(r, T0 + h * 60 * MIN, 60 * MIN, HR_CPU_BUSY,
		      20 + 10.0 * (h + 0.5) / (7 * 24));
	hr_advise_eval(a);
	CHECK(r->trend.valid);
	CHECK_NEAR(r->trend.per_week, 10, 1e-6);
	CHECK_NEAR(r->trend.level, 60, 0.01);
	CHECK_NEAR(r->trend.weeks, 3, 0.01);
	CHECK_INT(r->verdict, HR_WATCH);
	CHECK(find(r, "growth") != NULL);
	hr_advice_free(a);

	/* Two days are not enough for a forecast. */
	a = calloc(1, sizeof(*a));
	a->th = th;
	r = hr_advice_add(a, HR_RES_CPU, "");
	for (int h = 0; h < 48; h++)
		point(r, T0 + h * 60 * MIN, 60 * MIN, HR_CPU_BUSY, 20 + h);
	hr_advise_eval(a);
	CHECK(!r->trend.valid);
	hr_advice_free(a);
}

static bool busy_held(const struct hr_aseries *s, size_t i, const void *ctx)
{
	return s->v[i * HR_SERIES_COLS + HR_CPU_BUSY] >= 90;
}

/*
 * 1 s samples whose spans fall a few ms short of the next sample (the
 * recorder's timer slips): a stretch is never longer than the total time
 * held, and sustained never more than the total.
 */
static void test_slipping_samples(void)
{
	struct hr_aseries s = {.kind = HR_RES_CPU};
	struct hr_episode e;
	double vals[HR_SERIES_COLS] = {0};

	vals[HR_CPU_BUSY] = 99;
	for (int i = 0; i < 8; i++)
		CHECK_INT(hr_aseries_add(&s, T0 + i * 1000LL, 998, vals), 0);
	hr_advise_scan(&s, busy_held, NULL, 4000, HR_CPU_BUSY, false, &e);
	CHECK_INT(e.total_ms, 8 * 998);
	CHECK(e.longest_ms <= e.total_ms);
	CHECK(e.sustained_ms <= e.total_ms);
	CHECK_INT(e.longest_ms, 8 * 998);
	CHECK_INT(e.nint, 1);
	hr_aseries_release(&s);
}

int main(void)
{
	/* Days are local days: the fixture times are Berlin midnights. */
	setenv("TZ", "Europe/Berlin", 1);
	tzset();
	test_sustained_vs_spikes();
	test_thresholds();
	test_config();
	test_steal_and_swap();
	test_swap_blame();
	test_swap_watch();
	test_rogue();
	test_short_range();
	test_durations();
	test_net_unknown();
	test_trend();
	test_slipping_samples();
	return test_result("test-advise");
}
