/*
 * test-config.c - unit and known-answer tests of the volume config file,
 * sealfs.conf (tests layer; sealfs/core/config.h).
 *
 * Round trips create -> parse -> unlock (scrypt logn 10 for speed), a config
 * file made once and pinned (it must keep unlocking, and is re-verified step
 * by step with refcrypto.c from the format description), and the refusals:
 * wrong password, every single-byte edit of every settings line (with the
 * checksum as it was, and recomputed), truncation, missing and extra lines,
 * unknown features, newer versions, weak KDF parameters, non-canonical text,
 * rewrap, and loading from a directory.
 */
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <openssl/evp.h>
#include <openssl/sha.h>

#include "cleanup.h"
#include "config.h"
#include "crypto.h"
#include "refcrypto.h"
#include "tap.h"
#include "util.h"
#include "banned.h"

static const struct sfs_kdf fast = {.logn = 10, .r = 8, .p = 1};
static const char pw[] = "correct horse battery staple";

/* A fresh config: text (malloc'd) and master key. Aborts on failure. */
static char *make(unsigned features, uint8_t master[32], size_t *ret_len)
{
	char *text = NULL;
	size_t len = 0;

	if (sfs_config_create(pw, strlen(pw), &fast, features, master, &text, &len))
		abort();
	*ret_len = len;
	return text;
}

/* A copy of text with line `from` (a whole line, with its '\n') replaced by `to`. */
static char *replace_line(const char *text, const char *from, const char *to)
{
	const char *p = strstr(text, from);
	size_t fl = strlen(from), tl = strlen(to), len = strlen(text);
	char *out;

	if (!p)
		abort();
	out = malloc(len - fl + tl + 1);
	if (!out)
		abort();
	memcpy(out, text, (size_t)(p - text));
	memcpy(out + (p - text), to, tl);
	memcpy(out + (p - text) + tl, p + fl, len - (size_t)(p - text) - fl + 1);
	return out;
}

/* The "<key> <value>\n" line of text that starts with key (with the newline). */
static char *get_line(const char *text, const char *key)
{
	size_t kl = strlen(key);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
		if (!strncmp(p, key, kl) && p[kl] == ' ') {
			const char *nl = strchr(p, '\n');
			return strndup(p, nl ? (size_t)(nl - p + 1) : strlen(p));
		}
	}
	abort();
}

/*
 * Recompute the checksum line, as an attacker (or a careless editor) who
 * knows the format would: SHA-256 of everything before "checksum ". Returns
 * a malloc'd copy; unchanged when there is no checksum line at a line start.
 */
static char *fix_checksum(const char *text, size_t len, size_t *ret_len)
{
	const char *p = NULL;
	char hex[65], *out;
	uint8_t d[32];
	size_t off, rest_off, o;

	for (size_t i = 0; i + 9 <= len; i++) {
		if ((i == 0 || text[i - 1] == '\n') && !memcmp(text + i, "checksum ", 9)) {
			p = text + i;
			break;
		}
	}
	out = malloc(len + 80);
	if (!out)
		abort();
	if (!p) {
		memcpy(out, text, len);
		*ret_len = len;
		return out;
	}
	off = (size_t)(p - text);
	rest_off = off;
	while (rest_off < len && text[rest_off] != '\n')
		rest_off++;
	if (rest_off < len)
		rest_off++;
	SHA256((const unsigned char *)text, off, d);
	hex_encode(d, 32, hex);
	memcpy(out, text, off);
	o = off;
	memcpy(out + o, "checksum ", 9);
	o += 9;
	memcpy(out + o, hex, 64);
	o += 64;
	out[o++] = '\n';
	memcpy(out + o, text + rest_off, len - rest_off);
	o += len - rest_off;
	*ret_len = o;
	return out;
}

static int parse_str(const char *text, struct sfs_config *c)
{
	char why[128];

	return sfs_config_parse(text, strlen(text), c, why, sizeof(why));
}

static int parse_fixed(const char *text, struct sfs_config *c)
{
	size_t n;
	char *fixed = fix_checksum(text, strlen(text), &n);
	char why[128];
	int r = sfs_config_parse(fixed, n, c, why, sizeof(why));

	free(fixed);
	return r;
}

