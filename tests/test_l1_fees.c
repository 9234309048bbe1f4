/*
 * Fee math of models/l1 against the spec test vectors collected in the
 * project's reference data (sources named at each table) and hand-checked
 * sequences.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "l2sim/l1.h"

/* Decimal string to 128 bits (the vectors above 2^64 are given as text). */
static l1_u128 u128_parse(const char *s)
{
	l1_u128 v = 0;
	for (; *s; s++)
		v = v * 10 + (unsigned)(*s - '0');
	return v;
}

static void u128_format(l1_u128 v, char *buf, size_t len)
{
	char tmp[48];
	int n = 0;
	do {
		tmp[n++] = (char)('0' + (int)(v % 10));
		v /= 10;
	} while (v > 0);
	size_t k = 0;
	while (n > 0 && k + 1 < len)
		buf[k++] = tmp[--n];
	buf[k] = '\0';
}

static void assert_u128_equal(l1_u128 got, l1_u128 want)
{
	if (got != want) {
		char g[48], w[48];
		u128_format(got, g, sizeof(g));
		u128_format(want, w, sizeof(w));
		fail_msg("got %s, want %s", g, w);
	}
}

/* go-ethereum consensus/misc/eip4844/eip4844_test.go TestFakeExponential;
 * last row from bluealloy/revm crates/primitives/src/utilities.rs. */
static const struct {
	uint64_t factor, numerator, denominator, expected;
} fake_exp_vectors[] = {
	{ 1, 0, 1, 1 },
	{ 38493, 0, 1000, 38493 },
	{ 0, 1234, 2345, 0 },
	{ 1, 2, 1, 6 },
	{ 1, 4, 2, 6 },
	{ 1, 3, 1, 16 },
	{ 1, 6, 2, 18 },
	{ 1, 4, 1, 49 },
	{ 1, 8, 2, 50 },
	{ 10, 8, 2, 542 },
	{ 11, 8, 2, 596 },
	{ 1, 5, 1, 136 },
	{ 1, 5, 2, 11 },
	{ 2, 5, 2, 23 },
	{ 1, 50000000, 2225652, 5709098764 },
	{ 1, 380928, 3338477, 1 },
};

static void test_fake_exponential(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(fake_exp_vectors) / sizeof(fake_exp_vectors[0]); i++) {
		l1_u128 got = l1_fee_fake_exponential(fake_exp_vectors[i].factor,
						      fake_exp_vectors[i].numerator,
						      fake_exp_vectors[i].denominator);
		assert_u128_equal(got, fake_exp_vectors[i].expected);
	}
}

static void test_fake_exponential_saturates(void **state)
{
	(void)state;
	/* e^(2^40) is far beyond 128 bits: saturate, never wrap. */
	assert_u128_equal(l1_fee_fake_exponential(1, UINT64_C(1) << 40, 1),
			  L1_U128_MAX);
	assert_u128_equal(l1_fee_fake_exponential(UINT64_MAX, UINT64_MAX, 3338477),
			  L1_U128_MAX);
	assert_u128_equal(l1_fee_fake_exponential(1, 1, 0), L1_U128_MAX);
	/* The largest blob fee of the vectors still computes exactly, and a
	 * few times more excess still fits 128 bits (monotone). */
	l1_u128 a = l1_fee_blob_base(161087488, 3338477);
	l1_u128 b = l1_fee_blob_base(200000000, 3338477);
	assert_true(b > a);
	/* Checked with Python's unbounded integers. */
	assert_u128_equal(b, u128_parse("104116911553853437920042949"));
	/* 400M excess: 1.08e52 wei, beyond 128 bits. */
	assert_u128_equal(l1_fee_blob_base(400000000, 3338477), L1_U128_MAX);
	assert_int_equal(l1_u128_sat64(b), UINT64_MAX);
}

