/*
 * test-results.c - the results database (sim/out/results*.c): creation,
 * identity and version checks, the refusal of files that are not ours,
 * 'incomplete' until the end and after a crash, every row read back, the
 * sampler's semantics, two runs of a world giving the same rows, and the
 * flags of a run (first set, by whom, how often; never set).
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
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <sqlite3.h>

#include "analysis/analyses.h"
#include "analysis/findings.h"
#include "analysis/hist.h"
#include "analysis/stats.h"
#include "core/intr.h"
#include "core/loop.h"
#include "core/xalloc.h"
#include "out/results-rec.h"
#include "out/results-sample.h"
#include "out/results.h"
#include "test-world-util.h"

static char tmpdir[] = "/tmp/essim-results.XXXXXX";

static char *
tmp(const char *name)
{
	return xasprintf("%s/%s", tmpdir, name);
}

/* The first column of the first row of sql, as text ("" for NULL). */
static char *
q1(const char *path, const char *sql)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *out = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
		fail();
	}
	if (sqlite3_step(st) == SQLITE_ROW)
		out = xstrdup(sqlite3_column_text(st, 0) != NULL ?
		    (const char *)sqlite3_column_text(st, 0) : "");
	sqlite3_finalize(st);
	sqlite3_close(db);
	return out != NULL ? out : xstrdup("(no row)");
}

static void
expect_q(const char *path, const char *sql, const char *want)
{
	char *got = q1(path, sql);

	if (strcmp(got, want) != 0)
		fprintf(stderr, "%s\n  got '%s', want '%s'\n", sql, got, want);
	assert_string_equal(got, want);
	free(got);
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static char *
read_file(const char *path, size_t *n)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long len;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	len = ftell(f);
	fseek(f, 0, SEEK_SET);
	buf = xmalloc((size_t)len + 1);
	*n = fread(buf, 1, (size_t)len, f);
	buf[*n] = '\0';
	fclose(f);
	return buf;
}

static struct res_run_info
info(void)
{
	struct res_run_info ri = RES_RUN_INFO_INIT;

	ri.model_name = "m";
	ri.model_file = "m.json";
	ri.model_text = "{\"essim\": 1}";
	ri.seed = 7;
	ri.duration_ns = 1000;
	ri.sample_ns = 10;
	return ri;
}

static struct res_run_end
end_values(void)
{
	struct res_run_end end;

	end.sim_ns = 1000;
	end.events = 42;
	end.wall_s = 0.5;
	end.cache_hits = 3;
	end.early_boot_timeouts = 1;
	return end;
}

/* A database with one complete run; returns its path. */
static char *
make_db(const char *name)
{
	struct err e = ERR_INIT;
	struct res_db *db;
	struct res_run *r;
	struct res_run_info ri = info();
	struct res_run_end end = end_values();
	char *path = tmp(name);

	unlink(path);
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), RES_OK);
	assert_non_null(r = res_run_begin(db, &ri, &e));
	assert_int_equal(res_run_end(r, &end, &e), RES_OK);
	assert_int_equal(res_close(db, &e), RES_OK);
	return path;
}

static void
test_create_and_identify(void **state)
{
	char *path = make_db("ident.db");

	(void)state;
	assert_int_equal(res_probe_version(path), RES_SCHEMA_VERSION);
	expect_q(path, "PRAGMA application_id", "1163086157");
	expect_q(path, "PRAGMA user_version", "3");
	expect_q(path, "SELECT value FROM meta WHERE key = 'schema_version'",
	    "3");
	expect_q(path, "SELECT value FROM meta WHERE key = 'kind'", "run");
	expect_q(path, "SELECT group_concat(name, ',') FROM (SELECT name "
	    "FROM sqlite_master WHERE type IN ('table', 'view') ORDER BY name)",
	    "client_stats,events,finding_steps,findings,flags,hist,"
	    "hist_bucket,incidents,meta,process_stats,run,samples,samples_v,"
	    "series,sweep,sweep_params,syscall_stats");
	expect_q(path, "PRAGMA integrity_check", "ok");
	free(path);
}

