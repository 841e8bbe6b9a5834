/*
 * test-dist.c - distributions: every JSON form and every way to get one
 * wrong, empirical files good and bad, and the statistics of the draws.
 *
 * The statistical checks use a fixed seed, so they are deterministic, but
 * their bounds are derived from the distribution rather than tuned to pass:
 * a sample mean must lie within 4 standard errors of the true mean
 * (sd / sqrt(n), n = 200,000), and the fraction of draws at or below the
 * true q-quantile within 4 binomial standard deviations of q
 * (sqrt(q (1 - q) / n)).  A wrong parameter (sigma from the wrong z, a
 * mean off by 2%, no interpolation in a CDF) falls outside them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include <jansson.h>

#include "core/dist.h"
#include "core/err.h"
#include "core/rng.h"

#define N	200000
#define MS	INT64_C(1000000)

static char datadir[1024];
static int64_t *draws;

static int
setup(void **state)
{
	const char *top = getenv("top_srcdir");

	(void)state;
	snprintf(datadir, sizeof(datadir), "%s/tests/data/dist",
	    top != NULL ? top : ".");
	draws = malloc(N * sizeof(*draws));
	return draws == NULL ? -1 : 0;
}

static int
teardown(void **state)
{
	(void)state;
	free(draws);
	return 0;
}

/* Parse text as the value at /x of m.json; returns dist_parse's result. */
static int
parse_at(const char *text, const char *ptr, struct dist *d, struct err *e)
{
	json_error_t je;
	json_t *j = json_loads(text, JSON_DECODE_ANY, &je);
	int rc;

	if (j == NULL)
		fail_msg("test JSON %s: %s", text, je.text);
	rc = dist_parse(d, j, "m.json", ptr, datadir, e);
	json_decref(j);
	return rc;
}

static void
good(const char *text, struct dist *d)
{
	struct err e = ERR_INIT;

	if (parse_at(text, "/x", d, &e) != 0)
		fail_msg("%s rejected: %s", text, e.text);
}

static void
bad_at(const char *text, const char *ptr, const char *msg)
{
	struct err e = ERR_INIT;
	struct dist d;
	char buf[1024];
	int64_t v = -1;

	assert_int_equal(parse_at(text, ptr, &d, &e), -1);
	assert_true(e.set);
	assert_string_equal(err_format(&e, buf, sizeof(buf)), msg);
	/* A failed parse leaves the constant 0, safe to release. */
	assert_true(dist_is_const(&d, &v));
	assert_int_equal(v, 0);
	dist_release(&d);
}

static void
bad(const char *text, const char *msg)
{
	bad_at(text, "/x", msg);
}

static void
fill(const struct dist *d, const char *stream)
{
	struct rng r;

	rng_init(&r, 1, stream);
	for (int i = 0; i < N; i++)
		draws[i] = dist_sample(d, &r);
}

static void
check_mean(double mean, double sd)
{
	double sum = 0, bound = 4 * sd / sqrt(N) + 1;	/* +1: rounding */

	for (int i = 0; i < N; i++)
		sum += (double)draws[i];
	if (fabs(sum / N - mean) > bound)
		fail_msg("sample mean %.1f, expected %.1f +- %.1f", sum / N,
		    mean, bound);
}

/* The fraction of draws <= x is q, within 4 binomial sd. */
static void
check_cdf_at(double x, double q)
{
	size_t below = 0;
	double frac, bound = 4 * sqrt(q * (1 - q) / N);

	for (int i = 0; i < N; i++)
		if ((double)draws[i] <= x)
			below++;
	frac = (double)below / N;
	if (fabs(frac - q) > bound)
		fail_msg("P(X <= %.0f) = %.5f, expected %.5f +- %.5f", x, frac,
		    q, bound);
}

static void
check_range(int64_t lo, int64_t hi)
{
	for (int i = 0; i < N; i++)
		if (draws[i] < lo || draws[i] > hi)
			fail_msg("draw %d = %lld outside [%lld, %lld]", i,
			    (long long)draws[i], (long long)lo, (long long)hi);
}

static size_t
count_eq(int64_t v)
{
	size_t c = 0;

	for (int i = 0; i < N; i++)
		c += draws[i] == v;
	return c;
}

