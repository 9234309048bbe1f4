/*
 * Cross-system traffic.  'share' of a system's transactions have a leg on
 * another system.
 *
 *  - Members of one shared sequencer: the legs are a bundle, included
 *    atomically in one round or failing together (the shared sequencer
 *    counts them: seq_set_bundle_share).  Metrics bundles_atomic,
 *    bundles_failed.
 *  - Otherwise each is a message through shared settlement (L1): the
 *    destination acts on it once the source's transaction is posted
 *    (deliver_after "posted") or final ("final") and a relay transaction
 *    carrying it is included on L1.  Relays go through a relayer's own L1
 *    poster (paying real L1 gas at the block's fees, booked in the
 *    instance's ledger): relay_interval 0 pays message_gas per message
 *    as soon as it may (booked in L1 transactions of up to 1 M gas);
 *    relay_interval > 0 sends one transaction of
 *    batch_gas + batch_message_gas per message for all messages ready,
 *    every relay_interval: the trade of operating cost against delivery
 *    latency.  Metrics msg_sent, msg_delivered, msg_latency_p50/p99
 *    (seconds from the source transaction's arrival to the relay's L1
 *    inclusion), msg_cost_eth (relay fees).
 *
 * A source transaction counts as posted (final) when as many transactions
 * as had been sequenced up to it are posted (final): batches carry
 * transactions in sequencing order.  Checked at every L1 block.
 *
 * Keys of a system's "cross_system" object: share (0: off, the metrics
 * are then 0), deliver_after
 * ("final"), relay_interval (0), message_gas (100,000), batch_gas
 * (50,000), batch_message_gas (1,024); docs/model-sequencing.md gives
 * their reasons.
 */
#include <math.h>
#include <stdlib.h>

#include "l2sim/mechanism.h"

enum xs_after { XS_POSTED, XS_FINAL };

struct xs_cfg {
	double share;
	enum xs_after after;
	sim_time_t interval;
	int64_t message_gas, batch_gas, batch_message_gas;
	struct scn_obj obj;
};

/* Messages of one sequenced cohort. */
struct group {
	sim_time_t arrived;
	uint64_t idx;        /* source transactions sequenced up to them */
	uint64_t n;
};

struct gq {
	struct group *g;
	size_t head, len, cap;
};

/* A relay transaction in flight (owned by the instance). */
struct relay {
	struct xs *x;
	size_t n;
	struct group g[];
};

struct xs {
	const struct xs_cfg *cfg;
	struct sequencer *seq;
	struct batcher *batcher;
	struct settlement *settle;
	struct l1poster *poster;    /* the relayer's own (see attach) */
	struct l1_chain *l1;
	struct owned_list *owned;
	sim_time_t warmup, next_relay;
	bool bundles;
	double carry;
	uint64_t seq_idx;
	struct gq wait, ready;
	uint64_t ready_n;
	double sent, delivered, cost_eth;
	struct lat_hist lat;
};

static const char *const keys[] = {
	"share", "deliver_after", "relay_interval", "message_gas",
	"batch_gas", "batch_message_gas", NULL,
};
static const char *const after_names[] = {"posted", "final", NULL};
static const char *const relay_keys[] = {
	"deliver_after", "relay_interval", "message_gas", "batch_gas",
	"batch_message_gas", NULL,
};

static int xs_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	*out = NULL;
	struct xs_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	c->obj = *o;
	int rc, a;
	if ((rc = scn_get_double(o, "share", 0, 0, 1, &c->share, err)) ||
	    (rc = scn_get_enum(o, "deliver_after", XS_FINAL, after_names, &a,
			       err)) ||
	    (rc = scn_get_duration(o, "relay_interval", 0, 0, 30 * SIM_DAY,
				   &c->interval, err)) ||
	    (rc = scn_get_int(o, "message_gas", 100000, 21000, 30000000,
			      &c->message_gas, err)) ||
	    (rc = scn_get_int(o, "batch_gas", 50000, 21000, 30000000,
			      &c->batch_gas, err)) ||
	    (rc = scn_get_int(o, "batch_message_gas", 1024, 0, 1000000,
			      &c->batch_message_gas, err)))
		goto fail;
	c->after = (enum xs_after)a;
	if (c->share == 0) {
		for (int i = 0; keys[i]; i++)
			if (scn_has(o, keys[i])) {
				rc = scn_fail(o, keys[i], err, "\"%s\" has no "
					      "effect without \"share\"",
					      keys[i]);
				goto fail;
			}
		*out = c;   /* off: reports zeros */
		return 0;
	}
	const char *per = c->interval ? "message_gas" : NULL;
	const char *bat[] = {"batch_gas", "batch_message_gas"};
	if (per && scn_has(o, per)) {
		rc = scn_fail(o, per, err, "\"message_gas\" has no effect with "
			      "a \"relay_interval\": messages are relayed in "
			      "batches");
		goto fail;
	}
	for (int i = 0; i < 2 && !c->interval; i++)
		if (scn_has(o, bat[i])) {
			rc = scn_fail(o, bat[i], err, "\"%s\" has no effect "
				      "without a \"relay_interval\"", bat[i]);
			goto fail;
		}
	*out = c;
	return 0;
