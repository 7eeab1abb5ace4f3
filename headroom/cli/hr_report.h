/*
 * hr_report.h - `headroom report` (headroom/cli/report.c): sar-style
 * tables over any time range. Besides the HR_EXIT_* codes of hr_cli.h it
 * returns HR_EXIT_NODATA when the range holds no sample, so scripts can
 * tell "nothing recorded then" from a failure.
 */
#ifndef HR_REPORT_H
#define HR_REPORT_H

enum {
	HR_EXIT_NODATA = 5,	/* the database has no sample in the range asked for */
};

int hr_cmd_report(int argc, char **argv);

#endif
