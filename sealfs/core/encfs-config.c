/*
 * encfs-config.c - reading (and, for fixtures, writing) EncFS configs:
 * V4/V5 "ConfigReader" binary files and V6 XML (sealfs core layer; no
 * FUSE, no logging). The XML reader is deliberately small: it finds the
 * config element and reads the handful of child elements EncFS writes,
 * ignoring attributes, DOCTYPE and layout. See encfs-config.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "encfs-config.h"
#include "io.h"
#include "banned.h"

const char *const efs_config_files[3] = {".encfs6.xml", ".encfs5", ".encfs4"};

#define V5_SUB 20040813u
#define V5_SUB_142 20080411u

const char *efs_config_detect(int dirfd)
{
	for (size_t i = 0; i < 3; i++) {
		struct stat st;
		if (!fstatat(dirfd, efs_config_files[i], &st, AT_SYMLINK_NOFOLLOW))
			return efs_config_files[i];
	}
	return NULL;
}

/* ---- V4/V5 binary ---- */

struct rd {
	const uint8_t *p;
	size_t len, off;
};

static int rd_varint(struct rd *r, unsigned *ret)
{
	uint64_t v = 0;

	for (int i = 0; i < 5; i++) {
		if (r->off >= r->len)
			return -EINVAL;
		uint8_t b = r->p[r->off++];
		v = v << 7 | (b & 0x7f);
		if (!(b & 0x80)) {
			if (v > 0x7fffffff)
				return -EINVAL;
			*ret = (unsigned)v;
			return 0;
		}
	}
	return -EINVAL;
}

static int rd_bytes(struct rd *r, const uint8_t **ret, size_t *ret_len)
{
	unsigned n;

	if (rd_varint(r, &n) || n > r->len - r->off)
		return -EINVAL;
	*ret = r->p + r->off;
	*ret_len = n;
	r->off += n;
	return 0;
}

struct v5_entry {
	const uint8_t *key, *val;
	size_t klen, vlen;
};

#define V5_MAX_ENTRIES 64

static const struct v5_entry *v5_find(const struct v5_entry *e, size_t n, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < n; i++)
		if (e[i].klen == kl && !memcmp(e[i].key, key, kl))
			return &e[i];
	return NULL;
}

/* An int value; DEF when absent (MANDATORY: absent is an error). */
static int v5_int(const struct v5_entry *e, size_t n, const char *key, bool mandatory, unsigned def,
		  unsigned *ret)
{
	const struct v5_entry *x = v5_find(e, n, key);
	struct rd r;

	if (!x || !x->vlen) {
		if (mandatory)
			return -EINVAL;
		*ret = def;
		return 0;
	}
	r = (struct rd){.p = x->val, .len = x->vlen};
	return rd_varint(&r, ret);
}

static int v5_str(const struct v5_entry *e, size_t n, const char *key, char *out, size_t cap)
{
	const struct v5_entry *x = v5_find(e, n, key);
	const uint8_t *s;
	size_t sl;
	struct rd r;

	if (!x)
		return -EINVAL;
	r = (struct rd){.p = x->val, .len = x->vlen};
	if (rd_bytes(&r, &s, &sl) || sl >= cap || memchr(s, '\0', sl))
		return -EINVAL;
	memcpy(out, s, sl);
	out[sl] = '\0';
	return 0;
}

static int v5_iface(const struct v5_entry *e, size_t n, const char *key, struct efs_iface *ifc)
{
	const struct v5_entry *x = v5_find(e, n, key);
	const uint8_t *s;
	size_t sl;
	struct rd r;

	if (!x)
		return -EINVAL;
	r = (struct rd){.p = x->val, .len = x->vlen};
	if (rd_bytes(&r, &s, &sl) || sl >= sizeof(ifc->name) || memchr(s, '\0', sl))
		return -EINVAL;
	memcpy(ifc->name, s, sl);
	ifc->name[sl] = '\0';
	if (rd_varint(&r, &ifc->cur) || rd_varint(&r, &ifc->rev) || rd_varint(&r, &ifc->age))
		return -EINVAL;
	return 0;
}

