/*
 * cmd_decrypt.c - `sealfs decrypt` and `sealfs cat`: restore a volume's tree
 * (or chosen plaintext paths) into a plain directory, or one file to
 * standard output, offline and without FUSE (sealfs CLI layer). The volume
 * is a sealfs or an EncFS one (volume.h detects it); the copying is the
 * restore engine's (restore.h) into the plain-directory sink.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "crypto.h"
#include "io.h"
#include "log.h"
#include "cli.h"
#include "restore.h"
#include "volume.h"
#include "banned.h"

#define CAT_CHUNK (256u * 4096u)
#define MAX_PATHS 4096 /* PATH arguments of one decrypt */

static void decrypt_help(void)
{
	printf("usage: sealfs decrypt [password options] [--masterkey FILE] [--force] [-q]\n"
	       "                      CIPHERDIR DESTDIR [PATH...]\n\n"
	       "Restore the volume in CIPHERDIR (sealfs, or EncFS: detected by its\n"
	       ".encfs6.xml, .encfs5 or .encfs4) offline (no FUSE) into DESTDIR, which is made\n"
	       "when absent: the whole tree, or only the given plaintext PATHs (files or\n"
	       "directories, relative to the volume root, leading '/' optional). Modes,\n"
	       "times, symlinks, hard links, FIFOs, device nodes and user extended attributes\n"
	       "are restored, ownership too when run as root. Every object is written under a\n"
	       "temporary name and renamed into place: a damaged file is reported and leaves\n"
	       "nothing behind, and the rest is restored. An existing file in DESTDIR is never\n"
	       "replaced without --force: it is reported and skipped.\n\n"
	       "  -f, --force          replace existing files in DESTDIR\n"
	       "  -q, --quiet          no summary line\n"
	       "      --masterkey FILE take the master key from FILE ('-' for stdin; sealfs only)\n\n"
	       PW_HELP
	       "\nexit codes: 0 all restored, 1 something not restored (exists, I/O error),\n"
	       "  3 wrong password, 4 config missing or corrupt, 7 damage found\n");
}

int cmd_decrypt(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"force", no_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"masterkey", required_argument, NULL, 'M'},
	    PW_LONG_OPTIONS,
	    {0},
	};
	struct rs_opts o = {.verb = "restored"};
	struct pw_opts pw = {0};
	struct vol v;
	struct rs_source src;
	struct rs_dir_snk ds = {.rootfd = -1};
	struct rs_sink sink = {.ops = &rs_dir_sink, .ctx = &ds};
	struct rs_counts c;
	_cleanup_free_ char **paths = NULL;
	const char *mkfile = NULL, *dir, *dest;
	size_t npaths = 0;
	bool created = false, whole;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "+hfqS", longopts, NULL)) != -1) {
		if (pw_opt(&pw, opt, optarg))
			continue;
		switch (opt) {
		case 'M':
			mkfile = optarg;
			continue;
		case 'f':
			o.force = true;
			continue;
		case 'q':
			o.quiet = true;
			continue;
		case 'h':
			decrypt_help();
			return EXIT_OK;
		}
		return usage_error("decrypt ", "unknown option or missing argument: '%s'",
				   argv[optind - 1]);
	}
	if (argc - optind < 2)
		return usage_error("decrypt ", "expected CIPHERDIR DESTDIR [PATH...]");
	if (argc - optind - 2 > MAX_PATHS)
		return usage_error("decrypt ", "too many PATHs (at most %d)", MAX_PATHS);
	dir = argv[optind];
	dest = argv[optind + 1];
	paths = calloc((size_t)(argc - optind - 2) + 1, sizeof(*paths));
	if (!paths)
		return EXIT_FAIL;
	for (int i = optind + 2; i < argc; i++) {
		if (strnlen(argv[i], PATH_MAX) >= PATH_MAX || rs_normalize(argv[i]))
			return usage_error("decrypt ",
					   "bad PATH '%s' (no '.' or '..', at most %d bytes)",
					   argv[i], PATH_MAX - 1);
		paths[npaths++] = argv[i];
	}
	npaths = rs_prune_paths(paths, npaths, &whole);
	if (whole)
		npaths = 0;

	ret = vol_open(dir, &pw, mkfile, &v);
	if (ret) {
		vol_close(&v);
		return ret;
	}
	if (mkdir(dest, 0700) == 0)
		created = true;
	else if (errno != EEXIST) {
		log_error("cannot make '%s': %s", dest, strerror(errno));
		vol_close(&v);
		return EXIT_FAIL;
	}
	ds.rootfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ds.rootfd < 0) {
		log_error("cannot open '%s': %s", dest, strerror(errno));
		vol_close(&v);
		return EXIT_FAIL;
	}
	sink.rootfd = ds.rootfd;
	vol_source(&v, &src);
	o.owners = geteuid() == 0;
	o.progress = !o.quiet && !npaths;
	o.progress_fd = v.rootfd;
	o.src_label = dir;
	if (rs_run(&src, &sink, &o, paths, npaths, created, &c)) {
		log_error("out of memory");
		ret = EXIT_FAIL;
	} else {
		if (!o.quiet)
			rs_summary(&c, "restored");
		ret = c.damage ? EXIT_DAMAGE : c.errors ? EXIT_FAIL : EXIT_OK;
	}
	close(ds.rootfd);
	vol_close(&v);
	return ret;
}

