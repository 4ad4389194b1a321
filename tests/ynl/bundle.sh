#!/bin/bash
# bundle.sh: the kernel's ynl CLI (tools/net/ynl from linux-source-6.12),
# its YAML parser (Debian's python3-yaml, pure Python: the C accelerator
# is left out, so libyaml is not needed) and the spec, as a gzipped cpio
# archive rooted at the guest's /, for tests/vm/run.sh --cpio; prints its
# path. Everything lands in /opt/kc-ynl; the interpreter and the standard
# library are the runtimes bundle's (tests/runtimes/bundle.sh,
# /usr/bin/python3.11), which every vm-test guest gets too. The guest test
# is tests/guest/t/63-ynl.sh. Built once per input into the cache.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"

die() {
	echo "ynl/bundle.sh: $*" >&2
	exit 1
}

tarball=/usr/src/linux-source-6.12.tar.xz
yaml=/usr/lib/python3/dist-packages/yaml
spec=$repo/Documentation/netlink/specs/kcollapse.yaml
[[ -f $tarball ]] || die "$tarball missing (scripts/deps.sh)"
[[ -f $yaml/__init__.py ]] || die "$yaml missing (apt-get install python3-yaml; scripts/deps.sh)"

cache=$(kc_cache_dir)
key=$( {
	dpkg-query -W linux-source-6.12 python3-yaml 2>&1
	sha256sum "$spec" "$here/bundle.sh"
} | sha256sum | cut -c1-16)
out=$cache/ynl-bundle-$key
archive=$out/ynl.cpio.gz
if [[ -s $archive ]]; then
	echo "$archive"
	exit 0
fi

tmp=$(mktemp -d "$out.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
opt=$tmp/root/opt/kc-ynl
mkdir -p "$opt"
tar -xJf "$tarball" -C "$tmp" --strip-components=4 \
	linux-source-6.12/tools/net/ynl/cli.py linux-source-6.12/tools/net/ynl/lib
mv "$tmp/cli.py" "$tmp/lib" "$opt/"
mkdir -p "$opt/yaml"
cp "$yaml"/*.py "$opt/yaml/"
cp "$spec" "$opt/"

# Same inputs, same bytes (as tests/vm/mkinitramfs.sh).
find "$tmp/root" -exec touch -h -d @0 {} +
(cd "$tmp/root" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -n -6 >"$tmp/ynl.cpio.gz"
mkdir -p "$out.new"
mv "$tmp/ynl.cpio.gz" "$out.new/"
mv -T "$out.new" "$out" 2>/dev/null || rm -rf "$out.new"
echo "$archive"
