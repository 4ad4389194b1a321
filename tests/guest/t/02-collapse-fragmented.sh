# Collapse of the fragmented workload: every non-empty window becomes one
# hugepage, the accounting is exact, the module's frame counts match
# pagemap's, and every page keeps its contents.
. ./lib.sh
mod_load
wl_start --only $LAYOUT
range=$(wl_range)
present_pages=0
for n in $LAYOUT_ELIGIBLE; do
	present_pages=$((present_pages + $(wl_vma "$n" present)))
done

kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/fb.json || fail "frames before"
alloc0=$(vmstat thp_collapse_alloc)
collapse_json /tmp/r.json "$WL_PID" --range "$range"
alloc1=$(vmstat thp_collapse_alloc)
kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/fa.json || fail "frames after"

check_layout_collapsed /tmp/r.json /tmp/fb.json /tmp/fa.json
assert_eq "engine" "$(j /tmp/r.json engine)" kmod
assert_eq "collapses allocated (vmstat)" $((alloc1 - alloc0)) "$(j /tmp/r.json collapsed)"
assert_eq "present before" "$(j /tmp/r.json presentBytesBefore)" $((present_pages * 4096))
assert_eq "present after" "$(j /tmp/r.json presentBytesAfter)" $((hugekb * 1024))
assert_le "frames after" "$(j /tmp/r.json framesAfter)" \
	$(( $(j /tmp/r.json chunks) - $(j /tmp/r.json skippedEmpty) ))
assert_lt "frames after vs before" "$(j /tmp/r.json framesAfter)" "$(j /tmp/r.json framesBefore)"
wl_verify
wl_stop
