/*
 * test-world.c - the simulated world as a whole: queueing theory, the
 * classic handler -> daemon -> ES deadlock and its fix, determinism, and
 * the names probes give to things.
 *
 * Tolerances.  The queueing tests compare a simulated mean with its exact
 * value within 2%.  To make sure 2% is a real test and not luck, each test
 * also estimates the standard error of the simulated mean by batch means
 * (NBATCH batches of consecutive samples, which absorbs the serial
 * correlation of waiting times) and asserts that 2% is at least three
 * standard errors: the run is long enough that a correct model lands
 * inside the band with probability above 99.7%, and a model off by more
 * than a few percent cannot.  The seed is fixed, so the outcome is too.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "core/rng.h"
#include "es/wint.h"
#include "test-world-util.h"

#define NBATCH	100

/* Values of one probe kind, in emission order. */
struct samples {
	enum probe_kind	 kind;
	int64_t		*v;
	size_t		 n, alloc;
};

static void
sample_fn(void *arg, const struct probe_ev *ev)
{
	struct samples *s = arg;

	if (ev->kind != s->kind)
		return;
	XGROW(s->v, s->n + 1, s->alloc);
	s->v[s->n++] = ev->value;
}

static double
mean_of(const int64_t *v, size_t n)
{
	double sum = 0;

	for (size_t i = 0; i < n; i++)
		sum += (double)v[i];
	return sum / (double)n;
}

/* Standard error of the mean by batch means. */
static double
batch_se(const int64_t *v, size_t n)
{
	size_t b = n / NBATCH;
	double m[NBATCH], mm = 0, var = 0;

	for (int i = 0; i < NBATCH; i++) {
		m[i] = mean_of(v + (size_t)i * b, b);
		mm += m[i] / NBATCH;
	}
	for (int i = 0; i < NBATCH; i++)
		var += (m[i] - mm) * (m[i] - mm) / (NBATCH - 1);
	return sqrt(var / NBATCH);
}

static void
check_mean(const char *what, const struct samples *s, double expect)
{
	double m = mean_of(s->v, s->n), se = batch_se(s->v, s->n);

	printf("# %s: n %zu mean %.1f ns, exact %.1f ns, error %+.3f%%, "
	    "2%% = %.1f standard errors\n", what, s->n, m, expect,
	    100 * (m - expect) / expect, 0.02 * expect / se);
	assert_true(0.02 * expect >= 3 * se);
	assert_true(fabs(m - expect) <= 0.02 * expect);
}

/*
 * M/M/1: Poisson arrivals at 500/s to one client whose handler computes
 * for an exponential 1 ms, on its serial delivery queue.  Response (queue
 * to respond) 1/(mu - lambda) = 2 ms; wait (queue to handler start)
 * rho/(mu - lambda) = 1 ms.
 */
static void
test_mm1(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"mm1\","
	    "\"duration\": \"3000s\", \"seed\": 7,"
	    "\"gcd\": {\"create_latency\": \"0s\"},"
	    "\"clients\": {\"c\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    "  \"handler\": {\"AUTH_OPEN\": [{\"cpu\": {\"exp\": \"1ms\"}},"
	    "    {\"respond\": \"allow\"}]}}},"
	    "\"workload\": {\"sources\": [{\"process\": \"app\","
	    "  \"event\": \"AUTH_OPEN\", \"rate\": \"500/s\", \"path\": \"/a\"}]}}");
	struct world *w = world_new(m, NULL);
	struct samples resp = { PROBE_MSG_RESPOND, NULL, 0, 0 };
	struct samples wait = { PROBE_MSG_HANDLER_START, NULL, 0, 0 };

	(void)state;
	probe_listen(world_bus(w), PROBE_BIT(PROBE_MSG_RESPOND), sample_fn,
	    &resp);
	probe_listen(world_bus(w), PROBE_BIT(PROBE_MSG_HANDLER_START),
	    sample_fn, &wait);
	world_run(w);
	assert_true(resp.n > 1450000);
	check_mean("M/M/1 response", &resp, 2e6);
	check_mean("M/M/1 wait", &wait, 1e6);
	free(resp.v);
	free(wait.v);
	world_free(w);
	model_free(m);
}

