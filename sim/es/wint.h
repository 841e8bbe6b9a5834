/*
 * wint.h - the simulated world's run-time state, shared by the files that
 * implement it (world.c, thread.c, interp.c, es-kernel.c, es-client.c,
 * es-mute.c, es-cache.c, daemon.c, workload.c).  Private to sim/es:
 * everything outside uses world.h.
 *
 * Every model entity has a run-time twin in a parallel array indexed by
 * its model id (w->procs[m_process.id], w->clients[m_client.id], ...).
 * Short-lived objects (threads, ES events and messages, async blocks, XPC
 * requests) come from free lists, so memory follows what is in flight,
 * never the length of the run.
 *
 * Ownership and lifetimes:
 *   - an ES event (esk_event: one syscall) is referenced by the thread
 *     that raised it until it completes and by each client message made
 *     from it;
 *   - a message (esk_msg: one client's copy) is referenced while it is
 *     queued or being handled, while its verdict is awaited (the deadline
 *     list), and by every frame, async block or XPC request that carries
 *     it as the current message context;
 *   - threads are freed only between steps (the graveyard), so a thread
 *     killed while running, or while in the ready list, stays valid until
 *     the world is back at the top of its loop.
 */
#ifndef ESSIM_ES_WINT_H
#define ESSIM_ES_WINT_H

#include <stddef.h>
#include <stdint.h>

#include "core/err.h"
#include "core/evtype.h"
#include "core/loop.h"
#include "core/pool.h"
#include "core/rng.h"
#include "es/probe.h"
#include "es/world.h"
#include "gcd/gcd-pool.h"
#include "gcd/gcd-queue.h"
#include "model/model.h"

struct world;
struct w_thread;
struct w_proc;
struct w_client;
struct w_daemon;
struct esk_msg;
struct defmute_rule;

/* A thread runs at most this many actions in a row without time passing. */
#define W_SPIN_LIMIT	1000000u

/* AUTH_OPEN: the fflag every simulated open requests (FREAD). */
#define ESK_OPEN_FFLAGS	UINT32_C(0x1)

/* Paths generated at run time (zipf) are kept inline up to this size. */
#define ESK_PATHBUF	192

/* A path: borrowed from the model, or stored in its event. */
struct w_path {
	const char	*s;		/* NULL: none */
	size_t		 len;
};

struct w_waitlist {
	struct w_thread	*head, *tail;
	size_t		 n;
};

/* Frames of a thread's explicit stack (no C recursion at run time). */
enum fr_kind {
	FR_PROG,	/* a program body (if branches, top-level programs) */
	FR_REPEAT,	/* count: iterations left, -1 forever */
	FR_SYNC,	/* obj: the gcd_queue synced onto */
	FR_WORK,	/* obj: the gcd_item (async block or ES delivery) */
	FR_SERVICE,	/* obj: the w_request being served */
	FR_WORKER,	/* bottom of a workqueue thread: drain its root */
	FR_LISTENER,	/* bottom of a daemon worker: serve requests */
	FR_MAIN,	/* bottom of a main thread: its program */
	FR_INIT,	/* a client's init program: subscribe at its end */
	FR_SOURCE,	/* closed-loop workload thread; obj: w_source */
	FR_ONESHOT	/* open-loop thread; obj: the esk_event to raise */
};

struct frame {
	uint8_t			 kind;
	uint32_t		 pc;
	const struct m_program	*prog;		/* NULL for driver frames */
	int64_t			 count;
	void			*obj;
	struct esk_msg		*ctx;		/* current message, borrowed */
};

enum th_state {
	TH_READY,	/* in the ready list */
	TH_RUNNING,	/* interpreting */
	TH_BUSY,	/* on a core for a cpu action */
	TH_WAITING,	/* blocked (or runnable, waiting for a core) */
	TH_PARKED,	/* idle workqueue thread */
	TH_DEAD		/* in the graveyard until the end of the step */
};

