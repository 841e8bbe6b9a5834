/*
 * gcd-pool.c - the per-process workqueue thread pool; see gcd-pool.h.
 *
 * Facts relied on (reference/gcd.md):
 *   §1.1  wq_max_threads 512 counts every workqueue thread (bound, blocked,
 *         idle); wq_max_constrained_threads = max(64, 5 x NCPU), one
 *         counter per process; stalled window 200 us; timer 200 us..50 ms;
 *         reduce-pool window 5 s; death max load fls(NCPU) + 1;
 *   §1.2  admission: overcommit always (below 512); constrained needs
 *         scheduled < cap and NCPU - active(>= qos) - busy > 0; a
 *         constrained request beats an overcommit one only at a strictly
 *         higher QoS;
 *   §1.3  a blocking worker decrements active and stamps its bucket; if a
 *         constrained request at QoS <= its bucket waits and the old active
 *         count may have been the limit (old_active <= NCPU <= old_active
 *         + max_busycount) the delayed-creation timer is armed; interval
 *         x2 when the timer last ran within one interval (cap 50 ms), /2
 *         when more than two intervals ago (floor 200 us);
 *   §1.4  one creator at a time; an idle thread (most recently parked) is
 *         woken before a new one is created;
 *   §1.6  reap delay: idle_timeout for the first fls(NCPU) + 1 idle
 *         threads, decreasing linearly to idle_timeout / cap at cap idle
 *         threads, immediate beyond;
 *   §1.7  at a cap a request waits; it is redriven when a thread returns
 *         or terminates.
 * A refusal for concurrency arms the timer only while some bucket is busy
 * (workq_constrained_allowance): CPU-bound work that never blocks just
 * waits for a thread to come back.  Wake-up of an idle thread costs no
 * time; creation costs create_latency (§3: unknown on Apple silicon).
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "gcd/gcd-pool.h"

struct gcd_pool {
	struct loop		*loop;
	struct gcd_params	 pp;
	const struct gcd_ops	*ops;
	void			*arg;
	struct probe_bus	*bus;
	int			 proc;
	uint64_t		*queue_ids;	/* the world's counter */

	int			 nthreads;
	int			 peak;
	int			 nidle;
	struct gcd_thread	*idle;		/* last parked first */
	int			 scheduled[GCD_NQOS];
	int			 active[GCD_NQOS];
	int64_t			 lastblocked[GCD_NQOS];
	int			 con_scheduled;
	int			 refused_qos;	/* of the last refusal */
	int			 queued, queued_peak;	/* WORK items waiting */
	int			 overflowed;	/* overflow op called */

	struct gcd_queue	 roots[GCD_NQOS][2];
	struct gcd_queue	**queues;
	size_t			 nqueues, aqueues;

	int			 creator_busy;
	struct loop_ev		*creator_ev;
	struct loop_ev		*timer_ev;
	int64_t			 timer_interval;
	int64_t			 timer_last;
};

static const char *const root_names[GCD_NQOS][2] = {
	{ "com.apple.root.background-qos",
	  "com.apple.root.background-qos.overcommit" },
	{ "com.apple.root.utility-qos",
	  "com.apple.root.utility-qos.overcommit" },
	{ "com.apple.root.default-qos",
	  "com.apple.root.default-qos.overcommit" },
	{ "com.apple.root.user-initiated-qos",
	  "com.apple.root.user-initiated-qos.overcommit" },
	{ "com.apple.root.user-interactive-qos",
	  "com.apple.root.user-interactive-qos.overcommit" },
};

int64_t
gcd__now(const struct gcd_pool *p)
{
	return loop_now(p->loop);
}

struct probe_bus *
gcd__bus(const struct gcd_pool *p)
{
	return p->bus;
}

int
gcd__proc(const struct gcd_pool *p)
{
	return p->proc;
}

static void
probe_pool(struct gcd_pool *p, enum probe_kind k, const struct gcd_thread *t,
    const struct gcd_queue *q, int64_t value)
{
	struct probe_ev ev;

	if (p->bus == NULL || !probe_on(p->bus, k))
		return;
	probe_ev_init(&ev, k, loop_now(p->loop));
	ev.process = p->proc;
	if (t != NULL) {
		ev.thread.kind = PROBE_OBJ_THREAD;
		ev.thread.id = t->id;
		ev.thread.p = t->obj;
	}
	if (q != NULL) {
		ev.obj.kind = PROBE_OBJ_QUEUE;
		ev.obj.id = q->id;
		ev.obj.p = q;
	}
	ev.value = value;
	probe_emit(p->bus, &ev);
}

