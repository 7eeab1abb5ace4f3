/*
 * rops-file.c - reverse mode's open files: the encrypted view of a
 * plaintext file, sealed block by block as it is read, and the virtual
 * files (config, directory IVs, side files) (sealfs FUSE layer). The rest
 * of reverse mode is rops.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "reverse.h"
#include "fs-internal.h"
#include "banned.h"

/* Open handle of a view file. */
struct rfile {
	struct handle h; /* first */
	int fd; /* plaintext file, or -1 for virtual files */
	uint8_t id[SFS_FILE_ID_LEN];
	uint8_t key[32];
	uint8_t header[SFS_HDR_LEN];
	uint64_t size; /* plaintext size at open */
	char *virt;    /* virtual file content */
	size_t virt_len;
};

static void rfile_free(struct rfile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	free(f->virt);
	sfs_wipe(f->key, sizeof(f->key));
	free(f);
}

static void rfile_handle_free(struct handle *h)
{
	rfile_free((struct rfile *)h);
}

/* Set up the encrypted view of the plaintext regular file IN. */
static int rfile_real(struct sfs_fs *fs, struct inode *in, struct rfile *f)
{
	_cleanup_free_ char *path = inode_path(fs, in);
	struct sfs_header h = {0};
	struct sfs_binding b;
	uint8_t iv[SFS_DIRIV_LEN];
	char proc[64];
	struct stat st;
	bool unbound;
	int r;

	if (!path)
		return -ENOMEM;
	inode_proc(in, proc);
	f->fd = open(proc, O_RDONLY | O_CLOEXEC);
	if (f->fd < 0)
		return -errno;
	if (fstat(f->fd, &st) < 0)
		return -errno;
	if (!S_ISREG(st.st_mode))
		return -EINVAL;
	/* A hard-linked file's header is unbound and its ID derived from the
	   inode, so all its names show the same bytes. */
	unbound = st.st_nlink > 1;
	if (unbound) {
		char ino[64];
		snprintf(ino, sizeof(ino), "\001ino:%llu:%llu", (unsigned long long)st.st_dev,
			 (unsigned long long)st.st_ino);
		r = sfs_rev_file_id(fs->keys, ino, f->id);
	} else {
		r = sfs_rev_file_id(fs->keys, path, f->id);
	}
	if (!r)
		r = sfs_keys_file_key(fs->keys, f->id, f->key);
	if (!r && !unbound)
		r = in->parent ? rev_dir_iv(fs, in->parent, iv, NULL) : -EIO;
	if (r)
		return r;
	h.size = (uint64_t)st.st_size;
	memcpy(h.id, f->id, SFS_FILE_ID_LEN);
	memcpy(b.diriv, iv, SFS_DIRIV_LEN);
	b.name = in->name;
	b.namelen = in->name ? strlen(in->name) : 0;
	f->size = (uint64_t)st.st_size;
	return sfs_header_seal(fs->keys, &h, unbound ? NULL : &b, f->header);
}

void rev_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct sfs_fs *fs = fs_of(req);
	struct inode *in = inode_of(fs, ino);
	struct rfile *f;
	int r;

	fs_touch(fs);
	if ((fi->flags & O_ACCMODE) != O_RDONLY) {
		fuse_reply_err(req, EROFS);
		return;
	}
	f = calloc(1, sizeof(*f));
	if (!f) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	f->fd = -1;
	r = in->kind == I_REAL ? rfile_real(fs, in, f) : rev_virt_content(fs, in, &f->virt, &f->virt_len);
	if (r) {
		rfile_free(f);
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uintptr_t)f;
	handle_open(fs, &f->h, rfile_handle_free);
	if (fuse_reply_open(req, fi) == -ENOENT)
		handle_close(fs, &f->h);
}

/* Encrypt [off, off+size) of the view of F into buf. Bytes or -errno. */
static ssize_t rfile_read(struct sfs_fs *fs, struct rfile *f, char *buf, size_t size, uint64_t off)
{
	_cleanup_free_ uint8_t *pt = NULL, *ct = NULL;
	uint64_t csize = sfs_cipher_size(f->size), done = 0;

	if (off >= csize)
		return 0;
	if (size > csize - off)
		size = (size_t)(csize - off);
	if (off < SFS_HDR_LEN) {
		size_t n = SFS_HDR_LEN - (size_t)off < size ? SFS_HDR_LEN - (size_t)off : size;
		memcpy(buf, f->header + off, n);
		done = n;
	}
	pt = malloc(SFS_BLOCK);
	ct = malloc(SFS_CBLOCK);
	if (!pt || !ct)
		return -ENOMEM;
	while (done < size) {
		uint64_t pos = off + done - SFS_HDR_LEN;
		uint64_t b = pos / SFS_CBLOCK, in = pos % SFS_CBLOCK;
		size_t want = SFS_BLOCK, take;
		ssize_t n;
		int r;

		if (b * SFS_BLOCK + want > f->size)
			want = (size_t)(f->size - b * SFS_BLOCK);
		n = pread(f->fd, pt, want, (off_t)(b * SFS_BLOCK));
		if (n < 0)
			return -errno;
		if ((size_t)n < want) /* the file shrank since it was opened */
			memset(pt + n, 0, want - (size_t)n);
		r = sfs_rev_block_seal(fs->keys, f->key, f->id, b, pt, want, ct);
		if (r)
			return r;
		take = want + SFS_BLOCK_OVERHEAD - (size_t)in;
		if (take > size - done)
			take = (size_t)(size - done);
		memcpy(buf + done, ct + in, take);
		done += take;
	}
	sfs_wipe(pt, SFS_BLOCK);
	return (ssize_t)done;
}

void rev_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t offset,
		   struct fuse_file_info *fi)
{
	struct rfile *f = (struct rfile *)(uintptr_t)fi->fh;
	_cleanup_free_ char *buf = NULL;
	uint64_t off = (uint64_t)offset;
	ssize_t n;

	if (f->fd < 0) {
		if (off >= f->virt_len) {
			fuse_reply_buf(req, NULL, 0);
			return;
		}
		if (size > f->virt_len - off)
			size = f->virt_len - (size_t)off;
		/* From a copy: the kernel may release the file (and we free
		   f->virt) as soon as it has the reply, before writev returns. */
		buf = malloc(size);
		if (!buf) {
			fuse_reply_err(req, ENOMEM);
			return;
		}
		memcpy(buf, f->virt + off, size);
		fuse_reply_buf(req, buf, size);
		return;
	}
	buf = malloc(size ? size : 1);
	n = buf ? rfile_read(fs_of(req), f, buf, size, off) : -ENOMEM;
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

void rev_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fs_touch(fs_of(req)); /* before the handle stops counting (--idle) */
	handle_close(fs_of(req), &((struct rfile *)(uintptr_t)fi->fh)->h);
	fuse_reply_err(req, 0);
}
