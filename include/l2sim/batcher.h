/*
 * The batcher: cuts a system instance's sequenced transactions into
 * batches and posts them to their DA layer (L1 blobs or calldata through
 * the instance's L1 poster, or another layer), then hands each posted
 * batch to the sink its instance registered (settlement).
 *
 * A batch is cut when the pending transactions would fill max_batch_size
 * compressed bytes, or when the oldest has waited max_delay (OP Stack's
 * channel duration, Arbitrum's MaxDelay).  At most max_pending_txs L1
 * transactions and DA submissions are in flight: beyond that the batcher
 * holds its backlog, which is how a shared ceiling (blob space) shows up
 * as waiting.
 */
#ifndef L2SIM_BATCHER_H
#define L2SIM_BATCHER_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "l2sim/batch.h"
#include "l2sim/cohort.h"
#include "l2sim/compress.h"
#include "l2sim/da.h"
#include "l2sim/l1poster.h"
#include "l2sim/lathist.h"
#include "l2sim/ledger.h"
#include "l2sim/owned.h"

enum da_target {
	DA_L1_BLOBS,
	DA_L1_CALLDATA,
	DA_L1_AUTO,   /* the cheaper of the two per byte, as the OP batcher */
	DA_ALT,       /* an alternative layer or committee from da_layers */
	DA_PARENT,    /* in the batches of the system it settles on (L3) */
};

struct batcher_cfg {
	enum da_target target;
	const char *da_name;        /* DA_ALT: the layer's name */
	int64_t max_batch_bytes;    /* compressed bytes per batch */
	sim_time_t max_delay;       /* oldest tx waits at most this long */
	int32_t blobs_per_tx;       /* blobs per blob transaction */
	int64_t blob_payload;       /* usable bytes per blob (OP: 130,044) */
	int64_t max_calldata_tx;    /* bytes of data per calldata tx */
	enum comp_algo algo;
	int level;
	enum tx_encoding encoding;  /* how transaction data is written */
	int32_t max_pending_txs;    /* L1 txs and DA submissions in flight */
	int64_t batch_gas;          /* L1 execution gas per batch (commit etc.) */
	int64_t commitment_bytes;   /* calldata per batch when data is off L1 */
	bool da_fallback;           /* alt DA failed: post the data on L1 */
	bool state_diffs;           /* bytes from packed state diffs (SDR) */
	bool split;                 /* volition: l1_share of txs on L1 */
	double l1_share;
	bool commit_on_l1;          /* data elsewhere, a commitment tx on L1 */
};

struct batcher_stats {
	uint64_t posted, posted_w;  /* transactions; _w: after warm-up */
	double batches, da_bytes;   /* after warm-up */
	double blob_bytes_bought, blob_payload_bytes;
	double fallback_batches;
	double max_gap_s;           /* longest gap between postings */
	double parent_bytes;        /* DA_PARENT: bytes carried by the parent */
	double latency_sum_s;       /* arrival to posting, summed over posted_w */
	sim_time_t last_post;
	uint64_t limit_ticks;       /* ticks a due batch waited for max_pending_txs */
	uint64_t queue_merges;      /* pending queue merged cohorts (COHORT_Q_MAX) */
};

struct batcher;

/* Where posted batches go; the sink owns the batch from then on (it
 * frees it with owned_free on the instance's list). */
typedef void batcher_sink_fn(void *ctx, struct batch *b);

/*
 * A batcher of 'cfg'.  'calib' (transaction-data compression) is shared
 * and outlives it; 'da' is the layer of DA_ALT; 'rng' the instance's
 * stream (state diffs draw from it); 'kinds' the workload's transaction
 * kinds.  NULL when out of memory.
 */
struct batcher *batcher_create(struct sim *sim, struct l1_chain *l1,
			       const struct batcher_cfg *cfg,
			       struct l1poster *poster, struct da_layer *da,
			       struct comp_calib *calib,
			       const struct tx_kind_params *kinds, gsl_rng *rng,
			       struct ledger *ledger, struct owned_list *owned,
			       sim_time_t warmup);
void batcher_destroy(struct batcher *b);

void batcher_set_sink(struct batcher *b, batcher_sink_fn *fn, void *ctx);

/* DA_PARENT: batches ride in the carrier's batches (an L3 on its
 * parent): fn(carrier, rider).  Set before the first tick. */
void batcher_set_carrier(struct batcher *b, batch_carry_fn *fn,
			 void *carrier);
/* A batch_carry_fn: the rider's bytes join the next batch this batcher
 * cuts (a batch is cut for riders alone when they fill it or the oldest
 * waited max_delay). */
int batcher_carry(void *batcher, struct batch_rider *r);
/* Told when an L1 reorg takes out a block holding data of batch 'b'
 * (once per data transaction reorged). */
typedef void batcher_reorg_fn(void *ctx, const struct batch *b,
			      sim_time_t now);
/* 0 or L2S_ENOMEM. */
int batcher_add_reorg_hook(struct batcher *b, batcher_reorg_fn *fn,
			   void *ctx);

/* A sequenced cohort joins the pending queue (a seq_sink_fn). */
void batcher_accept(void *batcher, const struct cohort *c);
/* Cuts and posts what is due at 'now'. */
void batcher_tick(struct batcher *b, sim_time_t now);
/* Fault handler (faults.h): no posting while any outage is in force. */
void batcher_set_down(void *batcher, int member, bool down);

/* Sequenced and not yet posted: pending or in batches in flight. */
uint64_t batcher_unposted(const struct batcher *b);
/* When the longest-waiting transaction not yet posted was sequenced;
 * SIM_TIME_MAX if none. */
sim_time_t batcher_oldest_sequenced(const struct batcher *b);
/* At the end of a run: the gap since the last posting counts when
 * transactions are still waiting. */
void batcher_finish(struct batcher *b, sim_time_t end, bool waiting);
const struct batcher_stats *batcher_stats(const struct batcher *b);
const struct batcher_cfg *batcher_config(const struct batcher *b);
const struct lat_hist *batcher_latency(const struct batcher *b);
/* Arrival to the L1 justification (Casper FFG, the "safe" head) of the
 * batch's L1 data or commitment, batches posted after warm-up; empty for
 * data kept off L1 only. */
const struct lat_hist *batcher_latency_justified(const struct batcher *b);

/* Series since the last call: transactions posted, L1 bytes and the
 * transactions of batches posted after warm-up. */
void batcher_take_series(struct batcher *b, uint64_t *posted, double *bytes,
			 uint64_t *bytes_txs);

#endif
