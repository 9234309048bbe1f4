"""The JSON Schema of `l2sim schema` against the loader (called by
tests/scenario/schema.sh).

usage: check_schema.py SCHEMA.json L2SIM TMPDIR
- the schema is valid draft 2020-12;
- every shipped scenario, the valid test scenarios and the complete
  example of docs/scenario-format.md pass it;
- bad inputs (the test files the loader rejects, and mutations of a good
  scenario) fail both the schema and `l2sim validate`;
- nearly every key the loader allows has a type in the schema.
"""
import copy
import glob
import json
import re
import subprocess
import sys

import jsonschema

schema_path, l2sim, tmp = sys.argv[1:4]
schema = json.load(open(schema_path))
failures = 0


def check(cond, what):
    global failures
    print(("ok: " if cond else "FAIL: ") + what)
    if not cond:
        failures += 1


jsonschema.Draft202012Validator.check_schema(schema)
check(schema.get("$schema", "").endswith("2020-12/schema"),
      "declares draft 2020-12 and passes its meta-schema")
v = jsonschema.Draft202012Validator(schema)


def schema_errors(doc):
    return sorted(v.iter_errors(doc), key=lambda e: list(e.absolute_path))


def validate_rc(doc, name):
    path = "%s/%s.json" % (tmp, name)
    with open(path, "w") as f:
        json.dump(doc, f, indent=1)
    return subprocess.run([l2sim, "validate", path], capture_output=True,
                          text=True).returncode


good = sorted(glob.glob("scenarios/*.json")) + [
    "tests/data/tiny.json", "tests/data/sweep.json"]
for path in good:
    errs = schema_errors(json.load(open(path)))
    check(not errs, "%s passes the schema%s" % (path, "" if not errs else
          ": " + "; ".join("%s: %s" % (list(e.absolute_path), e.message)
                          for e in errs[:3])))

doc = open("docs/scenario-format.md").read()
m = re.search(r"## A complete example.*?```json\n(.*?)```", doc, re.S)
full = json.loads(m.group(1))
errs = schema_errors(full)
check(not errs and validate_rc(full, "full") == 0,
      "docs' complete example passes the schema and validate")

# bad input: what the loader rejects, the schema rejects too
for path in ["tests/data/typo.json", "tests/data/validate_many.json"]:
    d = json.load(open(path))
    check(len(schema_errors(d)) > 0, "%s fails the schema" % path)

base = json.load(open("tests/data/tiny.json"))


def mutate(fn):
    d = copy.deepcopy(base)
    fn(d)
    return d


def setp(path, value):
    def fn(d):
        cur = d
        for k in path[:-1]:
            cur = cur[k]
        cur[path[-1]] = value
    return fn


mutations = {
    "unknown top-level key": setp(["duraton"], "2h"),
    "unknown nested key": setp(["systems", 0, "batcher"], {"max_dealy": "1m"}),
    "unit typo": setp(["duration"], "2hours"),
    "rate unit typo": setp(["systems", 0, "sequencer"], {"capacity": "10tpx"}),
    "enum typo": setp(["systems", 0, "type"], "zk_rolup"),
    "fork typo": setp(["l1"], {"fork": "pectr"}),
    "wrong type": setp(["systems", 0, "count"], "four"),
    "out of range": setp(["systems", 0, "count"], 0),
    "negative duration": setp(["duration"], -5),
    "bool as string": setp(["output"], {"l1_blocks": "yes"}),
    "array expected": setp(["systems"], {"name": "s"}),
}
for name, fn in mutations.items():
    d = mutate(fn)
    s_bad = len(schema_errors(d)) > 0
    l_bad = validate_rc(d, "mut") == 2
    check(s_bad and l_bad, "%s: schema %s, validate %s" %
          (name, "rejects" if s_bad else "ACCEPTS",
           "rejects" if l_bad else "ACCEPTS"))

# units in any form the parser takes pass the pattern
for value in ["12s", "1.5h", "1500 ms", "7d", 3600, "1e3s"]:
    d = mutate(setp(["duration"], value))
    check(not schema_errors(d) and validate_rc(d, "unit") == 0,
          "duration %r accepted by both" % (value,))
for value in ["128KiB", "0.5MB", "180kb"]:
    d = mutate(setp(["systems", 0, "batcher"], {"max_batch_size": value}))
    check(not schema_errors(d) and validate_rc(d, "size") == 0,
          "size %r accepted by both" % (value,))


# coverage: keys allowed but without a type
def walk(node, path, keys, untyped):
    if not isinstance(node, dict):
        return
    for k, p in node.get("properties", {}).items():
        keys.append(path + "." + k)
        if set(p) == {"description"}:
            untyped.append(path + "." + k)
        walk(p, path + "." + k, keys, untyped)
    if "items" in node:
        walk(node["items"], path + "[]", keys, untyped)
    for a in node.get("anyOf", []):
        walk(a, path, keys, untyped)


keys, untyped = [], []
walk(schema, "", keys, untyped)
check(len(keys) > 200 and len(untyped) <= 20,
      "%d keys, %d without a type (values the models parse by hand): %s" %
      (len(keys), len(untyped), ", ".join(untyped)))
enums = [p for p in json.dumps(schema).split('"enum"')][1:]
check(len(enums) >= 10, "%d enums for completion" % len(enums))
sys.exit(1 if failures else 0)
