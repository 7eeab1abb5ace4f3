/*
 * config.c - parse /etc/headroom.conf (headroom/cli). See hr_config.h.
 * Depends on common/ and on the collector table (for COLLECTORS names).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_collect.h"
#include "hr_config.h"
#include "cleanup.h"
#include "io.h"
#include "util.h"
#include "banned.h"

void hr_config_defaults(struct hr_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->interval_ms = 10000;
	cfg->history_days = 31;
	snprintf(cfg->database, sizeof(cfg->database), "%s", HR_DEFAULT_DB);
	cfg->rollup_after_days = 2;
	cfg->rollup_interval_s = 300;
	cfg->top_processes = 10;
}

int hr_parse_interval_ms(const char *s, uint64_t *ret_ms)
{
	uint64_t secs, frac = 0, scale = 1;
	const char *dot = strchr(s, '.');
	int r;

	if (dot) {
		char ip[32];
		size_t n = (size_t)(dot - s), nd = strlen(dot + 1);
		if (n == 0 || n >= sizeof(ip) || nd == 0 || nd > 3 ||
		    strspn(dot + 1, "0123456789") != nd)
			return -EINVAL;
		memcpy(ip, s, n);
		ip[n] = '\0';
		r = parse_u64(ip, 0, 86400, &secs);
		if (r < 0)
			return r;
		for (size_t i = 0; i < nd; i++) {
			frac = frac * 10 + (uint64_t)(dot[1 + i] - '0');
			scale *= 10;
		}
		uint64_t ms = secs * 1000 + frac * 1000 / scale;
		if (ms < 100 || ms > 86400000)
			return -ERANGE;
		*ret_ms = ms;
		return 0;
	}
	r = parse_duration(s, &secs);
	if (r < 0)
		return r;
	if (secs > 86400)
		return -ERANGE;
	*ret_ms = secs * 1000;
	return 0;
}

int hr_parse_collectors(const char *s, uint64_t *ret_mask, char *err, size_t errlen)
{
	char name[64];
	uint64_t mask = 0;
	size_t n;

	if (!strcmp(s, "all")) {
		*ret_mask = 0;
		return 0;
	}
	while (*s) {
		s += strspn(s, ", \t");
		n = strcspn(s, ", \t");
		if (n == 0)
			break;
		if (n >= sizeof(name)) {
			snprintf(err, errlen, "collector name too long");
			return -EINVAL;
		}
		memcpy(name, s, n);
		name[n] = '\0';
		s += n;
		int i = hr_collector_find(name);
		if (i < 0) {
			snprintf(err, errlen, "unknown collector '%s'", name);
			return -EINVAL;
		}
		mask |= 1ULL << i;
	}
	if (mask == 0) {
		snprintf(err, errlen, "no collector named");
		return -EINVAL;
	}
	*ret_mask = mask;
	return 0;
}

static int parse_bool(const char *v, bool *ret)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "on"))
		*ret = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0") || !strcmp(v, "off"))
		*ret = false;
	else
		return -EINVAL;
	return 0;
}

static char *trim(char *s)
{
	char *e;

	while (*s == ' ' || *s == '\t')
		s++;
	e = s + strlen(s);
	while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
		*--e = '\0';
	return s;
}

/* Keys read by the advisor: kept by name; `headroom advise` rejects unknown names. */
static bool is_threshold_key(const char *k)
{
	return !strncmp(k, "THRESHOLD_", 10);
}

static int keep_threshold(struct hr_config *cfg, const char *name, uint64_t x)
{
	size_t i;

	if (!*name || strlen(name) >= sizeof(cfg->thresholds[0].name))
		return -EINVAL;
	for (i = 0; i < cfg->nthresholds; i++)
		if (!strcmp(cfg->thresholds[i].name, name))
			break;
	if (i == HR_CONFIG_MAX_THRESHOLDS)
		return -ERANGE;
	snprintf(cfg->thresholds[i].name, sizeof(cfg->thresholds[i].name), "%s", name);
	cfg->thresholds[i].value = x;
	if (i == cfg->nthresholds)
		cfg->nthresholds++;
	return 0;
}

