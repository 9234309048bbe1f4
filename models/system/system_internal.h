/*
 * Scaling systems: the pieces a system instance is composed of (sequencer,
 * batcher, DA, settlement) and the state they share.  Internal to
 * models/system, models/sequencer, models/batcher and models/world.
 *
 * Transactions travel as cohorts: counts per kind with one arrival time
 * (DESIGN.md, "Transactions at scale").  A run's cost grows with ticks,
 * batches and blocks, never with the number of transactions.
 */
#ifndef L2SIM_SYSTEM_INTERNAL_H
#define L2SIM_SYSTEM_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_histogram.h>
#include <gsl/gsl_rng.h>

#include "l2sim/aggregation.h"
#include "l2sim/compress.h"
#include "l2sim/da.h"
#include "l2sim/engine.h"
#include "l2sim/l1.h"
#include "l2sim/prover.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/statediff.h"
#include "l2sim/txkind.h"
#include "l2sim/workload.h"

/* ---- cohorts ------------------------------------------------------------ */

struct cohort {
	sim_time_t arrived;    /* mean arrival time of the cohort */
	sim_time_t sequenced;  /* when sequenced (0 while in the mempool) */
	uint64_t n[TX_KINDS];
	uint64_t total;
};

/* Most cohorts a queue holds before it merges neighbours (cohort.c). */
#define COHORT_Q_MAX 4096

/* A FIFO ring of cohorts. */
struct cohort_q {
	struct cohort *c;
	size_t cap, head, len;
	uint64_t txs;          /* sum of totals */
	uint64_t n[TX_KINDS];  /* sums per kind */
};

int cohort_q_push(struct cohort_q *q, const struct cohort *c);
struct cohort *cohort_q_front(struct cohort_q *q);
/* Takes up to 'n' transactions from the front into *out (one cohort's
 * worth at most: the front cohort, or part of it, split in proportion
 * across kinds).  Returns the number taken (0 when empty). */
uint64_t cohort_q_take(struct cohort_q *q, uint64_t n, struct cohort *out);
void cohort_q_release(struct cohort_q *q);

/* Splits 'take' transactions off cohort c (kinds in proportion, largest
 * remainders first, deterministic) into *part; c keeps the rest. */
void cohort_split(struct cohort *c, uint64_t take, struct cohort *part);

/* ---- latency histograms --------------------------------------------------- */

/* Log-spaced weighted histogram of latencies in seconds (1 ms .. ~30 y). */
struct lat_hist {
	gsl_histogram *h;
	double weight;
};

int lat_hist_init(struct lat_hist *lh);
void lat_hist_release(struct lat_hist *lh);
void lat_hist_add(struct lat_hist *lh, double seconds, double weight);
/* The bin of a latency, and adding to a bin found before (hot paths). */
size_t lat_hist_bin(const struct lat_hist *lh, double seconds);
void lat_hist_add_bin(struct lat_hist *lh, size_t bin, double weight);
/* Adds another histogram of the same ranges. */
void lat_hist_merge(struct lat_hist *into, const struct lat_hist *from);
/* The q-quantile (0..1), log-interpolated within a bin; NAN when empty. */
double lat_hist_quantile(const struct lat_hist *lh, double q);

/* ---- configuration ------------------------------------------------------- */

enum sys_type {
	SYS_OPTIMISTIC,
	SYS_ZK,
	SYS_SDR,
	SYS_VALIDIUM,
	SYS_VOLITION,
	SYS_TYPES
};

enum seq_type { SEQ_OWN, SEQ_SHARED, SEQ_BASED };

enum da_target {
	DA_L1_BLOBS,
	DA_L1_CALLDATA,
	DA_L1_AUTO,   /* the cheaper of the two per byte, as the OP batcher */
	DA_ALT,       /* an alternative layer or committee from da_layers */
};

struct seq_cfg {
	enum seq_type type;
	const char *shared_name;    /* SEQ_SHARED: shared_sequencers[].name */
	int64_t capacity;           /* tx/s in micro-units (SCN_RATE_ONE) */
	int64_t gas_capacity;       /* L2 gas per second, 0 = unlimited */
	int64_t mempool_limit;      /* txs waiting; beyond it arrivals drop */
	sim_time_t block_time;      /* L2 block interval */
	sim_time_t confirm_latency; /* soft confirmation after the block */
	sim_time_t forced_inclusion_delay; /* outage: users force txs via L1 */
	int64_t forced_inclusion_rate;     /* tx/s (micro) once forcing */
	sim_time_t takeover_delay;  /* outage: another operator takes over */
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
	uint64_t max_fee;           /* wei per gas the poster will pay at most */
	uint64_t max_blob_fee;      /* wei per blob gas, at most */
	uint64_t priority_fee;      /* tip, wei per gas */
	int32_t max_pending_txs;    /* L1 txs in flight at once */
	bool rebid;                 /* raise fees of waiting txs (to the caps) */
	int64_t batch_gas;          /* L1 execution gas per batch (commit etc.) */
	int64_t commitment_bytes;   /* calldata per batch when data is off L1 */
	bool da_fallback;           /* alt DA failed: post the data on L1 */
	double l1_share;            /* volition: share of txs with data on L1 */
};

