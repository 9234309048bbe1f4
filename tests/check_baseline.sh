#!/usr/bin/env bash
# Runs shipped scenario NAME and checks it against results/baselines/NAME.json.
set -eu
cd "$(dirname "$0")/.."
name=$1
L2SIM=${L2SIM:-./l2sim}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
"$L2SIM" run "scenarios/$name.json" --out "$tmp/$name.db" --no-progress --quiet
"$L2SIM" check "$tmp/$name.db" --baseline "results/baselines/$name.json"
