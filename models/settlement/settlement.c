/*
 * Settlement (include/l2sim/settlement.h).
 */
#include <stdlib.h>
#include <string.h>

#include "l2sim/settlement.h"

struct proof_job {
	struct settlement *s;
	int32_t levels;             /* of the proof that settled it */
	struct batch *first, *last;
	int n_batches;
	uint64_t txs;
	int64_t extra_calldata;     /* validium: DA commitments with the proof */
};

struct gate {
	settle_gate_fn *fn;
	void *ctx;
};

struct settlement {
	struct sim *sim;
	struct l1_chain *l1;
	struct settle_cfg cfg;
	struct l1poster *poster;
	struct prover *prover;
	struct aggregator *agg;
	struct ledger *ledger;
	struct owned_list *owned;
	sim_time_t warmup;
	bool root_due;              /* a batch posted since the last root */
	int poster_down_count;
	int prover_down_count;
	struct proof_job *open_job;
	struct gate *gates;
	size_t n_gates;
	struct batch_hook {
		settle_batch_fn *fn;
		void *ctx;
	} *hooks;
	size_t n_hooks;
	const char *member;         /* composer: the instance's name */
	batch_carry_fn *carry;      /* on_parent */
	void *carrier;
	struct batch *unfinal_head, *unfinal_tail;
	struct settle_stats st;
	struct lat_hist lat;        /* arrival to finality */
};

struct settlement *settle_create(struct sim *sim, struct l1_chain *l1,
				 const struct settle_cfg *cfg,
				 struct l1poster *poster, struct prover *prover,
				 struct aggregator *agg, struct ledger *ledger,
				 struct owned_list *owned, sim_time_t warmup)
{
	struct settlement *s = calloc(1, sizeof(*s));
	if (!s)
		return NULL;
	s->sim = sim;
	s->l1 = l1;
	s->cfg = *cfg;
	s->poster = poster;
	s->prover = prover;
	s->agg = agg;
	s->ledger = ledger;
	s->owned = owned;
	s->warmup = warmup;
	if (lat_hist_init(&s->lat)) {
		free(s);
		return NULL;
	}
	return s;
}

void settle_destroy(struct settlement *s)
{
	if (!s)
		return;
	/* Batches and jobs still in flight live in the owned list. */
	lat_hist_release(&s->lat);
	free(s->gates);
	free(s->hooks);
	free(s);
}

const struct settle_stats *settle_stats(const struct settlement *s) { return &s->st; }
const struct settle_cfg *settle_config(const struct settlement *s) { return &s->cfg; }

int settle_add_batch_hook(struct settlement *s, settle_batch_fn *fn,
			  void *ctx)
{
	void *p = realloc(s->hooks, (s->n_hooks + 1) * sizeof(*s->hooks));
	if (!p)
		return L2S_ENOMEM;
	s->hooks = p;
	s->hooks[s->n_hooks++] = (struct batch_hook){fn, ctx};
	return 0;
}

int settle_add_gate(struct settlement *s, settle_gate_fn *fn, void *ctx)
{
	void *p = realloc(s->gates, (s->n_gates + 1) * sizeof(*s->gates));
	if (!p)
		return L2S_ENOMEM;
	s->gates = p;
	s->gates[s->n_gates++] = (struct gate){fn, ctx};
	return 0;
}
const struct lat_hist *settle_latency(const struct settlement *s) { return &s->lat; }

int settle_join_composer(struct settlement *s, const char *member)
{
	if (!s->agg || agg_type(s->agg) != AGG_COMPOSER)
		return 0;
	s->member = member;
	return agg_join(s->agg, member);
}

void settle_set_carrier(struct settlement *s, batch_carry_fn *fn,
			void *carrier)
{
	s->carry = fn;
	s->carrier = carrier;
}

sim_time_t settle_oldest_unfinal(const struct settlement *s)
{
	const struct batch *b = s->unfinal_head;
	return b ? b->posted_at : SIM_TIME_MAX;
}

static void unfinal_add(struct settlement *s, struct batch *b)
{
	b->prev_unfinal = s->unfinal_tail;
	b->next_unfinal = NULL;
	if (s->unfinal_tail)
		s->unfinal_tail->next_unfinal = b;
	else
		s->unfinal_head = b;
	s->unfinal_tail = b;
	s->st.unfinal += b->txs;
}

static void unfinal_remove(struct settlement *s, struct batch *b)
{
	if (b->prev_unfinal)
		b->prev_unfinal->next_unfinal = b->next_unfinal;
	else
		s->unfinal_head = b->next_unfinal;
	if (b->next_unfinal)
		b->next_unfinal->prev_unfinal = b->prev_unfinal;
	else
		s->unfinal_tail = b->prev_unfinal;
	b->next_unfinal = b->prev_unfinal = NULL;
	s->st.unfinal -= b->txs;
}

