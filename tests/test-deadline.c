/*
 * test-deadline.c - deadlines, headroom and latencies per client and
 * type, on a model whose numbers are known exactly: fast answers after
 * 2 ms of cpu (plus 50 us of thread creation for the first message),
 * slow misses its 10 ms deadline every time in fail_open mode, so every
 * open takes exactly 10 ms.  Counts are checked against the run's probes;
 * kills are charged to the type whose miss caused them (the ring).
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "analysis/stats.h"
#include "test-an-util.h"

#define MS	INT64_C(1000000)

static void
test_fast_and_slow(void **state)
{
	struct ta_run r;
	const struct dl *d;
	const struct finding *f;
	int open = evtype_by_name("AUTH_OPEN")->value, fast, slow;
	uint64_t n;

	(void)state;
	ta_run(&r, "deadline.json", PROBE_BIT(PROBE_SYSCALL));
	d = an_deadline(r.an);
	fast = model_client(r.m, "fast")->id;
	slow = model_client(r.m, "slow")->id;
	n = tw_count(&r.log, PROBE_SYSCALL, -1);
	assert_int_equal(n, 9);
	assert_int_equal(dl_deadline(d, fast, open), 10 * MS);
	assert_int_equal(dl_messages(d, fast, open), n);
	assert_int_equal(dl_messages(d, slow, open), n);
	assert_int_equal(dl_type_misses(d, fast, open), 0);
	assert_int_equal(dl_type_misses(d, slow, open), n);
	assert_int_equal(dl_misses(d, slow), n);
	assert_int_equal(dl_kills(d, slow), 0);
	/* 10 ms - (50 us + 2 ms) for the first message; 8 ms for the rest. */
	assert_int_equal(dl_min_headroom(d, fast, open), 7950 * TA_US);
	assert_int_equal(dl_client_min_headroom(d, fast), 7950 * TA_US);
	assert_int_equal(dl_min_headroom(d, slow, open), -1);
	assert_true(llabs(dl_headroom_quantile(d, fast, open, 0.5) -
	    8 * MS) <= 8 * MS / 256);
	assert_int_equal(hist_count(dl_response(d, fast, open)), n);
	assert_int_equal(hist_max(dl_response(d, fast, open)), 2050 * TA_US);
	assert_int_equal(hist_count(dl_client_response(d, fast)), n);
	assert_null(dl_response(d, slow, open));
	assert_int_equal(hist_count(dl_queue_wait(d, fast)), n);
	assert_int_equal(hist_max(dl_queue_wait(d, fast)), 50 * TA_US);
	assert_int_equal(hist_count(dl_syscall(d, open)), n);
	assert_int_equal(hist_min(dl_syscall(d, open)), 10 * MS);
	assert_int_equal(hist_max(dl_syscall(d, open)), 10 * MS);
	/* One overrun finding, for slow. */
	assert_int_equal(an_count(r.an, FD_DEADLINE), 1);
	f = ta_nth(&r, FD_DEADLINE, 0);
	assert_int_equal(f->client, slow);
	assert_int_equal(f->count, n);
	assert_int_equal(f->value, 0);
	assert_int_equal(f->t, 110 * MS);	/* first open at 100 ms */
	assert_string_equal(f->summary, "slow missed the AUTH_OPEN deadline "
	    "(10ms) 9 times of 9 messages, 0 kills; min headroom of the "
	    "answers: none answered");
	ta_done(&r);
}

static void
test_kills_by_type(void **state)
{
	struct ta_run r;
	const struct dl *d;
	int open = evtype_by_name("AUTH_OPEN")->value;
	json_t *j, *a;

	(void)state;
	ta_run(&r, "ring3-deadlock.json", 0);
	d = an_deadline(r.an);
	assert_int_equal(dl_kills(d, 0), 1);
	assert_int_equal(dl_type_kills(d, 0, open), 1);
	assert_int_equal(dl_kills(d, 1) + dl_kills(d, 2), 0);
	assert_int_equal(dl_restarts(d, 0), 1);
	/* b answered /b/file 50 us before the deadline. */
	assert_int_equal(dl_min_headroom(d, 1, open), 50 * TA_US);
	j = dl_json(d);
	a = json_object_get(json_object_get(json_object_get(j, "clients"),
	    "a"), "types");
	assert_int_equal(json_integer_value(json_object_get(json_object_get(a,
	    "AUTH_OPEN"), "kills")), 1);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(
	    json_object_get(j, "syscalls"), "AUTH_OPEN"), "count")), 4);
	json_decref(j);
	/* The whole analyses: JSON and the text `essim run` prints. */
	j = an_json(r.an);
	assert_int_equal(json_array_size(json_object_get(j, "findings")),
	    an_findings(r.an)->n);
	assert_non_null(json_object_get(json_object_get(j, "deadlines"),
	    "clients"));
	json_decref(j);
	{
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		an_print(r.an, f);
		fclose(f);
		assert_non_null(strstr(buf, "analyses: 1 deadlock, 1 potential "
		    "cycle, 0 thread explosions, 1 deadline overrun\n"));
		assert_non_null(strstr(buf, "chain: a delivery queue \u2192 "));
		assert_non_null(strstr(buf, "broken at t=11.000s when the "
		    "AUTH_OPEN deadline killed a\n"));
		free(buf);
	}
	ta_done(&r);
}

