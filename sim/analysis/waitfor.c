/*
 * waitfor.c - the wait-for graph and its deadlocks; see waitfor.h.
 *
 * The graph is not stored as edges.  Each object that can wait keeps the
 * one fact that decides what it waits for (a thread: its wait and the
 * object; a message: queued, handled by a thread, retained; a request:
 * queued or served by a worker), and succ() derives the out-edges on
 * demand.  The objects, and the edges between them:
 *
 *   thread   -> event (verdict), request (call), lock, queue (sync)
 *   event    -> every unanswered AUTH message of it          (all needed)
 *   message  -> its client's delivery queue (queued), the thread running
 *               its handler, or the client's pool (retained)
 *   delivery -> the thread running the current handler (serial queue),
 *               or the pool (concurrent delivery queue)
 *   request  -> the worker serving it, or its daemon's request queue
 *   daemon   -> every worker of the daemon                  (any one will do)
 *   pool     -> every pool thread, when the pool has reached its
 *               constrained cap                             (any one will do)
 *   lock, queue -> the thread holding it
 *   thread   -> flag (wait_flag), when its setters are known
 *   flag     -> every live thread that may set it            (any one will do)
 *
 * The start of a handler is followed (MSG_HANDLER_START); its end is not:
 * whether the thread still runs it is asked of the world when it matters
 * (an_in_handler(), wf__dq_thread(), wf__msg_settle()), which saves a
 * probe and a callback per message.  A message whose handler ended
 * becomes retained or ended then (settled), as it would have at the end;
 * no cycle can have ended there unnoticed, as the handler's thread, in
 * any cycle through the message, had to wake first.
 *
 * A flag's setters are known when every "set" of it in the model is in
 * the main program of a process (directly, or in an if, repeat or sync
 * body, which run on the same thread): then exactly the threads running
 * those programs can set it, and a flag wait is stuck when all of them
 * are.  A "set" in a handler, a service, an async block or a client's
 * init may run on a thread that does not exist yet (the next message,
 * request or block), so a wait for such a flag adds no edge: its setter
 * may just be late, and a late setter is no deadlock.  A setter that
 * sleeps, computes or waits for a core is not stuck, so a flag whose
 * setter is merely slow never closes a cycle.  A setter thread that has
 * already passed its "set" (a branch not taken) is still counted as one:
 * the flag is then reported free, never falsely stuck.
 *
 * A check starts from the object whose out-edge was just added, collects
 * what it reaches (a handful of objects: each thread waits for one thing),
 * and reduces that subgraph: a node with no successor is free, an "all
 * needed" node is free when every successor is, an "any one will do" node
 * when one is; repeated until nothing changes.  If the start is still
 * stuck, a walk along stuck successors finds the cycle.  The reduction is
 * what keeps the "any one will do" nodes honest: a queued request behind
 * four workers is deadlocked only when all four are.  Idle pool threads
 * wait for nothing, so a pool with one is never stuck.
 *
 * Nodes of a reported cycle are marked with its instance; the first time
 * any of them changes (a wake, an answer, a death), the instance ends and
 * the marks go.  Every path that frees an object changes it first, so a
 * mark never outlives its object.
 *
 * Only the AUTH events raised by threads with records (an-int.h) are
 * followed, with their messages: a verdict is a node only as what such a
 * thread waits for, and a thread without a record is in no cycle.  On a
 * workload of plain processes opening files the event and message tables
 * stay empty.  Names come from the world's namer, at
 * the moment of reporting, through the refs kept when the objects were
 * first seen (the objects are alive while they are in our tables).
 *
 * Costs per probe are O(1) but for the checks, which run only when a
 * thread that something can wait for (a holder of a queue or lock, a
 * handler, a worker, a pool thread) starts a wait with an owner.  Events
 * come from a free list and are found by id in a hash map; messages hang
 * off their event and their client's queue and are found without one
 * (the client's current handler or queue head, else the event's list);
 * threads are handed in by the dispatcher; queues and locks are arrays
 * indexed by id.  This file keeps the graph; wf-check.c checks it and
 * reports.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/wf-int.h"
#include "core/xalloc.h"

static int	retained(struct wf *w, int proc);

/* ---- records ---------------------------------------------------------- */

