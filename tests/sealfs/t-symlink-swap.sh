#!/bin/bash
# t-symlink-swap.sh - no symlink in the middle of a path is ever followed, and the
# reverse view of a live tree never serves stale attributes.
#  - forward: someone who can edit CIPHERDIR swaps a ciphertext directory for a
#    symlink to a copy of it elsewhere: the mount shows a (broken) symlink and
#    the files behind it are not reachable through it;
#  - reverse: a local user who owns part of the backed-up tree swaps their
#    directory for a symlink to a root-only directory while the root-run view is
#    mounted: the view never serves the root-only file, nor does an rsync of it;
#  - reverse: a file appended to right before `rsync view/ store/` is shipped
#    at its new size (no cached attribute hides the change); a directory's name
#    is kept for one second (FORMAT.md, reverse mode), then the swap shows.
. "$(dirname "$0")/lib.sh"
need_fuse
[ "$(id -u)" = 0 ] || skip "needs root: the swap is made by another user"
need_cmd runuser
need_cmd rsync
U=nobody
id -u "$U" >/dev/null 2>&1 || skip "no user '$U' on this machine"
chmod 0755 "$T"

step "forward: a ciphertext directory swapped for a symlink is not followed"
C=$T/c M=$T/m
sfs_init "$C"
sfs_mount "$C" "$M"
mkdir "$M/d" && echo "behind the swap" >"$M/d/f"
sfs_umount "$M"
dir=$(find "$C" -mindepth 1 -maxdepth 1 -type d)
[ "$(echo "$dir" | wc -l)" = 1 ] || fail "test bug: expected one ciphertext directory, got: $dir"
mv "$dir" "$T/elsewhere" && ln -s "$T/elsewhere" "$dir"
sfs_mount "$C" "$M"
[ -L "$M/d" ] || fail "the swapped directory does not show as a symlink: $(stat -c %F "$M/d" 2>&1)"
r=$(read_errno "$M/d/f")
[ "$r" = OK ] && fail "a file behind a swapped-in symlink was served"
note "$M/d/f: $r"
ls "$M/d/" >/dev/null 2>&1 && [ -n "$(ls "$M/d/" 2>/dev/null)" ] && fail "the swapped-in symlink was listed through"
sfs_umount "$M"

step "reverse: a user's directory swapped for a symlink to a root-only directory"
P=$T/plain V=$T/view S=$T/store
mkdir -p "$P/home/pub" "$T/secret"
echo "TOPSECRET root only" >"$T/secret/secret" && chmod 0600 "$T/secret/secret"
chmod 0700 "$T/secret"
echo "public" >"$P/home/pub/secret"   # the same name, to learn its view name
chown -R "$U" "$P/home"
printf '%s\n' "$PW" | "$SEALFS" init --reverse -q -S --scrypt-logn 10 "$P" >"$T/out" 2>"$T/err" ||
	fail "init --reverse: $(cat "$T/err")"
sfs_mount "$P" "$V" --reverse
vhome=$(cd "$V" && for e in *; do [ -d "$e" ] && echo "$e"; done)
[ -n "$vhome" ] || fail "no directory in the view"
vpub=$vhome/$(cd "$V/$vhome" && for e in *; do [ -d "$e" ] && echo "$e"; done)
vsec=$(cd "$V/$vpub" && ls | grep -v '^sealfs\.')
[ -n "$vsec" ] || fail "no file in the view of pub"
cmp -s <(cat "$V/$vpub/$vsec" | wc -c) <(echo $((48 + 7 + 28))) || fail "test bug: unexpected size of the view of pub/secret"
runuser -u "$U" -- sh -c "rm -rf '$P/home/pub' && ln -s '$T/secret' '$P/home/pub'" || fail "the user could not swap their directory"
r=$(read_errno "$V/$vpub/$vsec")
[ "$r" = OK ] && fail "the view served a file through a symlink swapped into the path"
note "view/pub/secret after the swap: $r"
# The view keeps a directory's name for a second (files: never); after that
# it shows pub as the symlink it now is.
sleep 1.5
r=$(read_errno "$V/$vpub/$vsec")
[ "$r" = OK ] && fail "the view served a file through a symlink swapped into the path (after a second)"
rsync -a "$V/" "$S/" 2>"$T/rsync.err"
sfs_umount "$V"
mkdir -p "$T/f"
sfs_mount "$S" "$T/f" --ro
grep -rqa TOPSECRET "$T/f" "$S" 2>/dev/null && fail "the root-only file reached the store"
[ -L "$T/f/home/pub" ] || fail "the store copy does not show pub as the symlink it now is"
sfs_umount "$T/f"

step "reverse: a change right before rsync is shipped (no stale size or mtime)"
rm -f "$P/home/pub"
echo "first" >"$P/grow"
sfs_mount "$P" "$V" --reverse
rm -rf "$S" && rsync -a "$V/" "$S/" || fail "first rsync"
for i in 1 2 3; do
	echo "more $i" >>"$P/grow"
	rsync -a --stats "$V/" "$S/" >"$T/stats" || fail "rsync $i"
	n=$(awk -F': ' '/Number of regular files transferred/ {gsub(/,/, "", $2); print $2}' "$T/stats")
	[ "$n" = 1 ] || fail "rsync right after an append transferred $n files (want 1)"
done
sfs_umount "$V"
sfs_mount "$S" "$T/f" --ro
cmp -s "$T/f/grow" "$P/grow" || fail "the store copy of the appended file is not current"
sfs_umount "$T/f"
echo "symlink swaps ok"
