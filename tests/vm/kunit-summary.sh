#!/bin/bash
# kunit-summary.sh RESULTS_LOG: the module's KUnit results, as the guest's
# t/00-kunit.sh printed them between KTAP-BEGIN and KTAP-END, parsed by the
# kernel's own kunit.py (from the linux-source-6.1 tree build-kernel.sh
# unpacked). Prints its report and "N passed, N failed" over the cases.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source=../../scripts/kernels.sh
source "$here/../../scripts/kernels.sh"

log=${1:?usage: kunit-summary.sh RESULTS_LOG}
kunit=$(ls "$(kc_cache_dir)"/kernel-src/linux-source-6.1-*/tools/testing/kunit/kunit.py 2>/dev/null | tail -n 1)
[[ -n $kunit ]] || { echo "kunit-summary: kunit.py not found: build the project kernel first"; echo "0 passed, 1 failed"; exit 1; }

ktap=$(sed -n '/^# KTAP-BEGIN$/,/^# KTAP-END$/p' "$log" | sed '1d;$d;s/^# //')
if [[ -z $ktap ]]; then
	echo "kunit-summary: no KTAP in $log (did the debug guest run?)"
	echo "0 passed, 1 failed"
	exit 1
fi
report=$(python3 "$kunit" parse <<<"$ktap" 2>&1) || true
echo "$report"
# "Testing complete. Ran 47 tests: passed: 47" (failed:, crashed:, skipped:)
line=$(grep 'Testing complete' <<<"$report" | tail -n 1)
ran=$(sed -n 's/.*Ran \([0-9]*\) tests.*/\1/p' <<<"$line")
passed=$(sed -n 's/.*passed: \([0-9]*\).*/\1/p' <<<"$line")
[[ -n $ran && -n $passed ]] || { echo "0 passed, 1 failed"; exit 1; }
echo "$passed passed, $((ran - passed)) failed"
((ran == passed && ran > 0))
