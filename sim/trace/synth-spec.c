/*
 * synth-spec.c - reading and validating a synthetic trace spec.
 *
 * The spec (docs/traces.md) is read with jansson and checked key by key:
 * every unknown key, wrong type, bad duration, rate or distribution,
 * undefined process name and out-of-range number is reported, all of them
 * in one go, as "file: /json/pointer: message", the way model files are
 * (model.h).  Durations, rates and distributions are parsed by
 * core/units.h and core/dist.h, so they read exactly as in models.
 *
 * Templates are read in two passes: names first, so that "spawn" and
 * "roots" may name a template defined later in the file (or the template
 * itself: a shell that spawns shells); max_processes bounds what such a
 * loop can grow to.  Document order is kept everywhere (jansson
 * iterates objects in insertion order), which keeps generation
 * deterministic.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"
#include "core/xalloc.h"
#include "trace/eslogger.h"
#include "trace/synth-int.h"

static const char *const top_keys[] = { "synth", "about", "duration",
	"seed", "start", "message_version", "max_processes", "processes",
	"roots", NULL };
static const char *const proc_keys[] = { "path", "signing_id", "team_id",
	"platform", "es_client", "uid", "gid", "threads", "lifetime",
	"events", "spawn", NULL };
static const char *const rule_keys[] = { "event", "rate", "interval",
	"start", "stop", "burst", "path", "target", "close", NULL };
static const char *const spawn_keys[] = { "process", "rate", "interval",
	"start", "stop", "burst", "max", "exec_delay", NULL };
static const char *const burst_keys[] = { "on", "off", "factor", NULL };
static const char *const zipf_keys[] = { "prefix", "n", "s", "suffix",
	NULL };
static const char *const seq_keys[] = { "prefix", "n", "first", "suffix",
	NULL };

#define DEFAULT_START	"2026-01-05T09:00:00Z"

struct sp {
	struct synth	*s;
	struct diag	*d;
	const char	*file;
	const char	*dir;
	char		 ptr[ERR_PTR_MAX];
	int		 nerr;
};

static void bad(struct sp *c, const char *fmt, ...) ESSIM_PRINTF(2, 3);

static void
bad(struct sp *c, const char *fmt, ...)
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

static void
bad_err(struct sp *c, const struct err *e)
{
	diag_add_err(c->d, e);
	c->nerr++;
}

static size_t
push(struct sp *c, const char *key)
{
	size_t mark = strlen(c->ptr);

	err_ptr_append(c->ptr, sizeof(c->ptr), key);
	return mark;
}

static size_t
push_i(struct sp *c, size_t i)
{
	size_t mark = strlen(c->ptr);

	err_ptr_append_index(c->ptr, sizeof(c->ptr), i);
	return mark;
}

static void
pop(struct sp *c, size_t mark)
{
	c->ptr[mark] = '\0';
}

static const char *
jtype(const json_t *v)
{
	static const char *const names[] = { "an object", "an array",
		"a string", "an integer", "a number", "true", "false", "null" };

	return names[json_typeof(v)];
}

/* Unknown keys of obj are errors; returns -1 when obj is not an object. */
static int
keys(struct sp *c, const json_t *obj, const char *const *allowed)
{
	const char *k;
	json_t *v;

	if (!json_is_object(obj)) {
		bad(c, "expected an object, found %s", jtype(obj));
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
		mark = push(c, k);
		bad(c, "unknown key (expected one of: %s)", list);
		pop(c, mark);
	}
	return 0;
}

/* A string under key; 1 found, 0 absent, -1 wrong. */
static int
get_str(struct sp *c, const json_t *obj, const char *key, const char **out,
    int nonempty)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc = 1;

	if (v == NULL)
		return 0;
	mark = push(c, key);
	if (!json_is_string(v)) {
		bad(c, "expected a string, found %s", jtype(v));
		rc = -1;
	} else if (nonempty && json_string_length(v) == 0) {
		bad(c, "must not be empty");
		rc = -1;
	} else {
		*out = json_string_value(v);
	}
	pop(c, mark);
	return rc;
}

static int
get_bool(struct sp *c, const json_t *obj, const char *key, int *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;

	if (v == NULL)
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 1;
	}
	mark = push(c, key);
	bad(c, "expected true or false, found %s", jtype(v));
	pop(c, mark);
	return -1;
}

