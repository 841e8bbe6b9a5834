/*
 * test-loop.c - the event loop: events run in (time, scheduling order),
 * callbacks may schedule and cancel freely (also events due at the same
 * time), loop_stop() and the until boundary behave as loop.h says, pending
 * events are freed at release, and misuse is a BUG().
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/loop.h"
#include "core/rng.h"

/* A record of what ran: (arg, time) pairs, and events to play with. */
struct log {
	uint64_t	 arg[256];
	int64_t		 at[256];
	int		 n;
	struct loop_ev	*ev[16];	/* events a callback may cancel */
	int		 stop_at;	/* arg that stops the loop, or -1 */
};

static void
record(struct loop *l, void *obj, uint64_t arg)
{
	struct log *g = obj;

	assert_true(g->n < 256);
	g->arg[g->n] = arg;
	g->at[g->n] = loop_now(l);
	g->n++;
	if ((int)arg == g->stop_at)
		loop_stop(l);
}

static void
log_init(struct log *g)
{
	memset(g, 0, sizeof(*g));
	g->stop_at = -1;
}

static void
expect_args(const struct log *g, const uint64_t *want, int n)
{
	assert_int_equal(g->n, n);
	for (int i = 0; i < n; i++)
		assert_int_equal(g->arg[i], want[i]);
}

static void
test_time_order_and_ties(void **state)
{
	static const uint64_t want[] = { 5, 1, 3, 6, 2, 4 };
	struct loop l;
	struct log g;

	(void)state;
	log_init(&g);
	loop_init(&l, 0);
	loop_at(&l, 300, record, &g, 2);
	loop_at(&l, 100, record, &g, 1);
	loop_at(&l, 300, record, &g, 4);	/* tie: after 2 */
	loop_at(&l, 200, record, &g, 3);
	loop_at(&l, 0, record, &g, 5);
	loop_after(&l, 200, record, &g, 6);	/* tie with 3: after it */
	assert_int_equal(loop_pending(&l), 6);
	assert_int_equal(loop_run(&l, LOOP_FOREVER), 0);
	expect_args(&g, want, 6);
	assert_int_equal(g.at[0], 0);
	assert_int_equal(g.at[5], 300);
	assert_int_equal(loop_now(&l), 300);	/* FOREVER: last event */
	assert_int_equal(loop_events_run(&l), 6);
	assert_int_equal(loop_pending(&l), 0);
	loop_release(&l);
}

/* A callback schedules at the current time: it runs after those queued. */
static void
chain(struct loop *l, void *obj, uint64_t arg)
{
	struct log *g = obj;

	record(l, obj, arg);
	if (arg < 3)
		loop_after(l, 0, chain, g, arg + 10);
	if (arg >= 10 && arg < 12)
		loop_after(l, 0, chain, g, arg + 1);
}

static void
test_schedule_now_from_callback(void **state)
{
	static const uint64_t want[] = { 1, 2, 11, 12, 12, 99 };
	struct loop l;
	struct log g;

	(void)state;
	log_init(&g);
	loop_init(&l, 0);
	loop_at(&l, 50, chain, &g, 1);
	loop_at(&l, 50, chain, &g, 2);
	loop_at(&l, 51, record, &g, 99);
	loop_run(&l, LOOP_FOREVER);
	/* 1 queues 11, 2 queues 12 behind it, 11 queues another 12. */
	expect_args(&g, want, 6);
	for (int i = 0; i < 5; i++)
		assert_int_equal(g.at[i], 50);
	loop_release(&l);
}

/* Cancels g->ev[arg % 16] (and clears it), then records. */
static void
canceller(struct loop *l, void *obj, uint64_t arg)
{
	struct log *g = obj;
	int victim = (int)(arg % 16);

	if (g->ev[victim] != NULL) {
		loop_cancel(l, g->ev[victim]);
		g->ev[victim] = NULL;
	}
	record(l, obj, arg);
}

/* Records and forgets its own handle, as an owner of a timer would. */
static void
self_clearing(struct loop *l, void *obj, uint64_t arg)
{
	struct log *g = obj;

	g->ev[arg % 16] = NULL;
	record(l, obj, arg);
}

