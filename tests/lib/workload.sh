# shellcheck shell=sh
# SPDX-License-Identifier: MIT
#
# Helpers around kc-workload (tests/workload), sourced by the guest tests
# (busybox sh), the image check and the host bridge suite (bash): POSIX
# only. Each takes the workload's pid and its --out file; the suites wrap
# them around their own variables and ways of failing.

# kc-workload's default base: its VMAs start here, 2 MiB aligned.
# shellcheck disable=SC2034 # for the scripts that source this
WL_BASE=0x200000000000

# wl_ready_in PID OUT: wait (60 s) until OUT says "ready". 0, or 1 if PID
# died first, 2 if the time ran out.
wl_ready_in() {
	wl_i=0
	until grep -q '^ready ' "$2" 2>/dev/null; do
		kill -0 "$1" 2>/dev/null || return 1
		wl_i=$((wl_i + 1))
		[ $wl_i -lt 600 ] || return 2
		sleep 0.1
	done
}

# wl_vma_in OUT NAME FIELD: the VMA NAME's start, len, or the value of a
# key=value key of its line.
wl_vma_in() {
	awk -v n="$2" -v f="$3" '$1 == "vma" && $2 == n {
		if (f == "start") print $3; else if (f == "len") print $4;
		else for (i = 5; i <= NF; i++) { split($i, kv, "="); if (kv[1] == f) print kv[2] }
		exit }' "$1"
}

# wl_end_in OUT: the end of the last VMA, in decimal.
wl_end_in() {
	wl_end=0
	for wl_se in $(awk '$1 == "vma" {print $3 ":" $4}' "$1"); do
		wl_e=$(( ${wl_se%%:*} + ${wl_se##*:} ))
		[ "$wl_e" -gt "$wl_end" ] && wl_end=$wl_e
	done
	echo "$wl_end"
}

# wl_ask_in PID OUT SIGNAL WORD: send SIGNAL, wait (60 s) for the next
# "WORD ..." line and print it. 0 if it says "WORD ok", 1 if it says
# anything else, 2 if PID is gone, 3 if no answer came.
wl_ask_in() {
	wl_before=$(grep -c "^$4 " "$2")
	kill -"$3" "$1" 2>/dev/null || return 2
	wl_i=0
	while [ "$(grep -c "^$4 " "$2")" -le "$wl_before" ]; do
		wl_i=$((wl_i + 1))
		[ $wl_i -lt 600 ] || return 3
		sleep 0.1
	done
	wl_answer=$(grep "^$4 " "$2" | tail -n 1)
	echo "$wl_answer"
	case "$wl_answer" in "$4 ok"*) return 0 ;; esac
	return 1
}
