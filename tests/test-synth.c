/*
 * test-synth.c - the synthetic trace generator: every line it writes is
 * read back by the eslogger reader with no error; the process tree is
 * consistent (fork child = exec actor, exec bumps pidversion, nothing
 * after exit); rates, bursts, spawn caps, sequential walks and lifetimes
 * do what the spec says; the output is byte-identical for one seed and
 * different for another; every kind of bad spec gets its exact pointer
 * and message.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trace/eslogger.h"
#include "trace/synth.h"

#define MS	INT64_C(1000000)
#define SEC	INT64_C(1000000000)

static struct synth *
load(const char *text, struct diag *d)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	struct synth *s;

	if (doc == NULL)
		fail_msg("test spec does not parse: %s", je.text);
	s = synth_load_json(doc, "spec.json", ".", d);
	json_decref(doc);
	return s;
}

/* Generate text's trace into a malloc'd buffer. */
static char *
gen(const char *text, const struct synth_opts *o, size_t *len,
    struct synth_stats *st)
{
	struct diag d = DIAG_INIT;
	struct err e = ERR_INIT;
	struct synth *s = load(text, &d);
	char *buf = NULL;
	FILE *f;

	if (s == NULL) {
		diag_print(&d, "spec", stderr);
		fail_msg("spec rejected");
	}
	diag_release(&d);
	f = open_memstream(&buf, len);
	assert_non_null(f);
	assert_int_equal(synth_write(s, o, f, st, &e), 0);
	fclose(f);
	synth_free(s);
	return buf;
}

/* Read every event back; the reader must accept every line. */
typedef void each_fn(void *arg, const struct esl_event *ev);

static uint64_t
read_back(const char *buf, size_t len, each_fn *fn, void *arg)
{
	struct esl_reader *r = esl_open_mem("synth", buf, len, NULL);
	struct esl_event ev;
	struct err e = ERR_INIT;
	uint64_t n = 0;
	int rc;

	while ((rc = esl_next(r, &ev, &e)) == ESL_EVENT) {
		n++;
		if (fn != NULL)
			fn(arg, &ev);
	}
	if (rc != ESL_END) {
		err_print(&e, "read_back", stderr);
		fail_msg("reader rejected synthetic output");
	}
	assert_int_equal(esl_counts(r)->bad, 0);
	assert_int_equal(esl_counts(r)->unknown, 0);
	assert_int_equal(esl_counts(r)->drops, 0);
	esl_close(r);
	return n;
}

static const char tree[] =
    "{\"synth\":1,\"duration\":\"3s\",\"seed\":5,"
    "\"start\":\"2026-01-05T09:00:00Z\","
    "\"processes\":{"
    " \"launchd\":{\"path\":\"/sbin/launchd\","
    "  \"spawn\":[{\"process\":\"make\",\"interval\":\"100ms\",\"max\":1}]},"
    " \"make\":{\"path\":\"/usr/bin/make\",\"lifetime\":\"2s\","
    "  \"spawn\":[{\"process\":\"cc\",\"rate\":\"50/s\",\"max\":20}],"
    "  \"events\":[{\"event\":\"open\",\"rate\":\"20/s\",\"close\":true,"
    "   \"path\":\"/src/Makefile\"}]},"
    " \"cc\":{\"path\":\"/usr/bin/cc\",\"threads\":3,"
    "  \"lifetime\":{\"uniform\":[\"50ms\",\"150ms\"]},"
    "  \"events\":[{\"event\":\"open\",\"rate\":\"500/s\",\"path\":"
    "   {\"zipf\":{\"prefix\":\"/inc/h\",\"n\":100,\"suffix\":\".h\"}}},"
    "   {\"event\":\"rename\",\"rate\":\"20/s\",\"path\":\"/tmp/a\","
    "    \"target\":\"/obj/b.o\"},"
    "   {\"event\":\"lookup\",\"rate\":\"20/s\",\"path\":\"/usr/lib/x\"},"
    "   {\"event\":\"unlink\",\"rate\":\"20/s\",\"path\":\"/tmp/u\"}]}},"
    "\"roots\":[\"launchd\"]}";

