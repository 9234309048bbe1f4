/*
 * L2 fee formulas (models/fees) on the numbers of the OP Stack's and
 * ArbOS's own tests and on hand-checked inputs, and the fee state of an
 * instance on small runs.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "l2sim/fees.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/world.h"
#include "support/testutil.h"

static size_t hex_decode(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	for (; hex[0] && hex[1] && n < cap; hex += 2) {
		unsigned v;
		sscanf(hex, "%2x", &v);
		out[n++] = (uint8_t)v;
	}
	return n;
}

/* An empty transaction and a contract call, from the FastLZ length tests
 * of Hyperledger Besu's OP Stack support (util/flz/FastLzTest), whose
 * lengths agree with op-geth's FlzCompressLen. */
static const char *empty_tx =
	"DD80808094095E7BAEA6A6C7C4C2DFEB977EFAC326AF552D878080808080";
static const char *contract_call_tx =
	"02f901550a758302df1483be21b88304743f94f8"
	"0e51afb613d764fa61751affd3313c190a86bb870151bd62fd12adb8"
	"e41ef24f3f0000000000000000000000000000000000000000000000"
	"00000000000000006e000000000000000000000000af88d065e77c8c"
	"c2239327c5edb3a432268e5831000000000000000000000000000000"
	"000000000000000000000000000003c1e50000000000000000000000"
	"00000000000000000000000000000000000000000000000000000000"
	"000000000000000000000000000000000000000000000000a0000000"
	"00000000000000000000000000000000000000000000000000000000"
	"148c89ed219d02f1a5be012c689b4f5b731827bebe00000000000000"
	"0000000000c001a033fd89cb37c31b2cba46b6466e040c61fc9b2a36"
	"75a7f5f493ebd5ad77c497f8a07cdf65680e238392693019b4092f61"
	"0222e71b7cec06449cb922b93b6a12744e";

static void test_flz_vectors(void **state)
{
	(void)state;
	uint8_t buf[1024] = {0};
	assert_int_equal(fees_flz_compress_len(buf, 0), 0);
	memset(buf, 1, 1000);
	assert_int_equal(fees_flz_compress_len(buf, 1000), 21);
	memset(buf, 0, 1000);
	assert_int_equal(fees_flz_compress_len(buf, 1000), 21);
	size_t n = hex_decode(empty_tx, buf, sizeof(buf));
	assert_int_equal(n, 30);
	assert_int_equal(fees_flz_compress_len(buf, n), 31);
	n = hex_decode(contract_call_tx, buf, sizeof(buf));
	assert_int_equal(fees_flz_compress_len(buf, n), 202);
	/* Under 13 bytes everything is literal: one run of 12 costs 13. */
	assert_int_equal(fees_flz_compress_len(buf, 12), 13);
}

/*
 * op-geth core/types/rollup_cost_test.go: L1 base fee 1,000 Mwei, blob
 * base fee 10 Mwei, base fee scalar 2, blob base fee scalar 3; the empty
 * transaction (30 non-zero bytes) costs 960,900 wei under Ecotone:
 * 480 * (16*2*1e9 + 3*1e7) / 16e6 = 480 * 2001.875 = 960,900;
 * under Fjord its FastLZ size 31 is below the regression's minimum, so
 * 100e6 * 32,030,000,000 / 1e12 = 3,203,000.
 */
static void test_op_fee_vectors(void **state)
{
	(void)state;
	assert_int_equal(fees_op_ecotone(0, 30, 1000000000, 10000000, 2, 3),
			 960900);
	assert_int_equal(fees_op_fjord(31, 1000000000, 10000000, 2, 3),
			 3203000);
	/* The contract call: FastLZ 202, estimated size
	 * -42,585,600 + 836,500 * 202 = 126,387,400;
	 * 126,387,400 * 32,030,000,000 / 1e12 = 4,048,188.4. */
	assert_int_equal(fees_op_fjord(202, 1000000000, 10000000, 2, 3),
			 4048188);
	/* Zero bytes cost 4 of 16: 16 zero bytes weigh as 4 non-zero. */
	assert_int_equal(fees_op_ecotone(16, 0, 1000000000, 10000000, 2, 3),
			 fees_op_ecotone(0, 4, 1000000000, 10000000, 2, 3));
	/* The OP Stack deploy defaults (1368, 810949) at a 1 wei blob fee
	 * and a 10 gwei L1 base fee, a 100-byte transaction:
	 * 1600 * (16*1368*1e10 + 810949) / 16e6 = 21,888,000,081 wei. */
	assert_int_equal(fees_op_ecotone(0, 100, 10000000000, 1, 1368,
					 810949),
			 21888000081);
}

