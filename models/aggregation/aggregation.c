/*
 * Proof aggregation rounds: proofs wait for the round's close, are
 * aggregated (flat for 'latency', or up a proof tree level by level), and
 * settle on L1 in as many transactions as the per-transaction gas cap
 * needs; each transaction's gas (and fee) its proofs share equally.  One
 * close event per round and one submit event per transaction, plus the
 * L1 callbacks; nothing per proof except the callback.
 * docs/model-settlement.md gives the formulas and the sources of defaults.
 */
#include <stdlib.h>
#include <string.h>

#include "l2sim/aggregation.h"

static const char *const type_names[] = {
	"independent", "l1.5", "ecosystem", "composer", NULL,
};

static const char *const agg_keys[] = {
	"name", "type", "interval", "latency", "base_gas", "per_proof_gas",
	"per_ecosystem_gas", "max_proofs", "max_fee_per_gas",
	"max_priority_fee_per_gas", "fan_in", "levels", NULL,
};

static const char *const level_keys[] = { "latency", "provers", NULL };

/* Names the results database gives to other components. */
static const char *const reserved_names[] = { "l1", "all", NULL };

/*
 * Defaults (docs/sources.md §5):
 *  - base_gas 300,000: Aligned's aggregation mode verifies one aggregated
 *    proof for ~300,000 gas, a PLONK-class verification.
 *  - per_proof_gas 20,000: the marginal cost of one more proof in an
 *    aggregated batch.  Aligned's fee model charges 13,000 gas per proof
 *    for batch submission (aligned-sdk constants.rs); NEBRA reports ~18k
 *    per proof for verifying its aggregated proof plus 23-100k if proofs
 *    are submitted on chain.  20,000 lies within that range for
 *    off-chain submission.
 *  - per_ecosystem_gas 500,000: an assumption for ecosystem (L3)
 *    aggregation; no primary source was found: sweep it.
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

/* One level of a proof tree: each node aggregates up to fan_in proofs of
 * the level below in 'latency' on one of 'provers' machines (0: as many
 * as the level needs).  free_at: when its machines finish the last round
 * they took (rounds queue for a busy level). */
struct agg_level {
	sim_time_t latency;
	int64_t provers;
	sim_time_t free_at;
};

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
	int32_t levels;              /* depth of its proof tree */
	int32_t txs;                 /* L1 transactions of its round */
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
	int64_t fan_in;              /* 0: one flat aggregation per tx */
	int32_t n_levels;
	struct agg_level lv[AGG_LEVELS_MAX];
	int64_t root_max;            /* proofs one tree can hold */

	struct proof *wait;          /* ring buffer of proofs waiting */
	size_t w_head, w_len, w_cap;
	bool close_pending;
	struct round *rounds;        /* live rounds, newest first */

	/* metrics (inclusions at or after the set's warmup) */
	int64_t m_rounds, m_proofs, m_gas, m_ecosystems, m_failures;
	int64_t m_closes, m_split, m_levels_max, m_waits;
	const char **members;        /* composer: its systems, by name */
	size_t n_members;
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
	case AGG_COMPOSER:
		/* One composed state, one proof, one state root. */
		return a->base_gas;
	case AGG_INDEPENDENT:
		break;
	}
	return 0;
}

/* "fan_in" and "levels": a recursive proof tree.  Without them a round
 * makes one flat aggregated proof per L1 transaction in 'latency'. */
static int read_tree(const struct scn_obj *e, struct aggregator *a,
		     struct l2s_error *err)
{
	size_t n = 0;
	int rc;

