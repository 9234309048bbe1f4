/*
 * L2 fees: what users pay a system, and the operator's books.
 *
 * A system's "fees" object selects a fee mechanism (docs/model-fees.md):
 *   op-ecotone  OP Stack L1 data fee with the Ecotone scalars on the L1
 *               base fee and blob base fee, size from zero/non-zero bytes;
 *               L2 base fee by EIP-1559 with the OP Stack parameters
 *   op-fjord    the same with Fjord's FastLZ-based size estimate
 *   arbitrum    ArbOS L1 pricer (a per-unit price moved by the surplus or
 *               deficit of the fees collected against the poster's costs)
 *               and ArbOS L2 gas pricing on the gas backlog above the
 *               speed limit
 *   zksync      zkSync Era fee model V2: fair L2 gas price and fair pubdata
 *               price from the L1 gas price, the pubdata price and the
 *               batch overhead
 *   cost-plus   the recent cost per transaction plus a margin
 * Users of a workload with a willingness to pay (workload.h) leave when
 * the fee of their transaction exceeds it (tx_priced_out).
 *
 * The pure functions below are the formulas, in integer arithmetic where
 * the protocol specifies it; the unit tests check them on the numbers of
 * the specifications and the clients' tests.  The fee state of an
 * instance (struct fees) is driven by its system instance: once per tick
 * it prices the tick's arrivals and updates its markets.
 *
 * Errors follow include/l2sim/error.h.
 */
#ifndef L2SIM_FEES_H
#define L2SIM_FEES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "l2sim/cohort.h"
#include "l2sim/error.h"
#include "l2sim/l1.h"
#include "l2sim/ledger.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/txkind.h"
#include "l2sim/workload.h"

/* ---- formulas ------------------------------------------------------------ */

/* Ecotone: tx compressed size in 1/16 bytes units times the weighted
 * price: (zero*4 + nonzero*16) * (16*bfs*l1_base + bbfs*blob_base)
 * / (16 * 1e6).  Saturates at UINT64_MAX. */
uint64_t fees_op_ecotone(uint64_t zero_bytes, uint64_t nonzero_bytes,
			 uint64_t l1_base_fee, uint64_t blob_base_fee,
			 uint32_t base_fee_scalar,
			 uint32_t blob_base_fee_scalar);

/* Fjord: estimatedSize = max(100e6, -42,585,600 + 836,500 * flz_size)
 * (scaled by 1e6); fee = estimatedSize * (16*bfs*l1_base + bbfs*blob_base)
 * / 1e12.  'flz_size' is the FastLZ length of the signed transaction. */
uint64_t fees_op_fjord(uint64_t flz_size, uint64_t l1_base_fee,
		       uint64_t blob_base_fee, uint32_t base_fee_scalar,
		       uint32_t blob_base_fee_scalar);

/* Length of the FastLZ (level 1) compression of buf, as the OP Stack's
 * Fjord fee and Solady's LibZip.flzCompress compute it. */
uint32_t fees_flz_compress_len(const uint8_t *buf, size_t len);

/* EIP-1559 base fee of the child block with the given elasticity and
 * change denominator (OP Stack: 6 and 250 since Canyon); an increase is
 * at least 1 wei; 'min' is a floor (OP Stack Jovian; 0 = none). */
uint64_t fees_eip1559_next(uint64_t parent_base_fee, int64_t gas_limit,
			   int64_t gas_used, uint64_t elasticity,
			   uint64_t denominator, uint64_t min);

/* ArbOS arbmath.ApproxExpBasisPoints with degree 4: e^(bips/10000) in
 * basis points, by a truncated Maclaurin series in integers. */
int64_t fees_arb_exp_bips(int64_t bips);

/* ArbOS L2 base fee from the gas backlog: min_base_fee while backlog <=
 * tolerance * speed_limit, else min_base_fee * exp(excess / (inertia *
 * speed_limit)) with the approximation above. */
uint64_t fees_arb_l2_base_fee(uint64_t backlog, uint64_t speed_limit,
			      uint64_t tolerance, uint64_t inertia,
			      uint64_t min_base_fee);

/* The ArbOS L1 pricer (arbos/l1pricing, ArbOS 10 and later). */
struct fees_arb_l1 {
	/* settings */
	__int128 equil_units;      /* equilibration units (16 * 10,000,000) */
	uint64_t inertia;          /* 10 */
	uint64_t per_unit_reward;  /* wei per unit (10) */
	uint64_t cost_cap_bips;    /* amortized cost cap (0 = none) */
	/* state */
	__int128 price_per_unit;   /* wei per unit */
	__int128 fees_available;   /* the L1 pricer's funds pool */
	__int128 due_poster;       /* funds due to the batch poster */
	__int128 due_rewards;      /* funds due for rewards */
	__int128 last_surplus;
	uint64_t units_since;      /* units received since the last update */
	uint64_t last_update_time; /* seconds */
};

