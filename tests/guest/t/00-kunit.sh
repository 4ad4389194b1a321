# The module's KUnit suites (compiled in on kernels with KUnit) ran when it
# loaded. Their KTAP goes out between markers for the host's kunit.py parse;
# here every case must have passed.
. ./lib.sh
[ -d /sys/kernel/debug/kunit ] || skip "kernel without KUnit"
mod_unload
mod_load
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
