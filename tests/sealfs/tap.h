/*
 * tap.h - the tiny test harness of the sealfs C unit and known-answer tests
 * (tests layer; header-only, depends on libc only, never on the code under test).
 *
 * CHECK(cond) and its typed variants count a check and, when it fails, print
 * "file:line: failed: <expression>" and the values involved, then go on, so
 * one run shows every broken property. TAP_RUN(fn) runs one test function and
 * prints its name; tap_done() prints "N checks, M failed" and gives the exit
 * code of main: 0 pass, 1 fail (77, skip, is for tests whose facility is
 * absent). tap_tmpdir() gives a fresh scratch directory under $TEST_TMP (set
 * by tests/run-tests.sh) or /tmp, removed at exit when the test made it.
 */
#ifndef SEALFS_TESTS_TAP_H
#define SEALFS_TESTS_TAP_H

#include <errno.h>
#include <ftw.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int tap_checks, tap_failures;
static const char *tap_current = "";

static inline const char *tap_errname(long e)
{
	const char *n;

	if (e == 0)
		return "0";
	if (e > 0)
		return "(positive)";
	n = strerrorname_np((int)-e);
	return n ? n : "(unknown errno)";
}

static inline void tap_fail_head(const char *file, int line, const char *expr)
{
	tap_failures++;
	fprintf(stderr, "%s:%d: [%s] failed: %s\n", file, line, tap_current, expr);
}

static inline void tap_hexdump(const char *label, const void *p, size_t n)
{
	const uint8_t *b = p;

	fprintf(stderr, "    %s (%zu bytes): ", label, n);
	for (size_t i = 0; i < n && i < 64; i++)
		fprintf(stderr, "%02x", b[i]);
	fprintf(stderr, "%s\n", n > 64 ? "..." : "");
}

