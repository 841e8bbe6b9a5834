/*
 * world.c - building, running and tearing down the simulated world, the
 * life and death of processes, and the names of things; see world.h.
 *
 * The world is one event loop (core/loop.h) and a ready list.  Every loop
 * callback of sim/es and sim/gcd changes some state, puts the threads it
 * woke on the ready list and ends with world__flush(), which runs them in
 * FIFO order until each waits; so everything that happens at one instant
 * happens in one deterministic order, without recursion.
 *
 * Processes: each model process starts at time 0 (its GCD pool and
 * queues exist from the start; a client creates its ES client and runs
 * its init; a daemon starts its workers; a process with a program starts
 * `threads` threads running it).  A process dies when ES kills it (a
 * missed deadline) or when it crashes (dispatch_sync onto a queue it
 * owns, gcd.md §2.4): all its threads stop where they are, its queued
 * blocks and messages are dropped, its locks vanish; a client's pending
 * messages stop counting; a daemon's callers get their calls back.  Every
 * dead process is relaunched after its restart delay (a client's
 * restart_delay, else es.restart_delay), running its init and program
 * again; closed-loop source threads are not recreated.
 *
 * Rng streams: "process/NAME" for everything a process's programs draw
 * (durations, `p` conditions, path choices), "source/N" for source N.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/units.h"
#include "core/xalloc.h"
#include "es/wint.h"

static const char *const role_names[] = {
	"main thread", "pool thread", "worker", "workload thread"
};

static const char *
name_thread(const struct w_thread *t, char *buf, size_t n)
{
	const char *who = t->proc->m->name;

	if (t->role == PROBE_ROLE_MAIN && t->index == 1)
		snprintf(buf, n, "%s %s", who, role_names[t->role]);
	else
		snprintf(buf, n, "%s %s %u", who, role_names[t->role & 3],
		    t->index);
	return buf;
}

static const char *
name_queue(const struct world *w, const struct gcd_queue *q, char *buf,
    size_t n)
{
	const char *who = w->m->procs[gcd__proc(q->pool)]->name;

	if (q->kind == GCD_ROOT)
		snprintf(buf, n, "%s %s", who, q->name);
	else
		snprintf(buf, n, "%s %s queue", who, q->name);
	return buf;
}

static const char *
namer(void *arg, const struct probe_ref *r, char *buf, size_t n)
{
	const struct world *w = arg;
	const struct esk_msg *m;
	const struct esk_event *e;
	const struct w_request *q;
	const struct w_proc *p;

	switch (r->kind) {
	case PROBE_OBJ_THREAD:
		return name_thread(r->p, buf, n);
	case PROBE_OBJ_PROCESS:
		snprintf(buf, n, "%s", ((const struct w_proc *)r->p)->m->name);
		break;
	case PROBE_OBJ_QUEUE:
		return name_queue(w, r->p, buf, n);
	case PROBE_OBJ_CLIENT:
		snprintf(buf, n, "%s",
		    ((const struct w_client *)r->p)->m->name);
		break;
	case PROBE_OBJ_DAEMON:
		snprintf(buf, n, "%s",
		    ((const struct w_daemon *)r->p)->m->name);
		break;
	case PROBE_OBJ_MSG:
		m = r->p;
		snprintf(buf, n, "%s %s (%s)", m->ev->type->name,
		    m->ev->path.s != NULL ? m->ev->path.s : "-",
		    m->client->m->name);
		break;
	case PROBE_OBJ_EVENT:
		e = r->p;
		snprintf(buf, n, "%s %s by %s", e->type->name,
		    e->path.s != NULL ? e->path.s : "-", e->proc->m->name);
		break;
	case PROBE_OBJ_REQUEST:
		q = r->p;
		snprintf(buf, n, "%s.%s request", q->daemon->m->name,
		    q->service->name);
		break;
	case PROBE_OBJ_LOCK:
		p = &w->procs[r->id >> 16];
		snprintf(buf, n, "%s lock %s", p->m->name,
		    p->m->locks[r->id & 0xffff].name);
		break;
	case PROBE_OBJ_FLAG:
		snprintf(buf, n, "flag %s",
		    ((const struct m_flag *)r->p)->name);
		break;
	default:
		snprintf(buf, n, "?");
		break;
	}
	return buf;
}

/* probe_held(): the drain locks GCD keeps for the thread. */
static size_t
held(void *arg, const struct probe_ref *r, struct probe_ref *out, size_t n)
{
	const struct gcd_thread *g = &((const struct w_thread *)r->p)->gcd;

	(void)arg;
	for (size_t i = 0; i < g->nheld && i < n; i++) {
		out[i].kind = PROBE_OBJ_QUEUE;
		out[i].id = g->held[i]->id;
		out[i].p = g->held[i];
	}
	return g->nheld;
}

