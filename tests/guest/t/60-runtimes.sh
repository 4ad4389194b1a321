# Real language runtimes as targets (issue 12): Go, Python, Node.js and a
# JVM from Debian's archive (tests/runtimes, unpacked over the guest's
# initramfs by run.sh --cpio), each building a large fragmented heap and
# giving its free memory back to the OS (Go 1.19 marks what it returns
# MADV_NOHUGEPAGE). For every runtime and mode a fresh target, started
# while kc-rtscatter holds one page in four of a large area and has freed
# the others (so its pages are spread over frames as in a guest that has
# been running a while, not handed out in order as in a fresh one); its
# memory is counted from pagemap before and after, not by the module
# (kc-rtframes). Then:
#  - pack ends within 1.1 x ceil(present pages / 512) + 4 frames, present
#    bytes unchanged (+-2 %);
#  - collapse --mark-hugepage ends at no more frames than the whole windows
#    holding live pages before, plus the frames of the pages outside whole
#    windows (which no collapse moves); if the kernel refused a window, at
#    no more than the frames before plus one per collapse;
#  - auto grows by at most 1/8 of the windows it collapsed (+-2 %); its
#    frames are reported against the pack bound, not asserted (the issue
#    sets no bound for auto);
#  - the runtime checks every surviving object in its own code, allocates
#    and collects more, checks again, twice, and exits 0 when told;
#  - the kernel log has no report.
# One "row" line per run, for BENCHMARKS.md.
# kc-timeout: 1200
. ./lib.sh
RT=/opt/kc-runtimes
[ -f $RT/targets ] ||
	skip "no runtime bundle here (run.sh --cpio with tests/runtimes/bundle.sh's archive)"
PATH=$RT/bin:$PATH
mod_load
pack_dry=$(kcollapsectl collapse $$ --mode pack --dry-run --json 2>&1) ||
	case "$pack_dry" in *CONFIG_DEVICE_MIGRATION*) skip "no pack mode here: $pack_dry" ;; esac

# Smaller heaps on the debug kernel: KASAN and friends make every
# allocation and page-table walk several times slower.
# There the module's paths are what is checked: Go's VM_NOHUGEPAGE heap
# and CPython's arenas here, Node.js in the other debug guest
# (62-runtimes-debug); the JVM, the slowest to start, on Debian's kernels.
if [ -d /sys/kernel/debug/kunit ]; then
	MIB=${KC_RT_MIB:-32} RUNTIMES=${KC_RT_ONLY:-go python}
else
	MIB=${KC_RT_MIB:-96} RUNTIMES=${KC_RT_ONLY:-go python node jvm}
fi
SCATTER_MIB=$((MIB * 4))
KEEP=12
sed 's/^/  version: /' $RT/versions

# rt_start CMD...: start the target reading commands from a fifo (our fd
# 3), wait for its READY line (300 s); sets RT_PID, RT_OBJECTS, RT_JOB.
rt_start() {
	rm -f /tmp/rt.in /tmp/rt.out /tmp/rt.scatter
	kc-rtscatter "$SCATTER_MIB" >/tmp/rt.scatter &
	scatter=$!
	while ! grep -q '^ready ' /tmp/rt.scatter; do
		kill -0 "$scatter" 2>/dev/null || fail "kc-rtscatter died"
		sleep 0.1
	done
	mkfifo /tmp/rt.in || fail "mkfifo"
	"$@" --mib "$MIB" --keep "$KEEP" </tmp/rt.in >/tmp/rt.out 2>&1 &
	RT_JOB=$!
	exec 3>/tmp/rt.in
	end=$(( $(now_ms) + 300000 ))
	while ! grep -q '^READY ' /tmp/rt.out; do
		kill -0 "$RT_JOB" 2>/dev/null || { cat /tmp/rt.out; fail "$1 died before READY"; }
		[ "$(now_ms)" -lt "$end" ] || { cat /tmp/rt.out; fail "$1 not READY after 300 s"; }
		sleep 0.2
	done
	kill "$scatter"
	wait "$scatter" 2>/dev/null
	sed 's/^/  target: /' /tmp/rt.out
	RT_PID=$(sed -n 's/^READY pid=\([0-9]*\) .*/\1/p' /tmp/rt.out)
	RT_OBJECTS=$(sed -n 's/^READY .*objects=\([0-9]*\).*/\1/p' /tmp/rt.out)
	[ -n "$RT_PID" ] && [ "$RT_OBJECTS" -gt 0 ] || fail "bad READY line"
}

# rt_verify: the target checks every object, allocates and collects more,
# and checks again; it must answer VERIFIED with at least as many objects.
rt_verify() {
	n=$(grep -c '^VERIFIED \|^CORRUPT \|^ERROR ' /tmp/rt.out)
	echo verify >&3
	end=$(( $(now_ms) + 300000 ))
	while [ "$(grep -c '^VERIFIED \|^CORRUPT \|^ERROR ' /tmp/rt.out)" -le "$n" ]; do
		kill -0 "$RT_JOB" 2>/dev/null || { cat /tmp/rt.out; fail "target died during verify"; }
		[ "$(now_ms)" -lt "$end" ] || fail "no answer to verify after 300 s"
		sleep 0.2
	done
	answer=$(grep '^VERIFIED \|^CORRUPT \|^ERROR ' /tmp/rt.out | tail -n 1)
	echo "  target: $answer"
	case "$answer" in "VERIFIED "*) ;; *) fail "target: $answer" ;; esac
	assert_ge "objects verified" "${answer#VERIFIED }" "$RT_OBJECTS"
}

