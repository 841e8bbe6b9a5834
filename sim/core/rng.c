/*
 * rng.c - xoshiro256** streams seeded from (seed, name); see rng.h.
 */
#include <math.h>
#include <stdint.h>

#include "core/rng.h"

static uint64_t
splitmix64(uint64_t *x)
{
	uint64_t z = (*x += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

uint64_t
rng_hash(const char *s)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (; *s != '\0'; s++) {
		h ^= (unsigned char)*s;
		h *= 0x100000001b3ULL;
	}
	return h;
}

void
rng_init(struct rng *r, uint64_t seed, const char *name)
{
	uint64_t x = seed;
	uint64_t mixed = splitmix64(&x) ^ rng_hash(name);

	for (int i = 0; i < 4; i++)
		r->s[i] = splitmix64(&mixed);
	/* The all-zero state is the one state xoshiro cannot leave. */
	if ((r->s[0] | r->s[1] | r->s[2] | r->s[3]) == 0)
		r->s[0] = 1;
}

uint64_t
rng_below(struct rng *r, uint64_t n)
{
	uint64_t x = rng_next(r);
	__extension__ typedef unsigned __int128 u128;
	u128 m = (u128)x * n;
	uint64_t lo = (uint64_t)m;

	if (lo < n) {
		uint64_t threshold = -n % n;

		while (lo < threshold) {
			x = rng_next(r);
			m = (u128)x * n;
			lo = (uint64_t)m;
		}
	}
	return (uint64_t)(m >> 64);
}

double
rng_exp(struct rng *r, double mean)
{
	return -mean * log(rng_uniform_pos(r));
}

double
rng_normal(struct rng *r)
{
	double u, v, s;

	do {
		u = 2.0 * rng_uniform(r) - 1.0;
		v = 2.0 * rng_uniform(r) - 1.0;
		s = u * u + v * v;
	} while (s >= 1.0 || s == 0.0);
	return u * sqrt(-2.0 * log(s) / s);
}

/* ---- zipf: rejection-inversion helpers, exact near 0 ---------------- */

/* log1p(x)/x and expm1(x)/x */
static double
helper1(double x)
{
	return fabs(x) > 1e-8 ? log1p(x) / x :
	    1 - x * (0.5 - x * (1.0 / 3 - 0.25 * x));
}

static double
helper2(double x)
{
	return fabs(x) > 1e-8 ? expm1(x) / x :
	    1 + x * 0.5 * (1 + x * (1.0 / 3) * (1 + 0.25 * x));
}

static double
h_integral(double x, double s)
{
	double lx = log(x);

	return helper2((1 - s) * lx) * lx;
}

static double
h(double x, double s)
{
	return exp(-s * log(x));
}

static double
h_integral_inv(double x, double s)
{
	double t = x * (1 - s);

	if (t < -1)
		t = -1;
	return exp(helper1(t) * x);
}

uint64_t
rng_zipf(struct rng *r, uint64_t n, double s)
{
	double hx1, hn, sq, u, x;
	uint64_t k;

	if (n <= 1)
		return 1;
	hx1 = h_integral(1.5, s) - 1;
	hn = h_integral((double)n + 0.5, s);
	sq = 2 - h_integral_inv(h_integral(2.5, s) - h(2, s), s);
	for (;;) {
		u = hn + rng_uniform(r) * (hx1 - hn);
		x = h_integral_inv(u, s);
		k = x < 1 ? 1 : x >= (double)n ? n : (uint64_t)(x + 0.5);
		if (k > n)
			k = n;
		if (k - x <= sq || u >= h_integral((double)k + 0.5, s) -
		    h((double)k, s))
			return k;
	}
}
