/*
 * The engine (sim/engine.c, sim/rng.c): (time, seq) order and ties,
 * cancellation and its counters, sim_run_until / sim_step semantics,
 * scheduling from handlers, the trajectory fingerprint, and the random
 * streams (independence of components, known answers).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/rng.h"

#define MAX_LOG 64

/* What ran, in order: a tag per event and the clock when it ran. */
struct log {
	int n;
	int tag[MAX_LOG];
	sim_time_t at[MAX_LOG];
};

struct probe {
	struct log *log;
	int tag;
};

static void record(struct sim *sim, void *self, void *arg)
{
	struct log *log = self;
	struct probe *p = arg;

	assert_true(log->n < MAX_LOG);
	log->tag[log->n] = p ? p->tag : -1;
	log->at[log->n] = sim_now(sim);
	log->n++;
}

static void record_other(struct sim *sim, void *self, void *arg)
{
	/* Does something record() does not, so no compiler may fold the two
	 * handlers into one address. */
	struct log *log = self;
	record(sim, self, arg);
	log->tag[log->n - 1] += 1000;
}

static struct sim *new_sim(void)
{
	struct sim *sim = sim_create(1, 0);
	assert_non_null(sim);
	return sim;
}

static void test_time_then_seq_order(void **state)
{
	struct sim *sim = new_sim();
	struct log log = {0};
	/* Scheduled out of time order; ties at t=5 and t=9 must run in the
	 * order they were scheduled. */
	static const sim_time_t when[] = {9, 5, 7, 5, 0, 9, 5, 1};
	struct probe p[8];
	for (int i = 0; i < 8; i++) {
		p[i] = (struct probe){&log, i};
		assert_int_equal(sim_schedule(sim, when[i], record, &log, &p[i],
					      NULL), 0);
	}
	assert_int_equal(sim_pending(sim), 8);
	assert_int_equal(sim_run(sim), 8);
	/* Sorted by (time, index): t0:4, t1:7, t5:1,3,6, t7:2, t9:0,5. */
	static const int want[] = {4, 7, 1, 3, 6, 2, 0, 5};
	static const sim_time_t want_t[] = {0, 1, 5, 5, 5, 7, 9, 9};
	assert_int_equal(log.n, 8);
	for (int i = 0; i < 8; i++) {
		assert_int_equal(log.tag[i], want[i]);
		assert_int_equal(log.at[i], want_t[i]);
	}
	assert_int_equal(sim_events(sim), 8);
	assert_int_equal(sim_pending(sim), 0);
	assert_int_equal(sim_now(sim), 9);
	sim_destroy(sim);
}

static void test_many_ties_keep_schedule_order(void **state)
{
	/* 50 events at one instant, scheduled in reverse tag order: the queue
	 * must not reorder equal times (a heap would, without seq). */
	struct sim *sim = new_sim();
	struct log log = {0};
	struct probe p[50];
	for (int i = 0; i < 50; i++) {
		p[i] = (struct probe){&log, 49 - i};
		sim_schedule(sim, 3 * SIM_S, record, &log, &p[i], NULL);
	}
	sim_run(sim);
	assert_int_equal(log.n, 50);
	for (int i = 0; i < 50; i++)
		assert_int_equal(log.tag[i], 49 - i);
	sim_destroy(sim);
}

static void test_ids(void **state)
{
	struct sim *sim = new_sim();
	struct log log = {0};
	sim_event_id a = 0, b = 0;
	assert_int_equal(sim_schedule(sim, 10, record, &log, NULL, &a), 0);
	assert_int_equal(sim_schedule_in(sim, 10, record, &log, NULL, &b), 0);
	assert_true(a != 0);
	assert_true(b != 0);
	assert_true(a != b);
	/* id_out may be NULL. */
	assert_int_equal(sim_schedule(sim, 10, record, &log, NULL, NULL), 0);
	assert_int_equal(sim_pending(sim), 3);
	sim_destroy(sim);
}

