/*
 * hr_collect.h - the collectors of `headroom record` and the engine that
 * runs them (headroom/collect layer).
 *
 * Depends on common/ only; never on SQLite: the collectors turn /proc and
 * /sys under a root prefix into rows of named numbers, and the caller decides
 * where those rows go. Adding a source = one file + one entry in
 * hr_collectors[] (collectors.c).
 *
 * Data model: every collector fills one or more tables (struct hr_table).
 * A row holds an optional text key (cpu number, disk, interface, mount point,
 * pid), an optional text label (device, command name) and up to HR_MAX_COLS
 * numbers in the order of the table's cols[]. Counters are turned into rates
 * per second (or percentages) here, between two consecutive samples, using
 * the monotonic time the caller passes in; gauges are reported as read.
 *
 * Calling sequence:
 *	hr_collect_new(&opts, &c);
 *	loop: hr_collect_sample(c, monotonic_ns, &rows, &kind); use rows;
 *	hr_collect_free(c);
 * The first sample after hr_collect_new() (and the first after a reboot is
 * seen, i.e. /proc/sys/kernel/random/boot_id changed) is a baseline: it
 * returns no rows, only remembers the counters.
 */
#ifndef HR_COLLECT_H
#define HR_COLLECT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HR_MAX_COLS 16
#define HR_KEY_MAX 64
#define HR_BOOT_ID_MAX 40

/* One output table. All fields are static strings owned by the collector. */
struct hr_table {
	const char *name;	  /* SQL table name, e.g. "cpu" */
	const char *key;	  /* key column name, NULL if one row per sample */
	const char *label;	  /* text column name, NULL if none */
	const char *const *cols;  /* value column names, NULL-terminated */
	size_t ncols;		  /* number of entries in cols[] */
};

struct hr_row {
	const struct hr_table *table;
	char key[HR_KEY_MAX];	  /* "" when table->key is NULL */
	char label[HR_KEY_MAX];	  /* "" when table->label is NULL */
	double v[HR_MAX_COLS];	  /* table->ncols values */
};

/* A growable array of rows; owned by the caller, reused across samples. */
struct hr_rows {
	struct hr_row *row;
	size_t n, cap;
};

struct hr_ctx;

/*
 * One collector. sample() reads its sources through ctx, compares with the
 * counters kept in *state from the previous call and appends rows to out
 * when have_prev is true (dt_s > 0 seconds since that call). It allocates
 * *state itself on first use; free_state() releases it (NULL allowed).
 * Missing sources (-ENOENT, -EACCES...) are normal: the collector appends
 * nothing and returns 0. Returns 0 or -errno (-ENOMEM only, in practice).
 */
struct hr_collector {
	const char *name;		  /* config name, e.g. "cpu" */
	const char *source;		  /* what it reads, for docs and --help */
	const struct hr_table *const *tables; /* NULL-terminated */
	int (*sample)(struct hr_ctx *ctx, void **state, bool have_prev, double dt_s,
		      struct hr_rows *out);
	void (*free_state)(void *state);
};

/* The registration table, in sampling order (meminfo before procs). */
extern const struct hr_collector hr_collectors[];
extern const size_t hr_ncollectors;

/* Index of the collector called NAME in hr_collectors[], or -ENOENT. */
int hr_collector_find(const char *name);

struct hr_collect_opts {
	const char *root;	/* prefix for /proc and /sys; NULL or "/" = live */
	uint64_t enabled;	/* bit i enables hr_collectors[i]; 0 = all */
	bool disk_partitions;	/* also report partitions */
	bool disk_virtual;	/* also report loop, ram and zram devices */
	unsigned top_n;		/* processes per top list; 0 = 10 */
	/* real link speeds, "IFACE:MBIT ..." (LINK_SPEED): they replace
	 * /sys/class/net/IFACE/speed for ifutil; "" none */
	char link_speed[512];
};

struct hr_collect;

/*
 * Open the root prefix and prepare the collectors. *ret is owned by the
 * caller (hr_collect_free). Returns 0, -ENOMEM, or -errno from opening root.
 */
int hr_collect_new(const struct hr_collect_opts *opts, struct hr_collect **ret);
void hr_collect_free(struct hr_collect *c);

enum hr_sample_kind {
	HR_SAMPLE_BASELINE = 0,	/* first sample: no rows */
	HR_SAMPLE_RATES = 1,	/* rows cover the time since the previous sample */
	HR_SAMPLE_REBOOT = 2,	/* boot id changed: counters reset, no rows */
};

/*
 * Take one sample at monotonic time MONO_NS (nanoseconds, must increase;
 * tests pass a fixed clock). out->n is reset to 0 and rows appended.
 * *ret_kind tells whether rows are rates over the interval. Returns 0 or
 * -errno (-ENOMEM; -EINVAL if MONO_NS did not increase).
 */
int hr_collect_sample(struct hr_collect *c, uint64_t mono_ns, struct hr_rows *out,
		      enum hr_sample_kind *ret_kind);

/* Boot id seen by the last sample ("" if the source is absent). */
const char *hr_collect_boot_id(const struct hr_collect *c);

/* Release the memory of a row array (the struct itself is the caller's). */
void hr_rows_release(struct hr_rows *rows);

#endif
