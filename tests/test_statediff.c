/*
 * State diffs: hand-computed bytes of small batches, the distinct-key and
 * initial-write formulas against brute-force simulation with the Zipf
 * sampler, writes repeated within a batch paid once, determinism, and the
 * inscription-wave comparison with a transaction-data rollup.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "l2sim/compress.h"
#include "l2sim/statediff.h"
#include "l2sim/txkind.h"

static gsl_rng *mkrng(unsigned long seed)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	gsl_rng_set(r, seed);
	return r;
}

/*
 * One transfer from a new sender to a new recipient, first batch:
 *   header                          1 + 3 + 1 + 2          =   7
 *   operator fee balance (repeated) 4 + 1 + 8              =  13
 *   sender nonce + balance, initial 2 x (32 + 1) + 1 + 7   =  74
 *   recipient balance, initial      32 + 1 + 8             =  41
 *                                                    total   135
 * The same transfer again (same sender and recipient: key spaces of one
 * key) rewrites them: 7 + 13 + (2 x (4 + 1) + 8) + (4 + 1 + 8) = 51.
 */
static void test_hand_transfer(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	uint64_t c[TX_KINDS] = { 1, 0, 0, 0, 0 };
	struct sd_breakdown b;
	gsl_rng *r = mkrng(1);
	struct sd_state *sd;

	txkind_defaults(p);
	sd = sd_state_create(p);
	assert_int_equal(sd_batch_bytes(sd, r, c, &b), 135);
	assert_true(b.keys_initial == 2.0 && b.keys_repeated == 0.0);
	assert_true(b.slots_initial == 3.0);
	assert_int_equal(b.bytes_fixed, 20);
	sd_state_destroy(sd);

	p[TX_TRANSFER].group[TXG_SENDER].key_space = 1;
	p[TX_TRANSFER].group[TXG_USER].key_space = 1;
	sd = sd_state_create(p);
	assert_int_equal(sd_batch_bytes(sd, r, c, NULL), 135);
	assert_int_equal(sd_batch_bytes(sd, r, c, &b), 51);
	assert_true(b.keys_repeated == 2.0 && b.keys_initial == 0.0);
	/* 500 of them in one batch cost the same: each slot once. */
	c[TX_TRANSFER] = 500;
	assert_int_equal(sd_batch_bytes(sd, r, c, NULL), 51);
	/* An empty batch publishes nothing. */
	c[TX_TRANSFER] = 0;
	assert_int_equal(sd_batch_bytes(sd, r, c, NULL), 0);
	sd_state_destroy(sd);
	gsl_rng_free(r);
}

/*
 * Inscriptions into one hot contract by one repeat minter: the counter
 * and the ledger and sender slots are paid once per batch however many
 * mints the batch holds.  First batch: 7 + 13 + sender (2 x 33 + 8 = 74) +
 * ledger (33 + 3 = 36) + counter (33 + 2 = 35) = 165; later batches
 * 20 + 18 + 8 + 7 = 53.
 */
static void test_repeated_in_batch(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	uint64_t c[TX_KINDS] = { 0, 0, 0, 0, 1000 };
	gsl_rng *r = mkrng(2);
	struct sd_state *sd;

	txkind_defaults(p);
	p[TX_INSCRIPTION].group[TXG_SENDER].key_space = 1;
	p[TX_INSCRIPTION].group[TXG_USER].key_space = 1;
	sd = sd_state_create(p);
	assert_int_equal(sd_batch_bytes(sd, r, c, NULL), 165);
	assert_int_equal(sd_batch_bytes(sd, r, c, NULL), 53);
	c[TX_INSCRIPTION] = 1;
	assert_int_equal(sd_batch_bytes(sd, r, c, NULL), 53);
	sd_state_destroy(sd);
	gsl_rng_free(r);
}

/* Brute force: mean distinct keys over 'reps' sets of n Zipf draws, and
 * mean first-ever keys in a batch of n after m earlier draws. */
static void brute(uint64_t K, double s, uint64_t m, uint64_t n, int reps,
		  double *distinct, double *initial)
{
	gsl_rng *r = mkrng(99);
	unsigned char *seen = malloc(K + 1), *now = malloc(K + 1);
	double sd = 0, si = 0;

	for (int i = 0; i < reps; i++) {
		memset(seen, 0, K + 1);
		memset(now, 0, K + 1);
		for (uint64_t j = 0; j < m; j++)
			seen[txkind_zipf(r, K, s)] = 1;
		for (uint64_t j = 0; j < n; j++) {
			uint64_t k = txkind_zipf(r, K, s);
			if (!now[k]) {
				now[k] = 1;
				sd += 1;
				si += !seen[k];
			}
		}
	}
	*distinct = sd / reps;
	*initial = si / reps;
	free(seen);
	free(now);
	gsl_rng_free(r);
}

