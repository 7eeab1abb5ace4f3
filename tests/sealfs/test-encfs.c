/*
 * test-encfs.c - known-answer and unit tests of the EncFS reader (tests
 * layer; sealfs/core/encfs-crypto.h, encfs-names.h, encfs-config.h).
 *
 * The vectors are those of the EncFS format notes (../shared/encfs-format.md
 * §9, computed by a reader checked against volumes EncFS itself wrote):
 * BytesToKey, setIVec old and new, the folded HMAC, stream and block modes,
 * block names chained and not, for Blowfish-160 and AES-192/256 with cipher
 * interfaces 2 and 3. Plus: the EncFS base64/base32 codecs, key wrap round
 * trips and wrong-password refusal, V5 config write/parse, V6 XML parsing
 * and the refusals of corrupt or unsupported configs.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "encfs-config.h"
#include "encfs-crypto.h"
#include "encfs-names.h"
#include "tap.h"
#include "banned.h"

static bool have_bf;

static void test_bytestokey(void)
{
	uint8_t out[48];

	CHECK_EQ(efs_password_key("test", 4, NULL, 0, 0, out, 20, 8), 0);
	CHECK_HEX(out, 20, "807666a31d693194c8a3c08249ab6d3b9467523e");
	CHECK_HEX(out + 20, 8, "3aff9fd6363de5e0");
	CHECK_EQ(efs_password_key("test", 4, NULL, 0, 0, out, 24, 16), 0);
	CHECK_HEX(out, 24, "807666a31d693194c8a3c08249ab6d3b9467523e3aff9fd6");
	CHECK_HEX(out + 24, 16, "363de5e096ef333f72a406a501e24679");
	CHECK_EQ(efs_password_key("test", 4, NULL, 0, 0, out, 32, 16), 0);
	CHECK_HEX(out, 32, "807666a31d693194c8a3c08249ab6d3b9467523e3aff9fd6363de5e096ef333f");
	CHECK_HEX(out + 32, 16, "72a406a501e24679d2d97fd7c3a34257");
	CHECK_EQ(efs_password_key("", 0, NULL, 0, 0, out, 20, 8), -EINVAL);
}

struct prim {
	const char *cipher;
	unsigned bits, iface;
	const char *ivec, *mac, *mac32, *mac16, *macchain, *stream, *name, *next, *unchained;
	const char *blockenc;
};

static const struct prim prims[] = {
    {"ssl/blowfish", 160, 2, "1dfccef4799ff278", "70216205f7df1df6", "87fe7ff3", "f80d",
     "d7abe90b09c52eda", "6306dff7fdf5b0f1bf363d", "4ZDAKlJcWvT3uj6E3F0wG6yU", "ff2389689018a0aa",
     "Ose-6SORZxK9n8bwue9GTO5z", "775be8ef7efc3cbfc5fea3a16334ed2f"},
    {"ssl/blowfish", 160, 3, "f37bbc20c2adc7a3", "70216205f7df1df6", "87fe7ff3", "f80d",
     "d7abe90b09c52eda", "279401b5f6e81a1ca38d85", "4ZzBc4ew2Lnl02QiQC2aqUgl", "ff2389689018a0aa",
     "OsePd4jTdddJOgvza6nopxJ2", "810263bae457727a92b69e2ff06a97da"},
    {"ssl/aes", 192, 2, "1dfccef4799ff27877fd907611f0c2f8", "149f09ebbf083aef", "ab973304", "9893",
     "616b99b83c2d4609", "bf4d4c0d0b662c95fcc917", "1,uVLQXYhLTXXXUTJ9P62a,-", "2013826a0adfab06",
     "IF59JOLBEygB0jBDJDblDHDa",
     "31aca44b0345a114eba84680fbd19e9e0d60136145258453ba16b03a5b649deb"},
    {"ssl/aes", 192, 3, "78786fe51f702525f272248cb882d381", "149f09ebbf083aef", "ab973304", "9893",
     "616b99b83c2d4609", "b22783b8c44c6933565e03", "1,e8sE3f5BjC9Qs0BO65e6rC", "2013826a0adfab06",
     "IF51oe6gjB,NCy2ZoHBkp4WJ",
     "6c9ba5ec49242ea91a95c429f63bcc16ef076a18ece19b2876351d2ec2fb7b8a"},
    {"ssl/aes", 256, 3, "6cc653298b656b819e89a7348377e346", "75a8b272517ef657", "24d64425", "60f3",
     "d7cf2d1f553c2576", "952e81fdabe70c93a3a854", "T-pQ3e6AAal0RYqevpQ,i6zL", "3def06023b135fae",
     "aXZB0NUgeFU3uwZjGCg-vUrA",
     "05d40439f512a1536f659afddd515a7d7443bf31005fb6685814b04ed893afd4"},
};

static void be64(uint64_t v, uint8_t out[8])
{
	for (int i = 0; i < 8; i++)
		out[i] = (uint8_t)(v >> (56 - 8 * i));
}

static void test_primitives(void)
{
	for (size_t i = 0; i < sizeof(prims) / sizeof(prims[0]); i++) {
		const struct prim *p = &prims[i];
		const struct efs_cipher *c = efs_cipher_lookup(p->cipher);
		uint8_t key[64], iv[16], out[64], buf[64];
		struct efs_key *k = NULL;
		uint64_t m, chain;
		char name[EFS_ENC_NAME_MAX + 1], back[EFS_NAME_MAX + 1];
		size_t nl, bl;

		if (c->legacy && !have_bf)
			continue;
		for (unsigned j = 0; j < sizeof(key); j++)
			key[j] = (uint8_t)j;
		for (unsigned j = 0; j < sizeof(iv); j++)
			iv[j] = (uint8_t)(0xa0 + j);
		if (!CHECK_EQ(efs_key_new(c, p->iface, key, p->bits / 8, iv, &k), 0))
			continue;
		CHECK_EQ(efs_ivec(k, 0x0123456789abcdefull, out), 0);
		CHECK_HEX(out, c->bs, p->ivec);
		CHECK_EQ(efs_mac64(k, (const uint8_t *)"hello", 5, NULL, &m), 0);
		be64(m, out);
		CHECK_HEX(out, 8, p->mac);
		uint32_t m32 = efs_fold32(m);
		uint16_t m16 = efs_fold16(m);
		uint8_t b4[4] = {(uint8_t)(m32 >> 24), (uint8_t)(m32 >> 16), (uint8_t)(m32 >> 8),
				 (uint8_t)m32};
		uint8_t b2[2] = {(uint8_t)(m16 >> 8), (uint8_t)m16};
		CHECK_HEX(b4, 4, p->mac32);
		CHECK_HEX(b2, 2, p->mac16);
		chain = 0;
		CHECK_EQ(efs_mac64(k, (const uint8_t *)"hello", 5, &chain, &m), 0);
		be64(m, out);
		CHECK_HEX(out, 8, p->macchain);
		CHECK_EQ_U64(chain, m);
		memcpy(buf, "hello world", 11);
		CHECK_EQ(efs_stream_encode(k, buf, 11, 5), 0);
		CHECK_HEX(buf, 11, p->stream);
		CHECK_EQ(efs_stream_decode(k, buf, 11, 5), 0);
		CHECK_MEM(buf, "hello world", 11);
		memset(buf, 0, 2 * c->bs);
		CHECK_EQ(efs_block_encode(k, buf, 2 * c->bs, 5), 0);
		CHECK_HEX(buf, 2 * c->bs, p->blockenc);
		CHECK_EQ(efs_block_decode(k, buf, 2 * c->bs, 5), 0);
		CHECK(buf[0] == 0 && buf[2 * c->bs - 1] == 0);
		CHECK_EQ(efs_block_decode(k, buf, c->bs + 1, 5), -EINVAL);

		struct efs_namer nm = {.kind = EFS_NAMES_BLOCK, .ver = 3, .key = k};
		chain = 0;
		CHECK_EQ(efs_name_encode(&nm, "hello.txt", 9, &chain, name, &nl), 0);
		CHECK_STR(name, p->name);
		be64(chain, out);
		CHECK_HEX(out, 8, p->next);
		chain = 0;
		CHECK_EQ(efs_name_decode(&nm, p->name, strlen(p->name), &chain, back, &bl), 0);
		CHECK_STR(back, "hello.txt");
		be64(chain, out);
		CHECK_HEX(out, 8, p->next);
		CHECK_EQ(efs_name_encode(&nm, "hello.txt", 9, NULL, name, &nl), 0);
		CHECK_STR(name, p->unchained);
		/* Version 4 codes base64 names as version 3. */
		nm.ver = 4;
		CHECK_EQ(efs_name_decode(&nm, p->unchained, strlen(p->unchained), NULL, back, &bl),
			 0);
		CHECK_STR(back, "hello.txt");
		/* A flipped character fails the checksum, a foreign one is not a name. */
		snprintf(name, sizeof(name), "%s", p->unchained);
		name[5] = name[5] == 'A' ? 'B' : 'A';
		chain = 7;
		CHECK(efs_name_decode(&nm, name, strlen(name), &chain, back, &bl) < 0);
		CHECK_EQ_U64(chain, 7);
		CHECK_EQ(efs_name_decode(&nm, "abc.def", 7, NULL, back, &bl), -EINVAL);
		efs_key_free(k);
	}
}

