/*
 * The fee formulas of include/l2sim/fees.h, each beside its source (read
 * 2026-11-27; docs/model-fees.md has the links).
 */
#include "l2sim/fees.h"

typedef unsigned __int128 u128;

static uint64_t sat64(u128 v)
{
	return v > (u128)UINT64_MAX ? UINT64_MAX : (uint64_t)v;
}

/* 16 * base_fee_scalar * l1_base_fee + blob_base_fee_scalar *
 * blob_base_fee: the "weighted gas price" of Ecotone and Fjord, scaled by
 * 1e6 (the scalars' decimals). */
static u128 op_weighted(uint64_t l1_base_fee, uint64_t blob_base_fee,
			uint32_t bfs, uint32_t bbfs)
{
	return (u128)16 * bfs * l1_base_fee + (u128)bbfs * blob_base_fee;
}

/*
 * OP Stack Ecotone L1 data fee (specs/protocol/ecotone/l1-attributes.md,
 * "L1 data fee"; op-geth core/types/rollup_cost.go):
 *   tx_compressed_size = (zero*4 + nonzero*16) / 16
 *   weighted_gas_price = 16*baseFeeScalar*l1BaseFee
 *                        + blobBaseFeeScalar*l1BlobBaseFee
 *   l1_data_fee = tx_compressed_size * weighted_gas_price / 1e6
 * computed, as op-geth does, as calldataGas * weighted / (16 * 1e6) so the
 * division by 16 does not truncate first.
 */
uint64_t fees_op_ecotone(uint64_t zero_bytes, uint64_t nonzero_bytes,
			 uint64_t l1_base_fee, uint64_t blob_base_fee,
			 uint32_t base_fee_scalar, uint32_t blob_base_fee_scalar)
{
	u128 gas = (u128)zero_bytes * 4 + (u128)nonzero_bytes * 16;
	u128 w = op_weighted(l1_base_fee, blob_base_fee, base_fee_scalar,
			     blob_base_fee_scalar);
	if (gas && w > ((u128)1 << 126) / gas)
		return UINT64_MAX;
	return sat64(gas * w / 16000000u);
}

/*
 * OP Stack Fjord L1 data fee (specs/protocol/fjord/exec-engine.md, "Fees";
 * GasPriceOracle._fjordL1Cost):
 *   estimatedSize = max(minTransactionSize * 1e6,
 *                       intercept + fastlzCoef * fastlzSize)
 *   l1Cost = estimatedSize * weighted_gas_price / 1e12
 * with minTransactionSize 100, intercept -42,585,600, fastlzCoef 836,500.
 */
#define FJORD_MIN_TX_SIZE INT64_C(100)
#define FJORD_INTERCEPT INT64_C(-42585600)
#define FJORD_FASTLZ_COEF INT64_C(836500)

uint64_t fees_op_fjord(uint64_t flz_size, uint64_t l1_base_fee,
		       uint64_t blob_base_fee, uint32_t base_fee_scalar,
		       uint32_t blob_base_fee_scalar)
{
	__int128 est = (__int128)FJORD_INTERCEPT +
		       (__int128)FJORD_FASTLZ_COEF * (__int128)flz_size;
	if (est < (__int128)FJORD_MIN_TX_SIZE * 1000000)
		est = (__int128)FJORD_MIN_TX_SIZE * 1000000;
	u128 w = op_weighted(l1_base_fee, blob_base_fee, base_fee_scalar,
			     blob_base_fee_scalar);
	if (w > ((u128)1 << 126) / (u128)est)
		return UINT64_MAX;
	return sat64((u128)est * w / UINT64_C(1000000000000));
}

/*
 * FastLZ level 1 compressed length (the format of Ariya Hidayat's FastLZ,
 * as Solady's LibZip.flzCompress emits it and the OP Stack's Fjord fee
 * counts it): a greedy LZ77 over an 8,192-entry hash table of 3-byte
 * sequences (hash (v * 2654435769) >> 19 masked to 13 bits), matches at
 * distances below 8,192, the last 13 bytes always literal.  Literal runs
 * cost one byte per 32 literals plus the literals; a match of length l
 * costs 2 bytes (3 when l - 1 mod 262 is at least 6) plus 3 per full 262.
 */
