/*
 * Trust: profiles computed from configuration, the gas of an exit and the
 * blob retention period by hand, disputes and exits on small worlds, and
 * the settings that have no effect refused.
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

#include "l2sim/mechanism.h"
#include "l2sim/world.h"
#include "support/world_run.h"
#include "support/testutil.h"

/* ---- by hand ------------------------------------------------------------- */

/*
 * 21,000 + 16 x (32 x 32 + 256) + 32 x 42 + 2 x 22,100 + 9,000
 * = 21,000 + 20,480 + 1,344 + 44,200 + 9,000 = 96,024.
 */
static void test_exit_gas(void **state)
{
	(void)state;
	assert_int_equal(mech_exit_gas(32), 96024);
	assert_int_equal(mech_exit_gas(1), 21000 + 16 * 288 + 42 + 44200 + 9000);
}

/* 4096 epochs x 32 slots x 12 s = 1,572,864 s (~18.2 days). */
static void test_blob_retention(void **state)
{
	(void)state;
	assert_int_equal(mech_blob_retention(12 * SIM_S), 1572864 * SIM_S);
	assert_int_equal(mech_blob_retention(6 * SIM_S), 786432 * SIM_S);
}

/* ---- small worlds ------------------------------------------------------------ */

/* Builds 'json' (seed 5) and, unless build_only, runs it; returns the
 * build's code (a world that builds must run). */
static int run_json(struct test_run *r, const char *json, int build_only,
		    struct l2s_error *err)
{
	memset(r, 0, sizeof(*r));
	l2s_error_clear(err);
	int rc = scenario_load_text("trust.json", json, &r->scn, err);
	if (rc)
		return rc;
	r->sim = sim_create(5, 0);
	assert_non_null(r->sim);
	rc = world_create(r->sim, r->scn, &r->w, err);
	if (rc || build_only)
		return rc;
	test_run_finish(r);
	return 0;
}

static const struct res_system *row(const struct test_run *r, const char *comp)
{
	for (size_t i = 0; i < r->res->n_systems; i++)
		if (!strcmp(r->res->systems[i].component, comp))
			return &r->res->systems[i];
	fail_msg("no systems row for %s", comp);
	return NULL;
}

#define HEAD \
	"{\"name\": \"t\", \"duration\": \"1d\", \"tick\": \"1m\", " \
	"\"l1\": {\"fork\": \"pectra\"}, " \
	"\"da_layers\": [{\"name\": \"dac\", \"type\": \"dac\", \"members\": 4}, " \
	"{\"name\": \"cel\", \"type\": \"celestia\"}], " \
	"\"shared_sequencers\": [{\"name\": \"ss\"}], " \
	"\"workloads\": [{\"name\": \"w\", \"rate\": \"1tps\"}], "

/*
 * The profile follows the configuration: type -> validity, DA -> data,
 * sequencer -> who can stop a transaction; the bound is the shortest
 * delay of forced inclusion (24 h by default) and takeover (7 d), one L1
 * slot under based sequencing, unbounded when neither lets anything in.
 */
