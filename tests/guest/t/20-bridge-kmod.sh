# kcollapsed with the module loaded: POST /collapse of the fragmented
# workload runs the module (engine kmod) and answers the orchestrator's
# CollapseResult plus every statistic, exactly as kcollapsectl does.
. ./lib.sh
trap kcd_stop EXIT
mod_load
wl_start --only $LAYOUT
range=$(wl_range)
kcd_start

assert_eq "GET /health" "$(curl -sS -o /dev/null -w '%{http_code}' "$KCD_URL/health")" 204
assert_eq "no token" "$(curl -sS -o /dev/null -w '%{http_code}' -X POST "$KCD_URL/collapse")" 401
kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/fb.json || fail "frames before"
status=$(kcd_post /tmp/r.json "$(wl_body)")
kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/fa.json || fail "frames after"
jq -c . /tmp/r.json | sed 's/^/  reply: /'
assert_eq "status" "$status" 200
check_layout_collapsed /tmp/r.json /tmp/fb.json /tmp/fa.json
assert_eq "engine" "$(j /tmp/r.json engine)" kmod
assert_eq "timed out" "$(j /tmp/r.json timedOut)" false
# The orchestrator decodes these as integers.
for f in regions chunks collapsed skipped alreadyHuge elapsedMs; do
	assert_eq "$f is an integer" "$(jq ".$f | type == \"number\" and floor == ." /tmp/r.json)" true
done
wl_verify
assert_eq "metrics: one done" \
	"$(curl -sS -H "X-Access-Token: $KCD_TOKEN" "$KCD_URL/metrics" | awk '$1 == "kcollapsed_operations_total{result=\"done\"}" {print $2}')" 1
grep -q "event=collapse status=200 .*engine=kmod stop=done" "$KCD_LOG" || fail "no log line"
wl_stop
kcd_stop
