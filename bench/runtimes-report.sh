#!/bin/bash
# runtimes-report.sh OUT NAME... : the "Real runtimes" section of
# BENCHMARKS.md, from the results.log of guests that ran
# tests/guest/t/60-runtimes.sh (OUT/NAME/results.log, e.g. a `make check`
# or `make vm-test TESTS=60-runtimes` output root). The test prints one
# "row:" line per runtime and mode; frames are counted from pagemap by
# kc-rtframes, not by the module. Markdown on stdout.
set -euo pipefail

(($# >= 2)) || { echo "usage: runtimes-report.sh OUT NAME..." >&2; exit 2; }
out=$1
shift
cat <<'HEAD'
## Real runtimes

Produced by the guest test `tests/guest/t/60-runtimes.sh` (a `make check`
or `make vm-test TESTS=60-runtimes` run) and `make -C bench
publish-runtimes`. Each runtime from Debian 12's archive (Go 1.19, Python
3.11, Node.js 18, OpenJDK 17) builds a fragmented heap (allocate, keep 1
object in 12, collect, return memory to the OS) while `kc-rtscatter`
spreads the guest's free memory, then a fresh target per mode is
collapsed with `--mark-hugepage`, packed, or auto'd by the module. Frames
and present pages are counted from pagemap by `kc-rtframes`, independently
of the module. Limits: `mark`, the whole windows with live pages plus the
frames of pages outside whole windows; `pack` and `auto`, 1.1 x
ceil(present pages / 512) + 4 (asserted for pack; auto is only reported).
Every runtime then verifies all its objects in its own code, allocates and
collects more, verifies again and exits 0. Go 1.19 leaves its scavenged
heap `VM_NOHUGEPAGE`: before VM_NOHUGEPAGE mappings were covered, every mode left it untouched.
HEAD
for name in "$@"; do
	log=$out/$name/results.log
	[[ -f $log ]] || { echo "runtimes-report.sh: no $log" >&2; exit 1; }
	kernel=$(sed -n 's/^# kernel //p' "$log" | head -n 1)
	echo
	echo "### $name: kernel $kernel, $(date -u -r "$log" '+%Y-%m-%d %H:%M UTC')"
	echo
	echo "| runtime | mode | frames before | frames after | limit | present MiB before | after | elapsed ms | µs per live page |"
	echo "|---|---|--:|--:|--:|--:|--:|--:|--:|"
	sed -n 's/^#   row: //p' "$log" |
		awk '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }'
done
