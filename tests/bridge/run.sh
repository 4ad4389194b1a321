#!/bin/bash
# SPDX-License-Identifier: MIT
#
# tests/bridge/run.sh: kcollapsed on this host against real fragmented
# processes (kc-workload), through the userspace engine (the host has no
# module), with curl as the client. Run by `make -C bridge check`, as
# root, which passes the binaries in the environment:
#   KCD_BIN KCD_UNIT KCD_DECODE KCD_FUZZ KCD_FUZZ_SECONDS KCD_CORPUS
#   KCTL_BIN WL_DIR KCD_ABUSE [KCD_ABUSE_REQUESTS]
# Prints TAP ("ok N - ...") and ends with exactly "N passed, N failed".
# Only processes it started are ever signalled.
set -u

: "${KCD_BIN:?}" "${KCD_UNIT:?}" "${KCD_DECODE:?}" "${KCD_FUZZ:?}"
: "${KCD_CORPUS:?}" "${KCTL_BIN:?}" "${WL_DIR:?}" "${KCD_ABUSE:?}"
FUZZ_SECONDS=${KCD_FUZZ_SECONDS:-20}
ABUSE_REQUESTS=${KCD_ABUSE_REQUESTS:-10000}
WL_BASE=0x200000000000
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

n=0 passed=0 failed=0
ok() { n=$((n + 1)) passed=$((passed + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)) failed=$((failed + 1)); echo "not ok $n - $*"; }
note() { echo "# $*"; }
# check DESCRIPTION COMMAND...: one test, passing if COMMAND succeeds.
check() {
	local desc=$1
	shift
	if "$@"; then ok "$desc"; else not_ok "$desc"; fi
}
# eq WHAT GOT WANT: a condition for check, explaining a mismatch.
eq() {
	[[ $2 == "$3" ]] && return 0
	note "$1: got '$2', want '$3'"
	return 1
}
lt() {
	(($2 < $3)) && return 0
	note "$1: got $2, want < $3"
	return 1
}

# ---------------------------------------------------------------- helpers

# wl_start NAME [kc-workload args...]: start a workload, wait for "ready";
# sets WL (its pid) and WL_OUT. NAME names its output file.
wl_start() {
	local name=$1 i=0
	shift
	WL_OUT=$tmp/wl-$name.out
	"${WL_BINARY:-$WL_DIR/kc-workload}" --out "$WL_OUT" "$@" &
	WL=$!
	started+=("$WL")
	until grep -q '^ready ' "$WL_OUT" 2>/dev/null; do
		i=$((i + 1))
		if ((i > 600)) || ! kill -0 "$WL" 2>/dev/null; then
			note "workload $name did not get ready"
			return 1
		fi
		sleep 0.1
	done
}

wl_stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# wl_vma OUT NAME FIELD: start, len or a key=value key of one VMA line.
wl_vma() {
	awk -v n="$2" -v f="$3" '$1 == "vma" && $2 == n {
		if (f == "start") print $3; else if (f == "len") print $4;
		else for (i = 5; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] }
		exit }' "$1"
}

# wl_range OUT: "START LEN" in decimal, from the base to the last VMA's end.
wl_range() {
	local end=0 s l e
	while read -r _ _ s l _; do
		e=$((s + l))
		((e > end)) && end=$e
	done < <(grep '^vma ' "$1")
	echo "$((WL_BASE)) $((end - WL_BASE))"
}

# wl_verify PID OUT: the workload checks every page's pattern.
wl_verify() {
	local before i=0
	before=$(grep -c '^verify ' "$2")
	kill -USR1 "$1" || return 1
	while (($(grep -c '^verify ' "$2") <= before)); do
		i=$((i + 1))
		((i < 600)) || return 1
		sleep 0.1
	done
	grep '^verify ' "$2" | tail -n 1 | grep -q '^verify ok'
}

# huge_kb PID OUT NAME...: AnonHugePages kB summed over the named VMAs.
huge_kb() {
	local pid=$1 out=$2 sum=0 kb
	shift 2
	for name in "$@"; do
		kb=$("$WL_DIR/kc-smaps" "$pid" "$(wl_vma "$out" "$name" start)" |
			awk '{print $1}')
		sum=$((sum + kb))
	done
	echo "$sum"
}

# body PID [more JSON members]: a request body for the workload's range.
body() {
	local start len
	read -r start len < <(wl_range "$WL_OUT")
	echo "{\"pid\": $1, \"rangeStart\": $start, \"rangeLen\": $len${2:+, $2}}"
}

# daemon_start NAME [kcollapsed args...]: sets URL and KCD (its pid); the
# log is $tmp/NAME.log.
daemon_start() {
	local name=$1 i=0 addr
	shift
	KCD_LOG=$tmp/$name.log
	"$KCD_BIN" "$@" 2>"$KCD_LOG" &
	KCD=$!
	started+=("$KCD")
	until addr=$(sed -n 's/.*event=listening addr=\([^ ]*\).*/\1/p' "$KCD_LOG") &&
		[[ -n $addr ]]; do
		i=$((i + 1))
		if ((i > 100)) || ! kill -0 "$KCD" 2>/dev/null; then
			note "kcollapsed $name did not start:"
			sed 's/^/#   /' "$KCD_LOG"
			return 1
		fi
		sleep 0.05
	done
	URL=http://$addr
}

# daemon_stop PID LOG: SIGTERM, exit status 0, no sanitizer report.
daemon_stop() {
	local rc
	kill -TERM "$1"
	wait "$1"
	rc=$?
	if ((rc != 0)); then
		note "kcollapsed exited $rc"
		return 1
	fi
	if grep -Eq 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$2"; then
		note "sanitizer report in $2:"
		sed 's/^/#   /' "$2" | head -n 40
		return 1
	fi
	grep -q 'event=stopped' "$2"
}

# req OUT METHOD PATH [curl args...]: prints the status; the body in OUT,
# the headers in OUT.h.
req() {
	local out=$1 method=$2 path=$3
	shift 3
	curl -sS -o "$out" -D "$out.h" -w '%{http_code}' -X "$method" "$@" \
		"$URL$path"
}

# post OUT [curl args...]: POST /collapse with the right token.
post() {
	local out=$1
	shift
	req "$out" POST /collapse -H "X-Access-Token: $TOKEN" "$@"
}

j() { jq -r ".$2" "$1"; }

