/*
 * cmd_passwd.c - `sealfs passwd`: re-wrap the master key under a new
 * password; the config is replaced atomically (sealfs CLI layer).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "crypto.h"
#include "io.h"
#include "log.h"
#include "cli.h"
#include "unlock.h"
#include "banned.h"

int cmd_passwd(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"new-passfile", required_argument, NULL, PW_OPT_NEW_PASSFILE},
		{"masterkey", required_argument, NULL, 'M'},
		PW_LONG_OPTIONS,
		{0},
	};
	struct pw_opts pw = {0};
	struct sfs_config c;
	uint8_t master[SFS_MASTER_KEY_LEN];
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int dfd = -1;
	const char *mkfile = NULL;
	char *pass = NULL;
	size_t plen = 0, tlen = 0;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "+hS", longopts, NULL)) != -1) {
		if (pw_opt(&pw, opt, optarg))
			continue;
		if (opt == 'M') {
			mkfile = optarg;
			continue;
		}
		if (opt == 'h') {
			printf("usage: sealfs passwd [password options] [--new-passfile FILE] "
			       "[--masterkey FILE] CIPHERDIR\n\n"
			       "Change the password of the volume in CIPHERDIR. Only sealfs.conf is\n"
			       "rewritten, atomically: a crash leaves the old or the new one.\n"
			       "With -S, standard input holds the old password on its first line and\n"
			       "the new one on its second. --masterkey FILE ('-' for stdin) sets a new\n"
			       "password from the master key when the old password is lost.\n"
			       "      --new-passfile FILE  read the new password from FILE (else it\n"
			       "                       is asked on the terminal, or is stdin's second\n"
			       "                       line with -S)\n\n" PW_HELP);
			return EXIT_OK;
		}
		return usage_error("passwd ", "unknown option or missing argument: '%s'", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return usage_error("passwd ", "expected exactly one CIPHERDIR");
	const char *dir = argv[optind];

	const char *cname = unlock_config_name(dir);
	r = unlock_load_config_named(dir, cname, &c);
	if (r)
		return r;
	pw.prompt = "Current password: ";
	r = unlock_master(dir, &c, false, &pw, mkfile, master);
	if (r)
		return r;
	r = pw_read_new(&pw, &pass, &plen);
	if (r) {
		sfs_wipe(master, sizeof(master));
		return EXIT_FAIL;
	}
	r = sfs_config_rewrap(&c, master, pass, plen, NULL, &text, &tlen);
	pw_free(pass);
	sfs_wipe(master, sizeof(master));
	if (r) {
		log_error("cannot re-wrap the master key: %s", strerror(-r));
		return EXIT_FAIL;
	}
	dfd = io_open_dir(dir);
	r = dfd < 0 ? dfd : io_write_file_atomic_at(dfd, cname, text, tlen, 0400);
	if (r) {
		log_error("cannot write '%s/%s': %s (the old password still works)", dir, cname,
			  strerror(-r));
		return EXIT_FAIL;
	}
	printf("Password changed.\n");
	return EXIT_OK;
}
