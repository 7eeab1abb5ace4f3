/*
 * file.c - block-level read-modify-write of one encrypted file (sealfs core
 * layer). See file.h for the contract and content.h for the layout.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "io.h"
#include "file.h"
#include "banned.h"

static ssize_t fd_pread(void *h, void *buf, size_t n, uint64_t off)
{
	return io_pread_full((int)(intptr_t)h, buf, n, (off_t)off);
}

static int fd_pwrite(void *h, const void *buf, size_t n, uint64_t off)
{
	return io_pwrite_full((int)(intptr_t)h, buf, n, (off_t)off);
}

static int fd_truncate(void *h, uint64_t size)
{
	return ftruncate((int)(intptr_t)h, (off_t)size) < 0 ? -errno : 0;
}

static int fd_size(void *h, uint64_t *ret)
{
	off_t end = lseek((int)(intptr_t)h, 0, SEEK_END);

	if (end < 0)
		return -errno;
	*ret = (uint64_t)end;
	return 0;
}

const struct sfs_backend_ops sfs_fd_backend = {
	.pread = fd_pread,
	.pwrite = fd_pwrite,
	.truncate = fd_truncate,
	.size = fd_size,
};

static void set_binding(struct sfs_file *f, const struct sfs_binding *b)
{
	f->bound = b != NULL && b->namelen < sizeof(f->name);
	if (f->bound) {
		memcpy(f->diriv, b->diriv, SFS_DIRIV_LEN);
		memcpy(f->name, b->name, b->namelen);
		f->namelen = b->namelen;
	}
}

static int write_header(struct sfs_file *f)
{
	uint8_t buf[SFS_HDR_LEN];
	struct sfs_binding b;
	int r;

	if (f->bound) {
		memcpy(b.diriv, f->diriv, SFS_DIRIV_LEN);
		b.name = f->name;
		b.namelen = f->namelen;
	} else {
		f->hdr.flags |= SFS_HDR_UNBOUND;
	}
	r = sfs_header_seal(f->keys, &f->hdr, f->bound ? &b : NULL, buf);
	if (!r)
		r = f->ops->pwrite(f->h, buf, SFS_HDR_LEN, 0);
	return r;
}

static int fail(struct sfs_file *f, const char *why, uint64_t block)
{
	f->why = why;
	f->bad_block = block;
	return -EIO;
}

int sfs_file_create(struct sfs_file *f, const struct sfs_backend_ops *ops, void *h,
		    const struct sfs_keys *keys, const struct sfs_binding *b)
{
	int r;

	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->h = h;
	f->keys = keys;
	set_binding(f, b);
	r = sfs_random(f->hdr.id, SFS_FILE_ID_LEN);
	if (!r)
		r = sfs_keys_file_key(keys, f->hdr.id, f->key);
	if (!r)
		r = write_header(f);
	return r;
}

int sfs_file_open(struct sfs_file *f, const struct sfs_backend_ops *ops, void *h,
		  const struct sfs_keys *keys, const struct sfs_binding *b)
{
	uint8_t buf[SFS_HDR_LEN];
	uint64_t csize;
	ssize_t n;
	int r;

	memset(f, 0, sizeof(*f));
	f->ops = ops;
	f->h = h;
	f->keys = keys;
	set_binding(f, b);
	r = ops->size(h, &csize);
	if (r)
		return r;
	n = ops->pread(h, buf, SFS_HDR_LEN, 0);
	if (n < 0)
		return (int)n;
	if (n < (ssize_t)SFS_HDR_LEN)
		return fail(f, "file header missing or cut short", 0);
	r = sfs_header_open(keys, buf, b, &f->hdr);
	if (r == -EINVAL)
		return fail(f, "not a sealfs file header", 0);
	if (r == -EBADMSG)
		return fail(f, "file header fails authentication (tampered, or moved here from "
			       "another name)", 0);
	if (r)
		return r;
	if (f->hdr.flags & SFS_HDR_UNBOUND)
		f->bound = false;
	if (sfs_plain_size(csize, &f->size))
		return fail(f, "file length is not a valid ciphertext length (truncated?)", 0);
	if (f->hdr.size > f->size)
		return fail(f, "file is shorter than its header records (truncated)", 0);
	return sfs_keys_file_key(keys, f->hdr.id, f->key);
}

void sfs_file_release(struct sfs_file *f)
{
	sfs_wipe(f->key, sizeof(f->key));
	sfs_wipe(f->name, sizeof(f->name));
}

/* Decrypt blocks [b0, b0+count) from cbuf (clen bytes as read) into pbuf. */
static int open_blocks(struct sfs_file *f, uint64_t b0, const uint8_t *cbuf, size_t clen,
		       uint8_t *pbuf, size_t *ret_plain)
{
	size_t off = 0, p = 0;
	uint64_t b = b0;
	bool sparse = f->hdr.flags & SFS_HDR_SPARSE;

	while (off < clen) {
		size_t c = clen - off < SFS_CBLOCK ? clen - off : SFS_CBLOCK;
		int r;
		if (c <= SFS_BLOCK_OVERHEAD)
			return fail(f, "last block cut short (truncated)", b);
		r = sfs_block_open(f->key, f->hdr.id, b, cbuf + off, c, sparse, pbuf + p);
		if (r == -EBADMSG)
			return fail(f, "block fails authentication (tampered, moved or zeroed)", b);
		if (r)
			return r;
		off += c;
		p += c - SFS_BLOCK_OVERHEAD;
		b++;
	}
	*ret_plain = p;
	return 0;
}