static void
test_incomplete_until_the_end(void **state)
{
	struct err e = ERR_INIT;
	struct res_db *db;
	struct res_run *r;
	struct res_run_info ri = info();
	struct res_run_end end = end_values();
	char *path = tmp("status.db");

	(void)state;
	unlink(path);
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), RES_OK);
	assert_non_null(r = res_run_begin(db, &ri, &e));
	assert_int_equal(res_run_id(r), 1);
	/* Another reader sees the run, incomplete, before anything else. */
	expect_q(path, "SELECT status || ',' || coalesce(sim_ns, 'null') || "
	    "',' || model_text FROM run", "incomplete,null,{\"essim\": 1}");
	assert_int_equal(res_run_end(r, &end, &e), RES_OK);
	expect_q(path, "SELECT status || ',' || sim_ns || ',' || events || "
	    "',' || cache_hits || ',' || early_boot_timeouts || ',' || seed || "
	    "',' || sample_ns || ',' || model_file || ',' || "
	    "(point IS NULL) FROM run", "complete,1000,42,3,1,7,10,m.json,1");
	assert_int_equal(res_close(db, &e), RES_OK);
	free(path);
}

static void
test_rows_round_trip(void **state)
{
	struct err e = ERR_INIT;
	struct res_db *db;
	struct res_run *r;
	struct res_run_info ri = info();
	struct res_run_end end = end_values();
	struct fd_list l = FD_LIST_INIT;
	struct finding *f;
	struct hist *h = hist_new();
	struct res_event ev = { 5, "WAIT", 3, "a thread", "queue", 9,
	    "a queue", 0, "sync", "app", NULL, "AUTH_OPEN", "/p", -1, 17 };
	char *path = tmp("rows.db");

	(void)state;
	unlink(path);
	for (int64_t v = 1; v <= 1000; v++)
		hist_record(h, v);
	f = fd_add(&l, FD_DEADLOCK, 100);
	f->t_end = -1;
	fd_summary(f, "a %s", "cycle");
	fd_set_chain(f, "a → b → a");
	fd_row(f, "a", "waits for b", 50, 2);
	fd_row(f, "b", "waits for a", -1, 0);
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), RES_OK);
	assert_non_null(r = res_run_begin(db, &ri, &e));
	assert_int_equal(res_series(r, "threads", "app"), 1);
	assert_int_equal(res_series(r, "syscalls_blocked", NULL), 2);
	assert_int_equal(res_sample(r, 1, 0, 3, 4), RES_OK);
	assert_int_equal(res_hist(r, "syscall", NULL, "AUTH_OPEN", h), RES_OK);
	assert_int_equal(res_hist(r, "response", "c", NULL, NULL), RES_OK);
	assert_int_equal(res_hist_headroom(r, "c", "AUTH_OPEN", 1000, h),
	    RES_OK);
	assert_int_equal(res_finding(r, f, NULL, "c"), RES_OK);
	assert_int_equal(res_incident(r, "kill", 77, "app", "c", "killed"),
	    RES_OK);
	assert_int_equal(res_flag(r, "go", 40, "app", 3), RES_OK);
	assert_int_equal(res_flag(r, "never", -1, "app", 0), RES_OK);
	assert_int_equal(res_client_stats(r, "c", 10, 9, 1, 1, 0, -1), RES_OK);
	assert_int_equal(res_process_stats(r, "app", 5, 4, 0, 12, 1), RES_OK);
	assert_int_equal(res_syscall_stats(r, "AUTH_OPEN", 8, 2), RES_OK);
	assert_int_equal(res_param(r, "/a/b", "\"2ms\""), RES_OK);
	assert_int_equal(res_event(r, &ev), RES_OK);
	assert_int_equal(res_run_end(r, &end, &e), RES_OK);
	assert_int_equal(res_sweep(db, "{\"grid\": 1}", 1, 4, &e), RES_OK);
	assert_int_equal(res_close(db, &e), RES_OK);

	expect_q(path, "SELECT group_concat(metric || ':' || "
	    "coalesce(subject, '-'), ',') FROM series", "threads:app,"
	    "syscalls_blocked:-");
	expect_q(path, "SELECT metric || subject || t_ns || value || peak "
	    "FROM samples_v", "threadsapp034");
	expect_q(path, "SELECT count || ',' || min_ns || ',' || max_ns || ',' "
	    "|| mean_ns || ',' || overflow FROM hist WHERE metric = 'syscall'",
	    "1000,1,1000,500.5,0");
	expect_q(path, "SELECT abs(p50_ns - 500) <= 2 AND abs(p99_ns - 990) "
	    "<= 4 AND abs(p999_ns - 999) <= 4 FROM hist WHERE metric = "
	    "'syscall'", "1");
	expect_q(path, "SELECT sum(b.count) FROM hist_bucket b JOIN hist h "
	    "USING (run_id, hist_id) WHERE metric = 'syscall'", "1000");
	expect_q(path, "SELECT count || coalesce(p50_ns, 'null') FROM hist "
	    "WHERE metric = 'response'", "0null");
	/* Headroom mirrors: min = deadline - max response, p99 = the 1% low. */
	expect_q(path, "SELECT min_ns || ',' || max_ns || ',' || "
	    "(abs(p99_ns - 10) <= 4) FROM hist WHERE metric = 'headroom'",
	    "0,999,1");
	expect_q(path, "SELECT sum(b.count) || ',' || min(lo_ns) || ',' || "
	    "max(hi_ns) FROM hist_bucket b JOIN hist h USING (run_id, hist_id) "
	    "WHERE metric = 'headroom'", "1000,0,999");
	expect_q(path, "SELECT kind || '|' || t_ns || '|' || (t_end_ns IS "
	    "NULL) || '|' || (process IS NULL) || '|' || client || '|' || "
	    "summary || '|' || chain FROM findings", "deadlock|100|1|1|c|"
	    "a cycle|a → b → a");
	expect_q(path, "SELECT group_concat(step || label || detail || "
	    "coalesce(t_ns, 'n') || coalesce(count, 'n'), ';') FROM "
	    "finding_steps", "0awaits for b502;1bwaits for ann");
	expect_q(path, "SELECT seq || kind || t_ns || process || client || "
	    "detail FROM incidents", "0kill77appckilled");
	expect_q(path, "SELECT group_concat(flag || ',' || coalesce(first_ns, "
	    "'n') || ',' || coalesce(process, 'n') || ',' || sets, ';') FROM "
	    "flags", "go,40,app,3;never,n,n,0");
	expect_q(path, "SELECT messages || auth_messages || misses || kills || "
	    "restarts || coalesce(min_headroom_ns, 'n') FROM client_stats",
	    "109110n");
	expect_q(path, "SELECT peak_threads || peak_pool_threads || crashes || "
	    "pool_time_above_ns || pool_crossings FROM process_stats",
	    "540121");
	expect_q(path, "SELECT event_type || count || denied FROM "
	    "syscall_stats", "AUTH_OPEN82");
	expect_q(path, "SELECT pointer || '=' || value FROM sweep_params",
	    "/a/b=\"2ms\"");
	expect_q(path, "SELECT seq || t_ns || kind || thread || thread_name || "
	    "obj_kind || obj || obj_name || coalesce(owner, 'n') || wait || "
	    "process || coalesce(client, 'n') || event_type || path || "
	    "coalesce(verdict, 'n') || value FROM events",
	    "05WAIT3a threadqueue9a queuensyncappnAUTH_OPEN/pn17");
	expect_q(path, "SELECT shard || '/' || shards || grid FROM sweep",
	    "1/4{\"grid\": 1}");
	expect_q(path, "SELECT value FROM meta WHERE key = 'kind'", "sweep");
	hist_free(h);
	fd_list_release(&l);
	free(path);
}

