#!/bin/bash
# t-cli.sh - the sealfs command line contract: help/version, usage errors (2),
# init (master key printed once, 6 on a non-empty dir), info, missing/corrupt/
# edited config (4, nothing mounted), wrong password (3, nothing mounted), busy
# or bad mountpoint (5), passwd, every password source, no password in argv.
. "$(dirname "$0")/lib.sh"
need_fuse

C=$T/cipher
P=$T/plain

# ---------------------------------------------------------------- help, version
step "help and version"
expect_rc 0 "sealfs --help" "$SEALFS" --help
for w in init mount umount passwd info; do
	grep -qw -- "$w" "$T/out" || fail "sealfs --help does not mention '$w'"
done
expect_rc 0 "sealfs --version" "$SEALFS" --version
grep -Eq '[0-9]+\.[0-9]+' "$T/out" || fail "sealfs --version prints no version number: $(cat "$T/out")"
for cmd in init mount umount passwd info; do
	expect_rc 0 "sealfs $cmd --help" "$SEALFS" "$cmd" --help
	[ -s "$T/out" ] || fail "sealfs $cmd --help printed nothing on stdout"
done
expect_rc 0 "sealfs mount --help" "$SEALFS" mount --help
grep -q -- '--passfile' "$T/out" || fail "sealfs mount --help does not document --passfile"

# ---------------------------------------------------------------- usage errors
step "usage errors exit 2"
expect_rc 2 "no arguments" "$SEALFS"
expect_rc 2 "unknown command" "$SEALFS" frobnicate
grep -q '^sealfs: ' "$T/err" || fail "usage error does not start with 'sealfs: ': $(cat "$T/err")"
expect_rc 2 "unknown global flag" "$SEALFS" --bogus-flag
expect_rc 2 "init with unknown flag" "$SEALFS" init --bogus-flag "$T/u1"
[ -e "$T/u1" ] && fail "init with a bad flag created its CIPHERDIR"
expect_rc 2 "init --scrypt-logn not a number" "$SEALFS" init -S --scrypt-logn abc "$T/u2"
[ -e "$T/u2/sealfs.conf" ] && fail "init with a bad --scrypt-logn created a config"
expect_rc 2 "init without CIPHERDIR" "$SEALFS" init -S
expect_rc 2 "mount with unknown flag" "$SEALFS" mount --bogus-flag "$T/u3" "$T/u4"
expect_rc 2 "mount without MOUNTPOINT" "$SEALFS" mount -S "$T/u3"
expect_rc 2 "mount with an extra argument" "$SEALFS" mount -S "$T/u3" "$T/u4" "$T/u5"
expect_rc 2 "info without CIPHERDIR" "$SEALFS" info
expect_rc 2 "umount without MOUNTPOINT" "$SEALFS" umount
expect_rc 2 "passwd with unknown flag" "$SEALFS" passwd --bogus-flag "$T/u3"

# ---------------------------------------------------------------- init
step "init prints the master key once, -q does not"
printf '%s\n' "$PW" | "$SEALFS" init -S --scrypt-logn 10 "$C" >"$T/init.out" 2>&1
rc=$?
[ "$rc" = 0 ] || fail "init into an absent dir: exit $rc: $(cat "$T/init.out")"
[ -s "$C/sealfs.conf" ] || fail "init did not create sealfs.conf"
[ "$(stat -c %s "$C/sealfs.diriv" 2>/dev/null)" = 16 ] ||
	fail "init did not create a 16-byte sealfs.diriv in CIPHERDIR"
# The key: 64 hex digits written in groups (separated by '-' or spaces).
KEY=$(grep -Eo '[0-9a-fA-F]+([- ][0-9a-fA-F]+)+' "$T/init.out" | tr -d ' -' |
	grep -E '^[0-9a-fA-F]{64}$' | head -n 1 | tr 'A-F' 'a-f')
[ -n "$KEY" ] || fail "init did not print a 64-hex-digit master key in groups: $(cat "$T/init.out")"
[ "$(grep -o "$KEY" <(tr -d ' \n-' <"$T/init.out" | tr 'A-F' 'a-f') | wc -l)" = 1 ] ||
	fail "init printed the master key more than once"
