/*
 * hr_schema.h - the schema of the headroom database as data (headroom/store,
 * internal): the migration steps and the metric tables with their key and
 * label columns, which retention and roll-up walk generically.
 */
#ifndef HR_SCHEMA_H
#define HR_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>

#include "hr_store.h"

#define HR_SCHEMA_STEPS HR_SCHEMA_VERSION

/* SQL turning version i into i+1, for i in [0, HR_SCHEMA_VERSION). */
extern const char *const hr_schema_migrations[HR_SCHEMA_STEPS];

struct hr_schema_table {
	const char *name;
	const char *key;	/* NULL: one row per sample */
	const char *label;	/* NULL: none */
	bool top_only;		/* roll-up keeps only the top rows (proc) */
};
extern const struct hr_schema_table hr_schema_tables[];
extern const size_t hr_schema_ntables;

#endif
