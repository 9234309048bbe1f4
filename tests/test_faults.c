/*
 * Faults (models/faults): scheduled windows call the targets at exactly
 * their start and end, overlapping windows are reference-counted, valued
 * faults report the largest active value, stochastic faults reach the
 * availability mtbf / (mtbf + mttr) in the long run, and bad scenarios
 * fail with located messages.
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

#include "l2sim/faults.h"


#define MAX_CALLS 16384

struct call {
	sim_time_t t;
	int member;
	bool on;
	double value;
	const char *type;
};

/* A fake model object recording what the faults module does to it. */
struct rec {
	struct sim *sim;
	int n;
	struct call *c;        /* MAX_CALLS */
	/* availability bookkeeping */
	bool down;
	sim_time_t since, down_total;
};

static void rec_set_down(void *obj, int member, bool down)
{
	struct rec *r = obj;
	sim_time_t now = sim_now(r->sim);

	assert_true(r->n < MAX_CALLS);
	r->c[r->n++] = (struct call){ now, member, down, 0, NULL };
	if (member < 0) {
		assert_true(r->down != down); /* transitions only */
		if (down)
			r->since = now;
		else
			r->down_total += now - r->since;
		r->down = down;
	}
}

static void rec_apply(void *obj, const char *type, double value, bool on)
{
	struct rec *r = obj;

	assert_true(r->n < MAX_CALLS);
	r->c[r->n++] = (struct call){ sim_now(r->sim), -2, on, value, type };
}

struct fx {
	struct scenario *scn;
	struct sim *sim;
	struct fault_set *set;
	struct rec seq, dac, l1, prover;
	struct l2s_error err;
};

static int fx_try(struct fx *f, const char *json, uint64_t seed)
{
	struct scn_obj root;
	int rc;

	memset(f, 0, sizeof(*f));
	rc = scenario_load_text("t.json", json, &f->scn, &f->err);
	if (rc)
		fail_msg("scenario: %s", f->err.msg);
	f->sim = sim_create(seed, 0);
	assert_non_null(f->sim);
	f->seq.sim = f->dac.sim = f->l1.sim = f->prover.sim = f->sim;
	f->seq.c = calloc(MAX_CALLS, sizeof(struct call));
	f->dac.c = calloc(MAX_CALLS, sizeof(struct call));
	f->l1.c = calloc(MAX_CALLS, sizeof(struct call));
	f->prover.c = calloc(MAX_CALLS, sizeof(struct call));
	assert_true(f->seq.c && f->dac.c && f->l1.c && f->prover.c);
	const struct fault_target t[] = {
		{ "rollup#0", "sequencer_outage, batch_poster_outage",
		  rec_set_down, NULL, &f->seq, 0 },
		{ "rollup#0", "prover_outage", rec_set_down, NULL, &f->prover,
		  0 },
		{ "committee", "da_outage dac_member_outage", rec_set_down,
		  NULL, &f->dac, 5 },
		{ "l1", "l1_missed_slots l1_reorg fee_spike", NULL, rec_apply,
		  &f->l1, 0 },
	};
	root = scn_root(f->scn);
	return faults_create(f->sim, &root, t, sizeof(t) / sizeof(t[0]),
			     &f->set, &f->err);
}

static void fx_close(struct fx *f)
{
	faults_destroy(f->set);
	free(f->seq.c);
	free(f->dac.c);
	free(f->l1.c);
	free(f->prover.c);
	sim_destroy(f->sim);
	scenario_destroy(f->scn);
}

static void expect_call(const struct call *c, sim_time_t t, int member,
			bool on)
{
	assert_int_equal(c->t, t);
	assert_int_equal(c->member, member);
	assert_int_equal(c->on, on);
}

/* One sequencer outage from 100 s for 50 s: down at exactly 100 s, up at
 * exactly 150 s; two events in all. */
