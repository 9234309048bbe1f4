/*
 * What the runner needs to make a sweep survive (sim/sweep.c): the plan of
 * which runs this call does (shard, runs already complete), and a writer
 * that keeps a computed run in memory and retries while the database
 * cannot take it (locked, disk full), so no computed run is thrown away.
 */
#ifndef L2SIM_SWEEP_INTERNAL_H
#define L2SIM_SWEEP_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <omp.h>

#include "l2sim/error.h"
#include "l2sim/results.h"

/* The runs of one call: the sweep's run i is (point i / reps, replication
 * i % reps). */
struct sweep_plan {
	size_t n_total;      /* runs of the whole sweep */
	size_t n_mine;       /* runs of this shard (all without --shard) */
	size_t *mine;        /* [n_mine] their run indices, ascending */
	char (*identity)[65];/* [n_mine] their identities */
	int64_t *run_id;     /* [n_mine] run_id once complete, else 0 */
	size_t *todo;        /* [n_todo] positions in mine[] to run */
	size_t n_todo;
	size_t n_skipped;    /* complete before this call */
};

/*
 * Plans the runs: ids[i] is the identity of run i of the sweep; shard K of
 * N (n = 0: no sharding) takes the runs whose index i has i % N == K - 1;
 * runs whose identity is complete in 'db' are skipped unless 'rerun'.
 */
int sweep_plan_build(struct resdb *db, const char (*ids)[65], size_t n_total,
		     int shard_k, int shard_n, int rerun,
		     struct sweep_plan *plan, struct l2s_error *err);
void sweep_plan_release(struct sweep_plan *plan);

/*
 * Writes runs in the order given; keeps those the database refuses and
 * retries them.  Threads hand their runs over in run order (put, inside
 * the sweep's ordered section, which is quick) and write outside it
 * (work): one thread writes at a time, in order, while the others go on
 * computing, so a long write does not hold every thread at the ordered
 * section.
 */
struct sweep_writer {
	struct resdb *db;
	struct sweep_plan *plan;
	double patience_s;          /* how long to keep retrying a write */
	size_t max_pending;         /* runs held before waiting for the disk */
	struct run_result **pending;/* computed, not yet written, in order */
	size_t *pending_pos;        /* their positions in plan->mine */
	size_t n_pending;
	size_t saved;               /* written by this call */
	int gave_up;                /* patience ran out: stop starting runs */
	struct l2s_error last;      /* the last write error */
	omp_lock_t queue_lock;      /* pending[], n_pending */
	omp_lock_t write_lock;      /* the one thread writing */
	/* Told before (1) and after (0) each run is written. */
	void (*on_write)(void *ctx, int writing);
	void *on_write_ctx;
};

void sweep_writer_init(struct sweep_writer *w, struct resdb *db,
		       struct sweep_plan *plan, double patience_s,
		       size_t max_pending);
/* Takes 'res' (the run at position 'pos' of plan->mine) into the queue;
 * call in run order.  Returns 0, or L2S_ENOMEM when it could not even be
 * kept (then it is freed and lost, and the error says so). */
int sweep_writer_put(struct sweep_writer *w, struct run_result *res,
		     size_t pos, struct l2s_error *err);
/* Writes the queue in order unless another thread is writing it; waits
 * for the disk when more than max_pending runs are held (and gives up,
 * asking the sweep to stop, after patience_s). */
void sweep_writer_work(struct sweep_writer *w);
/* Tries the kept runs again for up to 'patience_s' seconds (one thread,
 * after the others are done).  Returns the number still unwritten. */
size_t sweep_writer_flush(struct sweep_writer *w, double patience_s);
void sweep_writer_release(struct sweep_writer *w);

/* Ctrl-C and SIGTERM set the stop request while installed. */
struct sweep_signals;
struct sweep_signals *sweep_signals_install(void);
void sweep_signals_restore(struct sweep_signals *s);
/* The signal that asked to stop, 0 for none or a stop of our own. */
int sweep_stop_signal(void);

#endif
