#!/bin/bash
# Extracts the exchanges t/61-go-client.sh recorded in a guest (printed by
# "kc-goclient dump" between marker lines) from a vm-test results.log into
# a directory, by default go/kcollapse/testdata.
# Usage: go/record-extract.sh KC_OUT/KERNEL/results.log [DIR]
set -euo pipefail
log=$1
dir=${2:-$(dirname "$0")/kcollapse/testdata}
mkdir -p "$dir"
sed -n '/^# --- kc-goclient record begin$/,/^# --- kc-goclient record end$/p' "$log" |
	sed -e '/--- kc-goclient record/d' -e 's/^# //' | base64 -d | tar -xzf - -C "$dir"
ls "$dir"
