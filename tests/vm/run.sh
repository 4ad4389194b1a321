#!/bin/bash
# run.sh [--kernels "deb61 deb612 deb13 deb13bpo proj projdbg projbuiltin newdbg"] [--suite e2e|demo] [--args "..."]
#        [--guest "NAME KERNEL [ARG...]"]... [--files "SRC:DST ..."] [--bins "PATH ..."]
#        [--cpio "ARCHIVE ..."]
#
# What `make check` and `make demo` run: for each guest (see kernel()), get
# the kernel, build kcollapse.ko against its headers, pack an initramfs (the
# module at /lib/kcollapse/kcollapse.ko, --bins in /usr/bin with their
# libraries, --files at DST, the guest test scripts at /tests and the
# shared helpers of tests/lib at /tests/lib), boot it under
# QEMU and judge the result. Prints every guest's TAP lines prefixed with
# [NAME] and ends with one "N passed, N failed" line summed over all guests.
#
# --cpio appends prebuilt cpio archives (gzipped or not) to every guest's
# initramfs as they are: the kernel unpacks them after it, over it, so a
# large tree (tests/runtimes/bundle.sh) is not packed again per guest.
#
# --kernels gives one guest per kernel, named after it, running --args;
# --guest adds one named NAME (its output directory) that boots KERNEL and
# runs ARG... instead: two guests of one kernel can split a long suite.
#
# Guests boot side by side: each QEMU runs its two vCPUs on one host thread
# (see boot.sh), so two guests use the host's two cores; measured 55 s
# parallel against 84 s one after the other for a CPU-bound guest workload.
#
# Environment:
#   KC_GUEST_TESTS_DIR  directory copied to /tests (default: tests/guest);
#                       must hold run-all.sh, run by busy box sh as
#                       `sh /tests/run-all.sh` with cwd /tests
#   KC_OUT              output root (default: $(kc_cache_dir)/out); kernel NAME
#                       gets KC_OUT/NAME/: console.log, results.log, build/, ...
#   KC_PARALLEL=0       boot the guests one after the other
#   KC_TIMEOUT          seconds per guest (default 600); KC_MEM MiB (1024)
#   KC_BOOT_ARGS, KC_TCG_THREAD, KC_SMP: see boot.sh
#   KC_NUMA_GUESTS      guests (names) that boot with two NUMA nodes
#   KC_KVER_61, KC_KVER_612, KC_KVER_13, KC_KVER_13BPO, KCOLLAPSE_CACHE:
#                       see scripts/kernels.sh
#   KC_SRC_DIR          tree holding Kbuild, kmod/, include/ (default: repo)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
# shellcheck source-path=SCRIPTDIR source=../../scripts/kernels.sh
source "$repo/scripts/kernels.sh"

usage() {
	sed -n '2,4p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2
	exit 2
}

kernels="deb61 deb612" suite=e2e args="" files="" bins="" cpios="" guests=()
while (($#)); do
	(($# >= 2)) || usage
	case $1 in
	--kernels) kernels=$2 ;;
	--suite) suite=$2 ;;
	--args) args=$2 ;;
	--guest) guests+=("$2") ;;
	--files) files=$2 ;;
	--bins) bins=$2 ;;
	--cpio) cpios=$2 ;;
	*) usage ;;
	esac
	shift 2
