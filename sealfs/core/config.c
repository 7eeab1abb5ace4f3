/*
 * config.c - parse, check, create and re-wrap sealfs.conf (sealfs core layer).
 *
 * The settings lines are canonical: parsing a file and serializing the result
 * must give the same bytes, so the MAC and the key-wrap associated data cover
 * exactly what is on disk. See config.h and docs/FORMAT.md.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>

#include "cleanup.h"
#include "crypto.h"
#include "io.h"
#include "config.h"
#include "util.h"
#include "banned.h"

static const char config_comment[] =
	"# sealfs volume configuration. Keep this file with the encrypted data and\n"
	"# back it up: without it nothing can be decrypted, not even with the password.\n";

static const struct {
	unsigned bit;
	const char *name;
} feature_names[] = {
	{SFS_FEAT_REVERSE, "reverse"},
};

void sfs_config_features_str(unsigned features, char *buf, size_t len)
{
	size_t o = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < ARRAY_SIZE(feature_names); i++) {
		if (!(features & feature_names[i].bit))
			continue;
		int n = snprintf(buf + o, len - o, "%s%s", o ? "," : "", feature_names[i].name);
		if (n < 0 || (size_t)n >= len - o)
			break;
		o += (size_t)n;
	}
	if (!o)
		snprintf(buf, len, "none");
}

/*
 * The settings covered by the key wrap (everything up to, not including, the
 * "key" line) into buf; returns length or -ENOSPC.
 */
static int settings_text(const struct sfs_config *c, char *buf, size_t len)
{
	char feat[128], salt[2 * SFS_SALT_LEN + 1];
	int n;

	sfs_config_features_str(c->features, feat, sizeof(feat));
	hex_encode(c->salt, SFS_SALT_LEN, salt);
	n = snprintf(buf, len,
		     "sealfs-config %u\n"
		     "features %s\n"
		     "cipher aes-256-gcm\n"
		     "block %u\n"
		     "names aes-256-siv\n"
		     "kdf scrypt\n"
		     "kdf-logn %u\n"
		     "kdf-r %u\n"
		     "kdf-p %u\n"
		     "salt %s\n",
		     c->version, feat, c->block_size, c->kdf.logn, c->kdf.r, c->kdf.p, salt);
	if (n < 0 || (size_t)n >= len)
		return -ENOSPC;
	return n;
}

/* settings + key line: the bytes the MAC covers. */
static int signed_text(const struct sfs_config *c, char *buf, size_t len)
{
	char key[2 * SFS_WRAPPED_LEN + 1];
	int n = settings_text(c, buf, len), m;

	if (n < 0)
		return n;
	hex_encode(c->wrapped, SFS_WRAPPED_LEN, key);
	m = snprintf(buf + n, len - (size_t)n, "key %s\n", key);
	if (m < 0 || (size_t)m >= len - (size_t)n)
		return -ENOSPC;
	return n + m;
}

static int config_mac(const struct sfs_config *c, const uint8_t master[32], uint8_t out[32])
{
	char text[SFS_CONFIG_MAX];
	struct sfs_keys *k = NULL;
	int n = signed_text(c, text, sizeof(text)), r;

	if (n < 0)
		return n;
	r = sfs_keys_new(master, &k);
	if (r)
		return r;
	r = sfs_hmac(k->config, text, (size_t)n, NULL, 0, NULL, 0, out);
	sfs_keys_free(k);
	return r;
}

