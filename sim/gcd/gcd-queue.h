/*
 * gcd-queue.h - dispatch queues: serial, concurrent and root queues, the
 * items they hold, dispatch_async, dispatch_sync and the drain loop a
 * thread runs.
 *
 * The model follows reference/gcd.md §2 and §4 (rules 1, 4, 7, 8):
 *   - a serial queue runs one item at a time.  When it gets work while
 *     nobody drains it, its "wakeup" item is pushed onto its target (by
 *     default the overcommit root queue of its QoS); the thread that pops
 *     that wakeup takes the queue's drain lock and drains it to empty;
 *   - a concurrent queue redirects each item to its target (by default the
 *     constrained root queue of its QoS) while fewer than `width` of its
 *     items are in flight, and holds the rest;
 *   - a root queue is a FIFO that asks its pool for a thread when it goes
 *     from empty to non-empty, with at most one request outstanding; a
 *     thread that pops an item and sees more asks for the next one (the
 *     ramp-up chain of gcd.md §2.2);
 *   - dispatch_sync runs the block on the calling thread.  Onto a queue
 *     whose drain lock the thread already holds (directly, or through the
 *     target hierarchy of a queue it holds) it is the crash of gcd.md
 *     §2.4; onto a busy serial queue the caller waits in FIFO order with
 *     the queue's async items and gets the drain lock handed over when its
 *     turn comes.
 *
 * Simplifications (docs/simulation.md): a sync onto a serial queue takes
 * that queue's own lock only, not its whole target hierarchy; barriers,
 * suspension, the main queue's thread binding and dispatch_apply are not
 * modelled.
 *
 * Items are intrusive (struct gcd_item embedded in the owner's object):
 * queues never allocate.  All operations are O(1) except the crash check,
 * O(held × hierarchy depth).
 */
#ifndef ESSIM_GCD_GCD_QUEUE_H
#define ESSIM_GCD_GCD_QUEUE_H

#include <stddef.h>
#include <stdint.h>

/* QoS buckets, low to high (gcd.md §1.1; MT and BG share one). */
#define GCD_NQOS	5

struct gcd_pool;
struct gcd_thread;
struct probe_bus;

enum gcd_item_kind {
	GCD_ITEM_WORK,		/* a block: the owner runs it */
	GCD_ITEM_QUEUE,		/* a serial queue's wakeup: drain that queue */
	GCD_ITEM_SYNC		/* a thread waiting in dispatch_sync */
};

struct gcd_item {
	struct gcd_item		*next;
	struct gcd_queue	*from;		/* WORK: queue it was submitted to */
	uint8_t			 kind;		/* enum gcd_item_kind */
	uint8_t			 tag;		/* free for the owner */
};

enum gcd_queue_kind { GCD_SERIAL, GCD_CONCURRENT, GCD_ROOT };

/* Open for embedding and for the pool; fields are private to sim/gcd. */
struct gcd_queue {
	enum gcd_queue_kind	 kind;
	int			 qos;		/* 0 .. GCD_NQOS-1 */
	int			 overcommit;	/* ROOT */
	int			 width;		/* CONCURRENT */
	int			 inflight;	/* CONCURRENT: items redirected */
	int			 req;		/* ROOT: a thread request pending */
	int			 enqueued;	/* SERIAL: wakeup sits in target */
	struct gcd_queue	*target;	/* never NULL but for roots */
	struct gcd_pool		*pool;
	struct probe_bus	*bus;		/* the pool's, or NULL */
	struct gcd_item		*head, *tail;
	size_t			 depth;
	struct gcd_thread	*owner;		/* SERIAL: drain lock holder */
	struct gcd_item		 wakeup;	/* SERIAL */
	uint64_t		 id;		/* probe id, unique in the world */
	const char		*name;		/* "delivery"; roots: their label */
};

enum gcd_sync_result {
	GCD_SYNC_RUN,		/* run the body now, on the calling thread */
	GCD_SYNC_WAIT,		/* wait: the pool's wake op says when */
	GCD_SYNC_CRASH		/* the queue is already owned by the caller */
};

enum gcd_next_result {
	GCD_NEXT_WORK,		/* *item is a block to run */
	GCD_NEXT_PARKED		/* no work: the thread is idle in its pool */
};

/*
 * dispatch_async: submit it (kind set here to WORK) to q, a serial or
 * concurrent queue.  May ask the pool for a thread, which may make other
 * threads runnable through the pool's start op.
 */
void	gcd_async(struct gcd_queue *q, struct gcd_item *it);

/*
 * dispatch_sync of thread t onto q.  GCD_SYNC_RUN: t now holds the lock
 * that q needs (if any) and runs the body; it must call gcd_sync_end()
 * after.  GCD_SYNC_WAIT: t is queued on q; the pool's wake op runs when t
 * holds the lock, and then the body runs and gcd_sync_end() follows.
 * GCD_SYNC_CRASH: nothing changed.
 */
enum gcd_sync_result gcd_sync_begin(struct gcd_thread *t,
	    struct gcd_queue *q);
void	gcd_sync_end(struct gcd_thread *t, struct gcd_queue *q);

/*
 * Whether dispatch_sync(q) from t would find q already owned by t: some
 * serial queue of q's target chain is in the chain of a queue t holds.
 */
int	gcd_sync_would_crash(const struct gcd_thread *t,
	    const struct gcd_queue *q);

/*
 * The drain loop of a bound workqueue thread: the next block for t to run,
 * taking and giving back serial drain locks and handing queues to sync
 * waiters on the way.  When t's root queue is empty, t goes back to its
 * pool, which binds it to another request or parks it.
 */
enum gcd_next_result gcd_next(struct gcd_thread *t, struct gcd_item **item);

/* The block it (from gcd_next) is done: concurrent width accounting. */
void	gcd_done(struct gcd_item *it);

/* The serial queue a thread drains or syncs on, innermost; NULL if none. */
struct gcd_queue *gcd_thread_queue(const struct gcd_thread *t);

/* Items queued on q (not counting items in flight). */
static inline size_t
gcd_queue_depth(const struct gcd_queue *q)
{
	return q->depth;
}

/* Internal to sim/gcd. */
void	gcd__push(struct gcd_queue *q, struct gcd_item *it);
struct gcd_item *gcd__pop(struct gcd_queue *q);

#endif /* ESSIM_GCD_GCD_QUEUE_H */