/* An integer in [min, max] under key. */
static int
get_int(struct sp *c, const json_t *obj, const char *key, json_int_t min,
    json_int_t max, json_int_t *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc = 1;

	if (v == NULL)
		return 0;
	mark = push(c, key);
	if (!json_is_integer(v)) {
		bad(c, "expected an integer, found %s", jtype(v));
		rc = -1;
	} else if (json_integer_value(v) < min || json_integer_value(v) > max) {
		bad(c, "%" JSON_INTEGER_FORMAT " out of range %"
		    JSON_INTEGER_FORMAT "..%" JSON_INTEGER_FORMAT,
		    json_integer_value(v), min, max);
		rc = -1;
	} else {
		*out = json_integer_value(v);
	}
	pop(c, mark);
	return rc;
}

static int
get_positive(struct sp *c, const json_t *obj, const char *key, double *out)
{
	const json_t *v = json_object_get(obj, key);
	size_t mark;
	int rc = 1;

	if (v == NULL)
		return 0;
	mark = push(c, key);
	if (!json_is_number(v)) {
		bad(c, "expected a number, found %s", jtype(v));
		rc = -1;
	} else if (!(json_number_value(v) > 0) ||
	    !isfinite(json_number_value(v))) {
		bad(c, "must be above 0, got %g", json_number_value(v));
		rc = -1;
	} else {
		*out = json_number_value(v);
	}
	pop(c, mark);
	return rc;
}

static int
get_dur(struct sp *c, const json_t *obj, const char *key, int64_t *out)
{
	const json_t *v = json_object_get(obj, key);
	struct err e = ERR_INIT;
	size_t mark;

	if (v == NULL)
		return 0;
	mark = push(c, key);
	if (dist_parse_duration(v, c->file, c->ptr, out, &e) < 0) {
		bad_err(c, &e);
		pop(c, mark);
		return -1;
	}
	pop(c, mark);
	return 1;
}

static int
get_dist(struct sp *c, const json_t *obj, const char *key, struct dist *d)
{
	const json_t *v = json_object_get(obj, key);
	struct err e = ERR_INIT;
	size_t mark;

	if (v == NULL)
		return 0;
	mark = push(c, key);
	dist_release(d);
	if (dist_parse(d, v, c->file, c->ptr, c->dir, &e) < 0) {
		bad_err(c, &e);
		pop(c, mark);
		return -1;
	}
	pop(c, mark);
	return 1;
}

/* ---- paths ---------------------------------------------------------- */

static void
path_choice(struct sp *c, struct sy_path *p, const json_t *v)
{
	const char *k;
	json_t *w;
	double sum = 0;
	size_t i = 0;

	if (!json_is_object(v) || json_object_size(v) == 0) {
		bad(c, "expected an object of path: weight, at least one");
		return;
	}
	p->kind = SY_PATH_CHOICE;
	p->n = json_object_size(v);
	p->paths = xcalloc(p->n, sizeof(*p->paths));
	p->cum = xcalloc(p->n, sizeof(*p->cum));
	json_object_foreach((json_t *)v, k, w) {
		size_t mark = push(c, k);

		if (k[0] == '\0')
			bad(c, "path must not be empty");
		else if (!json_is_number(w) || !(json_number_value(w) > 0) ||
		    !isfinite(json_number_value(w)))
			bad(c, "weight must be a number above 0");
		else
			sum += json_number_value(w);
		p->paths[i] = xstrdup(k);
		p->cum[i++] = sum;
		pop(c, mark);
	}
	for (i = 0; i < p->n; i++)
		p->cum[i] = sum > 0 ? p->cum[i] / sum : 1;
	p->cum[p->n - 1] = 1;
}

static void
path_ranked(struct sp *c, struct sy_path *p, const json_t *v, int zipf)
{
	const char *prefix = NULL, *suffix = "";
	json_int_t n = 0, first = 1;

	if (keys(c, v, zipf ? zipf_keys : seq_keys) < 0)
		return;
	if (get_str(c, v, "prefix", &prefix, 1) == 0)
		bad(c, "\"prefix\" is required");
	get_str(c, v, "suffix", &suffix, 0);
	if (get_int(c, v, "n", 1, INT64_C(1) << 48, &n) == 0)
		bad(c, "\"n\" is required");
	p->s = 1;
	if (zipf)
		get_positive(c, v, "s", &p->s);
	else
		get_int(c, v, "first", 0, INT64_C(1) << 48, &first);
	p->kind = zipf ? SY_PATH_ZIPF : SY_PATH_SEQ;
	p->prefix = xstrdup(prefix != NULL ? prefix : "");
	p->suffix = xstrdup(suffix);
	p->count = n > 0 ? (uint64_t)n : 1;
	p->first = (uint64_t)first;
	if (strlen(p->prefix) + strlen(p->suffix) + 24 > SY_PATH_MAX)
		bad(c, "prefix and suffix are too long (paths are at most "
		    "%d bytes)", SY_PATH_MAX - 1);
}

