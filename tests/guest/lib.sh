# shellcheck shell=sh
# Helpers for the in-guest tests (busybox sh). Sourced by run-all.sh and by
# each test in t/. A test prints diagnostics freely and exits 0 (pass),
# 77 (skip, with a reason) or anything else (fail).

KMOD=/lib/kcollapse/kcollapse.ko
WL_BASE=0x200000000000

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

mod_load() {
	lsmod | grep -q '^kcollapse ' && return 0
	insmod "$KMOD" "$@" || fail "insmod $KMOD $*"
}

mod_unload() {
	lsmod | grep -q '^kcollapse ' || return 0
	rmmod kcollapse || fail "rmmod kcollapse"
}

# wl_start [kc-workload args...]: sets WL_PID and WL_OUT
wl_start() {
	WL_OUT=$(mktemp /tmp/wl.XXXXXX)
	kc-workload --out "$WL_OUT" "$@" &
	WL_PID=$!
	i=0
	while ! grep -q '^ready ' "$WL_OUT"; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "workload did not get ready"
		kill -0 "$WL_PID" 2>/dev/null || { cat "$WL_OUT"; fail "workload died"; }
		sleep 0.1
	done
	sed 's/^/  wl: /' "$WL_OUT"
}

wl_stop() {
	[ -n "${WL_PID:-}" ] || return 0
	kill "$WL_PID" 2>/dev/null
	wait "$WL_PID" 2>/dev/null
	WL_PID=
}

# wl_verify: ask the workload to check every page's pattern.
wl_verify() {
	before=$(grep -c '^verify ' "$WL_OUT")
	kill -USR1 "$WL_PID" || fail "workload gone before verify"
	i=0
	while [ "$(grep -c '^verify ' "$WL_OUT")" -le "$before" ]; do
		i=$((i + 1))
		[ $i -lt 600 ] || fail "workload did not answer verify"
		sleep 0.1
	done
	line=$(grep '^verify ' "$WL_OUT" | tail -n 1)
	echo "  $line"
	case "$line" in "verify ok"*) return 0 ;; esac
	fail "pattern check: $line"
}

# wl_vma NAME FIELD: FIELD is start, len, or a key=value key
wl_vma() {
	awk -v n="$1" -v f="$2" '$1 == "vma" && $2 == n {
		if (f == "start") print $3; else if (f == "len") print $4;
		else for (i = 5; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] }
		exit }' "$WL_OUT"
}

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
		.failedNomem + .failedBusy + .failedAgain + .failedIneligible +
		.failedOther' "$f")
	dry=$(jq '.candidates - .collapsed - .failedNomem - .failedBusy -
		.failedAgain - .failedIneligible - .failedOther' "$f")
	assert_eq "chunks == sum of outcomes (+ untried dry-run candidates)" \
		"$(j "$f" chunks)" "$((sum + dry))"
	assert_eq "skipped == chunks - collapsed - alreadyHuge" "$(j "$f" skipped)" \
		"$(jq '.chunks - .collapsed - .alreadyHuge' "$f")"
}

# The workload's covered range as START:LEN, from its base to its last byte.
wl_range() {
	end=0
	for se in $(awk '$1 == "vma" {print $3 ":" $4}' "$WL_OUT"); do
		e=$(( ${se%%:*} + ${se##*:} ))
		[ "$e" -gt "$end" ] && end=$e
	done
	printf '%s:0x%x\n' "$WL_BASE" $((end - WL_BASE))
}

# wait_in_flight: until the module reports a running operation
wait_in_flight() {
	i=0
	while [ "$(kcollapsectl info --json | jq .opsInFlight)" -lt 1 ]; do
		i=$((i + 1))
		[ $i -lt 500 ] || fail "no operation in flight"
		sleep 0.02
	done
}

wait_idle() {
	i=0
	while [ "$(kcollapsectl info --json | jq .opsInFlight)" -ne 0 ]; do
		i=$((i + 1))
		[ $i -lt 500 ] || fail "operations still in flight"
		sleep 0.02
	done
}

# A workload big enough that collapsing it takes a while under TCG: sparse
# windows, so each collapse allocates and copies but memory stays modest.
BIG_WL="--only sparse --scale 32"
BIG_WINDOWS=256

# collapse_bg OUT [args...]: background collapse of $WL_PID, sets BG_PID
collapse_bg() {
	out=$1
	shift
	kcollapsectl collapse "$WL_PID" --range "$(wl_range)" --json "$@" >"$out" 2>"$out.err" &
	BG_PID=$!
}
