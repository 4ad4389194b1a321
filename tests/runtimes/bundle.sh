#!/bin/bash
# bundle.sh: build the real language runtimes the guest test
# t/60-runtimes.sh runs as targets (README.md here), and print the path of
# a gzipped cpio archive holding them, for run.sh --cpio. The archive is a
# tree rooted at the guest's /: the kernel unpacks it over the guest's own
# initramfs, so each runtime, its libraries and its data files sit at the
# paths they have on this machine (where the loader and the runtimes look
# for them), and /opt/kc-runtimes holds the targets and how to run them.
#
# Everything comes from Debian's archive: Go (golang-go, built here into a
# static binary), Python 3.11 and a jlinked OpenJDK 17 from this machine,
# Node.js 18 from bookworm's nodejs and libnode108, fetched with
# `apt-get download` and unpacked (this machine may have another nodejs
# installed). Built once into $KCOLLAPSE_CACHE/runtimes-KEY/, KEY a hash of
# the package versions and of this directory's files; never in the repo.
#
# Environment: KCOLLAPSE_CACHE (see scripts/kernels.sh).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"

die() {
	echo "bundle.sh: $*" >&2
	exit 1
}

cache=$(kc_cache_dir)
multiarch=x86_64-linux-gnu
go=/usr/lib/go/bin/go
python=/usr/bin/python3.11
jdk=/usr/lib/jvm/java-17-openjdk-amd64
[[ -x $go ]] || die "$go missing (apt-get install golang-go; scripts/deps.sh)"
[[ -x $python ]] || die "$python missing (scripts/deps.sh)"
[[ -x $jdk/bin/jlink && -x $jdk/bin/javac ]] ||
	die "no JDK in $jdk (apt-get install openjdk-17-jdk-headless; scripts/deps.sh)"

# Node.js 18, Debian 12's: the newest 18.x the archive offers.
node_ver=$(apt-cache madison nodejs | awk -F' *[|] *' '$2 ~ /^18\./ { print $2 }' |
	sort -V | tail -n 1)
[[ -n $node_ver ]] || die "apt-cache knows no nodejs 18.x (apt-get update?)"

# Host packages whose files the bundle copies: a new version is a new key.
host_pkgs=(golang-1.19-go python3.11-minimal libpython3.11-stdlib
	openjdk-17-jdk-headless openjdk-17-jre-headless gcc-12 libc6 libstdc++6
	libgcc-s1 zlib1g libssl3 libuv1 libicu72 libbrotli1 libc-ares2
	libnghttp2-14 libffi8 libexpat1)
key=$( {
	dpkg-query -W "${host_pkgs[@]}" 2>&1
	echo "nodejs $node_ver"
	cd "$here" && sha256sum bundle.sh go.mod heapfrag.* HeapFrag.java kc-rt*.c
} | sha256sum | cut -c1-16)
out=$cache/runtimes-$key
archive=$out/runtimes.cpio.gz
# Two checkouts may build the same bundle at once (make check in a CI tree
# beside a developer's): one builds, the other waits and takes it.
mkdir -p "$cache"
exec 8>"$cache/runtimes.lock"
flock 8
if [[ -s $archive ]]; then
	echo "$archive"
	exit 0
fi

start=$(date +%s)
echo "bundle.sh: building $out (nodejs $node_ver)" >&2
rm -rf "$out.tmp"
mkdir -p "$out.tmp"/{root,debs,node}
root=$out.tmp/root
opt=$root/opt/kc-runtimes
mkdir -p "$opt/bin" "$opt/lib"