static void
check_format(const struct dist *d, const char *want)
{
	char buf[256];

	assert_string_equal(dist_format(d, buf, sizeof(buf)), want);
}

static void
test_const_forms(void **state)
{
	struct dist d;
	struct rng r;
	int64_t v;

	(void)state;
	good("\"2ms\"", &d);
	rng_init(&r, 1, "c");
	for (int i = 0; i < 100; i++)
		assert_int_equal(dist_sample(&d, &r), 2 * MS);
	assert_true(dist_is_const(&d, &v));
	assert_int_equal(v, 2 * MS);
	assert_true(dist_mean_ns(&d) == 2e6);
	assert_int_equal(dist_max_ns(&d), 2 * MS);
	check_format(&d, "\"2ms\"");
	dist_release(&d);
	good("{\"const\": \"1.5s\"}", &d);
	assert_true(dist_is_const(&d, NULL));
	assert_int_equal(dist_sample(&d, &r), INT64_C(1500000000));
	check_format(&d, "\"1.5s\"");
	dist_release(&d);
	good("\"0s\"", &d);
	assert_int_equal(dist_sample(&d, &r), 0);
	dist_release(&d);
}

static void
test_exp(void **state)
{
	struct dist d;
	double m = 2e6;

	(void)state;
	good("{\"exp\": \"2ms\"}", &d);
	assert_false(dist_is_const(&d, NULL));
	assert_true(dist_mean_ns(&d) == m);
	assert_int_equal(dist_max_ns(&d), INT64_MAX);
	check_format(&d, "{\"exp\": \"2ms\"}");
	fill(&d, "exp");
	check_range(0, INT64_MAX);
	check_mean(m, m);
	check_cdf_at(m * log(2), 0.5);
	check_cdf_at(m * log(100), 0.99);
	check_cdf_at(m, 1 - exp(-1));
	dist_release(&d);
}

/*
 * Continuous draws are rounded to the nearest ns, not truncated: for
 * X ~ exp(1 ns), E[round(X)] = sum over k >= 1 of P(X >= k - 1/2) =
 * e^-0.5 / (1 - e^-1) = 0.9595, while E[floor(X)] would be 0.582.
 */
static void
test_rounding_to_nearest_ns(void **state)
{
	struct dist d;
	double sum = 0, sq = 0, mean = exp(-0.5) / (1 - exp(-1)), sd;

	(void)state;
	good("{\"exp\": \"1ns\"}", &d);
	fill(&d, "round");
	for (int i = 0; i < N; i++) {
		sum += (double)draws[i];
		sq += (double)draws[i] * (double)draws[i];
	}
	sd = sqrt(sq / N - (sum / N) * (sum / N));
	assert_true(fabs(sum / N - mean) <= 4 * sd / sqrt(N));
	dist_release(&d);
}

static void
test_uniform(void **state)
{
	struct dist d;
	double width = 2e6 + 1;

	(void)state;
	good("{\"uniform\": [\"1ms\", \"3ms\"]}", &d);
	assert_false(dist_is_const(&d, NULL));
	assert_true(dist_mean_ns(&d) == 2e6);
	assert_int_equal(dist_max_ns(&d), 3 * MS);
	check_format(&d, "{\"uniform\": [\"1ms\", \"3ms\"]}");
	fill(&d, "uniform");
	check_range(1 * MS, 3 * MS);
	check_mean(2e6, sqrt((width * width - 1) / 12));
	check_cdf_at(1.5e6, (0.5e6 + 1) / width);
	dist_release(&d);
}

static void
test_uniform_small_hits_both_bounds(void **state)
{
	struct dist d;
	double q = 1.0 / 6, bound = 4 * sqrt(q * (1 - q) / N);

	(void)state;
	good("{\"uniform\": [\"5ns\", \"10ns\"]}", &d);
	fill(&d, "uniform-small");
	check_range(5, 10);
	for (int64_t v = 5; v <= 10; v++)
		assert_true(fabs((double)count_eq(v) / N - q) <= bound);
	dist_release(&d);
	good("{\"uniform\": [\"7ms\", \"7ms\"]}", &d);
	assert_true(dist_is_const(&d, NULL));
	fill(&d, "uniform-point");
	check_range(7 * MS, 7 * MS);
	dist_release(&d);
	good("{\"uniform\": [\"0s\", \"9223372036.854775807s\"]}", &d);
	fill(&d, "uniform-full");
	check_range(0, INT64_MAX);
	check_cdf_at(0x1p62, 0.5);
	dist_release(&d);
}

