#!/bin/bash
# kernel-tree.sh [--copy] KERNEL_SRC
#
# Prepares a kernel source tree to build kcollapse into the kernel (obj-y):
# afterwards `make menuconfig` (Device Drivers > Misc devices) offers
# CONFIG_KCOLLAPSE, and with it set to y the kernel links in the very
# sources that build kcollapse.ko. Into KERNEL_SRC/drivers/misc/kcollapse/
# go this repository's Kbuild (the same object list as the module's),
# kernel/Kconfig as Kconfig, VERSION, kmod/*.[ch] and the headers under
# include/; drivers/misc/Kconfig and drivers/misc/Makefile get one line each.
#
# By default the files are symbolic links to this checkout, so the kernel
# always builds what the checkout holds; --copy copies them instead (mtimes
# kept), for a tree that outlives the checkout or leaves the machine. Run it
# again after adding or removing a source file; it is idempotent.
# Tested on 6.1 (tests/vm/build-kernel.sh builtin, `make vm-test
# KERNELS=projbuiltin`).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

copy=0
if [[ ${1:-} == --copy ]]; then
	copy=1
	shift
fi
(($# == 1)) || { echo "usage: $0 [--copy] KERNEL_SRC" >&2; exit 2; }
ksrc=$(cd "$1" && pwd)
[[ -f $ksrc/drivers/misc/Kconfig && -f $ksrc/drivers/misc/Makefile ]] ||
	{ echo "kernel-tree.sh: $ksrc is not a kernel source tree" >&2; exit 1; }

dst=$ksrc/drivers/misc/kcollapse
# From scratch each time: a source file the repo no longer has must go.
rm -rf "$dst"
mkdir -p "$dst/kmod" "$dst/include/uapi/linux" "$dst/include/common"

put() { # put REPO_PATH TREE_PATH
	if ((copy)); then
		cp -p "$repo/$1" "$dst/$2"
	else
		ln -s "$repo/$1" "$dst/$2"
	fi
}
put Kbuild Kbuild
put kernel/Kconfig Kconfig
put VERSION VERSION
for f in "$repo"/kmod/*.c "$repo"/kmod/*.h; do
	put "kmod/${f##*/}" "kmod/${f##*/}"
done
put include/uapi/linux/kcollapse.h include/uapi/linux/kcollapse.h
put include/common/kcollapse_rules.h include/common/kcollapse_rules.h

# One line each in drivers/misc, added with sed -i, which writes a new file:
# in a tree of hard links to another (cp -al) that other tree keeps its own.
kconfig=$ksrc/drivers/misc/Kconfig
if ! grep -q '^source "drivers/misc/kcollapse/Kconfig"' "$kconfig"; then
	# before the menu's last endmenu
	last=$(grep -n '^endmenu' "$kconfig" | tail -n1 | cut -d: -f1)
	[[ -n $last ]] || { echo "kernel-tree.sh: no endmenu in $kconfig" >&2; exit 1; }
	sed -i "${last}i source \"drivers/misc/kcollapse/Kconfig\"" "$kconfig"
fi
makefile=$ksrc/drivers/misc/Makefile
# shellcheck disable=SC2016 # a make variable, not a shell one
if ! grep -q '^obj-$(CONFIG_KCOLLAPSE)' "$makefile"; then
	sed -i '$a obj-$(CONFIG_KCOLLAPSE)\t\t+= kcollapse/' "$makefile"
fi
echo "kernel-tree.sh: kcollapse $(cat "$repo/VERSION") in $dst ($( ((copy)) && echo copied || echo linked))"