/* Every coder and length round trips, chained and not; links too. */
static void test_name_roundtrip(void)
{
	static const enum efs_naming kinds[] = {EFS_NAMES_BLOCK, EFS_NAMES_BLOCK32,
						EFS_NAMES_STREAM, EFS_NAMES_NULL};
	uint8_t key[32] = {1, 2, 3}, iv[16] = {9};
	struct efs_key *k = NULL;
	char in[256], enc[EFS_ENC_NAME_MAX + 1], out[EFS_NAME_MAX + 1], link[5000], back[5000];
	size_t el, ol;
	int bad = 0;

	if (!CHECK_EQ(efs_key_new(efs_cipher_lookup("ssl/aes"), 3, key, 32, iv, &k), 0))
		return;
	for (size_t t = 0; t < 4; t++) {
		for (unsigned ver = (kinds[t] == EFS_NAMES_STREAM ? 0 : 2); ver <= 4; ver++) {
			struct efs_namer nm = {.kind = kinds[t], .ver = ver, .key = k};
			size_t max = kinds[t] == EFS_NAMES_BLOCK32 ? 143 : 175;
			for (size_t len = 1; len <= max; len++) {
				uint64_t c1 = 0x1234, c2 = 0x1234;
				for (size_t i = 0; i < len; i++)
					in[i] = (char)('a' + (i * 7 + len) % 26);
				if (efs_name_encode(&nm, in, len, &c1, enc, &el) ||
				    efs_name_decode(&nm, enc, el, &c2, out, &ol) || ol != len ||
				    memcmp(in, out, len) || c1 != c2 || el > 255)
					bad++;
			}
		}
	}
	CHECK_EQ(bad, 0);
	struct efs_namer nm = {.kind = EFS_NAMES_BLOCK, .ver = 4, .key = k};
	const char *targets[] = {"../a/./b", "/etc/hostname", "x", "dir/sub/file"};
	for (size_t i = 0; i < 4; i++) {
		long n =
		    efs_link_encode(&nm, 1, targets[i], strlen(targets[i]), link, sizeof(link));
		CHECK(n > 0);
		if (n > 0) {
			CHECK_EQ(efs_link_decode(&nm, 1, link, (size_t)n, back, sizeof(back)),
				 (long)strlen(targets[i]));
			CHECK_STR(back, targets[i]);
		}
	}
	CHECK_EQ(efs_link_encode(&nm, 1, "/etc/hostname", 13, link, sizeof(link)) > 0, 1);
	CHECK(link[0] == '+');
	efs_key_free(k);
}

