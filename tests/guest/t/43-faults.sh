# Resource faults. A collapse whose target sits in a memory cgroup with no
# room for a hugepage: the charge failures are counted (failedBusy or
# failedNomem), the operation finishes, nothing is OOM-killed, the data is
# intact. Then the cgroup's limit is cut below the target's usage during an
# operation: the OOM killer takes the target mid-operation and the
# operation stops with target-exited; nothing stays in flight.
. ./lib.sh
mod_load
cg=/sys/fs/cgroup
[ -e $cg/cgroup.controllers ] || mount -t cgroup2 none $cg 2>/dev/null ||
	skip "no cgroup2"
grep -qw memory $cg/cgroup.controllers || skip "no memory controller"
echo +memory >$cg/cgroup.subtree_control 2>/dev/null
mkdir -p $cg/kcfault || fail "mkdir cgroup"

wl_start_in_cg $cg/kcfault --only frag,sparse
use=$(cat $cg/kcfault/memory.current)
echo $((use + 262144)) >$cg/kcfault/memory.max || fail "set memory.max"
echo "  memcg: current $use, max $(cat $cg/kcfault/memory.max)"
collapse_json /tmp/f1.json "$WL_PID" --range "$(wl_range)"
check_accounting /tmp/f1.json
assert_eq "stop reason" "$(j /tmp/f1.json stopReason)" done
assert_ge "charge failures (busy + nomem)" \
	$(( $(j /tmp/f1.json failedBusy) + $(j /tmp/f1.json failedNomem) )) 1
assert_eq "OOM kills" "$(awk '$1 == "oom_kill" {print $2}' $cg/kcfault/memory.events)" 0
wl_verify
echo max >$cg/kcfault/memory.max
wl_stop

# The OOM report dumps the allocating task's stack, which the host would
# take for a splat: keep this part off the console and check the kernel
# log here instead, for anything but the OOM report itself.
wl_start_in_cg $cg/kcfault --only frag,sparse
before=$(dmesg | wc -l)
printk=$(cut -f1 /proc/sys/kernel/printk)
echo 1 >/proc/sys/kernel/printk
collapse_bg /tmp/f2.json
# The limit write reclaims before it OOM-kills, and under TCG (the more so
# with sanitized tools slowing wait_in_flight) that can outlast 24 windows
# at collapse_bg's 20 ms: 0.5 s per window, set at once, keeps the kill
# inside the operation, which stops at the next window.
echo 500000 >/sys/kernel/debug/kcollapse/window_delay_us
wait_in_flight
echo $(( $(cat $cg/kcfault/memory.current) / 2 )) >$cg/kcfault/memory.max 2>/dev/null
wait $BG_PID || { cat /tmp/f2.json.err; fail "collapse during the OOM kill"; }
wait "$WL_PID"
rc=$?
WL_PID=
echo "$printk" >/proc/sys/kernel/printk
dmesg | tail -n +$((before + 1)) >/tmp/f2.dmesg
grep -m3 "Killed process\|oom-kill" /tmp/f2.dmesg | sed 's/^/  kernel: /'
if grep -E 'BUG:|WARNING:|Oops|KASAN|UBSAN|general protection|circular locking|recursive locking|suspicious RCU|blocked for more' /tmp/f2.dmesg; then
	fail "kernel report during the OOM kill"
fi
jq -c . /tmp/f2.json | sed 's/^/  result: /'
assert_eq "target's exit status (SIGKILL)" "$rc" 137
assert_eq "OOM kills" "$(awk '$1 == "oom_kill" {print $2}' $cg/kcfault/memory.events)" 1
assert_eq "stop reason" "$(j /tmp/f2.json stopReason)" target-exited
check_accounting /tmp/f2.json
wait_idle
echo max >$cg/kcfault/memory.max
rmdir $cg/kcfault 2>/dev/null