static void test_cancel(void **state)
{
	struct sim *sim = new_sim();
	struct log log = {0};
	struct probe p[4] = {{&log, 0}, {&log, 1}, {&log, 2}, {&log, 3}};
	sim_event_id id[4];
	for (int i = 0; i < 4; i++)
		sim_schedule(sim, (i + 1) * SIM_S, record, &log, &p[i], &id[i]);
	assert_int_equal(sim_pending(sim), 4);

	assert_int_equal(sim_cancel(sim, id[1]), 0);
	assert_int_equal(sim_pending(sim), 3);
	/* Cancelling twice, id 0 and an id never issued are input errors
	 * and change nothing. */
	assert_int_equal(sim_cancel(sim, id[1]), L2S_EINPUT);
	assert_int_equal(sim_cancel(sim, 0), L2S_EINPUT);
	assert_int_equal(sim_cancel(sim, id[3] + 1000), L2S_EINPUT);
	assert_int_equal(sim_pending(sim), 3);

	/* The head itself cancelled. */
	assert_int_equal(sim_cancel(sim, id[0]), 0);
	assert_int_equal(sim_pending(sim), 2);

	assert_int_equal(sim_run(sim), 2);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.tag[0], 2);
	assert_int_equal(log.tag[1], 3);
	/* Cancelled events are not counted as processed. */
	assert_int_equal(sim_events(sim), 2);
	assert_int_equal(sim_pending(sim), 0);
	sim_destroy(sim);
}

/* engine.h promises L2S_EINPUT for an id that already ran. */
static void test_cancel_after_run(void **state)
{
	struct sim *sim = new_sim();
	struct log log = {0};
	sim_event_id id;
	sim_schedule(sim, 1, record, &log, NULL, &id);
	sim_run(sim);
	int rc = sim_cancel(sim, id);
	size_t pending = sim_pending(sim);
	sim_destroy(sim);
	assert_int_equal(rc, L2S_EINPUT);
	assert_int_equal(pending, 0);
}

static void test_cancel_does_not_change_fingerprint_of_the_rest(void **state)
{
	/* A run where an extra event is scheduled then cancelled processes
	 * the same trajectory as one where it never existed. */
	struct sim *a = new_sim(), *b = new_sim();
	struct log la = {0}, lb = {0};
	sim_event_id x;
	sim_schedule(a, 5, record, &la, NULL, NULL);
	sim_schedule(a, 7, record, &la, NULL, NULL);
	sim_schedule(b, 5, record, &lb, NULL, NULL);
	sim_schedule(b, 6, record_other, &lb, NULL, &x);
	sim_schedule(b, 7, record, &lb, NULL, NULL);
	assert_int_equal(sim_cancel(b, x), 0);
	sim_run(a);
	sim_run(b);
	assert_int_equal(sim_events(a), sim_events(b));
	assert_true(sim_fingerprint(a) == sim_fingerprint(b));
	sim_destroy(a);
	sim_destroy(b);
}

static void test_run_until(void **state)
{
	struct sim *sim = new_sim();
	struct log log = {0};
	struct probe p[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
	sim_schedule(sim, 10 * SIM_S, record, &log, &p[0], NULL);
	sim_schedule(sim, 20 * SIM_S, record, &log, &p[1], NULL);
	sim_schedule(sim, 20 * SIM_S + 1, record, &log, &p[2], NULL);

	/* Nothing before 5 s: the clock still moves to the end. */
	assert_int_equal(sim_run_until(sim, 5 * SIM_S), 0);
	assert_int_equal(sim_now(sim), 5 * SIM_S);
	/* An event at exactly 'end' runs; one 1 ns later does not. */
	assert_int_equal(sim_run_until(sim, 20 * SIM_S), 2);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.at[1], 20 * SIM_S);
	assert_int_equal(sim_now(sim), 20 * SIM_S);
	assert_int_equal(sim_pending(sim), 1);
	/* An end before now does not move the clock back. */
	assert_int_equal(sim_run_until(sim, SIM_S), 0);
	assert_int_equal(sim_now(sim), 20 * SIM_S);
	assert_int_equal(sim_run_until(sim, 30 * SIM_S), 1);
	assert_int_equal(log.tag[2], 2);
	assert_int_equal(sim_now(sim), 30 * SIM_S);
	assert_int_equal(sim_events(sim), 3);
	sim_destroy(sim);
}

