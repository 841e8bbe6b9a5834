/*
 * workload.c - synthetic syscall sources, path specs, and the hook for
 * external syscall sources (trace replay).
 *
 * A source (model workload.sources[i]) raises one event type from one
 * process:
 *   - arrivals: Poisson (exponential gaps of the mean interval) or
 *     constant gaps; with a burst, the rate is multiplied by `factor`
 *     during the first `on` of every `on + off` cycle from `start`.  A
 *     Poisson gap that crosses a phase change is redrawn from the change
 *     with the new rate, which is exact by memorylessness (for constant
 *     gaps it restarts the spacing at the change);
 *   - open loop (threads 0): every arrival is a new thread of the process
 *     that raises the event, waits for the verdict if AUTH, and exits, so
 *     slow verdicts never slow the arrivals; only the next arrival is
 *     scheduled at any time;
 *   - closed loop (threads N): N threads, each thinking for a gap (drawn as
 *     above) then raising the event and waiting for its verdict.
 * Each source draws from its own stream "source/N" (N its index), so adding
 * a source never changes another's draws.  Arrivals stop at `stop`.
 *
 * Paths: a choice is an inverse-CDF lookup by binary search, O(log n); a
 * zipf rank comes from rng_zipf(): O(1) expected, no table, any n and any
 * exponent s > 0, so memory never depends on n.
 *
 * External sources (world_add_source) are pulled one syscall ahead, and
 * each syscall is raised open-loop at its time by a new thread of its
 * process (see world.h).
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "es/wint.h"

static size_t
choice(const struct m_pathspec *ps, struct rng *r)
{
	double u = rng_uniform(r);
	size_t lo = 0, hi = ps->n - 1;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (ps->cum[mid] > u)
			hi = mid;
		else
			lo = mid + 1;
	}
	return lo;
}

void
workload_path(const struct m_pathspec *ps, struct rng *r,
    const struct esk_msg *ctx, struct w_path *out, char *buf, size_t bufsize)
{
	int n;

	out->s = NULL;
	out->len = 0;
	switch (ps->kind) {
	case M_PATH_NONE:
		return;
	case M_PATH_LITERAL:
		out->s = ps->literal;
		break;
	case M_PATH_MSG:
		if (ctx != NULL)
			*out = ctx->ev->path;
		return;
	case M_PATH_MSG_TARGET:
		if (ctx != NULL)
			*out = ctx->ev->target;
		return;
	case M_PATH_CHOICE:
		out->s = ps->paths[choice(ps, r)];
		break;
	case M_PATH_ZIPF:
		n = snprintf(buf, bufsize, "%s%llu%s",
		    ps->prefix != NULL ? ps->prefix : "",
		    (unsigned long long)rng_zipf(r, ps->zipf_n, ps->zipf_s),
		    ps->suffix != NULL ? ps->suffix : "");
		out->s = buf;
		out->len = n < 0 ? 0 : (size_t)n >= bufsize ? bufsize - 1 :
		    (size_t)n;
		return;
	}
	out->len = out->s != NULL ? strlen(out->s) : 0;
}

/* Mean gap at time t and the time the burst phase changes (or MAX). */
static double
gap_mean(const struct m_source *m, int64_t t, int64_t *change)
{
	int64_t cycle, ph;

	*change = INT64_MAX;
	if (!m->has_burst)
		return (double)m->mean_interval;
	cycle = m->burst_on + m->burst_off;
	ph = t < m->start ? 0 : (t - m->start) % cycle;
	if (ph < m->burst_on) {
		*change = t - ph + m->burst_on;
		return (double)m->mean_interval / m->burst_factor;
	}
	*change = t - ph + cycle;
	return (double)m->mean_interval;
}

static int64_t
gap_draw(struct w_source *s, double mean)
{
	double d = s->m->arrival == M_ARRIVAL_POISSON ?
	    rng_exp(&s->rng, mean) : mean;

	return d >= 9.2e18 ? INT64_MAX : (int64_t)llround(d);
}

/* The first arrival after t. */
static int64_t
next_arrival(struct w_source *s, int64_t t)
{
	int64_t change, dt;
	double mean;

	for (;;) {
		mean = gap_mean(s->m, t, &change);
		dt = gap_draw(s, mean);
		if (dt > INT64_MAX - t)
			return INT64_MAX;
		if (t + dt < change)
			return t + dt;
		t = change;
	}
}

static struct esk_event *
source_event(struct world *w, struct w_source *s)
{
	struct esk_event *ev = esk_event_new(w, s->proc, s->m->event);
	char buf[1024];
	struct w_path p;
	int stable;

	stable = s->m->path.kind == M_PATH_LITERAL ||
	    s->m->path.kind == M_PATH_CHOICE;
	workload_path(&s->m->path, &s->rng, NULL, &p, buf, sizeof(buf));
	esk_event_path(ev, &ev->path, p.s, p.len, stable);
	stable = s->m->target.kind == M_PATH_LITERAL ||
	    s->m->target.kind == M_PATH_CHOICE;
	workload_path(&s->m->target, &s->rng, NULL, &p, buf, sizeof(buf));
	esk_event_path(ev, &ev->target, p.s, p.len, stable);
	return ev;
}