static void test_roundtrip(void)
{
	struct sfs_config c;
	uint8_t master[32], got[32], wrong[32];
	size_t len;
	char *text = make(0, master, &len), why[128] = "";

	CHECK_EQ(strlen(text), len);
	CHECK_EQ(sfs_config_parse(text, len, &c, why, sizeof(why)), 0);
	CHECK_STR(why, "");
	CHECK_EQ(c.version, SFS_CONFIG_VERSION);
	CHECK_EQ(c.features, 0);
	CHECK_EQ(c.block_size, 4096);
	CHECK_EQ(c.kdf.logn, 10);
	CHECK_EQ(c.kdf.r, 8);
	CHECK_EQ(c.kdf.p, 1);
	CHECK(strstr(text, "\nfeatures none\n") != NULL);

	memset(got, 0, sizeof(got));
	CHECK_EQ(sfs_config_unlock(&c, pw, strlen(pw), got), 0);
	CHECK_MEM(got, master, 32);
	CHECK_EQ(sfs_config_check_master(&c, master), 0);

	/* Wrong passwords: off by one byte, a prefix, empty. */
	memset(got, 0x5a, sizeof(got));
	memcpy(wrong, got, 32);
	CHECK_EQ(sfs_config_unlock(&c, "correct horse battery stapler", 29, got), -EKEYREJECTED);
	CHECK_EQ(sfs_config_unlock(&c, pw, strlen(pw) - 1, got), -EKEYREJECTED);
	CHECK_EQ(sfs_config_unlock(&c, "", 0, got), -EKEYREJECTED);
	CHECK_MEM(got, wrong, 32); /* out-parameter untouched on failure */
	wrong[0] = (uint8_t)(master[0] ^ 1);
	memcpy(wrong + 1, master + 1, 31);
	CHECK_EQ(sfs_config_check_master(&c, wrong), -EKEYREJECTED);

	/* Two volumes never share a master key or salt. */
	{
		uint8_t m2[32];
		struct sfs_config c2;
		char *t2 = make(0, m2, &len);
		CHECK(memcmp(master, m2, 32) != 0);
		CHECK_EQ(parse_str(t2, &c2), 0);
		CHECK(memcmp(c.salt, c2.salt, sizeof(c.salt)) != 0);
		CHECK_EQ(sfs_config_check_master(&c2, master), -EKEYREJECTED);
		free(t2);
	}
	free(text);

	/* The reverse feature survives the trip and is written by name. */
	text = make(SFS_FEAT_REVERSE, master, &len);
	CHECK(strstr(text, "\nfeatures reverse\n") != NULL);
	CHECK_EQ(parse_str(text, &c), 0);
	CHECK_EQ(c.features, SFS_FEAT_REVERSE);
	CHECK_EQ(sfs_config_unlock(&c, pw, strlen(pw), got), 0);
	CHECK_MEM(got, master, 32);
	free(text);

	/* An empty password is a password like any other. */
	{
		char *t = NULL;
		CHECK_EQ(sfs_config_create("", 0, &fast, 0, master, &t, &len), 0);
		CHECK_EQ(parse_str(t, &c), 0);
		CHECK_EQ(sfs_config_unlock(&c, "", 0, got), 0);
		CHECK_MEM(got, master, 32);
		CHECK_EQ(sfs_config_unlock(&c, "x", 1, got), -EKEYREJECTED);
		free(t);
	}
}

static void test_create_refuses(void)
{
	uint8_t master[32];
	char *text = NULL;
	size_t len = 0;
	struct sfs_kdf k;

	k = (struct sfs_kdf){.logn = 9, .r = 8, .p = 1};
	CHECK_EQ(sfs_config_create(pw, 3, &k, 0, master, &text, &len), -ERANGE);
	k = (struct sfs_kdf){.logn = 25, .r = 8, .p = 1};
	CHECK_EQ(sfs_config_create(pw, 3, &k, 0, master, &text, &len), -ERANGE);
	k = (struct sfs_kdf){.logn = 10, .r = 7, .p = 1};
	CHECK_EQ(sfs_config_create(pw, 3, &k, 0, master, &text, &len), -ERANGE);
	k = (struct sfs_kdf){.logn = 10, .r = 8, .p = 0};
	CHECK_EQ(sfs_config_create(pw, 3, &k, 0, master, &text, &len), -ERANGE);
	CHECK_EQ(sfs_config_create(pw, 3, &fast, 0x2, master, &text, &len), -EINVAL);
	CHECK(text == NULL);
}

