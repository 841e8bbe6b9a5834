/*
 * test-units.c - durations and rates: every accepted form gives the exact
 * nanosecond count, every rejected form gives its exact message, and the
 * formatter's output reads back to the same value.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <string.h>

#include "core/err.h"
#include "core/rng.h"
#include "core/units.h"

static int64_t
dur(const char *s)
{
	struct err e = ERR_INIT;
	int64_t ns = -1;

	if (units_parse_duration(s, &ns, &e) != 0)
		fail_msg("\"%s\" rejected: %s", s, e.text);
	assert_false(e.set);
	return ns;
}

static void
bad_dur(const char *s, const char *msg)
{
	struct err e = ERR_INIT;
	int64_t ns = 42;

	assert_int_equal(units_parse_duration(s, &ns, &e), -1);
	assert_int_equal(ns, 42);
	assert_true(e.set);
	assert_string_equal(e.text, msg);
	assert_int_equal(e.line, 0);
	assert_string_equal(e.file, "");
}

static void
test_duration_units(void **state)
{
	(void)state;
	assert_int_equal(dur("250ns"), 250);
	assert_int_equal(dur("15us"), 15000);
	assert_int_equal(dur("15\xc2\xb5s"), 15000);	/* MICRO SIGN */
	assert_int_equal(dur("15\xce\xbcs"), 15000);	/* GREEK MU */
	assert_int_equal(dur("2ms"), 2000000);
	assert_int_equal(dur("15s"), INT64_C(15000000000));
	assert_int_equal(dur("2m"), INT64_C(120000000000));
	assert_int_equal(dur("1h"), INT64_C(3600000000000));
	assert_int_equal(dur("0s"), 0);
	assert_int_equal(dur("0ns"), 0);
	assert_int_equal(dur("007s"), INT64_C(7000000000));
}

static void
test_duration_fractions_are_exact(void **state)
{
	(void)state;
	assert_int_equal(dur("1.5s"), INT64_C(1500000000));
	assert_int_equal(dur("2.5ms"), 2500000);
	assert_int_equal(dur("0.1h"), INT64_C(360000000000));
	assert_int_equal(dur("0.001us"), 1);
	assert_int_equal(dur("1.000000001s"), INT64_C(1000000001));
	assert_int_equal(dur("0.000000001s"), 1);
	/* 2.5e-12 h is 9 ns exactly, though 1e-13 h (0.36 ns) is not whole. */
	assert_int_equal(dur("0.0000000000025h"), 9);
	assert_int_equal(dur("1.5000000000000000000000000000s"),
	    INT64_C(1500000000));
	assert_int_equal(dur("1.0ns"), 1);
	assert_int_equal(dur("0.5us"), 500);
	/* 0.1 is not a binary fraction: a double would be off here. */
	assert_int_equal(dur("2562047.1h"), INT64_C(9223369560000000000));
}

static void
test_duration_limits(void **state)
{
	(void)state;
	assert_int_equal(dur("9223372036854775807ns"), INT64_MAX);
	assert_int_equal(dur("9223372036.854775807s"), INT64_MAX);
	assert_int_equal(dur("2562047h"), INT64_C(9223369200000000000));
	bad_dur("9223372036854775808ns", "duration \"9223372036854775808ns\" "
	    "is too large (the maximum is 9223372036.854775807s)");
	bad_dur("9223372036.854775808s", "duration \"9223372036.854775808s\" "
	    "is too large (the maximum is 9223372036.854775807s)");
	bad_dur("2562048h", "duration \"2562048h\" is too large (the maximum "
	    "is 9223372036.854775807s)");
	bad_dur("99999999999999999999999999h", "duration "
	    "\"99999999999999999999999999h\" is too large (the maximum is "
	    "9223372036.854775807s)");
}

static void
test_duration_finer_than_ns(void **state)
{
	(void)state;
	bad_dur("0.5ns", "duration \"0.5ns\" is finer than a nanosecond");
	bad_dur("1.0000000001s",
	    "duration \"1.0000000001s\" is finer than a nanosecond");
	bad_dur("0.0001us", "duration \"0.0001us\" is finer than a nanosecond");
	bad_dur("0.0000000000001h",
	    "duration \"0.0000000000001h\" is finer than a nanosecond");
	bad_dur("1.0000000000000000000000001s", "duration "
	    "\"1.0000000000000000000000001s\" is finer than a nanosecond");
}

