#!/bin/sh
# The main job, shown: a process with scattered anonymous memory, collapsed
# from outside by the module, before and after. Printed as TAP comments so
# that the host shows every line.
. ./lib.sh

demo() {
	echo "== kernel $(uname -r), THP $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
	insmod "$KMOD" || { echo "insmod failed"; return 1; }
	kcollapsectl info
	echo
	echo "== a fragmented process: its pages were faulted in interleaved with a"
	echo "   1 GiB allocation that was freed again, as in a long-lived guest"
	wl_start --only dense,frag,sparse,empty,mixed --spacer-mib 1024
	range=$(wl_range)
	echo
	echo "== before: kcollapsectl frames $WL_PID --range $range"
	kcollapsectl frames "$WL_PID" --range "$range" || return 1
	echo
	echo "== kcollapsectl collapse $WL_PID --range $range"
	kcollapsectl collapse "$WL_PID" --range "$range" || return 1
	echo
	echo "== after: kcollapsectl frames $WL_PID --range $range"
	kcollapsectl frames "$WL_PID" --range "$range" || return 1
	echo
	echo "== the process's data, page by page"
	wl_verify || return 1
	echo
	echo "== AnonHugePages per VMA (smaps)"
	for n in dense frag sparse empty mixed; do
		echo "  $n: $(anon_huge_kb "$(wl_vma $n start)") kB"
	done
	wl_stop
}

# A subshell: a failing helper exits it, not the script.
(demo) >/tmp/demo.out 2>&1
rc=$?
sed 's/^/# /' /tmp/demo.out
[ $rc -eq 0 ] && echo "ok 1 - demo" || echo "not ok 1 - demo"
exit $rc
