/*
 * Decentralized sequencing: a set of operators takes turns by epochs
 * (sequencer "type": "rotating", round robin) or buys each epoch in a
 * sealed-bid second-price auction ("type": "auction").  Polynya's
 * "Fanciful Endgame" sketches both: rotating sequencers with 1-of-N
 * liveness, and sequencer auctions that return the value of ordering to
 * the system.
 *
 * Each epoch opens with a hand-over gap (the incoming leader syncs and
 * starts: nothing is sequenced).  The leader is unavailable with
 * probability operator_failure (drawn per epoch from the mechanism's own
 * stream); the next operator (round robin; next-highest bidder) takes over
 * after failover_timeout, and so on: the epoch loses
 * gap + k * failover_timeout after k failed leaders, all of it when all N
 * failed.  While it is lost the sequencer is down: outage policies
 * (forced inclusion, takeover) apply as to any outage.
 *
 * Auction: each operator values the epoch at what the sequencer earned by
 * ordering in the previous epoch (seq_revenue: MEV it captured), less
 * what it would lose extracting it: times (1 - value_spread * u), u
 * uniform on [0, 1] per operator and epoch (operators differ in cost and
 * skill, none expects more than was there).  In a second-price auction
 * bidding one's value is dominant: the highest bid wins and pays the
 * second-highest to the system.
 *
 * Keys of the system's "sequencer" object (rotating and auction only):
 * operators, epoch (required); handover_gap (0), operator_failure (0),
 * failover_timeout (required when operator_failure > 0), value_spread
 * (auction only, 0).  Metrics: epochs, leader_failovers,
 * rotation_down_seconds, auction_revenue_eth (auction), after warm-up.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gsl/gsl_rng.h>

#include "l2sim/mechanism.h"

#define OPERATORS_MAX 1024

struct rot_cfg {
	bool auction;
	int64_t operators;
	sim_time_t epoch, gap, timeout;
	double failure, spread;
};

struct rot {
	const struct rot_cfg *cfg;
	struct sim *sim;
	struct sequencer *seq;
	gsl_rng *rng;
	sim_time_t warmup;
	int64_t epoch_no;
	double rev_mark;            /* seq_revenue at the last epoch start */
	double epochs, failovers, down_s, revenue;
	double bids[OPERATORS_MAX];
};

static const char *const keys[] = {
	"operators", "epoch", "handover_gap", "operator_failure",
	"failover_timeout", "value_spread", NULL,
};

int mech_auction_clear(const double *bids, size_t n, double *price)
{
	size_t best = 0;
	for (size_t i = 1; i < n; i++)
		if (bids[i] > bids[best])
			best = i;
	double second = 0;
	for (size_t i = 0; i < n; i++)
		if (i != best && bids[i] > second)
			second = bids[i];
	*price = n > 1 ? second : 0;
	return (int)best;
}

sim_time_t mech_rotation_lost(sim_time_t epoch, sim_time_t gap,
			      sim_time_t timeout, int64_t failed,
			      int64_t operators)
{
	if (failed >= operators)
		return epoch;
	sim_time_t lost = gap + failed * timeout;
	return lost < epoch ? lost : epoch;
}

static int rot_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	*out = NULL;
	const char *type = NULL;
	int rc = scn_get_string(o, "type", "own", &type, err);
	if (rc)
		return rc;
	bool rot = !strcmp(type, "rotating"), auc = !strcmp(type, "auction");
	if (!rot && !auc) {
		for (int i = 0; keys[i]; i++)
			if (scn_has(o, keys[i]))
				return scn_fail(o, keys[i], err, "\"%s\" is "
						"only for \"type\": \"rotating\" "
						"or \"auction\"", keys[i]);
		return 0;
	}
	for (int i = 0; i < 2; i++) {
		const char *k = i ? "epoch" : "operators";
		if (!scn_has(o, k))
			return scn_fail(o, "type", err, "a %s sequencer needs "
					"\"%s\"", type, k);
	}
	struct rot_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	c->auction = auc;
	if ((rc = scn_get_int(o, "operators", 1, 1, OPERATORS_MAX,
			      &c->operators, err)) ||
	    (rc = scn_get_duration(o, "epoch", SIM_HOUR, SIM_S, 365 * SIM_DAY,
				   &c->epoch, err)) ||
	    (rc = scn_get_duration(o, "handover_gap", 0, 0, 365 * SIM_DAY,
				   &c->gap, err)) ||
	    (rc = scn_get_double(o, "operator_failure", 0, 0, 1, &c->failure,
				 err)) ||
	    (rc = scn_get_duration(o, "failover_timeout", 0, 0, 365 * SIM_DAY,
				   &c->timeout, err)) ||
	    (rc = scn_get_double(o, "value_spread", 0, 0, 1, &c->spread,
				 err)))
		goto fail;
	if (c->gap >= c->epoch) {
		rc = scn_fail(o, "handover_gap", err, "the hand-over gap must "
			      "be shorter than the epoch");
		goto fail;
	}
	if (c->failure > 0 && !scn_has(o, "failover_timeout")) {
		rc = scn_fail(o, "operator_failure", err, "a failing leader "
			      "needs \"failover_timeout\": how long until the "
			      "next operator takes over");
		goto fail;
	}
	if (c->failure == 0 && scn_has(o, "failover_timeout")) {
		rc = scn_fail(o, "failover_timeout", err, "\"failover_timeout\""
			      " has no effect without \"operator_failure\"");
		goto fail;
	}
	if (!auc && scn_has(o, "value_spread")) {
		rc = scn_fail(o, "value_spread", err, "\"value_spread\" is only "
			      "for \"type\": \"auction\"");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	free(c);
	return rc;
}

