/*
 * test-file.c - unit tests of encrypted file I/O over storage backends
 * (tests layer; sealfs/core/file.h, content.h).
 *
 * The backend here is in memory and sparse (4 KiB pages, absent pages read as
 * zeros), so a file of 2^60 bytes costs a few pages; it logs every call and
 * injects faults: the Nth pwrite fails with -ENOSPC (optionally after writing
 * part of its bytes: a torn write), reads come back short, pread or truncate
 * fail. Tested: writes and truncates at block edges, thousands of random
 * operations against a plain reference buffer (fixed seed), appends, sparse
 * files up to SFS_MAX_FILE_SIZE, holes, tampering (zeroed, swapped, moved
 * blocks, cut files, headers bound elsewhere), rebinding, flush, and that a
 * failing backend never costs data that was there before.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "content.h"
#include "crypto.h"
#include "file.h"
#include "keys.h"
#include "tap.h"
#include "banned.h"

/* --- the in-memory, sparse, fault-injecting backend --- */

#define PAGE 4096u
#define LOG_MAX 64

struct page {
	uint64_t idx;
	uint8_t *data;
};

struct op {
	char kind; /* 'w' pwrite, 't' truncate */
	uint64_t off, len;
};

struct mem {
	uint64_t size;
	struct page *pages;
	size_t npages, cap;
	/* faults */
	unsigned fail_pwrite_at; /* fail the Nth pwrite from now on (1-based), 0 never */
	size_t torn;		 /* bytes a failing pwrite writes first */
	size_t short_read;	 /* nonzero: a pread returns at most this many bytes */
	bool fail_pread, fail_truncate;
	/* log */
	unsigned n_pwrite, n_truncate, n_pread;
	struct op log[LOG_MAX];
	unsigned nlog;
};

static struct page *find_page(struct mem *m, uint64_t idx, bool create)
{
	size_t lo = 0, hi = m->npages;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (m->pages[mid].idx < idx)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < m->npages && m->pages[lo].idx == idx)
		return &m->pages[lo];
	if (!create)
		return NULL;
	if (m->npages == m->cap) {
		size_t nc = m->cap ? 2 * m->cap : 16;
		struct page *np = realloc(m->pages, nc * sizeof(*np));
		if (!np)
			abort();
		m->pages = np;
		m->cap = nc;
	}
	memmove(&m->pages[lo + 1], &m->pages[lo], (m->npages - lo) * sizeof(*m->pages));
	m->pages[lo].idx = idx;
	m->pages[lo].data = calloc(1, PAGE);
	if (!m->pages[lo].data)
		abort();
	m->npages++;
	return &m->pages[lo];
}

/* Raw access, no fault, no log: for the tests' own tampering. */
static void mem_get(struct mem *m, uint64_t off, void *buf, size_t n)
{
	uint8_t *b = buf;

	while (n) {
		size_t in = (size_t)(off % PAGE), take = PAGE - in < n ? PAGE - in : n;
		struct page *p = find_page(m, off / PAGE, false);
		if (p)
			memcpy(b, p->data + in, take);
		else
			memset(b, 0, take);
		b += take;
		off += take;
		n -= take;
	}
}

static void mem_put(struct mem *m, uint64_t off, const void *buf, size_t n)
{
	const uint8_t *b = buf;

	if (off + n > m->size)
		m->size = off + n;
	while (n) {
		size_t in = (size_t)(off % PAGE), take = PAGE - in < n ? PAGE - in : n;
		memcpy(find_page(m, off / PAGE, true)->data + in, b, take);
		b += take;
		off += take;
		n -= take;
	}
}

static void mem_cut(struct mem *m, uint64_t size)
{
	size_t keep = 0;

	for (size_t i = 0; i < m->npages; i++) {
		struct page *p = &m->pages[i];
		if (p->idx * PAGE >= size) {
			free(p->data);
			continue;
		}
		if ((p->idx + 1) * PAGE > size)
			memset(p->data + (size - p->idx * PAGE), 0, PAGE - (size - p->idx * PAGE));
		m->pages[keep++] = *p;
	}
	m->npages = keep;
	m->size = size;
}

static void mem_free(struct mem *m)
{
	for (size_t i = 0; i < m->npages; i++)
		free(m->pages[i].data);
	free(m->pages);
	memset(m, 0, sizeof(*m));
}

static void log_op(struct mem *m, char kind, uint64_t off, uint64_t len)
{
	if (m->nlog < LOG_MAX)
		m->log[m->nlog++] = (struct op){kind, off, len};
}

static ssize_t mem_pread(void *h, void *buf, size_t n, uint64_t off)
{
	struct mem *m = h;

	m->n_pread++;
	if (m->fail_pread)
		return -ENXIO;
	if (off >= m->size)
		return 0;
	if (n > m->size - off)
		n = (size_t)(m->size - off);
	if (m->short_read && n > m->short_read)
		n = m->short_read;
	mem_get(m, off, buf, n);
	return (ssize_t)n;
}

static int mem_pwrite(void *h, const void *buf, size_t n, uint64_t off)
{
	struct mem *m = h;

	m->n_pwrite++;
	log_op(m, 'w', off, n);
	if (m->fail_pwrite_at && --m->fail_pwrite_at == 0) {
		if (m->torn)
			mem_put(m, off, buf, m->torn < n ? m->torn : n);
		return -ENOSPC;
	}
	mem_put(m, off, buf, n);
	return 0;
}

static int mem_truncate(void *h, uint64_t size)
{
	struct mem *m = h;

	m->n_truncate++;
	log_op(m, 't', size, 0);
	if (m->fail_truncate)
		return -EIO;
	mem_cut(m, size);
	return 0;
}

static int mem_size(void *h, uint64_t *ret)
{
	struct mem *m = h;

	*ret = m->size;
	return 0;
}

static const struct sfs_backend_ops mem_ops = {
    .pread = mem_pread,
    .pwrite = mem_pwrite,
    .truncate = mem_truncate,
    .size = mem_size,
};

static void mem_reset_log(struct mem *m)
{
	m->n_pwrite = m->n_truncate = m->n_pread = 0;
	m->nlog = 0;
}

/* --- fixtures --- */

