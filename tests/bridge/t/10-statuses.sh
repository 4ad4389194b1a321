# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# The main daemon (paced, with a token): every status before any work:
# routes, methods, tokens, bodies. Later scenarios reuse it ($MAIN_URL).
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

TOKEN=tok-$RANDOM$RANDOM
printf '%s\n' "$TOKEN" >"$tmp/token"
chmod 600 "$tmp/token"
# 5 ms between windows: a 256-window collapse takes over 1.3 s on any
# machine, so that disconnects, cancels and SIGTERM land mid-operation.
PACE=5000
KCOLLAPSE_TEST_PACE_US=$PACE daemon_start main --listen 127.0.0.1:0 \
	--token-file "$tmp/token" || exit 1
MAIN=$KCD MAIN_LOG=$KCD_LOG MAIN_URL=$URL
note "kcollapsed at $URL"

check "GET /health: 204, no body" eq health "$(req "$tmp/r" GET /health)$(wc -c <"$tmp/r")" 2040
check "HEAD /health: 204" eq head "$(curl -sS -o /dev/null -w '%{http_code}' -I "$URL/health")" 204
check "POST /health: 405 with Allow: GET, HEAD" \
	eval '[[ $(req "$tmp/r" POST /health -H "X-Access-Token: $TOKEN") == 405 ]] && grep -qi "^Allow: GET, HEAD" "$tmp/r.h"'
check "GET /nope: 404 with a JSON error" \
	eval '[[ $(req "$tmp/r" GET /nope -H "X-Access-Token: $TOKEN") == 404 ]] && err_is "$tmp/r" "" &&
		[[ $(j "$tmp/r" code) == 404 ]]'
check "GET /collapse: 405 with Allow: POST" \
	eval '[[ $(req "$tmp/r" GET /collapse -H "X-Access-Token: $TOKEN") == 405 ]] &&
		grep -qi "^Allow: POST" "$tmp/r.h" && err_is "$tmp/r" ""'
check "PUT /collapse: 405" eq put "$(req "$tmp/r" PUT /collapse -H "X-Access-Token: $TOKEN")" 405
check "GET /metrics: 200, Prometheus text" \
	eval '[[ $(req "$tmp/r" GET /metrics -H "X-Access-Token: $TOKEN") == 200 ]] &&
		grep -qi "^Content-Type: text/plain; version=0.0.4" "$tmp/r.h" &&
		grep -q "^# TYPE kcollapsed_operation_duration_seconds histogram" "$tmp/r"'

# Tokens.
check "no token: 401" eval '[[ $(req "$tmp/r" POST /collapse) == 401 ]] && err_is "$tmp/r" "" &&
	grep -q "missing" "$tmp/r"'
check "wrong token: 401" eval '[[ $(req "$tmp/r" POST /collapse -H "X-Access-Token: x$TOKEN") == 401 ]] &&
	grep -q "wrong" "$tmp/r"'
check "token prefix: 401" eq prefix "$(req "$tmp/r" POST /collapse -H "X-Access-Token: ${TOKEN%?}")" 401
check "401 before the body is read (413-sized body)" \
	eq status "$(head -c 10000 /dev/zero | req "$tmp/r" POST /collapse --data-binary @-)" 401
# As envd: the token before the route, so a caller without it learns
# nothing about methods and paths; only GET /health (liveness) is open.
check "no token: 401 for GET /collapse, /nope, POST /health, /metrics too" \
	eval '[[ $(req "$tmp/r" GET /collapse)$(req "$tmp/r2" GET /nope)$(req "$tmp/r3" POST /health)$(req "$tmp/r4" GET /metrics) == 401401401401 ]] &&
		err_is "$tmp/r2" "" && ! grep -qi "^Allow:" "$tmp/r.h"'
check "wrong token on an unknown path: 401, not 404" \
	eq status "$(req "$tmp/r" GET /nope -H "X-Access-Token: x$TOKEN")" 401
check "every reply has Cache-Control: no-store (200, 204, 401, 404, 405)" \
	eval 'req "$tmp/r" GET /metrics -H "X-Access-Token: $TOKEN" >/dev/null; a=$(grep -ci "^Cache-Control: no-store" "$tmp/r.h")
		req "$tmp/r" GET /health >/dev/null; a=$a$(grep -ci "^Cache-Control: no-store" "$tmp/r.h")
		req "$tmp/r" GET /nope >/dev/null; a=$a$(grep -ci "^Cache-Control: no-store" "$tmp/r.h")
		req "$tmp/r" GET /nope -H "X-Access-Token: $TOKEN" >/dev/null; a=$a$(grep -ci "^Cache-Control: no-store" "$tmp/r.h")
		req "$tmp/r" GET /collapse -H "X-Access-Token: $TOKEN" >/dev/null; a=$a$(grep -ci "^Cache-Control: no-store" "$tmp/r.h")
		[[ $a == 11111 ]]'
check "refused callers are logged with a warning" \
	eval 'grep -q "event=denied status=401 remote=127.0.0.1:[0-9]* method=\"GET\" path=\"/nope\" reason=token" "$MAIN_LOG"'

# Bodies.
check "body over 4 KiB (Content-Length): 413" \
	eval '[[ $(head -c 5000 /dev/zero | tr "\0" " " | post "$tmp/r" --data-binary @-) == 413 ]] && err_is "$tmp/r" ""'
check "body over 4 KiB (chunked): 413" \
	eval '[[ $(head -c 5000 /dev/zero | tr "\0" " " | post "$tmp/r" -H "Transfer-Encoding: chunked" --data-binary @-) == 413 ]]'
check "invalid JSON: 400" eval '[[ $(post "$tmp/r" -d "{\"pid\": ") == 400 ]] && err_is "$tmp/r" ""'
check "not an object: 400" eval '[[ $(post "$tmp/r" -d "[1]") == 400 ]] && err_is "$tmp/r" ""'
check "pid a string: 400 naming pid" eval '[[ $(post "$tmp/r" -d "{\"pid\": \"1\"}") == 400 ]] && err_is "$tmp/r" pid'
check "pid a float: 400 naming pid" eval '[[ $(post "$tmp/r" -d "{\"pid\": 1.5}") == 400 ]] && err_is "$tmp/r" pid'
check "minFill 600: 400 naming minFill" eval '[[ $(post "$tmp/r" -d "{\"minFill\": 600}") == 400 ]] && err_is "$tmp/r" minFill'
check "dryRun not a bool: 400 naming dryRun" eval '[[ $(post "$tmp/r" -d "{\"dryRun\": 1}") == 400 ]] && err_is "$tmp/r" dryRun'
check "unknown field: 400 naming it" eval '[[ $(post "$tmp/r" -d "{\"deadline\": 1}") == 400 ]] && err_is "$tmp/r" deadline'
check "no pid, no default targets: 400 naming pid" eval '[[ $(post "$tmp/r") == 400 ]] && err_is "$tmp/r" pid'
check "no such process: 400 naming pid" eval '[[ $(post "$tmp/r" -d "{\"pid\": 2147483000}") == 400 ]] &&
	err_is "$tmp/r" pid && grep -q "no such process" "$tmp/r"'
check "bad requests started nothing" eq ops "$(metric 'kcollapsed_operations_total{result="done"}')" 0
