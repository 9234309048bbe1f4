/*
 * Seeding of random streams.  Every stream is a GSL generator seeded with
 * rng_stream_seed(seed, replication, name): a 64-bit mix (splitmix64 over
 * FNV-1a of the name) so that streams of different components or
 * replications are unrelated and adding a component changes no other stream.
 */
#ifndef L2SIM_RNG_H
#define L2SIM_RNG_H

#include <stdint.h>

#include <gsl/gsl_rng.h>

/* FNV-1a, 64-bit. */
uint64_t rng_hash_str(const char *s);

/* splitmix64 finalizer. */
uint64_t rng_mix64(uint64_t x);

/* Seed for the stream of (seed, replication, name).  Never 0. */
uint64_t rng_stream_seed(uint64_t seed, uint32_t replication, const char *name);

/* A new taus2 generator seeded for (seed, replication, name); NULL on OOM.
 * The caller frees it with gsl_rng_free(). */
gsl_rng *rng_stream_create(uint64_t seed, uint32_t replication,
			   const char *name);

#endif