done
[[ $suite =~ ^[A-Za-z0-9_.-]+$ ]] || { echo "run.sh: bad suite name '$suite'" >&2; exit 2; }
# Guests: name, kernel and arguments, in three parallel arrays.
names=() guest_kernel=() guest_args=()
if ((${#guests[@]} == 0)); then
	for k in $kernels; do
		names+=("$k") guest_kernel+=("$k") guest_args+=("$args")
	done
fi
for g in "${guests[@]}"; do
	read -r n k a <<<"$g"
	[[ $n =~ ^[A-Za-z0-9_.-]+$ && -n $k ]] || { echo "run.sh: bad --guest '$g'" >&2; exit 2; }
	names+=("$n") guest_kernel+=("$k") guest_args+=("$a")
done
# kc.args travels on the kernel command line inside double quotes.
for a in "${guest_args[@]}"; do
	[[ $a != *'"'* ]] || { echo "run.sh: arguments cannot contain double quotes" >&2; exit 2; }
done

tests_dir=$(cd "${KC_GUEST_TESTS_DIR:-$repo/tests/guest}" 2>/dev/null && pwd) ||
	{ echo "run.sh: no guest tests dir ${KC_GUEST_TESTS_DIR:-$repo/tests/guest}" >&2; exit 1; }
[[ -f $tests_dir/run-all.sh ]] || { echo "run.sh: $tests_dir/run-all.sh missing" >&2; exit 1; }
command -v qemu-system-x86_64 >/dev/null ||
	{ echo "run.sh: qemu-system-x86_64 missing: run scripts/deps.sh" >&2; exit 1; }

read -ra bin_list <<<"$bins"
read -ra file_list <<<"$files"
pack=()
for b in "${bin_list[@]}"; do pack+=(-b "$b"); done
for f in "${file_list[@]}"; do pack+=(-f "$f"); done
read -ra cpio_list <<<"$cpios"
for c in "${cpio_list[@]}"; do
	[[ -s $c ]] || { echo "run.sh: --cpio $c: no such archive" >&2; exit 1; }
done

out_root=${KC_OUT:-$(kc_cache_dir)/out}
mkdir -p "$out_root"
# Two runs sharing an output tree would overwrite each other's guests.
exec 9>"$out_root/.lock"
flock -n 9 || { echo "run.sh: another run.sh is using $out_root" >&2; exit 1; }

prefix() { sed -u "s/^/[$1] /"; }

# kernel NAME: prepare the kernel and print "KVER_OR_KDIR VMLINUZ ENV".
# deb61/deb612 are Debian 12's kernels (images and headers from the archive),
# deb13/deb13bpo Debian 13's (headers in the trixie chroot, ENV "trixie");
# proj/projdbg are the project's own (kernel/*.config, build-kernel.sh);
# projbuiltin too, without module support and kcollapse built in (ENV
# "builtin": no module to build or pack); newdbg is the debug kernel built
# from the newest trixie-backports source (build-kernel.sh debugnew), its
# module built in the trixie chroot (ENV "trixie", KDIR its build tree).
kernel() {
	local name=$1 kver kdir env fflags=()
	case $name in
	proj | projdbg | projbuiltin | newdbg)
		case $name in
		proj) kdir=$("$here/build-kernel.sh" guest) ;;
		projdbg) kdir=$("$here/build-kernel.sh" debug) ;;
		projbuiltin) kdir=$("$here/build-kernel.sh" builtin) ;;
		newdbg) kdir=$("$here/build-kernel.sh" debugnew) ;;
		esac || return 1
		env=host
		[[ $name == projbuiltin ]] && env=builtin
		[[ $name == newdbg ]] && env=trixie
		echo "$kdir $kdir/arch/x86/boot/bzImage $env"
		;;
	*)
		kver=$(kc_kver "$name") || return 1
		env=$(kc_kenv "$name")
		[[ $env == trixie ]] && fflags=(--trixie)
		"$here/fetch-kernel.sh" "${fflags[@]}" "$kver" >&2 || return 1
		echo "$kver $(kc_cache_dir)/kernels/$kver/vmlinuz $env"
		;;
	esac
}

