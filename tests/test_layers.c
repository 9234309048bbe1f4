/*
 * Systems on systems, enshrined verification and key stores, with
 * hand-checked numbers: an L3's bytes in its parent's batches, its proof
 * levels and finality after its parent; the L1 gas of enshrined
 * verification per batch; the key-change gas of each key-store design;
 * and the located errors of their keys.  Small scenarios built in memory
 * and run through world_create / world_run / world_collect.
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
#include "l2sim/keystore.h"
#include "l2sim/settlement.h"
#include "l2sim/system.h"
#include "l2sim/world.h"
#include "support/testutil.h"
#include "support/world_run.h"

static double M(const struct test_run *r, const char *comp, const char *name)
{
	return test_run_metric(r, comp, name);
}

/* ---- an L3 on an L2 ---------------------------------------------------- */

/*
 * An L3 rollup on an L2 that posts calldata.  The L3's proofs take 100 h
 * (longer than the run), so for 6 h nothing but the L3's batch data rides
 * in the L2's batches: at every instant the L2's L1 bytes are its own
 * batches' bytes plus exactly the bytes the L3 handed over, and the L3
 * puts no byte and no gas on L1 itself.
 */
static const char *l3_data_json =
	"{\"duration\": \"6h\", \"seed\": 3, \"l1\": {\"fork\": \"pectra\"},"
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"5tps\"}],"
	" \"systems\": ["
	"  {\"name\": \"l2\", \"type\": \"zk_rollup\", \"workload\": \"w\","
	"   \"da\": \"ethereum_calldata\", \"batcher\": {\"max_delay\": \"1m\"}},"
	"  {\"name\": \"l3\", \"type\": \"zk_rollup\", \"workload\": \"w\","
	"   \"settles_on\": \"l2\", \"batcher\": {\"max_delay\": \"1m\"},"
	"   \"prover\": {\"latency\": \"100h\"}}]}";

static void test_l3_bytes_in_parent_batches(void **state)
{
	(void)state;
	struct test_run r, alone;
	test_run_open(&r, l3_data_json, -1);
	test_run_finish(&r);
	struct sys_instance *l2 = test_run_instance(&r, "l2"), *l3 = test_run_instance(&r, "l3");
	double carried = batcher_stats(sys_instance_batcher(l3))->parent_bytes;
	assert_true(carried > 100000);
	assert_near(sys_instance_ledger(l3)->l1_da_bytes, 0, 0);
	assert_near(sys_instance_ledger(l3)->l1_gas, 0, 0);
	assert_near(sys_instance_ledger(l3)->l1_txs, 0, 0);
	/* The same L2 alone (the L3 settling on L1 instead is another
	 * run): its own bytes.  Data bytes depend only on its own batches'
	 * transactions, which the riders do not change. */
	char *json = strdup(l3_data_json);
	char *p = strstr(json, "\"settles_on\": \"l2\", ");
	assert_non_null(p);
	memset(p, ' ', strlen("\"settles_on\": \"l2\", "));
	test_run_open(&alone, json, -1);
	test_run_finish(&alone);
	double own = sys_instance_ledger(test_run_instance(&alone, "l2"))->l1_da_bytes;
	/* Riders add their bytes to a batch; batches cut for riders alone
	 * may carry none of the L2's transactions, so the L2's own bytes can
	 * fall into different batches (compression of a different split):
	 * equal within 1%. */
	assert_near(sys_instance_ledger(l2)->l1_da_bytes - carried, own,
		    own * 0.01);
	assert_near(M(&r, "l3", "parent_da_bytes_per_tx") *
			    (double)batcher_stats(sys_instance_batcher(l3))
				    ->posted_w,
		    carried, carried * 1e-9);
	/* Nothing counted twice: "all" = the L2's bytes. */
	assert_near(M(&r, "all", "l1_da_bytes_per_tx") *
			    M(&r, "all", "tx_posted"),
		    sys_instance_ledger(l2)->l1_da_bytes,
		    sys_instance_ledger(l2)->l1_da_bytes * 1e-9);
	assert_near(M(&r, "l3", "proofs_pending_end"),
		    (double)settle_stats(sys_instance_settlement(l3))->proofs,
		    0);
	assert_near(M(&r, "l3", "tx_finalized"), 0, 0);
	free(json);
	test_run_close(&alone);
	test_run_close(&r);
}

