/*
 * Ethereum L1: slots, the EIP-1559 gas market, the EIP-4844 blob market
 * (with EIP-7691 / EIP-7892 schedules, EIP-7623 calldata floor and EIP-7918
 * reserve price), background demand, missed slots, reorgs and finality.
 *
 * Two layers:
 *  - pure fee math (l1_fee_*): integer arithmetic exactly as the EIPs state
 *    it, 128-bit intermediates, saturating instead of wrapping;
 *  - the chain (l1_chain): one event per slot; each block takes the pending
 *    transactions of simulated systems next to background demand.
 *
 * Units: gas in gas, fees in wei (uint64 unless noted), blobs in blobs
 * (131,072 bytes and 131,072 blob gas each), time in sim_time_t ns.
 * Errors: 0 or a negative L2S_E* code, with 'err' (may be NULL) filled.
 * See docs/model-l1.md for the scenario keys and the model's choices.
 */
#ifndef L2SIM_L1_H
#define L2SIM_L1_H

#include <stdbool.h>
#include <stdint.h>

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/time.h"

/* Fees that can exceed 64 bits (the EIP-4844 blob base fee can). */
typedef unsigned __int128 l1_u128;
#define L1_U128_MAX (~(l1_u128)0)

/* EIP-4844 */
#define L1_GAS_PER_BLOB INT64_C(131072)
#define L1_BYTES_PER_BLOB INT64_C(131072)
#define L1_MIN_BASE_FEE_PER_BLOB_GAS UINT64_C(1)
/* EIP-7918 */
#define L1_BLOB_BASE_COST UINT64_C(8192)
/* EIP-2028, EIP-7623, yellow paper G_transaction */
#define L1_TX_BASE_GAS INT64_C(21000)
#define L1_CALLDATA_GAS_ZERO INT64_C(4)
#define L1_CALLDATA_GAS_NONZERO INT64_C(16)
#define L1_STANDARD_TOKEN_COST INT64_C(4)
#define L1_FLOOR_COST_PER_TOKEN INT64_C(10)
/* EIP-1559 */
#define L1_ELASTICITY_MULTIPLIER INT64_C(2)
#define L1_BASE_FEE_CHANGE_DENOMINATOR UINT64_C(8)
/* EIP-7594: blobs per transaction from Fusaka on */
#define L1_PEERDAS_MAX_BLOBS_PER_TX 6
/* EIP-7825: per-transaction gas cap from Osaka on */
#define L1_OSAKA_MAX_TX_GAS INT64_C(16777216)
/* consensus-specs phase0: 32 slots per epoch (SLOTS_PER_EPOCH) */
#define L1_SLOTS_PER_EPOCH 32

/* ------------------------------------------------------------------ */
/* Fork rules                                                          */

struct l1_fork {
	char name[32];          /* "dencun", "pectra", "fusaka", "bpo1", "bpo2", "explicit" */
	int32_t blob_target;    /* blobs per block */
	int32_t blob_max;       /* blobs per block */
	uint64_t blob_update_fraction;
	bool eip7623;           /* calldata floor price (Prague and later) */
	bool eip7918;           /* blob reserve price (Osaka and later) */
	int32_t max_blobs_per_tx; /* EIP-7594 cap; 0 = none beyond blob_max */
	int64_t max_tx_gas;     /* EIP-7825 cap; 0 = none beyond the gas limit */
	int64_t default_gas_limit; /* gas per block of the fork's era */
};

/* Fills *out with preset 'name' (dencun|cancun, pectra|prague,
 * fusaka|osaka, bpo1, bpo2).  Returns 0 or L2S_EINPUT (unknown name). */
int l1_fork_preset(const char *name, struct l1_fork *out);

/* NULL-terminated list of the preset names, for "did you mean" hints. */
const char *const *l1_fork_names(void);

/* ------------------------------------------------------------------ */
/* Pure fee math                                                       */

/* EIP-1559: base fee of the child of a block with the given base fee, gas
 * limit and gas used; target = limit / 2.  An increase is at least 1 wei;
 * saturates at UINT64_MAX.  A limit below 2 leaves the fee unchanged. */
uint64_t l1_fee_next_base(uint64_t parent_base_fee, int64_t parent_gas_limit,
			  int64_t parent_gas_used);

