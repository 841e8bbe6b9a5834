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
 *   pool     -> every bound pool thread, when the pool is at its
 *               constrained cap                             (any one will do)
 *   lock, queue -> the thread holding it
 *
 * A check starts from the object whose out-edge was just added, collects
 * what it reaches (a handful of objects: each thread waits for one thing),
 * and reduces that subgraph: a node with no successor is free, an "all
 * needed" node is free when every successor is, an "any one will do" node
 * when one is; repeated until nothing changes.  If the start is still
 * stuck, a walk along stuck successors finds the cycle.  The reduction is
 * what keeps the "any one will do" nodes honest: a queued request behind
 * four workers is deadlocked only when all four are.
 *
 * Nodes of a reported cycle are marked with its instance; the first time
 * any of them changes (a wake, an answer, a death), the instance ends and
 * the marks go.  Every path that frees an object changes it first, so a
 * mark never outlives its object.  Names come from the world's namer, at
 * the moment of reporting, through the refs kept when the objects were
 * first seen (the objects are alive while they are in our tables).
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/idmap.h"
#include "analysis/waitfor.h"
#include "core/units.h"
#include "core/xalloc.h"

#define WF_MAX_EXPLORE	100000	/* nodes one check may visit */
#define WF_NAME		160	/* a name */
#define WF_LINE		(2 * WF_NAME + 64)	/* a sentence made of names */

enum { N_THREAD, N_MSG, N_EVENT, N_REQ, N_DQ, N_DAEMON, N_POOL, N_RES };
enum { OP_ALL, OP_ANY };
enum { M_QUEUED, M_HANDLING, M_RETAINED, M_ENDED };

struct hdr {
	uint8_t		 kind;
	uint32_t	 epoch;		/* of the check that saw it last */
	uint32_t	 vidx;		/* its index in that check */
	uint32_t	 inst;		/* active instance + 1, 0 none */
};

struct th {
	struct hdr	 h;
	uint64_t	 id, wobj, handling, serving;
	int		 proc, hclient;
	uint8_t		 role, wait, bound;	/* bound: 0 no, 1 con, 2 ovc */
	int64_t		 wait_t;
	struct probe_ref ref, href;		/* href: the handled message */
	struct th	*pnext, *pprev;
};

struct ev;

struct msg {
	struct hdr	 h;
	uint64_t	 id, thread;
	int		 client;
	uint8_t		 state, retained;
	struct probe_ref ref;
	struct ev	*ev;
	struct msg	*enext, *eprev;
};

struct ev {
	struct hdr	 h;
	uint64_t	 id;
	struct probe_ref ref;
	struct msg	*msgs;
};

struct req {
	struct hdr	 h;
	uint64_t	 id, caller, worker;
	int		 daemon;
	struct probe_ref ref;
};

/* Virtual nodes: a delivery queue, a daemon's queue, a pool, a lock or
 * serial queue (N_RES). */
struct vnode {
	struct hdr	 h;
	int		 index;		/* client, daemon, process */
	uint64_t	 owner;		/* DQ: holder; RES: owner thread */
	int		 nhandling;	/* DQ */
	int		 nqueued;	/* DAEMON */
	int		 con_bound;	/* POOL: bound to constrained roots */
	int		 nretained;	/* POOL: retained messages waiting */
	int		 overcommit;	/* RES of a root queue: -1 unknown */
	struct probe_ref ref;		/* RES */
};

struct vinfo {
	size_t		 s0, sn;	/* successors: se[s0 .. s0 + sn) */
	uint8_t		 op, stuck;
};

struct inst {
	struct finding	*f;
	struct hdr	**nodes;
	size_t		  n;
	int		  active;
};

struct cls {
	char		*sig;
	uint64_t	 count;
};

struct wf {
	const struct model	*m;
	struct probe_bus	*bus;
	struct fd_list		*out;
	struct idmap		 threads, msgs, evs, reqs, locks, queues;
	struct vnode		*dq, *dd, *pool;
	struct th		**plist;	/* threads per process */
	uint32_t		 epoch;
	/* Scratch of a check: nodes reached, their successors. */
	struct hdr		**vn;
	size_t			  nvn, avn;
	struct vinfo		 *vi;
	size_t			  avi;
	struct hdr		**se;
	size_t			  nse, ase;
	/* Results. */
	struct inst		*inst;
	size_t			  ninst, ainst, nopen;
	struct cls		*cls;
	size_t			  ncls, acls;
	/* The last kill or crash, to say how an instance ended. */
	int64_t			  why_t;
	char			  why[WF_NAME];
};

