/*
 * stream.c - the export stream (headroom/ingest): what `headroom export`
 * writes on the remote and `headroom pull` reads over ssh. JSON lines,
 * written and parsed with jansson:
 *	{"headroom-export":1,"schema":V,"count":N,"meta":{...},"tables":{"cpu":[cols]...}}
 *	{"s":[id,ts,span,level,source,"boot"],"t":{"cpu":[[row]...],...}}   one per sample
 *	{"end":N}
 * Samples come in the order they were written (id). Rows are arrays in
 * the order of the header's columns, so the receiver maps them by name and
 * a column one side lacks is left out. The receiver commits whole samples
 * in batches with its watermark (the last remote sample's id) in the same
 * transaction: a stream cut anywhere loses
 * nothing committed and repeats nothing on the next pull.
 * Depends on jansson, hr_store (hr_xfer.h) and common/.
 */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hr_ingest.h"
#include "hr_store.h"
#include "hr_xfer.h"
#include "cleanup.h"
#include "util.h"
#include "banned.h"

#define STREAM_VERSION 1
#define LINE_MAX_BYTES (16u << 20)
#define MAX_TABLES 16
#define MAX_COLS 64

/* ---- writing ---- */

/* A json string of S, invalid UTF-8 bytes shown as '?'. */
static json_t *jstr(const char *s)
{
	size_t n = strlen(s), o = 0;
	json_t *j = json_string(s);
	char *copy;

	if (j)
		return j;
	copy = malloc(n + 1);
	if (!copy)
		return NULL;
	for (size_t i = 0; i < n;) {
		size_t l = utf8_char_len((const unsigned char *)s + i, n - i);
		if (l == 0) {
			copy[o++] = '?';
			i++;
		} else {
			memcpy(copy + o, s + i, l);
			o += l;
			i += l;
		}
	}
	copy[o] = 0;
	j = json_string(copy);
	free(copy);
	return j;
}

/*
 * A sample line is written directly (jansson escapes its strings): numbers
 * in the fewest digits that read back as the same double, so "0.1" rather
 * than jansson's fixed 17 digits "0.10000000000000001"; a third of the bytes.
 */
struct line {
	FILE *out;
	bool first;
	int err;
};

static void put_num(FILE *out, double d)
{
	char buf[40];

	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*g", prec, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	/* a JSON real: keep a decimal point or exponent so it reads back as real */
	fputs(buf, out);
	if (!strpbrk(buf, ".eEn"))
		fputs(".0", out);
}

static int put_value(FILE *out, const struct hr_value *v)
{
	json_t *j;

	switch (v->type) {
	case HR_V_INT:
		fprintf(out, "%" PRId64, v->i);
		return 0;
	case HR_V_REAL:
		if (!isfinite(v->r)) {
			fputs("null", out);
			return 0;
		}
		put_num(out, v->r);
		return 0;
	case HR_V_TEXT:
		j = jstr(v->s ? v->s : "");
		if (!j || json_dumpf(j, out, JSON_ENCODE_ANY) < 0) {
			json_decref(j);
			return -ENOMEM;
		}
		json_decref(j);
		return 0;
	default:
		fputs("null", out);
		return 0;
	}
}

static int add_row(void *closure, const struct hr_value *v, size_t n)
{
	struct line *ln = closure;
	int r = 0;

	fputs(ln->first ? "[" : ",[", ln->out);
	ln->first = false;
	for (size_t i = 0; i < n && r == 0; i++) {
		if (i)
			fputc(',', ln->out);
		r = put_value(ln->out, &v[i]);
	}
	fputc(']', ln->out);
	return r;
}

static int put_line(FILE *out, json_t *j)
{
	int r = json_dumpf(j, out, JSON_COMPACT | JSON_REAL_PRECISION(17));

	json_decref(j);
	if (r < 0 || fputc('\n', out) == EOF)
		return ferror(out) && errno == EPIPE ? -EPIPE : -EIO;
	return 0;
}

