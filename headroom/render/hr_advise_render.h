/*
 * hr_advise_render.h - writers of `headroom advise` (headroom/render):
 * the verdicts of struct hr_advice as text for people (advise-text.c) or
 * JSON for programs (advise-json.c), written to a FILE.
 *
 * The one part of render that reads analyze's data types (hr_advise.h, a
 * plain result struct); it is its own static library (hr_render_advise)
 * so the chart and table writers stay free of analyze. No SQLite, no
 * logging. Times are local (TZ) with the zone: text "2026-11-28 09:00:00
 * CET", JSON ISO 8601 with the offset.
 */
#ifndef HR_ADVISE_RENDER_H
#define HR_ADVISE_RENDER_H

#include <stdio.h>

#include "hr_advise.h"
#include "hr_text.h"

struct hr_advise_meta {
	const char *host;	/* "" if unknown */
	const char *kernel;	/* "" if unknown */
};

/*
 * Write A to OUT (OUT stays the caller's; flushed). Returns 0 or -EIO
 * (a failed write), -EINVAL on a NULL argument.
 */
int hr_advise_write_text(FILE *out, const struct hr_advice *a, const struct hr_advise_meta *m);
int hr_advise_write_json(FILE *out, const struct hr_advice *a, const struct hr_advise_meta *m);
/*
 * An HTML fragment for a report page (advise-html.c): the overall verdict,
 * then a table with one row per resource (verdict, main figure, and why:
 * the rules that fired with their evidence and processes, the trend).
 * Every text is escaped; classes v-ok, v-watch, v-investigate, v-upgrade
 * and "why" are for the page's CSS.
 */
int hr_advise_write_html(FILE *out, const struct hr_advice *a);

/*
 * The same verdict as paragraphs for the PDF report (advise-pdf.c): a
 * heading with the worst verdict, then one block per resource. Blocks are
 * numbered on from *BLOCK (advanced). Returns 0, -ENOMEM or -EINVAL.
 */
int hr_advise_text_pars(struct hr_text *t, const struct hr_advice *a, unsigned *block);

/* Shared by the writers (advise-text.c): "2026-11-28 09:00:00 CET",
 * "2h30min", "disk sda". */
void hr_advise_fmt_time(int64_t ms, char *buf, size_t size);
void hr_advise_fmt_dur(int64_t ms, char *buf, size_t size);
const char *hr_advise_res_title(const struct hr_resource *r, char *buf, size_t size);

#endif
