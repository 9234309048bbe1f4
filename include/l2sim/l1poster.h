/*
 * The L1 poster: submits L1 transactions for a system instance, for anyone
 * that needs one (the batcher's data, settlement's proofs and state roots,
 * and every mechanism that touches L1).  It owns what a wallet does: fee
 * caps from the current fees, rebids under client pools' replacement
 * rules, stalls while fees sit above the caps, receipts, reorgs.  Every
 * included transaction is booked in the instance's ledger.
 *
 * Callers hear back through the callbacks they pass with each
 * transaction: first inclusion (after a reorg a re-inclusion is not
 * reported again) and finality, after which the poster forgets it.
 */
#ifndef L2SIM_L1POSTER_H
#define L2SIM_L1POSTER_H

#include <stdbool.h>
#include <stdint.h>

#include "l2sim/l1.h"
#include "l2sim/ledger.h"
#include "l2sim/owned.h"

struct l1poster_cfg {
	uint64_t max_fee;        /* wei per gas the poster will pay at most */
	uint64_t max_blob_fee;   /* wei per blob gas, at most */
	uint64_t priority_fee;   /* tip, wei per gas */
	bool rebid;              /* raise fees of waiting txs (to the caps) */
};

struct l1poster;

/* ctx is what the caller passed with the transaction. */
typedef void l1poster_fn(void *ctx, const struct l1_receipt *r);

/* A poster on 'l1' booking into 'ledger', its allocations in 'owned'
 * (all three outlive it).  NULL when out of memory. */
struct l1poster *l1poster_create(struct l1_chain *l1,
				 const struct l1poster_cfg *cfg,
				 struct ledger *ledger,
				 struct owned_list *owned);
void l1poster_destroy(struct l1poster *p);

/*
 * Submits a transaction of 'gas' gas and 'blobs' blobs, fees filled from
 * the current base fees within the caps.  on_included (may be NULL) runs
 * at its first inclusion, on_final (may be NULL) when its block is final.
 * Returns 0, or an error of l1_submit (over the per-tx limits) or
 * L2S_ENOMEM; then no callback will run.
 */
int l1poster_submit(struct l1poster *p, int64_t gas, int32_t blobs,
		    l1poster_fn *on_included, l1poster_fn *on_final,
		    void *ctx);

/* As l1poster_submit, and on_reorged (may be NULL) runs each time the
 * block that included it is reorged out (it is pending again). */
int l1poster_submit_ex(struct l1poster *p, int64_t gas, int32_t blobs,
		       l1poster_fn *on_included, l1poster_fn *on_final,
		       l1poster_fn *on_reorged, void *ctx);

/* Fee caps for a new transaction under the current fees: like a wallet,
 * twice the base fees plus the tip, within the caps. */
void l1poster_fill_fees(const struct l1poster *p, struct l1_tx *tx);

/* Transactions submitted and not yet included (reorged ones again). */
int l1poster_inflight(const struct l1poster *p);
/* L1 blocks transactions waited with their fees at the caps. */
double l1poster_stall_blocks(const struct l1poster *p);
const struct l1poster_cfg *l1poster_config(const struct l1poster *p);

#endif
