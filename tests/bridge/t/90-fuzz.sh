# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# libFuzzer on the request parser, from the corpus.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

mkdir -p "$tmp/corpus"
cp "$KCD_CORPUS"/* "$tmp/corpus/"
if "$KCD_FUZZ" -max_total_time="$FUZZ_SECONDS" -max_len=5000 -timeout=5 \
	"$tmp/corpus" >"$tmp/fuzz.log" 2>&1; then
	note "fuzz: $(grep -Eo 'Done [0-9]+ runs in [0-9]+ second' "$tmp/fuzz.log")"
	ok "request parser: ${FUZZ_SECONDS} s of libFuzzer, no crash"
else
	tail -n 30 "$tmp/fuzz.log" | sed 's/^/# /'
	not_ok "request parser: libFuzzer found a crash"
fi
