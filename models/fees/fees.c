/*
 * L2 fees of a system instance (include/l2sim/fees.h): the mechanisms'
 * settings, their state, pricing arrivals against the users' willingness
 * to pay, and the totals of the operator's books.  The formulas are in
 * fee_math.c; docs/model-fees.md gives the sources of every default.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <brotli/encode.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>

#include "l2sim/fees.h"

static const char *const mech_names[] = {
	"none", "op-ecotone", "op-fjord", "arbitrum", "zksync", "cost-plus",
	NULL,
};

const char *fees_mech_name(enum fees_mech m) { return mech_names[m]; }

enum zk_pubdata { ZK_BLOBS, ZK_CALLDATA, ZK_NONE };
static const char *const zk_pubdata_names[] = {"blobs", "calldata", "none",
					       NULL};

/* zkSync: L1 gas per pubdata byte in calldata (zksync_system_constants
 * L1_GAS_PER_PUBDATA_BYTE). */
#define ZK_L1_GAS_PER_PUBDATA_BYTE 17
/* Synthetic transactions per kind measured for the size estimates. */
#define FEES_SAMPLES 16
/* The most L1 fee samples the zkSync model keeps for its medians. */
#define ZK_SAMPLES_MAX 1024

struct fees_cfg {
	enum fees_mech mech;
	/* OP Stack */
	uint32_t base_fee_scalar, blob_base_fee_scalar;
	int64_t gas_limit;
	sim_time_t block_time;
	int64_t elasticity, denominator;
	uint64_t min_base_fee, initial_base_fee;
	/* Arbitrum */
	int64_t speed_limit, backlog_tolerance, pricing_inertia;
	uint64_t arb_min_base_fee, l1_initial_price, per_unit_reward;
	int64_t equil_units, l1_inertia, cost_cap_bips;
	sim_time_t report_delay;
	/* zkSync */
	struct fees_zk_params zk;
	int pubdata;
	int64_t price_samples;
	/* cost-plus */
	double margin;
	sim_time_t cost_window;
	uint64_t l2_gas_price;
};

static const char *const op_keys[] = {
	"mechanism", "base_fee_scalar", "blob_base_fee_scalar", "gas_limit",
	"block_time", "elasticity", "denominator", "min_base_fee",
	"initial_base_fee", NULL,
};
static const char *const arb_keys[] = {
	"mechanism", "speed_limit", "backlog_tolerance", "pricing_inertia",
	"min_base_fee", "l1_initial_price", "equilibration_units",
	"l1_inertia", "per_unit_reward", "report_delay",
	"amortized_cost_cap_bips", NULL,
};
static const char *const zk_keys[] = {
	"mechanism", "minimal_l2_gas_price", "compute_overhead_part",
	"pubdata_overhead_part", "batch_overhead_l1_gas", "max_gas_per_batch",
	"max_pubdata_per_batch", "pubdata", "price_samples", NULL,
};
static const char *const cp_keys[] = {
	"mechanism", "margin", "cost_window", "l2_gas_price", NULL,
};
static const char *const none_keys[] = {"mechanism", NULL};

#define GWEI UINT64_C(1000000000)

static int read_op(const struct scn_obj *o, struct fees_cfg *c,
		   struct l2s_error *err)
{
	int64_t bfs, bbfs;
	int rc;
	/* Scalars: the OP Stack's deploy-config defaults at Ecotone. */
	if ((rc = scn_get_int(o, "base_fee_scalar", 1368, 0, UINT32_MAX,
			      &bfs, err)) ||
	    (rc = scn_get_int(o, "blob_base_fee_scalar", 810949, 0,
			      UINT32_MAX, &bbfs, err)) ||
	    (rc = scn_get_int(o, "gas_limit", 30000000, 21000,
			      INT64_C(1) << 40, &c->gas_limit, err)) ||
	    (rc = scn_get_duration(o, "block_time", 2 * SIM_S, SIM_MS,
				   SIM_HOUR, &c->block_time, err)) ||
	    (rc = scn_get_int(o, "elasticity", 6, 1, 1000, &c->elasticity,
			      err)) ||
	    (rc = scn_get_int(o, "denominator", 250, 1, 1000000,
			      &c->denominator, err)) ||
	    (rc = scn_get_fee(o, "min_base_fee", 0, UINT64_MAX / 4,
			      &c->min_base_fee, err)) ||
	    (rc = scn_get_fee(o, "initial_base_fee", GWEI / 1000,
			      UINT64_MAX / 4, &c->initial_base_fee, err)))
		return rc;
	c->base_fee_scalar = (uint32_t)bfs;
	c->blob_base_fee_scalar = (uint32_t)bbfs;
	return 0;
}

