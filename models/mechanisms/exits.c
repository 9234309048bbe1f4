/*
 * Withheld data and exits (docs/model-trust.md).
 *
 * A system whose data is kept off L1 (validium, volition, a Plasma-style
 * design) depends on its operator or committee to serve that data.  A
 * "data_withholding" fault on the system starts the withholding.  Users
 * then cannot prove their balances to the operator's next state and leave
 * through L1:
 *   escape_hatch  (StarkEx-style validium): after "freeze_delay" (a forced
 *                 withdrawal left unanswered freezes the system) every
 *                 account withdraws with a Merkle proof against the last
 *                 state root on L1; done when the L1 transaction is in.
 *   plasma        every account starts an exit after "freeze_delay" (the
 *                 time to notice), and the exit completes after the exit
 *                 game's "challenge_period".
 * Only accounts whose data is off L1 exit: a volition's L1-data share
 * stays.  Exits are real L1 transactions through a poster of the users'
 * own, grouped "group" accounts to a transaction (equal gas), so a mass
 * exit competes for L1 block space and raises the base fee for everyone.
 *
 * Gas per exit, when not given: a Merkle proof of "proof_depth" levels
 * checked with keccak-256 and a withdrawal recorded:
 *   21,000 (transaction) + 16 x (32 x depth + 256) (calldata, EIP-2028)
 *   + depth x 42 (keccak-256 of two words: 30 + 2 x 6)
 *   + 2 x 22,100 (two new storage slots: nullifier and withdrawal, EIP-2929)
 *   + 9,000 (a call with value)
 * = 96,024 gas at depth 32.
 *
 * Metrics: exit_txs (accounts exited), exit_l1_gas, exit_fees_eth,
 * exit_latency_p50_s / exit_latency_p99_s (from the start of withholding
 * to the completed exit; combined by max over instances), exits_pending_end.
 */
#include <math.h>
#include <stdlib.h>

#include "l2sim/lathist.h"
#include "l2sim/mechanism.h"

enum design { EXIT_ESCAPE_HATCH, EXIT_PLASMA };

static const char *const design_names[] = {"escape_hatch", "plasma", NULL};

struct exits_cfg {
	struct scn_obj obj;
	enum design design;
	int64_t accounts, group, depth, exit_gas;
	sim_time_t freeze_delay, challenge_period;
	uint64_t max_fee;
};

struct exits {
	const struct exits_cfg *cfg;
	struct sim *sim;
	struct owned_list *owned;
	struct ledger ledger;
	struct l1poster *poster;
	int64_t accounts;            /* with data off L1 */
	bool withheld;               /* exits already under way */
	sim_time_t since;
	int64_t submitted, done;
	struct lat_hist lat;
};

/* An L1 transaction carrying 'n' accounts' exits. */
struct exit_tx {
	struct exits *x;
	int64_t n;
};

static const char *const keys[] = {
	"design", "accounts", "group", "proof_depth", "exit_gas",
	"freeze_delay", "challenge_period", "max_fee", NULL,
};

int64_t mech_exit_gas(int64_t depth)
{
	return 21000 + 16 * (32 * depth + 256) + depth * 42 + 2 * 22100 +
	       9000;
}

static int ex_read(const struct scn_obj *o, void **out, struct l2s_error *err)
{
	*out = NULL;
	if (!o->obj || json_object_size(o->obj) == 0)
		return 0;
	struct exits_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	c->obj = *o;
	int design, rc;
	if ((rc = scn_get_enum(o, "design", EXIT_ESCAPE_HATCH, design_names,
			       &design, err)))
		goto fail;
	c->design = (enum design)design;
	if (!scn_has(o, "accounts")) {
		rc = scn_fail(o, NULL, err, "exits need \"accounts\": how many "
			      "accounts hold funds in the system");
		goto fail;
	}
	/* StarkEx: a forced action not served within 7 days (or 14) lets
	 * anyone freeze the system; Minimal Viable Plasma: exits wait a 7-day
	 * challenge period. */
	sim_time_t dflt_freeze = c->design == EXIT_ESCAPE_HATCH ? 7 * SIM_DAY
								: SIM_HOUR;
	if ((rc = scn_get_int(o, "accounts", 0, 1, INT64_C(1000000000),
			      &c->accounts, err)) ||
	    (rc = scn_get_int(o, "group", 10, 1, 100000, &c->group, err)) ||
	    (rc = scn_get_int(o, "proof_depth", 32, 1, 256, &c->depth, err)) ||
	    (rc = scn_get_int(o, "exit_gas", mech_exit_gas(c->depth), 21000,
			      30000000, &c->exit_gas, err)) ||
	    (rc = scn_get_duration(o, "freeze_delay", dflt_freeze, 0,
				   365 * SIM_DAY, &c->freeze_delay, err)) ||
	    (rc = scn_get_duration(o, "challenge_period", 7 * SIM_DAY, 0,
				   365 * SIM_DAY, &c->challenge_period, err)) ||
	    (rc = scn_get_fee(o, "max_fee", UINT64_C(500000000000),
			      UINT64_MAX / 4, &c->max_fee, err)))
		goto fail;
	if (scn_has(o, "challenge_period") && c->design != EXIT_PLASMA) {
		rc = scn_fail(o, "challenge_period", err, "only \"plasma\" "
			      "exits wait for a challenge period");
		goto fail;
	}
	if (scn_has(o, "exit_gas") && scn_has(o, "proof_depth")) {
		rc = scn_fail(o, "proof_depth", err, "\"proof_depth\" only "
			      "sets the default of \"exit_gas\", which is given");
		goto fail;
	}
	*out = c;
	return 0;
fail:
	free(c);
	return rc;
}