/*
 * probe_handling(): an ES delivery is a work item of a workqueue thread,
 * the frame right above its bottom one (FR_WORKER), popped before the
 * MSG_HANDLER_END probe.
 */
static uint64_t
handling(void *arg, const struct probe_ref *r, struct probe_ref *msg)
{
	const struct w_thread *t = r->p;
	const struct gcd_item *it;
	const struct esk_msg *m;

	(void)arg;
	if (t->nfr < 2 || t->fr[1].kind != FR_WORK ||
	    (it = t->fr[1].obj)->tag != W_TAG_DELIVERY)
		return 0;
	m = container_of(it, struct esk_msg, item);
	if (msg != NULL)
		esk_ref_msg(m, msg);
	return m->id;
}

void
world__describe_wait(struct world *w, const struct w_thread *t,
    struct probe_ev *ev)
{
	const struct esk_event *e;
	const struct w_lock *l;
	const struct gcd_queue *q;
	void *o = t->wait_obj;

	switch (t->wait) {
	case PROBE_WAIT_VERDICT:
	case PROBE_WAIT_EARLY_BOOT:
		e = o;
		ev->obj.kind = PROBE_OBJ_EVENT;
		ev->obj.id = e->id;
		ev->event = e->id;
		ev->evtype = e->type;
		ev->path = e->path.s;
		break;
	case PROBE_WAIT_CALL:
		ev->obj.kind = PROBE_OBJ_REQUEST;
		ev->obj.id = ((const struct w_request *)o)->id;
		break;
	case PROBE_WAIT_LOCK:
		l = o;
		ev->obj.kind = PROBE_OBJ_LOCK;
		ev->obj.id = (uint64_t)t->proc->m->id << 16 |
		    (uint64_t)(l - t->proc->locks);
		if (ev->owner.kind == PROBE_OBJ_NONE && l->owner != NULL)
			th_ref(l->owner, &ev->owner);
		break;
	case PROBE_WAIT_SYNC:
		q = o;
		ev->obj.kind = PROBE_OBJ_QUEUE;
		ev->obj.id = q->id;
		break;
	case PROBE_WAIT_FLAG:
		ev->obj.kind = PROBE_OBJ_FLAG;
		ev->obj.id = (uint64_t)((const struct m_flag *)o)->id;
		break;
	case PROBE_WAIT_REQUEST:
		ev->obj.kind = PROBE_OBJ_DAEMON;
		ev->obj.id = (uint64_t)((const struct w_daemon *)o)->m->id;
		break;
	default:
		return;
	}
	ev->obj.p = o;
	(void)w;
}

void
world__flush(struct world *w)
{
	struct w_thread *t;

	if (w->flushing)
		return;
	w->flushing = 1;
	while ((t = w->ready_head) != NULL) {
		w->ready_head = t->rnext;
		if (w->ready_head == NULL)
			w->ready_tail = NULL;
		t->in_ready = 0;
		if (t->state == TH_DEAD) {
			t->rnext = w->graveyard;
			w->graveyard = t;
			continue;
		}
		interp_run(t);
	}
	th_reap_graveyard(w);
	w->flushing = 0;
}

void
world__limit(struct world *w, const char *key, const char *fmt, ...)
{
	char ptr[64], text[ERR_TEXT_MAX], when[UNITS_DURATION_MAX];
	va_list ap;

	if (w->limited)
		return;
	w->limited = 1;
	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	snprintf(ptr, sizeof(ptr), "/limits/%s", key);
	units_format_duration(loop_now(&w->loop), when, sizeof(when));
	err_setptr(&w->limit, w->m->file, ptr, "%s at t=%s", text, when);
	if (w->loop.running)
		loop_stop(&w->loop);
}

/* GCD callbacks. */
static struct gcd_thread *
op_spawn(void *arg, struct gcd_pool *pool)
{
	struct world *w = arg;
	struct w_thread *t = th_new(&w->procs[gcd__proc(pool)],
	    PROBE_ROLE_POOL);

	th_push(t, FR_WORKER, NULL, NULL, NULL);
	return &t->gcd;
}

static void
op_start(void *arg, struct gcd_thread *g)
{
	(void)arg;
	th_ready(container_of(g, struct w_thread, gcd));
}

static void
op_reap(void *arg, struct gcd_thread *g)
{
	(void)arg;
	th_reaped(container_of(g, struct w_thread, gcd));
}

