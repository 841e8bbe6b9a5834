/*
 * test-lockdep.c - potential cycles from the run's class dependencies,
 * on hand-built models whose edge sets are known exactly: the
 * three-client ring as one nine-step cycle when its timing never closes
 * it (and as one when it does), a lock-order inversion between two
 * serial queues and between two locks without the deadlock happening,
 * the count of a delivery edge equal to the client's AUTH messages, and
 * no cycle in a model without one.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test-an-util.h"

#define S	INT64_C(1000000000)
#define MS	INT64_C(1000000)

static const char *const ring_chain =
    "a's answer to AUTH_OPEN \u2192 a delivery queue \u2192 da.check \u2192 "
    "b's answer to AUTH_OPEN \u2192 b delivery queue \u2192 db.check \u2192 "
    "c's answer to AUTH_OPEN \u2192 c delivery queue \u2192 dc.check \u2192 "
    "a's answer to AUTH_OPEN";

/* The edge from -> to (node labels) of g, or NULL. */
static const struct dg_edge *
edge(const struct dg *g, const char *from, const char *to)
{
	for (size_t i = 0; i < dg_nedges(g); i++) {
		const struct dg_edge *e = dg_edge_at(g, (int)i);

		if (strcmp(dg_node_at(g, e->from)->label, from) == 0 &&
		    strcmp(dg_node_at(g, e->to)->label, to) == 0)
			return e;
	}
	return NULL;
}

