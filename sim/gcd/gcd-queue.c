/*
 * gcd-queue.c - dispatch queues and the drain loop; see gcd-queue.h.
 *
 * Facts relied on (reference/gcd.md):
 *   §2.1  serial queues target the overcommit root of their QoS,
 *         concurrent queues the constrained one; a concurrent queue
 *         redirects items one by one to its target while its width
 *         allows (private concurrent width 4094);
 *   §2.2  a root queue pokes the kernel only on empty -> non-empty, at
 *         most one request outstanding; a worker that pops an item and
 *         sees more pokes for one more thread;
 *   §2.4  dispatch_sync runs the block on the caller; onto a queue whose
 *         drain lock the caller owns (also through a shared target
 *         hierarchy at a serial queue) it crashes ("dispatch_sync called
 *         on queue already owned by current thread"); two queues syncing
 *         onto each other just hang;
 *   §4 rule 7: a thread drains its serial queue to empty, then its root
 *         queue, then returns to the kernel.
 * A sync waiter is an item in the serial queue's FIFO: when the drainer
 * reaches it, the drain lock is handed to the waiter (libdispatch's
 * _dispatch_sync_waiter_redirect_or_wake) and the drainer moves on.
 */
#include <stddef.h>

#include "core/cal.h"
#include "core/err.h"
#include "core/xalloc.h"
#include "gcd/gcd-pool.h"
#include "gcd/gcd-queue.h"

static void
probe_q(struct gcd_queue *q, enum probe_kind k, const struct gcd_thread *t,
    int64_t value)
{
	struct probe_bus *bus = q->bus;
	struct probe_ev ev;

	if (bus == NULL || !probe_on(bus, k))
		return;
	probe_ev_init(&ev, k, gcd__now(q->pool));
	ev.process = gcd__proc(q->pool);
	ev.obj.kind = PROBE_OBJ_QUEUE;
	ev.obj.id = q->id;
	ev.obj.p = q;
	if (t != NULL) {
		ev.thread.kind = PROBE_OBJ_THREAD;
		ev.thread.id = t->id;
		ev.thread.p = t->obj;
	}
	if (q->owner != NULL) {
		ev.owner.kind = PROBE_OBJ_THREAD;
		ev.owner.id = q->owner->id;
		ev.owner.p = q->owner->obj;
	}
	ev.value = value;
	probe_emit(bus, &ev);
}

static void
fifo_push(struct gcd_queue *q, struct gcd_item *it)
{
	it->next = NULL;
	if (q->tail == NULL)
		q->head = it;
	else
		q->tail->next = it;
	q->tail = it;
	q->depth++;
}

struct gcd_item *
gcd__pop(struct gcd_queue *q)
{
	struct gcd_item *it = q->head;

	if (it == NULL)
		return NULL;
	q->head = it->next;
	if (q->head == NULL)
		q->tail = NULL;
	q->depth--;
	it->next = NULL;
	return it;
}

void
gcd__push(struct gcd_queue *q, struct gcd_item *it)
{
	int was_empty;

	switch (q->kind) {
	case GCD_ROOT:
		was_empty = q->depth == 0;
		fifo_push(q, it);
		probe_q(q, PROBE_QUEUE_PUSH, NULL, (int64_t)q->depth);
		if (was_empty && !q->req)
			gcd__request(q->pool, q);
		break;
	case GCD_SERIAL:
		fifo_push(q, it);
		probe_q(q, PROBE_QUEUE_PUSH, NULL, (int64_t)q->depth);
		if (q->owner == NULL && !q->enqueued) {
			q->enqueued = 1;
			gcd__push(q->target, &q->wakeup);
		}
		break;
	case GCD_CONCURRENT:
		if (q->inflight < q->width) {
			q->inflight++;
			probe_q(q, PROBE_QUEUE_PUSH, NULL, 0);
			gcd__push(q->target, it);
		} else {
			fifo_push(q, it);
			probe_q(q, PROBE_QUEUE_PUSH, NULL, (int64_t)q->depth);
		}
		break;
	}
}

void
gcd_async(struct gcd_queue *q, struct gcd_item *it)
{
	it->kind = GCD_ITEM_WORK;
	it->from = q;
	gcd__push(q, it);
	gcd__queued(q->pool, q, 1);
}

void
gcd_done(struct gcd_item *it)
{
	struct gcd_queue *q = it->from;
	struct gcd_item *next;

	if (q == NULL || q->kind != GCD_CONCURRENT)
		return;
	q->inflight--;
	if ((next = gcd__pop(q)) != NULL) {
		q->inflight++;
		gcd__push(q->target, next);
	}
}

static void
held_push(struct gcd_thread *t, struct gcd_queue *q)
{
	XGROW(t->held, t->nheld + 1, t->aheld);
	t->held[t->nheld++] = q;
}

