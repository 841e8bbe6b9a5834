/*
 * lint.c - find deadlocks and broken handlers in a model without
 * simulating it (`essim lint`).
 *
 * Static cycles.  lint-walk.c follows every program of the model (process
 * programs, client inits, every handler for every subscribed type and
 * for every nested message a syscall raises, every daemon service with
 * the message it is called for) and builds a class dependency graph
 * (depgraph.h), lockdep-style: an edge A -> B means "whoever holds or
 * owes A waits for B".  The classes, and what makes the edges:
 *   - a serial queue (a client's delivery queue included; a concurrent
 *     queue of width 1 counts as serial) is held by the block running on
 *     it and by the serial queues of its target chain; a handler runs on
 *     its client's delivery queue; an async block on its queue; a sync
 *     block on the synced queue and its chain, and still on the queues
 *     of the code that synced;
 *   - a lock is held from "lock" to "unlock" (a may-set: after an "if",
 *     a lock either branch may hold is held);
 *   - a client's answer to a class of messages (client, type, and as
 *     much of acting process, path and target as its handler reads) is
 *     owed by the handler while a "respond" is still ahead of it, and by
 *     the async block the answer is handed to; it waits for the delivery
 *     queue first ("messages are handled strictly serially", es.md §2.9);
 *   - a daemon service's reply is owed by the service until a "reply"
 *     (until its end if it has none), and by an async block it hands the
 *     reply to;
 *   - a flag is owed by every flow with a "set" of it ahead (also in a
 *     service it calls or sends to), waited for by "wait_flag".
 * Waits: dispatch_sync onto a serial queue (or a chain holding one)
 * waits for it; "lock" for the lock; "call" for the service's reply;
 * "wait_flag" for the flag; a syscall raising an AUTH type waits for the
 * answer of every client that subscribes to the type and does not
 * certainly mute it (lint-mute.c: the client's process, path and target
 * rules, inverted or not, and es.default_mute's set; a path lint cannot
 * know is assumed not muted).  Each wait adds an edge from everything
 * the flow holds, and from everything it owes, except that an answer,
 * reply or flag that already waits for a queue or lock the flow holds
 * gets no edge of its own (the edge from that resource tells the same
 * story).  "if" takes only the branch a known message decides (a
 * literal path, the type, the acting process; a probability of 0 or 1);
 * otherwise both.  "repeat" is followed once, twice when an iteration
 * leaves a lock held; nothing after "repeat forever" is reached.  ES's
 * answer cache is ignored (the first request still waits).  Programs
 * nested deeper than LINT_NEST_MAX are not followed (a note says so).
 *
 * Every elementary cycle of the graph is a finding (depgraph.c: the
 * shortest cycle through each class first, then Johnson's algorithm,
 * up to --max-cycles, default LINT_MAX_CYCLES, with a note at the cap):
 *   - lock_order_inversion (error): a cycle of locks only (one process);
 *   - static_cycle (error): any other cycle through a queue, lock or
 *     flag, which some interleaving closes for good: the DESIGN §4 case
 *     is acme's delivery queue -> syspolicyd.assess (called by the
 *     AUTH_OPEN handler on it) -> acme's answer to the AUTH_OPEN assess
 *     raises -> acme's delivery queue;
 *   - recursive_wait (warning): a cycle of answers and replies only.
 *     No resource closes it: each nested message is a new message of
 *     the same class, which waits again, without end, until the
 *     daemon's workers or the deadlines stop it.
 * Cycles are printed as scenarios (STYLE §7): one step per edge,
 * starting at a queue (else a lock, else a flag), each naming the actor,
 * the JSON pointer of its action and what it waits for.
 *
 * Other errors, found on the way: sync_on_own_queue (dispatch_sync onto
 * a queue the thread already runs on, directly, by nested syncs or
 * through a target chain: libdispatch crashes the process),
 * recursive_lock (taking a lock the thread may hold).
 *
 * Warnings: no_response (a path through an AUTH handler that neither
 * responds nor retains, here or in a block it syncs or dispatches; a
 * known message decides "if" as above), retained_never_answered (a
 * handler that retains but has no respond anywhere), unhandled_
 * subscription (a subscribed type with no handler and no default),
 * handler_not_subscribed, respond_on_notify and respond_flags_not_open
 * (a default handler answering a NOTIFY message, or answering flags to
 * a type other than AUTH_OPEN), lock_not_released (a flow that can end
 * with a lock held), unlock_not_held, flag_never_set (wait_flag on a
 * flag no program sets).
 *
 * Order: findings are sorted by severity, kind, length (cycles: the
 * shortest story first), primary pointer and message; the walk and the
 * graph are deterministic too, so the output depends on the model
 * alone.  Cost: each (program, message class) is
 * walked once; models have tens of classes, the search is capped.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/depgraph.h"
#include "analysis/lint-ctx.h"
#include "analysis/lint-mute.h"
#include "analysis/lint-walk.h"
#include "analysis/lint.h"
#include "core/err.h"
#include "core/xalloc.h"

static const struct {
	const char		*name;
	enum lint_severity	 sev;
} kinds[LINT_NKINDS] = {
	{ "static_cycle",		LINT_ERROR },
	{ "sync_on_own_queue",		LINT_ERROR },
	{ "lock_order_inversion",	LINT_ERROR },
	{ "recursive_lock",		LINT_ERROR },
	{ "no_response",		LINT_WARNING },
	{ "retained_never_answered",	LINT_WARNING },
	{ "unhandled_subscription",	LINT_WARNING },
	{ "handler_not_subscribed",	LINT_WARNING },
	{ "respond_on_notify",		LINT_WARNING },
	{ "respond_flags_not_open",	LINT_WARNING },
	{ "lock_not_released",		LINT_WARNING },
	{ "unlock_not_held",		LINT_WARNING },
	{ "flag_never_set",		LINT_WARNING },
	{ "recursive_wait",		LINT_WARNING },
};

const char *
lint_kind_name(enum lint_kind k)
{
	return (size_t)k < LINT_NKINDS ? kinds[k].name : "?";
}

enum lint_severity
lint_kind_severity(enum lint_kind k)
{
	return (size_t)k < LINT_NKINDS ? kinds[k].sev : LINT_ERROR;
}

const char *
lint_severity_name(enum lint_severity s)
{
	return s == LINT_ERROR ? "error" : "warning";
}

/* ---- findings ---------------------------------------------------------- */

