/*
 * test-crypto.c - known-answer tests of the sealfs crypto primitives
 * (tests layer; exercises sealfs/core/crypto.h only).
 *
 * Published vectors: AES-256-GCM (McGrew-Viega GCM spec, test cases 13, 14,
 * 16), AES-SIV (RFC 5297 A.1 and A.2), HKDF-SHA256 (RFC 5869 cases 1 and 3),
 * HMAC-SHA256 (RFC 4231 cases 1 and 2), scrypt (RFC 7914 §12), SHA-256
 * (FIPS 180-2), base64url (RFC 4648 §10 and §5). Where sealfs's API cannot
 * take a vector as published (HKDF with a salt, SIV with three AD
 * components), the reference of refcrypto.c is checked against the vector
 * and sealfs against the reference.
 */
#include <pthread.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "crypto.h"
#include "refcrypto.h"
#include "tap.h"
#include "banned.h"

/* --- AES-256-GCM --- */

static void gcm_case(const char *key_hex, const char *iv_hex, const char *pt_hex,
		     const char *ad_hex, const char *ct_hex, const char *tag_hex)
{
	uint8_t key[32], iv[12], pt[64], ad[64], ct[64], tag[16], out[64], back[64];
	size_t kn = tap_unhex(key_hex, key, sizeof(key));
	size_t ivn = tap_unhex(iv_hex, iv, sizeof(iv));
	size_t n = tap_unhex(pt_hex, pt, sizeof(pt));
	size_t adn = tap_unhex(ad_hex, ad, sizeof(ad));

	CHECK_EQ(kn, 32);
	CHECK_EQ(ivn, 12);
	CHECK_EQ(sfs_gcm_seal(key, iv, adn ? ad : NULL, adn, pt, n, ct, tag), 0);
	CHECK_HEX(ct, n, ct_hex);
	CHECK_HEX(tag, 16, tag_hex);
	memset(back, 0xaa, sizeof(back));
	CHECK_EQ(sfs_gcm_open(key, iv, adn ? ad : NULL, adn, ct, n, tag, back), 0);
	CHECK_MEM(back, pt, n);

	/* In place, as the contract allows. */
	memcpy(out, pt, n);
	CHECK_EQ(sfs_gcm_seal(key, iv, ad, adn, out, n, out, tag), 0);
	CHECK_HEX(out, n, ct_hex);

	/* Every single-bit flip of tag, ciphertext, AD or nonce is refused. */
	for (size_t bit = 0; bit < 16 * 8; bit++) {
		uint8_t t2[16];
		memcpy(t2, tag, 16);
		t2[bit / 8] ^= (uint8_t)(1u << (bit % 8));
		CHECK_EQ(sfs_gcm_open(key, iv, ad, adn, ct, n, t2, back), -EBADMSG);
	}
	for (size_t i = 0; i < n; i++) {
		ct[i] ^= 0x01;
		CHECK_EQ(sfs_gcm_open(key, iv, ad, adn, ct, n, tag, back), -EBADMSG);
		ct[i] ^= 0x01;
	}
	for (size_t i = 0; i < adn; i++) {
		ad[i] ^= 0x80;
		CHECK_EQ(sfs_gcm_open(key, iv, ad, adn, ct, n, tag, back), -EBADMSG);
		ad[i] ^= 0x80;
	}
	iv[11] ^= 1;
	CHECK_EQ(sfs_gcm_open(key, iv, ad, adn, ct, n, tag, back), -EBADMSG);
	iv[11] ^= 1;
	/* Dropping the AD entirely is refused too (when there was some). */
	if (adn)
		CHECK_EQ(sfs_gcm_open(key, iv, NULL, 0, ct, n, tag, back), -EBADMSG);
	/* Still opens after all that: no state leaks between calls. */
	CHECK_EQ(sfs_gcm_open(key, iv, ad, adn, ct, n, tag, back), 0);
}