/* ---- names ------------------------------------------------------------ */

static const char *
nm(const struct wf *w, const struct probe_ref *r, char *buf)
{
	if (r->kind == PROBE_OBJ_NONE || r->p == NULL) {
		snprintf(buf, WF_NAME, "%s", "?");
		return buf;
	}
	return probe_name(w->bus, r, buf, WF_NAME);
}

static const char *
client_name(const struct wf *w, int c)
{
	return c >= 0 && (size_t)c < w->m->nclients ? w->m->clients[c]->name :
	    "?";
}

/* Short name, for the chain. */
static void
label(const struct wf *w, const struct hdr *n, char *buf)
{
	char a[WF_NAME];
	const struct vnode *v = (const struct vnode *)n;

	switch (n->kind) {
	case N_THREAD:
		nm(w, &((const struct th *)n)->ref, buf);
		break;
	case N_MSG:
		snprintf(buf, WF_NAME, "waits for %s",
		    client_name(w, ((const struct msg *)n)->client));
		break;
	case N_EVENT:
		nm(w, &((const struct ev *)n)->ref, a);
		snprintf(buf, WF_NAME, "%s", a);
		break;
	case N_REQ:
		nm(w, &((const struct req *)n)->ref, a);
		if (strlen(a) > 8 && strcmp(a + strlen(a) - 8, " request") == 0)
			a[strlen(a) - 8] = '\0';
		snprintf(buf, WF_NAME, "call %s", a);
		break;
	case N_DQ:
		snprintf(buf, WF_NAME, "%s delivery queue",
		    client_name(w, v->index));
		break;
	case N_DAEMON:
		snprintf(buf, WF_NAME, "%s request queue",
		    w->m->daemons[v->index]->name);
		break;
	case N_POOL:
		snprintf(buf, WF_NAME, "%s pool",
		    w->m->procs[v->index]->name);
		break;
	default:
		nm(w, &v->ref, buf);
		break;
	}
}

/* ---- records ---------------------------------------------------------- */

static struct th *
th_get(const struct wf *w, uint64_t id)
{
	return id != 0 ? idmap_get(&w->threads, id) : NULL;
}

static struct vnode *
res_get(struct idmap *map, const struct probe_ref *r)
{
	struct vnode *v = idmap_get(map, r->id);

	if (v == NULL) {
		v = xcalloc(1, sizeof(*v));
		v->h.kind = N_RES;
		v->overcommit = -1;
		idmap_put(map, r->id, v);
	}
	if (r->p != NULL)
		v->ref = *r;
	return v;
}

static struct ev *
ev_get(struct wf *w, uint64_t id)
{
	struct ev *e = idmap_get(&w->evs, id);

	if (e == NULL) {
		e = xcalloc(1, sizeof(*e));
		e->h.kind = N_EVENT;
		e->id = id;
		idmap_put(&w->evs, id, e);
	}
	return e;
}

/* ---- instances -------------------------------------------------------- */

static void
inst_end(struct wf *w, struct inst *in, const struct hdr *n, const char *verb)
{
	char t[32], a[WF_NAME], *s;

	for (size_t i = 0; i < in->n; i++)
		if (in->nodes[i]->inst == (uint32_t)(in - w->inst) + 1)
			in->nodes[i]->inst = 0;
	in->active = 0;
	w->nopen--;
	units_format_seconds(in->f->t_end, 3, t, sizeof(t));
	if (w->why_t == in->f->t_end && w->why[0] != '\0')
		s = xasprintf("broken at t=%s when %s", t, w->why);
	else {
		label(w, n, a);
		s = xasprintf("broken at t=%s when %s %s", t, a, verb);
	}
	fd_set_ended(in->f, s);
	free(s);
}

/* n changes: if it is in a closed cycle, that cycle is over. */
static void
touch(struct wf *w, struct hdr *n, int64_t t, const char *verb)
{
	struct inst *in;

	if (n == NULL || n->inst == 0)
		return;
	in = &w->inst[n->inst - 1];
	in->f->t_end = t;
	inst_end(w, in, n, verb);
}

/* ---- successors ------------------------------------------------------- */

static void
se_push(struct wf *w, struct hdr *n)
{
	if (n == NULL)
		return;
	XGROW(w->se, w->nse + 1, w->ase);
	w->se[w->nse++] = n;
}

static void
succ_proc(struct wf *w, int proc, int role, int bound_only)
{
	for (struct th *t = w->plist[proc]; t != NULL; t = t->pnext)
		if (t->role == role && (!bound_only || t->bound != 0))
			se_push(w, &t->h);
}

