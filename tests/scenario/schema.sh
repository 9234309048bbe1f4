#!/usr/bin/env bash
# `l2sim schema`: a valid draft 2020-12 JSON Schema that every shipped
# scenario passes and that rejects what the loader rejects (checked with
# Debian's python3-jsonschema, installed here when missing).
. "$(dirname "$0")/lib.sh"
need_python jsonschema:python3-jsonschema
"$L2SIM" schema >"$TMP/schema.json" || { echo "FAIL: l2sim schema exited $?"; exit 1; }
$PY tests/python/check_schema.py "$TMP/schema.json" "$L2SIM" "$TMP" ||
	failures=$((failures + 1))
# same output every time
"$L2SIM" schema >"$TMP/schema2.json"
if cmp -s "$TMP/schema.json" "$TMP/schema2.json"; then
	echo "ok: schema is deterministic"
else
	echo "FAIL: two runs of l2sim schema differ"
	failures=$((failures + 1))
fi
"$L2SIM" schema extra >/dev/null 2>&1
check_range "schema with an argument exits 2" "$?" 2 2
finish
