/*
 * lockdep.c - the class dependency graph of a run; see lockdep.h.
 *
 * What a thread holds: the serial queues whose drain locks it has (asked
 * of the world when it waits, calls or takes something, an-int.h), the
 * locks it has taken (kept for every analysis in the shared thread
 * record), the daemon service
 * whose reply it owes (REQUEST_START until REPLY), and, when its client's
 * delivery queue is concurrent, the answer its handler owes (HANDLER_START
 * until the answer or the handler's end; on a serial delivery queue the
 * queue already stands for it, as in lint).
 *
 * What a wait is for comes from the WAIT probe: a call's service (named by
 * the dispatcher), a lock, a queue, or, for a verdict, the answers of the
 * clients the event was just delivered to (the MSG_ENQUEUE probes of that
 * event come right before the wait).  Class nodes are cached in arrays
 * indexed by the world's queue and lock ids, by service and by (client,
 * type), so an edge seen again costs one hash lookup in the graph and no
 * string work; strings are built only for an edge's first sighting.
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

#include "analysis/an-int.h"
#include "analysis/idmap.h"
#include "analysis/lockdep.h"
#include "core/units.h"
#include "core/xalloc.h"

#define LK_NAME		160
#define LK_LINE		(2 * LK_NAME + 64)

struct lk {
	const struct model	*m;
	const struct probe_bus	*bus;
	struct dg		*g;
	int			*qnode;		/* by queue id: node + 1 */
	size_t			 nqnode;
	int			*lnode;		/* lock_base[proc] + index */
	size_t			*lock_base;
	int			**snode;	/* [daemon][service] + 1 */
	int			*answer;	/* [client * EVSET_BITS + type] */
	/* The answer -> delivery queue edges, counted here rather than in
	 * the graph (one per AUTH message): edge id + 1 and count. */
	int			*dedge;		/* [client * EVSET_BITS + type] */
	uint64_t		*dcount;
	int			*dqnode;	/* [client] + 1 */
	/* Request id -> an_ref of its worker; ~message id -> the handler
	 * owing its answer (concurrent delivery queues only). */
	struct idmap		 workers;
	/* The event whose messages were just queued. */
	uint64_t		 cur_event;
	int			*cur_clients;
	size_t			 ncur;
	const struct evtype	*cur_type;
	int			 truncated;
	int			 concurrent;	/* a concurrent delivery queue */
};

/* ---- nodes ------------------------------------------------------------ */

static int
named_node(struct lk *l, enum dg_node_kind kind, const char *pfx,
    const char *name)
{
	char *key = xasprintf("%s%s", pfx, name);
	int id = dg_node(l->g, kind, key, name);

	free(key);
	return id;
}

static int
queue_node(struct lk *l, const struct probe_ref *r)
{
	char name[LK_NAME];

	if (r->id >= l->nqnode) {
		size_t n = r->id + 16;

		l->qnode = xreallocarray(l->qnode, n, sizeof(*l->qnode));
		memset(l->qnode + l->nqnode, 0,
		    (n - l->nqnode) * sizeof(*l->qnode));
		l->nqnode = n;
	}
	if (l->qnode[r->id] == 0)
		l->qnode[r->id] = 1 + named_node(l, DG_NODE_QUEUE, "q:",
		    probe_name(l->bus, r, name, sizeof(name)));
	return l->qnode[r->id] - 1;
}

static int *
lock_slot(struct lk *l, uint64_t id)
{
	int p = AN_LOCK_PROC(id);

	if (p < 0 || (size_t)p >= l->m->nprocs ||
	    AN_LOCK_INDEX(id) >= l->m->procs[p]->nlocks)
		return NULL;
	return &l->lnode[l->lock_base[p] + AN_LOCK_INDEX(id)];
}

static int
lock_node(struct lk *l, const struct probe_ref *r)
{
	int *slot = lock_slot(l, r->id);
	char name[LK_NAME];

	if (slot == NULL)
		return -1;
	if (*slot == 0)
		*slot = 1 + named_node(l, DG_NODE_LOCK, "l:",
		    probe_name(l->bus, r, name, sizeof(name)));
	return *slot - 1;
}

/*
 * What a thread holds, as class nodes: its serial queues, outermost first,
 * then its locks in the order taken (-1: a lock of no known class).
 */
struct holds {
	int		 node[2 * AN_HELD];
	uint8_t		 lock[2 * AN_HELD];
	int		 n;
	int		 inner_queue;	/* node of the innermost queue, -1 */
};

