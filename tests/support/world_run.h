/*
 * A whole world built from JSON text and run to its end, for the tests
 * that check a model through its metrics (tests/support/world_run.c).
 */
#ifndef L2SIM_TEST_WORLD_RUN_H
#define L2SIM_TEST_WORLD_RUN_H

#include "l2sim/world.h"

struct test_run {
	struct scenario *scn;
	struct sim *sim;
	struct world *w;
	struct run_result *res;
};

/* Loads 'json', builds the world with the scenario's seed, runs it and
 * collects its results; any failure fails the test. */
void test_run_all(struct test_run *r, const char *json);
void test_run_close(struct test_run *r);

#endif
