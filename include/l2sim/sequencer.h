/*
 * Sequencers: own (one operator per system instance), shared (one for many
 * instances, its capacity split among them), based (L1 proposers sequence:
 * one L2 block per L1 block, none in a missed slot).
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
#include "l2sim/txkind.h"

enum seq_type { SEQ_OWN, SEQ_SHARED, SEQ_BASED };

struct seq_cfg {
	enum seq_type type;
	const char *shared_name;    /* SEQ_SHARED: shared_sequencers[].name */
	int64_t capacity;           /* tx/s in micro-units (SCN_RATE_ONE) */
	int64_t gas_capacity;       /* L2 gas per second, 0 = unlimited */
	int64_t mempool_limit;      /* txs waiting; beyond it arrivals drop */
	sim_time_t block_time;      /* L2 block interval */
	sim_time_t confirm_latency; /* soft confirmation after the block */
};

/* A shared sequencer's settings (shared_sequencers[] in a scenario). */
struct shared_seq_cfg {
	char name[96];
	int64_t capacity;           /* tx/s (micro) for all members together */
	int64_t mempool_limit;      /* per member */
	sim_time_t block_time;
	sim_time_t consensus_latency;
};

struct seq_stats {
	uint64_t offered, dropped, sequenced;
	uint64_t offered_w, sequenced_w;   /* after warm-up */
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
/* Told how many transactions went through under the policy's forced rate. */
typedef void seq_forced_fn(void *ctx, uint64_t txs);

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

/* Arrivals of (t0, t1] join the mempool as cohort *c (arrival time set by
 * the caller); the newest beyond the mempool limit are dropped. */
void seq_arrive(struct sequencer *s, struct cohort *c, sim_time_t t0);
/* An own sequencer's tick (t0, t1]. */
void seq_tick(struct sequencer *s, sim_time_t t0, sim_time_t t1);
/* Based sequencing: the L1 block at t (the previous built one at t_prev). */
void seq_based_block(struct sequencer *s, sim_time_t t_prev, sim_time_t t);

/* Fault handler (faults.h): down while any outage of it is in force. */
void seq_set_down(void *sequencer, int member, bool down);

uint64_t seq_mempool_txs(const struct sequencer *s);
/* Mean arrival time of the oldest cohort waiting; SIM_TIME_MAX if none. */
sim_time_t seq_oldest_arrival(const struct sequencer *s);
const struct seq_stats *seq_stats(const struct sequencer *s);
const struct lat_hist *seq_latency(const struct sequencer *s);
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
/* Its metrics: members, tps_sequenced over 'duration', saturated_share. */
void shared_seq_collect(const struct shared_seq *s, struct run_result *res,
			sim_time_t duration);

#endif