struct w_thread {
	uint64_t		 id;
	struct w_proc		*proc;
	uint8_t			 role;		/* enum probe_role */
	uint8_t			 state;		/* enum th_state */
	uint8_t			 in_ready;
	uint8_t			 wait;		/* enum probe_wait */
	uint32_t		 index;		/* per role, within the process */
	struct gcd_thread	 gcd;
	struct frame		*fr;
	uint32_t		 nfr, afr;
	void			*wait_obj;
	struct w_waitlist	*wlist;		/* list the thread waits on */
	struct w_thread		*wnext, *wprev;
	struct loop_ev		*timer;		/* sleep / cpu completion */
	int64_t			 cpu_left;	/* cpu burst waiting for a core */
	const struct m_action	*pending;	/* sync body awaiting its queue */
	struct esk_event	*held_ev;	/* released at early boot: raise */
	struct w_thread		*rnext;		/* ready list / graveyard */
	struct w_thread		*pnext, *pprev;	/* the process's threads */
	struct w_thread		*fnext;		/* free list */
};

struct w_lock {
	struct w_thread		*owner;
	struct w_waitlist	 waiters;
};

struct w_proc {
	const struct m_process	*m;
	struct world		*w;
	int			 alive;
	uint32_t		 gen;		/* bumped at each death */
	struct w_thread		*threads;
	int			 nthreads, peak;
	uint32_t		 next_index[4];	/* per enum probe_role */
	struct gcd_pool		*pool;
	struct gcd_queue	**queues;	/* parallel to m->queues */
	struct w_lock		*locks;		/* parallel to m->locks */
	struct w_client		*client;
	struct w_daemon		*daemon;
	struct rng		 rng;		/* "process/NAME": program draws */
	int			 restarts;
	struct loop_ev		*restart_ev;
};

/* One ES event: what one syscall raised. */
struct esk_event {
	uint64_t		 id;
	const struct evtype	*type;
	struct w_proc		*proc;		/* acting process */
	struct w_path		 path, target;
	struct w_thread		*waiter;	/* raiser, blocked on the verdict */
	int			 refs;
	int			 pending;	/* AUTH messages still counting */
	int			 nmsgs;		/* AUTH messages made */
	int			 denied;
	int			 all_cache;	/* every answer said cache */
	uint32_t		 flags;		/* AUTH_OPEN: AND of answers */
	int64_t			 t0;
	char			*heap[2];	/* long generated paths */
	size_t			 used;		/* of buf */
	char			 buf[ESK_PATHBUF];
};

/* One client's copy of an event. */
struct esk_msg {
	uint64_t		 id;
	struct esk_event	*ev;
	struct w_client		*client;
	int			 refs;
	uint8_t			 counting;	/* AUTH, answer still awaited */
	uint8_t			 answered;
	uint8_t			 retained;
	int64_t			 t_enq;
	int64_t			 deadline;
	struct esk_msg		*dnext, *dprev;	/* deadline list */
	struct gcd_item		 item;		/* on the delivery queue */
};

/* Per (client, AUTH type): unanswered messages in deadline order. */
struct esk_dlist {
	struct esk_msg		*head, *tail;
	struct loop_ev		*timer;
};

struct w_client {
	const struct m_client	*m;
	struct w_proc		*proc;
	struct world		*w;
	int			 subscribed;
	int			 early_waiting;	/* early boot, not yet subscribed */
	int64_t			 restart_delay;
	int64_t			 deadline[EVSET_BITS];
	struct esk_dlist	 dl[EVSET_BITS];
	/* Per acting process: types muted by the process and exe-path
	 * dimensions (inversion applied) and by the default mute set. */
	struct evset		*mute_acting;
	int			 has_target_mutes;
	/* Messages dropped because the delivery queue was full. */
	uint64_t		 drops, auth_drops;
	int64_t			 first_drop;
};

/* An async block. */
struct w_work {
	struct gcd_item		 item;
	const struct m_program	*prog;
	struct esk_msg		*ctx;		/* owned reference, or NULL */
	struct w_proc		*proc;
};

enum { W_TAG_ASYNC = 1, W_TAG_DELIVERY = 2 };

