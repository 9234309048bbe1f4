/* Whole-world test runs (world_run.h). */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "world_run.h"

void test_run_open(struct test_run *r, const char *json, int64_t seed)
{
	memset(r, 0, sizeof(*r));
	struct l2s_error err;
	l2s_error_clear(&err);
	if (scenario_load_text("test.json", json, &r->scn, &err))
		fail_msg("scenario: %s", err.msg);
	struct world_settings s;
	if (world_read_settings(r->scn, &s, &err))
		fail_msg("settings: %s", err.msg);
	r->sim = sim_create(seed >= 0 ? (uint64_t)seed : s.seed, 0);
	assert_non_null(r->sim);
	if (world_create(r->sim, r->scn, &r->w, &err))
		fail_msg("world: %s (%s)", err.msg, err.path);
}

void test_run_finish(struct test_run *r)
{
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(world_run(r->w, &err), 0);
	r->res = run_result_create();
	assert_non_null(r->res);
	world_collect(r->w, r->res);
	assert_int_equal(r->res->oom, 0);
	if (getenv("L2SIM_TEST_VERBOSE")) {
		struct timespec ts;
		clock_gettime(CLOCK_MONOTONIC, &ts);
		fprintf(stderr, "  [run done at %.3f s]\n",
			(double)ts.tv_sec + ts.tv_nsec / 1e9);
	}
}

void test_run_all(struct test_run *r, const char *json)
{
	test_run_open(r, json, -1);
	test_run_finish(r);
}

void test_run_close(struct test_run *r)
{
	run_result_destroy(r->res);
	world_destroy(r->w);
	sim_destroy(r->sim);
	scenario_destroy(r->scn);
	memset(r, 0, sizeof(*r));
}

double test_run_metric(const struct test_run *r, const char *comp,
		       const char *name)
{
	double v = res_metric_get(r->res, comp, name);
	if (isnan(v))
		fail_msg("metric %s/%s missing", comp, name);
	if (getenv("L2SIM_TEST_VERBOSE"))
		fprintf(stderr, "  %s/%s = %.9g\n", comp, name, v);
	return v;
}

struct sys_instance *test_run_instance(const struct test_run *r,
				       const char *name)
{
	struct sys_instance *in = world_instance(r->w, name);
	if (!in)
		fail_msg("no instance %s", name);
	return in;
}

void test_world_refuses(const char *json, const char *needle)
{
	struct scenario *scn;
	struct l2s_error err;
	l2s_error_clear(&err);
	if (scenario_load_text("bad.json", json, &scn, &err))
		fail_msg("scenario: %s", err.msg);
	struct world_settings s;
	assert_int_equal(world_read_settings(scn, &s, &err), 0);
	struct sim *sim = sim_create(1, 0);
	assert_non_null(sim);
	struct world *w = NULL;
	int rc = world_create(sim, scn, &w, &err);
	if (rc != L2S_EINPUT || !strstr(err.msg, needle))
		fail_msg("want an error with '%s', got %d '%s'", needle, rc,
			 err.msg);
	assert_null(w);
	sim_destroy(sim);
	scenario_destroy(scn);
}
