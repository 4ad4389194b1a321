# shellcheck shell=bash
# Sourceable: resolves the two Debian guest kernels kcollapse is tested on.
#
#   kc_cache_dir   where downloads, builds and VM output live (outside the repo)
#   kc_kver_61     Debian 12's stock kernel: what linux-image-amd64 depends on
#   kc_kver_612    newest Debian 12 backport 6.12 kernel with an -unsigned image
#
# KC_KVER_61 / KC_KVER_612 override the resolution (e.g. to pin a release).
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

# _kc_cached NAME RESOLVER: cached value of NAME, refreshed after an hour.
_kc_cached() {
	local name=$1 resolver=$2 file val
	file="$(kc_cache_dir)/kver-$name"
	if [[ -s $file ]] && [[ -n $(find "$file" -mmin -60 2>/dev/null) ]]; then
		cat "$file"
		return 0
	fi
	val=$("$resolver")
	if [[ -z $val ]]; then
		_kc_apt_update
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

# kc_kver NAME: version for a kernel name as run.sh spells it (deb61, deb612).
kc_kver() {
	case $1 in
	deb61) kc_kver_61 ;;
	deb612) kc_kver_612 ;;
	*)
		echo "kernels.sh: unknown kernel name '$1' (want deb61 or deb612)" >&2
		return 1
		;;
	esac
}