/*
 * Fill h for t.  On a QUEUE_ACQUIRE the world holds the queue being taken
 * already: taking is the queue not to count.
 */
static void
holds(struct lk *l, const struct an_thread *t, const struct probe_ref *taking,
    struct holds *h)
{
	struct probe_ref q[AN_HELD];
	size_t nq = an_queues(l->bus, t, q);
	int *slot;

	if (taking != NULL && nq > 0 && q[nq - 1].id == taking->id)
		nq--;
	h->n = 0;
	h->inner_queue = -1;
	for (size_t i = 0; i < nq; i++) {
		h->node[h->n] = h->inner_queue = queue_node(l, &q[i]);
		h->lock[h->n++] = 0;
	}
	for (int i = 0; i < t->nlocks; i++) {
		slot = lock_slot(l, t->locks[i]);
		h->node[h->n] = slot != NULL ? *slot - 1 : -1;
		h->lock[h->n++] = 1;
	}
}

static int
service_node(struct lk *l, const struct m_service *s)
{
	int *slot = &l->snode[s->daemon->id][s->id];
	char *name;

	if (*slot == 0) {
		name = xasprintf("%s.%s", s->daemon->name, s->name);
		*slot = 1 + named_node(l, DG_NODE_SERVICE, "s:", name);
		free(name);
	}
	return *slot - 1;
}

static int
dq_node(struct lk *l, int c)
{
	const struct m_process *p = l->m->clients[c]->proc;
	char *name;

	if (l->dqnode[c] == 0) {
		name = xasprintf("%s %s queue", p->name, p->queues[0].name);
		l->dqnode[c] = 1 + named_node(l, DG_NODE_QUEUE, "q:", name);
		free(name);
	}
	return l->dqnode[c] - 1;
}

static int
answer_node(struct lk *l, int c, const struct evtype *t)
{
	int *slot = &l->answer[(size_t)c * EVSET_BITS + (size_t)t->value];
	char *name;

	if (*slot == 0) {
		name = xasprintf("%s's answer to %s", l->m->clients[c]->name,
		    t->name);
		*slot = 1 + named_node(l, DG_NODE_MESSAGE, "m:", name);
		free(name);
	}
	return *slot - 1;
}

/* ---- edges ------------------------------------------------------------ */

static int
delivery_serial(const struct lk *l, int c)
{
	return l->m->clients[c]->proc->queues[0].kind == M_QUEUE_SERIAL;
}

/* Who waits, at class level: "acme handler AUTH_OPEN on acme delivery
 * queue", "syspolicyd.assess on syspolicyd worker 1". */
static void
who(struct lk *l, const struct an_thread *t, const struct holds *h, char *buf)
{
	char th[LK_NAME];
	const char *on = th;

	probe_name(l->bus, &t->ref, th, sizeof(th));
	if (h->inner_queue >= 0)
		on = dg_node_at(l->g, h->inner_queue)->label;
	if (an_in_handler(l->bus, t))
		snprintf(buf, LK_LINE, "%s handler %s on %s",
		    l->m->clients[t->hclient]->name, t->htype->name, on);
	else if (t->lk.serving > 0)
		snprintf(buf, LK_LINE, "%s on %s",
		    dg_node_at(l->g, t->lk.serving - 1)->label, th);
	else
		snprintf(buf, LK_LINE, "%s", on);
}

static void
edge(struct lk *l, const struct probe_ev *ev, const struct an_thread *t,
    const struct holds *h, int from, int to, enum dg_edge_kind kind,
    const char *what)
{
	char w[LK_LINE], where[LK_NAME];
	struct dg_site s;

	if (from < 0 || to < 0)
		return;
	if (dg_edge_find(l->g, from, to) >= 0) {
		dg_edge(l->g, from, to, kind, NULL);
		return;
	}
	who(l, t, h, w);
	s.time = ev->t;
	s.who = w;
	s.where = probe_name(l->bus, &t->ref, where, sizeof(where));
	s.what = what;
	dg_edge(l->g, from, to, kind, &s);
}

/* An edge from every class t holds (h) or owes to node `to`. */
static void
edges_to(struct lk *l, const struct probe_ev *ev, const struct an_thread *t,
    const struct holds *h, int to, enum dg_edge_kind kind, const char *what)
{
	for (int i = 0; i < h->n; i++)
		edge(l, ev, t, h, h->node[i], to,
		    kind == DG_EDGE_LOCK_ORDER && !h->lock[i] ?
		    DG_EDGE_WAITS : kind, what);
	if (t->lk.serving > 0)
		edge(l, ev, t, h, t->lk.serving - 1, to,
		    kind == DG_EDGE_LOCK_ORDER ? DG_EDGE_WAITS : kind, what);
	if (t->lk.owes > 0)
		edge(l, ev, t, h, t->lk.owes - 1, to,
		    kind == DG_EDGE_LOCK_ORDER ? DG_EDGE_WAITS : kind, what);
}

