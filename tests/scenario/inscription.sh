#!/usr/bin/env bash
# An inscription wave: the SDR's bytes per transaction fall to the order of
# 10 (repeated writes to one hot contract cost once per batch), while the
# transaction-data rollup stays near its ordinary level.
. "$(dirname "$0")/lib.sh"
db=$TMP/inscription.db
run_scenario scenarios/inscription.json "$db"
check_accounting "$db"
sdr=$(metric "$db" sdr l1_da_bytes_per_tx)
roll=$(metric "$db" rollup l1_da_bytes_per_tx)
check_range "sdr l1_da_bytes_per_tx during the wave" "$sdr" 2 25
check_range "rollup l1_da_bytes_per_tx during the wave" "$roll" 50 150
check_range "rollup/sdr bytes ratio" "$(awk -v a="$roll" -v b="$sdr" 'BEGIN{print a/b}')" 4 100
# The same scenario without the wave: the SDR pays far more per tx.
db2=$TMP/calm.db
run_scenario scenarios/inscription.json "$db2" --set 'workloads[0].rate="20tps"'
check_lt "sdr bytes/tx fall under the wave" "$sdr" "$(metric "$db2" sdr l1_da_bytes_per_tx)"
finish
