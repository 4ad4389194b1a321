#!/bin/bash
# SPDX-License-Identifier: MIT
#
# deb.sh: `make deb` builds the five Debian packages, lintian finds no
# error or warning in them (overrides are listed with their reasons in
# debian/*.lintian-overrides), and they hold what an image needs: the
# module's sources and dkms.conf (only kcollapse-dkms depends on dkms), the
# library under its soname in the multiarch directory with a symbols file,
# hardened binaries, units pointing at the installed daemon; and the
# prebuilt module package for the guests' Debian 6.1 kernel. Host only:
# nothing is installed here (the image test installs them in a guest).
#
# TAP, then "N passed, N failed"; exit status 0 only if nothing failed.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
version=$(cat "$repo/VERSION")
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kc-deb.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/lib/tap.sh
source "$repo/tests/lib/tap.sh"

if ! changes=$(LINTIAN=0 make -s -C "$repo" --no-print-directory deb 2>"$tmp/deb.err" | tail -n 1) ||
	[[ ! -f $changes ]]; then
	not_ok "make deb"
	sed 's/^/# /' "$tmp/deb.err" | tail -n 30
	finish
fi
out=$(dirname "$changes")
deb_version=$(dpkg-parsechangelog -l "$repo/debian/changelog" -S Version)
declare -A deb
for p in kcollapse-dkms libkcollapse1 libkcollapse-dev kcollapsectl kcollapsed; do
	deb[$p]=$(ls "$out/${p}_${deb_version}"_*.deb 2>/dev/null | head -n1)
	mkdir -p "$tmp/$p" && [[ -n ${deb[$p]} ]] && dpkg-deb -x "${deb[$p]}" "$tmp/$p"
done
check "make deb builds kcollapse-dkms, libkcollapse1, libkcollapse-dev, kcollapsectl, kcollapsed $deb_version" \
	bash -c 'for f in "$@"; do [[ -f $f ]] || exit 1; done' _ "${deb[@]}"

if command -v lintian >/dev/null; then
	lintian --fail-on error,warning --pedantic --info "$changes" >"$tmp/lintian" 2>&1
	rc=$?
	if ((rc == 0)); then
		ok "lintian: no errors, no warnings ($(grep -c '^[IP]:' "$tmp/lintian") info/pedantic notes)"
	else
		not_ok "lintian: no errors, no warnings"
	fi
	grep -E '^[EWIP]:' "$tmp/lintian" | sed 's/^/# /'
else
	not_ok "lintian missing (scripts/deps.sh installs it)"
fi

dkms_conf=$tmp/kcollapse-dkms/usr/src/kcollapse-$version/dkms.conf
check "kcollapse-dkms: /usr/src/kcollapse-$version holds Kbuild, kmod/, include/ and dkms.conf" \
	test -f "$dkms_conf" -a -f "${dkms_conf%/*}/Kbuild" -a -f "${dkms_conf%/*}/kmod/main.c" \
	-a -f "${dkms_conf%/*}/include/uapi/linux/kcollapse.h"
check "kcollapse-dkms: dkms.conf says PACKAGE_VERSION=\"$version\" and has BUILD_EXCLUSIVE_CONFIG" \
	bash -c 'grep -qx "PACKAGE_VERSION=\"$2\"" "$1" && grep -q "^BUILD_EXCLUSIVE_CONFIG=" "$1"' \
	_ "$dkms_conf" "$version"
check "kcollapse-dkms: no build output among the sources" \
	bash -c '! find "$1" -name "*.o" -o -name "*.ko" -o -name ".*.cmd" | grep -q .' _ "${dkms_conf%/*}"
for p in libkcollapse1 libkcollapse-dev kcollapsectl kcollapsed; do
	check "$p: does not depend on dkms" \
		bash -c '! dpkg-deb -f "$1" Depends | grep -qw dkms' _ "${deb[$p]}"
done
check "kcollapse-dkms: depends on dkms with BUILD_EXCLUSIVE_CONFIG support" \
	bash -c 'dpkg-deb -f "$1" Depends | grep -q "dkms (>= 3"' _ "${deb[kcollapse-dkms]}"

