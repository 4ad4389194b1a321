# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# What /metrics serves, after the operations of the scenarios before,
# passes Prometheus's own linter (promtool check metrics).
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

promtool=$(bash "$here/../../scripts/promtool.sh") || promtool=
check "promtool at hand (scripts/promtool.sh)" test -n "$promtool"
curl -sS -o "$tmp/metrics" -H "X-Access-Token: $TOKEN" "$MAIN_URL/metrics"
check "GET /metrics passes promtool check metrics" \
	eval '"$promtool" check metrics <"$tmp/metrics" >"$tmp/lint" 2>&1 || { cat "$tmp/lint" >&2; false; }'
