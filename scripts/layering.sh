#!/bin/bash
# SPDX-License-Identifier: MIT
#
# The userspace layering, checked from gcc -MM: each folder includes only
# its own headers and the folders below it (never a sibling tool's private
# folder), and no two files of a folder include each other, directly or
# round a loop (a unit is foo.c with foo.h). TAP, ending "N passed, N failed".
#
#   bridge -> ctl/json -> ctl/include -> include
#   ctl/kcollapsectl -> ctl/json, ctl/include, include
#   ctl/libkcollapse -> ctl/include, include
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
CC=${CC:-cc}
n=0 pass=0 fail=0

ok() {
	n=$((n + 1))
	if (($1 == 0)); then
		pass=$((pass + 1))
		echo "ok $n - $2"
	else
		fail=$((fail + 1))
		echo "not ok $n - $2"
	fi
}

# folder: the folders it may include from, besides its own
declare -A below=(
	[ctl/libkcollapse]="ctl/include ctl/build/include include"
	[ctl/json]="ctl/include ctl/build/include include"
	[ctl/kcollapsectl]="ctl/json ctl/include ctl/build/include include"
	[bridge]="ctl/json ctl/include ctl/build/include include"
)
inc=(-Ictl/build/include -Ictl/include -Ictl/json -Iinclude/uapi -Iinclude)

for dir in ctl/libkcollapse ctl/json ctl/kcollapsectl bridge; do
	# Every header a file of $dir reads, as gcc sees it (-MG: a header
	# that is not generated yet is named as written).
	deps=$(for f in "$dir"/*.c; do
		"$CC" -MM -MG -D_GNU_SOURCE "-I$dir" "${inc[@]}" "$f" || echo "?cc-failed:$f"
	done | tr ' \\' '\n\n' | grep -v -e ':$' -e '^$' | sort -u)
	bad=
	for d in $deps; do
		d=${d#./}
		allowed=0
		for ok_dir in "$dir" ${below[$dir]}; do
			[[ $d == "$ok_dir"/* ]] && allowed=1
		done
		((allowed)) || bad+=" $d"
	done
	[[ -z $bad ]] || echo "# $dir reads:$bad"
	ok "$([[ -z $bad ]]; echo $?)" "$dir includes only its own and lower folders"

	# Its own files, unit to unit: tsort finds a loop.
	edges=$(for f in "$dir"/*.[ch]; do
		u=$(basename "${f%.*}")
		sed -n 's/^#include "\([^"/]*\)\.h".*/\1/p' "$f" | while read -r h; do
			[[ -e $dir/$h.h && $h != "$u" ]] && echo "$u $h"
		done
	done)
	loop=$(tsort <<<"$edges" 2>&1 >/dev/null | grep -v "input contains a loop" | sed "s/^tsort: //")
	[[ -z $loop ]] || echo "# $dir loop: ${loop//$'\n'/ }"
	ok "$([[ -z $loop ]]; echo $?)" "$dir has no include cycle between its files"
done

# Makefiles compile only their own folder's sources (and link libraries).
for mk in bridge/Makefile ctl/Makefile; do
	own=$(dirname "$mk")
	cross=$(grep -nE '\$\((CTL|ROOT)\)/[a-z]+/[a-z_-]*\.c\b|-I\$\(CTL\)/(kcollapsectl|libkcollapse)' "$mk")
	[[ -z $cross ]] || echo "# $mk: $cross"
	ok "$([[ -z $cross ]]; echo $?)" "$own builds no sibling's sources"
done

echo "$pass passed, $fail failed"
((fail == 0))
