#!/bin/bash
# t-encfs-v5.sh - the 2009 layout: a V5 config (.encfs5) for ssl/blowfish
# 2:1:1 with 160-bit keys and 512-byte blocks, nameio/block 3:0:1, unique
# and chained IVs (EncFS 1.3-1.4.1's standard mode), written by our own
# generator (encfs5-gen), accepted by `encfsctl autocheckpasswd`, filled by
# Debian's encfs itself, then read by sealfs (info, fsck, decrypt, import)
# and compared with the encfs view. The same with an AES-256 V5 volume with
# MAC headers and external IV chaining, which is then relabelled with EncFS
# 1.4.2's subVersion 20080411: encfs refuses it, sealfs still reads it; an
# AES-128 V5 volume with stream names; a V6 config of EncFS 1.5/1.6
# (cipher interface 2:2: PBKDF2 with the old IV derivation); and a V4 config
# (.encfs4, the EncFS 1.0.x layout, here with cipher interface 2:1:1).
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/encfs-lib.sh"
need_encfs
need_cmd setfattr
GEN=$BUILD_DIR/tests/sealfs/encfs5-gen
[ -x "$GEN" ] || fail "encfs5-gen not built: $GEN"

# name | generator options | longest name | data block | hard links | sparse
CONFIGS=(
	"bf2009||183|512|1|1"
	"aes256-mac-extiv|--cipher ssl/aes --bits 256 --block 1024 --mac 8 --external|175|1016|0|1"
	"aes128-stream|--cipher ssl/aes --bits 128 --block 4096 --names nameio/stream 2 --no-chain|189|4096|1|1"
)

for cfg in "${CONFIGS[@]}"; do
	IFS='|' read -r name opts nmax blk hard sparse <<<"$cfg"
	C=$T/$name.enc
	P=$T/$name.mnt
	step "$name: a V5 config from encfs5-gen, checked by encfsctl"
	mkdir -p "$C"
	# shellcheck disable=SC2086
	"$GEN" $opts "$C" "$EPW" || fail "encfs5-gen failed"
	[ -s "$C/.encfs5" ] || fail "no .encfs5 written"
	printf '%s\n' "$EPW" | OPENSSL_CONF=$ENCFS_SSL encfsctl autocheckpasswd "$C" >"$T/chk" 2>&1
	grep -q 'Password is correct' "$T/chk" || fail "encfsctl rejects the key wrap: $(cat "$T/chk")"
	OPENSSL_CONF=$ENCFS_SSL encfsctl info "$C" >"$T/info" 2>&1
	grep -q 'Version 5 configuration' "$T/info" || fail "encfsctl info: $(cat "$T/info")"
	grep -q 'version 2:1:1' "$T/info" || fail "not a 2:1:1 cipher: $(cat "$T/info")"

	step "$name: encfs writes the data"
	encfs_mount "$C" "$P"
	fill_tree "$P" "$nmax" "$blk" "$hard" "$sparse"
	describe "$P" >"$T/$name.ref" || fail "cannot describe the encfs view"
	encfs_umount "$P"

	step "$name: sealfs info, fsck, decrypt, import"
	expect_rc 0 "info" "$SEALFS" info "$C"
	grep -q 'EncFS V5' "$T/out" || fail "info: $(cat "$T/out")"
	grep -q 'BytesToKey' "$T/out" || fail "info does not name the V5 KDF: $(cat "$T/out")"
	grep -q 'old (EncFS <= 1.6) IVs' "$T/out" || fail "info does not name the old IVs"
	expect_rc 0 "fsck" "$SEALFS" fsck --passfile "$EPASSFILE" "$C"
	expect_rc 0 "decrypt" "$SEALFS" decrypt -q --passfile "$EPASSFILE" "$C" "$T/$name.out"
	same_tree "decrypt" "$T/$name.ref" "$T/$name.out"
	expect_rc 0 "import" "$SEALFS" import -q --passfile "$EPASSFILE" --same-password \
		--scrypt-logn 10 "$C" "$T/$name.sfs"
	expect_rc 0 "decrypt of the import" "$SEALFS" decrypt -q --passfile "$EPASSFILE" \
		"$T/$name.sfs" "$T/$name.back"
	same_tree "import" "$T/$name.ref" "$T/$name.back"
