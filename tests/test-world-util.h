/*
 * test-world-util.h - helpers shared by the world tests (test-gcd.c,
 * test-es.c, test-world.c): load a model from a JSON string or a fixture
 * under tests/data/world, run it, and record probes for assertions.
 * Header-only; everything is static inline.  Include after cmocka.h.
 */
#ifndef ESSIM_TESTS_TEST_WORLD_UTIL_H
#define ESSIM_TESTS_TEST_WORLD_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core/xalloc.h"
#include "es/probe.h"
#include "es/world.h"
#include "model/model.h"

/* Load a model from JSON text; fails the test (printing why) if bad. */
static inline struct model *
tw_model(const char *text)
{
	struct diag d = DIAG_INIT;
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	struct model *m;

	if (doc == NULL) {
		fprintf(stderr, "bad test JSON: %d:%d: %s\n", je.line,
		    je.column, je.text);
		fail();
	}
	m = model_load_json(doc, "inline.json", ".", &d);
	json_decref(doc);
	if (m == NULL) {
		diag_print(&d, "model", stderr);
		diag_release(&d);
		fail();
	}
	diag_release(&d);
	return m;
}

/* Load tests/data/world/NAME. */
static inline struct model *
tw_fixture(const char *name)
{
	const char *top = getenv("top_srcdir");
	struct diag d = DIAG_INIT;
	struct model *m;
	char *path = xasprintf("%s/tests/data/world/%s", top ? top : ".",
	    name);

	m = model_load(path, &d);
	if (m == NULL) {
		diag_print(&d, "model", stderr);
		fail();
	}
	diag_release(&d);
	free(path);
	return m;
}

/* One recorded probe. */
struct tw_rec {
	enum probe_kind	 kind;
	int64_t		 t;
	int		 process, client, verdict, role;
	enum probe_wait	 wait;
	uint64_t	 msg, event, thread, obj;
	int		 evtype;		/* -1 none */
	uint32_t	 flags;
	int64_t		 value;
	char		 name[128];		/* name of obj */
	char		 tname[128];		/* name of the thread */
};

struct tw_log {
	struct probe_bus	*bus;
	struct tw_rec		*r;
	size_t			 n, alloc;
};

static inline void
tw_listen_fn(void *arg, const struct probe_ev *ev)
{
	struct tw_log *l = arg;
	struct tw_rec *r;

	XGROW(l->r, l->n + 1, l->alloc);
	r = &l->r[l->n++];
	memset(r, 0, sizeof(*r));
	r->kind = ev->kind;
	r->t = ev->t;
	r->process = ev->process;
	r->client = ev->client;
	r->verdict = ev->verdict;
	r->role = ev->role;
	r->wait = ev->wait;
	r->msg = ev->msg;
	r->event = ev->event;
	r->thread = ev->thread.id;
	r->obj = ev->obj.id;
	r->evtype = ev->evtype != NULL ? ev->evtype->value : -1;
	r->flags = ev->flags;
	r->value = ev->value;
	probe_name(l->bus, &ev->obj, r->name, sizeof(r->name));
	probe_name(l->bus, &ev->thread, r->tname, sizeof(r->tname));
}

static inline void
tw_listen(struct tw_log *l, struct world *w, uint64_t mask)
{
	memset(l, 0, sizeof(*l));
	l->bus = world_bus(w);
	probe_listen(l->bus, mask, tw_listen_fn, l);
}

static inline void
tw_log_free(struct tw_log *l)
{
	free(l->r);
	memset(l, 0, sizeof(*l));
}

/* How many records of kind k (and client c, unless c < 0). */
static inline size_t
tw_count(const struct tw_log *l, enum probe_kind k, int c)
{
	size_t n = 0;

	for (size_t i = 0; i < l->n; i++)
		if (l->r[i].kind == k && (c < 0 || l->r[i].client == c))
			n++;
	return n;
}

/* The i-th record of kind k (0-based), or NULL. */
static inline const struct tw_rec *
tw_nth(const struct tw_log *l, enum probe_kind k, size_t i)
{
	for (size_t j = 0; j < l->n; j++)
		if (l->r[j].kind == k && i-- == 0)
			return &l->r[j];
	return NULL;
}

#define TW_MS	INT64_C(1000000)
#define TW_S	INT64_C(1000000000)

#endif /* ESSIM_TESTS_TEST_WORLD_UTIL_H */
