#!/usr/bin/env bash
# The command line (README.md): exit codes (0 ok, 2 bad input or usage,
# 3 runtime), located error messages with suggestions, help and version,
# the default results path, appending, and stdout/stderr separation.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
L2SIM=${L2SIM:-./l2sim}
case $L2SIM in /*) ;; *) L2SIM=$PWD/$L2SIM ;; esac
DATA=$PWD/tests/data
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0

fail() {
	echo "FAIL: $*"
	failures=$((failures + 1))
}

# expect CODE LABEL -- command...: runs it, keeps stdout/stderr in
# $TMP/out and $TMP/err, checks the exit code.
expect() {
	local want=$1 label=$2
	shift 3
	"$@" >"$TMP/out" 2>"$TMP/err"
	local got=$?
	if [ "$got" -ne "$want" ]; then
		fail "$label: exit $got, want $want"
		sed 's/^/      stderr| /' "$TMP/err" | head -5
	else
		echo "ok: $label (exit $got)"
	fi
}

# has FILE TEXT LABEL: FILE contains TEXT (fixed string).
has() {
	if grep -qF -- "$2" "$1"; then
		echo "ok: $3"
	else
		fail "$3: '$2' not in $(basename "$1"):"
		sed 's/^/      | /' "$1" | head -8
	fi
}

empty() {
	if [ -s "$1" ]; then
		fail "$2: expected nothing, got:"
		sed 's/^/      | /' "$1" | head -5
	else
		echo "ok: $2"
	fi
}

[ -x "$L2SIM" ] || { echo "FAIL: no binary at $L2SIM (run make first)"; exit 1; }
command -v sqlite3 >/dev/null || { echo "FAIL: sqlite3 CLI missing"; exit 1; }

# ---- validate ------------------------------------------------------------
expect 0 "validate a good file" -- "$L2SIM" validate "$DATA/tiny.json"
has "$TMP/out" "valid (1 run)" "validate reports the run count"
empty "$TMP/err" "validate: nothing on stderr"

expect 0 "validate a sweep" -- "$L2SIM" validate "$DATA/sweep.json"
has "$TMP/out" "valid (4 runs)" "2 sweep points x 2 replications"

expect 2 "validate: unknown nested key" -- "$L2SIM" validate "$DATA/typo.json"
# file:line:column, the JSON path, the message and the suggestion.
has "$TMP/err" "typo.json:6:28: systems[0].batcher.max_dealy: unknown key 'max_dealy'" \
	"message names file, line, column and path"
has "$TMP/err" "did you mean 'max_delay'?" "suggests the closest key"
empty "$TMP/out" "errors stay off stdout"

printf '{\n  "name": "t",\n  "duraton": "2h"\n}\n' >"$TMP/top.json"
expect 2 "validate: unknown top-level key" -- "$L2SIM" validate "$TMP/top.json"
has "$TMP/err" "top.json:3:3: duraton: unknown key 'duraton' (did you mean 'duration'?)" \
	"top-level typo located and suggested"

printf '{\n  "name": "t",\n  "duration": "2h"\n  "seed": 1\n}\n' >"$TMP/syntax.json"
expect 2 "validate: JSON syntax error" -- "$L2SIM" validate "$TMP/syntax.json"
has "$TMP/err" "syntax.json:4:8: invalid JSON" "syntax error located (line 4)"

expect 2 "validate: bad sweep point" -- "$L2SIM" validate "$DATA/sweep_bad.json"
has "$TMP/err" "60 parsecs" "names the bad value"
has "$TMP/err" "sweep point" "names the sweep point"

expect 2 "validate: every error, not only the first" -- \
	"$L2SIM" validate "$DATA/validate_many.json"
has "$TMP/err" "validate_many.json:4:3: warmup: warmup must be shorter than duration" "error 1 located"
has "$TMP/err" "validate_many.json:5:28: l1.blob_traget: unknown key 'blob_traget' (did you mean 'blob_target'?)" "error 2 located"
has "$TMP/err" "validate_many.json:6:48: workloads[0].kinds: 'kinds' must be an object" "error 3 located"
has "$TMP/err" "validate_many.json:7:79: systems[0].batcher.max_dealy: unknown key 'max_dealy'" "error 4 located"
has "$TMP/err" "validate_many.json: 4 errors" "error count"
if grep -q "sweep point" "$TMP/err"; then
	fail "errors unrelated to the sweep name no sweep point"
else
	echo "ok: errors unrelated to the sweep name no sweep point"
fi

# run checks the sweep the same way validate does, before it starts.
for cmd in validate run; do
	out=()
	[ "$cmd" = run ] && out=(--out "$TMP/unrelated.db")
	expect 2 "$cmd: error at every sweep point" -- \
		"$L2SIM" $cmd "$DATA/sweep_unrelated.json" "${out[@]}"
	has "$TMP/err" "systems[0].batcher.max_dealy" "$cmd names the error"
	if grep -q "sweep point" "$TMP/err"; then
		fail "$cmd: an error of every point names no sweep point"
	else
		echo "ok: $cmd: an error of every point names no sweep point"
	fi
done
expect 2 "run: bad sweep point" -- \
	"$L2SIM" run "$DATA/sweep_bad.json" --out "$TMP/bad.db"
has "$TMP/err" "sweep point" "run names the sweep point"

printf '{"name": "t", "duration": "2h", "workloads": [{"name": "w", "rate": "20tps"}],\n "systems": [{"name": "s", "type": "validium", "workload": "w"}]}\n' >"$TMP/noda.json"
expect 2 "validate: a validium without \"da\"" -- "$L2SIM" validate "$TMP/noda.json"
has "$TMP/err" "a validium needs \"da\"" "names the missing DA layer"

expect 2 "validate: missing file" -- "$L2SIM" validate "$TMP/nope.json"
has "$TMP/err" "nope.json" "names the missing file"

expect 2 "validate: --set of an unknown key" -- \
	"$L2SIM" validate "$DATA/tiny.json" --set l1.blob_traget=3
has "$TMP/err" "l1.blob_traget" "path of the --set key"
has "$TMP/err" "did you mean 'blob_target'?" "suggestion for a --set key"
expect 2 "validate: --set outside the scenario" -- \
	"$L2SIM" validate "$DATA/tiny.json" --set 'systems[4].count=2'
expect 0 "validate: good --set" -- \
	"$L2SIM" validate "$DATA/tiny.json" --set 'systems[0].count=3' --set l1.fork=pectra

# ---- usage -----------------------------------------------------------------
expect 2 "no arguments" -- "$L2SIM"
has "$TMP/err" "usage:" "usage printed on stderr"
expect 2 "unknown command" -- "$L2SIM" bogus
has "$TMP/err" "unknown command 'bogus'" "names the unknown command"
has "$TMP/err" "usage:" "and prints usage"
expect 2 "mistyped command" -- "$L2SIM" valdiate "$DATA/tiny.json"
has "$TMP/err" "did you mean 'validate'?" "suggests the command"
expect 2 "run without a scenario" -- "$L2SIM" run
expect 2 "run: unknown option" -- "$L2SIM" run "$DATA/tiny.json" --bogus
has "$TMP/err" "unknown option '--bogus'" "names the option"
expect 2 "run: bad --threads" -- "$L2SIM" run "$DATA/tiny.json" --threads 0
expect 2 "run: bad --seed" -- "$L2SIM" run "$DATA/tiny.json" --seed -3
expect 2 "run: --set without =" -- "$L2SIM" run "$DATA/tiny.json" --set nothing \
	--out "$TMP/never.db"
[ -e "$TMP/never.db" ] && fail "a rejected run created its database"

# ---- help and version ------------------------------------------------------
expect 0 "--help" -- "$L2SIM" --help
has "$TMP/out" "usage:" "--help prints usage on stdout"
has "$TMP/out" "l2sim run SCENARIO.json" "--help lists run"
expect 0 "help run" -- "$L2SIM" help run
has "$TMP/out" "usage: l2sim run SCENARIO.json" "help run prints run's usage"
has "$TMP/out" "--threads" "help run lists options"
expect 0 "run --help" -- "$L2SIM" run --help
has "$TMP/out" "usage: l2sim run" "run --help is help run"
for c in validate report check bench; do
	expect 0 "help $c" -- "$L2SIM" help "$c"
	has "$TMP/out" "usage: l2sim $c" "help $c prints usage"
done
expect 2 "help for an unknown command" -- "$L2SIM" help bogus
expect 0 "--version" -- "$L2SIM" --version
if grep -qE '^l2sim [0-9]+\.[0-9]+\.[0-9]+' "$TMP/out"; then
	echo "ok: version line"
else
	fail "--version printed '$(cat "$TMP/out")'"
fi
if [ -f VERSION ]; then
	has "$TMP/out" "$(cat VERSION)" "--version matches VERSION"
fi

# ---- check on a missing database ------------------------------------------
echo '{"scenario": "tiny", "tolerance_pct": 5, "metrics": {}}' >"$TMP/base.json"
expect 2 "check: missing database" -- \
	"$L2SIM" check "$TMP/missing.db" --baseline "$TMP/base.json"
has "$TMP/err" "missing.db" "names the database"
[ -e "$TMP/missing.db" ] && fail "check created the database it was asked to read"

# ---- run: default output, appending, streams ------------------------------
mkdir "$TMP/ws"
cp "$DATA/tiny.json" "$TMP/ws/"
(cd "$TMP/ws" && "$L2SIM" run tiny.json --no-progress >"$TMP/out" 2>"$TMP/err")
rc=$?
[ "$rc" -eq 0 ] && echo "ok: run (exit 0)" || fail "run exited $rc"
db=$TMP/ws/results/tiny.db
if [ -f "$db" ]; then echo "ok: default output results/tiny.db"; else fail "no $db"; fi
has "$TMP/out" "results: results/tiny.db (1 run)" "summary names the database"
has "$TMP/out" "zk" "summary has the system"
has "$TMP/out" "TPS" "summary has the table header"
empty "$TMP/err" "--no-progress: stderr is empty"
runs=$(sqlite3 "$db" "SELECT count(*) FROM runs")
[ "$runs" = 1 ] && echo "ok: 1 run stored" || fail "runs = '$runs', want 1"
first=$(sqlite3 "$db" "SELECT group_concat(component || name || value, ',') FROM
	(SELECT * FROM metrics WHERE run_id = 1 ORDER BY component, name)")

(cd "$TMP/ws" && "$L2SIM" run tiny.json --no-progress --quiet >"$TMP/out" 2>"$TMP/err")
rc=$?
[ "$rc" -eq 0 ] && echo "ok: second run (exit 0)" || fail "second run exited $rc"
empty "$TMP/out" "--quiet: no summary"
has "$TMP/err" "skipped 1 run already complete" "second run skips the complete run"
runs=$(sqlite3 "$db" "SELECT count(*) FROM runs")
[ "$runs" = 1 ] && echo "ok: nothing appended twice" || fail "runs = '$runs', want 1"
# --rerun runs it again and replaces it (same identity); another seed appends
(cd "$TMP/ws" && "$L2SIM" run tiny.json --no-progress --quiet --rerun >"$TMP/out" 2>"$TMP/err")
rc=$?
[ "$rc" -eq 0 ] && echo "ok: --rerun (exit 0)" || fail "--rerun exited $rc"
empty "$TMP/err" "--rerun --quiet --no-progress: stderr is empty"
(cd "$TMP/ws" && "$L2SIM" run tiny.json --no-progress --quiet --seed 99 >"$TMP/out" 2>"$TMP/err")
runs=$(sqlite3 "$db" "SELECT count(*) || ' ' || count(DISTINCT identity) || ' ' ||
	count(DISTINCT invocation) || ' ' || group_concat(run_id) FROM runs")
[ "$runs" = "2 2 2 2,3" ] && echo "ok: rerun replaced, new seed appended" \
	|| fail "runs/identities/invocations/ids = '$runs', want '2 2 2 2,3'"
second=$(sqlite3 "$db" "SELECT group_concat(component || name || value, ',') FROM
	(SELECT * FROM metrics WHERE run_id = 2 ORDER BY component, name)")
# (run 2 is the --rerun of run 1)
if [ -n "$first" ] && [ "$first" = "$second" ]; then
	echo "ok: same scenario and seed, same metrics"
else
	fail "metrics of the two identical runs differ"
fi

# --out, --seed, --reps, --threads, --set together.
expect 0 "run with options" -- "$L2SIM" run "$DATA/tiny.json" --out "$TMP/opts.db" \
	--seed 5 --reps 3 --threads 2 --set 'workloads[0].rate="5tps"' --no-progress
has "$TMP/out" "(3 runs)" "--reps 3 gives 3 runs"
got=$(sqlite3 "$TMP/opts.db" "SELECT count(*) || ' ' || min(seed) || ' ' || max(seed)
	|| ' ' || group_concat(replication, '') FROM runs")
[ "$got" = "3 5 5 012" ] && echo "ok: seed and replications stored" \
	|| fail "runs = '$got', want '3 5 5 012'"
rate=$(sqlite3 "$TMP/opts.db" "SELECT round(value) FROM metrics WHERE run_id = 1
	AND component = 'zk' AND name = 'tps_offered'")
[ "$rate" = "5.0" ] && echo "ok: --set changed the rate" \
	|| fail "tps_offered = '$rate', want 5.0"

# Bad input never leaves a partial run.
expect 2 "run: bad sweep point" -- "$L2SIM" run "$DATA/sweep_bad.json" \
	--out "$TMP/bad.db" --no-progress
[ -e "$TMP/bad.db" ] && fail "bad input created $TMP/bad.db" \
	|| echo "ok: no database for bad input"
expect 2 "run: bad input into an existing database" -- "$L2SIM" run \
	"$DATA/sweep_bad.json" --out "$TMP/opts.db" --no-progress
got=$(sqlite3 "$TMP/opts.db" "SELECT count(*) FROM runs")
[ "$got" = 3 ] && echo "ok: existing database untouched" \
	|| fail "runs = '$got' after a rejected run, want 3"

# A file that is not a results database is bad input, exit 2, for every
# command, with one message naming it; a database that cannot be written
# now is a runtime failure, exit 3.
echo "not a database" >"$TMP/junk.db"
expect 2 "run into a file that is not a database" -- "$L2SIM" run \
	"$DATA/tiny.json" --out "$TMP/junk.db" --no-progress
has "$TMP/err" "junk.db: not an l2sim results database" "run names the file"
expect 2 "report of a file that is not a database" -- "$L2SIM" report \
	"$TMP/junk.db" --out "$TMP/rep-junk"
has "$TMP/err" "junk.db: not an l2sim results database" "report names the file"
expect 2 "check of a file that is not a database" -- "$L2SIM" check \
	"$TMP/junk.db" --baseline "$TMP/base.json"
has "$TMP/err" "junk.db: not an l2sim results database" "check names the file"
mkdir -p "$TMP/ro"
cp "$db" "$TMP/ro/r.db"
chmod 0555 "$TMP/ro"
chmod 0444 "$TMP/ro/r.db"
if [ "$(id -u)" != 0 ]; then
	expect 3 "run into a read-only database" -- "$L2SIM" run \
		"$DATA/tiny.json" --out "$TMP/ro/r.db" --no-progress --rerun
fi
chmod 0755 "$TMP/ro"

if [ "$failures" -gt 0 ]; then
	echo "$failures check(s) failed"
	exit 1
fi
echo "all CLI checks passed"
