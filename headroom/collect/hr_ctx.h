/*
 * hr_ctx.h - what a collector may use from the engine (headroom/collect,
 * internal to the layer; not installed, not used by cli or store).
 *
 * Files are read relative to the root prefix through one reusable, capped
 * buffer; rows are appended to the caller's array.
 */
#ifndef HR_CTX_H
#define HR_CTX_H

#include "hr_collect.h"

/* Largest /proc or /sys file a collector reads (the intr line can be long). */
#define HR_READ_CAP (4u << 20)

struct hr_ctx {
	int rootfd;		/* directory of the root prefix */
	char *buf;		/* reusable read buffer, HR_READ_CAP + 1 bytes */
	size_t bufcap;
	struct hr_collect_opts opts;
	uint64_t swap_used_kb;	/* set by the meminfo collector, read by procs */
	bool swap_known;
	long page_kb;		/* page size in kB */
	double clk_tck;		/* USER_HZ */
};

/*
 * Read PATH (relative, e.g. "proc/stat") under the root into the context
 * buffer. *ret_buf stays valid until the next hr_ctx_read(); it is NUL-
 * terminated at (*ret_buf)[*ret_len]. Returns 0 or -errno (-ENOENT when
 * absent, -EFBIG over HR_READ_CAP).
 */
int hr_ctx_read(struct hr_ctx *ctx, const char *path, const char **ret_buf, size_t *ret_len);

/*
 * Append a row for TABLE with KEY and LABEL (NULL allowed; truncated to
 * HR_KEY_MAX-1) and return it with values zeroed, or NULL on -ENOMEM.
 */
struct hr_row *hr_rows_add(struct hr_rows *rows, const struct hr_table *table, const char *key,
			   const char *label);

/*
 * Per-second rate of a counter over DT seconds, rounded to 2 decimals; 0
 * when the counter was reset (see hr_counter_delta).
 */
double hr_rate(uint64_t prev, uint64_t cur, double dt);

/* Round to 2 decimals: keeps stored rates small and free of float noise. */
double hr_round2(double v);

#endif