struct vnode *
wf__queue_res(struct wf *w, uint64_t id)
{
	if (id >= w->nqueues) {
		size_t n = id + 16;

		w->queues = xreallocarray(w->queues, n, sizeof(*w->queues));
		memset(w->queues + w->nqueues, 0,
		    (n - w->nqueues) * sizeof(*w->queues));
		for (size_t i = w->nqueues; i < n; i++)
			w->queues[i].h.kind = N_RES;
		w->nqueues = n;
	}
	return &w->queues[id];
}

struct vnode *
wf__lock_res(struct wf *w, uint64_t id)
{
	int p = AN_LOCK_PROC(id);

	if (p < 0 || (size_t)p >= w->m->nprocs ||
	    AN_LOCK_INDEX(id) >= w->m->procs[p]->nlocks)
		return NULL;
	return &w->locks[w->lock_base[p] + AN_LOCK_INDEX(id)];
}

static struct ev *
ev_get(struct wf *w, uint64_t id)
{
	struct ev *e;

	if (w->last_ev != NULL && w->last_ev->id == id)
		return w->last_ev;
	if ((e = idmap_get(&w->evs, id)) == NULL) {
		if ((e = w->free_evs) != NULL)
			w->free_evs = e->fnext;
		else
			e = xmalloc(sizeof(*e));
		memset(e, 0, sizeof(*e));
		e->h.kind = N_EVENT;
		e->id = id;
		idmap_put(&w->evs, id, e);
	}
	return w->last_ev = e;
}

/* The event of id if it is followed (ev_get() made it), else NULL. */
static struct ev *
ev_find(struct wf *w, uint64_t id)
{
	if (w->last_ev != NULL && w->last_ev->id == id)
		return w->last_ev;
	return w->evs.n > 0 ? idmap_get(&w->evs, id) : NULL;
}

/* ---- probes ----------------------------------------------------------- */

/*
 * An AUTH event raised by a thread with a record is followed: its
 * messages are kept from their MSG_ENQUEUE on.  Events of threads without
 * one (nothing can wait for them, an-int.h) are not: no check ever
 * reaches them, since a thread cannot gain a record while it waits for a
 * verdict.
 */
void
wf_syscall(struct wf *w, const struct probe_ev *ev, struct an_thread *t)
{
	(void)t;
	if (evtype_is_auth(ev->evtype))
		ev_get(w, ev->event)->ref = ev->obj;
}

/* Whether t runs the main program of a process that sets a known flag. */
static int
is_setter(const struct wf *w, const struct an_thread *t)
{
	return t->role == PROBE_ROLE_MAIN && w->setter[t->proc];
}

void
wf_wake(struct wf *w, const struct probe_ev *ev, struct an_thread *t)
{
	wf__touch(w, &t->wf.h, ev->t, "stopped waiting");
	if (t->wf.wait == PROBE_WAIT_FLAG && wf__flag_known(w, t->wf.wobj))
		w->flags[t->wf.wobj].nwaiting--;
	t->wf.wait = PROBE_WAIT_NONE;
}