static void
test_lognormal(void **state)
{
	struct dist d;
	double sigma = log(20) / DIST_Z99, mu = log(2e6);
	double mean = exp(mu + sigma * sigma / 2);

	(void)state;
	good("{\"lognormal\": {\"median\": \"2ms\", \"p99\": \"40ms\"}}", &d);
	assert_false(dist_is_const(&d, NULL));
	assert_true(fabs(dist_mean_ns(&d) - mean) < 1e-6 * mean);
	check_format(&d, "{\"lognormal\": {\"median\": \"2ms\", "
	    "\"p99\": \"40ms\"}}");
	fill(&d, "lognormal");
	check_range(0, INT64_MAX);
	check_cdf_at(2e6, 0.5);
	check_cdf_at(40e6, 0.99);
	check_mean(mean, mean * sqrt(exp(sigma * sigma) - 1));
	dist_release(&d);
	/* Keys in either order. */
	good("{\"lognormal\": {\"p99\": \"40ms\", \"median\": \"2ms\"}}", &d);
	assert_true(d.kind == DIST_LOGNORMAL && d.a == 2 * MS &&
	    d.b == 40 * MS);
	dist_release(&d);
}

static void
test_lognormal_degenerate(void **state)
{
	struct dist d;
	int64_t v;

	(void)state;
	good("{\"lognormal\": {\"median\": \"3ms\", \"p99\": \"3ms\"}}", &d);
	assert_true(dist_is_const(&d, &v));
	assert_int_equal(v, 3 * MS);
	assert_int_equal(dist_max_ns(&d), 3 * MS);
	fill(&d, "lognormal-point");
	check_range(3 * MS, 3 * MS);
	dist_release(&d);
}

static void
test_heavy_tails_clamp(void **state)
{
	struct dist d;

	(void)state;
	/* p99 at the int64 limit: about 1% of draws exceed it. */
	good("{\"lognormal\": {\"median\": \"1h\", \"p99\": \"2562047h\"}}",
	    &d);
	fill(&d, "clamp");
	check_range(0, INT64_MAX);
	assert_true(count_eq(INT64_MAX) > N / 200);
	assert_true(isfinite(dist_mean_ns(&d)));
	dist_release(&d);
	good("{\"exp\": \"2562047h\"}", &d);
	fill(&d, "clamp-exp");
	check_range(0, INT64_MAX);
	/* P(X > 2^63 ns) = exp(-2^63 / mean) = 0.0815. */
	check_cdf_at(0x1.fffffffffffffp62, 1 - exp(-0x1p63 / 9.2233692e18));
	dist_release(&d);
}

static void
test_empirical_values(void **state)
{
	static const int64_t v[] = { 1, 2, 3, 4, 10 };
	struct dist d;
	double q = 0.2, bound = 4 * sqrt(q * (1 - q) / N), var = 0;

	(void)state;
	good("{\"empirical\": \"values.tsv\"}", &d);
	assert_int_equal(d.kind, DIST_EMPIRICAL);
	assert_int_equal(d.n, 5);
	assert_true(dist_mean_ns(&d) == 4e6);
	assert_false(dist_is_const(&d, NULL));
	assert_int_equal(dist_max_ns(&d), 10 * MS);
	check_format(&d, "{\"empirical\": \"values.tsv\"}");
	fill(&d, "empirical");
	for (size_t i = 0; i < 5; i++) {
		assert_true(fabs((double)count_eq(v[i] * MS) / N - q) <= bound);
		var += (double)((v[i] - 4) * (v[i] - 4)) * 1e12 / 5;
	}
	check_mean(4e6, sqrt(var));
	dist_release(&d);
}