grep -Fq "$PW" "$T/init.out" && fail "init echoed the password"
tr -d ' \n-' <"$C/sealfs.conf" | tr 'A-F' 'a-f' | grep -q "$KEY" &&
	fail "sealfs.conf holds the master key in the clear"

printf '%s\n' "$PW" | "$SEALFS" init -q -S --scrypt-logn 10 "$T/quiet" >"$T/q.out" 2>&1 ||
	fail "init -q failed: $(cat "$T/q.out")"
tr -d ' \n-' <"$T/q.out" | grep -Eq '[0-9a-fA-F]{64}' && fail "init -q printed a key: $(cat "$T/q.out")"

step "init refuses a non-empty dir (6) and an existing volume (6)"
mkdir "$T/full" && echo keep >"$T/full/precious"
stdin_rc 6 "init into a non-empty dir" "$PW"$'\n' "$SEALFS" init -q -S --scrypt-logn 10 "$T/full"
one_line_error "init into a non-empty dir"
[ "$(cat "$T/full/precious")" = keep ] || fail "init into a non-empty dir touched its files"
[ -e "$T/full/sealfs.conf" ] && fail "init into a non-empty dir wrote sealfs.conf"
mkdir -p "$T/oldrev"
stdin_rc 0 "init -r (the old spelling of --reverse)" "$PW"$'\n' "$SEALFS" init -r -q -S --scrypt-logn 10 "$T/oldrev"
grep -q "'init -r' is deprecated: use --reverse" "$T/err" || fail "init -r gives no warning: $(cat "$T/err")"
[ -s "$T/oldrev/.sealfs.reverse.conf" ] || fail "init -r did not make a reverse-mode volume"
mkdir -p "$T/fsroot/lost+found"
stdin_rc 6 "init at a file system's root" "$PW"$'\n' "$SEALFS" init -q -S --scrypt-logn 10 "$T/fsroot"
one_line_error "init at a file system's root"
grep -q "holds lost+found.*'$T/fsroot/vault'" "$T/err" || fail "init at a file system's root gives no hint: $(cat "$T/err")"
sum=$(sha256sum <"$C/sealfs.conf")
stdin_rc 6 "init over an existing volume" "$PW"$'\n' "$SEALFS" init -q -S --scrypt-logn 10 "$C"
[ "$(sha256sum <"$C/sealfs.conf")" = "$sum" ] || fail "init over an existing volume changed its config"

step "init with an empty password is refused"
printf '\n' | "$SEALFS" init -q -S --scrypt-logn 10 "$T/empty-pw" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" != 0 ] || fail "init accepted an empty password"
[ -e "$T/empty-pw/sealfs.conf" ] && fail "init with an empty password wrote a config"

# ---------------------------------------------------------------- info
step "info shows format, cipher, scrypt parameters and no secret"
expect_rc 0 "sealfs info" timeout 20 "$SEALFS" info "$C" </dev/null
grep -qi scrypt "$T/out" || fail "info does not name the KDF (scrypt): $(cat "$T/out")"
grep -Eqi '(logn?[^0-9]*10\b)|(N[^0-9]*(1024|2\^10)\b)' "$T/out" ||
	fail "info does not show scrypt N=2^10: $(cat "$T/out")"
grep -qi 'gcm' "$T/out" || fail "info does not name the content cipher: $(cat "$T/out")"
tr -d ' \n-' <"$T/out" | tr 'A-F' 'a-f' | grep -q "$KEY" && fail "info prints the master key"
grep -Fq "$PW" "$T/out" && fail "info prints the password"

# ---------------------------------------------------------------- missing config
step "missing config exits 4"
mkdir "$T/noconf" "$T/mnt-noconf"
stdin_rc 4 "mount without sealfs.conf" "$PW"$'\n' timeout 20 "$SEALFS" mount -S "$T/noconf" "$T/mnt-noconf"
one_line_error "mount without sealfs.conf"
is_mounted "$T/mnt-noconf" && fail "mount without config left something mounted"
expect_rc 4 "info without sealfs.conf" "$SEALFS" info "$T/noconf"
stdin_rc 4 "mount of an absent CIPHERDIR" "$PW"$'\n' timeout 20 "$SEALFS" mount -S "$T/absent" "$T/mnt-noconf"

