# kcollapsectl --engine userspace with the module unloaded: the fallback
# collapses, classifies, stops at a deadline and is cancelled from another
# process, with the module's statistics; auto picks it; kmod says why not.
. ./lib.sh
not_on_debug_kernel "the module unloaded: userspace engine only, run on the production kernels"
mod_unload
kcollapsectl info --engine auto
kcollapsectl info --engine auto --json >/tmp/a.json || fail "info --engine auto"
assert_eq "auto selects" "$(j /tmp/a.json selectedEngine)" userspace
assert_eq "module" "$(j /tmp/a.json module)" null

wl_start --only dense,frag,sparse,empty,mixed
kcollapsectl collapse "$WL_PID" --engine kmod 2>/tmp/e && fail "kmod without the module"
grep -q "not loaded" /tmp/e || fail "no 'not loaded' message"
kcollapsectl collapse "$WL_PID" --engine userspace --mark-hugepage 2>/tmp/e &&
	fail "mark-hugepage accepted"
grep -q "MADV_HUGEPAGE" /tmp/e || fail "no clear mark-hugepage message"
collapse_json /tmp/d.json "$WL_PID" --range "$(wl_range)" --engine userspace --dry-run --min-fill 64
assert_eq "dry run: candidates" "$(j /tmp/d.json candidates)" 12
assert_eq "dry run: sparse" "$(j /tmp/d.json skippedSparse)" 24
assert_eq "dry run: nothing collapsed" "$(anon_huge_kb "$(wl_vma dense start)")" 0
collapse_json /tmp/r.json "$WL_PID" --range "$(wl_range)" --min-fill 64
check_accounting /tmp/r.json
assert_eq "engine (auto)" "$(j /tmp/r.json engine)" userspace
assert_eq "collapsed" "$(j /tmp/r.json collapsed)" 12
assert_eq "mixed AnonHugePages" "$(anon_huge_kb "$(wl_vma mixed start)")" $((4 * 2048))
assert_eq "frag AnonHugePages" "$(anon_huge_kb "$(wl_vma frag start)")" 0
wl_verify
wl_stop

# Deadline.
wl_start $BIG_WL
collapse_json /tmp/r.json "$WL_PID" --range "$(wl_range)" --engine userspace --deadline-ms 200
check_accounting /tmp/r.json
assert_eq "deadline: stop reason" "$(j /tmp/r.json stopReason)" deadline
assert_lt "deadline: windows reached" "$(j /tmp/r.json chunks)" $BIG_WINDOWS
assert_eq "deadline: AnonHugePages" "$(anon_huge_kb "$(wl_vma sparse start)")" \
	$(( $(j /tmp/r.json collapsed) * 2048 ))
wl_verify
wl_stop

# Cancelled from another process, then busy for a second one meanwhile.
wl_start $BIG_WL
collapse_bg /tmp/c.json --engine userspace
i=0
while [ -z "$(ls /run/kcollapse/ 2>/dev/null)" ]; do
	i=$((i + 1))
	[ $i -lt 500 ] || fail "no lock file"
	sleep 0.02
done
kcollapsectl collapse "$WL_PID" --engine userspace --dry-run 2>/tmp/e && fail "second op not busy"
grep -q "already running" /tmp/e || fail "no 'already running' message"
kcollapsectl cancel "$WL_PID" | tee /tmp/cc.out
grep -q "cancelled 1" /tmp/cc.out || fail "cancel found nothing"
wait "$BG_PID" || { cat /tmp/c.json.err; fail "collapse failed after cancel"; }
jq -c . /tmp/c.json
check_accounting /tmp/c.json
assert_eq "cancel: stop reason" "$(j /tmp/c.json stopReason)" cancelled
assert_lt "cancel: windows reached" "$(j /tmp/c.json chunks)" $BIG_WINDOWS
assert_eq "cancel: AnonHugePages" "$(anon_huge_kb "$(wl_vma sparse start)")" \
	$(( $(j /tmp/c.json collapsed) * 2048 ))
kcollapsectl cancel "$WL_PID" | grep -q "no running" || fail "second cancel found one"
assert_eq "lock files left" "$(ls /run/kcollapse | wc -l)" 0
wl_verify
wl_stop
mod_load