static int parse_v5(unsigned type, const uint8_t *buf, size_t len, struct efs_config *c,
		    const char **why)
{
	struct v5_entry e[V5_MAX_ENTRIES];
	struct rd r = {.p = buf, .len = len};
	const struct v5_entry *kd;
	unsigned n, v;
	struct rd kr;
	const uint8_t *s;
	size_t sl;

	*why = "not an EncFS binary config (bad structure)";
	if (rd_varint(&r, &n) || n > V5_MAX_ENTRIES)
		return -EINVAL;
	/* Exactly N entries; EncFS may leave stale bytes after them. */
	for (unsigned i = 0; i < n; i++)
		if (rd_bytes(&r, &e[i].key, &e[i].klen) || rd_bytes(&r, &e[i].val, &e[i].vlen))
			return -EINVAL;
	c->type = type;
	*why = "a mandatory field (cipher, keySize, blockSize, keyData) is missing or bad";
	if (v5_iface(e, n, "cipher", &c->cipher) ||
	    v5_int(e, n, "keySize", true, 0, &c->key_bits) ||
	    v5_int(e, n, "blockSize", true, 0, &c->block_size))
		return -EINVAL;
	kd = v5_find(e, n, "keyData");
	if (!kd)
		return -EINVAL;
	kr = (struct rd){.p = kd->val, .len = kd->vlen};
	if (rd_bytes(&kr, &s, &sl) || sl > sizeof(c->keydata))
		return -EINVAL;
	memcpy(c->keydata, s, sl);
	c->keydata_len = sl;
	if (type == 4) {
		snprintf(c->creator, sizeof(c->creator), "EncFS 1.0.x");
		snprintf(c->naming.name, sizeof(c->naming.name), "nameio/stream");
		c->naming.cur = 1;
		return 0;
	}
	*why = "a field (subVersion, creator, naming or a flag) is missing or bad";
	if (v5_str(e, n, "creator", c->creator, sizeof(c->creator)) ||
	    v5_iface(e, n, "naming", &c->naming) ||
	    v5_int(e, n, "subVersion", false, 0, &c->subversion))
		return -EINVAL;
	if (v5_int(e, n, "uniqueIV", false, 0, &v))
		return -EINVAL;
	c->unique_iv = v;
	if (v5_int(e, n, "chainedIV", false, 0, &v))
		return -EINVAL;
	c->chained_iv = v;
	if (v5_int(e, n, "externalIV", false, 0, &v))
		return -EINVAL;
	c->external_iv = v;
	if (v5_int(e, n, "allowHoles", false, 0, &v))
		return -EINVAL;
	c->allow_holes = v;
	if (v5_int(e, n, "blockMACBytes", false, 0, &c->mac_bytes) ||
	    v5_int(e, n, "blockMACRandBytes", false, 0, &c->rand_bytes))
		return -EINVAL;
	return 0;
}

/* ---- V6 XML ---- */

struct span {
	const char *p;
	size_t n;
};

