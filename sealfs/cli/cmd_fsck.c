/*
 * cmd_fsck.c - `sealfs fsck`: check a ciphertext tree offline, without FUSE
 * (sealfs CLI layer). Walks the whole volume with the core walker (walk.h),
 * decrypts every name, symlink target and user xattr, authenticates every
 * file header and every content block, and reports each damaged item with
 * its plaintext path when known, else its ciphertext path, as text or as one
 * JSON document. Never writes to the tree: everything is opened O_RDONLY.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "content.h"
#include "crypto.h"
#include "file.h"
#include "io.h"
#include "keys.h"
#include "log.h"
#include "meta.h"
#include "tree.h"
#include "walk.h"
#include "cli.h"
#include "progress.h"
#include "util.h"
#include "unlock.h"
#include "volume.h"
#include "banned.h"

#define FSCK_CHUNK (256u * SFS_BLOCK) /* plaintext bytes read per sfs_file_read */
#define FSCK_MAX_BAD_BLOCKS 32	      /* bad blocks reported one by one per file */
#define FSCK_CIPHER_PATH_MAX (1u << 20)

struct fsck {
	const struct sfs_keys *k;
	const char *volume;
	bool json, quiet;
	uint64_t dirs, files, symlinks, other, bytes, unclean;
	uint64_t problems, damage, errors;
	struct sfs_walk_path plain, cipher;
	struct sfs_walk_links *links;
	uint8_t *buf; /* FSCK_CHUNK bytes of plaintext scratch */
	struct sfs_progress *prog; /* NULL unless on a terminal */
};

/*
 * Print S safely: for JSON as the inside of a string (control characters and
 * bytes that are not UTF-8 as \u00XX), for text with control characters,
 * backslashes and bytes that are not UTF-8 as \xNN.
 */
void put_escaped(FILE *f, const char *s, bool json)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t left = strlen(s);

	while (left) {
		size_t n = utf8_char_len(p, left);
		if (n > 1 ||
		    (n == 1 && *p >= 0x20 && *p != 0x7f && *p != '\\' && !(json && *p == '"'))) {
			fwrite(p, 1, n, f);
		} else if (json && (*p == '"' || *p == '\\')) {
			fprintf(f, "\\%c", *p);
		} else if (json) {
			fprintf(f, "\\u%04x", *p);
		} else {
			fprintf(f, "\\x%02x", *p);
		}
		if (n == 0)
			n = 1;
		p += n;
		left -= n;
	}
}

void json_string(FILE *f, const char *s)
{
	if (!s) {
		fputs("null", f);
		return;
	}
	fputc('"', f);
	put_escaped(f, s, true);
	fputc('"', f);
}

/*
 * Report one problem. PLAIN (NULL when unknown) and CIPHER are the paths,
 * BLOCK the block number or -1, DAMAGE false for "could not check" errors.
 */
static void __attribute__((format(printf, 6, 7)))
report(struct fsck *c, const char *plain, const char *cipher, int64_t block, bool damage,
       const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	sfs_progress_clear(c->prog);
	fflush(stdout);
	if (c->json) {
		fputs(c->problems ? ",\n  " : "\n  ", stdout);
		fputs("{\"path\": ", stdout);
		json_string(stdout, plain);
		fputs(", \"cipher_path\": ", stdout);
		json_string(stdout, cipher);
		fputs(", \"problem\": ", stdout);
		json_string(stdout, msg);
		if (block >= 0)
			printf(", \"block\": %lld", (long long)block);
		printf(", \"damage\": %s}", damage ? "true" : "false");
	} else {
		put_escaped(stdout, plain ? plain : cipher, false);
		if (block >= 0 && !strncmp(msg, "block ", 6))
			printf(": block %lld ", (long long)block);
		else if (block >= 0)
			printf(": block %lld: ", (long long)block);
		else
			fputs(": ", stdout);
		put_escaped(stdout, block >= 0 && !strncmp(msg, "block ", 6) ? msg + 6 : msg,
			    false);
		fputc('\n', stdout);
	}
	fflush(stdout);
	c->problems++;
	if (damage)
		c->damage++;
	else
		c->errors++;
}

