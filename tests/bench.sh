#!/usr/bin/env bash
# The benchmarks behind `make bench` (never part of `make test`), as one
# table with each figure beside its goal (docs/engine.md, "Speed goals"):
#
#   sweep    a sweep of 12 equal runs at --threads 1, 2 and the default
#   year     scenarios/year.json at 60 s and 12 s ticks (CPU, peak RSS),
#            and at 12 s ticks with ten times the TPS
#   validate `l2sim validate` of two 100,000-point sweeps
#   progress the ETA of a sweep's progress bar against its real end
#   phold    `l2sim bench phold` against PHOLD on a bare bucket queue
#            (tests/bench/phold_bare.c) at 1k, 100k and 1M pending
#
# Timings on a machine shared with other jobs move from run to run: the
# timed steps run BENCH_TRIES times (default 2) and keep the best, and the
# year's goal is also given relative to the bare queue's PHOLD measured in
# the same run (CPU of 40M events at 100k pending, x 20), which moves with
# the machine.  Exit status: 0 when every goal is met, 1 when one is not,
# 3 when a step failed.
#
# Environment: L2SIM (the binary, default ./l2sim), BENCH_SCALE (multiplies
# the PHOLD event counts; 0.1 for a quick look), BENCH_YEAR=0 skips the
# year runs (the longest part, about 3 minutes), BENCH_TRIES.
set -u
cd "$(dirname "$0")/.."
L2SIM=${L2SIM:-./l2sim}
SCALE=${BENCH_SCALE:-1}
TRIES=${BENCH_TRIES:-2}
BUILD=${BUILD:-build}

if [ ! -x "$L2SIM" ]; then
	echo "bench: no binary '$L2SIM' (run make first)" >&2
	exit 3
fi
if [ ! -x /usr/bin/time ]; then
	if [ "$(id -u)" = 0 ]; then
		echo "bench: installing time (for CPU seconds and peak memory)" >&2
		apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
			apt-get install -y -qq time >/dev/null
	fi
	if [ ! -x /usr/bin/time ]; then
		echo "bench: /usr/bin/time is needed (apt-get install time)" >&2
		exit 3
	fi
fi
mkdir -p "$BUILD/bench"
BARE=$BUILD/bench/phold_bare
if [ ! -x "$BARE" ] || [ tests/bench/phold_bare.c -nt "$BARE" ]; then
	${CC:-gcc} -std=gnu11 -O2 -Wall -Wextra -o "$BARE" tests/bench/phold_bare.c \
		$(pkg-config --cflags --libs gsl) -lm || exit 3
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
status=0
fail_step() {
	echo "bench: $1 failed:" >&2
	cat "$tmp/err" >&2 2>/dev/null
	status=3
}

# timed LABEL CMD...: runs CMD under /usr/bin/time; sets wall, cpu (user +
# system), rss_mib.  Output goes to $tmp/out, stderr to $tmp/err.
timed() {
	shift
	/usr/bin/time -f '%e %U %S %M' -o "$tmp/time" "$@" >"$tmp/out" 2>"$tmp/err"
	local rc=$?
	read -r wall u s kib <"$tmp/time" 2>/dev/null || true
	wall=$(tail -1 "$tmp/time" | awk '{ print $1 }')
	cpu=$(tail -1 "$tmp/time" | awk '{ printf "%.2f", $2 + $3 }')
	rss_mib=$(tail -1 "$tmp/time" | awk '{ printf "%.0f", $4 / 1024 }')
	return $rc
}

