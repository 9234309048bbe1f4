/*
 * Hot standby: a second sequencer follows the first and takes over after
 * a fail-over time when the first goes down (leader election among
 * replicas, as op-conductor does for the OP Stack), at full capacity.
 * Key of the system's "sequencer" object: standby_failover (a duration;
 * absent: no standby).  Metric: standby_txs, the transactions the standby
 * sequenced.  See docs/model-liveness.md.
 */
#include <stdlib.h>

#include "l2sim/mechanism.h"

struct hs_cfg {
	sim_time_t failover;
};

struct hs {
	const struct hs_cfg *cfg;
	sim_time_t warmup;
	double txs;
};

static const char *const keys[] = {"standby_failover", NULL};

static int hs_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	*out = NULL;
	if (!scn_has(o, "standby_failover"))
		return 0;
	struct hs_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int rc = scn_get_duration(o, "standby_failover", 0, 0, 30 * SIM_DAY,
				  &c->failover, err);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static sim_time_t hs_bound(const void *cfg)
{
	return ((const struct hs_cfg *)cfg)->failover;
}

static int64_t hs_rate(void *ctx, sim_time_t down_for, int64_t full,
		       bool *forced)
{
	struct hs *h = ctx;
	*forced = false;
	return down_for >= h->cfg->failover ? full : -1;
}

static void hs_count(void *ctx, const struct cohort *c, bool forced,
		     sim_time_t now)
{
	struct hs *h = ctx;
	if (now >= h->warmup)
		h->txs += (double)c->total;
}

static int hs_attach(const void *cfg, const struct mech_parts *p, void **out,
		     struct l2s_error *err)
{
	struct hs *h = calloc(1, sizeof(*h));
	if (!h || seq_add_outage_policy(p->seq, hs_rate, hs_count, h)) {
		free(h);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	h->cfg = cfg;
	h->warmup = p->warmup;
	*out = h;
	return 0;
}

static void hs_collect(const void *state, struct mech_metrics *out)
{
	const struct hs *h = state;
	mech_metrics_add(out, "standby_txs", h->txs);
}

const struct mechanism mech_hot_standby = {
	.name = "hot_standby",
	.section = "sequencer",
	.keys = keys,
	.read = hs_read,
	.attach = hs_attach,
	.collect = hs_collect,
	.liveness_bound = hs_bound,
	.detach = free,
	.free_cfg = free,
};
