#!/bin/sh
# Install the Debian 12 packages one purpose needs, but only those that are
# missing. Run as root (or with sudo available).
#
#   scripts/install-deps.sh PURPOSE...     PURPOSE: build demo check bench fuzz deb
#   scripts/install-deps.sh --list PURPOSE  print the packages, install nothing
#
# Each purpose includes the one before it where it runs that too:
#   build  compiler, meson, the libraries (libfuse3, libcrypto, SQLite, cairo, jansson)
#   demo   build + what the demo runs (rsync, stress-ng)
#   check  demo + what the tests drive (sshd, fio, sqlite3, xattr tools, python3,
#          poppler and chromium to read the PDF and HTML pages, libfaketime,
#          sysstat: sadc beside the recorder as the advisor scenarios' oracle and
#          the writer of the sa files the import and pull tests read,
#          encfs to make the EncFS volumes sealfs reads and imports)
#   bench  build + the anchors measured side by side (gocryptfs, encfs, sysstat)
#   fuzz   build + clang and its libFuzzer runtime
#   deb    build + debhelper, for make deb (check includes it: a test builds the packages)
# The README lists the same; `make demo`, `make check`, `make bench` and
# `make fuzz` call this with their purpose.
set -eu

build="build-essential meson ninja-build pkg-config libfuse3-dev fuse3 libssl-dev
libsqlite3-dev libcairo2-dev libjansson-dev"
demo="rsync stress-ng tzdata procps"
check="sqlite3 openssh-server openssh-client fio attr util-linux python3 bc
poppler-utils chromium faketime debhelper sysstat encfs"
bench="gocryptfs encfs sysstat time bc python3 sqlite3"
fuzz="clang libclang-rt-14-dev"
deb="debhelper dpkg-dev"

list=0
if [ "${1:-}" = "--list" ]; then
	list=1
	shift
fi
[ $# -gt 0 ] || set -- check
pkgs=$build
for purpose in "$@"; do
	case $purpose in
	build) ;;
	demo) pkgs="$pkgs $demo" ;;
	check) pkgs="$pkgs $demo $check" ;;
	bench) pkgs="$pkgs $bench" ;;
	fuzz) pkgs="$pkgs $fuzz" ;;
	deb) pkgs="$pkgs $deb" ;;
	*)
		echo "install-deps: unknown purpose '$purpose' (build, demo, check, bench, fuzz or deb)" >&2
		exit 2
		;;
	esac
done
# one line, each package once, in the order given
pkgs=$(printf '%s\n' $pkgs | awk '!seen[$0]++' | tr '\n' ' ')
if [ $list = 1 ]; then
	echo "$pkgs"
	exit 0
fi

missing=""
for p in $pkgs; do
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
