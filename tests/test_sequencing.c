/*
 * Sequencing and composability (models/sequencer/consensus.c, the shared
 * sequencer's bundles, models/mechanisms/ordering.c, rotation.c,
 * cross_system.c) against hand calculations:
 *
 *  - the BFT round-time model: fixed part, per-transaction part, the
 *    steady round under a load and the saturated round;
 *  - bundles of two shared-sequencer members sharing a short capacity;
 *  - the second-price auction and the time a rotation epoch loses, alone
 *    and in a world;
 *  - where MEV goes under each ordering policy, on a bare sequencer;
 *  - message delivery through L1 relays, per message and batched, and
 *    block by block: one block after the source's posting;
 *  - settings that have no effect where they are given are errors.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l2sim/batcher.h"
#include "l2sim/mechanism.h"
#include "l2sim/sequencer.h"
#include "l2sim/system.h"
#include "l2sim/world.h"
#include "support/testutil.h"
#include "support/world_run.h"

/* ---- the consensus round ------------------------------------------------- */

static struct seq_bft_cfg hand_cfg(void)
{
	return (struct seq_bft_cfg){
		.validators = 100, .base_round = SIM_S,
		.vote_cost = 100 * SIM_US, .member_cost = 10 * SIM_MS,
		.bandwidth = 1000000000, .dissemination = SEQ_BFT_BROADCAST,
		.erasure_expansion = 3, .max_block_bytes = 1000000,
		.exec_gas_rate = 0, .decide_rounds = 3,
	};
}

/*
 * V = 100, M = 10: a = 1 + 100 x 0.1 ms + 10 x 10 ms = 1.11 s.
 * 150-byte transactions sent to 99 validators at 1 GB/s:
 * c = 150 x 99 / 1e9 = 14.85 us.  n_max = floor(1e6 / 150) = 6,666.
 *  - 1,000 tx/s: R = 1.11 / (1 - 0.01485) = 1.126732984 s, 1,126.73 txs;
 *  - full block: R = 1.11 + 6,666 x 14.85 us = 1.2089901 s, capacity
 *    6,666 / 1.2089901 = 5,513.69 tx/s;
 *  - 10,000 tx/s: the steady round would be 1.11 / 0.8515 = 1.3036 s
 *    carrying 13,036 > 6,666: saturated, R = 1.2089901 s;
 *  - 70,000 tx/s: load 1.0395 >= 1: saturated.
 * Erasure coding (x3): c = 450 / 1e9 = 0.45 us.  Execution at 100 Mgas/s
 * of 100,000-gas transactions adds 1 ms a transaction.
 */
static void test_bft_round(void **state)
{
	(void)state;
	struct seq_bft_cfg c = hand_cfg();
	assert_near(seq_bft_fixed_s(&c, 10), 1.11, 1e-12);
	assert_near(seq_bft_per_tx_s(&c, 150, 21000), 14.85e-6, 1e-15);
	struct seq_bft_round r;
	seq_bft_round(&c, 10, 1000, 150, 21000, &r);
	assert_false(r.saturated);
	assert_near(r.round_s, 1.11 / (1 - 0.01485), 1e-12);
	assert_near(r.txs, 1000 * 1.11 / (1 - 0.01485), 1e-9);
	assert_near(r.capacity_tps, 6666 / 1.2089901, 1e-6);
	seq_bft_round(&c, 10, 10000, 150, 21000, &r);
	assert_true(r.saturated);
	assert_near(r.round_s, 1.2089901, 1e-12);
	assert_near(r.txs, 6666, 0);
	seq_bft_round(&c, 10, 70000, 150, 21000, &r);
	assert_true(r.saturated);
	/* More members, longer rounds: each adds 10 ms. */
	seq_bft_round(&c, 20, 1000, 150, 21000, &r);
	assert_near(r.round_s, 1.21 / (1 - 0.01485), 1e-12);
	/* More validators: 200 adds 10 ms of votes and doubles the sends. */
	c.validators = 200;
	assert_near(seq_bft_per_tx_s(&c, 150, 0), 150 * 199 / 1e9, 1e-15);
	assert_near(seq_bft_fixed_s(&c, 10), 1.12, 1e-12);
	c = hand_cfg();
	c.dissemination = SEQ_BFT_ERASURE;
	assert_near(seq_bft_per_tx_s(&c, 150, 0), 0.45e-6, 1e-15);
	c.exec_gas_rate = 100000000;
	assert_near(seq_bft_per_tx_s(&c, 150, 100000), 0.45e-6 + 1e-3, 1e-12);
}