static void finalize_batch(struct settlement *s, struct batch *b,
			   sim_time_t at, int32_t levels)
{
	if (b->finalized)
		return;
	b->finalized = true;
	/* Systems settling on this one: their bytes are final now. */
	for (struct batch_rider *r = b->riders, *next; r; r = next) {
		next = r->next;
		if (r->on_final)
			r->on_final(r, at, levels);
	}
	b->riders = NULL;
	unfinal_remove(s, b);
	s->st.finalized += b->txs;
	if (at >= s->warmup) {
		s->st.finalized_w += b->txs;
		for (int i = 0; i < b->n_pts; i++)
			s->st.latency_sum_s +=
				sim_time_to_s(at - b->pts[i].arrived) *
				b->pts[i].weight;
		lat_hist_add_arrivals(&s->lat, b, at);
	}
}

/* ---- challenge --------------------------------------------------------------- */

static void challenge_over(struct sim *sim, void *self, void *arg)
{
	struct settlement *s = self;
	struct batch *b = arg;
	sim_time_t hold = 0;
	for (size_t i = 0; i < s->n_gates; i++) {
		sim_time_t t = s->gates[i].fn(s->gates[i].ctx, b);
		if (t > hold)
			hold = t;
	}
	if (hold > sim_now(sim)) {
		/* A dispute holds the root covering it: wait for it. */
		sim_schedule(sim, hold, challenge_over, s, b, NULL);
		return;
	}
	finalize_batch(s, b, sim_now(sim), 0);
	owned_free(s->owned, b);
}

static void root_tick(struct sim *sim, void *self, void *arg)
{
	struct settlement *s = self;
	const struct settle_cfg *c = &s->cfg;
	if (s->root_due && c->state_root_gas > 0 && s->poster_down_count == 0 &&
	    l1poster_submit(s->poster, L1_TX_BASE_GAS + c->state_root_gas, 0,
			    NULL, NULL, NULL) == 0)
		s->root_due = false;
	sim_schedule_in(sim, c->state_root_interval, root_tick, s, NULL, NULL);
}

/* ---- proofs ------------------------------------------------------------------ */

static void job_finalize(struct settlement *s, struct proof_job *j,
			 sim_time_t at)
{
	struct batch *b = j->first;
	s->st.proofs_settled++;
	if (j->levels > s->st.levels_max)
		s->st.levels_max = j->levels;
	while (b) {
		struct batch *next = b->next_proof;
		bool last = b == j->last;
		finalize_batch(s, b, at, j->levels);
		owned_free(s->owned, b);
		if (last)
			break;
		b = next;
	}
	owned_free(s->owned, j);
}

/* A proof verified alone: its job waits for the poster's finality. */
struct proof_tx {
	struct settlement *s;
	struct proof_job *job;
};

static void proof_final(void *ctx, const struct l1_receipt *r)
{
	struct proof_tx *p = ctx;
	job_finalize(p->s, p->job, sim_now(p->s->sim));
	owned_free(p->s->owned, p);
}

struct agg_wait {
	struct settlement *s;
	struct proof_job *job;
	sim_event_id final_ev;      /* the pending finalization, 0 if none */
};

static void agg_final_event(struct sim *sim, void *self, void *arg)
{
	struct agg_wait *aw = arg;
	/* Final L1 blocks are never reorged, so no later callback can
	 * reach this context. */
	job_finalize(aw->s, aw->job, sim_now(sim));
	owned_free(aw->s->owned, aw);
}

static void agg_done(struct sim *sim, void *arg, const struct agg_receipt *r)
{
	struct agg_wait *aw = arg;
	struct settlement *s = aw->s;
	if (r->inclusion > 1) {
		/* Re-included after a reorg: fees were counted once; finality
		 * follows the new inclusion. */
		if (aw->final_ev)
			sim_cancel(sim, aw->final_ev);
	} else {
		ledger_l1_share(s->ledger, r->included_at, (double)r->gas_share,
				r->fee_share_eth);
	}
	aw->job->levels = 1 + r->levels;
	sim_time_t at = r->final_at > sim_now(sim) ? r->final_at : sim_now(sim);
	aw->final_ev = 0;
	sim_schedule(sim, at, agg_final_event, s, aw, &aw->final_ev);
}

/* A proof verified on the parent: it rides in the parent's next batch. */
struct parent_proof {
	struct batch_rider r;       /* first */
	struct settlement *s;
	struct proof_job *job;
};

static void parent_final(struct batch_rider *r, sim_time_t at,
			 int32_t levels)
{
	struct parent_proof *p = (struct parent_proof *)r;
	struct settlement *s = p->s;
	p->job->levels = 1 + levels;
	job_finalize(s, p->job, at);
	owned_free(s->owned, p);
}

static void verify_on_parent(struct settlement *s, struct proof_job *j)
{
	struct parent_proof *p = owned_alloc(s->owned, sizeof(*p));
	if (!p)
		return;
	p->r.bytes = s->cfg.parent_proof_bytes + j->extra_calldata;
	p->r.on_final = parent_final;
	p->s = s;
	p->job = j;
	if (!s->carry || s->carry(s->carrier, &p->r))
		owned_free(s->owned, p);
}

