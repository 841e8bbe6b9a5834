/*
 * test-sweep.c - the sweep grid (--vary syntax, point order, patching by
 * JSON pointer, shards), the worker pool (jobs all run once, failures and
 * dying workers are reported, the parent's done() sees every job, a
 * signal stops the workers at once) and the merge of disjoint result databases
 * (order-independent, overlaps refused).
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
#include <time.h>
#include <unistd.h>

#include <jansson.h>
#include <sqlite3.h>

#include "core/xalloc.h"
#include "out/results.h"
#include "out/sweep-grid.h"
#include "out/sweep-merge.h"
#include "out/sweep-pool.h"
#include "out/sweep.h"
#include "test-sweep-util.h"

/* The values of axis a as one line of texts: "4 8 16". */
static char *
axis_texts(const struct sg_grid *g, size_t a)
{
	char *s = xstrdup("");

	for (size_t i = 0; i < sg_axis_nvalues(g, a); i++) {
		char *v = json_dumps(sg_axis_value(g, a, i), JSON_ENCODE_ANY |
		    JSON_COMPACT);
		char *t = xasprintf("%s%s%s", s, i > 0 ? " " : "", v);

		free(v);
		free(s);
		s = t;
	}
	return s;
}

/* Parse one --vary and compare its values' JSON texts with want. */
static void
expect_axis(const char *arg, const char *want)
{
	struct sg_grid *g = sg_new();
	struct err e = ERR_INIT;
	char *got;

	if (sg_add_vary(g, arg, &e) != 0)
		fail_msg("%s: %s", arg, e.text);
	got = axis_texts(g, 0);
	if (strcmp(got, want) != 0)
		fail_msg("%s: got %s, want %s", arg, got, want);
	free(got);
	sg_free(g);
}

/* Parse one --vary that must fail with a message containing want. */
static void
expect_bad(const char *arg, const char *want)
{
	struct sg_grid *g = sg_new();
	struct err e = ERR_INIT;

	if (sg_add_vary(g, arg, &e) == 0)
		fail_msg("%s: accepted", arg);
	if (strstr(e.text, want) == NULL)
		fail_msg("%s: message \"%s\" lacks \"%s\"", arg, e.text, want);
	assert_int_equal(sg_naxes(g), 0);
	sg_free(g);
}

static void
test_lists(void **state)
{
	(void)state;
	expect_axis("/machine/cores=4,8,16", "4 8 16");
	expect_axis("/clients/acme/cache=true,false", "true false");
	expect_axis("/a=200/s,2000/s", "\"200/s\" \"2000/s\"");
	expect_axis("/a=15s", "\"15s\"");
	expect_axis("/a=0.5,null,\"x,y\"", "0.5 null \"x,y\"");
	expect_axis("/a={\"exp\":\"2ms\"},{\"uniform\":[\"1ms\",\"3ms\"]}",
	    "{\"exp\":\"2ms\"} {\"uniform\":[\"1ms\",\"3ms\"]}");
	expect_axis("/p=/Library/Acme/,/usr/lib/../x",
	    "\"/Library/Acme/\" \"/usr/lib/../x\"");
}

static void
test_ranges(void **state)
{
	(void)state;
	expect_axis("/machine/cores=4..16:4", "4 8 12 16");
	expect_axis("/x=0.0..1.0:5", "0.0 0.25 0.5 0.75 1.0");
	expect_axis("/r=100/s..5000/s:3", "\"100/s\" \"2550/s\" \"5000/s\"");
	expect_axis("/r=100/s..400/s:4", "\"100/s\" \"200/s\" \"300/s\" "
	    "\"400/s\"");
	expect_axis("/r=1/s..2/s:4", "\"1/s\" \"1.333333/s\" \"1.666667/s\" "
	    "\"2/s\"");
	expect_axis("/d=1ms..1s:4log", "\"1ms\" \"10ms\" \"100ms\" "
	    "\"1000ms\"");
	expect_axis("/d=1ms..2ms:3", "\"1ms\" \"1.5ms\" \"2ms\"");
	expect_axis("/d=1ns..2ns:2", "\"1ns\" \"2ns\"");
	expect_axis("/n=1..512:10log", "1 2 4 8 16 32 64 128 256 512");
	expect_axis("/n=16..4:4", "16 12 8 4");
	expect_axis("/n=-2..2:5", "-2 -1 0 1 2");
	/* 100/s..5000/s:20 keeps the unit and both ends exactly. */
	{
		struct sg_grid *g = sg_new();
		struct err e = ERR_INIT;

		assert_int_equal(sg_add_vary(g,
		    "/workload/sources/0/rate=100/s..5000/s:20", &e), 0);
		assert_int_equal(sg_axis_nvalues(g, 0), 20);
		assert_string_equal(json_string_value(sg_axis_value(g, 0, 0)),
		    "100/s");
		assert_string_equal(json_string_value(sg_axis_value(g, 0, 1)),
		    "357.894737/s");
		assert_string_equal(json_string_value(sg_axis_value(g, 0, 19)),
		    "5000/s");
		sg_free(g);
	}
}

