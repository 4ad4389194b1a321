#!/bin/bash
# run.sh OUTDIR: the lazy-restore harness (make resume-bench, make -C bench
# resume-smoke; see bench/resume/README.md). For each workload and variant,
# one source guest is booted, prepared and migrated with postcopy to a
# destination whose RAM arrives on demand in 2 MiB pages (resume.py); the
# results land in OUTDIR/runs/WORKLOAD-LABEL/result.json, then report.py
# writes OUTDIR/report/.
#
# Environment:
#   RESUME_KERNEL     deb61 or deb612 (default deb612): a Debian 12 guest
#                     kernel, see scripts/kernels.sh
#   RESUME_WORKLOADS  kc-benchheap workloads and gosvc, the Go service
#                     go/cmd/kc-gosvc (default "gc5 gc25 gosvc")
#   RESUME_GOSVC_ARGS extra kc-gosvc arguments (e.g. "--mib 64 --keep 8")
#   RESUME_VARIANTS   LABEL[=VARIANT[,XARG...]] ... (default "none inprocess
#                     collapse pack auto hotfirst=pack,--hot-first"); VARIANT is none, inprocess,
#                     collapse, pack or auto, XARGs go to kcollapsectl
#                     collapse as they are, e.g. hotfirst=pack,--hot-first
#   RESUME_LATENCY_MS delay of each page request (default 20)
#   RESUME_WINDOW_S   pages requested within this many seconds of the
#                     destination starting are the "window" count (default 60)
#   RESUME_MEM        guest MiB (default 1536); RESUME_SEED (42)
#   RESUME_CHECK=1    end with the smoke checks (report.py --check): exact
#                     counts, and pack (else the second variant) requesting
#                     fewer pages to the first answer than the first
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"

(($# == 1)) || { echo "usage: $0 OUTDIR" >&2; exit 2; }
out=$(mkdir -p "$1" && cd "$1" && pwd)
kname=${RESUME_KERNEL:-deb612}
workloads=${RESUME_WORKLOADS:-gc5 gc25 gosvc}
gosvcargs=${RESUME_GOSVC_ARGS:-}
variants=${RESUME_VARIANTS:-none inprocess collapse pack auto hotfirst=pack,--hot-first}
latency=${RESUME_LATENCY_MS:-20}
window=${RESUME_WINDOW_S:-60}
mem=${RESUME_MEM:-1536}
seed=${RESUME_SEED:-42}
build=$repo/bench/build
sysfs=/sys/kernel/mm/hugepages/hugepages-2048kB

die() {
	echo "resume: $*" >&2
	exit 1
}

# What the harness needs of the host (README "What it needs").
((EUID == 0)) || die "needs root: hugetlb reservation, hugetlbfs mount, userfaultfd"
[[ -d $sysfs ]] || die "no 2 MiB hugetlb pages ($sysfs missing: CONFIG_HUGETLBFS)"
grep -qw hugetlbfs /proc/filesystems || die "hugetlbfs is not available"
# QEMU's postcopy destination opens a userfaultfd; root may whatever
# vm.unprivileged_userfaultfd says, but the kernel must have it.
grep -q '^CONFIG_USERFAULTFD=y' "/boot/config-$(uname -r)" 2>/dev/null ||
	[[ -e /dev/userfaultfd || -e /proc/sys/vm/unprivileged_userfaultfd ]] ||
	die "the host kernel has no userfaultfd"
command -v qemu-system-x86_64 >/dev/null || die "qemu-system-x86_64 missing: run scripts/deps.sh"
[[ -x /usr/bin/python3 ]] || die "/usr/bin/python3 missing: run scripts/deps.sh"
for b in "$build/kc-benchheap" "$build/ctl/kcollapsectl" /usr/bin/jq; do
	[[ -x $b ]] || die "$b missing (make -C bench build)"
done
gosvc=0
[[ " $workloads " == *" gosvc "* ]] && gosvc=1
((gosvc == 0)) || [[ -x $build/kc-gosvc ]] ||
	die "$build/kc-gosvc missing (make -C bench gosvc)"
[[ $gosvcargs =~ ^[A-Za-z0-9\ ._=-]*$ ]] || die "RESUME_GOSVC_ARGS: '$gosvcargs'"
exec 9>"$out/.lock"
flock -n 9 || die "another run uses $out"

# The guest: a Debian kernel, kcollapse.ko for it, and an initramfs with the
# workload, kcollapsectl and the guest script.
case $kname in
deb61 | deb612) ;;
*) die "RESUME_KERNEL: deb61 or deb612, not '$kname'" ;;
esac
kver=$(kc_kver "$kname")
"$repo/tests/vm/fetch-kernel.sh" "$kver" >&2
vmlinuz=$(kc_cache_dir)/kernels/$kver/vmlinuz
"$repo/tests/vm/build-module.sh" "$kver" "$out/build" >&2
"$repo/tests/vm/mkinitramfs.sh" -o "$out/initramfs.cpio.gz" -i "$repo/tests/vm/guest-init.sh" \
	-f "$out/build/kcollapse.ko:/lib/kcollapse/kcollapse.ko" \
	-d "$here/guest:/tests" \
	-b "$build/kc-benchheap" -b "$build/ctl/kcollapsectl" -b /usr/bin/jq
