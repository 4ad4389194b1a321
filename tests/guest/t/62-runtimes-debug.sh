# Node.js, which 60-runtimes leaves out on the debug kernel (slow to start
# under KASAN), run there in the other debug guest, so that the Go, Python
# and Node.js heaps all meet the module's debug build. The JVM runs on
# Debian's kernels only (KC_RT_ONLY="node jvm" adds it here: about five
# more minutes). Elsewhere 60-runtimes runs them all and this test skips.
# kc-timeout: 1200
. ./lib.sh
[ -d /sys/kernel/debug/kunit ] ||
	skip "not the debug kernel: 60-runtimes covers every runtime here"
KC_RT_ONLY=${KC_RT_ONLY:-node} exec sh t/60-runtimes.sh
