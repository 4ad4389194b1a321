#!/bin/sh
# The main job, shown: a process with scattered anonymous memory, collapsed
# from outside by the module, before and after.
. ./lib.sh
echo "== kernel $(uname -r), THP $(cat /sys/kernel/mm/transparent_hugepage/enabled)"
insmod "$KMOD" || { echo "insmod failed"; exit 1; }
kcollapsectl info
echo
echo "== a fragmented process (its pages interleaved with another allocation's)"
wl_start --only dense,frag,sparse,empty,mixed --scale 2
range=$(wl_range)
echo
echo "== before: kcollapsectl frames $WL_PID --range $range"
kcollapsectl frames "$WL_PID" --range "$range" || exit 1
echo
echo "== kcollapsectl collapse $WL_PID --range $range"
kcollapsectl collapse "$WL_PID" --range "$range" || exit 1
echo
echo "== after: kcollapsectl frames $WL_PID --range $range"
kcollapsectl frames "$WL_PID" --range "$range" || exit 1
echo
echo "== the process's data, page by page"
wl_verify || exit 1
echo
echo "== AnonHugePages per VMA (smaps)"
for n in dense frag sparse empty mixed; do
	echo "  $n: $(anon_huge_kb "$(wl_vma $n start)") kB"
done
wl_stop
echo "ok 1 - demo"
