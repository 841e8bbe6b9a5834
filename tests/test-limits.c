/*
 * test-limits.c - the model's "limits" block: defaults, validation, and
 * what the world does when a run passes one (stops at that instant with
 * one precise error, never an abort or unbounded memory), and that a run
 * under its limits is untouched by them.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "analysis/stats.h"
#include "core/loop.h"
#include "test-world-util.h"

/* A client that never answers: every open blocks its thread for good. */
#define STUCK_CLIENT \
	"\"es\": { \"deadline\": \"1h\" }," \
	"\"clients\": { \"stuck\": { \"subscribe\": [\"AUTH_OPEN\"]," \
	"  \"handler\": { \"AUTH_OPEN\": [ { \"sleep\": \"1h\" }," \
	"    { \"respond\": \"allow\" } ] } } },"

static int
load_fails(const char *text, const char *want)
{
	struct diag d = DIAG_INIT;
	json_t *doc = json_loads(text, 0, NULL);
	struct model *m;
	int found = 0;

	assert_non_null(doc);
	m = model_load_json(doc, "inline.json", ".", &d);
	json_decref(doc);
	for (size_t i = 0; i < diag_count(&d); i++)
		if (strcmp(diag_msg(&d, i), want) == 0)
			found = 1;
	if (!found)
		diag_print(&d, "got", stderr);
	diag_release(&d);
	model_free(m);
	return m == NULL && found;
}

static void
test_defaults(void **state)
{
	struct model *m = tw_model("{ \"essim\": 1 }");

	(void)state;
	assert_int_equal(m->max_threads, 0);
	assert_int_equal(m->max_world_threads, 1000000);
	assert_int_equal(m->max_queued, 1000000);
	assert_int_equal(m->max_delivery_queue, 0);
	model_free(m);
	m = tw_model("{ \"essim\": 1, \"limits\": { \"max_threads\": 0,"
	    " \"max_world_threads\": 7, \"max_queued\": 3 } }");
	assert_int_equal(m->max_threads, 0);
	assert_int_equal(m->max_world_threads, 7);
	assert_int_equal(m->max_queued, 3);
	model_free(m);
	/* A per-process limit above the default world guard raises it. */
	m = tw_model("{ \"essim\": 1, \"limits\": { \"max_threads\": "
	    "2000000 } }");
	assert_int_equal(m->max_threads, 2000000);
	assert_int_equal(m->max_world_threads, 2000000);
	model_free(m);
}

static void
test_bad_values(void **state)
{
	(void)state;
	assert_true(load_fails("{ \"essim\": 1, \"limits\": "
	    "{ \"max_threads\": -1 } }", "inline.json: /limits/max_threads: "
	    "must be between 0 and 2147483647, got -1"));
	assert_true(load_fails("{ \"essim\": 1, \"limits\": "
	    "{ \"max_threads\": 100, \"max_world_threads\": 99 } }",
	    "inline.json: /limits/max_world_threads: must be 0 (no limit) or "
	    "at least max_threads (100)"));
	assert_true(load_fails("{ \"essim\": 1, \"limits\": "
	    "{ \"threads\": 1 } }",
	    "inline.json: /limits/threads: unknown key \"threads\""));
	assert_true(load_fails("{ \"essim\": 1, \"limits\": 5 }",
	    "inline.json: /limits: expected an object, got an integer"));
}

/* Open-loop arrivals that all block: app passes max_threads. */
static void
test_threads_stop_the_run(void **state)
{
	struct model *m = tw_model("{ \"essim\": 1, \"duration\": \"60s\","
	    STUCK_CLIENT
	    "\"limits\": { \"max_threads\": 100 },"
	    "\"workload\": { \"sources\": [ { \"process\": \"app\","
	    "  \"event\": \"AUTH_OPEN\", \"rate\": \"1000/s\","
	    "  \"arrival\": \"constant\", \"path\": \"/x\" } ] } }");
	struct world *w = world_new(m, NULL);
	struct err e = ERR_INIT;
	int app = model_process(m, "app")->id;

	(void)state;
	assert_int_equal(world_error(w, &e), 0);
	world_run(w);
	assert_int_equal(world_error(w, &e), -1);
	assert_string_equal(e.file, "inline.json");
	assert_string_equal(e.ptr, "/limits/max_threads");
	assert_string_equal(e.text, "process app has 101 threads (limit 100) "
	    "at t=101ms");
	/* Stopped at that instant, not at the end; nothing ran after. */
	assert_int_equal(world_now(w), 101 * NS_PER_MS);
	assert_int_equal(world_proc_threads(w, app), 101);
	assert_int_equal(world_threads(w), 101 + 1);	/* + the client */
	/* Running on is a no-op: the run is over. */
	world_run_until(w, 2 * NS_PER_S);
	assert_int_equal(world_now(w), 101 * NS_PER_MS);
	world_free(w);
	model_free(m);
}

