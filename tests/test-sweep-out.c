/*
 * test-sweep-out.c - a sweep's output filled run by run (sweep-out.h):
 * the same rows in the same storage order as the k-way merge, the
 * incomplete marks and the missing list at every step; and resuming
 * (sweep-resume.h, sweep.h): a sweep with runs taken out, resumed, equals
 * the whole sweep row for row, and a command of another plan or shard is
 * refused with what differs.
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

#include <sqlite3.h>

#include "core/xalloc.h"
#include "out/results.h"
#include "out/sweep-grid.h"
#include "out/sweep-merge.h"
#include "out/sweep-out.h"
#include "out/sweep.h"
#include "test-sweep-util.h"

/* The value of meta key k in the database at path, or NULL (new). */
static char *
meta_get(const char *path, const char *k)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *v = NULL;

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT value FROM meta "
	    "WHERE key = ?", -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_text(st, 1, k, -1, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW)
		v = xstrdup((const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	sqlite3_close(db);
	return v;
}

static void
assert_missing(const char *path, const char *want)
{
	char *st = meta_get(path, SOUT_STATUS_KEY);
	char *miss = meta_get(path, SOUT_MISSING_KEY);

	if (want == NULL) {
		assert_null(st);
		assert_null(miss);
	} else {
		assert_non_null(st);
		assert_string_equal(st, "incomplete");
		assert_non_null(miss);
		assert_string_equal(miss, want);
	}
	free(st);
	free(miss);
}

/* Paths of the test databases, per process. */
struct paths {
	char	a[64], b[64], kway[64], out[64];
};

static void
paths_init(struct paths *p)
{
	long pid = (long)getpid();

	snprintf(p->a, sizeof(p->a), "/tmp/essim-so-%ld-a.db", pid);
	snprintf(p->b, sizeof(p->b), "/tmp/essim-so-%ld-b.db", pid);
	snprintf(p->kway, sizeof(p->kway), "/tmp/essim-so-%ld-k.db", pid);
	snprintf(p->out, sizeof(p->out), "/tmp/essim-so-%ld-o.db", pid);
}

static struct sout *
plan(const char *path, const uint64_t *runs, size_t n, int shard,
    int shards)
{
	struct sout_plan pl;
	struct sout *s;
	struct err e = ERR_INIT;

	memset(&pl, 0, sizeof(pl));
	pl.path = path;
	pl.replace = 1;
	pl.grid = "{}";
	pl.shard = shard;
	pl.shards = shards;
	pl.runs = runs;
	pl.nruns = n;
	assert_int_equal(sout_create(&pl, &s, &e), 0);
	return s;
}

static void
test_order_and_marks(void **state)
{
	static const int64_t odd[] = { 1, 3, 5 }, even[] = { 2, 4, 6 };
	static const uint64_t runs[] = { 0, 1, 2, 3, 4, 5 };
	const char *srcs[2];
	struct res_db *dst, *src[2];
	sqlite3 *sq[2];
	struct paths p;
	struct err e = ERR_INIT;
	struct sout *s;
	char *want, *got, *m;
	int a, b;

	(void)state;
	paths_init(&p);
	make_db(p.a, odd, 3);
	make_db(p.b, even, 3);
	/* What the k-way merge gives. */
	srcs[0] = p.a;
	srcs[1] = p.b;
	unlink(p.kway);
	assert_int_equal(res_open(p.kway, RES_CREATE, &dst, &e), 0);
	assert_int_equal(res_sweep(dst, "{}", 0, 1, &e), 0);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(res_open(srcs[i], RES_READ, &src[i], &e), 0);
		sq[i] = res_sqlite(src[i]);
	}
	assert_int_equal(smerge_tables(res_sqlite(dst), sq, srcs, 2, &e), 0);
	for (int i = 0; i < 2; i++)
		res_close(src[i], NULL);
	assert_int_equal(res_close(dst, &e), 0);
	want = dump_all(p.kway);
	assert_non_null(strstr(want, "incidents.run_id=6|"));

	/* Run by run, out of order: only what follows without a gap. */
	s = plan(p.out, runs, 6, 0, 1);
	assert_missing(p.out, "1-6");
	a = sout_source(s, p.a);
	b = sout_source(s, p.b);
	sout_ready(s, 1, b);
	assert_int_equal(sout_merge(s, 0, &e), 0);
	assert_int_equal(sout_nmerged(s), 0);
	sout_ready(s, 0, a);
	sout_ready(s, 4, a);
	assert_int_equal(sout_merge(s, 0, &e), 0);
	assert_int_equal(sout_nmerged(s), 2);
	assert_missing(p.out, "3-6");
	m = sout_missing(s);
	assert_string_equal(m, "3-6");
	free(m);
	sout_ready(s, 2, a);
	sout_ready(s, 3, b);
	sout_ready(s, 5, b);
	assert_int_equal(sout_merge(s, 0, &e), 0);
	assert_int_equal(sout_nmerged(s), 6);
	assert_missing(p.out, "");
	assert_int_equal(sout_close(s, &e), 0);
	assert_missing(p.out, NULL);
	got = dump_all(p.out);
	assert_string_equal(got, want);
	free(got);

	/* Stopped early: every ready run is kept, the rest is listed. */
	s = plan(p.out, runs, 6, 0, 1);
	a = sout_source(s, p.a);
	b = sout_source(s, p.b);
	sout_ready(s, 1, b);
	sout_ready(s, 4, a);
	assert_int_equal(sout_merge(s, 0, &e), 0);
	assert_int_equal(sout_nmerged(s), 0);
	assert_int_equal(sout_merge(s, 1, &e), 0);
	assert_int_equal(sout_nmerged(s), 2);
	assert_int_equal(sout_close(s, &e), 0);
	assert_missing(p.out, "1,3-4,6");
	got = dump_all(p.out);
	assert_non_null(strstr(got, "run.run_id=2|"));
	assert_non_null(strstr(got, "run.run_id=5|"));
	assert_null(strstr(got, "run.run_id=1|"));
	free(got);

	/* A shard's ranges step by the shard count: ids 2, 5, 8, 11. */
	{
		static const uint64_t sh[] = { 1, 4, 7, 10 };
		static const int64_t ids[] = { 5 };

		make_db(p.a, ids, 1);
		s = plan(p.out, sh, 4, 1, 3);
		assert_missing(p.out, "2-11");
		sout_ready(s, 1, sout_source(s, p.a));
		assert_int_equal(sout_merge(s, 1, &e), 0);
		m = sout_missing(s);
		assert_string_equal(m, "2,8-11");
		free(m);
		assert_int_equal(sout_close(s, &e), 0);
		assert_missing(p.out, "2,8-11");
	}

	/* A source that is not a results database: an error, not a crash. */
	s = plan(p.out, runs, 6, 0, 1);
	sout_ready(s, 0, sout_source(s, "/nonexistent/dir/x.db"));
	assert_int_equal(sout_merge(s, 0, &e), RES_EIO);
	assert_non_null(strstr(e.text, "/nonexistent/dir/x.db"));
	assert_int_equal(sout_close(s, &e), RES_EIO);
	assert_missing(p.out, "1-6");

	/* The output must not exist (unless replaced). */
	{
		struct sout_plan pl;

		memset(&pl, 0, sizeof(pl));
		pl.path = p.out;
		pl.grid = "{}";
		pl.shards = 1;
		pl.runs = runs;
		pl.nruns = 6;
		err_clear(&e);
		assert_int_equal(sout_create(&pl, &s, &e), RES_EINPUT);
		assert_non_null(strstr(e.text, "exists"));
	}
	free(want);
	unlink(p.a);
	unlink(p.b);
	unlink(p.kway);
	unlink(p.out);
}