static int serialize(const struct sfs_config *c, char **ret_text, size_t *ret_len)
{
	_cleanup_free_ char *buf = malloc(SFS_CONFIG_MAX);
	char mac[65], sum[65];
	uint8_t digest[32];
	size_t o;
	int n, m;

	if (!buf)
		return -ENOMEM;
	o = sizeof(config_comment) - 1;
	memcpy(buf, config_comment, o);
	n = signed_text(c, buf + o, SFS_CONFIG_MAX - o);
	if (n < 0)
		return n;
	o += (size_t)n;
	hex_encode(c->mac, 32, mac);
	m = snprintf(buf + o, SFS_CONFIG_MAX - o, "mac %s\n", mac);
	if (m < 0 || (size_t)m >= SFS_CONFIG_MAX - o)
		return -ENOSPC;
	o += (size_t)m;
	sfs_sha256(buf, o, digest);
	hex_encode(digest, 32, sum);
	m = snprintf(buf + o, SFS_CONFIG_MAX - o, "checksum %s\n", sum);
	if (m < 0 || (size_t)m >= SFS_CONFIG_MAX - o)
		return -ENOSPC;
	o += (size_t)m;
	*ret_len = o;
	*ret_text = TAKE_PTR(buf);
	return 0;
}

static int wrap(struct sfs_config *c, const uint8_t master[32], const char *pw, size_t pwlen)
{
	char ad[SFS_CONFIG_MAX];
	uint8_t kek[32];
	int n, r;

	r = sfs_random(c->salt, SFS_SALT_LEN);
	if (!r)
		r = sfs_random(c->wrapped, 12);
	if (r)
		return r;
	n = settings_text(c, ad, sizeof(ad));
	if (n < 0)
		return n;
	r = sfs_scrypt(pw, pwlen, c->salt, SFS_SALT_LEN, c->kdf.logn, c->kdf.r, c->kdf.p, kek, 32);
	if (!r)
		r = sfs_gcm_seal(kek, c->wrapped, (const uint8_t *)ad, (size_t)n, master, 32,
				 c->wrapped + 12, c->wrapped + 12 + 32);
	sfs_wipe(kek, sizeof(kek));
	if (!r)
		r = config_mac(c, master, c->mac);
	return r;
}

/*
 * The config's checksum is not a MAC: whoever can edit the store can set any
 * parameters, and scrypt runs before anything is authenticated. So no more
 * memory (128 * r * 2^logn bytes) and no more work (2^logn * r * p) than the
 * costliest setting sealfs init writes: logn 24, r 8, p 1 (16 GiB).
 */
static bool kdf_affordable(const struct sfs_kdf *k)
{
	uint64_t n = 1ULL << k->logn;

	return 128 * (uint64_t)k->r * n <= SFS_KDF_MAX_MEM &&
	       n * k->r * k->p <= (1ULL << SFS_KDF_MAX_LOGN) * SFS_KDF_MIN_R;
}

static bool kdf_ok(const struct sfs_kdf *k)
{
	return k->logn >= SFS_KDF_MIN_LOGN && k->logn <= SFS_KDF_MAX_LOGN && k->r >= SFS_KDF_MIN_R &&
	       k->p >= 1 && kdf_affordable(k);
}

void sfs_config_defaults(struct sfs_config *c, unsigned features)
{
	*c = (struct sfs_config){
		.version = SFS_CONFIG_VERSION,
		.features = features,
		.block_size = 4096,
		.kdf = SFS_KDF_DEFAULT,
	};
}

int sfs_config_create_for(const char *pw, size_t pwlen, const struct sfs_kdf *kdf,
			  unsigned features, const uint8_t master[SFS_MASTER_KEY_LEN],
			  char **ret_text, size_t *ret_len)
{
	struct sfs_config c;
	int r;

	if (features & ~SFS_FEAT_KNOWN)
		return -EINVAL;
	if (!kdf_ok(kdf))
		return -ERANGE;
	sfs_config_defaults(&c, features);
	c.kdf = *kdf;
	r = wrap(&c, master, pw, pwlen);
	if (!r)
		r = serialize(&c, ret_text, ret_len);
	return r;
}