static void test_scheduled(void **state)
{
	struct fx f;
	struct run_result *res;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"faults\": [{\"type\": "
				    "\"sequencer_outage\", \"target\": "
				    "\"rollup#0\", \"start\": \"100s\", "
				    "\"duration\": \"50s\"}]}", 1),
			 0);
	assert_int_equal(faults_count(f.set), 1);
	sim_run_until(f.sim, 149 * SIM_S);
	assert_int_equal(f.seq.n, 1);
	expect_call(&f.seq.c[0], 100 * SIM_S, -1, true);
	sim_run_until(f.sim, 200 * SIM_S);
	assert_int_equal(f.seq.n, 2);
	expect_call(&f.seq.c[1], 150 * SIM_S, -1, false);
	assert_int_equal(f.prover.n, 0);
	assert_int_equal(sim_events(f.sim), 2);

	res = run_result_create();
	faults_collect(f.set, res, 0, 200 * SIM_S);
	assert_near(res_metric_get(res, "rollup#0", "outages"), 1, 0);
	assert_near(res_metric_get(res, "rollup#0", "outage_seconds"), 50, 0);
	assert_near(res_metric_get(res, "rollup#0", "sequencer_outage_count"),
		    1, 0);
	assert_near(res_metric_get(res, "rollup#0",
				   "sequencer_outage_seconds"), 50, 0);
	run_result_destroy(res);

	/* From a warm-up of 120 s: the outage began before it; 30 s of it
	 * fall after it. */
	res = run_result_create();
	faults_collect(f.set, res, 120 * SIM_S, 200 * SIM_S);
	assert_near(res_metric_get(res, "rollup#0", "outages"), 0, 0);
	assert_near(res_metric_get(res, "rollup#0", "outage_seconds"), 30, 0);
	run_result_destroy(res);
	fx_close(&f);
}

/* Sequencer [10,30) and batch poster [20,50) share one registration: one
 * down period [10,50).  Back-to-back windows [100,110) and [110,120) are
 * one period too. */
static void test_overlap(void **state)
{
	struct fx f;
	struct run_result *res;

	(void)state;
	assert_int_equal(
		fx_try(&f, "{\"faults\": ["
			   "{\"type\": \"sequencer_outage\", \"target\": "
			   "\"rollup#0\", \"start\": 10, \"duration\": 20},"
			   "{\"type\": \"batch_poster_outage\", \"target\": "
			   "\"rollup#0\", \"start\": 20, \"duration\": 30},"
			   "{\"type\": \"prover_outage\", \"target\": "
			   "\"rollup#0\", \"start\": 100, \"duration\": 10},"
			   "{\"type\": \"prover_outage\", \"target\": "
			   "\"rollup#0\", \"start\": 110, \"duration\": 10}"
			   "]}", 1),
		0);
	sim_run_until(f.sim, 200 * SIM_S);
	assert_int_equal(f.seq.n, 2);
	expect_call(&f.seq.c[0], 10 * SIM_S, -1, true);
	expect_call(&f.seq.c[1], 50 * SIM_S, -1, false);
	assert_int_equal(f.prover.n, 2);
	expect_call(&f.prover.c[0], 100 * SIM_S, -1, true);
	expect_call(&f.prover.c[1], 120 * SIM_S, -1, false);

	res = run_result_create();
	faults_collect(f.set, res, 0, 200 * SIM_S);
	/* two registrations under one name: their metrics add up */
	assert_near(res_metric_get(res, "rollup#0", "outages"), 2, 0);
	assert_near(res_metric_get(res, "rollup#0", "outage_seconds"), 60, 0);
	assert_near(res_metric_get(res, "rollup#0",
				   "sequencer_outage_seconds"), 20, 0);
	assert_near(res_metric_get(res, "rollup#0",
				   "batch_poster_outage_seconds"), 30, 0);
	assert_near(res_metric_get(res, "rollup#0", "prover_outage_count"), 1,
		    0);
	assert_near(res_metric_get(res, "rollup#0", "prover_outage_seconds"),
		    20, 0);
	run_result_destroy(res);
	fx_close(&f);
}

