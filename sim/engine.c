/*
 * The engine: clock, event queue, cancellation, random streams, trajectory
 * fingerprint.  Nothing here knows what an event means.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/queue.h"
#include "l2sim/rng.h"

struct rng_slot {
	uint64_t hash;
	char *name;
	gsl_rng *rng;
};

/*
 * Cancelled event ids, as an open-addressing hash set (0 marks an empty
 * slot, ids are never 0).  Cancellation is rare next to scheduling, so a
 * lookup on pop costs one branch while the set is empty.
 */
struct id_set {
	uint64_t *slots;
	size_t cap;   /* power of two, or 0 */
	size_t used;  /* live + tombstones */
	size_t live;
};

#define ID_TOMB UINT64_MAX

struct sim {
	sim_time_t now;
	uint64_t next_seq;
	uint64_t events;
	uint64_t fingerprint;
	uint64_t seed;
	uint32_t replication;
	int stopped;
	struct sim_queue *queue;
	/* Events scheduled with an id (the cancellable ones) while pending,
	 * and those of them cancelled.  Events scheduled without an id cost
	 * nothing here: PHOLD and tick events never touch these sets. */
	struct id_set tracked;
	struct id_set cancelled;
	struct rng_slot *rngs;
	size_t n_rngs, cap_rngs;
	/* Handlers in the order this run first ran them: a handler's
	 * identity in the fingerprint is its index here. */
	sim_handler **handlers;
	size_t n_handlers, cap_handlers, last_handler;
	sim_progress_fn *progress;
	void *progress_ctx;
	uint64_t progress_every;
	uint64_t progress_next;
	int fail_code;          /* sim_fail(): 0, or the first L2S_E* code */
	char fail_msg[200];
};

static size_t id_hash(uint64_t id, size_t mask)
{
	return (size_t)(rng_mix64(id) & mask);
}

/* Rehashes without the tombstones: at twice the size when the live ids
 * fill a quarter of it, else at the same size (ids come and go all run
 * long; doubling at every fill of tombstones would grow the table without
 * bound and make every probe a cache miss). */
static int id_set_grow(struct id_set *s)
{
	size_t ncap = !s->cap ? 64 : (s->live + 1) * 4 > s->cap ? s->cap * 2
								 : s->cap;
	uint64_t *ns = calloc(ncap, sizeof(*ns));
	if (!ns)
		return L2S_ENOMEM;
	for (size_t i = 0; i < s->cap; i++) {
		uint64_t id = s->slots[i];
		if (id == 0 || id == ID_TOMB)
			continue;
		size_t j = id_hash(id, ncap - 1);
		while (ns[j])
			j = (j + 1) & (ncap - 1);
		ns[j] = id;
	}
	free(s->slots);
	s->slots = ns;
	s->cap = ncap;
	s->used = s->live;
	return 0;
}

static int id_set_add(struct id_set *s, uint64_t id)
{
	if ((s->used + 1) * 2 > s->cap && id_set_grow(s))
		return L2S_ENOMEM;
	size_t j = id_hash(id, s->cap - 1);
	while (s->slots[j] && s->slots[j] != ID_TOMB) {
		if (s->slots[j] == id)
			return 0;
		j = (j + 1) & (s->cap - 1);
	}
	if (s->slots[j] == 0)
		s->used++;
	s->slots[j] = id;
	s->live++;
	return 0;
}

/* Removes id; returns 1 if it was there. */
static int id_set_take(struct id_set *s, uint64_t id)
{
	if (s->live == 0)
		return 0;
	size_t j = id_hash(id, s->cap - 1);
	while (s->slots[j]) {
		if (s->slots[j] == id) {
			s->slots[j] = ID_TOMB;
			s->live--;
			return 1;
		}
		j = (j + 1) & (s->cap - 1);
	}
	return 0;
}

static int id_set_has(const struct id_set *s, uint64_t id)
{
	if (s->live == 0)
		return 0;
	size_t j = id_hash(id, s->cap - 1);
	while (s->slots[j]) {
		if (s->slots[j] == id)
			return 1;
		j = (j + 1) & (s->cap - 1);
	}
	return 0;
}

