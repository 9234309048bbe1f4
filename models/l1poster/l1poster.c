/*
 * The L1 poster (include/l2sim/l1poster.h).
 *
 * Fees: a new transaction offers twice the current base fee plus the tip
 * (and twice the blob base fee), within the poster's caps.  While a block
 * leaves it out for its fees, a rebidding poster replaces it under the
 * replacement rules of client pools: every fee +10%, +100% for blob
 * transactions (geth's txpool and blobpool; l1_replace enforces them).
 * Once no bump fits under the caps the transaction waits for fees to fall;
 * the blocks it waits so are counted as stall blocks at its inclusion.
 */
#include <stdlib.h>

#include "l2sim/l1poster.h"

struct l1poster {
	struct l1_chain *l1;
	struct l1poster_cfg cfg;
	struct ledger *ledger;
	struct owned_list *owned;
	int inflight;
	double stall_blocks;
};

/* One transaction in flight. */
struct ptx {
	struct l1poster *p;
	l1poster_fn *on_included, *on_final, *on_reorged;
	void *ctx;
	uint64_t tx_id;
	struct l1_tx tx;
	bool included;
	bool reorged;
	bool at_caps;               /* fees at the poster's caps: no rebid */
	int64_t capped_slot;        /* the block that found it at its caps */
};

struct l1poster *l1poster_create(struct l1_chain *l1,
				 const struct l1poster_cfg *cfg,
				 struct ledger *ledger,
				 struct owned_list *owned)
{
	struct l1poster *p = calloc(1, sizeof(*p));
	if (!p)
		return NULL;
	p->l1 = l1;
	p->cfg = *cfg;
	p->ledger = ledger;
	p->owned = owned;
	return p;
}

void l1poster_destroy(struct l1poster *p)
{
	/* Transactions still in flight live in the owner's list. */
	free(p);
}

int l1poster_inflight(const struct l1poster *p) { return p->inflight; }
double l1poster_stall_blocks(const struct l1poster *p) { return p->stall_blocks; }
const struct l1poster_cfg *l1poster_config(const struct l1poster *p) { return &p->cfg; }

void l1poster_fill_fees(const struct l1poster *p, struct l1_tx *tx)
{
	const struct l1poster_cfg *b = &p->cfg;
	unsigned __int128 f = (unsigned __int128)l1_base_fee(p->l1) * 2 +
			      b->priority_fee;
	tx->max_fee_per_gas = f > b->max_fee ? b->max_fee : (uint64_t)f;
	tx->max_priority_fee_per_gas = b->priority_fee < tx->max_fee_per_gas
					       ? b->priority_fee
					       : tx->max_fee_per_gas;
	if (tx->blobs > 0) {
		unsigned __int128 bf =
			(unsigned __int128)l1_blob_base_fee(p->l1) * 2;
		tx->max_fee_per_blob_gas = bf > b->max_blob_fee
						   ? b->max_blob_fee
						   : (uint64_t)bf;
		if (tx->max_fee_per_blob_gas == 0)
			tx->max_fee_per_blob_gas = 1;
	}
}

/* Blocks a transaction waited with its fees at the poster's caps. */
static void count_stall(struct ptx *c, const struct l1_receipt *r)
{
	if (c->at_caps && r->slot > c->capped_slot)
		c->p->stall_blocks += (double)(r->slot - c->capped_slot);
	c->at_caps = false;
}

static void on_included(void *arg, const struct l1_receipt *r)
{
	struct ptx *c = arg;
	c->p->inflight--;
	c->included = true;
	count_stall(c, r);
	if (c->reorged)
		return; /* booked and reported when first included */
	ledger_l1_receipt(c->p->ledger, r);
	if (c->on_included)
		c->on_included(c->ctx, r);
}

static void on_reorged(void *arg, const struct l1_receipt *r)
{
	struct ptx *c = arg;
	c->included = false;
	c->reorged = true;
	c->p->inflight++;
	if (c->on_reorged)
		c->on_reorged(c->ctx, r);
}

static void on_final(void *arg, const struct l1_receipt *r)
{
	struct ptx *c = arg;
	if (c->on_final)
		c->on_final(c->ctx, r);
	owned_free(c->p->owned, c);
}

static void on_waiting(void *arg, const struct l1_wait *w)
{
	struct ptx *c = arg;
	struct l1poster *p = c->p;
	const struct l1poster_cfg *b = &p->cfg;
	if (!(w->reasons & (L1_WAIT_BASE_FEE | L1_WAIT_BLOB_FEE)))
		return;
	bool capped = true;
	struct l1_tx nt = c->tx;
	if (b->rebid && !c->at_caps) {
		unsigned pct = c->tx.blobs > 0 ? 200 : 110;
		unsigned __int128 mf = (unsigned __int128)c->tx.max_fee_per_gas *
				       pct / 100 + 1;
		unsigned __int128 mt = (unsigned __int128)
			c->tx.max_priority_fee_per_gas * pct / 100 + 1;
		unsigned __int128 mb = (unsigned __int128)
			c->tx.max_fee_per_blob_gas * pct / 100 + 1;
		if (mf <= b->max_fee &&
		    (c->tx.blobs == 0 || mb <= b->max_blob_fee)) {
			nt.max_fee_per_gas = (uint64_t)mf;
			nt.max_priority_fee_per_gas =
				mt > mf ? (uint64_t)mf : (uint64_t)mt;
			if (c->tx.blobs > 0)
				nt.max_fee_per_blob_gas = (uint64_t)mb;
			if (l1_replace(p->l1, c->tx_id, &nt, NULL) == 0) {
				c->tx = nt;
				capped = false;
			}
		} else {
			c->at_caps = true; /* no further bump fits */
		}
	} else if (!b->rebid) {
		c->at_caps = true;
	}
	if (capped && c->at_caps) {
		/* Nothing left to do until fees fall: stop the per-block
		 * callbacks; the blocks it waits are counted at inclusion. */
		c->capped_slot = w->slot;
		l1_set_on_waiting(p->l1, c->tx_id, NULL);
	} else if (capped) {
		p->stall_blocks++;
	}
}

int l1poster_submit(struct l1poster *p, int64_t gas, int32_t blobs,
		    l1poster_fn *inc, l1poster_fn *fin, void *ctx)
{
	return l1poster_submit_ex(p, gas, blobs, inc, fin, NULL, ctx);
}

int l1poster_submit_ex(struct l1poster *p, int64_t gas, int32_t blobs,
		       l1poster_fn *inc, l1poster_fn *fin, l1poster_fn *reorged,
		       void *ctx)
{
	struct ptx *c = owned_alloc(p->owned, sizeof(*c));
	if (!c)
		return L2S_ENOMEM;
	c->p = p;
	c->on_included = inc;
	c->on_final = fin;
	c->on_reorged = reorged;
	c->ctx = ctx;
	c->tx.gas = gas;
	c->tx.blobs = blobs;
	l1poster_fill_fees(p, &c->tx);
	c->tx.on_included = on_included;
	c->tx.on_waiting = on_waiting;
	c->tx.on_final = on_final;
	c->tx.on_reorged = on_reorged;
	c->tx.ctx = c;
	struct l2s_error e;
	l2s_error_clear(&e);
	int rc = l1_submit(p->l1, &c->tx, &c->tx_id, &e);
	if (rc) {
		owned_free(p->owned, c);
		return rc;
	}
	p->inflight++;
	return 0;
}
