#!/usr/bin/env bash
# Polynya's claim that Ethereum can settle over 1,000 ZK rollups: 1,000
# ZKRs settle every proof through a recursive proof tree of depth >= 2;
# an hourly round of ~1,000 proofs is over the per-transaction gas cap
# (2^24, EIP-7825) and splits into two L1 transactions, each under the cap;
# nothing is left pending once traffic stops; and the aggregation gas per
# system falls as more systems join the tree.  Shortened to 8 h (traffic
# 5 h) to stay quick; the shipped scenario runs a day.
. "$(dirname "$0")/lib.sh"
short=(--set duration=8h --set 'workloads[0].rate.duration=5h')
db=$TMP/k.db
run_scenario scenarios/thousand-zkrs.json "$db" "${short[@]}"
check_accounting "$db"
check_range "instances" "$(metric "$db" zkr instances)" 1000 1000
check_range "zkr proofs_pending_end" "$(metric "$db" zkr proofs_pending_end)" 0 0
check_range "tree proofs_pending_end" "$(metric "$db" tree proofs_pending_end)" 0 0
check_range "zkr tx_pending_end" "$(metric "$db" zkr tx_pending_end)" 0 0
fin=$(metric "$db" zkr tx_finalized)
off=$(metric "$db" zkr tx_offered)
check_range "every transaction final (finalized - offered)" \
	"$(awk -v a="$fin" -v b="$off" 'BEGIN{print a-b}')" 0 0
# Levels: own proof + a tree of depth 2 (32^2 = 1,024 >= 823, the most proofs one transaction holds).
check_range "tree depth (aggregator proof_levels)" "$(metric "$db" tree proof_levels)" 2 2
check_range "zkr proof_levels (own proof + tree)" "$(metric "$db" zkr proof_levels)" 3 3
# 5 rounds of 1,000 proofs, each split 823 + 177: 10 L1 transactions.
check_range "tree rounds_split" "$(metric "$db" tree rounds_split)" 5 5
check_range "tree L1 transactions" "$(metric "$db" tree rounds)" 10 10
# Gas by hand: 10 x 300,000 + 5,000 x 20,000 = 103,000,000.
check_range "tree l1_gas_total" "$(metric "$db" tree l1_gas_total)" 103000000 103000000
check_range "tree submit_failures (L1 refused none: every tx under the cap)" "$(metric "$db" tree submit_failures)" 0 0
check_range "tree gas per transaction below the 2^24 cap" \
	"$(awk -v g="$(metric "$db" tree l1_gas_total)" -v r="$(metric "$db" tree rounds)" 'BEGIN{print g/r}')" 1 16777216
# Gas per system falls as the tree grows: 100 systems, 23,000 per proof
# (300,000 / 100 + 20,000); 1,000 systems, 20,600.
db2=$TMP/k100.db
run_scenario scenarios/thousand-zkrs.json "$db2" "${short[@]}" --set 'systems[0].count=100'
check_range "gas per proof at 100 systems" "$(metric "$db2" tree gas_per_proof)" 23000 23000
check_range "gas per proof at 1,000 systems" "$(metric "$db" tree gas_per_proof)" 20600 20600
check_lt "aggregation gas per system falls as the tree grows" \
	"$(metric "$db" tree gas_per_proof)" "$(metric "$db2" tree gas_per_proof)"
finish
