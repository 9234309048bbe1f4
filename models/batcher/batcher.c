/*
 * The batcher: cuts the sequenced transactions of an instance into batches
 * and posts them to their DA layer.
 *
 * A batch is cut when the pending transactions would fill max_batch_size
 * compressed bytes, or when the oldest has waited max_delay (OP Stack's
 * channel duration, Arbitrum's MaxDelay).  At most max_pending_txs L1
 * transactions are in flight: beyond that the batcher holds its backlog,
 * which is how a shared ceiling (blob space) shows up as waiting.
 *
 * Bytes come from the real compressors over synthetic encodings
 * (models/batcher/compress.c) or, for a state-difference rollup, from the
 * batch's packed state diff (models/system/statediff.c).  Blob batches
 * split into blob transactions of blobs_per_tx blobs, calldata batches into
 * transactions of max_calldata_tx bytes; "auto" picks the cheaper per byte
 * at the current fees, as op-batcher's channel_config_provider does.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "../system/system_internal.h"

/* Compressed bytes of a batch with these counts. */
static int64_t data_bytes(struct sys_instance *in, const uint64_t n[TX_KINDS],
			  bool commit)
{
	uint64_t total = 0;
	for (int k = 0; k < TX_KINDS; k++)
		total += n[k];
	if (total == 0)
		return 0;
	if (in->def->type == SYS_SDR) {
		if (!commit)
			return (int64_t)ceil(in->bpt_estimate * (double)total);
		int64_t b = sd_batch_bytes(in->sd, in->rng, n, NULL);
		if (b > 0)
			in->bpt_estimate = (double)b / (double)total;
		return b;
	}
	return comp_calib_batch_bytes(in->def->calib, n);
}

/* Counts of the first 'n' pending transactions: exactly what batch_cut
 * takes (whole front cohorts, the last one split in proportion). */
static void front_counts(const struct cohort_q *q, uint64_t n,
			 uint64_t out[TX_KINDS])
{
	memset(out, 0, TX_KINDS * sizeof(*out));
	for (size_t i = 0; i < q->len && n > 0; i++) {
		struct cohort c = q->c[(q->head + i) % q->cap], part;
		cohort_split(&c, n, &part);
		for (int k = 0; k < TX_KINDS; k++)
			out[k] += part.n[k];
		n -= part.total;
	}
}

/* How many pending transactions fill one batch. */
static uint64_t batch_capacity(struct sys_instance *in)
{
	const struct batcher_cfg *b = &in->def->batcher;
	uint64_t pend = in->pending.txs;
	int64_t max = b->max_batch_bytes;
	uint64_t counts[TX_KINDS];
	int64_t bytes = data_bytes(in, in->pending.n, false);
	if (bytes <= 0)
		return pend;
	double bpt = (double)bytes / (double)pend;
	uint64_t n = (uint64_t)floor((double)max / bpt);
	if (n == 0)
		n = 1;
	if (n >= pend)
		return pend + 1; /* not full */
	/* Refine at the candidate size on the transactions the batch will
	 * really hold (the ratio depends on size and mix), then shrink until
	 * they fit: a batch a few bytes over max_batch_size would buy one
	 * more, nearly empty, blob. */
	front_counts(&in->pending, n, counts);
	bytes = data_bytes(in, counts, false);
	if (bytes > 0) {
		bpt = (double)bytes / (double)n;
		n = (uint64_t)floor((double)max / bpt);
		if (n == 0)
			n = 1;
	}
	for (int i = 0; i < 16 && n > 1; i++) {
		front_counts(&in->pending, n, counts);
		bytes = data_bytes(in, counts, false);
		if (bytes <= max)
			break;
		uint64_t m = (uint64_t)floor((double)n * (double)max /
					     (double)bytes);
		n = m < n ? (m ? m : 1) : n - 1;
	}
	return n;
}

static void inflight_add(struct sys_instance *in, struct batch *b)
{
	b->prev_inflight = in->inflight_tail;
	b->next_inflight = NULL;
	if (in->inflight_tail)
		in->inflight_tail->next_inflight = b;
	else
		in->inflight_head = b;
	in->inflight_tail = b;
}

static void inflight_remove(struct sys_instance *in, struct batch *b)
{
	if (b->prev_inflight)
		b->prev_inflight->next_inflight = b->next_inflight;
	else
		in->inflight_head = b->next_inflight;
	if (b->next_inflight)
		b->next_inflight->prev_inflight = b->prev_inflight;
	else
		in->inflight_tail = b->prev_inflight;
	b->next_inflight = b->prev_inflight = NULL;
}

