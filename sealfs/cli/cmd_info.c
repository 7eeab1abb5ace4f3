/*
 * cmd_info.c - `sealfs info`: show a volume's format and parameters, no
 * secrets, no password needed (sealfs CLI layer).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "cleanup.h"
#include "config.h"
#include "io.h"
#include "log.h"
#include "cli.h"
#include "unlock.h"
#include "volume.h"
#include "banned.h"

int cmd_info(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{0},
	};
	struct sfs_config c;
	char why[256] = "", feat[128];
	_cleanup_close_ int dfd = -1;
	int opt, r;

	while ((opt = getopt_long(argc, argv, "+h", longopts, NULL)) != -1) {
		if (opt == 'h') {
			printf("usage: sealfs info CIPHERDIR\n\n"
			       "Show the volume's format version, ciphers and scrypt parameters.\n"
			       "For an EncFS volume: its parameters, the findings of EncFS's 2014\n"
			       "audit that apply to it and what cannot be checked on it.\n"
			       "Needs no password and shows no secret.\n");
			return EXIT_OK;
		}
		return usage_error("info ", "unknown option or missing argument: '%s'", argv[optind - 1]);
	}
	if (argc - optind != 1)
		return usage_error("info ", "expected exactly one CIPHERDIR");
	if (vol_is_encfs(argv[optind]))
		return info_encfs(argv[optind]);
	dfd = io_open_dir(argv[optind]);
	if (dfd < 0) {
		log_error("cannot open '%s': %s", argv[optind], strerror(-dfd));
		return dfd == -ENOENT ? EXIT_CONFIG : EXIT_FAIL;
	}
	r = sfs_config_load_at(dfd, unlock_config_name(argv[optind]), &c, why, sizeof(why));
	if (r)
		return config_error_named(argv[optind], unlock_config_name(argv[optind]), r, why);
	sfs_config_features_str(c.features, feat, sizeof(feat));
	printf("volume:    %s\n"
	       "format:    %u\n"
	       "features:  %s\n"
	       "content:   AES-256-GCM, %u-byte blocks, per-file keys (HKDF-SHA256)\n"
	       "names:     AES-256-SIV per directory, base64url\n"
	       "kdf:       scrypt N=2^%u r=%u p=%u (%llu MiB)\n",
	       argv[optind], c.version, feat, c.block_size, c.kdf.logn, c.kdf.r, c.kdf.p,
	       (unsigned long long)((128ULL * c.kdf.r << c.kdf.logn) >> 20));
	return EXIT_OK;
}
