# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# A collapse through the daemon, checked against the host: smaps, pattern,
# accounting, the CLI's figures and the orchestrator's fields.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

wl_start main --only dense,frag,sparse,empty,mixed,huge,nohuge || exit 1
read -r rs rl < <(wl_range "$WL_OUT")
range=$(printf '0x%x:0x%x' "$rs" "$rl")
huge_windows=$(wl_vma "$WL_OUT" huge huge_windows)
check "markHugepage on the userspace engine: 400 naming markHugepage" \
	eval '[[ $(post "$tmp/r" -d "$(body $WL "\"markHugepage\": true")") == 400 ]] &&
		err_is "$tmp/r" markHugepage && grep -q "MADV_HUGEPAGE" "$tmp/r"'
check "pack mode without the module: 400 naming mode" \
	eval '[[ $(post "$tmp/r" -d "$(body $WL "\"mode\": \"pack\"")") == 400 ]] &&
		err_is "$tmp/r" mode'
check "mode not a known one: 400 naming mode" \
	eval '[[ $(post "$tmp/r" -d "$(body $WL "\"mode\": \"squash\"")") == 400 ]] &&
		err_is "$tmp/r" mode'
"$KCTL_BIN" frames "$WL" --range "$range" --json >"$tmp/fb.json"
status=$(post "$tmp/c.json" -d "$(body "$WL")")
"$KCTL_BIN" frames "$WL" --range "$range" --json >"$tmp/fa.json"
note "reply: $(cat "$tmp/c.json")"
check "collapse: 200, JSON" eval '[[ $status == 200 ]] && grep -qi "^Content-Type: application/json" "$tmp/c.json.h"'
check "the orchestrator's client decodes it (integers)" \
	eval '"$KCD_DECODE" <"$tmp/c.json" >"$tmp/d.out" && cat "$tmp/d.out" | sed "s/^/# /" &&
		grep -Eq "^regions=7 chunks=56 collapsed=$((36 + 4 - huge_windows)) skipped=16 alreadyHuge=$huge_windows elapsedMs=[0-9]+$" "$tmp/d.out"'
check "operationNs: the engine's part of elapsedNs" \
	eval '[[ $(jq ".operationNs > 0 and .operationNs <= .elapsedNs" "$tmp/c.json") == true ]]'
check "engine userspace, done, not timed out" \
	eval '[[ $(jq -r "[.engine, .stopReason, .timedOut, .pid] | @tsv" "$tmp/c.json") == "userspace	done	false	$WL" ]]'
check "accounting: chunks = sum of outcomes" accounting "$tmp/c.json"
check "skipped empty 12, sparse 0, no failures" \
	eq classes "$(jq -c '[.skippedEmpty, .skippedSparse, .failedNomem + .failedBusy + .failedAgain + .failedIneligible + .failedOther]' "$tmp/c.json")" "[12,0,0]"
check "the VM_NOHUGEPAGE VMA is covered: its 4 windows opted out, measured" \
	eq optedOut "$(jq -c '[.skippedOptedOut, .afterComplete]' "$tmp/c.json")" "[4,true]"
check "framesBefore == pagemap (kcollapsectl frames)" eq framesBefore "$(j "$tmp/c.json" framesBefore)" "$(j "$tmp/fb.json" frames)"
check "framesAfter == pagemap" eq framesAfter "$(j "$tmp/c.json" framesAfter)" "$(j "$tmp/fa.json" frames)"
check "presentBytesBefore == pagemap" eq present "$(j "$tmp/c.json" presentBytesBefore)" "$(j "$tmp/fb.json" presentBytes)"
check "frames: fewer after" lt framesAfter "$(j "$tmp/c.json" framesAfter)" "$(j "$tmp/c.json" framesBefore)"
check "AnonHugePages (smaps) == (collapsed + alreadyHuge) x 2 MiB" \
	eq AnonHugePages "$(huge_kb "$WL" "$WL_OUT" dense frag sparse empty mixed huge)" \
	"$(( ($(j "$tmp/c.json" collapsed) + $(j "$tmp/c.json" alreadyHuge)) * 2048 ))"
