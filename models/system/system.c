/*
 * A system instance (include/l2sim/system.h): its components, wired; the
 * liveness check; metrics and series.
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/mechanism.h"
#include "l2sim/system.h"

/* One promise's failure intervals. */
struct cause_track {
	bool open;
	sim_time_t since;
	double base;            /* transactions waiting when it opened */
	uint64_t inflow0;       /* the cause's inflow counter then */
	double seconds;         /* closed intervals */
	uint64_t count;
};

struct failure_row {
	enum mech_cause cause;
	sim_time_t t0, t1;
	double txs;
};

struct sys_stats {
	uint64_t backlog_max;
	double backlog_tx_s;        /* backlog integrated over measured time */
	sim_time_t last_check;
	struct cause_track cause[CAUSES];
	bool failing;               /* any cause open: the union */
	sim_time_t failing_since;
	double liveness_failure_s;  /* union length */
	uint64_t dropped_seen;
	struct failure_row *rows;
	size_t n_rows, cap_rows;
};

struct sys_instance {
	char name[112];
	struct system_def *def;
	struct sim *sim;
	sim_time_t warmup;
	gsl_rng *rng;
	struct wl_stream *wl;
	struct owned_list owned;    /* batches, jobs, L1 txs in flight */
	struct ledger ledger;
	struct l1poster *poster;
	struct sequencer *seq;
	struct batcher *batcher;
	struct prover *prover;
	struct settlement *settle;
	struct fees *fees;          /* fee mechanism, or NULL */
	void **mech;                /* per mech_registry[] entry */
	sim_time_t based_arrivals_t; /* based: arrivals drawn up to here */
	sim_time_t based_block_t;    /* based: last L1 block sequenced */
	struct sys_stats st;
};

int sys_instance_create(const struct sys_env *env, struct system_def *def,
			int index, struct sys_instance **out,
			struct l2s_error *err)
{
	*out = NULL;
	struct sys_instance *in = calloc(1, sizeof(*in));
	if (!in)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	in->def = def;
	in->sim = env->sim;
	in->owned.sim = env->sim;
	in->warmup = env->warmup;
	if (def->count > 1)
		snprintf(in->name, sizeof(in->name), "%s#%d", def->name, index);
	else
		snprintf(in->name, sizeof(in->name), "%s", def->name);
	ledger_init(&in->ledger, env->warmup);
	int rc = 0;
	const struct tx_kind_params *kinds = workload_kinds(def->workload);
	in->rng = sim_rng(env->sim, in->name);
	in->wl = wl_stream_create(def->workload);
	in->mech = calloc(mech_count() + 1, sizeof(*in->mech));
	if (!in->rng || !in->wl || !in->mech ||
	    !(in->poster = l1poster_create(env->l1, &def->poster, &in->ledger,
					   &in->owned)) ||
	    !(in->seq = seq_create(env->sim, &def->seq, def->shared, kinds,
				   env->warmup)) ||
	    !(in->batcher = batcher_create(env->sim, env->l1, &def->batcher,
					   in->poster, def->da, def->calib,
					   kinds, in->rng, &in->ledger,
					   &in->owned, env->warmup))) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto fail;
	}
	if (def->fees) {
		/* Its own stream: pricing leaves the other draws as they
		 * are without fees. */
		char fname[140];
		snprintf(fname, sizeof(fname), "%s/fees", in->name);
		gsl_rng *frng = sim_rng(env->sim, fname);
		if (!frng ||
		    !(in->fees = fees_create(def->fees, env->l1, kinds,
					     workload_wtp(def->workload),
					     &in->ledger, frng,
					     env->warmup))) {
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			goto fail;
		}
	}
	if (def->has_prover) {
		char pname[140];
		snprintf(pname, sizeof(pname), "%s/prover", in->name);
		rc = prover_create(env->sim, &def->prover_cfg, pname,
				   &in->prover, err);
		if (rc)
			goto fail;
		prover_set_warmup(in->prover, env->warmup);
	}
	in->settle = settle_create(env->sim, env->l1, &def->settle, in->poster,
				   in->prover, def->agg, &in->ledger,
				   &in->owned, env->warmup);
	if (!in->settle) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto fail;
	}
	if ((rc = settle_join_composer(in->settle, in->name))) {
		l2s_error_set(err, rc, "out of memory");
		goto fail;
	}
	/* The data path: sequencer -> batcher -> settlement. */
	seq_set_sink(in->seq, batcher_accept, in->batcher);
	batcher_set_sink(in->batcher, settle_batch_posted, in->settle);
	struct mech_parts parts = {
		.name = in->name, .sim = env->sim, .l1 = env->l1,
		.seq = in->seq, .kinds = kinds, .batcher = in->batcher, .settle = in->settle,
		.poster = in->poster, .ledger = &in->ledger,
		.owned = &in->owned, .rng = in->rng, .warmup = env->warmup,
		.provable = def->batcher.target != DA_ALT ||
			    (def->da && da_layer_type(def->da) == DA_TYPE_DAC),
	};
	for (size_t m = 0; mech_registry[m]; m++) {
		if (!def->mech_cfg[m])
			continue;
		rc = mech_registry[m]->attach(def->mech_cfg[m], &parts,
					       &in->mech[m], err);
		if (rc)
			goto fail;
	}
	*out = in;
	return 0;
