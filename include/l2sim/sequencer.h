/*
 * Sequencers: own (one operator per system instance), shared (one for many
 * instances, its capacity split among them, or set by a BFT consensus
 * model: see seq_bft_* below), based (L1 proposers sequence: one L2 block
 * per L1 block, none in a missed slot), rotating and auction (a set of
 * operators taking turns by epochs, or buying the epoch in an auction:
 * sequenced like an own sequencer, their hand-overs and failures applied
 * by the rotation mechanism).
 *
 * A sequencer owns its mempool: arrivals join it (beyond the mempool limit
 * the newest are dropped) and, each tick or L1 block, up to its capacity
 * moves on, first come first served, to the sink its instance registered
 * (the batcher).  It records soft-confirmation latencies.  While it is
 * down it sequences nothing unless an outage policy registered on it (a
 * mechanism: forced inclusion, takeover) lets transactions through.
 */
#ifndef L2SIM_SEQUENCER_H
#define L2SIM_SEQUENCER_H

#include <stdbool.h>
#include <stdint.h>

#include "l2sim/cohort.h"
#include "l2sim/engine.h"
#include "l2sim/lathist.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/txkind.h"

enum seq_type { SEQ_OWN, SEQ_SHARED, SEQ_BASED, SEQ_ROTATING, SEQ_AUCTION };

struct seq_cfg {
	enum seq_type type;
	const char *shared_name;    /* SEQ_SHARED: shared_sequencers[].name */
	int64_t capacity;           /* tx/s in micro-units (SCN_RATE_ONE) */
	int64_t gas_capacity;       /* L2 gas per second, 0 = unlimited */
	int64_t mempool_limit;      /* txs waiting; beyond it arrivals drop */
	sim_time_t block_time;      /* L2 block interval */
	sim_time_t confirm_latency; /* soft confirmation after the block */
};

/*
 * A BFT consensus of V validators ordering a shared sequencer's blocks
 * (HotShot- or CometBFT-like; docs/model-sequencing.md gives the sources).
 * One round (view) of a block of n transactions of mean size s bytes and
 * mean gas g, with M member systems, takes
 *
 *   R = base_round + V * vote_cost + M * member_cost
 *       + n * (s * fanout(V) / bandwidth + g / exec_gas_rate)
 *
 * where fanout(V) is V - 1 (the leader sends the payload to every
 * validator) or 'erasure_expansion' (erasure-coded dispersal: the leader
 * sends the payload's coded chunks once), and the g term is absent when
 * exec_gas_rate is 0 (ordering only, no execution).  A block holds at most
 * max_block_bytes.  A transaction is soft-confirmed decide_rounds rounds
 * after the round that proposes it.
 */
enum seq_bft_dissemination { SEQ_BFT_BROADCAST, SEQ_BFT_ERASURE };

struct seq_bft_cfg {
	int64_t validators;          /* V */
	sim_time_t base_round;       /* network phases and fixed work */
	sim_time_t vote_cost;        /* per validator per round */
	sim_time_t member_cost;      /* per member system per round */
	int64_t bandwidth;           /* leader's upload, bytes/s */
	enum seq_bft_dissemination dissemination;
	double erasure_expansion;    /* SEQ_BFT_ERASURE: bytes sent / payload */
	int64_t max_block_bytes;
	int64_t exec_gas_rate;       /* gas/s a node executes; 0 = none */
	int64_t decide_rounds;       /* rounds from proposal to decision */
};

/* A round under a steady arrival rate (seq_bft_round). */
struct seq_bft_round {
	double round_s;       /* R, seconds */
	double txs;           /* transactions per round */
	double capacity_tps;  /* most tx/s the consensus can order */
	bool saturated;       /* the arrivals exceed it */
};

/* Reads a "consensus" object into *cfg (documented defaults); 0 or
 * L2S_EINPUT. */
int seq_bft_read(const struct scn_obj *o, struct seq_bft_cfg *cfg,
		 struct l2s_error *err);
/* Seconds of a round's fixed part: base + V * vote + M * member. */
double seq_bft_fixed_s(const struct seq_bft_cfg *c, int64_t members);
/* Seconds per transaction of s bytes and g gas in a round. */
double seq_bft_per_tx_s(const struct seq_bft_cfg *c, double bytes,
			double gas);
