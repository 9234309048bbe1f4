/*
 * Proof aggregation (models/aggregation): round timing, the gas formulas,
 * equal shares, distinct ecosystems, the per-transaction limits, L1
 * inclusion and reorgs on a real chain, metrics and scenario checks.
 * Expected numbers are worked out by hand beside each check.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "support/testutil.h"

#include "l2sim/aggregation.h"
#include "l2sim/l1.h"


#define MAX_LOG 16

struct log {
	int n;
	int tag[MAX_LOG];
	struct agg_receipt r[MAX_LOG];
};

struct probe {
	struct log *log;
	int tag;
};

static void on_done(struct sim *sim, void *ctx, const struct agg_receipt *r)
{
	struct probe *p = ctx;

	assert_int_equal(r->included_at, sim_now(sim));
	assert_true(p->log->n < MAX_LOG);
	p->log->tag[p->log->n] = p->tag;
	p->log->r[p->log->n] = *r;
	p->log->n++;
}

/* The seam: a fake L1 that records transactions. */
struct fake_l1 {
	int n;
	struct l1_tx tx[8];
	sim_time_t at[8];
	struct sim *sim;
	int refuse;
};

static int fake_submit(void *ctx, const struct l1_tx *tx, uint64_t *tx_id,
		       struct l2s_error *err)
{
	struct fake_l1 *f = ctx;

	(void)err;
	if (f->refuse) {
		f->refuse--;
		return L2S_EINPUT;
	}
	assert_true(f->n < 8);
	f->tx[f->n] = *tx;
	f->at[f->n] = sim_now(f->sim);
	f->n++;
	if (tx_id)
		*tx_id = (uint64_t)f->n;
	return 0;
}

struct fx {
	struct scenario *scn;
	struct sim *sim;
	struct l1_chain *l1;
	struct agg_set *set;
	struct fake_l1 fake;
	struct l2s_error err;
};

/* Builds the set from scenario text; with 'real_l1' also the chain from
 * the scenario's "l1" object. */
static int fx_try(struct fx *f, const char *json, int real_l1)
{
	struct scn_obj root, l1o;
	int rc;

	memset(f, 0, sizeof(*f));
	rc = scenario_load_text("t.json", json, &f->scn, &f->err);
	if (rc)
		fail_msg("scenario: %s", f->err.msg);
	f->sim = sim_create(7, 0);
	assert_non_null(f->sim);
	root = scn_root(f->scn);
	if (real_l1) {
		assert_int_equal(scn_get_obj(&root, "l1", &l1o, NULL, &f->err),
				 0);
		rc = l1_create(f->sim, &l1o, &f->l1, &f->err);
		if (rc)
			fail_msg("l1_create: %s", f->err.msg);
		assert_int_equal(l1_start(f->l1), 0);
	}
	rc = aggregators_create(f->sim, f->l1, &root, &f->set, &f->err);
	if (!rc && !real_l1) {
		f->fake.sim = f->sim;
		agg_set_submit_fn(f->set, fake_submit, &f->fake);
	}
	return rc;
}

static void fx_close(struct fx *f)
{
	agg_set_destroy(f->set);
	l1_destroy(f->l1);
	sim_destroy(f->sim);
	scenario_destroy(f->scn);
}

struct act {
	struct aggregator *a;
	const char *eco;
	struct probe probe;
};

static void run_act(struct sim *sim, void *self, void *arg)
{
	struct act *a = self;

	(void)sim;
	(void)arg;
	assert_int_equal(agg_submit(a->a, a->eco, on_done, &a->probe), 0);
}

static void fake_include(struct fake_l1 *f, int i, sim_time_t t,
			 l1_u128 fee)
{
	struct l1_receipt r = {
		.tx_id = (uint64_t)i + 1, .included_at = t,
		.final_at = t + 768 * SIM_S, .gas_used = f->tx[i].gas,
		.fee_wei = fee, .fee_eth = (double)fee / 1e18,
	};

	f->tx[i].on_included(f->tx[i].ctx, &r);
}

