# shellcheck shell=bash
# SPDX-License-Identifier: MIT
#
# --target-cgroup: every process of a (frozen) cgroup v2, one operation.
# Sourced by ../run.sh, in order, with lib.sh's helpers and counts.

cg2=$(awk '$3 == "cgroup2" {print $2; exit}' /proc/mounts)
CG=
if [[ -n $cg2 ]] && mkdir "$cg2/kcd-check-$$" 2>/dev/null; then
	CG=$cg2/kcd-check-$$
	cleanup_cg() { rmdir "$CG" 2>/dev/null; }
else
	note "no writable cgroup v2 here: a directory with a cgroup.procs stands in"
	CG=$tmp/cgroup && mkdir -p "$CG"
	cleanup_cg() { :; }
fi
wl_start cg1 --only dense,frag,sparse || exit 1
CG1=$WL CG1_OUT=$WL_OUT
wl_start cg2 --only frag,sparse,mixed || exit 1
CG2=$WL CG2_OUT=$WL_OUT
if [[ $CG == "$tmp/cgroup" ]]; then
	printf '%s\n%s\n' "$CG1" "$CG2" >"$CG/cgroup.procs"
else
	echo "$CG1" >"$CG/cgroup.procs" && echo "$CG2" >"$CG/cgroup.procs"
	[[ -e $CG/cgroup.freeze ]] && echo 1 >"$CG/cgroup.freeze"
fi
daemon_start cgroup --listen 127.0.0.1:0 --token-file "$tmp/token" --target-cgroup "$CG"
status=$(post "$tmp/cg.json" -d "{\"rangeStart\": $((WL_BASE)), \"rangeLen\": $((1 << 40))}")
[[ -e $CG/cgroup.freeze ]] && echo 0 >"$CG/cgroup.freeze"
note "cgroup reply: $(jq -c '{chunks, collapsed, alreadyHuge, skipped, targets: [.targets[] | {pid, chunks, collapsed}]}' "$tmp/cg.json")"
check "--target-cgroup: 200, one entry per process, totals the sums" \
	eval '[[ $status == 200 && $(jq -c "[.targets[].pid] | sort" "$tmp/cg.json") == "$(printf "%s\n" "$CG1" "$CG2" | sort -n | jq -sc .)" &&
		$(jq "[.chunks, .collapsed, .alreadyHuge] == ([.targets[] | [.chunks, .collapsed, .alreadyHuge]] | transpose | map(add))" "$tmp/cg.json") == true ]]'
check "--target-cgroup: each process's AnonHugePages == its collapsed x 2 MiB" \
	eval '[[ $(huge_kb "$CG1" "$CG1_OUT" dense frag sparse) == $(( $(jq ".targets[] | select(.pid == $CG1) | .collapsed" "$tmp/cg.json") * 2048 )) &&
		$(huge_kb "$CG2" "$CG2_OUT" frag sparse mixed) == $(( $(jq ".targets[] | select(.pid == $CG2) | .collapsed" "$tmp/cg.json") * 2048 )) &&
		$(jq .collapsed "$tmp/cg.json") -gt 0 ]]'
check "--target-cgroup: every page of both processes intact" \
	eval 'wl_verify "$CG1" "$CG1_OUT" && wl_verify "$CG2" "$CG2_OUT"'
check "--target-cgroup: one log line per process, then the totals" \
	eval '[[ $(grep -c "event=collapse-target .*pid=\($CG1\|$CG2\) engine=userspace stop=done" "$KCD_LOG") == 2 ]] &&
		grep -q "event=collapse status=200 .*targets=2 " "$KCD_LOG"'
daemon_stop "$KCD" "$KCD_LOG"
wl_stop "$CG1"
wl_stop "$CG2"
check "--target-cgroup, empty: 500 saying so" \
	eval 'daemon_start cgempty --listen 127.0.0.1:0 --token-file "$tmp/token" --target-cgroup "$CG" &&
		[[ $(post "$tmp/r") == 500 ]] && grep -q "no process in cgroup" "$tmp/r" && daemon_stop "$KCD" "$KCD_LOG"'
cleanup_cg
