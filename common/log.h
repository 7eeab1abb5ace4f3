/*
 * log.h - one-line diagnostics for main() and daemon glue (common layer).
 *
 * Library code never logs: it returns -errno and lets its caller say what
 * failed. Messages are lowercase, without a trailing period, prefixed with
 * the program name: "sealfs: cannot read config '/x/sealfs.conf': bad MAC".
 * After log_use_syslog() messages go to syslog (the journal) instead of
 * stderr, for daemons whose stderr is gone.
 */
#ifndef COMMON_LOG_H
#define COMMON_LOG_H

#include <stdbool.h>

void log_init(const char *prog);
void log_use_syslog(bool on);
void log_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void log_info(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *log_prog(void);

#endif
