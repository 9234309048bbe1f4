#!/usr/bin/env bash
# L2 fees with users who answer them (scenarios/fees.json, 1..64 copies of
# an OP-Stack-like blob rollup and of a zkSync-like validium): as rollups
# are added the blob base fee climbs, their users' fee climbs with it and
# more of them are priced out, so their backlogs stay bounded; the
# validiums' fee stays flat.
. "$(dirname "$0")/lib.sh"
db=$TMP/f.db
run_scenario scenarios/fees.json "$db"
check_accounting "$db"
# Sweep points 0..3 are counts 1, 4, 16, 64.
prev=0
prev_out=-1
for i in 0 1 2 3; do
	f=$(metric "$db" rollup l2_fee_eth_per_tx $i)
	check_lt "rollups' fee per tx rises with count (point $i)" "$prev" "$f"
	prev=$f
	o=$(metric "$db" rollup tx_priced_out $i)
	check_lt "rollups' priced-out arrivals grow (point $i)" "$prev_out" "$o"
	prev_out=$o
done
check_range "rollups' priced-out share at 64 copies" \
	"$(metric "$db" rollup priced_out_share 3)" 0.8 1
check_range "rollups' priced-out share at 1 copy" \
	"$(metric "$db" rollup priced_out_share 0)" 0 0.01
# Validiums: the zkSync model without pubdata price; flat within 20 %.
vmin=$(sqlite3 "$db" "SELECT min(value) FROM metrics WHERE component IN ('validium') AND name='l2_fee_eth_per_tx'")
vmax=$(sqlite3 "$db" "SELECT max(value) FROM metrics WHERE component IN ('validium') AND name='l2_fee_eth_per_tx'")
check_range "validiums' fee max/min over the sweep" \
	"$(awk -v a="$vmax" -v b="$vmin" 'BEGIN{print a/b}')" 1 1.2
# Bounded backlogs: at 64 copies the rollups' largest backlog is under an
# hour of what they post (without fees it grows by ~6,000 tx/s for hours).
for i in 2 3; do
	bl=$(metric "$db" rollup backlog_max $i)
	hour=$(awk -v t="$(metric "$db" rollup tps_posted $i)" 'BEGIN{print 3600 * t}')
	check_range "rollups' backlog_max at point $i vs an hour of posting ($hour)" "$bl" 0 "$hour"
done
# At the end the backlog is not growing: the last series point is below
# the run's largest backlog.
last=$(sqlite3 "$db" "SELECT s.value FROM series s JOIN runs r USING(run_id)
	WHERE r.sweep_index = 3 AND s.component = 'all' AND s.name = 'backlog'
	ORDER BY s.t_seconds DESC LIMIT 1")
check_lt "backlog at the end below its maximum (64 copies)" "$last" \
	"$(sqlite3 "$db" "SELECT max(s.value) FROM series s JOIN runs r USING(run_id)
	WHERE r.sweep_index = 3 AND s.component = 'all' AND s.name = 'backlog'")"
# Bad input: a key of another mechanism, a mistyped mechanism, a bad
# willingness to pay are located errors (exit 2).
bad() { # LABEL TEXT --set...
	local label=$1 text=$2
	shift 2
	"$L2SIM" validate scenarios/fees.json "$@" >/dev/null 2>"$TMP/err"
	local rc=$?
	if [ "$rc" -eq 2 ] && grep -qF -- "$text" "$TMP/err"; then
		echo "ok: $label"
	else
		echo "FAIL: $label: exit $rc, stderr: $(cat "$TMP/err")"
		failures=$((failures + 1))
	fi
}
bad "an Arbitrum key on an OP system" \
	"systems[0].fees.speed_limit: 'speed_limit' is a key of mechanism 'arbitrum', not of 'op-fjord'" \
	--set 'systems[0].fees.speed_limit=5'
bad "a mistyped mechanism" "did you mean 'op-fjord'?" --set 'systems[0].fees.mechanism=op-fjrod'
bad "a mistyped kind in willingness_to_pay" "did you mean 'swap'?" \
	--set 'workloads[0].willingness_to_pay.kinds.swapp=1gwei'
python3 -c 'import json, sys
d = json.load(open("scenarios/fees.json"))
for s in d["systems"]:
    del s["fees"]
json.dump(d, open(sys.argv[1], "w"))' "$TMP/nofees.json"
"$L2SIM" validate "$TMP/nofees.json" >/dev/null 2>"$TMP/err"
rc=$?
if [ "$rc" -eq 2 ] && grep -qF "workloads[0].willingness_to_pay: no system drawing from workload 'users' charges fees" "$TMP/err"; then
	echo "ok: willingness to pay without fees is an error"
else
	echo "FAIL: willingness to pay without fees: exit $rc: $(cat "$TMP/err")"
	failures=$((failures + 1))
fi
bad "sigma out of range" "willingness_to_pay.sigma" --set 'workloads[0].willingness_to_pay.sigma=0'
finish
