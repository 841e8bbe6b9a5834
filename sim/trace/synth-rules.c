/*
 * synth-rules.c - the rules of a process template in a synthetic trace
 * spec: event rules (type, arrivals, paths, close) and spawn rules (which
 * template, arrivals, cap, exec delay), with the path distributions
 * (literal, choice, zipf, seq) and arrivals (rate or interval, window,
 * on/off bursts) they share.  Reported as synth-val.c explains.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/units.h"
#include "core/xalloc.h"
#include "trace/synth-int.h"

static const char *const rule_keys[] = { "event", "rate", "interval",
	"start", "stop", "burst", "path", "target", "close", NULL };
static const char *const spawn_keys[] = { "process", "rate", "interval",
	"start", "stop", "burst", "max", "exec_delay", NULL };
static const char *const burst_keys[] = { "on", "off", "factor", NULL };
static const char *const zipf_keys[] = { "prefix", "n", "s", "suffix",
	NULL };
static const char *const seq_keys[] = { "prefix", "n", "first", "suffix",
	NULL };

/* ---- paths ---------------------------------------------------------- */

static void
path_choice(struct sy_parse *c, struct sy_path *p, const json_t *v)
{
	const char *k;
	json_t *w;
	double sum = 0;
	size_t i = 0;

	if (!json_is_object(v) || json_object_size(v) == 0) {
		sy__bad(c, "expected an object of path: weight, at least one");
		return;
	}
	p->kind = SY_PATH_CHOICE;
	p->n = json_object_size(v);
	p->paths = xcalloc(p->n, sizeof(*p->paths));
	p->cum = xcalloc(p->n, sizeof(*p->cum));
	json_object_foreach((json_t *)v, k, w) {
		size_t mark = sy__push(c, k);

		if (k[0] == '\0')
			sy__bad(c, "path must not be empty");
		else if (!json_is_number(w) || !(json_number_value(w) > 0) ||
		    !isfinite(json_number_value(w)))
			sy__bad(c, "weight must be a number above 0");
		else
			sum += json_number_value(w);
		p->paths[i] = xstrdup(k);
		p->cum[i++] = sum;
		sy__pop(c, mark);
	}
	for (i = 0; i < p->n; i++)
		p->cum[i] = sum > 0 ? p->cum[i] / sum : 1;
	p->cum[p->n - 1] = 1;
}

static void
path_ranked(struct sy_parse *c, struct sy_path *p, const json_t *v, int zipf)
{
	const char *prefix = NULL, *suffix = "";
	json_int_t n = 0, first = 1;

	if (sy__keys(c, v, zipf ? zipf_keys : seq_keys) < 0)
		return;
	if (sy__get_str(c, v, "prefix", &prefix, 1) == 0)
		sy__bad(c, "\"prefix\" is required");
	sy__get_str(c, v, "suffix", &suffix, 0);
	if (sy__get_int(c, v, "n", 1, INT64_C(1) << 48, &n) == 0)
		sy__bad(c, "\"n\" is required");
	p->s = 1;
	if (zipf)
		sy__get_positive(c, v, "s", &p->s);
	else
		sy__get_int(c, v, "first", 0, INT64_C(1) << 48, &first);
	p->kind = zipf ? SY_PATH_ZIPF : SY_PATH_SEQ;
	p->prefix = xstrdup(prefix != NULL ? prefix : "");
	p->suffix = xstrdup(suffix);
	p->count = n > 0 ? (uint64_t)n : 1;
	p->first = (uint64_t)first;
	if (strlen(p->prefix) + strlen(p->suffix) + 24 > SY_PATH_MAX)
		sy__bad(c, "prefix and suffix are too long (paths are at most "
		    "%d bytes)", SY_PATH_MAX - 1);
}

static void
read_path(struct sy_parse *c, struct sy_path *p, const json_t *v)
{
	const char *k;

	memset(p, 0, sizeof(*p));
	if (json_is_string(v)) {
		if (json_string_length(v) == 0 ||
		    json_string_length(v) >= SY_PATH_MAX) {
			sy__bad(c, "a path must have 1 to %d bytes",
			    SY_PATH_MAX - 1);
			return;
		}
		p->kind = SY_PATH_LITERAL;
		p->literal = xstrdup(json_string_value(v));
		return;
	}
	if (!json_is_object(v) || json_object_size(v) != 1) {
		sy__bad(c, "expected a path, or one of {\"choice\": ...}, "
		    "{\"zipf\": ...}, {\"seq\": ...}");
		return;
	}
	k = json_object_iter_key(json_object_iter((json_t *)v));
	size_t mark = sy__push(c, k);
	if (strcmp(k, "choice") == 0)
		path_choice(c, p, json_object_get(v, k));
	else if (strcmp(k, "zipf") == 0)
		path_ranked(c, p, json_object_get(v, k), 1);
	else if (strcmp(k, "seq") == 0)
		path_ranked(c, p, json_object_get(v, k), 0);
	else
		sy__bad(c, "unknown path kind (expected choice, zipf or seq)");
	sy__pop(c, mark);
}

