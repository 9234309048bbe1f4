/*
 * The L1 chain as a discrete-event model: one event per slot.  A block
 * takes the pending system transactions it can afford next to background
 * demand, ordered by priority fee, within the gas limit and the blob
 * maximum; then the EIP-1559 base fee and the EIP-4844 excess blob gas move
 * on.  Background demand is a per-block quantity, never a transaction, so a
 * simulated year (2.6M slots) costs 2.6M events whatever the load.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "l1_internal.h"

/* go-ethereum txpool policy: a replacement must raise every fee field by
 * 10% (legacypool PriceBump), 100% for blob transactions (blobpool). */
#define REPLACE_BUMP_PCT 10
#define REPLACE_BUMP_BLOB_PCT 100

struct ptx {
	uint64_t id;            /* 0 marks a cancelled slot, compacted later */
	uint64_t seq;           /* first submission order, kept by replace and reorg */
	sim_time_t submitted;   /* first submission time, kept likewise */
	struct l1_tx tx;
	unsigned wait_reasons;  /* L1_WAIT_* from the last block built */
};

struct itx {
	struct ptx p;
	struct l1_receipt r;
};

/* Block-building order of an affordable pending tx. */
struct okey {
	uint64_t tip;
	uint64_t seq;
	size_t idx;
};

struct listener {
	l1_block_fn *fn;
	void *ctx;
};

struct series_pt {
	double t, base_fee_gwei, blob_fee_gwei, blobs;
};

struct l1_chain {
	struct sim *sim;
	struct l1_config cfg;
	gsl_rng *rng_missed, *rng_gas, *rng_blobs;
	sim_event_id slot_event;
	bool started;

	/* Fee state of the next block. */
	uint64_t base_fee;
	uint64_t excess;
	l1_u128 blob_fee;

	int64_t block_number;   /* blocks built */
	size_t trace_pos;
	int64_t forced_miss;
	double missed_p;
	double demand_mult;     /* fee_spike: background demand multiplier */
	uint64_t next_id, next_seq;

	struct ptx *pending;
	size_t n_pending, cap_pending, n_live;
	struct itx *unfinal;    /* included, not yet final, by block number */
	size_t uf_head, uf_tail, cap_unfinal;
	struct listener *listeners;
	size_t n_listeners, cap_listeners;
	struct okey *order;     /* block-building scratch */
	size_t cap_order;
	struct itx *incl;       /* this block's inclusions, for callbacks */
	size_t n_incl, cap_incl;

	/* Recording. */
	sim_time_t warmup, series_interval;
	int keep_blocks;
	struct res_l1_block *rows;
	size_t n_rows, cap_rows;
	struct series_pt *series;
	size_t n_series, cap_series;
	sim_time_t next_sample;
	int64_t iv_blocks;
	double iv_base, iv_blob, iv_blobs;

	/* Statistics over blocks at or after warm-up. */
	int64_t st_blocks, st_missed, st_blobs, st_system_blobs, st_system_txs;
	double st_gas, st_base_sum, st_base_max, st_blob_sum, st_blob_max;
	double st_system_fee_eth;
};

static int grow(void **p, size_t *cap, size_t need, size_t elem)
{
	if (need <= *cap)
		return 0;
	size_t nc = *cap ? *cap : 16;
	while (nc < need)
		nc *= 2;
	void *q = realloc(*p, nc * elem);
	if (!q)
		return L2S_ENOMEM;
	*p = q;
	*cap = nc;
	return 0;
}

static double u128_to_double(l1_u128 v)
{
	return (double)(uint64_t)(v >> 64) * 18446744073709551616.0 +
	       (double)(uint64_t)v;
}

/* grow() for the chain's arrays: a failure fails the run (its callers
 * carry on without the row, which must not pass for a whole run). */
static int l1_grow(struct l1_chain *l1, void **p, size_t *cap, size_t need,
		   size_t elem)
{
	int rc = grow(p, cap, need, elem);
	if (rc)
		sim_fail(l1->sim, L2S_ENOMEM, "out of memory in the L1 chain");
	return rc;
}

static void slot_handler(struct sim *sim, void *self, void *arg);

int l1_create(struct sim *sim, const struct scn_obj *cfg,
	      struct l1_chain **out, struct l2s_error *err)
{
	struct l1_chain *l1 = calloc(1, sizeof(*l1));
	int rc;

