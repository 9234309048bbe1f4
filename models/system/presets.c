/*
 * Real-system presets (include/l2sim/system.h, sys_preset_*).
 *
 * "preset": NAME on a system entry sets its type and the parameters below
 * to the values of that system; any key the entry sets itself wins (objects
 * merge key by key).  Each value's source and the date it was read are in
 * docs/presets.md, which lists every parameter, also those left at the
 * model's defaults.  To add a system, add one row to the table: a name
 * and the JSON of a system entry without "name", "count" and "workload".
 *
 * The values are those of late 2025 (Pectra on L1).  Keys a preset leaves
 * out take the model's defaults for the preset's type.
 */
#include <string.h>

#include "l2sim/system.h"

struct sys_preset {
	const char *name;
	const char *json;
};

static const struct sys_preset presets[] = {
	/* Arbitrum One: Nitro batch poster (MaxDelay 1 h, blobs under half
	 * the block maximum, 130,048 usable bytes per blob, brotli 11 at low
	 * backlog, 100,000-byte calldata batches); 250 ms blocks; gas speed
	 * limit 7M gas/s; BoLD dispute window 45,818 L1 blocks (6.36 d);
	 * force inclusion after 5,760 L1 blocks (24 h). */
	{"arbitrum-one",
	 "{\"type\": \"optimistic_rollup\","
	 " \"sequencer\": {\"block_time\": \"250ms\", \"gas_capacity\": 7000000,"
	 "   \"forced_inclusion_delay\": \"24h\"},"
	 " \"batcher\": {\"max_delay\": \"1h\", \"blobs_per_tx\": 4,"
	 "   \"blob_payload\": 130048, \"max_calldata_tx\": 100000,"
	 "   \"compression\": \"brotli\", \"level\": 11},"
	 " \"settlement\": {\"challenge_window\": 549816}}"},
	/* OP Mainnet: 2 s blocks; op-batcher with 6-blob transactions and
	 * 130,044 usable bytes per blob, Brotli since Fjord, one pending
	 * transaction (max-pending-tx 1); sequencer window 3,600 L1 blocks
	 * (12 h); proof maturity delay 7 d; output roots every 1,800 L2
	 * blocks (1 h). */
	{"op-mainnet",
	 "{\"type\": \"optimistic_rollup\","
	 " \"sequencer\": {\"block_time\": \"2s\","
	 "   \"forced_inclusion_delay\": \"12h\"},"
	 " \"batcher\": {\"max_delay\": \"5m\", \"blobs_per_tx\": 6,"
	 "   \"blob_payload\": 130044, \"max_calldata_tx\": 120000,"
	 "   \"compression\": \"brotli\", \"level\": 10, \"max_pending_txs\": 1},"
	 " \"settlement\": {\"challenge_window\": \"7d\","
	 "   \"state_root_interval\": \"1h\"}}"},
	/* Base: the OP Stack with OP Mainnet's contracts' values; 2 s
	 * blocks streamed as 200 ms Flashblocks (soft confirmations). */
	{"base",
	 "{\"type\": \"optimistic_rollup\","
	 " \"sequencer\": {\"block_time\": \"200ms\","
	 "   \"forced_inclusion_delay\": \"12h\"},"
	 " \"batcher\": {\"max_delay\": \"5m\", \"blobs_per_tx\": 6,"
	 "   \"blob_payload\": 130044, \"max_calldata_tx\": 120000,"
	 "   \"compression\": \"brotli\", \"level\": 10, \"max_pending_txs\": 8},"
	 " \"settlement\": {\"challenge_window\": \"7d\","
	 "   \"state_root_interval\": \"1h\"}}"},
	/* zkSync Era: state-diff pubdata in blobs of 4,096 x 31 = 126,976
	 * bytes, at most 131,072 pubdata bytes (two blobs) a batch, commit
	 * gas 61,000 a batch, proof 800,000 gas (operator estimates); ~1 s
	 * L2 blocks. */
	{"zksync-era",
	 "{\"type\": \"sdr\","
	 " \"sequencer\": {\"block_time\": \"1s\"},"
	 " \"batcher\": {\"blobs_per_tx\": 2, \"blob_payload\": 126976,"
	 "   \"max_batch_size\": 131072, \"batch_gas\": 61000},"
	 " \"prover\": {\"proof_system\": \"zksync\"}}"},
	/* Starknet: state diffs in blobs; SHARP proofs (~6M gas a proof,
	 * shared with other Cairo jobs); pre-confirmations in ~0.5 s since
	 * v0.14.0 (July 2025), a 1 s soft-confirmation block here. */
	{"starknet",
	 "{\"type\": \"sdr\","
	 " \"sequencer\": {\"block_time\": \"1s\"},"
	 " \"batcher\": {\"blob_payload\": 126976},"
	 " \"prover\": {\"proof_system\": \"sharp\"}}"},
	/* Scroll: transaction data compressed with zstd (da-codec v2 on)
	 * in blobs of 4,096 x 31 bytes; PLONK-class verifier; 3 s blocks. */
	{"scroll",
	 "{\"type\": \"zk_rollup\","
	 " \"sequencer\": {\"block_time\": \"3s\"},"
	 " \"batcher\": {\"blob_payload\": 126976, \"compression\": \"zstd\"},"
	 " \"prover\": {\"proof_system\": \"plonk\"}}"},
	/* Linea: transaction data (an LZSS compressor: zlib is the nearest
	 * of the model's) in blobs; gnark PLONK verifier; 2 s blocks. */
	{"linea",
	 "{\"type\": \"zk_rollup\","
	 " \"sequencer\": {\"block_time\": \"2s\"},"
	 " \"batcher\": {\"blob_payload\": 126976, \"compression\": \"zlib\"},"
	 " \"prover\": {\"proof_system\": \"plonk\"}}"},
	/* Taiko (Alethia): based sequencing by L1 proposers; zlib-compressed
	 * transaction lists in blobs. */
	{"taiko",
	 "{\"type\": \"zk_rollup\","
	 " \"sequencer\": {\"type\": \"based\"},"
	 " \"batcher\": {\"blob_payload\": 126976, \"compression\": \"zlib\"},"
	 " \"prover\": {\"proof_system\": \"plonk\"}}"},
	{NULL, NULL},
};

const char *sys_preset_json(const char *name)
{
	for (size_t i = 0; presets[i].name; i++)
		if (!strcmp(presets[i].name, name))
			return presets[i].json;
	return NULL;
}

const char *sys_preset_name(size_t i)
{
	return i < sizeof(presets) / sizeof(presets[0]) ? presets[i].name
							: NULL;
}
