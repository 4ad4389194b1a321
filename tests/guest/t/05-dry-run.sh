# A dry run classifies exactly like a real run and changes nothing.
. ./lib.sh
mod_load
wl_start --only dense,frag,sparse,empty,mixed
range=$(wl_range)
alloc0=$(vmstat thp_collapse_alloc)
collapse_json /tmp/d.json "$WL_PID" --range "$range" --dry-run --mark-hugepage
assert_eq "collapses (vmstat)" $(( $(vmstat thp_collapse_alloc) - alloc0 )) 0
check_accounting /tmp/d.json
assert_eq "collapsed" "$(j /tmp/d.json collapsed)" 0
assert_eq "marked" "$(j /tmp/d.json marked)" 0
assert_eq "candidates" "$(j /tmp/d.json candidates)" 36
assert_eq "frames after == before" "$(j /tmp/d.json framesAfter)" "$(j /tmp/d.json framesBefore)"
assert_eq "AnonHugePages" "$(anon_huge_sum_kb dense frag sparse empty mixed)" 0
grep -q hg /proc/"$WL_PID"/smaps && fail "dry run marked a VMA VM_HUGEPAGE"
collapse_json /tmp/r.json "$WL_PID" --range "$range"
assert_eq "real run collapses the dry run's candidates" \
	"$(j /tmp/r.json collapsed)" "$(j /tmp/d.json candidates)"
wl_verify
wl_stop
