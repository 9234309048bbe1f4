#!/usr/bin/env python3
"""The house rules of l2sim's layout, checked on the sources and objects.

1. No include climbs out of its folder ("../").
2. sim/ is blind to the models: no file of sim/ but main.c includes a
   header other than the engine's own.
3. No two model folders call each other's exported functions in a circle
   (read from the symbols of the compiled objects in BUILD).
4. Every function a model folder exports carries a prefix of its own.

Usage: check_layout.py BUILD_DIR
"""
import collections
import glob
import os
import re
import subprocess
import sys

ENGINE_HEADERS = {"engine.h", "error.h", "phold.h", "queue.h", "results.h",
                  "randist.h", "rng.h", "runner.h", "scenario.h", "sha256.h", "time.h",
                  "model.h", "schema.h", "validate.h",
                  "names.h"}
# Exported-name prefixes of each model folder.
PREFIXES = {
    "aggregation": ("agg_", "aggregators_"),
    "batcher": ("batcher_", "comp_", "sd_"),
    "common": ("cohort_", "lat_hist_", "ledger_", "owned_"),
    "da": ("da_",),
    "faults": ("fault_", "faults_"),
    "keystore": ("ks_",),
    "fees": ("fees_",),
    "l1": ("l1_",),
    "l1poster": ("l1poster_",),
    "mechanisms": ("mech_",),
    "prover": ("prover_",),
    "sequencer": ("seq_", "shared_seq_"),
    "settlement": ("settle_",),
    "system": ("sys_",),
    "workload": ("txkind_", "wl_", "workload_", "workloads_"),
    "world": ("world_",),
}

def main():
    build = sys.argv[1] if len(sys.argv) > 1 else "build"
    bad = []
    for path in glob.glob("**/*.[ch]", recursive=True):
        if path.startswith(build + "/"):
            continue
        text = open(path, encoding="utf-8").read()
        if re.search(r'#include\s+"\.\./', text):
            bad.append(f"{path}: includes with ../")
        if path.startswith("sim/") and path != "sim/main.c":
            for h in re.findall(r'#include\s+"l2sim/([^"]+)"', text):
                if h not in ENGINE_HEADERS:
                    bad.append(f"{path}: sim/ includes model header {h}")

    defs, undef = {}, collections.defaultdict(set)
    for obj in glob.glob(os.path.join(build, "models", "*", "*.o")):
        folder = obj.split(os.sep)[-2]
        out = subprocess.run(["nm", obj], capture_output=True, text=True,
                             check=True).stdout
        for line in out.splitlines():
            p = line.split()
            if len(p) == 3 and p[1] in "TDRB":
                defs[p[2]] = folder
                if p[1] == "T" and not p[2].startswith(PREFIXES.get(folder, ("",))):
                    bad.append(f"models/{folder}: exports {p[2]} without "
                               f"the folder's prefix {PREFIXES.get(folder)}")
            elif len(p) == 2 and p[0] == "U":
                undef[folder].add(p[1])
    if not defs:
        bad.append(f"no model objects under {build}/models: build first")
    dep = collections.defaultdict(set)
    for folder, syms in undef.items():
        for s in syms:
            if s in defs and defs[s] != folder:
                dep[folder].add(defs[s])

    def reaches(a, b, seen):
        for n in dep[a]:
            if n == b:
                return True
            if n not in seen:
                seen.add(n)
                if reaches(n, b, seen):
                    return True
        return False

    for a in sorted(dep):
        for b in sorted(dep[a]):
            if reaches(b, a, set()):
                bad.append(f"models/{a} and models/{b} call each other "
                           "(directly or through others)")
    for line in bad:
        print(line)
    print(f"layout: {len(dep)} model folders, "
          f"{sum(len(v) for v in dep.values())} dependencies, "
          f"{len(bad)} problems")
    return 1 if bad else 0

if __name__ == "__main__":
    sys.exit(main())
