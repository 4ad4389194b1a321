# The deadline stops a collapse between windows with partial statistics.
. ./lib.sh
mod_load
wl_start $BIG_WL
collapse_json /tmp/r.json "$WL_PID" --range "$(wl_range)" --deadline-ms 200
check_accounting /tmp/r.json
assert_eq "stop reason" "$(j /tmp/r.json stopReason)" deadline
assert_lt "windows reached" "$(j /tmp/r.json chunks)" $BIG_WINDOWS
assert_ge "windows reached" "$(j /tmp/r.json chunks)" 1
assert_eq "AnonHugePages matches partial stats" "$(anon_huge_kb "$(wl_vma sparse start)")" \
	$(( $(j /tmp/r.json collapsed) * 2048 ))
wl_verify
wl_stop
