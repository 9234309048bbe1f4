/*
 * Provers (models/prover): job timing on a pool of machines, FIFO order,
 * outages, metrics and the scenario keys.  Expected times are worked out
 * by hand beside each check.
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

#include "l2sim/prover.h"


#define MAX_LOG 16

struct log {
	int n;
	int tag[MAX_LOG];
	sim_time_t t[MAX_LOG];
};

struct probe {
	struct log *log;
	int tag;
};

static void on_done(struct sim *sim, void *ctx)
{
	struct probe *p = ctx;

	assert_true(p->log->n < MAX_LOG);
	p->log->tag[p->log->n] = p->tag;
	p->log->t[p->log->n] = sim_now(sim);
	p->log->n++;
}

struct fx {
	struct scenario *scn;
	struct sim *sim;
	struct prover *p;
	struct l2s_error err;
};

/* Builds a prover from the JSON of its "prover" object. */
static int fx_try(struct fx *f, const char *json)
{
	struct scn_obj root;

	memset(f, 0, sizeof(*f));
	assert_int_equal(scenario_load_text("t.json", json, &f->scn, &f->err),
			 0);
	f->sim = sim_create(1, 0);
	assert_non_null(f->sim);
	root = scn_root(f->scn);
	return prover_create(f->sim, &root, "zk#0", &f->p, &f->err);
}

static void fx_close(struct fx *f)
{
	prover_destroy(f->p);
	sim_destroy(f->sim);
	scenario_destroy(f->scn);
}

/* A timed action, scheduled on the engine. */
struct act {
	struct prover *p;
	int what;          /* 0 submit, 1 down, 2 up */
	uint64_t txs;
	struct probe probe;
};

static void run_act(struct sim *sim, void *self, void *arg)
{
	struct act *a = self;

	(void)sim;
	(void)arg;
	if (a->what == 0)
		assert_int_equal(prover_submit(a->p, a->txs, on_done,
					       &a->probe), 0);
	else
		prover_set_down(a->p, a->what == 1);
}

static void test_presets(void **state)
{
	struct fx f;

	(void)state;
	/* docs/sources.md §5. */
	assert_int_equal(prover_preset_gas(PROVER_GROTH16), 250000);
	assert_int_equal(prover_preset_gas(PROVER_PLONK), 300000);
	assert_int_equal(prover_preset_gas(PROVER_STARK), 1000000);
	assert_int_equal(prover_preset_gas(PROVER_SHARP), 6000000);
	assert_int_equal(prover_preset_gas(PROVER_ZKSYNC), 800000);

	assert_int_equal(fx_try(&f, "{}"), 0);
	assert_int_equal(prover_verify_gas(f.p), 300000);
	assert_int_equal(prover_machines(f.p), 1);
	assert_int_equal(prover_batches_per_proof(f.p), 1);
	assert_int_equal(prover_job_time(f.p, 1000000), 0);
	fx_close(&f);

	assert_int_equal(fx_try(&f, "{\"proof_system\": \"sharp\"}"), 0);
	assert_int_equal(prover_verify_gas(f.p), 6000000);
	fx_close(&f);

	assert_int_equal(fx_try(&f, "{\"proof_system\": \"zksync\", "
				    "\"verify_gas\": 555000, "
				    "\"batches_per_proof\": 4}"),
			 0);
	assert_int_equal(prover_verify_gas(f.p), 555000);
	assert_int_equal(prover_proof_system(f.p), PROVER_ZKSYNC);
	assert_int_equal(prover_batches_per_proof(f.p), 4);
	fx_close(&f);
}

