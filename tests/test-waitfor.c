/*
 * test-waitfor.c - actual deadlocks, on hand-built models whose cycles
 * are known exactly (tests/data/analysis): the three-client ring found
 * once with its full chain, when it closed and how it ended; a deadlock
 * that forms again after each restart, one instance each, ended by the
 * kills the probes report; a cycle through a daemon's queued request
 * (any worker would do; the only one is stuck) and none when another
 * worker will come back; locks and queues taken in opposite orders; and
 * no deadlock where the timing never closes the ring; flag waits: a
 * cycle through the only setter of a flag, closed at the setter's wait,
 * one through two setters closed only when the second is stuck, and none
 * for a setter that is merely slow or a flag that a handler may also set.
 * Also the id map
 * against an array oracle, and the findings list's order and JSON.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "analysis/idmap.h"
#include "core/units.h"
#include "core/rng.h"
#include "test-an-util.h"

#define S	INT64_C(1000000000)
#define MS	INT64_C(1000000)

static const char *const ring_chain =
    "a delivery queue \u2192 call da.check \u2192 da worker 1 \u2192 "
    "AUTH_OPEN /b/file by da \u2192 waits for b's handler \u2192 "
    "b pool thread 1 \u2192 call db.check \u2192 db worker 1 \u2192 "
    "AUTH_OPEN /c/file by db \u2192 waits for c's handler \u2192 "
    "c pool thread 1 \u2192 call dc.check \u2192 dc worker 1 \u2192 "
    "AUTH_OPEN /a/file by dc \u2192 waits for a \u2192 "
    "a delivery queue busy";

static void
test_ring3_one_deadlock(void **state)
{
	struct ta_run r;
	const struct finding *f;

	(void)state;
	ta_run(&r, "ring3-deadlock.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 1);
	assert_int_equal(wf_deadlocks(an_waitfor(r.an)), 1);
	assert_int_equal(wf_classes(an_waitfor(r.an)), 1);
	f = ta_nth(&r, FD_DEADLOCK, 0);
	assert_string_equal(f->chain, ring_chain);
	/* The open of /a/x at 1 s, plus the 50 us of creating a pool thread. */
	assert_int_equal(f->t, 1 * S + 50 * TA_US);
	assert_int_equal(f->t_end, 11 * S);	/* a's 10 s deadline */
	assert_string_equal(f->ended,
	    "broken at t=11.000s when the AUTH_OPEN deadline killed a");
	assert_int_equal(f->value, 16);
	assert_int_equal(f->nrows, 16);
	assert_int_equal(f->count, 1);
	assert_string_equal(f->rows[0].who, "a delivery queue");
	assert_string_equal(f->rows[0].what, "is busy with a pool thread 1");
	assert_string_equal(f->rows[1].who,
	    "a pool thread 1, in the handler of AUTH_OPEN /a/x (a)");
	assert_string_equal(f->rows[1].what,
	    "waits for the reply: call da.check");
	assert_int_equal(f->client, 0);
	assert_int_equal(wf_open(an_waitfor(r.an)), 0);
	ta_done(&r);
}

static void
test_ring3_timing_never_closes(void **state)
{
	struct ta_run r;

	(void)state;
	ta_run(&r, "ring3-potential.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 0);
	assert_int_equal(wf_deadlocks(an_waitfor(r.an)), 0);
	ta_done(&r);
}

/* One instance per re-forming, each ended by the kill the probes show. */
static void
test_codesign_instances(void **state)
{
	struct ta_run r;
	size_t nkills;
	char want[128];

	(void)state;
	ta_run(&r, "codesign.json", PROBE_BIT(PROBE_CLIENT_KILL));
	nkills = tw_count(&r.log, PROBE_CLIENT_KILL, -1);
	assert_true(nkills >= 2);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), nkills);
	assert_int_equal(wf_classes(an_waitfor(r.an)), 1);
	for (size_t i = 0; i < nkills; i++) {
		const struct finding *f = ta_nth(&r, FD_DEADLOCK, i);
		const struct tw_rec *k = tw_nth(&r.log, PROBE_CLIENT_KILL, i);
		char t[32];

		assert_non_null(f);
		assert_int_equal(f->count, i + 1);
		assert_int_equal(f->t_end, k->t);
		assert_true(f->t < f->t_end);
		assert_int_equal(f->t_end - f->t <= 15 * S, 1);
		snprintf(want, sizeof(want), "broken at t=%s when the AUTH_OPEN "
		    "deadline killed acme",
		    units_format_seconds(k->t, 3, t, sizeof(t)));
		assert_string_equal(f->ended, want);
		assert_non_null(strstr(f->chain, "acme delivery queue \u2192 "
		    "call syspolicyd.assess \u2192 syspolicyd worker "));
		assert_non_null(strstr(f->chain, "AUTH_OPEN "
		    "/private/var/db/SystemPolicy by syspolicyd \u2192 waits "
		    "for acme \u2192 acme delivery queue busy"));
	}
	ta_done(&r);
}

