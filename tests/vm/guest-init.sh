#!/bin/sh
# PID 1 of the kcollapse QEMU guests (busybox sh).
#
# The kernel console stays on ttyS0 (console.log on the host); everything the
# tests print goes to ttyS1 (results.log). Only when /tests/run-all.sh exits 0
# is the word KCOLLAPSE-GUEST-SUCCESS written there: a panic, a hang or a
# failed test all leave it out, and the host greps for it (like WireGuard's
# harness). The guest always powers off: PID 1 must never exit.

export PATH=/usr/sbin:/usr/bin:/sbin:/bin
export HOME=/root

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null # may be automounted already
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts
mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t tmpfs -o mode=1777 tmpfs /tmp
mount -t tmpfs -o mode=755 tmpfs /run
if [ -d /sys/kernel/debug ]; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
fi
# cgroup v2, for tests that freeze processes the way the sandbox does.
if [ -d /sys/fs/cgroup ]; then
	mount -t cgroup2 cgroup2 /sys/fs/cgroup 2>/dev/null
fi

results=/dev/ttyS1
# Raw: no \n -> \r\n translation, no echo of anything QEMU might feed back.
stty -F "$results" raw -echo 2>/dev/null

# Debian's kernels default THP to "always"; the tests (and the guests this
# project targets) run in madvise mode.
thp=/sys/kernel/mm/transparent_hugepage
if [ -d "$thp" ]; then
	echo madvise >"$thp/enabled"
	echo defer+madvise >"$thp/defrag"
	# khugepaged stays asleep: the tests count what the module does, and
	# a background collapse (clearing 2 MiB in one go) under a starved
	# TCG vCPU can trip the soft-lockup watchdog.
	echo 3600000 >"$thp/khugepaged/scan_sleep_millisecs"
	echo 3600000 >"$thp/khugepaged/alloc_sleep_millisecs"
fi

# kc.suite=NAME, kc.args=... (quote the value for spaces: kc.args="a b")
# and kc.soak=FACTOR reach run-all.sh as KC_SUITE, KC_ARGS and KC_SOAK. The kernel keeps dotted
# parameters for itself, so read them back from /proc/cmdline.
eval "$(awk '
	function emit(tok,   k, v) {
		if (tok !~ /^kc\.(suite|args|soak)=/) return
		k = toupper(substr(tok, 4, index(tok, "=") - 4))
		v = substr(tok, index(tok, "=") + 1)
		gsub(/\047/, "\047\\\047\047", v)
		printf "KC_%s=\047%s\047; export KC_%s\n", k, v, k
	}
	{
		tok = ""; q = 0
		for (i = 1; i <= length($0); i++) {
			c = substr($0, i, 1)
			if (c == "\"") { q = !q; continue }
			if (c == " " && !q) { emit(tok); tok = ""; continue }
			tok = tok c
		}
		emit(tok)
	}' /proc/cmdline)"

echo "kcollapse guest: $(uname -r) suite=${KC_SUITE:-} args=${KC_ARGS:-}"

rc=127
if [ -f /tests/run-all.sh ]; then
	cd /tests || true
	# stdin from /dev/null: a test that reads input must see EOF, not wait
	# forever on the console.
	sh /tests/run-all.sh >"$results" 2>&1 </dev/null
	rc=$?
	cd /
else
	echo "# /tests/run-all.sh missing from the initramfs" >"$results"
fi

# One open of the port for the trailer: its close waits for the UART to
# drain, so nothing is lost to the power-off below.
{
	[ "$rc" -eq 0 ] && echo KCOLLAPSE-GUEST-SUCCESS
	echo "KCOLLAPSE-GUEST-END rc=$rc"
} >"$results"
sync
poweroff -f
