#!/bin/bash
# trixie-chroot.sh: a cached Debian 13 (trixie) build environment.
#
#   trixie-chroot.sh ensure             build the chroot if missing or broken
#   trixie-chroot.sh headers KVER       ensure + linux-headers-KVER installed in it
#   trixie-chroot.sh update             ensure + apt-get update in it
#   trixie-chroot.sh build-dep DIR      ensure + build-essential and the
#                                       Build-Depends of DIR/debian/control
#   trixie-chroot.sh install PKG...     ensure + PKG... installed in it (what
#                                       one build needs, e.g. a kernel source)
#   trixie-chroot.sh run [-b DIR]... -- CMD [ARG...]
#                                       CMD inside the chroot; each DIR (host
#                                       path) bind-mounted at the same path
#   trixie-chroot.sh path               print the chroot's directory
#
# Debian 13's and trixie-backports' kernel headers need gcc-14, which the
# Debian 12 host does not have; nothing of trixie is installed on the host.
# The chroot lives in $(kc_cache_dir)/chroot-trixie: debootstrapped once
# (minbase, then gcc-14 and make), reused, rebuilt only when its ready marker
# is missing or gcc-14 no longer runs in it; packages added to the list
# below since it was built are installed into it. apt sources: trixie,
# trixie-updates and trixie-backports from the host's own Debian mirror, and
# trixie-security from the host's security mirror if it has one (both read
# from the host's apt configuration at run time).
#
# Concurrency: building, repairing and apt run under an exclusive flock on
# chroot-trixie.lock; `run` holds it shared, so a rebuild never removes the
# tree under a running build. Mounts (/dev, /proc, /sys, -b dirs) live in a
# private mount namespace and vanish with the command, even on failure.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# shellcheck source-path=SCRIPTDIR source=kernels.sh
source "$here/kernels.sh"

root=$(kc_cache_dir)/chroot-trixie
lock=$(kc_cache_dir)/chroot-trixie.lock
# perl: W=1 runs the 6.12 headers' kernel-doc (Pod::Usage) on each source.
packages=(gcc-14 make libc6-dev perl)
BINDS=()

log() { echo "trixie-chroot: $*" >&2; }

# _uri_of PATTERN: the first apt URI of this machine ending in PATTERN
# (deb822 .sources first, then one-line sources.list).
_uri_of() {
	local pat=$1 uri
	uri=$(sed -n "s|^URIs:[[:space:]]*\([^[:space:]]*$pat\)/\{0,1\}\$|\1|p" \
		/etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)
	[[ -n $uri ]] || uri=$(awk -v re="$pat/?\$" '$1 == "deb" && $2 ~ re {print $2; exit}' \
		/etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null)
	printf '%s\n' "${uri%/}"
}

# _in_root CMD...: CMD chrooted, with /dev, /proc, /sys and every directory
# in the BINDS array mounted, in a private mount namespace.
_in_root() {
	unshare --mount --propagation private bash -euo pipefail -c '
		root=$1 nb=$2; shift 2
		mount --bind /dev "$root/dev"
		mount -t proc proc "$root/proc"
		mount -t sysfs sysfs "$root/sys"
		for ((i = 0; i < nb; i++)); do
			mkdir -p "$root$1"
			mount --bind "$1" "$root$1"
			shift
		done
		exec chroot "$root" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin \
			HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"
	' _ "$root" "${#BINDS[@]}" "${BINDS[@]}" "$@"
}

_healthy() {
	[[ -f $root/.kc-ready ]] && _in_root gcc-14 --version >/dev/null 2>&1
}

# _current: the ready marker lists exactly today's packages.
_current() {
	[[ $(cat "$root/.kc-ready" 2>/dev/null) == "${packages[*]}" ]]
}

# _install: today's packages; the caller holds the lock exclusively.
_install() {
	log "installing ${packages[*]}"
	if ! { _in_root apt-get install -y -qq "${packages[@]}" ||
		{ _in_root apt-get update -qq &&
			_in_root apt-get install -y -qq "${packages[@]}"; }; } >>"$root.log" 2>&1; then
		tail -n 30 "$root.log" >&2
		return 1
	fi
	_in_root apt-get clean
	echo "${packages[*]}" >"$root/.kc-ready"
}