static struct sfs_keys *K;
static struct sfs_binding B1 = {.name = "a.txt", .namelen = 5};
static struct sfs_binding B2 = {.name = "b.txt", .namelen = 5};
static uint64_t seed = 0xf11e;

static void setup(void)
{
	uint8_t master[32];

	for (int i = 0; i < 32; i++)
		master[i] = (uint8_t)(i * 3);
	for (int i = 0; i < 16; i++) {
		B1.diriv[i] = (uint8_t)i;
		B2.diriv[i] = (uint8_t)i;
	}
	if (sfs_keys_new(master, &K))
		abort();
}

static void pattern(uint8_t *p, size_t n, uint8_t salt)
{
	for (size_t i = 0; i < n; i++)
		p[i] = (uint8_t)(i * 31 + salt + (i >> 12));
}

/* The whole plaintext of f equals want[0..n); reads it in odd-sized pieces. */
static bool same_content(struct sfs_file *f, const uint8_t *want, size_t n)
{
	_cleanup_free_ uint8_t *got = malloc(n + 8192);
	size_t off = 0;
	ssize_t r;

	if (!CHECK_EQ_U64(f->size, n) || !got)
		return false;
	while (off < n) {
		size_t ask = 1 + (size_t)(tap_rand(&seed) % 9000);
		r = sfs_file_read(f, got + off, ask, off);
		if (!CHECK(r > 0)) {
			fprintf(stderr, "    read %zu at %zu: %zd (%s)\n", ask, off, r,
				f->why ? f->why : "");
			return false;
		}
		off += (size_t)r;
	}
	if (!CHECK_EQ(sfs_file_read(f, got, 100, n), 0))
		return false;
	return CHECK_MEM(got, want, n);
}

/* Backend length matches the plaintext size, as the format defines it. */
static bool sizes_agree(struct sfs_file *f, struct mem *m)
{
	return CHECK_EQ_U64(m->size, sfs_cipher_size(f->size));
}

static bool reopen(struct sfs_file *f, struct mem *m, const struct sfs_binding *b)
{
	CHECK_EQ(sfs_file_flush(f), 0);
	sfs_file_release(f);
	return CHECK_EQ(sfs_file_open(f, &mem_ops, m, K, b), 0);
}

/* The header as stored: parsed with the binding b. */
static struct sfs_header stored_header(struct mem *m, const struct sfs_binding *b)
{
	uint8_t raw[SFS_HDR_LEN];
	struct sfs_header h = {0};

	mem_get(m, 0, raw, sizeof(raw));
	CHECK_EQ(sfs_header_open(K, raw, b, &h), 0);
	return h;
}

/* --- tests --- */

static void test_empty_and_header(void)
{
	struct mem m = {0};
	struct sfs_file f;
	uint8_t buf[64];

	CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, &B1), 0);
	CHECK_EQ_U64(m.size, SFS_HDR_LEN);
	CHECK_EQ_U64(f.size, 0);
	CHECK_EQ(sfs_file_read(&f, buf, sizeof(buf), 0), 0);
	CHECK(reopen(&f, &m, &B1));
	CHECK_EQ_U64(f.size, 0);
	CHECK_EQ(f.hdr.flags, 0);
	sfs_file_release(&f);

	/* Two files never share an id. */
	{
		struct mem m2 = {0};
		struct sfs_file f2;
		CHECK_EQ(sfs_file_create(&f2, &mem_ops, &m2, K, &B1), 0);
		CHECK(memcmp(f2.hdr.id, stored_header(&m, &B1).id, 16) != 0);
		sfs_file_release(&f2);
		mem_free(&m2);
	}

	/* Shorter than a header, or not a header at all: damaged, -EIO with a reason. */
	mem_cut(&m, 47);
	f.why = NULL;
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), -EIO);
	CHECK(f.why != NULL);
	mem_cut(&m, 0);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), -EIO);
	memset(buf, 'x', sizeof(buf));
	mem_put(&m, 0, buf, 48);
	f.why = NULL;
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), -EIO);
	CHECK(f.why != NULL);
	mem_free(&m);

	/* A backend that cannot take the header. */
	m.fail_pwrite_at = 1;
	CHECK(sfs_file_create(&f, &mem_ops, &m, K, &B1) < 0);
	sfs_file_release(&f);
	mem_free(&m);
}

/* Write (off, len) over a file of `base` bytes and compare everything. */
static void edge_case(size_t base, uint64_t off, size_t len)
{
	struct mem m = {0};
	struct sfs_file f;
	size_t end = off + len > base ? (size_t)off + len : base;
	_cleanup_free_ uint8_t *ref = calloc(1, end), *data = malloc(len);

	if (!ref || !data)
		abort();
	CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, &B1), 0);
	pattern(ref, base, 1);
	if (base)
		CHECK_EQ(sfs_file_write(&f, ref, base, 0), (ssize_t)base);
	pattern(data, len, 2);
	memcpy(ref + off, data, len);
	if (!CHECK_EQ(sfs_file_write(&f, data, len, off), (ssize_t)len))
		fprintf(stderr, "    base %zu, write %zu at %llu\n", base, len,
			(unsigned long long)off);
	sizes_agree(&f, &m);
	if (!same_content(&f, ref, end))
		fprintf(stderr, "    base %zu, write %zu at %llu\n", base, len,
			(unsigned long long)off);
	/* A file grown by writes that never skip a whole block is not sparse. */
	CHECK_EQ((f.hdr.flags & SFS_HDR_SPARSE) != 0, off / SFS_BLOCK > (base + 4095) / 4096);
	if (reopen(&f, &m, &B1))
		same_content(&f, ref, end);
	sfs_file_release(&f);
	mem_free(&m);
}

static void test_block_edges(void)
{
	static const uint64_t offs[] = {0,    1,     4095,  4096,  4097,  8191, 8192,
					8193, 12287, 12288, 12289, 16383, 16385};
	static const size_t lens[] = {1, 2, 4095, 4096, 4097, 8191, 8192, 8193};
	static const size_t bases[] = {0, 1, 4095, 4096, 4097, 3 * 4096 + 100};

	for (size_t b = 0; b < ARRAY_SIZE(bases); b++)
		for (size_t o = 0; o < ARRAY_SIZE(offs); o++)
			for (size_t l = 0; l < ARRAY_SIZE(lens); l++)
				edge_case(bases[b], offs[o], lens[l]);
}