/* EIP-2028 (16/4 per byte) plus 21,000, and on forks with 'eip7623' the
 * EIP-7623 floor: 21000 + max(4*tokens + exec_gas, 10*tokens) with tokens =
 * zero + 4*nonzero.  Negative inputs count as 0; saturates at INT64_MAX. */
int64_t l1_fee_calldata_gas(bool eip7623, int64_t zero_bytes,
			    int64_t nonzero_bytes, int64_t exec_gas);

/* EIP-4844 fake_exponential(factor, numerator, denominator), the exact
 * integer Taylor series, computed exactly in 128 bits.  When the running sum
 * would leave 128 bits (results above about 2^128 / denominator, 1e32 wei
 * for blob fees) the result is L1_U128_MAX.  denominator 0 gives
 * L1_U128_MAX. */
l1_u128 l1_fee_fake_exponential(uint64_t factor, uint64_t numerator,
				uint64_t denominator);

/* EIP-4844 blob base fee: fake_exponential(1, excess, fraction).  May
 * exceed 64 bits (e.g. 9.0e20 wei at 161,087,488 excess, fraction
 * 3,338,477). */
l1_u128 l1_fee_blob_base(uint64_t excess_blob_gas, uint64_t update_fraction);

/* Saturating narrowing, for getters and receipts. */
static inline uint64_t l1_u128_sat64(l1_u128 v)
{
	return v > (l1_u128)UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/*
 * EIP-4844 calc_excess_blob_gas with the EIP-7892 per-fork target and, when
 * f->eip7918, the EIP-7918 reserve-price branch (which compares 8192 *
 * parent base fee with 131072 * blob base fee of the parent's excess under
 * f's update fraction).  'f' is the schedule of the block being computed.
 * Saturates at UINT64_MAX.
 */
uint64_t l1_fee_excess_blob_gas(const struct l1_fork *f,
				uint64_t parent_excess_blob_gas,
				uint64_t parent_blob_gas_used,
				uint64_t parent_base_fee);

/* ------------------------------------------------------------------ */
/* The chain                                                           */

struct l1_chain;

/* What a system learns when its transaction lands in a block. */
struct l1_receipt {
	uint64_t tx_id;
	int64_t slot;              /* slot number; slot k starts at k * slot_time */
	int64_t block_number;      /* 1 for the first block built */
	sim_time_t included_at;    /* the block's time */
	sim_time_t justified_at;   /* Casper FFG: l1_ffg_justified_slot() */
	sim_time_t final_at;       /* Casper FFG: l1_ffg_final_slot() */
	int64_t gas_used;          /* the tx's gas (as submitted) */
	int32_t blobs;
	int64_t blob_gas_used;     /* blobs * 131072 */
	uint64_t base_fee;         /* wei per gas, the block's */
	uint64_t effective_gas_price; /* base fee + effective tip, wei per gas */
	uint64_t blob_gas_price;   /* the block's blob base fee (0 without blobs) */
	l1_u128 fee_wei;           /* gas_used * effective price + blob gas * blob price */
	l1_u128 blob_fee_wei;      /* the blob part of fee_wei */
	l1_u128 tip_wei;           /* the priority-fee part (paid to the proposer) */
	double fee_eth;            /* fee_wei / 1e18 */
};

/* Why a pending transaction was left out of a block (bit set). */
enum {
	L1_WAIT_BASE_FEE = 1 << 0, /* max_fee_per_gas < the block's base fee */
	L1_WAIT_BLOB_FEE = 1 << 1, /* max_fee_per_blob_gas < the blob base fee */
	L1_WAIT_NO_ROOM = 1 << 2,  /* affordable, but the block was full at its tip */
};

struct l1_wait {
	uint64_t tx_id;
	unsigned reasons;          /* L1_WAIT_* */
	int64_t slot;              /* the block that left it out */
	uint64_t base_fee;         /* that block's fees */
	uint64_t blob_base_fee;
	uint64_t next_base_fee;    /* the next block's fees (as l1_base_fee()) */
	uint64_t next_blob_base_fee;
};

typedef void l1_included_fn(void *ctx, const struct l1_receipt *r);
typedef void l1_waiting_fn(void *ctx, const struct l1_wait *w);

/*
 * A transaction of a simulated system.  'gas' is the gas it uses (use
 * l1_calldata_gas() for data); blobs 0 is a calldata/plain tx.  Callbacks
 * (any may be NULL) run inside the slot event, after the block is complete;
 * they may submit, replace or cancel transactions.
 *  - on_included: the tx is in a block (again, after a reorg).
 *  - on_waiting: once for every block built while the tx stays pending.
 *  - on_final: its block is final (Casper FFG: 64-95 slots after
 *    inclusion, l1_ffg_final_slot()).
 *  - on_reorged: its block was reorged out; the tx is pending again and the
 *    receipt passed is the one now void.
 */
struct l1_tx {
	int64_t gas;
	int32_t blobs;
	uint64_t max_fee_per_gas;
	uint64_t max_priority_fee_per_gas;
	uint64_t max_fee_per_blob_gas;
	l1_included_fn *on_included;
	l1_waiting_fn *on_waiting;
	l1_included_fn *on_final;
	l1_included_fn *on_reorged;
	void *ctx;
};

/* A slot as seen by block listeners (called for every slot, built or not). */
struct l1_block {
	int64_t slot;
	int64_t block_number;      /* of this block; of the last block if missed */
	sim_time_t t;
	bool missed;               /* no block in this slot; fees unchanged */
	int64_t gas_used;          /* all of it: systems and background */
	int32_t blobs;
	int32_t system_blobs;
	uint64_t base_fee;         /* this block's */
	uint64_t blob_base_fee;    /* this block's (saturated to 64 bits) */
	uint64_t excess_blob_gas;  /* this block's */
	uint64_t next_base_fee;    /* what the next block will charge */
	uint64_t next_blob_base_fee;
};

typedef void l1_block_fn(void *ctx, const struct l1_block *b);

/*
 * Reads the scenario's "l1" object 'cfg' (keys in docs/model-l1.md; unknown
 * keys are errors) and builds the chain on 'sim'.  A background trace path
 * is relative to the scenario file's directory.  Random streams: "l1/missed",
 * "l1/gas", "l1/blobs".  Returns 0, L2S_EINPUT (bad value, bad trace),
 * L2S_EIO (trace unreadable) or L2S_ENOMEM; on failure nothing is left.
 */
int l1_create(struct sim *sim, const struct scn_obj *cfg,
	      struct l1_chain **out, struct l2s_error *err);

/*
 * What to record while running; call before the run (normally before
 * l1_start()).  Metrics count blocks at or after 'warmup'; per-block rows
 * are kept only when 'keep_blocks' (a year is 2.6M blocks); series points
 * are means over each 'series_interval' (0: none), stamped at the
 * interval's end, from the next multiple of the interval after now.
 * Default: 0, 0, 0.
 */
void l1_set_recording(struct l1_chain *l1, sim_time_t warmup, int keep_blocks,
		      sim_time_t series_interval);

/* Schedules the first slot: the first multiple of slot_time after now. */
int l1_start(struct l1_chain *l1);

/* NULL does nothing.  Pending transactions are dropped silently. */
void l1_destroy(struct l1_chain *l1);

/*
 * Adds the "l1" metrics of docs/scenario-format.md (blocks, base_fee_gwei_mean/max,
 * blob_base_fee_gwei_mean/max, blobs_per_block_mean, blob_utilization,
 * gas_utilization, and a few more: see docs/model-l1.md), the kept
 * per-block rows and the series base_fee_gwei, blob_base_fee_gwei,
 * blobs_per_block.
 */
void l1_collect(struct l1_chain *l1, struct run_result *res);

/*
 * Queues a system transaction for the next blocks.  Rejected (L2S_EINPUT):
 * gas < 21000 or above the gas limit or the fork's per-tx cap (EIP-7825),
 * blobs < 0 or above the block max or the fork's per-tx cap (EIP-7594),
 * priority fee above max fee.  *tx_id (may be NULL) gets an id, never 0.
 * A cap below the current fees is accepted: the tx waits.  Only blocks
 * strictly after the submission time consider it, so a tx submitted at a
 * slot boundary (e.g. from a block listener) goes into the next slot.
 */
int l1_submit(struct l1_chain *l1, const struct l1_tx *tx, uint64_t *tx_id,
	      struct l2s_error *err);

/*
 * Replaces pending tx 'tx_id' by 'tx' (same id, same place in the queue).
 * Like a client's pool (go-ethereum legacypool / blobpool), each fee field
 * must rise by at least 10% (100% for a blob tx, old or new).  L2S_EINPUT
 * when the tx is not pending, the bump is too small or 'tx' is invalid.
 */
int l1_replace(struct l1_chain *l1, uint64_t tx_id, const struct l1_tx *tx,
	       struct l2s_error *err);

/* Sets (or, with NULL, stops) the on_waiting callback of pending tx
 * 'tx_id': a poster whose fees sit at its caps has nothing left to do each
 * block.  L2S_EINPUT if not pending. */
int l1_set_on_waiting(struct l1_chain *l1, uint64_t tx_id, l1_waiting_fn *fn);

/* Drops pending tx 'tx_id' (no block needed).  L2S_EINPUT if not pending. */
int l1_cancel(struct l1_chain *l1, uint64_t tx_id, struct l2s_error *err);

/* Calls fn(ctx, block) at every slot, after the block's tx callbacks, in
 * registration order.  Returns 0 or L2S_ENOMEM. */
int l1_on_block(struct l1_chain *l1, l1_block_fn *fn, void *ctx);

/* Faults.  Missed slots produce no block and leave fees unchanged. */
void l1_set_missed_probability(struct l1_chain *l1, double p);
/* A fee spike: background demand (gas and blobs, drawn or from a trace)
 * times 'm' (1 = none) until set again.  With price-elastic demand of
 * elasticity e the fee settles m^(1/e) times higher. */
void l1_set_demand_multiplier(struct l1_chain *l1, double m);
/* The next 'n' slots are missed whatever the probability. */
void l1_force_miss(struct l1_chain *l1, int64_t n);
/*
 * Reorg of the last 'depth' blocks: their system transactions are
 * un-included (on_reorged) and pending again, in their first submission
 * order.  Simplification: the replacing blocks are taken to carry the same
 * background load, so fees, block count and statistics stay as they were.
 * Final blocks are never reorged.  Returns the number of txs re-queued, or
 * -1 when out of memory (then nothing changed).
 */
int64_t l1_reorg(struct l1_chain *l1, int64_t depth);

/* Getters.  Fees are those the next block will charge. */
uint64_t l1_base_fee(const struct l1_chain *l1);
uint64_t l1_blob_base_fee(const struct l1_chain *l1); /* saturated */
uint64_t l1_excess_blob_gas(const struct l1_chain *l1);
sim_time_t l1_slot_time(const struct l1_chain *l1);
/* When a block included at 'included_at' is justified and final (Casper
 * FFG, or the fixed l1.finality_slots when a scenario sets it). */
sim_time_t l1_justified_at(const struct l1_chain *l1, sim_time_t included_at);
sim_time_t l1_final_at(const struct l1_chain *l1, sim_time_t included_at);

/*
 * Casper FFG with every epoch justified on time (consensus-specs phase0,
 * process_justification_and_finalization): the checkpoint of epoch c is
 * the block of slot 32c (or the last before it); epoch processing at the
 * end of epoch c justifies c, and at the end of epoch c + 1 justifies
 * c + 1 and finalizes c.  A block of slot s is final with the first
 * checkpoint at or after it, c = ceil(s / 32): at the start of slot
 * 32 (c + 2), 64 slots after a block in an epoch's first slot, 95 ... 65
 * after one in its second ... last; justified at the start of slot
 * 32 (c + 1) (32, then 63 ... 33).
 */
int64_t l1_ffg_justified_slot(int64_t slot);
int64_t l1_ffg_final_slot(int64_t slot);
int64_t l1_gas_limit(const struct l1_chain *l1);
int32_t l1_blob_target(const struct l1_chain *l1);
int32_t l1_blob_max(const struct l1_chain *l1);
/* Most blobs one tx may carry: the per-tx cap, or the block max. */
int32_t l1_max_blobs_per_tx(const struct l1_chain *l1);
/* Most gas one tx may use: the per-tx cap, or the gas limit. */
int64_t l1_max_tx_gas(const struct l1_chain *l1);
const struct l1_fork *l1_fork(const struct l1_chain *l1);
int64_t l1_head_block(const struct l1_chain *l1); /* blocks built so far */
size_t l1_pending_count(const struct l1_chain *l1);

/* l1_fee_calldata_gas() under this chain's fork. */
int64_t l1_calldata_gas(const struct l1_chain *l1, int64_t zero_bytes,
			int64_t nonzero_bytes, int64_t exec_gas);

#endif
