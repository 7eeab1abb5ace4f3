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
#include <linux/magic.h>
#include <sys/statfs.h>
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

bool hr_fd_is_pseudo(int fd)
{
	struct statfs sf;

	if (fstatfs(fd, &sf) < 0)
		return false;
	return sf.f_type == PROC_SUPER_MAGIC || sf.f_type == SYSFS_MAGIC;
}

/*
 * Read all of FD from offset 0 into the context buffer, growing it up to the
 * cap. HINT (the file's length last time, 0 if unknown) sizes the first
 * read: some files cost in proportion to the size asked for, not the size
 * returned (a /proc/sys read allocates and zeroes a buffer of that size).
 */
static int read_fd(struct hr_ctx *ctx, int fd, size_t hint, const char **ret_buf, size_t *ret_len)
{
	size_t got = 0, want = ctx->bufcap;

	if (hint > 0 && hint < ctx->bufcap / 2)
		want = hint * 2 + 256 < ctx->bufcap ? hint * 2 + 256 : ctx->bufcap;
	for (;;) {
		ssize_t n = io_pread_full(fd, ctx->buf + got, want - got, (off_t)got);

		if (n < 0)
			return (int)n;
		got += (size_t)n;
		if (got < want)
			break;	/* end of file */
		if (want < ctx->bufcap) {
			want = ctx->bufcap;	/* longer than last time */
			continue;
		}
		/* Filled the buffer: grow it (up to the cap) and read on. */
		if (ctx->bufcap >= HR_READ_CAP)
			return -EFBIG;
		size_t ncap = ctx->bufcap * 4 > HR_READ_CAP ? HR_READ_CAP : ctx->bufcap * 4;
		char *nb = realloc(ctx->buf, ncap + 1);
		if (!nb)
			return -ENOMEM;
		ctx->buf = nb;
		ctx->bufcap = want = ncap;
	}
	ctx->buf[got] = '\0';
	*ret_buf = ctx->buf;
	*ret_len = got;
	return 0;
}

/*
 * A read error that says the open file no longer stands for its path: the
 * sysfs node was removed (-ENODEV; an interface of the same name may exist
 * again), the process is gone (-ESRCH).
 */
static bool stale(int r)
{
	return r == -ENODEV || r == -ESRCH || r == -ENOENT;
}

static void drop_file(struct hr_ctx *ctx, size_t i)
{
	close(ctx->files[i].fd);
	ctx->files[i] = ctx->files[--ctx->nfiles];
}

int hr_ctx_read(struct hr_ctx *ctx, const char *path, const char **ret_buf, size_t *ret_len)
{
	_cleanup_close_ int fd = -1;
	size_t plen = strlen(path);
	int r;

	for (size_t i = 0; i < ctx->nfiles; i++) {
		if (strcmp(ctx->files[i].path, path) != 0)
			continue;
		r = read_fd(ctx, ctx->files[i].fd, ctx->files[i].len, ret_buf, ret_len);
		if (!stale(r)) {
			ctx->files[i].used = true;
			ctx->files[i].len = r == 0 ? *ret_len : 0;
			return r;
		}
		drop_file(ctx, i);	/* device gone: open the path afresh */
		break;
	}
	fd = openat(ctx->rootfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	r = read_fd(ctx, fd, 0, ret_buf, ret_len);
	/* Kept even when the read failed for now (speed of a link that is down). */
	if (!stale(r) && ctx->nfiles < HR_CTX_FILES_MAX && plen < HR_CTX_PATH_MAX &&
	    hr_fd_is_pseudo(fd)) {
		struct hr_ctx_file *f = &ctx->files[ctx->nfiles++];

		memcpy(f->path, path, plen + 1);
		f->fd = TAKE_FD(fd);
		f->used = true;
		f->len = r == 0 ? *ret_len : 0;
	}
	return r;
}

void hr_ctx_files_sweep(struct hr_ctx *ctx)
{
	for (size_t i = ctx->nfiles; i-- > 0;) {
		if (!ctx->files[i].used)
			drop_file(ctx, i);
		else
			ctx->files[i].used = false;
	}
}

void hr_ctx_files_release(struct hr_ctx *ctx)
{
	while (ctx->nfiles > 0)
		drop_file(ctx, ctx->nfiles - 1);
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
	hr_ctx_files_release(&c->ctx);
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
	hr_ctx_files_sweep(&c->ctx);
	c->last_ns = mono_ns;
	c->have_prev = true;
	if (kind != HR_SAMPLE_RATES)
		out->n = 0;
	*ret_kind = kind;
	return 0;
}