/* Each process under its own limit; together past the world's. */
static void
test_world_threads(void **state)
{
	struct model *m = tw_model("{ \"essim\": 1, \"duration\": \"60s\","
	    STUCK_CLIENT
	    "\"limits\": { \"max_threads\": 600, \"max_world_threads\": 1000 },"
	    "\"workload\": { \"sources\": ["
	    "  { \"process\": \"a\", \"event\": \"AUTH_OPEN\", \"rate\": \"500/s\","
	    "    \"arrival\": \"constant\", \"path\": \"/a\" },"
	    "  { \"process\": \"b\", \"event\": \"AUTH_OPEN\", \"rate\": \"500/s\","
	    "    \"arrival\": \"constant\", \"path\": \"/b\" } ] } }");
	struct world *w = world_new(m, NULL);
	struct err e = ERR_INIT;

	(void)state;
	world_run(w);
	assert_int_equal(world_error(w, &e), -1);
	assert_string_equal(e.ptr, "/limits/max_world_threads");
	assert_string_equal(e.text, "1001 threads in all processes, the last "
	    "in b (limit 1000) at t=1s");
	assert_int_equal(world_threads_peak(w), 1001);
	world_free(w);
	model_free(m);
}

/* A limit passed at time 0, before the loop runs, stops it too. */
static void
test_limit_at_start(void **state)
{
	struct model *m = tw_model("{ \"essim\": 1, \"duration\": \"10s\","
	    "\"limits\": { \"max_threads\": 512, \"max_world_threads\": 600 },"
	    "\"processes\": {"
	    "  \"p\": { \"threads\": 400, \"program\": [ { \"sleep\": \"1s\" } ] },"
	    "  \"q\": { \"threads\": 400, \"program\": [ { \"sleep\": \"1s\" } ] }"
	    "} }");
	struct world *w = world_new(m, NULL);
	struct err e = ERR_INIT;

	(void)state;
	world_run(w);
	assert_int_equal(world_error(w, &e), -1);
	assert_string_equal(e.text, "601 threads in all processes, the last "
	    "in q (limit 600) at t=0s");
	assert_int_equal(world_now(w), 0);
	world_free(w);
	model_free(m);
}

/* dispatch_async never fails: a backlog past max_queued stops the run. */
static void
test_queued_backlog(void **state)
{
	struct model *m = tw_model("{ \"essim\": 1, \"duration\": \"60s\","
	    "\"processes\": { \"producer\": {"
	    "  \"queues\": { \"slow\": { \"kind\": \"serial\" } },"
	    "  \"program\": [ { \"repeat\": \"forever\", \"do\": ["
	    "    { \"sleep\": \"10us\" },"
	    "    { \"async\": \"slow\", \"do\": [ { \"sleep\": \"1ms\" } ] }"
	    "] } ] } },"
	    "\"limits\": { \"max_queued\": 500 } }");
	struct world *w = world_new(m, NULL);
	struct err e = ERR_INIT;

	(void)state;
	world_run(w);
	assert_int_equal(world_error(w, &e), -1);
	assert_string_equal(e.ptr, "/limits/max_queued");
	assert_string_equal(e.text, "501 blocks queued in process producer, "
	    "the last on producer slow queue (limit 500) at t=5.07ms");
	world_free(w);
	model_free(m);
}

/*
 * A slow client (10 ms a message) fed 1000 opens a second keeps at most
 * max_delivery_queue messages waiting; the rest are dropped, allowed
 * (denied under fail_closed) without it, and the run goes on.
 */
static void
delivery(const char *mode, int cap, uint64_t *drops, uint64_t *auth,
    int64_t *first, size_t *done, size_t *denied, size_t *msgs)
{
	char *text = xasprintf("{ \"essim\": 1, \"duration\": \"1s\","
	    "\"clients\": { \"slow\": { \"subscribe\": [\"AUTH_OPEN\"],"
	    "  \"miss_mode\": \"%s\","
	    "  \"handler\": { \"AUTH_OPEN\": [ { \"cpu\": \"10ms\" },"
	    "    { \"respond\": \"allow\" } ] } } },"
	    "\"limits\": { \"max_delivery_queue\": %d },"
	    "\"workload\": { \"sources\": [ { \"process\": \"app\","
	    "  \"event\": \"AUTH_OPEN\", \"rate\": \"1000/s\","
	    "  \"arrival\": \"constant\", \"path\": \"/x\" } ] } }",
	    mode, cap);
	struct model *m = tw_model(text);
	struct world *w = world_new(m, NULL);
	struct stats *st = stats_new(m, world_bus(w));
	struct tw_log log;
	struct stats_finding f;
	uint64_t sauth;

	tw_listen(&log, w, PROBE_BIT(PROBE_SYSCALL_DONE) |
	    PROBE_BIT(PROBE_MSG_ENQUEUE));
	world_run(w);
	assert_int_equal(world_error(w, NULL), 0);
	assert_int_equal(world_now(w), NS_PER_S);
	*drops = world_client_drops(w, 0, auth, first);
	/* The run counters see the same drops, the first as a finding. */
	assert_int_equal(stats_client_drops(st, 0, &sauth), *drops);
	assert_int_equal(sauth, *auth);
	if (*drops > 0) {
		assert_int_equal(stats_nfindings(st), 1);
		assert_int_not_equal(stats_finding(st, 0, &f), 0);
		assert_string_equal(f.kind, "drop");
		assert_int_equal(f.t, *first);
		assert_int_equal(f.client, 0);
		assert_non_null(strstr(f.detail, "slow's delivery queue is full"));
	} else
		assert_int_equal(stats_nfindings(st), 0);
	stats_free(st);
	*done = tw_count(&log, PROBE_SYSCALL_DONE, -1);
	*msgs = tw_count(&log, PROBE_MSG_ENQUEUE, -1);
	*denied = 0;
	for (size_t i = 0; i < log.n; i++)
		if (log.r[i].kind == PROBE_SYSCALL_DONE && !log.r[i].verdict)
			(*denied)++;
	tw_log_free(&log);
	world_free(w);
	model_free(m);
	free(text);
}

