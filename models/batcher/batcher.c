/*
 * The batcher (include/l2sim/batcher.h).
 *
 * Bytes come from the real compressors over synthetic encodings
 * (compress.c) or, for a state-difference rollup, from the batch's packed
 * state diff (statediff.c).  Blob batches split into blob transactions of
 * blobs_per_tx blobs, calldata batches into transactions of
 * max_calldata_tx bytes; "auto" picks the cheaper per byte at the current
 * fees, as op-batcher's channel_config_provider does.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/batcher.h"
#include "l2sim/statediff.h"

struct reorg_hook {
	batcher_reorg_fn *fn;
	void *ctx;
};

struct batcher {
	struct sim *sim;
	struct l1_chain *l1;
	struct batcher_cfg cfg;
	struct l1poster *poster;
	struct da_layer *da;
	struct comp_calib *calib;
	struct sd_state *sd;        /* state-diff tracker (state_diffs) */
	gsl_rng *rng;
	struct ledger *ledger;
	struct owned_list *owned;
	sim_time_t warmup;
	batcher_sink_fn *sink;
	void *sink_ctx;
	struct reorg_hook *reorg_hooks;
	size_t n_reorg_hooks;
	struct cohort_q pending;    /* sequenced, not yet in a batch */
	uint64_t unposted_in_batches;
	int da_inflight;            /* DA submissions in flight */
	int l1_inflight;            /* its own L1 data txs not yet included */
	struct batch *inflight_head, *inflight_tail;
	/* The earliest sequencing time of a transaction in flight (kept as
	 * batches come and go: the liveness check asks every tick). */
	sim_time_t inflight_seq_min;
	uint64_t next_batch_id;
	double bpt_estimate;        /* bytes per tx of the last batch (SDR) */
	bool down;
	int down_count;
	struct batcher_stats st;
	struct lat_hist lat;        /* arrival to posting */
	struct lat_hist lat_just;   /* arrival to L1 justification of the data */
	uint64_t s_posted, s_posted_bytes_tx;
	double s_bytes;
	/* riders waiting for the next batch (a carrier), and the carrier
	 * of a DA_PARENT batcher */
	struct batch_rider *r_head, *r_tail;
	int64_t r_bytes;
	batch_carry_fn *carry;
	void *carrier;
};

/* A batch of a DA_PARENT batcher riding in its parent's batch. */
struct carried {
	struct batch_rider r;       /* first: the rider is the struct */
	struct batcher *bt;
	struct batch *b;
};

struct batcher *batcher_create(struct sim *sim, struct l1_chain *l1,
			       const struct batcher_cfg *cfg,
			       struct l1poster *poster, struct da_layer *da,
			       struct comp_calib *calib,
			       const struct tx_kind_params *kinds, gsl_rng *rng,
			       struct ledger *ledger, struct owned_list *owned,
			       sim_time_t warmup)
{
	struct batcher *b = calloc(1, sizeof(*b));
	if (!b)
		return NULL;
	b->sim = sim;
	b->l1 = l1;
	b->cfg = *cfg;
	b->inflight_seq_min = SIM_TIME_MAX;
	b->poster = poster;
	b->da = da;
	b->calib = calib;
	b->rng = rng;
	b->ledger = ledger;
	b->owned = owned;
	b->warmup = warmup;
	b->bpt_estimate = 40;
	if (lat_hist_init(&b->lat) || lat_hist_init(&b->lat_just) ||
	    (cfg->state_diffs && !(b->sd = sd_state_create(kinds)))) {
		batcher_destroy(b);
		return NULL;
	}
	return b;
}

void batcher_destroy(struct batcher *b)
{
	if (!b)
		return;
	/* Batches in flight live in the instance's owned list. */
	cohort_q_release(&b->pending);
	free(b->reorg_hooks);
	sd_state_destroy(b->sd);
	lat_hist_release(&b->lat);
	lat_hist_release(&b->lat_just);
	free(b);
}

void batcher_set_sink(struct batcher *b, batcher_sink_fn *fn, void *ctx)
{
	b->sink = fn;
	b->sink_ctx = ctx;
}

void batcher_set_carrier(struct batcher *b, batch_carry_fn *fn,
			 void *carrier)
{
	b->carry = fn;
	b->carrier = carrier;
}

