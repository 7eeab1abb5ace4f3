/*
 * cmd_init.c - `sealfs init`: create a volume config and root directory IV,
 * print the master key once for a paper backup (sealfs CLI layer).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "crypto.h"
#include "io.h"
#include "log.h"
#include "tree.h"
#include "fs.h"
#include "util.h"
#include "cli.h"
#include "unlock.h"
#include "banned.h"

static void help(void)
{
	printf("usage: sealfs init [-q] [--paranoia] [--scrypt-logn N] [password options] CIPHERDIR\n"
	       "       sealfs init --reverse [options] PLAINDIR\n"
	       "       sealfs init --masterkey FILE [options] CIPHERDIR\n\n"
	       "Create a new encrypted volume in CIPHERDIR (created if absent, must be empty).\n"
	       "Writes CIPHERDIR/sealfs.conf and prints the master key once: keep it on paper.\n"
	       "With --reverse, prepare PLAINDIR (left as it is) for 'sealfs mount --reverse':\n"
	       "the config goes to PLAINDIR/.sealfs.reverse.conf.\n"
	       "With --masterkey, write a new sealfs.conf for the existing volume in CIPHERDIR\n"
	       "whose config was lost, from its master key (the paper copy), under a new\n"
	       "password.\n\n"
	       "      --reverse        make a reverse-mode volume of PLAINDIR\n"
	       "      --masterkey FILE a new config for CIPHERDIR's data ('-' for stdin)\n"
	       "  -q, --quiet          do not print the master key\n"
	       "      --paranoia       scrypt with N=2^20 (1 GiB, a few seconds) instead of 2^16\n"
	       "      --scrypt-logn N  scrypt N=2^N (10..24); lower is faster and weaker\n"
	       PW_HELP);
}

/* 0 when DIR is (now) an empty directory we can use. */
/* An empty or new CIPHERDIR; *ret_created says init made it (and removes it
   again if it fails later). */
static int prepare_dir(const char *dir, bool *ret_created)
{
	struct dirent *de;
	DIR *d;
	bool empty = true, lost_found = false;

	*ret_created = false;
	if (mkdir(dir, 0700) == 0) {
		*ret_created = true;
		return 0;
	}
	if (errno != EEXIST) {
		log_error("cannot create '%s': %s", dir, strerror(errno));
		return EXIT_FAIL;
	}
	d = opendir(dir);
	if (!d) {
		log_error("cannot open '%s': %s", dir, strerror(errno));
		return errno == ENOTDIR ? EXIT_EXISTS : EXIT_FAIL;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (!strcmp(de->d_name, "lost+found")) {
			lost_found = true;
			continue;
		}
		empty = false;
		break;
	}
	closedir(d);
	if (empty && lost_found) {
		log_error("'%s' is the root of a file system (it holds lost+found); "
			  "init a directory inside it, such as '%s/vault'", dir, dir);
		return EXIT_EXISTS;
	}
	if (!empty) {
		log_error("'%s' is not empty; sealfs init needs an empty or new directory", dir);
		return EXIT_EXISTS;
	}
	return 0;
}

static void print_master_key(const uint8_t key[SFS_MASTER_KEY_LEN])
{
	char hex[2 * SFS_MASTER_KEY_LEN + 1];

	hex_encode(key, SFS_MASTER_KEY_LEN, hex);
	printf("\nYour master key is:\n\n    ");
	for (int i = 0; i < 8; i++)
		printf("%.8s%s", hex + 8 * i, i < 7 ? "-" : "\n");
	printf("\nWrite it down and keep it offline. With it, 'sealfs mount --masterkey' can\n"
	       "open the volume if the password is lost; without the password or this key\n"
	       "nothing in the volume can be recovered. It will not be shown again.\n");
	sfs_wipe(hex, sizeof(hex));
	fflush(stdout);
}

/*
 * init --masterkey: a new sealfs.conf for the volume in DIR whose config is
 * lost. DIR must hold the volume's sealfs.diriv and no config; the key must
 * decrypt the names in its root. Returns an exit code.
 */