static void exit_complete(struct exits *x, int64_t n, sim_time_t at)
{
	x->done += n;
	lat_hist_add(&x->lat, sim_time_to_s(at - x->since), (double)n);
}

static void plasma_done(struct sim *sim, void *self, void *arg)
{
	struct exits *x = self;
	struct exit_tx *e = arg;
	exit_complete(x, e->n, sim_now(sim));
	owned_free(x->owned, e);
}

static void exit_included(void *ctx, const struct l1_receipt *r)
{
	struct exit_tx *e = ctx;
	struct exits *x = e->x;
	if (x->cfg->design == EXIT_PLASMA) {
		sim_schedule(x->sim, r->included_at + x->cfg->challenge_period,
			     plasma_done, x, e, NULL);
		return;
	}
	exit_complete(x, e->n, r->included_at);
	owned_free(x->owned, e);
}

/* Everyone leaves: one L1 transaction per group of accounts. */
static void start_exits(struct sim *sim, void *self, void *arg)
{
	struct exits *x = self;
	const struct exits_cfg *c = x->cfg;
	while (x->submitted < x->accounts) {
		int64_t n = x->accounts - x->submitted;
		if (n > c->group)
			n = c->group;
		struct exit_tx *e = owned_alloc(x->owned, sizeof(*e));
		if (!e)
			return;
		*e = (struct exit_tx){x, n};
		if (l1poster_submit(x->poster, n * c->exit_gas, 0, exit_included,
				    NULL, e)) {
			owned_free(x->owned, e);
			return;
		}
		x->submitted += n;
	}
}

static void ex_set_down(void *state, int member, bool down)
{
	struct exits *x = state;
	if (!down || x->withheld)
		return; /* users who left do not come back */
	x->withheld = true;
	x->since = sim_now(x->sim);
	sim_schedule(x->sim, x->since + x->cfg->freeze_delay, start_exits, x,
		     NULL, NULL);
}

static int ex_attach(const void *cfg, const struct mech_parts *p, void **out,
		     struct l2s_error *err)
{
	const struct exits_cfg *c = cfg;
	const struct batcher_cfg *bc = batcher_config(p->batcher);
	*out = NULL;
	if (bc->target != DA_ALT && !bc->split)
		return scn_fail(&c->obj, NULL, err, "'%s' posts its data to L1: "
				"users can always rebuild their balances, so "
				"there is nothing to exit from", p->name);
	struct exits *x = calloc(1, sizeof(*x));
	if (!x || lat_hist_init(&x->lat)) {
		free(x);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	x->cfg = c;
	x->sim = p->sim;
	x->owned = p->owned;
	/* A volition's accounts with data on L1 need not exit. */
	x->accounts = bc->split ? (int64_t)llround((double)c->accounts *
						   (1 - bc->l1_share))
				: c->accounts;
	ledger_init(&x->ledger, p->warmup);
	struct l1poster_cfg pc = {.max_fee = c->max_fee,
				  .max_blob_fee = c->max_fee,
				  .priority_fee = 1000000000, .rebid = true};
	if (pc.priority_fee > pc.max_fee)
		pc.priority_fee = pc.max_fee;
	x->poster = l1poster_create(p->l1, &pc, &x->ledger, p->owned);
	if (!x->poster) {
		lat_hist_release(&x->lat);
		free(x);
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	}
	*out = x;
	return 0;
}

static void ex_collect(const void *state, struct mech_metrics *out)
{
	const struct exits *x = state;
	mech_metrics_add(out, "exit_txs", (double)x->done);
	mech_metrics_add(out, "exit_l1_gas", x->ledger.l1_gas);
	mech_metrics_add(out, "exit_fees_eth", x->ledger.fees_eth);
	mech_metrics_add(out, "exits_pending_end",
			 (double)(x->withheld ? x->accounts - x->done : 0));
	out->failed = out->failed || lat_hist_failed(&x->lat);
	mech_metrics_max(out, "exit_latency_p50_s",
			 lat_hist_quantile(&x->lat, 0.5));
	mech_metrics_max(out, "exit_latency_p99_s",
			 lat_hist_quantile(&x->lat, 0.99));
}

static void ex_detach(void *state)
{
	struct exits *x = state;
	if (!x)
		return;
	l1poster_destroy(x->poster);
	lat_hist_release(&x->lat);
	free(x);
}

const struct mechanism mech_exits = {
	.name = "exits",
	.section = "exits",
	.keys = keys,
	.read = ex_read,
	.attach = ex_attach,
	.collect = ex_collect,
	.detach = ex_detach,
	.free_cfg = free,
	.fault_kind = "data_withholding",
	.set_down = ex_set_down,
};