static void test_gcm_kat(void)
{
	/* McGrew & Viega, "The Galois/Counter Mode of Operation", appendix B. */
	gcm_case("0000000000000000000000000000000000000000000000000000000000000000",
		 "000000000000000000000000", "", "", "",
		 "530f8afbc74536b9a963b4f1c4cb738b"); /* test case 13 */
	gcm_case("0000000000000000000000000000000000000000000000000000000000000000",
		 "000000000000000000000000", "00000000000000000000000000000000", "",
		 "cea7403d4d606b6e074ec5d3baf39d18",
		 "d0d1c8a799996bf0265b98b5d48ab919"); /* test case 14 */
	gcm_case("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308",
		 "cafebabefacedbaddecaf888",
		 "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a72"
		 "1c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39",
		 "feedfacedeadbeeffeedfacedeadbeefabaddad2",
		 "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa"
		 "8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662",
		 "76fc6ece0f4e1768cddf8853bb2d551b"); /* test case 16 */
}

/* --- AES-SIV --- */

static const char a1_key[] = "fffefdfcfbfaf9f8f7f6f5f4f3f2f1f0f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";
static const char a1_ad[] = "101112131415161718191a1b1c1d1e1f2021222324252627";
static const char a1_pt[] = "112233445566778899aabbccddee";
static const char a1_out[] = "85632d07c6e8f37f950acd320a2ecc93 40c02b9690c4dc04daef7f6afe5c";

static const char a2_key[] = "7f7e7d7c7b7a79787776757473727170404142434445464748494a4b4c4d4e4f";
static const char a2_ad1[] =
    "00112233445566778899aabbccddeeffdeaddadadeaddadaffeeddccbbaa99887766554433221100";
static const char a2_ad2[] = "102030405060708090a0";
static const char a2_nonce[] = "09f911029d74e35bd84156c5635688c0";
static const char a2_pt[] = "7468697320697320736f6d6520706c61696e7465787420746f20656e63727970742075"
			    "73696e67205349562d414553";
static const char a2_out[] = "7bdb6e3b432667eb06f4d14bff2fbd0fcb900f2fddbe404326601965c889bf17"
			     "dba77ceb094fa663b7a3f748ba8af829ea64ad544a272e9c485b62a3fd5c0d";

static void test_siv_rfc5297_a1(void)
{
	uint8_t key[32], ad[24], pt[14], out[30], back[14];
	struct ref_ad rad[1];

	tap_unhex(a1_key, key, sizeof(key));
	tap_unhex(a1_ad, ad, sizeof(ad));
	tap_unhex(a1_pt, pt, sizeof(pt));

	/* AES-128-SIV through the public entry point: tag first, then C. */
	CHECK_EQ(sfs_siv_seal(key, 32, ad, 24, NULL, 0, pt, 14, out), 0);
	CHECK_HEX(out, 30, a1_out);
	/* A NULL component is skipped: the AD may sit in either slot. */
	memset(out, 0, sizeof(out));
	CHECK_EQ(sfs_siv_seal(key, 32, NULL, 0, ad, 24, pt, 14, out), 0);
	CHECK_HEX(out, 30, a1_out);
	CHECK_EQ(sfs_siv_open(key, 32, ad, 24, NULL, 0, out, 30, back), 0);
	CHECK_MEM(back, pt, 14);

	/* The reference agrees with the RFC (it is used for A.2 below). */
	rad[0] = (struct ref_ad){ad, 24};
	memset(out, 0, sizeof(out));
	CHECK_EQ(ref_siv_seal(key, 32, rad, 1, pt, 14, out), 0);
	CHECK_HEX(out, 30, a1_out);

	/* Tampering anywhere is refused. */
	for (size_t i = 0; i < 30; i++) {
		out[i] ^= 0x40;
		CHECK_EQ(sfs_siv_open(key, 32, ad, 24, NULL, 0, out, 30, back), -EBADMSG);
		out[i] ^= 0x40;
	}
	ad[23] ^= 1;
	CHECK_EQ(sfs_siv_open(key, 32, ad, 24, NULL, 0, out, 30, back), -EBADMSG);
	ad[23] ^= 1;
	/* Missing or extra AD components are different messages. */
	CHECK_EQ(sfs_siv_open(key, 32, NULL, 0, NULL, 0, out, 30, back), -EBADMSG);
	CHECK_EQ(sfs_siv_open(key, 32, ad, 24, ad, 24, out, 30, back), -EBADMSG);
	CHECK_EQ(sfs_siv_open(key, 32, ad, 24, NULL, 0, out, 30, back), 0);
}