int hr_stream_export(const char *db_path, int64_t after_id, FILE *out, int64_t *ret_n, char *err,
		     size_t errsize)
{
	static const char *const meta_keys[] = {"hostname", "kernel", "ncpu", "writer"};
	struct hr_export *x = NULL;
	struct hr_xsample smp;
	json_t *head, *meta, *tabs;
	int64_t count = 0, n = 0;
	int r;

	*ret_n = 0;
	r = hr_export_open(db_path, after_id, &x, err, errsize);
	if (r < 0)
		return r;
	r = hr_export_count(x, &count);
	head = json_object();
	meta = json_object();
	tabs = json_object();
	if (!head || !meta || !tabs) {
		json_decref(head);
		json_decref(meta);
		json_decref(tabs);
		hr_export_free(x);
		return -ENOMEM;
	}
	for (size_t i = 0; i < ARRAY_SIZE(meta_keys); i++) {
		char v[512];
		if (hr_export_meta(x, meta_keys[i], v, sizeof(v)) == 0)
			json_object_set_new(meta, meta_keys[i], jstr(v));
	}
	for (size_t t = 0; t < hr_export_ntables(x); t++) {
		const char *const *cols;
		size_t nc;
		const char *name = hr_export_table(x, t, &cols, &nc);
		json_t *a = json_array();
		for (size_t c = 0; a && c < nc; c++)
			json_array_append_new(a, json_string(cols[c]));
		json_object_set_new(tabs, name, a);
	}
	json_object_set_new(head, "headroom-export", json_integer(STREAM_VERSION));
	json_object_set_new(head, "schema", json_integer(HR_SCHEMA_VERSION));
	json_object_set_new(head, "count", json_integer(count));
	json_object_set_new(head, "meta", meta);
	json_object_set_new(head, "tables", tabs);
	if (r == 0)
		r = put_line(out, head);
	else
		json_decref(head);
	while (r == 0 && (r = hr_export_next(x, &smp)) > 0) {
		struct hr_value boot = {.type = HR_V_TEXT, .s = smp.boot_id};
		bool any = false;

		fprintf(out, "{\"s\":[%" PRId64 ",%" PRId64 ",%" PRId64 ",%d,%d,", smp.id, smp.ts_ms,
			smp.span_ms, smp.level, smp.source);
		r = put_value(out, &boot);
		fputs("],\"t\":{", out);
		for (size_t ti = 0; r == 0 && ti < hr_export_ntables(x); ti++) {
			const char *const *cols;
			size_t nc, blen = 0;
			const char *name = hr_export_table(x, ti, &cols, &nc);
			char *rows = NULL;
			/* a table's rows go to memory first: an empty table is left out */
			struct line ln = {.out = open_memstream(&rows, &blen), .first = true};
			if (!ln.out) {
				r = -ENOMEM;
				break;
			}
			r = hr_export_rows(x, ti, add_row, &ln);
			if (fclose(ln.out) == EOF && r == 0)
				r = -ENOMEM;
			if (r == 0 && !ln.first) {
				fprintf(out, "%s\"%s\":[", any ? "," : "", name);
				fwrite(rows, 1, blen, out);
				fputc(']', out);
				any = true;
			}
			free(rows);
		}
		fputs("}}\n", out);
		if (ferror(out))
			r = errno == EPIPE ? -EPIPE : -EIO;
		n++;
	}
	if (r == 0)
		r = put_line(out, json_pack("{sI}", "end", (json_int_t)n));
	if (r == 0 && fflush(out) == EOF)
		r = errno == EPIPE ? -EPIPE : -EIO;
	if (r < 0 && !*err)
		snprintf(err, errsize, "%s", r == -EPIPE ? "the reader went away"
				       : *hr_export_errmsg(x) ? hr_export_errmsg(x) : strerror(-r));
	hr_export_free(x);
	*ret_n = n;
	return r;
}

/* ---- reading ---- */

struct rtable {
	char name[32];
	size_t ncols;			/* remote columns */
	char *cols[MAX_COLS];
	bool keep[MAX_COLS];		/* the local schema has it */
	const char *local[MAX_COLS];	/* the kept ones, in order */
	size_t nlocal;
};

struct reader {
	struct rtable t[MAX_TABLES];
	size_t nt;
	json_t *meta;		/* the remote's meta (hostname, kernel, ncpu) */
};

static void reader_release(struct reader *rd)
{
	for (size_t i = 0; i < rd->nt; i++)
		for (size_t c = 0; c < rd->t[i].ncols; c++)
			free(rd->t[i].cols[c]);
	json_decref(rd->meta);
}

/* The remote's description of itself, as the recorder writes it there. */
static int apply_meta(struct reader *rd, struct hr_store *s)
{
	static const char *const keys[] = {"hostname", "kernel", "ncpu"};
	int r = 0;

	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(keys); i++) {
		const char *v = json_string_value(json_object_get(rd->meta, keys[i]));
		if (v)
			r = hr_store_set_meta(s, keys[i], v);
	}
	return r;
}