/* Walk the plaintext PATH from the root: the parent directory in *ret_dir, E the entry. */
static int cat_resolve(const struct rs_source *src, const char *path, void **ret_dir,
		       char *disk, struct rs_entry *e, const char **ret_why)
{
	const struct rs_source_ops *so = src->ops;
	void *d = NULL;
	const char *p = path;
	int err = so->open_root(src->ctx, &d);

	while (!err) {
		const char *slash;
		size_t n;
		void *nd;
		while (*p == '/')
			p++;
		slash = strchr(p, '/');
		n = slash ? (size_t)(slash - p) : strlen(p);
		if (!n || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.')) {
			err = -EINVAL;
			break;
		}
		err = so->lookup(src->ctx, d, p, n, disk, e);
		if (err) {
			*ret_why = e->why;
			break;
		}
		p += n;
		while (*p == '/')
			p++;
		if (!*p) {
			*ret_dir = d;
			return 0;
		}
		if (!S_ISDIR(e->st.st_mode)) {
			err = -ENOTDIR;
			break;
		}
		err = so->open_dir(src->ctx, d, e, &nd);
		so->close_dir(src->ctx, d);
		d = err ? NULL : nd;
	}
	if (d)
		so->close_dir(src->ctx, d);
	return err;
}

int cmd_cat(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"masterkey", required_argument, NULL, 'M'},
	    PW_LONG_OPTIONS,
	    {0},
	};
	struct pw_opts pw = {0};
	struct vol v;
	struct rs_source src;
	struct rs_entry e;
	void *dir = NULL, *f = NULL;
	_cleanup_free_ uint8_t *buf = NULL;
	const char *mkfile = NULL, *path, *why = NULL;
	char p[4096], disk[RS_DISK_MAX + 1];
	uint64_t off = 0, size = 0, bad = 0;
	int opt, ret, err;

	while ((opt = getopt_long(argc, argv, "+hS", longopts, NULL)) != -1) {
		if (pw_opt(&pw, opt, optarg))
			continue;
		if (opt == 'M') {
			mkfile = optarg;
			continue;
		}
		if (opt == 'h') {
			printf("usage: sealfs cat [password options] [--masterkey FILE] CIPHERDIR "
			       "PATH\n\n"
			       "Decrypt the file PATH (relative to the volume root, leading '/'\n"
			       "optional) of the volume in CIPHERDIR (sealfs or EncFS) to standard\n"
			       "output, offline (no FUSE). A block that fails authentication stops it\n"
			       "with a message and exit code 7; what was written before is good data.\n\n"
			       "      --masterkey FILE take the master key from FILE ('-' for "
			       "stdin)\n\n" PW_HELP);
			return EXIT_OK;
		}
		return usage_error("cat ", "unknown option or missing argument: '%s'",
				   argv[optind - 1]);
	}
	if (argc - optind != 2)
		return usage_error("cat ", "expected CIPHERDIR PATH");
	path = argv[optind + 1];
	rs_esc(path, p, sizeof(p));
	buf = malloc(CAT_CHUNK);
	if (!buf)
		return EXIT_FAIL;
	ret = vol_open(argv[optind], &pw, mkfile, &v);
	if (ret) {
		vol_close(&v);
		return ret;
	}
	vol_source(&v, &src);
	err = cat_resolve(&src, path, &dir, disk, &e, &why);
	if (err) {
		if (err == -EIO)
			log_error("%s: %s", p, why ? why : "damaged on the way");
		else
			log_error("%s: %s", p, err == -EINVAL ? "not a file path" : strerror(-err));
		vol_close(&v);
		return err == -EIO ? EXIT_DAMAGE : EXIT_FAIL;
	}
	ret = EXIT_OK;
	if (!S_ISREG(e.st.st_mode)) {
		log_error("%s: not a regular file", p);
		ret = EXIT_FAIL;
		goto out;
	}
	err = src.ops->open_file(src.ctx, dir, &e, &f, &size, &why);
	if (err) {
		if (err == -EIO && why)
			log_error("%s: %s", p, why);
		else
			log_error("%s: cannot read: %s", p, strerror(-err));
		ret = err == -EIO ? EXIT_DAMAGE : EXIT_FAIL;
		goto out;
	}
	while (off < size) {
		size_t want = size - off < CAT_CHUNK ? (size_t)(size - off) : CAT_CHUNK;
		ssize_t n = src.ops->read(src.ctx, f, buf, want, off, &bad, &why);
		if (n == -EIO && bad * src.block > off && bad * src.block - off < want) {
			/* Give the good blocks before the bad one, then stop at it. */
			uint64_t b2 = bad;
			const char *w2 = why;
			n = src.ops->read(src.ctx, f, buf, (size_t)(bad * src.block - off), off,
					  &bad, &why);
			if (n >= 0)
				n = io_write_full(STDOUT_FILENO, buf, (size_t)n);
			sfs_wipe(buf, CAT_CHUNK);
			bad = b2;
			why = w2;
			n = -EIO;
		}
		if (n <= 0) {
			if (n == -EIO) {
				char msg[256];
				log_error("%s: %s", p, rs_block_msg(bad, why, msg, sizeof(msg)));
				ret = EXIT_DAMAGE;
			} else {
				log_error("%s: cannot read: %s", p, strerror(n ? (int)-n : EIO));
				ret = EXIT_FAIL;
			}
			break;
		}
		err = io_write_full(STDOUT_FILENO, buf, (size_t)n);
		sfs_wipe(buf, (size_t)n);
		if (err) {
			log_error("cannot write to standard output: %s", strerror(-err));
			ret = EXIT_FAIL;
			break;
		}
		off += (uint64_t)n;
	}
	src.ops->close_file(src.ctx, f);
out:
	src.ops->close_dir(src.ctx, dir);
	vol_close(&v);
	return ret;
}
