/*
 * Proof aggregation rounds: proofs wait for the round's close, are
 * aggregated for 'latency', and settle on L1 in one transaction whose gas
 * (and fee) every participant shares equally.  Two events per round (close,
 * submit) plus the L1 callbacks; nothing per proof except the callback.
 * docs/model-settlement.md gives the formulas and the sources of defaults.
 */
#include <stdlib.h>
#include <string.h>

#include "l2sim/aggregation.h"

static const char *const type_names[] = {
	"independent", "l1.5", "ecosystem", NULL,
};

static const char *const agg_keys[] = {
	"name", "type", "interval", "latency", "base_gas", "per_proof_gas",
	"per_ecosystem_gas", "max_proofs", "max_fee_per_gas",
	"max_priority_fee_per_gas", NULL,
};

/* Names the results database gives to other components. */
static const char *const reserved_names[] = { "l1", "all", NULL };

/*
 * Defaults (SOURCES.md §5):
 *  - base_gas 300,000: Aligned's aggregation mode verifies one aggregated
 *    proof for ~300,000 gas, a PLONK-class verification.
 *  - per_proof_gas 20,000: the marginal cost of one more proof in an
 *    aggregated batch.  Aligned's fee model charges 13,000 gas per proof
 *    for batch submission (aligned-sdk constants.rs); NEBRA reports ~18k
 *    per proof for verifying its aggregated proof plus 23-100k if proofs
 *    are submitted on chain.  20,000 is DESIGN.md's "~20k per rollup",
 *    within that range for off-chain submission.
 *  - per_ecosystem_gas 500,000: DESIGN.md's claim for ecosystem (L3)
 *    aggregation; no primary source was found (SOURCES.md §5 says so).
 *  - interval 10 min and latency 5 min: assumptions, no source.
 *  - fee caps: 10,000 gwei (in effect no cap) and a 1 gwei tip.
 */
#define DFLT_BASE_GAS INT64_C(300000)
#define DFLT_PER_PROOF_GAS INT64_C(20000)
#define DFLT_PER_ECOSYSTEM_GAS INT64_C(500000)
#define DFLT_INTERVAL (10 * SIM_MIN)
#define DFLT_LATENCY (5 * SIM_MIN)
#define DFLT_MAX_FEE UINT64_C(10000000000000)   /* 10,000 gwei */
#define DFLT_TIP UINT64_C(1000000000)           /* 1 gwei */
#define GAS_MAX INT64_C(1000000000)

struct proof {
	const char *ecosystem;
	agg_done_fn *fn;
	void *ctx;
	sim_time_t submitted_at;
};

/* A closed round: aggregated, then on L1 until its block is final. */
struct round {
	struct aggregator *agg;
	struct round *prev, *next;   /* the aggregator's live rounds */
	struct proof *proofs;
	int32_t n;
	int32_t ecosystems;
	int64_t gas;
	sim_time_t closed_at;
	int32_t inclusions;
	bool in_block;               /* included and not reorged out */
	bool counted;                /* its inclusion is in the metrics */
	int64_t counted_gas;
	double counted_fee_eth;
};

struct aggregator {
	struct agg_set *set;
	const char *name;
	enum agg_type type;
	sim_time_t interval, latency;
	int64_t base_gas, per_proof_gas, per_ecosystem_gas, max_proofs;
	uint64_t max_fee, tip;

	struct proof *wait;          /* ring buffer of proofs waiting */
	size_t w_head, w_len, w_cap;
	bool close_pending;
	struct round *rounds;        /* live rounds, newest first */

	/* metrics (inclusions at or after the set's warmup) */
	int64_t m_rounds, m_proofs, m_gas, m_ecosystems, m_failures;
	double m_cost_eth;
};

struct agg_set {
	struct sim *sim;
	struct l1_chain *l1;
	sim_time_t origin;           /* rounds close at origin + k * interval */
	sim_time_t warmup;
	agg_l1_submit_fn *submit;
	void *submit_ctx;
	struct aggregator *aggs;
	size_t n;
};

const char *const *agg_type_names(void)
{
	return type_names;
}

static int submit_l1(void *ctx, const struct l1_tx *tx, uint64_t *tx_id,
		     struct l2s_error *err)
{
	return l1_submit(ctx, tx, tx_id, err);
}