struct treecheck {
	int64_t		 last_time;
	int64_t		 next_gsn;
	int64_t		 seq[256];
	int		 forks, execs, exits, renames, lookups, unlinks;
	/* pid -> state: 0 unknown, 1 forked, 2 exec'd, 3 exited */
	int		 state[64];
	int32_t		 pv[64];
	int64_t		 tids[64][4];
};

static void
tree_each(void *arg, const struct esl_event *ev)
{
	struct treecheck *c = arg;
	int32_t pid = ev->proc.token.pid;
	const char *k = ev->type->eslogger;

	assert_true(ev->time >= c->last_time);
	c->last_time = ev->time;
	assert_int_equal(ev->global_seq_num, c->next_gsn++);
	assert_int_equal(ev->seq_num, c->seq[ev->type->value]++);
	assert_int_equal(ev->action_type, 1);
	assert_int_equal(ev->version, 10);
	assert_true(ev->thread_id >= 1000);
	assert_true(pid >= 1 && pid < 64);
	assert_int_not_equal(c->state[pid], 3);	/* nothing after exit */
	if (strcmp(k, "fork") == 0) {
		int32_t child = ev->target.token.pid;

		c->forks++;
		assert_true(ev->has_target);
		assert_true(child > pid && child < 64);
		assert_int_equal(c->state[child], 0);
		/* The child runs the parent's image until it execs. */
		assert_string_equal(ev->target.exe, ev->proc.exe);
		assert_int_equal(ev->target.ppid, pid);
		c->state[child] = 1;
		c->pv[child] = ev->target.token.pidversion;
	} else if (strcmp(k, "exec") == 0) {
		c->execs++;
		assert_int_equal(c->state[pid], 1);
		assert_int_equal(ev->proc.token.pidversion, c->pv[pid]);
		assert_int_equal(ev->target.token.pid, pid);
		assert_true(ev->target.token.pidversion > c->pv[pid]);
		assert_string_equal(ev->path, ev->target.exe);
		c->state[pid] = 2;
		c->pv[pid] = ev->target.token.pidversion;
	} else if (strcmp(k, "exit") == 0) {
		c->exits++;
		assert_true(ev->has_status);
		assert_int_equal(ev->status, 0);
		c->state[pid] = 3;
	} else {
		if (pid > 1) {
			assert_int_equal(c->state[pid], 2);
			assert_int_equal(ev->proc.token.pidversion, c->pv[pid]);
		}
		if (strcmp(k, "rename") == 0) {
			c->renames++;
			assert_string_equal(ev->path, "/tmp/a");
			assert_string_equal(ev->path2, "/obj/b.o");
		} else if (strcmp(k, "lookup") == 0) {
			c->lookups++;
			assert_string_equal(ev->path, "/usr/lib/x");
		} else if (strcmp(k, "unlink") == 0) {
			c->unlinks++;
			assert_string_equal(ev->path, "/tmp/u");
		}
	}
	if (strcmp(ev->proc.exe, "/usr/bin/cc") == 0) {
		/* Three threads at most per cc process. */
		int i;

		for (i = 0; i < 4 && c->tids[pid][i] != 0 &&
		    c->tids[pid][i] != ev->thread_id; i++)
			;
		assert_true(i < 3);
		c->tids[pid][i] = ev->thread_id;
	}
}

static void
test_tree_reads_back(void **state)
{
	struct synth_stats st;
	struct treecheck c;
	size_t len;
	char *buf;
	uint64_t n;

	(void)state;
	memset(&c, 0, sizeof(c));
	buf = gen(tree, NULL, &len, &st);
	n = read_back(buf, len, tree_each, &c);
	assert_int_equal(n, st.events);
	assert_int_equal(len, st.bytes);
	/* launchd forks make once; make forks 20 cc (max). */
	assert_int_equal(c.forks, 21);
	assert_int_equal(c.execs, 21);
	assert_int_equal(st.processes, 22);
	/* make (2s) and every cc exit before 3s. */
	assert_int_equal(c.exits, 21);
	assert_true(c.renames > 0 && c.lookups > 0 && c.unlinks > 0);
	assert_int_equal(c.last_time / SEC, 1767603600 + 2);
	free(buf);
}

