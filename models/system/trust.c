/*
 * Trust profiles (include/l2sim/system.h), computed from a system's
 * configuration; docs/model-trust.md explains each column.
 *
 *  - sequencing: the sequencer type.
 *  - liveness: who can keep a user's transaction out.  An own sequencer's
 *    operator, a shared sequencer's validator set, or under based
 *    sequencing the L1 proposers.  The bound is the shortest delay after
 *    which a mechanism lets the transaction in anyway (forced inclusion
 *    through L1, a takeover); under based sequencing one L1 slot, after
 *    which the next proposer may include it.  Unbounded without either.
 *  - validity: fraud proofs for optimistic rollups, validity proofs for the
 *    proven types.
 *  - data: L1 (blobs or calldata), a committee (DAC), another DA layer, or
 *    mixed (a volition).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "l2sim/mechanism.h"
#include "l2sim/system.h"

/* By enum seq_type.  A rotating or auctioned set: the leader of the
 * epoch (its bound comes from the rotation mechanism). */
static const char *const seq_names[] = {"own", "shared", "based", "rotating",
					"auction"};
static const char *const live_names[] = {"operator", "shared_sequencer", "l1",
					 "operator", "operator"};

void sys_trust_profile(const struct system_def *def, sim_time_t slot_time,
		       struct sys_trust *out)
{
	out->sequencing = seq_names[def->seq.type];
	out->liveness = live_names[def->seq.type];
	sim_time_t bound = def->seq.type == SEQ_BASED ? slot_time : -1;
	for (size_t m = 0; mech_registry[m]; m++) {
		const struct mechanism *x = mech_registry[m];
		if (!def->mech_cfg || !def->mech_cfg[m] || !x->liveness_bound)
			continue;
		sim_time_t b = x->liveness_bound(def->mech_cfg[m]);
		if (b >= 0 && (bound < 0 || b < bound))
			bound = b;
	}
	out->liveness_bound = bound;
	out->validity = def->type == SYS_OPTIMISTIC ? "fraud_proof"
						     : "validity_proof";
	/* A rollup settling on another system (an L3) keeps its data
	 * where its parent's batches go. */
	const struct system_def *dd = def;
	while (dd->batcher.target == DA_PARENT && dd->parent)
		dd = dd->parent;
	if (dd->type == SYS_VOLITION)
		out->data = "mixed";
	else if (dd->batcher.target != DA_ALT)
		out->data = "l1";
	else
		out->data = dd->da && da_layer_type(dd->da) == DA_TYPE_DAC
				    ? "committee"
				    : "alt_da";
	/* The parent system's name; sys_collect_trust names its instance. */
	out->settles_on = def->settles_on ? def->settles_on : "l1";
	static const char *const l1_targets[] = {"l1_blobs", "l1_calldata",
						 "l1_blobs_or_calldata"};
	size_t k = 0, cap = sizeof(out->depends_on);
	out->depends_on[0] = '\0';
	if (def->batcher.target == DA_PARENT && def->parent)
		k += (size_t)snprintf(out->depends_on, cap, "%s",
				      def->parent->name);
	else if (def->type == SYS_VOLITION || def->batcher.target == DA_ALT)
		k += (size_t)snprintf(out->depends_on + k, cap - k, "%s%s",
				      def->batcher.da_name ? def->batcher.da_name
							   : "da",
				      def->type == SYS_VOLITION ? " l1_blobs"
								: "");
	else
		k += (size_t)snprintf(out->depends_on, cap, "%s",
				      l1_targets[def->batcher.target]);
	if (k < cap && def->parent && def->batcher.target != DA_PARENT)
		k += (size_t)snprintf(out->depends_on + k, cap - k, " %s",
				      def->parent->name);
	if (k < cap && def->seq.type == SEQ_SHARED && def->seq.shared_name)
		k += (size_t)snprintf(out->depends_on + k, cap - k, " %s",
				      def->seq.shared_name);
	if (k < cap && def->agg && def->settle.aggregator)
		snprintf(out->depends_on + k, cap - k, " %s",
			 def->settle.aggregator);
}

void sys_collect_trust(struct sys_instance *const *inst, size_t n,
		       struct run_result *res, sim_time_t slot_time)
{
	for (size_t i = 0; i < n; i++) {
		const struct system_def *def = sys_instance_def(inst[i]);
		struct sys_trust t;
		char parent[112];
		sys_trust_profile(def, slot_time, &t);
		if (def->parent) {
			/* Instance k rides on the parent's instance k mod its
			 * count (system_layers.c). */
			size_t first = i;
			while (first > 0 && sys_instance_def(inst[first - 1]) == def)
				first--;
			int64_t k = (int64_t)(i - first) % def->parent->count;
			if (def->parent->count > 1)
				snprintf(parent, sizeof(parent), "%s#%lld",
					 def->parent->name, (long long)k);
			else
				snprintf(parent, sizeof(parent), "%s",
					 def->parent->name);
			t.settles_on = parent;
		}
		struct res_system row = {
			.component = (char *)sys_instance_name(inst[i]),
			.type = (char *)sys_type_name(def->type),
			.sequencing = (char *)t.sequencing,
			.liveness = (char *)t.liveness,
			.liveness_bound_s = t.liveness_bound >= 0
						    ? sim_time_to_s(t.liveness_bound)
						    : NAN,
			.validity = (char *)t.validity,
			.data = (char *)t.data,
			.settles_on = (char *)t.settles_on,
			.depends_on = t.depends_on,
		};
		res_system_add(res, &row);
	}
}
