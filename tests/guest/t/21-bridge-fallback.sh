# The same request with the module unloaded: kcollapsed falls back to the
# userspace engine (process_madvise) and collapses the workload the same
# way, with the same statistics. On 6.1 already-huge windows are found
# through /proc/kpageflags, on 6.12 through PAGEMAP_SCAN.
. ./lib.sh
not_on_debug_kernel "the module unloaded: userspace engine only, run on the production kernels"
trap kcd_stop EXIT
mod_unload
kcollapsectl info --engine userspace --json >/tmp/us.json
jq -c . /tmp/us.json | sed 's/^/  /'
assert_eq "userspace engine available" "$(j /tmp/us.json available)" true
case "$(uname -r)" in
6.1.*) assert_eq "already-huge detection" "$(j /tmp/us.json hugeDetection)" kpageflags ;;
*) assert_eq "already-huge detection" "$(j /tmp/us.json hugeDetection)" pagemap-scan ;;
esac
wl_start --only $LAYOUT
range=$(wl_range)
kcd_start

kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/fb.json || fail "frames before"
alloc0=$(vmstat thp_collapse_alloc)
status=$(kcd_post /tmp/r.json "$(wl_body)")
alloc1=$(vmstat thp_collapse_alloc)
kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/fa.json || fail "frames after"
jq -c . /tmp/r.json | sed 's/^/  reply: /'
assert_eq "status" "$status" 200
check_layout_collapsed /tmp/r.json /tmp/fb.json /tmp/fa.json
assert_eq "engine" "$(j /tmp/r.json engine)" userspace
assert_eq "collapses allocated (vmstat)" $((alloc1 - alloc0)) "$(j /tmp/r.json collapsed)"
wl_verify

# Again: every window is now already huge, nothing is collapsed twice.
assert_eq "status again" "$(kcd_post /tmp/r2.json "$(wl_body)")" 200
assert_eq "already huge again" "$(j /tmp/r2.json alreadyHuge)" 40
assert_eq "collapsed again" "$(j /tmp/r2.json collapsed)" 0
# markHugepage needs the module: a clear 400 naming the field.
assert_eq "markHugepage status" "$(kcd_post /tmp/m.json "$(wl_body '"markHugepage": true')")" 400
assert_eq "markHugepage field" "$(j /tmp/m.json field)" markHugepage
wl_stop
kcd_stop
mod_load
