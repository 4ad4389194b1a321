#!/bin/bash
# demo-chart.sh "KERNEL...": make demo's chart. From each guest's "DEMO"
# lines (tests/guest/demo.sh: METHOD FRAMES_BEFORE FRAMES_AFTER
# PRESENT_BEFORE PRESENT_AFTER US PAGES_VERIFIED), one PNG with three
# panels: the distinct 2 MiB frames a resume fetches, the present memory,
# the time each method took; one bar per kernel. Needs gnuplot
# (scripts/deps.sh installs gnuplot-nox). Prints the table and, last, the
# chart's path. Output in KC_OUT (as tests/vm/run.sh) /demo/.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/kernels.sh
source "$here/../../scripts/kernels.sh"
(($# == 1)) || { echo "usage: demo-chart.sh \"KERNEL...\"" >&2; exit 2; }
read -r -a kernels <<<"$1"
out_root=${KC_OUT:-$(kc_cache_dir)/out}
out=$out_root/demo
mkdir -p "$out"

# One row per method (and "before", the workload as it was), one column
# group per kernel: frames, present MiB, ms.
dat=$out/demo.dat
rows=("before" "in-process" "collapse" "pack" "auto")
{
	printf '# method'
	for k in "${kernels[@]}"; do printf ' %s:frames %s:MiB %s:ms' "$k" "$k" "$k"; done
	echo
	for m in "${rows[@]}"; do
		printf '%s' "$m"
		for k in "${kernels[@]}"; do
			log=$out_root/$k/results.log
			[[ -f $log ]] || { echo "demo-chart.sh: no $log" >&2; exit 1; }
			awk -v m="$m" '
				$1 == "#" && $2 == "DEMO" {
					if (m == "before" && !done) { printf " %d %.1f 0", $4, $6 / 1048576; done = 1 }
					if ($3 == m) { printf " %d %.1f %.1f", $5, $7 / 1048576, $8 / 1000; done = 1 }
				}
				END { if (!done) printf " ? ? ?" }' "$log"
		done
		echo
	done
} >"$dat"
column -t "$dat" >&2

if ! command -v gnuplot >/dev/null; then
	echo "demo-chart.sh: gnuplot missing (apt-get install gnuplot-nox): no chart" >&2
	exit 1
fi
plots() {	# plots COLUMN_OFFSET: one clustered bar series per kernel
	local i=0 sep="" k
	for k in "${kernels[@]}"; do
		printf "%s'%s' using %d:xtic(1) title '%s'" "$sep" "$dat" $((2 + 3 * i + $1)) "$k"
		sep=", "
		i=$((i + 1))
	done
}
png=$out/demo.png
gnuplot <<GP
set terminal pngcairo size 1350,480 noenhanced font ',10'
set output '$png'
set datafile missing '?'
set style data histogram
set style histogram clustered gap 1
set style fill solid 0.8 border -1
set grid ytics
set key below horizontal
set xtics nomirror rotate by -25
set offsets 0, 0, graph 0.05, 0
set yrange [0:*]
set multiplot layout 1,3 title 'make demo: one fragmented workload, prepared four ways (fresh copy each)'
set title 'distinct 2 MiB frames (a resume fetches each)'
plot $(plots 0)
set title 'present anonymous memory, MiB'
plot $(plots 1)
set title 'time, ms'
plot $(plots 2)
unset multiplot
GP
echo "$png"
