/*
 * Proof aggregation: several systems' validity proofs verified on L1 by one
 * aggregated proof instead of one verification each.
 *
 * The scenario's "aggregators" array declares them; systems name one.
 * Types:
 *   "independent"  no aggregation: each system verifies its own proof on L1
 *                  (the system pays prover_verify_gas).  agg_submit() on it
 *                  is refused; the declaration exists so scenarios can name
 *                  the choice explicitly and sweep over it.
 *   "l1.5"         an aggregation layer (NEBRA UPA / Aligned style):
 *                  gas = base_gas + per_proof_gas * proofs
 *   "ecosystem"    ecosystem (L3) aggregation: every ecosystem's proof is
 *                  verified on L1 inside the round's transaction:
 *                  gas = base_gas + per_ecosystem_gas * distinct ecosystems
 *   "composer"     a composer ZKR: its member systems (agg_join) are
 *                  composed into one state and one proof, atomic among
 *                  themselves: a round closes only when every member has a
 *                  proof waiting (else it waits for the next boundary),
 *                  and settles all of them in one transaction:
 *                  gas = base_gas
 *
 * Rounds: the first proof submitted while no round is open opens one; it
 * closes at the first multiple of 'interval' (counted from the time the
 * set was created) strictly after that submission.  A proof submitted at
 * the very instant of a close joins that round if the close event has not
 * run yet (ties resolve in event order).  No proof, no round, no event.
 * At the close the waiting proofs (at most 'max_proofs'; the rest stay for
 * the next round) are cut in submission order into L1 transactions, each
 * as full as the chain's per-tx gas cap allows (and, with a proof tree, at
 * most fan_in^levels proofs): a round over the cap is split into several
 * transactions.  Each transaction verifies one aggregated proof:
 *   - flat (no "fan_in"): made in 'latency';
 *   - a proof tree ("fan_in" F, "levels" [{latency, provers}...]): a
 *     transaction of n proofs has depth d = ceil(log_F n) (at least 1) and
 *     ceil(n / F^l) nodes at level l; level l of the round takes
 *     levels[l].latency * ceil(nodes / provers) (provers absent: as many as
 *     needed), after level l-1 and after the level's machines finished the
 *     previous round.
 * When the round's proofs are made, its transactions are submitted; when
 * one is included every participant's callback gets an agg_receipt.
 *
 * Keys of each element (docs/model-settlement.md):
 *   name, type, interval (default "10m"), latency (default "5m"),
 *   base_gas (300,000), per_proof_gas (20,000), per_ecosystem_gas
 *   (500,000), max_proofs (default: no limit beyond the gas cap),
 *   max_fee_per_gas (default "10000gwei"), max_priority_fee_per_gas
 *   (default "1gwei"), fan_in and levels (a proof tree; "latency" is then
 *   per level).
 *
 * Units: time in sim_time_t ns, gas in gas, fees in wei.  Errors: 0 or a
 * negative L2S_E* code with 'err' (may be NULL) filled.
 */
#ifndef L2SIM_AGGREGATION_H
#define L2SIM_AGGREGATION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/l1.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/time.h"

struct agg_set;
struct aggregator;

/* The deepest proof tree an aggregator may have. */
#define AGG_LEVELS_MAX 16

enum agg_type {
	AGG_INDEPENDENT,
	AGG_L15,
	AGG_ECOSYSTEM,
	AGG_COMPOSER,
};

/* What a participant learns when the round's L1 transaction is included. */
struct agg_receipt {
	const char *aggregator;    /* its name (owned by the set) */
	sim_time_t submitted_at;   /* when agg_submit() was called */
	sim_time_t closed_at;      /* when its round closed */
	sim_time_t included_at;    /* from the L1 receipt */
	sim_time_t final_at;       /* from the L1 receipt */
	int64_t tx_gas;            /* the whole transaction's gas */
	int64_t gas_share;         /* tx_gas split equally across its proofs */
	l1_u128 fee_share_wei;     /* the L1 fee split likewise */
	double fee_share_eth;
	int32_t proofs;            /* proofs in the transaction */
	int32_t ecosystems;        /* distinct ecosystems (type ecosystem) */
	int32_t levels;            /* depth of the tree that aggregated it (1 flat) */
	int32_t round_txs;         /* L1 transactions its round was split into */
	int32_t inclusion;         /* 1; 2, 3... when an L1 reorg re-included it */
};

/*
 * Called from the L1 inclusion event.  'r' is valid during the call only.
 * After an L1 reorg of the transaction, the callback runs again at its
 * re-inclusion with inclusion > 1 (and the new times); callers that count
 * settlements should count inclusion == 1 only, or update their times.
 */
typedef void agg_done_fn(struct sim *sim, void *ctx,
			 const struct agg_receipt *r);