struct gcd_pool *
gcd_pool_new(struct loop *l, const struct gcd_params *pp,
    const struct gcd_ops *ops, void *arg, struct probe_bus *bus, int proc_id,
    uint64_t *queue_ids)
{
	struct gcd_pool *p = xcalloc(1, sizeof(*p));

	p->loop = l;
	p->pp = *pp;
	p->ops = ops;
	p->arg = arg;
	p->bus = bus;
	p->proc = proc_id;
	p->queue_ids = queue_ids;
	p->timer_interval = GCD_TIMER_MIN;
	p->timer_last = INT64_MIN / 2;
	for (int q = 0; q < GCD_NQOS; q++) {
		for (int o = 0; o < 2; o++) {
			struct gcd_queue *r = &p->roots[q][o];

			r->kind = GCD_ROOT;
			r->qos = q;
			r->overcommit = o;
			r->pool = p;
			r->bus = bus;
			r->name = root_names[q][o];
			r->id = ++*queue_ids;
		}
	}
	return p;
}

void
gcd_pool_free(struct gcd_pool *p)
{
	if (p == NULL)
		return;
	if (p->creator_ev != NULL)
		loop_cancel(p->loop, p->creator_ev);
	if (p->timer_ev != NULL)
		loop_cancel(p->loop, p->timer_ev);
	for (struct gcd_thread *t = p->idle; t != NULL; t = t->idle_next)
		if (t->reap_ev != NULL) {
			loop_cancel(p->loop, t->reap_ev);
			t->reap_ev = NULL;
		}
	for (size_t i = 0; i < p->nqueues; i++)
		free(p->queues[i]);
	free(p->queues);
	free(p);
}

struct gcd_queue *
gcd_pool_queue(struct gcd_pool *p, enum gcd_queue_kind kind, int qos,
    int width, const char *name)
{
	struct gcd_queue *q = xcalloc(1, sizeof(*q));

	if (qos < 0 || qos >= GCD_NQOS || kind == GCD_ROOT)
		BUG("gcd_pool_queue: bad kind or qos");
	q->kind = kind;
	q->qos = qos;
	q->width = kind == GCD_SERIAL ? 1 : (width < 1 ? 1 : width);
	q->pool = p;
	q->bus = p->bus;
	q->name = name;
	q->target = &p->roots[qos][kind == GCD_SERIAL];
	q->wakeup.kind = GCD_ITEM_QUEUE;
	q->id = ++*p->queue_ids;
	XGROW(p->queues, p->nqueues + 1, p->aqueues);
	p->queues[p->nqueues++] = q;
	return q;
}

void
gcd_queue_set_target(struct gcd_queue *q, struct gcd_queue *t)
{
	q->target = t;
}

struct gcd_queue *
gcd_pool_root(struct gcd_pool *p, int qos, int overcommit)
{
	return &p->roots[qos][overcommit != 0];
}

/* Sum of active threads at QoS >= q (all kinds count, gcd.md §1.2). */
static int
active_ge(const struct gcd_pool *p, int q)
{
	int n = 0;

	for (int b = q; b < GCD_NQOS; b++)
		n += p->active[b];
	return n;
}

/* Buckets >= q whose last blocker blocked within the stalled window. */
static int
busy_ge(const struct gcd_pool *p, int q)
{
	int64_t now = loop_now(p->loop);
	int n = 0;

	for (int b = q; b < GCD_NQOS; b++)
		if (p->scheduled[b] > p->active[b] &&
		    now - p->lastblocked[b] < GCD_BUSY_WINDOW)
			n++;
	return n;
}

/* 0 if admissible, else the enum probe_refusal reason. */
static int
con_refusal(const struct gcd_pool *p, int q)
{
	if (p->con_scheduled >= p->pp.constrained_max)
		return PROBE_REFUSE_CONSTRAINED;
	if (p->pp.ncpu - active_ge(p, q) - busy_ge(p, q) <= 0)
		return PROBE_REFUSE_CONCURRENCY;
	return 0;
}