/* Fires fake inclusion at an engine time (callbacks expect sim_now). */
struct incl {
	struct fake_l1 *f;
	int i;
	l1_u128 fee;
};

static void run_incl(struct sim *sim, void *self, void *arg)
{
	struct incl *in = self;

	(void)arg;
	fake_include(in->f, in->i, sim_now(sim), in->fee);
}

static const char *l15_json =
	"{\"aggregators\": [{\"name\": \"upa\", \"type\": \"l1.5\", "
	"\"interval\": \"60s\", \"latency\": \"30s\", \"base_gas\": 300001}]}";

/* Three systems submit at 10, 20 and 59 s; the round closes at 60 s and
 * after 30 s of aggregation ONE transaction of 300,001 + 3 * 20,000 =
 * 360,001 gas goes to L1 at 90 s.  Shares: 360,001 / 3 = 120,000 r 1, so
 * 120,001 / 120,000 / 120,000; a fee of 1,000 wei: 334 / 333 / 333. */
static void test_l15_round_seam(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act acts[3];
	struct aggregator *a;
	struct incl in;
	struct run_result *res;
	sim_time_t at[3] = { 10 * SIM_S, 20 * SIM_S, 59 * SIM_S };

	(void)state;
	assert_int_equal(fx_try(&f, l15_json, 0), 0);
	a = agg_find(f.set, "upa");
	assert_non_null(a);
	assert_int_equal(agg_type(a), AGG_L15);
	assert_null(agg_find(f.set, "nope"));
	for (int i = 0; i < 3; i++) {
		acts[i] = (struct act){ a, NULL, { &log, i } };
		sim_schedule(f.sim, at[i], run_act, &acts[i], NULL, NULL);
	}
	sim_run_until(f.sim, 89 * SIM_S);
	assert_int_equal(f.fake.n, 0);
	assert_int_equal(agg_pending(a), 3);
	sim_run_until(f.sim, 90 * SIM_S);
	assert_int_equal(f.fake.n, 1);
	assert_int_equal(f.fake.at[0], 90 * SIM_S);
	assert_int_equal(f.fake.tx[0].gas, 360001);
	assert_int_equal(f.fake.tx[0].blobs, 0);
	assert_int_equal(f.fake.tx[0].max_priority_fee_per_gas, 1000000000);

	in = (struct incl){ &f.fake, 0, 1000 };
	sim_schedule(f.sim, 96 * SIM_S, run_incl, &in, NULL, NULL);
	sim_run_until(f.sim, 100 * SIM_S);
	assert_int_equal(log.n, 3);
	for (int i = 0; i < 3; i++) {
		assert_int_equal(log.tag[i], i);
		assert_string_equal(log.r[i].aggregator, "upa");
		assert_int_equal(log.r[i].submitted_at, at[i]);
		assert_int_equal(log.r[i].closed_at, 60 * SIM_S);
		assert_int_equal(log.r[i].included_at, 96 * SIM_S);
		assert_int_equal(log.r[i].final_at, 864 * SIM_S);
		assert_int_equal(log.r[i].tx_gas, 360001);
		assert_int_equal(log.r[i].proofs, 3);
		assert_int_equal(log.r[i].inclusion, 1);
	}
	assert_int_equal(log.r[0].gas_share, 120001);
	assert_int_equal(log.r[1].gas_share, 120000);
	assert_int_equal(log.r[2].gas_share, 120000);
	assert_true(log.r[0].fee_share_wei == 334);
	assert_true(log.r[1].fee_share_wei == 333);
	assert_true(log.r[2].fee_share_wei == 333);
	assert_int_equal(agg_pending(a), 0);

	res = run_result_create();
	agg_collect(f.set, res);
	assert_near(res_metric_get(res, "upa", "rounds"), 1, 0);
	assert_near(res_metric_get(res, "upa", "proofs"), 3, 0);
	assert_near(res_metric_get(res, "upa", "l1_gas_total"), 360001, 0);
	assert_near(res_metric_get(res, "upa", "gas_per_proof"),
		    360001.0 / 3, 1e-9);
	assert_near(res_metric_get(res, "upa", "cost_eth"), 1e-15, 1e-24);
	run_result_destroy(res);
	fx_close(&f);
}