static int read_arb(const struct scn_obj *o, struct fees_cfg *c,
		    struct l2s_error *err)
{
	int rc;
	/* nitro arbos/l2pricing/model.go and arbos/l1pricing/l1pricing.go
	 * initial values (ArbOS 6 and later). */
	if ((rc = scn_get_int(o, "speed_limit", 7000000, 1, INT64_C(1) << 40,
			      &c->speed_limit, err)) ||
	    (rc = scn_get_int(o, "backlog_tolerance", 10, 0, 1000000,
			      &c->backlog_tolerance, err)) ||
	    (rc = scn_get_int(o, "pricing_inertia", 102, 1, 1000000,
			      &c->pricing_inertia, err)) ||
	    (rc = scn_get_fee(o, "min_base_fee", GWEI / 10, UINT64_MAX / 4,
			      &c->arb_min_base_fee, err)) ||
	    (rc = scn_get_fee(o, "l1_initial_price", 50 * GWEI,
			      UINT64_MAX / 4, &c->l1_initial_price, err)) ||
	    (rc = scn_get_int(o, "equilibration_units", 160000000, 1,
			      INT64_C(1) << 50, &c->equil_units, err)) ||
	    (rc = scn_get_int(o, "l1_inertia", 10, 1, 1000000,
			      &c->l1_inertia, err)) ||
	    (rc = scn_get_fee(o, "per_unit_reward", 10, UINT64_MAX / 4,
			      &c->per_unit_reward, err)) ||
	    (rc = scn_get_duration(o, "report_delay", 20 * SIM_MIN, 0,
				   SIM_DAY, &c->report_delay, err)) ||
	    (rc = scn_get_int(o, "amortized_cost_cap_bips", 0, 0, 100000000,
			      &c->cost_cap_bips, err)))
		return rc;
	if (c->l1_inertia > c->equil_units)
		return scn_fail(o, "l1_inertia", err, "l1_inertia must not "
				"exceed equilibration_units");
	return 0;
}

static int read_zk(const struct scn_obj *o, bool validium,
		   struct fees_cfg *c, struct l2s_error *err)
{
	/* zkSync Era's fee model guide: the "rollup with 4844" column, or
	 * the "validium" column. */
	double cpart = validium ? 1.0 : 0.7, ppart = validium ? 0.0 : 0.4;
	int64_t maxpd = validium ? INT64_C(1000000000000) : 250000;
	int64_t ov, mg, mp;
	int rc;
	if ((rc = scn_get_fee(o, "minimal_l2_gas_price", GWEI / 10,
			      UINT64_MAX / 4, &c->zk.minimal_l2_gas_price,
			      err)) ||
	    (rc = scn_get_double(o, "compute_overhead_part", cpart, 0, 1,
				 &c->zk.compute_overhead_part, err)) ||
	    (rc = scn_get_double(o, "pubdata_overhead_part", ppart, 0, 1,
				 &c->zk.pubdata_overhead_part, err)) ||
	    (rc = scn_get_int(o, "batch_overhead_l1_gas", 1000000, 0,
			      INT64_C(1) << 40, &ov, err)) ||
	    (rc = scn_get_int(o, "max_gas_per_batch", 200000000, 1,
			      INT64_C(1) << 50, &mg, err)) ||
	    (rc = scn_get_int(o, "max_pubdata_per_batch", maxpd, 1,
			      INT64_C(1) << 50, &mp, err)) ||
	    (rc = scn_get_enum(o, "pubdata", validium ? ZK_NONE : ZK_BLOBS,
			       zk_pubdata_names, &c->pubdata, err)) ||
	    (rc = scn_get_int(o, "price_samples", 10, 1, ZK_SAMPLES_MAX,
			      &c->price_samples, err)))
		return rc;
	c->zk.batch_overhead_l1_gas = (uint64_t)ov;
	c->zk.max_gas_per_batch = (uint64_t)mg;
	c->zk.max_pubdata_per_batch = (uint64_t)mp;
	return 0;
}