	*out = NULL;
	if (!l1)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	if ((rc = l1_config_read(cfg, &l1->cfg, err))) {
		free(l1);
		return rc;
	}
	l1->sim = sim;
	l1->rng_missed = sim_rng(sim, "l1/missed");
	l1->rng_gas = sim_rng(sim, "l1/gas");
	l1->rng_blobs = sim_rng(sim, "l1/blobs");
	if (!l1->rng_missed || !l1->rng_gas || !l1->rng_blobs) {
		l1_destroy(l1);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	l1->base_fee = l1->cfg.initial_base_fee;
	l1->excess = l1->cfg.initial_excess_blob_gas;
	l1->blob_fee = l1_fee_blob_base(l1->excess, l1->cfg.fork.blob_update_fraction);
	l1->missed_p = l1->cfg.missed_p;
	l1->demand_mult = 1;
	l1->next_id = 1;
	*out = l1;
	return 0;
}

void l1_destroy(struct l1_chain *l1)
{
	if (!l1)
		return;
	l1_config_release(&l1->cfg);
	free(l1->pending);
	free(l1->unfinal);
	free(l1->listeners);
	free(l1->order);
	free(l1->incl);
	free(l1->rows);
	free(l1->series);
	free(l1);
}

void l1_set_recording(struct l1_chain *l1, sim_time_t warmup, int keep_blocks,
		      sim_time_t series_interval)
{
	l1->warmup = warmup > 0 ? warmup : 0;
	l1->keep_blocks = keep_blocks;
	l1->series_interval = series_interval > 0 ? series_interval : 0;
	if (l1->series_interval > 0) {
		sim_time_t now = sim_now(l1->sim);
		l1->next_sample = (now / l1->series_interval + 1) *
				  l1->series_interval;
	}
}

int l1_start(struct l1_chain *l1)
{
	sim_time_t now = sim_now(l1->sim);
	sim_time_t st = l1->cfg.slot_time;
	/* Slot k starts at k * slot_time; slot 0 is genesis, so the first
	 * block comes one slot after the start and txs submitted at time 0
	 * can make it. */
	sim_time_t first = (now / st + 1) * st;

	if (l1->started)
		return 0;
	l1->started = true;
	return sim_schedule(l1->sim, first, slot_handler, l1, NULL, &l1->slot_event);
}

/* ---- transactions ------------------------------------------------------ */

static int validate(const struct l1_chain *l1, const struct l1_tx *tx,
		    struct l2s_error *err)
{
	if (tx->gas < L1_TX_BASE_GAS)
		return l2s_error_set(err, L2S_EINPUT,
				     "tx gas %lld is below the intrinsic 21000",
				     (long long)tx->gas);
	if (tx->gas > l1_max_tx_gas(l1))
		return l2s_error_set(err, L2S_EINPUT,
				     "tx gas %lld exceeds the per-tx maximum %lld",
				     (long long)tx->gas, (long long)l1_max_tx_gas(l1));
	if (tx->blobs < 0 || tx->blobs > l1_max_blobs_per_tx(l1))
		return l2s_error_set(err, L2S_EINPUT,
				     "tx carries %d blobs; at most %d allowed",
				     tx->blobs, l1_max_blobs_per_tx(l1));
	if (tx->max_priority_fee_per_gas > tx->max_fee_per_gas)
		return l2s_error_set(err, L2S_EINPUT,
				     "max priority fee exceeds max fee per gas");
	return 0;
}

int l1_submit(struct l1_chain *l1, const struct l1_tx *tx, uint64_t *tx_id,
	      struct l2s_error *err)
{
	int rc = validate(l1, tx, err);
	if (rc)
		return rc;
	if (l1_grow(l1, (void **)&l1->pending, &l1->cap_pending, l1->n_pending + 1,
		 sizeof(*l1->pending)))
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	struct ptx *p = &l1->pending[l1->n_pending++];
	memset(p, 0, sizeof(*p));
	p->id = l1->next_id++;
	p->seq = l1->next_seq++;
	p->submitted = sim_now(l1->sim);
	p->tx = *tx;
	l1->n_live++;
	if (tx_id)
		*tx_id = p->id;
	return 0;
}

static struct ptx *find_pending(struct l1_chain *l1, uint64_t id)
{
	if (id == 0)
		return NULL;
	for (size_t i = 0; i < l1->n_pending; i++)
		if (l1->pending[i].id == id)
			return &l1->pending[i];
	return NULL;
}

static bool bumped(uint64_t old, uint64_t new_, unsigned pct)
{
	l1_u128 need = (l1_u128)old * (100 + pct) / 100;
	return new_ > old && (l1_u128)new_ >= need;
}

int l1_set_on_waiting(struct l1_chain *l1, uint64_t tx_id, l1_waiting_fn *fn)
{
	struct ptx *p = find_pending(l1, tx_id);
	if (!p)
		return L2S_EINPUT;
	p->tx.on_waiting = fn;
	return 0;
}

int l1_replace(struct l1_chain *l1, uint64_t tx_id, const struct l1_tx *tx,
	       struct l2s_error *err)
{
	struct ptx *p = find_pending(l1, tx_id);
	int rc;

