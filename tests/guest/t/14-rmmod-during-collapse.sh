# rmmod while a collapse runs: the operation ends at its next window with
# stop reason "unloading" and its statistics, and the module goes away.
. ./lib.sh
need_rmmod
mod_load
wl_start $BIG_WL
collapse_bg /tmp/r.json
wait_in_flight
rmmod kcollapse || fail "rmmod failed"
lsmod | grep -q '^kcollapse ' && fail "module still loaded"
wait "$BG_PID" || { cat /tmp/r.json.err; fail "collapse exited non-zero"; }
jq -c . /tmp/r.json
check_accounting /tmp/r.json
assert_eq "stop reason" "$(j /tmp/r.json stopReason)" unloading
assert_lt "windows reached" "$(j /tmp/r.json chunks)" $BIG_WINDOWS
wl_verify
kcollapsectl info --engine kmod 2>/tmp/e && fail "info worked without the module"
grep -q "not loaded" /tmp/e || fail "no 'not loaded' message"
wl_stop
mod_load