/* A plain boolean check. Evaluates to the truth of cond. */
#define CHECK(cond)                                                                                \
	({                                                                                         \
		bool tap_ok_ = (cond);                                                             \
		tap_checks++;                                                                      \
		if (!tap_ok_)                                                                      \
			tap_fail_head(__FILE__, __LINE__, #cond);                                  \
		tap_ok_;                                                                           \
	})

/* Two integers equal; prints both (as errno names too when negative). */
#define CHECK_EQ(got, want)                                                                        \
	({                                                                                         \
		long long tap_g_ = (long long)(got), tap_w_ = (long long)(want);                   \
		bool tap_ok_ = tap_g_ == tap_w_;                                                   \
		tap_checks++;                                                                      \
		if (!tap_ok_) {                                                                    \
			tap_fail_head(__FILE__, __LINE__, #got " == " #want);                      \
			fprintf(stderr, "    got %lld (%s), want %lld (%s)\n", tap_g_,             \
				tap_errname((long)tap_g_), tap_w_, tap_errname((long)tap_w_));     \
		}                                                                                  \
		tap_ok_;                                                                           \
	})

/* An unsigned 64-bit equality (sizes and offsets past 2^63 print right). */
#define CHECK_EQ_U64(got, want)                                                                    \
	({                                                                                         \
		unsigned long long tap_g_ = (got), tap_w_ = (want);                                \
		bool tap_ok_ = tap_g_ == tap_w_;                                                   \
		tap_checks++;                                                                      \
		if (!tap_ok_) {                                                                    \
			tap_fail_head(__FILE__, __LINE__, #got " == " #want);                      \
			fprintf(stderr, "    got %llu, want %llu\n", tap_g_, tap_w_);              \
		}                                                                                  \
		tap_ok_;                                                                           \
	})

/* n bytes at a equal n bytes at b; prints both. */
#define CHECK_MEM(a, b, n)                                                                         \
	({                                                                                         \
		const void *tap_a_ = (a), *tap_b_ = (b);                                           \
		size_t tap_n_ = (n);                                                               \
		bool tap_ok_ = memcmp(tap_a_, tap_b_, tap_n_) == 0;                                \
		tap_checks++;                                                                      \
		if (!tap_ok_) {                                                                    \
			tap_fail_head(__FILE__, __LINE__, "memeq(" #a ", " #b ", " #n ")");        \
			tap_hexdump("got ", tap_a_, tap_n_);                                       \
			tap_hexdump("want", tap_b_, tap_n_);                                       \
		}                                                                                  \
		tap_ok_;                                                                           \
	})

/* Two NUL-terminated strings equal. */
#define CHECK_STR(got, want)                                                                       \
	({                                                                                         \
		const char *tap_g_ = (got), *tap_w_ = (want);                                      \
		bool tap_ok_ = strcmp(tap_g_, tap_w_) == 0;                                        \
		tap_checks++;                                                                      \
		if (!tap_ok_) {                                                                    \
			tap_fail_head(__FILE__, __LINE__, #got " == " #want);                      \
			fprintf(stderr, "    got  \"%.300s\"\n    want \"%.300s\"\n", tap_g_,      \
				tap_w_);                                                           \
		}                                                                                  \
		tap_ok_;                                                                           \
	})

/*
 * Decode hex (whitespace allowed between digits) into out (cap bytes).
 * Returns the byte count; aborts the test on malformed input, which is a bug
 * in the test itself.
 */
static inline size_t tap_unhex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (const char *p = hex; *p; p++) {
		int v;
		if (*p == ' ' || *p == '\n' || *p == '\t')
			continue;
		if (*p >= '0' && *p <= '9')
			v = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			v = *p - 'a' + 10;
		else
			abort();
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			abort();
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		abort();
	return n;
}

/* n bytes at got equal the hex string want (whitespace ignored). */
#define CHECK_HEX(got, n, want)                                                                    \
	({                                                                                         \
		uint8_t tap_w_[8192];                                                              \
		size_t tap_wn_ = tap_unhex((want), tap_w_, sizeof(tap_w_));                        \
		size_t tap_n_ = (n);                                                               \
		bool tap_ok_ = tap_wn_ == tap_n_ && memcmp((got), tap_w_, tap_n_) == 0;            \
		tap_checks++;                                                                      \
		if (!tap_ok_) {                                                                    \
			tap_fail_head(__FILE__, __LINE__, #got " == " #want);                      \
			tap_hexdump("got ", (got), tap_n_);                                        \
			tap_hexdump("want", tap_w_, tap_wn_);                                      \
		}                                                                                  \
		tap_ok_;                                                                           \
	})

/* Run one test function, labelling its failures. */
#define TAP_RUN(fn)                                                                                \
	do {                                                                                       \
		int tap_before_ = tap_failures;                                                    \
		tap_current = #fn;                                                                 \
		fn();                                                                              \
		printf("%s %s\n", tap_failures == tap_before_ ? "ok  " : "FAIL", #fn);             \
		fflush(stdout);                                                                    \
	} while (0)

static inline int tap_done(void)
{
	printf("%d checks, %d failed\n", tap_checks, tap_failures);
	return tap_failures ? 1 : 0;
}

/* --- scratch directories --- */

static char tap_own_tmp[4096];

static inline int tap_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static inline void tap_rm_tmp(void)
{
	if (tap_own_tmp[0])
		nftw(tap_own_tmp, tap_rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

/* A fresh empty directory (path in a static buffer of the caller's choosing). */
static inline int tap_tmpdir(char *out, size_t len)
{
	static unsigned seq;
	const char *base = getenv("TEST_TMP");
	int n;

	if (!base || !*base) {
		if (!tap_own_tmp[0]) {
			snprintf(tap_own_tmp, sizeof(tap_own_tmp), "/tmp/sfs-unit.XXXXXX");
			if (!mkdtemp(tap_own_tmp))
				return -errno;
			atexit(tap_rm_tmp);
		}
		base = tap_own_tmp;
	}
	n = snprintf(out, len, "%s/d%u-%ld", base, seq++, (long)getpid());
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	if (mkdir(out, 0700) < 0)
		return -errno;
	return 0;
}

/* A small deterministic PRNG (xorshift64*) so failures reproduce. */
static inline uint64_t tap_rand(uint64_t *s)
{
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545F4914F6CDD1DULL;
}

static inline void tap_randbytes(uint64_t *s, void *buf, size_t n)
{
	uint8_t *p = buf;

	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(tap_rand(s) >> 56);
}

#endif
