/*
 * Transaction kinds: names, documented encoding sizes (hand-counted RLP
 * layouts), exact size fitting, determinism, the Zipf sampler against its
 * exact probabilities, and the scenario overrides and their errors.
 */
#define _GNU_SOURCE
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>

#include "l2sim/scenario.h"
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
	for (int k = 0; k < TX_KINDS; k++)
		assert_int_equal(txkind_from_name(txkind_name((enum tx_kind)k)), k);
	assert_string_equal(txkind_name(TX_NFT_MINT), "nft_mint");
	assert_int_equal(txkind_from_name("inscription"), TX_INSCRIPTION);
	assert_int_equal(txkind_from_name("swaps"), -1);
	assert_int_equal(txkind_from_name(NULL), -1);
	assert_string_equal(txkind_name(TX_KINDS), "?");
}

/*
 * Smallest transfer, by hand: type byte 1 + list header (f8 len) 2 +
 * chain id 8453 (82 21 05) 3 + nonce 1 + priority fee (83 + 3 B) 4 +
 * max fee (84 + 4 B) 5 + gas 21000 (82 52 08) 3 + to (94 + 20 B) 21 +
 * value 1 + data 1 + access list c0 1 + y parity 1 + r (a0 + 32) 33 +
 * s 33 = 110.  Gas limits of 65,536 and more take one byte more.
 */
static void test_min_size(void **state)
{
	(void)state;
	assert_int_equal(txkind_min_size(TX_TRANSFER, 21000), 110);
	assert_int_equal(txkind_min_size(TX_ERC20, 52000), 110);    /* 65,000 */
	assert_int_equal(txkind_min_size(TX_SWAP, 150000), 111);    /* 188,000 */
}

/* Every default encodes to its documented size; the layout parses as
 * a type-2 RLP list whose last 66 bytes are r and s. */
static void test_encode_sizes(void **state)
{
	(void)state;
	static const int64_t doc[TX_KINDS] = { 118, 180, 342, 181, 171 };
	struct tx_kind_params p[TX_KINDS];
	gsl_rng *r = mkrng(3);
	uint8_t buf[4096];

	txkind_defaults(p);
	for (int k = 0; k < TX_KINDS; k++) {
		assert_int_equal(p[k].size, doc[k]);
		for (int i = 0; i < 500; i++) {
			size_t n = txkind_encode(&p[k], (enum tx_kind)k, r, buf,
						 sizeof(buf));
			size_t payload;

			assert_int_equal(n, (size_t)doc[k]);
			assert_int_equal(buf[0], 0x02);
			if (buf[1] == 0xf8) {
				payload = buf[2];
				assert_int_equal(n, 3 + payload);
			} else {
				assert_int_equal(buf[1], 0xf9);
				payload = (size_t)buf[2] << 8 | buf[3];
				assert_int_equal(n, 4 + payload);
			}
			assert_int_equal(buf[n - 33], 0xa0);
			assert_int_equal(buf[n - 66], 0xa0);
		}
	}
	/* The ERC-20 calldata carries transfer(address,uint256). */
	txkind_encode(&p[TX_ERC20], TX_ERC20, r, buf, sizeof(buf));
	assert_non_null(memmem(buf, 180, "\xa9\x05\x9c\xbb", 4));
	/* The inscription carries its text. */
	txkind_encode(&p[TX_INSCRIPTION], TX_INSCRIPTION, r, buf, sizeof(buf));
	assert_non_null(memmem(buf, 171, "data:,{\"p\":\"erc-20\",\"op\":\"mint\"", 30));
	gsl_rng_free(r);
}

