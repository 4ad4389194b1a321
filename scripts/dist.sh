#!/bin/bash
# SPDX-License-Identifier: MIT
#
# dist.sh: the release tarball, build/kcollapse-VERSION.tar.gz (make dist).
#   - from a git checkout: the last commit's tree (git archive HEAD);
#   - from an unpacked release tarball (no .git, as a packager has it): the
#     files its MANIFEST lists, as they are now, so that a tarball makes
#     the same tarball again (with the packager's changes).
# Either way the tarball carries MANIFEST, its own file list, and dkms.conf
# with PACKAGE_VERSION filled in from VERSION. KC_DIST_DIR puts the tarball
# and its staging tree elsewhere (tests/package/dist.sh, which runs while
# the image test makes its own). Prints the tarball's path last: relative
# to the tree in build/, else absolute.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd -P)
version=$(cat "$repo/VERSION")
name=kcollapse-$version
out=${KC_DIST_DIR:-$repo/build}
stage=$out/dist
tree=$stage/$name

rm -rf "$stage"
mkdir -p "$tree"
# A tarball unpacked inside someone else's git checkout is still a tarball:
# only a checkout whose top is this tree counts.
if [[ $(git -C "$repo" rev-parse --show-toplevel 2>/dev/null) == "$repo" ]]; then
	git -C "$repo" archive --format=tar HEAD | tar -x -C "$tree"
	git -C "$repo" -c core.quotePath=false ls-tree -r --name-only HEAD |
		grep -vx MANIFEST >"$stage/MANIFEST" || true
elif [[ -f $repo/MANIFEST ]]; then
	grep -vx MANIFEST "$repo/MANIFEST" >"$stage/MANIFEST" || true
	missing=$(cd "$repo" && while IFS= read -r f; do
		[[ -e $f || -L $f ]] || echo "$f"; done <"$stage/MANIFEST")
	if [[ -n $missing ]]; then
		echo "dist.sh: files MANIFEST lists are missing:" >&2
		echo "$missing" | sed 's/^/  /' >&2
		exit 1
	fi
	tar -C "$repo" --no-recursion --verbatim-files-from -T "$stage/MANIFEST" -cf - |
		tar -x -C "$tree"
else
	echo "dist.sh: $repo is neither a git checkout nor an unpacked release tarball (no MANIFEST)" >&2
	exit 1
fi
[[ -s $stage/MANIFEST ]] || { echo "dist.sh: no files to ship" >&2; exit 1; }
{ cat "$stage/MANIFEST"; echo MANIFEST; } | LC_ALL=C sort >"$tree/MANIFEST"
sed -i "s/^PACKAGE_VERSION=.*/PACKAGE_VERSION=\"$version\"/" "$tree/dkms.conf"
tar -C "$stage" -czf "$out/$name.tar.gz" "$name"
if [[ -z ${KC_DIST_DIR:-} ]]; then
	echo "build/$name.tar.gz"
else
	echo "$out/$name.tar.gz"
fi