/* Members 0 and 1 down over [0,10) ("members": 2); member 1 also over
 * [5,15).  Member 1 goes down once and comes back at 15.  Member-seconds:
 * 10 + 15 = 25. */
static void test_dac_members(void **state)
{
	struct fx f;
	struct run_result *res;

	(void)state;
	assert_int_equal(
		fx_try(&f, "{\"faults\": ["
			   "{\"type\": \"dac_member_outage\", \"target\": "
			   "\"committee\", \"members\": 2, \"start\": 0, "
			   "\"duration\": 10},"
			   "{\"type\": \"dac_member_outage\", \"target\": "
			   "\"committee\", \"member\": 1, \"start\": 5, "
			   "\"duration\": 10}]}", 1),
		0);
	sim_run_until(f.sim, 100 * SIM_S);
	assert_int_equal(f.dac.n, 4);
	expect_call(&f.dac.c[0], 0, 0, true);
	expect_call(&f.dac.c[1], 0, 1, true);
	expect_call(&f.dac.c[2], 10 * SIM_S, 0, false);
	expect_call(&f.dac.c[3], 15 * SIM_S, 1, false);
	res = run_result_create();
	faults_collect(f.set, res, 0, 100 * SIM_S);
	assert_near(res_metric_get(res, "committee", "dac_member_outage_count"),
		    1, 0);
	assert_near(res_metric_get(res, "committee",
				   "dac_member_outage_seconds"), 25, 0);
	run_result_destroy(res);
	fx_close(&f);
}

/* Fee spikes x3 [0,100), x5 [50,150), x2 [60,70): the effective
 * multiplier is 3, then 5 from 50, and off at 150; nothing else changes
 * it.  Missed slots default to probability 1.  A reorg of depth 2 at
 * 30 s. */
static void test_valued(void **state)
{
	struct fx f;
	struct run_result *res;

	(void)state;
	assert_int_equal(
		fx_try(&f, "{\"faults\": ["
			   "{\"type\": \"fee_spike\", \"target\": \"l1\", "
			   "\"start\": 0, \"duration\": 100, \"multiplier\": 3},"
			   "{\"type\": \"fee_spike\", \"target\": \"l1\", "
			   "\"start\": 50, \"duration\": 100, \"multiplier\": 5},"
			   "{\"type\": \"fee_spike\", \"target\": \"l1\", "
			   "\"start\": 60, \"duration\": 10, \"multiplier\": 2},"
			   "{\"type\": \"l1_missed_slots\", \"target\": \"l1\", "
			   "\"start\": 200, \"duration\": \"1m\"},"
			   "{\"type\": \"l1_reorg\", \"target\": \"l1\", "
			   "\"at\": \"30s\", \"depth\": 2}]}", 1),
		0);
	sim_run_until(f.sim, 1000 * SIM_S);
	assert_int_equal(f.l1.n, 6);
	assert_string_equal(f.l1.c[0].type, "fee_spike");
	assert_int_equal(f.l1.c[0].t, 0);
	assert_near(f.l1.c[0].value, 3, 0);
	assert_true(f.l1.c[0].on);
	assert_string_equal(f.l1.c[1].type, "l1_reorg");
	assert_int_equal(f.l1.c[1].t, 30 * SIM_S);
	assert_near(f.l1.c[1].value, 2, 0);
	assert_int_equal(f.l1.c[2].t, 50 * SIM_S);
	assert_near(f.l1.c[2].value, 5, 0);
	assert_int_equal(f.l1.c[3].t, 150 * SIM_S);
	assert_false(f.l1.c[3].on);
	assert_string_equal(f.l1.c[4].type, "l1_missed_slots");
	assert_int_equal(f.l1.c[4].t, 200 * SIM_S);
	assert_near(f.l1.c[4].value, 1, 0);
	assert_int_equal(f.l1.c[5].t, 260 * SIM_S);
	assert_false(f.l1.c[5].on);

	res = run_result_create();
	faults_collect(f.set, res, 0, 1000 * SIM_S);
	assert_near(res_metric_get(res, "l1", "fee_spike_count"), 1, 0);
	assert_near(res_metric_get(res, "l1", "fee_spike_seconds"), 150, 0);
	assert_near(res_metric_get(res, "l1", "l1_missed_slots_seconds"), 60,
		    0);
	assert_near(res_metric_get(res, "l1", "l1_reorg_count"), 1, 0);
	assert_near(res_metric_get(res, "l1", "l1_reorg_blocks"), 2, 0);
	run_result_destroy(res);
	fx_close(&f);
}

