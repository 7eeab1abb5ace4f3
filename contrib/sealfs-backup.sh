#!/bin/bash
# sealfs-backup: one run of the sealed backup job, for cron or the shipped
# systemd timer. Settings come from /etc/sealfs-backup.conf (or $SEALFS_BACKUP_CONF):
#
#   MODE=forward            forward: mount, run DUMP_COMMAND into the mount, seal, ship
#                           reverse: mount --reverse PLAINDIR, ship the view, unmount
#   CIPHERDIR=/srv/encrypted        (forward) the volume
#   MOUNTPOINT=/srv/decrypted       where the plaintext (forward) or the view (reverse) appears
#   PLAINDIR=/var/backups           (reverse) the plaintext tree, prepared by 'sealfs init --reverse'
#   PASSFILE=/root/enc.txt          root-only file holding the password
#   DUMP_COMMAND="tar -czf \$MOUNTPOINT/etc.tar.gz /etc"   (forward) what writes the backup
#   DESTINATION=backup@store:/store/host1/                 rsync destination
#   RSYNC_OPTS="-a --delete"        rsync options
#   export RSYNC_RSH="ssh -i KEY"    the remote shell rsync uses (rsync reads RSYNC_RSH)
#   EXCLUDES="*.tmp cache"          (reverse) globs to hide from the view
set -euo pipefail
log() { echo "sealfs-backup: $*" >&2; }
case ${1:-} in
-h | --help)
	sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$0"
	exit 0
	;;
"") ;;
*)
	log "unexpected argument '$1' (settings come from the config file; try --help)"
	exit 2
	;;
esac
conf=${SEALFS_BACKUP_CONF:-/etc/sealfs-backup.conf}
if [ ! -r "$conf" ]; then
	log "cannot read the settings '$conf' (an example: share/doc/sealfs-headroom/examples/sealfs-backup.conf)"
	exit 2
fi
# shellcheck source=/dev/null
. "$conf"
SEALFS=${SEALFS:-sealfs}
MODE=${MODE:-forward}
RSYNC_OPTS=${RSYNC_OPTS:--a --delete}

unmount() { mountpoint -q "$MOUNTPOINT" && "$SEALFS" umount "$MOUNTPOINT" || true; }
trap unmount EXIT

case "$MODE" in
forward)
	"$SEALFS" mount --passfile "$PASSFILE" "$CIPHERDIR" "$MOUNTPOINT"
	log "writing the backup into $MOUNTPOINT"
	rc=0
	MOUNTPOINT=$MOUNTPOINT bash -c "$DUMP_COMMAND" || rc=$?
	if [ $rc -ne 0 ]; then
		# an incomplete dump is not shipped over the last good copy
		log "DUMP_COMMAND failed (exit $rc): sealing, nothing shipped"
		exit 1
	fi
	"$SEALFS" umount "$MOUNTPOINT"
	log "sealed; shipping $CIPHERDIR to $DESTINATION"
	# shellcheck disable=SC2086
	rsync $RSYNC_OPTS "$CIPHERDIR/" "$DESTINATION" || { rc=$?; log "rsync to $DESTINATION failed (exit $rc)"; exit 1; }
	;;
reverse)
	args=()
	for g in ${EXCLUDES:-}; do args+=(--exclude "$g"); done
	"$SEALFS" mount --reverse --passfile "$PASSFILE" "${args[@]}" "$PLAINDIR" "$MOUNTPOINT"
	log "shipping the encrypted view of $PLAINDIR to $DESTINATION"
	# shellcheck disable=SC2086
	rsync $RSYNC_OPTS "$MOUNTPOINT/" "$DESTINATION" || { rc=$?; log "rsync to $DESTINATION failed (exit $rc)"; exit 1; }
	"$SEALFS" umount "$MOUNTPOINT"
	;;
*)
	log "MODE must be forward or reverse, not '$MODE'"
	exit 2
	;;
esac
log "done"
