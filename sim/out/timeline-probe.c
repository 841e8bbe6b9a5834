/*
 * timeline-probe.c - what each probe does to the timeline's tracks; see
 * timeline.c for the tracks, slices and flows, and why they bind.
 *
 * One handler per kind of probe.  Records kept between probes: per
 * request (caller, worker, reply), per syscall (its thread, the answers
 * given so far), per client (its queued messages and who raised them, the
 * handler running now: a delivery queue is serial, so at most one), and
 * the message just queued, for the QUEUE_PUSH that follows.  Each goes
 * when its object goes.
 */
#include <stdlib.h>
#include <string.h>

#include "core/evtype.h"
#include "core/xalloc.h"
#include "out/timeline-int.h"

/*
 * Threads, waits, syscalls.
 */

static void
pool_count(struct tl *tl, const struct probe_ev *ev, int d)
{
	int *n = &tl->pool[ev->process];

	*n += d;
	if (tl__room_in(tl, 1))
		tl__counter(&tl->out, ev->process + 1, ev->t, "pool threads",
		    "threads", *n);
}

static void
on_spawn(struct tl *tl, const struct probe_ev *ev)
{
	char name[128];

	idmap_put(&tl->threads, ev->thread.id, tl__track_new(
	    (int64_t)ev->thread.id, ev->process + 1,
	    probe_name(tl->bus, &ev->thread, name, sizeof(name))));
	if (ev->role == PROBE_ROLE_POOL)
		pool_count(tl, ev, 1);
}

static void
on_exit(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_track *tr = idmap_del(&tl->threads, ev->thread.id);

	if (tr != NULL) {
		tl__pop_all(tl, tr, ev->t);
		tl__track_free(tr);
	}
	if (ev->role == PROBE_ROLE_POOL)
		pool_count(tl, ev, -1);
}

/* "syspolicyd.assess" from "syspolicyd.assess request". */
static char *
service_name(struct tl *tl, const struct probe_ev *ev, char *buf, size_t n)
{
	size_t len;

	probe_name(tl->bus, &ev->obj, buf, n);
	len = strlen(buf);
	if (len > 8 && strcmp(buf + len - 8, " request") == 0)
		buf[len - 8] = '\0';
	return buf;
}

static int
wait_shown(enum probe_wait w)
{
	return w != PROBE_WAIT_VERDICT && w != PROBE_WAIT_EARLY_BOOT &&
	    w != PROBE_WAIT_REQUEST && w != PROBE_WAIT_NONE;
}

static void
on_wait(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_track *tr = tl__thread_of(tl, ev);
	char obj[192], name[256];

	if (tr == NULL)
		return;
	if (ev->wait == PROBE_WAIT_REQUEST)	/* a worker goes idle */
		tl__pop_to(tl, tr, SL_SERVICE, ev->t, NULL);
	if (!wait_shown(ev->wait))
		return;
	if (ev->wait == PROBE_WAIT_CALL)
		snprintf(name, sizeof(name), "call %s",
		    service_name(tl, ev, obj, sizeof(obj)));
	else if (ev->wait == PROBE_WAIT_SLEEP)
		snprintf(name, sizeof(name), "sleep");
	else if (ev->wait == PROBE_WAIT_CPU)
		snprintf(name, sizeof(name), "runnable (no free core)");
	else
		snprintf(name, sizeof(name), "%s wait: %s",
		    probe_wait_name(ev->wait),
		    probe_name(tl->bus, &ev->obj, obj, sizeof(obj)));
	tl__push(tl, tr, ev->t, SL_WAIT, ev->wait == PROBE_WAIT_CALL ? "xpc" :
	    "wait", name, NULL);
}

static void
on_wake(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_track *tr = tl__thread_of(tl, ev);
	struct tl_req *q;

	if (tr == NULL || !wait_shown(ev->wait))
		return;
	if (ev->wait == PROBE_WAIT_CALL &&
	    (q = idmap_del(&tl->reqs, ev->obj.id)) != NULL) {
		if (q->replied && q->worker != 0)
			tl__flow_pair(tl, "reply", ev->obj.id * 8 + 1, q->wpid,
			    q->worker, q->t_reply, tr, ev->t);
		free(q);
	}
	tl__pop_to(tl, tr, SL_WAIT, ev->t, NULL);
}