static void test_siv_rfc5297_a2(void)
{
	uint8_t key[32], ad1[40], ad2[10], nonce[16], pt[47], out[63], ref[63], back[47];
	uint8_t key64[64];
	struct ref_ad rad[3];

	tap_unhex(a2_key, key, sizeof(key));
	CHECK_EQ(tap_unhex(a2_ad1, ad1, sizeof(ad1)), 40);
	CHECK_EQ(tap_unhex(a2_ad2, ad2, sizeof(ad2)), 10);
	tap_unhex(a2_nonce, nonce, sizeof(nonce));
	CHECK_EQ(tap_unhex(a2_pt, pt, sizeof(pt)), 47);

	/* A.2 has three components (AD1, AD2, nonce): the reference takes them all. */
	rad[0] = (struct ref_ad){ad1, sizeof(ad1)};
	rad[1] = (struct ref_ad){ad2, sizeof(ad2)};
	rad[2] = (struct ref_ad){nonce, sizeof(nonce)};
	CHECK_EQ(ref_siv_seal(key, 32, rad, 3, pt, 47, ref), 0);
	CHECK_HEX(ref, 63, a2_out);

	/*
	 * sealfs takes at most two components: with (ad1, ad2) it must equal
	 * S2V over exactly [ad1, ad2] in that order, under both key sizes.
	 */
	CHECK_EQ(sfs_siv_seal(key, 32, ad1, sizeof(ad1), ad2, sizeof(ad2), pt, 47, out), 0);
	CHECK_EQ(ref_siv_seal(key, 32, rad, 2, pt, 47, ref), 0);
	CHECK_MEM(out, ref, 63);
	CHECK_EQ(sfs_siv_open(key, 32, ad1, sizeof(ad1), ad2, sizeof(ad2), out, 63, back), 0);
	CHECK_MEM(back, pt, 47);
	/* Swapped components are a different message. */
	CHECK_EQ(sfs_siv_open(key, 32, ad2, sizeof(ad2), ad1, sizeof(ad1), out, 63, back),
		 -EBADMSG);
	/* Concatenated into one component is a different message too. */
	{
		uint8_t cat[50];
		memcpy(cat, ad1, 40);
		memcpy(cat + 40, ad2, 10);
		CHECK_EQ(sfs_siv_open(key, 32, cat, 50, NULL, 0, out, 63, back), -EBADMSG);
	}

	/* AES-256-SIV, the size sealfs uses on disk: same construction, 64-byte key. */
	for (int i = 0; i < 64; i++)
		key64[i] = (uint8_t)(0xc0 ^ i);
	CHECK_EQ(sfs_siv_seal(key64, 64, ad1, sizeof(ad1), ad2, sizeof(ad2), pt, 47, out), 0);
	CHECK_EQ(ref_siv_seal(key64, 64, rad, 2, pt, 47, ref), 0);
	CHECK_MEM(out, ref, 63);
	CHECK_EQ(sfs_siv_seal(key64, 64, nonce, 16, NULL, 0, pt, 47, out), 0);
	CHECK_EQ(ref_siv_seal(key64, 64, &rad[2], 1, pt, 47, ref), 0);
	CHECK_MEM(out, ref, 63);
	/* Plaintexts of every length around the 16-byte S2V boundary. */
	for (size_t n = 1; n <= 47; n++) {
		CHECK_EQ(sfs_siv_seal(key64, 64, ad2, sizeof(ad2), NULL, 0, pt, n, out), 0);
		CHECK_EQ(ref_siv_seal(key64, 64, &rad[1], 1, pt, n, ref), 0);
		CHECK_MEM(out, ref, 16 + n);
		CHECK_EQ(sfs_siv_open(key64, 64, ad2, sizeof(ad2), NULL, 0, out, 16 + n, back), 0);
		CHECK_MEM(back, pt, n);
	}
}