static void
op_wake(void *arg, struct gcd_thread *g)
{
	struct w_thread *t = container_of(g, struct w_thread, gcd);
	const struct m_action *a = t->pending;

	(void)arg;
	t->pending = NULL;
	th_push(t, FR_SYNC, &a->u.gcd.body, t->wait_obj,
	    t->fr[t->nfr - 1].ctx);
	th_wake(t);
}

static void
op_flush(void *arg)
{
	world__flush(arg);
}

/* dispatch_async never fails: past max_queued the run stops instead. */
static void
op_overflow(void *arg, struct gcd_pool *pool, const struct gcd_queue *q,
    int queued)
{
	struct world *w = arg;
	char name[256];

	world__limit(w, "max_queued", "%d blocks queued in process %s, the "
	    "last on %s (limit %d)", queued, w->m->procs[gcd__proc(pool)]->name,
	    name_queue(w, q, name, sizeof(name)), w->m->max_queued);
}

static void
dispose(void *arg, struct gcd_item *it)
{
	struct world *w = arg;
	struct w_work *wk;

	if (it->tag == W_TAG_DELIVERY) {
		esk_msg_unref(w, container_of(it, struct esk_msg, item));
		return;
	}
	wk = container_of(it, struct w_work, item);
	if (wk->ctx != NULL)
		esk_msg_unref(w, wk->ctx);
	pool_put(&w->work_pool, wk);
}

void
world__proc_start(struct w_proc *p)
{
	const struct m_process *m = p->m;

	p->alive = 1;
	if (p->client != NULL)
		client_start(p->client);
	if (p->daemon != NULL)
		daemon_start(p->daemon);
	if (m->program.n == 0)
		return;
	for (int i = 0; i < (m->threads > 0 ? m->threads : 1); i++) {
		struct w_thread *t = th_new(p, PROBE_ROLE_MAIN);

		th_push(t, FR_MAIN, &m->program, NULL, NULL);
		th_ready(t);
	}
}

static void
restart_fire(struct loop *l, void *obj, uint64_t arg)
{
	struct w_proc *p = obj;

	(void)l;
	(void)arg;
	p->restart_ev = NULL;
	p->restarts++;
	world__proc_start(p);
	world__flush(p->w);
}

void
world__proc_kill(struct w_proc *p, int reason)
{
	struct world *w = p->w;
	struct probe_ev ev;
	int64_t delay = w->m->restart_delay;

	if (!p->alive)
		return;
	p->alive = 0;
	p->gen++;
	if (probe_on(&w->bus, PROBE_PROCESS_EXIT)) {
		probe_ev_init(&ev, PROBE_PROCESS_EXIT, loop_now(&w->loop));
		ev.obj.kind = PROBE_OBJ_PROCESS;
		ev.obj.id = (uint64_t)p->m->id;
		ev.obj.p = p;
		ev.process = p->m->id;
		ev.value = reason;
		probe_emit(&w->bus, &ev);
	}
	if (p->client != NULL) {
		client_died(p->client);
		if (p->client->m->restart_delay >= 0)
			delay = p->client->m->restart_delay;
	}
	while (p->threads != NULL)
		th_kill(p->threads);
	gcd_pool_reset(p->pool, dispose, w);
	for (size_t i = 0; i < p->m->nlocks; i++)
		memset(&p->locks[i], 0, sizeof(p->locks[i]));
	if (p->daemon != NULL)
		daemon_died(p->daemon);
	if (reason != 0)
		p->restart_ev = loop_after(&w->loop, delay, restart_fire, p, 0);
}

/* Whether q's target chain loops (the loader should have refused it). */
static int
target_loops(const struct m_queue *q)
{
	const struct m_queue *slow = q, *fast = q;

	while (fast != NULL && fast->target != NULL) {
		slow = slow->target;
		fast = fast->target->target;
		if (fast == slow)
			return 1;
	}
	return 0;
}

static void
proc_init(struct world *w, struct w_proc *p, const struct m_process *m,
    const struct gcd_params *gp)
{
	char name[512];

	p->m = m;
	p->w = w;
	snprintf(name, sizeof(name), "process/%s", m->name);
	rng_init(&p->rng, w->seed, name);
	p->pool = gcd_pool_new(&w->loop, gp, &w->gcd_ops, w, &w->bus, m->id,
	    &w->queue_ids);
	p->queues = xcalloc(m->nqueues + 1, sizeof(*p->queues));
	for (size_t i = 0; i < m->nqueues; i++) {
		const struct m_queue *q = &m->queues[i];

		p->queues[i] = gcd_pool_queue(p->pool,
		    q->kind == M_QUEUE_SERIAL ? GCD_SERIAL : GCD_CONCURRENT,
		    (int)q->qos, q->width > 0 ? q->width : 4094, q->name);
	}
	for (size_t i = 0; i < m->nqueues; i++)
		if (m->queues[i].target != NULL && !target_loops(&m->queues[i]))
			gcd_queue_set_target(p->queues[i],
			    p->queues[m->queues[i].target->id]);
	p->locks = xcalloc(m->nlocks + 1, sizeof(*p->locks));
}

