/*
 * cal.h - the event calendar: a priority queue of intrusive nodes ordered
 * by (time, insertion sequence).
 *
 * Times are int64 virtual nanoseconds.  Two nodes at the same time come out
 * in the order they were pushed: every push takes the next value of a
 * counter kept per calendar (DESIGN §7, libuv's timer start_id).  The order
 * is therefore total and the same on every machine.
 *
 * Times must be monotone: a push is never earlier than the time of the last
 * node popped (pushing "in the past" is a BUG()).  Before the first pop any
 * time is allowed, INT64_MIN to INT64_MAX.  That is what a discrete-event
 * loop does anyway, and it lets the default implementation be a radix heap.
 *
 * Nodes live inside the caller's objects (libuv style): embed a struct
 * cal_node, push it, and get back to the object with container_of on pop.
 * The calendar never allocates per node.  A node is in at most one calendar
 * at a time; while it is pending the caller must not move or free it.
 *
 * Two implementations sit behind the same functions, chosen at init:
 *   CAL_RADIX   (default) a radix heap on the time key with 256-way
 *               digits: 2049 buckets of ordered arrays.  Push, cancel
 *               amortised O(1); pop amortised O(log D / 8), D the spread
 *               of pending times.  About 1.4x to 2x faster than the
 *               binary heap on PHOLD (bench/README.md).  The struct
 *               itself takes about 64 KiB.
 *   CAL_BINARY  a binary min-heap of node pointers, the reference for the
 *               tests and the benchmark comparison.  Push, pop, cancel
 *               O(log n).
 */
#ifndef ESSIM_CORE_CAL_H
#define ESSIM_CORE_CAL_H

#include <stddef.h>
#include <stdint.h>

/* Recover the enclosing object from a pointer to one of its members. */
#ifndef container_of
#define container_of(ptr, type, member)					\
	((type *)(void *)((char *)(ptr) - offsetof(type, member)))
#endif

/*
 * A calendar entry.  time and seq are set by cal_push() and may be read by
 * the owner; pos is private.  A node that has never been pushed must be
 * zeroed (or passed to cal_node_init()) for cal_is_pending() to answer.
 */
struct cal_node {
	int64_t		 time;
	uint64_t	 seq;
	size_t		 pos;		/* private; 0: not pending */
};

/* Private: one slot of a radix bucket; node NULL marks a cancelled one. */
struct cal_ent {
	uint64_t	 key;
	struct cal_node	*node;
};

/* Private: a radix bucket, slots [0 or head0, len) in seq order. */
struct cal_bucket {
	struct cal_ent	*ent;
	uint32_t	 len;
	uint32_t	 cap;
	uint64_t	 min;		/* least live key, unless stale */
	uint32_t	 dead;		/* cancelled slots still held */
	uint32_t	 stale;
};

enum cal_kind {
	CAL_RADIX = 0,		/* the default: fastest measured */
	CAL_BINARY
};

/* Private: radix buckets, 2^CAL_DIGIT_BITS per level (see cal.c). */
#define CAL_DIGIT_BITS	8
#define CAL_LEVELS	((64 + CAL_DIGIT_BITS - 1) / CAL_DIGIT_BITS)
#define CAL_NBUCKETS	(1 + CAL_LEVELS * (1 << CAL_DIGIT_BITS))
#define CAL_MASK_WORDS	((CAL_NBUCKETS - 1 + 63) / 64)

/*
 * The calendar.  Open so that it can be embedded (struct loop does), but
 * every field is private.
 */
struct cal {
	enum cal_kind	   kind;
	size_t		   size;
	uint64_t	   seq;		/* next insertion sequence */
	uint64_t	   last;	/* key of the last node popped */
	/* CAL_RADIX */
	uint64_t	   mask[CAL_MASK_WORDS]; /* bit b-1: bucket b used */
	uint32_t	   head0;	/* first slot of bucket 0 not popped */
	struct cal_bucket  bucket[CAL_NBUCKETS];
	/* CAL_BINARY */
	struct cal_node	 **heap;
	size_t		   alloc;
};

/* Initialise an empty calendar of the default (fastest) kind. */
void	cal_init(struct cal *c);
/* Same, of the given kind (benchmarks and tests compare them). */
void	cal_init_kind(struct cal *c, enum cal_kind kind);
/*
 * Free what the calendar allocated and leave it empty, of the same kind,
 * ready for use.  Pending nodes belong to the caller: they are simply
 * forgotten (their pos is not reset).
 */
void	cal_release(struct cal *c);

/* Mark a node as not pending (same as zeroing it). */
void	cal_node_init(struct cal_node *n);

/*
 * Add n at time t; n must not be pending.  Sets n->time and n->seq.
 * t earlier than the last popped time is a BUG().  Radix amortised O(1),
 * binary O(log n).
 */
void	cal_push(struct cal *c, struct cal_node *n, int64_t t);

/*
 * Remove and return the first node (smallest time, then smallest seq), or
 * NULL when empty.  cal_pop_until() returns NULL also when the first node
 * is later than until, and then changes nothing.  Radix amortised
 * O(log D) (D: spread of pending times), binary O(log n).
 */
struct cal_node *cal_pop(struct cal *c);
struct cal_node *cal_pop_until(struct cal *c, int64_t until);

/*
 * The first node without removing it, or NULL when empty.  Radix: O(1)
 * when the first time equals the last popped time, else O(k) for the k
 * nodes sharing its bucket (the loop uses cal_pop_until() instead).
 */
struct cal_node *cal_peek(struct cal *c);
/* Time of the first node, or INT64_MAX when empty (cal_size() tells). */
int64_t	cal_peek_time(struct cal *c);

/*
 * Remove a pending node (BUG() if it is not pending).  Radix amortised
 * O(1), binary O(log n).  Cancelling never changes the order of the other
 * nodes.
 */
void	cal_cancel(struct cal *c, struct cal_node *n);

/* Whether n is in a calendar, waiting to be popped. */
static inline int
cal_is_pending(const struct cal_node *n)
{
	return n->pos != 0;
}

/* Number of pending nodes. */
static inline size_t
cal_size(const struct cal *c)
{
	return c->size;
}

#endif /* ESSIM_CORE_CAL_H */
