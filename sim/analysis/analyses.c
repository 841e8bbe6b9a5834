/*
 * analyses.c - every run-time analysis behind one handle and one probe
 * listener; see analyses.h.
 *
 * One set of probe callbacks, not one listener per analysis: the bus
 * keeps a callback list per probe kind (es/probe.h), and for each kind the
 * analyses want there is one callback here that looks the acting thread
 * up once (an-int.h: a direct-mapped cache in front of a hash map, records
 * from a free list; the cache hit is inline) and calls the part of each
 * analysis for that kind directly (wf_wait(), lk_take(), dl_enqueue(),
 * ...): no route table, no second switch on the kind inside every
 * analysis.  On the 1M-syscall benchmark about 2.3 million probes a 10 s
 * cut reach the analyses, so what a probe costs here is what the
 * analyses cost (bench/README.md).  The analyses remain separate modules
 * with their own state and findings; they share the thread records.
 *
 * Before the analyses see a probe, the callback records the handler a
 * thread starts; after, it updates the locks the thread holds (so that on
 * a LOCK the analyses see what was held before) and forgets an exiting
 * thread.  It also records the first time of each flag and the time of
 * the last probe seen.
 *
 * The serial queues a thread holds and the handler it runs are asked of
 * the world (an-int.h), so QUEUE_ACQUIRE and QUEUE_RELEASE, two probes
 * for every item a serial queue runs, and MSG_HANDLER_END, one per
 * message, are followed only when some analysis needs the moment itself:
 * a queue taken by a thread that holds something already (lockdep's
 * order, possible only with a "sync", a lock or a serial queue targeting
 * a serial queue), the owners of queues a "sync" can wait for (waitfor),
 * the answers a handler on a concurrent delivery queue owes (lockdep).
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
#include "analysis/stats.h"
#include "core/err.h"
#include "core/units.h"
#include "core/xalloc.h"

#define AN_CACHE	256	/* direct-mapped thread cache, a power of 2 */
#define AN_CHUNK	256

