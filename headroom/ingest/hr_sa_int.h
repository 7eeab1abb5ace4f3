/*
 * hr_sa_int.h - a sysstat file read into memory (headroom/ingest internal:
 * sadf.c reads it, sa-store.c writes it to the store). Not for use outside
 * headroom/ingest.
 */
#ifndef HR_SA_INT_H
#define HR_SA_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define MAXV 14

/* The tables an import fills, with the columns in the order of sa_row.v. */
enum { T_CPU, T_SCHED, T_LOAD, T_MEM, T_PAGING, T_DISK, T_NET, T_SOCK, T_TCP, T_PSI, T_FS, NT };
struct sa_table {
	const char *name;
	const char *keycol;	/* NULL: one row per sample */
	bool key_int;
	const char *cols[MAXV];
	size_t n;
};
extern const struct sa_table hr_sa_tables[NT];

struct sa_row {
	int table;
	char *key;		/* NULL when the table has none */
	double v[MAXV];		/* NAN: no value (NULL) */
};

struct sa_sample {
	int64_t ts, span;
	size_t row0, nrows;
};

struct sa_restart {
	int64_t ts;
	int ncpu;
};

struct hr_sa {
	char host[256], kernel[256];
	int ncpu;
	struct sa_sample *s;
	size_t ns, cs;
	struct sa_row *rows;
	size_t nr, cr;
	struct sa_restart *restarts;
	size_t nrestarts;
};


#endif
