#!/bin/bash
# check-guest.sh OUTDIR [NAME]
#
# Judges one finished guest from the files boot.sh left in OUTDIR:
#   results.log  ttyS1: TAP from /tests/run-all.sh, then the guest markers
#   console.log  ttyS0: the kernel's console
#   qemu.rc      exit status of `timeout qemu-system-x86_64 ...`
# Prints the TAP lines, one line per reason the guest as a whole failed, and
# finally "NAME: N passed, N failed" (NAME defaults to OUTDIR's basename).
# A guest-level failure (timeout, kernel splat, no success marker) counts as
# one more failed test; failed tests alone in a guest that finished cleanly
# do not add one. The counts also go to OUTDIR/summary as
# "passed failed skipped" for run.sh. Exits 0 only when nothing failed.
set -euo pipefail

if (($# < 1 || $# > 2)); then
	echo "usage: $0 OUTDIR [NAME]" >&2
	exit 2
fi
out=$1
name=${2:-$(basename "$out")}

# Anything the kernel prints when it is unhappy. Debian's kernels lack
# KASAN/kmemleak/lockdep, but a debug kernel may be booted with the same
# harness, so their reports are listed too.
splats=(
	'Kernel panic'
	'BUG:'
	'WARNING:'
	'Oops'
	'general protection fault'
	'KASAN'
	'UBSAN'
	'possible circular locking'
	'possible recursive locking'
	'suspicious RCU usage'
	'unreferenced object'
	'INFO: task .* blocked'
	'soft lockup'
	'hard LOCKUP'
	'Call Trace'
)

# Serial output may carry \r (tty ONLCR) and stray NULs; compare clean text.
clean() {
	if [[ -f $1 ]]; then tr -d '\r\000' <"$1"; fi
}

results=$(clean "$out/results.log")
console=$(clean "$out/console.log")

# Collected first, printed after the TAP stream so they end the output.
reasons=()
reason() {
	reasons+=("$1")
}

rc=$(cat "$out/qemu.rc" 2>/dev/null || echo missing)
case $rc in
0) ;;
124 | 137) reason "timed out: qemu killed after $(cat "$out/timeout" 2>/dev/null || echo '?') s" ;;
missing) reason "no qemu.rc: qemu never ran or boot.sh was interrupted" ;;
*) reason "qemu exited with status $rc (see $out/qemu.log)" ;;
esac

for pat in "${splats[@]}"; do
	if line=$(grep -E -m1 -- "$pat" <<<"$console"); then
		reason "console shows '$pat': $line"
	fi
done

# A clean finish whose only problem is failed tests is already counted by
# their "not ok" lines; anything else without the marker is a failure of its
# own (run-all.sh exiting non-zero with nothing failed, or never finishing).
if ! grep -qx 'KCOLLAPSE-GUEST-SUCCESS' <<<"$results"; then
	if end=$(grep -m1 -o 'KCOLLAPSE-GUEST-END rc=[0-9]*' <<<"$results"); then
		if ((${#reasons[@]} > 0)) || ! grep -Eq '^not ok([ ]|$)' <<<"$results"; then
			reason "no success marker: run-all.sh exited with ${end##*=}"
		fi
	else
		reason "no success marker: the guest never finished its run"
	fi
fi

# The TAP stream: plan, results and diagnostics; other noise stays in the log.
grep -E '^(ok|not ok)([ ]|$)|^#|^1\.\.[0-9]+' <<<"$results" || true

passed=$(grep -E '^ok([ ]|$)' <<<"$results" | grep -Evc '#[[:space:]]*SKIP' || true)
skipped=$(grep -E '^ok([ ]|$)' <<<"$results" | grep -Eic '#[[:space:]]*SKIP' || true)
failed=$(grep -Ec '^not ok([ ]|$)' <<<"$results" || true)

if ((${#reasons[@]} > 0)); then
	failed=$((failed + 1))
	for r in "${reasons[@]}"; do echo "# FAIL($name): $r"; done
	echo "not ok - $name guest: ${reasons[0]}$( ((${#reasons[@]} > 1)) && echo " (+$((${#reasons[@]} - 1)) more)")"
	echo "# logs: $out/console.log $out/results.log"
fi

echo "$passed $failed $skipped" >"$out/summary"
summary="$name: $passed passed, $failed failed"
((skipped > 0)) && summary+=", $skipped skipped"
echo "$summary"
((failed == 0))