# err_is FILE FIELD: an error body in envd's schema, {"code": STATUS,
# "message": "..."}, with "field" naming FIELD (absent for "").
err_is() {
	jq -e --arg f "$2" '(.message | type == "string" and length > 0) and
		(.code | type == "number") and (.field // "") == $f and
		(has("field") == ($f != ""))' \
		"$1" >/dev/null || { note "error body: $(cat "$1")"; return 1; }
}

# metric NAME: its value in GET /metrics (which needs the token).
metric() {
	curl -sS -H "X-Access-Token: $TOKEN" "$URL/metrics" |
		awk -v m="$1" '$1 == m {print $2}'
}

# wait_log LOG REGEX: until LOG has a matching line (10 s).
wait_log() {
	local i=0
	until grep -Eq "$2" "$1"; do
		i=$((i + 1))
		((i < 200)) || { note "no /$2/ in $1"; return 1; }
		sleep 0.05
	done
}

# wait_in_flight N: until /metrics says N requests run.
wait_in_flight() {
	local i=0
	until [[ $(metric kcollapsed_operations_in_flight) == "$1" ]]; do
		i=$((i + 1))
		((i < 400)) || { note "in flight never reached $1"; return 1; }
		sleep 0.02
	done
}

# accounting FILE: every window reached is counted in exactly one outcome
# (in a dry run the untried candidates stand for collapsed and failed), and
# skipped = chunks - collapsed - alreadyHuge.
accounting() {
	local got
	got=$(jq '[.chunks, .collapsed + .alreadyHuge + .skippedEmpty +
		.skippedSparse + .skippedOptedOut + .failedNomem + .failedBusy + .failedAgain +
		.failedIneligible + .failedOther + (.candidates - .collapsed -
		.failedNomem - .failedBusy - .failedAgain - .failedIneligible -
		.failedOther), .skipped, .chunks - .collapsed - .alreadyHuge]' -c "$1")
	[[ -n $got ]] && jq -e 'all(.[]; type == "number") and .[0] == .[1] and
		.[2] == .[3]' >/dev/null <<<"$got" && return 0
	note "accounting [chunks, sum, skipped, want]: $got"
	return 1
}

# ------------------------------------------------------------ preconditions

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

# ------------------------------------------------------------- unit tests

"$KCD_UNIT" >"$tmp/unit.out" 2>"$tmp/unit.err"
sed 's/^/# unit: /' "$tmp/unit.out"
read -r up _ uf _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/unit.out")
passed=$((passed + ${up:-0})) failed=$((failed + ${uf:-1})) n=$((n + ${up:-0} + ${uf:-1}))

# -------------------------------------------------------- daemon, statuses

TOKEN=tok-$RANDOM$RANDOM
printf '%s\n' "$TOKEN" >"$tmp/token"
chmod 600 "$tmp/token"
# 5 ms between windows: a 256-window collapse takes over 1.3 s on any
# machine, so that disconnects, cancels and SIGTERM land mid-operation.
PACE=5000
KCOLLAPSE_TEST_PACE_US=$PACE daemon_start main --listen 127.0.0.1:0 \
	--token-file "$tmp/token" || exit 1
MAIN=$KCD MAIN_LOG=$KCD_LOG MAIN_URL=$URL
note "kcollapsed at $URL"

check "GET /health: 204, no body" eq health "$(req "$tmp/r" GET /health)$(wc -c <"$tmp/r")" 2040
check "HEAD /health: 204" eq head "$(curl -sS -o /dev/null -w '%{http_code}' -I "$URL/health")" 204
check "POST /health: 405 with Allow: GET, HEAD" \
	eval '[[ $(req "$tmp/r" POST /health -H "X-Access-Token: $TOKEN") == 405 ]] && grep -qi "^Allow: GET, HEAD" "$tmp/r.h"'
check "GET /nope: 404 with a JSON error" \
	eval '[[ $(req "$tmp/r" GET /nope -H "X-Access-Token: $TOKEN") == 404 ]] && err_is "$tmp/r" "" &&
		[[ $(j "$tmp/r" code) == 404 ]]'
check "GET /collapse: 405 with Allow: POST" \
	eval '[[ $(req "$tmp/r" GET /collapse -H "X-Access-Token: $TOKEN") == 405 ]] &&
		grep -qi "^Allow: POST" "$tmp/r.h" && err_is "$tmp/r" ""'
check "PUT /collapse: 405" eq put "$(req "$tmp/r" PUT /collapse -H "X-Access-Token: $TOKEN")" 405
check "GET /metrics: 200, Prometheus text" \
	eval '[[ $(req "$tmp/r" GET /metrics -H "X-Access-Token: $TOKEN") == 200 ]] &&
		grep -qi "^Content-Type: text/plain; version=0.0.4" "$tmp/r.h" &&
		grep -q "^# TYPE kcollapsed_operation_duration_seconds histogram" "$tmp/r"'

# Tokens.
check "no token: 401" eval '[[ $(req "$tmp/r" POST /collapse) == 401 ]] && err_is "$tmp/r" "" &&
	grep -q "missing" "$tmp/r"'
check "wrong token: 401" eval '[[ $(req "$tmp/r" POST /collapse -H "X-Access-Token: x$TOKEN") == 401 ]] &&
	grep -q "wrong" "$tmp/r"'
check "token prefix: 401" eq prefix "$(req "$tmp/r" POST /collapse -H "X-Access-Token: ${TOKEN%?}")" 401
check "401 before the body is read (413-sized body)" \
	eq status "$(head -c 10000 /dev/zero | req "$tmp/r" POST /collapse --data-binary @-)" 401
# As envd: the token before the route, so a caller without it learns
# nothing about methods and paths; only GET /health (liveness) is open.
check "no token: 401 for GET /collapse, /nope, POST /health, /metrics too" \
	eval '[[ $(req "$tmp/r" GET /collapse)$(req "$tmp/r2" GET /nope)$(req "$tmp/r3" POST /health)$(req "$tmp/r4" GET /metrics) == 401401401401 ]] &&
		err_is "$tmp/r2" "" && ! grep -qi "^Allow:" "$tmp/r.h"'
check "wrong token on an unknown path: 401, not 404" \
	eq status "$(req "$tmp/r" GET /nope -H "X-Access-Token: x$TOKEN")" 401
check "every reply has Cache-Control: no-store (200, 204, 401, 404, 405)" \
	eval 'req "$tmp/r" GET /metrics -H "X-Access-Token: $TOKEN" >/dev/null; a=$(grep -ci "^Cache-Control: no-store" "$tmp/r.h")
		req "$tmp/r" GET /health >/dev/null; a=$a$(grep -ci "^Cache-Control: no-store" "$tmp/r.h")
		req "$tmp/r" GET /nope >/dev/null; a=$a$(grep -ci "^Cache-Control: no-store" "$tmp/r.h")
		req "$tmp/r" GET /nope -H "X-Access-Token: $TOKEN" >/dev/null; a=$a$(grep -ci "^Cache-Control: no-store" "$tmp/r.h")
		req "$tmp/r" GET /collapse -H "X-Access-Token: $TOKEN" >/dev/null; a=$a$(grep -ci "^Cache-Control: no-store" "$tmp/r.h")
		[[ $a == 11111 ]]'
check "refused callers are logged with a warning" \
	eval 'grep -q "event=denied status=401 remote=127.0.0.1:[0-9]* method=\"GET\" path=\"/nope\" reason=token" "$MAIN_LOG"'

# Bodies.
check "body over 4 KiB (Content-Length): 413" \
	eval '[[ $(head -c 5000 /dev/zero | tr "\0" " " | post "$tmp/r" --data-binary @-) == 413 ]] && err_is "$tmp/r" ""'
check "body over 4 KiB (chunked): 413" \
	eval '[[ $(head -c 5000 /dev/zero | tr "\0" " " | post "$tmp/r" -H "Transfer-Encoding: chunked" --data-binary @-) == 413 ]]'
check "invalid JSON: 400" eval '[[ $(post "$tmp/r" -d "{\"pid\": ") == 400 ]] && err_is "$tmp/r" ""'
check "not an object: 400" eval '[[ $(post "$tmp/r" -d "[1]") == 400 ]] && err_is "$tmp/r" ""'
check "pid a string: 400 naming pid" eval '[[ $(post "$tmp/r" -d "{\"pid\": \"1\"}") == 400 ]] && err_is "$tmp/r" pid'
check "pid a float: 400 naming pid" eval '[[ $(post "$tmp/r" -d "{\"pid\": 1.5}") == 400 ]] && err_is "$tmp/r" pid'
check "minFill 600: 400 naming minFill" eval '[[ $(post "$tmp/r" -d "{\"minFill\": 600}") == 400 ]] && err_is "$tmp/r" minFill'
check "dryRun not a bool: 400 naming dryRun" eval '[[ $(post "$tmp/r" -d "{\"dryRun\": 1}") == 400 ]] && err_is "$tmp/r" dryRun'
check "unknown field: 400 naming it" eval '[[ $(post "$tmp/r" -d "{\"deadline\": 1}") == 400 ]] && err_is "$tmp/r" deadline'
check "no pid, no default targets: 400 naming pid" eval '[[ $(post "$tmp/r") == 400 ]] && err_is "$tmp/r" pid'
check "no such process: 400 naming pid" eval '[[ $(post "$tmp/r" -d "{\"pid\": 2147483000}") == 400 ]] &&
	err_is "$tmp/r" pid && grep -q "no such process" "$tmp/r"'
check "bad requests started nothing" eq ops "$(metric 'kcollapsed_operations_total{result="done"}')" 0

# ------------------------------------- a collapse, checked against the host

wl_start main --only dense,frag,sparse,empty,mixed,huge,nohuge || exit 1
read -r rs rl < <(wl_range "$WL_OUT")
range=$(printf '0x%x:0x%x' "$rs" "$rl")
huge_windows=$(wl_vma "$WL_OUT" huge huge_windows)
check "markHugepage on the userspace engine: 400 naming markHugepage" \
	eval '[[ $(post "$tmp/r" -d "$(body $WL "\"markHugepage\": true")") == 400 ]] &&
		err_is "$tmp/r" markHugepage && grep -q "MADV_HUGEPAGE" "$tmp/r"'
check "pack mode without the module: 400 naming mode" \
	eval '[[ $(post "$tmp/r" -d "$(body $WL "\"mode\": \"pack\"")") == 400 ]] &&
		err_is "$tmp/r" mode'
check "mode not a known one: 400 naming mode" \
	eval '[[ $(post "$tmp/r" -d "$(body $WL "\"mode\": \"squash\"")") == 400 ]] &&
		err_is "$tmp/r" mode'
"$KCTL_BIN" frames "$WL" --range "$range" --json >"$tmp/fb.json"
status=$(post "$tmp/c.json" -d "$(body "$WL")")
"$KCTL_BIN" frames "$WL" --range "$range" --json >"$tmp/fa.json"
note "reply: $(cat "$tmp/c.json")"
check "collapse: 200, JSON" eval '[[ $status == 200 ]] && grep -qi "^Content-Type: application/json" "$tmp/c.json.h"'
check "the orchestrator's client decodes it (integers)" \
	eval '"$KCD_DECODE" <"$tmp/c.json" >"$tmp/d.out" && cat "$tmp/d.out" | sed "s/^/# /" &&
		grep -Eq "^regions=7 chunks=56 collapsed=$((36 + 4 - huge_windows)) skipped=16 alreadyHuge=$huge_windows elapsedMs=[0-9]+$" "$tmp/d.out"'
check "operationNs: the engine's part of elapsedNs" \
	eval '[[ $(jq ".operationNs > 0 and .operationNs <= .elapsedNs" "$tmp/c.json") == true ]]'
check "engine userspace, done, not timed out" \
	eval '[[ $(jq -r "[.engine, .stopReason, .timedOut, .pid] | @tsv" "$tmp/c.json") == "userspace	done	false	$WL" ]]'
check "accounting: chunks = sum of outcomes" accounting "$tmp/c.json"
check "skipped empty 12, sparse 0, no failures" \
	eq classes "$(jq -c '[.skippedEmpty, .skippedSparse, .failedNomem + .failedBusy + .failedAgain + .failedIneligible + .failedOther]' "$tmp/c.json")" "[12,0,0]"
check "the VM_NOHUGEPAGE VMA is covered: its 4 windows opted out, measured" \
	eq optedOut "$(jq -c '[.skippedOptedOut, .afterComplete]' "$tmp/c.json")" "[4,true]"
check "framesBefore == pagemap (kcollapsectl frames)" eq framesBefore "$(j "$tmp/c.json" framesBefore)" "$(j "$tmp/fb.json" frames)"
check "framesAfter == pagemap" eq framesAfter "$(j "$tmp/c.json" framesAfter)" "$(j "$tmp/fa.json" frames)"
check "presentBytesBefore == pagemap" eq present "$(j "$tmp/c.json" presentBytesBefore)" "$(j "$tmp/fb.json" presentBytes)"
check "frames: fewer after" lt framesAfter "$(j "$tmp/c.json" framesAfter)" "$(j "$tmp/c.json" framesBefore)"
check "AnonHugePages (smaps) == (collapsed + alreadyHuge) x 2 MiB" \
	eq AnonHugePages "$(huge_kb "$WL" "$WL_OUT" dense frag sparse empty mixed huge)" \
	"$(( ($(j "$tmp/c.json" collapsed) + $(j "$tmp/c.json" alreadyHuge)) * 2048 ))"
check "VM_NOHUGEPAGE VMA untouched" eq nohuge "$(huge_kb "$WL" "$WL_OUT" nohuge)" 0
check "presentBytesAfter == AnonHugePages + the nohuge VMA's pages" eq presentAfter "$(j "$tmp/c.json" presentBytesAfter)" \
	"$(( $(huge_kb "$WL" "$WL_OUT" dense frag sparse empty mixed huge) * 1024 + 512 * 4096 ))"
check "workload pages intact" wl_verify "$WL" "$WL_OUT"
check "log: one structured line for it" \
	eval 'grep -c "event=collapse status=200 .*pid=$WL .*engine=userspace stop=done regions=7 chunks=56" "$MAIN_LOG" | grep -qx 1'
check "again: everything already huge" \
	eval '[[ $(post "$tmp/c2.json" -d "$(body "$WL")") == 200 ]] &&
		[[ $(jq -c "[.alreadyHuge, .collapsed, .candidates]" "$tmp/c2.json") == "[40,0,0]" ]]'
check "metrics: windows by outcome, last frames" \
	eval '[[ $(metric "kcollapsed_windows_total{outcome=\"already_huge\"}") == $((huge_windows + 40)) &&
		$(metric kcollapsed_last_frames_after) == $(j "$tmp/c2.json" framesAfter) &&
		$(metric "kcollapsed_operations_total{result=\"done\"}") == 2 ]]'
