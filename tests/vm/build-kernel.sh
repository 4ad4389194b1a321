#!/bin/bash
# build-kernel.sh FLAVOUR: the project's own guest kernel, `allnoconfig` plus
# committed fragments, from Debian's linux-source-6.1:
#   guest  kernel/guest.config
#   debug  kernel/guest.config + kernel/debug.config (KUnit, lockdep, KASAN...)
#   builtin  kernel/guest.config + kernel/builtin.config: no module support,
#          kcollapse built in (CONFIG_KCOLLAPSE=y) from a private copy of the
#          source tree that scripts/kernel-tree.sh --copy prepared
# or from the newest trixie-backports source (linux-source-X.Y of the
# kernel scripts/kernels.sh kc_kver_13bpo resolves to, 7.3 today):
#   debugnew  kernel/guest.config + kernel/debug.config +
#          kernel/debug-new.config: the debug kernel of the newest source,
#          for KASAN and lockdep on what newer kernels changed (PTE tables
#          freed under the mmap read lock since 6.14). Its source package is
#          installed, and the kernel configured and built (nice, gcc-14),
#          inside the trixie chroot (scripts/trixie-chroot.sh), never on
#          the host; modules for it build there too (build-module.sh
#          --trixie KDIR).
# The build lives in the cache, keyed by the source version and the
# fragments' contents: it is rebuilt only when one of them changes (builtin:
# its kcollapse objects also when the module's sources do). Prints
# the build directory (usable as KDIR for module builds) on stdout.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"

flavour=${1:?usage: build-kernel.sh guest|debug|builtin|debugnew}
# env: where the kernel is configured and built, "host" or "trixie".
env=host
case $flavour in
guest) fragments=("$repo/kernel/guest.config") ;;
debug) fragments=("$repo/kernel/guest.config" "$repo/kernel/debug.config") ;;
builtin) fragments=("$repo/kernel/guest.config" "$repo/kernel/builtin.config") ;;
debugnew)
	fragments=("$repo/kernel/guest.config" "$repo/kernel/debug.config"
		"$repo/kernel/debug-new.config")
	env=trixie
	;;
*) echo "build-kernel.sh: unknown flavour '$flavour'" >&2; exit 2 ;;
esac

log() { echo "build-kernel: $*" >&2; }
chroot_sh=$repo/scripts/trixie-chroot.sh

if [[ $env == trixie ]]; then
	# 7.3.4+deb13-amd64 -> linux-source-7.3
	kver=$(kc_kver_13bpo)
	series=$(sed -n 's/^\([0-9]*\.[0-9]*\)[.+-].*/\1/p' <<<"$kver")
	[[ -n $series ]] || { log "cannot tell the source series of $kver"; exit 1; }
	bash "$chroot_sh" install "linux-source-$series" bc bison flex libelf-dev \
		libssl-dev cpio >&2
	tarball=$(bash "$chroot_sh" path)/usr/src/linux-source-$series.tar.xz
	srcver=$(bash "$chroot_sh" run -- dpkg-query -W -f='${Version}' "linux-source-$series")
else
	series=6.1
	tarball=/usr/src/linux-source-6.1.tar.xz
	srcver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null) ||
		{ echo "build-kernel.sh: linux-source-6.1 missing: run scripts/deps.sh" >&2; exit 1; }
fi
key=$( { echo "$srcver"; cat "${fragments[@]}"; } | sha256sum | cut -c1-12)
cache=$(kc_cache_dir)
src=$cache/kernel-src/linux-source-$series-$srcver
out=$cache/kernel-build/$flavour-$key

# kmake ARG...: make for this flavour's tree; trixie: inside the chroot with
# its gcc-14 (host and target), the source and build trees bind-mounted, at
# low priority (the host runs guests meanwhile).
kmake() {
	if [[ $env == trixie ]]; then
		bash "$chroot_sh" run -b "$src" -b "$out" -- \
			nice -n 10 make CC=gcc-14 HOSTCC=gcc-14 "$@"
	else
		make "$@"
	fi
}

