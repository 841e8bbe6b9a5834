/*
 * test-rng.c - random streams: known answers for the generator and the
 * seeding, reproducibility and independence of streams, and the
 * distributions, each checked against a bound derived from the
 * distribution itself (with a fixed seed the outcome is deterministic;
 * the bounds make sure it would be a rare outcome for a correct
 * generator, and a near-certain one for the usual bugs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "core/rng.h"

/*
 * Known answers.  These numbers come from an independent implementation
 * in Python (about 30 lines, written from the published xoshiro256** 1.0
 * algorithm by Blackman and Vigna, and from the seeding described in
 * rng.h: FNV-1a of the name, one splitmix64 step of the seed, splitmix64
 * for the state), not from this C code.  The first three draws from state
 * {1, 2, 3, 4} also match the published test values 11520, 0, 1509978240.
 */
static void
test_xoshiro_known_answer(void **state)
{
	static const uint64_t want[] = {
		0x0000000000002d00ULL, 0x0000000000000000ULL,
		0x000000005a007080ULL, 0x10e0000000009d80ULL,
		0x10e0b61ce1009d80ULL, 0x0870021ce143ad00ULL,
	};
	struct rng r = { { 1, 2, 3, 4 } };

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++)
		assert_true(rng_next(&r) == want[i]);
}

static void
test_seeding_known_answer(void **state)
{
	static const uint64_t want_state[] = {
		0xed392c6865164329ULL, 0x0c53aeafff13c27cULL,
		0x9b3ff5bff7a9a0f9ULL, 0x2620f36c7bc429f7ULL,
	};
	static const uint64_t want_draws[] = {
		0x5ada77eb3c97e70eULL, 0x830015a3a0f59fb9ULL,
		0x29e9a10cba64872fULL, 0xe9c22e2d7980ecabULL,
	};
	struct rng r;

	(void)state;
	assert_true(rng_hash("acme") == 0x0724d383f4f6de0fULL);
	assert_true(rng_hash("") == 0xcbf29ce484222325ULL);
	rng_init(&r, 42, "acme");
	for (int i = 0; i < 4; i++)
		assert_true(r.s[i] == want_state[i]);
	for (int i = 0; i < 4; i++)
		assert_true(rng_next(&r) == want_draws[i]);
}

static void
test_same_seed_and_name_same_sequence(void **state)
{
	struct rng a, b;

	(void)state;
	rng_init(&a, 7, "syspolicyd");
	rng_init(&b, 7, "syspolicyd");
	for (int i = 0; i < 10000; i++)
		assert_true(rng_next(&a) == rng_next(&b));
}

/* Count equal draws at the same position: 0 expected (p ~ 2^-50). */
static int
same_positions(struct rng *a, struct rng *b, int n)
{
	int same = 0;

	for (int i = 0; i < n; i++)
		same += rng_next(a) == rng_next(b);
	return same;
}

static void
test_different_names_or_seeds_differ(void **state)
{
	struct rng a, b;

	(void)state;
	rng_init(&a, 7, "client-a");
	rng_init(&b, 7, "client-b");
	assert_int_equal(same_positions(&a, &b, 10000), 0);
	rng_init(&a, 7, "client-a");
	rng_init(&b, 8, "client-a");
	assert_int_equal(same_positions(&a, &b, 10000), 0);
	rng_init(&a, 7, "");
	rng_init(&b, 7, "x");
	assert_int_equal(same_positions(&a, &b, 10000), 0);
}

/* A stream's draws do not depend on other streams existing or drawing. */
static void
test_new_stream_does_not_perturb(void **state)
{
	uint64_t alone[1000];
	struct rng a, b, c;

	(void)state;
	rng_init(&a, 3, "daemon");
	for (int i = 0; i < 1000; i++)
		alone[i] = rng_next(&a);
	rng_init(&b, 3, "new-client");
	rng_init(&a, 3, "daemon");
	rng_init(&c, 3, "another");
	for (int i = 0; i < 1000; i++) {
		(void)rng_next(&b);
		(void)rng_below(&c, 17);
		assert_true(rng_next(&a) == alone[i]);
	}
}

/*
 * Upper quantile of the chi-square distribution with k degrees of
 * freedom, by the Wilson-Hilferty approximation (accurate to a few
 * percent for k >= 2); z = 4.75 is the standard normal quantile for an
 * upper tail of 1e-6.
 */
static double
chi2_bound(int k)
{
	double z = 4.75, a = 2.0 / (9.0 * k);
	double c = 1.0 - a + z * sqrt(a);

	return k * c * c * c;
}

/* Chi-square statistic of draws rng_below(n) % m over m cells. */
static double
chi2_below(uint64_t seed, uint64_t n, uint64_t m, int draws)
{
	long count[64] = { 0 };
	struct rng r;
	double expect = (double)draws / (double)m, x2 = 0;

	rng_init(&r, seed, "below");
	for (int i = 0; i < draws; i++) {
		uint64_t v = rng_below(&r, n);

		assert_true(v < n);
		count[v % m]++;
	}
	for (uint64_t i = 0; i < m; i++)
		x2 += ((double)count[i] - expect) *
		    ((double)count[i] - expect) / expect;
	return x2;
}