static void
add_ptr(struct lint_finding *f, const char *ptr)
{
	if (ptr == NULL || ptr[0] == '\0')
		return;
	for (size_t i = 0; i < f->nptrs; i++)
		if (strcmp(f->ptrs[i], ptr) == 0)
			return;
	f->ptrs = xreallocarray(f->ptrs, f->nptrs + 1, sizeof(*f->ptrs));
	f->ptrs[f->nptrs++] = xstrdup(ptr);
}

static struct lint_finding *
finding_new(struct lint_result *r, enum lint_kind k, char *message)
{
	struct lint_finding *f;

	XGROW(r->v, r->n + 1, r->alloc);
	f = &r->v[r->n++];
	memset(f, 0, sizeof(*f));
	f->kind = k;
	f->severity = lint_kind_severity(k);
	f->message = message;
	return f;
}

struct lint_finding *
lint__add(struct lint_result *r, enum lint_kind k, const char *ptr,
    const char *ptr2, const char *fmt, ...)
{
	struct lint_finding *f;
	va_list ap;
	char buf[512], *msg;
	int len;

	for (size_t i = 0; i < r->n; i++)
		if (r->v[i].kind == k && r->v[i].nptrs > 0 &&
		    strcmp(r->v[i].ptrs[0], ptr) == 0)
			return NULL;
	va_start(ap, fmt);
	len = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (len < 0)
		BUG("lint__add: bad format");
	msg = xmalloc((size_t)len + 1);
	if ((size_t)len < sizeof(buf))
		memcpy(msg, buf, (size_t)len + 1);
	else {
		va_start(ap, fmt);
		vsnprintf(msg, (size_t)len + 1, fmt, ap);
		va_end(ap);
	}
	f = finding_new(r, k, msg);
	add_ptr(f, ptr);
	add_ptr(f, ptr2);
	return f;
}

