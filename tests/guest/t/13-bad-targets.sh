# A missing pid, a kernel thread and a zombie get clear errors.
. ./lib.sh
mod_load
kcollapsectl collapse 4000000 2>/tmp/e && fail "pid 4000000 accepted"
cat /tmp/e
grep -q "no such process" /tmp/e || fail "missing pid: no 'no such process'"
kcollapsectl collapse 2 2>/tmp/e && fail "kthreadd accepted"
cat /tmp/e
grep -q "kernel thread" /tmp/e || fail "kernel thread: no clear message"
sh -c 'exit 0' &
zpid=$!
sleep 0.5
# the child is a zombie until we wait for it
kcollapsectl collapse "$zpid" 2>/tmp/e && fail "zombie accepted"
cat /tmp/e
grep -Eq "no address space|no such process" /tmp/e || fail "zombie: unclear message"
wait "$zpid"
kcollapsectl cancel 4000000 2>/tmp/e && fail "cancel of a missing pid succeeded"
grep -q "no such process" /tmp/e || fail "cancel: no 'no such process'"
true