static void test_run_until_cancelled_head(void **state)
{
	/* The head is cancelled and the next live event lies beyond 'end': it
	 * must stay queued (and still run later, in order). */
	struct sim *sim = new_sim();
	struct log log = {0};
	struct probe p[3] = {{&log, 0}, {&log, 1}, {&log, 2}};
	sim_event_id head;
	sim_schedule(sim, 1 * SIM_S, record, &log, &p[0], &head);
	sim_schedule(sim, 9 * SIM_S, record, &log, &p[1], NULL);
	sim_schedule(sim, 9 * SIM_S, record, &log, &p[2], NULL);
	sim_cancel(sim, head);
	assert_int_equal(sim_run_until(sim, 5 * SIM_S), 0);
	assert_int_equal(log.n, 0);
	assert_int_equal(sim_now(sim), 5 * SIM_S);
	assert_int_equal(sim_pending(sim), 2);
	assert_int_equal(sim_run(sim), 2);
	assert_int_equal(log.tag[0], 1);
	assert_int_equal(log.tag[1], 2);
	sim_destroy(sim);
}

static void stopper(struct sim *sim, void *self, void *arg)
{
	record(sim, self, arg);
	sim_stop(sim);
}

static void test_stop(void **state)
{
	struct sim *sim = new_sim();
	struct log log = {0};
	sim_schedule(sim, 2, record, &log, NULL, NULL);
	sim_schedule(sim, 4, stopper, &log, NULL, NULL);
	sim_schedule(sim, 6, record, &log, NULL, NULL);
	/* Stopped after the event at 4: the clock stays there, not at end. */
	assert_int_equal(sim_run_until(sim, 100), 2);
	assert_int_equal(sim_now(sim), 4);
	assert_int_equal(sim_pending(sim), 1);
	/* The next call starts afresh. */
	assert_int_equal(sim_run(sim), 1);
	assert_int_equal(sim_now(sim), 6);
	sim_destroy(sim);
}

static void test_step(void **state)
{
	struct sim *sim = new_sim();
	struct log log = {0};
	struct probe p[2] = {{&log, 0}, {&log, 1}};
	sim_event_id id;
	assert_int_equal(sim_step(sim), 0); /* empty queue */
	sim_schedule(sim, 3, record, &log, &p[0], NULL);
	sim_schedule(sim, 3, record, &log, &p[1], &id);
	sim_schedule(sim, 8, record, &log, NULL, NULL);
	sim_cancel(sim, id);

	assert_int_equal(sim_step(sim), 1);
	assert_int_equal(log.n, 1);
	assert_int_equal(sim_now(sim), 3);
	assert_int_equal(sim_events(sim), 1);
	/* The cancelled tie is skipped: the next step runs the event at 8. */
	assert_int_equal(sim_step(sim), 1);
	assert_int_equal(log.n, 2);
	assert_int_equal(log.tag[1], -1);
	assert_int_equal(sim_now(sim), 8);
	assert_int_equal(sim_step(sim), 0);
	assert_int_equal(sim_events(sim), 2);
	assert_int_equal(sim_now(sim), 8);
	sim_destroy(sim);
}

/* A chain: each event schedules the next 'gap' later, and also one at
 * the same instant (it must run after everything already scheduled at
 * that instant). */
struct chain {
	struct log log;
	int left;
	sim_time_t gap;
};

static void chain_same_instant(struct sim *sim, void *self, void *arg)
{
	struct chain *c = self;
	c->log.tag[c->log.n] = 100;
	c->log.at[c->log.n++] = sim_now(sim);
}