static void
test_below_unbiased(void **state)
{
	(void)state;
	for (uint64_t n = 2; n <= 12; n++)
		assert_true(chi2_below(n, n, n, 60000) <
		    chi2_bound((int)n - 1));
	assert_true(chi2_below(1, 37, 37, 100000) < chi2_bound(36));
	/*
	 * n = 3 * 2^62: without the rejection step, values divisible by 3
	 * would come out half the time instead of a third (each has two
	 * preimages among the 2^64 inputs, the others one), which the
	 * statistic below sees at once (about 7500 against a bound of 30).
	 */
	assert_true(chi2_below(5, UINT64_C(3) << 62, 3, 60000) <
	    chi2_bound(2));
	{
		struct rng r;

		rng_init(&r, 1, "one");
		for (int i = 0; i < 100; i++)
			assert_true(rng_below(&r, 1) == 0);
	}
}

static void
test_uniform_ranges(void **state)
{
	struct rng r;
	double lo = 1, hi = 0, lo_pos = 2, hi_pos = 0;

	(void)state;
	rng_init(&r, 9, "uniform");
	for (int i = 0; i < 1000000; i++) {
		double u = rng_uniform(&r), v = rng_uniform_pos(&r);

		assert_true(u >= 0.0 && u < 1.0);
		assert_true(v > 0.0 && v <= 1.0);
		lo = u < lo ? u : lo;
		hi = u > hi ? u : hi;
		lo_pos = v < lo_pos ? v : lo_pos;
		hi_pos = v > hi_pos ? v : hi_pos;
	}
	/* 10^6 draws: the extremes are within ~1e-6 of the ends. */
	assert_true(lo < 1e-4 && hi > 1.0 - 1e-4);
	assert_true(lo_pos < 1e-4 && hi_pos > 1.0 - 1e-4);
	/* The mappings themselves, at the extreme 53-bit values. */
	assert_true((double)(UINT64_MAX >> 11) * 0x1.0p-53 < 1.0);
	assert_true((double)((UINT64_MAX >> 11) + 1) * 0x1.0p-53 == 1.0);
}

/* Mean of n draws is within 6 standard errors (sd / sqrt(n)). */
static void
test_exp_mean(void **state)
{
	const int n = 1000000;
	const double mean = 2.5;
	struct rng r;
	double sum = 0;

	(void)state;
	rng_init(&r, 11, "exp");
	for (int i = 0; i < n; i++) {
		double x = rng_exp(&r, mean);

		assert_true(x >= 0.0 && isfinite(x));
		sum += x;
	}
	/* The exponential's sd equals its mean. */
	assert_true(fabs(sum / n - mean) < 6.0 * mean / sqrt(n));
}

static void
test_normal_moments(void **state)
{
	const int n = 1000000;
	struct rng r;
	double sum = 0, sum2 = 0, m, var;

	(void)state;
	rng_init(&r, 12, "normal");
	for (int i = 0; i < n; i++) {
		double x = rng_normal(&r);

		sum += x;
		sum2 += x * x;
	}
	m = sum / n;
	var = sum2 / n - m * m;
	/* sd of the mean: 1/sqrt(n); of the variance: sqrt(2/n). */
	assert_true(fabs(m) < 6.0 / sqrt(n));
	assert_true(fabs(var - 1.0) < 6.0 * sqrt(2.0 / n));
}

/*
 * Zipf ranks: P(k) = k^-s / H(n, s), checked for k = 1, 2 and 10 within
 * 4 SE, for exponents below, at (where the helpers' series take over)
 * and above 1.
 */
static void
test_zipf(void **state)
{
	static const double exps[] = { 0.5, 1.0, 1.1, 2.0 };
	static const int ranks[] = { 1, 2, 10 };
	const int n = 100, draws = 200000;
	struct rng r;

	(void)state;
	rng_init(&r, 1, "zipf");
	for (size_t e = 0; e < sizeof(exps) / sizeof(exps[0]); e++) {
		double s = exps[e], h = 0;
		int count[3] = { 0, 0, 0 };

		for (int k = 1; k <= n; k++)
			h += pow(k, -s);
		for (int i = 0; i < draws; i++) {
			uint64_t k = rng_zipf(&r, (uint64_t)n, s);

			assert_true(k >= 1 && k <= (uint64_t)n);
			for (int j = 0; j < 3; j++)
				count[j] += k == (uint64_t)ranks[j];
		}
		for (int j = 0; j < 3; j++) {
			double p = pow(ranks[j], -s) / h;
			double got = count[j] / (double)draws;
			double se = sqrt(p * (1 - p) / draws);

			assert_true(fabs(got - p) < 4 * se);
		}
	}
	assert_int_equal(rng_zipf(&r, 1, 1.1), 1);
	assert_int_equal(rng_zipf(&r, 0, 1.1), 1);
	for (int i = 0; i < 1000; i++) {
		uint64_t k = rng_zipf(&r, UINT64_C(1000000000000), 0.8);

		assert_true(k >= 1 && k <= UINT64_C(1000000000000));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_xoshiro_known_answer),
		cmocka_unit_test(test_seeding_known_answer),
		cmocka_unit_test(test_same_seed_and_name_same_sequence),
		cmocka_unit_test(test_different_names_or_seeds_differ),
		cmocka_unit_test(test_new_stream_does_not_perturb),
		cmocka_unit_test(test_below_unbiased),
		cmocka_unit_test(test_uniform_ranges),
		cmocka_unit_test(test_exp_mean),
		cmocka_unit_test(test_normal_moments),
		cmocka_unit_test(test_zipf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
