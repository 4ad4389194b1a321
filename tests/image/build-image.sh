#!/bin/bash
# build-image.sh ROOTFS_TAR DIST_TAR OUTDIR: a bootable Debian disk image
# (the rootfs's release: Debian 12 or 13) with kcollapse installed the way
# the README tells operators to (its Debian packages with apt, in a chroot
# of the image), plus the test's own parts under /opt/kc-test. Leaves in
# OUTDIR: disk.img (raw ext4, the root filesystem), vmlinuz and initrd.img
# (the image's own kernel, for QEMU's -kernel).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

if (($# != 3)); then
	echo "usage: $0 ROOTFS_TAR DIST_TAR OUTDIR" >&2
	exit 2
fi
rootfs_tar=$1 dist_tar=$2 out=$3
log() { echo "build-image: $*" >&2; }

root=$out/root
rm -rf "$root" "$out/disk.img"
mkdir -p "$root"
tar -C "$root" -xf "$rootfs_tar"
kver=$(basename "$(ls "$root"/boot/vmlinuz-* | head -n1)" | sed 's/^vmlinuz-//')

# The release being installed, and a "newer release" for the upgrade check
# (debs.sh built both into OUTDIR/debs/).
version=$(tar -xzOf "$dist_tar" --wildcards '*/VERSION')
next=$(awk -F. '{printf "%d.%d.%d\n", $1, $2, $3 + 1}' <<<"$version")
ls "$out/debs/cur/kcollapsed_$version"-*.deb "$out/debs/next/kcollapsed_$next"-*.deb \
	>/dev/null || { log "no packages for $version and $next in $out/debs (debs.sh)"; exit 1; }
mkdir -p "$root/root/debs" "$root/root/debs-next"
cp "$out/debs/cur/"*.deb "$root/root/debs/"
cp "$out/debs/next/"*.deb "$root/root/debs-next/"
echo "$version" >"$root/root/installed-version"
echo "$next" >"$root/root/next-version"

log "installing kcollapse $version into the image (kernel $kver), as an operator would"
cp "$here/install.sh" "$root/root/install.sh"
unshare --mount --propagation private bash -euo pipefail -c '
	root=$1; shift
	mount --bind /dev "$root/dev"
	mount -t proc proc "$root/proc"
	mount -t sysfs sysfs "$root/sys"
	chroot "$root" sh -c "cd /root && sh ./install.sh"
' _ "$root" >"$out/install.log" 2>&1 ||
	{ tail -n 40 "$out/install.log" >&2; exit 1; }
rm -f "$root/root/install.sh"
status=$(chroot "$root" dkms status kcollapse 2>/dev/null || true)
[[ $status == *"kcollapse/$version, $kver"*": installed"* ]] ||
	{ tail -n 40 "$out/install.log" >&2; log "DKMS did not install the module for $kver: $status"; exit 1; }

# The test's parts: the workload as a service, the checks as a service.
# The workload is built from the tarball's sources, not the work tree's
# objects, which other suites rebuild with other flags meanwhile.
rm -rf "$out/src"
mkdir -p "$out/src" "$root/opt/kc-test"
tar -C "$out/src" --strip-components=1 -xzf "$dist_tar"
make -s -C "$out/src/tests/workload" SANITIZE=0 kc-workload >/dev/null
install -m 0755 "$out/src/tests/workload/kc-workload" "$root/opt/kc-test/"
rm -rf "$out/src"
install -m 0644 "$repo/tests/guest/lib.sh" "$here/guest/check.sh" "$root/opt/kc-test/"
install -D -m 0644 "$repo/tests/lib/workload.sh" "$root/opt/kc-test/lib/workload.sh"
install -m 0644 "$here"/guest/*.service "$root/etc/systemd/system/"
systemctl --root="$root" enable --quiet kc-workload.service kc-image-check.service
# The guests kcollapse targets run THP in madvise mode (see README).
echo "w /sys/kernel/mm/transparent_hugepage/enabled - - - - madvise" \
	>"$root/etc/tmpfiles.d/kc-thp.conf"

cp "$root/boot/vmlinuz-$kver" "$out/vmlinuz"
cp "$root/boot/initrd.img-$kver" "$out/initrd.img"
# Room for the in-guest DKMS rebuild; the file is sparse.
mke2fs -q -t ext4 -L kcroot -d "$root" "$out/disk.img" 3G
rm -rf "$root"
log "image ready: $out/disk.img"
