/*
 * interp.c - the action interpreter: runs a thread's frame stack until it
 * waits, parks or dies.
 *
 * A program (DESIGN §4) is a list of actions; `if`, `repeat`, `sync`
 * bodies, async blocks, ES handlers and daemon services push a frame, and
 * the end of a frame does what its kind says (loop again, release the
 * queue, end the handler, reply to the caller...).  The run-time depth of
 * C calls is therefore constant, whatever the nesting of the program.
 * Driver frames sit at the bottom of long-lived threads and decide what
 * comes next when everything above them is done: the next block of a
 * workqueue thread (gcd_next), the next request of a daemon worker, the
 * next syscall of a closed-loop workload thread.
 *
 * The current message context (the ES message a handler handles) is kept
 * in every frame: nested frames inherit it, async blocks and XPC requests
 * take a reference to it, so `$path`, `respond` and the conditions work
 * from wherever the handler's work goes.  Conditions are evaluated
 * recursively over their own (small, static) tree.
 *
 * `respond` acts on the current message only when the running thread
 * belongs to the message's client (a daemon cannot answer for a client);
 * outside a message context it does nothing, as do `reply` outside a
 * service and `unlock` of a lock the thread does not hold.  A thread that
 * runs W_SPIN_LIMIT actions without time passing (a `repeat forever` of
 * instantaneous actions) is stopped with a PROBE_SPIN.
 */
#include <string.h>

#include "core/dist.h"
#include "core/err.h"
#include "es/wint.h"

static const struct evtype *
auth_open(void)
{
	static const struct evtype *t;

	if (t == NULL)
		t = evtype_by_name("AUTH_OPEN");
	return t;
}

static int
cond_eval(struct w_thread *t, const struct m_cond *c,
    const struct esk_msg *ctx)
{
	const struct w_path *p = ctx != NULL ? &ctx->ev->path : NULL;
	size_t i, n;

	switch (c->kind) {
	case M_COND_PATH_PREFIX:
		n = strlen(c->str);
		return p != NULL && p->s != NULL && p->len >= n &&
		    memcmp(p->s, c->str, n) == 0;
	case M_COND_PATH:
		n = strlen(c->str);
		return p != NULL && p->s != NULL && p->len == n &&
		    memcmp(p->s, c->str, n) == 0;
	case M_COND_EVENT:
		return ctx != NULL && ctx->ev->type == c->event;
	case M_COND_PROCESS:
		return ctx != NULL && ctx->ev->proc->m == c->process;
	case M_COND_P:
		return rng_uniform(&t->proc->rng) < c->p;
	case M_COND_NOT:
		return !cond_eval(t, c->sub, ctx);
	case M_COND_ALL:
		for (i = 0; i < c->nsub; i++)
			if (!cond_eval(t, &c->sub[i], ctx))
				return 0;
		return 1;
	case M_COND_ANY:
		for (i = 0; i < c->nsub; i++)
			if (cond_eval(t, &c->sub[i], ctx))
				return 1;
		return 0;
	}
	return 0;
}

static void
set_path(struct esk_event *ev, struct w_path *dst,
    const struct m_pathspec *ps, struct w_thread *t,
    const struct esk_msg *ctx)
{
	char buf[1024];
	struct w_path p;
	int stable;

	if (ps->kind == M_PATH_NONE)
		return;
	workload_path(ps, &t->proc->rng, ctx, &p, buf, sizeof(buf));
	stable = ps->kind == M_PATH_LITERAL || ps->kind == M_PATH_CHOICE;
	esk_event_path(ev, dst, p.s, p.len, stable);
}

static void
do_syscall(struct w_thread *t, const struct m_action *a,
    const struct esk_msg *ctx)
{
	struct world *w = t->proc->w;
	struct esk_event *ev = esk_event_new(w, t->proc, a->u.sys.type);

	set_path(ev, &ev->path, &a->u.sys.path, t, ctx);
	set_path(ev, &ev->target, &a->u.sys.target, t, ctx);
	esk_issue(w, t, ev);
}