static void leader_back(struct sim *sim, void *self, void *arg)
{
	struct rot *r = self;
	seq_set_down(r->seq, 0, false);
}

static void epoch_start(struct sim *sim, void *self, void *arg)
{
	struct rot *r = self;
	const struct rot_cfg *c = r->cfg;
	sim_time_t now = sim_now(sim);
	bool rec = now >= r->warmup;
	if (c->auction) {
		double value = seq_revenue(r->seq) - r->rev_mark;
		r->rev_mark = seq_revenue(r->seq);
		for (int64_t i = 0; i < c->operators; i++) {
			double u = gsl_rng_uniform(r->rng);
			r->bids[i] = value * (1 - c->spread * u);
		}
		double price;
		mech_auction_clear(r->bids, (size_t)c->operators, &price);
		if (rec)
			r->revenue += price;
	}
	int64_t failed = 0;
	if (c->failure > 0)
		while (failed < c->operators &&
		       gsl_rng_uniform(r->rng) < c->failure)
			failed++;
	sim_time_t lost = mech_rotation_lost(c->epoch, c->gap, c->timeout,
					     failed, c->operators);
	if (rec) {
		r->epochs++;
		r->failovers += (double)(failed < c->operators
						 ? failed
						 : c->operators);
		r->down_s += sim_time_to_s(lost);
	}
	if (lost > 0) {
		seq_set_down(r->seq, 0, true);
		sim_schedule(sim, now + lost, leader_back, r, NULL, NULL);
	}
	r->epoch_no++;
	sim_schedule(sim, now + c->epoch, epoch_start, r, NULL, NULL);
}

static int rot_attach(const void *cfg, const struct mech_parts *p, void **out,
		      struct l2s_error *err)
{
	struct rot *r = calloc(1, sizeof(*r));
	char nm[160];
	snprintf(nm, sizeof(nm), "%s/rotation", p->name);
	if (!r || !(r->rng = sim_rng(p->sim, nm))) {
		free(r);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	r->cfg = cfg;
	r->sim = p->sim;
	r->seq = p->seq;
	r->warmup = p->warmup;
	if (sim_schedule(p->sim, sim_now(p->sim), epoch_start, r, NULL, NULL)) {
		free(r);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	*out = r;
	return 0;
}

/* A leader can keep a transaction out for its epoch; the next one may
 * include it (1-of-N: as a based rollup's next proposer, one slot). */
static sim_time_t rot_liveness_bound(const void *cfg)
{
	const struct rot_cfg *c = cfg;
	return c->epoch;
}

static void rot_collect(const void *state, struct mech_metrics *out)
{
	const struct rot *r = state;
	mech_metrics_add(out, "epochs", r->epochs);
	mech_metrics_add(out, "leader_failovers", r->failovers);
	mech_metrics_add(out, "rotation_down_seconds", r->down_s);
	if (r->cfg->auction)
		mech_metrics_add(out, "auction_revenue_eth", r->revenue);
}

const struct mechanism mech_rotation = {
	.name = "rotation",
	.section = "sequencer",
	.keys = keys,
	.read = rot_read,
	.attach = rot_attach,
	.collect = rot_collect,
	.detach = free,
	.free_cfg = free,
	.liveness_bound = rot_liveness_bound,
};
