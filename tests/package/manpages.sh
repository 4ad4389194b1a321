#!/bin/bash
# SPDX-License-Identifier: MIT
#
# manpages.sh: the man pages as installed (the version filled in from
# VERSION, as ctl/ and bridge/ generate them) are clean for mandoc -Tlint
# and groff -ww, carry a date that parses and no stray control characters;
# libkcollapse(3) documents every exported function.
# Host only, any user; needs mandoc and groff.
#
# TAP, then "N passed, N failed"; exit status 0 only if nothing failed.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kc-manpages.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
version=$(cat "$repo/VERSION")

# shellcheck source=tests/lib/tap.sh
source "$repo/tests/lib/tap.sh"
# clean DESCRIPTION OUTPUT: passing if OUTPUT is empty, else shown.
clean() {
	if [[ -z $2 ]]; then
		ok "$1"
	else
		not_ok "$1"
		sed 's/^/# /' <<<"$2"
	fi
}

pages=(ctl/libkcollapse.3 ctl/kcollapsectl/kcollapsectl.8 bridge/kcollapsed.8
	contrib/kcollapsed-token.8)
for tool in mandoc groff; do
	command -v $tool >/dev/null ||
		clean "$tool present" "missing: scripts/deps.sh installs it"
done

for page in "${pages[@]}"; do
	name=$(basename "$page")
	man=$tmp/$name
	sed "s|@VERSION@|$version|" "$repo/$page" >"$man"
	th=$(grep -m1 '^\.TH' "$man")
	clean "$name: .TH names kcollapse $version" \
		"$(grep -F "\"kcollapse $version\"" <<<"$th" >/dev/null || echo "$th")"
	date=$(awk '{print $4}' <<<"$th" | tr -d '"')
	clean "$name: date $date is YYYY-MM-DD and a real day" \
		"$( [[ $date =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]] &&
			[[ $(date -u -d "$date" +%F 2>/dev/null) == "$date" ]] ||
			echo "date '$date'")"
	clean "$name: no control characters" \
		"$(grep -nP '[\x00-\x08\x0b-\x1f\x7f]' "$man" | cat -A)"
	clean "$name: mandoc -Tlint" "$(mandoc -Tlint "$man" 2>&1)"
	clean "$name: groff -ww" \
		"$(LC_ALL=C.UTF-8 groff -ww -z -man -Tutf8 "$man" 2>&1)"
done
# libkcollapse(3) documents every function the library exports: those the
# public header marks KC_API, those debian/libkcollapse1.symbols lists
# (dpkg-gensymbols holds the package build to it) and, when ctl/ was built (ctl/build/),
# those libkcollapse.so exports. Each must appear in the SYNOPSIS and be
# described (.BR name () in the text).
page=$tmp/libkcollapse.3
synopsis=$(sed -n '/^\.SH SYNOPSIS/,/^\.SH /p' "$page")
exported() {
	sed -n 's/^KC_API[^(]*[ *]\(kc_[a-z0-9_]*\)(.*/\1/p' \
		"$repo/ctl/include/kcollapse/kcollapse.h"
	sed -n 's/^ \(kc_[a-z0-9_]*\)@Base .*/\1/p' "$repo/debian/libkcollapse1.symbols"
	for so in "$repo"/ctl/build/libkcollapse.so.*.*; do
		[[ -e $so ]] && nm -D --defined-only "$so" | awk '$2 == "T" {print $3}'
	done
}
names=$(exported | sort -u)
clean "libkcollapse.3: exported functions found" "$( [[ -n $names ]] || echo none)"
missing=
for f in $names; do
	grep -q "[ *]$f(" <<<"$synopsis" && grep -q "^\.BR $f ()" "$page" ||
		missing+="$f "
done
clean "libkcollapse.3: all $(wc -w <<<"$names") exported functions in SYNOPSIS and described" \
	"${missing:+undocumented: $missing}"
finish
