#!/bin/bash
# build-module.sh [--trixie] KVER|KDIR OUTDIR
#
# KVER names a Debian kernel whose headers are in /usr/src (with --trixie:
# in the Debian 13 chroot, scripts/trixie-chroot.sh, where make then runs
# with OUTDIR bind-mounted at its own path); a directory is
# taken as a kernel build tree (the project's own kernel, build-kernel.sh;
# with --trixie one built in the chroot, debugnew: make runs there too,
# with gcc-14 and the tree and its source bind-mounted as well).
# Builds kcollapse.ko for one Debian kernel against its installed headers,
# from a private copy of the sources in OUTDIR/src: kbuild writes its objects
# next to the sources, so two kernels built from the repo itself would
# collide. Any compiler warning fails the build (W=1 adds the extra ones).
# KC_SRC_DIR overrides the tree copied from (default: this repo); it must
# hold Kbuild at its top (and kmod/, include/, VERSION), like the repo does.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

trixie=0
if [[ ${1:-} == --trixie ]]; then
	trixie=1
	shift
fi
if (($# != 2)); then
	echo "usage: $0 [--trixie] KVER|KDIR OUTDIR" >&2
	exit 2
fi
kver=$1
out=$(mkdir -p "$2" && cd "$2" && pwd)
srctree=${KC_SRC_DIR:-$(cd "$here/../.." && pwd)}
kdir=/usr/src/linux-headers-$kver
chroot_sh=$here/../../scripts/trixie-chroot.sh
# tree: KDIR is a kernel build tree (not a Debian headers package).
tree=0
if [[ -d $kver ]]; then
	tree=1
	kdir=$(cd "$kver" && pwd)
	kver=$(basename "$kdir")
elif ((trixie)); then
	kdir=$(bash "$chroot_sh" path)$kdir
fi

[[ -d $kdir ]] || { echo "build-module: $kdir missing (run tests/vm/fetch-kernel.sh $kver)" >&2; exit 1; }
[[ -f $srctree/Kbuild ]] || { echo "build-module: no Kbuild in $srctree" >&2; exit 1; }

# Fresh copy every time: stale objects from an older tree must not survive.
rm -rf "$out/src" "$out/kcollapse.ko"
mkdir -p "$out/src"
cp "$srctree/Kbuild" "$out/src/"
# Kbuild reads the module version from VERSION when there is one.
if [[ -f $srctree/VERSION ]]; then cp "$srctree/VERSION" "$out/src/"; fi
for d in kmod include; do
	if [[ -d $srctree/$d ]]; then cp -R "$srctree/$d" "$out/src/"; fi
done
# The test-only modules (tests/kmod), built the same way, never installed.
rm -rf "$out/testmods" "$out/kc_genl_probe.ko"
cp -R "$here/../kmod" "$out/testmods"

log=$out/build.log
echo "build-module: $kver -> $out/kcollapse.ko"
# kbuild_make DIR: make modules for DIR against the kernel, log appended.
kbuild_make() {
	if ((trixie && tree)); then
		# an O= build tree: its Makefile includes the source tree's
		bash "$chroot_sh" run -b "$out" -b "$kdir" -b "$(readlink -f "$kdir/source")" -- \
			make -C "$kdir" CC=gcc-14 HOSTCC=gcc-14 M="$1" W=1 -j"$(nproc)" modules \
			>>"$log" 2>&1
	elif ((trixie)); then
		bash "$chroot_sh" run -b "$out" -- make -C "/usr/src/linux-headers-$kver" \
			M="$1" W=1 -j"$(nproc)" modules >>"$log" 2>&1
	else
		make -C "$kdir" M="$1" W=1 -j"$(nproc)" modules >>"$log" 2>&1
	fi
}
: >"$log"
set +e
kbuild_make "$out/src" && kbuild_make "$out/testmods"
rc=$?
set -e
if ((rc != 0)); then
	cat "$log" >&2
	echo "build-module: make failed for $kver (status $rc)" >&2
	exit 1
fi
if grep -q 'warning:' "$log"; then
	grep -B2 -A4 'warning:' "$log" >&2
	echo "build-module: warnings while building for $kver" >&2
	exit 1
fi

ko=$(find "$out/src" -name kcollapse.ko | head -n1)
[[ -n $ko ]] || { echo "build-module: no kcollapse.ko produced" >&2; exit 1; }
cp "$ko" "$out/kcollapse.ko"
# The KUnit suites' module, on kernels with KUnit only.
rm -f "$out/kcollapse_kunit.ko"
ko=$(find "$out/src" -name kcollapse_kunit.ko | head -n1)
[[ -z $ko ]] || cp "$ko" "$out/kcollapse_kunit.ko"
cp "$out/testmods/kc_genl_probe.ko" "$out/kc_genl_probe.ko"