static void
test_bad_vary(void **state)
{
	(void)state;
	expect_bad("machine/cores=4", "/JSON/POINTER=VALUES");
	expect_bad("/machine/cores", "/JSON/POINTER=VALUES");
	expect_bad("/machine/cores=", "no values");
	expect_bad("/a=1..3:5", "comes twice");
	expect_bad("/a=4,8,4", "comes twice");
	expect_bad("/a=1..10", "needs a count");
	expect_bad("/a=1..10:1", "2 to");
	expect_bad("/a=1..10:x", "count after ':'");
	expect_bad("/a=1..10:5lin", "unexpected \"lin\"");
	expect_bad("/a=1..1x:5", "unknown unit");
	expect_bad("/a=1ms..5/s:3", "alike");
	expect_bad("/a=1..2.0:3", "both ends as integers");
	expect_bad("/a=0..10:3log", "above 0");
	expect_bad("/a=1,,2", "empty value");
	expect_bad("/a={\"x\":1", "bad JSON");
	expect_bad("/a=\"abc", "unterminated");
	expect_bad("/a=0/s..1/s:3", "zero");
}

static void
test_points_and_patch(void **state)
{
	struct sg_grid *g = sg_new();
	struct err e = ERR_INIT;
	json_t *doc, *cores;
	char *s;

	(void)state;
	assert_int_equal(sg_npoints(g), 1);
	assert_int_equal(sg_add_vary(g, "/machine/cores=4,8,16", &e), 0);
	assert_int_equal(sg_add_vary(g, "/w/s/1/rate=1/s,2/s", &e), 0);
	assert_int_equal(sg_add_vary(g, "/machine/cores=1", &e), -1);
	assert_non_null(strstr(e.text, "already varied"));
	assert_int_equal(sg_npoints(g), 6);
	/* The first axis varies slowest. */
	assert_int_equal(sg_point_index(g, 0, 0), 0);
	assert_int_equal(sg_point_index(g, 1, 0), 0);
	assert_int_equal(sg_point_index(g, 1, 1), 1);
	assert_int_equal(sg_point_index(g, 4, 0), 2);
	assert_int_equal(sg_point_index(g, 5, 1), 1);
	doc = json_loads("{\"machine\":{\"cores\":2},\"w\":{\"s\":[{},"
	    "{\"rate\":\"9/s\"}]}}", 0, NULL);
	assert_int_equal(sg_apply(g, 5, doc, &e), 0);
	s = json_dumps(doc, JSON_COMPACT);
	assert_string_equal(s, "{\"machine\":{\"cores\":16},\"w\":{\"s\":"
	    "[{},{\"rate\":\"2/s\"}]}}");
	free(s);
	/* Patching copies: the axis value is not shared with doc. */
	cores = json_object_get(json_object_get(doc, "machine"), "cores");
	assert_ptr_not_equal(cores, sg_axis_value(g, 0, 2));
	json_decref(doc);
	/* A pointer that does not lead into the document. */
	doc = json_loads("{\"machine\":{},\"w\":{\"s\":[]}}", 0, NULL);
	err_clear(&e);
	assert_int_equal(sg_apply(g, 0, doc, &e), -1);
	if (strstr(e.text, "/w/s has no element \"1\"") == NULL)
		fail_msg("%s", e.text);
	json_decref(doc);
	sg_free(g);
}