static int
at_cap(const struct wf *w, int proc)
{
	return w->pool[proc].con_bound >= w->m->wq_constrained_max;
}

static void
succ_thread(struct wf *w, struct th *t)
{
	struct vnode *v;

	switch (t->wait) {
	case PROBE_WAIT_VERDICT:
		se_push(w, idmap_get(&w->evs, t->wobj));
		break;
	case PROBE_WAIT_CALL:
		se_push(w, idmap_get(&w->reqs, t->wobj));
		break;
	case PROBE_WAIT_LOCK:
		se_push(w, idmap_get(&w->locks, t->wobj));
		break;
	case PROBE_WAIT_SYNC:
		v = idmap_get(&w->queues, t->wobj);
		se_push(w, v != NULL && th_get(w, v->owner) != NULL ? &v->h :
		    NULL);
		break;
	default:
		break;
	}
}

/* Fill w->se with n's successors; returns OP_ALL or OP_ANY. */
static int
succ(struct wf *w, struct hdr *n)
{
	struct vnode *v = (struct vnode *)n;
	struct msg *mg;
	int proc;

	switch (n->kind) {
	case N_THREAD:
		succ_thread(w, (struct th *)n);
		return OP_ALL;
	case N_EVENT:
		for (mg = ((struct ev *)n)->msgs; mg != NULL; mg = mg->enext)
			se_push(w, &mg->h);
		return OP_ALL;
	case N_MSG:
		mg = (struct msg *)n;
		if (mg->state == M_QUEUED)
			se_push(w, &w->dq[mg->client].h);
		else if (mg->state == M_HANDLING)
			se_push(w, (struct hdr *)th_get(w, mg->thread));
		else if (mg->state == M_RETAINED)
			se_push(w, &w->pool[w->m->clients[mg->client]->proc->id].h);
		return OP_ALL;
	case N_REQ:
		if (((struct req *)n)->worker != 0)
			se_push(w, (struct hdr *)th_get(w,
			    ((struct req *)n)->worker));
		else if (((struct req *)n)->daemon >= 0)
			se_push(w, &w->dd[((struct req *)n)->daemon].h);
		return OP_ALL;
	case N_DQ:
		proc = w->m->clients[v->index]->proc->id;
		if (w->m->clients[v->index]->proc->queues[0].kind ==
		    M_QUEUE_SERIAL)
			se_push(w, (struct hdr *)th_get(w, v->owner));
		else
			se_push(w, &w->pool[proc].h);
		return OP_ALL;
	case N_DAEMON:
		succ_proc(w, w->m->daemons[v->index]->proc->id,
		    PROBE_ROLE_WORKER, 0);
		return OP_ANY;
	case N_POOL:
		if (at_cap(w, v->index))
			succ_proc(w, v->index, PROBE_ROLE_POOL, 1);
		return OP_ANY;
	default:
		se_push(w, (struct hdr *)th_get(w, v->owner));
		return OP_ALL;
	}
}

/* ---- the check -------------------------------------------------------- */

/* Collect what start reaches; 0, or -1 when past WF_MAX_EXPLORE. */
static int
explore(struct wf *w, struct hdr *start)
{
	w->epoch++;
	w->nvn = 0;
	w->nse = 0;
	XGROW(w->vn, 1, w->avn);
	w->vn[w->nvn++] = start;
	start->epoch = w->epoch;
	start->vidx = 0;
	for (size_t i = 0; i < w->nvn; i++) {
		size_t first = w->nse;
		int op = succ(w, w->vn[i]);

		XGROW(w->vi, i + 1, w->avi);
		w->vi[i].s0 = first;
		w->vi[i].sn = w->nse - first;
		w->vi[i].op = (uint8_t)op;
		for (size_t k = first; k < w->nse; k++) {
			struct hdr *s = w->se[k];

			if (s->epoch == w->epoch)
				continue;
			if (w->nvn >= WF_MAX_EXPLORE)
				return -1;
			s->epoch = w->epoch;
			s->vidx = (uint32_t)w->nvn;
			XGROW(w->vn, w->nvn + 1, w->avn);
			w->vn[w->nvn++] = s;
		}
	}
	return 0;
}

