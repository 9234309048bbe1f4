/*
 * Shared between da_config.c (reading the scenario) and da.c (the layers
 * at run time).  Not a public interface: see include/l2sim/da.h.
 */
#ifndef L2SIM_DA_INTERNAL_H
#define L2SIM_DA_INTERNAL_H

#include <stdbool.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "l2sim/da.h"

/* A committee member's signing delay. */
enum da_dist_kind {
	DA_DIST_CONSTANT,    /* a */
	DA_DIST_UNIFORM,     /* a + U(0, 1) * (b - a) */
	DA_DIST_EXPONENTIAL, /* a (offset) + Exp(mean b) */
	DA_DIST_LOGNORMAL,   /* median a, shape sigma */
};

struct da_dist {
	enum da_dist_kind kind;
	sim_time_t a, b; /* ns, meaning by kind */
	double sigma;    /* lognormal only */
};

/* Everything the scenario says about one layer, defaults applied. */
struct da_config {
	const char *name; /* points into the scenario's JSON */
	enum da_type type;
	uint64_t price_per_mib;     /* wei per 2^20 bytes; initial price */

	/* block-based layers */
	sim_time_t block_time;      /* ns between blocks */
	int64_t max_block_bytes;    /* bytes per block */
	int64_t confirmation_blocks;   /* blocks after the including one */
	sim_time_t confirmation_latency; /* ns, added after those blocks */
	bool fee_market;
	double target_fill;         /* fraction of max_block_bytes */
	int64_t change_denominator; /* EIP-1559's 8 */
	uint64_t min_price_per_mib; /* floor of the fee market */
	uint64_t max_price_per_mib; /* cap of the fee market */

	/* committees */
	int members;                /* n */
	int threshold;              /* k signatures needed */
	double member_availability; /* P(member online) per submission */
	struct da_dist sign_latency;
	sim_time_t timeout;         /* ns after submission: failure */

	/* scheduled outages of the whole layer */
	size_t n_outages;
	sim_time_t *outage_start;   /* ns; owned (malloc), NULL when none */
	sim_time_t *outage_duration;
};

/* Reads element 'o' of da_layers into 'cfg' (which the caller zeroes and
 * later releases with da_config_release).  Returns 0 or L2S_EINPUT. */
int da_config_read(const struct scn_obj *o, struct da_config *cfg,
		   struct l2s_error *err);
void da_config_release(struct da_config *cfg);

/* Sets the preset defaults of 'type' (docs/sources.md §6, docs/model-da.md). */
void da_config_preset(struct da_config *cfg, enum da_type type);

/* One draw of a signing delay (>= 0). */
sim_time_t da_dist_draw(const struct da_dist *d, gsl_rng *rng);

#endif