static void chain_step(struct sim *sim, void *self, void *arg)
{
	struct chain *c = self;
	c->log.tag[c->log.n] = c->left;
	c->log.at[c->log.n++] = sim_now(sim);
	if (c->left-- <= 0)
		return;
	assert_int_equal(sim_schedule_in(sim, 0, chain_same_instant, c, NULL,
					 NULL), 0);
	assert_int_equal(sim_schedule_in(sim, c->gap, chain_step, c, NULL,
					 NULL), 0);
}

static void test_schedule_from_handler(void **state)
{
	struct sim *sim = new_sim();
	struct chain c = {.left = 3, .gap = 250 * SIM_MS};
	struct log other = {0};
	struct probe po = {&other, 7};
	sim_schedule(sim, SIM_S, chain_step, &c, NULL, NULL);
	/* Scheduled before the chain's same-instant event at 1 s: runs
	 * first among the ties after chain_step. */
	sim_schedule(sim, SIM_S, record, &other, &po, NULL);
	assert_int_equal(sim_run(sim), 3 + 4 + 1);
	/* 3@1s, 100@1s, 2@1.25s, 100@1.25s, 1@1.5s, 100@1.5s, 0@1.75s */
	static const int want[] = {3, 100, 2, 100, 1, 100, 0};
	static const sim_time_t at[] = {
		SIM_S, SIM_S, 1250 * SIM_MS, 1250 * SIM_MS, 1500 * SIM_MS,
		1500 * SIM_MS, 1750 * SIM_MS,
	};
	assert_int_equal(c.log.n, 7);
	for (int i = 0; i < 7; i++) {
		assert_int_equal(c.log.tag[i], want[i]);
		assert_int_equal(c.log.at[i], at[i]);
	}
	assert_int_equal(other.n, 1);
	assert_int_equal(other.at[0], SIM_S);
	sim_destroy(sim);
}

static void test_schedule_in_saturates(void **state)
{
	struct sim *sim = new_sim();
	struct log log = {0};
	sim_run_until(sim, 10);
	/* now + delay would overflow int64: the event lands at the end of
	 * time instead of wrapping into the past. */
	assert_int_equal(sim_schedule_in(sim, SIM_TIME_MAX, record, &log, NULL,
					 NULL), 0);
	assert_int_equal(sim_step(sim), 1);
	assert_int_equal(sim_now(sim), SIM_TIME_MAX);
	sim_destroy(sim);
}

/* Runs a fixed little trajectory; 'shift' moves one event by that many
 * ns, 'alt' swaps one handler. */
static uint64_t trajectory(int shift, int alt)
{
	struct sim *sim = sim_create(3, 0);
	struct log log = {0};
	assert_non_null(sim);
	sim_schedule(sim, 10, record, &log, NULL, NULL);
	sim_schedule(sim, 20 + shift, alt ? record_other : record, &log, NULL,
		     NULL);
	sim_schedule(sim, 30, record, &log, NULL, NULL);
	sim_run(sim);
	assert_int_equal(sim_events(sim), 3);
	uint64_t fp = sim_fingerprint(sim);
	sim_destroy(sim);
	return fp;
}

static void test_fingerprint(void **state)
{
	uint64_t base = trajectory(0, 0);
	assert_true(base == trajectory(0, 0));
	assert_true(base != trajectory(1, 0));
	assert_true(base != trajectory(0, 1));
	assert_true(trajectory(1, 0) != trajectory(0, 1));
	/* An empty run has a fingerprint, and one event changes it. */
	struct sim *sim = new_sim();
	uint64_t empty = sim_fingerprint(sim);
	sim_run(sim);
	assert_true(sim_fingerprint(sim) == empty);
	sim_destroy(sim);
	assert_true(empty != base);
}

