/*
 * scan.c - bounded line and number scanning (headroom/collect).
 * See hr_scan.h for the contract. Depends on libc only.
 */
#include <string.h>

#include "hr_scan.h"
#include "banned.h"

void hr_scan_init(struct hr_scan *s, const char *buf, size_t len)
{
	s->p = buf;
	s->end = buf + len;
}

bool hr_scan_line(struct hr_scan *s, char *line, size_t cap)
{
	const char *nl;
	size_t n;

	if (s->p >= s->end || cap == 0)
		return false;
	nl = memchr(s->p, '\n', (size_t)(s->end - s->p));
	if (!nl)
		nl = s->end;
	n = (size_t)(nl - s->p);
	if (n > cap - 1)
		n = cap - 1;
	memcpy(line, s->p, n);
	line[n] = '\0';
	s->p = nl < s->end ? nl + 1 : s->end;
	return true;
}

static const char *skip_blanks(const char *p)
{
	while (*p == ' ' || *p == '\t')
		p++;
	return p;
}

bool hr_scan_u64(const char **p, uint64_t *ret)
{
	const char *q = skip_blanks(*p);
	uint64_t v = 0;

	if (*q < '0' || *q > '9')
		return false;
	for (; *q >= '0' && *q <= '9'; q++) {
		unsigned d = (unsigned)(*q - '0');
		if (v > (UINT64_MAX - d) / 10)
			v = UINT64_MAX;
		else
			v = v * 10 + d;
	}
	*ret = v;
	*p = q;
	return true;
}

bool hr_scan_i64(const char **p, int64_t *ret)
{
	const char *q = skip_blanks(*p);
	bool neg = false;
	uint64_t v;

	if (*q == '-') {
		neg = true;
		q++;
		if (*q < '0' || *q > '9')
			return false;
	}
	if (!hr_scan_u64(&q, &v))
		return false;
	if (v > INT64_MAX)
		v = INT64_MAX;
	*ret = neg ? -(int64_t)v : (int64_t)v;
	*p = q;
	return true;
}

bool hr_scan_double(const char **p, double *ret)
{
	const char *q = skip_blanks(*p);
	uint64_t ip, fp = 0;
	double scale = 1.0;

	if (!hr_scan_u64(&q, &ip))
		return false;
	if (*q == '.') {
		q++;
		for (; *q >= '0' && *q <= '9'; q++) {
			if (scale < 1e15) {
				fp = fp * 10 + (uint64_t)(*q - '0');
				scale *= 10.0;
			}
		}
	}
	*ret = (double)ip + (double)fp / scale;
	*p = q;
	return true;
}

bool hr_scan_word(const char **p, char *out, size_t cap)
{
	const char *q = skip_blanks(*p);
	size_t n = 0;

	if (*q == '\0' || *q == '\n' || cap == 0)
		return false;
	for (; *q && *q != ' ' && *q != '\t' && *q != '\n'; q++)
		if (n < cap - 1)
			out[n++] = *q;
	out[n] = '\0';
	*p = q;
	return true;
}

bool hr_scan_skip(const char **p, const char *prefix)
{
	size_t n = strlen(prefix);

	if (strncmp(*p, prefix, n) != 0)
		return false;
	*p += n;
	return true;
}

bool hr_counter_delta(uint64_t prev, uint64_t cur, uint64_t *ret)
{
	if (cur >= prev) {
		*ret = cur - prev;
		return true;
	}
	if (prev <= UINT32_MAX && prev >= (1ULL << 31)) {
		*ret = (UINT32_MAX - prev) + cur + 1;
		return true;
	}
	if (prev >= (1ULL << 63)) {
		*ret = (UINT64_MAX - prev) + cur + 1;
		return true;
	}
	return false;
}