static void test_truncate_edges(void)
{
	static const size_t sizes[] = {0, 1, 100, 4095, 4096, 4097, 8191, 8192, 8193, 12388, 20000};
	const size_t base = 3 * 4096 + 100;

	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		for (size_t j = 0; j < ARRAY_SIZE(sizes); j++) {
			struct mem m = {0};
			struct sfs_file f;
			size_t s1 = sizes[i], s2 = sizes[j], max = base > s2 ? base : s2;
			_cleanup_free_ uint8_t *ref = calloc(1, max + 1);

			pattern(ref, base, 7);
			CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, &B1), 0);
			CHECK_EQ(sfs_file_write(&f, ref, base, 0), (ssize_t)base);
			CHECK_EQ(sfs_file_flush(&f), 0);
			/* Shrink (or grow) to s1, then to s2: what was cut reads back as zeros. */
			CHECK_EQ(sfs_file_truncate(&f, s1), 0);
			if (s1 < base)
				memset(ref + s1, 0, max - s1);
			sizes_agree(&f, &m);
			CHECK_EQ(sfs_file_truncate(&f, s2), 0);
			sizes_agree(&f, &m);
			if (!same_content(&f, ref, s2))
				fprintf(stderr, "    %zu -> %zu -> %zu\n", base, s1, s2);
			/* The recorded size never exceeds what is on disk. */
			CHECK(stored_header(&m, &B1).size <= f.size);
			if (reopen(&f, &m, &B1))
				same_content(&f, ref, s2);
			CHECK_EQ_U64(stored_header(&m, &B1).size, s2);
			sfs_file_release(&f);
			mem_free(&m);
		}
	}
}

/* An offset or length near a block edge most of the time. */
static uint64_t edgy(uint64_t max)
{
	uint64_t r = tap_rand(&seed);

	if (r % 3 == 0) {
		uint64_t k = (r >> 8) % (max / 4096 + 1);
		int d = (int)((r >> 40) % 3) - 1;
		uint64_t v = k * 4096 + (uint64_t)(int64_t)d;
		return v > max ? max : v;
	}
	return (r >> 8) % (max + 1);
}

static void test_random_ops(void)
{
	enum { MAXSZ = 96 * 1024, OPS = 3000 };
	struct mem m = {0};
	struct sfs_file f;
	_cleanup_free_ uint8_t *ref = calloc(1, MAXSZ + 16384), *buf = malloc(16384);
	size_t size = 0;
	unsigned n_write = 0, n_read = 0, n_trunc = 0, n_reopen = 0;

	if (!ref || !buf)
		abort();
	CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, &B1), 0);
	for (int i = 0; i < OPS; i++) {
		unsigned what = (unsigned)(tap_rand(&seed) % 100);

		if (what < 55) {
			uint64_t off = edgy(size + 2 * 4096 < MAXSZ ? size + 2 * 4096 : MAXSZ);
			size_t len = 1 + (size_t)edgy(9000);
			if (off + len > MAXSZ)
				len = MAXSZ - (size_t)off;
			if (!len)
				continue;
			tap_randbytes(&seed, buf, len);
			if (!CHECK_EQ(sfs_file_write(&f, buf, len, off), (ssize_t)len)) {
				fprintf(stderr, "    op %d: write %zu at %llu, size %zu: %s\n", i,
					len, (unsigned long long)off, size, f.why ? f.why : "");
				break;
			}
			memcpy(ref + off, buf, len);
			if (off + len > size)
				size = (size_t)off + len;
			n_write++;
		} else if (what < 85) {
			uint64_t off = edgy(size + 100);
			size_t len = 1 + (size_t)edgy(12000);
			size_t want = off >= size ? 0 : (size - off < len ? size - off : len);
			ssize_t r = sfs_file_read(&f, buf, len, off);
			if (!CHECK_EQ(r, (ssize_t)want) || !CHECK_MEM(buf, ref + off, want)) {
				fprintf(stderr, "    op %d: read %zu at %llu, size %zu: %s\n", i,
					len, (unsigned long long)off, size, f.why ? f.why : "");
				break;
			}
			n_read++;
		} else if (what < 95) {
			size_t ns = (size_t)edgy(size + 8192 < MAXSZ ? size + 8192 : MAXSZ);
			if (!CHECK_EQ(sfs_file_truncate(&f, ns), 0)) {
				fprintf(stderr, "    op %d: truncate %zu -> %zu: %s\n", i, size, ns,
					f.why ? f.why : "");
				break;
			}
			if (ns < size)
				memset(ref + ns, 0, size - ns);
			size = ns;
			n_trunc++;
		} else if (what < 98) {
			CHECK_EQ(sfs_file_flush(&f), 0);
			CHECK_EQ_U64(stored_header(&m, &B1).size, size);
		} else {
			if (!reopen(&f, &m, &B1))
				break;
			n_reopen++;
		}
		if (!CHECK_EQ_U64(f.size, size) || !sizes_agree(&f, &m)) {
			fprintf(stderr, "    after op %d\n", i);
			break;
		}
		CHECK(stored_header(&m, &B1).size <= size);
	}
	same_content(&f, ref, size);
	if (reopen(&f, &m, &B1))
		same_content(&f, ref, size);
	printf("# %u writes, %u reads, %u truncates, %u reopens; final size %zu, %zu pages\n",
	       n_write, n_read, n_trunc, n_reopen, size, m.npages);
	CHECK(n_write > 1000 && n_read > 500 && n_trunc > 100 && n_reopen > 20);
	sfs_file_release(&f);
	mem_free(&m);
}

static void test_append(void)
{
	struct mem m = {0};
	struct sfs_file f;
	_cleanup_free_ uint8_t *ref = malloc(300000);
	size_t size = 0;

	pattern(ref, 300000, 3);
	CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, &B1), 0);
	while (size < 250000) {
		size_t n = 1 + (size_t)(tap_rand(&seed) % 10000);
		if (!CHECK_EQ(sfs_file_write(&f, ref + size, n, size), (ssize_t)n))
			break;
		size += n;
		sizes_agree(&f, &m);
	}
	/* A file written front to back never gets the SPARSE flag. */
	CHECK_EQ(f.hdr.flags & SFS_HDR_SPARSE, 0);
	same_content(&f, ref, size);
	if (reopen(&f, &m, &B1)) {
		CHECK_EQ(f.hdr.flags & SFS_HDR_SPARSE, 0);
		same_content(&f, ref, size);
	}
	sfs_file_release(&f);
	mem_free(&m);
}

