#!/bin/bash
# The YNL spec (Documentation/netlink/specs/kcollapse.yaml) against the
# kernel's netlink schema, the uapi header and the module's policies and
# replies (check.py), as TAP. The kernel's schema and ynl tools come from
# Debian's linux-source-6.12 (scripts/deps.sh), unpacked once into the
# cache; Debian's python3 runs the check (python3-yaml, python3-jsonschema).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"

tarball=/usr/src/linux-source-6.12.tar.xz
py=/usr/bin/python3
ver=$(dpkg-query -W -f='${Version}' linux-source-6.12 2>/dev/null) || ver=
dir=$(kc_cache_dir)/ynl-6.12-$ver
if [[ -z $ver || ! -f $tarball ]]; then
	echo "not ok 1 - linux-source-6.12 is not installed (scripts/deps.sh)"
	echo "0 passed, 1 failed"
	exit 1
fi
# Unpacked beside and renamed into place: two checkouts may run this at once.
if [[ ! -d $dir ]]; then
	tmp=$(mktemp -d "$dir.XXXXXX")
	tar -xJf "$tarball" -C "$tmp" --strip-components=1 --wildcards \
		'linux-source-6.12/Documentation/netlink/*' 'linux-source-6.12/tools/net/ynl/*'
	mv -T "$tmp" "$dir" 2>/dev/null || rm -rf "$tmp"
fi
exec "$py" "$repo/tests/ynl/check.py" "$dir"
