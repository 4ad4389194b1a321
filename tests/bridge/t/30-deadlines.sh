# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Deadlines: the body's, the daemon's default, the reply in time.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

URL=$MAIN_URL
wl_start big $BIG_WL || exit 1
BIG=$WL BIG_OUT=$WL_OUT
status=$(post "$tmp/dl.json" -d "$(body "$BIG" "\"deadlineMs\": 1")")
note "deadline reply: $(cat "$tmp/dl.json")"
check "deadline: 200 with partial statistics" \
	eval '[[ $status == 200 && $(jq -r "[.stopReason, .timedOut] | @tsv" "$tmp/dl.json") == "deadline	true" ]]'
check "deadline: stopped early" lt chunks "$(j "$tmp/dl.json" chunks)" "$BIG_WINDOWS"
check "deadline: accounting" accounting "$tmp/dl.json"
check "deadline: no after-measurement (afterComplete false, framesAfter 0)" \
	eq after "$(jq -c '[.afterComplete, .framesAfter, .presentBytesAfter]' "$tmp/dl.json")" "[false,0,0]"
check "deadline: AnonHugePages matches the partial statistics" \
	eq AnonHugePages "$(huge_kb "$BIG" "$BIG_OUT" sparse)" "$(( $(j "$tmp/dl.json" collapsed) * 2048 ))"
check "deadline: metrics count it" eq deadline "$(metric 'kcollapsed_operations_total{result="deadline"}')" 1
check "unaligned rangeStart: 400 naming rangeStart" \
	eval '[[ $(post "$tmp/r" -d "{\"pid\": $BIG, \"rangeStart\": 4097}") == 400 ]] && err_is "$tmp/r" rangeStart'
wl_stop "$BIG"

# The daemon's default deadline and default targets: pid, pid file, name.
wl_start t1 $BIG_WL || exit 1
T1=$WL T1_OUT=$WL_OUT
echo "$T1" >"$tmp/t1.pid"
daemon_start defaults --listen 127.0.0.1:0 --token-file "$tmp/token" \
	--deadline-ms 1 --target-pidfile "$tmp/t1.pid" --target-pid "$T1"
DEF=$KCD DEF_LOG=$KCD_LOG
status=$(post "$tmp/dd.json")
note "default deadline reply: $(cat "$tmp/dd.json")"
check "--deadline-ms 1 and default targets: deadline, one target" \
	eval '[[ $status == 200 && $(jq -r "[.stopReason, .pid, (.targets | length)] | @tsv" "$tmp/dd.json") == "deadline	$T1	0" ]]'
check "a body deadline overrides --deadline-ms" \
	eval '[[ $(post "$tmp/dd2.json" -d "{\"deadlineMs\": 3600000, \"rangeStart\": $((WL_BASE)), \"rangeLen\": $((1 << 40)), \"dryRun\": true}") == 200 &&
		$(j "$tmp/dd2.json" stopReason) == done ]]'
check "defaults daemon stops cleanly" daemon_stop "$DEF" "$DEF_LOG"

# A copy of the workload under a name of its own: --target-comm NAME.
cp "$WL_DIR/kc-workload" "$tmp/kcwl$$"
WL_BINARY=$tmp/kcwl$$ wl_start byname --only dense,sparse || exit 1
NAMED=$WL NAMED_OUT=$WL_OUT
daemon_start multi --listen 127.0.0.1:0 --token-file "$tmp/token" \
	--target-pid "$T1" --target-comm "kcwl$$" --target-pidfile "$tmp/t1.pid" \
	--target-pidfile "$tmp/missing.pid"
MULTI=$KCD MULTI_LOG=$KCD_LOG
status=$(post "$tmp/m.json" -d "{\"rangeStart\": $((WL_BASE)), \"rangeLen\": $((1 << 40)), \"dryRun\": true}")
note "several targets: $(cat "$tmp/m.json")"
check "several targets: one entry each, no top-level pid" \
	eval '[[ $status == 200 && $(jq -c "[.targets[].pid] | sort" "$tmp/m.json") == "$(printf "%s\n" "$T1" "$NAMED" | sort -n | jq -sc .)" &&
		$(jq "has(\"pid\")" "$tmp/m.json") == false ]]'
check "several targets: totals are the sums" \
	eval '[[ $(jq "[.chunks, .candidates, .framesBefore] == ([.targets[] | [.chunks, .candidates, .framesBefore]] | transpose | map(add))" "$tmp/m.json") == true ]]'
check "several targets: the orchestrator decodes the totals" eval '"$KCD_DECODE" <"$tmp/m.json" >/dev/null'
kill -STOP "$NAMED"
check "--target-comm finds a stopped process too" \
	eval '[[ $(post "$tmp/m2.json" -d "{\"rangeStart\": $((WL_BASE)), \"rangeLen\": $((1 << 40)), \"dryRun\": true}") == 200 &&
		$(jq ".targets | length" "$tmp/m2.json") == 2 ]]'
kill -CONT "$NAMED"
wl_stop "$NAMED"
wl_stop "$T1"
check "a default target that exited: 500 naming it" \
	eval '[[ $(post "$tmp/m3.json") == 500 ]] && grep -q "no such process" "$tmp/m3.json"'
check "multi daemon stops cleanly" daemon_stop "$MULTI" "$MULTI_LOG"
daemon_start none --listen 127.0.0.1:0 --token-file "$tmp/token" \
	--target-comm "kcwl$$" --target-pidfile "$tmp/missing.pid"
check "no default target running: 500 with the reasons" \
	eval '[[ $(post "$tmp/m4.json") == 500 ]] && grep -q "no process named kcwl$$" "$tmp/m4.json" &&
		grep -q "missing.pid" "$tmp/m4.json"'
check "none daemon stops cleanly" daemon_stop "$KCD" "$KCD_LOG"