static int init_from_key(const char *dir, const char *mkfile, const struct pw_opts *pw,
			 const struct sfs_kdf *kdf)
{
	uint8_t master[SFS_MASTER_KEY_LEN];
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dfd = io_open_dir(dir);
	char *pass = NULL;
	size_t plen = 0, tlen = 0;
	int r;

	if (dfd < 0) {
		log_error("cannot open '%s': %s", dir, strerror(-dfd));
		return dfd == -ENOENT ? EXIT_CONFIG : EXIT_FAIL;
	}
	if (faccessat(dfd, SFS_CONFIG_NAME, F_OK, AT_SYMLINK_NOFOLLOW) == 0) {
		log_error("'%s' has a config already; 'sealfs passwd --masterkey FILE %s' sets a "
			  "new password", dir, dir);
		return EXIT_EXISTS;
	}
	if (unlock_read_master(mkfile, master))
		return EXIT_FAIL;
	r = unlock_check_key_by_names(dir, master);
	if (r) {
		sfs_wipe(master, sizeof(master));
		return r;
	}
	r = pw_read(pw, "New password: ", true, &pass, &plen);
	if (r) {
		sfs_wipe(master, sizeof(master));
		return EXIT_FAIL;
	}
	r = sfs_config_create_for(pass, plen, kdf, 0, master, &text, &tlen);
	pw_free(pass);
	sfs_wipe(master, sizeof(master));
	if (!r)
		r = io_write_file_atomic_at(dfd, SFS_CONFIG_NAME, text, tlen, 0400);
	if (r) {
		log_error("cannot write '%s/%s': %s", dir, SFS_CONFIG_NAME, strerror(-r));
		return EXIT_FAIL;
	}
	printf("Wrote a new '%s/%s' for the existing volume (scrypt N=2^%u); the master key "
	       "is unchanged.\nBack it up with the data.\n", dir, SFS_CONFIG_NAME, kdf->logn);
	return EXIT_OK;
}

int init_new_volume(const char *dir, const char *pass, size_t plen, const struct sfs_kdf *kdf,
		    bool quiet, uint8_t master[SFS_MASTER_KEY_LEN])
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dfd = -1;
	uint8_t iv[SFS_DIRIV_LEN];
	size_t tlen = 0;
	bool created = false;
	int r;

	r = prepare_dir(dir, &created);
	if (r)
		return r;
	r = sfs_config_create(pass, plen, kdf, 0, master, &text, &tlen);
	if (r) {
		log_error("cannot create config: %s", strerror(-r));
		if (created)
			rmdir(dir);
		return EXIT_FAIL;
	}
	dfd = io_open_dir(dir);
	r = dfd < 0 ? dfd : sfs_diriv_create(dfd, iv);
	if (!r)
		r = io_write_file_atomic_at(dfd, SFS_CONFIG_NAME, text, tlen, 0400);
	if (r) {
		log_error("cannot write '%s/%s': %s", dir, SFS_CONFIG_NAME, strerror(-r));
		if (dfd >= 0)
			unlinkat(dfd, SFS_DIRIV_NAME, 0);
		if (created)
			rmdir(dir);
		sfs_wipe(master, SFS_MASTER_KEY_LEN);
		return EXIT_FAIL;
	}
	if (!quiet) {
		printf("Created sealfs volume in '%s' (scrypt N=2^%u).\n", dir, kdf->logn);
		print_master_key(master);
	}
	return EXIT_OK;
}

int cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"quiet", no_argument, NULL, 'q'},
		{"paranoia", no_argument, NULL, 'P'},
		{"scrypt-logn", required_argument, NULL, 'N'},
		{"reverse", no_argument, NULL, 'R'},
		{"masterkey", required_argument, NULL, 'M'},
		{"help", no_argument, NULL, 'h'},
		PW_LONG_OPTIONS,
		{0},
	};
	struct pw_opts pw = {0};
	struct sfs_kdf kdf = SFS_KDF_DEFAULT;
	bool quiet = false, reverse = false, created = false;
	const char *mkfile = NULL;
	uint8_t master[SFS_MASTER_KEY_LEN];
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dfd = -1;
	uint8_t iv[SFS_DIRIV_LEN];
	char *pass = NULL;
	size_t plen = 0, tlen = 0;
	uint64_t v;
	int c, r;

	while ((c = getopt_long(argc, argv, "+qhrS", longopts, NULL)) != -1) {
		if (pw_opt(&pw, c, optarg))
			continue;
		switch (c) {
		case 'q':
			quiet = true;
			break;
		case 'r':
			/* the old spelling, kept for one release (sealfs.1) */
			log_warn("'init -r' is deprecated: use --reverse (in mount, -r is --ro)");
			/* fall through */
		case 'R':
			reverse = true;
			break;
		case 'P':
			kdf = SFS_KDF_PARANOIA;
			break;
		case 'N':
			if (parse_u64(optarg, SFS_KDF_MIN_LOGN, SFS_KDF_MAX_LOGN, &v))
				return usage_error("init ", "--scrypt-logn must be %d..%d, not '%s'",
						   SFS_KDF_MIN_LOGN, SFS_KDF_MAX_LOGN, optarg);
			kdf.logn = (unsigned)v;
			break;
		case 'M':
			mkfile = optarg;
			break;
		case 'h':
			help();
			return EXIT_OK;
		default:
			return usage_error("init ", "unknown option or missing argument: '%s'", argv[optind - 1]);
		}
	}
	if (argc - optind != 1)
		return usage_error("init ", "expected exactly one CIPHERDIR");
	const char *dir = argv[optind];

	if (mkfile) {
		if (reverse)
			return usage_error("init ", "--masterkey makes a forward volume's config; "
						    "not with --reverse");
		return init_from_key(dir, mkfile, &pw, &kdf);
	}
	if (reverse) {
		struct stat st;
		char p[4096];

		if (stat(dir, &st) < 0) {
			log_error("cannot use PLAINDIR '%s': %s", dir, strerror(errno));
			return EXIT_FAIL;
		}
		if (!S_ISDIR(st.st_mode)) {
			log_error("cannot use PLAINDIR '%s': not a directory", dir);
			return EXIT_FAIL;
		}
		snprintf(p, sizeof(p), "%s/%s", dir, SFS_REVERSE_CONFIG_NAME);
		if (access(p, F_OK) == 0) {
			log_error("'%s' already has a reverse-mode config '%s'", dir, p);
			return EXIT_EXISTS;
		}
	} else {
		r = prepare_dir(dir, &created);
		if (r)
			return r;
	}
	r = pw_read(&pw, "Password: ", true, &pass, &plen);
	if (r) {
		if (created)
			rmdir(dir);	/* leave nothing behind a refused init */
		return EXIT_FAIL;
	}
	r = sfs_config_create(pass, plen, &kdf, reverse ? SFS_FEAT_REVERSE : 0, master, &text,
			      &tlen);
	pw_free(pass);
	if (r) {
		log_error("cannot create config: %s", strerror(-r));
		return EXIT_FAIL;
	}
	dfd = io_open_dir(dir);
	if (dfd < 0) {
		log_error("cannot open '%s': %s", dir, strerror(-dfd));
		sfs_wipe(master, sizeof(master));
		return EXIT_FAIL;
	}
	const char *cname = reverse ? SFS_REVERSE_CONFIG_NAME : SFS_CONFIG_NAME;
	r = reverse ? 0 : sfs_diriv_create(dfd, iv);
	if (!r)
		r = io_write_file_atomic_at(dfd, cname, text, tlen, 0400);
	if (r) {
		log_error("cannot write '%s/%s': %s", dir, cname, strerror(-r));
		if (!reverse)
			unlinkat(dfd, SFS_DIRIV_NAME, 0);
		sfs_wipe(master, sizeof(master));
		return EXIT_FAIL;
	}
	if (!quiet) {
		printf("Created sealfs %svolume in '%s' (scrypt N=2^%u).\n",
		       reverse ? "reverse-mode " : "", dir, kdf.logn);
		print_master_key(master);
		if (reverse)
			printf("\nShow the encrypted view with: sealfs mount --reverse %s MOUNTPOINT\n"
			       "The view contains sealfs.conf: copy the whole view, e.g. rsync -a.\n",
			       dir);
		else
			printf("\nMount it with: sealfs mount %s MOUNTPOINT\n"
			       "Back up %s/sealfs.conf with the data: without it nothing can be "
			       "decrypted.\n",
			       dir, dir);
	}
	sfs_wipe(master, sizeof(master));
	return EXIT_OK;
}