/* The documented defaults, and a key that has no effect. */
static void test_bft_read(void **state)
{
	(void)state;
	struct scenario *scn;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(scenario_load_text("t.json", "{\"a\": {}, \"b\": "
		"{\"erasure_expansion\": 2}, \"c\": {\"dissemination\": "
		"\"erasure\", \"erasure_expansion\": 2, \"validators\": 10}}",
		&scn, &err), 0);
	struct scn_obj root = scn_root(scn), o;
	struct seq_bft_cfg c;
	assert_int_equal(scn_get_obj(&root, "a", &o, NULL, &err), 0);
	assert_int_equal(seq_bft_read(&o, &c, &err), 0);
	assert_int_equal(c.validators, 100);
	assert_int_equal(c.base_round, SIM_S);
	assert_int_equal(c.vote_cost, 114 * SIM_US);
	assert_int_equal(c.member_cost, 5 * SIM_MS);
	assert_int_equal(c.bandwidth, 1100000000);
	assert_int_equal(c.max_block_bytes, 1000000);
	assert_int_equal(c.decide_rounds, 3);
	assert_int_equal(c.exec_gas_rate, 0);
	assert_int_equal(scn_get_obj(&root, "b", &o, NULL, &err), 0);
	assert_int_equal(seq_bft_read(&o, &c, &err), L2S_EINPUT);
	assert_non_null(strstr(err.path, "erasure_expansion"));
	assert_int_equal(scn_get_obj(&root, "c", &o, NULL, &err), 0);
	assert_int_equal(seq_bft_read(&o, &c, &err), 0);
	assert_int_equal(c.dissemination, SEQ_BFT_ERASURE);
	assert_near(c.erasure_expansion, 2, 0);
	scenario_destroy(scn);
}

/* ---- bundles on a shared sequencer ---------------------------------------- */

/*
 * Members A (100 waiting) and B (300) of a shared sequencer of 200 tx/s,
 * a 1 s tick: 200 of 400 waiting are served, in proportion: A 50, B 150.
 * A's bundles' other legs wait with B, whose demand is half served: of
 * A's 0.2 x 50 = 10 bundles 5 are atomic and 5 fail.  B's 0.2 x 150 = 30
 * bundles depend on A (50 of 100 served): 15 and 15.  A second tick serves
 * everything left (50 + 150 < 200): A's 0.2 x 50 = 10 bundles and B's 30
 * are all atomic.
 */
static void test_bundles(void **state)
{
	(void)state;
	struct sim *sim = sim_create(1, 0);
	struct shared_seq_cfg sc = {.capacity = 200 * SCN_RATE_ONE,
				    .mempool_limit = 1000000,
				    .block_time = SIM_S,
				    .consensus_latency = SIM_S};
	snprintf(sc.name, sizeof(sc.name), "ss");
	struct shared_seq *ss = shared_seq_create(sim, &sc);
	static const struct tx_kind_params kinds[TX_KINDS];
	struct seq_cfg cfg = {.type = SEQ_SHARED};
	struct sequencer *a = seq_create(sim, &cfg, ss, kinds, 0);
	struct sequencer *b = seq_create(sim, &cfg, ss, kinds, 0);
	assert_non_null(a);
	assert_non_null(b);
	seq_set_bundle_share(a, 0.2);
	seq_set_bundle_share(b, 0.2);
	struct cohort ca = {.arrived = 0, .n = {100}, .total = 100};
	struct cohort cb = {.arrived = 0, .n = {300}, .total = 300};
	seq_arrive(a, &ca, 0);
	seq_arrive(b, &cb, 0);
	shared_seq_tick(ss, 0, SIM_S);
	uint64_t ok, failed;
	seq_bundles(a, &ok, &failed);
	assert_int_equal(ok, 5);
	assert_int_equal(failed, 5);
	seq_bundles(b, &ok, &failed);
	assert_int_equal(ok, 15);
	assert_int_equal(failed, 15);
	shared_seq_tick(ss, SIM_S, 2 * SIM_S);
	seq_bundles(a, &ok, &failed);
	assert_int_equal(ok, 15);
	assert_int_equal(failed, 5);
	seq_bundles(b, &ok, &failed);
	assert_int_equal(ok, 45);
	assert_int_equal(failed, 15);
	assert_int_equal(seq_stats(a)->sequenced, 100);
	assert_int_equal(seq_stats(b)->sequenced, 300);
	seq_destroy(a);
	seq_destroy(b);
	shared_seq_destroy(ss);
	sim_destroy(sim);
}