/* Ecosystem aggregation: proofs from A, B, A, C in one round: 300,000 +
 * 3 distinct * 500,000 = 1,800,000 gas, 450,000 per proof. */
static void test_ecosystem_distinct(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act acts[4];
	const char *eco[4] = { "A", "B", "A", "C" };
	struct aggregator *a;
	struct incl in;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"aggregators\": [{\"name\": \"eco\", "
				    "\"type\": \"ecosystem\", "
				    "\"interval\": \"10m\", "
				    "\"latency\": 0}]}", 0),
			 0);
	a = agg_find(f.set, "eco");
	assert_int_equal(agg_tx_gas(a, 4, 3), 1800000);
	/* type checks of agg_submit */
	assert_int_equal(agg_submit(a, NULL, on_done, NULL), L2S_EINPUT);
	for (int i = 0; i < 4; i++) {
		acts[i] = (struct act){ a, eco[i], { &log, i } };
		sim_schedule(f.sim, i * SIM_S, run_act, &acts[i], NULL, NULL);
	}
	sim_run_until(f.sim, 10 * SIM_MIN);
	assert_int_equal(f.fake.n, 1);
	assert_int_equal(f.fake.at[0], 10 * SIM_MIN);
	assert_int_equal(f.fake.tx[0].gas, 1800000);
	in = (struct incl){ &f.fake, 0, 0 };
	sim_schedule(f.sim, 10 * SIM_MIN + 12 * SIM_S, run_incl, &in, NULL,
		     NULL);
	sim_run_until(f.sim, 11 * SIM_MIN);
	assert_int_equal(log.n, 4);
	for (int i = 0; i < 4; i++) {
		assert_int_equal(log.r[i].gas_share, 450000);
		assert_int_equal(log.r[i].ecosystems, 3);
		assert_int_equal(log.r[i].proofs, 4);
	}
	fx_close(&f);
}

/* max_proofs 2: three proofs at t=1 s; the round at 60 s takes the first
 * two, the third waits for the round at 120 s.  A refused transaction
 * puts its proofs back for the next round. */
static void test_limits_and_refusal(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act acts[3];
	struct aggregator *a;
	struct run_result *res;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"aggregators\": [{\"name\": \"u\", "
				    "\"type\": \"l1.5\", \"interval\": 60, "
				    "\"latency\": 0, \"max_proofs\": 2}]}", 0),
			 0);
	a = agg_find(f.set, "u");
	for (int i = 0; i < 3; i++) {
		acts[i] = (struct act){ a, NULL, { &log, i } };
		sim_schedule(f.sim, SIM_S, run_act, &acts[i], NULL, NULL);
	}
	sim_run_until(f.sim, 60 * SIM_S);
	assert_int_equal(f.fake.n, 1);
	assert_int_equal(f.fake.tx[0].gas, 300000 + 2 * 20000);
	assert_int_equal(agg_pending(a), 3);  /* 2 on L1, 1 waiting */
	f.fake.refuse = 1;
	sim_run_until(f.sim, 120 * SIM_S);
	assert_int_equal(f.fake.n, 1);        /* refused at 120 s */
	assert_int_equal(agg_pending(a), 3);
	sim_run_until(f.sim, 180 * SIM_S);
	assert_int_equal(f.fake.n, 2);
	assert_int_equal(f.fake.at[1], 180 * SIM_S);
	assert_int_equal(f.fake.tx[1].gas, 320000);
	res = run_result_create();
	agg_collect(f.set, res);
	assert_near(res_metric_get(res, "u", "submit_failures"), 1, 0);
	assert_near(res_metric_get(res, "u", "proofs_pending_end"), 3, 0);
	run_result_destroy(res);
	fx_close(&f);
}

/* A proof arriving exactly at a round boundary with no round open opens
 * the next one (strictly after); arriving while a close at that instant
 * is pending, it joins. */