static void test_job_time(void **state)
{
	struct fx f;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"throughput\": \"100tps\", "
				    "\"latency\": \"10s\"}"),
			 0);
	/* 10 s + 1000 / 100 s = 20 s */
	assert_int_equal(prover_job_time(f.p, 1000), 20 * SIM_S);
	assert_int_equal(prover_job_time(f.p, 0), 10 * SIM_S);
	fx_close(&f);

	/* 3 txs at 7 tps: 3/7 s = 428,571,428.57 ns, rounded up. */
	assert_int_equal(fx_try(&f, "{\"throughput\": \"7tps\"}"), 0);
	assert_int_equal(prover_job_time(f.p, 3), 428571429);
	fx_close(&f);
}

/* 2 machines, latency 10 s, 100 tps.  Jobs of 1000, 500 and 200 txs at
 * t=0 take 20 s, 15 s and 12 s: job 1 on machine 0 [0,20], job 2 on
 * machine 1 [0,15], job 3 waits for machine 1 and runs [15,27]. */
static void test_two_machines(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act acts[3];
	uint64_t txs[3] = { 1000, 500, 200 };
	struct run_result *res;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"throughput\": \"100tps\", "
				    "\"latency\": \"10s\", \"provers\": 2}"),
			 0);
	for (int i = 0; i < 3; i++) {
		acts[i] = (struct act){ f.p, 0, txs[i], { &log, i + 1 } };
		assert_int_equal(sim_schedule(f.sim, 0, run_act, &acts[i], NULL,
					      NULL), 0);
	}
	sim_run_until(f.sim, 30 * SIM_S);
	assert_int_equal(log.n, 3);
	assert_int_equal(log.tag[0], 2);
	assert_int_equal(log.t[0], 15 * SIM_S);
	assert_int_equal(log.tag[1], 1);
	assert_int_equal(log.t[1], 20 * SIM_S);
	assert_int_equal(log.tag[2], 3);
	assert_int_equal(log.t[2], 27 * SIM_S);
	assert_int_equal(prover_pending(f.p), 0);
	/* three completion events, three submit actions */
	assert_int_equal(sim_events(f.sim), 6);

	res = run_result_create();
	prover_collect(f.p, res, "zk#0", 30 * SIM_S);
	assert_near(res_metric_get(res, "zk#0", "prover_jobs"), 3, 0);
	/* one job waited while two ran */
	assert_near(res_metric_get(res, "zk#0", "prover_queue_max"), 1, 0);
	/* busy 20 + 15 + 12 = 47 machine-seconds of 2 * 30 */
	assert_near(res_metric_get(res, "zk#0", "prover_utilization"),
		    47.0 / 60.0, 1e-12);
	assert_near(res_metric_get(res, "zk#0", "prover_lag_max_s"), 27, 1e-9);
	assert_near(res_metric_get(res, "zk#0", "prover_pending_end"), 0, 0);
	run_result_destroy(res);
	fx_close(&f);
}

/* One machine, latency 10 s, unlimited throughput.  A starts at 0 and
 * ends at 10 although the prover goes down at 5; B, submitted at 6 while
 * down, waits until the prover is back at 30 and ends at 40. */
static void test_down_delays(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act a, down, b, up;
	struct run_result *res;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"latency\": \"10s\"}"), 0);
	a = (struct act){ f.p, 0, 5, { &log, 1 } };
	down = (struct act){ f.p, 1, 0, { 0 } };
	b = (struct act){ f.p, 0, 5, { &log, 2 } };
	up = (struct act){ f.p, 2, 0, { 0 } };
	sim_schedule(f.sim, 0, run_act, &a, NULL, NULL);
	sim_schedule(f.sim, 5 * SIM_S, run_act, &down, NULL, NULL);
	sim_schedule(f.sim, 6 * SIM_S, run_act, &b, NULL, NULL);
	sim_schedule(f.sim, 30 * SIM_S, run_act, &up, NULL, NULL);

	sim_run_until(f.sim, 20 * SIM_S);
	assert_int_equal(log.n, 1);
	assert_int_equal(log.t[0], 10 * SIM_S);
	assert_true(prover_is_down(f.p));
	assert_int_equal(prover_queued(f.p), 1);

	/* Collecting mid-run: B has waited 14 s so far. */
	res = run_result_create();
	prover_collect(f.p, res, "zk#0", 20 * SIM_S);
	assert_near(res_metric_get(res, "zk#0", "prover_lag_max_s"), 14, 1e-9);
	assert_near(res_metric_get(res, "zk#0", "prover_pending_end"), 1, 0);
	run_result_destroy(res);

	sim_run_until(f.sim, 50 * SIM_S);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.tag[1], 2);
	assert_int_equal(log.t[1], 40 * SIM_S);

	res = run_result_create();
	prover_collect(f.p, res, "zk#0", 50 * SIM_S);
	/* B: submitted at 6, done at 40 */
	assert_near(res_metric_get(res, "zk#0", "prover_lag_max_s"), 34, 1e-9);
	/* busy [0,10] and [30,40]: 20 of 50 s */
	assert_near(res_metric_get(res, "zk#0", "prover_utilization"), 0.4,
		    1e-12);
	run_result_destroy(res);
	fx_close(&f);
}

