#!/bin/sh
# In-guest test runner: every t/*.sh in its own subshell, TAP on stdout.
# KC_SUITE=demo runs the demo instead. KC_ARGS may name tests to run.
cd /tests || exit 1
. ./lib.sh

if [ "${KC_SUITE:-e2e}" = demo ]; then
	exec sh ./demo.sh
fi
# The soak suite (make soak): the adversarial tests at KC_SOAK (default 10)
# times the sizes below, which are larger than make check's.
if [ "${KC_SUITE:-e2e}" = soak ]; then
	f=${KC_SOAK:-10}
	export KC_STRESS_ROUNDS=${KC_STRESS_ROUNDS:-$((1000 * f))}
	export KC_RACES=${KC_RACES:-$((400 * f))} KC_RACES_RMMOD=${KC_RACES_RMMOD:-$((100 * f))}
	export KC_NLFUZZ_ROOT=${KC_NLFUZZ_ROOT:-$((70000 * f))}
	export KC_NLFUZZ_USER=${KC_NLFUZZ_USER:-$((30000 * f))}
	export KC_FAULT_ROUNDS=${KC_FAULT_ROUNDS:-$((100 * f))}
	export KC_TEST_TIMEOUT=${KC_TEST_TIMEOUT:-$((3600 * f))}
	KC_ARGS=${KC_ARGS:-40-nlfuzz 41-stress 42-races 43-faults 44-alloc-faults 99-kmemleak}
fi

# On a kmemleak kernel, forget what boot leaked: only our leaks count.
[ -e /sys/kernel/debug/kmemleak ] && echo clear >/sys/kernel/debug/kmemleak

tests=$(ls t/*.sh)
[ -n "${KC_ARGS:-}" ] && tests=$(for n in $KC_ARGS; do ls t/*"$n"*.sh; done)
echo "1..$(echo "$tests" | wc -w)"
echo "# kernel $(uname -r)"
n=0
failed=0
for t in $tests; do
	n=$((n + 1))
	name=$(basename "$t" .sh)
	start=$(date +%s)
	# Each test's time is bounded: a hang is a failure, not the end of the
	# run. Output goes to a file, not a pipe, so that a leftover background
	# process holding it open cannot stall the runner.
	# A test may ask for more with a "# kc-timeout: SECONDS" line.
	limit=$(sed -n 's/^# kc-timeout: *\([0-9]*\)$/\1/p' "$t")
	timeout ${KC_TEST_TIMEOUT:-${limit:-240}} sh "$t" >/tmp/test.out 2>&1
	rc=$?
	out=$(cat /tmp/test.out)
	echo "$out" | sed 's/^/# /'
	took=$(( $(date +%s) - start ))
	case $rc in
	0) echo "ok $n - $name (${took}s)" ;;
	77) echo "ok $n - $name # SKIP $(echo "$out" | grep '^SKIP' | tail -n 1)" ;;
	*) echo "not ok $n - $name (rc=$rc, ${took}s)"; failed=$((failed + 1)) ;;
	esac
	# leave no workload or module state behind for the next test
	pkill -9 kc-workload 2>/dev/null
	pkill -9 kcollapsectl 2>/dev/null
	pkill -9 kcollapsed 2>/dev/null
	kc_builtin || lsmod | grep -q '^kcollapse ' || insmod "$KMOD"
	echo 0 >/sys/kernel/debug/kcollapse/window_delay_us
	for p in /sys/kernel/debug/kcollapse/pack_alloc_fail \
		/sys/kernel/debug/kcollapse/pack_alloc_locked_fail; do
		[ ! -e $p ] || echo 0 >$p
	done
done
[ "$failed" -eq 0 ]
