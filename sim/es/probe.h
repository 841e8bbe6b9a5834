/*
 * probe.h - the probe bus: every step of the simulated world, as typed
 * events, to whoever listens.
 *
 * The world (sim/es, sim/gcd) emits one struct probe_ev for each thing
 * that happens: a thread starts or stops waiting and for what, a message
 * is queued, handled, answered, a verdict falls, a deadline is missed, a
 * client is killed or restarted, a workqueue thread is created, parked or
 * reaped, a dispatch queue gets or gives an item, a daemon is called or
 * replies, a lock or a flag changes.  Analyses (the run counters, the
 * wait-for graph, the lockdep-style cycle finder, pool monitors, timeline
 * export) are listeners: the world does not know them.
 *
 * Cost: a listener says which kinds it wants (a 64-bit mask); the bus
 * keeps the union of the masks, and every emission site is guarded by
 * probe_on(), one load, shift and test.  With nobody listening a probe
 * costs that branch and nothing else: the event is not even built.  The
 * bus keeps one list of callbacks per kind, so an event reaches exactly
 * its listeners without testing the others' masks, and a listener may
 * give a different callback for each kind (probe_listen_kind()), so that
 * it need not switch on the kind again.
 *
 * Identity: every object an event names is a struct probe_ref, a kind and
 * a stable id (threads, messages, events and requests are numbered from 1
 * in creation order and never reused; processes, clients, daemons and
 * flags use their model id; queues are numbered per world).  The ref also
 * carries a pointer to the live object, valid only during the callback,
 * which probe_name() turns into a human name such as "acme delivery
 * queue", "syspolicyd worker 2" or "AUTH_OPEN /private/var/db/SystemPolicy
 * (acme)".  A listener that needs a name later copies it when it sees the
 * object first.
 *
 * State the world already keeps is asked of it rather than followed
 * through probes: probe_held() lists the serial queues whose drain locks
 * a thread holds, probe_handling() names the ES message whose handler it
 * runs.  Listeners that only need to know those when a thread waits or
 * calls then need not follow QUEUE_ACQUIRE, QUEUE_RELEASE and
 * MSG_HANDLER_END, among the most frequent probes of a run (two per item
 * a serial queue runs, one per message).
 *
 * Listeners run synchronously, in registration order, inside the world's
 * step: they must not call back into the world to change it.
 */
#ifndef ESSIM_ES_PROBE_H
#define ESSIM_ES_PROBE_H

#include <stddef.h>
#include <stdint.h>

struct evtype;
struct m_service;

