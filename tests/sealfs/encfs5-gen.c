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
 *   encfs5-gen --v4 [--cipher NAME] [--bits N] [--block N] DIR PASSWORD
 *                                 a V4 .encfs4 (EncFS 1.0.x layout: stream names,
 *                                 no IV options, no MACs), cipher interface 2:1:1
 *   encfs5-gen --v6 [options] DIR PASSWORD
 *                                 a V6 .encfs6.xml of EncFS 1.5/1.6 instead:
 *                                 cipher interface 2:2 (old IVs) with a PBKDF2
 *                                 salt (1000 iterations), subversion 20080816
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

#include <openssl/evp.h>

#include "crypto.h"
#include "encfs-config.h"
#include "encfs-crypto.h"
#include "io.h"
#include "banned.h"

static unsigned num(const char *s)
{
	return (unsigned)strtoul(s, NULL, 10);
}

static void b64(const uint8_t *in, size_t n, char *out)
{
	EVP_EncodeBlock((unsigned char *)out, in, (int)n);
}

/* The V6 XML of C (EncFS 1.5/1.6 layout, boost class versions of that time). */
static long write_v6(const struct efs_config *c, char *out, size_t cap)
{
	char kd[128], salt[64];
	int n;

	b64(c->keydata, c->keydata_len, kd);
	b64(c->salt, c->salt_len, salt);
	n = snprintf(out, cap,
		     "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\" ?>\n"
		     "<!DOCTYPE boost_serialization>\n"
		     "<boost_serialization signature=\"serialization::archive\" version=\"4\">\n"
		     "<config class_id=\"0\" tracking_level=\"0\" version=\"20080816\">\n"
		     "\t<creator>EncFS 1.5</creator>\n"
		     "\t<cipherAlg class_id=\"1\" tracking_level=\"0\" version=\"0\">\n"
		     "\t\t<name>%s</name>\n\t\t<major>2</major>\n\t\t<minor>2</minor>\n"
		     "\t</cipherAlg>\n"
		     "\t<nameAlg>\n\t\t<name>%s</name>\n\t\t<major>%u</major>\n"
		     "\t\t<minor>0</minor>\n\t</nameAlg>\n"
		     "\t<keySize>%u</keySize>\n\t<blockSize>%u</blockSize>\n"
		     "\t<uniqueIV>%d</uniqueIV>\n\t<chainedNameIV>%d</chainedNameIV>\n"
		     "\t<externalIVChaining>%d</externalIVChaining>\n"
		     "\t<blockMACBytes>%u</blockMACBytes>\n"
		     "\t<blockMACRandBytes>%u</blockMACRandBytes>\n"
		     "\t<allowHoles>%d</allowHoles>\n"
		     "\t<encodedKeySize>%zu</encodedKeySize>\n"
		     "\t<encodedKeyData>%s</encodedKeyData>\n"
		     "\t<saltLen>%zu</saltLen>\n\t<saltData>%s</saltData>\n"
		     "\t<kdfIterations>%u</kdfIterations>\n"
		     "\t<desiredKDFDuration>500</desiredKDFDuration>\n"
		     "</config>\n</boost_serialization>\n",
		     c->cipher.name, c->naming.name, c->naming.cur, c->key_bits, c->block_size,
		     c->unique_iv, c->chained_iv, c->external_iv, c->mac_bytes, c->rand_bytes,
		     c->allow_holes, c->keydata_len, kd, c->salt_len, salt, c->iterations);
	return n < 0 || (size_t)n >= cap ? -ENOSPC : n;
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
	bool v6 = false, v4 = false;
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
		else if (!strcmp(o, "--v6"))
			v6 = true;
		else if (!strcmp(o, "--v4"))
			v4 = true;
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
	if (v6) {
		c.cipher.rev = 2;
		c.salt_len = 20;
		c.iterations = 1000;
		if (sfs_random(c.salt, c.salt_len))
			return die("no random bytes");
	}
	if (efs_password_key(argv[i + 1], strlen(argv[i + 1]), c.salt, c.salt_len, c.iterations, uk,
			     kl, ivl) ||
	    efs_key_new(ci, 2, uk, kl, uk + kl, &u))
		return die("cannot make the user key (blowfish needs OpenSSL's legacy provider)");
	if (sfs_random(vk, kl + ivl) || efs_key_wrap(u, vk, kl, vk + kl, ivl, c.keydata))
		return die("cannot wrap the volume key");
	c.keydata_len = 4 + kl + ivl;
	efs_key_free(u);
	sfs_wipe(vk, sizeof(vk));
	sfs_wipe(uk, sizeof(uk));
	n = v6	 ? write_v6(&c, (char *)buf, sizeof(buf))
	    : v4 ? efs_config_write_v4(&c, buf, sizeof(buf))
		 : efs_config_write_v5(&c, buf, sizeof(buf));
	dfd = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (n < 0 || dfd < 0 ||
	    io_write_file_atomic_at(dfd,
				    v6	 ? ".encfs6.xml"
				    : v4 ? ".encfs4"
					 : ".encfs5",
				    buf, (size_t)n, 0644))
		return die("cannot write the config");
	return 0;
}
