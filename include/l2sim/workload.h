/*
 * Workloads: the transactions offered to a system, as cohorts.
 *
 * A scenario's "workloads" array names arrival processes; a system refers
 * to one by name and every instance of the system draws its own,
 * independent stream of the whole workload (the rate is per instance).
 * Arrivals are never events: the sequencer asks once per tick how many
 * transactions of each kind arrived in [t0, t1), and the answer costs the
 * same whatever the rate (one Poisson draw per source, one multinomial
 * split among kinds).
 *
 * Processes (docs/model-workload.md): constant Poisson, diurnal, bursts of
 * one kind (an inscription wave) over a base process, self-exciting Hawkes,
 * and CSV traces of counts per interval; a list of them is superposed.
 *
 * Units: times are sim_time_t nanoseconds, rates transactions per second.
 * Errors: creation returns 0 or a negative L2S_E* code and fills the
 * caller's struct l2s_error; drawing cannot fail.
 */
#ifndef L2SIM_WORKLOAD_H
#define L2SIM_WORKLOAD_H

#include <stddef.h>
#include <stdint.h>

#include <gsl/gsl_rng.h>

#include "l2sim/error.h"
#include "l2sim/scenario.h"
#include "l2sim/time.h"
#include "l2sim/txkind.h"

struct workload_set;
struct workload;
struct wl_stream;

/*
 * Reads and validates root's "workloads" array (missing: an empty set),
 * including trace files, which are read here, relative to the scenario
 * file.  Returns 0, L2S_EINPUT (located message) or L2S_ENOMEM; on failure
 * *out is NULL and nothing is left allocated.
 */
int workloads_create(const struct scn_obj *root, struct workload_set **out,
		     struct l2s_error *err);

/* NULL does nothing.  Streams of the set's workloads must be gone first. */
void workload_set_destroy(struct workload_set *set);

/* Number of workloads, and the i-th in scenario order. */
size_t workload_set_count(const struct workload_set *set);
const struct workload *workload_set_get(const struct workload_set *set,
					size_t i);

/* The workload called 'name', or NULL. */
const struct workload *workload_find(const struct workload_set *set,
				     const char *name);

/* The workload's name (owned by the set). */
const char *workload_name(const struct workload *w);

/* Per-kind parameters after the workload's "kinds" overrides
 * (TX_KINDS entries, owned by the set). */
const struct tx_kind_params *workload_kinds(const struct workload *w);

/* The normalised "mix" (TX_KINDS shares summing to 1).  Sources with a
 * fixed kind (bursts, per-kind trace columns) are not in it. */
const double *workload_mix(const struct workload *w);

/*
 * Users' willingness to pay (docs/model-fees.md): for each kind, the most
 * a user pays for one transaction is log-normal with the given median
 * (wei) and standard deviation 'sigma' of its logarithm.  A system with a
 * fee mechanism prices its arrivals against it.
 */
struct wl_wtp {
	double median_wei[TX_KINDS];
	double sigma;
	/* Elastic arrivals: users who were priced out lately stop coming.
	 * The arrival rate is scaled by (1 - s)^elasticity, s the share
	 * priced out, averaged over 'memory' (0: arrivals do not respond). */
	double elasticity;
	sim_time_t memory;
};

/* The workload's "willingness_to_pay", or NULL when it has none (its
 * users pay any fee). */
const struct wl_wtp *workload_wtp(const struct workload *w);

/*
 * Expected arrivals per second over [t0, t1) (t1 > t0): exact for the
 * deterministic-rate processes and traces, the stationary mean
 * mu / (1 - alpha) for Hawkes sources.  For checks and reports.
 */
double workload_mean_tps(const struct workload *w, sim_time_t t0,
			 sim_time_t t1);

/*
 * Per-instance state (Hawkes excitation, trace cursors).  The stream
 * borrows 'w', which must outlive it.  NULL when out of memory.
 */
struct wl_stream *wl_stream_create(const struct workload *w);

/* NULL does nothing. */
void wl_stream_destroy(struct wl_stream *s);

/*
 * Sets counts[k] to the arrivals of kind k in [t0, t1) (t1 >= t0).  Calls
 * are expected in time order on adjacent intervals (a gap is allowed: the
 * Hawkes excitation decays across it).  Deterministic given the state of
 * 'rng'; the number of draws does not depend on the rate.
 */
void wl_stream_draw(struct wl_stream *s, gsl_rng *rng, sim_time_t t0,
		    sim_time_t t1, uint64_t counts[TX_KINDS]);

#endif