static int read_cp(const struct scn_obj *o, struct fees_cfg *c,
		   struct l2s_error *err)
{
	int rc;
	if ((rc = scn_get_double(o, "margin", 0.1, -0.99, 100, &c->margin,
				 err)) ||
	    (rc = scn_get_duration(o, "cost_window", SIM_HOUR, SIM_S,
				   30 * SIM_DAY, &c->cost_window, err)) ||
	    (rc = scn_get_fee(o, "l2_gas_price", GWEI / 100, UINT64_MAX / 4,
			      &c->l2_gas_price, err)))
		return rc;
	return 0;
}

int fees_cfg_read(const struct scn_obj *o, bool validium,
		  struct fees_cfg **out, struct l2s_error *err)
{
	*out = NULL;
	int m, rc;
	if ((rc = scn_get_enum(o, "mechanism", FEES_NONE, mech_names, &m,
			       err)))
		return rc;
	const char *const *keys[] = {
		[FEES_NONE] = none_keys, [FEES_OP_ECOTONE] = op_keys,
		[FEES_OP_FJORD] = op_keys, [FEES_ARBITRUM] = arb_keys,
		[FEES_ZKSYNC] = zk_keys, [FEES_COST_PLUS] = cp_keys,
	};
	/* A key of another mechanism has no effect here: an error that
	 * says whose it is. */
	for (int x = FEES_OP_ECOTONE; x <= FEES_COST_PLUS; x++) {
		for (size_t i = 0; keys[x][i]; i++) {
			const char *k = keys[x][i];
			bool own = false;
			for (size_t j = 0; keys[m][j] && !own; j++)
				own = !strcmp(keys[m][j], k);
			if (!own && scn_has(o, k))
				return scn_fail(o, k, err, "'%s' is a key of "
						"mechanism '%s', not of '%s'",
						k, mech_names[x], mech_names[m]);
		}
	}
	if ((rc = scn_check_keys(o, keys[m], err)))
		return rc;
	if (m == FEES_NONE)
		return 0;
	struct fees_cfg *c = calloc(1, sizeof(*c));
	if (!c)
		return l2s_error_set(err, L2S_ENOMEM, "out of memory");
	c->mech = (enum fees_mech)m;
	switch (c->mech) {
	case FEES_OP_ECOTONE:
	case FEES_OP_FJORD:
		rc = read_op(o, c, err);
		break;
	case FEES_ARBITRUM:
		rc = read_arb(o, c, err);
		break;
	case FEES_ZKSYNC:
		rc = read_zk(o, validium, c, err);
		break;
	case FEES_COST_PLUS:
		rc = read_cp(o, c, err);
		break;
	default:
		break;
	}
	if (rc) {
		free(c);
		return rc;
	}
	*out = c;
	return 0;
}

void fees_cfg_free(struct fees_cfg *c) { free(c); }
enum fees_mech fees_cfg_mech(const struct fees_cfg *c)
{
	return c ? c->mech : FEES_NONE;
}

/* ---- instances ----------------------------------------------------------- */

/* A batch posting report waiting for its delay (Arbitrum). */
struct arb_report {
	sim_time_t at;
	double wei;
	uint64_t l1_base_fee;  /* when the batch was posted */
};

struct fees {
	const struct fees_cfg *cfg;
	struct l1_chain *l1;
	const struct ledger *ledger;
	const struct wl_wtp *wtp;
	gsl_rng *rng;
	sim_time_t warmup;
	int64_t gas[TX_KINDS];
	/* measured on synthetic transactions, per kind (means, rounded) */
	uint64_t zero[TX_KINDS], nonzero[TX_KINDS], size[TX_KINDS];
	uint64_t flz[TX_KINDS], brotli[TX_KINDS];
	uint64_t fee[TX_KINDS];      /* current fee per tx, wei */
	uint64_t base_fee;           /* current L2 base fee (gas price), wei */
	/* OP */
	sim_time_t next_block;
	/* Arbitrum */
	uint64_t backlog;
	struct fees_arb_l1 l1p;
	struct arb_report *rep;
	size_t rep_head, rep_len, rep_cap;
	/* zkSync */
	uint64_t *s_gas, *s_blob;
	size_t s_n, s_next;
	/* cost-plus */
	double cost_rate, post_rate; /* EWMA per second */
	/* what the ledger and batcher said last tick */
	double last_spent, last_posted;
	bool started;
	double out_share;            /* recent priced-out share (elastic) */
	/* totals */
	struct fees_stats st;
	double s_out, s_pay, s_eth;
};

