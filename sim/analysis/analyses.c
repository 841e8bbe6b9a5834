/*
 * analyses.c - every run-time analysis behind one handle and one probe
 * listener; see analyses.h.
 *
 * One listener, not one per analysis: the listener looks the acting
 * thread up once (an-int.h: a direct-mapped cache in front of a hash map,
 * records from a free list) and calls each analysis whose probe kinds
 * match, handing it the record.  On the 1M-syscall benchmark a probe
 * reaches four analyses; four listeners would each have hashed the thread
 * id and the bus would have dispatched four times.  The analyses remain
 * separate modules with their own state and findings; they share the
 * thread records.
 *
 * Before the analyses see a probe, the listener records the handler a
 * thread starts; after, it updates what the thread holds (so that on a
 * QUEUE_ACQUIRE or LOCK the analyses see what was held before) and
 * forgets an exiting thread.  It also records the first time of each flag
 * and the time of the last probe seen.
 *
 * an_run() builds a world for one seed, runs it to its end and frees it;
 * what it returns is the analyses' results, which outlive the world (the
 * names in findings were copied when they were made).
 */
#include <stdlib.h>
#include <string.h>

#include "analysis/an-int.h"
#include "analysis/analyses.h"
#include "analysis/idmap.h"
#include "core/units.h"
#include "core/xalloc.h"

#define AN_CACHE	256	/* direct-mapped thread cache, a power of 2 */

struct an {
	const struct model	*m;
	const struct probe_bus	*bus;
	struct an_opts		 o;
	struct fd_list		 f;
	struct wf		*wf;
	struct lk		*lk;
	struct pm		*pm;
	struct dl		*dl;
	uint8_t			 route[PROBE__COUNT];
	struct idmap		 threads;
	struct {
		uint64_t	  id;
		struct an_thread *t;		/* NULL: known to have none */
	}			 cache[AN_CACHE];
	struct an_thread	*free_threads;
	struct an_thread	**chunks;	/* every record allocated */
	size_t			 nchunks, achunks;
	int64_t			*flag_first;
	int64_t			 t_last;
	int			 done;
};

#define AN_CHUNK	256

/* Routes of a probe kind (struct an's route[]). */
enum {
	R_WF = 1, R_LK = 2, R_PM = 4, R_DL = 8,	/* the analyses, in order */
	R_THREAD = 16,		/* look the acting thread up */
	R_SVC = 32,		/* name the request's service */
	R_BEFORE = 64, R_AFTER = 128
};

/* ---- thread records --------------------------------------------------- */

static struct an_thread *
th_find(struct an *a, uint64_t id)
{
	size_t k = id & (AN_CACHE - 1);

	if (a->cache[k].id != id) {
		a->cache[k].id = id;
		a->cache[k].t = idmap_get(&a->threads, id);
	}
	return a->cache[k].t;
}

static struct an_thread *
th_create(struct an *a, const struct probe_ev *ev, int role)
{
	struct an_thread *t;

	if (a->free_threads == NULL) {
		t = xcalloc(AN_CHUNK, sizeof(*t));
		XGROW(a->chunks, a->nchunks + 1, a->achunks);
		a->chunks[a->nchunks++] = t;
		for (size_t i = 0; i < AN_CHUNK; i++) {
			t[i].fnext = a->free_threads;
			a->free_threads = &t[i];
		}
	}
	t = a->free_threads;
	a->free_threads = t->fnext;
	memset(t, 0, sizeof(*t));
	t->id = ev->thread.id;
	t->proc = ev->process;
	t->role = (uint8_t)role;
	t->ref = ev->thread;
	t->hclient = -1;
	idmap_put(&a->threads, t->id, t);
	a->cache[t->id & (AN_CACHE - 1)].id = t->id;
	a->cache[t->id & (AN_CACHE - 1)].t = t;
	return t;
}

static void
th_destroy(struct an *a, struct an_thread *t)
{
	idmap_del(&a->threads, t->id);
	a->cache[t->id & (AN_CACHE - 1)].t = NULL;
	memset(t, 0, sizeof(*t));	/* id 0: refs to it are stale */
	t->fnext = a->free_threads;
	a->free_threads = t;
}