static void
test_json_set(void **state)
{
	json_t *doc = json_loads("{\"a/b\":{\"m~n\":[1,2]},\"s\":\"x\"}", 0,
	    NULL);
	struct err e = ERR_INIT;
	char *s;

	(void)state;
	assert_int_equal(sg_json_set(doc, "/a~1b/m~0n/1", json_integer(7),
	    &e), 0);
	assert_int_equal(sg_json_set(doc, "/a~1b/new", json_true(), &e), 0);
	s = json_dumps(doc, JSON_COMPACT);
	assert_string_equal(s, "{\"a/b\":{\"m~n\":[1,7],\"new\":true},"
	    "\"s\":\"x\"}");
	free(s);
	assert_int_equal(sg_json_set(doc, "/a~1b/m~0n/2", json_integer(1),
	    &e), -1);
	err_clear(&e);
	assert_int_equal(sg_json_set(doc, "/a~1b/m~0n/01", json_integer(1),
	    &e), -1);
	err_clear(&e);
	assert_int_equal(sg_json_set(doc, "/s/x", json_integer(1), &e), -1);
	assert_non_null(strstr(e.text, "/s is not an object"));
	err_clear(&e);
	assert_int_equal(sg_json_set(doc, "/nope/x", json_integer(1), &e),
	    -1);
	assert_non_null(strstr(e.text, "/nope is not in the model"));
	err_clear(&e);
	assert_int_equal(sg_json_set(doc, "x", json_integer(1), &e), -1);
	json_decref(doc);
}

static void
test_value_number(void **state)
{
	json_t *v;
	double x;

	(void)state;
	v = json_string("250ms");
	assert_int_equal(sg_value_number(v, &x), 0);
	assert_true(x > 0.2499 && x < 0.2501);
	json_decref(v);
	v = json_string("3/ms");
	assert_int_equal(sg_value_number(v, &x), 0);
	assert_true(x > 2999 && x < 3001);
	json_decref(v);
	v = json_integer(8);
	assert_int_equal(sg_value_number(v, &x), 0);
	assert_true(x == 8);
	json_decref(v);
	v = json_string("/Library");
	assert_int_equal(sg_value_number(v, &x), -1);
	json_decref(v);
}

static void
test_shards(void **state)
{
	struct sg_shard sh;
	struct err e = ERR_INIT;
	int seen[10] = { 0 };

	(void)state;
	assert_int_equal(sg_parse_shard("2/3", &sh, &e), 0);
	assert_int_equal(sh.k, 2);
	assert_int_equal(sh.n, 3);
	/* Every run is in exactly one shard. */
	for (uint64_t k = 1; k <= 3; k++) {
		sh.k = k;
		for (uint64_t r = 0; r < 10; r++)
			seen[r] += sg_shard_has(&sh, r);
	}
	for (int r = 0; r < 10; r++)
		assert_int_equal(seen[r], 1);
	sh.k = 1;
	assert_true(sg_shard_has(&sh, 0) && sg_shard_has(&sh, 3));
	assert_int_equal(sg_parse_shard("0/3", &sh, &e), -1);
	assert_int_equal(sg_parse_shard("4/3", &sh, &e), -1);
	assert_int_equal(sg_parse_shard("1/0", &sh, &e), -1);
	assert_int_equal(sg_parse_shard("1/", &sh, &e), -1);
	assert_int_equal(sg_parse_shard("1-3", &sh, &e), -1);
	assert_int_equal(sg_parse_shard("1/3x", &sh, &e), -1);
}

/* ---- the pool -------------------------------------------------------- */

/* Job 1000 fails, job 2000 kills its worker. */
struct pool_test {
	char		 dir[64];
};

struct pool_ctx {
	FILE	*f;
};

static void *
pt_init(void *arg, unsigned w, struct err *e)
{
	struct pool_test *pt = arg;
	struct pool_ctx *c = xcalloc(1, sizeof(*c));
	char *p = xasprintf("%s/w%u", pt->dir, w);

	(void)e;
	c->f = fopen(p, "w");
	free(p);
	return c;
}

static int
pt_job(void *ctx, uint64_t j, struct err *e)
{
	struct pool_ctx *c = ctx;

	if (j == 1000)
		return err_set(e, "job %llu is bad", (unsigned long long)j);
	if (j == 2000)
		raise(SIGKILL);
	fprintf(c->f, "%llu\n", (unsigned long long)j);
	return 0;
}

