/*
 * test-gcd.c - the GCD model (sim/gcd): the workqueue pool's caps,
 * admission, back-off timer and reaping, and dispatch_sync's ordering,
 * crash and hang, run through small models.
 *
 * The pool figures are those of reference/gcd.md §2.3's measurements and
 * §1.1's constants: blocking work on a concurrent queue plateaus at
 * max(64, 5 x cores) threads; the same work on separate serial queues at
 * 512; CPU-bound work at NCPU.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "test-world-util.h"

/* 200 blocks that each call a daemon that never answers in time. */
static struct model *
blocking_model(int cores, int nserial)
{
	char *queues = xstrdup(""), *prog = xstrdup(""), *t;
	struct model *m;
	char *text;

	for (int i = 0; i < nserial; i++) {
		t = xasprintf("%s%s\"s%d\": {\"kind\": \"serial\"}", queues,
		    i ? ", " : "", i);
		free(queues);
		queues = t;
		t = xasprintf("%s%s{\"async\": \"s%d\", \"do\": "
		    "[{\"call\": \"slowd.wait\"}]}", prog, i ? ", " : "", i);
		free(prog);
		prog = t;
	}
	if (nserial == 0) {
		free(queues);
		free(prog);
		queues = xstrdup("\"work\": {\"kind\": \"concurrent\"}");
		prog = xstrdup("{\"repeat\": 200, \"do\": [{\"async\": \"work\", "
		    "\"do\": [{\"call\": \"slowd.wait\"}]}]}");
	}
	text = xasprintf("{\"essim\": 1, \"name\": \"pool\", \"duration\": \"30s\","
	    "\"machine\": {\"cores\": %d},"
	    "\"daemons\": {\"slowd\": {\"workers\": 1000, \"services\": {"
	    "  \"wait\": [{\"sleep\": \"1000s\"}]}}},"
	    "\"processes\": {\"app\": {\"queues\": {%s}, \"program\": [%s]}}}",
	    cores, queues, prog);
	m = tw_model(text);
	free(text);
	free(queues);
	free(prog);
	return m;
}

static void
check_plateau(int cores, int nserial, int expect)
{
	struct model *m = blocking_model(cores, nserial);
	struct world *w = world_new(m, NULL);
	int app = model_process(m, "app")->id;
	struct tw_log log;
	const struct tw_rec *r;
	int64_t last = 0;
	int spawned = 0;

	tw_listen(&log, w, PROBE_BIT(PROBE_THREAD_SPAWN) |
	    PROBE_BIT(PROBE_CALL));
	world_run(w);
	assert_int_equal(world_pool_peak(w, app), expect);
	assert_int_equal(world_pool_threads(w, app), expect);
	/* Exactly that much work started; the rest waits. */
	assert_int_equal(tw_count(&log, PROBE_CALL, -1), expect);
	for (size_t i = 0; (r = tw_nth(&log, PROBE_THREAD_SPAWN, i)); i++)
		if (r->process == app && r->role == PROBE_ROLE_POOL) {
			spawned++;
			last = r->t;
		}
	assert_int_equal(spawned, expect);
	/* One at a time: each creation takes create_latency (50 us). */
	assert_true(last >= (int64_t)expect * 50000);
	if (nserial == 0)
		assert_int_equal(world_pool_constrained(w, app), expect);
	else
		assert_int_equal(world_pool_constrained(w, app), 0);
	tw_log_free(&log);
	world_free(w);
	model_free(m);
}

static void
test_constrained_cap_8_cores(void **state)
{
	(void)state;
	check_plateau(8, 0, 64);
}

static void
test_constrained_cap_16_cores(void **state)
{
	(void)state;
	check_plateau(16, 0, 80);
}

static void
test_serial_queues_reach_512(void **state)
{
	(void)state;
	check_plateau(8, 600, 512);
}

/*
 * CPU-bound blocks never block: admission (NCPU - active) keeps the pool
 * at NCPU threads, and with no busy bucket the creation timer is never
 * armed.  Once idle, the threads are reaped within the idle timeout.
 */
