# shellcheck shell=sh
# Helpers for the in-guest tests (busybox sh). Sourced by run-all.sh and by
# each test in t/. A test prints diagnostics freely and exits 0 (pass),
# 77 (skip, with a reason) or anything else (fail).

KMOD=/lib/kcollapse/kcollapse.ko
# The workload helpers shared with the host suites (tests/lib, packed at
# /tests/lib): WL_BASE, wl_ready_in, wl_vma_in, wl_end_in, wl_ask_in.
# shellcheck source=tests/lib/workload.sh
. "${KC_TEST_LIB:-./lib}/workload.sh"

say() { echo "$*"; }
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "SKIP: $*"; exit 77; }

# assert_eq WHAT GOT WANT
assert_eq() {
	[ "$2" = "$3" ] || fail "$1: got '$2', want '$3'"
	echo "  $1 = $2"
}

# assert_le WHAT GOT MAX
assert_le() {
	[ "$2" -le "$3" ] || fail "$1: got $2, want <= $3"
	echo "  $1 = $2 (<= $3)"
}

# assert_lt WHAT GOT LIMIT
assert_lt() {
	[ "$2" -lt "$3" ] || fail "$1: got $2, want < $3"
	echo "  $1 = $2 (< $3)"
}

# assert_ge WHAT GOT MIN
assert_ge() {
	[ "$2" -ge "$3" ] || fail "$1: got $2, want >= $3"
	echo "  $1 = $2 (>= $3)"
}

# assert_match WHAT TEXT PATTERN (grep -E)
assert_match() {
	echo "$2" | grep -Eq "$3" || fail "$1: '$2' does not match /$3/"
	echo "  $1 ~ /$3/"
}

# not_on_debug_kernel WHY: skip on the debug kernel (the one with KUnit),
# whose job is checking the module, a test that runs no module code or
# whose figures its checks would distort.
not_on_debug_kernel() {
	[ ! -d /sys/kernel/debug/kunit ] || skip "$1"
}

# kc_builtin: kcollapse is built into this kernel (CONFIG_KCOLLAPSE=y, the
# projbuiltin guest): /sys/module/kcollapse exists (its MODULE_VERSION) but
# not as a loaded module, which has an initstate. There is no module to
# load or unload (and no module support at all on projbuiltin).
kc_builtin() {
	[ -d /sys/module/kcollapse ] && [ ! -e /sys/module/kcollapse/initstate ]
}

# need_rmmod [WHAT]: a test that unloads the module skips, from here on,
# where kcollapse is built in; WHAT says what already ran and passed.
need_rmmod() {
	kc_builtin || return 0
	skip "built in, no rmmod${1:+ ($1)}"
}

mod_load() {
	if kc_builtin; then
		[ $# -eq 0 ] || skip "built in, no insmod $*"
		return 0
	fi
	lsmod | grep -q '^kcollapse ' && return 0
	insmod "$KMOD" "$@" || fail "insmod $KMOD $*"
}

mod_unload() {
	need_rmmod
	lsmod | grep -q '^kcollapse ' || return 0
	rmmod kcollapse || fail "rmmod kcollapse"
}

# wl_wait_ready: until the workload started as $WL_PID, writing $WL_OUT,
# says "ready" (60 s); fails if it dies first.
wl_wait_ready() {
	wl_ready_in "$WL_PID" "$WL_OUT"
	case $? in
	0) ;;
	1) cat "$WL_OUT"; fail "workload died" ;;
	*) fail "workload did not get ready" ;;
	esac
}

# wl_start [kc-workload args...]: sets WL_PID and WL_OUT
wl_start() {
	WL_OUT=$(mktemp /tmp/wl.XXXXXX)
	kc-workload --out "$WL_OUT" "$@" &
	WL_PID=$!
	wl_wait_ready
	sed 's/^/  wl: /' "$WL_OUT"
}

wl_stop() {
	[ -n "${WL_PID:-}" ] || return 0
	kill "$WL_PID" 2>/dev/null
	wait "$WL_PID" 2>/dev/null
	WL_PID=
}

# wl_start_in_cg CGROUP_DIR ARGS...: like wl_start, the workload started
# inside the cgroup (written to cgroup.procs before the exec).
wl_start_in_cg() {
	cgdir=$1
	shift
	WL_OUT=$(mktemp /tmp/wl.XXXXXX)
	sh -c "echo \$\$ >$cgdir/cgroup.procs && exec kc-workload --out $WL_OUT $*" &
	WL_PID=$!
	wl_wait_ready
}

