/*
 * time.c - local time for reports (headroom/analyze): parsing dates and
 * times of day the way a person types them, local days (23 or 25 hours
 * long across DST), breaking timestamps down with their zone. Only the
 * reentrant libc calls (localtime_r, mktime); TZ decides the zone.
 * Depends on libc only.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "hr_analyze.h"
#include "util.h"
#include "banned.h"

static int64_t floor_div(int64_t a, int64_t b)
{
	int64_t q = a / b;

	return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

int hr_time_local(int64_t ts_ms, struct hr_tm *ret)
{
	time_t t = (time_t)floor_div(ts_ms, 1000);
	struct tm tm;

	if (!localtime_r(&t, &tm))
		return -EINVAL;
	ret->year = tm.tm_year + 1900;
	ret->mon = tm.tm_mon + 1;
	ret->mday = tm.tm_mday;
	ret->hour = tm.tm_hour;
	ret->min = tm.tm_min;
	ret->sec = tm.tm_sec;
	ret->gmtoff = tm.tm_gmtoff;
	snprintf(ret->zone, sizeof(ret->zone), "%s", tm.tm_zone ? tm.tm_zone : "");
	return 0;
}

/* mktime() of a local calendar date and time, DST left to the library. */
static int local_mktime(int year, int mon, int mday, int h, int m, int s, int64_t *ret_ms)
{
	struct tm tm = {
		.tm_year = year - 1900,
		.tm_mon = mon - 1,
		.tm_mday = mday,
		.tm_hour = h,
		.tm_min = m,
		.tm_sec = s,
		.tm_isdst = -1,
	};
	time_t t = mktime(&tm);

	if (t == (time_t)-1 && !(tm.tm_year == 69 && tm.tm_mday == 31))
		return -EINVAL;
	*ret_ms = (int64_t)t * 1000;
	return 0;
}

int hr_time_day(int64_t ts_ms, int64_t *ret_start, int64_t *ret_end)
{
	struct hr_tm lt;
	int64_t a, b;
	int r;

	r = hr_time_local(ts_ms, &lt);
	if (r < 0)
		return r;
	r = local_mktime(lt.year, lt.mon, lt.mday, 0, 0, 0, &a);
	if (r == 0)
		r = local_mktime(lt.year, lt.mon, lt.mday + 1, 0, 0, 0, &b);
	if (r < 0)
		return r;
	/* Where midnight does not exist mktime moves it; keep ts inside. */
	if (a > ts_ms)
		a = ts_ms;
	*ret_start = a;
	*ret_end = b;
	return 0;
}

/* Exactly N digits at *p, advancing it. -1 if not. */
static int digits(const char **p, int n)
{
	int v = 0;

	for (int i = 0; i < n; i++) {
		if ((*p)[i] < '0' || (*p)[i] > '9')
			return -1;
		v = v * 10 + ((*p)[i] - '0');
	}
	*p += n;
	return v;
}

/* "HH:MM" or "HH:MM:SS" at *p; advances. */
static int parse_hms(const char **p, int *h, int *m, int *s)
{
	*h = digits(p, 2);
	if (*h < 0 || *h > 23 || **p != ':')
		return -EINVAL;
	(*p)++;
	*m = digits(p, 2);
	if (*m < 0 || *m > 59)
		return -EINVAL;
	*s = 0;
	if (**p == ':') {
		(*p)++;
		*s = digits(p, 2);
		if (*s < 0 || *s > 59)
			return -EINVAL;
	}
	return 0;
}

int hr_time_parse_tod(const char *s, int *ret_secs)
{
	int h, m, sec;

	if (!s || parse_hms(&s, &h, &m, &sec) < 0 || *s)
		return -EINVAL;
	*ret_secs = h * 3600 + m * 60 + sec;
	return 0;
}

static bool leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * A moment relative to NOW_MS: "-DURATION" ("-2h", "-90m", "-3d", "-600"
 * seconds) or "N UNIT ago" (second, minute, hour, day, week; singular or
 * plural). 1 and *ret_ms set when S is one, 0 when it is not, -EINVAL when
 * it is one but malformed.
 */