/*
 * With quick provers the L3's proofs ride too: its proof chain is its own
 * proof plus the L2's (2 levels), and every transaction it finalizes is
 * final no earlier than the L2's batch that carried the proof.
 */
static void test_l3_finality_after_parent(void **state)
{
	(void)state;
	struct test_run r;
	char *json = strdup(l3_data_json);
	char *p = strstr(json, "\"latency\": \"100h\"");
	assert_non_null(p);
	memcpy(p, "\"latency\": \"  2m\"", strlen("\"latency\": \"  2m\""));
	test_run_open(&r, json, -1);
	test_run_finish(&r);
	assert_near(M(&r, "l2", "proof_levels"), 1, 0);
	assert_near(M(&r, "l3", "proof_levels"), 2, 0);
	assert_true(M(&r, "l3", "tx_finalized") > 0);
	assert_true(M(&r, "l3", "latency_finalized_p50") >
		    M(&r, "l2", "latency_finalized_p50"));
	assert_true(M(&r, "l3", "latency_finalized_p50") >
		    M(&r, "l3", "latency_posted_p50"));
	free(json);
	test_run_close(&r);
}

/* ---- enshrined verification ---------------------------------------------- */

/*
 * A ZK rollup verified by an L1 precompile, 100,000 gas per batch: no
 * prover; each posted batch sends one verification of 100,000 + 50,000
 * (verify_extra_gas) + 21,000 = 171,000 gas.  Its data: one blob
 * transaction per batch of 21,000 + 61,000 (batch_gas) = 82,000.  So L1
 * gas = batches x 253,000 (when every batch and its verification are
 * included; the run ends with the last ones in flight, hence the bound).
 */
static void test_enshrined_gas(void **state)
{
	(void)state;
	struct test_run r;
	test_run_open(&r, "{\"duration\": \"4h\", \"seed\": 5,"
		     " \"l1\": {\"fork\": \"pectra\"},"
		     " \"workloads\": [{\"name\": \"w\", \"rate\": \"2tps\"}],"
		     " \"systems\": [{\"name\": \"e\", \"type\": \"zk_rollup\","
		     "  \"batcher\": {\"max_delay\": \"10m\"},"
		     "  \"settlement\": {\"verification\": \"enshrined\","
		     "                   \"enshrined_gas\": 100000}}]}", -1);
	test_run_finish(&r);
	struct sys_instance *e = test_run_instance(&r, "e");
	const struct ledger *l = sys_instance_ledger(e);
	double batches = M(&r, "e", "batches");
	assert_true(batches >= 20);
	double verified = (double)settle_stats(sys_instance_settlement(e))
				  ->proofs_settled;
	/* l1_gas = 82,000 per batch posted + 171,000 per verification
	 * included; finalized verifications <= included ones. */
	double v_incl = (l->l1_gas - 82000 * batches) / 171000;
	assert_near(v_incl, round(v_incl), 1e-9);
	assert_true(v_incl >= verified && v_incl <= batches);
	assert_true(verified >= batches - 3);
	assert_near(M(&r, "e", "proof_levels"), 0, 0);
	assert_true(isnan(res_metric_get(r.res, "e", "prover_jobs")));
	assert_false(sys_has_prover(e));
	test_run_close(&r);
}

/* ---- key stores ---------------------------------------------------------- */