#define FLZ_HASH_BITS 13

static uint32_t flz_u24(const uint8_t *b, uint32_t i)
{
	return (uint32_t)b[i] | (uint32_t)b[i + 1] << 8 |
	       (uint32_t)b[i + 2] << 16;
}

static uint32_t flz_hash(uint32_t v)
{
	return ((v * UINT32_C(2654435769)) >> 19) &
	       ((UINT32_C(1) << FLZ_HASH_BITS) - 1);
}

static uint32_t flz_literals_len(uint32_t run)
{
	uint32_t n = 33 * (run / 32);
	if (run % 32)
		n += run % 32 + 1;
	return n;
}

static uint32_t flz_match_len(uint32_t len)
{
	uint32_t l = len - 1;
	return 3 * (l / 262) + (l % 262 >= 6 ? 3 : 2);
}

uint32_t fees_flz_compress_len(const uint8_t *buf, size_t len)
{
	uint32_t table[1u << FLZ_HASH_BITS] = {0};
	uint32_t n = (uint32_t)len, out = 0, anchor = 0;
	uint32_t limit = n < 13 ? 0 : n - 13;
	uint32_t ip = 2;
	while (ip < limit) {
		uint32_t ref = 0;
		bool found = false;
		/* Look for a sequence seen within the window. */
		while (ip < limit) {
			uint32_t seq = flz_u24(buf, ip);
			uint32_t h = flz_hash(seq);
			ref = table[h];
			table[h] = ip;
			uint32_t dist = ip - ref;
			ip++;
			if (dist <= 0x1fff && seq == flz_u24(buf, ref)) {
				found = true;
				break;
			}
		}
		/* A match found at the last position is not taken. */
		if (!found || ip >= limit)
			break;
		ip--;
		if (ip > anchor)
			out += flz_literals_len(ip - anchor);
		/* Extend the match past its 3 bytes, up to limit + 9. */
		uint32_t end = limit + 9, l = 0;
		uint32_t p = ref + 3, q = ip + 3;
		while (q + l < end && buf[p + l] == buf[q + l])
			l++;
		/* The length counted includes the byte that ended it. */
		if (q + l < end)
			l++;
		out += flz_match_len(l);
		ip += l;
		table[flz_hash(flz_u24(buf, ip))] = ip;
		ip++;
		table[flz_hash(flz_u24(buf, ip))] = ip;
		ip++;
		anchor = ip;
	}
	return out + flz_literals_len(n - anchor);
}

/*
 * EIP-1559 base fee update with a chain's own elasticity and denominator
 * (OP Stack: specs/protocol/exec-engine.md, "EIP-1559 parameters":
 * elasticity 6, denominator 250 since Canyon).
 */
uint64_t fees_eip1559_next(uint64_t parent, int64_t gas_limit,
			   int64_t gas_used, uint64_t elasticity,
			   uint64_t denominator, uint64_t min)
{
	if (elasticity == 0 || denominator == 0 || gas_limit <= 0)
		return parent < min ? min : parent;
	uint64_t target = (uint64_t)gas_limit / elasticity;
	uint64_t used = gas_used < 0 ? 0 : (uint64_t)gas_used;
	uint64_t next = parent;
	if (target == 0) {
		next = parent;
	} else if (used > target) {
		u128 d = (u128)parent * (used - target) / target / denominator;
		if (d < 1)
			d = 1;
		next = sat64((u128)parent + d);
	} else if (used < target) {
		u128 d = (u128)parent * (target - used) / target / denominator;
		next = (uint64_t)((u128)parent - d);
	}
	return next < min ? min : next;
}

/*
 * ArbOS ApproxExpBasisPoints (nitro util/arbmath/math.go), degree 4:
 *   res = 1 + x/4;  res = 1 + res*x/3;  res = 1 + res*x/2;  res = 1 + res*x
 * in basis points with integer division; e^-x as 1 / e^x.
 */
