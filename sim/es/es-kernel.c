/*
 * es-kernel.c - the ES kernel: events, fan-out to clients, verdicts,
 * deadlines, the NOTIFY twin, early boot.
 *
 * Facts relied on (reference/es.md):
 *   §2.4  every subscribed client gets its own copy of an event; the
 *         operation waits until every subscribed, non-muting AUTH client
 *         has answered, been dropped or killed; any deny wins; AUTH_OPEN
 *         answers are flag masks, ANDed across clients [inferred there];
 *   §2.1  each AUTH message carries a deadline; a client that misses it is
 *         killed and the operation allowed (miss modes of §2.3: fail
 *         closed denies, fail open allows, neither kills);
 *   §2.6  a cache hit produces no AUTH message but the NOTIFY twin still
 *         goes out; see es-cache.c;
 *   §2.8  early-boot clients hold execs and mounts of non-platform
 *         binaries until they all subscribed (timeout: a model value);
 *   §2.9  messages reach a client one at a time on its delivery queue,
 *         strictly in order; a message may be retained and answered later
 *         from anywhere.
 * Deadlines: a client's deadline for a type is the model's deadline capped
 * by the client's deadline_max, so the messages of one (client, type) come
 * due in the order they were queued.  Each (client, type) keeps its
 * unanswered messages in that order with one timer for the head: O(1) per
 * message, no timer per message.
 * A handler that returns without answering and without `retain` leaves
 * the message unanswered, as a real client that drops it would: the
 * deadline decides.
 */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "es/wint.h"

void
esk_ref_msg(const struct esk_msg *m, struct probe_ref *r)
{
	r->kind = PROBE_OBJ_MSG;
	r->id = m->id;
	r->p = m;
}

static void
probe_msg(struct world *w, enum probe_kind k, const struct esk_msg *m,
    const struct w_thread *t, int64_t value)
{
	struct probe_ev ev;

	if (!probe_on(&w->bus, k))
		return;
	probe_ev_init(&ev, k, loop_now(&w->loop));
	esk_ref_msg(m, &ev.obj);
	if (t != NULL)
		th_ref(t, &ev.thread);
	ev.process = m->ev->proc->m->id;
	ev.client = m->client->m->id;
	ev.evtype = m->ev->type;
	ev.event = m->ev->id;
	ev.msg = m->id;
	ev.path = m->ev->path.s;
	ev.value = value;
	probe_emit(&w->bus, &ev);
}

static void
probe_event(struct world *w, enum probe_kind k, const struct esk_event *e,
    const struct w_thread *t, int verdict, int64_t value)
{
	struct probe_ev ev;

	if (!probe_on(&w->bus, k))
		return;
	probe_ev_init(&ev, k, loop_now(&w->loop));
	ev.obj.kind = PROBE_OBJ_EVENT;
	ev.obj.id = e->id;
	ev.obj.p = e;
	if (t != NULL)
		th_ref(t, &ev.thread);
	ev.process = e->proc->m->id;
	ev.evtype = e->type;
	ev.event = e->id;
	ev.path = e->path.s;
	ev.verdict = verdict;
	ev.flags = e->flags;
	ev.value = value;
	probe_emit(&w->bus, &ev);
}

struct esk_event *
esk_event_new(struct world *w, struct w_proc *p, const struct evtype *type)
{
	struct esk_event *ev = pool_get(&w->ev_pool);

	memset(ev, 0, offsetof(struct esk_event, buf));
	ev->id = ++w->next_event;
	ev->type = type;
	ev->proc = p;
	ev->refs = 1;
	ev->flags = UINT32_MAX;
	ev->all_cache = 1;
	ev->t0 = loop_now(&w->loop);
	return ev;
}

void
esk_event_path(struct esk_event *ev, struct w_path *dst, const char *s,
    size_t len, int borrowed)
{
	char *copy;

	if (s == NULL) {
		dst->s = NULL;
		dst->len = 0;
		return;
	}
	if (borrowed) {
		dst->s = s;
	} else if (ev->used + len + 1 <= ESK_PATHBUF) {
		copy = ev->buf + ev->used;
		memcpy(copy, s, len);
		copy[len] = '\0';
		ev->used += len + 1;
		dst->s = copy;
	} else {
		int i = dst == &ev->path ? 0 : 1;

		free(ev->heap[i]);
		ev->heap[i] = xstrndup(s, len);
		dst->s = ev->heap[i];
	}
	dst->len = len;
}

