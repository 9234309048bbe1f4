/*
 * A batch: what the batcher cuts from sequenced transactions, posts to its
 * DA layer and hands on to settlement once posted.  Settlement owns it
 * from then on and frees it when the batch is final.
 */
#ifndef L2SIM_BATCH_H
#define L2SIM_BATCH_H

#include <stdbool.h>
#include <stdint.h>

#include "l2sim/time.h"
#include "l2sim/txkind.h"

/* Arrival times a batch remembers (for posting and finality latencies):
 * beyond this many, the closest pair is merged. */
#define BATCH_POINTS 16

struct batch_point {
	sim_time_t arrived;     /* mean arrival */
	sim_time_t spread;      /* half-width: uniform over arrived +- spread */
	double weight;
};

struct batcher;
struct batch_rider;

/*
 * A rider: bytes of another system (an L3's batch data or proof) carried
 * in the batches of the system it settles on.  The carrier's batcher puts
 * its bytes in the next batch it cuts and calls on_posted when that batch
 * is posted; the carrier's settlement calls on_final when the batch is
 * final, with the proof levels that settled it (0: a challenge window).
 * on_final may free the rider; nothing touches it afterwards.  The rider
 * belongs to the system that made it.
 */
struct batch_rider {
	struct batch_rider *next;
	int64_t bytes;
	sim_time_t since;           /* when the carrier took it */
	void (*on_posted)(struct batch_rider *r, sim_time_t at);
	void (*on_final)(struct batch_rider *r, sim_time_t at, int32_t levels);
};

/* Hands a rider to a carrier (batcher_carry on the parent's batcher);
 * 0 or a negative L2S_E* code. */
typedef int batch_carry_fn(void *carrier, struct batch_rider *r);

struct batch {
	struct batcher *batcher;    /* that cut it */
	uint64_t id;
	uint64_t txs;
	uint64_t l1_txs;            /* posted through L1 data (volition split) */
	uint64_t n[TX_KINDS];
	struct batch_point pts[BATCH_POINTS];
	int n_pts;                  /* in arrival order */
	int64_t bytes;              /* payload bytes of the batch (all DA) */
	int64_t l1_bytes;           /* of which on L1 (calldata or blobs) */
	int64_t alt_bytes;          /* of which on the alternative layer */
	int outstanding;            /* L1 txs + DA submissions not yet done */
	bool uses_blobs;
	sim_time_t created;
	sim_time_t sequenced_first; /* when its oldest transaction was sequenced */
	sim_time_t posted_at;       /* 0 until posted */
	sim_time_t included_at;     /* last L1 inclusion of its data */
	bool posted;
	bool finalized;
	struct batch *next_inflight, *prev_inflight; /* batcher's list */
	struct batch *next_proof;   /* settlement: in a proof job */
	struct batch_rider *riders; /* other systems' bytes it carries */
	int64_t rider_bytes;
	struct batch *next_unfinal, *prev_unfinal; /* settlement's list */
};

#endif