/* Merges the closest pair of points (by arrival) until under the cap. */
static void add_point(struct batch *b, sim_time_t arrived, double w)
{
	if (b->n_pts && b->pts[b->n_pts - 1].arrived == arrived) {
		b->pts[b->n_pts - 1].weight += w;
		return;
	}
	if (b->n_pts == BATCH_POINTS) {
		int best = 0;
		sim_time_t gap = INT64_MAX;
		for (int i = 0; i + 1 < b->n_pts; i++)
			if (b->pts[i + 1].arrived - b->pts[i].arrived < gap) {
				gap = b->pts[i + 1].arrived - b->pts[i].arrived;
				best = i;
			}
		struct batch_point *p = &b->pts[best], *q = &b->pts[best + 1];
		double ww = p->weight + q->weight;
		p->arrived = (sim_time_t)((double)p->arrived * (p->weight / ww) +
					  (double)q->arrived * (q->weight / ww));
		p->weight = ww;
		memmove(q, q + 1, (size_t)(b->n_pts - best - 2) * sizeof(*q));
		b->n_pts--;
	}
	b->pts[b->n_pts++] = (struct batch_point){arrived, w};
}

static struct batch *batch_cut(struct sys_instance *in, uint64_t n,
			       sim_time_t now)
{
	struct batch *b = sys_alloc(in, sizeof(*b));
	if (!b)
		return NULL;
	b->inst = in;
	b->id = ++in->next_batch_id;
	b->created = now;
	while (b->txs < n && in->pending.txs) {
		struct cohort c;
		uint64_t got = cohort_q_take(&in->pending, n - b->txs, &c);
		if (!got)
			break;
		b->txs += got;
		for (int k = 0; k < TX_KINDS; k++)
			b->n[k] += c.n[k];
		add_point(b, c.arrived, (double)got);
	}
	in->unposted_in_batches += b->txs;
	inflight_add(in, b);
	return b;
}

/* ---- L1 transactions ------------------------------------------------------ */

struct l1tx_ctx *sys_l1tx_new(struct sys_instance *in, enum l1tx_role role)
{
	struct l1tx_ctx *c = sys_alloc(in, sizeof(*c));
	if (!c)
		return NULL;
	c->inst = in;
	c->role = role;
	return c;
}

void sys_l1tx_release(void *arg, const struct l1_receipt *r)
{
	struct l1tx_ctx *c = arg;
	sys_free(c->inst, c);
}

void sys_l1tx_included(void *arg, const struct l1_receipt *r)
{
	struct l1tx_ctx *c = arg;
	c->inst->inflight_l1--;
	c->included = true;
	sys_count_stall(c->inst, c, r);
	if (!c->reorged)
		sys_account_l1_fee(c->inst, r);
}

static void batch_posted(struct sys_instance *in, struct batch *b,
			 sim_time_t at);

static void data_included(void *arg, const struct l1_receipt *r)
{
	struct l1tx_ctx *c = arg;
	struct sys_instance *in = c->inst;
	c->included = true;
	in->inflight_l1--;
	sys_count_stall(in, c, r);
	if (c->reorged)
		return; /* counted when first included */
	sys_account_l1_fee(in, r);
	struct batch *b = c->batch;
	if (r->included_at > b->included_at)
		b->included_at = r->included_at;
	if (--b->outstanding == 0)
		batch_posted(in, b, b->included_at > b->posted_at
					    ? b->included_at
					    : b->posted_at);
}

static void data_reorged(void *arg, const struct l1_receipt *r)
{
	struct l1tx_ctx *c = arg;
	c->included = false;
	c->reorged = true;
	c->inst->inflight_l1++;
}

void sys_account_l1_fee(struct sys_instance *in, const struct l1_receipt *r)
{
	if (!sys_after_warmup(in, r->included_at))
		return;
	in->st.l1_gas += (double)r->gas_used;
	in->st.blob_gas += (double)r->blob_gas_used;
	in->st.fees_eth += r->fee_eth;
	in->st.l1_txs++;
	in->s_fees += r->fee_eth;
}