static void
test_refuse_existing_ours(void **state)
{
	struct err e = ERR_INIT;
	struct res_db *db;
	struct res_run *r;
	struct res_run_info ri = info();
	char *path = make_db("exists.db"), *before, *after;
	size_t n1, n2;

	(void)state;
	before = read_file(path, &n1);
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), RES_EINPUT);
	assert_null(db);
	assert_non_null(strstr(e.text, "--force"));
	after = read_file(path, &n2);
	assert_true(n1 == n2 && memcmp(before, after, n1) == 0);
	free(after);
	/* --append: run 2; a taken id is refused. */
	err_clear(&e);
	assert_int_equal(res_open(path, RES_APPEND, &db, &e), RES_OK);
	ri.run_id = 1;
	assert_null(res_run_begin(db, &ri, &e));
	assert_non_null(strstr(e.text, "run 1 exists"));
	err_clear(&e);
	ri.run_id = 0;
	assert_non_null(r = res_run_begin(db, &ri, &e));
	assert_int_equal(res_run_id(r), 2);
	assert_int_equal(res_close(db, &e), RES_OK);	/* abandons run 2 */
	expect_q(path, "SELECT group_concat(run_id || status, ',') FROM run",
	    "1complete,2incomplete");
	/* --force: a new, empty database. */
	assert_int_equal(res_open(path, RES_REPLACE, &db, &e), RES_OK);
	assert_int_equal(res_close(db, &e), RES_OK);
	expect_q(path, "SELECT count(*) FROM run", "0");
	/* Read-only: no runs. */
	assert_int_equal(res_open(path, RES_READ, &db, &e), RES_OK);
	assert_null(res_run_begin(db, &ri, &e));
	assert_int_equal(res_close(db, NULL), RES_OK);
	free(before);
	free(path);
}