/* Mark the nodes that can never be released (w->stuck). */
static void
reduce(struct wf *w)
{
	int changed = 1;

	for (size_t i = 0; i < w->nvn; i++)
		w->vi[i].stuck = w->vi[i].sn > 0;
	while (changed) {
		changed = 0;
		for (size_t i = 0; i < w->nvn; i++) {
			struct vinfo *v = &w->vi[i];
			size_t nstuck = 0;

			if (!v->stuck)
				continue;
			for (size_t k = 0; k < v->sn; k++)
				nstuck += w->vi[w->se[v->s0 + k]->vidx].stuck;
			if (v->op == OP_ALL ? nstuck == 0 : nstuck < v->sn) {
				v->stuck = 0;
				changed = 1;
			}
		}
	}
}

static size_t
first_stuck(const struct wf *w, size_t i)
{
	for (size_t k = 0; k < w->vi[i].sn; k++) {
		size_t j = w->se[w->vi[i].s0 + k]->vidx;

		if (w->vi[j].stuck)
			return j;
	}
	return i;	/* not reached: a stuck node has a stuck successor */
}

/* The cycle reached from node 0 along stuck successors, into *cyc. */
static size_t
find_cycle(struct wf *w, size_t **cyc)
{
	size_t *pos = xmalloc(w->nvn * sizeof(*pos)), *path, len = 0, cur = 0;
	size_t start;

	path = xmalloc(w->nvn * sizeof(*path));
	for (size_t i = 0; i < w->nvn; i++)
		pos[i] = SIZE_MAX;
	while (pos[cur] == SIZE_MAX) {
		pos[cur] = len;
		path[len++] = cur;
		cur = first_stuck(w, cur);
	}
	start = pos[cur];
	memmove(path, path + start, (len - start) * sizeof(*path));
	free(pos);
	*cyc = path;
	return len - start;
}

/* ---- reporting -------------------------------------------------------- */

static void
what_of(struct wf *w, const struct hdr *n, const struct hdr *next, char *buf)
{
	char a[WF_NAME];
	const struct th *t = (const struct th *)n;
	const struct msg *mg = (const struct msg *)n;

	label(w, next, a);
	switch (n->kind) {
	case N_THREAD:
		snprintf(buf, WF_LINE, "%s %s",
		    t->wait == PROBE_WAIT_VERDICT ? "waits for the verdict of" :
		    t->wait == PROBE_WAIT_CALL ? "waits for the reply:" :
		    t->wait == PROBE_WAIT_LOCK ? "waits for" :
		    "waits in dispatch_sync for", a);
		break;
	case N_EVENT:
		snprintf(buf, WF_LINE, "needs the answer of %s",
		    client_name(w, ((const struct msg *)next)->client));
		break;
	case N_MSG:
		snprintf(buf, WF_LINE, "%s %s", mg->state == M_QUEUED ?
		    "is queued on" : mg->state == M_HANDLING ?
		    "is being handled by" : "is retained, waits for", a);
		break;
	case N_REQ:
		snprintf(buf, WF_LINE, "%s %s", next->kind == N_THREAD ?
		    "is served by" : "is queued on", a);
		break;
	case N_DAEMON:
	case N_POOL:
		snprintf(buf, WF_LINE, "waits for any busy thread, all stuck, "
		    "e.g. %s", a);
		break;
	default:
		snprintf(buf, WF_LINE, "is held by %s", a);
		break;
	}
}

static void
who_of(struct wf *w, const struct hdr *n, char *buf)
{
	const struct th *t = (const struct th *)n;
	char a[WF_NAME], b[WF_NAME];

	if (n->kind == N_MSG) {
		nm(w, &((const struct msg *)n)->ref, buf);
		return;
	}
	label(w, n, a);
	if (n->kind == N_THREAD && t->handling != 0)
		snprintf(buf, WF_LINE, "%s, in the handler of %s", a,
		    nm(w, &t->href, b));
	else
		snprintf(buf, WF_LINE, "%s", a);
}

/* Where the chain starts: the first delivery queue, else the first node. */
static size_t
chain_start(struct wf *w, const size_t *cyc, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (w->vn[cyc[i]]->kind == N_DQ)
			return i;
	return 0;
}