# ---------------------------------------------------------------- corrupt config
# fixsum FILE: recompute the "checksum" line (SHA-256 of all bytes before it), as
# an attacker would, so only the MAC or the loader's own checks can catch an edit.
fixsum()
{
	"$PY" - "$1" <<'EOF'
import hashlib, sys
p = sys.argv[1]
b = open(p, "rb").read()
i = b.find(b"\nchecksum ")
if i < 0:
    sys.exit(0)
head = b[: i + 1]
open(p, "wb").write(head + b"checksum " + hashlib.sha256(head).hexdigest().encode() + b"\n")
EOF
}

# bad_config NAME EDIT...: copy the volume, apply the sed EDIT (or a command), expect 4.
bad_config()
{
	local name=$1 d=$T/bad-$1 m=$T/mnt-bad-$1
	shift
	cp -a "$C" "$d"
	mkdir -p "$m"
	"$@" "$d/sealfs.conf" || fail "could not prepare config case $name"
	cmp -s "$C/sealfs.conf" "$d/sealfs.conf" && fail "config case $name: the edit changed nothing"
	stdin_rc 4 "mount with config '$name'" "$PW"$'\n' timeout 20 "$SEALFS" mount -S "$d" "$m"
	one_line_error "mount with config '$name'"
	is_mounted "$m" && fail "mount with config '$name' left something mounted"
	return 0
}
cut_half() { head -c "$(($(stat -c %s "$1") / 2))" "$1" >"$1.tmp" && mv "$1.tmp" "$1"; }
make_empty() { : >"$1"; }
garbage() { head -c 300 /dev/urandom >"$1"; }
# hexflip FILE KEYWORD: change one hex digit in the value of the line "KEYWORD <hex>".
hexflip()
{
	"$PY" - "$1" "$2" <<'EOF'
import sys
p, kw = sys.argv[1], sys.argv[2].encode()
lines = open(p, "rb").read().split(b"\n")
for i, l in enumerate(lines):
    if l.startswith(kw + b" "):
        j = len(kw) + 6
        c = l[j:j + 1]
        n = b"0" if c != b"0" else b"1"
        lines[i] = l[:j] + n + l[j + 1:]
        break
else:
    sys.exit("no line " + sys.argv[2])
open(p, "wb").write(b"\n".join(lines))
EOF
}
flip_salt() { hexflip "$1" salt; }
logn_low() { sed -i -E 's/^kdf-logn .*/kdf-logn 9/' "$1" && fixsum "$1"; }
block_edit() { sed -i -E 's/^block .*/block 8192/' "$1" && fixsum "$1"; }
feature_new() { sed -i -E 's/^features.*/features time-travel/' "$1" && fixsum "$1"; }
version_new() { sed -i -E 's/^sealfs-config .*/sealfs-config 99/' "$1" && fixsum "$1"; }
mac_edit() { hexflip "$1" mac && fixsum "$1"; }

grep -q '^salt [0-9a-f]' "$C/sealfs.conf" || fail "sealfs.conf has no 'salt <hex>' line: $(cat "$C/sealfs.conf")"
bad_config truncated cut_half
expect_rc 4 "info with a truncated config" "$SEALFS" info "$T/bad-truncated"
bad_config empty make_empty
bad_config garbage garbage
expect_rc 4 "info with a garbage config" "$SEALFS" info "$T/bad-garbage"
bad_config salt-bit flip_salt
bad_config kdf-below-minimum logn_low
bad_config block-size-edited block_edit
bad_config unknown-feature feature_new
bad_config newer-version version_new
grep -q '^mac [0-9a-f]' "$C/sealfs.conf" && bad_config mac-edited mac_edit

