# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# The daemon's parts without HTTP (kcd-unit), its TAP counted here.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

"$KCD_UNIT" >"$tmp/unit.out" 2>"$tmp/unit.err"
sed 's/^/# unit: /' "$tmp/unit.out"
count_summary "$tmp/unit.out"
