#!/usr/bin/env bash
# `l2sim diff`: two databases side by side.  The same runs give no change;
# a heavier workload is flagged (throughput better, bytes and cost as they
# move), a scenario on one side only is listed; bad input exits 2.
. "$(dirname "$0")/lib.sh"
run_scenario tests/data/sweep.json "$TMP/a.db"
cp "$TMP/a.db" "$TMP/same.db"
run_scenario tests/data/sweep.json "$TMP/b.db" \
	--set 'sweep={"workloads[0].rate": ["10tps", "60tps"]}' \
	--set 'systems[0].batcher={"max_delay": "30m"}'
run_scenario tests/data/tiny.json "$TMP/b.db"

"$L2SIM" diff "$TMP/a.db" "$TMP/same.db" --out "$TMP/d0" >"$TMP/out0" ||
	{ echo "FAIL: diff of equal databases exited $?"; exit 1; }
grep -q "diff: 0 worse, 0 better" "$TMP/out0" && echo "ok: equal databases: nothing changed" ||
	{ echo "FAIL: equal databases: $(cat "$TMP/out0")"; failures=$((failures + 1)); }
check_range "equal databases: no red or green cell" \
	"$(grep -c 'class="worse"\|class="better"' "$TMP/d0/report.html")" 0 0

"$L2SIM" diff "$TMP/a.db" "$TMP/b.db" --out "$TMP/d1" >"$TMP/out1" ||
	{ echo "FAIL: diff exited $?"; exit 1; }
cat "$TMP/out1"
worse=$(sed -n 's/^diff: \([0-9]*\) worse.*/\1/p' "$TMP/out1")
better=$(sed -n 's/^diff: [0-9]* worse, \([0-9]*\) better.*/\1/p' "$TMP/out1")
check_range "a slower batcher: some metrics worse" "$worse" 1 1000
check_range "red cells in the page" "$(grep -o 'td class="worse"' "$TMP/d1/report.html" | wc -l)" 1 1000
grep -q 'Only in after' "$TMP/d1/report.html" && echo "ok: scenario only in after listed" ||
	{ echo "FAIL: scenario only in after not listed"; failures=$((failures + 1)); }
grep -q '&rarr;' "$TMP/d1/report.html" && echo "ok: before -> after cells" ||
	{ echo "FAIL: no before -> after cells"; failures=$((failures + 1)); }
check_range "compare figure rendered (bytes)" "$(stat -c %s "$TMP/d1/plots/d1-compare.png" 2>/dev/null || echo 0)" 20000 5000000
check_range "report.md written" "$(grep -c '→' "$TMP/d1/report.md")" 1 10000
# the latency to posting grows with a batcher that waits longer
grep -q 'posted p50' "$TMP/d1/report.html" && echo "ok: latency column" || failures=$((failures + 1))

"$L2SIM" diff "$TMP/a.db" >/dev/null 2>&1
check_range "diff with one database exits 2" "$?" 2 2
"$L2SIM" diff "$TMP/a.db" "$TMP/none.db" --out "$TMP/d2" >/dev/null 2>&1
check_range "diff with a missing database exits 2" "$?" 2 2
finish