static void
read_path(struct sp *c, struct sy_path *p, const json_t *v)
{
	const char *k;

	memset(p, 0, sizeof(*p));
	if (json_is_string(v)) {
		if (json_string_length(v) == 0 ||
		    json_string_length(v) >= SY_PATH_MAX) {
			bad(c, "a path must have 1 to %d bytes",
			    SY_PATH_MAX - 1);
			return;
		}
		p->kind = SY_PATH_LITERAL;
		p->literal = xstrdup(json_string_value(v));
		return;
	}
	if (!json_is_object(v) || json_object_size(v) != 1) {
		bad(c, "expected a path, or one of {\"choice\": ...}, "
		    "{\"zipf\": ...}, {\"seq\": ...}");
		return;
	}
	k = json_object_iter_key(json_object_iter((json_t *)v));
	size_t mark = push(c, k);
	if (strcmp(k, "choice") == 0)
		path_choice(c, p, json_object_get(v, k));
	else if (strcmp(k, "zipf") == 0)
		path_ranked(c, p, json_object_get(v, k), 1);
	else if (strcmp(k, "seq") == 0)
		path_ranked(c, p, json_object_get(v, k), 0);
	else
		bad(c, "unknown path kind (expected choice, zipf or seq)");
	pop(c, mark);
}

/* ---- arrivals ------------------------------------------------------- */

static void
read_burst(struct sp *c, struct sy_arrival *a, const json_t *b)
{
	if (keys(c, b, burst_keys) < 0)
		return;
	a->has_burst = 1;
	a->factor = 1;
	if (get_dur(c, b, "on", &a->on) == 0)
		bad(c, "\"on\" is required");
	if (get_dur(c, b, "off", &a->off) == 0)
		bad(c, "\"off\" is required");
	if (get_positive(c, b, "factor", &a->factor) == 0)
		bad(c, "\"factor\" is required");
	if (a->on + a->off <= 0 && json_object_get(b, "on") != NULL &&
	    json_object_get(b, "off") != NULL)
		bad(c, "\"on\" + \"off\" must be above 0");
}

static void
read_arrival(struct sp *c, struct sy_arrival *a, const json_t *obj)
{
	const json_t *rate = json_object_get(obj, "rate");
	const json_t *iv = json_object_get(obj, "interval");
	struct err e = ERR_INIT;
	struct units_rate r;
	int64_t ns;
	size_t mark;

	a->start = 0;
	a->stop = -1;
	a->mean = 1;
	if ((rate == NULL) == (iv == NULL))
		bad(c, "exactly one of \"rate\" and \"interval\" is required");
	if (rate != NULL) {
		mark = push(c, "rate");
		a->poisson = 1;
		if (!json_is_string(rate))
			bad(c, "expected a rate such as \"200/s\", found %s",
			    jtype(rate));
		else if (units_parse_rate(json_string_value(rate), &r, &e) < 0) {
			err_locate(&e, c->file, 0, 0, c->ptr);
			bad_err(c, &e);
		} else if ((a->mean = units_rate_interval_ns(&r)) < 1)
			bad(c, "rate above 1/ns");
		pop(c, mark);
	} else if (iv != NULL && get_dur(c, obj, "interval", &ns) > 0) {
		if (ns <= 0) {
			mark = push(c, "interval");
			bad(c, "must be above 0");
			pop(c, mark);
		}
		a->mean = ns > 0 ? (double)ns : 1;
	}
	get_dur(c, obj, "start", &a->start);
	if (get_dur(c, obj, "stop", &a->stop) > 0 && a->stop <= a->start) {
		mark = push(c, "stop");
		bad(c, "must be after \"start\"");
		pop(c, mark);
	}
	if ((iv = json_object_get(obj, "burst")) != NULL) {
		mark = push(c, "burst");
		read_burst(c, a, iv);
		pop(c, mark);
	}
}