static void
test_duration_bad_form(void **state)
{
	(void)state;
	bad_dur("", "bad duration \"\": empty string");
	bad_dur("15 s", "bad duration \"15 s\": unexpected ' ' after \"15\"");
	bad_dur(" 15s", "bad duration \" 15s\": unexpected ' ' at the start");
	bad_dur("15s ", "bad duration \"15s \": unexpected ' ' after \"15s\"");
	bad_dur("-5s", "bad duration \"-5s\": negative durations are not "
	    "allowed");
	bad_dur("+5s", "bad duration \"+5s\": unexpected '+' at the start");
	bad_dur(".5s", "bad duration \".5s\": unexpected '.' at the start");
	bad_dur("1.s", "bad duration \"1.s\": unexpected 's' after \"1.\"");
	bad_dur("1.", "bad duration \"1.\": unexpected end of string after "
	    "\"1.\"");
	bad_dur("1.5.0s", "bad duration \"1.5.0s\": unexpected '.' after "
	    "\"1.5\"");
	bad_dur("1e3s", "bad duration \"1e3s\": unexpected '3' after \"1e\"");
	bad_dur("s", "bad duration \"s\": unexpected 's' at the start");
	bad_dur("15\ts", "bad duration \"15\\x09s\": unexpected a tab after "
	    "\"15\"");
	bad_dur("1,5s", "bad duration \"1,5s\": unexpected ',' after \"1\"");
	bad_dur("5s\"", "bad duration \"5s\\\"\": unexpected '\"' after "
	    "\"5s\"");
}

static void
test_duration_bad_unit(void **state)
{
	(void)state;
	bad_dur("15", "duration \"15\" has no unit (use ns, us, ms, s, m, h)");
	bad_dur("0", "duration \"0\" has no unit (use ns, us, ms, s, m, h)");
	bad_dur("1.5", "duration \"1.5\" has no unit (use ns, us, ms, s, m, "
	    "h)");
	bad_dur("3x", "duration \"3x\" has unknown unit \"x\" (use ns, us, "
	    "ms, s, m, h)");
	bad_dur("3sec", "duration \"3sec\" has unknown unit \"sec\" (use ns, "
	    "us, ms, s, m, h)");
	bad_dur("3S", "duration \"3S\" has unknown unit \"S\" (use ns, us, "
	    "ms, s, m, h)");
	bad_dur("3d", "duration \"3d\" has unknown unit \"d\" (use ns, us, "
	    "ms, s, m, h)");
	bad_dur("3\xc2\xb5", "duration \"3\xc2\xb5\" has unknown unit "
	    "\"\xc2\xb5\" (use ns, us, ms, s, m, h)");
}

static void
test_long_strings_are_cut_in_messages(void **state)
{
	char s[200], want[300];

	(void)state;
	memset(s, '1', 100);
	strcpy(s + 100, " s");
	snprintf(want, sizeof(want), "bad duration \"%.48s...\": unexpected "
	    "' ' after 100 characters", s);
	bad_dur(s, want);
}

static void
test_bare_ns_form(void **state)
{
	struct err e = ERR_INIT;
	int64_t ns;

	(void)state;
	assert_int_equal(units_parse_duration_or_ns("2500", &ns, &e), 0);
	assert_int_equal(ns, 2500);
	assert_int_equal(units_parse_duration_or_ns("2.5us", &ns, &e), 0);
	assert_int_equal(ns, 2500);
	assert_int_equal(units_parse_duration_or_ns("9223372036854775807",
	    &ns, &e), 0);
	assert_int_equal(ns, INT64_MAX);
	assert_false(e.set);
	assert_int_equal(units_parse_duration_or_ns("2.5", &ns, &e), -1);
	assert_string_equal(e.text, "duration \"2.5\" has no unit (use ns, "
	    "us, ms, s, m, h)");
	err_clear(&e);
	assert_int_equal(units_parse_duration_or_ns("9223372036854775808",
	    &ns, &e), -1);
	assert_string_equal(e.text, "duration \"9223372036854775808\" is too "
	    "large (the maximum is 9223372036.854775807s)");
}