static void
test_delivery_queue_drops(void **state)
{
	uint64_t drops, auth;
	int64_t first;
	size_t done, denied, msgs;

	(void)state;
	/* No limit (the default): nothing dropped, the queue just grows. */
	delivery("kill", 0, &drops, &auth, &first, &done, &denied, &msgs);
	assert_int_equal(drops, 0);
	assert_int_equal(first, -1);
	assert_int_equal(msgs, 999);		/* t = 1ms .. 999ms */
	/*
	 * 10 waiting at most.  The 1ms open is handled from 1.05ms (a pool
	 * thread takes 50us to start) to 11.05ms; the 2ms open is taken
	 * then, so the 12ms one makes 10 and the 13ms one is the first drop.
	 */
	delivery("kill", 10, &drops, &auth, &first, &done, &denied, &msgs);
	assert_int_equal(first, 13 * NS_PER_MS);
	assert_int_equal(drops, auth);
	assert_int_equal(msgs + drops, 999);
	assert_true(drops > 800);
	assert_int_equal(denied, 0);
	/* Dropped opens complete at once, allowed: none waits for slow. */
	assert_true(done >= drops);
	delivery("fail_closed", 10, &drops, &auth, &first, &done, &denied,
	    &msgs);
	assert_true(drops > 800);
	assert_int_equal(denied, drops);
}

/*
 * Under its limits a run is untouched: the same busy model with the
 * limits off and with limits it never reaches gives the same probes.
 */
static void
run_digest(const char *limits, uint64_t *events, int *peak, int64_t *now)
{
	char *text = xasprintf("{ \"essim\": 1, \"duration\": \"2s\","
	    "\"clients\": { \"c\": { \"subscribe\": [\"AUTH_OPEN\"],"
	    "  \"queues\": { \"work\": { \"kind\": \"concurrent\" } },"
	    "  \"handler\": { \"AUTH_OPEN\": [ { \"retain\": true },"
	    "    { \"async\": \"work\", \"do\": [ { \"sleep\": {\"exp\": \"5ms\"} },"
	    "      { \"respond\": \"allow\" } ] } ] } } },"
	    "\"limits\": %s,"
	    "\"workload\": { \"sources\": [ { \"process\": \"app\","
	    "  \"event\": \"AUTH_OPEN\", \"rate\": \"2000/s\", \"path\": \"/x\" } ] } }",
	    limits);
	struct model *m = tw_model(text);
	struct world *w = world_new(m, NULL);

	world_run(w);
	assert_int_equal(world_error(w, NULL), 0);
	*events = world_events(w);
	*peak = world_threads_peak(w);
	*now = world_now(w);
	world_free(w);
	model_free(m);
	free(text);
}

static void
test_under_limits_unchanged(void **state)
{
	uint64_t e1, e2;
	int p1, p2;
	int64_t n1, n2;

	(void)state;
	run_digest("{ \"max_threads\": 0, \"max_world_threads\": 0,"
	    " \"max_queued\": 0 }", &e1, &p1, &n1);
	run_digest("{ \"max_threads\": 1000, \"max_world_threads\": 1000,"
	    " \"max_queued\": 1000 }", &e2, &p2, &n2);
	assert_true(e1 > 1000);
	assert_true(p1 > 10);
	assert_int_equal(e1, e2);
	assert_int_equal(p1, p2);
	assert_int_equal(n1, 2 * NS_PER_S);
	assert_int_equal(n2, 2 * NS_PER_S);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_defaults),
		cmocka_unit_test(test_bad_values),
		cmocka_unit_test(test_threads_stop_the_run),
		cmocka_unit_test(test_world_threads),
		cmocka_unit_test(test_limit_at_start),
		cmocka_unit_test(test_queued_backlog),
		cmocka_unit_test(test_delivery_queue_drops),
		cmocka_unit_test(test_under_limits_unchanged),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
