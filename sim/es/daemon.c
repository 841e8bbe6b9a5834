/*
 * daemon.c - XPC daemons: a listener with a fixed number of worker
 * threads serving requests in FIFO order.
 *
 * A daemon (DESIGN §3: syspolicyd, trustd, diskarbitrationd, mds...) is a
 * process; its `workers` threads each take the oldest request, run the
 * service's program and take the next.  What a service does is real: its
 * syscalls are ES events like any other, delivered to every client that
 * subscribes and does not mute the daemon (that is the loop that makes ES
 * clients deadlock).  A `call` blocks the caller until the reply; `send`
 * does not wait.  The current message context of the caller travels with
 * the request, so a service's `$path` is the path the handler handles.
 *
 * Replies: `reply` answers the caller at once and the service goes on; a
 * service that ends without replying replies at its end.  If the daemon
 * dies with requests in hand or queued, their callers are answered (the
 * XPC connection is interrupted) and go on; a call to a dead daemon
 * returns at once.  The daemon's process is relaunched after
 * es.restart_delay like any crashed process.
 */
#include <string.h>

#include "es/wint.h"

static void
probe_req(struct world *w, enum probe_kind k, const struct w_request *r,
    const struct w_thread *t, int64_t value)
{
	struct probe_ev ev;

	if (!probe_on(&w->bus, k))
		return;
	probe_ev_init(&ev, k, loop_now(&w->loop));
	ev.obj.kind = PROBE_OBJ_REQUEST;
	ev.obj.id = r->id;
	ev.obj.p = r;
	ev.service = r->service;
	if (t != NULL) {
		th_ref(t, &ev.thread);
		ev.process = t->proc->m->id;
	}
	if (r->ctx != NULL) {
		ev.msg = r->ctx->id;
		ev.event = r->ctx->ev->id;
		ev.evtype = r->ctx->ev->type;
		ev.client = r->ctx->client->m->id;
		ev.path = r->ctx->ev->path.s;
	}
	ev.value = value;
	probe_emit(&w->bus, &ev);
}

void
daemon_start(struct w_daemon *d)
{
	for (int i = 0; i < d->m->workers; i++) {
		struct w_thread *t = th_new(d->proc, PROBE_ROLE_WORKER);

		th_push(t, FR_LISTENER, NULL, d, NULL);
		th_ready(t);
	}
}

void
daemon_call(struct world *w, struct w_thread *t, const struct m_daemon *md,
    const struct m_service *ms, struct esk_msg *ctx, int wait)
{
	struct w_daemon *d = &w->daemons[md->id];
	struct w_request *r;

	if (!d->proc->alive)
		return;
	r = pool_get(&w->req_pool);
	memset(r, 0, sizeof(*r));
	r->id = ++w->next_req;
	r->service = ms;
	r->daemon = d;
	r->caller = wait ? t : NULL;
	r->ctx = ctx;
	if (ctx != NULL)
		esk_msg_ref(ctx);
	r->t0 = loop_now(&w->loop);
	if (d->tail != NULL)
		d->tail->next = r;
	else
		d->head = r;
	d->tail = r;
	probe_req(w, wait ? PROBE_CALL : PROBE_SEND, r, t, 0);
	if (d->idle.head != NULL)
		th_wake(d->idle.head);
	if (wait)
		th_wait(t, PROBE_WAIT_CALL, r, NULL, 0, NULL);
}

void
daemon_reply(struct world *w, struct w_request *r)
{
	struct w_thread *caller = r->caller;

	r->replied = 1;
	probe_req(w, PROBE_REPLY, r, caller, loop_now(&w->loop) - r->t0);
	if (caller != NULL) {
		r->caller = NULL;
		th_wake(caller);
	}
}

void
daemon_request_done(struct world *w, struct w_request *r)
{
	if (!r->replied)
		daemon_reply(w, r);
	if (r->ctx != NULL)
		esk_msg_unref(w, r->ctx);
	pool_put(&w->req_pool, r);
}

void
daemon_next(struct w_thread *t)
{
	struct w_daemon *d = t->proc->daemon;
	struct w_request *r = d->head;

	if (r == NULL) {
		th_wait(t, PROBE_WAIT_REQUEST, d, &d->idle, 0, NULL);
		return;
	}
	d->head = r->next;
	if (d->head == NULL)
		d->tail = NULL;
	r->next = NULL;
	probe_req(t->proc->w, PROBE_REQUEST_START, r, t,
	    loop_now(&t->proc->w->loop) - r->t0);
	th_push(t, FR_SERVICE, &r->service->program, r, r->ctx);
}

void
daemon_died(struct w_daemon *d)
{
	struct world *w = d->proc->w;
	struct w_request *r;

	while ((r = d->head) != NULL) {
		d->head = r->next;
		daemon_request_done(w, r);
	}
	d->tail = NULL;
}
