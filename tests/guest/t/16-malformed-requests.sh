# Malformed requests are refused by the policies with an extended-ACK
# message, from root and from nobody, and start no work.
. ./lib.sh
mod_load
alloc0=$(vmstat thp_collapse_alloc)
for who in root nobody; do
	for c in $(kc-nlprobe list); do
		if [ $who = root ]; then
			out=$(kc-nlprobe "$c")
		else
			out=$(kc-runas 65534 65534 kc-nlprobe "$c")
		fi
		rc=$?
		echo "  $who $out"
		[ $rc -eq 0 ] || fail "$who $c: accepted or probe failed (rc=$rc)"
		case "$out" in
		*"msg=") case "$c" in
			unknown-command|unspec-command) ;; # no handler: plain EOPNOTSUPP
			*) fail "$who $c: no extended-ACK message" ;;
			esac ;;
		esac
	done
done
out=$(kc-nlprobe collapse-no-pid)
assert_match "missing pid" "$out" "rc=-22 .*missing attribute 1"
out=$(kc-nlprobe collapse-range-wrap)
assert_match "range wrap" "$out" "rc=-22 .*wraps"
out=$(kc-nlprobe unknown-command)
assert_match "unknown command" "$out" "rc=-95"
assert_eq "collapses (vmstat)" $(( $(vmstat thp_collapse_alloc) - alloc0 )) 0
# the family still works after all that
kcollapsectl info --engine kmod >/dev/null || fail "info after malformed requests"