# copy_libs BINARY [LD_LIBRARY_PATH]: every library ldd resolves, loader
# included, at its path (as tests/vm/mkinitramfs.sh does); libraries
# already inside the bundle (a jlinked JDK's own) are left where they are.
copy_libs() {
	local deps lib
	deps=$(LD_LIBRARY_PATH=${2:-} ldd "$1" 2>/dev/null) || return 0
	! grep -q 'not found' <<<"$deps" ||
		die "$1: unresolved libraries: $(grep 'not found' <<<"$deps" | tr -s ' \t' ' ')"
	while read -r lib; do
		[[ $lib == "$root"/* || -e $root/$lib ]] && continue
		mkdir -p "$root/${lib%/*}"
		cp -L "$lib" "$root/$lib"
	done < <(awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }' <<<"$deps")
}

# Go: static (CGO off), so the busybox guests need nothing else for it.
# Module mode with a go.mod that has no dependencies builds offline; the
# build cache lives in the cache directory, never in the repo.
(cd "$here" && GOCACHE=$cache/go-build GOPATH=$cache/gopath GOPROXY=off \
	GOFLAGS='' GOTOOLCHAIN=local GO111MODULE=on CGO_ENABLED=0 \
	"$go" build -trimpath -ldflags='-s -w' -o "$opt/bin/heapfrag-go" .) ||
	die "go build failed"

# The frame counter the test uses besides the module's own figures, and
# the free-memory scatterer it starts each target after.
for tool in kc-rtframes kc-rtscatter; do
	gcc -O2 -Wall -Wextra -static -o "$opt/bin/$tool" "$here/$tool.c" ||
		die "$tool build failed"
done

# Python 3.11: the interpreter and its standard library, without what a
# headless program never imports (tests, IDLE, Tk, 2to3, the static
# library, databases, curses). Extension modules whose libraries are not
# installed here are left out too.
pylib=/usr/lib/python3.11
mkdir -p "$root/usr/bin" "$root$pylib"
cp -L "$python" "$root/usr/bin/"
copy_libs "$python"
tar -C "$pylib" -cf - --exclude=./test --exclude=./idlelib --exclude=./tkinter \
	--exclude=./turtledemo --exclude=./ensurepip --exclude=./lib2to3 \
	--exclude=./pydoc_data --exclude=./distutils --exclude=./unittest \
	--exclude="./config-3.11-$multiarch" --exclude=./site-packages \
	--exclude=./lib-dynload . | tar -C "$root$pylib" -xf -
mkdir -p "$root$pylib/lib-dynload"
for so in "$pylib"/lib-dynload/*.so; do
	case ${so##*/} in _tkinter.* | _sqlite3.* | _dbm.* | _gdbm.* | _curses*) continue ;; esac
	ldd "$so" 2>/dev/null | grep -q 'not found' && continue
	cp "$so" "$root$pylib/lib-dynload/"
	copy_libs "$so"
done
cp "$here/heapfrag.py" "$opt/lib/"

# Node.js 18 from bookworm, unpacked (not installed). libnode reads a few
# of its builtins from other packages at fixed paths (strings in libnode:
# /usr/share/nodejs/...): only those files are taken.
(cd "$out.tmp/debs" && apt-get -o APT::Sandbox::User=root download -q \
	"nodejs=$node_ver" "libnode108=$node_ver" node-acorn node-cjs-module-lexer \
	node-undici >&2) || die "apt-get download of nodejs $node_ver failed"
for deb in "$out.tmp"/debs/*.deb; do dpkg-deb -x "$deb" "$out.tmp/node"; done
nlib=$out.tmp/node/usr/lib/$multiarch
mkdir -p "$root/usr/lib/$multiarch"
cp -L "$out.tmp/node/usr/bin/node" "$root/usr/bin/node"
cp -L "$nlib/libnode.so.108" "$root/usr/lib/$multiarch/"
copy_libs "$out.tmp/node/usr/bin/node" "$nlib"
copy_libs "$nlib/libnode.so.108" "$nlib"
while read -r js; do
	[[ -f $out.tmp/node$js ]] || die "nodejs builtin $js not in the unpacked packages"
	mkdir -p "$root${js%/*}"
	cp "$out.tmp/node$js" "$root$js"
done < <(strings "$nlib/libnode.so.108" | grep -o '^/usr/share/nodejs/[^ "]*\.js$' | sort -u)
cp "$here/heapfrag.js" "$opt/lib/"

# OpenJDK 17, only java.base, with a class-data archive (a cold start
# parses fewer classes, which matters under TCG).
# (Its warnings about classes of modules left out are expected.)
"$jdk/bin/jlink" --add-modules java.base --output "$opt/jvm" --strip-debug \
	--no-header-files --no-man-pages --generate-cds-archive >"$out.tmp/jlink.log" 2>&1 ||
	die "jlink failed: $(tail -n 5 "$out.tmp/jlink.log")"
# Only the compressed-oops class archive: the other serves heaps over 32 GiB.
rm -f "$opt/jvm/lib/server/classes_nocoops.jsa"
strip --strip-debug "$opt/jvm/lib/server/libjvm.so"
# The JDK's libraries find libjvm through the launcher, ldd through this.
while read -r so; do
	copy_libs "$so" "$opt/jvm/lib/server:$opt/jvm/lib"
done < <(find "$opt/jvm" -type f \( -name '*.so' -o -path '*/bin/*' \))
"$jdk/bin/javac" --release 17 -d "$opt/lib" "$here/HeapFrag.java" || die "javac failed"

# How the test starts each target (it appends --mib/--keep/--seed): NAME
# COMMAND. The JVM's flags make System.gc() give the freed heap back: the
# serial collector shrinks the heap after a full collection whenever more
# than MaxHeapFreeRatio % of it is free; the C1 compiler only, no
# perf-data file, and a small initial heap, to start fast under TCG.
cat >"$opt/targets" <<'EOF'
go /opt/kc-runtimes/bin/heapfrag-go
python /usr/bin/python3.11 -I -S /opt/kc-runtimes/lib/heapfrag.py
node /usr/bin/node --expose-gc /opt/kc-runtimes/lib/heapfrag.js
jvm /opt/kc-runtimes/jvm/bin/java -XX:+UseSerialGC -Xms8m -Xmx768m -XX:MinHeapFreeRatio=5 -XX:MaxHeapFreeRatio=10 -XX:TieredStopAtLevel=1 -XX:-UsePerfData -cp /opt/kc-runtimes/lib HeapFrag
EOF
{
	echo "go $("$go" version | awk '{print $3}')"
	echo "python $("$python" -c 'import sys; print(sys.version.split()[0])')"
	echo "node $node_ver"
	echo "jvm $("$opt/jvm/bin/java" -version 2>&1 | head -n 1)"
} >"$opt/versions"

# Each target, run inside the bundle as its own root: a missing library or
# data file shows here, not after a guest boot. (The loader resolves the
# JDK's $ORIGIN rpath through /proc, which this root lacks: hence the path.)
while read -r name cmd; do
	# shellcheck disable=SC2086 # cmd is a command line, split on purpose
	answer=$(printf 'verify\nexit\n' | LD_LIBRARY_PATH=/opt/kc-runtimes/jvm/lib \
		chroot "$root" $cmd --mib 4 2>&1) ||
		die "$name does not run from the bundle: $answer"
	grep -q '^VERIFIED ' <<<"$answer" || die "$name in the bundle: $answer"
done <"$opt/targets"

# Same inputs, same bytes (as mkinitramfs.sh).
find "$root" -exec touch -h -d @0 {} +
(cd "$root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -n -6 >"$out.tmp/runtimes.cpio.gz"
rm -rf "$out"
mv "$out.tmp" "$out"
rm -rf "$out/debs" "$out/node"
echo "bundle.sh: $(du -sh "$out/root" | cut -f1) in $(du -h "$archive" | cut -f1) archive," \
	"$(($(date +%s) - start)) s" >&2
echo "$archive"