/*
 * Key-change gas by hand over S systems (change 29,000 = 21,000 +
 * 2,100 + 2,900 + 3,000; reads 20,000 aggregated, 200,000 alone):
 *   copy:            S x 29,000          (S = 3: 87,000)
 *   keystore rollup: 29,000 + S x 20,000 (S = 3: 89,000)
 *   home:            29,000 + (S-1) x 200,000 (S = 3: 429,000)
 */
static void test_keychange_gas(void **state)
{
	(void)state;
	assert_int_equal(ks_l2_gas(KS_COPY, 3, 29000, 0), 87000);
	assert_int_equal(ks_l2_gas(KS_KEYSTORE_ROLLUP, 3, 29000, 20000), 89000);
	assert_int_equal(ks_l2_gas(KS_HOME, 3, 29000, 200000), 429000);
	assert_int_equal(ks_l2_gas(KS_HOME, 1, 29000, 200000), 29000);
	struct test_run r;
	test_run_open(&r, "{\"duration\": \"3h\", \"warmup\": \"1h\", \"seed\": 9,"
		     " \"l1\": {\"fork\": \"pectra\"},"
		     " \"workloads\": [{\"name\": \"w\", \"rate\": \"2tps\"}],"
		     " \"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\","
		     "   \"count\": 3},"
		     "  {\"name\": \"ks\", \"type\": \"zk_rollup\"}],"
		     " \"keystores\": ["
		     "  {\"name\": \"c\", \"design\": \"copy\", \"systems\": [\"a\"],"
		     "   \"changes\": \"1tps\", \"miss_probability\": 0.5},"
		     "  {\"name\": \"k\", \"design\": \"keystore_rollup\","
		     "   \"keystore\": \"ks\", \"changes\": \"1tps\"},"
		     "  {\"name\": \"h\", \"design\": \"home\", \"systems\": [\"a\"],"
		     "   \"changes\": \"1tps\", \"read_delay\": \"12s\"}]}", -1);
	test_run_finish(&r);
	assert_near(M(&r, "c", "keychange_l2_gas"), 87000, 0);
	assert_near(M(&r, "k", "keychange_l2_gas"), 89000, 0);
	assert_near(M(&r, "h", "keychange_l2_gas"), 429000, 0);
	/* The key-store rollup covers every other system: a#0..a#2. */
	assert_near(M(&r, "k", "keychange_systems"), 3, 0);
	/* 2 h at 1/s: 7,200 expected; half of each copy missed: 1 - 0.5^3
	 * = 87.5% of changes miss one. */
	double n = M(&r, "c", "keychanges");
	assert_true(n > 6900 && n < 7500);
	assert_near(M(&r, "c", "keychange_missed") / n, 0.875, 0.02);
	assert_near(M(&r, "c", "keychange_staleness_p99"), 30 * 86400, 0);
	/* L1 share: a copy pays each system's L1 gas per tx. */
	double l1 = 0;
	for (int i = 0; i < 3; i++) {
		char nm[8];
		snprintf(nm, sizeof(nm), "a#%d", i);
		l1 += M(&r, nm, "l1_gas_per_tx");
	}
	assert_near(M(&r, "c", "keychange_l1_gas"), l1, l1 * 1e-12);
	assert_near(M(&r, "k", "keychange_l1_gas"), M(&r, "ks", "l1_gas_per_tx"),
		    1e-9);
	assert_near(M(&r, "k", "keychange_staleness_p99"),
		    M(&r, "ks", "latency_finalized_p99"), 1e-6);
	assert_near(M(&r, "h", "keychange_staleness_p99"),
		    M(&r, "a", "latency_finalized_p99") + 12, 1e-6);
	test_run_close(&r);
}

/* ---- errors -------------------------------------------------------------- */

#define HEAD "{\"l1\": {\"fork\": \"pectra\"}," \
	     " \"workloads\": [{\"name\": \"w\", \"rate\": \"1tps\"}],"

