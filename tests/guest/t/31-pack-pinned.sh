# Pack mode leaves pinned pages (io_uring fixed buffers: FOLL_PIN; pages
# vmspliced into an unread pipe: references) and pages shared with a
# forked child in place, counts them by cause, and moves the rest.
. ./lib.sh
mod_load
NU=16
NS=16
wl_start --only frag,sparse --pin-uring $NU --pin-splice $NS
pack_or_skip "$WL_PID"
range=$(wl_range)
present=$(( $(wl_vma frag present) + $(wl_vma sparse present) ))
collapse_json /tmp/q1.json "$WL_PID" --mode pack --range "$range"
pack_summary /tmp/q1.json
assert_eq "pages reached" "$(pack_reached /tmp/q1.json)" "$present"
assert_ge "left: pinned" "$(j /tmp/q1.json packLeftPinned)" $((NU + NS))
assert_le "left: pinned" "$(j /tmp/q1.json packLeftPinned)" $((NU + NS + 4))
assert_ge "moved" "$(j /tmp/q1.json packMoved)" $((present - NU - NS - 8))
assert_eq "present after == before" "$(j /tmp/q1.json presentBytesAfter)" \
	"$(j /tmp/q1.json presentBytesBefore)"
wl_verify
wl_exercise
wl_verify
wl_exit

# Every page shared copy-on-write with a sleeping child: nothing moves.
wl_start --only frag,sparse --fork-child
collapse_json /tmp/q2.json "$WL_PID" --mode pack --range "$range"
pack_summary /tmp/q2.json
assert_eq "left: shared" "$(j /tmp/q2.json packLeftShared)" "$present"
assert_eq "moved" "$(j /tmp/q2.json packMoved)" 0
assert_eq "destination frames" "$(j /tmp/q2.json packDestFrames)" 0
assert_eq "frames after == before" "$(j /tmp/q2.json framesAfter)" \
	"$(j /tmp/q2.json framesBefore)"
wl_verify
wl_exercise
wl_verify
wl_exit
