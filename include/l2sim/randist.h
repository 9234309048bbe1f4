/*
 * Exact random variates faster than GSL's where the models draw them per
 * tick and per instance.
 *
 * rng_poisson(r, mu) has the Poisson(mu) law like gsl_ran_poisson but is
 * several times cheaper for large means: GSL reduces a large mean with a
 * gamma variate (rejection with tan) and a binomial (BTPE), ~10 uniforms
 * and a dozen transcendental calls per draw; here a mean of 10 or more
 * uses the transformed rejection of Hoermann (PTRS), which accepts about
 * 85% of draws from two uniforms and a few products, and a smaller mean
 * uses inversion by sequential search (one uniform, one exp).  The stream
 * of values differs from GSL's for the same generator state; the law is
 * the same (tests/test_randist.c: chi-square against the exact pmf and
 * against gsl_ran_poisson).
 *
 * W. Hoermann, "The transformed rejection method for generating Poisson
 * random variables", Insurance: Mathematics and Economics 12 (1993) 39-45.
 */
#ifndef L2SIM_RANDIST_H
#define L2SIM_RANDIST_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* Poisson(mu); 0 without consuming the generator when mu <= 0 or NaN.
 * Means beyond 2^52 use the normal approximation (relative error there
 * below 1e-7). */
uint64_t rng_poisson(gsl_rng *r, double mu);

/* The constants of the method for one mean (a square root, a logarithm
 * and two divisions).  A caller that draws one mean over and over (every
 * instance of a workload, within a tick) keeps one per stream of means
 * and draws with rng_poisson_at(): the same values as rng_poisson(), the
 * constants computed only when the mean changes.  Zero-initialised is
 * empty; it belongs to one run like the generator. */
struct rng_poisson_memo {
	double mu, b, a, v_r, inv_alpha, log_mu;
};
uint64_t rng_poisson_at(gsl_rng *r, double mu, struct rng_poisson_memo *m);

#endif
