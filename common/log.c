/*
 * log.c - stderr/syslog diagnostics (common layer). See log.h.
 */
#include <stdarg.h>
#include <stdio.h>
#include <syslog.h>

#include "log.h"
#include "banned.h"

static const char *prog = "?";
static bool to_syslog;

void log_init(const char *name)
{
	prog = name;
}

const char *log_prog(void)
{
	return prog;
}

void log_use_syslog(bool on)
{
	if (on && !to_syslog)
		openlog(prog, LOG_PID, LOG_DAEMON);
	to_syslog = on;
}

static void vlog(int prio, const char *fmt, va_list ap) __attribute__((format(printf, 2, 0)));
static void vlog(int prio, const char *fmt, va_list ap)
{
	char line[2048];

	vsnprintf(line, sizeof(line), fmt, ap);
	if (to_syslog)
		syslog(prio, "%s", line);
	else
		fprintf(stderr, "%s: %s%s\n", prog, prio == LOG_WARNING ? "warning: " : "", line);
}

void log_error(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_ERR, fmt, ap);
	va_end(ap);
}

void log_warn(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_WARNING, fmt, ap);
	va_end(ap);
}

void log_info(const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vlog(LOG_INFO, fmt, ap);
	va_end(ap);
}