/* ---- auction and rotation -------------------------------------------------- */

static void test_auction_and_rotation(void **state)
{
	(void)state;
	double price;
	const double bids[] = {3, 7, 5};
	assert_int_equal(mech_auction_clear(bids, 3, &price), 1);
	assert_near(price, 5, 0);
	const double tie[] = {4, 4, 1};
	assert_int_equal(mech_auction_clear(tie, 3, &price), 0);
	assert_near(price, 4, 0);
	const double one[] = {9};
	assert_int_equal(mech_auction_clear(one, 1, &price), 0);
	assert_near(price, 0, 0);
	/* A 600 s epoch, 2 s hand-over, 30 s fail-over, 5 operators. */
	sim_time_t e = 600 * SIM_S, g = 2 * SIM_S, t = 30 * SIM_S;
	assert_int_equal(mech_rotation_lost(e, g, t, 0, 5), 2 * SIM_S);
	assert_int_equal(mech_rotation_lost(e, g, t, 2, 5), 62 * SIM_S);
	assert_int_equal(mech_rotation_lost(e, g, t, 5, 5), e);
	assert_int_equal(mech_rotation_lost(e, g, t, 30, 100), e);
}

/* ---- ordering and MEV ------------------------------------------------------- */

static const struct mechanism *find_mech(const char *name)
{
	for (size_t i = 0; mech_registry[i]; i++)
		if (!strcmp(mech_registry[i]->name, name))
			return mech_registry[i];
	fail_msg("no mechanism %s", name);
	return NULL;
}

static double metric(const struct mech_metrics *m, const char *name)
{
	for (size_t i = 0; i < m->n; i++)
		if (!strcmp(m->name[i], name))
			return mech_metrics_value(m, i);
	fail_msg("no metric %s", name);
	return NAN;
}

/*
 * 100 swaps at 100,000 gwei of MEV each and 50 transfers at none:
 * 0.01 ETH extracted.  fcfs: all to searchers.  priority (searchers keep
 * 10 %): 0.009 to the sequencer (and its revenue), 0.001 to searchers.
 * auction: 0.009 to the system; every soft confirmation 200 ms later.
 * based: the L1 proposer orders, 0.009 to L1.
 */
