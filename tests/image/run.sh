#!/bin/bash
# run.sh [RELEASE]: the end-to-end image test (make image-test, part of
# make check, on bookworm; make image-test KC_IMAGE=trixie for Debian 13).
# RELEASE: bookworm (Debian 12 with its 6.1 kernel, the default) or trixie
# (Debian 13 with its 6.12 kernel).
#
#   1. a cached minimal Debian rootfs of RELEASE (rootfs.sh: debootstrap, once)
#   2. the Debian packages built from `make dist`'s tarball on RELEASE
#      (debs.sh), and installed into a copy of the rootfs with apt
#      (build-image.sh)
#   3. the image booted under QEMU with its own kernel, systemd as PID 1;
#      guest/check.sh checks DKMS, the module loaded at boot, the service,
#      a POST /collapse of a workload service, an upgrade to newer packages
#      and their removal
#
# Output in $KCOLLAPSE_CACHE/out/image (bookworm) or .../out/image-trixie;
# KC_OUT moves the output root (like vm-test's). Ends with "N passed,
# N failed". KC_TIMEOUT bounds the guest (default 1500 s, 2400 s on trixie,
# whose in-guest DKMS build (gcc-14, 6.12 headers) took 705 s of a 17-minute
# guest run on a loaded host).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"

release=${1:-bookworm}
case $release in
bookworm) name=image timeout_s=1500 ;;
trixie) name=image-trixie timeout_s=2400 ;;
*) echo "run.sh: unknown release '$release' (want bookworm or trixie)" >&2; exit 2 ;;
esac
out=${KC_OUT:-$(kc_cache_dir)/out}/$name
mkdir -p "$out"
summary() {
	echo "$1 passed, $2 failed"
	exit $(($2 > 0))
}

t0=$(date +%s)
rootfs=$(bash "$here/rootfs.sh" "$release") || { echo "not ok - image: rootfs"; summary 0 1; }
t1=$(date +%s)
# The tarball in OUTDIR: the images of two releases may be built at once.
dist=$(KC_DIST_DIR=$out make -s -C "$repo" dist | tail -n 1) ||
	{ echo "not ok - image: make dist"; summary 0 1; }
bash "$here/debs.sh" "$dist" "$out" "$release" >/dev/null 2>"$out/debs.log" ||
	{ tail -n 20 "$out/debs.log"; echo "not ok - image: make deb (see $out/debs.log)"; summary 0 1; }
bash "$here/build-image.sh" "$rootfs" "$dist" "$out" ||
	{ echo "not ok - image: build-image.sh (see $out/install.log)"; summary 0 1; }
t2=$(date +%s)
echo "# rootfs $((t1 - t0)) s, install + image $((t2 - t1)) s"

# The image's own kernel and initramfs; root on the virtio disk. On a root
# that never shows up, initramfs-tools panics (panic=) instead of waiting
# at a shell.
set +e
bash "$repo/tests/vm/boot.sh" -k "$out/vmlinuz" -i "$out/initrd.img" \
	-d "$out/disk.img" -o "$out" -n "$name" -m "${KC_MEM:-1536}" \
	-t "${KC_TIMEOUT:-$timeout_s}" -a "root=/dev/vda rw"
set -e
read -r passed failed _ <"$out/summary"
if ready=$(grep -o 'boot-to-ready[^:]*: [0-9]* ms' "$out/results.log"); then
	echo "# $ready"
fi
echo "# whole image test: $(($(date +%s) - t0)) s"
rm -f "$out/disk.img"
summary "$passed" "$failed"