/* ---- arrivals ------------------------------------------------------- */

static void
read_burst(struct sy_parse *c, struct sy_arrival *a, const json_t *b)
{
	if (sy__keys(c, b, burst_keys) < 0)
		return;
	a->has_burst = 1;
	a->factor = 1;
	if (sy__get_dur(c, b, "on", &a->on) == 0)
		sy__bad(c, "\"on\" is required");
	if (sy__get_dur(c, b, "off", &a->off) == 0)
		sy__bad(c, "\"off\" is required");
	if (sy__get_positive(c, b, "factor", &a->factor) == 0)
		sy__bad(c, "\"factor\" is required");
	if (a->on + a->off <= 0 && json_object_get(b, "on") != NULL &&
	    json_object_get(b, "off") != NULL)
		sy__bad(c, "\"on\" + \"off\" must be above 0");
}

static void
read_arrival(struct sy_parse *c, struct sy_arrival *a, const json_t *obj)
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
		sy__bad(c, "exactly one of \"rate\" and \"interval\" is required");
	if (rate != NULL) {
		mark = sy__push(c, "rate");
		a->poisson = 1;
		if (!json_is_string(rate))
			sy__bad(c, "expected a rate such as \"200/s\", found %s",
			    sy__jtype(rate));
		else if (units_parse_rate(json_string_value(rate), &r, &e) < 0) {
			err_locate(&e, c->file, 0, 0, c->ptr);
			sy__bad_err(c, &e);
		} else if ((a->mean = units_rate_interval_ns(&r)) < 1)
			sy__bad(c, "rate above 1/ns");
		sy__pop(c, mark);
	} else if (iv != NULL && sy__get_dur(c, obj, "interval", &ns) > 0) {
		if (ns <= 0) {
			mark = sy__push(c, "interval");
			sy__bad(c, "must be above 0");
			sy__pop(c, mark);
		}
		a->mean = ns > 0 ? (double)ns : 1;
	}
	sy__get_dur(c, obj, "start", &a->start);
	if (sy__get_dur(c, obj, "stop", &a->stop) > 0 && a->stop <= a->start) {
		mark = sy__push(c, "stop");
		sy__bad(c, "must be after \"start\"");
		sy__pop(c, mark);
	}
	if ((iv = json_object_get(obj, "burst")) != NULL) {
		mark = sy__push(c, "burst");
		read_burst(c, a, iv);
		sy__pop(c, mark);
	}
}

/* ---- rules ---------------------------------------------------------- */

static const struct evtype *
read_evtype(struct sy_parse *c, const json_t *v)
{
	const struct evtype *t;
	const char *k;

	if (!json_is_string(v)) {
		sy__bad(c, "expected an event type, found %s", sy__jtype(v));
		return NULL;
	}
	k = json_string_value(v);
	if ((t = evtype_by_eslogger(k, EVTYPE_NOTIFY)) == NULL &&
	    (t = evtype_by_name(k)) != NULL && t->kind != EVTYPE_NOTIFY) {
		sy__bad(c, "\"%s\": eslogger records NOTIFY events only", k);
		return NULL;
	}
	if (t == NULL) {
		sy__bad(c, "unknown event type \"%s\"", k);
		return NULL;
	}
	if (strcmp(t->eslogger, "exec") == 0 || strcmp(t->eslogger, "fork") == 0
	    || strcmp(t->eslogger, "exit") == 0) {
		sy__bad(c, "\"%s\" comes from the process tree (spawn, lifetime), "
		    "not from events", k);
		return NULL;
	}
	if (!sy__out_supported(t->eslogger)) {
		sy__bad(c, "event \"%s\" is not generated (supported: %s)", k,
		    sy__out_supported_list());
		return NULL;
	}
	return t;
}

void
sy__read_rule(struct sy_parse *c, struct sy_rule *r, const json_t *obj)
{
	const json_t *v;
	size_t mark;

	dist_init_exp(&r->close_after, 200e3);
	if (sy__keys(c, obj, rule_keys) < 0)
		return;
	if ((v = json_object_get(obj, "event")) == NULL)
		sy__bad(c, "\"event\" is required");
	else {
		mark = sy__push(c, "event");
		r->type = read_evtype(c, v);
		sy__pop(c, mark);
	}
	read_arrival(c, &r->arr, obj);
	if ((v = json_object_get(obj, "path")) == NULL)
		sy__bad(c, "\"path\" is required");
	else {
		mark = sy__push(c, "path");
		read_path(c, &r->path, v);
		sy__pop(c, mark);
	}
	if ((v = json_object_get(obj, "target")) != NULL) {
		mark = sy__push(c, "target");
		if (r->type != NULL && strcmp(r->type->eslogger, "rename") != 0)
			sy__bad(c, "only \"rename\" takes a target");
		else
			read_path(c, &r->target, v);
		sy__pop(c, mark);
	} else if (r->type != NULL && strcmp(r->type->eslogger, "rename") == 0)
		sy__bad(c, "\"rename\" needs a \"target\" (the new path)");
	if ((v = json_object_get(obj, "close")) != NULL) {
		if (r->type != NULL && strcmp(r->type->eslogger, "open") != 0) {
			mark = sy__push(c, "close");
			sy__bad(c, "only \"open\" takes \"close\"");
			sy__pop(c, mark);
		} else if (json_is_boolean(v))
			r->has_close = json_is_true(v);
		else
			r->has_close = sy__get_dist(c, obj, "close",
			    &r->close_after) > 0;
	}
	if (r->path.kind == SY_PATH_SEQ)
		r->seq_slot = c->s->nseq++;
	if (r->target.kind == SY_PATH_SEQ)
		r->seq_slot2 = c->s->nseq++;
}