/*
 * Whether a probe of this kind makes a record for a thread without one:
 * when the thread starts to hold something another thread may wait for.
 * A thread that holds nothing needs none, even when it waits: nothing can
 * wait for it, so it is in no cycle and on no analysis's list (its later
 * waits, once it holds something, find the record).
 */
static int
wants_record(const struct probe_ev *ev)
{
	switch (ev->kind) {
	case PROBE_MSG_HANDLER_START:
	case PROBE_REQUEST_START:
	case PROBE_QUEUE_ACQUIRE:
	case PROBE_LOCK:
		return 1;
	default:
		return 0;
	}
}

static struct an_thread *
thread_of(struct an *a, const struct probe_ev *ev)
{
	struct an_thread *t;

	if (ev->thread.kind != PROBE_OBJ_THREAD || ev->thread.id == 0 ||
	    ev->process < 0)
		return NULL;
	if (ev->kind == PROBE_THREAD_SPAWN) {
		if (ev->role == PROBE_ROLE_POOL || ev->role == PROBE_ROLE_WORKER ||
		    wf_wants_record(a->wf, ev->role, ev->process))
			return th_create(a, ev, ev->role);
		a->cache[ev->thread.id & (AN_CACHE - 1)].id = ev->thread.id;
		a->cache[ev->thread.id & (AN_CACHE - 1)].t = NULL;
		return NULL;
	}
	if ((t = th_find(a, ev->thread.id)) == NULL && wants_record(ev))
		t = th_create(a, ev, AN_ROLE_UNKNOWN);
	return t;
}

/* ---- what a thread holds ---------------------------------------------- */

static void
hold(struct an_thread *t, uint64_t id, int lock)
{
	if (t->nheld < AN_HELD) {
		t->held[t->nheld] = id;
		t->held_lock[t->nheld] = (uint8_t)lock;
		t->nheld++;
	}
}

static void
unhold(struct an_thread *t, uint64_t id, int lock)
{
	for (int i = t->nheld; i-- > 0;)
		if (t->held[i] == id && t->held_lock[i] == lock) {
			memmove(&t->held[i], &t->held[i + 1],
			    (size_t)(t->nheld - i - 1) * sizeof(t->held[0]));
			memmove(&t->held_lock[i], &t->held_lock[i + 1],
			    (size_t)(t->nheld - i - 1));
			t->nheld--;
			return;
		}
}

/* ---- services --------------------------------------------------------- */

/*
 * The service of a request: the world names it on the probe (it used to
 * be parsed back out of the request's name, "DAEMON.SERVICE request").
 */
static const struct m_service *
service_of(const struct probe_ev *ev)
{
	return ev->service;
}

/* ---- the listener ----------------------------------------------------- */

static void
before(struct an *a, const struct probe_ev *ev, struct an_thread *t)
{
	(void)a;
	if (ev->kind == PROBE_MSG_HANDLER_START && t != NULL) {
		t->hmsg = ev->msg;
		t->href = ev->obj;
		t->hclient = ev->client;
		t->htype = ev->evtype;
	}
}

static void
after(struct an *a, const struct probe_ev *ev, struct an_thread *t)
{
	switch (ev->kind) {
	case PROBE_MSG_HANDLER_END:
		if (t != NULL && t->hmsg == ev->msg)
			t->hmsg = 0;
		break;
	case PROBE_QUEUE_ACQUIRE:
	case PROBE_LOCK:
		if (t != NULL)
			hold(t, ev->obj.id, ev->kind == PROBE_LOCK);
		break;
	case PROBE_QUEUE_RELEASE:
	case PROBE_UNLOCK:
		if (t != NULL)
			unhold(t, ev->obj.id, ev->kind == PROBE_UNLOCK);
		break;
	case PROBE_THREAD_EXIT:
		if (t != NULL)
			th_destroy(a, t);
		break;
	case PROBE_FLAG_SET:
		if (ev->value == 1 && ev->obj.id < a->m->nflags &&
		    a->flag_first[ev->obj.id] < 0)
			a->flag_first[ev->obj.id] = ev->t;
		break;
	default:
		break;
	}
}

