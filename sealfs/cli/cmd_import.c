/*
 * cmd_import.c - the offline writers (sealfs CLI layer): `sealfs import`
 * (an EncFS volume into a new sealfs volume), `sealfs encrypt` (a plain
 * tree into a volume) and `sealfs put` (standard input into one file). All
 * three write through the restore engine's sealfs sink (rs_sealfs.c): the
 * format and header bindings the mount writes, every object under a
 * temporary name renamed into place, so a crash leaves the old object or
 * the new one and an interrupted run can be run again. No FUSE.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "crypto.h"
#include "io.h"
#include "log.h"
#include "names.h"
#include "tree.h"
#include "util.h"
#include "cli.h"
#include "restore.h"
#include "unlock.h"
#include "volume.h"
#include "banned.h"

#define PUT_CHUNK (1024u * 1024u)

/* Unlock the existing sealfs volume DIR with PASS into *ret_keys. Exit code. */
static int unlock_with(const char *dir, const char *pass, size_t plen, struct sfs_keys **ret)
{
	uint8_t master[SFS_MASTER_KEY_LEN];
	struct sfs_config conf;
	int r = unlock_load_config(dir, NULL, &conf, NULL);

	if (r)
		return r;
	r = sfs_config_unlock(&conf, pass, plen, master);
	if (r)
		return config_error(dir, r, NULL);
	r = sfs_keys_new(master, ret);
	sfs_wipe(master, sizeof(master));
	if (r) {
		log_error("cannot derive keys: %s", strerror(-r));
		return EXIT_FAIL;
	}
	return 0;
}

/* Open (unlocking with the options) an existing sealfs volume. Exit code. */
static int open_sealfs(const char *dir, const struct pw_opts *pw, struct sfs_keys **ret_keys,
		       int *ret_fd)
{
	char *pass = NULL;
	size_t plen = 0;
	int r;

	if (vol_is_encfs(dir)) {
		log_error("'%s' is an EncFS volume: sealfs writes only sealfs volumes "
			  "(sealfs import makes one from it)",
			  dir);
		return EXIT_CONFIG;
	}
	if (pw_read(pw, pw->prompt ? pw->prompt : "Password: ", false, &pass, &plen))
		return EXIT_FAIL;
	r = unlock_with(dir, pass, plen, ret_keys);
	pw_free(pass);
	if (r)
		return r;
	*ret_fd = io_open_dir(dir);
	if (*ret_fd < 0) {
		log_error("cannot open '%s': %s", dir, strerror(-*ret_fd));
		sfs_keys_free(*ret_keys);
		*ret_keys = NULL;
		return EXIT_FAIL;
	}
	return 0;
}

/* If DIR holds nothing but a root IV (an import killed while making the
 * volume), remove that so the volume can be made afresh. */
static void only_diriv_remove(const char *dir)
{
	_cleanup_close_ int fd = io_open_dir(dir);
	struct dirent *de;
	bool other = false, iv = false;
	DIR *d;

	if (fd < 0)
		return;
	d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 3));
	if (!d)
		return;
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!strcmp(de->d_name, SFS_DIRIV_NAME))
			iv = true;
		else
			other = true;
	}
	closedir(d);
	if (iv && !other)
		unlinkat(fd, SFS_DIRIV_NAME, 0);
}

static void import_help(void)
{
	printf("usage: sealfs import [password options] [--same-password | --new-passfile FILE]\n"
	       "                     [--scrypt-logn N] [-q] ENCFS_DIR NEW_DIR\n\n"
	       "Make a sealfs volume in NEW_DIR (absent or empty) with the tree of the EncFS\n"
	       "volume in ENCFS_DIR (V4, V5 or V6 config; AES, Blowfish or Camellia): names,\n"
	       "contents, modes, times, symlinks, hard links, special files and user\n"
	       "extended attributes, ownership too when run as root. Every file is checked as\n"
	       "it is read (block MACs where the EncFS volume has them, names by their\n"
	       "checksums); a damaged file is reported by path, left out, and the rest goes\n"
	       "on. ENCFS_DIR is never written to. Run it again on the same NEW_DIR after an\n"
	       "interruption: what is there already is checked and kept, the rest added.\n\n"
	       "The password options give the EncFS password. The new volume's password is\n"
	       "asked for on the terminal, read from the second line of standard input with\n"
	       "-S, from --new-passfile, or is the same with --same-password.\n\n"
	       "      --same-password     the new volume gets the EncFS password\n"
	       "      --new-passfile FILE the new password from the first line of FILE\n"
	       "      --scrypt-logn N     scrypt N=2^N for the new volume (default 16)\n"
	       "  -q, --quiet             no master key, no summary line\n\n" PW_HELP
	       "\nexit codes: 0 all imported, 1 something not imported (I/O error),\n"
	       "  3 wrong password, 4 EncFS config missing, corrupt or unsupported,\n"
	       "  6 NEW_DIR is not empty and not a sealfs volume, 7 damaged files found\n");
}

