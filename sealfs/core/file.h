/*
 * file.h - read, write and truncate one encrypted file over a storage
 * backend (sealfs core layer; no FUSE, no paths).
 *
 * struct sfs_file is the state of one ciphertext file while it is open: its
 * authenticated header, its content key, and its current plaintext size. One
 * struct per ciphertext inode, shared by all handles; the caller serialises
 * access (a write lock for write/truncate/flush/rebind, a read lock for read).
 *
 * Calling sequence: sfs_file_create (new, empty file) or sfs_file_open
 * (existing), then any of read/write/truncate/flush, then sfs_file_release.
 * Errors: -errno from the backend; -EIO when the content fails authentication
 * (f->why then names the problem and f->bad_block the block, for the log);
 * -EFBIG beyond SFS_MAX_FILE_SIZE.
 */
#ifndef SEALFS_FILE_H
#define SEALFS_FILE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "content.h"
#include "keys.h"

/* Storage backend: a real file descriptor, memory, or a fault injector. */
struct sfs_backend_ops {
	/* Read up to n bytes at off; short only at end of file. Bytes or -errno. */
	ssize_t (*pread)(void *h, void *buf, size_t n, uint64_t off);
	/* Write all n bytes at off. 0 or -errno. */
	int (*pwrite)(void *h, const void *buf, size_t n, uint64_t off);
	int (*truncate)(void *h, uint64_t size);
	int (*size)(void *h, uint64_t *ret);
};

/* The fd backend: h is (void *)(intptr_t)fd. */
extern const struct sfs_backend_ops sfs_fd_backend;
#define SFS_FD_HANDLE(fd) ((void *)(intptr_t)(fd))

struct sfs_file {
	const struct sfs_backend_ops *ops;
	void *h;
	const struct sfs_keys *keys;
	struct sfs_header hdr;
	bool bound;
	uint8_t diriv[SFS_DIRIV_LEN];
	char name[256];
	size_t namelen;
	uint8_t key[32];
	uint64_t size;	  /* plaintext size as the ciphertext now implies */
	bool hdr_dirty;	  /* hdr.size lags behind size */
	const char *why;  /* reason of the last -EIO, static string */
	uint64_t bad_block;
};

/* Write a fresh header into an empty backend file and set up F. */
int sfs_file_create(struct sfs_file *f, const struct sfs_backend_ops *ops, void *h,
		    const struct sfs_keys *keys, const struct sfs_binding *b);
/* Read and authenticate the header of an existing file and set up F. */
int sfs_file_open(struct sfs_file *f, const struct sfs_backend_ops *ops, void *h,
		  const struct sfs_keys *keys, const struct sfs_binding *b);
/* Read up to n bytes at off into buf. Returns bytes read (0 at EOF) or -errno. */
ssize_t sfs_file_read(struct sfs_file *f, void *buf, size_t n, uint64_t off);
/* Write n bytes at off. Returns n or -errno. */
ssize_t sfs_file_write(struct sfs_file *f, const void *buf, size_t n, uint64_t off);
/* Set the plaintext size; growing makes a hole, never writes zeros. */
int sfs_file_truncate(struct sfs_file *f, uint64_t size);
/* Bring the header's recorded size up to date (on flush/fsync/close). */
int sfs_file_flush(struct sfs_file *f);
/* Bind the header to a new place (rename), or unbind it (b NULL: hard link). */
int sfs_file_rebind(struct sfs_file *f, const struct sfs_binding *b);
/* Wipe the key material in F. */
void sfs_file_release(struct sfs_file *f);

#endif
