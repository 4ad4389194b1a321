# The orchestrator's call, exactly, answered by kcollapsed with the module:
# the conformance check (tests/bridge/conformance.sh: body-less POST, token
# semantics, envd's error schema and headers, plain-int decoding) against a
# daemon configured with --target; then --target-cgroup packing every
# process of a cgroup in one operation, page by page; then how far past its
# deadline a reply leaves: the module paced, then real collapses and packs
# by the module and real collapses by the userspace engine.
# kc-timeout: 600
. ./lib.sh
mod_load

say "conformance, body-less POST of a configured --target"
wl_start --only $LAYOUT
kcd_start --target "$WL_PID" --deadline-ms 8000
KCD_URL=$KCD_URL KCD_TOKEN=$KCD_TOKEN KCD_DECODE=kcd-decode \
	sh "$(command -v conformance.sh)" >/tmp/conf.out 2>&1
rc=$?
sed 's/^/  /' /tmp/conf.out
[ "$rc" -eq 0 ] || fail "conformance: $(tail -n 1 /tmp/conf.out)"
grep -q 'engine=kmod' "$KCD_LOG" || fail "the module did not serve the call"
wl_verify
wl_stop
kcd_stop

say "--target-cgroup: every process of the cgroup, one operation"
cg=/sys/fs/cgroup
[ -e $cg/cgroup.controllers ] || mount -t cgroup2 none $cg 2>/dev/null ||
	skip "no cgroup2"
mkdir -p $cg/kcorch || fail "mkdir cgroup"
wl_start_in_cg $cg/kcorch --only frag,sparse --seed 1
pid1=$WL_PID out1=$WL_OUT
wl_start_in_cg $cg/kcorch --only frag,sparse --seed 2 --base 0x300000000000
pid2=$WL_PID out2=$WL_OUT
kcd_start --target-cgroup $cg/kcorch --mode pack
status=$(curl -sS -o /tmp/r.json -w '%{http_code}' -X POST \
	-H "X-Access-Token: $KCD_TOKEN" "$KCD_URL/collapse")
jq -c . /tmp/r.json | sed 's/^/  reply: /'
assert_eq "status" "$status" 200
assert_eq "targets" "$(jq '.targets | length' /tmp/r.json)" 2
assert_ge "pages moved, both processes" "$(j /tmp/r.json packMoved)" 2
for p in $pid1 $pid2; do
	grep -q "event=collapse-target .*pid=$p " "$KCD_LOG" ||
		{ cat "$KCD_LOG"; fail "no log line for pid $p"; }
done
WL_PID=$pid1 WL_OUT=$out1 wl_verify
WL_PID=$pid2 WL_OUT=$out2 wl_verify
kill "$pid1" "$pid2"
wait "$pid1" "$pid2" 2>/dev/null
WL_PID=
kcd_stop
rmdir $cg/kcorch 2>/dev/null

# over CASE DEADLINE_MS: four body-less requests to the running daemon.
# The reply leaves within the deadline plus $late ms: from the request
# being sent (curl's time_pretransfer: the connection is up, the request
# is written) to the reply's first byte (time_starttransfer), minus the
# deadline; curl's own total is printed beside it. Leaves the worst of the
# last three in $worst: the first request of a daemon is reported, not
# counted, because under TCG its reply path runs cold (first use of every
# library page and lazily bound symbol), hundreds of times slower than on
# real hardware.
over() {
	worst=
	for i in 1 2 3 4; do
		w=$(curl -sS -o /tmp/r.json -X POST \
			-w '%{time_pretransfer} %{time_starttransfer} %{time_total}' \
			-H "X-Access-Token: $KCD_TOKEN" "$KCD_URL/collapse")
		late=$(echo "$w" | awk -v d="$2" '{ printf "%d", ($2 - $1) * 1000 - d }')
		echo "  $1 #$i: reply $late ms past the deadline" \
			"(curl sent/first byte/done $w s), stop $(j /tmp/r.json stopReason)," \
			"elapsedMs $(j /tmp/r.json elapsedMs), collapsed $(j /tmp/r.json collapsed)," \
			"moved $(j /tmp/r.json packMoved)"
		[ "$i" -gt 1 ] && { [ -z "$worst" ] || [ "$late" -gt "$worst" ]; } &&
			worst=$late
	done
	echo "  $1: worst $worst ms (requests 2-4)"
}

# The reply leaves within 50 ms of the deadline (the target): an
# engine does not start a collapse or a migration it expects, from the
# longest one so far, to end past it. TCG on a busy host is slow and
# uneven: fail only well past the target; the measured figures are the
# table in BENCHMARKS.md. Overshoot is measured on the production kernels
# (the same module code, without KASAN's several-fold slowdown distorting
# its estimates); the debug kernel, whose job is checking the module, has
# run its paths above, and 52-stops times its stops.
if [ -d /sys/kernel/debug/kunit ]; then
	say "deadline overshoot: measured on the production kernels, not here"
	exit 0
fi
LIMIT_MS=250
say "deadline: how late the reply leaves, module, paced windows"
wl_start $BIG_WL
echo 20000 >/sys/kernel/debug/kcollapse/window_delay_us
kcd_start --target "$WL_PID" --deadline-ms 500
over "module, paced" 500
assert_lt "worst overshoot, module, paced (ms)" "$worst" $LIMIT_MS
echo 0 >/sys/kernel/debug/kcollapse/window_delay_us
wl_verify
wl_stop
kcd_stop

# Real collapses and migrations, nothing paced: each case on a fresh
# fragmented target with more to do than its four deadlines allow. Pack
# moves a window's pages in milliseconds: its deadline is shorter.
for engine_mode_ms in "kmod collapse 400" "kmod pack 60" "userspace collapse 400"; do
	set -- $engine_mode_ms
	say "deadline: how late the reply leaves, $1 engine, $2"
	wl_start --only frag --scale 16
	kcd_start --target "$WL_PID" --deadline-ms "$3" --engine "$1" --mode "$2"
	over "$1 $2" "$3"
	assert_lt "worst overshoot, $1 $2 (ms)" "$worst" $LIMIT_MS
	wl_verify
	wl_stop
	kcd_stop
done
