/*
 * The event queue against slow twins: qsort of the same events, and a plain
 * sorted array driven by the same random schedule.  Order must be exactly
 * (time, seq).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "l2sim/queue.h"

/* Smaller runs under the sanitizers (make sanitize), full size otherwise. */
#ifdef __SANITIZE_ADDRESS__
#define SCALE 4
#else
#define SCALE 1
#endif

/* Deterministic test randomness (splitmix64). */
static uint64_t rnd_state;

static uint64_t rnd(void)
{
	uint64_t z = (rnd_state += UINT64_C(0x9E3779B97F4A7C15));
	z = (z ^ (z >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94D049BB133111EB);
	return z ^ (z >> 31);
}

static uint64_t rnd_below(uint64_t n) { return rnd() % n; }

static struct sim_event mk(sim_time_t t, uint64_t seq)
{
	struct sim_event e = {
		.time = t,
		.seq = seq,
		.fn = NULL,
		.self = (void *)(uintptr_t)(seq * 3 + 1),
		.arg = (void *)(uintptr_t)(seq ^ UINT64_C(0x5555)),
	};
	return e;
}

static int cmp_ev(const void *pa, const void *pb)
{
	const struct sim_event *a = pa, *b = pb;
	if (a->time != b->time)
		return a->time < b->time ? -1 : 1;
	if (a->seq != b->seq)
		return a->seq < b->seq ? -1 : 1;
	return 0;
}

static void assert_same(const struct sim_event *got,
			const struct sim_event *want)
{
	assert_int_equal(got->time, want->time);
	assert_int_equal(got->seq, want->seq);
	assert_ptr_equal(got->self, want->self);
	assert_ptr_equal(got->arg, want->arg);
	assert_ptr_equal(got->fn, want->fn);
}

/* ---- slow twin: a sorted array, least event last ----------------------- */

struct twin {
	struct sim_event *a; /* descending (time, seq) */
	size_t n, cap;
};

static void twin_push(struct twin *t, const struct sim_event *e)
{
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 64;
		t->a = realloc(t->a, t->cap * sizeof(*t->a));
		assert_non_null(t->a);
	}
	/* first position whose event is less than e */
	size_t lo = 0, hi = t->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp_ev(&t->a[mid], e) < 0)
			hi = mid;
		else
			lo = mid + 1;
	}
	memmove(t->a + lo + 1, t->a + lo, (t->n - lo) * sizeof(*t->a));
	t->a[lo] = *e;
	t->n++;
}

static int twin_pop(struct twin *t, struct sim_event *out)
{
	if (t->n == 0)
		return 0;
	*out = t->a[--t->n];
	return 1;
}

static size_t twin_size(const struct twin *t) { return t->n; }

static sim_time_t twin_peek_time(const struct twin *t)
{
	return t->n ? t->a[t->n - 1].time : SIM_TIME_MAX;
}

/* ---- tests -------------------------------------------------------------- */

static void test_empty(void **state)
{
	(void)state;
	sim_queue_destroy(NULL);
	struct sim_queue *q = sim_queue_create();
	assert_non_null(q);
	struct sim_event e;
	assert_int_equal(sim_queue_size(q), 0);
	assert_int_equal(sim_queue_pop(q, &e), 0);
	assert_true(sim_queue_peek_time(q) == SIM_TIME_MAX);

	/* Empty again after use, and usable again after that. */
	for (int round = 0; round < 3; round++) {
		for (uint64_t i = 0; i < 100; i++) {
			struct sim_event in = mk((sim_time_t)(i * 7 % 13), i);
			assert_int_equal(sim_queue_push(q, &in), 0);
		}
		assert_int_equal(sim_queue_size(q), 100);
		for (int i = 0; i < 100; i++)
			assert_int_equal(sim_queue_pop(q, &e), 1);
		assert_int_equal(sim_queue_size(q), 0);
		assert_int_equal(sim_queue_pop(q, &e), 0);
		assert_true(sim_queue_peek_time(q) == SIM_TIME_MAX);
	}
	sim_queue_destroy(q);
}

