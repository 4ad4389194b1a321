# The IBT check's refusal path, forced with the assume_ibt testing aid: the
# module reports the engine unavailable, refuses to collapse with
# EOPNOTSUPP and a message, and still does dry runs; auto mode through the
# auto engine is split between the userspace engine (collapse) and the
# module (pack). Where the entry point does carry a real ENDBR64 (not
# sealed), the check must pass instead.
. ./lib.sh
mod_unload
mod_load
echo 1 >/sys/kernel/debug/kcollapse/assume_ibt || fail "set assume_ibt"
kcollapsectl info
kcollapsectl info --engine kmod --json >/tmp/i.json
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
	# Auto mode, auto engine: the dense windows collapsed by the
	# userspace engine, the rest packed by the module, one result.
	if kcollapsectl collapse $$ --mode pack --dry-run >/dev/null 2>&1; then
		wl_stop
		wl_start --only dense,frag
		collapse_json /tmp/a.json "$WL_PID" --range "$(wl_range)" --mode auto
		assert_eq "engine" "$(j /tmp/a.json engine)" userspace+kmod
		assert_eq "mode" "$(j /tmp/a.json mode)" auto
		assert_eq "stop" "$(j /tmp/a.json stopReason)" done
		assert_ge "collapsed (dense windows)" "$(j /tmp/a.json collapsed)" 8
		assert_ge "pages packed (frag)" "$(j /tmp/a.json packMoved)" 1
		assert_ge "AnonHugePages (kB)" \
			"$(anon_huge_kb "$(wl_vma dense start)")" 16384
		wl_verify
	fi
	;;
esac
wl_stop
mod_unload
mod_load
