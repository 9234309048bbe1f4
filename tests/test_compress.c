/*
 * Compression: names and levels, round trips through each real library,
 * and the calibration (deterministic, cached, bytes per transaction in the
 * range rollups see).  With L2SIM_BYTES_TABLE=1 in the environment it also
 * prints the bytes-per-transaction table of docs/model-bytes.md.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <brotli/encode.h>
#include <zlib.h>
#include <zstd.h>
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

static void test_names(void **state)
{
	(void)state;
	int lo, hi;

	assert_int_equal(comp_algo_from_name("none"), COMP_NONE);
	assert_int_equal(comp_algo_from_name("zlib"), COMP_ZLIB);
	assert_int_equal(comp_algo_from_name("brotli"), COMP_BROTLI);
	assert_int_equal(comp_algo_from_name("zstd"), COMP_ZSTD);
	assert_int_equal(comp_algo_from_name("lz4"), -1);
	comp_level_range(COMP_BROTLI, &lo, &hi);
	assert_int_equal(lo, 0);
	assert_int_equal(hi, 11);
	comp_level_range(COMP_ZLIB, &lo, &hi);
	assert_int_equal(hi, 9);
	assert_int_equal(comp_default_level(COMP_BROTLI), 11);
	assert_int_equal(comp_default_level(COMP_ZLIB), 9);
}

/* A batch of mixed synthetic transactions. */
static size_t sample(uint8_t *buf, size_t cap, int n, unsigned long seed)
{
	struct tx_kind_params p[TX_KINDS];
	gsl_rng *r = mkrng(seed);
	size_t len = 0;

	txkind_defaults(p);
	for (int i = 0; i < n; i++) {
		enum tx_kind k = (enum tx_kind)(i % TX_KINDS);
		len += txkind_encode(&p[k], k, r, buf + len, cap - len);
	}
	gsl_rng_free(r);
	return len;
}

static void test_round_trip(void **state)
{
	(void)state;
	static uint8_t in[200000], out[300000], back[200000];
	size_t n = sample(in, sizeof(in), 500, 1);

	assert_true(n > 50000);
	for (int a = 0; a < COMP_ALGOS; a++) {
		int lo, hi;
		comp_level_range((enum comp_algo)a, &lo, &hi);
		for (int level = lo; level <= hi; level += (hi - lo) / 2 + 1) {
			size_t c = comp_compress((enum comp_algo)a, level, in, n, out,
						 sizeof(out));
			assert_true(c > 0 && c <= comp_bound((enum comp_algo)a, n));
			if (a != COMP_NONE && level > 0) /* zlib 0 stores */
				assert_true(c < n);
			size_t d = comp_decompress((enum comp_algo)a, out, c, back,
						   sizeof(back));
			assert_int_equal(d, n);
			assert_memory_equal(in, back, n);
		}
	}
	/* Bad level, too small an output. */
	assert_int_equal(comp_compress(COMP_ZLIB, 10, in, n, out, sizeof(out)), 0);
	assert_int_equal(comp_compress(COMP_ZSTD, 3, in, n, out, 100), 0);
	assert_int_equal(comp_compress(COMP_BROTLI, 5, in, n, out, 100), 0);
}

static void counts_mix(uint64_t n, uint64_t c[TX_KINDS])
{
	/* An ordinary day: 60% transfers, 40% swaps. */
	memset(c, 0, sizeof(uint64_t) * TX_KINDS);
	c[TX_TRANSFER] = n * 6 / 10;
	c[TX_SWAP] = n - c[TX_TRANSFER];
}

/* comp_compress() runs the libraries with a tracked allocator; the bytes
 * must be exactly those of their one-shot calls, or every result would
 * move. */
