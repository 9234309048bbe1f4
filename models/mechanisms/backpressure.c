/*
 * Backpressure: the sequencer halts itself while the backlog of sequenced,
 * unposted transactions exceeds a bound, and resumes once the batch
 * poster has brought it below a lower one.  This is the mechanism of
 * Arbitrum One's stall of 2023-12-15: an inscription wave outran the
 * batch poster and the sequencer stopped (docs/model-liveness.md).  Keys
 * of the system's "sequencer" object: halt_backlog (transactions; absent:
 * off) and resume_backlog (default half of halt_backlog).
 * Metric: backpressure_halts.
 */
#include <stdlib.h>

#include "l2sim/mechanism.h"

struct bp_cfg {
	int64_t halt, resume;       /* transactions */
};

struct bp {
	const struct bp_cfg *cfg;
	const struct batcher *batcher;
	sim_time_t warmup;
	bool halted;
	double halts;               /* after warm-up */
};

static const char *const keys[] = {"halt_backlog", "resume_backlog", NULL};

static int bp_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	*out = NULL;
	if (!scn_has(o, "halt_backlog")) {
		if (scn_has(o, "resume_backlog"))
			return scn_fail(o, "resume_backlog", err,
					"\"resume_backlog\" needs "
					"\"halt_backlog\"");
		return 0;
	}
	struct bp_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int rc;
	if ((rc = scn_get_int(o, "halt_backlog", 0, 1, INT64_MAX / 4, &c->halt,
			      err)) ||
	    (rc = scn_get_int(o, "resume_backlog", c->halt / 2, 0, c->halt,
			      &c->resume, err))) {
		free(c);
		return rc;
	}
	if (c->resume >= c->halt) {
		free(c);
		return scn_fail(o, "resume_backlog", err, "\"resume_backlog\" "
				"must be below \"halt_backlog\"");
	}
	*out = c;
	return 0;
}

/* Hysteresis: halt above 'halt', resume at or below 'resume'. */
static bool bp_gate(void *ctx, sim_time_t now)
{
	struct bp *b = ctx;
	uint64_t bl = batcher_unposted(b->batcher);
	if (!b->halted && bl > (uint64_t)b->cfg->halt) {
		b->halted = true;
		if (now >= b->warmup)
			b->halts++;
	} else if (b->halted && bl <= (uint64_t)b->cfg->resume) {
		b->halted = false;
	}
	return b->halted;
}

static int bp_attach(const void *cfg, const struct mech_parts *p, void **out,
		     struct l2s_error *err)
{
	struct bp *b = calloc(1, sizeof(*b));
	if (!b || seq_add_gate(p->seq, bp_gate, b)) {
		free(b);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	b->cfg = cfg;
	b->batcher = p->batcher;
	b->warmup = p->warmup;
	*out = b;
	return 0;
}

static void bp_collect(const void *state, struct mech_metrics *out)
{
	const struct bp *b = state;
	mech_metrics_add(out, "backpressure_halts", b->halts);
}

const struct mechanism mech_backpressure = {
	.name = "backpressure",
	.section = "sequencer",
	.keys = keys,
	.read = bp_read,
	.attach = bp_attach,
	.collect = bp_collect,
	.detach = free,
	.free_cfg = free,
};
