# The IBT check's refusal path, forced with assume_ibt=1: the module loads,
# reports the engine unavailable, refuses to collapse with EOPNOTSUPP and a
# message, and still does dry runs. Where the entry point does carry a real
# ENDBR64 (not sealed), the check must pass instead.
. ./lib.sh
mod_unload
mod_load assume_ibt=1
kcollapsectl info
kcollapsectl info --json >/tmp/i.json
status=$(j /tmp/i.json engineStatus)
wl_start --only dense
case "$status" in
*"has ENDBR64"*)
	assert_eq "engine available" "$(j /tmp/i.json engineAvailable)" true
	;;
*)
	assert_match "status" "$status" "unavailable: IBT assumed"
	assert_eq "engine available" "$(j /tmp/i.json engineAvailable)" false
	kcollapsectl collapse "$WL_PID" --engine kmod 2>/tmp/e && fail "collapse allowed"
	cat /tmp/e
	grep -q "unavailable" /tmp/e || fail "no message"
	collapse_json /tmp/d.json "$WL_PID" --range "$(wl_range)" --dry-run
	assert_eq "dry-run candidates" "$(j /tmp/d.json candidates)" 8
	assert_eq "AnonHugePages" "$(anon_huge_kb "$(wl_vma dense start)")" 0
	;;
esac
wl_stop
mod_unload
mod_load
