/*
 * Cohorts: transactions travel as counts per kind with one arrival time,
 * never one by one, so a run's cost grows with ticks, batches and blocks
 * and not with the number of transactions.  A cohort queue is the FIFO
 * every stage of a system's data path keeps (mempool, pending, ...).
 */
#ifndef L2SIM_COHORT_H
#define L2SIM_COHORT_H

#include <stddef.h>
#include <stdint.h>

#include "l2sim/time.h"
#include "l2sim/txkind.h"

struct cohort {
	sim_time_t arrived;    /* mean arrival time of the cohort */
	sim_time_t spread;     /* half-width of its arrivals around 'arrived':
				  uniform over [arrived - spread, arrived +
				  spread] (0: all at 'arrived') */
	sim_time_t sequenced;  /* when sequenced (0 while in the mempool) */
	uint64_t n[TX_KINDS];
	uint64_t total;
};

/* Most cohorts a queue holds before it merges neighbours. */
#define COHORT_Q_MAX 4096

/* A FIFO ring of cohorts (zero-initialised is empty). */
struct cohort_q {
	struct cohort *c;
	size_t cap, head, len; /* cap: 0 or a power of two (ring index
				  by mask) */
	uint64_t txs;          /* sum of totals */
	uint64_t n[TX_KINDS];  /* sums per kind */
	uint64_t merges;       /* times it merged neighbours (COHORT_Q_MAX) */
};

/* Appends a copy of *c; 0 or L2S_ENOMEM. */
int cohort_q_push(struct cohort_q *q, const struct cohort *c);
/* The oldest cohort, NULL when empty. */
struct cohort *cohort_q_front(struct cohort_q *q);
/* Takes up to 'n' transactions from the front into *out (one cohort's
 * worth at most: the front cohort, or part of it, split in proportion
 * across kinds).  Returns the number taken (0 when empty). */
uint64_t cohort_q_take(struct cohort_q *q, uint64_t n, struct cohort *out);
void cohort_q_release(struct cohort_q *q);
/* Drops the newest transactions beyond 'keep' (the back cohort split in
 * proportion across kinds).  Returns the number dropped. */
uint64_t cohort_q_trim(struct cohort_q *q, uint64_t keep);


/* Splits 'take' transactions off cohort c (kinds in proportion, largest
 * remainders first, deterministic) into *part; c keeps the rest. */
void cohort_split(struct cohort *c, uint64_t take, struct cohort *part);

#endif
