# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Serving the orchestrator as it is: a body-less POST for the configured
# target (conformance.sh counts the contract), --min-fill and --mode for
# body-less requests, --target unit:NAME.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

wl_start orch --only dense,frag,sparse,empty,mixed,huge || exit 1
ORCH=$WL ORCH_OUT=$WL_OUT
daemon_start orch --listen 127.0.0.1:0 --token-file "$tmp/token" --target "$ORCH"
conformance token KCD_TOKEN="$TOKEN"
check "a body-less POST collapsed the configured target" \
	eval '[[ $(huge_kb "$ORCH" "$ORCH_OUT" dense) -gt 0 ]] && wl_verify "$ORCH" "$ORCH_OUT" &&
		grep -q "event=collapse status=200 .*pid=$ORCH .*engine=userspace" "$KCD_LOG"'
check "start-up says what auto resolved to, and why" \
	eval 'grep -q "event=engine requested=auto resolved=userspace mode=collapse why=\"module unavailable: " "$KCD_LOG" &&
		grep -q "event=defaults targets=\"pid:$ORCH\" mode=collapse" "$KCD_LOG"'
check "without JOURNAL_STREAM: plain lines" eval '! grep -q "^<[0-7]>" "$KCD_LOG"'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$ORCH"

# --min-fill for a body-less request; --mode pack needs the module.
wl_start minfill --only dense,frag,sparse,empty || exit 1
daemon_start minfill --listen 127.0.0.1:0 --token-file "$tmp/token" \
	--target "pidfile:$WL_OUT.pid" --min-fill 64
echo "$WL" >"$WL_OUT.pid"
check "body-less with --min-fill 64: dense windows collapsed, sparse ones not" \
	eval '[[ $(post "$tmp/mf.json" -H "Content-Type:" --data-binary "") == 200 ]] &&
		[[ $(huge_kb "$WL" "$WL_OUT" dense) -gt 0 && $(huge_kb "$WL" "$WL_OUT" frag sparse) == 0 ]] &&
		[[ $(j "$tmp/mf.json" skippedSparse) -ge 24 ]] && wl_verify "$WL" "$WL_OUT"'
daemon_stop "$KCD" "$KCD_LOG"
daemon_start pack --listen 127.0.0.1:0 --token-file "$tmp/token" --target "$WL" --mode pack
check "--mode pack without the module: start-up says kmod, a body-less request 400 naming mode" \
	eval 'grep -q "event=engine requested=auto resolved=kmod mode=pack" "$KCD_LOG" &&
		[[ $(post "$tmp/r" -H "Content-Type:" --data-binary "") == 400 ]] && err_is "$tmp/r" mode'
check "a body's mode overrides --mode" \
	eval '[[ $(post "$tmp/r" -d "{\"mode\": \"collapse\", \"dryRun\": true}") == 200 ]]'
daemon_stop "$KCD" "$KCD_LOG"

# unit:NAME through systemctl (a stand-in on PATH: the host has no systemd).
mkdir -p "$tmp/bin"
cat >"$tmp/bin/systemctl" <<EOF
#!/bin/sh
[ "\$*" = "show -p MainPID --value -- kcwl.service" ] && { cat "$tmp/mainpid"; exit 0; }
echo "unexpected: \$*" >&2; exit 1
EOF
chmod +x "$tmp/bin/systemctl"
echo "$WL" >"$tmp/mainpid"
PATH=$tmp/bin:$PATH daemon_start unit --listen 127.0.0.1:0 --token-file "$tmp/token" \
	--target unit:kcwl.service
check "--target unit:NAME: the unit's MainPID" \
	eval '[[ $(post "$tmp/u.json" -d "{\"dryRun\": true}") == 200 && $(j "$tmp/u.json" pid) == $WL ]]'
echo 0 >"$tmp/mainpid"
check "--target unit:NAME not running: 500 saying so" \
	eval '[[ $(post "$tmp/r") == 500 ]] && grep -q "unit kcwl.service has no main process" "$tmp/r"'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$WL"
