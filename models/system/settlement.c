/*
 * Settlement: when posted transactions become final.
 *
 *  - Optimistic rollups: final when the challenge window has passed since
 *    the batch's L1 inclusion (and the L1 block itself is final); state
 *    roots are posted every state_root_interval while batches flow.
 *  - Proven systems (ZK, SDR, validium, volition): posted batches are
 *    grouped into proof jobs of batches_per_proof batches; the prover works
 *    through them; the proof is verified on L1 alone (verify_gas plus
 *    verify_extra_gas, plus the DA commitments of a validium as calldata)
 *    or through an aggregator.  Final when the verifying L1 block is final.
 */
#include <stdlib.h>
#include <string.h>

#include "system_internal.h"

void settle_finalize_batch(struct sys_instance *in, struct batch *b,
			   sim_time_t at)
{
	if (b->finalized)
		return;
	b->finalized = true;
	in->st.finalized += b->txs;
	if (sys_after_warmup(in, at)) {
		in->st.finalized_w += b->txs;
		for (int i = 0; i < b->n_pts; i++)
			lat_hist_add(&in->lat_final,
				     sim_time_to_s(at - b->pts[i].arrived),
				     b->pts[i].weight);
	}
}

/* ---- optimistic ----------------------------------------------------------- */

static void challenge_over(struct sim *sim, void *self, void *arg)
{
	struct batch *b = arg;
	settle_finalize_batch(b->inst, b, sim_now(sim));
	sys_free(b->inst, b);
}

static void root_tick(struct sim *sim, void *self, void *arg)
{
	struct sys_instance *in = self;
	const struct settle_cfg *s = &in->def->settle;
	if (in->root_due && s->state_root_gas > 0 && !in->poster_down) {
		struct l1tx_ctx *c = sys_l1tx_new(in, L1TX_ROOT);
		if (c && sys_submit_l1(in, c, L1_TX_BASE_GAS + s->state_root_gas,
				       0, sys_l1tx_included, sys_l1tx_release) == 0)
			in->root_due = false;
		else if (c)
			sys_l1tx_release(c, NULL);
	}
	sim_schedule_in(sim, s->state_root_interval, root_tick, in, NULL, NULL);
}

/* ---- proven systems ------------------------------------------------------ */

static void job_finalize(struct sys_instance *in, struct proof_job *j,
			 sim_time_t at)
{
	struct batch *b = j->first;
	while (b) {
		struct batch *next = b->next_proof;
		bool last = b == j->last;
		settle_finalize_batch(in, b, at);
		sys_free(in, b);
		if (last)
			break;
		b = next;
	}
	sys_free(in, j);
}

static void proof_final(void *arg, const struct l1_receipt *r)
{
	struct l1tx_ctx *c = arg;
	struct sys_instance *in = c->inst;
	job_finalize(in, c->job, sim_now(in->world->sim));
	sys_l1tx_release(c, r);
}

struct agg_wait {
	struct sys_instance *in;
	struct proof_job *job;
	sim_event_id final_ev;      /* the pending finalization, 0 if none */
};

static void agg_final_event(struct sim *sim, void *self, void *arg)
{
	struct agg_wait *aw = arg;
	/* Final L1 blocks are never reorged, so no later callback can
	 * reach this context. */
	job_finalize(aw->in, aw->job, sim_now(sim));
	sys_free(aw->in, aw);
}

static void agg_done(struct sim *sim, void *arg, const struct agg_receipt *r)
{
	struct agg_wait *aw = arg;
	struct sys_instance *in = aw->in;
	if (r->inclusion > 1) {
		/* Re-included after a reorg: fees were counted once; finality
		 * follows the new inclusion. */
		if (aw->final_ev)
			sim_cancel(sim, aw->final_ev);
	} else if (sys_after_warmup(in, r->included_at)) {
		in->st.l1_gas += (double)r->gas_share;
		in->st.fees_eth += r->fee_share_eth;
		in->s_fees += r->fee_share_eth;
	}
	sim_time_t at = r->final_at > sim_now(sim) ? r->final_at : sim_now(sim);
	aw->final_ev = 0;
	sim_schedule(sim, at, agg_final_event, in, aw, &aw->final_ev);
}