void
wf_wait(struct wf *w, const struct probe_ev *ev, struct an_thread *t)
{
	struct vnode *v;

	t->wf.wait = (uint8_t)ev->wait;
	t->wf.wobj = ev->obj.id;
	t->wf.wait_t = ev->t;
	switch (ev->wait) {
	case PROBE_WAIT_VERDICT:
		ev_get(w, ev->obj.id)->ref = ev->obj;
		break;
	case PROBE_WAIT_LOCK:
		if ((v = wf__lock_res(w, ev->obj.id)) != NULL)
			v->ref = ev->obj;
		break;
	case PROBE_WAIT_SYNC:
		wf__queue_res(w, ev->obj.id)->ref = ev->obj;
		break;
	case PROBE_WAIT_CALL:
		break;
	case PROBE_WAIT_FLAG:
		if (!wf__flag_known(w, ev->obj.id))
			return;		/* setters unknown: no edge */
		v = &w->flags[ev->obj.id];
		v->nwaiting++;
		if (v->ref.p == NULL)
			v->ref = ev->obj;
		break;
	default:
		return;		/* no owner: the wait adds no edge */
	}
	/*
	 * A cycle through t needs an edge into t: t holds a queue or lock,
	 * runs a handler, or is a worker or pool thread (the "any" nodes).
	 * A waiting thread gains none of these, so a plain thread (the
	 * workload's) waiting for a verdict cannot close a cycle.  (Handlers
	 * run on pool threads only.)
	 */
	if (t->role == PROBE_ROLE_POOL || t->role == PROBE_ROLE_WORKER ||
	    t->nlocks > 0 || is_setter(w, t) || an_holds_queue(w->bus, t))
		wf__check(w, &t->wf.h, ev->t);
	/* The flags this thread may set, if someone waits for them. */
	if (is_setter(w, t))
		for (size_t i = 0; i < w->m->nflags; i++)
			if (w->flags[i].nwaiting > 0 && wf__flag_known(w, i) &&
			    wf__sets(w, i, t->proc))
				wf__check(w, &w->flags[i].h, ev->t);
	/* The "any one will do" nodes this thread is a successor of. */
	if (t->role == PROBE_ROLE_WORKER &&
	    w->m->procs[t->proc]->daemon != NULL) {
		v = &w->dd[w->m->procs[t->proc]->daemon->id];
		if (v->nqueued > 0)
			wf__check(w, &v->h, ev->t);
	}
	if (t->role == PROBE_ROLE_POOL && wf__at_cap(w, t->proc) &&
	    retained(w, t->proc))
		wf__check(w, &w->pool[t->proc].h, ev->t);
}

static void
list_add(struct wf *w, struct an_thread *t)
{
	t->wf.pnext = w->plist[t->proc];
	t->wf.pprev = NULL;
	if (t->wf.pnext != NULL)
		t->wf.pnext->wf.pprev = t;
	w->plist[t->proc] = t;
	t->wf.listed = 1;
}

void
wf_thread(struct wf *w, const struct probe_ev *ev, struct an_thread *t)
{
	if (ev->role == PROBE_ROLE_POOL)
		w->pool[ev->process].nthreads +=
		    ev->kind == PROBE_THREAD_SPAWN ? 1 : -1;
	if (t == NULL)
		return;
	if (ev->kind == PROBE_THREAD_SPAWN) {
		if (t->role == PROBE_ROLE_POOL || t->role == PROBE_ROLE_WORKER ||
		    is_setter(w, t))
			list_add(w, t);
		/* A new setter: a flag stuck on the others is free again. */
		if (is_setter(w, t))
			for (size_t i = 0; i < w->m->nflags; i++)
				if (wf__flag_known(w, i) &&
				    wf__sets(w, i, t->proc))
					wf__touch(w, &w->flags[i].h, ev->t,
					    "gained a setter");
		return;
	}
	wf__touch(w, &t->wf.h, ev->t, "exited");
	if (t->wf.wait == PROBE_WAIT_FLAG && wf__flag_known(w, t->wf.wobj))
		w->flags[t->wf.wobj].nwaiting--;
	t->wf.wait = PROBE_WAIT_NONE;
	if (!t->wf.listed)
		return;
	if (t->wf.pprev != NULL)
		t->wf.pprev->wf.pnext = t->wf.pnext;
	else
		w->plist[t->proc] = t->wf.pnext;
	if (t->wf.pnext != NULL)
		t->wf.pnext->wf.pprev = t->wf.pprev;
	t->wf.listed = 0;
}

