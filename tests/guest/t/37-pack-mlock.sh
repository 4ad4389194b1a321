# mlock(2)ed memory is packed only while vm.compact_unevictable_allowed
# lets the kernel's own compaction move it. At 0 every page that would
# move is left as "locked" and nothing moves; at 1 the pages move, stay
# locked (PG_mlocked, from kpageflags) and keep their contents.
. ./lib.sh
knob=/proc/sys/vm/compact_unevictable_allowed
[ -w $knob ] || skip "no $knob (kernel without compaction)"
mod_load
old=$(cat $knob)
trap 'echo "$old" >$knob' EXIT
wl_start --only frag,sparse --mlock
pack_or_skip "$WL_PID"
range=$(wl_range)
len=$(printf '%x' $(( $(wl_end_in "$WL_OUT") - WL_BASE )))
flags() { kc-pageflags "$WL_PID" "${WL_BASE#0x}" "$len"; }
before=$(flags)
echo "  kpageflags before: $before"
present=${before%% *}
assert_eq "mlocked before" "${before% unevictable=*}" "$present mlocked=${present#present=}"

echo 0 >$knob
collapse_json /tmp/l0.json "$WL_PID" --mode pack --range "$range"
pack_summary /tmp/l0.json
assert_eq "allowed=0: moved" "$(j /tmp/l0.json packMoved)" 0
assert_ge "allowed=0: left locked" "$(j /tmp/l0.json packLeftLocked)" 1
assert_eq "allowed=0: pages reached" "$(pack_reached /tmp/l0.json)" "${present#present=}"
assert_eq "allowed=0: frames after == before" "$(j /tmp/l0.json framesAfter)" \
	"$(j /tmp/l0.json framesBefore)"
wl_verify

echo 1 >$knob
collapse_json /tmp/l1.json "$WL_PID" --mode pack --range "$range"
pack_summary /tmp/l1.json
# The module finds the setting through kallsyms, whose data symbols need
# CONFIG_KALLSYMS_ALL (Debian's kernels and the debug kernel have it, the
# project's guest and built-in kernels do not): without it, mlocked
# memory stays where it is whatever the setting says.
if ! grep -q ' sysctl_compact_unevictable_allowed$' /proc/kallsyms; then
	echo "  the setting is not in kallsyms: allowed=1 leaves them too"
	assert_eq "allowed=1, not found: moved" "$(j /tmp/l1.json packMoved)" 0
	assert_eq "allowed=1, not found: left locked" "$(j /tmp/l1.json packLeftLocked)" \
		"$(j /tmp/l0.json packLeftLocked)"
	wl_verify
	wl_exit
	exit 0
fi
assert_eq "allowed=1: left locked" "$(j /tmp/l1.json packLeftLocked)" 0
moved=$(j /tmp/l1.json packMoved)
assert_ge "allowed=1: moved" "$moved" $(( $(j /tmp/l0.json packLeftLocked) * 9 / 10 ))
assert_eq "allowed=1: moved + busy + pinned (what allowed=0 left)" \
	$((moved + $(j /tmp/l1.json packLeftBusy) + $(j /tmp/l1.json packLeftPinned))) \
	"$(j /tmp/l0.json packLeftLocked)"
assert_lt "allowed=1: frames after vs before" "$(j /tmp/l1.json framesAfter)" \
	"$(j /tmp/l1.json framesBefore)"
after=$(flags)
echo "  kpageflags after: $after"
assert_eq "allowed=1: every page still present and mlocked" "${after% unevictable=*}" \
	"$present mlocked=${present#present=}"
wl_verify
wl_exercise
wl_verify
wl_exit
