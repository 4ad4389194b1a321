#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# check.sh: tests of the workload tools, run on the build host (as root, with
# THP and process_madvise(MADV_COLLAPSE)). Changes nothing system-wide: with
# THP mode "never" the hugepage assertions are skipped with a note.
#
# Prints TAP ("ok N - ...", "not ok N - ..."), then the plan, and ends with
# exactly "P passed, F failed". Exit status 0 only if nothing failed.
set -u

cd "$(dirname "$0")" || exit 1
bin=$(pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/kc-workload-check.XXXXXX") || exit 1
pids=
cleanup() {
	for p in $pids; do
		kill "$p" 2>/dev/null
	done
	rm -rf "$tmp"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# shellcheck source=tests/lib/tap.sh
. "$bin/../lib/tap.sh"

# wait_lines FILE REGEX COUNT: wait (up to 60 s) until FILE has COUNT lines
# matching REGEX.
wait_lines() {
	i=0
	while :; do
		c=$(grep -cE "$2" "$1" 2>/dev/null)
		[ "${c:-0}" -ge "$3" ] && return 0
		i=$((i + 1))
		[ $i -gt 600 ] && return 1
		sleep 0.1
	done
}

# signal_and_wait PID SIGNAL FILE REGEX: send SIGNAL, wait for one more line
# matching REGEX in FILE.
signal_and_wait() {
	before=$(grep -cE "$4" "$3")
	kill -s "$2" "$1" && wait_lines "$3" "$4" $((before + 1))
}

last_line() { grep -E "$2" "$1" | tail -n 1; }

# field LINE KEY: the value of KEY=VALUE in LINE.
field() { echo "$1" | tr ' ' '\n' | sed -n "s/^$2=//p"; }

thp_dir=/sys/kernel/mm/transparent_hugepage
thp_mode=none
if [ -r $thp_dir/enabled ]; then
	thp_mode=$(sed 's/.*\[\(.*\)\].*/\1/' $thp_dir/enabled)
fi
is_root=0
[ "$(id -u)" = 0 ] && is_root=1
note "THP mode: $thp_mode, root: $is_root"

# name start len windows present, in table order (default base and scale).
layout='dense 0x200000000000 0x1000000 8 4096
frag 0x200001200000 0x2000000 16 512
sparse 0x200003400000 0x1000000 8 32
empty 0x200004600000 0x1000000 8 0
mixed 0x200005800000 0x1000000 8 256
huge 0x200006a00000 0x800000 4 2048
nohuge 0x200007400000 0x800000 4 512
edges 0x200007f00000 0x500000 2 1280
readonly 0x200008600000 0x400000 2 1024'
total_present=9760
dense=0x200000000000 dense_len=0x1000000
huge=0x200006a00000
nohuge=0x200007400000 nohuge_len=0x800000

# --- the default layout -------------------------------------------------
out=$tmp/w.out
./kc-workload --out "$out" --seed 42 --threads 2 2>"$tmp/w.err" &
w=$!
pids="$pids $w"
if ! wait_lines "$out" '^ready ' 1; then
	not_ok "kc-workload reaches ready"
	cat "$tmp/w.err" >&2
	echo "$passed passed, $failed failed"
	exit 1
fi
ok "kc-workload reaches ready"
check "ready line names the workload's pid" \
	[ "$(last_line "$out" '^ready ')" = "ready $w" ]

echo "$layout" >"$tmp/layout"
while read -r name start len win present; do
	check "layout: $name at $start len $len windows=$win present=$present" \
		grep -qE "^vma $name $start $len windows=$win present=$present huge_windows=[0-9]+\$" "$out"
done <"$tmp/layout"
check "layout: exactly 9 vma lines" [ "$(grep -c '^vma ' "$out")" = 9 ]
check "layout: VMAs are distinct mappings in /proc/PID/maps" \
	[ "$(grep -cE '^2000(0[0-8])' /proc/$w/maps)" = 9 ]

case $thp_mode in
never | none)
	skip "huge VMA is PMD-mapped" "THP mode $thp_mode"
	;;
*)
	check "huge VMA reports huge_windows=4" \
		grep -qE '^vma huge .* huge_windows=4$' "$out"
	;;
