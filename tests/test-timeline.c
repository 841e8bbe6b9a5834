/*
 * test-timeline.c - the Chrome trace-event timeline (sim/out/timeline*.c),
 * read back with jansson: the keys each phase needs, B/E balanced and in
 * time order on every track, every flow start with its finish, each flow
 * end inside a slice of its track (so Perfetto can bind it), the cycle of
 * models/default.json visible as flows, windows, the event cap, the same
 * bytes twice, and bad input.
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
#include <unistd.h>

#include <jansson.h>

#include "analysis/analyses.h"
#include "core/intr.h"
#include "core/loop.h"
#include "core/xalloc.h"
#include "out/timeline-json.h"
#include "out/timeline.h"
#include "test-world-util.h"

static char tmpdir[] = "/tmp/essim-timeline.XXXXXX";

static char *
tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

static struct model *
default_model(void)
{
	const char *top = getenv("top_srcdir");
	char *path = xasprintf("%s/models/default.json", top ? top : ".");
	struct diag d = DIAG_INIT;
	struct model *m = model_load(path, &d);

	if (m == NULL) {
		diag_print(&d, "model", stderr);
		fail();
	}
	diag_release(&d);
	free(path);
	return m;
}

/* Run m for duration with a timeline into path. */
static void
run(struct model *m, int64_t duration, const struct tl_opts *o,
    const char *path)
{
	struct world_opts wo = WORLD_OPTS_INIT;
	struct world *w;
	struct an *an;
	struct tl *tl;
	struct err e = ERR_INIT;

	wo.duration = duration;
	w = world_new(m, &wo);
	an = an_attach(world_bus(w), m, NULL);
	tl = tl_open(path, m, world_bus(w), o, &e);
	assert_non_null(tl);
	world_run(w);
	tl_findings(tl, an_findings(an));
	assert_true(tl_written(tl) > 0);
	assert_int_equal(tl_close(tl, world_now(w), &e), 0);
	world_free(w);
	an_free(an);
}

/* ts in ns, exactly (the file has µs with three decimals). */
static int64_t
ts_ns(json_t *ev)
{
	json_t *t = json_object_get(ev, "ts");

	assert_true(json_is_number(t));
	return (int64_t)(json_number_value(t) * 1000 + 0.5);
}

static const char *
str(json_t *ev, const char *key)
{
	json_t *v = json_object_get(ev, key);

	if (!json_is_string(v)) {
		fprintf(stderr, "missing string '%s' in %s\n", key,
		    json_dumps(ev, JSON_COMPACT));
		fail();
	}
	return json_string_value(v);
}

struct slice {
	int64_t		 b, e;
};

struct track {
	int64_t		 pid, tid;
	char		 name[160];
	int64_t		 last;		/* B/E order */
	int64_t		 stack[64];	/* open B times */
	int		 depth;
	struct slice	*s;
	size_t		 n, a;
};

struct check {
	json_t		*doc;
	struct track	*t;
	size_t		 nt, at;
	size_t		 nb, ne, ni, nc, nflow;
	char		 pname[64][64];
};

static struct track *
track(struct check *c, int64_t pid, int64_t tid)
{
	for (size_t i = 0; i < c->nt; i++)
		if (c->t[i].pid == pid && c->t[i].tid == tid)
			return &c->t[i];
	XGROW(c->t, c->nt + 1, c->at);
	memset(&c->t[c->nt], 0, sizeof(c->t[0]));
	c->t[c->nt].pid = pid;
	c->t[c->nt].tid = tid;
	c->t[c->nt].last = -1;
	return &c->t[c->nt++];
}

static void
check_be(struct check *c, json_t *ev, const char *ph)
{
	struct track *t = track(c, json_integer_value(json_object_get(ev,
	    "pid")), json_integer_value(json_object_get(ev, "tid")));
	int64_t ts = ts_ns(ev);

	assert_true(ts >= t->last);	/* in time order on the track */
	t->last = ts;
	if (ph[0] == 'B') {
		str(ev, "name");
		str(ev, "cat");
		assert_true(t->depth < 64);
		t->stack[t->depth++] = ts;
		c->nb++;
		return;
	}
	assert_true(t->depth > 0);	/* never an E without its B */
	XGROW(t->s, t->n + 1, t->a);
	t->s[t->n].b = t->stack[--t->depth];
	t->s[t->n++].e = ts;
	c->ne++;
}

