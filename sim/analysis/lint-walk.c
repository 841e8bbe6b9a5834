/*
 * lint-walk.c - follow a model's programs without running them, and
 * record who waits for what.
 *
 * A "flow" is one thread of control: a process program, a client's init,
 * a handler running for one kind of message, a daemon service serving
 * one kind of request, or a block dispatched with async.  The walker
 * interprets each flow's actions once, in order, keeping:
 *   - the queues it holds (the serial queue it runs on and the serial
 *     queues of the sync blocks it is inside, with their target chains);
 *   - the locks it may hold (a may-set: branches of "if" are merged);
 *   - the message it handles (type, acting process, path, target), as
 *     far as it is known statically, which decides branches of "if"
 *     when it can and which "$path" resolves to.
 * At each wait (sync, lock, call, a syscall whose AUTH event reaches a
 * client, wait_flag) it adds an edge to the class graph from everything
 * the flow holds or owes to the thing waited for.  What a flow owes:
 * the answer to its message while some respond is still ahead of it
 * (also in blocks it dispatches), the reply of its service while a
 * reply is ahead (or the end of the service, if it never replies), and
 * every flag a "set" ahead of it would set.  An obligation is not given
 * edges while the flow runs holding a queue or lock that the obligation
 * already waits for: the path through that resource says the same, and
 * keeping only it is what makes each deadlock one cycle, closed by the
 * resource that is actually busy.
 *
 * Flows are discovered as they are met: a call or send starts the
 * service with the caller's message; an AUTH syscall that reaches a
 * client starts that client's handler for the new message.  Each (flow,
 * message class) is walked once; a worklist keeps the order, and so the
 * graph, deterministic.  Message classes keep only what their program
 * reads (a handler that never looks at the path has one class per type).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "analysis/lint-ctx.h"
#include "analysis/lint-walk.h"
#include "core/err.h"
#include "core/xalloc.h"

#define TXT		640

enum job_kind { JOB_PROGRAM, JOB_HANDLER, JOB_SERVICE };

struct job {
	enum job_kind		 kind;
	const struct m_process	*proc;		/* runs it */
	const struct m_client	*client;	/* HANDLER */
	const struct m_service	*service;	/* SERVICE */
	const struct m_program	*prog;		/* NULL: nothing to run */
	char			*ptr;		/* the program's JSON pointer */
	struct lint_ctx		 ctx;
	char			*key;
	char			*who;
	int			 msg;		/* message node, or -1 */
	int			 reply;		/* reply node, or -1 */
};

/* Something a flow holds: a queue (lock == NULL) or a lock. */
struct held {
	int			 node;
	const struct m_lock	*lock;
	const char		*ptr;		/* where it was taken */
	const char		*label;
};

struct walker {
	const struct model		*m;
	const struct lint_mute_set	*ds;
	struct dg			*g;
	struct lint_result		*r;
	json_t				*seen;	/* flow keys already queued */
	struct job			**jobs;
	size_t				 njobs, ajobs;
};

struct flow {
	struct walker		*w;
	const struct job	*job;
	struct lint_ctx		 ctx;
	int			 msg, reply;	/* obligations it may carry */
	int			 implicit_reply; /* service without reply */
	int			 dead;		/* past a "repeat forever" */
	const char		*loc;		/* queue it runs on (label) */
	int			 depth;		/* nesting of walk_seq */
	struct held		*q;		/* queue stack */
	size_t			 nq, aq;
	struct held		*l;		/* locks, in taking order */
	size_t			 nl, al;
};

/* The rest of a flow from acts[from] of p, then next. */
struct cont {
	const struct m_program	*p;
	size_t			 from;
	const struct cont	*next;
};

static void walk_seq(struct flow *f, const struct m_program *p,
    const struct cont *k);

/* ---- small helpers ----------------------------------------------------- */

static char *
fmt(char *buf, size_t size, const char *f, ...) ESSIM_PRINTF(3, 4);

static char *
fmt(char *buf, size_t size, const char *f, ...)
{
	va_list ap;

	va_start(ap, f);
	vsnprintf(buf, size, f, ap);
	va_end(ap);
	return buf;
}

static int
queue_is_exclusive(const struct m_queue *q)
{
	return q->kind == M_QUEUE_SERIAL || q->width == 1;
}

static char *
queue_label(const struct m_process *p, const struct m_queue *q, char *buf,
    size_t size)
{
	if (q->is_delivery)
		return fmt(buf, size, "%s delivery queue", p->name);
	return fmt(buf, size, "queue %s/%s", p->name, q->name);
}

