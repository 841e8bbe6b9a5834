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
 * Attribution: what a blocked pool thread runs is known from the drain
 * probes.  A serial queue it holds (QUEUE_ACQUIRE) names it.  Otherwise
 * its item came off a root queue, and the root queue's FIFO remembers
 * where each entry came from: a dispatch to a concurrent queue is probed
 * as a push onto that queue, immediately followed by the push onto its
 * root, so the root push inherits the queue of the push just before it
 * (a chain of serial targets keeps the outermost).  Pushes with no such
 * predecessor are charged to the root queue itself.
 *
 * Everything per process is in arrays sized by the model; per queue and
 * per pool thread in id maps, removed when they go.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/idmap.h"
#include "analysis/poolmon.h"
#include "core/units.h"
#include "core/xalloc.h"

#define PM_HELD		8

struct pq {				/* a queue seen in a probe */
	char		*name;
	int		 proc, root;
	uint64_t	*fifo;		/* root: where its entries came from */
	size_t		 head, n, cap;	/* ring */
};

struct pth {				/* a pool thread */
	int		 proc;
	int		 blocked;
	uint64_t	 held[PM_HELD];
	int		 nheld;
	uint64_t	 src;		/* queue its current item came from */
	struct pth	*next, *prev;
	uint64_t	 id;
};

struct blame {
	uint64_t	 queue;
	uint64_t	 count;
};

struct pproc {
	int		 now, peak;
	int64_t		 above_since, above;
	uint64_t	 crossings;
	int64_t		 first;		/* first crossing, -1 */
	struct pth	*threads;
	struct pm_point	*pts;
	size_t		 npts, apts;
	int64_t		 spacing;
	struct blame	*blame;
	size_t		 nblame, ablame;
};

struct pm {
	const struct model	*m;
	struct probe_bus	*bus;
	struct pm_opts		 o;
	struct pproc		*p;
	struct idmap		 queues, threads;
	uint64_t		 seq, pend_seq, pend_q;
	int			 pend_proc;
};

static struct pq *
queue_get(struct pm *p, const struct probe_ev *ev)
{
	struct pq *q = idmap_get(&p->queues, ev->obj.id);
	char name[160];

	if (q == NULL) {
		q = xcalloc(1, sizeof(*q));
		probe_name(p->bus, &ev->obj, name, sizeof(name));
		q->name = xstrdup(name);
		q->proc = ev->process;
		q->root = strstr(name, " com.apple.root.") != NULL;
		idmap_put(&p->queues, ev->obj.id, q);
	}
	return q;
}

static void
fifo_push(struct pq *q, uint64_t src)
{
	if (q->n == q->cap) {
		size_t cap = q->cap < 8 ? 8 : 2 * q->cap;
		uint64_t *f = xcalloc(cap, sizeof(*f));

		for (size_t i = 0; i < q->n; i++)
			f[i] = q->fifo[(q->head + i) % q->cap];
		free(q->fifo);
		q->fifo = f;
		q->cap = cap;
		q->head = 0;
	}
	q->fifo[(q->head + q->n++) % q->cap] = src;
}

static uint64_t
fifo_pop(struct pq *q)
{
	uint64_t s;

	if (q->n == 0)
		return 0;
	s = q->fifo[q->head];
	q->head = (q->head + 1) % q->cap;
	q->n--;
	return s;
}

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
blame(struct pproc *pp, uint64_t queue)
{
	for (size_t i = 0; i < pp->nblame; i++)
		if (pp->blame[i].queue == queue) {
			pp->blame[i].count++;
			return;
		}
	XGROW(pp->blame, pp->nblame + 1, pp->ablame);
	pp->blame[pp->nblame].queue = queue;
	pp->blame[pp->nblame++].count = 1;
}

static void
crossed(struct pproc *pp, int64_t t)
{
	pp->crossings++;
	pp->above_since = t;
	if (pp->first < 0)
		pp->first = t;
	for (struct pth *th = pp->threads; th != NULL; th = th->next)
		if (th->blocked)
			blame(pp, th->nheld > 0 ? th->held[th->nheld - 1] :
			    th->src);
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
		crossed(pp, t);
	else if (was >= p->o.threshold && pp->now < p->o.threshold)
		pp->above += t - pp->above_since;
	series_add(p, pp, t);
}

/* ---- probes ----------------------------------------------------------- */

static void
on_thread(struct pm *p, const struct probe_ev *ev)
{
	struct pproc *pp = &p->p[ev->process];
	struct pth *th;

	if (ev->role != PROBE_ROLE_POOL)
		return;
	if (ev->kind == PROBE_THREAD_SPAWN) {
		th = xcalloc(1, sizeof(*th));
		th->proc = ev->process;
		th->id = ev->thread.id;
		th->next = pp->threads;
		if (th->next != NULL)
			th->next->prev = th;
		pp->threads = th;
		idmap_put(&p->threads, th->id, th);
		count(p, ev->process, 1, ev->t);
		return;
	}
	if ((th = idmap_del(&p->threads, ev->thread.id)) == NULL)
		return;
	if (th->prev != NULL)
		th->prev->next = th->next;
	else
		pp->threads = th->next;
	if (th->next != NULL)
		th->next->prev = th->prev;
	free(th);
	count(p, ev->process, -1, ev->t);
}

