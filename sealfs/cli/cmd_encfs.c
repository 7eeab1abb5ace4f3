/*
 * cmd_encfs.c - `sealfs info` and `sealfs fsck` on EncFS volumes (sealfs CLI
 * layer): the parameters of a volume with the findings of EncFS's 2014
 * security audit that apply to it, and a check of everything the EncFS
 * format lets one check (the key, every name's checksum, every block MAC
 * where the volume has them, sizes, headers, symlink targets), saying
 * plainly what it cannot detect. Reads only; the core's encfs-vol.h does
 * the decoding.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "encfs-vol.h"
#include "log.h"
#include "walk.h"
#include "cli.h"
#include "progress.h"
#include "restore.h"
#include "volume.h"
#include "banned.h"

#define CHECK_CHUNK (1024u * 1024u)

static const char *names_str(enum efs_naming n)
{
	switch (n) {
	case EFS_NAMES_BLOCK:
		return "block cipher, base64";
	case EFS_NAMES_BLOCK32:
		return "block cipher, base32";
	case EFS_NAMES_STREAM:
		return "stream cipher, base64";
	case EFS_NAMES_NULL:
		return "not encrypted";
	}
	return "?";
}

/* What EncFS cannot detect, for this volume (one line each, to F). */
static void limits(FILE *f, const struct efs_config *c, const char *lead)
{
	if (!c->mac_bytes)
		fprintf(f,
			"%sno block MACs: changed, swapped or truncated file contents "
			"cannot be detected\n",
			lead);
	else
		fprintf(f,
			"%sblock MACs (%u bytes) are not bound to the file or the block "
			"number: blocks copied between files or positions, and whole files "
			"swapped or rolled back, cannot be detected\n",
			lead, c->mac_bytes);
	if (c->allow_holes)
		fprintf(f,
			"%sholes allowed: a block overwritten with zeros reads as zeros, "
			"unauthenticated\n",
			lead);
	fprintf(f,
		"%sthe config, modes, owners, times, sizes and xattrs are not authenticated; "
		"deleted, added or renamed-back files cannot be detected\n",
		lead);
}

int info_encfs(const char *dir)
{
	struct efs_config c;
	int fd, r = vol_encfs_config(dir, &c, &fd);
	char sub[32] = "";
	bool old_iv;

	if (r)
		return r;
	close(fd);
	old_iv = c.cipher.cur < 3;
	if (c.subversion)
		snprintf(sub, sizeof(sub), ", subversion %u", c.subversion);
	printf("volume:    %s\n"
	       "format:    EncFS %s (%s%s), created by %s\n"
	       "cipher:    %s %u:%u:%u, %u-bit key, %s IVs\n"
	       "content:   %u-byte blocks%s, %s, %u MAC bytes, %u random bytes, holes %s\n"
	       "names:     %s %u:%u:%u (%s), IV chaining %s, external IV chaining %s\n",
	       dir,
	       c.type == 6   ? "V6"
	       : c.type == 5 ? "V5"
			     : "V4",
	       c.file, sub, c.creator[0] ? c.creator : "?", c.cipher.name, c.cipher.cur,
	       c.cipher.rev, c.cipher.age, c.key_bits,
	       old_iv ? "old (EncFS <= 1.6)" : "HMAC-derived", c.block_size,
	       c.plain_data ? " NOT ENCRYPTED (plainData)" : "",
	       c.unique_iv ? "per-file IV header" : "no per-file IV", c.mac_bytes, c.rand_bytes,
	       c.allow_holes ? "allowed" : "not allowed", c.naming.name, c.naming.cur, c.naming.rev,
	       c.naming.age, names_str(c.names), c.chained_iv ? "on" : "off",
	       c.external_iv ? "on" : "off");
	if (c.salt_len)
		printf("kdf:       PBKDF2-HMAC-SHA1, %u iterations, %zu-byte salt\n", c.iterations,
		       c.salt_len);
	else
		printf("kdf:       EncFS BytesToKey (16 rounds of SHA-1, no salt)\n");
	if (c.ciph->legacy)
		printf("openssl:   %s (sealfs loads it for this volume only)\n",
		       efs_legacy_available() ? "legacy provider available"
					      : "legacy provider MISSING: cannot be opened");
	printf("\nEncFS audit (2014) findings that apply to this volume:\n"
	       "  2.1 one key for encryption and authentication\n"
	       "  2.2 a stream cipher encrypts the last partial block of every file\n"
	       "  2.3 block IVs are the block number XOR the file IV: an attacker who sees two\n"
	       "      versions of a file learns which blocks changed (repeated snapshots)\n");
	if (c.allow_holes)
		printf("  2.4 file holes are not authenticated\n");
	if (c.mac_bytes)
		printf("  2.5 EncFS compares MACs in variable time (sealfs does not)\n"
		       "  2.6 the MACs are only %u bytes (at most 64 bits)\n",
		       c.mac_bytes);
	printf("  2.7 the config is not authenticated: editing it can turn MACs off\n");
	if (!c.salt_len)
		printf("  -   the password KDF has no salt and 16 SHA-1 rounds: cheap to "
		       "brute-force\n");
	else if (c.iterations < 100000)
		printf("  -   PBKDF2 with only %u iterations: cheap to brute-force\n",
		       c.iterations);
	if (!c.mac_bytes)
		printf("  -   no block MACs: file contents are not authenticated at all\n");
	printf("\nWhat 'sealfs fsck' cannot detect on it:\n");
	limits(stdout, &c, "  ");
	printf("\n'sealfs import %s NEW_DIR' makes an authenticated sealfs volume of it.\n", dir);
	return EXIT_OK;
}

