# With min_fill 64, empty and sparse windows are skipped without a collapse
# attempt (vmstat counts none for them); dense enough ones are collapsed.
. ./lib.sh
mod_load
wl_start --only dense,frag,sparse,empty,mixed
range=$(wl_range)
alloc0=$(vmstat thp_collapse_alloc)
fail0=$(vmstat thp_collapse_alloc_failed)
collapse_json /tmp/r.json "$WL_PID" --range "$range" --min-fill 64
alloc1=$(vmstat thp_collapse_alloc)
fail1=$(vmstat thp_collapse_alloc_failed)
check_accounting /tmp/r.json
# frag has 32 pages per window, sparse 4: both below 64
assert_eq "skipped sparse" "$(j /tmp/r.json skippedSparse)" 24
assert_eq "skipped empty" "$(j /tmp/r.json skippedEmpty)" 12
assert_eq "candidates (dense + half of mixed)" "$(j /tmp/r.json candidates)" 12
assert_eq "collapsed" "$(j /tmp/r.json collapsed)" 12
assert_eq "collapse attempts (vmstat)" $((alloc1 - alloc0 + fail1 - fail0)) 12
assert_eq "frag AnonHugePages" "$(anon_huge_kb "$(wl_vma frag start)")" 0
assert_eq "sparse AnonHugePages" "$(anon_huge_kb "$(wl_vma sparse start)")" 0
assert_eq "mixed AnonHugePages" "$(anon_huge_kb "$(wl_vma mixed start)")" $((4 * 2048))
wl_verify
wl_stop