/* ---- rules ---------------------------------------------------------- */

static const struct evtype *
read_evtype(struct sp *c, const json_t *v)
{
	const struct evtype *t;
	const char *k;

	if (!json_is_string(v)) {
		bad(c, "expected an event type, found %s", jtype(v));
		return NULL;
	}
	k = json_string_value(v);
	if ((t = evtype_by_eslogger(k, EVTYPE_NOTIFY)) == NULL &&
	    (t = evtype_by_name(k)) != NULL && t->kind != EVTYPE_NOTIFY) {
		bad(c, "\"%s\": eslogger records NOTIFY events only", k);
		return NULL;
	}
	if (t == NULL) {
		bad(c, "unknown event type \"%s\"", k);
		return NULL;
	}
	if (strcmp(t->eslogger, "exec") == 0 || strcmp(t->eslogger, "fork") == 0
	    || strcmp(t->eslogger, "exit") == 0) {
		bad(c, "\"%s\" comes from the process tree (spawn, lifetime), "
		    "not from events", k);
		return NULL;
	}
	if (!sy__out_supported(t->eslogger)) {
		bad(c, "event \"%s\" is not generated (supported: %s)", k,
		    sy__out_supported_list());
		return NULL;
	}
	return t;
}

static void
read_rule(struct sp *c, struct sy_rule *r, const json_t *obj)
{
	const json_t *v;
	size_t mark;

	dist_init_exp(&r->close_after, 200e3);
	if (keys(c, obj, rule_keys) < 0)
		return;
	if ((v = json_object_get(obj, "event")) == NULL)
		bad(c, "\"event\" is required");
	else {
		mark = push(c, "event");
		r->type = read_evtype(c, v);
		pop(c, mark);
	}
	read_arrival(c, &r->arr, obj);
	if ((v = json_object_get(obj, "path")) == NULL)
		bad(c, "\"path\" is required");
	else {
		mark = push(c, "path");
		read_path(c, &r->path, v);
		pop(c, mark);
	}
	if ((v = json_object_get(obj, "target")) != NULL) {
		mark = push(c, "target");
		if (r->type != NULL && strcmp(r->type->eslogger, "rename") != 0)
			bad(c, "only \"rename\" takes a target");
		else
			read_path(c, &r->target, v);
		pop(c, mark);
	} else if (r->type != NULL && strcmp(r->type->eslogger, "rename") == 0)
		bad(c, "\"rename\" needs a \"target\" (the new path)");
	if ((v = json_object_get(obj, "close")) != NULL) {
		if (r->type != NULL && strcmp(r->type->eslogger, "open") != 0) {
			mark = push(c, "close");
			bad(c, "only \"open\" takes \"close\"");
			pop(c, mark);
		} else if (json_is_boolean(v))
			r->has_close = json_is_true(v);
		else
			r->has_close = get_dist(c, obj, "close",
			    &r->close_after) > 0;
	}
	if (r->path.kind == SY_PATH_SEQ)
		r->seq_slot = c->s->nseq++;
	if (r->target.kind == SY_PATH_SEQ)
		r->seq_slot2 = c->s->nseq++;
}

/* The template called name, or NULL (an error at the current pointer). */
static struct sy_tmpl *
tmpl_ref(struct sp *c, const json_t *v)
{
	if (!json_is_string(v)) {
		bad(c, "expected a process name, found %s", jtype(v));
		return NULL;
	}
	for (size_t i = 0; i < c->s->ntmpls; i++)
		if (strcmp(c->s->tmpls[i].name, json_string_value(v)) == 0)
			return &c->s->tmpls[i];
	bad(c, "no process \"%s\" in /processes", json_string_value(v));
	return NULL;
}

