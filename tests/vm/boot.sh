#!/bin/bash
# boot.sh -k VMLINUZ -i INITRD -o OUTDIR [-t TIMEOUT_S] [-m MEM_MB] [-a ARGS] [-n NAME]
#         [-d DISK] [-N NODES]
#
# Boots one throwaway guest under QEMU (TCG: no KVM here), waits for it to
# power itself off or for the timeout, then lets check-guest.sh judge it.
# OUTDIR gets console.log (ttyS0, kernel console), results.log (ttyS1, test
# output), qemu.log, qemu.rc, timeout and elapsed (seconds). DISK, if
# given, is a raw image attached as the guest's virtio disk (/dev/vda).
# NODES (1 or 2, default 1): with 2 the guest has two NUMA nodes, one vCPU
# and half the memory each.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
	echo "usage: $0 -k VMLINUZ -i INITRD -o OUTDIR [-t TIMEOUT_S] [-m MEM_MB] [-a ARGS] [-n NAME] [-d DISK] [-N NODES]" >&2
	exit 2
}

kernel="" initrd="" out="" timeout_s=600 mem=1024 extra="" name="" disk="" nodes=1
while getopts "k:i:o:t:m:a:n:d:N:h" opt; do
	case $opt in
	k) kernel=$OPTARG ;;
	i) initrd=$OPTARG ;;
	o) out=$OPTARG ;;
	t) timeout_s=$OPTARG ;;
	m) mem=$OPTARG ;;
	a) extra=$OPTARG ;;
	n) name=$OPTARG ;;
	d) disk=$OPTARG ;;
	N) nodes=$OPTARG ;;
	*) usage ;;
	esac
done
[[ -n $kernel && -n $initrd && -n $out ]] || usage
[[ -f $kernel ]] || { echo "boot.sh: no kernel $kernel" >&2; exit 1; }
[[ -f $initrd ]] || { echo "boot.sh: no initrd $initrd" >&2; exit 1; }
[[ $nodes == 1 || ($nodes == 2 && ${KC_SMP:-2} == 2) ]] ||
	{ echo "boot.sh: -N $nodes: 1, or 2 with two vCPUs" >&2; exit 2; }

# Any problem must end the guest, so the host sees it as a missing success
# marker even if the splat itself scrolled by: panic on oops, warn and soft
# lockup; panic=-1 reboots at once and -no-reboot turns that into an exit.
# No "quiet": WARN and friends print at KERN_WARNING and must reach the
# console. KASLR stays on, as on real guests.
append="console=ttyS0 panic=-1 oops=panic panic_on_warn=1 softlockup_panic=1"
# Two vCPUs on a TCG host are slow: give RCU stall checks slack, and let the
# boot skip probing hardware that -nodefaults does not provide anyway.
append+=" rcupdate.rcu_cpu_stall_timeout=120 8250.nr_uarts=2 i8042.noaux i8042.nokbd"
# Soft lockups are reported after 2 x watchdog_thresh: 120 s (the most the
# kernel allows), not 20, as a busy host can starve a TCG vCPU for tens of
# seconds (69 s seen with six guests on this 2-core machine, in the middle
# of a 2 MiB page allocation); a loop that never yields still panics.
append+=" watchdog_thresh=60"
append+=" ${KC_BOOT_ARGS:-} $extra"

mkdir -p "$out"
rm -f "$out"/{console.log,results.log,qemu.log,qemu.rc,elapsed,summary}
echo "$timeout_s" >"$out/timeout"

# -cpu max: under TCG it offers x86-64-v2+ with PSE/PDPE1GB, enough for THP,
# and LA57 (5-level paging; run.sh turns it off on KASAN kernels: no5lvl).
# thread=single: with multi-threaded TCG (QEMU 7.2) a vCPU can run code that
# another vCPU has just patched with text_poke_bp (static keys, kprobes,
# module loading): Debian 6.12 then dies with "Oops: int3" and 6.1 hangs,
# reproducibly when a static key is flipped in a loop. One thread for both
# vCPUs keeps SMP semantics without that race; run.sh gets the host's second
# core back by booting kernels side by side. KC_TCG_THREAD=multi to compare.
qemu=(
	qemu-system-x86_64 -accel "tcg,thread=${KC_TCG_THREAD:-single}"
	-cpu max -smp "${KC_SMP:-2}" -m "$mem"
	-nographic -no-reboot -nodefaults
	-kernel "$kernel" -initrd "$initrd" -append "$append"
	-serial "file:$out/console.log" -serial "file:$out/results.log"
	-monitor none
)
if ((nodes == 2)); then
	# one socket per node: CPUs sharing a cache across nodes make the
	# kernel WARN (topology_sane) and panic_on_warn ends the boot
	qemu+=(-smp "2,sockets=2,cores=1,threads=1")
	half=$((mem / 2))
	for n in 0 1; do
		qemu+=(-object "memory-backend-ram,id=mem$n,size=$((n ? mem - half : half))M"
			-numa "node,nodeid=$n,cpus=$n,memdev=mem$n")
	done
fi
if [[ -n $disk ]]; then
	qemu+=(-drive "file=$disk,if=virtio,format=raw")
fi

start=$(date +%s)
set +e
# -k: a guest wedged hard enough to ignore SIGTERM still goes away.
timeout -k 10 "$timeout_s" "${qemu[@]}" </dev/null >"$out/qemu.log" 2>&1
rc=$?
set -e
echo "$rc" >"$out/qemu.rc"
echo $(($(date +%s) - start)) >"$out/elapsed"
echo "# ${name:-$(basename "$out")}: guest ran $(cat "$out/elapsed") s (qemu rc=$rc)"

exec "$here/check-guest.sh" "$out" "${name:-$(basename "$out")}"