/* t takes the drain lock of serial q. */
static void
acquire(struct gcd_thread *t, struct gcd_queue *q)
{
	q->owner = t;
	held_push(t, q);
	probe_q(q, PROBE_QUEUE_ACQUIRE, t, (int64_t)q->depth);
}

/*
 * t gives back the drain lock of q, its innermost held queue.  If work
 * arrived meanwhile (a sync holder leaves items behind), q is woken up
 * again on its target.
 */
static void
release(struct gcd_thread *t, struct gcd_queue *q)
{
	if (t->nheld == 0 || t->held[t->nheld - 1] != q)
		BUG("gcd: releasing a queue that is not the innermost held");
	t->nheld--;
	q->owner = NULL;
	probe_q(q, PROBE_QUEUE_RELEASE, t, (int64_t)q->depth);
	if (q->depth > 0 && !q->enqueued) {
		q->enqueued = 1;
		gcd__push(q->target, &q->wakeup);
	}
}

/* Drainer t meets waiter w in q: q's lock passes to w, which resumes. */
static void
handoff(struct gcd_thread *t, struct gcd_queue *q, struct gcd_thread *w)
{
	t->nheld--;
	probe_q(q, PROBE_QUEUE_RELEASE, t, (int64_t)q->depth);
	w->sync_q = NULL;
	acquire(w, q);
	gcd__wake(q->pool, w);
}

static struct gcd_thread *
sync_waiter(struct gcd_item *it)
{
	return container_of(it, struct gcd_thread, sync_item);
}

static struct gcd_queue *
wakeup_queue(struct gcd_item *it)
{
	return container_of(it, struct gcd_queue, wakeup);
}

enum gcd_next_result
gcd_next(struct gcd_thread *t, struct gcd_item **item)
{
	struct gcd_item *it;
	struct gcd_queue *q;

	for (;;) {
		if (t->nheld > 0) {
			q = t->held[t->nheld - 1];
			if ((it = gcd__pop(q)) == NULL) {
				release(t, q);
				continue;
			}
		} else {
			q = t->root;
			if (q == NULL)
				BUG("gcd_next on a thread that is not bound");
			if ((it = gcd__pop(q)) == NULL) {
				if (gcd__return(t))
					continue;
				return GCD_NEXT_PARKED;
			}
			if (q->depth > 0 && !q->req)
				gcd__request(q->pool, q);
		}
		probe_q(q, PROBE_QUEUE_POP, t, (int64_t)q->depth);
		switch (it->kind) {
		case GCD_ITEM_WORK:
			gcd__queued(q->pool, NULL, -1);
			*item = it;
			return GCD_NEXT_WORK;
		case GCD_ITEM_QUEUE:
			wakeup_queue(it)->enqueued = 0;
			acquire(t, wakeup_queue(it));
			break;
		case GCD_ITEM_SYNC:
			handoff(t, q, sync_waiter(it));
			break;
		}
	}
}

/* The queue whose drain lock a sync onto q needs: q or a serial target. */
static struct gcd_queue *
lock_queue(struct gcd_queue *q)
{
	for (; q != NULL && q->kind != GCD_ROOT; q = q->target)
		if (q->kind == GCD_SERIAL)
			return q;
	return NULL;
}

static int
chain_has(const struct gcd_queue *chain, const struct gcd_queue *q)
{
	for (; chain != NULL && chain->kind != GCD_ROOT; chain = chain->target)
		if (chain == q)
			return 1;
	return 0;
}

int
gcd_sync_would_crash(const struct gcd_thread *t, const struct gcd_queue *q)
{
	for (; q != NULL && q->kind != GCD_ROOT; q = q->target) {
		if (q->kind != GCD_SERIAL)
			continue;
		for (uint32_t i = 0; i < t->nheld; i++)
			if (chain_has(t->held[i], q))
				return 1;
	}
	return 0;
}

enum gcd_sync_result
gcd_sync_begin(struct gcd_thread *t, struct gcd_queue *q)
{
	struct gcd_queue *lq;

	if (gcd_sync_would_crash(t, q))
		return GCD_SYNC_CRASH;
	if ((lq = lock_queue(q)) == NULL)
		return GCD_SYNC_RUN;
	if (lq->owner == NULL && lq->depth == 0 && !lq->enqueued) {
		acquire(t, lq);
		return GCD_SYNC_RUN;
	}
	t->sync_item.kind = GCD_ITEM_SYNC;
	t->sync_item.from = lq;
	t->sync_q = lq;
	gcd__push(lq, &t->sync_item);
	return GCD_SYNC_WAIT;
}

void
gcd_sync_end(struct gcd_thread *t, struct gcd_queue *q)
{
	struct gcd_queue *lq = lock_queue(q);

	if (lq != NULL)
		release(t, lq);
}

struct gcd_queue *
gcd_thread_queue(const struct gcd_thread *t)
{
	return t->nheld > 0 ? t->held[t->nheld - 1] : NULL;
}