/* Made once by sfs_config_create("pinned password", logn 10): must keep unlocking. */
static const char pinned[] =
    "# sealfs volume configuration. Keep this file with the encrypted data and\n"
    "# back it up: without it nothing can be decrypted, not even with the password.\n"
    "sealfs-config 1\n"
    "features none\n"
    "cipher aes-256-gcm\n"
    "block 4096\n"
    "names aes-256-siv\n"
    "kdf scrypt\n"
    "kdf-logn 10\n"
    "kdf-r 8\n"
    "kdf-p 1\n"
    "salt 8fbc298587c5bba26e5567a9186514cad4b681d966230ccf87629fb406bfb4a4\n"
    "key ef5beb0f2dc49eb2ace029e44306c3d83699749fbb430cf88849ade0ecd48ac2f78a00eace44d59f"
    "33214ef5a5ee492317079d40c6e79adad284809c\n"
    "mac 50df397bca810a860273152cabfeecce6970b774a243206dea365357e979ad10\n"
    "checksum d3544de4534d5304a20143a10c55069b1743ecd043481180bc58a137856b96a4\n";
static const char pinned_master[] =
    "1bc28ca728972c3fc667b53c399fbd7523c70c9b2b531549a8966177c1fc6fbc";

static void test_pinned(void)
{
	struct sfs_config c;
	uint8_t master[32], kek[32], wrapped[60], ref[32], cfgkey[32], d[32];
	const char *settings = strstr(pinned, "sealfs-config 1\n");
	const char *keyline = strstr(pinned, "\nkey ") + 1;
	const char *macline = strstr(pinned, "\nmac ") + 1;
	const char *sumline = strstr(pinned, "\nchecksum ") + 1;

	CHECK_EQ(parse_str(pinned, &c), 0);
	CHECK_EQ(sfs_config_unlock(&c, "pinned password", 15, master), 0);
	CHECK_HEX(master, 32, pinned_master);
	CHECK_EQ(sfs_config_unlock(&c, "pinned passworD", 15, master), -EKEYREJECTED);

	/*
	 * The same, from the format description alone:
	 * KEK = scrypt(pw, salt, N=2^logn, r, p), 32 bytes;
	 * key = nonce(12) | AES-256-GCM(KEK, AD = settings lines up to "salt ..\n") | tag;
	 * mac = HMAC(HKDF(master, "sealfs v1 config"), settings | key line);
	 * checksum = SHA-256 of everything before the checksum line.
	 */
	CHECK_EQ(
	    EVP_PBE_scrypt("pinned password", 15, c.salt, 32, 1024, 8, 1, 64ULL << 20, kek, 32), 1);
	CHECK_EQ(tap_unhex("ef5beb0f2dc49eb2ace029e44306c3d83699749fbb430cf88849ade0ecd48ac2f78a"
			   "00eace44d59f33214ef5a5ee492317079d40c6e79adad284809c",
			   wrapped, sizeof(wrapped)),
		 60);
	CHECK_EQ(ref_gcm_open(kek, wrapped, settings, (size_t)(keyline - settings), wrapped + 12,
			      32, wrapped + 44, ref),
		 0);
	CHECK_HEX(ref, 32, pinned_master);
	CHECK_EQ(ref_hkdf(NULL, 0, ref, 32, "sealfs v1 config", 16, cfgkey, 32), 0);
	CHECK_EQ(ref_hmac(cfgkey, 32, settings, (size_t)(macline - settings), NULL, 0, NULL, 0, d),
		 0);
	CHECK_HEX(d, 32, "50df397bca810a860273152cabfeecce6970b774a243206dea365357e979ad10");
	CHECK_MEM(d, c.mac, 32);
	SHA256((const unsigned char *)pinned, (size_t)(sumline - pinned), d);
	CHECK_HEX(d, 32, "d3544de4534d5304a20143a10c55069b1743ecd043481180bc58a137856b96a4");
}

/* Is the byte value v a lowercase hex digit? */
static bool lowhex(int v)
{
	return (v >= '0' && v <= '9') || (v >= 'a' && v <= 'f');
}

static const char *const config_lines[] = {"sealfs-config", "features", "cipher",  "block", "names",
					   "kdf",	    "kdf-logn", "kdf-r",   "kdf-p", "salt",
					   "key",	    "mac",	"checksum"};

struct edit_stats {
	size_t refused, fixed_parsed, unlocked;
};

/*
 * Check one edited copy ed (len bytes) of the config: byte rel of line li
 * (ll bytes with its newline, value from byte vstart) was set to v. Returns
 * false after reporting a failure. *unlocked: this position had its unlock.
 */