enum probe_kind {
	/* Threads. */
	PROBE_THREAD_SPAWN,	/* thread created; value = enum probe_role */
	PROBE_THREAD_EXIT,	/* thread gone; value 0 finished, 1 killed,
				   2 reaped (idle workqueue thread) */
	PROBE_THREAD_PARK,	/* workqueue thread returned idle to the pool */
	PROBE_THREAD_BIND,	/* workqueue thread took a request of root obj */
	PROBE_WAIT,		/* thread starts waiting: wait, obj, owner */
	PROBE_WAKE,		/* the wait of thread ends (same wait, obj) */
	/* Dispatch (GCD). */
	PROBE_QUEUE_PUSH,	/* an item enters queue obj; value = depth */
	PROBE_QUEUE_POP,	/* thread takes an item of queue obj */
	PROBE_QUEUE_ACQUIRE,	/* thread takes the drain lock of serial obj */
	PROBE_QUEUE_RELEASE,	/* thread gives it back (or hands it off) */
	PROBE_POOL_REQUEST,	/* root queue obj asks the pool for a thread */
	PROBE_POOL_REFUSE,	/* request of root obj refused; value = enum
				   probe_refusal */
	PROBE_POOL_TIMER,	/* back-off timer armed; value = interval ns */
	PROBE_SYNC_CRASH,	/* dispatch_sync onto queue obj, already owned
				   by thread: the process crashes */
	/* Endpoint Security. */
	PROBE_SYSCALL,		/* thread raises event (evtype, path) */
	PROBE_SYSCALL_DONE,	/* its operation completes; value = latency,
				   verdict */
	PROBE_CACHE_HIT,	/* the AUTH result cache answered event */
	PROBE_EARLY_BOOT_HOLD,	/* event held until early-boot clients
				   subscribe */
	PROBE_EARLY_BOOT_RELEASE, /* value 1 when released by the timeout */
	PROBE_MSG_ENQUEUE,	/* msg for client queued on its delivery queue;
				   value = its deadline (0 for NOTIFY) */
	PROBE_MSG_HANDLER_START, /* thread starts the client's handler of msg;
				   value = time since it was queued */
	PROBE_MSG_HANDLER_END,
	PROBE_MSG_RETAIN,	/* value = time since msg was queued */
	PROBE_MSG_RESPOND,	/* client answers msg: verdict, flags;
				   value = response time since enqueue */
	PROBE_MSG_DROP,		/* msg stops counting (its client died) */
	PROBE_VERDICT,		/* event's combined verdict */
	PROBE_DEADLINE_MISS,	/* client missed the deadline of msg; value =
				   enum m_miss_mode */
	PROBE_CLIENT_KILL,	/* value = enum probe_kill_reason */
	PROBE_CLIENT_START,	/* client (re)started: es_new_client */
	PROBE_CLIENT_SUBSCRIBE,	/* client subscribed (its init is over) */
	PROBE_PROCESS_EXIT,	/* process died; value = enum probe_kill_reason */
	/* XPC. */
	PROBE_CALL,		/* thread calls daemon service: obj = request */
	PROBE_SEND,		/* the same, one-way */
	PROBE_REQUEST_START,	/* daemon worker thread starts request obj */
	PROBE_REPLY,		/* request obj answered; value = time since
				   the call */
	/* Program state. */
	PROBE_LOCK,		/* thread acquires lock obj */
	PROBE_UNLOCK,
	PROBE_FLAG_SET,		/* value 1 the first time the flag is set */
	PROBE_SPIN,		/* thread ran too many actions without time
				   passing: stopped (a model bug) */
	PROBE_QUEUE_FULL,	/* client obj's delivery queue was full
				   (limits.max_delivery_queue): event
				   dropped; value 1 for AUTH */
	PROBE_RUN_END,		/* the run is over (once, at the end time) */
	PROBE__COUNT
};

/* What a PROBE_WAIT / PROBE_WAKE is about. */
enum probe_wait {
	PROBE_WAIT_NONE,
	PROBE_WAIT_SLEEP,	/* a sleep action; obj none */
	PROBE_WAIT_CPU,		/* runnable, waiting for a core (contention) */
	PROBE_WAIT_VERDICT,	/* ES verdict of event obj */
	PROBE_WAIT_EARLY_BOOT,	/* held at boot: event obj */
	PROBE_WAIT_CALL,	/* daemon reply: obj = request */
	PROBE_WAIT_LOCK,	/* lock obj, owner = holder */
	PROBE_WAIT_SYNC,	/* dispatch_sync: queue obj, owner = drainer */
	PROBE_WAIT_FLAG,	/* flag obj */
	PROBE_WAIT_REQUEST	/* idle daemon worker: its daemon obj */
};

enum probe_obj {
	PROBE_OBJ_NONE,
	PROBE_OBJ_THREAD,
	PROBE_OBJ_PROCESS,
	PROBE_OBJ_QUEUE,	/* a dispatch queue or a root queue */
	PROBE_OBJ_CLIENT,
	PROBE_OBJ_DAEMON,
	PROBE_OBJ_MSG,		/* one client's copy of an ES event */
	PROBE_OBJ_EVENT,	/* an ES event (one syscall) */
	PROBE_OBJ_REQUEST,	/* an XPC request */
	PROBE_OBJ_LOCK,		/* id = process id << 16 | lock index */
	PROBE_OBJ_FLAG
};