/*
 * The request to serve next, or NULL with *why set to the refusal of the
 * best constrained request (0 when there is no request at all).
 */
static struct gcd_queue *
select_request(struct gcd_pool *p, int *why)
{
	struct gcd_queue *ovc = NULL, *con = NULL;
	int q;

	*why = 0;
	for (q = GCD_NQOS - 1; q >= 0 && ovc == NULL; q--)
		if (p->roots[q][1].req)
			ovc = &p->roots[q][1];
	for (q = GCD_NQOS - 1; q >= 0; q--) {
		if (!p->roots[q][0].req)
			continue;
		if ((*why = con_refusal(p, q)) == 0)
			con = &p->roots[q][0];
		p->refused_qos = q;
		break;
	}
	if (con != NULL && (ovc == NULL || con->qos > ovc->qos))
		return con;
	return ovc;
}

static void
bind(struct gcd_pool *p, struct gcd_thread *t, struct gcd_queue *r)
{
	r->req = 0;
	t->root = r;
	t->blocked = 0;
	p->scheduled[r->qos]++;
	p->active[r->qos]++;
	if (!r->overcommit)
		p->con_scheduled++;
	probe_pool(p, PROBE_THREAD_BIND, t, r, 0);
}

static void
unbind(struct gcd_pool *p, struct gcd_thread *t)
{
	struct gcd_queue *r = t->root;

	p->scheduled[r->qos]--;
	if (!t->blocked)
		p->active[r->qos]--;
	if (!r->overcommit)
		p->con_scheduled--;
	t->root = NULL;
	t->blocked = 0;
}

static void timer_fire(struct loop *l, void *obj, uint64_t arg);

static void
arm_timer(struct gcd_pool *p)
{
	int64_t now = loop_now(p->loop), since = now - p->timer_last;

	if (p->timer_ev != NULL)
		return;
	if (since <= p->timer_interval) {
		p->timer_interval *= 2;
		if (p->timer_interval > GCD_TIMER_MAX)
			p->timer_interval = GCD_TIMER_MAX;
	} else if (since > 2 * p->timer_interval) {
		p->timer_interval /= 2;
		if (p->timer_interval < GCD_TIMER_MIN)
			p->timer_interval = GCD_TIMER_MIN;
	}
	p->timer_ev = loop_after(p->loop, p->timer_interval, timer_fire, p,
	    0);
	probe_pool(p, PROBE_POOL_TIMER, NULL, NULL, p->timer_interval);
}

static void creator_done(struct loop *l, void *obj, uint64_t arg);

/*
 * The creator: serve requests with idle threads, or start creating one
 * thread.  A constrained request refused for concurrency while some bucket
 * is busy arms the delayed-creation timer, so that the request is looked
 * at again once the busy window has passed (workq_constrained_allowance
 * with may_start_timer, on the creator's selection).
 */
static void
try_creator(struct gcd_pool *p)
{
	struct gcd_queue *r;
	struct gcd_thread *t;
	int why;

	while (!p->creator_busy) {
		if ((r = select_request(p, &why)) == NULL) {
			if (why != 0)
				probe_pool(p, PROBE_POOL_REFUSE, NULL, NULL,
				    why);
			if (why == PROBE_REFUSE_CONCURRENCY &&
			    busy_ge(p, p->refused_qos) > 0)
				arm_timer(p);
			return;
		}
		if ((t = p->idle) != NULL) {
			p->idle = t->idle_next;
			if (p->idle != NULL)
				p->idle->idle_prev = NULL;
			p->nidle--;
			t->idle = 0;
			if (t->reap_ev != NULL) {
				loop_cancel(p->loop, t->reap_ev);
				t->reap_ev = NULL;
			}
			bind(p, t, r);
			p->ops->start(p->arg, t);
			continue;
		}
		if (p->nthreads >= p->pp.max_threads) {
			probe_pool(p, PROBE_POOL_REFUSE, NULL, r,
			    PROBE_REFUSE_TOTAL);
			return;
		}
		p->creator_busy = 1;
		p->nthreads++;
		if (p->nthreads > p->peak)
			p->peak = p->nthreads;
		p->creator_ev = loop_after(p->loop, p->pp.create_latency,
		    creator_done, p, 0);
		return;
	}
}

