#!/bin/bash
# checkpatch.pl --strict over the module and the uapi header, as TAP.
# checkpatch ships in Debian's linux-source-6.12 package (installed by
# scripts/deps.sh); it is unpacked once into the cache.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=kernels.sh
source "$repo/scripts/kernels.sh"

tarball=/usr/src/linux-source-6.12.tar.xz
dir=$(kc_cache_dir)/checkpatch
if [[ ! -x $dir/scripts/checkpatch.pl ]]; then
	[[ -f $tarball ]] || { echo "checkpatch.sh: $tarball missing: run scripts/deps.sh" >&2; exit 1; }
	mkdir -p "$dir"
	tar -xJf "$tarball" -C "$dir" --strip-components=1 \
		linux-source-6.12/scripts/checkpatch.pl \
		linux-source-6.12/scripts/spelling.txt \
		linux-source-6.12/scripts/const_structs.checkpatch
fi

cd "$repo"
files=(kmod/*.c kmod/*.h kmod/kunit/*.c tests/kmod/*.c include/uapi/linux/kcollapse.h
	include/common/kcollapse_rules.h)
echo "1..1"
if out=$("$dir/scripts/checkpatch.pl" --strict --no-tree --terse -f "${files[@]}" 2>&1) &&
	! grep -Eq '(WARNING|ERROR|CHECK):' <<<"$out"; then
	echo "ok 1 - checkpatch --strict (${#files[@]} files)"
	echo "1 passed, 0 failed"
else
	sed 's/^/# /' <<<"$out"
	echo "not ok 1 - checkpatch --strict"
	echo "0 passed, 1 failed"
	exit 1
fi