static void test_sparse_huge(void)
{
	const uint64_t TiB = 1ULL << 40;
	struct mem m = {0};
	struct sfs_file f;
	uint8_t buf[8192], zero[8192] = {0};

	/*
	 * truncate -s 1T: a probe (the backend set to the new length and back, so
	 * that a length beyond its limit fails before anything changes), one
	 * header write, one backend truncate, nothing else.
	 */
	CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, &B1), 0);
	mem_reset_log(&m);
	CHECK_EQ(sfs_file_truncate(&f, TiB), 0);
	CHECK_EQ(m.n_pwrite, 1);
	CHECK_EQ(m.n_truncate, 3);
	CHECK_EQ(m.log[0].kind, 't');
	CHECK_EQ_U64(m.log[0].off, sfs_cipher_size(TiB));
	CHECK_EQ(m.log[1].kind, 't');
	CHECK_EQ_U64(m.log[1].off, SFS_HDR_LEN);
	CHECK_EQ(m.log[2].kind, 'w');
	CHECK_EQ_U64(m.log[2].off, 0);
	CHECK_EQ(m.log[3].kind, 't');
	CHECK_EQ_U64(m.log[3].off, sfs_cipher_size(TiB));
	CHECK(f.hdr.flags & SFS_HDR_SPARSE);
	CHECK(stored_header(&m, &B1).flags & SFS_HDR_SPARSE);
	CHECK(m.npages <= 2);
	/* Holes read as zeros, anywhere. */
	memset(buf, 1, sizeof(buf));
	CHECK_EQ(sfs_file_read(&f, buf, sizeof(buf), TiB / 2 - 100), (ssize_t)sizeof(buf));
	CHECK_MEM(buf, zero, sizeof(buf));
	CHECK_EQ(sfs_file_read(&f, buf, sizeof(buf), TiB - 10), 10);
	CHECK_MEM(buf, zero, 10);

	/* A write at 2^40 writes exactly one block, at the offset the format gives. */
	mem_reset_log(&m);
	CHECK_EQ(sfs_file_write(&f, "hello", 5, TiB), 5);
	CHECK_EQ(m.n_pwrite, 1);
	CHECK_EQ_U64(m.log[0].off, SFS_HDR_LEN + (TiB / SFS_BLOCK) * SFS_CBLOCK);
	CHECK_EQ_U64(m.log[0].len, 5 + SFS_BLOCK_OVERHEAD);
	CHECK_EQ_U64(f.size, TiB + 5);
	sizes_agree(&f, &m);
	CHECK_EQ(sfs_file_read(&f, buf, 100, TiB), 5);
	CHECK_MEM(buf, "hello", 5);
	if (reopen(&f, &m, &B1)) {
		CHECK_EQ_U64(f.size, TiB + 5);
		CHECK_EQ(sfs_file_read(&f, buf, 100, TiB - 3), 8);
		CHECK_MEM(buf, "\0\0\0hello", 8);
		CHECK_EQ(sfs_file_read(&f, buf, 4096, 12345), 4096);
		CHECK_MEM(buf, zero, 4096);
	}
	sfs_file_release(&f);
	mem_free(&m);

	/* A write far past the end of an empty file: the probe, the sparse header, the block. */
	CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, &B1), 0);
	mem_reset_log(&m);
	CHECK_EQ(sfs_file_write(&f, "x", 1, TiB + 4095), 1);
	CHECK_EQ(m.n_pwrite, 2);
	CHECK_EQ(m.n_truncate, 2);
	CHECK_EQ(m.log[0].kind, 't');
	CHECK_EQ(m.log[1].kind, 't');
	CHECK_EQ_U64(m.log[1].off, SFS_HDR_LEN);
	CHECK_EQ(m.log[2].kind, 'w');
	CHECK_EQ_U64(m.log[2].off, 0);
	CHECK_EQ_U64(m.log[3].off, SFS_HDR_LEN + (TiB / SFS_BLOCK) * SFS_CBLOCK);
	CHECK_EQ_U64(m.log[3].len, SFS_CBLOCK);
	CHECK(stored_header(&m, &B1).flags & SFS_HDR_SPARSE);
	CHECK_EQ(sfs_file_read(&f, buf, 4096, TiB), 4096);
	CHECK_EQ(buf[4095], 'x');
	CHECK_MEM(buf, zero, 4095);

	/* Up to the limit, and not one byte more. */
	CHECK_EQ(sfs_file_truncate(&f, SFS_MAX_FILE_SIZE), 0);
	sizes_agree(&f, &m);
	CHECK_EQ(sfs_file_write(&f, "z", 1, SFS_MAX_FILE_SIZE - 1), 1);
	CHECK_EQ(sfs_file_read(&f, buf, 10, SFS_MAX_FILE_SIZE - 2), 2);
	CHECK_MEM(buf, "\0z", 2);
	CHECK_EQ(sfs_file_write(&f, "z", 1, SFS_MAX_FILE_SIZE), -EFBIG);
	CHECK_EQ(sfs_file_write(&f, "zz", 2, SFS_MAX_FILE_SIZE - 1), -EFBIG);
	CHECK_EQ(sfs_file_write(&f, "z", 1, UINT64_MAX - 1), -EFBIG);
	CHECK_EQ(sfs_file_write(&f, "z", 1, UINT64_MAX), -EFBIG);
	CHECK_EQ(sfs_file_truncate(&f, SFS_MAX_FILE_SIZE + 1), -EFBIG);
	CHECK_EQ(sfs_file_truncate(&f, UINT64_MAX), -EFBIG);
	CHECK_EQ_U64(f.size, SFS_MAX_FILE_SIZE);
	if (reopen(&f, &m, &B1)) {
		CHECK_EQ_U64(f.size, SFS_MAX_FILE_SIZE);
		CHECK_EQ(sfs_file_read(&f, buf, 10, SFS_MAX_FILE_SIZE - 1), 1);
		CHECK_EQ(buf[0], 'z');
	}
	/* And back down. */
	CHECK_EQ(sfs_file_truncate(&f, 3), 0);
	CHECK_EQ_U64(m.size, sfs_cipher_size(3));
	CHECK_EQ(sfs_file_read(&f, buf, 10, 0), 3);
	CHECK_MEM(buf, zero, 3);
	CHECK(m.npages <= 2);
	sfs_file_release(&f);
	mem_free(&m);
}

