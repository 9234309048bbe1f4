/*
 * The event queue: a priority queue of fixed-size event records ordered by
 * (time, seq).  Sequence numbers are unique, so the order is total and
 * deterministic.  Used by the engine; exposed for tests and benchmarks.
 */
#ifndef L2SIM_QUEUE_H
#define L2SIM_QUEUE_H

#include <stddef.h>
#include <stdint.h>

#include "l2sim/time.h"

struct sim;
typedef void sim_handler(struct sim *sim, void *self, void *arg);

struct sim_event {
	sim_time_t time;
	uint64_t seq;
	sim_handler *fn;
	void *self;
	void *arg;
};

struct sim_queue;

/* Creates an empty queue; NULL when out of memory. */
struct sim_queue *sim_queue_create(void);
/* NULL does nothing. */
void sim_queue_destroy(struct sim_queue *q);

/* Adds a copy of *ev.  Returns 0 or L2S_ENOMEM.  ev->time must be >= the time
 * of the last event popped (the engine never schedules into the past). */
int sim_queue_push(struct sim_queue *q, const struct sim_event *ev);

/* Removes the least (time, seq) event into *out.  Returns 1, or 0 if empty. */
int sim_queue_pop(struct sim_queue *q, struct sim_event *out);

/* Time of the least event, or SIM_TIME_MAX when empty. */
sim_time_t sim_queue_peek_time(struct sim_queue *q);

size_t sim_queue_size(const struct sim_queue *q);

#endif