int batcher_carry(void *batcher, struct batch_rider *r)
{
	struct batcher *b = batcher;
	r->next = NULL;
	r->since = sim_now(b->sim);
	if (b->r_tail)
		b->r_tail->next = r;
	else
		b->r_head = r;
	b->r_tail = r;
	b->r_bytes += r->bytes;
	return 0;
}

int batcher_add_reorg_hook(struct batcher *b, batcher_reorg_fn *fn,
			   void *ctx)
{
	void *p = realloc(b->reorg_hooks,
			  (b->n_reorg_hooks + 1) * sizeof(*b->reorg_hooks));
	if (!p)
		return L2S_ENOMEM;
	b->reorg_hooks = p;
	b->reorg_hooks[b->n_reorg_hooks++] = (struct reorg_hook){fn, ctx};
	return 0;
}

void batcher_accept(void *batcher, const struct cohort *c)
{
	struct batcher *b = batcher;
	if (cohort_q_push(&b->pending, c))
		sim_fail(b->sim, L2S_ENOMEM, "out of memory queueing "
			 "sequenced transactions");
}

uint64_t batcher_unposted(const struct batcher *b)
{
	return b->pending.txs + b->unposted_in_batches;
}

sim_time_t batcher_oldest_sequenced(const struct batcher *b)
{
	sim_time_t t = SIM_TIME_MAX;
	if (b->pending.len)
		t = b->pending.c[b->pending.head].sequenced;
	return b->inflight_seq_min < t ? b->inflight_seq_min : t;
}

void batcher_finish(struct batcher *b, sim_time_t end, bool waiting)
{
	if (!waiting)
		return;
	sim_time_t from = b->st.last_post > b->warmup ? b->st.last_post
						      : b->warmup;
	double gap = sim_time_to_s(end - from);
	if (gap > b->st.max_gap_s)
		b->st.max_gap_s = gap;
}

const struct batcher_stats *batcher_stats(const struct batcher *b) { return &b->st; }
const struct batcher_cfg *batcher_config(const struct batcher *b) { return &b->cfg; }
const struct lat_hist *batcher_latency(const struct batcher *b) { return &b->lat; }
const struct lat_hist *batcher_latency_justified(const struct batcher *b) { return &b->lat_just; }

void batcher_take_series(struct batcher *b, uint64_t *posted, double *bytes,
			 uint64_t *bytes_txs)
{
	*posted = b->s_posted;
	*bytes = b->s_bytes;
	*bytes_txs = b->s_posted_bytes_tx;
	b->s_posted = b->s_posted_bytes_tx = 0;
	b->s_bytes = 0;
}

/* Compressed bytes of a batch with these counts. */
static int64_t data_bytes(struct batcher *b, const uint64_t n[TX_KINDS],
			  bool commit)
{
	uint64_t total = 0;
	for (int k = 0; k < TX_KINDS; k++)
		total += n[k];
	if (total == 0)
		return 0;
	if (b->cfg.state_diffs) {
		if (!commit)
			return (int64_t)ceil(b->bpt_estimate * (double)total);
		int64_t x = sd_batch_bytes(b->sd, b->rng, n, NULL);
		if (x > 0)
			b->bpt_estimate = (double)x / (double)total;
		return x;
	}
	int64_t x = comp_calib_batch_bytes(b->calib, n);
	if (x < 0) {
		/* a run that lost a batch's bytes must not pass for whole */
		sim_fail(b->sim, L2S_ENOMEM, "out of memory while compressing "
			 "a batch sample");
		return 0;
	}
	return x;
}

/* Counts of the first 'n' pending transactions: exactly what batch_cut
 * takes (whole front cohorts, the last one split in proportion). */
static void front_counts(const struct cohort_q *q, uint64_t n,
			 uint64_t out[TX_KINDS])
{
	memset(out, 0, TX_KINDS * sizeof(*out));
	for (size_t i = 0; i < q->len && n > 0; i++) {
		struct cohort c = q->c[(q->head + i) & (q->cap - 1)], part;
		cohort_split(&c, n, &part);
		for (int k = 0; k < TX_KINDS; k++)
			out[k] += part.n[k];
		n -= part.total;
	}
}

