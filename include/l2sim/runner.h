/*
 * The runner: expands a scenario into runs (the cross product of its sweep
 * values, times replications), validates every run before anything is
 * written, runs them in parallel with OpenMP, and writes each run to the
 * results database in run order from one writer, so the database does not
 * depend on the thread count.
 */
#ifndef L2SIM_RUNNER_H
#define L2SIM_RUNNER_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "l2sim/error.h"
#include "l2sim/model.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"

/*
 * Called once after every run is written, with the run ids in run order
 * (the CLI prints its summary table here).  Returns 0 or an error code.
 */
typedef int runner_done_fn(void *ctx, struct resdb *db, const char *out_path,
			   const int64_t *run_ids, size_t n_runs, FILE *out,
			   struct l2s_error *err);

struct runner_opts {
	const struct sim_model *model; /* what to run (required) */
	const char *scenario_path;
	const char *const *sets; /* "PATH=VALUE" overrides, in order */
	size_t n_sets;
	int has_seed;
	uint64_t seed;           /* with has_seed: overrides the scenario's */
	int64_t reps;            /* > 0: overrides "replications" */
	int threads;             /* <= 0: all cores */
	const char *out;         /* NULL: results/<scenario name>.db */
	int progress;            /* 1 on, 0 off, -1 when stderr is a tty */
	int quiet;               /* no summary table */
	runner_done_fn *done;    /* NULL: nothing after the runs */
	void *done_ctx;
	int rerun;               /* run again runs already complete */
	int shard_k, shard_n;    /* --shard K/N; shard_n 0: the whole sweep */
	double write_patience_s; /* <= 0: 120 s of retrying a refused write */
};

/* One point of a sweep. */
struct sweep_point {
	json_t *root;        /* the scenario with this point's values set */
	char *sweep_json;    /* {"path": value, ...} */
};

/*
 * Applies --set values and expands the sweep.  *points gets *n points
 * (one, with sweep_json "{}", without a sweep).  Returns 0 or L2S_EINPUT /
 * L2S_EUSAGE.  Free with sweep_points_free().
 */
int runner_expand(struct scenario *scn, const char *const *sets, size_t n_sets,
		  struct sweep_point **points, size_t *n, struct l2s_error *err);
void sweep_points_free(struct sweep_point *points, size_t n);

/*
 * Loads, validates and runs opts->model: the runs of the sweep (of its
 * shard) that are not complete in the output database yet (all of them
 * with rerun).  Progress goes to stderr; unless opts->quiet, opts->done is
 * called with the sweep's runs (those skipped too) and 'out'.  A run whose
 * write fails is kept and retried.  Returns 0, or a negative code; when
 * runs are missing at the end (interrupted, database refused), the message
 * says how many are saved.
 */
int runner_run(const struct runner_opts *opts, FILE *out,
	       struct l2s_error *err);

/* Asks the running sweep to stop: runs in progress stop at their next
 * progress tick, no new run starts, finished runs are still written.
 * Ctrl-C and SIGTERM do this during runner_run(). */
void runner_request_stop(void);
int runner_stop_requested(void);

/* `l2sim slurm`: an sbatch script for a sharded sweep. */
struct slurm_opts {
	const struct sim_model *model; /* validates the scenario */
	const char *scenario;
	int array;               /* tasks = shards */
	int cpus;                /* --cpus-per-task and --threads of each task */
	const char *partition;   /* or NULL */
	const char *time;        /* per task, or NULL */
	const char *out;         /* merged database, NULL: results/<name>.db */
	const char *seed, *reps; /* passed on to run, or NULL */
	const char *const *sets;
	size_t n_sets;
};

/*
 * Validates the scenario (every run) and writes to 'f' a bash script for
 * sbatch: a job array of 'array' tasks, task K running `l2sim run --shard
 * K/N` into its own database, whose first task to start submits the merge
 * job (dependency afterok on the array).  Paths in the script are absolute.
 * Returns 0, L2S_EINPUT, L2S_EIO.
 */
int slurm_script_write(const struct slurm_opts *o, FILE *f,
		       struct l2s_error *err);

/*
 * Validates a scenario (every sweep point) without running it, as
 * runner_run does before it starts: *n_runs gets the runs it makes; the
 * first bad point in sweep order goes to *err, named ("sweep point {...}")
 * unless every point fails alike.  Points that differ only in seed or
 * replications share one world build, so a sweep of 100,000 points costs
 * the memory of one tree per thread.
 */
int runner_validate(const struct sim_model *model, const char *path,
		    const char *const *sets, size_t n_sets, size_t *n_runs,
		    struct l2s_error *err);
/* The same on a loaded scenario (its tree as it stands; the --set values
 * are applied to it). */
int runner_validate_tree(const struct sim_model *model, struct scenario *scn,
			 const char *const *sets, size_t n_sets,
			 size_t *n_runs, struct l2s_error *err);

#endif
