# kcollapsed with the module loaded: POST /collapse of the fragmented
# workload runs the module (engine kmod) and answers the orchestrator's
# CollapseResult plus every statistic, exactly as kcollapsectl does.
. ./lib.sh
trap kcd_stop EXIT
mod_load
wl_start --only dense,frag,sparse,empty,mixed,huge,nohuge
range=$(wl_range)
eligible="dense frag sparse empty mixed huge"
huge_windows=$(wl_vma huge huge_windows)
kcd_start

assert_eq "GET /health" "$(curl -sS -o /dev/null -w '%{http_code}' "$KCD_URL/health")" 204
assert_eq "no token" "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$KCD_URL/collapse")" 401
kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/fb.json || fail "frames before"
status=$(kcd_post /tmp/r.json "$(wl_body)")
kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/fa.json || fail "frames after"
jq -c . /tmp/r.json | sed 's/^/  reply: /'
assert_eq "status" "$status" 200
check_accounting /tmp/r.json
assert_eq "engine" "$(j /tmp/r.json engine)" kmod
assert_eq "stop reason" "$(j /tmp/r.json stopReason)" done
assert_eq "timed out" "$(j /tmp/r.json timedOut)" false
assert_eq "regions" "$(j /tmp/r.json regions)" 6
assert_eq "chunks" "$(j /tmp/r.json chunks)" 52
assert_eq "already huge" "$(j /tmp/r.json alreadyHuge)" "$huge_windows"
assert_eq "skipped empty" "$(j /tmp/r.json skippedEmpty)" 12
assert_eq "collapsed" "$(j /tmp/r.json collapsed)" $((36 + 4 - huge_windows))
# The orchestrator decodes these as integers.
for f in regions chunks collapsed skipped alreadyHuge elapsedMs; do
	assert_eq "$f is an integer" "$(jq ".$f | type == \"number\" and floor == ." /tmp/r.json)" true
done
hugekb=$(anon_huge_sum_kb $eligible)
assert_eq "AnonHugePages kB" "$hugekb" \
	$(( ($(j /tmp/r.json collapsed) + $(j /tmp/r.json alreadyHuge)) * 2048 ))
assert_eq "nohuge VMA AnonHugePages" "$(anon_huge_kb "$(wl_vma nohuge start)")" 0
assert_eq "frames before == pagemap" "$(j /tmp/r.json framesBefore)" "$(j /tmp/fb.json frames)"
assert_eq "frames after == pagemap" "$(j /tmp/r.json framesAfter)" "$(j /tmp/fa.json frames)"
wl_verify
assert_eq "metrics: one done" \
	"$(curl -sS "$KCD_URL/metrics" | awk '$1 == "kcollapsed_operations_total{result=\"done\"}" {print $2}')" 1
grep -q "event=collapse status=200 .*engine=kmod stop=done" "$KCD_LOG" || fail "no log line"
wl_stop
kcd_stop