static void
test_daemon_queue_any_worker(void **state)
{
	struct ta_run r;
	const struct finding *f;

	(void)state;
	ta_run(&r, "daemon-queue-deadlock.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 1);
	f = ta_nth(&r, FD_DEADLOCK, 0);
	assert_string_equal(f->chain, "x delivery queue \u2192 call "
	    "trustd.quick \u2192 trustd request queue \u2192 trustd worker 1 "
	    "\u2192 AUTH_OPEN /x/file by trustd \u2192 waits for x \u2192 "
	    "x delivery queue busy");
	assert_int_equal(f->t, 1010 * MS);	/* the worker's open */
	assert_int_equal(f->t_end, 11001 * MS);	/* x's deadline */
	ta_done(&r);
	/* A second worker, asleep but coming back: no deadlock. */
	ta_run(&r, "daemon-queue-free.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 0);
	ta_done(&r);
}

static void
test_locks_and_queues(void **state)
{
	struct ta_run r;
	const struct finding *f;

	(void)state;
	ta_run(&r, "locks-deadlock.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 1);
	f = ta_nth(&r, FD_DEADLOCK, 0);
	assert_string_equal(f->chain, "app pool thread 2 \u2192 app lock a "
	    "\u2192 app pool thread 1 \u2192 app lock b \u2192 "
	    "app pool thread 2");
	assert_int_equal(f->t, 1 * MS + 100 * TA_US);
	assert_int_equal(f->t_end, -1);
	assert_string_equal(f->ended, "still closed at the end of the run");
	assert_int_equal(wf_open(an_waitfor(r.an)), 1);
	ta_done(&r);

	ta_run(&r, "queues-deadlock.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 1);
	f = ta_nth(&r, FD_DEADLOCK, 0);
	assert_string_equal(f->chain, "app pool thread 2 \u2192 app ui queue "
	    "\u2192 app pool thread 1 \u2192 app io queue \u2192 "
	    "app pool thread 2");
	assert_string_equal(f->rows[0].what,
	    "waits in dispatch_sync for app ui queue");
	ta_done(&r);

	ta_run(&r, "locks-inversion.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 0);
	ta_done(&r);
	ta_run(&r, "queues-inversion.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 0);
	ta_done(&r);
}

/* A flag whose only setter waits for the flag's waiter. */
static void
test_flag_deadlock(void **state)
{
	struct ta_run r;
	const struct finding *f;

	(void)state;
	ta_run(&r, "flag-deadlock.json", PROBE_BIT(PROBE_CLIENT_KILL));
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 1);
	f = ta_nth(&r, FD_DEADLOCK, 0);
	assert_string_equal(f->chain, "x delivery queue \u2192 flag go "
	    "\u2192 setter main thread \u2192 AUTH_OPEN /x/file by setter "
	    "\u2192 waits for x \u2192 x delivery queue busy");
	assert_int_equal(f->t, 2 * S);		/* the setter's open */
	assert_int_equal(f->t_end, 11 * S);	/* /x/hold's deadline */
	assert_int_equal(tw_count(&r.log, PROBE_CLIENT_KILL, -1), 1);
	assert_int_equal(tw_nth(&r.log, PROBE_CLIENT_KILL, 0)->t, 11 * S);
	assert_string_equal(f->ended,
	    "broken at t=11.000s when the AUTH_OPEN deadline killed x");
	assert_int_equal(f->value, 6);
	assert_int_equal(f->nrows, 6);
	assert_string_equal(f->rows[1].who,
	    "x pool thread 1, in the handler of AUTH_OPEN /x/hold (x)");
	assert_string_equal(f->rows[1].what, "waits for flag go");
	assert_int_equal(f->rows[1].t, 1 * S + 50 * TA_US);
	assert_string_equal(f->rows[2].who, "flag go");
	assert_string_equal(f->rows[2].what,
	    "can be set only by setter main thread");
	assert_string_equal(f->rows[3].what,
	    "waits for the verdict of AUTH_OPEN /x/file by setter");
	assert_int_equal(f->rows[3].t, 2 * S);
	assert_int_equal(f->client, 0);
	assert_int_equal(wf_open(an_waitfor(r.an)), 0);
	ta_done(&r);
}

/* Any setter would do: stuck only once both are. */
static void
test_flag_two_setters(void **state)
{
	struct ta_run r;
	const struct finding *f;

	(void)state;
	ta_run(&r, "flag-two-setters.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 1);
	f = ta_nth(&r, FD_DEADLOCK, 0);
	assert_int_equal(f->t, 3 * S);		/* s2's open, not s1's */
	assert_int_equal(f->t_end, 11 * S);
	assert_string_equal(f->chain, "x delivery queue \u2192 flag go "
	    "\u2192 s1 main thread \u2192 AUTH_OPEN /x/file1 by s1 \u2192 "
	    "waits for x \u2192 x delivery queue busy");
	assert_string_equal(f->rows[2].what,
	    "can be set only by s1 main thread or 1 other thread, all stuck");
	ta_done(&r);
}

/* No deadlock: a slow setter, or a flag a handler may set too. */
static void
test_flag_no_deadlock(void **state)
{
	struct ta_run r;

	(void)state;
	ta_run(&r, "flag-slow.json", PROBE_BIT(PROBE_FLAG_SET) |
	    PROBE_BIT(PROBE_CLIENT_KILL));
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 0);
	assert_int_equal(tw_count(&r.log, PROBE_CLIENT_KILL, -1), 0);
	assert_int_equal(tw_nth(&r.log, PROBE_FLAG_SET, 0)->t, 3 * S);
	ta_done(&r);

	/* The main program's setter is stuck, but y's handler sets 'go' at
	 * 5 s and everything moves on. */
	ta_run(&r, "flag-other-setter.json", PROBE_BIT(PROBE_FLAG_SET) |
	    PROBE_BIT(PROBE_CLIENT_KILL));
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 0);
	assert_int_equal(tw_count(&r.log, PROBE_CLIENT_KILL, -1), 0);
	assert_true(tw_nth(&r.log, PROBE_FLAG_SET, 0)->t >= 5 * S);
	assert_true(tw_nth(&r.log, PROBE_FLAG_SET, 0)->t < 6 * S);
	ta_done(&r);
}

/* The id map against a plain array: random puts, gets and deletes. */
static void
test_idmap_oracle(void **state)
{
	enum { N = 5000 };
	static void *oracle[N];
	struct idmap m = IDMAP_INIT;
	struct rng rng;
	size_t live = 0, pos = 0, seen = 0;
	uint64_t k;
	void *v;

	(void)state;
	memset(oracle, 0, sizeof(oracle));
	rng_init(&rng, 7, "idmap");
	for (int i = 0; i < 200000; i++) {
		uint64_t key = 1 + rng_below(&rng, N - 1);
		int op = (int)rng_below(&rng, 3);

		if (op == 0) {
			live += oracle[key] == NULL;
			oracle[key] = (void *)(uintptr_t)(key * 3 + 1);
			idmap_put(&m, key, oracle[key]);
		} else if (op == 1) {
			assert_ptr_equal(idmap_del(&m, key), oracle[key]);
			live -= oracle[key] != NULL;
			oracle[key] = NULL;
		} else {
			assert_ptr_equal(idmap_get(&m, key), oracle[key]);
		}
		assert_int_equal(m.n, live);
	}
	while (idmap_next(&m, &pos, &k, &v)) {
		assert_ptr_equal(oracle[k], v);
		seen++;
	}
	assert_int_equal(seen, live);
	assert_null(idmap_get(&m, 0));
	idmap_release(&m);
}

static void
test_findings_list(void **state)
{
	struct fd_list l = FD_LIST_INIT;
	struct finding *a, *b, *c;
	json_t *j;

	(void)state;
	a = fd_add(&l, FD_THREAD_EXPLOSION, 5);
	b = fd_add(&l, FD_DEADLOCK, 5);
	c = fd_add(&l, FD_DEADLOCK, 1);
	fd_summary(a, "x%d", 1);
	fd_set_chain(b, "p \u2192 q");
	fd_row(b, "p", "waits for q", 3, 2);
	fd_sort(&l);
	assert_ptr_equal(l.v[0], c);	/* by time */
	assert_ptr_equal(l.v[1], b);	/* then kind */
	assert_ptr_equal(l.v[2], a);
	assert_int_equal(fd_count(&l, FD_DEADLOCK), 2);
	assert_int_equal(fd_count(&l, FD_NKINDS), 3);
	j = fd_json(&l);
	assert_int_equal(json_array_size(j), 3);
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(j, 1), "kind")), "deadlock");
	assert_true(json_is_null(json_object_get(json_array_get(j, 1),
	    "t_end")));
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_array_get(j, 1), "rows"), 0), "what")),
	    "waits for q");
	assert_string_equal(json_string_value(json_object_get(
	    json_array_get(j, 2), "summary")), "x1");
	json_decref(j);
	fd_list_release(&l);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring3_one_deadlock),
		cmocka_unit_test(test_ring3_timing_never_closes),
		cmocka_unit_test(test_codesign_instances),
		cmocka_unit_test(test_daemon_queue_any_worker),
		cmocka_unit_test(test_locks_and_queues),
		cmocka_unit_test(test_flag_deadlock),
		cmocka_unit_test(test_flag_two_setters),
		cmocka_unit_test(test_flag_no_deadlock),
		cmocka_unit_test(test_idmap_oracle),
		cmocka_unit_test(test_findings_list),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
