#!/usr/bin/env bash
# Key changes across eight rollups under the three designs of Vitalik's
# talk.  L2 gas by hand (change 29,000; reads 20,000 aggregated, 200,000
# alone): copy 8 x 29,000 = 232,000; key-store rollup 29,000 + 8 x 20,000
# = 189,000; home 29,000 + 7 x 200,000 = 1,429,000.  A copy missed on one
# of eight rollups 1% of the time leaves ~8% of changes stale until the
# user notices (resync_after, 30 d): the p99 staleness.  The key-store
# rollup and home designs are honoured once the key's state is final.
. "$(dirname "$0")/lib.sh"
db=$TMP/ks.db
run_scenario scenarios/keystore.json "$db" --set duration=8h
check_range "copy keychange_l2_gas" "$(metric "$db" copy keychange_l2_gas)" 232000 232000
check_range "keystore-rollup keychange_l2_gas" "$(metric "$db" keystore-rollup keychange_l2_gas)" 189000 189000
check_range "home keychange_l2_gas" "$(metric "$db" home keychange_l2_gas)" 1429000 1429000
check_lt "the key-store rollup is the cheapest per change" \
	"$(metric "$db" keystore-rollup keychange_gas)" "$(metric "$db" copy keychange_gas)"
check_lt "copies are cheaper than home reads of N proof types" \
	"$(metric "$db" copy keychange_gas)" "$(metric "$db" home keychange_gas)"
changes=$(metric "$db" copy keychanges)
missed=$(metric "$db" copy keychange_missed)
# 0.5 changes/s for 6 h after warm-up: 10,800 expected (Poisson).
check_range "copy keychanges" "$changes" 10300 11300
# 1 - 0.99^8 = 7.73% of changes miss a copy.
check_range "copy share missed" "$(awk -v m="$missed" -v c="$changes" 'BEGIN{print m/c}')" 0.07 0.085
check_range "copy staleness p99 = resync_after (30 d)" "$(metric "$db" copy keychange_staleness_p99)" 2592000 2592000
ksfin=$(metric "$db" ks latency_finalized_p99)
check_range "keystore-rollup staleness = ks finality p99 + 12 s" \
	"$(metric "$db" keystore-rollup keychange_staleness_p99)" \
	"$(awk -v f="$ksfin" 'BEGIN{printf "%.6f", f+11.999}')" "$(awk -v f="$ksfin" 'BEGIN{printf "%.6f", f+12.001}')"
check_lt "home staleness below a missed copy's" \
	"$(metric "$db" home keychange_staleness_p99)" "$(metric "$db" copy keychange_staleness_p99)"
# The summary and the report show one line per design.
"$L2SIM" report "$db" --out "$TMP/rep" >/dev/null 2>&1 || { echo "FAIL: report"; failures=$((failures + 1)); }
for d in copy keystore-rollup home; do
	if grep -q "^keystore $d: .* gas per key change, staleness p99" "$TMP/rep/report.md"; then
		echo "ok: report line for $d"
	else
		echo "FAIL: no report line for $d"
		failures=$((failures + 1))
	fi
done
# Copies that never miss are honoured within seconds (soft confirmation).
db2=$TMP/ks0.db
run_scenario scenarios/keystore.json "$db2" --set duration=8h --set 'keystores[0].miss_probability=0'
check_range "copy staleness without misses (s)" "$(metric "$db2" copy keychange_staleness_p99)" 0.1 10
check_lt "copies beat the key-store rollup on staleness when none is missed" \
	"$(metric "$db2" copy keychange_staleness_p99)" "$(metric "$db2" keystore-rollup keychange_staleness_p99)"
finish