static void
listen(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	unsigned r = a->route[ev->kind];
	struct an_thread *t = (r & R_THREAD) ? thread_of(a, ev) : NULL;
	const struct m_service *svc = (r & R_SVC) ? service_of(ev) : NULL;

	a->t_last = ev->t;
	if (r & R_BEFORE)
		before(a, ev, t);
	if (r & R_WF)
		wf_probe(a->wf, ev, t, svc);
	if (r & R_LK)
		lk_probe(a->lk, ev, t, svc);
	if (r & R_PM)
		pm_probe(a->pm, ev, t);
	if (r & R_DL)
		dl_probe(a->dl, ev);
	if (r & R_AFTER)
		after(a, ev, t);
}

/* Which parts a probe of each kind goes through. */
static void
routes(struct an *a)
{
	static const enum probe_kind thread_kinds[] = {
		PROBE_THREAD_SPAWN, PROBE_THREAD_EXIT, PROBE_WAIT, PROBE_WAKE,
		PROBE_QUEUE_ACQUIRE, PROBE_QUEUE_RELEASE, PROBE_LOCK,
		PROBE_UNLOCK, PROBE_MSG_HANDLER_START, PROBE_MSG_HANDLER_END,
		PROBE_CALL, PROBE_REQUEST_START, PROBE_REPLY
	};
	uint64_t m[4] = { wf_mask(), lk_mask(), pm_mask(), dl_mask() };

	for (int k = 0; k < PROBE__COUNT; k++)
		for (int i = 0; i < 4; i++)
			if (m[i] & PROBE_BIT(k))
				a->route[k] |= (uint8_t)(R_WF << i);
	for (size_t i = 0; i < sizeof(thread_kinds) / sizeof(thread_kinds[0]);
	    i++)
		a->route[thread_kinds[i]] |= R_THREAD;
	a->route[PROBE_CALL] |= R_SVC;
	a->route[PROBE_SEND] |= R_SVC;
	a->route[PROBE_REQUEST_START] |= R_SVC;
	a->route[PROBE_REPLY] |= R_SVC;
	a->route[PROBE_MSG_HANDLER_START] |= R_BEFORE;
	a->route[PROBE_MSG_HANDLER_END] |= R_AFTER;
	a->route[PROBE_QUEUE_ACQUIRE] |= R_AFTER;
	a->route[PROBE_QUEUE_RELEASE] |= R_AFTER;
	a->route[PROBE_LOCK] |= R_AFTER;
	a->route[PROBE_UNLOCK] |= R_AFTER;
	a->route[PROBE_THREAD_EXIT] |= R_AFTER;
	a->route[PROBE_FLAG_SET] |= R_AFTER;
}

struct an *
an_attach(struct probe_bus *bus, const struct model *m,
    const struct an_opts *o)
{
	struct an *a = xcalloc(1, sizeof(*a));

	a->m = m;
	a->bus = bus;
	if (o != NULL)
		a->o = *o;
	a->wf = wf_new(m, bus, &a->f);
	a->lk = lk_new(m, bus);
	a->pm = pm_new(m, bus, &a->o.pool);
	a->dl = dl_new(m);
	routes(a);
	a->flag_first = xcalloc(m->nflags + 1, sizeof(*a->flag_first));
	for (size_t i = 0; i < m->nflags; i++)
		a->flag_first[i] = -1;
	probe_listen(bus, wf_mask() | lk_mask() | pm_mask() | dl_mask() |
	    PROBE_BIT(PROBE_THREAD_SPAWN) | PROBE_BIT(PROBE_THREAD_EXIT) |
	    PROBE_BIT(PROBE_MSG_HANDLER_START) | PROBE_BIT(PROBE_MSG_HANDLER_END) |
	    PROBE_BIT(PROBE_QUEUE_ACQUIRE) | PROBE_BIT(PROBE_QUEUE_RELEASE) |
	    PROBE_BIT(PROBE_LOCK) | PROBE_BIT(PROBE_UNLOCK) |
	    PROBE_BIT(PROBE_CALL) | PROBE_BIT(PROBE_SEND) |
	    PROBE_BIT(PROBE_REQUEST_START) | PROBE_BIT(PROBE_REPLY) |
	    PROBE_BIT(PROBE_FLAG_SET) | PROBE_BIT(PROBE_RUN_END), listen, a);
	return a;
}