/* OP Stack EIP-1559 (elasticity 6, denominator 250): target = 5M of a
 * 30M limit; a full block raises 1 gwei by 1e9 * 25M / 5M / 250 = 2%, an
 * empty one lowers it by 1e9 / 250 = 0.4%. */
static void test_op_eip1559(void **state)
{
	(void)state;
	assert_int_equal(fees_eip1559_next(1000000000, 30000000, 30000000, 6,
					   250, 0),
			 1020000000);
	assert_int_equal(fees_eip1559_next(1000000000, 30000000, 0, 6, 250,
					   0),
			 996000000);
	assert_int_equal(fees_eip1559_next(1000000000, 30000000, 5000000, 6,
					   250, 0),
			 1000000000);
	/* At 100 wei an increase is still at least 1 wei; a decrease
	 * rounds to nothing; the Jovian floor holds. */
	assert_int_equal(fees_eip1559_next(100, 30000000, 5000001, 6, 250, 0),
			 101);
	assert_int_equal(fees_eip1559_next(100, 30000000, 0, 6, 250, 0), 100);
	assert_int_equal(fees_eip1559_next(1000, 30000000, 0, 6, 250, 2000),
			 2000);
}

/* ArbOS ApproxExpBasisPoints: e^1 as 10000 + 2500 -> 14166 -> 17083 ->
 * 27083 bips; e^-1 as 1e8 / 27083 = 3692. */
static void test_arb_exp(void **state)
{
	(void)state;
	assert_int_equal(fees_arb_exp_bips(0), 10000);
	assert_int_equal(fees_arb_exp_bips(10000), 27083);
	assert_int_equal(fees_arb_exp_bips(-10000), 3692);
	/* e^2: 15000 -> 20000 -> 30000 -> 70000 (true value 73891, the
	 * code's comment: about 5% under at 20000 bips). */
	assert_int_equal(fees_arb_exp_bips(20000), 70000);
}

/* ArbOS L2 pricing with the initial values (speed limit 7M gas/s,
 * tolerance 10, inertia 102, minimum 0.1 gwei): a backlog of 784M gas
 * is 714M above 70M, exactly inertia * speed limit, so the base fee is
 * 0.1 gwei * e^1 = 0.1 gwei * 27083 / 10000. */
static void test_arb_l2(void **state)
{
	(void)state;
	assert_int_equal(fees_arb_l2_base_fee(0, 7000000, 10, 102, 100000000),
			 100000000);
	assert_int_equal(fees_arb_l2_base_fee(70000000, 7000000, 10, 102,
					      100000000),
			 100000000);
	assert_int_equal(fees_arb_l2_base_fee(784000000, 7000000, 10, 102,
					      100000000),
			 270830000);
}

static struct fees_arb_l1 arb_pricer(uint64_t price)
{
	struct fees_arb_l1 p = {.equil_units = 160000000, .inertia = 10,
				.per_unit_reward = 0};
	fees_arb_l1_init(&p, price);
	return p;
}

/*
 * One report, hand-checked: 160M units collected at 1 gwei (1.6e17 wei in
 * the pool); the poster spent 5 gwei per unit (8e17) on a batch posted at
 * t = 10, reported at 15, the first update (last = 9): 1/6 of the units
 * (26,666,666) are allocated; the pool pays 1.6e17 of the 8e17 due, so the
 * surplus is -6.4e17; desired derivative 6.4e17 / 160M = 4e9; actual
 * -6.4e17 / 26,666,666 = -24,000,000,601 (floor); change (4e9 +
 * 24,000,000,601) * 26,666,666 / (16M + 26,666,666) = 17,500,000,211.
 */
