/*
 * test-construction.c - known-answer tests of sealfs's own constructions
 * (tests layer; sealfs/core keys, content, names, meta, file over the fd
 * backend).
 *
 * From the fixed master key 00 01 .. 1f, file id a0 .. af, directory IV
 * 10 .. 1f and nonce 20 .. 2f, every on-disk format is pinned: the HKDF
 * subkeys, a file key, sealed headers, an encrypted name and a long-name
 * stand-in, an xattr name, a symlink target; randomized formats (content
 * blocks, xattr values, a whole small file) are pinned as ciphertext made
 * once and must keep opening; the deterministic reverse-mode derivations
 * (directory IVs, file IDs, symlink nonces, synthetic block nonces) are
 * pinned outright. Each pin is also recomputed from the format
 * description with refcrypto.c, so a pin is "what the design says", not just
 * "what the code printed once": a change that breaks either fails here.
 */
#include <endian.h>
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>
#include <openssl/sha.h>

#include "cleanup.h"
#include "content.h"
#include "crypto.h"
#include "file.h"
#include "keys.h"
#include "meta.h"
#include "names.h"
#include "refcrypto.h"
#include "reverse.h"
#include "tap.h"
#include "banned.h"

static struct sfs_keys *K;
static uint8_t master[32], file_id[16], diriv[16], nonce16[16];

static void setup(void)
{
	for (int i = 0; i < 32; i++)
		master[i] = (uint8_t)i;
	for (int i = 0; i < 16; i++) {
		file_id[i] = (uint8_t)(0xa0 + i);
		diriv[i] = (uint8_t)(0x10 + i);
		nonce16[i] = (uint8_t)(0x20 + i);
	}
	if (sfs_keys_new(master, &K))
		abort();
}

/* HKDF-SHA256, empty salt, info = label: the derivation keys.h describes. */
static void ref_subkey(const char *label, uint8_t *out, size_t n)
{
	if (ref_hkdf(NULL, 0, master, 32, label, strlen(label), out, n))
		abort();
}

static void test_subkeys(void)
{
	static const struct {
		const char *label;
		size_t off, len;
		const char *pin;
	} subkeys[] = {
	    {"sealfs v1 content", offsetof(struct sfs_keys, content), 32,
	     "41956fe7358b7adc583be7a6104b7d62c9a891f45a7235bf9114fbe661512381"},
	    {"sealfs v1 header", offsetof(struct sfs_keys, header), 32,
	     "578b2994931a6bb62dadb5c6abb1d8af20f66ddfe6f57aac7cbbca3c0ddf191e"},
	    {"sealfs v1 names", offsetof(struct sfs_keys, names), 64,
	     "daebe0b3444190b416301c266c1768554cbacd874adae5ee3df3872d4f40bdc9"
	     "8a2b573d1303321fae22378848289b224c1d73224de44d7bf3f5756e9b301021"},
	    {"sealfs v1 symlinks", offsetof(struct sfs_keys, symlinks), 64,
	     "7cba5f5efb7c53b35b687d81ddc52809d96b47cf760f9bc7b3f51b6980eeacce"
	     "78e3bc8d3bacb2aa5864a856d0659908d255c138a169dab3800e598606f43eba"},
	    {"sealfs v1 xattrs", offsetof(struct sfs_keys, xattrs), 64,
	     "537927c21670a29148971623fa0598647d1acb3d4d102b8dbe13e4585cf0c009"
	     "4f5dc77b3f6b53c4e7b236b43aaaf9fc827c6a0c63a90dac9cbee03199161409"},
	    {"sealfs v1 config", offsetof(struct sfs_keys, config), 32,
	     "8f60fe257f94464fa8847970dafbc7dca968edf7da01d0fc884b5ec62a768e9c"},
	    {"sealfs v1 reverse", offsetof(struct sfs_keys, reverse), 32,
	     "f6fb0fc8fddc223526fc1eb95621bf093715c8b2fb3c0bbb9a2a9d2ec6875d95"},
	};
	uint8_t ref[64];

	CHECK_MEM(K->master, master, 32);
	for (size_t i = 0; i < ARRAY_SIZE(subkeys); i++) {
		const uint8_t *got = (const uint8_t *)K + subkeys[i].off;
		ref_subkey(subkeys[i].label, ref, subkeys[i].len);
		CHECK_MEM(got, ref, subkeys[i].len);
		CHECK_HEX(got, subkeys[i].len, subkeys[i].pin);
		/* No two purposes share key bytes. */
		for (size_t j = 0; j < i; j++)
			CHECK(memcmp(got, (const uint8_t *)K + subkeys[j].off, 32) != 0);
	}
}

