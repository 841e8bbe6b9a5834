/*
 * sweep-grid.c - parsing --vary arguments into axes of JSON values, and
 * patching model documents by JSON pointer.
 *
 * Everything a sweep varies is a value in the model document, named by
 * an RFC 6901 pointer; the model loader (model_load_json) then validates
 * the patched document like any other, so this file knows nothing of
 * what a model means.  It knows the two unit syntaxes of DESIGN §4 only
 * to generate ranges of them: a range of rates or durations keeps the
 * unit of its first end, because a patched model should read like one
 * written by hand and because "357.894737/s" in a results table is
 * clearer than 357.894737.
 *
 * Ranges are computed in double precision from the two ends (not by
 * accumulating a step), the ends are kept exactly, and the rounding of
 * each kind (integers, whole nanoseconds, six decimals of a rate) happens
 * once, so a range gives the same strings on every machine.  jansson
 * iterates the objects of a document in insertion order, so a patched
 * document keeps the key order of the file; a key a sweep adds goes last.
 */
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"
#include "core/xalloc.h"
#include "out/sweep-grid.h"

struct sg_axis {
	char		*arg;		/* "PTR=VALUES" as given */
	char		*ptr;
	json_t		**vals;
	size_t		 n;
};

struct sg_grid {
	struct sg_axis	*axes;
	size_t		 naxes;
	size_t		 alloc;
};

/* What a range end is. */
enum end_kind { END_NUMBER, END_RATE, END_DURATION };

struct range_end {
	enum end_kind	 kind;
	double		 x;		/* the number, events/s, or ns */
	int		 integer;	/* NUMBER: written without . or e */
	char		 unit[16];	/* RATE: "/s"; DURATION: "ms" */
	int64_t		 unit_ns;	/* RATE and DURATION */
};

struct sg_grid *
sg_new(void)
{
	return xcalloc(1, sizeof(struct sg_grid));
}

static void
axis_release(struct sg_axis *ax)
{
	for (size_t i = 0; i < ax->n; i++)
		json_decref(ax->vals[i]);
	free(ax->vals);
	free(ax->arg);
	free(ax->ptr);
}

void
sg_free(struct sg_grid *g)
{
	if (g == NULL)
		return;
	for (size_t a = 0; a < g->naxes; a++)
		axis_release(&g->axes[a]);
	free(g->axes);
	free(g);
}

/* Append v (stolen) to ax unless it is already there. */
static int
axis_push(struct sg_axis *ax, size_t *alloc, json_t *v, struct err *e)
{
	for (size_t i = 0; i < ax->n; i++) {
		if (json_equal(ax->vals[i], v)) {
			char *t = sg_value_text(v);

			err_set(e, "--vary %s: value %s comes twice", ax->arg,
			    t);
			free(t);
			json_decref(v);
			return -1;
		}
	}
	XGROW(ax->vals, ax->n + 1, *alloc);
	ax->vals[ax->n++] = v;
	return 0;
}