static int read_head(struct reader *rd, struct hr_store *s, json_t *h, char *host, size_t hsize,
		     char *err, size_t errsize)
{
	json_t *tabs = json_object_get(h, "tables"), *cols;
	const char *name;

	if (json_integer_value(json_object_get(h, "headroom-export")) != STREAM_VERSION) {
		snprintf(err, errsize, "not a headroom export stream of version %d",
			 STREAM_VERSION);
		return -EPROTO;
	}
	if (host && hsize)
		snprintf(host, hsize, "%s", json_is_string(json_object_get(
			json_object_get(h, "meta"), "hostname"))
			? json_string_value(json_object_get(json_object_get(h, "meta"), "hostname"))
			: "");
	rd->meta = json_incref(json_object_get(h, "meta"));
	json_object_foreach(tabs, name, cols) {
		struct rtable *t;
		size_t i;
		json_t *c;

		if (rd->nt == MAX_TABLES || strlen(name) >= sizeof(t->name) || !json_is_array(cols) ||
		    json_array_size(cols) > MAX_COLS)
			continue;
		t = &rd->t[rd->nt++];
		snprintf(t->name, sizeof(t->name), "%s", name);
		json_array_foreach(cols, i, c) {
			const char *cn = json_string_value(c);
			t->cols[t->ncols] = strdup(cn ? cn : "");
			if (!t->cols[t->ncols])
				return -ENOMEM;
			t->keep[t->ncols] = cn && hr_xfer_has_column(s, name, cn);
			if (t->keep[t->ncols])
				t->local[t->nlocal++] = t->cols[t->ncols];
			t->ncols++;
		}
	}
	return 0;
}

static int put_rows(struct hr_store *s, const struct rtable *t, json_t *rows)
{
	struct hr_value v[MAX_COLS];
	size_t i;
	json_t *row;

	if (!t->nlocal)
		return 0;
	json_array_foreach(rows, i, row) {
		size_t n = 0;
		int r;

		if (!json_is_array(row) || json_array_size(row) != t->ncols)
			return -EPROTO;
		for (size_t c = 0; c < t->ncols; c++) {
			json_t *x = json_array_get(row, c);
			if (!t->keep[c])
				continue;
			if (json_is_integer(x))
				v[n++] = (struct hr_value){.type = HR_V_INT, .i = json_integer_value(x)};
			else if (json_is_real(x))
				v[n++] = (struct hr_value){.type = HR_V_REAL, .r = json_real_value(x)};
			else if (json_is_string(x))
				v[n++] = (struct hr_value){.type = HR_V_TEXT, .s = json_string_value(x)};
			else
				v[n++] = (struct hr_value){.type = HR_V_NULL};
		}
		r = hr_xfer_row(s, t->name, t->local, v, n);
		if (r < 0)
			return r;
	}
	return 0;
}

int hr_stream_watermark(struct hr_store *s, int64_t *ret_id)
{
	char b[32];

	*ret_id = 0;
	if (hr_xfer_get_meta(s, "pull_id", b, sizeof(b)) == 0)
		*ret_id = strtoll(b, NULL, 10);
	return 0;
}

/* Commit the open batch with the watermark: the remote id of its last sample. */
static int commit_batch(struct hr_store *s, int64_t id)
{
	char b[32];
	int r;

	snprintf(b, sizeof(b), "%" PRId64, id);
	r = hr_store_set_meta(s, "pull_id", b);
	if (r == 0)
		return hr_xfer_batch_commit(s);
	hr_xfer_batch_rollback(s);
	return r;
}

static int one_sample(struct hr_store *s, struct reader *rd, json_t *line,
		      struct hr_ingest_stats *st, int64_t *wid)
{
	json_t *a = json_object_get(line, "s"), *t = json_object_get(line, "t");
	json_int_t id, ts, span;
	int level, source, r;
	const char *boot;
	json_error_t je;

	if (json_unpack_ex(a, &je, JSON_STRICT, "[IIIiis]", &id, &ts, &span, &level, &source,
			   &boot) < 0 || (t && !json_is_object(t)))
		return -EPROTO;
	bool covered = false;

