#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make deb: the Debian packages (debian/) built from a copy of this tree in
# build/deb/kcollapse-VERSION, with debhelper and dh-dkms from Debian's
# archive (scripts/deps.sh installs them). The .deb files, .buildinfo and
# .changes land in build/deb/; the last line printed is the .changes file.
# Nothing is written outside build/. LINTIAN=0 skips lintian.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
version=$(cat "$repo/VERSION")
out=$repo/build/deb
src=$out/kcollapse-$version
log() { echo "deb: $*" >&2; }

# debian/changelog's upstream version is VERSION's.
deb_version=$(dpkg-parsechangelog -l "$repo/debian/changelog" -S Version)
if [[ ${deb_version%-*} != "$version" ]]; then
	log "debian/changelog is at $deb_version, VERSION at $version: add a changelog entry (dch -v $version-1)"
	exit 1
fi

rm -rf "$out"
mkdir -p "$src"
# The tree as it is (tracked files and new ones not ignored), without build
# output; from a release tarball (no .git), everything but build trees.
# A tarball unpacked inside someone else's checkout is still a tarball
# (as in scripts/dist.sh): only a checkout whose top is this tree counts.
if [[ $(git -C "$repo" rev-parse --show-toplevel 2>/dev/null) == "$repo" ]]; then
	git -C "$repo" ls-files -z --cached --others --exclude-standard |
		tar -C "$repo" --null --ignore-failed-read -T - -cf - 2>/dev/null |
		tar -C "$src" -xf -
else
	tar -C "$repo" --exclude=./build --exclude='*/build' -cf - . | tar -C "$src" -xf -
fi

log "building kcollapse $deb_version in $src"
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; log "failed: $out/build.log"; exit 1; }
changes=$(ls "$out"/kcollapse_"$deb_version"_*.changes)
for deb in "$out"/*.deb; do
	log "$(basename "$deb")"
done
if [[ ${LINTIAN:-1} != 0 ]]; then
	log "lintian"
	lintian --info --display-info --pedantic "$changes" >&2 || true
fi
echo "$changes"