static void test_boundary(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act a1, a2, a3;
	struct aggregator *a;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"aggregators\": [{\"name\": \"u\", "
				    "\"type\": \"l1.5\", \"interval\": 60, "
				    "\"latency\": 0}]}", 0),
			 0);
	a = agg_find(f.set, "u");
	a1 = (struct act){ a, NULL, { &log, 1 } };
	a2 = (struct act){ a, NULL, { &log, 2 } };
	a3 = (struct act){ a, NULL, { &log, 3 } };
	/* at 0: opens the round closing at 60 */
	sim_schedule(f.sim, 0, run_act, &a1, NULL, NULL);
	sim_run_until(f.sim, 59 * SIM_S);
	/* scheduled now, at 60, after the close event: a later round */
	sim_schedule(f.sim, 60 * SIM_S, run_act, &a2, NULL, NULL);
	sim_run_until(f.sim, 60 * SIM_S);
	assert_int_equal(f.fake.n, 1);
	assert_int_equal(f.fake.tx[0].gas, 320000);
	sim_schedule(f.sim, 65 * SIM_S, run_act, &a3, NULL, NULL);
	sim_run_until(f.sim, 120 * SIM_S);
	assert_int_equal(f.fake.n, 2);
	assert_int_equal(f.fake.at[1], 120 * SIM_S);
	assert_int_equal(f.fake.tx[1].gas, 340000);
	fx_close(&f);
}

static const char *real_json =
	"{\"l1\": {\"fork\": \"pectra\", \"initial_base_fee\": \"1gwei\","
	" \"background\": {\"gas\": {\"dist\": \"constant\", \"mean\": 0},"
	" \"blobs\": {\"dist\": \"constant\", \"mean\": 0}}},"
	" \"aggregators\": [{\"name\": \"upa\", \"type\": \"l1.5\","
	" \"interval\": \"60s\", \"latency\": \"30s\"},"
	" {\"name\": \"solo\", \"type\": \"independent\"}]}";

struct blocks {
	int n;
	int64_t slot[16];
	uint64_t base_fee[16];
	int64_t gas[16];
};

static void on_block(void *ctx, const struct l1_block *b)
{
	struct blocks *bl = ctx;

	if (bl->n < 16 && b->gas_used > 0) {
		bl->slot[bl->n] = b->slot;
		bl->base_fee[bl->n] = b->base_fee;
		bl->gas[bl->n] = b->gas_used;
		bl->n++;
	}
}

/* On a real chain: three proofs, one 360,000-gas transaction submitted at
 * 90 s, included in slot 8 (96 s), final 64 slots later (864 s).  With no
 * background the only gas in the block is ours; fee = 360,000 * (base fee
 * + 1 gwei tip), split in three.  A reorg of depth 1 at 100 s re-includes
 * it at 108 s (inclusion 2). */
