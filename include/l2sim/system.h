/*
 * Scaling systems.  A system (one entry of a scenario's "systems") has a
 * type and the settings of its components; it runs as 'count' instances.
 * An instance composes its components and wires them:
 *
 *   workload -> sequencer -> batcher -> L1 poster / DA layer
 *                                  \-> settlement -> (prover, aggregator,
 *                                                     L1 poster)
 *
 * with a ledger every paying component books into, an owned list for
 * what is in flight, and its mechanisms (include/l2sim/mechanism.h).  It
 * checks liveness each tick and reports the metrics of each instance, of
 * each system of several instances and of "all".
 */
#ifndef L2SIM_SYSTEM_H
#define L2SIM_SYSTEM_H

#include <stdbool.h>
#include <stdint.h>

#include "l2sim/aggregation.h"
#include "l2sim/batcher.h"
#include "l2sim/da.h"
#include "l2sim/fees.h"
#include "l2sim/l1.h"
#include "l2sim/l1poster.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/sequencer.h"
#include "l2sim/settlement.h"
#include "l2sim/workload.h"

enum sys_type {
	SYS_OPTIMISTIC,
	SYS_ZK,
	SYS_SDR,
	SYS_VALIDIUM,
	SYS_VOLITION,
	SYS_TYPES
};

const char *sys_type_name(enum sys_type t);

/* A system's promises (docs/model-liveness.md): breaking one is a row of
 * the failures table. */
struct liveness_cfg {
	sim_time_t sequence_within;    /* soft-confirmation promise */
	sim_time_t post_within;        /* posting promise */
	sim_time_t finalize_within;    /* finality promise */
};

/* A system as configured (shared by its instances). */
struct system_def {
	char name[96];
	enum sys_type type;
	int64_t count;
	const struct workload *workload;
	struct seq_cfg seq;
	struct batcher_cfg batcher;
	struct l1poster_cfg poster;
	struct settle_cfg settle;
	struct liveness_cfg live;
	struct scn_obj prover_cfg;     /* the "prover" object (may be empty) */
	bool has_prover;
	struct da_layer *da;           /* DA_ALT */
	struct aggregator *agg;
	struct comp_calib *calib;      /* shared by the instances */
	struct shared_seq *shared;
	void **mech_cfg;               /* per mech_registry[] entry, or NULL */
	const char *settles_on;        /* "settles_on": the parent's name, or
					  NULL (L1) */
	struct system_def *parent;     /* its definition */
	struct fees_cfg *fees;         /* fee mechanism, or NULL */
	json_t *preset_entry;          /* "preset": the entry merged over the
					  preset (owned), NULL without one */
};

/* Real-system presets (models/system/presets.c, docs/presets.md): the
 * JSON of a system entry for NAME, or NULL; the i-th name, NULL past the
 * last. */
const char *sys_preset_json(const char *name);
const char *sys_preset_name(size_t i);

/* What systems are built on (all outlive them). */
struct sys_env {
	struct sim *sim;
	struct l1_chain *l1;
	struct da_set *da;
	struct workload_set *workloads;
	struct agg_set *aggs;
	struct shared_seq **shared;
	size_t n_shared;
	sim_time_t warmup;
};

/* Reads "shared_sequencers" into *out (n of them; free each with
 * shared_seq_destroy, then the array). */
int sys_read_shared_seqs(struct sim *sim, const struct scn_obj *root,
		     struct shared_seq ***out, size_t *n,
		     struct l2s_error *err);
/* Reads "systems" into *defs (*n of them, also on failure: free with
 * sys_defs_free). */
int sys_read_systems(const struct sys_env *env, const struct scn_obj *root,
		 struct system_def **defs, size_t *n, struct l2s_error *err);
void sys_defs_free(struct system_def *defs, size_t n);

struct sys_instance;

/* Instance 'index' of 'def' ("name#index" when count > 1). */
int sys_instance_create(const struct sys_env *env, struct system_def *def,
			int index, struct sys_instance **out,
			struct l2s_error *err);
void sys_instance_destroy(struct sys_instance *in);
/* Schedules its first events. */
int sys_instance_start(struct sys_instance *in);

