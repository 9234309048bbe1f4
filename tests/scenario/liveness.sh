#!/usr/bin/env bash
# One 30 h sequencer outage under six recovery designs (a sweep): the
# designs differ in failure time, forced transactions and their L1 cost,
# and slashed stake, in the order a researcher expects.
. "$(dirname "$0")/lib.sh"
db=$TMP/liveness.db
run_scenario scenarios/liveness.json "$db"
check_accounting "$db"
h() { awk -v s="$(metric "$db" rollup liveness_failure_seconds "$1")" 'BEGIN{print s/3600}'; }
# 0: 7-day takeover (no forcing): the whole outage.
check_range "7-day takeover: failure hours" "$(h 0)" 29.9 30.1
# 1: 6-hour takeover.
check_range "6-hour takeover: failure hours" "$(h 1)" 5.9 6.1
# 2: hot standby, 5 min fail-over: about 4 min (after the 1 min promise).
check_range "hot standby: failure hours" "$(h 2)" 0.05 0.1
# 3: self-sequencing after 12 h.
check_range "self-sequencing: failure hours" "$(h 3)" 11.9 12.1
# 4: forced inclusion after 12 h at 10 tx/s: the 12 h backlog (2 tps)
# drains at 8 tx/s net, ~3 h more; every later arrival is forced too.
check_range "forced inclusion: failure hours" "$(h 4)" 14.5 15.5
check_range "forced inclusion: transactions forced" "$(metric "$db" rollup tx_forced 4)" 200000 230000
check_range "forced inclusion: L1 gas per forced tx" \
	"$(awk -v g="$(metric "$db" rollup forced_l1_gas 4)" -v n="$(metric "$db" rollup tx_forced 4)" 'BEGIN{print g/n}')" 66000 72000
check_lt "forced inclusion: users paid L1 fees" 0 "$(metric "$db" rollup forced_l1_fee_eth 4)"
# 5: pre-confirmations with slashing (7-day takeover): 30 h of failure at
# 1 ETH/h + 1 ETH for the interval + 0.01 ETH per broken promise.
check_range "preconf: failure hours" "$(h 5)" 29.9 30.1
check_range "preconf: promises broken" "$(metric "$db" rollup preconf_broken 5)" 1 1000
check_range "preconf: slashed ETH" "$(metric "$db" rollup slashed_eth 5)" 31 41
check_range "designs without a bond report no slashing" "$(sqlite3 "$db" "SELECT count(*) FROM metrics JOIN runs USING(run_id) WHERE name = 'slashed_eth' AND sweep_index < 5")" 0 0
finish