fail:
	sys_instance_destroy(in);
	return rc;
}

void sys_instance_destroy(struct sys_instance *in)
{
	if (!in)
		return;
	for (size_t m = 0; in->mech && mech_registry[m]; m++)
		if (in->mech[m] && mech_registry[m]->detach)
			mech_registry[m]->detach(in->mech[m]);
	free(in->mech);
	free(in->st.rows);
	owned_release(&in->owned);
	settle_destroy(in->settle);
	prover_destroy(in->prover);
	batcher_destroy(in->batcher);
	seq_destroy(in->seq);
	fees_destroy(in->fees);
	l1poster_destroy(in->poster);
	wl_stream_destroy(in->wl);
	free(in);
}

int sys_instance_start(struct sys_instance *in)
{
	settle_start(in->settle);
	return 0;
}

const char *sys_instance_name(const struct sys_instance *in) { return in->name; }
const struct system_def *sys_instance_def(const struct sys_instance *in) { return in->def; }
struct sequencer *sys_instance_sequencer(struct sys_instance *in) { return in->seq; }
struct batcher *sys_instance_batcher(struct sys_instance *in) { return in->batcher; }
struct settlement *sys_instance_settlement(struct sys_instance *in) { return in->settle; }
const struct ledger *sys_instance_ledger(const struct sys_instance *in) { return &in->ledger; }
bool sys_has_prover(const struct sys_instance *in) { return in->prover != NULL; }

size_t sys_instance_fault_hooks(struct sys_instance *in,
				struct sys_fault_hook *out, size_t cap)
{
	size_t n = 0;
	for (size_t m = 0; mech_registry[m] && n < cap; m++)
		if (in->mech[m] && mech_registry[m]->fault_kind &&
		    mech_registry[m]->set_down)
			out[n++] = (struct sys_fault_hook){
				mech_registry[m]->fault_kind,
				mech_registry[m]->set_down, in->mech[m]};
	return n;
}

double sys_instance_mech_metric(const struct sys_instance *in,
				const char *name)
{
	struct mech_metrics m = {0};
	for (size_t k = 0; mech_registry[k]; k++)
		if (in->mech[k] && mech_registry[k]->collect)
			mech_registry[k]->collect(in->mech[k], &m);
	for (size_t i = 0; i < m.n; i++)
		if (!strcmp(m.name[i], name))
			return mech_metrics_value(&m, i);
	return NAN;
}

/* ---- ticks ---------------------------------------------------------------- */

/* The workload's arrivals of (t0, t1] join the mempool as one cohort. */
static void arrivals(struct sys_instance *in, sim_time_t t0, sim_time_t t1)
{
	struct cohort c = {0};
	wl_stream_draw(in->wl, in->rng, t0, t1, c.n);
	for (int k = 0; k < TX_KINDS; k++)
		c.total += c.n[k];
	/* Poisson arrivals in (t0, t1] are uniform over it given their
	 * number: the mean and the half-width describe them exactly. */
	c.arrived = t0 + (t1 - t0) / 2;
	c.spread = (t1 - t0) / 2;
	/* Users see the fee and some leave (docs/model-fees.md). */
	if (in->fees)
		fees_price(in->fees, &c, t0, t1,
			   (double)batcher_stats(in->batcher)->posted);
	seq_arrive(in->seq, &c, t0);
}

void sys_tick_arrivals(struct sys_instance *in, sim_time_t t0, sim_time_t t1)
{
	if (in->def->seq.type != SEQ_BASED)
		arrivals(in, t0, t1);
	enum seq_type t = in->def->seq.type;
	if (t == SEQ_OWN || t == SEQ_ROTATING || t == SEQ_AUCTION)
		seq_tick(in->seq, t0, t1);
}

