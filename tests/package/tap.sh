# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# The package suites' TAP (sourced): ok/not_ok count one test each,
# check DESCRIPTION COMMAND... passes if COMMAND succeeds, finish prints the
# plan and "N passed, N failed" and exits 0 only if nothing failed.
n=0 passed=0 failed=0
ok() { n=$((n + 1)) passed=$((passed + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n - $*"; }
check() {
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}
finish() {
	echo "1..$n"
	echo "$passed passed, $failed failed"
	((failed == 0))
	exit
}