/* Whether p's string lives in ev (and must be copied to outlive it). */
static int
path_owned(const struct esk_event *ev, const struct w_path *p)
{
	return (p->s >= ev->buf && p->s < ev->buf + ESK_PATHBUF) ||
	    p->s == ev->heap[0] || p->s == ev->heap[1];
}

void
esk_event_unref(struct world *w, struct esk_event *ev)
{
	if (--ev->refs > 0)
		return;
	free(ev->heap[0]);
	free(ev->heap[1]);
	pool_put(&w->ev_pool, ev);
}

void
esk_msg_ref(struct esk_msg *m)
{
	m->refs++;
}

void
esk_msg_unref(struct world *w, struct esk_msg *m)
{
	if (--m->refs > 0)
		return;
	esk_event_unref(w, m->ev);
	pool_put(&w->msg_pool, m);
}

static void dl_fire(struct loop *l, void *obj, uint64_t arg);

static void
dl_append(struct world *w, struct w_client *c, struct esk_msg *m)
{
	struct esk_dlist *dl = &c->dl[m->ev->type->value];

	m->dnext = NULL;
	m->dprev = dl->tail;
	if (dl->tail != NULL)
		dl->tail->dnext = m;
	else
		dl->head = m;
	dl->tail = m;
	if (dl->timer == NULL)
		dl->timer = loop_at(&w->loop, m->deadline, dl_fire, c,
		    (uint64_t)m->ev->type->value);
}

static void
dl_unlink(struct esk_msg *m)
{
	struct esk_dlist *dl = &m->client->dl[m->ev->type->value];

	if (m->dprev != NULL)
		m->dprev->dnext = m->dnext;
	else
		dl->head = m->dnext;
	if (m->dnext != NULL)
		m->dnext->dprev = m->dprev;
	else
		dl->tail = m->dprev;
	m->dnext = m->dprev = NULL;
}

static void
dl_fire(struct loop *l, void *obj, uint64_t arg)
{
	struct w_client *c = obj;
	struct world *w = c->w;
	struct esk_dlist *dl = &c->dl[arg];
	int64_t now = loop_now(l);

	dl->timer = NULL;
	while (dl->head != NULL && dl->head->deadline <= now)
		client_miss(w, dl->head);
	if (dl->head != NULL && dl->timer == NULL)
		dl->timer = loop_at(l, dl->head->deadline, dl_fire, c, arg);
	world__flush(w);
}

static void finish(struct world *w, struct esk_event *ev, int allowed);

/* All counting messages of ev are in: combine, cache, complete. */
static void
verdict(struct world *w, struct esk_event *ev)
{
	int allowed = !ev->denied;

	if (ev->type == w->t_auth_open)
		allowed = allowed &&
		    (ev->flags & ESK_OPEN_FFLAGS) == ESK_OPEN_FFLAGS;
	if (ev->all_cache && ev->nmsgs > 0 &&
	    evset_has(&w->cacheable, ev->type->value))
		esk_cache_store(w, ev, allowed, ev->flags);
	probe_event(w, PROBE_VERDICT, ev, NULL, allowed, ev->nmsgs);
	finish(w, ev, allowed);
}

/* A counting message stops counting: answered, failed or dropped. */
static void
settle(struct world *w, struct esk_msg *m, int allow, uint32_t flags,
    int cache)
{
	struct esk_event *ev = m->ev;

	m->counting = 0;
	dl_unlink(m);
	if (!allow)
		ev->denied = 1;
	if (ev->type == w->t_auth_open)
		ev->flags &= flags;
	if (!cache)
		ev->all_cache = 0;
	ev->pending--;
	esk_msg_unref(w, m);
	if (ev->pending == 0)
		verdict(w, ev);
}

