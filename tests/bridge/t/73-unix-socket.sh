# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# A unix socket: root only by default, --allow-uid to add; peer credentials
# checked at every request, the token still required unless waived.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

wl_start unix --only dense || exit 1
mkdir -m 0755 "$tmp/sock" && chmod 0711 "$tmp"
SOCK=$tmp/sock/kcd.sock
daemon_start unix --listen "unix:$SOCK" --unix-no-token --target "$WL"
ucurl() { curl -sS -o "$tmp/u" -w '%{http_code}' --unix-socket "$SOCK" "$@"; }
check "unix socket, root, no token (--unix-no-token): 200" \
	eval '[[ $(ucurl -X POST http://kcd/collapse) == 200 ]] && grep -q "remote=unix:uid=0,pid=" "$KCD_LOG"'
check "unix socket: mode 0600, another uid cannot connect" \
	eval '[[ $(stat -c %a "$SOCK") == 600 && $(setpriv --reuid 65534 --regid 65534 --clear-groups curl -sS -o /dev/null -w "%{http_code}" --unix-socket "$SOCK" -X POST http://kcd/collapse 2>/dev/null) == 000 ]]'
URL=http://kcd conformance unix KCD_CURL_UNIX="$SOCK"
daemon_stop "$KCD" "$KCD_LOG"
check "the socket file is removed at exit" eval '[[ ! -e $SOCK ]]'
daemon_start unix2 --listen "unix:$SOCK" --unix-no-token --allow-uid 65534 --target "$WL"
check "--allow-uid 65534: that uid is served, another gets 403" \
	eval '[[ $(setpriv --reuid 65534 --regid 65534 --clear-groups curl -sS -o /dev/null -w "%{http_code}" --unix-socket "$SOCK" -X POST http://kcd/collapse) == 200 &&
		$(setpriv --reuid 65533 --regid 65533 --clear-groups curl -sS -w "%{http_code}" --unix-socket "$SOCK" -X POST http://kcd/collapse 2>/dev/null) == *403 ]] &&
		setpriv --reuid 65533 --regid 65533 --clear-groups curl -sS --unix-socket "$SOCK" -X POST http://kcd/collapse >"$tmp/r403" &&
		err_is "$tmp/r403" "" && [[ $(j "$tmp/r403" code) == 403 ]] &&
		grep -q "event=denied status=403 remote=unix:uid=65533" "$KCD_LOG"'
daemon_stop "$KCD" "$KCD_LOG"
daemon_start unix3 --listen "unix:$SOCK" --token-file "$tmp/token" --target "$WL"
check "unix socket with --token-file: root without the token 401, with it 200" \
	eval '[[ $(ucurl -X POST http://kcd/collapse)$(ucurl -X POST -H "X-Access-Token: $TOKEN" http://kcd/collapse) == 401200 ]]'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$WL"