static bool one_edit(const char *ed, size_t len, const struct sfs_config *orig,
		     const uint8_t master[32], size_t li, size_t rel, size_t vstart, size_t ll,
		     int v, bool *unlocked, struct edit_stats *st)
{
	const char *key = config_lines[li];
	bool hexval = !strcmp(key, "salt") || !strcmp(key, "key") || !strcmp(key, "mac") ||
		      !strcmp(key, "checksum");
	bool last = li == ARRAY_SIZE(config_lines) - 1;
	struct sfs_config c;
	char why[128];
	size_t fl;
	char *fixed;
	int r;

	/*
	 * As edited, the checksum no longer matches: the file is corrupt, and
	 * must be reported so (-EBADMSG), or as malformed (-EINVAL) when the
	 * edit broke its structure; never accepted, and "unsupported" only for
	 * a newer version number (whose checksum rules this sealfs cannot know).
	 */
	r = sfs_config_parse(ed, len, &c, why, sizeof(why));
	if (li == 0 && r == -EPROTONOSUPPORT && rel >= vstart)
		return true;
	if (!CHECK(r == -EBADMSG || r == -EINVAL)) {
		fprintf(stderr, "    line '%s', byte %zu set to 0x%02x: %s (%s)\n", key, rel, v,
			tap_errname(r), r ? why : "accepted");
		return false;
	}
	if (hexval && rel >= vstart && rel < ll - 1 && lowhex(v) && !CHECK_EQ(r, -EBADMSG)) {
		fprintf(stderr, "    line '%s', byte %zu set to '%c': %s\n", key, rel, v, why);
		return false;
	}
	st->refused++;
	if (last)
		return true;

	/* With the checksum recomputed: parse, the MAC or the key wrap refuses. */
	fixed = fix_checksum(ed, len, &fl);
	r = sfs_config_parse(fixed, fl, &c, why, sizeof(why));
	free(fixed);
	if (r) {
		if (!CHECK(r == -EINVAL || r == -EPROTONOSUPPORT || r == -ERANGE || r == -EBADMSG))
			return false;
		return true;
	}
	st->fixed_parsed++;
	if (!CHECK(memcmp(&c, orig, sizeof(c)) != 0)) {
		fprintf(stderr,
			"    line '%s', byte %zu set to 0x%02x (checksum recomputed): "
			"accepted as the same config (non-canonical text)\n",
			key, rel, v);
		return false;
	}
	if (!CHECK_EQ(sfs_config_check_master(&c, master), -EKEYREJECTED)) {
		fprintf(stderr, "    line '%s', byte %zu set to 0x%02x: MAC still verifies\n", key,
			rel, v);
		return false;
	}
	/* One full unlock per position (cheap KDF settings only). */
	if (!*unlocked && c.kdf.logn <= 11 && c.kdf.r <= 9 && c.kdf.p <= 2) {
		uint8_t got[32];
		*unlocked = true;
		st->unlocked++;
		r = sfs_config_unlock(&c, pw, strlen(pw), got);
		if (!CHECK(r == -EKEYREJECTED || r == -EBADMSG)) {
			fprintf(stderr, "    line '%s', byte %zu set to 0x%02x: unlock %s\n", key,
				rel, v, tap_errname(r));
			return false;
		}
	}
	return true;
}

static void test_single_byte_edits(void)
{
	struct sfs_config orig;
	struct edit_stats st = {0};
	uint8_t master[32];
	size_t len;
	char *text = make(0, master, &len);
	char *ed = malloc(len + 1);
	bool all_ok = true;

	if (!CHECK_EQ(sfs_config_parse(text, len, &orig, NULL, 0), 0))
		goto out;
	/* Every byte of every line from "sealfs-config" to "checksum", newline included. */
	for (size_t li = 0; li < ARRAY_SIZE(config_lines); li++) {
		char *line = get_line(text, config_lines[li]);
		size_t start = (size_t)(strstr(text, line) - text), ll = strlen(line);
		size_t vstart = strlen(config_lines[li]) + 1;
		bool ok = true;

		for (size_t pos = start; pos < start + ll && ok; pos++) {
			bool unlocked = false;
			for (int v = 0; v < 256 && ok; v++) {
				if (v == (unsigned char)text[pos])
					continue;
				memcpy(ed, text, len + 1);
				ed[pos] = (char)v;
				ok = one_edit(ed, len, &orig, master, li, pos - start, vstart, ll,
					      v, &unlocked, &st);
			}
		}
		free(line);
		all_ok = all_ok && ok;
	}
	printf("# %zu edits refused, %zu parsed with a recomputed checksum, %zu unlocks tried\n",
	       st.refused, st.fixed_parsed, st.unlocked);
	if (!all_ok)
		goto out;
	/* The loops did reach the interesting cases. */
	CHECK(st.refused > 100000);
	CHECK(st.fixed_parsed > 2500);
	CHECK(st.unlocked > 200);
out:
	free(ed);
	free(text);
}

