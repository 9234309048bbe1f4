/*
 * Backpressure: the sequencer slows, then halts itself, as the backlog of
 * sequenced, unposted transactions grows: above slow_backlog it sequences
 * at most slow_rate; above halt_backlog it stops, and resumes once the
 * batch poster has brought the backlog to resume_backlog.  This is the
 * mechanism of Arbitrum One's stall of 2023-12-15: an inscription wave
 * outran the batch poster and the sequencer stopped
 * (docs/model-liveness.md).  Keys of the system's "sequencer" object:
 * halt_backlog (transactions; absent: never halts), resume_backlog
 * (default half of halt_backlog), slow_backlog and slow_rate (both or
 * neither; below halt_backlog).  Metrics: backpressure_halts,
 * backpressure_slow_seconds.
 */
#include <stdlib.h>

#include "l2sim/mechanism.h"

struct bp_cfg {
	int64_t halt, resume;       /* transactions; halt 0: never */
	int64_t slow;               /* transactions; 0: never */
	int64_t slow_rate;          /* micro tx/s */
};

struct bp {
	const struct bp_cfg *cfg;
	const struct batcher *batcher;
	sim_time_t warmup;
	bool halted, slowed;
	sim_time_t last;            /* the previous call */
	double halts;               /* after warm-up */
	double slow_s;              /* seconds slowed, after warm-up */
};

static const char *const keys[] = {"halt_backlog", "resume_backlog",
				   "slow_backlog", "slow_rate", NULL};

static int bp_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	*out = NULL;
	bool halt = scn_has(o, "halt_backlog"), slow = scn_has(o, "slow_backlog");
	if (!halt && scn_has(o, "resume_backlog"))
		return scn_fail(o, "resume_backlog", err, "\"resume_backlog\" "
				"needs \"halt_backlog\"");
	if (slow != scn_has(o, "slow_rate"))
		return scn_fail(o, slow ? "slow_backlog" : "slow_rate", err,
				"\"slow_backlog\" and \"slow_rate\" go "
				"together");
	if (!halt && !slow)
		return 0;
	struct bp_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int rc;
	if ((rc = scn_get_int(o, "halt_backlog", 0, 1, INT64_MAX / 4, &c->halt,
			      err)) ||
	    (rc = scn_get_int(o, "resume_backlog", c->halt / 2, 0,
			      c->halt ? c->halt : 0, &c->resume, err)) ||
	    (rc = scn_get_int(o, "slow_backlog", 0, 1, INT64_MAX / 4, &c->slow,
			      err)) ||
	    (rc = scn_get_rate(o, "slow_rate", 0, 1, INT64_MAX,
			       &c->slow_rate, err)))
		goto fail;
	if (halt && c->resume >= c->halt) {
		rc = scn_fail(o, "resume_backlog", err, "\"resume_backlog\" "
			      "must be below \"halt_backlog\"");
		goto fail;
	}
	if (halt && slow && c->slow >= c->halt) {
		rc = scn_fail(o, "slow_backlog", err, "\"slow_backlog\" must "
			      "be below \"halt_backlog\"");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	free(c);
	return rc;
}

/* Halt with hysteresis (above 'halt' until at or below 'resume'); slow
 * while above 'slow'. */
static int64_t bp_gate(void *ctx, sim_time_t now, int64_t full)
{
	struct bp *b = ctx;
	const struct bp_cfg *c = b->cfg;
	uint64_t bl = batcher_unposted(b->batcher);
	if (b->slowed && b->last >= b->warmup)
		b->slow_s += sim_time_to_s(now - b->last);
	b->last = now;
	if (c->halt) {
		if (!b->halted && bl > (uint64_t)c->halt) {
			b->halted = true;
			if (now >= b->warmup)
				b->halts++;
		} else if (b->halted && bl <= (uint64_t)c->resume) {
			b->halted = false;
		}
	}
	b->slowed = !b->halted && c->slow && bl > (uint64_t)c->slow &&
		    c->slow_rate < full;
	if (b->halted)
		return 0;
	return b->slowed ? c->slow_rate : full;
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
	mech_metrics_add(out, "backpressure_slow_seconds", b->slow_s);
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
