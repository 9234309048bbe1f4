#!/usr/bin/env bash
# scenarios/default.json: one of each system type on pectra; every type
# posts, proven types finalize within the day, the optimistic one does not
# (its 7-day challenge window outlasts the run).
. "$(dirname "$0")/lib.sh"
db=$TMP/default.db
run_scenario scenarios/default.json "$db"
check_accounting "$db"
for s in op zk sdr validium volition; do
	check_range "$s tps_posted" "$(metric "$db" "$s" tps_posted)" 36 44
done
check_range "op tx_finalized" "$(metric "$db" op tx_finalized)" 0 0
for s in zk sdr validium volition; do
	check_range "$s latency_finalized_p50 (s)" \
		"$(metric "$db" "$s" latency_finalized_p50)" 300 7200
done
# Soft confirmation within a couple of 2 s blocks.
check_range "op latency_sequenced_p50" "$(metric "$db" op latency_sequenced_p50)" 0.2 3
# The validium posts only commitments to L1; the volition about its L1 share.
check_range "validium l1_da_bytes_per_tx" "$(metric "$db" validium l1_da_bytes_per_tx)" 0 1
zk=$(metric "$db" zk l1_da_bytes_per_tx)
vol=$(metric "$db" volition l1_da_bytes_per_tx)
check_range "volition/zk L1 bytes ratio (l1_share 0.3)" \
	"$(awk -v a="$vol" -v b="$zk" 'BEGIN{print a/b}')" 0.2 0.45
check_range "l1 blocks after the 1 h warm-up (7200 - 300 slots)" "$(metric "$db" l1 blocks)" 6899 6901
finish