static void test_real_l1(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act acts[3];
	struct blocks bl = { 0 };
	struct aggregator *a;
	struct run_result *res;
	l1_u128 fee, sum = 0;

	(void)state;
	assert_int_equal(fx_try(&f, real_json, 1), 0);
	assert_int_equal(l1_on_block(f.l1, on_block, &bl), 0);
	a = agg_find(f.set, "upa");
	assert_int_equal(agg_submit(agg_find(f.set, "solo"), NULL, on_done,
				    NULL),
			 L2S_EINPUT);
	assert_int_equal(agg_submit(a, "eco", on_done, NULL), L2S_EINPUT);
	for (int i = 0; i < 3; i++) {
		acts[i] = (struct act){ a, NULL, { &log, i } };
		sim_schedule(f.sim, (10 + i) * SIM_S, run_act, &acts[i], NULL,
			     NULL);
	}
	sim_run_until(f.sim, 100 * SIM_S);
	assert_int_equal(log.n, 3);
	assert_int_equal(bl.n, 1);
	assert_int_equal(bl.slot[0], 8);
	assert_int_equal(bl.gas[0], 360000);
	fee = (l1_u128)360000 * (bl.base_fee[0] + UINT64_C(1000000000));
	for (int i = 0; i < 3; i++) {
		assert_int_equal(log.r[i].included_at, 96 * SIM_S);
		/* Slot 8: Casper FFG final at the start of slot 96. */
		assert_int_equal(log.r[i].final_at, 1152 * SIM_S);
		assert_int_equal(log.r[i].gas_share, 120000);
		sum += log.r[i].fee_share_wei;
	}
	assert_true(sum == fee);

	assert_int_equal(l1_reorg(f.l1, 1), 1);
	res = run_result_create();
	agg_collect(f.set, res);
	assert_near(res_metric_get(res, "upa", "rounds"), 0, 0);
	run_result_destroy(res);
	assert_int_equal(agg_pending(a), 3);

	sim_run_until(f.sim, 110 * SIM_S);
	assert_int_equal(log.n, 6);
	assert_int_equal(log.r[3].inclusion, 2);
	assert_int_equal(log.r[3].included_at, 108 * SIM_S);

	sim_run_until(f.sim, 1200 * SIM_S);  /* final: the round is freed */
	res = run_result_create();
	agg_collect(f.set, res);
	assert_near(res_metric_get(res, "upa", "rounds"), 1, 0);
	assert_near(res_metric_get(res, "upa", "proofs"), 3, 0);
	assert_near(res_metric_get(res, "upa", "l1_gas_total"), 360000, 0);
	assert_near(res_metric_get(res, "upa", "gas_per_proof"), 120000, 0);
	assert_true(res_metric_get(res, "upa", "cost_eth") > 0);
	/* independent aggregators report nothing */
	assert_true(res_metric_get(res, "solo", "rounds") !=
		    res_metric_get(res, "solo", "rounds"));
	run_result_destroy(res);
	assert_int_equal(agg_pending(a), 0);
	fx_close(&f);
}


/* ---- proof trees, split rounds, composers -------------------------------- */

/* Tree shapes by hand: fan-in 32 over 820 proofs: 32 < 820 <= 1,024, depth
 * 2, with ceil(820/32) = 26 nodes at level 1 and 1 at level 2; fan-in 4
 * over 65: 4^3 = 64 < 65, depth 4 (17, 5, 2, 1 nodes).  A level of 26
 * nodes on 4 provers at 2 min each: ceil(26/4) = 7 waves, 14 min; with
 * 64 provers (or unlimited) one wave, 2 min. */
static void test_tree_shape(void **state)
{
	(void)state;
	assert_int_equal(agg_tree_depth(32, 1), 1);
	assert_int_equal(agg_tree_depth(32, 32), 1);
	assert_int_equal(agg_tree_depth(32, 33), 2);
	assert_int_equal(agg_tree_depth(32, 820), 2);
	assert_int_equal(agg_tree_depth(32, 1025), 3);
	assert_int_equal(agg_tree_depth(4, 64), 3);
	assert_int_equal(agg_tree_depth(4, 65), 4);
	assert_int_equal(agg_tree_depth(0, 1000), 1);
	assert_int_equal(agg_tree_nodes(32, 820, 1), 26);
	assert_int_equal(agg_tree_nodes(32, 820, 2), 1);
	assert_int_equal(agg_tree_nodes(4, 65, 1), 17);
	assert_int_equal(agg_tree_nodes(4, 65, 2), 5);
	assert_int_equal(agg_tree_nodes(4, 65, 3), 2);
	assert_int_equal(agg_tree_nodes(4, 65, 4), 1);
	assert_int_equal(agg_level_time(2 * SIM_MIN, 4, 26), 14 * SIM_MIN);
	assert_int_equal(agg_level_time(2 * SIM_MIN, 64, 26), 2 * SIM_MIN);
	assert_int_equal(agg_level_time(2 * SIM_MIN, 0, 26), 2 * SIM_MIN);
	assert_int_equal(agg_level_time(2 * SIM_MIN, 4, 4), 2 * SIM_MIN);
	assert_int_equal(agg_level_time(2 * SIM_MIN, 4, 5), 4 * SIM_MIN);
}

