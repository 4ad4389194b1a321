# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Clients that hang up, requests that overlap, the --max-ops bound.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

URL=$MAIN_URL
wl_start gone $BIG_WL || exit 1
cancelled0=$(metric 'kcollapsed_operations_total{result="cancelled"}')
curl -sS -o /dev/null --max-time 0.3 -X POST -H "X-Access-Token: $TOKEN" \
	-d "$(body "$WL" "\"deadlineMs\": 3600000")" "$URL/collapse"
rc=$?
check "client gives up after 0.3 s (curl exit 28)" eq curl "$rc" 28
check "client disconnect cancels the operation" \
	wait_log "$MAIN_LOG" "event=collapse status=200 .*pid=$WL .*stop=cancelled .*clientGone=1"
line=$(grep "pid=$WL .*clientGone=1" "$MAIN_LOG" | tail -n 1)
note "$line"
chunks=$(sed -n 's/.* chunks=\([0-9]*\).*/\1/p' <<<"$line")
check "cancelled before reaching every window" lt chunks "${chunks:-999}" "$BIG_WINDOWS"
check "metrics: cancelled and one client disconnect" \
	eval '[[ $(metric "kcollapsed_operations_total{result=\"cancelled\"}") == $((cancelled0 + 1)) &&
		$(metric kcollapsed_client_disconnects_total) == 1 ]]'
check "AnonHugePages matches the cancelled operation's log line" \
	eq AnonHugePages "$(huge_kb "$WL" "$WL_OUT" sparse)" \
	"$(( $(sed -n 's/.* collapsed=\([0-9]*\).*/\1/p' <<<"$line") * 2048 ))"
check "pages intact after the cancel" wl_verify "$WL" "$WL_OUT"
wl_stop "$WL"

wl_start busy $BIG_WL || exit 1
post "$tmp/long.json" -d "$(body "$WL" "\"deadlineMs\": 1500")" >"$tmp/long.status" &
LONG=$!
wait_in_flight 1
check "while it runs, GET /health answers at once" \
	eval '[[ $(curl -sS -o /dev/null -m 1 -w "%{http_code}" "$URL/health") == 204 ]]'
check "a second request for the same target: 409" \
	eval '[[ $(post "$tmp/r" -d "$(body "$WL" "\"dryRun\": true")") == 409 ]] && err_is "$tmp/r" "" &&
		grep -q "already running" "$tmp/r"'
wait "$LONG"
check "the first request still completes (200)" \
	eval '[[ $(cat "$tmp/long.status") == 200 && $(j "$tmp/long.json" stopReason) =~ ^(done|deadline)$ ]]'

# Across processes: kcollapsectl's userspace operation holds the target.
wl_stop "$WL"
wl_start busy2 $BIG_WL || exit 1
KCOLLAPSE_TEST_PACE_US=$PACE "$KCTL_BIN" collapse "$WL" --engine userspace --json \
	--range "$(printf '0x%x:0x%x' $(wl_range "$WL_OUT"))" >"$tmp/ctl.json" 2>"$tmp/ctl.err" &
CTL=$!
i=0
until ls "$KCOLLAPSE_RUN_DIR"/*.lock >/dev/null 2>&1 || ((++i > 200)); do sleep 0.01; done
check "target busy in another process (lock file): 409" \
	eval '[[ $(post "$tmp/r" -d "$(body "$WL" "\"dryRun\": true")") == 409 ]] && grep -q "already running" "$tmp/r"'
"$KCTL_BIN" cancel "$WL" --engine userspace >"$tmp/cancel.out" 2>&1
check "kcollapsectl cancel --engine userspace stops it" \
	eval 'grep -q "cancelled 1" "$tmp/cancel.out" || { sed "s/^/# /" "$tmp/cancel.out"; false; }'
wait "$CTL"
note "kcollapsectl: $(cat "$tmp/ctl.json" "$tmp/ctl.err")"
check "... with partial statistics, stop reason cancelled" \
	eval '[[ $(j "$tmp/ctl.json" stopReason) == cancelled ]] && accounting "$tmp/ctl.json"'
check "nothing left running: the target is free again" \
	eval '[[ $(post "$tmp/r" -d "$(body "$WL" "\"dryRun\": true")") == 200 ]] &&
		"$KCTL_BIN" cancel "$WL" --engine userspace | grep -q "no running"'
wl_stop "$WL"
