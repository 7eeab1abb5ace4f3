/*
 * hr_scan.h - bounded text scanning for the /proc parsers (headroom/collect).
 *
 * Every parser walks its input with these helpers: input is (buf, len) and
 * never read past len, lines are copied into a caller buffer of fixed size
 * (longer lines are truncated, the prefix is still returned), numbers are
 * parsed without sign or overflow surprises. Depends on libc only.
 */
#ifndef HR_SCAN_H
#define HR_SCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define HR_LINE_MAX 4096

struct hr_scan {
	const char *p, *end;
};

void hr_scan_init(struct hr_scan *s, const char *buf, size_t len);

/*
 * Copy the next line (without its newline) into line[cap], NUL-terminated.
 * Returns true if a line was read, false at end of input. A NUL byte inside
 * the input ends the copied string early; a line longer than cap-1 bytes is
 * truncated and the rest skipped.
 */
bool hr_scan_line(struct hr_scan *s, char *line, size_t cap);

/*
 * Skip blanks at *p, then parse an unsigned decimal number. On success
 * advances *p past it and stores it; false (nothing moved) if no digit
 * follows the blanks. Values above UINT64_MAX saturate.
 */
bool hr_scan_u64(const char **p, uint64_t *ret);
/* Same for a signed decimal ("-1" in /sys/class/net/X/speed). */
bool hr_scan_i64(const char **p, int64_t *ret);
/* Same for a non-negative decimal with optional fraction ("0.25"). */
bool hr_scan_double(const char **p, double *ret);
/*
 * Skip blanks, copy the next run of non-blank bytes into out[cap]
 * (truncated to cap-1) and advance. False if no word.
 */
bool hr_scan_word(const char **p, char *out, size_t cap);
/* True if *p starts with prefix; advances past it. */
bool hr_scan_skip(const char **p, const char *prefix);

/*
 * Delta of a monotonically increasing kernel counter. cur < prev means a
 * reset (device re-plugged, reboot) unless prev sat in the upper half of a
 * 32-bit or 64-bit range, which is read as one wrap of that width. Returns
 * true with *ret set, or false for a reset (the delta is unknown).
 */
bool hr_counter_delta(uint64_t prev, uint64_t cur, uint64_t *ret);

#endif