static void
check_meta(struct check *c, json_t *ev)
{
	const char *what = str(ev, "name");
	json_t *args = json_object_get(ev, "args");
	int64_t pid = json_integer_value(json_object_get(ev, "pid"));

	assert_true(json_is_object(args));
	if (strcmp(what, "thread_name") == 0) {
		struct track *t = track(c, pid, json_integer_value(
		    json_object_get(ev, "tid")));

		assert_string_equal(t->name, "");	/* named once */
		snprintf(t->name, sizeof(t->name), "%s", str(args, "name"));
	} else if (strcmp(what, "process_name") == 0) {
		assert_true(pid > 0 && pid < 64);
		snprintf(c->pname[pid], sizeof(c->pname[0]), "%s",
		    str(args, "name"));
	} else {
		assert_string_equal(what, "process_sort_index");
	}
}

/* Parse path and check everything that holds for any timeline. */
static void
check_file(struct check *c, const char *path)
{
	json_error_t je;
	json_t *evs, *ev;
	size_t i;

	memset(c, 0, sizeof(*c));
	c->doc = json_load_file(path, 0, &je);
	if (c->doc == NULL) {
		fprintf(stderr, "%s:%d:%d: %s\n", path, je.line, je.column,
		    je.text);
		fail();
	}
	assert_string_equal(str(c->doc, "displayTimeUnit"), "ns");
	assert_true(json_is_object(json_object_get(c->doc, "otherData")));
	evs = json_object_get(c->doc, "traceEvents");
	assert_true(json_is_array(evs));
	json_array_foreach(evs, i, ev) {
		const char *ph = str(ev, "ph");

		assert_true(json_is_integer(json_object_get(ev, "pid")));
		assert_true(json_is_integer(json_object_get(ev, "tid")));
		assert_int_equal(strlen(ph), 1);
		switch (ph[0]) {
		case 'B':
		case 'E':
			check_be(c, ev, ph);
			break;
		case 'M':
			check_meta(c, ev);
			break;
		case 'i':
			ts_ns(ev);
			str(ev, "name");
			assert_non_null(strchr("tpg", str(ev, "s")[0]));
			c->ni++;
			break;
		case 'C':
			ts_ns(ev);
			str(ev, "name");
			assert_true(json_is_object(json_object_get(ev,
			    "args")));
			c->nc++;
			break;
		case 's':
		case 'f':
			ts_ns(ev);
			str(ev, "name");
			assert_string_equal(str(ev, "cat"), "flow");
			assert_true(json_is_integer(json_object_get(ev, "id")));
			if (ph[0] == 'f')
				assert_string_equal(str(ev, "bp"), "e");
			c->nflow++;
			break;
		default:
			fprintf(stderr, "unexpected phase '%s'\n", ph);
			fail();
		}
	}
	assert_int_equal(c->nb, c->ne);
	for (i = 0; i < c->nt; i++) {
		assert_int_equal(c->t[i].depth, 0);	/* all ended */
		if (c->t[i].n > 0)
			assert_string_not_equal(c->t[i].name, "");
	}
}

/* Whether a slice of (pid, tid) contains ts. */
static int
inside(struct check *c, json_t *ev)
{
	struct track *t = track(c, json_integer_value(json_object_get(ev,
	    "pid")), json_integer_value(json_object_get(ev, "tid")));
	int64_t ts = ts_ns(ev);

	for (size_t i = 0; i < t->n; i++)
		if (t->s[i].b <= ts && ts <= t->s[i].e)
			return 1;
	return 0;
}

static const char *
track_name(struct check *c, json_t *ev)
{
	return track(c, json_integer_value(json_object_get(ev, "pid")),
	    json_integer_value(json_object_get(ev, "tid")))->name;
}

struct flow_key {
	char		 key[64];
};

static int
by_key(const void *a, const void *b)
{
	return strcmp(((const struct flow_key *)a)->key,
	    ((const struct flow_key *)b)->key);
}

/*
 * Pair the flows: one s and one f per (name, id), s not after f, both
 * inside a slice of their track.  Counts flows named name whose start
 * track starts with from and finish track starts with to.
 */
