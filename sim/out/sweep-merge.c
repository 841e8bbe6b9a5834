/*
 * sweep-merge.c - joining results databases with disjoint runs.
 *
 * A sweep is split twice: `--shard K/N` splits it between machines, and
 * -j between worker processes on one machine, each of which writes a
 * database of its own (SQLite has one writer at a time; the parent is the
 * only writer of the sweep's file).  Both splits are undone here, by the
 * same code, so that a sweep's database never depends on how it was
 * split: the tables are copied in primary-key order (run_id first), a
 * k-way merge over one SELECT per source.
 *
 * The schema is not hard-wired: the tables and their keys are read from
 * the destination (PRAGMA table_info), which was created by res_open()
 * at this essim's schema version; every source was checked to be of the
 * same version, so the same tables exist in each.  meta and sweep are
 * the only tables without run_id; the callers fill them.
 *
 * For shards, the checks come first and say what is wrong in words a
 * user can act on: a different grid or model ("a.db and b.db are not
 * shards of the same sweep"), a shard given twice, a shard that is
 * missing runs or holds incomplete ones (it was interrupted: run it
 * again).
 */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "core/xalloc.h"
#include "out/results.h"
#include "out/sweep-merge.h"
#include "out/sweep-out.h"

static int
sql_fail(sqlite3 *db, const char *what, struct err *e)
{
	err_set(e, "%s: %s", what, sqlite3_errmsg(db));
	return -2;
}

static void
mtable_release(struct smerge_table *t)
{
	free(t->name);
	free(t->order);
}

/* Read the columns and key of table name in db into *t; -1 if no run_id. */
static int
mtable_init(sqlite3 *db, const char *name, struct smerge_table *t, struct err *e)
{
	char *sql = xasprintf("PRAGMA table_info(\"%s\")", name);
	char *keys[64];
	int nkeys = 0, rc;
	size_t len = 1;
	sqlite3_stmt *st;

	memset(t, 0, sizeof(*t));
	t->runcol = -1;
	rc = sqlite3_prepare_v2(db, sql, -1, &st, NULL);
	free(sql);
	if (rc != SQLITE_OK)
		return sql_fail(db, name, e);
	memset(keys, 0, sizeof(keys));
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *col = (const char *)sqlite3_column_text(st, 1);
		int pk = sqlite3_column_int(st, 5);

		if (col != NULL && strcmp(col, "run_id") == 0)
			t->runcol = t->ncols;
		if (col != NULL && pk > 0 && pk <= 64) {
			keys[pk - 1] = xasprintf("\"%s\"", col);
			if (pk > nkeys)
				nkeys = pk;
		}
		t->ncols++;
	}
	sqlite3_finalize(st);
	t->name = xstrdup(name);
	for (int i = 0; i < nkeys; i++)
		len += (keys[i] != NULL ? strlen(keys[i]) : 0) + 2;
	t->order = xmalloc(len + 16);
	strcpy(t->order, nkeys == 0 ? "run_id, rowid" : "");
	for (int i = 0; i < nkeys; i++) {
		if (keys[i] == NULL)
			continue;
		if (t->order[0] != '\0')
			strcat(t->order, ", ");
		strcat(t->order, keys[i]);
		free(keys[i]);
	}
	if (t->runcol < 0) {
		err_set(e, "table %s has no run_id", name);
		return -1;
	}
	return 0;
}

void
smerge_free_tables(struct smerge_table *ts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		mtable_release(&ts[i]);
	free(ts);
}

int
smerge_list_tables(sqlite3 *dst, struct smerge_table **out, size_t *nout,
    struct err *e)
{
	static const char sql[] = "SELECT name FROM sqlite_master WHERE "
	    "type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN "
	    "('meta', 'sweep') ORDER BY name <> 'run', rowid";
	struct smerge_table *ts = NULL;
	size_t n = 0, alloc = 0;
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(dst, sql, -1, &st, NULL) != SQLITE_OK)
		return sql_fail(dst, "listing tables", e);
	while (rc == 0 && sqlite3_step(st) == SQLITE_ROW) {
		XGROW(ts, n + 1, alloc);
		rc = mtable_init(dst, (const char *)sqlite3_column_text(st, 0),
		    &ts[n], e);
		n++;
	}
	sqlite3_finalize(st);
	*out = ts;
	*nout = n;
	return rc;
}

/* Copy the current row of src into ins and run it. */
static int
copy_row(sqlite3_stmt *src, sqlite3_stmt *ins, int ncols)
{
	for (int c = 0; c < ncols; c++)
		sqlite3_bind_value(ins, c + 1, sqlite3_column_value(src, c));
	if (sqlite3_step(ins) != SQLITE_DONE)
		return -1;
	sqlite3_reset(ins);
	return 0;
}

