/*
 * hr_ingest.h - samples from elsewhere (headroom/ingest): sysstat's daily
 * files read through sysstat's own `sadf -j` (every file version sysstat
 * ever wrote, compressed rotations included), and the stream `headroom
 * export` writes and `headroom pull` reads over ssh. JSON is read and
 * written with jansson. Depends on headroom/store (hr_xfer.h) and common/;
 * never on analyze or render. Nothing here logs: errors come back as
 * -errno with a one-line reason in the caller's ERR buffer.
 */
#ifndef HR_INGEST_H
#define HR_INGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct hr_store;

/* What a load did. */
struct hr_ingest_stats {
	int64_t added;		/* samples written */
	int64_t duplicate;	/* skipped: a sample with that time was there */
	int64_t recorded;	/* skipped: overlaps a sample recorded there */
	int64_t restarts;	/* reboots found (sysstat RESTART records) */
	int64_t bytes;		/* pull: bytes read from the stream */
};

/* ---- sysstat files (sadf.c) ---- */

struct hr_sa;

/*
 * Read the sysstat file PATH (saDD, saYYYYMMDD, or such a file compressed
 * as .gz, .xz, .zst or .bz2: decompressed to a temporary file first) with
 * `sadf -j` (the program SADF, NULL for "sadf" on PATH). *ret is the
 * caller's (hr_sa_free). Returns 0, -ENOENT (no such file, or no sadf or
 * decompressor), -EMEDIUMTYPE (sadf refused the file: not sysstat's, or
 * corrupt), -ENOMEM, -EIO; ERR says which in one line.
 */
int hr_sa_read(const char *path, const char *sadf, struct hr_sa **ret, char *err, size_t errsize);
void hr_sa_free(struct hr_sa *sa);	/* NULL allowed */
/* The file's host name (sysstat's nodename), kernel release and CPU count. */
const char *hr_sa_host(const struct hr_sa *sa);
const char *hr_sa_kernel(const struct hr_sa *sa);
int hr_sa_ncpu(const struct hr_sa *sa);
size_t hr_sa_nsamples(const struct hr_sa *sa);

/*
 * Write the samples of SA into S (opened as a writer) in batches of one
 * transaction each, marked as imported from sysstat: a sample whose time is
 * there already, or whose interval overlaps a recorded sample's, is
 * skipped and counted. Reboots start a new boot; samples before the file's
 * first reboot continue the boot of the sample before them in S. Fills
 * *st. Returns 0 or -errno (a failed batch leaves nothing behind).
 */
int hr_sa_store(const struct hr_sa *sa, struct hr_store *s, struct hr_ingest_stats *st,
		char *err, size_t errsize);

/* ---- the export stream (stream.c) ---- */

/*
 * Write the samples of the database at DB_PATH with an id above AFTER_ID
 * (in the order they were written) to OUT as the export stream (docs/headroom-schema.md, "Export stream"):
 * a header line, one JSON line per sample, an end line with the count.
 * One read transaction: a consistent snapshot; never writes to DB_PATH.
 * *ret_n gets the samples written. Returns 0 or -errno (-EPIPE when OUT
 * went away).
 */
int hr_stream_export(const char *db_path, int64_t after_id, FILE *out, int64_t *ret_n, char *err,
		     size_t errsize);

/*
 * Read an export stream from IN into S (a writer): samples after S's
 * watermark only (meta pull_id, the last remote id, kept in the same
 * transaction as the samples, so an interrupted stream loses and
 * duplicates nothing), in batches of BATCH samples; a sample S holds
 * already (hr_xfer_covered: a roll-up the remote made of samples pulled
 * raw before) is skipped and counted as duplicate. *ret_host gets the remote hostname (from the
 * header) when the buffer is given. Returns 0 when the end line came,
 * -EPIPE when the stream ended early (the batches before stay), -EPROTO for
 * a line that is not the stream's, or -errno.
 */
int hr_stream_receive(FILE *in, struct hr_store *s, size_t batch, struct hr_ingest_stats *st,
		      char *ret_host, size_t hostsize, char *err, size_t errsize);

/* S's watermark for the next pull: the last pulled sample's remote id, or 0. */
int hr_stream_watermark(struct hr_store *s, int64_t *ret_id);

#endif
