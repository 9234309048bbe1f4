/*
 * Latency distributions as weighted histograms (DESIGN.md: a cohort of a
 * million transactions is one weighted entry, not a million samples).
 * GSL's histogram holds the bins; ranges are log-spaced, 40 per decade
 * (about 6% wide) from 1 ms to 1e9 s, so percentiles carry ~3% error.
 */
#include <math.h>
#include <pthread.h>

#include "l2sim/error.h"
#include "l2sim/lathist.h"

#define LH_MIN_LOG10 (-3.0)
#define LH_MAX_LOG10 (9.0)
#define LH_PER_DECADE 40
#define LH_BINS ((int)((LH_MAX_LOG10 - LH_MIN_LOG10) * LH_PER_DECADE))

/* The bin edges, computed once per process: a world has three histograms
 * per instance, and 481 pow() calls each were most of the cost of
 * building (and so of validating) a world. */
/* LH_BINS as an integer constant: 12 decades. */
#define LH_RANGES (12 * LH_PER_DECADE + 2)
static double lh_range[LH_RANGES];
static pthread_once_t lh_range_once = PTHREAD_ONCE_INIT;

static void lh_range_init(void)
{
	lh_range[0] = 0;
	for (int i = 0; i + 1 < LH_RANGES; i++)
		lh_range[i + 1] =
			pow(10, LH_MIN_LOG10 + (double)i / LH_PER_DECADE);
}

int lat_hist_init(struct lat_hist *lh)
{
	lh->weight = 0;
	lh->h = gsl_histogram_alloc(LH_BINS + 1);
	if (!lh->h)
		return L2S_ENOMEM;
	pthread_once(&lh_range_once, lh_range_init);
	gsl_histogram_set_ranges(lh->h, lh_range, LH_RANGES);
	return 0;
}

void lat_hist_release(struct lat_hist *lh)
{
	if (lh->h)
		gsl_histogram_free(lh->h);
	lh->h = NULL;
}

size_t lat_hist_bin(const struct lat_hist *lh, double seconds)
{
	/* The bin from the log-spaced layout, then checked against GSL's
	 * ranges (rounding of pow() at the edges): O(1) where
	 * gsl_histogram_accumulate searches, and this is on the hot path. */
	const gsl_histogram *h = lh->h;
	if (!(seconds >= h->range[1]))
		return 0;
	if (seconds >= h->range[h->n])
		return h->n - 1;
	double f = (log10(seconds) - LH_MIN_LOG10) * LH_PER_DECADE;
	size_t i = f < 0 ? 1 : (size_t)f + 1;
	if (i > h->n - 1)
		i = h->n - 1;
	while (i > 1 && seconds < h->range[i])
		i--;
	while (i < h->n - 1 && seconds >= h->range[i + 1])
		i++;
	return i;
}

void lat_hist_add_bin(struct lat_hist *lh, size_t bin, double weight)
{
	if (!(weight > 0))
		return;
	lh->h->bin[bin] += weight;
	lh->weight += weight;
}

void lat_hist_add(struct lat_hist *lh, double seconds, double weight)
{
	lat_hist_add_bin(lh, lat_hist_bin(lh, seconds), weight);
}

void lat_hist_merge(struct lat_hist *into, const struct lat_hist *from)
{
	gsl_histogram_add(into->h, from->h);
	into->weight += from->weight;
}

double lat_hist_quantile(const struct lat_hist *lh, double q)
{
	if (!(lh->weight > 0))
		return NAN;
	double target = q * lh->weight, cum = 0;
	size_t n = gsl_histogram_bins(lh->h);
	for (size_t i = 0; i < n; i++) {
		double w = gsl_histogram_get(lh->h, i);
		if (w <= 0)
			continue;
		if (cum + w >= target) {
			double lo, hi;
			gsl_histogram_get_range(lh->h, i, &lo, &hi);
			double f = (target - cum) / w;
			if (lo <= 0)
				return hi * f;
			return lo * pow(hi / lo, f);
		}
		cum += w;
	}
	double lo, hi;
	gsl_histogram_get_range(lh->h, n - 1, &lo, &hi);
	return hi;
}
