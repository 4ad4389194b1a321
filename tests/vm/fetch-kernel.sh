#!/bin/bash
# fetch-kernel.sh [--trixie] KVER
#
# Leaves a bootable Debian kernel in $(kc_cache_dir)/kernels/KVER/ (vmlinuz,
# System.map, config) and makes sure its headers are installed, so modules can
# be built for it and booted under QEMU. The image package is only downloaded
# and unpacked, never installed: the host must not boot or load anything.
#
# --trixie: a Debian 13 or trixie-backports kernel. apt runs inside the
# trixie chroot (scripts/trixie-chroot.sh), which gets the headers; the host's
# apt is not touched.
#
# Where the image is: older packages ship boot/vmlinuz-KVER in
# linux-image-KVER(-unsigned); newer ones make linux-image-KVER a small meta
# package and keep usr/lib/modules/KVER/vmlinuz in linux-binary-KVER
# (vmlinuz.unsigned in linux-binary-unsigned-KVER), config and System.map in
# linux-base-KVER. The first package found is unpacked and its linux-binary
# and linux-base dependencies followed until all three files are there.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/kernels.sh
source "$here/../../scripts/kernels.sh"

trixie=0
if [[ ${1:-} == --trixie ]]; then
	trixie=1
	shift
fi
if (($# != 1)); then
	echo "usage: $0 [--trixie] KVER" >&2
	exit 2
fi
kver=$1
dir="$(kc_cache_dir)/kernels/$kver"
chroot_sh=$here/../../scripts/trixie-chroot.sh

ensure_headers() {
	if ((trixie)); then
		bash "$chroot_sh" headers "$kver"
		return
	fi
	[[ -d /usr/src/linux-headers-$kver ]] && return 0
	echo "fetch-kernel: installing linux-headers-$kver"
	if ! apt-cache show "linux-headers-$kver" >/dev/null 2>&1; then
		apt-get update -qq
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		"linux-headers-$kver"
}

# apt_do CMD ARG...: apt-cache or apt-get with cwd $PWD, on the host or (with
# --trixie) in the chroot.
apt_do() {
	if ((trixie)); then
		bash "$chroot_sh" run -b "$PWD" -- sh -c 'cd "$1" && shift && exec "$@"' _ "$PWD" "$@"
	else
		"$@"
	fi
}

# known PKG: apt has PKG in its lists.
known() {
	apt_do apt-cache show --no-all-versions "$1" >/dev/null 2>&1
}

refresh() {
	if ((trixie)); then bash "$chroot_sh" update; else apt-get update -qq; fi
}

# apt-get download PKG into the current directory.
download() {
	echo "fetch-kernel: downloading $1"
	apt_do apt-get download -q "$1" >/dev/null
}

# find_in ROOT KIND: the unpacked file of KIND (vmlinuz, config, System.map).
find_in() {
	local f
	for f in "boot/$2-$kver" "usr/lib/modules/$kver/$2" "usr/lib/modules/$kver/$2.unsigned"; do
		[[ -s $1/$f ]] && { echo "$1/$f"; return 0; }
	done
	return 1
}

fetch_image() {
	[[ -s $dir/vmlinuz ]] && return 0
	local tmp deb try
	mkdir -p "$dir"
	tmp=$(mktemp -d "$dir/.fetch.XXXXXX")
	# shellcheck disable=SC2064 # expand $tmp now: it is local
	trap "rm -rf '$tmp'" EXIT
	# apt drops privileges to _apt for downloads; let it write here.
	chmod 0777 "$tmp"
	# The -unsigned image is a plain bzImage; the signed one carries an EFI
	# signature, boots the same, and is the only kind some releases ship.
	local pkg first="" want=() got=" "
	# Refresh the lists once if none is known (fresh machine, or the
	# archive moved on).
	for try in 1 2; do
		for pkg in "linux-image-$kver-unsigned" "linux-binary-unsigned-$kver" "linux-image-$kver"; do
			known "$pkg" && { first=$pkg; break 2; }
		done
		((try == 1)) && refresh
	done
	[[ -n $first ]] || { echo "fetch-kernel: no image package for $kver" >&2; return 1; }
	want=("$first")
	while ((${#want[@]})); do
		pkg=${want[0]} want=("${want[@]:1}") got+="$pkg "
		(cd "$tmp" && download "$pkg")
		deb=$(find "$tmp" -maxdepth 1 -name '*.deb' | head -n1)
		dpkg -x "$deb" "$tmp/x"
		find_in "$tmp/x" vmlinuz >/dev/null && find_in "$tmp/x" config >/dev/null &&
			find_in "$tmp/x" System.map >/dev/null && break
		# A meta or split package: follow it to its image and base.
		for pkg in $(dpkg-deb -f "$deb" Depends | grep -oE 'linux-(binary|base)-[^ ,]+' |
			grep -xF -e "linux-binary-$kver" -e "linux-base-$kver"); do
			[[ $got == *" $pkg "* || " ${want[*]} " == *" $pkg "* ]] || want+=("$pkg")
		done
		rm -f "$deb"
	done
	if ! find_in "$tmp/x" vmlinuz >/dev/null || ! find_in "$tmp/x" config >/dev/null ||
		! find_in "$tmp/x" System.map >/dev/null; then
		echo "fetch-kernel: no vmlinuz, config or System.map for $kver" >&2
		return 1
	fi
	cp "$(find_in "$tmp/x" System.map)" "$dir/System.map"
	cp "$(find_in "$tmp/x" config)" "$dir/config"
	# vmlinuz last and atomically: its presence means the fetch completed.
	cp "$(find_in "$tmp/x" vmlinuz)" "$dir/vmlinuz.tmp"
	mv -f "$dir/vmlinuz.tmp" "$dir/vmlinuz"
	rm -rf "$tmp"
	trap - EXIT
}

ensure_headers
fetch_image
echo "fetch-kernel: $dir/vmlinuz"