static void
test_empirical_cdf(void **state)
{
	/* Points (1ms, 0) (2ms, .5) (10ms, .9) (100ms, 1): uniform pieces. */
	static const double a[] = { 1e6, 2e6, 10e6 };
	static const double b[] = { 2e6, 10e6, 100e6 };
	static const double w[] = { 0.5, 0.4, 0.1 };
	struct dist d;
	double mean = 0, sq = 0;

	(void)state;
	good("{\"empirical\": \"cdf.tsv\"}", &d);
	assert_int_equal(d.kind, DIST_CDF);
	assert_int_equal(d.n, 4);
	for (int i = 0; i < 3; i++) {
		mean += w[i] * (a[i] + b[i]) / 2;
		sq += w[i] * (a[i] * a[i] + a[i] * b[i] + b[i] * b[i]) / 3;
	}
	assert_true(fabs(dist_mean_ns(&d) - mean) < 1e-6);
	assert_int_equal(dist_max_ns(&d), 100 * MS);
	fill(&d, "cdf");
	check_range(1 * MS, 100 * MS);
	check_cdf_at(2e6, 0.5);
	check_cdf_at(6e6, 0.7);		/* interpolated between points */
	check_cdf_at(10e6, 0.9);
	check_cdf_at(55e6, 0.95);
	check_mean(mean, sqrt(sq - mean * mean));
	dist_release(&d);
}

static void
test_empirical_cdf_point_mass(void **state)
{
	struct dist d;
	double bound = 4 * sqrt(0.25 * 0.75 / N);

	(void)state;
	good("{\"empirical\": \"cdf-mass.tsv\"}", &d);
	fill(&d, "cdf-mass");
	check_range(5 * MS, 10 * MS);
	assert_true(fabs((double)count_eq(5 * MS) / N - 0.25) <= bound);
	check_cdf_at(7.5e6, 0.625);
	assert_true(fabs(dist_mean_ns(&d) - (0.25 * 5e6 + 0.75 * 7.5e6)) <
	    1e-6);
	dist_release(&d);
}

static void
test_empirical_small_files(void **state)
{
	struct dist d;
	struct rng r;
	int64_t v;
	char path[1200], json[1300];

	(void)state;
	good("{\"empirical\": \"crlf.tsv\"}", &d);
	assert_int_equal(d.n, 2);
	assert_int_equal(d.v[0], 1 * MS);
	assert_int_equal(d.v[1], 2 * MS);
	dist_release(&d);
	good("{\"empirical\": \"one.tsv\"}", &d);
	assert_true(dist_is_const(&d, &v));
	assert_int_equal(v, 7000);
	rng_init(&r, 1, "one");
	assert_int_equal(dist_sample(&d, &r), 7000);
	dist_release(&d);
	/* An absolute name ignores basedir. */
	snprintf(path, sizeof(path), "%s/one.tsv", datadir);
	if (path[0] == '/') {
		snprintf(json, sizeof(json), "{\"empirical\": \"%s\"}", path);
		good(json, &d);
		assert_int_equal(d.v[0], 7000);
		dist_release(&d);
	}
}

static void
test_determinism(void **state)
{
	static const char *forms[] = {
		"{\"exp\": \"2ms\"}",
		"{\"uniform\": [\"1ms\", \"3ms\"]}",
		"{\"lognormal\": {\"median\": \"2ms\", \"p99\": \"40ms\"}}",
		"{\"empirical\": \"values.tsv\"}",
		"{\"empirical\": \"cdf.tsv\"}",
	};
	struct dist d;
	struct rng r1, r2, r3;

	(void)state;
	for (size_t f = 0; f < sizeof(forms) / sizeof(forms[0]); f++) {
		int same_as_other = 1;

		good(forms[f], &d);
		rng_init(&r1, 42, "client.acme");
		rng_init(&r2, 42, "client.acme");
		rng_init(&r3, 42, "client.other");
		for (int i = 0; i < 1000; i++) {
			int64_t x = dist_sample(&d, &r1);

			assert_int_equal(x, dist_sample(&d, &r2));
			same_as_other &= x == dist_sample(&d, &r3);
		}
		assert_false(same_as_other);
		dist_release(&d);
	}
}

