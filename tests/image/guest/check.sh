#!/bin/sh
# In the booted Debian image, as a systemd service once multi-user.target is
# reached: what an operator's image must do on its own, checked in order
# (later checks build on earlier ones), TAP on ttyS1. Then the same markers
# as the busybox guests, and power off.
#
# Uses the guest tests' helpers (lib.sh): assert_*, wl_verify, kcd_post, j.
cd /opt/kc-test || exit 1
. ./lib.sh

results=/dev/ttyS1
stty -F "$results" raw -echo 2>/dev/null
exec >"$results" 2>&1

KVER=$(uname -r)
NEXT=$(cat /root/next-version)
KCD_URL=http://127.0.0.1:49999
WL_OUT=/run/kc-workload.out

main_pid() { systemctl show -p MainPID --value "$1"; }
since_boot_ms() {
	echo $(( $(systemctl show -p "$2" --value "$1") / 1000 ))
}

# The boot itself: every unit came up, and how long it took until the
# bridge could take the orchestrator's call.
t_boot() {
	state=$(systemctl is-system-running --wait)
	systemctl --failed --no-legend | sed 's/^/  failed unit: /'
	assert_eq "system state" "$state" running
	systemd-analyze 2>/dev/null | sed 's/^/  /'
	ready=$(since_boot_ms kcollapsed.service ActiveEnterTimestampMonotonic)
	echo "  boot-to-ready (kcollapsed.service active): $ready ms since kernel start"
	echo "$ready" >/run/kc-boot-to-ready-ms
}

t_dkms_status() {
	# (dkms status complains about its own pipes on stderr)
	status=$(dkms status kcollapse 2>/dev/null)
	echo "  $status"
	# (the kernel release taken literally: Debian 13's has a "+")
	kre=$(printf '%s\n' "$KVER" | sed 's/[].[^$*+?(){}|\\]/\\&/g')
	assert_match "dkms status" "$status" \
		"^kcollapse/$INSTALLED(,|:) $kre, x86_64: installed"
	assert_match "module file" "$(modinfo -n kcollapse)" "/updates/dkms/kcollapse.ko"
}

t_loaded_at_boot() {
	assert_eq "module version" "$(cat /sys/module/kcollapse/version)" "$INSTALLED"
	# Logged before journald runs: found by identifier, not by unit.
	journalctl -b -o cat -t systemd-modules-load | sed 's/^/  /'
	journalctl -b -o cat -t systemd-modules-load |
		grep -q "Inserted module 'kcollapse'" ||
		fail "systemd-modules-load did not insert kcollapse"
	kcollapsectl info | sed 's/^/  /'
}

t_service() {
	assert_eq "kcollapsed.service" "$(systemctl is-active kcollapsed.service)" active
	assert_eq "token file mode" "$(stat -c %a /etc/kcollapse/token)" 600
	assert_eq "GET /health" \
		"$(curl -sS -o /dev/null -w '%{http_code}' "$KCD_URL/health")" 204
}

# collapse_wl FILE ENGINE: POST /collapse of $WL_PID, the reply in FILE;
# served by ENGINE, run to the end, at least 30 windows collapsed.
collapse_wl() {
	status=$(kcd_post "$1" "{\"pid\": $WL_PID}")
	jq -c . "$1" | sed 's/^/  reply: /'
	assert_eq "status" "$status" 200
	assert_eq "engine" "$(j "$1" engine)" "$2"
	assert_eq "stop reason" "$(j "$1" stopReason)" done
	assert_ge "collapsed" "$(j "$1" collapsed)" 30
}

# The orchestrator's call, with the token the image configured, on a
# fragmented workload that runs as a service of its own.
t_collapse() {
	KCD_TOKEN=$(cat /etc/kcollapse/token)
	WL_PID=$(main_pid kc-workload.service)
	assert_eq "kc-workload.service" "$(systemctl is-active kc-workload.service)" active
	grep -q '^ready ' "$WL_OUT" || fail "workload not ready"
	assert_eq "no token" "$(curl -sS -o /dev/null -w '%{http_code}' \
		-X POST -d "{\"pid\": $WL_PID}" "$KCD_URL/collapse")" 401
	collapse_wl /tmp/r.json kmod
	assert_lt "frames after < before" "$(j /tmp/r.json framesAfter)" \
		"$(j /tmp/r.json framesBefore)"
	wl_verify
	journalctl -b -o cat -u kcollapsed.service | grep 'event=collapse' | sed 's/^/  log: /'
}