/* ---- resuming -------------------------------------------------------- */

/* Run the test sweep into path; seeds and resume as given. */
static int
run_sweep(const char *path, unsigned jobs, uint64_t seeds, int resume,
    const char *vary2, struct diag *d)
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
	assert_int_equal(sg_add_vary(g, vary2 != NULL ? vary2 :
	    "/clients/acme/cache=false,true", &e), 0);
	o.model_file = model;
	o.grid = g;
	o.seeds = seeds;
	o.duration = INT64_C(10000000000);
	o.jobs = jobs;
	o.shard.k = 1;
	o.shard.n = 1;
	o.out = path;
	o.resume = resume;
	if (!resume)
		unlink(path);
	rc = sweep_run(&o, d, NULL);
	sg_free(g);
	free(model);
	return rc;
}

/* Take runs ids out of every run-keyed table of the database at path. */
static void
take_out(const char *path, const char *ids, const char *missing)
{
	sqlite3 *db;
	sqlite3_stmt *st;
	char *sql;

	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM "
	    "sqlite_master WHERE type = 'table' AND name NOT IN ('meta', "
	    "'sweep')", -1, &st, NULL), SQLITE_OK);
	while (sqlite3_step(st) == SQLITE_ROW) {
		sql = sqlite3_mprintf("DELETE FROM \"%w\" WHERE run_id IN (%s)",
		    (const char *)sqlite3_column_text(st, 0), ids);
		assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL),
		    SQLITE_OK);
		sqlite3_free(sql);
	}
	sqlite3_finalize(st);
	sql = sqlite3_mprintf("INSERT INTO meta VALUES('sweep_status', "
	    "'incomplete'); INSERT INTO meta VALUES('sweep_missing', %Q)",
	    missing);
	assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
	sqlite3_free(sql);
	sqlite3_close(db);
}