# wl_ask SIGNAL WORD: signal the workload, wait for its next "WORD ..."
# line (60 s), print it; sets WL_ANSWER, returns 0 if it says "WORD ok".
wl_ask() {
	WL_ANSWER=$(wl_ask_in "$WL_PID" "$WL_OUT" "$1" "$2")
	case $? in
	0) echo "  $WL_ANSWER"; return 0 ;;
	1) echo "  $WL_ANSWER"; return 1 ;;
	2) fail "workload gone before $2" ;;
	*) fail "workload did not answer $2" ;;
	esac
}

# wl_verify: ask the workload to check every page's pattern.
wl_verify() {
	wl_ask USR1 verify || fail "pattern check: $WL_ANSWER"
}

# wl_vma NAME FIELD: FIELD is start, len, or a key=value key
wl_vma() { wl_vma_in "$WL_OUT" "$1" "$2"; }

# anon_huge_kb START_HEX: AnonHugePages of the workload VMA at START
anon_huge_kb() {
	kc-smaps "$WL_PID" "$1" | awk '{print $1}'
}

# Sum of AnonHugePages over the named workload VMAs.
anon_huge_sum_kb() {
	sum=0
	for n in "$@"; do
		kb=$(anon_huge_kb "$(wl_vma "$n" start)")
		sum=$((sum + kb))
	done
	echo "$sum"
}

vmstat() { awk -v k="$1" '$1 == k {print $2}' /proc/vmstat; }

# j FILE KEY: one field of a JSON object
j() { jq -r ".$2" "$1"; }

# collapse_json OUT PID [args...]: run kcollapsectl collapse --json
collapse_json() {
	out=$1
	shift
	kcollapsectl collapse "$@" --json >"$out" || { cat "$out"; fail "kcollapsectl collapse $* failed"; }
	jq -c . "$out" | sed 's/^/  result: /'
}

