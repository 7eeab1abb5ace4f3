/*
 * entry.c - create, remove, rename and link entries of the ciphertext tree
 * with their side files and directory IVs (sealfs core layer). See entry.h.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "entry.h"
#include "tree.h"
#include "banned.h"

int sfs_place_init(const struct sfs_keys *k, int dirfd, const uint8_t diriv[SFS_DIRIV_LEN],
		   const char *name, size_t namelen, struct sfs_place *p)
{
	if (namelen > SFS_NAME_MAX)
		return -ENAMETOOLONG;
	if (namelen == 0 || memchr(name, '/', namelen) ||
	    (namelen == 1 && name[0] == '.') || (namelen == 2 && !memcmp(name, "..", 2)))
		return -EINVAL;
	p->dirfd = dirfd;
	memcpy(p->diriv, diriv, SFS_DIRIV_LEN);
	p->name = name;
	p->namelen = namelen;
	return sfs_name_encrypt(k, diriv, name, namelen, p->enc, p->disk, &p->islong);
}

void sfs_place_binding(const struct sfs_place *p, struct sfs_binding *b)
{
	memcpy(b->diriv, p->diriv, SFS_DIRIV_LEN);
	b->name = p->name;
	b->namelen = p->namelen;
}

int sfs_entry_stat(const struct sfs_place *p, struct stat *st)
{
	return fstatat(p->dirfd, p->disk, st, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int side(const char *disk, const char *suffix, char out[SFS_ENC_NAME_MAX + 8])
{
	int n = snprintf(out, SFS_ENC_NAME_MAX + 8, "%s%s", disk, suffix);
	return n < 0 || n >= SFS_ENC_NAME_MAX + 8 ? -ENAMETOOLONG : 0;
}

int sfs_entry_prepare(const struct sfs_place *p)
{
	return p->islong ? sfs_tree_longname_write(p->dirfd, p->disk, p->enc) : 0;
}

void sfs_entry_forget(const struct sfs_place *p, mode_t type)
{
	char s[SFS_ENC_NAME_MAX + 8];

	if (p->islong && !side(p->disk, SFS_NAME_SUFFIX, s))
		unlinkat(p->dirfd, s, 0);
	if ((type == 0 || S_ISLNK(type)) && !side(p->disk, SFS_LINK_SUFFIX, s))
		unlinkat(p->dirfd, s, 0);
}

/* Who creates an entry as root for another user fixes ownership afterwards;
   the group of a setgid directory is inherited by the kernel already. */
static bool parent_setgid(const struct sfs_place *p)
{
	struct stat st;

	return fstatat(p->dirfd, "", &st, AT_EMPTY_PATH) == 0 && (st.st_mode & S_ISGID);
}