static void
on_syscall(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_track *tr = tl__thread_of(tl, ev);
	struct tl_sys *s;
	char name[256], args[64];

	if (tr == NULL || ev->evtype == NULL)
		return;
	snprintf(name, sizeof(name), "%s %s", ev->evtype->name,
	    ev->path != NULL ? ev->path : "-");
	snprintf(args, sizeof(args), "{\"event\":%llu}",
	    (unsigned long long)ev->event);
	tl__push(tl, tr, ev->t, SL_SYSCALL, "syscall", name, args);
	s = xcalloc(1, sizeof(*s));
	s->tid = tr->tid;
	s->pid = tr->pid;
	s->t = ev->t;
	free(idmap_del(&tl->sys, ev->event));
	idmap_put(&tl->sys, ev->event, s);
}

static void
on_syscall_done(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_sys *s = idmap_del(&tl->sys, ev->event);
	struct tl_track *tr;

	if (s == NULL)
		return;
	if ((tr = idmap_get(&tl->threads, (uint64_t)s->tid)) != NULL) {
		for (size_t i = 0; i < s->n; i++)
			tl__flow_pair(tl, "response", s->r[i].msg * 8 + 3,
			    s->r[i].pid, s->r[i].tid, s->r[i].t, tr, ev->t);
		tl__pop_to(tl, tr, SL_SYSCALL, ev->t, ev->verdict == 0 ?
		    "{\"verdict\":\"deny\"}" : "{\"verdict\":\"allow\"}");
	}
	free(s->r);
	free(s);
}

/*
 * ES messages.
 */

static void
on_enqueue(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_client *c = &tl->clients[ev->client];
	struct tl_sys *s = idmap_get(&tl->sys, ev->event);
	struct tl_pend *p;

	if (c->head > 0 && c->head == c->n)
		c->head = c->n = 0;
	XGROW(c->q, c->n + 1, c->a);
	p = &c->q[c->n++];
	p->msg = ev->msg;
	p->t = ev->t;
	p->tid = s != NULL ? s->tid : 0;
	p->pid = s != NULL ? s->pid : 0;
	tl->enq = *p;
	tl->enq_client = ev->client;
}

static void
on_handler_start(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_client *c = &tl->clients[ev->client];
	struct tl_track *tr = tl__thread_of(tl, ev);
	char obj[224], name[256], args[96];

	if (tr == NULL)
		return;
	snprintf(name, sizeof(name), "handle %s",
	    probe_name(tl->bus, &ev->obj, obj, sizeof(obj)));
	snprintf(args, sizeof(args), "{\"msg\":%llu,\"event\":%llu}",
	    (unsigned long long)ev->msg, (unsigned long long)ev->event);
	tl__push(tl, tr, ev->t, SL_HANDLER, "es", name, args);
	while (c->head < c->n && c->q[c->head].msg != ev->msg)
		c->head++;
	if (c->head < c->n) {
		struct tl_pend *p = &c->q[c->head++];

		if (p->tid != 0)
			tl__flow_pair(tl, "message", ev->msg * 8 + 2, p->pid,
			    p->tid, p->t, tr, ev->t);
	}
	c->cur = ev->msg;
	c->cur_tid = tr->tid;
	c->cur_pid = tr->pid;
}

static void
on_handler_end(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_client *c = &tl->clients[ev->client];
	struct tl_track *tr = tl__thread_of(tl, ev);

	if (tr != NULL)
		tl__pop_to(tl, tr, SL_HANDLER, ev->t, NULL);
	if (c->cur == ev->msg)
		c->cur = 0;
}

static void
on_respond(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_client *c = &tl->clients[ev->client];
	struct tl_sys *s = idmap_get(&tl->sys, ev->event);
	struct tl_resp *r;

	if (s == NULL || c->cur != ev->msg)
		return;
	XGROW(s->r, s->n + 1, s->a);
	r = &s->r[s->n++];
	r->msg = ev->msg;
	r->tid = c->cur_tid;
	r->pid = c->cur_pid;
	r->t = ev->t;
}