static void test_profiles(void **state)
{
	(void)state;
	struct test_run r;
	struct l2s_error err;
	const char *json = HEAD "\"systems\": ["
		"{\"name\": \"op\", \"type\": \"optimistic_rollup\"},"
		"{\"name\": \"val\", \"type\": \"validium\", \"da\": \"dac\"},"
		"{\"name\": \"cv\", \"type\": \"validium\", \"da\": \"cel\"},"
		"{\"name\": \"vol\", \"type\": \"volition\", \"da\": \"cel\"},"
		"{\"name\": \"based\", \"type\": \"zk_rollup\", "
		" \"sequencer\": {\"type\": \"based\"}},"
		"{\"name\": \"shared\", \"type\": \"zk_rollup\", "
		" \"sequencer\": {\"type\": \"shared\", \"name\": \"ss\", "
		"  \"takeover_delay\": \"6h\"}},"
		"{\"name\": \"stuck\", \"type\": \"zk_rollup\", "
		" \"sequencer\": {\"forced_inclusion_rate\": \"0tps\", "
		"  \"takeover_delay\": \"30d\"}}"
		"]}";
	if (run_json(&r, json, 0, &err))
		fail_msg("%s", err.msg);
	const struct res_system *s = row(&r, "op");
	assert_string_equal(s->validity, "fraud_proof");
	assert_string_equal(s->data, "l1");
	assert_string_equal(s->sequencing, "own");
	assert_string_equal(s->liveness, "operator");
	assert_near(s->liveness_bound_s, 86400, 0);
	assert_string_equal(s->depends_on, "l1_blobs");
	assert_string_equal(row(&r, "val")->data, "committee");
	assert_string_equal(row(&r, "val")->validity, "validity_proof");
	assert_string_equal(row(&r, "cv")->data, "alt_da");
	assert_string_equal(row(&r, "vol")->data, "mixed");
	assert_string_equal(row(&r, "vol")->depends_on, "cel l1_blobs");
	assert_string_equal(row(&r, "based")->liveness, "l1");
	assert_near(row(&r, "based")->liveness_bound_s, 12, 0);
	assert_string_equal(row(&r, "shared")->liveness, "shared_sequencer");
	assert_near(row(&r, "shared")->liveness_bound_s, 6 * 3600, 0);
	assert_string_equal(row(&r, "shared")->depends_on, "l1_blobs ss");
	assert_near(row(&r, "stuck")->liveness_bound_s, 30 * 86400, 0);
	assert_string_equal(row(&r, "op")->settles_on, "l1");
	test_run_close(&r);
}

static double M(const struct test_run *r, const char *comp, const char *name)
{
	return test_run_metric(r, comp, name);
}

/*
 * Two BoLD stakes against one invalid root at hour 2, a 12-hour attacker
 * clock and 3 rounds (attacker, honest, attacker): a game is 12 h + 2 x
 * 60 s; BoLD bounds the delay by its challenge period (here 6 h).  Two
 * games of 3 moves of 100,000 gas, bonds 2 x 3,600 ETH.
 */
static void test_bold_game(void **state)
{
	(void)state;
	struct test_run r;
	struct l2s_error err;
	const char *json = HEAD "\"warmup\": \"0s\", \"systems\": ["
		"{\"name\": \"op\", \"type\": \"optimistic_rollup\", "
		" \"disputes\": {\"protocol\": \"bold\", \"start\": \"2h\", "
		"  \"attackers\": 2, \"rounds\": 3, \"attacker_clock\": \"12h\", "
		"  \"response_time\": \"60s\", \"challenge_period\": \"6h\", "
		"  \"move_gas\": 100000}}]}";
	if (run_json(&r, json, 0, &err))
		fail_msg("%s", err.msg);
	assert_near(M(&r, "op", "disputes"), 2, 0);
	assert_near(M(&r, "op", "dispute_delay_max_s"), 6 * 3600, 0);
	assert_near(M(&r, "op", "dispute_bonds_lost_eth"), 7200, 0);
	assert_near(M(&r, "op", "dispute_moves_included"), 6, 0);
	assert_near(M(&r, "op", "dispute_l1_gas"), 600000, 0);
	test_run_close(&r);
}

/*
 * A plasma-style validium of 1,000 accounts, withholding at hour 1,
 * noticed after 1 h, exit game 2 h: 100 L1 transactions of 10 exits;
 * every exit completes between 3 h and 3 h + a few slots after the
 * withholding.
 */
static void test_plasma_exits(void **state)
{
	(void)state;
	struct test_run r;
	struct l2s_error err;
	const char *json = HEAD "\"warmup\": \"0s\", \"systems\": ["
		"{\"name\": \"p\", \"type\": \"validium\", \"da\": \"dac\", "
		" \"exits\": {\"design\": \"plasma\", \"accounts\": 1000, "
		"  \"freeze_delay\": \"1h\", \"challenge_period\": \"2h\"}}], "
		"\"faults\": [{\"type\": \"data_withholding\", \"target\": \"p\", "
		" \"start\": \"1h\", \"duration\": \"1h\"}]}";
	if (run_json(&r, json, 0, &err))
		fail_msg("%s", err.msg);
	assert_near(M(&r, "p", "exit_txs"), 1000, 0);
	assert_near(M(&r, "p", "exit_l1_gas"), 1000.0 * 96024, 0);
	assert_near(M(&r, "p", "exits_pending_end"), 0, 0);
	double p50 = M(&r, "p", "exit_latency_p50_s");
	assert_true(p50 >= 3 * 3600 * 0.97 && p50 <= 3 * 3600 * 1.03 + 60);
	test_run_close(&r);
}

