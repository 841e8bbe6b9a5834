/*
 * gcd-pool.h - the per-process pthread workqueue: the threads that drain
 * root queues, and the kernel's rules for when a new one may start.
 *
 * This is the recommended minimal model of reference/gcd.md §4, with the
 * constants of §1.1 and §3 (all overridable by the model):
 *   - overcommit requests (serial queues) are always admissible, bounded
 *     only by max_threads (512) workqueue threads in all;
 *   - constrained requests (concurrent and global queues) need
 *     con_scheduled < constrained_max (max(64, 5 x cores)) and
 *     NCPU - active(>= qos) - busy(>= qos) > 0, where active counts bound
 *     threads that are not blocked and busy counts QoS buckets whose last
 *     blocker blocked less than 200 us ago;
 *   - a constrained request wins over an overcommit one only at a strictly
 *     higher QoS;
 *   - threads are created one at a time by the creator, each taking
 *     create_latency; an idle thread is woken instead when one exists
 *     (most recently parked first);
 *   - a worker that blocks while a constrained request waits arms the
 *     delayed-creation timer: 200 us, doubling up to 50 ms while it fires
 *     back to back, halving when quiet; when it fires the creator runs
 *     again;
 *   - a thread whose root queue is empty goes back to the pool: it binds
 *     the best admissible request or parks; a parked thread is reaped
 *     after idle_timeout (linearly less beyond fls(NCPU)+1 idle threads,
 *     at once beyond constrained_max idle threads; gcd.md §1.6).
 * Past a cap, requests simply wait: nothing fails (gcd.md §1.7).  Nor
 * does dispatch_async, however many blocks wait: the pool counts them
 * and tells its owner when they pass max_queued (the owner's memory
 * guard; the real process would grow until the system kills it).
 *
 * The pool calls back into its owner (the simulated process) through
 * struct gcd_ops to create, start, wake and destroy threads; it never
 * runs a thread's work itself.
 */
#ifndef ESSIM_GCD_GCD_POOL_H
#define ESSIM_GCD_GCD_POOL_H

#include <stddef.h>
#include <stdint.h>

#include "core/loop.h"
#include "es/probe.h"
#include "gcd/gcd-queue.h"

#define GCD_BUSY_WINDOW		(200 * NS_PER_US)	/* wq_stalled_window */
#define GCD_TIMER_MIN		(200 * NS_PER_US)
#define GCD_TIMER_MAX		(50 * NS_PER_MS)	/* wq_max_timer_interval */

/*
 * The gcd view of a simulated thread, embedded in it.  Every thread has
 * one (any thread can dispatch_sync); pool is set only for workqueue
 * threads.  Fields are private to sim/gcd but for id and obj, which the
 * owner sets for probes (obj is the owner's thread object).
 */
struct gcd_thread {
	uint64_t		 id;
	const void		*obj;
	struct gcd_pool		*pool;		/* workqueue thread: its pool */
	struct gcd_queue	*root;		/* bound root queue, or NULL */
	int			 blocked;
	int			 idle;
	struct gcd_thread	*idle_prev, *idle_next;
	struct loop_ev		*reap_ev;
	/* Serial queues whose drain lock t holds, innermost last. */
	struct gcd_queue	**held;
	uint32_t		 nheld, aheld;
	struct gcd_item		 sync_item;	/* queued while in dispatch_sync */
	struct gcd_queue	*sync_q;	/* the queue it waits for */
};

struct gcd_ops {
	/* A new workqueue thread of pool p (the creator is done). */
	struct gcd_thread *(*spawn)(void *arg, struct gcd_pool *p);
	/* t (new or unparked) is bound: make it run gcd_next(). */
	void	(*start)(void *arg, struct gcd_thread *t);
	/* Idle t reached its reap time: destroy it (pool already forgot it). */
	void	(*reap)(void *arg, struct gcd_thread *t);
	/* t, waiting in dispatch_sync, now holds the queue: resume it. */
	void	(*wake)(void *arg, struct gcd_thread *t);
	/* End of a pool timer callback: let the owner run what became ready. */
	void	(*flush)(void *arg);
	/*
	 * May be NULL.  The blocks queued in pool p (submitted with
	 * gcd_async and not yet started) just went past params.max_queued,
	 * the last one onto q: called once per pool, at the crossing (the
	 * block is queued all the same: dispatch_async never fails).
	 */
	void	(*overflow)(void *arg, struct gcd_pool *p,
		    const struct gcd_queue *q, int queued);
};