static void
test_cancel_from_callbacks(void **state)
{
	static const uint64_t want[] = { 16 + 2, 4, 16 + 5, 6 };
	struct loop l;
	struct log g;

	(void)state;
	log_init(&g);
	loop_init(&l, 0);
	/* 18 at t=10 cancels ev[2] (t=10, same time, next in line). */
	loop_at(&l, 10, canceller, &g, 16 + 2);
	g.ev[2] = loop_at(&l, 10, self_clearing, &g, 2);
	g.ev[3] = loop_at(&l, 20, self_clearing, &g, 3);
	g.ev[4] = loop_at(&l, 20, self_clearing, &g, 4);
	/* 21 at t=20 would cancel ev[5]; 3 is cancelled from outside. */
	loop_at(&l, 20, canceller, &g, 16 + 5);
	g.ev[5] = loop_at(&l, 1000, self_clearing, &g, 5);
	g.ev[6] = loop_at(&l, 1000, self_clearing, &g, 6);
	assert_int_equal(loop_ev_time(g.ev[3]), 20);
	loop_cancel(&l, g.ev[3]);
	g.ev[3] = NULL;
	assert_int_equal(loop_pending(&l), 6);
	loop_run(&l, LOOP_FOREVER);
	expect_args(&g, want, 4);
	assert_int_equal(loop_events_run(&l), 4);
	loop_release(&l);
}

static void
test_stop_and_resume(void **state)
{
	static const uint64_t want[] = { 1, 2, 3, 4 };
	struct loop l;
	struct log g;

	(void)state;
	log_init(&g);
	g.stop_at = 2;
	loop_init(&l, 0);
	for (uint64_t i = 1; i <= 4; i++)
		loop_at(&l, (int64_t)i * 10, record, &g, i);
	assert_int_equal(loop_run(&l, 1000), 1);
	assert_int_equal(g.n, 2);
	assert_int_equal(loop_now(&l), 20);	/* the stopping event */
	assert_int_equal(loop_pending(&l), 2);
	assert_int_equal(loop_run(&l, 1000), 0);
	expect_args(&g, want, 4);
	assert_int_equal(loop_now(&l), 1000);
	loop_release(&l);
}

/* Schedules arg - 1 at the current time until 0: all within until. */
static void
same_time_chain(struct loop *l, void *obj, uint64_t arg)
{
	record(l, obj, arg);
	if (arg > 0)
		loop_after(l, 0, same_time_chain, obj, arg - 1);
	if (arg == 3)
		loop_after(l, 1, record, obj, 77);	/* past until */
}

static void
test_until_boundary(void **state)
{
	static const uint64_t want[] = { 1, 2, 3, 2, 1, 0 };
	struct loop l;
	struct log g;

	(void)state;
	log_init(&g);
	loop_init(&l, 0);
	loop_at(&l, 99, record, &g, 1);
	loop_at(&l, 100, record, &g, 2);
	loop_at(&l, 100, same_time_chain, &g, 3);
	loop_at(&l, 101, record, &g, 4);
	assert_int_equal(loop_run(&l, 100), 0);
	expect_args(&g, want, 6);
	assert_int_equal(loop_now(&l), 100);
	assert_int_equal(loop_pending(&l), 2);	/* 4 and 77 at 101 */
	/* Nothing due before 150: the clock still moves to until. */
	g.n = 0;
	assert_int_equal(loop_run(&l, 100), 0);
	assert_int_equal(g.n, 0);
	assert_int_equal(loop_run(&l, 101), 0);
	assert_int_equal(g.n, 2);
	assert_int_equal(g.arg[0], 4);
	assert_int_equal(g.arg[1], 77);
	assert_int_equal(loop_run(&l, 150), 0);
	assert_int_equal(loop_now(&l), 150);
	assert_int_equal(loop_ev_time(loop_after(&l, 5, record, &g, 8)), 155);
	loop_release(&l);
}

static void
test_release_with_pending_events(void **state)
{
	struct loop l;
	struct log g;

	(void)state;
	log_init(&g);
	loop_init(&l, 0);
	for (int i = 0; i < 10000; i++)
		loop_at(&l, (int64_t)(i % 97) * 1000, record, &g, 0);
	loop_release(&l);		/* ASan/valgrind: nothing leaks */
	loop_init(&l, 0);		/* and the loop is usable again */
	loop_at(&l, 1, record, &g, 5);
	loop_run(&l, LOOP_FOREVER);
	assert_int_equal(g.n, 1);
	loop_release(&l);
}

/*
 * A random storm through the loop, run twice: the trace of (time, arg)
 * must be identical, and times never go backwards.
 */
struct storm {
	struct rng	 rng;
	struct loop_ev	*ev[64];
	uint64_t	 hash;
	int64_t		 last;
};

