/*
 * A whole world built from JSON text and run to its end, for the tests
 * that check a model through its metrics (tests/support/world_run.c).
 * Every failure fails the calling test.
 */
#ifndef L2SIM_TEST_WORLD_RUN_H
#define L2SIM_TEST_WORLD_RUN_H

#include <stdint.h>

#include "l2sim/system.h"
#include "l2sim/world.h"

struct test_run {
	struct scenario *scn;
	struct sim *sim;
	struct world *w;
	struct run_result *res;
};

/* Loads 'json' and builds its world, seeded with 'seed' (< 0: the
 * scenario's); the clock stands at 0. */
void test_run_open(struct test_run *r, const char *json, int64_t seed);
/* Runs the world to its end and collects its results into r->res. */
void test_run_finish(struct test_run *r);
/* test_run_open() with the scenario's seed, then test_run_finish(). */
void test_run_all(struct test_run *r, const char *json);
/* Frees what the run holds; closing twice is harmless. */
void test_run_close(struct test_run *r);

/* Metric 'name' of component 'comp'; fails the test when it is missing.
 * L2SIM_TEST_VERBOSE=1 prints each metric read. */
double test_run_metric(const struct test_run *r, const char *comp,
		       const char *name);
/* The instance named 'name' ("op#0"); fails the test when there is none. */
struct sys_instance *test_run_instance(const struct test_run *r,
				       const char *name);

/* Building the world of 'json' fails with L2S_EINPUT, a message that
 * contains 'needle' and no world (the run-level settings are valid). */
void test_world_refuses(const char *json, const char *needle);

#endif