static void test_arb_l1_step(void **state)
{
	(void)state;
	struct fees_arb_l1 p = arb_pricer(1000000000);
	fees_arb_l1_collect(&p, 160000000);
	assert_true(p.fees_available == (__int128)160000000 * 1000000000);
	assert_int_equal(fees_arb_l1_report(&p, 10, 15,
					    (__int128)5000000000 * 160000000, 0),
			 0);
	assert_int_equal(p.units_since, 160000000 - 26666666);
	assert_true(p.fees_available == 0);
	assert_true(p.last_surplus == -(__int128)640000000000000000);
	assert_true(p.price_per_unit == (__int128)18500000211);
	/* Time going back is refused. */
	assert_int_equal(fees_arb_l1_report(&p, 5, 15, 1, 0), -1);
}

/*
 * The same report under an amortized cost cap of 10,000 bips at an L1 base
 * fee of 1 gwei: the spending counted is at most 1 gwei * 26,666,666
 * allocated units = 2.6666666e16 wei (the rest is the poster's loss); the
 * pool pays it and keeps 1.33333334e17, a surplus: desired derivative
 * floor(-1.33333334e17 / 160M) = -833,333,338, actual 1.33333334e17 /
 * 26,666,666 = 5,000,000,150, change (-833,333,338 - 5,000,000,150) *
 * 26,666,666 / 42,666,666 = -3,645,833,396: the price falls below zero
 * and stops at 0.
 */
static void test_arb_l1_cost_cap(void **state)
{
	(void)state;
	struct fees_arb_l1 p = {.equil_units = 160000000, .inertia = 10,
				.per_unit_reward = 0, .cost_cap_bips = 10000};
	fees_arb_l1_init(&p, 1000000000);
	fees_arb_l1_collect(&p, 160000000);
	assert_int_equal(fees_arb_l1_report(&p, 10, 15,
					    (__int128)5000000000 * 160000000,
					    1000000000),
			 0);
	assert_true(p.due_poster == 0);
	assert_true(p.fees_available == (__int128)133333334000000000);
	assert_true(p.last_surplus == (__int128)133333334000000000);
	assert_true(p.price_per_unit == 0);
}

/*
 * nitro arbos/l1pricing_test.go, _testL1PriceEquilibration: no reward,
 * ten rounds of 160M units collected at the current price and a report
 * (posted at 10(i+1), processed 5 s later) of the poster spending the
 * equilibrium price on them; the price must move the right way and by the
 * full distance within 1%.
 */
static void equilibration(uint64_t initial, uint64_t equilibrium)
{
	struct fees_arb_l1 p = arb_pricer(initial);
	for (uint64_t i = 0; i < 10; i++) {
		fees_arb_l1_collect(&p, 160000000);
		assert_int_equal(fees_arb_l1_report(
					 &p, 10 * (i + 1), 10 * (i + 1) + 5,
					 (__int128)equilibrium * 160000000, 0),
				 0);
	}
	__int128 want = (__int128)equilibrium - (__int128)initial;
	__int128 got = p.price_per_unit - (__int128)initial;
	if (want == 0) {
		assert_true(got == 0);
		return;
	}
	assert_true((want > 0) == (got > 0));
	if (want < 0) {
		want = -want;
		got = -got;
	}
	assert_true(want * 100 <= got * 101 && got * 100 <= want * 101);
}

static void test_arb_l1_equilibration(void **state)
{
	(void)state;
	equilibration(1000000000, 5000000000);
	equilibration(5000000000, 1000000000);
	equilibration(2000000000, 2000000000);
}

