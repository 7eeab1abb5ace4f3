/*
 * encfs5-gen.c - write an EncFS V5 config (.encfs5) with a fresh random
 * volume key, for the tests (tests layer; uses the core's EncFS code only
 * to serialise and wrap). Debian's encfs 1.9.5 reads and writes V5 volumes
 * of subVersion 20040813 but cannot create one: the tests write the config
 * with this, let `encfsctl autocheckpasswd` accept the key wrap, and let
 * `encfs` write the data. With --rekey FILE it instead rewrites an existing
 * .encfs5 (its key kept) with other header fields, e.g. the subVersion of
 * EncFS 1.4.2.
 *
 *   encfs5-gen [--cipher NAME] [--bits N] [--block N] [--names NAME VER]
 *              [--subversion N] [--holes] [--mac N] [--rand N] [--external]
 *              [--no-unique] [--no-chain] DIR PASSWORD
 *   encfs5-gen --resub N DIR      rewrite DIR/.encfs5 with subVersion N
 *                                 (20080411 adds allowHoles 0)
 *
 * Defaults: the 2009 standard volume (ssl/blowfish 2:1:1, 160 bits, 512-byte
 * blocks, nameio/block 3:0:1, unique IV, chained IV, subVersion 20040813).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "encfs-config.h"
#include "encfs-crypto.h"
#include "io.h"
#include "banned.h"

static unsigned num(const char *s)
{
	return (unsigned)strtoul(s, NULL, 10);
}

static int die(const char *msg)
{
	fprintf(stderr, "encfs5-gen: %s\n", msg);
	return 1;
}

int main(int argc, char **argv)
{
	struct efs_config c = {0};
	const struct efs_cipher *ci;
	struct efs_key *u = NULL;
	uint8_t uk[EFS_KEY_MAX + EFS_IV_MAX], vk[EFS_KEY_MAX + EFS_IV_MAX], buf[4096];
	const char *cipher = "ssl/blowfish", *names = "nameio/block";
	unsigned names_ver = 3, resub = 0;
	int i = 1, dfd;
	long n;

	c.key_bits = 160;
	c.block_size = 512;
	c.unique_iv = c.chained_iv = true;
	c.subversion = 20040813;
	for (; i < argc && !strncmp(argv[i], "--", 2); i++) {
		const char *o = argv[i];
		bool has = i + 1 < argc;
		if (!strcmp(o, "--cipher") && has)
			cipher = argv[++i];
		else if (!strcmp(o, "--bits") && has)
			c.key_bits = num(argv[++i]);
		else if (!strcmp(o, "--block") && has)
			c.block_size = num(argv[++i]);
		else if (!strcmp(o, "--names") && i + 2 < argc) {
			names = argv[++i];
			names_ver = num(argv[++i]);
		} else if (!strcmp(o, "--subversion") && has)
			c.subversion = num(argv[++i]);
		else if (!strcmp(o, "--resub") && has)
			resub = num(argv[++i]);
		else if (!strcmp(o, "--holes"))
			c.allow_holes = true;
		else if (!strcmp(o, "--mac") && has)
			c.mac_bytes = num(argv[++i]);
		else if (!strcmp(o, "--rand") && has)
			c.rand_bytes = num(argv[++i]);
		else if (!strcmp(o, "--external"))
			c.external_iv = true;
		else if (!strcmp(o, "--no-unique"))
			c.unique_iv = false;
		else if (!strcmp(o, "--no-chain"))
			c.chained_iv = false;
		else
			return die("bad option (see the comment at the top of encfs5-gen.c)");
	}
	if (resub) {
		struct efs_config old;
		const char *why = "";
		if (argc - i != 1)
			return die("--resub N DIR");
		dfd = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0 || efs_config_load(dfd, &old, &why))
			return die(why);
		old.subversion = resub;
		old.allow_holes = false;
		n = efs_config_write_v5(&old, buf, sizeof(buf));
		if (n < 0 || io_write_file_atomic_at(dfd, ".encfs5", buf, (size_t)n, 0644))
			return die("cannot write .encfs5");
		return 0;
	}
	if (argc - i != 2)
		return die("expected DIR PASSWORD");
	ci = efs_cipher_lookup(cipher);
	if (!ci)
		return die("unknown cipher");
	snprintf(c.cipher.name, sizeof(c.cipher.name), "%s", cipher);
	c.cipher.cur = 2, c.cipher.rev = 1, c.cipher.age = 1;
	snprintf(c.naming.name, sizeof(c.naming.name), "%s", names);
	c.naming.cur = names_ver, c.naming.rev = 0, c.naming.age = 1;
	snprintf(c.creator, sizeof(c.creator), "EncFS 1.4.1");
	size_t kl = c.key_bits / 8, ivl = ci->bs;
	if (efs_password_key(argv[i + 1], strlen(argv[i + 1]), NULL, 0, 0, uk, kl, ivl) ||
	    efs_key_new(ci, 2, uk, kl, uk + kl, &u))
		return die("cannot make the user key (blowfish needs OpenSSL's legacy provider)");
	if (sfs_random(vk, kl + ivl) || efs_key_wrap(u, vk, kl, vk + kl, ivl, c.keydata))
		return die("cannot wrap the volume key");
	c.keydata_len = 4 + kl + ivl;
	efs_key_free(u);
	sfs_wipe(vk, sizeof(vk));
	sfs_wipe(uk, sizeof(uk));
	n = efs_config_write_v5(&c, buf, sizeof(buf));
	dfd = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (n < 0 || dfd < 0 || io_write_file_atomic_at(dfd, ".encfs5", buf, (size_t)n, 0644))
		return die("cannot write .encfs5");
	return 0;
}