ssize_t sfs_file_read(struct sfs_file *f, void *buf, size_t n, uint64_t off)
{
	_cleanup_free_ uint8_t *cbuf = NULL, *pbuf = NULL;
	uint64_t b0, b1, cstart, cend;
	size_t plain = 0, got;
	ssize_t nr;
	int r;

	if (off >= f->size || n == 0)
		return 0;
	if (n > f->size - off)
		n = (size_t)(f->size - off);
	b0 = off / SFS_BLOCK;
	b1 = (off + n - 1) / SFS_BLOCK;
	cstart = SFS_HDR_LEN + b0 * SFS_CBLOCK;
	cend = sfs_cipher_size(f->size);
	if (cend > SFS_HDR_LEN + (b1 + 1) * SFS_CBLOCK)
		cend = SFS_HDR_LEN + (b1 + 1) * SFS_CBLOCK;
	cbuf = malloc(cend - cstart);
	pbuf = malloc((b1 - b0 + 1) * SFS_BLOCK);
	if (!cbuf || !pbuf)
		return -ENOMEM;
	nr = f->ops->pread(f->h, cbuf, cend - cstart, cstart);
	if (nr < 0)
		return nr;
	if ((uint64_t)nr < cend - cstart)
		return fail(f, "file shorter than expected (truncated)", b0);
	r = open_blocks(f, b0, cbuf, (size_t)nr, pbuf, &plain);
	if (r) {
		sfs_wipe(pbuf, (b1 - b0 + 1) * SFS_BLOCK);
		return r;
	}
	got = off - b0 * SFS_BLOCK;
	if (got >= plain)
		n = 0;
	else if (n > plain - got)
		n = plain - got;
	memcpy(buf, pbuf + got, n);
	sfs_wipe(pbuf, plain);
	return (ssize_t)n;
}

/* Read and decrypt one existing block (len plaintext bytes) into out. */
static int read_block(struct sfs_file *f, uint64_t b, size_t len, uint8_t *out)
{
	uint8_t cbuf[SFS_CBLOCK];
	size_t plain;
	ssize_t nr;

	nr = f->ops->pread(f->h, cbuf, len + SFS_BLOCK_OVERHEAD, SFS_HDR_LEN + b * SFS_CBLOCK);
	if (nr < 0)
		return (int)nr;
	if ((size_t)nr != len + SFS_BLOCK_OVERHEAD)
		return fail(f, "file shorter than expected (truncated)", b);
	return open_blocks(f, b, cbuf, (size_t)nr, out, &plain);
}

/* Plaintext length of block b in a file of size `size`. */
static size_t block_len(uint64_t size, uint64_t b)
{
	uint64_t start = b * SFS_BLOCK;

	if (size <= start)
		return 0;
	return size - start >= SFS_BLOCK ? SFS_BLOCK : (size_t)(size - start);
}