	/* before the watermark: had it already */
	if (id <= *wid) {
		st->duplicate++;
		return 0;
	}
	*wid = id;
	r = hr_xfer_covered(s, ts, span, level, &covered);
	if (r < 0 || covered) {
		st->duplicate += covered;
		return r;
	}
	struct hr_xsample x = {.ts_ms = ts, .span_ms = span, .level = level, .source = source,
			       .boot_id = boot};
	r = hr_xfer_sample(s, &x);
	for (size_t i = 0; r == 0 && i < rd->nt; i++) {
		json_t *rows = json_object_get(t, rd->t[i].name);
		if (rows)
			r = json_is_array(rows) ? put_rows(s, &rd->t[i], rows) : -EPROTO;
	}
	if (r == 0)
		st->added++;
	return r;
}

/*
 * One line of IN (its '\n' included) into *BUF, at most LINE_MAX_BYTES:
 * its length, 0 at the end, -E2BIG for a longer line (the rest unread).
 */
static ssize_t read_line(FILE *in, char **buf, size_t *cap)
{
	size_t len = 0;

	for (;;) {
		size_t got;
		if (*cap - len < 65536 + 1) {
			size_t nc = *cap ? *cap * 2 : 131072;
			char *g;
			if (nc > LINE_MAX_BYTES + 65536 + 1)
				nc = LINE_MAX_BYTES + 65536 + 1;
			if (nc <= *cap)
				return -E2BIG;
			g = realloc(*buf, nc);
			if (!g)
				return -ENOMEM;
			*buf = g;
			*cap = nc;
		}
		if (!fgets(*buf + len, (int)(*cap - len), in))
			return (ssize_t)len;
		got = strlen(*buf + len);
		len += got;
		if (len && (*buf)[len - 1] == '\n')
			return (ssize_t)len;
		if (len > LINE_MAX_BYTES)
			return -E2BIG;
	}
}

int hr_stream_receive(FILE *in, struct hr_store *s, size_t batch, struct hr_ingest_stats *st,
		      char *ret_host, size_t hostsize, char *err, size_t errsize)
{
	struct reader rd = {0};
	_cleanup_free_ char *line = NULL;
	size_t cap = 0, inbatch = 0;
	int64_t wid, lineno = 0;
	bool ended = false, head = false;
	ssize_t len;
	int r = 0;

	hr_stream_watermark(s, &wid);
	while (r == 0 && !ended && (len = read_line(in, &line, &cap)) != 0) {
		json_error_t je;
		json_t *j;

		lineno++;
		if (len < 0) {
			if (len == -E2BIG)
				snprintf(err, errsize, "line %lld is over %u MiB", (long long)lineno,
					 LINE_MAX_BYTES >> 20);
			r = len == -E2BIG ? -EPROTO : (int)len;
			break;
		}
		st->bytes += len;
		if (line[len - 1] != '\n')
			break;	/* cut short: not a whole line */
		j = json_loadb(line, (size_t)len, 0, &je);
		if (!j || !json_is_object(j)) {
			snprintf(err, errsize, "line %lld is not the export stream's: %s",
				 (long long)lineno, j ? "not an object" : je.text);
			json_decref(j);
			r = -EPROTO;
			break;
		}
		if (!head) {
			r = read_head(&rd, s, j, ret_host, hostsize, err, errsize);
			head = true;
		} else if (json_object_get(j, "end")) {
			ended = true;
		} else {
			if (!inbatch)
				r = hr_xfer_batch_begin(s);
			if (r == 0) {
				inbatch++;
				r = one_sample(s, &rd, j, st, &wid);
				if (r == -EPROTO)
					snprintf(err, errsize, "line %lld is not a sample",
						 (long long)lineno);
			}
			if (r == 0 && inbatch >= batch) {
				r = commit_batch(s, wid);
				inbatch = 0;
			}
		}
		json_decref(j);
	}
	/* the samples of a batch are whole: keep them even when the stream then broke */
	if (r == 0 && inbatch)
		r = commit_batch(s, wid);
	else if (r < 0 && inbatch)
		hr_xfer_batch_rollback(s);
	if (r == 0 && ended)
		r = apply_meta(&rd, s);
	if (r < 0 && !*err)
		snprintf(err, errsize, "%s", *hr_store_errmsg(s) ? hr_store_errmsg(s) : strerror(-r));
	reader_release(&rd);
	if (r == 0 && !ended) {
		snprintf(err, errsize, "the stream ended early, after %lld samples",
			 (long long)(st->added + st->duplicate));
		r = -EPIPE;
	}
	if (r == 0 && ferror(in))
		r = -EIO;
	return r;
}