esac
if [ "$thp_mode" = madvise ] || [ "$thp_mode" = never ]; then
	check "VMAs other than huge report huge_windows=0" \
		[ "$(grep '^vma ' "$out" | grep -v '^vma huge ' | grep -cv 'huge_windows=0$')" = 0 ]
else
	skip "VMAs other than huge report huge_windows=0" "THP mode $thp_mode"
fi

frames=$(last_line "$out" '^frames ' | cut -d' ' -f2)
dense_frames=$(field "$(last_line "$out" '^phys dense ')" frames)
note "frames $frames, dense occupies $dense_frames frames (8 when packed)"
if [ "$is_root" = 1 ]; then
	check "frames: dense is physically scattered (> 8 frames)" \
		[ "${dense_frames:-0}" -gt 8 ]
	check "frames: total >= dense's" [ "${frames:-0}" -ge "${dense_frames:-0}" ]
	check "frames: empty VMA occupies none" \
		grep -qx 'phys empty frames=0' "$out"
else
	check "frames: -1 without root (PFNs hidden)" [ "$frames" = -1 ]
fi

check "--threads 2: two thread lines" [ "$(grep -c '^thread ' "$out")" = 2 ]
check "--threads 2: three tasks in /proc/PID/task" \
	[ "$(ls /proc/$w/task | wc -l)" = 3 ]
tid=$(last_line "$out" '^thread ' | cut -d' ' -f2)
check "thread line is a task of the workload" [ -d "/proc/$w/task/$tid" ]

# --- verification ---------------------------------------------------------
signal_and_wait $w USR1 "$out" '^verify '
check "SIGUSR1: verify ok pages=$total_present" \
	[ "$(last_line "$out" '^verify ')" = "verify ok pages=$total_present" ]
signal_and_wait $w USR1 "$out" '^verify '
check "SIGUSR1 again: still ok" \
	[ "$(grep -c "^verify ok pages=$total_present\$" "$out")" = 2 ]

# --- kc-smaps -------------------------------------------------------------
case $thp_mode in
never | none)
	check "kc-smaps huge: Rss 8192 kB" \
		[ "$(./kc-smaps $w $huge | cut -d' ' -f2)" = 8192 ]
	;;
*)
	check "kc-smaps huge: AnonHugePages 8192 kB, Rss 8192 kB" \
		[ "$(./kc-smaps $w $huge)" = "8192 8192" ]
	;;
esac
check "kc-smaps accepts an address without 0x" \
	[ "$(./kc-smaps $w 200006a00000)" = "$(./kc-smaps $w $huge)" ]
if [ "$thp_mode" = madvise ] || [ "$thp_mode" = never ]; then
	check "kc-smaps dense before collapse: 0 16384" \
		[ "$(./kc-smaps $w $dense)" = "0 16384" ]
else
	skip "kc-smaps dense before collapse" "THP mode $thp_mode"
fi
check "kc-smaps with LEN sums the VMAs inside the range" \
	[ "$(./kc-smaps $w $huge 0x800000)" = "$(./kc-smaps $w $huge)" ]
check "kc-smaps over the whole layout: Rss is the sum of present pages" \
	[ "$(./kc-smaps $w 0x200000000000 0x8a00000 | cut -d' ' -f2)" = $((total_present * 4)) ]
./kc-smaps $w 0x200000001000 0x1000 >/dev/null 2>&1
check "kc-smaps: no VMA inside the range -> status 1" [ $? = 1 ]
./kc-smaps $w 0x200000001000 >/dev/null 2>&1
check "kc-smaps: no VMA at that address -> status 1" [ $? = 1 ]
./kc-smaps >/dev/null 2>&1
check "kc-smaps: bad usage -> status 2" [ $? = 2 ]

