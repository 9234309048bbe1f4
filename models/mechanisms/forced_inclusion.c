/*
 * Forced inclusion: while the sequencer is down, after a delay users force
 * their transactions through L1 (Arbitrum's delayed inbox,
 * forceInclusion after the 24 h delay; OP Stack deposits), at a rate the
 * forcing path allows.  Keys of the system's "sequencer" object:
 * forced_inclusion_delay (default 24 h, Arbitrum's delay) and
 * forced_inclusion_rate (default 10 tx/s); see docs/model-systems.md.
 * Metric: forced_inclusion_txs.
 */
#include <stdlib.h>

#include "l2sim/mechanism.h"

struct fi_cfg {
	sim_time_t delay;
	int64_t rate;               /* micro tx/s */
};

struct fi {
	const struct fi_cfg *cfg;
	double txs;
};

static const char *const keys[] = {"forced_inclusion_delay",
				   "forced_inclusion_rate", NULL};

static int fi_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	struct fi_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int rc;
	if ((rc = scn_get_duration(o, "forced_inclusion_delay", SIM_DAY, 0,
				   365 * SIM_DAY, &c->delay, err)) ||
	    (rc = scn_get_rate(o, "forced_inclusion_rate", 10 * SCN_RATE_ONE,
			       0, INT64_MAX, &c->rate, err))) {
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

static void fi_forced(void *ctx, uint64_t txs)
{
	struct fi *f = ctx;
	f->txs += (double)txs;
}

static int fi_attach(const void *cfg, const struct mech_parts *p, void **out,
		     struct l2s_error *err)
{
	struct fi *f = calloc(1, sizeof(*f));
	if (!f || seq_add_outage_policy(p->seq, fi_rate, fi_forced, f)) {
		free(f);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	f->cfg = cfg;
	*out = f;
	return 0;
}

static sim_time_t fi_bound(const void *cfg)
{
	const struct fi_cfg *c = cfg;
	/* Forcing at no rate lets nothing through. */
	return c->rate > 0 ? c->delay : -1;
}

static void fi_collect(const void *state, struct mech_metrics *out)
{
	const struct fi *f = state;
	mech_metrics_add(out, "forced_inclusion_txs", f->txs);
}

const struct mechanism mech_forced_inclusion = {
	.name = "forced_inclusion",
	.section = "sequencer",
	.keys = keys,
	.read = fi_read,
	.attach = fi_attach,
	.collect = fi_collect,
	.detach = free,
	.free_cfg = free,
	.liveness_bound = fi_bound,
};