/*
 * Retention to the slot: a challenge window of exactly 1,572,864 s keeps
 * every blob batch inside retention; one slot (12 s) more, and every blob
 * batch's data is needed after it expires.
 */
static void test_retention_boundary(void **state)
{
	(void)state;
	static const char *const windows[] = {"1572864s", "1572876s"};
	for (int k = 0; k < 2; k++) {
		char json[2048];
		snprintf(json, sizeof(json), HEAD "\"warmup\": \"0s\", "
			 "\"systems\": [{\"name\": \"op\", \"type\": "
			 "\"optimistic_rollup\", \"batcher\": {\"max_delay\": "
			 "\"10m\"}, \"settlement\": {\"challenge_window\": "
			 "\"%s\"}}]}", windows[k]);
		struct test_run r;
		struct l2s_error err;
		if (run_json(&r, json, 0, &err))
			fail_msg("%s", err.msg);
		double batches = M(&r, "op", "batches");
		assert_true(batches > 100);
		assert_near(M(&r, "op", "blob_data_expired_batches"),
			    k == 0 ? 0 : batches, 0);
		test_run_close(&r);
	}
}

/* Settings that cannot act are refused where they are written. */
static void test_refused(void **state)
{
	(void)state;
	struct test_run r;
	struct l2s_error err;
	static const struct {
		const char *json, *want;
	} cases[] = {
		{HEAD "\"systems\": [{\"name\": \"z\", \"type\": \"zk_rollup\", "
		 "\"disputes\": {\"protocol\": \"bold\"}}]}", "optimistic"},
		{HEAD "\"systems\": [{\"name\": \"z\", \"type\": \"zk_rollup\", "
		 "\"exits\": {\"accounts\": 10}}]}", "nothing to exit"},
		{HEAD "\"systems\": [{\"name\": \"o\", \"type\": \"optimistic_rollup\", "
		 "\"disputes\": {\"protocol\": \"classic\"}}]}", "bond_eth"},
		{HEAD "\"systems\": [{\"name\": \"o\", \"type\": \"optimistic_rollup\", "
		 "\"disputes\": {\"protocol\": \"fdg\", \"challenge_period\": \"1d\"}}]}",
		 "bounds"},
		{HEAD "\"systems\": [{\"name\": \"o\", \"type\": \"optimistic_rollup\", "
		 "\"disputes\": {\"atackers\": 2}}]}", "attackers"},
		{HEAD "\"systems\": [{\"name\": \"v\", \"type\": \"validium\", "
		 "\"da\": \"dac\", \"exits\": {\"design\": \"escape_hatch\"}}]}",
		 "accounts"},
		{HEAD "\"systems\": [{\"name\": \"v\", \"type\": \"validium\", "
		 "\"da\": \"dac\", \"exits\": {\"accounts\": 5, "
		 "\"challenge_period\": \"1d\"}}]}", "plasma"},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		int rc = run_json(&r, cases[i].json, 1, &err);
		if (rc != L2S_EINPUT)
			fail_msg("case %zu: got %d, want a scenario error", i, rc);
		char all[1024];
		snprintf(all, sizeof(all), "%s %s %s", err.msg, err.hint,
			 err.path);
		if (!strstr(all, cases[i].want))
			fail_msg("case %zu: '%s' does not mention '%s'", i, all,
				 cases[i].want);
		test_run_close(&r);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exit_gas),
		cmocka_unit_test(test_blob_retention),
		cmocka_unit_test(test_profiles),
		cmocka_unit_test(test_bold_game),
		cmocka_unit_test(test_plasma_exits),
		cmocka_unit_test(test_retention_boundary),
		cmocka_unit_test(test_refused),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