static void test_comment_edits(void)
{
	struct sfs_config c;
	uint8_t master[32];
	size_t len;
	char *text = make(0, master, &len);
	const char *first = strstr(text, "sealfs-config ");

	/* The checksum covers the comment lines too. */
	for (size_t pos = 0; pos < (size_t)(first - text); pos++) {
		char saved = text[pos];
		text[pos] = saved == 'x' ? 'y' : 'x';
		if (!CHECK(sfs_config_parse(text, len, &c, NULL, 0) != 0))
			break;
		text[pos] = saved;
	}
	CHECK_EQ(sfs_config_parse(text, len, &c, NULL, 0), 0);
	free(text);
}

static void test_truncated(void)
{
	struct sfs_config orig, c;
	uint8_t master[32];
	size_t len;
	char *text = make(0, master, &len);

	CHECK_EQ(sfs_config_parse(text, len, &orig, NULL, 0), 0);
	for (size_t n = 0; n + 1 < len; n++) {
		int r = sfs_config_parse(text, n, &c, NULL, 0);
		if (!CHECK(r == -EINVAL || r == -EBADMSG)) {
			fprintf(stderr, "    prefix of %zu bytes: %d\n", n, r);
			break;
		}
	}
	/* Only the final newline may go. */
	CHECK_EQ(sfs_config_parse(text, len - 1, &c, NULL, 0), 0);
	CHECK_MEM(&c, &orig, sizeof(c));
	free(text);
}

static void test_missing_and_extra_lines(void)
{
	const char *const *lines = config_lines;
	struct sfs_config c;
	uint8_t master[32];
	size_t len;
	char *text = make(0, master, &len);

	for (size_t i = 0; i < ARRAY_SIZE(config_lines); i++) {
		char *line = get_line(text, lines[i]);
		char *cut = replace_line(text, line, "");
		char *dup, *twice = malloc(2 * strlen(line) + 1);

		CHECK_EQ(parse_str(cut, &c), -EINVAL);
		CHECK_EQ(parse_fixed(cut, &c), -EINVAL);
		/* The same line twice. */
		snprintf(twice, 2 * strlen(line) + 1, "%s%s", line, line);
		dup = replace_line(text, line, twice);
		CHECK_EQ(parse_fixed(dup, &c), -EINVAL);
		free(dup);
		free(twice);
		free(cut);
		free(line);
	}
	/* Lines swapped. */
	{
		char *a = replace_line(text, "kdf-r 8\nkdf-p 1\n", "kdf-p 1\nkdf-r 8\n");
		CHECK_EQ(parse_fixed(a, &c), -EINVAL);
		free(a);
	}
	/* Anything but comments after the checksum. */
	{
		size_t n = strlen(text);
		char *more = malloc(n + 32);
		snprintf(more, n + 32, "%sextra 1\n", text);
		CHECK_EQ(parse_str(more, &c), -EINVAL);
		free(more);
	}
	/* Not a config at all; empty; binary; too large. */
	CHECK_EQ(parse_str("hello world\n", &c), -EINVAL);
	CHECK_EQ(parse_str("hello\n", &c), -EINVAL);
	CHECK_EQ(sfs_config_parse("", 0, &c, NULL, 0), -EINVAL);
	{
		char *z = malloc(len);
		memcpy(z, text, len);
		z[len / 2] = '\0';
		CHECK_EQ(sfs_config_parse(z, len, &c, NULL, 0), -EINVAL);
		free(z);
		z = calloc(1, SFS_CONFIG_MAX + 1);
		memset(z, '#', SFS_CONFIG_MAX);
		CHECK_EQ(sfs_config_parse(z, SFS_CONFIG_MAX, &c, NULL, 0), -EINVAL);
		free(z);
	}
	free(text);
}

