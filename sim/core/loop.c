/*
 * loop.c - the discrete-event loop; see loop.h.
 *
 * This is the innermost loop of every essim run: one iteration per
 * simulated step (a thread waking, a message arriving, a deadline firing),
 * typically tens of millions of them per run, most of which schedule one
 * event and cancel another.  The costs that matter are therefore those of
 * the calendar and of the event allocator, and the loop adds as little as
 * it can around them:
 *
 *   - events come from a pool, so scheduling never calls malloc once the
 *     pool has grown to the peak number pending;
 *   - the running event goes back to the pool before its callback is
 *     called, so the event the callback schedules next reuses the same,
 *     cache-hot memory (the callback never sees its event, only obj and
 *     arg, so nothing can reach the freed memory);
 *   - an event is small: calendar node (24 bytes) and callback, object
 *     and argument (24);
 *   - the interrupt flag (core/intr.h) is read only when the count of
 *     events run crosses a multiple of LOOP_POLL: one AND and one
 *     well-predicted branch per event, and on the slowest models (every
 *     probe written to SQLite, some microseconds per event) a ^C still
 *     stops the run within a few milliseconds.
 */
#include <stdint.h>

#include "core/cal.h"
#include "core/err.h"
#include "core/intr.h"
#include "core/loop.h"
#include "core/pool.h"

struct loop_ev {
	struct cal_node	 node;
	loop_fn		*fn;
	void		*obj;
	uint64_t	 arg;
};

void
loop_init_kind(struct loop *l, size_t max_events, enum cal_kind kind)
{
	cal_init_kind(&l->cal, kind);
	pool_init(&l->events, sizeof(struct loop_ev), 0);
	pool_set_cap(&l->events, max_events, "event", "--max-events");
	l->now = 0;
	l->events_run = 0;
	l->running = 0;
	l->stopped = 0;
}

void
loop_init(struct loop *l, size_t max_events)
{
	loop_init_kind(l, max_events, CAL_RADIX);
}

void
loop_release(struct loop *l)
{
	if (l->running)
		BUG("loop_release: called from a callback");
	cal_release(&l->cal);
	pool_release(&l->events);
}

struct loop_ev *
loop_at(struct loop *l, int64_t t, loop_fn *fn, void *obj, uint64_t arg)
{
	struct loop_ev *ev;

	if (t < l->now)
		BUG("loop_at: time %lld is before now (%lld)", (long long)t,
		    (long long)l->now);
	ev = pool_get(&l->events);
	ev->node.pos = 0;
	ev->fn = fn;
	ev->obj = obj;
	ev->arg = arg;
	cal_push(&l->cal, &ev->node, t);
	return ev;
}

struct loop_ev *
loop_after(struct loop *l, int64_t dt, loop_fn *fn, void *obj, uint64_t arg)
{
	if (dt < 0 || dt > INT64_MAX - l->now)
		BUG("loop_after: delay %lld from %lld is out of range",
		    (long long)dt, (long long)l->now);
	return loop_at(l, l->now + dt, fn, obj, arg);
}

void
loop_cancel(struct loop *l, struct loop_ev *ev)
{
	if (!cal_is_pending(&ev->node))
		BUG("loop_cancel: event has already run or been cancelled");
	cal_cancel(&l->cal, &ev->node);
	pool_put(&l->events, ev);
}

int64_t
loop_ev_time(const struct loop_ev *ev)
{
	return ev->node.time;
}

int
loop_run(struct loop *l, int64_t until)
{
	struct cal_node *n;

	if (l->running)
		BUG("loop_run: called from a callback");
	if (until < l->now)
		BUG("loop_run: until %lld is before now (%lld)",
		    (long long)until, (long long)l->now);
	if (intr_pending())
		return 1;
	l->running = 1;
	l->stopped = 0;
	while ((n = cal_pop_until(&l->cal, until)) != NULL) {
		struct loop_ev *ev = container_of(n, struct loop_ev, node);
		loop_fn *fn = ev->fn;
		void *obj = ev->obj;
		uint64_t arg = ev->arg;

		l->now = n->time;
		pool_put(&l->events, ev);
		l->events_run++;
		fn(l, obj, arg);
		if (l->stopped)
			break;
		if ((l->events_run & (LOOP_POLL - 1)) == 0 && intr_pending()) {
			l->stopped = 1;
			break;
		}
	}
	l->running = 0;
	if (l->stopped)
		return 1;
	if (until != LOOP_FOREVER)
		l->now = until;
	return 0;
}

void
loop_stop(struct loop *l)
{
	l->stopped = 1;
}
