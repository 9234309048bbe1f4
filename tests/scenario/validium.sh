#!/usr/bin/env bash
# A validium's marginal L1 bytes per transaction approach zero and its L1
# cost per transaction is dominated by proof verification shared by the
# batch: L1 gas per tx ~ (verification + overhead) / transactions per proof.
. "$(dirname "$0")/lib.sh"
db=$TMP/validium.db
run_scenario scenarios/validium.json "$db"
check_accounting "$db"
check_range "validium l1_da_bytes_per_tx" "$(metric "$db" validium l1_da_bytes_per_tx)" 0 0.05
check_range "validium da_bytes_per_tx (data on the DAC)" "$(metric "$db" validium da_bytes_per_tx)" 30 250
gas=$(metric "$db" validium l1_gas_per_tx)
tpb=$(metric "$db" validium txs_per_batch)
# Groth16 250,000 + 50,000 extra + 21,000 + commitment calldata, per proof
# of 2 batches.
expect=$(awk -v t="$tpb" 'BEGIN{print (250000 + 50000 + 21000 + 2*64*40) / (2*t)}')
check_range "validium l1_gas_per_tx vs proof share $expect" "$gas" \
	"$(awk -v e="$expect" 'BEGIN{print e*0.9}')" "$(awk -v e="$expect" 'BEGIN{print e*1.1}')"
check_lt "validium cheaper per tx than the ZK rollup" \
	"$(metric "$db" validium cost_eth_per_tx)" "$(metric "$db" zk-rollup cost_eth_per_tx)"
# Doubling the batch halves the marginal proof cost per tx.
db2=$TMP/validium2.db
run_scenario scenarios/validium.json "$db2" --set 'systems[0].prover.batches_per_proof=4'
check_range "l1_gas_per_tx at 4 batches per proof / at 2" \
	"$(awk -v a="$(metric "$db2" validium l1_gas_per_tx)" -v b="$gas" 'BEGIN{print a/b}')" 0.4 0.6
finish
