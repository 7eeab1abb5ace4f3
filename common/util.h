/*
 * util.h - small parsers and encoders shared by both programs (common layer):
 * hex, durations, bounded unsigned integers. Return 0 or -errno (-EINVAL for
 * malformed input, -ERANGE for out of range); out-parameters untouched on failure.
 */
#ifndef COMMON_UTIL_H
#define COMMON_UTIL_H

#include <stddef.h>
#include <stdint.h>

/* Write 2*len lowercase hex digits and a NUL into out (size >= 2*len+1). */
void hex_encode(const uint8_t *in, size_t len, char *out);
/* Decode exactly 2*len hex digits from in (NUL-terminated, nothing after). */
int hex_decode(const char *in, uint8_t *out, size_t len);

/* "90", "90s", "15m", "2h", "1d" -> seconds (1 .. 10 years). */
int parse_duration(const char *s, uint64_t *ret_seconds);
/* Decimal unsigned integer within [min, max], no sign, no trailing junk. */
int parse_u64(const char *s, uint64_t min, uint64_t max, uint64_t *ret);

/* Length (1..4) of the valid UTF-8 sequence at s (avail bytes left), 0 when it
 * is not valid UTF-8 (overlong forms, surrogates and > U+10FFFF are not). */
size_t utf8_char_len(const unsigned char *s, size_t avail);

/*
 * Make room for element number N in the growable array *ARR of *CAP elements
 * of ELEM bytes: when full, double it (FIRST elements the first time), never
 * beyond MAX elements. Returns 0, -E2BIG when N would exceed MAX, -ENOMEM.
 * On failure *ARR and *CAP are unchanged and *ARR is still the caller's.
 */
int array_reserve(void **arr, size_t *cap, size_t n, size_t elem, size_t first, size_t max);

#endif