# The Go service's guests: the same and kc-gosvc (its own archive, so the
# other workloads' guests stay as they were).
if ((gosvc)); then
	"$repo/tests/vm/mkinitramfs.sh" -o "$out/initramfs-gosvc.cpio.gz" \
		-i "$repo/tests/vm/guest-init.sh" \
		-f "$out/build/kcollapse.ko:/lib/kcollapse/kcollapse.ko" \
		-d "$here/guest:/tests" \
		-b "$build/kc-benchheap" -b "$build/ctl/kcollapsectl" -b /usr/bin/jq \
		-b "$build/kc-gosvc"
fi

# Hugetlb: both guests' RAM at once, added to what the host already
# reserved (others may use it too) and given back at the end.
need=$((2 * (mem / 2) + 8))
mnt=$out/hugetlbfs
before=$(cat "$sysfs/nr_hugepages")
added=0
teardown() {
	mountpoint -q "$mnt" && umount "$mnt"
	if ((added > 0)); then
		local now
		now=$(cat "$sysfs/nr_hugepages")
		echo $((now > added ? now - added : 0)) >"$sysfs/nr_hugepages"
		echo "# hugetlb: gave back $added pages (nr_hugepages now $(cat "$sysfs/nr_hugepages"))"
	fi
}
trap teardown EXIT
echo $((before + need)) >"$sysfs/nr_hugepages"
added=$(($(cat "$sysfs/nr_hugepages") - before))
free=$(cat "$sysfs/free_hugepages")
echo "# hugetlb: nr_hugepages $before -> $((before + added)), $free free, $need needed"
((free >= need)) || die "only $free free 2 MiB pages after reserving, $need needed (memory too fragmented?)"
mkdir -p "$mnt"
mountpoint -q "$mnt" || mount -t hugetlbfs -o pagesize=2M,mode=0700 none "$mnt"

# Nothing left of an earlier run is reported with this one.
rm -rf "$out/runs" "$out/report" "$out/runs.txt"
{
	echo "date $(date -u +%Y-%m-%dT%H:%MZ)"
	echo "kernel $kver"
	echo "qemu $(qemu-system-x86_64 --version | head -n1)"
	echo "qemu mode: TCG (thread=single), 2 vCPUs, pc machine, RAM memory-backend-file" \
		"on hugetlbfs pagesize=2M share=on (both sides), postcopy-ram," \
		"max-bandwidth and max-postcopy-bandwidth 10 B/s, postcopy started at once"
	echo "host $(uname -r)"
	echo "latencyMs $latency windowS $window memMiB $mem seed $seed"
	if ((gosvc)); then echo "gosvc kc-gosvc${gosvcargs:+ $gosvcargs} ($(go version | cut -d' ' -f3))"; fi
} >"$out/meta.txt"

mkdir -p "$out/runs"
n=0 failed=0
for wl in $workloads; do
	for v in $variants; do
		label=${v%%=*} spec=${v#*=}
		variant=${spec%%,*} xargs=""
		[[ $spec == *,* ]] && xargs=${spec#*,}
		[[ $label =~ ^[A-Za-z0-9_-]+$ ]] || die "bad variant label '$label'"
		n=$((n + 1))
		dir=$out/runs/$wl-$label
		echo "$wl-$label" >>"$out/runs.txt"
		echo "# $wl / $label: variant $variant${xargs:+ xargs $xargs}"
		start=$(date +%s)
		initrd=$out/initramfs.cpio.gz wlargs=""
		if [[ $wl == gosvc ]]; then
			initrd=$out/initramfs-gosvc.cpio.gz
			wlargs=${gosvcargs:+ gosvcargs=${gosvcargs// /,}}
		fi
		if /usr/bin/python3 "$here/resume.py" --kernel "$vmlinuz" \
			--initrd "$initrd" --out "$dir" --hugetlbfs "$mnt" \
			--label "$label" --mem "$mem" --latency-ms "$latency" --window-s "$window" \
			--args "workload=$wl variant=$variant seed=$seed${xargs:+ xargs=$xargs}$wlargs" \
			>"$dir.log" 2>&1; then
			sed -n 's/^RESUME //p' "$dir.log" | jq -r '"#   \(.pagesToAnswer) pages to the answer in \(.runToAnswerMs) ms, \(.pagesWindow) in the window; \(.placedToAnswer) placed"'
		else
			failed=$((failed + 1))
			echo "#   failed ($(($(date +%s) - start)) s):"
			sed 's/^/#   /' "$dir.log" | tail -n 5
		fi
	done
done
echo "# $n runs, $failed failed"
/usr/bin/python3 "$here/report.py" "$out" ${RESUME_CHECK:+--check}