static void test_errors(void **state)
{
	(void)state;
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\","
		     " \"settles_on\": \"b\"}]}", "no system named 'b'");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\","
		     " \"settles_on\": \"a\"}]}", "cannot settle on itself");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\","
		     " \"settles_on\": \"b\"}, {\"name\": \"b\", \"type\": "
		     "\"zk_rollup\", \"settles_on\": \"a\"}]}", "never reaches L1");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\"},"
		     " {\"name\": \"o\", \"type\": \"optimistic_rollup\","
		     " \"settles_on\": \"a\"}]}", "cannot settle on another");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\"},"
		     " {\"name\": \"b\", \"type\": \"zk_rollup\", \"settles_on\":"
		     " \"a\", \"da\": \"ethereum_blobs\"}]}", "must be \"parent\"");
	test_world_refuses(HEAD "\"aggregators\": [{\"name\": \"g\", \"type\": \"l1.5\"}],"
		     "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\"},"
		     " {\"name\": \"b\", \"type\": \"zk_rollup\", \"settles_on\":"
		     " \"a\", \"aggregator\": \"g\"}]}", "verified there");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\"},"
		     " {\"name\": \"b\", \"type\": \"zk_rollup\", \"settles_on\":"
		     " \"a\", \"batcher\": {\"max_fee\": \"9gwei\"}}]}",
		     "'max_fee' has no effect: 'b' settles on 'a'");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\"},"
		     " {\"name\": \"b\", \"type\": \"zk_rollup\", \"settles_on\":"
		     " \"a\", \"settlement\": {\"verify_extra_gas\": 1}}]}",
		     "'verify_extra_gas' has no effect");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\","
		     " \"settlement\": {\"verification\": \"enshrined\"}}]}",
		     "needs \"enshrined_gas\"");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\","
		     " \"settlement\": {\"enshrined_gas\": 5}}]}",
		     "needs \"verification\"");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\","
		     " \"prover\": {}, \"settlement\": {\"verification\": "
		     "\"enshrined\", \"enshrined_gas\": 5}}]}",
		     "enshrined verification has no prover");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\","
		     " \"settlement\": {\"parent_proof_bytes\": 5}}]}",
		     "only a system with \"settles_on\"");
	test_world_refuses(HEAD "\"aggregators\": [{\"name\": \"g\", \"type\": \"l1.5\"}],"
		     "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\","
		     " \"aggregator\": \"g\", \"ecosystem\": \"x\"}]}",
		     "not of type \"ecosystem\"");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\"}],"
		     "\"keystores\": [{\"name\": \"k\", \"design\": \"copy\","
		     " \"changes\": \"1tps\", \"read_gas\": 5}]}",
		     "'read_gas' has no effect");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\"}],"
		     "\"keystores\": [{\"name\": \"k\", \"design\": \"home\","
		     " \"changes\": \"1tps\", \"systems\": [\"zz\"]}]}",
		     "no system named 'zz'");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\"}],"
		     "\"keystores\": [{\"name\": \"k\", \"design\": "
		     "\"keystore_rollup\", \"changes\": \"1tps\"}]}",
		     "needs \"keystore\"");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\"}],"
		     "\"keystores\": [{\"name\": \"a\", \"design\": \"home\","
		     " \"changes\": \"1tps\"}]}", "is taken");
	test_world_refuses(HEAD "\"systems\": [{\"name\": \"a\", \"type\": \"zk_rollup\"}],"
		     "\"keystores\": [{\"name\": \"k\", \"design\": \"home\","
		     " \"changes\": \"1tps\", \"miss_probability\": 0.1}]}",
		     "applies to design \"copy\" only");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_l3_bytes_in_parent_batches),
		cmocka_unit_test(test_l3_finality_after_parent),
		cmocka_unit_test(test_enshrined_gas),
		cmocka_unit_test(test_keychange_gas),
		cmocka_unit_test(test_errors),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
