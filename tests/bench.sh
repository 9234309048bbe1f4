#!/usr/bin/env bash
# The benchmarks behind `make bench` (never part of `make test`): PHOLD on
# the real engine at four sizes, each long enough to take a few seconds, as
# a table of events per second.
#
# Environment: L2SIM (the binary, default ./l2sim), BENCH_SCALE (multiplies
# the event counts; 0.1 for a quick look), BENCH_SEED.
#
# Targets (docs: DESIGN.md, "Speed targets"): about 10 M events/s at 100k
# pending and 8 M at 1M pending on a 2-core machine.  Other load on the
# machine lowers the figures; compare runs on an idle machine.
set -eu
cd "$(dirname "$0")/.."
L2SIM=${L2SIM:-./l2sim}
SCALE=${BENCH_SCALE:-1}
SEED=${BENCH_SEED:-1}

if [ ! -x "$L2SIM" ]; then
	echo "bench: no binary '$L2SIM' (run make first)" >&2
	exit 3
fi

# lps, events per lp, events
configs=(
	"1000 1 30000000"
	"10000 10 30000000"
	"100000 10 40000000"
	"1000000 1 40000000"
)

printf '%-10s %-8s %-10s %-11s %-9s %-14s %s\n' lps per_lp pending events wall_s events_per_sec M_per_s
status=0
for c in "${configs[@]}"; do
	set -- $c
	lps=$1 per=$2
	events=$(awk -v e="$3" -v s="$SCALE" 'BEGIN { printf "%d", e * s }')
	if ! out=$("$L2SIM" bench phold --lps "$lps" --events-per-lp "$per" \
		--events "$events" --seed "$SEED" 2>&1); then
		echo "bench: l2sim bench phold failed for lps=$lps per_lp=$per:" >&2
		echo "$out" >&2
		status=3
		continue
	fi
	rate=$(printf '%s\n' "$out" | sed -n 's/^events_per_sec=//p' | tail -1)
	wall=$(printf '%s\n' "$out" | sed -n 's/.*wall_seconds=\([0-9.]*\).*/\1/p' | tail -1)
	mps=$(awk -v r="${rate:-0}" 'BEGIN { printf "%.2f", r / 1e6 }')
	printf '%-10s %-8s %-10s %-11s %-9s %-14s %s\n' "$lps" "$per" \
		$((lps * per)) "$events" "${wall:-?}" "${rate:-?}" "$mps"
done
exit $status