/*
 * XPC.
 */

static void
on_call(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_track *tr = tl__thread_of(tl, ev);
	struct tl_req *q;

	if (tr == NULL)
		return;
	q = xcalloc(1, sizeof(*q));
	q->caller = tr->tid;
	q->cpid = tr->pid;
	q->t_call = ev->t;
	q->oneway = ev->kind == PROBE_SEND;
	free(idmap_del(&tl->reqs, ev->obj.id));
	idmap_put(&tl->reqs, ev->obj.id, q);
}

static void
on_request_start(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_track *tr = tl__thread_of(tl, ev);
	struct tl_req *q = idmap_get(&tl->reqs, ev->obj.id);
	char obj[192], name[224], args[64];

	if (tr == NULL)
		return;
	tl__pop_to(tl, tr, SL_SERVICE, ev->t, NULL);
	snprintf(name, sizeof(name), "serve %s",
	    service_name(tl, ev, obj, sizeof(obj)));
	snprintf(args, sizeof(args), "{\"request\":%llu}",
	    (unsigned long long)ev->obj.id);
	tl__push(tl, tr, ev->t, SL_SERVICE, "xpc", name, args);
	if (q == NULL)
		return;
	tl__flow_pair(tl, "call", ev->obj.id * 8, q->cpid, q->caller,
	    q->t_call, tr, ev->t);
	q->worker = tr->tid;
	q->wpid = tr->pid;
	if (q->oneway)
		free(idmap_del(&tl->reqs, ev->obj.id));
}

static void
on_reply(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_req *q = idmap_get(&tl->reqs, ev->obj.id);

	if (q == NULL)
		return;
	if (ev->thread.kind != PROBE_OBJ_THREAD) {	/* the caller is gone */
		free(idmap_del(&tl->reqs, ev->obj.id));
		return;
	}
	q->replied = 1;
	q->t_reply = ev->t;
}

/*
 * Queues, processes, instants.
 */

/*
 * The push that follows a MSG_ENQUEUE puts the message on its client's
 * delivery queue.  If a handler holds that queue now, the message waits
 * for it, and if that handler is blocked (in a call, a syscall, a wait),
 * for as long as it is: a flow from the raiser's syscall to the queue's
 * drain slice (in a deadlock, the arrow that closes the cycle).
 */
static void
on_delivery_push(struct tl *tl, struct tl_track *q, const struct probe_ev *ev)
{
	struct tl_pend p = tl->enq;
	struct tl_track *h;

	tl->enq_client = -1;
	if (p.tid == 0 || q->n == 0 || !q->s[q->n - 1].written ||
	    (h = idmap_get(&tl->threads, (uint64_t)q->holder)) == NULL ||
	    h->n == 0 || (h->s[h->n - 1].kind != SL_WAIT &&
	    h->s[h->n - 1].kind != SL_SYSCALL))
		return;
	tl__flow_pair(tl, "enqueue", p.msg * 8 + 4, p.pid, p.tid, p.t, q,
	    ev->t);
}

static void
on_queue(struct tl *tl, const struct probe_ev *ev)
{
	struct tl_track *q = tl__queue_of(tl, ev), *th = tl__thread_of(tl, ev);
	char name[192];

	switch (ev->kind) {
	case PROBE_QUEUE_ACQUIRE:
		tl__pop_to(tl, q, SL_DRAIN, ev->t, NULL);
		snprintf(name, sizeof(name), "drained by %s",
		    th != NULL ? th->name : "?");
		tl__push(tl, q, ev->t, SL_DRAIN, "gcd", name, NULL);
		q->holder = th != NULL ? th->tid : 0;
		break;
	case PROBE_QUEUE_RELEASE:
		tl__pop_to(tl, q, SL_DRAIN, ev->t, NULL);
		q->holder = 0;
		break;
	default:
		if (ev->kind == PROBE_QUEUE_PUSH && tl->enq_client >= 0)
			on_delivery_push(tl, q, ev);
		if (tl__room_in(tl, 1)) {
			tl__named(tl, q);
			tl__counter(&tl->out, q->pid, ev->t, q->name, "depth",
			    ev->value);
		}
		break;
	}
}