/* The template called name, or NULL (an error at the current pointer). */
struct sy_tmpl *
sy__tmpl_ref(struct sy_parse *c, const json_t *v)
{
	if (!json_is_string(v)) {
		sy__bad(c, "expected a process name, found %s", sy__jtype(v));
		return NULL;
	}
	for (size_t i = 0; i < c->s->ntmpls; i++)
		if (strcmp(c->s->tmpls[i].name, json_string_value(v)) == 0)
			return &c->s->tmpls[i];
	sy__bad(c, "no process \"%s\" in /processes", json_string_value(v));
	return NULL;
}

static void
spawn_target(struct sy_parse *c, struct sy_spawn *sp, const json_t *v)
{
	const char *k;
	json_t *x;
	size_t i = 0;
	double sum = 0;

	if (json_is_string(v)) {
		sp->kind = SY_SPAWN_ONE;
		sp->n = 1;
		sp->list = xcalloc(1, sizeof(*sp->list));
		sp->list[0] = sy__tmpl_ref(c, v);
		return;
	}
	if (json_is_object(v) && json_object_size(v) == 1 &&
	    (x = json_object_get(v, "each")) != NULL) {
		size_t mark = sy__push(c, "each");
		if (!json_is_array(x) || json_array_size(x) == 0)
			sy__bad(c, "expected a list of process names");
		else {
			sp->kind = SY_SPAWN_EACH;
			sp->n = json_array_size(x);
			sp->list = xcalloc(sp->n, sizeof(*sp->list));
			json_array_foreach(x, i, v) {
				size_t m2 = sy__push_i(c, i);
				sp->list[i] = sy__tmpl_ref(c, v);
				sy__pop(c, m2);
			}
		}
		sy__pop(c, mark);
		return;
	}
	if (!json_is_object(v) || json_object_size(v) != 1 ||
	    (x = json_object_get(v, "choice")) == NULL) {
		sy__bad(c, "expected a process name, {\"choice\": {name: weight}} "
		    "or {\"each\": [names]}");
		return;
	}
	size_t mark = sy__push(c, "choice");
	if (!json_is_object(x) || json_object_size(x) == 0) {
		sy__bad(c, "expected an object of name: weight");
		sy__pop(c, mark);
		return;
	}
	sp->kind = SY_SPAWN_CHOICE;
	sp->n = json_object_size(x);
	sp->list = xcalloc(sp->n, sizeof(*sp->list));
	sp->cum = xcalloc(sp->n, sizeof(*sp->cum));
	json_object_foreach(x, k, v) {
		json_t *name = json_string(k);
		size_t m2 = sy__push(c, k);

		sp->list[i] = sy__tmpl_ref(c, name);
		json_decref(name);
		if (!json_is_number(v) || !(json_number_value(v) > 0) ||
		    !isfinite(json_number_value(v)))
			sy__bad(c, "weight must be a number above 0");
		else
			sum += json_number_value(v);
		sp->cum[i++] = sum;
		sy__pop(c, m2);
	}
	for (i = 0; i < sp->n; i++)
		sp->cum[i] = sum > 0 ? sp->cum[i] / sum : 1;
	sp->cum[sp->n - 1] = 1;
	sy__pop(c, mark);
}

void
sy__read_spawn(struct sy_parse *c, struct sy_spawn *sp, const json_t *obj)
{
	const json_t *v;
	json_int_t max = -1;
	size_t mark;

	dist_init_const(&sp->exec_delay, 500 * 1000);
	sp->max = -1;
	if (sy__keys(c, obj, spawn_keys) < 0)
		return;
	if ((v = json_object_get(obj, "process")) == NULL)
		sy__bad(c, "\"process\" is required");
	else {
		mark = sy__push(c, "process");
		spawn_target(c, sp, v);
		sy__pop(c, mark);
	}
	read_arrival(c, &sp->arr, obj);
	if (sy__get_int(c, obj, "max", 1, INT64_MAX, &max) > 0)
		sp->max = max;
	if (sp->kind == SY_SPAWN_EACH && (sp->max < 0 ||
	    (size_t)sp->max > sp->n))
		sp->max = (int64_t)sp->n;
	sy__get_dist(c, obj, "exec_delay", &sp->exec_delay);
}
