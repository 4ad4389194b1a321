#!/bin/bash
# make check: every suite in turn, then one line summing them all:
# "N passed, N failed". Each suite ends with its own such line; a suite that
# fails without one counts as one failure.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
pass=0 fail=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

# run_suite NAME CMD...
run_suite() {
	local name=$1 rc line p f
	shift
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$log" | tail -n 1)
	if [[ -z $line ]]; then
		echo "=== $name: no summary line (exit $rc): counted as 1 failure"
		fail=$((fail + 1))
		return
	fi
	read -r p _ f _ <<<"$line"
	pass=$((pass + p))
	fail=$((fail + f))
	if ((rc != 0 && f == 0)); then
		echo "=== $name: exit $rc with no failed test: counted as 1 failure"
		fail=$((fail + 1))
	fi
	echo "=== $name: $line"
}

# Userspace is built with ASan/UBSan for the host tests and for the guests.
run_suite style bash scripts/checkpatch.sh
run_suite ctl make -s -C ctl SANITIZE=1 check
run_suite workload make -s -C tests/workload SANITIZE=1 check
run_suite bridge make -s -C bridge SANITIZE=1 check
run_suite vm make -s --no-print-directory SANITIZE=1 vm-test
# The debug kernel checks the module (KASAN, lockdep, kmemleak, KUnit); its
# guests are slow enough without sanitized userspace on top.
run_suite vm-debug env KC_TIMEOUT=1800 make -s --no-print-directory \
	SANITIZE=0 KERNELS=projdbg vm-test
run_suite kunit bash tests/vm/kunit-summary.sh \
	"${KCOLLAPSE_CACHE:-/var/cache/kcollapse}/out/projdbg/results.log"
# A smoke run of make bench: one workload, one repetition, report built.
run_suite bench-smoke make -s --no-print-directory bench \
	BENCH_ARGS="reps=1 workloads=gc5" \
	BENCH_OUT="${KCOLLAPSE_CACHE:-/var/cache/kcollapse}/bench-smoke"

echo "$pass passed, $fail failed"
((fail == 0))
