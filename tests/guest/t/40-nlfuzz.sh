# Netlink fuzzing: malformed, truncated, oversized, wrong-typed and random
# messages to the family from root, then from an unprivileged user, with
# valid GET_INFO and dry-run COLLAPSE requests interleaved (kc-nlfuzz). The
# console must stay clean (the host checks it: oops, WARN, KASAN...), valid
# commands keep working, and unprivileged messages never start work.
# kc-timeout: 600
. ./lib.sh
mod_load
wl_start --only dense,sparse
root_n=${KC_NLFUZZ_ROOT:-42000}
user_n=${KC_NLFUZZ_USER:-18000}
# 60,000 in make check; KASAN makes every message about four times slower:
# 40,000 there (make soak: ten times 100,000 on every kernel).
if [ -e /sys/kernel/debug/kmemleak ]; then
	root_n=${KC_NLFUZZ_ROOT:-28000}
	user_n=${KC_NLFUZZ_USER:-12000}
fi

start=$(now_ms)
kc-nlfuzz "$root_n" 1 "$WL_PID" || fail "root fuzz run"
echo "  root: $(( $(now_ms) - start )) ms"

alloc0=$(vmstat thp_collapse_alloc)
start=$(now_ms)
kc-runas 65534 65534 kc-nlfuzz "$user_n" 2 "$WL_PID" || fail "unprivileged fuzz run"
echo "  unprivileged: $(( $(now_ms) - start )) ms"
assert_eq "collapses during the unprivileged run (vmstat)" \
	$(( $(vmstat thp_collapse_alloc) - alloc0 )) 0

assert_eq "operations in flight" "$(ops_in_flight)" 0
kcollapsectl info --engine kmod >/dev/null || fail "GET_INFO after the fuzzing"
collapse_json /tmp/r.json "$WL_PID"
assert_eq "stop reason" "$(j /tmp/r.json stopReason)" done
check_accounting /tmp/r.json
wl_verify
wl_stop
