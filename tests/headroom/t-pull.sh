#!/bin/bash
# headroom pull over a real sshd on loopback (throwaway keys, sshd -i
# through ProxyCommand, as tests/sealfs/t-ship.sh): the remote "store" has a
# headroom database (a month of 5-minute samples); a pull copies every sample,
# new samples come with an incremental pull, a pull cut after N bytes (a
# wrapper -e command: deterministic) keeps whole batches and the next one
# completes it, nothing lost or doubled, and the remote database is never
# written. A host with sysstat only ("store2": no headroom there) sends its
# sa files, which are imported.
. "$SRC_DIR/tests/headroom/lib.sh"
export TZ=Europe/Berlin LC_ALL=C
pin_clock
need ssh
need ssh-keygen
[ -x /usr/sbin/sshd ] || skip "openssh-server not installed"
MK="$BUILD_DIR/tests/headroom/hr-mkfixture"

mkdir -p /run/sshd "$T/ssh"
chmod 700 "$T/ssh"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/host" || fail "host key"
ssh-keygen -q -t ed25519 -N '' -f "$T/ssh/client" || fail "client key"
cp "$T/ssh/client.pub" "$T/ssh/authorized_keys"
cat >"$T/ssh/sshd_config" <<CONF
HostKey $T/ssh/host
AuthorizedKeysFile $T/ssh/authorized_keys
PermitRootLogin prohibit-password
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
SetEnv HEADROOM_NOW="$HEADROOM_NOW" TZ=$TZ
CONF
cat >"$T/ssh/config" <<CONF
Host store store2
	ProxyCommand /usr/sbin/sshd -i -f $T/ssh/sshd_config -E $T/ssh/log
	IdentityFile $T/ssh/client
	StrictHostKeyChecking no
	UserKnownHostsFile /dev/null
	BatchMode yes
	LogLevel ERROR
CONF
SSH="ssh -F $T/ssh/config"
$SSH root@store true || fail "cannot ssh to the test sshd: $(tail -n 5 "$T/ssh/log" 2>/dev/null)"

# the remote's database: a month of samples, raw and rolled up
R="$T/remote"; mkdir -p "$R"
"$MK" month-5m "$R/headroom.db" || fail "hr-mkfixture"
remote_sum() { q "$R/headroom.db" 'PRAGMA wal_checkpoint' >/dev/null; sha256sum "$R/headroom.db" | cut -d' ' -f1; }
L="$T/local"; mkdir -p "$L"
pull() { "$HR" pull --db "$L/headroom.db" --remote-headroom "$HR" --remote-db "$R/headroom.db" "$@"; }
# what a database holds, sample by sample (time, span, level, source, boot, rows)
content() {
	q "$1" "SELECT s.ts, s.span, s.level, s.source, b.boot_id,
		(SELECT count(*) || '/' || total(user) FROM cpu WHERE sample = s.id),
		(SELECT count(*) || '/' || total(used_kb) FROM mem WHERE sample = s.id),
		(SELECT count(*) || '/' || total(util_pct) FROM disk WHERE sample = s.id),
		(SELECT count(*) || '/' || total(cpu_pct) FROM proc WHERE sample = s.id)
		FROM sample s LEFT JOIN boot b ON b.id = s.boot ORDER BY s.ts, s.level, s.span"
}

# 1. the whole month
before=$(remote_sum)
out=$(pull -e "$SSH" root@store) || fail "pull exited $?"
echo "$out"
[ "$(remote_sum)" = "$before" ] || fail "the pull wrote to the remote database"
[ -f "$L/hosts/store.db" ] || fail "no hosts/store.db"
content "$R/headroom.db" >"$T/remote.txt"
content "$L/hosts/store.db" >"$T/local.txt"
n=$(wc -l <"$T/remote.txt")
[ "$n" -gt 1000 ] || fail "remote fixture too small: $n"
diff -q "$T/remote.txt" "$T/local.txt" >/dev/null || fail "pulled samples differ from the remote's"
"$HR" report --db "$R/headroom.db" --from 2026-10-29 --to 2026-11-28 -A -i 1d >"$T/r.txt" || fail "report remote"
"$HR" report --db "$L/headroom.db" --host store --from 2026-10-29 --to 2026-11-28 -A -i 1d >"$T/l.txt" ||
	fail "report --host store"
diff -u "$T/r.txt" "$T/l.txt" || fail "report --host store differs from the remote's report"
echo "ok: full pull, $n samples"

