#!/bin/sh
# Guest side of `make bench` (busybox sh, cwd /tests): for each workload and
# engine, a fresh kc-benchheap, frames before, the engine, frames after; one
# "# BENCH {json}" line per run for the host's report, and one TAP line per
# workload; then the min_fill sweep: the module alone on a fresh copy of each
# sweep workload per min_fill value (one TAP line per workload swept).
# KC_ARGS (kc.args=) may hold: reps=N seed=N workloads=a,b,c
# sweep=a,b (swept if also in workloads) minfill=N,N,...
KMOD=/lib/kcollapse/kcollapse.ko
REPS=1
SEED=42
WORKLOADS="gc5 gc25 gc60 sparse huge"
# pack, auto: the module in --mode pack / --mode auto (default threshold)
ENGINES="baseline userspace kmod pack auto"
# gc25: live windows hold ~180 pages, so the sweep crosses them; sparse:
# mostly 1-page windows, where min_fill trades bloat, not frames.
SWEEP="gc25 sparse"
MINFILL="1 2 16 64 128 160 176 192 256"
for a in ${KC_ARGS:-}; do
	case $a in
	reps=*) REPS=${a#reps=} ;;
	seed=*) SEED=${a#seed=} ;;
	workloads=*) WORKLOADS=$(echo "${a#workloads=}" | tr , ' ') ;;
	sweep=*) SWEEP=$(echo "${a#sweep=}" | tr , ' ') ;;
	minfill=*) MINFILL=$(echo "${a#minfill=}" | tr , ' ') ;;
	esac
done

ms() { awk '{printf "%d\n", $1 * 1000}' /proc/uptime; }

# wait_line FILE PATTERN: up to 300 s
wait_line() {
	i=0
	while ! grep -q "$2" "$1"; do
		i=$((i + 1))
		[ $i -lt 3000 ] || { echo "timeout waiting for '$2' in $1"; cat "$1"; return 1; }
		kill -0 "$PID" 2>/dev/null || { echo "kc-benchheap died"; cat "$1"; return 1; }
		sleep 0.1
	done
}

# run_one WORKLOAD ENGINE REP [MINFILL]: prints the run's JSON on stdout.
# With MINFILL (the sweep), the engine runs with --min-fill and the cost of
# skipping is not measured again.
run_one() {
	wl=$1 eng=$2 rep=$3 mf=${4:-} o=/tmp/bh.out
	# unquoted where used: empty, or two words
	mfopt=${mf:+--min-fill $mf}
	rm -f $o /tmp/res.json /tmp/dry.json /tmp/skip.json
	echo 3 >/proc/sys/vm/drop_caches
	kc-benchheap --workload "$wl" --seed "$SEED" >$o 2>&1 &
	PID=$!
	t0=$(ms)
	wait_line $o '^ready ' >&2 || return 1
	build_ms=$(( $(ms) - t0 ))
	range=$(sed -n 's/^range //p' $o)
	kcollapsectl frames "$PID" --range "$range" --json >/tmp/fb.json || return 1
	echo '{}' >/tmp/dry.json
	echo '{}' >/tmp/skip.json
	set -- $(sed -n 's/^emptyrun //p' $o)
	erange=$1 ewins=$2
	[ -z "$mf" ] || ewins=0
	nbpages=$(sed -n 's/^neighbour [0-9]* //p' $o)
	t0=$(ms)
	case $eng in
	baseline)
		kill -USR1 "$PID"
		wait_line $o '^baseline ' >&2 || return 1
		sed -n 's/^baseline //p' $o >/tmp/res.json
		;;
	*)
		# pack and auto are the module in that mode; kmod is its
		# default mode, collapse
		case $eng in
		pack | auto) cli="kmod --mode $eng" ;;
		*) cli=$eng ;;
		esac
		# the cost of skipping: dry runs over the longest run of empty
		# windows and over its first window alone, the best of 3 each;
		# the difference per window leaves out the fixed cost of an
		# operation. Then a dry run over everything.
		# (measured for collapse only: the modes share the walk)
		# shellcheck disable=SC2086
		if [ "$ewins" -gt 1 ] && [ "$cli" = "$eng" ]; then
			for i in 1 2 3; do
				kcollapsectl collapse "$PID" --range "$erange" --engine $cli \
					--dry-run --json >/tmp/skipn.$i.json || return 1
				kcollapsectl collapse "$PID" --range "${erange%%:*}:0x200000" \
					--engine $cli --dry-run --json >/tmp/skip1.$i.json || return 1
			done
			jq -s -c '{n: (.[0:3] | min_by(.elapsedNs)),
				one: (.[3:6] | min_by(.elapsedNs))}' \
				/tmp/skipn.1.json /tmp/skipn.2.json /tmp/skipn.3.json \
				/tmp/skip1.1.json /tmp/skip1.2.json /tmp/skip1.3.json >/tmp/skip.json ||
				return 1
		fi
		# shellcheck disable=SC2086
		kcollapsectl collapse "$PID" --range "$range" --engine $cli \
			$mfopt --dry-run --json >/tmp/dry.json || return 1
		t0=$(ms)
		# shellcheck disable=SC2086
		kcollapsectl collapse "$PID" --range "$range" --engine $cli \
			$mfopt --json >/tmp/res.json || return 1
		;;
	esac
	wall_ms=$(( $(ms) - t0 ))
	kcollapsectl frames "$PID" --range "$range" --json >/tmp/fa.json || return 1
	kill "$PID"
	wait "$PID"
	jq -c -n --arg wl "$wl" --arg eng "$eng" --argjson rep "$rep" \
		--argjson seed "$SEED" --argjson build "$build_ms" --argjson wall "$wall_ms" \
		--argjson nb "${nbpages:-0}" --argjson mf "${mf:-null}" \
		--slurpfile fb /tmp/fb.json --slurpfile fa /tmp/fa.json \
		--slurpfile res /tmp/res.json --slurpfile dry /tmp/dry.json \
		--slurpfile skip /tmp/skip.json \
		'{workload: $wl, engine: $eng, rep: $rep, seed: $seed, buildMs: $build,
		  neighbourPages: $nb, minFill: $mf, wallMs: $wall, before: $fb[0], after: $fa[0], result: $res[0], dry: $dry[0], skip: $skip[0]}'
}