/* ---- subscriptions and handlers ---------------------------------------- */

static json_t *
client_json(const struct model *m, const struct m_client *c, const char *key)
{
	return json_object_get(json_object_get(json_object_get(m->json,
	    "clients"), c->name), key);
}

static void
ptr3(char *buf, size_t size, const char *a, const char *b, const char *c)
{
	buf[0] = '\0';
	err_ptr_append(buf, size, a);
	err_ptr_append(buf, size, b);
	err_ptr_append(buf, size, c);
}

static void
check_subscriptions(const struct model *m, const struct m_client *c,
    struct lint_result *r)
{
	json_t *sub = client_json(m, c, "subscribe"), *hs, *v;
	char ptr[ERR_PTR_MAX];
	const char *key;
	size_t i;

	json_array_foreach(sub, i, v) {
		const struct evtype *t = json_is_string(v) ?
		    evtype_by_name(json_string_value(v)) : NULL;
		if (t == NULL || c->handler[t->value] != NULL ||
		    c->handler_default != NULL)
			continue;
		ptr3(ptr, sizeof(ptr), "clients", c->name, "subscribe");
		err_ptr_append_index(ptr, sizeof(ptr), i);
		lint__add(r, LINT_UNHANDLED_SUBSCRIPTION, ptr, NULL, "%s "
		    "subscribes to %s but has no handler for it and no default "
		    "handler: %s", c->name, t->name, evtype_is_auth(t) ?
		    "no message is ever answered and ES kills the client at "
		    "the deadline" : "every message is dropped unread");
	}
	hs = client_json(m, c, "handler");
	json_object_foreach(hs, key, v) {
		const struct evtype *t = evtype_by_name(key);
		if (t == NULL || evset_has(&c->subscribe, t->value))
			continue;
		ptr3(ptr, sizeof(ptr), "clients", c->name, "handler");
		err_ptr_append(ptr, sizeof(ptr), key);
		lint__add(r, LINT_HANDLER_NOT_SUBSCRIBED, ptr, NULL, "%s has a "
		    "handler for %s but does not subscribe to it: the handler "
		    "never runs", c->name, t->name);
	}
}

/* An "if" for a message of type t whose process and path are unknown. */
static enum lint_tri
cond_for(const struct m_cond *c, const struct evtype *t)
{
	struct lint_ctx x = { t, NULL, { LINT_PATH_ANY, NULL },
	    { LINT_PATH_ANY, NULL } };

	return lint_ctx_cond(c, &x);
}

/* Does every path through acts[from..] answer (respond or retain)? */
static int
seq_answers(const struct m_program *p, const struct evtype *t);

static int
act_answers(const struct m_action *a, const struct evtype *t)
{
	enum lint_tri c;

	switch (a->kind) {
	case M_ACT_RESPOND:
	case M_ACT_RETAIN:
		return 1;
	case M_ACT_SYNC:
	case M_ACT_ASYNC:
		return seq_answers(&a->u.gcd.body, t);
	case M_ACT_IF:
		c = cond_for(&a->u.cond.cond, t);
		return (c == LINT_NO || seq_answers(&a->u.cond.then, t)) &&
		    (c == LINT_YES || seq_answers(&a->u.cond.els, t));
	case M_ACT_REPEAT:
		return a->u.repeat.count != 0 &&
		    seq_answers(&a->u.repeat.body, t);
	default:
		return 0;
	}
}

static int
seq_answers(const struct m_program *p, const struct evtype *t)
{
	for (size_t i = 0; i < p->n; i++)
		if (act_answers(&p->acts[i], t))
			return 1;
	return 0;
}

/*
 * Is there an action of kind k reachable in p (any depth, through
 * bodies and branches a type-t message may take)?  Returns it or NULL.
 */
