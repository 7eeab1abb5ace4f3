/*
 * hr_test.h - tiny assertion helpers shared by headroom's C tests
 * (tests/headroom). Header-only; a failed check prints file:line and the
 * values and counts a failure; main returns test_result().
 */
#ifndef HR_TEST_H
#define HR_TEST_H

#include <math.h>
#include <stdio.h>
#include <string.h>

static int test_failures;

#define CHECK(cond)                                                                              \
	do {                                                                                     \
		if (!(cond)) {                                                                   \
			fprintf(stderr, "%s:%d: check failed: %s\n", __FILE__, __LINE__, #cond); \
			test_failures++;                                                         \
		}                                                                                \
	} while (0)

#define CHECK_NEAR(a, b, eps)                                                                    \
	do {                                                                                     \
		double a_ = (a), b_ = (b);                                                       \
		if (!(fabs(a_ - b_) <= (eps))) {                                                 \
			fprintf(stderr, "%s:%d: %s = %.4f, expected %.4f\n", __FILE__, __LINE__, \
				#a, a_, b_);                                                     \
			test_failures++;                                                         \
		}                                                                                \
	} while (0)

#define CHECK_STR(a, b)                                                                          \
	do {                                                                                     \
		const char *a_ = (a), *b_ = (b);                                                 \
		if (strcmp(a_, b_) != 0) {                                                       \
			fprintf(stderr, "%s:%d: %s = \"%s\", expected \"%s\"\n", __FILE__, __LINE__,  \
				#a, a_, b_);                                                     \
			test_failures++;                                                         \
		}                                                                                \
	} while (0)

#define CHECK_INT(a, b)                                                                          \
	do {                                                                                     \
		long long a_ = (long long)(a), b_ = (long long)(b);                              \
		if (a_ != b_) {                                                                  \
			fprintf(stderr, "%s:%d: %s = %lld, expected %lld\n", __FILE__, __LINE__, \
				#a, a_, b_);                                                     \
			test_failures++;                                                         \
		}                                                                                \
	} while (0)

static inline int test_result(const char *name)
{
	if (test_failures) {
		fprintf(stderr, "%s: %d check(s) failed\n", name, test_failures);
		return 1;
	}
	printf("%s: ok\n", name);
	return 0;
}

#endif
