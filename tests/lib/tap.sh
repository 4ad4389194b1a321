# shellcheck shell=sh
# SPDX-License-Identifier: MIT
#
# TAP for the host suites, sourced by sh or bash (POSIX: busybox too):
#   ok DESC / not_ok DESC / skip DESC WHY   one test each
#   check DESC COMMAND...                   passes if COMMAND succeeds
#   result STATUS DESC                      passes if STATUS is 0
#   note TEXT                               a diagnostic line
#   eq WHAT GOT WANT / lt WHAT GOT LIMIT    conditions for check that
#                                           explain a mismatch
#   count_summary FILE                      adds another TAP program's
#                                           "N passed, N failed" (none: 1
#                                           failure)
#   finish                                  the plan, "N passed, N failed",
#                                           exit 0 only if nothing failed
n=0 passed=0 failed=0
ok() { n=$((n + 1)) passed=$((passed + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n - $*"; }
skip() { n=$((n + 1)) passed=$((passed + 1)); echo "ok $n - $1 # SKIP $2"; }
note() { echo "# $*"; }
result() {
	if [ "$1" = 0 ]; then ok "$2"; else not_ok "$2"; fi
}
check() {
	tap_what=$1
	shift
	if "$@"; then ok "$tap_what"; else not_ok "$tap_what"; fi
}
eq() {
	[ "$2" = "$3" ] && return 0
	note "$1: got '$2', want '$3'"
	return 1
}
lt() {
	[ "$2" -lt "$3" ] && return 0
	note "$1: got $2, want < $3"
	return 1
}
count_summary() {
	tap_line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$1" | tail -n 1)
	tap_p=$(echo "$tap_line" | awk '{print $1}')
	tap_f=$(echo "$tap_line" | awk '{print $3}')
	[ -n "$tap_line" ] || tap_p=0 tap_f=1
	n=$((n + tap_p + tap_f)) passed=$((passed + tap_p))
	failed=$((failed + tap_f))
}
finish() {
	echo "1..$n"
	echo "$passed passed, $failed failed"
	[ "$failed" = 0 ]
	exit
}
