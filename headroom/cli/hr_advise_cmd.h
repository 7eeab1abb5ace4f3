/*
 * hr_advise_cmd.h - `headroom advise` (headroom/cli/advise.c): one verdict
 * per resource with its evidence. Besides the HR_EXIT_* codes of hr_cli.h
 * and HR_EXIT_NODATA of hr_report.h it returns the worst verdict, so cron
 * and monitoring can act on it: 0 ok, 10 watch, 11 investigate, 12 upgrade
 * (hr_verdict_exit() of hr_advise.h).
 */
#ifndef HR_ADVISE_CMD_H
#define HR_ADVISE_CMD_H

int hr_cmd_advise(int argc, char **argv);

struct hr_config;
struct hr_thresholds;

/*
 * Apply the THRESHOLD_* lines of CFG (read from PATH, for messages) to TH.
 * Logs and returns HR_EXIT_USAGE for an unknown threshold, else HR_EXIT_OK.
 * Shared by advise and report --html/--pdf so both judge alike.
 */
int hr_advise_apply_config(const struct hr_config *cfg, const char *path,
			   struct hr_thresholds *th);

/* --threshold NAME=VALUE into TH. Logs; returns 0 or -EINVAL. */
int hr_advise_parse_threshold(struct hr_thresholds *th, const char *arg);
/* --min-sustained DURATION ("0", "10s", "2m") into seconds. Logs; 0 or -EINVAL. */
int hr_advise_parse_min_sustained(const char *arg, double *ret_s);

#endif