static size_t
check_flows(struct check *c, const char *name, const char *from,
    const char *to)
{
	json_t *evs = json_object_get(c->doc, "traceEvents"), *a, *b;
	size_t i, j, match = 0, n = json_array_size(evs), nids = 0, aids = 0;
	struct flow_key *ids = NULL;

	for (i = 0; i < n; i++) {
		a = json_array_get(evs, i);
		if (strcmp(str(a, "ph"), "s") != 0)
			continue;
		/* The writer puts the finish right after its start. */
		assert_true(i + 1 < n);
		b = json_array_get(evs, i + 1);
		assert_string_equal(str(b, "ph"), "f");
		assert_string_equal(str(a, "name"), str(b, "name"));
		assert_true(json_integer_value(json_object_get(a, "id")) ==
		    json_integer_value(json_object_get(b, "id")));
		assert_true(ts_ns(a) <= ts_ns(b));
		assert_true(inside(c, a));
		assert_true(inside(c, b));
		if (strcmp(str(a, "name"), name) == 0 &&
		    strncmp(track_name(c, a), from, strlen(from)) == 0 &&
		    strncmp(track_name(c, b), to, strlen(to)) == 0)
			match++;
	}
	/* No (name, id) is used twice. */
	for (i = 0; i < n; i++) {
		a = json_array_get(evs, i);
		if (strcmp(str(a, "ph"), "s") != 0)
			continue;
		XGROW(ids, nids + 1, aids);
		snprintf(ids[nids++].key, sizeof(ids[0].key), "%s %020lld",
		    str(a, "name"),
		    (long long)json_integer_value(json_object_get(a, "id")));
	}
	qsort(ids, nids, sizeof(*ids), by_key);
	for (j = 1; j < nids; j++)
		assert_string_not_equal(ids[j - 1].key, ids[j].key);
	free(ids);
	return match;
}

static void
check_release(struct check *c)
{
	for (size_t i = 0; i < c->nt; i++)
		free(c->t[i].s);
	free(c->t);
	json_decref(c->doc);
}

static size_t
count_named(struct check *c, const char *ph, const char *prefix)
{
	json_t *evs = json_object_get(c->doc, "traceEvents"), *ev;
	size_t i, n = 0;

	json_array_foreach(evs, i, ev)
		if (strcmp(str(ev, "ph"), ph) == 0 && strncmp(str(ev, "name"),
		    prefix, strlen(prefix)) == 0)
			n++;
	return n;
}

static void
test_default_model_shows_the_cycle(void **state)
{
	struct model *m = default_model();
	struct tl_opts o = TL_OPTS_INIT;
	struct check c;
	char *path = tmp("default.json");

	(void)state;
	run(m, 30 * NS_PER_S, &o, path);
	check_file(&c, path);
	assert_string_equal(c.pname[1], "syspolicyd");
	assert_string_equal(c.pname[2], "acme");
	assert_true(c.nb > 1000 && c.ni > 0 && c.nc > 0 && c.nflow > 0);
	/* acme's handler calls syspolicyd: a flow to the worker serving it */
	assert_true(check_flows(&c, "call", "acme pool thread",
	    "syspolicyd worker") >= 1);
	/* syspolicyd's AUTH_OPEN lands on acme's held delivery queue */
	assert_true(check_flows(&c, "enqueue", "syspolicyd worker",
	    "acme delivery queue") >= 1);
	/* the ordinary path: syscall -> handler -> answer -> syscall */
	assert_true(check_flows(&c, "message", "Finder", "acme pool thread") >
	    100);
	assert_true(check_flows(&c, "response", "acme pool thread",
	    "Finder") > 100);
	assert_true(count_named(&c, "B", "call syspolicyd.assess") >= 1);
	assert_true(count_named(&c, "B", "serve syspolicyd.assess") >= 1);
	assert_true(count_named(&c, "B", "handle AUTH_OPEN") > 100);
	assert_true(count_named(&c, "B", "drained by acme pool thread") > 0);
	assert_true(count_named(&c, "i", "killed: missed an AUTH deadline") >=
	    1);
	assert_true(count_named(&c, "i", "deadlock closed") >= 1);
	assert_true(count_named(&c, "i", "deadlock ended") >= 1);
	check_release(&c);
	model_free(m);
	free(path);
}