struct efsck {
	struct efs_volume *v;
	bool json, quiet;
	uint64_t dirs, files, symlinks, other, bytes, problems, damage, errors;
	struct sfs_walk_path plain, cipher;
	uint8_t *buf;
	struct sfs_progress *prog;
};

static void __attribute__((format(printf, 5, 6)))
report(struct efsck *c, const char *plain, int64_t block, bool damage, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sfs_progress_clear(c->prog);
	if (c->json) {
		fputs(c->problems ? ",\n  " : "\n  ", stdout);
		fputs("{\"path\": ", stdout);
		json_string(stdout, plain);
		fputs(", \"cipher_path\": ", stdout);
		json_string(stdout, c->cipher.buf);
		fputs(", \"problem\": ", stdout);
		json_string(stdout, msg);
		if (block >= 0)
			printf(", \"block\": %lld", (long long)block);
		printf(", \"damage\": %s}", damage ? "true" : "false");
	} else {
		put_escaped(stdout, plain ? plain : c->cipher.buf, false);
		if (block >= 0)
			printf(": block %lld: ", (long long)block);
		else
			fputs(": ", stdout);
		put_escaped(stdout, msg, false);
		fputc('\n', stdout);
	}
	c->problems++;
	if (damage)
		c->damage++;
	else
		c->errors++;
}

static void check_file(struct efsck *c, int dfd, const struct efs_entry *e)
{
	_cleanup_close_ int fd = sfs_walk_openat(dfd, e->disk, 0);
	struct efs_file f;
	uint64_t off = 0;
	int err;

	if (fd < 0) {
		report(c, c->plain.buf, -1, false, "cannot open: %s", strerror(-fd));
		return;
	}
	err = efs_file_open(c->v, fd, e->iv, &f);
	if (err) {
		report(c, c->plain.buf, -1, err == -EIO, "%s",
		       err == -EIO && f.why ? f.why : strerror(-err));
		efs_file_release(&f);
		return;
	}
	c->files++;
	while (off < f.size) {
		size_t want = f.size - off < CHECK_CHUNK ? (size_t)(f.size - off) : CHECK_CHUNK;
		ssize_t n = efs_file_read(&f, c->buf, want, off);
		if (n == -EIO) {
			/* Report the block and go on with the next one. */
			size_t d = efs_file_block(&f);
			report(c, c->plain.buf, (int64_t)f.bad_block, true, "%s", f.why);
			off = (f.bad_block + 1) * d;
			continue;
		}
		if (n <= 0) {
			report(c, c->plain.buf, -1, false, "cannot read: %s",
			       strerror(n ? (int)-n : EIO));
			break;
		}
		off += (uint64_t)n;
		c->bytes += (uint64_t)n;
		sfs_progress_update(c->prog, c->files, c->bytes);
	}
	sfs_wipe(c->buf, CHECK_CHUNK);
	efs_file_release(&f);
}

