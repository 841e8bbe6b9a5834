/*
 * ex-check.c - checking parsed expectations against runs; see expect.h
 * for the language and expect.c for parsing.
 *
 * Checking runs the model once per seed needed.  Plain expectations read
 * the run with the model's own seed; "order" and "probability" read that
 * run and the following seeds, up to the most any of them asks for, so a
 * block with several needs max(seeds) runs, not their sum.  Each run is
 * freed before the next: memory is one run's.  A measure with nothing to
 * measure (a latency percentile of a type never raised, the headroom of a
 * client that answered nothing) fails its comparison, whatever it is.
 *
 * Static cycles come from the linter (analysis/lint.h), computed once per
 * check and only when asked for.
 */
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/ex-int.h"
#include "analysis/hist.h"
#include "analysis/lint.h"
#include "core/units.h"
#include "core/xalloc.h"

int
ex__cmp_holds(const struct cmp *c, double x)
{
	switch (c->op) {
	case OP_EQ:	return x == c->v;
	case OP_NE:	return x != c->v;
	case OP_LT:	return x < c->v;
	case OP_LE:	return x <= c->v;
	case OP_GT:	return x > c->v;
	case OP_GE:	return x >= c->v;
	default:	return x >= c->v && x <= c->hi;
	}
}

/* ---- measuring -------------------------------------------------------- */

static int
static_cycles(struct ex_set *s)
{
	struct lint_result r = LINT_RESULT_INIT;

	if (s->static_cycles >= 0)
		return s->static_cycles;
	lint_model(s->m, NULL, &r);
	s->static_cycles = 0;
	for (size_t i = 0; i < r.n; i++)
		s->static_cycles += r.v[i].kind == LINT_STATIC_CYCLE;
	lint_result_release(&r);
	return s->static_cycles;
}

static int
from_hist(const struct hist *h, double q, double *x)
{
	if (h == NULL || hist_count(h) == 0)
		return -1;
	*x = (double)(q >= 1 ? hist_max(h) : q <= 0 ? hist_min(h) :
	    hist_quantile(h, q));
	return 0;
}

static double
per_client(const struct ex_set *s, const struct dl *d, int who,
    uint64_t (*f)(const struct dl *, int))
{
	double x = 0;

	if (who >= 0)
		return (double)f(d, who);
	for (size_t c = 0; c < s->m->nclients; c++)
		x += (double)f(d, (int)c);
	return x;
}

/* The measure in run a: 0 with *x set, -1 when there is nothing to
 * measure (no samples). */
static int
measure(struct ex_set *s, const struct metric *mt, struct an *a, double *x)
{
	const struct pm *pm = an_poolmon(a);
	const struct dl *d = an_deadline(a);
	int64_t h;

	switch (mt->k->kind) {
	case XM_DEADLOCKS:
		*x = (double)an_count(a, FD_DEADLOCK);
		return 0;
	case XM_POTENTIAL:
		*x = (double)an_count(a, FD_POTENTIAL_CYCLE);
		return 0;
	case XM_STATIC:
		*x = static_cycles(s);
		return 0;
	case XM_EXPLOSIONS:
		*x = mt->who >= 0 ? (double)pm_crossings(pm, mt->who) :
		    (double)pm_explosions(pm);
		return 0;
	case XM_KILLS:
		*x = per_client(s, d, mt->who, dl_kills);
		return 0;
	case XM_MISSES:
		*x = per_client(s, d, mt->who, dl_misses);
		return 0;
	case XM_RESTARTS:
		*x = per_client(s, d, mt->who, dl_restarts);
		return 0;
	case XM_PEAK:
		*x = 0;
		for (size_t i = 0; i < s->m->nprocs; i++)
			if (mt->who < 0 || (int)i == mt->who)
				*x = fmax(*x, pm_peak(pm, (int)i));
		return 0;
	case XM_LATENCY:
		return from_hist(dl_syscall(d, mt->who), mt->q, x);
	case XM_RESPONSE:
		an_findings(a);		/* merges the per-client histograms */
		return from_hist(dl_client_response(d, mt->who), mt->q, x);
	case XM_QWAIT:
		return from_hist(dl_queue_wait(d, mt->who), mt->q, x);
	default:
		h = mt->type >= 0 ? dl_min_headroom(d, mt->who, mt->type) :
		    dl_client_min_headroom(d, mt->who);
		*x = (double)h;
		return h < 0 ? -1 : 0;
	}
}

