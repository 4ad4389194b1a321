#!/bin/sh
# Guest side of `make bench-scaling` (busybox sh, cwd /tests): does an
# operation cost follow the memory or the address space? The same 1024 live
# pages (kc-sparse: 64 windows x 16 pages) in MAP_NORESERVE reservations of
# every size in SIZES, each operation of OPS on each size, smallest size
# first; a fresh target for every run. One "# SCALE {json}" line per run (or
# per run left out) for bench/scaling-report.py, one TAP line per operation.
# The ratios the report draws are only meaningful inside one boot: TCG's
# absolute times move with the host's load.
#
# KC_ARGS (kc.args=) may hold: sizes=2G,64G,... reps=N (best-of count, each
# run on a fresh target; a run over 10 s is not repeated)
# cap=SECONDS ops=kmod-dry,us-dry,...
#
# The cap: from the second size on, the cost per byte of reservation
# between the last two sizes measured (the fixed cost left out) predicts the
# next size's time; a prediction over cap seconds leaves that size and every
# larger one out ("not run"). Every run carries --deadline-ms of twice the
# cap, so an operation that does follow the address space (the userspace
# engine on a kernel without PAGEMAP_SCAN) ends a boot's run at its first
# slow size instead of at the guest timeout.
KMOD=/lib/kcollapse/kcollapse.ko
SIZES="2G 64G 1T 16T 64T"
REPS=3
CAP=60
OPS="kmod-dry kmod-minfill kmod-collapse kmod-pack kmod-auto us-dry us-minfill"
WINDOWS=64
PAGES=16
for a in ${KC_ARGS:-}; do
	case $a in
	sizes=*) SIZES=$(echo "${a#sizes=}" | tr , ' ') ;;
	reps=*) REPS=${a#reps=} ;;
	cap=*) CAP=${a#cap=} ;;
	ops=*) OPS=$(echo "${a#ops=}" | tr , ' ') ;;
	esac
done

# op_args OP: kcollapsectl collapse options; op_reps OP: runs (best of),
# each on a fresh target: a single collapse, pack or auto run of tens of
# milliseconds moves by 2-4x with the host's load. The userspace engine's
# collapse-free runs repeat too (a run over 10 s is not repeated).
op_args() {
	case $1 in
	kmod-dry) echo "--engine kmod --dry-run" ;;
	kmod-minfill) echo "--engine kmod --min-fill 32" ;;
	kmod-collapse) echo "--engine kmod" ;;
	kmod-pack) echo "--engine kmod --mode pack" ;;
	kmod-auto) echo "--engine kmod --mode auto --auto-threshold 32" ;;
	us-dry) echo "--engine userspace --dry-run" ;;
	us-minfill) echo "--engine userspace --min-fill 32" ;;
	*) return 1 ;;
	esac
}
op_reps() {
	echo "$REPS"
}

# bytes SIZE: 2G -> 2147483648 (K/M/G/T). Shell arithmetic (64-bit):
# busybox awk may lack pow().
bytes() {
	n=${1%[KMGT]}
	case $1 in
	*K) echo $((n << 10)) ;;
	*M) echo $((n << 20)) ;;
	*G) echo $((n << 30)) ;;
	*T) echo $((n << 40)) ;;
	*) echo $((n)) ;;
	esac
}

# wait_line FILE PATTERN PID: up to 60 s, or until PID dies
wait_line() {
	i=0
	while ! grep -q "$2" "$1"; do
		i=$((i + 1))
		[ $i -lt 600 ] || { echo "timeout waiting for '$2' in $1"; cat "$1"; return 1; }
		kill -0 "$3" 2>/dev/null || { echo "kc-sparse died"; cat "$1"; return 1; }
		sleep 0.05
	done
}

# run_one OP SIZE REP: a fresh kc-sparse, the operation, a check of every
# live page after an operation that moved them; prints the run's JSON.
run_one() {
	op=$1 size=$2 rep=$3 o=/tmp/sp.out
	rm -f $o /tmp/res.json /tmp/res.err
	kc-sparse --out $o --reserve "$size" --windows $WINDOWS --pages $PAGES >&2 &
	PID=$!
	wait_line $o '^ready ' $PID >&2 || return 1
	range=$(awk '$1 == "vma" && $2 == "data" {print $3 ":" $4}' $o)
	# shellcheck disable=SC2046
	if ! kcollapsectl collapse "$PID" --range "$range" $(op_args "$op") \
		--deadline-ms $((CAP * 2000)) --json >/tmp/res.json 2>/tmp/res.err; then
		cat /tmp/res.err >&2
		return 1
	fi
	verify=null
	case $op in
	*-dry | *-minfill) ;;
	*)
		n=$(grep -c '^verify ' $o)
		kill -USR1 $PID
		i=0
		while [ "$(grep -c '^verify ' $o)" -le "$n" ] && [ $i -lt 600 ]; do
			i=$((i + 1))
			sleep 0.05
		done
		verify=$(grep '^verify ' $o | tail -n 1 | jq -R .)
		;;
	esac
	kill $PID
	wait $PID
	jq -c -n --arg op "$op" --arg size "$size" --argjson bytes "$(bytes "$size")" \
		--argjson rep "$rep" --argjson verify "${verify:-null}" \
		--arg args "$(op_args "$op")" --slurpfile res /tmp/res.json \
		'{op: $op, args: $args, size: $size, reserveBytes: $bytes, rep: $rep,
		  verify: $verify, result: $res[0]}'
}

