/*
 * synth-val.c - reading one value of a synthetic trace spec: strings,
 * booleans, integers in a range, positive numbers, durations and
 * distributions (core/units.h, core/dist.h), and unknown keys - each
 * wrong one reported at its JSON pointer, as "file: /pointer: message",
 * and parsing goes on so that every problem is found in one pass.  The
 * pointer is built as the parser descends (sy__push / sy__pop).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "trace/synth-int.h"

void
sy__bad(struct sy_parse *c, const char *fmt, ...)
{
	char text[ERR_TEXT_MAX];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	diag_addptr(c->d, c->file, c->ptr[0] != '\0' ? c->ptr : "/", "%s",
	    text);
	c->nerr++;
}

void
sy__bad_err(struct sy_parse *c, const struct err *e)
{
	diag_add_err(c->d, e);
	c->nerr++;
}

size_t
sy__push(struct sy_parse *c, const char *key)
{
	size_t mark = strlen(c->ptr);

	err_ptr_append(c->ptr, sizeof(c->ptr), key);
	return mark;
}

size_t
sy__push_i(struct sy_parse *c, size_t i)
{
	size_t mark = strlen(c->ptr);

	err_ptr_append_index(c->ptr, sizeof(c->ptr), i);
	return mark;
}

void
sy__pop(struct sy_parse *c, size_t mark)
{
	c->ptr[mark] = '\0';
}

const char *
sy__jtype(const json_t *v)
{
	static const char *const names[] = { "an object", "an array",
		"a string", "an integer", "a number", "true", "false", "null" };

	return names[json_typeof(v)];
}

/* Unknown keys of obj are errors; returns -1 when obj is not an object. */
int
sy__keys(struct sy_parse *c, const json_t *obj, const char *const *allowed)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj)) {
		sy__bad(c, "expected an object, found %s", sy__jtype(obj));
		return -1;
	}
	json_object_foreach((json_t *)obj, k, v) {
		size_t i, mark;
		char list[256] = "";

		for (i = 0; allowed[i] != NULL; i++)
			if (strcmp(allowed[i], k) == 0)
				break;
		if (allowed[i] != NULL)
			continue;
		for (i = 0; allowed[i] != NULL; i++) {
			strncat(list, allowed[i], sizeof(list) - strlen(list) - 1);
			if (allowed[i + 1] != NULL)
				strncat(list, ", ", sizeof(list) - strlen(list) - 1);
		}
		mark = sy__push(c, k);
		sy__bad(c, "unknown key (expected one of: %s)", list);
		sy__pop(c, mark);
	}
	return 0;
}

/* A string under key; 1 found, 0 absent, -1 wrong. */
int
sy__get_str(struct sy_parse *c, const json_t *obj, const char *key, const char **out,
    int nonempty)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc = 1;

	if (v == NULL)
		return 0;
	mark = sy__push(c, key);
	if (!json_is_string(v)) {
		sy__bad(c, "expected a string, found %s", sy__jtype(v));
		rc = -1;
	} else if (nonempty && json_string_length(v) == 0) {
		sy__bad(c, "must not be empty");
		rc = -1;
	} else {
		*out = json_string_value(v);
	}
	sy__pop(c, mark);
	return rc;
}

int
sy__get_bool(struct sy_parse *c, const json_t *obj, const char *key, int *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;

	if (v == NULL)
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 1;
	}
	mark = sy__push(c, key);
	sy__bad(c, "expected true or false, found %s", sy__jtype(v));
	sy__pop(c, mark);
	return -1;
}

/* An integer in [min, max] under key. */
int
sy__get_int(struct sy_parse *c, const json_t *obj, const char *key, json_int_t min,
    json_int_t max, json_int_t *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc = 1;

	if (v == NULL)
		return 0;
	mark = sy__push(c, key);
	if (!json_is_integer(v)) {
		sy__bad(c, "expected an integer, found %s", sy__jtype(v));
		rc = -1;
	} else if (json_integer_value(v) < min || json_integer_value(v) > max) {
		sy__bad(c, "%" JSON_INTEGER_FORMAT " out of range %"
		    JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT,
		    json_integer_value(v), min, max);
		rc = -1;
	} else {
		*out = json_integer_value(v);
	}
	sy__pop(c, mark);
	return rc;
}

int
sy__get_positive(struct sy_parse *c, const json_t *obj, const char *key, double *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc = 1;

	if (v == NULL)
		return 0;
	mark = sy__push(c, key);
	if (!json_is_number(v)) {
		sy__bad(c, "expected a number, found %s", sy__jtype(v));
		rc = -1;
	} else if (!(json_number_value(v) > 0) ||
	    !isfinite(json_number_value(v))) {
		sy__bad(c, "must be above 0, got %g", json_number_value(v));
		rc = -1;
	} else {
		*out = json_number_value(v);
	}
	sy__pop(c, mark);
	return rc;
}

int
sy__get_dur(struct sy_parse *c, const json_t *obj, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	struct err e = ERR_INIT;
	size_t mark;

	if (v == NULL)
		return 0;
	mark = sy__push(c, key);
	if (dist_parse_duration(v, c->file, c->ptr, out, &e) < 0) {
		sy__bad_err(c, &e);
		sy__pop(c, mark);
		return -1;
	}
	sy__pop(c, mark);
	return 1;
}

int
sy__get_dist(struct sy_parse *c, const json_t *obj, const char *key, struct dist *d)
{
	const json_t *v = json_object_get(obj, key);
	struct err e = ERR_INIT;
	size_t mark;

	if (v == NULL)
		return 0;
	mark = sy__push(c, key);
	dist_release(d);
	if (dist_parse(d, v, c->file, c->ptr, c->dir, &e) < 0) {
		sy__bad_err(c, &e);
		sy__pop(c, mark);
		return -1;
	}
	sy__pop(c, mark);
	return 1;
}