/* The chain in words, and the class signature (names without numbers). */
static void
chain_text(struct wf *w, const size_t *cyc, size_t len, size_t s0,
    char **chain, char **sig)
{
	size_t cap = 256, n = 0, sc = 256, sl = 0;
	char a[WF_LINE], *c = xmalloc(cap), *g = xmalloc(sc);

	c[0] = g[0] = '\0';
	for (size_t k = 0; k <= len; k++) {
		const struct hdr *x = w->vn[cyc[(s0 + k) % len]];
		size_t l;

		if (k > 0 && k < len && x->kind == N_THREAD &&
		    w->vn[cyc[(s0 + k - 1) % len]]->kind == N_DQ)
			continue;	/* the handler: the queue says it */
		label(w, x, a);
		if (k == len && x->kind == N_DQ)
			strcat(a, " busy");
		l = strlen(a) + 8;
		while (n + l + 1 > cap)
			c = xreallocarray(c, cap *= 2, 1);
		n += (size_t)sprintf(c + n, "%s%s", k > 0 ? " \u2192 " : "", a);
		if (k == len)
			break;
		for (char *p = a; *p != '\0'; p++)
			if (*p >= '0' && *p <= '9')
				*p = '#';
		while (sl + l + 1 > sc)
			g = xreallocarray(g, sc *= 2, 1);
		sl += (size_t)sprintf(g + sl, "%s|", a);
	}
	*chain = c;
	*sig = g;
}

static uint64_t
class_count(struct wf *w, const char *sig)
{
	for (size_t i = 0; i < w->ncls; i++)
		if (strcmp(w->cls[i].sig, sig) == 0)
			return ++w->cls[i].count;
	XGROW(w->cls, w->ncls + 1, w->acls);
	w->cls[w->ncls].sig = xstrdup(sig);
	w->cls[w->ncls].count = 1;
	return w->cls[w->ncls++].count;
}

static void
report(struct wf *w, const size_t *cyc, size_t len, int64_t now)
{
	size_t s0 = chain_start(w, cyc, len);
	char *chain, *sig, who[WF_LINE], what[WF_LINE];
	struct finding *f = fd_add(w->out, FD_DEADLOCK, now);
	struct inst *in;

	chain_text(w, cyc, len, s0, &chain, &sig);
	f->count = class_count(w, sig);
	f->value = (int64_t)len;
	fd_set_chain(f, chain);
	fd_summary(f, "%zu-step wait cycle closed (instance %" PRIu64
	    " of this cycle)", len, f->count);
	for (size_t k = 0; k < len; k++) {
		const struct hdr *x = w->vn[cyc[(s0 + k) % len]];
		const struct hdr *y = w->vn[cyc[(s0 + k + 1) % len]];

		who_of(w, x, who);
		what_of(w, x, y, what);
		fd_row(f, who, what, x->kind == N_THREAD ?
		    ((const struct th *)x)->wait_t : -1, 0);
		if (x->kind == N_DQ && f->client < 0) {
			f->client = ((const struct vnode *)x)->index;
			f->process = w->m->clients[f->client]->proc->id;
		}
	}
	fd_set_ended(f, "still closed at the end of the run");
	XGROW(w->inst, w->ninst + 1, w->ainst);
	in = &w->inst[w->ninst++];
	in->f = f;
	in->n = len;
	in->nodes = xcalloc(len, sizeof(*in->nodes));
	in->active = 1;
	w->nopen++;
	for (size_t k = 0; k < len; k++) {
		in->nodes[k] = w->vn[cyc[k]];
		if (in->nodes[k]->inst == 0)
			in->nodes[k]->inst = (uint32_t)w->ninst;
	}
	free(chain);
	free(sig);
}

static void
check(struct wf *w, struct hdr *start, int64_t now)
{
	size_t *cyc, len, known = 0;

	if (explore(w, start) != 0)
		return;
	reduce(w);
	if (!w->vi[0].stuck)
		return;
	len = find_cycle(w, &cyc);
	for (size_t k = 0; k < len; k++)
		known += w->vn[cyc[k]]->inst != 0;
	if (known < len)
		report(w, cyc, len, now);
	free(cyc);
}

/* ---- probes ----------------------------------------------------------- */

static void
on_wait(struct wf *w, const struct probe_ev *ev, struct th *t)
{
	int d;

	t->wait = (uint8_t)ev->wait;
	t->wobj = ev->obj.id;
	t->wait_t = ev->t;
	switch (ev->wait) {
	case PROBE_WAIT_VERDICT:
		ev_get(w, ev->obj.id)->ref = ev->obj;
		break;
	case PROBE_WAIT_LOCK:
		res_get(&w->locks, &ev->obj);
		break;
	case PROBE_WAIT_SYNC:
		res_get(&w->queues, &ev->obj);
		break;
	case PROBE_WAIT_CALL:
		break;
	default:
		return;		/* no owner: the wait adds no edge */
	}
	check(w, &t->h, ev->t);
	/* The "any one will do" nodes this thread is a successor of. */
	if (t->role == PROBE_ROLE_WORKER &&
	    w->m->procs[t->proc]->daemon != NULL) {
		d = w->m->procs[t->proc]->daemon->id;
		if (w->dd[d].nqueued > 0)
			check(w, &w->dd[d].h, ev->t);
	}
	if (t->role == PROBE_ROLE_POOL && w->pool[t->proc].nretained > 0 &&
	    at_cap(w, t->proc))
		check(w, &w->pool[t->proc].h, ev->t);
}

