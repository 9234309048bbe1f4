/*
 * The operator's bond: slashing for failure time, pre-confirmations, and
 * what the sequencer does when an L1 reorg takes out a posted batch.
 *
 *  - Bond and slashing: the sequencer/proposer stakes stake_eth; each
 *    failure interval of its instance (any cause, docs/model-liveness.md)
 *    costs slash_eth_per_failure plus slash_eth_per_hour for its length,
 *    and each broken pre-confirmation preconf_slash_eth, never more than
 *    what is left of the bond.
 *  - Pre-confirmations (preconf_within): while the sequencer is up it
 *    promises every arrival it admits inclusion in an L2 block within the
 *    bound.  A promise is broken when the transaction is still waiting at
 *    its deadline (the sequencer went down or halted) or when its
 *    soft confirmation is reverted by an L2 reorg.  Broken promises are
 *    slashed only when the system can prove non-inclusion: its data is on
 *    L1 or signed by a committee.
 *  - L2 reorgs (reorder_on_l1_reorg): when an L1 reorg takes out a block
 *    holding a posted batch, a sequencer that re-orders reverts the soft
 *    confirmations of that batch and of everything it sequenced and has
 *    not posted yet (the time-bandit exposure); one that re-posts the same
 *    batch (Arbitrum's and the OP Stack's batchers) reverts nothing.
 *
 * Keys of the system's "operator" object.  Metrics: slashed_eth,
 * stake_eth, preconf_promised, preconf_broken, soft_reverted_txs,
 * l2_reorgs.
 */
#include <math.h>
#include <stdlib.h>

#include "l2sim/mechanism.h"

struct op_cfg {
	double stake, per_hour, per_failure;  /* ETH */
	sim_time_t preconf_within;            /* 0: no pre-confirmations */
	double preconf_slash;                 /* ETH per broken promise */
	bool reorder;
};

/* Arrivals of one tick in the mempool's order, promised or not. */
struct promise {
	sim_time_t deadline;
	uint64_t txs;
	bool promised;
};

struct op {
	const struct op_cfg *cfg;
	struct sequencer *seq;
	const struct batcher *batcher;
	sim_time_t warmup;
	bool provable;
	double slashed;
	double promised, broken, reverted, reorgs;
	/* the mempool's FIFO, tick by tick */
	struct promise *q;
	size_t cap, head, len;
	uint64_t admitted_seen, sequenced_seen;
	sim_time_t last_reorg;
	uint64_t last_reorg_batch;
	sim_time_t last_tick;
};

static const char *const keys[] = {
	"stake_eth", "slash_eth_per_hour", "slash_eth_per_failure",
	"preconf_within", "preconf_slash_eth", "reorder_on_l1_reorg", NULL,
};

static int op_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	*out = NULL;
	bool any = false;
	for (int i = 0; keys[i]; i++)
		any = any || scn_has(o, keys[i]);
	if (!any)
		return 0;
	struct op_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	int rc;
	if ((rc = scn_get_double(o, "stake_eth", 0, 0, 1e12, &c->stake,
				 err)) ||
	    (rc = scn_get_double(o, "slash_eth_per_hour", 0, 0, 1e12,
				 &c->per_hour, err)) ||
	    (rc = scn_get_double(o, "slash_eth_per_failure", 0, 0, 1e12,
				 &c->per_failure, err)) ||
	    (rc = scn_get_duration(o, "preconf_within", 0, SIM_MS,
				   30 * SIM_DAY, &c->preconf_within, err)) ||
	    (rc = scn_get_double(o, "preconf_slash_eth", 0, 0, 1e12,
				 &c->preconf_slash, err)) ||
	    (rc = scn_get_bool(o, "reorder_on_l1_reorg", false, &c->reorder,
			       err)))
		goto fail;
	/* Settings that would have no effect are errors. */
	const char *culprit = NULL, *why = NULL;
	if (c->stake == 0 && (c->per_hour > 0 || c->per_failure > 0 ||
			      c->preconf_slash > 0)) {
		culprit = c->per_hour > 0 ? "slash_eth_per_hour"
			  : c->per_failure > 0 ? "slash_eth_per_failure"
					       : "preconf_slash_eth";
		why = "slashing needs a bond: set \"stake_eth\"";
	} else if (scn_has(o, "stake_eth") && c->per_hour == 0 &&
		   c->per_failure == 0 && c->preconf_slash == 0) {
		culprit = "stake_eth";
		why = "a bond nothing slashes: set \"slash_eth_per_hour\", "
		      "\"slash_eth_per_failure\" or \"preconf_slash_eth\"";
	} else if (scn_has(o, "preconf_slash_eth") && !c->preconf_within) {
		culprit = "preconf_slash_eth";
		why = "\"preconf_slash_eth\" needs \"preconf_within\"";
	}
	if (culprit) {
		rc = scn_fail(o, culprit, err, "%s", why);
		goto fail;
	}
	*out = c;
	return 0;
fail:
	free(c);
	return rc;
}

static void slash(struct op *p, double eth, sim_time_t at)
{
	if (at < p->warmup || eth <= 0)
		return;
	double left = p->cfg->stake - p->slashed;
	p->slashed += eth < left ? eth : left;
}

static void op_failure(void *state, enum mech_cause cause, sim_time_t t0,
		       sim_time_t t1, double txs)
{
	struct op *p = state;
	const struct op_cfg *c = p->cfg;
	slash(p, c->per_failure + c->per_hour * sim_time_to_s(t1 - t0) / 3600,
	      t1);
}

static void broke(struct op *p, double txs, sim_time_t at)
{
	if (at < p->warmup || txs <= 0)
		return;
	p->broken += txs;
	if (p->provable)
		slash(p, txs * p->cfg->preconf_slash, at);
}