static void
test_deterministic(void **state)
{
	struct synth_opts o = SYNTH_OPTS_INIT;
	size_t l1, l2, l3;
	char *a, *b, *c;

	(void)state;
	a = gen(tree, NULL, &l1, NULL);
	b = gen(tree, NULL, &l2, NULL);
	assert_int_equal(l1, l2);
	assert_memory_equal(a, b, l1);
	o.has_seed = 1;
	o.seed = 6;
	c = gen(tree, &o, &l3, NULL);
	assert_false(l1 == l3 && memcmp(a, c, l1) == 0);
	free(a);
	free(b);
	free(c);
}

static void
count_each(void *arg, const struct esl_event *ev)
{
	uint64_t *n = arg;

	n[ev->type->value]++;
	n[255] = (uint64_t)ev->time;
}

static void
test_rate_and_duration_override(void **state)
{
	static const char spec[] =
	    "{\"synth\":1,\"duration\":\"20s\",\"processes\":{"
	    "\"p\":{\"path\":\"/bin/p\",\"events\":[{\"event\":\"write\","
	    "\"rate\":\"1000/s\",\"path\":\"/f\"}]}},\"roots\":[\"p\"]}";
	struct synth_opts o = SYNTH_OPTS_INIT;
	uint64_t n[256] = { 0 };
	size_t len;
	char *buf;

	(void)state;
	o.duration = 10 * SEC;
	buf = gen(spec, &o, &len, NULL);
	read_back(buf, len, count_each, n);
	/* Poisson, mean 10000, sd 100: 5 sd either side. */
	assert_in_range(n[33], 9500, 10500);
	assert_true(n[255] < (uint64_t)(1767603600 + 10) * (uint64_t)SEC);
	free(buf);
}

struct times {
	int64_t		 t0;
	uint64_t	 on, off;
	char		 paths[8][64];
	int		 npaths;
};

static void
burst_each(void *arg, const struct esl_event *ev)
{
	struct times *t = arg;
	int64_t rel = ev->time - t->t0;

	/* on 1s / off 3s from 0: [0,1) [4,5) ... are on. */
	if (rel % (4 * SEC) < SEC)
		t->on++;
	else
		t->off++;
}

static void
test_burst(void **state)
{
	static const char spec[] =
	    "{\"synth\":1,\"duration\":\"40s\",\"start\":\"2026-01-05T09:00:00Z\","
	    "\"processes\":{\"p\":{\"path\":\"/bin/p\",\"events\":[{\"event\":"
	    "\"stat\",\"rate\":\"10/s\",\"path\":\"/f\",\"burst\":{\"on\":\"1s\","
	    "\"off\":\"3s\",\"factor\":30}}]}},\"roots\":[\"p\"]}";
	struct times t;
	size_t len;
	char *buf;

	(void)state;
	memset(&t, 0, sizeof(t));
	t.t0 = INT64_C(1767603600) * SEC;
	buf = gen(spec, NULL, &len, NULL);
	read_back(buf, len, burst_each, &t);
	/* on: 10 s x 300/s = 3000; off: 30 s x 10/s = 300. */
	assert_in_range(t.on, 2700, 3300);
	assert_in_range(t.off, 220, 380);
	free(buf);
}

static void
seq_each(void *arg, const struct esl_event *ev)
{
	struct times *t = arg;

	if (strcmp(ev->type->eslogger, "open") == 0 && t->npaths < 8)
		snprintf(t->paths[t->npaths++], 64, "%s", ev->path);
}

/* A seq walk is shared by every instance and by "each" spawns. */
static void
test_seq_each_spawn(void **state)
{
	static const char spec[] =
	    "{\"synth\":1,\"duration\":\"1s\",\"processes\":{"
	    "\"mds\":{\"path\":\"/usr/libexec/mds\",\"spawn\":[{\"process\":"
	    "{\"each\":[\"w\",\"w\",\"w\"]},\"interval\":\"1ms\"}]},"
	    "\"w\":{\"path\":\"/usr/libexec/w\",\"events\":[{\"event\":\"open\","
	    "\"interval\":\"10ms\",\"path\":{\"seq\":{\"prefix\":\"/d/f\","
	    "\"n\":5,\"first\":0}}}]}},\"roots\":[\"mds\"]}";
	static const char *const want[] = { "/d/f0", "/d/f1", "/d/f2",
		"/d/f3", "/d/f4", "/d/f0", "/d/f1", "/d/f2" };
	struct synth_stats st;
	struct times t;
	size_t len;
	char *buf;

	(void)state;
	memset(&t, 0, sizeof(t));
	buf = gen(spec, NULL, &len, &st);
	read_back(buf, len, seq_each, &t);
	assert_int_equal(st.processes, 4);	/* mds + 3 (each: 3 names) */
	assert_int_equal(t.npaths, 8);
	for (int i = 0; i < 8; i++)
		assert_string_equal(t.paths[i], want[i]);
	free(buf);
}

