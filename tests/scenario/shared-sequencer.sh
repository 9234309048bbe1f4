#!/usr/bin/env bash
# A shared sequencer does not scale horizontally (scenarios/shared-sequencer.json,
# 2..128 members beside as many independent copies): every member that joins
# lengthens the BFT round (5 ms of per-member work, more payload to send to
# 99 validators), so the members' soft-confirmation latency rises, and past
# the consensus capacity (1 MB blocks: ~3,200 tx/s at 128 members) their
# per-member throughput falls below the 40 tx/s they are offered; their
# bundles then fail together.  The independent copies keep 40 tx/s and the
# same latency at every size.
. "$(dirname "$0")/lib.sh"
db=$TMP/ss.db
run_scenario scenarios/shared-sequencer.json "$db"
check_accounting "$db"
# Sweep points 0..4 are 2, 8, 32, 64, 128 members.
per() { # component point -> tps_sequenced per instance
	awk -v a="$(metric "$db" "$1" tps_sequenced "$2")" \
		-v n="$(metric "$db" "$1" instances "$2")" 'BEGIN{print a/n}'
}
prev=0
for i in 0 1 2 3 4; do
	l=$(metric "$db" shared latency_sequenced_p50 $i)
	check_lt "shared members' soft latency grows at point $i" "$prev" "$l"
	prev=$l
	# Own sequencer, 1 s blocks, 100 ms: U(0, 1 s) + 0.1 s, p50 0.6 s.
	check_range "independent soft latency at point $i" \
		"$(metric "$db" independent latency_sequenced_p50 $i)" 0.59 0.61
	check_range "independent per-member TPS at point $i" "$(per independent $i)" 39 41
done
# 2 members: round ~1.02 s; soft confirmation ~half a round + 3 rounds.
check_range "shared soft latency p50 at 2 members" "$(metric "$db" shared latency_sequenced_p50 0)" 3.2 3.9
check_range "shared per-member TPS at 64 members" "$(per shared 3)" 39 41
check_range "shared per-member TPS at 128 members (saturated)" "$(per shared 4)" 20 30
check_range "consensus capacity at 128 members" "$(metric "$db" espresso capacity_tps_mean 4)" 2800 3600
check_range "bundles failed below saturation" "$(metric "$db" shared bundles_failed 3)" 0 0
check_lt "bundles fail at saturation" "$(metric "$db" shared bundles_atomic 4)" "$(metric "$db" shared bundles_failed 4)"
# Messages between independent systems wait for posting and a 10-minute relay.
check_lt "messages are slower than the shared members' bundles" \
	"$(metric "$db" shared latency_sequenced_p50 3)" "$(metric "$db" independent msg_latency_p50 3)"
finish
