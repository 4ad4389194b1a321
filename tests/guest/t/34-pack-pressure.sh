# Pack mode under pressure. With no 2 MiB block to be had (the module's
# pack_alloc_fail testing aid fails every order-9 allocation) nothing moves,
# the failures are counted, the pages are left as busy, and the process is
# unharmed. With the target in a memory cgroup just above its usage, a pack
# succeeds without raising it (the moved pages' charge is transferred, the
# blocks are not charged to the target) and nothing is OOM-killed.
. ./lib.sh
mod_load
wl_start --only frag,sparse
pack_or_skip "$WL_PID"
range=$(wl_range)
present=$(( $(wl_vma frag present) + $(wl_vma sparse present) ))
echo 1 >/sys/kernel/debug/kcollapse/pack_alloc_fail || fail "set pack_alloc_fail"
collapse_json /tmp/m1.json "$WL_PID" --mode pack --range "$range"
echo 0 >/sys/kernel/debug/kcollapse/pack_alloc_fail
pack_summary /tmp/m1.json
assert_eq "stop reason" "$(j /tmp/m1.json stopReason)" done
assert_eq "moved" "$(j /tmp/m1.json packMoved)" 0
assert_eq "destination frames" "$(j /tmp/m1.json packDestFrames)" 0
assert_ge "allocation failures" "$(j /tmp/m1.json packAllocFailed)" 1
assert_eq "left: busy" "$(j /tmp/m1.json packLeftBusy)" "$present"
assert_eq "frames after == before" "$(j /tmp/m1.json framesAfter)" \
	"$(j /tmp/m1.json framesBefore)"
wl_verify
# allocation works again: the same process packs
collapse_json /tmp/m2.json "$WL_PID" --mode pack --range "$range"
pack_summary /tmp/m2.json
assert_ge "moved once blocks can be had" "$(j /tmp/m2.json packMoved)" $((present * 9 / 10))
wl_verify
wl_exit

say "no block free without reclaim while the target's lock is held: each is"
say "allocated after the hold, and the batch read again"
wl_start --only frag,sparse
echo 1 >/sys/kernel/debug/kcollapse/pack_alloc_locked_fail || fail "set pack_alloc_locked_fail"
collapse_json /tmp/m3.json "$WL_PID" --mode pack --range "$(wl_range)"
echo 0 >/sys/kernel/debug/kcollapse/pack_alloc_locked_fail
pack_summary /tmp/m3.json
present=$(( $(wl_vma frag present) + $(wl_vma sparse present) ))
assert_ge "moved" "$(j /tmp/m3.json packMoved)" $((present * 9 / 10))
assert_eq "allocation failures" "$(j /tmp/m3.json packAllocFailed)" 0
assert_ge "destination frames" "$(j /tmp/m3.json packDestFrames)" 1
check_accounting /tmp/m3.json
wl_verify
wl_exit
say "the same in auto mode: a window read again is not counted again"
wl_start --only frag,sparse
collapse_json /tmp/m4d.json "$WL_PID" --mode auto --range "$(wl_range)" --dry-run
echo 1 >/sys/kernel/debug/kcollapse/pack_alloc_locked_fail || fail "set pack_alloc_locked_fail"
collapse_json /tmp/m4.json "$WL_PID" --mode auto --range "$(wl_range)"
echo 0 >/sys/kernel/debug/kcollapse/pack_alloc_locked_fail
pack_summary /tmp/m4.json
assert_eq "windows (as the dry run's)" "$(j /tmp/m4.json chunks)" "$(j /tmp/m4d.json chunks)"
assert_ge "moved" "$(j /tmp/m4.json packMoved)" 1
assert_eq "allocation failures" "$(j /tmp/m4.json packAllocFailed)" 0
check_accounting /tmp/m4.json
wl_verify
wl_exit

cg=/sys/fs/cgroup
[ -e $cg/cgroup.controllers ] || mount -t cgroup2 none $cg 2>/dev/null ||
	skip "no cgroup2 (memcg part)"
grep -qw memory $cg/cgroup.controllers || skip "no memory controller"
echo +memory >$cg/cgroup.subtree_control 2>/dev/null
mkdir -p $cg/kcpack || fail "mkdir cgroup"
wl_start_in_cg $cg/kcpack --only frag,sparse
use=$(cat $cg/kcpack/memory.current)
echo $((use + 262144)) >$cg/kcpack/memory.max || fail "set memory.max"
echo "  memcg: current $use, max $(cat $cg/kcpack/memory.max)"
collapse_json /tmp/m3.json "$WL_PID" --mode pack --range "$range"
pack_summary /tmp/m3.json
assert_eq "memcg: stop reason" "$(j /tmp/m3.json stopReason)" done
assert_ge "memcg: moved" "$(j /tmp/m3.json packMoved)" $((present * 9 / 10))
assert_le "memcg: usage after" "$(cat $cg/kcpack/memory.current)" $((use + 262144))
assert_eq "memcg: OOM kills" "$(awk '$1 == "oom_kill" {print $2}' $cg/kcpack/memory.events)" 0
wl_verify
# the exercise's child copies every page: lift the limit first
echo max >$cg/kcpack/memory.max
wl_exercise
wl_verify
wl_exit
rmdir $cg/kcpack 2>/dev/null
exit 0