/* The k-way merge of one table. */
static int
merge_table(sqlite3 *dst, sqlite3 *const *srcs, const char *const *names,
    size_t n, const struct smerge_table *t, struct err *e)
{
	sqlite3_stmt **sel = xcalloc(n, sizeof(*sel)), *ins = NULL;
	int *live = xcalloc(n, sizeof(*live)), rc = 0;
	char *sql = xasprintf("SELECT * FROM \"%s\" ORDER BY %s", t->name,
	    t->order);
	char *qs = xcalloc((size_t)t->ncols + 1, 2), *isql;

	qs[0] = '?';
	for (int c = 1; c < t->ncols; c++)
		memcpy(qs + 2 * c - 1, ",?", 2);
	isql = xasprintf("INSERT INTO \"%s\" VALUES (%s)", t->name, qs);
	free(qs);
	if (sqlite3_prepare_v2(dst, isql, -1, &ins, NULL) != SQLITE_OK)
		rc = sql_fail(dst, t->name, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (sqlite3_prepare_v2(srcs[i], sql, -1, &sel[i], NULL) !=
		    SQLITE_OK || sqlite3_column_count(sel[i]) != t->ncols) {
			err_set(e, "%s: table %s does not match this essim's "
			    "schema", names[i], t->name);
			rc = -1;
		} else {
			live[i] = sqlite3_step(sel[i]) == SQLITE_ROW;
		}
	}
	while (rc == 0) {
		size_t best = n;
		int64_t bid = 0;

		for (size_t i = 0; i < n; i++) {
			int64_t id;

			if (!live[i])
				continue;
			id = sqlite3_column_int64(sel[i], t->runcol);
			if (best < n && id == bid && strcmp(t->name, "run") ==
			    0) {
				err_set(e, "run %lld is in both %s and %s",
				    (long long)id, names[best], names[i]);
				rc = -1;
			}
			if (best == n || id < bid) {
				best = i;
				bid = id;
			}
		}
		if (rc != 0 || best == n)
			break;
		if (copy_row(sel[best], ins, t->ncols) != 0)
			rc = sql_fail(dst, t->name, e);
		live[best] = sqlite3_step(sel[best]) == SQLITE_ROW;
	}
	for (size_t i = 0; i < n; i++)
		sqlite3_finalize(sel[i]);
	sqlite3_finalize(ins);
	free(sel);
	free(live);
	free(sql);
	free(isql);
	return rc;
}