struct settle_cfg {
	sim_time_t challenge_window;   /* optimistic: fraud-proof window */
	int64_t state_root_gas;        /* optimistic: per state-root posting */
	sim_time_t state_root_interval;
	int64_t verify_extra_gas;      /* per proof tx besides verification */
	const char *aggregator;        /* NULL: verify alone */
	const char *ecosystem;         /* for ecosystem aggregation */
};

struct liveness_cfg {
	sim_time_t sequence_within;    /* soft-confirmation promise */
	sim_time_t post_within;        /* posting promise */
};

struct system_def {
	struct world *world;
	char name[96];
	enum sys_type type;
	int64_t count;
	const struct workload *workload;
	struct seq_cfg seq;
	struct batcher_cfg batcher;
	struct settle_cfg settle;
	struct liveness_cfg live;
	struct scn_obj prover_cfg;     /* the "prover" object (may be empty) */
	bool has_prover;
	struct da_layer *da;           /* DA_ALT */
	struct aggregator *agg;
	struct comp_calib *calib;      /* shared by the instances */
	struct shared_seq *shared;
};

/* ---- shared sequencers --------------------------------------------------- */

struct sys_instance;

struct shared_seq {
	char name[96];
	int64_t capacity;           /* tx/s (micro) for all members together */
	int64_t mempool_limit;      /* per member */
	sim_time_t block_time;
	sim_time_t consensus_latency;
	struct sys_instance **members;
	size_t n_members, cap_members;
	bool down;
	double credit;              /* fraction of a tx of capacity carried over */
	/* metrics */
	double sequenced, offered_to;
	double busy_ticks, ticks;
};

/* ---- batches --------------------------------------------------------------- */

#define BATCH_POINTS 16

struct batch_point {
	sim_time_t arrived;
	double weight;
};

struct batch {
	struct sys_instance *inst;
	uint64_t id;
	uint64_t txs;
	uint64_t l1_txs;            /* posted through L1 data (volition split) */
	uint64_t n[TX_KINDS];
	struct batch_point pts[BATCH_POINTS];
	int n_pts;
	int64_t bytes;              /* payload bytes of the batch (all DA) */
	int64_t l1_bytes;           /* of which on L1 (calldata or blobs) */
	int64_t alt_bytes;          /* of which on the alternative layer */
	int outstanding;            /* L1 txs + DA submissions not yet done */
	bool uses_blobs;
	sim_time_t created;
	sim_time_t posted_at;       /* 0 until posted */
	sim_time_t included_at;     /* last L1 inclusion of its data */
	bool posted;
	bool finalized;
	bool counted_l1_post;       /* counted in the posting gap */
	struct batch *next_inflight, *prev_inflight;
	struct batch *next_proof;   /* in a proof job */
};

/* An L1 transaction in flight for a batch, a proof or a state root. */
enum l1tx_role { L1TX_DATA, L1TX_PROOF, L1TX_ROOT };

struct l1tx_ctx {
	struct sys_instance *inst;
	struct batch *batch;        /* L1TX_DATA */
	struct proof_job *job;      /* L1TX_PROOF */
	enum l1tx_role role;
	uint64_t tx_id;
	struct l1_tx tx;
	int64_t data_bytes;
	bool included;
	bool reorged;
	bool at_caps;               /* fees at the poster's caps: no rebid */
	int64_t capped_slot;        /* the block that found it at its caps */
};

struct proof_job {
	struct sys_instance *inst;
	struct batch *first, *last;
	int n_batches;
	uint64_t txs;
	int64_t extra_calldata;     /* validium: DA commitments with the proof */
	struct proof_job *next;
};

/* ---- an instance ------------------------------------------------------------ */

struct sys_stats {
	uint64_t offered, dropped, sequenced, posted, finalized;
	/* after warm-up */
	uint64_t offered_w, sequenced_w, posted_w, finalized_w;
	/* posted after warm-up: bytes, gas and fees of batches posted then */
	double l1_da_bytes, da_bytes, blob_bytes_bought, blob_payload_bytes;
	double l1_gas, blob_gas, fees_eth, da_fees_eth;
	double batches, l1_txs;
	uint64_t backlog_max;
	/* liveness */
	uint64_t liveness_failures;
	double liveness_failure_s;
	bool failing;
	sim_time_t failing_since;
	sim_time_t last_post;       /* last L1 posting of batch data */
	double max_gap_s;
	double stall_blocks;        /* blocks a tx waited for fees above caps */
	double forced_txs;
	double fallback_batches;
};

