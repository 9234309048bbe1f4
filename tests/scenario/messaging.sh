#!/usr/bin/env bash
# Cross-system messages through shared settlement (scenarios/messaging.json):
# delivery waits for the source's chosen finality (posting, or the verified
# proof made L1-final), then for the relay; relaying each message on its own
# costs ~100,000 gas a message, batching every 10 minutes or every hour
# costs ~1,000-2,000 and adds up to the interval of waiting.
. "$(dirname "$0")/lib.sh"
db=$TMP/msg.db
run_scenario scenarios/messaging.json "$db"
check_accounting "$db"
# Points: 0..2 posted with relays 0s, 10m, 1h; 3..5 final with the same.
for i in 0 1 2; do
	check_lt "point $i: message p50 >= the source's posting p50" \
		"$(metric "$db" source latency_posted_p50 $i)" "$(metric "$db" source msg_latency_p50 $i)"
done
for i in 3 4 5; do
	check_lt "point $i: message p50 >= the source's finality p50" \
		"$(metric "$db" source latency_finalized_p50 $i)" "$(metric "$db" source msg_latency_p50 $i)"
done
cost() { awk -v c="$(metric "$db" source msg_cost_eth "$1")" \
	-v n="$(metric "$db" source msg_delivered "$1")" 'BEGIN{print c/n}'; }
for a in 0 3; do
	check_lt "point $a: 10-minute batches are slower than per-message relays" \
		"$(metric "$db" source msg_latency_p50 $a)" "$(metric "$db" source msg_latency_p50 $((a + 1)))"
	check_lt "point $a: hourly batches are slower than 10-minute ones" \
		"$(metric "$db" source msg_latency_p50 $((a + 1)))" "$(metric "$db" source msg_latency_p50 $((a + 2)))"
	check_range "point $a: per-message relay cost / 10-minute batch cost" \
		"$(awk -v a="$(cost $a)" -v b="$(cost $((a + 1)))" 'BEGIN{print a/b}')" 20 200
	check_lt "point $a: hourly batches cheaper per message than 10-minute ones" \
		"$(cost $((a + 2)))" "$(cost $((a + 1)))"
done
# Hourly relays wait half an hour on the median beyond per-message ones.
check_range "hourly - per-message median (posted)" \
	"$(awk -v a="$(metric "$db" source msg_latency_p50 2)" -v b="$(metric "$db" source msg_latency_p50 0)" 'BEGIN{print a-b}')" 1200 2400
finish
