/*
 * thread.c - simulated threads: creation, the ready list, waiting and
 * waking, sleep and cpu, death.
 *
 * A thread is a state machine over an explicit frame stack (interp.c runs
 * it); nothing here blocks for real.  Waking a thread never runs it on
 * the spot: it goes to the world's ready list, which the world drains in
 * FIFO order at the end of every event callback (world__flush), so a chain
 * of wake-ups never turns into C recursion and the order is deterministic.
 *
 * Waits are what the GCD pool calls blocking (reference/gcd.md §1.3): any
 * wait of a workqueue thread (verdict, call, lock, sync, flag, sleep)
 * decrements its bucket's active count; waiting for a core does not, a
 * runnable thread is not blocked.
 *
 * CPU (machine.contention): without contention a cpu action is a plain
 * delay.  With it, the machine has `cores` identical cores served FIFO and
 * non-preemptively: a burst starts when a core is free, in the order the
 * bursts were requested, and holds the core for its whole duration.  That
 * is an M/G/c queue, exact and cheap; it approximates the real scheduler
 * when bursts are shorter than its 10 ms quantum (reference/gcd.md §3).
 */
#include <stdlib.h>
#include <string.h>

#include "core/err.h"
#include "core/xalloc.h"
#include "es/wint.h"

void
wl_append(struct w_waitlist *l, struct w_thread *t)
{
	t->wnext = NULL;
	t->wprev = l->tail;
	if (l->tail != NULL)
		l->tail->wnext = t;
	else
		l->head = t;
	l->tail = t;
	l->n++;
	t->wlist = l;
}

static void
wl_unlink(struct w_thread *t)
{
	struct w_waitlist *l = t->wlist;

	if (t->wprev != NULL)
		t->wprev->wnext = t->wnext;
	else
		l->head = t->wnext;
	if (t->wnext != NULL)
		t->wnext->wprev = t->wprev;
	else
		l->tail = t->wprev;
	l->n--;
	t->wnext = t->wprev = NULL;
	t->wlist = NULL;
}

struct w_thread *
wl_pop(struct w_waitlist *l)
{
	struct w_thread *t = l->head;

	if (t != NULL)
		wl_unlink(t);
	return t;
}

void
th_ref(const struct w_thread *t, struct probe_ref *r)
{
	r->kind = PROBE_OBJ_THREAD;
	r->id = t->id;
	r->p = t;
}

static void
probe_th(struct w_thread *t, enum probe_kind k, int64_t value)
{
	struct world *w = t->proc->w;
	struct probe_ev ev;

	if (!probe_on(&w->bus, k))
		return;
	probe_ev_init(&ev, k, loop_now(&w->loop));
	th_ref(t, &ev.thread);
	ev.process = t->proc->m->id;
	ev.role = t->role;
	ev.value = value;
	probe_emit(&w->bus, &ev);
}

/*
 * The thread limits (model "limits"): the thread that passes one still
 * exists, callers need it, but the run stops at the end of this instant.
 */
static void
check_limits(const struct w_thread *t)
{
	const struct w_proc *p = t->proc;
	struct world *w = p->w;
	const struct model *m = w->m;

	if (m->max_threads > 0 && p->nthreads > m->max_threads)
		world__limit(w, "max_threads", "process %s has %d threads "
		    "(limit %d)", p->m->name, p->nthreads, m->max_threads);
	else if (m->max_world_threads > 0 &&
	    w->nthreads > m->max_world_threads)
		world__limit(w, "max_world_threads", "%d threads in all "
		    "processes, the last in %s (limit %d)", w->nthreads,
		    p->m->name, m->max_world_threads);
}

struct w_thread *
th_new(struct w_proc *p, int role)
{
	struct world *w = p->w;
	struct w_thread *t = w->free_threads;
	struct frame *fr;
	struct gcd_queue **held;
	uint32_t afr, aheld;

	if (t != NULL) {
		w->free_threads = t->fnext;
		fr = t->fr;
		afr = t->afr;
		held = t->gcd.held;
		aheld = t->gcd.aheld;
	} else {
		t = xmalloc(sizeof(*t));
		fr = NULL;
		afr = 0;
		held = NULL;
		aheld = 0;
	}
	memset(t, 0, sizeof(*t));
	t->fr = fr;
	t->afr = afr;
	t->gcd.held = held;
	t->gcd.aheld = aheld;
	t->id = ++w->next_thread;
	t->proc = p;
	t->role = (uint8_t)role;
	t->state = TH_READY;
	t->index = ++p->next_index[role];
	t->gcd.id = t->id;
	t->gcd.obj = t;
	t->pnext = p->threads;
	if (p->threads != NULL)
		p->threads->pprev = t;
	p->threads = t;
	if (++p->nthreads > p->peak)
		p->peak = p->nthreads;
	if (++w->nthreads > w->peak_threads)
		w->peak_threads = w->nthreads;
	probe_th(t, PROBE_THREAD_SPAWN, role);
	check_limits(t);
	return t;
}