void sys_based_block(void *inst, const struct l1_block *b)
{
	struct sys_instance *in = inst;
	arrivals(in, in->based_arrivals_t, b->t);
	in->based_arrivals_t = b->t;
	if (b->missed) {
		seq_missed_block(in->seq);
		return;
	}
	seq_based_block(in->seq, in->based_block_t, b->t);
	in->based_block_t = b->t;
	batcher_tick(in->batcher, b->t);
}

/* Waiting for posting: in the mempool, sequenced, or in unposted batches. */
static uint64_t backlog(const struct sys_instance *in)
{
	return seq_mempool_txs(in->seq) + batcher_unposted(in->batcher);
}

/* What a cause's transactions are: those waiting when it opens (its
 * stock) plus those that joined while it lasted (its inflow). */
static double cause_stock(const struct sys_instance *in, enum mech_cause c)
{
	switch (c) {
	case CAUSE_SEQUENCING:
	case CAUSE_HALTED:
		return (double)seq_mempool_txs(in->seq);
	case CAUSE_POSTING:
		return (double)batcher_unposted(in->batcher);
	case CAUSE_FINALITY:
		return (double)settle_stats(in->settle)->unfinal;
	case CAUSE_DROPPED:
		/* Refused in the tick that opened it. */
		return (double)(seq_stats(in->seq)->dropped -
				in->st.dropped_seen);
	default:
		return 0;
	}
}

static uint64_t cause_inflow(const struct sys_instance *in, enum mech_cause c)
{
	const struct seq_stats *q = seq_stats(in->seq);
	switch (c) {
	case CAUSE_SEQUENCING:
	case CAUSE_HALTED:
		return q->offered - q->dropped;
	case CAUSE_POSTING:
		return q->sequenced;
	case CAUSE_FINALITY:
		return batcher_stats(in->batcher)->posted;
	case CAUSE_DROPPED:
		return q->dropped;
	default:
		return 0;
	}
}

static void cause_close(struct sys_instance *in, enum mech_cause c,
			sim_time_t now)
{
	struct cause_track *k = &in->st.cause[c];
	k->open = false;
	k->seconds += sim_time_to_s(now - k->since);
	double txs = k->base + (double)(cause_inflow(in, c) - k->inflow0);
	struct sys_stats *st = &in->st;
	if (st->n_rows == st->cap_rows) {
		size_t nc = st->cap_rows ? st->cap_rows * 2 : 16;
		void *p = realloc(st->rows, nc * sizeof(*st->rows));
		if (p) {
			st->rows = p;
			st->cap_rows = nc;
		}
	}
	/* Out of memory loses the row, never the seconds or the count. */
	if (st->n_rows < st->cap_rows)
		st->rows[st->n_rows++] = (struct failure_row){c, k->since, now,
							      txs};
	for (size_t m = 0; mech_registry[m]; m++)
		if (in->mech[m] && mech_registry[m]->on_failure)
			mech_registry[m]->on_failure(in->mech[m], c, k->since,
						     now, txs);
}

static void cause_set(struct sys_instance *in, enum mech_cause c, bool fail,
		      sim_time_t now)
{
	struct cause_track *k = &in->st.cause[c];
	if (fail && !k->open) {
		k->open = true;
		k->since = now;
		k->count++;
		k->base = cause_stock(in, c);
		k->inflow0 = cause_inflow(in, c);
	} else if (!fail && k->open) {
		cause_close(in, c, now);
	}
}

/* Older than the promise: waiting since 'oldest' beyond 'within'. */
static bool late(sim_time_t now, sim_time_t oldest, sim_time_t within)
{
	return oldest != SIM_TIME_MAX && now - oldest > within;
}

/*
 * Each tick after warm-up, every promise is checked; a broken one opens an
 * interval of its cause, kept until a tick finds it kept again.  The
 * union of the intervals of all causes is the time the system failed.
 */