static char *
fmt(int64_t ns)
{
	static char buf[UNITS_DURATION_MAX];

	return units_format_duration(ns, buf, sizeof(buf));
}

static void
test_format_rule(void **state)
{
	(void)state;
	assert_string_equal(fmt(0), "0s");
	assert_string_equal(fmt(1), "1ns");
	assert_string_equal(fmt(250), "250ns");
	assert_string_equal(fmt(999), "999ns");
	assert_string_equal(fmt(1000), "1us");
	assert_string_equal(fmt(15000), "15us");
	assert_string_equal(fmt(1001), "1.001us");
	assert_string_equal(fmt(2500000), "2.5ms");
	assert_string_equal(fmt(2000001), "2.000001ms");
	assert_string_equal(fmt(INT64_C(15000000000)), "15s");
	assert_string_equal(fmt(INT64_C(1000000001)), "1.000000001s");
	assert_string_equal(fmt(INT64_C(59900000000)), "59.9s");
	assert_string_equal(fmt(INT64_C(60000000000)), "1m");
	assert_string_equal(fmt(INT64_C(90000000000)), "90s");
	assert_string_equal(fmt(INT64_C(61500000000)), "61.5s");
	assert_string_equal(fmt(INT64_C(5400000000000)), "90m");
	assert_string_equal(fmt(INT64_C(7200000000000)), "2h");
	assert_string_equal(fmt(INT64_MAX), "9223372036.854775807s");
	assert_string_equal(fmt(-2500000), "-2.5ms");
	assert_string_equal(fmt(INT64_MIN), "-9223372036.854775808s");
	assert_true(strlen(fmt(INT64_MIN)) < UNITS_DURATION_MAX);
}

static void
test_format_truncates_safely(void **state)
{
	char buf[4];

	(void)state;
	assert_string_equal(units_format_duration(INT64_C(15000000000), buf,
	    sizeof(buf)), "15s");
	assert_string_equal(units_format_duration(2500000, buf, sizeof(buf)),
	    "2.5");
	assert_string_equal(units_format_duration(-2500000, buf, 2), "-");
	assert_string_equal(units_format_duration(-2500000, buf, 1), "");
}

static void
test_format_round_trips(void **state)
{
	static const int64_t edge[] = {
		0, 1, 999, 1000, 59999999999, 60000000000, 60000000001,
		3600000000000, INT64_MAX, INT64_MAX - 1,
	};
	struct rng r;
	char buf[UNITS_DURATION_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(edge) / sizeof(edge[0]); i++)
		assert_int_equal(dur(units_format_duration(edge[i], buf,
		    sizeof(buf))), edge[i]);
	rng_init(&r, 7, "units");
	for (int i = 0; i < 100000; i++) {
		/* Values spread over every magnitude, some round. */
		uint64_t x = rng_next(&r) >> (1 + rng_below(&r, 63));
		int64_t v = (int64_t)x;

		if (i % 3 == 0)
			v -= v % 1000;
		assert_int_equal(dur(units_format_duration(v, buf,
		    sizeof(buf))), v);
	}
}

static void
test_format_seconds(void **state)
{
	char buf[64];

	(void)state;
	assert_string_equal(units_format_seconds(INT64_C(15000000000), 3, buf,
	    sizeof(buf)), "15.000s");
	assert_string_equal(units_format_seconds(0, 3, buf, sizeof(buf)),
	    "0.000s");
	assert_string_equal(units_format_seconds(1499999, 3, buf,
	    sizeof(buf)), "0.001s");
	assert_string_equal(units_format_seconds(1500000, 3, buf,
	    sizeof(buf)), "0.002s");
	assert_string_equal(units_format_seconds(-1500000, 3, buf,
	    sizeof(buf)), "-0.002s");
	assert_string_equal(units_format_seconds(-400000, 3, buf,
	    sizeof(buf)), "0.000s");
	assert_string_equal(units_format_seconds(INT64_C(2500000000), 0, buf,
	    sizeof(buf)), "3s");
	assert_string_equal(units_format_seconds(123456789, 9, buf,
	    sizeof(buf)), "0.123456789s");
	assert_string_equal(units_format_seconds(INT64_MAX, 6, buf,
	    sizeof(buf)), "9223372036.854776s");
	assert_string_equal(units_format_seconds(INT64_MIN, 3, buf,
	    sizeof(buf)), "-9223372036.855s");
}

