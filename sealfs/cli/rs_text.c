/*
 * rs_text.c - the small text helpers of the restore engine and the commands
 * built on it (sealfs CLI layer): escaping names for messages, "block N"
 * messages, PATH arguments (normalising, pruning) and the summary line.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "restore.h"
#include "util.h"
#include "banned.h"

const char *rs_esc(const char *s, char *out, size_t outlen)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s), o = 0;

	while (left) {
		size_t n = utf8_char_len(p, left);
		if (o + 8 > outlen) {
			memcpy(out + o, "...", 3);
			o += 3;
			break;
		}
		if (n > 1 || (n == 1 && *p >= 0x20 && *p != 0x7f && *p != '\\')) {
			memcpy(out + o, p, n);
			o += n;
		} else {
			snprintf(out + o, outlen - o, "\\x%02x", *p);
			o += 4;
			n = 1;
		}
		p += n;
		left -= n;
	}
	out[o] = '\0';
	return out;
}

const char *rs_block_msg(uint64_t block, const char *why, char *out, size_t len)
{
	if (!why)
		why = "block fails authentication";
	if (!strncmp(why, "block ", 6))
		snprintf(out, len, "block %llu %s", (unsigned long long)block, why + 6);
	else
		snprintf(out, len, "block %llu: %s", (unsigned long long)block, why);
	return out;
}

int rs_normalize(char *s)
{
	char *o = s;

	for (char *p = s; *p;) {
		char *q;
		size_t n;
		while (*p == '/')
			p++;
		if (!*p)
			break;
		q = strchrnul(p, '/');
		n = (size_t)(q - p);
		if ((n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
			return -EINVAL;
		if (o != s)
			*o++ = '/';
		memmove(o, p, n);
		o += n;
		p = q;
	}
	*o = '\0';
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool covered(const char *chosen, const char *path)
{
	size_t n = strlen(chosen);

	return n == 0 || (!strncmp(chosen, path, n) && (path[n] == '\0' || path[n] == '/'));
}

size_t rs_prune_paths(char **paths, size_t n, bool *ret_whole)
{
	size_t kept = 0;

	qsort(paths, n, sizeof(*paths), cmp_str);
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t j = 0; j < kept && !dup; j++)
			dup = covered(paths[j], paths[i]);
		if (!dup)
			paths[kept++] = paths[i];
	}
	*ret_whole = kept == 0 || !paths[0][0];
	return kept;
}

void rs_summary(const struct rs_counts *c, const char *verb)
{
	printf("%llu %s, %llu %s, %llu %s, %llu other %s (%llu %s)", (unsigned long long)c->dirs,
	       PLURAL(c->dirs, "directory", "directories"), (unsigned long long)c->files,
	       PLURAL(c->files, "file", "files"), (unsigned long long)c->symlinks,
	       PLURAL(c->symlinks, "symlink", "symlinks"), (unsigned long long)c->other, verb,
	       (unsigned long long)c->bytes, PLURAL(c->bytes, "byte", "bytes"));
	if (c->skipped)
		printf(", %llu already there", (unsigned long long)c->skipped);
	printf("; %llu %s\n", (unsigned long long)(c->damage + c->errors),
	       PLURAL(c->damage + c->errors, "problem", "problems"));
}