static void test_order_and_ties(void **state)
{
	(void)state;
	struct sim_queue *q = sim_queue_create();
	/* seq pushed out of order, times with many ties */
	static const sim_time_t times[] = {5, 3, 5, 5, 0, 3, 9, 5, 0, 9};
	static const uint64_t seqs[] = {40, 7, 2, 31, 5, 1, 8, 3, 4, 6};
	size_t n = sizeof(times) / sizeof(times[0]);
	for (size_t i = 0; i < n; i++) {
		struct sim_event e = mk(times[i], seqs[i]);
		assert_int_equal(sim_queue_push(q, &e), 0);
	}
	static const uint64_t want[] = {4, 5, 1, 7, 2, 3, 31, 40, 6, 8};
	static const sim_time_t want_t[] = {0, 0, 3, 3, 5, 5, 5, 5, 9, 9};
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(sim_queue_peek_time(q), want_t[i]);
		struct sim_event e;
		assert_int_equal(sim_queue_pop(q, &e), 1);
		assert_int_equal(e.seq, want[i]);
		assert_int_equal(e.time, want_t[i]);
	}
	assert_int_equal(sim_queue_pop(q, (struct sim_event[1]){0}), 0);

	/* Equal times pop strictly by seq, also for a bucket far too full to
	 * split (width 1 ns) and for pushes at that time while popping. */
	for (uint64_t i = 0; i < 5000; i++) {
		struct sim_event e = mk(1000, 5000 - i);
		assert_int_equal(sim_queue_push(q, &e), 0);
	}
	uint64_t next_seq = 5001, expect = 1;
	for (int i = 0; i < 5000; i++) {
		struct sim_event e;
		assert_int_equal(sim_queue_pop(q, &e), 1);
		assert_int_equal(e.time, 1000);
		assert_int_equal(e.seq, expect);
		expect++;
		if (i % 3 == 0) {
			struct sim_event more = mk(1000, next_seq++);
			assert_int_equal(sim_queue_push(q, &more), 0);
		}
	}
	while (sim_queue_size(q) > 0) {
		struct sim_event e;
		assert_int_equal(sim_queue_pop(q, &e), 1);
		assert_int_equal(e.seq, expect);
		expect++;
	}
	assert_int_equal(expect, next_seq);
	sim_queue_destroy(q);
}

static void test_extreme_times(void **state)
{
	(void)state;
	struct sim_queue *q = sim_queue_create();
	sim_time_t ts[] = {SIM_TIME_MAX, 0, INT64_MIN, SIM_TIME_MAX - 1, 1,
			   SIM_TIME_MAX, -5, INT64_MIN + 1};
	size_t n = sizeof(ts) / sizeof(ts[0]);
	struct sim_event ref[80];
	size_t m = 0;
	/* Enough copies to take the bucket paths, not only the direct one. */
	for (int rep = 0; rep < 8; rep++) {
		for (size_t i = 0; i < n; i++) {
			ref[m] = mk(ts[i], m + 1);
			assert_int_equal(sim_queue_push(q, &ref[m]), 0);
			m++;
		}
	}
	qsort(ref, m, sizeof(ref[0]), cmp_ev);
	for (size_t i = 0; i < m; i++) {
		struct sim_event e;
		assert_true(sim_queue_peek_time(q) == ref[i].time);
		assert_int_equal(sim_queue_pop(q, &e), 1);
		assert_same(&e, &ref[i]);
		/* push at exactly the current time, and at the very end */
		if (i == 8 * n / 2) {
			struct sim_event a = mk(e.time, 1000), b =
				mk(SIM_TIME_MAX, 1001);
			assert_int_equal(sim_queue_push(q, &a), 0);
			assert_int_equal(sim_queue_push(q, &b), 0);
			ref[m++] = a;
			ref[m++] = b;
			qsort(ref + i + 1, m - i - 1, sizeof(ref[0]), cmp_ev);
		}
	}
	assert_int_equal(sim_queue_size(q), 0);
	sim_queue_destroy(q);
}

enum dist { D_UNIFORM, D_EQUAL, D_FEW, D_EXP, D_FAR, D_SKEW, D_NDIST };

/* now + d, saturating at the end of time (d >= 0) */
static sim_time_t later(sim_time_t now, sim_time_t d)
{
	return d > SIM_TIME_MAX - now ? SIM_TIME_MAX : now + d;
}

