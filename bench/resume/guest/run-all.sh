#!/bin/sh
# Guest side of the lazy-restore harness (bench/resume/, busybox sh, cwd
# /tests). Builds one workload, prepares it by one variant, prints
# "KC-RESUME-PREPARED {json}" on ttyS1 and then waits, never returning: the
# host migrates this guest (postcopy) and sends the workload its first
# request over ttyS2, which the workload (kc-benchheap --serve, or the Go
# service kc-gosvc --serve for workload gosvc) answers itself. KC_ARGS
# (kc.args=): workload=gc25|gosvc variant=none|inprocess|collapse|pack|auto
# seed=N xargs=A,B (extra kcollapsectl arguments, commas for spaces: the
# hook for variants such as pack --hot-first) gosvcargs=A,B (extra
# kc-gosvc arguments, e.g. --mib,64).
KMOD=/lib/kcollapse/kcollapse.ko
WL=gc25 VARIANT=none SEED=42 XARGS="" GOSVCARGS=""
for a in ${KC_ARGS:-}; do
	case $a in
	workload=*) WL=${a#workload=} ;;
	variant=*) VARIANT=${a#variant=} ;;
	seed=*) SEED=${a#seed=} ;;
	xargs=*) XARGS=$(echo "${a#xargs=}" | tr , ' ') ;;
	gosvcargs=*) GOSVCARGS=$(echo "${a#gosvcargs=}" | tr , ' ') ;;
	esac
done

fail() {
	echo "KC-RESUME-FAILED $*"
	cat /tmp/wl.out /tmp/prep.out 2>/dev/null | sed 's/^/# /'
	exit 1
}

# wait_line FILE PATTERN: up to 600 s
wait_line() {
	i=0
	while ! grep -q "$2" "$1"; do
		i=$((i + 1))
		[ $i -lt 6000 ] || fail "timeout waiting for '$2'"
		kill -0 "$PID" 2>/dev/null || fail "$BIN died"
		sleep 0.1
	done
}

echo "# kernel $(uname -r) workload $WL variant $VARIANT xargs '$XARGS'"
insmod $KMOD || fail "insmod"
case $WL in
gosvc)
	BIN=kc-gosvc
	# shellcheck disable=SC2086
	kc-gosvc --seed "$SEED" --serve /dev/ttyS2 $GOSVCARGS >/tmp/wl.out 2>&1 &
	;;
*)
	BIN=kc-benchheap
	kc-benchheap --workload "$WL" --seed "$SEED" --serve /dev/ttyS2 >/tmp/wl.out 2>&1 &
	;;
esac
PID=$!
wait_line /tmp/wl.out '^ready '
range=$(sed -n 's/^range //p' /tmp/wl.out)
kcollapsectl frames "$PID" --range "$range" --json >/tmp/fb.json || fail "frames before"
echo '{}' >/tmp/res.json
case $VARIANT in
none) ;;
inprocess)
	kill -USR1 "$PID"
	wait_line /tmp/wl.out '^baseline '
	sed -n 's/^baseline //p' /tmp/wl.out >/tmp/res.json
	;;
collapse | pack | auto)
	# shellcheck disable=SC2086
	kcollapsectl collapse "$PID" --range "$range" --engine kmod --mode "$VARIANT" \
		$XARGS --json >/tmp/res.json 2>/tmp/prep.out || fail "kcollapsectl $VARIANT"
	;;
*) fail "unknown variant $VARIANT" ;;
esac
kcollapsectl frames "$PID" --range "$range" --json >/tmp/fa.json || fail "frames after"
# which guest-physical 2 MiB frames hold the heap now: the host tells the
# heap's pages from the kernel's among those the restore requests
kill -USR2 "$PID"
wait_line /tmp/wl.out '^heapframes '
hf=$(sed -n 's/^heapframes //p' /tmp/wl.out | tail -n 1)
# the Go service's account of the heap it built (none for kc-benchheap)
svc=$(sed -n 's/^gosvc //p' /tmp/wl.out | tail -n 1)
# the page cache and slab the preparation left behind are not the workload's
sync
echo 3 >/proc/sys/vm/drop_caches
jq -c -n --arg wl "$WL" --arg v "$VARIANT" --arg x "$XARGS" --arg k "$(uname -r)" \
	--arg hf "$hf" --argjson svc "${svc:-null}" \
	--slurpfile fb /tmp/fb.json --slurpfile fa /tmp/fa.json --slurpfile res /tmp/res.json \
	'{workload: $wl, variant: $v, xargs: $x, kernel: $k, before: $fb[0], after: $fa[0],
	  result: $res[0],
	  heapFrames: ($hf | if . == "unknown" then null else split(" ") |
		{count: (.[0] | tonumber), frames: ((.[1] // "") | split(","))} end)}
	 + (if $svc == null then {} else {service: $svc} end)' \
	>/tmp/prep.json || fail "jq"
echo "KC-RESUME-PREPARED $(cat /tmp/prep.json)"
# The host takes it from here; PID 1 must not power off.
while :; do sleep 3600; done
