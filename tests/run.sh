#!/usr/bin/env bash
# Runs every test of l2sim: the cmocka unit binaries, then the scenario
# tests (tests/scenario/*.sh), then the regression baselines of the shipped
# scenarios.  Prints one line per test and a closing "N passed, N failed".
#
# Environment: L2SIM (the binary), BUILD (the build directory), SANITIZE=1
# to skip what is too slow under sanitizers (baselines).
set -u
cd "$(dirname "$0")/.."
L2SIM=${L2SIM:-./l2sim}
BUILD=${BUILD:-build}
export L2SIM
pass=0
fail=0
failed=()
log=$(mktemp -d)
trap 'rm -rf "$log"' EXIT

run() { # name, command...
	local name=$1
	shift
	local start=$SECONDS
	if "$@" >"$log/out" 2>&1; then
		pass=$((pass + 1))
		printf 'ok    %-40s %3ds\n' "$name" $((SECONDS - start))
	else
		fail=$((fail + 1))
		failed+=("$name")
		printf 'FAIL  %-40s %3ds\n' "$name" $((SECONDS - start))
		sed 's/^/      | /' "$log/out" | tail -40
	fi
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	case "$t" in *.d|*.o) continue ;; esac
	run "unit/$(basename "$t")" "$t"
done

run "layout" python3 tests/check_layout.py "$BUILD"

for s in tests/scenario/*.sh; do
	[ -f "$s" ] || continue
	[ "$(basename "$s")" = lib.sh ] && continue
	run "scenario/$(basename "$s" .sh)" bash "$s"
done

if [ "${SANITIZE:-0}" != 1 ]; then
	for b in results/baselines/*.json; do
		[ -f "$b" ] || continue
		name=$(basename "$b" .json)
		run "baseline/$name" bash tests/check_baseline.sh "$name"
	done
fi

echo
if [ "$fail" -gt 0 ]; then
	echo "failed: ${failed[*]}"
fi
echo "tests: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
