#!/usr/bin/env bash
# Transaction-data rollups at ordinary traffic post tens to low hundreds of
# bytes per transaction after compression (OP Stack's own estimator floors at
# 100 B/tx, OP Stack's Fjord fee estimator floor); blobs are far cheaper than calldata.
. "$(dirname "$0")/lib.sh"
db=$TMP/ordinary.db
run_scenario scenarios/ordinary.json "$db"
check_accounting "$db"
for s in op-blobs op-calldata zk-blobs; do
	check_range "$s l1_da_bytes_per_tx" "$(metric "$db" "$s" l1_da_bytes_per_tx)" 30 250
done
check_range "op-blobs l1_blob_fill" "$(metric "$db" op-blobs l1_blob_fill)" 0.5 1
check_lt "blob posting cheaper than calldata" \
	"$(metric "$db" op-blobs cost_eth_per_tx)" "$(metric "$db" op-calldata cost_eth_per_tx)"
check_range "op-calldata blob_gas_per_tx" "$(metric "$db" op-calldata blob_gas_per_tx)" 0 0
finish