/* Erlang C: probability that an arrival waits in M/M/c. */
static double
erlang_c(int c, double a)
{
	double term = 1, sum = 1, top;

	for (int k = 1; k < c; k++) {
		term *= a / k;
		sum += term;
	}
	top = term * a / c / (1 - a / c);
	return top / (sum + top);
}

/*
 * M/M/c: the handler retains each message and dispatches it to a
 * concurrent queue of width 4, whose blocks compute for an exponential
 * 1 ms and answer.  Arrivals 3000/s: rho 0.75.  Wait (queue to block
 * start, marked by the retain) C(c, a) / (c mu - lambda), response that
 * plus 1/mu.  Eight cores, so the pool's admission never binds below the
 * width.
 */
static void
test_mmc(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"mmc\","
	    "\"duration\": \"1200s\", \"seed\": 11, \"machine\": {\"cores\": 8},"
	    "\"gcd\": {\"create_latency\": \"0s\"},"
	    "\"clients\": {\"c\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    "  \"queues\": {\"work\": {\"kind\": \"concurrent\", \"width\": 4}},"
	    "  \"handler\": {\"AUTH_OPEN\": [{\"async\": \"work\", \"do\": ["
	    "    {\"retain\": true}, {\"cpu\": {\"exp\": \"1ms\"}},"
	    "    {\"respond\": \"allow\"}]}]}}},"
	    "\"workload\": {\"sources\": [{\"process\": \"app\","
	    "  \"event\": \"AUTH_OPEN\", \"rate\": \"2400/s\", \"path\": \"/a\"}]}}");
	struct world *w = world_new(m, NULL);
	struct samples resp = { PROBE_MSG_RESPOND, NULL, 0, 0 };
	struct samples wait = { PROBE_MSG_RETAIN, NULL, 0, 0 };
	double lambda = 2400, mu = 1000, wq;

	(void)state;
	probe_listen(world_bus(w), PROBE_BIT(PROBE_MSG_RESPOND), sample_fn,
	    &resp);
	probe_listen(world_bus(w), PROBE_BIT(PROBE_MSG_RETAIN), sample_fn,
	    &wait);
	world_run(w);
	wq = erlang_c(4, lambda / mu) / (4 * mu - lambda) * 1e9;
	assert_true(resp.n > 2800000);
	check_mean("M/M/4 wait", &wait, wq);
	check_mean("M/M/4 response", &resp, wq + 1e9 / mu);
	free(resp.v);
	free(wait.v);
	world_free(w);
	model_free(m);
}

/*
 * The classic deadlock (DESIGN §4): the AUTH_OPEN handler calls
 * syspolicyd on the delivery queue; syspolicyd opens its database, an
 * AUTH_OPEN for the same client, queued behind the handler that waits for
 * syspolicyd.  Finder opens at 1 s.  Nothing can move until ES kills the
 * client at exactly 1 s + 15 s; it restarts 5 s later.
 */
static const char deadlock_model[] =
	"{\"essim\": 1, \"name\": \"deadlock\", \"duration\": \"40s\","
	"\"es\": {\"deadline\": {\"AUTH_OPEN\": \"15s\"}, \"restart_delay\": \"5s\"},"
	"\"gcd\": {\"create_latency\": \"0s\"},"
	"\"daemons\": {\"syspolicyd\": {\"workers\": 2, \"services\": {\"assess\": ["
	"  {\"open\": \"/private/var/db/SystemPolicy\"}, {\"reply\": true}]}}},"
	"\"processes\": {\"Finder\": {\"program\": [{\"sleep\": \"1s\"},"
	"  {\"open\": \"/Library/Acme/agent.plist\"}]}},"
	"\"clients\": {\"acme\": {\"subscribe\": [\"AUTH_OPEN\"],"
	"  \"queues\": {\"work\": {\"kind\": \"serial\"}},"
	"  \"handler\": {\"AUTH_OPEN\": [%s]}}}}";

static const char handler_on_delivery[] =
	"{\"if\": {\"path_prefix\": \"/Library/Acme/\"},"
	" \"then\": [{\"call\": \"syspolicyd.assess\"}, {\"respond\": \"allow\"}],"
	" \"else\": [{\"respond\": \"allow\"}]}";

