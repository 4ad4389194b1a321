# Lockless page-table reads against PTE tables emptied under them: the
# target's threads drop whole 2 MiB windows (MADV_DONTNEED; since 6.14 the
# emptied PTE table is freed under the mmap read lock, RCU-deferred) and
# fault them back, among kc-stress's other changes, while the module reads
# those tables: dry runs (measuring and classifying only) and packs
# (planning what moves). Every page is checked after each operation; the
# runner checks the kernel log (KASAN reports on the debug kernels).
# KC_PTE_ROUNDS overrides the count per mode.
# kc-timeout: 900
. ./lib.sh
mod_load
rounds=200
[ -e /sys/kernel/debug/kmemleak ] && rounds=25
rounds=${KC_PTE_ROUNDS:-$rounds}
modes="dry pack"
kcollapsectl collapse $$ --mode pack --dry-run >/dev/null 2>/tmp/pack.err ||
	{ modes=dry; echo "  dry runs only: $(cat /tmp/pack.err)"; }
for m in $modes; do
	start=$(now_ms)
	kc-stress "$rounds" 20261130 kmod "$m" >/tmp/stress.out 2>&1
	rc=$?
	sed 's/^/  /' /tmp/stress.out
	[ "$rc" -eq 0 ] || fail "kc-stress $m reported errors"
	echo "  $rounds rounds ($m) in $(( $(now_ms) - start )) ms"
done
assert_eq "operations in flight" "$(ops_in_flight)" 0
