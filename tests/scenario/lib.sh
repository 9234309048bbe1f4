# Helpers for scenario tests: run a scenario, read metrics, check ranges.
# Sourced by tests/scenario/*.sh; not a test itself.
set -u
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
L2SIM=${L2SIM:-./l2sim}
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
failures=0

# run_scenario FILE DB [extra args...]
run_scenario() {
	local file=$1 db=$2
	shift 2
	"$L2SIM" run "$file" --out "$db" --no-progress --quiet "$@" || {
		echo "FAIL: l2sim run $file exited $?"
		exit 1
	}
}

# metric DB COMPONENT NAME [SWEEP_INDEX] -> mean over runs (of that point)
metric() {
	local db=$1 comp=$2 name=$3 where=""
	[ $# -ge 4 ] && where="AND r.sweep_index = $4"
	sqlite3 "$db" "SELECT avg(m.value) FROM metrics m JOIN runs r USING(run_id)
		WHERE m.component = '$comp' AND m.name = '$name' $where"
}

# check_range LABEL VALUE LO HI
check_range() {
	local label=$1 v=$2 lo=$3 hi=$4
	if [ -z "$v" ] || ! awk -v v="$v" -v lo="$lo" -v hi="$hi" \
		'BEGIN { exit !(v + 0 >= lo + 0 && v + 0 <= hi + 0) }'; then
		echo "FAIL: $label = '$v', expected in [$lo, $hi]"
		failures=$((failures + 1))
	else
		echo "ok: $label = $v in [$lo, $hi]"
	fi
}

# check_lt LABEL A B: A < B
check_lt() {
	if awk -v a="$2" -v b="$3" 'BEGIN { exit !(a + 0 < b + 0) }'; then
		echo "ok: $1 ($2 < $3)"
	else
		echo "FAIL: $1: expected $2 < $3"
		failures=$((failures + 1))
	fi
}

# Every transaction accounted for, for every system component of DB:
# offered = posted + dropped + priced_out + pending_end (priced out: users who
# left at the fee; 0 without a fee mechanism),
# finalized <= posted <= sequenced <= offered.
check_accounting() {
	local db=$1 bad
	bad=$(sqlite3 "$db" "
	  WITH m AS (SELECT run_id, component,
	    max(CASE WHEN name='tx_offered' THEN value END) o,
	    max(CASE WHEN name='tx_sequenced' THEN value END) s,
	    max(CASE WHEN name='tx_posted' THEN value END) p,
	    max(CASE WHEN name='tx_finalized' THEN value END) f,
	    max(CASE WHEN name='tx_dropped' THEN value END) d,
	    max(CASE WHEN name='tx_pending_end' THEN value END) e,
	    coalesce(max(CASE WHEN name='tx_priced_out' THEN value END), 0) q
	    FROM metrics GROUP BY run_id, component HAVING o IS NOT NULL)
	  SELECT run_id || ':' || component FROM m
	  WHERE o != p + d + q + e OR f > p OR p > s OR s + q > o")
	if [ -n "$bad" ]; then
		echo "FAIL: transactions not accounted for in: $bad"
		failures=$((failures + 1))
	else
		echo "ok: every transaction accounted for"
	fi
}

finish() {
	if [ "$failures" -gt 0 ]; then
		echo "$failures check(s) failed"
		exit 1
	fi
	exit 0
}

# Sourced by scenario tests that run Python: PY is Debian's python3 (the
# packages below are Debian's), need_python MODULE:PACKAGE... installs the
# packages of missing modules (as root) or fails.  Not a test itself.
PY=/usr/bin/python3
need_python() {
	local missing=() m
	for m in "$@"; do
		$PY -c "import ${m%%:*}" 2>/dev/null || missing+=("${m#*:}")
	done
	[ ${#missing[@]} -eq 0 ] && return 0
	if [ "$(id -u)" != 0 ]; then
		echo "FAIL: missing ${missing[*]} (run as root, or apt-get install them)"
		exit 1
	fi
	(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}") >/dev/null 2>&1 ||
		{ echo "FAIL: cannot install ${missing[*]}"; exit 1; }
}

# rows DB: every row a sweep stores, keyed by run identity instead of
# run_id, in a stable order: two databases hold the same runs exactly when
# their rows are equal.  Leaves out what differs between equal runs
# (run_id, started_at, wall_seconds, invocation).
rows() {
	sqlite3 "$1" "
	SELECT 'run', identity, scenario_name, scenario_sha256, scenario_json,
	  seed, replication, sweep_json, engine_version, sim_seconds, events,
	  fingerprint, status, sweep_index, sets_json
	  FROM runs ORDER BY sweep_index, replication, identity;
	SELECT 'metric', r.identity, m.component, m.name, quote(m.value)
	  FROM metrics m JOIN runs r USING(run_id)
	  ORDER BY r.identity, m.component, m.name;
	SELECT 'series', r.identity, s.component, s.name, quote(s.t_seconds),
	  quote(s.value) FROM series s JOIN runs r USING(run_id)
	  ORDER BY r.identity, s.component, s.name, s.t_seconds, s.rowid;
	SELECT 'block', r.identity, b.slot, b.t_seconds, b.gas_used,
	  b.base_fee_wei, b.blob_gas_used, b.excess_blob_gas,
	  b.blob_base_fee_wei, b.blobs FROM l1_blocks b JOIN runs r USING(run_id)
	  ORDER BY r.identity, b.slot;"
}

# same_rows LABEL A.db B.db: counts a failure when they differ
same_rows() {
	local label=$1
	rows "$2" >"$TMP/rows-a"
	rows "$3" >"$TMP/rows-b"
	if [ ! -s "$TMP/rows-a" ]; then
		echo "FAIL: $label: $2 has no rows"
		failures=$((failures + 1))
	elif cmp -s "$TMP/rows-a" "$TMP/rows-b"; then
		echo "ok: $label ($(grep -c '^run|' "$TMP/rows-a") runs, $(wc -l <"$TMP/rows-a") rows)"
	else
		echo "FAIL: $label"
		diff "$TMP/rows-a" "$TMP/rows-b" | head -5 | cut -c1-200
		failures=$((failures + 1))
	fi
}
