/*
 * poolmon.c - workqueue pools over time, and thread explosions; see
 * poolmon.h.
 *
 * Counting: a pool thread is born with THREAD_SPAWN (role pool) and dies
 * with THREAD_EXIT (finished, killed with its process, or reaped after
 * idling), exactly the threads gcd.md §1.7's wq_nthreads counts once the
 * creator has made them.  Blocked means waiting for anything but a core
 * (gcd.md §1.3: what makes the kernel add threads).
 *
 * Attribution: what a blocked pool thread runs is known at the crossing:
 * the innermost serial queue it holds (asked of the world, an-int.h) or
 * the handler it runs (the shared thread record).  A block of a
 * concurrent queue is seen only as work of the process's pool: the world
 * keeps the serial queues a thread drains, not the queue a block was
 * dispatched to, and following pushes and pops through the root queues'
 * FIFOs would cost two probes per item for every run.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/an-int.h"
#include "analysis/poolmon.h"
#include "core/units.h"
#include "core/xalloc.h"

struct blame {
	char		*what;		/* a queue, or a process's pool */
	uint64_t	 count;
};

struct pproc {
	int		 now, peak;
	int64_t		 above_since, above;
	uint64_t	 crossings;
	int64_t		 first;		/* first crossing, -1 */
	struct an_thread *threads;	/* its pool threads */
	struct pm_point	*pts;
	size_t		 npts, apts;
	int64_t		 spacing;
	struct blame	*blame;
	size_t		 nblame, ablame;
};

struct pm {
	const struct model	*m;
	const struct probe_bus	*bus;
	struct pm_opts		 o;
	struct pproc		*p;
};

/* ---- the series ------------------------------------------------------- */

static void
halve(struct pproc *pp)
{
	size_t k = 0;

	for (size_t i = 0; i < pp->npts; i += 2) {
		struct pm_point a = pp->pts[i];

		if (i + 1 < pp->npts && pp->pts[i + 1].threads > a.threads)
			a.threads = pp->pts[i + 1].threads;
		pp->pts[k++] = a;
	}
	pp->npts = k;
	pp->spacing = pp->spacing > 0 ? 2 * pp->spacing :
	    (pp->pts[k - 1].t - pp->pts[0].t) / (int64_t)k + 1;
}

static void
series_add(struct pm *p, struct pproc *pp, int64_t t)
{
	struct pm_point *last = pp->npts > 0 ? &pp->pts[pp->npts - 1] : NULL;

	if (last != NULL && (last->t == t || (pp->spacing > 0 &&
	    t / pp->spacing == last->t / pp->spacing))) {
		if (pp->now > last->threads)
			last->threads = pp->now;
		return;
	}
	if (pp->npts >= p->o.max_points)
		halve(pp);
	XGROW(pp->pts, pp->npts + 1, pp->apts);
	pp->pts[pp->npts].t = t;
	pp->pts[pp->npts].threads = pp->now;
	pp->npts++;
}

/* ---- crossings -------------------------------------------------------- */

static void
blame(struct pproc *pp, const char *what)
{
	for (size_t i = 0; i < pp->nblame; i++)
		if (strcmp(pp->blame[i].what, what) == 0) {
			pp->blame[i].count++;
			return;
		}
	XGROW(pp->blame, pp->nblame + 1, pp->ablame);
	pp->blame[pp->nblame].what = xstrdup(what);
	pp->blame[pp->nblame++].count = 1;
}

/* What blocked pool thread t runs, for people. */
static void
culprit(struct pm *p, const struct an_thread *t, char *buf, size_t n)
{
	const struct m_process *mp = p->m->procs[t->proc];
	struct probe_ref q[AN_HELD];
	size_t nq = an_queues(p->bus, t, q);

	if (nq > 0)
		probe_name(p->bus, &q[nq - 1], buf, n);
	else if (t->hclient >= 0 && an_in_handler(p->bus, t))
		snprintf(buf, n, "%s %s queue", mp->name, mp->queues[0].name);
	else
		snprintf(buf, n, "%s concurrent queues", mp->name);
}

static void
crossed(struct pm *p, struct pproc *pp, int64_t t)
{
	char what[160];

	pp->crossings++;
	pp->above_since = t;
	if (pp->first < 0)
		pp->first = t;
	for (struct an_thread *th = pp->threads; th != NULL; th = th->pm.next)
		if (th->pm.blocked) {
			culprit(p, th, what, sizeof(what));
			blame(pp, what);
		}
}

static void
count(struct pm *p, int proc, int d, int64_t t)
{
	struct pproc *pp = &p->p[proc];
	int was = pp->now;

	pp->now += d;
	if (pp->now > pp->peak)
		pp->peak = pp->now;
	if (was < p->o.threshold && pp->now >= p->o.threshold)
		crossed(p, pp, t);
	else if (was >= p->o.threshold && pp->now < p->o.threshold)
		pp->above += t - pp->above_since;
	series_add(p, pp, t);
}

/* ---- probes ----------------------------------------------------------- */

