/*
 * Mechanisms: the extension point of a system instance.  A mechanism
 * (forced inclusion, takeover, and those to come: slashing,
 * pre-confirmations, disputes, exits, messaging, ordering policies, key
 * stores) reads its own settings from one section of a system's scenario
 * entry, attaches to each instance by registering hooks on the instance's
 * components (an outage policy on the sequencer, an L1 transaction through
 * the poster, ...) and reports its own metrics.
 *
 * Adding one is a new models/mechanisms/NAME.c defining a struct
 * mechanism, and one line in models/mechanisms/registry.c.
 */
#ifndef L2SIM_MECHANISM_H
#define L2SIM_MECHANISM_H

#include <gsl/gsl_rng.h>

#include "l2sim/batcher.h"
#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/l1poster.h"
#include "l2sim/ledger.h"
#include "l2sim/owned.h"
#include "l2sim/scenario.h"
#include "l2sim/sequencer.h"
#include "l2sim/settlement.h"

/* What a mechanism may use of its instance (all outlive the mechanism). */
struct mech_parts {
	const char *name;          /* the instance's component name */
	struct sim *sim;
	struct l1_chain *l1;
	struct sequencer *seq;
	const struct tx_kind_params *kinds; /* the workload's kinds */
	struct batcher *batcher;
	struct settlement *settle;
	struct l1poster *poster;
	struct ledger *ledger;
	struct owned_list *owned;
	gsl_rng *rng;              /* the instance's stream */
	bool provable;             /* non-inclusion can be proven: its data
				      is on L1 or signed by a committee */
	sim_time_t warmup;
};

/*
 * The promises a system can break (a row of the failures table each time
 * it does): arrivals not soft-confirmed within the sequencing promise;
 * transactions waiting unposted beyond the posting promise; posted
 * transactions not final within the finality promise; arrivals refused
 * (full mempool); the sequencer halted by a gate (backpressure).
 */
enum mech_cause {
	CAUSE_SEQUENCING,
	CAUSE_POSTING,
	CAUSE_FINALITY,
	CAUSE_DROPPED,
	CAUSE_HALTED,
	CAUSES
};

/* "sequencing", "posting", "finality", "dropped", "halted". */
const char *mech_cause_name(enum mech_cause c);

/* Metrics of an instance's mechanisms: combined over instances for a
 * system's and the "all" rows, each by sum, max or weighted mean. */
#define MECH_METRICS_MAX 64

struct mech_metrics {
	size_t n;
	const char *name[MECH_METRICS_MAX];
	double value[MECH_METRICS_MAX];   /* sum, max, or weighted sum */
	double weight[MECH_METRICS_MAX];  /* of a mean: its items */
	bool is_max[MECH_METRICS_MAX];    /* combined by max, not by sum */
	bool mean[MECH_METRICS_MAX];      /* a weighted mean, not a sum */
	bool failed;                      /* a figure was lost for want of
					     memory: the run fails */
};

/* Adds 'value' to metric 'name' (a string that outlives the run). */
void mech_metrics_add(struct mech_metrics *m, const char *name, double value);
/* A metric combined by its largest value (a latency, a delay); NaN (no
 * value) gives way to any number. */
void mech_metrics_max(struct mech_metrics *m, const char *name, double value);
/* A metric that is a mean (e.g. a quantile) over 'weight' items: groups
 * report the weighted mean of their instances' values (NAN over no
 * items). */
void mech_metrics_add_mean(struct mech_metrics *m, const char *name,
			   double value, double weight);
/* The value of entry i as reported (a weighted mean where weighted; NAN
 * for a mean over nothing). */
double mech_metrics_value(const struct mech_metrics *m, size_t i);
/* Combines every entry of 'from' into 'into' (sum, max or mean, as
 * each entry is). */
void mech_metrics_merge(struct mech_metrics *into,
			const struct mech_metrics *from);

/*
 * Helpers of the sequencing mechanisms, exported for their tests.
 * mech_auction_clear: a sealed-bid second-price auction of n bids: the
 * index of the highest bid (the first of equal ones), *price the highest
 * of the others (0 with one bidder).  mech_rotation_lost: the part of an
 * epoch without a leader when 'failed' leaders in a row fail (all of it
 * when every operator failed): gap + failed * timeout, at most the epoch.
 */
int mech_auction_clear(const double *bids, size_t n, double *price);
sim_time_t mech_rotation_lost(sim_time_t epoch, sim_time_t gap,
			      sim_time_t timeout, int64_t failed,
			      int64_t operators);

struct mechanism {
	const char *name;
	const char *section;         /* object of a system entry it reads */
	const char *const *keys;     /* its keys in that object */
	/* Reads and checks its settings from the section (an empty object
	 * when absent); *cfg NULL leaves it off for that system.  Once per
	 * system. */
	int (*read)(const struct scn_obj *section, void **cfg,
		    struct l2s_error *err);
	/* Attaches to one instance; *state is its per-instance state. */
	int (*attach)(const void *cfg, const struct mech_parts *parts,
		      void **state, struct l2s_error *err);
	/* Its metrics for the instance (also when it never acted). */
	void (*collect)(const void *state, struct mech_metrics *out);
	/* Optional: a failure interval [t0, t1] of the instance closed,
	 * with the transactions it affected (also at the end of the run). */
	void (*on_failure)(void *state, enum mech_cause cause, sim_time_t t0,
			   sim_time_t t1, double txs);
	void (*detach)(void *state);
	void (*free_cfg)(void *cfg);
	/* Optional: the longest time this mechanism lets the operator keep a
	 * user's transaction out (a forced-inclusion or takeover delay), or
	 * -1 when it bounds nothing.  For the trust profile. */
	sim_time_t (*liveness_bound)(const void *cfg);
	/* Optional: fault types it accepts on its instance (as in faults.h,
	 * e.g. "data_withholding"), and the outage handler they call with the
	 * mechanism's per-instance state. */
	const char *fault_kind;
	void (*set_down)(void *state, int member, bool down);
};

/* Gas of one exit with a Merkle proof of 'proof_depth' keccak levels
 * (models/mechanisms/exits.c gives the formula). */
int64_t mech_exit_gas(int64_t proof_depth);

/* How long consensus clients keep blobs at this slot time (4096 epochs
 * of 32 slots). */
sim_time_t mech_blob_retention(sim_time_t slot_time);

/* Every mechanism, in the order they attach (NULL-terminated). */
extern const struct mechanism *const mech_registry[];
size_t mech_count(void);

#endif