static char *
slurp(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t a = 0, got;

	assert_non_null(f);
	*n = 0;
	do {
		XGROW(buf, *n + 65536, a);
		got = fread(buf + *n, 1, 65536, f);
		*n += got;
	} while (got > 0);
	fclose(f);
	return buf;
}

static void
test_same_bytes_twice(void **state)
{
	struct model *m = default_model();
	struct tl_opts o = TL_OPTS_INIT;
	char *a = tmp("a.json"), *b = tmp("b.json"), *x, *y;
	size_t nx, ny;

	(void)state;
	run(m, 20 * NS_PER_S, &o, a);
	run(m, 20 * NS_PER_S, &o, b);
	x = slurp(a, &nx);
	y = slurp(b, &ny);
	assert_true(nx == ny && memcmp(x, y, nx) == 0);
	free(x);
	free(y);
	model_free(m);
	free(a);
	free(b);
}

static void
test_window(void **state)
{
	struct model *m = default_model();
	struct tl_opts o = { 10 * NS_PER_S, 20 * NS_PER_S, 0 };
	json_t *evs, *ev, *other;
	struct check c;
	char *path = tmp("window.json");
	size_t i, at_start = 0;

	(void)state;
	run(m, 30 * NS_PER_S, &o, path);
	check_file(&c, path);
	evs = json_object_get(c.doc, "traceEvents");
	json_array_foreach(evs, i, ev) {
		if (json_object_get(ev, "ts") == NULL)
			continue;
		assert_true(ts_ns(ev) >= 10 * NS_PER_S);
		assert_true(ts_ns(ev) <= 20 * NS_PER_S);
		if (ts_ns(ev) == 10 * NS_PER_S &&
		    strcmp(str(ev, "ph"), "B") == 0)
			at_start++;
	}
	/* the call stuck in the first deadlock is begun at the window */
	assert_true(at_start >= 1);
	check_flows(&c, "call", "", "");
	other = json_object_get(c.doc, "otherData");
	assert_int_equal(json_integer_value(json_object_get(other,
	    "window_start_ns")), 10 * NS_PER_S);
	assert_int_equal(json_integer_value(json_object_get(other,
	    "window_end_ns")), 20 * NS_PER_S);
	check_release(&c);
	model_free(m);
	free(path);
}

static uint64_t nprobes;

static void
interrupt_at(void *arg, const struct probe_ev *ev)
{
	(void)arg;
	(void)ev;
	if (++nprobes == 300)
		raise(SIGINT);
}

/*
 * A run stopped by SIGINT: tl_cut() keeps the file valid JSON, every
 * slice ended where the run stopped, and says it was cut; a finished
 * run's file has no "interrupted" key at all.
 */
static void
test_cut(void **state)
{
	struct model *m = default_model();
	struct world_opts wo = WORLD_OPTS_INIT;
	struct err e = ERR_INIT;
	struct check c;
	struct world *w;
	struct tl *tl;
	json_t *other;
	char *path = tmp("cut.json");

	(void)state;
	wo.duration = 60 * NS_PER_S;
	w = world_new(m, &wo);
	tl = tl_open(path, m, world_bus(w), NULL, &e);
	assert_non_null(tl);
	nprobes = 0;
	probe_listen(world_bus(w), PROBE_ALL, interrupt_at, NULL);
	intr_install();
	world_run(w);
	intr_restore();
	assert_true(world_now(w) < world_end(w));
	tl_cut(tl, "SIGINT");
	assert_int_equal(tl_close(tl, world_now(w), &e), 0);
	check_file(&c, path);	/* valid, every slice ended */
	other = json_object_get(c.doc, "otherData");
	assert_string_equal(str(other, "interrupted"), "SIGINT");
	assert_int_equal(json_integer_value(json_object_get(other,
	    "window_end_ns")), world_now(w));
	assert_int_equal(count_named(&c, "i", "run interrupted (SIGINT)"), 1);
	assert_true(c.nb > 0);
	check_release(&c);
	world_free(w);

	run(m, NS_PER_S, NULL, path);
	check_file(&c, path);
	assert_null(json_object_get(json_object_get(c.doc, "otherData"),
	    "interrupted"));
	assert_int_equal(count_named(&c, "i", "run interrupted"), 0);
	check_release(&c);
	model_free(m);
	free(path);
}