static void
test_max_processes(void **state)
{
	static const char spec[] =
	    "{\"synth\":1,\"duration\":\"1s\",\"max_processes\":10,"
	    "\"processes\":{\"sh\":{\"path\":\"/bin/sh\",\"spawn\":[{\"process\":"
	    "\"sh\",\"interval\":\"100ms\"}]}},\"roots\":[\"sh\"]}";
	struct synth_stats st;
	size_t len;
	char *buf;

	(void)state;
	/* Shells spawning shells: capped at 10 alive, the rest refused. */
	buf = gen(spec, NULL, &len, &st);
	assert_int_equal(st.peak_alive, 10);
	assert_int_equal(st.processes, 10);
	assert_true(st.refused > 0);
	read_back(buf, len, NULL, NULL);
	free(buf);
}

struct bad_case {
	const char	*spec;
	const char	*msg;
};

static void
test_bad_specs(void **state)
{
	static const struct bad_case cases[] = {
		{ "[]", "spec.json: /: expected an object, found an array" },
		{ "{\"processes\":{\"p\":{\"path\":\"/p\"}},\"roots\":[\"p\"]}",
		  "spec.json: /: \"synth\": 1 (the spec format version) is required" },
		{ "{\"synth\":2,\"processes\":{\"p\":{\"path\":\"/p\"}},\"roots\":[\"p\"]}",
		  "spec.json: /synth: 2 out of range 1..1" },
		{ "{\"synth\":1,\"color\":1,\"processes\":{\"p\":{\"path\":\"/p\"}},\"roots\":[\"p\"]}",
		  "spec.json: /color: unknown key (expected one of: synth, about," },
		{ "{\"synth\":1,\"duration\":\"5 s\",\"processes\":{\"p\":{\"path\":\"/p\"}},\"roots\":[\"p\"]}",
		  "spec.json: /duration: bad duration \"5 s\"" },
		{ "{\"synth\":1,\"start\":\"yesterday\",\"processes\":{\"p\":{\"path\":\"/p\"}},\"roots\":[\"p\"]}",
		  "spec.json: /start: " },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"p\"}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/path: must be an absolute path" },
		{ "{\"synth\":1,\"processes\":{\"p\":{}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p: \"path\" (the executable) is required" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\"}},\"roots\":[\"q\"]}",
		  "spec.json: /roots/0: no process \"q\" in /processes" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\"}}}",
		  "spec.json: /: \"roots\" (processes alive at the start) is required" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"threads\":0}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/threads: 0 out of range 1..64" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"open\",\"path\":\"/f\"}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0: exactly one of \"rate\" and \"interval\" is required" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"open\",\"rate\":\"-3/s\",\"path\":\"/f\"}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0/rate: " },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"AUTH_OPEN\",\"rate\":\"1/s\",\"path\":\"/f\"}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0/event: \"AUTH_OPEN\": eslogger records NOTIFY events only" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"exec\",\"rate\":\"1/s\",\"path\":\"/f\"}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0/event: \"exec\" comes from the process tree" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"kextload\",\"rate\":\"1/s\",\"path\":\"/f\"}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0/event: event \"kextload\" is not generated (supported: open" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"rename\",\"rate\":\"1/s\",\"path\":\"/f\"}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0: \"rename\" needs a \"target\" (the new path)" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"write\",\"rate\":\"1/s\",\"path\":\"/f\",\"close\":true}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0/close: only \"open\" takes \"close\"" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"open\",\"rate\":\"1/s\",\"path\":{\"zipf\":{\"prefix\":\"/f\"}}}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0/path/zipf: \"n\" is required" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"open\",\"rate\":\"1/s\",\"path\":{\"choice\":{\"/a\":0}}}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0/path/choice/~1a: weight must be a number above 0" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"open\",\"rate\":\"1/s\",\"path\":{\"glob\":\"/a*\"}}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0/path/glob: unknown path kind (expected choice, zipf or seq)" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"open\",\"rate\":\"1/s\",\"path\":\"/f\",\"start\":\"2s\",\"stop\":\"1s\"}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0/stop: must be after \"start\"" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"events\":[{\"event\":\"open\",\"rate\":\"1/s\",\"path\":\"/f\",\"burst\":{\"on\":\"1s\"}}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/events/0/burst: \"off\" is required" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"lifetime\":{\"uniform\":[\"3s\",\"1s\"]}}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/lifetime/uniform/1: " },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"spawn\":[{\"process\":{\"choice\":{\"q\":1}},\"rate\":\"1/s\"}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/spawn/0/process/choice/q: no process \"q\" in /processes" },
		{ "{\"synth\":1,\"processes\":{\"p\":{\"path\":\"/p\",\"spawn\":[{\"process\":\"p\",\"rate\":\"1/s\",\"max\":0}]}},\"roots\":[\"p\"]}",
		  "spec.json: /processes/p/spawn/0/max: 0 out of range 1.." },
	};
	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct diag d = DIAG_INIT;
		struct synth *s = load(cases[i].spec, &d);
		int found = 0;

		if (s != NULL)
			fail_msg("case %zu accepted", i);
		for (size_t k = 0; k < diag_count(&d); k++)
			if (strncmp(diag_msg(&d, k), cases[i].msg,
			    strlen(cases[i].msg)) == 0)
				found = 1;
		if (!found) {
			diag_print(&d, "got", stderr);
			fail_msg("case %zu: no message starting \"%s\"", i,
			    cases[i].msg);
		}
		diag_release(&d);
	}
}

