# Collapse of the fragmented workload: every non-empty window becomes one
# hugepage, the accounting is exact, the module's frame counts match
# pagemap's, and every page keeps its contents.
. ./lib.sh
mod_load
wl_start --only dense,frag,sparse,empty,mixed,huge,nohuge
range=$(wl_range)
eligible="dense frag sparse empty mixed huge"
huge_windows=$(wl_vma huge huge_windows)
present_pages=0
for n in $eligible; do
	present_pages=$((present_pages + $(wl_vma "$n" present)))
done

kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/fb.json || fail "frames before"
alloc0=$(vmstat thp_collapse_alloc)
collapse_json /tmp/r.json "$WL_PID" --range "$range"
alloc1=$(vmstat thp_collapse_alloc)
kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/fa.json || fail "frames after"

check_accounting /tmp/r.json
assert_eq "stop reason" "$(j /tmp/r.json stopReason)" done
assert_eq "engine" "$(j /tmp/r.json engine)" kmod
assert_eq "regions" "$(j /tmp/r.json regions)" 6
assert_eq "chunks" "$(j /tmp/r.json chunks)" 52
assert_eq "already huge" "$(j /tmp/r.json alreadyHuge)" "$huge_windows"
assert_eq "skipped empty" "$(j /tmp/r.json skippedEmpty)" 12
assert_eq "candidates" "$(j /tmp/r.json candidates)" $((36 + 4 - huge_windows))
assert_eq "collapsed" "$(j /tmp/r.json collapsed)" $((36 + 4 - huge_windows))
assert_eq "collapses allocated (vmstat)" $((alloc1 - alloc0)) "$(j /tmp/r.json collapsed)"
hugekb=$(anon_huge_sum_kb $eligible)
assert_eq "AnonHugePages kB" "$hugekb" \
	$(( ($(j /tmp/r.json collapsed) + $(j /tmp/r.json alreadyHuge)) * 2048 ))
assert_eq "nohuge VMA AnonHugePages" "$(anon_huge_kb "$(wl_vma nohuge start)")" 0
assert_eq "present before" "$(j /tmp/r.json presentBytesBefore)" $((present_pages * 4096))
assert_eq "present after" "$(j /tmp/r.json presentBytesAfter)" $((hugekb * 1024))
assert_eq "frames before == pagemap" "$(j /tmp/r.json framesBefore)" "$(j /tmp/fb.json frames)"
assert_eq "frames after == pagemap" "$(j /tmp/r.json framesAfter)" "$(j /tmp/fa.json frames)"
assert_le "frames after" "$(j /tmp/r.json framesAfter)" \
	$(( $(j /tmp/r.json chunks) - $(j /tmp/r.json skippedEmpty) ))
assert_lt "frames after vs before" "$(j /tmp/r.json framesAfter)" "$(j /tmp/r.json framesBefore)"
wl_verify
wl_stop