int
smerge_tables(sqlite3 *dst, sqlite3 *const *srcs, const char *const *names,
    size_t n, struct err *e)
{
	struct smerge_table *ts = NULL;
	size_t nt = 0;
	int rc;

	if (sqlite3_exec(dst, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(dst, "merge", e);
	rc = smerge_list_tables(dst, &ts, &nt, e);
	for (size_t i = 0; rc == 0 && i < nt; i++)
		rc = merge_table(dst, srcs, names, n, &ts[i], e);
	smerge_free_tables(ts, nt);
	if (rc != 0) {
		sqlite3_exec(dst, "ROLLBACK", NULL, NULL, NULL);
		return rc;
	}
	if (sqlite3_exec(dst, "COMMIT", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(dst, "merge", e);
	return 0;
}

/* ---- shards ---------------------------------------------------------- */

/* One shard row of a source. */
struct shardrow {
	int64_t		 shard;
	int64_t		 shards;
	char		*grid;
	char		*version;
	size_t		 src;
};

struct shardset {
	struct shardrow	*rows;
	size_t		 n;
	size_t		 alloc;
};

static void
shardset_release(struct shardset *s)
{
	for (size_t i = 0; i < s->n; i++) {
		free(s->rows[i].grid);
		free(s->rows[i].version);
	}
	free(s->rows);
}

static char *
col_text(sqlite3_stmt *st, int c)
{
	const unsigned char *t = sqlite3_column_text(st, c);

	return xstrdup(t != NULL ? (const char *)t : "");
}

/* Read the sweep rows of source i into s; checks grid and shard sets. */
static int
read_sweep_rows(sqlite3 *db, const char *name, size_t i, struct shardset *s,
    struct err *e)
{
	sqlite3_stmt *st;
	size_t first = s->n;

	if (sqlite3_prepare_v2(db, "SELECT shard, shards, grid, "
	    "essim_version FROM sweep ORDER BY shards, shard", -1, &st,
	    NULL) != SQLITE_OK)
		return sql_fail(db, name, e);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct shardrow r;

		r.shard = sqlite3_column_int64(st, 0);
		r.shards = sqlite3_column_int64(st, 1);
		r.grid = col_text(st, 2);
		r.version = col_text(st, 3);
		r.src = i;
		XGROW(s->rows, s->n + 1, s->alloc);
		s->rows[s->n++] = r;
	}
	sqlite3_finalize(st);
	if (s->n == first)
		return err_set(e, "%s: not a sweep database (its sweep table "
		    "is empty: a single run?)", name);
	return 0;
}

/* The source is not an interrupted sweep (sweep-out.h's marks). */
static int
check_marks(sqlite3 *db, const char *name, struct err *e)
{
	sqlite3_stmt *st;
	int rc = 0;

	if (sqlite3_prepare_v2(db, "SELECT value FROM meta WHERE key = '"
	    SOUT_STATUS_KEY "'", -1, &st, NULL) != SQLITE_OK)
		return sql_fail(db, name, e);
	if (sqlite3_step(st) == SQLITE_ROW)
		rc = err_set(e, "%s is an interrupted sweep (meta says %s "
		    "'%s'): finish it first with the same essim sweep "
		    "command and --resume", name, SOUT_STATUS_KEY,
		    (const char *)sqlite3_column_text(st, 0));
	sqlite3_finalize(st);
	return rc;
}

/* Every row agrees on grid and shard count; no shard twice. */
static int
check_shards(const struct shardset *s, const char *const *names,
    struct err *e)
{
	const struct shardrow *a = &s->rows[0];

	for (size_t i = 0; i < s->n; i++) {
		const struct shardrow *b = &s->rows[i];

		if (strcmp(a->grid, b->grid) != 0)
			return err_set(e, "%s and %s are not shards of the "
			    "same sweep (the model, the grid, the seeds or "
			    "the options differ)", names[a->src],
			    names[b->src]);
		if (a->shards != b->shards)
			return err_set(e, "%s is split in %lld shards and %s "
			    "in %lld: they are not shards of the same split",
			    names[a->src], (long long)a->shards,
			    names[b->src], (long long)b->shards);
		if (b->shard < 0 || b->shard >= b->shards)
			return err_set(e, "%s: bad shard %lld/%lld",
			    names[b->src], (long long)b->shard + 1,
			    (long long)b->shards);
		for (size_t j = 0; j < i; j++)
			if (s->rows[j].shard == b->shard)
				return err_set(e, "shard %lld/%lld is in both "
				    "%s and %s", (long long)b->shard + 1,
				    (long long)b->shards,
				    names[s->rows[j].src], names[b->src]);
	}
	return 0;
}

/* Runs of a sweep of total runs that shard k of n holds. */
static int64_t
shard_runs(int64_t total, int64_t k, int64_t n)
{
	return k >= total ? 0 : (total - k - 1) / n + 1;
}

/* Source i holds exactly its shards' runs, all complete. */
static int
check_runs(sqlite3 *db, const char *name, size_t i, const struct shardset *s,
    int64_t total, struct err *e)
{
	int64_t want = 0, have = 0, bad = 0, incomplete = 0, n = s->rows[0].shards;
	char *in = xstrdup("");
	char *sql;
	sqlite3_stmt *st;
	int rc = 0;

	for (size_t r = 0; r < s->n; r++) {
		char *t;

		if (s->rows[r].src != i)
			continue;
		want += shard_runs(total, s->rows[r].shard, n);
		t = xasprintf("%s%s%lld", in, in[0] != '\0' ? "," : "",
		    (long long)s->rows[r].shard);
		free(in);
		in = t;
	}
	sql = xasprintf("SELECT count(*), sum(((run_id - 1) %% %lld) NOT IN "
	    "(%s) OR run_id < 1 OR run_id > %lld), sum(status <> "
	    "'complete') FROM run", (long long)n, in, (long long)total);
	free(in);
	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK ||
	    sqlite3_step(st) != SQLITE_ROW)
		rc = sql_fail(db, name, e);
	else {
		have = sqlite3_column_int64(st, 0);
		bad = sqlite3_column_int64(st, 1);
		incomplete = sqlite3_column_int64(st, 2);
	}
	sqlite3_finalize(st);
	free(sql);
	if (rc != 0)
		return rc;
	if (bad > 0)
		return err_set(e, "%s: %lld runs do not belong to its shards",
		    name, (long long)bad);
	if (incomplete > 0)
		return err_set(e, "%s: %lld runs are incomplete (the shard "
		    "was interrupted: resume it with --resume)", name,
		    (long long)incomplete);
	if (have != want)
		return err_set(e, "%s holds %lld of the %lld runs of its "
		    "shards (the shard was interrupted: resume it with "
		    "--resume)", name, (long long)have, (long long)want);
	return 0;
}

/* Total runs of a sweep, from its grid text. */
static int
grid_runs(const char *grid, const char *name, int64_t *total,
    struct err *e)
{
	json_t *g = json_loads(grid, 0, NULL);
	json_t *r = json_object_get(g, "runs");

	if (!json_is_integer(r) || json_integer_value(r) < 0) {
		json_decref(g);
		return err_set(e, "%s: the sweep's grid has no run count",
		    name);
	}
	*total = json_integer_value(r);
	json_decref(g);
	return 0;
}

static int
open_sources(const char *const *srcs, size_t n, struct res_db **dbs,
    sqlite3 **sq, struct err *e)
{
	for (size_t i = 0; i < n; i++) {
		int v = res_probe_version(srcs[i]);
		int rc;

		if (v == 0)
			return err_set(e, "%s: not an essim results database",
			    srcs[i]);
		if (v > 0 && v != RES_SCHEMA_VERSION)
			return err_set(e, "%s: results schema version %d, this "
			    "essim merges version %d", srcs[i], v,
			    RES_SCHEMA_VERSION);
		if ((rc = res_open(srcs[i], RES_READ, &dbs[i], e)) != 0)
			return rc == RES_EIO ? -2 : -1;
		sq[i] = res_sqlite(dbs[i]);
		for (size_t j = 0; j < i; j++)
			if (strcmp(srcs[i], srcs[j]) == 0)
				return err_set(e, "%s is given twice",
				    srcs[i]);
	}
	return 0;
}

/* Write the merged database at tmp. */
static int
write_merged(const char *tmp, const struct shardset *s, sqlite3 **sq,
    const char *const *srcs, size_t n, struct err *e)
{
	struct res_db *db = NULL;
	int rc;

	if ((rc = res_open(tmp, RES_CREATE, &db, e)) != 0)
		return rc == RES_EIO ? -2 : -1;
	for (size_t i = 0; rc == 0 && i < s->n; i++)
		if (res_sweep(db, s->rows[i].grid, (int)s->rows[i].shard,
		    (int)s->rows[i].shards, e) != 0)
			rc = -2;
	if (rc == 0)
		rc = smerge_tables(res_sqlite(db), sq, srcs, n, e);
	if (res_close(db, e) != 0 && rc == 0)
		rc = -2;
	return rc;
}

static int
shardrow_cmp(const void *a, const void *b)
{
	const struct shardrow *x = a, *y = b;

	return (x->shard > y->shard) - (x->shard < y->shard);
}

int
smerge_shards(const char *out, const char *const *srcs, size_t n, int force,
    size_t *nseen, size_t *ntotal, struct err *e)
{
	struct res_db **dbs = xcalloc(n, sizeof(*dbs));
	sqlite3 **sq = xcalloc(n, sizeof(*sq));
	struct shardset s = { NULL, 0, 0 };
	char *tmp = xasprintf("%s.merge-%ld", out, (long)getpid());
	int64_t total = 0;
	int rc;

	if (access(out, F_OK) == 0 && !force)
		rc = err_set(e, "%s exists (--force replaces it)", out);
	else if (access(out, F_OK) == 0 && res_probe_version(out) <= 0)
		rc = err_set(e, "%s exists and is not an essim results "
		    "database: not replacing it", out);
	else
		rc = open_sources(srcs, n, dbs, sq, e);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (strcmp(srcs[i], out) == 0)
			rc = err_set(e, "%s is both the output and a shard",
			    out);
		else
			rc = read_sweep_rows(sq[i], srcs[i], i, &s, e);
		if (rc == 0)
			rc = check_marks(sq[i], srcs[i], e);
	}
	if (rc == 0)
		rc = check_shards(&s, srcs, e);
	if (rc == 0)
		rc = grid_runs(s.rows[0].grid, srcs[0], &total, e);
	for (size_t i = 0; rc == 0 && i < n; i++)
		rc = check_runs(sq[i], srcs[i], i, &s, total, e);
	if (rc == 0) {
		qsort(s.rows, s.n, sizeof(*s.rows), shardrow_cmp);
		unlink(tmp);
		rc = write_merged(tmp, &s, sq, srcs, n, e);
	}
	if (rc == 0 && rename(tmp, out) != 0)
		rc = err_set(e, "%s: %s", out, strerror(errno)) * 2;
	if (rc != 0)
		unlink(tmp);
	if (nseen != NULL)
		*nseen = s.n;
	if (ntotal != NULL)
		*ntotal = s.n > 0 ? (size_t)s.rows[0].shards : 0;
	for (size_t i = 0; i < n; i++)
		res_close(dbs[i], NULL);
	shardset_release(&s);
	free(dbs);
	free(sq);
	free(tmp);
	return rc;
}