static void check_dir(struct efsck *c, int atfd, const char *disk, uint64_t iv, bool root)
{
	struct efs_dir *d = NULL;
	struct efs_entry e;
	char *t = NULL;
	int err = efs_dir_open(c->v, atfd, disk, iv, root, &d);

	if (err) {
		report(c, c->plain.buf, -1, false, "cannot open directory: %s", strerror(-err));
		return;
	}
	c->dirs++;
	while ((err = efs_dir_next(d, &e)) > 0) {
		size_t plen = c->plain.len, clen = c->cipher.len;
		if (sfs_walk_path_push(&c->cipher, e.disk, strlen(e.disk))) {
			report(c, c->plain.buf, -1, false, "path too long below here");
			continue;
		}
		if (e.status == -EINVAL || e.status == -EBADMSG) {
			report(c, NULL, -1, e.status == -EBADMSG, "%s",
			       e.status == -EBADMSG ? "name fails its checksum (damaged, or not "
						      "of this volume)"
						    : "not an EncFS name (a foreign file)");
		} else if (e.status) {
			report(c, NULL, -1, false, "cannot examine: %s", strerror(-e.status));
		} else if (sfs_walk_path_push(&c->plain, e.name, e.namelen)) {
			report(c, NULL, -1, false, "plaintext path too long");
		} else if (S_ISDIR(e.st.st_mode)) {
			check_dir(c, efs_dir_fd(d), e.disk, e.iv, false);
		} else if (S_ISREG(e.st.st_mode)) {
			check_file(c, efs_dir_fd(d), &e);
		} else if (S_ISLNK(e.st.st_mode)) {
			long n;
			if (!t)
				t = malloc(EFS_LINK_MAX + 1);
			n = t ? efs_readlink(c->v, efs_dir_fd(d), e.disk, t) : -ENOMEM;
			if (n < 0)
				report(c, c->plain.buf, -1, n == -EIO, "%s",
				       n == -EIO ? "symlink target fails its checksum"
						 : strerror((int)-n));
			else
				c->symlinks++;
		} else {
			c->other++;
		}
		sfs_walk_path_pop(&c->plain, plen);
		sfs_walk_path_pop(&c->cipher, clen);
	}
	if (err < 0)
		report(c, c->plain.buf, -1, false, "cannot read directory: %s", strerror(-err));
	if (t) {
		sfs_wipe(t, EFS_LINK_MAX + 1);
		free(t);
	}
	efs_dir_free(d);
}

int fsck_encfs(struct vol *v, bool quiet, bool json)
{
	struct efsck c = {.v = v->efs, .json = json, .quiet = quiet};
	struct rlimit rl;
	int r;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	c.buf = malloc(CHECK_CHUNK);
	if (!c.buf || sfs_walk_path_init(&c.plain, "/", PATH_MAX - 1) ||
	    sfs_walk_path_init(&c.cipher, v->dir, 1u << 20)) {
		log_error("out of memory");
		r = EXIT_FAIL;
		goto out;
	}
	if (json) {
		fputs("{\"volume\": ", stdout);
		json_string(stdout, v->dir);
		fputs(", \"format\": \"encfs\", \"problems\": [", stdout);
	}
	if (!quiet && !json)
		c.prog = sfs_progress_new("checked", v->rootfd);
	check_dir(&c, v->rootfd, ".", EFS_ROOT_IV, true);
	sfs_progress_free(c.prog);
	c.prog = NULL;
	if (json) {
		printf("%s], \"checked\": {\"directories\": %llu, \"files\": %llu, "
		       "\"symlinks\": %llu, \"other\": %llu, \"bytes\": %llu}, "
		       "\"block_macs\": %s, \"damage\": %llu, \"errors\": %llu, \"ok\": %s}\n",
		       c.problems ? "\n" : "", (unsigned long long)c.dirs,
		       (unsigned long long)c.files, (unsigned long long)c.symlinks,
		       (unsigned long long)c.other, (unsigned long long)c.bytes,
		       v->ecfg.mac_bytes ? "true" : "false", (unsigned long long)c.damage,
		       (unsigned long long)c.errors, c.problems ? "false" : "true");
	} else if (!quiet) {
		printf("%llu %s, %llu %s, %llu %s checked (EncFS volume); %llu %s\n",
		       (unsigned long long)c.dirs, PLURAL(c.dirs, "directory", "directories"),
		       (unsigned long long)c.files, PLURAL(c.files, "file", "files"),
		       (unsigned long long)c.symlinks, PLURAL(c.symlinks, "symlink", "symlinks"),
		       (unsigned long long)c.problems, PLURAL(c.problems, "problem", "problems"));
		printf("checked: the password, every name's checksum, symlink targets, file "
		       "headers and sizes%s\n",
		       v->ecfg.mac_bytes ? ", every block's MAC" : "");
		limits(stdout, &v->ecfg, "cannot be checked: ");
	}
	fflush(stdout);
	r = c.damage ? EXIT_DAMAGE : c.errors ? EXIT_FAIL : EXIT_OK;
out:
	free(c.buf);
	sfs_walk_path_release(&c.plain);
	sfs_walk_path_release(&c.cipher);
	return r;
}