static void check_formula(uint64_t K, double s, uint64_t m, uint64_t n)
{
	struct tx_kind_params p[TX_KINDS];
	uint64_t c[TX_KINDS] = { 0 };
	struct sd_breakdown b;
	double bd, bi, d;
	gsl_rng *r = mkrng(3);
	struct sd_state *sd;

	txkind_defaults(p);
	/* Only the ERC-20 user group, 1 slot per tx, counts. */
	p[TX_ERC20].group[TXG_USER] =
		(struct tx_state_group){ .slots = 1, .key_space = (int64_t)K,
					 .zipf = s, .value_bytes = 0 };
	p[TX_ERC20].group[TXG_SENDER].key_space = 1;
	sd = sd_state_create(p);
	d = sd_distinct(sd, TX_ERC20, TXG_USER, (double)n);
	brute(K, s, m, n, 200, &bd, &bi);
	if (fabs(d - bd) > 0.02 * bd + 0.5)
		fail_msg("K=%lu s=%g n=%lu: formula %.2f, brute force %.2f",
			 (unsigned long)K, s, (unsigned long)n, d, bd);
	if (m) {
		c[TX_ERC20] = m;
		sd_batch_bytes(sd, r, c, NULL);
		c[TX_ERC20] = n;
		sd_batch_bytes(sd, r, c, &b);
		/* the sender key space has one key: 1 repeated key */
		double init = b.keys_initial, rep = b.keys_repeated - 1;
		if (fabs(init - bi) > 0.03 * bi + 0.5 ||
		    fabs(init + rep - bd) > 0.02 * bd + 0.5)
			fail_msg("K=%lu s=%g m=%lu n=%lu: initial %.2f vs %.2f, "
				 "distinct %.2f vs %.2f", (unsigned long)K, s,
				 (unsigned long)m, (unsigned long)n, init, bi,
				 init + rep, bd);
	}
	sd_state_destroy(sd);
	gsl_rng_free(r);
}

static void test_formula_vs_brute(void **state)
{
	(void)state;
	/* all keys summed exactly */
	check_formula(300, 1.0, 0, 200);
	check_formula(300, 0.0, 0, 200);
	check_formula(400, 1.3, 500, 300);
	/* head + tail integral */
	check_formula(20000, 0.8, 0, 3000);
	check_formula(20000, 1.0, 20000, 2000);
	check_formula(100000, 1.2, 5000, 5000);
	check_formula(50000, 0.5, 100000, 10000);
}

/* Monotone and bounded: D grows with n, never beyond K or n. */
static void test_distinct_shape(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	struct sd_state *sd;
	double prev = 0;

	txkind_defaults(p);
	sd = sd_state_create(p);
	for (double n = 1; n < 1e18; n *= 1.37) {
		double d = sd_distinct(sd, TX_TRANSFER, TXG_USER, n);
		assert_true(d >= prev - 1e-6);
		assert_true(d <= n + 1e-9 && d <= 1e6 + 1e-6);
		prev = d;
	}
	assert_true(prev > 0.999 * 1e6);
	assert_true(sd_distinct(sd, TX_INSCRIPTION, TXG_HOT, 12345) == 1.0);
	sd_state_destroy(sd);
}

static void test_deterministic(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	gsl_rng *r1 = mkrng(5), *r2 = mkrng(5);
	struct sd_state *a, *b;

	txkind_defaults(p);
	a = sd_state_create(p);
	b = sd_state_create(p);
	for (int i = 0; i < 100; i++) {
		uint64_t c[TX_KINDS] = { 37 * (uint64_t)i, 11, (uint64_t)i % 7, 0, 5 };
		assert_int_equal(sd_batch_bytes(a, r1, c, NULL),
				 sd_batch_bytes(b, r2, c, NULL));
	}
	assert_true(sd_drawn(a, TX_ERC20, TXG_USER) == 100 * 11 * 2);
	sd_state_destroy(a);
	sd_state_destroy(b);
	sd_state_destroy(NULL);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
}

/*
 * The inscription wave (docs/sources.md §3): first-time minters cost ~70+ B/tx
 * in state diffs; once the minters have been seen, batches of 1,000 or
 * more cost < 30 B/tx, while the same transactions compressed as a
 * transaction-data rollup posts them stay near 100 B/tx (their signatures
 * and nonces do not compress).
 */
static void test_inscription_wave(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	uint64_t c[TX_KINDS] = { 0, 0, 0, 0, 1000 };
	gsl_rng *r = mkrng(8);
	struct sd_state *sd;
	struct comp_calib *cal;
	double first, warm, warm10k, txdata;

	txkind_defaults(p);
	sd = sd_state_create(p);
	first = sd_batch_bytes(sd, r, c, NULL) / 1000.0;
	for (int i = 0; i < 300; i++)
		sd_batch_bytes(sd, r, c, NULL);
	warm = sd_batch_bytes(sd, r, c, NULL) / 1000.0;
	c[TX_INSCRIPTION] = 10000;
	warm10k = sd_batch_bytes(sd, r, c, NULL) / 10000.0;
	cal = comp_calib_create(COMP_ZSTD, 3, p, r);
	txdata = comp_calib_batch_bytes(cal, c) / 10000.0;
	if (!(first > 60 && warm < 30 && warm10k < warm && warm10k > 5 &&
	      txdata > 50 && txdata < 150))
		fail_msg("first %.1f, warm %.1f, warm 10k %.1f, tx data %.1f B/tx",
			 first, warm, warm10k, txdata);
	comp_calib_destroy(cal);
	sd_state_destroy(sd);
	gsl_rng_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hand_transfer),
		cmocka_unit_test(test_repeated_in_batch),
		cmocka_unit_test(test_formula_vs_brute),
		cmocka_unit_test(test_distinct_shape),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_inscription_wave),
	};
	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
