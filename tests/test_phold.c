/*
 * PHOLD on the real engine: deterministic, exact event count, constant
 * population, parameter checks.  Speed is measured by tests/bench.sh, never
 * here.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "l2sim/phold.h"

static struct phold_result run(int64_t lps, int64_t per_lp, int64_t events,
			       uint64_t seed)
{
	struct phold_params p = {
		.lps = lps, .events_per_lp = per_lp, .events = events,
		.seed = seed,
	};
	struct phold_result r;
	struct l2s_error err;
	l2s_error_clear(&err);
	assert_int_equal(phold_run(&p, &r, &err), 0);
	assert_int_equal(err.code, 0);
	return r;
}

static void test_deterministic(void **state)
{
	(void)state;
	struct phold_result a = run(100, 4, 20000, 7);
	struct phold_result b = run(100, 4, 20000, 7);
	struct phold_result c = run(100, 4, 20000, 8);
	assert_int_equal(a.fingerprint, b.fingerprint);
	assert_true(a.sim_seconds == b.sim_seconds);
	assert_int_not_equal(a.fingerprint, c.fingerprint);
	/* A longer run goes through the same first 20000 events, and more. */
	struct phold_result d = run(100, 4, 20001, 7);
	assert_int_not_equal(a.fingerprint, d.fingerprint);
}

static void test_counts(void **state)
{
	(void)state;
	static const int64_t cfg[][3] = {
		{1, 1, 1},        {1, 1, 1000},   {3, 5, 17},
		{1000, 1, 50000}, {50, 20, 3000}, {10000, 2, 10},
	};
	for (size_t i = 0; i < sizeof(cfg) / sizeof(cfg[0]); i++) {
		struct phold_result r = run(cfg[i][0], cfg[i][1], cfg[i][2], 1);
		assert_int_equal(r.events, (uint64_t)cfg[i][2]);
		assert_int_equal(r.pending_end,
				 (size_t)(cfg[i][0] * cfg[i][1]));
		assert_true(r.wall_seconds >= 0.0);
		assert_true(r.events_per_sec >= 0.0);
		/* every delay is at least the 0.1 s lookahead */
		assert_true(r.sim_seconds >= 0.1);
	}
}

/* Mean delay 1 s plus 0.1 s lookahead: with N pending events the clock
 * advances about 1.1 s per N events. */
static void test_clock_rate(void **state)
{
	(void)state;
	struct phold_result r = run(1000, 1, 200000, 3);
	double per_round = r.sim_seconds / (200000.0 / 1000.0);
	assert_true(per_round > 1.0 && per_round < 1.2);
}

static void test_bad_params(void **state)
{
	(void)state;
	static const int64_t bad[][3] = {
		{0, 1, 10},  {-1, 1, 10}, {1, 0, 10},
		{1, 1, 0},   {1, -5, 10}, {(int64_t)1 << 40, 1, 10},
		{(int64_t)1 << 31, (int64_t)1 << 40, 10},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct phold_params p = {
			.lps = bad[i][0], .events_per_lp = bad[i][1],
			.events = bad[i][2], .seed = 1,
		};
		struct phold_result r;
		struct l2s_error err;
		l2s_error_clear(&err);
		assert_int_equal(phold_run(&p, &r, &err), L2S_EUSAGE);
		assert_int_equal(err.code, L2S_EUSAGE);
		assert_true(err.msg[0] != '\0');
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_clock_rate),
		cmocka_unit_test(test_bad_params),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