struct sim *sim_create(uint64_t seed, uint32_t replication)
{
	struct sim *sim = calloc(1, sizeof(*sim));
	if (!sim)
		return NULL;
	sim->queue = sim_queue_create();
	if (!sim->queue) {
		free(sim);
		return NULL;
	}
	sim->seed = seed;
	sim->replication = replication;
	sim->next_seq = 1;
	sim->fingerprint = UINT64_C(14695981039346656037);
	return sim;
}

void sim_destroy(struct sim *sim)
{
	if (!sim)
		return;
	sim_queue_destroy(sim->queue);
	free(sim->tracked.slots);
	free(sim->cancelled.slots);
	for (size_t i = 0; i < sim->n_rngs; i++) {
		gsl_rng_free(sim->rngs[i].rng);
		free(sim->rngs[i].name);
	}
	free(sim->rngs);
	free(sim->handlers);
	free(sim);
}

int sim_schedule(struct sim *sim, sim_time_t at, sim_handler *fn, void *self,
		 void *arg, sim_event_id *id_out)
{
	if (at < sim->now) {
		fprintf(stderr,
			"%s:%d: bug: event scheduled at %lld ns, before now "
			"(%lld ns)\n",
			__FILE__, __LINE__, (long long)at, (long long)sim->now);
		abort();
	}
	struct sim_event ev = {
		.time = at, .seq = sim->next_seq, .fn = fn, .self = self,
		.arg = arg,
	};
	if (id_out && id_set_add(&sim->tracked, ev.seq))
		return sim_fail(sim, L2S_ENOMEM, "out of memory scheduling an "
				"event"), L2S_ENOMEM;
	if (sim_queue_push(sim->queue, &ev)) {
		if (id_out)
			id_set_take(&sim->tracked, ev.seq);
		return sim_fail(sim, L2S_ENOMEM, "out of memory scheduling an "
				"event"), L2S_ENOMEM;
	}
	sim->next_seq++;
	if (id_out)
		*id_out = ev.seq;
	return 0;
}

int sim_schedule_in(struct sim *sim, sim_time_t delay, sim_handler *fn,
		    void *self, void *arg, sim_event_id *id_out)
{
	sim_time_t at = delay > SIM_TIME_MAX - sim->now ? SIM_TIME_MAX
							 : sim->now + delay;
	return sim_schedule(sim, at, fn, self, arg, id_out);
}

int sim_cancel(struct sim *sim, sim_event_id id)
{
	/* Exactly the events scheduled with an id and not yet run or
	 * cancelled can be cancelled. */
	if (id == 0 || !id_set_has(&sim->tracked, id))
		return L2S_EINPUT;
	if (id_set_add(&sim->cancelled, id))
		return L2S_ENOMEM;
	id_set_take(&sim->tracked, id);
	return 0;
}

sim_time_t sim_now(const struct sim *sim) { return sim->now; }

/* Pops the next live event with time <= end; returns 0 when there is
 * none (cancelled events on the way are dropped). */
static int next_live(struct sim *sim, struct sim_event *ev, sim_time_t end)
{
	for (;;) {
		if (sim_queue_peek_time(sim->queue) > end)
			return 0;
		if (!sim_queue_pop(sim->queue, ev))
			return 0;
		if (id_set_take(&sim->cancelled, ev->seq))
			continue;
		id_set_take(&sim->tracked, ev->seq);
		return 1;
	}
}

/*
 * A handler's identity: its rank among the handlers in the order the run
 * first ran them.  It depends on the trajectory only, not on where the
 * linker put the code, so a refactor that moves handlers between files
 * keeps the fingerprints.  Runs use a handful of handlers, and most events
 * repeat the last one or a near one: a short scan, most recent first.
 */
static uint64_t handler_rank(struct sim *sim, sim_handler *fn)
{
	if (sim->n_handlers && sim->handlers[sim->last_handler] == fn)
		return sim->last_handler;
	for (size_t i = 0; i < sim->n_handlers; i++)
		if (sim->handlers[i] == fn) {
			sim->last_handler = i;
			return i;
		}
	if (sim->n_handlers == sim->cap_handlers) {
		size_t nc = sim->cap_handlers ? sim->cap_handlers * 2 : 16;
		sim_handler **p = realloc(sim->handlers, nc * sizeof(*p));
		if (!p) {
			/* the fingerprint would no longer be the run's */
			sim_fail(sim, L2S_ENOMEM, "out of memory");
			return UINT64_MAX;
		}
		sim->handlers = p;
		sim->cap_handlers = nc;
	}
	sim->handlers[sim->n_handlers] = fn;
	sim->last_handler = sim->n_handlers;
	return sim->n_handlers++;
}

