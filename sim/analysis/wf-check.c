/*
 * wf-check.c - finding and reporting the cycles of the wait-for graph;
 * see waitfor.c for the graph and waitfor.h for the finding.
 *
 * succ() derives a node's out-edges from the one fact each object keeps.
 * A check starts from the node whose out-edge was just added, collects
 * what it reaches, and reduces that subgraph to the nodes that can never
 * be released: a node with no successor is free; an "all needed" node
 * (a thread, a verdict, a message, a request) is free when all its
 * successors are; an "any one will do" node (a daemon's request queue, a
 * pool at its cap) when one is; repeated until nothing changes.  If the
 * start is still stuck, following stuck successors from it must come
 * back to a node already passed: that loop is the cycle.  A cycle whose
 * nodes all belong to an instance already reported is the same instance
 * seen from a new waiter (a thread queued behind the deadlock), not a new
 * one.
 *
 * Reporting names every node through the world's namer and copies the
 * words into the finding; the class signature (the names with their
 * numbers blanked) counts how often the same cycle re-forms.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/wf-int.h"
#include "core/units.h"
#include "core/xalloc.h"

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

const char *
wf__client_name(const struct wf *w, int c)
{
	return c >= 0 && (size_t)c < w->m->nclients ? w->m->clients[c]->name :
	    "?";
}

/* Short name, for the chain. */
static void
label(const struct wf *w, const struct wf_hdr *n, char *buf)
{
	char a[WF_NAME];
	const struct vnode *v = (const struct vnode *)n;

	switch (n->kind) {
	case N_THREAD:
		nm(w, &TH_OF(n)->ref, buf);
		break;
	case N_MSG:
		snprintf(buf, WF_NAME, "waits for %s%s",
		    wf__client_name(w, ((const struct msg *)n)->client),
		    wf__msg_state(w, (const struct msg *)n) == M_HANDLING ?
		    "'s handler" : "");
		break;
	case N_EVENT:
		nm(w, &((const struct ev *)n)->ref, buf);
		break;
	case N_REQ:
		nm(w, &((const struct req *)n)->ref, a);
		if (strlen(a) > 8 && strcmp(a + strlen(a) - 8, " request") == 0)
			a[strlen(a) - 8] = '\0';
		snprintf(buf, WF_NAME, "call %s", a);
		break;
	case N_DQ:
		snprintf(buf, WF_NAME, "%s delivery queue",
		    wf__client_name(w, v->index));
		break;
	case N_DAEMON:
		snprintf(buf, WF_NAME, "%s request queue",
		    w->m->daemons[v->index]->name);
		break;
	case N_POOL:
		snprintf(buf, WF_NAME, "%s pool", w->m->procs[v->index]->name);
		break;
	case N_FLAG:
		snprintf(buf, WF_NAME, "flag %s", w->m->flags[v->index]->name);
		break;
	default:
		nm(w, &v->ref, buf);
		break;
	}
}

/* ---- instances -------------------------------------------------------- */

/* n, in a closed cycle, changes: that cycle is over. */
void
wf__touch_slow(struct wf *w, struct wf_hdr *n, int64_t t, const char *verb)
{
	uint32_t id = n->inst;
	struct inst *in = &w->inst[id - 1];
	char ts[32], a[WF_NAME], *s;

	for (size_t i = 0; i < in->n; i++)
		if (in->nodes[i]->inst == id)
			in->nodes[i]->inst = 0;
	in->active = 0;
	w->nopen--;
	in->f->t_end = t;
	units_format_seconds(t, 3, ts, sizeof(ts));
	if (w->why_t == t && w->why[0] != '\0') {
		s = xasprintf("broken at t=%s when %s", ts, w->why);
	} else {
		label(w, n, a);
		s = xasprintf("broken at t=%s when %s %s", ts, a, verb);
	}
	fd_set_ended(in->f, s);
	free(s);
}

/* ---- successors ------------------------------------------------------- */

static void
se_push(struct wf *w, struct wf_hdr *n)
{
	if (n == NULL)
		return;
	XGROW(w->se, w->nse + 1, w->ase);
	w->se[w->nse++] = n;
}

static struct wf_hdr *
th_node(const struct an_ref *r)
{
	struct an_thread *t = an_ref_get(r);

	return t != NULL ? &t->wf.h : NULL;
}