int sfs_config_create(const char *pw, size_t pwlen, const struct sfs_kdf *kdf, unsigned features,
		      uint8_t master_out[SFS_MASTER_KEY_LEN], char **ret_text, size_t *ret_len)
{
	uint8_t master[32];
	int r;

	r = sfs_random(master, sizeof(master));
	if (!r)
		r = sfs_config_create_for(pw, pwlen, kdf, features, master, ret_text, ret_len);
	if (!r)
		memcpy(master_out, master, 32);
	sfs_wipe(master, sizeof(master));
	return r;
}

int sfs_config_rewrap(const struct sfs_config *old, const uint8_t master[SFS_MASTER_KEY_LEN],
		      const char *pw, size_t pwlen, const struct sfs_kdf *kdf, char **ret_text,
		      size_t *ret_len)
{
	struct sfs_config c = *old;
	int r;

	if (kdf)
		c.kdf = *kdf;
	if (!kdf_ok(&c.kdf))
		return -ERANGE; /* parse would refuse the file: the volume would be locked out */
	r = wrap(&c, master, pw, pwlen);
	if (!r)
		r = serialize(&c, ret_text, ret_len);
	return r;
}

static int fail(char *why, size_t whylen, int err, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int fail(char *why, size_t whylen, int err, const char *fmt, ...)
{
	va_list ap;

	if (why && whylen) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return err;
}

/* Take the next line (without '\n') from *p; NULL at the end. */
static char *next_line(char **p)
{
	char *s = *p, *nl;

	if (!*s)
		return NULL;
	nl = strchr(s, '\n');
	if (nl) {
		*nl = '\0';
		*p = nl + 1;
	} else {
		*p = s + strlen(s);
	}
	return s;
}

static int parse_features(const char *v, unsigned *ret, char *why, size_t whylen)
{
	char buf[256];
	char *save = NULL, *tok;
	unsigned f = 0;

	if (!strcmp(v, "none")) {
		*ret = 0;
		return 0;
	}
	if (strlen(v) >= sizeof(buf))
		return fail(why, whylen, -EINVAL, "features line too long");
	snprintf(buf, sizeof(buf), "%s", v);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		size_t i;
		for (i = 0; i < ARRAY_SIZE(feature_names); i++)
			if (!strcmp(tok, feature_names[i].name))
				break;
		if (i == ARRAY_SIZE(feature_names))
			return fail(why, whylen, -EPROTONOSUPPORT, "unknown feature '%s'", tok);
		f |= feature_names[i].bit;
	}
	*ret = f;
	return 0;
}