/* The content of the first element TAG in S (attributes skipped); -ENOENT when absent. */
static int xml_elem(struct span s, const char *tag, struct span *ret, struct span *ret_attrs)
{
	size_t tl = strlen(tag);
	const char *end = s.p + s.n;

	for (const char *p = s.p; p + tl + 1 < end; p++) {
		const char *q, *gt;
		if (p[0] != '<' || memcmp(p + 1, tag, tl))
			continue;
		q = p + 1 + tl;
		if (*q != '>' && *q != '/' && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r')
			continue;
		gt = memchr(q, '>', (size_t)(end - q));
		if (!gt)
			return -EINVAL;
		if (ret_attrs)
			*ret_attrs = (struct span){q, (size_t)(gt - q)};
		if (gt[-1] == '/') {
			*ret = (struct span){gt, 0};
			return 0;
		}
		for (const char *c = gt + 1; c + tl + 3 <= end; c++) {
			if (c[0] == '<' && c[1] == '/' && !memcmp(c + 2, tag, tl) &&
			    c[2 + tl] == '>') {
				*ret = (struct span){gt + 1, (size_t)(c - gt - 1)};
				return 0;
			}
		}
		return -EINVAL;
	}
	return -ENOENT;
}

static struct span trim(struct span s)
{
	while (s.n && (s.p[0] == ' ' || s.p[0] == '\t' || s.p[0] == '\n' || s.p[0] == '\r')) {
		s.p++;
		s.n--;
	}
	while (s.n && (s.p[s.n - 1] == ' ' || s.p[s.n - 1] == '\t' || s.p[s.n - 1] == '\n' ||
		       s.p[s.n - 1] == '\r'))
		s.n--;
	return s;
}

static int span_uint(struct span s, unsigned *ret)
{
	uint64_t v = 0;

	s = trim(s);
	if (!s.n || s.n > 10)
		return -EINVAL;
	for (size_t i = 0; i < s.n; i++) {
		if (s.p[i] < '0' || s.p[i] > '9')
			return -EINVAL;
		v = v * 10 + (unsigned)(s.p[i] - '0');
	}
	if (v > 0x7fffffff)
		return -EINVAL;
	*ret = (unsigned)v;
	return 0;
}

/* An unsigned element; DEF when absent (MANDATORY: absent is an error). */
static int xml_uint(struct span s, const char *tag, bool mandatory, unsigned def, unsigned *ret)
{
	struct span v;
	int e = xml_elem(s, tag, &v, NULL);

	if (e == -ENOENT && !mandatory) {
		*ret = def;
		return 0;
	}
	return e ? -EINVAL : span_uint(v, ret);
}

static int xml_bool(struct span s, const char *tag, bool *ret)
{
	unsigned v;

	if (xml_uint(s, tag, false, 0, &v))
		return -EINVAL;
	*ret = v != 0;
	return 0;
}

static int xml_iface(struct span s, const char *tag, struct efs_iface *ifc)
{
	struct span e, name;

	if (xml_elem(s, tag, &e, NULL) || xml_elem(e, "name", &name, NULL))
		return -EINVAL;
	name = trim(name);
	if (!name.n || name.n >= sizeof(ifc->name) || memchr(name.p, '\0', name.n))
		return -EINVAL;
	memcpy(ifc->name, name.p, name.n);
	ifc->name[name.n] = '\0';
	ifc->age = 0;
	return xml_uint(e, "major", true, 0, &ifc->cur) || xml_uint(e, "minor", true, 0, &ifc->rev)
		   ? -EINVAL
		   : 0;
}

/* Standard base64 (whitespace anywhere, '=' padding) into out; length or -EINVAL. */
static long std_b64(struct span s, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned have = 0;
	size_t o = 0;
	bool pad = false;

	for (size_t i = 0; i < s.n; i++) {
		char ch = s.p[i];
		int v;
		if (ch == ' ' || ch == '\t' || ch == '\n' || ch == '\r')
			continue;
		if (ch == '=') {
			pad = true;
			continue;
		}
		if (pad)
			return -EINVAL;
		if (ch >= 'A' && ch <= 'Z')
			v = ch - 'A';
		else if (ch >= 'a' && ch <= 'z')
			v = ch - 'a' + 26;
		else if (ch >= '0' && ch <= '9')
			v = ch - '0' + 52;
		else if (ch == '+')
			v = 62;
		else if (ch == '/')
			v = 63;
		else
			return -EINVAL;
		acc = acc << 6 | (uint32_t)v;
		have += 6;
		if (have >= 8) {
			if (o >= cap)
				return -EINVAL;
			have -= 8;
			out[o++] = (uint8_t)(acc >> have);
		}
	}
	return (long)o;
}

static int xml_bin(struct span s, const char *tag, const char *lentag, uint8_t *out, size_t cap,
		   size_t *ret_len)
{
	struct span v;
	unsigned want;
	long n;

	if (xml_uint(s, lentag, true, 0, &want) || xml_elem(s, tag, &v, NULL))
		return -EINVAL;
	n = std_b64(v, out, cap);
	if (n < 0 || (size_t)n != want)
		return -EINVAL;
	*ret_len = (size_t)n;
	return 0;
}

static int parse_v6(const char *buf, size_t len, struct efs_config *c, const char **why)
{
	struct span doc = {buf, len}, root, cfg, attrs = {0}, v;
	unsigned ver;

	c->type = 6;
	*why = "not an EncFS XML config (no boost_serialization/cfg element)";
	if (xml_elem(doc, "boost_serialization", &root, NULL) ||
	    (xml_elem(root, "cfg", &cfg, &attrs) && xml_elem(root, "config", &cfg, &attrs)))
		return -EINVAL;
	*why = "bad version";
	if (!xml_elem(cfg, "version", &v, NULL)) {
		if (span_uint(v, &ver))
			return -EINVAL;
	} else {
		const char *a = attrs.n ? memmem(attrs.p, attrs.n, "version=\"", 9) : NULL;
		const char *q;
		if (!a)
			return -EINVAL;
		a += 9;
		q = memchr(a, '"', (size_t)(attrs.p + attrs.n - a));
		if (!q || span_uint((struct span){a, (size_t)(q - a)}, &ver))
			return -EINVAL;
	}
	if (ver == 26800)
		ver = 20080816;
	else if (ver == 26797)
		ver = 20080813;
	else if (ver != 20 && ver < 20040813)
		return -EINVAL;
	c->subversion = ver;
	if (!xml_elem(cfg, "creator", &v, NULL)) {
		v = trim(v);
		size_t n = v.n < sizeof(c->creator) - 1 ? v.n : sizeof(c->creator) - 1;
		memcpy(c->creator, v.p, n);
		c->creator[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)c->creator[i] < 0x20)
				c->creator[i] = '?';
	}
	*why = "a field is missing or bad (cipherAlg, nameAlg, keySize, blockSize or a flag)";
	if (xml_iface(cfg, "cipherAlg", &c->cipher) || xml_iface(cfg, "nameAlg", &c->naming) ||
	    xml_uint(cfg, "keySize", true, 0, &c->key_bits) ||
	    xml_uint(cfg, "blockSize", true, 0, &c->block_size) ||
	    xml_bool(cfg, "plainData", &c->plain_data) ||
	    xml_bool(cfg, "uniqueIV", &c->unique_iv) ||
	    xml_bool(cfg, "chainedNameIV", &c->chained_iv) ||
	    xml_bool(cfg, "externalIVChaining", &c->external_iv) ||
	    xml_uint(cfg, "blockMACBytes", false, 0, &c->mac_bytes) ||
	    xml_uint(cfg, "blockMACRandBytes", false, 0, &c->rand_bytes) ||
	    xml_bool(cfg, "allowHoles", &c->allow_holes) ||
	    xml_uint(cfg, "desiredKDFDuration", false, 500, &c->kdf_ms))
		return -EINVAL;
	*why = "the encoded key (encodedKeyData, encodedKeySize) is missing or bad";
	if (xml_bin(cfg, "encodedKeyData", "encodedKeySize", c->keydata, sizeof(c->keydata),
		    &c->keydata_len))
		return -EINVAL;
	if (ver >= 20080816) {
		*why = "the salt (saltData, saltLen) or kdfIterations is missing or bad";
		if (xml_bin(cfg, "saltData", "saltLen", c->salt, sizeof(c->salt), &c->salt_len) ||
		    xml_uint(cfg, "kdfIterations", true, 0, &c->iterations))
			return -EINVAL;
		if (!c->salt_len || !c->iterations)
			return -EINVAL;
	} else {
		c->salt_len = 0;
		c->iterations = 16;
	}
	return 0;
}

