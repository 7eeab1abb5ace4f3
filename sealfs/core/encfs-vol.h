/*
 * encfs-vol.h - the read API of an EncFS volume (sealfs core layer; *at()
 * calls relative to directory fds, read-only, no FUSE, no logging). Used by
 * the offline commands (info, fsck, decrypt, cat, import) and meant for a
 * read-only FUSE mount: every call works from a directory fd and the
 * directory's chain IV, so an inode table can keep (fd, iv) per directory.
 *
 * Calling sequence:
 *   efs_config_load(rootfd, &cfg)             (encfs-config.h)
 *   efs_volume_open(rootfd, &cfg, pw, &vol)   password -> volume key
 *   efs_dir_open(vol, atfd, disk, iv, &d)     a directory ("." + EFS_ROOT_IV: the root)
 *   efs_dir_next(d, &entry) ...               decoded names, lstat, the entry's IV
 *   efs_lookup(vol, dirfd, iv, name, &entry)  one plaintext name, without a listing
 *   efs_file_open / efs_file_read / efs_file_release   content by plaintext range
 *   efs_readlink(vol, dirfd, disk, out)       decoded symlink target
 *   efs_stat_size(vol, dirfd, entry)          the plaintext st_size of an entry
 *   efs_volume_free(vol)
 *
 * IVs: with chained names a directory's IV is the chain IV after its own name
 * (entry.iv), the root's is 0; without chaining every IV is 0. A file's
 * entry.iv is its path IV (external IV chaining needs it to open the file).
 *
 * Threads: a volume is used by one thread at a time (its cipher contexts are
 * shared); a multi-threaded mount opens one volume per worker or locks.
 * Nothing here writes to the volume; files are opened O_RDONLY|O_NOFOLLOW.
 * Return values: 0 or -errno; -EIO for damage (then f->why says what).
 */
#ifndef SEALFS_ENCFS_VOL_H
#define SEALFS_ENCFS_VOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "encfs-config.h"
#include "encfs-crypto.h"
#include "encfs-names.h"

#define EFS_ROOT_IV 0
#define EFS_LINK_MAX 4095

struct efs_volume;

/*
 * Derive the user key from PW (pwlen bytes, as given: no newline handling
 * here) and unwrap the volume key. ROOTFD is borrowed (must outlive the
 * volume); C is copied. Errors: -EKEYREJECTED wrong password, -ENOPROTOOPT
 * the cipher needs OpenSSL's legacy provider and it is missing, -ENOMEM.
 */
int efs_volume_open(int rootfd, const struct efs_config *c, const char *pw, size_t pwlen,
		    struct efs_volume **ret);
/* Close (wipes the keys); accepts NULL. */
void efs_volume_free(struct efs_volume *v);
const struct efs_config *efs_volume_config(const struct efs_volume *v);
int efs_volume_rootfd(const struct efs_volume *v);
/* The name coder (borrowed from the volume). */
const struct efs_namer *efs_volume_namer(const struct efs_volume *v);

/* What efs_dir_next / efs_lookup found. */
struct efs_entry {
	const char *disk; /* on-disk name (valid until the next efs_dir_next/free) */
	int status; /* 0 name decoded; -EBADMSG/-EINVAL undecodable; other -errno: lstat failed */
	char name[EFS_NAME_MAX + 1];
	size_t namelen;
	struct stat st; /* lstat of the ciphertext entry (raw sizes) */
	uint64_t iv;	/* IV after this name: the dir IV of a directory, the path IV of a file */
};

struct efs_dir;

/*
 * Open directory ATFD/DISK (DISK "." for ATFD itself) whose IV is IV; ROOT
 * says it is the volume root (the config file is then skipped). *ret is the
 * caller's (efs_dir_free).
 */
int efs_dir_open(struct efs_volume *v, int atfd, const char *disk, uint64_t iv, bool root,
		 struct efs_dir **ret);
/* Next entry ("." and ".." skipped): 1 with an entry, 0 at the end, -errno. */
int efs_dir_next(struct efs_dir *d, struct efs_entry *ret);
int efs_dir_fd(const struct efs_dir *d);
uint64_t efs_dir_iv(const struct efs_dir *d);
void efs_dir_free(struct efs_dir *d);

/*
 * Look up plaintext NAME in directory DIRFD with IV: encodes the name and
 * lstats it. -ENOENT when absent. ret->disk points into ret_disk
 * (EFS_ENC_NAME_MAX + 1 bytes).
 */
int efs_lookup(struct efs_volume *v, int dirfd, uint64_t iv, const char *name, size_t namelen,
	       char *ret_disk, struct efs_entry *ret);

/* One open regular file. */
struct efs_file {
	struct efs_volume *v;
	int fd;		   /* borrowed: the caller opened it and closes it */
	uint64_t file_iv;  /* from the header (0 without unique IVs) */
	uint64_t raw_size; /* ciphertext bytes */
	uint64_t size;	   /* plaintext bytes */
	const char *why;   /* reason of the last -EIO, static string */
	uint64_t bad_block;
	uint8_t *buf; /* one block of scratch */
	uint8_t *raw; /* ciphertext of consecutive blocks, read at once (one call) */
	size_t raw_cap, raw_len;
	uint64_t raw_first; /* block index at raw[0] */
};

/*
 * Set up F for the ciphertext file FD (opened by the caller, read-only)
 * with path IV PATH_IV (used only with external IV chaining). Reads and
 * checks the header and the size. -EIO with f->why for a damaged header
 * or an impossible size. Release with efs_file_release even on failure.
 */
int efs_file_open(struct efs_volume *v, int fd, uint64_t path_iv, struct efs_file *f);
/*
 * Read up to n plaintext bytes at off into buf. Bytes (0 at EOF) or -errno;
 * -EIO with f->why and f->bad_block (data block index) when a block's MAC
 * fails or the block is malformed.
 */
ssize_t efs_file_read(struct efs_file *f, void *buf, size_t n, uint64_t off);
/* The plaintext data block size (block size less MAC and random bytes). */
size_t efs_file_block(const struct efs_file *f);
void efs_file_release(struct efs_file *f);

/* Plaintext size of a raw regular file of RAW bytes; -EIO when impossible. */
int efs_plain_size(const struct efs_config *c, uint64_t raw, uint64_t *ret);

/*
 * Read the symlink DIRFD/DISK and decode its target into out (EFS_LINK_MAX + 1
 * bytes, NUL added). Length, or -EIO when the stored target does not decode.
 */
long efs_readlink(struct efs_volume *v, int dirfd, const char *disk, char *out);

/*
 * The st_size a plaintext view shows for entry E of DIRFD: the plaintext
 * size of a regular file, the decoded target length of a symlink, st_size
 * otherwise. -EIO when it cannot be had (damage).
 */
int efs_stat_size(struct efs_volume *v, int dirfd, const struct efs_entry *e, uint64_t *ret);

#endif
