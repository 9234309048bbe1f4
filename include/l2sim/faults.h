/*
 * Faults: outages and disturbances injected into the world at scheduled
 * times or as a stochastic up/down process (MTBF/MTTR).
 *
 * The module knows no model.  The world registers fault targets (a system
 * instance, a system name standing for all its instances, a DA layer, a
 * prover, "l1"), each with the fault types it accepts and callbacks; the
 * scenario's "faults" array names a target and a type, and this module
 * turns the windows into callback calls at the right simulated times.
 *
 * Types and what the target sees:
 *   sequencer_outage, da_outage, prover_outage, batch_poster_outage,
 *   data_withholding (a system's operator or committee withholds its data)
 *       set_down(obj, -1, true) when the target goes down, (obj, -1, false)
 *       when it comes back.  Overlapping windows on one registered target
 *       (of any of these types) are reference-counted: it is down while any
 *       is active, and set_down is called only on the transitions.  Counts
 *       are per registration: two registrations reaching one object (a
 *       system name and one of its instances) each call set_down, and the
 *       model must combine them.
 *   dac_member_outage
 *       set_down(obj, m, down) for each member m affected ("member": one
 *       index; "members": the count, members 0..count-1), reference-counted
 *       per member.
 *   l1_missed_slots ("probability", default 1), fee_spike ("multiplier")
 *       apply(obj, type, v, true) whenever the effective value v changes:
 *       the largest value among the windows of that type active on the
 *       target; apply(obj, type, 0, false) when the last one ends.
 *   l1_reorg ("depth" blocks)
 *       apply(obj, "l1_reorg", depth, true) once at the instant "at" (or at
 *       each event of the stochastic process).  Never called with false.
 *
 * Timing keys, one form per element:
 *   scheduled   "start", "duration" (l1_reorg: "at")
 *   stochastic  "mtbf", "mttr" (l1_reorg: "mtbf" only): up times are
 *               exponential with mean mtbf, down times exponential with
 *               mean mttr, drawn from the stream "fault:<index>:<target>".
 *               Optional "first" (the first failure's time; default drawn
 *               as an up time from the start of the run) and "until" (no
 *               failure starts at or after it; one in progress ends
 *               normally).
 * Back-to-back windows (one ends where the next starts) give a continuous
 * outage: the start at the boundary is processed before the end.
 *
 * Units: time in sim_time_t ns.  Errors: 0 or a negative L2S_E* code with
 * 'err' (may be NULL) filled; scenario errors are located.
 */
#ifndef L2SIM_FAULTS_H
#define L2SIM_FAULTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/time.h"

enum fault_type {
	FAULT_SEQUENCER_OUTAGE,
	FAULT_DA_OUTAGE,
	FAULT_DAC_MEMBER_OUTAGE,
	FAULT_PROVER_OUTAGE,
	FAULT_BATCH_POSTER_OUTAGE,
	FAULT_L1_MISSED_SLOTS,
	FAULT_L1_REORG,
	FAULT_FEE_SPIKE,
	FAULT_DATA_WITHHOLDING,
	FAULT_NTYPES
};

/* NULL-terminated type names in enum order. */
const char *const *fault_type_names(void);

/*
 * A target the world offers.  The same name may be registered more than
 * once with different kinds (e.g. a system instance's sequencer and its
 * batch poster); a fault goes to the first registration whose kind
 * accepts its type.
 */
struct fault_target {
	const char *name;  /* system instance, system name, DA layer, prover, "l1" */
	/* The fault types it accepts, separated by spaces or commas, e.g.
	 * "sequencer_outage batch_poster_outage". */
	const char *kind;
	/* Outage types.  'member' is -1 for the whole target, or a committee
	 * member's index for dac_member_outage.  May be NULL if the kind
	 * lists no outage type. */
	void (*set_down)(void *obj, int member, bool down);
	/* Valued types (l1_missed_slots, fee_spike, l1_reorg); see above.
	 * May be NULL if the kind lists none of them. */
	void (*apply)(void *obj, const char *type, double value, bool on);
	void *obj;
	int members;       /* committee size, for dac_member_outage; else 0 */
};

struct fault_set;

/*
 * Reads the scenario's "faults" array from 'root' (absent: an empty set),
 * validates it against 'targets' (copied; the strings they point to must
 * outlive the set) and schedules the first events on 'sim'.  Errors
 * (L2S_EINPUT, located): unknown keys, an unknown type, an unknown target
 * (the hint names the closest registered name), a type the target does
 * not accept (the hint lists what it accepts), mixed or missing timing
 * keys, a member out of range.  L2S_ENOMEM.  On failure nothing is left.
 */
int faults_create(struct sim *sim, const struct scn_obj *root,
		  const struct fault_target *targets, size_t n,
		  struct fault_set **out, struct l2s_error *err);

/* Frees the set.  Call it after the run (its events may still be queued in
 * 'sim', which must not be stepped afterwards).  NULL does nothing. */
void faults_destroy(struct fault_set *set);

/* Number of fault elements. */
size_t faults_count(const struct fault_set *set);

/*
 * Adds metrics per registered target named by some fault (component = the
 * target's name), counted over [warmup, end]:
 *   outages, outage_seconds    periods the target was down as a whole (any
 *                              outage type; overlapping windows are one
 *                              period) that began in the span, and the
 *                              down time within it
 *   <type>_count, <type>_seconds
 *                              the same per type; for dac_member_outage
 *                              the seconds are member-seconds; for
 *                              l1_reorg: l1_reorg_count and l1_reorg_blocks
 *                              (sum of depths)
 * 'end' is normally the run's end (sim_now).
 */
void faults_collect(const struct fault_set *set, struct run_result *res,
		    sim_time_t warmup, sim_time_t end);

#endif