void settle_fill_fees(const struct sys_instance *in, struct l1_tx *tx)
{
	const struct batcher_cfg *b = &in->def->batcher;
	struct l1_chain *l1 = in->world->l1;
	/* Like a wallet: twice the current base fee plus the tip, within
	 * the poster's caps. */
	unsigned __int128 f = (unsigned __int128)l1_base_fee(l1) * 2 +
			      b->priority_fee;
	tx->max_fee_per_gas = f > b->max_fee ? b->max_fee : (uint64_t)f;
	tx->max_priority_fee_per_gas = b->priority_fee < tx->max_fee_per_gas
					       ? b->priority_fee
					       : tx->max_fee_per_gas;
	if (tx->blobs > 0) {
		unsigned __int128 bf = (unsigned __int128)l1_blob_base_fee(l1) * 2;
		tx->max_fee_per_blob_gas = bf > b->max_blob_fee
						   ? b->max_blob_fee
						   : (uint64_t)bf;
		if (tx->max_fee_per_blob_gas == 0)
			tx->max_fee_per_blob_gas = 1;
	}
}

void sys_l1_waiting(void *arg, const struct l1_wait *w)
{
	struct l1tx_ctx *c = arg;
	struct sys_instance *in = c->inst;
	const struct batcher_cfg *b = &in->def->batcher;
	if (!(w->reasons & (L1_WAIT_BASE_FEE | L1_WAIT_BLOB_FEE)))
		return;
	bool capped = true;
	struct l1_tx nt = c->tx;
	if (b->rebid && !c->at_caps) {
		/* Replacement rules of client pools: +10% on every fee, +100%
		 * for blob transactions (l1_replace enforces them). */
		unsigned pct = c->tx.blobs > 0 ? 200 : 110;
		unsigned __int128 mf = (unsigned __int128)c->tx.max_fee_per_gas *
				       pct / 100 + 1;
		unsigned __int128 mt = (unsigned __int128)
			c->tx.max_priority_fee_per_gas * pct / 100 + 1;
		unsigned __int128 mb = (unsigned __int128)
			c->tx.max_fee_per_blob_gas * pct / 100 + 1;
		if (mf <= b->max_fee && (c->tx.blobs == 0 || mb <= b->max_blob_fee)) {
			nt.max_fee_per_gas = (uint64_t)mf;
			nt.max_priority_fee_per_gas =
				mt > mf ? (uint64_t)mf : (uint64_t)mt;
			if (c->tx.blobs > 0)
				nt.max_fee_per_blob_gas = (uint64_t)mb;
			if (l1_replace(in->world->l1, c->tx_id, &nt, NULL) == 0) {
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
		l1_set_on_waiting(in->world->l1, c->tx_id, NULL);
	} else if (capped) {
		in->st.stall_blocks++;
	}
}

/* Blocks a transaction waited with its fees at the poster's caps. */
void sys_count_stall(struct sys_instance *in, struct l1tx_ctx *c,
		     const struct l1_receipt *r)
{
	if (c->at_caps && r->slot > c->capped_slot)
		in->st.stall_blocks += (double)(r->slot - c->capped_slot);
	c->at_caps = false;
}

/* Submits one L1 transaction for 'b' (data) or with role 'role'. */
int sys_submit_l1(struct sys_instance *in, struct l1tx_ctx *c, int64_t gas,
		  int32_t blobs, l1_included_fn *inc, l1_included_fn *fin)
{
	c->tx.gas = gas;
	c->tx.blobs = blobs;
	settle_fill_fees(in, &c->tx);
	c->tx.on_included = inc;
	c->tx.on_waiting = sys_l1_waiting;
	c->tx.on_final = fin;
	c->tx.on_reorged = data_reorged;
	c->tx.ctx = c;
	struct l2s_error e;
	l2s_error_clear(&e);
	int rc = l1_submit(in->world->l1, &c->tx, &c->tx_id, &e);
	if (rc == 0)
		in->inflight_l1++;
	return rc;
}

enum post_mode { POST_BY_TARGET, POST_BLOBS, POST_CALLDATA };

static bool use_blobs(struct sys_instance *in, enum post_mode mode)
{
	const struct batcher_cfg *b = &in->def->batcher;
	if (mode != POST_BY_TARGET)
		return mode == POST_BLOBS;
	if (b->target == DA_L1_BLOBS)
		return true;
	if (b->target == DA_L1_CALLDATA)
		return false;
	/* auto: cost per byte of one blob transaction of blobs_per_tx
	 * blobs against one full calldata frame, each with its 21,000 gas
	 * (op-batcher channel_config_provider). */
	struct l1_chain *l1 = in->world->l1;
	double base = (double)l1_base_fee(l1) + (double)b->priority_fee;
	double blob = (double)l1_blob_base_fee(l1);
	double frame = (double)b->max_calldata_tx;
	double cd = (double)l1_calldata_gas(l1, 0, (int64_t)frame, 0) * base /
		    frame;
	double nb = b->blobs_per_tx;
	double bl = (nb * (double)L1_GAS_PER_BLOB * blob + 21000.0 * base) /
		    (nb * (double)b->blob_payload);
	return bl <= cd;
}

/* Posts 'bytes' of batch data on L1; returns 0 or an error. */
static int post_l1_data(struct sys_instance *in, struct batch *b,
			int64_t bytes, int64_t exec_gas, enum post_mode mode)
{
	const struct batcher_cfg *cfg = &in->def->batcher;
	struct l1_chain *l1 = in->world->l1;
	b->l1_bytes += bytes;
	if (use_blobs(in, mode) && bytes > 0) {
		b->uses_blobs = true;
		int64_t nblobs = (bytes + cfg->blob_payload - 1) / cfg->blob_payload;
		while (nblobs > 0) {
			int32_t k = nblobs > cfg->blobs_per_tx ? cfg->blobs_per_tx
							       : (int32_t)nblobs;
			struct l1tx_ctx *c = sys_l1tx_new(in, L1TX_DATA);
			if (!c)
				return L2S_ENOMEM;
			c->batch = b;
			int rc = sys_submit_l1(in, c, L1_TX_BASE_GAS + exec_gas,
					       k, data_included, sys_l1tx_release);
			if (rc) {
				sys_l1tx_release(c, NULL);
				return rc;
			}
			exec_gas = 0;
			b->outstanding++;
			nblobs -= k;
		}
		return 0;
	}
	int64_t left = bytes;
	do {
		int64_t chunk = left > cfg->max_calldata_tx ? cfg->max_calldata_tx
							    : left;
		/* Compressed data: about one byte in 256 is zero. */
		int64_t zero = chunk / 256;
		int64_t gas = l1_calldata_gas(l1, zero, chunk - zero, exec_gas);
		struct l1tx_ctx *c = sys_l1tx_new(in, L1TX_DATA);
		if (!c)
			return L2S_ENOMEM;
		c->batch = b;
		c->data_bytes = chunk;
		int rc = sys_submit_l1(in, c, gas, 0, data_included, sys_l1tx_release);
		if (rc) {
			sys_l1tx_release(c, NULL);
			return rc;
		}
		exec_gas = 0;
		b->outstanding++;
		left -= chunk;
	} while (left > 0);
	return 0;
}

static void da_done(struct sim *sim, void *arg, const struct da_receipt *r)
{
	struct batch *b = arg;
	struct sys_instance *in = b->inst;
	in->inflight_l1--;
	if (!r->ok) {
		if (in->def->batcher.da_fallback) {
			/* AnyTrust: post the data on L1 when the committee
			 * cannot certify (SOURCES.md §6.4). */
			in->st.fallback_batches++;
			int64_t bytes = b->alt_bytes;
			b->alt_bytes = 0;
			b->outstanding--;
			if (post_l1_data(in, b, bytes, 0, POST_BLOBS) == 0)
				return;
			b->outstanding++;
		}
		/* Without fallback, try the layer again. */
		if (da_submit(in->def->da, b->alt_bytes, da_done, b) == 0) {
			in->inflight_l1++;
			return;
		}
	}
	if (sys_after_warmup(in, r->confirmed_at)) {
		in->st.da_fees_eth += (double)r->cost_wei / 1e18;
		in->s_fees += (double)r->cost_wei / 1e18;
	}
	if (r->confirmed_at > b->posted_at)
		b->posted_at = r->confirmed_at;
	if (--b->outstanding == 0)
		batch_posted(in, b, b->included_at > b->posted_at
					    ? b->included_at
					    : b->posted_at);
}

static void batch_posted(struct sys_instance *in, struct batch *b,
			 sim_time_t at)
{
	b->posted = true;
	b->posted_at = at;
	inflight_remove(in, b);
	in->unposted_in_batches -= b->txs;
	in->st.posted += b->txs;
	in->s_posted += b->txs;
	/* Posting gaps: between batch postings to the system's DA (L1
	 * inclusion for rollups, confirmation for data kept off L1). */
	{
		sim_time_t from = in->st.last_post > in->world->warmup
					  ? in->st.last_post
					  : in->world->warmup;
		double gap = sim_time_to_s(at - from);
		if (at >= in->world->warmup && gap > in->st.max_gap_s)
			in->st.max_gap_s = gap;
		if (at > in->st.last_post)
			in->st.last_post = at;
	}
	if (sys_after_warmup(in, at)) {
		const struct batcher_cfg *cfg = &in->def->batcher;
		in->st.posted_w += b->txs;
		in->st.batches++;
		in->st.l1_da_bytes += (double)b->l1_bytes;
		in->st.da_bytes += (double)(b->l1_bytes + b->alt_bytes);
		in->s_bytes += (double)(b->l1_bytes);
		in->s_posted_bytes_tx += b->txs;
		if (b->uses_blobs && b->l1_bytes > 0) {
			int64_t nblobs = (b->l1_bytes + cfg->blob_payload - 1) /
					 cfg->blob_payload;
			in->st.blob_bytes_bought +=
				(double)(nblobs * L1_BYTES_PER_BLOB);
			in->st.blob_payload_bytes += (double)b->l1_bytes;
		}
		for (int i = 0; i < b->n_pts; i++)
			lat_hist_add(&in->lat_post,
				     sim_time_to_s(at - b->pts[i].arrived),
				     b->pts[i].weight);
	}
	settle_batch_posted(in, b);
}

/* Splits off the L1 share of a volition batch. */
static void volition_split(const struct batch *b, double share,
			   uint64_t l1n[TX_KINDS], uint64_t altn[TX_KINDS],
			   uint64_t *l1_total)
{
	struct cohort all = {0}, part;
	memcpy(all.n, b->n, sizeof(all.n));
	all.total = b->txs;
	uint64_t take = (uint64_t)llround((double)b->txs * share);
	cohort_split(&all, take, &part);
	memcpy(l1n, part.n, sizeof(part.n));
	memcpy(altn, all.n, sizeof(all.n));
	*l1_total = part.total;
}

static int batch_post(struct sys_instance *in, struct batch *b)
{
	const struct system_def *d = in->def;
	const struct batcher_cfg *cfg = &d->batcher;
	int rc = 0;
	/* The first data transaction carries the per-batch execution gas
	 * (a ZK commit); data kept off L1 sends its commitment with the
	 * proof (validium) or in its own small transaction (optimistic). */
	if (d->type == SYS_VOLITION) {
		uint64_t l1n[TX_KINDS], altn[TX_KINDS], l1_total;
		volition_split(b, cfg->l1_share, l1n, altn, &l1_total);
		b->l1_txs = l1_total;
		int64_t l1b = data_bytes(in, l1n, true);
		int64_t altb = data_bytes(in, altn, true);
		b->bytes = l1b + altb;
		b->alt_bytes = altb;
		if (altb > 0) {
			b->outstanding++;
			if ((rc = da_submit(d->da, altb, da_done, b)))
				return rc;
			in->inflight_l1++;
		}
		if (l1b > 0 || altb == 0)
			rc = post_l1_data(in, b, l1b, cfg->batch_gas, POST_BLOBS);
		return rc;
	}
	int64_t bytes = data_bytes(in, b->n, true);
	b->bytes = bytes;
	if (cfg->target == DA_ALT) {
		b->alt_bytes = bytes;
		b->outstanding++;
		if ((rc = da_submit(d->da, bytes, da_done, b)))
			return rc;
		in->inflight_l1++;
		if (d->type == SYS_OPTIMISTIC) {
			int64_t cb = cfg->commitment_bytes;
			rc = post_l1_data(in, b, cb, cfg->batch_gas,
					  POST_CALLDATA);
		}
		return rc;
	}
	b->l1_txs = b->txs;
	return post_l1_data(in, b, bytes, cfg->batch_gas, POST_BY_TARGET);
}

void batcher_tick(struct sys_instance *in, sim_time_t now)
{
	const struct batcher_cfg *cfg = &in->def->batcher;
	if (in->poster_down)
		return;
	while (in->pending.txs && in->inflight_l1 < cfg->max_pending_txs) {
		uint64_t cap = batch_capacity(in);
		struct cohort *f = cohort_q_front(&in->pending);
		bool full = in->pending.txs >= cap;
		bool due = now - f->sequenced >= cfg->max_delay;
		if (!full && !due)
			break;
		uint64_t n = full ? cap : in->pending.txs;
		struct batch *b = batch_cut(in, n, now);
		if (!b)
			return;
		if (batch_post(in, b)) {
			/* Cannot post (a transaction over the per-tx limits,
			 * out of memory): keep the batch in flight forever
			 * rather than lose its transactions. */
			return;
		}
	}
}

void batcher_set_down(void *inst, int member, bool down)
{
	struct sys_instance *in = inst;
	in->poster_down_count += down ? 1 : -1;
	if (in->poster_down_count < 0)
		in->poster_down_count = 0;
	in->poster_down = in->poster_down_count > 0;
}
