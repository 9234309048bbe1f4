#!/usr/bin/env bash
# L3s on an L2: the L3s' data and proofs ride in the L2's batches, so
# their bytes land on L1 inside the L2's (counted once: the L3s put none
# on L1 themselves, and "all" is the sum of the L1 systems) and they
# finalize after their parent: an L3's finality is the parent's plus its
# own.  The same chains composed into one composer ZKR share one proof.
. "$(dirname "$0")/lib.sh"
db=$TMP/l3.db
run_scenario scenarios/l3.json "$db" --set duration=6h
check_accounting "$db"
for c in l3 l3-validium; do
	check_range "$c l1_da_bytes_per_tx" "$(metric "$db" $c l1_da_bytes_per_tx)" 0 0
	check_range "$c l1_gas_per_tx" "$(metric "$db" $c l1_gas_per_tx)" 0 0
	check_range "$c proof_levels (own + parent's)" "$(metric "$db" $c proof_levels)" 2 2
done
check_range "l3 data carried by the parent (bytes/tx)" "$(metric "$db" l3 parent_da_bytes_per_tx)" 50 200
check_range "l3-validium carries only commitments and proofs" "$(metric "$db" l3-validium parent_da_bytes_per_tx)" 0 0
check_range "l2 proof_levels" "$(metric "$db" l2 proof_levels)" 1 1
# The L3s finalize after their parent.
check_lt "l3 finalizes after l2 (p50)" "$(metric "$db" l2 latency_finalized_p50)" "$(metric "$db" l3 latency_finalized_p50)"
check_lt "l3-validium finalizes after l2 (p50)" "$(metric "$db" l2 latency_finalized_p50)" "$(metric "$db" l3-validium latency_finalized_p50)"
# No double counting: L1 bytes per second of "all" = l2's + on-l1's +
# composed's + enshrined's (the systems on L1); the L3s' bytes are inside l2's.
rate() { awk -v b="$(metric "$db" "$1" l1_da_bytes_per_tx)" -v t="$(metric "$db" "$1" tps_posted)" 'BEGIN{printf "%.6f", b*t}'; }
sum=$(awk -v a="$(rate l2)" -v b="$(rate on-l1)" -v c="$(rate composed)" -v d="$(rate enshrined)" 'BEGIN{print a+b+c+d}')
check_range "all L1 bytes/s vs sum over L1 systems ($sum)" "$(rate all)" \
	"$(awk -v s="$sum" 'BEGIN{print s*0.999}')" "$(awk -v s="$sum" 'BEGIN{print s*1.001}')"
# The parent's L1 bytes include the L3s': its bytes/s exceed the L3
# rollups' carried bytes/s plus its own share as a lone L2.
db2=$TMP/l2alone.db
run_scenario scenarios/l3.json "$db2" --set duration=6h --set 'systems[1].settles_on=on-l1' --set 'systems[2].settles_on=on-l1'
l3rate=$(awk -v b="$(metric "$db" l3 parent_da_bytes_per_tx)" -v t="$(metric "$db" l3 tps_posted)" 'BEGIN{print b*t}')
alone=$(awk -v b="$(metric "$db2" l2 l1_da_bytes_per_tx)" -v t="$(metric "$db2" l2 tps_posted)" 'BEGIN{print b*t}')
check_range "l2 bytes/s with its L3s - without them, vs the L3s' carried bytes/s ($l3rate)" \
	"$(awk -v a="$(rate l2)" -v b="$alone" 'BEGIN{print a-b}')" \
	"$(awk -v s="$l3rate" 'BEGIN{print s*0.95}')" "$(awk -v s="$l3rate" 'BEGIN{print s*1.2}')"
# The systems table: the L3s settle on the L2 (its component name), their
# data is the L2's class (L1) or their committee's.
check_range "l3#0 settles_on l2 (systems table)" "$(sqlite3 "$db" "SELECT count(*) FROM systems WHERE component='l3#0' AND settles_on='l2' AND data='l1' AND depends_on='l2'")" 1 1
check_range "l3-validium settles_on l2, data on its committee" "$(sqlite3 "$db" "SELECT count(*) FROM systems WHERE component='l3-validium' AND settles_on='l2' AND data='committee' AND depends_on='dac l2'")" 1 1
check_range "on-l1 systems settle on l1" "$(sqlite3 "$db" "SELECT count(*) FROM systems WHERE component LIKE 'on-l1#%' AND settles_on='l1'")" 4 4
# A composer ZKR: one proof for its four members per round.
check_range "composer members" "$(metric "$db" composer members)" 4 4
check_lt "composed chains pay less L1 gas per tx than the same chains alone" \
	"$(metric "$db" composed l1_gas_per_tx)" "$(metric "$db" on-l1 l1_gas_per_tx)"
# Enshrined verification beside the proof system: the same chains, the
# same verification gas per batch (assumed 300,000 like the PLONK proof),
# but no prover: final about the 10 min of proving earlier, no proof chain.
check_range "enshrined proof_levels" "$(metric "$db" enshrined proof_levels)" 0 0
check_range "enshrined has no prover" "$(sqlite3 "$db" "SELECT count(*) FROM metrics WHERE component LIKE 'enshrined%' AND name LIKE 'prover_%'")" 0 0
gap=$(awk -v a="$(metric "$db" on-l1 latency_finalized_p50)" -v b="$(metric "$db" enshrined latency_finalized_p50)" 'BEGIN{print a-b}')
check_range "on-l1 finality p50 - enshrined's (s, ~600 of proving)" "$gap" 400 800
check_range "enshrined L1 gas per tx / on-l1's (same gas per batch)" \
	"$(awk -v a="$(metric "$db" enshrined l1_gas_per_tx)" -v b="$(metric "$db" on-l1 l1_gas_per_tx)" 'BEGIN{print a/b}')" 0.97 1.03
finish