void
th_push(struct w_thread *t, enum fr_kind kind, const struct m_program *prog,
    void *obj, struct esk_msg *ctx)
{
	struct frame *f;

	XGROW(t->fr, t->nfr + 1, t->afr);
	f = &t->fr[t->nfr++];
	f->kind = (uint8_t)kind;
	f->pc = 0;
	f->prog = prog;
	f->count = 0;
	f->obj = obj;
	f->ctx = ctx;
}

void
th_pop(struct w_thread *t)
{
	if (t->nfr == 0)
		BUG("popping an empty frame stack");
	t->nfr--;
}

void
th_ready(struct w_thread *t)
{
	struct world *w = t->proc->w;

	if (t->in_ready || t->state == TH_DEAD)
		return;
	t->state = TH_READY;
	t->in_ready = 1;
	t->rnext = NULL;
	if (w->ready_tail != NULL)
		w->ready_tail->rnext = t;
	else
		w->ready_head = t;
	w->ready_tail = t;
}

void
th_wait(struct w_thread *t, enum probe_wait why, void *obj,
    struct w_waitlist *list, uint64_t owner_id, const void *owner)
{
	struct world *w = t->proc->w;
	struct probe_ev ev;

	t->state = TH_WAITING;
	t->wait = (uint8_t)why;
	t->wait_obj = obj;
	if (list != NULL)
		wl_append(list, t);
	if (why != PROBE_WAIT_CPU)
		gcd_block(&t->gcd);
	if (!probe_on(&w->bus, PROBE_WAIT))
		return;
	probe_ev_init(&ev, PROBE_WAIT, loop_now(&w->loop));
	th_ref(t, &ev.thread);
	ev.process = t->proc->m->id;
	ev.wait = why;
	if (owner != NULL) {
		ev.owner.kind = PROBE_OBJ_THREAD;
		ev.owner.id = owner_id;
		ev.owner.p = owner;
	}
	world__describe_wait(w, t, &ev);
	probe_emit(&w->bus, &ev);
}

void
th_wake(struct w_thread *t)
{
	struct world *w = t->proc->w;
	struct probe_ev ev;

	if (t->state != TH_WAITING)
		return;
	if (t->wlist != NULL)
		wl_unlink(t);
	if (probe_on(&w->bus, PROBE_WAKE)) {
		probe_ev_init(&ev, PROBE_WAKE, loop_now(&w->loop));
		th_ref(t, &ev.thread);
		ev.process = t->proc->m->id;
		ev.wait = t->wait;
		world__describe_wait(w, t, &ev);
		probe_emit(&w->bus, &ev);
	}
	if (t->wait != PROBE_WAIT_CPU)
		gcd_unblock(&t->gcd);
	t->wait = PROBE_WAIT_NONE;
	t->wait_obj = NULL;
	th_ready(t);
}

static void
sleep_done(struct loop *l, void *obj, uint64_t arg)
{
	struct w_thread *t = obj;

	(void)l;
	(void)arg;
	t->timer = NULL;
	th_wake(t);
	world__flush(t->proc->w);
}

void
th_sleep(struct w_thread *t, int64_t dt)
{
	th_wait(t, PROBE_WAIT_SLEEP, NULL, NULL, 0, NULL);
	t->timer = loop_after(&t->proc->w->loop, dt, sleep_done, t, 0);
}

static void cpu_done(struct loop *l, void *obj, uint64_t arg);

static void
cpu_start(struct w_thread *t, int64_t dt)
{
	t->state = TH_BUSY;
	t->timer = loop_after(&t->proc->w->loop, dt, cpu_done, t, 0);
}

/* A core is free: the next burst in FIFO order takes it. */
static void
core_release(struct world *w)
{
	struct w_thread *n = wl_pop(&w->cpu_wait);

	if (n == NULL) {
		w->cores_free++;
		return;
	}
	if (probe_on(&w->bus, PROBE_WAKE)) {
		struct probe_ev ev;

		probe_ev_init(&ev, PROBE_WAKE, loop_now(&w->loop));
		th_ref(n, &ev.thread);
		ev.process = n->proc->m->id;
		ev.wait = PROBE_WAIT_CPU;
		probe_emit(&w->bus, &ev);
	}
	n->wait = PROBE_WAIT_NONE;
	cpu_start(n, n->cpu_left);
}

