/*
 * Settlement: when posted transactions become final.
 *
 *  - Challenge (optimistic rollups): final when the challenge window has
 *    passed since the batch's L1 inclusion (and the L1 block itself is
 *    final); state roots are posted every state_root_interval while
 *    batches flow.
 *  - Proof (ZK, SDR, validium, volition): posted batches are grouped into
 *    proof jobs of the prover's batches_per_proof batches; the prover works
 *    through them; the proof is verified on L1 alone (verify gas plus
 *    verify_extra_gas, plus the DA commitments of a validium as calldata)
 *    or through an aggregator.  Final when the verifying L1 block is final.
 *  - Enshrined: L1 verifies each posted batch by a precompile for a fixed
 *    gas; no prover.  Final when that L1 block is final.
 *  - On a parent (an L3): proofs ride in the parent's batches as
 *    parent_proof_bytes; final when the parent's batch carrying the proof
 *    is final on L1.
 *
 * Proof levels: 1 for a proof verified alone on L1, 1 + the tree's depth
 * through an aggregator, 1 + the parent's levels on a parent; 0 for a
 * challenge window or enshrined verification.  Every posted batch's
 * riders (bytes of systems settling on this one) get on_final when the
 * batch is final.
 *
 * Settlement takes posted batches from the batcher (settle_batch_posted is
 * a batcher_sink_fn), owns them from then on, and records finality.
 */
#ifndef L2SIM_SETTLEMENT_H
#define L2SIM_SETTLEMENT_H

#include <stdbool.h>
#include <stdint.h>

#include "l2sim/aggregation.h"
#include "l2sim/batch.h"
#include "l2sim/l1poster.h"
#include "l2sim/lathist.h"
#include "l2sim/ledger.h"
#include "l2sim/owned.h"
#include "l2sim/prover.h"

/* SETTLE_ENSHRINED: L1 verifies each batch's state transition itself (an
 * enshrined ZK-EVM precompile): no prover, a fixed gas per verification. */
enum settle_mode { SETTLE_CHALLENGE, SETTLE_PROOF, SETTLE_ENSHRINED };

struct settle_cfg {
	enum settle_mode mode;
	sim_time_t challenge_window;   /* challenge: fraud-proof window */
	int64_t state_root_gas;        /* challenge: per state-root posting */
	sim_time_t state_root_interval;
	int64_t verify_extra_gas;      /* per proof tx besides verification */
	int64_t commitment_bytes;      /* per batch, with the proof (validium) */
	bool commitments_with_proof;
	const char *aggregator;        /* NULL: verify alone */
	const char *ecosystem;         /* for ecosystem aggregation */
	int64_t enshrined_gas;         /* enshrined: L1 gas per verification */
	bool on_parent;                /* proofs verified on the parent (L3) */
	int64_t parent_proof_bytes;    /* on_parent: bytes a proof adds */
};

struct settle_stats {
	uint64_t finalized, finalized_w;   /* transactions; _w after warm-up */
	uint64_t proofs;                   /* proofs made (jobs proven) */
	uint64_t proofs_settled;           /* of which final where verified */
	int32_t levels_max;                /* deepest proof chain to L1 */
	double latency_sum_s;   /* arrival to finality, summed over finalized_w */
	uint64_t unfinal;       /* posted, not yet final */
	uint64_t gas_capped;    /* proof txs cut to the L1 per-tx gas cap */
};

struct settlement;

/*
 * Settlement of 'cfg'.  'prover' (proof mode) and 'agg' (NULL: verify
 * alone) outlive it; so do poster, ledger and owned.  NULL when out of
 * memory.
 */
struct settlement *settle_create(struct sim *sim, struct l1_chain *l1,
				 const struct settle_cfg *cfg,
				 struct l1poster *poster, struct prover *prover,
				 struct aggregator *agg, struct ledger *ledger,
				 struct owned_list *owned, sim_time_t warmup);
void settle_destroy(struct settlement *s);

/* Schedules its first events (state roots). */
void settle_start(struct settlement *s);
/* A batch was posted (a batcher_sink_fn). */
void settle_batch_posted(void *settlement, struct batch *b);

/* Through a composer aggregator: joins it as 'member' (kept, not copied;
 * the instance's name).  0 when its aggregator is not a composer. */
int settle_join_composer(struct settlement *s, const char *member);

/* on_parent: proofs ride in the parent's batches through fn(carrier)
 * (batcher_carry on the parent's batcher).  Set before the run. */
void settle_set_carrier(struct settlement *s, batch_carry_fn *fn,
			void *carrier);

/* Fault handlers (faults.h): the prover's outages, and the poster's (no
 * state roots while the batch poster is down). */
void settle_set_prover_down(void *settlement, int member, bool down);
void settle_set_poster_down(void *settlement, int member, bool down);

/*
 * A finality gate (challenge mode): the earliest time batch 'b' may become
 * final, or 0 for no constraint (a dispute over the state root covering
 * it holds it back).  Gates are asked when the batch's challenge window
 * ends; the latest time wins.  0 or L2S_ENOMEM.
 */
typedef sim_time_t settle_gate_fn(void *ctx, const struct batch *b);
int settle_add_gate(struct settlement *s, settle_gate_fn *fn, void *ctx);

/* Told of every batch settlement takes (posted), before it is settled. */
typedef void settle_batch_fn(void *ctx, const struct batch *b);
int settle_add_batch_hook(struct settlement *s, settle_batch_fn *fn,
			  void *ctx);

const struct settle_cfg *settle_config(const struct settlement *s);
const struct settle_stats *settle_stats(const struct settlement *s);
/* When the earliest-posted batch not yet final was posted (batches settle
 * in posting order: challenge windows, FIFO provers); SIM_TIME_MAX when
 * none. */
sim_time_t settle_oldest_unfinal(const struct settlement *s);
const struct lat_hist *settle_latency(const struct settlement *s);

#endif