/* Whether root queue r is an overcommit one (its name says so). */
static int
root_overcommit(struct wf *w, const struct probe_ref *r)
{
	struct vnode *v = res_get(&w->queues, r);
	char a[WF_NAME];

	if (v->overcommit < 0)
		v->overcommit = strstr(nm(w, r, a), ".overcommit") != NULL;
	return v->overcommit;
}

static void
on_thread(struct wf *w, const struct probe_ev *ev)
{
	struct th *t = th_get(w, ev->thread.id);
	struct vnode *p;

	if (ev->kind == PROBE_THREAD_SPAWN) {
		t = xcalloc(1, sizeof(*t));
		t->h.kind = N_THREAD;
		t->id = ev->thread.id;
		t->proc = ev->process;
		t->role = (uint8_t)ev->role;
		t->ref = ev->thread;
		t->pnext = w->plist[t->proc];
		if (t->pnext != NULL)
			t->pnext->pprev = t;
		w->plist[t->proc] = t;
		idmap_put(&w->threads, t->id, t);
		return;
	}
	if (t == NULL)
		return;
	p = &w->pool[t->proc];
	switch (ev->kind) {
	case PROBE_THREAD_BIND:
		touch(w, &p->h, ev->t, "got a thread");
		p->con_bound -= t->bound == 1;
		t->bound = root_overcommit(w, &ev->obj) ? 2 : 1;
		p->con_bound += t->bound == 1;
		break;
	case PROBE_THREAD_PARK:
		touch(w, &p->h, ev->t, "got a thread back");
		p->con_bound -= t->bound == 1;
		t->bound = 0;
		break;
	default:	/* EXIT */
		touch(w, &t->h, ev->t, "exited");
		p->con_bound -= t->bound == 1;
		if (t->pprev != NULL)
			t->pprev->pnext = t->pnext;
		else
			w->plist[t->proc] = t->pnext;
		if (t->pnext != NULL)
			t->pnext->pprev = t->pprev;
		idmap_del(&w->threads, t->id);
		free(t);
		break;
	}
}

static void
msg_free(struct wf *w, struct msg *mg, int64_t t, const char *verb)
{
	touch(w, &mg->h, t, verb);
	if (mg->state == M_RETAINED)
		w->pool[w->m->clients[mg->client]->proc->id].nretained--;
	if (mg->ev != NULL) {
		touch(w, &mg->ev->h, t, "got an answer");
		if (mg->eprev != NULL)
			mg->eprev->enext = mg->enext;
		else
			mg->ev->msgs = mg->enext;
		if (mg->enext != NULL)
			mg->enext->eprev = mg->eprev;
	}
	idmap_del(&w->msgs, mg->id);
	free(mg);
}

static void
on_enqueue(struct wf *w, const struct probe_ev *ev)
{
	struct msg *mg;
	struct ev *e;

	if (ev->evtype == NULL || !evtype_is_auth(ev->evtype) || ev->client < 0)
		return;
	mg = xcalloc(1, sizeof(*mg));
	mg->h.kind = N_MSG;
	mg->id = ev->msg;
	mg->client = ev->client;
	mg->ref = ev->obj;
	mg->state = M_QUEUED;
	e = ev_get(w, ev->event);
	mg->ev = e;
	mg->enext = e->msgs;
	if (e->msgs != NULL)
		e->msgs->eprev = mg;
	e->msgs = mg;
	idmap_put(&w->msgs, mg->id, mg);
}

static void
on_handler(struct wf *w, const struct probe_ev *ev)
{
	struct vnode *dq = &w->dq[ev->client];
	struct msg *mg = idmap_get(&w->msgs, ev->msg);
	struct th *t = th_get(w, ev->thread.id);

	touch(w, &dq->h, ev->t, "moved on");
	if (mg != NULL)
		touch(w, &mg->h, ev->t, "moved on");
	if (ev->kind == PROBE_MSG_HANDLER_START) {
		dq->owner = ev->thread.id;
		dq->nhandling++;
		if (t != NULL) {
			t->handling = ev->msg;
			t->href = ev->obj;
			t->hclient = ev->client;
		}
		if (mg != NULL) {
			mg->state = M_HANDLING;
			mg->thread = ev->thread.id;
		}
		return;
	}
	dq->nhandling--;
	if (dq->owner == ev->thread.id)
		dq->owner = 0;
	if (t != NULL)
		t->handling = 0;
	if (mg != NULL) {
		mg->state = mg->retained ? M_RETAINED : M_ENDED;
		if (mg->retained)
			w->pool[w->m->clients[mg->client]->proc->id].nretained++;
	}
}