static void
spawn_target(struct sp *c, struct sy_spawn *sp, const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i = 0;
	double sum = 0;

	if (json_is_string(v)) {
		sp->kind = SY_SPAWN_ONE;
		sp->n = 1;
		sp->list = xcalloc(1, sizeof(*sp->list));
		sp->list[0] = tmpl_ref(c, v);
		return;
	}
	if (json_is_object(v) && json_object_size(v) == 1 &&
	    (x = json_object_get(v, "each")) != NULL) {
		size_t mark = push(c, "each");
		if (!json_is_array(x) || json_array_size(x) == 0)
			bad(c, "expected a list of process names");
		else {
			sp->kind = SY_SPAWN_EACH;
			sp->n = json_array_size(x);
			sp->list = xcalloc(sp->n, sizeof(*sp->list));
			json_array_foreach(x, i, v) {
				size_t m2 = push_i(c, i);
				sp->list[i] = tmpl_ref(c, v);
				pop(c, m2);
			}
		}
		pop(c, mark);
		return;
	}
	if (!json_is_object(v) || json_object_size(v) != 1 ||
	    (x = json_object_get(v, "choice")) == NULL) {
		bad(c, "expected a process name, {\"choice\": {name: weight}} "
		    "or {\"each\": [names]}");
		return;
	}
	size_t mark = push(c, "choice");
	if (!json_is_object(x) || json_object_size(x) == 0) {
		bad(c, "expected an object of name: weight");
		pop(c, mark);
		return;
	}
	sp->kind = SY_SPAWN_CHOICE;
	sp->n = json_object_size(x);
	sp->list = xcalloc(sp->n, sizeof(*sp->list));
	sp->cum = xcalloc(sp->n, sizeof(*sp->cum));
	json_object_foreach(x, k, v) {
		json_t *name = json_string(k);
		size_t m2 = push(c, k);

		sp->list[i] = tmpl_ref(c, name);
		json_decref(name);
		if (!json_is_number(v) || !(json_number_value(v) > 0) ||
		    !isfinite(json_number_value(v)))
			bad(c, "weight must be a number above 0");
		else
			sum += json_number_value(v);
		sp->cum[i++] = sum;
		pop(c, m2);
	}
	for (i = 0; i < sp->n; i++)
		sp->cum[i] = sum > 0 ? sp->cum[i] / sum : 1;
	sp->cum[sp->n - 1] = 1;
	pop(c, mark);
}

static void
read_spawn(struct sp *c, struct sy_spawn *sp, const json_t *obj)
{
	const json_t *v;
	json_int_t max = -1;
	size_t mark;

	dist_init_const(&sp->exec_delay, 500 * 1000);
	sp->max = -1;
	if (keys(c, obj, spawn_keys) < 0)
		return;
	if ((v = json_object_get(obj, "process")) == NULL)
		bad(c, "\"process\" is required");
	else {
		mark = push(c, "process");
		spawn_target(c, sp, v);
		pop(c, mark);
	}
	read_arrival(c, &sp->arr, obj);
	if (get_int(c, obj, "max", 1, INT64_MAX, &max) > 0)
		sp->max = max;
	if (sp->kind == SY_SPAWN_EACH && (sp->max < 0 ||
	    (size_t)sp->max > sp->n))
		sp->max = (int64_t)sp->n;
	get_dist(c, obj, "exec_delay", &sp->exec_delay);
}

/* ---- templates ------------------------------------------------------- */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL && s[1] != '\0' ? s + 1 : path;
}

static int
system_path(const char *p)
{
	return strncmp(p, "/System/", 8) == 0 || strncmp(p, "/sbin/", 6) == 0 ||
	    strncmp(p, "/bin/", 5) == 0 || (strncmp(p, "/usr/", 5) == 0 &&
	    strncmp(p, "/usr/local/", 11) != 0);
}

/* signing_id / team_id: a string, null, or absent (default). */
static void
nullable(struct sp *c, const json_t *obj, const char *key, char **out,
    const char *def)
{
	const json_t *v = json_object_get(obj, key);
	const char *s = NULL;

	if (v != NULL && json_is_null(v)) {
		*out = NULL;
		return;
	}
	if (get_str(c, obj, key, &s, 1) > 0)
		*out = xstrdup(s);
	else
		*out = def != NULL ? xstrdup(def) : NULL;
}

static void
read_list(struct sp *c, const json_t *obj, const char *key, void **arr,
    size_t *n, size_t size, void (*one)(struct sp *, void *, const json_t *))
{
	const json_t *v = json_object_get(obj, key);
	json_t *it;
	size_t i, mark;

	if (v == NULL)
		return;
	mark = push(c, key);
	if (!json_is_array(v)) {
		bad(c, "expected a list, found %s", jtype(v));
		pop(c, mark);
		return;
	}
	*arr = xcalloc(json_array_size(v) + 1, size);
	*n = json_array_size(v);
	json_array_foreach(v, i, it) {
		size_t m2 = push_i(c, i);
		one(c, (char *)*arr + i * size, it);
		pop(c, m2);
	}
	pop(c, mark);
}

