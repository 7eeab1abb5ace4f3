/*
 * main.c - `sealfs` entry point: the command table and shared error helpers
 * (sealfs CLI layer). Each command lives in its own cmd_*.c.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "log.h"
#include "cli.h"
#include "banned.h"

static const struct cmd commands[] = {
	{"init", cmd_init, "create a new encrypted volume in CIPHERDIR"},
	{"mount", cmd_mount, "mount CIPHERDIR's plaintext view on MOUNTPOINT"},
	{"umount", cmd_umount, "unmount (seal) a mounted volume"},
	{"passwd", cmd_passwd, "change the volume's password"},
	{"info", cmd_info, "show the volume's format and parameters (no secrets)"},
	{"fsck", cmd_fsck, "check every name, block and link of CIPHERDIR offline"},
	{"decrypt", cmd_decrypt, "restore CIPHERDIR (or some paths) into DESTDIR offline"},
	{"cat", cmd_cat, "decrypt one file of CIPHERDIR to standard output offline"},
	{"import", cmd_import, "turn an EncFS volume into a new sealfs volume, verifying it"},
	{"encrypt", cmd_encrypt, "add a plain tree to CIPHERDIR offline (no FUSE)"},
	{"put", cmd_put, "write standard input into one file of CIPHERDIR offline"},
};

static void usage(FILE *f)
{
	fprintf(f, "usage: sealfs COMMAND [OPTIONS] ARGS...\n\n"
		   "An encrypted FUSE filesystem for backups.\n\ncommands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(f, "  %-8s %s\n", commands[i].name, commands[i].summary);
	fprintf(f, "\n'sealfs COMMAND --help' shows a command's options.\n"
		   "\nexit codes: 0 ok, 1 failure, 2 usage error, 3 wrong password,\n"
		   "  4 config missing/corrupt/tampered/unsupported, 5 mount failed,\n"
		   "  6 CIPHERDIR not empty (init), 7 damage found (fsck, decrypt, cat, import)\n"
		   "\ninfo, fsck, decrypt and cat also read EncFS volumes (found by their\n"
		   ".encfs6.xml, .encfs5 or .encfs4); import turns one into a sealfs volume.\n");
}

int usage_error(const char *cmd, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_error("%s", msg);
	fprintf(stderr, "try 'sealfs %s--help'\n", cmd ? cmd : "");
	return EXIT_USAGE;
}

int config_error(const char *dir, int err, const char *why)
{
	return config_error_named(dir, SFS_CONFIG_NAME, err, why);
}

int config_error_named(const char *dir, const char *name, int err, const char *why)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	switch (err) {
	case -ENOENT:
		log_error("cannot read config '%s': no such file (not a sealfs volume, or the "
			  "config was not copied with the data)", path);
		return EXIT_CONFIG;
	case -EKEYREJECTED:
		log_error("wrong password for '%s'", dir);
		return EXIT_PASSWORD;
	case -EBADMSG:
		log_error("cannot use config '%s': %s", path,
			  why && *why ? why : "bad MAC (file edited or corrupt)");
		return EXIT_CONFIG;
	default:
		log_error("cannot use config '%s': %s", path, why && *why ? why : strerror(-err));
		return err == -ENOMEM ? EXIT_FAIL : EXIT_CONFIG;
	}
}

int main(int argc, char **argv)
{
	log_init("sealfs");
	opterr = 0;
	harden_process();
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "--version") || !strcmp(argv[1], "-V")) {
		printf("sealfs %s (format %d)\n", PROJECT_VERSION, SFS_CONFIG_VERSION);
		return EXIT_OK;
	}
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(argv[1], commands[i].name))
			return commands[i].run(argc - 1, argv + 1);
	return usage_error(NULL, "unknown command '%s'", argv[1]);
}