static void run_policy(const char *policy, enum seq_type type,
		       double want[4], double *p50)
{
	char json[256];
	snprintf(json, sizeof(json), "{\"ordering\": {\"policy\": \"%s\", "
		 "\"mev\": {\"swap\": \"100000gwei\"}}}", policy);
	struct scenario *scn;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(scenario_load_text("t.json", json, &scn, &err), 0);
	struct scn_obj root = scn_root(scn), o;
	assert_int_equal(scn_get_obj(&root, "ordering", &o, NULL, &err), 0);
	const struct mechanism *mo = find_mech("ordering");
	void *cfg = NULL, *st = NULL;
	assert_int_equal(mo->read(&o, &cfg, &err), 0);
	struct sim *sim = sim_create(1, 0);
	static struct tx_kind_params kinds[TX_KINDS];
	struct seq_cfg sc = {.type = type, .capacity = 1000 * SCN_RATE_ONE,
			     .mempool_limit = 1000000, .block_time = 2 * SIM_S};
	struct sequencer *seq = seq_create(sim, &sc, NULL, kinds, 0);
	struct mech_parts parts = {.name = "s", .sim = sim, .seq = seq};
	assert_int_equal(mo->attach(cfg, &parts, &st, &err), 0);
	struct cohort c = {.arrived = 6 * SIM_S, .n = {50, 0, 100},
			   .total = 150};
	seq_arrive(seq, &c, 0);
	if (type == SEQ_BASED)
		seq_based_block(seq, 0, 12 * SIM_S);
	else
		seq_tick(seq, 0, 12 * SIM_S);
	struct mech_metrics m = {0};
	mo->collect(st, &m);
	assert_near(metric(&m, "mev_eth"), 0.01, 1e-15);
	assert_near(metric(&m, "mev_to_sequencer_eth"), want[0], 1e-15);
	assert_near(metric(&m, "mev_to_system_eth"), want[1], 1e-15);
	assert_near(metric(&m, "mev_to_searchers_eth"), want[2], 1e-15);
	assert_near(metric(&m, "mev_to_l1_eth"), want[3], 1e-15);
	assert_near(seq_revenue(seq), want[0], 1e-15);
	*p50 = lat_hist_quantile(seq_latency(seq), 0.5);
	mo->detach(st);
	mo->free_cfg(cfg);
	seq_destroy(seq);
	sim_destroy(sim);
	scenario_destroy(scn);
}

static void test_ordering_mev(void **state)
{
	(void)state;
	double p_fcfs, p_prio, p_auc, p_based;
	run_policy("fcfs", SEQ_OWN, (double[4]){0, 0, 0.01, 0}, &p_fcfs);
	run_policy("priority", SEQ_OWN, (double[4]){0.009, 0, 0.001, 0},
		   &p_prio);
	run_policy("auction", SEQ_OWN, (double[4]){0, 0.009, 0.001, 0},
		   &p_auc);
	run_policy("priority", SEQ_BASED, (double[4]){0, 0, 0.001, 0.009},
		   &p_based);
	/* The ordering itself moves no one's wait, but the express lane
	 * holds every other transaction 200 ms (within a histogram bin). */
	assert_near(p_prio, p_fcfs, 1e-12);
	assert_near(p_auc - p_fcfs, 0.2, 0.2 * 0.06 + p_fcfs * 0.06);
	/* Only the L1 builder's policy under based sequencing. */
	struct scenario *scn;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(scenario_load_text("t.json", "{\"ordering\": "
		"{\"policy\": \"fcfs\"}}", &scn, &err), 0);
	struct scn_obj root = scn_root(scn), o;
	assert_int_equal(scn_get_obj(&root, "ordering", &o, NULL, &err), 0);
	const struct mechanism *mo = find_mech("ordering");
	void *cfg = NULL, *st = NULL;
	assert_int_equal(mo->read(&o, &cfg, &err), 0);
	struct sim *sim = sim_create(1, 0);
	static struct tx_kind_params kinds[TX_KINDS];
	struct seq_cfg sc = {.type = SEQ_BASED, .capacity = SCN_RATE_ONE,
			     .mempool_limit = 10};
	struct sequencer *seq = seq_create(sim, &sc, NULL, kinds, 0);
	struct mech_parts parts = {.name = "s", .sim = sim, .seq = seq};
	assert_int_equal(mo->attach(cfg, &parts, &st, &err), L2S_EINPUT);
	assert_non_null(strstr(err.path, "ordering.policy"));
	mo->free_cfg(cfg);
	seq_destroy(seq);
	sim_destroy(sim);
	scenario_destroy(scn);
}

/* ---- messages through L1 ---------------------------------------------------- */


static double M(const struct test_run *r, const char *comp, const char *name)
{
	return test_run_metric(r, comp, name);
}