# The unit's sandbox as systemd rates it: systemd-analyze security's
# overall exposure (0 safest, 10 unprotected) at 3.0 or lower, with the
# settings the daemon is hardened by in force.
t_hardening() {
	systemd-analyze security --no-pager kcollapsed.service >/tmp/security.txt 2>&1
	# The exposed settings, one line each (the rest are met).
	grep -F '✗' /tmp/security.txt | sed 's/^/  /'
	line=$(grep 'Overall exposure level for kcollapsed.service' /tmp/security.txt)
	echo "  $line"
	score=$(echo "$line" | sed -n 's/.*kcollapsed\.service: \([0-9][0-9.]*\).*/\1/p')
	[ -n "$score" ] || fail "no exposure level in systemd-analyze security's output"
	awk -v s="$score" 'BEGIN { exit !(s <= 3.0) }' ||
		fail "exposure level $score, more than 3.0"
	for p in ProtectKernelTunables=yes PrivateMounts=yes UMask=0077 \
		NoNewPrivileges=yes ProtectSystem=strict; do
		assert_eq "${p%%=*}" "$(systemctl show -p "${p%%=*}" --value kcollapsed.service)" \
			"${p#*=}"
	done
	filter=$(systemctl show -p SystemCallFilter --value kcollapsed.service)
	for call in pidfd_open process_madvise sendmsg recvmsg accept4; do
		case " $filter " in *" $call "*) ;; *) fail "$call not allowed" ;; esac
	done
	case " $filter " in *" setrlimit "* | *" ptrace "*) fail "filter allows too much" ;; esac
}

# kcd_wait_up: until the restarted daemon answers GET /health (10 s).
kcd_wait_up() {
	i=0
	until [ "$(curl -sS -o /dev/null -w '%{http_code}' "$KCD_URL/health" 2>/dev/null)" = 204 ]; do
		i=$((i + 1))
		[ $i -lt 100 ] || fail "kcollapsed does not answer GET /health"
		sleep 0.1
	done
}

# The other engine in the same sandbox: kcollapsed restarted with
# --engine userspace, whose pidfd_open, process_madvise, /proc/PID/pagemap
# and already-huge detection must pass the system call filter and the
# read-only /proc and /sys; and a body-less POST (the orchestrator's) that
# finds its target through systemctl (--target unit:NAME).
t_userspace_engine() {
	dropin=/run/systemd/system/kcollapsed.service.d
	mkdir -p "$dropin"
	printf '[Service]\nEnvironment="KCOLLAPSED_OPTS=--engine userspace --target unit:kc-workload.service"\n' \
		>"$dropin/engine.conf"
	systemctl daemon-reload
	systemctl restart kcollapsed.service || fail "kcollapsed --engine userspace did not start"
	kcd_wait_up
	KCD_TOKEN=$(cat /etc/kcollapse/token)
	# The service's workload, collapsed by the module before: already huge.
	status=$(kcd_post /tmp/ru.json)
	jq -c . /tmp/ru.json | sed 's/^/  reply: /'
	assert_eq "body-less status" "$status" 200
	assert_eq "engine" "$(j /tmp/ru.json engine)" userspace
	assert_eq "target" "$(jq -r '.pid // .targets[0].pid' /tmp/ru.json)" \
		"$(main_pid kc-workload.service)"
	assert_ge "already huge" "$(j /tmp/ru.json alreadyHuge)" 30
	# A fresh fragmented workload, collapsed by process_madvise.
	PATH=/opt/kc-test:$PATH wl_start --only dense,frag,sparse,empty,mixed
	collapse_wl /tmp/ru2.json userspace
	wl_verify
	wl_stop
	rm -r "$dropin"
	systemctl daemon-reload
	systemctl restart kcollapsed.service || fail "kcollapsed did not start again"
	kcd_wait_up
}