/* go-ethereum TestCalcBlobFee (first four); bluealloy/revm
 * test_calc_blob_fee (all seven).  Fraction 3,338,477 (Cancun). */
static const struct {
	uint64_t excess;
	const char *fee;
} blob_fee_vectors[] = {
	{ 0, "1" },
	{ 2314057, "1" },
	{ 2314058, "2" },
	{ 10485760, "23" },
	{ 148099578, "18446739238971471609" },
	{ 148099579, "18446744762204311910" },
	{ 161087488, "902580055246494526580" },
};

static void test_blob_base_fee_cancun(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(blob_fee_vectors) / sizeof(blob_fee_vectors[0]); i++)
		assert_u128_equal(l1_fee_blob_base(blob_fee_vectors[i].excess, 3338477),
				  u128_parse(blob_fee_vectors[i].fee));
	/* The row just above 2^64 saturates when narrowed. */
	assert_int_equal(l1_u128_sat64(l1_fee_blob_base(148099579, 3338477)),
			 UINT64_MAX);
	assert_int_equal(l1_u128_sat64(l1_fee_blob_base(148099578, 3338477)),
			 UINT64_C(18446739238971471609));
}

/* First excess with a 2-wei fee per fraction, and the fee at 10 MiB
 * excess: our computation with EIP-4844's exact integer algorithm
 * (docs/sources.md §2). */
static void test_first_excess_for_2_wei(void **state)
{
	(void)state;
	static const struct {
		uint64_t fraction, first, fee_at_10mib;
	} v[] = {
		{ 3338477, 2314058, 23 },
		{ 5007716, 3471087, 8 },
		{ 8346193, 5785142, 3 },
		{ 11684671, 8099199, 2 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_u128_equal(l1_fee_blob_base(v[i].first - 1, v[i].fraction), 1);
		assert_u128_equal(l1_fee_blob_base(v[i].first, v[i].fraction), 2);
		assert_u128_equal(l1_fee_blob_base(10485760, v[i].fraction),
				  v[i].fee_at_10mib);
	}
}

/* go-ethereum TestCalcExcessBlobGas, Cancun (target 3 blobs). */
static void test_excess_blob_gas_cancun(void **state)
{
	(void)state;
	static const struct {
		uint64_t excess, blobs, expected;
	} v[] = {
		{ 0, 0, 0 },           { 0, 1, 0 },
		{ 0, 3, 0 },           { 0, 4, 131072 },
		{ 1, 4, 131073 },      { 1, 5, 262145 },
		{ 393216, 3, 393216 }, { 393216, 2, 262144 },
		{ 393216, 1, 131072 }, { 131071, 2, 0 },
	};
	struct l1_fork f;
	assert_int_equal(l1_fork_preset("dencun", &f), 0);
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		/* Without EIP-7918 the parent base fee must not matter. */
		uint64_t a = l1_fee_excess_blob_gas(&f, v[i].excess,
						    v[i].blobs * 131072, 1000000000);
		uint64_t b = l1_fee_excess_blob_gas(&f, v[i].excess,
						    v[i].blobs * 131072, 1);
		assert_int_equal(a, v[i].expected);
		assert_int_equal(b, v[i].expected);
	}
	/* Saturation instead of wrap near 2^64. */
	assert_int_equal(l1_fee_excess_blob_gas(&f, UINT64_MAX, UINT64_MAX, 1),
			 UINT64_MAX);
}

/* go-ethereum TestCalcExcessBlobGasEIP7918 and TestCalcBlobFeePostOsaka
 * (test-only schedules for the last two). */
