/*
 * test-poolmon.c - thread explosions.  The oracle is the run's own
 * THREAD_SPAWN/EXIT probes of pool threads: from them the test recounts
 * the pool over time, its peak, the time at or above the threshold and
 * the number of crossings, and the monitor must agree exactly.  Blame:
 * 100 sleeping blocks on a concurrent queue are charged to the process's
 * concurrent queues (63 blocked threads when the 64th arrives); blocks on
 * serial queues to those queues, by name.  The series stays within its
 * bound and keeps the peak; sampling by interval keeps one point per
 * interval.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "test-an-util.h"

#define S	INT64_C(1000000000)

struct oracle {
	int	 peak, crossings;
	int64_t	 above;
};

/* Recount process proc's pool from the probes, against threshold th. */
static struct oracle
recount(const struct tw_log *l, int proc, int th, int64_t end)
{
	struct oracle o = { 0, 0, 0 };
	int n = 0;
	int64_t since = 0;

	for (size_t i = 0; i < l->n; i++) {
		const struct tw_rec *r = &l->r[i];
		int was = n;

		if (r->process != proc || r->role != PROBE_ROLE_POOL)
			continue;
		n += r->kind == PROBE_THREAD_SPAWN ? 1 : -1;
		if (n > o.peak)
			o.peak = n;
		if (was < th && n >= th) {
			o.crossings++;
			since = r->t;
		} else if (was >= th && n < th) {
			o.above += r->t - since;
		}
	}
	if (n >= th && o.crossings > 0)
		o.above += end - since;
	return o;
}

static void
test_explosion(void **state)
{
	struct ta_run r;
	const struct pm *pm;
	const struct finding *f;
	const struct m_process *app;
	struct oracle o;

	(void)state;
	ta_run(&r, "explosion.json", PROBE_BIT(PROBE_THREAD_SPAWN) |
	    PROBE_BIT(PROBE_THREAD_EXIT));
	pm = an_poolmon(r.an);
	app = model_process(r.m, "app");
	o = recount(&r.log, app->id, 64, world_now(r.w));
	assert_int_equal(pm_threshold(pm), 64);
	assert_int_equal(o.peak, 64);		/* the constrained cap */
	assert_int_equal(pm_peak(pm, app->id), o.peak);
	assert_int_equal(pm_crossings(pm, app->id), o.crossings);
	assert_int_equal(pm_time_above(pm, app->id), o.above);
	assert_true(o.above > 2 * S);
	assert_int_equal(pm_explosions(pm), 1);
	assert_int_equal(an_count(r.an, FD_THREAD_EXPLOSION), 1);
	f = ta_nth(&r, FD_THREAD_EXPLOSION, 0);
	assert_int_equal(f->process, app->id);
	assert_int_equal(f->value, 64);
	assert_int_equal(f->count, o.crossings);
	assert_int_equal(f->nrows, 1);
	assert_string_equal(f->rows[0].who, "app concurrent queues");
	assert_int_equal(f->rows[0].count, 63);	/* all but the newest */
	ta_done(&r);
}

static void
test_serial_blame(void **state)
{
	struct an_opts o = AN_OPTS_INIT;
	struct ta_run r;
	const struct finding *f;

	(void)state;
	o.pool.threshold = 4;
	ta_run_opts(&r, "serial-block.json", &o, 0);
	assert_int_equal(pm_peak(an_poolmon(r.an), model_process(r.m,
	    "app")->id), 4);
	f = ta_nth(&r, FD_THREAD_EXPLOSION, 0);
	assert_non_null(f);
	assert_int_equal(f->nrows, 3);
	assert_string_equal(f->rows[0].who, "app s1 queue");
	assert_string_equal(f->rows[1].who, "app s2 queue");
	assert_string_equal(f->rows[2].who, "app s3 queue");
	for (size_t i = 0; i < 3; i++)
		assert_int_equal(f->rows[i].count, 1);
	ta_done(&r);
	/* The default threshold (64) is never reached. */
	ta_run(&r, "serial-block.json", 0);
	assert_int_equal(an_count(r.an, FD_THREAD_EXPLOSION), 0);
	ta_done(&r);
}

static void
test_series_bounded(void **state)
{
	struct an_opts o = AN_OPTS_INIT;
	struct ta_run r;
	const struct pm_point *p;
	size_t n;
	int id, top = 0;

	(void)state;
	o.pool.max_points = 8;
	ta_run_opts(&r, "explosion.json", &o, 0);
	id = model_process(r.m, "app")->id;
	p = pm_series(an_poolmon(r.an), id, &n);
	assert_true(n >= 2 && n <= 8);
	for (size_t i = 0; i < n; i++) {
		if (i > 0)
			assert_true(p[i].t > p[i - 1].t);
		top = p[i].threads > top ? p[i].threads : top;
	}
	assert_int_equal(top, 64);		/* halving keeps the peak */
	ta_done(&r);

	o.pool.max_points = 0;
	o.pool.interval = 1 * S;
	ta_run_opts(&r, "explosion.json", &o, 0);
	p = pm_series(an_poolmon(r.an), id, &n);
	assert_true(n >= 2 && n <= 21);
	for (size_t i = 1; i < n; i++)
		assert_true(p[i].t / S > p[i - 1].t / S);
	ta_done(&r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_explosion),
		cmocka_unit_test(test_serial_blame),
		cmocka_unit_test(test_series_bounded),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