void
gcd__request(struct gcd_pool *p, struct gcd_queue *root)
{
	root->req = 1;
	probe_pool(p, PROBE_POOL_REQUEST, NULL, root, 0);
	try_creator(p);
}

static int64_t
reap_delay(const struct gcd_pool *p, int k)
{
	int64_t T = p->pp.idle_timeout;
	int cap = p->pp.constrained_max, dml = 1, n = p->pp.ncpu;

	while (n > 1) {		/* fls(ncpu) + 1 */
		n >>= 1;
		dml++;
	}
	dml++;
	if (k <= dml || cap <= dml)
		return T;
	if (k >= cap)
		return 0;
	return T - (int64_t)((double)(T - T / cap) * (k - dml) / (cap - dml));
}

static void reap_fire(struct loop *l, void *obj, uint64_t arg);

static void
park(struct gcd_pool *p, struct gcd_thread *t)
{
	t->idle = 1;
	t->idle_prev = NULL;
	t->idle_next = p->idle;
	if (p->idle != NULL)
		p->idle->idle_prev = t;
	p->idle = t;
	p->nidle++;
	t->reap_ev = loop_after(p->loop, reap_delay(p, p->nidle), reap_fire,
	    t, 0);
	probe_pool(p, PROBE_THREAD_PARK, t, NULL, p->nidle);
}

static void
idle_unlink(struct gcd_pool *p, struct gcd_thread *t)
{
	if (t->idle_prev != NULL)
		t->idle_prev->idle_next = t->idle_next;
	else
		p->idle = t->idle_next;
	if (t->idle_next != NULL)
		t->idle_next->idle_prev = t->idle_prev;
	t->idle_prev = t->idle_next = NULL;
	t->idle = 0;
	p->nidle--;
}

static void
reap_fire(struct loop *l, void *obj, uint64_t arg)
{
	struct gcd_thread *t = obj;
	struct gcd_pool *p = t->pool;
	int was_full;

	(void)l;
	(void)arg;
	t->reap_ev = NULL;
	idle_unlink(p, t);
	was_full = p->nthreads >= p->pp.max_threads;
	p->nthreads--;
	t->pool = NULL;
	p->ops->reap(p->arg, t);
	if (was_full)
		try_creator(p);
	p->ops->flush(p->arg);
}

static void
creator_done(struct loop *l, void *obj, uint64_t arg)
{
	struct gcd_pool *p = obj;
	struct gcd_thread *t;
	struct gcd_queue *r;
	int why;

	(void)l;
	(void)arg;
	p->creator_ev = NULL;
	p->creator_busy = 0;
	t = p->ops->spawn(p->arg, p);
	t->pool = p;
	if ((r = select_request(p, &why)) != NULL) {
		bind(p, t, r);
		p->ops->start(p->arg, t);
	} else {
		park(p, t);
	}
	try_creator(p);
	p->ops->flush(p->arg);
}

static void
timer_fire(struct loop *l, void *obj, uint64_t arg)
{
	struct gcd_pool *p = obj;

	(void)l;
	(void)arg;
	p->timer_ev = NULL;
	p->timer_last = loop_now(p->loop);
	try_creator(p);
	p->ops->flush(p->arg);
}

/*
 * t's root queue is empty: back to the pool.  Returns 1 when t was bound
 * to another request (it goes on draining), 0 when it parked.
 */
int
gcd__return(struct gcd_thread *t)
{
	struct gcd_pool *p = t->pool;
	struct gcd_queue *r;
	int why;

	unbind(p, t);
	if ((r = select_request(p, &why)) != NULL) {
		bind(p, t, r);
		return 1;
	}
	park(p, t);
	return 0;
}

void
gcd__wake(struct gcd_pool *p, struct gcd_thread *t)
{
	p->ops->wake(p->arg, t);
}

void
gcd__queued(struct gcd_pool *p, const struct gcd_queue *q, int d)
{
	p->queued += d;
	if (p->queued <= p->queued_peak)
		return;
	p->queued_peak = p->queued;
	if (p->pp.max_queued > 0 && p->queued > p->pp.max_queued &&
	    !p->overflowed && p->ops->overflow != NULL) {
		p->overflowed = 1;
		p->ops->overflow(p->arg, p, q, p->queued);
	}
}

