#!/bin/bash
# promtool.sh: prints the path of promtool, Prometheus's metrics linter.
# A promtool on PATH is used as it is; otherwise it is taken from Debian's
# prometheus package without installing that package (which would bring a
# server and its service): apt-get download, unpacked once into the cache
# ($KCOLLAPSE_CACHE, default /var/cache/kcollapse).
set -euo pipefail

if command -v promtool >/dev/null 2>&1; then
	command -v promtool
	exit 0
fi
dir=${KCOLLAPSE_CACHE:-/var/cache/kcollapse}/promtool
bin=$dir/root/usr/bin/promtool
if [[ ! -x $bin ]]; then
	mkdir -p "$dir"
	rm -rf "$dir/root.new" "$dir"/prometheus_*.deb
	(cd "$dir" && apt-get download -q prometheus >/dev/null 2>&1) ||
		{ echo "promtool.sh: apt-get download prometheus failed" >&2; exit 1; }
	dpkg-deb -x "$dir"/prometheus_*.deb "$dir/root.new"
	rm -rf "$dir/root" "$dir"/prometheus_*.deb
	mv "$dir/root.new" "$dir/root"
fi
echo "$bin"