static int mark_sparse(struct sfs_file *f)
{
	int r;

	if (f->hdr.flags & SFS_HDR_SPARSE)
		return 0;
	f->hdr.flags |= SFS_HDR_SPARSE;
	/* The flag must be on disk before any hole is: not set until it is. */
	r = write_header(f);
	if (r)
		f->hdr.flags &= (uint16_t)~SFS_HDR_SPARSE;
	return r;
}

/* Re-encrypt the last, partial block of the file grown to new_len bytes. */
static int pad_last_block(struct sfs_file *f, size_t new_len)
{
	uint64_t b = f->size / SFS_BLOCK;
	size_t old_len = block_len(f->size, b);
	uint8_t pt[SFS_BLOCK], ct[SFS_CBLOCK];
	int r;

	if (old_len == 0 || new_len <= old_len)
		return 0;
	r = read_block(f, b, old_len, pt);
	if (r)
		return r;
	memset(pt + old_len, 0, new_len - old_len);
	r = sfs_block_seal(f->key, f->hdr.id, b, pt, new_len, ct);
	sfs_wipe(pt, sizeof(pt));
	if (!r)
		r = f->ops->pwrite(f->h, ct, new_len + SFS_BLOCK_OVERHEAD,
				   SFS_HDR_LEN + b * SFS_CBLOCK);
	if (r)
		return r;
	/* The file on disk is now this long (zeros added): say so, whatever follows. */
	f->size = b * SFS_BLOCK + new_len;
	f->hdr_dirty = f->hdr.size != f->size;
	return 0;
}

/*
 * Can the ciphertext grow to hold `size` plaintext bytes? Sets the backing
 * length and puts it back: the filesystem's own limit (EFBIG) shows before
 * anything else is changed.
 */
static int probe_length(struct sfs_file *f, uint64_t size)
{
	int r = f->ops->truncate(f->h, sfs_cipher_size(size));

	if (r)
		return r;
	return f->ops->truncate(f->h, sfs_cipher_size(f->size));
}

ssize_t sfs_file_write(struct sfs_file *f, const void *buf, size_t n, uint64_t off)
{
	_cleanup_free_ uint8_t *cbuf = NULL;
	uint8_t pt[SFS_BLOCK];
	uint64_t new_size, b0, b1, nb_old;
	size_t co = 0, in = 0;
	int r;

	if (n == 0)
		return 0;
	if (off > SFS_MAX_FILE_SIZE || n > SFS_MAX_FILE_SIZE - off)
		return -EFBIG;
	new_size = off + n > f->size ? off + n : f->size;
	b0 = off / SFS_BLOCK;
	b1 = (off + n - 1) / SFS_BLOCK;
	nb_old = (f->size + SFS_BLOCK - 1) / SFS_BLOCK;
	if (b0 > nb_old || (b0 == nb_old && f->size % SFS_BLOCK)) {
		/* A gap: check the backing file can be that long before touching it. */
		r = probe_length(f, new_size);
		if (r)
			return r;
	}
	if (b0 > nb_old) {
		/* Blocks nb_old .. b0-1 become a hole. */
		r = mark_sparse(f);
		if (r)
			return r;
	}
	if (b0 >= nb_old && f->size % SFS_BLOCK) {
		/* The old last block stops being last: fill it up to a full block. */
		r = pad_last_block(f, SFS_BLOCK);
		if (r)
			return r;
	}
	cbuf = malloc((b1 - b0 + 1) * SFS_CBLOCK);
	if (!cbuf)
		return -ENOMEM;
	for (uint64_t b = b0; b <= b1; b++) {
		size_t blen = block_len(new_size, b);
		size_t from = b == b0 ? (size_t)(off % SFS_BLOCK) : 0;
		size_t to = b == b1 ? (size_t)((off + n - 1) % SFS_BLOCK) + 1 : SFS_BLOCK;

		if (from > 0 || to < blen) {
			/* Partial: start from the old content (or zeros past the end). */
			size_t have = b < nb_old ? block_len(f->size, b) : 0;
			memset(pt, 0, SFS_BLOCK);
			if (have) {
				r = read_block(f, b, have, pt);
				if (r)
					goto out;
			}
		}
		memcpy(pt + from, (const uint8_t *)buf + in, to - from);
		in += to - from;
		r = sfs_block_seal(f->key, f->hdr.id, b, pt, blen, cbuf + co);
		if (r)
			goto out;
		co += blen + SFS_BLOCK_OVERHEAD;
	}
	r = f->ops->pwrite(f->h, cbuf, co, SFS_HDR_LEN + b0 * SFS_CBLOCK);
	if (r) {
		/* A write cut short past the end must not leave a length no file can have. */
		if (new_size > f->size)
			(void)f->ops->truncate(f->h, sfs_cipher_size(f->size));
		goto out;
	}
	f->size = new_size;
	if (f->hdr.size != f->size)
		f->hdr_dirty = true;
out:
	sfs_wipe(pt, sizeof(pt));
	return r ? r : (ssize_t)n;
}

