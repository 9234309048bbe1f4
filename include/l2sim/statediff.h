/*
 * State-diff pubdata of a state-difference rollup (SDR), in zkSync Era's
 * encoding (matter-labs/zksync-era state_diff_compression_v1_spec.md,
 * docs/sources.md §3): a batch
 * publishes each storage slot it changed once, however often it was
 * written within the batch:
 *   header           version 1 B, L2->L1 log length 3 B, index width 1 B,
 *                    initial-write count 2 B                       (7 B)
 *   initial write    first write ever to the slot:
 *                    32-byte key + 1 packing byte + packed value
 *   repeated write   slot written in an earlier batch:
 *                    4-byte enumeration index + 1 packing byte + value
 * plus the operator's fee balance, rewritten by every batch (13 B).
 * Packed values come from tx_kind_params' value_bytes.
 *
 * Cost.  Nothing here is per transaction.  For a cohort of N writes into a
 * key space of K keys with Zipf(s) popularity p_k, the expected number of
 * distinct keys is D(N) = sum_k 1 - (1 - p_k)^N; after M earlier draws the
 * keys written for the first time are D(M + N) - D(M) and the repeated
 * ones D(N) + D(M) - D(M + N).  D is tabulated once per key space on a log
 * grid of N (exact sum over the 256 hottest keys, an integral over the
 * tail), so a batch costs O(kinds x groups).  Expected counts are rounded
 * stochastically (one uniform draw per batch), so totals are unbiased.
 *
 * L2->L1 logs, messages and published bytecodes are not modelled (none of
 * the transaction kinds sends any).
 */
#ifndef L2SIM_STATEDIFF_H
#define L2SIM_STATEDIFF_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "l2sim/txkind.h"

#define SD_HEADER_BYTES 7       /* 1 + 3 + 1 + 2 */
#define SD_KEY_BYTES 32         /* derived key of an initial write */
#define SD_INDEX_BYTES 4        /* BYTES_PER_ENUMERATION_INDEX */
#define SD_PACKING_BYTES 1      /* 5-bit length + 3-bit operation */
#define SD_OPERATOR_BYTES 13    /* 4 + 1 + 8: fee account, repeated write */

struct sd_state;

/* What one batch published (expected values before rounding). */
struct sd_breakdown {
	double keys_initial;   /* keys written for the first time */
	double keys_repeated;  /* keys written in an earlier batch */
	double slots_initial;  /* storage slots among them */
	double slots_repeated;
	double bytes_initial;  /* keys, packing bytes and values */
	double bytes_repeated;
	int64_t bytes_fixed;   /* header and operator write */
	int64_t total;         /* what sd_batch_bytes() returned */
};

/* A state for one system instance: copies p; nothing has been written yet.
 * NULL when out of memory. */
struct sd_state *sd_state_create(const struct tx_kind_params p[TX_KINDS]);

/* NULL does nothing. */
void sd_state_destroy(struct sd_state *sd);

/*
 * Pubdata bytes of a batch with these transaction counts, and records its
 * writes as done (later batches see them as repeated).  An empty batch
 * publishes nothing (0).  Draws one uniform from rng.  'out' may be NULL.
 * Returns -1 when out of memory (a key space's table is built on first
 * use).
 */
int64_t sd_batch_bytes(struct sd_state *sd, gsl_rng *rng,
		       const uint64_t counts[TX_KINDS], struct sd_breakdown *out);

/* Expected distinct keys among n draws from the key space of (kind,
 * group), as used by sd_batch_bytes(); -1 when out of memory. */
double sd_distinct(struct sd_state *sd, enum tx_kind kind, enum tx_group group,
		   double n);

/* Draws recorded so far into the key space of (kind, group). */
double sd_drawn(const struct sd_state *sd, enum tx_kind kind,
		enum tx_group group);

#endif