static void test_versions_features_kdf(void)
{
	struct sfs_config c;
	uint8_t master[32];
	size_t len;
	char *text = make(0, master, &len), *t, why[128] = "";

	/* A newer format is refused as such, checksum right or not. */
	t = replace_line(text, "sealfs-config 1\n", "sealfs-config 2\n");
	CHECK_EQ(parse_str(t, &c), -EPROTONOSUPPORT);
	CHECK_EQ(parse_fixed(t, &c), -EPROTONOSUPPORT);
	free(t);
	t = replace_line(text, "sealfs-config 1\n", "sealfs-config 0\n");
	CHECK_EQ(parse_fixed(t, &c), -EINVAL);
	free(t);

	/* Unknown features, alone or with a known one. */
	t = replace_line(text, "features none\n", "features compression\n");
	{
		size_t n;
		char *fixed = fix_checksum(t, strlen(t), &n);
		CHECK_EQ(sfs_config_parse(fixed, n, &c, why, sizeof(why)), -EPROTONOSUPPORT);
		CHECK(strstr(why, "compression") != NULL);
		free(fixed);
	}
	free(t);
	t = replace_line(text, "features none\n", "features reverse,zstd\n");
	CHECK_EQ(parse_fixed(t, &c), -EPROTONOSUPPORT);
	free(t);
	/* Other ciphers, block sizes, name ciphers and KDFs. */
	t = replace_line(text, "cipher aes-256-gcm\n", "cipher chacha20-poly1305\n");
	CHECK_EQ(parse_fixed(t, &c), -EPROTONOSUPPORT);
	free(t);
	t = replace_line(text, "block 4096\n", "block 8192\n");
	CHECK_EQ(parse_fixed(t, &c), -EPROTONOSUPPORT);
	free(t);
	t = replace_line(text, "names aes-256-siv\n", "names aes-256-cbc\n");
	CHECK_EQ(parse_fixed(t, &c), -EPROTONOSUPPORT);
	free(t);
	t = replace_line(text, "kdf scrypt\n", "kdf argon2id\n");
	CHECK_EQ(parse_fixed(t, &c), -EPROTONOSUPPORT);
	free(t);

	/* KDF parameters below the minimums (or above the maximum): -ERANGE. */
	t = replace_line(text, "kdf-logn 10\n", "kdf-logn 9\n");
	CHECK_EQ(parse_fixed(t, &c), -ERANGE);
	free(t);
	t = replace_line(text, "kdf-logn 10\n", "kdf-logn 1\n");
	CHECK_EQ(parse_fixed(t, &c), -ERANGE);
	free(t);
	t = replace_line(text, "kdf-logn 10\n", "kdf-logn 25\n");
	CHECK_EQ(parse_fixed(t, &c), -ERANGE);
	free(t);
	t = replace_line(text, "kdf-r 8\n", "kdf-r 7\n");
	CHECK_EQ(parse_fixed(t, &c), -ERANGE);
	free(t);
	t = replace_line(text, "kdf-p 1\n", "kdf-p 0\n");
	CHECK_EQ(parse_fixed(t, &c), -EINVAL);
	free(t);
	t = replace_line(text, "kdf-logn 10\n", "kdf-logn 99999999999999999999999\n");
	CHECK_EQ(parse_fixed(t, &c), -EINVAL);
	free(t);
	/*
	 * An edited config must not make unlock allocate or grind before the
	 * password is checked: r and p that ask for more memory or work than
	 * logn 24, r 8, p 1 (what init writes at most) are refused at parse.
	 */
	{
		char *t2, *t3;
		t = replace_line(text, "kdf-logn 10\n", "kdf-logn 24\n");
		t2 = replace_line(t, "kdf-r 8\n", "kdf-r 64\n");
		t3 = replace_line(t2, "kdf-p 1\n", "kdf-p 64\n");
		CHECK_EQ(parse_fixed(t3, &c), -ERANGE);
		free(t3);
		t3 = replace_line(t, "kdf-p 1\n", "kdf-p 2\n");
		CHECK_EQ(parse_fixed(t3, &c), -ERANGE); /* twice the work */
		free(t3);
		CHECK_EQ(parse_fixed(t, &c), 0); /* logn 24, r 8, p 1: the limit itself */
		free(t2);
		free(t);
		t = replace_line(text, "kdf-logn 10\n", "kdf-logn 22\n");
		t2 = replace_line(t, "kdf-r 8\n", "kdf-r 64\n"); /* 32 GiB */
		CHECK_EQ(parse_fixed(t2, &c), -ERANGE);
		free(t2);
		free(t);
		t = replace_line(text, "kdf-p 1\n", "kdf-p 16\n");
		CHECK_EQ(parse_fixed(t, &c), 0); /* cheap at logn 10 */
		free(t);
	}
	free(text);
}