static void liveness_check(struct sys_instance *in, sim_time_t now)
{
	struct sys_stats *st = &in->st;
	const struct liveness_cfg *lv = &in->def->live;
	uint64_t bl = backlog(in);
	uint64_t dropped = seq_stats(in->seq)->dropped;
	bool measured = now >= in->warmup;
	if (measured) {
		if (bl > st->backlog_max)
			st->backlog_max = bl;
		sim_time_t from = st->last_check > in->warmup ? st->last_check
							      : in->warmup;
		st->backlog_tx_s += (double)bl * sim_time_to_s(now - from);
	}
	st->last_check = now;
	bool fail[CAUSES] = {false};
	if (measured) {
		fail[CAUSE_HALTED] = seq_halted(in->seq);
		/* Waiting behind a halt is the halt's failure. */
		fail[CAUSE_SEQUENCING] =
			!fail[CAUSE_HALTED] &&
			late(now, seq_oldest_arrival(in->seq),
			     lv->sequence_within);
		/* Posting and finality count from the stage before, so
		 * that one delay is not charged to every later promise. */
		fail[CAUSE_POSTING] = late(now,
					   batcher_oldest_sequenced(in->batcher),
					   lv->post_within);
		fail[CAUSE_FINALITY] = late(now,
					    settle_oldest_unfinal(in->settle),
					    lv->finalize_within);
		fail[CAUSE_DROPPED] = dropped > st->dropped_seen;
	}
	bool any = false;
	for (int c = 0; c < CAUSES; c++) {
		cause_set(in, (enum mech_cause)c, fail[c], now);
		any = any || fail[c];
	}
	st->dropped_seen = dropped;
	if (any && !st->failing) {
		st->failing = true;
		st->failing_since = now;
	} else if (!any && st->failing) {
		st->failing = false;
		st->liveness_failure_s += sim_time_to_s(now - st->failing_since);
	}
}

/* At the end of the run: open intervals close at 'end'. */
static void liveness_finish(struct sys_instance *in, sim_time_t end)
{
	for (int c = 0; c < CAUSES; c++)
		if (in->st.cause[c].open)
			cause_close(in, (enum mech_cause)c, end);
	if (in->st.failing) {
		in->st.failing = false;
		in->st.liveness_failure_s +=
			sim_time_to_s(end - in->st.failing_since);
	}
}

uint64_t sys_tick_post(struct sys_instance *in, sim_time_t now)
{
	batcher_tick(in->batcher, now);
	liveness_check(in, now);
	/* Ticks recur at fixed times: what they did goes into the
	 * trajectory fingerprint so a change in the draws shows. */
	return seq_stats(in->seq)->offered ^
	       (batcher_stats(in->batcher)->posted << 20) ^
	       (seq_mempool_txs(in->seq) << 40);
}

/* ---- faults --------------------------------------------------------------- */

void sys_set_seq_down(void *inst, int member, bool down)
{
	struct sys_instance *in = inst;
	seq_set_down(in->seq, member, down);
}

void sys_set_poster_down(void *inst, int member, bool down)
{
	struct sys_instance *in = inst;
	batcher_set_down(in->batcher, member, down);
	settle_set_poster_down(in->settle, member, down);
}

void sys_set_prover_down(void *inst, int member, bool down)
{
	struct sys_instance *in = inst;
	settle_set_prover_down(in->settle, member, down);
}

/* ---- metrics ------------------------------------------------------------- */

/* Everything an instance reports, summable over instances. */
struct totals {
	struct seq_stats seq;
	struct batcher_stats bat;
	struct settle_stats settle;
	struct ledger led;
	uint64_t liveness_failures;
	double liveness_failure_s;
	double cause_s[CAUSES];
	double backlog_mean;
	double stall_blocks;
	uint64_t pending_end;
	double backlog_max;
	struct mech_metrics mech;
	bool has_fees;
	struct fees_stats fee;
	double margin_eth;          /* of the instances with fees */
};

static double per(double a, double b) { return b > 0 ? a / b : 0; }
/* A mean of nothing is unknown (NULL in the database), like a quantile. */
static double mean(double a, double b) { return b > 0 ? a / b : NAN; }

static void instance_totals(const struct sys_instance *in, struct totals *t)
{
	memset(t, 0, sizeof(*t));
	t->seq = *seq_stats(in->seq);
	t->bat = *batcher_stats(in->batcher);
	t->settle = *settle_stats(in->settle);
	t->led = in->ledger;
	for (int c = 0; c < CAUSES; c++) {
		t->liveness_failures += in->st.cause[c].count;
		t->cause_s[c] = in->st.cause[c].seconds;
	}
	t->liveness_failure_s = in->st.liveness_failure_s;
	double window = sim_time_to_s(in->st.last_check - in->warmup);
	t->backlog_mean = per(in->st.backlog_tx_s, window);
	t->stall_blocks = l1poster_stall_blocks(in->poster);
	t->pending_end = t->seq.offered - t->bat.posted - t->seq.dropped;
	/* The sum of per-instance maxima bounds the joint maximum;
	 * "all" reports it as such (documented). */
	t->backlog_max = (double)in->st.backlog_max;
	for (size_t m = 0; mech_registry[m]; m++)
		if (in->mech[m] && mech_registry[m]->collect)
			mech_registry[m]->collect(in->mech[m], &t->mech);
	if (in->fees) {
		t->has_fees = true;
		t->fee = *fees_stats(in->fees);
		t->margin_eth = t->fee.collected_eth -
				(in->ledger.fees_eth + in->ledger.da_fees_eth);
	}
}