/*
 * Whether every edge edges_to() would add from t to `to` is known
 * already: then the words of the edge's first sighting ("what") are not
 * needed, and the callers skip formatting them.
 */
static int
edges_known(struct lk *l, const struct an_thread *t, const struct holds *h,
    int to)
{
	if (to < 0)
		return 1;
	for (int i = 0; i < h->n; i++)
		if (h->node[i] >= 0 && dg_edge_find(l->g, h->node[i], to) < 0)
			return 0;
	if (t->lk.serving > 0 && dg_edge_find(l->g, t->lk.serving - 1, to) < 0)
		return 0;
	if (t->lk.owes > 0 && dg_edge_find(l->g, t->lk.owes - 1, to) < 0)
		return 0;
	return 1;
}

/* Whether t holds or owes anything (the cheap tests first). */
static int
holds_any(const struct lk *l, const struct an_thread *t)
{
	return t != NULL && (t->lk.serving > 0 || t->lk.owes > 0 ||
	    t->nlocks > 0 || an_holds_queue(l->bus, t));
}

/* ---- probes ----------------------------------------------------------- */

static void
wait_verdict(struct lk *l, const struct probe_ev *ev, const struct an_thread *t,
    const struct holds *h)
{
	char what[LK_LINE];

	for (size_t i = 0; i < l->ncur; i++) {
		int c = l->cur_clients[i];
		int to = answer_node(l, c, l->cur_type);

		what[0] = '\0';
		if (!edges_known(l, t, h, to))
			snprintf(what, sizeof(what), "raises %s %s, delivered "
			    "to %s: waits for its answer", l->cur_type->name,
			    ev->path != NULL ? ev->path : "-",
			    l->m->clients[c]->name);
		edges_to(l, ev, t, h, to, DG_EDGE_RAISES, what);
	}
}

void
lk_wait(struct lk *l, const struct probe_ev *ev, struct an_thread *t)
{
	char what[LK_LINE];
	struct holds h;
	int to = -1;

	if ((ev->wait != PROBE_WAIT_VERDICT || ev->obj.id != l->cur_event) &&
	    ev->wait != PROBE_WAIT_LOCK && ev->wait != PROBE_WAIT_SYNC)
		return;		/* a call is done at the CALL, which names
				   the service */
	if (!holds_any(l, t))
		return;
	holds(l, t, NULL, &h);
	switch (ev->wait) {
	case PROBE_WAIT_VERDICT:
		wait_verdict(l, ev, t, &h);
		return;
	case PROBE_WAIT_LOCK:
		to = lock_node(l, &ev->obj);
		what[0] = '\0';
		if (!edges_known(l, t, &h, to))
			snprintf(what, sizeof(what), "takes %s", to >= 0 ?
			    dg_node_at(l->g, to)->label : "?");
		edges_to(l, ev, t, &h, to, DG_EDGE_LOCK_ORDER, what);
		break;
	default:	/* PROBE_WAIT_SYNC */
		to = queue_node(l, &ev->obj);
		what[0] = '\0';
		if (!edges_known(l, t, &h, to))
			snprintf(what, sizeof(what), "syncs onto %s",
			    dg_node_at(l->g, to)->label);
		edges_to(l, ev, t, &h, to, DG_EDGE_WAITS, what);
		break;
	}
	t->lk.waited = ev->obj.id + 1;
}

void
lk_call(struct lk *l, const struct probe_ev *ev, struct an_thread *t,
    const struct m_service *svc)
{
	char what[LK_LINE];
	struct holds h;
	int to;

	if (svc == NULL || !holds_any(l, t))
		return;
	holds(l, t, NULL, &h);
	to = service_node(l, svc);
	what[0] = '\0';
	if (!edges_known(l, t, &h, to))
		snprintf(what, sizeof(what), "calls %s (waits for the reply)",
		    dg_node_at(l->g, to)->label);
	edges_to(l, ev, t, &h, to, DG_EDGE_CALLS, what);
}

/*
 * t takes a queue or lock: ordered after what it holds already.  A lock's
 * class node is made at its first taking; a queue's when it is first in
 * an edge.
 */