int cmd_import(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"quiet", no_argument, NULL, 'q'},
	    {"same-password", no_argument, NULL, 's'},
	    {"new-passfile", required_argument, NULL, PW_OPT_NEW_PASSFILE},
	    {"scrypt-logn", required_argument, NULL, 'N'},
	    PW_LONG_OPTIONS,
	    {0},
	};
	struct pw_opts pw = {0};
	struct sfs_kdf kdf = SFS_KDF_DEFAULT;
	struct rs_opts o = {.verb = "imported", .skip_existing = true};
	struct rs_counts c;
	struct rs_source src;
	struct rs_sealfs_snk sk = {.rootfd = -1};
	struct rs_sink sink = {.ops = &rs_sealfs_sink, .ctx = &sk};
	struct sfs_keys *keys = NULL;
	struct vol v = {.rootfd = -1};
	char *pass = NULL, *npass = NULL, cfg[PATH_MAX + 32];
	size_t plen = 0, nplen = 0;
	bool same = false;
	uint64_t n;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "+hqS", longopts, NULL)) != -1) {
		if (pw_opt(&pw, opt, optarg))
			continue;
		switch (opt) {
		case 'q':
			o.quiet = true;
			continue;
		case 's':
			same = true;
			continue;
		case 'N':
			if (parse_u64(optarg, SFS_KDF_MIN_LOGN, SFS_KDF_MAX_LOGN, &n))
				return usage_error("import ",
						   "--scrypt-logn must be %d..%d, not '%s'",
						   SFS_KDF_MIN_LOGN, SFS_KDF_MAX_LOGN, optarg);
			kdf.logn = (unsigned)n;
			continue;
		case 'h':
			import_help();
			return EXIT_OK;
		}
		return usage_error("import ", "unknown option or missing argument: '%s'",
				   argv[optind - 1]);
	}
	if (argc - optind != 2)
		return usage_error("import ", "expected ENCFS_DIR NEW_DIR");
	if (same && pw.new_passfile)
		return usage_error("import ",
				   "--same-password and --new-passfile exclude each other");
	const char *edir = argv[optind], *ndir = argv[optind + 1];

	if (!vol_is_encfs(edir)) {
		log_error("cannot import '%s': not an EncFS volume (no .encfs6.xml, .encfs5 or "
			  ".encfs4)",
			  edir);
		return EXIT_CONFIG;
	}
	if (pw_read(&pw, "EncFS password: ", false, &pass, &plen))
		return EXIT_FAIL;
	ret = vol_open_encfs_pw(edir, pass, plen, &v);
	if (ret)
		goto out;
	if (same) {
		npass = pass;
		nplen = plen;
		pass = NULL;
	} else if (pw_read_new(&pw, &npass, &nplen)) {
		ret = EXIT_FAIL;
		goto out;
	}
	snprintf(cfg, sizeof(cfg), "%s/%s", ndir, SFS_CONFIG_NAME);
	if (access(cfg, F_OK) == 0) {
		/* An interrupted import: carry on into the volume it made. */
		ret = unlock_with(ndir, npass, nplen, &keys);
	} else {
		uint8_t master[SFS_MASTER_KEY_LEN];
		/* Killed between the root IV and the config: nothing else was written. */
		only_diriv_remove(ndir);
		ret = init_new_volume(ndir, npass, nplen, &kdf, o.quiet, master);
		if (!ret && sfs_keys_new(master, &keys)) {
			log_error("cannot derive keys");
			ret = EXIT_FAIL;
		}
		sfs_wipe(master, sizeof(master));
	}
	if (ret)
		goto out;
	sk.k = keys;
	sk.rootfd = io_open_dir(ndir);
	if (sk.rootfd < 0) {
		log_error("cannot open '%s': %s", ndir, strerror(-sk.rootfd));
		ret = EXIT_FAIL;
		goto out;
	}
	sink.rootfd = sk.rootfd;
	vol_source(&v, &src);
	o.owners = geteuid() == 0;
	o.progress = !o.quiet;
	o.progress_fd = v.rootfd;
	o.src_label = edir;
	if (rs_run(&src, &sink, &o, NULL, 0, true, &c)) {
		log_error("out of memory");
		ret = EXIT_FAIL;
		goto out;
	}
	if (!o.quiet)
		rs_summary(&c, "imported");
	ret = c.damage ? EXIT_DAMAGE : c.errors ? EXIT_FAIL : EXIT_OK;
out:
	if (sk.rootfd >= 0)
		close(sk.rootfd);
	pw_free(pass);
	pw_free(npass);
	sfs_keys_free(keys);
	vol_close(&v);
	return ret;
}