static int
queue_node(struct walker *w, const struct m_process *p,
    const struct m_queue *q, const char **label)
{
	char key[TXT], lab[TXT];
	int id;

	fmt(key, sizeof(key), "q:%s/%s", p->name, q->name);
	queue_label(p, q, lab, sizeof(lab));
	id = dg_node(w->g, DG_NODE_QUEUE, key, lab);
	*label = dg_node_at(w->g, id)->label;
	return id;
}

static int
lock_node(struct walker *w, const struct m_process *p, const struct m_lock *l,
    const char **label)
{
	char key[TXT], lab[TXT];
	int id;

	fmt(key, sizeof(key), "l:%s/%s", p->name, l->name);
	fmt(lab, sizeof(lab), "lock %s/%s", p->name, l->name);
	id = dg_node(w->g, DG_NODE_LOCK, key, lab);
	*label = dg_node_at(w->g, id)->label;
	return id;
}

static int
flag_node(struct walker *w, const struct m_flag *fl)
{
	char key[TXT], lab[TXT];

	return dg_node(w->g, DG_NODE_FLAG, fmt(key, sizeof(key), "f:%s",
	    fl->name), fmt(lab, sizeof(lab), "flag %s", fl->name));
}

/*
 * The exclusive queues a block on q runs under: q itself if serial, and
 * the serial queues of its target chain (a block of q runs on them).
 */
static size_t
queue_chain(const struct m_queue *q, const struct m_queue **out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; q != NULL && i < 64 && n < max; i++, q = q->target)
		if (queue_is_exclusive(q))
			out[n++] = q;
	return n;
}

/* ---- what is still ahead of a flow ------------------------------------- */

static int
cont_may(const struct cont *k, const struct lint_ctx *x, enum lint_may what,
    const struct m_flag *fl)
{
	for (; k != NULL; k = k->next)
		if (lint_ctx_may(k->p, k->from, x, what, fl))
			return 1;
	return 0;
}

/* Does the flow hold a resource that obligation o already waits for? */
static int
covered(const struct flow *f, int o)
{
	for (size_t i = 0; i < f->nq; i++)
		if (dg_edge_find(f->w->g, o, f->q[i].node) >= 0)
			return 1;
	for (size_t i = 0; i < f->nl; i++)
		if (dg_edge_find(f->w->g, o, f->l[i].node) >= 0)
			return 1;
	return 0;
}

/* A copy of s that lives as long as the walk (kept in w->seen). */
static const char *
sync_loc(struct walker *w, const char *s)
{
	char key[TXT];
	json_t *v;

	fmt(key, sizeof(key), "t:%s", s);
	if ((v = json_object_get(w->seen, key)) == NULL) {
		json_object_set_new(w->seen, key, json_string(s));
		v = json_object_get(w->seen, key);
	}
	return json_string_value(v);
}

/* ---- edges ------------------------------------------------------------- */

static void
flow_who(const struct flow *f, char *buf, size_t size)
{
	if (f->loc != NULL)
		fmt(buf, size, "%s on %s", f->job->who, f->loc);
	else
		fmt(buf, size, "%s", f->job->who);
}

static void
edge(struct flow *f, int from, int to, enum dg_edge_kind kind,
    const char *who, const char *ptr, const char *what)
{
	struct dg_site s = { DG_STATIC, ptr, who, what };

	if (from != to)
		dg_edge(f->w->g, from, to, kind, &s);
}

/*
 * The flow, at the action where rest begins, waits for node `to`:
 * an edge from every queue and lock it holds and from every obligation
 * it carries that is not covered.
 */
static void
wait_for(struct flow *f, const struct cont *rest, int to,
    enum dg_edge_kind kind, const char *ptr, const char *what)
{
	const struct walker *w = f->w;
	char who[TXT], txt[2 * TXT];
	int tolock = dg_node_at(w->g, to)->kind == DG_NODE_LOCK;