# --- process_madvise(MADV_COLLAPSE) from outside ---------------------------
if [ "$thp_mode" = none ] || [ "$is_root" = 0 ]; then
	skip "kc-pmadv collapse tests" "no THP or not root"
else
	res=$(./kc-pmadv $w $dense $dense_len)
	check "kc-pmadv dense: $res" [ "$res" = "errno 0 OK advised=$dense_len" ]
	check "kc-smaps dense after collapse: 16384 16384" \
		[ "$(./kc-smaps $w $dense)" = "16384 16384" ]
	signal_and_wait $w USR1 "$out" '^verify '
	check "verify ok after the collapse" \
		[ "$(last_line "$out" '^verify ')" = "verify ok pages=$total_present" ]
	signal_and_wait $w USR2 "$out" '^state end$'
	check "SIGUSR2: state vma dense has huge_windows=8" \
		grep -qx "state vma dense $dense $dense_len windows=8 present=4096 huge_windows=8" "$out"
	check "SIGUSR2: state phys dense frames=8" \
		grep -qx 'state phys dense frames=8' "$out"
	[ "$(grep -c '^state vma ' "$out")" = 9 ] &&
		[ "$(grep -E '^state ' "$out" | tail -n 2 | cut -d' ' -f2 | tr '\n' ' ')" = "frames end " ]
	result $? "SIGUSR2: 9 state vma lines, then state frames, state end"

	res=$(./kc-pmadv $w $nohuge $nohuge_len)
	check "kc-pmadv nohuge (VM_NOHUGEPAGE) is refused: $res" \
		[ "$res" = "errno 22 EINVAL advised=0x0" ]
	res=$(./kc-pmadv -w $w 0x200001200000 0x400000)
	[ "$(echo "$res" | grep -c '^window 0x20000..00000 errno 0 OK$')" = 2 ] &&
		[ "$(echo "$res" | tail -n 1)" = "errno 0 OK advised=0x400000" ]
	result $? "kc-pmadv -w frag: two windows, each OK"
	signal_and_wait $w USR1 "$out" '^verify '
	check "verify ok after collapsing frag windows (holes read as zero)" \
		[ "$(last_line "$out" '^verify ')" = "verify ok pages=$total_present" ]
fi
./kc-pmadv 1 2 >/dev/null 2>&1
check "kc-pmadv: bad usage -> status 2" [ $? = 2 ]

# --- kc-runas --------------------------------------------------------------
if [ "$is_root" = 1 ]; then
	check "kc-runas 65534 65534 id: uid and gid" \
		[ "$(./kc-runas 65534 65534 id -u):$(./kc-runas 65534 65534 id -g):$(./kc-runas 65534 65534 id -G)" = "65534:65534:65534" ]
	# what uid 65534 runs must be reachable by it: a checkout under
	# /root (mode 0700) is not, so a copy goes where anyone can read it
	runas_dir=$(mktemp -d)
	chmod 0755 "$runas_dir"
	cp "$bin/kc-pmadv" "$runas_dir/"
	res=$(./kc-runas 65534 65534 "$runas_dir/kc-pmadv" $w $dense $dense_len 2>/dev/null)
	rm -rf "$runas_dir"
	case $res in
	"errno 1 EPERM "* | "errno 13 EACCES "*) ok "kc-runas: unprivileged process_madvise refused: $res" ;;
	*) not_ok "kc-runas: unprivileged process_madvise refused: $res" ;;
	esac
	./kc-runas 65534 65534 /nonexistent 2>/dev/null
	check "kc-runas: missing command -> status 127" [ $? = 127 ]
else
	skip "kc-runas tests" "not root"
fi