static void add_totals(struct totals *a, const struct totals *b)
{
	a->seq.offered += b->seq.offered;
	a->seq.dropped += b->seq.dropped;
	a->seq.sequenced += b->seq.sequenced;
	a->seq.offered_w += b->seq.offered_w;
	a->seq.sequenced_w += b->seq.sequenced_w;
	a->bat.posted += b->bat.posted;
	a->bat.posted_w += b->bat.posted_w;
	a->bat.batches += b->bat.batches;
	a->bat.da_bytes += b->bat.da_bytes;
	a->bat.blob_bytes_bought += b->bat.blob_bytes_bought;
	a->bat.blob_payload_bytes += b->bat.blob_payload_bytes;
	a->bat.fallback_batches += b->bat.fallback_batches;
	a->seq.limit_ticks += b->seq.limit_ticks;
	a->seq.queue_merges += b->seq.queue_merges;
	a->bat.limit_ticks += b->bat.limit_ticks;
	a->bat.queue_merges += b->bat.queue_merges;
	a->settle.gas_capped += b->settle.gas_capped;
	if (b->bat.max_gap_s > a->bat.max_gap_s)
		a->bat.max_gap_s = b->bat.max_gap_s;
	a->settle.finalized += b->settle.finalized;
	a->settle.finalized_w += b->settle.finalized_w;
	a->settle.proofs += b->settle.proofs;
	a->settle.proofs_settled += b->settle.proofs_settled;
	if (b->settle.levels_max > a->settle.levels_max)
		a->settle.levels_max = b->settle.levels_max;
	a->bat.parent_bytes += b->bat.parent_bytes;
	ledger_add(&a->led, &b->led);
	a->seq.latency_sum_s += b->seq.latency_sum_s;
	a->bat.latency_sum_s += b->bat.latency_sum_s;
	a->settle.latency_sum_s += b->settle.latency_sum_s;
	a->settle.unfinal += b->settle.unfinal;
	a->liveness_failures += b->liveness_failures;
	a->liveness_failure_s += b->liveness_failure_s;
	for (int c = 0; c < CAUSES; c++)
		a->cause_s[c] += b->cause_s[c];
	/* Means of backlogs add up: the mean of the sum. */
	a->backlog_mean += b->backlog_mean;
	a->stall_blocks += b->stall_blocks;
	a->pending_end += b->pending_end;
	a->backlog_max += b->backlog_max;
	mech_metrics_merge(&a->mech, &b->mech);
	if (b->has_fees) {
		a->has_fees = true;
		a->fee.priced_out += b->fee.priced_out;
		a->fee.priced_out_all += b->fee.priced_out_all;
		a->fee.deterred += b->fee.deterred;
		a->fee.paying += b->fee.paying;
		a->fee.collected_eth += b->fee.collected_eth;
		a->fee.base_fee_gwei_s += b->fee.base_fee_gwei_s;
		a->fee.seconds += b->fee.seconds;
		a->margin_eth += b->margin_eth;
	}
}

/* Users' fees and the operator's books (docs/model-fees.md). */
static void put_fee_metrics(struct run_result *res, const char *comp,
			    const struct totals *t)
{
	const struct fees_stats *f = &t->fee;
	res_metric_set(res, comp, "tx_priced_out", f->priced_out_all);
	res_metric_set(res, comp, "priced_out_share",
		       per(f->priced_out, f->priced_out + f->paying));
	res_metric_set(res, comp, "l2_fee_eth_per_tx",
		       per(f->collected_eth, f->paying));
	res_metric_set(res, comp, "l2_base_fee_gwei_mean",
		       per(f->base_fee_gwei_s, f->seconds));
	res_metric_set(res, comp, "l2_fees_eth_total", f->collected_eth);
	res_metric_set(res, comp, "operator_margin_eth", t->margin_eth);
	res_metric_set(res, comp, "tx_deterred", f->deterred);
}

