/*
 * Shared by the files of models/l1: the chain's configuration as read from
 * the scenario, and the background-demand description.
 */
#ifndef L2SIM_L1_INTERNAL_H
#define L2SIM_L1_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "l2sim/l1.h"

enum l1_dist_kind {
	L1_DIST_CONSTANT,
	L1_DIST_UNIFORM,
	L1_DIST_NORMAL,
	L1_DIST_POISSON,
};

/* Per-block background demand of one quantity (gas or blobs). */
struct l1_dist {
	enum l1_dist_kind kind;
	double mean, sd;         /* constant, normal, poisson */
	double min, max;         /* uniform */
	/* Price response: demand is scaled by (reference_fee / fee)^elasticity,
	 * fee being the block's base fee (gas) or blob base fee (blobs). */
	double elasticity;
	uint64_t reference_fee;  /* wei per (blob) gas */
};

/* Per-block values read from a CSV trace; a column absent from the file
 * leaves that quantity to its distribution. */
struct l1_trace {
	int64_t *gas;            /* NULL when the file has no gas column */
	int32_t *blobs;          /* NULL when the file has no blobs column */
	size_t n;                /* rows */
	bool hold;               /* at the end: hold the last row (else loop) */
};

struct l1_config {
	struct l1_fork fork;
	sim_time_t slot_time;
	int64_t gas_limit;              /* gas per block */
	double missed_p;                /* probability a slot has no block */
	uint64_t initial_base_fee;      /* wei per gas */
	uint64_t initial_excess_blob_gas;
	int64_t finality_slots;         /* fixed delay; < 0: Casper FFG */
	struct l1_dist gas;             /* background gas per block */
	struct l1_dist blobs;           /* background blobs per block */
	uint64_t bg_priority_fee;       /* background tip, wei per gas */
	struct l1_trace trace;
};

/* Reads the "l1" object.  On failure nothing is left allocated. */
int l1_config_read(const struct scn_obj *o, struct l1_config *out,
		   struct l2s_error *err);
void l1_config_release(struct l1_config *c);

/* l1_fee_excess_blob_gas() with the parent's blob base fee (under f's
 * fraction) already known, so a block computes fake_exponential once. */
uint64_t l1_fee_excess_blob_gas_known(const struct l1_fork *f,
				      uint64_t parent_excess_blob_gas,
				      uint64_t parent_blob_gas_used,
				      uint64_t parent_base_fee,
				      l1_u128 parent_blob_base_fee);

/* One draw of background demand (>= 0, before any capacity cap, not yet
 * rounded).  'fee' is the block's price, for the elasticity. */
double l1_dist_draw(const struct l1_dist *d, gsl_rng *rng, double fee);

#endif