# rt_exit: told to exit, the target exits 0 by itself.
rt_exit() {
	echo exit >&3
	exec 3>&-
	wait "$RT_JOB"
	rc=$?
	[ "$rc" -eq 0 ] || { cat /tmp/rt.out; fail "target exited $rc"; }
}

# frames FILE KEY: a figure from kc-rtframes' line (KEY=N ...)
frames() {
	awk -v k="$2" '{ for (i = 1; i <= NF; i++) { split($i, kv, "="); if (kv[1] == k) print kv[2] } }' "$1"
}

# within2pct A B: A and B differ by at most 2 % of B
within2pct() {
	d=$(( $1 > $2 ? $1 - $2 : $2 - $1 ))
	[ $((d * 50)) -le "$2" ]
}

# run_one RUNTIME MODE CMD...: one fresh target through one mode.
run_one() {
	rt=$1 mode=$2
	shift 2
	rt_start "$@"
	kc-rtframes "$RT_PID" >/tmp/f0 || fail "kc-rtframes before"
	sed 's/^/  before: /' /tmp/f0
	p0=$(frames /tmp/f0 pages) f0=$(frames /tmp/f0 frames)
	case $mode in
	mark) args="--mark-hugepage" ;;
	*) args="--mode $mode" ;;
	esac
	# shellcheck disable=SC2086 # args are options
	collapse_json /tmp/r.json "$RT_PID" $args
	kc-rtframes "$RT_PID" >/tmp/f1 || fail "kc-rtframes after"
	sed 's/^/  after: /' /tmp/f1
	p1=$(frames /tmp/f1 pages) f1=$(frames /tmp/f1 frames)
	# mark: every window becomes one frame; the pages outside whole windows
	# keep theirs, and a runtime running meanwhile may touch new ones
	# there (a JVM's 2285 edge pages in 67 frames after 2270 in 66).
	case $mode in
	mark) e0=$(frames /tmp/f0 edge_frames) e1=$(frames /tmp/f1 edge_frames)
		limit=$(( $(frames /tmp/f0 windows) + (e1 > e0 ? e1 : e0) ))
		# A window the kernel refused (a JVM's page under I/O, say)
		# keeps its pages where they were: then only that every
		# collapse adds at most its one new frame is certain.
		refused=$(jq '.failedNomem + .failedBusy + .failedAgain +
			.failedIneligible + .failedOther' /tmp/r.json)
		if [ "$refused" -gt 0 ]; then
			echo "  $refused window(s) refused by the kernel: bound frames before + collapsed"
			limit=$((f0 + $(j /tmp/r.json collapsed)))
		fi ;;
	pack) limit=$(( 11 * ((p0 + 511) / 512) / 10 + 4 )) ;;
	auto) limit=$(( 11 * ((p1 + 511) / 512) / 10 + 4 )) ;;
	esac
	ns=$(j /tmp/r.json elapsedNs)
	echo "$rt $mode $f0 $f1 $limit $((p0 / 256)) $((p1 / 256)) $((ns / 1000000)) $((ns / 1000 / (p0 > 0 ? p0 : 1)))" |
		tee -a /tmp/rt.rows | sed 's/^/  row: /'
	assert_eq "stop reason" "$(j /tmp/r.json stopReason)" done
	if [ "$mode" = auto ]; then
		echo "  frames after = $f1 (pack bound $limit, not asserted)"
	else
		assert_le "frames after" "$f1" "$limit"
	fi
	case $mode in
	pack)
		within2pct "$p1" "$p0" || fail "present pages $p0 -> $p1: more than 2 %"
		echo "  present pages $p0 -> $p1 (+-2 %)"
		;;
	auto)
		grown=$(( p0 + 64 * $(j /tmp/r.json collapsed) ))
		[ "$p1" -le $((grown + grown / 50)) ] ||
			fail "present pages $p0 -> $p1: more than 1/8 of $(j /tmp/r.json collapsed) collapsed windows"
		echo "  present pages $p0 -> $p1 (<= $grown + 2 %)"
		;;
	esac
	rt_verify
	rt_verify
	rt_exit
}

before=$(dmesg | wc -l)
echo "runtime mode frames_before frames_after limit present_mib_before present_mib_after elapsed_ms us_per_page" >/tmp/rt.rows
failed=""
# Each run in a subshell: a failure ends that run only, so the table is
# complete and every failure is listed at the end.
for rt in $RUNTIMES; do
	cmd=$(sed -n "s/^$rt //p" $RT/targets)
	[ -n "$cmd" ] || fail "no target '$rt' in $RT/targets"
	for mode in mark pack auto; do
		say "$rt, $mode:"
		# shellcheck disable=SC2086 # cmd is a command line
		(run_one "$rt" "$mode" $cmd) || {
			failed="$failed $rt/$mode"
			for pid in $(sed -n 's/^READY pid=\([0-9]*\) .*/\1/p' /tmp/rt.out 2>/dev/null) \
				$(sed -n 's/^ready //p' /tmp/rt.scatter 2>/dev/null); do
				kill -9 "$pid" 2>/dev/null
			done
		}
	done
done

say "table ($(uname -r), $MIB MiB allocated, 1 in $KEEP kept):"
awk '{ printf "  %-7s %-5s %13s %12s %6s %18s %17s %10s %11s\n", $1, $2, $3, $4, $5, $6, $7, $8, $9 }' /tmp/rt.rows
dmesg | tail -n +$((before + 1)) >/tmp/rt.dmesg
if grep -E 'BUG:|WARNING:|Oops|KASAN|UBSAN|general protection|Call Trace|circular locking|recursive locking|suspicious RCU|blocked for more|oom-kill' /tmp/rt.dmesg; then
	fail "kernel report during the runtime runs"
fi
[ -z "$failed" ] || fail "failed:$failed"