static void put_metrics(struct run_result *res, const char *comp,
			const struct totals *t, const struct lat_hist *ls,
			const struct lat_hist *lp, const struct lat_hist *lj,
			const struct lat_hist *lf,
			double window_s)
{
	const struct seq_stats *sq = &t->seq;
	const struct batcher_stats *bt = &t->bat;
	const struct ledger *l = &t->led;
	/* Arrivals priced out never reach the sequencer but were offered:
	 * offered = posted + dropped + priced out + pending at the end. */
	res_metric_set(res, comp, "tx_offered",
		       (double)sq->offered + t->fee.priced_out_all);
	res_metric_set(res, comp, "tx_sequenced", (double)sq->sequenced);
	res_metric_set(res, comp, "tx_posted", (double)bt->posted);
	res_metric_set(res, comp, "tx_finalized", (double)t->settle.finalized);
	res_metric_set(res, comp, "tx_dropped", (double)sq->dropped);
	res_metric_set(res, comp, "tx_pending_end", (double)t->pending_end);
	res_metric_set(res, comp, "tps_offered",
		       per((double)sq->offered_w + t->fee.priced_out, window_s));
	res_metric_set(res, comp, "tps_sequenced",
		       per((double)sq->sequenced_w, window_s));
	res_metric_set(res, comp, "tps_posted", per((double)bt->posted_w,
						    window_s));
	res_metric_set(res, comp, "tps_finalized",
		       per((double)t->settle.finalized_w, window_s));
	double posted = (double)bt->posted_w;
	res_metric_set(res, comp, "l1_da_bytes_per_tx",
		       per(l->l1_da_bytes, posted));
	res_metric_set(res, comp, "l1_blob_fill",
		       per(bt->blob_payload_bytes, bt->blob_bytes_bought));
	res_metric_set(res, comp, "da_bytes_per_tx", per(bt->da_bytes, posted));
	res_metric_set(res, comp, "l1_gas_per_tx", per(l->l1_gas, posted));
	res_metric_set(res, comp, "blob_gas_per_tx", per(l->blob_gas, posted));
	res_metric_set(res, comp, "cost_eth_per_tx",
		       per(l->fees_eth + l->da_fees_eth, posted));
	res_metric_set(res, comp, "l1_cost_eth_per_tx", per(l->fees_eth,
							    posted));
	res_metric_set(res, comp, "da_cost_eth_per_tx",
		       per(l->da_fees_eth, posted));
	res_metric_set(res, comp, "cost_eth_total",
		       l->fees_eth + l->da_fees_eth);
	res_metric_set(res, comp, "batches", bt->batches);
	res_metric_set(res, comp, "txs_per_batch", per(posted, bt->batches));
	res_metric_set(res, comp, "l1_txs", l->l1_txs);
	const struct lat_hist *h[4] = {ls, lp, lj, lf};
	const char *tier[4] = {"sequenced", "posted", "justified", "finalized"};
	for (int i = 0; i < 4; i++) {
		char name[64];
		double p50 = lat_hist_quantile(h[i], 0.5);
		double p99 = lat_hist_quantile(h[i], 0.99);
		if (lat_hist_failed(h[i]))
			res->oom = 1; /* a latency lost: the run fails */
		snprintf(name, sizeof(name), "latency_%s_p50", tier[i]);
		res_metric_set(res, comp, name, p50);
		snprintf(name, sizeof(name), "latency_%s_p99", tier[i]);
		res_metric_set(res, comp, name, p99);
	}
	/* Exact means from sums (Little's law: backlog_mean = tps_offered x
	 * latency_posted_mean while nothing is dropped). */
	res_metric_set(res, comp, "latency_sequenced_mean",
		       mean(sq->latency_sum_s, (double)sq->sequenced_w));
	res_metric_set(res, comp, "latency_posted_mean",
		       mean(bt->latency_sum_s, (double)bt->posted_w));
	res_metric_set(res, comp, "latency_finalized_mean",
		       mean(t->settle.latency_sum_s,
			    (double)t->settle.finalized_w));
	res_metric_set(res, comp, "backlog_max", t->backlog_max);
	res_metric_set(res, comp, "backlog_mean", t->backlog_mean);
	res_metric_set(res, comp, "liveness_failures",
		       (double)t->liveness_failures);
	res_metric_set(res, comp, "liveness_failure_seconds",
		       t->liveness_failure_s);
	for (int c = 0; c < CAUSES; c++) {
		static const char *const names[CAUSES] = {
			"liveness_failure_seconds_sequencing",
			"liveness_failure_seconds_posting",
			"liveness_failure_seconds_finality",
			"liveness_failure_seconds_dropped",
			"liveness_failure_seconds_halted",
		};
		res_metric_set(res, comp, names[c], t->cause_s[c]);
	}
	res_metric_set(res, comp, "max_posting_gap_s", bt->max_gap_s);
	res_metric_set(res, comp, "fee_cap_stall_blocks", t->stall_blocks);
	res_metric_set(res, comp, "da_fallback_batches", bt->fallback_batches);
	/* Proof trees and systems on systems (docs/model-settlement.md). */
	res_metric_set(res, comp, "proof_levels",
		       (double)t->settle.levels_max);
	res_metric_set(res, comp, "proofs_pending_end",
		       (double)(t->settle.proofs - t->settle.proofs_settled));
	res_metric_set(res, comp, "parent_da_bytes_per_tx",
		       per(bt->parent_bytes, posted));
	/* Internal limits that bound during the run (the summary notes
	 * them): ticks mempool_limit dropped arrivals, ticks a ready batch
	 * waited for max_pending_txs, and times a queue of more than
	 * COHORT_Q_MAX cohorts halved its time resolution. */
	res_metric_set(res, comp, "limit_mempool_ticks", (double)sq->limit_ticks);
	res_metric_set(res, comp, "limit_pending_ticks", (double)bt->limit_ticks);
	res_metric_set(res, comp, "limit_queue_merges",
		       (double)(sq->queue_merges + bt->queue_merges));
	res_metric_set(res, comp, "limit_tx_gas_capped",
		       (double)t->settle.gas_capped);
	if (t->mech.failed)
		res->oom = 1;
	for (size_t i = 0; i < t->mech.n; i++)
		res_metric_set(res, comp, t->mech.name[i],
			       mech_metrics_value(&t->mech, i));
	if (t->has_fees)
		put_fee_metrics(res, comp, t);
}