static void
test_cpu_bound_stays_at_ncpu(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"cpu\","
	    "\"duration\": \"20s\", \"machine\": {\"cores\": 8},"
	    "\"processes\": {\"app\": {"
	    "  \"queues\": {\"work\": {\"kind\": \"concurrent\"}},"
	    "  \"program\": [{\"repeat\": 64, \"do\": [{\"async\": \"work\","
	    "    \"do\": [{\"cpu\": \"100ms\"}]}]}]}}}");
	struct world *w = world_new(m, NULL);
	int app = model_process(m, "app")->id;
	struct tw_log log;
	const struct tw_rec *r;
	size_t reaped = 0;

	(void)state;
	tw_listen(&log, w, PROBE_BIT(PROBE_POOL_TIMER) |
	    PROBE_BIT(PROBE_THREAD_EXIT));
	world_run_until(w, 1 * TW_S);
	assert_int_equal(world_pool_peak(w, app), 8);
	assert_int_equal(tw_count(&log, PROBE_POOL_TIMER, -1), 0);
	/* 64 x 100 ms on 8 threads: done at 800 ms; reaped within 5 s. */
	world_run(w);
	for (size_t i = 0; (r = tw_nth(&log, PROBE_THREAD_EXIT, i)); i++)
		if (r->process == app && r->role == PROBE_ROLE_POOL) {
			assert_int_equal(r->value, 2);
			assert_true(r->t <= 900 * TW_MS + 5 * TW_S);
			reaped++;
		}
	assert_int_equal(reaped, 8);
	assert_int_equal(world_pool_threads(w, app), 0);
	tw_log_free(&log);
	world_free(w);
	model_free(m);
}

/*
 * A blocking storm with all NCPU threads active: every block arms the
 * delayed-creation timer, whose interval starts at 200 us and doubles
 * while it fires back to back, never above 50 ms; the pool still reaches
 * the constrained cap, no further.
 */
static void
test_backoff_timer(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"storm\","
	    "\"duration\": \"60s\", \"machine\": {\"cores\": 8},"
	    "\"daemons\": {\"slowd\": {\"workers\": 1000, \"services\": {"
	    "  \"wait\": [{\"sleep\": \"1000s\"}]}}},"
	    "\"processes\": {\"app\": {"
	    "  \"queues\": {\"work\": {\"kind\": \"concurrent\"}},"
	    "  \"program\": [{\"repeat\": 200, \"do\": [{\"async\": \"work\","
	    "    \"do\": [{\"cpu\": {\"exp\": \"1ms\"}},"
	    "      {\"call\": \"slowd.wait\"}]}]}]}}}");
	struct world *w = world_new(m, NULL);
	int app = model_process(m, "app")->id;
	int64_t expect = 200000;
	struct tw_log log;
	const struct tw_rec *r;

	(void)state;
	tw_listen(&log, w, PROBE_BIT(PROBE_POOL_TIMER));
	world_run(w);
	assert_true(tw_count(&log, PROBE_POOL_TIMER, -1) > 0);
	/* Here every firing is back to back with the previous one. */
	for (size_t i = 0; (r = tw_nth(&log, PROBE_POOL_TIMER, i)); i++) {
		assert_int_equal(r->value, expect);
		expect = expect * 2 > 50 * TW_MS ? 50 * TW_MS : expect * 2;
	}
	assert_int_equal(expect, 50 * TW_MS);
	assert_int_equal(world_pool_peak(w, app), 64);
	tw_log_free(&log);
	world_free(w);
	model_free(m);
}

/*
 * The busy window: a worker that blocked less than 200 us ago still
 * counts against admission.  Eight blocks start 50 us apart (one thread
 * created per 50 us), compute 1 ms and block.  A ninth block comes at
 * 1.07 ms, 20 us after the first blocker: 8 - 7 active - 1 busy = 0,
 * refused; the timer (200 us) fires at 1.27 ms, 20 us after the fifth
 * blocker: 8 - 3 - 1 = 4, admitted; its thread is ready at 1.32 ms.
 * Without the busy term the block would start at 1.12 ms.
 */
static void
test_busy_window_delays_admission(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"busy\","
	    "\"duration\": \"1s\", \"machine\": {\"cores\": 8},"
	    "\"daemons\": {\"slowd\": {\"workers\": 100, \"services\": {"
	    "  \"wait\": [{\"sleep\": \"1000s\"}]}}},"
	    "\"processes\": {\"app\": {"
	    "  \"queues\": {\"work\": {\"kind\": \"concurrent\"}},"
	    "  \"program\": [{\"repeat\": 8, \"do\": [{\"async\": \"work\","
	    "    \"do\": [{\"cpu\": \"1ms\"}, {\"call\": \"slowd.wait\"}]}]},"
	    "    {\"sleep\": \"1.07ms\"},"
	    "    {\"async\": \"work\", \"do\": [{\"set\": \"late\"}]}]}}}");
	struct world *w = world_new(m, NULL);

	(void)state;
	world_run(w);
	assert_int_equal(world_flag_first(w, 0), 1320000);
	world_free(w);
	model_free(m);
}