wl_stop "$WL"

# Dry run, min fill, and the pre-6.7 already-huge detection.
wl_start classes --only dense,frag,sparse,empty,mixed,huge || exit 1
check "dryRun: candidates, nothing collapsed" \
	eval '[[ $(post "$tmp/c.json" -d "$(body "$WL" "\"dryRun\": true")") == 200 ]] &&
		[[ $(jq -c "[.candidates, .collapsed, .framesBefore == .framesAfter]" "$tmp/c.json") == "[$((36 + 4 - $(wl_vma "$WL_OUT" huge huge_windows))),0,true]" ]] &&
		[[ $(huge_kb "$WL" "$WL_OUT" dense) == 0 ]]'
check "minFill 64: sparse windows skipped, dense ones collapsed" \
	eval '[[ $(post "$tmp/c.json" -d "$(body "$WL" "\"minFill\": 64")") == 200 ]] &&
		[[ $(jq -c "[.skippedSparse, .skippedEmpty, .candidates, .collapsed]" "$tmp/c.json") == "[24,12,12,12]" ]] &&
		[[ $(huge_kb "$WL" "$WL_OUT" frag sparse) == 0 ]] && accounting "$tmp/c.json"'
check "pages intact after min fill" wl_verify "$WL" "$WL_OUT"
wl_stop "$WL"

