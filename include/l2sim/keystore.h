/*
 * Key stores: where a smart-contract account's keys live when the account
 * exists on many systems, and what a key change costs.  The scenario's
 * "keystores" array declares designs over the scenario's systems; each
 * draws key changes (a Poisson process at 'changes') and reports, under
 * its own name (docs/model-settlement.md):
 *
 *   "copy"            a copy of the wallet on every covered system (the
 *                     status quo): a change is a transaction on each of
 *                     the S systems; each copy is missed with probability
 *                     miss_probability and then honoured only after
 *                     resync_after.
 *   "keystore_rollup" one minimal key-store rollup ('keystore', a system
 *                     of the scenario): a change is one transaction there;
 *                     every covered system reads it through a state proof
 *                     (read_gas, aggregated) once the key-store rollup's
 *                     state root is final on L1, after read_delay.
 *   "home"            each user's keys on a home system (uniform over the
 *                     covered systems): one transaction there, and every
 *                     other covered system verifies a state proof of the
 *                     home system (read_gas each: N proof types, no
 *                     aggregation) once the home's state is final.
 *
 * Metrics (component = the keystore's name): keychanges, keychange_gas
 * (L1 + L2 gas per change), keychange_l2_gas, keychange_l1_gas,
 * keychange_staleness_p99 (seconds until every covered system honours a
 * change) and keychange_missed (changes that missed a system).
 */
#ifndef L2SIM_KEYSTORE_H
#define L2SIM_KEYSTORE_H

#include <stddef.h>

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/system.h"

struct ks_set;

enum ks_design { KS_COPY, KS_KEYSTORE_ROLLUP, KS_HOME };

/* Reads "keystores" of 'root' over the instances 'inst' (n) and schedules
 * their draws on 'sim'.  Located errors (unknown system, a key with no
 * effect in its design); L2S_ENOMEM.  Empty array or absent: *out is an
 * empty set. */
int ks_create(struct sim *sim, const struct scn_obj *root,
	      struct sys_instance *const *inst, size_t n,
	      sim_time_t warmup, struct ks_set **out, struct l2s_error *err);
void ks_destroy(struct ks_set *set);
void ks_collect(const struct ks_set *set, struct run_result *res);

/* Gas per key change of a design over 'systems' covered systems (L2 gas
 * of the writes and reads): copy S * change_gas; keystore_rollup
 * change_gas + S * read_gas; home change_gas + (S - 1) * read_gas. */
int64_t ks_l2_gas(enum ks_design d, int64_t systems, int64_t change_gas,
		  int64_t read_gas);

#endif