static void count_done(struct sim *sim, void *ctx, const struct agg_receipt *r)
{
	int *n = ctx;
	(void)sim;
	(void)r;
	(*n)++;
}

/*
 * A tree of fan-in 2 and two levels holds at most 4 proofs: six proofs at
 * 1 s make two transactions at the 60 s close, of 4 proofs (depth 2) and
 * 2 (depth 1): 300,000 + 4 x 20,000 = 380,000 and 340,000 gas.  Level 1
 * has ceil(4/2) + ceil(2/2) = 3 nodes on 2 provers at 10 s: 2 waves, 20 s;
 * level 2 has 1 node at 20 s: both transactions go to L1 at 60 + 40 =
 * 100 s.  The next round (six more at 61 s, close 120 s) finds level 1
 * free again (since 80 s): also at 160 s.
 */
static const char *tree_json =
	"{\"aggregators\": [{\"name\": \"t\", \"type\": \"l1.5\", "
	"\"interval\": \"60s\", \"fan_in\": 2, \"levels\": ["
	"{\"latency\": \"10s\", \"provers\": 2}, {\"latency\": \"20s\"}]}]}";

static void test_tree_round(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act acts[12];
	struct aggregator *a;
	struct incl in[2];
	struct run_result *res;

	(void)state;
	assert_int_equal(fx_try(&f, tree_json, 0), 0);
	a = agg_find(f.set, "t");
	for (int i = 0; i < 12; i++) {
		acts[i] = (struct act){ a, NULL, { &log, i } };
		sim_schedule(f.sim, (i < 6 ? 1 : 61) * SIM_S, run_act,
			     &acts[i], NULL, NULL);
	}
	sim_run_until(f.sim, 99 * SIM_S);
	assert_int_equal(f.fake.n, 0);
	sim_run_until(f.sim, 100 * SIM_S);
	assert_int_equal(f.fake.n, 2);
	assert_int_equal(f.fake.at[0], 100 * SIM_S);
	assert_int_equal(f.fake.at[1], 100 * SIM_S);
	assert_int_equal(f.fake.tx[0].gas, 380000);
	assert_int_equal(f.fake.tx[1].gas, 340000);
	for (int i = 0; i < 2; i++) {
		in[i] = (struct incl){ &f.fake, i, 0 };
		sim_schedule(f.sim, 108 * SIM_S, run_incl, &in[i], NULL, NULL);
	}
	sim_run_until(f.sim, 110 * SIM_S);
	assert_int_equal(log.n, 6);
	for (int i = 0; i < 6; i++) {
		assert_int_equal(log.tag[i], i);
		assert_int_equal(log.r[i].levels, i < 4 ? 2 : 1);
		assert_int_equal(log.r[i].round_txs, 2);
		assert_int_equal(log.r[i].gas_share, i < 4 ? 95000 : 170000);
	}
	sim_run_until(f.sim, 160 * SIM_S);
	assert_int_equal(f.fake.n, 4);
	assert_int_equal(f.fake.at[2], 160 * SIM_S);
	res = run_result_create();
	agg_collect(f.set, res);
	assert_near(res_metric_get(res, "t", "proof_levels"), 2, 0);
	assert_near(res_metric_get(res, "t", "rounds_closed"), 2, 0);
	assert_near(res_metric_get(res, "t", "rounds_split"), 2, 0);
	assert_near(res_metric_get(res, "t", "rounds"), 2, 0);
	run_result_destroy(res);
	fx_close(&f);
}

/* A level with 1 prover is busy across rounds: fan-in 2, one level of
 * 90 s on 1 prover.  Round 1 (2 proofs at 1 s, close 60 s) proves until
 * 150 s; round 2 (2 proofs at 61 s, close 120 s) waits for the prover
 * and goes to L1 at 150 + 90 = 240 s. */