static struct gcd_queue *
proc_queue(struct w_thread *t, const struct m_queue *mq)
{
	if ((size_t)mq->id >= t->proc->m->nqueues)
		BUG("queue %s is not a queue of process %s", mq->name,
		    t->proc->m->name);
	return t->proc->queues[mq->id];
}

static void
do_async(struct w_thread *t, const struct m_action *a, struct esk_msg *ctx)
{
	struct world *w = t->proc->w;
	struct w_work *wk = pool_get(&w->work_pool);

	memset(wk, 0, sizeof(*wk));
	wk->item.tag = W_TAG_ASYNC;
	wk->prog = &a->u.gcd.body;
	wk->proc = t->proc;
	wk->ctx = ctx;
	if (ctx != NULL)
		esk_msg_ref(ctx);
	gcd_async(proc_queue(t, a->u.gcd.queue), &wk->item);
}

static void
sync_crash(struct w_thread *t, struct gcd_queue *q)
{
	struct world *w = t->proc->w;
	struct probe_ev ev;

	if (probe_on(&w->bus, PROBE_SYNC_CRASH)) {
		probe_ev_init(&ev, PROBE_SYNC_CRASH, loop_now(&w->loop));
		th_ref(t, &ev.thread);
		ev.process = t->proc->m->id;
		ev.obj.kind = PROBE_OBJ_QUEUE;
		ev.obj.id = q->id;
		ev.obj.p = q;
		probe_emit(&w->bus, &ev);
	}
	world__proc_kill(t->proc, PROBE_KILL_SYNC_CRASH);
}

static void
do_sync(struct w_thread *t, const struct m_action *a, struct esk_msg *ctx)
{
	struct gcd_queue *q = proc_queue(t, a->u.gcd.queue);
	struct gcd_thread *owner;

	switch (gcd_sync_begin(&t->gcd, q)) {
	case GCD_SYNC_CRASH:
		sync_crash(t, q);
		break;
	case GCD_SYNC_RUN:
		th_push(t, FR_SYNC, &a->u.gcd.body, q, ctx);
		break;
	case GCD_SYNC_WAIT:
		t->pending = a;
		owner = t->gcd.sync_q->owner;
		th_wait(t, PROBE_WAIT_SYNC, q, NULL,
		    owner != NULL ? owner->id : 0,
		    owner != NULL ? owner->obj : NULL);
		break;
	}
}

static void
probe_lock(struct w_thread *t, enum probe_kind k, const struct w_lock *l)
{
	struct world *w = t->proc->w;
	struct probe_ev ev;

	if (!probe_on(&w->bus, k))
		return;
	probe_ev_init(&ev, k, loop_now(&w->loop));
	th_ref(t, &ev.thread);
	ev.process = t->proc->m->id;
	ev.obj.kind = PROBE_OBJ_LOCK;
	ev.obj.id = (uint64_t)t->proc->m->id << 16 |
	    (uint64_t)(l - t->proc->locks);
	ev.obj.p = l;
	probe_emit(&w->bus, &ev);
}

static void
do_lock(struct w_thread *t, const struct m_lock *ml)
{
	struct w_lock *l = &t->proc->locks[ml->id];

	if (l->owner == NULL) {
		l->owner = t;
		probe_lock(t, PROBE_LOCK, l);
		return;
	}
	th_wait(t, PROBE_WAIT_LOCK, l, &l->waiters, l->owner->id, l->owner);
}

static void
do_unlock(struct w_thread *t, const struct m_lock *ml)
{
	struct w_lock *l = &t->proc->locks[ml->id];
	struct w_thread *n;

	if (l->owner != t)
		return;
	probe_lock(t, PROBE_UNLOCK, l);
	l->owner = n = l->waiters.head;
	if (n != NULL) {
		th_wake(n);
		probe_lock(n, PROBE_LOCK, l);
	}
}