static void
succ_list(struct wf *w, int proc, int role)
{
	for (struct an_thread *t = w->plist[proc]; t != NULL; t = t->wf.pnext)
		if (t->role == role)
			se_push(w, &t->wf.h);
}

static void
succ_thread(struct wf *w, struct an_thread *t)
{
	struct vnode *v;

	switch (t->wf.wait) {
	case PROBE_WAIT_VERDICT:
		se_push(w, idmap_get(&w->evs, t->wf.wobj));
		break;
	case PROBE_WAIT_CALL:
		se_push(w, idmap_get(&w->reqs, t->wf.wobj));
		break;
	case PROBE_WAIT_LOCK:
		v = wf__lock_res(w, t->wf.wobj);
		se_push(w, v != NULL && an_ref_get(&v->owner) != NULL ?
		    &v->h : NULL);
		break;
	case PROBE_WAIT_SYNC:
		v = wf__queue_res(w, t->wf.wobj);
		se_push(w, an_ref_get(&v->owner) != NULL ? &v->h : NULL);
		break;
	case PROBE_WAIT_FLAG:
		if (wf__flag_known(w, t->wf.wobj))
			se_push(w, &w->flags[t->wf.wobj].h);
		break;
	default:
		break;
	}
}

/* Fill w->se with n's successors; returns OP_ALL or OP_ANY. */
static int
succ(struct wf *w, struct wf_hdr *n)
{
	struct vnode *v = (struct vnode *)n;
	const struct m_process *p;
	struct an_thread *t;
	struct msg *mg;

	switch (n->kind) {
	case N_THREAD:
		succ_thread(w, TH_OF(n));
		return OP_ALL;
	case N_EVENT:
		for (mg = ((struct ev *)n)->msgs; mg != NULL; mg = mg->enext)
			se_push(w, &mg->h);
		return OP_ALL;
	case N_MSG:
		mg = (struct msg *)n;
		wf__msg_settle(w, mg);
		if (mg->state == M_QUEUED)
			se_push(w, &w->dq[mg->client].h);
		else if (mg->state == M_HANDLING)
			se_push(w, th_node(&mg->thread));
		else if (mg->state == M_RETAINED)
			se_push(w, &w->pool[w->m->clients[mg->client]->proc->id].h);
		return OP_ALL;
	case N_REQ:
		if (an_ref_get(&((struct req *)n)->worker) != NULL)
			se_push(w, th_node(&((struct req *)n)->worker));
		else if (((struct req *)n)->daemon >= 0)
			se_push(w, &w->dd[((struct req *)n)->daemon].h);
		return OP_ALL;
	case N_DQ:
		p = w->m->clients[v->index]->proc;
		if (p->queues[0].kind == M_QUEUE_SERIAL)
			se_push(w, (t = wf__dq_thread(w, v)) != NULL ?
			    &t->wf.h : NULL);
		else
			se_push(w, &w->pool[p->id].h);
		return OP_ALL;
	case N_DAEMON:
		succ_list(w, w->m->daemons[v->index]->proc->id,
		    PROBE_ROLE_WORKER);
		return OP_ANY;
	case N_POOL:
		if (wf__at_cap(w, v->index))
			succ_list(w, v->index, PROBE_ROLE_POOL);
		return OP_ANY;
	case N_FLAG:
		for (size_t i = 0; i < w->m->nprocs; i++)
			if (wf__sets(w, (uint64_t)v->index, (int)i))
				succ_list(w, (int)i, PROBE_ROLE_MAIN);
		return OP_ANY;
	default:
		se_push(w, th_node(&v->owner));
		return OP_ALL;
	}
}

/* ---- the check -------------------------------------------------------- */

/* Collect what start reaches; 0, or -1 when past WF_MAX_EXPLORE. */
static int
explore(struct wf *w, struct wf_hdr *start)
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
			struct wf_hdr *s = w->se[k];

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

/* Mark the nodes that can never be released (vi[].stuck). */
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
	size_t *pos = xmalloc(w->nvn * sizeof(*pos));
	size_t *path = xmalloc(w->nvn * sizeof(*path));
	size_t len = 0, cur = 0, start;

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

