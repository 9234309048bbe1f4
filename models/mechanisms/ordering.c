/*
 * Ordering policies and MEV.  Every transaction kind carries a value that
 * whoever controls its position can extract (swaps: arbitrage and
 * back-runs); the ordering policy decides who gets it.  Keys of a system's
 * "ordering" object (docs/model-sequencing.md gives the sources):
 *
 *   policy            "fcfs" (first come, first served: searchers win by
 *                     latency and keep the value), "priority" (priority
 *                     fees: searchers bid the value away to the orderer and
 *                     keep searcher_share), "auction" (an express-lane
 *                     auction like Arbitrum's Timeboost: the lane's
 *                     controller keeps searcher_share, its bids go to the
 *                     system, and every other transaction waits
 *                     express_lane_delay); default "priority".
 *   mev               value per transaction by kind, e.g.
 *                     {"swap": "120000gwei"}; default: swaps 120,000 gwei,
 *                     other kinds 0.
 *   searcher_share    what searchers keep where they must bid (0.1).
 *   express_lane_delay  policy "auction" only (200 ms, Timeboost's).
 *
 * The orderer is the system's sequencer (own, shared, rotating, auction)
 * or, under based sequencing, the L1 proposer: there the policy is the L1
 * builder's, "priority", and the orderer's part is mev_to_l1_eth.
 *
 * Metrics: mev_eth (value extracted by ordering, after warm-up), and where
 * it went: mev_to_sequencer_eth, mev_to_system_eth, mev_to_searchers_eth,
 * mev_to_l1_eth (they sum to mev_eth).
 */
#include <stdlib.h>

#include "l2sim/mechanism.h"

enum ord_policy { ORD_FCFS, ORD_PRIORITY, ORD_AUCTION };

struct ord_cfg {
	enum ord_policy policy;
	bool policy_set;
	double mev_eth[TX_KINDS];      /* per transaction of each kind */
	double searcher_share;
	sim_time_t express_delay;
	struct scn_obj obj;            /* for errors found when attaching */
};

struct ord {
	const struct ord_cfg *cfg;
	struct sequencer *seq;
	bool based;
	sim_time_t warmup;
	double mev, to_seq, to_system, to_searchers, to_l1;
};

static const char *const keys[] = {"policy", "mev", "searcher_share",
				   "express_lane_delay", NULL};
static const char *const policy_names[] = {"fcfs", "priority", "auction",
					   NULL};

/* A swap's MEV: arbitrage of 0.03-0.05 % of L2 DEX volume (Gogol et al.,
 * 2024) on a mean swap of 0.3 ETH (an assumption): 0.04 % x 0.3 ETH. */
#define SWAP_MEV_WEI UINT64_C(120000000000000)

static int ord_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	struct ord_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	c->obj = *o;
	int rc, p;
	struct scn_obj mev;
	if ((rc = scn_get_enum(o, "policy", ORD_PRIORITY, policy_names, &p,
			       err)) ||
	    (rc = scn_get_double(o, "searcher_share", 0.1, 0, 1,
				 &c->searcher_share, err)) ||
	    (rc = scn_get_duration(o, "express_lane_delay", 200 * SIM_MS, 0,
				   SIM_MIN, &c->express_delay, err)) ||
	    (rc = scn_get_obj(o, "mev", &mev, NULL, err)))
		goto fail;
	c->policy = (enum ord_policy)p;
	c->policy_set = scn_has(o, "policy");
	const char *kinds[TX_KINDS + 1];
	for (int k = 0; k < TX_KINDS; k++)
		kinds[k] = txkind_name((enum tx_kind)k);
	kinds[TX_KINDS] = NULL;
	if ((rc = scn_check_keys(&mev, kinds, err)))
		goto fail;
	for (int k = 0; k < TX_KINDS; k++) {
		uint64_t wei;
		if ((rc = scn_get_fee(&mev, kinds[k],
				      k == TX_SWAP ? SWAP_MEV_WEI : 0,
				      UINT64_MAX, &wei, err)))
			goto fail;
		c->mev_eth[k] = (double)wei / 1e18;
	}
	if (scn_has(o, "express_lane_delay") && c->policy != ORD_AUCTION) {
		rc = scn_fail(o, "express_lane_delay", err, "\"express_lane_"
			      "delay\" has no effect without \"policy\": "
			      "\"auction\"");
		goto fail;
	}
	if (scn_has(o, "searcher_share") && c->policy == ORD_FCFS) {
		rc = scn_fail(o, "searcher_share", err, "\"searcher_share\" "
			      "has no effect under \"fcfs\": searchers keep "
			      "what they extract");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	free(c);
	return rc;
}

/* Splits 'v' ETH of extracted value by policy (see the file comment). */
static void split(struct ord *o, double v)
{
	const struct ord_cfg *c = o->cfg;
	o->mev += v;
	if (c->policy == ORD_FCFS) {
		o->to_searchers += v;
		return;
	}
	double keep = v * c->searcher_share, paid = v - keep;
	o->to_searchers += keep;
	if (c->policy == ORD_AUCTION) {
		o->to_system += paid;
	} else if (o->based) {
		o->to_l1 += paid;
	} else {
		o->to_seq += paid;
		seq_add_revenue(o->seq, paid);
	}
}

static void ord_observe(void *ctx, const struct cohort *c)
{
	struct ord *o = ctx;
	if (c->sequenced < o->warmup)
		return;
	double v = 0;
	for (int k = 0; k < TX_KINDS; k++)
		v += (double)c->n[k] * o->cfg->mev_eth[k];
	if (v > 0)
		split(o, v);
}

static int ord_attach(const void *cfg, const struct mech_parts *p, void **out,
		      struct l2s_error *err)
{
	const struct ord_cfg *c = cfg;
	*out = NULL;
	bool based = seq_type(p->seq) == SEQ_BASED;
	if (based && c->policy != ORD_PRIORITY)
		return scn_fail(&c->obj, "policy", err, "under based "
				"sequencing the L1 builder orders: \"policy\" "
				"is \"priority\"");
	struct ord *o = calloc(1, sizeof(*o));
	if (!o || seq_add_observer(p->seq, ord_observe, o)) {
		free(o);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	o->cfg = c;
	o->seq = p->seq;
	o->based = based;
	o->warmup = p->warmup;
	if (c->policy == ORD_AUCTION)
		seq_add_confirm_delay(p->seq, c->express_delay);
	*out = o;
	return 0;
}

static void ord_collect(const void *state, struct mech_metrics *out)
{
	const struct ord *o = state;
	mech_metrics_add(out, "mev_eth", o->mev);
	mech_metrics_add(out, "mev_to_sequencer_eth", o->to_seq);
	mech_metrics_add(out, "mev_to_system_eth", o->to_system);
	mech_metrics_add(out, "mev_to_searchers_eth", o->to_searchers);
	mech_metrics_add(out, "mev_to_l1_eth", o->to_l1);
}

const struct mechanism mech_ordering = {
	.name = "ordering",
	.section = "ordering",
	.keys = keys,
	.read = ord_read,
	.attach = ord_attach,
	.collect = ord_collect,
	.detach = free,
	.free_cfg = free,
};
