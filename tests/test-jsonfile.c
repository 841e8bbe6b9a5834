/*
 * test-jsonfile.c - users' JSON files: a byte order mark is skipped and
 * positions after it are the editor's; a missing file, a directory, a
 * NUL escape, a duplicate key and a syntax error each get their message
 * with the file named once.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/jsonfile.h"

static char path[64];

static int
make_file(void **state)
{
	int fd;

	(void)state;
	strcpy(path, "/tmp/test-jsonfile.XXXXXX");
	if ((fd = mkstemp(path)) < 0)
		return -1;
	close(fd);
	return 0;
}

static int
remove_file(void **state)
{
	(void)state;
	unlink(path);
	return 0;
}

static void
put(const char *bytes, size_t n)
{
	FILE *f = fopen(path, "wb");

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, n, f), n);
	fclose(f);
}

/* The error message for the file's content, with the path made "F". */
static const char *
message(const char *bytes, size_t n)
{
	static char out[512];
	struct err e = ERR_INIT;
	char m[512];
	const char *at;

	put(bytes, n);
	assert_null(jsonfile_load(path, &e));
	err_format(&e, m, sizeof(m));
	at = strstr(m, path);
	assert_non_null(at);
	snprintf(out, sizeof(out), "%.*sF%s", (int)(at - m), m,
	    at + strlen(path));
	/* Named once. */
	assert_null(strstr(at + strlen(path), path));
	return out;
}

static void
test_bom_skipped(void **state)
{
	static const char doc[] = "\xef\xbb\xbf{\"a\": 1}";
	struct err e = ERR_INIT;
	json_t *j;

	(void)state;
	put(doc, sizeof(doc) - 1);
	j = jsonfile_load(path, &e);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "a")), 1);
	json_decref(j);
}

static void
test_positions_after_bom(void **state)
{
	static const char with[] = "\xef\xbb\xbf{\n  \"a\": x}";
	static const char without[] = "{\n  \"a\": x}";
	char m1[512];

	(void)state;
	snprintf(m1, sizeof(m1), "%s", message(with, sizeof(with) - 1));
	assert_string_equal(m1, message(without, sizeof(without) - 1));
	assert_non_null(strstr(m1, "F:2:"));
}

static void
test_faults(void **state)
{
	static const char nul[] = "{\"a\": \"x\\u0000y\"}";
	static const char dup[] = "{\"a\": 1, \"a\": 2}";
	struct err e = ERR_INIT;
	char m[512];

	(void)state;
	assert_non_null(strstr(message(nul, sizeof(nul) - 1),
	    "\\u0000 (NUL), which essim does not accept"));
	assert_non_null(strstr(message(dup, sizeof(dup) - 1), "duplicate"));
	assert_non_null(strstr(message("", 0), "F"));
	assert_null(jsonfile_load("/nonexistent/x.json", &e));
	assert_string_equal(err_format(&e, m, sizeof(m)),
	    "/nonexistent/x.json: cannot open: No such file or directory");
	err_clear(&e);
	assert_null(jsonfile_load("/tmp", &e));
	assert_string_equal(err_format(&e, m, sizeof(m)),
	    "/tmp: is a directory");
}

static void
test_dir(void **state)
{
	char *d;

	(void)state;
	assert_string_equal(d = jsonfile_dir("m.json"), ".");
	free(d);
	assert_string_equal(d = jsonfile_dir("/m.json"), "/");
	free(d);
	assert_string_equal(d = jsonfile_dir("a/b/m.json"), "a/b");
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_bom_skipped, make_file,
		    remove_file),
		cmocka_unit_test_setup_teardown(test_positions_after_bom,
		    make_file, remove_file),
		cmocka_unit_test_setup_teardown(test_faults, make_file,
		    remove_file),
		cmocka_unit_test(test_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
