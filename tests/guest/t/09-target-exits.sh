# The target is killed mid-collapse: the operation notices at the next
# window and reports target-exited, with no after-measurement.
. ./lib.sh
mod_load
wl_start $BIG_WL
collapse_bg /tmp/r.json
wait_in_flight
kill -9 "$WL_PID"
wait "$WL_PID" 2>/dev/null
WL_PID=
wait "$BG_PID" || { cat /tmp/r.json.err; fail "collapse exited non-zero"; }
jq -c . /tmp/r.json
check_accounting /tmp/r.json
assert_eq "stop reason" "$(j /tmp/r.json stopReason)" target-exited
assert_lt "windows reached" "$(j /tmp/r.json chunks)" $BIG_WINDOWS
assert_eq "frames after" "$(j /tmp/r.json framesAfter)" 0
wait_idle