daemon_start legacy --listen 127.0.0.1:0 --token-file "$tmp/token"
LEGACY=$KCD LEGACY_LOG=$KCD_LOG
wl_start legacy --only dense,mixed,huge,edges || exit 1
export KCOLLAPSE_NO_PAGEMAP_SCAN=1
"$KCTL_BIN" collapse "$WL" --engine userspace --json --dry-run \
	--range "$(printf '0x%x:0x%x' $(wl_range "$WL_OUT"))" >"$tmp/l.json"
unset KCOLLAPSE_NO_PAGEMAP_SCAN
check "kpageflags detection (before Linux 6.7): already huge == THP windows" \
	eq alreadyHuge "$(j "$tmp/l.json" alreadyHuge)" "$(wl_vma "$WL_OUT" huge huge_windows)"
URL=$MAIN_URL
check "pagemap-scan detection agrees" \
	eval '[[ $(post "$tmp/c.json" -d "$(body "$WL" "\"dryRun\": true")") == 200 ]] &&
		[[ $(j "$tmp/c.json" alreadyHuge) == $(j "$tmp/l.json" alreadyHuge) &&
		   $(j "$tmp/c.json" candidates) == $(j "$tmp/l.json" candidates) ]]'
wl_stop "$WL"
check "second daemon stops cleanly" daemon_stop "$LEGACY" "$LEGACY_LOG"

# ------------------------------------------------------------- deadlines

URL=$MAIN_URL
wl_start big $BIG_WL || exit 1
BIG=$WL BIG_OUT=$WL_OUT
status=$(post "$tmp/dl.json" -d "$(body "$BIG" "\"deadlineMs\": 1")")
note "deadline reply: $(cat "$tmp/dl.json")"
check "deadline: 200 with partial statistics" \
	eval '[[ $status == 200 && $(jq -r "[.stopReason, .timedOut] | @tsv" "$tmp/dl.json") == "deadline	true" ]]'
check "deadline: stopped early" lt chunks "$(j "$tmp/dl.json" chunks)" "$BIG_WINDOWS"
check "deadline: accounting" accounting "$tmp/dl.json"
check "deadline: no after-measurement (afterComplete false, framesAfter 0)" \
	eq after "$(jq -c '[.afterComplete, .framesAfter, .presentBytesAfter]' "$tmp/dl.json")" "[false,0,0]"
check "deadline: AnonHugePages matches the partial statistics" \
	eq AnonHugePages "$(huge_kb "$BIG" "$BIG_OUT" sparse)" "$(( $(j "$tmp/dl.json" collapsed) * 2048 ))"
check "deadline: metrics count it" eq deadline "$(metric 'kcollapsed_operations_total{result="deadline"}')" 1
check "unaligned rangeStart: 400 naming rangeStart" \
	eval '[[ $(post "$tmp/r" -d "{\"pid\": $BIG, \"rangeStart\": 4097}") == 400 ]] && err_is "$tmp/r" rangeStart'
wl_stop "$BIG"

# The daemon's default deadline and default targets: pid, pid file, name.
wl_start t1 $BIG_WL || exit 1
T1=$WL T1_OUT=$WL_OUT
echo "$T1" >"$tmp/t1.pid"
daemon_start defaults --listen 127.0.0.1:0 --token-file "$tmp/token" \
	--deadline-ms 1 --target-pidfile "$tmp/t1.pid" --target-pid "$T1"
DEF=$KCD DEF_LOG=$KCD_LOG
status=$(post "$tmp/dd.json")
note "default deadline reply: $(cat "$tmp/dd.json")"
check "--deadline-ms 1 and default targets: deadline, one target" \
	eval '[[ $status == 200 && $(jq -r "[.stopReason, .pid, (.targets | length)] | @tsv" "$tmp/dd.json") == "deadline	$T1	0" ]]'
check "a body deadline overrides --deadline-ms" \
	eval '[[ $(post "$tmp/dd2.json" -d "{\"deadlineMs\": 3600000, \"rangeStart\": $((WL_BASE)), \"rangeLen\": $((1 << 40)), \"dryRun\": true}") == 200 &&
		$(j "$tmp/dd2.json" stopReason) == done ]]'
check "defaults daemon stops cleanly" daemon_stop "$DEF" "$DEF_LOG"

# A copy of the workload under a name of its own: --target-comm NAME.
cp "$WL_DIR/kc-workload" "$tmp/kcwl$$"
WL_BINARY=$tmp/kcwl$$ wl_start byname --only dense,sparse || exit 1
NAMED=$WL NAMED_OUT=$WL_OUT
daemon_start multi --listen 127.0.0.1:0 --token-file "$tmp/token" \
	--target-pid "$T1" --target-comm "kcwl$$" --target-pidfile "$tmp/t1.pid" \
	--target-pidfile "$tmp/missing.pid"
MULTI=$KCD MULTI_LOG=$KCD_LOG
status=$(post "$tmp/m.json" -d "{\"rangeStart\": $((WL_BASE)), \"rangeLen\": $((1 << 40)), \"dryRun\": true}")
note "several targets: $(cat "$tmp/m.json")"
check "several targets: one entry each, no top-level pid" \
	eval '[[ $status == 200 && $(jq -c "[.targets[].pid] | sort" "$tmp/m.json") == "$(printf "%s\n" "$T1" "$NAMED" | sort -n | jq -sc .)" &&
		$(jq "has(\"pid\")" "$tmp/m.json") == false ]]'
check "several targets: totals are the sums" \
	eval '[[ $(jq "[.chunks, .candidates, .framesBefore] == ([.targets[] | [.chunks, .candidates, .framesBefore]] | transpose | map(add))" "$tmp/m.json") == true ]]'
check "several targets: the orchestrator decodes the totals" eval '"$KCD_DECODE" <"$tmp/m.json" >/dev/null'
kill -STOP "$NAMED"
check "--target-comm finds a stopped process too" \
	eval '[[ $(post "$tmp/m2.json" -d "{\"rangeStart\": $((WL_BASE)), \"rangeLen\": $((1 << 40)), \"dryRun\": true}") == 200 &&
		$(jq ".targets | length" "$tmp/m2.json") == 2 ]]'
kill -CONT "$NAMED"
wl_stop "$NAMED"
wl_stop "$T1"
check "a default target that exited: 500 naming it" \
	eval '[[ $(post "$tmp/m3.json") == 500 ]] && grep -q "no such process" "$tmp/m3.json"'
check "multi daemon stops cleanly" daemon_stop "$MULTI" "$MULTI_LOG"
daemon_start none --listen 127.0.0.1:0 --token-file "$tmp/token" \
	--target-comm "kcwl$$" --target-pidfile "$tmp/missing.pid"
check "no default target running: 500 with the reasons" \
	eval '[[ $(post "$tmp/m4.json") == 500 ]] && grep -q "no process named kcwl$$" "$tmp/m4.json" &&
		grep -q "missing.pid" "$tmp/m4.json"'