int64_t agg_tx_gas(const struct aggregator *a, int64_t proofs,
		   int64_t ecosystems)
{
	switch (a->type) {
	case AGG_L15:
		return a->base_gas + a->per_proof_gas * proofs;
	case AGG_ECOSYSTEM:
		return a->base_gas + a->per_ecosystem_gas * ecosystems;
	case AGG_INDEPENDENT:
		break;
	}
	return 0;
}

static int read_one(struct agg_set *set, const struct scn_obj *e,
		    struct aggregator *a, int64_t gas_cap,
		    struct l2s_error *err)
{
	int type = AGG_L15, rc;

	rc = scn_check_keys(e, agg_keys, err);
	if (rc)
		return rc;
	if (!scn_has(e, "name"))
		return scn_fail(e, NULL, err, "missing key 'name'");
	if (!scn_has(e, "type"))
		return scn_fail(e, NULL, err, "missing key 'type'");
	rc = scn_get_string(e, "name", NULL, &a->name, err);
	if (!rc)
		rc = scn_get_enum(e, "type", AGG_L15, type_names, &type, err);
	if (rc)
		return rc;
	if (!a->name || !a->name[0])
		return scn_fail(e, "name", err, "empty aggregator name");
	for (int i = 0; reserved_names[i]; i++)
		if (!strcmp(a->name, reserved_names[i]))
			return scn_fail(e, "name", err,
					"aggregator name '%s' is reserved for "
					"results", a->name);
	for (size_t i = 0; i < set->n; i++)
		if (!strcmp(set->aggs[i].name, a->name))
			return scn_fail(e, "name", err,
					"duplicate aggregator name '%s'",
					a->name);
	a->type = (enum agg_type)type;

	rc = scn_get_duration(e, "interval", DFLT_INTERVAL, SIM_MS,
			      365 * SIM_DAY, &a->interval, err);
	if (!rc)
		rc = scn_get_duration(e, "latency", DFLT_LATENCY, 0,
				      365 * SIM_DAY, &a->latency, err);
	if (!rc)
		rc = scn_get_int(e, "base_gas", DFLT_BASE_GAS, 21000, GAS_MAX,
				 &a->base_gas, err);
	if (!rc)
		rc = scn_get_int(e, "per_proof_gas", DFLT_PER_PROOF_GAS, 0,
				 GAS_MAX, &a->per_proof_gas, err);
	if (!rc)
		rc = scn_get_int(e, "per_ecosystem_gas", DFLT_PER_ECOSYSTEM_GAS,
				 0, GAS_MAX, &a->per_ecosystem_gas, err);
	if (!rc)
		rc = scn_get_int(e, "max_proofs", INT32_MAX, 1, INT32_MAX,
				 &a->max_proofs, err);
	if (!rc)
		rc = scn_get_fee(e, "max_fee_per_gas", DFLT_MAX_FEE, UINT64_MAX,
				 &a->max_fee, err);
	if (!rc)
		rc = scn_get_fee(e, "max_priority_fee_per_gas", DFLT_TIP,
				 UINT64_MAX, &a->tip, err);
	if (rc)
		return rc;
	if (a->tip > a->max_fee)
		return scn_fail(e, "max_priority_fee_per_gas", err,
				"'max_priority_fee_per_gas' exceeds "
				"'max_fee_per_gas'");
	if (a->type != AGG_INDEPENDENT && agg_tx_gas(a, 1, 1) > gas_cap) {
		rc = scn_fail(e, "base_gas", err,
			      "one proof needs %lld gas, more than an L1 "
			      "transaction may use (%lld)",
			      (long long)agg_tx_gas(a, 1, 1),
			      (long long)gas_cap);
		l2s_error_hint(err, "lower 'base_gas' or '%s'",
			       a->type == AGG_L15 ? "per_proof_gas"
						  : "per_ecosystem_gas");
		return rc;
	}
	return 0;
}

int aggregators_create(struct sim *sim, struct l1_chain *l1,
		       const struct scn_obj *root, struct agg_set **out,
		       struct l2s_error *err)
{
	struct agg_set *set = calloc(1, sizeof(*set));
	int64_t gas_cap = l1 ? l1_max_tx_gas(l1) : INT64_MAX / 4;
	size_t n = 0;
	int rc;