static void proved(struct sim *sim, void *arg)
{
	struct proof_job *j = arg;
	struct sys_instance *in = j->inst;
	const struct system_def *d = in->def;
	if (d->agg) {
		struct agg_wait *aw = sys_alloc(in, sizeof(*aw));
		if (!aw)
			return;
		aw->in = in;
		aw->job = j;
		aw->final_ev = 0;
		const char *eco = agg_type(d->agg) == AGG_ECOSYSTEM
					  ? d->settle.ecosystem
					  : NULL;
		if (agg_submit(d->agg, eco, agg_done, aw))
			sys_free(in, aw);
		return;
	}
	/* A validium's DA commitments ride with the proof as calldata. */
	int64_t gas = prover_verify_gas(in->prover) + d->settle.verify_extra_gas;
	gas = j->extra_calldata > 0
		      ? l1_calldata_gas(in->world->l1, 0, j->extra_calldata, gas)
		      : gas + L1_TX_BASE_GAS;
	if (gas > l1_max_tx_gas(in->world->l1))
		gas = l1_max_tx_gas(in->world->l1);
	struct l1tx_ctx *c = sys_l1tx_new(in, L1TX_PROOF);
	if (!c)
		return;
	c->job = j;
	c->data_bytes = j->extra_calldata;
	if (sys_submit_l1(in, c, gas, 0, sys_l1tx_included, proof_final)) {
		sys_l1tx_release(c, NULL);
		return;
	}
	if (j->extra_calldata > 0 && sys_after_warmup(in, sim_now(sim)))
		in->st.l1_da_bytes += (double)j->extra_calldata;
}

static void job_submit(struct sys_instance *in)
{
	struct proof_job *j = in->open_job;
	in->open_job = NULL;
	/* Out of memory leaves the job with the instance, freed at the end. */
	prover_submit(in->prover, j->txs, proved, j);
}

void settle_batch_posted(struct sys_instance *in, struct batch *b)
{
	const struct system_def *d = in->def;
	in->root_due = true;
	if (d->type == SYS_OPTIMISTIC) {
		sim_time_t at = b->included_at + d->settle.challenge_window;
		sim_time_t l1_final = b->included_at +
				      l1_finality_delay(in->world->l1);
		if (at < l1_final)
			at = l1_final;
		if (at < sim_now(in->world->sim))
			at = sim_now(in->world->sim);
		sim_schedule(in->world->sim, at, challenge_over, in, b, NULL);
		return;
	}
	struct proof_job *j = in->open_job;
	if (!j) {
		j = sys_alloc(in, sizeof(*j));
		if (!j)
			return;
		j->inst = in;
		in->open_job = j;
	}
	if (j->last)
		j->last->next_proof = b;
	else
		j->first = b;
	j->last = b;
	j->n_batches++;
	j->txs += b->txs;
	if (d->type == SYS_VALIDIUM)
		j->extra_calldata += d->batcher.commitment_bytes;
	if (j->n_batches >= prover_batches_per_proof(in->prover))
		job_submit(in);
}

void settle_start(struct sys_instance *in)
{
	const struct system_def *d = in->def;
	if (d->type == SYS_OPTIMISTIC && d->settle.state_root_gas > 0)
		sim_schedule_in(in->world->sim, d->settle.state_root_interval,
				root_tick, in, NULL, NULL);
}


void settle_prover_set_down(void *inst, int member, bool down)
{
	struct sys_instance *in = inst;
	/* Faults on the system and on this instance may overlap: down while
	 * any of them is. */
	in->prover_down_count += down ? 1 : -1;
	if (in->prover_down_count < 0)
		in->prover_down_count = 0;
	if (in->prover)
		prover_set_down(in->prover, in->prover_down_count > 0);
}