static void
rule_cb(struct sp *c, void *p, const json_t *v)
{
	read_rule(c, p, v);
}

static void
spawn_cb(struct sp *c, void *p, const json_t *v)
{
	read_spawn(c, p, v);
}

static void
read_tmpl(struct sp *c, struct sy_tmpl *t, const json_t *obj)
{
	const char *path = NULL;
	json_int_t n;
	char *def;

	if (keys(c, obj, proc_keys) < 0)
		return;
	if (get_str(c, obj, "path", &path, 1) == 0)
		bad(c, "\"path\" (the executable) is required");
	else if (path != NULL && path[0] != '/') {
		size_t mark = push(c, "path");
		bad(c, "must be an absolute path");
		pop(c, mark);
	}
	t->path = xstrdup(path != NULL ? path : "/");
	t->platform = system_path(t->path);
	get_bool(c, obj, "platform", &t->platform);
	get_bool(c, obj, "es_client", &t->es_client);
	def = t->platform ? xasprintf("com.apple.%s", base_name(t->path)) :
	    xstrdup(base_name(t->path));
	nullable(c, obj, "signing_id", &t->signing_id, def);
	free(def);
	nullable(c, obj, "team_id", &t->team_id, NULL);
	t->uid = t->platform ? 0 : 501;
	t->gid = t->platform ? 0 : 20;
	if (get_int(c, obj, "uid", 0, UINT32_MAX, &n) > 0)
		t->uid = (uint32_t)n;
	if (get_int(c, obj, "gid", 0, UINT32_MAX, &n) > 0)
		t->gid = (uint32_t)n;
	t->threads = 1;
	if (get_int(c, obj, "threads", 1, SY_MAX_THREADS, &n) > 0)
		t->threads = (int)n;
	t->has_lifetime = get_dist(c, obj, "lifetime", &t->lifetime) > 0;
	read_list(c, obj, "events", (void **)&t->rules, &t->nrules,
	    sizeof(*t->rules), rule_cb);
	read_list(c, obj, "spawn", (void **)&t->spawns, &t->nspawns,
	    sizeof(*t->spawns), spawn_cb);
}

static void
read_tmpls(struct sp *c, const json_t *procs)
{
	const char *k;
	json_t *v;
	size_t i = 0;

	if (procs == NULL) {
		bad(c, "\"processes\" is required");
		return;
	}
	size_t mark = push(c, "processes");
	if (!json_is_object(procs) || json_object_size(procs) == 0) {
		bad(c, "expected an object of process templates, at least one");
		pop(c, mark);
		return;
	}
	c->s->ntmpls = json_object_size(procs);
	c->s->tmpls = xcalloc(c->s->ntmpls, sizeof(*c->s->tmpls));
	json_object_foreach((json_t *)procs, k, v) {
		c->s->tmpls[i].index = (int)i;
		c->s->tmpls[i].name = xstrdup(k);
		i++;
	}
	i = 0;
	json_object_foreach((json_t *)procs, k, v) {
		size_t m2 = push(c, k);
		if (k[0] == '\0')
			bad(c, "process name must not be empty");
		read_tmpl(c, &c->s->tmpls[i++], v);
		pop(c, m2);
	}
	pop(c, mark);
}

static void
read_roots(struct sp *c, const json_t *roots)
{
	json_t *v;
	size_t i;

	if (roots == NULL) {
		bad(c, "\"roots\" (processes alive at the start) is required");
		return;
	}
	size_t mark = push(c, "roots");
	if (!json_is_array(roots) || json_array_size(roots) == 0)
		bad(c, "expected a list of process names, at least one");
	else {
		c->s->nroots = json_array_size(roots);
		c->s->roots = xcalloc(c->s->nroots, sizeof(*c->s->roots));
		json_array_foreach(roots, i, v) {
			size_t m2 = push_i(c, i);
			c->s->roots[i] = tmpl_ref(c, v);
			pop(c, m2);
		}
	}
	pop(c, mark);
}