/*
 * One optimistic rollup at a constant 20 tx/s, 10 % of them messages
 * (2 a second), delivered after posting, for 3 hours with no warm-up.
 *
 * "each": one relay transaction of 100,000 gas per message.  A message is
 * ready at the first L1 block that sees its batch posted and its relay
 * lands in a later block, so at least 12 s after the transactions'
 * posting (the messages are a share of every cohort: their median is the
 * transactions' posted median plus the relay's wait).  A batch carries
 * up to ~10 minutes (the batcher's max_delay) of transactions: ~1,200
 * messages, 120 M gas of relays, against ~18 M gas a block leaves free
 * (the background fills about half of 36 M): they land over up to
 * ceil(120 / 18) = 7 blocks, so the relay's wait is 12 s to 12 + 7 x 12 =
 * 96 s.  Messages not delivered at the end are those whose batch is not
 * posted yet: at most the posting promise (2 x max_delay = 20 min) of
 * them, 2,400.
 *
 * "hourly": one relay an hour for all ready messages, 50,000 + 1,024 gas
 * per message.  Messages become ready uniformly over the hour: they wait
 * half an hour on the median more than "each" (1,800 s, give or take the
 * 12 s granularity and the first hour's warm-up of the batcher).  The L1
 * gas per message is 1,024 + 50,000 / ~7,200 = ~1,031, about 97 times
 * less than 100,000; the fees in ETH follow the gas at the fees of the
 * moment (base fees near 1 gwei in both).  The last relay of the run
 * (at 3 h) may still be in flight at the end: at most an hour of
 * messages more than in "each" is undelivered.
 */
static const char *msg_json =
	"{\"name\": \"m\", \"duration\": \"3h\", \"seed\": 2,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": "
	"   {\"type\": \"constant\", \"tps\": \"20tps\"},"
	"   \"mix\": {\"transfer\": 1}}],"
	" \"systems\": ["
	"  {\"name\": \"each\", \"type\": \"optimistic_rollup\","
	"   \"cross_system\": {\"share\": 0.1, \"deliver_after\": \"posted\"}},"
	"  {\"name\": \"hourly\", \"type\": \"optimistic_rollup\","
	"   \"cross_system\": {\"share\": 0.1, \"deliver_after\": \"posted\","
	"     \"relay_interval\": \"1h\"}}"
	" ]}";

static void test_messages(void **state)
{
	(void)state;
	struct test_run r;
	test_run_all(&r, msg_json);
	double sent = M(&r, "each", "msg_sent");
	assert_near(sent, 0.1 * M(&r, "each", "tx_sequenced"), 1);
	double del = M(&r, "each", "msg_delivered");
	assert_true(del <= sent && del >= sent - 2400);
	double post = M(&r, "each", "latency_posted_p50");
	double p50 = M(&r, "each", "msg_latency_p50");
	assert_true(p50 >= post + 12 * 0.94 && p50 <= post + 96 * 1.06);
	double per_each = M(&r, "each", "msg_cost_eth") / del;
	double hsent = M(&r, "hourly", "msg_sent");
	double hdel = M(&r, "hourly", "msg_delivered");
	assert_true(hdel <= hsent && hdel >= hsent - 2400 - 3600 * 2);
	double hp50 = M(&r, "hourly", "msg_latency_p50");
	double hpost = M(&r, "hourly", "latency_posted_p50");
	assert_true(hp50 - hpost >= 1800 * 0.7 && hp50 - hpost <= 1800 * 1.3);
	double per_batch = M(&r, "hourly", "msg_cost_eth") / hdel;
	assert_true(per_each / per_batch >= 97 * 0.5 &&
		    per_each / per_batch <= 97 * 2);
	/* "all" reports the delivered-weighted mean of the medians. */
	assert_near(M(&r, "all", "msg_latency_p50"),
		    (p50 * del + hp50 * hdel) / (del + hdel), 1e-6);
	test_run_close(&r);
}

