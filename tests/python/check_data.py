"""Checks of the data paths of a results database (called by
tests/scenario/data.sh): the views against the raw tables, `l2sim export`
(CSV and JSON) read back against the database, and the Python loader.

usage: check_data.py DB EXPORT_CSV_DIR EXPORT_JSON_DIR
Exits 1 with a message on the first mismatch.
"""
import csv
import json
import math
import sqlite3
import sys

import l2sim

db, csv_dir, json_dir = sys.argv[1:4]
con = sqlite3.connect(db)
failures = 0


def check(cond, what):
    global failures
    if cond:
        print("ok:", what)
    else:
        print("FAIL:", what)
        failures += 1


def same(a, b):
    if a is None or b is None or a == "" or b == "":
        return (a in (None, "")) and (b in (None, ""))
    if isinstance(a, float) or isinstance(b, float):
        fa, fb = float(a), float(b)
        return fa == fb or (math.isnan(fa) and math.isnan(fb))
    return str(a) == str(b)


# ---- the views against the raw tables --------------------------------
long = {(r, c, n): v for r, c, n, v in con.execute(
    "SELECT run_id, component, name, value FROM metrics")}
cur = con.execute("SELECT * FROM system_metrics")
cols = [d[0] for d in cur.description]
rows = cur.fetchall()
n_cells = 0
bad = 0
for row in rows:
    rec = dict(zip(cols, row))
    for name in cols[3:]:
        key = (rec["run_id"], rec["component"], name)
        if rec[name] is not None or key in long:
            n_cells += 1
            if not same(rec[name], long.get(key)):
                bad += 1
check(bad == 0 and n_cells == len(long),
      "system_metrics holds every metrics row (%d cells, %d rows, %d bad)" %
      (n_cells, len(long), bad))
check(len(rows) == con.execute("SELECT count(*) FROM (SELECT DISTINCT "
                               "run_id, component FROM metrics)").fetchone()[0],
      "system_metrics: one row per run and component")
types = dict(con.execute("SELECT DISTINCT component, type FROM system_metrics "
                         "WHERE type IS NOT NULL").fetchall())
check(types.get("rollup") == "optimistic_rollup" and
      types.get("validium") == "validium",
      "system type as text: %s" % sorted(set(types.values())))
sweep = {}
for rid, s in con.execute("SELECT run_id, sweep_json FROM runs"):
    sweep[rid] = json.loads(s)
pts = con.execute('SELECT run_id, "systems[0].count", "systems[1].count" '
                  "FROM run_points").fetchall()
check(all(list(sweep[r].values())[0] == [a, b] for r, a, b in pts) and
      len(pts) == len(sweep),
      "run_points: one numeric column per zipped sweep path")

# ---- export round trip -----------------------------------------------
def csv_rows(name):
    with open("%s/%s.csv" % (csv_dir, name), newline="") as f:
        return list(csv.DictReader(f))


def json_rows(name):
    with open("%s/%s.json" % (json_dir, name)) as f:
        return json.load(f)


for fmt, reader in (("csv", csv_rows), ("json", json_rows)):
    m = reader("metrics")
    bad = 0
    cells = 0
    for rec in m:
        for name, v in rec.items():
            if name in ("run_id", "component", "type"):
                continue
            key = (int(rec["run_id"]), rec["component"], name)
            if key in long:
                cells += 1
                want = long[key]
                got = None if v in ("", None) else float(v)
                if not same(got, want):
                    bad += 1
            elif v not in ("", None):
                bad += 1
    check(bad == 0 and cells == len(long),
          "%s export: metrics read back exactly (%d values)" % (fmt, cells))
    s = reader("series")
    db_series = con.execute("SELECT run_id, component, name, t_seconds, value "
                            "FROM series ORDER BY run_id, component, name, "
                            "t_seconds").fetchall()
    ok = len(s) == len(db_series) and all(
        int(a["run_id"]) == b[0] and a["component"] == b[1] and
        a["name"] == b[2] and same(float(a["t_seconds"]), b[3]) and
        same(None if a["value"] in ("", None) else float(a["value"]), b[4])
        for a, b in zip(s, db_series))
    check(ok, "%s export: %d series rows read back exactly" % (fmt, len(s)))
    rr = reader("runs")
    ok = len(rr) == len(sweep) and all(
        json.loads(r["sweep_json"]) == sweep[int(r["run_id"])] and
        int(float(r["systems[0].count"])) ==
        list(sweep[int(r["run_id"])].values())[0][0] for r in rr)
    check(ok, "%s export: runs with sweep columns" % fmt)

# ---- the loader --------------------------------------------------------
res = l2sim.load(db, runs="all")
check(len(res.runs) == len(sweep), "load(runs='all'): every run")
check(res.sweep_keys == ["systems[0].count", "systems[1].count"],
      "load: sweep keys %s" % res.sweep_keys)
check(str(res.runs["systems[0].count"].dtype).startswith("int"),
      "load: numeric sweep column (%s)" % res.runs["systems[0].count"].dtype)
w = res.metrics.set_index(["run_id", "component"])
bad = sum(1 for (r, c, n), v in long.items()
          if not same(None if math.isnan(w.at[(r, c), n]) else
                      float(w.at[(r, c), n]), v))
check(bad == 0 and len(w) == len(rows),
      "load: metrics wide, equal to the table (%d values)" % len(long))
check(set(res.metrics.loc[res.metrics.component == "rollup", "type"]) ==
      {"optimistic_rollup"}, "load: type column")
check(len(res.series) == len(db_series), "load: series")
used = l2sim.load(db)
n_used = con.execute("SELECT count(*) FROM (SELECT max(run_id) FROM runs "
                     "WHERE status = 'ok' GROUP BY scenario_name, "
                     "sweep_json, seed, replication)").fetchone()[0]
check(len(used.runs) == n_used and
      set(used.runs.run_id) == {r for r, in con.execute(
          "SELECT max(run_id) FROM runs WHERE status = 'ok' GROUP BY "
          "scenario_name, sweep_json, seed, replication")},
      "load(): newest run per point, seed and replication (%d of %d)" %
      (len(used.runs), len(res.runs)))
check(set(used.metrics.run_id) == set(used.runs.run_id),
      "load(): metrics of the used runs only")
try:
    l2sim.load(db + ".missing")
    check(False, "load of a missing file raises")
except FileNotFoundError:
    check(True, "load of a missing file raises FileNotFoundError")
sys.exit(1 if failures else 0)