static void test_excess_blob_gas_eip7918(void **state)
{
	(void)state;
	static const struct {
		int32_t target, max;
		uint64_t fraction, excess, used, base_fee, expected;
	} v[] = {
		{ 6, 9, 5007716, 0, 786432, 1000000000, 262144 },
		{ 6, 9, 5007716, 0, 786432, 1, 0 },
		{ 9, 14, 8832827, 5149252, 1310720, 30, 5617366 },
		{ 21, 32, 20609697, 19251039, 2490368, 50, 20107103 },
	};
	for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		struct l1_fork f = { .name = "explicit",
				     .blob_target = v[i].target,
				     .blob_max = v[i].max,
				     .blob_update_fraction = v[i].fraction,
				     .eip7623 = true,
				     .eip7918 = true };
		assert_int_equal(l1_fee_excess_blob_gas(&f, v[i].excess, v[i].used,
							v[i].base_fee),
				 v[i].expected);
	}
	/* The same first vector without EIP-7918 takes the plain branch. */
	struct l1_fork pectra;
	assert_int_equal(l1_fork_preset("pectra", &pectra), 0);
	assert_int_equal(l1_fee_excess_blob_gas(&pectra, 0, 786432, 1000000000), 0);
	/* Fusaka keeps 6/9 and adds the reserve price. */
	struct l1_fork fusaka;
	assert_int_equal(l1_fork_preset("osaka", &fusaka), 0);
	assert_int_equal(l1_fee_excess_blob_gas(&fusaka, 0, 786432, 1000000000),
			 262144);
}

/* go-ethereum consensus/misc/eip1559/eip1559_test.go TestCalcBaseFee. */
static void test_eip1559_vectors(void **state)
{
	(void)state;
	assert_int_equal(l1_fee_next_base(1000000000, 20000000, 10000000), 1000000000);
	assert_int_equal(l1_fee_next_base(1000000000, 20000000, 9000000), 987500000);
	assert_int_equal(l1_fee_next_base(1000000000, 20000000, 11000000), 1012500000);
}

static void test_eip1559_sequence(void **state)
{
	(void)state;
	/*
	 * Hand-computed, gas limit 30M (target 15M), start 1 gwei:
	 *  1 full (30M):   1e9 * 15M/15M/8 = 125,000,000        -> 1,125,000,000
	 *  2 full:         1,125,000,000/8 = 140,625,000        -> 1,265,625,000
	 *  3 full:         1,265,625,000/8 = 158,203,125        -> 1,423,828,125
	 *  4 empty:        1,423,828,125/8 = 177,978,515.6 -> 177,978,515
	 *                                                       -> 1,245,849,610
	 *  5 22.5M:        1,245,849,610 * 7.5M / 15M = 622,924,805; /8 =
	 *                  77,865,600.6 -> 77,865,600           -> 1,323,715,210
	 *  6 15M (target): unchanged                            -> 1,323,715,210
	 *  7 14,999,999:   1,323,715,210 * 1 / 15M = 88; /8 = 11 -> 1,323,715,199
	 */
	static const struct {
		int64_t used;
		uint64_t next;
	} seq[] = {
		{ 30000000, 1125000000 }, { 30000000, 1265625000 },
		{ 30000000, 1423828125 }, { 0, 1245849610 },
		{ 22500000, 1323715210 }, { 15000000, 1323715210 },
		{ 14999999, 1323715199 },
	};
	uint64_t fee = 1000000000;
	for (size_t i = 0; i < sizeof(seq) / sizeof(seq[0]); i++) {
		fee = l1_fee_next_base(fee, 30000000, seq[i].used);
		assert_int_equal(fee, seq[i].next);
	}
	/* Tiny fees: an increase is at least 1 wei; a decrease of 7 * 1/8
	 * rounds to 0, so 7 wei is sticky on empty blocks. */
	assert_int_equal(l1_fee_next_base(7, 30000000, 15000001), 8);
	assert_int_equal(l1_fee_next_base(7, 30000000, 0), 7);
	assert_int_equal(l1_fee_next_base(8, 30000000, 0), 7);
	/* Saturation at the top. */
	assert_int_equal(l1_fee_next_base(UINT64_MAX - 1, 30000000, 30000000),
			 UINT64_MAX);
}