void
esk_respond(struct world *w, struct esk_msg *m, int allow, uint32_t flags,
    int cache)
{
	struct probe_ev ev;

	if (!m->counting)
		return;			/* duplicate, late or dropped */
	m->answered = 1;
	if (probe_on(&w->bus, PROBE_MSG_RESPOND)) {
		probe_ev_init(&ev, PROBE_MSG_RESPOND, loop_now(&w->loop));
		esk_ref_msg(m, &ev.obj);
		ev.process = m->client->proc->m->id;
		ev.client = m->client->m->id;
		ev.evtype = m->ev->type;
		ev.event = m->ev->id;
		ev.msg = m->id;
		ev.path = m->ev->path.s;
		ev.verdict = allow;
		ev.flags = flags;
		ev.value = loop_now(&w->loop) - m->t_enq;
		probe_emit(&w->bus, &ev);
	}
	settle(w, m, allow, flags, cache);
}

/* The kernel answers for a client that missed the deadline (miss modes). */
void
esk_fail(struct world *w, struct esk_msg *m, int allow)
{
	settle(w, m, allow, allow ? UINT32_MAX : 0, 0);
}

void
esk_client_drop_all(struct world *w, struct w_client *c)
{
	for (int v = 0; v < EVSET_BITS; v++) {
		struct esk_dlist *dl = &c->dl[v];

		if (dl->timer != NULL) {
			loop_cancel(&w->loop, dl->timer);
			dl->timer = NULL;
		}
		while (dl->head != NULL) {
			probe_msg(w, PROBE_MSG_DROP, dl->head, NULL, 0);
			settle(w, dl->head, 1, UINT32_MAX, 0);
		}
	}
}

void
esk_retain(struct world *w, struct w_thread *t, struct esk_msg *m)
{
	m->retained = 1;
	probe_msg(w, PROBE_MSG_RETAIN, m, t, loop_now(&w->loop) - m->t_enq);
}

const struct m_program *
esk_handler(const struct w_client *c, const struct evtype *type)
{
	const struct m_program *p = c->m->handler[type->value];

	return p != NULL ? p : c->m->handler_default;
}

void
esk_handler_start(struct world *w, struct w_thread *t, struct esk_msg *m)
{
	probe_msg(w, PROBE_MSG_HANDLER_START, m, t,
	    loop_now(&w->loop) - m->t_enq);
}

void
esk_handler_end(struct world *w, struct w_thread *t, struct esk_msg *m)
{
	probe_msg(w, PROBE_MSG_HANDLER_END, m, t, 0);
	esk_msg_unref(w, m);
}

static void
deliver(struct world *w, struct w_client *c, struct esk_event *ev, int auth)
{
	struct esk_msg *m;
	int64_t now = loop_now(&w->loop);

	if (client_queue_full(c)) {
		client_drop(c, ev, auth);
		return;
	}
	m = pool_get(&w->msg_pool);
	m->id = ++w->next_msg;
	m->ev = ev;
	m->client = c;
	m->refs = 1;
	m->counting = (uint8_t)auth;
	m->answered = m->retained = 0;
	m->t_enq = now;
	m->deadline = 0;
	m->dnext = m->dprev = NULL;
	m->item.tag = W_TAG_DELIVERY;
	ev->refs++;
	if (auth) {
		m->refs++;
		m->deadline = now + c->deadline[ev->type->value];
		ev->pending++;
		ev->nmsgs++;
		dl_append(w, c, m);
	}
	probe_msg(w, PROBE_MSG_ENQUEUE, m, NULL, (int64_t)m->deadline);
	gcd_async(c->proc->queues[0], &m->item);
}

static void
fan_out(struct world *w, struct esk_event *ev, int auth)
{
	int v = ev->type->value;

	if (!evset_has(&w->subscribed_any, v))
		return;
	for (size_t i = 0; i < w->m->nclients; i++) {
		struct w_client *c = &w->clients[i];

		if (c->subscribed && evset_has(&c->m->subscribe, v) &&
		    !esk_muted(c, ev))
			deliver(w, c, ev, auth);
	}
}

