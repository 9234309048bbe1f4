/*
 * PHOLD, the standard benchmark of discrete-event engines, run on the real
 * engine (same queue, clock and random streams as a scenario run).
 *
 * 'lps' logical processes start with 'events_per_lp' events each.  Every
 * event, when processed, schedules one new event at a uniformly chosen LP
 * after an exponential delay (mean 1 s) plus a lookahead of 0.1 s, so the
 * number of pending events stays lps * events_per_lp.  The run stops after
 * 'events' events.  Draws come from one taus2 stream, sim_rng(sim, "phold"),
 * of the run (seed, replication 0).
 *
 * Errors: 0 or a negative L2S_E* code with 'err' filled (L2S_EUSAGE for bad
 * parameters, L2S_ENOMEM when memory runs out).
 */
#ifndef L2SIM_PHOLD_H
#define L2SIM_PHOLD_H

#include <stddef.h>
#include <stdint.h>

#include "l2sim/error.h"

struct phold_params {
	int64_t lps;           /* logical processes, 1 .. 2^32 - 1 */
	int64_t events_per_lp; /* initial events per LP, >= 1 */
	int64_t events;        /* events to process, >= 1 */
	uint64_t seed;
};

struct phold_result {
	uint64_t events;       /* events processed (== params.events) */
	double wall_seconds;   /* wall time of the event loop, setup excluded */
	double events_per_sec; /* events / wall_seconds */
	double sim_seconds;    /* simulated time reached */
	uint64_t fingerprint;  /* sim_fingerprint() at the end */
	size_t pending_end;    /* events still pending (== lps * events_per_lp) */
};

/* Runs PHOLD.  Returns 0 or a negative L2S_E* code (then *res is unset). */
int phold_run(const struct phold_params *p, struct phold_result *res,
	      struct l2s_error *err);

#endif