fail:
	free(c);
	return rc;
}

static int gq_push(struct gq *q, struct group g)
{
	if (q->len == q->cap) {
		size_t nc = q->cap ? q->cap * 2 : 64;
		struct group *p = malloc(nc * sizeof(*p));
		if (!p)
			return L2S_ENOMEM;
		for (size_t i = 0; i < q->len; i++)
			p[i] = q->g[(q->head + i) % q->cap];
		free(q->g);
		q->g = p;
		q->cap = nc;
		q->head = 0;
	}
	q->g[(q->head + q->len++) % q->cap] = g;
	return 0;
}

static struct group *gq_front(struct gq *q)
{
	return q->len ? &q->g[q->head] : NULL;
}

static void gq_pop(struct gq *q)
{
	q->head = (q->head + 1) % q->cap;
	q->len--;
}

static void xs_observe(void *ctx, const struct cohort *c)
{
	struct xs *x = ctx;
	x->seq_idx += c->total;
	double v = x->cfg->share * (double)c->total + x->carry;
	double whole = floor(v);
	x->carry = v - whole;
	if (whole < 1)
		return;
	struct group g = {c->arrived, x->seq_idx, (uint64_t)whole};
	if (c->arrived >= x->warmup)
		x->sent += whole;
	/* Out of memory loses the group; the counts then show it. */
	(void)gq_push(&x->wait, g);
}

static void relay_included(void *ctx, const struct l1_receipt *r)
{
	struct relay *rl = ctx;
	struct xs *x = rl->x;
	for (size_t i = 0; i < rl->n; i++) {
		const struct group *g = &rl->g[i];
		if (g->arrived < x->warmup)
			continue;
		x->delivered += (double)g->n;
		lat_hist_add(&x->lat, sim_time_to_s(r->included_at - g->arrived),
			     (double)g->n);
	}
	if (r->included_at >= x->warmup)
		x->cost_eth += r->fee_eth;
	owned_free(x->owned, rl);
}

/*
 * Per-message relays are booked in L1 transactions of at most this much
 * gas (ten messages of the default 100,000): the same gas and fees as one
 * transaction a message, included as block space allows, without an L1
 * object per message.
 */
#define RELAY_CHUNK_GAS INT64_C(1000000)

/* Sends relay transactions for all ready messages: message_gas each
 * (per_msg, in chunks of RELAY_CHUNK_GAS), or batches each within the
 * per-tx gas limit. */
static void relay_ready(struct xs *x, bool per_msg)
{
	const struct xs_cfg *c = x->cfg;
	int64_t base = per_msg ? 0 : c->batch_gas;
	int64_t per = per_msg ? c->message_gas : c->batch_message_gas;
	int64_t limit = l1_max_tx_gas(x->l1);
	uint64_t most = per > 0 ? (uint64_t)((limit - base) / per) : UINT64_MAX;
	if (per_msg)
		most = per < RELAY_CHUNK_GAS ? (uint64_t)(RELAY_CHUNK_GAS / per) : 1;
	if (most == 0)
		most = 1;
	while (x->ready_n) {
		uint64_t take = x->ready_n < most ? x->ready_n : most;
		/* The groups this transaction carries. */
		size_t ng = 0;
		uint64_t acc = 0;
		for (size_t i = 0; acc < take && i < x->ready.len; i++) {
			acc += x->ready.g[(x->ready.head + i) % x->ready.cap].n;
			ng++;
		}
		struct relay *rl = owned_alloc(x->owned, sizeof(*rl) +
						ng * sizeof(rl->g[0]));
		if (!rl)
			return;
		rl->x = x;
		uint64_t left = take;
		while (left) {
			struct group *g = gq_front(&x->ready);
			uint64_t k = g->n < left ? g->n : left;
			rl->g[rl->n++] = (struct group){g->arrived, g->idx, k};
			g->n -= k;
			left -= k;
			if (g->n == 0)
				gq_pop(&x->ready);
		}
		x->ready_n -= take;
		int64_t gas = base + per * (int64_t)take;
		if (l1poster_submit(x->poster, gas, 0, relay_included, NULL,
				    rl)) {
			owned_free(x->owned, rl);
			return;
		}
	}
}

