# The cost of the bridge: one POST /collapse against the same operation
# through kcollapsectl, in one boot (TCG timings differ 2x between boots).
# Each full collapse gets a fresh workload; the dry runs isolate the fixed
# cost. Prints "overhead:" lines; passes if both paths give the same
# statistics.
. ./lib.sh
# A debug kernel (KUnit, KASAN, lockdep) would only measure its own checks.
not_on_debug_kernel "overhead is measured on production kernels"
trap kcd_stop EXIT
mod_load
kcd_start

# walltime_us FILE: from kc-walltime's stderr
walltime_us() { sed -n 's/^walltime_us=//p' "$1"; }
ms() { echo "$1" | awk '{printf "%.1f", $1 / 1000}'; }

ctl_wall=0 ctl_op=0 http_wall=0 http_curl=0 http_op=0 http_eng=0
runs=3
run_n=0
while [ $run_n -lt $runs ]; do
	run_n=$((run_n + 1))
	wl_start --only dense,frag,sparse,empty,mixed
	kc-walltime kcollapsectl collapse "$WL_PID" --range "$(wl_range)" --json \
		>/tmp/c.json 2>/tmp/c.time || fail "kcollapsectl collapse"
	c_wall=$(walltime_us /tmp/c.time)
	c_op=$(( $(j /tmp/c.json elapsedNs) / 1000 ))
	wl_stop
	wl_start --only dense,frag,sparse,empty,mixed
	kc-walltime curl -sS -o /tmp/h.json -w '%{time_total}\n' -X POST \
		-H "X-Access-Token: $KCD_TOKEN" -d "$(wl_body)" "$KCD_URL/collapse" \
		>/tmp/h.curl 2>/tmp/h.time || fail "curl"
	h_wall=$(walltime_us /tmp/h.time)
	h_curl=$(awk '{printf "%d", $1 * 1000000}' /tmp/h.curl)
	h_op=$(( $(j /tmp/h.json elapsedNs) / 1000 ))
	h_eng=$(( $(j /tmp/h.json operationNs) / 1000 ))
	wl_stop
	assert_eq "same collapsed count" "$(j /tmp/h.json collapsed)" "$(j /tmp/c.json collapsed)"
	assert_eq "same chunks" "$(j /tmp/h.json chunks)" "$(j /tmp/c.json chunks)"
	echo "overhead: run $run_n collapse: kcollapsectl wall $(ms $c_wall) ms (op $(ms $c_op) ms);" \
		"POST /collapse curl $(ms $h_curl) ms, curl process wall $(ms $h_wall) ms" \
		"(request $(ms $h_op) ms, engine $(ms $h_eng) ms)"
	ctl_wall=$((ctl_wall + c_wall)) ctl_op=$((ctl_op + c_op))
	http_wall=$((http_wall + h_wall)) http_curl=$((http_curl + h_curl))
	http_op=$((http_op + h_op)) http_eng=$((http_eng + h_eng))
done
echo "overhead: collapse mean of $runs: kcollapsectl wall $(ms $((ctl_wall / runs))) ms" \
	"(op $(ms $((ctl_op / runs))) ms, outside the op $(ms $(( (ctl_wall - ctl_op) / runs ))) ms);" \
	"POST /collapse as curl sees it $(ms $((http_curl / runs))) ms" \
	"(engine $(ms $((http_eng / runs))) ms, daemon around it $(ms $(( (http_op - http_eng) / runs ))) ms," \
	"HTTP and client $(ms $(( (http_curl - http_op) / runs ))) ms)," \
	"curl process wall $(ms $((http_wall / runs))) ms"

# Dry runs on one workload: the operation itself is short and stable.
wl_start --only dense,frag,sparse,empty,mixed
ctl_wall=0 ctl_op=0 http_curl=0 http_wall=0 http_op=0 http_eng=0
runs=5
run_n=0
while [ $run_n -lt $runs ]; do
	run_n=$((run_n + 1))
	kc-walltime kcollapsectl collapse "$WL_PID" --range "$(wl_range)" --dry-run --json \
		>/tmp/c.json 2>/tmp/c.time || fail "kcollapsectl dry run"
	kc-walltime curl -sS -o /tmp/h.json -w '%{time_total}\n' -X POST \
		-H "X-Access-Token: $KCD_TOKEN" -d "$(wl_body '"dryRun": true')" \
		"$KCD_URL/collapse" >/tmp/h.curl 2>/tmp/h.time || fail "curl dry run"
	assert_eq "same candidates" "$(j /tmp/h.json candidates)" "$(j /tmp/c.json candidates)"
	ctl_wall=$((ctl_wall + $(walltime_us /tmp/c.time)))
	ctl_op=$((ctl_op + $(j /tmp/c.json elapsedNs) / 1000))
	http_op=$((http_op + $(j /tmp/h.json elapsedNs) / 1000))
	http_eng=$((http_eng + $(j /tmp/h.json operationNs) / 1000))
	http_wall=$((http_wall + $(walltime_us /tmp/h.time)))
	http_curl=$((http_curl + $(awk '{printf "%d", $1 * 1000000}' /tmp/h.curl)))
done
echo "overhead: dry run mean of $runs: kcollapsectl wall $(ms $((ctl_wall / runs))) ms" \
	"(op $(ms $((ctl_op / runs))) ms);" \
	"POST /collapse as curl sees it $(ms $((http_curl / runs))) ms" \
	"(engine $(ms $((http_eng / runs))) ms, daemon around it $(ms $(( (http_op - http_eng) / runs ))) ms)," \
	"curl process wall $(ms $((http_wall / runs))) ms"
wl_stop
kcd_stop
