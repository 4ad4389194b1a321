#!/bin/bash
# fetch-kernel.sh KVER
#
# Leaves a bootable Debian kernel in $(kc_cache_dir)/kernels/KVER/ (vmlinuz,
# System.map, config) and makes sure its headers are installed, so modules can
# be built for it and booted under QEMU. The image package is only downloaded
# and unpacked, never installed: the host must not boot or load anything.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/kernels.sh
source "$here/../../scripts/kernels.sh"

if (($# != 1)); then
	echo "usage: $0 KVER" >&2
	exit 2
fi
kver=$1
dir="$(kc_cache_dir)/kernels/$kver"

ensure_headers() {
	[[ -d /usr/src/linux-headers-$kver ]] && return 0
	echo "fetch-kernel: installing linux-headers-$kver"
	if ! apt-cache show "linux-headers-$kver" >/dev/null 2>&1; then
		apt-get update -qq
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"linux-headers-$kver"
}

# apt-get download PKG into the current directory; refresh lists once if the
# package is unknown (fresh machine, or the archive moved on).
download() {
	apt-get download -q "$1" >/dev/null 2>&1 && return 0
	apt-get update -qq && apt-get download -q "$1" >/dev/null
}

fetch_image() {
	[[ -s $dir/vmlinuz ]] && return 0
	local tmp deb
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now: it is local
	trap "rm -rf '$tmp'" EXIT
	# apt drops privileges to _apt for downloads; let it write here.
	chmod 0777 "$tmp"
	# The -unsigned image is a plain bzImage; the signed one carries an EFI
	# signature, boots the same, and is the only kind some releases ship.
	echo "fetch-kernel: downloading linux-image-$kver-unsigned"
	if ! (cd "$tmp" && download "linux-image-$kver-unsigned"); then
		echo "fetch-kernel: no -unsigned image, using linux-image-$kver"
		(cd "$tmp" && download "linux-image-$kver")
	fi
	deb=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n1)
	dpkg -x "$deb" "$tmp/x"
	cp "$tmp/x/boot/System.map-$kver" "$dir/System.map"
	cp "$tmp/x/boot/config-$kver" "$dir/config"
	# vmlinuz last and atomically: its presence means the fetch completed.
	cp "$tmp/x/boot/vmlinuz-$kver" "$dir/vmlinuz.tmp"
	mv -f "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	rm -rf "$tmp"
	trap - EXIT
}

ensure_headers
fetch_image
echo "fetch-kernel: $dir/vmlinuz"