static void test_file_key(void)
{
	uint8_t fk[32], ref[32], info[14 + 16], other[16], fk2[32];

	CHECK_EQ(sfs_keys_file_key(K, file_id, fk), 0);
	CHECK_HEX(fk, 32, "a997288b241592612b3d2ccedb103abd144ee8168c13f844e1476fba5e007023");
	/* HKDF of the content key, info = "sealfs v1 file" | id. */
	memcpy(info, "sealfs v1 file", 14);
	memcpy(info + 14, file_id, 16);
	CHECK_EQ(ref_hkdf(NULL, 0, K->content, 32, info, sizeof(info), ref, 32), 0);
	CHECK_MEM(fk, ref, 32);
	/* Each id its own key. */
	memcpy(other, file_id, 16);
	other[15] ^= 1;
	CHECK_EQ(sfs_keys_file_key(K, other, fk2), 0);
	CHECK(memcmp(fk, fk2, 32) != 0);
}

static const char hdr_bound_pin[] =
    "7366733100000000a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0102030405060708"
    "3a12dbf6b1acb22234009ac78585ae25";
static const char hdr_unbound_pin[] =
    "7366733100020000a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0102030405060708"
    "4bb50985902e0038cbfdd9c97d3ca2c4";
static const char hdr_sparse_pin[] =
    "7366733100010000a0a1a2a3a4a5a6a7a8a9aaabacadaeaf0102030405060708"
    "289711f7af670c2d2bf267691991c322";