/* A file of three full blocks and 100 bytes, not sparse, flushed. */
static void three_blocks(struct sfs_file *f, struct mem *m, uint8_t *ref)
{
	pattern(ref, 3 * 4096 + 100, 9);
	CHECK_EQ(sfs_file_create(f, &mem_ops, m, K, &B1), 0);
	CHECK_EQ(sfs_file_write(f, ref, 3 * 4096 + 100, 0), 3 * 4096 + 100);
	CHECK_EQ(sfs_file_flush(f), 0);
}

static uint64_t cblock(uint64_t b)
{
	return SFS_HDR_LEN + b * SFS_CBLOCK;
}

static void test_tamper_blocks(void)
{
	struct mem m = {0}, m2 = {0};
	struct sfs_file f, f2;
	uint8_t ref[3 * 4096 + 100], buf[4096], a[SFS_CBLOCK], b[SFS_CBLOCK];
	uint8_t zero[SFS_CBLOCK] = {0};

	three_blocks(&f, &m, ref);

	/* A zeroed block in a file that never had holes: -EIO naming the block. */
	mem_get(&m, cblock(1), a, SFS_CBLOCK);
	mem_put(&m, cblock(1), zero, SFS_CBLOCK);
	f.why = NULL;
	CHECK_EQ(sfs_file_read(&f, buf, 10, 0), 10);
	CHECK_EQ(sfs_file_read(&f, buf, 10, 4096 + 5), -EIO);
	CHECK(f.why != NULL);
	CHECK_EQ_U64(f.bad_block, 1);
	CHECK_EQ(sfs_file_read(&f, buf, 4096, 2 * 4096), 4096);
	CHECK_MEM(buf, ref + 2 * 4096, 4096);
	/* A read spanning a good and a bad block fails as a whole. */
	CHECK_EQ(sfs_file_read(&f, buf, 200, 4096 - 100), -EIO);
	/* A write into the damaged block that needs its old content fails too. */
	CHECK_EQ(sfs_file_write(&f, "x", 1, 4096 + 7), -EIO);
	mem_put(&m, cblock(1), a, SFS_CBLOCK);
	CHECK_EQ(sfs_file_read(&f, buf, 10, 4096 + 5), 10);

	/* The zeroed last (partial) block, likewise. */
	mem_get(&m, cblock(3), a, 128);
	mem_put(&m, cblock(3), zero, 128);
	CHECK_EQ(sfs_file_read(&f, buf, 10, 3 * 4096), -EIO);
	CHECK_EQ_U64(f.bad_block, 3);
	mem_put(&m, cblock(3), a, 128);

	/* Blocks 0 and 1 swapped. */
	mem_get(&m, cblock(0), a, SFS_CBLOCK);
	mem_get(&m, cblock(1), b, SFS_CBLOCK);
	mem_put(&m, cblock(0), b, SFS_CBLOCK);
	mem_put(&m, cblock(1), a, SFS_CBLOCK);
	CHECK_EQ(sfs_file_read(&f, buf, 10, 0), -EIO);
	CHECK_EQ_U64(f.bad_block, 0);
	CHECK_EQ(sfs_file_read(&f, buf, 10, 4096), -EIO);
	CHECK_EQ_U64(f.bad_block, 1);
	CHECK_EQ(sfs_file_read(&f, buf, 10, 2 * 4096), 10);
	mem_put(&m, cblock(0), a, SFS_CBLOCK);
	mem_put(&m, cblock(1), b, SFS_CBLOCK);
	CHECK(same_content(&f, ref, sizeof(ref)));

	/* A bit flipped in the nonce, the ciphertext or the tag. */
	{
		static const size_t at[] = {0, 11, 12, 2000, 4107, 4108, 4123};
		for (size_t i = 0; i < ARRAY_SIZE(at); i++) {
			uint8_t c;
			mem_get(&m, cblock(2) + at[i], &c, 1);
			c ^= 0x20;
			mem_put(&m, cblock(2) + at[i], &c, 1);
			CHECK_EQ(sfs_file_read(&f, buf, 1, 2 * 4096 + 4095), -EIO);
			c ^= 0x20;
			mem_put(&m, cblock(2) + at[i], &c, 1);
		}
		CHECK_EQ(sfs_file_read(&f, buf, 1, 2 * 4096 + 4095), 1);
	}

	/* Block 1 of another file (same key hierarchy, same place): -EIO. */
	three_blocks(&f2, &m2, ref);
	mem_get(&m2, cblock(1), a, SFS_CBLOCK);
	mem_get(&m, cblock(1), b, SFS_CBLOCK);
	mem_put(&m, cblock(1), a, SFS_CBLOCK);
	CHECK_EQ(sfs_file_read(&f, buf, 10, 4096), -EIO);
	mem_put(&m, cblock(1), b, SFS_CBLOCK);
	sfs_file_release(&f2);
	mem_free(&m2);

	/* In a sparse file an all-zero block is a hole: documented, reads as zeros. */
	CHECK_EQ(sfs_file_truncate(&f, 10 * 4096), 0);
	CHECK(f.hdr.flags & SFS_HDR_SPARSE);
	mem_put(&m, cblock(1), zero, SFS_CBLOCK);
	CHECK_EQ(sfs_file_read(&f, buf, 4096, 4096), 4096);
	CHECK_MEM(buf, zero, 4096);
	/* ... but a half-zeroed one is still tampering. */
	mem_put(&m, cblock(2), zero, 100);
	CHECK_EQ(sfs_file_read(&f, buf, 10, 2 * 4096), -EIO);
	sfs_file_release(&f);
	mem_free(&m);
}

