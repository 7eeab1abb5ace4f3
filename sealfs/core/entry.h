/*
 * entry.h - directory entries of the ciphertext tree: create, remove, rename
 * and link them with their bookkeeping (sealfs core layer; no FUSE, no paths).
 *
 * A place is where a plaintext name lives: a directory, given as an fd that
 * *at() calls accept (an O_PATH fd is enough), that directory's IV, and the
 * name. Every call works on the on-disk name inside that directory, never on
 * a path, and never follows a symlink. The bookkeeping that makes an entry
 * readable goes with it: the ".name" side file of a long name, the ".link"
 * side file of a long symlink target, the "sealfs.diriv" of a directory.
 *
 * All functions return 0 or -errno. Errors leave the tree as it was, except
 * where a comment says otherwise.
 */
#ifndef SEALFS_ENTRY_H
#define SEALFS_ENTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "content.h"
#include "keys.h"
#include "names.h"

struct sfs_place {
	int dirfd;
	uint8_t diriv[SFS_DIRIV_LEN];
	const char *name; /* plaintext, namelen bytes */
	size_t namelen;
	char disk[SFS_ENC_NAME_MAX + 1]; /* the on-disk name */
	char enc[SFS_ENC_NAME_MAX + 1];	 /* the encoded name (the side file's content) */
	bool islong;
};

/* Compute the on-disk name of NAME in DIRFD. -ENAMETOOLONG above 255 bytes,
   -EINVAL for "", ".", ".." or a name with '/'. */
int sfs_place_init(const struct sfs_keys *k, int dirfd, const uint8_t diriv[SFS_DIRIV_LEN],
		   const char *name, size_t namelen, struct sfs_place *p);

/* What a file's header is bound to when it lives at P. */
void sfs_place_binding(const struct sfs_place *p, struct sfs_binding *b);

/* lstat the entry. */
int sfs_entry_stat(const struct sfs_place *p, struct stat *st);

/*
 * Creating: sfs_entry_prepare before the entry is made (it writes the long
 * name's side file), sfs_entry_forget after an entry is removed or could not
 * be made (it removes the side files a TYPE (S_IFMT bits, 0: unknown) has).
 */
int sfs_entry_prepare(const struct sfs_place *p);
void sfs_entry_forget(const struct sfs_place *p, mode_t type);

/* mkdir with a fresh sealfs.diriv; MODE gets the setgid bit of a setgid parent.
   iv (may be NULL) receives the new directory's IV. */
int sfs_entry_mkdir(const struct sfs_place *p, mode_t mode, uint8_t iv[SFS_DIRIV_LEN]);
/* A regular file, O_RDWR, created exclusively. Returns the fd or -errno; the
   caller writes its header (sfs_file_create) or removes it again. */
int sfs_entry_create(const struct sfs_place *p, mode_t mode);
/* A FIFO, socket or device node (not a regular file). */
int sfs_entry_mknod(const struct sfs_place *p, mode_t mode, dev_t rdev);
int sfs_entry_symlink(const struct sfs_keys *k, const struct sfs_place *p, const char *target);

/* Remove a non-directory. *st (may be NULL) gets what it was. */
int sfs_entry_unlink(const struct sfs_place *p, struct stat *st);
/* Remove an empty directory (only its sealfs.diriv left): -ENOTEMPTY otherwise. */
int sfs_entry_rmdir(const struct sfs_place *p);

/*
 * rename(2) with RENAME_NOREPLACE / RENAME_EXCHANGE (others: -EINVAL). An
 * empty directory being replaced is emptied of its IV first. Side files
 * follow the entries. *was_from / *was_to get the lstat of both before the
 * rename (was_to->st_mode 0 when TO did not exist).
 */
int sfs_entry_rename(const struct sfs_place *from, const struct sfs_place *to, unsigned flags,
		     struct stat *was_from, struct stat *was_to);

/* link(2) of the entry at FROM (a non-directory) as TO. */
int sfs_entry_link(const struct sfs_place *from, const struct sfs_place *to);

/* link(2) of the regular file open as FD (O_PATH is enough) as TO: for a
   file whose other names are not known. */
int sfs_entry_link_fd(int fd, const struct sfs_place *to);

/* Change the owner of the entry (no follow). */
int sfs_entry_chown(const struct sfs_place *p, uid_t uid, gid_t gid);

#endif