/* Every mode refuses path and leaves its bytes alone. */
static void
expect_untouched(const char *path)
{
	static const enum res_mode modes[] = { RES_CREATE, RES_REPLACE,
	    RES_APPEND, RES_READ };
	size_t n1, n2;
	char *before = read_file(path, &n1), *after;

	for (size_t i = 0; i < 4; i++) {
		struct err e = ERR_INIT;
		struct res_db *db;

		assert_int_equal(res_open(path, modes[i], &db, &e),
		    RES_EINPUT);
		assert_non_null(strstr(e.text, "not an essim results "
		    "database"));
	}
	after = read_file(path, &n2);
	assert_true(n1 == n2 && memcmp(before, after, n1) == 0);
	assert_int_equal(res_probe_version(path), 0);
	free(before);
	free(after);
}

static void
test_refuse_foreign(void **state)
{
	char *text = tmp("notes.txt"), *other = tmp("other.db");
	char *empty = tmp("empty.db");
	sqlite3 *db;
	struct res_db *rd;
	struct err e = ERR_INIT;

	(void)state;
	write_file(text, "not a database at all\n");
	expect_untouched(text);
	unlink(other);
	assert_int_equal(sqlite3_open(other, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE t(x); INSERT INTO t "
	    "VALUES(1); CREATE TABLE meta(key, value);", NULL, NULL, NULL),
	    SQLITE_OK);
	sqlite3_close(db);
	expect_untouched(other);
	/* An empty file (mktemp) is a new database. */
	write_file(empty, "");
	assert_int_equal(res_open(empty, RES_CREATE, &rd, &e), RES_OK);
	assert_int_equal(res_close(rd, &e), RES_OK);
	assert_int_equal(res_probe_version(empty), RES_SCHEMA_VERSION);
	free(text);
	free(other);
	free(empty);
}

static void
test_versions(void **state)
{
	char *newer = make_db("newer.db"), *v1 = tmp("v1.db");
	struct err e = ERR_INIT;
	struct res_db *rd;
	sqlite3 *db;

	(void)state;
	assert_int_equal(sqlite3_open(newer, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "PRAGMA user_version = 99", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(res_probe_version(newer), 99);
	assert_int_equal(res_open(newer, RES_APPEND, &rd, &e), RES_EINPUT);
	assert_non_null(strstr(e.text, "version 99"));
	err_clear(&e);
	assert_int_equal(res_open(newer, RES_READ, &rd, &e), RES_EINPUT);
	err_clear(&e);
	assert_int_equal(res_open(newer, RES_REPLACE, &rd, &e), RES_OK);
	assert_int_equal(res_close(rd, &e), RES_OK);
	assert_int_equal(res_probe_version(newer), RES_SCHEMA_VERSION);
	/* The summary-only layout of early essim: ours, version 1. */
	unlink(v1);
	assert_int_equal(sqlite3_open(v1, &db), SQLITE_OK);
	assert_int_equal(sqlite3_exec(db, "CREATE TABLE meta(key TEXT "
	    "PRIMARY KEY, value TEXT); INSERT INTO meta VALUES"
	    "('schema_version', '1'), ('generator', 'essim run');", NULL,
	    NULL, NULL), SQLITE_OK);
	sqlite3_close(db);
	assert_int_equal(res_probe_version(v1), 1);
	assert_int_equal(res_open(v1, RES_APPEND, &rd, &e), RES_EINPUT);
	assert_non_null(strstr(e.text, "version 1"));
	assert_int_equal(res_open(v1, RES_REPLACE, &rd, &e), RES_OK);
	assert_int_equal(res_close(rd, &e), RES_OK);
	free(newer);
	free(v1);
}

static void
test_unwritable(void **state)
{
	struct err e = ERR_INIT;
	struct res_db *db;
	char *path = tmp("no/such/dir/x.db");

	(void)state;
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), RES_EIO);
	assert_null(db);
	assert_non_null(strstr(e.text, "x.db"));
	err_clear(&e);
	assert_int_equal(res_open(path, RES_READ, &db, &e), RES_EINPUT);
	free(path);
}

/*
 * A writer that dies in the middle of a batch: the database is intact,
 * holds the batches committed before, and says the run is incomplete.
 */