/* Is s an optional '-' and digits only? */
static int
is_integer_text(const char *s, size_t n)
{
	size_t i = 0;

	if (i < n && s[i] == '-')
		i++;
	if (i == n)
		return 0;
	for (; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* Parse one range end s (n bytes) into *re. */
static int
parse_end(const struct sg_axis *ax, const char *s, size_t n,
    struct range_end *re, struct err *e)
{
	char buf[64], *end;
	struct err ue = ERR_INIT;
	struct units_rate r;
	int64_t ns;

	if (n == 0 || n >= sizeof(buf))
		return err_set(e, "--vary %s: a range end is %s", ax->arg,
		    n == 0 ? "missing" : "too long");
	memcpy(buf, s, n);
	buf[n] = '\0';
	memset(re, 0, sizeof(*re));
	errno = 0;
	re->x = strtod(buf, &end);
	if (end == buf || errno != 0 || !isfinite(re->x))
		return err_set(e, "--vary %s: range end \"%s\" is not a "
		    "number, a rate or a duration", ax->arg, buf);
	if (*end == '\0') {
		re->kind = END_NUMBER;
		re->integer = is_integer_text(buf, n);
		return 0;
	}
	if (strlen(end) >= sizeof(re->unit))
		return err_set(e, "--vary %s: range end \"%s\": unknown unit",
		    ax->arg, buf);
	strcpy(re->unit, end);
	if (*end == '/') {
		if (units_parse_rate(buf, &r, &ue) != 0)
			return err_set(e, "--vary %s: %s", ax->arg, ue.text);
		re->kind = END_RATE;
		re->x = units_rate_per_sec(&r);
		re->unit_ns = r.unit_ns;
		return 0;
	}
	if (units_parse_duration(buf, &ns, &ue) != 0)
		return err_set(e, "--vary %s: %s", ax->arg, ue.text);
	re->kind = END_DURATION;
	re->x = (double)ns;
	snprintf(buf, sizeof(buf), "1%s", re->unit);
	return units_parse_duration(buf, &re->unit_ns, e);
}

/* Trim trailing zeros (and a bare '.') of a decimal in buf. */
static void
trim_decimal(char *buf)
{
	char *dot = strchr(buf, '.'), *p;

	if (dot == NULL)
		return;
	p = buf + strlen(buf) - 1;
	while (p > dot && *p == '0')
		*p-- = '\0';
	if (p == dot)
		*p = '\0';
}

/* ns written in the unit unit (unit_ns ns), exactly; NULL if it cannot. */
static json_t *
duration_in_unit(int64_t ns, const char *unit, int64_t unit_ns)
{
	char buf[UNITS_DURATION_MAX + 16];
	int64_t whole = ns / unit_ns, rem = ns % unit_ns, scale = 1;
	int k = 0;

	if (unit_ns > INT64_C(1000000000))
		rem = -1;	/* m, h: fall back unless exact */
	if (rem == 0) {
		snprintf(buf, sizeof(buf), "%lld%s", (long long)whole, unit);
		return json_string(buf);
	}
	if (rem < 0)
		return NULL;
	while (k < 9 && (rem * scale) % unit_ns != 0) {
		k++;
		scale *= 10;
	}
	snprintf(buf, sizeof(buf), "%lld.%0*lld%s", (long long)whole, k,
	    (long long)(rem * scale / unit_ns), unit);
	return json_string(buf);
}

/* The JSON value of range point x, of the kind of lo. */
static json_t *
range_value(const struct range_end *lo, double x)
{
	char buf[64];
	int64_t ns;

	switch (lo->kind) {
	case END_NUMBER:
		return lo->integer ? json_integer((json_int_t)llround(x)) :
		    json_real(x);
	case END_RATE:
		snprintf(buf, sizeof(buf), "%.6f", x * (double)lo->unit_ns /
		    1e9);
		trim_decimal(buf);
		if (strcmp(buf, "0") == 0)
			return NULL;
		strcat(buf, lo->unit);
		return json_string(buf);
	case END_DURATION:
		ns = llround(x);
		{
			json_t *v = duration_in_unit(ns, lo->unit,
			    lo->unit_ns);

			if (v != NULL)
				return v;
		}
		return json_string(units_format_duration(ns, buf,
		    sizeof(buf)));
	}
	return NULL;
}

/* "A..B:N" or "A..B:Nlog" (dots points at ".."). */
static int
parse_range(struct sg_axis *ax, const char *vals, const char *dots,
    struct err *e)
{
	const char *b = dots + 2, *colon = strrchr(b, ':');
	struct range_end lo, hi;
	size_t alloc = 0;
	unsigned long n;
	char *end;
	int logs;

	if (colon == NULL)
		return err_set(e, "--vary %s: a range needs a count: "
		    "A..B:N or A..B:Nlog", ax->arg);
	if (parse_end(ax, vals, (size_t)(dots - vals), &lo, e) != 0 ||
	    parse_end(ax, b, (size_t)(colon - b), &hi, e) != 0)
		return -1;
	errno = 0;
	n = (colon[1] >= '0' && colon[1] <= '9') ?
	    strtoul(colon + 1, &end, 10) : 0;
	if (n == 0 || errno != 0)
		return err_set(e, "--vary %s: the count after ':' must be an "
		    "integer, optionally followed by \"log\"", ax->arg);
	logs = strcmp(end, "log") == 0;
	if (*end != '\0' && !logs)
		return err_set(e, "--vary %s: unexpected \"%s\" after the "
		    "count (A..B:N or A..B:Nlog)", ax->arg, end);
	if (n < 2 || n > SG_RANGE_MAX)
		return err_set(e, "--vary %s: a range has 2 to %d points",
		    ax->arg, SG_RANGE_MAX);
	if (lo.kind != hi.kind)
		return err_set(e, "--vary %s: both ends of a range must be "
		    "numbers, rates or durations alike", ax->arg);
	if (lo.kind == END_NUMBER && lo.integer != hi.integer)
		return err_set(e, "--vary %s: write both ends as integers "
		    "(4..64) or both with a decimal point (0.1..1.0)",
		    ax->arg);
	if (logs && (lo.x <= 0 || hi.x <= 0))
		return err_set(e, "--vary %s: a log range needs ends above 0",
		    ax->arg);
	for (unsigned long i = 0; i < n; i++) {
		double f = (double)i / (double)(n - 1), x;
		json_t *v;

		if (i == n - 1)
			x = hi.x;
		else if (logs)
			x = lo.x * pow(hi.x / lo.x, f);
		else
			x = lo.x + (hi.x - lo.x) * f;
		if (i == 0)
			x = lo.x;
		if ((v = range_value(&lo, x)) == NULL)
			return err_set(e, "--vary %s: a rate rounds to 0",
			    ax->arg);
		if (axis_push(ax, &alloc, v, e) != 0)
			return -1;
	}
	return 0;
}

/* One list item (n bytes). */
static json_t *
parse_item(const struct sg_axis *ax, const char *s, size_t n, struct err *e)
{
	json_error_t je;
	json_t *v;

	if (n == 0) {
		err_set(e, "--vary %s: empty value in the list", ax->arg);
		return NULL;
	}
	v = json_loadb(s, n, JSON_DECODE_ANY | JSON_REJECT_DUPLICATES, &je);
	if (v != NULL)
		return v;
	if (s[0] == '"' || s[0] == '{' || s[0] == '[') {
		err_set(e, "--vary %s: bad JSON value %.*s: %s", ax->arg,
		    (int)(n > 40 ? 40 : n), s, je.text);
		return NULL;
	}
	return json_stringn(s, n);
}

/* "V1,V2,...": commas inside quotes, braces and brackets do not split. */
static int
parse_list(struct sg_axis *ax, const char *s, struct err *e)
{
	size_t alloc = 0, start = 0, i = 0;
	int depth = 0, quoted = 0;

	for (;; i++) {
		char c = s[i];

		if (quoted) {
			if (c == '\\' && s[i + 1] != '\0')
				i++;
			else if (c == '"')
				quoted = 0;
			else if (c == '\0')
				return err_set(e, "--vary %s: unterminated "
				    "string", ax->arg);
			continue;
		}
		if (c == '"')
			quoted = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && depth > 0)
			depth--;
		else if (c == '\0' || (c == ',' && depth == 0)) {
			json_t *v = parse_item(ax, s + start, i - start, e);

			if (v == NULL || axis_push(ax, &alloc, v, e) != 0)
				return -1;
			if (c == '\0')
				return 0;
			start = i + 1;
		}
	}
}

/* Does vals look like a range: a number, "..", and no list syntax? */
static const char *
range_dots(const char *vals)
{
	const char *dots = strstr(vals, "..");

	if (dots == NULL || strchr(vals, ',') != NULL)
		return NULL;
	if ((vals[0] >= '0' && vals[0] <= '9') || vals[0] == '-' ||
	    (vals[0] == '.' && vals[1] >= '0' && vals[1] <= '9'))
		return dots;
	return NULL;
}

int
sg_add_vary(struct sg_grid *g, const char *arg, struct err *e)
{
	const char *eq = strchr(arg, '='), *dots;
	struct sg_axis ax;
	int rc;

	if (arg[0] != '/' || eq == NULL)
		return err_set(e, "--vary wants /JSON/POINTER=VALUES, not "
		    "\"%s\"", arg);
	if (eq[1] == '\0')
		return err_set(e, "--vary %s: no values after '='", arg);
	memset(&ax, 0, sizeof(ax));
	ax.arg = xstrdup(arg);
	ax.ptr = xstrndup(arg, (size_t)(eq - arg));
	for (size_t a = 0; a < g->naxes; a++) {
		if (strcmp(g->axes[a].ptr, ax.ptr) == 0) {
			err_set(e, "--vary %s: %s is already varied", arg,
			    ax.ptr);
			axis_release(&ax);
			return -1;
		}
	}
	if ((dots = range_dots(eq + 1)) != NULL)
		rc = parse_range(&ax, eq + 1, dots, e);
	else
		rc = parse_list(&ax, eq + 1, e);
	if (rc != 0) {
		axis_release(&ax);
		return -1;
	}
	XGROW(g->axes, g->naxes + 1, g->alloc);
	g->axes[g->naxes++] = ax;
	return 0;
}

size_t
sg_naxes(const struct sg_grid *g)
{
	return g->naxes;
}

const char *
sg_axis_pointer(const struct sg_grid *g, size_t a)
{
	return g->axes[a].ptr;
}

const char *
sg_axis_arg(const struct sg_grid *g, size_t a)
{
	return g->axes[a].arg;
}

size_t
sg_axis_nvalues(const struct sg_grid *g, size_t a)
{
	return g->axes[a].n;
}

const json_t *
sg_axis_value(const struct sg_grid *g, size_t a, size_t i)
{
	return g->axes[a].vals[i];
}

uint64_t
sg_npoints(const struct sg_grid *g)
{
	uint64_t n = 1;

	for (size_t a = 0; a < g->naxes; a++) {
		if (n > SG_RUNS_MAX / g->axes[a].n)
			return SG_RUNS_MAX + 1;
		n *= g->axes[a].n;
	}
	return n;
}

size_t
sg_point_index(const struct sg_grid *g, uint64_t p, size_t a)
{
	uint64_t stride = 1;

	for (size_t b = a + 1; b < g->naxes; b++)
		stride *= g->axes[b].n;
	return (size_t)((p / stride) % g->axes[a].n);
}

int
sg_apply(const struct sg_grid *g, uint64_t p, json_t *doc, struct err *e)
{
	for (size_t a = 0; a < g->naxes; a++) {
		const json_t *v = g->axes[a].vals[sg_point_index(g, p, a)];

		if (sg_json_set(doc, g->axes[a].ptr, json_deep_copy(v),
		    e) != 0)
			return -1;
	}
	return 0;
}

json_t *
sg_json(const struct sg_grid *g)
{
	json_t *axes = json_array();

	for (size_t a = 0; a < g->naxes; a++) {
		json_t *vals = json_array();

		for (size_t i = 0; i < g->axes[a].n; i++)
			json_array_append(vals, g->axes[a].vals[i]);
		json_array_append_new(axes, json_pack("{s:s, s:s, s:o}",
		    "pointer", g->axes[a].ptr, "vary", g->axes[a].arg,
		    "values", vals));
	}
	return axes;
}

/* Decode the next reference token of ptr (at *pp, after its '/'). */
static char *
next_token(const char **pp)
{
	const char *p = *pp, *end = strchr(p, '/');
	size_t n = end != NULL ? (size_t)(end - p) : strlen(p), o = 0;
	char *t = xmalloc(n + 1);

	for (size_t i = 0; i < n; i++) {
		if (p[i] == '~' && i + 1 < n && (p[i + 1] == '0' ||
		    p[i + 1] == '1')) {
			t[o++] = p[i + 1] == '0' ? '~' : '/';
			i++;
		} else {
			t[o++] = p[i];
		}
	}
	t[o] = '\0';
	*pp = end != NULL ? end + 1 : NULL;
	return t;
}

/* An array index token: digits, no leading zero; -1 if not one. */
static long long
array_index(const char *t)
{
	char *end;
	long long i;

	if (t[0] < '0' || t[0] > '9' || (t[0] == '0' && t[1] != '\0'))
		return -1;
	errno = 0;
	i = strtoll(t, &end, 10);
	return *end != '\0' || errno != 0 ? -1 : i;
}

int
sg_json_set(json_t *doc, const char *ptr, json_t *value, struct err *e)
{
	const char *p = ptr + 1;
	json_t *cur = doc;
	size_t done;
	int rc = 0;

	if (ptr[0] != '/') {
		json_decref(value);
		return err_set(e, "%s: a JSON pointer starts with '/'", ptr);
	}
	while (p != NULL && rc == 0) {
		char *t;
		long long i;
		json_t *next;

		done = (size_t)(p - ptr) - 1;
		t = next_token(&p);
		i = json_is_array(cur) ? array_index(t) : -1;
		if (!json_is_object(cur) && !json_is_array(cur))
			rc = err_set(e, "%s: %.*s is not an object or an "
			    "array", ptr, (int)done, ptr);
		else if (json_is_array(cur) && (i < 0 ||
		    (size_t)i >= json_array_size(cur)))
			rc = err_set(e, "%s: %.*s has no element \"%s\" "
			    "(it has %zu)", ptr, (int)done, ptr, t,
			    json_array_size(cur));
		else if (p == NULL)
			rc = json_is_array(cur) ?
			    json_array_set(cur, (size_t)i, value) :
			    json_object_set(cur, t, value);
		else if ((next = json_is_array(cur) ?
		    json_array_get(cur, (size_t)i) :
		    json_object_get(cur, t)) == NULL)
			rc = err_set(e, "%s: %.*s is not in the model", ptr,
			    (int)(p - ptr) - 1, ptr);
		else
			cur = next;
		free(t);
	}
	json_decref(value);
	return rc;
}

char *
sg_value_text(const json_t *v)
{
	char *s;

	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (s == NULL)
		return xstrdup("?");
	{
		char *t = xstrdup(s);

		free(s);
		return t;
	}
}

int
sg_value_number(const json_t *v, double *x)
{
	struct units_rate r;
	int64_t ns;

	if (json_is_number(v)) {
		*x = json_number_value(v);
		return 0;
	}
	if (json_is_boolean(v)) {
		*x = json_is_true(v) ? 1 : 0;
		return 0;
	}
	if (!json_is_string(v))
		return -1;
	if (units_parse_duration(json_string_value(v), &ns, NULL) == 0) {
		*x = (double)ns / 1e9;
		return 0;
	}
	if (units_parse_rate(json_string_value(v), &r, NULL) == 0) {
		*x = units_rate_per_sec(&r);
		return 0;
	}
	return -1;
}

int
sg_parse_shard(const char *s, struct sg_shard *sh, struct err *e)
{
	unsigned long long k, n;
	char *end;

	if (s[0] < '1' || s[0] > '9')
		goto bad;
	errno = 0;
	k = strtoull(s, &end, 10);
	if (errno != 0 || *end != '/' || end[1] < '1' || end[1] > '9')
		goto bad;
	n = strtoull(end + 1, &end, 10);
	if (errno != 0 || *end != '\0')
		goto bad;
	if (k > n)
		return err_set(e, "--shard %s: K must be between 1 and N", s);
	sh->k = k;
	sh->n = n;
	return 0;
bad:
	return err_set(e, "--shard wants K/N with 1 <= K <= N, not \"%s\"",
	    s);
}

int
sg_shard_has(const struct sg_shard *sh, uint64_t run)
{
	return run % sh->n == sh->k - 1;
}