static const char handler_on_work_queue[] =
	"{\"if\": {\"path_prefix\": \"/Library/Acme/\"},"
	" \"then\": [{\"retain\": true}, {\"async\": \"work\", \"do\": ["
	"   {\"call\": \"syspolicyd.assess\"}, {\"respond\": \"allow\"}]}],"
	" \"else\": [{\"respond\": \"allow\"}]}";

static struct model *
deadlock(const char *handler)
{
	char *text = xasprintf(deadlock_model, handler);
	struct model *m = tw_model(text);

	free(text);
	return m;
}

static void
test_deadlock_killed_at_deadline(void **state)
{
	struct model *m = deadlock(handler_on_delivery);
	struct world *w = world_new(m, NULL);
	struct stats *st = stats_new(m, world_bus(w));
	const struct tw_rec *kill, *start, *done;
	struct tw_log log;

	(void)state;
	tw_listen(&log, w, PROBE_BIT(PROBE_CLIENT_KILL) |
	    PROBE_BIT(PROBE_CLIENT_START) | PROBE_BIT(PROBE_SYSCALL_DONE) |
	    PROBE_BIT(PROBE_DEADLINE_MISS) | PROBE_BIT(PROBE_MSG_DROP));
	world_run(w);
	assert_int_equal(tw_count(&log, PROBE_CLIENT_KILL, -1), 1);
	kill = tw_nth(&log, PROBE_CLIENT_KILL, 0);
	assert_int_equal(kill->t, 16 * TW_S);
	assert_int_equal(kill->value, PROBE_KILL_DEADLINE);
	/* The miss is the message of Finder's open, queued at 1 s. */
	assert_int_equal(tw_nth(&log, PROBE_DEADLINE_MISS, 0)->t, 16 * TW_S);
	/* Both messages stop counting: syspolicyd's and Finder's. */
	assert_int_equal(tw_count(&log, PROBE_MSG_DROP, -1), 2);
	/* Started at 0, restarted 5 s after the kill. */
	assert_int_equal(tw_count(&log, PROBE_CLIENT_START, -1), 2);
	start = tw_nth(&log, PROBE_CLIENT_START, 1);
	assert_int_equal(start->t, 21 * TW_S);
	assert_int_equal(start->value, 1);
	/* Finder's open waited exactly the deadline, and was allowed. */
	for (size_t i = 0; (done = tw_nth(&log, PROBE_SYSCALL_DONE, i)); i++)
		if (done->process == model_process(m, "Finder")->id)
			break;
	assert_non_null(done);
	assert_int_equal(done->value, 15 * TW_S);
	assert_int_equal(done->verdict, 1);
	assert_int_equal(stats_client_kills(st, 0), 1);
	assert_int_equal(stats_client_restarts(st, 0), 1);
	assert_true(world_client_subscribed(w, 0));
	tw_log_free(&log);
	stats_free(st);
	world_free(w);
	model_free(m);
}

static void
test_deadlock_fixed_by_retain_and_queue(void **state)
{
	struct model *m = deadlock(handler_on_work_queue);
	struct world *w = world_new(m, NULL);
	struct stats *st = stats_new(m, world_bus(w));
	struct tw_log log;
	const struct tw_rec *r;

	(void)state;
	tw_listen(&log, w, PROBE_BIT(PROBE_SYSCALL_DONE) |
	    PROBE_BIT(PROBE_DEADLINE_MISS) | PROBE_BIT(PROBE_CLIENT_KILL));
	world_run(w);
	assert_int_equal(tw_count(&log, PROBE_DEADLINE_MISS, -1), 0);
	assert_int_equal(tw_count(&log, PROBE_CLIENT_KILL, -1), 0);
	assert_int_equal(tw_count(&log, PROBE_SYSCALL_DONE, -1), 2);
	for (size_t i = 0; (r = tw_nth(&log, PROBE_SYSCALL_DONE, i)); i++) {
		assert_int_equal(r->verdict, 1);
		assert_int_equal(r->value, 0);	/* no time is modelled */
	}
	assert_int_equal(stats_client_messages(st, 0), 2);
	tw_log_free(&log);
	stats_free(st);
	world_free(w);
	model_free(m);
}

