/*
 * fuzz-model.c - bytes into the model loader (model/model.h) and, when a
 * model loads, into the static linter (analysis/lint.h): the path of
 * `essim lint` and of every `essim run`.
 *
 * The input is parsed by jansson as model_load() does (duplicate keys
 * rejected), then given to model_load_json() with the fixture directory
 * tests/data/models as the model's directory, so {"empirical": "cpu.tsv"}
 * reads a real file.  Inputs naming an empirical file outside that
 * directory (an absolute name or "..") are passed over: reading
 * /dev/zero or a FIFO is the user's choice, not a reader bug.
 *
 * Contract checks: a model that does not load says why (at least one
 * message, each naming the file); one that loads has no messages, and
 * the linter's counts match its findings.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/lint.h"
#include "core/err.h"
#include "model/model.h"

#include "fuzz.h"

#define NAME	"fuzz.json"

/* 1 if some "empirical" names a file outside the model's directory. */
static int
escapes(const json_t *j, int depth)
{
	const char *key;
	json_t *v;
	size_t i;

	if (depth > 200)
		return 1;
	if (json_is_object(j)) {
		json_object_foreach((json_t *)j, key, v) {
			if (strcmp(key, "empirical") == 0 && json_is_string(v) &&
			    (json_string_value(v)[0] == '/' ||
			    strstr(json_string_value(v), "..") != NULL))
				return 1;
			if (escapes(v, depth + 1))
				return 1;
		}
	} else if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (escapes(v, depth + 1))
				return 1;
	}
	return 0;
}

static void
lint(const struct model *m)
{
	struct lint_opts o = { 100 };
	struct lint_result r = LINT_RESULT_INIT;
	size_t nerr = 0, nwarn = 0;
	json_t *j;

	lint_model(m, &o, &r);
	for (size_t i = 0; i < r.n; i++) {
		if (r.v[i].severity == LINT_ERROR)
			nerr++;
		else
			nwarn++;
	}
	FUZZ_CHECK(nerr == r.nerrors && nwarn == r.nwarnings);
	j = lint_json(&r, NAME);
	FUZZ_CHECK(j != NULL);
	json_decref(j);
	lint_result_release(&r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct diag d = DIAG_INIT;
	json_error_t jerr;
	struct model *m;
	char *dir;
	json_t *doc;

	doc = json_loadb((const char *)data, size, JSON_REJECT_DUPLICATES,
	    &jerr);
	if (doc == NULL)
		return 0;
	if (escapes(doc, 0)) {
		json_decref(doc);
		return 0;
	}
	dir = fuzz_path("/tests/data/models");
	m = model_load_json(doc, NAME, dir, &d);
	if (m == NULL) {
		FUZZ_CHECK(diag_count(&d) > 0);
		for (size_t i = 0; i < diag_count(&d); i++)
			FUZZ_CHECK(strncmp(diag_msg(&d, i), NAME ": ",
			    strlen(NAME ": ")) == 0 || strncmp(diag_msg(&d, i),
			    dir, strlen(dir)) == 0);
	} else {
		FUZZ_CHECK(diag_count(&d) == 0);
		lint(m);
		model_free(m);
	}
	diag_release(&d);
	json_decref(doc);
	free(dir);
	return 0;
}
