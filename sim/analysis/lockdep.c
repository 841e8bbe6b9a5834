/*
 * lockdep.c - the class dependency graph of a run; see lockdep.h.
 *
 * What a thread holds is followed from the probes: the serial queues
 * whose drain lock it has (QUEUE_ACQUIRE/RELEASE, innermost last), the
 * locks it has taken (LOCK/UNLOCK), the daemon service whose reply it owes
 * (REQUEST_START until REPLY), and, when its client's delivery queue is
 * concurrent, the answer its handler owes (HANDLER_START until the answer
 * or the handler's end; on a serial delivery queue the queue already
 * stands for it, as in lint).  Threads that hold nothing are never given a
 * record, so the open-loop workload threads of a big run cost nothing.
 *
 * What a wait is for comes from the WAIT probe: a call's service (named
 * by the request: "syspolicyd.assess request"), a lock, a queue, or, for
 * a verdict, the answers of the clients the event was just delivered to
 * (the MSG_ENQUEUE probes of that event come right before the wait).  The
 * class nodes are cached by the world's ids (queue, lock, request) and by
 * (client, type), so an edge seen again costs one hash lookup in the
 * graph and no string work; strings are built only for an edge's first
 * sighting.
 *
 * A queue node is keyed by its name, "acme delivery queue" as the world
 * names it; the answer of a client waits for the queue named after the
 * client's first queue ("PROCESS delivery queue"), which is how the two
 * meet.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/idmap.h"
#include "analysis/lockdep.h"
#include "core/units.h"
#include "core/xalloc.h"

#define LK_NAME		160
#define LK_LINE		(2 * LK_NAME + 64)
#define LK_MAXHELD	16

struct lth {
	int		 held[LK_MAXHELD];	/* class nodes: queues, locks */
	uint64_t	 hid[LK_MAXHELD];	/* their world ids */
	uint8_t		 hlock[LK_MAXHELD];	/* 1 lock, 0 queue */
	int		 nheld;
	int		 serving;		/* service node, -1 */
	uint64_t	 req;			/* the request served */
	int		 owes;			/* answer node, -1 */
	uint64_t	 msg;			/* the message handled */
	int		 hclient, htype;	/* handler: client, type value */
	uint64_t	 waited;		/* lock/queue id it waited for */
};

struct lk {
	const struct model	*m;
	struct probe_bus	*bus;
	struct dg		*g;
	struct idmap		 threads;	/* id -> struct lth */
	struct idmap		 qnode, lnode;	/* queue/lock id -> node + 1 */
	struct idmap		 rnode;		/* request id -> service node + 1 */
	struct idmap		 rworker;	/* request id -> its worker's id */
	int			*answer;	/* [client * EVSET_BITS + type] */
	int			*dqnode;	/* [client]: its delivery queue */
	/* The event whose messages were just queued. */
	uint64_t		 cur_event;
	int			*cur_clients;
	size_t			 ncur;
	const struct evtype	*cur_type;
	int			 truncated;
};

/* ---- nodes ------------------------------------------------------------ */

static int
node_for(struct lk *l, struct idmap *cache, const struct probe_ref *r,
    enum dg_node_kind kind, const char *pfx)
{
	intptr_t id = (intptr_t)idmap_get(cache, r->id);
	char name[LK_NAME], *key;

	if (id != 0)
		return (int)id - 1;
	probe_name(l->bus, r, name, sizeof(name));
	if (kind == DG_NODE_SERVICE && strlen(name) > 8 &&
	    strcmp(name + strlen(name) - 8, " request") == 0)
		name[strlen(name) - 8] = '\0';
	key = xasprintf("%s%s", pfx, name);
	id = dg_node(l->g, kind, key, name);
	free(key);
	idmap_put(cache, r->id, (void *)(id + 1));
	return (int)id;
}

static int
dq_node(struct lk *l, int c)
{
	const struct m_process *p = l->m->clients[c]->proc;
	char *key, *label;

	if (l->dqnode[c] >= 0)
		return l->dqnode[c];
	label = xasprintf("%s %s queue", p->name, p->queues[0].name);
	key = xasprintf("q:%s", label);
	l->dqnode[c] = dg_node(l->g, DG_NODE_QUEUE, key, label);
	free(key);
	free(label);
	return l->dqnode[c];
}