static void
test_max_events(void **state)
{
	struct model *m = default_model();
	struct tl_opts o = { 0, -1, 100 };
	struct check c;
	char *path = tmp("max.json");

	(void)state;
	run(m, 10 * NS_PER_S, &o, path);
	check_file(&c, path);
	/* counted records (all but E and M) stay under the cap (+1 note) */
	assert_true(c.nb + c.ni + c.nc + c.nflow <= 101);
	assert_true(c.nb > 0);
	assert_true(json_is_true(json_object_get(json_object_get(c.doc,
	    "otherData"), "truncated")));
	assert_int_equal(count_named(&c, "i", "timeline truncated"), 1);
	check_flows(&c, "", "", "");
	check_release(&c);
	model_free(m);
	free(path);
}

static void
test_parse_window(void **state)
{
	static const char *const bad[] = { "10s", "20s..10s", "abc..1s",
	    "1s..x", "..-1s", "" };
	struct err e = ERR_INIT;
	int64_t a, b;

	(void)state;
	assert_int_equal(tl_parse_window("10s..20s", &a, &b, &e), 0);
	assert_true(a == 10 * NS_PER_S && b == 20 * NS_PER_S);
	assert_int_equal(tl_parse_window("..5ms", &a, &b, &e), 0);
	assert_true(a == 0 && b == 5 * NS_PER_MS);
	assert_int_equal(tl_parse_window("30s..", &a, &b, &e), 0);
	assert_true(a == 30 * NS_PER_S && b == -1);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err_clear(&e);
		assert_int_equal(tl_parse_window(bad[i], &a, &b, &e), -1);
		assert_true(e.set);
	}
}

static void
test_unwritable(void **state)
{
	struct model *m = default_model();
	struct world *w = world_new(m, NULL);
	struct err e = ERR_INIT;
	char *path = tmp("no/such/dir/t.json");

	(void)state;
	assert_null(tl_open(path, m, world_bus(w), NULL, &e));
	assert_non_null(strstr(e.text, "t.json"));
	assert_int_equal(tl_close(NULL, 0, &e), 0);
	world_free(w);
	model_free(m);
	free(path);
}

/* Any bytes give a JSON string that parses back (U+FFFD for non-UTF-8). */
static void
test_escape(void **state)
{
	static const char *const in[] = { "plain", "q\"b\\s", "tab\tnl\n\x01",
	    "caf\xc3\xa9", "bad\xff\xfe", "trunc\xe2\x82", "over\xc0\xaf",
	    "sur\xed\xa0\x80" };
	static const char *const out[] = { "plain", "q\"b\\s", "tab\tnl\n\x01",
	    "caf\xc3\xa9", "bad\xef\xbf\xbd\xef\xbf\xbd",
	    "trunc\xef\xbf\xbd\xef\xbf\xbd", "over\xef\xbf\xbd\xef\xbf\xbd",
	    "sur\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd" };
	char buf[256], doc[300];

	(void)state;
	for (size_t i = 0; i < sizeof(in) / sizeof(in[0]); i++) {
		json_error_t je;
		json_t *j;

		snprintf(doc, sizeof(doc), "[%s]", tl__esc(in[i], buf,
		    sizeof(buf)));
		j = json_loads(doc, 0, &je);
		assert_non_null(j);
		assert_string_equal(json_string_value(json_array_get(j, 0)),
		    out[i]);
		json_decref(j);
	}
	/* long strings are cut, still valid */
	memset(doc, 'x', sizeof(doc) - 1);
	doc[sizeof(doc) - 1] = '\0';
	assert_true(strlen(tl__esc(doc, buf, 16)) < 16);
	assert_true(buf[0] == '"' && buf[strlen(buf) - 1] == '"');
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_default_model_shows_the_cycle),
		cmocka_unit_test(test_same_bytes_twice),
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_max_events),
		cmocka_unit_test(test_cut),
		cmocka_unit_test(test_parse_window),
		cmocka_unit_test(test_unwritable),
		cmocka_unit_test(test_escape),
	};
	int rc;

	if (mkdtemp(tmpdir) == NULL)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (rc == 0) {
		char *cmd = xasprintf("rm -rf '%s'", tmpdir);

		if (system(cmd) != 0)
			rc = 1;
		free(cmd);
	}
	return rc;
}
