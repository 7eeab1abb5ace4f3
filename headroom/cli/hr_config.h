/*
 * hr_config.h - /etc/headroom.conf (headroom/cli): KEY=VALUE lines, '#'
 * comments, blanks ignored; every key is documented in contrib/headroom.conf.
 * Pure parsing: no I/O but hr_config_load(), no logging; errors name the
 * line in the caller's buffer.
 */
#ifndef HR_CONFIG_H
#define HR_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HR_DEFAULT_CONFIG "/etc/headroom.conf"
#define HR_DEFAULT_DB "/var/lib/headroom/headroom.db"
#define HR_CONFIG_MAX_THRESHOLDS 64

struct hr_config {
	uint64_t interval_ms;	/* INTERVAL, default 10 s */
	uint64_t history_days;	/* HISTORY, default 31 */
	char database[4096];	/* DATABASE */
	uint64_t collectors;	/* COLLECTORS: bit i = hr_collectors[i]; 0 = all */
	uint64_t rollup_after_days;	/* ROLLUP_AFTER, default 2 */
	uint64_t rollup_interval_s;	/* ROLLUP_INTERVAL, default 300 */
	uint64_t top_processes;	/* TOP_PROCESSES, default 10 */
	bool disk_partitions;	/* DISK_PARTITIONS, default no */
	bool disk_virtual;	/* DISK_VIRTUAL, default no */
	char link_speed[512];	/* LINK_SPEED "IFACE:MBIT ...", default "" */
	/* THRESHOLD_<NAME>=integer lines, for `headroom advise` (which checks the names) */
	struct hr_config_threshold {
		char name[48];	/* after THRESHOLD_: "CPU_BUSY_PCT" */
		uint64_t value;
	} thresholds[HR_CONFIG_MAX_THRESHOLDS];
	size_t nthresholds;	/* a repeated name keeps its last value */
};

/* Fill *cfg with the defaults. */
void hr_config_defaults(struct hr_config *cfg);

/*
 * Apply the KEY=VALUE lines of BUF (LEN bytes) over *cfg. On error returns
 * -EINVAL (or -ERANGE), leaves *cfg partially updated, and writes a
 * lowercase description naming the line into err[errlen].
 */
int hr_config_parse(const char *buf, size_t len, struct hr_config *cfg, char *err, size_t errlen);

/*
 * Read and parse FILE (capped at 64 KiB). -ENOENT if absent, other -errno
 * from reading, or the errors of hr_config_parse (err filled).
 */
int hr_config_load(const char *file, struct hr_config *cfg, char *err, size_t errlen);

/*
 * An interval: "10", "10s", "2m", "1h", or seconds with a fraction ("0.5");
 * between 0.1 s and 1 day. Returns 0 or -EINVAL/-ERANGE.
 */
int hr_parse_interval_ms(const char *s, uint64_t *ret_ms);

/* A comma- or blank-separated list of collector names, or "all". */
int hr_parse_collectors(const char *s, uint64_t *ret_mask, char *err, size_t errlen);

#endif