static void test_fingerprint_seed_independent(void **state)
{
	/* The fingerprint hashes the trajectory, not the seed: the same
	 * events under another seed give the same value. */
	struct sim *a = sim_create(1, 0), *b = sim_create(99, 4);
	struct log la = {0}, lb = {0};
	sim_schedule(a, 5, record, &la, NULL, NULL);
	sim_schedule(b, 5, record, &lb, NULL, NULL);
	sim_run(a);
	sim_run(b);
	assert_true(sim_fingerprint(a) == sim_fingerprint(b));
	assert_int_equal(sim_seed(b), 99);
	assert_int_equal(sim_replication(b), 4);
	sim_destroy(a);
	sim_destroy(b);
}

static void draws(gsl_rng *r, unsigned long *out, int n)
{
	assert_non_null(r);
	for (int i = 0; i < n; i++)
		out[i] = gsl_rng_get(r);
}

static void test_rng_same_name_same_stream(void **state)
{
	struct sim *a = sim_create(42, 3), *b = sim_create(42, 3);
	unsigned long x[16], y[16];
	gsl_rng *ra = sim_rng(a, "l1");
	/* Asking again returns the same generator, not a fresh one. */
	assert_ptr_equal(ra, sim_rng(a, "l1"));
	draws(ra, x, 16);
	draws(sim_rng(b, "l1"), y, 16);
	assert_memory_equal(x, y, sizeof(x));
	sim_destroy(a);
	sim_destroy(b);
}

static int differ(const unsigned long *x, const unsigned long *y, int n)
{
	int d = 0;
	for (int i = 0; i < n; i++)
		d += x[i] != y[i];
	return d;
}

static void test_rng_streams_differ(void **state)
{
	unsigned long base[8], other[8];
	struct sim *s = sim_create(42, 0);
	draws(sim_rng(s, "sys:a"), base, 8);
	/* Another name in the same run. */
	draws(sim_rng(s, "sys:b"), other, 8);
	assert_int_equal(differ(base, other, 8), 8);
	sim_destroy(s);
	/* Another replication. */
	s = sim_create(42, 1);
	draws(sim_rng(s, "sys:a"), other, 8);
	assert_int_equal(differ(base, other, 8), 8);
	sim_destroy(s);
	/* Another seed. */
	s = sim_create(43, 0);
	draws(sim_rng(s, "sys:a"), other, 8);
	assert_int_equal(differ(base, other, 8), 8);
	sim_destroy(s);
	/* Seed and replication are not interchangeable. */
	assert_true(rng_stream_seed(1, 2, "x") != rng_stream_seed(2, 1, "x"));
	assert_true(rng_stream_seed(0, 0, "x") != rng_stream_seed(0, 0, "y"));
}

static void test_rng_adding_component_changes_nothing(void **state)
{
	unsigned long alone[16], crowded[16], mid[8];
	struct sim *a = sim_create(7, 2), *b = sim_create(7, 2);
	draws(sim_rng(a, "workload:w"), alone, 16);
	/* In b, other components exist first and draw, and one more is
	 * created between draws of ours. */
	draws(sim_rng(b, "l1"), mid, 8);
	draws(sim_rng(b, "da:celestia"), mid, 8);
	gsl_rng *r = sim_rng(b, "workload:w");
	draws(r, crowded, 8);
	draws(sim_rng(b, "sys:new"), mid, 8);
	draws(r, crowded + 8, 8);
	assert_memory_equal(alone, crowded, sizeof(alone));
	sim_destroy(a);
	sim_destroy(b);
}

static void test_rng_many_streams(void **state)
{
	/* More streams than the first allocation (16) holds: each still
	 * found again by name after the table grows. */
	struct sim *s = new_sim();
	gsl_rng *r[40];
	char name[32];
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		r[i] = sim_rng(s, name);
		assert_non_null(r[i]);
	}
	for (int i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "c%d", i);
		assert_ptr_equal(sim_rng(s, name), r[i]);
	}
	sim_destroy(s);
}

