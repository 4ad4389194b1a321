# The module's KUnit suites, built on kernels with KUnit as a module of
# their own (kcollapse_kunit.ko), run when it loads, after kcollapse.ko.
# Their KTAP goes out between markers for the host's kunit.py parse; here
# every case must have passed, and kcollapse.ko itself carries no test code.
. ./lib.sh
[ -d /sys/kernel/debug/kunit ] || skip "kernel without KUnit"
KUNIT_KO=${KMOD%/*}/kcollapse_kunit.ko
[ -f "$KUNIT_KO" ] || fail "no $KUNIT_KO on a kernel with KUnit"
rmmod kcollapse_kunit 2>/dev/null
mod_unload
mod_load
assert_eq "KUnit symbols in kcollapse.ko" \
	"$(grep '\[kcollapse\]$' /proc/kallsyms | grep -ci kunit)" 0
insmod "$KUNIT_KO" || fail "insmod $KUNIT_KO"
suites=$(ls -d /sys/kernel/debug/kunit/kcollapse_* 2>/dev/null)
[ -n "$suites" ] || fail "no kcollapse KUnit suites registered"
# One KTAP document of every suite: each debugfs results file is a document
# of its own ("KTAP version 1", "1..1", the suite as test 1).
echo "KTAP-BEGIN"
echo "KTAP version 1"
echo "1..$(echo "$suites" | wc -w)"
i=0
for s in $suites; do
	i=$((i + 1))
	awk -v i=$i 'NR <= 2 && /^(KTAP version|1\.\.)/ {next}
		/^(not )?ok 1 / {sub(/ok 1 /, "ok " i " ")} {print}' "$s/results"
done
echo "KTAP-END"
cases=$(cat $(for s in $suites; do echo "$s/results"; done) | grep -cE '^    (not )?ok ')
bad=$(cat $(for s in $suites; do echo "$s/results"; done) | grep -cE '^ *not ok ')
assert_ge "KUnit cases" "$cases" 30
assert_eq "KUnit failures" "$bad" 0
rmmod kcollapse_kunit || fail "rmmod kcollapse_kunit"
