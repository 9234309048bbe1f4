/*
 * Ethereum fee rules as pure integer functions, each following its EIP
 * word for word.  Intermediates are 128-bit; results saturate, never wrap.
 */
#include <string.h>

#include "l1_internal.h"

/*
 * Fork presets.  Blob schedules: EIP-4844 (Cancun 3/6/3,338,477), EIP-7691
 * (Prague 6/9/5,007,716; Osaka keeps it), EIP-7892 BPO forks with the mainnet
 * values of go-ethereum params/config.go (BPO1 10/15/8,346,193, BPO2
 * 14/21/11,684,671).  EIP-7623 from Prague, EIP-7918, EIP-7594 (6 blobs per
 * tx) and EIP-7825 (2^24 gas per tx) from Osaka/Fulu.  Gas limits are those
 * of each era (docs/sources.md §1.2): 30M at Dencun, 36M at Pectra's
 * activation, 60M (EIP-7935 client default) from Fusaka on.
 */
static const struct l1_fork presets[] = {
	{ "dencun", 3, 6, 3338477, false, false, 0, 0, 30000000 },
	{ "pectra", 6, 9, 5007716, true, false, 0, 0, 36000000 },
	{ "fusaka", 6, 9, 5007716, true, true, L1_PEERDAS_MAX_BLOBS_PER_TX,
	  L1_OSAKA_MAX_TX_GAS, 60000000 },
	{ "bpo1", 10, 15, 8346193, true, true, L1_PEERDAS_MAX_BLOBS_PER_TX,
	  L1_OSAKA_MAX_TX_GAS, 60000000 },
	{ "bpo2", 14, 21, 11684671, true, true, L1_PEERDAS_MAX_BLOBS_PER_TX,
	  L1_OSAKA_MAX_TX_GAS, 60000000 },
};

static const char *const fork_names[] = {
	"dencun", "cancun", "pectra", "prague", "fusaka", "osaka", "bpo1",
	"bpo2", NULL,
};

const char *const *l1_fork_names(void)
{
	return fork_names;
}

int l1_fork_preset(const char *name, struct l1_fork *out)
{
	const char *canon = name;

	if (name == NULL)
		return L2S_EINPUT;
	/* Execution-layer and consensus-layer names of one fork. */
	if (strcmp(name, "cancun") == 0)
		canon = "dencun";
	else if (strcmp(name, "prague") == 0)
		canon = "pectra";
	else if (strcmp(name, "osaka") == 0)
		canon = "fusaka";
	for (size_t i = 0; i < sizeof(presets) / sizeof(presets[0]); i++) {
		if (strcmp(presets[i].name, canon) == 0) {
			*out = presets[i];
			return 0;
		}
	}
	return L2S_EINPUT;
}

uint64_t l1_fee_next_base(uint64_t parent_base_fee, int64_t parent_gas_limit,
			  int64_t parent_gas_used)
{
	/* EIP-1559: target = limit / ELASTICITY_MULTIPLIER (2); the fee moves
	 * by parent * |used - target| / target / 8, at least 1 wei upwards. */
	int64_t target = parent_gas_limit / L1_ELASTICITY_MULTIPLIER;
	int64_t used = parent_gas_used < 0 ? 0 : parent_gas_used;
	l1_u128 delta;

	if (target <= 0 || used == target)
		return parent_base_fee;
	if (used > target) {
		delta = (l1_u128)parent_base_fee * (uint64_t)(used - target) /
			(uint64_t)target / L1_BASE_FEE_CHANGE_DENOMINATOR;
		if (delta < 1)
			delta = 1;
		return l1_u128_sat64((l1_u128)parent_base_fee + delta);
	}
	delta = (l1_u128)parent_base_fee * (uint64_t)(target - used) /
		(uint64_t)target / L1_BASE_FEE_CHANGE_DENOMINATOR;
	/* delta <= parent / 8, so this cannot go below zero. */
	return parent_base_fee - (uint64_t)delta;
}

static int64_t sat_i64(__int128 v)
{
	if (v > INT64_MAX)
		return INT64_MAX;
	if (v < 0)
		return 0;
	return (int64_t)v;
}

int64_t l1_fee_calldata_gas(bool eip7623, int64_t zero_bytes,
			    int64_t nonzero_bytes, int64_t exec_gas)
{
	__int128 z = zero_bytes > 0 ? zero_bytes : 0;
	__int128 nz = nonzero_bytes > 0 ? nonzero_bytes : 0;
	__int128 ex = exec_gas > 0 ? exec_gas : 0;
	/* EIP-7623: tokens = zero + 4 * nonzero; the standard price
	 * 4 * tokens is exactly EIP-2028's 4 per zero and 16 per nonzero. */
	__int128 tokens = z + 4 * nz;
	__int128 standard = L1_STANDARD_TOKEN_COST * tokens + ex;
	__int128 floor = L1_FLOOR_COST_PER_TOKEN * tokens;

	if (eip7623 && floor > standard)
		return sat_i64(L1_TX_BASE_GAS + floor);
	return sat_i64(L1_TX_BASE_GAS + standard);
}