static int
pt_fini(void *ctx, struct err *e)
{
	struct pool_ctx *c = ctx;

	(void)e;
	fclose(c->f);
	free(c);
	return 0;
}

static const struct spool_ops pt_ops = { pt_init, pt_job, pt_fini };

/* Job 3000 signals the parent and waits to be killed. */
static int
pt_job_sig(void *ctx, uint64_t j, struct err *e)
{
	if (j == 3000) {
		kill(getppid(), SIGTERM);
		sleep(20);
	}
	return pt_job(ctx, j, e);
}

static const struct spool_ops pt_sig_ops = { pt_init, pt_job_sig, pt_fini };

/* What the parent saw of the jobs done. */
struct done_log {
	uint64_t	 sum;
	uint64_t	 n;
	unsigned	 maxw;
	uint64_t	 fail_at;	/* done() fails on this job */
};

static int
pt_done(void *arg, uint64_t j, unsigned w, struct err *e)
{
	struct done_log *dl = arg;

	if (j == dl->fail_at)
		return err_set(e, "done %llu failed", (unsigned long long)j) *
		    2;
	dl->sum += j;
	dl->n++;
	if (w > dl->maxw)
		dl->maxw = w;
	return 0;
}

/* Sum and count of the numbers the workers wrote; each file ascending. */
static void
pool_files(struct pool_test *pt, unsigned nw, uint64_t *sum, uint64_t *n)
{
	*sum = *n = 0;
	for (unsigned w = 0; w < nw; w++) {
		char *p = xasprintf("%s/w%u", pt->dir, w);
		FILE *f = fopen(p, "r");
		unsigned long long v, last = 0;
		int first = 1;

		assert_non_null(f);
		while (fscanf(f, "%llu", &v) == 1) {
			assert_true(first || v > last);
			first = 0;
			last = v;
			*sum += v;
			(*n)++;
		}
		fclose(f);
		unlink(p);
		free(p);
	}
}

static void
test_pool(void **state)
{
	struct pool_test pt;
	struct spool_opts o = SPOOL_OPTS_INIT;
	struct err e = ERR_INIT;
	uint64_t jobs[100], sum, n;

	(void)state;
	strcpy(pt.dir, "/tmp/essim-pool-XXXXXX");
	assert_non_null(mkdtemp(pt.dir));
	for (int i = 0; i < 100; i++)
		jobs[i] = (uint64_t)i * 3;
	o.workers = 4;
	o.jobs = jobs;
	o.njobs = 100;
	assert_int_equal(spool_run(&pt_ops, &pt, &o, &e), SPOOL_OK);
	pool_files(&pt, 4, &sum, &n);
	assert_int_equal(n, 100);
	assert_int_equal(sum, 3 * 99 * 100 / 2);
	/* More workers than jobs: one per job. */
	o.workers = 8;
	o.njobs = 3;
	assert_int_equal(spool_run(&pt_ops, &pt, &o, &e), SPOOL_OK);
	pool_files(&pt, 3, &sum, &n);
	assert_int_equal(n, 3);
	/* A failing job stops the pool with its message. */
	jobs[5] = 1000;
	o.workers = 2;
	o.njobs = 100;
	assert_int_equal(spool_run(&pt_ops, &pt, &o, &e), SPOOL_EINPUT);
	assert_string_equal(e.text, "job 1000 is bad");
	pool_files(&pt, 2, &sum, &n);
	assert_true(n < 100);
	/* A worker that dies is reported with the job it held. */
	err_clear(&e);
	jobs[5] = 2000;
	assert_int_equal(spool_run(&pt_ops, &pt, &o, &e), SPOOL_EIO);
	assert_non_null(strstr(e.text, "died running job 2000"));
	pool_files(&pt, 2, &sum, &n);
	rmdir(pt.dir);
	assert_true(spool_ncpus() >= 1);
}