void
lk_take(struct lk *l, const struct probe_ev *ev, struct an_thread *t)
{
	int lock = ev->kind == PROBE_LOCK;
	int to = lock ? lock_node(l, &ev->obj) : -1;
	struct holds h;
	char what[LK_LINE];

	if (t->lk.waited == ev->obj.id + 1) {
		t->lk.waited = 0;	/* the edges came with the wait */
		return;
	}
	holds(l, t, lock ? NULL : &ev->obj, &h);
	if (h.n > 0 || t->lk.serving > 0 || t->lk.owes > 0) {
		if (!lock)
			to = queue_node(l, &ev->obj);
		if (to >= 0) {
			snprintf(what, sizeof(what), "%s %s", lock ? "takes" :
			    "syncs onto", dg_node_at(l->g, to)->label);
			edges_to(l, ev, t, &h, to, lock ? DG_EDGE_LOCK_ORDER :
			    DG_EDGE_WAITS, what);
		}
	}
	t->lk.waited = 0;
}

/*
 * Whether a serial queue can be taken by a thread that holds something
 * already without a "sync" (which the caller knows of, model.h): a lock
 * held across the end of a block, or a serial queue targeting another
 * (through concurrent ones or not), whose drainer takes the inner one.
 * Otherwise only the queue's first taker holds it, holding nothing else,
 * and the QUEUE_ACQUIRE probes need not be followed.
 */
int
lk_nested_takes(const struct lk *l)
{
	for (size_t i = 0; i < l->m->nprocs; i++) {
		const struct m_process *p = l->m->procs[i];

		if (p->nlocks > 0)
			return 1;
		for (size_t k = 0; k < p->nqueues; k++) {
			const struct m_queue *q = &p->queues[k];

			if (q->kind != M_QUEUE_SERIAL)
				continue;
			for (q = q->target; q != NULL; q = q->target)
				if (q->kind == M_QUEUE_SERIAL)
					return 1;
		}
	}
	return 0;
}

/* The first AUTH message of (client, type) k: its delivery edge. */
static void
first_delivery(struct lk *l, const struct probe_ev *ev, size_t k)
{
	int from, to;
	struct dg_site s;
	char what[LK_LINE];

	from = answer_node(l, ev->client, ev->evtype);
	to = dq_node(l, ev->client);
	snprintf(what, sizeof(what), "is queued on %s",
	    dg_node_at(l->g, to)->label);
	s.time = ev->t;
	s.who = dg_node_at(l->g, from)->label;
	s.where = "";
	s.what = what;
	l->dedge[k] = 1 + dg_edge(l->g, from, to, DG_EDGE_DELIVERED, &s);
}

void
lk_enqueue(struct lk *l, const struct probe_ev *ev)
{
	size_t k = (size_t)ev->client * EVSET_BITS + (size_t)ev->evtype->value;

	if (!evtype_is_auth(ev->evtype))
		return;
	if (ev->event != l->cur_event) {
		l->cur_event = ev->event;
		l->cur_type = ev->evtype;
		l->ncur = 0;
	}
	if (l->ncur < l->m->nclients)
		l->cur_clients[l->ncur++] = ev->client;
	if (l->dcount[k]++ == 0 && delivery_serial(l, ev->client))
		first_delivery(l, ev, k);
}

/* Times edge e was seen: the graph's count, or ours for deliveries. */
static uint64_t
edge_count(const struct lk *l, const struct dg_edge *e)
{
	if (e->kind != DG_EDGE_DELIVERED)
		return e->count;
	for (size_t k = 0; k < (l->m->nclients + 1) * EVSET_BITS; k++)
		if (l->dedge[k] == e->id + 1)
			return l->dcount[k];
	return e->count;
}

static void
workers_put(struct lk *l, uint64_t req, struct an_thread *t)
{
	struct an_ref *r = xmalloc(sizeof(*r));

	an_ref_set(r, t);
	free(idmap_del(&l->workers, req));
	idmap_put(&l->workers, req, r);
}

static struct an_thread *
workers_del(struct lk *l, uint64_t req)
{
	struct an_ref *r = idmap_del(&l->workers, req);
	struct an_thread *t = r != NULL ? an_ref_get(r) : NULL;

	free(r);
	return t;
}

void
lk_handler_start(struct lk *l, const struct probe_ev *ev, struct an_thread *t)
{
	if (t != NULL && evtype_is_auth(ev->evtype) &&
	    !delivery_serial(l, ev->client)) {
		t->lk.owes = 1 + answer_node(l, ev->client, ev->evtype);
		workers_put(l, ~ev->msg, t);
	}
}