# prepare NAME KERNEL: kernel, module and initramfs; leaves
# KC_OUT/NAME/vmlinuz.path.
prepare() {
	local name=$1 k out kver vmlinuz env bflags=()
	out=$out_root/$name
	mkdir -p "$out"
	k=$(kernel "$2") || { echo "not ok - $name: kernel preparation failed"; return 1; }
	read -r kver vmlinuz env <<<"$k"
	[[ $env == trixie ]] && bflags=(--trixie)
	echo "# $name = $kver, output in $out"
	local mods=()
	if [[ $env == builtin ]]; then
		echo "# $name: kcollapse is built into the kernel, no module"
	else
		"$here/build-module.sh" "${bflags[@]}" "$kver" "$out/build" ||
			{ echo "not ok - $name: module build failed"; return 1; }
		mods=(-f "$out/build/kcollapse.ko:/lib/kcollapse/kcollapse.ko")
		[[ ! -f $out/build/kcollapse_kunit.ko ]] ||
			mods+=(-f "$out/build/kcollapse_kunit.ko:/lib/kcollapse/kcollapse_kunit.ko")
		mods+=(-f "$out/build/kc_genl_probe.ko:/lib/kcollapse/kc_genl_probe.ko")
	fi
	"$here/mkinitramfs.sh" -o "$out/initramfs.cpio.gz" -i "$here/guest-init.sh" \
		"${mods[@]}" -d "$tests_dir:/tests" -d "$repo/tests/lib:/tests/lib" "${pack[@]}" ||
		{ echo "not ok - $name: initramfs build failed"; return 1; }
	((${#cpio_list[@]} == 0)) ||
		cat "${cpio_list[@]}" >>"$out/initramfs.cpio.gz" ||
		{ echo "not ok - $name: appending --cpio failed"; return 1; }
	# KASAN kernels (projdbg, newdbg) boot with 4-level paging. On 6.1 (and 6.12)
	# with 5-level paging, which -cpu max offers, identify_cpu() of the
	# boot CPU zeroes boot_cpu_data's feature words before reading them
	# back from CPUID, with interrupts on and before alternatives are
	# patched: meanwhile pgtable_l5_enabled(), cpu_feature_enabled(LA57)
	# read from those words, is false, and so KASAN's shadow bounds are
	# the 4-level ones, below the 5-level direct map. An interrupt in that
	# window that touches per-CPU data (rcu_is_watching() on IRQ entry)
	# is then a "wild-memory-access" report and a panic 10-20 ms into boot,
	# before init (2 boots in 15 on a loaded host; every time when the
	# vCPU is stopped inside the window under gdb). no5lvl keeps LA57
	# cleared for good, so the two never disagree. Other kernels keep
	# 5-level paging.
	local kargs=""
	if [[ -f $kver/.config ]] && grep -qx 'CONFIG_KASAN=y' "$kver/.config"; then
		kargs=no5lvl
	fi
	echo "$kargs" >"$out/boot.args"
	echo "$vmlinuz" >"$out/vmlinuz.path"
}

# boot NAME ARGS
boot() {
	local name=$1 out=$out_root/$1 nodes=1
	[[ " ${KC_NUMA_GUESTS:-} " == *" $name "* ]] && nodes=2
	"$here/boot.sh" -k "$(cat "$out/vmlinuz.path")" -i "$out/initramfs.cpio.gz" \
		-o "$out" -n "$name" -t "${KC_TIMEOUT:-600}" -m "${KC_MEM:-1024}" -N "$nodes" \
		-a "kc.suite=$suite${2:+ kc.args=\"$2\"} $(cat "$out/boot.args")"
}

start=$(date +%s)
ready=()
for i in "${!names[@]}"; do
	name=${names[i]}
	rm -f "$out_root/$name"/{summary,vmlinuz.path,boot.args,boot.out}
	# Builds one at a time: make already uses both cores.
	prepare "$name" "${guest_kernel[i]}" 2>&1 | prefix "$name" || true
	[[ -s $out_root/$name/vmlinuz.path ]] && ready+=("$i")
done

pids=()
for i in "${ready[@]}"; do
	boot "${names[i]}" "${guest_args[i]}" >"$out_root/${names[i]}/boot.out" 2>&1 &
	pids+=($!)
	[[ ${KC_PARALLEL:-1} == 0 ]] && { wait "$!" || true; }
done
for pid in "${pids[@]}"; do wait "$pid" || true; done

total_pass=0 total_fail=0 total_skip=0
for name in "${names[@]}"; do
	[[ -f $out_root/$name/boot.out ]] && prefix "$name" <"$out_root/$name/boot.out"
	# check-guest.sh leaves the counts; none means the guest never ran.
	if read -r p f s 2>/dev/null <"$out_root/$name/summary"; then
		total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
	else
		total_fail=$((total_fail + 1))
	fi
done

echo "# all guests took $(($(date +%s) - start)) s"
line="$total_pass passed, $total_fail failed"
((total_skip > 0)) && line+=", $total_skip skipped"
echo "$line"
((total_fail == 0))
