/*
 * bootid.c - parser of /proc/sys/kernel/random/boot_id (headroom/collect),
 * the identity of the current boot: when it changes between two samples,
 * every kernel counter restarted. Depends on common/ only.
 */
#include <errno.h>

#include "hr_parse.h"
#include "hr_scan.h"
#include "banned.h"

int hr_parse_boot_id(const char *buf, size_t len, char out[HR_BOOT_ID_MAX])
{
	struct hr_scan s;
	char line[HR_BOOT_ID_MAX];

	hr_scan_init(&s, buf, len);
	if (!hr_scan_line(&s, line, sizeof(line)) || line[0] == '\0')
		return -EINVAL;
	for (char *c = line; *c; c++)
		if ((unsigned char)*c < 0x20 || (unsigned char)*c > 0x7e)
			return -EINVAL;
	for (size_t i = 0; i < sizeof(line); i++) {
		out[i] = line[i];
		if (!line[i])
			break;
	}
	return 0;
}
