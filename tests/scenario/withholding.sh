#!/usr/bin/env bash
# Withheld data and exits (scenarios/withholding.json): 20,000 accounts per
# system; withholding from hour 6.
#  - every validium and Plasma account exits; the volition's 30% with data
#    on L1 stay (14,000 exit);
#  - each exit costs 96,024 gas (Merkle proof of 32 keccak levels);
#  - escape-hatch exits start after the 7-day freeze, Plasma exits finish
#    7 days after inclusion: both > 7 days after the withholding;
#  - the mass exit raises the L1 base fee far above the run without it.
. "$(dirname "$0")/lib.sh"
db=$TMP/withholding.db
run_scenario scenarios/withholding.json "$db"
check_accounting "$db"
check_range "validium exits" "$(metric "$db" validium exit_txs)" 20000 20000
check_range "plasma exits" "$(metric "$db" plasma exit_txs)" 20000 20000
check_range "volition exits (70% of accounts)" "$(metric "$db" volition exit_txs)" 14000 14000
check_range "validium exit gas" "$(metric "$db" validium exit_l1_gas)" \
	$((20000 * 96024)) $((20000 * 96024))
if [ -n "$(metric "$db" rollup exit_txs)" ]; then
	echo "FAIL: the rollup (no exits configured) reports exit_txs"
	failures=$((failures + 1))
else
	echo "ok: a rollup without exits reports none"
fi
check_lt "escape hatch p50 after the 7-day freeze" 604800 "$(metric "$db" validium exit_latency_p50_s)"
check_lt "plasma p50 after the 7-day exit game" 604800 "$(metric "$db" plasma exit_latency_p50_s)"
base=$TMP/quiet.db
run_scenario scenarios/withholding.json "$base" --set 'faults=[]'
check_range "no exits without withholding" "$(metric "$base" all exit_txs)" 0 0
check_lt "mass exit raises the L1 base fee (max gwei, quiet vs withholding)" \
	"$(awk -v b="$(metric "$base" l1 base_fee_gwei_max)" 'BEGIN{print b * 10}')" \
	"$(metric "$db" l1 base_fee_gwei_max)"
finish
