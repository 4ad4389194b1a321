#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/bridge/run.sh: kcollapsed on this host against real fragmented
# processes (kc-workload), through the userspace engine (the host has no
# module), with curl as the client. Run by `make -C bridge check`, as
# root, which passes the binaries in the environment:
#   KCD_BIN KCD_UNIT KCD_DECODE KCD_FUZZ KCD_FUZZ_SECONDS KCD_CORPUS
#   KCTL_BIN WL_DIR KCD_ABUSE [KCD_ABUSE_REQUESTS]
# One scenario per file in t/, sourced in order into this shell (they
# share the main daemon that t/10 starts, and the counts); a NAME
# argument runs only the scenarios whose file names contain it (t/10 is
# always run first: the others need its daemon). lib.sh holds the
# helpers. Prints TAP ("ok N - ...") and ends with exactly
# "N passed, N failed". Only processes it started are ever signalled.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

: "${KCD_BIN:?}" "${KCD_UNIT:?}" "${KCD_DECODE:?}" "${KCD_FUZZ:?}"
: "${KCD_CORPUS:?}" "${KCTL_BIN:?}" "${WL_DIR:?}" "${KCD_ABUSE:?}"
# Used by the scenarios in t/.
# shellcheck disable=SC2034
FUZZ_SECONDS=${KCD_FUZZ_SECONDS:-20}
ABUSE_REQUESTS=${KCD_ABUSE_REQUESTS:-10000}
BIG_WL="--only sparse --scale 32"	# 256 sparse windows
BIG_WINDOWS=256

tmp=$(mktemp -d "${TMPDIR:-/tmp}/kcd-check.XXXXXX") || exit 1
# Our own lock directory: never collide with another run's operations.
export KCOLLAPSE_RUN_DIR=$tmp/run
started=()

cleanup() {
	local p
	for p in "${started[@]}"; do
		kill "$p" 2>/dev/null
	done
	for p in "${started[@]}"; do
		wait "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# shellcheck source=tests/bridge/lib.sh
source "$here/lib.sh"

if [[ $(id -u) != 0 ]]; then
	echo "# bridge tests need root (process_madvise, pagemap PFNs)"
	echo "0 passed, 1 failed"
	exit 1
fi
if ! "$KCTL_BIN" info --engine userspace --json >"$tmp/us.json" ||
	[[ $(j "$tmp/us.json" available) != true ]]; then
	echo "# the userspace engine is unavailable here: $(cat "$tmp/us.json")"
	echo "0 passed, 1 failed"
	exit 1
fi
note "userspace engine: $(j "$tmp/us.json" status), already-huge: $(j "$tmp/us.json" hugeDetection)"

for scenario in "$here"/t/*.sh; do
	name=$(basename "$scenario" .sh)
	if [[ -n ${1:-} && $name != *"$1"* && $name != 10-statuses ]]; then
		continue
	fi
	note "scenario $name"
	# shellcheck source=/dev/null
	source "$scenario"
done
finish