int64_t fees_arb_exp_bips(int64_t bips)
{
	const u128 one = 10000;
	bool neg = bips < 0;
	u128 x = (u128)(neg ? -(__int128)bips : (__int128)bips);
	u128 res = one + x / 4;
	for (u128 i = 3; i >= 1; i--)
		res = one + res * x / (i * one);
	if (neg)
		return (int64_t)(one * one / res);
	return res > (u128)INT64_MAX ? INT64_MAX : (int64_t)res;
}

/*
 * ArbOS L2 pricing (nitro arbos/l2pricing/model.go, UpdatePricingModel):
 *   if backlog > tolerance * speedLimit:
 *     exponentBips = (backlog - tolerance*speedLimit) * 10000
 *                    / (inertia * speedLimit)
 *     baseFee = minBaseFee * ApproxExpBasisPoints(exponentBips) / 10000
 */
uint64_t fees_arb_l2_base_fee(uint64_t backlog, uint64_t speed_limit,
			      uint64_t tolerance, uint64_t inertia,
			      uint64_t min_base_fee)
{
	u128 tol = (u128)tolerance * speed_limit;
	if ((u128)backlog <= tol || inertia == 0 || speed_limit == 0)
		return min_base_fee;
	u128 excess = (u128)backlog - tol;
	u128 e = excess * 10000 / ((u128)inertia * speed_limit);
	if (e > (u128)INT64_MAX / 4)
		return UINT64_MAX;
	int64_t m = fees_arb_exp_bips((int64_t)e);
	return sat64((u128)min_base_fee * (u128)m / 10000);
}

void fees_arb_l1_init(struct fees_arb_l1 *p, uint64_t price)
{
	__int128 eq = p->equil_units;
	uint64_t in = p->inertia, rew = p->per_unit_reward;
	uint64_t cap = p->cost_cap_bips;
	*p = (struct fees_arb_l1){0};
	p->equil_units = eq;
	p->inertia = in;
	p->per_unit_reward = rew;
	p->cost_cap_bips = cap;
	p->price_per_unit = price;
}

void fees_arb_l1_collect(struct fees_arb_l1 *p, uint64_t units)
{
	p->units_since += units;
	p->fees_available += p->price_per_unit * (__int128)units;
}

/* Go's big.Int Div: Euclidean division (the remainder is never negative). */
static __int128 div_euclid(__int128 a, __int128 b)
{
	__int128 q = a / b, r = a % b;
	if (r < 0)
		q += b > 0 ? -1 : 1;
	return q;
}

/*
 * ArbOS L1PricingState.UpdateForBatchPosterSpending (nitro
 * arbos/l1pricing/l1pricing.go, ArbOS >= 10), one batch poster, no
 * amortized cost cap:
 *   allocate units_since * (update - last) / (current - last) units;
 *   with an amortized cost cap (ArbOS >= 3), wei spent is at most
 *   l1BaseFee * allocated * capBips / 10000 (the rest is the poster's
 *   loss);
 *   funds due to the poster += wei spent; due for rewards += allocated *
 *   per-unit reward; pay rewards, then the poster, from the pool as far as
 *   it goes;
 *   surplus = pool - (due to poster + due for rewards)
 *   desiredDerivative = -surplus / equilUnits
 *   actualDerivative = (surplus - lastSurplus) / allocated
 *   priceChange = (desired - actual) * allocated
 *                 / (equilUnits / inertia + allocated)
 *   price = max(0, price + priceChange)
 */