/* Latency histograms of a group of instances. */
struct hists {
	struct lat_hist seq, post, just, fin;
};

static int hists_init(struct hists *h)
{
	memset(h, 0, sizeof(*h));
	return lat_hist_init(&h->seq) || lat_hist_init(&h->post) ||
	       lat_hist_init(&h->just) || lat_hist_init(&h->fin);
}

static void hists_release(struct hists *h)
{
	lat_hist_release(&h->seq);
	lat_hist_release(&h->post);
	lat_hist_release(&h->just);
	lat_hist_release(&h->fin);
}

static void hists_add(struct hists *h, const struct sys_instance *in)
{
	lat_hist_merge(&h->seq, seq_latency(in->seq));
	lat_hist_merge(&h->post, batcher_latency(in->batcher));
	lat_hist_merge(&h->just, batcher_latency_justified(in->batcher));
	lat_hist_merge(&h->fin, settle_latency(in->settle));
}

void sys_collect(struct sys_instance *const *inst, size_t n,
		 const struct system_def *defs, size_t n_defs,
		 struct run_result *res, sim_time_t end, double window)
{
	struct totals all, t;
	struct hists ha;
	memset(&all, 0, sizeof(all));
	if (hists_init(&ha)) {
		hists_release(&ha);
		res->oom = 1;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct sys_instance *in = inst[i];
		/* Close open liveness failures and the final posting gap. */
		liveness_finish(in, end);
		for (size_t r = 0; r < in->st.n_rows; r++) {
			const struct failure_row *f = &in->st.rows[r];
			res_failure_add(res, in->name, mech_cause_name(f->cause),
					sim_time_to_s(f->t0),
					sim_time_to_s(f->t1), f->txs);
		}
		batcher_finish(in->batcher, end, backlog(in) > 0);
		instance_totals(in, &t);
		put_metrics(res, in->name, &t, seq_latency(in->seq),
			    batcher_latency(in->batcher),
			    batcher_latency_justified(in->batcher),
			    settle_latency(in->settle), window);
		res_attr_set(res, in->name, "type",
			     sys_type_name(in->def->type));
		if (in->prover)
			prover_collect(in->prover, res, in->name, end);
		add_totals(&all, &t);
		hists_add(&ha, in);
	}
	if (n)
		put_metrics(res, "all", &all, &ha.seq, &ha.post, &ha.just,
			    &ha.fin, window);
	hists_release(&ha);
	/* A system with count > 1 is also reported under its own name, as
	 * the sum over its instances (that name is otherwise unused). */
	for (size_t d = 0; d < n_defs; d++) {
		const struct system_def *def = &defs[d];
		if (def->count < 2)
			continue;
		struct totals sum;
		struct hists hs;
		memset(&sum, 0, sizeof(sum));
		if (hists_init(&hs)) {
			hists_release(&hs);
			res->oom = 1;
			return;
		}
		for (size_t i = 0; i < n; i++) {
			if (inst[i]->def != def)
				continue;
			instance_totals(inst[i], &t);
			add_totals(&sum, &t);
			hists_add(&hs, inst[i]);
		}
		put_metrics(res, def->name, &sum, &hs.seq, &hs.post, &hs.just,
			    &hs.fin, window);
		res_attr_set(res, def->name, "type", sys_type_name(def->type));
		res_metric_set(res, def->name, "instances", (double)def->count);
		hists_release(&hs);
	}
}

