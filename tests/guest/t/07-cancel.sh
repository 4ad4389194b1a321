# CANCEL from another process stops a running collapse between windows; the
# caller still gets its partial statistics, and the pages are intact.
. ./lib.sh
mod_load
wl_start $BIG_WL
collapse_bg /tmp/r.json
wait_in_flight
kcollapsectl cancel "$WL_PID" | tee /tmp/c.out
grep -qi "cancelled" /tmp/c.out || fail "cancel did not report a cancelled operation"
wait "$BG_PID" || { cat /tmp/r.json.err; fail "collapse exited non-zero after cancel"; }
jq -c . /tmp/r.json
check_accounting /tmp/r.json
assert_eq "stop reason" "$(j /tmp/r.json stopReason)" cancelled
assert_lt "windows reached" "$(j /tmp/r.json chunks)" $BIG_WINDOWS
assert_eq "AnonHugePages matches partial stats" "$(anon_huge_kb "$(wl_vma sparse start)")" \
	$(( $(j /tmp/r.json collapsed) * 2048 ))
wait_idle
kcollapsectl cancel "$WL_PID" | tee /tmp/c2.out
grep -qi "no running" /tmp/c2.out || fail "second cancel should find nothing running"
wl_verify
wl_stop