/* "eth0:1000 veth0:10": interface names and Mb/s (> 0), space- or comma-separated. */
static int parse_link_speed(const char *v, char *out, size_t size)
{
	const char *p = v;

	if (strlen(v) >= size)
		return -ERANGE;
	while (*p) {
		const char *w = p, *colon = NULL;
		uint64_t mbit = 0;

		while (*p && *p != ' ' && *p != ',') {
			if (*p == ':' && !colon)
				colon = p;
			p++;
		}
		if (p > w) {
			if (!colon || colon == w || colon - w >= 16 || colon + 1 == p)
				return -EINVAL;
			for (const char *d = colon + 1; d < p; d++) {
				if (*d < '0' || *d > '9' || mbit > 100000000)
					return -EINVAL;
				mbit = mbit * 10 + (uint64_t)(*d - '0');
			}
			if (mbit == 0)
				return -EINVAL;
		}
		while (*p == ' ' || *p == ',')
			p++;
	}
	snprintf(out, size, "%s", v);
	return 0;
}

static int apply(struct hr_config *cfg, const char *k, char *v, char *err, size_t errlen)
{
	int r = 0;

	if (!strcmp(k, "INTERVAL")) {
		r = hr_parse_interval_ms(v, &cfg->interval_ms);
	} else if (!strcmp(k, "HISTORY")) {
		r = parse_u64(v, 1, 3660, &cfg->history_days);
	} else if (!strcmp(k, "DATABASE")) {
		if (v[0] != '/' || strlen(v) >= sizeof(cfg->database))
			r = -EINVAL;
		else
			snprintf(cfg->database, sizeof(cfg->database), "%s", v);
	} else if (!strcmp(k, "COLLECTORS")) {
		return hr_parse_collectors(v, &cfg->collectors, err, errlen);
	} else if (!strcmp(k, "ROLLUP_AFTER")) {
		r = parse_u64(v, 1, 3660, &cfg->rollup_after_days);
	} else if (!strcmp(k, "ROLLUP_INTERVAL")) {
		r = parse_u64(v, 60, 86400, &cfg->rollup_interval_s);
	} else if (!strcmp(k, "TOP_PROCESSES")) {
		r = parse_u64(v, 0, 100, &cfg->top_processes);
	} else if (!strcmp(k, "DISK_PARTITIONS")) {
		r = parse_bool(v, &cfg->disk_partitions);
	} else if (!strcmp(k, "DISK_VIRTUAL")) {
		r = parse_bool(v, &cfg->disk_virtual);
	} else if (!strcmp(k, "LINK_SPEED")) {
		r = parse_link_speed(v, cfg->link_speed, sizeof(cfg->link_speed));
	} else if (is_threshold_key(k)) {
		uint64_t x;
		r = parse_u64(v, 0, UINT32_MAX, &x);
		if (r == 0)
			r = keep_threshold(cfg, k + 10, x);
	} else {
		snprintf(err, errlen, "unknown key '%s'", k);
		return -EINVAL;
	}
	if (r < 0)
		snprintf(err, errlen, "bad value '%s' for %s", v, k);
	return r;
}

int hr_config_parse(const char *buf, size_t len, struct hr_config *cfg, char *err, size_t errlen)
{
	const char *p = buf, *end = buf + len;
	unsigned lineno = 0;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		char line[4200], what[256] = "";
		char *k, *v, *eq;
		int r;

		lineno++;
		if (n >= sizeof(line) || memchr(p, '\0', n)) {
			snprintf(err, errlen, "line %u: too long or not text", lineno);
			return -EINVAL;
		}
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		k = trim(line);
		if (*k == '\0' || *k == '#')
			continue;
		eq = strchr(k, '=');
		if (!eq) {
			snprintf(err, errlen, "line %u: expected KEY=VALUE", lineno);
			return -EINVAL;
		}
		*eq = '\0';
		v = trim(eq + 1);
		k = trim(k);
		/* Allow VALUE in double quotes. */
		size_t vl = strlen(v);
		if (vl >= 2 && v[0] == '"' && v[vl - 1] == '"') {
			v[vl - 1] = '\0';
			v++;
		}
		r = apply(cfg, k, v, what, sizeof(what));
		if (r < 0) {
			snprintf(err, errlen, "line %u: %s", lineno, what);
			return r;
		}
	}
	return 0;
}

int hr_config_load(const char *file, struct hr_config *cfg, char *err, size_t errlen)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;
	int r;

	r = io_read_file_at(AT_FDCWD, file, 64 * 1024, &buf, &len);
	if (r < 0) {
		snprintf(err, errlen, "%s", strerror(-r));
		if (err[0] >= 'A' && err[0] <= 'Z' && !(err[1] >= 'A' && err[1] <= 'Z'))
			err[0] = (char)(err[0] - 'A' + 'a');
		return r;
	}
	return hr_config_parse(buf, len, cfg, err, errlen);
}