static void
test_rate(void **state)
{
	struct err e = ERR_INIT;
	struct dist d;
	char buf[256];
	json_t *j;

	(void)state;
	j = json_string("200/s");
	assert_int_equal(dist_parse_rate(&d, j, "m.json", "/r", &e), 0);
	json_decref(j);
	assert_true(dist_mean_ns(&d) == 5e6);
	check_format(&d, "{\"exp\": \"5ms\"}");
	fill(&d, "rate");
	check_mean(5e6, 5e6);
	dist_release(&d);
	j = json_string("3/ms");
	assert_int_equal(dist_parse_rate(&d, j, "m.json", "/r", &e), 0);
	json_decref(j);
	check_format(&d, "{\"exp\": \"333.333us\"}");
	dist_release(&d);
	j = json_string("0/s");
	assert_int_equal(dist_parse_rate(&d, j, "m.json", "/r", &e), -1);
	json_decref(j);
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "m.json: /r: rate \"0/s\" is zero; a rate must be positive");
	err_clear(&e);
	j = json_integer(200);
	assert_int_equal(dist_parse_rate(&d, j, "m.json", "/r", &e), -1);
	json_decref(j);
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "m.json: /r: expected a rate such as \"200/s\", found a number");
	dist_init_exp(&d, 1e6 / 3);
	assert_true(dist_mean_ns(&d) == 1e6 / 3);
}

static void
test_plain_duration(void **state)
{
	struct err e = ERR_INIT;
	char buf[256];
	int64_t ns = -1;
	json_t *j;

	(void)state;
	j = json_string("15s");
	assert_int_equal(dist_parse_duration(j, "m.json", "/duration", &ns,
	    &e), 0);
	json_decref(j);
	assert_int_equal(ns, INT64_C(15000000000));
	j = json_loads("{\"exp\": \"1ms\"}", 0, NULL);
	assert_int_equal(dist_parse_duration(j, "m.json", "/es/deadline",
	    &ns, &e), -1);
	json_decref(j);
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "m.json: /es/deadline: expected a duration such as \"2ms\", "
	    "found an object");
	err_clear(&e);
	j = json_string("15 s");
	assert_int_equal(dist_parse_duration(j, "m.json", "/duration", &ns,
	    &e), -1);
	json_decref(j);
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "m.json: /duration: bad duration \"15 s\": unexpected ' ' after "
	    "\"15\"");
	assert_int_equal(ns, INT64_C(15000000000));
}

static void
test_bad_json_types(void **state)
{
	(void)state;
	bad("5", "m.json: /x: expected a duration such as \"2ms\" or a "
	    "distribution such as {\"exp\": \"2ms\"}, found a number");
	bad("null", "m.json: /x: expected a duration such as \"2ms\" or a "
	    "distribution such as {\"exp\": \"2ms\"}, found null");
	bad("[\"1ms\"]", "m.json: /x: expected a duration such as \"2ms\" or "
	    "a distribution such as {\"exp\": \"2ms\"}, found an array");
	bad("\"5\"", "m.json: /x: duration \"5\" has no unit (use ns, us, "
	    "ms, s, m, h)");
	bad("{\"const\": \"-1ms\"}", "m.json: /x/const: bad duration "
	    "\"-1ms\": negative durations are not allowed");
	bad("{\"const\": true}", "m.json: /x/const: expected a duration such "
	    "as \"2ms\", found true");
	bad("{\"exp\": 2}", "m.json: /x/exp: expected a duration such as "
	    "\"2ms\", found a number");
	bad("{\"exp\": {\"const\": \"1ms\"}}", "m.json: /x/exp: expected a "
	    "duration such as \"2ms\", found an object");
	bad("{\"exp\": \"0s\"}", "m.json: /x/exp: the mean of \"exp\" must "
	    "be above 0s");
}

static void
test_bad_json_keys(void **state)
{
	(void)state;
	bad("{}", "m.json: /x: expected one key (const, exp, uniform, "
	    "lognormal or empirical), found an empty object");
	bad("{\"exp\": \"1ms\", \"uniform\": [\"1ms\", \"2ms\"]}",
	    "m.json: /x/uniform: unexpected second key \"uniform\" (a "
	    "distribution has one key, here \"exp\")");
	bad("{\"expo\": \"1ms\"}", "m.json: /x/expo: unknown distribution "
	    "\"expo\" (use const, exp, uniform, lognormal or empirical)");
	bad("{\"a/b~\": \"1ms\"}", "m.json: /x/a~1b~0: unknown distribution "
	    "\"a/b~\" (use const, exp, uniform, lognormal or empirical)");
}