	flow_who(f, who, sizeof(who));
	for (size_t i = 0; i < f->nq; i++)
		edge(f, f->q[i].node, to, kind, who, ptr, what);
	for (size_t i = 0; i < f->nl; i++)
		edge(f, f->l[i].node, to, tolock ? DG_EDGE_LOCK_ORDER : kind,
		    who, ptr, fmt(txt, sizeof(txt), "%s while holding %s "
		    "(taken at %s)", what, f->l[i].label, f->l[i].ptr));
	if (f->msg >= 0 && cont_may(rest, &f->ctx, LINT_MAY_RESPOND, NULL) &&
	    !covered(f, f->msg))
		edge(f, f->msg, to, kind, who, ptr, fmt(txt, sizeof(txt),
		    "%s before answering its %s message", what,
		    f->ctx.type->name));
	if (f->reply >= 0 && (f->implicit_reply || cont_may(rest, &f->ctx,
	    LINT_MAY_REPLY, NULL)) && !covered(f, f->reply))
		edge(f, f->reply, to, kind, who, ptr, fmt(txt, sizeof(txt),
		    "%s before replying", what));
	for (size_t i = 0; i < w->m->nflags; i++) {
		const struct m_flag *fl = w->m->flags[i];
		int o;
		if (!cont_may(rest, &f->ctx, LINT_MAY_SET, fl))
			continue;
		o = flag_node(f->w, fl);
		if (!covered(f, o))
			edge(f, o, to, kind, who, ptr, fmt(txt, sizeof(txt),
			    "%s before setting flag %s", what, fl->name));
	}
}

/* ---- flows and jobs ---------------------------------------------------- */

static int
seen(struct walker *w, const char *key)
{
	if (json_object_get(w->seen, key) != NULL)
		return 1;
	json_object_set_new(w->seen, key, json_true());
	return 0;
}

static struct job *
job_new(struct walker *w, enum job_kind kind, const struct m_process *p,
    const struct m_program *prog, const char *ptr, const char *key,
    const char *who)
{
	struct job *j = xcalloc(1, sizeof(*j));

	j->kind = kind;
	j->proc = p;
	j->prog = prog;
	j->ptr = xstrdup(ptr);
	j->key = xstrdup(key);
	j->who = xstrdup(who);
	j->msg = j->reply = -1;
	XGROW(w->jobs, w->njobs + 1, w->ajobs);
	w->jobs[w->njobs++] = j;
	return j;
}

/* "/a/b/c" from tokens (escaped as RFC 6901 wants). */
static char *
ptr_of(char *buf, size_t size, const char *a, const char *b, const char *c,
    const char *d)
{
	buf[0] = '\0';
	err_ptr_append(buf, size, a);
	err_ptr_append(buf, size, b);
	if (c != NULL)
		err_ptr_append(buf, size, c);
	if (d != NULL)
		err_ptr_append(buf, size, d);
	return buf;
}

/* The key the model file uses for c's handler of t ("default" if none). */
static const char *
handler_key(const struct model *m, const struct m_client *c,
    const struct evtype *t)
{
	json_t *hs = json_object_get(json_object_get(json_object_get(m->json,
	    "clients"), c->name), "handler");
	const char *key;
	json_t *v;

	if (c->handler[t->value] == NULL)
		return "default";
	json_object_foreach(hs, key, v) {
		(void)v;
		if (evtype_by_name(key) == t)
			return key;
	}
	return t->name;
}

/*
 * The message node of client c's answer to messages of class x, and
 * its handler queued if new.  x is normalised here.
 */
static int
handler_job(struct walker *w, const struct m_client *c, const struct lint_ctx *x0)
{
	const struct m_program *prog = c->handler[x0->type->value] != NULL ?
	    c->handler[x0->type->value] : c->handler_default;
	struct lint_ctx x = lint_ctx_normalize(x0, lint_ctx_reads(prog), 1);
	char ck[TXT], key[2 * TXT], d[TXT], who[2 * TXT], lab[2 * TXT];
	char ptr[ERR_PTR_MAX];
	struct job *j;
	int msg = -1;

	lint_ctx_key(&x, ck, sizeof(ck));
	lint_ctx_desc(&x, d, sizeof(d));
	if (evtype_is_auth(x.type))
		msg = dg_node(w->g, DG_NODE_MESSAGE, fmt(key, sizeof(key),
		    "m:%s|%s", c->name, ck), fmt(lab, sizeof(lab),
		    "%s's %s message%s", c->name, x.type->name, d));
	if (seen(w, fmt(key, sizeof(key), "h:%s|%s", c->name, ck)))
		return msg;
	j = job_new(w, JOB_HANDLER, c->proc, prog, ptr_of(ptr, sizeof(ptr),
	    "clients", c->name, "handler", handler_key(w->m, c, x.type)), key,
	    fmt(who, sizeof(who), "%s handler %s%s", c->name, x.type->name,
	    d));
	j->client = c;
	j->ctx = x;
	j->msg = msg;
	return msg;
}

