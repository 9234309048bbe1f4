/*
 * Fraud-proof disputes on an optimistic rollup (docs/model-trust.md).
 *
 * An attacker posts an invalid state root at "start" (then every "every",
 * "count" times), staking "attackers" times on it.  Honest challengers
 * play an interactive bisection game against each stake: "rounds" moves
 * alternate between the two sides down to a one-step proof.  The honest
 * side answers each move after "response_time"; the attacker spends its
 * whole clock ("attacker_clock") spread over its moves.  Every move is a
 * real L1 transaction of "move_gas" gas, sent through a poster of the
 * disputants' own (its fees are not the rollup's), so moves compete for
 * L1 block space.  The attacker loses its bond on every stake.
 *
 * What a dispute does to honest users' finality depends on the protocol:
 *   classic  (Arbitrum before BoLD): one-vs-one challenges resolved one
 *            after another; the honest assertion is confirmed only when
 *            every challenge on the invalid branch is over, so N stakes
 *            delay finality by N games (the delay attack).
 *   bold     (Arbitrum BoLD): all stakes in one all-vs-all game; the
 *            honest assertion is confirmed within one challenge period of
 *            the dispute, whatever N.
 *   fdg      (OP Stack fault dispute games): a game per claim; honest
 *            proposals are games of their own and finalize on time.
 * The attacker times its rival claim to hurt most: right before the honest
 * assertion it contests would be confirmed.  Under classic and bold that
 * assertion, and every later one (they build on it), wait for the
 * dispute: every batch included from one challenge window (plus one
 * state-root interval) before the invalid root until the dispute resolves
 * is held back until it resolves.
 *
 * Metrics: disputes (games played), dispute_l1_gas and dispute_fees_eth
 * (moves included on L1), dispute_bonds_lost_eth, dispute_delay_max_s
 * (from an invalid root to the resolution of its disputes).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/mechanism.h"

enum protocol { PROTO_CLASSIC, PROTO_BOLD, PROTO_FDG };

static const char *const proto_names[] = {"classic", "bold", "fdg", NULL};

struct disputes_cfg {
	struct scn_obj obj;          /* for errors found when attaching */
	enum protocol proto;
	sim_time_t start, every;
	int64_t count, attackers, rounds;
	sim_time_t attacker_clock, response_time, challenge_period;
	int64_t move_gas;
	double bond_eth;
	uint64_t max_fee;
};

struct dispute {
	sim_time_t from;             /* first inclusion time it holds back */
	sim_time_t resolves;         /* when honest finality is released */
};

struct disputes {
	const struct disputes_cfg *cfg;
	struct sim *sim;
	struct settlement *settle;
	sim_time_t root_interval;
	sim_time_t window;           /* the rollup's challenge window */
	struct ledger ledger;        /* the disputants' L1 fees */
	struct l1poster *poster;
	struct dispute *open;        /* held ranges (classic, bold) */
	size_t n_open, cap_open;
	int64_t posted;              /* invalid roots so far */
	double games, moves_sent, bonds_lost, delay_max;
};

static const char *const keys[] = {
	"protocol", "start", "every", "count", "attackers", "rounds",
	"attacker_clock", "response_time", "challenge_period", "move_gas",
	"bond_eth", "max_fee", NULL,
};

/* Bonds an attacker loses in an OP fault dispute game: the required bond
 * at each depth it claims (the root proposal at depth 0, then every other
 * depth), gas 400,000 x 1.09493^depth at an assumed 200 gwei (OP Stack
 * specs, fault-proof/stage-one/bond-incentives.md, "Required Bond
 * Formula"). */
static double fdg_attacker_bonds(int64_t rounds)
{
	double eth = 0;
	for (int64_t d = 0; d <= rounds; d += 2)
		eth += 400000.0 * pow(1.09493, (double)d) * 200e9 / 1e18;
	return eth;
}

