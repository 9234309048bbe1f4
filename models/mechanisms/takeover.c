/*
 * Takeover: while the sequencer is down, after a delay another operator
 * takes over and sequences at full capacity (a shared sequencer's member:
 * an equal share of its capacity).  Key of the system's "sequencer"
 * object: takeover_delay (default 7 days; see docs/model-systems.md).
 */
#include <stdlib.h>

#include "l2sim/mechanism.h"

struct takeover_cfg {
	sim_time_t delay;
};

static const char *const keys[] = {"takeover_delay", NULL};

static int to_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	struct takeover_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int rc = scn_get_duration(o, "takeover_delay", 7 * SIM_DAY, 0,
				  3650 * SIM_DAY, &c->delay, err);
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

static int64_t to_rate(void *ctx, sim_time_t down_for, int64_t full,
		       bool *forced)
{
	const struct takeover_cfg *c = ctx;
	*forced = false;
	return down_for >= c->delay ? full : -1;
}

static sim_time_t to_bound(const void *cfg)
{
	return ((const struct takeover_cfg *)cfg)->delay;
}

static int to_attach(const void *cfg, const struct mech_parts *p, void **out,
		     struct l2s_error *err)
{
	*out = NULL;
	/* Stateless: the policy reads the shared settings. */
	if (seq_add_outage_policy(p->seq, to_rate, NULL, (void *)cfg))
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	return 0;
}

const struct mechanism mech_takeover = {
	.name = "takeover",
	.section = "sequencer",
	.keys = keys,
	.read = to_read,
	.attach = to_attach,
	.free_cfg = free,
	.liveness_bound = to_bound,
};