/* Every Blowfish key size 128..448 works (and wraps); off-grid sizes are refused. */
static void test_blowfish_sizes(void)
{
	const struct efs_cipher *c = efs_cipher_lookup("ssl/blowfish");
	uint8_t key[56], iv[8] = {1, 2, 3, 4, 5, 6, 7, 8}, buf[40], kd[4 + 56 + 8];
	struct efs_key *k = NULL, *v = NULL;

	if (!have_bf)
		return;
	CHECK(!efs_cipher_key_ok(c, 136));
	CHECK(!efs_cipher_key_ok(c, 480));
	CHECK(!efs_cipher_key_ok(c, 96));
	for (unsigned bits = 128; bits <= 448; bits += 32) {
		for (unsigned i = 0; i < sizeof(key); i++)
			key[i] = (uint8_t)(i * 3 + bits);
		if (!CHECK_EQ(efs_key_new(c, 3, key, bits / 8, iv, &k), 0))
			continue;
		memset(buf, 0x11, sizeof(buf));
		CHECK_EQ(efs_block_encode(k, buf, 32, 9), 0);
		CHECK(buf[0] != 0x11 || buf[1] != 0x11);
		CHECK_EQ(efs_block_decode(k, buf, 32, 9), 0);
		CHECK(buf[0] == 0x11 && buf[31] == 0x11);
		CHECK_EQ(efs_key_wrap(k, key, bits / 8, iv, 8, kd), 0);
		CHECK_EQ(efs_key_unwrap(k, c, 3, kd, 4 + bits / 8 + 8, bits / 8, &v), 0);
		efs_key_free(v);
		v = NULL;
		efs_key_free(k);
		k = NULL;
	}
	/* Keys differing only past byte 16 give different ciphertext: the whole key is used. */
	struct efs_key *a = NULL, *b = NULL;
	uint8_t x[8] = {0}, y[8] = {0};
	memset(key, 7, sizeof(key));
	CHECK_EQ(efs_key_new(c, 3, key, 56, iv, &a), 0);
	key[55] ^= 1;
	CHECK_EQ(efs_key_new(c, 3, key, 56, iv, &b), 0);
	if (a && b) {
		CHECK_EQ(efs_block_encode(a, x, 8, 0), 0);
		CHECK_EQ(efs_block_encode(b, y, 8, 0), 0);
		CHECK(memcmp(x, y, 8) != 0);
	}
	efs_key_free(a);
	efs_key_free(b);
}

