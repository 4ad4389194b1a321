# Two collapses of one process: the second is refused with EBUSY while the
# first runs; GET_INFO and CANCEL still answer meanwhile.
. ./lib.sh
mod_load
wl_start $BIG_WL --threads 2
collapse_bg /tmp/r.json
wait_in_flight
tid=$(ls /proc/"$WL_PID"/task | grep -v "^$WL_PID\$" | head -n 1)
if kcollapsectl collapse "$tid" --json >/tmp/second.json 2>/tmp/second.err; then
	fail "second collapse (via thread $tid) was not refused"
fi
cat /tmp/second.err
grep -q "already running" /tmp/second.err || fail "no 'already running' message"
assert_eq "ops in flight" "$(kcollapsectl info --engine kmod --json | jq .opsInFlight)" 1
kcollapsectl cancel "$tid" >/dev/null || fail "cancel by thread id"
wait "$BG_PID" || fail "first collapse failed"
assert_eq "stop reason" "$(j /tmp/r.json stopReason)" cancelled
wl_verify
wl_stop
