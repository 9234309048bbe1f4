/*
 * Permissionless proposing (self-sequencing): when the sequencer has been
 * silent for a protocol-fixed delay, anyone may build and post the
 * system's blocks, at the rate their own block building allows
 * (self_sequence_rate, default the system's capacity) -- unlike a
 * takeover, no governance acts, and unlike forced inclusion, users do not
 * send each transaction through L1: a permissionless proposer batches them
 * as the sequencer would.  Keys of the system's "sequencer" object:
 * self_sequence_delay (absent: off), self_sequence_rate.
 * Metric: self_sequenced_txs.  See docs/model-liveness.md.
 */
#include <stdlib.h>

#include "l2sim/mechanism.h"

struct ss_cfg {
	sim_time_t delay;
	int64_t rate;               /* micro tx/s; 0: the system's capacity */
};

struct ss {
	const struct ss_cfg *cfg;
	sim_time_t warmup;
	double txs;
};

static const char *const keys[] = {"self_sequence_delay", "self_sequence_rate",
				   NULL};

static int ss_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	*out = NULL;
	if (!scn_has(o, "self_sequence_delay")) {
		if (scn_has(o, "self_sequence_rate"))
			return scn_fail(o, "self_sequence_rate", err,
					"\"self_sequence_rate\" needs "
					"\"self_sequence_delay\"");
		return 0;
	}
	struct ss_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int rc;
	if ((rc = scn_get_duration(o, "self_sequence_delay", 0, 0,
				   3650 * SIM_DAY, &c->delay, err)) ||
	    (rc = scn_get_rate(o, "self_sequence_rate", 0, 1, INT64_MAX,
			       &c->rate, err))) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static sim_time_t ss_bound(const void *cfg)
{
	return ((const struct ss_cfg *)cfg)->delay;
}

static int64_t ss_rate(void *ctx, sim_time_t down_for, int64_t full,
		       bool *forced)
{
	struct ss *s = ctx;
	*forced = false;
	if (down_for < s->cfg->delay)
		return -1;
	return s->cfg->rate > 0 && s->cfg->rate < full ? s->cfg->rate : full;
}

static void ss_count(void *ctx, const struct cohort *c, bool forced,
		     sim_time_t now)
{
	struct ss *s = ctx;
	if (now >= s->warmup)
		s->txs += (double)c->total;
}

static int ss_attach(const void *cfg, const struct mech_parts *p, void **out,
		     struct l2s_error *err)
{
	struct ss *s = calloc(1, sizeof(*s));
	if (!s || seq_add_outage_policy(p->seq, ss_rate, ss_count, s)) {
		free(s);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	s->cfg = cfg;
	s->warmup = p->warmup;
	*out = s;
	return 0;
}

static void ss_collect(const void *state, struct mech_metrics *out)
{
	const struct ss *s = state;
	mech_metrics_add(out, "self_sequenced_txs", s->txs);
}

const struct mechanism mech_self_sequencing = {
	.name = "self_sequencing",
	.section = "sequencer",
	.keys = keys,
	.read = ss_read,
	.attach = ss_attach,
	.collect = ss_collect,
	.liveness_bound = ss_bound,
	.detach = free,
	.free_cfg = free,
};