static int
any_reply(const struct m_program *p)
{
	struct lint_ctx none = { NULL, NULL, { LINT_PATH_ANY, NULL },
	    { LINT_PATH_ANY, NULL } };

	return lint_ctx_may(p, 0, &none, LINT_MAY_REPLY, NULL);
}

/* The reply node of service s for messages of class x0; queued if new. */
static int
service_job(struct walker *w, const struct m_service *s,
    const struct lint_ctx *x0)
{
	unsigned reads = lint_ctx_reads(&s->program);
	struct lint_ctx x = lint_ctx_normalize(x0, reads, 0);
	char ck[TXT], key[2 * TXT], d[TXT], name[TXT], lab[2 * TXT];
	char ptr[ERR_PTR_MAX];
	struct job *j;
	int reply;

	fmt(name, sizeof(name), "%s.%s", s->daemon->name, s->name);
	lint_ctx_key(&x, ck, sizeof(ck));
	if (reads != 0)
		lint_ctx_desc(&x, d, sizeof(d));
	else
		d[0] = '\0';
	reply = dg_node(w->g, DG_NODE_SERVICE, fmt(key, sizeof(key), "s:%s%s%s",
	    name, reads ? "|" : "", reads ? ck : ""), fmt(lab, sizeof(lab),
	    "%s%s", name, d));
	if (seen(w, key))
		return reply;
	j = job_new(w, JOB_SERVICE, s->daemon->proc, &s->program,
	    ptr_of(ptr, sizeof(ptr), "daemons", s->daemon->name, "services",
	    s->name), key, lab);
	j->service = s;
	j->ctx = x;
	j->reply = reply;
	return reply;
}

static void
flow_init(struct flow *f, struct walker *w, const struct job *j)
{
	memset(f, 0, sizeof(*f));
	f->w = w;
	f->job = j;
	f->ctx = j->ctx;
	f->msg = j->msg;
	f->reply = j->reply;
	f->implicit_reply = j->reply >= 0 && !any_reply(j->prog);
}

static void
flow_release(struct flow *f)
{
	free(f->q);
	free(f->l);
}

static void
push_queue(struct flow *f, int node, const char *label, const char *ptr)
{
	XGROW(f->q, f->nq + 1, f->aq);
	f->q[f->nq].node = node;
	f->q[f->nq].lock = NULL;
	f->q[f->nq].ptr = ptr;
	f->q[f->nq].label = label;
	f->nq++;
}

/* A flow ends: a lock still held will never be released. */
static void
flow_end(struct flow *f)
{
	char who[TXT];

	if (f->dead)
		return;
	flow_who(f, who, sizeof(who));
	for (size_t i = 0; i < f->nl; i++)
		lint__add(f->w->r, LINT_LOCK_NOT_RELEASED, f->l[i].ptr, NULL,
		    "%s can end with %s still held (taken here): every later "
		    "taker waits forever", who, f->l[i].label);
}

/* ---- actions ----------------------------------------------------------- */

static void
act_sync(struct flow *f, const struct m_action *a, const struct cont *rest,
    const struct cont *after)
{
	const struct m_queue *chain[64];
	size_t n = queue_chain(a->u.gcd.queue, chain, 64), nq0 = f->nq;
	const char *label, *loc0 = f->loc;
	char txt[TXT], who[TXT], first[TXT];
	int nodes[64];

	queue_label(f->job->proc, a->u.gcd.queue, first, sizeof(first));
	for (size_t i = 0; i < n; i++) {
		nodes[i] = queue_node(f->w, f->job->proc, chain[i], &label);
		for (size_t k = 0; k < f->nq; k++) {
			if (f->q[k].node != nodes[i])
				continue;
			flow_who(f, who, sizeof(who));
			if (chain[i] == a->u.gcd.queue)
				lint__add(f->w->r, LINT_SYNC_ON_OWN_QUEUE,
				    a->ptr, f->q[k].ptr, "%s: dispatch_sync "
				    "onto %s, which this thread already runs "
				    "(since %s): libdispatch crashes the "
				    "process", who, label, f->q[k].ptr);
			else
				lint__add(f->w->r, LINT_SYNC_ON_OWN_QUEUE,
				    a->ptr, f->q[k].ptr, "%s: dispatch_sync "
				    "onto %s, whose target chain runs on %s, "
				    "which this thread already runs (since "
				    "%s): libdispatch crashes the process",
				    who, first, label, f->q[k].ptr);
			return;
		}
	}
	for (size_t i = 0; i < n; i++)
		wait_for(f, rest, nodes[i], DG_EDGE_WAITS, a->ptr,
		    fmt(txt, sizeof(txt), "dispatch_sync onto %s (waits for "
		    "it)", first));
	for (size_t i = 0; i < n; i++)
		push_queue(f, nodes[i], dg_node_at(f->w->g, nodes[i])->label,
		    a->ptr);
	f->loc = sync_loc(f->w, first);
	walk_seq(f, &a->u.gcd.body, after);
	f->nq = nq0;
	f->loc = loc0;
}

