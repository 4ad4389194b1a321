#!/bin/bash
# debs.sh DIST_TAR OUTDIR [RELEASE]: the Debian packages the image test
# installs, built with `make deb`'s script from the release tarball's sources
# (as a packager builds them, without .git) on the image's Debian release:
# bookworm (the default) on this Debian 12 machine, trixie in the cached
# Debian 13 chroot (scripts/trixie-chroot.sh, its build dependencies
# installed there), so that they link against the image's libraries.
# OUTDIR/debs/cur/ for the release and
# OUTDIR/debs/next/ for a "newer release" to upgrade to (the same sources,
# patch level bumped, with a changelog entry). Debug symbol packages are
# left out. Prints the two versions.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)

if (($# < 2 || $# > 3)); then
	echo "usage: $0 DIST_TAR OUTDIR [RELEASE]" >&2
	exit 2
fi
dist_tar=$1 out=$2 release=${3:-bookworm}
# deb SRCDIR: scripts/deb.sh of SRCDIR, run on the image's release.
case $release in
bookworm) deb() { LINTIAN=0 bash "$1/scripts/deb.sh"; } ;;
trixie)
	deb() {
		bash "$repo/scripts/trixie-chroot.sh" build-dep "$1" >&2
		bash "$repo/scripts/trixie-chroot.sh" run -b "$1" -- \
			env LINTIAN=0 bash "$1/scripts/deb.sh"
	}
	;;
*) echo "debs.sh: unknown release '$release' (want bookworm or trixie)" >&2; exit 2 ;;
esac
work=$out/debsrc
rm -rf "$work" "$out/debs"
mkdir -p "$work/cur" "$work/next" "$out/debs/cur" "$out/debs/next"
tar -C "$work/cur" --strip-components=1 -xzf "$dist_tar"
tar -C "$work/next" --strip-components=1 -xzf "$dist_tar"

version=$(cat "$work/cur/VERSION")
next=$(awk -F. '{printf "%d.%d.%d\n", $1, $2, $3 + 1}' <<<"$version")
echo "$next" >"$work/next/VERSION"
cl=$work/next/debian/changelog
maint=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$cl" | head -n1)
{
	printf 'kcollapse (%s-1) unstable; urgency=medium\n\n' "$next"
	printf '  * The image test'\''s upgrade: the %s sources, version bumped.\n\n' "$version"
	printf ' -- %s  %s\n\n' "$maint" "$(date -R)"
	cat "$cl"
} >"$cl.new"
mv "$cl.new" "$cl"

for v in cur next; do
	changes=$(deb "$work/$v" | tail -n 1)
	find "$(dirname "$changes")" -maxdepth 1 -name '*.deb' ! -name '*-dbgsym_*' \
		-exec cp {} "$out/debs/$v/" \;
done
rm -rf "$work"
echo "$version $next"
