/*
 * hr-shaped.c - prints the interfaces of this network namespace that the
 * net collector takes for shaped by tc (hr_net_shaped, headroom/collect
 * netdev.c), one name a line, for t-advise-scenarios.sh (tests only).
 * Exit 0, or 1 if the kernel could not be asked.
 */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "hr_parse.h"

int main(void)
{
	int idx[HR_SHAPED_MAX];
	size_t n = 0;
	char name[IF_NAMESIZE];
	int r = hr_net_shaped(idx, HR_SHAPED_MAX, &n);

	if (r < 0) {
		fprintf(stderr, "hr-shaped: cannot dump the qdiscs: %s\n", strerror(-r));
		return 1;
	}
	for (size_t i = 0; i < n; i++)
		if (if_indextoname((unsigned)idx[i], name))
			printf("%s\n", name);
	return 0;
}