# --- setup failure, exit ---------------------------------------------------
# MAP_FIXED_NOREPLACE only collides with the workload's own mappings: run it
# without ASLR, so its executable sits where a first run saw it, and put the
# layout's base just below that.
if setarch -R true 2>/dev/null; then
	setarch -R ./kc-workload --only empty --spacer-mib 0 --out "$tmp/probe.out" 2>/dev/null &
	p=$!
	pids="$pids $p"
	wait_lines "$tmp/probe.out" '^ready ' 1
	exe=$(grep -m1 'kc-workload$' /proc/$p/maps | cut -d- -f1)
	kill $p
	wait $p
	base=$(printf '0x%x' $((0x${exe:-0} & ~0x1fffff)))
	timeout 60 setarch -R ./kc-workload --only dense --spacer-mib 0 --base $base \
		--out "$tmp/collide.out" 2>"$tmp/collide.err"
	rc=$?
	check "layout over the executable: setup fails, status 1 (got $rc)" [ $rc = 1 ]
	check "... and stderr says which VMA collided" \
		grep -q "^kc-workload: cannot map dense at $base+0x1000000: File exists\$" "$tmp/collide.err"
	check "... before printing a ready line" [ ! -s "$tmp/collide.out" ]
else
	skip "MAP_FIXED_NOREPLACE collision" "no setarch -R"
fi
signal_and_wait $w TERM "$out" '^exit '
wait $w
rc=$?
check "SIGTERM: exit status 0 (got $rc)" [ $rc = 0 ]
check "SIGTERM: exit line" [ "$(tail -n 1 "$out")" = "exit signal 15" ]
check "no stderr output from the workload" [ ! -s "$tmp/w.err" ]

# --- the verifier can fail ---------------------------------------------------
out=$tmp/c.out
./kc-workload --out "$out" --only dense,frag --self-test-corrupt --spacer-mib 8 2>"$tmp/c.err" &
w=$!
pids="$pids $w"
wait_lines "$out" '^ready ' 1
[ "$(grep -c '^vma ' "$out")" = 2 ] &&
	grep -q '^vma dense 0x200000000000 0x1000000 windows=8 present=4096 ' "$out" &&
	grep -q '^vma frag 0x200001200000 0x2000000 windows=16 present=512 ' "$out"
result $? "--only dense,frag: two vma lines, at the full layout's addresses"
signal_and_wait $w USR1 "$out" '^verify '
caddr=$(last_line "$out" '^corrupt ' | cut -d' ' -f2)
[ -n "$caddr" ] &&
	[ "$(last_line "$out" '^verify ')" = "verify FAIL mismatches=1 first=$caddr" ]
result $? "--self-test-corrupt: verify FAIL mismatches=1 first=$caddr"
kill $w
wait $w

out=$tmp/d.out
./kc-workload --out "$out" --only sparse,mixed --self-test-drop --spacer-mib 8 2>"$tmp/d.err" &
w=$!
pids="$pids $w"
wait_lines "$out" '^ready ' 1
signal_and_wait $w USR1 "$out" '^verify '
daddr=$(last_line "$out" '^drop ' | cut -d' ' -f2)
[ -n "$daddr" ] &&
	[ "$(last_line "$out" '^verify ')" = "verify FAIL mismatches=1 first=$daddr" ]
result $? "--self-test-drop: a vanished page fails verify, first=$daddr"
kill $w
wait $w

# --- --exit-after-ms, --scale ------------------------------------------------
out=$tmp/x.out
./kc-workload --out "$out" --only sparse --spacer-mib 0 --exit-after-ms 300 2>"$tmp/x.err" &
w=$!
pids="$pids $w"
wait $w
rc=$?
[ $rc = 0 ] && [ "$(tail -n 1 "$out")" = "exit timeout" ]
result $? "--exit-after-ms 300: exits by itself, status 0 (got $rc)"

