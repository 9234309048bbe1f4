/*
 * A system instance: its workload stream, queues, prover and statistics,
 * and the metrics of SPEC.md for each instance and for "all".
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "system_internal.h"

struct owned {
	struct owned *next, *prev;
	max_align_t data[];
};

void *sys_alloc(struct sys_instance *in, size_t size)
{
	struct owned *o = calloc(1, sizeof(*o) + size);
	if (!o)
		return NULL;
	o->next = in->owned;
	if (in->owned)
		in->owned->prev = o;
	in->owned = o;
	return o->data;
}

void sys_free(struct sys_instance *in, void *p)
{
	if (!p)
		return;
	struct owned *o = (struct owned *)((char *)p - offsetof(struct owned,
								 data));
	if (o->prev)
		o->prev->next = o->next;
	else
		in->owned = o->next;
	if (o->next)
		o->next->prev = o->prev;
	free(o);
}

int sys_instance_create(struct world *w, struct system_def *def, int index,
			struct sys_instance **out, struct l2s_error *err)
{
	*out = NULL;
	struct sys_instance *in = calloc(1, sizeof(*in));
	if (!in)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	in->def = def;
	in->world = w;
	in->index = index;
	if (def->count > 1)
		snprintf(in->name, sizeof(in->name), "%s#%d", def->name, index);
	else
		snprintf(in->name, sizeof(in->name), "%s", def->name);
	in->rng = sim_rng(w->sim, in->name);
	in->wl = wl_stream_create(def->workload);
	int rc = 0;
	if (!in->rng || !in->wl || lat_hist_init(&in->lat_seq) ||
	    lat_hist_init(&in->lat_post) || lat_hist_init(&in->lat_final)) {
		rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
		goto fail;
	}
	in->bpt_estimate = 40;
	if (def->type == SYS_SDR) {
		in->sd = sd_state_create(workload_kinds(def->workload));
		if (!in->sd) {
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			goto fail;
		}
	}
	if (def->has_prover) {
		char pname[140];
		snprintf(pname, sizeof(pname), "%s/prover", in->name);
		rc = prover_create(w->sim, &def->prover_cfg, pname, &in->prover,
				   err);
		if (rc)
			goto fail;
		prover_set_warmup(in->prover, w->warmup);
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
	while (in->owned)
		sys_free(in, in->owned->data);
	cohort_q_release(&in->mempool);
	cohort_q_release(&in->pending);
	wl_stream_destroy(in->wl);
	sd_state_destroy(in->sd);
	prover_destroy(in->prover);
	lat_hist_release(&in->lat_seq);
	lat_hist_release(&in->lat_post);
	lat_hist_release(&in->lat_final);
	free(in);
}

/* Waiting for posting: in the mempool, sequenced, or in unposted batches. */
static uint64_t backlog(const struct sys_instance *in)
{
	return in->mempool.txs + in->pending.txs + in->unposted_in_batches;
}

static sim_time_t oldest_unposted(const struct sys_instance *in)
{
	sim_time_t t = SIM_TIME_MAX;
	const struct cohort_q *qs[2] = {&in->mempool, &in->pending};
	for (int i = 0; i < 2; i++)
		if (qs[i]->len)
			t = qs[i]->c[qs[i]->head].arrived < t
				    ? qs[i]->c[qs[i]->head].arrived
				    : t;
	/* A batch's points are in arrival order (merging keeps it). */
	for (const struct batch *b = in->inflight_head; b; b = b->next_inflight)
		if (b->n_pts && b->pts[0].arrived < t)
			t = b->pts[0].arrived;
	return t;
}

void sys_liveness_check(struct sys_instance *in, sim_time_t now)
{
	uint64_t bl = backlog(in);
	if (sys_after_warmup(in, now) && bl > in->st.backlog_max)
		in->st.backlog_max = bl;
	/* A failure: a transaction not soft-confirmed within the
	 * sequencing promise, or not posted within the posting promise. */
	bool fail = false;
	if (in->mempool.len &&
	    now - in->mempool.c[in->mempool.head].arrived >
		    in->def->live.sequence_within)
		fail = true;
	sim_time_t old = oldest_unposted(in);
	if (old != SIM_TIME_MAX && now - old > in->def->live.post_within)
		fail = true;
	if (!sys_after_warmup(in, now))
		fail = false;
	if (fail && !in->st.failing) {
		in->st.failing = true;
		in->st.failing_since = now;
		in->st.liveness_failures++;
	} else if (!fail && in->st.failing) {
		in->st.failing = false;
		in->st.liveness_failure_s +=
			sim_time_to_s(now - in->st.failing_since);
	}
}

/* ---- metrics ------------------------------------------------------------- */

struct totals {
	struct sys_stats st;
	double backlog_max;
};

static double per(double a, double b) { return b > 0 ? a / b : 0; }

