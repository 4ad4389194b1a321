# Hugepages from faults count as already huge, not collapsed again; a VMA
# that starts and ends off a 2 MiB boundary has only its aligned windows
# collapsed; read-only memory is not touched, and VM_NOHUGEPAGE memory is
# covered but not collapsed (its windows are counted as opted out).
. ./lib.sh
mod_load
wl_start --only huge,edges,readonly,nohuge
huge_windows=$(wl_vma huge huge_windows)
[ "$huge_windows" -gt 0 ] || fail "the workload got no THP at fault time"
alloc0=$(vmstat thp_collapse_alloc)
collapse_json /tmp/r.json "$WL_PID" --range "$(wl_range)"
check_accounting /tmp/r.json
assert_eq "regions (huge, edges, nohuge: covered, its windows opted out)" "$(j /tmp/r.json regions)" 3
assert_eq "nohuge windows opted out" "$(j /tmp/r.json skippedOptedOut)" "$(wl_vma nohuge windows)"
assert_eq "already huge" "$(j /tmp/r.json alreadyHuge)" "$huge_windows"
assert_eq "edges windows collapsed" "$(j /tmp/r.json collapsed)" \
	$(( $(wl_vma edges windows) + 4 - huge_windows ))
assert_eq "collapses (vmstat)" $(( $(vmstat thp_collapse_alloc) - alloc0 )) \
	"$(j /tmp/r.json collapsed)"
assert_eq "edges AnonHugePages" "$(anon_huge_kb "$(wl_vma edges start)")" \
	$(( $(wl_vma edges windows) * 2048 ))
assert_eq "readonly AnonHugePages" "$(anon_huge_kb "$(wl_vma readonly start)")" 0
assert_eq "nohuge AnonHugePages" "$(anon_huge_kb "$(wl_vma nohuge start)")" 0
wl_verify
wl_stop