static void
on_thread(struct pm *p, const struct probe_ev *ev, struct an_thread *t)
{
	struct pproc *pp = &p->p[ev->process];

	if (ev->role != PROBE_ROLE_POOL || t == NULL)
		return;
	if (ev->kind == PROBE_THREAD_SPAWN) {
		t->pm.next = pp->threads;
		t->pm.prev = NULL;
		if (t->pm.next != NULL)
			t->pm.next->pm.prev = t;
		pp->threads = t;
		t->pm.listed = 1;
		count(p, ev->process, 1, ev->t);
		return;
	}
	if (!t->pm.listed)
		return;
	if (t->pm.prev != NULL)
		t->pm.prev->pm.next = t->pm.next;
	else
		pp->threads = t->pm.next;
	if (t->pm.next != NULL)
		t->pm.next->pm.prev = t->pm.prev;
	t->pm.listed = 0;
	count(p, ev->process, -1, ev->t);
}

void
pm_probe(struct pm *p, const struct probe_ev *ev, struct an_thread *t)
{
	switch (ev->kind) {
	case PROBE_THREAD_SPAWN:
	case PROBE_THREAD_EXIT:
		on_thread(p, ev, t);
		break;
	case PROBE_WAIT:
	case PROBE_WAKE:
		if (t != NULL && ev->wait != PROBE_WAIT_CPU)
			t->pm.blocked = ev->kind == PROBE_WAIT;
		break;
	default:
		break;
	}
}

uint64_t
pm_mask(void)
{
	return PROBE_BIT(PROBE_THREAD_SPAWN) | PROBE_BIT(PROBE_THREAD_EXIT) |
	    PROBE_BIT(PROBE_WAIT) | PROBE_BIT(PROBE_WAKE);
}

struct pm *
pm_new(const struct model *m, const struct probe_bus *bus,
    const struct pm_opts *o)
{
	struct pm *p = xcalloc(1, sizeof(*p));

	p->m = m;
	p->bus = bus;
	if (o != NULL)
		p->o = *o;
	if (p->o.threshold <= 0)
		p->o.threshold = m->wq_constrained_max;
	if (p->o.max_points < 2)
		p->o.max_points = 4096;
	p->p = xcalloc(m->nprocs + 1, sizeof(*p->p));
	for (size_t i = 0; i < m->nprocs; i++) {
		p->p[i].first = -1;
		p->p[i].spacing = p->o.interval;
	}
	return p;
}

void
pm_free(struct pm *p)
{
	if (p == NULL)
		return;
	for (size_t i = 0; i < p->m->nprocs; i++) {
		for (size_t k = 0; k < p->p[i].nblame; k++)
			free(p->p[i].blame[k].what);
		free(p->p[i].pts);
		free(p->p[i].blame);
	}
	free(p->p);
	free(p);
}

/* Most blamed first, then by name: the order depends on the run only. */
static int
blame_before(const struct blame *a, const struct blame *b)
{
	if (a->count != b->count)
		return a->count > b->count;
	return strcmp(a->what, b->what) < 0;
}

static void
explosion(struct pm *p, int proc, struct fd_list *out)
{
	struct pproc *pp = &p->p[proc];
	struct finding *f = fd_add(out, FD_THREAD_EXPLOSION, pp->first);
	char t[UNITS_DURATION_MAX], what[64];

	f->process = proc;
	f->count = pp->crossings;
	f->value = pp->peak;
	fd_summary(f, "%s: %d pool threads at peak (threshold %d), %s at or "
	    "above it, reached %" PRIu64 " time%s", p->m->procs[proc]->name,
	    pp->peak, p->o.threshold, units_format_duration(pp->above, t,
	    sizeof(t)), pp->crossings, pp->crossings == 1 ? "" : "s");
	for (size_t i = 1; i < pp->nblame; i++)	/* insertion sort: few */
		for (size_t j = i; j > 0 && blame_before(&pp->blame[j],
		    &pp->blame[j - 1]); j--) {
			struct blame x = pp->blame[j];

			pp->blame[j] = pp->blame[j - 1];
			pp->blame[j - 1] = x;
		}
	for (size_t i = 0; i < pp->nblame; i++) {
		snprintf(what, sizeof(what), "blocked threads at crossings: %"
		    PRIu64, pp->blame[i].count);
		fd_row(f, pp->blame[i].what, what, -1, pp->blame[i].count);
	}
}

void
pm_finish(struct pm *p, int64_t t_end, struct fd_list *out)
{
	for (size_t i = 0; i < p->m->nprocs; i++) {
		struct pproc *pp = &p->p[i];

		if (pp->now >= p->o.threshold && pp->crossings > 0) {
			pp->above += t_end - pp->above_since;
			pp->above_since = t_end;
		}
		if (pp->crossings > 0)
			explosion(p, (int)i, out);
	}
}

int
pm_threshold(const struct pm *p)
{
	return p->o.threshold;
}

int
pm_peak(const struct pm *p, int proc)
{
	return p->p[proc].peak;
}

int
pm_now(const struct pm *p, int proc)
{
	return p->p[proc].now;
}

int64_t
pm_time_above(const struct pm *p, int proc)
{
	return p->p[proc].above;
}

uint64_t
pm_crossings(const struct pm *p, int proc)
{
	return p->p[proc].crossings;
}

const struct pm_point *
pm_series(const struct pm *p, int proc, size_t *n)
{
	*n = p->p[proc].npts;
	return p->p[proc].pts;
}

size_t
pm_explosions(const struct pm *p)
{
	size_t n = 0;

	for (size_t i = 0; i < p->m->nprocs; i++)
		n += p->p[i].crossings > 0;
	return n;
}
