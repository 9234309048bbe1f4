/*
 * rng_poisson() against the Poisson law: chi-square goodness of fit to the
 * exact pmf, a two-sample chi-square against gsl_ran_poisson (the draw it
 * replaced), and the per-kind thinning of wl_stream_draw() against the
 * former total-then-multinomial draw.  Seeds are fixed, so each test
 * either always passes or always fails; the threshold p > 1e-4 leaves a
 * correct sampler a 1-in-10,000 chance per seed of being flagged, and a
 * sampler whose law is off by a percent in any bin fails by orders of
 * magnitude.
 */
#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_sf_gamma.h>

#include "l2sim/randist.h"
#include "l2sim/rng.h"
#include "l2sim/scenario.h"
#include "l2sim/workload.h"

#define P_MIN 1e-4

/*
 * Bins [lo + i * w, lo + (i + 1) * w) for i < nb, with everything below lo
 * in bin 0 and everything above in bin nb - 1: wide enough that every bin
 * expects at least 5 draws.
 */
struct bins {
	int64_t lo, w;
	int nb;
};

static struct bins bins_for(double mu)
{
	double sd = sqrt(mu);
	struct bins b;
	b.lo = (int64_t)floor(mu - 4.0 * sd);
	if (b.lo < 0)
		b.lo = 0;
	int64_t hi = (int64_t)ceil(mu + 4.0 * sd) + 1;
	b.w = (hi - b.lo) / 40 + 1;
	b.nb = (int)((hi - b.lo) / b.w) + 1;
	return b;
}

static int bin_of(const struct bins *b, uint64_t k)
{
	if ((int64_t)k < b->lo)
		return 0;
	int64_t i = ((int64_t)k - b->lo) / b->w;
	return i >= b->nb ? b->nb - 1 : (int)i;
}

/* log P(X = k) for X ~ Poisson(mu). */
static double log_pmf(double mu, int64_t k)
{
	return -mu + (double)k * log(mu) - gsl_sf_lngamma((double)k + 1.0);
}

/* Expected probability of each bin under Poisson(mu). */
static void bin_probs(const struct bins *b, double mu, double *p)
{
	double below = 0;
	for (int64_t k = 0; k < b->lo; k++)
		below += exp(log_pmf(mu, k));
	double sum = 0;
	for (int i = 0; i < b->nb; i++) {
		p[i] = 0;
		for (int64_t k = b->lo + i * b->w; k < b->lo + (i + 1) * b->w; k++)
			p[i] += exp(log_pmf(mu, k));
		sum += p[i];
	}
	p[0] += below;
	p[b->nb - 1] += 1.0 - below - sum; /* the upper tail */
}

/* Merges adjacent bins until each expects at least 5 (of n); returns the
 * number of bins left.  obs and exp_n are merged alike. */
static int merge_small(double *obs, double *exp_n, int nb)
{
	int out = 0;
	double o = 0, e = 0;
	for (int i = 0; i < nb; i++) {
		o += obs[i];
		e += exp_n[i];
		if (e >= 5.0) {
			obs[out] = o;
			exp_n[out] = e;
			out++;
			o = e = 0;
		}
	}
	if (e > 0 && out > 0) {
		obs[out - 1] += o;
		exp_n[out - 1] += e;
	}
	return out;
}

/* Chi-square goodness of fit of n draws of rng_poisson(mu): p-value. */
static double gof_pvalue(double mu, uint64_t seed, int n)
{
	struct bins b = bins_for(mu);
	double *obs = calloc((size_t)b.nb, sizeof(double));
	double *p = calloc((size_t)b.nb, sizeof(double));
	assert_non_null(obs);
	assert_non_null(p);
	gsl_rng *r = rng_stream_create(seed, 0, "randist-gof");
	double sum = 0;
	for (int i = 0; i < n; i++) {
		uint64_t k = rng_poisson(r, mu);
		obs[bin_of(&b, k)] += 1;
		sum += (double)k;
	}
	gsl_rng_free(r);
	bin_probs(&b, mu, p);
	for (int i = 0; i < b.nb; i++)
		p[i] *= n;
	int nb = merge_small(obs, p, b.nb);
	double chi2 = 0;
	for (int i = 0; i < nb; i++)
		chi2 += (obs[i] - p[i]) * (obs[i] - p[i]) / p[i];
	double pv = gsl_cdf_chisq_Q(chi2, nb - 1);
	/* The mean too: sd of the sample mean is sqrt(mu / n). */
	double z = (sum / n - mu) / sqrt(mu / n);
	free(obs);
	free(p);
	if (fabs(z) > 4.5)
		return 0;
	return pv;
}