/*
 * Reads the scenario's "aggregators" array from 'root' (absent: an empty
 * set), validates every element (unknown keys, duplicate or reserved
 * names, a round that could not fit one proof in an L1 transaction) and
 * builds the set on 'sim'.  'l1' receives the transactions; it may be NULL
 * only if agg_set_submit_fn() is called before any round closes (tests).
 * The set keeps pointers into the scenario's JSON (names), so the scenario
 * must outlive it.  Returns 0, L2S_EINPUT (located) or L2S_ENOMEM; on
 * failure nothing is left.
 */
int aggregators_create(struct sim *sim, struct l1_chain *l1,
		       const struct scn_obj *root, struct agg_set **out,
		       struct l2s_error *err);

/* Frees the set; pending proofs are dropped without callbacks.  Call it
 * after the run, before destroying the L1 chain (the chain may hold
 * callbacks into the set, but never calls them once it is destroyed).
 * NULL does nothing. */
void agg_set_destroy(struct agg_set *set);

/* The aggregator declared as 'name', or NULL. */
struct aggregator *agg_find(struct agg_set *set, const char *name);
/* The declared name closest to a misspelt 'name' (for "did you mean"), or
 * NULL when none is close. */
const char *agg_closest(const struct agg_set *set, const char *name);
size_t agg_count(const struct agg_set *set);
struct aggregator *agg_at(struct agg_set *set, size_t i);

const char *agg_name(const struct aggregator *a);
enum agg_type agg_type(const struct aggregator *a);
/* NULL-terminated type names in enum order ("independent", "l1.5",
 * "ecosystem", "composer"). */
const char *const *agg_type_names(void);

/*
 * Submits one proof to the aggregator's next round.  'ecosystem' names
 * the proof's ecosystem for type "ecosystem" (required there, and must
 * stay valid until the callback ran; NULL otherwise).  fn(sim, ctx, r)
 * runs when the round's L1 transaction is included (see agg_done_fn).
 * Returns 0, L2S_EINPUT (type "independent"; ecosystem missing for type
 * "ecosystem" or "composer" (the member's name) or given for another
 * type; NULL fn) or L2S_ENOMEM.
 */
int agg_submit(struct aggregator *a, const char *ecosystem, agg_done_fn *fn,
	       void *ctx);

/* Composer: 'member' (a system instance's name, kept, not copied) is
 * composed into this aggregator's state; it submits its proofs with
 * ecosystem = member.  L2S_EINPUT on another type; L2S_ENOMEM. */
int agg_join(struct aggregator *a, const char *member);
size_t agg_members(const struct aggregator *a);

/* Proofs submitted and not yet in an included transaction. */
size_t agg_pending(const struct aggregator *a);

/* Gas of a transaction carrying 'proofs' proofs from 'ecosystems'
 * distinct ecosystems under this aggregator's formula. */
int64_t agg_tx_gas(const struct aggregator *a, int64_t proofs,
		   int64_t ecosystems);

/* Proof trees: the depth of a tree of fan-in 'fan_in' over 'proofs'
 * proofs (the least d >= 1 with fan_in^d >= proofs; 1 when fan_in < 2),
 * the nodes of its level 'level' (1-based: ceil(proofs / fan_in^level)),
 * and the time a level of 'nodes' nodes takes on 'provers' machines
 * (0: unlimited) at 'latency' per node. */
int32_t agg_tree_depth(int64_t fan_in, int64_t proofs);
int64_t agg_tree_nodes(int64_t fan_in, int64_t proofs, int32_t level);
sim_time_t agg_level_time(sim_time_t latency, int64_t provers, int64_t nodes);

/*
 * Seam for tests: route the set's L1 transactions through 'fn' instead of
 * l1_submit(l1, ...).  'fn' must behave like l1_submit (callbacks later,
 * from events).  NULL restores l1_submit.
 */
typedef int agg_l1_submit_fn(void *ctx, const struct l1_tx *tx,
			     uint64_t *tx_id, struct l2s_error *err);
void agg_set_submit_fn(struct agg_set *set, agg_l1_submit_fn *fn, void *ctx);

/* Metrics count L1 inclusions at or after 'warmup' (default 0). */
void agg_set_warmup(struct agg_set *set, sim_time_t warmup);

/*
 * Adds per-aggregator metrics (component = its name) for every
 * non-independent aggregator: rounds (L1 transactions included), proofs
 * (proofs in them), l1_gas_total, gas_per_proof, cost_eth, ecosystems_mean
 * (type ecosystem: distinct ecosystems per transaction), proofs_pending_end,
 * proof_levels (deepest tree included), rounds_closed, rounds_split
 * (rounds of more than one L1 transaction) and submit_failures (transactions L1 refused, or rounds lost for lack of
 * memory; refused proofs go back to the front of the queue and wait for
 * the next round).
 */
void agg_collect(struct agg_set *set, struct run_result *res);

#endif