int efs_config_validate(struct efs_config *c, const char **why)
{
	const struct efs_cipher *ci = efs_cipher_lookup(c->cipher.name);
	const char *nn = c->naming.name;
	unsigned nc = c->naming.cur;

	if (!ci) {
		*why = "unknown cipher (not ssl/aes, ssl/blowfish or ssl/camellia)";
		return -ENOTSUP;
	}
	if (c->cipher.cur < 2 || c->cipher.cur > 3) {
		*why = c->cipher.cur == 1
			   ? "cipher interface version 1 (EncFS 1.0) is not supported"
			   : "unknown cipher interface version";
		return -ENOTSUP;
	}
	if (!strcmp(nn, "nameio/block") && nc >= 2 && nc <= 4)
		c->names = EFS_NAMES_BLOCK;
	else if (!strcmp(nn, "nameio/block32") && nc >= 2 && nc <= 4)
		c->names = EFS_NAMES_BLOCK32;
	else if (!strcmp(nn, "nameio/stream") && nc <= 2)
		c->names = EFS_NAMES_STREAM;
	else if (!strcmp(nn, "nameio/null") && nc == 1)
		c->names = EFS_NAMES_NULL;
	else {
		*why = "unknown name coding or version";
		return -ENOTSUP;
	}
	if (!efs_cipher_key_ok(ci, c->key_bits)) {
		*why = "key size not valid for the cipher";
		return -EINVAL;
	}
	if (c->block_size < 64 || c->block_size > 4096 || c->block_size % ci->bs) {
		*why = "block size out of range (64-4096, a multiple of the cipher block)";
		return -EINVAL;
	}
	if (c->mac_bytes > 8 || c->rand_bytes > 8 ||
	    c->block_size <= c->mac_bytes + c->rand_bytes) {
		*why = "blockMACBytes or blockMACRandBytes out of range";
		return -EINVAL;
	}
	if (c->keydata_len != c->key_bits / 8 + ci->bs + 4) {
		*why = "encoded key has the wrong length for the key size";
		return -EINVAL;
	}
	if (c->type == 5 && c->subversion != V5_SUB && c->subversion != V5_SUB_142) {
		*why = c->subversion < V5_SUB ? "V5 config from before 2004-08-13 (not supported)"
					      : "unknown V5 subVersion";
		return -ENOTSUP;
	}
	c->ciph = ci;
	return 0;
}

