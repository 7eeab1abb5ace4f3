/*
 * cli.h - the sealfs command line: exit codes, the command table and the
 * password options every command shares (sealfs CLI layer).
 */
#ifndef SEALFS_CLI_H
#define SEALFS_CLI_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Exit codes (documented in sealfs(1) and sealfs --help). */
enum {
	EXIT_OK = 0,
	EXIT_FAIL = 1,	   /* anything not listed below */
	EXIT_USAGE = 2,	   /* bad flag or argument */
	EXIT_PASSWORD = 3, /* wrong password or master key */
	EXIT_CONFIG = 4,   /* config missing, corrupt, tampered with or unsupported */
	EXIT_MOUNT = 5,	   /* the mount could not be made */
	EXIT_EXISTS = 6,   /* init: CIPHERDIR not empty */
	EXIT_DAMAGE = 7,   /* damage found (fsck, decrypt) */
};

struct cmd {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *summary;
};

int cmd_init(int argc, char **argv);
int cmd_mount(int argc, char **argv);
int cmd_umount(int argc, char **argv);
int cmd_passwd(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_fsck(int argc, char **argv);
int cmd_decrypt(int argc, char **argv);
int cmd_cat(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_encrypt(int argc, char **argv);
int cmd_put(int argc, char **argv);

struct sfs_kdf;
/*
 * Make a new sealfs volume in DIR (absent or empty) with password PASS:
 * config, root directory IV; prints the master key unless QUIET. master
 * gets the key (the caller wipes it). Returns an exit code (cmd_init.c).
 */
int init_new_volume(const char *dir, const char *pass, size_t plen, const struct sfs_kdf *kdf,
		    bool quiet, uint8_t master[32]);

/* Password options, the same on every command (password.c). */
struct pw_opts {
	bool use_stdin;
	const char *passfile;
	const char *extpass;
	const char *new_passfile; /* passwd only */
	const char *prompt;	  /* on the terminal; NULL: "Password: " */
};

#define PW_OPT_STDIN 'S'
#define PW_OPT_PASSFILE 1001
#define PW_OPT_EXTPASS 1002
#define PW_OPT_NEW_PASSFILE 1003
#define PW_LONG_OPTIONS                                                                            \
	{"stdin", no_argument, NULL, PW_OPT_STDIN},                                                \
		{"passfile", required_argument, NULL, PW_OPT_PASSFILE},                            \
	{                                                                                          \
		"extpass", required_argument, NULL, PW_OPT_EXTPASS                                 \
	}
#define PW_HELP                                                                                    \
	"password options:\n"                                                                      \
	"  -S, --stdin          read the password from the first line of standard input\n"        \
	"      --passfile FILE  read the password from the first line of FILE\n"                  \
	"      --extpass CMD    run CMD with /bin/sh and read the first line it prints\n"          \
	"  (without these, sealfs asks on the terminal without echo)\n"

/* Handle one password option from getopt; true when it was one. */
bool pw_opt(struct pw_opts *o, int c, const char *arg);

/*
 * Read a password as the options say; PROMPT for the terminal, CONFIRM asks
 * twice. *ret_pw is locked memory (free with pw_free). Returns 0 or -errno
 * after printing a one-line message.
 */
int pw_read(const struct pw_opts *o, const char *prompt, bool confirm, char **ret_pw,
	    size_t *ret_len);
/* The new password of `passwd`: --new-passfile, the second stdin line, or the tty. */
int pw_read_new(const struct pw_opts *o, char **ret_pw, size_t *ret_len);
void pw_free(char *pw);

/* Print "sealfs: cannot read config 'DIR/sealfs.conf': WHY" and map to an exit code. */
int config_error(const char *dir, int err, const char *why);
/* The same for a config file of another name (reverse mode). */
int config_error_named(const char *dir, const char *name, int err, const char *why);

/* Print S for a report: as the inside of a JSON string, or with control
 * characters and bad UTF-8 as \xNN (cmd_fsck.c). */
#include <stdio.h>
void put_escaped(FILE *f, const char *s, bool json);
/* S as a JSON string, or null. */
void json_string(FILE *f, const char *s);

/* Turn off core dumps and ptrace attach for this process (secrets in memory). */
void harden_process(void);

/* "1 file", "2 files": the word for count N. */
#define PLURAL(n, one, many) ((n) == 1 ? (one) : (many))

/* Usage error: message + hint, returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