/* Report about the entry the paths now point at (plaintext path known). */
#define REPORT(c, block, damage, ...)                                                              \
	report(c, (c)->plain.buf, (c)->cipher.buf, block, damage, __VA_ARGS__)

static int check_xattr(void *arg, const struct sfs_walk_xattr *x)
{
	struct fsck *c = arg;

	if (!x->name)
		REPORT(c, -1, true, "extended attribute %s: name fails authentication", x->disk);
	else if (!x->value)
		REPORT(c, -1, true, "extended attribute %s fails authentication", x->name);
	return 0;
}

static void check_xattrs(struct fsck *c, int fd)
{
	int r = sfs_walk_xattrs(c->k, fd, check_xattr, c);

	if (r)
		REPORT(c, -1, false, "cannot list extended attributes: %s", strerror(-r));
}

static void check_file(struct fsck *c, int dirfd, const uint8_t diriv[SFS_DIRIV_LEN],
		       const struct sfs_walk_entry *e)
{
	_cleanup_close_ int fd = sfs_walk_openat(dirfd, e->disk, 0);
	struct sfs_binding b = {.name = e->name, .namelen = e->namelen};
	struct sfs_file f;
	uint64_t off = 0, bad = 0;
	struct stat st;
	int r;

	c->files++;
	if (fd < 0) {
		REPORT(c, -1, false, "cannot open: %s", strerror(-fd));
		return;
	}
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_ino != e->st.st_ino)
		return; /* replaced while we walk (live volume) */
	if (st.st_nlink > 1) {
		if (sfs_walk_links_find(c->links, st.st_dev, st.st_ino, NULL))
			return; /* another name of a file already checked */
		r = sfs_walk_links_add(c->links, st.st_dev, st.st_ino, NULL);
		if (r) {
			REPORT(c, -1, false, "cannot check: %s", strerror(-r));
			return;
		}
	}
	memcpy(b.diriv, diriv, SFS_DIRIV_LEN);
	r = sfs_file_open(&f, &sfs_fd_backend, SFS_FD_HANDLE(fd), c->k, &b);
	if (r) {
		if (r == -EIO && f.why)
			REPORT(c, -1, true, "%s", f.why);
		else
			REPORT(c, -1, false, "cannot read: %s", strerror(-r));
		sfs_file_release(&f);
		return;
	}
	if (f.hdr.size < f.size)
		c->unclean++;
	check_xattrs(c, fd);
	while (off < f.size) {
		ssize_t n = sfs_file_read(&f, c->buf, FSCK_CHUNK, off);
		uint64_t next;
		if (n > 0) {
			off += (uint64_t)n;
			c->bytes += (uint64_t)n;
			sfs_progress_update(c->prog, c->files, c->bytes);
			continue;
		}
		if (n == 0)
			break;
		if (n != -EIO) {
			REPORT(c, -1, false, "cannot read: %s", strerror((int)-n));
			break;
		}
		if (++bad <= FSCK_MAX_BAD_BLOCKS)
			REPORT(c, (int64_t)f.bad_block, true, "%s",
			       f.why ? f.why : "block fails authentication");
		next = (f.bad_block + 1) * SFS_BLOCK;
		if (next <= off)
			next = (off / SFS_BLOCK + 1) * SFS_BLOCK;
		off = next;
	}
	if (bad > FSCK_MAX_BAD_BLOCKS)
		REPORT(c, -1, true, "%llu more blocks fail authentication",
		       (unsigned long long)(bad - FSCK_MAX_BAD_BLOCKS));
	sfs_wipe(c->buf, FSCK_CHUNK);
	sfs_file_release(&f);
}

static void check_symlink(struct fsck *c, int dirfd, const struct sfs_walk_entry *e)
{
	char target[SFS_LINK_MAX + 1];
	long n = sfs_tree_readlink(c->k, dirfd, e->disk, target);

	c->symlinks++;
	if (n == -EIO)
		REPORT(c, -1, true,
		       "symlink target fails authentication (or its .link side "
		       "file is missing or damaged)");
	else if (n < 0 && n != -ENOENT)
		REPORT(c, -1, false, "cannot read symlink: %s", strerror((int)-n));
	sfs_wipe(target, sizeof(target));
}

static void check_dir(struct fsck *c, int parentfd, const char *disk);