/* Roles of threads (PROBE_THREAD_SPAWN value). */
enum probe_role {
	PROBE_ROLE_MAIN,	/* runs a process program or a client's init */
	PROBE_ROLE_POOL,	/* a workqueue (GCD) thread */
	PROBE_ROLE_WORKER,	/* a daemon's XPC worker */
	PROBE_ROLE_WORKLOAD	/* issues a source's syscalls */
};

enum probe_refusal {
	PROBE_REFUSE_CONSTRAINED = 1,	/* constrained cap reached */
	PROBE_REFUSE_TOTAL,		/* wq_max_threads reached */
	PROBE_REFUSE_CONCURRENCY	/* NCPU - active - busy <= 0 */
};

enum probe_kill_reason {
	PROBE_KILL_DEADLINE = 1,	/* ES killed the client */
	PROBE_KILL_SYNC_CRASH		/* dispatch_sync onto an owned queue */
};

struct probe_ref {
	enum probe_obj	 kind;
	uint64_t	 id;
	const void	*p;		/* live object, during the callback only */
};

struct probe_ev {
	enum probe_kind		 kind;
	int64_t			 t;		/* virtual ns */
	struct probe_ref	 thread;	/* the acting thread, if any */
	struct probe_ref	 obj;		/* what the event is about */
	struct probe_ref	 owner;		/* thread holding obj, if known */
	enum probe_wait		 wait;
	int			 process;	/* acting process id, -1 none */
	int			 client;	/* client id, -1 none */
	const struct evtype	*evtype;	/* ES event type, NULL none */
	uint64_t		 event;		/* ES event id, 0 none */
	uint64_t		 msg;		/* ES message id, 0 none */
	const char		*path;		/* event path, NULL none */
	const struct m_service	*service;	/* CALL, SEND, REQUEST_START, REPLY:
					   the request's service */
	int			 verdict;	/* 1 allow, 0 deny, -1 n/a */
	uint32_t		 flags;		/* AUTH_OPEN flags */
	int			 role;		/* THREAD_*: enum probe_role */
	int64_t			 value;		/* kind-specific, see above */
};

typedef void probe_fn(void *arg, const struct probe_ev *ev);

/*
 * Turns a ref into a name; installed by the world.  Writes into buf (n
 * bytes, NUL-terminated) and returns buf.
 */
typedef const char *probe_namer_fn(void *arg, const struct probe_ref *r,
    char *buf, size_t n);

/*
 * Lists the serial queues whose drain locks the thread of ref r holds,
 * outermost first: up to n refs into out; returns how many it holds
 * (which may be more than n).  Installed by the world.
 */
typedef size_t probe_held_fn(void *arg, const struct probe_ref *r,
    struct probe_ref *out, size_t n);

/*
 * The id of the ES message whose handler the thread of ref r runs (its
 * MSG_HANDLER_START came, its MSG_HANDLER_END not yet), 0 for none; its
 * ref into *msg when msg is not NULL.  Installed by the world.
 */
typedef uint64_t probe_handling_fn(void *arg, const struct probe_ref *r,
    struct probe_ref *msg);

#define PROBE_MAX_LISTENERS	16
#define PROBE_BIT(k)		(UINT64_C(1) << (k))
#define PROBE_ALL		(PROBE_BIT(PROBE__COUNT) - 1)

struct probe_hook {
	probe_fn	*fn;
	void		*arg;
};

/* Open so that probe_on() is inline; fields are private. */
struct probe_bus {
	uint64_t		 mask;		/* union of listener masks */
	uint8_t			 n[PROBE__COUNT];
	struct probe_hook	 h[PROBE__COUNT][PROBE_MAX_LISTENERS];
	probe_namer_fn		*namer;
	void			*namer_arg;
	probe_held_fn		*held;
	void			*held_arg;
	probe_handling_fn	*handling;
	void			*handling_arg;
};

