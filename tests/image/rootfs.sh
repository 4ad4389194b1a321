#!/bin/bash
# rootfs.sh [RELEASE]: a minimal Debian guest rootfs as an operator's image
# build would start from: systemd as PID 1, the release's stock kernel with
# its headers, DKMS and a compiler, and the libraries kcollapse's tools link
# against. Nothing of kcollapse is in it (build-image.sh installs that).
# RELEASE: bookworm (Debian 12, its 6.1 kernel; the default) or trixie
# (Debian 13, its 6.12 kernel).
#
# Cached as a tarball in $KCOLLAPSE_CACHE/image, keyed by the release, the
# kernel version and this script's contents: debootstrap runs only when one
# changes. The mirrors are the ones this machine's apt already uses, read at
# run time; the image's apt sources name the same mirrors with the image's
# release (RELEASE, -updates, -security). Prints the tarball's path on stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"

log() { echo "rootfs: $*" >&2; }

release=${1:-bookworm}
case $release in
bookworm) kver=$(kc_kver_61) ;;
trixie) kver=$(kc_kver_13) ;;
*) log "unknown release '$release' (want bookworm or trixie)"; exit 2 ;;
esac
# What an image that runs kcollapse needs: DKMS builds the module against
# linux-headers at image-build time (and again on kernel upgrades); the
# -dev packages are what `make install` builds the tools with, and pull in
# their runtime libraries. curl and jq are for the test's own requests.
packages=(
	systemd-sysv udev kmod procps iproute2 initramfs-tools
	"linux-image-$kver" "linux-headers-$kver"
	dkms build-essential pkg-config
	libnl-genl-3-dev libjson-c-dev libmicrohttpd-dev
	curl jq
)

key=$( { echo "$release $kver"; cat "${BASH_SOURCE[0]}"; } | sha256sum | cut -c1-12)
dir=$(kc_cache_dir)/image
tarball=$dir/rootfs-$release-$key.tar
if [[ -f $tarball ]]; then
	log "cached: $tarball"
	echo "$tarball"
	exit 0
fi

# uri_of PATTERN: the first apt URI of this machine ending in PATTERN
# (deb822 .sources first, then one-line sources.list): the archive deps.sh
# uses for /debian, its security archive for /debian-security.
uri_of() {
	local uri
	uri=$(sed -n "s|^URIs:[[:space:]]*\([^[:space:]]*$1\)/\{0,1\}\$|\1|p" \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[[ -n $uri ]] || uri=$(awk -v re="$1/?\$" '$1 == "deb" && $2 ~ re {print $2; exit}' \
		/etc/apt/sources.list 2>/dev/null)
	printf '%s\n' "${uri%/}"
}
mirror=$(uri_of /debian)
security=$(uri_of /debian-security)
[[ -n $mirror ]] || { log "no Debian mirror in this machine's apt sources"; exit 1; }
command -v debootstrap >/dev/null ||
	{ log "debootstrap missing: run scripts/deps.sh"; exit 1; }

mkdir -p "$dir"
work=$(mktemp -d "$dir/build.XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
start=$(date +%s)

log "debootstrap $release (minbase) from the host's mirror"
debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
	"$release" "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
	{ tail -n 30 "$work/debootstrap.log" >&2; exit 1; }

# The image's apt sources: its release, -updates and -security (the kernel
# package lives in the security suite), from the host's mirrors.
rm -f "$root/etc/apt/sources.list"
{
	printf 'Types: deb\nURIs: %s\nSuites: %s %s-updates\n' "$mirror" "$release" "$release"
	printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	if [[ -n $security ]]; then
		printf '\nTypes: deb\nURIs: %s\nSuites: %s-security\n' "$security" "$release"
		printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
	fi
} >"$root/etc/apt/sources.list.d/debian.sources"

log "installing ${#packages[@]} packages (kernel $kver)"
# A private mount namespace: the mounts vanish with it, even on failure.
unshare --mount --propagation private bash -euo pipefail -c '
	root=$1; shift
	mount --bind /dev "$root/dev"
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	chroot "$root" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
	chroot "$root" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "$@"
	chroot "$root" apt-get clean
' _ "$root" "${packages[@]}" >"$work/install.log" 2>&1 ||
	{ tail -n 40 "$work/install.log" >&2; exit 1; }

[[ -f $root/boot/vmlinuz-$kver && -f $root/boot/initrd.img-$kver ]] ||
	{ log "kernel or initrd missing in the rootfs"; ls -l "$root/boot" >&2; exit 1; }

# The guest's identity and root filesystem.
echo kcollapse-image >"$root/etc/hostname"
printf '/dev/vda / ext4 rw,errors=remount-ro 0 1\n' >"$root/etc/fstab"
# No password on the console: the test drives the guest, nobody logs in.
chroot "$root" passwd -d root >/dev/null

tar -C "$root" -cf "$tarball.tmp" . && mv -f "$tarball.tmp" "$tarball"
log "built in $(($(date +%s) - start)) s: $tarball ($(du -sh "$tarball" | cut -f1))"
echo "$tarball"
