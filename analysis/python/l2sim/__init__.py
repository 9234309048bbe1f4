"""Read l2sim results databases into pandas DataFrames.

    import l2sim
    res = l2sim.load("results/horizontal.db")
    res.runs        # one row per run, one column per swept path
    res.metrics     # one row per run and component, one column per metric
    res.series      # run_id, component, name, t_seconds, value
    res.l1_blocks   # per-block L1 rows, when the scenario kept them
    res.failures    # liveness failure intervals, when the database has them
    res.systems     # trust profile per system instance, when present
    res.attributes  # text attributes (a system's type)

Put ``analysis/python`` on ``PYTHONPATH``.  Needs pandas (Debian:
python3-pandas); the database is read with the standard sqlite3 module.

Which runs: by default the ones ``l2sim report`` and ``l2sim check`` use --
status ``ok`` and, of runs with the same identity (or, in databases without
an ``identity`` column, the same scenario name, sweep point, seed and
replication), the newest.  ``load(path, runs="all")`` keeps every run.

Units are those of the database: seconds, bytes, ETH (``cost_eth_per_tx``;
multiply by 1e9 for gwei), gwei for L1 fee metrics, transactions per second.
docs/data.md lists every column.
"""

import json
import sqlite3

import pandas as pd

__all__ = ["load", "Results", "sweep_columns"]

_RUN_FIXED = ("run_id", "identity", "scenario_name", "seed", "replication",
              "status")
_METRIC_FIXED = ("run_id", "component", "type")


class Results:
    """The tables of one results database as DataFrames."""

    def __init__(self, path, runs, metrics, series, l1_blocks, failures,
                 systems, attributes, sweep_keys):
        self.path = path
        self.runs = runs
        self.metrics = metrics
        self.series = series
        self.l1_blocks = l1_blocks
        self.failures = failures
        self.systems = systems
        self.attributes = attributes
        #: the columns of ``runs`` that hold swept values, in sorted order
        self.sweep_keys = sweep_keys

    def points(self, components=None):
        """``metrics`` joined with ``runs`` (sweep columns, seed,
        replication), optionally only the given components."""
        m = self.metrics
        if components is not None:
            m = m[m["component"].isin(list(components))]
        return m.merge(self.runs, on="run_id", how="left")

    def __repr__(self):
        return ("<l2sim.Results %s: %d runs, %d metric rows, sweep %s>" %
                (self.path, len(self.runs), len(self.metrics),
                 self.sweep_keys))


def _table_exists(con, name):
    return con.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                       "AND name = ?", (name,)).fetchone() is not None


def _columns(con, table):
    return [r[1] for r in con.execute("PRAGMA table_info(%s)" % table)]


def _read(con, table, order):
    if not _table_exists(con, table):
        return None
    return pd.read_sql_query("SELECT * FROM %s ORDER BY %s" % (table, order),
                             con)


def _canonical(text):
    try:
        return json.dumps(json.loads(text or "{}"), sort_keys=True,
                          separators=(",", ":"))
    except ValueError:
        return text


def sweep_columns(sweep):
    """{path: value} of one sweep point, zipped keys ("a,b": [x, y]) split
    into one entry per path.  Paths named like a fixed column of ``runs``
    get the prefix "sweep."."""
    out = {}
    for key, value in sweep.items():
        parts = key.split(",")
        if len(parts) > 1 and isinstance(value, list) and \
                len(value) == len(parts):
            pairs = zip(parts, value)
        else:
            pairs = [(key, value)]
        for path, v in pairs:
            if path.lower() in _RUN_FIXED:
                path = "sweep." + path
            if isinstance(v, (list, dict)):
                v = json.dumps(v, separators=(",", ":"))
            out[path] = v
    return out


def _used(runs):
    """The report's rule: status ok, newest run per identity."""
    ok = runs[runs["status"] == "ok"].copy()
    if "identity" in ok.columns and ok["identity"].notna().all():
        key = ["identity"]
    else:
        ok["_point"] = ok["sweep_json"].map(_canonical)
        key = ["scenario_name", "_point", "seed", "replication"]
    newest = ok.groupby(key, sort=False)["run_id"].transform("max")
    ok = ok[ok["run_id"] == newest]
    return ok.drop(columns=[c for c in ["_point"] if c in ok.columns])


def load(path, runs="used"):
    """Reads the results database at ``path``.

    ``runs="used"`` (default) keeps the runs reports use; ``"all"`` keeps
    every run, failed ones included.  Returns a :class:`Results`."""
    if runs not in ("used", "all"):
        raise ValueError("runs must be 'used' or 'all', not %r" % (runs,))
    uri = "file:%s?mode=ro" % path
    try:
        con = sqlite3.connect(uri, uri=True)
    except sqlite3.OperationalError as e:
        raise FileNotFoundError("%s: cannot open results database: %s" %
                                (path, e)) from None
    try:
        if not _table_exists(con, "runs"):
            raise ValueError("%s: not an l2sim results database (no table "
                             "'runs')" % path)
        r = pd.read_sql_query("SELECT * FROM runs ORDER BY run_id", con)
        if runs == "used" and len(r):
            r = _used(r)
        sweeps = [sweep_columns(json.loads(s or "{}"))
                  for s in r["sweep_json"]]
        keys = sorted({k for s in sweeps for k in s})
        for k in keys:
            r[k] = [s.get(k) for s in sweeps]
            # numbers stay numbers, so sweep axes sort and plot as numbers
            try:
                r[k] = pd.to_numeric(r[k])
            except (ValueError, TypeError):
                pass
        front = [c for c in _RUN_FIXED if c in r.columns] + keys
        r = r[front + [c for c in r.columns if c not in front]]
        r = r.reset_index(drop=True)
        ids = set(r["run_id"])

        def mine(df):
            if df is None:
                return None
            return df[df["run_id"].isin(ids)].reset_index(drop=True)

        long = mine(pd.read_sql_query(
            "SELECT run_id, component, name, value FROM metrics", con))
        wide = long.set_index(["run_id", "component", "name"])[
            "value"].unstack("name")
        wide.columns.name = None
        wide = wide.reset_index()
        attrs = mine(_read(con, "attributes", "run_id, component, name"))
        if attrs is None:
            attrs = pd.DataFrame(columns=["run_id", "component", "name",
                                          "value"])
        types = attrs[attrs["name"] == "type"][["run_id", "component",
                                                "value"]]
        types = types.rename(columns={"value": "type"})
        wide = wide.rename(columns={c: "metric." + c for c in wide.columns
                                    if c == "type"})
        wide = wide.merge(types, on=["run_id", "component"], how="left")
        metric_cols = sorted(c for c in wide.columns
                             if c not in _METRIC_FIXED)
        wide = wide[list(_METRIC_FIXED) + metric_cols]
        wide = wide.sort_values(["run_id", "component"]).reset_index(
            drop=True)

        series = mine(_read(con, "series",
                            "run_id, component, name, t_seconds"))
        blocks = mine(_read(con, "l1_blocks", "run_id, slot"))
        failures = mine(_read(con, "failures", "run_id, component"))
        systems = mine(_read(con, "systems", "run_id, component"))
        if failures is None:
            failures = pd.DataFrame(columns=["run_id", "component", "cause",
                                             "t_start_s", "t_end_s", "txs"])
        if systems is None:
            systems = pd.DataFrame(columns=[
                "run_id", "component", "type", "sequencing", "liveness",
                "liveness_bound_s", "validity", "data", "settles_on"])
        return Results(path, r, wide, series, blocks, failures, systems,
                       attrs, keys)
    finally:
        con.close()
