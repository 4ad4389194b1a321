# THP opt-outs (VM_NOHUGEPAGE, as Go <= 1.20 leaves its scavenged heap, and
# PR_SET_THP_DISABLE): collapse respects and counts them, --mark-hugepage
# clears VM_NOHUGEPAGE as MADV_HUGEPAGE would, pack ignores them, auto packs
# what it may not collapse. Plus the huge zero page counted as empty and an
# unaligned range start refused.
# kc-timeout: 400
. ./lib.sh
mod_load

# sp_start [kc-sparse args...]: 8 windows of 64 live pages in 64 MiB.
sp_start() {
	WL_OUT=$(mktemp /tmp/sp.XXXXXX)
	kc-sparse --out "$WL_OUT" --reserve 64M --windows 8 --pages 64 "$@" &
	WL_PID=$!
	wl_wait_ready
	SP_START=$(awk '$1 == "vma" && $2 == "data" {print $3}' "$WL_OUT")
}

sp_flags() {
	awk -v s="$(printf '%x' "$SP_START")" '$1 ~ "^"s"-" {f=1} f && /^VmFlags/ {print; exit}' \
		/proc/"$WL_PID"/smaps
}

sp_op() {
	collapse_json /tmp/r.json "$WL_PID" --range "$SP_START:64M" "$@"
	check_accounting /tmp/r.json
	assert_eq "stop reason" "$(j /tmp/r.json stopReason)" done
	assert_eq "after measured in full" "$(j /tmp/r.json afterComplete)" true
}

say "VM_NOHUGEPAGE, collapse: respected and counted"
sp_start --nohugepage
sp_flags | grep -q ' nh' || fail "kc-sparse did not get VM_NOHUGEPAGE"
sp_op
assert_eq "regions (the opted-out VMA is covered)" "$(j /tmp/r.json regions)" 1
assert_eq "chunks" "$(j /tmp/r.json chunks)" 32
assert_eq "skipped opted out" "$(j /tmp/r.json skippedOptedOut)" 8
assert_eq "skipped empty" "$(j /tmp/r.json skippedEmpty)" 24
assert_eq "collapsed" "$(j /tmp/r.json collapsed)" 0
assert_eq "present bytes measured" "$(j /tmp/r.json presentBytesBefore)" $((512 * 4096))
assert_eq "AnonHugePages" "$(kc-smaps "$WL_PID" "$SP_START" | awk '{print $1}')" 0
wl_verify
wl_stop

say "VM_NOHUGEPAGE, collapse --mark-hugepage: cleared, then collapsed"
sp_start --nohugepage
sp_op --mark-hugepage
assert_eq "marked" "$(j /tmp/r.json marked)" 1
assert_eq "collapsed" "$(j /tmp/r.json collapsed)" 8
assert_eq "skipped opted out" "$(j /tmp/r.json skippedOptedOut)" 0
assert_le "frames after (windows with live pages)" "$(j /tmp/r.json framesAfter)" 8
flags=$(sp_flags)
echo "  $flags"
echo "$flags" | grep -q ' hg' || fail "not VM_HUGEPAGE after --mark-hugepage"
echo "$flags" | grep -q ' nh' && fail "still VM_NOHUGEPAGE after --mark-hugepage"
assert_eq "AnonHugePages" "$(kc-smaps "$WL_PID" "$SP_START" | awk '{print $1}')" $((8 * 2048))
wl_verify
wl_stop

say "VM_NOHUGEPAGE, pack: no hugepage made, so the opt-out does not matter"
sp_start --nohugepage
pack_or_skip "$WL_PID"
sp_op --mode pack
pack_summary /tmp/r.json
assert_eq "pages reached" "$(pack_reached /tmp/r.json)" 512
assert_ge "moved" "$(j /tmp/r.json packMoved)" 1
assert_le "frames after" "$(j /tmp/r.json framesAfter)" \
	$(( $(j /tmp/r.json packDenseFrames) + $(j /tmp/r.json packDestFrames) ))
assert_eq "present bytes unchanged" "$(j /tmp/r.json presentBytesAfter)" $((512 * 4096))
sp_flags | grep -q ' nh' || fail "pack changed the VMA's flags"
wl_verify
wl_stop

say "VM_NOHUGEPAGE, auto: dense windows it may not collapse are packed"
sp_start --nohugepage
sp_op --mode auto --auto-threshold 32
pack_summary /tmp/r.json
assert_eq "skipped opted out" "$(j /tmp/r.json skippedOptedOut)" 8
assert_eq "collapsed" "$(j /tmp/r.json collapsed)" 0
assert_eq "pages reached by pack" "$(pack_reached /tmp/r.json)" 512
wl_verify
wl_stop

say "PR_SET_THP_DISABLE: --mark-hugepage cannot lift it; pack still works"
sp_start --thp-disable
grep -q 'THP_enabled:.*0' /proc/"$WL_PID"/status || fail "prctl did not take"
sp_op --mark-hugepage
assert_eq "skipped opted out" "$(j /tmp/r.json skippedOptedOut)" 8
assert_eq "collapsed" "$(j /tmp/r.json collapsed)" 0
sp_op --mode pack
pack_summary /tmp/r.json
assert_eq "pages reached by pack" "$(pack_reached /tmp/r.json)" 512
assert_eq "present bytes unchanged" "$(j /tmp/r.json presentBytesAfter)" $((512 * 4096))
wl_verify
wl_stop

say "The huge zero page is empty: no data, no frame"
thp=/sys/kernel/mm/transparent_hugepage
if grep -q '\[never\]' $thp/enabled || [ "$(cat $thp/use_zero_page)" != 1 ]; then
	say "  (THP or its zero page disabled here: part skipped)"
else
	sp_start --zero-windows 4
	z=$(awk '$1 == "vma" && $2 == "zero" {print $3}' "$WL_OUT")
	# Only the first byte of each window was read: a second page present
	# in pagemap means the whole window is mapped, by the huge zero page.
	e=$(dd if=/proc/"$WL_PID"/pagemap bs=8 skip=$(( z / 4096 + 1 )) count=1 2>/dev/null |
		od -An -tx8 | tr -d ' ')
	case "$e" in [89a-f]*) ;; *) fail "zero windows not PMD-mapped (pagemap $e)" ;; esac
	collapse_json /tmp/r.json "$WL_PID" --range "$z:8M" --dry-run
	assert_eq "chunks" "$(j /tmp/r.json chunks)" 4
	assert_eq "skipped empty" "$(j /tmp/r.json skippedEmpty)" 4
	assert_eq "already huge" "$(j /tmp/r.json alreadyHuge)" 0
	assert_eq "frames before" "$(j /tmp/r.json framesBefore)" 0
	assert_eq "present bytes before" "$(j /tmp/r.json presentBytesBefore)" 0
	wl_stop
fi

say "An unaligned range start is refused with a reason"
sp_start
if out=$(kcollapsectl collapse "$WL_PID" --range "$((SP_START + 1)):0x1000" --json 2>&1); then
	fail "unaligned start accepted: $out"
fi
echo "  $out"
assert_match "message" "$out" "align"
wl_stop