static void
test_pool_done_and_signal(void **state)
{
	struct pool_test pt;
	struct spool_opts o = SPOOL_OPTS_INIT;
	struct err e = ERR_INIT;
	struct done_log dl;
	uint64_t jobs[100], sum, n;
	time_t t0;

	(void)state;
	strcpy(pt.dir, "/tmp/essim-pool-XXXXXX");
	assert_non_null(mkdtemp(pt.dir));
	for (int i = 0; i < 100; i++)
		jobs[i] = (uint64_t)i * 3;
	/* done() sees every job once, with the worker that ran it. */
	memset(&dl, 0, sizeof(dl));
	dl.fail_at = UINT64_MAX;
	o.workers = 3;
	o.jobs = jobs;
	o.njobs = 100;
	o.done = pt_done;
	o.darg = &dl;
	assert_int_equal(spool_run(&pt_ops, &pt, &o, &e), SPOOL_OK);
	assert_int_equal(dl.n, 100);
	assert_int_equal(dl.sum, 3 * 99 * 100 / 2);
	assert_true(dl.maxw < 3);
	assert_int_equal(spool_signal(), 0);
	pool_files(&pt, 3, &sum, &n);
	/* A done() that fails stops the pool with its error. */
	memset(&dl, 0, sizeof(dl));
	dl.fail_at = 30;
	assert_int_equal(spool_run(&pt_ops, &pt, &o, &e), SPOOL_EIO);
	assert_string_equal(e.text, "done 30 failed");
	assert_true(dl.n < 100);
	pool_files(&pt, 3, &sum, &n);
	/*
	 * SIGTERM to the parent: the workers are stopped where they are
	 * (job 3000 would sleep 20 s), the jobs done before still reach
	 * done(), and the status says which signal.
	 */
	memset(&dl, 0, sizeof(dl));
	dl.fail_at = UINT64_MAX;
	jobs[10] = 3000;
	err_clear(&e);
	t0 = time(NULL);
	assert_int_equal(spool_run(&pt_sig_ops, &pt, &o, &e), SPOOL_EINTR);
	assert_true(time(NULL) - t0 < 10);
	assert_int_equal(spool_signal(), SIGTERM);
	assert_string_equal(e.text, "interrupted");
	/* Job 3000 was handed out after 8 replies (3 workers). */
	assert_true(dl.n >= 8 && dl.n < 100);
	/* A worker may have been stopped before it made its file. */
	for (unsigned w = 0; w < 3; w++) {
		char *p = xasprintf("%s/w%u", pt.dir, w);

		unlink(p);
		free(p);
	}
	rmdir(pt.dir);
}

/* ---- merging --------------------------------------------------------- */

/* Every row of the run-keyed tables, in rowid order, as one string. */
static char *
dump_db(sqlite3 *db)
{
	static const char *const q[] = {
		"SELECT group_concat(run_id || ':' || seed || ':' || status, "
		    "' ') FROM (SELECT * FROM run ORDER BY rowid)",
		"SELECT group_concat(run_id || pointer || value, ' ') FROM "
		    "(SELECT * FROM sweep_params ORDER BY rowid)",
		"SELECT group_concat(run_id || ':' || seq || detail, ' ') "
		    "FROM (SELECT * FROM incidents ORDER BY rowid)",
	};
	char *s = xstrdup("");

	for (size_t i = 0; i < sizeof(q) / sizeof(q[0]); i++) {
		sqlite3_stmt *st;
		char *t;

		assert_int_equal(sqlite3_prepare_v2(db, q[i], -1, &st, NULL),
		    SQLITE_OK);
		assert_int_equal(sqlite3_step(st), SQLITE_ROW);
		t = xasprintf("%s|%s", s, sqlite3_column_text(st, 0));
		free(s);
		s = t;
		sqlite3_finalize(st);
	}
	return s;
}

/* Merge the databases at paths into a new one and dump it. */
static char *
merge_dump(const char *const *paths, size_t n, int *rc, struct err *e)
{
	struct res_db *dst, *src[4];
	sqlite3 *sq[4];
	char *s = NULL;

	unlink("/tmp/essim-merge-out.db");
	assert_int_equal(res_open("/tmp/essim-merge-out.db", RES_CREATE, &dst,
	    e), 0);
	for (size_t i = 0; i < n; i++) {
		assert_int_equal(res_open(paths[i], RES_READ, &src[i], e), 0);
		sq[i] = res_sqlite(src[i]);
	}
	*rc = smerge_tables(res_sqlite(dst), sq, paths, n, e);
	if (*rc == 0)
		s = dump_db(res_sqlite(dst));
	for (size_t i = 0; i < n; i++)
		res_close(src[i], NULL);
	res_close(dst, NULL);
	unlink("/tmp/essim-merge-out.db");
	return s;
}

