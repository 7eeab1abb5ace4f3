/*
 * tree.c - directory IVs, long-name side files and encrypted symlinks on the
 * ciphertext tree (sealfs core layer). See tree.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "io.h"
#include "meta.h"
#include "tree.h"
#include "banned.h"

/*
 * Open one of the volume's own small files (a diriv, a side file) for
 * reading. Without blocking and only if it is a regular file: whoever can
 * edit the store could plant a FIFO there, and reading it would hang.
 * -EIO when it is not a regular file.
 */
static int open_small(int dirfd, const char *name)
{
	struct stat st;
	int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY);

	if (fd < 0)
		return errno == ELOOP ? -EIO : -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		close(fd);
		return -EIO;
	}
	return fd;
}

int sfs_diriv_read(int dirfd, uint8_t out[SFS_DIRIV_LEN])
{
	_cleanup_close_ int fd = -1;
	uint8_t buf[SFS_DIRIV_LEN + 1];
	ssize_t n;

	fd = open_small(dirfd, SFS_DIRIV_NAME);
	if (fd < 0)
		return fd;
	n = io_read_full(fd, buf, sizeof(buf));
	if (n < 0)
		return (int)n;
	if (n != SFS_DIRIV_LEN)
		return -EIO;
	memcpy(out, buf, SFS_DIRIV_LEN);
	return 0;
}

int sfs_diriv_create(int dirfd, uint8_t out[SFS_DIRIV_LEN])
{
	_cleanup_close_ int fd = -1;
	uint8_t iv[SFS_DIRIV_LEN];
	int r = sfs_random(iv, sizeof(iv));

	if (r)
		return r;
	fd = openat(dirfd, SFS_DIRIV_NAME, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		    0440);
	if (fd < 0)
		return -errno;
	r = io_write_full(fd, iv, sizeof(iv));
	if (!r && fdatasync(fd) < 0)
		r = -errno;
	if (r) {
		unlinkat(dirfd, SFS_DIRIV_NAME, 0);
		return r;
	}
	memcpy(out, iv, sizeof(iv));
	return 0;
}

int sfs_tree_disk_name(const struct sfs_keys *k, const uint8_t diriv[SFS_DIRIV_LEN],
		       const char *name, size_t namelen, char *disk, char *enc, bool *ret_long)
{
	return sfs_name_encrypt(k, diriv, name, namelen, enc, disk, ret_long);
}

