/*
 * test-an-util.h - helpers for the analyses' tests (test-waitfor.c,
 * test-lockdep.c, test-poolmon.c, test-deadline.c, test-expect.c): load a
 * hand-built model of tests/data/analysis, run it with every analysis
 * attached, and keep the probes of the run as an oracle
 * (test-world-util.h's recorder).  Header-only; include after cmocka.h.
 */
#ifndef ESSIM_TESTS_TEST_AN_UTIL_H
#define ESSIM_TESTS_TEST_AN_UTIL_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/analyses.h"
#include "test-world-util.h"

/* Load tests/data/analysis/NAME. */
static inline struct model *
ta_fixture(const char *name)
{
	const char *top = getenv("top_srcdir");
	struct diag d = DIAG_INIT;
	struct model *m;
	char *path = xasprintf("%s/tests/data/analysis/%s", top ? top : ".",
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

/* One run: the model, its world (run to the end), analyses and probes. */
struct ta_run {
	struct model	*m;
	struct world	*w;
	struct an	*an;
	struct tw_log	 log;
};

/* Run NAME with analysis options o (may be NULL), recording the probes
 * of the kinds in mask (0: none). */
static inline void
ta_run_opts(struct ta_run *r, const char *name, const struct an_opts *o,
    uint64_t mask)
{
	memset(r, 0, sizeof(*r));
	r->m = ta_fixture(name);
	r->w = world_new(r->m, NULL);
	r->an = an_attach(world_bus(r->w), r->m, o);
	if (mask != 0)
		tw_listen(&r->log, r->w, mask);
	world_run(r->w);
	an_findings(r->an);
}

static inline void
ta_run(struct ta_run *r, const char *name, uint64_t mask)
{
	ta_run_opts(r, name, NULL, mask);
}

static inline void
ta_done(struct ta_run *r)
{
	an_free(r->an);
	world_free(r->w);
	tw_log_free(&r->log);
	model_free(r->m);
}

/* The i-th finding of kind k (0-based), or NULL. */
static inline const struct finding *
ta_nth(struct ta_run *r, enum fd_kind k, size_t i)
{
	const struct fd_list *l = an_findings(r->an);

	for (size_t j = 0; j < l->n; j++)
		if (l->v[j]->kind == k && i-- == 0)
			return l->v[j];
	return NULL;
}

#define TA_US	INT64_C(1000)

#endif /* ESSIM_TESTS_TEST_AN_UTIL_H */