static void check_entry(struct fsck *c, struct sfs_walk *w, const uint8_t diriv[SFS_DIRIV_LEN],
			const struct sfs_walk_entry *e)
{
	switch (e->st.st_mode & S_IFMT) {
	case S_IFDIR:
		check_dir(c, sfs_walk_fd(w), e->disk);
		break;
	case S_IFREG:
		check_file(c, sfs_walk_fd(w), diriv, e);
		break;
	case S_IFLNK:
		check_symlink(c, sfs_walk_fd(w), e);
		break;
	default:
		c->other++;
		break;
	}
}

/* Check the directory PARENTFD/DISK, whose paths are c->plain and c->cipher. */
static void check_dir(struct fsck *c, int parentfd, const char *disk)
{
	struct sfs_walk *w = NULL;
	struct sfs_walk_entry e;
	uint8_t diriv[SFS_DIRIV_LEN];
	uint64_t unchecked = 0;
	int r, iverr;

	r = sfs_walk_open(c->k, parentfd, disk, &w);
	if (r) {
		if (r != -ENOENT)
			REPORT(c, -1, false, "cannot open directory: %s", strerror(-r));
		return;
	}
	c->dirs++;
	iverr = sfs_walk_diriv(w, diriv);
	check_xattrs(c, sfs_walk_fd(w));
	while ((r = sfs_walk_next(w, &e)) > 0) {
		size_t plen = c->plain.len, clen = c->cipher.len;
		int pr = sfs_walk_path_push(&c->cipher, e.disk, strlen(e.disk));

		if (pr) {
			REPORT(c, -1, false, "cannot check entry '%s': path too long", e.disk);
			continue;
		}
		switch (e.status) {
		case SFS_WALK_OK:
			pr = sfs_walk_path_push(&c->plain, e.name, e.namelen);
			if (pr)
				report(c, NULL, c->cipher.buf, -1, false,
				       "cannot check: plaintext path too long");
			else
				check_entry(c, w, diriv, &e);
			break;
		case SFS_WALK_NO_DIRIV:
			unchecked++;
			break;
		case SFS_WALK_ERROR:
			report(c, NULL, c->cipher.buf, -1, false, "cannot examine: %s",
			       strerror(-e.err));
			break;
		default:
			report(c, NULL, c->cipher.buf, -1, true, "%s",
			       sfs_walk_status_str(e.status));
			break;
		}
		sfs_walk_path_pop(&c->plain, plen);
		sfs_walk_path_pop(&c->cipher, clen);
	}
	if (r < 0)
		REPORT(c, -1, false, "cannot read directory: %s", strerror(-r));
	if (iverr)
		REPORT(c, -1, true, "directory IV (%s) %s: its %llu entries cannot be checked",
		       SFS_DIRIV_NAME,
		       iverr == -ENOENT ? "missing"
		       : iverr == -EIO	? "damaged"
					: strerror(-iverr),
		       (unsigned long long)unchecked);
	sfs_walk_free(w);
}

