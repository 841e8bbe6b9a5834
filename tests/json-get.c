/*
 * json-get.c - check that a file is one valid JSON document and print
 * values from it, for script tests (tests/signals.test): POSIX sh has no
 * JSON parser, and a timeline cut by a signal must still be one.
 *
 *	tests/json-get FILE otherData.interrupted status
 *
 * Each PATH is object keys joined by '.'; its value is printed on a line
 * of its own (strings bare, other values as compact JSON, a missing key
 * as "(none)").  Exit 0, or 1 with jansson's message when FILE is not
 * valid JSON.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

static json_t *
get(json_t *v, const char *path)
{
	char key[256];
	const char *dot;
	size_t n;

	while (v != NULL && *path != '\0') {
		dot = strchr(path, '.');
		n = dot != NULL ? (size_t)(dot - path) : strlen(path);
		if (n >= sizeof(key))
			return NULL;
		memcpy(key, path, n);
		key[n] = '\0';
		v = json_object_get(v, key);
		path += n + (dot != NULL);
	}
	return v;
}

int
main(int argc, char **argv)
{
	json_error_t je;
	json_t *doc, *v;
	char *s;

	if (argc < 2) {
		fprintf(stderr, "usage: json-get FILE [PATH...]\n");
		return 2;
	}
	if ((doc = json_load_file(argv[1], 0, &je)) == NULL) {
		fprintf(stderr, "json-get: %s:%d:%d: %s\n", argv[1], je.line,
		    je.column, je.text);
		return 1;
	}
	for (int i = 2; i < argc; i++) {
		if ((v = get(doc, argv[i])) == NULL) {
			printf("(none)\n");
		} else if (json_is_string(v)) {
			printf("%s\n", json_string_value(v));
		} else {
			s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
			printf("%s\n", s);
			free(s);
		}
	}
	json_decref(doc);
	return 0;
}
