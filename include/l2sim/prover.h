/*
 * Provers of validity-proof systems (ZK rollups, SDRs, validiums,
 * volitions): one prover per system instance, a pool of identical machines
 * serving proof jobs in FIFO order.
 *
 * A job proves 'txs' transactions.  It waits until a machine is free (and
 * the prover is up), then occupies that machine for
 *     latency + txs / throughput
 * and its callback runs when it ends.  One engine event per job, none per
 * transaction.  The proof's L1 verification cost is a number the prover
 * carries for its system (prover_verify_gas); the system or an aggregator
 * puts it on L1.
 *
 * Scenario keys (a system's "prover" object; docs/model-settlement.md):
 *   proof_system      "groth16" | "plonk" | "stark" | "sharp" | "zksync"
 *                     (default "plonk"): sets the verification gas preset
 *   verify_gas        gas, overrides the preset
 *   throughput        rate, txs proven per second per machine ("500tps");
 *                     absent: unlimited (a job takes 'latency' only)
 *   latency           duration, fixed time of every job (default 0)
 *   provers           machines working in parallel (default 1)
 *   batches_per_proof batches one proof covers (default 1); the prover only
 *                     reports it, grouping batches is the caller's job
 *
 * Units: time in sim_time_t ns, gas in gas, rates in SCN_RATE_ONE
 * millionths per second.  Errors: 0 or a negative L2S_E* code with 'err'
 * (may be NULL) filled; scenario errors are located.
 */
#ifndef L2SIM_PROVER_H
#define L2SIM_PROVER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "l2sim/engine.h"
#include "l2sim/error.h"
#include "l2sim/results.h"
#include "l2sim/scenario.h"
#include "l2sim/time.h"

struct prover;

/* Proof-system presets (docs/model-settlement.md gives the sources). */
enum prover_system {
	PROVER_GROTH16,  /* ~250,000 gas */
	PROVER_PLONK,    /* ~300,000 gas (PLONK/KZG) */
	PROVER_STARK,    /* ~1,000,000 gas (generic STARK) */
	PROVER_SHARP,    /* ~6,000,000 gas (Starknet SHARP proof) */
	PROVER_ZKSYNC,   /* 800,000 gas (zkSync Era batch proof estimate) */
};

/* Verification gas of a preset. */
int64_t prover_preset_gas(enum prover_system ps);

/* NULL-terminated preset names, in enum order. */
const char *const *prover_system_names(void);

/*
 * Reads 'cfg' (a system's "prover" object; NULL or an empty object gives
 * every default) and builds a prover on 'sim'.  'name' is the component
 * (system instance) it belongs to; it is copied.  Unknown keys and bad
 * values fail with L2S_EINPUT and a located message; L2S_ENOMEM.  On
 * failure nothing is left and *out is untouched.
 */
int prover_create(struct sim *sim, const struct scn_obj *cfg,
		  const char *name, struct prover **out,
		  struct l2s_error *err);

/* Frees the prover; jobs still queued or running are dropped without their
 * callbacks.  Call it after the run: its completion events may still be
 * queued in 'sim', which must not be stepped afterwards.  NULL does
 * nothing. */
void prover_destroy(struct prover *p);

/*
 * Called from the job's completion event (never from inside
 * prover_submit(), even for a job of zero duration).  The callback may
 * submit more jobs.
 */
typedef void prover_done_fn(struct sim *sim, void *ctx);

/*
 * Queues a job proving 'txs' transactions (0 is allowed: latency only).
 * Jobs start in submission order on the lowest-numbered free machine.
 * Returns 0, L2S_EINPUT (NULL fn) or L2S_ENOMEM.
 */
int prover_submit(struct prover *p, uint64_t txs, prover_done_fn *fn,
		  void *ctx);

/*
 * Takes the prover down (true) or up (false), for fault models.  A down
 * prover starts no new job; jobs already running finish and report as
 * usual (a proof being computed is not lost).  Coming back up starts the
 * queued jobs at once on the free machines.  Idempotent: callers that
 * overlap outages must count them (the faults module does).
 */
void prover_set_down(struct prover *p, bool down);
bool prover_is_down(const struct prover *p);

/* Gas to verify one proof on L1 (preset or "verify_gas"). */
int64_t prover_verify_gas(const struct prover *p);
enum prover_system prover_proof_system(const struct prover *p);
/* "batches_per_proof" (>= 1). */
int64_t prover_batches_per_proof(const struct prover *p);
/* Machines ("provers"). */
int64_t prover_machines(const struct prover *p);
/* Time a job of 'txs' transactions occupies a machine. */
sim_time_t prover_job_time(const struct prover *p, uint64_t txs);
/* Jobs submitted and not yet finished (waiting or running). */
size_t prover_pending(const struct prover *p);
/* Jobs waiting for a machine. */
size_t prover_queued(const struct prover *p);

/*
 * Metrics count from 'warmup' on (default 0).  Call before the clock
 * passes 'warmup'; the prover keeps running totals, so it must know the
 * warm-up while it runs.
 */
void prover_set_warmup(struct prover *p, sim_time_t warmup);

/*
 * Adds metrics for 'component' (usually the system instance's name):
 *   prover_jobs         jobs finished in [warmup, end]
 *   prover_queue_max    most jobs waiting for a machine at once, from
 *                       warmup on (the state at warmup included)
 *   prover_utilization  busy machine-time / (machines * (end - warmup))
 *   prover_lag_max_s    longest submit-to-finish time of the jobs finished
 *                       in [warmup, end], or age at 'end' of an unfinished
 *                       job submitted before it, whichever is longer
 *   prover_pending_end  jobs not finished at 'end'
 * 'end' is the current time of the run (sim_now), normally its end.
 */
void prover_collect(const struct prover *p, struct run_result *res,
		    const char *component, sim_time_t end);

#endif
