/*
 * encfs-vol.c - reading an EncFS volume: key unwrap from the password,
 * directory listings with decoded names, lookups, file content by plaintext
 * range (header, CBC blocks, the stream-coded tail, MAC headers, holes) and
 * symlinks (sealfs core layer; read-only, no FUSE, no logging). See
 * encfs-vol.h for the contract.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "encfs-vol.h"
#include "io.h"
#include "banned.h"

#define RAW_SPAN (256u * 1024u) /* ciphertext bytes read per pread */

struct efs_volume {
	int rootfd;
	struct efs_config c;
	struct efs_key *key;
	struct efs_namer nm;
};

int efs_volume_open(int rootfd, const struct efs_config *c, const char *pw, size_t pwlen,
		    struct efs_volume **ret)
{
	uint8_t uk[EFS_KEY_MAX + EFS_IV_MAX];
	size_t kl = c->key_bits / 8, ivl = c->ciph->bs;
	struct efs_key *u = NULL;
	struct efs_volume *v;
	int err;

	if (c->ciph->legacy && !efs_legacy_available())
		return -ENOPROTOOPT;
	v = calloc(1, sizeof(*v));
	if (!v)
		return -ENOMEM;
	v->rootfd = rootfd;
	v->c = *c;
	err = efs_password_key(pw, pwlen, c->salt, c->salt_len, c->iterations, uk, kl, ivl);
	if (!err)
		err = efs_key_new(c->ciph, c->cipher.cur, uk, kl, uk + kl, &u);
	OPENSSL_cleanse(uk, sizeof(uk));
	if (!err)
		err = efs_key_unwrap(u, c->ciph, c->cipher.cur, c->keydata, c->keydata_len, kl,
				     &v->key);
	efs_key_free(u);
	if (err) {
		free(v);
		return err == -EBADMSG ? -EKEYREJECTED : err;
	}
	v->nm = (struct efs_namer){.kind = c->names, .ver = c->naming.cur, .key = v->key};
	*ret = v;
	return 0;
}

void efs_volume_free(struct efs_volume *v)
{
	if (!v)
		return;
	efs_key_free(v->key);
	OPENSSL_cleanse(&v->c, sizeof(v->c));
	free(v);
}

const struct efs_config *efs_volume_config(const struct efs_volume *v)
{
	return &v->c;
}

int efs_volume_rootfd(const struct efs_volume *v)
{
	return v->rootfd;
}

const struct efs_namer *efs_volume_namer(const struct efs_volume *v)
{
	return &v->nm;
}

struct efs_dir {
	struct efs_volume *v;
	DIR *d;
	uint64_t iv;
	bool root;
};