static void test_base64(void)
{
	uint8_t in[40], out[40];
	char enc[80];

	for (unsigned i = 0; i < sizeof(in); i++)
		in[i] = (uint8_t)(i * 37 + 11);
	for (size_t n = 1; n <= sizeof(in); n++) {
		size_t el = efs_b64_encode(in, n, enc);
		CHECK_EQ((long)el, (long)((8 * n + 5) / 6));
		CHECK_EQ(efs_b64_decode(enc, el, out), (long)n);
		CHECK_MEM(out, in, n);
		el = efs_b32_encode(in, n, enc);
		CHECK_EQ(efs_b32_decode(enc, el, out), (long)n);
		CHECK_MEM(out, in, n);
	}
	/* The first character holds the low bits of the first byte. */
	in[0] = 1;
	efs_b64_encode(in, 1, enc);
	CHECK_STR(enc, "-,");
	CHECK_EQ(efs_b64_decode("ab.c", 4, out), -EINVAL);
	CHECK_EQ(efs_b32_decode("ab1c", 4, out), -EINVAL);
}

/* A V5 config with a wrapped key: write, parse, unwrap; wrong password fails. */
static void test_v5(void)
{
	struct efs_config c = {0}, p;
	const char *why = "";
	uint8_t uk[72], vk[32], viv[16], buf[1024];
	struct efs_key *u = NULL, *v = NULL;
	const struct efs_cipher *ci = efs_cipher_lookup(have_bf ? "ssl/blowfish" : "ssl/aes");
	unsigned bits = have_bf ? 160 : 192;
	long n;

	snprintf(c.cipher.name, sizeof(c.cipher.name), "%s", ci->name);
	c.cipher.cur = 2, c.cipher.rev = 1, c.cipher.age = 1;
	snprintf(c.naming.name, sizeof(c.naming.name), "nameio/block");
	c.naming.cur = 3, c.naming.age = 1;
	snprintf(c.creator, sizeof(c.creator), "EncFS 1.4.1");
	c.subversion = 20040813;
	c.key_bits = bits;
	c.block_size = 512;
	c.unique_iv = c.chained_iv = true;
	for (int i = 0; i < 32; i++)
		vk[i] = (uint8_t)(200 - i);
	memset(viv, 0x5a, sizeof(viv));
	CHECK_EQ(efs_password_key("pw", 2, NULL, 0, 0, uk, bits / 8, ci->bs), 0);
	if (!CHECK_EQ(efs_key_new(ci, 2, uk, bits / 8, uk + bits / 8, &u), 0))
		return;
	CHECK_EQ(efs_key_wrap(u, vk, bits / 8, viv, ci->bs, c.keydata), 0);
	c.keydata_len = 4 + bits / 8 + ci->bs;
	n = efs_config_write_v5(&c, buf, sizeof(buf));
	CHECK(n > 0);
	/* Stale bytes after the entries (EncFS's save without O_TRUNC) are ignored. */
	memset(buf + n, 0xee, 7);
	CHECK_EQ(efs_config_parse(5, (const char *)buf, (size_t)n + 7, &p, &why), 0);
	CHECK_STR(p.cipher.name, ci->name);
	CHECK_EQ(p.cipher.cur, 2);
	CHECK_EQ(p.naming.age, 1);
	CHECK_EQ(p.key_bits, bits);
	CHECK_EQ(p.block_size, 512);
	CHECK(p.unique_iv && p.chained_iv && !p.external_iv && !p.allow_holes);
	CHECK_STR(p.creator, "EncFS 1.4.1");
	CHECK_EQ(efs_key_unwrap(u, ci, 2, p.keydata, p.keydata_len, bits / 8, &v), 0);
	if (v) {
		const uint8_t *kb, *ib;
		CHECK_EQ(efs_key_bytes(v, &kb, &ib), bits / 8);
		CHECK_MEM(kb, vk, bits / 8);
		CHECK_MEM(ib, viv, ci->bs);
		efs_key_free(v);
		v = NULL;
	}
	efs_key_free(u);
	CHECK_EQ(efs_password_key("wrong", 5, NULL, 0, 0, uk, bits / 8, ci->bs), 0);
	CHECK_EQ(efs_key_new(ci, 2, uk, bits / 8, uk + bits / 8, &u), 0);
	CHECK_EQ(efs_key_unwrap(u, ci, 2, p.keydata, p.keydata_len, bits / 8, &v), -EBADMSG);
	efs_key_free(u);
	/* Truncations anywhere are refused, never read past the end. */
	int ok = 0;
	for (long cut = 0; cut < n; cut++)
		if (efs_config_parse(5, (const char *)buf, (size_t)cut, &p, &why) == 0)
			ok++;
	CHECK_EQ(ok, 0);
	/* An unsupported subVersion. */
	c.subversion = 20040518;
	n = efs_config_write_v5(&c, buf, sizeof(buf));
	CHECK_EQ(efs_config_parse(5, (const char *)buf, (size_t)n, &p, &why), -ENOTSUP);
	/* 1.4.2's subVersion with allowHoles. */
	c.subversion = 20080411;
	c.allow_holes = true;
	n = efs_config_write_v5(&c, buf, sizeof(buf));
	CHECK_EQ(efs_config_parse(5, (const char *)buf, (size_t)n, &p, &why), 0);
	CHECK(p.allow_holes);
}

