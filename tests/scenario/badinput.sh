#!/usr/bin/env bash
# Bad input never hangs or exits wrongly: bounded files and trace values,
# linear-time duplicate checks, exit 2 with a located message for every
# kind of bad input (docs/scenario-format.md).
. "$(dirname "$0")/lib.sh"
case $L2SIM in /*) ;; *) L2SIM=$PWD/$L2SIM ;; esac
D=$PWD/tests/data
ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
# expect CODE LABEL TEXT cmd...: exit code and a fixed string in stderr
expect() {
	local want=$1 label=$2 text=$3
	shift 3
	timeout -s KILL 120 "$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" = "$want" ] && grep -qF -- "$text" "$TMP/err"; then
		ok "$label (exit $got)"
	else
		bad "$label: exit $got, want $want with '$text': $(head -c 300 "$TMP/err")"
	fi
}
cd "$TMP"
cp "$D/tiny.json" .

expect 2 "a scenario path that is a directory" "is a directory, not a scenario file" \
	"$L2SIM" validate "$TMP"
expect 2 "run of a directory" "is a directory" "$L2SIM" run "$TMP" --out x.db
expect 2 "/dev/zero as a scenario ends" "larger than 256 MiB" "$L2SIM" validate /dev/zero
# --set: the file, the --set as written, where in the file it lands
expect 2 "--set with a negative index" \
	"tiny.json:7:3: systems[-1].count: --set 'systems[-1].count=2': malformed path 'systems[-1].count'" \
	"$L2SIM" validate tiny.json --set 'systems[-1].count=2'
expect 2 "--set past the end of an array" "tiny.json:7:3: systems[3]: --set 'systems[3].count=2'" \
	"$L2SIM" validate tiny.json --set 'systems[3].count=2'
expect 2 "--set of an unknown key" "tiny.json:7:15: systems[0].cuont: unknown key 'cuont' (did you mean 'count'?)" \
	"$L2SIM" validate tiny.json --set 'systems[0].cuont=2'
cat >sweep.json <<'J'
{
  "name": "s",
  "duration": "2h",
  "workloads": [{"name": "w", "rate": "20tps"}],
  "systems": [{"name": "zk", "type": "zk_rollup", "workload": "w"}],
  "sweep": {
    "systems[4].count": [1, 2]
  }
}
J
expect 2 "a sweep key past the end" "sweep.json:6:3: systems[4]: sweep key 'systems[4].count'" \
	"$L2SIM" validate sweep.json
cat >agg.json <<'J'
{"name": "agg", "duration": "1h",
 "aggregators": [{"name": "nebra", "type": "l1.5"}],
 "workloads": [{"name": "w", "rate": "10tps"}],
 "systems": [{"name": "zk", "type": "zk_rollup", "workload": "w", "aggregator": "nebr"}]}
J
expect 2 "a misspelt aggregator" "no aggregator named 'nebr' (did you mean 'nebra'?)" \
	"$L2SIM" validate agg.json
# traces
wl() { # FILE: a scenario whose workload is the trace FILE
	printf '{"name": "t", "duration": "1h", "workloads": [{"name": "w", "rate": {"type": "trace", "file": "%s"}}], "systems": [{"name": "zk", "type": "zk_rollup", "workload": "w"}]}\n' "$1"
}
wl big.csv >big.json
printf 't_seconds,count\n0,9200000000000000000\n60,5\n' >big.csv
expect 2 "a trace count of 9.2e18 a minute" "big.csv:2:1: workloads[0].rate.file: trace 'big.csv': 9200000000000000000 transactions in 60 s is more than 1e+09 per second" \
	"$L2SIM" run big.json --out big.db
wl /dev/zero >zero.json
expect 2 "/dev/zero as a trace ends" "trace '/dev/zero' is larger than 256 MiB" "$L2SIM" validate zero.json
wl nope.csv >nope.json
expect 2 "a missing workload trace" "cannot open trace 'nope.csv'" "$L2SIM" validate nope.json
printf '{"name": "l", "duration": "1h", "l1": {"background": {"trace": "none.csv"}}, "workloads": [{"name": "w", "rate": "10tps"}], "systems": [{"name": "zk", "type": "zk_rollup", "workload": "w"}]}\n' >l1.json
expect 2 "a missing L1 trace" "l1.json:1:55: l1.background.trace: cannot open trace 'none.csv'" "$L2SIM" validate l1.json
# duplicate checks in linear time: 200,000 workloads (a quadratic check
# made 1.2 M run for minutes); the duplicate is the last one
python3 - <<'PY'
import json
n = 200000
w = [{"name": "w%d" % i, "rate": "1tps"} for i in range(n)]
w.append({"name": "w17", "rate": "1tps"})
s = {"name": "many", "duration": "1h", "workloads": w,
     "systems": [{"name": "zk", "type": "zk_rollup", "workload": "w%d" % (n - 1)}]}
open("many.json", "w").write(json.dumps(s))
PY
expect 2 "200,000 workloads, a duplicate at the end" "workloads[200000].name: a workload named 'w17' already exists" \
	"$L2SIM" validate many.json
finish