static void
test_resume(void **state)
{
	char whole[64], part[64];
	struct diag d = DIAG_INIT;
	char *a, *b;

	(void)state;
	snprintf(whole, sizeof(whole), "/tmp/essim-so-%ld-w.db",
	    (long)getpid());
	snprintf(part, sizeof(part), "/tmp/essim-so-%ld-p.db",
	    (long)getpid());
	assert_int_equal(run_sweep(whole, 2, 2, 0, NULL, &d), SWEEP_OK);
	a = dump_all(whole);
	assert_non_null(strstr(a, "run.run_id=12|"));
	assert_non_null(strstr(a, "hist_bucket.run_id=12|"));

	/* Runs 1, 6, 7 and 12 lost: resumed, the same rows, in order. */
	assert_int_equal(run_sweep(part, 1, 2, 0, NULL, &d), SWEEP_OK);
	take_out(part, "1, 6, 7, 12", "1,6-7,12");
	b = dump_all(part);
	assert_null(strstr(b, "run.run_id=12|"));
	free(b);
	assert_int_equal(run_sweep(part, 2, 2, 1, NULL, &d), SWEEP_OK);
	b = dump_all(part);
	assert_string_equal(a, b);
	free(b);
	assert_missing(part, NULL);
	/* Nothing missing: nothing run, nothing changed. */
	assert_int_equal(run_sweep(part, 2, 2, 1, NULL, &d), SWEEP_OK);
	b = dump_all(part);
	assert_string_equal(a, b);
	free(b);

	/* Another plan: refused with what differs, the database untouched. */
	take_out(part, "3", "3");
	assert_int_equal(run_sweep(part, 2, 3, 1, NULL, &d), SWEEP_EINPUT);
	assert_non_null(strstr(diag_msg(&d, 0), "--seeds was 2, now 3"));
	diag_release(&d);
	assert_int_equal(run_sweep(part, 2, 2, 1, "/clients/acme/cache="
	    "true,false", &d), SWEEP_EINPUT);
	assert_non_null(strstr(diag_msg(&d, 0), "the grid differs (it was "
	    "--vary /workload/sources/0/rate=100/s..400/s:3 --vary "
	    "/clients/acme/cache=false,true; now"));
	diag_release(&d);
	assert_missing(part, "3");
	/* A run that is not the plan's. */
	{
		sqlite3 *db;

		assert_int_equal(sqlite3_open(part, &db), SQLITE_OK);
		assert_int_equal(sqlite3_exec(db, "UPDATE run SET run_id = 99 "
		    "WHERE run_id = 4", NULL, NULL, NULL), SQLITE_OK);
		sqlite3_close(db);
	}
	assert_int_equal(run_sweep(part, 2, 2, 1, NULL, &d), SWEEP_EINPUT);
	assert_non_null(strstr(diag_msg(&d, 0), "run 99 is not one of this "
	    "sweep's runs"));
	diag_release(&d);
	/* No database: nothing to resume. */
	unlink(part);
	assert_int_equal(run_sweep(part, 2, 2, 1, NULL, &d), SWEEP_EINPUT);
	assert_non_null(strstr(diag_msg(&d, 0), "nothing to resume"));
	diag_release(&d);
	free(a);
	unlink(whole);
	unlink(part);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_order_and_marks),
		cmocka_unit_test(test_resume),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