static void
client_init(struct world *w, struct w_client *c, const struct m_client *m)
{
	c->m = m;
	c->w = w;
	c->proc = &w->procs[m->proc->id];
	c->proc->client = c;
	c->restart_delay = m->restart_delay >= 0 ? m->restart_delay :
	    w->m->restart_delay;
	for (int v = 0; v < EVSET_BITS; v++) {
		c->deadline[v] = w->m->deadline[v];
		if (m->deadline_max[v] >= 0 &&
		    m->deadline_max[v] < c->deadline[v])
			c->deadline[v] = m->deadline_max[v];
	}
	for (int i = 0; i < EVSET_BITS / 64; i++)
		w->subscribed_any.w[i] |= m->subscribe.w[i];
	if (m->early_boot) {
		c->early_waiting = 1;
		w->early_pending++;
	}
	esk_mute_init(w, c);
}

struct world *
world_new(const struct model *m, const struct world_opts *o)
{
	struct world *w = xcalloc(1, sizeof(*w));
	struct gcd_params gp;
	char name[64];

	w->m = m;
	w->seed = o != NULL && o->has_seed ? o->seed : m->seed;
	w->end = o != NULL && o->duration > 0 ? o->duration : m->duration;
	loop_init(&w->loop, o != NULL ? o->max_events : 0);
	probe_init(&w->bus);
	probe_set_namer(&w->bus, namer, w);
	probe_set_held(&w->bus, held, w);
	probe_set_handling(&w->bus, handling, w);
	pool_init(&w->ev_pool, sizeof(struct esk_event), 0);
	pool_init(&w->msg_pool, sizeof(struct esk_msg), 0);
	pool_init(&w->work_pool, sizeof(struct w_work), 0);
	pool_init(&w->req_pool, sizeof(struct w_request), 0);
	w->t_auth_open = evtype_by_name("AUTH_OPEN");
	w->cores_free = m->cores;
	esk_cache_init(w);
	w->gcd_ops.spawn = op_spawn;
	w->gcd_ops.start = op_start;
	w->gcd_ops.reap = op_reap;
	w->gcd_ops.wake = op_wake;
	w->gcd_ops.flush = op_flush;
	w->gcd_ops.overflow = op_overflow;
	gp.max_queued = m->max_queued;
	gp.ncpu = m->cores;
	gp.constrained_max = m->wq_constrained_max;
	gp.max_threads = m->wq_max_threads;
	gp.create_latency = m->wq_create_latency;
	gp.idle_timeout = m->wq_idle_timeout;
	w->procs = xcalloc(m->nprocs + 1, sizeof(*w->procs));
	for (size_t i = 0; i < m->nprocs; i++)
		proc_init(w, &w->procs[i], m->procs[i], &gp);
	w->clients = xcalloc(m->nclients + 1, sizeof(*w->clients));
	for (size_t i = 0; i < m->nclients; i++)
		client_init(w, &w->clients[i], m->clients[i]);
	w->daemons = xcalloc(m->ndaemons + 1, sizeof(*w->daemons));
	for (size_t i = 0; i < m->ndaemons; i++) {
		w->daemons[i].m = m->daemons[i];
		w->daemons[i].proc = &w->procs[m->daemons[i]->proc->id];
		w->daemons[i].proc->daemon = &w->daemons[i];
	}
	w->flags = xcalloc(m->nflags + 1, sizeof(*w->flags));
	for (size_t i = 0; i < m->nflags; i++)
		w->flags[i].first = -1;
	w->sources = xcalloc(m->nsources + 1, sizeof(*w->sources));
	for (size_t i = 0; i < m->nsources; i++) {
		w->sources[i].m = &m->sources[i];
		w->sources[i].proc = &w->procs[m->sources[i].process->id];
		snprintf(name, sizeof(name), "source/%zu", i);
		rng_init(&w->sources[i].rng, w->seed, name);
	}
	return w;
}

struct probe_bus *
world_bus(struct world *w)
{
	return &w->bus;
}

