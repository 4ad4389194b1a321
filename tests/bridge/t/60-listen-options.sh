# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Listening addresses and the options kcollapsed refuses.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

# kcd_exit ARGS...: kcollapsed's exit status (for options it refuses).
kcd_exit() {
	"$KCD_BIN" "$@" >"$tmp/o.out" 2>"$tmp/o.err"
	echo $?
}
check "non-loopback without a token: refused (exit 2)" \
	eval '[[ $(kcd_exit --listen 0.0.0.0:0) == 2 ]] && grep -q "without --token-file" "$tmp/o.err"'
check "loopback without a token: refused too (secure by default)" \
	eval '[[ $(kcd_exit --listen 127.0.0.1:0) == 2 && $(kcd_exit) == 2 ]] && grep -q "every caller needs the token" "$tmp/o.err"'
check "IPv6 any without a token: refused" eq exit "$(kcd_exit --listen '[::]:0')" 2
check "a unix socket without a token needs --unix-no-token" \
	eval '[[ $(kcd_exit --listen "unix:$tmp/x.sock") == 2 ]] && grep -q "unix-no-token" "$tmp/o.err"'
check "--allow-uid, --unix-no-token on TCP: usage errors" \
	eval '[[ $(kcd_exit --listen 127.0.0.1:0 --token-file "$tmp/token" --allow-uid 1)$(kcd_exit --listen 127.0.0.1:0 --unix-no-token) == 22 ]]'
check "--insecure-no-token with --token-file: usage error" \
	eq exit "$(kcd_exit --insecure-no-token --token-file "$tmp/token")" 2
check "a relative unix socket path: usage error" eq exit "$(kcd_exit --listen unix:rel.sock --unix-no-token)" 2
# refused OPTION VALUE: exit 2 naming the option (with a token, so that
# nothing else is what it refuses).
refused() {
	[[ $(kcd_exit --token-file "$tmp/token" "--$1" "$2") == 2 ]] &&
		grep -q "invalid --$1 '$2'" "$tmp/o.err" && return 0
	note "--$1 $2: $(cat "$tmp/o.err")"
	return 1
}
check "bad --target, --mode, --min-fill, --auto-threshold: usage errors" \
	eval 'refused target envd && refused target unit: && refused target comm:0123456789abcdefg &&
		refused mode squash && refused min-fill 0 && refused auto-threshold 513 &&
		grep -q "pidfile:PATH, comm:NAME or unit:NAME" <(kcd_exit --token-file "$tmp/token" --target x; cat "$tmp/o.err")' 
check "--hot-first without --mode pack or auto: refused at start-up, saying why" \
	eval '[[ $(kcd_exit --token-file "$tmp/token" --hot-first) == 2 ]] &&
		grep -q -- "--hot-first needs --mode pack or auto" "$tmp/o.err" &&
		[[ $(kcd_exit --token-file "$tmp/token" --mode collapse --hot-first) == 2 ]] &&
		grep -q -- "--hot-first needs --mode pack or auto" "$tmp/o.err"'
check "--hot-first with --mode pack: listens, and logs it among the defaults" \
	eval 'daemon_start hot --listen 127.0.0.1:0 --token-file "$tmp/token" --mode pack --hot-first &&
		grep -q "event=defaults .*mode=pack .*hotFirst=yes" "$KCD_LOG" && daemon_stop "$KCD" "$KCD_LOG"'
check "non-loopback with a token: listens" \
	eval 'daemon_start any --listen 0.0.0.0:0 --token-file "$tmp/token" && daemon_stop "$KCD" "$KCD_LOG"'
if daemon_start v6 --listen '[::1]:0' --token-file "$tmp/token" 2>/dev/null; then
	check "IPv6 [::1]: GET /health 204" eq v6 "$(req "$tmp/r" GET /health)" 204
	check "IPv6 daemon stops cleanly" daemon_stop "$KCD" "$KCD_LOG"
else
	ok "IPv6 [::1] # SKIP no IPv6 loopback here"
fi
check "bad --listen: usage error" \
	eval '[[ $(kcd_exit --listen nowhere:1) == 2 ]] && grep -q "invalid --listen" "$tmp/o.err"'
check "missing token file: exit 1 with the reason" \
	eval '[[ $(kcd_exit --token-file "$tmp/nonexistent") == 1 ]] && grep -q "cannot read token file" "$tmp/o.err"'
check "bad --target-comm: usage error" eq exit "$(kcd_exit --target-comm 0123456789abcdefg)" 2
check "bad --deadline-ms: usage error" eq exit "$(kcd_exit --deadline-ms 5s)" 2
check "--help and --version" eval '"$KCD_BIN" --help | grep -q "POST /collapse" && "$KCD_BIN" --version | grep -q "^kcollapsed "'
URL=$MAIN_URL
