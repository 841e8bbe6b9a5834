/*
 * loop.h - the discrete-event loop every simulated entity runs on.
 *
 * A loop owns a virtual clock (int64 nanoseconds), an event calendar
 * (core/cal.h) and a pool of events (core/pool.h).  An event is a callback
 * with an object and a 64-bit argument, due at a time:
 *
 *	loop_after(l, 2 * NS_PER_MS, thread_wake, th, 0);
 *
 * loop_run() runs due events in (time, scheduling order) order; a callback
 * may schedule and cancel events freely, including events due at the
 * current time, which then run in this same pass.  Nothing blocks and
 * nothing depends on the wall clock: the same calls give the same order on
 * every machine.
 *
 * Costs: scheduling and cancelling are O(1) (a pool get or put and a
 * radix-heap insert or unlink); running an event is amortised O(log D),
 * D the spread of pending times, and in practice a few tens of
 * nanoseconds (bench/README.md).  An event takes 48 bytes, plus 16 in
 * the calendar.
 *
 * A loop is single-threaded and has no global state of its own: a
 * process may run many loops, one after the other or side by side.  It
 * reads one process-wide flag, the interrupt of core/intr.h, which is
 * only ever set while a command has its SIGINT/SIGTERM handlers
 * installed: loop_run() then stops as it would on loop_stop().
 */
#ifndef ESSIM_CORE_LOOP_H
#define ESSIM_CORE_LOOP_H

#include <stddef.h>
#include <stdint.h>

#include "core/cal.h"
#include "core/pool.h"

#define NS_PER_US	INT64_C(1000)
#define NS_PER_MS	INT64_C(1000000)
#define NS_PER_S	INT64_C(1000000000)

/*
 * loop_run() looks at the interrupt flag (core/intr.h) every LOOP_POLL
 * events (a power of two): at a few microseconds per event at worst, a
 * signal stops a run within milliseconds.
 */
#define LOOP_POLL	1024

/* loop_run() until every event has run, however late. */
#define LOOP_FOREVER	INT64_MAX

struct loop;
struct loop_ev;

/*
 * An event callback.  obj and arg are what was given when scheduling.  The
 * event itself is already gone when fn is called (its memory may be the
 * very event fn schedules next), so a holder of its pointer must forget
 * it first thing.
 */
typedef void loop_fn(struct loop *l, void *obj, uint64_t arg);

/*
 * Open for loop_now() and embedding; every field is private.  About 64 KiB
 * (the calendar's buckets): embed it in the simulation's state rather than
 * on a small stack.
 */
struct loop {
	struct cal	 cal;
	struct pool	 events;
	int64_t		 now;
	uint64_t	 events_run;
	int		 running;
	int		 stopped;
};

/*
 * Initialise a loop at time 0 with no event.  max_events caps the events
 * pending at once (0: no cap); past it, scheduling dies with "event pool
 * exhausted (N); raise --max-events".  An initialised loop must not be
 * copied (the copy would share the calendar's arrays).
 */
void	loop_init(struct loop *l, size_t max_events);
/* Same, over a calendar of the given kind (benchmarks, tests). */
void	loop_init_kind(struct loop *l, size_t max_events,
	    enum cal_kind kind);

/*
 * Free the loop's memory.  Pending events are dropped without being run;
 * every loop_ev pointer into the loop becomes invalid.  O(chunks).
 */
void	loop_release(struct loop *l);

/* The virtual clock, in ns. */
static inline int64_t
loop_now(const struct loop *l)
{
	return l->now;
}

/*
 * Schedule fn(l, obj, arg) at time t (>= loop_now(l): scheduling in the
 * past is a BUG()) or dt ns from now (dt >= 0; an overflowing time is a
 * BUG()).  Events at the same time run in the order they were scheduled.
 * Returns the event, for loop_cancel(); the pointer is valid until the
 * event runs or is cancelled, and must not be used after either.
 */
struct loop_ev *loop_at(struct loop *l, int64_t t, loop_fn *fn, void *obj,
	    uint64_t arg);
struct loop_ev *loop_after(struct loop *l, int64_t dt, loop_fn *fn,
	    void *obj, uint64_t arg);

/*
 * Cancel a pending event: it will not run, and it goes back to the pool,
 * so ev is invalid on return (the caller must clear its copy).  Cancelling
 * an event that has already run or been cancelled is a BUG() when
 * detected; it cannot always be, as the memory may already carry a new
 * event (under ASan it always is).
 */
void	loop_cancel(struct loop *l, struct loop_ev *ev);

/* When a pending event is due. */
int64_t	loop_ev_time(const struct loop_ev *ev);

/*
 * Run every event due at or before until, in order, including those that
 * callbacks schedule at or before until.  The clock follows the events;
 * when none is left at or before until, it is set to until (unless until
 * is LOOP_FOREVER: it then stays at the last event's time) and loop_run()
 * returns 0.  It returns 1 when a callback called loop_stop(), or when
 * intr_pending() (core/intr.h) - checked on entry, where nothing is run,
 * and then every LOOP_POLL events: the clock is then the last event's
 * time and the remaining events stay pending, to be run by the next
 * loop_run().  until earlier than the clock is a BUG(), and so is calling
 * loop_run() from a callback.
 */
int	loop_run(struct loop *l, int64_t until);

/* From a callback: make loop_run() return once this callback is done. */
void	loop_stop(struct loop *l);

/* Events run so far by this loop. */
static inline uint64_t
loop_events_run(const struct loop *l)
{
	return l->events_run;
}

/* Events pending. */
static inline size_t
loop_pending(const struct loop *l)
{
	return cal_size(&l->cal);
}

#endif /* ESSIM_CORE_LOOP_H */