static void test_siv_edges(void)
{
	uint8_t key[32], key64[64] = {1}, out[64], back[64];
	static const uint8_t empty[1];
	struct ref_ad rad[1] = {{empty, 0}};

	tap_unhex(a1_key, key, sizeof(key));
	/* Empty plaintext, no AD: the vector of the miscreant/Tink suites. */
	CHECK_EQ(sfs_siv_seal(key, 32, NULL, 0, NULL, 0, empty, 0, out), 0);
	CHECK_HEX(out, 16, "f2007a5beb2b8900c588a7adf599f172");
	CHECK_EQ(sfs_siv_open(key, 32, NULL, 0, NULL, 0, out, 16, back), 0);
	out[0] ^= 1;
	CHECK_EQ(sfs_siv_open(key, 32, NULL, 0, NULL, 0, out, 16, back), -EBADMSG);

	/* An empty AD component is authenticated (CVE-2023-2975 class). */
	CHECK_EQ(sfs_siv_seal(key64, 64, empty, 0, NULL, 0, (const uint8_t *)"x", 1, out), 0);
	CHECK_EQ(ref_siv_seal(key64, 64, rad, 1, (const uint8_t *)"x", 1, back), 0);
	CHECK_MEM(out, back, 17);
	CHECK_EQ(sfs_siv_open(key64, 64, NULL, 0, NULL, 0, out, 17, back), -EBADMSG);

	/* Bad sizes. */
	CHECK_EQ(sfs_siv_seal(key, 48, NULL, 0, NULL, 0, empty, 0, out), -EINVAL);
	CHECK_EQ(sfs_siv_open(key, 16, NULL, 0, NULL, 0, out, 16, back), -EINVAL);
	CHECK_EQ(sfs_siv_open(key, 32, NULL, 0, NULL, 0, out, 15, back), -EINVAL);
	/* A wrong key of the right size fails authentication. */
	CHECK_EQ(sfs_siv_seal(key64, 64, NULL, 0, NULL, 0, (const uint8_t *)"abc", 3, out), 0);
	key64[63] ^= 1;
	CHECK_EQ(sfs_siv_open(key64, 64, NULL, 0, NULL, 0, out, 19, back), -EBADMSG);
}

/* --- HKDF, HMAC, SHA-256, scrypt --- */