static void
test_crash_leaves_incomplete(void **state)
{
	char *path = tmp("crash.db");
	pid_t pid;
	int status;

	(void)state;
	unlink(path);
	if ((pid = fork()) == 0) {
		struct err e = ERR_INIT;
		struct res_db *db;
		struct res_run *r;
		struct res_run_info ri = info();

		if (res_open(path, RES_CREATE, &db, &e) != RES_OK ||
		    (r = res_run_begin(db, &ri, &e)) == NULL)
			_exit(2);
		free(path);
		res_series(r, "threads", "x");
		for (int64_t t = 0; t < RES_BATCH + 100; t++)
			res_sample(r, 1, t, t, t);
		_exit(0);		/* no commit, no close */
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	expect_q(path, "PRAGMA integrity_check", "ok");
	expect_q(path, "SELECT status FROM run", "incomplete");
	expect_q(path, "SELECT count(*) FROM samples",
	    "8191");	/* RES_BATCH rows per commit, the series row first */
	free(path);
}

/*
 * The sampler: value after every probe at times <= t, peak since the
 * previous sample; one row per gauge per interval.
 */
static void
test_sampler_semantics(void **state)
{
	struct model *m = tw_model("{\"essim\": 1, \"duration\": \"1s\","
	    "\"processes\": {\"app\": {}}}");
	struct probe_bus bus;
	struct probe_ev ev;
	struct err e = ERR_INIT;
	struct res_db *db;
	struct res_run *r;
	struct res_run_info ri = info();
	struct res_sampler *s;
	char *path = tmp("sampler.db");
	int64_t times[] = { 0, 5, 12, 12 };
	int deltas[] = { 1, 1, -1, -1 };

	(void)state;
	unlink(path);
	probe_init(&bus);
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), RES_OK);
	assert_non_null(r = res_run_begin(db, &ri, &e));
	s = res_sampler_new(r, m, &bus, 10);
	for (size_t i = 0; i < 4; i++) {
		probe_ev_init(&ev, deltas[i] > 0 ? PROBE_THREAD_SPAWN :
		    PROBE_THREAD_EXIT, times[i]);
		ev.thread.kind = PROBE_OBJ_THREAD;
		ev.thread.id = i < 2 ? i + 1 : i - 1;
		ev.process = 0;
		ev.role = PROBE_ROLE_POOL;
		probe_emit(&bus, &ev);
	}
	assert_int_equal(res_sampler_gauge(s, "pool_threads", 0), 0);
	assert_int_equal(res_sampler_gauge(s, "nonsense", 0), -1);
	res_sampler_finish(s, 30);
	res_sampler_free(s);
	assert_int_equal(res_close(db, &e), RES_OK);
	expect_q(path, "SELECT group_concat(t_ns || ':' || value || '/' || "
	    "peak, ' ') FROM (SELECT * FROM samples_v WHERE metric = "
	    "'pool_threads' ORDER BY t_ns)", "0:1/1 10:2/2 20:0/2 30:0/0");
	expect_q(path, "SELECT count(*) FROM samples", "12");
	free(path);
	model_free(m);
}

static const char wmodel_text[] =
	"{\"essim\": 1, \"duration\": \"40s\", \"seed\": 3,"
	" \"es\": {\"deadline\": {\"AUTH_OPEN\": \"5s\"}, \"restart_delay\": \"2s\"},"
	" \"daemons\": {\"d\": {\"workers\": 2, \"services\": {\"s\":"
	"   [{\"cpu\": \"1ms\"}, {\"open\": \"/db\"}, {\"reply\": true}]}}},"
	" \"clients\": {\"c\": {\"subscribe\": [\"AUTH_OPEN\"],"
	"   \"handler\": {\"AUTH_OPEN\": [{\"if\": {\"path_prefix\": \"/x/\"},"
	"     \"then\": [{\"call\": \"d.s\"}, {\"respond\": \"allow\"}],"
	"     \"else\": [{\"cpu\": {\"exp\": \"50us\"}}, {\"respond\": \"allow\"}]}]}}},"
	" \"workload\": {\"sources\": [{\"process\": \"app\", \"event\": \"AUTH_OPEN\","
	"   \"rate\": \"100/s\", \"path\": {\"choice\": {\"/x/a\": 0.02, \"/y\": 0.98}}}]}}";

static int64_t nprobes;

static void
count_probe(void *arg, const struct probe_ev *ev)
{
	(void)arg;
	(void)ev;
	nprobes++;
}

