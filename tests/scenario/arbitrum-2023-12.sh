#!/usr/bin/env bash
# The Arbitrum One stall of 2023-12-15, replayed: an inscription wave
# outruns a calldata batch poster, the unposted backlog passes the
# sequencer's bound and the sequencer halts itself, on and off, for 60-120
# minutes (reported: ~78 min to ~1.5 h); the backlog drains by the end and
# every transaction is accounted for.  The same system posting blobs never
# falls behind.
. "$(dirname "$0")/lib.sh"
db=$TMP/arb.db
run_scenario scenarios/arbitrum-2023-12.json "$db"
check_accounting "$db"
fail=$(metric "$db" arb liveness_failure_seconds)
halted=$(metric "$db" arb liveness_failure_seconds_halted)
posting=$(metric "$db" arb liveness_failure_seconds_posting)
check_range "arb failure minutes" "$(awk -v s="$fail" 'BEGIN{print s/60}')" 60 120
check_range "arb halted or posting share of the failure" \
	"$(awk -v h="$halted" -v p="$posting" -v f="$fail" 'BEGIN{print (h>p?h:p)/f}')" 0.8 1
check_range "arb halts" "$(metric "$db" arb backpressure_halts)" 1 20
check_range "arb rows of cause halted" \
	"$(sqlite3 "$db" "SELECT count(*) FROM failures WHERE component='arb' AND cause='halted'")" 1 20
# Failures start after the wave does (2 h) and end within 3 h of it.
check_range "first failure (h)" \
	"$(sqlite3 "$db" "SELECT min(t_start_s)/3600.0 FROM failures WHERE component='arb'")" 2 4
check_range "last failure end (h)" \
	"$(sqlite3 "$db" "SELECT max(t_end_s)/3600.0 FROM failures WHERE component='arb'")" 3 7
# Drained: the backlog at the end is back to its ordinary level.
peak=$(metric "$db" arb backlog_max)
last=$(sqlite3 "$db" "SELECT value FROM series WHERE component='arb' AND name='backlog' ORDER BY t_seconds DESC LIMIT 1")
check_lt "arb backlog at the end (vs 1% of its peak)" "$last" "$(awk -v p="$peak" 'BEGIN{print p/100}')"
check_range "arb pending at the end / offered" \
	"$(awk -v p="$(metric "$db" arb tx_pending_end)" -v o="$(metric "$db" arb tx_offered)" 'BEGIN{print p/o}')" 0 0.001
check_range "arb-blobs failure seconds" "$(metric "$db" arb-blobs liveness_failure_seconds)" 0 0
check_lt "the blob poster's peak backlog is under the halt bound" "$(metric "$db" arb-blobs backlog_max)" 150000
finish