int efs_config_parse(unsigned type, const char *buf, size_t len, struct efs_config *c,
		     const char **why)
{
	int err;

	memset(c, 0, sizeof(*c));
	if (len > EFS_CONFIG_MAX) {
		*why = "config file too large";
		return -EINVAL;
	}
	err = type == 6 ? parse_v6(buf, len, c, why)
			: parse_v5(type, (const uint8_t *)buf, len, c, why);
	if (!err)
		err = efs_config_validate(c, why);
	c->file = type == 6   ? efs_config_files[0]
		  : type == 5 ? efs_config_files[1]
			      : efs_config_files[2];
	return err;
}

int efs_config_load(int dirfd, struct efs_config *c, const char **why)
{
	const char *name = efs_config_detect(dirfd);
	char *buf = NULL;
	size_t len = 0;
	unsigned type;
	int err;

	*why = "no EncFS config (.encfs6.xml, .encfs5 or .encfs4)";
	if (!name)
		return -ENOENT;
	type = name == efs_config_files[0] ? 6 : name == efs_config_files[1] ? 5 : 4;
	err = io_read_file_at(dirfd, name, EFS_CONFIG_MAX, &buf, &len);
	if (err) {
		*why = err == -EFBIG ? "config file too large" : "cannot read the config file";
		return err == -EFBIG ? -EINVAL : err;
	}
	err = efs_config_parse(type, buf, len, c, why);
	free(buf);
	return err;
}

