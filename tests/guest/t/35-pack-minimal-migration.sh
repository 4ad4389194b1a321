# Pack isolates, locks and unmaps only the pages it moves. With a forked
# child sharing every other page copy-on-write (shared and private pages
# alternate), the private ones move and no shared page is unmapped from
# anyone: the kernel's set_migration_pte tracepoint (try_to_migrate(),
# which unmaps a page from its other processes too) never fires, and every
# remove_migration_pte is the mapping of a page that was moved (or had to
# be restored).
. ./lib.sh
mod_load
T=/sys/kernel/tracing
[ -e $T/trace ] || mount -t tracefs nodev $T 2>/dev/null || T=/sys/kernel/debug/tracing
[ -e $T/events/migrate/set_migration_pte/enable ] || skip "no migrate tracepoints"
wl_start --only frag,sparse --fork-child-half
pack_or_skip "$WL_PID"
grep '^unshared' "$WL_OUT"
echo 0 >$T/tracing_on
echo >$T/trace
echo 1 >$T/events/migrate/set_migration_pte/enable
echo 1 >$T/events/migrate/remove_migration_pte/enable
echo 1 >$T/tracing_on
collapse_json /tmp/m.json "$WL_PID" --mode pack --range "$(wl_range)"
echo 0 >$T/tracing_on
echo 0 >$T/events/migrate/set_migration_pte/enable
echo 0 >$T/events/migrate/remove_migration_pte/enable
set_n=$(grep -c ' set_migration_pte:' $T/trace)
rm_n=$(grep -c ' remove_migration_pte:' $T/trace)
pack_summary /tmp/m.json
moved=$(j /tmp/m.json packMoved)
assert_ge "left: shared (with the child)" "$(j /tmp/m.json packLeftShared)" 1
assert_ge "moved (the private pages)" "$moved" 1
assert_eq "set_migration_pte events (a mapping in another process unmapped)" "$set_n" 0
assert_le "remove_migration_pte events" "$rm_n" \
	$((moved + $(j /tmp/m.json packLeftBusy) + $(j /tmp/m.json packLeftPinned)))
assert_ge "remove_migration_pte events" "$rm_n" "$moved"
wl_verify
wl_exercise
wl_verify
wl_exit
