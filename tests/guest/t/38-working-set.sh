# The working set: after `kcollapsectl clear-accessed` (the kernel's
# clear_refs) nothing of an idle target is hot; after it reads every 8th
# of its pages (kc-workload SIGWINCH), exactly those are, and the module's
# hot frames match the frames the workload counts from its own pagemap.
# Then pack against pack --hot-first, each on a fresh workload: the hot
# set's frames after, counted by the workload itself, end within
# ceil(hot pages / 512) + 2 with hot-first, and in no more frames than
# plain pack leaves them in; every page keeps its contents. The module's
# own count after is checked against the kernel's migration (see below).
. ./lib.sh
mod_load

# touch: the workload reads its hot set; sets HOT_PAGES and HOT_FRAMES.
touch_hot() {
	wl_ask WINCH touched || true
	case $WL_ANSWER in
	"touched pages="*) ;;
	*) fail "touch: $WL_ANSWER" ;;
	esac
	HOT_PAGES=$(echo "$WL_ANSWER" | sed 's/.*pages=\([0-9]*\).*/\1/')
	HOT_FRAMES=$(echo "$WL_ANSWER" | sed 's/.*frames=\([0-9]*\).*/\1/')
}

# run_variant LABEL [--hot-first]: fresh workload, clear, touch, pack;
# sets AFTER (the hot set's frames after, from the workload).
run_variant() {
	label=$1
	shift
	wl_start --only dense,frag,sparse,mixed
	pack_or_skip "$WL_PID"
	range=$(wl_range)
	kcollapsectl clear-accessed "$WL_PID" || fail "clear-accessed"
	collapse_json "/tmp/ws-$label-0.json" "$WL_PID" --mode pack --dry-run --range "$range"
	assert_eq "$label: hot pages after a clear" "$(j "/tmp/ws-$label-0.json" hotPagesBefore)" 0
	assert_eq "$label: hot frames after a clear" "$(j "/tmp/ws-$label-0.json" hotFramesBefore)" 0
	touch_hot
	collapse_json "/tmp/ws-$label-1.json" "$WL_PID" --mode pack --dry-run --range "$range"
	assert_eq "$label: hot pages (module) == touched (workload)" \
		"$(j "/tmp/ws-$label-1.json" hotPagesBefore)" "$HOT_PAGES"
	assert_eq "$label: hot frames (module) == the workload's pagemap count" \
		"$(j "/tmp/ws-$label-1.json" hotFramesBefore)" "$HOT_FRAMES"
	before=$HOT_FRAMES
	collapse_json "/tmp/ws-$label.json" "$WL_PID" --mode pack --range "$range" "$@"
	pack_summary "/tmp/ws-$label.json"
	echo "  $label: hot $(j "/tmp/ws-$label.json" hotPagesBefore) pages in $(j "/tmp/ws-$label.json" hotFramesBefore) -> $(j "/tmp/ws-$label.json" hotFramesAfter) frames (module)"
	assert_eq "$label: present after == before" \
		"$(j "/tmp/ws-$label.json" presentBytesAfter)" "$(j "/tmp/ws-$label.json" presentBytesBefore)"
	touch_hot
	AFTER=$HOT_FRAMES
	echo "  $label: the hot set's frames (workload): $before -> $AFTER"
	assert_eq "$label: hot pages touched again" "$HOT_PAGES" "$(j "/tmp/ws-$label-1.json" hotPagesBefore)"
	wl_verify
	wl_exit
}

run_variant pack
plain=$AFTER
run_variant hotfirst --hot-first
hot=$(j /tmp/ws-hotfirst.json hotPagesBefore)
assert_le "hot-first: the hot set's frames (ceil(hot / 512) + 2)" "$AFTER" $(( (hot + 511) / 512 + 2 ))
assert_le "hot-first vs plain pack: the hot set's frames" "$AFTER" "$plain"
# A moved page stays young only if migration entries carry the accessed
# bit, which needs swap support (/proc/swaps); without it every hot page
# that moved is old afterwards, and here every one moved.
if [ -e /proc/swaps ]; then
	assert_eq "hot-first: the module's hot frames after == the workload's" \
		"$(j /tmp/ws-hotfirst.json hotFramesAfter)" "$AFTER"
else
	assert_eq "hot-first: the module's hot frames after (no swap: moved pages are old)" \
		"$(j /tmp/ws-hotfirst.json hotFramesAfter)" 0
fi

# hot-first needs pack or auto mode
if kcollapsectl collapse $$ --mode collapse --hot-first --dry-run 2>/tmp/ws.err; then
	fail "collapse mode with --hot-first was accepted"
fi
echo "  refused: $(cat /tmp/ws.err)"