static int
answer_node(struct lk *l, int c, const struct evtype *t)
{
	int *slot = &l->answer[(size_t)c * EVSET_BITS + (size_t)t->value];
	char *key, *label;

	if (*slot >= 0)
		return *slot;
	label = xasprintf("%s's answer to %s", l->m->clients[c]->name,
	    t->name);
	key = xasprintf("m:%s", label);
	*slot = dg_node(l->g, DG_NODE_MESSAGE, key, label);
	free(key);
	free(label);
	return *slot;
}

/* ---- threads ---------------------------------------------------------- */

static struct lth *
th_get(struct lk *l, uint64_t id, int create)
{
	struct lth *t = idmap_get(&l->threads, id);

	if (t == NULL && create) {
		t = xcalloc(1, sizeof(*t));
		t->serving = t->owes = t->hclient = -1;
		idmap_put(&l->threads, id, t);
	}
	return t;
}

static int
delivery_serial(const struct lk *l, int c)
{
	return l->m->clients[c]->proc->queues[0].kind == M_QUEUE_SERIAL;
}

/* Who waits, at class level: "acme handler AUTH_OPEN on acme delivery
 * queue", "syspolicyd.assess on syspolicyd worker 1". */
static void
who(struct lk *l, const struct probe_ev *ev, const struct lth *t, char *buf)
{
	char th[LK_NAME];
	const char *on = th;

	probe_name(l->bus, &ev->thread, th, sizeof(th));
	if (t->nheld > 0 && !t->hlock[t->nheld - 1])
		on = dg_node_at(l->g, t->held[t->nheld - 1])->label;
	if (t->hclient >= 0)
		snprintf(buf, LK_LINE, "%s handler %s on %s",
		    l->m->clients[t->hclient]->name,
		    evtype_by_value(t->htype)->name, on);
	else if (t->serving >= 0)
		snprintf(buf, LK_LINE, "%s on %s",
		    dg_node_at(l->g, t->serving)->label, th);
	else
		snprintf(buf, LK_LINE, "%s", on);
}

/* An edge from every class t holds to node `to`. */
static void
edges_to(struct lk *l, const struct probe_ev *ev, const struct lth *t,
    int to, enum dg_edge_kind kind, const char *what)
{
	int from[LK_MAXHELD + 2], n = 0;
	char w[LK_LINE], where[LK_NAME];
	struct dg_site s;

	for (int i = 0; i < t->nheld; i++)
		from[n++] = t->held[i];
	if (t->serving >= 0)
		from[n++] = t->serving;
	if (t->owes >= 0)
		from[n++] = t->owes;
	for (int i = 0; i < n; i++) {
		enum dg_edge_kind k = kind;

		if (kind == DG_EDGE_LOCK_ORDER && i >= t->nheld)
			k = DG_EDGE_WAITS;	/* a service or answer: a wait */
		else if (kind == DG_EDGE_LOCK_ORDER && !t->hlock[i])
			k = DG_EDGE_WAITS;
		if (dg_edge_find(l->g, from[i], to) >= 0) {
			dg_edge(l->g, from[i], to, k, NULL);
			continue;
		}
		who(l, ev, t, w);
		s.time = ev->t;
		s.who = w;
		s.where = probe_name(l->bus, &ev->thread, where, sizeof(where));
		s.what = what;
		dg_edge(l->g, from[i], to, k, &s);
	}
}

static int
holds_any(const struct lth *t)
{
	return t != NULL && (t->nheld > 0 || t->serving >= 0 || t->owes >= 0);
}

/* ---- probes ----------------------------------------------------------- */

static void
wait_verdict(struct lk *l, const struct probe_ev *ev, const struct lth *t)
{
	char what[LK_LINE];

	if (ev->obj.id != l->cur_event)
		return;
	for (size_t i = 0; i < l->ncur; i++) {
		int c = l->cur_clients[i];
		int to = answer_node(l, c, l->cur_type);

		snprintf(what, sizeof(what), "raises %s %s, delivered to %s: "
		    "waits for its answer", l->cur_type->name,
		    ev->path != NULL ? ev->path : "-", l->m->clients[c]->name);
		edges_to(l, ev, t, to, DG_EDGE_RAISES, what);
	}
}

