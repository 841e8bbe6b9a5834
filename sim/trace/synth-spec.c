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
 *
 * This file reads the top level and the templates; synth-val.c reads
 * single values and synth-rules.c the event and spawn rules.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/jsonfile.h"
#include "core/xalloc.h"
#include "trace/eslogger.h"
#include "trace/synth-int.h"

static const char *const top_keys[] = { "synth", "about", "duration",
	"seed", "start", "message_version", "max_processes", "processes",
	"roots", NULL };
static const char *const proc_keys[] = { "path", "signing_id", "team_id",
	"platform", "es_client", "uid", "gid", "threads", "lifetime",
	"events", "spawn", NULL };

#define DEFAULT_START	"2026-01-05T09:00:00Z"

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
nullable(struct sy_parse *c, const json_t *obj, const char *key, char **out,
    const char *def)
{
	const json_t *v = json_object_get(obj, key);
	const char *s = NULL;

	if (v != NULL && json_is_null(v)) {
		*out = NULL;
		return;
	}
	if (sy__get_str(c, obj, key, &s, 1) > 0)
		*out = xstrdup(s);
	else
		*out = def != NULL ? xstrdup(def) : NULL;
}

static void
read_list(struct sy_parse *c, const json_t *obj, const char *key, void **arr,
    size_t *n, size_t size, void (*one)(struct sy_parse *, void *, const json_t *))
{
	const json_t *v = json_object_get(obj, key);
	json_t *it;
	size_t i, mark;

	if (v == NULL)
		return;
	mark = sy__push(c, key);
	if (!json_is_array(v)) {
		sy__bad(c, "expected a list, found %s", sy__jtype(v));
		sy__pop(c, mark);
		return;
	}
	*arr = xcalloc(json_array_size(v) + 1, size);
	*n = json_array_size(v);
	json_array_foreach(v, i, it) {
		size_t m2 = sy__push_i(c, i);
		one(c, (char *)*arr + i * size, it);
		sy__pop(c, m2);
	}
	sy__pop(c, mark);
}

static void
rule_cb(struct sy_parse *c, void *p, const json_t *v)
{
	sy__read_rule(c, p, v);
}

static void
spawn_cb(struct sy_parse *c, void *p, const json_t *v)
{
	sy__read_spawn(c, p, v);
}

static void
read_tmpl(struct sy_parse *c, struct sy_tmpl *t, const json_t *obj)
{
	const char *path = NULL;
	json_int_t n;
	char *def;

	if (sy__keys(c, obj, proc_keys) < 0)
		return;
	if (sy__get_str(c, obj, "path", &path, 1) == 0)
		sy__bad(c, "\"path\" (the executable) is required");
	else if (path != NULL && path[0] != '/') {
		size_t mark = sy__push(c, "path");
		sy__bad(c, "must be an absolute path");
		sy__pop(c, mark);
	}
	t->path = xstrdup(path != NULL ? path : "/");
	t->platform = system_path(t->path);
	sy__get_bool(c, obj, "platform", &t->platform);
	sy__get_bool(c, obj, "es_client", &t->es_client);
	def = t->platform ? xasprintf("com.apple.%s", base_name(t->path)) :
	    xstrdup(base_name(t->path));
	nullable(c, obj, "signing_id", &t->signing_id, def);
	free(def);
	nullable(c, obj, "team_id", &t->team_id, NULL);
	t->uid = t->platform ? 0 : 501;
	t->gid = t->platform ? 0 : 20;
	if (sy__get_int(c, obj, "uid", 0, UINT32_MAX, &n) > 0)
		t->uid = (uint32_t)n;
	if (sy__get_int(c, obj, "gid", 0, UINT32_MAX, &n) > 0)
		t->gid = (uint32_t)n;
	t->threads = 1;
	if (sy__get_int(c, obj, "threads", 1, SY_MAX_THREADS, &n) > 0)
		t->threads = (int)n;
	t->has_lifetime = sy__get_dist(c, obj, "lifetime", &t->lifetime) > 0;
	read_list(c, obj, "events", (void **)&t->rules, &t->nrules,
	    sizeof(*t->rules), rule_cb);
	read_list(c, obj, "spawn", (void **)&t->spawns, &t->nspawns,
	    sizeof(*t->spawns), spawn_cb);
}