static void
cpu_done(struct loop *l, void *obj, uint64_t arg)
{
	struct w_thread *t = obj;
	struct world *w = t->proc->w;

	(void)l;
	(void)arg;
	t->timer = NULL;
	if (w->m->contention)
		core_release(w);
	th_ready(t);
	world__flush(w);
}

void
th_cpu(struct w_thread *t, int64_t dt)
{
	struct world *w = t->proc->w;

	if (!w->m->contention || w->cores_free > 0) {
		if (w->m->contention)
			w->cores_free--;
		cpu_start(t, dt);
		return;
	}
	t->cpu_left = dt;
	th_wait(t, PROBE_WAIT_CPU, NULL, &w->cpu_wait, 0, NULL);
}

/* Forget what the thread waits for, so that nothing wakes it later. */
static void
detach(struct w_thread *t)
{
	struct world *w = t->proc->w;

	if (t->timer != NULL) {
		loop_cancel(&w->loop, t->timer);
		t->timer = NULL;
		if (t->state == TH_BUSY && w->m->contention)
			core_release(w);
	}
	if (t->wlist != NULL)
		wl_unlink(t);
	if (t->held_ev != NULL) {
		esk_event_unref(w, t->held_ev);
		t->held_ev = NULL;
	}
	if (t->state == TH_WAITING) {
		switch (t->wait) {
		case PROBE_WAIT_VERDICT:
			((struct esk_event *)t->wait_obj)->waiter = NULL;
			break;
		case PROBE_WAIT_EARLY_BOOT:	/* never raised: ours */
			esk_event_unref(w, t->wait_obj);
			break;
		case PROBE_WAIT_CALL:
			((struct w_request *)t->wait_obj)->caller = NULL;
			break;
		default:
			break;
		}
	}
}

/* Drop what the frames own: messages, blocks, requests, raised events. */
static void
unwind(struct w_thread *t)
{
	struct world *w = t->proc->w;

	while (t->nfr > 0) {
		struct frame *f = &t->fr[--t->nfr];
		struct gcd_item *it;

		switch (f->kind) {
		case FR_WORK:
			it = f->obj;
			if (t->proc->alive)	/* else the pool is reset */
				gcd_done(it);
			if (it->tag == W_TAG_DELIVERY) {
				esk_msg_unref(w, container_of(it,
				    struct esk_msg, item));
			} else {
				struct w_work *wk = container_of(it,
				    struct w_work, item);

				if (wk->ctx != NULL)
					esk_msg_unref(w, wk->ctx);
				pool_put(&w->work_pool, wk);
			}
			break;
		case FR_SERVICE:
			daemon_request_done(w, f->obj);
			break;
		case FR_ONESHOT:
			if (f->count == 0)
				esk_event_unref(w, f->obj);
			break;
		default:
			break;
		}
	}
}

/* reason: 0 finished, 1 killed, 2 reaped (PROBE_THREAD_EXIT value). */
static void
th_end(struct w_thread *t, int reason)
{
	struct w_proc *p = t->proc;
	struct world *w = p->w;

	if (t->state == TH_DEAD)
		return;
	detach(t);
	unwind(t);
	if (reason != 2)
		gcd_thread_forget(&t->gcd);
	if (t->pprev != NULL)
		t->pprev->pnext = t->pnext;
	else
		p->threads = t->pnext;
	if (t->pnext != NULL)
		t->pnext->pprev = t->pprev;
	p->nthreads--;
	w->nthreads--;
	probe_th(t, PROBE_THREAD_EXIT, reason);
	t->state = TH_DEAD;
	if (!t->in_ready) {
		t->rnext = w->graveyard;
		w->graveyard = t;
	}
}

void
th_kill(struct w_thread *t)
{
	th_end(t, 1);
}

void
th_exit(struct w_thread *t)
{
	th_end(t, 0);
}

void
th_reaped(struct w_thread *t)
{
	th_end(t, 2);
}

void
th_reap_graveyard(struct world *w)
{
	struct w_thread *t;

	while ((t = w->graveyard) != NULL) {
		w->graveyard = t->rnext;
		t->fnext = w->free_threads;
		w->free_threads = t;
	}
}

void
th_free_all(struct world *w)
{
	struct w_thread *t;

	th_reap_graveyard(w);
	while ((t = w->free_threads) != NULL) {
		w->free_threads = t->fnext;
		free(t->fr);
		gcd_thread_release(&t->gcd);
		free(t);
	}
}