static void test_hkdf(void)
{
	uint8_t ikm[22], salt[13], info[10], okm[42], ref[42], big[300];

	memset(ikm, 0x0b, sizeof(ikm));
	for (int i = 0; i < 13; i++)
		salt[i] = (uint8_t)i;
	for (int i = 0; i < 10; i++)
		info[i] = (uint8_t)(0xf0 + i);

	/* The reference against RFC 5869 A.1 (salt and info) and A.3 (neither). */
	CHECK_EQ(ref_hkdf(salt, 13, ikm, 22, info, 10, ref, 42), 0);
	CHECK_HEX(ref, 42,
		  "3cb25f25faacd57a90434f64d0362f2a2d2d0a90cf1a5a4c5db02d56ecc4c5bf"
		  "34007208d5b887185865");
	CHECK_EQ(ref_hkdf(NULL, 0, ikm, 22, NULL, 0, ref, 42), 0);
	CHECK_HEX(ref, 42,
		  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
		  "9d201395faa4b61a96c8");

	/* sfs_hkdf has an empty salt: RFC 5869 A.3 exactly. */
	CHECK_EQ(sfs_hkdf(ikm, 22, "", NULL, 0, okm, 42), 0);
	CHECK_HEX(okm, 42,
		  "8da4e775a563c18f715f802a063c5a31b8a11f5c5ee1879ec3454e5f3c738d2d"
		  "9d201395faa4b61a96c8");

	/* info = label || info2, byte for byte, whatever the split. */
	CHECK_EQ(sfs_hkdf(ikm, 22, "sealfs v1 file", info, 10, okm, 42), 0);
	{
		uint8_t cat[24];
		memcpy(cat, "sealfs v1 file", 14);
		memcpy(cat + 14, info, 10);
		CHECK_EQ(ref_hkdf(NULL, 0, ikm, 22, cat, 24, ref, 42), 0);
		CHECK_MEM(okm, ref, 42);
	}
	CHECK_EQ(sfs_hkdf(ikm, 22, "ab", (const uint8_t *)"cd", 2, okm, 32), 0);
	CHECK_EQ(sfs_hkdf(ikm, 22, "abcd", NULL, 0, ref, 32), 0);
	CHECK_MEM(okm, ref, 32);
	CHECK_EQ(sfs_hkdf(ikm, 22, "abc", NULL, 0, ref, 32), 0);
	CHECK(memcmp(okm, ref, 32) != 0);
	/* Different lengths are prefixes of one another (HKDF property). */
	CHECK_EQ(sfs_hkdf(ikm, 22, "abcd", NULL, 0, okm, 42), 0);
	CHECK_EQ(sfs_hkdf(ikm, 22, "abcd", NULL, 0, ref, 16), 0);
	CHECK_MEM(okm, ref, 16);

	/* label + info2 up to 256 bytes is accepted, beyond is -EINVAL. */
	memset(big, 'i', sizeof(big));
	CHECK_EQ(sfs_hkdf(ikm, 22, "L", big, 255, okm, 32), 0);
	CHECK_EQ(ref_hkdf(NULL, 0, ikm, 22, big, 256, ref, 32), 0);
	{
		uint8_t cat[256];
		cat[0] = 'L';
		memcpy(cat + 1, big, 255);
		CHECK_EQ(ref_hkdf(NULL, 0, ikm, 22, cat, 256, ref, 32), 0);
		CHECK_MEM(okm, ref, 32);
	}
	CHECK_EQ(sfs_hkdf(ikm, 22, "L", big, 256, okm, 32), -EINVAL);
}

static void test_hmac(void)
{
	static const char data2[] = "what do ya want for nothing?";
	uint8_t key[32] = {0}, mac[32];
	size_t n2 = sizeof(data2) - 1;

	/*
	 * RFC 4231 case 1: key = 20 x 0x0b. sfs_hmac takes 32-byte keys; HMAC
	 * zero-pads short keys to the block size, so trailing zeros are the same key.
	 */
	memset(key, 0x0b, 20);
	CHECK_EQ(sfs_hmac(key, "Hi There", 8, NULL, 0, NULL, 0, mac), 0);
	CHECK_HEX(mac, 32, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");

	/* RFC 4231 case 2 (key "Jefe"), split into three parts at every place. */
	memset(key, 0, sizeof(key));
	memcpy(key, "Jefe", 4);
	for (size_t i = 0; i <= n2; i++) {
		for (size_t j = i; j <= n2; j++) {
			memset(mac, 0, sizeof(mac));
			CHECK_EQ(sfs_hmac(key, data2, i, data2 + i, j - i, data2 + j, n2 - j, mac),
				 0);
			if (!CHECK_HEX(mac, 32,
				       "5bdcc146bf60754e6a042426089575c7"
				       "5a003f089d2739839dec58b964ec3843"))
				return;
		}
	}
	/* NULL parts are skipped wherever they are. */
	CHECK_EQ(sfs_hmac(key, NULL, 0, data2, n2, NULL, 0, mac), 0);
	CHECK_HEX(mac, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	CHECK_EQ(sfs_hmac(key, NULL, 5, NULL, 7, data2, n2, mac), 0);
	CHECK_HEX(mac, 32, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	/* The empty message, against the reference. */
	{
		uint8_t ref[32];
		CHECK_EQ(sfs_hmac(key, NULL, 0, NULL, 0, NULL, 0, mac), 0);
		CHECK_EQ(ref_hmac(key, 32, NULL, 0, NULL, 0, NULL, 0, ref), 0);
		CHECK_MEM(mac, ref, 32);
	}
}

static void test_sha256(void)
{
	static const char m3[] = "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	uint8_t d[32];

	CHECK_EQ(sfs_sha256("abc", 3, d), 0);
	CHECK_HEX(d, 32, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	CHECK_EQ(sfs_sha256("", 0, d), 0);
	CHECK_HEX(d, 32, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	CHECK_EQ(sfs_sha256(m3, sizeof(m3) - 1, d), 0);
	CHECK_HEX(d, 32, "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}

static void test_scrypt(void)
{
	uint8_t out[64];

	/* RFC 7914 §12, first and second vectors. */
	CHECK_EQ(sfs_scrypt("", 0, (const uint8_t *)"", 0, 4, 1, 1, out, 64), 0);
	CHECK_HEX(out, 64,
		  "77d6576238657b203b19ca42c18a0497f16b4844e3074ae8dfdffa3fede21442"
		  "fcd0069ded0948f8326a753a0fc81f17e8d3e0fb2e0d3628cf35e20c38d18906");
	CHECK_EQ(sfs_scrypt("password", 8, (const uint8_t *)"NaCl", 4, 10, 8, 16, out, 64), 0);
	CHECK_HEX(out, 64,
		  "fdbabe1c9d3472007856e7190d01e9fe7c6ad7cbc8237830e77376634b373162"
		  "2eaf30d92e22a3886ff109279d9830dac727afb94a83ee6d8360cbdfa2cc0640");

	/* Parameter limits: logn 1..24, r 1..64, p 1..64. */
	CHECK_EQ(sfs_scrypt("pw", 2, (const uint8_t *)"s", 1, 0, 8, 1, out, 32), -EINVAL);
	CHECK_EQ(sfs_scrypt("pw", 2, (const uint8_t *)"s", 1, 25, 8, 1, out, 32), -EINVAL);
	CHECK_EQ(sfs_scrypt("pw", 2, (const uint8_t *)"s", 1, 64, 8, 1, out, 32), -EINVAL);
	CHECK_EQ(sfs_scrypt("pw", 2, (const uint8_t *)"s", 1, 4, 0, 1, out, 32), -EINVAL);
	CHECK_EQ(sfs_scrypt("pw", 2, (const uint8_t *)"s", 1, 4, 65, 1, out, 32), -EINVAL);
	CHECK_EQ(sfs_scrypt("pw", 2, (const uint8_t *)"s", 1, 4, 8, 0, out, 32), -EINVAL);
	CHECK_EQ(sfs_scrypt("pw", 2, (const uint8_t *)"s", 1, 4, 8, 65, out, 32), -EINVAL);
	CHECK_EQ(sfs_scrypt("pw", 2, (const uint8_t *)"s", 1, 1, 1, 1, out, 32), 0);
	/* The memory limit it passes covers the largest r and p it accepts. */
	CHECK_EQ(sfs_scrypt("pw", 2, (const uint8_t *)"s", 1, 1, 64, 64, out, 32), 0);
}

/* --- base64url --- */

static void b64_vec(const char *in, const char *want)
{
	char out[64];
	uint8_t back[64];
	size_t n = strlen(in);

	CHECK_EQ(sfs_b64_encode((const uint8_t *)in, n, out), strlen(want));
	CHECK_STR(out, want);
	CHECK_EQ(sfs_b64_decode(want, strlen(want), back), (long)n);
	CHECK_MEM(back, in, n);
}

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

static void test_b64(void)
{
	uint64_t seed = 0x5ea1f5;
	uint8_t buf[300], back[300];
	char enc[402], ref[402];
	long accepted2 = 0, accepted3 = 0;

	/* RFC 4648 §10, without padding. */
	b64_vec("", "");
	b64_vec("f", "Zg");
	b64_vec("fo", "Zm8");
	b64_vec("foo", "Zm9v");
	b64_vec("foob", "Zm9vYg");
	b64_vec("fooba", "Zm9vYmE");
	b64_vec("foobar", "Zm9vYmFy");
	/* The URL-safe alphabet: 62 is '-', 63 is '_'. */
	b64_vec("\xfb\xef\xbe", "----");
	b64_vec("\xff\xff\xff", "____");
	b64_vec("\xfb\xff", "-_8");

	/* Every length 0..300 round trips and agrees with the reference. */
	for (size_t n = 0; n <= sizeof(buf); n++) {
		size_t el;
		tap_randbytes(&seed, buf, n);
		el = sfs_b64_encode(buf, n, enc);
		CHECK_EQ(el, (4 * n + 2) / 3);
		CHECK_EQ(ref_b64url(buf, n, ref), el);
		CHECK_STR(enc, ref);
		CHECK_EQ(sfs_b64_decode(enc, el, back), (long)n);
		CHECK_MEM(back, buf, n);
	}

	/*
	 * Exhaustively over 2- and 3-character inputs: a string is accepted
	 * exactly when it is the canonical encoding of what it decodes to.
	 */
	for (int a = 0; a < 64; a++) {
		for (int b = 0; b < 64; b++) {
			char s[4] = {alphabet[a], alphabet[b], 0, 0};
			long r = sfs_b64_decode(s, 2, back);
			if (r >= 0) {
				accepted2++;
				CHECK_EQ(r, 1);
				sfs_b64_encode(back, 1, enc);
				CHECK_STR(enc, s);
			}
			for (int c = 0; c < 64; c++) {
				s[2] = alphabet[c];
				r = sfs_b64_decode(s, 3, back);
				if (r < 0)
					continue;
				accepted3++;
				if (r != 2 || (sfs_b64_encode(back, 2, enc), strcmp(enc, s)))
					CHECK(!"3-char input accepted but not canonical");
			}
		}
	}
	CHECK_EQ(accepted2, 256);
	CHECK_EQ(accepted3, 65536);

	/* Rejections. */
	CHECK_EQ(sfs_b64_decode("Z", 1, back), -EINVAL);     /* impossible length */
	CHECK_EQ(sfs_b64_decode("Zm9vY", 5, back), -EINVAL); /* impossible length */
	CHECK_EQ(sfs_b64_decode("Zh", 2, back), -EINVAL);    /* non-zero trailing bits */
	CHECK_EQ(sfs_b64_decode("Zm9", 3, back), -EINVAL);   /* non-zero trailing bits */
	CHECK_EQ(sfs_b64_decode("Zg==", 4, back), -EINVAL);  /* padding is not ours */
	CHECK_EQ(sfs_b64_decode("Zm+v", 4, back), -EINVAL);  /* standard alphabet */
	CHECK_EQ(sfs_b64_decode("Zm/v", 4, back), -EINVAL);
	CHECK_EQ(sfs_b64_decode("Zm v", 4, back), -EINVAL);
	CHECK_EQ(sfs_b64_decode("Zm.v", 4, back), -EINVAL);
	CHECK_EQ(sfs_b64_decode("Zm\0v", 4, back), -EINVAL);
	CHECK_EQ(sfs_b64_decode("Zm\xc3v", 4, back), -EINVAL);
	CHECK_EQ(sfs_b64_decode("", 0, back), 0);
	/* Only len bytes are looked at. */
	CHECK_EQ(sfs_b64_decode("Zm9v!!!", 4, back), 3);
	/* Every byte value outside the alphabet is refused in every position. */
	for (int c = 0; c < 256; c++) {
		char s[5] = "Zm9v";
		if (c && strchr(alphabet, c))
			continue;
		for (int pos = 0; pos < 4; pos++) {
			s[pos] = (char)c;
			CHECK_EQ(sfs_b64_decode(s, 4, back), -EINVAL);
			memcpy(s, "Zm9v", 4);
		}
	}
}

/* --- the rest --- */

static void test_memeq_random_wipe(void)
{
	uint8_t a[64], b[64], z[64] = {0};
	uint8_t *p;

	memset(a, 7, sizeof(a));
	memcpy(b, a, sizeof(b));
	CHECK_EQ(sfs_memeq_ct(a, b, 64), 0);
	CHECK_EQ(sfs_memeq_ct(a, b, 0), 0);
	for (size_t i = 0; i < 64; i++) {
		b[i] ^= 0x80;
		CHECK(sfs_memeq_ct(a, b, 64) != 0);
		CHECK_EQ(sfs_memeq_ct(a, b, i), 0); /* only the first n bytes count */
		b[i] ^= 0x80;
	}

	CHECK_EQ(sfs_random(a, 32), 0);
	CHECK_EQ(sfs_random(b, 32), 0);
	CHECK(memcmp(a, b, 32) != 0);
	CHECK(memcmp(a, z, 32) != 0);
	CHECK_EQ(sfs_random(a, 0), 0);

	sfs_wipe(a, sizeof(a));
	CHECK_MEM(a, z, 64);
	sfs_wipe(NULL, 10); /* accepted */

	p = sfs_secure_alloc(5000);
	if (CHECK(p != NULL)) {
		CHECK_EQ((uintptr_t)p % (uintptr_t)sysconf(_SC_PAGESIZE), 0);
		CHECK_MEM(p, z, 64);
		CHECK_MEM(p + 4936, z, 64);
		memset(p, 0x5a, 5000);
		sfs_secure_free(p, 5000);
	}
	sfs_secure_free(NULL, 100); /* accepted */
}

/* Each thread seals and opens with its own key: per-thread contexts must not mix. */
static void *thread_body(void *arg)
{
	uint8_t key[32], key64[64], nonce[12] = {0}, pt[100], ct[100], tag[16], back[100];
	uint8_t siv[116];
	uintptr_t id = (uintptr_t)arg;
	long bad = 0;

	memset(key, (int)id, sizeof(key));
	memset(key64, (int)id, sizeof(key64));
	for (int i = 0; i < 500; i++) {
		memset(pt, i, sizeof(pt));
		nonce[0] = (uint8_t)i;
		if (sfs_gcm_seal(key, nonce, pt, 7, pt, sizeof(pt), ct, tag) ||
		    sfs_gcm_open(key, nonce, pt, 7, ct, sizeof(ct), tag, back) ||
		    memcmp(back, pt, sizeof(pt)))
			bad++;
		if (sfs_siv_seal(key64, 64, nonce, 12, NULL, 0, pt, sizeof(pt), siv) ||
		    sfs_siv_open(key64, 64, nonce, 12, NULL, 0, siv, sizeof(siv), back) ||
		    memcmp(back, pt, sizeof(pt)))
			bad++;
	}
	return (void *)bad;
}

static void test_threads(void)
{
	pthread_t t[4];
	void *ret;

	for (uintptr_t i = 0; i < 4; i++)
		CHECK_EQ(pthread_create(&t[i], NULL, thread_body, (void *)(i + 1)), 0);
	for (int i = 0; i < 4; i++) {
		CHECK_EQ(pthread_join(t[i], &ret), 0);
		CHECK_EQ((uintptr_t)ret, 0);
	}
}

int main(void)
{
	TAP_RUN(test_gcm_kat);
	TAP_RUN(test_siv_rfc5297_a1);
	TAP_RUN(test_siv_rfc5297_a2);
	TAP_RUN(test_siv_edges);
	TAP_RUN(test_hkdf);
	TAP_RUN(test_hmac);
	TAP_RUN(test_sha256);
	TAP_RUN(test_scrypt);
	TAP_RUN(test_b64);
	TAP_RUN(test_memeq_random_wipe);
	TAP_RUN(test_threads);
	return tap_done();
}