struct an {
	const struct model	*m;
	const struct probe_bus	*bus;
	struct an_opts		 o;
	struct fd_list		 f;
	struct wf		*wf;
	struct lk		*lk;
	struct pm		*pm;
	struct dl		*dl;
	struct stats		*own_stats;	/* when not given one */
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
	int			 lk_answers;	/* lk_concurrent() */
	int			 queue_owners;	/* wf_queue_owners() */
	int			 queue_takes;	/* QUEUE_ACQUIRE followed */
	int			 done;
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
thread_slow(struct an *a, const struct probe_ev *ev)
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

/*
 * The record of the acting thread, made if the probe is one that makes
 * records (wants_record()); NULL if it has none.  Inline for the common
 * case, a hit in the cache of a kind that makes no record (make 0) or of
 * a thread that has one.  Not for THREAD_SPAWN (on_thread() asks
 * thread_slow()).  A probe without a thread (id 0, kind none) needs no
 * test of its own: only slots never filled hold id 0, and they hold no
 * record, so it gets NULL as thread_slow() would give it; and every
 * thread ref is of kind PROBE_OBJ_THREAD (th_ref(), the GCD probes).
 */
static inline struct an_thread *
thread_of(struct an *a, const struct probe_ev *ev, int make)
{
	size_t k = ev->thread.id & (AN_CACHE - 1);

	if (a->cache[k].id == ev->thread.id && ev->process >= 0 &&
	    (a->cache[k].t != NULL || !make))
		return a->cache[k].t;
	return thread_slow(a, ev);
}

/* ---- the listeners ---------------------------------------------------- */

/*
 * One callback per probe kind (or per few kinds that go the same way),
 * registered for exactly those kinds: each calls the analyses that want
 * its kinds, directly and in the same order for every kind (the record
 * keeping before, then waitfor, lockdep, poolmon, deadline, then the
 * record keeping after).  Kinds that concern no analysis when the acting
 * thread has no record return at once: such a thread holds nothing, runs
 * no handler and is no worker, pool thread or flag setter, so nothing can
 * wait for it (an-int.h), and its waits, births and deaths change no
 * analysis.  (Records are made at SPAWN, QUEUE_ACQUIRE, LOCK and
 * HANDLER_START themselves, so a release, an unlock or a handler's end
 * always finds one.)
 */

/* THREAD_SPAWN, THREAD_EXIT. */
static void
on_thread(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t;

	a->t_last = ev->t;
	t = ev->kind == PROBE_THREAD_SPAWN ? thread_slow(a, ev) :
	    thread_of(a, ev, 0);
	if (t == NULL)
		return;
	wf_thread(a->wf, ev, t);
	pm_probe(a->pm, ev, t);
	if (ev->kind == PROBE_THREAD_EXIT)
		th_destroy(a, t);
}

static void
on_wait(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t;

	a->t_last = ev->t;
	if ((t = thread_of(a, ev, 0)) == NULL)
		return;
	wf_wait(a->wf, ev, t);
	lk_wait(a->lk, ev, t);
	pm_probe(a->pm, ev, t);
}

static void
on_wake(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t;

	a->t_last = ev->t;
	if ((t = thread_of(a, ev, 0)) == NULL)
		return;
	wf_wake(a->wf, ev, t);
	pm_probe(a->pm, ev, t);
}

/* QUEUE_ACQUIRE (when followed), LOCK: the analyses see what was held
 * before. */
static void
on_take(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t;

	a->t_last = ev->t;
	if ((t = thread_of(a, ev, 1)) == NULL)
		return;
	if (ev->kind == PROBE_LOCK || a->queue_owners)
		wf_owner(a->wf, ev, t);
	lk_take(a->lk, ev, t);
	if (ev->kind == PROBE_LOCK && t->nlocks < AN_HELD)
		t->locks[t->nlocks++] = ev->obj.id;
}

/* QUEUE_RELEASE (when followed), UNLOCK. */
static void
on_give(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t;

	a->t_last = ev->t;
	if ((t = thread_of(a, ev, 0)) == NULL)
		return;
	wf_owner(a->wf, ev, t);
	if (ev->kind != PROBE_UNLOCK)
		return;
	for (int i = t->nlocks; i-- > 0;)
		if (t->locks[i] == ev->obj.id) {
			for (t->nlocks--; i < t->nlocks; i++)
				t->locks[i] = t->locks[i + 1];
			return;
		}
}

static void
on_enqueue(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;

	a->t_last = ev->t;
	wf_enqueue(a->wf, ev);
	lk_enqueue(a->lk, ev);
	dl_enqueue(a->dl, ev);
}

static void
on_handler_start(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t = thread_of(a, ev, 1);

	a->t_last = ev->t;
	if (t != NULL) {
		t->hmsg = ev->msg;
		t->hclient = ev->client;
		t->htype = ev->evtype;
	}
	wf_handler(a->wf, ev, t);
	if (a->lk_answers)
		lk_handler_start(a->lk, ev, t);
	dl_handler_start(a->dl, ev);
}

/* MSG_HANDLER_END: followed only for lockdep's owed answers. */
static void
on_handler_end(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t;

	a->t_last = ev->t;
	if ((t = thread_of(a, ev, 0)) != NULL)
		lk_answered(a->lk, ev, t);
}

static void
on_respond(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;

	a->t_last = ev->t;
	wf_msg(a->wf, ev);
	if (a->lk_answers)
		lk_answered(a->lk, ev, NULL);
}

static void
on_call(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t = thread_of(a, ev, 0);

	a->t_last = ev->t;
	wf_req(a->wf, ev, t, ev->service);
	lk_call(a->lk, ev, t, ev->service);
}

static void
on_request_start(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t = thread_of(a, ev, 1);

	a->t_last = ev->t;
	wf_req(a->wf, ev, t, ev->service);
	lk_request_start(a->lk, ev, t, ev->service);
}

static void
on_reply(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t = thread_of(a, ev, 0);

	a->t_last = ev->t;
	wf_req(a->wf, ev, t, ev->service);
	lk_reply(a->lk, ev);
}

/* SYSCALL: an event raised by a thread with a record. */
static void
on_syscall(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;
	struct an_thread *t;

	a->t_last = ev->t;
	if ((t = thread_of(a, ev, 0)) != NULL)
		wf_syscall(a->wf, ev, t);
}

static void
on_syscall_done(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;

	a->t_last = ev->t;
	wf_done(a->wf, ev);
}

/* MSG_RETAIN, MSG_DROP. */
static void
on_msg(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;

	a->t_last = ev->t;
	wf_msg(a->wf, ev);
}

static void
on_deadline_miss(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;

	a->t_last = ev->t;
	wf_msg(a->wf, ev);
	dl_probe(a->dl, ev);
}

/* SYNC_CRASH, RUN_END. */
static void
on_wf(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;

	a->t_last = ev->t;
	wf_probe(a->wf, ev);
}

static void
on_flag(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;

	a->t_last = ev->t;
	wf_probe(a->wf, ev);
	if (ev->value == 1 && ev->obj.id < a->m->nflags &&
	    a->flag_first[ev->obj.id] < 0)
		a->flag_first[ev->obj.id] = ev->t;
}

/* CLIENT_KILL, CLIENT_START: deadline's own. */
static void
on_client(void *arg, const struct probe_ev *ev)
{
	struct an *a = arg;

	a->t_last = ev->t;
	dl_probe(a->dl, ev);
}

/*
 * Register the listeners, and check that every kind an analysis wants
 * reaches it: a kind added to an analysis's mask but not here is a BUG()
 * at the first an_attach(), not a silently ignored probe.  The queue
 * kinds are in the masks but registered only when followed (the top of
 * this file).
 */
static void
listen_all(struct an *a, struct probe_bus *bus)
{
	static const struct {
		enum probe_kind	 k;
		probe_fn	*fn;
		uint8_t		 parts;		/* 1 wf, 2 lk, 4 pm, 8 dl */
	} tab[] = {
		{ PROBE_THREAD_SPAWN,		on_thread,		1 | 4 },
		{ PROBE_THREAD_EXIT,		on_thread,		1 | 4 },
		{ PROBE_WAIT,			on_wait,		1 | 2 | 4 },
		{ PROBE_WAKE,			on_wake,		1 | 4 },
		{ PROBE_QUEUE_ACQUIRE,		on_take,		1 | 2 },
		{ PROBE_LOCK,			on_take,		1 | 2 },
		{ PROBE_QUEUE_RELEASE,		on_give,		1 },
		{ PROBE_UNLOCK,			on_give,		1 },
		{ PROBE_MSG_ENQUEUE,		on_enqueue,		1 | 2 | 8 },
		{ PROBE_MSG_HANDLER_START,	on_handler_start,	1 | 2 | 8 },
		{ PROBE_MSG_HANDLER_END,	on_handler_end,		2 },
		{ PROBE_MSG_RESPOND,		on_respond,		1 | 2 },
		{ PROBE_CALL,			on_call,		1 | 2 },
		{ PROBE_REQUEST_START,		on_request_start,	1 | 2 },
		{ PROBE_REPLY,			on_reply,		1 | 2 },
		{ PROBE_SYSCALL,		on_syscall,		1 },
		{ PROBE_MSG_RETAIN,		on_msg,			1 },
		{ PROBE_MSG_DROP,		on_msg,			1 },
		{ PROBE_DEADLINE_MISS,		on_deadline_miss,	1 | 8 },
		{ PROBE_SYNC_CRASH,		on_wf,			1 },
		{ PROBE_SYSCALL_DONE,		on_syscall_done,	1 },
		{ PROBE_FLAG_SET,		on_flag,		1 },
		{ PROBE_RUN_END,		on_wf,			1 },
		{ PROBE_CLIENT_KILL,		on_client,		8 },
		{ PROBE_CLIENT_START,		on_client,		8 },
	};
	uint64_t m[4] = { wf_mask(), lk_mask(), pm_mask(), dl_mask() };
	uint64_t seen[4] = { 0, 0, 0, 0 };

	for (size_t i = 0; i < sizeof(tab) / sizeof(tab[0]); i++) {
		if ((tab[i].k != PROBE_QUEUE_ACQUIRE || a->queue_takes) &&
		    (tab[i].k != PROBE_QUEUE_RELEASE || a->queue_owners) &&
		    (tab[i].k != PROBE_MSG_HANDLER_END || a->lk_answers))
			probe_listen_kind(bus, tab[i].k, tab[i].fn, a);
		for (int p = 0; p < 4; p++)
			if (tab[i].parts & (1 << p))
				seen[p] |= PROBE_BIT(tab[i].k);
	}
	for (int p = 0; p < 4; p++)
		if (seen[p] != m[p])
			BUG("analyses: probe routes of part %d differ from its "
			    "mask", p);
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
	if (a->o.stats == NULL)
		a->o.stats = a->own_stats = stats_new(m, bus);
	a->dl = dl_new(m, a->o.stats);
	a->lk_answers = lk_concurrent(a->lk);
	a->queue_owners = wf_queue_owners(a->wf);
	a->queue_takes = m->has_sync || lk_nested_takes(a->lk);
	a->flag_first = xcalloc(m->nflags + 1, sizeof(*a->flag_first));
	for (size_t i = 0; i < m->nflags; i++)
		a->flag_first[i] = -1;
	listen_all(a, bus);
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
	stats_free(a->own_stats);
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
an_run(const struct model *m, uint64_t seed, const struct an_opts *o,
    struct err *e)
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
	if (world_error(w, e) != 0) {
		an_free(a);
		a = NULL;
	}
	world_free(w);
	return a;
}