static void test_truncated_ciphertext(void)
{
	struct mem m = {0};
	struct sfs_file f;
	uint8_t ref[3 * 4096 + 100], buf[64];

	three_blocks(&f, &m, ref); /* header records 12388 */
	sfs_file_release(&f);

	/* Cut at a block boundary below the recorded size: -EIO at open. */
	mem_cut(&m, cblock(2));
	f.why = NULL;
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), -EIO);
	CHECK(f.why != NULL);
	sfs_file_release(&f);
	mem_free(&m);

	/* One byte short: a valid length, but less than recorded. */
	three_blocks(&f, &m, ref);
	sfs_file_release(&f);
	mem_cut(&m, sfs_cipher_size(sizeof(ref)) - 1);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), -EIO);
	/* A length no file can have. */
	mem_cut(&m, cblock(3) + 10);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), -EIO);
	sfs_file_release(&f);
	mem_free(&m);

	/* Before the first flush the header records 0: a cut at a block edge is
	 * undetectable (documented), the rest still reads. */
	CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, &B1), 0);
	pattern(ref, sizeof(ref), 4);
	CHECK_EQ(sfs_file_write(&f, ref, sizeof(ref), 0), (ssize_t)sizeof(ref));
	sfs_file_release(&f);
	mem_cut(&m, cblock(2));
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), 0);
	CHECK_EQ_U64(f.size, 2 * 4096);
	CHECK_EQ(sfs_file_read(&f, buf, 10, 4096), 10);
	CHECK_MEM(buf, ref + 4096, 10);
	sfs_file_release(&f);
	mem_free(&m);
}

static void test_binding(void)
{
	struct mem m = {0}, copy = {0};
	struct sfs_file f;
	uint8_t ref[3 * 4096 + 100];
	struct sfs_binding other_dir = B1;
	struct sfs_binding long_name = {.name = "x", .namelen = 1};

	other_dir.diriv[15] ^= 1;
	memcpy(long_name.diriv, B1.diriv, 16);

	three_blocks(&f, &m, ref);
	sfs_file_release(&f);

	/* The ciphertext of a.txt copied over b.txt: refused at open. */
	{
		uint8_t *all = malloc(m.size);
		mem_get(&m, 0, all, m.size);
		mem_put(&copy, 0, all, m.size);
		free(all);
	}
	f.why = NULL;
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &copy, K, &B2), -EIO);
	CHECK(f.why != NULL);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &copy, K, &other_dir), -EIO);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &copy, K, NULL), -EIO);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &copy, K, &B1), 0);
	sfs_file_release(&f);

	/* Renamed to b.txt: the header follows, the old place is refused. */
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), 0);
	CHECK_EQ(sfs_file_rebind(&f, &B2), 0);
	sfs_file_release(&f);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), -EIO);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B2), 0);
	CHECK(same_content(&f, ref, sizeof(ref)));
	/* Written to after the rename: still bound to b.txt. */
	CHECK_EQ(sfs_file_write(&f, "new", 3, 5), 3);
	memcpy(ref + 5, "new", 3);
	CHECK(reopen(&f, &m, &B2));
	CHECK(same_content(&f, ref, sizeof(ref)));

	/* Hard-linked: unbound, opens under any name, and NULL. */
	CHECK_EQ(sfs_file_rebind(&f, NULL), 0);
	CHECK(f.hdr.flags & SFS_HDR_UNBOUND);
	sfs_file_release(&f);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), 0);
	sfs_file_release(&f);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &other_dir), 0);
	sfs_file_release(&f);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, NULL), 0);
	CHECK(same_content(&f, ref, sizeof(ref)));
	/* Writes and flushes keep it unbound. */
	CHECK_EQ(sfs_file_write(&f, "more", 4, sizeof(ref) - 4), 4);
	memcpy(ref + sizeof(ref) - 4, "more", 4);
	CHECK_EQ(sfs_file_flush(&f), 0);
	sfs_file_release(&f);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &long_name), 0);
	CHECK(f.hdr.flags & SFS_HDR_UNBOUND);
	CHECK(same_content(&f, ref, sizeof(ref)));
	sfs_file_release(&f);
	mem_free(&m);
	mem_free(&copy);

	/* A file created unbound (NULL binding). */
	CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, NULL), 0);
	CHECK_EQ(sfs_file_write(&f, "u", 1, 0), 1);
	CHECK(reopen(&f, &m, &B2));
	CHECK_EQ(f.hdr.flags & SFS_HDR_UNBOUND, SFS_HDR_UNBOUND);
	sfs_file_release(&f);
	mem_free(&m);
}

static void test_flush_and_order(void)
{
	struct mem m = {0};
	struct sfs_file f;
	uint8_t ref[10000];

	pattern(ref, sizeof(ref), 5);
	CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, &B1), 0);
	CHECK_EQ(sfs_file_write(&f, ref, sizeof(ref), 0), (ssize_t)sizeof(ref));
	/* Writes do not touch the header; flush records the size. */
	CHECK_EQ_U64(stored_header(&m, &B1).size, 0);
	CHECK(f.hdr_dirty);
	mem_reset_log(&m);
	CHECK_EQ(sfs_file_flush(&f), 0);
	CHECK_EQ(m.n_pwrite, 1);
	CHECK_EQ_U64(m.log[0].off, 0);
	CHECK_EQ_U64(m.log[0].len, SFS_HDR_LEN);
	CHECK_EQ_U64(stored_header(&m, &B1).size, sizeof(ref));
	CHECK(!f.hdr_dirty);
	/* Nothing to do the second time. */
	mem_reset_log(&m);
	CHECK_EQ(sfs_file_flush(&f), 0);
	CHECK_EQ(m.n_pwrite, 0);

	/* Shrinking lowers the recorded size first, then rewrites the cut block, then cuts. */
	mem_reset_log(&m);
	CHECK_EQ(sfs_file_truncate(&f, 5000), 0);
	CHECK_EQ(m.nlog, 3);
	CHECK(m.log[0].kind == 'w' && m.log[0].off == 0);
	CHECK(m.log[1].kind == 'w' && m.log[1].off == cblock(1) &&
	      m.log[1].len == 5000 - 4096 + SFS_BLOCK_OVERHEAD);
	CHECK(m.log[2].kind == 't' && m.log[2].off == sfs_cipher_size(5000));
	CHECK_EQ_U64(stored_header(&m, &B1).size, 5000);
	/* Growing never raises it before flush. */
	CHECK_EQ(sfs_file_truncate(&f, 9000), 0);
	CHECK_EQ_U64(stored_header(&m, &B1).size, 5000);
	CHECK_EQ(sfs_file_flush(&f), 0);
	CHECK_EQ_U64(stored_header(&m, &B1).size, 9000);
	sfs_file_release(&f);
	mem_free(&m);
}