void
gcd_block(struct gcd_thread *t)
{
	struct gcd_pool *p = t->pool;
	int b, old;

	if (p == NULL || t->root == NULL || t->blocked)
		return;
	b = t->root->qos;
	t->blocked = 1;
	p->active[b]--;
	p->lastblocked[b] = loop_now(p->loop);
	for (int q = b; q >= 0; q--) {
		if (!p->roots[q][0].req)
			continue;
		old = active_ge(p, q) + 1;
		if (old <= p->pp.ncpu && p->pp.ncpu <= old + (GCD_NQOS - q))
			arm_timer(p);
		break;
	}
}

void
gcd_unblock(struct gcd_thread *t)
{
	struct gcd_pool *p = t->pool;

	if (p == NULL || t->root == NULL || !t->blocked)
		return;
	t->blocked = 0;
	p->active[t->root->qos]++;
}

void
gcd_pool_reset(struct gcd_pool *p,
    void (*dispose)(void *arg, struct gcd_item *it), void *arg)
{
	struct gcd_item *it;

	if (p->creator_ev != NULL)
		loop_cancel(p->loop, p->creator_ev);
	if (p->timer_ev != NULL)
		loop_cancel(p->loop, p->timer_ev);
	p->creator_ev = p->timer_ev = NULL;
	p->creator_busy = 0;
	while (p->idle != NULL) {
		struct gcd_thread *t = p->idle;

		if (t->reap_ev != NULL)
			loop_cancel(p->loop, t->reap_ev);
		t->reap_ev = NULL;
		idle_unlink(p, t);
	}
	for (size_t i = 0; i < p->nqueues; i++) {
		struct gcd_queue *q = p->queues[i];

		while ((it = gcd__pop(q)) != NULL)
			if (it->kind == GCD_ITEM_WORK)
				dispose(arg, it);
		q->inflight = 0;
		q->enqueued = 0;
		q->owner = NULL;
	}
	for (int q = 0; q < GCD_NQOS; q++)
		for (int o = 0; o < 2; o++) {
			while ((it = gcd__pop(&p->roots[q][o])) != NULL)
				if (it->kind == GCD_ITEM_WORK)
					dispose(arg, it);
			p->roots[q][o].req = 0;
		}
	p->nthreads = p->nidle = p->con_scheduled = p->queued = 0;
	memset(p->scheduled, 0, sizeof(p->scheduled));
	memset(p->active, 0, sizeof(p->active));
	memset(p->lastblocked, 0, sizeof(p->lastblocked));
	p->timer_interval = GCD_TIMER_MIN;
	p->timer_last = INT64_MIN / 2;
}

void
gcd_thread_release(struct gcd_thread *t)
{
	free(t->held);
	t->held = NULL;
	t->nheld = t->aheld = 0;
}

void
gcd_thread_forget(struct gcd_thread *t)
{
	struct gcd_pool *p = t->pool;

	for (uint32_t i = 0; i < t->nheld; i++)
		if (t->held[i]->owner == t)
			t->held[i]->owner = NULL;
	t->nheld = 0;
	t->sync_q = NULL;
	if (p == NULL)
		return;
	if (t->idle) {
		if (t->reap_ev != NULL)
			loop_cancel(p->loop, t->reap_ev);
		t->reap_ev = NULL;
		idle_unlink(p, t);
	} else if (t->root != NULL) {
		unbind(p, t);
	}
	p->nthreads--;
	t->pool = NULL;
}

int
gcd_pool_nthreads(const struct gcd_pool *p)
{
	return p->nthreads;
}

int
gcd_pool_peak(const struct gcd_pool *p)
{
	return p->peak;
}

int
gcd_pool_idle(const struct gcd_pool *p)
{
	return p->nidle;
}

int
gcd_pool_constrained(const struct gcd_pool *p)
{
	return p->con_scheduled;
}

int
gcd_pool_active(const struct gcd_pool *p)
{
	return active_ge(p, 0);
}

int64_t
gcd_pool_timer_interval(const struct gcd_pool *p)
{
	return p->timer_interval;
}

int
gcd_pool_queued(const struct gcd_pool *p)
{
	return p->queued;
}

int
gcd_pool_queued_peak(const struct gcd_pool *p)
{
	return p->queued_peak;
}
