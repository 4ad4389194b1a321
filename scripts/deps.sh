#!/bin/bash
# Installs everything kcollapse needs to build and to run its QEMU tests, from
# Debian's archive. Idempotent and quick when all is present: dpkg-query is
# asked first, and apt is only touched for what is missing.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=kernels.sh
source "$here/kernels.sh"

pkgs=(
	build-essential gcc make pkg-config
	libnl-3-dev libnl-genl-3-dev libjson-c-dev libmicrohttpd-dev
	qemu-system-x86 busybox-static cpio gzip xz-utils kmod
	# the project's own guest kernel (tests/vm/build-kernel.sh) and its
	# KUnit parser; checkpatch.pl comes from the 6.12 source package
	linux-source-6.1 linux-source-6.12 bc flex bison libelf-dev libssl-dev
	python3
	# the YNL spec's check (tests/ynl): the kernel's ynl tools and schema
	python3-yaml python3-jsonschema
	# make bench: its charts
	gnuplot-nox
	# make resume-bench (bench/resume/) needs nothing more: QEMU's postcopy
	# migration, python3's standard library, jq, busybox-static (above and
	# below); its hugetlb pages, hugetlbfs mount and userfaultfd (root) it
	# sets up and checks itself
	# kcollapsed's tests: the HTTP client (also packed into the guests),
	# JSON checks, and libFuzzer (its runtime is only a Recommends of
	# clang, which --no-install-recommends skips)
	curl jq clang libclang-rt-dev
	# the Debian image test (tests/image): its rootfs and ext4 disk
	debootstrap e2fsprogs util-linux
	# real runtimes as guest targets (tests/runtimes/bundle.sh): Go 1.19,
	# Python 3.11, a jlinked JDK 17; Node.js is downloaded, not installed
	golang-go python3.11 openjdk-17-jdk-headless binutils
	# the Go package (go/): built offline in GOPATH mode against these
	golang-github-mdlayher-genetlink-dev golang-github-mdlayher-netlink-dev
	golang-golang-x-sys-dev
	# what is shipped (tests/package): hardening-check, the man page lints;
	# make deb's debhelper and DKMS helper, lintian
	devscripts mandoc groff-base debhelper dh-dkms lintian
)

# installed PKG: true if dpkg considers PKG fully installed.
installed() {
	[[ $(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null) == installed ]]
}

# The guest kernels' versions may need apt lists; kernels.sh refreshes them
# itself if a lookup comes back empty.
kver61=$(kc_kver_61)
kver612=$(kc_kver_612)
echo "deps.sh: guest kernels: deb61=$kver61 deb612=$kver612"
pkgs+=("linux-headers-$kver61" "linux-headers-$kver612")

missing=()
for p in "${pkgs[@]}"; do
	installed "$p" || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
	echo "deps.sh: all ${#pkgs[@]} packages present"
	exit 0
fi

echo "deps.sh: installing: ${missing[*]}"
if [[ $(id -u) != 0 ]]; then
	echo "deps.sh: must run as root to install packages" >&2
	exit 1
fi
apt-get update -qq
DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${missing[@]}"
