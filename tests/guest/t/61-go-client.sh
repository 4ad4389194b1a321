# The Go package (go/kcollapse) from a static Go binary, as envd would use
# it: collapse and pack of itself and of another process, a cancelled
# context returning the partial result, the envd handler answering the
# orchestrator's request, and the module absent (os.ErrNotExist, the
# handler falling back to the in-process method).
# The requests and replies of the steps up to the cancel are recorded
# (KC_RECORD, go/cmd/kc-goclient/record.go) and printed base64 between
# "--- kc-goclient record" lines: go/kcollapse/testdata comes from them.
# About 2 min on the debug kernel of a quiet host; more than the default
# 4 min on a busy one.
# kc-timeout: 600
. ./lib.sh
mod_load
export KC_RECORD=/tmp/gorec
rm -rf "$KC_RECORD"

# go_run OUT ARGS...: kc-goclient ARGS, its JSON in OUT; fails on non-zero.
go_run() {
	out=$1
	shift
	kc-goclient "$@" >"$out" || { cat "$out"; fail "kc-goclient $* failed"; }
	jq -c . "$out" | sed 's/^/  go: /'
}

say "info over Go"
export KC_RECORD_AS=info
go_run /tmp/gi.json info
assert_eq "protocol version" "$(j /tmp/gi.json protocolVersion)" 1

say "collapse of itself (a fragmented Go heap, opted out of THP: --mark)"
export KC_RECORD_AS=collapse-self
go_run /tmp/g1.json collapse -mark -alloc 64
jq .result /tmp/g1.json >/tmp/g1r.json
check_accounting /tmp/g1r.json
assert_eq "engine" "$(j /tmp/g1r.json engine)" kmod
assert_eq "stop reason" "$(j /tmp/g1r.json stopReason)" done
assert_ge "collapsed" "$(j /tmp/g1r.json collapsed)" 1
assert_eq "its own heap intact" "$(j /tmp/g1.json verify)" ok

say "pack of itself"
export KC_RECORD_AS=pack-self
if kc-goclient collapse -mode pack -alloc 64 >/tmp/g2.json; then
	jq .result /tmp/g2.json >/tmp/g2r.json
	pack_summary /tmp/g2r.json
	assert_eq "mode" "$(j /tmp/g2r.json mode)" pack
	assert_ge "pages moved" "$(j /tmp/g2r.json packMoved)" 1
	assert_le "frames after" "$(j /tmp/g2r.json framesAfter)" "$(j /tmp/g2r.json framesBefore)"
	assert_eq "its own heap intact" "$(j /tmp/g2.json verify)" ok
else
	cat /tmp/g2.json
	grep -q CONFIG_DEVICE_MIGRATION /tmp/g2.json || fail "pack of itself failed"
	say "  pack unsupported on this kernel"
fi

say "collapse, then pack, of another process"
wl_start --only $LAYOUT
export KC_RECORD_AS=dry-run-other
go_run /tmp/g3d.json collapse -dry-run -pid "$WL_PID" -range "$(wl_range)"
jq .result /tmp/g3d.json >/tmp/g3dr.json
check_accounting /tmp/g3dr.json
assert_eq "dry run collapsed" "$(j /tmp/g3dr.json collapsed)" 0
assert_ge "dry run candidates" "$(j /tmp/g3dr.json candidates)" 1
export KC_RECORD_AS=collapse-other
go_run /tmp/g3.json collapse -pid "$WL_PID" -range "$(wl_range)"
jq .result /tmp/g3.json >/tmp/g3r.json
check_accounting /tmp/g3r.json
assert_eq "pid" "$(j /tmp/g3r.json pid)" "$WL_PID"
assert_ge "collapsed" "$(j /tmp/g3r.json collapsed)" 1
assert_eq "opted-out windows counted" "$(j /tmp/g3r.json skippedOptedOut)" 4
wl_verify
wl_stop
wl_start --only frag,sparse
pack_or_skip "$WL_PID"
export KC_RECORD_AS=pack-other
go_run /tmp/g4.json collapse -pid "$WL_PID" -mode pack -range "$(wl_range)"
assert_ge "pages moved" "$(jq .result.packMoved /tmp/g4.json)" 1
wl_verify
wl_stop

say "errors: no such process is os.ErrNotExist"
export KC_RECORD_AS=esrch
kc-goclient collapse -pid 999999 >/tmp/g5.json && fail "collapse of pid 999999 succeeded"
jq -c . /tmp/g5.json
assert_eq "errors.Is(err, os.ErrNotExist)" "$(jq .err.notExist /tmp/g5.json)" true
assert_eq "errno" "$(jq .err.errno /tmp/g5.json)" 3
grep -q 'no such process' /tmp/g5.json || fail "no extended-ACK message"

say "a cancelled context sends CANCEL and returns the partial result"
wl_start $BIG_WL
echo 20000 >/sys/kernel/debug/kcollapse/window_delay_us
export KC_RECORD_AS=cancel-ctx
go_run /tmp/g6.json cancel-ctx -pid "$WL_PID" -range "$(wl_range)"
jq .result /tmp/g6.json >/tmp/g6r.json
check_accounting /tmp/g6r.json
assert_eq "error" "$(jq -r .err.error /tmp/g6.json)" "context canceled"
assert_eq "stop reason" "$(j /tmp/g6r.json stopReason)" cancelled
assert_lt "windows reached" "$(j /tmp/g6r.json chunks)" $BIG_WINDOWS
echo 0 >/sys/kernel/debug/kcollapse/window_delay_us
wait_idle
wl_verify
wl_stop

say "the recorded exchanges"
unset KC_RECORD_AS
kc-goclient dump "$KC_RECORD" || fail "kc-goclient dump failed"
unset KC_RECORD

say "the envd handler, orchestrator-exact request, module loaded"
go_run /tmp/g7.json handler -token tok -mark -alloc 32
assert_eq "status" "$(j /tmp/g7.json status)" 200
assert_eq "Cache-Control" "$(j /tmp/g7.json cacheControl)" no-store
assert_eq "engine" "$(j /tmp/g7.json body.engine)" kmod
assert_eq "heap intact" "$(j /tmp/g7.json verify)" ok

need_rmmod "every call through the module passed"
say "module absent"
mod_unload
go_run /tmp/g8.json absent
assert_eq "errors.Is(err, os.ErrNotExist)" "$(j /tmp/g8.json notExist)" true
go_run /tmp/g9.json handler -mark -alloc 32
assert_eq "status" "$(j /tmp/g9.json status)" 200
assert_eq "engine" "$(j /tmp/g9.json body.engine)" in-process
assert_ge "collapsed in process" "$(j /tmp/g9.json body.collapsed)" 1
assert_eq "heap intact" "$(j /tmp/g9.json verify)" ok
mod_load