check "none daemon stops cleanly" daemon_stop "$KCD" "$KCD_LOG"

# -------------------------------------------- disconnects, concurrency

URL=$MAIN_URL
wl_start gone $BIG_WL || exit 1
cancelled0=$(metric 'kcollapsed_operations_total{result="cancelled"}')
curl -sS -o /dev/null --max-time 0.3 -X POST -H "X-Access-Token: $TOKEN" \
	-d "$(body "$WL" "\"deadlineMs\": 3600000")" "$URL/collapse"
rc=$?
check "client gives up after 0.3 s (curl exit 28)" eq curl "$rc" 28
check "client disconnect cancels the operation" \
	wait_log "$MAIN_LOG" "event=collapse status=200 .*pid=$WL .*stop=cancelled .*clientGone=1"
line=$(grep "pid=$WL .*clientGone=1" "$MAIN_LOG" | tail -n 1)
note "$line"
chunks=$(sed -n 's/.* chunks=\([0-9]*\).*/\1/p' <<<"$line")
check "cancelled before reaching every window" lt chunks "${chunks:-999}" "$BIG_WINDOWS"
check "metrics: cancelled and one client disconnect" \
	eval '[[ $(metric "kcollapsed_operations_total{result=\"cancelled\"}") == $((cancelled0 + 1)) &&
		$(metric kcollapsed_client_disconnects_total) == 1 ]]'
check "AnonHugePages matches the cancelled operation's log line" \
	eq AnonHugePages "$(huge_kb "$WL" "$WL_OUT" sparse)" \
	"$(( $(sed -n 's/.* collapsed=\([0-9]*\).*/\1/p' <<<"$line") * 2048 ))"
check "pages intact after the cancel" wl_verify "$WL" "$WL_OUT"
wl_stop "$WL"

wl_start busy $BIG_WL || exit 1
post "$tmp/long.json" -d "$(body "$WL" "\"deadlineMs\": 1500")" >"$tmp/long.status" &
LONG=$!
wait_in_flight 1
check "while it runs, GET /health answers at once" \
	eval '[[ $(curl -sS -o /dev/null -m 1 -w "%{http_code}" "$URL/health") == 204 ]]'
check "a second request for the same target: 409" \
	eval '[[ $(post "$tmp/r" -d "$(body "$WL" "\"dryRun\": true")") == 409 ]] && err_is "$tmp/r" "" &&
		grep -q "already running" "$tmp/r"'
wait "$LONG"
check "the first request still completes (200)" \
	eval '[[ $(cat "$tmp/long.status") == 200 && $(j "$tmp/long.json" stopReason) =~ ^(done|deadline)$ ]]'

# Across processes: kcollapsectl's userspace operation holds the target.
wl_stop "$WL"
wl_start busy2 $BIG_WL || exit 1
KCOLLAPSE_TEST_PACE_US=$PACE "$KCTL_BIN" collapse "$WL" --engine userspace --json \
	--range "$(printf '0x%x:0x%x' $(wl_range "$WL_OUT"))" >"$tmp/ctl.json" 2>"$tmp/ctl.err" &