static sim_time_t draw_time(enum dist d, sim_time_t now)
{
	switch (d) {
	case D_UNIFORM:
		return later(now, (sim_time_t)rnd_below(1000000000));
	case D_EQUAL:
		return now;
	case D_FEW: /* a handful of distinct times, many ties */
		return later(now, (sim_time_t)rnd_below(4) * 1000);
	case D_EXP: { /* PHOLD-like: lookahead plus a heavy-ish tail */
		double u = (double)(rnd() >> 11) / 9007199254740992.0;
		double x = -1e9 * __builtin_log(1.0 - u);
		return later(now, 100000000 + (sim_time_t)x);
	}
	case D_FAR: /* mostly near, some at the end of time */
		if (rnd_below(10) == 0) {
			sim_time_t t = SIM_TIME_MAX - (sim_time_t)rnd_below(3);
			return t < now ? now : t;
		}
		return later(now, (sim_time_t)rnd_below(1000));
	case D_SKEW: /* delays spread over 60 octaves: deep ladders */
	default: {
		unsigned k = (unsigned)rnd_below(61);
		return later(now, (sim_time_t)(rnd() >> (64 - k - 1) >> 1));
	}
	}
}

static void test_million_vs_qsort(void **state)
{
	(void)state;
	struct sim_event *ref = malloc(1000000 * sizeof(*ref));
	assert_non_null(ref);
	for (int d = 0; d < D_NDIST; d++) {
		/* a million for the PHOLD-like case, fewer for the rest */
		size_t n = (d == D_EXP ? 1000000 : 200000) / SCALE;
		rnd_state = 1000 + (uint64_t)d;
		struct sim_queue *q = sim_queue_create();
		for (size_t i = 0; i < n; i++) {
			/* seq unique but not in push order */
			ref[i] = mk(draw_time((enum dist)d, 0),
				    (uint64_t)i * UINT64_C(2654435761) % n);
			assert_int_equal(sim_queue_push(q, &ref[i]), 0);
		}
		assert_int_equal(sim_queue_size(q), n);
		qsort(ref, n, sizeof(*ref), cmp_ev);
		for (size_t i = 0; i < n; i++) {
			struct sim_event e;
			assert_int_equal(sim_queue_pop(q, &e), 1);
			if (e.time != ref[i].time || e.seq != ref[i].seq)
				fail_msg("dist %d: pop %zu got (%lld, %llu) "
					 "want (%lld, %llu)",
					 d, i, (long long)e.time,
					 (unsigned long long)e.seq,
					 (long long)ref[i].time,
					 (unsigned long long)ref[i].seq);
			assert_same(&e, &ref[i]);
		}
		assert_int_equal(sim_queue_pop(q, (struct sim_event[1]){0}), 0);
		sim_queue_destroy(q);
	}
	free(ref);
}

/*
 * Random schedules against the sorted array: hold model (pop one, push one
 * later), interleaved pushes and pops, bursts of equal times, pushes at the
 * current time, far-future times, put-backs of the event just popped (as
 * the engine does when a cancelled head hid a later event).
 */