# _build: debootstrap and configure; the caller holds the lock exclusively.
_build() {
	local mirror security work start
	mirror=$(_uri_of /debian)
	security=$(_uri_of /debian-security)
	[[ -n $mirror ]] || { log "no Debian mirror in this machine's apt sources"; return 1; }
	if ! command -v debootstrap >/dev/null; then
		log "installing debootstrap"
		apt-get install -y -qq --no-install-recommends debootstrap >&2 ||
			{ apt-get update -qq && apt-get install -y -qq --no-install-recommends debootstrap >&2; }
	fi
	start=$(date +%s)
	rm -rf "$root" "$root.new"
	work=$root.new
	log "debootstrap trixie (minbase) into $root, from the host's mirror"
	if ! debootstrap --variant=minbase \
		--keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
		trixie "$work" "$mirror" >"$root.log" 2>&1; then
		tail -n 30 "$root.log" >&2
		return 1
	fi
	rm -f "$work/etc/apt/sources.list"
	{
		printf 'Types: deb\nURIs: %s\nSuites: trixie trixie-updates trixie-backports\n' "$mirror"
		printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		if [[ -n $security ]]; then
			printf '\nTypes: deb\nURIs: %s\nSuites: trixie-security\n' "$security"
			printf 'Components: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n'
		fi
	} >"$work/etc/apt/sources.list.d/debian.sources"
	# No documentation or recommends: the tree is a compiler, not a system.
	printf 'APT::Install-Recommends "false";\nAPT::Install-Suggests "false";\n' \
		>"$work/etc/apt/apt.conf.d/90kcollapse"
	mv "$work" "$root"
	_in_root apt-get update -qq >>"$root.log" 2>&1 || { tail -n 30 "$root.log" >&2; return 1; }
	_install
	log "built in $(($(date +%s) - start)) s"
}

# ensure: a healthy chroot, built or rebuilt under the exclusive lock;
# returns holding the lock shared on fd 8 (released at exit).
ensure() {
	mkdir -p "$(kc_cache_dir)"
	exec 8>"$lock"
	flock -s 8
	_healthy && _current && return 0
	flock -x 8
	if ! _healthy; then
		[[ ! -e $root ]] || log "$root is broken: rebuilding"
		_build
	elif ! _current; then
		_install
	fi
	flock -s 8
}

# _apt ARG...: apt-get in the chroot, exclusively, output to the log.
_apt() {
	flock -x 8
	_in_root apt-get "$@" >>"$root.log" 2>&1 || { tail -n 20 "$root.log" >&2; return 1; }
	flock -s 8
}

# headers KVER: linux-headers-KVER (and with it the kernel's kbuild tools).
headers() {
	local kver=$1
	ensure
	[[ -d $root/usr/src/linux-headers-$kver ]] && return 0
	log "installing linux-headers-$kver"
	_apt install -y -qq "linux-headers-$kver" 2>/dev/null ||
		{ _apt update -qq && _apt install -y -qq "linux-headers-$kver"; }
	_apt clean
}

# install PKG...: packages one build needs beyond the compiler (kept out of
# the ready list: the chroot is still whole without them).
install() {
	ensure
	local pkg missing=()
	for pkg in "$@"; do
		# shellcheck disable=SC2016 # dpkg-query's format, not a shell one
		_in_root dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
			grep -q 'install ok installed' || missing+=("$pkg")
	done
	((${#missing[@]})) || return 0
	log "installing ${missing[*]}"
	_apt install -y -qq "${missing[@]}" 2>/dev/null ||
		{ _apt update -qq && _apt install -y -qq "${missing[@]}"; }
	_apt clean
}

# build-dep DIR: what dpkg-buildpackage needs to build the Debian source
# tree DIR (host path, bind-mounted at the same path), unless already there.
build_dep() {
	local dir
	dir=$(cd "$1" && pwd)
	ensure
	BINDS=("$dir")
	_in_root sh -c 'cd "$1" && dpkg-checkbuilddeps' _ "$dir" >/dev/null 2>&1 && return 0
	log "installing the build dependencies of $dir"
	install build-essential
	_apt build-dep -y -qq "$dir"
	_apt clean
}

# update: refresh the chroot's apt lists (the archive moved on).
update() {
	ensure
	_apt update -qq
}

# run [-b DIR]... -- CMD...: under the shared lock.
run() {
	local binds=()
	while (($#)) && [[ $1 != -- ]]; do
		[[ $1 == -b && $# -ge 2 ]] || { log "usage: run [-b DIR]... -- CMD..."; return 2; }
		binds+=("$(cd "$2" && pwd)")
		shift 2
	done
	[[ ${1:-} == -- ]] && shift
	ensure
	BINDS=("${binds[@]}")
	_in_root "$@"
}

case ${1:-} in
ensure) ensure; echo "$root" ;;
headers) (($# == 2)) || { log "usage: headers KVER"; exit 2; }; headers "$2" ;;
update) update ;;
build-dep) (($# == 2)) || { log "usage: build-dep DIR"; exit 2; }; build_dep "$2" ;;
install) shift; (($#)) || { log "usage: install PKG..."; exit 2; }; install "$@" ;;
run) shift; run "$@" ;;
path) echo "$root" ;;
*) sed -n '2,14p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac
