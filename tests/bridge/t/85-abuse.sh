# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# Malformed requests of every kind (kc-abuse: methods, request lines,
# header floods, Content-Length lies, broken chunking, bodies that must not
# validate, wrong tokens, odd URLs, pipelines, early closes) from parallel
# connections while slow clients trickle bytes; /health is probed all the
# while. A small ASan quarantine so that RSS reflects what the daemon keeps.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

wl_start abuse --only sparse || exit 1
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}quarantine_size_mb=4 \
	daemon_start abuse --listen 127.0.0.1:0 --token-file "$tmp/token" || exit 1
rss() { awk '$1 == "VmRSS:" {print $2}' "/proc/$1/status"; }
"$KCD_ABUSE" "${URL#http://}" "$TOKEN" "$WL" 2000 16 20 1 >"$tmp/abuse1.out" 2>&1
rss_warm=$(rss "$KCD")
"$KCD_ABUSE" "${URL#http://}" "$TOKEN" "$WL" "$ABUSE_REQUESTS" 16 20 2 >"$tmp/abuse.out" 2>&1
abuse_rc=$?
rss_end=$(rss "$KCD")
sed 's/^/# /' "$tmp/abuse.out"
note "kcollapsed VmRSS: $rss_warm kB after 2000 requests, $rss_end kB after $ABUSE_REQUESTS more"
check "$ABUSE_REQUESTS malformed requests: none started work, /health answered throughout" \
	eq "kc-abuse exit" "$abuse_rc" 0
# Right-token requests in the run name no live process (pid 4194305), so
# they may become operations that fail or are cancelled when their client
# goes, but none may name the target or reach a window.
curl -sS -H "X-Access-Token: $TOKEN" "$URL/metrics" >"$tmp/abuse.metrics"
grep -E '^kcollapsed_(operations|windows)_total' "$tmp/abuse.metrics" | grep -v ' 0$' | sed 's/^/# /'
check "... no window touched (metrics)" eq "windows" "$(awk '
	$1 ~ /^kcollapsed_windows_total/ {n += $2} END {print n + 0}' "$tmp/abuse.metrics")" 0
check "... no operation on the target pid (log)" eq "operations on $WL" \
	"$(grep -c "event=collapse status=200 .*pid=$WL " "$KCD_LOG")" 0
check "... memory bounded: VmRSS grew by less than 4 MiB" lt "VmRSS growth kB" \
	$((rss_end - rss_warm)) 4096
check "... still serves a valid request afterwards" \
	eval '[[ $(post "$tmp/ab.json" -d "$(body "$WL" "\"dryRun\": true")") == 200 ]]'
check "... exits cleanly, no sanitizer report" daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$WL"
