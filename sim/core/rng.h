/*
 * rng.h - independent random streams, one per named entity.
 *
 * Generator: xoshiro256** 1.0 (Blackman & Vigna, 2018), 256 bits of state,
 * period 2^256 - 1.  A stream's state is derived from (run seed, entity
 * name): the name is hashed with 64-bit FNV-1a, mixed with the seed by one
 * splitmix64 step, and the result seeds splitmix64, whose next four outputs
 * fill the state (the seeding its authors recommend).  Streams of different
 * names are therefore unrelated, and adding an entity to a model never
 * changes the draws of another (DESIGN §7).
 *
 * All functions are O(1) and allocation-free; struct rng is open so that it
 * can be embedded in the entity that owns it.
 */
#ifndef ESSIM_CORE_RNG_H
#define ESSIM_CORE_RNG_H

#include <stdint.h>

struct rng {
	uint64_t s[4];
};

/* Seed r for the stream "name" of run seed "seed".  name may be "". */
void	rng_init(struct rng *r, uint64_t seed, const char *name);

/* Next 64 random bits. */
static inline uint64_t
rng_next(struct rng *r)
{
	uint64_t *s = r->s;
	uint64_t x = s[1] * 5;
	uint64_t result = ((x << 7) | (x >> 57)) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = (s[3] << 45) | (s[3] >> 19);
	return result;
}

/* Uniform double in [0, 1), 53 random bits. */
static inline double
rng_uniform(struct rng *r)
{
	return (double)(rng_next(r) >> 11) * 0x1.0p-53;
}

/* Uniform double in (0, 1]: safe to take the logarithm of. */
static inline double
rng_uniform_pos(struct rng *r)
{
	return (double)((rng_next(r) >> 11) + 1) * 0x1.0p-53;
}

/* Uniform integer in [0, n), n > 0, without modulo bias (Lemire). */
uint64_t rng_below(struct rng *r, uint64_t n);

/* Exponential variate of the given mean (> 0). */
double	rng_exp(struct rng *r, double mean);

/* Standard normal variate (Marsaglia polar method, no cached spare). */
double	rng_normal(struct rng *r);

/*
 * Zipf rank in [1, n] with P(k) proportional to k^-s (s > 0), by
 * rejection-inversion (Hormann and Derflinger 1996, as in Apache Commons
 * RNG): O(1) expected draws, no table, so memory never depends on n.
 */
uint64_t rng_zipf(struct rng *r, uint64_t n, double s);

/* 64-bit FNV-1a of a string: stable across runs and machines. */
uint64_t rng_hash(const char *s);

#endif /* ESSIM_CORE_RNG_H */
