# Allocation failures injected by the kernel's own fault injection (the
# debug kernel's CONFIG_FAIL_PAGE_ALLOC and CONFIG_FAILSLAB), for the
# caller's task only (task-filter + /proc/PID/make-it-fail).
# 1. Every hugepage allocation fails: each collapse attempt is counted in
#    failedNomem (the kernel's thp_collapse_alloc_failed moves by as much,
#    and as many failures were injected), pack moves nothing and counts its
#    failed blocks; both operations finish, frames and data are unchanged.
#    Disarmed, the same windows collapse.
# 2. kc-stress with hugepage and slab allocations failing at random under
#    the module, the collapse path and netlink: each operation finishes or
#    is refused with an error message, every page keeps its pattern,
#    nothing stays in flight, the kernel log stays free of reports.
# Debian's kernels have no fault injection: skipped there.
# kc-timeout: 900
. ./lib.sh
dbg=/sys/kernel/debug
[ -d $dbg/fail_page_alloc ] || mount -t debugfs none $dbg 2>/dev/null
[ -d $dbg/fail_page_alloc ] && [ -d $dbg/failslab ] ||
	skip "kernel without CONFIG_FAIL_PAGE_ALLOC / CONFIG_FAILSLAB"
mod_load
pa=$dbg/fail_page_alloc
slab=$dbg/failslab

# fault_arm DIR PERCENT: fail that share of the allocations DIR covers, for
# tasks with make-it-fail set, silently; "times" counts down each failure.
FAULT_TIMES=1000000000
fault_arm() {
	{ echo 0 >"$1/probability" && echo 1 >"$1/interval" &&
		echo 0 >"$1/space" && echo 0 >"$1/verbose" &&
		echo Y >"$1/task-filter" && echo N >"$1/ignore-gfp-wait" &&
		echo $FAULT_TIMES >"$1/times" && echo "$2" >"$1/probability"; } ||
		fail "cannot arm $1"
}
fault_disarm() { echo 0 >"$1/probability"; }
fault_count() { echo $((FAULT_TIMES - $(cat "$1/times"))); }
# Only hugepage-sized allocations, whatever their flags (highmem is how
# user memory is asked for).
fault_arm_hugepages() {
	fault_arm $pa "$1"
	{ echo 9 >$pa/min-order && echo N >$pa/ignore-gfp-highmem; } ||
		fail "cannot arm $pa"
}
# as_faulty CMD...: run CMD with make-it-fail set.
as_faulty() { sh -c 'echo 1 >/proc/self/make-it-fail && exec "$@"' sh "$@"; }

# --- 1. every hugepage allocation fails --------------------------------
wl_start --only frag,sparse
range=$(wl_range)
kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/a0.json || fail "frames"
fault_arm_hugepages 100
af0=$(vmstat thp_collapse_alloc_failed)
as_faulty kcollapsectl collapse "$WL_PID" --range "$range" --json >/tmp/a1.json ||
	fail "collapse with failing hugepage allocations"
injected=$(fault_count $pa)
af1=$(vmstat thp_collapse_alloc_failed)
jq -c . /tmp/a1.json | sed 's/^/  result: /'
check_accounting /tmp/a1.json
assert_eq "stop reason" "$(j /tmp/a1.json stopReason)" done
assert_ge "candidates" "$(j /tmp/a1.json candidates)" 1
assert_eq "collapsed" "$(j /tmp/a1.json collapsed)" 0
assert_eq "failedNomem == candidates" "$(j /tmp/a1.json failedNomem)" \
	"$(j /tmp/a1.json candidates)"
assert_eq "injected failures == failedNomem" "$injected" "$(j /tmp/a1.json failedNomem)"
assert_eq "thp_collapse_alloc_failed delta == failedNomem" $((af1 - af0)) \
	"$(j /tmp/a1.json failedNomem)"
assert_eq "frames after == before" "$(j /tmp/a1.json framesAfter)" "$(j /tmp/a0.json frames)"
wl_verify

if kcollapsectl collapse "$WL_PID" --mode pack --dry-run >/dev/null 2>&1; then
	fault_arm_hugepages 100
	as_faulty kcollapsectl collapse "$WL_PID" --mode pack --range "$range" \
		--json >/tmp/a2.json || fail "pack with failing hugepage allocations"
	injected=$(fault_count $pa)
	pack_summary /tmp/a2.json
	assert_eq "stop reason" "$(j /tmp/a2.json stopReason)" done
	assert_ge "pack: allocation failures" "$(j /tmp/a2.json packAllocFailed)" 1
	# each counted failure is two injected ones: the try without reclaim
	# under the target's lock, then the one with reclaim after the hold
	assert_eq "pack: injected failures == 2 x packAllocFailed" "$injected" \
		"$((2 * $(j /tmp/a2.json packAllocFailed)))"
	assert_eq "pack: moved" "$(j /tmp/a2.json packMoved)" 0
	assert_eq "pack: destination frames" "$(j /tmp/a2.json packDestFrames)" 0
	assert_eq "pack: present after == before" "$(j /tmp/a2.json presentBytesAfter)" \
		"$(j /tmp/a2.json presentBytesBefore)"
	assert_eq "pack: frames after == before" "$(j /tmp/a2.json framesAfter)" \
		"$(j /tmp/a0.json frames)"
	wl_verify
else
	echo "  pack mode unsupported here: not run"
fi
fault_disarm $pa

collapse_json /tmp/a3.json "$WL_PID" --range "$range"
assert_eq "disarmed: collapsed == earlier candidates" "$(j /tmp/a3.json collapsed)" \
	"$(j /tmp/a1.json candidates)"
wl_verify
wl_stop

# --- 2. random hugepage and slab failures under stress ------------------
# Rare slab failures: one operation makes hundreds of slab allocations
# (netlink, the module, the frame set, the collapse path).
rounds=${KC_FAULT_ROUNDS:-60}
modes=mix
kcollapsectl collapse $$ --mode pack --dry-run >/dev/null 2>&1 || modes=collapse
before=$(dmesg | wc -l)
printk=$(cut -f1 /proc/sys/kernel/printk)
echo 1 >/proc/sys/kernel/printk
fault_arm_hugepages 30
fault_arm $slab 1
KC_STRESS_INJECT=1 kc-stress "$rounds" 44 kmod "$modes" >/tmp/s.out 2>/tmp/s.err
rc=$?
fault_disarm $pa
fault_disarm $slab
pages=$(fault_count $pa)
slabs=$(fault_count $slab)
echo "$printk" >/proc/sys/kernel/printk
sed 's/^/  /' /tmp/s.out
sed 's/^kc-stress: round [0-9]*: collapse (injected faults): //' /tmp/s.err | sort | uniq -c | sort -rn | sed 's/^/  refused: /'
echo "  injected: $pages hugepage allocation failures, $slabs slab allocation failures"
dmesg | tail -n +$((before + 1)) >/tmp/s.dmesg
if grep -E 'BUG:|WARNING:|Oops|KASAN|UBSAN|general protection|Call Trace|circular locking|recursive locking|suspicious RCU|blocked for more' /tmp/s.dmesg; then
	fail "kernel report under injected allocation failures"
fi
assert_eq "kc-stress (every page checked, some operations completed)" "$rc" 0
assert_eq "refusals without a message" "$(grep -c 'injected faults): *$' /tmp/s.err)" 0
assert_ge "hugepage allocation failures injected" "$pages" 1
assert_ge "slab allocation failures injected" "$slabs" 1
assert_eq "operations in flight" "$(ops_in_flight)" 0