static void measure_kinds(struct fees *f, const struct tx_kind_params *kinds,
			  gsl_rng *rng)
{
	uint8_t *buf = malloc(TXKIND_MAX_SIZE + 64);
	uint8_t *cmp = malloc(BrotliEncoderMaxCompressedSize(
		TXKIND_MAX_SIZE + 64));
	for (int k = 0; k < TX_KINDS; k++) {
		f->gas[k] = kinds[k].gas;
		uint64_t z = 0, nz = 0, fl = 0, br = 0, sz = 0;
		int n = 0;
		for (int s = 0; buf && cmp && s < FEES_SAMPLES; s++) {
			size_t len = txkind_encode(&kinds[k], (enum tx_kind)k,
						   rng, buf,
						   TXKIND_MAX_SIZE + 64);
			if (!len)
				break;
			for (size_t i = 0; i < len; i++)
				buf[i] ? nz++ : z++;
			sz += len;
			fl += fees_flz_compress_len(buf, len);
			/* ArbOS: brotli at level 0 of the signed tx. */
			size_t clen = BrotliEncoderMaxCompressedSize(len);
			if (BrotliEncoderCompress(0, BROTLI_DEFAULT_WINDOW,
						  BROTLI_MODE_GENERIC, len,
						  buf, &clen, cmp))
				br += clen;
			else
				br += len;
			n++;
		}
		if (n == 0) {
			/* No encoding (a size below the minimum): count
			 * the declared size as non-zero bytes. */
			uint64_t s = (uint64_t)kinds[k].size;
			f->zero[k] = 0;
			f->nonzero[k] = f->flz[k] = f->brotli[k] = f->size[k] =
				s;
			continue;
		}
		f->zero[k] = (z + n / 2) / n;
		f->nonzero[k] = (nz + n / 2) / n;
		f->size[k] = (sz + n / 2) / n;
		f->flz[k] = (fl + n / 2) / n;
		f->brotli[k] = (br + n / 2) / n;
	}
	free(buf);
	free(cmp);
}

struct fees *fees_create(const struct fees_cfg *cfg, struct l1_chain *l1,
			 const struct tx_kind_params *kinds,
			 const struct wl_wtp *wtp, const struct ledger *ledger,
			 gsl_rng *rng, sim_time_t warmup)
{
	struct fees *f = calloc(1, sizeof(*f));
	if (!f)
		return NULL;
	f->cfg = cfg;
	f->l1 = l1;
	f->ledger = ledger;
	f->wtp = wtp;
	f->rng = rng;
	f->warmup = warmup;
	measure_kinds(f, kinds, rng);
	switch (cfg->mech) {
	case FEES_OP_ECOTONE:
	case FEES_OP_FJORD:
		f->base_fee = cfg->initial_base_fee < cfg->min_base_fee
				      ? cfg->min_base_fee
				      : cfg->initial_base_fee;
		break;
	case FEES_ARBITRUM:
		f->base_fee = cfg->arb_min_base_fee;
		f->l1p.equil_units = cfg->equil_units;
		f->l1p.inertia = (uint64_t)cfg->l1_inertia;
		f->l1p.per_unit_reward = cfg->per_unit_reward;
		f->l1p.cost_cap_bips = (uint64_t)cfg->cost_cap_bips;
		fees_arb_l1_init(&f->l1p, cfg->l1_initial_price);
		break;
	case FEES_ZKSYNC:
		f->s_gas = calloc((size_t)cfg->price_samples, sizeof(uint64_t));
		f->s_blob = calloc((size_t)cfg->price_samples,
				   sizeof(uint64_t));
		if (!f->s_gas || !f->s_blob) {
			fees_destroy(f);
			return NULL;
		}
		break;
	case FEES_COST_PLUS:
		f->base_fee = cfg->l2_gas_price;
		break;
	default:
		break;
	}
	return f;
}

