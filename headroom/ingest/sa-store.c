/*
 * sa-store.c - a sysstat file read by sadf.c into the store (headroom/ingest):
 * batches of one transaction, samples already there or overlapping recorded
 * ones skipped and counted, RESTART records as new boots. Depends on
 * hr_store (hr_xfer.h) and common/ only. See hr_ingest.h.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_ingest.h"
#include "hr_sa_int.h"
#include "hr_store.h"
#include "hr_xfer.h"
#include "banned.h"

#define BATCH 2000	/* samples per transaction */

static int store_rows(const struct hr_sa *sa, const struct sa_sample *smp, struct hr_store *s)
{
	for (size_t i = 0; i < smp->nrows; i++) {
		const struct sa_row *row = &sa->rows[smp->row0 + i];
		const struct sa_table *t = &hr_sa_tables[row->table];
		const char *cols[MAXV + 2];
		struct hr_value v[MAXV + 2];
		size_t n = 0;
		int r;

		cols[n] = "stat";
		v[n++] = (struct hr_value){.type = HR_V_INT, .i = 0};
		if (t->keycol) {
			cols[n] = t->keycol;
			v[n++] = t->key_int ? (struct hr_value){.type = HR_V_INT,
								.i = strtoll(row->key, NULL, 10)}
					    : (struct hr_value){.type = HR_V_TEXT, .s = row->key};
		}
		for (size_t c = 0; c < t->n; c++) {
			cols[n] = t->cols[c];
			v[n++] = isnan(row->v[c]) ? (struct hr_value){.type = HR_V_NULL}
						  : (struct hr_value){.type = HR_V_REAL,
								      .r = row->v[c]};
		}
		r = hr_xfer_row(s, t->name, cols, v, n);
		if (r < 0)
			return r;
	}
	return 0;
}

int hr_sa_store(const struct hr_sa *sa, struct hr_store *s, struct hr_ingest_stats *st,
		char *err, size_t errsize)
{
	char boot[64] = "", cpus[16];
	size_t rs = 0, inbatch = 0;
	int r = 0;

	st->restarts += (int64_t)sa->nrestarts;
	for (size_t i = 0; i < sa->ns && r == 0; i++) {
		const struct sa_sample *smp = &sa->s[i];
		int where = 0;

		/* the boot: the last RESTART before the sample, else the sample before's */
		while (rs < sa->nrestarts && sa->restarts[rs].ts < smp->ts) {
			snprintf(boot, sizeof(boot), "sysstat-%lld",
				 (long long)(sa->restarts[rs].ts / 1000));
			rs++;
		}
		if (!inbatch)
			r = hr_xfer_batch_begin(s);
		if (r < 0)
			break;
		inbatch++;
		if (!*boot && hr_xfer_boot_before(s, smp->ts, boot, sizeof(boot)) < 0)
			snprintf(boot, sizeof(boot), "sysstat-%lld", (long long)(smp->ts / 1000));
		r = hr_xfer_find(s, smp->ts, smp->span, &where);
		if (r == 0 && where == HR_XFER_DUPLICATE)
			st->duplicate++;
		else if (r == 0 && where == HR_XFER_RECORDED)
			st->recorded++;
		else if (r == 0) {
			struct hr_xsample x = {.ts_ms = smp->ts, .span_ms = smp->span,
					       .source = HR_SOURCE_SYSSTAT, .boot_id = boot};
			r = hr_xfer_sample(s, &x);
			if (r == 0)
				r = store_rows(sa, smp, s);
			if (r == 0)
				st->added++;
		}
		if (r == 0 && (inbatch == BATCH || i + 1 == sa->ns)) {
			r = hr_xfer_batch_commit(s);
			inbatch = 0;
		}
	}
	if (r < 0) {
		snprintf(err, errsize, "%s", hr_store_errmsg(s));
		hr_xfer_batch_rollback(s);
		return r;
	}
	/* describe the host, as the recorder does, where nothing has yet */
	snprintf(cpus, sizeof(cpus), "%d", sa->ncpu);
	if (hr_xfer_get_meta(s, "hostname", boot, sizeof(boot)) == -ENOENT) {
		r = hr_store_set_meta(s, "hostname", sa->host);
		if (r == 0 && *sa->kernel)
			r = hr_store_set_meta(s, "kernel", sa->kernel);
		if (r == 0 && sa->ncpu > 0)
			r = hr_store_set_meta(s, "ncpu", cpus);
	}
	return r;
}