/*
 * Block by block: one rollup at a constant 20 tx/s, 1% of them messages,
 * delivered after posting, one relay per message; L1 background a
 * constant 18 M gas of 36 M, so a block always has room for the relays of
 * a batch (at most ~7,000 transactions: 70 messages, 7 M gas).
 *
 * After L1 block k the relayer has seen P(k) transactions posted; the
 * messages of every cohort wholly posted by then go out in relays that
 * land in block k + 1.  So after block k + 1 the delivered count D(k + 1)
 * is at most 1% of P(k) (nothing is relayed before it is posted; +1 for
 * the carried fraction), and at least 1% of P(k) less one cohort's
 * messages (a cohort is 20 x 12 = 240 transactions, 2.4 messages, that a
 * batch may split) less 1.
 */
static const char *block_json =
	"{\"name\": \"b\", \"duration\": \"3h\", \"seed\": 4,"
	" \"l1\": {\"fork\": \"pectra\", \"background\": {\"gas\":"
	"   {\"dist\": \"constant\", \"mean\": 18000000}}},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": "
	"   {\"type\": \"constant\", \"tps\": \"20tps\"},"
	"   \"mix\": {\"transfer\": 1}}],"
	" \"systems\": ["
	"  {\"name\": \"one\", \"type\": \"optimistic_rollup\","
	"   \"cross_system\": {\"share\": 0.01, \"deliver_after\": \"posted\"}}"
	" ]}";

static void test_message_blocks(void **state)
{
	(void)state;
	struct scenario *scn;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(scenario_load_text("t.json", block_json, &scn, &err),
			 0);
	struct sim *sim = sim_create(4, 0);
	struct world *w = NULL;
	if (world_create(sim, scn, &w, &err))
		fail_msg("world: %s", err.msg);
	struct sys_instance *in = world_instance(w, "one");
	double prev_posted = 0;
	int batches_seen = 0;
	for (int k = 1; k <= 900; k++) {
		sim_run_until(sim, (sim_time_t)k * 12 * SIM_S + SIM_S);
		double posted = (double)batcher_stats(
			sys_instance_batcher(in))->posted;
		double del = sys_instance_mech_metric(in, "msg_delivered");
		if (del > 0.01 * prev_posted + 1 ||
		    del < 0.01 * prev_posted - 2.4 - 1)
			fail_msg("after block %d: %g delivered, %g posted a "
				 "block before", k, del, prev_posted);
		batches_seen += posted > prev_posted;
		prev_posted = posted;
	}
	/* Batches were posted all along (not a vacuous check). */
	assert_true(batches_seen >= 10);
	assert_true(prev_posted >= 20 * 3 * 3600 * 0.8);
	world_destroy(w);
	sim_destroy(sim);
	scenario_destroy(scn);
}

/*
 * Rotation in a world (1 h, 1 s ticks, 60 s epochs from t = 0, so 61
 * epochs begin within the run, the last at 3,600 s):
 *  - "gap": 3 s hand-over, no failures: 61 x 3 = 183 s without a leader;
 *    nothing fails over; everything offered is sequenced but what arrived
 *    in the last tick (t = 3,600 opens a gap).  An epoch's lost time is
 *    counted when it begins (the last one's reaches past the end).
 *  - "dead": two operators that always fail: every epoch is lost whole,
 *    two failed leaders each; nothing is ever sequenced.
 */
static const char *rot_json =
	"{\"name\": \"r\", \"duration\": \"1h\", \"tick\": \"1s\", \"seed\": 3,"
	" \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": "
	"   {\"type\": \"constant\", \"tps\": \"10tps\"}}],"
	" \"systems\": ["
	"  {\"name\": \"gap\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"type\": \"rotating\", \"operators\": 4,"
	"     \"epoch\": \"60s\", \"handover_gap\": \"3s\"}},"
	"  {\"name\": \"dead\", \"type\": \"optimistic_rollup\","
	"   \"sequencer\": {\"type\": \"rotating\", \"operators\": 2,"
	"     \"epoch\": \"60s\", \"operator_failure\": 1,"
	"     \"failover_timeout\": \"10s\"}}"
	" ]}";