static void test_poisson_gof(void **state)
{
	(void)state;
	/* Both methods and the switch between them (10), the per-kind means
	 * of a 12 s tick at 100 tps (60 .. 540) and very large means. */
	const double mus[] = {0.01, 0.7, 3.5, 9.999, 10.0, 10.5, 24.0,
			      60.0, 123.4, 540.0, 1200.0, 9.9e4, 3.3e7};
	for (size_t i = 0; i < sizeof(mus) / sizeof(mus[0]); i++) {
		double pv = gof_pvalue(mus[i], 1000 + i, 2000000);
		if (!(pv > P_MIN))
			fail_msg("rng_poisson(%g): chi-square p = %g", mus[i], pv);
	}
}

/* Two-sample chi-square of rng_poisson against gsl_ran_poisson. */
static void test_poisson_vs_gsl(void **state)
{
	(void)state;
	const double mus[] = {2.5, 17.0, 60.0, 1200.0, 250000.0};
	enum { N = 200000 };
	for (size_t m = 0; m < sizeof(mus) / sizeof(mus[0]); m++) {
		double mu = mus[m];
		struct bins b = bins_for(mu);
		double *x = calloc((size_t)b.nb, sizeof(double));
		double *y = calloc((size_t)b.nb, sizeof(double));
		assert_non_null(x);
		assert_non_null(y);
		gsl_rng *r1 = rng_stream_create(7, (uint32_t)m, "new");
		gsl_rng *r2 = rng_stream_create(7, (uint32_t)m, "gsl");
		for (int i = 0; i < N; i++) {
			x[bin_of(&b, rng_poisson(r1, mu))] += 1;
			y[bin_of(&b, gsl_ran_poisson(r2, mu))] += 1;
		}
		gsl_rng_free(r1);
		gsl_rng_free(r2);
		/* Merge bins until both samples have 5 or more. */
		double chi2 = 0, xo = 0, yo = 0;
		int cells = 0;
		for (int i = 0; i < b.nb; i++) {
			xo += x[i];
			yo += y[i];
			if ((xo >= 5 && yo >= 5) || i == b.nb - 1) {
				if (xo + yo > 0) {
					/* Equal sample sizes. */
					chi2 += (xo - yo) * (xo - yo) / (xo + yo);
					cells++;
				}
				xo = yo = 0;
			}
		}
		double pv = gsl_cdf_chisq_Q(chi2, cells - 1);
		if (!(pv > P_MIN))
			fail_msg("mu %g: rng_poisson vs gsl_ran_poisson p = %g",
				 mu, pv);
		free(x);
		free(y);
	}
}

static void test_poisson_edges(void **state)
{
	(void)state;
	gsl_rng *r = rng_stream_create(3, 0, "edges");
	gsl_rng_set(r, 5);
	unsigned long before = gsl_rng_get(r);
	gsl_rng_set(r, 5);
	/* No draw for a zero, negative or NaN mean. */
	assert_int_equal(rng_poisson(r, 0), 0);
	assert_int_equal(rng_poisson(r, -3), 0);
	assert_int_equal(rng_poisson(r, NAN), 0);
	assert_int_equal(gsl_rng_get(r), before);
	/* Beyond 2^52 the normal approximation: within 6 sd. */
	double mu = 1e17;
	for (int i = 0; i < 100; i++) {
		double k = (double)rng_poisson(r, mu);
		assert_true(fabs(k - mu) < 6 * sqrt(mu));
	}
	/* The same generator state gives the same values. */
	gsl_rng_set(r, 9);
	uint64_t a = rng_poisson(r, 77.7), a2 = rng_poisson(r, 3.3);
	gsl_rng_set(r, 9);
	assert_int_equal(rng_poisson(r, 77.7), a);
	assert_int_equal(rng_poisson(r, 3.3), a2);
	/* A memo gives the same values, whatever it held before. */
	struct rng_poisson_memo m = {0};
	gsl_rng_set(r, 9);
	assert_int_equal(rng_poisson_at(r, 77.7, &m), a);
	assert_int_equal(rng_poisson_at(r, 3.3, &m), a2);
	assert_true(m.mu == 77.7); /* only means of 10 or more use it */
	gsl_rng_set(r, 9);
	(void)rng_poisson_at(r, 1234.5, &m);
	gsl_rng_set(r, 9);
	assert_int_equal(rng_poisson_at(r, 77.7, &m), a);
	gsl_rng_free(r);
}