static void
test_merge_tables(void **state)
{
	static const int64_t all[] = { 1, 2, 3, 4, 5, 6 };
	static const int64_t odd[] = { 1, 3, 5 }, even[] = { 2, 4, 6 };
	static const int64_t low[] = { 1, 2, 4 }, high[] = { 3, 5, 6 };
	const char *one[] = { "/tmp/essim-m-all.db" };
	const char *two[] = { "/tmp/essim-m-a.db", "/tmp/essim-m-b.db" };
	const char *rev[] = { "/tmp/essim-m-b.db", "/tmp/essim-m-a.db" };
	struct err e = ERR_INIT;
	char *want, *got;
	int rc;

	(void)state;
	make_db(one[0], all, 6);
	want = merge_dump(one, 1, &rc, &e);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(want, "1:1:complete 2:2:complete"));
	/* Keys order the rows: /a before /b, whatever the insertion order. */
	assert_non_null(strstr(want, "|1/a10 1/b10 2/a20"));
	/* The same rows, in the same order, however the runs were split. */
	make_db(two[0], odd, 3);
	make_db(two[1], even, 3);
	got = merge_dump(two, 2, &rc, &e);
	assert_int_equal(rc, 0);
	assert_string_equal(got, want);
	free(got);
	got = merge_dump(rev, 2, &rc, &e);
	assert_string_equal(got, want);
	free(got);
	make_db(two[0], low, 3);
	make_db(two[1], high, 3);
	got = merge_dump(two, 2, &rc, &e);
	assert_string_equal(got, want);
	free(got);
	/* Overlapping runs are refused, and nothing is kept. */
	make_db(two[1], odd, 3);
	got = merge_dump(two, 2, &rc, &e);
	assert_int_equal(rc, -1);
	assert_null(got);
	assert_non_null(strstr(e.text, "run 1 is in both"));
	free(want);
	unlink(one[0]);
	unlink(two[0]);
	unlink(two[1]);
}

/* ---- whole sweeps ---------------------------------------------------- */

/* Run the test sweep into path with jobs workers and shard k/n. */
static int
run_sweep(const char *path, unsigned jobs, uint64_t k, uint64_t n,
    const char *vary3, struct diag *d)
{
	const char *top = getenv("top_srcdir");
	char *model = xasprintf("%s/models/default.json", top ? top : ".");
	struct sg_grid *g = sg_new();
	struct sweep_opts o;
	struct err e = ERR_INIT;
	int rc;

	memset(&o, 0, sizeof(o));
	assert_int_equal(sg_add_vary(g, "/workload/sources/0/rate="
	    "100/s..400/s:3", &e), 0);
	assert_int_equal(sg_add_vary(g, "/clients/acme/cache=false,true",
	    &e), 0);
	if (vary3 != NULL)
		assert_int_equal(sg_add_vary(g, vary3, &e), 0);
	o.model_file = model;
	o.grid = g;
	o.seeds = 2;
	o.duration = INT64_C(20000000000);
	o.sample_ns = INT64_C(500000000);
	o.jobs = jobs;
	o.shard.k = k;
	o.shard.n = n;
	o.out = path;
	unlink(path);
	rc = sweep_run(&o, d, NULL);
	if (rc != SWEEP_OK && vary3 == NULL)
		diag_print(d, "run_sweep", stderr);
	sg_free(g);
	free(model);
	return rc;
}