static void
read_top(struct sp *c, const json_t *doc)
{
	struct synth *s = c->s;
	const char *str = DEFAULT_START, *about = NULL;
	struct err e = ERR_INIT;
	json_int_t n;
	size_t mark;

	if (keys(c, doc, top_keys) < 0)
		return;
	if (json_object_get(doc, "synth") == NULL)
		bad(c, "\"synth\": %d (the spec format version) is required",
		    SYNTH_FORMAT_VERSION);
	else
		get_int(c, doc, "synth", SYNTH_FORMAT_VERSION,
		    SYNTH_FORMAT_VERSION, &n);
	get_str(c, doc, "about", &about, 0);
	s->duration = 60 * INT64_C(1000000000);
	if (get_dur(c, doc, "duration", &s->duration) > 0 &&
	    s->duration <= 0) {
		mark = push(c, "duration");
		bad(c, "must be above 0");
		pop(c, mark);
	}
	s->seed = 1;
	if (get_int(c, doc, "seed", 0, INT64_MAX, &n) > 0)
		s->seed = (uint64_t)n;
	if (get_str(c, doc, "start", &str, 1) >= 0 &&
	    esl_parse_time(str, &s->wall0, &e) < 0) {
		mark = push(c, "start");
		err_locate(&e, c->file, 0, 0, c->ptr);
		bad_err(c, &e);
		pop(c, mark);
	}
	s->version = 10;
	if (get_int(c, doc, "message_version", 4, 11, &n) > 0)
		s->version = (int)n;
	s->max_processes = SY_DEFAULT_MAXPROC;
	if (get_int(c, doc, "max_processes", 1, SY_MAX_PROCESSES, &n) > 0)
		s->max_processes = (size_t)n;
	read_tmpls(c, json_object_get(doc, "processes"));
	read_roots(c, json_object_get(doc, "roots"));
	if (s->wall0 > INT64_MAX - s->duration - INT64_C(86400000000000)) {
		mark = push(c, "duration");
		bad(c, "the trace would end after the year 2262");
		pop(c, mark);
	}
}

struct synth *
synth_load_json(const json_t *doc, const char *file, const char *dir,
    struct diag *d)
{
	struct sp c;

	memset(&c, 0, sizeof(c));
	c.s = xcalloc(1, sizeof(*c.s));
	c.s->file = xstrdup(file);
	c.d = d;
	c.file = file;
	c.dir = dir;
	read_top(&c, doc);
	if (c.nerr > 0) {
		synth_free(c.s);
		return NULL;
	}
	return c.s;
}

struct synth *
synth_load(const char *file, struct diag *d)
{
	json_error_t je;
	struct synth *s;
	json_t *doc;
	char *dir, *slash;

	doc = json_load_file(file, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		if (je.line < 1)
			diag_addptr(d, file, NULL, "%s", je.text);
		else {
			struct err e = ERR_INIT;
			err_setloc(&e, file, je.line, je.column, "%s", je.text);
			diag_add_err(d, &e);
		}
		return NULL;
	}
	dir = xstrdup(file);
	if ((slash = strrchr(dir, '/')) != NULL)
		*slash = '\0';
	else
		strcpy(dir, ".");
	s = synth_load_json(doc, file, dir, d);
	free(dir);
	json_decref(doc);
	return s;
}

static void
path_free(struct sy_path *p)
{
	free(p->literal);
	for (size_t i = 0; p->paths != NULL && i < p->n; i++)
		free(p->paths[i]);
	free(p->paths);
	free(p->cum);
	free(p->prefix);
	free(p->suffix);
}

static void
tmpl_free(struct sy_tmpl *t)
{
	free(t->name);
	free(t->path);
	free(t->signing_id);
	free(t->team_id);
	dist_release(&t->lifetime);
	for (size_t i = 0; i < t->nrules; i++) {
		path_free(&t->rules[i].path);
		path_free(&t->rules[i].target);
		dist_release(&t->rules[i].close_after);
	}
	free(t->rules);
	for (size_t i = 0; i < t->nspawns; i++) {
		free(t->spawns[i].list);
		free(t->spawns[i].cum);
		dist_release(&t->spawns[i].exec_delay);
	}
	free(t->spawns);
}

void
synth_free(struct synth *s)
{
	if (s == NULL)
		return;
	for (size_t i = 0; i < s->ntmpls; i++)
		tmpl_free(&s->tmpls[i]);
	free(s->tmpls);
	free(s->roots);
	free(s->file);
	free(s);
}

uint64_t
synth_seed(const struct synth *s)
{
	return s->seed;
}

int64_t
synth_duration(const struct synth *s)
{
	return s->duration;
}