static void
on_queue(struct pm *p, const struct probe_ev *ev)
{
	struct pq *q = queue_get(p, ev);
	struct pth *th = idmap_get(&p->threads, ev->thread.id);
	uint64_t seq = ++p->seq;

	switch (ev->kind) {
	case PROBE_QUEUE_PUSH:
		if (q->root) {
			fifo_push(q, p->pend_seq + 1 == seq &&
			    p->pend_proc == ev->process ? p->pend_q :
			    ev->obj.id);
			break;
		}
		if (p->pend_seq + 1 != seq || p->pend_proc != ev->process)
			p->pend_q = ev->obj.id;		/* a new chain */
		p->pend_seq = seq;
		p->pend_proc = ev->process;
		break;
	case PROBE_QUEUE_POP:
		if (th != NULL)
			th->src = q->root ? fifo_pop(q) : ev->obj.id;
		else if (q->root)
			fifo_pop(q);
		break;
	case PROBE_QUEUE_ACQUIRE:
		if (th != NULL && th->nheld < PM_HELD)
			th->held[th->nheld++] = ev->obj.id;
		break;
	default:	/* RELEASE */
		if (th != NULL && th->nheld > 0 &&
		    th->held[th->nheld - 1] == ev->obj.id)
			th->nheld--;
		break;
	}
}

/* The process died: its queues were emptied without probes. */
static void
on_exit(struct pm *p, const struct probe_ev *ev)
{
	size_t pos = 0;
	uint64_t k;
	void *v;

	while (idmap_next(&p->queues, &pos, &k, &v)) {
		struct pq *q = v;

		if (q->proc == ev->process)
			q->head = q->n = 0;
	}
}

static void
listen(void *arg, const struct probe_ev *ev)
{
	struct pm *p = arg;
	struct pth *th;

	switch (ev->kind) {
	case PROBE_THREAD_SPAWN:
	case PROBE_THREAD_EXIT:
		on_thread(p, ev);
		break;
	case PROBE_WAIT:
	case PROBE_WAKE:
		th = idmap_get(&p->threads, ev->thread.id);
		if (th != NULL && ev->wait != PROBE_WAIT_CPU)
			th->blocked = ev->kind == PROBE_WAIT;
		break;
	case PROBE_QUEUE_PUSH:
	case PROBE_QUEUE_POP:
	case PROBE_QUEUE_ACQUIRE:
	case PROBE_QUEUE_RELEASE:
		on_queue(p, ev);
		break;
	case PROBE_PROCESS_EXIT:
		on_exit(p, ev);
		break;
	default:
		break;
	}
}

#define PM_MASK	(PROBE_BIT(PROBE_THREAD_SPAWN) | PROBE_BIT(PROBE_THREAD_EXIT) | \
	PROBE_BIT(PROBE_WAIT) | PROBE_BIT(PROBE_WAKE) |			\
	PROBE_BIT(PROBE_QUEUE_PUSH) | PROBE_BIT(PROBE_QUEUE_POP) |	\
	PROBE_BIT(PROBE_QUEUE_ACQUIRE) | PROBE_BIT(PROBE_QUEUE_RELEASE) | \
	PROBE_BIT(PROBE_PROCESS_EXIT))

struct pm *
pm_new(const struct model *m, struct probe_bus *bus, const struct pm_opts *o)
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
	p->pend_proc = -1;
	p->p = xcalloc(m->nprocs + 1, sizeof(*p->p));
	for (size_t i = 0; i < m->nprocs; i++) {
		p->p[i].first = -1;
		p->p[i].spacing = p->o.interval;
	}
	probe_listen(bus, PM_MASK, listen, p);
	return p;
}

void
pm_free(struct pm *p)
{
	size_t pos = 0;
	uint64_t k;
	void *v;

	if (p == NULL)
		return;
	while (idmap_next(&p->queues, &pos, &k, &v)) {
		free(((struct pq *)v)->name);
		free(((struct pq *)v)->fifo);
		free(v);
	}
	pos = 0;
	while (idmap_next(&p->threads, &pos, &k, &v))
		free(v);
	idmap_release(&p->queues);
	idmap_release(&p->threads);
	for (size_t i = 0; i < p->m->nprocs; i++) {
		free(p->p[i].pts);
		free(p->p[i].blame);
	}
	free(p->p);
	free(p);
}

/* Most blamed first, then by name: the order depends on the run only. */
static int
blame_before(struct pm *p, const struct blame *a, const struct blame *b)
{
	struct pq *qa = idmap_get(&p->queues, a->queue);
	struct pq *qb = idmap_get(&p->queues, b->queue);

	if (a->count != b->count)
		return a->count > b->count;
	return strcmp(qa != NULL ? qa->name : "?", qb != NULL ? qb->name :
	    "?") < 0;
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
		for (size_t j = i; j > 0 && blame_before(p, &pp->blame[j],
		    &pp->blame[j - 1]); j--) {
			struct blame x = pp->blame[j];

			pp->blame[j] = pp->blame[j - 1];
			pp->blame[j - 1] = x;
		}
	for (size_t i = 0; i < pp->nblame; i++) {
		struct pq *q = idmap_get(&p->queues, pp->blame[i].queue);

		snprintf(what, sizeof(what), "blocked threads at crossings: %"
		    PRIu64, pp->blame[i].count);
		fd_row(f, q != NULL ? q->name : "(unknown queue)", what, -1,
		    pp->blame[i].count);
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