int efs_dir_open(struct efs_volume *v, int atfd, const char *disk, uint64_t iv, bool root,
		 struct efs_dir **ret)
{
	struct efs_dir *d;
	int fd = openat(atfd, disk, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	d = calloc(1, sizeof(*d));
	if (!d) {
		close(fd);
		return -ENOMEM;
	}
	d->d = fdopendir(fd);
	if (!d->d) {
		int e = -errno;
		close(fd);
		free(d);
		return e;
	}
	d->v = v;
	d->iv = iv;
	d->root = root;
	*ret = d;
	return 0;
}

int efs_dir_fd(const struct efs_dir *d)
{
	return dirfd(d->d);
}

uint64_t efs_dir_iv(const struct efs_dir *d)
{
	return d->iv;
}

void efs_dir_free(struct efs_dir *d)
{
	if (!d)
		return;
	closedir(d->d);
	free(d);
}

static void decode_entry(struct efs_volume *v, uint64_t iv, const char *disk, struct efs_entry *e)
{
	uint64_t chain = iv;

	e->iv = 0;
	e->status = efs_name_decode(&v->nm, disk, strlen(disk), v->c.chained_iv ? &chain : NULL,
				    e->name, &e->namelen);
	if (!e->status)
		e->iv = v->c.chained_iv ? chain : 0;
	else {
		e->name[0] = '\0';
		e->namelen = 0;
	}
}

int efs_dir_next(struct efs_dir *d, struct efs_entry *ret)
{
	for (;;) {
		struct dirent *de;
		errno = 0;
		de = readdir(d->d);
		if (!de)
			return errno ? -errno : 0;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (d->root && (!strcmp(de->d_name, efs_config_files[0]) ||
				!strcmp(de->d_name, efs_config_files[1]) ||
				!strcmp(de->d_name, efs_config_files[2])))
			continue;
		ret->disk = de->d_name;
		if (fstatat(dirfd(d->d), de->d_name, &ret->st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue;
			ret->status = -errno;
			ret->name[0] = '\0';
			ret->namelen = 0;
			return 1;
		}
		decode_entry(d->v, d->iv, de->d_name, ret);
		return 1;
	}
}

int efs_lookup(struct efs_volume *v, int dirfd, uint64_t iv, const char *name, size_t namelen,
	       char *ret_disk, struct efs_entry *ret)
{
	uint64_t chain = iv;
	size_t dl;
	int err;

	if (!namelen || namelen > EFS_NAME_MAX || memchr(name, '/', namelen) ||
	    memchr(name, '\0', namelen))
		return -EINVAL;
	err =
	    efs_name_encode(&v->nm, name, namelen, v->c.chained_iv ? &chain : NULL, ret_disk, &dl);
	if (err)
		return err;
	if (fstatat(dirfd, ret_disk, &ret->st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	ret->disk = ret_disk;
	ret->status = 0;
	memcpy(ret->name, name, namelen);
	ret->name[namelen] = '\0';
	ret->namelen = namelen;
	ret->iv = v->c.chained_iv ? chain : 0;
	return 0;
}

static unsigned hdr_len(const struct efs_config *c)
{
	return c->unique_iv && !c->plain_data ? 8 : 0;
}

static unsigned hs_len(const struct efs_config *c)
{
	return c->plain_data ? 0 : c->mac_bytes + c->rand_bytes;
}

int efs_plain_size(const struct efs_config *c, uint64_t raw, uint64_t *ret)
{
	uint64_t s = raw, b = c->block_size, hs = hs_len(c);

	if (!s) {
		*ret = 0;
		return 0;
	}
	if (hdr_len(c)) {
		if (s < 8)
			return -EIO;
		s -= 8;
	}
	if (hs && s) {
		uint64_t last = s % b ? s % b : b;
		if (last <= hs)
			return -EIO;
		s -= ((s + b - 1) / b) * hs;
	}
	*ret = s;
	return 0;
}

size_t efs_file_block(const struct efs_file *f)
{
	return f->v->c.block_size - hs_len(&f->v->c);
}

int efs_file_open(struct efs_volume *v, int fd, uint64_t path_iv, struct efs_file *f)
{
	struct stat st;
	uint8_t h[8];
	ssize_t n;
	int err;

	memset(f, 0, sizeof(*f));
	f->v = v;
	f->fd = fd;
	if (fstat(fd, &st) < 0)
		return -errno;
	f->raw_size = (uint64_t)st.st_size;
	if (efs_plain_size(&v->c, f->raw_size, &f->size)) {
		f->why = "impossible ciphertext size (truncated or damaged)";
		return -EIO;
	}
	f->buf = malloc(v->c.block_size);
	f->raw_cap = (RAW_SPAN / v->c.block_size) * v->c.block_size;
	f->raw = malloc(f->raw_cap);
	if (!f->buf || !f->raw)
		return -ENOMEM;
	if (!hdr_len(&v->c) || !f->raw_size)
		return 0;
	n = io_pread_full(fd, h, 8, 0);
	if (n < 0)
		return (int)n;
	if (n != 8) {
		f->why = "file header truncated";
		return -EIO;
	}
	err = efs_stream_decode(v->key, h, 8, v->c.external_iv ? path_iv : 0);
	if (err)
		return err;
	for (int i = 0; i < 8; i++)
		f->file_iv = f->file_iv << 8 | h[i];
	if (!f->file_iv) {
		f->why = "file header damaged (zero file IV)";
		return -EIO;
	}
	return 0;
}

static bool zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

/* Decode data block IDX into f->buf; *ret_data and *ret_len: the plaintext data in it. */
static int read_block(struct efs_file *f, uint64_t idx, const uint8_t **ret_data, size_t *ret_len)
{
	const struct efs_config *c = &f->v->c;
	size_t b = c->block_size, hs = hs_len(c), len;
	uint64_t off = hdr_len(c) + idx * b;
	bool hole = false;
	ssize_t n;
	int err;

	f->bad_block = idx;
	if (!f->raw_len || idx < f->raw_first || (idx - f->raw_first) * b >= f->raw_len) {
		/* Not in the span read last: read the blocks from IDX on at once. */
		n = io_pread_full(f->fd, f->raw, f->raw_cap, (off_t)off);
		if (n < 0)
			return (int)n;
		f->raw_first = idx;
		f->raw_len = (size_t)n;
	}
	{
		size_t at = (size_t)(idx - f->raw_first) * b;
		len = at < f->raw_len ? f->raw_len - at : 0;
		if (len > b)
			len = b;
		memcpy(f->buf, f->raw + at, len);
	}
	if (!len) {
		f->why = "block missing (file shorter than its size)";
		return -EIO;
	}
	if (c->plain_data) {
		*ret_data = f->buf;
		*ret_len = len;
		return 0;
	}
	if (len == b) {
		hole = c->allow_holes && zero(f->buf, b);
		err = hole ? 0 : efs_block_decode(f->v->key, f->buf, b, idx ^ f->file_iv);
	} else {
		err = efs_stream_decode(f->v->key, f->buf, len, idx ^ f->file_iv);
	}
	if (err)
		return err;
	if (hs) {
		if (len <= hs) {
			f->why = "block too short for its MAC header";
			return -EIO;
		}
		if (c->mac_bytes && !hole) {
			uint64_t m;
			uint8_t want[8];
			err = efs_mac64(f->v->key, f->buf + c->mac_bytes, len - c->mac_bytes, NULL,
					&m);
			if (err)
				return err;
			for (unsigned i = 0; i < c->mac_bytes; i++)
				want[i] = (uint8_t)(m >> (8 * i));
			if (CRYPTO_memcmp(want, f->buf, c->mac_bytes)) {
				f->why = "block fails its MAC check";
				return -EIO;
			}
		}
	}
	*ret_data = f->buf + hs;
	*ret_len = len - hs;
	return 0;
}

ssize_t efs_file_read(struct efs_file *f, void *buf, size_t n, uint64_t off)
{
	size_t d = efs_file_block(f), done = 0;

	if (off >= f->size)
		return 0;
	if (n > f->size - off)
		n = (size_t)(f->size - off);
	f->raw_len = 0; /* read afresh on every call: the file may have changed */
	while (done < n) {
		uint64_t pos = off + done, idx = pos / d;
		size_t in = (size_t)(pos % d), len = 0, take;
		const uint8_t *data = NULL;
		int err = read_block(f, idx, &data, &len);
		if (err) {
			OPENSSL_cleanse(f->buf, f->v->c.block_size);
			return err;
		}
		if (in >= len) {
			f->why = "block shorter than the file size says";
			return -EIO;
		}
		take = len - in < n - done ? len - in : n - done;
		memcpy((uint8_t *)buf + done, data + in, take);
		done += take;
	}
	OPENSSL_cleanse(f->buf, f->v->c.block_size);
	return (ssize_t)done;
}

void efs_file_release(struct efs_file *f)
{
	if (f->buf) {
		OPENSSL_cleanse(f->buf, f->v->c.block_size);
		free(f->buf);
	}
	free(f->raw);
	f->buf = NULL;
	f->raw = NULL;
}

long efs_readlink(struct efs_volume *v, int dirfd, const char *disk, char *out)
{
	char raw[EFS_LINK_MAX + 2];
	ssize_t n = readlinkat(dirfd, disk, raw, sizeof(raw) - 1);
	long r;

	if (n < 0)
		return -errno;
	if (!n || (size_t)n >= sizeof(raw) - 1)
		return -EIO;
	raw[n] = '\0';
	r = efs_link_decode(&v->nm, v->c.chained_iv, raw, (size_t)n, out, EFS_LINK_MAX + 1);
	return r < 0 && r != -ENOMEM ? -EIO : r;
}

int efs_stat_size(struct efs_volume *v, int dirfd, const struct efs_entry *e, uint64_t *ret)
{
	if (S_ISREG(e->st.st_mode))
		return efs_plain_size(&v->c, (uint64_t)e->st.st_size, ret);
	if (S_ISLNK(e->st.st_mode)) {
		char *t = malloc(EFS_LINK_MAX + 1);
		long n;
		if (!t)
			return -ENOMEM;
		n = efs_readlink(v, dirfd, e->disk, t);
		OPENSSL_cleanse(t, EFS_LINK_MAX + 1);
		free(t);
		if (n < 0)
			return (int)n;
		*ret = (uint64_t)n;
		return 0;
	}
	*ret = (uint64_t)e->st.st_size;
	return 0;
}