static void
test_ring3_potential(void **state)
{
	struct ta_run r;
	const struct finding *f;
	const struct dg *g;
	const struct dg_edge *e;

	(void)state;
	ta_run(&r, "ring3-potential.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 0);
	assert_int_equal(an_count(r.an, FD_POTENTIAL_CYCLE), 1);
	f = ta_nth(&r, FD_POTENTIAL_CYCLE, 0);
	assert_string_equal(f->chain, ring_chain);
	assert_int_equal(f->value, 9);
	assert_int_equal(f->nrows, 9);
	/* Found when its last edge was first seen: c's link, at 3 s. */
	assert_int_equal(f->t, 3 * S + 50 * TA_US);
	assert_string_equal(f->rows[1].who,
	    "a handler AUTH_OPEN on a delivery queue");
	assert_string_equal(f->rows[1].what,
	    "calls da.check (waits for the reply)");
	assert_int_equal(f->rows[1].t, 1 * S + 50 * TA_US);
	assert_string_equal(f->rows[2].what, "raises AUTH_OPEN /b/y, "
	    "delivered to b: waits for its answer");
	assert_int_equal(f->rows[4].t, 2 * S + 50 * TA_US);
	assert_int_equal(f->rows[0].count, 4);	/* a got 4 AUTH_OPENs */
	assert_non_null(strstr(f->scenario, "1. a's answer to AUTH_OPEN  "
	    "at 1s\n"));
	assert_non_null(strstr(f->scenario, "-> *** POSSIBLE DEADLOCK ***"));
	/* Exactly the nine edges of the ring, between nine classes. */
	g = lk_graph(an_lockdep(r.an));
	assert_int_equal(dg_nnodes(g), 9);
	assert_int_equal(dg_nedges(g), 9);
	e = edge(g, "db.check", "c's answer to AUTH_OPEN");
	assert_non_null(e);
	assert_int_equal(e->kind, DG_EDGE_RAISES);
	assert_int_equal(e->count, 1);
	assert_null(edge(g, "da.check", "a's answer to AUTH_OPEN"));
	ta_done(&r);
}

static void
test_ring3_closed_is_one_cycle(void **state)
{
	struct ta_run r;

	(void)state;
	ta_run(&r, "ring3-deadlock.json", 0);
	assert_int_equal(an_count(r.an, FD_POTENTIAL_CYCLE), 1);
	assert_string_equal(ta_nth(&r, FD_POTENTIAL_CYCLE, 0)->chain,
	    ring_chain);
	ta_done(&r);
}

static void
test_queue_inversion(void **state)
{
	struct ta_run r;
	const struct finding *f;

	(void)state;
	ta_run(&r, "queues-inversion.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 0);
	assert_int_equal(an_count(r.an, FD_POTENTIAL_CYCLE), 1);
	f = ta_nth(&r, FD_POTENTIAL_CYCLE, 0);
	assert_string_equal(f->chain, "app ui queue \u2192 app io queue "
	    "\u2192 app ui queue");
	assert_string_equal(f->rows[0].what, "syncs onto app io queue");
	assert_string_equal(f->rows[1].what, "syncs onto app ui queue");
	assert_int_equal(f->rows[1].t, 100 * MS);
	assert_int_equal(f->t, 100 * MS);
	assert_int_equal(dg_nedges(lk_graph(an_lockdep(r.an))), 2);
	ta_done(&r);
}

static void
test_lock_inversion(void **state)
{
	struct ta_run r;
	const struct finding *f;

	(void)state;
	ta_run(&r, "locks-inversion.json", 0);
	assert_int_equal(an_count(r.an, FD_DEADLOCK), 0);
	assert_int_equal(an_count(r.an, FD_POTENTIAL_CYCLE), 1);
	f = ta_nth(&r, FD_POTENTIAL_CYCLE, 0);
	assert_string_equal(f->chain, "app lock a \u2192 app lock b \u2192 "
	    "app lock a");
	assert_string_equal(f->rows[0].who, "app q1 queue");
	assert_string_equal(f->rows[0].what, "takes app lock b");
	assert_int_equal(edge(lk_graph(an_lockdep(r.an)), "app lock a",
	    "app lock b")->kind, DG_EDGE_LOCK_ORDER);
	/* Taking a lock on a serial queue: a wait of the queue's holder. */
	assert_int_equal(edge(lk_graph(an_lockdep(r.an)), "app q1 queue",
	    "app lock a")->kind, DG_EDGE_WAITS);
	ta_done(&r);
	/* The same, at the same time: also one class cycle (and a deadlock). */
	ta_run(&r, "locks-deadlock.json", 0);
	assert_int_equal(an_count(r.an, FD_POTENTIAL_CYCLE), 1);
	ta_done(&r);
}

/* The delivery edge is counted once per AUTH message of the client. */
static void
test_counts(void **state)
{
	struct ta_run r;
	const struct finding *f;
	size_t nauth = 0;

	(void)state;
	ta_run(&r, "codesign.json", PROBE_BIT(PROBE_MSG_ENQUEUE));
	for (size_t i = 0; i < r.log.n; i++)
		nauth += r.log.r[i].evtype == evtype_by_name("AUTH_OPEN")->value;
	assert_true(nauth > 1000);
	assert_int_equal(an_count(r.an, FD_POTENTIAL_CYCLE), 1);
	f = ta_nth(&r, FD_POTENTIAL_CYCLE, 0);
	assert_string_equal(f->chain, "acme's answer to AUTH_OPEN \u2192 acme "
	    "delivery queue \u2192 syspolicyd.assess \u2192 acme's answer to "
	    "AUTH_OPEN");
	assert_int_equal(f->rows[0].count, nauth);
	assert_true(f->rows[1].count >= 1 && f->rows[1].count < nauth);
	ta_done(&r);
}

static void
test_no_cycle(void **state)
{
	struct ta_run r;

	(void)state;
	ta_run(&r, "deadline.json", 0);
	assert_int_equal(an_count(r.an, FD_POTENTIAL_CYCLE), 0);
	assert_int_equal(lk_truncated(an_lockdep(r.an)), 0);
	ta_done(&r);
	ta_run(&r, "daemon-queue-free.json", 0);
	assert_int_equal(an_count(r.an, FD_POTENTIAL_CYCLE), 0);
	ta_done(&r);
}

/*
 * A serial queue targeting a serial queue: its drainer takes the inner
 * queue holding the outer, without any sync, so the analyses follow the
 * QUEUE_ACQUIRE probes and lockdep orders outer before inner.  A model in
 * which no queue can be taken that way (codesign.json: no sync, no lock,
 * no serial target) has them not followed at all: what a thread holds is
 * asked of the world.
 */
static void
test_target_nesting(void **state)
{
	struct ta_run r;
	const struct dg_edge *e;

	(void)state;
	ta_run(&r, "queues-target.json", 0);
	assert_true(probe_on(world_bus(r.w), PROBE_QUEUE_ACQUIRE));
	assert_false(probe_on(world_bus(r.w), PROBE_QUEUE_RELEASE));
	e = edge(lk_graph(an_lockdep(r.an)), "app outer queue",
	    "app inner queue");
	assert_non_null(e);
	assert_int_equal(e->kind, DG_EDGE_WAITS);
	assert_int_equal(e->count, 2);
	assert_int_equal(dg_nedges(lk_graph(an_lockdep(r.an))), 1);
	assert_int_equal(an_count(r.an, FD_POTENTIAL_CYCLE), 0);
	ta_done(&r);
	ta_run(&r, "codesign.json", 0);
	assert_false(probe_on(world_bus(r.w), PROBE_QUEUE_ACQUIRE));
	assert_false(probe_on(world_bus(r.w), PROBE_QUEUE_RELEASE));
	/* The delivery queue's edge, from the queue the world says the
	 * handler's thread holds. */
	assert_non_null(edge(lk_graph(an_lockdep(r.an)), "acme delivery queue",
	    "syspolicyd.assess"));
	ta_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ring3_potential),
		cmocka_unit_test(test_ring3_closed_is_one_cycle),
		cmocka_unit_test(test_queue_inversion),
		cmocka_unit_test(test_lock_inversion),
		cmocka_unit_test(test_counts),
		cmocka_unit_test(test_no_cycle),
		cmocka_unit_test(test_target_nesting),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