static void
act_async(struct flow *f, const struct m_action *a)
{
	const struct m_queue *chain[64];
	size_t n = queue_chain(a->u.gcd.queue, chain, 64);
	const struct m_program *body = &a->u.gcd.body;
	const struct walker *w = f->w;
	struct flow g;
	char key[2 * TXT], who[TXT], txt[2 * TXT];
	const char *label;

	if (seen(f->w, fmt(key, sizeof(key), "a:%s|%s", a->ptr,
	    f->job->key)))
		return;
	flow_who(f, who, sizeof(who));
	flow_init(&g, f->w, f->job);
	g.msg = f->msg >= 0 && lint_ctx_may(body, 0, &f->ctx, LINT_MAY_RESPOND,
	    NULL) ? f->msg : -1;
	g.reply = f->reply >= 0 && lint_ctx_may(body, 0, &f->ctx, LINT_MAY_REPLY,
	    NULL) ? f->reply : -1;
	g.implicit_reply = 0;
	g.depth = f->depth;	/* the C stack nests, whatever the flow */
	g.loc = sync_loc(f->w, queue_label(f->job->proc, a->u.gcd.queue, txt,
	    sizeof(txt)));
	for (size_t i = 0; i < n; i++) {
		int q = queue_node(f->w, f->job->proc, chain[i], &label);
		/* The block needs the queue before it can do what it owes. */
		if (g.msg >= 0)
			edge(f, g.msg, q, DG_EDGE_WAITS, who, a->ptr,
			    fmt(txt, sizeof(txt), "dispatches the answer to "
			    "its %s message to %s (async), which must be free "
			    "to run it", f->ctx.type->name, label));
		if (g.reply >= 0)
			edge(f, g.reply, q, DG_EDGE_WAITS, who, a->ptr,
			    fmt(txt, sizeof(txt), "dispatches its reply to %s "
			    "(async), which must be free to run it", label));
		for (size_t k = 0; k < w->m->nflags; k++)
			if (lint_ctx_may(body, 0, &f->ctx, LINT_MAY_SET,
			    w->m->flags[k]))
				edge(f, flag_node(f->w, w->m->flags[k]), q,
				    DG_EDGE_WAITS, who, a->ptr, fmt(txt,
				    sizeof(txt), "dispatches the setting of "
				    "flag %s to %s (async), which must be free "
				    "to run it", w->m->flags[k]->name, label));
		push_queue(&g, q, label, a->ptr);
	}
	walk_seq(&g, body, NULL);
	flow_end(&g);
	flow_release(&g);
}

static void
act_call(struct flow *f, const struct m_action *a, const struct cont *rest)
{
	const struct m_service *s = a->u.xpc.service;
	int reply = service_job(f->w, s, &f->ctx);
	char txt[TXT];

	if (a->kind == M_ACT_CALL)
		wait_for(f, rest, reply, DG_EDGE_CALLS, a->ptr, fmt(txt,
		    sizeof(txt), "calls %s.%s (waits for reply)",
		    s->daemon->name, s->name));
}

