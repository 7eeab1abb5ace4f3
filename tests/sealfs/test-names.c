/*
 * test-names.c - unit tests of name, symlink and xattr encryption and of the
 * on-disk tree helpers (tests layer; sealfs/core/names.h, meta.h, tree.h).
 *
 * Names of every length 1..255 round trip (long ones through the stand-in and
 * its side file in a scratch directory), invalid names are refused, names are
 * deterministic per directory and bound to it, stand-ins are bound to their
 * side files; symlink targets of every length 1..4095 round trip through real
 * symlinks (the long form through its side file); xattr names and values
 * round trip and refuse tampering. Scratch directories come from tap_tmpdir().
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "keys.h"
#include "meta.h"
#include "names.h"
#include "tree.h"
#include "tap.h"
#include "banned.h"

static struct sfs_keys *K;
static uint8_t iv1[16], iv2[16];
static uint64_t seed = 0x4e414d45;

static void setup(void)
{
	uint8_t master[32];

	for (int i = 0; i < 32; i++)
		master[i] = (uint8_t)(0x80 + i);
	for (int i = 0; i < 16; i++) {
		iv1[i] = (uint8_t)i;
		iv2[i] = (uint8_t)(0xf0 + i);
	}
	if (sfs_keys_new(master, &K))
		abort();
}

/* A random valid name of len bytes: any byte but NUL and '/', not "." or "..". */
static void random_name(char *out, size_t len)
{
	do {
		for (size_t i = 0; i < len; i++) {
			uint8_t c;
			do
				c = (uint8_t)(tap_rand(&seed) >> 56);
			while (c == 0 || c == '/');
			out[i] = (char)c;
		}
	} while ((len == 1 && out[0] == '.') || (len == 2 && out[0] == '.' && out[1] == '.'));
	out[len] = '\0';
}

/* Length of the unpadded base64url of n bytes. */
static size_t b64len(size_t n)
{
	return (4 * n + 2) / 3;
}