void
an_free(struct an *a)
{
	if (a == NULL)
		return;
	wf_free(a->wf);
	lk_free(a->lk);
	pm_free(a->pm);
	dl_free(a->dl);
	fd_list_release(&a->f);
	idmap_release(&a->threads);
	for (size_t i = 0; i < a->nchunks; i++)
		free(a->chunks[i]);
	free(a->chunks);
	free(a->flag_first);
	free(a);
}

const struct fd_list *
an_findings(struct an *a)
{
	if (!a->done) {
		a->done = 1;
		lk_finish(a->lk, a->o.max_cycles, &a->f);
		pm_finish(a->pm, a->t_last, &a->f);
		dl_finish(a->dl, &a->f);
		fd_sort(&a->f);
	}
	return &a->f;
}

size_t
an_count(struct an *a, enum fd_kind k)
{
	return fd_count(an_findings(a), k);
}

void
an_print(struct an *a, FILE *f)
{
	const struct fd_list *l = an_findings(a);

	fprintf(f, "\nanalyses: %zu deadlock%s, %zu potential cycle%s, %zu "
	    "thread explosion%s, %zu deadline overrun%s\n",
	    fd_count(l, FD_DEADLOCK), fd_count(l, FD_DEADLOCK) == 1 ? "" : "s",
	    fd_count(l, FD_POTENTIAL_CYCLE),
	    fd_count(l, FD_POTENTIAL_CYCLE) == 1 ? "" : "s",
	    fd_count(l, FD_THREAD_EXPLOSION),
	    fd_count(l, FD_THREAD_EXPLOSION) == 1 ? "" : "s",
	    fd_count(l, FD_DEADLINE), fd_count(l, FD_DEADLINE) == 1 ? "" : "s");
	if (lk_truncated(a->lk))
		fprintf(f, "  (the potential-cycle search stopped at its cap)\n");
	fd_print(l, f);
	dl_print(a->dl, f);
}

json_t *
an_json(struct an *a)
{
	json_t *pools = json_object();

	for (size_t i = 0; i < a->m->nprocs; i++)
		if (pm_peak(a->pm, (int)i) > 0)
			json_object_set_new(pools, a->m->procs[i]->name,
			    json_pack("{s:i, s:i, s:I, s:I}",
			    "peak", pm_peak(a->pm, (int)i),
			    "threshold", pm_threshold(a->pm),
			    "time_above", (json_int_t)pm_time_above(a->pm,
			    (int)i),
			    "crossings", (json_int_t)pm_crossings(a->pm,
			    (int)i)));
	return json_pack("{s:o, s:b, s:o, s:o}",
	    "findings", fd_json(an_findings(a)),
	    "cycle_search_truncated", lk_truncated(a->lk),
	    "deadlines", dl_json(a->dl), "pools", pools);
}

const struct wf *
an_waitfor(const struct an *a)
{
	return a->wf;
}

const struct lk *
an_lockdep(const struct an *a)
{
	return a->lk;
}

const struct pm *
an_poolmon(const struct an *a)
{
	return a->pm;
}

const struct dl *
an_deadline(const struct an *a)
{
	return a->dl;
}

int64_t
an_flag_first(const struct an *a, int flag)
{
	return flag >= 0 && (size_t)flag < a->m->nflags ?
	    a->flag_first[flag] : -1;
}

struct an *
an_run(const struct model *m, uint64_t seed, const struct an_opts *o)
{
	struct world_opts wo = WORLD_OPTS_INIT;
	struct world *w;
	struct an *a;

	wo.has_seed = 1;
	wo.seed = seed;
	w = world_new(m, &wo);
	a = an_attach(world_bus(w), m, o);
	world_run(w);
	an_findings(a);
	world_free(w);
	return a;
}