/* ---- series -------------------------------------------------------------- */

static void series_point(struct run_result *buf, const char *comp, double t,
			 double dt, uint64_t off, uint64_t post, uint64_t bl,
			 double bytes, uint64_t btx, double fees)
{
	res_series_add(buf, comp, "tps_offered", t, (double)off / dt);
	res_series_add(buf, comp, "tps_posted", t, (double)post / dt);
	res_series_add(buf, comp, "backlog", t, (double)bl);
	if (btx)
		res_series_add(buf, comp, "l1_da_bytes_per_tx", t,
			       bytes / (double)btx);
	if (post)
		res_series_add(buf, comp, "cost_eth_per_tx", t,
			       fees / (double)post);
}

/* Fee series of an instance or a group over the last interval: the mean
 * fee users paid, the share priced out, the operator's margin (fees
 * collected minus costs paid in the interval) and the L2 base fee. */
struct fee_point {
	double out, pay, eth, cost, base_gwei, base_n;
};

static void fee_series_point(struct run_result *buf, const char *comp,
			     double t, const struct fee_point *p)
{
	if (p->pay > 0)
		res_series_add(buf, comp, "l2_fee_eth_per_tx", t,
			       p->eth / p->pay);
	if (p->out + p->pay > 0)
		res_series_add(buf, comp, "priced_out_share", t,
			       p->out / (p->out + p->pay));
	res_series_add(buf, comp, "operator_margin_eth", t, p->eth - p->cost);
	if (p->base_n > 0)
		res_series_add(buf, comp, "l2_base_fee_gwei", t,
			       p->base_gwei / p->base_n);
}

void sys_series_sample(struct sys_instance *const *inst, size_t n,
		       struct run_result *buf, bool per_instance,
		       sim_time_t now, sim_time_t interval)
{
	double dt = sim_time_to_s(interval);
	double t = sim_time_to_s(now);
	uint64_t off = 0, post = 0, bl = 0, btx = 0;
	double bytes = 0, fees = 0;
	struct fee_point fall = {0};
	bool any_fees = false;
	for (size_t i = 0; i < n; i++) {
		struct sys_instance *in = inst[i];
		uint64_t i_off = seq_take_series_offered(in->seq), i_post, i_btx;
		double i_bytes, i_fees = in->ledger.series_fees;
		if (in->fees) {
			struct fee_point fp = {0};
			fees_take_series(in->fees, &fp.out, &fp.pay, &fp.eth);
			/* Costs count from the warm-up on, as the fees do. */
			fp.cost = i_fees;
			fp.base_gwei = (double)fees_l2_base_fee(in->fees) / 1e9;
			fp.base_n = 1;
			if (per_instance)
				fee_series_point(buf, in->name, t, &fp);
			fall.out += fp.out;
			fall.pay += fp.pay;
			fall.eth += fp.eth;
			fall.cost += fp.cost;
			fall.base_gwei += fp.base_gwei;
			fall.base_n += 1;
			any_fees = true;
		}
		batcher_take_series(in->batcher, &i_post, &i_bytes, &i_btx);
		in->ledger.series_fees = 0;
		uint64_t i_bl = backlog(in);
		if (per_instance)
			series_point(buf, in->name, t, dt, i_off, i_post, i_bl,
				     i_bytes, i_btx, i_fees);
		off += i_off;
		post += i_post;
		bl += i_bl;
		bytes += i_bytes;
		fees += i_fees;
		btx += i_btx;
	}
	if (n)
		series_point(buf, "all", t, dt, off, post, bl, bytes, btx,
			     fees);
	if (any_fees)
		fee_series_point(buf, "all", t, &fall);
}