/* Overridden sizes are hit exactly (except 259, which RLP cannot say). */
static void test_encode_fit(void **state)
{
	(void)state;
	static const int64_t sizes[] = { 110, 111, 150, 160, 170, 240, 258, 259,
					 260, 300, 1000, 70000 };
	struct tx_kind_params p[TX_KINDS];
	static uint8_t buf[80000];
	gsl_rng *r = mkrng(5);

	txkind_defaults(p);
	for (int k = 0; k < TX_KINDS; k++)
		for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
			struct tx_kind_params q = p[k];
			q.size = sizes[i];
			if ((size_t)q.size < txkind_min_size((enum tx_kind)k, q.gas))
				continue;
			for (int j = 0; j < 50; j++) {
				size_t n = txkind_encode(&q, (enum tx_kind)k, r, buf,
							 sizeof(buf));
				assert_int_equal(n, q.size == 259 ? 260 : (size_t)q.size);
			}
		}
	/* Too small a buffer or size: 0. */
	assert_int_equal(txkind_encode(&p[TX_SWAP], TX_SWAP, r, buf, 100), 0);
	p[TX_TRANSFER].size = 109;
	assert_int_equal(txkind_encode(&p[TX_TRANSFER], TX_TRANSFER, r, buf, 4096), 0);
	gsl_rng_free(r);
}

static void test_encode_deterministic(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	gsl_rng *a = mkrng(11), *b = mkrng(11);
	uint8_t x[4096], y[4096];

	txkind_defaults(p);
	for (int i = 0; i < 200; i++) {
		enum tx_kind k = (enum tx_kind)(i % TX_KINDS);
		size_t n = txkind_encode(&p[k], k, a, x, sizeof(x));
		size_t m = txkind_encode(&p[k], k, b, y, sizeof(y));
		assert_int_equal(n, m);
		assert_memory_equal(x, y, n);
	}
	gsl_rng_free(a);
	gsl_rng_free(b);
}

/* Popular contracts repeat within a batch: the 'to' of 1,000 swaps (2,000
 * pools, Zipf 1.2) takes far fewer distinct values than 1,000. */
static void test_encode_repeats(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	gsl_rng *r = mkrng(13);
	uint8_t buf[4096], to[1000][20];
	int distinct = 0;

	txkind_defaults(p);
	for (int i = 0; i < 1000; i++) {
		txkind_encode(&p[TX_SWAP], TX_SWAP, r, buf, sizeof(buf));
		/* type, f9 len len, chain 3, nonce ?, ... find the 0x94 of 'to'
		 * after the gas limit 83 02 de 60 (188,000) */
		uint8_t *g = memmem(buf, 40, "\x83\x02\xde\x60\x94", 5);
		assert_non_null(g);
		memcpy(to[i], g + 5, 20);
		int seen = 0;
		for (int j = 0; j < i && !seen; j++)
			seen = memcmp(to[j], to[i], 20) == 0;
		distinct += !seen;
	}
	assert_true(distinct > 50 && distinct < 500);
	gsl_rng_free(r);
}

/* Frequencies of the sampler against exact Zipf probabilities: each
 * within 5 standard errors over 200,000 draws. */
static void check_zipf(uint64_t n, double s)
{
	gsl_rng *r = mkrng(17);
	enum { DRAWS = 200000 };
	double cnt[64] = { 0 }, z = 0;

	for (uint64_t k = 1; k <= n; k++)
		z += pow((double)k, -s);
	for (int i = 0; i < DRAWS; i++) {
		uint64_t k = txkind_zipf(r, n, s);
		assert_true(k >= 1 && k <= n);
		cnt[k - 1]++;
	}
	for (uint64_t k = 1; k <= n; k++) {
		double pk = pow((double)k, -s) / z, e = DRAWS * pk;
		double se = sqrt(DRAWS * pk * (1 - pk));
		if (fabs(cnt[k - 1] - e) > 5 * se + 1)
			fail_msg("zipf n=%lu s=%g k=%lu: %g draws, expected %g",
				 (unsigned long)n, s, (unsigned long)k, cnt[k - 1], e);
	}
	gsl_rng_free(r);
}

