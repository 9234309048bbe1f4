#!/usr/bin/env bash
# The progress bar: one line redrawn in place, never wider than the
# terminal less one column (80 at most), sized by each run's own duration,
# drawn by whichever thread is running, showing the writing of results,
# and ending at 100% with every run counted.
source "$(dirname "$0")/lib.sh"

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# Two points of very different durations at two threads: the short one
# ends at once on one thread while the long one runs on the other (long
# enough for several redraws; shorter under the sanitizers, which are
# slower).
long=60d
[ "${SANITIZE:-0}" = 1 ] && long=15d
cat >"$TMP/two.json" <<JSON
{
  "name": "two",
  "duration": "1h",
  "warmup": "10m",
  "seed": 4,
  "workloads": [{"name": "w", "rate": "20tps"}],
  "systems": [{"name": "op", "type": "optimistic_rollup", "workload": "w", "count": 4}],
  "sweep": {"duration": ["1h", "$long"]}
}
JSON
COLUMNS=80 "$L2SIM" run "$TMP/two.json" --out "$TMP/two.db" --threads 2 \
	--progress --quiet 2>"$TMP/err" || fail "run exited $?"
tr '\r' '\n' <"$TMP/err" | sed '/^$/d' >"$TMP/lines"
n=$(wc -l <"$TMP/lines")
[ "$n" -ge 3 ] && echo "ok: $n progress lines" || fail "only $n progress lines"
wide=$(awk 'length($0) > 79' "$TMP/lines" | wc -l)
[ "$wide" = 0 ] && echo "ok: no line wider than 79 columns" \
	|| fail "$wide lines wider than 79 columns"
last=$(tail -1 "$TMP/lines")
case "$last" in
*"100% 2/2 runs"*) echo "ok: ends at 100% with 2/2 runs" ;;
*) fail "last line '$last'" ;;
esac
grep -q "writing" "$TMP/lines" && echo "ok: the writing of results is shown" \
	|| fail "no line shows the writing of results"
# Sized by each run's own duration: at one thread, while the 1 h run is
# being written the bar stands near 1 h / 1441 h, not at half (as it would
# sized by the first point's duration).
COLUMNS=80 "$L2SIM" run "$TMP/two.json" --out "$TMP/one.db" --threads 1 \
	--progress --quiet 2>"$TMP/err1" || fail "run at one thread exited $?"
pct=$(tr '\r' '\n' <"$TMP/err1" | grep -m1 " 1/2 runs.*writing" \
	| sed 's/^[^]]*] *\([0-9]*\)%.*/\1/')
if [ -n "$pct" ] && [ "$pct" -le 1 ]; then
	echo "ok: while the short run is written the bar is at $pct%"
else
	fail "while the short run is written the bar is at '${pct}'%, want 0 or 1"
fi
# The long run's thread keeps the bar moving: several distinct
# percentages while one run is left.
moving=$(grep " 1/2 runs" "$TMP/lines" | sed 's/^[^]]*] *\([0-9]*\)%.*/\1/' \
	| sort -u | wc -l)
[ "$moving" -ge 2 ] && echo "ok: $moving distinct percentages during the long run" \
	|| fail "the bar stood still during the long run ($moving value)"

# A narrow terminal: still one line each.
COLUMNS=50 "$L2SIM" run "$TMP/two.json" --set 'sweep={"duration":["1h","2h"]}' \
	--out "$TMP/n.db" --progress --quiet 2>"$TMP/err" || fail "narrow run exited $?"
wide=$(tr '\r' '\n' <"$TMP/err" | awk 'length($0) > 49' | wc -l)
[ "$wide" = 0 ] && echo "ok: fits 50 columns" || fail "$wide lines wider than 49"

# --no-progress wins over a terminal: under script(1) stderr is a
# terminal, where the bar is on by default.
if command -v script >/dev/null; then
	script -qec "COLUMNS=80 '$L2SIM' run '$TMP/two.json' \
		--set 'sweep={\"duration\":[\"1h\",\"2h\"]}' --out '$TMP/t.db' \
		--quiet --no-progress" /dev/null >"$TMP/tty" 2>&1 </dev/null \
		|| fail "run under a terminal exited $?"
	grep -q "runs" "$TMP/tty" && fail "--no-progress on a terminal drew a bar" \
		|| echo "ok: --no-progress on a terminal draws no bar"
	rm -f "$TMP/t.db"
	script -qec "COLUMNS=80 '$L2SIM' run '$TMP/two.json' \
		--set 'sweep={\"duration\":[\"1h\",\"2h\"]}' --out '$TMP/t.db' \
		--quiet" /dev/null >"$TMP/tty" 2>&1 </dev/null \
		|| fail "run under a terminal exited $?"
	grep -q "2/2 runs" "$TMP/tty" && echo "ok: a terminal gets the bar by default" \
		|| fail "no bar on a terminal by default"
fi

if [ "$failures" -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all progress checks passed"