static void
dq_unlink(struct wf *w, struct msg *mg)
{
	struct vnode *dq = &w->dq[mg->client];

	if (mg->qprev != NULL)
		mg->qprev->qnext = mg->qnext;
	else
		dq->qhead = mg->qnext;
	if (mg->qnext != NULL)
		mg->qnext->qprev = mg->qprev;
	else
		dq->qtail = mg->qprev;
	mg->qnext = mg->qprev = NULL;
}

static void
msg_state(struct wf *w, struct msg *mg, int state)
{
	struct vnode *pool = &w->pool[w->m->clients[mg->client]->proc->id];

	if (mg->state == M_QUEUED)
		dq_unlink(w, mg);
	if (mg->rlisted) {
		if (mg->rprev != NULL)
			mg->rprev->rnext = mg->rnext;
		else
			pool->rhead = mg->rnext;
		if (mg->rnext != NULL)
			mg->rnext->rprev = mg->rprev;
		mg->rlisted = 0;
	}
	pool->nretained -= mg->state == M_RETAINED;
	mg->state = (uint8_t)state;
	pool->nretained += state == M_RETAINED;
}

static void
msg_free(struct wf *w, struct msg *mg, int64_t t, const char *verb)
{
	wf__touch(w, &mg->h, t, verb);
	msg_state(w, mg, M_ENDED);
	if (mg->ev != NULL) {
		wf__touch(w, &mg->ev->h, t, "got an answer");
		if (mg->eprev != NULL)
			mg->eprev->enext = mg->enext;
		else
			mg->ev->msgs = mg->enext;
		if (mg->enext != NULL)
			mg->enext->eprev = mg->eprev;
	}
	mg->qnext = w->free_msgs;
	w->free_msgs = mg;
}

void
wf_enqueue(struct wf *w, const struct probe_ev *ev)
{
	struct vnode *dq;
	struct msg *mg;
	struct ev *e;

	if (w->evs.n == 0 || !evtype_is_auth(ev->evtype) ||
	    (e = ev_find(w, ev->event)) == NULL)
		return;		/* an event nothing can wait for */
	dq = &w->dq[ev->client];
	if ((mg = w->free_msgs) != NULL)
		w->free_msgs = mg->qnext;
	else
		mg = xmalloc(sizeof(*mg));
	memset(mg, 0, sizeof(*mg));
	mg->h.kind = N_MSG;
	mg->id = ev->msg;
	mg->client = ev->client;
	mg->ref = ev->obj;
	mg->state = M_QUEUED;
	mg->ev = e;
	mg->qprev = dq->qtail;
	if (dq->qtail != NULL)
		dq->qtail->qnext = mg;
	else
		dq->qhead = mg;
	dq->qtail = mg;
	mg->enext = e->msgs;
	if (e->msgs != NULL)
		e->msgs->eprev = mg;
	e->msgs = mg;
}

/*
 * The message of ev: the one its client's handler runs or the next queued
 * one, as a rule; else among its event's messages.  Callers ask only when
 * some event is followed (w->evs.n > 0): else there is no message.
 */
static struct msg *
msg_find(struct wf *w, const struct probe_ev *ev)
{
	struct vnode *dq = &w->dq[ev->client];
	struct an_thread *h;
	struct msg *mg;
	struct ev *e;

	h = an_ref_get(&dq->owner);
	if (h != NULL && (mg = h->wf.hmsg) != NULL && mg->id == ev->msg)
		return mg;
	if (dq->qhead != NULL && dq->qhead->id == ev->msg)
		return dq->qhead;
	e = ev_find(w, ev->event);
	for (mg = e != NULL ? e->msgs : NULL; mg != NULL; mg = mg->enext)
		if (mg->id == ev->msg)
			return mg;
	return NULL;
}

/* MSG_HANDLER_START. */
void
wf_handler(struct wf *w, const struct probe_ev *ev, struct an_thread *t)
{
	struct vnode *dq = &w->dq[ev->client];
	struct msg *mg;

	wf__touch(w, &dq->h, ev->t, "moved on");
	mg = w->evs.n > 0 && evtype_is_auth(ev->evtype) ? msg_find(w, ev) :
	    NULL;
	an_ref_set(&dq->owner, t);
	dq->omsg = ev->msg;
	if (t != NULL)
		t->wf.hmsg = mg;
	if (mg != NULL) {
		wf__touch(w, &mg->h, ev->t, "moved on");
		msg_state(w, mg, M_HANDLING);
		an_ref_set(&mg->thread, t);
	}
}