static void
storm_fn(struct loop *l, void *obj, uint64_t arg)
{
	struct storm *s = obj;
	uint64_t k = rng_below(&s->rng, 64);

	assert_true(loop_now(l) >= s->last);
	s->last = loop_now(l);
	s->ev[arg] = NULL;
	s->hash = (s->hash ^ arg ^ (uint64_t)loop_now(l)) * 0x100000001b3ULL;
	if (s->ev[k] != NULL && rng_below(&s->rng, 3) == 0) {
		loop_cancel(l, s->ev[k]);
		s->ev[k] = NULL;
	}
	for (uint64_t i = 0; i < 2; i++) {
		k = rng_below(&s->rng, 64);
		if (s->ev[k] == NULL)
			s->ev[k] = loop_after(l, (int64_t)rng_below(&s->rng,
			    4) * 1000, storm_fn, s, k);
	}
}

static uint64_t
storm_run(void)
{
	struct storm s;
	struct loop l;

	memset(&s, 0, sizeof(s));
	rng_init(&s.rng, 5, "storm");
	loop_init(&l, 64);
	s.ev[0] = loop_at(&l, 0, storm_fn, &s, 0);
	loop_run(&l, 2000000);
	assert_true(loop_events_run(&l) > 1000);
	loop_release(&l);
	return s.hash;
}

static void
test_deterministic_storm(void **state)
{
	(void)state;
	assert_true(storm_run() == storm_run());
}

/* ---- misuse: each must abort with BUG() or die with exit status 3 ---- */

static void
noop(struct loop *l, void *obj, uint64_t arg)
{
	(void)l;
	(void)obj;
	(void)arg;
}

static void
past(void)
{
	struct loop l;

	loop_init(&l, 0);
	loop_at(&l, 10, noop, NULL, 0);
	loop_run(&l, LOOP_FOREVER);
	loop_at(&l, 9, noop, NULL, 0);
}

static void
negative_delay(void)
{
	struct loop l;

	loop_init(&l, 0);
	loop_after(&l, -1, noop, NULL, 0);
}

static void
overflowing_delay(void)
{
	struct loop l;

	loop_init(&l, 0);
	loop_at(&l, 10, noop, NULL, 0);
	loop_run(&l, LOOP_FOREVER);
	loop_after(&l, INT64_MAX - 5, noop, NULL, 0);
}

static void
reentrant(struct loop *l, void *obj, uint64_t arg)
{
	(void)obj;
	(void)arg;
	loop_run(l, LOOP_FOREVER);
}

static void
run_from_callback(void)
{
	struct loop l;

	loop_init(&l, 0);
	loop_at(&l, 10, reentrant, NULL, 0);
	loop_run(&l, LOOP_FOREVER);
}

static void
cancel_after_run(void)
{
	struct loop l;
	struct loop_ev *ev;

	loop_init(&l, 0);
	ev = loop_at(&l, 10, noop, NULL, 0);
	loop_run(&l, LOOP_FOREVER);
	loop_cancel(&l, ev);
}

static void
until_before_now(void)
{
	struct loop l;

	loop_init(&l, 0);
	loop_run(&l, 100);
	loop_run(&l, 99);
}

static void
too_many_events(void)
{
	struct loop l;

	loop_init(&l, 100);
	for (int i = 0; i < 101; i++)
		loop_at(&l, i, noop, NULL, 0);
}

/* Run fn in a child (stderr silenced): its wait status. */
static int
child(void (*fn)(void))
{
	pid_t pid = fork();
	int st;

	if (pid == 0) {
		if (freopen("/dev/null", "w", stderr) == NULL)
			_exit(1);
		fn();
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &st, 0), pid);
	return st;
}

static int
aborts(void (*fn)(void))
{
	int st = child(fn);

	return WIFSIGNALED(st) && WTERMSIG(st) == SIGABRT;
}

static void
test_misuse_is_a_bug(void **state)
{
	int st;

	(void)state;
	assert_true(aborts(past));
	assert_true(aborts(negative_delay));
	assert_true(aborts(overflowing_delay));
	assert_true(aborts(run_from_callback));
	assert_true(aborts(until_before_now));
#ifndef SAN_ASAN
	assert_true(aborts(cancel_after_run));
#else
	/* ASan reports the poisoned event first, as a use after free. */
	st = child(cancel_after_run);
	assert_false(WIFEXITED(st) && WEXITSTATUS(st) == 0);
#endif
	st = child(too_many_events);
	assert_true(WIFEXITED(st) && WEXITSTATUS(st) == 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_time_order_and_ties),
		cmocka_unit_test(test_schedule_now_from_callback),
		cmocka_unit_test(test_cancel_from_callbacks),
		cmocka_unit_test(test_stop_and_resume),
		cmocka_unit_test(test_until_boundary),
		cmocka_unit_test(test_release_with_pending_events),
		cmocka_unit_test(test_deterministic_storm),
		cmocka_unit_test(test_misuse_is_a_bug),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