static const struct m_action *
reach(const struct m_program *p, const struct evtype *t, enum m_act_kind k)
{
	const struct m_action *x;

	for (size_t i = 0; i < p->n; i++) {
		const struct m_action *a = &p->acts[i];
		enum lint_tri c;
		if (a->kind == k)
			return a;
		switch (a->kind) {
		case M_ACT_SYNC:
		case M_ACT_ASYNC:
			if ((x = reach(&a->u.gcd.body, t, k)) != NULL)
				return x;
			break;
		case M_ACT_IF:
			c = cond_for(&a->u.cond.cond, t);
			if (c != LINT_NO && (x = reach(&a->u.cond.then, t, k)))
				return x;
			if (c != LINT_YES && (x = reach(&a->u.cond.els, t, k)))
				return x;
			break;
		case M_ACT_REPEAT:
			if (a->u.repeat.count != 0 &&
			    (x = reach(&a->u.repeat.body, t, k)) != NULL)
				return x;
			break;
		default:
			break;
		}
	}
	return NULL;
}

static int
may_answer(const struct m_program *p, const struct evtype *t)
{
	return reach(p, t, M_ACT_RESPOND) != NULL ||
	    reach(p, t, M_ACT_RETAIN) != NULL;
}

/*
 * Where a path through p (at pointer base) can end unanswered: the
 * innermost branch of an "if" that does not answer while its sibling
 * may, or base itself.  NULL if every path answers.
 */
static const char *
unanswered_at(const struct m_program *p, const char *base,
    const struct evtype *t, char *buf, size_t size)
{

	if (seq_answers(p, t))
		return NULL;
	for (size_t i = 0; i < p->n; i++) {
		const struct m_action *a = &p->acts[i];
		enum lint_tri c;
		if (a->kind != M_ACT_IF)
			continue;
		c = cond_for(&a->u.cond.cond, t);
		if (c == LINT_YES || c == LINT_NO) {
			const struct m_program *b = c == LINT_YES ?
			    &a->u.cond.then : &a->u.cond.els;
			if (may_answer(b, t)) {
				snprintf(buf, size, "%s/%s", a->ptr,
				    c == LINT_YES ? "then" : "else");
				return unanswered_at(b, buf, t, buf, size);
			}
			continue;
		}
		if (!may_answer(&a->u.cond.then, t) &&
		    !may_answer(&a->u.cond.els, t))
			continue;
		if (!seq_answers(&a->u.cond.then, t)) {
			snprintf(buf, size, "%s/then", a->ptr);
			return unanswered_at(&a->u.cond.then, buf, t, buf,
			    size);
		}
		snprintf(buf, size, "%s/else", a->ptr);
		return unanswered_at(&a->u.cond.els, buf, t, buf, size);
	}
	if (base != buf)
		snprintf(buf, size, "%s", base);
	return buf;
}

static void
check_answers(const struct model *m, const struct m_client *c,
    struct lint_result *r)
{
	char base[ERR_PTR_MAX], at[ERR_PTR_MAX];
	const char *key;
	json_t *hs = client_json(m, c, "handler"), *v;

	for (int tv = 0; tv < EVSET_BITS; tv++) {
		const struct evtype *t = evtype_by_value(tv);
		const struct m_program *p;
		const struct m_action *ret;
		if (t == NULL || !evtype_is_auth(t) ||
		    !evset_has(&c->subscribe, tv))
			continue;
		p = c->handler[tv] != NULL ? c->handler[tv] :
		    c->handler_default;
		if (p == NULL)
			continue;
		ptr3(base, sizeof(base), "clients", c->name, "handler");
		if (c->handler[tv] == NULL)
			err_ptr_append(base, sizeof(base), "default");
		else {
			json_object_foreach(hs, key, v) {
				if (evtype_by_name(key) == t)
					err_ptr_append(base, sizeof(base), key);
			}
		}
		if (unanswered_at(p, base, t, at, sizeof(at)) != NULL) {
			if (strcmp(at, base) == 0)
				lint__add(r, LINT_NO_RESPONSE, at, NULL,
				    "%s's handler never answers %s messages "
				    "(no respond or retain): ES kills %s at "
				    "the deadline", c->name, t->name, c->name);
			else
				lint__add(r, LINT_NO_RESPONSE, at, NULL,
				    "%s's handler can end without answering an "
				    "%s message (no respond or retain on the "
				    "path through here): ES kills %s at the "
				    "deadline", c->name, t->name, c->name);
		}
		ret = reach(p, t, M_ACT_RETAIN);
		if (ret != NULL && reach(p, t, M_ACT_RESPOND) == NULL)
			lint__add(r, LINT_RETAINED_NEVER_ANSWERED, ret->ptr,
			    NULL,
			    "%s retains %s messages here but no path answers "
			    "them: ES kills %s at the deadline", c->name,
			    t->name, c->name);
	}
}