l1_u128 l1_fee_fake_exponential(uint64_t factor, uint64_t numerator,
				uint64_t denominator)
{
	/*
	 * EIP-4844:
	 *   i = 1; output = 0; numerator_accum = factor * denominator
	 *   while numerator_accum > 0:
	 *       output += numerator_accum
	 *       numerator_accum = (numerator_accum * numerator) // (denominator * i)
	 *       i += 1
	 *   return output // denominator
	 * The spec's integers are unbounded.  Here the product is split as
	 * acc = q*d + r, so floor(acc*num/d) = q*num + floor(r*num/d) stays
	 * exact while every term fits 128 bits; the result saturates only once
	 * the running sum itself leaves 128 bits, i.e. for results above about
	 * 2^128 / denominator (1e32 wei at Cancun's fraction).
	 */
	l1_u128 output = 0;
	l1_u128 acc;
	l1_u128 i = 1;

	if (denominator == 0)
		return L1_U128_MAX;
	acc = (l1_u128)factor * denominator;
	while (acc > 0) {
		if (output > L1_U128_MAX - acc)
			return L1_U128_MAX;
		output += acc;
		if (numerator == 0)
			break;
		/* i stays small: acc reaches 0 a little after i passes
		 * numerator / denominator, or the sum saturates first. */
		l1_u128 d = (l1_u128)denominator * i;
		if (acc <= L1_U128_MAX / numerator) {
			acc = acc * numerator / d;
		} else {
			l1_u128 q = acc / d, r = acc % d;
			if (q > L1_U128_MAX / numerator ||
			    r > L1_U128_MAX / numerator)
				return L1_U128_MAX;
			l1_u128 hi = q * numerator, lo = r * numerator / d;
			if (hi > L1_U128_MAX - lo)
				return L1_U128_MAX;
			acc = hi + lo;
		}
		i++;
	}
	return output / denominator;
}

l1_u128 l1_fee_blob_base(uint64_t excess_blob_gas, uint64_t update_fraction)
{
	/* EIP-4844: get_base_fee_per_blob_gas = fake_exponential(
	 * MIN_BASE_FEE_PER_BLOB_GAS, excess_blob_gas, UPDATE_FRACTION), the
	 * fraction of the block being computed (EIP-7691, EIP-7892). */
	return l1_fee_fake_exponential(L1_MIN_BASE_FEE_PER_BLOB_GAS,
				       excess_blob_gas, update_fraction);
}

uint64_t l1_fee_excess_blob_gas(const struct l1_fork *f,
				uint64_t parent_excess_blob_gas,
				uint64_t parent_blob_gas_used,
				uint64_t parent_base_fee)
{
	l1_u128 blob_fee = 0;

	/* The parent's blob fee only matters under EIP-7918. */
	if (f->eip7918)
		blob_fee = l1_fee_blob_base(parent_excess_blob_gas,
					    f->blob_update_fraction);
	return l1_fee_excess_blob_gas_known(f, parent_excess_blob_gas,
					    parent_blob_gas_used,
					    parent_base_fee, blob_fee);
}

uint64_t l1_fee_excess_blob_gas_known(const struct l1_fork *f,
				      uint64_t parent_excess_blob_gas,
				      uint64_t parent_blob_gas_used,
				      uint64_t parent_base_fee,
				      l1_u128 blob_fee)
{
	/* EIP-7892 replaces TARGET_BLOB_GAS_PER_BLOCK by GAS_PER_BLOB * target
	 * of the current block's schedule. */
	l1_u128 target_gas = (l1_u128)(uint64_t)L1_GAS_PER_BLOB *
			     (uint64_t)(f->blob_target > 0 ? f->blob_target : 0);
	l1_u128 sum = (l1_u128)parent_excess_blob_gas + parent_blob_gas_used;

	/* EIP-4844 calc_excess_blob_gas: below target the excess resets. */
	if (sum < target_gas)
		return 0;
	if (f->eip7918) {
		/*
		 * EIP-7918: if BLOB_BASE_COST * parent.base_fee_per_gas >
		 * GAS_PER_BLOB * get_base_fee_per_blob_gas(parent), the blob
		 * is priced below its execution cost and the excess may only
		 * grow: excess + blob_gas_used * (max - target) // max.  The
		 * parent's blob fee uses the current fraction, as go-ethereum
		 * does.  8192 * 2^64 < 2^77, and a blob fee above 2^111
		 * makes the right side exceed any left side.
		 */
		l1_u128 reserve = (l1_u128)L1_BLOB_BASE_COST * parent_base_fee;
		bool under = blob_fee <= L1_U128_MAX / (uint64_t)L1_GAS_PER_BLOB &&
			     reserve > blob_fee * (uint64_t)L1_GAS_PER_BLOB;
		if (under && f->blob_max > 0) {
			uint64_t span = (uint64_t)(f->blob_max - f->blob_target);
			l1_u128 scaled = (l1_u128)parent_blob_gas_used * span /
					 (uint64_t)f->blob_max;
			return l1_u128_sat64((l1_u128)parent_excess_blob_gas +
					     scaled);
		}
	}
	return l1_u128_sat64(sum - target_gas);
}
