# The family through the kernel's own ynl CLI (tools/net/ynl/cli.py from
# linux-source-6.12) and our YNL spec (Documentation/netlink/specs/
# kcollapse.yaml), as an outside user of the spec would drive it; packed
# by tests/ynl/bundle.sh, run by the runtimes bundle's python3.11 (vm-test
# only: skipped on the debug kernel).
#  - GET_INFO decodes to what kcollapsectl reports.
#  - A waited COLLAPSE: ynl sends every request with NLM_F_ACK and stops
#    reading at the ack, which comes when the operation starts (see
#    "Waiting, or not" in the uapi header): the CLI prints no result
#    (null), and the operation then ends on its own (the socket closed).
#  - So a dry-run COLLAPSE goes the NO_WAIT way: pid and op-id at once,
#    then GET_RESULT until it is no longer in progress. Its statistics,
#    the enums decoded by name, equal kcollapsectl's dry run of the same
#    range; a second GET_RESULT finds nothing (a result is returned once).
. ./lib.sh
not_on_debug_kernel "the protocol through another client: the module paths it drives are checked on this kernel by the other tests, and Python here takes 3 min under TCG"
Y=/opt/kc-ynl
[ -f $Y/cli.py ] || skip "no ynl bundle here (run.sh --cpio with tests/ynl/bundle.sh's archive)"
[ -x /usr/bin/python3.11 ] ||
	skip "no python3.11 here (run.sh --cpio with tests/runtimes/bundle.sh's archive)"
ynl() {
	/usr/bin/python3.11 -S $Y/cli.py --spec $Y/kcollapse.yaml --no-schema --output-json "$@"
}
mod_load

ynl --do get-info >/tmp/yi.json 2>&1 || { cat /tmp/yi.json; fail "ynl --do get-info"; }
say "get-info: $(cat /tmp/yi.json)"
kcollapsectl info --engine kmod --json >/tmp/ki.json || fail "kcollapsectl info --engine kmod --json"
assert_eq "proto-version" "$(jq -r '."proto-version"' /tmp/yi.json)" "$(j /tmp/ki.json protocolVersion)"
assert_eq "kernel-release" "$(jq -r '."kernel-release"' /tmp/yi.json)" "$(uname -r)"
assert_eq "engine" "$(jq -r .engine /tmp/yi.json)" "$(j /tmp/ki.json engine)"
assert_eq "engine-available" "$(jq -r '."engine-available"' /tmp/yi.json)" 1
assert_eq "ops-max" "$(jq -r '."ops-max"' /tmp/yi.json)" 8
assert_eq "ops-in-flight" "$(jq -r '."ops-in-flight"' /tmp/yi.json)" 0
assert_match "module-version" "$(jq -r '."module-version"' /tmp/yi.json)" '^[0-9]'
assert_match "access-status" "$(jq -r '."access-status"' /tmp/yi.json)" 'mm_access'

wl_start --only dense,frag,sparse,empty,mixed
range=$(wl_range)
start=$((${range%%:*}))
len=$((${range##*:}))
req="\"pid\": $WL_PID, \"range-start\": $start, \"range-len\": $len, \"dry-run\": true"

out=$(ynl --do collapse --json "{$req}" 2>&1) || fail "ynl --do collapse (waited): $out"
say "waited collapse through ynl: $out"
# ynl asks for an ack and stops at it; the operation runs in a worker, so
# a short one's result may come before the ack (uapi: "Waiting, or not").
if [ "$out" = null ]; then
	say "  ynl stopped at the ack, before the result"
else
	assert_eq "waited collapse: the result that came before the ack, its pid" \
		"$(echo "$out" | jq '.pid')" "$WL_PID"
	assert_ge "waited collapse: the result that came before the ack, candidates" \
		"$(echo "$out" | jq '.result.candidates')" 1
fi
wait_idle

out=$(ynl --do collapse --json "{$req, \"no-wait\": true}" 2>&1) ||
	fail "ynl --do collapse (no-wait): $out"
say "no-wait collapse: $out"
assert_eq "no-wait reply: pid" "$(echo "$out" | jq -r .pid)" "$WL_PID"
id=$(echo "$out" | jq -r '."op-id"')
assert_match "no-wait reply: op-id" "$id" '^[1-9][0-9]*$'
end=$(( $(now_ms) + 120000 ))
while :; do
	if ynl --do get-result --json "{\"op-id\": $id}" >/tmp/yr.json 2>&1; then
		break
	fi
	grep -q 'Operation now in progress' /tmp/yr.json ||
		{ cat /tmp/yr.json; fail "get-result $id"; }
	[ "$(now_ms)" -lt "$end" ] || fail "operation $id still in progress after 120 s"
	sleep 0.2
done
say "get-result: $(cat /tmp/yr.json)"
assert_eq "get-result: op-id" "$(jq -r '."op-id"' /tmp/yr.json)" "$id"
assert_eq "get-result: pid" "$(jq -r .pid /tmp/yr.json)" "$WL_PID"
assert_eq "stop-reason (by name)" "$(jq -r '.result."stop-reason"' /tmp/yr.json)" "done"
assert_eq "mode (by name)" "$(jq -r .result.mode /tmp/yr.json)" collapse
assert_eq "after-complete" "$(jq -r '.result."after-complete"' /tmp/yr.json)" 1
assert_eq "collapsed (dry run)" "$(jq -r .result.collapsed /tmp/yr.json)" 0

collapse_json /tmp/kd.json "$WL_PID" --range "$range" --dry-run
for f in regions:regions chunks:chunks candidates:candidates \
	already-huge:alreadyHuge skipped-empty:skippedEmpty \
	skipped-sparse:skippedSparse frames-before:framesBefore \
	present-before:presentBytesBefore; do
	assert_eq "${f%%:*}: ynl's dry run as kcollapsectl's" \
		"$(jq -r ".result.\"${f%%:*}\"" /tmp/yr.json)" "$(j /tmp/kd.json "${f##*:}")"
done

out=$(ynl --do get-result --json "{\"op-id\": $id}" 2>&1) &&
	fail "a second get-result of $id succeeded: $out"
assert_match "second get-result" "$out" 'No such file or directory'
wl_verify
wl_stop