/*
 * The response and syscall histograms are the run counters' when the
 * analyses are given them, and a client's response times over all types
 * are the exact merge of its types': asked for during the run (after
 * the first answers) and after it, they agree with the probes.
 */
struct shared_probe {
	const struct stats	*st;
	int			 client;
	uint64_t		 answers, checked;
	int64_t			 max;
};

static void
shared_listen(void *arg, const struct probe_ev *ev)
{
	struct shared_probe *sp = arg;
	const struct hist *h;

	if (ev->client != sp->client)
		return;
	if (ev->kind == PROBE_MSG_ENQUEUE && sp->answers > 0) {
		/* Between two answers: the merge so far. */
		h = stats_client_response(sp->st, sp->client);
		assert_int_equal(hist_count(h), sp->answers);
		assert_int_equal(hist_max(h), sp->max);
		sp->checked++;
	}
	if (ev->kind == PROBE_MSG_RESPOND) {
		sp->answers++;
		if (ev->value > sp->max)
			sp->max = ev->value;
	}
}

static void
test_shared_with_stats(void **state)
{
	struct an_opts o = AN_OPTS_INIT;
	struct shared_probe sp = { NULL, 0, 0, 0, -1 };
	struct model *m = ta_fixture("deadline.json");
	struct world *w = world_new(m, NULL);
	struct stats *st = stats_new(m, world_bus(w));
	int open = evtype_by_name("AUTH_OPEN")->value;
	int fast = model_client(m, "fast")->id;
	int slow = model_client(m, "slow")->id;
	const struct dl *d;
	const struct hist *h;
	struct an *an;

	(void)state;
	o.stats = st;
	an = an_attach(world_bus(w), m, &o);
	sp.st = st;
	sp.client = fast;
	probe_listen(world_bus(w), PROBE_BIT(PROBE_MSG_ENQUEUE) |
	    PROBE_BIT(PROBE_MSG_RESPOND), shared_listen, &sp);
	world_run(w);
	an_findings(an);
	d = an_deadline(an);
	assert_int_equal(sp.checked, 8);	/* the 2nd to 9th opens */
	assert_ptr_equal(dl_response(d, fast, open), stats_response(st, fast,
	    open));
	assert_ptr_equal(dl_syscall(d, open), stats_syscall_latency(st, open));
	assert_null(stats_response(st, slow, open));
	assert_null(stats_response(st, fast, -1));
	assert_null(stats_response(st, fast, EVSET_BITS));
	assert_null(stats_response(st, (int)m->nclients, open));
	/* Over all types: the merge, the same histogram twice. */
	h = stats_client_response(st, fast);
	assert_ptr_equal(dl_client_response(d, fast), h);
	assert_ptr_equal(stats_client_response(st, fast), h);
	assert_int_equal(hist_count(h), 9);
	assert_int_equal(hist_max(h), 2050 * TA_US);
	assert_int_equal(hist_min(h), 2 * MS);
	assert_int_equal(hist_quantile(h, 0.5), hist_quantile(
	    stats_response(st, fast, open), 0.5));
	/* slow answered nothing: an empty summary, no deadline histogram. */
	assert_int_equal(hist_count(stats_client_response(st, slow)), 0);
	assert_null(dl_client_response(d, slow));
	an_free(an);
	stats_free(st);
	world_free(w);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fast_and_slow),
		cmocka_unit_test(test_kills_by_type),
		cmocka_unit_test(test_shared_with_stats),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