/*
 * dispatch_sync onto a busy serial queue waits behind the async work
 * queued before it, then runs on the caller.
 */
static void
test_sync_waits_in_fifo_order(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"sync\","
	    "\"duration\": \"10s\", \"gcd\": {\"create_latency\": \"0s\"},"
	    "\"processes\": {\"app\": {\"threads\": 1,"
	    "  \"queues\": {\"s\": {\"kind\": \"serial\"}},"
	    "  \"program\": [{\"async\": \"s\", \"do\": [{\"sleep\": \"1s\"},"
	    "      {\"set\": \"a\"}]},"
	    "    {\"async\": \"s\", \"do\": [{\"sleep\": \"1s\"}, {\"set\": \"b\"}]},"
	    "    {\"sleep\": \"100ms\"},"
	    "    {\"sync\": \"s\", \"do\": [{\"set\": \"c\"}]},"
	    "    {\"set\": \"d\"}]},"
	    " \"other\": {\"queues\": {\"s\": {\"kind\": \"serial\"}},"
	    "  \"program\": [{\"sync\": \"s\", \"do\": [{\"set\": \"e\"}]}]}}}");
	struct world *w = world_new(m, NULL);

	(void)state;
	world_run(w);
	assert_int_equal(world_flag_first(w, 0), 1 * TW_S);	/* a */
	assert_int_equal(world_flag_first(w, 1), 2 * TW_S);	/* b */
	assert_int_equal(world_flag_first(w, 2), 2 * TW_S);	/* c */
	assert_int_equal(world_flag_first(w, 3), 2 * TW_S);	/* d */
	assert_int_equal(world_flag_first(w, 4), 0);	/* idle: inline */
	world_free(w);
	model_free(m);
}

static void
test_mutual_sync_hangs(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"hang\","
	    "\"duration\": \"10s\","
	    "\"processes\": {\"app\": {\"threads\": 1,"
	    "  \"queues\": {\"q1\": {\"kind\": \"serial\"},"
	    "    \"q2\": {\"kind\": \"serial\"}},"
	    "  \"program\": [{\"async\": \"q1\", \"do\": [{\"sleep\": \"1s\"},"
	    "      {\"sync\": \"q2\", \"do\": [{\"set\": \"x\"}]}]},"
	    "    {\"async\": \"q2\", \"do\": [{\"sleep\": \"1s\"},"
	    "      {\"sync\": \"q1\", \"do\": [{\"set\": \"y\"}]}]}]}}}");
	struct world *w = world_new(m, NULL);
	struct tw_log log;

	(void)state;
	tw_listen(&log, w, PROBE_BIT(PROBE_SYNC_CRASH) | PROBE_BIT(PROBE_WAIT));
	world_run(w);
	assert_int_equal(world_flag_first(w, 0), -1);
	assert_int_equal(world_flag_first(w, 1), -1);
	assert_int_equal(tw_count(&log, PROBE_SYNC_CRASH, -1), 0);
	assert_true(world_proc_alive(w, model_process(m, "app")->id));
	assert_int_equal(world_pool_threads(w, model_process(m, "app")->id),
	    2);
	tw_log_free(&log);
	world_free(w);
	model_free(m);
}

/*
 * Sync onto a queue the thread owns: directly, or through a queue that
 * targets it (gcd.md §2.4: "A/C -> serial B traps; -> concurrent B
 * returns").
 */
static void
check_sync(const char *queues, const char *prog, int crash)
{
	char *text = xasprintf("{\"essim\": 1, \"name\": \"own\","
	    "\"duration\": \"1s\", \"processes\": {\"app\": {"
	    "\"queues\": {%s}, \"program\": [%s, {\"sleep\": \"10ms\"},"
	    "{\"set\": \"main\"}]}}}", queues, prog);
	struct model *m = tw_model(text);
	struct world *w = world_new(m, NULL);
	struct tw_log log;
	const struct model *mm = m;
	int done = -1;

	tw_listen(&log, w, PROBE_BIT(PROBE_SYNC_CRASH) |
	    PROBE_BIT(PROBE_PROCESS_EXIT));
	world_run(w);
	for (size_t i = 0; i < mm->nflags; i++)
		if (strcmp(mm->flags[i]->name, "inner") == 0)
			done = (int)i;
	assert_int_equal(tw_count(&log, PROBE_SYNC_CRASH, -1), crash);
	assert_int_equal(tw_count(&log, PROBE_PROCESS_EXIT, -1), crash);
	if (crash) {
		assert_int_equal(tw_nth(&log, PROBE_PROCESS_EXIT, 0)->value,
		    PROBE_KILL_SYNC_CRASH);
		assert_int_equal(world_flag_first(w, done), -1);
	} else {
		assert_true(world_flag_first(w, done) >= 0);
	}
	tw_log_free(&log);
	world_free(w);
	model_free(m);
	free(text);
}