/* An XPC request to a daemon service. */
struct w_request {
	uint64_t		 id;
	const struct m_service	*service;
	struct w_daemon		*daemon;
	struct w_thread		*caller;	/* NULL for send, or caller gone */
	struct esk_msg		*ctx;		/* owned reference, or NULL */
	int			 replied;
	int64_t			 t0;
	struct w_request	*next;
};

struct w_daemon {
	const struct m_daemon	*m;
	struct w_proc		*proc;
	struct w_request	*head, *tail;	/* FIFO of requests */
	struct w_waitlist	 idle;		/* workers waiting for one */
};

struct w_source {
	const struct m_source	*m;
	struct w_proc		*proc;
	struct rng		 rng;		/* "source/N" */
	int64_t			 next;		/* open loop: next arrival */
};

/* An external syscall source (trace replay). */
struct w_ext {
	const struct world_source_ops *ops;
	void			*arg;
	struct esk_event	*ev;		/* the next one, scheduled */
};

struct w_flag {
	int			 set;
	int64_t			 first;		/* -1: never set */
	struct w_waitlist	 waiters;
};

/* The AUTH result cache (es-cache.c). */
struct esk_cache {
	uint64_t		*keys;		/* 0: empty */
	uint32_t		*vals;		/* AUTH_OPEN flags */
	uint8_t			*allow;
	size_t			 cap, n;
	uint32_t		*version;	/* per path-hash slot */
	size_t			 nversion;
	uint64_t		 hits, clears;
};

struct world {
	const struct model	*m;
	struct loop		 loop;
	struct probe_bus	 bus;
	uint64_t		 seed;
	int64_t			 end;
	int			 started;

	struct w_proc		*procs;
	struct w_client		*clients;
	struct w_daemon		*daemons;
	struct w_flag		*flags;
	struct w_source		*sources;
	struct w_ext		*exts;
	size_t			 nexts, aexts;

	struct w_thread		*ready_head, *ready_tail;
	struct w_thread		*graveyard;
	struct w_thread		*free_threads;
	int			 flushing;

	struct pool		 ev_pool, msg_pool, work_pool, req_pool;
	uint64_t		 next_thread, next_event, next_msg, next_req;
	uint64_t		 queue_ids;

	int			 cores_free;
	struct w_waitlist	 cpu_wait;

	struct esk_cache	 cache;
	struct evset		 cacheable, modifying;
	struct evset		 subscribed_any;	/* union of subscriptions */
	const struct evtype	*t_auth_open;
	int			 early_pending;	/* early-boot clients unsubscribed */
	int			 early_over;
	struct w_waitlist	 early_held;
	struct loop_ev		*early_ev;
	uint64_t		 early_released_by_timeout;

	struct gcd_ops		 gcd_ops;
	struct defmute_rule	*defmute;	/* default mute set, or NULL */
	size_t			 ndefmute;

	/* Limits (model "limits"): threads of all processes, and the
	 * first limit that stopped the run. */
	int			 nthreads, peak_threads;
	int			 limited;
	struct err		 limit;
};

/* world.c */
void	world__flush(struct world *w);
/*
 * Limit key of the model's "limits" (key "max_threads") was passed:
 * record "FILE: /limits/KEY: TEXT at t=T" (the first one wins) and stop
 * the run at the end of the current instant.
 */
void	world__limit(struct world *w, const char *key, const char *fmt, ...)
	    ESSIM_PRINTF(3, 4);
void	world__proc_start(struct w_proc *p);
void	world__proc_kill(struct w_proc *p, int reason);
/* Fill ev's obj, owner and ES fields from what t waits for. */
void	world__describe_wait(struct world *w, const struct w_thread *t,
	    struct probe_ev *ev);

/* thread.c */
struct w_thread *th_new(struct w_proc *p, int role);
void	th_push(struct w_thread *t, enum fr_kind kind,
	    const struct m_program *prog, void *obj, struct esk_msg *ctx);
void	th_pop(struct w_thread *t);
void	th_ready(struct w_thread *t);
void	th_wait(struct w_thread *t, enum probe_wait why, void *obj,
	    struct w_waitlist *list, uint64_t owner_id, const void *owner);