static int side_name(const char *disk, const char *suffix, char *out, size_t len)
{
	int n = snprintf(out, len, "%s%s", disk, suffix);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

int sfs_tree_longname_write(int dirfd, const char *standin, const char *enc)
{
	char side[300];
	_cleanup_close_ int fd = -1;
	int r = side_name(standin, SFS_NAME_SUFFIX, side, sizeof(side));

	if (r)
		return r;
	fd = openat(dirfd, side, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0400);
	if (fd < 0)
		return -errno;
	return io_write_full(fd, enc, strlen(enc));
}

void sfs_tree_side_remove(int dirfd, const char *disk)
{
	char side[300];

	if (sfs_dirent_classify(disk) == SFS_DIRENT_LONGNAME &&
	    !side_name(disk, SFS_NAME_SUFFIX, side, sizeof(side)))
		unlinkat(dirfd, side, 0);
	if (!side_name(disk, SFS_LINK_SUFFIX, side, sizeof(side)))
		unlinkat(dirfd, side, 0);
}

int sfs_tree_entry_name(const struct sfs_keys *k, int dirfd, const uint8_t diriv[SFS_DIRIV_LEN],
			const char *disk, char out[SFS_NAME_MAX + 1], size_t *ret_len)
{
	char side[300], enc[SFS_ENC_NAME_MAX + 2], check[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	int r;

	switch (sfs_dirent_classify(disk)) {
	case SFS_DIRENT_INTERNAL:
		return -ENOENT;
	case SFS_DIRENT_FOREIGN:
		return -EINVAL;
	case SFS_DIRENT_NAME:
		return sfs_name_decrypt(k, diriv, disk, strlen(disk), out, ret_len);
	case SFS_DIRENT_LONGNAME:
		break;
	}
	r = side_name(disk, SFS_NAME_SUFFIX, side, sizeof(side));
	if (r)
		return r;
	fd = open_small(dirfd, side);
	if (fd < 0)
		return fd == -ENOENT ? -EIO : fd;
	n = io_read_full(fd, enc, sizeof(enc) - 1);
	if (n < 0)
		return (int)n;
	if (n == 0 || n > SFS_ENC_NAME_MAX)
		return -EIO;
	enc[n] = '\0';
	/* The side file must belong to this stand-in. */
	sfs_longname_standin(enc, (size_t)n, check);
	if (strcmp(check, disk))
		return -EBADMSG;
	return sfs_name_decrypt(k, diriv, enc, (size_t)n, out, ret_len);
}

int sfs_tree_check_key(const struct sfs_keys *k, int rootfd)
{
	uint8_t iv[SFS_DIRIV_LEN];
	char name[SFS_NAME_MAX + 1];
	struct dirent *de;
	bool any = false;
	size_t len;
	DIR *d;
	int fd, r;

	r = sfs_diriv_read(rootfd, iv);
	if (r)
		return r;
	fd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	r = -ENODATA;
	while ((de = readdir(d))) {
		int e = sfs_tree_entry_name(k, rootfd, iv, de->d_name, name, &len);

		if (e == 0) {
			r = 0;
			break;
		}
		if (e == -EBADMSG)
			any = true;
	}
	closedir(d);
	sfs_wipe(name, sizeof(name));
	return r == 0 ? 0 : any ? -EKEYREJECTED : -ENODATA;
}

int sfs_tree_symlink(const struct sfs_keys *k, int dirfd, const char *disk, const char *target,
		     const uint8_t *nonce)
{
	_cleanup_free_ char *enc = malloc(SFS_ENC_LINK_MAX + 1);
	char side[300];
	long n;
	int r;

	if (!enc)
		return -ENOMEM;
	n = sfs_link_encrypt(k, target, strlen(target), nonce, enc);
	if (n < 0)
		return (int)n;
	if (n <= SFS_LINK_DIRECT_MAX)
		return symlinkat(enc, dirfd, disk) < 0 ? -errno : 0;
	r = side_name(disk, SFS_LINK_SUFFIX, side, sizeof(side));
	if (r)
		return r;
	r = io_write_file_atomic_at(dirfd, side, enc, (size_t)n, 0400);
	if (r)
		return r;
	if (symlinkat(SFS_LONGLINK_TARGET, dirfd, disk) < 0) {
		r = -errno;
		unlinkat(dirfd, side, 0);
	}
	return r;
}

long sfs_tree_readlink(const struct sfs_keys *k, int dirfd, const char *disk, char *out)
{
	_cleanup_free_ char *enc = malloc(SFS_ENC_LINK_MAX + 2);
	ssize_t n;

	if (!enc)
		return -ENOMEM;
	n = readlinkat(dirfd, disk, enc, SFS_ENC_LINK_MAX + 1);
	if (n < 0)
		return -errno;
	enc[n] = '\0';
	if (!strcmp(enc, SFS_LONGLINK_TARGET)) {
		char side[300];
		_cleanup_close_ int fd = -1;
		int r = side_name(disk, SFS_LINK_SUFFIX, side, sizeof(side));
		if (r)
			return r;
		fd = open_small(dirfd, side);
		if (fd < 0)
			return fd == -ENOENT ? -EIO : fd;
		n = io_read_full(fd, enc, SFS_ENC_LINK_MAX + 1);
		if (n < 0)
			return n;
		if (n > SFS_ENC_LINK_MAX)
			return -EIO;
	}
	n = sfs_link_decrypt(k, enc, (size_t)n, out);
	if (n == -EBADMSG || n == -EINVAL)
		return -EIO;
	return n;
}
