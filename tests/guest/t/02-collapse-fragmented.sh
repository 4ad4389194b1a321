# Collapse of the fragmented workload: every non-empty window becomes one
# hugepage, the accounting is exact, the module's frame counts match
# pagemap's, and every page keeps its contents.
. ./lib.sh
mod_load
wl_start --only $LAYOUT
range=$(wl_range)
present_pages=0
for n in $LAYOUT_ELIGIBLE nohuge; do
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
# the hugepages, and the opted-out (nohuge) pages as they were
assert_eq "present after" "$(j /tmp/r.json presentBytesAfter)" \
	$((hugekb * 1024 + $(wl_vma nohuge present) * 4096))
wl_verify
wl_stop