	if (!p)
		return l2s_error_set(err, L2S_EINPUT, "tx %llu is not pending",
				     (unsigned long long)tx_id);
	if ((rc = validate(l1, tx, err)))
		return rc;
	unsigned pct = (p->tx.blobs > 0 || tx->blobs > 0) ? REPLACE_BUMP_BLOB_PCT
							  : REPLACE_BUMP_PCT;
	if (!bumped(p->tx.max_fee_per_gas, tx->max_fee_per_gas, pct) ||
	    !bumped(p->tx.max_priority_fee_per_gas, tx->max_priority_fee_per_gas, pct) ||
	    (p->tx.blobs > 0 && tx->blobs > 0 &&
	     !bumped(p->tx.max_fee_per_blob_gas, tx->max_fee_per_blob_gas, pct))) {
		rc = l2s_error_set(err, L2S_EINPUT,
				   "replacement of tx %llu is underpriced",
				   (unsigned long long)tx_id);
		l2s_error_hint(err, "raise every fee field by at least %u%%", pct);
		return rc;
	}
	p->tx = *tx;
	return 0;
}

int l1_cancel(struct l1_chain *l1, uint64_t tx_id, struct l2s_error *err)
{
	struct ptx *p = find_pending(l1, tx_id);
	if (!p)
		return l2s_error_set(err, L2S_EINPUT, "tx %llu is not pending",
				     (unsigned long long)tx_id);
	/* A tombstone: indices stay valid while callbacks run; the next
	 * block compacts. */
	p->id = 0;
	l1->n_live--;
	return 0;
}

int l1_on_block(struct l1_chain *l1, l1_block_fn *fn, void *ctx)
{
	if (l1_grow(l1, (void **)&l1->listeners, &l1->cap_listeners, l1->n_listeners + 1,
		 sizeof(*l1->listeners)))
		return L2S_ENOMEM;
	l1->listeners[l1->n_listeners++] = (struct listener){ fn, ctx };
	return 0;
}

/* ---- faults ------------------------------------------------------------ */

void l1_set_demand_multiplier(struct l1_chain *l1, double m)
{
	l1->demand_mult = m > 0 ? m : 0;
}

void l1_set_missed_probability(struct l1_chain *l1, double p)
{
	l1->missed_p = p < 0 ? 0 : p > 1 ? 1 : p;
}

void l1_force_miss(struct l1_chain *l1, int64_t n)
{
	if (n > 0)
		l1->forced_miss += n;
}

int64_t l1_reorg(struct l1_chain *l1, int64_t depth)
{
	int64_t first = l1->block_number - depth + 1;
	size_t k = l1->uf_tail;
	int64_t n;

	if (depth <= 0)
		return 0;
	/* Final blocks were dropped from 'unfinal', so they are out of
	 * reach: a reorg never crosses finality. */
	while (k > l1->uf_head && l1->unfinal[k - 1].r.block_number >= first)
		k--;
	n = (int64_t)(l1->uf_tail - k);
	if (n == 0)
		return 0;
	if (l1_grow(l1, (void **)&l1->pending, &l1->cap_pending, l1->n_pending + (size_t)n,
		 sizeof(*l1->pending)))
		return -1;
	/* Copy the void receipts out before any callback can reorg again. */
	struct itx *gone = malloc((size_t)n * sizeof(*gone));
	if (!gone)
		return -1;
	memcpy(gone, &l1->unfinal[k], (size_t)n * sizeof(*gone));
	l1->uf_tail = k;
	for (int64_t i = 0; i < n; i++) {
		gone[i].p.wait_reasons = 0;
		l1->pending[l1->n_pending++] = gone[i].p;
		l1->n_live++;
	}
	for (int64_t i = 0; i < n; i++)
		if (gone[i].p.tx.on_reorged)
			gone[i].p.tx.on_reorged(gone[i].p.tx.ctx, &gone[i].r);
	free(gone);
	return n;
}

/* ---- getters ----------------------------------------------------------- */

uint64_t l1_base_fee(const struct l1_chain *l1) { return l1->base_fee; }
uint64_t l1_blob_base_fee(const struct l1_chain *l1) { return l1_u128_sat64(l1->blob_fee); }
uint64_t l1_excess_blob_gas(const struct l1_chain *l1) { return l1->excess; }
sim_time_t l1_slot_time(const struct l1_chain *l1) { return l1->cfg.slot_time; }
int64_t l1_gas_limit(const struct l1_chain *l1) { return l1->cfg.gas_limit; }
int32_t l1_blob_target(const struct l1_chain *l1) { return l1->cfg.fork.blob_target; }
int32_t l1_blob_max(const struct l1_chain *l1) { return l1->cfg.fork.blob_max; }
const struct l1_fork *l1_fork(const struct l1_chain *l1) { return &l1->cfg.fork; }
int64_t l1_head_block(const struct l1_chain *l1) { return l1->block_number; }
size_t l1_pending_count(const struct l1_chain *l1) { return l1->n_live; }

int64_t l1_ffg_justified_slot(int64_t slot)
{
	int64_t c = (slot + L1_SLOTS_PER_EPOCH - 1) / L1_SLOTS_PER_EPOCH;
	return L1_SLOTS_PER_EPOCH * (c + 1);
}

int64_t l1_ffg_final_slot(int64_t slot)
{
	return l1_ffg_justified_slot(slot) + L1_SLOTS_PER_EPOCH;
}

sim_time_t l1_justified_at(const struct l1_chain *l1, sim_time_t included_at)
{
	sim_time_t st = l1->cfg.slot_time;
	if (l1->cfg.finality_slots >= 0) /* fixed: justified one epoch sooner */
		return included_at + (l1->cfg.finality_slots / 2) * st;
	return l1_ffg_justified_slot(included_at / st) * st;
}

sim_time_t l1_final_at(const struct l1_chain *l1, sim_time_t included_at)
{
	sim_time_t st = l1->cfg.slot_time;
	if (l1->cfg.finality_slots >= 0)
		return included_at + l1->cfg.finality_slots * st;
	return l1_ffg_final_slot(included_at / st) * st;
}

int32_t l1_max_blobs_per_tx(const struct l1_chain *l1)
{
	int32_t cap = l1->cfg.fork.max_blobs_per_tx;
	return cap > 0 && cap < l1->cfg.fork.blob_max ? cap : l1->cfg.fork.blob_max;
}

int64_t l1_max_tx_gas(const struct l1_chain *l1)
{
	int64_t cap = l1->cfg.fork.max_tx_gas;
	return cap > 0 && cap < l1->cfg.gas_limit ? cap : l1->cfg.gas_limit;
}

int64_t l1_calldata_gas(const struct l1_chain *l1, int64_t zero_bytes,
			int64_t nonzero_bytes, int64_t exec_gas)
{
	return l1_fee_calldata_gas(l1->cfg.fork.eip7623, zero_bytes, nonzero_bytes,
				   exec_gas);
}

/* ---- the slot ---------------------------------------------------------- */

/* Background demand of this block: trace row or distribution draw. */
static void background(struct l1_chain *l1, int64_t *gas, int32_t *blobs)
{
	const struct l1_config *c = &l1->cfg;
	const struct l1_trace *t = &c->trace;
	size_t row = 0;

	if (t->n > 0) {
		row = l1->trace_pos < t->n ? l1->trace_pos
			: t->hold ? t->n - 1 : l1->trace_pos % t->n;
		l1->trace_pos++;
	}
	/* A fee spike scales demand, drawn or traced; 1 leaves the
	 * integer trace rows untouched. */
	double m = l1->demand_mult;
	if (t->gas && m == 1) {
		*gas = t->gas[row];
	} else {
		double g = t->gas ? (double)t->gas[row]
				  : l1_dist_draw(&c->gas, l1->rng_gas,
						 (double)l1->base_fee);
		g *= m;
		*gas = g >= (double)c->gas_limit ? c->gas_limit : (int64_t)llround(g);
	}
	if (t->blobs && m == 1) {
		*blobs = t->blobs[row];
	} else {
		double b = t->blobs ? (double)t->blobs[row]
				    : l1_dist_draw(&c->blobs, l1->rng_blobs,
						   u128_to_double(l1->blob_fee));
		b *= m;
		if (b >= c->fork.blob_max) {
			*blobs = c->fork.blob_max;
		} else {
			/* Stochastic rounding keeps a fractional mean exact
			 * (1.5 blobs is half 1, half 2). */
			double fl = floor(b);
			*blobs = (int32_t)fl;
			if (b > fl && gsl_rng_uniform(l1->rng_blobs) < b - fl)
				(*blobs)++;
		}
	}
	if (*gas > c->gas_limit)
		*gas = c->gas_limit;
	if (*blobs > c->fork.blob_max)
		*blobs = c->fork.blob_max;
}

/* Block order: higher effective tip first, then first submitted. */
static int cmp_order(const void *a, const void *b)
{
	const struct okey *x = a, *y = b;
	if (x->tip != y->tip)
		return x->tip > y->tip ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static void emit_samples(struct l1_chain *l1, sim_time_t now)
{
	if (l1->series_interval <= 0)
		return;
	while (l1->next_sample <= now) {
		struct series_pt pt;
		pt.t = sim_time_to_s(l1->next_sample);
		if (l1->iv_blocks > 0) {
			pt.base_fee_gwei = l1->iv_base / (double)l1->iv_blocks;
			pt.blob_fee_gwei = l1->iv_blob / (double)l1->iv_blocks;
			pt.blobs = l1->iv_blobs / (double)l1->iv_blocks;
		} else {
			/* Only missed slots: the fees that stood. */
			pt.base_fee_gwei = (double)l1->base_fee / 1e9;
			pt.blob_fee_gwei = u128_to_double(l1->blob_fee) / 1e9;
			pt.blobs = 0;
		}
		if (l1_grow(l1, (void **)&l1->series, &l1->cap_series, l1->n_series + 1,
			 sizeof(*l1->series)) == 0)
			l1->series[l1->n_series++] = pt;
		l1->iv_blocks = 0;
		l1->iv_base = l1->iv_blob = l1->iv_blobs = 0;
		l1->next_sample += l1->series_interval;
	}
}

static void finalize(struct l1_chain *l1, sim_time_t now)
{
	/* Re-read the head each time: an on_final callback may reorg. */
	while (l1->uf_head < l1->uf_tail &&
	       l1->unfinal[l1->uf_head].r.final_at <= now) {
		struct itx done = l1->unfinal[l1->uf_head++];
		if (done.p.tx.on_final)
			done.p.tx.on_final(done.p.tx.ctx, &done.r);
	}
	if (l1->uf_head == l1->uf_tail) {
		l1->uf_head = l1->uf_tail = 0;
	} else if (l1->uf_head > 1024 && l1->uf_head * 2 > l1->uf_tail) {
		memmove(l1->unfinal, l1->unfinal + l1->uf_head,
			(l1->uf_tail - l1->uf_head) * sizeof(*l1->unfinal));
		l1->uf_tail -= l1->uf_head;
		l1->uf_head = 0;
	}
}

static void notify_listeners(struct l1_chain *l1, const struct l1_block *b)
{
	for (size_t i = 0; i < l1->n_listeners; i++)
		l1->listeners[i].fn(l1->listeners[i].ctx, b);
}

/* Drops the tombstones of cancelled and included txs, keeping the order
 * (entries before the first hole are not copied). */
static void compact_pending(struct l1_chain *l1)
{
	size_t w = 0;
	while (w < l1->n_pending && l1->pending[w].id != 0)
		w++;
	for (size_t i = w; i < l1->n_pending; i++)
		if (l1->pending[i].id != 0)
			l1->pending[w++] = l1->pending[i];
	l1->n_pending = w;
}

/* Builds the block of this slot; fills *b. */
static void build_block(struct l1_chain *l1, int64_t slot, sim_time_t now,
			struct l1_block *b)
{
	const struct l1_config *c = &l1->cfg;
	const uint64_t bf = l1->base_fee;
	const l1_u128 bbf = l1->blob_fee;
	const uint64_t bbf64 = l1_u128_sat64(bbf);
	const uint64_t bg_tip = c->bg_priority_fee;
	int64_t gas_bg, gas = 0;
	int32_t blobs_bg, blobs = 0, sys_blobs = 0;
	size_t n_elig = 0;

	background(l1, &gas_bg, &blobs_bg);

	/* Compact cancelled entries; mark what each pending tx can afford. */
	compact_pending(l1);
	/* Out of memory for the scratch: this block takes no system tx;
	 * they wait (NO_ROOM) and the run goes on. */
	bool have_order =
		l1_grow(l1, (void **)&l1->order, &l1->cap_order, l1->n_pending + 1,
		     sizeof(*l1->order)) == 0 &&
		l1_grow(l1, (void **)&l1->incl, &l1->cap_incl, l1->n_pending + 1,
		     sizeof(*l1->incl)) == 0 &&
		l1_grow(l1, (void **)&l1->unfinal, &l1->cap_unfinal,
		     l1->uf_tail + l1->n_pending + 1, sizeof(*l1->unfinal)) == 0;
	for (size_t i = 0; i < l1->n_pending; i++) {
		struct ptx *p = &l1->pending[i];
		p->wait_reasons = 0;
		/* Only txs submitted strictly before the block's time, so a
		 * submission at a slot boundary waits for the next slot
		 * whatever the order of same-time events. */
		if (p->submitted >= now)
			continue;
		/* EIP-1559: max_fee_per_gas >= base fee; EIP-4844:
		 * max_fee_per_blob_gas >= blob base fee. */
		if (p->tx.max_fee_per_gas < bf)
			p->wait_reasons |= L1_WAIT_BASE_FEE;
		if (p->tx.blobs > 0 && (l1_u128)p->tx.max_fee_per_blob_gas < bbf)
			p->wait_reasons |= L1_WAIT_BLOB_FEE;
		if (!have_order)
			p->wait_reasons |= L1_WAIT_NO_ROOM;
		if (p->wait_reasons)
			continue;
		/* EIP-1559: the effective tip is min(max priority fee,
		 * max fee - base fee). */
		uint64_t room = p->tx.max_fee_per_gas - bf;
		l1->order[n_elig++] = (struct okey){
			.tip = p->tx.max_priority_fee_per_gas < room ?
			       p->tx.max_priority_fee_per_gas : room,
			.seq = p->seq,
			.idx = i,
		};
	}
	/* Pending txs are in submission order, so with equal tips (the
	 * usual case) the order is already sorted. */
	size_t unsorted = 1;
	while (unsorted < n_elig &&
	       cmp_order(&l1->order[unsorted - 1], &l1->order[unsorted]) <= 0)
		unsorted++;
	if (unsorted < n_elig)
		qsort(l1->order, n_elig, sizeof(*l1->order), cmp_order);

	/* Greedy by tip, as a block builder does: a tx that does not fit is
	 * skipped and smaller ones may still go in.  The background (many
	 * small txs at one tip) goes in after the systems' txs that outbid
	 * it and before those that do not (ties go to the background). */
	bool bg_done = false;
	l1->n_incl = 0;
	for (size_t k = 0; k <= n_elig; k++) {
		struct ptx *p = k < n_elig ? &l1->pending[l1->order[k].idx] : NULL;
		uint64_t tip = k < n_elig ? l1->order[k].tip : 0;
		if (!bg_done && (!p || tip <= bg_tip)) {
			int64_t g = c->gas_limit - gas;
			int32_t bl = c->fork.blob_max - blobs;
			gas += gas_bg < g ? gas_bg : g;
			blobs += blobs_bg < bl ? blobs_bg : bl;
			bg_done = true;
		}
		if (!p)
			break;
		if (gas + p->tx.gas > c->gas_limit ||
		    blobs + p->tx.blobs > c->fork.blob_max) {
			p->wait_reasons |= L1_WAIT_NO_ROOM;
			continue;
		}
		gas += p->tx.gas;
		blobs += p->tx.blobs;
		sys_blobs += p->tx.blobs;
		struct itx *it = &l1->incl[l1->n_incl++];
		struct l1_receipt *r = &it->r;
		it->p = *p;
		memset(r, 0, sizeof(*r));
		r->tx_id = p->id;
		r->slot = slot;
		r->block_number = l1->block_number + 1;
		r->included_at = now;
		r->justified_at = l1_justified_at(l1, now);
		r->final_at = l1_final_at(l1, now);
		r->gas_used = p->tx.gas;
		r->blobs = p->tx.blobs;
		r->blob_gas_used = (int64_t)p->tx.blobs * L1_GAS_PER_BLOB;
		r->base_fee = bf;
		r->effective_gas_price = bf + tip;
		r->blob_gas_price = p->tx.blobs > 0 ? bbf64 : 0;
		r->tip_wei = (l1_u128)tip * (uint64_t)p->tx.gas;
		r->blob_fee_wei = (l1_u128)r->blob_gas_price * (uint64_t)r->blob_gas_used;
		r->fee_wei = (l1_u128)r->effective_gas_price * (uint64_t)p->tx.gas +
			     r->blob_fee_wei;
		r->fee_eth = u128_to_double(r->fee_wei) / 1e18;
		p->id = 0; /* leaves pending */
	}

	/* Included txs move to the not-yet-final list (room reserved). */
	if (l1->n_incl > 0) {
		memcpy(&l1->unfinal[l1->uf_tail], l1->incl,
		       l1->n_incl * sizeof(*l1->incl));
		l1->uf_tail += l1->n_incl;
	}
	compact_pending(l1);
	l1->n_live = l1->n_pending;

	/* The next block's fees: EIP-1559 from this block's gas, EIP-4844 /
	 * EIP-7918 from its blob gas (the fork does not change in a run, so
	 * this block's blob fee is the parent fee EIP-7918 asks for). */
	l1->block_number++;
	l1->base_fee = l1_fee_next_base(bf, c->gas_limit, gas);
	l1->excess = l1_fee_excess_blob_gas_known(&c->fork, l1->excess,
						  (uint64_t)blobs * L1_GAS_PER_BLOB,
						  bf, bbf);
	l1->blob_fee = l1_fee_blob_base(l1->excess, c->fork.blob_update_fraction);

	memset(b, 0, sizeof(*b));
	b->slot = slot;
	b->block_number = l1->block_number;
	b->t = now;
	b->gas_used = gas;
	b->blobs = blobs;
	b->system_blobs = sys_blobs;
	b->base_fee = bf;
	b->blob_base_fee = bbf64;
	b->excess_blob_gas = 0; /* filled by the caller, which knows the parent */
	b->next_base_fee = l1->base_fee;
	b->next_blob_base_fee = l1_u128_sat64(l1->blob_fee);
}

static void record(struct l1_chain *l1, const struct l1_block *b,
		   l1_u128 blob_fee)
{
	double base_gwei = (double)b->base_fee / 1e9;
	double blob_gwei = u128_to_double(blob_fee) / 1e9;

	l1->iv_blocks++;
	l1->iv_base += base_gwei;
	l1->iv_blob += blob_gwei;
	l1->iv_blobs += b->blobs;
	if (l1->keep_blocks &&
	    l1_grow(l1, (void **)&l1->rows, &l1->cap_rows, l1->n_rows + 1,
		 sizeof(*l1->rows))) {
		/* a run that lost a block row must not pass for whole */
		sim_fail(l1->sim, L2S_ENOMEM, "out of memory keeping L1 "
			 "block rows");
	} else if (l1->keep_blocks) {
		struct res_l1_block *row = &l1->rows[l1->n_rows++];
		row->slot = b->slot;
		row->t_seconds = sim_time_to_s(b->t);
		row->gas_used = b->gas_used;
		row->base_fee_wei = b->base_fee;
		row->blob_gas_used = (int64_t)b->blobs * L1_GAS_PER_BLOB;
		row->excess_blob_gas = b->excess_blob_gas;
		row->blob_base_fee_wei = b->blob_base_fee;
		row->blobs = b->blobs;
	}
	if (b->t < l1->warmup)
		return;
	l1->st_blocks++;
	l1->st_gas += (double)b->gas_used;
	l1->st_blobs += b->blobs;
	l1->st_system_blobs += b->system_blobs;
	l1->st_base_sum += base_gwei;
	if (base_gwei > l1->st_base_max)
		l1->st_base_max = base_gwei;
	l1->st_blob_sum += blob_gwei;
	if (blob_gwei > l1->st_blob_max)
		l1->st_blob_max = blob_gwei;
	for (size_t i = 0; i < l1->n_incl; i++)
		l1->st_system_fee_eth += l1->incl[i].r.fee_eth;
	l1->st_system_txs += (int64_t)l1->n_incl;
}

static void slot_handler(struct sim *sim, void *self, void *arg)
{
	struct l1_chain *l1 = self;
	sim_time_t now = sim_now(sim);
	int64_t slot = now / l1->cfg.slot_time;
	bool missed = false;
	struct l1_block b;
	(void)arg;

	/* The next slot first: callbacks below may stop the run. */
	sim_schedule(sim, now + l1->cfg.slot_time, slot_handler, l1, NULL,
		     &l1->slot_event);
	finalize(l1, now);
	emit_samples(l1, now);

	if (l1->forced_miss > 0) {
		l1->forced_miss--;
		missed = true;
	} else if (l1->missed_p > 0) {
		missed = gsl_rng_uniform(l1->rng_missed) < l1->missed_p;
	}
	if (missed) {
		if (now >= l1->warmup)
			l1->st_missed++;
		memset(&b, 0, sizeof(b));
		b.slot = slot;
		b.block_number = l1->block_number;
		b.t = now;
		b.missed = true;
		b.base_fee = b.next_base_fee = l1->base_fee;
		b.blob_base_fee = b.next_blob_base_fee = l1_u128_sat64(l1->blob_fee);
		b.excess_blob_gas = l1->excess;
		notify_listeners(l1, &b);
		return;
	}

	uint64_t excess = l1->excess;
	l1_u128 blob_fee = l1->blob_fee;
	build_block(l1, slot, now, &b);
	b.excess_blob_gas = excess;
	record(l1, &b, blob_fee);

	/* Callbacks after the block is complete, so they see the next
	 * block's fees and may submit, replace or cancel freely: inclusions
	 * come from a copy, waiting txs are looked up by index and skipped
	 * when cancelled meanwhile (cancel leaves a tombstone). */
	size_t n_wait = l1->n_pending;
	for (size_t i = 0; i < l1->n_incl; i++) {
		const struct itx *it = &l1->incl[i];
		if (it->p.tx.on_included)
			it->p.tx.on_included(it->p.tx.ctx, &it->r);
	}
	for (size_t i = 0; i < n_wait && i < l1->n_pending; i++) {
		struct ptx *p = &l1->pending[i];
		if (p->id == 0 || p->wait_reasons == 0 || !p->tx.on_waiting)
			continue;
		struct l1_wait wt = {
			.tx_id = p->id,
			.reasons = p->wait_reasons,
			.slot = slot,
			.base_fee = b.base_fee,
			.blob_base_fee = b.blob_base_fee,
			.next_base_fee = l1->base_fee,
			.next_blob_base_fee = l1_u128_sat64(l1->blob_fee),
		};
		p->tx.on_waiting(p->tx.ctx, &wt);
	}
	notify_listeners(l1, &b);
}

/* ---- output ------------------------------------------------------------ */

void l1_collect(struct l1_chain *l1, struct run_result *res)
{
	const char *C = "l1";
	double n = (double)l1->st_blocks;
	double span = sim_time_to_s(sim_now(l1->sim) - l1->warmup);

	res_metric_set(res, C, "blocks", n);
	res_metric_set(res, C, "missed_slots", (double)l1->st_missed);
	res_metric_set(res, C, "base_fee_gwei_mean", n > 0 ? l1->st_base_sum / n : 0);
	res_metric_set(res, C, "base_fee_gwei_max", l1->st_base_max);
	res_metric_set(res, C, "blob_base_fee_gwei_mean", n > 0 ? l1->st_blob_sum / n : 0);
	res_metric_set(res, C, "blob_base_fee_gwei_max", l1->st_blob_max);
	res_metric_set(res, C, "blobs_per_block_mean", n > 0 ? (double)l1->st_blobs / n : 0);
	res_metric_set(res, C, "blob_utilization",
		       n > 0 ? (double)l1->st_blobs / (n * l1->cfg.fork.blob_max) : 0);
	res_metric_set(res, C, "blob_target_ratio",
		       n > 0 ? (double)l1->st_blobs / (n * l1->cfg.fork.blob_target) : 0);
	res_metric_set(res, C, "gas_utilization",
		       n > 0 ? l1->st_gas / (n * (double)l1->cfg.gas_limit) : 0);
	res_metric_set(res, C, "system_txs", (double)l1->st_system_txs);
	res_metric_set(res, C, "system_blobs_per_block_mean",
		       n > 0 ? (double)l1->st_system_blobs / n : 0);
	res_metric_set(res, C, "system_fees_eth", l1->st_system_fee_eth);
	res_metric_set(res, C, "blob_bytes_per_s",
		       span > 0 ? (double)l1->st_blobs * L1_BYTES_PER_BLOB / span : 0);
	for (size_t i = 0; i < l1->n_series; i++) {
		const struct series_pt *p = &l1->series[i];
		res_series_add(res, C, "base_fee_gwei", p->t, p->base_fee_gwei);
		res_series_add(res, C, "blob_base_fee_gwei", p->t, p->blob_fee_gwei);
		res_series_add(res, C, "blobs_per_block", p->t, p->blobs);
	}
	for (size_t i = 0; i < l1->n_rows; i++)
		res_l1_block_add(res, &l1->rows[i]);
}