# 2. nothing new: nothing fetched; new samples: only those
out=$(pull -e "$SSH" root@store) || fail "second pull exited $?"
[[ $out == *": 0 new samples"* ]] || fail "second pull fetched again: $out"
# (retention off for the test: the remote keeps every sample as it was)
printf 'HISTORY=3650\nROLLUP_AFTER=3650\n' >"$T/remote.conf"
"$HR" record --db "$R/headroom.db" -c "$T/remote.conf" --interval 0.5 --count 3 2>/dev/null ||
	fail "record on the remote"
out=$(pull -e "$SSH" root@store) || fail "incremental pull exited $?"
echo "$out"
[[ $out == *": 3 new samples"* ]] || fail "incremental pull: $out"
content "$R/headroom.db" >"$T/remote.txt"
content "$L/hosts/store.db" >"$T/local.txt"
diff -q "$T/remote.txt" "$T/local.txt" >/dev/null || fail "after the incremental pull the hosts differ"
echo "ok: incremental pull"

# 3. cut midway (after 300 kB of the stream), then resumed
cat >"$T/cut.sh" <<'SH'
#!/bin/sh
# cut.sh BYTES COMMAND...: the stream of COMMAND, cut after BYTES
n=$1; shift
"$@" | head -c "$n"
SH
chmod +x "$T/cut.sh"
rm -f "$L/hosts/store.db"*
content "$R/headroom.db" >"$T/remote.txt"
n=$(wc -l <"$T/remote.txt")
before=$(remote_sum)
pull -e "$T/cut.sh 300000 $SSH" root@store >"$T/cut.out" 2>"$T/cut.err"; rc=$?
cat "$T/cut.err"
[ "$rc" = 6 ] || fail "a cut pull exited $rc, expected 6"
[ "$(wc -l <"$T/cut.err")" = 1 ] || fail "a cut pull: more than one line"
grep -q "pull again to resume" "$T/cut.err" || fail "a cut pull does not say how to resume"
got=$(q "$L/hosts/store.db" 'SELECT count(*) FROM sample')
[ "$got" -gt 0 ] && [ "$got" -lt "$n" ] || fail "the cut pull kept $got of $n samples"
# what it kept is exactly the first samples of the remote, whole
content "$L/hosts/store.db" >"$T/part.txt"
[ -z "$(comm -13 <(sort "$T/remote.txt") <(sort "$T/part.txt"))" ] || fail "the cut pull kept other samples"
out=$(pull -e "$SSH" root@store) || fail "resumed pull exited $?"
echo "$out"
content "$L/hosts/store.db" >"$T/local.txt"
diff -q "$T/remote.txt" "$T/local.txt" >/dev/null || fail "after resuming the hosts differ"
[ "$(q "$L/hosts/store.db" 'SELECT count(*) - count(DISTINCT ts || "/" || level || "/" || span) FROM sample')" = 0 ] ||
	fail "duplicated samples"
[ "$(remote_sum)" = "$before" ] || fail "the cut pull wrote to the remote database"
echo "ok: cut pull resumed, $got then $n samples"

# 4. a host with sysstat only: its sa files, imported
SADC=/usr/lib/sysstat/sadc
if [ -x "$SADC" ] && command -v sadf >/dev/null; then
	mkdir -p "$R/sysstat"
	"$SADC" -S XALL 1 3 "$R/sysstat/sa$(date +%d)" || fail "sadc"
	pullsa() { "$HR" pull --db "$L/headroom.db" -e "$SSH" --remote-headroom /nonexistent/headroom \
		--sysstat-dir "$R/sysstat" root@store2; }
	out=$(pullsa) || fail "sysstat pull exited $?"
	echo "$out"
	[[ $out == *"sysstat files, 2 samples"* ]] || fail "sysstat pull: $out"
	[ "$(q "$L/hosts/store2.db" 'SELECT count(*) FROM sample WHERE source = 1')" = 2 ] ||
		fail "hosts/store2.db"
	out=$(pullsa) || fail "second sysstat pull exited $?"
	[[ $out == *"sysstat files, 0 samples"* ]] || fail "second sysstat pull fetched again: $out"
	echo "ok: sysstat-only host"
fi

# errors: one line, documented exit codes
expect_error 2 "$HR" pull --db "$L/headroom.db"
expect_error 2 "$HR" pull --db "$L/headroom.db" 'root@bad/name'
# a remote that refuses: its own line (through ssh), then ours; exit 1
"$HR" pull --db "$L/headroom.db" -e "$SSH" --remote-headroom "$HR" \
	--remote-db "$T/nothing-there.db" root@store 2>"$T/err"; rc=$?
cat "$T/err"
[ "$rc" = 1 ] || fail "a refusing remote: exit $rc, expected 1"
tail -n 1 "$T/err" | grep -q "^headroom: cannot pull from 'root@store': the remote command failed (exit 1)" ||
	fail "a refusing remote: no line of ours"
echo "pull passed"