static int parse_relative(const char *s, int64_t now_ms, int64_t *ret_ms)
{
	static const struct {
		const char *name;
		int64_t secs;
	} units[] = {{"second", 1}, {"minute", 60}, {"hour", 3600}, {"day", 86400},
		     {"week", 7 * 86400}};
	uint64_t secs;
	const char *p;
	size_t len;
	int64_t n;

	if (s[0] == '-') {
		if (parse_duration(s + 1, &secs) < 0)
			return -EINVAL;
		*ret_ms = now_ms - (int64_t)secs * 1000;
		return 1;
	}
	len = strlen(s);
	if (len < 5 || strcmp(s + len - 4, " ago") != 0)
		return 0;
	for (p = s, n = 0; *p >= '0' && *p <= '9'; p++) {
		n = n * 10 + (*p - '0');
		if (n > 100000)
			return -EINVAL;
	}
	if (p == s || *p++ != ' ' || n == 0)
		return -EINVAL;
	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		size_t ul = strlen(units[i].name);
		const char *rest = p + ul;

		if (strncmp(p, units[i].name, ul) != 0)
			continue;
		if (*rest == 's')
			rest++;
		if (strcmp(rest, " ago") != 0)
			return -EINVAL;
		*ret_ms = now_ms - n * units[i].secs * 1000;
		return 1;
	}
	return -EINVAL;
}

int hr_time_parse(const char *s, bool end, int64_t now_ms, int64_t *ret_ms)
{
	static const int mdays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	int y, mo, d, h = 0, mi = 0, sec = 0;
	bool has_time = false;
	struct hr_tm lt;
	int64_t ms;
	int r;

	if (!s)
		return -EINVAL;
	r = parse_relative(s, now_ms, &ms);
	if (r < 0)
		return r;
	if (r == 1) {
		*ret_ms = ms;
		return 0;
	}
	if (!strcmp(s, "today") || !strcmp(s, "yesterday")) {
		r = hr_time_local(now_ms, &lt);
		if (r < 0)
			return r;
		y = lt.year;
		mo = lt.mon;
		d = lt.mday - (s[0] == 'y');
		goto convert;
	}
	y = digits(&s, 4);
	if (y < 1970 || *s++ != '-')
		return -EINVAL;
	mo = digits(&s, 2);
	if (mo < 1 || mo > 12 || *s++ != '-')
		return -EINVAL;
	d = digits(&s, 2);
	if (d < 1 || d > mdays[mo - 1] + (mo == 2 && leap(y)))
		return -EINVAL;
	if (*s == ' ' || *s == 'T') {
		s++;
		if (parse_hms(&s, &h, &mi, &sec) < 0)
			return -EINVAL;
		has_time = true;
	}
	if (*s)
		return -EINVAL;
convert:
	if (has_time) {
		r = local_mktime(y, mo, d, h, mi, sec, &ms);
		if (r == 0 && end)
			ms += 999;	/* "up to 10:00:00" includes that second */
	} else if (end) {
		r = local_mktime(y, mo, d + 1, 0, 0, 0, &ms);
		if (r == 0)
			ms -= 1;	/* the day's last millisecond */
	} else {
		r = local_mktime(y, mo, d, 0, 0, 0, &ms);
	}
	if (r < 0)
		return r;
	*ret_ms = ms;
	return 0;
}

static int64_t clock_ms(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* HEADROOM_NOW: "@SECONDS" or a local "YYYY-MM-DD HH:MM[:SS]". */
static int parse_now(const char *s, int64_t *ret_ms)
{
	if (s[0] == '@') {
		char *end;
		long long v;

		errno = 0;
		v = strtoll(s + 1, &end, 10);
		if (errno || end == s + 1 || *end || v < 0 || v > 253402300799LL)
			return -EINVAL;
		*ret_ms = (int64_t)v * 1000;
		return 0;
	}
	/* a date alone would be midnight: ask for the time too, it is a clock */
	if (strlen(s) < 16)
		return -EINVAL;
	return hr_time_parse(s, false, 0, ret_ms);
}

int hr_time_now(int64_t *ret_ms)
{
	static int state;	/* 0 unread, 1 real clock, 2 pinned, 3 pinned and running */
	static int64_t base_ms, mono0_ms;
	const char *env;

	if (state == 0) {
		env = getenv("HEADROOM_NOW");
		if (env && *env) {
			if (parse_now(env, &base_ms) < 0)
				return -EINVAL;
			state = 2;
		} else {
			state = 1;
		}
	}
	if (!ret_ms)
		return 0;
	if (state == 2) {
		/* the first reading is the pinned moment itself */
		mono0_ms = clock_ms(CLOCK_MONOTONIC);
		state = 3;
	}
	if (state == 3)
		*ret_ms = base_ms + (clock_ms(CLOCK_MONOTONIC) - mono0_ms);
	else
		*ret_ms = clock_ms(CLOCK_REALTIME);
	return 0;
}
