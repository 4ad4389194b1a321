#!/bin/sh
# SPDX-License-Identifier: MIT
#
# conformance.sh: the orchestrator's call, exactly, against a running
# kcollapsed, every status and field compared with the contract it
# already speaks with envd (../shared/CONTEXT.md):
#   POST http://HOST/collapse, no body (Content-Length: 0, no
#   Content-Type), X-Access-Token only when the sandbox has a token, a
#   10 s client timeout, 200 decoded into CollapseResult {regions, chunks,
#   collapsed, skipped, alreadyHuge int; elapsedMs int64}, unknown fields
#   ignored; errors {"code": int, "message": string}, Cache-Control:
#   no-store, the token checked before the method and the path.
# POSIX sh (bash on the host, busybox in a guest), curl as the client.
#
#   KCD_URL=http://127.0.0.1:49999 [KCD_TOKEN=...] [KCD_DECODE=kcd-decode]
#   [KCD_CURL_UNIX=/run/kcollapse.sock] conformance.sh
#
# Without KCD_TOKEN the daemon is taken to need none (--insecure-no-token
# or --unix-no-token): the orchestrator then sends no X-Access-Token.
# KCD_DECODE decodes the 200 with Go's encoding/json rules; without it, jq
# checks that every field is an integer. Prints a table (contract item,
# expected, got), TAP lines, and ends with "N passed, N failed".
set -u

: "${KCD_URL:?}"
TOKEN=${KCD_TOKEN:-}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kcd-conf.XXXXXX") || exit 1
trap 'rm -rf "$tmp"' EXIT
n=0 passed=0 failed=0
rows=

# orch OUT [TOKEN] [METHOD] [PATH]: the orchestrator's request (Go's
# net/http with a nil body: Content-Length: 0, no Content-Type, its
# User-Agent and Accept-Encoding); prints the status, 000 on a timeout.
# curl -v shows the request as sent, in OUT.wire.
orch() {
	out=$1 tok=${2:-} method=${3:-POST} path=${4:-/collapse}
	set -- -sS -v --max-time 10 -o "$out" -D "$out.h" \
		-w '%{http_code} %{time_total}\n' -X "$method" \
		-H 'Content-Type:' -H 'Accept:' -H 'Expect:' \
		-A 'Go-http-client/1.1' -H 'Accept-Encoding: gzip'
	[ "$method" = POST ] && set -- "$@" --data-binary ''
	[ -n "$tok" ] && set -- "$@" -H "X-Access-Token: $tok"
	[ -n "${KCD_CURL_UNIX:-}" ] && set -- "$@" --unix-socket "$KCD_CURL_UNIX"
	curl "$@" "$KCD_URL$path" >"$out.w" 2>"$out.wire"
	read -r code secs <"$out.w" || code=000
	echo "$code"
}

# row ITEM EXPECTED GOT: one line of the table, and one test.
row() {
	n=$((n + 1))
	if [ "$2" = "$3" ]; then
		passed=$((passed + 1)) mark=ok
	else
		failed=$((failed + 1)) mark="not ok"
	fi
	rows="$rows$(printf '%-52s | %-26s | %s' "$1" "$2" "$3")
"
	echo "$mark $n - conformance: $1: expected '$2', got '$3'"
}

# hdr FILE NAME: a reply header's value, CR and case dropped.
hdr() {
	tr -d '\r' <"$1.h" | awk -v h="$2" 'BEGIN { h = tolower(h) ":" }
		tolower($1) == h { sub(/^[^:]*: */, ""); print; exit }'
}

# errbody FILE STATUS: "ok" if FILE is {"code": STATUS, "message": "..."}
# (extra members allowed), else what it is.
errbody() {
	if jq -e --argjson s "$2" '(.code | type == "number" and . == $s) and
		(.message | type == "string" and length > 0)' "$1" >/dev/null 2>&1
	then echo ok; else head -c 120 "$1"; fi
}

# decode FILE: CollapseResult with plain-int semantics, or why not.
decode() {
	if [ -n "${KCD_DECODE:-}" ]; then
		"$KCD_DECODE" <"$1" >"$1.dec" 2>&1 && echo ok || head -c 120 "$1.dec"
		return
	fi
	jq -e 'all(.regions, .chunks, .collapsed, .skipped, .alreadyHuge,
		.elapsedMs; type == "number" and . == floor)' "$1" >/dev/null 2>&1 &&
		echo ok || echo "not plain integers: $(head -c 100 "$1")"
}