static const char *mtbf_json =
	"{\"faults\": [{\"type\": \"sequencer_outage\", \"target\": "
	"\"rollup#0\", \"mtbf\": \"9h\", \"mttr\": \"1h\"}]}";

/* Availability of an alternating renewal process: mtbf / (mtbf + mttr) =
 * 0.9.  Over 20,000 h (~2,000 cycles) the estimate's standard deviation
 * is about 0.003; the tolerance is 0.015. */
static void test_mtbf(void **state)
{
	struct fx f, g;
	const sim_time_t end = 20000 * SIM_HOUR;
	double avail;
	struct run_result *res;

	(void)state;
	assert_int_equal(fx_try(&f, mtbf_json, 42), 0);
	sim_run_until(f.sim, end);
	if (f.seq.down)
		f.seq.down_total += end - f.seq.since;
	avail = 1.0 - (double)f.seq.down_total / (double)end;
	assert_near(avail, 0.9, 0.015);
	assert_true(f.seq.n > 3000);

	res = run_result_create();
	faults_collect(f.set, res, 0, end);
	assert_near(res_metric_get(res, "rollup#0", "outage_seconds"),
		    sim_time_to_s(f.seq.down_total), 1e-3);
	run_result_destroy(res);

	/* Deterministic: the same seed gives the same calls. */
	assert_int_equal(fx_try(&g, mtbf_json, 42), 0);
	sim_run_until(g.sim, end);
	assert_int_equal(g.seq.n, f.seq.n);
	for (int i = 0; i < f.seq.n; i++)
		assert_int_equal(g.seq.c[i].t, f.seq.c[i].t);
	fx_close(&g);
	assert_int_equal(fx_try(&g, mtbf_json, 43), 0);
	sim_run_until(g.sim, 100 * SIM_HOUR);
	assert_true(g.seq.n == 0 || g.seq.c[0].t != f.seq.c[0].t);
	fx_close(&g);
	fx_close(&f);
}

/* 'first' fixes the first failure; 'until' stops new ones. */
static void test_first_until(void **state)
{
	struct fx f;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"faults\": [{\"type\": \"da_outage\", "
				    "\"target\": \"committee\", \"mtbf\": "
				    "\"1h\", \"mttr\": \"10m\", \"first\": "
				    "\"5h\", \"until\": \"50h\"}]}", 3),
			 0);
	sim_run_until(f.sim, 1000 * SIM_HOUR);
	assert_true(f.dac.n >= 2);
	expect_call(&f.dac.c[0], 5 * SIM_HOUR, -1, true);
	for (int i = 0; i < f.dac.n; i++)
		if (f.dac.c[i].on)
			assert_true(f.dac.c[i].t < 50 * SIM_HOUR);
	assert_false(f.dac.c[f.dac.n - 1].on);  /* the last one ended */
	fx_close(&f);
}

static void expect_error(const char *faults, const char *msg,
			 const char *hint)
{
	struct fx f;
	char json[1024];

	snprintf(json, sizeof(json), "{\"faults\": [%s]}", faults);
	assert_int_equal(fx_try(&f, json, 1), L2S_EINPUT);
	if (!strstr(f.err.msg, msg))
		fail_msg("message '%s' lacks '%s'", f.err.msg, msg);
	if (hint && !strstr(f.err.hint, hint))
		fail_msg("hint '%s' lacks '%s'", f.err.hint, hint);
	assert_null(f.set);
	assert_int_equal(sim_pending(f.sim), 0);
	fx_close(&f);
}