/* How many pending transactions fill one batch. */
static uint64_t batch_capacity(struct batcher *bt, int64_t max)
{
	uint64_t pend = bt->pending.txs;
	uint64_t counts[TX_KINDS];
	int64_t bytes = data_bytes(bt, bt->pending.n, false);
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
	front_counts(&bt->pending, n, counts);
	bytes = data_bytes(bt, counts, false);
	if (bytes > 0) {
		bpt = (double)bytes / (double)n;
		n = (uint64_t)floor((double)max / bpt);
		if (n == 0)
			n = 1;
	}
	for (int i = 0; i < 16 && n > 1; i++) {
		front_counts(&bt->pending, n, counts);
		bytes = data_bytes(bt, counts, false);
		if (bytes <= max)
			break;
		uint64_t m = (uint64_t)floor((double)n * (double)max /
					     (double)bytes);
		n = m < n ? (m ? m : 1) : n - 1;
	}
	return n;
}

static void inflight_add(struct batcher *bt, struct batch *b)
{
	if (b->txs && b->sequenced_first < bt->inflight_seq_min)
		bt->inflight_seq_min = b->sequenced_first;
	b->prev_inflight = bt->inflight_tail;
	b->next_inflight = NULL;
	if (bt->inflight_tail)
		bt->inflight_tail->next_inflight = b;
	else
		bt->inflight_head = b;
	bt->inflight_tail = b;
}

static void inflight_remove(struct batcher *bt, struct batch *b)
{
	if (b->prev_inflight)
		b->prev_inflight->next_inflight = b->next_inflight;
	else
		bt->inflight_head = b->next_inflight;
	if (b->next_inflight)
		b->next_inflight->prev_inflight = b->prev_inflight;
	else
		bt->inflight_tail = b->prev_inflight;
	b->next_inflight = b->prev_inflight = NULL;
	if (b->txs && b->sequenced_first == bt->inflight_seq_min) {
		bt->inflight_seq_min = SIM_TIME_MAX;
		for (const struct batch *x = bt->inflight_head; x;
		     x = x->next_inflight)
			if (x->txs && x->sequenced_first < bt->inflight_seq_min)
				bt->inflight_seq_min = x->sequenced_first;
	}
}

/* Merges the closest pair of points (by arrival) until under the cap. */
static void add_point(struct batch *b, sim_time_t arrived, sim_time_t spread,
		      double w)
{
	if (b->n_pts && b->pts[b->n_pts - 1].arrived == arrived) {
		struct batch_point *l = &b->pts[b->n_pts - 1];
		l->weight += w;
		if (spread > l->spread)
			l->spread = spread;
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
		sim_time_t lo = p->arrived - p->spread,
			   hi = q->arrived + q->spread;
		if (q->arrived - q->spread < lo)
			lo = q->arrived - q->spread;
		if (p->arrived + p->spread > hi)
			hi = p->arrived + p->spread;
		p->arrived = (sim_time_t)((double)p->arrived * (p->weight / ww) +
					  (double)q->arrived * (q->weight / ww));
		/* The merged point covers both pairs' arrivals. */
		p->spread = p->arrived - lo > hi - p->arrived ? p->arrived - lo
							      : hi - p->arrived;
		p->weight = ww;
		memmove(q, q + 1, (size_t)(b->n_pts - best - 2) * sizeof(*q));
		b->n_pts--;
	}
	b->pts[b->n_pts++] = (struct batch_point){arrived, spread, w};
}

static struct batch *batch_cut(struct batcher *bt, uint64_t n, sim_time_t now)
{
	struct batch *b = owned_alloc(bt->owned, sizeof(*b));
	if (!b)
		return NULL;
	b->batcher = bt;
	b->id = ++bt->next_batch_id;
	b->created = now;
	while (b->txs < n && bt->pending.txs) {
		struct cohort c;
		uint64_t got = cohort_q_take(&bt->pending, n - b->txs, &c);
		if (!got)
			break;
		if (b->txs == 0)
			b->sequenced_first = c.sequenced;
		b->txs += got;
		for (int k = 0; k < TX_KINDS; k++)
			b->n[k] += c.n[k];
		add_point(b, c.arrived, c.spread, (double)got);
	}
	b->riders = bt->r_head;
	b->rider_bytes = bt->r_bytes;
	bt->r_head = bt->r_tail = NULL;
	bt->r_bytes = 0;
	bt->unposted_in_batches += b->txs;
	inflight_add(bt, b);
	return b;
}