static void test_tree_level_busy(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act acts[4];
	struct aggregator *a;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"aggregators\": [{\"name\": \"t\", "
				    "\"type\": \"l1.5\", \"interval\": 60, "
				    "\"fan_in\": 2, \"levels\": [{\"latency\": "
				    "90, \"provers\": 1}]}]}", 0),
			 0);
	a = agg_find(f.set, "t");
	for (int i = 0; i < 4; i++) {
		acts[i] = (struct act){ a, NULL, { &log, i } };
		sim_schedule(f.sim, (i < 2 ? 1 : 61) * SIM_S, run_act,
			     &acts[i], NULL, NULL);
	}
	sim_run_until(f.sim, 300 * SIM_S);
	assert_int_equal(f.fake.n, 2);
	assert_int_equal(f.fake.at[0], 150 * SIM_S);
	assert_int_equal(f.fake.at[1], 240 * SIM_S);
	fx_close(&f);
}

/*
 * Over the gas cap on a real chain (the default fork caps a transaction
 * at 2^24 = 16,777,216 gas, EIP-7825): 1,000 proofs with the defaults fit
 * (16,777,216 - 300,000) / 20,000 = 823 per transaction: the round splits
 * into 823 + 177 proofs, 300,000 + 823 x 20,000 = 16,760,000 and
 * 300,000 + 177 x 20,000 = 3,840,000 gas: 20,600,000 in all.  Both are
 * included; every proof settles.
 */
static void test_split_over_gas_cap(void **state)
{
	struct fx f;
	struct aggregator *a;
	struct run_result *res;
	int done = 0;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"l1\": {}, \"aggregators\": [{"
				    "\"name\": \"u\", \"type\": \"l1.5\", "
				    "\"interval\": 60, \"latency\": 0}]}", 1),
			 0);
	assert_int_equal(l1_max_tx_gas(f.l1), 16777216);
	a = agg_find(f.set, "u");
	for (int i = 0; i < 1000; i++)
		assert_int_equal(agg_submit(a, NULL, count_done, &done), 0);
	sim_run_until(f.sim, 200 * SIM_S);
	assert_int_equal(done, 1000);
	res = run_result_create();
	agg_collect(f.set, res);
	assert_near(res_metric_get(res, "u", "rounds"), 2, 0);
	assert_near(res_metric_get(res, "u", "rounds_split"), 1, 0);
	assert_near(res_metric_get(res, "u", "l1_gas_total"), 20600000, 0);
	assert_near(res_metric_get(res, "u", "gas_per_proof"), 20600, 0);
	assert_near(res_metric_get(res, "u", "proofs_pending_end"), 0, 0);
	run_result_destroy(res);
	fx_close(&f);
}

/*
 * A composer of members A and B: atomic, so the round at 60 s (only A's
 * proof waiting) waits; B's proof at 70 s completes the set and the round
 * at 120 s settles both in one transaction of base_gas 300,000 (one
 * composed state: no per-proof gas), 150,000 each.
 */
static void test_composer(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act acts[2];
	struct aggregator *a;
	struct run_result *res;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"aggregators\": [{\"name\": \"c\", "
				    "\"type\": \"composer\", \"interval\": 60, "
				    "\"latency\": 0}]}", 0),
			 0);
	a = agg_find(f.set, "c");
	assert_int_equal(agg_type(a), AGG_COMPOSER);
	assert_int_equal(agg_join(a, "A"), 0);
	assert_int_equal(agg_join(a, "B"), 0);
	assert_int_equal(agg_members(a), 2);
	assert_int_equal(agg_submit(a, NULL, on_done, NULL), L2S_EINPUT);
	acts[0] = (struct act){ a, "A", { &log, 0 } };
	acts[1] = (struct act){ a, "B", { &log, 1 } };
	sim_schedule(f.sim, SIM_S, run_act, &acts[0], NULL, NULL);
	sim_schedule(f.sim, 70 * SIM_S, run_act, &acts[1], NULL, NULL);
	sim_run_until(f.sim, 119 * SIM_S);
	assert_int_equal(f.fake.n, 0);
	sim_run_until(f.sim, 120 * SIM_S);
	assert_int_equal(f.fake.n, 1);
	assert_int_equal(f.fake.tx[0].gas, 300000);
	fake_include(&f.fake, 0, 120 * SIM_S, 0);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.r[0].gas_share, 150000);
	assert_int_equal(log.r[1].gas_share, 150000);
	res = run_result_create();
	agg_collect(f.set, res);
	assert_near(res_metric_get(res, "c", "rounds_waited"), 1, 0);
	assert_near(res_metric_get(res, "c", "members"), 2, 0);
	run_result_destroy(res);
	fx_close(&f);
}