static void
on_wait(struct lk *l, const struct probe_ev *ev)
{
	struct lth *t = th_get(l, ev->thread.id, 0);
	char what[LK_LINE];
	int to;

	if (!holds_any(t))
		return;
	switch (ev->wait) {
	case PROBE_WAIT_VERDICT:
		wait_verdict(l, ev, t);
		break;
	case PROBE_WAIT_CALL:
		to = node_for(l, &l->rnode, &ev->obj, DG_NODE_SERVICE, "s:");
		snprintf(what, sizeof(what), "calls %s (waits for the reply)",
		    dg_node_at(l->g, to)->label);
		edges_to(l, ev, t, to, DG_EDGE_CALLS, what);
		break;
	case PROBE_WAIT_LOCK:
		to = node_for(l, &l->lnode, &ev->obj, DG_NODE_LOCK, "l:");
		snprintf(what, sizeof(what), "takes %s",
		    dg_node_at(l->g, to)->label);
		edges_to(l, ev, t, to, DG_EDGE_LOCK_ORDER, what);
		t->waited = ev->obj.id;
		break;
	case PROBE_WAIT_SYNC:
		to = node_for(l, &l->qnode, &ev->obj, DG_NODE_QUEUE, "q:");
		snprintf(what, sizeof(what), "syncs onto %s",
		    dg_node_at(l->g, to)->label);
		edges_to(l, ev, t, to, DG_EDGE_WAITS, what);
		t->waited = ev->obj.id;
		break;
	default:
		break;
	}
}

/* t takes a queue or lock: ordered after what it holds, then held. */
static void
on_take(struct lk *l, const struct probe_ev *ev)
{
	int lock = ev->kind == PROBE_LOCK;
	struct lth *t = th_get(l, ev->thread.id, 1);
	int to = lock ? node_for(l, &l->lnode, &ev->obj, DG_NODE_LOCK, "l:") :
	    node_for(l, &l->qnode, &ev->obj, DG_NODE_QUEUE, "q:");
	char what[LK_LINE];

	if (holds_any(t) && t->waited != ev->obj.id) {
		snprintf(what, sizeof(what), "%s %s", lock ? "takes" :
		    "syncs onto", dg_node_at(l->g, to)->label);
		edges_to(l, ev, t, to, lock ? DG_EDGE_LOCK_ORDER :
		    DG_EDGE_WAITS, what);
	}
	t->waited = 0;
	if (t->nheld < LK_MAXHELD) {
		t->held[t->nheld] = to;
		t->hid[t->nheld] = ev->obj.id;
		t->hlock[t->nheld] = (uint8_t)lock;
		t->nheld++;
	}
}

static void
on_give(struct lk *l, const struct probe_ev *ev)
{
	struct lth *t = th_get(l, ev->thread.id, 0);
	int lock = ev->kind == PROBE_UNLOCK;

	if (t == NULL)
		return;
	for (int i = t->nheld; i-- > 0;)
		if (t->hid[i] == ev->obj.id && t->hlock[i] == lock) {
			memmove(&t->held[i], &t->held[i + 1],
			    (size_t)(t->nheld - i - 1) * sizeof(t->held[0]));
			memmove(&t->hid[i], &t->hid[i + 1],
			    (size_t)(t->nheld - i - 1) * sizeof(t->hid[0]));
			memmove(&t->hlock[i], &t->hlock[i + 1],
			    (size_t)(t->nheld - i - 1));
			t->nheld--;
			return;
		}
}

static void
on_enqueue(struct lk *l, const struct probe_ev *ev)
{
	int from, to;
	struct dg_site s;
	char what[LK_LINE];

	if (ev->evtype == NULL || !evtype_is_auth(ev->evtype) || ev->client < 0)
		return;
	if (ev->event != l->cur_event) {
		l->cur_event = ev->event;
		l->cur_type = ev->evtype;
		l->ncur = 0;
	}
	if (l->ncur < l->m->nclients)
		l->cur_clients[l->ncur++] = ev->client;
	if (!delivery_serial(l, ev->client))
		return;
	from = answer_node(l, ev->client, ev->evtype);
	to = dq_node(l, ev->client);
	if (dg_edge_find(l->g, from, to) >= 0) {
		dg_edge(l->g, from, to, DG_EDGE_DELIVERED, NULL);
		return;
	}
	snprintf(what, sizeof(what), "is queued on %s",
	    dg_node_at(l->g, to)->label);
	s.time = ev->t;
	s.who = dg_node_at(l->g, from)->label;
	s.where = "";
	s.what = what;
	dg_edge(l->g, from, to, DG_EDGE_DELIVERED, &s);
}