static void put_metrics(struct run_result *res, const char *comp,
			const struct sys_stats *st, uint64_t pending_end,
			double backlog_max, const struct lat_hist *ls,
			const struct lat_hist *lp, const struct lat_hist *lf,
			double window_s)
{
	res_metric_set(res, comp, "tx_offered", (double)st->offered);
	res_metric_set(res, comp, "tx_sequenced", (double)st->sequenced);
	res_metric_set(res, comp, "tx_posted", (double)st->posted);
	res_metric_set(res, comp, "tx_finalized", (double)st->finalized);
	res_metric_set(res, comp, "tx_dropped", (double)st->dropped);
	res_metric_set(res, comp, "tx_pending_end", (double)pending_end);
	res_metric_set(res, comp, "tps_offered", per((double)st->offered_w,
						     window_s));
	res_metric_set(res, comp, "tps_sequenced",
		       per((double)st->sequenced_w, window_s));
	res_metric_set(res, comp, "tps_posted", per((double)st->posted_w,
						    window_s));
	res_metric_set(res, comp, "tps_finalized",
		       per((double)st->finalized_w, window_s));
	double posted = (double)st->posted_w;
	res_metric_set(res, comp, "l1_da_bytes_per_tx",
		       per(st->l1_da_bytes, posted));
	res_metric_set(res, comp, "l1_blob_fill",
		       per(st->blob_payload_bytes, st->blob_bytes_bought));
	res_metric_set(res, comp, "da_bytes_per_tx", per(st->da_bytes, posted));
	res_metric_set(res, comp, "l1_gas_per_tx", per(st->l1_gas, posted));
	res_metric_set(res, comp, "blob_gas_per_tx", per(st->blob_gas, posted));
	res_metric_set(res, comp, "cost_eth_per_tx",
		       per(st->fees_eth + st->da_fees_eth, posted));
	res_metric_set(res, comp, "l1_cost_eth_per_tx", per(st->fees_eth,
							    posted));
	res_metric_set(res, comp, "da_cost_eth_per_tx",
		       per(st->da_fees_eth, posted));
	res_metric_set(res, comp, "cost_eth_total",
		       st->fees_eth + st->da_fees_eth);
	res_metric_set(res, comp, "batches", st->batches);
	res_metric_set(res, comp, "txs_per_batch", per(posted, st->batches));
	res_metric_set(res, comp, "l1_txs", st->l1_txs);
	const struct lat_hist *h[3] = {ls, lp, lf};
	const char *tier[3] = {"sequenced", "posted", "finalized"};
	for (int i = 0; i < 3; i++) {
		char name[64];
		double p50 = lat_hist_quantile(h[i], 0.5);
		double p99 = lat_hist_quantile(h[i], 0.99);
		snprintf(name, sizeof(name), "latency_%s_p50", tier[i]);
		res_metric_set(res, comp, name, p50);
		snprintf(name, sizeof(name), "latency_%s_p99", tier[i]);
		res_metric_set(res, comp, name, p99);
	}
	res_metric_set(res, comp, "backlog_max", backlog_max);
	res_metric_set(res, comp, "liveness_failures",
		       (double)st->liveness_failures);
	res_metric_set(res, comp, "liveness_failure_seconds",
		       st->liveness_failure_s);
	res_metric_set(res, comp, "max_posting_gap_s", st->max_gap_s);
	res_metric_set(res, comp, "fee_cap_stall_blocks", st->stall_blocks);
	res_metric_set(res, comp, "forced_inclusion_txs", st->forced_txs);
	res_metric_set(res, comp, "da_fallback_batches", st->fallback_batches);
}

static void add_stats(struct sys_stats *a, const struct sys_stats *b)
{
	a->offered += b->offered;
	a->dropped += b->dropped;
	a->sequenced += b->sequenced;
	a->posted += b->posted;
	a->finalized += b->finalized;
	a->offered_w += b->offered_w;
	a->sequenced_w += b->sequenced_w;
	a->posted_w += b->posted_w;
	a->finalized_w += b->finalized_w;
	a->l1_da_bytes += b->l1_da_bytes;
	a->da_bytes += b->da_bytes;
	a->blob_bytes_bought += b->blob_bytes_bought;
	a->blob_payload_bytes += b->blob_payload_bytes;
	a->l1_gas += b->l1_gas;
	a->blob_gas += b->blob_gas;
	a->fees_eth += b->fees_eth;
	a->da_fees_eth += b->da_fees_eth;
	a->batches += b->batches;
	a->l1_txs += b->l1_txs;
	a->liveness_failures += b->liveness_failures;
	a->liveness_failure_s += b->liveness_failure_s;
	if (b->max_gap_s > a->max_gap_s)
		a->max_gap_s = b->max_gap_s;
	a->stall_blocks += b->stall_blocks;
	a->forced_txs += b->forced_txs;
	a->fallback_batches += b->fallback_batches;
}