static void test_canonical(void)
{
	struct sfs_config c;
	uint8_t master[32], got[32];
	size_t len;
	char *text = make(0, master, &len), *t, *salt = get_line(text, "salt");
	char upper[128];

	/* Same values, other spelling: refused, the MAC covers the canonical text. */
	t = replace_line(text, "kdf-logn 10\n", "kdf-logn 010\n");
	CHECK_EQ(parse_fixed(t, &c), -EINVAL);
	free(t);
	t = replace_line(text, "kdf-r 8\n", "kdf-r  8\n");
	CHECK(parse_fixed(t, &c) != 0);
	free(t);
	t = replace_line(text, "kdf-r 8\n", "kdf-r 8 \n");
	CHECK(parse_fixed(t, &c) != 0);
	free(t);
	t = replace_line(text, "features none\n", "features \n");
	CHECK(parse_fixed(t, &c) != 0);
	free(t);
	t = replace_line(text, "block 4096\n", "block 4096\r\n");
	CHECK(parse_fixed(t, &c) != 0);
	free(t);
	snprintf(upper, sizeof(upper), "%s", salt);
	for (char *p = upper + 5; *p; p++)
		if (*p >= 'a' && *p <= 'f')
			*p = (char)(*p - 'a' + 'A');
	t = replace_line(text, salt, upper);
	CHECK_EQ(parse_fixed(t, &c), -EINVAL);
	free(t);
	/* A comment or blank line inside the settings breaks the covered text. */
	t = replace_line(text, "kdf scrypt\n", "kdf scrypt\n# hello\n");
	CHECK_EQ(parse_fixed(t, &c), -EINVAL);
	free(t);
	t = replace_line(text, "kdf scrypt\n", "kdf scrypt\n\n");
	CHECK_EQ(parse_fixed(t, &c), -EINVAL);
	free(t);
	/*
	 * docs/FORMAT.md: comments only before the first setting, "then exactly
	 * these lines". Not between key, mac and checksum, not after the end.
	 */
	t = replace_line(text, "\nmac ", "\n# between\nmac ");
	CHECK_EQ(parse_fixed(t, &c), -EINVAL);
	free(t);
	t = replace_line(text, "\nchecksum ", "\n# between\nchecksum ");
	CHECK_EQ(parse_fixed(t, &c), -EINVAL);
	free(t);
	{
		size_t n = strlen(text);
		char *more = malloc(n + 32);
		snprintf(more, n + 32, "%s# after the end\n", text);
		CHECK_EQ(parse_str(more, &c), -EINVAL);
		snprintf(more, n + 32, "%s\n", text);
		CHECK_EQ(parse_str(more, &c), -EINVAL);
		free(more);
	}
	/* Comments before the settings are fine, and the volume still unlocks. */
	t = replace_line(text, "sealfs-config 1\n", "# my volume\n\nsealfs-config 1\n");
	CHECK_EQ(parse_fixed(t, &c), 0);
	CHECK_EQ(sfs_config_unlock(&c, pw, strlen(pw), got), 0);
	CHECK_MEM(got, master, 32);
	free(t);
	free(salt);
	free(text);
}

static void test_mac_edit_after_unwrap(void)
{
	struct sfs_config c;
	uint8_t master[32], got[32];
	size_t len;
	char *text = make(0, master, &len), *mac = get_line(text, "mac"), *t;
	char edited[128];

	/* The password is right, the file was edited: -EBADMSG, not "wrong password". */
	snprintf(edited, sizeof(edited), "%s", mac);
	edited[4] = edited[4] == '0' ? '1' : '0';
	t = replace_line(text, mac, edited);
	CHECK_EQ(parse_fixed(t, &c), 0);
	CHECK_EQ(sfs_config_unlock(&c, pw, strlen(pw), got), -EBADMSG);
	CHECK_EQ(sfs_config_check_master(&c, master), -EKEYREJECTED);
	free(t);
	free(mac);
	free(text);
}

static void test_rewrap(void)
{
	struct sfs_config c, c2, c3;
	uint8_t master[32], got[32];
	struct sfs_kdf k11 = {.logn = 11, .r = 8, .p = 1}, weak = {.logn = 5, .r = 8, .p = 1};
	size_t len, len2;
	char *text = make(SFS_FEAT_REVERSE, master, &len), *t2 = NULL, *t3 = NULL;
	int r;

	CHECK_EQ(parse_str(text, &c), 0);
	CHECK_EQ(sfs_config_rewrap(&c, master, "new password", 12, &k11, &t2, &len2), 0);
	if (!CHECK(t2 != NULL))
		goto out;
	CHECK_EQ(strlen(t2), len2);
	CHECK_EQ(sfs_config_parse(t2, len2, &c2, NULL, 0), 0);
	CHECK_EQ(c2.kdf.logn, 11);
	CHECK_EQ(c2.features, SFS_FEAT_REVERSE);
	CHECK(memcmp(c.salt, c2.salt, sizeof(c.salt)) != 0);
	CHECK(memcmp(c.wrapped, c2.wrapped, 12) != 0);
	CHECK_EQ(sfs_config_unlock(&c2, "new password", 12, got), 0);
	CHECK_MEM(got, master, 32);
	CHECK_EQ(sfs_config_unlock(&c2, pw, strlen(pw), got), -EKEYREJECTED);
	CHECK_EQ(sfs_config_check_master(&c2, master), 0);
	/* The old file still opens with the old password (rewrap is not in place). */
	CHECK_EQ(sfs_config_unlock(&c, pw, strlen(pw), got), 0);

	/* kdf NULL keeps the old parameters. */
	CHECK_EQ(sfs_config_rewrap(&c2, master, "third", 5, NULL, &t3, &len2), 0);
	CHECK_EQ(sfs_config_parse(t3, len2, &c3, NULL, 0), 0);
	CHECK_EQ(c3.kdf.logn, 11);
	CHECK_EQ(sfs_config_unlock(&c3, "third", 5, got), 0);
	CHECK_MEM(got, master, 32);
	free(t3);
	t3 = NULL;

	/*
	 * Parameters below the minimums must be refused as sfs_config_create
	 * refuses them: otherwise passwd writes a file that parse rejects
	 * (-ERANGE) and the volume is locked out.
	 */
	r = sfs_config_rewrap(&c, master, "weak", 4, &weak, &t3, &len2);
	CHECK_EQ(r, -ERANGE);
	if (r == 0) {
		CHECK_EQ(sfs_config_parse(t3, len2, &c3, NULL, 0), -ERANGE);
		free(t3);
	}
out:
	free(t2);
	free(text);
}

