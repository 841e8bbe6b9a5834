/*
 * test-hist.c - latency histograms against the obvious slow oracle: keep
 * every value, sort, read the order statistics.  Quantiles must agree to
 * within x / 256 (so well within 1%) on data from several distributions
 * spanning 0 .. 2^40 ns; count, min, max and sum exactly; merging equals
 * recording everything in one; the buckets tile the range without gaps or
 * overlaps; negative input stops the program.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/hist.h"
#include "core/rng.h"

#define N	100000

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Nearest-rank order statistic of sorted v[0..n). */
static int64_t
exact_quantile(const int64_t *v, size_t n, double q)
{
	size_t k = (size_t)ceil(q * (double)n);

	if (k < 1)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

static void
check_quantile(const struct hist *h, const int64_t *sorted, size_t n,
    double q)
{
	int64_t x = exact_quantile(sorted, n, q), r = hist_quantile(h, q);
	double err = fabs((double)r - (double)x);

	if (err > (double)x / 256 || err > 0.01 * (double)x)
		fail_msg("q = %.6f: histogram says %lld, exact %lld", q,
		    (long long)r, (long long)x);
}

/* Record v[0..n) and check every summary against the sorted values. */
static void
check_against_oracle(int64_t *v, size_t n, const char *what)
{
	static const double qs[] = {
		0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999,
		0.9999, 1,
	};
	struct hist *h = hist_new();
	struct rng r;
	int64_t sum = 0, hsum = -1;

	for (size_t i = 0; i < n; i++) {
		hist_record(h, v[i]);
		sum += v[i];
	}
	qsort(v, n, sizeof(*v), cmp_i64);
	assert_int_equal(hist_count(h), n);
	assert_int_equal(hist_min(h), v[0]);
	assert_int_equal(hist_max(h), v[n - 1]);
	assert_int_equal(hist_sum(h, &hsum), 0);
	assert_int_equal(hsum, sum);
	assert_true(fabs(hist_mean(h) - (double)sum / (double)n) <=
	    1e-9 * (double)sum / (double)n);
	for (size_t i = 0; i < sizeof(qs) / sizeof(qs[0]); i++)
		check_quantile(h, v, n, qs[i]);
	/* The extremes are exact, not just close. */
	assert_int_equal(hist_quantile(h, 0), v[0]);
	assert_int_equal(hist_quantile(h, 1), v[n - 1]);
	rng_init(&r, 3, what);
	for (int i = 0; i < 500; i++)
		check_quantile(h, v, n, rng_uniform(&r));
	hist_free(h);
}

static void
test_quantiles_match_sorted_data(void **state)
{
	int64_t *v = malloc(N * sizeof(*v));
	struct rng r;

	(void)state;
	assert_non_null(v);
	rng_init(&r, 1, "uniform");
	for (size_t i = 0; i < N; i++)
		v[i] = (int64_t)rng_below(&r, UINT64_C(1000000000000));
	check_against_oracle(v, N, "uniform");
	rng_init(&r, 1, "exp");
	for (size_t i = 0; i < N; i++)
		v[i] = (int64_t)llround(rng_exp(&r, 2e6));
	check_against_oracle(v, N, "exp");
	rng_init(&r, 1, "lognormal");
	for (size_t i = 0; i < N; i++)
		v[i] = (int64_t)llround(exp(log(2e6) + 1.3 * rng_normal(&r)));
	check_against_oracle(v, N, "lognormal");
	rng_init(&r, 1, "small");
	for (size_t i = 0; i < N; i++)
		v[i] = (int64_t)rng_below(&r, 301);
	check_against_oracle(v, N, "small");
	rng_init(&r, 1, "pareto");
	for (size_t i = 0; i < N; i++) {
		double x = 1000 / pow(rng_uniform_pos(&r), 1 / 1.1);

		v[i] = x > (double)HIST_TRACK_MAX ? HIST_TRACK_MAX :
		    (int64_t)x;
	}
	check_against_oracle(v, N, "pareto");
	rng_init(&r, 1, "octaves");
	for (size_t i = 0; i < N; i++)
		v[i] = (int64_t)(rng_next(&r) >> (24 + rng_below(&r, 40)));
	check_against_oracle(v, N, "octaves");
	for (size_t i = 0; i < N; i++)
		v[i] = 12345;
	check_against_oracle(v, N, "const");
	free(v);
}

static void
test_buckets_tile_the_range(void **state)
{
	struct hist *h = hist_new();
	struct hist_iter it = HIST_ITER_INIT;
	struct hist_bucket b;
	int64_t expect_lo = 0;
	uint64_t total = 0;

	(void)state;
	for (int64_t v = 0; v < 70000; v++)
		hist_record(h, v);
	while (hist_next(h, &it, &b)) {
		assert_int_equal(b.lo, expect_lo);
		assert_true(b.hi >= b.lo);
		if (b.lo < 256)
			assert_int_equal(b.hi, b.lo);
		else
			assert_true((b.hi - b.lo + 1) * 128 <= b.lo);
		assert_int_equal(b.count, (uint64_t)(b.hi - b.lo + 1 <
		    70000 - b.lo ? b.hi - b.lo + 1 : 70000 - b.lo));
		total += b.count;
		expect_lo = b.hi + 1;
	}
	assert_true(expect_lo >= 70000);
	assert_int_equal(total, 70000);
	assert_false(hist_next(h, &it, &b));
	hist_free(h);
}

/* A lone value lands in a bucket that holds it and is narrow enough. */
static void
check_lone_value(struct hist *h, int64_t v)
{
	struct hist_iter it = HIST_ITER_INIT;
	struct hist_bucket b;

	hist_reset(h);
	hist_record(h, v);
	assert_true(hist_next(h, &it, &b));
	assert_int_equal(b.count, 1);
	assert_true(b.lo <= v && v <= b.hi);
	if (v > HIST_TRACK_MAX) {
		assert_int_equal(b.lo, HIST_TRACK_MAX + 1);
		assert_int_equal(b.hi, v);
		assert_int_equal(hist_overflow(h), 1);
	} else {
		assert_true((b.hi - b.lo + 1) * 128 <= (b.lo < 128 ? 128 :
		    b.lo));
		assert_int_equal(hist_overflow(h), 0);
	}
	assert_false(hist_next(h, &it, &b));
	assert_int_equal(hist_quantile(h, 0.5), v);
}

static void
test_every_octave(void **state)
{
	struct hist *h = hist_new();
	struct rng r;

	(void)state;
	for (int m = 0; m < 63; m++) {
		int64_t p = (int64_t)1 << m;

		check_lone_value(h, p - 1);
		check_lone_value(h, p);
		check_lone_value(h, p + 1);
		check_lone_value(h, p + p / 2);
	}
	check_lone_value(h, INT64_MAX);
	rng_init(&r, 9, "lone");
	for (int i = 0; i < 20000; i++)
		check_lone_value(h, (int64_t)(rng_next(&r) >>
		    (1 + rng_below(&r, 63))));
	hist_free(h);
}

static void
test_edges_and_overflow(void **state)
{
	struct hist *h = hist_new();
	struct hist_iter it = HIST_ITER_INIT;
	struct hist_bucket b;
	int64_t sum = 0;

	(void)state;
	assert_int_equal(hist_count(h), 0);
	assert_int_equal(hist_min(h), -1);
	assert_int_equal(hist_max(h), -1);
	assert_int_equal(hist_quantile(h, 0.5), -1);
	assert_true(hist_mean(h) == 0);
	assert_int_equal(hist_sum(h, &sum), 0);
	assert_int_equal(sum, 0);
	assert_false(hist_next(h, &it, &b));

	hist_record(h, 0);
	hist_record(h, 1);
	assert_int_equal(hist_quantile(h, 0), 0);
	assert_int_equal(hist_quantile(h, 0.5), 0);
	assert_int_equal(hist_quantile(h, 1), 1);
	hist_record(h, HIST_TRACK_MAX);
	assert_int_equal(hist_overflow(h), 0);
	hist_record(h, INT64_MAX);
	hist_record(h, INT64_MAX);
	assert_int_equal(hist_overflow(h), 2);
	assert_int_equal(hist_count(h), 5);
	assert_int_equal(hist_max(h), INT64_MAX);
	assert_int_equal(hist_min(h), 0);
	/* 1 + (2^40 - 1) + 2 (2^63 - 1) overflows int64 but is kept. */
	sum = 7;
	assert_int_equal(hist_sum(h, &sum), -1);
	assert_int_equal(sum, 7);
	assert_true(hist_mean(h) == (0x1p40 + 0x1p64 - 2) / 5);
	/* A quantile among the overflowed values is the exact max. */
	assert_int_equal(hist_quantile(h, 0.8), INT64_MAX);
	/* Rank 3 is 2^40 - 1, in the top bucket [2^40 - 2^32, 2^40 - 1]. */
	assert_int_equal(hist_quantile(h, 0.6), (HIST_TRACK_MAX + 1 -
	    (INT64_C(1) << 32)) + ((INT64_C(1) << 32) - 1) / 2);
	it = (struct hist_iter)HIST_ITER_INIT;
	while (hist_next(h, &it, &b))
		if (b.lo > HIST_TRACK_MAX)
			break;
	assert_int_equal(b.lo, HIST_TRACK_MAX + 1);
	assert_int_equal(b.hi, INT64_MAX);
	assert_int_equal(b.count, 2);

	/* A quantile never leaves [min, max]: 1003 is in [1000, 1003]. */
	hist_reset(h);
	for (int i = 0; i < 3; i++)
		hist_record(h, 1003);
	assert_int_equal(hist_quantile(h, 0.5), 1003);
	hist_reset(h);
	for (int i = 0; i < 3; i++)
		hist_record(h, 1000);
	assert_int_equal(hist_quantile(h, 0.5), 1000);

	hist_reset(h);
	assert_int_equal(hist_count(h), 0);
	assert_int_equal(hist_overflow(h), 0);
	assert_int_equal(hist_max(h), -1);
	assert_int_equal(hist_sum(h, &sum), 0);
	assert_int_equal(sum, 0);
	it = (struct hist_iter)HIST_ITER_INIT;
	assert_false(hist_next(h, &it, &b));
	hist_free(h);
}

static void
assert_same(const struct hist *a, const struct hist *b)
{
	struct hist_iter ia = HIST_ITER_INIT, ib = HIST_ITER_INIT;
	struct hist_bucket ba, bb;
	int64_t sa, sb;
	int more;

	assert_int_equal(hist_count(a), hist_count(b));
	assert_int_equal(hist_overflow(a), hist_overflow(b));
	assert_int_equal(hist_min(a), hist_min(b));
	assert_int_equal(hist_max(a), hist_max(b));
	assert_int_equal(hist_sum(a, &sa), hist_sum(b, &sb));
	if (hist_sum(a, &sa) == 0 && hist_sum(b, &sb) == 0)
		assert_int_equal(sa, sb);
	assert_true(hist_mean(a) == hist_mean(b));
	do {
		more = hist_next(a, &ia, &ba);
		assert_int_equal(more, hist_next(b, &ib, &bb));
		if (more)
			assert_memory_equal(&ba, &bb, sizeof(ba));
	} while (more);
	for (double q = 0; q <= 1; q += 0.001)
		assert_int_equal(hist_quantile(a, q), hist_quantile(b, q));
}

static void
test_merge_equals_one(void **state)
{
	struct hist *all = hist_new(), *part[3], *merged = hist_new();
	struct hist *empty = hist_new();
	struct rng r;

	(void)state;
	for (int i = 0; i < 3; i++)
		part[i] = hist_new();
	rng_init(&r, 5, "merge");
	for (int i = 0; i < N; i++) {
		int64_t v = (int64_t)llround(rng_exp(&r, 5e6));

		if (i % 1000 == 0)
			v = INT64_MAX - i;	/* some overflow, too */
		hist_record(all, v);
		hist_record(part[rng_below(&r, 3)], v);
	}
	hist_merge(merged, empty);
	assert_int_equal(hist_count(merged), 0);
	assert_int_equal(hist_min(merged), -1);
	for (int i = 0; i < 3; i++)
		hist_merge(merged, part[i]);
	assert_same(merged, all);
	hist_merge(merged, empty);
	assert_same(merged, all);
	assert_int_equal(hist_count(empty), 0);
	hist_merge(empty, all);
	assert_same(empty, all);
	for (int i = 0; i < 3; i++)
		hist_free(part[i]);
	hist_free(all);
	hist_free(merged);
	hist_free(empty);
}

/* Run fn in a child; it must die of SIGABRT (BUG()). */
static void
assert_aborts(void (*fn)(void))
{
	pid_t pid;
	int status;

	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(2);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGABRT);
}

static void
record_negative(void)
{
	struct hist *h = hist_new();

	hist_record(h, -1);
	hist_free(h);
}

static void
quantile_out_of_range(void)
{
	struct hist *h = hist_new();

	hist_record(h, 1);
	(void)hist_quantile(h, 1.5);
	hist_free(h);
}

static void
quantile_nan(void)
{
	struct hist *h = hist_new();

	(void)hist_quantile(h, nan(""));
	hist_free(h);
}

static void
test_misuse_is_a_bug(void **state)
{
	(void)state;
	assert_aborts(record_negative);
	assert_aborts(quantile_out_of_range);
	assert_aborts(quantile_nan);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_quantiles_match_sorted_data),
		cmocka_unit_test(test_buckets_tile_the_range),
		cmocka_unit_test(test_every_octave),
		cmocka_unit_test(test_edges_and_overflow),
		cmocka_unit_test(test_merge_equals_one),
		cmocka_unit_test(test_misuse_is_a_bug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
