/*
 * tree.h - the ciphertext directory tree: directory IVs, on-disk names with
 * their long-name side files, and symlinks (sealfs core layer; *at() calls
 * relative to directory fds, no FUSE). Used by the FUSE glue, fsck and decrypt.
 *
 * Every directory of a volume holds "sealfs.diriv" (16 random bytes) whose
 * content is the associated data of the names in it. All functions return
 * 0 or -errno; -EIO means the ciphertext tree is damaged.
 */
#ifndef SEALFS_TREE_H
#define SEALFS_TREE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "content.h"
#include "keys.h"
#include "names.h"

/* Read DIRFD/sealfs.diriv. -ENOENT when absent, -EIO when it is not a regular
   file of 16 bytes (a symlink or a FIFO is never followed or read). */
int sfs_diriv_read(int dirfd, uint8_t out[SFS_DIRIV_LEN]);
/* Create DIRFD/sealfs.diriv with fresh random bytes (durably). */
int sfs_diriv_create(int dirfd, uint8_t out[SFS_DIRIV_LEN]);

/*
 * The on-disk name of plaintext NAME in a directory: disk gets it (>= 363
 * bytes), *ret_long says whether it is a stand-in, enc gets the encoded name
 * (to write the side file when creating).
 */
int sfs_tree_disk_name(const struct sfs_keys *k, const uint8_t diriv[SFS_DIRIV_LEN],
		       const char *name, size_t namelen, char *disk, char *enc, bool *ret_long);

/* Write the side file "<standin>.name" holding enc (before creating the entry). */
int sfs_tree_longname_write(int dirfd, const char *standin, const char *enc);
/* Remove the side files of an on-disk name, if it has any (after removing it). */
void sfs_tree_side_remove(int dirfd, const char *disk);

/*
 * Plaintext name of an on-disk directory entry. -ENOENT for internal files
 * (hide), -EINVAL for foreign files, -EBADMSG for names that fail
 * authentication, -EIO for a missing or damaged side file.
 */
int sfs_tree_entry_name(const struct sfs_keys *k, int dirfd, const uint8_t diriv[SFS_DIRIV_LEN],
			const char *disk, char out[SFS_NAME_MAX + 1], size_t *ret_len);

/*
 * Whether K is the key of the volume whose root directory is ROOTFD, with
 * no config to check it against (recovery with the paper master key): 0
 * when a name in the root decrypts, -EKEYREJECTED when the root holds
 * encrypted names and none decrypts, -ENODATA when it holds none (nothing
 * to tell by), -ENOENT or -EIO for a missing or damaged sealfs.diriv.
 */
int sfs_tree_check_key(const struct sfs_keys *k, int rootfd);

/* Create an encrypted symlink DIRFD/DISK -> TARGET (nonce NULL: random). */
int sfs_tree_symlink(const struct sfs_keys *k, int dirfd, const char *disk, const char *target,
		     const uint8_t *nonce);
/* Read and decrypt the symlink DIRFD/DISK into out (>= 4096 bytes). Length or -errno. */
long sfs_tree_readlink(const struct sfs_keys *k, int dirfd, const char *disk, char *out);

#endif