	a->root_max = INT64_MAX;
	if (!scn_has(e, "fan_in") && !scn_has(e, "levels"))
		return 0;
	if (!scn_has(e, "fan_in"))
		return scn_fail(e, "levels", err, "'levels' needs 'fan_in' "
				"(proofs aggregated per tree node)");
	if (!scn_has(e, "levels"))
		return scn_fail(e, "fan_in", err, "'fan_in' needs 'levels': "
				"an array of {latency, provers}, one per level");
	if (scn_has(e, "latency"))
		return scn_fail(e, "latency", err, "a proof tree has a latency "
				"per level: set levels[i].latency instead");
	rc = scn_get_int(e, "fan_in", 2, 2, 1 << 20, &a->fan_in, err);
	if (!rc)
		rc = scn_get_array(e, "levels", &n, err);
	if (rc)
		return rc;
	if (n < 1 || n > AGG_LEVELS_MAX)
		return scn_fail(e, "levels", err, "%zu levels; a proof tree "
				"has 1 to %d", n, AGG_LEVELS_MAX);
	a->n_levels = (int32_t)n;
	a->root_max = 1;
	for (size_t i = 0; i < n; i++) {
		struct scn_obj l;

		rc = scn_get_elem(e, "levels", i, &l, err);
		if (!rc)
			rc = scn_check_keys(&l, level_keys, err);
		if (!rc)
			rc = scn_get_duration(&l, "latency", DFLT_LATENCY, 0,
					      365 * SIM_DAY, &a->lv[i].latency,
					      err);
		if (!rc)
			rc = scn_get_int(&l, "provers", 0, 1, INT32_MAX,
					 &a->lv[i].provers, err);
		if (rc)
			return rc;
		if (a->root_max <= INT32_MAX / a->fan_in)
			a->root_max *= a->fan_in;
		else
			a->root_max = INT32_MAX;
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
	if (!rc)
		rc = read_tree(e, a, err);
	if (rc)
		return rc;
	if (a->type == AGG_COMPOSER) {
		const char *bad = scn_has(e, "per_proof_gas") ? "per_proof_gas"
				  : scn_has(e, "per_ecosystem_gas")
					  ? "per_ecosystem_gas"
				  : scn_has(e, "max_proofs") ? "max_proofs"
							     : NULL;
		if (bad)
			return scn_fail(e, bad, err, "'%s' has no effect on a "
					"composer: one composed proof settles "
					"every member's state for base_gas",
					bad);
	}
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
		free(a->members);
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

const char *agg_closest(const struct agg_set *set, const char *name)
{
	if (!set || !name || !set->n)
		return NULL;
	const char **cands = calloc(set->n + 1, sizeof(*cands));
	if (!cands)
		return NULL;
	for (size_t i = 0; i < set->n; i++)
		cands[i] = set->aggs[i].name;
	const char *near = l2s_closest(name, cands);
	free(cands);
	return near;
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

int agg_join(struct aggregator *a, const char *member)
{
	const char **m;
	if (a->type != AGG_COMPOSER || !member)
		return L2S_EINPUT;
	m = realloc(a->members, (a->n_members + 1) * sizeof(*m));
	if (!m)
		return L2S_ENOMEM;
	m[a->n_members++] = member;
	a->members = m;
	return 0;
}

size_t agg_members(const struct aggregator *a)
{
	return a->n_members;
}

int agg_submit(struct aggregator *a, const char *ecosystem, agg_done_fn *fn,
	       void *ctx)
{
	if (!fn || a->type == AGG_INDEPENDENT)
		return L2S_EINPUT;
	if ((a->type == AGG_ECOSYSTEM || a->type == AGG_COMPOSER) !=
	    (ecosystem != NULL))
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

/* How many waiting proofs, from position 'off' and at most 'limit', one
 * transaction takes (and one tree holds), and their distinct ecosystems. */
static size_t take_count(const struct aggregator *a, size_t off,
			 size_t limit, int64_t gas_cap, int32_t *ecosystems)
{
	size_t n = 0;
	int32_t k = 0;

	if ((int64_t)limit > a->root_max)
		limit = (size_t)a->root_max;
	if (a->type == AGG_COMPOSER) {
		/* One composed proof: the gas does not grow with proofs. */
		*ecosystems = 0;
		return limit;
	}

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
		const char *eco =
			a->wait[(a->w_head + off + n) % a->w_cap].ecosystem;
		bool seen = false;

		for (size_t j = 0; j < n && !seen; j++)
			seen = !strcmp(eco,
				       a->wait[(a->w_head + off + j) % a->w_cap]
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

int32_t agg_tree_depth(int64_t fan_in, int64_t proofs)
{
	int32_t d = 1;
	int64_t cover = fan_in;

	if (fan_in < 2)
		return 1;
	while (cover < proofs) {
		d++;
		cover = cover > INT64_MAX / fan_in ? INT64_MAX : cover * fan_in;
	}
	return d;
}

int64_t agg_tree_nodes(int64_t fan_in, int64_t proofs, int32_t level)
{
	int64_t cover = 1;

	if (fan_in < 2)
		return level == 1 ? 1 : 0;
	for (int32_t i = 0; i < level; i++)
		cover = cover > INT64_MAX / fan_in ? INT64_MAX : cover * fan_in;
	return (proofs + cover - 1) / cover;
}

sim_time_t agg_level_time(sim_time_t latency, int64_t provers, int64_t nodes)
{
	if (provers <= 0 || nodes <= provers)
		return latency;
	return latency * ((nodes + provers - 1) / provers);
}

/* When the round's trees are proven: level by level, each level waiting
 * for the one below and for its own machines.  'nodes[l]' is the nodes
 * of level l+1 over all the round's trees. */
static sim_time_t prove_rounds(struct aggregator *a, sim_time_t now,
			       const int64_t *nodes, int32_t depth)
{
	sim_time_t t = now;

	if (a->fan_in < 2)
		return now + a->latency;
	for (int32_t l = 0; l < depth; l++) {
		struct agg_level *lv = &a->lv[l];
		sim_time_t start = t;

		if (lv->provers > 0 && lv->free_at > start)
			start = lv->free_at;
		t = start + agg_level_time(lv->latency, lv->provers, nodes[l]);
		if (lv->provers > 0)
			lv->free_at = t;
	}
	return t;
}

/* Composer: every member has a proof waiting. */
static bool composer_ready(const struct aggregator *a)
{
	for (size_t m = 0; m < a->n_members; m++) {
		bool found = false;
		for (size_t i = 0; i < a->w_len && !found; i++)
			found = !strcmp(a->members[m],
					a->wait[(a->w_head + i) % a->w_cap]
						.ecosystem);
		if (!found)
			return false;
	}
	return true;
}

/*
 * A round closes: the waiting proofs (up to max_proofs) are cut, in
 * order, into as many L1 transactions as the per-transaction gas cap
 * needs; each transaction verifies one aggregated proof: a tree of depth
 * ceil(log_fan_in(proofs)) when a tree is configured (a tree holds at
 * most fan_in^levels proofs), else one flat aggregation.
 */
static void on_close(struct sim *sim, void *self, void *arg)
{
	struct aggregator *a = self;
	int64_t cap = a->set->l1 ? l1_max_tx_gas(a->set->l1) : INT64_MAX / 4;
	size_t total = a->w_len < (size_t)a->max_proofs ? a->w_len
						       : (size_t)a->max_proofs;
	int64_t nodes[AGG_LEVELS_MAX] = {0};
	struct round *made = NULL, *r;
	int32_t depth = 1, txs = 0;
	size_t taken = 0;
	sim_time_t done;

	a->close_pending = false;
	if (a->type == AGG_COMPOSER && !composer_ready(a)) {
		/* Atomic among its members: the composed state advances only
		 * with a proof of every member; wait for the next boundary. */
		a->m_waits++;
		schedule_close(a);
		return;
	}
	while (taken < total) {
		int32_t k = 0, d;
		size_t n = take_count(a, taken, total - taken, cap, &k);

		if (n == 0)
			break;
		r = calloc(1, sizeof(*r));
		if (r && !(r->proofs = malloc(n * sizeof(*r->proofs)))) {
			free(r);
			r = NULL;
		}
		if (!r) {
			/* Out of memory: the rest wait for the next round
			 * rather than be lost. */
			a->m_failures++;
			break;
		}
		for (size_t i = 0; i < n; i++)
			r->proofs[i] = *wait_at(a, taken + i);
		d = a->fan_in >= 2 ? agg_tree_depth(a->fan_in, (int64_t)n) : 1;
		for (int32_t l = 0; l < d; l++)
			nodes[l] += a->fan_in >= 2
					    ? agg_tree_nodes(a->fan_in,
							     (int64_t)n, l + 1)
					    : 1;
		if (d > depth)
			depth = d;
		r->agg = a;
		r->n = (int32_t)n;
		r->ecosystems = k;
		r->levels = d;
		r->gas = agg_tx_gas(a, (int64_t)n, k);
		r->closed_at = sim_now(sim);
		/* 'made' holds this round's transactions in order (via
		 * prev, reused until they join the live list). */
		r->next = made;
		made = r;
		taken += n;
		txs++;
	}
	a->w_head = a->w_cap ? (a->w_head + taken) % a->w_cap : 0;
	a->w_len -= taken;
	if (txs) {
		a->m_closes++;
		if (txs > 1)
			a->m_split++;
	}
	done = txs ? prove_rounds(a, sim_now(sim), nodes, depth) : sim_now(sim);
	/* 'made' is newest first: reverse it to proof order, then link each
	 * into the live list and submit them in that order at 'done'. */
	{
		struct round *ordered = NULL;

		while (made) {
			r = made;
			made = r->next;
			r->next = ordered;
			ordered = r;
		}
		while (ordered) {
			r = ordered;
			ordered = r->next;
			r->txs = txs;
			r->prev = NULL;
			r->next = a->rounds;
			if (a->rounds)
				a->rounds->prev = r;
			a->rounds = r;
			if (sim_schedule(sim, done, on_submit, a, r, NULL))
				a->m_failures++;
		}
	}
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
		if (r->levels > a->m_levels_max)
			a->m_levels_max = r->levels;
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
			.levels = r->levels,
			.round_txs = r->txs,
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
		res_metric_set(res, a->name, "proof_levels",
			       (double)a->m_levels_max);
		res_metric_set(res, a->name, "rounds_closed",
			       (double)a->m_closes);
		res_metric_set(res, a->name, "rounds_split",
			       (double)a->m_split);
		if (a->type == AGG_COMPOSER) {
			res_metric_set(res, a->name, "members",
				       (double)a->n_members);
			res_metric_set(res, a->name, "rounds_waited",
				       (double)a->m_waits);
		}
	}
}
