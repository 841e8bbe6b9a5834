/*
 * sweep-resume.c - reading an interrupted sweep's database for --resume.
 *
 * The plan is compared as a whole (the grid texts must be equal, byte
 * for byte, as `essim merge` compares shards), and explained field by
 * field only to say what differs.  Runs are read from the run table
 * rather than from the meta marks, so a database whose marks were lost
 * (or that never had them: an old essim's) is resumed all the same; only
 * complete runs count, an incomplete one is run again.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sqlite3.h>

#include "core/xalloc.h"
#include "out/results.h"
#include "out/sweep-resume.h"

/* The --vary arguments of a grid text's axes, space-separated. */
static char *
axes_text(const json_t *axes)
{
	char *s = xstrdup("");
	size_t i;
	json_t *a;

	json_array_foreach(axes, i, a) {
		const char *v = json_string_value(json_object_get(a, "vary"));
		char *t = xasprintf("%s%s--vary %s", s, i > 0 ? " " : "",
		    v != NULL ? v : "?");

		free(s);
		s = t;
	}
	if (s[0] == '\0') {
		free(s);
		s = xstrdup("no --vary");
	}
	return s;
}

/* A scalar of a grid text as the command line would give it. */
static char *
opt_text(const json_t *v, const char *none)
{
	if (json_is_null(v) || v == NULL)
		return xstrdup(none);
	if (json_is_string(v))
		return xstrdup(json_string_value(v));
	if (json_is_integer(v))
		return xasprintf("%lld", (long long)json_integer_value(v));
	return xstrdup("?");
}

/* Say in e what differs between the plans was and now. */
static int
explain(const char *path, const char *was, const char *now, struct err *e)
{
	static const struct { const char *key, *opt, *none; } opts[] = {
		{ "seeds", "--seeds", "1" },
		{ "seed", "--seed", "the model's" },
		{ "duration", "--duration", "the model's" },
		{ "sample", "--sample", "none" },
		{ "max_events", "--max-events", "none" },
	};
	json_t *a = json_loads(was, 0, NULL), *b = json_loads(now, 0, NULL);
	const char *k = "model_sha256";
	int rc = -1;

	if (a == NULL || b == NULL)
		err_set(e, "%s: cannot resume: its sweep plan is unreadable",
		    path);
	else if (!json_equal(json_object_get(a, k), json_object_get(b, k)))
		err_set(e, "%s: cannot resume: the model is not the one it "
		    "was made with (SHA-256 %.12s..., now %.12s...)", path,
		    json_string_value(json_object_get(a, k)),
		    json_string_value(json_object_get(b, k)));
	else if (!json_equal(json_object_get(a, "axes"),
	    json_object_get(b, "axes"))) {
		char *x = axes_text(json_object_get(a, "axes"));
		char *y = axes_text(json_object_get(b, "axes"));

		err_set(e, "%s: cannot resume: the grid differs (it was %s; "
		    "now %s)", path, x, y);
		free(x);
		free(y);
	} else {
		for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
			json_t *x = json_object_get(a, opts[i].key);
			json_t *y = json_object_get(b, opts[i].key);
			char *tx, *ty;

			if (json_equal(x, y) || (x == NULL && y == NULL))
				continue;
			if (json_is_integer(x) && strcmp(opts[i].key,
			    "max_events") == 0 && json_integer_value(x) == 0)
				x = NULL;
			if (json_is_integer(y) && strcmp(opts[i].key,
			    "max_events") == 0 && json_integer_value(y) == 0)
				y = NULL;
			tx = opt_text(x, opts[i].none);
			ty = opt_text(y, opts[i].none);
			err_set(e, "%s: cannot resume: %s was %s, now %s",
			    path, opts[i].opt, tx, ty);
			free(tx);
			free(ty);
			break;
		}
		/* Only if no option differed: the first error wins. */
		err_set(e, "%s: cannot resume: the sweep plan differs", path);
	}
	json_decref(a);
	json_decref(b);
	return rc;
}

/* The one sweep row is pl's plan and shard. */
static int
check_plan(sqlite3 *db, const char *path, const struct sout_plan *pl,
    struct err *e)
{
	sqlite3_stmt *st;
	int n = 0, rc = 0, shard = 0, shards = 0;
	char *grid = NULL;

	if (sqlite3_prepare_v2(db, "SELECT shard, shards, grid FROM sweep",
	    -1, &st, NULL) != SQLITE_OK)
		return err_set(e, "%s: %s", path, sqlite3_errmsg(db)) * 2;
	while (sqlite3_step(st) == SQLITE_ROW) {
		if (n++ > 0)
			continue;
		shard = sqlite3_column_int(st, 0);
		shards = sqlite3_column_int(st, 1);
		if (sqlite3_column_type(st, 2) != SQLITE_NULL)
			grid = xstrdup((const char *)
			    sqlite3_column_text(st, 2));
	}
	sqlite3_finalize(st);
	if (n == 0)
		rc = err_set(e, "%s: not a sweep database (its sweep table is "
		    "empty): nothing to resume", path);
	else if (n > 1)
		rc = err_set(e, "%s: a merge of %d shards: resume the shard "
		    "that was interrupted, in its own database", path, n);
	else if (grid == NULL)
		rc = err_set(e, "%s: corrupt sweep database: its sweep row has "
		    "no grid", path);
	else if (shard != pl->shard || shards != pl->shards)
		rc = err_set(e, "%s: cannot resume: it holds shard %d/%d, this "
		    "command runs shard %d/%d", path, shard + 1, shards,
		    pl->shard + 1, pl->shards);
	else if (strcmp(grid, pl->grid) != 0)
		rc = explain(path, grid, pl->grid, e);
	free(grid);
	return rc;
}

/* Mark in have[] the complete runs of db; each must be one of pl's. */
static int
read_runs(sqlite3 *db, const char *path, const struct sout_plan *pl,
    uint8_t *have, struct err *e)
{
	sqlite3_stmt *st;
	int rc = 0;

	memset(have, 0, pl->nruns);
	if (sqlite3_prepare_v2(db, "SELECT run_id, status = 'complete' FROM "
	    "run ORDER BY run_id", -1, &st, NULL) != SQLITE_OK)
		return err_set(e, "%s: %s", path, sqlite3_errmsg(db)) * 2;
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		sqlite3_int64 id = sqlite3_column_int64(st, 0);
		uint64_t r = (uint64_t)id - 1, i;

		i = id >= 1 && r >= (uint64_t)pl->shard ? (r - (uint64_t)
		    pl->shard) / (uint64_t)pl->shards : pl->nruns;
		if (i >= pl->nruns || pl->runs[i] != r)
			rc = err_set(e, "%s: run %lld is not one of this "
			    "sweep's runs: not resuming it", path,
			    (long long)id);
		else
			have[i] = (uint8_t)sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	return rc;
}

int
sresume_read(const char *path, const struct sout_plan *pl, uint8_t *have,
    struct err *e)
{
	struct res_db *db;
	int rc;

	if ((rc = res_open(path, RES_READ, &db, e)) != 0)
		return rc;
	rc = check_plan(res_sqlite(db), path, pl, e);
	if (rc == 0)
		rc = read_runs(res_sqlite(db), path, pl, have, e);
	res_close(db, NULL);
	return rc;
}