/* "opens /x -> AUTH_OPEN", "raises AUTH_RENAME on /x". */
static char *
raise_text(const struct m_action *a, const struct lint_path *path, char *buf,
    size_t size)
{
	const char *n = a->u.sys.type->name;
	enum m_path_kind k = a->u.sys.path.kind;
	char pb[TXT], ps[TXT];
	const char *v = path->kind == LINT_PATH_KNOWN || path->kind ==
	    LINT_PATH_PREFIX ? lint_ctx_path_str(path, pb, sizeof(pb)) : NULL;

	if (path->kind == LINT_PATH_NONE)
		ps[0] = '\0';
	else if (k == M_PATH_MSG || k == M_PATH_MSG_TARGET)
		fmt(ps, sizeof(ps), " %s%s%s%s", k == M_PATH_MSG ? "$path" :
		    "$target", v != NULL ? " (" : "", v != NULL ? v : "",
		    v != NULL ? ")" : "");
	else
		fmt(ps, sizeof(ps), " %s", v != NULL ? v : "some path");
	if (strcmp(n, "AUTH_OPEN") == 0 || strcmp(n, "AUTH_EXEC") == 0)
		return fmt(buf, size, "%s%s -> %s", n[5] == 'O' ? "opens" :
		    "execs", ps, n);
	return fmt(buf, size, "raises %s%s%s", n, ps[0] ? " on" : "", ps);
}

static void
raise_one(struct flow *f, const struct m_action *a, const struct cont *rest,
    const struct lint_path *path, const struct lint_path *target)
{
	const struct model *m = f->w->m;
	const struct evtype *t = a->u.sys.type;
	char why[TXT], txt[2 * TXT], rt[TXT];
	struct lint_ctx x = { t, f->job->proc, *path, *target };

	raise_text(a, path, rt, sizeof(rt));
	for (size_t i = 0; i < m->nclients; i++) {
		const struct m_client *c = m->clients[i];
		int msg;
		if (!evset_has(&c->subscribe, t->value))
			continue;
		if (lint_mute_delivered(c, f->w->ds, f->job->proc, t, path,
		    target, why, sizeof(why)) == LINT_NO)
			continue;
		msg = handler_job(f->w, c, &x);
		if (msg < 0)
			continue;
		wait_for(f, rest, msg, DG_EDGE_RAISES, a->ptr, fmt(txt,
		    sizeof(txt), "%s, subscribed by %s, %s: waits for %s's "
		    "answer", rt, c->name, why, c->name));
	}
}

static void
act_syscall(struct flow *f, const struct m_action *a, const struct cont *rest)
{
	struct lint_path paths[LINT_CHOICE_MAX], targets[LINT_CHOICE_MAX];
	size_t np = lint_ctx_paths(&a->u.sys.path, &f->ctx, paths, LINT_CHOICE_MAX);
	size_t nt = lint_ctx_paths(&a->u.sys.target, &f->ctx, targets, 1);

	if (nt != 1)
		targets[0].kind = LINT_PATH_ANY;
	for (size_t i = 0; i < np; i++)
		raise_one(f, a, rest, &paths[i], &targets[0]);
}

static void
act_lock(struct flow *f, const struct m_action *a, const struct cont *rest)
{
	const char *label;
	int node = lock_node(f->w, f->job->proc, a->u.lock, &label);
	char who[TXT], txt[TXT];

	for (size_t i = 0; i < f->nl; i++) {
		if (f->l[i].lock != a->u.lock)
			continue;
		flow_who(f, who, sizeof(who));
		lint__add(f->w->r, LINT_RECURSIVE_LOCK, a->ptr, f->l[i].ptr,
		    "%s takes %s again while it may hold it (taken at %s): a "
		    "mutex is not recursive, the thread waits for itself",
		    who, label, f->l[i].ptr);
		return;
	}
	wait_for(f, rest, node, DG_EDGE_WAITS, a->ptr, fmt(txt, sizeof(txt),
	    "takes %s", label));
	XGROW(f->l, f->nl + 1, f->al);
	f->l[f->nl].node = node;
	f->l[f->nl].lock = a->u.lock;
	f->l[f->nl].ptr = a->ptr;
	f->l[f->nl].label = label;
	f->nl++;
}

static void
act_unlock(struct flow *f, const struct m_action *a)
{
	char who[TXT];

	for (size_t i = f->nl; i-- > 0;) {
		if (f->l[i].lock != a->u.lock)
			continue;
		memmove(&f->l[i], &f->l[i + 1], (f->nl - i - 1) *
		    sizeof(f->l[0]));
		f->nl--;
		return;
	}
	flow_who(f, who, sizeof(who));
	lint__add(f->w->r, LINT_UNLOCK_NOT_HELD, a->ptr, NULL, "%s unlocks "
	    "%s/%s, which it does not hold here", who, f->job->proc->name,
	    a->u.lock->name);
}

