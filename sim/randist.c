/*
 * Exact Poisson variates: inversion for small means, PTRS (Hoermann 1993)
 * for means of 10 or more.  See include/l2sim/randist.h.
 */
#include <math.h>
#include <pthread.h>

#include <gsl/gsl_randist.h>

#include "l2sim/randist.h"

/* Inversion by sequential search from 0: exact up to rounding, one
 * uniform; the expected number of steps is mu + 1. */
static uint64_t poisson_inversion(gsl_rng *r, double mu)
{
	double p = exp(-mu), f = p, u = gsl_rng_uniform(r);
	uint64_t k = 0;
	/* The cap only guards against a cumulative sum that rounds below u
	 * in its far tail (P(k > 200) < 1e-150 for mu < 10). */
	while (u > f && k < 200) {
		k++;
		p *= mu / (double)k;
		f += p;
	}
	return k;
}

/*
 * PTRS, "Poisson transformed rejection with squeeze" (Hoermann 1993,
 * algorithm PTRS): the candidate k = floor((2a / us + b) u + mu + 0.43)
 * from a transformed uniform u, accepted at once inside the squeeze
 * (us >= 0.07 and v <= v_r), else by comparing with the exact log pmf.
 */
/* log(k!) for k < LOGFACT_N, filled once per process with the values
 * lgamma_r gives (so the table changes no draw): the exact test of PTRS
 * needs one per rejected candidate. */
#define LOGFACT_N 8192
static double logfact[LOGFACT_N];
static pthread_once_t logfact_once = PTHREAD_ONCE_INIT;

static void logfact_init(void)
{
	int sign;
	for (int k = 0; k < LOGFACT_N; k++)
		logfact[k] = lgamma_r((double)k + 1.0, &sign);
}

static double log_factorial(double k)
{
	int sign;
	if (k < LOGFACT_N)
		return logfact[(int)k];
	return lgamma_r(k + 1.0, &sign);
}

/* The constants of PTRS for mu (unless *c holds them already). */
static void ptrs_fill(struct rng_poisson_memo *c, double mu)
{
	if (c->mu == mu)
		return;
	double smu = sqrt(mu);
	c->mu = mu;
	c->b = 0.931 + 2.53 * smu;
	c->a = -0.059 + 0.02483 * c->b;
	c->v_r = 0.9277 - 3.6224 / (c->b - 2.0);
	c->inv_alpha = 1.1239 + 1.1328 / (c->b - 3.4);
	c->log_mu = log(mu);
}

static uint64_t poisson_ptrs(gsl_rng *r, double mu,
			     const struct rng_poisson_memo *c)
{
	const double b = c->b, a = c->a, v_r = c->v_r;
	int have_table = 0;

	for (;;) {
		double u = gsl_rng_uniform(r) - 0.5;
		double v = gsl_rng_uniform(r);
		double us = 0.5 - fabs(u);
		if (us <= 0)
			continue;
		double kd = floor((2.0 * a / us + b) * u + mu + 0.43);
		if (us >= 0.07 && v <= v_r)
			return (uint64_t)kd;
		if (kd < 0 || (us < 0.013 && v > us))
			continue;
		if (!have_table) {
			pthread_once(&logfact_once, logfact_init);
			have_table = 1;
		}
		double lhs = log(v * c->inv_alpha / (a / (us * us) + b));
		double rhs = -mu + kd * c->log_mu - log_factorial(kd);
		if (lhs <= rhs)
			return (uint64_t)kd;
	}
}

uint64_t rng_poisson(gsl_rng *r, double mu)
{
	struct rng_poisson_memo m = {0};
	return rng_poisson_at(r, mu, &m);
}

uint64_t rng_poisson_at(gsl_rng *r, double mu, struct rng_poisson_memo *m)
{
	if (!(mu > 0))
		return 0;
	if (mu < 10.0)
		return poisson_inversion(r, mu);
	if (mu < 4503599627370496.0) { /* 2^52: k is exact in a double */
		ptrs_fill(m, mu);
		return poisson_ptrs(r, mu, m);
	}
	double x = floor(mu + sqrt(mu) * gsl_ran_ugaussian(r) + 0.5);
	return x > 0 ? (uint64_t)x : 0;
}