/* Starts the pricer at 'price' wei per unit. */
void fees_arb_l1_init(struct fees_arb_l1 *p, uint64_t price);
/* A transaction of 'units' paid units * price per unit into the pool. */
void fees_arb_l1_collect(struct fees_arb_l1 *p, uint64_t units);
/* A batch posting report: the poster spent 'wei_spent' on a batch posted
 * at 'update_time' when the L1 base fee was 'l1_base_fee', the report
 * processed at 'current_time' (seconds): units and funds are allocated,
 * the spending capped by the amortized cost cap (if any), the poster and
 * rewards paid as far as the pool allows, and the price moved.  Times
 * must not go back (-1 then, and nothing changes). */
int fees_arb_l1_report(struct fees_arb_l1 *p, uint64_t update_time,
		       uint64_t current_time, __int128 wei_spent,
		       uint64_t l1_base_fee);

/* zkSync Era fee model V2 (core/lib/types/src/fee_model.rs). */
struct fees_zk_params {
	uint64_t minimal_l2_gas_price;     /* wei */
	double compute_overhead_part;      /* 0..1 */
	double pubdata_overhead_part;      /* 0..1 */
	uint64_t batch_overhead_l1_gas;
	uint64_t max_gas_per_batch;
	uint64_t max_pubdata_per_batch;
};

/* Fair L2 gas price and fair pubdata price (wei) for the L1 gas price
 * and the L1 pubdata price. */
void fees_zk_prices(const struct fees_zk_params *z, uint64_t l1_gas_price,
		    uint64_t l1_pubdata_price, uint64_t *fair_l2_gas_price,
		    uint64_t *fair_pubdata_price);
/* The fee of a transaction of 'gas' and 'pubdata' bytes: (gas + pubdata
 * * ceil(pubdata_price / l2_gas_price)) * l2_gas_price. */
uint64_t fees_zk_tx_fee(uint64_t gas, uint64_t pubdata,
			uint64_t fair_l2_gas_price,
			uint64_t fair_pubdata_price);

/* ---- configuration and instances ---------------------------------------- */

enum fees_mech {
	FEES_NONE,
	FEES_OP_ECOTONE,
	FEES_OP_FJORD,
	FEES_ARBITRUM,
	FEES_ZKSYNC,
	FEES_COST_PLUS,
};

struct fees_cfg;
struct fees;

/*
 * Reads a system's "fees" object (present or not); *out NULL when the
 * system has no fee mechanism (absent object, or "mechanism": "none").
 * 'validium' tells the defaults of the zkSync model (no pubdata price).
 * Returns 0, L2S_EINPUT or L2S_ENOMEM.
 */
int fees_cfg_read(const struct scn_obj *o, bool validium,
		  struct fees_cfg **out, struct l2s_error *err);
void fees_cfg_free(struct fees_cfg *c);
enum fees_mech fees_cfg_mech(const struct fees_cfg *c);
/* "op-ecotone", ... */
const char *fees_mech_name(enum fees_mech m);

/*
 * The fee state of one instance: its kinds (the encoded sizes are
 * measured on synthetic transactions drawn from 'rng'), the users'
 * willingness to pay (NULL: they pay any fee), the ledger it compares
 * fees with, the L1 chain whose fees it reads, and the warm-up.  NULL when
 * out of memory.
 */
struct fees *fees_create(const struct fees_cfg *cfg, struct l1_chain *l1,
			 const struct tx_kind_params *kinds,
			 const struct wl_wtp *wtp, const struct ledger *ledger,
			 gsl_rng *rng, sim_time_t warmup);
void fees_destroy(struct fees *f);

/*
 * The arrivals of tick (t0, t1] in *c: each is charged the current fee of
 * its kind; those whose willingness to pay is lower leave (removed from
 * *c, one binomial draw per kind).  The fees of the rest are collected
 * and their gas updates the L2 fee market.  'posted_all' is the number
 * of transactions the system has posted so far (with the ledger's
 * all-time totals it gives the zkSync model its pubdata per transaction
 * and the cost-plus model its cost per transaction).  Returns the number
 * priced out.
 */
uint64_t fees_price(struct fees *f, struct cohort *c, sim_time_t t0,
		    sim_time_t t1, double posted_all);

/* Current fee (wei) of a transaction of kind k, and the L2 base fee. */
uint64_t fees_tx_fee(const struct fees *f, int kind);
uint64_t fees_l2_base_fee(const struct fees *f);

/* Totals after warm-up (summable over instances). */
struct fees_stats {
	double priced_out;       /* arrivals that left */
	double paying;           /* arrivals that paid */
	double collected_eth;    /* fees collected */
	double base_fee_gwei_s;  /* L2 base fee (gwei) integrated over time */
	double seconds;          /* time integrated */
	double priced_out_all;   /* arrivals that left, warm-up included */
	double deterred;         /* of priced_out: users who did not come
				    because recent fees priced others out */
};

const struct fees_stats *fees_stats(const struct fees *f);
/* Since the last call (series): arrivals priced out, paying, fees. */
void fees_take_series(struct fees *f, double *priced_out, double *paying,
		      double *collected_eth);

#endif