static void
test_sync_on_owned_queue_crashes(void **state)
{
	(void)state;
	check_sync("\"a\": {\"kind\": \"serial\"}",
	    "{\"async\": \"a\", \"do\": [{\"sync\": \"a\", \"do\": "
	    "[{\"set\": \"inner\"}]}]}", 1);
	check_sync("\"b\": {\"kind\": \"serial\"}, \"a\": {\"kind\": "
	    "\"serial\", \"target\": \"b\"}",
	    "{\"async\": \"b\", \"do\": [{\"sync\": \"a\", \"do\": "
	    "[{\"set\": \"inner\"}]}]}", 1);
	check_sync("\"b\": {\"kind\": \"concurrent\"}, \"a\": {\"kind\": "
	    "\"serial\", \"target\": \"b\"}",
	    "{\"async\": \"b\", \"do\": [{\"sync\": \"a\", \"do\": "
	    "[{\"set\": \"inner\"}]}]}", 0);
	check_sync("\"c\": {\"kind\": \"concurrent\"}",
	    "{\"async\": \"c\", \"do\": [{\"sync\": \"c\", \"do\": "
	    "[{\"set\": \"inner\"}]}]}", 0);
	/* Sync onto a serial queue, then onto its target: trap. */
	check_sync("\"b\": {\"kind\": \"serial\"}, \"a\": {\"kind\": "
	    "\"serial\", \"target\": \"b\"}",
	    "{\"sync\": \"a\", \"do\": [{\"sync\": \"b\", \"do\": "
	    "[{\"set\": \"inner\"}]}]}", 1);
	/* Nested sync: a inside b's sync body, then b again: trap. */
	check_sync("\"a\": {\"kind\": \"serial\"}, \"b\": {\"kind\": "
	    "\"serial\"}",
	    "{\"sync\": \"b\", \"do\": [{\"sync\": \"a\", \"do\": [{\"sync\": "
	    "\"b\", \"do\": [{\"set\": \"inner\"}]}]}]}", 1);
}

/*
 * An overcommit request beats a constrained one of the same QoS (a
 * constrained request wins only at a strictly higher QoS): the serial
 * queue's block gets the first thread.
 */
static void
test_overcommit_first_at_equal_qos(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"prio\","
	    "\"duration\": \"1s\", \"processes\": {\"app\": {"
	    "  \"queues\": {\"c\": {\"kind\": \"concurrent\"},"
	    "    \"s\": {\"kind\": \"serial\"}},"
	    "  \"program\": [{\"async\": \"c\", \"do\": [{\"set\": \"c\"}]},"
	    "    {\"async\": \"s\", \"do\": [{\"cpu\": \"1ms\"},"
	    "      {\"set\": \"s\"}]}]}}}");
	struct world *w = world_new(m, NULL);

	(void)state;
	world_run(w);
	/* The first thread (50 us) takes s; the second (100 us) c. */
	assert_int_equal(world_flag_first(w, 1), 1050000);	/* s */
	assert_int_equal(world_flag_first(w, 0), 100000);	/* c */
	world_free(w);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_constrained_cap_8_cores),
		cmocka_unit_test(test_constrained_cap_16_cores),
		cmocka_unit_test(test_serial_queues_reach_512),
		cmocka_unit_test(test_cpu_bound_stays_at_ncpu),
		cmocka_unit_test(test_backoff_timer),
		cmocka_unit_test(test_busy_window_delays_admission),
		cmocka_unit_test(test_sync_waits_in_fifo_order),
		cmocka_unit_test(test_mutual_sync_hangs),
		cmocka_unit_test(test_sync_on_owned_queue_crashes),
		cmocka_unit_test(test_overcommit_first_at_equal_qos),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