/* After an allowed AUTH: the same event as NOTIFY, to NOTIFY subscribers. */
static void
notify_twin(struct world *w, const struct esk_event *ev)
{
	const struct evtype *nt = evtype_notify_twin(ev->type);
	struct esk_event *n;

	if (nt == NULL || !evset_has(&w->subscribed_any, nt->value))
		return;
	n = esk_event_new(w, ev->proc, nt);
	esk_event_path(n, &n->path, ev->path.s, ev->path.len,
	    !path_owned(ev, &ev->path));
	esk_event_path(n, &n->target, ev->target.s, ev->target.len,
	    !path_owned(ev, &ev->target));
	fan_out(w, n, 0);
	esk_event_unref(w, n);
}

/* The operation completes: report, invalidate, NOTIFY, wake the raiser. */
static void
finish(struct world *w, struct esk_event *ev, int allowed)
{
	struct w_thread *t = ev->waiter;

	probe_event(w, PROBE_SYSCALL_DONE, ev, t, allowed,
	    loop_now(&w->loop) - ev->t0);
	if (allowed) {
		if (evset_has(&w->modifying, ev->type->value))
			esk_cache_invalidate(w, ev);
		notify_twin(w, ev);
	}
	if (t != NULL) {
		ev->waiter = NULL;
		th_wake(t);
	}
	esk_event_unref(w, ev);
}

/* Raise AUTH event ev for t, past early boot. */
static int
auth_begin(struct world *w, struct w_thread *t, struct esk_event *ev)
{
	int allow;

	if (evset_has(&w->cacheable, ev->type->value) &&
	    esk_cache_lookup(w, ev, &allow)) {
		probe_event(w, PROBE_CACHE_HIT, ev, t, allow, 0);
		finish(w, ev, allow);
		return 0;
	}
	fan_out(w, ev, 1);
	if (ev->pending == 0) {
		finish(w, ev, !ev->denied);	/* denied: a fail-closed drop */
		return 0;
	}
	ev->waiter = t;
	th_wait(t, PROBE_WAIT_VERDICT, ev, NULL, 0, NULL);
	return 1;
}

static int
early_boot_holds(const struct world *w, const struct esk_event *ev)
{
	const char *k = ev->type->eslogger;

	return !w->early_over && w->early_pending > 0 &&
	    !ev->proc->m->is_platform &&
	    (strcmp(k, "exec") == 0 || strcmp(k, "mount") == 0);
}

int
esk_issue(struct world *w, struct w_thread *t, struct esk_event *ev)
{
	ev->t0 = loop_now(&w->loop);
	probe_event(w, PROBE_SYSCALL, ev, t, -1, 0);
	if (!evtype_is_auth(ev->type)) {
		fan_out(w, ev, 0);
		finish(w, ev, 1);
		return 0;
	}
	if (early_boot_holds(w, ev)) {
		probe_event(w, PROBE_EARLY_BOOT_HOLD, ev, t, -1, 0);
		th_wait(t, PROBE_WAIT_EARLY_BOOT, ev, &w->early_held, 0, NULL);
		return 1;
	}
	return auth_begin(w, t, ev);
}

void
esk_resume(struct world *w, struct w_thread *t, struct esk_event *ev)
{
	auth_begin(w, t, ev);
}

static void
early_timeout(struct loop *l, void *obj, uint64_t arg)
{
	struct world *w = obj;

	(void)l;
	(void)arg;
	w->early_ev = NULL;
	esk_early_release(w, 1);
	world__flush(w);
}

void
esk_early_start(struct world *w)
{
	if (w->early_pending > 0 && !w->early_over)
		w->early_ev = loop_at(&w->loop, w->m->early_boot_timeout,
		    early_timeout, w, 0);
}

/*
 * Early boot is over: every held thread raises its event now, in the
 * order it was held, to the clients subscribed now.
 */
void
esk_early_release(struct world *w, int by_timeout)
{
	struct w_thread *t;
	struct esk_event *ev;

	w->early_over = 1;
	if (w->early_ev != NULL) {
		loop_cancel(&w->loop, w->early_ev);
		w->early_ev = NULL;
	}
	while ((t = w->early_held.head) != NULL) {
		ev = t->wait_obj;
		probe_event(w, PROBE_EARLY_BOOT_RELEASE, ev, t, -1, by_timeout);
		if (by_timeout)
			w->early_released_by_timeout++;
		th_wake(t);
		t->held_ev = ev;
	}
}