/* ---- flags ------------------------------------------------------------- */

static void
scan_flags(const struct m_program *p, unsigned char *set,
    const struct m_action ***waits, size_t *nwaits, size_t *await)
{
	for (size_t i = 0; p != NULL && i < p->n; i++) {
		const struct m_action *a = &p->acts[i];
		switch (a->kind) {
		case M_ACT_SET:
			set[a->u.flag->id] = 1;
			break;
		case M_ACT_WAIT_FLAG:
			XGROW(*waits, *nwaits + 1, *await);
			(*waits)[(*nwaits)++] = a;
			break;
		case M_ACT_SYNC:
		case M_ACT_ASYNC:
			scan_flags(&a->u.gcd.body, set, waits, nwaits, await);
			break;
		case M_ACT_IF:
			scan_flags(&a->u.cond.then, set, waits, nwaits, await);
			scan_flags(&a->u.cond.els, set, waits, nwaits, await);
			break;
		case M_ACT_REPEAT:
			scan_flags(&a->u.repeat.body, set, waits, nwaits,
			    await);
			break;
		default:
			break;
		}
	}
}

static void
check_flags(const struct model *m, struct lint_result *r)
{
	unsigned char *set = xcalloc(m->nflags + 1, 1);
	const struct m_action **waits = NULL;
	size_t nwaits = 0, await = 0;

	for (size_t i = 0; i < m->nprocs; i++)
		scan_flags(&m->procs[i]->program, set, &waits, &nwaits,
		    &await);
	for (size_t i = 0; i < m->nclients; i++) {
		const struct m_client *c = m->clients[i];
		scan_flags(&c->init, set, &waits, &nwaits, &await);
		scan_flags(c->handler_default, set, &waits, &nwaits, &await);
		for (int v = 0; v < EVSET_BITS; v++)
			scan_flags(c->handler[v], set, &waits, &nwaits, &await);
	}
	for (size_t i = 0; i < m->ndaemons; i++)
		for (size_t k = 0; k < m->daemons[i]->nservices; k++)
			scan_flags(&m->daemons[i]->services[k].program, set,
			    &waits, &nwaits, &await);
	for (size_t i = 0; i < nwaits; i++)
		if (!set[waits[i]->u.flag->id])
			lint__add(r, LINT_FLAG_NEVER_SET, waits[i]->ptr, NULL,
			    "waits for flag %s, which no program sets: the "
			    "thread waits forever", waits[i]->u.flag->name);
	free(waits);
	free(set);
}

/* ---- cycles ------------------------------------------------------------ */

static int
exclusive(enum dg_node_kind k)
{
	return k == DG_NODE_QUEUE || k == DG_NODE_LOCK || k == DG_NODE_FLAG;
}

/* Where the story starts: a queue, else a lock, else a flag. */
static size_t
cycle_start(const struct dg *g, const struct dg_cycle *c)
{
	static const enum dg_node_kind pref[] = {
		DG_NODE_QUEUE, DG_NODE_LOCK, DG_NODE_FLAG
	};

	for (size_t p = 0; p < 3; p++)
		for (size_t i = 0; i < c->len; i++)
			if (dg_node_at(g, c->nodes[i])->kind == pref[p])
				return i;
	return 0;
}

