#!/usr/bin/env bash
# Fraud-proof disputes (scenarios/disputes.json, shortened to 20 days).
# One game: 73 moves of 200,000 gas; the attacker's clock 549,816 s
# (45,818 slots) under classic and BoLD, 313,200 s (3.5 d + 3 h) under OP's
# fault dispute games; the honest side answers its 37 moves in 12 s each.
#  - classic: N stakes delay honest finality by N games: N x 550,260 s;
#  - BoLD: bounded by one challenge period, 549,816 s, whatever N;
#  - fdg: honest proposals unaffected: finality as the honest system's.
. "$(dirname "$0")/lib.sh"
db=$TMP/disputes.db
run_scenario scenarios/disputes.json "$db" --set duration=20d --threads 1
check_accounting "$db"
game=550260
for k in 0 1 2; do
	n=$((k + 1))
	check_range "classic delay, $n stakes" \
		"$(metric "$db" classic dispute_delay_max_s $k)" $((n * game)) $((n * game))
	check_range "bold delay, $n stakes" \
		"$(metric "$db" bold dispute_delay_max_s $k)" 549816 549816
	check_range "bold bonds lost, $n stakes" \
		"$(metric "$db" bold dispute_bonds_lost_eth $k)" $((n * 3600)) $((n * 3600))
	check_range "bold moves gas, $n stakes" \
		"$(metric "$db" bold dispute_l1_gas $k)" $((n * 73 * 200000)) $((n * 73 * 200000))
	check_range "fdg delay" "$(metric "$db" fdg dispute_delay_max_s $k)" 313644 313644
done
# OP bonds: sum over the attacker's depths 0, 2, ..., 72 of
# 400,000 x 1.09493^d gas at 200 gwei.
check_range "fdg bonds lost, one stake" "$(metric "$db" fdg dispute_bonds_lost_eth 0)" 330.0 330.1
# Disputed finality is later than honest finality by about one game.
honest=$(metric "$db" honest latency_finalized_p99 0)
classic=$(metric "$db" classic latency_finalized_p99 0)
check_range "classic p99 finality - honest, one stake (s)" \
	"$(awk -v a="$classic" -v b="$honest" 'BEGIN{print a - b}')" \
	$((game * 8 / 10)) $((game * 12 / 10))
check_range "fdg p99 finality / honest" \
	"$(awk -v a="$(metric "$db" fdg latency_finalized_p99 0)" -v b="$honest" 'BEGIN{print a / b}')" 0.98 1.02
check_range "bold p99 finality / classic, one stake" \
	"$(awk -v a="$(metric "$db" bold latency_finalized_p99 0)" -v b="$classic" 'BEGIN{print a / b}')" 0.97 1.03
# The moves are L1 transactions of their own: the rollups' costs stay.
check_range "classic cost / honest cost per tx" \
	"$(awk -v a="$(metric "$db" classic cost_eth_per_tx 0)" -v b="$(metric "$db" honest cost_eth_per_tx 0)" 'BEGIN{print a / b}')" 0.9 1.1
finish
