#!/bin/bash
# build-kernel.sh FLAVOUR: the project's own guest kernel from Debian's
# linux-source-6.1, `allnoconfig` plus committed fragments:
#   guest  kernel/guest.config
#   debug  kernel/guest.config + kernel/debug.config (KUnit, lockdep, KASAN...)
# The build lives in the cache, keyed by the source version and the
# fragments' contents: it is rebuilt only when one of them changes. Prints
# the build directory (usable as KDIR for module builds) on stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"

flavour=${1:?usage: build-kernel.sh guest|debug}
case $flavour in
guest) fragments=("$repo/kernel/guest.config") ;;
debug) fragments=("$repo/kernel/guest.config" "$repo/kernel/debug.config") ;;
*) echo "build-kernel.sh: unknown flavour '$flavour'" >&2; exit 2 ;;
esac

tarball=/usr/src/linux-source-6.1.tar.xz
srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
	{ echo "build-kernel.sh: linux-source-6.1 missing: run scripts/deps.sh" >&2; exit 1; }
key=$( { echo "$srcver"; cat "${fragments[@]}"; } | sha256sum | cut -c1-12)
cache=$(kc_cache_dir)
src=$cache/kernel-src/linux-source-6.1-$srcver
out=$cache/kernel-build/$flavour-$key

log() { echo "build-kernel: $*" >&2; }

if [[ -f $out/.kc-done ]]; then
	log "$flavour kernel cached in $out"
	echo "$out"
	exit 0
fi

# Two builds at once (two checkouts, two guests) would trample each other
# and the source tree they share: one at a time, and whoever waited looks
# again, since the build it waited for may be the one it wants.
mkdir -p "$cache/kernel-build"
exec 8>"$cache/kernel-build/.lock"
flock 8
if [[ -f $out/.kc-done ]]; then
	log "$flavour kernel cached in $out (built meanwhile)"
	echo "$out"
	exit 0
fi

if [[ ! -f $src/.kc-extracted ]]; then
	log "unpacking $tarball"
	rm -rf "$src"
	mkdir -p "$src"
	tar -xJf "$tarball" -C "$src" --strip-components=1
	touch "$src/.kc-extracted"
fi

log "building $flavour kernel ($srcver, fragments key $key) in $out"
start=$SECONDS
rm -rf "$out"
mkdir -p "$out"
make -s -C "$src" O="$out" allnoconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}" >&2
make -s -C "$src" O="$out" olddefconfig >&2

# merge_config warns but carries on when Kconfig drops an option (unmet
# dependency): here that is an error, or the kernel silently lacks it.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$out/.config" || { log "not in .config: $line"; missing=1; } ;;
	"# CONFIG_"*" is not set") grep -qxF "$line" "$out/.config" || { log "not unset: $line"; missing=1; } ;;
	esac
done < <(cat "${fragments[@]}")
((missing == 0)) || { log "fragment options did not stick"; exit 1; }

make -s -C "$src" O="$out" -j"$(nproc)" bzImage modules >&2
touch "$out/.kc-done"
log "$flavour kernel built in $((SECONDS - start)) s"
echo "$out"