void fees_destroy(struct fees *f)
{
	if (!f)
		return;
	free(f->rep);
	free(f->s_gas);
	free(f->s_blob);
	free(f);
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Median of the first n samples (the lower middle for even n, as an
 * integer median of an ordered window). */
static uint64_t median(const uint64_t *s, size_t n)
{
	uint64_t tmp[ZK_SAMPLES_MAX];
	memcpy(tmp, s, n * sizeof(*s));
	qsort(tmp, n, sizeof(*tmp), cmp_u64);
	return tmp[n / 2];
}

static uint64_t sat_add(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

static uint64_t sat_mul(uint64_t a, uint64_t b)
{
	unsigned __int128 p = (unsigned __int128)a * b;
	return p > UINT64_MAX ? UINT64_MAX : (uint64_t)p;
}

/* The fee of every kind from the current state. */
static void set_fees(struct fees *f, double posted_all)
{
	const struct fees_cfg *c = f->cfg;
	uint64_t l1_base = l1_base_fee(f->l1);
	uint64_t blob_base = l1_blob_base_fee(f->l1);
	switch (c->mech) {
	case FEES_OP_ECOTONE:
	case FEES_OP_FJORD:
		for (int k = 0; k < TX_KINDS; k++) {
			uint64_t l1fee =
				c->mech == FEES_OP_ECOTONE
					? fees_op_ecotone(f->zero[k],
							  f->nonzero[k],
							  l1_base, blob_base,
							  c->base_fee_scalar,
							  c->blob_base_fee_scalar)
					: fees_op_fjord(f->flz[k], l1_base,
							blob_base,
							c->base_fee_scalar,
							c->blob_base_fee_scalar);
			f->fee[k] = sat_add(sat_mul((uint64_t)f->gas[k],
						    f->base_fee),
					    l1fee);
		}
		break;
	case FEES_ARBITRUM: {
		uint64_t ppu = f->l1p.price_per_unit > (__int128)UINT64_MAX
				       ? UINT64_MAX
				       : (uint64_t)f->l1p.price_per_unit;
		for (int k = 0; k < TX_KINDS; k++)
			f->fee[k] = sat_add(sat_mul((uint64_t)f->gas[k],
						    f->base_fee),
					    sat_mul(ppu, 16 * f->brotli[k]));
		break;
	}
	case FEES_ZKSYNC: {
		f->s_gas[f->s_next] = l1_base;
		f->s_blob[f->s_next] = blob_base;
		f->s_next = (f->s_next + 1) % (size_t)c->price_samples;
		if (f->s_n < (size_t)c->price_samples)
			f->s_n++;
		uint64_t gas_price = median(f->s_gas, f->s_n);
		uint64_t pd = 0;
		if (c->pubdata == ZK_BLOBS)
			pd = median(f->s_blob, f->s_n); /* 1 blob gas/byte */
		else if (c->pubdata == ZK_CALLDATA)
			pd = sat_mul(gas_price, ZK_L1_GAS_PER_PUBDATA_BYTE);
		uint64_t l2p, pdp;
		fees_zk_prices(&c->zk, gas_price, pd, &l2p, &pdp);
		f->base_fee = l2p;
		/* Pubdata per transaction: what the system has put on L1
		 * per posted transaction so far; before any posting, the
		 * kind's signed size. */
		double per = posted_all > 0 ? f->ledger->all_l1_bytes /
						      posted_all
					    : -1;
		for (int k = 0; k < TX_KINDS; k++) {
			uint64_t pub = per >= 0 ? (uint64_t)llround(per)
						: f->size[k];
			if (c->pubdata == ZK_NONE)
				pub = 0;
			f->fee[k] = fees_zk_tx_fee((uint64_t)f->gas[k], pub,
						   l2p, pdp);
		}
		break;
	}
	case FEES_COST_PLUS: {
		double per = f->post_rate > 0 ? f->cost_rate / f->post_rate
					      : 0;
		double add = per * 1e18 * (1 + c->margin);
		uint64_t a = add >= 1.8e19 ? UINT64_MAX
					   : (uint64_t)llround(add);
		for (int k = 0; k < TX_KINDS; k++)
			f->fee[k] = sat_add(sat_mul((uint64_t)f->gas[k],
						    f->base_fee),
					    a);
		break;
	}
	default:
		break;
	}
}

/* What the operator paid since the last tick: Arbitrum's batch posting
 * reports, cost-plus's running cost per transaction. */
static void observe_costs(struct fees *f, sim_time_t t0, sim_time_t t1,
			  double posted_all)
{
	const struct fees_cfg *c = f->cfg;
	double spent = f->ledger->all_fees_eth - f->last_spent;
	double posted = posted_all - f->last_posted;
	f->last_spent = f->ledger->all_fees_eth;
	f->last_posted = posted_all;
	double dt = sim_time_to_s(t1 - t0);
	if (c->mech == FEES_COST_PLUS && dt > 0) {
		/* Exponential moving averages of cost and postings per
		 * second over the cost window. */
		double a = 1 - exp(-dt / sim_time_to_s(c->cost_window));
		f->cost_rate += a * (spent / dt - f->cost_rate);
		f->post_rate += a * (posted / dt - f->post_rate);
	}
	if (c->mech != FEES_ARBITRUM)
		return;
	if (spent > 0) {
		if (f->rep_len == f->rep_cap) {
			size_t cap = f->rep_cap ? 2 * f->rep_cap : 16;
			struct arb_report *r = malloc(cap * sizeof(*r));
			if (r) {
				for (size_t i = 0; i < f->rep_len; i++)
					r[i] = f->rep[(f->rep_head + i) %
						      f->rep_cap];
				free(f->rep);
				f->rep = r;
				f->rep_cap = cap;
				f->rep_head = 0;
			}
		}
		if (f->rep_len < f->rep_cap) {
			f->rep[(f->rep_head + f->rep_len) % f->rep_cap] =
				(struct arb_report){
					.at = t1, .wei = spent * 1e18,
					.l1_base_fee = l1_base_fee(f->l1)};
			f->rep_len++;
		}
	}
	/* Reports whose delay has passed are processed now (times in whole
	 * seconds as ArbOS keeps them). */
	while (f->rep_len) {
		struct arb_report *r = &f->rep[f->rep_head];
		if (r->at + c->report_delay > t1)
			break;
		uint64_t upd = (uint64_t)(r->at / SIM_S);
		uint64_t cur = (uint64_t)(t1 / SIM_S);
		if (upd < f->l1p.last_update_time)
			upd = f->l1p.last_update_time;
		fees_arb_l1_report(&f->l1p, upd, cur, (__int128)(r->wei + 0.5),
				   r->l1_base_fee);
		f->rep_head = (f->rep_head + 1) % f->rep_cap;
		f->rep_len--;
	}
}

/* The accepted gas of tick (t0, t1] moves the L2 gas price. */
static void update_l2(struct fees *f, sim_time_t t0, sim_time_t t1,
		      uint64_t gas)
{
	const struct fees_cfg *c = f->cfg;
	if (c->mech == FEES_OP_ECOTONE || c->mech == FEES_OP_FJORD) {
		if (!f->started)
			f->next_block = t0 + c->block_time;
		int64_t blocks = 0;
		sim_time_t nb = f->next_block;
		while (nb <= t1) {
			blocks++;
			nb += c->block_time;
		}
		if (blocks == 0)
			return;
		/* The tick's gas spread evenly over its blocks, each at
		 * most the gas limit. */
		uint64_t per = gas / (uint64_t)blocks;
		int64_t used = per > (uint64_t)c->gas_limit ? c->gas_limit
							    : (int64_t)per;
		for (int64_t b = 0; b < blocks; b++)
			f->base_fee = fees_eip1559_next(
				f->base_fee, c->gas_limit, used,
				(uint64_t)c->elasticity,
				(uint64_t)c->denominator, c->min_base_fee);
		f->next_block = nb;
	} else if (c->mech == FEES_ARBITRUM) {
		/* The backlog grows by the gas used and drains at the speed
		 * limit over the time passed (one update per tick). */
		double drain = sim_time_to_s(t1 - t0) * (double)c->speed_limit;
		uint64_t d = (uint64_t)drain;
		uint64_t b = sat_add(f->backlog, gas);
		f->backlog = b > d ? b - d : 0;
		f->base_fee = fees_arb_l2_base_fee(
			f->backlog, (uint64_t)c->speed_limit,
			(uint64_t)c->backlog_tolerance,
			(uint64_t)c->pricing_inertia, c->arb_min_base_fee);
	}
}

uint64_t fees_price(struct fees *f, struct cohort *c, sim_time_t t0,
		    sim_time_t t1, double posted_all)
{
	observe_costs(f, t0, t1, posted_all);
	set_fees(f, posted_all);
	uint64_t out = 0, gas = 0, deterred = 0, came = c->total;
	double wei = 0;
	/* Elastic arrivals: of the users the workload drew, the share
	 * (1 - s)^elasticity comes, s the recent priced-out share. */
	double stay = 1;
	if (f->wtp && f->wtp->elasticity > 0)
		stay = pow(1 - f->out_share, f->wtp->elasticity);
	for (int k = 0; k < TX_KINDS; k++) {
		if (stay < 1 && c->n[k]) {
			uint64_t d = stay <= 0 ? c->n[k]
					       : gsl_ran_binomial(
							 f->rng, 1 - stay,
							 (unsigned int)c->n[k]);
			c->n[k] -= d;
			deterred += d;
		}
		uint64_t n = c->n[k];
		if (!n)
			continue;
		if (f->wtp) {
			/* P(willingness to pay < fee) under the log-normal. */
			double p = f->fee[k] == 0
					   ? 0
					   : gsl_cdf_ugaussian_P(
						     (log((double)f->fee[k]) -
						      log(f->wtp->median_wei[k])) /
						     f->wtp->sigma);
			uint64_t o = 0;
			if (p >= 1)
				o = n;
			else if (p > 0)
				o = gsl_ran_binomial(f->rng, p,
						     (unsigned int)n);
			c->n[k] -= o;
			out += o;
			n -= o;
		}
		gas = sat_add(gas, sat_mul(n, (uint64_t)f->gas[k]));
		/* ArbOS: the L1 part of each fee goes to the L1 pricer's
		 * pool with its units (16 per brotli byte). */
		if (f->cfg->mech == FEES_ARBITRUM)
			fees_arb_l1_collect(&f->l1p,
					    sat_mul(n, 16 * f->brotli[k]));
		/* The books in double: a tick's fees may exceed 2^64 wei. */
		wei += (double)n * (double)f->fee[k];
	}
	came -= deterred;
	if (f->wtp && f->wtp->elasticity > 0 && came > 0) {
		double a = 1 - exp(-sim_time_to_s(t1 - t0) /
				   sim_time_to_s(f->wtp->memory));
		f->out_share += a * ((double)out / (double)came - f->out_share);
	}
	out += deterred;
	c->total -= out;
	f->st.priced_out_all += (double)out;
	bool measured = t1 > f->warmup;
	if (measured)
		f->st.deterred += (double)deterred;
	if (measured) {
		double dt = sim_time_to_s(t1 - t0);
		f->st.priced_out += (double)out;
		f->st.paying += (double)c->total;
		f->st.collected_eth += wei / 1e18;
		f->st.base_fee_gwei_s += (double)f->base_fee / 1e9 * dt;
		f->st.seconds += dt;
	}
	f->s_out += (double)out;
	f->s_pay += (double)c->total;
	f->s_eth += measured ? wei / 1e18 : 0;
	update_l2(f, t0, t1, gas);
	f->started = true;
	return out;
}

uint64_t fees_tx_fee(const struct fees *f, int kind) { return f->fee[kind]; }
uint64_t fees_l2_base_fee(const struct fees *f) { return f->base_fee; }
const struct fees_stats *fees_stats(const struct fees *f) { return &f->st; }

void fees_take_series(struct fees *f, double *out, double *pay, double *eth)
{
	*out = f->s_out;
	*pay = f->s_pay;
	*eth = f->s_eth;
	f->s_out = f->s_pay = f->s_eth = 0;
}
