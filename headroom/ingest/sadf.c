/*
 * sadf.c - sysstat's daily files into headroom samples (headroom/ingest).
 * The file is read by sysstat's own `sadf -j` (it converts every format
 * version sysstat wrote), decompressed first into a temporary file when it
 * is a .gz/.xz/.zst/.bz2 rotation. sadf's JSON is split into its
 * "statistics" elements by a small brace counter (strings and escapes
 * respected), so a day of 10 s samples is never one huge document in
 * memory, and each element is parsed by jansson. The samples are kept in
 * a compact form until the file's RESTART records (which sadf prints after
 * the statistics) say which boot each belongs to, then stored through
 * hr_xfer.h. Depends on jansson, hr_store and common/ only.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "hr_ingest.h"
#include "hr_store.h"
#include "hr_xfer.h"
#include "cleanup.h"
#include "io.h"
#include "banned.h"

extern char **environ;

#define ELEM_MAX (8u << 20)	/* one statistics element of sadf's JSON */
#define HEAD_MAX (4u << 20)	/* the rest: host header, restarts, comments */

#include "hr_sa_int.h"

const struct sa_table hr_sa_tables[NT] = {
	[T_CPU] = {"cpu", "cpu", true, {"user", "nice", "system", "iowait", "steal", "irq", "soft",
					 "idle"}, 8},
	[T_SCHED] = {"sched", NULL, false, {"runq_sz", "blocked", "proc_s", "cswch_s"}, 4},
	[T_LOAD] = {"load", NULL, false, {"ldavg_1", "ldavg_5", "ldavg_15", "plist_sz"}, 4},
	[T_MEM] = {"mem", NULL, false, {"total_kb", "free_kb", "avail_kb", "used_kb", "buffers_kb",
					"cached_kb", "commit_kb", "commit_pct", "dirty_kb",
					"slab_kb", "swap_total_kb", "swap_used_kb",
					"swap_cached_kb"}, 13},
	[T_PAGING] = {"paging", NULL, false, {"pgpgin_s", "pgpgout_s", "fault_s", "majflt_s",
					      "pgfree_s", "pgscank_s", "pgscand_s", "pgsteal_s",
					      "pswpin_s", "pswpout_s"}, 10},
	[T_DISK] = {"disk", "dev", false, {"tps", "rkbps", "wkbps", "dkbps", "await_ms", "aqu_sz",
					   "util_pct"}, 7},
	[T_NET] = {"net", "iface", false, {"rxpck_s", "txpck_s", "rxkbps", "txkbps", "ifutil_pct",
					   "rxerr_s", "txerr_s", "rxdrop_s", "txdrop_s", "coll_s"}, 10},
	[T_SOCK] = {"sock", NULL, false, {"totsck", "tcpsck", "tcp6sck", "tcp_tw", "udpsck",
					  "udp6sck", "rawsck"}, 7},
	[T_TCP] = {"tcp", NULL, false, {"active_s", "passive_s", "atmptf_s", "estres_s", "iseg_s",
					"oseg_s", "retrans_s", "inerr_s", "orsts_s", "idgm_s",
					"odgm_s", "noport_s", "idgmerr_s"}, 13},
	[T_PSI] = {"psi", "resource", false, {"some_pct", "full_pct", "some_avg60", "full_avg60"}, 4},
	[T_FS] = {"fs", "mount", false, {"size_kb", "free_kb", "avail_kb", "used_pct", "files",
					 "ffree", "iused_pct"}, 7},
};

void hr_sa_free(struct hr_sa *sa)
{
	if (!sa)
		return;
	for (size_t i = 0; i < sa->nr; i++)
		free(sa->rows[i].key);
	free(sa->rows);
	free(sa->s);
	free(sa->restarts);
	free(sa);
}

const char *hr_sa_host(const struct hr_sa *sa)
{
	return sa->host;
}

const char *hr_sa_kernel(const struct hr_sa *sa)
{
	return sa->kernel;
}

int hr_sa_ncpu(const struct hr_sa *sa)
{
	return sa->ncpu;
}

size_t hr_sa_nsamples(const struct hr_sa *sa)
{
	return sa->ns;
}

/* ---- from one statistics element to rows ---- */