/*
 * Per-kind thinning in wl_stream_draw() against the draw it replaced: a
 * Poisson total split by a multinomial.  Per kind, a two-sample chi-square
 * of the counts of 100,000 ticks; across kinds, the correlation of two
 * kinds' counts, zero under either method (a multinomial split of a
 * Poisson total gives independent counts).
 */
static void test_thinning_vs_multinomial(void **state)
{
	(void)state;
	const char *text = "{\"name\": \"t\", \"workloads\": [{\"name\": \"w\", "
			   "\"rate\": {\"type\": \"diurnal\", \"tps\": 100, "
			   "\"amplitude\": 0.3}, \"mix\": {\"transfer\": 0.4, "
			   "\"erc20\": 0.3, \"swap\": 0.2, \"nft_mint\": 0.05, "
			   "\"inscription\": 0.05}}]}";
	struct scenario *scn;
	struct workload_set *set;
	struct l2s_error err;
	assert_int_equal(scenario_load_text("t.json", text, &scn, &err), 0);
	struct scn_obj root = scn_root(scn);
	assert_int_equal(workloads_create(&root, &set, &err), 0);
	const struct workload *w = workload_find(set, "w");
	const double *mix = workload_mix(w);
	struct wl_stream *s = wl_stream_create(w);
	gsl_rng *r1 = rng_stream_create(11, 0, "thin");
	gsl_rng *r2 = rng_stream_create(11, 0, "multinomial");
	enum { N = 100000, NB = 64 };
	const sim_time_t tick = 12 * SIM_S;
	/* Counts per kind binned around each kind's mean at a fixed phase:
	 * every tick is drawn over the same 12 s of the day. */
	static double x[TX_KINDS][NB], y[TX_KINDS][NB];
	double sxy = 0, sx = 0, sy = 0, sxx = 0, syy = 0;
	double lam = workload_mean_tps(w, 0, tick) * 12.0;
	for (int i = 0; i < N; i++) {
		uint64_t c[TX_KINDS], d[TX_KINDS];
		sim_time_t t0 = (sim_time_t)i * 86400 * SIM_S;
		wl_stream_draw(s, r1, t0, t0 + tick, c);
		unsigned int part[TX_KINDS];
		unsigned int n = gsl_ran_poisson(r2, lam);
		gsl_ran_multinomial(r2, TX_KINDS, n, mix, part);
		for (int k = 0; k < TX_KINDS; k++) {
			d[k] = part[k];
			if (mix[k] <= 0)
				continue;
			double m = lam * mix[k];
			struct bins b = bins_for(m);
			assert_true(b.nb <= NB);
			x[k][bin_of(&b, c[k])] += 1;
			y[k][bin_of(&b, d[k])] += 1;
		}
		sx += (double)c[TX_TRANSFER];
		sy += (double)c[TX_SWAP];
		sxy += (double)c[TX_TRANSFER] * (double)c[TX_SWAP];
		sxx += (double)c[TX_TRANSFER] * (double)c[TX_TRANSFER];
		syy += (double)c[TX_SWAP] * (double)c[TX_SWAP];
	}
	for (int k = 0; k < TX_KINDS; k++) {
		if (mix[k] <= 0)
			continue;
		struct bins b = bins_for(lam * mix[k]);
		double chi2 = 0, xo = 0, yo = 0;
		int cells = 0;
		for (int i = 0; i < b.nb; i++) {
			xo += x[k][i];
			yo += y[k][i];
			if ((xo >= 5 && yo >= 5) || i == b.nb - 1) {
				if (xo + yo > 0) {
					chi2 += (xo - yo) * (xo - yo) / (xo + yo);
					cells++;
				}
				xo = yo = 0;
			}
		}
		double pv = gsl_cdf_chisq_Q(chi2, cells - 1);
		if (!(pv > P_MIN))
			fail_msg("kind %d: thinning vs multinomial p = %g", k, pv);
	}
	/* Correlation of transfer and swap counts: sd 1 / sqrt(N). */
	double cov = sxy / N - (sx / N) * (sy / N);
	double corr = cov / sqrt((sxx / N - (sx / N) * (sx / N)) *
				 (syy / N - (sy / N) * (sy / N)));
	assert_true(fabs(corr) < 4.5 / sqrt((double)N));
	gsl_rng_free(r1);
	gsl_rng_free(r2);
	wl_stream_destroy(s);
	workload_set_destroy(set);
	scenario_destroy(scn);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_poisson_gof),
		cmocka_unit_test(test_poisson_vs_gsl),
		cmocka_unit_test(test_poisson_edges),
		cmocka_unit_test(test_thinning_vs_multinomial),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