struct gcd_params {
	int	 ncpu;
	int	 constrained_max;
	int	 max_threads;
	int64_t	 create_latency;
	int64_t	 idle_timeout;
	int	 max_queued;	/* overflow op past this many; 0: never */
};

/*
 * A pool for process proc_id (for probes), on loop l, calling back its
 * owner through ops with arg.  bus may be NULL (no probes).  *queue_ids is
 * the counter, shared by all the pools of a world, from which every queue
 * gets its probe id; it must outlive the pool.  The pool owns its root
 * queues and the queues made by gcd_pool_queue().  Never fails (xmalloc).
 */
struct gcd_pool	*gcd_pool_new(struct loop *l, const struct gcd_params *pp,
	    const struct gcd_ops *ops, void *arg, struct probe_bus *bus,
	    int proc_id, uint64_t *queue_ids);
void	gcd_pool_free(struct gcd_pool *p);

/*
 * A dispatch queue of this pool.  kind SERIAL or CONCURRENT, qos in
 * [0, GCD_NQOS), width for concurrent queues (>= 1).  The target is the
 * default root until gcd_queue_set_target().  name is borrowed.
 */
struct gcd_queue *gcd_pool_queue(struct gcd_pool *p, enum gcd_queue_kind kind,
	    int qos, int width, const char *name);
/* Retarget q onto t (a queue of the same pool; no cycles: caller checks). */
void	gcd_queue_set_target(struct gcd_queue *q, struct gcd_queue *t);

/* The root queue of a QoS and kind. */
struct gcd_queue *gcd_pool_root(struct gcd_pool *p, int qos, int overcommit);

/*
 * A workqueue thread blocks (any wait) or resumes: active counts.  No-ops
 * for threads that are not bound workqueue threads.
 */
void	gcd_block(struct gcd_thread *t);
void	gcd_unblock(struct gcd_thread *t);

/*
 * The owner's process died: forget every thread (the owner destroys them
 * itself), cancel timers, and hand every queued WORK item to dispose
 * (which must not touch the pool).  Counters go back to zero; the pool and
 * its queues are ready for a restart.
 */
void	gcd_pool_reset(struct gcd_pool *p,
	    void (*dispose)(void *arg, struct gcd_item *it), void *arg);

/* Release what a thread's gcd part owns (its held array). */
void	gcd_thread_release(struct gcd_thread *t);
/* The owner destroys a thread outside gcd_pool_reset: forget it. */
void	gcd_thread_forget(struct gcd_thread *t);

/* Counters, for tests and monitors. */
int	gcd_pool_nthreads(const struct gcd_pool *p);	/* incl. idle */
int	gcd_pool_peak(const struct gcd_pool *p);
int	gcd_pool_idle(const struct gcd_pool *p);
int	gcd_pool_constrained(const struct gcd_pool *p);	/* scheduled */
int	gcd_pool_active(const struct gcd_pool *p);
int64_t	gcd_pool_timer_interval(const struct gcd_pool *p);
/* Blocks queued now (gcd_async'd, not yet started), and their peak. */
int	gcd_pool_queued(const struct gcd_pool *p);
int	gcd_pool_queued_peak(const struct gcd_pool *p);

/* Internal to sim/gcd. */
void	gcd__request(struct gcd_pool *p, struct gcd_queue *root);
int	gcd__return(struct gcd_thread *t);
struct probe_bus *gcd__bus(const struct gcd_pool *p);
int	gcd__proc(const struct gcd_pool *p);
int64_t	gcd__now(const struct gcd_pool *p);
void	gcd__wake(struct gcd_pool *p, struct gcd_thread *t);
/* A block was submitted to q (+1) or handed to a thread (-1). */
void	gcd__queued(struct gcd_pool *p, const struct gcd_queue *q, int d);

#endif /* ESSIM_GCD_GCD_POOL_H */
