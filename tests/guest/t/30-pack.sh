# Pack mode on the fragmented workload: every present page is reached and
# either moved into fresh 2 MiB blocks or left for a counted cause (here
# only hugepages, and frames the dense rule keeps); frames drop to about
# ceil(live pages / 512); present bytes do not change; the pattern holds;
# a second pack moves nothing; the process keeps working afterwards.
. ./lib.sh
mod_load
wl_start --only dense,frag,sparse,mixed,huge
pack_or_skip "$WL_PID"
range=$(wl_range)
hw=$(wl_vma huge huge_windows)
small=0
for n in dense frag sparse mixed; do
	small=$((small + $(wl_vma "$n" present)))
done
present=$((small + $(wl_vma huge present)))

collapse_json /tmp/p1.json "$WL_PID" --mode pack --range "$range"
kcollapsectl frames "$WL_PID" --range "$range" --json >/tmp/pfa.json || fail "frames after"
pack_summary /tmp/p1.json
assert_eq "mode" "$(j /tmp/p1.json mode)" pack
assert_eq "stop reason" "$(j /tmp/p1.json stopReason)" done
assert_eq "no window collapsed" "$(j /tmp/p1.json chunks)" 0
assert_eq "pages reached" "$(pack_reached /tmp/p1.json)" "$present"
assert_eq "left: hugepages" "$(j /tmp/p1.json packLeftThp)" $((hw * 512))
assert_eq "left: shared" "$(j /tmp/p1.json packLeftShared)" 0
assert_eq "left: pinned" "$(j /tmp/p1.json packLeftPinned)" 0
assert_eq "allocation failures" "$(j /tmp/p1.json packAllocFailed)" 0
moved=$(j /tmp/p1.json packMoved)
busy=$(j /tmp/p1.json packLeftBusy)
assert_ge "moved" "$moved" $((small * 9 / 10))
assert_eq "bytes copied" "$(j /tmp/p1.json packBytesCopied)" $((moved * 4096))
assert_le "destination frames" "$(j /tmp/p1.json packDestFrames)" $(( (moved + 511) / 512 + 1 ))
assert_eq "present before" "$(j /tmp/p1.json presentBytesBefore)" $((present * 4096))
assert_eq "present after == before" "$(j /tmp/p1.json presentBytesAfter)" $((present * 4096))
assert_eq "frames after == pagemap" "$(j /tmp/p1.json framesAfter)" "$(j /tmp/pfa.json frames)"
after=$(j /tmp/p1.json framesAfter)
assert_le "frames after (dest + kept + busy)" "$after" \
	$(( $(j /tmp/p1.json packDestFrames) + $(j /tmp/p1.json packDenseFrames) + busy ))
# the ideal: ceil(small pages / 512) blocks plus the hugepages' frames
assert_le "frames after (ideal + 2)" "$after" $(( (small + 511) / 512 + hw + 2 ))
assert_lt "frames after vs before" "$after" "$(j /tmp/p1.json framesBefore)"
wl_verify

collapse_json /tmp/p2.json "$WL_PID" --mode pack --range "$range"
pack_summary /tmp/p2.json
assert_le "second pack: moved" "$(j /tmp/p2.json packMoved)" "$busy"
assert_le "second pack: frames after" "$(j /tmp/p2.json framesAfter)" "$after"
wl_verify

wl_exercise
wl_verify
wl_exit