/* The thread running the handler dq started last, if it still does. */
struct an_thread *
wf__dq_thread(const struct wf *w, const struct vnode *dq)
{
	struct an_thread *t = an_ref_get(&dq->owner);

	return t != NULL && probe_handling(w->bus, &t->ref, NULL) ==
	    dq->omsg ? t : NULL;
}

/*
 * The state of mg as if the end of its handler had been followed: a
 * handled message whose handler is over is retained or ended.  One whose
 * thread is gone (killed in the handler) stays handled by nobody, as no
 * end came.
 */
int
wf__msg_state(const struct wf *w, const struct msg *mg)
{
	const struct an_thread *t;

	if (mg->state == M_HANDLING && (t = an_ref_get(&mg->thread)) != NULL &&
	    probe_handling(w->bus, &t->ref, NULL) != mg->id)
		return mg->retained ? M_RETAINED : M_ENDED;
	return mg->state;
}

/* Make mg's state that. */
void
wf__msg_settle(struct wf *w, struct msg *mg)
{
	int state = wf__msg_state(w, mg);

	if (state != mg->state)
		msg_state(w, mg, state);
}

/* Whether process proc's pool has retained messages whose handlers are
 * over: settles the ones still listed as handled. */
static int
retained(struct wf *w, int proc)
{
	struct vnode *pool = &w->pool[proc];

	for (struct msg *mg = pool->rhead, *next; mg != NULL; mg = next) {
		next = mg->rnext;
		wf__msg_settle(w, mg);
	}
	return pool->nretained > 0;
}

/* The handler no longer points at an answered message. */
static void
forget_handler(struct msg *mg)
{
	struct an_thread *t = mg->state == M_HANDLING ?
	    an_ref_get(&mg->thread) : NULL;

	if (t != NULL && t->wf.hmsg == mg)
		t->wf.hmsg = NULL;
}

void
wf_msg(struct wf *w, const struct probe_ev *ev)
{
	struct msg *mg;
	const char *cn;

	if (ev->kind == PROBE_DEADLINE_MISS) {
		cn = wf__client_name(w, ev->client);
		w->why_t = ev->t;
		if (ev->value == M_MISS_KILL)
			snprintf(w->why, sizeof(w->why), "the %s deadline "
			    "killed %s", ev->evtype->name, cn);
		else
			snprintf(w->why, sizeof(w->why), "%s missed the %s "
			    "deadline (%s)", cn, ev->evtype->name,
			    model_miss_mode_name((enum m_miss_mode)ev->value));
		if (ev->value == M_MISS_KILL)
			return;
	}
	if (w->evs.n == 0 || !evtype_is_auth(ev->evtype) ||
	    (mg = msg_find(w, ev)) == NULL)
		return;		/* no event followed, so no message */
	if (ev->kind == PROBE_MSG_RETAIN) {
		struct vnode *pool =
		    &w->pool[w->m->clients[mg->client]->proc->id];

		if (!mg->retained && mg->state == M_HANDLING) {
			mg->rnext = pool->rhead;
			mg->rprev = NULL;
			if (mg->rnext != NULL)
				mg->rnext->rprev = mg;
			pool->rhead = mg;
			mg->rlisted = 1;
		}
		mg->retained = 1;
		return;
	}
	forget_handler(mg);
	msg_free(w, mg, ev->t, ev->kind == PROBE_MSG_RESPOND ?
	    "was answered" : ev->kind == PROBE_MSG_DROP ? "was dropped" :
	    "missed its deadline");
}

/*
 * SYSCALL_DONE: the event's operation completes, right after its VERDICT
 * or without one (a cache hit, no client).  One probe kind instead of two
 * per syscall.
 */
