/*
 * Cohort queues: transactions as counts per kind with one arrival time,
 * split in proportion when only part of a cohort moves on.
 */
#include <stdlib.h>
#include <string.h>

#include "l2sim/cohort.h"
#include "l2sim/error.h"

/*
 * A queue that keeps growing (a backlog that lasts for months) halves its
 * time resolution instead of its memory doubling: neighbouring cohorts are
 * merged pairwise, arrival times weighted by counts, the spread widened to
 * cover both, the earlier sequencing
 * time kept (so a batcher's delay trigger stays conservative).
 */
static void coalesce(struct cohort_q *q)
{
	size_t out = 0;
	for (size_t i = 0; i < q->len; i += 2) {
		struct cohort a = q->c[(q->head + i) & (q->cap - 1)];
		if (i + 1 < q->len) {
			const struct cohort *b = &q->c[(q->head + i + 1) & (q->cap - 1)];
			double wa = (double)a.total, wb = (double)b->total;
			sim_time_t lo = a.arrived - a.spread,
				   hi = b->arrived + b->spread;
			if (b->arrived - b->spread < lo)
				lo = b->arrived - b->spread;
			if (a.arrived + a.spread > hi)
				hi = a.arrived + a.spread;
			a.arrived = (sim_time_t)(((double)a.arrived * wa +
						  (double)b->arrived * wb) /
						 (wa + wb));
			/* The merged arrivals cover [lo, hi]: a uniform
			 * around the new mean that covers both ends. */
			a.spread = a.arrived - lo > hi - a.arrived
					   ? a.arrived - lo : hi - a.arrived;
			if (b->sequenced < a.sequenced)
				a.sequenced = b->sequenced;
			for (int k = 0; k < TX_KINDS; k++)
				a.n[k] += b->n[k];
			a.total += b->total;
		}
		q->c[(q->head + out) & (q->cap - 1)] = a;
		out++;
	}
	q->len = out;
}

int cohort_q_push(struct cohort_q *q, const struct cohort *c)
{
	if (c->total == 0)
		return 0;
	if (q->len >= COHORT_Q_MAX) {
		coalesce(q);
		q->merges++;
	}
	if (q->len == q->cap) {
		size_t ncap = q->cap ? q->cap * 2 : 16;
		struct cohort *n = malloc(ncap * sizeof(*n));
		if (!n)
			return L2S_ENOMEM;
		for (size_t i = 0; i < q->len; i++)
			n[i] = q->c[(q->head + i) & (q->cap - 1)];
		free(q->c);
		q->c = n;
		q->cap = ncap;
		q->head = 0;
	}
	q->c[(q->head + q->len) & (q->cap - 1)] = *c;
	q->len++;
	q->txs += c->total;
	for (int k = 0; k < TX_KINDS; k++)
		q->n[k] += c->n[k];
	return 0;
}

struct cohort *cohort_q_front(struct cohort_q *q)
{
	return q->len ? &q->c[q->head] : NULL;
}

void cohort_split(struct cohort *c, uint64_t take, struct cohort *part)
{
	*part = *c;
	if (take >= c->total) {
		memset(c->n, 0, sizeof(c->n));
		c->total = 0;
		return;
	}
	/* Largest-remainder apportionment: exact totals, kinds in
	 * proportion, ties to the lower kind index (deterministic). */
	uint64_t got = 0;
	double rem[TX_KINDS];
	for (int k = 0; k < TX_KINDS; k++) {
		/* 64-bit arithmetic when the product fits (always, short of
		 * 2^64 transactions): a 128-bit division is a library call. */
		if (take == 0 || c->n[k] <= UINT64_MAX / take) {
			uint64_t prod = c->n[k] * take;
			part->n[k] = prod / c->total;
			rem[k] = (double)(prod % c->total);
		} else {
			unsigned __int128 prod = (unsigned __int128)c->n[k] * take;
			part->n[k] = (uint64_t)(prod / c->total);
			rem[k] = (double)(prod % c->total);
		}
		got += part->n[k];
	}
	while (got < take) {
		int best = -1;
		for (int k = 0; k < TX_KINDS; k++)
			if (part->n[k] < c->n[k] &&
			    (best < 0 || rem[k] > rem[best]))
				best = k;
		part->n[best]++;
		rem[best] = -1;
		got++;
	}
	part->total = take;
	for (int k = 0; k < TX_KINDS; k++)
		c->n[k] -= part->n[k];
	c->total -= take;
}

uint64_t cohort_q_take(struct cohort_q *q, uint64_t n, struct cohort *out)
{
	struct cohort *f = cohort_q_front(q);
	if (!f || n == 0)
		return 0;
	if (n >= f->total) {
		*out = *f;
		q->head = (q->head + 1) & (q->cap - 1);
		q->len--;
	} else {
		cohort_split(f, n, out);
	}
	q->txs -= out->total;
	for (int k = 0; k < TX_KINDS; k++)
		q->n[k] -= out->n[k];
	return out->total;
}

uint64_t cohort_q_trim(struct cohort_q *q, uint64_t keep)
{
	uint64_t dropped = 0;
	while (q->txs > keep && q->len) {
		struct cohort *b = &q->c[(q->head + q->len - 1) & (q->cap - 1)];
		uint64_t over = q->txs - keep;
		struct cohort gone;
		if (over >= b->total) {
			gone = *b;
			q->len--;
		} else {
			/* The back cohort keeps its oldest part. */
			struct cohort kept;
			cohort_split(b, b->total - over, &kept);
			gone = *b;
			*b = kept;
		}
		q->txs -= gone.total;
		for (int k = 0; k < TX_KINDS; k++)
			q->n[k] -= gone.n[k];
		dropped += gone.total;
	}
	return dropped;
}

void cohort_q_release(struct cohort_q *q)
{
	free(q->c);
	memset(q, 0, sizeof(*q));
}
