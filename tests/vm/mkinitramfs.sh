#!/bin/bash
# mkinitramfs.sh -o OUT.cpio.gz -i INIT [-b BINARY ...] [-f SRC:DST ...]
#                [-d SRCDIR:DSTDIR ...]
#
# Builds the small initramfs our QEMU guests run from: busybox-static and its
# applets, INIT as /init, each -b binary in /usr/bin with the shared libraries
# ldd says it needs (at their host paths, loader included), -f single files
# and -d directory trees. No disk, no modules but those passed in: the guest
# is the Debian kernel plus exactly what a test needs.
set -euo pipefail

usage() {
	echo "usage: $0 -o OUT.cpio.gz -i INIT [-b BINARY]... [-f SRC:DST]... [-d SRCDIR:DSTDIR]..." >&2
	exit 2
}

die() {
	echo "mkinitramfs: $*" >&2
	exit 1
}

out="" init=""
bins=() files=() dirs=()
while getopts "o:i:b:f:d:h" opt; do
	case $opt in
	o) out=$OPTARG ;;
	i) init=$OPTARG ;;
	b) bins+=("$OPTARG") ;;
	f) files+=("$OPTARG") ;;
	d) dirs+=("$OPTARG") ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[[ -n $out && -n $init && $# == 0 ]] || usage
[[ -f $init ]] || die "no init script '$init'"

# busybox-static installs here; a dynamic busybox would need its libs too.
busybox=${KC_BUSYBOX:-/bin/busybox}
[[ -x $busybox ]] || die "$busybox missing (apt-get install busybox-static)"
if ldd "$busybox" >/dev/null 2>&1; then
	die "$busybox is dynamically linked; install busybox-static"
fi

root=$(mktemp -d "${TMPDIR:-/tmp}/kc-initramfs.XXXXXX")
trap 'rm -rf "$root"' EXIT

mkdir -p "$root"/{bin,sbin,usr/bin,usr/sbin,dev,proc,sys,tmp,run,etc,root}
chmod 1777 "$root/tmp"
# The kernel opens /dev/console for PID 1 before devtmpfs is mounted; its
# built-in initramfs has the node too, this is only belt and braces.
mknod -m 600 "$root/dev/console" c 5 1 2>/dev/null || true

cp "$busybox" "$root/bin/busybox"
# Applet symlinks at their usual paths (bin/sh, sbin/poweroff, ...). Letting
# the static busybox do it inside the tree is one process instead of hundreds
# of forks; without the right to chroot, fall back to a loop over --list-full.
if ! chroot "$root" /bin/busybox --install -s 2>/dev/null; then
	while read -r applet; do
		[[ $applet == bin/busybox ]] && continue
		mkdir -p "$root/${applet%/*}"
		ln -sf /bin/busybox "$root/$applet"
	done < <("$busybox" --list-full)
fi

cat >"$root/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/bin/sh
nobody:x:65534:65534:nobody:/nonexistent:/bin/false
PASSWD
cat >"$root/etc/group" <<'GROUP'
root:x:0:
nogroup:x:65534:
GROUP

install -m 0755 "$init" "$root/init"

# copy_libs BINARY: copy every library ldd resolves, plus the loader, to the
# same path inside the image. Static binaries have nothing to copy.
copy_libs() {
	local deps lib
	deps=$(ldd "$1" 2>/dev/null) || return 0
	if grep -q 'not found' <<<"$deps"; then
		die "$1: unresolved libraries: $(grep 'not found' <<<"$deps" | tr -s ' \t' ' ')"
	fi
	# "libx.so => /path (0x..)" and "/lib64/ld-linux-x86-64.so.2 (0x..)";
	# linux-vdso has no path and is skipped.
	while read -r lib; do
		mkdir -p "$root/${lib%/*}"
		cp -L "$lib" "$root/$lib"
	done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$deps")
}

for b in "${bins[@]}"; do
	[[ -f $b && -x $b ]] || die "-b $b: not an executable file"
	# rm first: a binary may share its name with a busybox applet symlink.
	rm -f "$root/usr/bin/$(basename "$b")"
	cp -L "$b" "$root/usr/bin/"
	copy_libs "$b"
done

for spec in "${files[@]}"; do
	src=${spec%%:*} dst=${spec#*:}
	[[ $spec == *:* && -f $src && $dst == /* ]] || die "-f $spec: want SRC:/ABS/DST with SRC a file"
	mkdir -p "$root/$(dirname "$dst")"
	rm -f "$root/$dst"
	cp -L --preserve=mode "$src" "$root/$dst"
done

for spec in "${dirs[@]}"; do
	src=${spec%%:*} dst=${spec#*:}
	[[ $spec == *:* && -d $src && $dst == /* ]] || die "-d $spec: want SRCDIR:/ABS/DSTDIR with SRCDIR a directory"
	mkdir -p "$root/$dst"
	cp -RL --preserve=mode "$src/." "$root/$dst/"
done

# Same inputs, same bytes: sorted names, one timestamp, root owner, gzip -n.
find "$root" -exec touch -h -d @0 {} +
mkdir -p "$(dirname "$out")"
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -n -6 >"$out.tmp"
mv -f "$out.tmp" "$out"
