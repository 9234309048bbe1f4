/*
 * Latency distributions as weighted histograms (a cohort of a million
 * transactions is one weighted entry, not a million samples).
 * GSL's histogram holds the bins; ranges are log-spaced, 40 per decade
 * (about 6% wide) from 1 ms to 1e9 s.  Weight spread uniformly over an
 * interval goes to each bin in proportion to its overlap, and the smallest
 * and largest latencies bound the first and last bins, so a quantile of a
 * uniform wait is within ~0.1% of the closed form; a point mass reads as
 * its bin, ~3% wide.
 */
#include <math.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>

#include "l2sim/error.h"
#include "l2sim/lathist.h"

#define LH_MIN_LOG10 (-3.0)
#define LH_MAX_LOG10 (9.0)
#define LH_PER_DECADE 40

/* The bin edges, computed once per process: a world has three histograms
 * per instance, and 481 pow() calls each were most of the cost of
 * building (and so of validating) a world. */
/* Bin edges: 0, then 12 decades at LH_PER_DECADE each, both ends
 * included. */
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

/* GSL's histogram struct (n, range, bin) with the ranges shared by every
 * histogram of the process and the bins allocated at the first addition
 * (gsl_histogram_alloc() makes three allocations and fills its ranges
 * twice, for every histogram of every instance, used or not). */
int lat_hist_init(struct lat_hist *lh)
{
	lh->weight = 0;
	lh->min = INFINITY;
	lh->max = -INFINITY;
	lh->oom = false;
	pthread_once(&lh_range_once, lh_range_init);
	lh->h.n = LH_RANGES - 1;
	lh->h.range = lh_range;
	lh->h.bin = NULL;
	return 0;
}

void lat_hist_release(struct lat_hist *lh)
{
	free(lh->h.bin);
	lh->h.bin = NULL;
}

bool lat_hist_failed(const struct lat_hist *lh)
{
	return lh->oom;
}

/* The bins, allocated on first use; false (and oom) without memory. */
static bool bins(struct lat_hist *lh)
{
	if (lh->h.bin)
		return true;
	lh->h.bin = calloc(LH_RANGES - 1, sizeof(double));
	if (!lh->h.bin)
		lh->oom = true;
	return lh->h.bin != NULL;
}

size_t lat_hist_bin(const struct lat_hist *lh, double seconds)
{
	/* The bin from the log-spaced layout, then checked against GSL's
	 * ranges (rounding of pow() at the edges): O(1) where
	 * gsl_histogram_accumulate searches, and this is on the hot path. */
	const gsl_histogram *h = &lh->h;
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

static void add_raw(struct lat_hist *lh, size_t bin, double weight)
{
	if (!bins(lh))
		return;
	lh->h.bin[bin] += weight;
	lh->weight += weight;
}

static void widen(struct lat_hist *lh, double lo, double hi)
{
	/* Negative latencies count as 0 (the first bin). */
	lo = lo > 0 ? lo : 0;
	hi = hi > 0 ? hi : 0;
	if (lo < lh->min)
		lh->min = lo;
	if (hi > lh->max)
		lh->max = hi;
}

void lat_hist_add_bin(struct lat_hist *lh, size_t bin, double weight)
{
	if (!(weight > 0))
		return;
	add_raw(lh, bin, weight);
	/* Anywhere in the bin. */
	widen(lh, lh->h.range[bin], lh->h.range[bin + 1]);
}

void lat_hist_add(struct lat_hist *lh, double seconds, double weight)
{
	if (!(weight > 0))
		return;
	add_raw(lh, lat_hist_bin(lh, seconds), weight);
	widen(lh, seconds, seconds);
}

/* The bins [lo, hi) covers: shares follow from GSL's ranges as they are
 * added, so a prepared spread holds its ends only. */
void lat_hist_spread_init(struct lat_spread *sp, const struct lat_hist *lh,
		     double lo, double hi)
{
	sp->lo = lo;
	sp->hi = hi > lo ? hi : lo;
	sp->first = lat_hist_bin(lh, lo);
	sp->last = hi > lo ? lat_hist_bin(lh, hi) : sp->first;
	sp->pending = 0;
}

void lat_hist_spread_defer(struct lat_spread *sp, double weight)
{
	if (weight > 0)
		sp->pending += weight;
}

void lat_hist_spread_flush(struct lat_hist *lh, struct lat_spread *sp)
{
	if (sp->pending > 0)
		lat_hist_add_spread(lh, sp, sp->pending);
	sp->pending = 0;
}

void lat_hist_add_spread(struct lat_hist *lh, const struct lat_spread *sp,
			 double weight)
{
	if (!(weight > 0))
		return;
	if (!bins(lh))
		return;
	const gsl_histogram *h = &lh->h;
	const double *range = h->range;
	double *bin = h->bin;
	double lo = sp->lo, hi = sp->hi, sum = 0;
	bool added = false;
	if (hi > lo) {
		/* The total in a local: through lh->weight every bin would
		 * wait for the previous one's store. */
		for (size_t i = sp->first; i <= sp->last; i++) {
			double a = range[i] > lo ? range[i] : lo;
			double b = (i + 1 <= h->n && range[i + 1] < hi)
					   ? range[i + 1] : hi;
			if (!(b > a))
				continue;
			double x = weight * ((b - a) / (hi - lo));
			bin[i] += x;
			sum += x;
			added = true;
		}
		lh->weight += sum;
	}
	if (!added)
		add_raw(lh, sp->first, weight);
	widen(lh, lo, hi);
}

void lat_hist_add_uniform(struct lat_hist *lh, double lo, double hi,
			  double weight)
{
	struct lat_spread sp;
	lat_hist_spread_init(&sp, lh, lo, hi);
	lat_hist_add_spread(lh, &sp, weight);
}

void lat_hist_add_arrivals(struct lat_hist *lh, const struct batch *b,
			   sim_time_t at)
{
	for (int i = 0; i < b->n_pts; i++) {
		const struct batch_point *p = &b->pts[i];
		double lo = sim_time_to_s(at - p->arrived - p->spread),
		       hi = sim_time_to_s(at - p->arrived + p->spread);
		lat_hist_add_uniform(lh, lo > 0 ? lo : 0, hi > 0 ? hi : 0,
				     p->weight);
	}
}

void lat_hist_merge(struct lat_hist *into, const struct lat_hist *from)
{
	if (from->oom)
		into->oom = true;
	if (!from->h.bin || !bins(into))
		return; /* nothing added to 'from', or no memory */
	gsl_histogram_add(&into->h, &from->h);
	into->weight += from->weight;
	if (from->weight > 0)
		widen(into, from->min, from->max);
}

double lat_hist_quantile(const struct lat_hist *lh, double q)
{
	if (!(lh->weight > 0) || lh->oom || !lh->h.bin)
		return NAN;
	double target = q * lh->weight, cum = 0;
	size_t n = gsl_histogram_bins(&lh->h);
	for (size_t i = 0; i < n; i++) {
		double w = gsl_histogram_get(&lh->h, i);
		if (w <= 0)
			continue;
		if (cum + w >= target) {
			double lo, hi;
			gsl_histogram_get_range(&lh->h, i, &lo, &hi);
			/* Nothing lies outside [min, max]: the first and
			 * last bins are only partly filled. */
			if (lh->min > lo && lh->min < hi)
				lo = lh->min;
			if (lh->max < hi && lh->max >= lo)
				hi = lh->max;
			double f = (target - cum) / w;
			if (lo <= 0)
				return hi * f;
			if (hi <= lo)
				return lo;
			return lo * pow(hi / lo, f);
		}
		cum += w;
	}
	return lh->max;
}
