# --mark-hugepage sets VM_HUGEPAGE (smaps "hg") on the covered eligible VMAs.
. ./lib.sh
mod_load
wl_start --only dense,empty
collapse_json /tmp/r.json "$WL_PID" --range "$(wl_range)" --mark-hugepage
assert_eq "marked" "$(j /tmp/r.json marked)" 2
for n in dense empty; do
	s=$(printf '%x' "$(wl_vma $n start)")
	awk -v s="$s" '$1 ~ "^"s"-" {f=1} f && /^VmFlags/ {print; exit}' \
		/proc/"$WL_PID"/smaps | grep -q ' hg' || fail "$n not marked"
	echo "  $n: VM_HUGEPAGE"
done
wl_verify
wl_stop
