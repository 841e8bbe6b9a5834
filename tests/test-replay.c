/*
 * test-replay.c - trace replay: the schedule (trace/replay.h) under a
 * fake driver whose syscalls take a chosen time, and the replay inside
 * the simulated world (trace/replay-world.h).
 *
 * Schedule: open mode issues at recorded offsets / speed whatever the
 * latency; closed mode keeps per-thread causality (a slow syscall pushes
 * that thread's later events back, by exactly the delay, and no other
 * thread's), falls back to per-process order without thread ids, reads a
 * trace store exactly as the file it came from, filters by type (NOTIFY
 * or AUTH names), process (path or basename) and window, maps as_auth,
 * survives a read-ahead cap, forgets threads that carry no delay, and
 * reports bad input with its location.
 *
 * World: a client whose AUTH_OPEN handler sleeps 10 ms slows a recorded
 * thread's later opens in closed mode and not in open mode; executables
 * are matched to model processes by path or become new processes named
 * by basename; synth -> import -> replay gives the same run summary
 * twice, and the same from the file as from the store.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/stats.h"
#include "core/xalloc.h"
#include "es/probe.h"
#include "es/world.h"
#include "model/model.h"
#include "trace/eslogger.h"
#include "trace/replay-world.h"
#include "trace/replay.h"
#include "trace/synth.h"
#include "trace/tracedb.h"

#define MS	INT64_C(1000000)
#define T0	(INT64_C(1767603600) * 1000000000)	/* 2026-01-05T09:00Z */

static char dir[512];