done

step "a V6 config of EncFS 1.5/1.6: cipher interface 2:2 (old IVs) with PBKDF2"
C=$T/v6-22.enc
mkdir -p "$C"
"$GEN" --v6 --cipher ssl/aes --bits 192 --block 1024 --names nameio/block 3 "$C" "$EPW" ||
	fail "encfs5-gen --v6 failed"
printf '%s\n' "$EPW" | encfsctl autocheckpasswd "$C" >"$T/chk" 2>&1
grep -q 'Password is correct' "$T/chk" || fail "encfsctl rejects the 2:2 key wrap: $(cat "$T/chk")"
encfsctl info "$C" 2>&1 | grep -q 'version 2:2' || fail "not a 2:2 volume"
encfs_mount "$C" "$T/v6-22.mnt"
fill_tree "$T/v6-22.mnt" 175 1024 1 1
describe "$T/v6-22.mnt" >"$T/v6-22.ref"
encfs_umount "$T/v6-22.mnt"
expect_rc 0 "info of the 2:2 volume" "$SEALFS" info "$C"
grep -q 'ssl/aes 2:2' "$T/out" && grep -q 'PBKDF2' "$T/out" && grep -q 'old (EncFS <= 1.6) IVs' "$T/out" ||
	fail "info: $(cat "$T/out")"
expect_rc 0 "decrypt of the 2:2 volume" "$SEALFS" decrypt -q --passfile "$EPASSFILE" "$C" "$T/v6-22.out"
same_tree "decrypt of the 2:2 volume" "$T/v6-22.ref" "$T/v6-22.out"

step "a V4 config (.encfs4, EncFS 1.0.x layout: stream names 1:0:0, no IV options)"
C=$T/v4.enc
mkdir -p "$C"
"$GEN" --v4 --cipher ssl/aes --bits 192 --block 512 "$C" "$EPW" || fail "encfs5-gen --v4 failed"
encfsctl info "$C" 2>&1 | grep -q 'Version 4 configuration' || fail "encfsctl does not see a V4 volume"
encfs_mount "$C" "$T/v4.mnt"
fill_tree "$T/v4.mnt" 189 512 1 1
describe "$T/v4.mnt" >"$T/v4.ref"
encfs_umount "$T/v4.mnt"
expect_rc 0 "info of the V4 volume" "$SEALFS" info "$C"
grep -q 'EncFS V4 (.encfs4)' "$T/out" || fail "info: $(cat "$T/out")"
expect_rc 0 "decrypt of the V4 volume" "$SEALFS" decrypt -q --passfile "$EPASSFILE" "$C" "$T/v4.out"
same_tree "decrypt of the V4 volume" "$T/v4.ref" "$T/v4.out"

step "EncFS 1.4.2's subVersion 20080411: encfs refuses it, sealfs reads it"
C=$T/aes256-mac-extiv.enc
"$GEN" --resub 20080411 "$C" || fail "encfs5-gen --resub failed"
mkdir -p "$T/m142"
if OPENSSL_CONF=$ENCFS_SSL timeout 60 encfs --extpass="cat '$EPASSFILE'" "$C" "$T/m142" \
	>"$T/encfs.out" 2>&1 </dev/null; then
	_encfs_mounts+=("$T/m142")
	fail "encfs mounted a 20080411 volume (the premise of this check is gone)"
fi
expect_rc 0 "info of the 1.4.2 volume" "$SEALFS" info "$C"
grep -q 'subversion 20080411' "$T/out" || fail "info: $(cat "$T/out")"
expect_rc 0 "decrypt of the 1.4.2 volume" "$SEALFS" decrypt -q --passfile "$EPASSFILE" "$C" "$T/v142"
same_tree "decrypt of the 1.4.2 volume" "$T/aes256-mac-extiv.ref" "$T/v142"
echo "ok"