static void run_twin(uint64_t seed, size_t steps, size_t fill)
{
	rnd_state = seed;
	struct sim_queue *q = sim_queue_create();
	struct twin t = {0};
	uint64_t seq = 1;
	sim_time_t now = (sim_time_t)rnd_below(1000);
	enum dist d = (enum dist)rnd_below(D_NDIST);

	for (size_t i = 0; i < fill; i++) {
		struct sim_event e = mk(draw_time(d, now), seq++);
		assert_int_equal(sim_queue_push(q, &e), 0);
		twin_push(&t, &e);
	}
	for (size_t s = 0; s < steps; s++) {
		if (rnd_below(5000) == 0)
			d = (enum dist)rnd_below(D_NDIST);
		unsigned op = (unsigned)rnd_below(100);
		if (op < 45) { /* hold: pop one, push one */
			struct sim_event a, b;
			int ga = sim_queue_pop(q, &a), gb = twin_pop(&t, &b);
			assert_int_equal(ga, gb);
			if (ga) {
				assert_same(&a, &b);
				now = a.time;
			}
			struct sim_event e = mk(draw_time(d, now), seq++);
			assert_int_equal(sim_queue_push(q, &e), 0);
			twin_push(&t, &e);
		} else if (op < 65) { /* pop */
			struct sim_event a, b;
			assert_true(sim_queue_peek_time(q) ==
				    twin_peek_time(&t));
			int ga = sim_queue_pop(q, &a), gb = twin_pop(&t, &b);
			assert_int_equal(ga, gb);
			if (ga) {
				assert_same(&a, &b);
				now = a.time;
			}
		} else if (op < 85) { /* push */
			struct sim_event e = mk(draw_time(d, now), seq++);
			assert_int_equal(sim_queue_push(q, &e), 0);
			twin_push(&t, &e);
		} else if (op < 92) { /* burst at one time, maybe now */
			sim_time_t bt = rnd_below(2) ? now : draw_time(d, now);
			size_t k = 1 + rnd_below(100);
			for (size_t j = 0; j < k; j++) {
				struct sim_event e = mk(bt, seq++);
				assert_int_equal(sim_queue_push(q, &e), 0);
				twin_push(&t, &e);
			}
		} else if (op < 97) { /* pop then put back */
			struct sim_event a, b;
			int ga = sim_queue_pop(q, &a), gb = twin_pop(&t, &b);
			assert_int_equal(ga, gb);
			if (ga) {
				assert_same(&a, &b);
				now = a.time;
				assert_int_equal(sim_queue_push(q, &a), 0);
				twin_push(&t, &a);
			}
		} else { /* drain a stretch */
			size_t k = rnd_below(300);
			for (size_t j = 0; j < k; j++) {
				struct sim_event a, b;
				int ga = sim_queue_pop(q, &a),
				    gb = twin_pop(&t, &b);
				assert_int_equal(ga, gb);
				if (!ga)
					break;
				assert_same(&a, &b);
				now = a.time;
			}
		}
		assert_int_equal(sim_queue_size(q), twin_size(&t));
	}
	/* drain */
	for (;;) {
		struct sim_event a, b;
		int ga = sim_queue_pop(q, &a), gb = twin_pop(&t, &b);
		assert_int_equal(ga, gb);
		if (!ga)
			break;
		assert_same(&a, &b);
	}
	free(t.a);
	sim_queue_destroy(q);
}

static void test_twin_small(void **state)
{
	(void)state;
	for (uint64_t s = 1; s <= 40; s++)
		run_twin(s, 20000 / SCALE, s % 2 ? 10 : 2000);
}

static void test_twin_large(void **state)
{
	(void)state;
	for (uint64_t s = 100; s < 103; s++)
		run_twin(s, 50000 / SCALE, 20000);
}

/* Every distribution in turn, each long enough to rebuild the ladder. */
static void test_twin_per_dist(void **state)
{
	(void)state;
	for (int d = 0; d < D_NDIST; d++) {
		rnd_state = 77 + (uint64_t)d;
		struct sim_queue *q = sim_queue_create();
		struct twin t = {0};
		uint64_t seq = 1;
		sim_time_t now = 0;
		for (int i = 0; i < 2500; i++) {
			struct sim_event e = mk(draw_time((enum dist)d, now),
						seq++);
			assert_int_equal(sim_queue_push(q, &e), 0);
			twin_push(&t, &e);
		}
		for (int i = 0; i < 40000 / SCALE; i++) {
			struct sim_event a, b;
			assert_int_equal(sim_queue_pop(q, &a), 1);
			assert_int_equal(twin_pop(&t, &b), 1);
			assert_same(&a, &b);
			now = a.time;
			struct sim_event e = mk(draw_time((enum dist)d, now),
						seq++);
			assert_int_equal(sim_queue_push(q, &e), 0);
			twin_push(&t, &e);
		}
		free(t.a);
		sim_queue_destroy(q);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_order_and_ties),
		cmocka_unit_test(test_extreme_times),
		cmocka_unit_test(test_million_vs_qsort),
		cmocka_unit_test(test_twin_small),
		cmocka_unit_test(test_twin_large),
		cmocka_unit_test(test_twin_per_dist),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