static void test_zipf(void **state)
{
	(void)state;
	check_zipf(10, 1.1);
	check_zipf(50, 0.8);
	check_zipf(20, 1.0);
	check_zipf(30, 2.5);
	check_zipf(40, 0.0);
	gsl_rng *r = mkrng(1);
	assert_int_equal(txkind_zipf(r, 1, 1.0), 1);
	for (int i = 0; i < 1000; i++)
		assert_true(txkind_zipf(r, UINT64_C(1000000000000), 1.0) >= 1);
	gsl_rng_free(r);
}

/* ---- scenario overrides ------------------------------------------------ */

/* Field by field: structs have padding. */
static void assert_params_equal(const struct tx_kind_params *a,
				const struct tx_kind_params *b)
{
	assert_int_equal(a->size, b->size);
	assert_int_equal(a->gas, b->gas);
	for (int g = 0; g < TXG_GROUPS; g++) {
		assert_int_equal(a->group[g].slots, b->group[g].slots);
		assert_int_equal(a->group[g].key_space, b->group[g].key_space);
		assert_true(a->group[g].zipf == b->group[g].zipf);
		assert_int_equal(a->group[g].value_bytes, b->group[g].value_bytes);
	}
}

static int read_kinds(const char *json, struct tx_kind_params p[TX_KINDS],
		      struct l2s_error *err)
{
	struct scenario *scn = NULL;
	char text[2048];
	struct scn_obj root, kinds;
	bool present;
	int rc;

	snprintf(text, sizeof(text), "{\"kinds\": %s}", json);
	l2s_error_clear(err);
	assert_int_equal(scenario_load_text("k.json", text, &scn, err), 0);
	root = scn_root(scn);
	assert_int_equal(scn_get_obj(&root, "kinds", &kinds, &present, err), 0);
	txkind_defaults(p);
	rc = txkind_read(&kinds, p, err);
	scenario_destroy(scn);
	return rc;
}

static void test_read(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS], d[TX_KINDS];
	struct l2s_error err;

	txkind_defaults(d);
	assert_int_equal(read_kinds("{}", p, &err), 0);
	for (int k = 0; k < TX_KINDS; k++)
		assert_params_equal(&p[k], &d[k]);
	assert_int_equal(read_kinds(
		"{\"swap\": {\"size\": \"300B\", \"slots\": 4, \"key_space\": 100000,"
		" \"zipf\": 1.1, \"gas\": 150000, \"hot\": {\"slots\": 2},"
		" \"sender\": {\"key_space\": 5000}}}", p, &err), 0);
	assert_int_equal(p[TX_SWAP].size, 300);
	assert_int_equal(p[TX_SWAP].gas, 150000);
	assert_int_equal(p[TX_SWAP].group[TXG_USER].slots, 4);
	assert_int_equal(p[TX_SWAP].group[TXG_USER].key_space, 100000);
	assert_true(p[TX_SWAP].group[TXG_USER].zipf == 1.1);
	assert_int_equal(p[TX_SWAP].group[TXG_HOT].slots, 2);
	assert_int_equal(p[TX_SWAP].group[TXG_HOT].key_space, 2000);
	assert_int_equal(p[TX_SWAP].group[TXG_SENDER].key_space, 5000);
	assert_int_equal(p[TX_SWAP].group[TXG_SENDER].slots, 2);
	assert_params_equal(&p[TX_ERC20], &d[TX_ERC20]);
}

static void test_read_errors(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	struct l2s_error err;

	assert_int_equal(read_kinds("{\"swapp\": {}}", p, &err), L2S_EINPUT);
	assert_non_null(strstr(err.msg, "swapp"));
	assert_non_null(strstr(err.hint, "swap"));
	assert_int_equal(read_kinds("{\"erc20\": {\"slot\": 3}}", p, &err),
			 L2S_EINPUT);
	assert_non_null(strstr(err.hint, "slots"));
	assert_int_equal(read_kinds("{\"nft_mint\": {\"hot\": {\"zipff\": 1}}}",
				    p, &err), L2S_EINPUT);
	assert_non_null(strstr(err.hint, "zipf"));
	assert_int_equal(read_kinds("{\"transfer\": {\"size\": \"50B\"}}", p, &err),
			 L2S_EINPUT);
	assert_non_null(strstr(err.msg, "smallest"));
	assert_int_equal(read_kinds("{\"swap\": {\"zipf\": -1}}", p, &err),
			 L2S_EINPUT);
	assert_int_equal(read_kinds("{\"swap\": {\"sender\": {\"slots\": 3}}}",
				    p, &err), L2S_EINPUT);
	assert_int_equal(read_kinds("{\"swap\": {\"key_space\": 0}}", p, &err),
			 L2S_EINPUT);
}