CTL=$!
i=0
until ls "$KCOLLAPSE_RUN_DIR"/*.lock >/dev/null 2>&1 || ((++i > 200)); do sleep 0.01; done
check "target busy in another process (lock file): 409" \
	eval '[[ $(post "$tmp/r" -d "$(body "$WL" "\"dryRun\": true")") == 409 ]] && grep -q "already running" "$tmp/r"'
"$KCTL_BIN" cancel "$WL" --engine userspace >"$tmp/cancel.out" 2>&1
check "kcollapsectl cancel --engine userspace stops it" \
	eval 'grep -q "cancelled 1" "$tmp/cancel.out" || { sed "s/^/# /" "$tmp/cancel.out"; false; }'
wait "$CTL"
note "kcollapsectl: $(cat "$tmp/ctl.json" "$tmp/ctl.err")"
check "... with partial statistics, stop reason cancelled" \
	eval '[[ $(j "$tmp/ctl.json" stopReason) == cancelled ]] && accounting "$tmp/ctl.json"'
check "nothing left running: the target is free again" \
	eval '[[ $(post "$tmp/r" -d "$(body "$WL" "\"dryRun\": true")") == 200 ]] &&
		"$KCTL_BIN" cancel "$WL" --engine userspace | grep -q "no running"'
wl_stop "$WL"

# ------------------------------------------------------------ token file

check "token rewritten: the old one is refused" \
	eval 'printf "new-%s\n" "$TOKEN" >"$tmp/token" && [[ $(post "$tmp/r" -d "{\"pid\": 0}") == 401 ]]'
TOKEN=new-$TOKEN
check "... and the new one accepted" eq status "$(post "$tmp/r" -d '{"pid": 0}')" 400
printf 'rotated-%s\n' "$TOKEN" >"$tmp/token.new"
mv "$tmp/token.new" "$tmp/token"
check "token rotated by rename: the old one is refused" eq status "$(post "$tmp/r" -d '{"pid": 0}')" 401
TOKEN=rotated-$TOKEN
check "... and the new one accepted" eq status "$(post "$tmp/r" -d '{"pid": 0}')" 400
rm "$tmp/token"
check "token file gone: 401 for everyone" \
	eval '[[ $(post "$tmp/r" -d "{\"pid\": 0}") == 401 ]] && grep -q "unavailable" "$tmp/r"'
printf '%s\n' "$TOKEN" >"$tmp/token"
check "token file back: accepted again" eq status "$(post "$tmp/r" -d '{"pid": 0}')" 400
check "log: reloads and the missing file" \
	eval 'grep -q "event=token-reloaded" "$MAIN_LOG" && grep -q "event=token-unavailable" "$MAIN_LOG"'

# -------------------------------------------------- listening, options

# kcd_exit ARGS...: kcollapsed's exit status (for options it refuses).
kcd_exit() {
	"$KCD_BIN" "$@" >"$tmp/o.out" 2>"$tmp/o.err"
	echo $?
}
check "non-loopback without a token: refused (exit 2)" \
	eval '[[ $(kcd_exit --listen 0.0.0.0:0) == 2 ]] && grep -q "without --token-file" "$tmp/o.err"'
check "loopback without a token: refused too (secure by default)" \
	eval '[[ $(kcd_exit --listen 127.0.0.1:0) == 2 && $(kcd_exit) == 2 ]] && grep -q "every caller needs the token" "$tmp/o.err"'
check "IPv6 any without a token: refused" eq exit "$(kcd_exit --listen '[::]:0')" 2
check "a unix socket without a token needs --unix-no-token" \
	eval '[[ $(kcd_exit --listen "unix:$tmp/x.sock") == 2 ]] && grep -q "unix-no-token" "$tmp/o.err"'
check "--allow-uid, --unix-no-token on TCP: usage errors" \
	eval '[[ $(kcd_exit --listen 127.0.0.1:0 --token-file "$tmp/token" --allow-uid 1)$(kcd_exit --listen 127.0.0.1:0 --unix-no-token) == 22 ]]'
check "--insecure-no-token with --token-file: usage error" \
	eq exit "$(kcd_exit --insecure-no-token --token-file "$tmp/token")" 2
check "a relative unix socket path: usage error" eq exit "$(kcd_exit --listen unix:rel.sock --unix-no-token)" 2
# refused OPTION VALUE: exit 2 naming the option (with a token, so that
# nothing else is what it refuses).
refused() {
	[[ $(kcd_exit --token-file "$tmp/token" "--$1" "$2") == 2 ]] &&
		grep -q "invalid --$1 '$2'" "$tmp/o.err" && return 0
	note "--$1 $2: $(cat "$tmp/o.err")"
	return 1
}
check "bad --target, --mode, --min-fill, --auto-threshold: usage errors" \
	eval 'refused target envd && refused target unit: && refused target comm:0123456789abcdefg &&
		refused mode squash && refused min-fill 0 && refused auto-threshold 513 &&
		grep -q "pidfile:PATH, comm:NAME or unit:NAME" <(kcd_exit --token-file "$tmp/token" --target x; cat "$tmp/o.err")' 
check "non-loopback with a token: listens" \
	eval 'daemon_start any --listen 0.0.0.0:0 --token-file "$tmp/token" && daemon_stop "$KCD" "$KCD_LOG"'
if daemon_start v6 --listen '[::1]:0' --token-file "$tmp/token" 2>/dev/null; then
	check "IPv6 [::1]: GET /health 204" eq v6 "$(req "$tmp/r" GET /health)" 204
	check "IPv6 daemon stops cleanly" daemon_stop "$KCD" "$KCD_LOG"
else
	ok "IPv6 [::1] # SKIP no IPv6 loopback here"
fi
check "bad --listen: usage error" \
	eval '[[ $(kcd_exit --listen nowhere:1) == 2 ]] && grep -q "invalid --listen" "$tmp/o.err"'
check "missing token file: exit 1 with the reason" \
	eval '[[ $(kcd_exit --token-file "$tmp/nonexistent") == 1 ]] && grep -q "cannot read token file" "$tmp/o.err"'
check "bad --target-comm: usage error" eq exit "$(kcd_exit --target-comm 0123456789abcdefg)" 2
check "bad --deadline-ms: usage error" eq exit "$(kcd_exit --deadline-ms 5s)" 2
check "--help and --version" eval '"$KCD_BIN" --help | grep -q "POST /collapse" && "$KCD_BIN" --version | grep -q "^kcollapsed "'
URL=$MAIN_URL

# ------------------------------------- serving the orchestrator as it is

# conformance NAME [env...]: tests/bridge/conformance.sh against $URL, its
# TAP counted here.
conformance() {
	local name=$1 cp cf
	shift
	env KCD_URL="$URL" KCD_DECODE="$KCD_DECODE" "$@" \
		sh "$(dirname "$0")/conformance.sh" >"$tmp/conf-$name.out" 2>&1
	sed -n 's/^\(not ok .*\)/# \1/p; /^# /p' "$tmp/conf-$name.out"
	read -r cp _ cf _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/conf-$name.out")
	if [[ -n ${cp:-} && ${cf:-1} == 0 ]]; then
		ok "conformance ($name): $cp contract items as the orchestrator sees them"
	else
		not_ok "conformance ($name): ${cf:-?} of $((${cp:-0} + ${cf:-0})) items differ"
	fi
}

wl_start orch --only dense,frag,sparse,empty,mixed,huge || exit 1
ORCH=$WL ORCH_OUT=$WL_OUT
daemon_start orch --listen 127.0.0.1:0 --token-file "$tmp/token" --target "$ORCH"
conformance token KCD_TOKEN="$TOKEN"
check "a body-less POST collapsed the configured target" \
	eval '[[ $(huge_kb "$ORCH" "$ORCH_OUT" dense) -gt 0 ]] && wl_verify "$ORCH" "$ORCH_OUT" &&
		grep -q "event=collapse status=200 .*pid=$ORCH .*engine=userspace" "$KCD_LOG"'
check "start-up says what auto resolved to, and why" \
	eval 'grep -q "event=engine requested=auto resolved=userspace mode=collapse why=\"module unavailable: " "$KCD_LOG" &&
		grep -q "event=defaults targets=\"pid:$ORCH\" mode=collapse" "$KCD_LOG"'
check "without JOURNAL_STREAM: plain lines" eval '! grep -q "^<[0-7]>" "$KCD_LOG"'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$ORCH"

# --min-fill for a body-less request; --mode pack needs the module.
wl_start minfill --only dense,frag,sparse,empty || exit 1
daemon_start minfill --listen 127.0.0.1:0 --token-file "$tmp/token" \
	--target "pidfile:$WL_OUT.pid" --min-fill 64
echo "$WL" >"$WL_OUT.pid"
check "body-less with --min-fill 64: dense windows collapsed, sparse ones not" \
	eval '[[ $(post "$tmp/mf.json" -H "Content-Type:" --data-binary "") == 200 ]] &&
		[[ $(huge_kb "$WL" "$WL_OUT" dense) -gt 0 && $(huge_kb "$WL" "$WL_OUT" frag sparse) == 0 ]] &&
		[[ $(j "$tmp/mf.json" skippedSparse) -ge 24 ]] && wl_verify "$WL" "$WL_OUT"'
daemon_stop "$KCD" "$KCD_LOG"
daemon_start pack --listen 127.0.0.1:0 --token-file "$tmp/token" --target "$WL" --mode pack
check "--mode pack without the module: start-up says kmod, a body-less request 400 naming mode" \
	eval 'grep -q "event=engine requested=auto resolved=kmod mode=pack" "$KCD_LOG" &&
		[[ $(post "$tmp/r" -H "Content-Type:" --data-binary "") == 400 ]] && err_is "$tmp/r" mode'
check "a body's mode overrides --mode" \
	eval '[[ $(post "$tmp/r" -d "{\"mode\": \"collapse\", \"dryRun\": true}") == 200 ]]'
daemon_stop "$KCD" "$KCD_LOG"

# unit:NAME through systemctl (a stand-in on PATH: the host has no systemd).
mkdir -p "$tmp/bin"
cat >"$tmp/bin/systemctl" <<EOF
#!/bin/sh
[ "\$*" = "show -p MainPID --value -- kcwl.service" ] && { cat "$tmp/mainpid"; exit 0; }
echo "unexpected: \$*" >&2; exit 1
EOF
chmod +x "$tmp/bin/systemctl"
echo "$WL" >"$tmp/mainpid"
PATH=$tmp/bin:$PATH daemon_start unit --listen 127.0.0.1:0 --token-file "$tmp/token" \
	--target unit:kcwl.service
check "--target unit:NAME: the unit's MainPID" \
	eval '[[ $(post "$tmp/u.json" -d "{\"dryRun\": true}") == 200 && $(j "$tmp/u.json" pid) == $WL ]]'
echo 0 >"$tmp/mainpid"
check "--target unit:NAME not running: 500 saying so" \
	eval '[[ $(post "$tmp/r") == 500 ]] && grep -q "unit kcwl.service has no main process" "$tmp/r"'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$WL"

# --target-cgroup: every process of a (frozen) cgroup v2, one operation.
cg2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
CG=
if [[ -n $cg2 ]] && mkdir "$cg2/kcd-check-$$" 2>/dev/null; then
	CG=$cg2/kcd-check-$$
	cleanup_cg() { rmdir "$CG" 2>/dev/null; }
else
	note "no writable cgroup v2 here: a directory with a cgroup.procs stands in"
	CG=$tmp/cgroup && mkdir -p "$CG"
	cleanup_cg() { :; }
fi
wl_start cg1 --only dense,frag,sparse || exit 1
CG1=$WL CG1_OUT=$WL_OUT
wl_start cg2 --only frag,sparse,mixed || exit 1
CG2=$WL CG2_OUT=$WL_OUT
if [[ $CG == "$tmp/cgroup" ]]; then
	printf '%s\n%s\n' "$CG1" "$CG2" >"$CG/cgroup.procs"
else
	echo "$CG1" >"$CG/cgroup.procs" && echo "$CG2" >"$CG/cgroup.procs"
	[[ -e $CG/cgroup.freeze ]] && echo 1 >"$CG/cgroup.freeze"
fi
daemon_start cgroup --listen 127.0.0.1:0 --token-file "$tmp/token" --target-cgroup "$CG"
status=$(post "$tmp/cg.json" -d "{\"rangeStart\": $((WL_BASE)), \"rangeLen\": $((1 << 40))}")
[[ -e $CG/cgroup.freeze ]] && echo 0 >"$CG/cgroup.freeze"
note "cgroup reply: $(jq -c '{chunks, collapsed, alreadyHuge, skipped, targets: [.targets[] | {pid, chunks, collapsed}]}' "$tmp/cg.json")"
check "--target-cgroup: 200, one entry per process, totals the sums" \
	eval '[[ $status == 200 && $(jq -c "[.targets[].pid] | sort" "$tmp/cg.json") == "$(printf "%s\n" "$CG1" "$CG2" | sort -n | jq -sc .)" &&
		$(jq "[.chunks, .collapsed, .alreadyHuge] == ([.targets[] | [.chunks, .collapsed, .alreadyHuge]] | transpose | map(add))" "$tmp/cg.json") == true ]]'
check "--target-cgroup: each process's AnonHugePages == its collapsed x 2 MiB" \
	eval '[[ $(huge_kb "$CG1" "$CG1_OUT" dense frag sparse) == $(( $(jq ".targets[] | select(.pid == $CG1) | .collapsed" "$tmp/cg.json") * 2048 )) &&
		$(huge_kb "$CG2" "$CG2_OUT" frag sparse mixed) == $(( $(jq ".targets[] | select(.pid == $CG2) | .collapsed" "$tmp/cg.json") * 2048 )) &&
		$(jq .collapsed "$tmp/cg.json") -gt 0 ]]'
check "--target-cgroup: every page of both processes intact" \
	eval 'wl_verify "$CG1" "$CG1_OUT" && wl_verify "$CG2" "$CG2_OUT"'
check "--target-cgroup: one log line per process, then the totals" \
	eval '[[ $(grep -c "event=collapse-target .*pid=\($CG1\|$CG2\) engine=userspace stop=done" "$KCD_LOG") == 2 ]] &&
		grep -q "event=collapse status=200 .*targets=2 " "$KCD_LOG"'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$CG1"
wl_stop "$CG2"
check "--target-cgroup, empty: 500 saying so" \
	eval 'daemon_start cgempty --listen 127.0.0.1:0 --token-file "$tmp/token" --target-cgroup "$CG" &&
		[[ $(post "$tmp/r") == 500 ]] && grep -q "no process in cgroup" "$tmp/r" && daemon_stop "$KCD" "$KCD_LOG"'
cleanup_cg

# Journald priorities, when stderr is the stream JOURNAL_STREAM names.
: >"$tmp/journal.log"
JOURNAL_STREAM=$(stat -c '%d:%i' "$tmp/journal.log") daemon_start journal \
	--listen 127.0.0.1:0 --token-file "$tmp/token"
req "$tmp/r" POST /collapse >/dev/null
check "under JOURNAL_STREAM: <N> priorities (notice start, warning refusal)" \
	eval 'grep -q "^<5>kcollapsed: event=listening" "$tmp/journal.log" &&
		grep -q "^<4>kcollapsed: event=denied status=401" "$tmp/journal.log" &&
		! grep -vq "^<[3-7]>kcollapsed: " "$tmp/journal.log"'
daemon_stop "$KCD" "$tmp/journal.log"

# The tests-only opt-out: loud at start and at every request.
wl_start insecure --only dense || exit 1
daemon_start insecure --listen 127.0.0.1:0 --insecure-no-token --target "$WL"
conformance insecure
check "--insecure-no-token: a warning at start and per request" \
	eval 'grep -q "event=insecure msg=\"--insecure-no-token: anyone who reaches" "$KCD_LOG" &&
		[[ $(grep -c "event=insecure remote=" "$KCD_LOG") -ge 3 ]] &&
		grep -q "auth=none-INSECURE" "$KCD_LOG"'
daemon_stop "$KCD" "$KCD_LOG"

# A unix socket: root only by default, --allow-uid to add; peer credentials
# checked at every request, the token still required unless waived.
mkdir -m 0755 "$tmp/sock" && chmod 0711 "$tmp"
SOCK=$tmp/sock/kcd.sock
daemon_start unix --listen "unix:$SOCK" --unix-no-token --target "$WL"
ucurl() { curl -sS -o "$tmp/u" -w '%{http_code}' --unix-socket "$SOCK" "$@"; }
check "unix socket, root, no token (--unix-no-token): 200" \
	eval '[[ $(ucurl -X POST http://kcd/collapse) == 200 ]] && grep -q "remote=unix:uid=0,pid=" "$KCD_LOG"'
check "unix socket: mode 0600, another uid cannot connect" \
	eval '[[ $(stat -c %a "$SOCK") == 600 && $(setpriv --reuid 65534 --regid 65534 --clear-groups curl -sS -o /dev/null -w "%{http_code}" --unix-socket "$SOCK" -X POST http://kcd/collapse 2>/dev/null) == 000 ]]'
URL=http://kcd conformance unix KCD_CURL_UNIX="$SOCK"
daemon_stop "$KCD" "$KCD_LOG"
check "the socket file is removed at exit" eval '[[ ! -e $SOCK ]]'
daemon_start unix2 --listen "unix:$SOCK" --unix-no-token --allow-uid 65534 --target "$WL"
check "--allow-uid 65534: that uid is served, another gets 403" \
	eval '[[ $(setpriv --reuid 65534 --regid 65534 --clear-groups curl -sS -o /dev/null -w "%{http_code}" --unix-socket "$SOCK" -X POST http://kcd/collapse) == 200 &&
		$(setpriv --reuid 65533 --regid 65533 --clear-groups curl -sS -w "%{http_code}" --unix-socket "$SOCK" -X POST http://kcd/collapse 2>/dev/null) == *403 ]] &&
		setpriv --reuid 65533 --regid 65533 --clear-groups curl -sS --unix-socket "$SOCK" -X POST http://kcd/collapse >"$tmp/r403" &&
		err_is "$tmp/r403" "" && [[ $(j "$tmp/r403" code) == 403 ]] &&
		grep -q "event=denied status=403 remote=unix:uid=65533" "$KCD_LOG"'
daemon_stop "$KCD" "$KCD_LOG"
daemon_start unix3 --listen "unix:$SOCK" --token-file "$tmp/token" --target "$WL"
check "unix socket with --token-file: root without the token 401, with it 200" \
	eval '[[ $(ucurl -X POST http://kcd/collapse)$(ucurl -X POST -H "X-Access-Token: $TOKEN" http://kcd/collapse) == 401200 ]]'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$WL"

# The deadline is met: the reply leaves within 50 ms of it. 5 ms per
# window (256 windows) keeps every operation running past its deadline.
wl_start deadline $BIG_WL || exit 1
KCOLLAPSE_TEST_PACE_US=$PACE daemon_start deadline --listen 127.0.0.1:0 \
	--token-file "$tmp/token" --target "$WL" --deadline-ms 300
worst=0 table=
# over LABEL DEADLINE_MS [curl args]: one request, its overshoot in ms.
over() {
	local t ms
	t=$(curl -sS -o "$tmp/dl.json" -w '%{time_total}' -X POST \
		-H "X-Access-Token: $TOKEN" "${@:3}" "$URL/collapse")
	ms=$(awk -v t="$t" -v d="$2" 'BEGIN { printf "%d", t * 1000 - d }')
	table+="$1 deadline $2 ms: reply after $(awk -v t="$t" 'BEGIN { printf "%.1f", t * 1000 }') ms, overshoot $ms ms, stop $(j "$tmp/dl.json" stopReason); "
	((ms > worst)) && worst=$ms
	[[ $(j "$tmp/dl.json" stopReason) == deadline ]]
}
dl_ok=0
for d in 50 100 200 500 1000; do
	over "dry run" "$d" -d "{\"deadlineMs\": $d, \"dryRun\": true}" || dl_ok=1
done
over "body-less (--deadline-ms 300)" 300 -H "Content-Type:" --data-binary "" || dl_ok=1
tr ';' '\n' <<<"$table" | sed '/^ *$/d; s/^ */# /'
check "every request stopped by its deadline" eq stopped "$dl_ok" 0
check "deadline overshoot <= 50 ms (worst of 6, fallback engine, paced)" lt overshoot "$worst" 51
# A real collapse: one process_madvise(MADV_COLLAPSE) of a window cannot
# be interrupted, and on a loaded host its THP allocation may compact for
# a long time. None starts that would end past the deadline at the
# longest one so far, but the first, or one longer than any before it,
# still overruns: measured and reported, not asserted.
worst=0 table=
over "collapse" 400 -d '{"deadlineMs": 400}' || true
tr ';' '\n' <<<"$table" | sed '/^ *$/d; s/^ */# /'
grep "event=collapse status=200 .*pid=$WL " "$KCD_LOG" | tail -n 1 | sed 's/^/# /'
note "the reply itself: $(jq -c '{collapsed, chunks, elapsedMs, operationNs, stopReason}' "$tmp/dl.json")"
daemon_stop "$KCD" "$KCD_LOG"
# Collapses made to take 100 ms each: the first starts, a second at ~100
# ms (expected to end at ~200), never a third (at >= 200 ms, expected to
# end at >= 300), which used to end 50 ms past the deadline. The counts
# hold on any machine; the time is reported (a first real collapse may
# take hundreds of ms on a loaded host, and it always starts).
KCOLLAPSE_TEST_COLLAPSE_US=100000 daemon_start slow --listen 127.0.0.1:0 \
	--token-file "$tmp/token" --target "$WL"