static void test_short_and_failed_reads(void)
{
	struct mem m = {0};
	struct sfs_file f;
	uint8_t ref[3 * 4096 + 100], buf[8192];

	three_blocks(&f, &m, ref);
	sfs_file_release(&f);

	/* A backend that returns short reads (against its contract). */
	m.short_read = 1000;
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), 0);
	f.why = NULL;
	CHECK_EQ(sfs_file_read(&f, buf, 4096, 0), -EIO);
	CHECK(f.why != NULL);
	CHECK_EQ(sfs_file_write(&f, "x", 1, 100), -EIO);
	CHECK_EQ(sfs_file_truncate(&f, 5000), -EIO);
	sfs_file_release(&f);
	m.short_read = 20;
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), -EIO);
	sfs_file_release(&f);
	m.short_read = 0;

	/* pread failing: the backend's error comes through. */
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), 0);
	m.fail_pread = true;
	CHECK_EQ(sfs_file_read(&f, buf, 10, 0), -ENXIO);
	CHECK_EQ(sfs_file_write(&f, "x", 1, 100), -ENXIO);
	m.fail_pread = false;
	CHECK(same_content(&f, ref, sizeof(ref)));
	sfs_file_release(&f);
	CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), 0);
	CHECK(same_content(&f, ref, sizeof(ref)));
	sfs_file_release(&f);
	mem_free(&m);
}

/*
 * One operation against a file of 3 blocks + 100 bytes, with the Nth pwrite
 * failing (or torn). Afterwards, with the same handle and after reopening
 * without a flush (a crash) and with one: the bytes that were there before
 * are intact, anything beyond reads as zeros, and retrying the operation
 * gives the intended content.
 */
enum fop { W_MIDDLE, W_EXTEND_LAST, W_PAST_END, W_FAR_HOLE, T_GROW, T_GROW_HOLE, T_SHRINK, FOP_N };
static const char *const fop_name[] = {"write across blocks 0-2",
				       "write extending the last block",
				       "write past the end",
				       "write past a hole",
				       "truncate grow within the last block",
				       "truncate grow making a hole",
				       "truncate shrink mid-block"};

static int do_op(struct sfs_file *f, enum fop op, uint8_t *ref, size_t *size)
{
	static uint8_t data[9000];
	size_t off = 0, n = 0, ns = 0;
	int r;

	pattern(data, sizeof(data), 0x55);
	switch (op) {
	case W_MIDDLE:
		off = 100;
		n = 8000;
		break;
	case W_EXTEND_LAST:
		off = 3 * 4096 + 50;
		n = 500;
		break;
	case W_PAST_END:
		off = 3 * 4096 + 200;
		n = 5000;
		break;
	case W_FAR_HOLE:
		off = 6 * 4096 + 7;
		n = 9000;
		break;
	case T_GROW:
		ns = 3 * 4096 + 3000;
		break;
	case T_GROW_HOLE:
		ns = 9 * 4096 + 1;
		break;
	case T_SHRINK:
		ns = 4096 + 10;
		break;
	default:
		abort();
	}
	if (n) {
		ssize_t w = sfs_file_write(f, data, n, off);
		if (w < 0)
			return (int)w;
		CHECK_EQ(w, (ssize_t)n);
		memcpy(ref + off, data, n);
		if (off + n > *size)
			*size = off + n;
		return 0;
	}
	r = sfs_file_truncate(f, ns);
	if (r)
		return r;
	if (ns < *size)
		memset(ref + ns, 0, *size - ns);
	*size = ns;
	return 0;
}

/* [0, old) equals before[0, old), [old, f->size) zeros; the file is readable. */
static bool intact(struct sfs_file *f, const uint8_t *before, size_t old, const char *when)
{
	size_t n = f->size;
	_cleanup_free_ uint8_t *got = calloc(1, n + 1), *want = calloc(1, n + 1);
	ssize_t r;

	if (!got || !want)
		abort();
	memcpy(want, before, old < n ? old : n);
	r = sfs_file_read(f, got, n, 0);
	if (!CHECK_EQ(r, (ssize_t)n)) {
		fprintf(stderr, "    %s: read of %zu bytes gives %zd (%s, block %llu)\n", when, n,
			r, f->why ? f->why : "-", (unsigned long long)f->bad_block);
		return false;
	}
	if (!CHECK(n >= old) || !CHECK_MEM(got, want, n)) {
		fprintf(stderr, "    %s\n", when);
		return false;
	}
	return true;
}

static void test_failing_writes(void)
{
	enum { MAXSZ = 12 * 4096 };
	unsigned n_failed = 0;

	{
		for (int op = 0; op < FOP_N; op++) {
			for (unsigned nth = 1; nth <= 3; nth++) {
				struct mem m = {0};
				struct sfs_file f;
				uint8_t before[MAXSZ], ref[MAXSZ] = {0};
				size_t size = 3 * 4096 + 100, old = size;
				char when[160];
				int r;

				three_blocks(&f, &m, ref);
				memcpy(before, ref, sizeof(before));
				m.fail_pwrite_at = nth;
				r = do_op(&f, (enum fop)op, ref, &size);
				if (m.fail_pwrite_at) {
					/* The op made fewer than nth writes: it succeeded. */
					m.fail_pwrite_at = 0;
					CHECK_EQ(r, 0);
					sfs_file_release(&f);
					mem_free(&m);
					continue;
				}
				n_failed++;
				snprintf(when, sizeof(when), "%s, pwrite #%u failing", fop_name[op],
					 nth);
				if (!CHECK_EQ(r, -ENOSPC))
					fprintf(stderr, "    %s\n", when);

				/* Same handle. */
				intact(&f, before, old, when);
				/* Crash now: reopen without flushing. */
				sfs_file_release(&f);
				f.why = NULL;
				if (CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), 0))
					intact(&f, before, old, when);
				else
					fprintf(stderr, "    %s: reopen: %s\n", when,
						f.why ? f.why : "-");
				sfs_file_release(&f);

				/* Retried on a fresh handle, the operation does what it should. */
				memcpy(ref, before, sizeof(ref));
				size = old;
				if (sfs_file_open(&f, &mem_ops, &m, K, &B1) == 0) {
					uint8_t want[MAXSZ];
					size_t cur = f.size;
					/* whatever grew with zeros stays (it is in the file now) */
					memcpy(want, ref, sizeof(want));
					if (cur > size)
						size = cur;
					if (CHECK_EQ(do_op(&f, (enum fop)op, want, &size), 0))
						CHECK(same_content(&f, want, size));
					if (reopen(&f, &m, &B1))
						CHECK(same_content(&f, want, size));
					sfs_file_release(&f);
				}
				mem_free(&m);
			}
		}
	}
	CHECK(n_failed >= 10);
}

