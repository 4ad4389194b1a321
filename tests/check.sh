#!/bin/bash
# check.sh [main] [extra]: the suites of make check (main, the default),
# of make check-extra (extra: what make check's time budget leaves out) or
# both (make check-all), in turn, then one line summing them all:
# "N passed, N failed". Each suite ends with its own such line; a suite that
# fails without one counts as one failure.
set -uo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo" || exit 1
pass=0 fail=0
log=$(mktemp)
bglog=$(mktemp)
trap 'rm -f "$log" "$bglog"' EXIT

# run_suite NAME CMD...
run_suite() {
	local name=$1 rc
	shift
	echo "=== $name: $*"
	"$@" 2>&1 | tee "$log"
	rc=${PIPESTATUS[0]}
	count_suite "$name" "$rc" "$log"
}

# A suite that runs beside the next ones (its own QEMU guest on the core
# the other guest leaves idle): start_suite_bg NAME CMD..., then
# finish_suite_bg prints its output and counts it.
start_suite_bg() {
	bg_name=$1
	shift
	echo "=== $bg_name (in the background): $*"
	("$@" >"$bglog" 2>&1; echo $? >"$bglog.rc") &
	bg_pid=$!
}

finish_suite_bg() {
	wait "$bg_pid"
	echo "=== $bg_name: output"
	cat "$bglog"
	count_suite "$bg_name" "$(cat "$bglog.rc" 2>/dev/null || echo 1)" "$bglog"
	rm -f "$bglog.rc"
}

# count_suite NAME RC LOG: add the suite's summary line to the totals.
count_suite() {
	local name=$1 rc=$2 line p f
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$3" | tail -n 1)
	if [[ -z $line ]]; then
		echo "=== $name: no summary line (exit $rc): counted as 1 failure"
		fail=$((fail + 1))
		return
	fi
	read -r p _ f _ <<<"$line"
	pass=$((pass + p))
	fail=$((fail + f))
	if ((rc != 0 && f == 0)); then
		echo "=== $name: exit $rc with no failed test: counted as 1 failure"
		fail=$((fail + 1))
	fi
	echo "=== $name: $line"
}

main_suites() {
	# Userspace is built with ASan/UBSan for the host tests and for the guests.
	run_suite style bash scripts/checkpatch.sh
	# The YNL spec agrees with the uapi header and the module's policies.
	run_suite ynl bash tests/ynl/check.sh
	run_suite layering bash scripts/layering.sh
	run_suite ctl make -s -C ctl SANITIZE=1 check
	run_suite workload make -s -C tests/workload SANITIZE=1 check
	run_suite bridge make -s -C bridge SANITIZE=1 check
	run_suite go make -s --no-print-directory go-check
	# As shipped: hardened binaries, the caller's build flags honoured, man
	# pages clean, the Debian packages lintian-clean, the release tarball
	# remaking itself without git.
	run_suite hardening bash tests/package/hardening.sh
	run_suite manpages bash tests/package/manpages.sh
	run_suite deb bash tests/package/deb.sh
	run_suite dist bash tests/package/dist.sh
	run_suite vm make -s --no-print-directory SANITIZE=1 vm-test
	# The debug kernel checks the module (KASAN, lockdep, kmemleak, KUnit,
	# fault injection) in two guests side by side; they are slow enough without
	# sanitized userspace on top.
	run_suite vm-debug make -s --no-print-directory SANITIZE=0 vm-debug-test
	cache=${KCOLLAPSE_CACHE:-/var/cache/kcollapse}
	run_suite kunit bash tests/vm/kunit-summary.sh "$cache/out/projdbg/results.log"
	# The Debian image test (DKMS, systemd, the service, an upgrade) beside a
	# smoke run of make bench (one workload, one repetition, report built).
	start_suite_bg image make -s --no-print-directory image-test KC_IMAGE=bookworm
	run_suite bench-smoke make -s --no-print-directory bench \
		BENCH_KERNELS=deb61 BENCH_ARGS="reps=1 workloads=gc5" \
		BENCH_OUT="$cache/bench-smoke"
	# A lazy restore through QEMU postcopy (bench/resume): one workload, no
	# preparation against pack; the page-request counts are exact.
	run_suite resume-smoke make -s --no-print-directory resume-smoke
	finish_suite_bg
}

# What make check leaves out for time, each pair of guests side by side:
# Debian 13's stock kernel and the newest trixie-backports kernel, the whole
# suite; the built-in kernel (no module support), the whole suite, beside
# the debug kernel's remaining tests (Go client, Node.js); the Debian 13
# image test.
extra_suites() {
	run_suite vm-debian13 make -s --no-print-directory SANITIZE=1 vm-test \
		KERNELS="deb13 deb13bpo" KC_NUMA_GUESTS=deb13bpo
	run_suite vm-extra make -s --no-print-directory SANITIZE=0 vm-extra-test
	run_suite image-trixie make -s --no-print-directory image-test KC_IMAGE=trixie
}

for part in "${@:-main}"; do
	case $part in
	main) main_suites ;;
	extra) extra_suites ;;
	*) echo "check.sh: unknown part '$part' (main, extra)" >&2; exit 2 ;;
	esac
done

echo "$pass passed, $fail failed"
((fail == 0))