/* Every problem is reported, not only the first. */
static void
test_all_errors(void **state)
{
	struct diag d = DIAG_INIT;

	(void)state;
	assert_null(load("{\"synth\":1,\"seed\":-1,\"duration\":\"x\","
	    "\"processes\":{\"p\":{\"path\":\"q\",\"uid\":\"me\"}},"
	    "\"roots\":[\"r\"]}", &d));
	assert_int_equal(diag_count(&d), 5);
	diag_release(&d);
}

/* Shipped specs load; a file that is not JSON reports line and column. */
static void
test_shipped_and_file_errors(void **state)
{
	static const char *const specs[] = { "build-storm", "boot",
		"spotlight-reindex", "office-day" };
	const char *top = getenv("top_srcdir");
	struct diag d = DIAG_INIT;
	char path[4096];
	FILE *f;

	(void)state;
	for (size_t i = 0; i < 4; i++) {
		struct synth *s;

		snprintf(path, sizeof(path), "%s/traces/%s.json",
		    top != NULL ? top : ".", specs[i]);
		s = synth_load(path, &d);
		if (s == NULL) {
			diag_print(&d, "shipped", stderr);
			fail_msg("%s rejected", path);
		}
		synth_free(s);
	}
	snprintf(path, sizeof(path), "%s/synth-bad.json",
	    getenv("TMPDIR") != NULL ? getenv("TMPDIR") : "/tmp");
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("{\"synth\": 1,\n  \"roots\": [,]}\n", f);
	fclose(f);
	assert_null(synth_load(path, &d));
	assert_int_equal(diag_count(&d), 1);
	assert_non_null(strstr(diag_msg(&d, 0), "synth-bad.json:2:13: "));
	remove(path);
	diag_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree_reads_back),
		cmocka_unit_test(test_deterministic),
		cmocka_unit_test(test_rate_and_duration_override),
		cmocka_unit_test(test_burst),
		cmocka_unit_test(test_seq_each_spawn),
		cmocka_unit_test(test_max_processes),
		cmocka_unit_test(test_bad_specs),
		cmocka_unit_test(test_all_errors),
		cmocka_unit_test(test_shipped_and_file_errors),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