static int open_dir(const char *path)
{
	return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

static void test_name_lengths(void)
{
	char name[SFS_NAME_MAX + 1], enc[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1];
	char out[SFS_NAME_MAX + 1];

	for (size_t len = 1; len <= SFS_NAME_MAX; len++) {
		for (int k = 0; k < 4; k++) {
			size_t got = 0;
			bool lng = false;

			if (k == 0) {
				memset(name, 'a', len);
				name[len] = '\0';
			} else {
				random_name(name, len);
			}
			if (!CHECK_EQ(sfs_name_encrypt(K, iv1, name, len, enc, disk, &lng), 0))
				continue;
			CHECK_EQ(strlen(enc), b64len(16 + len));
			/* Long exactly when the encoded name exceeds SFS_NAME_DIRECT_MAX. */
			CHECK_EQ(lng, strlen(enc) > SFS_NAME_DIRECT_MAX);
			CHECK_EQ(lng, len >= 135);
			/* the shortcut reverse mode's lookup takes agrees (it once said 150) */
			CHECK_EQ(sfs_name_is_long(len), lng);
			if (lng) {
				CHECK_EQ(strlen(disk), strlen(SFS_LONGNAME_PREFIX) + 43);
				CHECK(!strncmp(disk, SFS_LONGNAME_PREFIX, 16));
				CHECK_EQ(sfs_dirent_classify(disk), SFS_DIRENT_LONGNAME);
			} else {
				CHECK_STR(disk, enc);
				CHECK_EQ(sfs_dirent_classify(disk), SFS_DIRENT_NAME);
			}
			memset(out, 0x55, sizeof(out));
			if (!CHECK_EQ(sfs_name_decrypt(K, iv1, enc, strlen(enc), out, &got), 0)) {
				fprintf(stderr,
					"    name of %zu bytes, encoded as '%s' (%zu chars)\n", len,
					enc, strlen(enc));
				continue;
			}
			CHECK_EQ(got, len);
			CHECK_MEM(out, name, len + 1);
		}
	}
}

static void test_name_invalid(void)
{
	char enc[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1], big[300];
	bool lng;

	CHECK_EQ(sfs_name_encrypt(K, iv1, "", 0, enc, disk, &lng), -EINVAL);
	CHECK_EQ(sfs_name_encrypt(K, iv1, ".", 1, enc, disk, &lng), -EINVAL);
	CHECK_EQ(sfs_name_encrypt(K, iv1, "..", 2, enc, disk, &lng), -EINVAL);
	CHECK_EQ(sfs_name_encrypt(K, iv1, "a/b", 3, enc, disk, &lng), -EINVAL);
	CHECK_EQ(sfs_name_encrypt(K, iv1, "/", 1, enc, disk, &lng), -EINVAL);
	CHECK_EQ(sfs_name_encrypt(K, iv1, "ab/", 3, enc, disk, &lng), -EINVAL);
	CHECK_EQ(sfs_name_encrypt(K, iv1, "a\0b", 3, enc, disk, &lng), -EINVAL);
	/* Only the given length counts: ".." as the first 2 of "..x" is still "..". */
	CHECK_EQ(sfs_name_encrypt(K, iv1, "..x", 2, enc, disk, &lng), -EINVAL);
	/* Dot names that are not "." or ".." are fine. */
	CHECK_EQ(sfs_name_encrypt(K, iv1, "...", 3, enc, disk, &lng), 0);
	CHECK_EQ(sfs_name_encrypt(K, iv1, ".a", 2, enc, disk, &lng), 0);
	CHECK_EQ(sfs_name_encrypt(K, iv1, ". ", 2, enc, disk, &lng), 0);
	CHECK_EQ(sfs_name_encrypt(K, iv1, ".x", 1, enc, disk, &lng), -EINVAL);
	memset(big, 'n', sizeof(big));
	CHECK_EQ(sfs_name_encrypt(K, iv1, big, 255, enc, disk, &lng), 0);
	CHECK_EQ(sfs_name_encrypt(K, iv1, big, 256, enc, disk, &lng), -ENAMETOOLONG);
	CHECK_EQ(sfs_name_encrypt(K, iv1, big, 300, enc, disk, &lng), -ENAMETOOLONG);
	big[10] = '/';
	CHECK_EQ(sfs_name_encrypt(K, iv1, big, 256, enc, disk, &lng), -ENAMETOOLONG);
}

/* Seal arbitrary bytes as a name, bypassing the encrypt-side validation. */
static void forge(const uint8_t iv[16], const char *pt, size_t n, char *enc)
{
	uint8_t ct[16 + 300];

	if (sfs_siv_seal(K->names, 64, iv, 16, NULL, 0, (const uint8_t *)pt, n, ct))
		abort();
	sfs_b64_encode(ct, 16 + n, enc);
}

static void test_name_binding_and_tamper(void)
{
	char enc[SFS_ENC_NAME_MAX + 1], enc2[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1];
	char out[SFS_NAME_MAX + 1], t[SFS_ENC_NAME_MAX + 1];
	static const char alphabet[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	size_t len;
	bool lng;

	/* Deterministic within a directory, different across directories. */
	CHECK_EQ(sfs_name_encrypt(K, iv1, "report.pdf", 10, enc, disk, &lng), 0);
	CHECK_EQ(sfs_name_encrypt(K, iv1, "report.pdf", 10, enc2, disk, &lng), 0);
	CHECK_STR(enc, enc2);
	CHECK_EQ(sfs_name_encrypt(K, iv2, "report.pdf", 10, enc2, disk, &lng), 0);
	CHECK(strcmp(enc, enc2) != 0);
	/* A name moved to another directory does not decrypt there. */
	CHECK_EQ(sfs_name_decrypt(K, iv2, enc, strlen(enc), out, &len), -EBADMSG);
	CHECK_EQ(sfs_name_decrypt(K, iv1, enc2, strlen(enc2), out, &len), -EBADMSG);
	CHECK_EQ(sfs_name_decrypt(K, iv2, enc2, strlen(enc2), out, &len), 0);
	/* Related names give unrelated encodings (no shared prefix leak). */
	CHECK_EQ(sfs_name_encrypt(K, iv1, "report.pdg", 10, enc2, disk, &lng), 0);
	CHECK(memcmp(enc, enc2, 8) != 0);

	/* Any one character changed: refused (-EBADMSG, or -EINVAL if not canonical). */
	for (size_t i = 0; i < strlen(enc); i++) {
		for (const char *a = alphabet; *a; a++) {
			int r;
			if (*a == enc[i])
				continue;
			memcpy(t, enc, strlen(enc) + 1);
			t[i] = *a;
			r = sfs_name_decrypt(K, iv1, t, strlen(t), out, &len);
			if (!CHECK(r == -EBADMSG || r == -EINVAL))
				return;
		}
	}
	/* Truncated or extended by one character. */
	CHECK(sfs_name_decrypt(K, iv1, enc, strlen(enc) - 1, out, &len) < 0);
	memcpy(t, enc, strlen(enc) + 1);
	strncat(t, "A", 2);
	CHECK(sfs_name_decrypt(K, iv1, t, strlen(t), out, &len) < 0);

	/* Not encoded names. */
	CHECK_EQ(sfs_name_decrypt(K, iv1, "sealfs.conf", 11, out, &len), -EINVAL);
	CHECK_EQ(sfs_name_decrypt(K, iv1, "abc", 3, out, &len), -EINVAL);
	CHECK_EQ(sfs_name_decrypt(K, iv1, "", 0, out, &len), -EINVAL);
	memset(t, 'A', sizeof(t));
	CHECK_EQ(sfs_name_decrypt(K, iv1, t, SFS_ENC_NAME_MAX + 1, out, &len), -EINVAL);
	/* A bare tag (what an empty name would give) is not a name. */
	{
		uint8_t tag[16] = {1, 2, 3};
		sfs_b64_encode(tag, 16, t);
		CHECK_EQ(sfs_name_decrypt(K, iv1, t, strlen(t), out, &len), -EINVAL);
	}

	/* Authentic ciphertexts of invalid names are still refused after decryption. */
	forge(iv1, ".", 1, t);
	CHECK_EQ(sfs_name_decrypt(K, iv1, t, strlen(t), out, &len), -EBADMSG);
	forge(iv1, "..", 2, t);
	CHECK_EQ(sfs_name_decrypt(K, iv1, t, strlen(t), out, &len), -EBADMSG);
	forge(iv1, "a/b", 3, t);
	CHECK_EQ(sfs_name_decrypt(K, iv1, t, strlen(t), out, &len), -EBADMSG);
	forge(iv1, "a\0b", 3, t);
	CHECK_EQ(sfs_name_decrypt(K, iv1, t, strlen(t), out, &len), -EBADMSG);
	forge(iv1, "ok", 2, t);
	CHECK_EQ(sfs_name_decrypt(K, iv1, t, strlen(t), out, &len), 0);
	CHECK_STR(out, "ok");
}

static void test_classify(void)
{
	char enc[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1], side[SFS_ENC_NAME_MAX + 16];
	char name[200];
	bool lng;

	memset(name, 'x', sizeof(name));
	CHECK_EQ(sfs_name_encrypt(K, iv1, name, 200, enc, disk, &lng), 0);
	CHECK_EQ(sfs_dirent_classify(disk), SFS_DIRENT_LONGNAME);
	snprintf(side, sizeof(side), "%s%s", disk, SFS_NAME_SUFFIX);
	CHECK_EQ(sfs_dirent_classify(side), SFS_DIRENT_INTERNAL);
	snprintf(side, sizeof(side), "%s%s", disk, SFS_LINK_SUFFIX);
	CHECK_EQ(sfs_dirent_classify(side), SFS_DIRENT_INTERNAL);
	CHECK_EQ(sfs_name_encrypt(K, iv1, "short", 5, enc, disk, &lng), 0);
	CHECK_EQ(sfs_dirent_classify(disk), SFS_DIRENT_NAME);
	snprintf(side, sizeof(side), "%s%s", disk, SFS_LINK_SUFFIX);
	CHECK_EQ(sfs_dirent_classify(side), SFS_DIRENT_INTERNAL);
	snprintf(side, sizeof(side), "%s%s", disk, SFS_NAME_SUFFIX);
	CHECK_EQ(sfs_dirent_classify(side), SFS_DIRENT_FOREIGN); /* direct names have no .name */

	CHECK_EQ(sfs_dirent_classify("sealfs.conf"), SFS_DIRENT_INTERNAL);
	CHECK_EQ(sfs_dirent_classify("sealfs.diriv"), SFS_DIRENT_INTERNAL);
	CHECK_EQ(sfs_dirent_classify("notes.txt"), SFS_DIRENT_FOREIGN);
	CHECK_EQ(sfs_dirent_classify("sealfs.conf.bak"), SFS_DIRENT_FOREIGN);
	CHECK_EQ(sfs_dirent_classify("sealfs.longname.short"), SFS_DIRENT_FOREIGN);
	CHECK_EQ(sfs_dirent_classify("sealfs.longname."), SFS_DIRENT_FOREIGN);
	CHECK_EQ(sfs_dirent_classify("a.b.link"), SFS_DIRENT_FOREIGN);
	CHECK_EQ(sfs_dirent_classify("README"), SFS_DIRENT_NAME); /* decryption will refuse */
}

static void test_tree_names(void)
{
	char dir[4096], dir2[4096], enc[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1];
	char enc_b[SFS_ENC_NAME_MAX + 1], disk_b[SFS_ENC_NAME_MAX + 1], side[400];
	char name[SFS_NAME_MAX + 1], out[SFS_NAME_MAX + 1];
	uint8_t div[16], div2[16], back[16];
	size_t len;
	bool lng;
	int dfd = -1, dfd2 = -1, fd;

	if (!CHECK_EQ(tap_tmpdir(dir, sizeof(dir)), 0) ||
	    !CHECK_EQ(tap_tmpdir(dir2, sizeof(dir2)), 0))
		return;
	dfd = open_dir(dir);
	dfd2 = open_dir(dir2);
	if (!CHECK(dfd >= 0 && dfd2 >= 0))
		goto out;

	/* Directory IVs. */
	CHECK_EQ(sfs_diriv_read(dfd, back), -ENOENT);
	CHECK_EQ(sfs_diriv_create(dfd, div), 0);
	CHECK_EQ(sfs_diriv_create(dfd, back), -EEXIST);
	CHECK_EQ(sfs_diriv_read(dfd, back), 0);
	CHECK_MEM(back, div, 16);
	CHECK_EQ(sfs_diriv_create(dfd2, div2), 0);
	CHECK(memcmp(div, div2, 16) != 0);

	/* Every length: direct names decrypt from the entry itself, long ones via .name. */
	for (size_t l = 1; l <= SFS_NAME_MAX; l += (l < 130 || l > 250) ? 1 : 7) {
		random_name(name, l);
		if (!CHECK_EQ(sfs_tree_disk_name(K, div, name, l, disk, enc, &lng), 0))
			continue;
		if (lng)
			CHECK_EQ(sfs_tree_longname_write(dfd, disk, enc), 0);
		fd = openat(dfd, disk, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		CHECK(fd >= 0);
		close(fd);
		memset(out, 0, sizeof(out));
		len = 0;
		if (CHECK_EQ(sfs_tree_entry_name(K, dfd, div, disk, out, &len), 0)) {
			CHECK_EQ(len, l);
			CHECK_STR(out, name);
		} else {
			fprintf(stderr, "    name length %zu, disk '%s'\n", l, disk);
		}
		if (lng) {
			snprintf(side, sizeof(side), "%s%s", disk, SFS_NAME_SUFFIX);
			CHECK_EQ(sfs_tree_entry_name(K, dfd, div, side, out, &len), -ENOENT);
		}
		CHECK_EQ(unlinkat(dfd, disk, 0), 0);
		sfs_tree_side_remove(dfd, disk);
		if (lng)
			CHECK(faccessat(dfd, side, F_OK, AT_SYMLINK_NOFOLLOW) < 0 &&
			      errno == ENOENT);
	}

	/* Internal and foreign entries. */
	CHECK_EQ(sfs_tree_entry_name(K, dfd, div, "sealfs.diriv", out, &len), -ENOENT);
	CHECK_EQ(sfs_tree_entry_name(K, dfd, div, "sealfs.conf", out, &len), -ENOENT);
	CHECK_EQ(sfs_tree_entry_name(K, dfd, div, "notes.txt", out, &len), -EINVAL);

	/* Two long names A and B. */
	memset(name, 'A', 200);
	CHECK_EQ(sfs_tree_disk_name(K, div, name, 200, disk, enc, &lng), 0);
	CHECK(lng);
	memset(name, 'B', 200);
	CHECK_EQ(sfs_tree_disk_name(K, div, name, 200, disk_b, enc_b, &lng), 0);
	CHECK(lng);
	/* No side file: damaged tree. */
	CHECK_EQ(sfs_tree_entry_name(K, dfd, div, disk, out, &len), -EIO);
	/* B's encoded name in A's side file: the stand-in does not match. */
	CHECK_EQ(sfs_tree_longname_write(dfd, disk, enc_b), 0);
	CHECK_EQ(sfs_tree_entry_name(K, dfd, div, disk, out, &len), -EBADMSG);
	/* Empty and oversized side files. */
	CHECK_EQ(sfs_tree_longname_write(dfd, disk, ""), 0);
	CHECK_EQ(sfs_tree_entry_name(K, dfd, div, disk, out, &len), -EIO);
	{
		char huge[SFS_ENC_NAME_MAX + 10];
		memset(huge, 'Q', sizeof(huge) - 1);
		huge[sizeof(huge) - 1] = '\0';
		CHECK_EQ(sfs_tree_longname_write(dfd, disk, huge), 0);
		CHECK_EQ(sfs_tree_entry_name(K, dfd, div, disk, out, &len), -EIO);
	}
	/* The right side file. */
	CHECK_EQ(sfs_tree_longname_write(dfd, disk, enc), 0);
	CHECK_EQ(sfs_tree_entry_name(K, dfd, div, disk, out, &len), 0);
	CHECK_EQ(len, 200);
	CHECK_EQ(out[0], 'A');
	/* Stand-in and side file copied to another directory: refused there. */
	CHECK_EQ(sfs_tree_longname_write(dfd2, disk, enc), 0);
	CHECK_EQ(sfs_tree_entry_name(K, dfd2, div2, disk, out, &len), -EBADMSG);

	/* A damaged diriv is reported, not used. */
	CHECK_EQ(mkdirat(dfd2, "sub", 0700), 0);
	fd = openat(dfd2, "sub", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (CHECK(fd >= 0)) {
		int f2 = openat(fd, SFS_DIRIV_NAME, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
		CHECK_EQ(write(f2, "short", 5), 5);
		close(f2);
		CHECK_EQ(sfs_diriv_read(fd, back), -EIO);
		f2 = openat(fd, SFS_DIRIV_NAME, O_WRONLY | O_TRUNC | O_CLOEXEC);
		CHECK_EQ(write(f2, "0123456789abcdefX", 17), 17);
		close(f2);
		CHECK_EQ(sfs_diriv_read(fd, back), -EIO);
		CHECK_EQ(unlinkat(fd, SFS_DIRIV_NAME, 0), 0);
		CHECK_EQ(symlinkat("../" SFS_DIRIV_NAME, fd, SFS_DIRIV_NAME), 0);
		CHECK_EQ(sfs_diriv_read(fd, back), -EIO); /* not followed: damage */
		CHECK_EQ(unlinkat(fd, SFS_DIRIV_NAME, 0), 0);
		CHECK_EQ(mkfifoat(fd, SFS_DIRIV_NAME, 0600), 0);
		CHECK_EQ(sfs_diriv_read(fd, back), -EIO); /* and a FIFO does not block */
		close(fd);
	}
out:
	if (dfd >= 0)
		close(dfd);
	if (dfd2 >= 0)
		close(dfd2);
}

static void test_symlinks(void)
{
	_cleanup_free_ char *target = malloc(SFS_LINK_MAX + 2);
	_cleanup_free_ char *out = malloc(SFS_LINK_MAX + 1);
	_cleanup_free_ char *raw = malloc(SFS_ENC_LINK_MAX + 2);
	char dir[4096];
	uint8_t nonce[16] = {9, 9, 9};
	size_t n_long = 0;
	int dfd;

	if (!target || !out || !raw || !CHECK_EQ(tap_tmpdir(dir, sizeof(dir)), 0))
		return;
	dfd = open_dir(dir);
	if (!CHECK(dfd >= 0))
		return;

	/*
	 * Every length of the direct form, the long form near its ends and a
	 * sample in between (each long link costs an fsync'ed side file).
	 */
	for (size_t len = 1; len <= SFS_LINK_MAX; len += (len > 2980 && len < 4080) ? 11 : 1) {
		ssize_t rn;
		long r;
		bool want_long = b64len(32 + len) > SFS_LINK_DIRECT_MAX;

		/* Any bytes but NUL; '/' included, as in real paths. */
		for (size_t i = 0; i < len; i++) {
			uint8_t c;
			do
				c = (uint8_t)(tap_rand(&seed) >> 56);
			while (c == 0);
			target[i] = (char)c;
		}
		target[len] = '\0';
		if (!CHECK_EQ(sfs_tree_symlink(K, dfd, "l", target, NULL), 0)) {
			fprintf(stderr, "    target of %zu bytes\n", len);
			break;
		}
		/* On disk: the encoded target, or the long-link marker and a side file. */
		rn = readlinkat(dfd, "l", raw, SFS_ENC_LINK_MAX + 1);
		CHECK(rn > 0);
		if (want_long) {
			n_long++;
			CHECK(rn == (ssize_t)strlen(SFS_LONGLINK_TARGET) &&
			      !memcmp(raw, SFS_LONGLINK_TARGET, (size_t)rn));
			CHECK_EQ(faccessat(dfd, "l.link", F_OK, AT_SYMLINK_NOFOLLOW), 0);
		} else {
			CHECK_EQ(rn, (ssize_t)b64len(32 + len));
		}
		memset(out, 0x77, SFS_LINK_MAX + 1);
		r = sfs_tree_readlink(K, dfd, "l", out);
		if (!CHECK_EQ(r, (long)len) || !CHECK_MEM(out, target, len + 1)) {
			fprintf(stderr, "    target of %zu bytes\n", len);
			break;
		}
		CHECK_EQ(unlinkat(dfd, "l", 0), 0);
		sfs_tree_side_remove(dfd, "l");
		CHECK(faccessat(dfd, "l.link", F_OK, AT_SYMLINK_NOFOLLOW) < 0);
	}
	CHECK(n_long > 100);
	/* The form switches exactly where the encoded target passes SFS_LINK_DIRECT_MAX. */
	CHECK_EQ(b64len(32 + 2968), SFS_LINK_DIRECT_MAX);

	/* PATH_MAX - 1 is the longest; longer and empty are refused. */
	memset(target, 'p', SFS_LINK_MAX + 1);
	target[SFS_LINK_MAX + 1] = '\0';
	CHECK_EQ(sfs_tree_symlink(K, dfd, "toolong", target, NULL), -ENAMETOOLONG);
	CHECK(sfs_tree_symlink(K, dfd, "empty", "", NULL) < 0);

	/* With a given nonce (reverse mode) the on-disk target is deterministic. */
	{
		char a[SFS_ENC_LINK_MAX + 1], b[SFS_ENC_LINK_MAX + 1];
		ssize_t na, nb;
		CHECK_EQ(sfs_tree_symlink(K, dfd, "d1", "/etc/passwd", nonce), 0);
		CHECK_EQ(sfs_tree_symlink(K, dfd, "d2", "/etc/passwd", nonce), 0);
		na = readlinkat(dfd, "d1", a, sizeof(a));
		nb = readlinkat(dfd, "d2", b, sizeof(b));
		CHECK(na > 0 && na == nb && !memcmp(a, b, (size_t)na));
		CHECK_EQ(sfs_tree_symlink(K, dfd, "d3", "/etc/passwd", NULL), 0);
		nb = readlinkat(dfd, "d3", b, sizeof(b));
		CHECK(nb == na && memcmp(a, b, (size_t)na) != 0);
		/* A link whose target was edited: damaged tree, -EIO. */
		a[na / 2] = a[na / 2] == 'A' ? 'B' : 'A';
		a[na] = '\0';
		CHECK_EQ(symlinkat(a, dfd, "d4"), 0);
		CHECK_EQ(sfs_tree_readlink(K, dfd, "d4", out), -EIO);
		CHECK_EQ(symlinkat("/etc/passwd", dfd, "plain"), 0);
		CHECK_EQ(sfs_tree_readlink(K, dfd, "plain", out), -EIO);
		CHECK_EQ(sfs_tree_readlink(K, dfd, "missing", out), -ENOENT);
	}

	/* Long form: a tampered, an emptied or a missing side file is -EIO. */
	memset(target, 'q', 4000);
	target[4000] = '\0';
	CHECK_EQ(sfs_tree_symlink(K, dfd, "big", target, NULL), 0);
	CHECK_EQ(sfs_tree_readlink(K, dfd, "big", out), 4000);
	{
		int fd = openat(dfd, "big.link", O_RDWR | O_CLOEXEC);
		char c;
		CHECK(fd >= 0);
		CHECK_EQ(pread(fd, &c, 1, 100), 1);
		c = c == 'A' ? 'B' : 'A';
		CHECK_EQ(fchmod(fd, 0600), 0);
		CHECK_EQ(pwrite(fd, &c, 1, 100), 1);
		CHECK_EQ(sfs_tree_readlink(K, dfd, "big", out), -EIO);
		CHECK_EQ(ftruncate(fd, 0), 0);
		CHECK_EQ(sfs_tree_readlink(K, dfd, "big", out), -EIO);
		close(fd);
		CHECK_EQ(unlinkat(dfd, "big.link", 0), 0);
		CHECK_EQ(sfs_tree_readlink(K, dfd, "big", out), -EIO);
	}

	/* sfs_link_decrypt's own limits. */
	CHECK_EQ(sfs_link_decrypt(K, "AAAA", 4, out), -EINVAL);
	memset(raw, 'A', SFS_ENC_LINK_MAX + 1);
	CHECK_EQ(sfs_link_decrypt(K, raw, SFS_ENC_LINK_MAX + 1, out), -EINVAL);
	close(dfd);
}

static void test_xattr_names(void)
{
	char out[256], back[300], name[300];

	CHECK_EQ(sfs_xattr_name_encrypt(K, "user.a", out, sizeof(out)), 0);
	CHECK(!strncmp(out, SFS_XATTR_PREFIX, strlen(SFS_XATTR_PREFIX)));
	CHECK_EQ(sfs_xattr_name_decrypt(K, out, back, sizeof(back)), 0);
	CHECK_STR(back, "user.a");
	/* Deterministic (getxattr looks names up by encrypting them). */
	CHECK_EQ(sfs_xattr_name_encrypt(K, "user.a", back, sizeof(back)), 0);
	CHECK_STR(back, out);

	/* Every length up to the largest that fits in 255 bytes. */
	for (size_t l = 1; l <= 200; l++) {
		int r;
		memcpy(name, "user.", 5);
		random_name(name + 5, l);
		r = sfs_xattr_name_encrypt(K, name, out, sizeof(out));
		if (l <= 164) {
			if (!CHECK_EQ(r, 0))
				continue;
			CHECK(strlen(out) <= 255);
			CHECK_EQ(sfs_xattr_name_decrypt(K, out, back, sizeof(back)), 0);
			CHECK_STR(back, name);
		} else {
			CHECK_EQ(r, -ERANGE);
		}
	}
	/* Other namespaces are not ours; "user." alone is not a name. */
	CHECK_EQ(sfs_xattr_name_encrypt(K, "trusted.x", out, sizeof(out)), -ENOTSUP);
	CHECK_EQ(sfs_xattr_name_encrypt(K, "security.selinux", out, sizeof(out)), -ENOTSUP);
	CHECK_EQ(sfs_xattr_name_encrypt(K, "system.posix_acl_access", out, sizeof(out)), -ENOTSUP);
	CHECK_EQ(sfs_xattr_name_encrypt(K, "user", out, sizeof(out)), -ENOTSUP);
	CHECK_EQ(sfs_xattr_name_encrypt(K, "user.", out, sizeof(out)), -EINVAL);

	/* Decrypt refuses what is not ours or was changed. */
	CHECK_EQ(sfs_xattr_name_decrypt(K, "user.comment", back, sizeof(back)), -EINVAL);
	CHECK_EQ(sfs_xattr_name_decrypt(K, "user.sealfs.", back, sizeof(back)), -EINVAL);
	CHECK_EQ(sfs_xattr_name_decrypt(K, "user.sealfs.!!!!", back, sizeof(back)), -EINVAL);
	CHECK_EQ(sfs_xattr_name_encrypt(K, "user.comment", out, sizeof(out)), 0);
	for (size_t i = strlen(SFS_XATTR_PREFIX); out[i]; i++) {
		char saved = out[i];
		out[i] = saved == 'A' ? 'B' : 'A';
		CHECK_EQ(sfs_xattr_name_decrypt(K, out, back, sizeof(back)), -EINVAL);
		out[i] = saved;
	}
	CHECK_EQ(sfs_xattr_name_decrypt(K, out, back, sizeof(back)), 0);
	/* Output buffer too small for "user.comment" + NUL. */
	CHECK_EQ(sfs_xattr_name_decrypt(K, out, back, 12), -EINVAL);
	memset(name, 'A', 299);
	name[299] = '\0';
	memcpy(name, SFS_XATTR_PREFIX, strlen(SFS_XATTR_PREFIX));
	CHECK_EQ(sfs_xattr_name_decrypt(K, name, back, sizeof(back)), -EINVAL);
}

static void test_xattr_values(void)
{
	static const size_t sizes[] = {0, 1, 15, 16, 17, 100, 4096, 65536};
	_cleanup_free_ uint8_t *v = malloc(65536), *ct = malloc(65536 + 32),
			       *back = malloc(65536 + 1);
	uint8_t ct2[64];

	if (!v || !ct || !back)
		return;
	tap_randbytes(&seed, v, 65536);
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		size_t n = sizes[i];
		int r = sfs_xattr_value_encrypt(K, "user.x", v, n, ct);
		if (!CHECK_EQ(r, 0)) {
			fprintf(stderr, "    value of %zu bytes\n", n);
			continue;
		}
		r = sfs_xattr_value_decrypt(K, "user.x", ct, n + SFS_XATTR_OVERHEAD, back);
		if (!CHECK_EQ(r, 0)) {
			fprintf(stderr, "    value of %zu bytes\n", n);
			continue;
		}
		CHECK_MEM(back, v, n);
		/* Bound to the attribute name. */
		CHECK_EQ(sfs_xattr_value_decrypt(K, "user.y", ct, n + 32, back), -EBADMSG);
	}
	/* Randomized: two encryptions differ. */
	CHECK_EQ(sfs_xattr_value_encrypt(K, "user.x", v, 32, ct), 0);
	CHECK_EQ(sfs_xattr_value_encrypt(K, "user.x", v, 32, ct2), 0);
	CHECK(memcmp(ct, ct2, 64) != 0);
	/* Every byte covered. */
	for (size_t i = 0; i < 64; i++) {
		ct[i] ^= 0x10;
		CHECK_EQ(sfs_xattr_value_decrypt(K, "user.x", ct, 64, back), -EBADMSG);
		ct[i] ^= 0x10;
	}
	CHECK_EQ(sfs_xattr_value_decrypt(K, "user.x", ct, 64, back), 0);
	CHECK_EQ(sfs_xattr_value_decrypt(K, "user.x", ct, 63, back), -EBADMSG);
	CHECK_EQ(sfs_xattr_value_decrypt(K, "user.x", ct, 31, back), -EBADMSG);
	CHECK_EQ(sfs_xattr_value_decrypt(K, "user.x", ct, 0, back), -EBADMSG);
}

int main(void)
{
	setup();
	TAP_RUN(test_name_lengths);
	TAP_RUN(test_name_invalid);
	TAP_RUN(test_name_binding_and_tamper);
	TAP_RUN(test_classify);
	TAP_RUN(test_tree_names);
	TAP_RUN(test_symlinks);
	TAP_RUN(test_xattr_names);
	TAP_RUN(test_xattr_values);
	sfs_keys_free(K);
	return tap_done();
}
