/*
 * boots.c - the reboots inside a range (headroom/analyze), for the "LINUX
 * RESTART" lines of reports and the markers on charts. The recorder adds a
 * `boot` row when the kernel's boot id changes and stamps it with the time
 * of the first sample it stored in that boot; a boot is a restart when
 * some sample of another boot lies before it (the first boot a database
 * ever saw is where recording began, not a reboot). Roll-ups keep this
 * true: a roll-up bucket belongs to the newest boot among its samples.
 * The CPU counts before and after let the advisor measure the run queue
 * against the CPUs each boot had. Depends on SQLite and query.c's handle.
 * Never logs.
 */
#include <errno.h>
#include <stdlib.h>

#include "hr_analyze.h"
#include "hr_series.h"
#include "banned.h"

#define MAX_RESTARTS 4096

int hr_db_restarts(struct hr_db *db, const struct hr_range *rg, struct hr_restart **ret,
		   size_t *ret_n)
{
	/*
	 * The CPU count of the new boot is the number of per-core rows of its
	 * first sample (cpu >= 0; -1 is the all-cores row), so a reboot into
	 * more (or fewer) CPUs shows, as sar's restart line does.
	 */
	static const char sql[] =
	    "SELECT b.first_ts,"
	    " (SELECT count(*) FROM cpu c WHERE c.stat = 0 AND c.cpu >= 0 AND c.sample ="
	    "   (SELECT id FROM sample WHERE ts >= b.first_ts AND boot = b.id ORDER BY ts"
	    "    LIMIT 1)),"
	    " (SELECT count(*) FROM cpu c WHERE c.stat = 0 AND c.cpu >= 0 AND c.sample ="
	    "   (SELECT id FROM sample WHERE ts < b.first_ts ORDER BY ts DESC LIMIT 1))"
	    " FROM boot b WHERE b.first_ts BETWEEN ?1 AND ?2 AND hr_in_tod(b.first_ts, ?3, ?4)"
	    " AND EXISTS (SELECT 1 FROM sample p WHERE p.ts < b.first_ts AND p.boot <> b.id)"
	    " ORDER BY b.first_ts";
	struct hr_restart *v = NULL;
	size_t n = 0;
	sqlite3_stmt *st = NULL;
	sqlite3 *h;
	int rc, r;

	*ret = NULL;
	*ret_n = 0;
	r = hr_db_sqlite(db, &h);
	if (r == -ENOENT)
		return 0; /* no schema yet: no boots */
	rc = sqlite3_prepare_v2(h, sql, -1, &st, NULL);
	if (rc != SQLITE_OK) {
		hr_db_set_error(db, "restarts");
		return -EIO;
	}
	sqlite3_bind_int64(st, 1, rg->from_ms);
	sqlite3_bind_int64(st, 2, rg->to_ms);
	sqlite3_bind_int(st, 3, rg->tod_from);
	sqlite3_bind_int(st, 4, rg->tod_to);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW && n < MAX_RESTARTS) {
		struct hr_restart *g = realloc(v, (n + 1) * sizeof(*v));

		if (!g) {
			sqlite3_finalize(st);
			free(v);
			return -ENOMEM;
		}
		v = g;
		v[n].ts_ms = sqlite3_column_int64(st, 0);
		v[n].ncpu = sqlite3_column_int(st, 1);
		v[n].ncpu_before = sqlite3_column_int(st, 2);
		n++;
	}
	if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
		hr_db_set_error(db, "restarts");
		sqlite3_finalize(st);
		free(v);
		return -EIO;
	}
	sqlite3_finalize(st);
	*ret = v;
	*ret_n = n;
	return 0;
}

int hr_db_count_imported(struct hr_db *db, const struct hr_range *rg, int64_t *ret_n)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *st = NULL;
	int rc;

	*ret_n = 0;
	if (hr_db_sqlite(db, &h) < 0)
		return 0;	/* no schema: nothing imported */
	/* a version-1 database has no source column: nothing was imported */
	rc = sqlite3_prepare_v2(h, "SELECT count(*) FROM sample WHERE ts BETWEEN ?1 AND ?2 AND"
				   " source = 1", -1, &st, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(st);
		return 0;
	}
	sqlite3_bind_int64(st, 1, rg->from_ms);
	sqlite3_bind_int64(st, 2, rg->to_ms);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret_n = sqlite3_column_int64(st, 0);
	else
		hr_db_set_error(db, "imported samples");
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? 0 : -EIO;
}