static void
add_cycle(const struct dg *g, const struct dg_cycle *c, struct lint_result *r)
{
	size_t start = cycle_start(g, c), nlock = 0, nexcl = 0, len = 0, used;
	struct lint_finding *f;
	enum lint_kind kind;
	char *msg;
	const char *head;

	for (size_t i = 0; i < c->len; i++) {
		enum dg_node_kind k = dg_node_at(g, c->nodes[i])->kind;
		nlock += k == DG_NODE_LOCK;
		nexcl += exclusive(k);
		len += strlen(dg_node_at(g, c->nodes[i])->label) + 4;
	}
	if (nlock == c->len) {
		kind = LINT_LOCK_ORDER_INVERSION;
		head = "lock order inversion";
	} else if (nexcl > 0) {
		kind = LINT_STATIC_CYCLE;
		head = "static cycle";
	} else {
		kind = LINT_RECURSIVE_WAIT;
		head = "answers wait for nested messages of their own kind";
	}
	len += strlen(head) + 64 +
	    strlen(dg_node_at(g, c->nodes[start])->label);
	msg = xmalloc(len);
	used = (size_t)snprintf(msg, len, "%s (%zu step%s): ", head, c->len,
	    c->len > 1 ? "s" : "");
	for (size_t k = 0; k <= c->len && used < len; k++)
		used += (size_t)snprintf(msg + used, len - used, "%s%s",
		    k ? " -> " : "", dg_node_at(g, c->nodes[(start + k) %
		    c->len])->label);
	f = finding_new(r, kind, msg);
	f->steps = xcalloc(c->len, sizeof(*f->steps));
	f->nsteps = c->len;
	for (size_t k = 0; k < c->len; k++) {
		const struct dg_edge *e = dg_edge_at(g,
		    c->edges[(start + k) % c->len]);
		f->steps[k].who = xstrdup(e->who);
		f->steps[k].where = xstrdup(e->where);
		f->steps[k].what = xstrdup(e->what);
		add_ptr(f, e->where);
	}
	f->scenario = dg_cycle_scenario(g, c, start, 2, kind ==
	    LINT_RECURSIVE_WAIT ? "and so on, one nested message deeper "
	    "each time (*** NO END ***)" : NULL);
}

/* ---- the run ----------------------------------------------------------- */

static int
finding_cmp(const void *a, const void *b)
{
	const struct lint_finding *x = a, *y = b;
	int c;

	if (x->severity != y->severity)
		return x->severity < y->severity ? -1 : 1;
	if (x->kind != y->kind)
		return x->kind < y->kind ? -1 : 1;
	if (x->nsteps != y->nsteps)
		return x->nsteps < y->nsteps ? -1 : 1;
	c = strcmp(x->nptrs ? x->ptrs[0] : "", y->nptrs ? y->ptrs[0] : "");
	return c != 0 ? c : strcmp(x->message, y->message);
}

void
lint_model(const struct model *m, const struct lint_opts *opts,
    struct lint_result *r)
{
	struct lint_mute_set *ds = lint_mute_set_default(m->default_mute);
	struct dg *g = dg_new();
	struct dg_cycles cs;

	memset(r, 0, sizeof(*r));
	lint_walk(m, ds, g, r);
	for (size_t i = 0; i < m->nclients; i++) {
		check_subscriptions(m, m->clients[i], r);
		check_answers(m, m->clients[i], r);
	}
	check_flags(m, r);
	dg_cycles(g, opts != NULL && opts->max_cycles != 0 ?
	    opts->max_cycles : LINT_MAX_CYCLES, &cs);
	for (size_t i = 0; i < cs.n; i++)
		add_cycle(g, &cs.v[i], r);
	r->truncated = cs.truncated;
	r->max_cycles = cs.cap;
	r->nclasses = dg_nnodes(g);
	r->ndeps = dg_nedges(g);
	dg_cycles_release(&cs);
	dg_free(g);
	lint_mute_set_free(ds);
	if (r->n > 1)
		qsort(r->v, r->n, sizeof(*r->v), finding_cmp);
	for (size_t i = 0; i < r->n; i++) {
		if (r->v[i].severity == LINT_ERROR)
			r->nerrors++;
		else
			r->nwarnings++;
	}
}