/*
 * zkSync Era fee model V2 on the guide's "rollup with 4844" column: L1 gas
 * 30 gwei, blob pubdata 2 gwei per byte, batch overhead 1M L1 gas, pubdata
 * part 0.4, compute part 0.7, 250,000 pubdata and 200M gas per batch:
 *   overhead = 3e16 wei;  fair L2 = 0.1 gwei + 0.7 * 3e16 / 2e8 = 0.205 gwei
 *   fair pubdata = 2 gwei + 0.4 * 3e16 / 250,000 = 50 gwei.
 * A transfer of 21,000 gas and 100 pubdata bytes: ceil(50 / 0.205) = 244
 * gas per byte; (21,000 + 24,400) * 0.205 gwei = 9,307,000 gwei.
 */
static void test_zk_fee(void **state)
{
	(void)state;
	struct fees_zk_params z = {
		.minimal_l2_gas_price = 100000000,
		.compute_overhead_part = 0.7, .pubdata_overhead_part = 0.4,
		.batch_overhead_l1_gas = 1000000, .max_gas_per_batch = 200000000,
		.max_pubdata_per_batch = 250000,
	};
	uint64_t l2, pd;
	fees_zk_prices(&z, 30000000000, 2000000000, &l2, &pd);
	assert_int_equal(l2, 205000000);
	assert_int_equal(pd, 50000000000);
	assert_int_equal(fees_zk_tx_fee(21000, 100, l2, pd),
			 (uint64_t)45400 * 205000000);
	/* A validium: no pubdata price, the whole overhead on compute. */
	struct fees_zk_params v = z;
	v.compute_overhead_part = 1;
	v.pubdata_overhead_part = 0;
	fees_zk_prices(&v, 30000000000, 0, &l2, &pd);
	assert_int_equal(l2, 250000000);
	assert_int_equal(pd, 0);
	assert_int_equal(fees_zk_tx_fee(21000, 0, l2, pd),
			 (uint64_t)21000 * 250000000);
}

/* ---- instances: runs built in memory ----------------------------------- */

static struct run_result *run_json(const char *json)
{
	struct l2s_error err;
	l2s_error_clear(&err);
	struct scenario *scn;
	if (scenario_load_text("test.json", json, &scn, &err))
		fail_msg("scenario: %s", err.msg);
	struct world_settings ws;
	if (world_read_settings(scn, &ws, &err))
		fail_msg("settings: %s", err.msg);
	struct sim *sim = sim_create(ws.seed, 0);
	struct world *w;
	if (world_create(sim, scn, &w, &err))
		fail_msg("world: %s", err.msg);
	assert_int_equal(world_run(w, &err), 0);
	struct run_result *res = run_result_create();
	world_collect(w, res);
	world_destroy(w);
	sim_destroy(sim);
	scenario_destroy(scn);
	return res;
}

/*
 * Cost-plus before any batch is posted (a 5-minute run, batches cut after
 * 10 minutes) charges exactly gas * l2_gas_price: 21,000 gas * 1 gwei =
 * 21,000 gwei per transfer.  Users worth a median of exactly that leave
 * with probability 1/2; with the median e times higher (sigma 1), with
 * probability Phi(-1) = 0.1587.  20 tps for 300 s (no batch is full yet):
 * 6,000 arrivals, a binomial standard deviation of 0.0065 on the share.
 */
#define PRICED_JSON(median) \
	"{\"duration\": \"5m\", \"seed\": 7, \"l1\": {\"fork\": \"pectra\"}," \
	" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\"," \
	"   \"mix\": {\"transfer\": 1}," \
	"   \"willingness_to_pay\": {\"median\": \"" median "\", \"sigma\": 1}}]," \
	" \"systems\": [{\"name\": \"a\", \"type\": \"optimistic_rollup\"," \
	"   \"fees\": {\"mechanism\": \"cost-plus\", \"l2_gas_price\": \"1gwei\"}}," \
	"  {\"name\": \"b\", \"type\": \"optimistic_rollup\"}]}"