static int
setup(void **state)
{
	const char *tmp = getenv("TMPDIR");

	(void)state;
	snprintf(dir, sizeof(dir), "%s/test-replay.XXXXXX",
	    tmp != NULL ? tmp : "/tmp");
	return mkdtemp(dir) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	char cmd[600];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static char *
tmpfile_path(const char *name)
{
	return xasprintf("%s/%s", dir, name);
}

/* One recorded event: ms from T0, process, thread (-1: none), type, path. */
struct rec {
	double		 ms;
	int		 pid, pv;
	int64_t		 tid;
	const char	*exe;
	const char	*key;
	const char	*path;
};

static void
write_line(FILE *f, const struct rec *r)
{
	const struct evtype *t = evtype_by_eslogger(r->key, EVTYPE_NOTIFY);
	char tb[ESL_TIME_LEN];

	assert_non_null(t);
	fprintf(f, "{\"event_type\":%d,\"time\":\"%s\",\"process\":"
	    "{\"audit_token\":{\"pid\":%d,\"pidversion\":%d},"
	    "\"executable\":{\"path\":\"%s\"},\"signing_id\":\"x.%d\"}",
	    t->value, esl_format_time(T0 + (int64_t)(r->ms * 1e6 + 0.5), tb),
	    r->pid, r->pv, r->exe, r->pid);
	if (r->tid >= 0)
		fprintf(f, ",\"thread\":{\"thread_id\":%lld}",
		    (long long)r->tid);
	if (strcmp(r->key, "exit") == 0)
		fprintf(f, ",\"event\":{\"exit\":{\"stat\":0}}}\n");
	else if (strcmp(r->key, "open") == 0)
		fprintf(f, ",\"event\":{\"open\":{\"file\":{\"path\":\"%s\"}}}}\n",
		    r->path);
	else
		fprintf(f, ",\"event\":{\"%s\":{\"target\":{\"path\":\"%s\"}}}}\n",
		    r->key, r->path);
}

static char *
write_trace(const char *name, const struct rec *r, size_t n)
{
	char *path = tmpfile_path(name);
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	for (size_t i = 0; i < n; i++)
		write_line(f, &r[i]);
	fclose(f);
	return path;
}

/* Two threads of cat, one of ls. */
static const struct rec two[] = {
	{ 0, 10, 1, 100, "/bin/cat", "open", "/a0" },
	{ 5, 20, 1, 200, "/bin/ls", "open", "/b0" },
	{ 10, 10, 1, 100, "/bin/cat", "open", "/a1" },
	{ 15, 20, 1, 200, "/bin/ls", "close", "/b1" },
	{ 20, 10, 1, 100, "/bin/cat", "open", "/a2" },
};

/* ---- a fake driver ---------------------------------------------------- */

struct issued {
	int64_t		 t;
	int		 pid;
	int		 type;
	char		 path[64];
};

struct flight {
	uint64_t	 tag;
	int64_t		 done;
};

typedef int64_t lat_fn(const struct replay_sc *sc);

/* Run r to its end; returns how many syscalls were issued (<= max). */
static size_t
drive(struct replay *r, lat_fn *lat, struct issued *out, size_t max)
{
	struct flight *fl = xcalloc(4096, sizeof(*fl));
	size_t nfl = 0, n = 0;
	struct err e = ERR_INIT;
	struct replay_sc sc;
	int64_t t = 0;
	int rc;

	for (;;) {
		size_t best = 0;

		rc = replay_peek(r, &t, &e);
		assert_true(rc >= 0);
		for (size_t i = 1; i < nfl; i++)
			if (fl[i].done < fl[best].done)
				best = i;
		if (nfl > 0 && (rc == 0 || fl[best].done <= t)) {
			replay_done(r, fl[best].tag, fl[best].done);
			fl[best] = fl[--nfl];
			continue;
		}
		if (rc == 0)
			break;
		replay_pop(r, &sc);
		assert_int_equal(sc.t, t);
		if (n < max) {
			out[n].t = sc.t;
			out[n].pid = sc.pid;
			out[n].type = sc.type->value;
			snprintf(out[n].path, sizeof(out[n].path), "%s",
			    sc.path != NULL ? sc.path : "");
		}
		n++;
		assert_true(nfl < 4096);
		fl[nfl].tag = sc.tag;
		fl[nfl++].done = sc.t + (lat != NULL ? lat(&sc) : 0);
	}
	assert_true(replay_finished(r));
	free(fl);
	return n;
}

static struct replay *
open_ok(const char *file, const struct replay_opts *o)
{
	struct err e = ERR_INIT;
	struct replay *r = replay_open(file, o, &e);

	if (r == NULL) {
		err_print(&e, "replay_open", stderr);
		fail();
	}
	return r;
}

static int64_t
lat_100ms(const struct replay_sc *sc)
{
	(void)sc;
	return 100 * MS;
}

static int64_t
lat_cat_30ms(const struct replay_sc *sc)
{
	return sc->pid == 10 ? 30 * MS : 0;
}

static void
test_open_mode(void **state)
{
	struct replay_opts o = REPLAY_OPTS_INIT;
	struct issued is[8];
	static const int64_t want[] = { 0, 2500000, 5000000, 7500000,
		10000000 };
	char *f = write_trace("two.jsonl", two, 5);
	struct replay *r;

	(void)state;
	o.mode = REPLAY_OPEN;
	o.speed = 2;
	r = open_ok(f, &o);
	/* Slow syscalls change nothing in open mode. */
	assert_int_equal(drive(r, lat_100ms, is, 8), 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(is[i].t, want[i]);
	assert_string_equal(is[3].path, "/b1");
	assert_int_equal(replay_stats(r)->issued, 5);
	replay_free(r);
	free(f);
}

static void
test_closed_instant_is_recorded(void **state)
{
	struct replay_opts o = REPLAY_OPTS_INIT;
	struct issued is[8];
	char *f = write_trace("two.jsonl", two, 5);
	struct replay *r = open_ok(f, &o);

	(void)state;
	assert_int_equal(drive(r, NULL, is, 8), 5);
	for (int i = 0; i < 5; i++)
		assert_int_equal(is[i].t, (int64_t)(two[i].ms * MS));
	assert_int_equal(replay_stats(r)->late, 0);
	assert_int_equal(replay_stats(r)->done, 5);
	replay_free(r);
	free(f);
}

static void
test_closed_slow_thread(void **state)
{
	struct replay_opts o = REPLAY_OPTS_INIT;
	struct issued is[8];
	char *f = write_trace("two.jsonl", two, 5);
	struct replay *r = open_ok(f, &o);

	(void)state;
	/*
	 * cat's syscalls take 30 ms: its opens start at 0, 30 + 10, 70 + 10;
	 * ls is untouched at 5 and 15.
	 */
	assert_int_equal(drive(r, lat_cat_30ms, is, 8), 5);
	assert_int_equal(is[0].t, 0);
	assert_int_equal(is[1].t, 5 * MS);
	assert_int_equal(is[2].t, 15 * MS);
	assert_int_equal(is[2].pid, 20);
	assert_int_equal(is[3].t, 40 * MS);
	assert_string_equal(is[3].path, "/a1");
	assert_int_equal(is[4].t, 80 * MS);
	assert_string_equal(is[4].path, "/a2");
	replay_free(r);
	free(f);
}

/* Without thread ids, a process image is one thread. */
static void
test_closed_per_process(void **state)
{
	static const struct rec recs[] = {
		{ 0, 10, 1, -1, "/bin/cat", "open", "/a" },
		{ 1, 10, 1, -1, "/bin/cat", "open", "/b" },
		{ 2, 10, 2, -1, "/bin/cat", "open", "/c" },	/* new image */
	};
	struct replay_opts o = REPLAY_OPTS_INIT;
	struct issued is[4];
	char *f = write_trace("noth.jsonl", recs, 3);
	struct replay *r = open_ok(f, &o);

	(void)state;
	assert_int_equal(drive(r, lat_cat_30ms, is, 4), 3);
	assert_int_equal(is[0].t, 0);
	assert_int_equal(is[1].t, 2 * MS);		/* pidversion 2 */
	assert_string_equal(is[1].path, "/c");
	assert_int_equal(is[2].t, 31 * MS);		/* after /a */
	replay_free(r);
	free(f);
}

static void
test_filters(void **state)
{
	static const char *const ls[] = { "ls" };
	static const char *const cat[] = { "/bin/cat" };
	struct replay_opts o = REPLAY_OPTS_INIT;
	struct err e = ERR_INIT;
	struct issued is[8];
	char *f = write_trace("two.jsonl", two, 5);
	struct replay *r;

	(void)state;
	/* Types, named in AUTH form: AUTH_OPEN keeps the NOTIFY_OPENs. */
	evset_add(&o.types, evtype_by_name("AUTH_OPEN")->value);
	o.has_types = 1;
	r = open_ok(f, &o);
	assert_int_equal(drive(r, NULL, is, 8), 4);
	assert_int_equal(replay_stats(r)->objects, 5);
	assert_int_equal(replay_stats(r)->kept, 4);
	replay_free(r);
	/* Processes by basename, then by path. */
	o = (struct replay_opts)REPLAY_OPTS_INIT;
	o.processes = ls;
	o.nprocesses = 1;
	r = open_ok(f, &o);
	assert_int_equal(drive(r, NULL, is, 8), 2);
	assert_int_equal(is[0].pid, 20);
	assert_int_equal(replay_nprocs(r), 1);
	assert_string_equal(replay_proc(r, 0)->exe, "/bin/ls");
	replay_free(r);
	o.processes = cat;
	r = open_ok(f, &o);
	assert_int_equal(drive(r, NULL, is, 8), 3);
	replay_free(r);
	/* Window [5ms, 16ms): times count from the window's start. */
	o = (struct replay_opts)REPLAY_OPTS_INIT;
	o.from = 5 * MS;
	o.to = 16 * MS;
	r = open_ok(f, &o);
	assert_int_equal(drive(r, NULL, is, 8), 3);
	assert_int_equal(is[0].t, 0);
	assert_int_equal(is[1].t, 5 * MS);
	assert_int_equal(is[2].t, 10 * MS);
	replay_free(r);
	/* Nothing passes: an error, not an empty run. */
	o.from = 50 * MS;
	o.to = -1;
	assert_null(replay_open(f, &o, &e));
	assert_non_null(strstr(e.text, "no event of the trace passes"));
	free(f);
}

static void
test_as_auth(void **state)
{
	struct replay_opts o = REPLAY_OPTS_INIT;
	struct replay_sc sc;
	struct err e = ERR_INIT;
	char *f = write_trace("two.jsonl", two, 5);
	struct replay *r;
	int64_t t;
	int n = 0;

	(void)state;
	evset_add(&o.as_auth, evtype_by_name("NOTIFY_OPEN")->value);
	o.mode = REPLAY_OPEN;
	r = open_ok(f, &o);
	while (replay_peek(r, &t, &e) == 1) {
		replay_pop(r, &sc);
		if (strcmp(sc.recorded->eslogger, "open") == 0)
			assert_string_equal(sc.type->name, "AUTH_OPEN");
		else
			assert_string_equal(sc.type->name, "NOTIFY_CLOSE");
		n++;
	}
	assert_int_equal(n, 5);
	replay_free(r);
	free(f);
}

/* A trace store replays exactly like the file it was imported from. */
static void
test_store_equals_file(void **state)
{
	struct tdb_import_opts io = TDB_IMPORT_OPTS_INIT;
	struct replay_opts o = REPLAY_OPTS_INIT;
	struct tdb_import_stats ist;
	struct err e = ERR_INIT;
	struct issued a[8], b[8];
	char *f = write_trace("two.jsonl", two, 5);
	char *dbf = tmpfile_path("two.db");
	struct tdb *db;
	struct replay *r;

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	db = tdb_open(dbf, TDB_WRITE, &e);
	assert_non_null(db);
	assert_int_equal(tdb_import(db, f, &io, &ist, &e), TDB_OK);
	tdb_close(db);
	r = open_ok(f, &o);
	assert_int_equal(drive(r, lat_cat_30ms, a, 8), 5);
	replay_free(r);
	r = open_ok(dbf, &o);
	assert_int_equal(drive(r, lat_cat_30ms, b, 8), 5);
	replay_free(r);
	assert_memory_equal(a, b, sizeof(a[0]) * 5);
	free(f);
	free(dbf);
}

static void
test_bad_input(void **state)
{
	struct replay_opts o = REPLAY_OPTS_INIT;
	struct err e = ERR_INIT;
	char *f = tmpfile_path("bad.jsonl");
	char *none = tmpfile_path("none.jsonl");
	FILE *fp = fopen(f, "w");
	char buf[ERR_TEXT_MAX + 600];

	(void)state;
	write_line(fp, &two[0]);
	fputs("{\"event_type\":10,\"time\":\"2026-01-05T09:00:00Z\","
	    "\"process\":{\"audit_token\":{\"pid\":-5,\"pidversion\":1},"
	    "\"executable\":{\"path\":\"/x\"}},\"event\":{\"open\":{}}}\n", fp);
	fclose(fp);
	assert_null(replay_open(f, &o, &e));
	err_format(&e, buf, sizeof(buf));
	assert_non_null(strstr(buf, "bad.jsonl:2: /process/audit_token/pid: "
	    "-5 out of range"));
	err_clear(&e);
	assert_null(replay_open(none, &o, &e));
	assert_non_null(strstr(err_format(&e, buf, sizeof(buf)),
	    "none.jsonl"));
	err_clear(&e);
	fp = fopen(none, "w");
	fclose(fp);
	assert_null(replay_open(none, &o, &e));
	assert_non_null(strstr(e.text, "holds no event"));
	free(f);
	free(none);
}

/* A read-ahead cap of one event: slower, later, but complete. */
static void
test_buffer_cap(void **state)
{
	struct rec recs[40];
	struct replay_opts o = REPLAY_OPTS_INIT;
	struct issued is[40];
	char *f;
	struct replay *r;

	(void)state;
	for (int i = 0; i < 40; i++) {
		recs[i] = two[i % 2];
		recs[i].ms = i;
	}
	f = write_trace("cap.jsonl", recs, 40);
	o.max_buffered = 1;
	r = open_ok(f, &o);
	assert_int_equal(drive(r, lat_cat_30ms, is, 40), 40);
	assert_true(replay_stats(r)->stalls > 0);
	assert_true(replay_stats(r)->peak_buffered <= 2);
	for (int i = 1; i < 40; i++)
		assert_true(is[i].t >= is[i - 1].t);
	replay_free(r);
	free(f);
}

/* Threads with no delay are not kept: memory is what is in flight. */
static void
test_threads_forgotten(void **state)
{
	struct rec *recs = xcalloc(2000, sizeof(*recs));
	struct replay_opts o = REPLAY_OPTS_INIT;
	struct issued is[1];
	char *f;
	struct replay *r;

	(void)state;
	for (int i = 0; i < 2000; i++) {
		recs[i].ms = i * 0.5;
		recs[i].pid = 100 + i / 2;
		recs[i].pv = 1;
		recs[i].tid = 1000 + i / 2;
		recs[i].exe = "/usr/bin/true";
		recs[i].key = i % 2 == 0 ? "open" : "exit";
		recs[i].path = "/etc/x";
	}
	f = write_trace("many.jsonl", recs, 2000);
	r = open_ok(f, &o);
	assert_int_equal(drive(r, lat_100ms, is, 0), 2000);
	/* 100 ms syscalls every 0.5 ms: about 200 threads busy at once. */
	assert_in_range(replay_stats(r)->peak_threads, 150, 260);
	assert_int_equal(replay_stats(r)->threads, 0);
	replay_free(r);
	free(recs);
	free(f);
}

/* ---- in the world ---------------------------------------------------- */

static const char slow_model[] =
    "{\"essim\":1,\"duration\":\"5s\",\"seed\":3,"
    "\"clients\":{\"slow\":{\"path\":\"/Library/Slow/slowd\","
    "  \"subscribe\":[\"AUTH_OPEN\"],"
    "  \"handler\":{\"AUTH_OPEN\":[{\"sleep\":\"10ms\"},"
    "   {\"respond\":\"allow\"}]}}},"
    "\"workload\":{\"trace\":{\"file\":\"%s\",\"mode\":\"%s\","
    " \"as_auth\":[\"open\"]%s}}}";

static struct model *
model_text(const char *fmt, const char *file, const char *mode,
    const char *extra)
{
	struct diag d = DIAG_INIT;
	char *text = xasprintf(fmt, file, mode, extra);
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	struct model *m;

	assert_non_null(doc);
	m = model_load_json(doc, "inline.json", dir, &d);
	if (m == NULL)
		diag_print(&d, "model", stderr);
	assert_non_null(m);
	json_decref(doc);
	diag_release(&d);
	free(text);
	return m;
}

struct seen {
	int		 proc;
	int64_t		 t[64];
	size_t		 n;
};

static void
seen_fn(void *arg, const struct probe_ev *ev)
{
	struct seen *s = arg;

	if (ev->process == s->proc && s->n < 64)
		s->t[s->n++] = ev->t;
}

/* Issue times of the syscalls of the trace's cat in a world run. */
static size_t
run_cat(const char *mode, const char *extra, int64_t *t, size_t max)
{
	struct rec recs[20];
	struct err e = ERR_INIT;
	struct model *m;
	struct replay_world *rw;
	struct world *w;
	struct seen s;
	char *f;

	for (int i = 0; i < 20; i++) {
		recs[i] = two[0];
		recs[i].ms = i;
	}
	f = write_trace("cat.jsonl", recs, 20);
	m = model_text(slow_model, f, mode, extra);
	rw = replay_world_new(m, NULL, &e);
	assert_non_null(rw);
	w = world_new(replay_world_model(rw), NULL);
	memset(&s, 0, sizeof(s));
	s.proc = replay_world_process(rw, 0)->id;
	probe_listen(world_bus(w), PROBE_BIT(PROBE_SYSCALL), seen_fn, &s);
	replay_world_attach(rw, w);
	world_run(w);
	assert_int_equal(replay_world_error(rw, &e), 0);
	assert_int_equal(replay_stats(replay_world_replay(rw))->issued, 20);
	world_free(w);
	replay_world_free(rw);
	model_free(m);
	free(f);
	memcpy(t, s.t, sizeof(*t) * (s.n < max ? s.n : max));
	return s.n;
}

static void
test_world_closed_slows_down(void **state)
{
	int64_t t[64];

	(void)state;
	assert_int_equal(run_cat("closed", "", t, 64), 20);
	/* Each open waits >= 10 ms for the verdict, then 1 ms of think. */
	assert_int_equal(t[0], 0);
	for (int i = 1; i < 20; i++)
		assert_true(t[i] >= t[i - 1] + 11 * MS);
	assert_true(t[19] >= 19 * 11 * MS);
}

static void
test_world_open_keeps_time(void **state)
{
	int64_t t[64];

	(void)state;
	assert_int_equal(run_cat("open", "", t, 64), 20);
	for (int i = 0; i < 20; i++)
		assert_int_equal(t[i], i * MS);
	/* Speed 4: a quarter of the time. */
	assert_int_equal(run_cat("open", ",\"speed\":4", t, 64), 20);
	for (int i = 0; i < 20; i++)
		assert_int_equal(t[i], i * MS / 4);
}

static void
test_world_processes(void **state)
{
	static const struct rec recs[] = {
		{ 0, 10, 1, 1, "/Library/Slow/slowd", "open", "/a" },
		{ 1, 11, 1, 1, "/bin/cat", "open", "/b" },
		{ 2, 12, 1, 1, "/opt/other/cat", "open", "/c" },
		{ 3, 13, 1, 1, "/bin/cat", "open", "/d" },
		{ 4, 14, 1, 1, "/usr/bin/slow", "open", "/e" },
	};
	struct err e = ERR_INIT;
	char *f = write_trace("procs.jsonl", recs, 5);
	struct model *m = model_text(slow_model, f, "closed", "");
	struct replay_world *rw = replay_world_new(m, NULL, &e);
	const struct model *wm;

	(void)state;
	assert_non_null(rw);
	wm = replay_world_model(rw);
	assert_true(wm != m);
	assert_int_equal(replay_nprocs(replay_world_replay(rw)), 4);
	/* The client's own executable acts as the client. */
	assert_string_equal(replay_world_process(rw, 0)->name, "slow");
	assert_int_equal(replay_world_process(rw, 0)->kind, M_PROC_CLIENT);
	assert_string_equal(replay_world_process(rw, 1)->name, "cat");
	assert_string_equal(replay_world_process(rw, 1)->path, "/bin/cat");
	assert_string_equal(replay_world_process(rw, 1)->signing_id, "x.11");
	assert_string_equal(replay_world_process(rw, 2)->name, "cat[12]");
	/* "slow" is the client's name: the new process gets its pid. */
	assert_string_equal(replay_world_process(rw, 3)->name, "slow[14]");
	assert_non_null(model_process(wm, "cat[12]"));
	assert_null(model_process(m, "cat"));
	replay_world_free(rw);
	model_free(m);
	free(f);
}

static const char round_spec[] =
    "{\"synth\":1,\"duration\":\"2s\",\"seed\":9,\"processes\":{"
    "\"launchd\":{\"path\":\"/sbin/launchd\",\"spawn\":[{\"process\":\"cc\","
    "\"rate\":\"20/s\",\"max\":20}]},"
    "\"cc\":{\"path\":\"/usr/bin/cc\",\"threads\":2,\"lifetime\":\"300ms\","
    "\"events\":[{\"event\":\"open\",\"rate\":\"300/s\",\"close\":true,"
    "\"path\":{\"zipf\":{\"prefix\":\"/inc/h\",\"n\":50}}}]}},"
    "\"roots\":[\"launchd\"]}";

static const char three_clients[] =
    "{\"essim\":1,\"duration\":\"4s\",\"seed\":3,"
    "\"clients\":{"
    " \"a\":{\"subscribe\":[\"AUTH_OPEN\",\"NOTIFY_EXEC\"],"
    "  \"handler\":{\"AUTH_OPEN\":[{\"cpu\":{\"exp\":\"200us\"}},"
    "   {\"respond\":\"allow\",\"cache\":true}],"
    "   \"default\":[{\"cpu\":\"50us\"}]}},"
    " \"b\":{\"subscribe\":[\"AUTH_OPEN\"],"
    "  \"handler\":{\"AUTH_OPEN\":[{\"if\":{\"p\":0.1},\"then\":[{\"sleep\":"
    "   {\"exp\":\"5ms\"}}]},{\"respond\":\"allow\"}]}},"
    " \"c\":{\"subscribe\":[\"NOTIFY_OPEN\",\"NOTIFY_CLOSE\",\"NOTIFY_FORK\"],"
    "  \"handler\":{\"default\":[{\"cpu\":\"20us\"}]}}},"
    "\"workload\":{\"trace\":{\"file\":\"%s\",\"mode\":\"%s\","
    " \"as_auth\":[\"open\"]%s}}}";

/* The run summary of three_clients over trace file, as JSON text. */
static char *
summary(const char *file, const char *mode)
{
	struct err e = ERR_INIT;
	struct model *m = model_text(three_clients, file, mode, "");
	struct replay_world *rw = replay_world_new(m, NULL, &e);
	struct stats_run sr;
	struct stats *st;
	struct world *w;
	json_t *j;
	char *text;

	assert_non_null(rw);
	w = world_new(replay_world_model(rw), NULL);
	st = stats_new(replay_world_model(rw), world_bus(w));
	replay_world_attach(rw, w);
	world_run(w);
	memset(&sr, 0, sizeof(sr));
	sr.model_file = "inline.json";
	sr.seed = world_seed(w);
	sr.duration_ns = world_end(w);
	sr.sim_ns = world_now(w);
	sr.events = world_events(w);
	j = stats_json(st, &sr);
	text = json_dumps(j, JSON_INDENT(1) | JSON_REAL_PRECISION(10));
	assert_true(replay_stats(replay_world_replay(rw))->issued > 1000);
	json_decref(j);
	stats_free(st);
	world_free(w);
	replay_world_free(rw);
	model_free(m);
	return text;
}

static void
test_round_trip_deterministic(void **state)
{
	struct tdb_import_opts io = TDB_IMPORT_OPTS_INIT;
	struct tdb_import_stats ist;
	struct diag d = DIAG_INIT;
	struct err e = ERR_INIT;
	json_error_t je;
	json_t *doc = json_loads(round_spec, 0, &je);
	struct synth *s = synth_load_json(doc, "spec", ".", &d);
	char *jl = tmpfile_path("round.jsonl"), *dbf = tmpfile_path("round.db");
	char *a, *b, *c, *o1, *o2;
	struct tdb *db;
	FILE *f;

	(void)state;
	assert_non_null(s);
	f = fopen(jl, "w");
	assert_int_equal(synth_write(s, NULL, f, NULL, &e), 0);
	fclose(f);
	db = tdb_open(dbf, TDB_WRITE, &e);
	assert_int_equal(tdb_import(db, jl, &io, &ist, &e), TDB_OK);
	tdb_close(db);
	a = summary(dbf, "closed");
	b = summary(dbf, "closed");
	c = summary(jl, "closed");
	assert_string_equal(a, b);
	assert_string_equal(a, c);
	o1 = summary(dbf, "open");
	o2 = summary(dbf, "open");
	assert_string_equal(o1, o2);
	assert_string_not_equal(a, o1);
	free(a);
	free(b);
	free(c);
	free(o1);
	free(o2);
	free(jl);
	free(dbf);
	synth_free(s);
	json_decref(doc);
	diag_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_open_mode),
		cmocka_unit_test(test_closed_instant_is_recorded),
		cmocka_unit_test(test_closed_slow_thread),
		cmocka_unit_test(test_closed_per_process),
		cmocka_unit_test(test_filters),
		cmocka_unit_test(test_as_auth),
		cmocka_unit_test(test_store_equals_file),
		cmocka_unit_test(test_bad_input),
		cmocka_unit_test(test_buffer_cap),
		cmocka_unit_test(test_threads_forgotten),
		cmocka_unit_test(test_world_closed_slows_down),
		cmocka_unit_test(test_world_open_keeps_time),
		cmocka_unit_test(test_world_processes),
		cmocka_unit_test(test_round_trip_deterministic),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
