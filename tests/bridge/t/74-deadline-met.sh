# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# The deadline is met: the reply leaves within 50 ms of it, paced and
# real collapses, and collapses made slow.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

# The deadline is met: the reply leaves within 50 ms of it. 5 ms per
# window (256 windows) keeps every operation running past its deadline.
wl_start deadline $BIG_WL || exit 1
KCOLLAPSE_TEST_PACE_US=$PACE daemon_start deadline --listen 127.0.0.1:0 \
	--token-file "$tmp/token" --target "$WL" --deadline-ms 300
worst=0 table=
# over LABEL DEADLINE_MS [curl args]: one request, its overshoot in ms.
over() {
	local t ms
	t=$(curl -sS -o "$tmp/dl.json" -w '%{time_total}' -X POST \
		-H "X-Access-Token: $TOKEN" "${@:3}" "$URL/collapse")
	ms=$(awk -v t="$t" -v d="$2" 'BEGIN { printf "%d", t * 1000 - d }')
	table+="$1 deadline $2 ms: reply after $(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }') ms, overshoot $ms ms, stop $(j "$tmp/dl.json" stopReason); "
	((ms > worst)) && worst=$ms
	[[ $(j "$tmp/dl.json" stopReason) == deadline ]]
}
dl_ok=0
for d in 50 100 200 500 1000; do
	over "dry run" "$d" -d "{\"deadlineMs\": $d, \"dryRun\": true}" || dl_ok=1
done
over "body-less (--deadline-ms 300)" 300 -H "Content-Type:" --data-binary "" || dl_ok=1
tr ';' '\n' <<<"$table" | sed '/^ *$/d; s/^ */# /'
check "every request stopped by its deadline" eq stopped "$dl_ok" 0
check "deadline overshoot <= 50 ms (worst of 6, fallback engine, paced)" lt overshoot "$worst" 51
# A real collapse: one process_madvise(MADV_COLLAPSE) of a window cannot
# be interrupted, and on a loaded host its THP allocation may compact for
# a long time. None starts that would end past the deadline at the
# longest one so far, but the first, or one longer than any before it,
# still overruns: measured and reported, not asserted.
worst=0 table=
over "collapse" 400 -d '{"deadlineMs": 400}' || true
tr ';' '\n' <<<"$table" | sed '/^ *$/d; s/^ */# /'
grep "event=collapse status=200 .*pid=$WL " "$KCD_LOG" | tail -n 1 | sed 's/^/# /'
note "the reply itself: $(jq -c '{collapsed, chunks, elapsedMs, operationNs, stopReason}' "$tmp/dl.json")"
daemon_stop "$KCD" "$KCD_LOG"
# Collapses made to take 100 ms each: the first starts, a second at ~100
# ms (expected to end at ~200), never a third (at >= 200 ms, expected to
# end at >= 300), which used to end 50 ms past the deadline. The counts
# hold on any machine; the time is reported (a first real collapse may
# take hundreds of ms on a loaded host, and it always starts).
KCOLLAPSE_TEST_COLLAPSE_US=100000 daemon_start slow --listen 127.0.0.1:0 \
	--token-file "$tmp/token" --target "$WL"
table=
over "100 ms collapses" 250 -d '{"deadlineMs": 250}'
dl_ok=$?
tr ';' '\n' <<<"$table" | sed '/^ *$/d; s/^ */# /'
check "100 ms collapses, deadline 250 ms: stopped by it, 1 or 2 started" \
	eval '((dl_ok == 0)) && [[ $(j "$tmp/dl.json" candidates) == [12] ]]'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$WL"
URL=$MAIN_URL
