/*
 * analyses.c - every run-time analysis behind one handle; see analyses.h.
 *
 * The analyses are independent probe listeners that share nothing but the
 * findings list: each keeps the state it needs, so any one can be tested
 * alone, and a listener added later does not disturb the others.  The
 * listener here records only what none of them keeps: the first time of
 * each flag, and the time of the last probe seen (the end of a run that
 * was stopped before its end time).
 *
 * an_run() builds a world for one seed, runs it to its end and frees it;
 * what it returns is the analyses' results, which outlive the world (the
 * names in findings were copied when they were made).
 */
#include <stdlib.h>

#include "analysis/analyses.h"
#include "core/units.h"
#include "core/xalloc.h"

struct an {
	const struct model	*m;
	struct an_opts		 o;
	struct fd_list		 f;
	struct wf		*wf;
	struct lk		*lk;
	struct pm		*pm;
	struct dl		*dl;
	int64_t			*flag_first;
	int64_t			 t_last;
	int			 done;
};

static void
listen(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;

	a->t_last = ev->t;
	if (ev->kind == PROBE_FLAG_SET && ev->value == 1 &&
	    ev->obj.id < a->m->nflags && a->flag_first[ev->obj.id] < 0)
		a->flag_first[ev->obj.id] = ev->t;
}

struct an *
an_attach(struct probe_bus *bus, const struct model *m,
    const struct an_opts *o)
{
	struct an *a = xcalloc(1, sizeof(*a));

	a->m = m;
	if (o != NULL)
		a->o = *o;
	a->wf = wf_new(m, bus, &a->f);
	a->lk = lk_new(m, bus);
	a->pm = pm_new(m, bus, &a->o.pool);
	a->dl = dl_new(m, bus);
	a->flag_first = xcalloc(m->nflags + 1, sizeof(*a->flag_first));
	for (size_t i = 0; i < m->nflags; i++)
		a->flag_first[i] = -1;
	probe_listen(bus, PROBE_BIT(PROBE_FLAG_SET) | PROBE_BIT(PROBE_RUN_END) |
	    PROBE_BIT(PROBE_THREAD_EXIT), listen, a);
	return a;
}

void
an_free(struct an *a)
{
	if (a == NULL)
		return;
	wf_free(a->wf);
	lk_free(a->lk);
	pm_free(a->pm);
	dl_free(a->dl);
	fd_list_release(&a->f);
	free(a->flag_first);
	free(a);
}

const struct fd_list *
an_findings(struct an *a)
{
	if (!a->done) {
		a->done = 1;
		lk_finish(a->lk, a->o.max_cycles, &a->f);
		pm_finish(a->pm, a->t_last, &a->f);
		dl_finish(a->dl, &a->f);
		fd_sort(&a->f);
	}
	return &a->f;
}

size_t
an_count(struct an *a, enum fd_kind k)
{
	return fd_count(an_findings(a), k);
}

void
an_print(struct an *a, FILE *f)
{
	const struct fd_list *l = an_findings(a);

	fprintf(f, "\nanalyses: %zu deadlock%s, %zu potential cycle%s, %zu "
	    "thread explosion%s, %zu deadline overrun%s\n",
	    fd_count(l, FD_DEADLOCK), fd_count(l, FD_DEADLOCK) == 1 ? "" : "s",
	    fd_count(l, FD_POTENTIAL_CYCLE),
	    fd_count(l, FD_POTENTIAL_CYCLE) == 1 ? "" : "s",
	    fd_count(l, FD_THREAD_EXPLOSION),
	    fd_count(l, FD_THREAD_EXPLOSION) == 1 ? "" : "s",
	    fd_count(l, FD_DEADLINE), fd_count(l, FD_DEADLINE) == 1 ? "" : "s");
	if (lk_truncated(a->lk))
		fprintf(f, "  (the potential-cycle search stopped at its cap)\n");
	fd_print(l, f);
	dl_print(a->dl, f);
}

json_t *
an_json(struct an *a)
{
	json_t *pools = json_object();

	for (size_t i = 0; i < a->m->nprocs; i++)
		if (pm_peak(a->pm, (int)i) > 0)
			json_object_set_new(pools, a->m->procs[i]->name,
			    json_pack("{s:i, s:i, s:I, s:I}",
			    "peak", pm_peak(a->pm, (int)i),
			    "threshold", pm_threshold(a->pm),
			    "time_above", (json_int_t)pm_time_above(a->pm,
			    (int)i),
			    "crossings", (json_int_t)pm_crossings(a->pm,
			    (int)i)));
	return json_pack("{s:o, s:b, s:o, s:o}",
	    "findings", fd_json(an_findings(a)),
	    "cycle_search_truncated", lk_truncated(a->lk),
	    "deadlines", dl_json(a->dl), "pools", pools);
}

const struct wf *
an_waitfor(const struct an *a)
{
	return a->wf;
}

const struct lk *
an_lockdep(const struct an *a)
{
	return a->lk;
}

const struct pm *
an_poolmon(const struct an *a)
{
	return a->pm;
}

const struct dl *
an_deadline(const struct an *a)
{
	return a->dl;
}

int64_t
an_flag_first(const struct an *a, int flag)
{
	return flag >= 0 && (size_t)flag < a->m->nflags ?
	    a->flag_first[flag] : -1;
}

struct an *
an_run(const struct model *m, uint64_t seed, const struct an_opts *o)
{
	struct world_opts wo = WORLD_OPTS_INIT;
	struct world *w;
	struct an *a;

	wo.has_seed = 1;
	wo.seed = seed;
	w = world_new(m, &wo);
	a = an_attach(world_bus(w), m, o);
	world_run(w);
	an_findings(a);
	world_free(w);
	return a;
}