/* Run the model into path; returns world_events. */
static uint64_t
run_world(const char *path, int64_t sample, int log)
{
	struct model *m = tw_model(wmodel_text);
	struct world *w = world_new(m, NULL);
	struct stats *st = stats_new(m, world_bus(w));
	struct an *an = an_attach(world_bus(w), m, NULL);
	struct res_run_info ri = RES_RUN_INFO_INIT;
	struct err e = ERR_INIT;
	struct res_db *db;
	struct res_rec *rec;
	uint64_t events;

	unlink(path);
	ri.model_name = m->name;
	ri.model_text = wmodel_text;
	ri.seed = world_seed(w);
	ri.duration_ns = world_end(w);
	ri.sample_ns = sample;
	ri.event_log = log;
	nprobes = 0;
	probe_listen(world_bus(w), PROBE_ALL, count_probe, NULL);
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), RES_OK);
	rec = res_rec_attach(res_run_begin(db, &ri, &e), w, sample, log);
	world_run(w);
	assert_int_equal(res_rec_finish(rec, st, an, 1.0, &e), RES_OK);
	assert_int_equal(res_close(db, &e), RES_OK);
	events = world_events(w);
	world_free(w);
	an_free(an);
	stats_free(st);
	model_free(m);
	return events;
}

/* A probe listener that raises SIGINT at the 2000th probe. */
static void
interrupt_at(void *arg, const struct probe_ev *ev)
{
	(void)arg;
	(void)ev;
	if (++nprobes == 2000)
		raise(SIGINT);
}

/*
 * res_run_stop() keeps the run 'incomplete' but records where it stopped;
 * res_rec_stop() after a world stopped by SIGINT writes everything so
 * far, consistently: series up to the time reached, counters, histograms.
 */
static void
test_stopped_run(void **state)
{
	struct model *m = tw_model(wmodel_text);
	struct world *w = world_new(m, NULL);
	struct stats *st = stats_new(m, world_bus(w));
	struct an *an = an_attach(world_bus(w), m, NULL);
	struct res_run_info ri = info();
	struct res_run_end end = end_values();
	struct err e = ERR_INIT;
	struct res_db *db;
	struct res_run *r;
	struct res_rec *rec;
	char *path = tmp("stopped.db"), *sql;

	(void)state;
	unlink(path);
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), RES_OK);
	assert_non_null(r = res_run_begin(db, &ri, &e));
	end.sim_ns = 500;
	assert_int_equal(res_run_stop(r, &end, &e), RES_OK);
	expect_q(path, "SELECT status || ',' || sim_ns || ',' || events || "
	    "',' || duration_ns FROM run", "incomplete,500,42,1000");

	ri.model_name = m->name;
	ri.model_text = wmodel_text;
	ri.duration_ns = world_end(w);
	ri.sample_ns = 100 * NS_PER_MS;
	rec = res_rec_attach(res_run_begin(db, &ri, &e), w, ri.sample_ns, 1);
	nprobes = 0;
	probe_listen(world_bus(w), PROBE_ALL, interrupt_at, NULL);
	intr_install();
	world_run(w);
	intr_restore();
	assert_int_equal(intr_signal(), SIGINT);
	assert_true(world_now(w) > 0 && world_now(w) < world_end(w));
	assert_int_equal(res_rec_stop(rec, st, an, 0.25, &e), RES_OK);
	assert_int_equal(res_close(db, &e), RES_OK);
	sql = xasprintf("%lld,%llu", (long long)world_now(w),
	    (unsigned long long)world_events(w));
	expect_q(path, "SELECT sim_ns || ',' || events FROM run WHERE "
	    "run_id = 2", sql);
	free(sql);
	expect_q(path, "SELECT status FROM run WHERE run_id = 2",
	    "incomplete");
	/* Samples to the time reached, not beyond; the rest written too. */
	expect_q(path, "SELECT (SELECT max(t_ns) FROM samples WHERE run_id = "
	    "2) BETWEEN (SELECT sim_ns FROM run WHERE run_id = 2) - 100000000 "
	    "AND (SELECT sim_ns FROM run WHERE run_id = 2)", "1");
	expect_q(path, "SELECT (SELECT count(*) FROM client_stats WHERE run_id "
	    "= 2) > 0 AND (SELECT count(*) FROM hist WHERE run_id = 2) > 0 AND "
	    "(SELECT max(t_ns) FROM events WHERE run_id = 2) <= (SELECT sim_ns "
	    "FROM run WHERE run_id = 2)", "1");
	expect_q(path, "PRAGMA integrity_check", "ok");
	world_free(w);
	an_free(an);
	stats_free(st);
	model_free(m);
	free(path);
}