/* Names of things, as analyses will print them in chains. */
static void
test_probe_names(void **state)
{
	struct model *m = deadlock(handler_on_delivery);
	struct world *w = world_new(m, NULL);
	struct tw_log log;
	int q = 0, worker = 0, msg = 0, call = 0;

	(void)state;
	tw_listen(&log, w, PROBE_ALL);
	world_run_until(w, 2 * TW_S);
	for (size_t i = 0; i < log.n; i++) {
		const struct tw_rec *r = &log.r[i];

		q += strcmp(r->name, "acme delivery queue") == 0;
		worker += strcmp(r->tname, "syspolicyd worker 2") == 0;
		msg += strcmp(r->name,
		    "AUTH_OPEN /private/var/db/SystemPolicy (acme)") == 0;
		call += r->kind == PROBE_WAIT && r->wait == PROBE_WAIT_CALL &&
		    strcmp(r->tname, "acme pool thread 1") == 0 &&
		    strcmp(r->name, "syspolicyd.assess request") == 0;
	}
	assert_true(q > 0);
	assert_true(worker > 0);
	assert_true(msg > 0);
	assert_int_equal(call, 1);
	tw_log_free(&log);
	world_free(w);
	model_free(m);
}

/* The same model and seed give the same summary; another seed does not. */
static char *
summary(const struct model *m, uint64_t seed)
{
	struct world_opts o = WORLD_OPTS_INIT;
	struct stats_run r;
	struct world *w;
	struct stats *st;
	json_t *j;
	char *s;

	o.has_seed = 1;
	o.seed = seed;
	w = world_new(m, &o);
	st = stats_new(m, world_bus(w));
	world_run(w);
	memset(&r, 0, sizeof(r));
	r.seed = seed;
	r.sim_ns = world_now(w);
	r.events = world_events(w);
	r.wall_s = 0;		/* the only non-deterministic field */
	j = stats_json(st, &r);
	s = json_dumps(j, JSON_INDENT(1));
	json_decref(j);
	stats_free(st);
	world_free(w);
	return s;
}

static void
test_determinism(void **state)
{
	struct model *m = tw_fixture("default-like.json");
	char *a = summary(m, 3), *b = summary(m, 3), *c = summary(m, 4);

	(void)state;
	assert_string_equal(a, b);
	assert_true(strcmp(a, c) != 0);
	free(a);
	free(b);
	free(c);
	model_free(m);
}

/*
 * Sources: constant 100/s with 10x bursts during the first second of
 * every two; a closed loop of one thread (10 ms think, 10 ms verdict).
 */
static void
test_sources(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"src\","
	    "\"duration\": \"10s\", \"gcd\": {\"create_latency\": \"0s\"},"
	    "\"clients\": {\"c\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    "  \"handler\": {\"AUTH_OPEN\": [{\"cpu\": \"10ms\"},"
	    "    {\"respond\": \"allow\"}]}}},"
	    "\"workload\": {\"sources\": ["
	    "  {\"process\": \"burst\", \"event\": \"NOTIFY_WRITE\","
	    "   \"interval\": \"10ms\", \"burst\": {\"on\": \"1s\", \"off\": \"1s\","
	    "   \"factor\": 10}, \"path\": \"/w\"},"
	    "  {\"process\": \"closed\", \"event\": \"AUTH_OPEN\","
	    "   \"interval\": \"10ms\", \"threads\": 1, \"path\": \"/o\"}]}}");
	struct world *w = world_new(m, NULL);
	struct tw_log log;
	int burst = model_process(m, "burst")->id;
	int closed = model_process(m, "closed")->id;
	size_t on = 0, off = 0, nclosed = 0;

	(void)state;
	tw_listen(&log, w, PROBE_BIT(PROBE_SYSCALL_DONE));
	world_run(w);
	for (size_t i = 0; i < log.n; i++) {
		const struct tw_rec *r = &log.r[i];

		if (r->process == burst)
			(r->t / TW_S) % 2 == 0 ? on++ : off++;
		nclosed += r->process == closed;
	}
	/* 5 on-seconds at 1000/s, 5 off-seconds at 100/s (+-1 at edges). */
	assert_true(on >= 4995 && on <= 5005);
	assert_true(off >= 495 && off <= 505);
	/* Think 10 ms, verdict 10 ms: 500 syscalls in 10 s. */
	assert_true(nclosed >= 499 && nclosed <= 500);
	tw_log_free(&log);
	world_free(w);
	model_free(m);
}