static void
act_respond(struct flow *f, const struct m_action *a)
{
	const struct evtype *t = f->ctx.type;

	if (t == NULL || f->job->kind != JOB_HANDLER)
		return;
	if (!evtype_is_auth(t))
		lint__add(f->w->r, LINT_RESPOND_ON_NOTIFY, a->ptr, NULL,
		    "%s's default handler answers a %s message here: NOTIFY "
		    "messages take no answer", f->job->client->name, t->name);
	else if (a->u.respond.has_flags && strcmp(t->name, "AUTH_OPEN") != 0)
		lint__add(f->w->r, LINT_RESPOND_FLAGS_NOT_OPEN, a->ptr, NULL,
		    "%s's default handler answers %s with flags here: only "
		    "AUTH_OPEN takes flags, ES refuses this answer "
		    "(ES_RESPOND_RESULT_ERR_EVENT_TYPE) and the message stays "
		    "unanswered", f->job->client->name, t->name);
}

/* Locks of b not in a are added to a (may-held after a branch). */
static void
merge_locks(struct flow *f, const struct held *b, size_t nb)
{
	for (size_t i = 0; i < nb; i++) {
		size_t k;
		for (k = 0; k < f->nl && f->l[k].lock != b[i].lock; k++)
			;
		if (k < f->nl)
			continue;
		XGROW(f->l, f->nl + 1, f->al);
		f->l[f->nl++] = b[i];
	}
}

static struct held *
save_locks(const struct flow *f)
{
	struct held *s = xreallocarray(NULL, f->nl + 1, sizeof(*s));

	if (f->nl > 0)
		memcpy(s, f->l, f->nl * sizeof(*s));
	return s;
}

static void
act_if(struct flow *f, const struct m_action *a, const struct cont *after)
{
	enum lint_tri c = lint_ctx_cond(&a->u.cond.cond, &f->ctx);
	struct held *before, *then;
	size_t nbefore = f->nl, nthen;
	int dead_then;

	if (c == LINT_YES || c == LINT_NO) {
		walk_seq(f, c == LINT_YES ? &a->u.cond.then : &a->u.cond.els,
		    after);
		return;
	}
	before = save_locks(f);
	walk_seq(f, &a->u.cond.then, after);
	then = save_locks(f);
	nthen = f->nl;
	dead_then = f->dead;
	f->nl = 0;
	f->dead = 0;
	merge_locks(f, before, nbefore);
	walk_seq(f, &a->u.cond.els, after);
	/* A branch that never ends leaves nothing held after the "if". */
	if (f->dead)
		f->nl = 0;
	if (!dead_then)
		merge_locks(f, then, nthen);
	f->dead = f->dead && dead_then;
	free(before);
	free(then);
}

static int
same_locks(const struct held *a, size_t na, const struct flow *f)
{
	if (na != f->nl)
		return 0;
	for (size_t i = 0; i < na; i++)
		if (a[i].lock != f->l[i].lock)
			return 0;
	return 1;
}

static void
act_repeat(struct flow *f, const struct m_action *a, const struct cont *after)
{
	const struct m_program *body = &a->u.repeat.body;
	struct cont again = { body, 0, after };
	const struct cont *k = a->u.repeat.count == 1 ? after : &again;
	struct held *before;
	size_t nbefore = f->nl;

	if (a->u.repeat.count == 0)
		return;
	before = save_locks(f);
	walk_seq(f, body, k);
	/* What one iteration leaves held, the next one starts with. */
	if (a->u.repeat.count != 1 && !f->dead &&
	    !same_locks(before, nbefore, f))
		walk_seq(f, body, k);
	free(before);
	if (a->u.repeat.count < 0)
		f->dead = 1;
}

static void
walk_seq(struct flow *f, const struct m_program *p, const struct cont *k)
{
	char txt[TXT];

	if (p == NULL || p->n == 0)
		return;
	if (f->depth >= LINT_NEST_MAX) {
		if (f->w->r->too_deep == NULL)
			f->w->r->too_deep = xstrdup(p->acts[0].ptr);
		return;
	}
	f->depth++;
	for (size_t i = 0; i < p->n && !f->dead; i++) {
		const struct m_action *a = &p->acts[i];
		struct cont rest = { p, i, k }, after = { p, i + 1, k };
		switch (a->kind) {
		case M_ACT_SYNC:
			act_sync(f, a, &rest, &after);
			break;
		case M_ACT_ASYNC:
			act_async(f, a);
			break;
		case M_ACT_CALL:
		case M_ACT_SEND:
			act_call(f, a, &rest);
			break;
		case M_ACT_SYSCALL:
			act_syscall(f, a, &rest);
			break;
		case M_ACT_LOCK:
			act_lock(f, a, &rest);
			break;
		case M_ACT_UNLOCK:
			act_unlock(f, a);
			break;
		case M_ACT_WAIT_FLAG:
			wait_for(f, &rest, flag_node(f->w, a->u.flag),
			    DG_EDGE_WAITS, a->ptr, fmt(txt, sizeof(txt),
			    "waits for flag %s", a->u.flag->name));
			break;
		case M_ACT_RESPOND:
			act_respond(f, a);
			break;
		case M_ACT_IF:
			act_if(f, a, &after);
			break;
		case M_ACT_REPEAT:
			act_repeat(f, a, &after);
			break;
		default:
			break;
		}
	}
	f->depth--;
}

