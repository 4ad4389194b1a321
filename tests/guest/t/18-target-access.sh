# A target is taken as process_madvise(2) takes it: mm_access() with
# PTRACE_MODE_READ_FSCREDS, so the ptrace rules and the LSMs decide on top
# of CAP_SYS_ADMIN (without CAP_SYS_PTRACE: only a dumpable process of the
# caller's user whose capabilities the caller also has). And a pidfd names its process, not whatever reuses its
# pid: a pidfd of an exited process is refused (-ESRCH), as is a pid that
# names another process than the pidfd (-EINVAL).
# (Yama's ptrace_scope restricts PTRACE_MODE_ATTACH only, so it decides
# nothing here, as it decides nothing for process_madvise.)
. ./lib.sh
mod_load
CAP_SYS_PTRACE=19

kc-runas 65534 65534 sleep 600 &
other=$!
sleep 0.3
kcollapsectl collapse "$other" --engine kmod --dry-run --json >/tmp/a.json ||
	fail "root could not dry-run another user's process"
assert_eq "stop reason (root)" "$(j /tmp/a.json stopReason)" done

say "CAP_SYS_ADMIN without CAP_SYS_PTRACE, another user's process: refused"
if kc-runas -d $CAP_SYS_PTRACE 0 0 kcollapsectl collapse "$other" --engine kmod --dry-run 2>/tmp/e; then
	fail "the ptrace rules did not refuse another user's process"
fi
cat /tmp/e
grep -q "access to the target refused" /tmp/e || fail "no access message"
if kc-runas -d $CAP_SYS_PTRACE 0 0 kcollapsectl cancel "$other" --engine kmod 2>/tmp/e; then
	fail "cancel of another user's process allowed without CAP_SYS_PTRACE"
fi

say "... and a root process that is not more privileged than it: refused"
wl_start --only dense
if kc-runas -d $CAP_SYS_PTRACE 0 0 kcollapsectl collapse "$WL_PID" --engine kmod --dry-run 2>/tmp/e; then
	fail "a process with capabilities the caller lacks was not protected"
fi
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