static void xs_block(void *ctx, const struct l1_block *b)
{
	struct xs *x = ctx;
	if (b->missed)
		return;
	uint64_t done = x->cfg->after == XS_POSTED
				? batcher_stats(x->batcher)->posted
				: settle_stats(x->settle)->finalized;
	struct group *g;
	while ((g = gq_front(&x->wait)) && g->idx <= done) {
		if (gq_push(&x->ready, *g))
			break;
		x->ready_n += g->n;
		gq_pop(&x->wait);
	}
	if (!x->cfg->interval) {
		relay_ready(x, true);
	} else if (b->t >= x->next_relay) {
		relay_ready(x, false);
		while (x->next_relay <= b->t)
			x->next_relay += x->cfg->interval;
	}
}

static void xs_detach(void *state)
{
	struct xs *x = state;
	if (!x)
		return;
	free(x->wait.g);
	free(x->ready.g);
	l1poster_destroy(x->poster);
	lat_hist_release(&x->lat);
	free(x);
}

static int xs_attach(const void *cfg, const struct mech_parts *p, void **out,
		     struct l2s_error *err)
{
	const struct xs_cfg *c = cfg;
	*out = NULL;
	bool shared = seq_type(p->seq) == SEQ_SHARED;
	if (shared)
		for (int i = 0; relay_keys[i]; i++)
			if (scn_has(&c->obj, relay_keys[i]))
				return scn_fail(&c->obj, relay_keys[i], err,
						"\"%s\" has no effect under a "
						"shared sequencer: its bundles "
						"are atomic, not messages",
						relay_keys[i]);
	struct xs *x = calloc(1, sizeof(*x));
	if (!x || lat_hist_init(&x->lat)) {
		free(x);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	x->cfg = c;
	x->seq = p->seq;
	x->batcher = p->batcher;
	x->settle = p->settle;
	/* The relayer is its own L1 account with the batch poster's fee
	 * settings: its transactions do not take the batcher's slots of
	 * transactions in flight; it pays into the instance's ledger. */
	x->poster = l1poster_create(p->l1, l1poster_config(p->poster),
				    p->ledger, p->owned);
	if (!x->poster) {
		xs_detach(x);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	x->l1 = p->l1;
	x->owned = p->owned;
	x->warmup = p->warmup;
	x->bundles = shared;
	x->next_relay = c->interval;
	if (c->share == 0) {
		/* Off: nothing to hook. */
	} else if (shared) {
		seq_set_bundle_share(p->seq, c->share);
	} else if (seq_add_observer(p->seq, xs_observe, x) ||
		   l1_on_block(p->l1, xs_block, x)) {
		xs_detach(x);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	*out = x;
	return 0;
}

static void xs_collect(const void *state, struct mech_metrics *out)
{
	const struct xs *x = state;
	uint64_t ok = 0, failed = 0;
	if (x->bundles)
		seq_bundles(x->seq, &ok, &failed);
	mech_metrics_add(out, "bundles_atomic", (double)ok);
	mech_metrics_add(out, "bundles_failed", (double)failed);
	mech_metrics_add(out, "msg_sent", x->sent);
	mech_metrics_add(out, "msg_delivered", x->delivered);
	out->failed = out->failed || lat_hist_failed(&x->lat);
	mech_metrics_add_mean(out, "msg_latency_p50",
			      lat_hist_quantile(&x->lat, 0.5), x->delivered);
	mech_metrics_add_mean(out, "msg_latency_p99",
			      lat_hist_quantile(&x->lat, 0.99), x->delivered);
	mech_metrics_add(out, "msg_cost_eth", x->cost_eth);
}

const struct mechanism mech_cross_system = {
	.name = "cross_system",
	.section = "cross_system",
	.keys = keys,
	.read = xs_read,
	.attach = xs_attach,
	.collect = xs_collect,
	.detach = xs_detach,
	.free_cfg = free,
};