const char *sys_instance_name(const struct sys_instance *in);
const struct system_def *sys_instance_def(const struct sys_instance *in);
struct sequencer *sys_instance_sequencer(struct sys_instance *in);
struct batcher *sys_instance_batcher(struct sys_instance *in);
struct settlement *sys_instance_settlement(struct sys_instance *in);
const struct ledger *sys_instance_ledger(const struct sys_instance *in);

/* Systems on systems (system_layers.c): instance k of a system with
 * "settles_on" rides on instance k mod count of its parent: its batches'
 * bytes and its proofs travel in the parent's batches.  Call once, after
 * every instance of 'inst' is created and before the run. */
void sys_link_parents(struct sys_instance *const *inst, size_t n);
/* Resolves every "settles_on" of 'defs' (names, types, cycles); located
 * errors on 'root'.  Called by sys_read_systems. */
int sys_resolve_parents(struct system_def *defs, size_t n,
			const struct scn_obj *root, struct l2s_error *err);
/* The value a mechanism of the instance reports under 'name' (what
 * its collect would write); NAN when none does. */
double sys_instance_mech_metric(const struct sys_instance *in,
				const char *name);

/* A tick (t0, t1]: arrivals join the mempool (not under based
 * sequencing), and an own sequencer sequences. */
void sys_tick_arrivals(struct sys_instance *in, sim_time_t t0, sim_time_t t1);
/* After the sequencers of a tick: batches and the liveness check; returns
 * a value of its state to fold into the trajectory fingerprint. */
uint64_t sys_tick_post(struct sys_instance *in, sim_time_t now);
/* Based sequencing: the L1 block at b sequences (an l1_block_fn). */
void sys_based_block(void *inst, const struct l1_block *b);

/* Faults the instance's mechanisms accept (e.g. data_withholding): their
 * kind, handler and object, for registering fault targets.  Returns how
 * many were written (at most cap). */
struct sys_fault_hook {
	const char *kind;
	void (*set_down)(void *obj, int member, bool down);
	void *obj;
};
size_t sys_instance_fault_hooks(struct sys_instance *in,
				struct sys_fault_hook *out, size_t cap);

/* Fault handlers (faults.h) for an instance. */
void sys_set_seq_down(void *inst, int member, bool down);
void sys_set_poster_down(void *inst, int member, bool down);
void sys_set_prover_down(void *inst, int member, bool down);
bool sys_has_prover(const struct sys_instance *in);

/* A system's trust profile, as the seed essays tabulate it: who can stop
 * a user's transaction and for how long, what makes its state valid,
 * where its data is, what it settles on.  The strings are static. */
struct sys_trust {
	const char *sequencing;   /* own, shared, based */
	const char *liveness;     /* operator, shared_sequencer, l1 */
	sim_time_t liveness_bound; /* -1: unbounded */
	const char *validity;     /* validity_proof, fraud_proof, none */
	const char *data;         /* l1, committee, alt_da, mixed */
	const char *settles_on;   /* "l1", or the parent (settles_on) */
	/* What it shares with others and can be throttled by: L1 blob space
	 * or calldata, a DA layer, a shared sequencer, an aggregator. */
	char depends_on[192];
};

void sys_trust_profile(const struct system_def *def, sim_time_t slot_time,
		       struct sys_trust *out);

/* Metrics of every instance, of each system of several instances, and
 * of "all"; 'window' is the measured time after warm-up. */
void sys_collect(struct sys_instance *const *inst, size_t n,
		 const struct system_def *defs, size_t n_defs,
		 struct run_result *res, sim_time_t end, double window_s);
/* A row of the systems table per instance. */
void sys_collect_trust(struct sys_instance *const *inst, size_t n,
		       struct run_result *res, sim_time_t slot_time);
/* Series points at 'now' over the last 'interval' (per instance when
 * per_instance, and "all"). */
void sys_series_sample(struct sys_instance *const *inst, size_t n,
		       struct run_result *buf, bool per_instance,
		       sim_time_t now, sim_time_t interval);

#endif