static void
on_process_exit(struct tl *tl, const struct probe_ev *ev)
{
	const struct m_client *mc = tl->m->procs[ev->process]->client;

	for (size_t i = 0; i < tl->nq; i++)
		if (tl->qv[i]->pid == ev->process + 1)
			tl__pop_all(tl, tl->qv[i], ev->t);
	if (mc != NULL) {
		tl->clients[mc->id].head = tl->clients[mc->id].n = 0;
		tl->clients[mc->id].cur = 0;
	}
}

static void
instant(struct tl *tl, const struct probe_ev *ev, const char *name)
{
	struct tl_track *tr = tl__thread_of(tl, ev);

	if (!tl__room_in(tl, 1))
		return;
	if (tr != NULL) {
		tl__named(tl, tr);
		tl__instant(&tl->out, tr->pid, tr->tid, ev->t, 't', "essim",
		    name, NULL);
	} else {
		tl__instant(&tl->out, ev->process + 1, 0, ev->t, 'p', "essim",
		    name, NULL);
	}
}

static void
on_instant(struct tl *tl, const struct probe_ev *ev)
{
	char obj[192], name[256];

	switch (ev->kind) {
	case PROBE_DEADLINE_MISS:
		snprintf(name, sizeof(name), "deadline missed: %s %s",
		    ev->evtype != NULL ? ev->evtype->name : "?",
		    ev->path != NULL ? ev->path : "-");
		break;
	case PROBE_CLIENT_KILL:
		snprintf(name, sizeof(name), "killed: %s",
		    ev->value == PROBE_KILL_DEADLINE ? "missed an AUTH "
		    "deadline" : "dispatch_sync crash");
		break;
	case PROBE_CLIENT_START:
		if (ev->value == 0)
			return;
		snprintf(name, sizeof(name), "restarted");
		break;
	case PROBE_SYNC_CRASH:
		snprintf(name, sizeof(name), "dispatch_sync crash: %s",
		    probe_name(tl->bus, &ev->obj, obj, sizeof(obj)));
		break;
	default:
		snprintf(name, sizeof(name), "spin: stopped after %lld "
		    "actions", (long long)ev->value);
		break;
	}
	instant(tl, ev, name);
}

void
tl__listen(void *arg, const struct probe_ev *ev)
{
	struct tl *tl = arg;

	tl__advance(tl, ev->t);
	switch (ev->kind) {
	case PROBE_THREAD_SPAWN:	on_spawn(tl, ev); break;
	case PROBE_THREAD_EXIT:		on_exit(tl, ev); break;
	case PROBE_WAIT:		on_wait(tl, ev); break;
	case PROBE_WAKE:		on_wake(tl, ev); break;
	case PROBE_SYSCALL:		on_syscall(tl, ev); break;
	case PROBE_SYSCALL_DONE:	on_syscall_done(tl, ev); break;
	case PROBE_MSG_ENQUEUE:		on_enqueue(tl, ev); break;
	case PROBE_MSG_HANDLER_START:	on_handler_start(tl, ev); break;
	case PROBE_MSG_HANDLER_END:	on_handler_end(tl, ev); break;
	case PROBE_MSG_RESPOND:		on_respond(tl, ev); break;
	case PROBE_CALL:
	case PROBE_SEND:		on_call(tl, ev); break;
	case PROBE_REQUEST_START:	on_request_start(tl, ev); break;
	case PROBE_REPLY:		on_reply(tl, ev); break;
	case PROBE_QUEUE_PUSH:
	case PROBE_QUEUE_POP:
	case PROBE_QUEUE_ACQUIRE:
	case PROBE_QUEUE_RELEASE:	on_queue(tl, ev); break;
	case PROBE_PROCESS_EXIT:	on_process_exit(tl, ev); break;
	default:			on_instant(tl, ev); break;
	}
}

