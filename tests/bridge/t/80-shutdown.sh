# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# SIGTERM to the main daemon during an operation.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

wl_start stop $BIG_WL || exit 1
post "$tmp/s.json" -d "$(body "$WL" "\"deadlineMs\": 3600000")" >"$tmp/s.status" &
SPOST=$!
wait_in_flight 1
check "SIGTERM during an operation: cancels it, exits 0, no sanitizer report" \
	daemon_stop "$MAIN" "$MAIN_LOG"
wait "$SPOST"
check "... its log line says cancelled" \
	eval 'grep -q "event=collapse status=200 .*pid=$WL .*stop=cancelled" "$MAIN_LOG"'
check "pages intact" wl_verify "$WL" "$WL_OUT"
wl_stop "$WL"