static void test_rng_known_answers(void **state)
{
	/* FNV-1a 64 and splitmix64: published vectors. */
	assert_true(rng_hash_str("") == UINT64_C(0xcbf29ce484222325));
	assert_true(rng_hash_str("a") == UINT64_C(0xaf63dc4c8601ec8c));
	assert_true(rng_mix64(0) == UINT64_C(0xe220a8397b1dcdaf));
	/* rng_stream_seed = mix(mix(mix(seed) ^ rep * 0xD6E8FEB86659FD93)
	 * ^ fnv(name)), worked out independently (Python, 64-bit wrap).  A
	 * change here changes every stream of every scenario. */
	assert_true(rng_stream_seed(1, 0, "l1") == UINT64_C(0x889b666390faedbc));
	assert_true(rng_stream_seed(42, 3, "workload:ordinary") ==
		    UINT64_C(0x53c452010316da7e));
	assert_true(rng_stream_seed(0, 0, "") == UINT64_C(0x7dc2c42b173ebf65));
	/* The first draws of the (1, 0, "l1") stream: taus2 seeded with the
	 * 64-bit seed folded to 32 bits (hi ^ lo), from a Python transcription
	 * of GSL's taus2 (LCG seeding, six warm-up steps). */
	struct sim *s = sim_create(1, 0);
	unsigned long x[3];
	draws(sim_rng(s, "l1"), x, 3);
	assert_int_equal(x[0], 2329677295UL);
	assert_int_equal(x[1], 1981905796UL);
	assert_int_equal(x[2], 2879197326UL);
	sim_destroy(s);
	/* rng_stream_create() gives the same stream as sim_rng(). */
	gsl_rng *r = rng_stream_create(1, 0, "l1");
	assert_int_equal(gsl_rng_get(r), 2329677295UL);
	gsl_rng_free(r);
}

static void test_rng_seed_never_zero(void **state)
{
	char name[32];
	for (int i = 0; i < 1000; i++) {
		snprintf(name, sizeof(name), "n%d", i);
		assert_true(rng_stream_seed((uint64_t)i, (uint32_t)i, name) != 0);
	}
}

static void test_destroy_null(void **state)
{
	sim_destroy(NULL);
}

struct prog {
	int calls;
	uint64_t last_events;
	sim_time_t last_now;
};

static void on_progress(void *ctx, sim_time_t now, uint64_t events)
{
	struct prog *p = ctx;
	p->calls++;
	p->last_events = events;
	p->last_now = now;
}

static void test_progress(void **state)
{
	struct sim *sim = new_sim();
	struct log log = {0};
	struct prog p = {0};
	sim_set_progress(sim, on_progress, &p, 4);
	for (int i = 1; i <= 10; i++)
		sim_schedule(sim, i, i % 2 ? record : record_other, &log, NULL,
			     NULL);
	log.n = 0;
	/* record() logs up to MAX_LOG; 10 is fine. */
	sim_run(sim);
	/* Every 4 events: after the 4th and the 8th. */
	assert_int_equal(p.calls, 2);
	assert_int_equal(p.last_events, 8);
	assert_int_equal(p.last_now, 8);
	sim_destroy(sim);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_then_seq_order),
		cmocka_unit_test(test_many_ties_keep_schedule_order),
		cmocka_unit_test(test_ids),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_cancel_after_run),
		cmocka_unit_test(test_cancel_does_not_change_fingerprint_of_the_rest),
		cmocka_unit_test(test_run_until),
		cmocka_unit_test(test_run_until_cancelled_head),
		cmocka_unit_test(test_stop),
		cmocka_unit_test(test_step),
		cmocka_unit_test(test_schedule_from_handler),
		cmocka_unit_test(test_schedule_in_saturates),
		cmocka_unit_test(test_fingerprint),
		cmocka_unit_test(test_fingerprint_seed_independent),
		cmocka_unit_test(test_rng_same_name_same_stream),
		cmocka_unit_test(test_rng_streams_differ),
		cmocka_unit_test(test_rng_adding_component_changes_nothing),
		cmocka_unit_test(test_rng_many_streams),
		cmocka_unit_test(test_rng_known_answers),
		cmocka_unit_test(test_rng_seed_never_zero),
		cmocka_unit_test(test_destroy_null),
		cmocka_unit_test(test_progress),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