/*
 * The round under arrivals of 'rate' tx/s of mean 'bytes' and 'gas' with
 * 'members' members: rounds run back to back, each carrying what arrived
 * during the previous one, so R = a + rate * R * c, i.e.
 * R = a / (1 - rate * c), while that block fits (rate * c < 1 and
 * rate * R <= the most transactions of a block); beyond it every block is
 * full: R = a + n_max * c, capacity n_max / R.
 */
void seq_bft_round(const struct seq_bft_cfg *c, int64_t members, double rate,
		   double bytes, double gas, struct seq_bft_round *out);

/* A shared sequencer's settings (shared_sequencers[] in a scenario). */
struct shared_seq_cfg {
	char name[96];
	int64_t capacity;           /* tx/s (micro) for all members together */
	int64_t mempool_limit;      /* per member */
	sim_time_t block_time;
	sim_time_t consensus_latency;
	bool bft;                   /* capacity and timing from 'consensus' */
	struct seq_bft_cfg consensus;
};

struct seq_stats {
	uint64_t offered, dropped, sequenced;
	uint64_t offered_w, sequenced_w;   /* after warm-up */
	double latency_sum_s;  /* soft-confirmation seconds summed over the
				  sequenced_w transactions (exact means) */
	uint64_t limit_ticks;   /* ticks in which mempool_limit dropped txs */
	uint64_t queue_merges;  /* mempool merged cohorts (COHORT_Q_MAX) */
};

struct sequencer;
struct shared_seq;

/* Where sequenced cohorts go (ctx as registered). */
typedef void seq_sink_fn(void *ctx, const struct cohort *c);

/*
 * An outage policy: while the sequencer has been down for 'down_for', the
 * rate (micro tx/s) at which transactions still get through, or -1 for
 * none from this policy.  *forced tells whether they go through L1 (users
 * forcing them) rather than through a replacement operator.  Policies are
 * asked in the order they were added; the first with a rate wins.
 */
typedef int64_t seq_outage_fn(void *ctx, sim_time_t down_for,
			      int64_t full_rate, bool *forced);
/* Told which transactions went through under the policy's rate (counts
 * per kind in c->n, c->total in all) at 'now'; 'forced' when through L1
 * (see seq_outage_fn). */
typedef void seq_forced_fn(void *ctx, const struct cohort *c, bool forced,
			   sim_time_t now);
/* Told of every cohort sequenced, before the sink gets it. */
typedef void seq_observer_fn(void *ctx, const struct cohort *c);

/*
 * A gate: asked before each tick or block the sequencer would sequence
 * in, with its full capacity 'full' (micro tx/s); returns the rate it
 * allows: 'full' to let it run, less to slow it, 0 to halt it for that
 * tick (the sequencer stops itself, e.g. on a posting backlog:
 * backpressure).  The lowest rate of all gates applies (a shared
 * sequencer's member only halts).  Arrivals still join the mempool.
 */
typedef int64_t seq_gate_fn(void *ctx, sim_time_t now, int64_t full);

/*
 * A sequencer of 'cfg' on 'sim' for transactions of 'kinds'; 'shared'
 * (may be NULL) is the shared sequencer it is a member of (cfg->type ==
 * SEQ_SHARED), which then sets its mempool limit and its timing.  NULL
 * when out of memory.
 */
struct sequencer *seq_create(struct sim *sim, const struct seq_cfg *cfg,
			     struct shared_seq *shared,
			     const struct tx_kind_params *kinds,
			     sim_time_t warmup);
void seq_destroy(struct sequencer *s);

void seq_set_sink(struct sequencer *s, seq_sink_fn *fn, void *ctx);
/* 0 or L2S_ENOMEM. */
int seq_add_outage_policy(struct sequencer *s, seq_outage_fn *fn,
			  seq_forced_fn *forced, void *ctx);

/* 0 or L2S_ENOMEM.  Observers are told in the order they were added. */
int seq_add_observer(struct sequencer *s, seq_observer_fn *fn, void *ctx);
/* Adds 'delay' to every soft confirmation (e.g. an ordering policy's
 * artificial delay of ordinary transactions). */
