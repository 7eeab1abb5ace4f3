/*
 * collect.c - the sampling engine (headroom/collect): opens the root
 * prefix, runs every enabled collector of hr_collectors[] once per sample,
 * notices reboots through the boot id, and owns the shared read buffer.
 * Depends on common/ only. See hr_collect.h for the contract.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "hr_collect.h"
#include "hr_ctx.h"
#include "hr_parse.h"
#include "hr_scan.h"
#include "cleanup.h"
#include "io.h"
#include "banned.h"

struct hr_collect {
	struct hr_ctx ctx;
	void **state;			/* one per collector */
	uint64_t last_ns;
	bool have_prev;
	char boot_id[HR_BOOT_ID_MAX];
};

int hr_collector_find(const char *name)
{
	for (size_t i = 0; i < hr_ncollectors; i++)
		if (strcmp(hr_collectors[i].name, name) == 0)
			return (int)i;
	return -ENOENT;
}

int hr_ctx_read(struct hr_ctx *ctx, const char *path, const char **ret_buf, size_t *ret_len)
{
	for (;;) {
		_cleanup_close_ int fd = -1;
		ssize_t n;

		fd = openat(ctx->rootfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return -errno;
		n = io_read_full(fd, ctx->buf, ctx->bufcap);
		if (n < 0)
			return (int)n;
		if ((size_t)n < ctx->bufcap) {
			ctx->buf[n] = '\0';
			*ret_buf = ctx->buf;
			*ret_len = (size_t)n;
			return 0;
		}
		/* Filled the buffer: grow it (up to the cap) and read again. */
		if (ctx->bufcap >= HR_READ_CAP)
			return -EFBIG;
		size_t ncap = ctx->bufcap * 4 > HR_READ_CAP ? HR_READ_CAP : ctx->bufcap * 4;
		char *nb = realloc(ctx->buf, ncap + 1);
		if (!nb)
			return -ENOMEM;
		ctx->buf = nb;
		ctx->bufcap = ncap;
	}
}

struct hr_row *hr_rows_add(struct hr_rows *rows, const struct hr_table *table, const char *key,
			   const char *label)
{
	struct hr_row *r;

	if (rows->n == rows->cap) {
		size_t ncap = rows->cap ? rows->cap * 2 : 64;
		struct hr_row *nr;

		if (ncap > SIZE_MAX / sizeof(*nr))
			return NULL;
		nr = realloc(rows->row, ncap * sizeof(*nr));
		if (!nr)
			return NULL;
		rows->row = nr;
		rows->cap = ncap;
	}
	r = &rows->row[rows->n++];
	memset(r, 0, sizeof(*r));
	r->table = table;
	if (key)
		snprintf(r->key, sizeof(r->key), "%s", key);
	if (label)
		snprintf(r->label, sizeof(r->label), "%s", label);
	return r;
}

double hr_round2(double v)
{
	double r;

	if (!(v == v) || v > 1e15 || v < -1e15)	/* NaN or absurd: store 0 */
		return 0;
	r = (double)(int64_t)(v * 100.0 + (v >= 0 ? 0.5 : -0.5)) / 100.0;
	return r == 0 ? 0 : r;	/* no -0 */
}

double hr_rate(uint64_t prev, uint64_t cur, double dt)
{
	uint64_t d;

	if (dt <= 0 || !hr_counter_delta(prev, cur, &d))
		return 0;
	return hr_round2((double)d / dt);
}

void hr_rows_release(struct hr_rows *rows)
{
	if (!rows)
		return;
	free(rows->row);
	rows->row = NULL;
	rows->n = rows->cap = 0;
}

static void free_states(struct hr_collect *c)
{
	for (size_t i = 0; i < hr_ncollectors; i++) {
		if (c->state[i] && hr_collectors[i].free_state)
			hr_collectors[i].free_state(c->state[i]);
		c->state[i] = NULL;
	}
}

int hr_collect_new(const struct hr_collect_opts *opts, struct hr_collect **ret)
{
	struct hr_collect *c;
	const char *root = opts && opts->root && *opts->root ? opts->root : "/";
	long pg;

	c = calloc(1, sizeof(*c));
	if (!c)
		return -ENOMEM;
	c->ctx.rootfd = -1;
	if (opts)
		c->ctx.opts = *opts;
	c->ctx.opts.root = NULL;	/* not kept: the fd is */
	if (c->ctx.opts.top_n == 0)
		c->ctx.opts.top_n = 10;
	c->state = calloc(hr_ncollectors, sizeof(*c->state));
	c->ctx.bufcap = 64 * 1024;
	c->ctx.buf = malloc(c->ctx.bufcap + 1);
	if (!c->state || !c->ctx.buf) {
		hr_collect_free(c);
		return -ENOMEM;
	}
	c->ctx.rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (c->ctx.rootfd < 0) {
		int r = -errno;
		hr_collect_free(c);
		return r;
	}
	pg = sysconf(_SC_PAGESIZE);
	c->ctx.page_kb = pg > 0 ? pg / 1024 : 4;
	c->ctx.clk_tck = sysconf(_SC_CLK_TCK) > 0 ? (double)sysconf(_SC_CLK_TCK) : 100.0;
	*ret = c;
	return 0;
}

void hr_collect_free(struct hr_collect *c)
{
	if (!c)
		return;
	if (c->state)
		free_states(c);
	free(c->state);
	free(c->ctx.buf);
	if (c->ctx.rootfd >= 0)
		close(c->ctx.rootfd);
	free(c);
}

const char *hr_collect_boot_id(const struct hr_collect *c)
{
	return c->boot_id;
}

static bool enabled(const struct hr_collect *c, size_t i)
{
	return c->ctx.opts.enabled == 0 || (c->ctx.opts.enabled & (1ULL << i));
}

int hr_collect_sample(struct hr_collect *c, uint64_t mono_ns, struct hr_rows *out,
		      enum hr_sample_kind *ret_kind)
{
	enum hr_sample_kind kind = HR_SAMPLE_RATES;
	char boot[HR_BOOT_ID_MAX] = "";
	const char *buf;
	size_t len;
	double dt = 0;

	if (c->have_prev && mono_ns <= c->last_ns)
		return -EINVAL;
	out->n = 0;
	if (hr_ctx_read(&c->ctx, "proc/sys/kernel/random/boot_id", &buf, &len) == 0)
		(void)hr_parse_boot_id(buf, len, boot);
	if (!c->have_prev) {
		kind = HR_SAMPLE_BASELINE;
	} else if (strcmp(boot, c->boot_id) != 0) {
		/* A new boot: every counter restarted. Forget them all. */
		free_states(c);
		kind = HR_SAMPLE_REBOOT;
	} else {
		dt = (double)(mono_ns - c->last_ns) / 1e9;
	}
	memcpy(c->boot_id, boot, sizeof(boot));
	c->ctx.swap_known = false;
	for (size_t i = 0; i < hr_ncollectors; i++) {
		int r;

		if (!enabled(c, i))
			continue;
		r = hr_collectors[i].sample(&c->ctx, &c->state[i], kind == HR_SAMPLE_RATES, dt, out);
		if (r == -ENOMEM)
			return r;
	}
	c->last_ns = mono_ns;
	c->have_prev = true;
	if (kind != HR_SAMPLE_RATES)
		out->n = 0;
	*ret_kind = kind;
	return 0;
}
