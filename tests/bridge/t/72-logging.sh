# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Journald priorities under JOURNAL_STREAM, and the tests-only
# --insecure-no-token, loud at start and at every request.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

# Journald priorities, when stderr is the stream JOURNAL_STREAM names.
: >"$tmp/journal.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$tmp/journal.log") daemon_start journal \
	--listen 127.0.0.1:0 --token-file "$tmp/token"
req "$tmp/r" POST /collapse >/dev/null
check "under JOURNAL_STREAM: <N> priorities (notice start, warning refusal)" \
	eval 'grep -q "^<5>kcollapsed: event=listening" "$tmp/journal.log" &&
		grep -q "^<4>kcollapsed: event=denied status=401" "$tmp/journal.log" &&
		! grep -vq "^<[3-7]>kcollapsed: " "$tmp/journal.log"'
daemon_stop "$KCD" "$tmp/journal.log"

# The tests-only opt-out: loud at start and at every request.
wl_start insecure --only dense || exit 1
daemon_start insecure --listen 127.0.0.1:0 --insecure-no-token --target "$WL"
conformance insecure
check "--insecure-no-token: a warning at start and per request" \
	eval 'grep -q "event=insecure msg=\"--insecure-no-token: anyone who reaches" "$KCD_LOG" &&
		[[ $(grep -c "event=insecure remote=" "$KCD_LOG") -ge 3 ]] &&
		grep -q "auth=none-INSECURE" "$KCD_LOG"'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$WL"