ma=$(dpkg-architecture -qDEB_HOST_MULTIARCH)
lib=$(ls "$tmp/libkcollapse1/usr/lib/$ma"/libkcollapse.so.1.*.* 2>/dev/null | head -n1)
check "libkcollapse1: usr/lib/$ma/libkcollapse.so.1.x.y ($(basename "${lib:-none}")) and its soname link" \
	test -n "$lib" -a -L "$tmp/libkcollapse1/usr/lib/$ma/libkcollapse.so.1"
check "libkcollapse1: a symbols file" \
	bash -c 'dpkg-deb -I "$1" symbols | grep -q "^libkcollapse.so.1 libkcollapse1"' _ "${deb[libkcollapse1]}"
check "libkcollapse-dev: header, version.h, .so link, static library, kcollapse.pc with version $version" \
	bash -c 'd=$1/usr; test -f $d/include/kcollapse/kcollapse.h -a -f $d/include/kcollapse/version.h \
		-a -L $d/lib/$2/libkcollapse.so -a -f $d/lib/$2/libkcollapse.a &&
		grep -qx "Version: $3" $d/lib/$2/pkgconfig/kcollapse.pc' \
	_ "$tmp/libkcollapse-dev" "$ma" "$version"

bins=("$tmp/kcollapsectl/usr/bin/kcollapsectl" "$tmp/kcollapsed/usr/sbin/kcollapsed" "$lib")
if command -v hardening-check >/dev/null &&
	out_h=$(hardening-check --nocfprotection "${bins[@]}" 2>&1); then
	ok "packaged kcollapsectl, kcollapsed, libkcollapse: hardening-check"
else
	not_ok "packaged kcollapsectl, kcollapsed, libkcollapse: hardening-check"
	sed 's/^/# /' <<<"${out_h:-hardening-check missing}"
fi

unit=$(ls "$tmp"/kcollapsed/{lib,usr/lib}/systemd/system/kcollapsed.service 2>/dev/null | head -n1)
check "kcollapsed: kcollapsed.service and .path; ExecStart=/usr/sbin/kcollapsed" \
	bash -c '[[ -n $1 && -f ${1%.service}.path ]] && grep -q "^ExecStart=/usr/sbin/kcollapsed " "$1"' _ "$unit"
check "kcollapsed: kcollapsed-token and the three man pages" \
	test -x "$tmp/kcollapsed/usr/sbin/kcollapsed-token" \
	-a -f "$tmp/kcollapsed/usr/share/man/man8/kcollapsed-token.8.gz" \
	-a -f "$tmp/kcollapsed/usr/share/man/man8/kcollapsed.8.gz" \
	-a -f "$tmp/kcollapsectl/usr/share/man/man8/kcollapsectl.8.gz"

# The prebuilt module package, for the guests' Debian 6.1 kernel.
# shellcheck source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"
kver=$(kc_kver_61)
if mdeb=$(LINTIAN=0 make -s -C "$repo" --no-print-directory deb-module KVER="$kver" \
	2>"$tmp/mod.err" | tail -n 1) && [[ -f $mdeb ]]; then
	ok "make deb-module KVER=$kver: $(basename "$mdeb")"
	mkdir -p "$tmp/mod" && dpkg-deb -x "$mdeb" "$tmp/mod"
	check "kcollapse-modules-$kver: kcollapse.ko for $kver (vermagic), modules-load.d entry" \
		bash -c '[[ $(modinfo -F vermagic "$1/lib/modules/$2/updates/kcollapse.ko") == "$2 "* &&
			-f $1/usr/lib/modules-load.d/kcollapse.conf ]]' _ "$tmp/mod" "$kver"
	check "kcollapse-modules-$kver: depends on linux-image-$kver, conflicts with kcollapse-dkms" \
		bash -c '[[ $(dpkg-deb -f "$1" Depends) == *"linux-image-$2"* &&
			$(dpkg-deb -f "$1" Conflicts) == kcollapse-dkms ]]' _ "$mdeb" "$kver"
	if command -v lintian >/dev/null &&
		lintian --fail-on error,warning --pedantic --info "$mdeb" >"$tmp/mlintian" 2>&1; then
		ok "kcollapse-modules-$kver: lintian: no errors, no warnings"
	else
		not_ok "kcollapse-modules-$kver: lintian: no errors, no warnings"
	fi
	grep -E '^[EWIP]:' "$tmp/mlintian" 2>/dev/null | sed 's/^/# /'
else
	not_ok "make deb-module KVER=$kver"
	sed 's/^/# /' "$tmp/mod.err" | tail -n 20
fi
finish
