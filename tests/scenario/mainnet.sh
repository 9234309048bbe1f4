#!/usr/bin/env bash
# Real systems (scenarios/mainnet-2025.json, docs/presets.md): eight presets
# on Pectra.  Transaction-data rollups post just above the 100 B/tx floor of
# OP Stack's L1-fee estimator, state-difference rollups ~40% less; each
# stack fills its blobs up to its own usable payload (OP 130,044, Arbitrum
# 130,048, zkSync 126,976 of 131,072); OP Mainnet posts every few minutes;
# Arbitrum's blobs a day are near its public share (~3,500, Sept 2025).
. "$(dirname "$0")/lib.sh"
db=$TMP/m.db
run_scenario scenarios/mainnet-2025.json "$db"
check_accounting "$db"
for s in base arbitrum-one op-mainnet scroll linea taiko; do
	check_range "$s bytes per tx (tx data)" "$(metric "$db" "$s" l1_da_bytes_per_tx)" 100 130
done
for s in zksync-era starknet; do
	check_range "$s bytes per tx (state diffs)" "$(metric "$db" "$s" l1_da_bytes_per_tx)" 50 80
done
# Blob fill cannot pass usable payload / 131,072.
check_range "base blob fill (OP payload 130,044)" "$(metric "$db" base l1_blob_fill)" 0.97 0.99216
check_range "arbitrum blob fill (payload 130,048)" "$(metric "$db" arbitrum-one l1_blob_fill)" 0.97 0.99219
check_range "zksync blob fill (126,976 a blob, 131,072 a batch: two blobs)" \
	"$(metric "$db" zksync-era l1_blob_fill)" 0.45 0.50
tps=$(metric "$db" op-mainnet tps_posted)
tpb=$(metric "$db" op-mainnet txs_per_batch)
check_range "op-mainnet posting interval (s)" "$(awk -v a="$tpb" -v b="$tps" 'BEGIN{print a/b}')" 240 330
atps=$(metric "$db" arbitrum-one tps_posted)
abg=$(metric "$db" arbitrum-one blob_gas_per_tx)
check_range "arbitrum-one blobs a day (public ~3,500)" \
	"$(awk -v g="$abg" -v t="$atps" 'BEGIN{print g*t*86400/131072}')" 2275 4725
check_range "taiko soft confirmation p50 (based: half a slot)" \
	"$(metric "$db" taiko latency_sequenced_p50)" 6.0 6.2
finish
