/*
 * test-defmute.c - the compiled-in default mute sets equal the dumps in
 * data/: read independently here with jansson, line by line, and compared
 * rule by rule (path, kind, every event type).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "es/defmute.h"

static void
compare_with_dump(enum m_default_mute which, const char *file,
    size_t expect_rules)
{
	const char *top = getenv("top_srcdir");
	struct defmute_rule *r;
	char path[1024], line[65536];
	size_t n, i = 0;
	FILE *f;

	snprintf(path, sizeof(path), "%s/data/%s", top != NULL ? top : ".",
	    file);
	assert_non_null(f = fopen(path, "r"));
	r = defmute_rules(which, &n);
	assert_non_null(r);
	assert_int_equal(n, expect_rules);
	while (fgets(line, sizeof(line), f) != NULL) {
		json_error_t je;
		json_t *o = json_loads(line, 0, &je), *evs, *ev;
		const char *p, *type;
		size_t k, nev = 0;

		assert_non_null(o);
		assert_int_equal(json_unpack(o, "{s:s, s:s, s:o}", "path", &p,
		    "type", &type, "events", &evs), 0);
		assert_true(i < n);
		assert_string_equal(r[i].path, p);
		assert_int_equal(r[i].len, strlen(p));
		assert_int_equal(r[i].target, strstr(type, "TARGET") != NULL);
		assert_int_equal(r[i].prefix, strstr(type, "PREFIX") != NULL);
		json_array_foreach(evs, k, ev) {
			const struct evtype *t =
			    evtype_by_name(json_string_value(ev));

			assert_non_null(t);
			assert_true(evset_has(&r[i].events, t->value));
		}
		for (int v = 0; v < EVSET_BITS; v++)
			nev += evset_has(&r[i].events, v);
		assert_int_equal(nev, json_array_size(evs));
		json_decref(o);
		i++;
	}
	assert_int_equal(i, n);
	fclose(f);
	free(r);
}

static void
test_13_3_1(void **state)
{
	(void)state;
	compare_with_dump(M_DEFMUTE_13_3_1, "es_default_mute_set_13_3_1.jsonl",
	    16);
	assert_string_equal(defmute_name(M_DEFMUTE_13_3_1), "13.3.1");
}

static void
test_26(void **state)
{
	(void)state;
	compare_with_dump(M_DEFMUTE_26, "es_default_mute_set_26.jsonl", 35);
	assert_string_equal(defmute_name(M_DEFMUTE_26), "26");
}

static void
test_none(void **state)
{
	size_t n = 99;

	(void)state;
	assert_null(defmute_rules(M_DEFMUTE_NONE, &n));
	assert_int_equal(n, 0);
	assert_null(defmute_name(M_DEFMUTE_NONE));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_13_3_1),
		cmocka_unit_test(test_26),
		cmocka_unit_test(test_none),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