/* ---- posting ----------------------------------------------------------------- */

static void batch_posted(struct batcher *bt, struct batch *b, sim_time_t at)
{
	b->posted = true;
	b->posted_at = at;
	inflight_remove(bt, b);
	bt->unposted_in_batches -= b->txs;
	bt->st.posted += b->txs;
	bt->s_posted += b->txs;
	/* Posting gaps: between batch postings to the system's DA (L1
	 * inclusion for rollups, confirmation for data kept off L1). */
	{
		sim_time_t from = bt->st.last_post > bt->warmup
					  ? bt->st.last_post
					  : bt->warmup;
		double gap = sim_time_to_s(at - from);
		if (at >= bt->warmup && gap > bt->st.max_gap_s)
			bt->st.max_gap_s = gap;
		if (at > bt->st.last_post)
			bt->st.last_post = at;
	}
	if (at >= bt->warmup) {
		const struct batcher_cfg *cfg = &bt->cfg;
		bt->st.posted_w += b->txs;
		bt->st.batches++;
		ledger_l1_bytes(bt->ledger, at, (double)b->l1_bytes);
		bt->st.da_bytes += (double)(b->l1_bytes + b->alt_bytes);
		if (bt->cfg.target == DA_PARENT)
			bt->st.parent_bytes += (double)b->bytes;
		bt->s_bytes += (double)(b->l1_bytes);
		bt->s_posted_bytes_tx += b->txs;
		if (b->uses_blobs && b->l1_bytes > 0) {
			int64_t nblobs = (b->l1_bytes + cfg->blob_payload - 1) /
					 cfg->blob_payload;
			bt->st.blob_bytes_bought +=
				(double)(nblobs * L1_BYTES_PER_BLOB);
			bt->st.blob_payload_bytes += (double)b->l1_bytes;
		}
		/* Exact means: arrival to posting, summed over transactions. */
		for (int i = 0; i < b->n_pts; i++)
			bt->st.latency_sum_s +=
				sim_time_to_s(at - b->pts[i].arrived) *
				b->pts[i].weight;
		lat_hist_add_arrivals(&bt->lat, b, at);
		/* The "safe" tier: the batch's L1 data (or commitment) is in
		 * a Casper-FFG-justified checkpoint; data only on another
		 * layer has no such tier. */
		if (b->included_at > 0) {
			sim_time_t j = l1_justified_at(bt->l1, b->included_at);
			lat_hist_add_arrivals(&bt->lat_just, b, j > at ? j : at);
		}
	}
	for (struct batch_rider *r = b->riders; r; r = r->next)
		if (r->on_posted)
			r->on_posted(r, at);
	if (bt->sink)
		bt->sink(bt->sink_ctx, b);
}

/* One of the batch's deliveries is done; posted when all are. */
static void delivered(struct batcher *bt, struct batch *b)
{
	if (--b->outstanding == 0)
		batch_posted(bt, b, b->included_at > b->posted_at
					    ? b->included_at
					    : b->posted_at);
}

static void data_included(void *ctx, const struct l1_receipt *r)
{
	struct batch *b = ctx;
	b->batcher->l1_inflight--;
	if (r->included_at > b->included_at)
		b->included_at = r->included_at;
	delivered(b->batcher, b);
}

static void data_reorged(void *ctx, const struct l1_receipt *r)
{
	struct batch *b = ctx;
	struct batcher *bt = b->batcher;
	for (size_t i = 0; i < bt->n_reorg_hooks; i++)
		bt->reorg_hooks[i].fn(bt->reorg_hooks[i].ctx, b,
				      sim_now(bt->sim));
}

enum post_mode { POST_BY_TARGET, POST_BLOBS, POST_CALLDATA };