table=
over "100 ms collapses" 250 -d '{"deadlineMs": 250}'
dl_ok=$?
tr ';' '\n' <<<"$table" | sed '/^ *$/d; s/^ */# /'
check "100 ms collapses, deadline 250 ms: stopped by it, 1 or 2 started" \
	eval '((dl_ok == 0)) && [[ $(j "$tmp/dl.json" candidates) == [12] ]]'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$WL"
URL=$MAIN_URL

# ---------------------------------------------- shutdown during an operation

wl_start stop $BIG_WL || exit 1
post "$tmp/s.json" -d "$(body "$WL" "\"deadlineMs\": 3600000")" >"$tmp/s.status" &
SPOST=$!
wait_in_flight 1
check "SIGTERM during an operation: cancels it, exits 0, no sanitizer report" \
	daemon_stop "$MAIN" "$MAIN_LOG"
wait "$SPOST"
check "... its log line says cancelled" \
	eval 'grep -q "event=collapse status=200 .*pid=$WL .*stop=cancelled" "$MAIN_LOG"'
check "pages intact" wl_verify "$WL" "$WL_OUT"
wl_stop "$WL"

# ------------------------------------------------------------- live abuse
# Malformed requests of every kind (kc-abuse: methods, request lines,
# header floods, Content-Length lies, broken chunking, bodies that must not
# validate, wrong tokens, odd URLs, pipelines, early closes) from parallel
# connections while slow clients trickle bytes; /health is probed all the
# while. A small ASan quarantine so that RSS reflects what the daemon keeps.