int sfs_entry_mkdir(const struct sfs_place *p, mode_t mode, uint8_t iv[SFS_DIRIV_LEN])
{
	_cleanup_close_ int dfd = -1;
	uint8_t tmp[SFS_DIRIV_LEN];
	int r = sfs_entry_prepare(p);

	if (r)
		return r;
	if (parent_setgid(p))
		mode |= S_ISGID;
	if (mkdirat(p->dirfd, p->disk, 0700) < 0) {
		r = -errno;
		if (r != -EEXIST)
			sfs_entry_forget(p, S_IFDIR);
		return r;
	}
	dfd = openat(p->dirfd, p->disk, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	r = dfd < 0 ? -errno : sfs_diriv_create(dfd, iv ? iv : tmp);
	if (!r && fchmod(dfd, mode & 07777) < 0)
		r = -errno;
	if (r) {
		if (dfd >= 0)
			unlinkat(dfd, SFS_DIRIV_NAME, 0);
		unlinkat(p->dirfd, p->disk, AT_REMOVEDIR);
		sfs_entry_forget(p, S_IFDIR);
	}
	return r;
}

int sfs_entry_create(const struct sfs_place *p, mode_t mode)
{
	int fd, r = sfs_entry_prepare(p);

	if (r)
		return r;
	fd = openat(p->dirfd, p->disk, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		    mode & 07777);
	if (fd < 0) {
		r = -errno;
		if (r != -EEXIST)
			sfs_entry_forget(p, S_IFREG);
		return r;
	}
	return fd;
}

int sfs_entry_mknod(const struct sfs_place *p, mode_t mode, dev_t rdev)
{
	int r;

	if (S_ISREG(mode) || S_ISDIR(mode) || S_ISLNK(mode))
		return -EINVAL;
	r = sfs_entry_prepare(p);
	if (r)
		return r;
	if (mknodat(p->dirfd, p->disk, mode, rdev) < 0) {
		r = -errno;
		if (r != -EEXIST)
			sfs_entry_forget(p, mode & S_IFMT);
		return r;
	}
	return 0;
}

int sfs_entry_symlink(const struct sfs_keys *k, const struct sfs_place *p, const char *target)
{
	struct stat st;
	int r;

	if (fstatat(p->dirfd, p->disk, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST; /* before a long target's side file is written over */
	r = sfs_entry_prepare(p);
	if (r)
		return r;
	r = sfs_tree_symlink(k, p->dirfd, p->disk, target, NULL);
	if (r && r != -EEXIST)
		sfs_entry_forget(p, S_IFLNK);
	return r;
}

int sfs_entry_unlink(const struct sfs_place *p, struct stat *ret)
{
	struct stat st;

	if (fstatat(p->dirfd, p->disk, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EISDIR;
	if (unlinkat(p->dirfd, p->disk, 0) < 0)
		return -errno;
	sfs_entry_forget(p, st.st_mode & S_IFMT);
	if (ret)
		*ret = st;
	return 0;
}

/* Remove DISK in DIRFD, an empty ciphertext directory (only its IV left). */
static int remove_empty_dir(int dirfd, const char *disk)
{
	_cleanup_close_ int dfd = -1;
	uint8_t iv[SFS_DIRIV_LEN];
	struct dirent *de;
	DIR *d;
	int r = 0, fd2;

	dfd = openat(dirfd, disk, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (dfd < 0)
		return -errno;
	fd2 = dup(dfd);
	if (fd2 < 0)
		return -errno;
	d = fdopendir(fd2);
	if (!d) {
		close(fd2);
		return -ENOMEM;
	}
	while ((de = readdir(d))) {
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, "..") &&
		    strcmp(de->d_name, SFS_DIRIV_NAME)) {
			r = -ENOTEMPTY;
			break;
		}
	}
	closedir(d);
	if (r)
		return r;
	if (sfs_diriv_read(dfd, iv))
		memset(iv, 0, sizeof(iv));
	if (unlinkat(dfd, SFS_DIRIV_NAME, 0) < 0 && errno != ENOENT)
		return -errno;
	if (unlinkat(dirfd, disk, AT_REMOVEDIR) < 0) {
		_cleanup_close_ int fd = -1;
		r = -errno;
		/* Put the IV back so the directory stays readable. */
		fd = openat(dfd, SFS_DIRIV_NAME, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0440);
		if (fd >= 0)
			(void)!write(fd, iv, sizeof(iv));
		return r;
	}
	return 0;
}

int sfs_entry_rmdir(const struct sfs_place *p)
{
	struct stat st;
	int r;

	if (fstatat(p->dirfd, p->disk, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode))
		return -ENOTDIR;
	r = remove_empty_dir(p->dirfd, p->disk);
	if (!r)
		sfs_entry_forget(p, S_IFDIR);
	return r;
}

/* Move (or swap) the .link side file of a long symlink target along with a rename. */
static int move_link_side(const struct sfs_place *from, const struct sfs_place *to, bool exchange)
{
	char a[SFS_ENC_NAME_MAX + 8], b[SFS_ENC_NAME_MAX + 8];

	if (side(from->disk, SFS_LINK_SUFFIX, a) || side(to->disk, SFS_LINK_SUFFIX, b))
		return -ENAMETOOLONG;
	if (exchange) {
		if (renameat2(from->dirfd, a, to->dirfd, b, RENAME_EXCHANGE) == 0)
			return 0;
		if (errno != ENOENT)
			return -errno;
		/* Only one of them exists: move it across. */
		if (renameat(from->dirfd, a, to->dirfd, b) == 0)
			return 0;
		if (errno == ENOENT && renameat(to->dirfd, b, from->dirfd, a) == 0)
			return 0;
		return errno == ENOENT ? 0 : -errno;
	}
	if (renameat(from->dirfd, a, to->dirfd, b) < 0)
		return errno == ENOENT ? 0 : -errno;
	return 0;
}

static bool same_entry(const struct sfs_place *a, const struct sfs_place *b)
{
	struct stat x, y;

	if (strcmp(a->disk, b->disk))
		return false;
	if (fstatat(a->dirfd, "", &x, AT_EMPTY_PATH) || fstatat(b->dirfd, "", &y, AT_EMPTY_PATH))
		return false;
	return x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

int sfs_entry_rename(const struct sfs_place *from, const struct sfs_place *to, unsigned flags,
		     struct stat *was_from, struct stat *was_to)
{
	struct stat sf, st = {0};
	bool to_exists, same;
	int r;

	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE))
		return -EINVAL;
	if (fstatat(from->dirfd, from->disk, &sf, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	to_exists = fstatat(to->dirfd, to->disk, &st, AT_SYMLINK_NOFOLLOW) == 0;
	if (!to_exists)
		memset(&st, 0, sizeof(st));
	if (was_from)
		*was_from = sf;
	if (was_to)
		*was_to = st;
	if (to_exists && (flags & RENAME_NOREPLACE))
		return -EEXIST;
	if (!to_exists && (flags & RENAME_EXCHANGE))
		return -ENOENT;
	same = same_entry(from, to);
	if (same)
		return 0;
	if (to_exists && sf.st_dev == st.st_dev && sf.st_ino == st.st_ino &&
	    !(flags & RENAME_EXCHANGE))
		return 0; /* two names of one file: rename(2) does nothing */
	if (to_exists && !(flags & RENAME_EXCHANGE)) {
		if (S_ISDIR(sf.st_mode) && !S_ISDIR(st.st_mode))
			return -ENOTDIR;
		if (!S_ISDIR(sf.st_mode) && S_ISDIR(st.st_mode))
			return -EISDIR;
		if (S_ISDIR(st.st_mode)) {
			/* The kernel would see the target's diriv and refuse: empty it here. */
			r = remove_empty_dir(to->dirfd, to->disk);
			if (r)
				return r;
		}
	}
	r = sfs_entry_prepare(to);
	if (r)
		return r;
	if (renameat2(from->dirfd, from->disk, to->dirfd, to->disk, flags) < 0) {
		r = -errno;
		if (!to_exists)
			sfs_entry_forget(to, S_IFREG);
		return r;
	}
	if (flags & RENAME_EXCHANGE) {
		r = sfs_entry_prepare(from);
		if (!r && (S_ISLNK(sf.st_mode) || S_ISLNK(st.st_mode)))
			r = move_link_side(from, to, true);
		return r;
	}
	/* A replaced long symlink's target goes; a moved one's follows it. */
	if (to_exists && S_ISLNK(st.st_mode)) {
		char s[SFS_ENC_NAME_MAX + 8];
		if (!side(to->disk, SFS_LINK_SUFFIX, s))
			unlinkat(to->dirfd, s, 0);
	}
	if (S_ISLNK(sf.st_mode))
		r = move_link_side(from, to, false);
	sfs_entry_forget(from, S_IFDIR); /* its .name, if long */
	return r;
}

int sfs_entry_link(const struct sfs_place *from, const struct sfs_place *to)
{
	struct stat st, tst;
	int r;

	if (fstatat(from->dirfd, from->disk, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISDIR(st.st_mode))
		return -EPERM;
	if (fstatat(to->dirfd, to->disk, &tst, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	r = sfs_entry_prepare(to);
	if (r)
		return r;
	if (linkat(from->dirfd, from->disk, to->dirfd, to->disk, 0) < 0) {
		r = -errno;
		sfs_entry_forget(to, S_IFREG);
		return r;
	}
	if (S_ISLNK(st.st_mode)) {
		/* A long symlink's target lives in a side file: link it too. */
		char a[SFS_ENC_NAME_MAX + 8], b[SFS_ENC_NAME_MAX + 8];
		if (!side(from->disk, SFS_LINK_SUFFIX, a) && !side(to->disk, SFS_LINK_SUFFIX, b) &&
		    linkat(from->dirfd, a, to->dirfd, b, 0) < 0 && errno != ENOENT)
			return -errno;
	}
	return 0;
}

int sfs_entry_link_fd(int fd, const struct sfs_place *to)
{
	char proc[64];
	struct stat st;
	int r;

	if (fstatat(to->dirfd, to->disk, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return -EEXIST;
	r = sfs_entry_prepare(to);
	if (r)
		return r;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if (linkat(AT_FDCWD, proc, to->dirfd, to->disk, AT_SYMLINK_FOLLOW) < 0) {
		r = -errno;
		sfs_entry_forget(to, S_IFREG);
		return r;
	}
	return 0;
}

int sfs_entry_chown(const struct sfs_place *p, uid_t uid, gid_t gid)
{
	return fchownat(p->dirfd, p->disk, uid, gid, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}