static bool use_blobs(struct batcher *bt, enum post_mode mode)
{
	const struct batcher_cfg *b = &bt->cfg;
	if (mode != POST_BY_TARGET)
		return mode == POST_BLOBS;
	if (b->target == DA_L1_BLOBS)
		return true;
	if (b->target == DA_L1_CALLDATA)
		return false;
	/* auto: cost per byte of one blob transaction of blobs_per_tx
	 * blobs against one full calldata frame, each with its 21,000 gas
	 * (op-batcher channel_config_provider). */
	struct l1_chain *l1 = bt->l1;
	double base = (double)l1_base_fee(l1) +
		      (double)l1poster_config(bt->poster)->priority_fee;
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
static int post_l1_data(struct batcher *bt, struct batch *b, int64_t bytes,
			int64_t exec_gas, enum post_mode mode)
{
	const struct batcher_cfg *cfg = &bt->cfg;
	b->l1_bytes += bytes;
	if (use_blobs(bt, mode) && bytes > 0) {
		b->uses_blobs = true;
		int64_t nblobs = (bytes + cfg->blob_payload - 1) /
				 cfg->blob_payload;
		while (nblobs > 0) {
			int32_t k = nblobs > cfg->blobs_per_tx
					    ? cfg->blobs_per_tx
					    : (int32_t)nblobs;
			int rc = l1poster_submit_ex(bt->poster,
						    L1_TX_BASE_GAS + exec_gas,
						    k, data_included, NULL,
						    data_reorged, b);
			if (rc)
				return rc;
			bt->l1_inflight++;
			exec_gas = 0;
			b->outstanding++;
			nblobs -= k;
		}
		return 0;
	}
	int64_t left = bytes;
	do {
		int64_t chunk = left > cfg->max_calldata_tx
					? cfg->max_calldata_tx
					: left;
		/* Compressed data: about one byte in 256 is zero. */
		int64_t zero = chunk / 256;
		int64_t gas = l1_calldata_gas(bt->l1, zero, chunk - zero,
					      exec_gas);
		int rc = l1poster_submit_ex(bt->poster, gas, 0, data_included,
					    NULL, data_reorged, b);
		if (rc)
			return rc;
		bt->l1_inflight++;
		exec_gas = 0;
		b->outstanding++;
		left -= chunk;
	} while (left > 0);
	return 0;
}

static void da_done(struct sim *sim, void *arg, const struct da_receipt *r)
{
	struct batch *b = arg;
	struct batcher *bt = b->batcher;
	bt->da_inflight--;
	if (!r->ok) {
		if (bt->cfg.da_fallback) {
			/* AnyTrust: post the data on L1 when the committee
			 * cannot certify (docs/model-da.md). */
			bt->st.fallback_batches++;
			int64_t bytes = b->alt_bytes;
			b->alt_bytes = 0;
			b->outstanding--;
			if (post_l1_data(bt, b, bytes, 0, POST_BLOBS) == 0)
				return;
			b->outstanding++;
		}
		/* Without fallback, try the layer again. */
		if (da_submit(bt->da, b->alt_bytes, da_done, b) == 0) {
			bt->da_inflight++;
			return;
		}
	}
	ledger_da_fee(bt->ledger, r->confirmed_at, r->cost_wei);
	if (r->confirmed_at > b->posted_at)
		b->posted_at = r->confirmed_at;
	delivered(bt, b);
}

static void carried_posted(struct batch_rider *r, sim_time_t at)
{
	struct carried *c = (struct carried *)r;
	struct batcher *bt = c->bt;
	bt->da_inflight--;
	if (at > c->b->posted_at)
		c->b->posted_at = at;
	if (at > c->b->included_at)
		c->b->included_at = at;
	delivered(bt, c->b);
}

static void carried_final(struct batch_rider *r, sim_time_t at,
			  int32_t levels)
{
	struct carried *c = (struct carried *)r;
	owned_free(c->bt->owned, c);
}

/* DA_PARENT: the batch's bytes ride in the parent's next batch. */
static int post_to_parent(struct batcher *bt, struct batch *b, int64_t bytes)
{
	struct carried *c = owned_alloc(bt->owned, sizeof(*c));
	if (!c)
		return L2S_ENOMEM;
	c->r.bytes = bytes;
	c->r.on_posted = carried_posted;
	c->r.on_final = carried_final;
	c->bt = bt;
	c->b = b;
	b->outstanding++;
	bt->da_inflight++;
	int rc = bt->carry ? bt->carry(bt->carrier, &c->r) : L2S_EINPUT;
	if (rc) {
		b->outstanding--;
		bt->da_inflight--;
		owned_free(bt->owned, c);
	}
	return rc;
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

static int batch_post(struct batcher *bt, struct batch *b)
{
	const struct batcher_cfg *cfg = &bt->cfg;
	int rc = 0;
	/* The first data transaction carries the per-batch execution gas
	 * (a ZK commit); data kept off L1 sends its commitment with the
	 * proof (validium) or in its own small transaction (optimistic). */
	if (cfg->split) {
		uint64_t l1n[TX_KINDS], altn[TX_KINDS], l1_total;
		volition_split(b, cfg->l1_share, l1n, altn, &l1_total);
		b->l1_txs = l1_total;
		int64_t l1b = data_bytes(bt, l1n, true) + b->rider_bytes;
		int64_t altb = data_bytes(bt, altn, true);
		b->bytes = l1b + altb;
		b->alt_bytes = altb;
		if (altb > 0) {
			b->outstanding++;
			if ((rc = da_submit(bt->da, altb, da_done, b)))
				return rc;
			bt->da_inflight++;
		}
		if (l1b > 0 || altb == 0)
			rc = post_l1_data(bt, b, l1b, cfg->batch_gas,
					  POST_BLOBS);
		return rc;
	}
	int64_t bytes = data_bytes(bt, b->n, true) + b->rider_bytes;
	b->bytes = bytes;
	if (cfg->target == DA_PARENT)
		return post_to_parent(bt, b, bytes);
	if (cfg->target == DA_ALT) {
		b->alt_bytes = bytes;
		b->outstanding++;
		if ((rc = da_submit(bt->da, bytes, da_done, b)))
			return rc;
		bt->da_inflight++;
		if (cfg->commit_on_l1)
			rc = post_l1_data(bt, b, cfg->commitment_bytes,
					  cfg->batch_gas, POST_CALLDATA);
		return rc;
	}
	b->l1_txs = b->txs;
	return post_l1_data(bt, b, bytes, cfg->batch_gas, POST_BY_TARGET);
}

void batcher_tick(struct batcher *bt, sim_time_t now)
{
	const struct batcher_cfg *cfg = &bt->cfg;
	if (bt->down)
		return;
	/* max_pending_txs counts the batcher's own data transactions and DA
	 * submissions (op-batcher's max-pending-tx), not the proofs and
	 * state roots the instance's poster also carries. */
	bt->st.queue_merges = bt->pending.merges;
	while (bt->pending.txs || bt->r_head) {
		/* Riders (an L3's bytes) take their room first. */
		int64_t room = cfg->max_batch_bytes - bt->r_bytes;
		bool full, due = false;
		uint64_t n;
		if (bt->pending.txs)
			due = now - cohort_q_front(&bt->pending)->sequenced >=
			      cfg->max_delay;
		if (bt->r_head && now - bt->r_head->since >= cfg->max_delay)
			due = true;
		bool held = bt->l1_inflight + bt->da_inflight >=
			    cfg->max_pending_txs;
		if (held && due) {
			/* A batch is ready and the limit holds it back (its
			 * size does not matter: a backlog that lasts asks
			 * here every tick). */
			bt->st.limit_ticks++;
			break;
		}
		if (room <= 0) {
			full = true;
			n = 0;
		} else {
			uint64_t cap = bt->pending.txs
					       ? batch_capacity(bt, room)
					       : 1;
			full = bt->pending.txs >= cap;
			n = full ? cap : bt->pending.txs;
		}
		if (!full && !due)
			break;
		if (held) {
			bt->st.limit_ticks++;
			break;
		}
		struct batch *b = batch_cut(bt, n, now);
		if (!b)
			return;
		if (batch_post(bt, b)) {
			/* Cannot post (a transaction over the per-tx limits,
			 * out of memory): keep the batch in flight forever
			 * rather than lose its transactions. */
			return;
		}
	}
}

void batcher_set_down(void *batcher, int member, bool down)
{
	struct batcher *b = batcher;
	b->down_count += down ? 1 : -1;
	if (b->down_count < 0)
		b->down_count = 0;
	b->down = b->down_count > 0;
}