int sfs_config_parse(const char *text, size_t len, struct sfs_config *ret, char *why,
		     size_t whylen)
{
	static const char *const keys[] = {"sealfs-config", "features", "cipher", "block",
					   "names", "kdf", "kdf-logn", "kdf-r",
					   "kdf-p", "salt", "key", "mac",
					   "checksum"};
	_cleanup_free_ char *copy = NULL;
	struct sfs_config c = {0};
	size_t ki = 0, sum_off = 0, first_off = 0, tail_len;
	char *p, *line;
	uint64_t v;
	uint8_t digest[32], sum[32];
	char canon[SFS_CONFIG_MAX], hex[65];
	int n, m, unsupported = 0;

	if (len == 0)
		return fail(why, whylen, -EINVAL, "empty file");
	if (len >= SFS_CONFIG_MAX)
		return fail(why, whylen, -EINVAL, "file too large");
	if (memchr(text, '\0', len))
		return fail(why, whylen, -EINVAL, "binary data in file");
	copy = strndup(text, len);
	if (!copy)
		return -ENOMEM;
	p = copy;
	while ((line = next_line(&p))) {
		char *sp, *val;
		size_t off = (size_t)(line - copy);

		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (ki == ARRAY_SIZE(keys))
			return fail(why, whylen, -EINVAL, "text after the checksum line");
		sp = strchr(line, ' ');
		if (!sp)
			return fail(why, whylen, -EINVAL, "line '%.40s' has no value", line);
		*sp = '\0';
		val = sp + 1;
		if (ki == 0)
			first_off = off;
		if (strcmp(line, keys[ki])) {
			if (ki == 0)
				return fail(why, whylen, -EINVAL, "not a sealfs config");
			return fail(why, whylen, -EINVAL, "expected '%s', found '%.40s'", keys[ki],
				    line);
		}
		switch (ki) {
		case 0:
			if (parse_u64(val, 1, 1000, &v))
				return fail(why, whylen, -EINVAL, "bad version '%.20s'", val);
			if (v > SFS_CONFIG_VERSION)
				return fail(why, whylen, -EPROTONOSUPPORT,
					    "format version %llu is newer than this sealfs (%d)",
					    (unsigned long long)v, SFS_CONFIG_VERSION);
			c.version = (unsigned)v;
			break;
		case 1:
			n = parse_features(val, &c.features, why, whylen);
			if (n == -EPROTONOSUPPORT && !unsupported)
				unsupported = n; /* reported once the checksum is known good */
			else if (n && n != -EPROTONOSUPPORT)
				return n;
			break;
		case 2:
			if (strcmp(val, "aes-256-gcm") && !unsupported)
				unsupported = fail(why, whylen, -EPROTONOSUPPORT,
						   "unknown cipher '%.40s'", val);
			break;
		case 3:
			if (parse_u64(val, 4096, 4096, &v) && !unsupported)
				unsupported = fail(why, whylen, -EPROTONOSUPPORT,
						   "unsupported block size '%.20s'", val);
			c.block_size = 4096;
			break;
		case 4:
			if (strcmp(val, "aes-256-siv") && !unsupported)
				unsupported = fail(why, whylen, -EPROTONOSUPPORT,
						   "unknown name cipher '%.40s'", val);
			break;
		case 5:
			if (strcmp(val, "scrypt") && !unsupported)
				unsupported = fail(why, whylen, -EPROTONOSUPPORT, "unknown kdf '%.40s'",
						   val);
			break;
		case 6:
			if (parse_u64(val, 1, 64, &v))
				return fail(why, whylen, -EINVAL, "bad kdf-logn '%.20s'", val);
			c.kdf.logn = (unsigned)v;
			break;
		case 7:
			if (parse_u64(val, 1, 64, &v))
				return fail(why, whylen, -EINVAL, "bad kdf-r '%.20s'", val);
			c.kdf.r = (uint32_t)v;
			break;
		case 8:
			if (parse_u64(val, 1, 64, &v))
				return fail(why, whylen, -EINVAL, "bad kdf-p '%.20s'", val);
			c.kdf.p = (uint32_t)v;
			break;
		case 9:
			if (hex_decode(val, c.salt, SFS_SALT_LEN))
				return fail(why, whylen, -EINVAL, "bad salt");
			break;
		case 10:
			if (hex_decode(val, c.wrapped, SFS_WRAPPED_LEN))
				return fail(why, whylen, -EINVAL, "bad key");
			break;
		case 11:
			if (hex_decode(val, c.mac, 32))
				return fail(why, whylen, -EINVAL, "bad mac");
			break;
		case 12:
			if (hex_decode(val, sum, 32))
				return fail(why, whylen, -EINVAL, "bad checksum");
			sum_off = off;
			break;
		}
		ki++;
	}
	if (ki != ARRAY_SIZE(keys))
		return fail(why, whylen, -EINVAL, "missing '%s' line (file truncated?)", keys[ki]);
	sfs_sha256(text, sum_off, digest);
	if (sfs_memeq_ct(digest, sum, 32))
		return fail(why, whylen, -EBADMSG, "checksum mismatch (file corrupt or edited)");
	if (unsupported)
		return unsupported; /* why[] was set when it was found */
	if (c.kdf.logn < SFS_KDF_MIN_LOGN || c.kdf.logn > SFS_KDF_MAX_LOGN ||
	    c.kdf.r < SFS_KDF_MIN_R || c.kdf.p < 1)
		return fail(why, whylen, -ERANGE,
			    "scrypt parameters logn=%u r=%u p=%u below the minimum (logn>=%d, r>=%d)",
			    c.kdf.logn, c.kdf.r, c.kdf.p, SFS_KDF_MIN_LOGN, SFS_KDF_MIN_R);
	if (!kdf_affordable(&c.kdf))
		return fail(why, whylen, -ERANGE,
			    "scrypt parameters logn=%u r=%u p=%u ask for more memory or work than "
			    "sealfs init ever writes (logn=%d r=%d p=1, 16 GiB): edited?",
			    c.kdf.logn, c.kdf.r, c.kdf.p, SFS_KDF_MAX_LOGN, SFS_KDF_MIN_R);
	/*
	 * Everything from the first setting on must be in canonical form (the
	 * MAC covers the canonical text; FORMAT.md allows comments only before
	 * the first setting): exactly the serialized lines, the final newline
	 * optional.
	 */
	n = signed_text(&c, canon, sizeof(canon));
	if (n < 0)
		return n;
	hex_encode(c.mac, 32, hex);
	m = snprintf(canon + n, sizeof(canon) - (size_t)n, "mac %s\n", hex);
	if (m < 0 || (size_t)m >= sizeof(canon) - (size_t)n)
		return -ENOSPC;
	n += m;
	hex_encode(sum, 32, hex);
	m = snprintf(canon + n, sizeof(canon) - (size_t)n, "checksum %s\n", hex);
	if (m < 0 || (size_t)m >= sizeof(canon) - (size_t)n)
		return -ENOSPC;
	n += m;
	tail_len = len - first_off;
	if ((tail_len != (size_t)n && tail_len + 1 != (size_t)n) ||
	    memcmp(text + first_off, canon, tail_len))
		return fail(why, whylen, -EINVAL, "settings not in canonical form");
	*ret = c;
	return 0;
}

