#!/bin/bash
# make -C go check: go vet, then go test -v; ends with "N passed, N failed"
# where each test function and subtest counts once and vet counts as one.
# Usage: check.sh PKG_DIR ENV... (the GOPATH-mode environment, see Makefile)
set -uo pipefail

dir=$1
shift
cd "$dir" || exit 1
out=$(mktemp)
trap 'rm -f "$out"' EXIT
pass=0 fail=0

if env "$@" go vet ./...; then
	echo "ok   go vet"
	pass=$((pass + 1))
else
	echo "FAIL go vet"
	fail=$((fail + 1))
fi

env "$@" go test -count=1 -v ./... >"$out" 2>&1
rc=$?
# Only failures and the package lines: a passing run is hundreds of lines.
grep -E '^(--- FAIL|FAIL|ok|panic:)|_test\.go:[0-9]+:' "$out"
p=$(grep -cE '^ *--- PASS' "$out")
f=$(grep -cE '^ *--- FAIL' "$out")
pass=$((pass + p))
fail=$((fail + f))
# A package that did not build or panicked reports no --- FAIL line.
if ((rc != 0 && f == 0)); then
	cat "$out"
	fail=$((fail + 1))
fi

echo "$pass passed, $fail failed"
((fail == 0))
