# Pack keeps every page on its NUMA node (guests with two nodes:
# KC_NUMA_GUESTS in tests/vm/run.sh). A workload bound to one node keeps
# all its pages there; an interleaved one keeps exactly as many pages on
# each node as it had, the destination blocks grouped by node. Page counts
# per node come from /proc/PID/numa_maps, independently of the module.
. ./lib.sh
[ -d /sys/devices/system/node/node1 ] || skip "one NUMA node (a two-node guest runs this)"
mod_load

# node_pages PID NODE: the workload's heap pages on NODE (numa_maps of the
# VMAs in its layout; its other memory predates the policy).
node_pages() {
	lo=$((WL_BASE)) hi=$(($(wl_end_in "$WL_OUT"))) n=0
	while read -r addr rest; do
		[ $((0x$addr)) -ge "$lo" ] && [ $((0x$addr)) -lt "$hi" ] || continue
		for f in $rest; do
			case $f in "N$2="*) n=$((n + ${f#*=})) ;; esac
		done
	done <"/proc/$1/numa_maps"
	echo "$n"
}

# pack_numa LABEL POLICY: pack a fresh workload built under POLICY and
# check the per-node counts; sets N0, N1 (before) and M0, M1 (after).
pack_numa() {
	wl_start --only frag,sparse,mixed --mempolicy "$2"
	pack_or_skip "$WL_PID"
	N0=$(node_pages "$WL_PID" 0)
	N1=$(node_pages "$WL_PID" 1)
	collapse_json "/tmp/n-$1.json" "$WL_PID" --mode pack --range "$(wl_range)"
	pack_summary "/tmp/n-$1.json"
	M0=$(node_pages "$WL_PID" 0)
	M1=$(node_pages "$WL_PID" 1)
	echo "  $1: node 0 $N0 -> $M0 pages, node 1 $N1 -> $M1 pages"
	assert_eq "$1: stop reason" "$(j "/tmp/n-$1.json" stopReason)" done
	assert_ge "$1: moved" "$(j "/tmp/n-$1.json" packMoved)" 1
	assert_lt "$1: frames after vs before" "$(j "/tmp/n-$1.json" framesAfter)" \
		"$(j "/tmp/n-$1.json" framesBefore)"
	assert_eq "$1: present after == before" "$(j "/tmp/n-$1.json" presentBytesAfter)" \
		"$(j "/tmp/n-$1.json" presentBytesBefore)"
	wl_verify
}

# Bound to each node in turn: whichever node the module's worker runs on,
# one of the two is not its own.
pack_numa bound-0 bind:0
assert_ge "bound-0: pages on node 0 before" "$N0" 1
assert_eq "bound-0: pages on node 1 before" "$N1" 0
assert_eq "bound-0: pages on node 0 after" "$M0" "$N0"
assert_eq "bound-0: pages on node 1 after" "$M1" 0
wl_exit
pack_numa bound-1 bind:1
assert_eq "bound-1: pages on node 0 before" "$N0" 0
assert_ge "bound-1: pages on node 1 before" "$N1" 1
assert_eq "bound-1: pages on node 0 after" "$M0" 0
assert_eq "bound-1: pages on node 1 after" "$M1" "$N1"
wl_exercise
wl_verify
wl_exit

pack_numa interleaved interleave
assert_ge "interleaved: pages on node 0 before" "$N0" 1
assert_ge "interleaved: pages on node 1 before" "$N1" 1
assert_eq "interleaved: pages on node 0 after" "$M0" "$N0"
assert_eq "interleaved: pages on node 1 after" "$M1" "$N1"
# blocks per node: at most one partly filled block per node
moved=$(j /tmp/n-interleaved.json packMoved)
assert_le "interleaved: destination frames" \
	"$(j /tmp/n-interleaved.json packDestFrames)" $(( (moved + 511) / 512 + 2 ))
wl_exit

# The dense rule is per node: 4128 interleaved pages pack into four full
# blocks and one with 16 pages on each node. Two 16-page frames on two
# nodes cannot become one, so a second pack moves nothing (a rule over
# all nodes at once would move those 32 pages, only to need two frames).
wl_start --only dense,sparse --mempolicy interleave
range=$(wl_range)
collapse_json /tmp/n-first.json "$WL_PID" --mode pack --range "$range"
pack_summary /tmp/n-first.json
collapse_json /tmp/n-again.json "$WL_PID" --mode pack --range "$range"
pack_summary /tmp/n-again.json
assert_eq "second pack: moved" "$(j /tmp/n-again.json packMoved)" 0
assert_eq "second pack: frames" "$(j /tmp/n-again.json framesAfter)" \
	"$(j /tmp/n-first.json framesAfter)"
wl_verify
wl_exit
