/*
 * Latency distributions as weighted histograms: a cohort of a million
 * transactions is one weighted entry, not a million samples.  Log-spaced
 * bins (1 ms .. ~30 years, 40 per decade).
 */
#ifndef L2SIM_LATHIST_H
#define L2SIM_LATHIST_H

#include <stddef.h>

#include <gsl/gsl_histogram.h>

struct lat_hist {
	gsl_histogram *h;
	double weight;
};

int lat_hist_init(struct lat_hist *lh);
void lat_hist_release(struct lat_hist *lh);
void lat_hist_add(struct lat_hist *lh, double seconds, double weight);
/* The bin of a latency, and adding to a bin found before (hot paths). */
size_t lat_hist_bin(const struct lat_hist *lh, double seconds);
void lat_hist_add_bin(struct lat_hist *lh, size_t bin, double weight);
/* Adds another histogram of the same ranges. */
void lat_hist_merge(struct lat_hist *into, const struct lat_hist *from);
/* The q-quantile (0..1), log-interpolated within a bin; NAN when empty. */
double lat_hist_quantile(const struct lat_hist *lh, double q);

#endif