int sfs_config_load_at(int dirfd, const char *name, struct sfs_config *ret, char *why,
		       size_t whylen)
{
	_cleanup_free_ char *text = NULL;
	size_t len = 0;
	int r;

	r = io_read_file_at(dirfd, name, SFS_CONFIG_MAX, &text, &len);
	if (r == -EFBIG)
		return fail(why, whylen, -EINVAL, "file too large");
	if (r)
		return fail(why, whylen, r, "%s", strerror(-r));
	return sfs_config_parse(text, len, ret, why, whylen);
}

int sfs_config_unlock(const struct sfs_config *c, const char *pw, size_t pwlen,
		      uint8_t master_out[SFS_MASTER_KEY_LEN])
{
	char ad[SFS_CONFIG_MAX];
	uint8_t kek[32], master[32];
	int n, r;

	n = settings_text(c, ad, sizeof(ad));
	if (n < 0)
		return n;
	r = sfs_scrypt(pw, pwlen, c->salt, SFS_SALT_LEN, c->kdf.logn, c->kdf.r, c->kdf.p, kek, 32);
	if (r)
		return r;
	r = sfs_gcm_open(kek, c->wrapped, (const uint8_t *)ad, (size_t)n, c->wrapped + 12, 32,
			 c->wrapped + 12 + 32, master);
	sfs_wipe(kek, sizeof(kek));
	if (r == -EBADMSG)
		r = -EKEYREJECTED;
	if (!r) {
		r = sfs_config_check_master(c, master);
		if (r == -EKEYREJECTED)
			r = -EBADMSG; /* the password was right: the file was edited */
	}
	if (!r)
		memcpy(master_out, master, 32);
	sfs_wipe(master, sizeof(master));
	return r;
}

int sfs_config_check_master(const struct sfs_config *c, const uint8_t master[SFS_MASTER_KEY_LEN])
{
	uint8_t mac[32];
	int r = config_mac(c, master, mac);

	if (r)
		return r;
	return sfs_memeq_ct(mac, c->mac, 32) ? -EKEYREJECTED : 0;
}