static void
do_respond(struct w_thread *t, const struct m_action *a, struct esk_msg *m)
{
	struct world *w = t->proc->w;
	uint32_t flags = 0;
	int allow = a->u.respond.allow, cache = a->u.respond.cache;

	if (m == NULL || m->client->proc != t->proc ||
	    !evtype_is_auth(m->ev->type))
		return;
	if (cache < 0)
		cache = m->client->m->cache;
	if (m->ev->type == auth_open()) {
		flags = a->u.respond.has_flags ? a->u.respond.flags :
		    allow ? UINT32_MAX : 0;
		allow = (flags & ESK_OPEN_FFLAGS) == ESK_OPEN_FFLAGS;
	}
	esk_respond(w, m, allow, flags, cache);
}

static void
do_set(struct w_thread *t, const struct m_flag *mf)
{
	struct world *w = t->proc->w;
	struct w_flag *f = &w->flags[mf->id];
	struct w_thread *n;
	struct probe_ev ev;
	int first = !f->set;

	if (first) {
		f->set = 1;
		f->first = loop_now(&w->loop);
	}
	if (probe_on(&w->bus, PROBE_FLAG_SET)) {
		probe_ev_init(&ev, PROBE_FLAG_SET, loop_now(&w->loop));
		th_ref(t, &ev.thread);
		ev.process = t->proc->m->id;
		ev.obj.kind = PROBE_OBJ_FLAG;
		ev.obj.id = (uint64_t)mf->id;
		ev.obj.p = mf;
		ev.value = first;
		probe_emit(&w->bus, &ev);
	}
	while ((n = f->waiters.head) != NULL)
		th_wake(n);
}

static void
do_wait_flag(struct w_thread *t, const struct m_flag *mf)
{
	struct w_flag *f = &t->proc->w->flags[mf->id];

	if (!f->set)
		th_wait(t, PROBE_WAIT_FLAG, (void *)mf, &f->waiters, 0, NULL);
}

static void
do_reply(struct w_thread *t)
{
	for (uint32_t i = t->nfr; i-- > 0;)
		if (t->fr[i].kind == FR_SERVICE) {
			struct w_request *r = t->fr[i].obj;

			if (!r->replied)
				daemon_reply(t->proc->w, r);
			return;
		}
}

static void
exec(struct w_thread *t, const struct m_action *a, struct esk_msg *ctx)
{
	struct world *w = t->proc->w;
	const struct m_program *body;

	switch (a->kind) {
	case M_ACT_CPU:
		th_cpu(t, dist_sample(a->u.dur, &t->proc->rng));
		break;
	case M_ACT_SLEEP:
		th_sleep(t, dist_sample(a->u.dur, &t->proc->rng));
		break;
	case M_ACT_SYSCALL:
		do_syscall(t, a, ctx);
		break;
	case M_ACT_CALL:
	case M_ACT_SEND:
		daemon_call(w, t, a->u.xpc.daemon, a->u.xpc.service, ctx,
		    a->kind == M_ACT_CALL);
		break;
	case M_ACT_REPLY:
		do_reply(t);
		break;
	case M_ACT_ASYNC:
		do_async(t, a, ctx);
		break;
	case M_ACT_SYNC:
		do_sync(t, a, ctx);
		break;
	case M_ACT_LOCK:
		do_lock(t, a->u.lock);
		break;
	case M_ACT_UNLOCK:
		do_unlock(t, a->u.lock);
		break;
	case M_ACT_RESPOND:
		do_respond(t, a, ctx);
		break;
	case M_ACT_RETAIN:
		if (ctx != NULL)
			esk_retain(w, t, ctx);
		break;
	case M_ACT_SET:
		do_set(t, a->u.flag);
		break;
	case M_ACT_WAIT_FLAG:
		do_wait_flag(t, a->u.flag);
		break;
	case M_ACT_IF:
		body = cond_eval(t, &a->u.cond.cond, ctx) ? &a->u.cond.then :
		    &a->u.cond.els;
		if (body->n > 0)
			th_push(t, FR_PROG, body, NULL, ctx);
		break;
	case M_ACT_REPEAT:
		if (a->u.repeat.count == 0 || a->u.repeat.body.n == 0)
			break;
		th_push(t, FR_REPEAT, &a->u.repeat.body, NULL, ctx);
		t->fr[t->nfr - 1].count = a->u.repeat.count;
		break;
	}
}

