/*
 * fuzz-units.c - bytes into the value parsers: durations and rates
 * (core/units.h) and distributions (core/dist.h).
 *
 * The input, cut at its first NUL, is parsed as a duration, a duration
 * or bare ns, and a rate.  The whole input is then parsed as JSON (any
 * value, as a model holds one) and given to dist_parse() with the
 * fixture directory tests/data/dist as the model's directory, so
 * {"empirical": "cdf.tsv"} reads a real file; names that leave that
 * directory (absolute, or with "..") are passed over.
 *
 * Properties checked, beyond "no crash": a parsed duration formats to a
 * string that parses back to the same value; a parsed rate is positive;
 * a failed parse says why; every draw of a distribution lies in
 * [0, dist_max_ns()], and all draws are equal when dist_is_const() says
 * so; a distribution printed by dist_format() parses back to the same
 * distribution.
 */
#include "config.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/dist.h"
#include "core/err.h"
#include "core/rng.h"
#include "core/units.h"

#include "fuzz.h"

#define NAME	"fuzz.json"
#define DRAWS	16

static void
durations(const char *s)
{
	char buf[UNITS_DURATION_MAX];
	struct err e = ERR_INIT;
	int64_t ns, back;

	if (units_parse_duration(s, &ns, &e) == 0) {
		FUZZ_CHECK(ns >= 0);
		units_format_duration(ns, buf, sizeof(buf));
		err_clear(&e);
		FUZZ_CHECK(units_parse_duration(buf, &back, &e) == 0);
		FUZZ_CHECK(back == ns);
		for (int prec = 0; prec <= 9; prec++)
			units_format_seconds(ns, prec, buf, sizeof(buf));
	} else {
		FUZZ_CHECK(e.set && e.text[0] != '\0');
	}
	err_clear(&e);
	if (units_parse_duration_or_ns(s, &ns, &e) == 0)
		FUZZ_CHECK(ns >= 0);
	else
		FUZZ_CHECK(e.set);
}

static void
rates(const char *s)
{
	struct units_rate r;
	struct err e = ERR_INIT;

	if (units_parse_rate(s, &r, &e) == 0) {
		FUZZ_CHECK(r.mant > 0 && r.unit_ns > 0);
		FUZZ_CHECK(r.scale >= 0 && r.scale <= 18);
		FUZZ_CHECK(units_rate_per_sec(&r) > 0);
		FUZZ_CHECK(units_rate_interval_ns(&r) > 0);
	} else {
		FUZZ_CHECK(e.set && e.text[0] != '\0');
	}
}

/* 1 if some "empirical" names a file outside the fixture directory. */
static int
escapes(const json_t *j)
{
	const json_t *v;

	if (!json_is_object(j) || (v = json_object_get(j, "empirical")) == NULL)
		return 0;
	return json_is_string(v) && (json_string_value(v)[0] == '/' ||
	    strstr(json_string_value(v), "..") != NULL);
}

static void
draws(const struct dist *d)
{
	struct rng r;
	int64_t max = dist_max_ns(d), c = -1, x, first = -1;
	int isconst = dist_is_const(d, &c);

	rng_init(&r, 1, "fuzz");
	FUZZ_CHECK(max >= 0);
	for (int i = 0; i < DRAWS; i++) {
		x = dist_sample(d, &r);
		FUZZ_CHECK(x >= 0 && x <= max);
		if (i == 0)
			first = x;
		if (isconst)
			FUZZ_CHECK(x == c && x == first);
	}
	(void)dist_mean_ns(d);
}

/* dist_format() writes what dist_parse() reads back to the same thing. */
static void
round_trip(const struct dist *d, const char *dir)
{
	char buf[8192];
	struct dist d2;
	struct err e = ERR_INIT;
	json_t *j;

	dist_format(d, buf, sizeof(buf));
	if (strlen(buf) + 1 >= sizeof(buf))
		return;		/* truncated: a very long file name */
	j = json_loads(buf, JSON_DECODE_ANY, NULL);
	FUZZ_CHECK(j != NULL);
	if (dist_parse(&d2, j, NAME, "/x", dir, &e) == 0) {
		FUZZ_CHECK(d2.kind == d->kind && d2.a == d->a && d2.b == d->b &&
		    d2.n == d->n);
		FUZZ_CHECK(d->kind != DIST_EXP || fabs(d2.mean - d->mean) <= 0.5);
		dist_release(&d2);
	} else {
		/* Only an empirical file can fail the second time. */
		FUZZ_CHECK(d->kind == DIST_EMPIRICAL || d->kind == DIST_CDF);
	}
	json_decref(j);
}

static void
distributions(const uint8_t *data, size_t size)
{
	struct dist d;
	struct err e = ERR_INIT;
	int64_t ns;
	json_t *j;
	char *dir;

	if ((j = json_loadb((const char *)data, size, JSON_DECODE_ANY |
	    JSON_REJECT_DUPLICATES, NULL)) == NULL)
		return;
	if (escapes(j)) {
		json_decref(j);
		return;
	}
	dir = fuzz_path("/tests/data/dist");
	if (dist_parse(&d, j, NAME, "/x", dir, &e) == 0) {
		draws(&d);
		round_trip(&d, dir);
	} else {
		FUZZ_CHECK(e.set && (strcmp(e.file, NAME) == 0 ||
		    strncmp(e.file, dir, strlen(dir)) == 0));
	}
	dist_release(&d);
	err_clear(&e);
	if (dist_parse_duration(j, NAME, "/x", &ns, &e) == 0)
		FUZZ_CHECK(ns >= 0);
	else
		FUZZ_CHECK(e.set);
	err_clear(&e);
	if (dist_parse_rate(&d, j, NAME, "/x", &e) == 0)
		draws(&d);
	else
		FUZZ_CHECK(e.set);
	dist_release(&d);
	json_decref(j);
	free(dir);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);

	if (s == NULL)
		abort();
	memcpy(s, data, size);
	s[size] = '\0';
	durations(s);
	rates(s);
	free(s);
	distributions(data, size);
	return 0;
}