/* ---- V5 writer (fixtures) ---- */

struct wr {
	uint8_t *p;
	size_t cap, len;
	bool full;
};

static void w_byte(struct wr *w, uint8_t b)
{
	if (w->len < w->cap)
		w->p[w->len++] = b;
	else
		w->full = true;
}

static void w_varint(struct wr *w, unsigned v)
{
	bool started = false;

	for (int shift = 28; shift > 0; shift -= 7) {
		uint8_t g = (uint8_t)((v >> shift) & 0x7f);
		if (g || started) {
			w_byte(w, g | 0x80);
			started = true;
		}
	}
	w_byte(w, v & 0x7f);
}

static void w_bytes(struct wr *w, const void *p, size_t n)
{
	w_varint(w, (unsigned)n);
	for (size_t i = 0; i < n; i++)
		w_byte(w, ((const uint8_t *)p)[i]);
}

/* One entry: key and a value built in a scratch buffer. */
static void w_entry(struct wr *w, const char *key, const uint8_t *val, size_t vlen)
{
	w_bytes(w, key, strlen(key));
	w_bytes(w, val, vlen);
}

static void w_int_entry(struct wr *w, const char *key, unsigned v)
{
	uint8_t b[8];
	struct wr s = {.p = b, .cap = sizeof(b)};

	w_varint(&s, v);
	w_entry(w, key, b, s.len);
}

static void w_iface_entry(struct wr *w, const char *key, const struct efs_iface *i)
{
	uint8_t b[64];
	struct wr s = {.p = b, .cap = sizeof(b)};

	w_bytes(&s, i->name, strlen(i->name));
	w_varint(&s, i->cur);
	w_varint(&s, i->rev);
	w_varint(&s, i->age);
	w_entry(w, key, b, s.len);
}

static void w_str_entry(struct wr *w, const char *key, const void *p, size_t n)
{
	uint8_t b[256];
	struct wr s = {.p = b, .cap = sizeof(b)};

	w_bytes(&s, p, n);
	w_entry(w, key, b, s.len);
}

long efs_config_write_v5(const struct efs_config *c, uint8_t *buf, size_t cap)
{
	struct wr w = {.p = buf, .cap = cap};
	bool holes = c->subversion == V5_SUB_142;

	/* Keys in sorted order, as EncFS's std::map writes them. */
	w_varint(&w, holes ? 13 : 12);
	if (holes)
		w_int_entry(&w, "allowHoles", c->allow_holes);
	w_int_entry(&w, "blockMACBytes", c->mac_bytes);
	w_int_entry(&w, "blockMACRandBytes", c->rand_bytes);
	w_int_entry(&w, "blockSize", c->block_size);
	w_int_entry(&w, "chainedIV", c->chained_iv);
	w_iface_entry(&w, "cipher", &c->cipher);
	w_str_entry(&w, "creator", c->creator, strlen(c->creator));
	w_int_entry(&w, "externalIV", c->external_iv);
	w_str_entry(&w, "keyData", c->keydata, c->keydata_len);
	w_int_entry(&w, "keySize", c->key_bits);
	w_iface_entry(&w, "naming", &c->naming);
	w_int_entry(&w, "subVersion", c->subversion);
	w_int_entry(&w, "uniqueIV", c->unique_iv);
	return w.full ? -ENOSPC : (long)w.len;
}

long efs_config_write_v4(const struct efs_config *c, uint8_t *buf, size_t cap)
{
	struct wr w = {.p = buf, .cap = cap};

	w_varint(&w, 4);
	w_int_entry(&w, "blockSize", c->block_size);
	w_iface_entry(&w, "cipher", &c->cipher);
	w_str_entry(&w, "keyData", c->keydata, c->keydata_len);
	w_int_entry(&w, "keySize", c->key_bits);
	return w.full ? -ENOSPC : (long)w.len;
}
