/*
 * test-sweep-util.h - fixtures shared by the sweep tests (test-sweep.c,
 * test-sweep-out.c): small results databases with known rows.  Include
 * after cmocka.h, <string.h>, <unistd.h> and out/results.h.
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

#endif /* ESSIM_TEST_SWEEP_UTIL_H */