	if (!set)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	set->sim = sim;
	set->l1 = l1;
	set->origin = sim_now(sim);
	set->submit = submit_l1;
	set->submit_ctx = l1;
	rc = scn_get_array(root, "aggregators", &n, err);
	if (rc)
		goto fail;
	if (n) {
		set->aggs = calloc(n, sizeof(*set->aggs));
		if (!set->aggs) {
			rc = l2s_error_set(err, L2S_ENOMEM, "out of memory");
			goto fail;
		}
	}
	for (size_t i = 0; i < n; i++) {
		struct scn_obj e;
		struct aggregator *a = &set->aggs[i];

		a->set = set;
		rc = scn_get_elem(root, "aggregators", i, &e, err);
		if (!rc)
			rc = read_one(set, &e, a, gas_cap, err);
		if (rc)
			goto fail;
		set->n++;
	}
	*out = set;
	return 0;
fail:
	agg_set_destroy(set);
	return rc;
}

static void free_round(struct round *r)
{
	struct aggregator *a = r->agg;

	if (r->prev)
		r->prev->next = r->next;
	else
		a->rounds = r->next;
	if (r->next)
		r->next->prev = r->prev;
	free(r->proofs);
	free(r);
}

void agg_set_destroy(struct agg_set *set)
{
	if (!set)
		return;
	for (size_t i = 0; i < set->n; i++) {
		struct aggregator *a = &set->aggs[i];

		while (a->rounds)
			free_round(a->rounds);
		free(a->wait);
	}
	free(set->aggs);
	free(set);
}

struct aggregator *agg_find(struct agg_set *set, const char *name)
{
	for (size_t i = 0; set && name && i < set->n; i++)
		if (!strcmp(set->aggs[i].name, name))
			return &set->aggs[i];
	return NULL;
}

size_t agg_count(const struct agg_set *set)
{
	return set ? set->n : 0;
}

struct aggregator *agg_at(struct agg_set *set, size_t i)
{
	return i < set->n ? &set->aggs[i] : NULL;
}

const char *agg_name(const struct aggregator *a)
{
	return a->name;
}

enum agg_type agg_type(const struct aggregator *a)
{
	return a->type;
}

size_t agg_pending(const struct aggregator *a)
{
	size_t n = a->w_len;

	for (const struct round *r = a->rounds; r; r = r->next)
		if (!r->in_block)
			n += (size_t)r->n;
	return n;
}

void agg_set_submit_fn(struct agg_set *set, agg_l1_submit_fn *fn, void *ctx)
{
	set->submit = fn ? fn : submit_l1;
	set->submit_ctx = fn ? ctx : set->l1;
}

void agg_set_warmup(struct agg_set *set, sim_time_t warmup)
{
	set->warmup = warmup;
}

/* ---- the waiting queue (a deque: a refused round goes back in front) */

static int wait_reserve(struct aggregator *a, size_t extra)
{
	size_t cap = a->w_cap ? a->w_cap : 16;
	struct proof *w;

	if (a->w_len + extra <= a->w_cap)
		return 0;
	while (cap < a->w_len + extra)
		cap *= 2;
	w = malloc(cap * sizeof(*w));
	if (!w)
		return L2S_ENOMEM;
	for (size_t i = 0; i < a->w_len; i++)
		w[i] = a->wait[(a->w_head + i) % a->w_cap];
	free(a->wait);
	a->wait = w;
	a->w_head = 0;
	a->w_cap = cap;
	return 0;
}

static struct proof *wait_at(struct aggregator *a, size_t i)
{
	return &a->wait[(a->w_head + i) % a->w_cap];
}

/* ---- rounds */

static void on_close(struct sim *sim, void *self, void *arg);
static void on_submit(struct sim *sim, void *self, void *arg);

/* The first round boundary strictly after 'now'. */
static sim_time_t next_boundary(const struct aggregator *a, sim_time_t now)
{
	sim_time_t since = now - a->set->origin;

	return a->set->origin + (since / a->interval + 1) * a->interval;
}

