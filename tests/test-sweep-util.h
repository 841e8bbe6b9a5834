/*
 * test-sweep-util.h - fixtures shared by the sweep tests (test-sweep.c,
 * test-sweep-out.c): small results databases with known rows, and a dump
 * of a database to compare two.  Include after cmocka.h, <string.h>,
 * <unistd.h>, <sqlite3.h>, core/xalloc.h and out/results.h.
 */
#ifndef ESSIM_TEST_SWEEP_UTIL_H
#define ESSIM_TEST_SWEEP_UTIL_H

/* A results database at path holding runs ids[0..n) (one param each). */
static void
make_db(const char *path, const int64_t *ids, size_t n)
{
	struct res_db *db;
	struct err e = ERR_INIT;

	unlink(path);
	assert_int_equal(res_open(path, RES_CREATE, &db, &e), 0);
	for (size_t i = 0; i < n; i++) {
		struct res_run_info ri = RES_RUN_INFO_INIT;
		struct res_run_end end;
		struct res_run *r;
		char v[32];

		ri.run_id = ids[i];
		ri.point = ids[i] - 1;
		ri.model_name = "m";
		ri.model_text = "{}";
		ri.seed = (uint64_t)ids[i];
		ri.duration_ns = 1000;
		r = res_run_begin(db, &ri, &e);
		assert_non_null(r);
		snprintf(v, sizeof(v), "%lld", (long long)ids[i] * 10);
		assert_int_equal(res_param(r, "/b", v), 0);
		assert_int_equal(res_param(r, "/a", v), 0);
		assert_int_equal(res_incident(r, "kill", 5, "p", "c", "x"), 0);
		assert_int_equal(res_incident(r, "kill", 7, "p", "c", "y"), 0);
		memset(&end, 0, sizeof(end));
		end.sim_ns = 1000;
		assert_int_equal(res_run_end(r, &end, &e), 0);
	}
	assert_int_equal(res_close(db, &e), 0);
}

/*
 * Every row of every table of the database at path but sweep, in storage
 * order (rowid), as one string; the wall-clock columns of run left out.
 */
static char *
dump_all(const char *path)
{
	sqlite3 *db;
	sqlite3_stmt *tl;
	size_t n = 0, alloc = 0;
	char *out = xstrdup("");

	assert_int_equal(sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY,
	    NULL), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT name FROM "
	    "sqlite_master WHERE type = 'table' AND name <> 'sweep' ORDER BY "
	    "name", -1, &tl, NULL), SQLITE_OK);
	while (sqlite3_step(tl) == SQLITE_ROW) {
		const char *t = (const char *)sqlite3_column_text(tl, 0);
		char *sql = xasprintf("SELECT * FROM \"%s\"", t);
		sqlite3_stmt *st;

		assert_int_equal(sqlite3_prepare_v2(db, sql, -1, &st, NULL),
		    SQLITE_OK);
		while (sqlite3_step(st) == SQLITE_ROW) {
			for (int c = 0; c < sqlite3_column_count(st); c++) {
				const char *cn = sqlite3_column_name(st, c);
				const char *v = (const char *)
				    sqlite3_column_text(st, c);
				char *cell;

				if (strcmp(t, "run") == 0 && (strcmp(cn,
				    "wall_s") == 0 || strcmp(cn,
				    "started_utc") == 0))
					continue;
				cell = xasprintf("%s.%s=%s|", t, cn,
				    v != NULL ? v : "NULL");
				XGROW(out, n + strlen(cell) + 1, alloc);
				memcpy(out + n, cell, strlen(cell) + 1);
				n += strlen(cell);
				free(cell);
			}
		}
		sqlite3_finalize(st);
		free(sql);
	}
	sqlite3_finalize(tl);
	sqlite3_close(db);
	return out;
}

#endif /* ESSIM_TEST_SWEEP_UTIL_H */