void	th_wake(struct w_thread *t);
void	th_sleep(struct w_thread *t, int64_t dt);
void	th_cpu(struct w_thread *t, int64_t dt);
void	th_kill(struct w_thread *t);
void	th_exit(struct w_thread *t);
void	th_reaped(struct w_thread *t);
void	th_reap_graveyard(struct world *w);
void	th_free_all(struct world *w);
void	th_ref(const struct w_thread *t, struct probe_ref *r);
void	wl_append(struct w_waitlist *l, struct w_thread *t);
struct w_thread *wl_pop(struct w_waitlist *l);

/* interp.c */
void	interp_run(struct w_thread *t);

/* es-kernel.c */
struct esk_event *esk_event_new(struct world *w, struct w_proc *p,
	    const struct evtype *type);
void	esk_event_path(struct esk_event *ev, struct w_path *dst,
	    const char *s, size_t len, int borrowed);
int	esk_issue(struct world *w, struct w_thread *t, struct esk_event *ev);
void	esk_resume(struct world *w, struct w_thread *t, struct esk_event *ev);
void	esk_event_unref(struct world *w, struct esk_event *ev);
void	esk_msg_ref(struct esk_msg *m);
void	esk_msg_unref(struct world *w, struct esk_msg *m);
void	esk_respond(struct world *w, struct esk_msg *m, int allow,
	    uint32_t flags, int cache);
void	esk_retain(struct world *w, struct w_thread *t, struct esk_msg *m);
void	esk_handler_start(struct world *w, struct w_thread *t,
	    struct esk_msg *m);
void	esk_handler_end(struct world *w, struct w_thread *t,
	    struct esk_msg *m);
void	esk_client_drop_all(struct world *w, struct w_client *c);
const struct m_program *esk_handler(const struct w_client *c,
	    const struct evtype *type);
void	esk_fail(struct world *w, struct esk_msg *m, int allow);
void	esk_early_start(struct world *w);
void	esk_early_release(struct world *w, int by_timeout);
void	esk_ref_msg(const struct esk_msg *m, struct probe_ref *r);

/* es-mute.c */
void	esk_mute_init(struct world *w, struct w_client *c);
int	esk_muted(const struct w_client *c, const struct esk_event *ev);

/* es-cache.c */
void	esk_cache_init(struct world *w);
void	esk_cache_release(struct esk_cache *c);
void	esk_cache_clear(struct esk_cache *c);
/* 1 hit (*allow set), 0 miss. */
int	esk_cache_lookup(struct world *w, const struct esk_event *ev,
	    int *allow);
void	esk_cache_store(struct world *w, const struct esk_event *ev,
	    int allow, uint32_t flags);
void	esk_cache_invalidate(struct world *w, const struct esk_event *ev);

/* es-client.c */
void	client_start(struct w_client *c);
void	client_subscribe(struct w_client *c);
void	client_kill(struct w_client *c, int reason);
void	client_died(struct w_client *c);
void	client_miss(struct world *w, struct esk_msg *m);
/* Whether c's delivery queue holds limits.max_delivery_queue messages. */
int	client_queue_full(const struct w_client *c);
/* ev is not delivered to c (its queue is full): see es-client.c. */
void	client_drop(struct w_client *c, struct esk_event *ev, int auth);

/* daemon.c */
void	daemon_start(struct w_daemon *d);
void	daemon_call(struct world *w, struct w_thread *t,
	    const struct m_daemon *md, const struct m_service *ms,
	    struct esk_msg *ctx, int wait);
void	daemon_reply(struct world *w, struct w_request *r);
void	daemon_next(struct w_thread *t);
void	daemon_request_done(struct world *w, struct w_request *r);
void	daemon_died(struct w_daemon *d);

/* workload.c */
void	workload_start(struct world *w);
void	workload_source_step(struct w_thread *t);
/* Resolve a path spec; buf (ESK_PATHBUF) holds generated paths. */
void	workload_path(const struct m_pathspec *ps, struct rng *r,
	    const struct esk_msg *ctx, struct w_path *out, char *buf,
	    size_t bufsize);

#endif /* ESSIM_ES_WINT_H */