static void test_same_bytes_as_one_shot(void **state)
{
	(void)state;
	size_t sizes[] = {0, 1, 100, 5000, 70000};
	uint8_t *in = malloc(70000), *a = malloc(80000), *b = malloc(80000);
	assert_non_null(in);
	assert_non_null(a);
	assert_non_null(b);
	uint64_t x = 88172645463325252ULL;
	for (size_t i = 0; i < 70000; i++) {
		x ^= x << 13, x ^= x >> 7, x ^= x << 17;
		/* text-like: few symbols, runs */
		in[i] = (uint8_t)("aaab0123  xyz\x00\xff"[x % 16]);
	}
	for (size_t s = 0; s < sizeof(sizes) / sizeof(*sizes); s++) {
		size_t n = sizes[s];
		for (int q = 0; q <= 11; q++) {
			size_t la = comp_compress(COMP_BROTLI, q, in, n, a, 80000);
			size_t lb = 80000;
			assert_true(BrotliEncoderCompress(q, 22,
							  BROTLI_MODE_GENERIC,
							  n, in, &lb, b));
			assert_int_equal(la, lb);
			assert_memory_equal(a, b, la);
		}
		for (int q = 1; q <= 9; q++) {
			size_t la = comp_compress(COMP_ZLIB, q, in, n, a, 80000);
			uLongf lb = 80000;
			assert_int_equal(compress2(b, &lb, in, n, q), Z_OK);
			assert_int_equal(la, lb);
			assert_memory_equal(a, b, la);
		}
		for (int q = 1; q <= 19; q += 3) {
			size_t la = comp_compress(COMP_ZSTD, q, in, n, a, 80000);
			size_t lb = ZSTD_compress(b, 80000, in, n, q);
			assert_false(ZSTD_isError(lb));
			assert_int_equal(la, lb);
			assert_memory_equal(a, b, la);
		}
	}
	free(in);
	free(a);
	free(b);
}

static void test_calib_cached(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	gsl_rng *r1 = mkrng(42), *r2 = mkrng(42);
	struct comp_calib *a, *b;
	uint64_t c[TX_KINDS];
	int64_t x, y;

	txkind_defaults(p);
	a = comp_calib_create(COMP_ZSTD, 3, p, r1);
	b = comp_calib_create(COMP_ZSTD, 3, p, r2);
	assert_non_null(a);
	assert_non_null(b);
	counts_mix(1000, c);
	x = comp_calib_batch_bytes(a, c);
	uint64_t used = comp_calib_compressions(a);
	assert_true(used >= 1 && used <= 2);
	/* Same call again: same answer, nothing compressed. */
	assert_int_equal(comp_calib_batch_bytes(a, c), x);
	assert_int_equal(comp_calib_compressions(a), used);
	/* Same mix bucket and size: cached too (1,001 txs, same nodes). */
	c[TX_TRANSFER]++;
	comp_calib_batch_bytes(a, c);
	assert_int_equal(comp_calib_compressions(a), used);
	c[TX_TRANSFER]--;
	/* Another object with the same seed: same bytes, in any call order. */
	uint64_t small[TX_KINDS] = { 10, 0, 0, 0, 0 };
	comp_calib_batch_bytes(b, small);
	y = comp_calib_batch_bytes(b, c);
	assert_int_equal(x, y);
	/* Raw bytes are exact. */
	assert_int_equal(comp_calib_raw_bytes(a, c), 600 * 118 + 400 * 342);
	/* Empty batch. */
	uint64_t zero[TX_KINDS] = { 0 };
	assert_int_equal(comp_calib_batch_bytes(a, zero), 0);
	/* Past the cap the ratio is the cap's: bytes scale linearly. */
	counts_mix(100000, c);
	x = comp_calib_batch_bytes(a, c);
	counts_mix(200000, c);
	y = comp_calib_batch_bytes(a, c);
	assert_true(llabs(y - 2 * x) <= 2);
	comp_calib_destroy(a);
	comp_calib_destroy(b);
	comp_calib_destroy(NULL);
	gsl_rng_free(r1);
	gsl_rng_free(r2);
}

/* Transfers and swaps after real compression: 30-250 B/tx (OP Stack's
 * estimator floors at 100 B/tx, docs/sources.md §3); bigger batches compress
 * at least as well as small ones. */
static void test_calib_range(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	gsl_rng *r = mkrng(7);

	txkind_defaults(p);
	for (int a = COMP_ZLIB; a < COMP_ALGOS; a++) {
		struct comp_calib *c = comp_calib_create((enum comp_algo)a,
			a == COMP_BROTLI ? 9 : comp_default_level((enum comp_algo)a),
			p, r);
		uint64_t cnt[TX_KINDS];
		double prev = 1e9;

		for (uint64_t n = 100; n <= 10000; n *= 10) {
			counts_mix(n, cnt);
			double per = (double)comp_calib_batch_bytes(c, cnt) / (double)n;
			if (per < 30 || per > 250)
				fail_msg("%s: %.1f B/tx at %lu txs", comp_algo_names[a],
					 per, (unsigned long)n);
			assert_true(per <= prev * 1.01);
			/* well below the raw 207.6 B/tx */
			assert_true(per < 0.8 * (0.6 * 118 + 0.4 * 342));
			prev = per;
		}
		comp_calib_destroy(c);
	}
	gsl_rng_free(r);
}

