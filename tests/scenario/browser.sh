#!/usr/bin/env bash
# The report of the shipped scenarios (all but the year-long benchmark) as
# a reader sees it: rendered in headless Chromium (Debian's
# chromium-headless-shell or chromium, installed here when missing), the
# screenshot is not blank, every image loads and nothing is logged to the
# console.  Also `l2sim diff` of two of them.
. "$(dirname "$0")/lib.sh"
need_python PIL:python3-pil
CHROMIUM=$(command -v chromium-headless-shell || command -v chromium || true)
if [ -z "$CHROMIUM" ]; then
	if [ "$(id -u)" != 0 ]; then
		echo "FAIL: no chromium (run as root, or apt-get install chromium-headless-shell)"
		exit 1
	fi
	(apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y \
		--no-install-recommends chromium-headless-shell) >/dev/null 2>&1 ||
		(DEBIAN_FRONTEND=noninteractive apt-get install -y \
			--no-install-recommends chromium) >/dev/null 2>&1
	CHROMIUM=$(command -v chromium-headless-shell || command -v chromium || true)
	[ -n "$CHROMIUM" ] || { echo "FAIL: cannot install chromium"; exit 1; }
fi
export HOME=$TMP   # Chromium writes its profile below HOME
db=$TMP/shipped.db
for s in default ordinary inscription validium horizontal; do
	run_scenario "scenarios/$s.json" "$db"
done
"$L2SIM" report "$db" --out "$TMP/report" || { echo "FAIL: report exited $?"; exit 1; }
$PY tests/python/check_browser.py "$CHROMIUM" "$TMP/report" 40 || failures=$((failures + 1))
"$L2SIM" diff "$db" "$db" --out "$TMP/diff" >/dev/null || { echo "FAIL: diff exited $?"; exit 1; }
$PY tests/python/check_browser.py "$CHROMIUM" "$TMP/diff" 5 || failures=$((failures + 1))
# the check itself can fail: a report with a plot missing
cp -r "$TMP/report" "$TMP/broken"
rm "$TMP/broken/plots/s1-bars.png"
if $PY tests/python/check_browser.py "$CHROMIUM" "$TMP/broken" 40 >"$TMP/broken.out" 2>&1; then
	echo "FAIL: a report with a missing image passed"
	failures=$((failures + 1))
else
	grep -q "FAIL: every image loaded: missing plots/s1-bars.png" "$TMP/broken.out" &&
		echo "ok: a missing image is caught" ||
		{ echo "FAIL: missing image not named"; cat "$TMP/broken.out"; failures=$((failures + 1)); }
fi
finish
