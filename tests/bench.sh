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

# A simulated year of 50 systems offering 5,000 TPS in total (DESIGN.md:
# under a minute on one core, under 512 MiB), then ten times the TPS (at
# most 1.2 times the time).  CPU seconds of one thread, from /usr/bin/time
# when it is installed, else wall seconds.
if [ "${BENCH_YEAR:-1}" = 1 ]; then
	echo
	printf '%-34s %-10s %-10s %s\n' scenario cpu_s wall_s max_rss_mib
	tmp=$(mktemp -d)
	for tps in 100tps 1000tps; do
		label="year.json, 50 x $tps"
		start=$(date +%s.%N)
		if [ -x /usr/bin/time ]; then
			/usr/bin/time -f '%U %M' -o "$tmp/time" "$L2SIM" run scenarios/year.json \
				--set "workloads[0].rate.tps=\"$tps\"" --threads 1 --no-progress \
				--quiet --out "$tmp/year.db" || status=3
			read -r cpu rss <"$tmp/time"
		else
			"$L2SIM" run scenarios/year.json --set "workloads[0].rate.tps=\"$tps\"" \
				--threads 1 --no-progress --quiet --out "$tmp/year.db" || status=3
			cpu=? rss=0
		fi
		wall=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
		printf '%-34s %-10s %-10s %s\n' "$label" "$cpu" "$wall" $((rss / 1024))
		rm -f "$tmp/year.db"
	done
	rm -rf "$tmp"
fi
exit $status