void
wf_done(struct wf *w, const struct probe_ev *ev)
{
	struct ev *e = w->evs.n > 0 ? idmap_del(&w->evs, ev->event) : NULL;

	if (e == NULL)
		return;
	if (w->last_ev == e)
		w->last_ev = NULL;
	wf__touch(w, &e->h, ev->t, "got its verdict");
	while (e->msgs != NULL) {
		struct msg *mg = e->msgs;

		e->msgs = mg->enext;
		mg->ev = NULL;
		forget_handler(mg);
		msg_free(w, mg, ev->t, "was settled");
	}
	e->fnext = w->free_evs;
	e->id = 0;
	w->free_evs = e;
}

void
wf_req(struct wf *w, const struct probe_ev *ev, struct an_thread *t,
    const struct m_service *svc)
{
	struct req *r = idmap_get(&w->reqs, ev->obj.id);

	switch (ev->kind) {
	case PROBE_CALL:
		r = xcalloc(1, sizeof(*r));
		r->h.kind = N_REQ;
		r->id = ev->obj.id;
		r->ref = ev->obj;
		r->daemon = svc != NULL ? svc->daemon->id : -1;
		if (r->daemon >= 0)
			w->dd[r->daemon].nqueued++;
		idmap_put(&w->reqs, r->id, r);
		break;
	case PROBE_REQUEST_START:
		if (r == NULL)
			break;
		wf__touch(w, &r->h, ev->t, "was taken by a worker");
		if (r->daemon >= 0) {
			wf__touch(w, &w->dd[r->daemon].h, ev->t, "moved on");
			w->dd[r->daemon].nqueued--;
		}
		an_ref_set(&r->worker, t);
		break;
	default:	/* REPLY */
		if (r == NULL)
			break;
		wf__touch(w, &r->h, ev->t, "was answered");
		if (r->worker.id == 0 && r->daemon >= 0)
			w->dd[r->daemon].nqueued--;
		idmap_del(&w->reqs, r->id);
		free(r);
		break;
	}
}

void
wf_owner(struct wf *w, const struct probe_ev *ev, struct an_thread *t)
{
	int lock = ev->kind == PROBE_LOCK || ev->kind == PROBE_UNLOCK;
	struct vnode *v;

	/*
	 * A queue's owner matters only to a thread in dispatch_sync onto
	 * it: a model without "sync" keeps no queue owners.
	 */
	if (!lock && !w->m->has_sync)
		return;
	if ((v = lock ? wf__lock_res(w, ev->obj.id) :
	    wf__queue_res(w, ev->obj.id)) == NULL)
		return;
	v->ref = ev->obj;
	if (ev->kind == PROBE_LOCK || ev->kind == PROBE_QUEUE_ACQUIRE) {
		an_ref_set(&v->owner, t);
	} else if (an_ref_get(&v->owner) == t) {
		wf__touch(w, &v->h, ev->t, "was released");
		an_ref_set(&v->owner, NULL);
	}
}

static void
finish(struct wf *w)
{
	/* Open instances keep "still closed at the end of the run". */
	for (size_t i = 0; i < w->ninst; i++)
		if (w->inst[i].active)
			for (size_t k = 0; k < w->inst[i].n; k++)
				w->inst[i].nodes[k]->inst = 0;
}

/* FLAG_SET, SYNC_CRASH, RUN_END: the kinds without a part of their own. */
void
wf_probe(struct wf *w, const struct probe_ev *ev)
{
	switch (ev->kind) {
	case PROBE_FLAG_SET:
		if (wf__flag_known(w, ev->obj.id))
			wf__touch(w, &w->flags[ev->obj.id].h, ev->t, "was set");
		break;
	case PROBE_SYNC_CRASH:
		w->why_t = ev->t;
		snprintf(w->why, sizeof(w->why), "%s crashed (dispatch_sync "
		    "onto a queue it owns)", w->m->procs[ev->process]->name);
		break;
	case PROBE_RUN_END:
		finish(w);
		break;
	default:
		break;
	}
}