int sfs_file_truncate(struct sfs_file *f, uint64_t size)
{
	uint8_t pt[SFS_BLOCK], ct[SFS_CBLOCK];
	uint64_t nb_old = (f->size + SFS_BLOCK - 1) / SFS_BLOCK;
	int r;

	if (size > SFS_MAX_FILE_SIZE)
		return -EFBIG;
	if (size == f->size)
		return 0;
	if (size < f->size) {
		uint64_t b = size / SFS_BLOCK;
		size_t keep = (size_t)(size % SFS_BLOCK), old_len = block_len(f->size, b);

		/* The recorded size must never exceed what is on disk: header first. */
		if (f->hdr.size > size) {
			f->hdr.size = size;
			r = write_header(f);
			if (r)
				return r;
		}
		if (keep) {
			r = read_block(f, b, old_len, pt);
			if (!r)
				r = sfs_block_seal(f->key, f->hdr.id, b, pt, keep, ct);
			if (!r)
				r = f->ops->pwrite(f->h, ct, keep + SFS_BLOCK_OVERHEAD,
						   SFS_HDR_LEN + b * SFS_CBLOCK);
			if (r) {
				sfs_wipe(pt, sizeof(pt));
				return r;
			}
		}
		r = f->ops->truncate(f->h, sfs_cipher_size(size));
		if (r && keep && !sfs_block_seal(f->key, f->hdr.id, b, pt, old_len, ct))
			/* Could not cut: put the block back whole, the file stays as it was. */
			(void)f->ops->pwrite(f->h, ct, old_len + SFS_BLOCK_OVERHEAD,
					     SFS_HDR_LEN + b * SFS_CBLOCK);
		sfs_wipe(pt, sizeof(pt));
		if (r)
			return r;
		f->size = size;
		f->hdr_dirty = f->hdr.size != size;
		return 0;
	}
	/*
	 * Grow: fill the old last block as far as needed, the rest is a hole.
	 * First make sure the backing file can have the new length at all, so
	 * that a size beyond its limit fails (EFBIG) with nothing changed.
	 */
	r = probe_length(f, size);
	if (r)
		return r;
	if (f->size % SFS_BLOCK) {
		uint64_t b = f->size / SFS_BLOCK;
		r = pad_last_block(f, block_len(size, b));
		if (r)
			return r;
	}
	if (size > nb_old * SFS_BLOCK) {
		r = mark_sparse(f);
		if (r)
			return r;
	}
	r = f->ops->truncate(f->h, sfs_cipher_size(size));
	if (r)
		return r;
	f->size = size;
	f->hdr_dirty = true;
	return 0;
}

int sfs_file_flush(struct sfs_file *f)
{
	int r;

	if (!f->hdr_dirty)
		return 0;
	f->hdr.size = f->size;
	r = write_header(f);
	if (!r)
		f->hdr_dirty = false;
	return r;
}

int sfs_file_rebind(struct sfs_file *f, const struct sfs_binding *b)
{
	set_binding(f, b);
	if (!b)
		f->hdr.flags |= SFS_HDR_UNBOUND;
	return write_header(f);
}
