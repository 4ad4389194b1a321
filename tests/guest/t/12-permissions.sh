# Only CAP_SYS_ADMIN may collapse or cancel; an unprivileged caller starts
# nothing.
. ./lib.sh
mod_load
wl_start --only dense
alloc0=$(vmstat thp_collapse_alloc)
if kc-runas 65534 65534 kcollapsectl collapse "$WL_PID" 2>/tmp/e1; then
	fail "unprivileged collapse succeeded"
fi
cat /tmp/e1
grep -q "CAP_SYS_ADMIN" /tmp/e1 || fail "no CAP_SYS_ADMIN message"
if kc-runas 65534 65534 kcollapsectl cancel "$WL_PID" 2>/tmp/e2; then
	fail "unprivileged cancel succeeded"
fi
grep -q "CAP_SYS_ADMIN" /tmp/e2 || fail "no CAP_SYS_ADMIN message on cancel"
assert_eq "collapses (vmstat)" $(( $(vmstat thp_collapse_alloc) - alloc0 )) 0
assert_eq "AnonHugePages" "$(anon_huge_kb "$(wl_vma dense start)")" 0
wl_stop
