#!/usr/bin/env bash
# Getting data out: the views run_points and system_metrics, `l2sim export`
# (CSV and JSON, read back against the database), the Python loader
# analysis/python/l2sim on a sweep database with replications, and the
# worked example of docs/data.md.  Needs Debian's python3-pandas (and
# python3-matplotlib for the example), installed here when missing.
. "$(dirname "$0")/lib.sh"
need_python pandas:python3-pandas matplotlib:python3-matplotlib
db=$TMP/h.db
# a short horizontal sweep with two replications, run twice for seed 3:
# the second run replaces the first in what load() uses
run_scenario scenarios/horizontal.json "$db" --set 'duration="2h"' \
	--set 'warmup="20m"' --reps 2
run_scenario scenarios/horizontal.json "$db" --set 'duration="2h"' \
	--set 'warmup="20m"' --reps 1
"$L2SIM" export "$db" --out "$TMP/csv" >/dev/null || { echo "FAIL: export csv"; exit 1; }
"$L2SIM" export "$db" --out "$TMP/json" --format json >/dev/null || { echo "FAIL: export json"; exit 1; }
PYTHONPATH=analysis/python $PY tests/python/check_data.py "$db" "$TMP/csv" "$TMP/json" ||
	failures=$((failures + 1))
# bad input
"$L2SIM" export "$db" --format xml >/dev/null 2>&1
check_range "export --format xml exits 2" "$?" 2 2
"$L2SIM" export "$TMP/none.db" >/dev/null 2>"$TMP/err"
check_range "export of a missing database exits 2" "$?" 2 2
# the worked example of docs/data.md, on this database
awk '/^```python example/{on=1; next} /^```/{on=0} on' docs/data.md |
	sed "s|results/horizontal.db|$db|; s|horizontal.png|$TMP/horizontal.png|" >"$TMP/example.py"
check_range "docs/data.md example has a dozen lines" "$(grep -cv '^\s*$' "$TMP/example.py")" 6 14
(cd "$TMP" && MPLBACKEND=Agg PYTHONPATH="$OLDPWD/analysis/python" $PY example.py) >"$TMP/example.out" 2>&1 ||
	{ echo "FAIL: docs/data.md example"; cat "$TMP/example.out"; failures=$((failures + 1)); }
check_range "example figure written (bytes)" "$(stat -c %s "$TMP/horizontal.png" 2>/dev/null || echo 0)" 10000 10000000
finish
