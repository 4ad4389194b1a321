# Lifecycle races: operations cut at random points by target exit, caller
# SIGKILL, CANCEL and short deadlines, hundreds of times (kc-races), in
# every mode the kernel offers; then rmmod at random points of running
# operations. Nothing may hang, nothing may stay in flight, the module's
# reference count must return to zero (kmemleak, on the debug kernel, is
# checked by 99-kmemleak at the end of the run).
# kc-timeout: 900
. ./lib.sh
mod_load
iters=${KC_RACES:-200}
unloads=${KC_RACES_RMMOD:-40}
if [ -e /sys/kernel/debug/kmemleak ]; then
	iters=${KC_RACES:-50}
	unloads=${KC_RACES_RMMOD:-15}
fi
delay=/sys/kernel/debug/kcollapse/window_delay_us
echo 1000 >$delay

modes=collapse
kcollapsectl collapse $$ --mode pack --dry-run >/dev/null 2>&1 && modes="collapse pack auto"
for m in $modes; do
	s0=$(now_ms)
	kc-races "$iters" 7 "$m" || fail "kc-races $m"
	echo "  $m: $iters iterations in $(( $(now_ms) - s0 )) ms"
done

# rmmod while an operation runs: it must stop the operation and unload.
# 50 ms per window makes an operation last over a second. Odd unloads
# come 0.1-0.5 s after the caller started, wherever it then is (before it
# reached the module, on a slow guest: a KASAN kernel of the newest source
# with ASan tools took longer than that to get there); even ones 0-0.2 s
# after the module reports the operation running, so that most land
# inside one on every guest.
need_rmmod "the races of $modes passed"
wl_start --only frag,sparse
echo 50000 >$delay
n=0
cut=0
while [ $n -lt "$unloads" ]; do
	n=$((n + 1))
	kcollapsectl collapse "$WL_PID" --engine kmod --json >/tmp/rm.json 2>/tmp/rm.err &
	pid=$!
	if [ $((n % 2)) -eq 0 ]; then
		BG_PID=$pid wait_in_flight
		sleep "0.$(( (n * 37) % 3 ))"
	else
		sleep "0.$(( 1 + (n * 37) % 5 ))"
	fi
	rmmod kcollapse || fail "rmmod $n"
	wait $pid
	reason=$(jq -r .stopReason /tmp/rm.json 2>/dev/null)
	case $reason in
	unloading | done) ;;
	# rmmod may come before the caller reached the module at all, or
	# while it was going: refused, nothing started
	*) grep -q "kcollapse module\|being unloaded" /tmp/rm.err ||
		{ cat /tmp/rm.err; fail "unload $n: stop reason '$reason'"; } ;;
	esac
	echo "  unload $n: ${reason:-no operation}"
	case $reason in unloading) cut=$((cut + 1)) ;; esac
	insmod "$KMOD" || fail "insmod $n"
	echo 50000 >$delay
	assert_eq "refcnt after reload $n" "$(cat /sys/module/kcollapse/refcnt)" 0
done
echo "  $cut of $unloads unloads landed inside an operation"
assert_ge "unloads inside an operation" "$cut" $((unloads / 4))
wl_verify
wl_stop
assert_eq "operations in flight" "$(ops_in_flight)" 0