/* Every row of sql, columns and rows separated, appended to *out. */
static void
dump_rows(sqlite3 *db, const char *sql, char **out)
{
	sqlite3_stmt *st;
	size_t n = strlen(*out), a = n + 1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		fprintf(stderr, "%s: %s\n", sql, sqlite3_errmsg(db));
		fail();
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		for (int i = 0; i < sqlite3_column_count(st); i++) {
			const char *v = (const char *)sqlite3_column_text(st,
			    i);
			size_t len = v != NULL ? strlen(v) : 4;

			XGROW(*out, n + len + 3, a);
			memcpy(*out + n, v != NULL ? v : "NULL", len);
			n += len;
			(*out)[n++] = '\t';
		}
		(*out)[n++] = '\n';
		(*out)[n] = '\0';
	}
	sqlite3_finalize(st);
}

/* Every row of every table but the wall-clock columns, as one string. */
static char *
dump(const char *path, int with_series)
{
	static const char *const tables[] = { "findings", "finding_steps",
	    "incidents", "flags", "client_stats", "process_stats",
	    "syscall_stats", "hist", "hist_bucket", "sweep_params", "series",
	    "samples" };
	char *out = xstrdup(""), *sql;
	sqlite3 *db;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	dump_rows(db, "SELECT run_id, status, model_name, model_text, seed, "
	    "duration_ns, sim_ns, events, cache_hits, early_boot_timeouts "
	    "FROM run", &out);
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++) {
		if (!with_series && i >= 10)
			break;
		sql = xasprintf("SELECT * FROM %s ORDER BY 1, 2, 3", tables[i]);
		dump_rows(db, sql, &out);
		free(sql);
	}
	sqlite3_close(db);
	return out;
}

static void
test_world_rows_deterministic(void **state)
{
	char *a = tmp("world-a.db"), *b = tmp("world-b.db");
	char *c = tmp("world-c.db"), *da, *db, *dc;
	uint64_t ea, ec;
	char *probes;

	(void)state;
	ea = run_world(a, 100 * NS_PER_MS, 0);
	assert_int_equal(run_world(b, 100 * NS_PER_MS, 0), ea);
	da = dump(a, 1);
	db = dump(b, 1);
	assert_string_equal(da, db);
	/* Another interval and the event log: the same simulation. */
	ec = run_world(c, 7 * NS_PER_MS, 1);
	assert_int_equal(ec, ea);
	free(da);
	da = dump(a, 0);
	dc = dump(c, 0);
	assert_string_equal(da, dc);
	probes = xasprintf("%lld", (long long)nprobes);
	expect_q(c, "SELECT count(*) FROM events", probes);
	expect_q(c, "SELECT count(DISTINCT kind) > 10 AND min(seq) = 0 FROM "
	    "events", "1");
	/* What the model does: deadlocks, kills, restarts; sane gauges. */
	expect_q(a, "SELECT count(*) > 0 FROM findings WHERE kind = "
	    "'deadlock'", "1");
	expect_q(a, "SELECT count(*) > 0 FROM finding_steps", "1");
	expect_q(a, "SELECT count(*) > 0 FROM incidents WHERE kind = 'kill'",
	    "1");
	expect_q(a, "SELECT count(*) FROM samples WHERE value < 0 OR "
	    "peak < value", "0");
	expect_q(a, "SELECT max(t_ns) || ',' || count(DISTINCT t_ns) FROM "
	    "samples", "40000000000,401");
	expect_q(a, "SELECT max(peak) > 0 FROM samples_v WHERE metric = "
	    "'queue_depth' AND subject = 'c'", "1");
	expect_q(a, "SELECT max(value) FROM samples_v WHERE metric = "
	    "'threads' AND subject = 'd'", "2");
	expect_q(a, "SELECT count(*) FROM hist WHERE metric = 'headroom' AND "
	    "client = 'c' AND event_type = 'AUTH_OPEN'", "1");
	expect_q(a, "SELECT status FROM run", "complete");
	free(da);
	free(db);
	free(dc);
	free(probes);
	free(a);
	free(b);
	free(c);
}

/*
 * Flags: "a" set at 1 ms by p1 and again at 5 ms by p2 (the first set
 * counts, the second is counted), "b" at 3 ms, "c" waited for and never
 * set, "d" set at 0; every flag of the model gets its row, set or not,
 * also when the run was recorded without series or log.
 */
static const char fmodel_text[] =
	"{\"essim\": 1, \"duration\": \"1s\", \"processes\": {"
	" \"p1\": {\"path\": \"/bin/p1\", \"program\": [{\"sleep\": \"1ms\"},"
	"   {\"set\": \"a\"}]},"
	" \"p2\": {\"path\": \"/bin/p2\", \"program\": [{\"set\": \"d\"},"
	"   {\"sleep\": \"3ms\"}, {\"set\": \"b\"}, {\"sleep\": \"2ms\"},"
	"   {\"set\": \"a\"}]},"
	" \"p3\": {\"path\": \"/bin/p3\", \"program\": [{\"wait_flag\": \"c\"},"
	"   {\"set\": \"b\"}]}}}";

