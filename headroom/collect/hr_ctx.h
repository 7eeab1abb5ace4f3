/*
 * hr_ctx.h - what a collector may use from the engine (headroom/collect,
 * internal to the layer; not installed, not used by cli or store).
 *
 * Files are read relative to the root prefix through one reusable, capped
 * buffer; rows are appended to the caller's array.
 *
 * Files on procfs and sysfs are opened once and kept open: their content is
 * generated at each read, so a pread() from offset 0 gives a fresh copy and
 * saves the path walk, open and close of every sample (about half the cost
 * of reading a small /proc file). Files on any other filesystem (the
 * captured trees of the tests, replaced in place between samples) are
 * opened for every read, as before.
 */
#ifndef HR_CTX_H
#define HR_CTX_H

#include "hr_collect.h"

/* Largest /proc or /sys file a collector reads (the intr line can be long). */
#define HR_READ_CAP (4u << 20)
/* Files kept open by hr_ctx_read (fixed /proc files + one per interface). */
#define HR_CTX_FILES_MAX 64
#define HR_CTX_PATH_MAX 96

struct hr_ctx_file {
	char path[HR_CTX_PATH_MAX];	/* relative to the root, as passed */
	int fd;
	size_t len;			/* its length at the last read (0: unknown) */
	bool used;			/* read during the current sample */
};

struct hr_ctx {
	int rootfd;		/* directory of the root prefix */
	char *buf;		/* reusable read buffer, HR_READ_CAP + 1 bytes */
	size_t bufcap;
	struct hr_collect_opts opts;
	uint64_t swap_used_kb;	/* set by the meminfo collector, read by procs */
	bool swap_known;
	long page_kb;		/* page size in kB */
	double clk_tck;		/* USER_HZ */
	struct hr_ctx_file files[HR_CTX_FILES_MAX];	/* kept-open pseudo files */
	size_t nfiles;
};

/*
 * Read PATH (relative, e.g. "proc/stat") under the root into the context
 * buffer. *ret_buf stays valid until the next hr_ctx_read(); it is NUL-
 * terminated at (*ret_buf)[*ret_len]. Returns 0 or -errno (-ENOENT when
 * absent, -EFBIG over HR_READ_CAP). A kept-open file whose read fails
 * (interface removed: -ENODEV) is closed and opened once more by path, so
 * the result is what a fresh open would give.
 */
int hr_ctx_read(struct hr_ctx *ctx, const char *path, const char **ret_buf, size_t *ret_len);

/*
 * True if FD is on a filesystem whose files are generated at read time
 * (procfs, sysfs), so that keeping it open and reading it again from
 * offset 0 is the same as opening it again.
 */
bool hr_fd_is_pseudo(int fd);

/* Close the kept-open files not read since the last call (gone interfaces). */
void hr_ctx_files_sweep(struct hr_ctx *ctx);
/* Close every kept-open file. */
void hr_ctx_files_release(struct hr_ctx *ctx);

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