static struct units_rate
rate(const char *s)
{
	struct err e = ERR_INIT;
	struct units_rate r;

	if (units_parse_rate(s, &r, &e) != 0)
		fail_msg("\"%s\" rejected: %s", s, e.text);
	return r;
}

static void
bad_rate(const char *s, const char *msg)
{
	struct err e = ERR_INIT;
	struct units_rate r = { 7, 0, 1 };

	assert_int_equal(units_parse_rate(s, &r, &e), -1);
	assert_int_equal(r.mant, 7);
	assert_string_equal(e.text, msg);
}

static void
test_rates(void **state)
{
	struct units_rate r;

	(void)state;
	r = rate("200/s");
	assert_true(units_rate_per_sec(&r) == 200.0);
	assert_true(units_rate_interval_ns(&r) == 5e6);
	r = rate("3/ms");
	assert_true(units_rate_per_sec(&r) == 3000.0);
	assert_true(fabs(units_rate_interval_ns(&r) - 1e6 / 3) < 1e-9);
	r = rate("0.5/s");
	assert_int_equal(r.mant, 5);
	assert_int_equal(r.scale, 1);
	assert_true(units_rate_per_sec(&r) == 0.5);
	assert_true(units_rate_interval_ns(&r) == 2e9);
	r = rate("1000/m");
	assert_true(fabs(units_rate_per_sec(&r) - 1000.0 / 60) < 1e-12);
	assert_true(units_rate_interval_ns(&r) == 6e7);
	r = rate("1/h");
	assert_true(units_rate_interval_ns(&r) == 3.6e12);
	r = rate("2/\xce\xbcs");
	assert_true(units_rate_per_sec(&r) == 2e6);
	r = rate("0.250/us");
	assert_int_equal(r.mant, 25);
	assert_int_equal(r.scale, 2);
	assert_true(units_rate_per_sec(&r) == 2.5e5);
	assert_true(units_rate_interval_ns(&r) == 4000.0);
}

static void
test_bad_rates(void **state)
{
	(void)state;
	bad_rate("", "bad rate \"\": empty string");
	bad_rate("0/s", "rate \"0/s\" is zero; a rate must be positive");
	bad_rate("0.000/s", "rate \"0.000/s\" is zero; a rate must be "
	    "positive");
	bad_rate("-1/s", "bad rate \"-1/s\": negative rates are not allowed");
	bad_rate("200", "rate \"200\" has no unit (write e.g. \"200/s\")");
	bad_rate("200s", "bad rate \"200s\": unexpected 's' after \"200\"");
	bad_rate("200/", "rate \"200/\" has no unit (use ns, us, ms, s, m, "
	    "h)");
	bad_rate("3/x", "rate \"3/x\" has unknown unit \"x\" (use ns, us, ms, "
	    "s, m, h)");
	bad_rate("200 /s", "bad rate \"200 /s\": unexpected ' ' after "
	    "\"200\"");
	bad_rate("200/ s", "bad rate \"200/ s\": unexpected ' ' after "
	    "\"200/\"");
	bad_rate("3/10s", "bad rate \"3/10s\": unexpected '1' after \"3/\"");
	bad_rate("200/s/s", "bad rate \"200/s/s\": unexpected '/' after "
	    "\"200/s\"");
	bad_rate("99999999999999999999/s", "rate \"99999999999999999999/s\" "
	    "has too many digits");
	bad_rate("1.0000000000000000001/s", "rate "
	    "\"1.0000000000000000001/s\" has too many digits");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_duration_units),
		cmocka_unit_test(test_duration_fractions_are_exact),
		cmocka_unit_test(test_duration_limits),
		cmocka_unit_test(test_duration_finer_than_ns),
		cmocka_unit_test(test_duration_bad_form),
		cmocka_unit_test(test_duration_bad_unit),
		cmocka_unit_test(test_long_strings_are_cut_in_messages),
		cmocka_unit_test(test_bare_ns_form),
		cmocka_unit_test(test_format_rule),
		cmocka_unit_test(test_format_truncates_safely),
		cmocka_unit_test(test_format_round_trips),
		cmocka_unit_test(test_format_seconds),
		cmocka_unit_test(test_rates),
		cmocka_unit_test(test_bad_rates),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