static void fold(struct sim *sim, const struct sim_event *ev)
{
	uint64_t h = sim->fingerprint;
	uint64_t fn = handler_rank(sim, ev->fn);
	h = (h ^ (uint64_t)ev->time) * UINT64_C(1099511628211);
	h = (h ^ fn) * UINT64_C(1099511628211);
	sim->fingerprint = h;
}

static void run_event(struct sim *sim, const struct sim_event *ev)
{
	sim->now = ev->time;
	sim->events++;
	fold(sim, ev);
	ev->fn(sim, ev->self, ev->arg);
	if (sim->progress && sim->events >= sim->progress_next) {
		sim->progress_next = sim->events + sim->progress_every;
		sim->progress(sim->progress_ctx, sim->now, sim->events);
	}
}

int sim_step(struct sim *sim)
{
	struct sim_event ev;
	if (!next_live(sim, &ev, SIM_TIME_MAX))
		return 0;
	run_event(sim, &ev);
	return 1;
}

uint64_t sim_run_until(struct sim *sim, sim_time_t end)
{
	uint64_t start = sim->events;
	sim->stopped = 0;
	while (!sim->stopped) {
		struct sim_event ev;
		if (!next_live(sim, &ev, end))
			break;
		run_event(sim, &ev);
	}
	if (!sim->stopped && end > sim->now)
		sim->now = end;
	return sim->events - start;
}

uint64_t sim_run(struct sim *sim)
{
	uint64_t start = sim->events;
	sim->stopped = 0;
	while (!sim->stopped && sim_step(sim))
		;
	return sim->events - start;
}

void sim_stop(struct sim *sim) { sim->stopped = 1; }

uint64_t sim_events(const struct sim *sim) { return sim->events; }

size_t sim_pending(const struct sim *sim)
{
	return sim_queue_size(sim->queue) - sim->cancelled.live;
}

uint64_t sim_fingerprint(const struct sim *sim) { return sim->fingerprint; }

void sim_fingerprint_add(struct sim *sim, uint64_t value)
{
	sim->fingerprint = (sim->fingerprint ^ rng_mix64(value)) *
			   UINT64_C(1099511628211);
}
uint64_t sim_seed(const struct sim *sim) { return sim->seed; }
uint32_t sim_replication(const struct sim *sim) { return sim->replication; }

gsl_rng *sim_rng(struct sim *sim, const char *name)
{
	uint64_t h = rng_hash_str(name);
	for (size_t i = 0; i < sim->n_rngs; i++)
		if (sim->rngs[i].hash == h && !strcmp(sim->rngs[i].name, name))
			return sim->rngs[i].rng;
	if (sim->n_rngs == sim->cap_rngs) {
		size_t ncap = sim->cap_rngs ? sim->cap_rngs * 2 : 16;
		struct rng_slot *n = realloc(sim->rngs, ncap * sizeof(*n));
		if (!n)
			return NULL;
		sim->rngs = n;
		sim->cap_rngs = ncap;
	}
	struct rng_slot *slot = &sim->rngs[sim->n_rngs];
	slot->name = strdup(name);
	slot->rng = rng_stream_create(sim->seed, sim->replication, name);
	if (!slot->name || !slot->rng) {
		free(slot->name);
		if (slot->rng)
			gsl_rng_free(slot->rng);
		return NULL;
	}
	slot->hash = h;
	sim->n_rngs++;
	return slot->rng;
}

void sim_set_progress(struct sim *sim, sim_progress_fn *fn, void *ctx,
		      uint64_t every)
{
	sim->progress = fn;
	sim->progress_ctx = ctx;
	sim->progress_every = every ? every : 1;
	sim->progress_next = sim->events + sim->progress_every;
}

void sim_fail(struct sim *sim, int code, const char *msg)
{
	if (!sim->fail_code) {
		sim->fail_code = code ? code : L2S_ERUNTIME;
		snprintf(sim->fail_msg, sizeof(sim->fail_msg), "%s",
			 msg ? msg : "run failed");
	}
	sim_stop(sim);
}

int sim_failure(const struct sim *sim, const char **msg)
{
	if (msg)
		*msg = sim->fail_code ? sim->fail_msg : NULL;
	return sim->fail_code;
}