static const char v6[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<!DOCTYPE boost_serialization>\n"
    "<boost_serialization signature=\"serialization::archive\" version=\"7\">\n"
    "    <cfg class_id=\"0\" tracking_level=\"0\" version=\"20\">\n"
    "        <version>20100713</version>\n        <creator>EncFS 1.9.5</creator>\n"
    "        <cipherAlg class_id=\"1\" tracking_level=\"0\" version=\"0\">\n"
    "            <name>ssl/aes</name> <major>3</major> <minor>0</minor>\n"
    "        </cipherAlg>\n"
    "        <nameAlg> <name>nameio/block</name> <major>4</major> <minor>0</minor> </nameAlg>\n"
    "        <keySize>192</keySize>\n        <blockSize>1024</blockSize>\n"
    "        <plainData>0</plainData>\n        <uniqueIV>1</uniqueIV>\n"
    "        <chainedNameIV>1</chainedNameIV>\n"
    "        <externalIVChaining>0</externalIVChaining>\n"
    "        <blockMACBytes>0</blockMACBytes>\n        <blockMACRandBytes>0</blockMACRandBytes>\n"
    "        <allowHoles>1</allowHoles>\n        <encodedKeySize>44</encodedKeySize>\n"
    "        <encodedKeyData>\nK/omeEl/UDxKEvKwhUDf4cOQgYnuSe1JrvfZ3wQh7Gg8Lu46jNIqZEpSrHI=\n"
    "</encodedKeyData>\n        <saltLen>20</saltLen>\n        <saltData>\n"
    "G1lpokyUZTC1QeHNMLixKg/Uu20=\n</saltData>\n"
    "        <kdfIterations>609155</kdfIterations>\n"
    "        <desiredKDFDuration>500</desiredKDFDuration>\n    </cfg>\n</boost_serialization>\n";

static void test_v6(void)
{
	struct efs_config c;
	const char *why = "";
	char *bad;

	CHECK_EQ(efs_config_parse(6, v6, strlen(v6), &c, &why), 0);
	CHECK_EQ(c.subversion, 20100713);
	CHECK_STR(c.cipher.name, "ssl/aes");
	CHECK_EQ(c.cipher.cur, 3);
	CHECK_EQ(c.names, EFS_NAMES_BLOCK);
	CHECK_EQ(c.naming.cur, 4);
	CHECK_EQ(c.key_bits, 192);
	CHECK_EQ(c.block_size, 1024);
	CHECK(c.unique_iv && c.chained_iv && !c.external_iv && c.allow_holes && !c.plain_data);
	CHECK_EQ(c.keydata_len, 44);
	CHECK_HEX(c.keydata, 4, "2bfa2678");
	CHECK_EQ(c.salt_len, 20);
	CHECK_EQ(c.iterations, 609155);
	CHECK_STR(c.creator, "EncFS 1.9.5");
	/* Corruptions: each must be refused with a reason. */
	static const struct {
		const char *from, *to;
		int err;
	} muts[] = {
	    {"<keySize>192", "<keySize>200", -EINVAL},
	    {"<blockSize>1024", "<blockSize>1000", -EINVAL},
	    {"<encodedKeySize>44", "<encodedKeySize>45", -EINVAL},
	    {"ssl/aes", "ssl/des", -ENOTSUP},
	    {"nameio/block", "nameio/fancy", -ENOTSUP},
	    {"<blockMACBytes>0", "<blockMACBytes>9", -EINVAL},
	    {"<saltLen>20", "<saltLen>21", -EINVAL},
	    {"</cfg>", "</cgf>", -EINVAL},
	    {"<major>3</major>", "<major>7</major>", -ENOTSUP},
	    {"K/ome", "K*ome", -EINVAL},
	};
	for (size_t i = 0; i < sizeof(muts) / sizeof(muts[0]); i++) {
		bad = strdup(v6);
		char *at = strstr(bad, muts[i].from);
		memcpy(at, muts[i].to, strlen(muts[i].to));
		why = NULL;
		CHECK_EQ(efs_config_parse(6, bad, strlen(bad), &c, &why), muts[i].err);
		CHECK(why != NULL);
		free(bad);
	}
	/* Truncations are refused. */
	int ok = 0;
	for (size_t cut = 0; cut + 30 < strlen(v6); cut++)
		if (!efs_config_parse(6, v6, cut, &c, &why))
			ok++;
	CHECK_EQ(ok, 0);
}

int main(void)
{
	have_bf = efs_legacy_available();
	if (!have_bf)
		printf("# OpenSSL legacy provider missing: Blowfish vectors skipped\n");
	TAP_RUN(test_bytestokey);
	TAP_RUN(test_primitives);
	TAP_RUN(test_name_roundtrip);
	TAP_RUN(test_blowfish_sizes);
	TAP_RUN(test_base64);
	TAP_RUN(test_v5);
	TAP_RUN(test_v6);
	return tap_done();
}
