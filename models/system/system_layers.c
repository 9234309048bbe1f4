/*
 * Systems on systems: a system with "settles_on" (an L3 on an L2) posts
 * its data in its parent's batches (a rollup) and has its proofs verified
 * on the parent (every type): both ride as batch riders in the parent's
 * next batch (include/l2sim/batch.h).  Its data counts in the parent's
 * bytes on L1, never in its own, so "all" counts it once; its finality is
 * the finality of the parent's batch carrying its proof.
 */
#include <stdio.h>
#include <string.h>

#include "l2sim/system.h"

/* Keys of L1 posting have no effect on a system settling on another: it
 * sends no L1 transaction. */
static int check_no_l1_keys(const struct scn_obj *so,
			    const struct system_def *d, struct l2s_error *err)
{
	static const char *const batcher_l1[] = {
		"blobs_per_tx", "blob_payload", "max_calldata_tx", "max_fee",
		"max_blob_fee", "priority_fee", "rebid", "batch_gas",
		"da_fallback", NULL,
	};
	struct scn_obj b, st;
	bool has;
	int rc;
	if ((rc = scn_get_obj(so, "batcher", &b, &has, err)) ||
	    (rc = scn_get_obj(so, "settlement", &st, &has, err)))
		return rc;
	for (size_t i = 0; batcher_l1[i]; i++)
		if (scn_has(&b, batcher_l1[i]))
			return scn_fail(&b, batcher_l1[i], err, "'%s' has no "
					"effect: '%s' settles on '%s' and sends "
					"no L1 transaction", batcher_l1[i],
					d->name, d->settles_on);
	if (scn_has(&st, "verify_extra_gas"))
		return scn_fail(&st, "verify_extra_gas", err, "'verify_extra_gas' "
				"has no effect: the proofs of '%s' are verified "
				"on '%s'", d->name, d->settles_on);
	return 0;
}

int sys_resolve_parents(struct system_def *defs, size_t n,
			const struct scn_obj *root, struct l2s_error *err)
{
	for (size_t i = 0; i < n; i++) {
		struct system_def *d = &defs[i];
		if (!d->settles_on)
			continue;
		struct scn_obj o;
		int rc = scn_get_elem(root, "systems", i, &o, err);
		if (rc)
			return rc;
		if (!strcmp(d->settles_on, "l1")) {
			return scn_fail(&o, "settles_on", err, "a system settles "
					"on L1 unless \"settles_on\" names "
					"another system: leave it out");
		}
		if (d->type != SYS_ZK && d->type != SYS_SDR &&
		    d->type != SYS_VALIDIUM)
			return scn_fail(&o, "settles_on", err, "a %s cannot "
					"settle on another system (only ZK "
					"rollups, SDRs and validiums)",
					sys_type_name(d->type));
		const char *cands[65] = {0};
		for (size_t j = 0; j < n; j++) {
			if (j < 64)
				cands[j] = defs[j].name;
			if (j != i && !strcmp(defs[j].name, d->settles_on))
				d->parent = &defs[j];
		}
		if (d->parent && (rc = check_no_l1_keys(&o, d, err)))
			return rc;
		if (!d->parent) {
			rc = !strcmp(d->settles_on, d->name)
				     ? scn_fail(&o, "settles_on", err, "a system "
						"cannot settle on itself")
				     : scn_fail(&o, "settles_on", err, "no "
						"system named '%s'",
						d->settles_on);
			const char *near = l2s_closest(d->settles_on, cands);
			if (near && strcmp(near, d->name))
				l2s_error_hint(err, "did you mean '%s'?", near);
			return rc;
		}
	}
	/* No cycles: following parents from any system reaches L1. */
	for (size_t i = 0; i < n; i++) {
		const struct system_def *p = defs[i].parent;
		for (size_t steps = 0; p; p = p->parent, steps++) {
			if (steps >= n) {
				struct scn_obj o;
				int rc = scn_get_elem(root, "systems", i, &o,
						      err);
				return rc ? rc
					  : scn_fail(&o, "settles_on", err,
						     "'%s' settles on a chain "
						     "of systems that never "
						     "reaches L1",
						     defs[i].name);
			}
		}
	}
	return 0;
}

void sys_link_parents(struct sys_instance *const *inst, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		const struct system_def *d = sys_instance_def(inst[i]);
		if (!d->parent)
			continue;
		/* Instances are in definition order: this one's index
		 * within its system, and its parent's k mod count. */
		size_t first = i;
		while (first > 0 && sys_instance_def(inst[first - 1]) == d)
			first--;
		int64_t k = (int64_t)(i - first) % d->parent->count;
		struct sys_instance *parent = NULL;
		for (size_t j = 0; j < n && !parent; j++)
			if (sys_instance_def(inst[j]) == d->parent) {
				parent = inst[j + (size_t)k];
			}
		if (!parent)
			continue;
		struct batcher *carrier = sys_instance_batcher(parent);
		if (d->batcher.target == DA_PARENT)
			batcher_set_carrier(sys_instance_batcher(inst[i]),
					    batcher_carry, carrier);
		settle_set_carrier(sys_instance_settlement(inst[i]),
				   batcher_carry, carrier);
	}
}
