/*
 * volume.c - open a sealfs or EncFS volume for the offline commands (sealfs
 * CLI layer); see volume.h. The EncFS password is used as read (one line,
 * its newline removed, as EncFS's --extpass and -S do).
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "config.h"
#include "crypto.h"
#include "io.h"
#include "log.h"
#include "cli.h"
#include "unlock.h"
#include "volume.h"
#include "banned.h"

bool vol_is_encfs(const char *dir)
{
	int fd = io_open_dir(dir);
	bool r = false;
	struct stat st;

	if (fd < 0)
		return false;
	if (fstatat(fd, SFS_CONFIG_NAME, &st, AT_SYMLINK_NOFOLLOW) < 0)
		r = efs_config_detect(fd) != NULL;
	close(fd);
	return r;
}

int vol_encfs_config(const char *dir, struct efs_config *c, int *ret_rootfd)
{
	const char *why = NULL;
	int fd = io_open_dir(dir), err;

	if (fd < 0) {
		log_error("cannot open '%s': %s", dir, strerror(-fd));
		return EXIT_FAIL;
	}
	err = efs_config_load(fd, c, &why);
	if (err) {
		const char *name = efs_config_detect(fd);
		log_error("cannot use EncFS config '%s/%s': %s", dir, name ? name : ".encfs6.xml",
			  why ? why : strerror(-err));
		close(fd);
		return err == -ENOMEM ? EXIT_FAIL : EXIT_CONFIG;
	}
	*ret_rootfd = fd;
	return 0;
}

static int open_encfs(const char *dir, const char *pw, size_t pwlen, struct vol *v)
{
	int err;

	err = efs_volume_open(v->rootfd, &v->ecfg, pw, pwlen, &v->efs);
	if (err == -EKEYREJECTED) {
		log_error("wrong password for '%s'", dir);
		return EXIT_PASSWORD;
	}
	if (err == -ENOPROTOOPT) {
		log_error("cannot open '%s': its cipher %s needs OpenSSL's legacy provider "
			  "(legacy.so), which cannot be loaded",
			  dir, v->ecfg.cipher.name);
		return EXIT_CONFIG;
	}
	if (err) {
		log_error("cannot open '%s': %s", dir, strerror(-err));
		return EXIT_FAIL;
	}
	v->esrc.v = v->efs;
	return 0;
}

int vol_open_encfs_pw(const char *dir, const char *pw, size_t pwlen, struct vol *v)
{
	int r;

	memset(v, 0, sizeof(*v));
	v->rootfd = -1;
	v->dir = dir;
	v->kind = VOL_ENCFS;
	r = vol_encfs_config(dir, &v->ecfg, &v->rootfd);
	return r ? r : open_encfs(dir, pw, pwlen, v);
}

int vol_open(const char *dir, const struct pw_opts *pw, const char *mkfile, struct vol *v)
{
	uint8_t master[SFS_MASTER_KEY_LEN];
	struct sfs_config conf;
	bool no_config;
	int r;

	memset(v, 0, sizeof(*v));
	v->rootfd = -1;
	v->dir = dir;
	if (vol_is_encfs(dir)) {
		char *pass = NULL;
		size_t plen = 0;
		v->kind = VOL_ENCFS;
		if (mkfile) {
			log_error("'%s' is an EncFS volume: --masterkey is for sealfs volumes",
				  dir);
			return EXIT_USAGE;
		}
		r = vol_encfs_config(dir, &v->ecfg, &v->rootfd);
		if (r)
			return r;
		r = pw_read(pw, pw->prompt ? pw->prompt : "EncFS password: ", false, &pass, &plen);
		if (r)
			return EXIT_FAIL;
		r = open_encfs(dir, pass, plen, v);
		pw_free(pass);
		return r;
	}
	v->kind = VOL_SEALFS;
	r = unlock_load_config(dir, mkfile, &conf, &no_config);
	if (r)
		return r;
	v->rootfd = io_open_dir(dir);
	if (v->rootfd < 0) {
		log_error("cannot open '%s': %s", dir, strerror(-v->rootfd));
		return EXIT_FAIL;
	}
	v->no_config = no_config;
	r = unlock_master(dir, &conf, no_config, pw, mkfile, master);
	if (r)
		return r;
	r = sfs_keys_new(master, &v->keys);
	sfs_wipe(master, sizeof(master));
	if (r) {
		log_error("cannot derive keys: %s", strerror(-r));
		return EXIT_FAIL;
	}
	v->ssrc.k = v->keys;
	v->ssrc.rootfd = v->rootfd;
	return 0;
}

void vol_close(struct vol *v)
{
	efs_volume_free(v->efs);
	sfs_keys_free(v->keys);
	if (v->rootfd >= 0)
		close(v->rootfd);
	v->efs = NULL;
	v->keys = NULL;
	v->rootfd = -1;
}

void vol_source(struct vol *v, struct rs_source *ret)
{
	if (v->kind == VOL_ENCFS) {
		ret->ops = &rs_encfs_source;
		ret->ctx = &v->esrc;
		ret->block = v->ecfg.block_size - v->ecfg.mac_bytes - v->ecfg.rand_bytes;
	} else {
		ret->ops = &rs_sealfs_source;
		ret->ctx = &v->ssrc;
		ret->block = 4096;
	}
}