/* Rollup-native encodings: sizes by hand from the layouts (op byte,
 * 4-byte indices, 3-byte amounts, 1-byte fee, 64-byte signature unless
 * aggregated), the encoder writes exactly that, and RLP is unchanged. */
static void test_compact_encodings(void **state)
{
	(void)state;
	struct tx_kind_params p[TX_KINDS];
	txkind_defaults(p);
	static const size_t agg[TX_KINDS] = {
		1 + 4 + 4 + 3 + 1,             /* transfer 13 */
		1 + 4 + 4 + 4 + 3 + 1,         /* erc20 17 */
		1 + 4 + 4 + 1 + 3 + 3 + 1,     /* swap 17 */
		1 + 4 + 4 + 1 + 1,             /* nft_mint 11 */
		1 + 4 + 4 + 1 + 59 + 1,        /* inscription: 59-byte text */
	};
	gsl_rng *rng = gsl_rng_alloc(gsl_rng_taus2);
	gsl_rng_set(rng, 9);
	uint8_t buf[1024];
	for (int k = 0; k < TX_KINDS; k++) {
		assert_int_equal(txkind_encoded_size(&p[k], k, TXENC_RLP),
				 (size_t)p[k].size);
		assert_int_equal(txkind_encoded_size(&p[k], k, TXENC_COMPACT_AGG),
				 agg[k]);
		assert_int_equal(txkind_encoded_size(&p[k], k, TXENC_COMPACT),
				 agg[k] + 64);
		for (int e = 0; e < TXENC_COUNT; e++)
			for (int i = 0; i < 20; i++)
				assert_int_equal(
					txkind_encode_as(&p[k], k, e, rng, buf,
							 sizeof(buf)),
					txkind_encoded_size(&p[k], k, e));
		/* Too small a buffer: nothing written. */
		assert_int_equal(txkind_encode_as(&p[k], k, TXENC_COMPACT_AGG,
						  rng, buf, agg[k] - 1), 0);
	}
	/* The ETH transfer: 118 bytes signed RLP, 13 rollup-native with
	 * aggregated signatures: 9.1x before any compression (Buterin's
	 * ~112 -> ~12). */
	assert_int_equal(p[TX_TRANSFER].size, 118);
	/* A transfer's amount is a 3-byte float: 5-bit exponent, 19-bit
	 * mantissa; the op byte is kind + 1; the sender index follows. */
	gsl_rng_set(rng, 3);
	assert_int_equal(txkind_encode_as(&p[TX_TRANSFER], TX_TRANSFER,
					  TXENC_COMPACT_AGG, rng, buf,
					  sizeof(buf)), 13);
	assert_int_equal(buf[0], 1);
	assert_true((buf[9] >> 3) <= 31);
	gsl_rng_free(rng);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_min_size),
		cmocka_unit_test(test_encode_sizes),
		cmocka_unit_test(test_encode_fit),
		cmocka_unit_test(test_encode_deterministic),
		cmocka_unit_test(test_encode_repeats),
		cmocka_unit_test(test_zipf),
		cmocka_unit_test(test_read),
		cmocka_unit_test(test_read_errors),
		cmocka_unit_test(test_compact_encodings),
	};
	gsl_set_error_handler_off();
	return cmocka_run_group_tests(tests, NULL, NULL);
}
