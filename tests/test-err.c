/*
 * test-err.c - struct err and struct diag: first error wins, locations
 * print the way DESIGN §4 promises, JSON pointers are escaped.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <string.h>

#include "core/err.h"

static void
test_first_error_wins(void **state)
{
	struct err e = ERR_INIT;
	char buf[512];

	(void)state;
	assert_int_equal(err_set(&e, "first %d", 1), -1);
	assert_int_equal(err_set(&e, "second"), -1);
	assert_string_equal(err_format(&e, buf, sizeof(buf)), "first 1");
	assert_int_equal(err_set(NULL, "dropped"), -1);
}

static void
test_location_forms(void **state)
{
	struct err e = ERR_INIT;
	char buf[512];

	(void)state;
	err_setloc(&e, "t.jsonl", 12, 7, "bad token");
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "t.jsonl:12:7: bad token");
	err_clear(&e);
	err_setloc(&e, "t.jsonl", 3, 0, "truncated");
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "t.jsonl:3: truncated");
	err_clear(&e);
	err_setptr(&e, "m.json", "/clients/acme/subscribe/0", "unknown");
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "m.json: /clients/acme/subscribe/0: unknown");
	err_clear(&e);
	err_setptr(&e, "m.json", "", "not an object");
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "m.json: /: not an object");
}

static void
test_locate_keeps_inner_location(void **state)
{
	struct err e = ERR_INIT;
	char buf[512];

	(void)state;
	err_set(&e, "bad unit 'xs'");
	err_locate(&e, "m.json", 0, 0, "/duration");
	err_locate(&e, "other.json", 0, 0, "/x");
	assert_string_equal(err_format(&e, buf, sizeof(buf)),
	    "m.json: /duration: bad unit 'xs'");
}

static void
test_pointer_escaping(void **state)
{
	char p[64] = "";

	(void)state;
	err_ptr_append(p, sizeof(p), "handler");
	err_ptr_append(p, sizeof(p), "a/b~c");
	err_ptr_append_index(p, sizeof(p), 3);
	assert_string_equal(p, "/handler/a~1b~0c/3");
}

static void
test_pointer_truncation_stays_terminated(void **state)
{
	char p[8] = "";

	(void)state;
	err_ptr_append(p, sizeof(p), "abcdefghijk");
	assert_int_equal(strlen(p), 7);
	assert_string_equal(p, "/abcdef");
}

static void
test_diag_collects_all(void **state)
{
	struct diag d = DIAG_INIT;

	(void)state;
	diag_addptr(&d, "m.json", "/a", "one");
	diag_addptr(&d, "m.json", "/b", "two %s", "more");
	assert_int_equal(diag_count(&d), 2);
	assert_string_equal(diag_msg(&d, 0), "m.json: /a: one");
	assert_string_equal(diag_msg(&d, 1), "m.json: /b: two more");
	assert_null(diag_msg(&d, 2));
	for (int i = 0; i < DIAG_MAX + 5; i++)
		diag_addptr(&d, "m.json", "/c", "x");
	assert_int_equal(diag_count(&d), DIAG_MAX);
	assert_int_equal(d.dropped, 7);
	diag_release(&d);
	assert_int_equal(diag_count(&d), 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_first_error_wins),
		cmocka_unit_test(test_location_forms),
		cmocka_unit_test(test_locate_keeps_inner_location),
		cmocka_unit_test(test_pointer_escaping),
		cmocka_unit_test(test_pointer_truncation_stays_terminated),
		cmocka_unit_test(test_diag_collects_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
