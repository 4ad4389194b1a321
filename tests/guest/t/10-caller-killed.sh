# SIGKILL on the caller ends its collapse at the next window: the module's
# operation count drops to zero long before a full run would have ended.
. ./lib.sh
mod_load
wl_start $BIG_WL
collapse_bg /tmp/r.json
wait_in_flight
kill -9 "$BG_PID"
wait "$BG_PID" 2>/dev/null
wait_idle
huge=$(anon_huge_kb "$(wl_vma sparse start)")
assert_lt "AnonHugePages after the kill" "$huge" $((BIG_WINDOWS * 2048))
wl_verify
# and the module still works for the next caller
collapse_json /tmp/r2.json "$WL_PID" --range "$(wl_range)" --dry-run
assert_eq "stop reason" "$(j /tmp/r2.json stopReason)" done
wl_stop