void sys_collect(struct world *w, struct run_result *res)
{
	sim_time_t end = sim_now(w->sim);
	double window = sim_time_to_s(w->duration - w->warmup);
	struct sys_stats all = {0};
	uint64_t all_pending = 0;
	double all_backlog = 0;
	for (size_t i = 0; i < w->n_inst; i++) {
		struct sys_instance *in = w->inst[i];
		/* Close an open liveness failure and the final posting gap. */
		if (in->st.failing)
			in->st.liveness_failure_s +=
				sim_time_to_s(end - in->st.failing_since);
		if (backlog(in) > 0) {
			sim_time_t from = in->st.last_post > w->warmup
						  ? in->st.last_post
						  : w->warmup;
			double gap = sim_time_to_s(end - from);
			if (gap > in->st.max_gap_s)
				in->st.max_gap_s = gap;
		}
		uint64_t pend = in->st.offered - in->st.posted - in->st.dropped;
		put_metrics(res, in->name, &in->st, pend,
			    (double)in->st.backlog_max, &in->lat_seq,
			    &in->lat_post, &in->lat_final, window);
		res_metric_set(res, in->name, "type",
			       (double)in->def->type);
		if (in->prover)
			prover_collect(in->prover, res, in->name, end);
		add_stats(&all, &in->st);
		all_pending += pend;
		/* The sum of per-instance maxima bounds the joint maximum;
		 * "all" reports it as such (documented). */
		all_backlog += (double)in->st.backlog_max;
		lat_hist_merge(&w->all_seq, &in->lat_seq);
		lat_hist_merge(&w->all_post, &in->lat_post);
		lat_hist_merge(&w->all_final, &in->lat_final);
	}
	if (w->n_inst)
		put_metrics(res, "all", &all, all_pending, all_backlog,
			    &w->all_seq, &w->all_post, &w->all_final, window);
	/* A system with count > 1 is also reported under its own name, as
	 * the sum over its instances (an extension of SPEC.md's components:
	 * that name is otherwise unused). */
	for (size_t d = 0; d < w->n_defs; d++) {
		const struct system_def *def = &w->defs[d];
		if (def->count < 2)
			continue;
		struct sys_stats sum = {0};
		uint64_t pend = 0;
		double bmax = 0;
		struct lat_hist hs, hp, hf;
		if (lat_hist_init(&hs) || lat_hist_init(&hp) ||
		    lat_hist_init(&hf)) {
			lat_hist_release(&hs);
			lat_hist_release(&hp);
			lat_hist_release(&hf);
			res->oom = 1;
			return;
		}
		for (size_t i = 0; i < w->n_inst; i++) {
			struct sys_instance *in = w->inst[i];
			if (in->def != def)
				continue;
			add_stats(&sum, &in->st);
			pend += in->st.offered - in->st.posted - in->st.dropped;
			bmax += (double)in->st.backlog_max;
			lat_hist_merge(&hs, &in->lat_seq);
			lat_hist_merge(&hp, &in->lat_post);
			lat_hist_merge(&hf, &in->lat_final);
		}
		put_metrics(res, def->name, &sum, pend, bmax, &hs, &hp, &hf,
			    window);
		res_metric_set(res, def->name, "instances", (double)def->count);
		lat_hist_release(&hs);
		lat_hist_release(&hp);
		lat_hist_release(&hf);
	}
	for (size_t i = 0; i < w->n_shared; i++) {
		struct shared_seq *s = &w->shared[i];
		res_metric_set(res, s->name, "members", (double)s->n_members);
		res_metric_set(res, s->name, "tps_sequenced",
			       per(s->sequenced, sim_time_to_s(w->duration)));
		res_metric_set(res, s->name, "saturated_share",
			       per(s->busy_ticks, s->ticks));
	}
}

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

void sys_series_sample(struct world *w, sim_time_t now)
{
	double dt = sim_time_to_s(w->series_interval);
	double t = sim_time_to_s(now);
	uint64_t off = 0, post = 0, bl = 0, btx = 0;
	double bytes = 0, fees = 0;
	for (size_t i = 0; i < w->n_inst; i++) {
		struct sys_instance *in = w->inst[i];
		if (w->series_per_instance)
			series_point(w->series, in->name, t, dt, in->s_offered,
				     in->s_posted, backlog(in), in->s_bytes,
				     in->s_posted_bytes_tx, in->s_fees);
		off += in->s_offered;
		post += in->s_posted;
		bl += backlog(in);
		bytes += in->s_bytes;
		fees += in->s_fees;
		btx += in->s_posted_bytes_tx;
		in->s_offered = in->s_posted = in->s_posted_bytes_tx = 0;
		in->s_bytes = in->s_fees = 0;
	}
	if (w->n_inst)
		series_point(w->series, "all", t, dt, off, post, bl, bytes, btx,
			     fees);
}