static void
test_flag_rows(void **state)
{
	struct model *m = tw_model(fmodel_text);
	struct world *w = world_new(m, NULL);
	struct stats *st = stats_new(m, world_bus(w));
	struct res_run_info ri = RES_RUN_INFO_INIT;
	struct err e = ERR_INIT;
	struct res_db *db;
	struct res_rec *rec;
	char *path = tmp("flags.db");

	(void)state;
	unlink(path);
	ri.model_name = "flags";
	ri.model_text = fmodel_text;
	ri.duration_ns = world_end(w);
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), RES_OK);
	rec = res_rec_attach(res_run_begin(db, &ri, &e), w, 0, 0);
	world_run(w);
	assert_int_equal(res_rec_finish(rec, st, NULL, 0.0, &e), RES_OK);
	assert_int_equal(res_close(db, &e), RES_OK);
	expect_q(path, "SELECT group_concat(r, ';') FROM (SELECT flag || ',' "
	    "|| coalesce(first_ns, 'n') || ',' || coalesce(process, 'n') || "
	    "',' || sets AS r FROM flags WHERE run_id = 1 ORDER BY flag)",
	    "a,1000000,p1,2;b,3000000,p2,1;c,n,n,0;d,0,p2,1");
	/* The same times the world itself keeps. */
	for (size_t i = 0; i < m->nflags; i++) {
		char *sql = xasprintf("SELECT coalesce(first_ns, -1) FROM "
		    "flags WHERE flag = '%s'", m->flags[i]->name);
		char *want = xasprintf("%lld",
		    (long long)world_flag_first(w, (int)i));

		expect_q(path, sql, want);
		free(sql);
		free(want);
	}
	world_free(w);
	stats_free(st);
	model_free(m);
	free(path);
}

/*
 * The query of docs/results-schema.md for "in how many runs was A set
 * before B" counts as `essim check` does: B never set counts, a tie and
 * A never set do not.
 */
static void
test_flag_order_query(void **state)
{
	static const int64_t times[][2] = {
		{ 10, 20 }, { 20, 10 }, { 10, -1 }, { -1, 10 }, { 15, 15 },
		{ -1, -1 }, { 0, 1 }
	};
	struct err e = ERR_INIT;
	struct res_db *db;
	struct res_run *r;
	struct res_run_info ri = info();
	struct res_run_end end = end_values();
	char *path = tmp("order.db");

	(void)state;
	unlink(path);
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), RES_OK);
	for (size_t i = 0; i < sizeof(times) / sizeof(times[0]); i++) {
		assert_non_null(r = res_run_begin(db, &ri, &e));
		assert_int_equal(res_flag(r, "A", times[i][0], "p", 1), RES_OK);
		assert_int_equal(res_flag(r, "B", times[i][1], "q", 1), RES_OK);
		assert_int_equal(res_run_end(r, &end, &e), RES_OK);
	}
	/* An incomplete run is not counted. */
	assert_non_null(r = res_run_begin(db, &ri, &e));
	assert_int_equal(res_flag(r, "A", 1, "p", 1), RES_OK);
	res_run_abandon(r);
	assert_int_equal(res_close(db, &e), RES_OK);
	expect_q(path,
	    "SELECT sum(a.first_ns IS NOT NULL AND (b.first_ns IS NULL OR "
	    "a.first_ns < b.first_ns)) || ' of ' || count(*) "
	    "FROM run r JOIN flags a ON a.run_id = r.run_id AND a.flag = 'A' "
	    "JOIN flags b ON b.run_id = r.run_id AND b.flag = 'B' "
	    "WHERE r.status = 'complete'", "3 of 7");
	free(path);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_create_and_identify),
		cmocka_unit_test(test_incomplete_until_the_end),
		cmocka_unit_test(test_rows_round_trip),
		cmocka_unit_test(test_refuse_existing_ours),
		cmocka_unit_test(test_refuse_foreign),
		cmocka_unit_test(test_versions),
		cmocka_unit_test(test_unwritable),
		cmocka_unit_test(test_crash_leaves_incomplete),
		cmocka_unit_test(test_stopped_run),
		cmocka_unit_test(test_sampler_semantics),
		cmocka_unit_test(test_world_rows_deterministic),
		cmocka_unit_test(test_flag_rows),
		cmocka_unit_test(test_flag_order_query),
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