wl_start abuse --only sparse || exit 1
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4 \
	daemon_start abuse --listen 127.0.0.1:0 --token-file "$tmp/token" || exit 1
rss() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status"; }
"$KCD_ABUSE" "${URL#http://}" "$TOKEN" "$WL" 2000 16 20 1 >"$tmp/abuse1.out" 2>&1
rss_warm=$(rss "$KCD")
"$KCD_ABUSE" "${URL#http://}" "$TOKEN" "$WL" "$ABUSE_REQUESTS" 16 20 2 >"$tmp/abuse.out" 2>&1
abuse_rc=$?
rss_end=$(rss "$KCD")
sed 's/^/# /' "$tmp/abuse.out"
note "kcollapsed VmRSS: $rss_warm kB after 2000 requests, $rss_end kB after $ABUSE_REQUESTS more"
check "$ABUSE_REQUESTS malformed requests: none started work, /health answered throughout" \
	eq "kc-abuse exit" "$abuse_rc" 0
# Right-token requests in the run name no live process (pid 4194305), so
# they may become operations that fail or are cancelled when their client
# goes, but none may name the target or reach a window.
curl -sS -H "X-Access-Token: $TOKEN" "$URL/metrics" >"$tmp/abuse.metrics"
grep -E '^kcollapsed_(operations|windows)_total' "$tmp/abuse.metrics" | grep -v ' 0$' | sed 's/^/# /'
check "... no window touched (metrics)" eq "windows" "$(awk '
	$1 ~ /^kcollapsed_windows_total/ {n += $2} END {print n + 0}' "$tmp/abuse.metrics")" 0
check "... no operation on the target pid (log)" eq "operations on $WL" \
	"$(grep -c "event=collapse status=200 .*pid=$WL " "$KCD_LOG")" 0
check "... memory bounded: VmRSS grew by less than 4 MiB" lt "VmRSS growth kB" \
	$((rss_end - rss_warm)) 4096
check "... still serves a valid request afterwards" \
	eval '[[ $(post "$tmp/ab.json" -d "$(body "$WL" "\"dryRun\": true")") == 200 ]]'
check "... exits cleanly, no sanitizer report" daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$WL"

# ------------------------------------------------------------------- fuzz

mkdir -p "$tmp/corpus"
cp "$KCD_CORPUS"/* "$tmp/corpus/"
if "$KCD_FUZZ" -max_total_time="$FUZZ_SECONDS" -max_len=5000 -timeout=5 \
	"$tmp/corpus" >"$tmp/fuzz.log" 2>&1; then
	note "fuzz: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$tmp/fuzz.log")"
	ok "request parser: ${FUZZ_SECONDS} s of libFuzzer, no crash"
else
	tail -n 30 "$tmp/fuzz.log" | sed 's/^/# /'
	not_ok "request parser: libFuzzer found a crash"
fi

echo "1..$n"
echo "$passed passed, $failed failed"
((failed == 0))