# An upgrade as an operator does it: the newer packages installed over the
# old ones (the old module leaves DKMS, the new one is built for the running
# kernel), then the module reloaded and the service restarted around it.
t_upgrade() {
	start=$(date +%s)
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
		/root/debs-next/kcollapse-dkms_*.deb /root/debs-next/libkcollapse1_*.deb \
		/root/debs-next/kcollapsectl_*.deb /root/debs-next/kcollapsed_*.deb \
		>/tmp/upgrade.log 2>&1 ||
		{ tail -n 30 /tmp/upgrade.log; fail "installing $NEXT"; }
	echo "  apt upgrade to $NEXT, DKMS build in the guest: $(($(date +%s) - start)) s"
	assert_eq "package version" "$(dpkg-query -W -f='${Version}' kcollapsed)" "$NEXT-1"
	assert_eq "dkms status of $INSTALLED after the upgrade" \
		"$(dkms status "kcollapse/$INSTALLED" 2>/dev/null)" ""
	INSTALLED=$NEXT t_dkms_status
	restarts=$(systemctl show -p NRestarts --value kcollapsed.service)
	systemctl stop kcollapsed.service
	modprobe -r kcollapse || fail "modprobe -r kcollapse"
	modprobe kcollapse || fail "modprobe kcollapse"
	systemctl start kcollapsed.service || fail "kcollapsed did not start again"
	assert_eq "module version" "$(cat /sys/module/kcollapse/version)" "$NEXT"
	assert_eq "kcollapsed.service" "$(systemctl is-active kcollapsed.service)" active
	assert_eq "restarts on failure" \
		"$(systemctl show -p NRestarts --value kcollapsed.service)" "$restarts"
	# The already collapsed workload, classified again by the new module.
	KCD_TOKEN=$(cat /etc/kcollapse/token)
	WL_PID=$(main_pid kc-workload.service)
	status=$(kcd_post /tmp/r2.json "{\"pid\": $WL_PID, \"dryRun\": true}")
	jq -c . /tmp/r2.json | sed 's/^/  reply: /'
	assert_eq "status" "$status" 200
	assert_ge "already huge" "$(j /tmp/r2.json alreadyHuge)" 30
	wl_verify
}

# Removal: the service stopped, the module out of DKMS and off the disk
# (the loaded one stays until reboot), the files gone; purge leaves nothing.
t_remove() {
	DEBIAN_FRONTEND=noninteractive apt-get remove -y \
		kcollapsed kcollapsectl kcollapse-dkms libkcollapse1 >/tmp/remove.log 2>&1 ||
		{ tail -n 30 /tmp/remove.log; fail "apt-get remove"; }
	assert_eq "kcollapsed.service after remove" \
		"$(systemctl is-active kcollapsed.service)" inactive
	assert_eq "dkms status after remove" "$(dkms status kcollapse 2>/dev/null)" ""
	# (kcollapse.ko.xz where the kernel compresses its modules: Debian 13)
	ls "/lib/modules/$KVER/updates/dkms/kcollapse.ko"* >/dev/null 2>&1 &&
		fail "module file left behind"
	[ -d "/usr/src/kcollapse-$NEXT" ] && fail "module sources left behind"
	for f in /usr/sbin/kcollapsed /usr/bin/kcollapsectl /usr/sbin/kcollapsed-token \
		/usr/lib/modules-load.d/kcollapse.conf; do
		[ -e "$f" ] && fail "$f left behind"
	done
	systemctl cat kcollapsed.service >/dev/null 2>&1 && fail "kcollapsed.service still known"
	# (dpkg: apt cannot name a package that left no config-files state)
	dpkg --purge kcollapsed kcollapsectl kcollapse-dkms libkcollapse1 \
		>>/tmp/remove.log 2>&1 || { tail -n 30 /tmp/remove.log; fail "dpkg --purge"; }
	left=$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' \
		kcollapsed kcollapsectl kcollapse-dkms libkcollapse1 2>/dev/null |
		grep -v ' not-installed$')
	assert_eq "packages after purge" "$left" ""
}

INSTALLED=$(cat /root/installed-version)
tests="boot dkms_status loaded_at_boot service collapse hardening userspace_engine upgrade remove"
echo "1..$(echo "$tests" | wc -w)"
echo "# kernel $KVER, kcollapse $INSTALLED, upgrade to $NEXT"
n=0
failed=0
for t in $tests; do
	n=$((n + 1))
	start=$(date +%s)
	("t_$t") >/tmp/test.out 2>&1 </dev/null
	rc=$?
	sed 's/^/# /' /tmp/test.out
	took=$(($(date +%s) - start))
	if [ $rc -eq 0 ]; then
		echo "ok $n - image: $t (${took}s)"
	else
		echo "not ok $n - image: $t (rc=$rc, ${took}s)"
		failed=$((failed + 1))
	fi
done
journalctl -b -p warning -o short-monotonic --no-pager | tail -n 40 | sed 's/^/# journal: /'

rc=0
[ "$failed" -eq 0 ] || rc=1
{
	[ "$rc" -eq 0 ] && echo KCOLLAPSE-GUEST-SUCCESS
	echo "KCOLLAPSE-GUEST-END rc=$rc"
}
# Straight to systemd: this image has no logind to ask first.
systemctl start --no-block poweroff.target