echo "1..$(echo "$OPS" | wc -w)"
echo "# kernel $(uname -r) thp $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
insmod $KMOD || { echo "# insmod failed"; exit 1; }
us=$(kcollapsectl info --engine userspace --json 2>/dev/null | jq -c '.userspace // .' 2>/dev/null)
echo "# BENCHMETA $(jq -c -n --arg k "$(uname -r)" --argjson reps "$REPS" --argjson cap "$CAP" \
	--argjson w $WINDOWS --argjson p $PAGES --arg sizes "$SIZES" \
	--argjson mem "$(awk '/MemTotal/{print $2}' /proc/meminfo)" \
	--argjson cpus "$(grep -c ^processor /proc/cpuinfo)" --argjson us "${us:-null}" \
	'{kernel: $k, reps: $reps, capS: $cap, windows: $w, pagesPerWindow: $p,
	  sizes: ($sizes | split(" ")), memKiB: $mem, cpus: $cpus, userspaceInfo: $us}')"
kcollapsectl info | sed 's/^/# /'
n=0
failed=0
for op in $OPS; do
	n=$((n + 1))
	ok=1
	prev_ns='' prev_bytes='' first_ns='' first_bytes=''
	left_out=
	for size in $SIZES; do
		b=$(bytes "$size")
		if [ -n "$left_out" ]; then
			echo "# SCALE {\"op\":\"$op\",\"size\":\"$size\",\"reserveBytes\":$b,\"notRun\":\"$left_out\"}"
			continue
		fi
		if [ -n "$first_ns" ] && [ "$prev_bytes" -gt "$first_bytes" ]; then
			pred=$(awk -v t0="$first_ns" -v a0="$first_bytes" -v t="$prev_ns" \
				-v a="$prev_bytes" -v b="$b" 'BEGIN {
				g = (t - t0) / (a - a0); if (g < 0) g = 0
				printf "%.0f\n", t + g * (b - a) }')
			if [ "$pred" -gt $((CAP * 1000000000)) ]; then
				left_out="predicted $((pred / 1000000000)) s (the cost per byte of reservation from the last two sizes), over the ${CAP} s cap"
				echo "# SCALE {\"op\":\"$op\",\"size\":\"$size\",\"reserveBytes\":$b,\"notRun\":\"$left_out\",\"predictedNs\":$pred}"
				continue
			fi
		fi
		best='' ns=''
		r=1
		while [ $r -le "$(op_reps "$op")" ]; do
			if line=$(run_one "$op" "$size" $r 2>/tmp/err); then
				echo "# SCALE $line"
				ns=$(echo "$line" | jq .result.elapsedNs)
				[ -n "$best" ] && [ "$best" -le "$ns" ] || best=$ns
				stop=$(echo "$line" | jq -r .result.stopReason)
				# a deadline: the time is a lower bound, larger sizes
				# only longer
				[ "$stop" = "done" ] || left_out="the $size run stopped early ($stop)"
				case "$(echo "$line" | jq -r '.verify // "none"')" in
				"verify bad"*) ok=0; echo "# $op $size: $(echo "$line" | jq -r .verify)" ;;
				esac
			else
				ok=0
				sed 's/^/# /' /tmp/err
				echo "# run $op/$size/$r failed: $line"
				kill -9 "$PID" 2>/dev/null
				wait "$PID" 2>/dev/null
			fi
			[ -z "$left_out" ] || break
			# best of N is for noise on short runs; one over 10 s
			# is its own best (repeating it would spend the boot)
			[ "${ns:-0}" -lt 10000000000 ] || break
			r=$((r + 1))
		done
		echo "# $op $size: best $((${best:-0} / 1000)) us"
		[ -z "$best" ] || {
			[ -n "$prev_ns" ] && { first_ns=$prev_ns first_bytes=$prev_bytes; }
			prev_ns=$best prev_bytes=$b
		}
	done
	if [ $ok = 1 ]; then
		echo "ok $n - scaling $op"
	else
		echo "not ok $n - scaling $op"
		failed=$((failed + 1))
	fi
done
[ "$failed" -eq 0 ]
