# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# The bridge suite's helpers, sourced by run.sh after it set $tmp, $here
# and the binaries: TAP (tests/lib/tap.sh), the workload helpers shared
# with the guest tests (tests/lib/workload.sh), and the daemon, curl and
# JSON helpers the scenarios in t/ use. Processes started go in
# ${started[@]}, which run.sh's exit trap stops.

# shellcheck source=tests/lib/tap.sh
source "$here/../lib/tap.sh"
# shellcheck source=tests/lib/workload.sh
source "$here/../lib/workload.sh"

# wl_start NAME [kc-workload args...]: start a workload, wait for "ready";
# sets WL (its pid) and WL_OUT. NAME names its output file.
wl_start() {
	local name=$1
	shift
	WL_OUT=$tmp/wl-$name.out
	"${WL_BINARY:-$WL_DIR/kc-workload}" --out "$WL_OUT" "$@" &
	WL=$!
	started+=("$WL")
	wl_ready_in "$WL" "$WL_OUT" && return 0
	note "workload $name did not get ready"
	return 1
}

wl_stop() {
	kill "$1" 2>/dev/null
	wait "$1" 2>/dev/null
}

# wl_vma OUT NAME FIELD: start, len or a key=value key of one VMA line.
wl_vma() { wl_vma_in "$@"; }

# wl_range OUT: "START LEN" in decimal, from the base to the last VMA's end.
wl_range() {
	echo "$((WL_BASE)) $(($(wl_end_in "$1") - WL_BASE))"
}

# wl_verify PID OUT: the workload checks every page's pattern.
wl_verify() {
	wl_ask_in "$1" "$2" USR1 verify >/dev/null
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

# conformance NAME [env...]: tests/bridge/conformance.sh against $URL, its
# TAP counted here.
conformance() {
	local name=$1 cp cf
	shift
	env KCD_URL="$URL" KCD_DECODE="$KCD_DECODE" "$@" \
		sh "$here/conformance.sh" >"$tmp/conf-$name.out" 2>&1
	sed -n 's/^\(not ok .*\)/# \1/p; /^# /p' "$tmp/conf-$name.out"
	read -r cp _ cf _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed' "$tmp/conf-$name.out")
	if [[ -n ${cp:-} && ${cf:-1} == 0 ]]; then
		ok "conformance ($name): $cp contract items as the orchestrator sees them"
	else
		not_ok "conformance ($name): ${cf:-?} of $((${cp:-0} + ${cf:-0})) items differ"
	fi
}
