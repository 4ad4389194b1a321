# A running operation holds no generic netlink lock. While one runs (and
# goes on running): a module registering and then removing a family of
# its own (insmod and rmmod of the kc_genl_probe test module, each taking
# genetlink's callback lock for writing, as any module with a family does)
# take less than a second longer than with nothing running; other
# families' requests and GET_INFO are answered within a second; a
# CANCEL then ends it within a second. An operation started with NO_WAIT
# answers at once with its id, and GET_RESULT returns its result once.
# kc-timeout: 600
. ./lib.sh
mod_load
LIMIT_MS=1000

# timed CMD...: run CMD (it must succeed); TOOK_MS its wall time.
timed() {
	t0=$(now_ms)
	"$@" || fail "$* failed"
	TOOK_MS=$(( $(now_ms) - t0 ))
}

# What loading and removing the probe module cost with nothing running
# (relocations, KASAN and RCU grace periods are slow on the debug kernel
# under TCG): the operation may add less than a second to either.
if ! kc_builtin; then
	timed insmod /lib/kcollapse/kc_genl_probe.ko
	INSMOD_MS=$TOOK_MS
	timed rmmod kc_genl_probe
	RMMOD_MS=$TOOK_MS
	say "idle: insmod $INSMOD_MS ms, rmmod $RMMOD_MS ms"
fi

wl_start $BIG_WL
collapse_bg /tmp/r.json
# 50 ms between windows: 256 windows outlast everything below
echo 50000 >/sys/kernel/debug/kcollapse/window_delay_us
wait_in_flight
kc-genlping 3000 >/tmp/ping 2>&1 &
PING_PID=$!
sleep 0.3
kc_builtin && { kill "$BG_PID"; wait "$BG_PID"; need_rmmod "no module support to load kc_genl_probe"; }
timed insmod /lib/kcollapse/kc_genl_probe.ko
assert_lt "insmod of a module with a family, during an operation (ms)" "$TOOK_MS" $((INSMOD_MS + LIMIT_MS))
kc-genlping 100 kc_probe >/dev/null || fail "the new family cannot be resolved"
timed rmmod kc_genl_probe
assert_lt "rmmod of that module, during the operation (ms)" "$TOOK_MS" $((RMMOD_MS + LIMIT_MS))
kc-genlping 300 info >/tmp/info || { cat /tmp/info; fail "GET_INFO failed"; }
assert_lt "slowest GET_INFO during the operation (ms)" "$(sed -n 's/.*max_ms=\([0-9]*\).*/\1/p' /tmp/info)" $LIMIT_MS
assert_eq "operations in flight meanwhile" "$(ops_in_flight)" 1
wait "$PING_PID" || { cat /tmp/ping; fail "nlctrl request failed"; }
cat /tmp/ping
assert_lt "slowest nlctrl answer (ms)" "$(sed -n 's/.*max_ms=\([0-9]*\).*/\1/p' /tmp/ping)" $LIMIT_MS
kill -0 "$BG_PID" 2>/dev/null || fail "the operation ended before the cancel"
stop_ms kcollapsectl cancel "$WL_PID"
assert_lt "cancel -> no operation (ms)" "$STOP_MS" $LIMIT_MS
wait "$BG_PID" || { cat /tmp/r.json.err; fail "collapse exited non-zero after cancel"; }
assert_eq "stop reason" "$(j /tmp/r.json stopReason)" cancelled
check_accounting /tmp/r.json

say "NO_WAIT: the id at once, the result by GET_RESULT, once"
kc-genlping nowait "$WL_PID" dry-run | tee /tmp/nw
grep -q '^op_id=[1-9]' /tmp/nw || fail "no operation id"
grep -q '^result rc=0 ' /tmp/nw || fail "GET_RESULT did not return the result"
assert_eq "its stop reason (0: done)" "$(sed -n 's/^result.* stop=\([0-9]*\).*/\1/p' /tmp/nw)" 0
assert_ge "windows it reached" "$(sed -n 's/^result.* chunks=\([0-9]*\).*/\1/p' /tmp/nw)" 1
assert_eq "second GET_RESULT (-ENOENT)" "$(sed -n 's/^again rc=//p' /tmp/nw)" -2

say "NO_WAIT: a result nobody fetched is freed with the module"
kc-genlping nowait "$WL_PID" dry-run >/tmp/nw2 &
nw_pid=$!
until grep -q '^op_id=' /tmp/nw2; do sleep 0.05; done
kill "$nw_pid"
wait "$nw_pid" 2>/dev/null
wait_idle
need_rmmod "everything but freeing a kept result at unload passed"
mod_unload
mod_load
wl_verify
wl_stop