out=$tmp/s.out
./kc-workload --out "$out" --only dense,mixed,huge --scale 2 --spacer-mib 16 --exit-after-ms 0 2>"$tmp/s.err"
grep -q '^vma dense 0x200000000000 0x2000000 windows=16 present=8192 ' "$out" &&
	grep -q '^vma mixed 0x20000a800000 0x2000000 windows=16 present=512 ' "$out" &&
	grep -q '^vma huge 0x20000ca00000 0x800000 windows=4 present=2048 ' "$out"
result $? "--scale 2: dense and mixed doubled, huge not, addresses follow"
./kc-workload --scale 0 2>/dev/null
check "--scale 0 is a usage error (status 2)" [ $? = 2 ]
./kc-workload --only dense,nosuch 2>/dev/null
check "--only with an unknown name is a usage error (status 2)" [ $? = 2 ]
./kc-workload --base 0x200000001000 2>/dev/null
check "--base not 2 MiB aligned is a usage error (status 2)" [ $? = 2 ]

# --- --mlock, --mempolicy, kc-pageflags -------------------------------------
out=$tmp/l.out
./kc-workload --out "$out" --only sparse --mlock --mempolicy interleave 2>"$tmp/l.err" &
w=$!
pids="$pids $w"
if wait_lines "$out" '^ready ' 1; then
	# shellcheck disable=SC2046
	set -- $(grep '^vma sparse ' "$out")
	flags=$(./kc-pageflags $w "$3" "$4")
	check "--mlock: every present page is mlocked ($flags)" \
		[ "${flags% unevictable=*}" = "present=32 mlocked=32" ]
else
	not_ok "--mlock --mempolicy interleave: reaches ready: $(cat "$tmp/l.err")"
fi
kill $w
./kc-workload --mempolicy bind:x 2>/dev/null
check "--mempolicy bind:x is a usage error (status 2)" [ $? = 2 ]
./kc-pageflags $$ 0x1001 0x1000 2>/dev/null
check "kc-pageflags: an unaligned address is a usage error (status 2)" [ $? = 2 ]

# --- SIGURG: the in-process method (make demo's baseline) -------------------
out=$tmp/u.out
./kc-workload --out "$out" --only dense,frag,empty 2>"$tmp/u.err" &
u=$!
pids="$pids $u"
wait_lines "$out" '^ready ' 1
signal_and_wait $u URG "$out" '^inprocess '
line=$(last_line "$out" '^inprocess ')
note "$line"
# dense and frag: 8 + 16 windows of 2 MiB, empty 8 more (tried too).
case $line in
"inprocess ok "*) [ "$(field "$line" chunks)" -ge 32 ] ;;
*) false ;;
esac
result $? "SIGURG: inprocess ok, every window of the process's anon rw mappings tried"
case $thp_mode in
always | madvise)
	check "SIGURG: dense and frag windows collapsed (>= 24)" \
		[ "$(field "$line" collapsed)" -ge 24 ] ;;
*) skip "SIGURG: dense and frag windows collapsed" "THP mode $thp_mode" ;;
esac
signal_and_wait $u USR1 "$out" '^verify '
check "SIGURG: the pattern holds afterwards" \
	grep -qx 'verify ok pages=4608' "$out"
kill $u
wait $u

# --- kc-hog -----------------------------------------------------------------
./kc-hog 16 >"$tmp/hog.out" &
h=$!
pids="$pids $h"
wait_lines "$tmp/hog.out" '^ready ' 1
rss=$(sed -n 's/^VmRSS:[[:space:]]*\([0-9]*\) kB/\1/p' /proc/$h/status)
[ "$(cat "$tmp/hog.out")" = "ready $h" ] && [ "${rss:-0}" -ge 16384 ]
result $? "kc-hog 16: ready, VmRSS >= 16 MiB ($rss kB)"
kill $h
wait $h
rc=$?
check "kc-hog: SIGTERM -> status 0 (got $rc)" [ $rc = 0 ]

finish
