#!/usr/bin/env bash
# Sweeps that survive (docs/scale-out.md): a run again skips complete runs,
# --rerun replaces them; three shards merged (twice) equal the unsharded
# sweep; kill -9 at random moments and a re-run give exactly the rows of
# an uninterrupted sweep; a reader holding a transaction for 15 s costs no
# run; Ctrl-C / SIGTERM stop promptly and keep finished runs; a full disk
# loses no computed run.
. "$(dirname "$0")/lib.sh"
case $L2SIM in /*) ;; *) L2SIM=$PWD/$L2SIM ;; esac
S=$PWD/tests/data/sweep.json

ok() { echo "ok: $*"; }
bad() { echo "FAIL: $*"; failures=$((failures + 1)); }
q() { sqlite3 "$1" "$2"; }

# ---- resume and --rerun ----------------------------------------------------
run_scenario "$S" "$TMP/ref.db" --reps 3 --threads 2
"$L2SIM" run "$S" --out "$TMP/ref.db" --reps 3 --no-progress --quiet 2>"$TMP/err"
grep -q "skipped 6 runs already complete" "$TMP/err" && ok "second run skips 6 complete runs" \
	|| bad "second run: $(cat "$TMP/err")"
[ "$(q "$TMP/ref.db" "SELECT count(*) FROM runs")" = 6 ] && ok "no duplicates" || bad "duplicates appended"
cp "$TMP/ref.db" "$TMP/grow.db"
"$L2SIM" run "$S" --out "$TMP/grow.db" --reps 4 --no-progress --quiet 2>"$TMP/err"
grep -q "skipped 6 runs" "$TMP/err" && [ "$(q "$TMP/grow.db" "SELECT count(*) FROM runs")" = 8 ] \
	&& ok "--reps 4 after 3 runs only the 2 new replications" || bad "growing replications: $(cat "$TMP/err")"
cp "$TMP/ref.db" "$TMP/rerun.db"
"$L2SIM" run "$S" --out "$TMP/rerun.db" --reps 3 --rerun --no-progress --quiet 2>"$TMP/err"
[ "$(q "$TMP/rerun.db" "SELECT count(*) || ' ' || min(run_id) FROM runs")" = "6 7" ] \
	&& ok "--rerun replaces the 6 runs" || bad "--rerun: $(q "$TMP/rerun.db" "SELECT count(*), min(run_id) FROM runs")"
same_rows "--rerun gives the same rows" "$TMP/ref.db" "$TMP/rerun.db"
# another --set is another run, and report/check see both
"$L2SIM" run "$S" --out "$TMP/grow.db" --reps 3 --set 'duration="90m"' --no-progress --quiet
[ "$(q "$TMP/grow.db" "SELECT count(*) FROM runs")" = 14 ] && ok "--set values make new runs" \
	|| bad "runs after --set: $(q "$TMP/grow.db" "SELECT count(*) FROM runs")"
"$L2SIM" check "$TMP/grow.db" --baseline "$TMP/b.json" --write-baseline >/dev/null 2>&1
"$L2SIM" report "$TMP/grow.db" --out "$TMP/rep" >/dev/null 2>&1 || bad "report of grow.db failed"
grep -q "duration=90m" "$TMP/rep/report.md" && grep -q "runs used: 14" "$TMP/rep/report.md" \
	&& ok "report shows the --set point and all 14 runs" \
	|| bad "report hides runs: $(grep -m3 -i 'runs' "$TMP/rep/report.md")"

# ---- a write cut short leaves a hot journal: report and check recover it ----
cp "$TMP/ref.db" "$TMP/hot.db"
q "$TMP/hot.db" "PRAGMA journal_mode=DELETE" >/dev/null
blocks=$(q "$TMP/hot.db" "SELECT count(*) FROM l1_blocks")
(python3 - "$TMP/hot.db" <<'PY'
import os, signal, sqlite3, sys
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("PRAGMA cache_size=10")
c.execute("BEGIN")
c.execute("UPDATE series SET value = value + 1")
c.execute("DELETE FROM l1_blocks")
os.kill(os.getpid(), signal.SIGKILL)
PY
true) 2>/dev/null
[ -s "$TMP/hot.db-journal" ] && ok "a killed writer left a hot journal" || bad "no hot journal to test with"
"$L2SIM" check "$TMP/hot.db" --baseline "$TMP/hot.json" --write-baseline >"$TMP/out" 2>"$TMP/err" \
	&& ok "check reads a database with a hot journal" || bad "check with a hot journal: $(cat "$TMP/err")"
[ ! -e "$TMP/hot.db-journal" ] && [ "$(q "$TMP/hot.db" "SELECT count(*) FROM l1_blocks")" = "$blocks" ] \
	&& ok "the interrupted write was rolled back ($blocks blocks kept)" || bad "hot journal not rolled back"
same_rows "database after recovery = before the cut-short write" "$TMP/ref.db" "$TMP/hot.db"
"$L2SIM" report "$TMP/hot.db" --out "$TMP/hotrep" >/dev/null 2>&1 && ok "report after recovery" || bad "report after recovery"

# ---- shards and merge --------------------------------------------------------
for k in 1 2 3; do
	run_scenario "$S" "$TMP/s$k.db" --reps 3 --shard $k/3 --threads 1
done
[ "$(q "$TMP/s1.db" "SELECT count(*) FROM runs") $(q "$TMP/s2.db" "SELECT count(*) FROM runs") $(q "$TMP/s3.db" "SELECT count(*) FROM runs")" = "2 2 2" ] \
	&& ok "3 shards of 6 runs hold 2 each" || bad "shard sizes"
"$L2SIM" merge "$TMP/m.db" "$TMP/s1.db" "$TMP/s2.db" "$TMP/s3.db" >"$TMP/out" || bad "merge exited $?"
grep -q "merged 6 runs" "$TMP/out" && ok "merge copied 6 runs" || bad "merge: $(cat "$TMP/out")"
"$L2SIM" merge "$TMP/m.db" "$TMP/s3.db" "$TMP/s1.db" "$TMP/s2.db" >"$TMP/out" || bad "second merge exited $?"
grep -q "merged 0 runs into .* (6 already there)" "$TMP/out" && ok "merging again adds nothing" \
	|| bad "second merge: $(cat "$TMP/out")"
same_rows "3 shards merged twice = the unsharded sweep" "$TMP/ref.db" "$TMP/m.db"
# a merge into a database that has some of the runs, with the unsharded
# run's order of runs
"$L2SIM" merge "$TMP/m2.db" "$TMP/s2.db" >/dev/null && "$L2SIM" merge "$TMP/m2.db" "$TMP/s1.db" "$TMP/s3.db" "$TMP/ref.db" >"$TMP/out"
grep -q "merged 4 runs" "$TMP/out" && ok "merge skips runs the output has" || bad "partial merge: $(cat "$TMP/out")"
expect_code() { # CODE LABEL cmd...
	local want=$1 label=$2; shift 2
	"$@" >"$TMP/out" 2>"$TMP/err"; local got=$?
	[ "$got" = "$want" ] && ok "$label (exit $got)" || bad "$label: exit $got, want $want: $(head -2 "$TMP/err")"
}
echo "junk junk junk" >"$TMP/junk.db"
expect_code 2 "merge of a file that is not a database" "$L2SIM" merge "$TMP/m3.db" "$TMP/s1.db" "$TMP/junk.db"
grep -q "junk.db: not an l2sim results database" "$TMP/err" && ok "merge names the bad input" || bad "merge message: $(cat "$TMP/err")"
[ "$(q "$TMP/m3.db" "SELECT count(*) FROM runs" 2>/dev/null || echo 0)" = 0 ] && ok "nothing merged when an input is bad" || bad "partial merge written"
expect_code 2 "--shard 4/3" "$L2SIM" run "$S" --shard 4/3 --out "$TMP/x.db"
expect_code 2 "--shard 0/3" "$L2SIM" run "$S" --shard 0/3 --out "$TMP/x.db"

# ---- kill -9 at random moments, then a re-run ---------------------------------
BIG=(--reps 24 --set 'duration="24h"')
run_scenario "$S" "$TMP/kref.db" "${BIG[@]}" --threads 2
RANDOM=$((15 * 1000 + 27))
delays=""
for i in 1 2 3 4 5 6; do
	d=0.$((RANDOM % 9 + 1))$((RANDOM % 10))
	delays="$delays $d"
	"$L2SIM" run "$S" --out "$TMP/kill.db" "${BIG[@]}" --threads 2 --no-progress --quiet 2>/dev/null &
	pid=$!
	sleep "$d"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	# every run present is whole: metrics and blocks for each
	[ -f "$TMP/kill.db" ] || continue
	half=$(q "$TMP/kill.db" "SELECT count(*) FROM runs r WHERE NOT EXISTS
		(SELECT 1 FROM metrics m WHERE m.run_id = r.run_id) OR NOT EXISTS
		(SELECT 1 FROM l1_blocks b WHERE b.run_id = r.run_id)")
	[ "$half" = 0 ] || bad "kill -9 after ${d}s left $half partial runs"
done
have=$(q "$TMP/kill.db" "SELECT count(*) FROM runs")
ok "kill -9 after$delays s: $have of 48 runs saved before the re-run"
"$L2SIM" run "$S" --out "$TMP/kill.db" "${BIG[@]}" --threads 2 --no-progress --quiet 2>"$TMP/err" \
	|| bad "re-run after kill -9 exited $?"
grep -q "skipped $have run" "$TMP/err" || [ "$have" = 0 ] || bad "re-run did not skip the $have saved runs: $(cat "$TMP/err")"
same_rows "kill -9 six times, then a re-run = the uninterrupted sweep" "$TMP/kref.db" "$TMP/kill.db"
[ "$(q "$TMP/kill.db" "PRAGMA integrity_check")" = ok ] && ok "integrity_check" || bad "integrity_check"

# ---- SIGTERM / Ctrl-C ------------------------------------------------------------
"$L2SIM" run "$S" --out "$TMP/term.db" "${BIG[@]}" --threads 2 --no-progress --quiet 2>"$TMP/err" &
pid=$!
sleep 0.4
kill -TERM "$pid"
wait "$pid"
rc=$?
saved=$(q "$TMP/term.db" "SELECT count(*) FROM runs")
if [ "$rc" = 3 ] && grep -q "interrupted by SIGTERM: $saved of 48 runs saved; re-run to complete" "$TMP/err"; then
	ok "SIGTERM: exit 3, '$saved of 48 runs saved; re-run to complete'"
else
	bad "SIGTERM: exit $rc, saved $saved: $(cat "$TMP/err")"
fi
run_scenario "$S" "$TMP/term.db" "${BIG[@]}" --threads 2
same_rows "after SIGTERM, a re-run completes the sweep" "$TMP/kref.db" "$TMP/term.db"
# a run far longer than the wait stops at once on Ctrl-C (SIGINT)
"$L2SIM" run "$S" --out "$TMP/int.db" --reps 1 --set 'duration="3650d"' --no-progress --quiet 2>"$TMP/err" &
pid=$!
sleep 0.5
start=$SECONDS
kill -INT "$pid"
wait "$pid"
rc=$?
took=$((SECONDS - start))
if [ "$rc" = 3 ] && [ "$took" -le 10 ] && grep -q "interrupted: 0 of 2 runs saved; re-run to complete" "$TMP/err"; then
	ok "Ctrl-C stops a 10-year run within ${took}s"
else
	bad "Ctrl-C: exit $rc after ${took}s: $(cat "$TMP/err")"
fi

# ---- a reader holding a transaction for 15 s -----------------------------------
# in WAL mode (as l2sim creates databases), and in rollback-journal mode
# (an older database), where the writer must wait for the reader: the run
# is kept and retried, not lost
hold() { # DB SECONDS: a reader inside a transaction
	python3 - "$1" "$2" <<'PY' &
import sqlite3, sys, time
c = sqlite3.connect(sys.argv[1], isolation_level=None)
c.execute("BEGIN")
c.execute("SELECT count(*) FROM runs").fetchall()
open(sys.argv[1] + ".held", "w").close()
time.sleep(float(sys.argv[2]))
c.execute("COMMIT")
PY
	while [ ! -e "$1.held" ]; do sleep 0.05; done
}
for mode in wal delete; do
	run_scenario "$S" "$TMP/$mode.db" --reps 3 --shard 1/3
	q "$TMP/$mode.db" "PRAGMA journal_mode=$mode" >/dev/null
done
hold "$TMP/wal.db" 15
hold "$TMP/delete.db" 15
"$L2SIM" run "$S" --out "$TMP/wal.db" --reps 3 --no-progress --quiet 2>"$TMP/err-wal" &
p1=$!
"$L2SIM" run "$S" --out "$TMP/delete.db" --reps 3 --no-progress --quiet 2>"$TMP/err-delete" &
p2=$!
wait $p1; r1=$?
wait $p2; r2=$?
wait
[ "$r1" = 0 ] && ok "WAL: a reader holding 15 s costs nothing (exit 0)" || bad "WAL with a reader: exit $r1: $(cat "$TMP/err-wal")"
[ "$r2" = 0 ] && ok "rollback journal: the write waited for the reader (exit 0)" || bad "rollback journal with a reader: exit $r2: $(cat "$TMP/err-delete")"
same_rows "WAL database with a reader = reference" "$TMP/ref.db" "$TMP/wal.db"
same_rows "rollback-journal database with a reader = reference" "$TMP/ref.db" "$TMP/delete.db"

# ---- a full disk ----------------------------------------------------------------
# a small tmpfs (root only): the sweep keeps what it cannot write, and
# saves it once space is freed; with no space freed in time it says how
# many runs are saved, and a re-run completes
if [ "$(id -u)" = 0 ] && mkdir -p "$TMP/mnt" && mount -t tmpfs -o size=3m tmpfs "$TMP/mnt" 2>/dev/null; then
	trap 'umount "$TMP/mnt" 2>/dev/null; rm -rf "$TMP"' EXIT
	fill() { dd if=/dev/zero of="$TMP/mnt/filler" bs=4k 2>/dev/null; rm -f "$TMP/mnt/filler"; dd if=/dev/zero of="$TMP/mnt/filler" bs=4k count=$(( $(df -k --output=avail "$TMP/mnt" | tail -1) / 4 - 40 )) 2>/dev/null; }
	fill
	"$L2SIM" run "$S" --out "$TMP/mnt/full.db" --reps 3 --threads 1 --no-progress --quiet 2>"$TMP/err" &
	pid=$!
	for i in $(seq 1 100); do grep -q "retrying" "$TMP/err" && break; sleep 0.1; done
	grep -q "retrying" "$TMP/err" && ok "full disk: l2sim keeps the runs and retries" || bad "full disk: no retry: $(cat "$TMP/err")"
	rm -f "$TMP/mnt/filler"
	wait "$pid"
	rc=$?
	[ "$rc" = 0 ] && ok "space freed: the sweep completes (exit 0)" || bad "full disk then freed: exit $rc: $(cat "$TMP/err")"
	same_rows "full disk then freed = reference" "$TMP/ref.db" "$TMP/mnt/full.db"
	rm -f "$TMP/mnt/full.db"*
	fill
	L2SIM_WRITE_RETRY_SECONDS=1 "$L2SIM" run "$S" --out "$TMP/mnt/full.db" --reps 3 --threads 1 --no-progress --quiet 2>"$TMP/err"
	rc=$?
	saved=$(q "$TMP/mnt/full.db" "SELECT count(*) FROM runs" 2>/dev/null || echo "?")
	if [ "$rc" = 3 ] && grep -q "$saved of 6 runs saved; re-run to complete" "$TMP/err"; then
		ok "disk stays full: exit 3, '$saved of 6 runs saved; re-run to complete'"
	else
		bad "disk stays full: exit $rc, $saved saved: $(cat "$TMP/err")"
	fi
	rm -f "$TMP/mnt/filler"
	run_scenario "$S" "$TMP/mnt/full.db" --reps 3
	same_rows "after a full disk, a re-run completes the sweep" "$TMP/ref.db" "$TMP/mnt/full.db"
	umount "$TMP/mnt"
else
	echo "skip: full-disk checks need root to mount a tmpfs"
fi

[ "$failures" -gt 0 ] && { echo "$failures check(s) failed"; exit 1; }
echo "all resume checks passed"