static void
read_tmpls(struct sy_parse *c, const json_t *procs)
{
	const char *k;
	json_t *v;
	size_t i = 0;

	if (procs == NULL) {
		sy__bad(c, "\"processes\" is required");
		return;
	}
	size_t mark = sy__push(c, "processes");
	if (!json_is_object(procs) || json_object_size(procs) == 0) {
		sy__bad(c, "expected an object of process templates, at least one");
		sy__pop(c, mark);
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
		size_t m2 = sy__push(c, k);
		if (k[0] == '\0')
			sy__bad(c, "process name must not be empty");
		read_tmpl(c, &c->s->tmpls[i++], v);
		sy__pop(c, m2);
	}
	sy__pop(c, mark);
}

static void
read_roots(struct sy_parse *c, const json_t *roots)
{
	json_t *v;
	size_t i;

	if (roots == NULL) {
		sy__bad(c, "\"roots\" (processes alive at the start) is required");
		return;
	}
	size_t mark = sy__push(c, "roots");
	if (!json_is_array(roots) || json_array_size(roots) == 0)
		sy__bad(c, "expected a list of process names, at least one");
	else {
		c->s->nroots = json_array_size(roots);
		c->s->roots = xcalloc(c->s->nroots, sizeof(*c->s->roots));
		json_array_foreach(roots, i, v) {
			size_t m2 = sy__push_i(c, i);
			c->s->roots[i] = sy__tmpl_ref(c, v);
			sy__pop(c, m2);
		}
	}
	sy__pop(c, mark);
}

static void
read_top(struct sy_parse *c, const json_t *doc)
{
	struct synth *s = c->s;
	const char *str = DEFAULT_START, *about = NULL;
	struct err e = ERR_INIT;
	json_int_t n;
	size_t mark;

	if (sy__keys(c, doc, top_keys) < 0)
		return;
	if (json_object_get(doc, "synth") == NULL)
		sy__bad(c, "\"synth\": %d (the spec format version) is required",
		    SYNTH_FORMAT_VERSION);
	else
		sy__get_int(c, doc, "synth", SYNTH_FORMAT_VERSION,
		    SYNTH_FORMAT_VERSION, &n);
	sy__get_str(c, doc, "about", &about, 0);
	s->duration = 60 * INT64_C(1000000000);
	if (sy__get_dur(c, doc, "duration", &s->duration) > 0 &&
	    s->duration <= 0) {
		mark = sy__push(c, "duration");
		sy__bad(c, "must be above 0");
		sy__pop(c, mark);
	}
	s->seed = 1;
	if (sy__get_int(c, doc, "seed", 0, INT64_MAX, &n) > 0)
		s->seed = (uint64_t)n;
	if (sy__get_str(c, doc, "start", &str, 1) >= 0 &&
	    esl_parse_time(str, &s->wall0, &e) < 0) {
		mark = sy__push(c, "start");
		err_locate(&e, c->file, 0, 0, c->ptr);
		sy__bad_err(c, &e);
		sy__pop(c, mark);
	}
	s->version = 10;
	if (sy__get_int(c, doc, "message_version", 4, 11, &n) > 0)
		s->version = (int)n;
	s->max_processes = SY_DEFAULT_MAXPROC;
	if (sy__get_int(c, doc, "max_processes", 1, SY_MAX_PROCESSES, &n) > 0)
		s->max_processes = (size_t)n;
	read_tmpls(c, json_object_get(doc, "processes"));
	read_roots(c, json_object_get(doc, "roots"));
	if (s->wall0 > INT64_MAX - s->duration - INT64_C(86400000000000)) {
		mark = sy__push(c, "duration");
		sy__bad(c, "the trace would end after the year 2262");
		sy__pop(c, mark);
	}
}

struct synth *
synth_load_json(const json_t *doc, const char *file, const char *dir,
    struct diag *d)
{
	struct sy_parse c;

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
	struct err e = ERR_INIT;
	struct synth *s;
	json_t *doc;
	char *dir;

	if ((doc = jsonfile_load(file, &e)) == NULL) {
		diag_add_err(d, &e);
		return NULL;
	}
	dir = jsonfile_dir(file);
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