static int ds_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	*out = NULL;
	if (!o->obj || json_object_size(o->obj) == 0)
		return 0; /* off */
	struct disputes_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	c->obj = *o;
	int proto, rc;
	if ((rc = scn_get_enum(o, "protocol", PROTO_BOLD, proto_names, &proto,
			       err)))
		goto fail;
	c->proto = (enum protocol)proto;
	/* Arbitrum One: challenge period 45,818 L1 blocks, ~6.4 days (BoLD
	 * docs); OP Mainnet: MAX_CLOCK_DURATION 3.5 days plus one
	 * CLOCK_EXTENSION of 3 hours (deploy config mainnet.json). */
	sim_time_t period = 45818 * 12 * SIM_S;
	sim_time_t dflt_clock = c->proto == PROTO_FDG
					? 302400 * SIM_S + 10800 * SIM_S
					: period;
	double dflt_bond = c->proto == PROTO_BOLD ? 3600 : NAN;
	if ((rc = scn_get_duration(o, "start", SIM_HOUR, 0, 3650 * SIM_DAY,
				   &c->start, err)) ||
	    (rc = scn_get_duration(o, "every", 0, 0, 3650 * SIM_DAY,
				   &c->every, err)) ||
	    (rc = scn_get_int(o, "count", 1, 1, 100000, &c->count, err)) ||
	    (rc = scn_get_int(o, "attackers", 1, 1, 10000, &c->attackers,
			      err)) ||
	    (rc = scn_get_int(o, "rounds", 73, 1, 256, &c->rounds, err)) ||
	    (rc = scn_get_duration(o, "attacker_clock", dflt_clock, 0,
				   365 * SIM_DAY, &c->attacker_clock, err)) ||
	    (rc = scn_get_duration(o, "response_time", 12 * SIM_S, 0,
				   SIM_DAY, &c->response_time, err)) ||
	    (rc = scn_get_duration(o, "challenge_period", period, SIM_S,
				   365 * SIM_DAY, &c->challenge_period, err)) ||
	    (rc = scn_get_int(o, "move_gas", 200000, 21000, 30000000,
			      &c->move_gas, err)) ||
	    (rc = scn_get_double(o, "bond_eth", dflt_bond, 0, 1e9,
				 &c->bond_eth, err)) ||
	    (rc = scn_get_fee(o, "max_fee", UINT64_C(500000000000),
			      UINT64_MAX / 4, &c->max_fee, err)))
		goto fail;
	if (c->count > 1 && c->every == 0) {
		rc = scn_fail(o, "every", err, "%lld invalid roots need "
			      "\"every\": the time between them",
			      (long long)c->count);
		goto fail;
	}
	if (scn_has(o, "challenge_period") && c->proto != PROTO_BOLD) {
		rc = scn_fail(o, "challenge_period", err, "only \"bold\" "
			      "bounds a dispute by a challenge period");
		goto fail;
	}
	if (c->proto == PROTO_FDG && !scn_has(o, "bond_eth"))
		c->bond_eth = fdg_attacker_bonds(c->rounds);
	if (isnan(c->bond_eth)) {
		rc = scn_fail(o, "protocol", err, "\"classic\" has no "
			      "published bond: give \"bond_eth\", the stake "
			      "an attacker loses per challenge");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	free(c);
	return rc;
}

/* The time one game takes: the attacker's whole clock, the honest side's
 * answers to its moves. */
static sim_time_t game_time(const struct disputes_cfg *c)
{
	return c->attacker_clock + (c->rounds + 1) / 2 * c->response_time;
}

/* When the disputes over an invalid root at 't' release honest finality. */
static sim_time_t resolution(const struct disputes_cfg *c, sim_time_t t)
{
	sim_time_t g = game_time(c);
	switch (c->proto) {
	case PROTO_CLASSIC:
		return t + c->attackers * g;
	case PROTO_BOLD:
		/* All stakes in one game, bounded by one challenge period. */
		return t + (g < c->challenge_period ? g : c->challenge_period);
	case PROTO_FDG:
		break;
	}
	return t + g;
}

static sim_time_t ds_gate(void *ctx, const struct batch *b)
{
	struct disputes *d = ctx;
	sim_time_t hold = 0;
	for (size_t i = 0; i < d->n_open; i++)
		if (b->included_at >= d->open[i].from &&
		    b->included_at <= d->open[i].resolves &&
		    d->open[i].resolves > hold)
			hold = d->open[i].resolves;
	return hold;
}

static void move_included(void *ctx, const struct l1_receipt *r)
{
	/* Booked in the disputants' ledger by the poster. */
}

/* One move of a game: an L1 transaction. */
static void send_move(struct sim *sim, void *self, void *arg)
{
	struct disputes *d = self;
	if (l1poster_submit(d->poster, d->cfg->move_gas, 0, move_included,
			    NULL, d) == 0)
		d->moves_sent++;
}