void seq_add_confirm_delay(struct sequencer *s, sim_time_t delay);
enum seq_type seq_type(const struct sequencer *s);
/* What the operator earned by ordering (ETH, e.g. MEV it captured): an
 * ordering policy adds, an auction of the sequencing right reads it. */
void seq_add_revenue(struct sequencer *s, double eth);
double seq_revenue(const struct sequencer *s);

/*
 * Cross-system bundles of a shared sequencer's member: 'share' of its
 * sequenced transactions are bundles with a leg on another member.  A
 * bundle is included atomically when the other legs make the same
 * round; when the other members are down or their demand is not all
 * served in that tick, the unserved fraction of bundles fails together.
 * Counts are carried as whole bundles.
 */
void seq_set_bundle_share(struct sequencer *s, double share);
void seq_bundles(const struct sequencer *s, uint64_t *atomic,
		 uint64_t *failed);
/* 0 or L2S_ENOMEM.  Any gate that says halt halts. */
int seq_add_gate(struct sequencer *s, seq_gate_fn *fn, void *ctx);
/* Whether a gate halted the sequencer at its last tick or block. */
bool seq_halted(const struct sequencer *s);
/* Whether it is down (an outage of it or of its shared sequencer). */
bool seq_is_down(const struct sequencer *s);
/* Whether its last tick or block sequenced at full capacity (up and not
 * halted, or down with a replacement at full rate). */
bool seq_serving(const struct sequencer *s);
/* Since when it is down (meaningful while seq_is_down). */
sim_time_t seq_down_since(const struct sequencer *s);

/* Arrivals of (t0, t1] join the mempool as cohort *c (arrival time set by
 * the caller).  The mempool limit applies after the tick's sequencing:
 * the newest beyond it are dropped then (seq_tick, shared_seq_tick,
 * seq_based_block, seq_missed_block). */
void seq_arrive(struct sequencer *s, struct cohort *c, sim_time_t t0);
/* An own sequencer's tick (t0, t1]. */
void seq_tick(struct sequencer *s, sim_time_t t0, sim_time_t t1);
/* Based sequencing: the L1 block at t (the previous built one at t_prev). */
void seq_based_block(struct sequencer *s, sim_time_t t_prev, sim_time_t t);
/* A missed L1 slot of a based sequencer: nothing sequenced, the mempool
 * limit applied. */
void seq_missed_block(struct sequencer *s);

/* Fault handler (faults.h): down while any outage of it is in force. */
void seq_set_down(void *sequencer, int member, bool down);

uint64_t seq_mempool_txs(const struct sequencer *s);
/* Mean arrival time of the oldest cohort waiting; SIM_TIME_MAX if none. */
sim_time_t seq_oldest_arrival(const struct sequencer *s);
const struct seq_stats *seq_stats(const struct sequencer *s);
/* Soft-confirmation latencies (adding the weight deferred so far). */
const struct lat_hist *seq_latency(struct sequencer *s);
/* Arrivals since the last call (series). */
uint64_t seq_take_series_offered(struct sequencer *s);

/* ---- shared sequencers ---------------------------------------------------- */

struct shared_seq *shared_seq_create(struct sim *sim,
				     const struct shared_seq_cfg *cfg);
void shared_seq_destroy(struct shared_seq *s);
const struct shared_seq_cfg *shared_seq_config(const struct shared_seq *s);
/* Adds a member (seq_create does this); 0 or L2S_ENOMEM. */
int shared_seq_add(struct shared_seq *s, struct sequencer *member);
/* One tick (t0, t1] for all members. */
void shared_seq_tick(struct shared_seq *s, sim_time_t t0, sim_time_t t1);
/* Fault handler (faults.h). */
void shared_seq_set_down(void *shared, int member, bool down);
/* Its metrics: members, tps_sequenced over 'duration', saturated_share;
 * with a consensus model also validators, round_time_mean (seconds, over
 * ticks with demand) and capacity_tps_mean. */
void shared_seq_collect(const struct shared_seq *s, struct run_result *res,
			sim_time_t duration);

#endif
