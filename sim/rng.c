/*
 * Random stream seeding.  Each (seed, replication, component) gets its own
 * GSL taus2 generator: 24 bytes of state, so thousands of streams stay in
 * cache (an mt19937 per entity, 2.5 KB of state each, made PHOLD ~10x slower).
 */
#include "l2sim/rng.h"

uint64_t rng_hash_str(const char *s)
{
	uint64_t h = UINT64_C(14695981039346656037);
	for (; *s; s++) {
		h ^= (unsigned char)*s;
		h *= UINT64_C(1099511628211);
	}
	return h;
}

uint64_t rng_mix64(uint64_t x)
{
	x += UINT64_C(0x9E3779B97F4A7C15);
	x = (x ^ (x >> 30)) * UINT64_C(0xBF58476D1CE4E5B9);
	x = (x ^ (x >> 27)) * UINT64_C(0x94D049BB133111EB);
	return x ^ (x >> 31);
}

uint64_t rng_stream_seed(uint64_t seed, uint32_t replication, const char *name)
{
	uint64_t h = rng_mix64(seed);
	h = rng_mix64(h ^ (uint64_t)replication * UINT64_C(0xD6E8FEB86659FD93));
	h = rng_mix64(h ^ rng_hash_str(name));
	/* taus2 maps seed 0 to its default seed; keep streams distinct. */
	return h ? h : 1;
}

gsl_rng *rng_stream_create(uint64_t seed, uint32_t replication,
			   const char *name)
{
	gsl_rng *r = gsl_rng_alloc(gsl_rng_taus2);
	if (!r)
		return NULL;
	/* taus2 seeds from 32 bits: fold the high half in rather than drop it. */
	uint64_t s = rng_stream_seed(seed, replication, name);
	uint64_t folded = (s ^ (s >> 32)) & UINT64_C(0xFFFFFFFF);
	gsl_rng_set(r, (unsigned long)(folded ? folded : 1));
	return r;
}
