# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# The token file rewritten, rotated, removed and restored under the
# running main daemon.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

check "token rewritten: the old one is refused" \
	eval 'printf "new-%s\n" "$TOKEN" >"$tmp/token" && [[ $(post "$tmp/r" -d "{\"pid\": 0}") == 401 ]]'
TOKEN=new-$TOKEN
check "... and the new one accepted" eq status "$(post "$tmp/r" -d '{"pid": 0}')" 400
printf 'rotated-%s\n' "$TOKEN" >"$tmp/token.new"
mv "$tmp/token.new" "$tmp/token"
check "token rotated by rename: the old one is refused" eq status "$(post "$tmp/r" -d '{"pid": 0}')" 401
TOKEN=rotated-$TOKEN
check "... and the new one accepted" eq status "$(post "$tmp/r" -d '{"pid": 0}')" 400
rm "$tmp/token"
check "token file gone: 401 for everyone" \
	eval '[[ $(post "$tmp/r" -d "{\"pid\": 0}") == 401 ]] && grep -q "unavailable" "$tmp/r"'
printf '%s\n' "$TOKEN" >"$tmp/token"
check "token file back: accepted again" eq status "$(post "$tmp/r" -d '{"pid": 0}')" 400
check "log: reloads and the missing file" \
	eval 'grep -q "event=token-reloaded" "$MAIN_LOG" && grep -q "event=token-unavailable" "$MAIN_LOG"'