static void
on_handler(struct lk *l, const struct probe_ev *ev)
{
	struct lth *t = th_get(l, ev->thread.id,
	    ev->kind == PROBE_MSG_HANDLER_START);

	if (t == NULL)
		return;
	if (ev->kind == PROBE_MSG_HANDLER_END) {
		t->hclient = -1;
		t->owes = -1;
		t->msg = 0;
		return;
	}
	t->hclient = ev->client;
	t->htype = ev->evtype->value;
	t->msg = ev->msg;
	if (evtype_is_auth(ev->evtype) && !delivery_serial(l, ev->client))
		t->owes = answer_node(l, ev->client, ev->evtype);
}

static void
on_respond(struct lk *l, const struct probe_ev *ev)
{
	struct lth *t = th_get(l, ev->thread.id, 0);

	if (t != NULL && t->msg == ev->msg)
		t->owes = -1;
}

static void
on_req(struct lk *l, const struct probe_ev *ev)
{
	struct lth *t;
	int n;

	if (ev->kind == PROBE_CALL) {
		node_for(l, &l->rnode, &ev->obj, DG_NODE_SERVICE, "s:");
		return;
	}
	n = (int)(intptr_t)idmap_get(&l->rnode, ev->obj.id) - 1;
	if (ev->kind == PROBE_REQUEST_START) {
		t = th_get(l, ev->thread.id, 1);
		t->serving = n >= 0 ? n :
		    node_for(l, &l->rnode, &ev->obj, DG_NODE_SERVICE, "s:");
		t->req = ev->obj.id;
		idmap_put(&l->rworker, ev->obj.id, (void *)(uintptr_t)ev->thread.id);
		return;
	}
	/* REPLY: the worker owes nothing more. */
	idmap_del(&l->rnode, ev->obj.id);
	t = th_get(l, (uint64_t)(uintptr_t)idmap_del(&l->rworker, ev->obj.id),
	    0);
	if (t != NULL && t->req == ev->obj.id) {
		t->serving = -1;
		t->req = 0;
	}
}

static void
listen(void *arg, const struct probe_ev *ev)
{
	struct lk *l = arg;

	switch (ev->kind) {
	case PROBE_WAIT:
		on_wait(l, ev);
		break;
	case PROBE_LOCK:
	case PROBE_QUEUE_ACQUIRE:
		on_take(l, ev);
		break;
	case PROBE_UNLOCK:
	case PROBE_QUEUE_RELEASE:
		on_give(l, ev);
		break;
	case PROBE_MSG_ENQUEUE:
		on_enqueue(l, ev);
		break;
	case PROBE_MSG_HANDLER_START:
	case PROBE_MSG_HANDLER_END:
		on_handler(l, ev);
		break;
	case PROBE_MSG_RESPOND:
		on_respond(l, ev);
		break;
	case PROBE_CALL:
	case PROBE_REQUEST_START:
	case PROBE_REPLY:
		on_req(l, ev);
		break;
	case PROBE_THREAD_EXIT:
		free(idmap_del(&l->threads, ev->thread.id));
		break;
	default:
		break;
	}
}

#define LK_MASK	(PROBE_BIT(PROBE_WAIT) | PROBE_BIT(PROBE_LOCK) |		\
	PROBE_BIT(PROBE_UNLOCK) | PROBE_BIT(PROBE_QUEUE_ACQUIRE) |	\
	PROBE_BIT(PROBE_QUEUE_RELEASE) | PROBE_BIT(PROBE_MSG_ENQUEUE) |	\
	PROBE_BIT(PROBE_MSG_HANDLER_START) |				\
	PROBE_BIT(PROBE_MSG_HANDLER_END) | PROBE_BIT(PROBE_MSG_RESPOND) | \
	PROBE_BIT(PROBE_CALL) | PROBE_BIT(PROBE_REQUEST_START) |		\
	PROBE_BIT(PROBE_REPLY) | PROBE_BIT(PROBE_THREAD_EXIT))