void	probe_init(struct probe_bus *b);

/*
 * Add a listener for the kinds in mask (PROBE_BIT(k) | ..., or PROBE_ALL).
 * At most PROBE_MAX_LISTENERS per kind; more is a BUG().  Listeners of a
 * kind are called in the order they were added.
 */
void	probe_listen(struct probe_bus *b, uint64_t mask, probe_fn *fn,
	    void *arg);
/* The same for one kind. */
void	probe_listen_kind(struct probe_bus *b, enum probe_kind k, probe_fn *fn,
	    void *arg);

/* Whether anybody listens to kind k: guard every emission with it. */
static inline int
probe_on(const struct probe_bus *b, enum probe_kind k)
{
	return (int)((b->mask >> k) & 1);
}

/*
 * Deliver ev to every listener of its kind.  Call under probe_on().
 * Inline: it runs once per probe, and most probes reach one or two
 * listeners.
 */
static inline void
probe_emit(const struct probe_bus *b, const struct probe_ev *ev)
{
	const struct probe_hook *h = b->h[ev->kind];

	for (int i = 0, n = b->n[ev->kind]; i < n; i++)
		h[i].fn(h[i].arg, ev);
}

/*
 * An event of kind k at time t with every field "none": refs of kind
 * none, process and client -1, verdict -1, the rest 0 or NULL.  Inline,
 * one store per field, so that the compiler drops the stores the emission
 * site overwrites.  Neither a call that zeroed the struct nor a compound
 * literal: both clear all of its 160 bytes with a "rep stos", which on
 * the 1M-event benchmark was half the time of building a probe.  The
 * padding is left as it is: nobody reads it.
 */
static inline void
probe_ev_init(struct probe_ev *ev, enum probe_kind k, int64_t t)
{
	ev->kind = k;
	ev->t = t;
	ev->thread.kind = ev->obj.kind = ev->owner.kind = PROBE_OBJ_NONE;
	ev->thread.id = ev->obj.id = ev->owner.id = 0;
	ev->thread.p = ev->obj.p = ev->owner.p = NULL;
	ev->wait = PROBE_WAIT_NONE;
	ev->process = -1;
	ev->client = -1;
	ev->evtype = NULL;
	ev->event = 0;
	ev->msg = 0;
	ev->path = NULL;
	ev->service = NULL;
	ev->verdict = -1;
	ev->flags = 0;
	ev->role = 0;
	ev->value = 0;
}

void	probe_set_namer(struct probe_bus *b, probe_namer_fn *fn, void *arg);

/* Name of r (during a callback); "?" when no namer is installed. */
const char *probe_name(const struct probe_bus *b, const struct probe_ref *r,
	    char *buf, size_t n);

void	probe_set_held(struct probe_bus *b, probe_held_fn *fn, void *arg);

/*
 * The queues thread r (a live thread: during a callback, or one whose
 * THREAD_EXIT has not come) holds, outermost first; see probe_held_fn.
 * 0 when no world answers.
 */
size_t	probe_held(const struct probe_bus *b, const struct probe_ref *r,
	    struct probe_ref *out, size_t n);

void	probe_set_handling(struct probe_bus *b, probe_handling_fn *fn,
	    void *arg);

/*
 * The message whose handler thread r (alive, as for probe_held()) runs;
 * see probe_handling_fn.  0 when no world answers.
 */
uint64_t probe_handling(const struct probe_bus *b, const struct probe_ref *r,
	    struct probe_ref *msg);

/* "THREAD_SPAWN", "WAIT", ...: for logs and tests. */
const char *probe_kind_name(enum probe_kind k);
const char *probe_wait_name(enum probe_wait w);

#endif /* ESSIM_ES_PROBE_H */