int cmd_encrypt(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"force", no_argument, NULL, 'f'},
	    {"quiet", no_argument, NULL, 'q'},
	    PW_LONG_OPTIONS,
	    {0},
	};
	struct pw_opts pw = {0};
	struct rs_opts o = {.verb = "encrypted"};
	struct rs_counts c;
	struct rs_dir_src ds = {.rootfd = -1};
	struct rs_source src = {.ops = &rs_dir_source, .ctx = &ds, .block = 4096};
	struct rs_sealfs_snk sk = {.rootfd = -1};
	struct rs_sink sink = {.ops = &rs_sealfs_sink, .ctx = &sk};
	struct sfs_keys *keys = NULL;
	struct rs_ddir base = {.fd = -1};
	_cleanup_close_ int vfd = -1;
	char *dest, empty[1] = "";
	int opt, ret, err;

	while ((opt = getopt_long(argc, argv, "+hfqS", longopts, NULL)) != -1) {
		if (pw_opt(&pw, opt, optarg))
			continue;
		switch (opt) {
		case 'f':
			o.force = true;
			continue;
		case 'q':
			o.quiet = true;
			continue;
		case 'h':
			printf(
			    "usage: sealfs encrypt [password options] [--force] [-q] SRC_DIR "
			    "CIPHERDIR [DEST_PATH]\n\n"
			    "Add the plain tree SRC_DIR to the sealfs volume in CIPHERDIR "
			    "offline,\n"
			    "without FUSE (containers, rescue systems): into its root, or into "
			    "the\n"
			    "plaintext directory DEST_PATH (made when absent). Names, contents,\n"
			    "modes, times, symlinks, hard links, special files and user extended\n"
			    "attributes are kept; each object appears by rename, so a crash "
			    "leaves\n"
			    "the old object or the new one. Existing objects are not replaced\n"
			    "without --force. Do not run it on a volume that is mounted.\n\n"
			    "  -f, --force   replace existing objects\n"
			    "  -q, --quiet   no summary line\n\n" PW_HELP
			    "\nexit codes: 0 all added, 1 something not added, 3 wrong password,\n"
			    "  4 config missing or corrupt\n");
			return EXIT_OK;
		}
		return usage_error("encrypt ", "unknown option or missing argument: '%s'",
				   argv[optind - 1]);
	}
	if (argc - optind != 2 && argc - optind != 3)
		return usage_error("encrypt ", "expected SRC_DIR CIPHERDIR [DEST_PATH]");
	dest = argc - optind == 3 ? argv[optind + 2] : empty;
	if (strnlen(dest, PATH_MAX) >= PATH_MAX || rs_normalize(dest))
		return usage_error("encrypt ", "bad DEST_PATH '%s' (no '.' or '..')", dest);
	ds.rootfd = io_open_dir(argv[optind]);
	if (ds.rootfd < 0) {
		log_error("cannot open '%s': %s", argv[optind], strerror(-ds.rootfd));
		return EXIT_FAIL;
	}
	ret = open_sealfs(argv[optind + 1], &pw, &keys, &vfd);
	if (ret)
		goto out;
	err = rs_sealfs_base(keys, vfd, dest, &base);
	if (err) {
		log_error("cannot open '%s' in '%s': %s", dest, argv[optind + 1], strerror(-err));
		ret = EXIT_FAIL;
		goto out;
	}
	sk.k = keys;
	sk.rootfd = base.fd;
	sk.fsync_each = true;
	sink.rootfd = base.fd;
	o.owners = geteuid() == 0;
	o.progress = !o.quiet;
	o.progress_fd = ds.rootfd;
	o.src_label = argv[optind];
	if (rs_run(&src, &sink, &o, NULL, 0, false, &c)) {
		log_error("out of memory");
		ret = EXIT_FAIL;
		goto out;
	}
	if (!o.quiet)
		rs_summary(&c, "encrypted");
	ret = c.damage || c.errors ? EXIT_FAIL : EXIT_OK;
out:
	if (base.fd >= 0)
		close(base.fd);
	close(ds.rootfd);
	sfs_keys_free(keys);
	return ret;
}

/* Stream standard input into the sink file F (a new file); size in *ret. */
static int put_stream(const struct rs_sink *sink, void *f, uint8_t *buf, uint64_t *ret)
{
	uint64_t off = 0;

	for (;;) {
		ssize_t n = io_read_full(STDIN_FILENO, buf, PUT_CHUNK);
		int err;
		if (n < 0)
			return (int)n;
		if (!n)
			break;
		err = sink->ops->file_write(sink->ctx, f, buf, (size_t)n, off);
		sfs_wipe(buf, (size_t)n);
		if (err)
			return err;
		off += (uint64_t)n;
		if ((size_t)n < PUT_CHUNK)
			break;
	}
	*ret = off;
	return 0;
}