static void test_calldata_gas(void **state)
{
	(void)state;
	/* EIP-7623 worked example: 100,000 nonzero bytes, no execution:
	 * EIP-2028 21,000 + 16 * 100,000 = 1,621,000;
	 * EIP-7623 floor 21,000 + 10 * 400,000 tokens = 4,021,000. */
	assert_int_equal(l1_fee_calldata_gas(false, 0, 100000, 0), 1621000);
	assert_int_equal(l1_fee_calldata_gas(true, 0, 100000, 0), 4021000);
	/* 1,000 zero + 1,000 nonzero: tokens 5,000; standard 21,000 + 20,000;
	 * floor 21,000 + 50,000. */
	assert_int_equal(l1_fee_calldata_gas(false, 1000, 1000, 0), 41000);
	assert_int_equal(l1_fee_calldata_gas(true, 1000, 1000, 0), 71000);
	/* Execution-heavy: 100 nonzero bytes + 100,000 exec gas; standard
	 * 21,000 + 1,600 + 100,000 = 122,600 beats the floor 25,000. */
	assert_int_equal(l1_fee_calldata_gas(true, 0, 100, 100000), 122600);
	assert_int_equal(l1_fee_calldata_gas(false, 0, 100, 100000), 122600);
	/* Exactly at the switch: 4*tokens + exec == 10*tokens. */
	assert_int_equal(l1_fee_calldata_gas(true, 0, 100, 2400), 25000);
	assert_int_equal(l1_fee_calldata_gas(true, 0, 0, 0), 21000);
	assert_int_equal(l1_fee_calldata_gas(true, -5, -5, -5), 21000);
	assert_int_equal(l1_fee_calldata_gas(true, INT64_MAX, INT64_MAX, 0),
			 INT64_MAX);
}

static void test_fork_presets(void **state)
{
	(void)state;
	struct l1_fork f;
	assert_int_equal(l1_fork_preset("dencun", &f), 0);
	assert_int_equal(f.blob_target, 3);
	assert_int_equal(f.blob_max, 6);
	assert_int_equal(f.blob_update_fraction, 3338477);
	assert_false(f.eip7623);
	assert_false(f.eip7918);
	assert_int_equal(l1_fork_preset("pectra", &f), 0);
	assert_int_equal(f.blob_target, 6);
	assert_int_equal(f.blob_max, 9);
	assert_int_equal(f.blob_update_fraction, 5007716);
	assert_true(f.eip7623);
	assert_false(f.eip7918);
	assert_int_equal(l1_fork_preset("bpo1", &f), 0);
	assert_int_equal(f.blob_target, 10);
	assert_int_equal(f.blob_max, 15);
	assert_int_equal(f.blob_update_fraction, 8346193);
	assert_true(f.eip7918);
	assert_int_equal(f.max_blobs_per_tx, 6);
	assert_int_equal(l1_fork_preset("bpo2", &f), 0);
	assert_int_equal(f.blob_target, 14);
	assert_int_equal(f.blob_max, 21);
	assert_int_equal(f.blob_update_fraction, 11684671);
	assert_int_equal(f.default_gas_limit, 60000000);
	assert_int_equal(l1_fork_preset("prague", &f), 0);
	assert_string_equal(f.name, "pectra");
	assert_int_equal(l1_fork_preset("bpo3", &f), L2S_EINPUT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fake_exponential),
		cmocka_unit_test(test_fake_exponential_saturates),
		cmocka_unit_test(test_blob_base_fee_cancun),
		cmocka_unit_test(test_first_excess_for_2_wei),
		cmocka_unit_test(test_excess_blob_gas_cancun),
		cmocka_unit_test(test_excess_blob_gas_eip7918),
		cmocka_unit_test(test_eip1559_vectors),
		cmocka_unit_test(test_eip1559_sequence),
		cmocka_unit_test(test_calldata_gas),
		cmocka_unit_test(test_fork_presets),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