static char *
fmt_measure(const struct metric *mt, double x)
{
	char b[UNITS_DURATION_MAX];

	if (mt->k->dur)
		return xstrdup(units_format_duration((int64_t)x, b, sizeof(b)));
	return xasprintf("%.0f", x);
}

/* ---- checking --------------------------------------------------------- */

static void
check_plain(struct ex_set *s, const struct item *it, struct an *a,
    struct ex_result *r)
{
	double x;

	if (measure(s, &it->m, a, &x) != 0) {
		r->pass = 0;
		r->measured = xstrdup("nothing measured");
		return;
	}
	r->pass = ex__cmp_holds(&it->c, x);
	r->measured = fmt_measure(&it->m, x);
}

/* Whether the item's condition held in run a (order, probability). */
static int
seed_holds(struct ex_set *s, const struct item *it, struct an *a)
{
	int64_t ta, tb;
	double x;

	if (it->kind == IT_ORDER) {
		ta = an_flag_first(a, it->flag_a);
		tb = an_flag_first(a, it->flag_b);
		return ta >= 0 && (tb < 0 || ta < tb);
	}
	return measure(s, &it->m, a, &x) == 0 && ex__cmp_holds(&it->of, x);
}

static struct ex_result *
results_new(const struct ex_set *s)
{
	struct ex_result *r = xcalloc(s->n + 1, sizeof(*r));

	for (size_t i = 0; i < s->n; i++)
		r[i].label = xstrdup(s->v[i].label != NULL ? s->v[i].label :
		    "?");
	return r;
}

struct ex_result *
ex_check(const struct ex_set *cs, const struct model *m,
    const struct an_opts *o, size_t *nres, struct err *e)
{
	struct ex_set *s = (struct ex_set *)cs;	/* caches static cycles */
	struct ex_result *r = results_new(s);
	uint64_t runs = 1, *held = xcalloc(s->n + 1, sizeof(*held));

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind != IT_PLAIN && s->v[i].seeds > runs)
			runs = s->v[i].seeds;
	for (uint64_t k = 0; k < runs; k++) {
		struct an *a = an_run(m, m->seed + k, o, e);

		if (a == NULL) {
			ex_results_free(r, s->n);
			free(held);
			*nres = 0;
			return NULL;
		}
		for (size_t i = 0; i < s->n; i++) {
			if (s->v[i].kind == IT_PLAIN && k == 0)
				check_plain(s, &s->v[i], a, &r[i]);
			else if (s->v[i].kind != IT_PLAIN && k < s->v[i].seeds)
				held[i] += (uint64_t)seed_holds(s, &s->v[i], a);
		}
		an_free(a);
	}
	for (size_t i = 0; i < s->n; i++) {
		double f;

		if (s->v[i].kind == IT_PLAIN)
			continue;
		f = (double)held[i] / (double)s->v[i].seeds;
		r[i].pass = ex__cmp_holds(&s->v[i].c, f);
		r[i].measured = xasprintf("%.4g: %" PRIu64 " of %" PRIu64
		    " seeds", f, held[i], s->v[i].seeds);
	}
	free(held);
	*nres = s->n;
	return r;
}

struct ex_result *
ex_check_run(const struct ex_set *cs, struct an *a, size_t *nres)
{
	struct ex_set *s = (struct ex_set *)cs;
	struct ex_result *r = results_new(s);
	size_t n = 0;

	for (size_t i = 0; i < s->n; i++)
		if (s->v[i].kind == IT_PLAIN) {
			r[n].label = r[i].label;
			if (n != i)
				r[i].label = NULL;
			check_plain(s, &s->v[i], a, &r[n++]);
		} else {
			free(r[i].label);
			r[i].label = NULL;
		}
	*nres = n;
	return r;
}

void
ex_results_free(struct ex_result *r, size_t n)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i <= n; i++) {
		free(r[i].label);
		free(r[i].measured);
	}
	free(r);
}
