#!/usr/bin/env bash
# A blob fee spike (scenarios/fees-spike.json): an OP-Stack-like rollup
# passes the blob base fee on at once, so its users' fee spikes and falls
# back with it; an Arbitrum-like rollup's L1 pricer learns of the costs
# late, loses money in the spike and then charges its users for the
# deficit long after the spike.
. "$(dirname "$0")/lib.sh"
db=$TMP/s.db
run_scenario scenarios/fees-spike.json "$db"
check_accounting "$db"
# series VALUE_EXPR COMPONENT NAME T0 T1 (hours)
series() {
	sqlite3 "$db" "SELECT $1 FROM series WHERE component = '$2' AND
		name = '$3' AND t_seconds > $4 * 3600 AND t_seconds <= $5 * 3600"
}
before=$(series "avg(value)" op l2_fee_eth_per_tx 1 3)
peak=$(series "max(value)" op l2_fee_eth_per_tx 3 6)
after=$(series "avg(value)" op l2_fee_eth_per_tx 8 10)
check_lt "op: users' fee in the spike > 1000x before" "$(awk -v b="$before" 'BEGIN{print 1000*b}')" "$peak"
check_range "op: users' fee after the spike / before" "$(awk -v a="$after" -v b="$before" 'BEGIN{print a/b}')" 0.5 2
check_range "op: largest priced-out share in the spike" "$(series "max(value)" op priced_out_share 3 6)" 0.5 1
check_range "op: priced-out share after the spike" "$(series "max(value)" op priced_out_share 8 10)" 0 0.01
check_lt "op: loses money in the spike" "$(series "sum(value)" op operator_margin_eth 3 6)" -1
abefore=$(series "avg(value)" arb l2_fee_eth_per_tx 1 3)
aafter=$(series "avg(value)" arb l2_fee_eth_per_tx 7 10)
check_lt "arb: loses money in the spike" "$(series "sum(value)" arb operator_margin_eth 3 6)" -1
check_lt "arb: users' fee after the spike > 100x before (recovering the deficit)" \
	"$(awk -v b="$abefore" 'BEGIN{print 100*b}')" "$aafter"
check_lt "arb: earns after the spike" 0 "$(series "sum(value)" arb operator_margin_eth 7 10)"
check_range "arb: L2 base fee at ArbOS's floor (gwei)" "$(metric "$db" arb l2_base_fee_gwei_mean)" 0.01 0.0101
finish