static void test_priced_out_share(void **state)
{
	(void)state;
	struct run_result *r = run_json(PRICED_JSON("21000gwei"));
	assert_near(res_metric_get(r, "a", "priced_out_share"), 0.5, 0.02);
	assert_near(res_metric_get(r, "a", "l2_fee_eth_per_tx"), 21000e-9,
		    1e-15);
	assert_near(res_metric_get(r, "a", "l2_base_fee_gwei_mean"), 1, 0);
	/* Nothing paid yet: the margin is every fee collected. */
	double paying = res_metric_get(r, "a", "tx_offered") -
			res_metric_get(r, "a", "tx_priced_out");
	assert_near(res_metric_get(r, "a", "operator_margin_eth"),
		    paying * 21000e-9, 1e-9);
	/* offered = posted + dropped + priced out + pending. */
	assert_near(res_metric_get(r, "a", "tx_offered"),
		    res_metric_get(r, "a", "tx_posted") +
			    res_metric_get(r, "a", "tx_dropped") +
			    res_metric_get(r, "a", "tx_priced_out") +
			    res_metric_get(r, "a", "tx_pending_end"),
		    0);
	/* The system without fees reports none of it. */
	assert_true(isnan(res_metric_get(r, "b", "tx_priced_out")));
	/* Pricing draws from its own stream: the arrivals offered are those
	 * of the system without fees next to it (same workload, its own
	 * stream) in distribution, and exactly those of the same system
	 * when nobody leaves. */
	double offered = res_metric_get(r, "a", "tx_offered");
	run_result_destroy(r);
	r = run_json(PRICED_JSON("1000000000gwei"));
	assert_near(res_metric_get(r, "a", "tx_priced_out"), 0, 0);
	assert_near(res_metric_get(r, "a", "tx_offered"), offered, 0);
	run_result_destroy(r);
	r = run_json(PRICED_JSON("57084gwei")); /* 21000 * e */
	assert_near(res_metric_get(r, "a", "priced_out_share"), 0.1587, 0.015);
	run_result_destroy(r);
}

/*
 * Elastic arrivals: with half the users priced out (median = fee) and
 * elasticity 1, only (1 - 0.5)^1 = half of the users drawn come, and half
 * of those leave at the fee: 75 % of the demand is priced out, 50 % of
 * it deterred from coming and 25 % leaving at the fee.  Memory 10 s, so after a
 * one-minute warm-up the recent share has settled.
 */
static void test_elastic_arrivals(void **state)
{
	(void)state;
	struct run_result *r = run_json(
		"{\"duration\": \"5m\", \"warmup\": \"1m\", \"seed\": 7,"
		" \"l1\": {\"fork\": \"pectra\"},"
		" \"workloads\": [{\"name\": \"w\", \"rate\": \"20tps\","
		"   \"mix\": {\"transfer\": 1},"
		"   \"willingness_to_pay\": {\"median\": \"21000gwei\","
		"     \"sigma\": 1, \"elasticity\": 1, \"memory\": \"10s\"}}],"
		" \"systems\": [{\"name\": \"a\", \"type\": \"optimistic_rollup\","
		"   \"fees\": {\"mechanism\": \"cost-plus\","
		"            \"l2_gas_price\": \"1gwei\"}}]}");
	assert_near(res_metric_get(r, "a", "priced_out_share"), 0.75, 0.02);
	double offered = res_metric_get(r, "a", "tps_offered") * 240;
	assert_near(res_metric_get(r, "a", "tx_deterred") / offered, 0.5,
		    0.02);
	/* Identity still holds: the deterred count as priced out. */
	assert_near(res_metric_get(r, "a", "tx_offered"),
		    res_metric_get(r, "a", "tx_posted") +
			    res_metric_get(r, "a", "tx_dropped") +
			    res_metric_get(r, "a", "tx_priced_out") +
			    res_metric_get(r, "a", "tx_pending_end"),
		    0);
	run_result_destroy(r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_flz_vectors),
		cmocka_unit_test(test_op_fee_vectors),
		cmocka_unit_test(test_op_eip1559),
		cmocka_unit_test(test_arb_exp),
		cmocka_unit_test(test_arb_l2),
		cmocka_unit_test(test_arb_l1_step),
		cmocka_unit_test(test_arb_l1_cost_cap),
		cmocka_unit_test(test_arb_l1_equilibration),
		cmocka_unit_test(test_zk_fee),
		cmocka_unit_test(test_priced_out_share),
		cmocka_unit_test(test_elastic_arrivals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
