# A target is taken as process_madvise(2) takes it: mm_access() with
# PTRACE_MODE_READ_FSCREDS, so the ptrace rules and the LSMs decide on top
# of CAP_SYS_ADMIN: a caller without CAP_SYS_PTRACE is refused exactly the
# processes process_madvise() refuses it (on 6.1 and 6.12 another user's,
# or one with capabilities it lacks; from 6.13 mm_access() also lets
# CAP_SYS_ADMIN read any process). And a pidfd names its process, not
# whatever reuses its pid: a pidfd of an exited process is refused
# (-ESRCH), as is a pid that names another process than the pidfd
# (-EINVAL). (Yama's ptrace_scope restricts PTRACE_MODE_ATTACH only, so it
# decides nothing here, as it decides nothing for process_madvise.)
. ./lib.sh
mod_load
CAP_SYS_PTRACE=19

kc-runas 65534 65534 sleep 600 &
other=$!
sleep 0.3
kcollapsectl collapse "$other" --engine kmod --dry-run --json >/tmp/a.json ||
	fail "root could not dry-run another user's process"
assert_eq "stop reason (root)" "$(j /tmp/a.json stopReason)" done

# same_verdict WHAT PID: kcollapse, called without CAP_SYS_PTRACE, refuses
# PID exactly when process_madvise(2)'s access check, asked by the same
# caller, does (kernels differ: 6.13 on, mm_access() lets CAP_SYS_ADMIN,
# via perfmon_capable(), read any process).
same_verdict() {
	kc-runas -d $CAP_SYS_PTRACE 0 0 kc-genlping pmadv-access "$2" >/tmp/pm || fail "pmadv-access"
	pm=$(sed -n 's/^access rc=//p' /tmp/pm)
	if kc-runas -d $CAP_SYS_PTRACE 0 0 kcollapsectl collapse "$2" --engine kmod --dry-run >/dev/null 2>/tmp/e; then
		kc=allowed
	else
		grep -q "access to the target refused" /tmp/e || { cat /tmp/e; fail "$1: refused, but not by the access check"; }
		kc=refused
	fi
	[ "$pm" = -13 ] && want=refused || want=allowed
	say "  process_madvise: rc=$pm"
	assert_eq "$1" "$kc" "$want"
}

say "CAP_SYS_ADMIN without CAP_SYS_PTRACE: the verdict of process_madvise"
same_verdict "another user's process" "$other"
wl_start --only dense
same_verdict "a root process with capabilities the caller lacks" "$WL_PID"
say "... and one of its own user with no more capabilities than it: allowed"
kc-runas -d $CAP_SYS_PTRACE 0 0 sleep 600 &
peer=$!
sleep 0.3
kc-runas -d $CAP_SYS_PTRACE 0 0 kcollapsectl collapse "$peer" --engine kmod --dry-run --json >/tmp/b.json ||
	fail "a process of the caller's own user and capabilities was refused"
assert_eq "stop reason (peer)" "$(j /tmp/b.json stopReason)" done
kill "$other" "$peer"
wait "$other" "$peer" 2>/dev/null

say "pidfds"
kc-genlping stale-pidfd | tee /tmp/p
assert_eq "a pidfd of an exited process (-ESRCH)" "$(sed -n 's/^exited rc=//p' /tmp/p)" -3
assert_eq "a pidfd and another process's pid (-EINVAL)" "$(sed -n 's/^mismatch rc=//p' /tmp/p)" -22
wl_stop