/*
 * A disk filling up in the middle of an append: the pwrite of the new blocks
 * stops after `torn` bytes. What was in the file before must stay readable,
 * through the same handle and after reopening (a torn write in place cannot
 * be undone without a journal; one past the old end can).
 */
static void test_torn_append(void)
{
	static const size_t torn[] = {1, 10, 28, 29, 100, 4124, 4124 + 20, 4124 + 500};

	for (size_t i = 0; i < ARRAY_SIZE(torn); i++) {
		struct mem m = {0};
		struct sfs_file f;
		uint8_t ref[3 * 4096], data[3 * 4096];
		char when[96];

		snprintf(when, sizeof(when), "append torn after %zu bytes", torn[i]);
		pattern(ref, sizeof(ref), 11);
		pattern(data, sizeof(data), 12);
		CHECK_EQ(sfs_file_create(&f, &mem_ops, &m, K, &B1), 0);
		CHECK_EQ(sfs_file_write(&f, ref, sizeof(ref), 0), (ssize_t)sizeof(ref));
		CHECK_EQ(sfs_file_flush(&f), 0);
		m.fail_pwrite_at = 1;
		m.torn = torn[i];
		CHECK_EQ(sfs_file_write(&f, data, sizeof(data), sizeof(ref)), -ENOSPC);
		m.fail_pwrite_at = 0;
		intact(&f, ref, sizeof(ref), when);
		sfs_file_release(&f);
		f.why = NULL;
		if (CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), 0)) {
			uint8_t got[sizeof(ref)];
			CHECK(f.size >= sizeof(ref));
			if (!CHECK_EQ(sfs_file_read(&f, got, sizeof(got), 0),
				      (ssize_t)sizeof(got)) ||
			    !CHECK_MEM(got, ref, sizeof(got)))
				fprintf(stderr, "    %s\n", when);
			/* The append, retried, completes the file. */
			if (CHECK_EQ(sfs_file_write(&f, data, sizeof(data), sizeof(ref)),
				     (ssize_t)sizeof(data))) {
				uint8_t want[2 * sizeof(ref)];
				memcpy(want, ref, sizeof(ref));
				memcpy(want + sizeof(ref), data, sizeof(data));
				CHECK(same_content(&f, want, sizeof(want)));
			}
		} else {
			fprintf(stderr, "    %s: reopen: %s\n", when, f.why ? f.why : "-");
		}
		sfs_file_release(&f);
		mem_free(&m);
	}
}

/*
 * The SPARSE flag must be on disk before any hole is. If writing the flagged
 * header fails, a retried write must write it again: otherwise the holes are
 * made with the flag only in memory, and after a crash (no flush) they read
 * as tampering.
 */
static void test_sparse_flag_after_failed_header(void)
{
	struct mem m = {0};
	struct sfs_file f;
	uint8_t ref[3 * 4096 + 100], want[8 * 4096 + 4] = {0};

	three_blocks(&f, &m, ref);
	memcpy(want, ref, sizeof(ref));
	memcpy(want + 8 * 4096, "hole", 4);
	m.fail_pwrite_at = 1;
	CHECK_EQ(sfs_file_write(&f, "hole", 4, 8 * 4096), -ENOSPC);
	m.fail_pwrite_at = 0;
	CHECK_EQ(sfs_file_write(&f, "hole", 4, 8 * 4096), 4);
	CHECK(same_content(&f, want, sizeof(want)));
	/* Crash: no flush. */
	sfs_file_release(&f);
	if (CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), 0)) {
		CHECK(stored_header(&m, &B1).flags & SFS_HDR_SPARSE);
		CHECK(same_content(&f, want, sizeof(want)));
	}
	sfs_file_release(&f);
	mem_free(&m);
}

static void test_failing_truncate(void)
{
	struct mem m = {0};
	struct sfs_file f;
	uint8_t ref[3 * 4096 + 100];
	int r;

	/* The backend cannot cut: the file must stay as it was. */
	three_blocks(&f, &m, ref);
	m.fail_truncate = true;
	r = sfs_file_truncate(&f, 4096 + 10);
	CHECK_EQ(r, -EIO);
	m.fail_truncate = false;
	intact(&f, ref, sizeof(ref), "truncate shrink, backend truncate failing");
	sfs_file_release(&f);
	if (CHECK_EQ(sfs_file_open(&f, &mem_ops, &m, K, &B1), 0))
		intact(&f, ref, sizeof(ref), "truncate shrink failing, after reopen");
	sfs_file_release(&f);
	mem_free(&m);
}

int main(void)
{
	setup();
	TAP_RUN(test_empty_and_header);
	TAP_RUN(test_block_edges);
	TAP_RUN(test_truncate_edges);
	TAP_RUN(test_random_ops);
	TAP_RUN(test_append);
	TAP_RUN(test_sparse_huge);
	TAP_RUN(test_tamper_blocks);
	TAP_RUN(test_truncated_ciphertext);
	TAP_RUN(test_binding);
	TAP_RUN(test_flush_and_order);
	TAP_RUN(test_short_and_failed_reads);
	TAP_RUN(test_failing_writes);
	TAP_RUN(test_torn_append);
	TAP_RUN(test_sparse_flag_after_failed_header);
	TAP_RUN(test_failing_truncate);
	sfs_keys_free(K);
	return tap_done();
}
