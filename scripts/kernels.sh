# shellcheck shell=bash
# Sourceable: resolves the Debian guest kernels kcollapse is tested on.
#
#   kc_cache_dir   where downloads, builds and VM output live (outside the repo)
#   kc_kver_61     Debian 12's stock kernel: what linux-image-amd64 depends on
#   kc_kver_612    newest Debian 12 backport 6.12 kernel with an -unsigned image
#   kc_kver_13     Debian 13's stock kernel (6.12): what trixie's
#                  linux-image-amd64 depends on
#   kc_kver_13bpo  the newest trixie-backports kernel: what the newest
#                  trixie-backports linux-image-amd64 depends on
#
# The Debian 13 kernels are looked up in the trixie chroot
# (scripts/trixie-chroot.sh, built on first use), never on the host.
# KC_KVER_61 / KC_KVER_612 / KC_KVER_13 / KC_KVER_13BPO override the
# resolution (e.g. to pin a release).
# Resolved versions are cached for an hour so every `make check` does not
# have to ask apt-cache again.

kc_cache_dir() {
	printf '%s\n' "${KCOLLAPSE_CACHE:-/var/cache/kcollapse}"
}

# apt-cache only knows what the last `apt-get update` fetched; on a fresh
# machine the lists are empty, so refresh once when a lookup finds nothing.
_kc_apt_update() {
	echo "kernels.sh: apt lists lack kernel packages, running apt-get update" >&2
	apt-get update -qq >&2
}

_kc_resolve_61() {
	apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p' | head -n1
}

_kc_resolve_612() {
	apt-cache pkgnames linux-image-6.12. 2>/dev/null |
		sed -n 's/^linux-image-\(6\.12\.[0-9]*+deb12-amd64\)-unsigned$/\1/p' |
		sort -V | tail -n1
}

_kc_trixie() {
	bash "$(dirname "${BASH_SOURCE[0]}")/trixie-chroot.sh" "$@"
}

_kc_trixie_update() {
	echo "kernels.sh: refreshing the trixie chroot's apt lists" >&2
	_kc_trixie update
}

# linux-image-amd64's Depends names the ABI's image package.
_kc_resolve_13() {
	_kc_trixie run -- apt-cache show --no-all-versions linux-image-amd64 2>/dev/null |
		sed -n 's/^Depends:.*linux-image-\([0-9][^ ,]*-amd64\).*/\1/p' | head -n1
}

# Every version apt knows of linux-image-amd64 (trixie's and backports'),
# as "VERSION KVER"; the newest backports one wins.
_kc_resolve_13bpo() {
	_kc_trixie run -- apt-cache show linux-image-amd64 2>/dev/null |
		awk '/^Version:/ { v = $2 }
		     /^Depends:/ && v ~ /bpo/ && match($0, /linux-image-[0-9][^ ,]*-amd64/) {
			print v, substr($0, RSTART + 12, RLENGTH - 12)
		     }' | sort -V | tail -n1 | cut -d' ' -f2
}

# _kc_cached NAME RESOLVER [UPDATER]: cached value of NAME, refreshed after
# an hour; UPDATER (default: the host's apt-get update) runs once if the
# resolver finds nothing.
_kc_cached() {
	local name=$1 resolver=$2 updater=${3:-_kc_apt_update} file val
	file="$(kc_cache_dir)/kver-$name"
	if [[ -s $file ]] && [[ -n $(find "$file" -mmin -60 2>/dev/null) ]]; then
		cat "$file"
		return 0
	fi
	val=$("$resolver")
	if [[ -z $val ]]; then
		"$updater"
		val=$("$resolver")
	fi
	if [[ -z $val ]]; then
		echo "kernels.sh: cannot resolve the $name guest kernel version" >&2
		return 1
	fi
	if mkdir -p "$(kc_cache_dir)" 2>/dev/null; then
		printf '%s\n' "$val" >"$file.tmp.$$" && mv -f "$file.tmp.$$" "$file"
	fi
	printf '%s\n' "$val"
}

kc_kver_61() {
	if [[ -n ${KC_KVER_61:-} ]]; then
		printf '%s\n' "$KC_KVER_61"
	else
		_kc_cached 61 _kc_resolve_61
	fi
}

kc_kver_612() {
	if [[ -n ${KC_KVER_612:-} ]]; then
		printf '%s\n' "$KC_KVER_612"
	else
		_kc_cached 612 _kc_resolve_612
	fi
}

kc_kver_13() {
	if [[ -n ${KC_KVER_13:-} ]]; then
		printf '%s\n' "$KC_KVER_13"
	else
		_kc_cached 13 _kc_resolve_13 _kc_trixie_update
	fi
}

kc_kver_13bpo() {
	if [[ -n ${KC_KVER_13BPO:-} ]]; then
		printf '%s\n' "$KC_KVER_13BPO"
	else
		_kc_cached 13bpo _kc_resolve_13bpo _kc_trixie_update
	fi
}

# kc_kver NAME: version for a kernel name as run.sh spells it (deb61,
# deb612, deb13, deb13bpo).
kc_kver() {
	case $1 in
	deb61) kc_kver_61 ;;
	deb612) kc_kver_612 ;;
	deb13) kc_kver_13 ;;
	deb13bpo) kc_kver_13bpo ;;
	*)
		echo "kernels.sh: unknown kernel name '$1' (want deb61, deb612, deb13 or deb13bpo)" >&2
		return 1
		;;
	esac
}

# kc_kenv NAME: where NAME's headers live and its module is built: "host"
# (Debian 12's kernels) or "trixie" (the chroot, scripts/trixie-chroot.sh).
kc_kenv() {
	case $1 in
	deb13 | deb13bpo) echo trixie ;;
	*) echo host ;;
	esac
}
