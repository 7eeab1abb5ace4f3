/*
 * reverse.h - deterministic derivations for reverse mode (sealfs core layer).
 *
 * Reverse mode shows an encrypted view of a plaintext tree that must be
 * byte-identical every time it is mounted, so everything that forward mode
 * draws at random is derived instead with HMAC-SHA256 under the reverse key,
 * from the file's path relative to the volume root:
 *
 *   directory IV   = HMAC(rk, "diriv\0"  | path)[0..16]
 *   file ID        = HMAC(rk, "fileid\0" | path)[0..16]
 *   symlink nonce  = HMAC(rk, "link\0"   | path)[0..16]
 *   block nonce    = HMAC(rk, "nonce\0"  | file ID | be64(block) | plaintext)[0..12]
 *
 * The block nonce is synthetic (as in SIV): it depends on the plaintext, so
 * an unchanged block encrypts to the same bytes and a changed one gets a new
 * nonce; GCM never sees one nonce with two plaintexts under one key, except
 * with the probability of a 96-bit PRF collision. The result is in the
 * forward format exactly, so a copy of the view mounts in forward mode.
 */
#ifndef SEALFS_REVERSE_H
#define SEALFS_REVERSE_H

#include <stddef.h>
#include <stdint.h>

#include "content.h"
#include "keys.h"

/* path: relative to the plaintext root, "" for the root itself. */
int sfs_rev_diriv(const struct sfs_keys *k, const char *path, uint8_t out[SFS_DIRIV_LEN]);
int sfs_rev_file_id(const struct sfs_keys *k, const char *path, uint8_t out[SFS_FILE_ID_LEN]);
int sfs_rev_link_nonce(const struct sfs_keys *k, const char *path, uint8_t out[16]);

/* Encrypt one block as sfs_block_seal does, with the synthetic nonce. */
int sfs_rev_block_seal(const struct sfs_keys *k, const uint8_t file_key[32],
		       const uint8_t id[SFS_FILE_ID_LEN], uint64_t block, const uint8_t *pt,
		       size_t n, uint8_t *out);

#endif