static void
oneshot(struct world *w, struct w_proc *p, struct esk_event *ev)
{
	struct w_thread *t = th_new(p, PROBE_ROLE_WORKLOAD);

	(void)w;
	th_push(t, FR_ONESHOT, NULL, ev, NULL);
	th_ready(t);
}

static int64_t
source_stop(const struct world *w, const struct m_source *m)
{
	return m->stop > 0 && m->stop < w->end ? m->stop : w->end;
}

static void
arrival(struct loop *l, void *obj, uint64_t arg)
{
	struct w_source *s = obj;
	struct world *w = s->proc->w;
	int64_t now = loop_now(l), next;

	(void)arg;
	if (s->proc->alive)
		oneshot(w, s->proc, source_event(w, s));
	next = next_arrival(s, now);
	if (next < source_stop(w, s->m))
		loop_at(l, next, arrival, s, 0);
	world__flush(w);
}

/* The driver frame of a closed-loop thread: think, raise, repeat. */
void
workload_source_step(struct w_thread *t)
{
	struct frame *f = &t->fr[t->nfr - 1];
	struct w_source *s = f->obj;
	struct world *w = t->proc->w;
	int64_t now = loop_now(&w->loop), change;

	if (now >= source_stop(w, s->m)) {
		th_pop(t);
		return;
	}
	if (now < s->m->start) {
		th_sleep(t, s->m->start - now);
		return;
	}
	if (f->count == 0) {
		f->count = 1;
		th_sleep(t, gap_draw(s, gap_mean(s->m, now, &change)));
		return;
	}
	f->count = 0;
	esk_issue(w, t, source_event(w, s));
}

static void ext_fire(struct loop *l, void *obj, uint64_t arg);

/* Pull the next syscall of e and schedule it; 0 at the end. */
static void
ext_pull(struct world *w, struct w_ext *e)
{
	struct w_syscall sc;
	struct w_proc *p;
	int64_t t;

	memset(&sc, 0, sizeof(sc));
	if (!e->ops->next(e->arg, &sc))
		return;
	t = sc.t < loop_now(&w->loop) ? loop_now(&w->loop) : sc.t;
	if (t >= w->end || sc.process == NULL || sc.type == NULL)
		return;
	p = &w->procs[sc.process->id];
	e->ev = esk_event_new(w, p, sc.type);
	esk_event_path(e->ev, &e->ev->path, sc.path,
	    sc.path != NULL ? strlen(sc.path) : 0, 0);
	esk_event_path(e->ev, &e->ev->target, sc.target,
	    sc.target != NULL ? strlen(sc.target) : 0, 0);
	loop_at(&w->loop, t, ext_fire, e, 0);
}

static void
ext_fire(struct loop *l, void *obj, uint64_t arg)
{
	struct w_ext *e = obj;
	struct esk_event *ev = e->ev;
	struct world *w = ev->proc->w;

	(void)l;
	(void)arg;
	e->ev = NULL;
	if (ev->proc->alive)
		oneshot(w, ev->proc, ev);
	else
		esk_event_unref(w, ev);
	ext_pull(w, e);
	world__flush(w);
}

void
workload_start(struct world *w)
{
	const struct model *m = w->m;

	for (size_t i = 0; i < m->nsources; i++) {
		struct w_source *s = &w->sources[i];
		int64_t first;

		if (s->m->threads > 0) {
			for (int k = 0; k < s->m->threads; k++) {
				struct w_thread *t = th_new(s->proc,
				    PROBE_ROLE_WORKLOAD);

				th_push(t, FR_SOURCE, NULL, s, NULL);
				th_ready(t);
			}
			continue;
		}
		first = next_arrival(s, s->m->start);
		if (first < source_stop(w, s->m))
			loop_at(&w->loop, first, arrival, s, 0);
	}
	for (size_t i = 0; i < w->nexts; i++)
		ext_pull(w, &w->exts[i]);
}

struct loop *
world_loop(struct world *w)
{
	return &w->loop;
}

uint64_t
world_issue(struct world *w, const struct w_syscall *sc)
{
	struct w_proc *p = &w->procs[sc->process->id];
	struct esk_event *ev;
	struct w_thread *t;
	uint64_t id;

	if (!p->alive || sc->type == NULL)
		return 0;
	ev = esk_event_new(w, p, sc->type);
	esk_event_path(ev, &ev->path, sc->path,
	    sc->path != NULL ? strlen(sc->path) : 0, 0);
	esk_event_path(ev, &ev->target, sc->target,
	    sc->target != NULL ? strlen(sc->target) : 0, 0);
	t = th_new(p, PROBE_ROLE_WORKLOAD);
	id = t->id;
	th_push(t, FR_ONESHOT, NULL, ev, NULL);
	th_ready(t);
	world__flush(w);
	return id;
}
