# GET_INFO answers, for root and for anyone, with the engine usable.
. ./lib.sh
mod_load
kcollapsectl info
kcollapsectl info --engine kmod --json >/tmp/info.json || fail "info --json"
assert_eq "protocol" "$(j /tmp/info.json protocolVersion)" 1
assert_eq "kernel" "$(j /tmp/info.json kernelRelease)" "$(uname -r)"
assert_eq "engine" "$(j /tmp/info.json engine)" do_madvise
assert_eq "engine available" "$(j /tmp/info.json engineAvailable)" true
assert_eq "ops in flight" "$(j /tmp/info.json opsInFlight)" 0
kc-runas 65534 65534 kcollapsectl info --engine kmod >/dev/null || fail "info as nobody"
