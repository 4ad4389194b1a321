# Auto mode: windows at or above the threshold become hugepages, the live
# pages of sparser windows are packed; pattern intact, process working.
. ./lib.sh
mod_load
wl_start --only dense,frag,sparse,mixed
pack_or_skip "$WL_PID"
range=$(wl_range)
dense_w=$(wl_vma dense windows)
small=$(( $(wl_vma frag present) + $(wl_vma sparse present) + $(wl_vma mixed present) ))

collapse_json /tmp/a1.json "$WL_PID" --mode auto --auto-threshold 256 --range "$range"
pack_summary /tmp/a1.json
check_accounting /tmp/a1.json
assert_eq "mode" "$(j /tmp/a1.json mode)" auto
assert_eq "stop reason" "$(j /tmp/a1.json stopReason)" done
assert_eq "dense windows collapsed" "$(j /tmp/a1.json collapsed)" "$dense_w"
assert_eq "AnonHugePages of dense" "$(anon_huge_kb "$(wl_vma dense start)")" $((dense_w * 2048))
assert_eq "AnonHugePages of frag" "$(anon_huge_kb "$(wl_vma frag start)")" 0
assert_eq "sparse windows (packed)" "$(j /tmp/a1.json skippedSparse)" \
	$(( $(wl_vma frag windows) + $(wl_vma sparse windows) + 4 ))
assert_eq "pages reached by pack" "$(pack_reached /tmp/a1.json)" "$small"
assert_ge "moved" "$(j /tmp/a1.json packMoved)" $((small * 9 / 10))
assert_le "frames after" "$(j /tmp/a1.json framesAfter)" $(( dense_w + (small + 511) / 512 + 2 ))
wl_verify

# A threshold above every window's fill: nothing collapsed, all packed.
collapse_json /tmp/a2.json "$WL_PID" --mode auto --auto-threshold 512 --range "$range"
pack_summary /tmp/a2.json
assert_eq "already huge" "$(j /tmp/a2.json alreadyHuge)" "$dense_w"
assert_eq "collapsed" "$(j /tmp/a2.json collapsed)" 0
wl_verify
wl_exercise
wl_verify
wl_exit
