#!/bin/bash
# SPDX-License-Identifier: MIT
#
# make deb-module KVER=...: a prebuilt module package for one kernel,
# kcollapse-modules-KVER, so that an image needs neither DKMS nor a
# compiler (what `dkms mkbmdeb` made before DKMS 3, which Debian 12 ships,
# dropped it). The module is built against /lib/modules/KVER/build (the
# kernel's linux-headers package), with debhelper, from a copy of the
# module's sources under build/deb-module/; the package lands there. It
# conflicts with kcollapse-dkms (both would install kcollapse.ko); its
# files: /lib/modules/KVER/updates/kcollapse.ko and the modules-load.d
# entry. The last line printed is the .deb. LINTIAN=0 skips lintian.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
kver=${1:?usage: deb-module.sh KVER}
version=$(cat "$repo/VERSION")
kdir=/lib/modules/$kver/build
[[ -d $kdir/ ]] || { echo "deb-module: no $kdir: install linux-headers-$kver" >&2; exit 1; }

out=$repo/build/deb-module
src=$out/kcollapse-modules-$kver-$version
rm -rf "$out"
mkdir -p "$src"
cp -R "$repo/Kbuild" "$repo/VERSION" "$repo/kmod" "$repo/include" "$src/"
find "$src" \( -name '*.o' -o -name '*.ko' -o -name '*.mod' -o -name '*.mod.c' \
	-o -name '.*.cmd' \) -delete
cp -R "$repo/debian/module" "$src/debian"
cp "$repo/debian/copyright" "$src/debian/"
pkg=kcollapse-modules-$kver
maint=$(sed -n 's/^ -- \(.*>\)  .*/\1/p' "$repo/debian/changelog" | head -n1)
date=$(dpkg-parsechangelog -l "$repo/debian/changelog" -S Date)
# KVER, the package name and the version into the templates.
for f in "$src"/debian/*.in; do
	sed -e "s|@KVER@|$kver|g" -e "s|@VERSION@|$version|g" -e "s|@PKG@|$pkg|g" \
		-e "s|@MAINT@|$maint|g" -e "s|@DATE@|$date|g" "$f" >"${f%.in}"
	rm -f "$f"
done
chmod +x "$src/debian/rules"

echo "deb-module: building $pkg $version-1 against $kdir" >&2
(cd "$src" && dpkg-buildpackage -us -uc -b) >"$out/build.log" 2>&1 ||
	{ tail -n 40 "$out/build.log" >&2; echo "deb-module: failed: $out/build.log" >&2; exit 1; }
deb=$(find "$out" -maxdepth 1 -name "${pkg}_${version}-1_*.deb" | head -n1)
if [[ ${LINTIAN:-1} != 0 ]]; then
	lintian --info --pedantic "$deb" >&2 || true
fi
echo "$deb"
