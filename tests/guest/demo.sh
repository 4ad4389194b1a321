#!/bin/sh
# The main job, shown: a process with scattered anonymous memory, prepared
# for a pause four ways in one boot, each on a fresh copy of the same
# fragmented workload: the in-process method (the process's own
# MADV_COLLAPSE of every window, what the agent does today), and the
# module's collapse, pack and auto modes from outside. Frames and present
# bytes before and after, the time, the pages verified. Printed as TAP
# comments so that the host shows every line; one "DEMO ..." line per
# method for the host's chart (tests/vm/demo-chart.sh).
. ./lib.sh

METHODS="in-process collapse pack auto"
LAYOUT="dense,frag,sparse,empty,mixed"

# frames_json FILE: the workload's frames and present bytes over its range.
frames_json() {
	kcollapsectl frames "$WL_PID" --range "$range" --json >"$1" || return 1
}

# prepare METHOD: run METHOD on the fresh workload; its time in us in $took.
prepare() {
	case $1 in
	in-process)
		wl_ask URG inprocess >/dev/null || return 1
		took=$(($(echo "$WL_ANSWER" | sed -n 's/.*elapsedNs=\([0-9]*\).*/\1/p') / 1000))
		echo "  $WL_ANSWER"
		;;
	*)
		kcollapsectl collapse "$WL_PID" --range "$range" --mode "$1" --json \
			>/tmp/res.json || return 1
		took=$(($(j /tmp/res.json elapsedNs) / 1000))
		echo "  $(jq -c '{engine, mode, collapsed, alreadyHuge, packMoved, stopReason}' /tmp/res.json)"
		;;
	esac
}

demo() {
	echo "== kernel $(uname -r), THP $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
	insmod "$KMOD" || { echo "insmod failed"; return 1; }
	kcollapsectl info
	echo
	echo "== the workload: its pages were faulted in interleaved with a 1 GiB"
	echo "   allocation that was freed again, as in a long-lived guest; a fresh"
	echo "   copy for each method"
	for m in $METHODS; do
		wl_start --only $LAYOUT --spacer-mib 1024 >/dev/null
		range=$(wl_range)
		echo
		echo "== $m (pid $WL_PID, range $range)"
		frames_json /tmp/before.json || return 1
		prepare "$m" || return 1
		frames_json /tmp/after.json || return 1
		wl_verify >/dev/null || { echo "  $WL_ANSWER"; return 1; }
		pages=$(echo "$WL_ANSWER" | sed -n 's/.*pages=\([0-9]*\).*/\1/p')
		echo "DEMO $m $(j /tmp/before.json frames) $(j /tmp/after.json frames)" \
			"$(j /tmp/before.json presentBytes) $(j /tmp/after.json presentBytes)" \
			"$took $pages" >>/tmp/demo.table
		wl_stop
	done
	echo
	echo "== side by side (frames: distinct 2 MiB frames a resume fetches;"
	echo "   present: the memory the process holds; verified: pages whose"
	echo "   contents the workload checked afterwards)"
	awk '{ printf "  %-10s frames %4d -> %4d   present %6.1f -> %6.1f MiB   %8.1f ms   verified %d pages\n",
		$2, $3, $4, $5 / 1048576, $6 / 1048576, $7 / 1000, $8 }' /tmp/demo.table
}

rm -f /tmp/demo.table
# A subshell: a failing helper exits it, not the script.
(demo) >/tmp/demo.out 2>&1
rc=$?
sed 's/^/# /' /tmp/demo.out
[ -f /tmp/demo.table ] && sed 's/^/# /' /tmp/demo.table
[ $rc -eq 0 ] && echo "ok 1 - demo" || echo "not ok 1 - demo"
exit $rc