static void
test_bad_uniform(void **state)
{
	(void)state;
	bad("{\"uniform\": \"1ms\"}", "m.json: /x/uniform: \"uniform\" takes "
	    "[LO, HI], found a string");
	bad("{\"uniform\": [\"1ms\"]}", "m.json: /x/uniform: \"uniform\" "
	    "takes [LO, HI], found 1 element");
	bad("{\"uniform\": []}", "m.json: /x/uniform: \"uniform\" takes "
	    "[LO, HI], found 0 elements");
	bad("{\"uniform\": [\"1ms\", \"2ms\", \"3ms\"]}", "m.json: "
	    "/x/uniform: \"uniform\" takes [LO, HI], found 3 elements");
	bad("{\"uniform\": [\"3ms\", \"1ms\"]}", "m.json: /x/uniform/1: "
	    "upper bound 1ms is below lower bound 3ms");
	bad("{\"uniform\": [\"1ms\", \"2 ms\"]}", "m.json: /x/uniform/1: bad "
	    "duration \"2 ms\": unexpected ' ' after \"2\"");
	bad("{\"uniform\": [1, \"2ms\"]}", "m.json: /x/uniform/0: expected a "
	    "duration such as \"2ms\", found a number");
}

static void
test_bad_lognormal(void **state)
{
	(void)state;
	bad("{\"lognormal\": [\"1ms\", \"2ms\"]}", "m.json: /x/lognormal: "
	    "\"lognormal\" takes {\"median\": DURATION, \"p99\": DURATION}, "
	    "found an array");
	bad("{\"lognormal\": {\"median\": \"1ms\"}}", "m.json: /x/lognormal: "
	    "missing \"p99\" (\"lognormal\" takes \"median\" and \"p99\")");
	bad("{\"lognormal\": {\"p99\": \"1ms\"}}", "m.json: /x/lognormal: "
	    "missing \"median\" (\"lognormal\" takes \"median\" and \"p99\")");
	bad("{\"lognormal\": {}}", "m.json: /x/lognormal: missing \"median\" "
	    "(\"lognormal\" takes \"median\" and \"p99\")");
	bad("{\"lognormal\": {\"median\": \"1ms\", \"p99\": \"2ms\", "
	    "\"mean\": \"1ms\"}}", "m.json: /x/lognormal/mean: unknown key "
	    "\"mean\" (\"lognormal\" takes \"median\" and \"p99\")");
	bad("{\"lognormal\": {\"median\": \"20ms\", \"p99\": \"10ms\"}}",
	    "m.json: /x/lognormal/p99: p99 10ms is below median 20ms");
	bad("{\"lognormal\": {\"median\": \"0s\", \"p99\": \"10ms\"}}",
	    "m.json: /x/lognormal/median: the median of \"lognormal\" must be "
	    "above 0s");
	bad("{\"lognormal\": {\"median\": \"1ms\", \"p99\": \"1x\"}}",
	    "m.json: /x/lognormal/p99: duration \"1x\" has unknown unit \"x\" "
	    "(use ns, us, ms, s, m, h)");
}

static void
test_bad_empirical_json(void **state)
{
	char want[2048];

	(void)state;
	bad("{\"empirical\": 3}", "m.json: /x/empirical: \"empirical\" takes "
	    "a file name, found a number");
	bad("{\"empirical\": \"\"}", "m.json: /x/empirical: \"empirical\" "
	    "takes a file name, found \"\"");
	snprintf(want, sizeof(want), "m.json: /x/empirical: cannot open "
	    "\"%s/nope.tsv\": %s", datadir, strerror(ENOENT));
	bad("{\"empirical\": \"nope.tsv\"}", want);
}

static void
test_pointers(void **state)
{
	(void)state;
	bad_at("{\"uniform\": [\"3ms\", \"1ms\"]}",
	    "/clients/acme/handler/AUTH_OPEN/0/cpu",
	    "m.json: /clients/acme/handler/AUTH_OPEN/0/cpu/uniform/1: upper "
	    "bound 1ms is below lower bound 3ms");
	bad_at("5", "", "m.json: /: expected a duration such as \"2ms\" or a "
	    "distribution such as {\"exp\": \"2ms\"}, found a number");
	bad_at("\"5\"", "", "m.json: /: duration \"5\" has no unit (use ns, "
	    "us, ms, s, m, h)");
	bad_at("\"5\"", NULL, "m.json: /: duration \"5\" has no unit (use ns, "
	    "us, ms, s, m, h)");
}