# wire FILE: what curl sent, as "METHOD CL=N CT=yes|no TOKEN=yes|no".
wire() {
	tr -d '\r' <"$1.wire" | awk '
		/^> [A-Z]+ \// { m = $2 }
		/^> / { l = tolower($0) }
		/^> / && l ~ /^> content-length:/ { cl = $3 }
		/^> / && l ~ /^> content-type:/ { ct = "yes" }
		/^> / && l ~ /^> x-access-token:/ { tk = "yes" }
		END { printf "%s CL=%s CT=%s TOKEN=%s", m, (cl == "" ? "none" : cl),
			(ct == "" ? "no" : ct), (tk == "" ? "no" : tk) }'
}

tokhdr=no
[ -n "$TOKEN" ] && tokhdr=yes

# 1. The call itself.
code=$(orch "$tmp/ok" "$TOKEN")
secs=$(awk '{ print $2 }' "$tmp/ok.w")
row "request as sent" "POST CL=0 CT=no TOKEN=$tokhdr" "$(wire "$tmp/ok")"
row "POST /collapse, no body: status" 200 "$code"
row "200: Content-Type" application/json "$(hdr "$tmp/ok" Content-Type)"
row "200: Cache-Control" no-store "$(hdr "$tmp/ok" Cache-Control)"
row "200: decodes as CollapseResult (plain ints)" ok "$(decode "$tmp/ok")"
row "200: skipped = chunks - collapsed - alreadyHuge" true \
	"$(jq '.skipped == .chunks - .collapsed - .alreadyHuge' "$tmp/ok" 2>/dev/null)"
row "200: elapsedMs an int64 under the 10 s timeout" true \
	"$(jq '.elapsedMs | type == "number" and . >= 0 and . < 10000' "$tmp/ok" 2>/dev/null)"
row "200: within the client's 10 s" yes \
	"$(awk -v s="$secs" 'BEGIN { print (s < 10 ? "yes" : "no (" s " s)") }')"
echo "# reply: $(head -c 400 "$tmp/ok")"

# 2. Who may call: the token first, whatever the method and the path.
if [ -n "$TOKEN" ]; then
	for c in "POST /collapse|" "POST /collapse|x$TOKEN" "GET /collapse|" \
		"GET /other|" "GET /other|x$TOKEN" "PUT /collapse|x$TOKEN"; do
		mp=${c%%|*} tok=${c#*|}
		what="no token"
		[ -n "$tok" ] && what="wrong token"
		code=$(orch "$tmp/a" "$tok" "${mp% *}" "${mp#* }")
		row "$mp, $what: status" 401 "$code"
		row "$mp, $what: {code, message}" ok "$(errbody "$tmp/a" 401)"
		row "$mp, $what: Cache-Control" no-store "$(hdr "$tmp/a" Cache-Control)"
	done
	row "401: Content-Type" application/json "$(hdr "$tmp/a" Content-Type)"
	row "401 for a wrong method: no Allow header" "" "$(hdr "$tmp/a" Allow)"
fi

# 3. With the right token (or none needed): method, then path.
code=$(orch "$tmp/m" "$TOKEN" GET /collapse)
row "GET /collapse, right token: status" 405 "$code"
row "405: Allow" POST "$(hdr "$tmp/m" Allow)"
row "405: {code, message}" ok "$(errbody "$tmp/m" 405)"
row "405: Cache-Control" no-store "$(hdr "$tmp/m" Cache-Control)"
code=$(orch "$tmp/p" "$TOKEN" GET /other)
row "GET /other, right token: status" 404 "$code"
row "404: {code, message}" ok "$(errbody "$tmp/p" 404)"
row "404: Content-Type" application/json "$(hdr "$tmp/p" Content-Type)"
row "404: Cache-Control" no-store "$(hdr "$tmp/p" Cache-Control)"

echo "# conformance table (contract item | expected | got):"
printf '%s' "$rows" | sed 's/^/#   /'
echo "1..$n"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