# the sweep: workloads both in SWEEP and in WORKLOADS
SWEPT=""
for s in $SWEEP; do
	for wl in $WORKLOADS; do
		[ "$s" = "$wl" ] && SWEPT="$SWEPT $s"
	done
done

echo "1..$(echo "$WORKLOADS $SWEPT" | wc -w)"
echo "# kernel $(uname -r) thp $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
echo "# BENCHMETA {\"kernel\":\"$(uname -r)\",\"reps\":$REPS,\"seed\":$SEED,\"memKiB\":$(awk '/MemTotal/{print $2}' /proc/meminfo),\"cpus\":$(grep -c ^processor /proc/cpuinfo)}"
insmod $KMOD || { echo "# insmod failed"; exit 1; }
kcollapsectl info | sed 's/^/# /'
n=0
failed=0
for wl in $WORKLOADS; do
	n=$((n + 1))
	ok=1
	r=1
	while [ $r -le "$REPS" ]; do
		for eng in $ENGINES; do
			if line=$(run_one "$wl" "$eng" "$r" 2>/tmp/err); then
				echo "# BENCH $line"
			else
				ok=0
				sed 's/^/# /' /tmp/err
				echo "# run $wl/$eng/$r failed: $line"
				kill -9 "$PID" 2>/dev/null
				wait "$PID" 2>/dev/null
			fi
		done
		r=$((r + 1))
	done
	if [ $ok = 1 ]; then
		echo "ok $n - bench $wl"
	else
		echo "not ok $n - bench $wl"
		failed=$((failed + 1))
	fi
done
for wl in $SWEPT; do
	n=$((n + 1))
	ok=1
	for mf in $MINFILL; do
		if line=$(run_one "$wl" kmod 1 "$mf" 2>/tmp/err); then
			echo "# BENCH $line"
		else
			ok=0
			sed 's/^/# /' /tmp/err
			echo "# run $wl/kmod/min_fill $mf failed: $line"
			kill -9 "$PID" 2>/dev/null
			wait "$PID" 2>/dev/null
		fi
	done
	if [ $ok = 1 ]; then
		echo "ok $n - bench min_fill sweep $wl"
	else
		echo "not ok $n - bench min_fill sweep $wl"
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