static void
bad_tsv(const char *name, const char *where, const char *msg)
{
	char json[256], want[2048];

	snprintf(json, sizeof(json), "{\"empirical\": \"%s\"}", name);
	snprintf(want, sizeof(want), "%s/%s%s: %s", datadir, name, where, msg);
	bad(json, want);
}

static void
test_bad_tsv(void **state)
{
	(void)state;
	bad_tsv("bad-unit.tsv", ":2:1", "duration \"2xs\" has unknown unit "
	    "\"xs\" (use ns, us, ms, s, m, h)");
	bad_tsv("bad-negative.tsv", ":2:1", "bad duration \"-1ms\": negative "
	    "durations are not allowed");
	bad_tsv("bad-space.tsv", ":2:1", "bad duration \" 2ms\": unexpected "
	    "' ' at the start");
	bad_tsv("bad-fine.tsv", ":1:1", "duration \"0.5ns\" is finer than a "
	    "nanosecond");
	bad_tsv("bad-prob-range.tsv", ":2:5", "probability 1.5 is above 1");
	bad_tsv("bad-prob-form.tsv", ":2:5", "bad probability \".7\": write "
	    "a decimal between 0 and 1");
	bad_tsv("bad-prob-decreasing.tsv", ":2:5", "probability 0.3 is below "
	    "the previous line's 0.5 (a CDF never decreases)");
	bad_tsv("bad-value-decreasing.tsv", ":2:1", "value 2ms is below the "
	    "previous line's 5ms (a CDF never decreases)");
	bad_tsv("bad-cdf-end.tsv", ":3:5", "the last probability is 0.9, not "
	    "1 (a CDF ends at 1)");
	bad_tsv("bad-second-column.tsv", ":2:5", "unexpected second column "
	    "(line 1 has one column)");
	bad_tsv("bad-missing-column.tsv", ":3:4", "missing probability "
	    "column (line 2 has two columns)");
	bad_tsv("bad-three-columns.tsv", ":1:9", "too many columns (expected "
	    "\"value\" or \"value<TAB>probability\")");
	bad_tsv("bad-empty.tsv", "", "no values (only comments and empty "
	    "lines)");
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
negative_const(void)
{
	struct dist d;

	dist_init_const(&d, -1);
}

static void
zero_exp(void)
{
	struct dist d;

	dist_init_exp(&d, 0);
}

static void
nan_exp(void)
{
	struct dist d;

	dist_init_exp(&d, nan(""));
}

/* The constructors are for code, not input: bad arguments are bugs. */
static void
test_constructor_misuse_is_a_bug(void **state)
{
	(void)state;
	assert_aborts(negative_const);
	assert_aborts(zero_exp);
	assert_aborts(nan_exp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_const_forms),
		cmocka_unit_test(test_exp),
		cmocka_unit_test(test_rounding_to_nearest_ns),
		cmocka_unit_test(test_uniform),
		cmocka_unit_test(test_uniform_small_hits_both_bounds),
		cmocka_unit_test(test_lognormal),
		cmocka_unit_test(test_lognormal_degenerate),
		cmocka_unit_test(test_heavy_tails_clamp),
		cmocka_unit_test(test_empirical_values),
		cmocka_unit_test(test_empirical_cdf),
		cmocka_unit_test(test_empirical_cdf_point_mass),
		cmocka_unit_test(test_empirical_small_files),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_rate),
		cmocka_unit_test(test_plain_duration),
		cmocka_unit_test(test_bad_json_types),
		cmocka_unit_test(test_bad_json_keys),
		cmocka_unit_test(test_bad_uniform),
		cmocka_unit_test(test_bad_lognormal),
		cmocka_unit_test(test_bad_empirical_json),
		cmocka_unit_test(test_pointers),
		cmocka_unit_test(test_bad_tsv),
		cmocka_unit_test(test_constructor_misuse_is_a_bug),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