void
lint_result_release(struct lint_result *r)
{
	for (size_t i = 0; i < r->n; i++) {
		struct lint_finding *f = &r->v[i];
		for (size_t k = 0; k < f->nptrs; k++)
			free(f->ptrs[k]);
		for (size_t k = 0; k < f->nsteps; k++) {
			free(f->steps[k].who);
			free(f->steps[k].where);
			free(f->steps[k].what);
		}
		free(f->ptrs);
		free(f->steps);
		free(f->scenario);
		free(f->message);
	}
	free(r->v);
	free(r->too_deep);
	memset(r, 0, sizeof(*r));
}

/* ---- output ------------------------------------------------------------ */

void
lint_print(const struct lint_result *r, const char *file, FILE *f)
{
	for (size_t i = 0; i < r->n; i++) {
		const struct lint_finding *x = &r->v[i];
		fprintf(f, "%s: %s: %s: %s [%s]\n", file,
		    x->nptrs > 0 ? x->ptrs[0] : "/",
		    lint_severity_name(x->severity), x->message,
		    lint_kind_name(x->kind));
		if (x->scenario != NULL)
			fputs(x->scenario, f);
	}
	if (r->truncated)
		fprintf(f, "%s: note: the cycle search stopped after %zu "
		    "cycles (--max-cycles); there may be more\n", file,
		    r->max_cycles);
	if (r->too_deep != NULL)
		fprintf(f, "%s: %s: note: programs nested more than %d levels "
		    "deep are not followed\n", file, r->too_deep,
		    LINT_NEST_MAX);
	fprintf(f, "%s: %zu error%s, %zu warning%s\n", file, r->nerrors,
	    r->nerrors == 1 ? "" : "s", r->nwarnings,
	    r->nwarnings == 1 ? "" : "s");
}

json_t *
lint_json(const struct lint_result *r, const char *file)
{
	json_t *o = json_object(), *fs = json_array();

	json_object_set_new(o, "file", json_string(file));
	json_object_set_new(o, "errors", json_integer((json_int_t)r->nerrors));
	json_object_set_new(o, "warnings",
	    json_integer((json_int_t)r->nwarnings));
	json_object_set_new(o, "classes",
	    json_integer((json_int_t)r->nclasses));
	json_object_set_new(o, "dependencies",
	    json_integer((json_int_t)r->ndeps));
	json_object_set_new(o, "truncated", json_boolean(r->truncated));
	json_object_set_new(o, "too_deep", r->too_deep != NULL ?
	    json_string(r->too_deep) : json_null());
	for (size_t i = 0; i < r->n; i++) {
		const struct lint_finding *x = &r->v[i];
		json_t *jf = json_object(), *ps = json_array(), *st;
		json_object_set_new(jf, "kind",
		    json_string(lint_kind_name(x->kind)));
		json_object_set_new(jf, "severity",
		    json_string(lint_severity_name(x->severity)));
		json_object_set_new(jf, "message", json_string(x->message));
		for (size_t k = 0; k < x->nptrs; k++)
			json_array_append_new(ps, json_string(x->ptrs[k]));
		json_object_set_new(jf, "pointers", ps);
		if (x->nsteps > 0) {
			st = json_array();
			for (size_t k = 0; k < x->nsteps; k++)
				json_array_append_new(st, json_pack(
				    "{s:s, s:s, s:s}", "who", x->steps[k].who,
				    "where", x->steps[k].where, "what",
				    x->steps[k].what));
			json_object_set_new(jf, "steps", st);
			json_object_set_new(jf, "scenario",
			    json_string(x->scenario));
		}
		json_array_append_new(fs, jf);
	}
	json_object_set_new(o, "findings", fs);
	return o;
}