static int schedule_close(struct aggregator *a)
{
	struct sim *sim = a->set->sim;
	int rc;

	if (a->close_pending || a->w_len == 0)
		return 0;
	rc = sim_schedule(sim, next_boundary(a, sim_now(sim)), on_close, a,
			  NULL, NULL);
	if (!rc)
		a->close_pending = true;
	return rc;
}

int agg_submit(struct aggregator *a, const char *ecosystem, agg_done_fn *fn,
	       void *ctx)
{
	if (!fn || a->type == AGG_INDEPENDENT)
		return L2S_EINPUT;
	if ((a->type == AGG_ECOSYSTEM) != (ecosystem != NULL))
		return L2S_EINPUT;
	if (wait_reserve(a, 1))
		return L2S_ENOMEM;
	*wait_at(a, a->w_len) = (struct proof){
		.ecosystem = ecosystem, .fn = fn, .ctx = ctx,
		.submitted_at = sim_now(a->set->sim),
	};
	a->w_len++;
	return schedule_close(a);
}

/* How many waiting proofs (from the front) one transaction takes, and
 * their distinct ecosystems. */
static size_t take_count(const struct aggregator *a, int64_t gas_cap,
			 int32_t *ecosystems)
{
	size_t limit = a->w_len < (size_t)a->max_proofs ? a->w_len
						       : (size_t)a->max_proofs;
	size_t n = 0;
	int32_t k = 0;

	if (a->type == AGG_L15) {
		if (a->per_proof_gas > 0) {
			int64_t fit = (gas_cap - a->base_gas) / a->per_proof_gas;

			if ((size_t)fit < limit)
				limit = (size_t)fit;
		}
		*ecosystems = 0;
		return limit;
	}
	/* Ecosystem: stop (in order, never skipping) at the first proof
	 * whose new ecosystem would not fit.  The distinct ecosystems are at
	 * most gas_cap / per_ecosystem_gas, a few dozen, so a linear scan of
	 * those already in is cheap. */
	for (; n < limit; n++) {
		const char *eco = a->wait[(a->w_head + n) % a->w_cap].ecosystem;
		bool seen = false;

		for (size_t j = 0; j < n && !seen; j++)
			seen = !strcmp(eco,
				       a->wait[(a->w_head + j) % a->w_cap]
					       .ecosystem);
		if (!seen) {
			if (agg_tx_gas(a, 0, k + 1) > gas_cap)
				break;
			k++;
		}
	}
	*ecosystems = k;
	return n;
}

static void on_close(struct sim *sim, void *self, void *arg)
{
	struct aggregator *a = self;
	int64_t cap = a->set->l1 ? l1_max_tx_gas(a->set->l1) : INT64_MAX / 4;
	struct round *r;
	int32_t k = 0;
	size_t n;

	a->close_pending = false;
	n = take_count(a, cap, &k);
	r = calloc(1, sizeof(*r));
	if (r)
		r->proofs = malloc((n ? n : 1) * sizeof(*r->proofs));
	if (!r || !r->proofs) {
		/* Out of memory: leave the proofs waiting for the next
		 * round rather than lose them. */
		if (r)
			free(r);
		a->m_failures++;
		schedule_close(a);
		return;
	}
	for (size_t i = 0; i < n; i++)
		r->proofs[i] = *wait_at(a, i);
	a->w_head = (a->w_head + n) % a->w_cap;
	a->w_len -= n;
	r->agg = a;
	r->n = (int32_t)n;
	r->ecosystems = k;
	r->gas = agg_tx_gas(a, (int64_t)n, k);
	r->closed_at = sim_now(sim);
	r->next = a->rounds;
	if (a->rounds)
		a->rounds->prev = r;
	a->rounds = r;
	if (sim_schedule_in(sim, a->latency, on_submit, a, r, NULL))
		a->m_failures++;
	schedule_close(a);
}

/* Receipt shares: the integer split gives the remainder, one unit each,
 * to the first participants, so the shares add up to the whole. */
