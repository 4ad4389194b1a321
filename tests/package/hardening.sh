#!/bin/bash
# SPDX-License-Identifier: MIT
#
# hardening.sh: the shipped binaries (kcollapsectl, kcollapsed,
# libkcollapse.so) are built hardened, and the Makefiles honour the
# caller's CPPFLAGS, CFLAGS and LDFLAGS (dpkg-buildflags' among them).
# Builds ctl/ and bridge/ from a copy of their sources in a temporary
# directory, without sanitizers (as shipped), so other suites' builds are
# left alone. Host only, any user; needs hardening-check (devscripts).
#
# TAP, then "N passed, N failed"; exit status 0 only if nothing failed.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kc-hardening.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT

# shellcheck source=tests/lib/tap.sh
source "$repo/tests/lib/tap.sh"

# The sources the two products build from, without their build trees.
mkdir -p "$tmp/src"
cp -R "$repo/VERSION" "$repo/include" "$repo/mk" "$repo/ctl" "$repo/bridge" "$tmp/src/"
rm -rf "$tmp/src/ctl/build" "$tmp/src/bridge/build"

# Flags a packager would pass, each with a mark that can be found again:
# a macro in every compile line, a symbol the linker defines in each binary.
cppmark=-DKC_CPPFLAGS_SEEN=1
cflags="-O2 -g -DKC_CFLAGS_SEEN=1"
ldmark=-Wl,--defsym=kc_ldflags_seen=0
if ! make -C "$tmp/src/bridge" SANITIZE=0 CPPFLAGS="$cppmark" \
	CFLAGS="$cflags" LDFLAGS="$ldmark" >"$tmp/build.log" 2>&1; then
	not_ok "ctl and bridge build with CPPFLAGS, CFLAGS and LDFLAGS set"
	sed 's/^/# /' "$tmp/build.log" | tail -n 30
	finish
fi
ok "ctl and bridge build with CPPFLAGS, CFLAGS and LDFLAGS set"

cc_lines=$(grep -E '^(cc|gcc|clang|\S*-gcc)\b.* -c ' "$tmp/build.log")
ncc=$(grep -c . <<<"$cc_lines")
check "every compile ($ncc) gets CPPFLAGS" \
	bash -c '! grep -v -e "$1" <<<"$2" | grep -q .' _ "$cppmark" "$cc_lines"
check "every compile gets CFLAGS" \
	bash -c '! grep -v -e "-DKC_CFLAGS_SEEN=1" <<<"$1" | grep -q .' _ "$cc_lines"
check "every compile gets _FORTIFY_SOURCE=2 when CPPFLAGS names no level" \
	bash -c '! grep -v -e "-D_FORTIFY_SOURCE=2" <<<"$1" | grep -q .' _ "$cc_lines"

ctl=$tmp/src/ctl/build/kcollapsectl
kcd=$tmp/src/bridge/build/kcollapsed
lib=$(ls "$tmp/src/ctl/build"/libkcollapse.so.*.*.* 2>/dev/null | head -n1)
for f in "$ctl" "$kcd" "$lib"; do
	[[ -n $f && -f $f ]] || { not_ok "built: ${f:-libkcollapse.so.1.x.y}"; continue; }
	name=${f#"$tmp/src/"}
	check "$name: LDFLAGS reached its link" \
		bash -c 'nm "$1" | grep -qw kc_ldflags_seen' _ "$f"
	if ! command -v hardening-check >/dev/null; then
		not_ok "$name: hardening-check missing (scripts/deps.sh installs devscripts)"
		continue
	fi
	# Debian 12's C runtime start files carry no IBT/SHSTK notes, so no
	# binary linked there shows control-flow protection: not required.
	if out=$(hardening-check --nocfprotection "$f" 2>&1); then
		ok "$name: hardening-check (PIE, stack protector, fortify, RELRO, BIND_NOW)"
	else
		not_ok "$name: hardening-check"
		sed 's/^/# /' <<<"$out"
	fi
done

# The library's file is named after its soname.
if [[ -n $lib ]]; then
	soname=$(readelf -d "$lib" | sed -n 's/.*(SONAME).*\[\(.*\)\]/\1/p')
	check "$(basename "$lib") has SONAME libkcollapse.so.1 ($soname) and is named after it" \
		bash -c '[[ $1 == libkcollapse.so.1 && $(basename "$2") == "$1".*.* ]]' _ "$soname" "$lib"
fi
check "kcollapsectl --version prints VERSION ($(cat "$repo/VERSION"))" \
	bash -c '[[ $("$1" --version) == "kcollapsectl $(cat "$2")" ]]' _ "$ctl" "$repo/VERSION"

# The defaults alone (no flags from the caller) are hardened too.
rm -rf "$tmp/src/ctl/build" "$tmp/src/bridge/build"
if env -u CPPFLAGS -u CFLAGS -u LDFLAGS make -C "$tmp/src/bridge" SANITIZE=0 \
	>"$tmp/build2.log" 2>&1 && command -v hardening-check >/dev/null &&
	out=$(hardening-check --nocfprotection "$ctl" "$kcd" 2>&1); then
	ok "with no flags from the caller, kcollapsectl and kcollapsed are hardened"
else
	not_ok "with no flags from the caller, kcollapsectl and kcollapsed are hardened"
	sed 's/^/# /' <<<"${out:-$(tail -n 20 "$tmp/build2.log")}"
fi
finish
