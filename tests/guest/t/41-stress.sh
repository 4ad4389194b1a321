# Data integrity stress: hundreds of operations on freshly randomized layouts
# (VMA sizes, alignment, fills, read-only and no-hugepage VMAs) while two
# threads of the target mprotect, mremap, munmap and refault, drop pages and
# fork (kc-stress); every page of every region checked after each one.
# Where pack mode exists the rounds cycle collapse, pack and auto.
# KC_STRESS_ROUNDS overrides the count.
# kc-timeout: 900
. ./lib.sh
mod_load
# Three hundred in make check (make soak: ten thousand); KASAN and lockdep
# make each round several times slower.
rounds=300
[ -e /sys/kernel/debug/kmemleak ] && rounds=100
rounds=${KC_STRESS_ROUNDS:-$rounds}
modes=mix
kcollapsectl collapse $$ --mode pack --dry-run >/dev/null 2>/tmp/pack.err ||
	{ modes=collapse; echo "  collapse only: $(cat /tmp/pack.err)"; }
start=$(now_ms)
kc-stress "$rounds" 20261127 kmod "$modes" || fail "kc-stress reported errors"
echo "  $rounds rounds ($modes) in $(( $(now_ms) - start )) ms"
assert_eq "operations in flight" "$(ops_in_flight)" 0