/* Metrics from a warm-up of 15 s: jobs of 10 s each back to back on one
 * machine from t=0 (5 submitted at 0): they end at 10, 20, 30, 40, 50.
 * From 15 to 45: jobs finished 20, 30, 40 (3); busy all 30 s; at 15 one
 * job was running and three waiting (those ending at 30, 40 and 50). */
static void test_warmup(void **state)
{
	struct fx f;
	struct log log = { 0 };
	struct act acts[5];
	struct run_result *res;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"latency\": \"10s\"}"), 0);
	prover_set_warmup(f.p, 15 * SIM_S);
	for (int i = 0; i < 5; i++) {
		acts[i] = (struct act){ f.p, 0, 1, { &log, i } };
		sim_schedule(f.sim, 0, run_act, &acts[i], NULL, NULL);
	}
	sim_run_until(f.sim, 45 * SIM_S);
	res = run_result_create();
	prover_collect(f.p, res, "zk#0", 45 * SIM_S);
	assert_near(res_metric_get(res, "zk#0", "prover_jobs"), 3, 0);
	assert_near(res_metric_get(res, "zk#0", "prover_utilization"), 1.0,
		    1e-12);
	assert_near(res_metric_get(res, "zk#0", "prover_queue_max"), 3, 0);
	/* the job still running at 45 was submitted at 0 */
	assert_near(res_metric_get(res, "zk#0", "prover_lag_max_s"), 45, 1e-9);
	run_result_destroy(res);
	fx_close(&f);
}

static void test_errors(void **state)
{
	struct fx f;

	(void)state;
	assert_int_equal(fx_try(&f, "{\"proof_sytem\": \"plonk\"}"),
			 L2S_EINPUT);
	assert_non_null(strstr(f.err.msg, "unknown key 'proof_sytem'"));
	assert_non_null(strstr(f.err.hint, "proof_system"));
	fx_close(&f);

	assert_int_equal(fx_try(&f, "{\"proof_system\": \"stark2\"}"),
			 L2S_EINPUT);
	assert_non_null(strstr(f.err.hint, "stark"));
	fx_close(&f);

	assert_int_equal(fx_try(&f, "{\"provers\": 0}"), L2S_EINPUT);
	fx_close(&f);
	assert_int_equal(fx_try(&f, "{\"throughput\": \"12s\"}"), L2S_EINPUT);
	fx_close(&f);

	/* NULL config: every default */
	memset(&f, 0, sizeof(f));
	f.sim = sim_create(1, 0);
	assert_int_equal(prover_create(f.sim, NULL, "x", &f.p, &f.err), 0);
	assert_int_equal(prover_submit(f.p, 1, NULL, NULL), L2S_EINPUT);
	fx_close(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_presets),
		cmocka_unit_test(test_job_time),
		cmocka_unit_test(test_two_machines),
		cmocka_unit_test(test_down_delays),
		cmocka_unit_test(test_warmup),
		cmocka_unit_test(test_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
