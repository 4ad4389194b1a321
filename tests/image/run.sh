#!/bin/bash
# run.sh: the end-to-end image test (make image-test, part of make check).
#
#   1. a cached minimal Debian 12 rootfs (rootfs.sh: debootstrap, once)
#   2. the Debian packages built from `make dist`'s tarball (debs.sh), and
#      installed into a copy of the rootfs with apt (build-image.sh)
#   3. the image booted under QEMU with its own kernel, systemd as PID 1;
#      guest/check.sh checks DKMS, the module loaded at boot, the service,
#      a POST /collapse of a workload service, an upgrade to newer packages
#      and their removal
#
# Output in $KCOLLAPSE_CACHE/out/image (KC_OUT to move it). Ends with
# "N passed, N failed". KC_TIMEOUT bounds the guest (default 1500 s).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"

out=${KC_OUT:-$(kc_cache_dir)/out/image}
mkdir -p "$out"
summary() {
	echo "$1 passed, $2 failed"
	exit $(($2 > 0))
}

t0=$(date +%s)
rootfs=$(bash "$here/rootfs.sh") || { echo "not ok - image: rootfs"; summary 0 1; }
t1=$(date +%s)
dist=$(make -s -C "$repo" dist | tail -n 1) || { echo "not ok - image: make dist"; summary 0 1; }
bash "$here/debs.sh" "$repo/$dist" "$out" >/dev/null 2>"$out/debs.log" ||
	{ tail -n 20 "$out/debs.log"; echo "not ok - image: make deb (see $out/debs.log)"; summary 0 1; }
bash "$here/build-image.sh" "$rootfs" "$repo/$dist" "$out" ||
	{ echo "not ok - image: build-image.sh (see $out/install.log)"; summary 0 1; }
t2=$(date +%s)
echo "# rootfs $((t1 - t0)) s, install + image $((t2 - t1)) s"

# The image's own kernel and initramfs; root on the virtio disk. On a root
# that never shows up, initramfs-tools panics (panic=) instead of waiting
# at a shell.
set +e
bash "$repo/tests/vm/boot.sh" -k "$out/vmlinuz" -i "$out/initrd.img" \
	-d "$out/disk.img" -o "$out" -n image -m "${KC_MEM:-1536}" \
	-t "${KC_TIMEOUT:-1500}" -a "root=/dev/vda rw"
set -e
read -r passed failed _ <"$out/summary"
if ready=$(grep -o 'boot-to-ready[^:]*: [0-9]* ms' "$out/results.log"); then
	echo "# $ready"
fi
echo "# whole image test: $(($(date +%s) - t0)) s"
rm -f "$out/disk.img"
summary "$passed" "$failed"
