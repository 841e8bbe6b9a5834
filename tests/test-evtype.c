/*
 * test-evtype.c - the generated event type table matches the SDK
 * transcription: spot values checked against the real eslogger traces,
 * both spellings of names, eslogger keys and AUTH/NOTIFY twins.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/evtype.h"

static void
test_values_match_real_traces(void **state)
{
	/* event_type numbers seen in shared/traces/eslogger recordings. */
	static const struct { int v; const char *name; } seen[] = {
		{ 9, "NOTIFY_EXEC" }, { 10, "NOTIFY_OPEN" },
		{ 11, "NOTIFY_FORK" }, { 13, "NOTIFY_CREATE" },
		{ 15, "NOTIFY_EXIT" }, { 25, "NOTIFY_RENAME" },
		{ 32, "NOTIFY_UNLINK" }, { 43, "NOTIFY_LOOKUP" },
		{ 0, "AUTH_EXEC" }, { 1, "AUTH_OPEN" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(seen) / sizeof(seen[0]); i++) {
		const struct evtype *t = evtype_by_value(seen[i].v);

		assert_non_null(t);
		assert_string_equal(t->name, seen[i].name);
		assert_int_equal(t->value, seen[i].v);
	}
	assert_int_equal(evtype_count(), 162);
	assert_null(evtype_by_value(-1));
	assert_null(evtype_by_value(162));
}

static void
test_names_both_spellings(void **state)
{
	const struct evtype *a = evtype_by_name("AUTH_OPEN");
	const struct evtype *b = evtype_by_name("ES_EVENT_TYPE_AUTH_OPEN");

	(void)state;
	assert_non_null(a);
	assert_ptr_equal(a, b);
	assert_true(evtype_is_auth(a));
	assert_string_equal(a->full, "ES_EVENT_TYPE_AUTH_OPEN");
	assert_null(evtype_by_name("AUTH_OPEN_"));
	assert_null(evtype_by_name("auth_open"));
	assert_null(evtype_by_name(""));
	for (size_t i = 0; i < evtype_count(); i++) {
		const struct evtype *t = evtype_by_value((int)i);

		assert_ptr_equal(evtype_by_name(t->name), t);
		assert_ptr_equal(evtype_by_name(t->full), t);
	}
}

static void
test_eslogger_keys_and_twins(void **state)
{
	const struct evtype *n = evtype_by_eslogger("open", EVTYPE_NOTIFY);
	const struct evtype *a = evtype_by_eslogger("open", EVTYPE_AUTH);

	(void)state;
	assert_non_null(n);
	assert_int_equal(n->value, 10);
	assert_int_equal(a->value, 1);
	assert_ptr_equal(evtype_auth_twin(n), a);
	assert_ptr_equal(evtype_notify_twin(a), n);
	assert_null(evtype_auth_twin(evtype_by_name("NOTIFY_FORK")));
	assert_null(evtype_by_eslogger("", EVTYPE_RESERVED));
	assert_null(evtype_by_eslogger("no_such_key", EVTYPE_NOTIFY));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values_match_real_traces),
		cmocka_unit_test(test_names_both_spellings),
		cmocka_unit_test(test_eslogger_keys_and_twins),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