check "VM_NOHUGEPAGE VMA untouched" eq nohuge "$(huge_kb "$WL" "$WL_OUT" nohuge)" 0
check "presentBytesAfter == AnonHugePages + the nohuge VMA's pages" eq presentAfter "$(j "$tmp/c.json" presentBytesAfter)" \
	"$(( $(huge_kb "$WL" "$WL_OUT" dense frag sparse empty mixed huge) * 1024 + 512 * 4096 ))"
check "workload pages intact" wl_verify "$WL" "$WL_OUT"
check "log: one structured line for it" \
	eval 'grep -c "event=collapse status=200 .*pid=$WL .*engine=userspace stop=done regions=7 chunks=56" "$MAIN_LOG" | grep -qx 1'
check "again: everything already huge" \
	eval '[[ $(post "$tmp/c2.json" -d "$(body "$WL")") == 200 ]] &&
		[[ $(jq -c "[.alreadyHuge, .collapsed, .candidates]" "$tmp/c2.json") == "[40,0,0]" ]]'
check "metrics: windows by outcome, last frames" \
	eval '[[ $(metric "kcollapsed_windows_total{outcome=\"already_huge\"}") == $((huge_windows + 40)) &&
		$(metric kcollapsed_last_frames_after) == $(j "$tmp/c2.json" framesAfter) &&
		$(metric "kcollapsed_operations_total{result=\"done\"}") == 2 ]]'
wl_stop "$WL"

# Dry run, min fill, and the pre-6.7 already-huge detection.
wl_start classes --only dense,frag,sparse,empty,mixed,huge || exit 1
check "dryRun: candidates, nothing collapsed" \
	eval '[[ $(post "$tmp/c.json" -d "$(body "$WL" "\"dryRun\": true")") == 200 ]] &&
		[[ $(jq -c "[.candidates, .collapsed, .framesBefore == .framesAfter]" "$tmp/c.json") == "[$((36 + 4 - $(wl_vma "$WL_OUT" huge huge_windows))),0,true]" ]] &&
		[[ $(huge_kb "$WL" "$WL_OUT" dense) == 0 ]]'
check "minFill 64: sparse windows skipped, dense ones collapsed" \
	eval '[[ $(post "$tmp/c.json" -d "$(body "$WL" "\"minFill\": 64")") == 200 ]] &&
		[[ $(jq -c "[.skippedSparse, .skippedEmpty, .candidates, .collapsed]" "$tmp/c.json") == "[24,12,12,12]" ]] &&
		[[ $(huge_kb "$WL" "$WL_OUT" frag sparse) == 0 ]] && accounting "$tmp/c.json"'
check "pages intact after min fill" wl_verify "$WL" "$WL_OUT"
wl_stop "$WL"

daemon_start legacy --listen 127.0.0.1:0 --token-file "$tmp/token"
LEGACY=$KCD LEGACY_LOG=$KCD_LOG
wl_start legacy --only dense,mixed,huge,edges || exit 1
export KCOLLAPSE_NO_PAGEMAP_SCAN=1
"$KCTL_BIN" collapse "$WL" --engine userspace --json --dry-run \
	--range "$(printf '0x%x:0x%x' $(wl_range "$WL_OUT"))" >"$tmp/l.json"
unset KCOLLAPSE_NO_PAGEMAP_SCAN
check "kpageflags detection (before Linux 6.7): already huge == THP windows" \
	eq alreadyHuge "$(j "$tmp/l.json" alreadyHuge)" "$(wl_vma "$WL_OUT" huge huge_windows)"
URL=$MAIN_URL
check "pagemap-scan detection agrees" \
	eval '[[ $(post "$tmp/c.json" -d "$(body "$WL" "\"dryRun\": true")") == 200 ]] &&
		[[ $(j "$tmp/c.json" alreadyHuge) == $(j "$tmp/l.json" alreadyHuge) &&
		   $(j "$tmp/c.json" candidates) == $(j "$tmp/l.json" candidates) ]]'
wl_stop "$WL"
check "second daemon stops cleanly" daemon_stop "$LEGACY" "$LEGACY_LOG"
