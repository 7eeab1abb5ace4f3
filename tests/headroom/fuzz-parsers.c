/*
 * fuzz-parsers.c - fuzz targets for every /proc and /sys parser of
 * headroom/collect. Compiled once per target with -DFUZZ_TARGET="name";
 * the same LLVMFuzzerTestOneInput serves libFuzzer (-Dfuzz=true, clang)
 * and the corpus replayer (fuzz-main.c). Besides memory safety, checks the
 * invariants a caller relies on: counts within caps, strings terminated.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "hr_parse.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T(name) (strcmp(FUZZ_TARGET, name) == 0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *buf = (const char *)data;

	if (T("stat")) {
		struct hr_stat st;
		if (hr_parse_stat(buf, size, &st) == 0) {
			if (st.ncpu > HR_MAX_CPUS + 1)
				abort();
			for (size_t i = 0; i + 1 < st.ncpu; i++) {
				double pct[8];
				(void)hr_cpu_pct(&st.cpu[i].t, &st.cpu[i + 1].t, pct);
			}
			hr_stat_release(&st);
		}
	} else if (T("loadavg")) {
		struct hr_loadavg la;
		(void)hr_parse_loadavg(buf, size, &la);
	} else if (T("meminfo")) {
		struct hr_meminfo mi;
		(void)hr_parse_meminfo(buf, size, &mi);
	} else if (T("vmstat")) {
		struct hr_vmstat vm;
		(void)hr_parse_vmstat(buf, size, &vm);
	} else if (T("diskstats")) {
		struct hr_disk *d;
		size_t n;
		if (hr_parse_diskstats(buf, size, &d, &n) == 0) {
			for (size_t i = 0; i < n; i++)
				if (strnlen(d[i].name, HR_NAME_MAX) == HR_NAME_MAX)
					abort();
			free(d);
		}
	} else if (T("netdev")) {
		struct hr_netdev *d;
		size_t n;
		if (hr_parse_netdev(buf, size, &d, &n) == 0) {
			for (size_t i = 0; i < n; i++)
				if (strnlen(d[i].name, HR_NAME_MAX) == HR_NAME_MAX || !d[i].name[0])
					abort();
			free(d);
		}
		(void)hr_parse_speed(buf, size);
	} else if (T("sockstat")) {
		struct hr_sockstat ss = {0};
		(void)hr_parse_sockstat(buf, size, &ss);
	} else if (T("snmp")) {
		struct hr_snmp sn;
		(void)hr_parse_snmp(buf, size, &sn);
	} else if (T("pressure")) {
		struct hr_psi psi;
		(void)hr_parse_pressure(buf, size, &psi);
	} else if (T("mounts")) {
		struct hr_mount *m;
		size_t n;
		if (hr_parse_mounts(buf, size, &m, &n) == 0) {
			for (size_t i = 0; i < n; i++) {
				if (m[i].dir[0] != '/' && m[i].dir[0] != '\0')
					abort();
				(void)hr_fs_is_real(buf, size, m[i].type);
			}
			free(m);
		}
	} else if (T("pid")) {
		struct hr_pid_stat ps;
		struct hr_pid_io io;
		uint64_t kb;
		if (hr_parse_pid_stat(buf, size, &ps) == 0 && strnlen(ps.comm, HR_NAME_MAX) == HR_NAME_MAX)
			abort();
		(void)hr_parse_pid_io(buf, size, &io);
		(void)hr_parse_pid_status_swap(buf, size, &kb);
		char id[HR_BOOT_ID_MAX];
		if (hr_parse_boot_id(buf, size, id) == 0 && strnlen(id, HR_BOOT_ID_MAX) == HR_BOOT_ID_MAX)
			abort();
	} else {
		abort();	/* unknown target: a build mistake */
	}
	return 0;
}