static void test_load_at(void)
{
	struct sfs_config c, c2;
	uint8_t master[32];
	char dir[4096], path[4200], why[128];
	size_t len;
	char *text = make(0, master, &len);
	int dfd, fd;

	if (!CHECK_EQ(tap_tmpdir(dir, sizeof(dir)), 0))
		goto out;
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (!CHECK(dfd >= 0))
		goto out;

	why[0] = '\0';
	CHECK_EQ(sfs_config_load_at(dfd, SFS_CONFIG_NAME, &c, why, sizeof(why)), -ENOENT);
	CHECK(why[0] != '\0');

	fd = openat(dfd, SFS_CONFIG_NAME, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK_EQ(write(fd, text, len), (ssize_t)len);
	close(fd);
	CHECK_EQ(sfs_config_load_at(dfd, SFS_CONFIG_NAME, &c, why, sizeof(why)), 0);
	CHECK_EQ(parse_str(text, &c2), 0);
	CHECK_MEM(&c, &c2, sizeof(c));

	/* Not followed through a symlink. */
	CHECK_EQ(symlinkat(SFS_CONFIG_NAME, dfd, "link.conf"), 0);
	CHECK_EQ(sfs_config_load_at(dfd, "link.conf", &c, why, sizeof(why)), -ELOOP);
	/* A directory is not a config. */
	CHECK_EQ(mkdirat(dfd, "dir.conf", 0700), 0);
	CHECK(sfs_config_load_at(dfd, "dir.conf", &c, why, sizeof(why)) < 0);
	/* Too large. */
	fd = openat(dfd, "big.conf", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	CHECK_EQ(ftruncate(fd, SFS_CONFIG_MAX + 1), 0);
	close(fd);
	CHECK_EQ(sfs_config_load_at(dfd, "big.conf", &c, why, sizeof(why)), -EINVAL);
	/* Through a path relative to the working directory. */
	snprintf(path, sizeof(path), "%s/%s", dir, SFS_CONFIG_NAME);
	CHECK_EQ(sfs_config_load_at(AT_FDCWD, path, &c, NULL, 0), 0);
	close(dfd);
out:
	free(text);
}

static void test_features_str(void)
{
	char buf[64];

	sfs_config_features_str(0, buf, sizeof(buf));
	CHECK_STR(buf, "none");
	sfs_config_features_str(SFS_FEAT_REVERSE, buf, sizeof(buf));
	CHECK_STR(buf, "reverse");
	memset(buf, 'x', sizeof(buf));
	sfs_config_features_str(SFS_FEAT_REVERSE, buf, 4);
	CHECK(memchr(buf, '\0', 4) != NULL);
}

int main(void)
{
	TAP_RUN(test_roundtrip);
	TAP_RUN(test_create_refuses);
	TAP_RUN(test_pinned);
	TAP_RUN(test_single_byte_edits);
	TAP_RUN(test_comment_edits);
	TAP_RUN(test_truncated);
	TAP_RUN(test_missing_and_extra_lines);
	TAP_RUN(test_versions_features_kdf);
	TAP_RUN(test_canonical);
	TAP_RUN(test_mac_edit_after_unwrap);
	TAP_RUN(test_rewrap);
	TAP_RUN(test_load_at);
	TAP_RUN(test_features_str);
	return tap_done();
}