# Every window reached is counted in exactly one outcome.
check_accounting() {
	f=$1
	sum=$(jq '.collapsed + .alreadyHuge + .skippedEmpty + .skippedSparse +
		.skippedOptedOut + .failedNomem + .failedBusy + .failedAgain +
		.failedIneligible + .failedOther' "$f")
	dry=$(jq '.candidates - .collapsed - .failedNomem - .failedBusy -
		.failedAgain - .failedIneligible - .failedOther' "$f")
	assert_eq "chunks == sum of outcomes (+ untried dry-run candidates)" \
		"$(j "$f" chunks)" "$((sum + dry))"
	assert_eq "skipped == chunks - collapsed - alreadyHuge" "$(j "$f" skipped)" \
		"$(jq '.chunks - .collapsed - .alreadyHuge' "$f")"
}

# The workload's covered range as START:LEN, from its base to its last byte.
wl_range() {
	printf '%s:0x%x\n' "$WL_BASE" $(( $(wl_end_in "$WL_OUT") - WL_BASE ))
}

# Milliseconds since boot: busybox date has no sub-second clock.
now_ms() { awk '{printf "%d\n", $1 * 1000}' /proc/uptime; }

# ops_in_flight: what GET_INFO says
ops_in_flight() { kcollapsectl info --engine kmod --json | jq .opsInFlight; }

# wait_in_flight: until the module reports a running operation. Fails after
# 60 s, or at once if the background collapse ($BG_PID) already ended: the
# test needs an operation to interrupt.
wait_in_flight() {
	end=$(( $(now_ms) + 60000 ))
	while [ "$(ops_in_flight)" -lt 1 ]; do
		[ -z "${BG_PID:-}" ] || kill -0 "$BG_PID" 2>/dev/null ||
			fail "the collapse ended before it could be interrupted"
		[ "$(now_ms)" -lt "$end" ] || fail "no operation in flight after 60 s"
		sleep 0.02
	done
}

wait_idle() {
	end=$(( $(now_ms) + 60000 ))
	while [ "$(ops_in_flight)" -ne 0 ]; do
		[ "$(now_ms)" -lt "$end" ] || fail "operations still in flight after 60 s"
		sleep 0.02
	done
}

# stop_ms CMD...: deliver a stop with CMD while kc-genlping watches the
# running operation; STOP_MS is how long it then took until none ran.
stop_ms() {
	# a stale "busy" from the last round would send the signal too early
	rm -f /tmp/idle
	kc-genlping idle >/tmp/idle 2>&1 &
	idle_pid=$!
	i=0
	until grep -q '^busy' /tmp/idle; do
		i=$((i + 1))
		[ $i -lt 600 ] && kill -0 "$idle_pid" 2>/dev/null ||
			{ cat /tmp/idle; fail "kc-genlping idle saw no operation"; }
		sleep 0.05
	done
	"$@"
	kill -USR1 "$idle_pid"
	wait "$idle_pid" || { cat /tmp/idle; fail "kc-genlping idle failed"; }
	STOP_MS=$(sed -n 's/^idle_ms=//p' /tmp/idle)
}

# A workload big enough that collapsing it takes a while under TCG: sparse
# windows, so each collapse allocates and copies but memory stays modest.
BIG_WL="--only sparse --scale 32"
BIG_WINDOWS=256

# collapse_bg OUT [args...]: background collapse of $WL_PID, sets BG_PID.
# It is meant to be interrupted: the module, if loaded, pauses 20 ms between
# windows (run-all.sh resets that) so the interruption never races its end.
collapse_bg() {
	out=$1
	shift
	delay=/sys/kernel/debug/kcollapse/window_delay_us
	[ ! -e $delay ] || echo 20000 >$delay || fail "cannot set $delay"
	kcollapsectl collapse "$WL_PID" --range "$(wl_range)" --json "$@" >"$out" 2>"$out.err" &
	BG_PID=$!
}

# ---------------------------------------------------------------------------
# kcollapsed (the HTTP bridge) helpers, for t/2*-bridge*.sh and
# t/23-userspace-engine.sh. Added by the bridge work (issue 4).
# ---------------------------------------------------------------------------
KCD_TOKEN=guest-token-4242
KCD_LOG=/tmp/kcd.log

# kcd_start [kcollapsed args...]: loopback up, a token file, kcollapsed on
# its default 127.0.0.1:49999; sets KCD_PID and KCD_URL.
kcd_start() {
	ip link set lo up 2>/dev/null || ifconfig lo 127.0.0.1 up ||
		fail "cannot bring up the loopback interface"
	echo "$KCD_TOKEN" >/tmp/kcd.token
	chmod 600 /tmp/kcd.token
	kcollapsed --token-file /tmp/kcd.token "$@" 2>"$KCD_LOG" &
	KCD_PID=$!
	i=0
	# until the whole line is there: it may be read half written
	while ! addr=$(sed -n 's/.*event=listening addr=\([^ ]*\) .*/\1/p' "$KCD_LOG") ||
		[ -z "$addr" ]; do
		i=$((i + 1))
		[ $i -lt 300 ] && kill -0 "$KCD_PID" 2>/dev/null ||
			{ cat "$KCD_LOG"; fail "kcollapsed did not start"; }
		sleep 0.1
	done
	KCD_URL=http://$addr
	echo "  kcollapsed at $KCD_URL"
}

# kcd_stop: SIGTERM; it must exit 0 with no sanitizer report.
kcd_stop() {
	[ -n "${KCD_PID:-}" ] || return 0
	kill "$KCD_PID"
	wait "$KCD_PID"
	rc=$?
	KCD_PID=
	sed 's/^/  log: /' "$KCD_LOG"
	[ "$rc" -eq 0 ] || fail "kcollapsed exited $rc"
	grep -Eq 'ERROR: (Address|Leak)Sanitizer|runtime error:' "$KCD_LOG" &&
		fail "sanitizer report from kcollapsed"
	return 0
}

# kcd_post OUT [BODY]: POST /collapse with the token; prints the status.
kcd_post() {
	curl -sS -o "$1" -w '%{http_code}' -X POST \
		-H "X-Access-Token: $KCD_TOKEN" ${2:+-d "$2"} "$KCD_URL/collapse"
}

# wl_body [MORE]: a request body for $WL_PID over wl_range, in decimal.
wl_body() {
	r=$(wl_range)
	echo "{\"pid\": $WL_PID, \"rangeStart\": $((${r%%:*})), \"rangeLen\": $((${r##*:}))${1:+, $1}}"
}

# ---------------------------------------------------------------------------
# The fragmented layout the whole-collapse tests share (t/02, t/20, t/21):
# every kind of window but the odd edges and read-only ones.
# ---------------------------------------------------------------------------
LAYOUT=dense,frag,sparse,empty,mixed,huge,nohuge
LAYOUT_ELIGIBLE="dense frag sparse empty mixed huge"

# check_layout_collapsed RESULT FRAMES_BEFORE FRAMES_AFTER (JSON files):
# a collapse of the whole layout did exactly what the layout implies, and
# its frame counts match pagemap's. Leaves hugekb (AnonHugePages sum) set.
check_layout_collapsed() {
	hw=$(wl_vma huge huge_windows)
	check_accounting "$1"
	assert_eq "stop reason" "$(j "$1" stopReason)" done
	# nohuge (VM_NOHUGEPAGE) is covered: its 4 windows are counted as
	# opted out, not collapsed
	assert_eq "regions" "$(j "$1" regions)" 7
	assert_eq "chunks" "$(j "$1" chunks)" 56
	assert_eq "already huge" "$(j "$1" alreadyHuge)" "$hw"
	assert_eq "skipped empty" "$(j "$1" skippedEmpty)" 12
	assert_eq "skipped opted out" "$(j "$1" skippedOptedOut)" 4
	assert_eq "candidates" "$(j "$1" candidates)" $((36 + 4 - hw))
	assert_eq "collapsed" "$(j "$1" collapsed)" $((36 + 4 - hw))
	hugekb=$(anon_huge_sum_kb $LAYOUT_ELIGIBLE)
	assert_eq "AnonHugePages kB" "$hugekb" \
		$(( ($(j "$1" collapsed) + $(j "$1" alreadyHuge)) * 2048 ))
	assert_eq "nohuge VMA AnonHugePages" "$(anon_huge_kb "$(wl_vma nohuge start)")" 0
	assert_eq "frames before == pagemap" "$(j "$1" framesBefore)" "$(j "$2" frames)"
	assert_eq "frames after == pagemap" "$(j "$1" framesAfter)" "$(j "$3" frames)"
	# one frame per hugepage, and the opted-out pages where they were
	assert_le "frames after" "$(j "$1" framesAfter)" \
		$(( $(j "$1" collapsed) + $(j "$1" alreadyHuge) + $(wl_phys_frames nohuge) ))
}

# wl_phys_frames NAME: the distinct 2 MiB frames the workload's VMA NAME
# had when it got ready (its "phys" line).
wl_phys_frames() {
	awk -v n="$1" '$1 == "phys" && $2 == n { split($3, kv, "="); print kv[2]; exit }' "$WL_OUT"
}

# ---------------------------------------------------------------------------
# Pack mode (issue 7): t/3*-pack*.sh, t/33-auto.sh.
# ---------------------------------------------------------------------------

# pack_or_skip PID: skip the test (77) when the module cannot pack on this
# kernel (no CONFIG_DEVICE_MIGRATION); fail on any other refusal.
pack_or_skip() {
	if out=$(kcollapsectl collapse "$1" --mode pack --dry-run --json 2>&1); then
		return 0
	fi
	case "$out" in
	*CONFIG_DEVICE_MIGRATION*) wl_stop; skip "pack mode unsupported here: $out" ;;
	esac
	fail "pack dry run refused: $out"
}

# wl_exercise: writes, fork + COW, mremap, munmap in the workload (SIGHUP).
wl_exercise() {
	wl_ask HUP exercise || fail "exercise: $WL_ANSWER"
}

# wl_exit: SIGTERM, and the workload must exit 0 by itself.
wl_exit() {
	kill "$WL_PID" || fail "workload gone before exit"
	wait "$WL_PID"
	rc=$?
	WL_PID=
	[ "$rc" -eq 0 ] || fail "workload exited $rc"
	echo "  workload exited 0"
}

# pack_reached FILE: pages the pack step reached, moved or left.
pack_reached() {
	jq '.packMoved + .packLeftPinned + .packLeftShared + .packLeftThp +
		.packLeftDense + .packLeftBusy + .packLeftLocked' "$1"
}

# pack_summary FILE: the figures the report quotes.
pack_summary() {
	jq -r '"  figures: mode=\(.mode) frames \(.framesBefore) -> \(.framesAfter), present \(.presentBytesBefore) -> \(.presentBytesAfter), moved=\(.packMoved) pinned=\(.packLeftPinned) shared=\(.packLeftShared) thp=\(.packLeftThp) dense=\(.packLeftDense) busy=\(.packLeftBusy) locked=\(.packLeftLocked) denseFrames=\(.packDenseFrames) destFrames=\(.packDestFrames) bytesCopied=\(.packBytesCopied) allocFailed=\(.packAllocFailed) collapsed=\(.collapsed) sparse=\(.skippedSparse) elapsedMs=\(.elapsedMs) stop=\(.stopReason)"' "$1"
}

# pack_bg OUT [args...]: background pack of $WL_PID with the module pausing
# 20 ms between batches (run-all.sh resets that); sets BG_PID.
pack_bg() {
	out=$1
	shift
	echo 20000 >/sys/kernel/debug/kcollapse/window_delay_us ||
		fail "cannot set window_delay_us"
	kcollapsectl collapse "$WL_PID" --mode pack --range "$(wl_range)" --json "$@" \
		>"$out" 2>"$out.err" &
	BG_PID=$!
}