static void on_included(void *ctx, const struct l1_receipt *lr)
{
	struct round *r = ctx;
	struct aggregator *a = r->agg;
	struct sim *sim = a->set->sim;
	int64_t gas_q = r->gas / r->n, gas_r = r->gas % r->n;
	l1_u128 fee_q = lr->fee_wei / (l1_u128)r->n;
	l1_u128 fee_r = lr->fee_wei % (l1_u128)r->n;

	r->inclusions++;
	r->in_block = true;
	if (lr->included_at >= a->set->warmup) {
		r->counted = true;
		r->counted_gas = lr->gas_used;
		r->counted_fee_eth = lr->fee_eth;
		a->m_rounds++;
		a->m_proofs += r->n;
		a->m_gas += lr->gas_used;
		a->m_ecosystems += r->ecosystems;
		a->m_cost_eth += lr->fee_eth;
	}
	for (int32_t i = 0; i < r->n; i++) {
		struct agg_receipt rc = {
			.aggregator = a->name,
			.submitted_at = r->proofs[i].submitted_at,
			.closed_at = r->closed_at,
			.included_at = lr->included_at,
			.final_at = lr->final_at,
			.tx_gas = r->gas,
			.gas_share = gas_q + (i < gas_r ? 1 : 0),
			.fee_share_wei = fee_q + ((l1_u128)i < fee_r ? 1 : 0),
			.proofs = r->n,
			.ecosystems = r->ecosystems,
			.inclusion = r->inclusions,
		};
		rc.fee_share_eth = (double)rc.fee_share_wei / 1e18;
		r->proofs[i].fn(sim, r->proofs[i].ctx, &rc);
	}
}

static void on_reorged(void *ctx, const struct l1_receipt *lr)
{
	struct round *r = ctx;
	struct aggregator *a = r->agg;

	(void)lr;
	r->in_block = false;
	if (!r->counted)
		return;
	r->counted = false;
	a->m_rounds--;
	a->m_proofs -= r->n;
	a->m_gas -= r->counted_gas;
	a->m_ecosystems -= r->ecosystems;
	a->m_cost_eth -= r->counted_fee_eth;
}

static void on_final(void *ctx, const struct l1_receipt *lr)
{
	(void)lr;
	free_round(ctx);
}

static void on_submit(struct sim *sim, void *self, void *arg)
{
	struct aggregator *a = self;
	struct round *r = arg;
	struct agg_set *set = a->set;
	struct l2s_error err;
	struct l1_tx tx = {
		.gas = r->gas,
		.blobs = 0,
		.max_fee_per_gas = a->max_fee,
		.max_priority_fee_per_gas = a->tip,
		.max_fee_per_blob_gas = 0,
		.on_included = on_included,
		.on_final = on_final,
		.on_reorged = on_reorged,
		.ctx = r,
	};

	(void)sim;
	l2s_error_clear(&err);
	if (r->n > 0 && set->submit(set->submit_ctx, &tx, NULL, &err) == 0)
		return;
	/* Refused (or empty): its proofs go back to the front of the queue,
	 * in their order, for the next round. */
	if (r->n > 0) {
		a->m_failures++;
		if (wait_reserve(a, (size_t)r->n) == 0) {
			for (int32_t i = r->n - 1; i >= 0; i--) {
				a->w_head = (a->w_head + a->w_cap - 1) %
					    a->w_cap;
				a->wait[a->w_head] = r->proofs[i];
				a->w_len++;
			}
		}
	}
	free_round(r);
	schedule_close(a);
}

void agg_collect(struct agg_set *set, struct run_result *res)
{
	for (size_t i = 0; i < set->n; i++) {
		const struct aggregator *a = &set->aggs[i];

		if (a->type == AGG_INDEPENDENT)
			continue;
		res_metric_set(res, a->name, "rounds", (double)a->m_rounds);
		res_metric_set(res, a->name, "proofs", (double)a->m_proofs);
		res_metric_set(res, a->name, "l1_gas_total", (double)a->m_gas);
		res_metric_set(res, a->name, "gas_per_proof",
			       a->m_proofs ? (double)a->m_gas /
						     (double)a->m_proofs
					   : 0.0);
		res_metric_set(res, a->name, "cost_eth", a->m_cost_eth);
		if (a->type == AGG_ECOSYSTEM)
			res_metric_set(res, a->name, "ecosystems_mean",
				       a->m_rounds ? (double)a->m_ecosystems /
							     (double)a->m_rounds
						   : 0.0);
		res_metric_set(res, a->name, "proofs_pending_end",
			       (double)agg_pending(a));
		res_metric_set(res, a->name, "submit_failures",
			       (double)a->m_failures);
	}
}
