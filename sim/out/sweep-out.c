/*
 * sweep-out.c - a sweep's database, filled run by run in the plan's order.
 *
 * The parent of a sweep has nothing to do while its workers simulate, and
 * used to merge every worker's database only when all were done: about a
 * tenth of a 200-run sweep's time, serial, at the end.  Here the runs are
 * copied as soon as they and every run before them are done, while the
 * workers go on; what is left at the end is a few runs' rows.
 *
 * A copy is SQLite's own work: the source is ATTACHed and each table gets
 * one prepared "INSERT INTO main.T SELECT * FROM sK.T WHERE run_id = ?
 * ORDER BY <primary key>", which reads the run's rows through the key's
 * index.  That is several times cheaper than stepping rows through C and
 * gives the same storage order as sweep-merge.c's k-way merge: rowids are
 * handed out in insertion order, the rows of a table go in by (run_id,
 * key), and run_id is the first column of every key.  SQLite attaches at
 * most SQLITE_MAX_ATTACHED (10 by default) databases, so sources take one
 * of SLOTS slots while they are needed, and a batch is cut where it would
 * need more.  ATTACH and DETACH are refused inside a transaction; they
 * happen between batches.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sqlite3.h>

#include "core/xalloc.h"
#include "out/results.h"
#include "out/sweep-merge.h"
#include "out/sweep-out.h"

#define SLOTS		8
#define NOT_READY	(-1)
#define MERGED		(-2)

struct slot {
	int		 src;		/* -1: free */
	sqlite3_stmt	**ins;		/* one per table */
};

struct sout {
	struct sout_plan	 pl;
	char			*path;
	struct res_db		*rdb;		/* NULL until the first merge */
	sqlite3			*db;
	int			*from;		/* per run: source, or above */
	size_t			 next;		/* runs before it are merged */
	size_t			 nmerged;
	char			**srcs;
	size_t			 nsrcs;
	size_t			 asrcs;
	struct slot		 slots[SLOTS];
	int			 nslots;
	struct smerge_table	*ts;
	size_t			 nt;
	int			 failed;
};

static int
sql_fail(struct sout *s, const char *what, struct err *e)
{
	s->failed = 1;
	err_set(e, "%s: %s: %s", s->path, what, sqlite3_errmsg(s->db));
	return RES_EIO;
}

static void
sout_free(struct sout *s)
{
	for (size_t i = 0; i < s->nsrcs; i++)
		free(s->srcs[i]);
	free(s->srcs);
	free(s->from);
	free(s->path);
	free(s);
}

/* Append the range runs[a..b] as ids to *t. */
static void
range_add(char **t, size_t *len, size_t *alloc, const struct sout *s,
    size_t a, size_t b)
{
	char buf[48];
	int n;

	if (a == b)
		n = snprintf(buf, sizeof(buf), "%s%llu", *len > 0 ? "," : "",
		    (unsigned long long)s->pl.runs[a] + 1);
	else
		n = snprintf(buf, sizeof(buf), "%s%llu-%llu", *len > 0 ?
		    "," : "", (unsigned long long)s->pl.runs[a] + 1,
		    (unsigned long long)s->pl.runs[b] + 1);
	XGROW(*t, *len + (size_t)n + 1, *alloc);
	memcpy(*t + *len, buf, (size_t)n + 1);
	*len += (size_t)n;
}

char *
sout_missing(const struct sout *s)
{
	char *t = xstrdup("");
	size_t len = 0, alloc = 1;

	for (size_t i = 0; i < s->pl.nruns; i++) {
		size_t j = i;

		if (s->from[i] == MERGED)
			continue;
		while (j + 1 < s->pl.nruns && s->from[j + 1] != MERGED)
			j++;
		range_add(&t, &len, &alloc, s, i, j);
		i = j;
	}
	return t;
}