/* Schedules the moves of one game starting at t0 (sequential games of a
 * classic dispute start one after another). */
static void schedule_game(struct disputes *d, sim_time_t t0)
{
	const struct disputes_cfg *c = d->cfg;
	int64_t att_moves = (c->rounds + 1) / 2;
	sim_time_t pace = att_moves ? c->attacker_clock / att_moves : 0;
	sim_time_t t = t0;
	for (int64_t m = 0; m < c->rounds; m++) {
		/* Even moves are the attacker's (its clock), odd ones the
		 * honest answers; the last is the one-step proof. */
		t += m % 2 == 0 ? pace : c->response_time;
		sim_schedule(d->sim, t, send_move, d, NULL, NULL);
	}
	d->games++;
	d->bonds_lost += c->bond_eth;
}

static void invalid_root(struct sim *sim, void *self, void *arg)
{
	struct disputes *d = self;
	const struct disputes_cfg *c = d->cfg;
	sim_time_t t = sim_now(sim);
	sim_time_t done = resolution(c, t);
	if (c->proto != PROTO_FDG) {
		if (d->n_open == d->cap_open) {
			size_t nc = d->cap_open ? d->cap_open * 2 : 4;
			void *p = realloc(d->open, nc * sizeof(*d->open));
			if (p) {
				d->open = p;
				d->cap_open = nc;
			}
		}
		if (d->n_open < d->cap_open)
			d->open[d->n_open++] = (struct dispute){
				t - d->window - d->root_interval, done};
	}
	sim_time_t g = game_time(c);
	for (int64_t a = 0; a < c->attackers; a++)
		schedule_game(d, c->proto == PROTO_CLASSIC ? t + a * g : t);
	if ((double)(done - t) / 1e9 > d->delay_max)
		d->delay_max = sim_time_to_s(done - t);
	if (++d->posted < c->count)
		sim_schedule(sim, t + c->every, invalid_root, d, NULL, NULL);
}

static int ds_attach(const void *cfg, const struct mech_parts *p,
		     void **out, struct l2s_error *err)
{
	const struct disputes_cfg *c = cfg;
	const struct settle_cfg *sc = settle_config(p->settle);
	*out = NULL;
	if (sc->mode != SETTLE_CHALLENGE)
		return scn_fail(&c->obj, NULL, err, "disputes are for "
				"optimistic rollups: '%s' proves its state",
				p->name);
	struct disputes *d = calloc(1, sizeof(*d));
	if (!d)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	d->cfg = c;
	d->sim = p->sim;
	d->settle = p->settle;
	d->root_interval = sc->state_root_interval;
	d->window = sc->challenge_window;
	ledger_init(&d->ledger, p->warmup);
	struct l1poster_cfg pc = {.max_fee = c->max_fee,
				  .max_blob_fee = c->max_fee,
				  .priority_fee = 1000000000, .rebid = true};
	if (pc.priority_fee > pc.max_fee)
		pc.priority_fee = pc.max_fee;
	d->poster = l1poster_create(p->l1, &pc, &d->ledger, p->owned);
	if (!d->poster || settle_add_gate(p->settle, ds_gate, d) ||
	    sim_schedule(p->sim, c->start, invalid_root, d, NULL, NULL)) {
		l1poster_destroy(d->poster);
		free(d);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	*out = d;
	return 0;
}

static void ds_collect(const void *state, struct mech_metrics *out)
{
	const struct disputes *d = state;
	mech_metrics_add(out, "disputes", d->games);
	mech_metrics_add(out, "dispute_l1_gas", d->ledger.l1_gas);
	mech_metrics_add(out, "dispute_fees_eth", d->ledger.fees_eth);
	mech_metrics_add(out, "dispute_moves_included", d->ledger.l1_txs);
	mech_metrics_add(out, "dispute_bonds_lost_eth", d->bonds_lost);
	mech_metrics_add(out, "dispute_delay_max_s", d->delay_max);
}

static void ds_detach(void *state)
{
	struct disputes *d = state;
	if (!d)
		return;
	l1poster_destroy(d->poster);
	free(d->open);
	free(d);
}

const struct mechanism mech_disputes = {
	.name = "disputes",
	.section = "disputes",
	.keys = keys,
	.read = ds_read,
	.attach = ds_attach,
	.collect = ds_collect,
	.detach = ds_detach,
	.free_cfg = free,
};
