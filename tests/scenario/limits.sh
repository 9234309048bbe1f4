#!/usr/bin/env bash
# Internal limits that bind are reported: with mempool_limit 100 and a
# capacity of 5 tps against 50 offered, every 12 s tick sequences 60 and
# drops what waits beyond 100; a batcher whose L1 transactions never get in
# (fee cap 1 wei) with max_pending_txs 1 holds its ready batches back; a
# proof of 20M gas is cut to Fusaka's 2^24 per-transaction cap (EIP-7825).
# The summary says so, per system; a system whose limits never bind is not
# named.
. "$(dirname "$0")/lib.sh"
cat > "$TMP/l.json" <<'JSON'
{"name": "limits", "duration": "1h", "seed": 9, "l1": {"fork": "fusaka"},
 "workloads": [{"name": "w", "rate": "50tps"}],
 "systems": [
  {"name": "tight", "type": "optimistic_rollup",
   "sequencer": {"capacity": "5tps", "mempool_limit": 100}},
  {"name": "stuck", "type": "optimistic_rollup",
   "batcher": {"max_pending_txs": 1, "max_fee": "1wei", "priority_fee": "1wei"}},
  {"name": "heavy", "type": "zk_rollup", "prover": {"verify_gas": 20000000}},
  {"name": "fine", "type": "optimistic_rollup"}]}
JSON
out=$("$L2SIM" run "$TMP/l.json" --out "$TMP/l.db" --no-progress)
echo "$out" | grep '^limits bound'
check_range "tight: limit_mempool_ticks (every tick of 1 h)" \
	"$(metric "$TMP/l.db" tight limit_mempool_ticks)" 300 300
check_range "tight: dropped = offered - 5 x 3600 - 100" \
	"$(awk -v d="$(metric "$TMP/l.db" tight tx_dropped)" -v o="$(metric "$TMP/l.db" tight tx_offered)" 'BEGIN{print o - 18000 - 100 - d}')" 0 0
check_range "stuck: limit_pending_ticks" "$(metric "$TMP/l.db" stuck limit_pending_ticks)" 200 300
# One proof a batch; at 50 tps six blobs fill in ~2.4 min: ~25 in the hour.
check_range "heavy: proofs cut to the gas cap" "$(metric "$TMP/l.db" heavy limit_tx_gas_capped)" 20 30
check_range "fine: nothing bound" "$(metric "$TMP/l.db" fine limit_mempool_ticks)" 0 0
for s in tight stuck heavy; do
	if echo "$out" | grep -q "^limits bound: $s:"; then
		echo "ok: summary names $s"
	else
		echo "FAIL: summary does not name $s"
		failures=$((failures + 1))
	fi
done
if echo "$out" | grep -q "^limits bound: fine"; then
	echo "FAIL: summary names fine"
	failures=$((failures + 1))
else
	echo "ok: summary leaves fine out"
fi
finish