static void expect_error(const char *json, int real_l1, const char *msg,
			 const char *hint);

static void test_tree_errors(void **state)
{
	(void)state;
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": \"l1.5\","
		     " \"fan_in\": 4}]}", 0, "'fan_in' needs 'levels'", NULL);
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": \"l1.5\","
		     " \"levels\": [{}]}]}", 0, "'levels' needs 'fan_in'", NULL);
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": \"l1.5\","
		     " \"fan_in\": 4, \"latency\": 5, \"levels\": [{}]}]}", 0,
		     "a latency per level", NULL);
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": \"l1.5\","
		     " \"fan_in\": 1, \"levels\": [{}]}]}", 0, "fan_in", NULL);
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": \"l1.5\","
		     " \"fan_in\": 4, \"levels\": []}]}", 0, "0 levels", NULL);
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": \"l1.5\","
		     " \"fan_in\": 4, \"levels\": [{\"latncy\": 5}]}]}", 0,
		     "unknown key 'latncy'", "latency");
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": "
		     "\"composer\", \"per_proof_gas\": 5}]}", 0,
		     "no effect on a composer", NULL);
}

static void expect_error(const char *json, int real_l1, const char *msg,
			 const char *hint)
{
	struct fx f;

	assert_int_equal(fx_try(&f, json, real_l1), L2S_EINPUT);
	if (!strstr(f.err.msg, msg))
		fail_msg("message '%s' lacks '%s'", f.err.msg, msg);
	if (hint && !strstr(f.err.hint, hint))
		fail_msg("hint '%s' lacks '%s'", f.err.hint, hint);
	assert_null(f.set);
	fx_close(&f);
}

static void test_errors(void **state)
{
	(void)state;
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": \"l1.5\","
		     " \"intervall\": 60}]}", 0, "unknown key 'intervall'",
		     "interval");
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": \"l15\"}]}",
		     0, "unknown type 'l15'", "l1.5");
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": \"l1.5\"},"
		     " {\"name\": \"a\", \"type\": \"ecosystem\"}]}", 0,
		     "duplicate aggregator name 'a'", NULL);
	expect_error("{\"aggregators\": [{\"type\": \"l1.5\"}]}", 0,
		     "missing key 'name'", NULL);
	expect_error("{\"aggregators\": [{\"name\": \"all\", \"type\": \"l1.5\"}]}",
		     0, "reserved", NULL);
	expect_error("{\"aggregators\": [{\"name\": \"a\", \"type\": \"l1.5\","
		     " \"max_fee_per_gas\": \"1gwei\","
		     " \"max_priority_fee_per_gas\": \"2gwei\"}]}", 0,
		     "exceeds", NULL);
	/* bpo2 (the L1 default) caps a transaction at 2^24 gas (EIP-7825) */
	expect_error("{\"l1\": {}, \"aggregators\": [{\"name\": \"a\","
		     " \"type\": \"ecosystem\", \"base_gas\": 16500000}]}", 1,
		     "more than an L1 transaction may use", "per_ecosystem_gas");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_l15_round_seam),
		cmocka_unit_test(test_ecosystem_distinct),
		cmocka_unit_test(test_limits_and_refusal),
		cmocka_unit_test(test_boundary),
		cmocka_unit_test(test_real_l1),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_tree_shape),
		cmocka_unit_test(test_tree_round),
		cmocka_unit_test(test_tree_level_busy),
		cmocka_unit_test(test_split_over_gas_cap),
		cmocka_unit_test(test_composer),
		cmocka_unit_test(test_tree_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