/* ---- the walk ---------------------------------------------------------- */

static void
run_job(struct walker *w, const struct job *j)
{
	struct flow f;
	const struct m_queue *chain[64];
	size_t n;
	const char *label;
	char txt[TXT], lab[TXT];

	flow_init(&f, w, j);
	if (j->kind == JOB_HANDLER) {
		n = queue_chain(&j->proc->queues[0], chain, 64);
		for (size_t i = 0; i < n; i++) {
			int q = queue_node(w, j->proc, chain[i], &label);
			if (j->msg >= 0) {
				fmt(lab, sizeof(lab), "%s",
				    dg_node_at(w->g, j->msg)->label);
				edge(&f, j->msg, q, DG_EDGE_DELIVERED, lab,
				    j->ptr, fmt(txt, sizeof(txt), "waits for "
				    "%s", label));
			}
			push_queue(&f, q, label, j->ptr);
		}
		f.loc = dg_node_at(w->g, queue_node(w, j->proc,
		    &j->proc->queues[0], &label))->label;
	}
	walk_seq(&f, j->prog, NULL);
	flow_end(&f);
	flow_release(&f);
}

static void
seed(struct walker *w)
{
	const struct model *m = w->m;
	char ptr[ERR_PTR_MAX], who[TXT], key[TXT];
	struct lint_ctx any = { NULL, NULL, { LINT_PATH_ANY, NULL },
	    { LINT_PATH_ANY, NULL } };

	for (size_t i = 0; i < m->nprocs; i++) {
		const struct m_process *p = m->procs[i];
		if (p->program.n == 0 || seen(w, fmt(key, sizeof(key), "p:%s",
		    p->name)))
			continue;
		job_new(w, JOB_PROGRAM, p, &p->program, ptr_of(ptr,
		    sizeof(ptr), "processes", p->name, "program", NULL), key,
		    fmt(who, sizeof(who), "process %s", p->name));
	}
	for (size_t i = 0; i < m->nclients; i++) {
		const struct m_client *c = m->clients[i];
		if (c->init.n > 0 && !seen(w, fmt(key, sizeof(key), "i:%s",
		    c->name)))
			job_new(w, JOB_PROGRAM, c->proc, &c->init, ptr_of(ptr,
			    sizeof(ptr), "clients", c->name, "init", NULL),
			    key, fmt(who, sizeof(who), "%s init", c->name));
		for (int v = 0; v < EVSET_BITS; v++) {
			if (!evset_has(&c->subscribe, v))
				continue;
			any.type = evtype_by_value(v);
			if (any.type != NULL)
				handler_job(w, c, &any);
		}
	}
	any.type = NULL;
	for (size_t i = 0; i < m->ndaemons; i++)
		for (size_t k = 0; k < m->daemons[i]->nservices; k++)
			service_job(w, &m->daemons[i]->services[k], &any);
}

void
lint_walk(const struct model *m, const struct lint_mute_set *ds,
    struct dg *g, struct lint_result *r)
{
	struct walker w;

	memset(&w, 0, sizeof(w));
	w.m = m;
	w.ds = ds;
	w.g = g;
	w.r = r;
	w.seen = json_object();
	seed(&w);
	/* Jobs found while running jobs are appended: run until none left. */
	for (size_t i = 0; i < w.njobs; i++)
		run_job(&w, w.jobs[i]);
	for (size_t i = 0; i < w.njobs; i++) {
		free(w.jobs[i]->ptr);
		free(w.jobs[i]->key);
		free(w.jobs[i]->who);
		free(w.jobs[i]);
	}
	free(w.jobs);
	json_decref(w.seen);
}
