/*
 * unlock.c - open a volume's config and get its master key from a password
 * or from a master key file (sealfs CLI layer). Shared by mount, passwd and
 * the offline commands.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "config.h"
#include "crypto.h"
#include "io.h"
#include "log.h"
#include "util.h"
#include "cli.h"
#include "unlock.h"
#include "fs.h"
#include "keys.h"
#include "tree.h"
#include "banned.h"

const char *unlock_config_name(const char *dir)
{
	char p[PATH_MAX + 64];

	snprintf(p, sizeof(p), "%s/%s", dir, SFS_CONFIG_NAME);
	if (access(p, F_OK) == 0)
		return SFS_CONFIG_NAME;
	snprintf(p, sizeof(p), "%s/%s", dir, SFS_REVERSE_CONFIG_NAME);
	if (access(p, F_OK) == 0)
		return SFS_REVERSE_CONFIG_NAME;
	return SFS_CONFIG_NAME;
}

int unlock_load_config(const char *dir, const char *masterkey_file, struct sfs_config *c,
		       bool *ret_missing)
{
	char p[PATH_MAX + 64];

	if (ret_missing)
		*ret_missing = false;
	snprintf(p, sizeof(p), "%s/%s", dir, SFS_CONFIG_NAME);
	if (masterkey_file && ret_missing && access(p, F_OK) < 0 && errno == ENOENT &&
	    access(dir, F_OK) == 0) {
		log_warn("no '%s': opening with the master key alone ('sealfs init --masterkey "
			 "FILE %s' writes a new config)", p, dir);
		sfs_config_defaults(c, 0);
		*ret_missing = true;
		return 0;
	}
	return unlock_load_config_named(dir, SFS_CONFIG_NAME, c);
}

int unlock_load_config_named(const char *dir, const char *name, struct sfs_config *c)
{
	_cleanup_close_ int dfd = io_open_dir(dir);
	char why[256] = "";
	int r;

	if (dfd < 0) {
		log_error("cannot open '%s': %s", dir, strerror(-dfd));
		return dfd == -ENOENT || dfd == -ENOTDIR ? EXIT_CONFIG : EXIT_FAIL;
	}
	r = sfs_config_load_at(dfd, name, c, why, sizeof(why));
	if (r)
		return config_error_named(dir, name, r, why);
	return 0;
}

/* Parse 64 hex digits, ignoring '-', spaces and newlines. */
static int parse_master(const char *text, uint8_t out[SFS_MASTER_KEY_LEN])
{
	char hex[2 * SFS_MASTER_KEY_LEN + 1];
	size_t n = 0;
	int r;

	for (const char *p = text; *p; p++) {
		if (*p == '-' || isspace((unsigned char)*p))
			continue;
		if (n == 2 * SFS_MASTER_KEY_LEN)
			return -EINVAL;
		hex[n++] = *p;
	}
	hex[n] = '\0';
	r = n == 2 * SFS_MASTER_KEY_LEN ? hex_decode(hex, out, SFS_MASTER_KEY_LEN) : -EINVAL;
	sfs_wipe(hex, sizeof(hex));
	return r;
}

int unlock_read_master(const char *file, uint8_t out[SFS_MASTER_KEY_LEN])
{
	char *buf = sfs_secure_alloc(4096);
	ssize_t n;
	int fd, r;

	if (!buf)
		return -ENOMEM;
	fd = strcmp(file, "-") ? open(file, O_RDONLY | O_CLOEXEC | O_NOCTTY) : STDIN_FILENO;
	if (fd < 0) {
		r = -errno;
		log_error("cannot open master key file '%s': %s", file, strerror(errno));
		sfs_secure_free(buf, 4096);
		return r;
	}
	n = io_read_full(fd, buf, 4095);
	if (fd != STDIN_FILENO)
		close(fd);
	r = n < 0 ? (int)n : 0;
	if (!r) {
		buf[n] = '\0';
		r = parse_master(buf, out);
		if (r)
			log_error("master key from '%s' is not 64 hex digits", file);
	}
	sfs_secure_free(buf, 4096);
	return r;
}

int unlock_check_key_by_names(const char *dir, const uint8_t master[SFS_MASTER_KEY_LEN])
{
	_cleanup_close_ int fd = io_open_dir(dir);
	struct sfs_keys *k = NULL;
	int r;

	if (fd < 0) {
		log_error("cannot open '%s': %s", dir, strerror(-fd));
		return EXIT_FAIL;
	}
	r = sfs_keys_new(master, &k);
	if (r) {
		log_error("cannot derive keys: %s", strerror(-r));
		return EXIT_FAIL;
	}
	r = sfs_tree_check_key(k, fd);
	sfs_keys_free(k);
	switch (r) {
	case 0:
		return EXIT_OK;
	case -ENODATA:
		log_warn("'%s' holds no name to check the master key against: a wrong key would "
			 "show an empty volume", dir);
		return EXIT_OK;
	case -EKEYREJECTED:
		log_error("wrong master key for '%s' (no name in it decrypts)", dir);
		return EXIT_PASSWORD;
	case -ENOENT:
	case -EIO:
		log_error("'%s' is not a sealfs volume: its '%s' is %s", dir, SFS_DIRIV_NAME,
			  r == -ENOENT ? "missing" : "damaged");
		return EXIT_CONFIG;
	default:
		log_error("cannot check the master key against '%s': %s", dir, strerror(-r));
		return EXIT_FAIL;
	}
}

int unlock_master(const char *dir, const struct sfs_config *c, bool no_config,
		  const struct pw_opts *pw, const char *masterkey_file,
		  uint8_t master[SFS_MASTER_KEY_LEN])
{
	char *pass = NULL;
	size_t plen = 0;
	int r;

	if (masterkey_file) {
		r = unlock_read_master(masterkey_file, master);
		if (r)
			return EXIT_FAIL;
		if (no_config) {
			r = unlock_check_key_by_names(dir, master);
			if (r)
				sfs_wipe(master, SFS_MASTER_KEY_LEN);
			return r;
		}
		r = sfs_config_check_master(c, master);
		if (r) {
			sfs_wipe(master, SFS_MASTER_KEY_LEN);
			log_error("wrong master key for '%s'", dir);
			return EXIT_PASSWORD;
		}
		return 0;
	}
	r = pw_read(pw, pw->prompt ? pw->prompt : "Password: ", false, &pass, &plen);
	if (r)
		return EXIT_FAIL;
	r = sfs_config_unlock(c, pass, plen, master);
	pw_free(pass);
	if (r)
		return config_error(dir, r, NULL);
	return 0;
}
