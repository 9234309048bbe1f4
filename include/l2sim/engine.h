/*
 * The discrete-event engine.  It knows nothing of blockchains: components
 * schedule events that carry a handler, the component ('self') and a
 * payload ('arg').  Events run in (time, sequence) order, the sequence
 * coming from a counter in struct sim, so ties run in scheduling order.
 *
 * A run's whole state hangs off struct sim; one OpenMP thread owns a run.
 * Errors: functions return 0 or a negative L2S_E* code (include/l2sim/error.h).
 */
#ifndef L2SIM_ENGINE_H
#define L2SIM_ENGINE_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "l2sim/time.h"

struct sim;

/* 'self' is the component, 'arg' the event's payload. */
typedef void sim_handler(struct sim *sim, void *self, void *arg);

/* Identifies a scheduled event, for sim_cancel().  Never 0. */
typedef uint64_t sim_event_id;

/* Creates a run for (seed, replication).  Returns NULL when out of memory. */
struct sim *sim_create(uint64_t seed, uint32_t replication);

/* Frees the run, its queue and its random streams.  NULL does nothing. */
void sim_destroy(struct sim *sim);

/*
 * Schedules fn(sim, self, arg) at absolute time 'at' (>= sim_now()).
 * Scheduling into the past is a bug and aborts with file, line and the
 * simulated time.  'id_out' may be NULL.  Returns 0 or L2S_ENOMEM.
 */
int sim_schedule(struct sim *sim, sim_time_t at, sim_handler *fn, void *self,
		 void *arg, sim_event_id *id_out);

/* Same, 'delay' (>= 0) after sim_now(). */
int sim_schedule_in(struct sim *sim, sim_time_t delay, sim_handler *fn,
		    void *self, void *arg, sim_event_id *id_out);

/*
 * Cancels a pending event scheduled with an id: it is skipped when it
 * surfaces and does not count as processed.  Returns 0, or L2S_EINPUT when
 * 'id' is not pending (already run, already cancelled, or never scheduled).
 * Only events scheduled with a non-NULL id_out are tracked for this, so
 * events scheduled without one cost nothing extra.
 */
int sim_cancel(struct sim *sim, sim_event_id id);

/* Current simulated time: the time of the event being (or last) processed. */
sim_time_t sim_now(const struct sim *sim);

/* Runs the next event.  Returns 1 if one ran, 0 if the queue is empty. */
int sim_step(struct sim *sim);

/*
 * Runs every event with time <= 'end', then sets the clock to 'end' (if the
 * queue is not stopped earlier by sim_stop()).  Returns the number of events
 * processed by this call.
 */
uint64_t sim_run_until(struct sim *sim, sim_time_t end);

/* Runs until the queue is empty or sim_stop() is called. */
uint64_t sim_run(struct sim *sim);

/* Makes sim_run()/sim_run_until() return after the current event. */
void sim_stop(struct sim *sim);

/* A model that cannot go on (out of memory in a library call) fails the
 * run: the first failure is kept, and the run stops after this event.  The
 * runner reports it (exit 3).  'code' is an L2S_E* code. */
void sim_fail(struct sim *sim, int code, const char *msg);
/* The failure's code (0: none) and message. */
int sim_failure(const struct sim *sim, const char **msg);

/* Events processed so far (cancelled ones excluded). */
uint64_t sim_events(const struct sim *sim);

/* Events pending in the queue (cancelled ones excluded). */
size_t sim_pending(const struct sim *sim);

/*
 * Trajectory fingerprint: a 64-bit hash folded over every processed event's
 * (time, handler).  A handler is identified by its rank in the order the
 * run first ran it, so the value does not depend on code layout: it is
 * stable across runs, threads and refactors that keep the trajectory, and
 * changes when any event's time or handler changes.
 */
uint64_t sim_fingerprint(const struct sim *sim);

/*
 * Folds a value of the model's state into the fingerprint, for models whose
 * events recur at fixed times (ticks): with the counts a tick produced
 * folded in, a change in the draws changes the fingerprint too.
 */
void sim_fingerprint_add(struct sim *sim, uint64_t value);

uint64_t sim_seed(const struct sim *sim);
uint32_t sim_replication(const struct sim *sim);

/*
 * The random stream of component 'name' in this run, created on first use
 * and owned by the run (do not free it).  Seeded from a hash of (seed,
 * replication, name), so adding a component never changes another's draws.
 * Uses taus2 (small state).  Returns NULL when out of memory.
 */
gsl_rng *sim_rng(struct sim *sim, const char *name);

/*
 * Optional progress callback: called about every 'every' processed events
 * with the current time.  Used by the runner for the progress bar.
 */
typedef void sim_progress_fn(void *ctx, sim_time_t now, uint64_t events);
void sim_set_progress(struct sim *sim, sim_progress_fn *fn, void *ctx,
		      uint64_t every);

#endif
