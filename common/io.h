/*
 * io.h - the one small safe I/O layer (common layer).
 *
 * Every read and write in the project goes through these helpers: they retry
 * on EINTR, loop over short transfers, open with O_CLOEXEC, and replace files
 * atomically (temp file, fsync, rename, fsync of the directory).
 * All functions return 0 (or a byte count where said) or -errno; they never
 * log and never exit.
 */
#ifndef COMMON_IO_H
#define COMMON_IO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Read up to len bytes; stops early only at EOF. Returns bytes read or -errno. */
ssize_t io_read_full(int fd, void *buf, size_t len);
/* Write all len bytes. Returns 0 or -errno. */
int io_write_full(int fd, const void *buf, size_t len);
/* pread up to len bytes at off; stops early only at EOF. Returns bytes or -errno. */
ssize_t io_pread_full(int fd, void *buf, size_t len, off_t off);
/* pwrite all len bytes at off. Returns 0 or -errno. */
int io_pwrite_full(int fd, const void *buf, size_t len, off_t off);

/*
 * Read the whole file NAME relative to DIRFD (AT_FDCWD allowed), refusing
 * files larger than CAP bytes (-EFBIG) and symlinks as the last component
 * (-ELOOP). On success *ret_buf is a malloc'd buffer owned by the caller,
 * NUL-terminated one byte past *ret_len; on failure both are untouched.
 */
int io_read_file_at(int dirfd, const char *name, size_t cap, char **ret_buf, size_t *ret_len);

/*
 * Atomically replace NAME in DIRFD with LEN bytes of DATA and mode MODE:
 * write NAME.tmp-XXXXXX, fsync it, rename over NAME, fsync the directory.
 * A crash leaves either the old or the new file. Returns 0 or -errno; on
 * failure the temp file is removed and NAME is untouched.
 */
int io_write_file_atomic_at(int dirfd, const char *name, const void *data, size_t len,
			    mode_t mode);

/* Open the directory of PATH (not following a final symlink). Returns fd or -errno. */
int io_open_dir(const char *path);

#endif