static void
on_msg(struct wf *w, const struct probe_ev *ev)
{
	struct msg *mg = idmap_get(&w->msgs, ev->msg);
	const char *cn = client_name(w, ev->client);

	if (ev->kind == PROBE_DEADLINE_MISS) {
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
	if (mg == NULL)
		return;
	if (ev->kind == PROBE_MSG_RETAIN) {
		mg->retained = 1;
		return;
	}
	msg_free(w, mg, ev->t, ev->kind == PROBE_MSG_RESPOND ?
	    "was answered" : ev->kind == PROBE_MSG_DROP ? "was dropped" :
	    "missed its deadline");
}

static void
on_verdict(struct wf *w, const struct probe_ev *ev)
{
	struct ev *e = idmap_del(&w->evs, ev->event);

	if (e == NULL)
		return;
	touch(w, &e->h, ev->t, "got its verdict");
	while (e->msgs != NULL) {
		struct msg *mg = e->msgs;

		e->msgs = mg->enext;
		mg->ev = NULL;
		msg_free(w, mg, ev->t, "was settled");
	}
	free(e);
}

/* The daemon of a request, from its name "DAEMON.SERVICE request". */
static int
req_daemon(struct wf *w, const struct probe_ev *ev)
{
	char a[WF_NAME];
	size_t l;

	nm(w, &ev->obj, a);
	for (size_t d = 0; d < w->m->ndaemons; d++) {
		l = strlen(w->m->daemons[d]->name);
		if (strncmp(a, w->m->daemons[d]->name, l) == 0 && a[l] == '.')
			return (int)d;
	}
	return -1;
}

static void
on_req(struct wf *w, const struct probe_ev *ev)
{
	struct req *r = idmap_get(&w->reqs, ev->obj.id);

	switch (ev->kind) {
	case PROBE_CALL:
		r = xcalloc(1, sizeof(*r));
		r->h.kind = N_REQ;
		r->id = ev->obj.id;
		r->caller = ev->thread.id;
		r->ref = ev->obj;
		r->daemon = req_daemon(w, ev);
		if (r->daemon >= 0)
			w->dd[r->daemon].nqueued++;
		idmap_put(&w->reqs, r->id, r);
		break;
	case PROBE_REQUEST_START:
		if (r == NULL)
			break;
		touch(w, &r->h, ev->t, "was taken by a worker");
		if (r->daemon >= 0) {
			touch(w, &w->dd[r->daemon].h, ev->t, "moved on");
			w->dd[r->daemon].nqueued--;
		}
		r->worker = ev->thread.id;
		break;
	default:	/* REPLY */
		if (r == NULL)
			break;
		touch(w, &r->h, ev->t, "was answered");
		if (r->worker == 0 && r->daemon >= 0)
			w->dd[r->daemon].nqueued--;
		idmap_del(&w->reqs, r->id);
		free(r);
		break;
	}
}

static void
on_owner(struct wf *w, const struct probe_ev *ev)
{
	int lock = ev->kind == PROBE_LOCK || ev->kind == PROBE_UNLOCK;
	struct vnode *v = res_get(lock ? &w->locks : &w->queues, &ev->obj);

	if (ev->kind == PROBE_LOCK || ev->kind == PROBE_QUEUE_ACQUIRE) {
		v->owner = ev->thread.id;
	} else if (v->owner == ev->thread.id) {
		touch(w, &v->h, ev->t, "was released");
		v->owner = 0;
	}
}

static void
finish(struct wf *w)
{
	/* Open instances keep "still closed at the end of the run". */
	for (size_t i = 0; i < w->ninst; i++)
		if (w->inst[i].active) {
			for (size_t k = 0; k < w->inst[i].n; k++)
				w->inst[i].nodes[k]->inst = 0;
			w->inst[i].active = 0;
		}
}

static void
listen(void *arg, const struct probe_ev *ev)
{
	struct wf *w = arg;
	struct th *t;

	switch (ev->kind) {
	case PROBE_WAIT:
		if ((t = th_get(w, ev->thread.id)) != NULL)
			on_wait(w, ev, t);
		break;
	case PROBE_WAKE:
		if ((t = th_get(w, ev->thread.id)) != NULL) {
			touch(w, &t->h, ev->t, "stopped waiting");
			t->wait = PROBE_WAIT_NONE;
		}
		break;
	case PROBE_THREAD_SPAWN:
	case PROBE_THREAD_EXIT:
	case PROBE_THREAD_BIND:
	case PROBE_THREAD_PARK:
		on_thread(w, ev);
		break;
	case PROBE_MSG_ENQUEUE:
		on_enqueue(w, ev);
		break;
	case PROBE_MSG_HANDLER_START:
	case PROBE_MSG_HANDLER_END:
		on_handler(w, ev);
		break;
	case PROBE_MSG_RETAIN:
	case PROBE_MSG_RESPOND:
	case PROBE_MSG_DROP:
	case PROBE_DEADLINE_MISS:
		on_msg(w, ev);
		break;
	case PROBE_VERDICT:
		on_verdict(w, ev);
		break;
	case PROBE_CALL:
	case PROBE_REQUEST_START:
	case PROBE_REPLY:
		on_req(w, ev);
		break;
	case PROBE_LOCK:
	case PROBE_UNLOCK:
	case PROBE_QUEUE_ACQUIRE:
	case PROBE_QUEUE_RELEASE:
		on_owner(w, ev);
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

#define WF_MASK	(PROBE_BIT(PROBE_WAIT) | PROBE_BIT(PROBE_WAKE) |	\
	PROBE_BIT(PROBE_THREAD_SPAWN) | PROBE_BIT(PROBE_THREAD_EXIT) |	\
	PROBE_BIT(PROBE_THREAD_BIND) | PROBE_BIT(PROBE_THREAD_PARK) |	\
	PROBE_BIT(PROBE_MSG_ENQUEUE) | PROBE_BIT(PROBE_MSG_HANDLER_START) | \
	PROBE_BIT(PROBE_MSG_HANDLER_END) | PROBE_BIT(PROBE_MSG_RETAIN) |	\
	PROBE_BIT(PROBE_MSG_RESPOND) | PROBE_BIT(PROBE_MSG_DROP) |	\
	PROBE_BIT(PROBE_DEADLINE_MISS) | PROBE_BIT(PROBE_VERDICT) |	\
	PROBE_BIT(PROBE_CALL) | PROBE_BIT(PROBE_REQUEST_START) |		\
	PROBE_BIT(PROBE_REPLY) | PROBE_BIT(PROBE_LOCK) |			\
	PROBE_BIT(PROBE_UNLOCK) | PROBE_BIT(PROBE_QUEUE_ACQUIRE) |	\
	PROBE_BIT(PROBE_QUEUE_RELEASE) | PROBE_BIT(PROBE_SYNC_CRASH) |	\
	PROBE_BIT(PROBE_RUN_END))

struct wf *
wf_new(const struct model *m, struct probe_bus *bus, struct fd_list *out)
{
	struct wf *w = xcalloc(1, sizeof(*w));

	w->m = m;
	w->bus = bus;
	w->out = out;
	w->why_t = -1;
	w->dq = xcalloc(m->nclients + 1, sizeof(*w->dq));
	w->dd = xcalloc(m->ndaemons + 1, sizeof(*w->dd));
	w->pool = xcalloc(m->nprocs + 1, sizeof(*w->pool));
	w->plist = xcalloc(m->nprocs + 1, sizeof(*w->plist));
	for (size_t i = 0; i < m->nclients; i++) {
		w->dq[i].h.kind = N_DQ;
		w->dq[i].index = (int)i;
	}
	for (size_t i = 0; i < m->ndaemons; i++) {
		w->dd[i].h.kind = N_DAEMON;
		w->dd[i].index = (int)i;
	}
	for (size_t i = 0; i < m->nprocs; i++) {
		w->pool[i].h.kind = N_POOL;
		w->pool[i].index = (int)i;
	}
	probe_listen(bus, WF_MASK, listen, w);
	return w;
}

static void
free_map(struct idmap *map)
{
	size_t pos = 0;
	uint64_t k;
	void *v;

	while (idmap_next(map, &pos, &k, &v))
		free(v);
	idmap_release(map);
}

void
wf_free(struct wf *w)
{
	if (w == NULL)
		return;
	free_map(&w->threads);
	free_map(&w->msgs);
	free_map(&w->evs);
	free_map(&w->reqs);
	free_map(&w->locks);
	free_map(&w->queues);
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
