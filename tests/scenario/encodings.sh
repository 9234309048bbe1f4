#!/usr/bin/env bash
# Rollup-native encodings (scenarios/encodings.json, docs/model-bytes.md):
# the same traffic posted as signed RLP (~120 B/tx after zstd, today's
# ~100 B/tx order), as a compact encoding with 64-byte signatures, and
# without per-transaction signatures (a ZK rollup's proof covers them):
# ~10x from the encoding with basic compression, as the scaling essays say.
. "$(dirname "$0")/lib.sh"
db=$TMP/e.db
run_scenario scenarios/encodings.json "$db"
check_accounting "$db"
rlp=$(metric "$db" rlp l1_da_bytes_per_tx)
cmp=$(metric "$db" compact l1_da_bytes_per_tx)
agg=$(metric "$db" aggregated l1_da_bytes_per_tx)
check_range "RLP bytes per tx (zstd)" "$rlp" 100 135
# Compact with signatures: 13-17 bytes of fields + 64 of signature, which
# do not compress.
check_range "compact bytes per tx" "$cmp" 70 85
check_range "compact, aggregated signatures, bytes per tx" "$agg" 8 13
check_range "RLP / aggregated (~10x)" "$(awk -v a="$rlp" -v b="$agg" 'BEGIN{print a/b}')" 9 15
# Inscriptions: 171 raw RLP bytes; the repeated text compresses away.
mint=$(metric "$db" mints-aggregated l1_da_bytes_per_tx)
check_range "inscription, aggregated, bytes per tx" "$mint" 2 6
check_range "raw RLP inscription / aggregated" "$(awk -v b="$mint" 'BEGIN{print 171/b}')" 28 86
finish
