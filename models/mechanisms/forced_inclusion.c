/*
 * Forced inclusion through L1: while the sequencer is down, after a delay
 * users force their transactions in through L1 (Arbitrum's delayed inbox
 * and forceInclusion after the 24 h delay; OP Stack deposits through the
 * portal, included within the 12 h sequencing window), at the rate the
 * forcing path allows.
 *
 * A forced transaction is an L1 transaction: each one costs the
 * intrinsic 21,000 gas, its signed bytes as calldata (under the fork's
 * calldata pricing) and the inbox's execution (forced_tx_gas: enqueuing
 * the message in the delayed inbox).  The users' L1 transactions of one
 * tick go to L1 together through the mechanism's own poster (an event per
 * tick, never per transaction), so they pay L1 fees and take block space
 * like any other; their fees are the users', not the operator's, and are
 * kept out of the instance's ledger.
 *
 * Keys of the system's "sequencer" object: forced_inclusion (default
 * true), forced_inclusion_delay (default 24 h), forced_inclusion_rate
 * (default 10 tx/s), forced_tx_gas (default 45,000); see
 * docs/model-liveness.md.  Metrics: tx_forced (also forced_inclusion_txs),
 * forced_l1_gas, forced_l1_fee_eth.
 */
#include <stdlib.h>

#include "l2sim/l1poster.h"
#include "l2sim/mechanism.h"

struct fi_cfg {
	sim_time_t delay;
	int64_t rate;               /* micro tx/s */
	int64_t exec_gas;           /* inbox execution per forced tx */
};

struct fi {
	const struct fi_cfg *cfg;
	struct l1_chain *l1;
	const struct tx_kind_params *kinds;
	struct l1poster *poster;    /* the users' L1 transactions */
	struct ledger ledger;       /* what they paid */
	sim_time_t warmup;
	double txs;                 /* after warm-up */
	double submit_failed;       /* gas not submitted (over limits) */
};

static const char *const keys[] = {"forced_inclusion", "forced_inclusion_delay",
				   "forced_inclusion_rate", "forced_tx_gas",
				   NULL};

static int fi_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	*out = NULL;
	bool on;
	int rc = scn_get_bool(o, "forced_inclusion", true, &on, err);
	if (rc)
		return rc;
	if (!on) {
		/* Its settings would have no effect. */
		for (int i = 1; keys[i]; i++)
			if (scn_has(o, keys[i]))
				return scn_fail(o, keys[i], err, "'%s' has no "
						"effect with \"forced_inclusion\""
						": false", keys[i]);
		return 0;
	}
	struct fi_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	if ((rc = scn_get_duration(o, "forced_inclusion_delay", SIM_DAY, 0,
				   365 * SIM_DAY, &c->delay, err)) ||
	    (rc = scn_get_rate(o, "forced_inclusion_rate", 10 * SCN_RATE_ONE,
			       0, INT64_MAX, &c->rate, err)) ||
	    (rc = scn_get_int(o, "forced_tx_gas", 45000, 0, 10000000,
			      &c->exec_gas, err))) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static int64_t fi_rate(void *ctx, sim_time_t down_for, int64_t full,
		       bool *forced)
{
	struct fi *f = ctx;
	if (down_for < f->cfg->delay)
		return -1;
	*forced = true;
	return f->cfg->rate;
}

/* L1 gas of one forced transaction of 'size' signed bytes: intrinsic,
 * calldata (a signed transaction's bytes are nearly all non-zero) and
 * the inbox's execution. */
static int64_t forced_gas(const struct fi *f, int64_t size)
{
	return l1_calldata_gas(f->l1, 0, size, f->cfg->exec_gas);
}

static void included(void *ctx, const struct l1_receipt *r)
{
	(void)ctx;
	(void)r;
}

static void fi_forced(void *ctx, const struct cohort *c, bool forced,
		      sim_time_t now)
{
	struct fi *f = ctx;
	if (!forced)
		return; /* at the full rate: nothing goes through L1 */
	if (now >= f->warmup)
		f->txs += (double)c->total;
	/* The tick's forced transactions, as L1 transactions of at most
	 * the per-transaction gas limit each (several users' worth). */
	int64_t max = l1_max_tx_gas(f->l1);
	int64_t gas = 0;
	for (int k = 0; k < TX_KINDS; k++) {
		if (!c->n[k])
			continue;
		int64_t g = forced_gas(f, f->kinds[k].size);
		if (g > max)
			g = max;
		for (uint64_t left = c->n[k]; left > 0;) {
			uint64_t fit = (uint64_t)((max - gas) / g);
			if (fit == 0) {
				if (l1poster_submit(f->poster, gas, 0, included,
						    NULL, f))
					f->submit_failed += (double)gas;
				gas = 0;
				continue;
			}
			uint64_t take = fit < left ? fit : left;
			gas += (int64_t)take * g;
			left -= take;
		}
	}
	if (gas > 0 && l1poster_submit(f->poster, gas, 0, included, NULL, f))
		f->submit_failed += (double)gas;
}

static int fi_attach(const void *cfg, const struct mech_parts *p, void **out,
		     struct l2s_error *err)
{
	struct fi *f = calloc(1, sizeof(*f));
	if (!f)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	f->cfg = cfg;
	f->l1 = p->l1;
	f->kinds = p->kinds;
	f->warmup = p->warmup;
	ledger_init(&f->ledger, p->warmup);
	/* Users bid like the operator's wallet does. */
	f->poster = l1poster_create(p->l1, l1poster_config(p->poster),
				    &f->ledger, p->owned);
	if (!f->poster || seq_add_outage_policy(p->seq, fi_rate, fi_forced, f)) {
		l1poster_destroy(f->poster);
		free(f);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	*out = f;
	return 0;
}

static sim_time_t fi_bound(const void *cfg)
{
	const struct fi_cfg *c = cfg;
	/* Forcing at no rate lets nothing through. */
	return c->rate > 0 ? c->delay : -1;
}

static void fi_detach(void *state)
{
	struct fi *f = state;
	if (!f)
		return;
	l1poster_destroy(f->poster);
	free(f);
}

static void fi_collect(const void *state, struct mech_metrics *out)
{
	const struct fi *f = state;
	mech_metrics_add(out, "tx_forced", f->txs);
	mech_metrics_add(out, "forced_inclusion_txs", f->txs);
	mech_metrics_add(out, "forced_l1_gas", f->ledger.l1_gas);
	mech_metrics_add(out, "forced_l1_fee_eth", f->ledger.fees_eth);
	mech_metrics_add(out, "forced_l1_txs", f->ledger.l1_txs);
}

const struct mechanism mech_forced_inclusion = {
	.name = "forced_inclusion",
	.section = "sequencer",
	.keys = keys,
	.read = fi_read,
	.attach = fi_attach,
	.collect = fi_collect,
	.detach = fi_detach,
	.free_cfg = free,
	.liveness_bound = fi_bound,
};
