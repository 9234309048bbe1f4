/*
 * What the runner runs: a model behind five calls.  The engine knows
 * nothing of what a model simulates; sim/main.c hands the runner the
 * model it should run (l2sim's is world_model, include/l2sim/world.h), and
 * tests may hand it any other.
 */
#ifndef L2SIM_MODEL_H
#define L2SIM_MODEL_H

#include <stdint.h>

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"

/* The run-level settings the runner needs from a scenario. */
struct sim_run_settings {
	uint64_t seed;
	int64_t replications;
	sim_time_t duration;     /* simulated time of one run (progress) */
};

struct sim_model {
	const char *name;
	/* Reads the run-level settings of a scenario (or one sweep point). */
	int (*settings)(const struct scenario *scn, struct sim_run_settings *out,
			struct l2s_error *err);
	/* Builds the model of 'scn' on 'sim'; validates every section, so a
	 * bad scenario fails here with L2S_EINPUT, nothing left allocated. */
	int (*create)(struct sim *sim, const struct scenario *scn, void **out,
		      struct l2s_error *err);
	/* Runs to the end of the scenario. */
	int (*run)(void *model, struct l2s_error *err);
	/* Adds the run's metrics and rows to 'res'. */
	void (*collect)(void *model, struct run_result *res);
	/* Frees the model (NULL is fine). */
	void (*destroy)(void *model);
};

#endif
