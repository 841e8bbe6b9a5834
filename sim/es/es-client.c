/*
 * es-client.c - the life of an ES client: creation, subscription,
 * deadline misses, kill and restart.
 *
 * Facts relied on (reference/es.md):
 *   §2.6  creating a client (es_new_client) clears the shared cache: done
 *         at every (re)start of the client's process;
 *   §2.8  an early-boot client holds execs and mounts until it subscribes:
 *         here the client subscribes when its `init` program is over (at
 *         once without one), and the hold ends when every early-boot client
 *         has subscribed or at es.early_boot_timeout;
 *   §2.1  a missed deadline kills the client (SIGKILL, "Namespace
 *         ENDPOINTSECURITY, Code 2") and allows the operation; a system
 *         extension is restarted after a delay (client restart_delay, else
 *         es.restart_delay);
 *   §2.3  miss modes (macOS 27): fail_closed denies that message, fail_open
 *         allows it, and neither kills the client.
 *   §2.9  the kernel drops a message when the client's queue is full;
 *         a dropped AUTH is allowed (denied under fail_closed) and never
 *         cached.  The capacity is unknown: limits.max_delivery_queue
 *         sets it (messages waiting, not counting the one in the
 *         handler); by default there is none, and nothing is dropped.
 * A killed client's messages stop counting at once: verdicts that waited
 * only for it fall as if it had allowed.  Events raised while it is down or
 * re-initialising are not delivered to it.
 */
#include "es/wint.h"

static void
probe_client(struct w_client *c, enum probe_kind k, int64_t value,
    const struct esk_msg *m)
{
	struct world *w = c->w;
	struct probe_ev ev;

	if (!probe_on(&w->bus, k))
		return;
	probe_ev_init(&ev, k, loop_now(&w->loop));
	ev.obj.kind = PROBE_OBJ_CLIENT;
	ev.obj.id = (uint64_t)c->m->id;
	ev.obj.p = c;
	ev.process = c->proc->m->id;
	ev.client = c->m->id;
	if (m != NULL) {
		ev.msg = m->id;
		ev.event = m->ev->id;
		ev.evtype = m->ev->type;
		ev.path = m->ev->path.s;
	}
	ev.value = value;
	probe_emit(&w->bus, &ev);
}

void
client_start(struct w_client *c)
{
	struct w_thread *t;

	c->subscribed = 0;
	esk_cache_clear(&c->w->cache);
	probe_client(c, PROBE_CLIENT_START, c->proc->restarts, NULL);
	if (c->m->init.n == 0) {
		client_subscribe(c);
		return;
	}
	t = th_new(c->proc, PROBE_ROLE_MAIN);
	th_push(t, FR_INIT, &c->m->init, NULL, NULL);
	th_ready(t);
}

void
client_subscribe(struct w_client *c)
{
	struct world *w = c->w;

	if (c->subscribed || !c->proc->alive)
		return;
	c->subscribed = 1;
	probe_client(c, PROBE_CLIENT_SUBSCRIBE, 0, NULL);
	if (c->early_waiting) {
		c->early_waiting = 0;
		if (--w->early_pending == 0 && !w->early_over)
			esk_early_release(w, 0);
	}
}

/* The client's process is dying: it stops receiving and answering. */
void
client_died(struct w_client *c)
{
	c->subscribed = 0;
	esk_client_drop_all(c->w, c);
}

void
client_kill(struct w_client *c, int reason)
{
	probe_client(c, PROBE_CLIENT_KILL, reason, NULL);
	world__proc_kill(c->proc, reason);
}

void
client_miss(struct world *w, struct esk_msg *m)
{
	struct w_client *c = m->client;

	probe_client(c, PROBE_DEADLINE_MISS, c->m->miss_mode, m);
	switch (c->m->miss_mode) {
	case M_MISS_KILL:
		client_kill(c, PROBE_KILL_DEADLINE);
		break;
	case M_MISS_FAIL_CLOSED:
		esk_fail(w, m, 0);
		break;
	case M_MISS_FAIL_OPEN:
		esk_fail(w, m, 1);
		break;
	}
}

int
client_queue_full(const struct w_client *c)
{
	int cap = c->w->m->max_delivery_queue;

	return cap > 0 && gcd_queue_depth(c->proc->queues[0]) >= (size_t)cap;
}

/*
 * The message is never made: the client does not see the event, and for
 * an AUTH event its answer is the kernel's (no message counts for it).
 */
void
client_drop(struct w_client *c, struct esk_event *ev, int auth)
{
	if (c->drops++ == 0)
		c->first_drop = loop_now(&c->w->loop);
	if (probe_on(&c->w->bus, PROBE_QUEUE_FULL)) {
		struct probe_ev pe;

		probe_ev_init(&pe, PROBE_QUEUE_FULL, loop_now(&c->w->loop));
		pe.obj.kind = PROBE_OBJ_CLIENT;
		pe.obj.id = (uint64_t)c->m->id;
		pe.obj.p = c;
		pe.process = c->proc->m->id;
		pe.client = c->m->id;
		pe.event = ev->id;
		pe.evtype = ev->type;
		pe.path = ev->path.s;
		pe.value = auth;
		probe_emit(&c->w->bus, &pe);
	}
	if (!auth)
		return;
	c->auth_drops++;
	ev->all_cache = 0;
	if (c->m->miss_mode == M_MISS_FAIL_CLOSED)
		ev->denied = 1;
}
