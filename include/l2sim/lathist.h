/*
 * Latency distributions as weighted histograms: a cohort of a million
 * transactions is one weighted entry, not a million samples.  Log-spaced
 * bins (1 ms .. ~30 years, 40 per decade).
 */
#ifndef L2SIM_LATHIST_H
#define L2SIM_LATHIST_H

#include <stdbool.h>
#include <stddef.h>

#include <gsl/gsl_histogram.h>

#include "l2sim/batch.h"

struct lat_hist {
	gsl_histogram h;   /* its ranges shared; its bins its own, allocated
			      at the first addition */
	double weight;
	double min, max;   /* smallest and largest latency added (the first
			      and last bins are read as [min, ..) and [.., max]) */
	bool oom;          /* the bins could not be allocated: lat_hist_failed() */
};

/* An empty histogram (nothing allocated until something is added, so a
 * world built only to be checked costs no bins); 0. */
int lat_hist_init(struct lat_hist *lh);
/* Whether an addition was lost for want of memory (quantiles are then
 * NaN): the collector turns it into a failed run. */
bool lat_hist_failed(const struct lat_hist *lh);
void lat_hist_release(struct lat_hist *lh);
void lat_hist_add(struct lat_hist *lh, double seconds, double weight);
/* The bin of a latency, and adding to a bin found before (hot paths). */
size_t lat_hist_bin(const struct lat_hist *lh, double seconds);
void lat_hist_add_bin(struct lat_hist *lh, size_t bin, double weight);
/* Adds 'weight' spread uniformly over latencies [lo, hi) seconds: each bin
 * gets the share of the interval it covers (lo == hi adds a point). */
void lat_hist_add_uniform(struct lat_hist *lh, double lo, double hi,
			  double weight);
/* The same spread, its end bins found once for an interval met again and
 * again (a few words: one per sequencer of a million instances). */
struct lat_spread {
	double lo, hi;
	size_t first, last;
	double pending; /* weight deferred, not yet in the bins */
};
void lat_hist_spread_init(struct lat_spread *sp, const struct lat_hist *lh,
		     double lo, double hi);
/* Deferring: the same spread added again and again is one addition of the
 * summed weight (the bins are linear in it), made by the flush.  A
 * reader flushes first. */
void lat_hist_spread_defer(struct lat_spread *sp, double weight);
void lat_hist_spread_flush(struct lat_hist *lh, struct lat_spread *sp);
void lat_hist_add_spread(struct lat_hist *lh, const struct lat_spread *sp,
			 double weight);
/* The latencies at time 'at' of a batch's arrival points (each uniform
 * over arrived +- spread, never below 0). */
void lat_hist_add_arrivals(struct lat_hist *lh, const struct batch *b,
			   sim_time_t at);
/* Adds another histogram of the same ranges. */
void lat_hist_merge(struct lat_hist *into, const struct lat_hist *from);
/* The q-quantile (0..1), log-interpolated within a bin; NAN when empty. */
double lat_hist_quantile(const struct lat_hist *lh, double q);

#endif
