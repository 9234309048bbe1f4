/*
 * The boundary between the engine and the models: a world is everything a
 * scenario describes (L1, DA layers, workloads, systems, faults), built on
 * one struct sim.  The CLI hands world_model to the runner, which sees no
 * more of it than the struct sim_model calls.
 */
#ifndef L2SIM_WORLD_H
#define L2SIM_WORLD_H

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/model.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"

struct world;

/* Run-level settings read from the scenario's top level. */
struct world_settings {
	sim_time_t duration;     /* simulated time to run */
	sim_time_t warmup;       /* excluded from rates and latencies */
	uint64_t seed;
	int64_t replications;
	sim_time_t series_interval;
	int keep_l1_blocks;
};

/* Reads the top-level settings and checks the top-level keys. */
int world_read_settings(const struct scenario *scn, struct world_settings *out,
			struct l2s_error *err);

/*
 * Builds the world of 'scn' on 'sim' and schedules its first events.
 * Validates every section: a bad scenario fails here with L2S_EINPUT and a
 * located message, before anything runs.  On failure nothing is left
 * allocated.
 */
int world_create(struct sim *sim, const struct scenario *scn,
		 struct world **out, struct l2s_error *err);

/* Runs to the end of the scenario's duration. */
int world_run(struct world *w, struct l2s_error *err);

/* Adds the run's metrics, series and L1 rows to 'res'. */
void world_collect(struct world *w, struct run_result *res);

void world_destroy(struct world *w);

/* For tests that stop a run part way: the instance of that component
 * name (NULL if none), and the L1 chain. */
struct sys_instance *world_instance(struct world *w, const char *name);
struct l1_chain *world_l1(struct world *w);

/* The world behind the runner's model interface (sim_model). */
extern const struct sim_model world_model;

#endif