/* The trace replay hook: an external source of three syscalls. */
struct ext {
	const struct model	*m;
	int			 i;
};

static int
ext_next(void *arg, struct w_syscall *sc)
{
	struct ext *e = arg;
	static const char *const paths[] = { "/a", "/b", "/c" };

	if (e->i >= 3)
		return 0;
	sc->t = (e->i + 1) * TW_S;
	sc->process = model_process(e->m, "app");
	sc->type = evtype_by_name("AUTH_OPEN");
	sc->path = paths[e->i++];
	sc->target = NULL;
	return 1;
}

static void
test_external_source(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"ext\","
	    "\"duration\": \"10s\","
	    "\"processes\": {\"app\": {}},"
	    "\"clients\": {\"c\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    "  \"handler\": {\"AUTH_OPEN\": [{\"cpu\": \"2ms\"},"
	    "    {\"respond\": \"allow\"}]}}}}");
	static const struct world_source_ops ops = { ext_next };
	struct ext e = { NULL, 0 };
	struct world *w = world_new(m, NULL);
	struct tw_log log;
	const struct tw_rec *r;

	(void)state;
	e.m = m;
	world_add_source(w, &ops, &e);
	tw_listen(&log, w, PROBE_BIT(PROBE_SYSCALL_DONE) |
	    PROBE_BIT(PROBE_MSG_ENQUEUE));
	world_run(w);
	assert_int_equal(tw_count(&log, PROBE_SYSCALL_DONE, -1), 3);
	for (size_t i = 0; (r = tw_nth(&log, PROBE_SYSCALL_DONE, i)); i++)
		assert_int_equal(r->t, (int64_t)(i + 1) * TW_S + 2 * TW_MS +
		    (i == 0 ? 50000 : 0));
	assert_string_equal(tw_nth(&log, PROBE_MSG_ENQUEUE, 2)->name,
	    "AUTH_OPEN /c (c)");
	tw_log_free(&log);
	world_free(w);
	model_free(m);
}

/* What probe_held() said at each QUEUE_ACQUIRE and QUEUE_RELEASE. */
struct held_log {
	const struct probe_bus	*bus;
	char			 line[8][96];
	size_t			 n;
};

static void
held_fn(void *arg, const struct probe_ev *ev)
{
	struct held_log *l = arg;
	struct probe_ref q[4];
	size_t n = probe_held(l->bus, &ev->thread, q, 4);
	char name[48];
	char *out = l->line[l->n];

	assert_true(l->n < 8);
	snprintf(out, 96, "%s", ev->kind == PROBE_QUEUE_ACQUIRE ? "+" : "-");
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(q[i].kind, PROBE_OBJ_QUEUE);
		snprintf(out + strlen(out), 96 - strlen(out), " [%s]",
		    probe_name(l->bus, &q[i], name, sizeof(name)));
	}
	l->n++;
}

/*
 * probe_held(): the serial queues a thread holds, outermost first, the
 * world's own list (the queue being taken is in it at its QUEUE_ACQUIRE,
 * the one given back no longer at its QUEUE_RELEASE); and the count
 * alone when asked for none.
 */
static void
test_probe_held(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"held\","
	    "\"duration\": \"1s\","
	    "\"processes\": {\"app\": {"
	    "  \"queues\": {\"a\": {\"kind\": \"serial\"},"
	    "    \"b\": {\"kind\": \"serial\"}},"
	    "  \"program\": [{\"sync\": \"a\", \"do\": [{\"sync\": \"b\","
	    "    \"do\": [{\"cpu\": \"1ms\"}]}]}]}}}");
	struct world *w = world_new(m, NULL);
	struct held_log l = { world_bus(w), { { 0 } }, 0 };
	struct probe_ref none = { PROBE_OBJ_NONE, 0, NULL };

	(void)state;
	probe_listen(world_bus(w), PROBE_BIT(PROBE_QUEUE_ACQUIRE) |
	    PROBE_BIT(PROBE_QUEUE_RELEASE), held_fn, &l);
	world_run(w);
	assert_int_equal(l.n, 4);
	assert_string_equal(l.line[0], "+ [app a queue]");
	assert_string_equal(l.line[1], "+ [app a queue] [app b queue]");
	assert_string_equal(l.line[2], "- [app a queue]");
	assert_string_equal(l.line[3], "-");
	assert_int_equal(probe_held(world_bus(w), &none, NULL, 0), 0);
	world_free(w);
	model_free(m);
}