static void test_errors(void **state)
{
	struct fx f;

	(void)state;
	expect_error("{\"type\": \"sequencer_outage\", \"target\": \"rolup#0\","
		     " \"start\": 0, \"duration\": 1}",
		     "unknown fault target 'rolup#0'", "did you mean 'rollup#0'");
	expect_error("{\"type\": \"sequencer_outage\", \"target\": \"zzzzzzzzz\","
		     " \"start\": 0, \"duration\": 1}",
		     "unknown fault target 'zzzzzzzzz'", "rollup#0, committee, l1");
	expect_error("{\"type\": \"prover_outage\", \"target\": \"l1\","
		     " \"start\": 0, \"duration\": 1}",
		     "fault target 'l1' does not accept 'prover_outage'",
		     "l1_missed_slots");
	expect_error("{\"type\": \"sequencer_outtage\", \"target\": \"l1\"}",
		     "unknown type 'sequencer_outtage'", "sequencer_outage");
	expect_error("{\"type\": \"da_outage\", \"target\": \"committee\","
		     " \"start\": 0, \"duration\": 1, \"mtbf\": \"1h\"}",
		     "not both", NULL);
	expect_error("{\"type\": \"da_outage\", \"target\": \"committee\"}",
		     "fault has no timing", NULL);
	expect_error("{\"type\": \"da_outage\", \"target\": \"committee\","
		     " \"start\": 0}", "missing key 'duration'", NULL);
	expect_error("{\"type\": \"da_outage\", \"target\": \"committee\","
		     " \"mtbf\": \"1h\"}", "missing key 'mttr'", NULL);
	expect_error("{\"type\": \"da_outage\", \"target\": \"committee\","
		     " \"start\": 0, \"duration\": 0}", "out of range", NULL);
	expect_error("{\"type\": \"da_outage\", \"target\": \"committee\","
		     " \"start\": 0, \"duration\": 1, \"member\": 1}",
		     "unknown key 'member'", NULL);
	expect_error("{\"type\": \"dac_member_outage\", \"target\": \"committee\","
		     " \"start\": 0, \"duration\": 1, \"member\": 5}",
		     "out of range", NULL);
	expect_error("{\"type\": \"dac_member_outage\", \"target\": \"committee\","
		     " \"start\": 0, \"duration\": 1}", "exactly one", NULL);
	expect_error("{\"type\": \"l1_reorg\", \"target\": \"l1\","
		     " \"start\": 0, \"depth\": 1}", "use 'at'", NULL);
	expect_error("{\"type\": \"l1_reorg\", \"target\": \"l1\", \"at\": 5}",
		     "missing key 'depth'", NULL);
	expect_error("{\"type\": \"fee_spike\", \"target\": \"l1\","
		     " \"start\": 0, \"duration\": 5}",
		     "missing key 'multiplier'", NULL);
	expect_error("{\"type\": \"l1_missed_slots\", \"target\": \"l1\","
		     " \"start\": 0, \"duration\": 5, \"probability\": 1.5}",
		     "out of range", NULL);
	expect_error("{\"type\": \"da_outage\", \"target\": \"committee\","
		     " \"start\": 0, \"duration\": 5, \"first\": 3}",
		     "stochastic", NULL);

	/* the message is located */
	assert_int_equal(fx_try(&f, "{\"faults\": [\n{\"type\": \"da_outage\","
				    "\n \"target\": \"comittee\", \"start\": 0,"
				    " \"duration\": 1}]}", 1),
			 L2S_EINPUT);
	assert_string_equal(f.err.path, "faults[0].target");
	assert_int_equal(f.err.line, 3);
	assert_non_null(strstr(f.err.hint, "committee"));
	fx_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_scheduled),
		cmocka_unit_test(test_overlap),
		cmocka_unit_test(test_dac_members),
		cmocka_unit_test(test_valued),
		cmocka_unit_test(test_mtbf),
		cmocka_unit_test(test_first_until),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