# ---------------------------------------------------------------- wrong password
step "wrong password exits 3, nothing mounted"
mkdir -p "$P"
stdin_rc 3 "mount with a wrong password" "wrong-$PW"$'\n' timeout 20 "$SEALFS" mount -S "$C" "$P"
one_line_error "mount with a wrong password"
grep -Fq "wrong-$PW" "$T/err" && fail "wrong-password error echoes the password"
is_mounted "$P" && fail "mount with a wrong password left something mounted"
printf 'nope\n' >"$T/badpass" && chmod 600 "$T/badpass"
expect_rc 3 "mount --passfile with a wrong password" timeout 20 "$SEALFS" mount --passfile "$T/badpass" "$C" "$P"
is_mounted "$P" && fail "mount with a wrong passfile left something mounted"

# ---------------------------------------------------------------- mount, --ro, busy
step "mount, write, busy mountpoint (5)"
sfs_mount "$C" "$P"
echo "hello sealfs" >"$P/hello" || fail "cannot write into a fresh mount"
[ "$(cat "$P/hello")" = "hello sealfs" ] || fail "read back differs right after write"
stdin_rc 5 "mount on an already mounted mountpoint" "$PW"$'\n' timeout 20 "$SEALFS" mount -S "$C" "$P"
one_line_error "mount on a busy mountpoint"
[ "$(cat "$P/hello")" = "hello sealfs" ] || fail "a refused second mount disturbed the first one"
[ "$(awk -v m="$P" '$2 == m' /proc/mounts | wc -l)" = 1 ] || fail "mountpoint mounted twice"
: >"$T/notadir"
stdin_rc 5 "mount on a regular file" "$PW"$'\n' timeout 20 "$SEALFS" mount -S "$C" "$T/notadir"
one_line_error "mount on a regular file"

step "no password in any process's argv or environment, nor in /proc/mounts"
sfs_mount "$C" "$T/p2" --ro --passfile "$PASSFILE"	# a second view: read-only (t-mountpoints)
for f in /proc/[0-9]*/cmdline /proc/[0-9]*/environ; do
	{ tr '\0' '\n' <"$f"; } 2>/dev/null | grep -Fq -- "$PW" && fail "password visible in $f: $(tr '\0' ' ' <"${f%/*}/cmdline")"
done
grep -Fq -- "$PW" /proc/mounts && fail "password visible in /proc/mounts"
sfs_umount "$T/p2"

step "umount, and the daemon exits"
pids=$(for f in /proc/[0-9]*/cmdline; do
	tr '\0' ' ' <"$f" 2>/dev/null | grep -Fq -- "$P" && basename "${f%/cmdline}"
done)
sfs_umount "$P"
for i in $(seq 600); do
	alive=
	for pid in $pids; do kill -0 "$pid" 2>/dev/null && [ "$pid" != $$ ] && alive="$alive $pid"; done
	[ -z "$alive" ] && break
	sleep 0.1
done
[ -z "$alive" ] || fail "sealfs daemon still running 60 s after sealfs umount: $alive"
run_rc rc "$SEALFS" umount "$P"
[ "$rc" != 0 ] || fail "sealfs umount of a directory that is not mounted returned 0"