static void proved(struct sim *sim, void *arg)
{
	struct proof_job *j = arg;
	struct settlement *s = j->s;
	if (s->cfg.on_parent) {
		verify_on_parent(s, j);
		return;
	}
	if (s->agg) {
		struct agg_wait *aw = owned_alloc(s->owned, sizeof(*aw));
		if (!aw)
			return;
		aw->s = s;
		aw->job = j;
		aw->final_ev = 0;
		const char *eco = agg_type(s->agg) == AGG_ECOSYSTEM
					  ? s->cfg.ecosystem
				  : agg_type(s->agg) == AGG_COMPOSER
					  ? s->member
					  : NULL;
		if (agg_submit(s->agg, eco, agg_done, aw))
			owned_free(s->owned, aw);
		return;
	}
	/* A validium's DA commitments ride with the proof as calldata. */
	j->levels = s->cfg.mode == SETTLE_ENSHRINED ? 0 : 1;
	int64_t gas = (s->cfg.mode == SETTLE_ENSHRINED
			       ? s->cfg.enshrined_gas
			       : prover_verify_gas(s->prover)) +
		      s->cfg.verify_extra_gas;
	gas = j->extra_calldata > 0
		      ? l1_calldata_gas(s->l1, 0, j->extra_calldata, gas)
		      : gas + L1_TX_BASE_GAS;
	if (gas > l1_max_tx_gas(s->l1)) {
		/* One transaction cannot use more (EIP-7825 from Osaka, the
		 * block gas limit before): counted, so the summary says the
		 * proof's cost is understated. */
		gas = l1_max_tx_gas(s->l1);
		s->st.gas_capped++;
	}
	struct proof_tx *p = owned_alloc(s->owned, sizeof(*p));
	if (!p)
		return;
	p->s = s;
	p->job = j;
	if (l1poster_submit(s->poster, gas, 0, NULL, proof_final, p)) {
		owned_free(s->owned, p);
		return;
	}
	if (j->extra_calldata > 0)
		ledger_l1_bytes(s->ledger, sim_now(sim),
				(double)j->extra_calldata);
}

static struct proof_job *job_new(struct settlement *s)
{
	struct proof_job *j = owned_alloc(s->owned, sizeof(*j));
	if (j)
		j->s = s;
	return j;
}

static void job_submit(struct settlement *s)
{
	struct proof_job *j = s->open_job;
	s->open_job = NULL;
	s->st.proofs++;
	if (s->cfg.mode == SETTLE_ENSHRINED) {
		/* No prover: L1 verifies the batch when it is posted. */
		proved(s->sim, j);
		return;
	}
	/* Out of memory leaves the job in the owned list, freed at the end. */
	prover_submit(s->prover, j->txs, proved, j);
}

void settle_batch_posted(void *settlement, struct batch *b)
{
	struct settlement *s = settlement;
	for (size_t i = 0; i < s->n_hooks; i++)
		s->hooks[i].fn(s->hooks[i].ctx, b);
	s->root_due = true;
	unfinal_add(s, b);
	if (s->cfg.mode == SETTLE_CHALLENGE) {
		sim_time_t at = b->included_at + s->cfg.challenge_window;
		sim_time_t l1_final = l1_final_at(s->l1, b->included_at);
		if (at < l1_final)
			at = l1_final;
		if (at < sim_now(s->sim))
			at = sim_now(s->sim);
		sim_schedule(s->sim, at, challenge_over, s, b, NULL);
		return;
	}
	struct proof_job *j = s->open_job;
	if (!j) {
		j = job_new(s);
		if (!j)
			return;
		s->open_job = j;
	}
	if (j->last)
		j->last->next_proof = b;
	else
		j->first = b;
	j->last = b;
	j->n_batches++;
	j->txs += b->txs;
	if (s->cfg.commitments_with_proof)
		j->extra_calldata += s->cfg.commitment_bytes;
	if (s->cfg.mode == SETTLE_ENSHRINED ||
	    j->n_batches >= prover_batches_per_proof(s->prover))
		job_submit(s);
}

void settle_start(struct settlement *s)
{
	if (s->cfg.mode == SETTLE_CHALLENGE && s->cfg.state_root_gas > 0)
		sim_schedule_in(s->sim, s->cfg.state_root_interval, root_tick,
				s, NULL, NULL);
}

void settle_set_prover_down(void *settlement, int member, bool down)
{
	struct settlement *s = settlement;
	/* Faults on the system and on this instance may overlap: down while
	 * any of them is. */
	s->prover_down_count += down ? 1 : -1;
	if (s->prover_down_count < 0)
		s->prover_down_count = 0;
	if (s->prover)
		prover_set_down(s->prover, s->prover_down_count > 0);
}

void settle_set_poster_down(void *settlement, int member, bool down)
{
	struct settlement *s = settlement;
	s->poster_down_count += down ? 1 : -1;
	if (s->poster_down_count < 0)
		s->poster_down_count = 0;
}