/* How many live threads may set flag node n. */
static size_t
setters(struct wf *w, const struct wf_hdr *n)
{
	const struct vnode *v = (const struct vnode *)n;
	size_t k = 0;

	for (size_t i = 0; i < w->m->nprocs; i++) {
		if (!wf__sets(w, (uint64_t)v->index, (int)i))
			continue;
		for (struct an_thread *t = w->plist[i]; t != NULL;
		    t = t->wf.pnext)
			k += t->role == PROBE_ROLE_MAIN;
	}
	return k;
}

static void
what_of(struct wf *w, const struct wf_hdr *n, const struct wf_hdr *next,
    char *buf)
{
	char a[WF_NAME];
	const struct an_thread *t;
	const struct msg *mg = (const struct msg *)n;
	size_t k;

	label(w, next, a);
	switch (n->kind) {
	case N_THREAD:
		t = TH_OF(n);
		snprintf(buf, WF_LINE, "%s %s",
		    t->wf.wait == PROBE_WAIT_VERDICT ? "waits for the verdict "
		    "of" : t->wf.wait == PROBE_WAIT_CALL ? "waits for the "
		    "reply:" : t->wf.wait == PROBE_WAIT_LOCK ||
		    t->wf.wait == PROBE_WAIT_FLAG ? "waits for" :
		    "waits in dispatch_sync for", a);
		break;
	case N_EVENT:
		snprintf(buf, WF_LINE, "needs the answer of %s",
		    wf__client_name(w, ((const struct msg *)next)->client));
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
		snprintf(buf, WF_LINE, "waits for any of its threads, all "
		    "stuck, e.g. %s", a);
		break;
	case N_FLAG:
		k = setters(w, n);
		if (k > 1)
			snprintf(buf, WF_LINE, "can be set only by %s or %zu "
			    "other thread%s, all stuck", a, k - 1,
			    k > 2 ? "s" : "");
		else
			snprintf(buf, WF_LINE, "can be set only by %s", a);
		break;
	case N_DQ:
		snprintf(buf, WF_LINE, "is busy with %s", a);
		break;
	default:
		snprintf(buf, WF_LINE, "is held by %s", a);
		break;
	}
}

static void
who_of(struct wf *w, const struct wf_hdr *n, char *buf)
{
	char a[WF_NAME], b[WF_NAME];
	struct probe_ref m;

	if (n->kind == N_MSG) {
		nm(w, &((const struct msg *)n)->ref, buf);
		return;
	}
	label(w, n, a);
	if (n->kind == N_THREAD && an_in_handler(w->bus, TH_OF(n)) &&
	    probe_handling(w->bus, &TH_OF(n)->ref, &m) != 0)
		snprintf(buf, WF_LINE, "%s, in the handler of %s", a,
		    nm(w, &m, b));
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

static void
append(char **s, size_t *n, size_t *cap, const char *a, const char *b)
{
	size_t need = *n + strlen(a) + strlen(b) + 1;

	while (need > *cap)
		*s = xreallocarray(*s, *cap *= 2, 1);
	*n += (size_t)sprintf(*s + *n, "%s%s", a, b);
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
		const struct wf_hdr *x = w->vn[cyc[(s0 + k) % len]];

		if (k > 0 && k < len && x->kind == N_THREAD &&
		    w->vn[cyc[(s0 + k - 1) % len]]->kind == N_DQ)
			continue;	/* the handler: the queue says it */
		label(w, x, a);
		if (k == len && x->kind == N_DQ)
			strcat(a, " busy");
		append(&c, &n, &cap, k > 0 ? " \u2192 " : "", a);
		if (k == len)
			break;
		for (char *p = a; *p != '\0'; p++)
			if (*p >= '0' && *p <= '9')
				*p = '#';
		append(&g, &sl, &sc, a, "|");
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
		const struct wf_hdr *x = w->vn[cyc[(s0 + k) % len]];
		const struct wf_hdr *y = w->vn[cyc[(s0 + k + 1) % len]];

		who_of(w, x, who);
		what_of(w, x, y, what);
		fd_row(f, who, what, x->kind == N_THREAD ?
		    TH_OF(x)->wf.wait_t : -1, 0);
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

void
wf__check(struct wf *w, struct wf_hdr *start, int64_t now)
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
