# Cancel and deadline stop a running pack between batches; the caller gets
# partial statistics, the process stays consistent and keeps working, and
# a later pack finishes the job.
. ./lib.sh
mod_load
wl_start $BIG_WL
pack_or_skip "$WL_PID"
present=$(wl_vma sparse present)

pack_bg /tmp/c1.json
wait_in_flight
sleep 0.3
kcollapsectl cancel "$WL_PID" | tee /tmp/cc.out
grep -qi "cancelled" /tmp/cc.out || fail "cancel did not report a cancelled operation"
wait "$BG_PID" || { cat /tmp/c1.json.err; fail "pack exited non-zero after cancel"; }
pack_summary /tmp/c1.json
assert_eq "stop reason" "$(j /tmp/c1.json stopReason)" cancelled
assert_lt "pages reached" "$(pack_reached /tmp/c1.json)" "$present"
assert_eq "bytes copied" "$(j /tmp/c1.json packBytesCopied)" $(( $(j /tmp/c1.json packMoved) * 4096 ))
# stopped early: no measurement after (a stop must not wait for one)
assert_eq "after measured" "$(j /tmp/c1.json afterComplete)" false
assert_eq "present after, measured apart" "$(kcollapsectl frames "$WL_PID" --range "$(wl_range)" --json | jq .presentBytes)" \
	"$(j /tmp/c1.json presentBytesBefore)"
wait_idle
wl_verify

pack_bg /tmp/c2.json --deadline-ms 500
wait "$BG_PID" || { cat /tmp/c2.json.err; fail "pack exited non-zero at its deadline"; }
pack_summary /tmp/c2.json
assert_eq "stop reason" "$(j /tmp/c2.json stopReason)" deadline
assert_lt "pages reached" "$(pack_reached /tmp/c2.json)" "$present"
# stopped early: no measurement after (a stop must not wait for one)
assert_eq "after measured" "$(j /tmp/c2.json afterComplete)" false
assert_eq "present after, measured apart" "$(kcollapsectl frames "$WL_PID" --range "$(wl_range)" --json | jq .presentBytes)" \
	"$(j /tmp/c2.json presentBytesBefore)"
wl_verify

echo 0 >/sys/kernel/debug/kcollapse/window_delay_us
collapse_json /tmp/c3.json "$WL_PID" --mode pack --range "$(wl_range)"
pack_summary /tmp/c3.json
assert_eq "finished: stop reason" "$(j /tmp/c3.json stopReason)" done
assert_eq "finished: pages reached" "$(pack_reached /tmp/c3.json)" "$present"
assert_le "finished: frames after" "$(j /tmp/c3.json framesAfter)" $(( (present + 511) / 512 + 3 ))
wl_verify
wl_exercise
wl_verify
wl_exit
