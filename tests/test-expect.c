/*
 * test-expect.c - the expect language: every kind of key parsed and
 * checked against runs whose measures are known (deadline.json,
 * ring3-deadlock.json), failing when the measure says so; orderings and
 * probabilities over seeds (a coin-flip ordering near one half, an
 * ordering that always holds, a deadlock that happens only sometimes);
 * static cycles through lint; and bad expect blocks, each with the exact
 * message at its JSON pointer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "analysis/expect.h"
#include "test-an-util.h"

/* A model around an expect block (and a client, a flag, a daemon). */
static struct model *
with_expect(const char *expect)
{
	char *text = xasprintf("{\"essim\": 1, \"duration\": \"1s\","
	    "\"daemons\": {\"d\": {\"services\": {\"s\": [{\"reply\": true}]}}},"
	    "\"clients\": {\"acme\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    "\"handler\": {\"AUTH_OPEN\": [{\"respond\": \"allow\"}]}}},"
	    "\"processes\": {\"p\": {\"program\": [{\"set\": \"up\"}]}},"
	    "\"expect\": %s}", expect);
	struct model *m = tw_model(text);

	free(text);
	return m;
}

/* The first error of parsing expect, or NULL when it parses. */
static char *
first_error(const char *expect)
{
	struct model *m = with_expect(expect);
	struct diag d = DIAG_INIT;
	struct ex_set *s = ex_parse(m, &d);
	char *msg = NULL;

	if (s == NULL) {
		assert_true(diag_count(&d) >= 1);
		msg = xstrdup(diag_msg(&d, 0));
	} else {
		assert_int_equal(diag_count(&d), 0);
	}
	ex_free(s);
	diag_release(&d);
	model_free(m);
	return msg;
}