/* MSG_HANDLER_END, MSG_RESPOND: the answer is in, or the handler is over. */
void
lk_answered(struct lk *l, const struct probe_ev *ev, struct an_thread *t)
{
	if (t == NULL && ev->kind == PROBE_MSG_RESPOND &&
	    !delivery_serial(l, ev->client))
		t = workers_del(l, ~ev->msg);
	else if (t != NULL && t->lk.owes > 0)
		workers_del(l, ~ev->msg);
	if (t != NULL)
		t->lk.owes = 0;
}

void
lk_request_start(struct lk *l, const struct probe_ev *ev, struct an_thread *t,
    const struct m_service *svc)
{
	if (t != NULL && svc != NULL) {
		t->lk.serving = 1 + service_node(l, svc);
		t->lk.req = ev->obj.id;
		workers_put(l, ev->obj.id, t);
	}
}

/* REPLY: the probe names the caller; the worker owes no more. */
void
lk_reply(struct lk *l, const struct probe_ev *ev)
{
	struct an_thread *t;

	if ((t = workers_del(l, ev->obj.id)) != NULL &&
	    t->lk.req == ev->obj.id) {
		t->lk.serving = 0;
		t->lk.req = 0;
	}
}

int
lk_concurrent(const struct lk *l)
{
	return l->concurrent;
}

uint64_t
lk_mask(void)
{
	return PROBE_BIT(PROBE_WAIT) | PROBE_BIT(PROBE_CALL) |
	    PROBE_BIT(PROBE_LOCK) | PROBE_BIT(PROBE_QUEUE_ACQUIRE) |
	    PROBE_BIT(PROBE_MSG_ENQUEUE) | PROBE_BIT(PROBE_MSG_HANDLER_START) |
	    PROBE_BIT(PROBE_MSG_HANDLER_END) | PROBE_BIT(PROBE_MSG_RESPOND) |
	    PROBE_BIT(PROBE_REQUEST_START) |
	    PROBE_BIT(PROBE_REPLY);
}

struct lk *
lk_new(const struct model *m, const struct probe_bus *bus)
{
	struct lk *l = xcalloc(1, sizeof(*l));
	size_t nlocks = 0;

	l->m = m;
	l->bus = bus;
	l->g = dg_new();
	l->answer = xcalloc((m->nclients + 1) * EVSET_BITS, sizeof(*l->answer));
	l->dedge = xcalloc((m->nclients + 1) * EVSET_BITS, sizeof(*l->dedge));
	l->dcount = xcalloc((m->nclients + 1) * EVSET_BITS, sizeof(*l->dcount));
	l->dqnode = xcalloc(m->nclients + 1, sizeof(*l->dqnode));
	l->cur_clients = xcalloc(m->nclients + 1, sizeof(*l->cur_clients));
	for (size_t i = 0; i < m->nclients; i++)
		l->concurrent |= !delivery_serial(l, (int)i);
	l->lock_base = xcalloc(m->nprocs + 1, sizeof(*l->lock_base));
	for (size_t i = 0; i < m->nprocs; i++) {
		l->lock_base[i] = nlocks;
		nlocks += m->procs[i]->nlocks;
	}
	l->lnode = xcalloc(nlocks + 1, sizeof(*l->lnode));
	l->snode = xcalloc(m->ndaemons + 1, sizeof(*l->snode));
	for (size_t i = 0; i < m->ndaemons; i++)
		l->snode[i] = xcalloc(m->daemons[i]->nservices + 1,
		    sizeof(**l->snode));
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
	while (idmap_next(&l->workers, &pos, &k, &v))
		free(v);
	idmap_release(&l->workers);
	dg_free(l->g);
	for (size_t i = 0; i < l->m->ndaemons; i++)
		free(l->snode[i]);
	free(l->snode);
	free(l->qnode);
	free(l->lnode);
	free(l->lock_base);
	free(l->answer);
	free(l->dedge);
	free(l->dcount);
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

		while (n + strlen(lb) + 8 > cap)
			chain = xreallocarray(chain, cap *= 2, 1);
		n += (size_t)sprintf(chain + n, "%s%s", k > 0 ? " \u2192 " :
		    "", lb);
	}
	for (size_t k = 0; k < c->len; k++) {
		e = dg_edge_at(l->g, c->edges[k]);
		t = e->time > t ? e->time : t;
		lo = edge_count(l, e) < lo ? edge_count(l, e) : lo;
		hi = edge_count(l, e) > hi ? edge_count(l, e) : hi;
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
		    edge_count(l, e));
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
