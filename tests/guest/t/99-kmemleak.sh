# Last: no leak since the run began (run-all.sh cleared older reports).
. ./lib.sh
f=/sys/kernel/debug/kmemleak
[ -e $f ] || skip "kernel without kmemleak"
mod_unload
# kmemleak reports an object only once it has stayed unreferenced for a
# while and over two scans.
sleep 6
echo scan >$f
sleep 1
echo scan >$f
leaks=$(cat $f)
[ -z "$leaks" ] || { echo "$leaks"; fail "kmemleak found leaks"; }
echo "  kmemleak: no leaks"
mod_load