/* ---- the table of docs/model-bytes.md ---------------------------------- */

static void mix_counts(int row, uint64_t n, uint64_t c[TX_KINDS])
{
	memset(c, 0, sizeof(uint64_t) * TX_KINDS);
	if (row < TX_KINDS) {
		c[row] = n;
		return;
	}
	/* "typical": 40% transfers, 25% ERC-20, 25% swaps, 10% NFT mints */
	c[TX_TRANSFER] = n * 40 / 100;
	c[TX_ERC20] = n * 25 / 100;
	c[TX_SWAP] = n * 25 / 100;
	c[TX_NFT_MINT] = n - c[TX_TRANSFER] - c[TX_ERC20] - c[TX_SWAP];
}

static void test_print_table(void **state)
{
	(void)state;
	static const uint64_t sizes[3] = { 100, 1000, 10000 };
	struct tx_kind_params p[TX_KINDS];
	gsl_rng *r;

	if (!getenv("L2SIM_BYTES_TABLE"))
		skip();
	txkind_defaults(p);
	r = mkrng(2024);
	printf("| kind | raw B/tx | zlib-9 100 | 1k | 10k | brotli-11 100 | 1k | 10k"
	       " | zstd-3 100 | 1k | 10k | SDR first 1k | SDR warm 1k | 10k |\n");
	printf("|---|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
	for (int row = 0; row <= TX_KINDS; row++) {
		uint64_t c[TX_KINDS];

		mix_counts(row, 1, c);
		printf("| %s | %.0f |", row < TX_KINDS ? txkind_name((enum tx_kind)row)
			: "typical mix", row < TX_KINDS ? (double)p[row].size :
			0.4 * 118 + 0.25 * 180 + 0.25 * 342 + 0.1 * 181);
		for (int a = COMP_ZLIB; a < COMP_ALGOS; a++) {
			struct comp_calib *cal = comp_calib_create((enum comp_algo)a,
				comp_default_level((enum comp_algo)a), p, r);
			for (int j = 0; j < 3; j++) {
				mix_counts(row, sizes[j], c);
				printf(" %.0f |", (double)comp_calib_batch_bytes(cal, c) /
				       (double)sizes[j]);
			}
			comp_calib_destroy(cal);
		}
		{
			/* SDR: the first batch of 1,000, then after 1,000 batches
			 * of 1,000 (senders have been seen), at 1,000 and 10,000 */
			struct sd_state *sd = sd_state_create(p);
			mix_counts(row, 1000, c);
			printf(" %.0f |", sd_batch_bytes(sd, r, c, NULL) / 1000.0);
			for (int b = 0; b < 998; b++)
				sd_batch_bytes(sd, r, c, NULL);
			printf(" %.0f |", sd_batch_bytes(sd, r, c, NULL) / 1000.0);
			mix_counts(row, 10000, c);
			printf(" %.0f |\n", sd_batch_bytes(sd, r, c, NULL) / 10000.0);
			sd_state_destroy(sd);
		}
	}
	/* Saturation: the typical mix at 10,000 txs with sample caps. */
	printf("\n| sample cap | zlib-9 | brotli-11 | zstd-3 |\n|---|---|---|---|\n");
	for (size_t cap = 32 * 1024; cap <= 2048 * 1024; cap *= 4) {
		uint64_t c[TX_KINDS];
		printf("| %zu KiB |", cap / 1024);
		for (int a = COMP_ZLIB; a < COMP_ALGOS; a++) {
			struct comp_calib *cal = comp_calib_create((enum comp_algo)a,
				comp_default_level((enum comp_algo)a), p, r);
			comp_calib_set_cap(cal, cap);
			mix_counts(TX_KINDS, 100000, c);
			printf(" %.1f |", (double)comp_calib_batch_bytes(cal, c) / 1e5);
			comp_calib_destroy(cal);
		}
		printf("\n");
	}
	gsl_rng_free(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_same_bytes_as_one_shot),
		cmocka_unit_test(test_calib_cached),
		cmocka_unit_test(test_calib_range),
		cmocka_unit_test(test_print_table),
	};
	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
