#!/bin/bash
# SPDX-License-Identifier: MIT
#
# dist.sh: the release tarball remakes itself. make dist's tarball
# (scripts/dist.sh) is unpacked where no git repository is; there, as a
# packager has it, make dist must work again, give the same files, carry a
# packager's change, and the tools must build. Host only, any user; a few
# seconds plus the tools' build.
#
# TAP, then "N passed, N failed"; exit status 0 only if nothing failed.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kc-dist.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
version=$(cat "$repo/VERSION")
name=kcollapse-$version

# shellcheck source=tests/lib/tap.sh
source "$repo/tests/lib/tap.sh"

# files TARBALL: its file list, the top directory stripped, sorted.
files() { tar -tzf "$1" | grep -v '/$' | sed "s|^$name/||" | LC_ALL=C sort; }

# The first tarball: from git where this tree is a checkout, else from its
# MANIFEST (make check run in an unpacked tarball).
mkdir -p "$tmp/first" "$tmp/unpacked" "$tmp/again"
KC_DIST_DIR=$tmp/first bash "$repo/scripts/dist.sh" >/dev/null 2>"$tmp/err"
first=$tmp/first/$name.tar.gz
check "make dist in the tree: $name.tar.gz" test -f "$first"
[[ -f $first ]] || { sed 's/^/# /' "$tmp/err"; finish; }
check "the tarball lists its files in MANIFEST" \
	diff <(files "$first") <(tar -xzOf "$first" "$name/MANIFEST")
tar -C "$tmp/unpacked" -xzf "$first"
tree=$tmp/unpacked/$name
if git -C "$tree" rev-parse --git-dir >/dev/null 2>&1; then
	not_ok "unpacked outside any git repository (TMPDIR $tmp is inside one)"
	finish
fi

(cd "$tree" && KC_DIST_DIR=$tmp/again make -s dist >/dev/null 2>"$tmp/err")
again=$tmp/again/$name.tar.gz
check "make dist in the unpacked tarball (no .git)" test -f "$again"
sed 's/^/# /' "$tmp/err"
check "same files as the first tarball" diff <(files "$first") <(files "$again")
mkdir -p "$tmp/a" "$tmp/b"
tar -C "$tmp/a" -xzf "$first" && tar -C "$tmp/b" -xzf "$again"
check "same contents as the first tarball" diff -r "$tmp/a" "$tmp/b"

# A packager's change (debs.sh bumps VERSION so) is in the next tarball.
bumped=$(awk -F. '{printf "%d.%d.%d\n", $1, $2, $3 + 1}' <<<"$version")
echo "$bumped" >"$tree/VERSION"
(cd "$tree" && KC_DIST_DIR=$tmp/again make -s dist >/dev/null 2>&1)
check "a changed VERSION makes kcollapse-$bumped.tar.gz, dkms.conf filled in" \
	grep -qx "PACKAGE_VERSION=\"$bumped\"" \
	<(tar -xzOf "$tmp/again/kcollapse-$bumped.tar.gz" "kcollapse-$bumped/dkms.conf" 2>/dev/null)
echo "$version" >"$tree/VERSION"

# A file MANIFEST lists but the tree lost: refused, not shipped without it.
mv "$tree/README.md" "$tmp/README.md"
(cd "$tree" && KC_DIST_DIR=$tmp/again make -s dist >/dev/null 2>"$tmp/err")
rc=$?
check "a missing file is refused, named" \
	bash -c "[[ $rc != 0 ]] && grep -q README.md '$tmp/err'"
mv "$tmp/README.md" "$tree/README.md"

if (cd "$tree" && nice -n 10 make -s tools >"$tmp/build.log" 2>&1); then
	ok "the tools build in the unpacked tarball (make tools)"
else
	not_ok "the tools build in the unpacked tarball (make tools)"
	tail -n 20 "$tmp/build.log" | sed 's/^/# /'
fi
finish