/* probe_handling() at each handler's start and end and at a wait in it. */
struct handling_log {
	const struct probe_bus	*bus;
	size_t			 starts, ends, waits;
};

static void
handling_fn(void *arg, const struct probe_ev *ev)
{
	struct handling_log *l = arg;
	struct probe_ref m = { PROBE_OBJ_NONE, 0, NULL };
	uint64_t id = probe_handling(l->bus, &ev->thread, &m);
	char a[96], b[96];

	switch (ev->kind) {
	case PROBE_MSG_HANDLER_START:
		assert_int_equal(id, ev->msg);
		assert_int_equal(m.kind, PROBE_OBJ_MSG);
		assert_int_equal(m.id, ev->msg);
		assert_string_equal(probe_name(l->bus, &m, a, sizeof(a)),
		    probe_name(l->bus, &ev->obj, b, sizeof(b)));
		l->starts++;
		break;
	case PROBE_MSG_HANDLER_END:
		assert_int_equal(id, 0);
		assert_int_equal(m.kind, PROBE_OBJ_NONE);
		l->ends++;
		break;
	default:	/* WAIT: the handler's call, or anything else */
		if (ev->wait == PROBE_WAIT_CALL &&
		    strcmp(probe_name(l->bus, &ev->thread, a, sizeof(a)),
		    "c pool thread 1") == 0) {
			assert_true(id != 0);
			assert_string_equal(probe_name(l->bus, &m, a, sizeof(a)),
			    "AUTH_OPEN /a (c)");
			l->waits++;
		} else if (ev->wait == PROBE_WAIT_REQUEST) {
			assert_int_equal(id, 0);	/* a daemon worker */
		}
		break;
	}
}

/*
 * probe_handling(): the message whose handler a thread runs, from its
 * start to its end (not at the end's probe, the handler being over), and
 * while the handler waits.
 */
static void
test_probe_handling(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"name\": \"handling\","
	    "\"duration\": \"1s\","
	    "\"daemons\": {\"d\": {\"services\": {\"s\": ["
	    "  {\"cpu\": \"1ms\"}, {\"reply\": true}]}}},"
	    "\"clients\": {\"c\": {\"subscribe\": [\"AUTH_OPEN\"],"
	    "  \"handler\": {\"AUTH_OPEN\": [{\"call\": \"d.s\"},"
	    "    {\"respond\": \"allow\"}]}}},"
	    "\"workload\": {\"sources\": [{\"process\": \"app\","
	    "  \"event\": \"AUTH_OPEN\", \"interval\": \"100ms\","
	    "  \"path\": \"/a\"}]}}");
	struct world *w = world_new(m, NULL);
	struct handling_log l = { world_bus(w), 0, 0, 0 };

	(void)state;
	probe_listen(world_bus(w), PROBE_BIT(PROBE_MSG_HANDLER_START) |
	    PROBE_BIT(PROBE_MSG_HANDLER_END) | PROBE_BIT(PROBE_WAIT),
	    handling_fn, &l);
	world_run(w);
	assert_true(l.starts >= 9);
	assert_true(l.ends + 1 >= l.starts);
	assert_true(l.waits >= 1);
	world_free(w);
	model_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mm1),
		cmocka_unit_test(test_mmc),
		cmocka_unit_test(test_deadlock_killed_at_deadline),
		cmocka_unit_test(test_deadlock_fixed_by_retain_and_queue),
		cmocka_unit_test(test_probe_names),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_sources),
		cmocka_unit_test(test_external_source),
		cmocka_unit_test(test_probe_held),
		cmocka_unit_test(test_probe_handling),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