static void test_header(void)
{
	struct sfs_header h = {.flags = 0, .size = 0x0102030405060708ULL}, got;
	struct sfs_binding b = {.name = "pinned.txt", .namelen = 10}, b2;
	uint8_t out[48], ref[32];

	memcpy(h.id, file_id, 16);
	memcpy(b.diriv, diriv, 16);

	CHECK_EQ(sfs_header_seal(K, &h, &b, out), 0);
	CHECK_HEX(out, 48, hdr_bound_pin);
	/* The layout content.h gives: magic, flags be16, zero, id, be64 size, mac. */
	CHECK_MEM(out, "sfs1", 4);
	CHECK_MEM(out + 8, file_id, 16);
	CHECK_HEX(out + 24, 8, "0102030405060708");
	/* mac = HMAC(header key, first 32 bytes | diriv | name)[0..16]. */
	CHECK_EQ(ref_hmac(K->header, 32, out, 32, diriv, 16, "pinned.txt", 10, ref), 0);
	CHECK_MEM(out + 32, ref, 16);
	CHECK_EQ(sfs_header_open(K, out, &b, &got), 0);
	CHECK_EQ(got.flags, 0);
	CHECK_EQ_U64(got.size, 0x0102030405060708ULL);
	CHECK_MEM(got.id, file_id, 16);

	/* Unbound: flag 0x0002 set, mac over the 32 bytes only. */
	CHECK_EQ(sfs_header_seal(K, &h, NULL, out), 0);
	CHECK_HEX(out, 48, hdr_unbound_pin);
	CHECK_EQ(ref_hmac(K->header, 32, out, 32, NULL, 0, NULL, 0, ref), 0);
	CHECK_MEM(out + 32, ref, 16);
	CHECK_EQ(sfs_header_open(K, out, &b, &got), 0); /* any binding opens it */
	CHECK_EQ(got.flags, SFS_HDR_UNBOUND);
	CHECK_EQ(sfs_header_open(K, out, NULL, &got), 0);

	/* Sparse flag, bound. */
	h.flags = SFS_HDR_SPARSE;
	CHECK_EQ(sfs_header_seal(K, &h, &b, out), 0);
	CHECK_HEX(out, 48, hdr_sparse_pin);
	CHECK_EQ(sfs_header_open(K, out, &b, &got), 0);
	CHECK_EQ(got.flags, SFS_HDR_SPARSE);

	/* The bound header opens nowhere else. */
	tap_unhex(hdr_bound_pin, out, sizeof(out));
	b2 = b;
	b2.name = "pinned.tx";
	b2.namelen = 9;
	CHECK_EQ(sfs_header_open(K, out, &b2, &got), -EBADMSG);
	b2 = b;
	b2.diriv[0] ^= 1;
	CHECK_EQ(sfs_header_open(K, out, &b2, &got), -EBADMSG);
	CHECK_EQ(sfs_header_open(K, out, NULL, &got), -EBADMSG);
	/* Every bit of it is covered. */
	for (int bit = 0; bit < 48 * 8; bit++) {
		int r;
		out[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		r = sfs_header_open(K, out, &b, &got);
		/* magic, zero bytes and unknown flags say -EINVAL, the rest -EBADMSG */
		if (!CHECK(r == -EBADMSG || r == -EINVAL))
			fprintf(stderr, "    bit %d: %d\n", bit, r);
		out[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	CHECK_EQ(sfs_header_open(K, out, &b, &got), 0);
	/* Unknown flags are refused on both sides. */
	h.flags = 0x4;
	CHECK_EQ(sfs_header_seal(K, &h, &b, out), -EINVAL);
	tap_unhex(hdr_bound_pin, out, sizeof(out));
	out[4] = 0x80;
	CHECK_EQ(sfs_header_open(K, out, &b, &got), -EINVAL);
}

static void test_name(void)
{
	static const char pin[] = "0HYu-eky1Vkbgqy0YFNQhVSb9raTJkMDiQ";
	static const char long_pin[] =
	    "GfUCqMAvA8Gb61xl-LAx4eK8ktID2qkVUnwY5qU0ZPhN3_stCszQpVVG-_7xGzmB8U0L-TpYCIf75Mg00"
	    "MYWNGD7egOs75QxuOuNjPKI-DaqHGkUZ7ML4ntp2U8yF1fWiC79wnRcRrscpiNaOGrEHVA7oAPOgRIIIda"
	    "ZbT318mIKI9o1tNVPe_KcN5K8qdEJw2R_DrTg_cB2IOwL6MNCWhaaobHu2OoxC1ygZxSz6yVAqyDzruLk8"
	    "xI8djlynG1392omMjyacY_3JnQlsbnISc00rtYUDddM";
	static const char standin_pin[] =
	    "sealfs.longname.7n98ONcD-C-NSOAg44vfhpH9vIHp4bzY5wcq6n5ebsY";
	char enc[SFS_ENC_NAME_MAX + 1], disk[SFS_ENC_NAME_MAX + 1], ref[400], out[256];
	uint8_t siv[16 + 255], digest[32];
	struct ref_ad ad = {diriv, 16};
	char longname[200];
	size_t len = 0;
	bool lng = true;

	CHECK_EQ(sfs_name_encrypt(K, diriv, "hello.txt", 9, enc, disk, &lng), 0);
	CHECK_STR(enc, pin);
	CHECK_STR(disk, pin);
	CHECK(!lng);
	/* base64url(AES-256-SIV(names key, AD = [diriv], name)). */
	CHECK_EQ(ref_siv_seal(K->names, 64, &ad, 1, (const uint8_t *)"hello.txt", 9, siv), 0);
	ref_b64url(siv, 16 + 9, ref);
	CHECK_STR(enc, ref);
	CHECK_EQ(sfs_name_decrypt(K, diriv, pin, strlen(pin), out, &len), 0);
	CHECK_EQ(len, 9);
	CHECK_STR(out, "hello.txt");

	/* A 200-byte name: encoded form too long, stored under the stand-in. */
	memset(longname, 'L', sizeof(longname));
	CHECK_EQ(sfs_name_encrypt(K, diriv, longname, 200, enc, disk, &lng), 0);
	CHECK(lng);
	CHECK_STR(enc, long_pin);
	CHECK_STR(disk, standin_pin);
	CHECK_EQ(ref_siv_seal(K->names, 64, &ad, 1, (const uint8_t *)longname, 200, siv), 0);
	ref_b64url(siv, 16 + 200, ref);
	CHECK_STR(enc, ref);
	/* stand-in = prefix | base64url(SHA-256(encoded name)) */
	SHA256((const unsigned char *)ref, strlen(ref), digest);
	memcpy(ref, SFS_LONGNAME_PREFIX, 16);
	ref_b64url(digest, 32, ref + 16);
	CHECK_STR(disk, ref);
	CHECK_EQ(strlen(disk), 16 + 43);
}

static void test_xattr_name_and_link(void)
{
	static const char xpin[] = "user.sealfs.78DpMJlIziXdTdhqiLkG4-je0OpZ6Tc";
	static const char lpin[] = "ICEiIyQlJicoKSorLC0uL87TGVx4OTTEvmT4vTkBmvrCsm0UNaV--RA";
	char out[300], ref[300], link[SFS_LINK_MAX + 1];
	uint8_t siv[64], raw[64];
	struct ref_ad ad = {"xattr-name", 10};
	long n;

	CHECK_EQ(sfs_xattr_name_encrypt(K, "user.comment", out, sizeof(out)), 0);
	CHECK_STR(out, xpin);
	/* "user.sealfs." | base64url(SIV(xattrs key, AD = ["xattr-name"], name after "user.")) */
	CHECK_EQ(ref_siv_seal(K->xattrs, 64, &ad, 1, (const uint8_t *)"comment", 7, siv), 0);
	memcpy(ref, "user.sealfs.", 12);
	ref_b64url(siv, 16 + 7, ref + 12);
	CHECK_STR(out, ref);
	CHECK_EQ(sfs_xattr_name_decrypt(K, xpin, out, sizeof(out)), 0);
	CHECK_STR(out, "user.comment");

	/* Symlink with a given nonce: base64url(nonce | SIV(symlinks key, AD = [nonce], target)).
	 */
	n = sfs_link_encrypt(K, "../target", 9, nonce16, out);
	CHECK_EQ(n, (long)strlen(lpin));
	CHECK_STR(out, lpin);
	ad = (struct ref_ad){nonce16, 16};
	memcpy(raw, nonce16, 16);
	CHECK_EQ(ref_siv_seal(K->symlinks, 64, &ad, 1, (const uint8_t *)"../target", 9, raw + 16),
		 0);
	ref_b64url(raw, 16 + 16 + 9, ref);
	CHECK_STR(out, ref);
	CHECK_EQ(sfs_link_decrypt(K, lpin, strlen(lpin), link), 9);
	CHECK_STR(link, "../target");
}

static void test_xattr_value(void)
{
	/* Made once by sfs_xattr_value_encrypt(K, "user.comment", "pinned value"). */
	static const char pin[] = "3850454cecb2ed84170e54a886a75ca421026dde22edbaac61787503ba49ee14"
				  "fc3d41b6976ae20cceda8917";
	uint8_t in[44], out[44], ref[44];
	struct ref_ad ad[2];

	CHECK_EQ(tap_unhex(pin, in, sizeof(in)), 44);
	CHECK_EQ(sfs_xattr_value_decrypt(K, "user.comment", in, 44, out), 0);
	CHECK_MEM(out, "pinned value", 12);
	/* nonce(16) | SIV(xattrs key, AD = [nonce, full name], value) */
	ad[0] = (struct ref_ad){in, 16};
	ad[1] = (struct ref_ad){"user.comment", 12};
	CHECK_EQ(ref_siv_seal(K->xattrs, 64, ad, 2, (const uint8_t *)"pinned value", 12, ref), 0);
	CHECK_MEM(in + 16, ref, 28);
	/* Bound to its attribute name. */
	CHECK_EQ(sfs_xattr_value_decrypt(K, "user.commenT", in, 44, out), -EBADMSG);
}

/* block 5 of file a0..af: "sealfs pinned block #5: the quick brown fox\n", sealed once */
static const char block_pt[] = "sealfs pinned block #5: the quick brown fox\n";
static const char block_pin[] =
    "591c1c576fa8b41e792b8d772916f2e325f6fa8a5a7601e75d33b1e858a24e255cd678154902fc4bf7c2c542"
    "65efda97ea3e5e852510dbda09f3d3421a23d258516bc7d1fccf8068";

static void test_block(void)
{
	uint8_t ct[72], pt[SFS_BLOCK], fk[32], other_key[32], other_id[16], ad[24],
	    zero[SFS_CBLOCK];
	uint64_t be = htobe64(5);
	size_t n = sizeof(block_pt) - 1;

	CHECK_EQ(n, 44);
	CHECK_EQ(tap_unhex(block_pin, ct, sizeof(ct)), n + SFS_BLOCK_OVERHEAD);
	CHECK_EQ(sfs_keys_file_key(K, file_id, fk), 0);
	memset(pt, 0xee, sizeof(pt));
	CHECK_EQ(sfs_block_open(fk, file_id, 5, ct, 72, false, pt), 0);
	CHECK_MEM(pt, block_pt, n);
	/* nonce(12) | AES-256-GCM(file key, AD = id | be64(block)) | tag(16) */
	memcpy(ad, file_id, 16);
	memcpy(ad + 16, &be, 8);
	memset(pt, 0, sizeof(pt));
	CHECK_EQ(ref_gcm_open(fk, ct, ad, 24, ct + 12, n, ct + 12 + n, pt), 0);
	CHECK_MEM(pt, block_pt, n);

	/* Any flipped bit, wrong block number, file id or key: -EBADMSG. */
	for (size_t bit = 0; bit < sizeof(ct) * 8; bit++) {
		ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		CHECK_EQ(sfs_block_open(fk, file_id, 5, ct, 72, true, pt), -EBADMSG);
		ct[bit / 8] ^= (uint8_t)(1u << (bit % 8));
	}
	CHECK_EQ(sfs_block_open(fk, file_id, 4, ct, 72, false, pt), -EBADMSG);
	CHECK_EQ(sfs_block_open(fk, file_id, 6, ct, 72, false, pt), -EBADMSG);
	CHECK_EQ(sfs_block_open(fk, file_id, 5 + (1ULL << 32), ct, 72, false, pt), -EBADMSG);
	memcpy(other_id, file_id, 16);
	other_id[0] ^= 1;
	CHECK_EQ(sfs_block_open(fk, other_id, 5, ct, 72, false, pt), -EBADMSG);
	CHECK_EQ(sfs_keys_file_key(K, other_id, other_key), 0);
	CHECK_EQ(sfs_block_open(other_key, file_id, 5, ct, 72, false, pt), -EBADMSG);
	/* Cut short or extended: the length is authenticated too. */
	CHECK_EQ(sfs_block_open(fk, file_id, 5, ct, 71, false, pt), -EBADMSG);
	CHECK_EQ(sfs_block_open(fk, file_id, 5, ct, 72, false, pt), 0);

	/* All-zero block: a hole only with sparse_ok. */
	memset(zero, 0, sizeof(zero));
	memset(pt, 0xee, sizeof(pt));
	CHECK_EQ(sfs_block_open(fk, file_id, 5, zero, SFS_CBLOCK, false, pt), -EBADMSG);
	CHECK_EQ(sfs_block_open(fk, file_id, 5, zero, SFS_CBLOCK, true, pt), 0);
	CHECK_MEM(pt, zero, SFS_BLOCK);
	memset(pt, 0xee, sizeof(pt));
	CHECK_EQ(sfs_block_open(fk, file_id, 5, zero, 29, true, pt), 0);
	CHECK_EQ(pt[0], 0);
	CHECK_EQ(pt[1], 0xee); /* exactly clen - 28 bytes written */
	/* Almost zero is not a hole. */
	zero[100] = 1;
	CHECK_EQ(sfs_block_open(fk, file_id, 5, zero, SFS_CBLOCK, true, pt), -EBADMSG);
	zero[100] = 0;

	/* Sizes. */
	CHECK_EQ(sfs_block_open(fk, file_id, 5, zero, 28, true, pt), -EINVAL);
	CHECK_EQ(sfs_block_open(fk, file_id, 5, zero, 0, true, pt), -EINVAL);
	CHECK_EQ(sfs_block_open(fk, file_id, 5, zero, SFS_CBLOCK + 1, true, pt), -EINVAL);
	CHECK_EQ(sfs_block_seal(fk, file_id, 5, pt, 0, zero), -EINVAL);
	CHECK_EQ(sfs_block_seal(fk, file_id, 5, pt, SFS_BLOCK + 1, zero), -EINVAL);

	/* Sealing is randomized (fresh nonce) and round trips at both size limits. */
	{
		uint8_t a[SFS_CBLOCK], b[SFS_CBLOCK], full[SFS_BLOCK];
		for (size_t i = 0; i < SFS_BLOCK; i++)
			full[i] = (uint8_t)(i * 7);
		CHECK_EQ(sfs_block_seal(fk, file_id, 9, full, SFS_BLOCK, a), 0);
		CHECK_EQ(sfs_block_seal(fk, file_id, 9, full, SFS_BLOCK, b), 0);
		CHECK(memcmp(a, b, 12) != 0);
		CHECK(memcmp(a + 12, b + 12, 32) != 0);
		CHECK_EQ(sfs_block_open(fk, file_id, 9, a, SFS_CBLOCK, false, pt), 0);
		CHECK_MEM(pt, full, SFS_BLOCK);
		CHECK_EQ(sfs_block_seal(fk, file_id, 9, full, 1, a), 0);
		CHECK_EQ(sfs_block_open(fk, file_id, 9, a, 29, false, pt), 0);
		CHECK_EQ(pt[0], full[0]);
	}
}

static void test_sizes(void)
{
	uint64_t p;

	CHECK_EQ_U64(sfs_cipher_size(0), 48);
	CHECK_EQ_U64(sfs_cipher_size(1), 48 + 29);
	CHECK_EQ_U64(sfs_cipher_size(4095), 48 + 4123);
	CHECK_EQ_U64(sfs_cipher_size(4096), 48 + 4124);
	CHECK_EQ_U64(sfs_cipher_size(4097), 48 + 4124 + 29);
	CHECK_EQ_U64(sfs_cipher_size(SFS_MAX_FILE_SIZE), 48 + (SFS_MAX_FILE_SIZE / 4096) * 4124);
	for (uint64_t c = 0; c < 48 + 3 * 4124 + 10; c++) {
		int r = sfs_plain_size(c, &p);
		uint64_t body = c - 48, rem = body % 4124;
		if (c < 48 || (rem >= 1 && rem <= 28)) {
			if (!CHECK_EQ(r, -EINVAL))
				break;
		} else if (!CHECK_EQ(r, 0) || !CHECK_EQ_U64(sfs_cipher_size(p), c)) {
			break;
		}
	}
	for (uint64_t x = 0; x < 3 * 4096 + 10; x++) {
		if (!CHECK(sfs_plain_size(sfs_cipher_size(x), &p) == 0 && p == x))
			break;
	}
	CHECK_EQ(sfs_plain_size(sfs_cipher_size(SFS_MAX_FILE_SIZE), &p), 0);
	CHECK_EQ_U64(p, SFS_MAX_FILE_SIZE);
	CHECK_EQ(sfs_plain_size(UINT64_MAX, &p), 0); /* some size: no overflow trap */
}

/* A whole 100-byte file "golden.txt" in directory IV 10..1f, made once and flushed. */
static const char golden_pin[] = "736673310000000040badaeb3c81be9582d907e45fccec460000000000000064"
				 "b7145487ecae195341e5ea1dc6c05c0c6a5e0c4e40dfc238f1f03c75c86c35ff"
				 "41180d900dad91a21a1605f2ab965a4a90da1a3de9ae0c1c5bb04c91d9661125"
				 "9ce8137cbddbf45310e2b1ac4ce2cac2a3106b8be8218d460e1c292038b30741"
				 "ea3998e73d78e8c69120ae7baa0a00d646646b51657257acc3aff7752c9dc598"
				 "21cd3143b35492630562d90e6df950c4";

static void test_golden_file(void)
{
	struct sfs_binding b = {.name = "golden.txt", .namelen = 10}, wrong;
	struct sfs_file f;
	uint8_t bytes[176];
	char dir[4096], path[4200], want[100], got[128];
	int fd;

	for (int i = 0; i < 100; i++)
		want[i] = "sealfs golden file "[i % 19];
	memcpy(b.diriv, diriv, 16);
	CHECK_EQ(tap_unhex(golden_pin, bytes, sizeof(bytes)), 176);
	if (!CHECK_EQ(tap_tmpdir(dir, sizeof(dir)), 0))
		return;
	snprintf(path, sizeof(path), "%s/golden", dir);
	fd = open(path, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (!CHECK(fd >= 0))
		return;
	CHECK_EQ(write(fd, bytes, sizeof(bytes)), 176);

	/* Through the fd backend, as the FUSE layer opens it. */
	CHECK_EQ(sfs_file_open(&f, &sfs_fd_backend, SFS_FD_HANDLE(fd), K, &b), 0);
	CHECK_EQ_U64(f.size, 100);
	CHECK_EQ_U64(f.hdr.size, 100);
	memset(got, 0, sizeof(got));
	CHECK_EQ(sfs_file_read(&f, got, sizeof(got), 0), 100);
	CHECK_MEM(got, want, 100);
	CHECK_EQ(sfs_file_read(&f, got, 10, 95), 5);
	CHECK_MEM(got, want + 95, 5);
	sfs_file_release(&f);

	wrong = b;
	wrong.name = "golden.txT";
	CHECK_EQ(sfs_file_open(&f, &sfs_fd_backend, SFS_FD_HANDLE(fd), K, &wrong), -EIO);
	CHECK(f.why != NULL);
	sfs_file_release(&f);
	close(fd);
}

/* Reverse mode: HMAC(reverse key, label | 0x00 | path), truncated (docs/FORMAT.md §8). */
static void ref_rev(const char *label, const char *path, uint8_t *out, size_t n)
{
	uint8_t mac[32];

	if (ref_hmac(K->reverse, 32, label, strlen(label) + 1, path, strlen(path), NULL, 0, mac))
		abort();
	memcpy(out, mac, n);
}

static void test_reverse(void)
{
	static const char pt[] = "reverse mode block 3\n";
	static const char rev_pin[] = "8696373cf79fc92d49e81f822181aac473d52095189a8982711f7494870e"
				      "597976609bdaa46f367990d5f54b180c0567f7";
	uint8_t out[16], ref[32], id[16], fk[32], ct[64], ct2[64], back[64], ad[24];
	uint64_t be = htobe64(3);
	size_t n = sizeof(pt) - 1;

	CHECK_EQ(sfs_rev_diriv(K, "", out), 0);
	CHECK_HEX(out, 16, "965599edb775202b0cd321431980536d");
	ref_rev("diriv", "", ref, 16);
	CHECK_MEM(out, ref, 16);
	CHECK_EQ(sfs_rev_diriv(K, "docs/2024", out), 0);
	CHECK_HEX(out, 16, "048cb6d8e3b42dedc248f35d28b78304");
	ref_rev("diriv", "docs/2024", ref, 16);
	CHECK_MEM(out, ref, 16);
	CHECK_EQ(sfs_rev_file_id(K, "docs/2024/report.pdf", id), 0);
	CHECK_HEX(id, 16, "efb3a38c4785a16168e39e6d28e3725d");
	ref_rev("fileid", "docs/2024/report.pdf", ref, 16);
	CHECK_MEM(id, ref, 16);
	CHECK_EQ(sfs_rev_link_nonce(K, "bin/sh", out), 0);
	CHECK_HEX(out, 16, "98dcdb6ab05f0d657658f9cd0a0d5bc4");
	ref_rev("link", "bin/sh", ref, 16);
	CHECK_MEM(out, ref, 16);
	/* The labels separate the purposes: same path, different values. */
	CHECK_EQ(sfs_rev_diriv(K, "docs/2024/report.pdf", out), 0);
	CHECK(memcmp(out, id, 16) != 0);

	/* Synthetic block nonce: HMAC(rk, "nonce" 0x00 | id | be64(block) | plaintext)[0..12]. */
	CHECK_EQ(sfs_keys_file_key(K, id, fk), 0);
	CHECK_EQ(sfs_rev_block_seal(K, fk, id, 3, (const uint8_t *)pt, n, ct), 0);
	CHECK_HEX(ct, n + 28, rev_pin);
	{
		uint8_t pre[6 + 16 + 8];
		memcpy(pre, "nonce", 6);
		memcpy(pre + 6, id, 16);
		memcpy(pre + 22, &be, 8);
		CHECK_EQ(ref_hmac(K->reverse, 32, pre, sizeof(pre), pt, n, NULL, 0, ref), 0);
		CHECK_MEM(ct, ref, 12);
	}
	/* ... and the rest is the forward block format: it opens as a forward block. */
	memcpy(ad, id, 16);
	memcpy(ad + 16, &be, 8);
	CHECK_EQ(ref_gcm_open(fk, ct, ad, 24, ct + 12, n, ct + 12 + n, back), 0);
	CHECK_MEM(back, pt, n);
	CHECK_EQ(sfs_block_open(fk, id, 3, ct, n + 28, false, back), 0);
	/* Deterministic for equal input, a new nonce for any change. */
	CHECK_EQ(sfs_rev_block_seal(K, fk, id, 3, (const uint8_t *)pt, n, ct2), 0);
	CHECK_MEM(ct2, ct, n + 28);
	CHECK_EQ(sfs_rev_block_seal(K, fk, id, 4, (const uint8_t *)pt, n, ct2), 0);
	CHECK(memcmp(ct2, ct, 12) != 0);
	CHECK_EQ(sfs_rev_block_seal(K, fk, id, 3, (const uint8_t *)pt, n - 1, ct2), 0);
	CHECK(memcmp(ct2, ct, 12) != 0);
	CHECK_EQ(sfs_rev_block_seal(K, fk, id, 3, (const uint8_t *)pt, 0, ct2), -EINVAL);
	CHECK_EQ(sfs_rev_block_seal(K, fk, id, 3, (const uint8_t *)pt, SFS_BLOCK + 1, ct2),
		 -EINVAL);
}

int main(void)
{
	setup();
	TAP_RUN(test_subkeys);
	TAP_RUN(test_file_key);
	TAP_RUN(test_header);
	TAP_RUN(test_name);
	TAP_RUN(test_xattr_name_and_link);
	TAP_RUN(test_xattr_value);
	TAP_RUN(test_block);
	TAP_RUN(test_sizes);
	TAP_RUN(test_golden_file);
	TAP_RUN(test_reverse);
	sfs_keys_free(K);
	return tap_done();
}