# builtin: what kernel-tree.sh puts into the tree, by content; the build is
# current when .kc-done holds it (guest and debug: .kc-done is empty).
kc_sum=""
if [[ $flavour == builtin ]]; then
	kc_sum=$(cd "$repo" && cat Kbuild kernel/Kconfig VERSION kmod/*.[ch] \
		include/uapi/linux/kcollapse.h include/common/kcollapse_rules.h |
		sha256sum | cut -c1-12)
fi
current() { [[ -f $out/.kc-done && $(cat "$out/.kc-done") == "$kc_sum" ]]; }

if current; then
	log "$flavour kernel cached in $out"
	echo "$out"
	exit 0
fi

# Two builds at once (two checkouts, two guests) would trample each other
# and the source tree they share: one at a time per source tree, and
# whoever waited looks again, since the build it waited for may be the one
# it wants.
mkdir -p "$cache/kernel-build"
lockfile=$cache/kernel-build/.lock
[[ $series == 6.1 ]] || lockfile+=-$series
exec 8>"$lockfile"
flock 8
if current; then
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

# build: the kernel in $out, configured. builtin: kcollapse's directory
# first with W=1, where any warning fails the build as for the module.
build() {
	if [[ $flavour != builtin ]]; then
		kmake -s -C "$src" O="$out" -j"$(nproc)" bzImage modules >&2
		return
	fi
	local wlog=$out/kcollapse-w1.log
	if ! make -C "$src" O="$out" W=1 -j"$(nproc)" drivers/misc/kcollapse/ >"$wlog" 2>&1; then
		cat "$wlog" >&2
		log "kcollapse (built in) failed to build"
		exit 1
	fi
	if grep -q 'warning:' "$wlog"; then
		grep -B2 -A4 'warning:' "$wlog" >&2
		log "warnings while building kcollapse (built in)"
		exit 1
	fi
	make -s -C "$src" O="$out" -j"$(nproc)" bzImage >&2
}

# finish WHAT: build, mark the tree current, print it and exit.
finish() {
	build
	echo "$kc_sum" >"$out/.kc-done"
	log "$flavour kernel $1 in $((SECONDS - start)) s"
	echo "$out"
	exit 0
}

start=$SECONDS
# builtin: kcollapse goes into a source tree of its own: hard links to the
# shared one, but for what kernel-tree.sh adds or rewrites (new files).
if [[ $flavour == builtin ]]; then
	bsrc=$src-builtin
	if [[ ! -f $bsrc/.kc-linked ]]; then
		log "linking $bsrc"
		rm -rf "$bsrc"
		cp -al "$src" "$bsrc"
		touch "$bsrc/.kc-linked"
	fi
	src=$bsrc
	bash "$repo/scripts/kernel-tree.sh" --copy "$src" >&2
	if [[ -f $out/.kc-done ]]; then
		# Configured and built before; only kcollapse changed.
		log "kcollapse sources changed: rebuilding it in $out"
		rm -rf "$out/drivers/misc/kcollapse" "$out/.kc-done"
		finish rebuilt
	fi
fi

# A build that stopped after its configuration was checked (a failed or
# killed make, a reboot) resumes: the directory's key is its config's.
if [[ -f $out/.kc-configured ]]; then
	log "resuming the $flavour kernel build in $out"
	finish built
fi

log "building $flavour kernel ($srcver, fragments key $key) in $out"
rm -rf "$out"
mkdir -p "$out"
kmake -s -C "$src" O="$out" allnoconfig >&2
"$src/scripts/kconfig/merge_config.sh" -m -O "$out" "$out/.config" "${fragments[@]}" >&2
kmake -s -C "$src" O="$out" olddefconfig >&2

# merge_config warns but carries on when Kconfig drops an option (unmet
# dependency): here that is an error, or the kernel silently lacks it. A
# later fragment overrides an earlier one (builtin.config: no modules), so
# what must stick is each option's last line.
missing=0
while IFS= read -r line; do
	case $line in
	CONFIG_*=*) grep -qxF "$line" "$out/.config" || { log "not in .config: $line"; missing=1; } ;;
	"# CONFIG_"*" is not set") # or gone with what it depends on
		opt=${line#\# }
		opt=${opt%% *}
		! grep -q "^$opt=" "$out/.config" || { log "not unset: $line"; missing=1; } ;;
	esac
done < <(cat "${fragments[@]}" |
	sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=.*/\1 &/p; s/^# \(CONFIG_[A-Z0-9_]*\) is not set$/\1 &/p' |
	awk '{ k = $1; if (!(k in last)) order[++n] = k; sub(/^[^ ]* /, ""); last[k] = $0 }
	     END { for (i = 1; i <= n; i++) print last[order[i]] }')
((missing == 0)) || { log "fragment options did not stick"; exit 1; }
touch "$out/.kc-configured"

finish built