static int push(struct op *p, struct promise x)
{
	if (p->len &&
	    p->q[(p->head + p->len - 1) % p->cap].promised == x.promised &&
	    !x.promised) {
		/* Unpromised neighbours merge: they carry no deadline. */
		p->q[(p->head + p->len - 1) % p->cap].txs += x.txs;
		return 0;
	}
	if (p->len == p->cap) {
		size_t nc = p->cap ? p->cap * 2 : 64;
		struct promise *n = malloc(nc * sizeof(*n));
		if (!n)
			return L2S_ENOMEM;
		for (size_t i = 0; i < p->len; i++)
			n[i] = p->q[(p->head + i) % p->cap];
		free(p->q);
		p->q = n;
		p->cap = nc;
		p->head = 0;
	}
	p->q[(p->head + p->len++) % p->cap] = x;
	return 0;
}

/*
 * Each tick, before the sequencer sequences: the arrivals it admitted
 * since the last tick join the promise queue (promised while it is up);
 * what it sequenced since then leaves from the front (kept); promises past
 * their deadline still waiting are broken.  Never halts the sequencer.
 */
static int64_t op_tick(void *ctx, sim_time_t now, int64_t full)
{
	struct op *p = ctx;
	const struct seq_stats *st = seq_stats(p->seq);
	uint64_t admitted = st->offered - st->dropped;
	uint64_t fresh = admitted - p->admitted_seen;
	uint64_t done = st->sequenced - p->sequenced_seen;
	p->admitted_seen = admitted;
	p->sequenced_seen = st->sequenced;
	while (done > 0 && p->len) {
		struct promise *f = &p->q[p->head];
		uint64_t take = f->txs < done ? f->txs : done;
		f->txs -= take;
		done -= take;
		if (f->txs == 0) {
			p->head = (p->head + 1) % p->cap;
			p->len--;
		}
	}
	/* Arrivals are promised while the sequencer is up: those of a
	 * tick in which it went down, in proportion to the part of the tick
	 * before it did. */
	uint64_t yes = 0;
	if (now >= p->warmup && !seq_halted(p->seq)) {
		bool down = seq_is_down(p->seq);
		if (down && seq_down_since(p->seq) > p->last_tick &&
		    now > p->last_tick) {
			double f = (double)(seq_down_since(p->seq) -
					    p->last_tick) /
				   (double)(now - p->last_tick);
			yes = (uint64_t)llround((double)fresh * f);
		} else if (!down || seq_serving(p->seq)) {
			/* Up, or a replacement at full rate since the last
			 * tick. */
			yes = fresh;
		}
	}
	p->last_tick = now;
	p->promised += (double)yes;
	/* Promised arrivals came first within their tick. */
	struct promise parts[2] = {
		{now + p->cfg->preconf_within, yes, true},
		{now, fresh - yes, false},
	};
	for (int i = 0; i < 2; i++)
		if (parts[i].txs && push(p, parts[i]) && parts[i].promised)
			broke(p, (double)parts[i].txs, now); /* untracked */
	for (size_t i = 0; i < p->len; i++) {
		struct promise *x = &p->q[(p->head + i) % p->cap];
		if (x->promised && x->deadline < now) {
			broke(p, (double)x->txs, now);
			x->promised = false;
		} else if (x->promised) {
			break; /* deadlines grow along the queue */
		}
	}
	return full;
}

static void op_reorg(void *ctx, const struct batch *b, sim_time_t now)
{
	struct op *p = ctx;
	if (!p->cfg->reorder || now < p->warmup)
		return;
	/* One batch may have several data transactions in the block. */
	if (now == p->last_reorg && b->id == p->last_reorg_batch)
		return;
	double n = (double)b->txs;
	if (now != p->last_reorg) {
		/* The sequencer re-orders from the reorged batch on: what it
		 * has sequenced and not posted is reverted too, once. */
		n += (double)batcher_unposted(p->batcher);
		p->reorgs++;
	}
	p->last_reorg = now;
	p->last_reorg_batch = b->id;
	p->reverted += n;
	if (p->cfg->preconf_within)
		broke(p, n, now);
}

static int op_attach(const void *cfg, const struct mech_parts *parts,
		     void **out, struct l2s_error *err)
{
	const struct op_cfg *c = cfg;
	struct op *p = calloc(1, sizeof(*p));
	if (!p)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	p->cfg = c;
	p->seq = parts->seq;
	p->batcher = parts->batcher;
	p->warmup = parts->warmup;
	p->provable = parts->provable;
	p->last_reorg = -1;
	if ((c->preconf_within && seq_add_gate(parts->seq, op_tick, p)) ||
	    (c->reorder && batcher_add_reorg_hook(parts->batcher, op_reorg, p))) {
		free(p);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	*out = p;
	return 0;
}

static void op_detach(void *state)
{
	struct op *p = state;
	if (!p)
		return;
	free(p->q);
	free(p);
}

static void op_collect(const void *state, struct mech_metrics *out)
{
	const struct op *p = state;
	mech_metrics_add(out, "stake_eth", p->cfg->stake);
	mech_metrics_add(out, "slashed_eth", p->slashed);
	mech_metrics_add(out, "preconf_promised", p->promised);
	mech_metrics_add(out, "preconf_broken", p->broken);
	mech_metrics_add(out, "soft_reverted_txs", p->reverted);
	mech_metrics_add(out, "l2_reorgs", p->reorgs);
}

const struct mechanism mech_operator = {
	.name = "operator",
	.section = "operator",
	.keys = keys,
	.read = op_read,
	.attach = op_attach,
	.collect = op_collect,
	.on_failure = op_failure,
	.detach = op_detach,
	.free_cfg = free,
};