static double num(const json_t *o, const char *k)
{
	const json_t *v = o ? json_object_get(o, k) : NULL;

	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* a + b where either may be missing (a missing guest counts 0) */
static double plus(double a, double b)
{
	return isnan(a) ? a : isnan(b) ? a : a + b;
}

static struct sa_row *new_row(struct hr_sa *sa, int table, const char *key, int *err)
{
	struct sa_row *r;

	if (sa->nr == sa->cr) {
		size_t nc = sa->cr ? sa->cr * 2 : 1024;
		struct sa_row *g = realloc(sa->rows, nc * sizeof(*g));
		if (!g) {
			*err = -ENOMEM;
			return NULL;
		}
		sa->rows = g;
		sa->cr = nc;
	}
	r = &sa->rows[sa->nr];
	r->table = table;
	r->key = NULL;
	for (size_t i = 0; i < MAXV; i++)
		r->v[i] = NAN;
	if (key) {
		r->key = strdup(key);
		if (!r->key) {
			*err = -ENOMEM;
			return NULL;
		}
	}
	sa->nr++;
	return r;
}

#define ROW(t, key)                                                                                \
	({                                                                                         \
		struct sa_row *_r = new_row(sa, (t), (key), &err);                                 \
		if (!_r)                                                                           \
			return err;                                                                \
		_r;                                                                                \
	})

static int map_cpu(struct hr_sa *sa, const json_t *arr)
{
	size_t i;
	json_t *c;
	int err = 0;

	json_array_foreach(arr, i, c) {
		const char *id = json_string_value(json_object_get(c, "cpu"));
		struct sa_row *r;
		if (!id)
			continue;
		r = ROW(T_CPU, strcmp(id, "all") ? id : "-1");
		/* the kernel counts guest time inside user (and nice), as headroom stores it */
		r->v[0] = plus(num(c, "usr"), num(c, "guest"));
		if (isnan(r->v[0]))
			r->v[0] = num(c, "user");	/* sar -u without ALL */
		r->v[1] = plus(num(c, "nice"), num(c, "gnice"));
		r->v[2] = num(c, "sys");
		if (isnan(r->v[2]))
			r->v[2] = num(c, "system");	/* includes irq and soft then */
		r->v[3] = num(c, "iowait");
		r->v[4] = num(c, "steal");
		r->v[5] = isnan(num(c, "sys")) ? 0 : num(c, "irq");
		r->v[6] = isnan(num(c, "sys")) ? 0 : num(c, "soft");
		r->v[7] = num(c, "idle");
	}
	return 0;
}

static int map_one(struct hr_sa *sa, const json_t *e)
{
	const json_t *q = json_object_get(e, "queue"), *pc = json_object_get(e,
		"process-and-context-switch"), *m = json_object_get(e, "memory"),
		*pg = json_object_get(e, "paging"), *sw = json_object_get(e, "swap-pages"),
		*net = json_object_get(e, "network"), *psi = json_object_get(e, "psi"), *a;
	struct sa_row *r;
	size_t i;
	json_t *d;
	int err = 0;

	if ((a = json_object_get(e, "cpu-load")) && json_is_array(a) && (err = map_cpu(sa, a)))
		return err;
	if ((a = json_object_get(e, "cpu-load-all")) && json_is_array(a) &&
	    (err = map_cpu(sa, a)))
		return err;
	if (q || pc) {
		r = ROW(T_SCHED, NULL);
		r->v[0] = num(q, "runq-sz");
		r->v[1] = num(q, "blocked");
		r->v[2] = num(pc, "proc");
		r->v[3] = num(pc, "cswch");
	}
	if (q) {
		r = ROW(T_LOAD, NULL);
		r->v[0] = num(q, "ldavg-1");
		r->v[1] = num(q, "ldavg-5");
		r->v[2] = num(q, "ldavg-15");
		r->v[3] = num(q, "plist-sz");
	}
	if (m) {
		/* sar's kbmemused leaves out free, buffers, cached and slab */
		double tot = num(m, "memfree") + num(m, "memused") + num(m, "buffers") +
			     num(m, "cached") + (isnan(num(m, "slab")) ? 0 : num(m, "slab"));
		r = ROW(T_MEM, NULL);
		r->v[0] = tot;
		r->v[1] = num(m, "memfree");
		r->v[2] = num(m, "avail");
		r->v[3] = num(m, "memused");
		r->v[4] = num(m, "buffers");
		r->v[5] = num(m, "cached");
		r->v[6] = num(m, "commit");
		r->v[7] = num(m, "commit-percent");
		r->v[8] = num(m, "dirty");
		r->v[9] = num(m, "slab");
		r->v[10] = num(m, "swpfree") + num(m, "swpused");
		r->v[11] = num(m, "swpused");
		r->v[12] = num(m, "swpcad");
	}
	if (pg || sw) {
		static const char *const k[] = {"pgpgin", "pgpgout", "fault", "majflt",
						"pgfree", "pgscank", "pgscand", "pgsteal"};
		r = ROW(T_PAGING, NULL);
		for (size_t j = 0; j < ARRAY_SIZE(k); j++)
			r->v[j] = num(pg, k[j]);
		r->v[8] = num(sw, "pswpin");
		r->v[9] = num(sw, "pswpout");
	}
	json_array_foreach(json_object_get(e, "disk"), i, d) {
		const char *dev = json_string_value(json_object_get(d, "disk-device"));
		if (!dev)
			continue;
		r = ROW(T_DISK, dev);
		r->v[0] = num(d, "tps");
		r->v[1] = num(d, "rkB");
		r->v[2] = num(d, "wkB");
		r->v[3] = num(d, "dkB");
		if (isnan(r->v[1]))	/* older sysstat: sectors */
			r->v[1] = num(d, "rd_sec") / 2, r->v[2] = num(d, "wr_sec") / 2;
		r->v[4] = num(d, "await");
		r->v[5] = num(d, "aqu-sz");
		if (isnan(r->v[5]))
			r->v[5] = num(d, "avgqu-sz");
		r->v[6] = num(d, "util-percent");
	}
	if (net) {
		const json_t *edev = json_object_get(net, "net-edev");
		json_array_foreach(json_object_get(net, "net-dev"), i, d) {
			const char *ifc = json_string_value(json_object_get(d, "iface"));
			const json_t *ed = NULL, *x;
			size_t j;
			if (!ifc)
				continue;
			json_array_foreach(edev, j, x)
				if (json_is_string(json_object_get(x, "iface")) &&
				    !strcmp(json_string_value(json_object_get(x, "iface")), ifc))
					ed = x;
			r = ROW(T_NET, ifc);
			r->v[0] = num(d, "rxpck");
			r->v[1] = num(d, "txpck");
			r->v[2] = num(d, "rxkB");
			r->v[3] = num(d, "txkB");
			r->v[4] = num(d, "ifutil-percent");
			r->v[5] = num(ed, "rxerr");
			r->v[6] = num(ed, "txerr");
			r->v[7] = num(ed, "rxdrop");
			r->v[8] = num(ed, "txdrop");
			r->v[9] = num(ed, "coll");
		}
		const json_t *s4 = json_object_get(net, "net-sock"), *s6 = json_object_get(net,
			"net-sock6"), *t = json_object_get(net, "net-tcp"), *et = json_object_get(net,
			"net-etcp"), *u = json_object_get(net, "net-udp");
		if (s4 || s6) {
			r = ROW(T_SOCK, NULL);
			r->v[0] = num(s4, "totsck");
			r->v[1] = num(s4, "tcpsck");
			r->v[2] = num(s6, "tcp6sck");
			r->v[3] = num(s4, "tcp-tw");
			r->v[4] = num(s4, "udpsck");
			r->v[5] = num(s6, "udp6sck");
			r->v[6] = num(s4, "rawsck");
		}
		if (t || et || u) {
			r = ROW(T_TCP, NULL);
			r->v[0] = num(t, "active");
			r->v[1] = num(t, "passive");
			r->v[2] = num(et, "atmptf");
			r->v[3] = num(et, "estres");
			r->v[4] = num(t, "iseg");
			r->v[5] = num(t, "oseg");
			r->v[6] = num(et, "retrans");
			r->v[7] = num(et, "isegerr");
			r->v[8] = num(et, "orsts");
			r->v[9] = num(u, "idgm");
			r->v[10] = num(u, "odgm");
			r->v[11] = num(u, "noport");
			r->v[12] = num(u, "idgmerr");
		}
	}
	if (psi) {
		static const struct {
			const char *json, *res;
		} p[] = {{"psi-cpu", "cpu"}, {"psi-io", "io"}, {"psi-mem", "memory"}};
		for (size_t j = 0; j < ARRAY_SIZE(p); j++) {
			const json_t *o = json_object_get(psi, p[j].json);
			if (!o)
				continue;
			r = ROW(T_PSI, p[j].res);
			r->v[0] = num(o, "some_avg");
			r->v[1] = num(o, "full_avg");
			r->v[2] = num(o, "some_avg60");
			r->v[3] = num(o, "full_avg60");
		}
	}
	json_array_foreach(json_object_get(e, "filesystems"), i, d) {
		const char *mnt = json_string_value(json_object_get(d, "mountpoint"));
		double fr = num(d, "MBfsfree") * 1024, us = num(d, "MBfsused") * 1024;
		if (!mnt)
			mnt = json_string_value(json_object_get(d, "filesystem"));
		if (!mnt)
			continue;
		r = ROW(T_FS, mnt);
		r->v[0] = fr + us;
		r->v[1] = fr;
		r->v[2] = (fr + us) * (1 - num(d, "%ufsused") / 100);
		r->v[3] = num(d, "%fsused");
		r->v[4] = num(d, "Ifree") + num(d, "Iused");
		r->v[5] = num(d, "Ifree");
		r->v[6] = num(d, "%Iused");
	}
	return 0;
}

/* "YYYY-MM-DD" "HH:MM:SS" in UTC to Unix seconds; -1 when malformed. */
static int64_t utc_secs(const char *date, const char *tod)
{
	struct tm tm = {0};
	int y, mo, d, h, mi, s;
	char extra;

	if (!date || !tod || sscanf(date, "%d-%d-%d%c", &y, &mo, &d, &extra) != 3 ||
	    sscanf(tod, "%d:%d:%d%c", &h, &mi, &s, &extra) != 3 || mo < 1 || mo > 12 || d < 1 ||
	    d > 31 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 60)
		return -1;
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	tm.tm_hour = h;
	tm.tm_min = mi;
	tm.tm_sec = s;
	return (int64_t)timegm(&tm);
}

/* One statistics element: a sample (the first of a file, without interval, is skipped). */
static int add_element(struct hr_sa *sa, const char *text, size_t len, char *err, size_t errsize)
{
	json_error_t je;
	json_t *e = json_loadb(text, len, 0, &je), *ts;
	int64_t t, iv;
	int r = 0;

	if (!e) {
		snprintf(err, errsize, "bad JSON from sadf: %s", je.text);
		return -EPROTO;
	}
	ts = json_object_get(e, "timestamp");
	t = utc_secs(json_string_value(json_object_get(ts, "date")),
		     json_string_value(json_object_get(ts, "time")));
	iv = json_integer_value(json_object_get(ts, "interval"));
	if (t < 0 || json_integer_value(json_object_get(ts, "utc")) != 1) {
		snprintf(err, errsize, "sadf printed a sample without a UTC time");
		json_decref(e);
		return -EPROTO;
	}
	if (iv > 0) {
		size_t first = sa->nr;
		if (sa->ns == sa->cs) {
			size_t nc = sa->cs ? sa->cs * 2 : 256;
			struct sa_sample *g = realloc(sa->s, nc * sizeof(*g));
			if (!g) {
				json_decref(e);
				return -ENOMEM;
			}
			sa->s = g;
			sa->cs = nc;
		}
		r = map_one(sa, e);
		if (r == 0)
			sa->s[sa->ns++] = (struct sa_sample){t * 1000, iv * 1000, first,
							    sa->nr - first};
	}
	json_decref(e);
	return r;
}

/* The header: host, kernel, CPUs, restarts. */
static int read_header(struct hr_sa *sa, const char *text, size_t len, char *err, size_t errsize)
{
	json_error_t je;
	json_t *doc = json_loadb(text, len, 0, &je), *h, *rs, *x;
	size_t i;

	if (!doc) {
		snprintf(err, errsize, "bad JSON from sadf: %s", je.text);
		return -EPROTO;
	}
	h = json_array_get(json_object_get(json_object_get(doc, "sysstat"), "hosts"), 0);
	if (!json_is_object(h) || !json_is_string(json_object_get(h, "nodename"))) {
		snprintf(err, errsize, "sadf printed no host");
		json_decref(doc);
		return -EPROTO;
	}
	snprintf(sa->host, sizeof(sa->host), "%s", json_string_value(json_object_get(h, "nodename")));
	snprintf(sa->kernel, sizeof(sa->kernel), "%s",
		 json_is_string(json_object_get(h, "release"))
			 ? json_string_value(json_object_get(h, "release")) : "");
	sa->ncpu = (int)json_integer_value(json_object_get(h, "number-of-cpus"));
	rs = json_object_get(h, "restarts");
	sa->restarts = calloc(json_array_size(rs) + 1, sizeof(*sa->restarts));
	if (!sa->restarts) {
		json_decref(doc);
		return -ENOMEM;
	}
	json_array_foreach(rs, i, x) {
		json_t *b = json_object_get(x, "boot");
		int64_t t = utc_secs(json_string_value(json_object_get(b, "date")),
				     json_string_value(json_object_get(b, "time")));
		if (t < 0)
			continue;
		sa->restarts[sa->nrestarts++] = (struct sa_restart){
		    t * 1000, (int)json_integer_value(json_object_get(b, "cpu_count"))};
	}
	json_decref(doc);
	return 0;
}

/*
 * Split sadf's output: the elements of the "statistics" array go to
 * add_element() one by one; everything else is kept as the header text.
 */
struct splitter {
	char stack[32];
	int depth;
	bool in_str, esc;
	char key[32];		/* the last string, while it may be a key */
	size_t keylen;
	bool key_open;
	int stats_depth;	/* depth of the statistics array, 0: outside */
	char *elem, *head;
	size_t elen, ecap, hlen, hcap;
	bool in_elem;
};

static int grow(char **p, size_t *len, size_t *cap, size_t max, const char *d, size_t n)
{
	if (n > max - *len)
		return -EFBIG;
	if (*len + n + 1 > *cap) {
		size_t nc = *cap ? *cap * 2 : 65536;
		char *g;
		while (nc < *len + n + 1)
			nc *= 2;
		g = realloc(*p, nc);
		if (!g)
			return -ENOMEM;
		*p = g;
		*cap = nc;
	}
	memcpy(*p + *len, d, n);
	*len += n;
	(*p)[*len] = 0;
	return 0;
}

static int split(struct splitter *sp, struct hr_sa *sa, const char *buf, size_t n, char *err,
		 size_t errsize)
{
	int r = 0;

	for (size_t i = 0; i < n && r == 0; i++) {
		char c = buf[i];
		bool to_head = !sp->stats_depth || (sp->depth == sp->stats_depth && c == ']');

		if (sp->in_str) {
			if (sp->esc)
				sp->esc = false;
			else if (c == '\\')
				sp->esc = true;
			else if (c == '"')
				sp->in_str = false;
			else if (sp->key_open && sp->keylen < sizeof(sp->key) - 1)
				sp->key[sp->keylen++] = c;
		} else if (c == '"') {
			sp->in_str = true;
			sp->key_open = true;
			sp->keylen = 0;
		} else if (c == '{' || c == '[') {
			if (sp->depth == (int)sizeof(sp->stack)) {
				snprintf(err, errsize, "sadf's JSON is nested too deep");
				return -EPROTO;
			}
			if (c == '[' && !sp->stats_depth && sp->keylen == 10 &&
			    !memcmp(sp->key, "statistics", 10)) {
				sp->stats_depth = sp->depth + 1;
				to_head = true;
			}
			sp->stack[sp->depth++] = c;
			if (sp->stats_depth && sp->depth == sp->stats_depth + 1 && c == '{') {
				sp->in_elem = true;
				sp->elen = 0;
			}
		} else if (c == '}' || c == ']') {
			if (sp->depth == 0) {
				snprintf(err, errsize, "sadf's JSON is unbalanced");
				return -EPROTO;
			}
			if (sp->stats_depth && sp->depth == sp->stats_depth && c == ']')
				sp->stats_depth = 0;
			sp->depth--;
		}
		if (!sp->in_str && c != '"' && c != ' ' && c != '\t' && c != '\n' && c != ':')
			sp->key_open = false, sp->keylen = c == ',' ? 0 : sp->keylen;
		if (sp->in_elem) {
			r = grow(&sp->elem, &sp->elen, &sp->ecap, ELEM_MAX, &c, 1);
			if (r == 0 && !sp->in_str && c == '}' && sp->depth == sp->stats_depth) {
				sp->in_elem = false;
				r = add_element(sa, sp->elem, sp->elen, err, errsize);
			}
		} else if (to_head) {
			r = grow(&sp->head, &sp->hlen, &sp->hcap, HEAD_MAX, &c, 1);
		}
		if (r == -EFBIG)
			snprintf(err, errsize, "sadf printed a record over %u MiB",
				 (sp->in_elem ? ELEM_MAX : HEAD_MAX) >> 20);
	}
	return r;
}

/*
 * Spawn ARGV with stdout to OUTFD (or a pipe into *ret_pipe when OUTFD <
 * 0) and stderr to ERRFD (when >= 0: the caller reads the program's words).
 */
static int spawn(char *const *argv, int outfd, int errfd, int *ret_pipe, pid_t *ret_pid)
{
	posix_spawn_file_actions_t fa;
	int p[2] = {-1, -1}, r, devnull = open("/dev/null", O_RDONLY | O_CLOEXEC);

	if (devnull < 0)
		return -errno;
	if (outfd < 0 && pipe2(p, O_CLOEXEC) < 0) {
		r = -errno;
		close(devnull);
		return r;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, devnull, 0);
	posix_spawn_file_actions_adddup2(&fa, outfd >= 0 ? outfd : p[1], 1);
	if (errfd >= 0)
		posix_spawn_file_actions_adddup2(&fa, errfd, 2);
	r = -posix_spawnp(ret_pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(devnull);
	if (p[1] >= 0)
		close(p[1]);
	if (r < 0) {
		if (p[0] >= 0)
			close(p[0]);
		return r;
	}
	if (ret_pipe)
		*ret_pipe = p[0];
	return 0;
}

/* Wait for PID: its exit status, 127 when it could not be run, 128+sig. */
static int reap(pid_t pid)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return 127;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* A temporary file (already unlinked) for a child's stderr, or -1. */
static int errors_file(void)
{
	const char *td = getenv("TMPDIR");
	char path[4096];
	int fd;

	snprintf(path, sizeof(path), "%s/headroom-err-XXXXXX", td && *td ? td : "/tmp");
	fd = mkostemp(path, O_CLOEXEC);
	if (fd >= 0)
		unlink(path);
	return fd;
}

/* The first non-empty line the child wrote to FD, trimmed, into BUF; false if none. */
static bool first_line(int fd, char *buf, size_t size)
{
	char tmp[1024];
	ssize_t n;
	char *p, *e;

	if (fd < 0 || size == 0)
		return false;
	n = io_pread_full(fd, tmp, sizeof(tmp) - 1, 0);
	if (n <= 0)
		return false;
	tmp[n] = 0;
	for (p = tmp; *p == '\n' || *p == ' ' || *p == '\t'; p++)
		;
	e = p + strcspn(p, "\n");
	while (e > p && (e[-1] == ' ' || e[-1] == '\r' || e[-1] == '.'))
		e--;
	*e = 0;
	for (char *c = p; *c; c++)
		if ((unsigned char)*c < 0x20)
			*c = '?';
	if (!*p)
		return false;
	if (strlen(p) >= size)
		p[size - 1] = 0;
	memcpy(buf, p, strlen(p) + 1);
	if (buf[0] >= 'A' && buf[0] <= 'Z')
		buf[0] = (char)(buf[0] - 'A' + 'a');
	return true;
}

static const char *decompressor(const char *path)
{
	static const struct {
		const char *ext, *prog;
	} z[] = {{".gz", "gzip"}, {".xz", "xz"}, {".zst", "zstd"}, {".bz2", "bzip2"}};
	size_t n = strlen(path);

	for (size_t i = 0; i < ARRAY_SIZE(z); i++) {
		size_t e = strlen(z[i].ext);
		if (n > e && !strcmp(path + n - e, z[i].ext))
			return z[i].prog;
	}
	return NULL;
}

/* The sadf options: everything headroom keeps that sysstat has, no interrupts. */
static const char *const sar_opts[] = {
	"-u", "ALL", "-P", "ALL", "-q", "ALL", "-r", "ALL", "-S", "-W", "-B", "-d",
	"-n", "DEV,EDEV,SOCK,SOCK6,TCP,ETCP,UDP", "-w", "-F", "MOUNT",
};

int hr_sa_read(const char *path, const char *sadf, struct hr_sa **ret, char *err, size_t errsize)
{
	const char *z = decompressor(path), *file = path;
	char *argv[8 + ARRAY_SIZE(sar_opts)];
	struct splitter sp = {0};
	struct hr_sa *sa;
	char buf[65536];
	int fd = -1, pfd = -1, efd = -1, r = 0, st;
	size_t k = 0;
	pid_t pid;
	ssize_t n;

	if (access(path, R_OK) < 0) {
		r = -errno;
		snprintf(err, errsize, "%s", strerror(errno));
		return r;
	}
	sa = calloc(1, sizeof(*sa));
	if (!sa)
		return -ENOMEM;
	efd = errors_file();
	if (z) {
		char *zargv[] = {(char *)z, "-dc", "--", (char *)path, NULL};
		const char *td = getenv("TMPDIR");
		char tpath[4096];
		snprintf(tpath, sizeof(tpath), "%s/headroom-sa-XXXXXX", td && *td ? td : "/tmp");
		fd = mkostemp(tpath, O_CLOEXEC);
		if (fd < 0) {
			r = -errno;
			snprintf(err, errsize, "cannot make a temporary file: %s", strerror(errno));
			goto out;
		}
		unlink(tpath);	/* sadf reads it through /proc/self/fd */
		r = spawn(zargv, fd, efd, NULL, &pid);
		st = r == 0 ? reap(pid) : 127;
		if (st) {
			char words[256];
			if (st != 127 && first_line(efd, words, sizeof(words)))
				snprintf(err, errsize, "%s could not decompress it: %s", z, words);
			else
				snprintf(err, errsize, "%s could not decompress it (exit %d)", z, st);
			r = st == 127 ? -ENOENT : -EMEDIUMTYPE;
			goto out;
		}
		snprintf(buf, sizeof(buf), "/proc/self/fd/%d", fd);
		file = buf;
		/* the child inherits it: no O_CLOEXEC for sadf's sake */
		(void)fcntl(fd, F_SETFD, 0);
	}
	argv[k++] = (char *)(sadf ? sadf : "sadf");
	argv[k++] = "-j";
	argv[k++] = strdup(file);
	argv[k++] = "--";
	for (size_t i = 0; i < ARRAY_SIZE(sar_opts); i++)
		argv[k++] = (char *)sar_opts[i];
	argv[k] = NULL;
	if (!argv[2]) {
		r = -ENOMEM;
		goto out;
	}
	r = spawn(argv, -1, efd, &pfd, &pid);
	free(argv[2]);
	if (fd >= 0)
		close(fd), fd = -1;
	if (r < 0) {
		snprintf(err, errsize, "cannot run %s: %s", argv[0], strerror(-r));
		goto out;
	}
	while (r == 0 && (n = read(pfd, buf, sizeof(buf))) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			r = -errno;
			break;
		}
		r = split(&sp, sa, buf, (size_t)n, err, errsize);
	}
	if (r < 0)
		kill(pid, SIGTERM);
	close(pfd);
	st = reap(pid);
	if (r == 0 && st) {
		char words[256];
		if (st == 127)
			snprintf(err, errsize, "cannot run %s", argv[0]);
		else if (first_line(efd, words, sizeof(words)))
			snprintf(err, errsize, "%s refused it: %s", argv[0], words);
		else
			snprintf(err, errsize, "%s refused it (exit %d: not a sysstat file, or one "
				 "this sadf cannot read)", argv[0], st);
		r = st == 127 ? -ENOENT : -EMEDIUMTYPE;
	}
	if (r == 0)
		r = read_header(sa, sp.head, sp.hlen, err, errsize);
out:
	if (fd >= 0)
		close(fd);
	if (efd >= 0)
		close(efd);
	free(sp.elem);
	free(sp.head);
	if (r < 0) {
		hr_sa_free(sa);
		return r;
	}
	*ret = sa;
	return 0;
}