static void
test_split_does_not_matter(void **state)
{
	char whole[64], one[64], shard[3][64], merged[64], bad[64];
	const char *parts[3];
	struct diag d = DIAG_INIT;
	struct err e = ERR_INIT;
	size_t seen, total;
	char *a, *b;

	(void)state;
	snprintf(whole, sizeof(whole), "/tmp/essim-sw-%ld-j3.db",
	    (long)getpid());
	snprintf(one, sizeof(one), "/tmp/essim-sw-%ld-j1.db", (long)getpid());
	snprintf(merged, sizeof(merged), "/tmp/essim-sw-%ld-m.db",
	    (long)getpid());
	snprintf(bad, sizeof(bad), "/tmp/essim-sw-%ld-bad.db",
	    (long)getpid());
	assert_int_equal(run_sweep(whole, 3, 1, 1, NULL, &d), 0);
	assert_int_equal(run_sweep(one, 1, 1, 1, NULL, &d), 0);
	for (int k = 0; k < 3; k++) {
		snprintf(shard[k], sizeof(shard[k]), "/tmp/essim-sw-%ld-s%d.db",
		    (long)getpid(), k + 1);
		assert_int_equal(run_sweep(shard[k], 2, (uint64_t)k + 1, 3,
		    NULL, &d), 0);
	}
	/* Shards given in any order. */
	parts[0] = shard[2];
	parts[1] = shard[0];
	parts[2] = shard[1];
	unlink(merged);
	assert_int_equal(smerge_shards(merged, parts, 3, 0, &seen, &total,
	    &e), 0);
	assert_int_equal(seen, 3);
	assert_int_equal(total, 3);
	a = dump_all(whole);
	assert_non_null(strstr(a, "run.run_id=12|"));
	assert_null(strstr(a, "run.run_id=13|"));
	assert_non_null(strstr(a, "samples."));
	assert_non_null(strstr(a, "sweep_params.value=\"250/s\"|"));
	b = dump_all(one);
	assert_string_equal(a, b);
	free(b);
	b = dump_all(merged);
	assert_string_equal(a, b);
	free(b);
	free(a);
	/* A shard twice, an incomplete set, another grid: refused. */
	parts[1] = shard[2];
	assert_int_equal(smerge_shards(bad, parts, 2, 0, NULL, NULL, &e), -1);
	assert_non_null(strstr(e.text, "is given twice"));
	err_clear(&e);
	assert_int_equal(smerge_shards(bad, parts, 1, 0, &seen, &total, &e),
	    0);
	assert_int_equal(seen, 1);
	assert_int_equal(total, 3);
	unlink(bad);
	unlink(one);
	assert_int_equal(run_sweep(one, 2, 2, 3, "/machine/cores=4", &d), 0);
	parts[0] = shard[0];
	parts[1] = one;
	err_clear(&e);
	assert_int_equal(smerge_shards(bad, parts, 2, 0, NULL, NULL, &e), -1);
	assert_non_null(strstr(e.text, "not shards of the same sweep"));
	assert_int_equal(access(bad, F_OK), -1);
	diag_release(&d);
	unlink(whole);
	unlink(one);
	unlink(merged);
	for (int k = 0; k < 3; k++)
		unlink(shard[k]);
}

static void
test_bad_point_runs_nothing(void **state)
{
	char path[64];
	struct diag d = DIAG_INIT;

	(void)state;
	snprintf(path, sizeof(path), "/tmp/essim-sw-%ld-badpt.db",
	    (long)getpid());
	assert_int_equal(run_sweep(path, 2, 1, 1, "/machine/cores=8,0",
	    &d), SWEEP_EINPUT);
	assert_true(diag_count(&d) >= 3);
	assert_non_null(strstr(diag_msg(&d, 0), "/machine/cores=0"));
	assert_non_null(strstr(diag_msg(&d, 1), "/machine/cores"));
	assert_non_null(strstr(diag_msg(&d, diag_count(&d) - 1),
	    "nothing was run"));
	assert_int_equal(access(path, F_OK), -1);
	diag_release(&d);
	/* A pointer that leads nowhere. */
	assert_int_equal(run_sweep(path, 2, 1, 1, "/machine/nope/x=1", &d),
	    SWEEP_EINPUT);
	assert_non_null(strstr(diag_msg(&d, 1), "/machine/nope is not in "
	    "the model"));
	assert_int_equal(access(path, F_OK), -1);
	diag_release(&d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_ranges),
		cmocka_unit_test(test_bad_vary),
		cmocka_unit_test(test_points_and_patch),
		cmocka_unit_test(test_json_set),
		cmocka_unit_test(test_value_number),
		cmocka_unit_test(test_shards),
		cmocka_unit_test(test_pool),
		cmocka_unit_test(test_pool_done_and_signal),
		cmocka_unit_test(test_merge_tables),
		cmocka_unit_test(test_split_does_not_matter),
		cmocka_unit_test(test_bad_point_runs_nothing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
