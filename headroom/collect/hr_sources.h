/*
 * hr_sources.h - the entry points of each collector file, gathered for the
 * registration table in collectors.c (headroom/collect, internal).
 * Each collector: static tables + a sample function + a free_state function,
 * following the contract of struct hr_collector in hr_collect.h.
 */
#ifndef HR_SOURCES_H
#define HR_SOURCES_H

#include "hr_ctx.h"

#define HR_DECLARE_COLLECTOR(x)                                                                  \
	extern const struct hr_table *const hr_##x##_tables[];                                   \
	int hr_##x##_sample(struct hr_ctx *ctx, void **state, bool have_prev, double dt_s,       \
			    struct hr_rows *out);                                                \
	void hr_##x##_free(void *state)

HR_DECLARE_COLLECTOR(stat);
HR_DECLARE_COLLECTOR(loadavg);
HR_DECLARE_COLLECTOR(meminfo);
HR_DECLARE_COLLECTOR(vmstat);
HR_DECLARE_COLLECTOR(diskstats);
HR_DECLARE_COLLECTOR(netdev);
HR_DECLARE_COLLECTOR(sockstat);
HR_DECLARE_COLLECTOR(snmp);
HR_DECLARE_COLLECTOR(pressure);
HR_DECLARE_COLLECTOR(fs);
HR_DECLARE_COLLECTOR(procs);

#endif