int fees_arb_l1_report(struct fees_arb_l1 *p, uint64_t update_time,
		       uint64_t current_time, __int128 wei_spent,
		       uint64_t l1_base_fee)
{
	uint64_t last = p->last_update_time;
	if (last == 0 && update_time > 0)
		last = update_time - 1;
	if (update_time > current_time || update_time < last)
		return -1;
	uint64_t num = update_time - last, den = current_time - last;
	if (den == 0)
		num = den = 1;
	uint64_t alloc = (uint64_t)((u128)p->units_since * num / den);
	p->units_since -= alloc;
	if (p->cost_cap_bips) {
		__int128 cap = (__int128)l1_base_fee * (__int128)alloc *
			       (__int128)p->cost_cap_bips / 10000;
		if (cap < wei_spent)
			wei_spent = cap;
	}
	p->due_poster += wei_spent;
	p->due_rewards += (__int128)alloc * p->per_unit_reward;
	__int128 pay_rewards = (__int128)p->per_unit_reward * alloc;
	if (p->fees_available < pay_rewards)
		pay_rewards = p->fees_available;
	p->due_rewards -= pay_rewards;
	p->fees_available -= pay_rewards;
	__int128 pay_poster = p->due_poster;
	if (p->fees_available < pay_poster)
		pay_poster = p->fees_available;
	if (pay_poster > 0) {
		p->fees_available -= pay_poster;
		p->due_poster -= pay_poster;
	}
	p->last_update_time = update_time;
	if (alloc > 0) {
		__int128 surplus = p->fees_available -
				   (p->due_poster + p->due_rewards);
		__int128 inertia_units = p->equil_units / (__int128)p->inertia;
		__int128 desired = div_euclid(-surplus, p->equil_units);
		__int128 actual = div_euclid(surplus - p->last_surplus,
					     (__int128)alloc);
		__int128 change = div_euclid((desired - actual) *
						     (__int128)alloc,
					     inertia_units + (__int128)alloc);
		p->last_surplus = surplus;
		p->price_per_unit += change;
		if (p->price_per_unit < 0)
			p->price_per_unit = 0;
	}
	return 0;
}

/*
 * zkSync Era fee model V2 (core/lib/types/src/fee_model.rs,
 * compute_batch_fee_model_input_v2; docs guides/advanced/fee_model.md):
 *   batch_overhead_wei = l1_gas_price * batch_overhead_l1_gas
 *   fair_l2_gas_price = minimal_l2_gas_price
 *       + compute_overhead_part * batch_overhead_wei / max_gas_per_batch
 *   fair_pubdata_price = l1_pubdata_price
 *       + pubdata_overhead_part * batch_overhead_wei / max_pubdata_per_batch
 */
void fees_zk_prices(const struct fees_zk_params *z, uint64_t l1_gas_price,
		    uint64_t l1_pubdata_price, uint64_t *fair_l2,
		    uint64_t *fair_pubdata)
{
	double over = (double)l1_gas_price * (double)z->batch_overhead_l1_gas;
	double g = z->max_gas_per_batch
			   ? over * z->compute_overhead_part /
				     (double)z->max_gas_per_batch
			   : 0;
	double d = z->max_pubdata_per_batch
			   ? over * z->pubdata_overhead_part /
				     (double)z->max_pubdata_per_batch
			   : 0;
	*fair_l2 = z->minimal_l2_gas_price + (g >= 1.8e19 ? UINT64_MAX / 2
							  : (uint64_t)g);
	*fair_pubdata = sat64((u128)l1_pubdata_price +
			      (d >= 1.8e19 ? UINT64_MAX / 2 : (uint64_t)d));
}

/*
 * A transaction's fee under zkSync's model: the pubdata is charged in L2
 * gas at gas_per_pubdata = ceil(fair_pubdata_price / fair_l2_gas_price)
 * (zksync-era core/lib/types/src/fee.rs, derive_base_fee_and_gas_per_pubdata
 * with the base fee at the fair L2 gas price), all at the L2 gas price.
 */
uint64_t fees_zk_tx_fee(uint64_t gas, uint64_t pubdata, uint64_t l2_price,
			uint64_t pubdata_price)
{
	if (l2_price == 0)
		return sat64((u128)pubdata * pubdata_price);
	u128 gpp = ((u128)pubdata_price + l2_price - 1) / l2_price;
	return sat64(((u128)gas + (u128)pubdata * gpp) * l2_price);
}