static void
work_end(struct w_thread *t, struct gcd_item *it)
{
	struct world *w = t->proc->w;
	struct w_work *wk;

	gcd_done(it);
	if (it->tag == W_TAG_DELIVERY) {
		esk_handler_end(w, t, container_of(it, struct esk_msg, item));
		return;
	}
	wk = container_of(it, struct w_work, item);
	if (wk->ctx != NULL)
		esk_msg_unref(w, wk->ctx);
	pool_put(&w->work_pool, wk);
}

static void
worker_next(struct w_thread *t)
{
	struct world *w = t->proc->w;
	struct gcd_item *it;
	struct esk_msg *m;
	struct w_work *wk;

	if (gcd_next(&t->gcd, &it) == GCD_NEXT_PARKED) {
		t->state = TH_PARKED;
		return;
	}
	if (it->tag == W_TAG_DELIVERY) {
		m = container_of(it, struct esk_msg, item);
		th_push(t, FR_WORK, esk_handler(m->client, m->ev->type), it, m);
		esk_handler_start(w, t, m);
	} else {
		wk = container_of(it, struct w_work, item);
		th_push(t, FR_WORK, wk->prog, it, wk->ctx);
	}
}

static void
frame_end(struct w_thread *t)
{
	struct frame *f = &t->fr[t->nfr - 1];
	void *obj = f->obj;

	switch (f->kind) {
	case FR_REPEAT:
		if (f->count < 0 || --f->count > 0) {
			f->pc = 0;
			return;
		}
		th_pop(t);
		break;
	case FR_SYNC:
		th_pop(t);
		gcd_sync_end(&t->gcd, obj);
		break;
	case FR_WORK:
		th_pop(t);
		work_end(t, obj);
		break;
	case FR_SERVICE:
		th_pop(t);
		daemon_request_done(t->proc->w, obj);
		break;
	case FR_INIT:
		th_pop(t);
		client_subscribe(t->proc->client);
		break;
	case FR_WORKER:
		worker_next(t);
		break;
	case FR_LISTENER:
		daemon_next(t);
		break;
	case FR_SOURCE:
		workload_source_step(t);
		break;
	case FR_ONESHOT:
		if (f->count == 0) {
			f->count = 1;
			esk_issue(t->proc->w, t, obj);
		} else {
			th_pop(t);
		}
		break;
	default:		/* FR_PROG, FR_MAIN */
		th_pop(t);
		break;
	}
}

static void
spin(struct w_thread *t)
{
	struct world *w = t->proc->w;
	struct probe_ev ev;

	if (probe_on(&w->bus, PROBE_SPIN)) {
		probe_ev_init(&ev, PROBE_SPIN, loop_now(&w->loop));
		th_ref(t, &ev.thread);
		ev.process = t->proc->m->id;
		ev.value = W_SPIN_LIMIT;
		probe_emit(&w->bus, &ev);
	}
	th_kill(t);
}

void
interp_run(struct w_thread *t)
{
	unsigned budget = W_SPIN_LIMIT;
	struct esk_event *held = t->held_ev;

	t->state = TH_RUNNING;
	if (held != NULL) {
		t->held_ev = NULL;
		esk_resume(t->proc->w, t, held);
	}
	while (t->state == TH_RUNNING) {
		struct frame *f;

		if (t->nfr == 0) {
			th_exit(t);
			return;
		}
		if (--budget == 0) {
			spin(t);
			return;
		}
		f = &t->fr[t->nfr - 1];
		if (f->prog != NULL && f->pc < f->prog->n)
			exec(t, &f->prog->acts[f->pc++], f->ctx);
		else
			frame_end(t);
	}
}