static void test_rotation_world(void **state)
{
	(void)state;
	struct test_run r;
	test_run_all(&r, rot_json);
	assert_near(M(&r, "gap", "epochs"), 61, 0);
	assert_near(M(&r, "gap", "rotation_down_seconds"), 183, 0);
	assert_near(M(&r, "gap", "leader_failovers"), 0, 0);
	double left = M(&r, "gap", "tx_offered") - M(&r, "gap", "tx_sequenced");
	/* The last tick's arrivals: Poisson of mean 10. */
	assert_true(left >= 0 && left <= 30);
	assert_near(M(&r, "dead", "epochs"), 61, 0);
	assert_near(M(&r, "dead", "leader_failovers"), 122, 0);
	assert_near(M(&r, "dead", "rotation_down_seconds"), 61 * 60, 0);
	assert_near(M(&r, "dead", "tx_sequenced"), 0, 0);
	assert_true(M(&r, "dead", "liveness_failures") >= 1);
	test_run_close(&r);
}

/* ---- settings without effect ------------------------------------------------- */

static void expect_bad(const char *systems, const char *path_part)
{
	char json[2048];
	snprintf(json, sizeof(json),
		 "{\"name\": \"b\", \"duration\": \"1h\","
		 " \"l1\": {\"fork\": \"pectra\"},"
		 " \"workloads\": [{\"name\": \"w\", \"rate\": \"10tps\"}],"
		 " \"shared_sequencers\": [{\"name\": \"ss\"%s}],"
		 " \"systems\": [%s]}",
		 strstr(path_part, "capacity") ? ", \"capacity\": \"10tps\","
		 " \"consensus\": {}" : "", systems);
	struct scenario *scn;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(scenario_load_text("t.json", json, &scn, &err), 0);
	struct sim *sim = sim_create(1, 0);
	struct world *w = NULL;
	assert_int_equal(world_create(sim, scn, &w, &err), L2S_EINPUT);
	if (!strstr(err.path, path_part))
		fail_msg("error at '%s' (%s), want '%s'", err.path, err.msg,
			 path_part);
	sim_destroy(sim);
	scenario_destroy(scn);
}

static void test_bad_settings(void **state)
{
	(void)state;
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		   " \"sequencer\": {\"type\": \"shared\", \"name\": \"ss\"},"
		   " \"cross_system\": {\"share\": 0.1, \"relay_interval\": "
		   "\"1h\"}}", "cross_system.relay_interval");
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		   " \"cross_system\": {\"message_gas\": 90000}}",
		   "cross_system.message_gas");
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		   " \"cross_system\": {\"share\": 0.1, \"batch_gas\": 90000}}",
		   "cross_system.batch_gas");
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		   " \"sequencer\": {\"operators\": 3}}", "sequencer.operators");
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		   " \"sequencer\": {\"type\": \"rotating\", \"operators\": 3,"
		   " \"epoch\": \"10m\", \"value_spread\": 0.1}}",
		   "sequencer.value_spread");
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		   " \"sequencer\": {\"type\": \"auction\", \"epoch\": \"10m\"}}",
		   "sequencer.type");
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		   " \"sequencer\": {\"type\": \"rotating\", \"operators\": 3,"
		   " \"epoch\": \"10m\", \"operator_failure\": 0.1}}",
		   "sequencer.operator_failure");
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		   " \"ordering\": {\"policy\": \"fcfs\", \"searcher_share\": "
		   "0.2}}", "ordering.searcher_share");
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		   " \"ordering\": {\"express_lane_delay\": \"1s\"}}",
		   "ordering.express_lane_delay");
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		   " \"sequencer\": {\"type\": \"based\"},"
		   " \"ordering\": {\"policy\": \"auction\"}}",
		   "ordering.policy");
	expect_bad("{\"name\": \"a\", \"type\": \"optimistic_rollup\"}",
		   "shared_sequencers[0].capacity");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bft_round),
		cmocka_unit_test(test_bft_read),
		cmocka_unit_test(test_bundles),
		cmocka_unit_test(test_auction_and_rotation),
		cmocka_unit_test(test_ordering_mev),
		cmocka_unit_test(test_messages),
		cmocka_unit_test(test_message_blocks),
		cmocka_unit_test(test_rotation_world),
		cmocka_unit_test(test_bad_settings),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