static void
bad(const char *expect, const char *want)
{
	char *got = first_error(expect);

	if (got == NULL || strcmp(got, want) != 0)
		fprintf(stderr, "expect %s\n  got  %s\n  want %s\n", expect,
		    got != NULL ? got : "(parsed)", want);
	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

static void
test_parse_good(void **state)
{
	static const char *const good[] = {
		"{}",
		"{\"deadlocks\": \">=1\", \"potential_cycles\": 0}",
		"{\"kills\": {\"acme\": 0}, \"misses\": \"<= 3\"}",
		"{\"restarts\": {\"acme\": \"!=2\"}, \"thread_explosions\": 0}",
		"{\"peak_threads\": {\"acme\": \"<=64\"}, \"static_cycles\": 0}",
		"{\"latency.AUTH_OPEN.p99\": \"<50ms\", "
		    "\"latency.ES_EVENT_TYPE_AUTH_OPEN.p99.9\": \"<1s\"}",
		"{\"response.acme.max\": \"<1s\", \"queue_wait.acme.p50\": "
		    "\"==0\", \"headroom.acme\": \">10s\", "
		    "\"headroom.acme.AUTH_OPEN\": \">=1ms\"}",
		"{\"order\": {\"before\": [\"up\", \"up\"], \"seeds\": 3}}",
		"{\"probability\": [{\"of\": \"kills.acme >= 1\", "
		    "\"expect\": \"0..0.5\"}, {\"of\": \"latency.AUTH_OPEN.p95<"
		    "1ms\", \"seeds\": 2, \"expect\": 1}]}",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		char *e = first_error(good[i]);

		if (e != NULL)
			fprintf(stderr, "%s: %s\n", good[i], e);
		assert_null(e);
	}
}

static void
test_parse_bad(void **state)
{
	(void)state;
	bad("{\"deadlock\": 1}", "inline.json: /expect/deadlock: unknown "
	    "expectation \"deadlock\" (see docs/model-format.md)");
	bad("{\"kills\": {\"acmee\": 0}}", "inline.json: /expect/kills/acmee: "
	    "\"kills.acmee\": no such name in the model");
	bad("{\"deadlocks\": \"=>1\"}", "inline.json: /expect/deadlocks: bad "
	    "comparison \"=>1\": want OP NUMBER, OP one of == != < <= > >=");
	bad("{\"latency.AUTH_OPEN.p99\": \"<50\"}", "inline.json: "
	    "/expect/latency.AUTH_OPEN.p99: \"<50\": duration \"50\" has no "
	    "unit (use ns, us, ms, s, m, h)");
	bad("{\"latency.AUTH_OPEN.p99\": 5}", "inline.json: "
	    "/expect/latency.AUTH_OPEN.p99: want a comparison string with a "
	    "duration, such as \"<50ms\"");
	bad("{\"latency.AUTH_OPEN\": \"<1s\"}", "inline.json: "
	    "/expect/latency.AUTH_OPEN: \"latency.AUTH_OPEN\": want "
	    "KEY.NAME.STAT with a known name and STAT one of p50, p90, p99, "
	    "p99.9, pN, min, max");
	bad("{\"response.acme.p101\": \"<1s\"}", "inline.json: "
	    "/expect/response.acme.p101: \"response.acme.p101\": want "
	    "KEY.NAME.STAT with a known name and STAT one of p50, p90, p99, "
	    "p99.9, pN, min, max");
	bad("{\"deadlocks.x\": 1}", "inline.json: /expect/deadlocks.x: "
	    "\"deadlocks\" takes no name");
	bad("{\"order\": {\"before\": [\"up\", \"down\"]}}", "inline.json: "
	    "/expect/order/before/1: no flag \"down\" is set or waited for in "
	    "the model");
	bad("{\"order\": {\"before\": [\"up\"]}}", "inline.json: "
	    "/expect/order/before: want two flag names: [\"A\", \"B\"] (A set "
	    "before B)");
	bad("{\"order\": {\"before\": [\"up\", \"up\"], \"seeds\": 0}}",
	    "inline.json: /expect/order/seeds: want a whole number of seeds, "
	    "1 to 100000");
	bad("{\"order\": {\"before\": [\"up\", \"up\"], \"probability\": "
	    "\"1.5\"}}", "inline.json: /expect/order/probability: bad "
	    "probability \"1.5\": want OP P or LO..HI, within 0..1");
	bad("{\"order\": [{\"before\": [\"up\", \"up\"], \"sedes\": 3}]}",
	    "inline.json: /expect/order/0/sedes: unknown key \"sedes\"");
	bad("{\"probability\": {\"of\": \"deadlocks\", \"expect\": 1}}",
	    "inline.json: /expect/probability/of: want \"MEASURE OP VALUE\", "
	    "such as \"deadlocks>=1\"");
	bad("{\"probability\": {\"of\": \"deadlocks>=1\"}}", "inline.json: "
	    "/expect/probability/expect: missing: the probability expected, "
	    "such as \"0.3..0.7\"");
	bad("{\"probability\": {\"of\": \"deadlocks>=1\", \"expect\": "
	    "\"0.7..0.3\"}}", "inline.json: /expect/probability/expect: bad "
	    "probability \"0.7..0.3\": want OP P or LO..HI, within 0..1");
}

/* Every error is reported, not just the first. */
static void
test_parse_all_errors(void **state)
{
	struct model *m = with_expect("{\"x\": 1, \"kills\": {\"a/b\": 0}, "
	    "\"deadlocks\": true}");
	struct diag d = DIAG_INIT;

	(void)state;
	assert_null(ex_parse(m, &d));
	assert_int_equal(diag_count(&d), 3);
	assert_string_equal(diag_msg(&d, 1), "inline.json: /expect/kills/a~1b: "
	    "\"kills.a/b\": no such name in the model");
	assert_string_equal(diag_msg(&d, 2), "inline.json: /expect/deadlocks: "
	    "want a number or a comparison string such as \">=1\"");
	diag_release(&d);
	model_free(m);
}

/* Check fixture NAME; the results' pass flags as a string of 'p'/'F'. */
static void
check(const char *name, const char *want, const char *const *measured)
{
	struct model *m = ta_fixture(name);
	struct diag d = DIAG_INIT;
	struct ex_set *s = ex_parse(m, &d);
	struct ex_result *r;
	size_t n;
	char got[64];

	assert_non_null(s);
	r = ex_check(s, m, NULL, &n, NULL);
	assert_int_equal(n, strlen(want));
	for (size_t i = 0; i < n; i++) {
		got[i] = r[i].pass ? 'p' : 'F';
		if (measured != NULL && measured[i] != NULL &&
		    strcmp(r[i].measured, measured[i]) != 0) {
			fprintf(stderr, "%s: %s: measured %s, want %s\n", name,
			    r[i].label, r[i].measured, measured[i]);
			fail();
		}
	}
	got[n] = '\0';
	assert_string_equal(got, want);
	ex_results_free(r, n);
	ex_free(s);
	diag_release(&d);
	model_free(m);
}

static void
test_check_measures(void **state)
{
	static const char *const dl[] = {
		"9", "0", "0", "7.95ms", "10ms", NULL, "0"
	};
	static const char *const ring[] = { "1", "1", "1", "0", "0" };

	(void)state;
	/* misses.slow >=9, misses.fast 0, kills 0, headroom.fast ==7.95ms,
	 * latency max ==10ms, response.fast.p50 <3ms, deadlocks 0. */
	check("deadline.json", "ppppppp", dl);
	check("ring3-deadlock.json", "ppppp", ring);
	check("daemon-queue-free.json", "pp", NULL);
}

static void
test_check_fails(void **state)
{
	struct model *m = with_expect("{\"kills\": \">=1\", "
	    "\"latency.AUTH_OPEN.p99\": \"<1ms\", \"peak_threads\": \">=1\", "
	    "\"static_cycles\": 0, \"deadlocks\": \"!=0\"}");
	struct diag d = DIAG_INIT;
	struct ex_set *s = ex_parse(m, &d);
	struct ex_result *r;
	size_t n;

	(void)state;
	r = ex_check(s, m, NULL, &n, NULL);
	assert_int_equal(n, 5);
	assert_false(r[0].pass);
	assert_string_equal(r[0].label, "kills >=1");
	assert_string_equal(r[0].measured, "0");
	assert_false(r[1].pass);		/* no syscalls at all */
	assert_string_equal(r[1].measured, "nothing measured");
	assert_false(r[2].pass);		/* no pool thread ever */
	assert_string_equal(r[2].measured, "0");
	assert_true(r[3].pass);
	assert_false(r[4].pass);
	ex_results_free(r, n);
	ex_free(s);
	model_free(m);
	diag_release(&d);
}

static void
test_order_and_probability(void **state)
{
	struct model *m = ta_fixture("order.json");
	struct diag d = DIAG_INIT;
	struct ex_set *s = ex_parse(m, &d);
	struct ex_result *r;
	size_t n;
	double f;

	(void)state;
	r = ex_check(s, m, NULL, &n, NULL);
	assert_int_equal(n, 2);
	/* A coin flip: about half of 200 seeds (binomial sd 0.035). */
	assert_true(r[0].pass);
	f = strtod(r[0].measured, NULL);
	assert_true(f > 0.35 && f < 0.65);
	assert_non_null(strstr(r[0].measured, " of 200 seeds"));
	assert_string_equal(r[0].label, "order a before b (probability "
	    "0.35..0.65 over 200 seeds)");
	assert_true(r[1].pass);
	assert_string_equal(r[1].measured, "1: 20 of 20 seeds");
	ex_results_free(r, n);
	ex_free(s);
	model_free(m);

	m = ta_fixture("sometimes.json");
	s = ex_parse(m, &d);
	r = ex_check(s, m, NULL, &n, NULL);
	assert_int_equal(n, 1);
	assert_true(r[0].pass);
	f = strtod(r[0].measured, NULL);
	assert_true(f > 0.35 && f < 0.65);
	ex_results_free(r, n);
	ex_free(s);
	model_free(m);
	diag_release(&d);
}

/* A run stopped by a limit is an error, not a run to check. */
static void
test_limit_is_an_error(void **state)
{
	struct model *m = ta_fixture("limit.json");
	struct diag d = DIAG_INIT;
	struct ex_set *s = ex_parse(m, &d);
	struct err e = ERR_INIT;
	size_t n = 99;
	char msg[512];

	(void)state;
	assert_non_null(s);
	assert_null(ex_check(s, m, NULL, &n, &e));
	assert_int_equal(n, 0);
	err_format(&e, msg, sizeof(msg));
	assert_non_null(strstr(msg, "/limits/max_threads: process a has 51 "
	    "threads (limit 50)"));
	ex_free(s);
	diag_release(&d);
	model_free(m);
}

static void
test_static_cycles(void **state)
{
	struct model *m = ta_fixture("ring3-potential.json");
	struct diag d = DIAG_INIT;
	struct ex_set *s;
	struct ex_result *r;
	size_t n;

	(void)state;
	/* Replace the block: lint finds the ring without running. */
	m->expect = json_pack("{s:s}", "static_cycles", ">=1");
	s = ex_parse(m, &d);
	r = ex_check(s, m, NULL, &n, NULL);
	assert_int_equal(n, 1);
	assert_true(r[0].pass);
	assert_true(atoi(r[0].measured) >= 1);
	ex_results_free(r, n);
	json_decref(m->expect);
	m->expect = NULL;
	ex_free(s);
	model_free(m);
	diag_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_good),
		cmocka_unit_test(test_parse_bad),
		cmocka_unit_test(test_parse_all_errors),
		cmocka_unit_test(test_check_measures),
		cmocka_unit_test(test_check_fails),
		cmocka_unit_test(test_order_and_probability),
		cmocka_unit_test(test_static_cycles),
		cmocka_unit_test(test_limit_is_an_error),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