struct lk *
lk_new(const struct model *m, struct probe_bus *bus)
{
	struct lk *l = xcalloc(1, sizeof(*l));
	size_t na = (m->nclients + 1) * EVSET_BITS;

	l->m = m;
	l->bus = bus;
	l->g = dg_new();
	l->answer = xmalloc(na * sizeof(*l->answer));
	for (size_t i = 0; i < na; i++)
		l->answer[i] = -1;
	l->dqnode = xmalloc((m->nclients + 1) * sizeof(*l->dqnode));
	for (size_t i = 0; i <= m->nclients; i++)
		l->dqnode[i] = -1;
	l->cur_clients = xcalloc(m->nclients + 1, sizeof(*l->cur_clients));
	probe_listen(bus, LK_MASK, listen, l);
	return l;
}

void
lk_free(struct lk *l)
{
	size_t pos = 0;
	uint64_t k;
	void *v;

	if (l == NULL)
		return;
	while (idmap_next(&l->threads, &pos, &k, &v))
		free(v);
	idmap_release(&l->threads);
	idmap_release(&l->qnode);
	idmap_release(&l->lnode);
	idmap_release(&l->rnode);
	idmap_release(&l->rworker);
	dg_free(l->g);
	free(l->answer);
	free(l->dqnode);
	free(l->cur_clients);
	free(l);
}

const struct dg *
lk_graph(const struct lk *l)
{
	return l->g;
}

int
lk_truncated(const struct lk *l)
{
	return l->truncated;
}

/* ---- findings --------------------------------------------------------- */

static void
cycle_finding(struct lk *l, const struct dg_cycle *c, struct fd_list *out)
{
	const struct dg_edge *e;
	struct finding *f;
	size_t cap = 128, n = 0;
	char *chain = xmalloc(cap), *sc;
	int64_t t = 0;
	uint64_t lo = UINT64_MAX, hi = 0;

	chain[0] = '\0';
	for (size_t k = 0; k <= c->len; k++) {
		const char *lb = dg_node_at(l->g, c->nodes[k % c->len])->label;
		size_t need = n + strlen(lb) + 8;

		while (need > cap)
			chain = xreallocarray(chain, cap *= 2, 1);
		n += (size_t)sprintf(chain + n, "%s%s", k > 0 ? " \u2192 " :
		    "", lb);
	}
	for (size_t k = 0; k < c->len; k++) {
		e = dg_edge_at(l->g, c->edges[k]);
		if (e->time > t)
			t = e->time;
		lo = e->count < lo ? e->count : lo;
		hi = e->count > hi ? e->count : hi;
	}
	f = fd_add(out, FD_POTENTIAL_CYCLE, t);
	f->value = (int64_t)c->len;
	f->count = lo;
	fd_summary(f, "%zu-step class cycle, each edge seen %" PRIu64
	    "..%" PRIu64 " times", c->len, lo, hi);
	fd_set_chain(f, chain);
	for (size_t k = 0; k < c->len; k++) {
		e = dg_edge_at(l->g, c->edges[k]);
		fd_row(f, e->who[0] != '\0' ? e->who :
		    dg_node_at(l->g, e->from)->label, e->what, e->time,
		    e->count);
	}
	sc = dg_cycle_scenario(l->g, c, 0, 2, "*** POSSIBLE DEADLOCK ***");
	fd_set_scenario(f, sc);
	free(sc);
	free(chain);
}

size_t
lk_finish(struct lk *l, size_t max_cycles, struct fd_list *out)
{
	struct dg_cycles cs = DG_CYCLES_INIT;
	size_t n = dg_cycles(l->g, max_cycles, &cs);

	l->truncated = cs.truncated;
	for (size_t i = 0; i < cs.n; i++)
		cycle_finding(l, &cs.v[i], out);
	dg_cycles_release(&cs);
	return n;
}