void
world_add_source(struct world *w, const struct world_source_ops *ops,
    void *arg)
{
	if (w->started)
		BUG("world_add_source after the run started");
	XGROW(w->exts, w->nexts + 1, w->aexts);
	memset(&w->exts[w->nexts], 0, sizeof(w->exts[0]));
	w->exts[w->nexts].ops = ops;
	w->exts[w->nexts].arg = arg;
	w->nexts++;
}

static void
start(struct world *w)
{
	w->started = 1;
	for (size_t i = 0; i < w->m->nprocs; i++)
		world__proc_start(&w->procs[i]);
	workload_start(w);
	esk_early_start(w);
	world__flush(w);
}

void
world_run_until(struct world *w, int64_t t)
{
	if (!w->started)
		start(w);
	if (t > w->end)
		t = w->end;
	if (!w->limited && t >= loop_now(&w->loop))
		loop_run(&w->loop, t);
}

void
world_run(struct world *w)
{
	struct probe_ev ev;

	world_run_until(w, w->end);
	if (probe_on(&w->bus, PROBE_RUN_END)) {
		probe_ev_init(&ev, PROBE_RUN_END, loop_now(&w->loop));
		probe_emit(&w->bus, &ev);
	}
}

void
world_free(struct world *w)
{
	if (w == NULL)
		return;
	w->bus.mask = 0;
	for (size_t i = 0; i < w->m->nprocs; i++)
		world__proc_kill(&w->procs[i], 0);
	for (size_t i = 0; i < w->nexts; i++)
		if (w->exts[i].ev != NULL)
			esk_event_unref(w, w->exts[i].ev);
	world__flush(w);
	th_free_all(w);
	for (size_t i = 0; i < w->m->nprocs; i++) {
		gcd_pool_free(w->procs[i].pool);
		free(w->procs[i].queues);
		free(w->procs[i].locks);
	}
	for (size_t i = 0; i < w->m->nclients; i++)
		free(w->clients[i].mute_acting);
	loop_release(&w->loop);
	pool_release(&w->ev_pool);
	pool_release(&w->msg_pool);
	pool_release(&w->work_pool);
	pool_release(&w->req_pool);
	esk_cache_release(&w->cache);
	free(w->defmute);
	free(w->procs);
	free(w->clients);
	free(w->daemons);
	free(w->flags);
	free(w->sources);
	free(w->exts);
	free(w);
}

int
world_error(const struct world *w, struct err *e)
{
	if (!w->limited)
		return 0;
	if (e != NULL && !e->set)
		*e = w->limit;
	return -1;
}

uint64_t
world_client_drops(const struct world *w, int client, uint64_t *auth,
    int64_t *first)
{
	const struct w_client *c = &w->clients[client];

	if (auth != NULL)
		*auth = c->auth_drops;
	if (first != NULL)
		*first = c->drops > 0 ? c->first_drop : -1;
	return c->drops;
}

int
world_threads(const struct world *w)
{
	return w->nthreads;
}

int
world_threads_peak(const struct world *w)
{
	return w->peak_threads;
}

int64_t
world_now(const struct world *w)
{
	return loop_now(&w->loop);
}

int64_t
world_end(const struct world *w)
{
	return w->end;
}

uint64_t
world_seed(const struct world *w)
{
	return w->seed;
}

uint64_t
world_events(const struct world *w)
{
	return loop_events_run(&w->loop);
}

const struct model *
world_model(const struct world *w)
{
	return w->m;
}

int
world_proc_threads(const struct world *w, int proc)
{
	return w->procs[proc].nthreads;
}

int
world_proc_peak(const struct world *w, int proc)
{
	return w->procs[proc].peak;
}

int
world_pool_threads(const struct world *w, int proc)
{
	return gcd_pool_nthreads(w->procs[proc].pool);
}

int
world_pool_peak(const struct world *w, int proc)
{
	return gcd_pool_peak(w->procs[proc].pool);
}

int
world_pool_constrained(const struct world *w, int proc)
{
	return gcd_pool_constrained(w->procs[proc].pool);
}

int
world_proc_alive(const struct world *w, int proc)
{
	return w->procs[proc].alive;
}

int
world_client_subscribed(const struct world *w, int client)
{
	return w->clients[client].subscribed;
}

int64_t
world_flag_first(const struct world *w, int flag)
{
	return w->flags[flag].first;
}

uint64_t
world_cache_hits(const struct world *w)
{
	return w->cache.hits;
}

uint64_t
world_early_boot_timeouts(const struct world *w)
{
	return w->early_released_by_timeout;
}
