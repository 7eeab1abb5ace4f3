#!/bin/sh
# Install the Debian 12 packages the build, the tests, the demo and the benchmarks
# need, but only those that are missing. Run as root (or with sudo available).
set -eu

PKGS="build-essential meson ninja-build pkg-config clang libclang-rt-14-dev
libfuse3-dev fuse3 libssl-dev libsqlite3-dev sqlite3 libcairo2-dev libjansson-dev
rsync openssh-server openssh-client fio stress-ng util-linux attr e2fsprogs
gocryptfs encfs sysstat poppler-utils chromium
python3 tzdata time bc procps"

missing=""
for p in $PKGS; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
if [ "$(id -u)" -ne 0 ]; then
	if command -v sudo >/dev/null 2>&1; then
		SUDO=sudo
	else
		echo "install-deps: missing packages:$missing (run as root to install them)" >&2
		exit 1
	fi
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing >/dev/null