# best LABEL CMD...: the best of TRIES runs of timed (by wall time).
best() {
	local bw="" bc="" br="" i
	for ((i = 0; i < TRIES; i++)); do
		rm -f "$tmp"/*.db
		timed "$@" || return 1
		if [ -z "$bw" ] || awk -v a="$wall" -v b="$bw" 'BEGIN { exit !(a < b) }'; then
			bw=$wall bc=$cpu br=$rss_mib
		fi
	done
	wall=$bw cpu=$bc rss_mib=$br
}

rows=()
met=0
missed=0
# row WHAT FIGURE GOAL OK(1/0/-)
row() {
	local mark
	case $4 in
	1) mark=met; met=$((met + 1)) ;;
	0) mark=MISSED; missed=$((missed + 1)) ;;
	*) mark="" ;;
	esac
	rows+=("$(printf '%-36s %-24s %-22s %s' "$1" "$2" "$3" "$mark")")
	printf '%s\n' "${rows[-1]}"
}
le() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 <= b + 0) }' && echo 1 || echo 0; }
ge() { awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }' && echo 1 || echo 0; }
div() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", (b > 0 ? a / b : 0) }'; }

printf '%-36s %-24s %-22s %s\n' what measured goal ""
printf '%-36s %-24s %-22s %s\n' ---- -------- ---- ""

# ---- PHOLD: the real engine against the bare queue ----------------------
declare -A eng bare
for c in "1k 1000 1 30000000" "100k 10000 10 30000000" "1M 100000 10 40000000"; do
	set -- $c
	name=$1 lps=$2 per=$3
	events=$(awk -v e="$4" -v s="$SCALE" 'BEGIN { printf "%d", e * s }')
	b=0 e=0
	for ((i = 0; i < TRIES; i++)); do
		"$BARE" "$lps" "$per" "$events" 1 >"$tmp/out" 2>"$tmp/err" ||
			{ fail_step "phold_bare $lps x $per"; continue 2; }
		r=$(sed -n 's/^events_per_sec=//p' "$tmp/out")
		b=$(awk -v a="$r" -v b="$b" 'BEGIN { print (a > b ? a : b) }')
		"$L2SIM" bench phold --lps "$lps" --events-per-lp "$per" \
			--events "$events" --seed 1 >"$tmp/out" 2>"$tmp/err" ||
			{ fail_step "l2sim bench phold $lps x $per"; continue 2; }
		r=$(sed -n 's/^events_per_sec=//p' "$tmp/out" | tail -1)
		e=$(awk -v a="$r" -v b="$e" 'BEGIN { print (a > b ? a : b) }')
	done
	eng[$name]=$e bare[$name]=$b
	ratio=$(div "$e" "$b")
	fig=$(awk -v e="$e" -v b="$b" -v r="$ratio" \
		'BEGIN { printf "%.1fM vs %.1fM: x%s", e / 1e6, b / 1e6, r }')
	if [ "$name" = 1k ]; then
		row "phold $name pending, engine vs bare" "$fig" "(no goal)" -
	else
		row "phold $name pending, engine vs bare" "$fig" ">= x0.75" "$(ge "$ratio" 0.75)"
	fi
done

# The year's yardstick: CPU of the bare queue's PHOLD, 40M events at 100k
# pending.
ref_cpu=""
if timed - "$BARE" 10000 10 40000000 1; then
	ref_cpu=$cpu
	row "phold bare 40M events, 100k pending" "${ref_cpu} s CPU" "(yardstick)" -
else
	fail_step "phold_bare yardstick"
fi

# ---- sweeps ----------------------------------------------------------------
sweep=(run scenarios/default.json --set duration=6h --reps 12 --no-progress --quiet)
if best - "$L2SIM" "${sweep[@]}" --threads 1 --out "$tmp/s.db"; then
	w1=$wall
	best - "$L2SIM" "${sweep[@]}" --threads 2 --out "$tmp/s.db" || fail_step "sweep at 2 threads"
	w2=$wall
	best - "$L2SIM" "${sweep[@]}" --out "$tmp/s.db" || fail_step "sweep at default threads"
	wd=$wall
	sp=$(div "$w1" "$w2")
	row "sweep 12 x 6h, threads 1 -> 2" "${w1} s -> ${w2} s: x${sp}" ">= x1.8" "$(ge "$sp" 1.8)"
	row "sweep 12 x 6h, default threads" "${wd} s (1 thread ${w1} s)" "<= 1 thread" "$(le "$wd" "$w1")"
else
	fail_step "sweep at 1 thread"
fi

# ---- validating large sweeps ---------------------------------------------
python3 - "$tmp" <<'PY' || fail_step "writing the 100k-point sweeps"
import json, sys
tmp = sys.argv[1]
base = json.load(open("scenarios/default.json"))
a = dict(base, name="seeds_x_rates",
         sweep={"seed": list(range(1, 1001)),
                "workloads[0].rate": ["%dtps" % i for i in range(1, 101)]})
b = dict(base, name="rates_x_counts_x_warmups",
         sweep={"workloads[0].rate": ["%dtps" % i for i in range(1, 101)],
                "systems[0].count": list(range(1, 11)),
                "warmup": ["%dm" % i for i in range(1, 101)]})
json.dump(a, open(tmp + "/v1.json", "w"))
json.dump(b, open(tmp + "/v2.json", "w"))
PY
for v in "v1 seeds x rates" "v2 rates x counts x warmups"; do
	set -- $v
	f=$1
	shift
	if best - "$L2SIM" validate "$tmp/$f.json"; then
		row "validate 100k: $*" "${wall} s, ${rss_mib} MiB" "<= 2 s, <= 256 MiB" \
			"$(( $(le "$wall" 2) & $(le "$rss_mib" 256) ))"
	else
		fail_step "validate $f"
	fi
done

# ---- progress: the ETA against the real end ------------------------------
# A sweep of 16 equal 30-day runs with the bar on; each redraw is
# timestamped as it arrives.  After the first tenth, the predicted end
# (elapsed + ETA, at the time of the redraw) against the real end.
python3 - "$L2SIM" "$tmp" <<'PY' >"$tmp/eta" 2>"$tmp/err" || fail_step "progress ETA"
import os, re, subprocess, sys, time
l2sim, tmp = sys.argv[1], sys.argv[2]
# 30-day runs: about ten seconds in all, so that the ETA's whole seconds
# are a small part of what is measured.
cmd = [l2sim, "run", "scenarios/default.json", "--reps", "16", "--set",
       "duration=30d", "--progress", "--quiet", "--out", tmp + "/eta.db"]
t0 = time.monotonic()
p = subprocess.Popen(cmd, stderr=subprocess.PIPE, env=dict(os.environ, COLUMNS="80"))
lines, buf = [], b""
while True:
    ch = p.stderr.read1(4096)
    if not ch:
        break
    buf += ch
    while b"\r" in buf or b"\n" in buf:
        i = min(x for x in (buf.find(b"\r"), buf.find(b"\n")) if x >= 0)
        line, buf = buf[:i].decode(), buf[i + 1:]
        if line.strip():
            lines.append((time.monotonic() - t0, line))
p.wait()
end = time.monotonic() - t0
if p.returncode:
    sys.exit(p.returncode)
worst, first = 0.0, None
wide = max(len(l) for _, l in lines)
for t, line in lines:
    m = re.search(r"\]\s*(\d+)% .* ETA (\d+):(\d+)(?::(\d+))? ", line)
    if not m:
        continue
    pct = int(m.group(1))
    if m.group(4):
        eta = int(m.group(2)) * 3600 + int(m.group(3)) * 60 + int(m.group(4))
    else:
        eta = int(m.group(2)) * 60 + int(m.group(3))
    if pct < 10 or pct >= 100:
        continue
    err = abs(t + eta - end) / end
    if first is None:
        first = err
    worst = max(worst, err)
print("%.0f %.0f %.1f %d %d" % (100 * (first or 0), 100 * worst, end, len(lines), wide))
PY
if [ -s "$tmp/eta" ]; then
	read -r first worst end n wide <"$tmp/eta"
	row "progress ETA after 10%, 16 x 30d" "${first}% (worst ${worst}%) of ${end} s" "<= 20%" "$(le "$worst" 20)"
	row "progress line width" "$wide columns" "<= 79 at 80" "$(le "$wide" 79)"
fi

# ---- a year --------------------------------------------------------------
if [ "${BENCH_YEAR:-1}" = 1 ]; then
	year=(run scenarios/year.json --threads 1 --no-progress --quiet --out "$tmp/y.db")
	goal_cpu=60
	if [ -n "$ref_cpu" ]; then
		rel=$(awk -v r="$ref_cpu" 'BEGIN { printf "%.0f", 20 * r }')
	fi
	for t in 60s 12s; do
		rm -f "$tmp/y.db"
		if timed - "$L2SIM" "${year[@]}" --set "tick=\"$t\""; then
			eval "y_cpu_$t=$cpu"
			ok=$(( $(le "$cpu" "$goal_cpu") & $(le "$rss_mib" 512) ))
			row "year, 50 x 100 tps, tick $t" "${cpu} s CPU, ${rss_mib} MiB" \
				"<= 60 s, <= 512 MiB" "$ok"
			if [ -n "$ref_cpu" ] && [ "$t" = 12s ]; then
				row "  the same / bare PHOLD yardstick" "x$(div "$cpu" "$ref_cpu")" \
					"<= x20 (${rel} s)" "$(le "$cpu" "$rel")"
			fi
		else
			fail_step "year at tick $t"
		fi
	done
	rm -f "$tmp/y.db"
	if timed - "$L2SIM" "${year[@]}" --set 'tick="12s"' \
		--set 'workloads[0].rate.tps="1000tps"'; then
		r=$(div "$cpu" "${y_cpu_12s:-0}")
		row "year, 10x TPS, tick 12s" "${cpu} s CPU: x${r}, ${rss_mib} MiB" "<= x1.2" "$(le "$r" 1.2)"
	else
		fail_step "year at ten times the TPS"
	fi
fi

echo
echo "goals met: $met, missed: $missed"
cat <<'EOF'
Before and after (2-core machine, 2026-11-27; before = the code of e2122ba;
then issue 14's first pass; then the start of its second pass, after the
other round-2 merges; then now; docs/engine.md has more):
  l2sim run scenarios/default.json --set duration=6h --reps 12 --threads 1 | 2
      before 2.6 | 4.6 s   first pass 2.5 | 1.3 s   second 2.57 | 1.30 s
      now 2.50 | 1.31 s
  l2sim validate on 1,000 seeds x 100 rates of default.json (100k points)
      before 42 s, 5.9 GB   first pass 0.1 s   second 22.6 s, 5.9 GB
      now 0.06 s, 8 MiB
  l2sim validate on 100 rates x 10 counts x 100 warm-ups of default.json
      before 17 s CPU, 5.9 GB   first pass 1.5 s wall   second 11.4 s, 2.9 GB
      now 1.78 s wall (3.4 s CPU), 8 MiB
  l2sim run scenarios/year.json --threads 1 --set 'tick="12s"'
      before 117 s CPU   first pass 57 s   second 115.7 s   now 53.0 s, 74 MiB
EOF
[ "$status" != 0 ] && exit "$status"
[ "$missed" -gt 0 ] && exit 1
exit 0