uint64_t
wf_mask(void)
{
	return PROBE_BIT(PROBE_WAIT) | PROBE_BIT(PROBE_WAKE) |
	    PROBE_BIT(PROBE_THREAD_SPAWN) | PROBE_BIT(PROBE_THREAD_EXIT) |
	    PROBE_BIT(PROBE_MSG_ENQUEUE) | PROBE_BIT(PROBE_MSG_HANDLER_START) |
	    PROBE_BIT(PROBE_MSG_RETAIN) |
	    PROBE_BIT(PROBE_MSG_RESPOND) | PROBE_BIT(PROBE_MSG_DROP) |
	    PROBE_BIT(PROBE_DEADLINE_MISS) |
	    PROBE_BIT(PROBE_CALL) | PROBE_BIT(PROBE_REQUEST_START) |
	    PROBE_BIT(PROBE_REPLY) | PROBE_BIT(PROBE_LOCK) |
	    PROBE_BIT(PROBE_UNLOCK) | PROBE_BIT(PROBE_QUEUE_ACQUIRE) |
	    PROBE_BIT(PROBE_QUEUE_RELEASE) | PROBE_BIT(PROBE_SYNC_CRASH) |
	    PROBE_BIT(PROBE_FLAG_SET) | PROBE_BIT(PROBE_SYSCALL) |
	    PROBE_BIT(PROBE_SYSCALL_DONE) | PROBE_BIT(PROBE_RUN_END);
}

int
wf_queue_owners(const struct wf *w)
{
	return w->m->has_sync;
}

int
wf_wants_record(const struct wf *w, int role, int proc)
{
	return role == PROBE_ROLE_MAIN && proc >= 0 &&
	    (size_t)proc < w->m->nprocs && w->setter[proc];
}

/*
 * Where flags are set: in a process's main program (proc >= 0: sets[]),
 * or elsewhere (bad[]: the flag's setters are not known).  Bodies of if,
 * repeat and sync run on the same thread; an async body does not.
 */
static void
scan_sets(struct wf *w, const struct m_program *p, int proc,
    unsigned char *bad)
{
	for (size_t i = 0; p != NULL && i < p->n; i++) {
		const struct m_action *a = &p->acts[i];

		switch (a->kind) {
		case M_ACT_SET:
			if (proc >= 0)
				w->sets[(size_t)a->u.flag->id * w->m->nprocs +
				    (size_t)proc] = 1;
			else
				bad[a->u.flag->id] = 1;
			break;
		case M_ACT_SYNC:
			scan_sets(w, &a->u.gcd.body, proc, bad);
			break;
		case M_ACT_ASYNC:
			scan_sets(w, &a->u.gcd.body, -1, bad);
			break;
		case M_ACT_IF:
			scan_sets(w, &a->u.cond.then, proc, bad);
			scan_sets(w, &a->u.cond.els, proc, bad);
			break;
		case M_ACT_REPEAT:
			scan_sets(w, &a->u.repeat.body, proc, bad);
			break;
		default:
			break;
		}
	}
}

/* Which flags have known setters, and who they are. */
static void
flags_init(struct wf *w)
{
	const struct model *m = w->m;
	unsigned char *bad = xcalloc(m->nflags + 1, 1);

	w->flags = xcalloc(m->nflags + 1, sizeof(*w->flags));
	w->sets = xcalloc(m->nflags * m->nprocs + 1, 1);
	w->setter = xcalloc(m->nprocs + 1, 1);
	for (size_t i = 0; i < m->nprocs; i++)
		scan_sets(w, &m->procs[i]->program, (int)i, bad);
	for (size_t i = 0; i < m->nclients; i++) {
		const struct m_client *c = m->clients[i];

		scan_sets(w, &c->init, -1, bad);
		scan_sets(w, c->handler_default, -1, bad);
		for (int v = 0; v < EVSET_BITS; v++)
			scan_sets(w, c->handler[v], -1, bad);
	}
	for (size_t i = 0; i < m->ndaemons; i++)
		for (size_t k = 0; k < m->daemons[i]->nservices; k++)
			scan_sets(w, &m->daemons[i]->services[k].program, -1,
			    bad);
	for (size_t f = 0; f < m->nflags; f++) {
		int any = 0;

		for (size_t i = 0; i < m->nprocs; i++)
			any |= w->sets[f * m->nprocs + i];
		w->flags[f].index = (int)f;
		w->flags[f].h.kind = any && !bad[f] ? N_FLAG : N_NOFLAG;
		if (w->flags[f].h.kind != N_FLAG)
			continue;
		for (size_t i = 0; i < m->nprocs; i++)
			w->setter[i] |= w->sets[f * m->nprocs + i];
	}
	free(bad);
}