int
sout_create(const struct sout_plan *pl, struct sout **out, struct err *e)
{
	struct sout *s = xcalloc(1, sizeof(*s));
	char *sql, *miss;
	int rc;

	s->pl = *pl;
	s->path = xstrdup(pl->path);
	s->pl.path = s->path;
	s->from = xcalloc(pl->nruns > 0 ? pl->nruns : 1, sizeof(*s->from));
	for (size_t i = 0; i < pl->nruns; i++)
		s->from[i] = NOT_READY;
	for (int k = 0; k < SLOTS; k++)
		s->slots[k].src = -1;
	*out = NULL;
	rc = res_open(pl->path, pl->replace ? RES_REPLACE : RES_CREATE,
	    &s->rdb, e);
	if (rc == 0)
		rc = res_sweep(s->rdb, pl->grid, pl->shard, pl->shards, e);
	if (rc == 0 && pl->nruns > 0) {
		miss = sout_missing(s);
		sql = sqlite3_mprintf("INSERT INTO meta VALUES(%Q, "
		    "'incomplete'); INSERT INTO meta VALUES(%Q, %Q)",
		    SOUT_STATUS_KEY, SOUT_MISSING_KEY, miss);
		s->db = res_sqlite(s->rdb);
		if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			rc = sql_fail(s, "marking it incomplete", e);
		sqlite3_free(sql);
		free(miss);
	}
	if (s->rdb != NULL && res_close(s->rdb, e) != 0 && rc == 0)
		rc = RES_EIO;
	s->rdb = NULL;
	s->db = NULL;
	if (rc != 0) {
		sout_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

int
sout_source(struct sout *s, const char *path)
{
	XGROW(s->srcs, s->nsrcs + 1, s->asrcs);
	s->srcs[s->nsrcs] = xstrdup(path);
	return (int)s->nsrcs++;
}

void
sout_ready(struct sout *s, size_t i, int src)
{
	if (i >= s->pl.nruns || src < 0 || (size_t)src >= s->nsrcs ||
	    s->from[i] != NOT_READY)
		BUG("sout_ready: run %zu from %d", i, src);
	s->from[i] = src;
}

size_t
sout_nmerged(const struct sout *s)
{
	return s->nmerged;
}

static int
open_db(struct sout *s, struct err *e)
{
	int n;

	if (s->db != NULL)
		return 0;
	if (res_open(s->path, RES_APPEND, &s->rdb, e) != 0) {
		s->failed = 1;
		return RES_EIO;
	}
	s->db = res_sqlite(s->rdb);
	n = sqlite3_limit(s->db, SQLITE_LIMIT_ATTACHED, -1);
	s->nslots = n < SLOTS ? n : SLOTS;
	if (s->nslots < 1)
		return sql_fail(s, "no database can be attached", e);
	if (smerge_list_tables(s->db, &s->ts, &s->nt, e) != 0) {
		s->failed = 1;
		return RES_EIO;
	}
	return 0;
}

static int
detach(struct sout *s, int k, struct err *e)
{
	struct slot *sl = &s->slots[k];
	char sql[32];

	if (sl->src < 0)
		return 0;
	for (size_t t = 0; t < s->nt; t++)
		sqlite3_finalize(sl->ins[t]);
	free(sl->ins);
	sl->ins = NULL;
	sl->src = -1;
	snprintf(sql, sizeof(sql), "DETACH s%d", k);
	if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(s, "detaching a source", e);
	return 0;
}

static int
attach(struct sout *s, int k, int src, struct err *e)
{
	struct slot *sl = &s->slots[k];
	char *sql = sqlite3_mprintf("ATTACH %Q AS s%d; PRAGMA s%d.synchronous "
	    "= OFF", s->srcs[src], k, k);
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, NULL);

	sqlite3_free(sql);
	if (rc != SQLITE_OK) {
		s->failed = 1;
		return err_set(e, "%s: %s", s->srcs[src],
		    sqlite3_errmsg(s->db)) * 2;
	}
	sl->src = src;
	sl->ins = xcalloc(s->nt, sizeof(*sl->ins));
	for (size_t t = 0; t < s->nt; t++) {
		sql = sqlite3_mprintf("INSERT INTO main.\"%w\" SELECT * FROM "
		    "s%d.\"%w\" WHERE run_id = ?1 ORDER BY %s", s->ts[t].name,
		    k, s->ts[t].name, s->ts[t].order);
		rc = sqlite3_prepare_v2(s->db, sql, -1, &sl->ins[t], NULL);
		sqlite3_free(sql);
		if (rc != SQLITE_OK) {
			s->failed = 1;
			return err_set(e, "%s: table %s does not match this "
			    "essim's schema", s->srcs[src], s->ts[t].name) * 2;
		}
	}
	return 0;
}

static int
slot_of(const struct sout *s, int src)
{
	for (int k = 0; k < s->nslots; k++)
		if (s->slots[k].src == src)
			return k;
	return -1;
}

/*
 * The next batch from run index *i: ready runs in order (stopping at the
 * first one not ready unless all), from at most nslots sources.  Fills
 * want[] with those sources; returns the number of runs in b[].
 */
static size_t
next_batch(const struct sout *s, int all, size_t *b, size_t max, int *want,
    int *nwant)
{
	size_t n = 0;

	*nwant = 0;
	for (size_t i = s->next; i < s->pl.nruns && n < max; i++) {
		int src = s->from[i], k;

		if (src == MERGED)
			continue;
		if (src == NOT_READY) {
			if (!all)
				break;
			continue;
		}
		for (k = 0; k < *nwant && want[k] != src; k++)
			;
		if (k == *nwant) {
			if (*nwant == s->nslots)
				break;
			want[(*nwant)++] = src;
		}
		b[n++] = i;
	}
	return n;
}

/* Attach the sources in want[], reusing slots that hold them already. */
static int
attach_batch(struct sout *s, const int *want, int nwant, struct err *e)
{
	for (int w = 0; w < nwant; w++) {
		int k, used;

		if (slot_of(s, want[w]) >= 0)
			continue;
		for (k = 0; k < s->nslots; k++) {
			used = 0;
			for (int v = 0; v < nwant; v++)
				used |= s->slots[k].src == want[v];
			if (!used)
				break;
		}
		if (detach(s, k, e) != 0 || attach(s, k, want[w], e) != 0)
			return RES_EIO;
	}
	return 0;
}

/* Copy the runs b[0..n) in one transaction with the new missing list. */
static int
copy_batch(struct sout *s, const size_t *b, size_t n, struct err *e)
{
	char *miss, *sql;
	int rc = 0;

	if (sqlite3_exec(s->db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK)
		return sql_fail(s, "merging", e);
	for (size_t j = 0; rc == 0 && j < n; j++) {
		struct slot *sl = &s->slots[slot_of(s, s->from[b[j]])];

		for (size_t t = 0; rc == 0 && t < s->nt; t++) {
			sqlite3_bind_int64(sl->ins[t], 1,
			    (sqlite3_int64)s->pl.runs[b[j]] + 1);
			if (sqlite3_step(sl->ins[t]) != SQLITE_DONE)
				rc = sql_fail(s, s->ts[t].name, e);
			sqlite3_reset(sl->ins[t]);
		}
		s->from[b[j]] = MERGED;
	}
	miss = sout_missing(s);
	sql = sqlite3_mprintf("UPDATE meta SET value = %Q WHERE key = %Q",
	    miss, SOUT_MISSING_KEY);
	if (rc == 0 && sqlite3_exec(s->db, sql, NULL, NULL, NULL) !=
	    SQLITE_OK)
		rc = sql_fail(s, "meta", e);
	sqlite3_free(sql);
	free(miss);
	if (rc == 0 && sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) !=
	    SQLITE_OK)
		rc = sql_fail(s, "merging", e);
	if (rc != 0)
		sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
	else
		s->nmerged += n;
	return rc;
}

int
sout_merge(struct sout *s, int all, struct err *e)
{
	size_t b[256], n;
	int want[SLOTS], nwant;

	if (s->failed)
		return RES_EIO;
	if (open_db(s, e) != 0)
		return RES_EIO;
	for (;;) {
		n = next_batch(s, all, b, sizeof(b) / sizeof(b[0]), want,
		    &nwant);
		if (n == 0)
			break;
		if (attach_batch(s, want, nwant, e) != 0 ||
		    copy_batch(s, b, n, e) != 0)
			return RES_EIO;
		while (s->next < s->pl.nruns && s->from[s->next] == MERGED)
			s->next++;
	}
	return 0;
}

int
sout_close(struct sout *s, struct err *e)
{
	int rc = s->failed ? RES_EIO : 0;
	char *sql;

	if (rc == 0 && s->nmerged == s->pl.nruns && s->pl.nruns > 0 &&
	    open_db(s, e) == 0) {
		sql = sqlite3_mprintf("DELETE FROM meta WHERE key IN (%Q, %Q)",
		    SOUT_STATUS_KEY, SOUT_MISSING_KEY);
		if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK)
			rc = sql_fail(s, "meta", e);
		sqlite3_free(sql);
	}
	if (s->failed)
		rc = RES_EIO;
	for (int k = 0; k < s->nslots; k++)
		if (detach(s, k, e) != 0)
			rc = RES_EIO;
	smerge_free_tables(s->ts, s->nt);
	if (s->rdb != NULL && res_close(s->rdb, e) != 0)
		rc = RES_EIO;
	sout_free(s);
	return rc;
}