/* Deep trees need one fd per level: allow as many as the hard limit. */
static void raise_nofile(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

static void print_help(void)
{
	printf(
	    "usage: sealfs fsck [password options] [--masterkey FILE] [--json] [-q] CIPHERDIR\n\n"
	    "Check the volume in CIPHERDIR offline (no FUSE; a store-side copy or a live\n"
	    "volume): every directory IV, name, long-name side file, symlink target, user\n"
	    "extended attribute, file header and content block. Each damaged item is\n"
	    "reported on standard output with its plaintext path when known, else its\n"
	    "ciphertext path, then a summary line. Never writes to CIPHERDIR.\n"
	    "An EncFS volume (.encfs6.xml, .encfs5, .encfs4) is checked as far as its\n"
	    "format allows (key, name checksums, headers, sizes, block MACs if any); the\n"
	    "summary then says what cannot be checked on it.\n\n"
	    "  -q, --quiet          print only the problems, no summary line\n"
	    "      --json           print one JSON document instead of text\n"
	    "      --masterkey FILE take the master key from FILE ('-' for stdin)\n\n" PW_HELP
	    "\nexit codes: 0 clean, 1 something could not be checked, 3 wrong password,\n"
	    "  4 config missing or corrupt, 7 damage found\n");
}

int cmd_fsck(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"json", no_argument, NULL, 'J'},
	    {"masterkey", required_argument, NULL, 'M'},
	    PW_LONG_OPTIONS,
	    {0},
	};
	struct fsck c = {0};
	struct pw_opts pw = {0};
	bool no_config = false;
	struct sfs_keys *keys = NULL;
	_cleanup_close_ int rootfd = -1;
	const char *mkfile = NULL, *dir;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "+hqS", longopts, NULL)) != -1) {
		if (pw_opt(&pw, opt, optarg))
			continue;
		switch (opt) {
		case 'M':
			mkfile = optarg;
			continue;
		case 'q':
			c.quiet = true;
			continue;
		case 'J':
			c.json = true;
			continue;
		case 'h':
			print_help();
			return EXIT_OK;
		}
		return usage_error("fsck ", "unknown option or missing argument: '%s'",
				   argv[optind - 1]);
	}
	if (argc - optind != 1)
		return usage_error("fsck ", "expected exactly one CIPHERDIR");
	dir = argv[optind];

	{
		struct vol v;
		r = vol_open(dir, &pw, mkfile, &v);
		if (r) {
			vol_close(&v);
			return r;
		}
		if (v.kind == VOL_ENCFS) {
			r = fsck_encfs(&v, c.quiet, c.json);
			vol_close(&v);
			return r;
		}
		no_config = v.no_config;
		rootfd = TAKE_FD(v.rootfd);
		keys = TAKE_PTR(v.keys);
		vol_close(&v);
	}
	raise_nofile();
	c.k = keys;
	c.volume = dir;
	c.links = sfs_walk_links_new();
	c.buf = malloc(FSCK_CHUNK);
	if (!c.links || !c.buf || sfs_walk_path_init(&c.plain, "/", PATH_MAX - 1) ||
	    sfs_walk_path_init(&c.cipher, dir, FSCK_CIPHER_PATH_MAX)) {
		log_error("out of memory");
		r = EXIT_FAIL;
		goto out;
	}
	if (c.json) {
		fputs("{\"volume\": ", stdout);
		json_string(stdout, dir);
		fputs(", \"problems\": [", stdout);
	}
	if (no_config)	/* checked with the paper key: the store copy still lacks it */
		report(&c, NULL, SFS_CONFIG_NAME, -1, true,
		       "missing: without it only the master key opens the volume "
		       "('sealfs init --masterkey' writes a new one)");
	if (!c.quiet)
		c.prog = sfs_progress_new("checked", rootfd);
	check_dir(&c, rootfd, ".");
	sfs_progress_free(c.prog);
	c.prog = NULL;
	if (c.json) {
		printf("%s], \"checked\": {\"directories\": %llu, \"files\": %llu, "
		       "\"symlinks\": %llu, \"other\": %llu, \"bytes\": %llu, \"unclean\": %llu}, "
		       "\"damage\": %llu, \"errors\": %llu, \"ok\": %s}\n",
		       c.problems ? "\n" : "", (unsigned long long)c.dirs,
		       (unsigned long long)c.files, (unsigned long long)c.symlinks,
		       (unsigned long long)c.other, (unsigned long long)c.bytes,
		       (unsigned long long)c.unclean, (unsigned long long)c.damage,
		       (unsigned long long)c.errors, c.problems ? "false" : "true");
	} else if (!c.quiet) {
		printf("%llu %s, %llu %s, %llu %s checked; %llu %s\n",
		       (unsigned long long)c.dirs, PLURAL(c.dirs, "directory", "directories"),
		       (unsigned long long)c.files, PLURAL(c.files, "file", "files"),
		       (unsigned long long)c.symlinks, PLURAL(c.symlinks, "symlink", "symlinks"),
		       (unsigned long long)c.problems, PLURAL(c.problems, "problem", "problems"));
	}
	if (fflush(stdout) == EOF) {
		log_error("cannot write the report: %s", strerror(errno));
		r = EXIT_FAIL;
	} else {
		r = c.damage ? EXIT_DAMAGE : c.errors ? EXIT_FAIL : EXIT_OK;
	}
out:
	free(c.buf);
	sfs_walk_links_free(c.links);
	sfs_walk_path_release(&c.plain);
	sfs_walk_path_release(&c.cipher);
	sfs_keys_free(keys);
	return r;
}