struct wf *
wf_new(const struct model *m, const struct probe_bus *bus,
    struct fd_list *out)
{
	struct wf *w = xcalloc(1, sizeof(*w));
	size_t nlocks = 0;

	w->m = m;
	w->bus = bus;
	w->out = out;
	w->why_t = -1;
	w->dq = xcalloc(m->nclients + 1, sizeof(*w->dq));
	w->dd = xcalloc(m->ndaemons + 1, sizeof(*w->dd));
	w->pool = xcalloc(m->nprocs + 1, sizeof(*w->pool));
	w->plist = xcalloc(m->nprocs + 1, sizeof(*w->plist));
	w->lock_base = xcalloc(m->nprocs + 1, sizeof(*w->lock_base));
	for (size_t i = 0; i < m->nprocs; i++) {
		w->lock_base[i] = nlocks;
		nlocks += m->procs[i]->nlocks;
		w->pool[i].h.kind = N_POOL;
		w->pool[i].index = (int)i;
	}
	w->locks = xcalloc(nlocks + 1, sizeof(*w->locks));
	for (size_t i = 0; i < nlocks; i++)
		w->locks[i].h.kind = N_RES;
	for (size_t i = 0; i < m->nclients; i++) {
		w->dq[i].h.kind = N_DQ;
		w->dq[i].index = (int)i;
	}
	for (size_t i = 0; i < m->ndaemons; i++) {
		w->dd[i].h.kind = N_DAEMON;
		w->dd[i].index = (int)i;
	}
	flags_init(w);
	return w;
}

void
wf_free(struct wf *w)
{
	size_t pos = 0;
	uint64_t k;
	void *v;

	if (w == NULL)
		return;
	while (idmap_next(&w->evs, &pos, &k, &v)) {
		struct ev *e = v;

		while (e->msgs != NULL) {
			struct msg *mg = e->msgs;

			e->msgs = mg->enext;
			free(mg);
		}
		free(e);
	}
	for (pos = 0; idmap_next(&w->reqs, &pos, &k, &v);)
		free(v);
	for (struct msg *mg; (mg = w->free_msgs) != NULL;) {
		w->free_msgs = mg->qnext;
		free(mg);
	}
	for (struct ev *e; (e = w->free_evs) != NULL;) {
		w->free_evs = e->fnext;
		free(e);
	}
	idmap_release(&w->evs);
	idmap_release(&w->reqs);
	for (size_t i = 0; i < w->ninst; i++)
		free(w->inst[i].nodes);
	for (size_t i = 0; i < w->ncls; i++)
		free(w->cls[i].sig);
	free(w->inst);
	free(w->cls);
	free(w->dq);
	free(w->dd);
	free(w->pool);
	free(w->plist);
	free(w->queues);
	free(w->locks);
	free(w->lock_base);
	free(w->flags);
	free(w->sets);
	free(w->setter);
	free(w->vn);
	free(w->vi);
	free(w->se);
	free(w);
}

size_t
wf_deadlocks(const struct wf *w)
{
	return w->ninst;
}

size_t
wf_classes(const struct wf *w)
{
	return w->ncls;
}

size_t
wf_open(const struct wf *w)
{
	return w->nopen;
}