step "mount daemonises cleanly (usable from \$(...) and pipes in scripts)"
out=$(printf '%s\n' "$PW" | timeout 15 "$SEALFS" mount -S "$C" "$P" 2>&1)
rc=$?
[ "$rc" = 124 ] && fail "\$(sealfs mount ...) hangs: the daemon keeps the caller's stdout/stderr open"
[ "$rc" = 0 ] || fail "mount inside \$(...) failed (exit $rc): $out"
is_mounted "$P" || fail "mount inside \$(...) did not mount"
dpid=
for f in /proc/[0-9]*/cmdline; do
	c=$({ tr '\0' ' ' <"$f"; } 2>/dev/null)
	case $c in "$SEALFS mount "*" $P ") dpid=${f#/proc/}; dpid=${dpid%/cmdline} ;; esac
done
[ -n "$dpid" ] || fail "cannot find the sealfs daemon serving $P"
[ "$(ps -o sid= -p "$dpid" | tr -d ' ')" != "$(ps -o sid= -p $$ | tr -d ' ')" ] ||
	fail "the sealfs daemon stays in the caller's session (a hangup of the backup job's terminal kills it)"
sfs_umount "$P"

step "mount -f stays in the foreground and exits 0 at umount"
sfs_mount_fg "$C" "$P" "$T/fg.log"
[ "$(cat "$P/hello")" = "hello sealfs" ] || fail "content lost across remount"
kill -0 "$SFS_FG_PID" 2>/dev/null || fail "mount -f process not running while mounted"
sfs_umount "$P"  # also waits for the -f process and checks it exited 0
kill -0 "$SFS_FG_PID" 2>/dev/null && fail "mount -f process still running after umount"

step "--ro"
sfs_mount "$C" "$P" --ro
[ "$(cat "$P/hello")" = "hello sealfs" ] || fail "read-only mount cannot read"
r=$(errno_of 'open(sys.argv[1], "w")' "$P/new")
[ "$r" = EROFS ] || fail "creating a file on a --ro mount: expected EROFS, got $r"
r=$(errno_of 'open(sys.argv[1], "a").write("x")' "$P/hello")
[ "$r" = EROFS ] || fail "appending on a --ro mount: expected EROFS, got $r"
sfs_umount "$P"

# ---------------------------------------------------------------- password sources
step "passfile, extpass, stdin, passfile without newline"
sfs_mount "$C" "$P" --passfile "$PASSFILE"
[ -s "$T/err" ] && fail "mount with a 0600 passfile printed: $(cat "$T/err")"
sfs_umount "$P"
printf '%s' "$PW" >"$T/pass-nonl" && chmod 600 "$T/pass-nonl"
sfs_mount "$C" "$P" --passfile "$T/pass-nonl"
sfs_umount "$P"
sfs_mount "$C" "$P" --extpass "cat '$PASSFILE'"
[ "$(cat "$P/hello")" = "hello sealfs" ] || fail "extpass mount does not read content"
sfs_umount "$P"
expect_rc 3 "extpass giving a wrong password" timeout 20 "$SEALFS" mount --extpass "echo wrong" "$C" "$P"
is_mounted "$P" && fail "wrong extpass left something mounted"
run_rc rc timeout 20 "$SEALFS" mount --extpass "exit 1" "$C" "$P"
[ "$rc" != 0 ] || fail "mount succeeded although the extpass command failed"
is_mounted "$P" && fail "failing extpass left something mounted"
grep -qx "sealfs: --extpass program failed (exit status 1)" "$T/err" || fail "a failing extpass: $(cat "$T/err")"
run_rc rc timeout 20 "$SEALFS" mount --extpass "true" "$C" "$P"
[ "$rc" != 0 ] && grep -qx "sealfs: empty password from --extpass program" "$T/err" ||
	fail "an extpass that prints nothing: exit $rc: $(cat "$T/err")"
run_rc rc timeout 20 "$SEALFS" mount --passfile "$T/does-not-exist" "$C" "$P"
[ "$rc" != 0 ] || fail "mount succeeded with a missing passfile"

step "init with --passfile and --extpass"
"$SEALFS" init -q --scrypt-logn 10 --passfile "$PASSFILE" "$T/c-pf" >"$T/out" 2>"$T/err" ||
	fail "init --passfile failed: $(cat "$T/err")"
sfs_mount "$T/c-pf" "$T/m-pf"
sfs_umount "$T/m-pf"
"$SEALFS" init -q --scrypt-logn 10 --extpass "cat '$PASSFILE'" "$T/c-xp" >"$T/out" 2>"$T/err" ||
	fail "init --extpass failed: $(cat "$T/err")"
sfs_mount "$T/c-xp" "$T/m-xp"
sfs_umount "$T/m-xp"

step "passfile readable by others gives a warning"
cp "$PASSFILE" "$T/pass-open" && chmod 644 "$T/pass-open"
run_rc rc timeout 20 "$SEALFS" mount --passfile "$T/pass-open" "$C" "$P"
_track_mount "$P"
[ "$rc" = 0 ] || fail "mount with a 0644 passfile failed (exit $rc): $(cat "$T/err")"
grep -q '^sealfs: ' "$T/err" || fail "no warning on stderr for a passfile readable by others"
grep -Eqi 'readable|permission|mode|others|world|group|0?644' "$T/err" ||
	fail "passfile warning does not say what is wrong: $(cat "$T/err")"
sfs_umount "$P"

# ---------------------------------------------------------------- terminal prompt
# on_tty OUTFILE ANSWER... -- CMD...: run CMD on a new pseudo-terminal, answer each
# password prompt with the next ANSWER, keep everything it shows in OUTFILE.
on_tty()
{
	"$PY" - "$@" <<'EOF'
import os, pty, select, sys, time
args = sys.argv[1:]
out, answers, cmd = args[0], args[1:args.index("--")], args[args.index("--") + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(cmd[0], cmd)
seen = b""
pending = b""
deadline = time.time() + 20
while time.time() < deadline:
    r, _, _ = select.select([fd], [], [], 0.1)
    if r:
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
        pending += chunk
    if answers and b"assword" in pending:
        # sealfs turns echo off before it writes the prompt
        os.write(fd, answers.pop(0).encode() + b"\n")
        pending = b""
    if not r:
        done, status = os.waitpid(pid, os.WNOHANG)
        if done:
            pid = 0
            break
if pid:
    done, status = os.waitpid(pid, os.WNOHANG)
    if not done:
        os.kill(pid, 9)  # no answer in 20 s: the caller's check fails on the exit code
        _, status = os.waitpid(pid, 0)
open(out, "wb").write(seen)
sys.exit(os.waitstatus_to_exitcode(status))
EOF
}

step "interactive prompt on the terminal, without echo, confirmed at init"
on_tty "$T/tty.out" "$PW" "$PW" -- "$SEALFS" init -q --scrypt-logn 10 "$T/c-tty"
rc=$?
[ "$rc" = 0 ] || fail "init with the password typed on a terminal: exit $rc: $(cat "$T/tty.out")"
grep -qi 'assword' "$T/tty.out" || fail "init on a terminal shows no password prompt"
grep -Fq -- "$PW" "$T/tty.out" && fail "the password typed at the prompt was echoed"
[ "$(grep -ci 'assword' "$T/tty.out")" -ge 2 ] || fail "init did not ask to repeat the password: $(cat "$T/tty.out")"
mkdir -p "$T/m-tty"
on_tty "$T/tty.out" "$PW" -- "$SEALFS" mount "$T/c-tty" "$T/m-tty"
rc=$?
_track_mount "$T/m-tty"
[ "$rc" = 0 ] || fail "mount with the password typed on a terminal: exit $rc: $(cat "$T/tty.out")"
is_mounted "$T/m-tty" || fail "mount with a typed password did not mount"
grep -Fq -- "$PW" "$T/tty.out" && fail "the password typed at the mount prompt was echoed"
echo data >"$T/m-tty/a"
echo more >"$T/m-tty/b"
sfs_umount "$T/m-tty"
# fsck and decrypt show progress on a terminal, and only there
on_tty "$T/tty.out" "$PW" -- "$SEALFS" fsck "$T/c-tty"
rc=$?
[ "$rc" = 0 ] || fail "fsck on a terminal: exit $rc: $(cat "$T/tty.out")"
grep -qa "of about 2 files checked" "$T/tty.out" || fail "fsck on a terminal shows no progress: $(cat -v "$T/tty.out")"
on_tty "$T/tty.out" "$PW" -- "$SEALFS" decrypt "$T/c-tty" "$T/tty-restore"
grep -qa "of about 2 files restored" "$T/tty.out" || fail "decrypt on a terminal shows no progress: $(cat -v "$T/tty.out")"
printf '%s\n' "$PW" | "$SEALFS" fsck -S "$T/c-tty" >"$T/out" 2>&1 || fail "fsck: $(cat "$T/out")"
grep -q "of about" "$T/out" && fail "fsck shows progress although not on a terminal"
on_tty "$T/tty.out" "$PW" "$PW" "$PW" -- "$SEALFS" passwd "$T/c-tty"
rc=$?
[ "$rc" = 0 ] || fail "passwd on a terminal: exit $rc: $(cat "$T/tty.out")"
grep -q "Current password: " "$T/tty.out" && grep -q "New password: " "$T/tty.out" ||
	fail "passwd does not ask for the current, then the new password: $(cat "$T/tty.out")"
on_tty "$T/tty.out" "$PW" "other-$PW" -- "$SEALFS" init -q --scrypt-logn 10 "$T/c-tty2"
rc=$?
[ "$rc" != 0 ] || fail "init accepted a confirmation that differs from the password"
[ -e "$T/c-tty2/sealfs.conf" ] && fail "init with mismatched confirmation wrote a config"
run_rc rc timeout 20 setsid -w "$SEALFS" init --scrypt-logn 10 "$T/c-notty"
[ "$rc" != 0 ] || fail "init without a terminal and without a password option succeeded"
[ ! -e "$T/c-notty" ] || fail "a refused init left the directory it made behind"
mkdir -p "$T/m-notty"
run_rc rc timeout 20 setsid -w "$SEALFS" mount "$C" "$T/m-notty"
[ "$rc" != 0 ] || fail "mount without a terminal and without a password option succeeded"
[ "$rc" = 2 ] || [ "$rc" = 1 ] || fail "mount without a terminal to prompt on: exit $rc, want 1 or 2"

step "only the first line of stdin and of the extpass output is the password"
stdin_rc 0 "mount -S with more lines on stdin" "$PW"$'\nsecond line\n' timeout 20 "$SEALFS" mount -S "$C" "$P"
_track_mount "$P"
sfs_umount "$P"
sfs_mount "$C" "$P" --extpass "cat '$PASSFILE'; sleep 0.2; echo trailing line"
sfs_umount "$P"

# ---------------------------------------------------------------- passwd
step "passwd: old password fails, new one works, data kept"
NEW="new-$PW-2"
stdin_rc 3 "passwd with a wrong old password" "not-it"$'\n'"$NEW"$'\n' "$SEALFS" passwd -S "$C"
sum=$(sha256sum <"$C/sealfs.conf")
stdin_rc 0 "passwd -S" "$PW"$'\n'"$NEW"$'\n' "$SEALFS" passwd -S "$C"
[ "$(sha256sum <"$C/sealfs.conf")" != "$sum" ] || fail "passwd did not rewrite sealfs.conf"
stdin_rc 3 "mount with the old password after passwd" "$PW"$'\n' timeout 20 "$SEALFS" mount -S "$C" "$P"
is_mounted "$P" && fail "old password still mounts after passwd"
OLD=$PW
PW=$NEW
sfs_mount "$C" "$P"
[ "$(cat "$P/hello")" = "hello sealfs" ] || fail "content not readable after passwd"
sfs_umount "$P"
expect_rc 0 "info after passwd" "$SEALFS" info "$C"
grep -qi scrypt "$T/out" || fail "info after passwd lost the KDF"

step "passwd --passfile --new-passfile"
printf '%s\n' "$NEW" >"$T/pw-old" && printf 'third-%s\n' "$OLD" >"$T/pw-new" && chmod 600 "$T/pw-old" "$T/pw-new"
expect_rc 0 "passwd --passfile --new-passfile" "$SEALFS" passwd --passfile "$T/pw-old" --new-passfile "$T/pw-new" "$C"
expect_rc 3 "mount with the replaced password" timeout 20 "$SEALFS" mount --passfile "$T/pw-old" "$C" "$P"
is_mounted "$P" && fail "replaced password still mounts"
PW="third-$OLD"
sfs_mount "$C" "$P"
[ "$(cat "$P/hello")" = "hello sealfs" ] || fail "content not readable after second passwd"
sfs_umount "$P"
ls -a "$C" | grep -Eq '\.(tmp|new)|~$' && fail "passwd left a temporary file in CIPHERDIR: $(ls -a "$C")"

echo "t-cli: all checks passed"
exit 0