int cmd_put(int argc, char **argv)
{
	static const struct option longopts[] = {
	    {"help", no_argument, NULL, 'h'},
	    {"passfile", required_argument, NULL, PW_OPT_PASSFILE},
	    {"extpass", required_argument, NULL, PW_OPT_EXTPASS},
	    {0},
	};
	struct pw_opts pw = {0};
	struct sfs_keys *keys = NULL;
	struct rs_sealfs_snk sk;
	struct rs_sink sink = {.ops = &rs_sealfs_sink, .ctx = &sk};
	struct rs_ddir d = {.fd = -1};
	_cleanup_close_ int vfd = -1, fd = -1;
	_cleanup_free_ uint8_t *buf = NULL;
	char *path, *slash, *name, tmp[NAME_MAX + 1], disk[RS_DISK_MAX + 1], p[4096];
	void *f = NULL;
	uint64_t size = 0;
	uint8_t rnd[8];
	mode_t um;
	int opt, ret, err;

	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (pw_opt(&pw, opt, optarg))
			continue;
		if (opt == 'h') {
			printf(
			    "usage: sealfs put [--passfile FILE | --extpass CMD] CIPHERDIR PATH\n\n"
			    "Write standard input into the file PATH (relative to the volume "
			    "root;\n"
			    "directories on the way are made) of the sealfs volume in CIPHERDIR,\n"
			    "offline, without FUSE: e.g. mysqldump ... | sealfs put /enc db.sql.\n"
			    "The file appears complete, by rename, once standard input ends: a\n"
			    "crash leaves the old file or the new one. Standard input is the "
			    "data,\n"
			    "so the password comes from --passfile, --extpass or the terminal.\n"
			    "Do not run it on a volume that is mounted.\n\n"
			    "exit codes: 0 written, 1 failure, 3 wrong password, 4 config missing\n"
			    "  or corrupt\n");
			return EXIT_OK;
		}
		return usage_error("put ", "unknown option or missing argument: '%s'",
				   argv[optind - 1]);
	}
	if (argc - optind != 2)
		return usage_error("put ", "expected CIPHERDIR PATH");
	path = argv[optind + 1];
	if (strnlen(path, PATH_MAX) >= PATH_MAX || rs_normalize(path) || !*path)
		return usage_error("put ", "bad PATH '%s' (a file path, no '.' or '..')", path);
	rs_esc(path, p, sizeof(p));
	slash = strrchr(path, '/');
	name = slash ? slash + 1 : path;
	if (strlen(name) > SFS_NAME_MAX)
		return usage_error("put ", "name too long in '%s'", p);
	if (slash)
		*slash = '\0';
	buf = malloc(PUT_CHUNK);
	if (!buf)
		return EXIT_FAIL;
	ret = open_sealfs(argv[optind], &pw, &keys, &vfd);
	if (ret)
		return ret;
	sk.k = keys;
	sk.rootfd = vfd;
	sk.fsync_each = true;
	sink.rootfd = vfd;
	ret = EXIT_FAIL;
	err = rs_sealfs_base(keys, vfd, slash ? path : "", &d);
	if (err) {
		log_error("%s: cannot make its directory: %s", p, strerror(-err));
		goto out;
	}
	err = rs_sealfs_sink.disk(&sk, &d, name, strlen(name), disk);
	if (!err)
		err = sfs_random(rnd, sizeof(rnd));
	if (err) {
		log_error("%s: %s", p, strerror(-err));
		goto out;
	}
	snprintf(tmp, sizeof(tmp), SFS_TMP_PREFIX "%02x%02x%02x%02x%02x%02x%02x%02x", rnd[0],
		 rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
	um = umask(0);
	umask(um);
	fd = openat(d.fd, tmp, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666 & ~um);
	if (fd < 0) {
		log_error("%s: cannot create a temporary file: %s", p, strerror(errno));
		goto out;
	}
	err = rs_sealfs_sink.file_new(&sk, &d, name, strlen(name), fd, false, &f);
	if (!err)
		err = put_stream(&sink, f, buf, &size);
	if (!err)
		err = rs_sealfs_sink.file_finish(&sk, f, size);
	rs_sealfs_sink.file_free(&sk, f);
	if (!err)
		err = rs_sealfs_sink.prepare(&sk, &d, name, strlen(name), disk);
	if (!err && renameat(d.fd, tmp, d.fd, disk) < 0)
		err = -errno;
	if (!err && fsync(d.fd) < 0)
		err = -errno;
	if (err) {
		unlinkat(d.fd, tmp, 0);
		log_error("%s: cannot write: %s", p, strerror(-err));
		goto out;
	}
	ret = EXIT_OK;
out:
	if (d.fd >= 0)
		close(d.fd);
	sfs_keys_free(keys);
	return ret;
}