struct sys_instance {
	char name[112];
	struct system_def *def;
	struct world *world;
	int index;
	gsl_rng *rng;
	struct wl_stream *wl;
	struct cohort_q mempool;    /* arrived, not yet sequenced */
	struct cohort_q pending;    /* sequenced, not yet in a batch */
	uint64_t unposted_in_batches;
	/* sequencer */
	bool seq_down;
	sim_time_t seq_down_since;
	bool poster_down;
	int seq_down_count;         /* outages in force (system and instance) */
	int poster_down_count;
	int prover_down_count;
	double seq_credit;          /* unused capacity carried within a tick */
	sim_time_t based_arrivals_t; /* based: arrivals drawn up to here */
	size_t seq_bins[4];          /* latency bins of an unqueued cohort */
	bool seq_bins_set;
	sim_time_t based_block_t;    /* based: last L1 block sequenced */
	/* batcher */
	int inflight_l1;            /* L1 txs in flight */
	struct batch *inflight_head, *inflight_tail;
	uint64_t next_batch_id;
	double bpt_estimate;        /* bytes per tx of the last batch (SDR) */
	struct sd_state *sd;        /* SDR state-diff tracker */
	struct owned *owned;        /* batches, jobs, tx contexts alive */
	/* settlement */
	struct prover *prover;
	bool root_due;              /* a batch posted since the last root */
	struct proof_job *open_job;
	struct batch *proof_queue_head, *proof_queue_tail; /* posted, unproven */
	int queued_for_proof;
	/* statistics */
	struct sys_stats st;
	struct lat_hist lat_seq, lat_post, lat_final;
	/* series accumulation */
	uint64_t s_offered, s_posted;
	double s_bytes, s_fees;
	uint64_t s_posted_bytes_tx;
};

/* ---- world ------------------------------------------------------------------ */

struct world {
	struct sim *sim;
	const struct scenario *scn;
	sim_time_t duration, warmup, tick, series_interval;
	int keep_l1_blocks;
	struct l1_chain *l1;
	struct da_set *da;
	struct workload_set *workloads;
	struct agg_set *aggs;
	struct fault_set *faults;
	struct system_def *defs;
	size_t n_defs;
	struct sys_instance **inst;
	size_t n_inst;
	struct shared_seq *shared;
	size_t n_shared;
	sim_time_t next_series;
	bool series_per_instance;
	struct run_result *series;  /* series points buffered during the run */
	double base_missed;         /* l1.missed_slot_probability */
	struct lat_hist all_seq, all_post, all_final;
};

/* system_config.c */
int systems_read(struct world *w, const struct scn_obj *root,
		 struct l2s_error *err);
int shared_seqs_read(struct world *w, const struct scn_obj *root,
		     struct l2s_error *err);
const char *sys_type_name(enum sys_type t);

/* system.c: allocations owned by an instance (batches, proof jobs, L1 tx
 * contexts), freed with it if a run ends while they are still in flight. */
struct owned;
void *sys_alloc(struct sys_instance *in, size_t size);
void sys_free(struct sys_instance *in, void *p);

/* system.c */
int sys_instance_create(struct world *w, struct system_def *def, int index,
			struct sys_instance **out, struct l2s_error *err);
void sys_instance_destroy(struct sys_instance *in);
void sys_collect(struct world *w, struct run_result *res);
void sys_series_sample(struct world *w, sim_time_t now);
void sys_liveness_check(struct sys_instance *in, sim_time_t now);
bool sys_after_warmup(const struct sys_instance *in, sim_time_t t);

/* sequencer.c: one tick of arrivals and sequencing for every instance */
void seq_arrivals(struct sys_instance *in, sim_time_t t0, sim_time_t t1);
void seq_own_tick(struct sys_instance *in, sim_time_t t0, sim_time_t t1);
void seq_shared_tick(struct shared_seq *s, sim_time_t t0, sim_time_t t1);
void seq_based_block(struct sys_instance *in, sim_time_t t_prev,
		     sim_time_t t);
void seq_set_down(void *inst, int member, bool down);
void shared_seq_set_down(void *shared, int member, bool down);

/* batcher.c */
void batcher_tick(struct sys_instance *in, sim_time_t now);
void batcher_set_down(void *inst, int member, bool down);

/* settlement.c */
void settle_batch_posted(struct sys_instance *in, struct batch *b);
void settle_start(struct sys_instance *in);
void settle_finalize_batch(struct sys_instance *in, struct batch *b,
			   sim_time_t at);
void settle_prover_set_down(void *inst, int member, bool down);
/* L1 fee caps for a new transaction under current fees. */
void settle_fill_fees(const struct sys_instance *in, struct l1_tx *tx);
/* L1 transaction contexts (batcher.c), shared with settlement: a new one
 * owned by the instance; the on_included handler that accounts fees and
 * stalls; the on_final handler that frees it. */
struct l1tx_ctx *sys_l1tx_new(struct sys_instance *in, enum l1tx_role role);
void sys_l1tx_included(void *arg, const struct l1_receipt *r);
void sys_l1tx_release(void *arg, const struct l1_receipt *r);

/* Handlers shared by batcher and settlement. */
int sys_submit_l1(struct sys_instance *in, struct l1tx_ctx *c, int64_t gas,
		  int32_t blobs, l1_included_fn *inc, l1_included_fn *fin);
void sys_l1_waiting(void *ctx, const struct l1_wait *w);
void sys_account_l1_fee(struct sys_instance *in, const struct l1_receipt *r);
void sys_count_stall(struct sys_instance *in, struct l1tx_ctx *c,
		     const struct l1_receipt *r);

#endif
